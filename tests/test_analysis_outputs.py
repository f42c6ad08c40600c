"""The analysis carries everything the outputs draw and say (issue 8 item 5, issue 10 item 2).

The bottom line, the daily series with every measure, the rolling mean, the cumulative counts
since the intervention, the per-area series and the ITS level change's range over windows and
slope terms are computed once in the analysis layer; the report and charts only read them.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from trends.analysis import analyse_ceasefire
from trends.analysis.outputs import measures_in
from trends.analysis.sensitivity import LevelChangeRange, level_change_range
from trends.datasets import load_idlib_2019
from trends.ingest.tallies import read_tallies
from trends.models.its import fit_its
from trends.pipeline.run import has_figures
from trends.report.charts import chart_specs
from trends.report.contract import results_payload
from trends.series import CountSeries, rolling_rate
from trends.verdicts import bottom_lines_from_analysis, evidence_from_outcome

TALLIES = "tests/data/tallies/monitor_aug_sep_2019.csv"
START, END = "2019-04-30", "2019-12-15"


@pytest.fixture(scope="module")
def case():
    return load_idlib_2019()


@pytest.fixture(scope="module")
def analysis(founding_analysis):
    """The founding case from START to END (conftest.py: computed once per test run)."""
    assert (founding_analysis.start, founding_analysis.end) == (
        pd.Timestamp(START),
        pd.Timestamp(END),
    )
    return founding_analysis


@pytest.fixture(scope="module")
def tallies():
    table, report = read_tallies(TALLIES)
    series = CountSeries.from_tallies(table, report, source="monitor A")
    return analyse_ceasefire(series, "2019-09-01", outcomes=["new_killed"])


# ------------------------------------------------------------------------------ bottom line
def test_the_bottom_line_is_derived_once_and_carried(analysis):
    assert analysis.bottom_line is not None
    again = bottom_lines_from_analysis(analysis).to_dict()
    assert analysis.bottom_line.to_dict() == again
    assert analysis.to_dict()["bottom_line"] == again
    payload = results_payload(analysis)
    assert payload["bottom_line"] == json.loads(json.dumps(again))
    assert "Attacks" in analysis.bottom_line.report()


def test_a_tallies_analysis_has_a_bottom_line_too(tallies):
    assert tallies.bottom_line is not None
    assert tallies.to_dict()["bottom_line"] == tallies.bottom_line.to_dict()


# ------------------------------------------------------------------------------ series
def test_daily_holds_every_measure_the_data_have(analysis, case):
    daily = analysis.daily
    assert daily.freq == "D"
    for m in ("attacks", "deaths_low", "deaths_best", "deaths_high", "child_deaths", "injured"):
        assert m in daily.counts
    inc = case.incidents
    window = inc[(inc["date"] >= START) & (inc["date"] <= END)]
    assert daily.total("injured") == pytest.approx(window["injured"].sum())
    assert daily.total("attacks") == len(window)
    # the window is the one asked; the data's own first and last day are on the provenance
    assert daily.start == pd.Timestamp(START) and daily.end == pd.Timestamp(END)
    assert daily.provenance.first_day == pd.to_datetime(inc["date"]).min().normalize()
    assert daily.provenance.last_day >= pd.to_datetime(inc["date"]).max().normalize()
    prov = analysis.to_dict()["series"]["provenance"]
    assert prov["first_day"] == f"{daily.provenance.first_day:%Y-%m-%d}"


def test_only_measures_with_figures_are_added(case):
    inc = case.incidents.drop(columns=["civilian_deaths_low", "civilian_deaths_high"])
    assert "deaths_low" not in measures_in(inc)
    assert measures_in(inc, ("deaths_low",))[:3] == ("attacks", "deaths_low", "deaths_best")
    empty = case.incidents.assign(injured=np.nan)
    assert "injured" not in measures_in(empty)


def test_the_provenance_days_survive_a_window():
    table, report = read_tallies(TALLIES)
    series = CountSeries.from_tallies(table, report)
    cut = series.window("2019-09-01", "2019-09-10")
    assert cut.provenance.first_day == series.start
    assert cut.provenance.last_day == series.end
    assert cut.start == pd.Timestamp("2019-09-01")


def test_rolling_rate_names_its_window():
    s = pd.Series(np.arange(10.0), index=pd.date_range("2020-01-01", periods=10))
    out = rolling_rate(s, 5, center=True)
    assert out.attrs["window"] == 5 and out.attrs["center"] is True
    assert out.iloc[4] == pytest.approx(4.0)
    frame = rolling_rate(s.to_frame("x"), 3)
    assert frame.attrs["window"] == 3 and frame.attrs["center"] is False


def test_the_rolling_mean_is_the_centred_seven_day_mean(analysis):
    r = analysis.rolling
    assert r.attrs["window"] == 7 and r.attrs["center"] is True
    assert list(r.columns) == ["attacks", "deaths_best"]
    day = pd.Timestamp("2019-08-31")
    expected = analysis.daily.counts["attacks"].loc[
        day - pd.Timedelta(days=3) : day + pd.Timedelta(days=3)
    ]
    assert r.loc[day, "attacks"] == pytest.approx(expected.mean())


def test_cumulative_since_the_intervention(analysis):
    deaths = analysis.cumulative["civilian_deaths"]
    assert list(deaths.columns[:3]) == ["low", "best", "high"]
    assert deaths.index[0] == analysis.intervention_date
    assert deaths["best"].iloc[-1] == pytest.approx(analysis.since("civilian_deaths"))
    assert deaths["low"].iloc[-1] <= deaths["best"].iloc[-1] <= deaths["high"].iloc[-1]
    attacks = analysis.cumulative["attacks"]
    assert "low" not in attacks and "high" not in attacks
    assert attacks["best"].iloc[-1] == analysis.since("attacks")


def test_per_area_series_sum_to_the_daily_counts(analysis):
    by = analysis.by_area
    assert by is not None and by.attrs["by"] in ("admin1", ["admin1"], ("admin1",))
    areas = [g for g in by["attacks"].columns if g != ""]
    assert len(areas) >= 2
    total = by["attacks"][areas].sum(axis=1)
    assert total.sum() == analysis.daily.total("attacks")


def test_one_area_gives_no_small_multiples(case):
    inc = case.incidents.assign(admin1="Idlib")
    a = analyse_ceasefire(inc, "2019-08-31", start=START, end=END, placebo=False, robustness=False)
    assert a.by_area is None


def test_tallies_carry_no_invented_low_high_figures(tallies):
    assert tallies.by_area is None
    cum = tallies.cumulative["new_killed"]
    assert "low" not in cum and "high" not in cum
    rob = tallies.outcomes["new_killed"].robustness
    assert rob is None or rob.empty or not rob["variant"].str.contains("low|high").any()


# ------------------------------------------------------------------------------ robustness
def test_no_low_high_variants_without_low_high_figures(case):
    inc = case.incidents.assign(civilian_deaths_low=np.nan, civilian_deaths_high=0.0)
    a = analyse_ceasefire(
        inc, "2019-08-31", start=START, end=END, outcomes=["civilian_deaths"], placebo=False,
        leave_out=(1,),
    )  # fmt: skip
    rob = a.outcomes["civilian_deaths"].robustness
    assert not rob["variant"].str.contains("low|high").any()
    assert len(rob) == 1
    assert list(a.cumulative["civilian_deaths"].columns) == ["best", "days_missing"]


def test_has_figures():
    s = CountSeries.from_frame(
        pd.DataFrame(
            {"a": [0.0, 0.0, 0.0], "b": [np.nan] * 3, "c": [0.0, 2.0, np.nan]},
            index=pd.date_range("2020-01-01", periods=3),
        )
    )
    assert not has_figures(s, "a") and not has_figures(s, "b") and has_figures(s, "c")
    assert not has_figures(s, "zzz")


def test_robustness_refits_the_same_spec(analysis):
    oa = analysis.outcomes["civilian_deaths"]
    low = oa.robustness.set_index("variant").loc["low death figures"]
    refit = oa.its.refit(analysis.series.measure("deaths_low").rename(oa.label))
    assert low["level_rr"] == pytest.approx(refit.level_change.estimate, rel=1e-12)


# ------------------------------------------------------------------------------ level change range
def test_level_change_range_over_windows_and_slope(analysis):
    for oa in analysis.outcomes.values():
        r = oa.level_change_range
        assert isinstance(r, LevelChangeRange) and isinstance(r, tuple) and len(r) == 2
        lo, hi = r
        assert lo == r.min <= oa.its.level_change.estimate <= r.max == hi
        # five refits, then the pre-trend check's curved fit (no refit)
        assert len(r.variants) == 6 and r.n_fitted == 6
        ests = [v.estimate for v in (r.main, *r.variants)]
        assert lo == min(ests) and hi == max(ests)
        assert lo < hi  # the windows and the slope term do move it
        assert [v.slope_change for v in r.variants] == [False, True, True, True, True, True]
        assert r.main.estimate == oa.its.level_change.estimate
        assert "analytic" in r.description and "curved pre-period trend" in r.what
        curved = oa.pretrend.level_change_curved
        assert r.variants[-1].label.startswith("curved")
        assert r.variants[-1].estimate == pytest.approx(curved.estimate, rel=1e-12)


def test_each_variant_is_the_same_spec_on_its_window(analysis):
    oa = analysis.outcomes["attacks"]
    r = oa.level_change_range
    half_pre = r.variants[2]
    assert "pre-period: last 50%" in half_pre.label
    values = oa.series.loc[half_pre.start :]
    refit = fit_its(values, spec=oa.its.spec.replace(intervals="analytic"))
    assert half_pre.estimate == pytest.approx(refit.level_change.estimate, rel=1e-12)
    pre = (oa.series.index < oa.its.primary.first_period).sum()
    assert (values.index < oa.its.primary.first_period).sum() == int(np.ceil(pre / 2))
    no_slope = r.variants[0]
    flat = fit_its(oa.series, spec=oa.its.spec.replace(slope_change=False))
    assert no_slope.estimate == pytest.approx(flat.level_change.estimate, rel=1e-12)
    assert no_slope.ci_low == pytest.approx(flat.level_change.ci_low, rel=1e-12)


def test_level_change_range_is_read_by_the_bottom_line_and_serialised(analysis):
    oa = analysis.outcomes["attacks"]
    ev = evidence_from_outcome(oa, event=analysis.intervention)
    assert ev.level_change_range == (oa.level_change_range.min, oa.level_change_range.max)
    d = oa.to_dict()["level_change_range"]
    assert d["min"] == oa.level_change_range.min and len(d["variants"]) == 6
    json.dumps(d)
    back = pickle.loads(pickle.dumps(oa.level_change_range))
    assert back == oa.level_change_range and back.variants == oa.level_change_range.variants


def test_no_range_without_a_specification():
    class Bare:
        spec = None
        level_change = None

    assert level_change_range(Bare(), pd.Series(dtype=float)) is None


def test_a_window_too_short_is_a_recorded_failure_not_a_crash():
    rng = np.random.default_rng(3)
    idx = pd.date_range("2020-01-01", periods=40)
    values = pd.Series(rng.poisson(5, 40).astype(float), index=idx)
    values.iloc[20:] = rng.poisson(2, 20)
    its = fit_its(values, ["2020-01-21"], family="poisson", se="model")
    r = level_change_range(its, values)
    assert r is not None and len(r.variants) == 5
    for v in r.variants:
        assert (v.estimate is None) == bool(v.problem)


def test_weekly_range_refits_with_the_weeks_exposure(case):
    a = analyse_ceasefire(
        case.incidents, "ceasefire_aug31_effective", timeline=case.timeline, freq="W",
        start=START, end=END, outcomes=["attacks"], placebo=False, leave_out=(),
    )  # fmt: skip
    oa = a.outcomes["attacks"]
    r = oa.level_change_range
    assert r is not None and r.n_fitted >= 3
    assert r.min <= oa.its.level_change.estimate <= r.max
    # the whole-window variant uses the fit's exposure (cut weeks count their days)
    flat = fit_its(oa.series, spec=oa.its.spec.replace(slope_change=False))
    assert r.variants[0].estimate == pytest.approx(flat.level_change.estimate, rel=1e-12)
    assert a.rolling.attrs["window"] == 7 and a.daily.freq == "D"
    cum = a.cumulative["attacks"]  # from the days, not the weeks
    assert len(cum) == 107 and cum.index[0] == a.intervention_date


# ------------------------------------------------------------------------------ weekly table
def test_weekly_is_the_daily_series_per_iso_week(analysis):
    weekly = analysis.weekly
    assert weekly is not None and weekly.freq.startswith("W")
    assert (weekly.counts.index.day_of_week == 0).all()  # labelled by their Monday
    for m in analysis.daily.counts.columns:
        assert weekly.counts[m].sum() == pytest.approx(analysis.daily.counts[m].sum())
    covered = weekly.to_frame()["days_covered"]
    assert covered.sum() == len(analysis.daily.counts)
    assert covered.iloc[0] < 7  # 30 Apr 2019 is a Tuesday: the first week is partial


def test_tallies_without_days_carry_no_weekly_table(tallies):
    assert (tallies.weekly is None) == (tallies.daily is None)


# ------------------------------------------------------------------ the report reads them
def test_the_report_charts_draw_what_the_analysis_carries(analysis, case):
    charts = {c.file: c for c in chart_specs(analysis, timeline=case.timeline)}
    timeline = charts["timeline.png"]
    assert timeline.kwargs["rolling"] is analysis.rolling
    assert timeline.kwargs["rolling_window"] == 7
    assert "centred 7-day mean" in timeline.caption
    cum = charts["cumulative_since_ceasefire.png"].args[0]
    assert cum is analysis.cumulative["civilian_deaths"]
    assert charts["small_multiples_admin1.png"].args[0] is analysis.by_area


def test_without_carried_outputs_the_report_draws_no_derived_chart(analysis, case):
    bare = replace(analysis, rolling=None, cumulative={}, by_area=None)
    charts = {c.file: c for c in chart_specs(bare, timeline=case.timeline)}
    assert charts["timeline.png"].kwargs["rolling"] is None
    assert "mean" not in charts["timeline.png"].caption
    assert "cumulative_since_ceasefire.png" not in charts
    assert "small_multiples_admin1.png" not in charts


def test_the_series_csvs_are_the_carried_series(analysis, founding_report):
    # the CSVs that `trends report` wrote for the founding case, the analysis here (conftest.py)
    assert founding_report.exit_code == 0, founding_report.output + founding_report.traceback
    daily = pd.read_csv(founding_report.out / "series_daily.csv", index_col=0, parse_dates=True)
    weekly = pd.read_csv(founding_report.out / "series_weekly.csv", index_col=0, parse_dates=True)
    expected = analysis.daily.to_frame()
    pd.testing.assert_frame_equal(
        daily,
        expected,
        check_freq=False,
        check_dtype=False,
        check_names=False,
        check_index_type=False,
    )
    assert weekly["attacks"].tolist() == analysis.weekly.counts["attacks"].tolist()

"""The measured count series (trends.series.CountSeries): constructors, periods, labels, totals."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trends.errors import InputError
from trends.ingest.tallies import read_tallies
from trends.series import CountSeries, count_series, period_rule, start_labels

TALLIES = "tests/data/tallies/monitor_aug_sep_2019.csv"
MEASURES = ("attacks", "deaths_low", "deaths_best", "deaths_high")


def incidents() -> pd.DataFrame:
    """Hand-made incidents: 1 Jan 2024 is a Monday."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-03", "2024-01-08", "2024-01-10", "2024-01-10", "2024-01-20"]
            ),
            "civilian_deaths_low": [1, 0, 2, 1, np.nan, 4],
            "civilian_deaths_best": [2, 1, 3, 1, np.nan, 5],
            "civilian_deaths_high": [3, 1, 3, 2, np.nan, 9],
        }
    )


def test_from_incidents_daily_is_count_series():
    cs = CountSeries.from_incidents(
        incidents(), measures=MEASURES, start="2024-01-01", end="2024-01-21"
    )
    ref = count_series(incidents(), measures=MEASURES, start="2024-01-01", end="2024-01-21")
    for m in ("attacks", "deaths_low", "deaths_best", "deaths_high"):
        pd.testing.assert_series_equal(cs.measure(m), ref[m].rename(m), check_freq=False)
    assert cs.freq == "D" and cs.unit == "day"
    assert cs.exposure.eq(1).all() and cs.reported.all()
    assert cs.label("deaths_best") == "civilian deaths"
    assert cs.range_of("deaths_best") == ("deaths_low", "deaths_high")
    assert cs.provenance.kind == "incidents" and cs.incidents is not None


def test_not_reported_days_are_missing_not_zero():
    cs = CountSeries.from_incidents(
        incidents(),
        start="2024-01-01",
        end="2024-01-21",
        not_reported=[("2024-01-05", "2024-01-06")],
    )
    assert cs.measure("attacks").loc["2024-01-05":"2024-01-06"].isna().all()
    assert not cs.reported.loc["2024-01-05"]
    weekly = cs.resample("W")
    assert np.isnan(weekly.measure("attacks").loc["2024-01-01"])  # the week holds a gap
    assert not weekly.reported.loc["2024-01-01"]
    assert weekly.measure("attacks").loc["2024-01-08"] == 3


def test_weeks_anchored_on_an_intervention_start_on_it():
    cs = CountSeries.from_incidents(
        incidents(), measures=MEASURES, start="2024-01-02", end="2024-01-21"
    )
    weekly = cs.resample("W", anchor="2024-01-10")  # a Wednesday
    assert weekly.freq == "W-WED"
    assert pd.Timestamp("2024-01-10") in weekly.counts.index
    # first week 27 Dec - 2 Jan holds one day of the window, the last (17-23 Jan) five
    assert weekly.exposure.tolist() == [1, 7, 7, 5]
    assert weekly.period_days.eq(7).all()
    assert weekly.partial.tolist() == [True, False, False, True]
    assert weekly.measure("attacks").tolist() == [0.0, 2.0, 2.0, 1.0]
    assert weekly.total("attacks", "2024-01-10") == cs.total("attacks", "2024-01-10") == 3.0


def test_months_anchored_on_a_day_of_the_month():
    idx = pd.date_range("2024-01-01", "2024-04-30")
    cs = CountSeries.from_frame(pd.Series(1.0, index=idx, name="killed"))
    monthly = cs.resample("M", anchor="2024-01-31")
    assert monthly.freq == "MS-31"
    starts = monthly.counts.index.strftime("%Y-%m-%d").tolist()
    assert starts == ["2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
    assert monthly.exposure.tolist() == [30, 29, 31, 30, 1]
    assert monthly.measure("killed").tolist() == [30.0, 29.0, 31.0, 30.0, 1.0]
    assert monthly.period_days.tolist() == [31, 29, 31, 30, 31]
    calendar = cs.resample("M")
    assert calendar.freq == "MS" and calendar.exposure.tolist() == [31, 29, 31, 30]


def test_period_rule_spellings():
    assert period_rule("W-SAT").freq == "W-SAT"
    assert period_rule("week", anchor="saturday").freq == "W-SAT"
    assert period_rule("M", anchor=10).freq == "MS-10"
    assert period_rule("MS-10").month_day == 10
    assert period_rule("D", anchor="2024-01-10").freq == "D"
    with pytest.raises(InputError):
        period_rule("M", anchor=40)
    with pytest.raises(InputError):
        period_rule("fortnight")


def test_pandas_weekly_resample_is_read_as_week_ends():
    daily = pd.Series(
        np.arange(21, dtype=float), index=pd.date_range("2024-01-01", periods=21), name="killed"
    )
    weekly = daily.resample("W").sum()  # labelled by Sunday, the week's LAST day
    cs = CountSeries.from_frame(weekly)
    assert cs.counts.index[0] == pd.Timestamp("2024-01-01")  # relabelled to the Monday
    assert cs.freq == "W-MON"
    assert cs.measure("killed").tolist() == weekly.tolist()
    assert any("last day of each week" in c for c in cs.provenance.choices)


def test_sunday_weeks_without_a_convention_are_refused():
    idx = pd.DatetimeIndex(["2024-01-07", "2024-01-14", "2024-01-21"])
    with pytest.raises(InputError, match="label='end'"):
        CountSeries.from_frame(pd.Series([1.0, 2.0, 3.0], index=idx, name="x"))
    cs = CountSeries.from_frame(pd.Series([1.0, 2.0, 3.0], index=idx, name="x"), label="start")
    assert cs.freq == "W-SUN" and cs.counts.index[0] == idx[0]
    ends = CountSeries.from_frame(pd.Series([1.0, 2.0, 3.0], index=idx, name="x"), label="end")
    assert ends.counts.index[0] == pd.Timestamp("2024-01-01")


def test_month_end_labels_are_converted():
    idx = pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-03-31"])
    cs = CountSeries.from_frame(pd.Series([5.0, 6.0, 7.0], index=idx, name="x"))
    assert cs.counts.index.tolist() == list(
        pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    )
    assert cs.period_days.tolist() == [31, 29, 31]
    index, note = start_labels(pd.DatetimeIndex(["2024-01-01", "2024-02-01"]), "M")
    assert note is None and index[0] == pd.Timestamp("2024-01-01")


def test_weekly_input_has_no_days():
    idx = pd.date_range("2024-01-01", periods=4, freq="7D")
    cs = CountSeries.from_frame(
        pd.DataFrame({"killed": [1, 2, np.nan, 4]}, index=idx), label="start"
    )
    assert not cs.reported.iloc[2]
    with pytest.raises(InputError, match="daily counts are not known"):
        cs.daily()
    assert cs.total("killed") == 7.0


def test_absent_periods_of_a_grid_are_not_reported():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05"])
    cs = CountSeries.from_frame(pd.Series([1, 0, 2], index=idx, name="n"))
    assert len(cs.counts) == 5
    assert cs.measure("n").isna().tolist() == [False, False, True, True, False]


def test_from_frame_refuses_bad_counts():
    idx = pd.date_range("2024-01-01", periods=3)
    with pytest.raises(InputError, match="negative"):
        CountSeries.from_frame(pd.Series([1, -1, 2], index=idx, name="n"))
    with pytest.raises(InputError, match="whole"):
        CountSeries.from_frame(pd.Series([1, 1.5, 2], index=idx, name="n"))
    with pytest.raises(InputError, match="dates"):
        CountSeries.from_frame(pd.DataFrame({"n": [1, 2]}))
    with pytest.raises(InputError, match="two rows"):
        CountSeries.from_frame(pd.Series([1, 2], index=pd.DatetimeIndex(["2024-01-01"] * 2)))


def test_from_tallies_names_the_measures_as_the_data_do():
    table, report = read_tallies(TALLIES)
    cs = CountSeries.from_tallies(table, report, source="monitor A")
    assert cs.freq == "D" and "new_killed" in cs.counts
    assert cs.label("new_killed") == "people killed" and cs.provenance.source == "monitor A"
    assert "attacks" not in cs.counts
    assert cs.provenance.report is report and cs.provenance.kind == "tallies"
    new = pd.to_numeric(table["new_killed"], errors="coerce")
    assert cs.total("new_killed") == float(new.sum())
    assert not cs.reported.iloc[0]  # the baseline report counts what happened before
    with pytest.raises(InputError, match="read_tallies"):
        CountSeries.from_tallies(incidents())


def test_ranges_and_labels_of_a_plain_frame():
    idx = pd.date_range("2024-01-01", periods=3)
    frame = pd.DataFrame({"lo": [1, 2, 3], "best": [2, 3, 4], "hi": [3, 4, 5]}, index=idx)
    cs = CountSeries.from_frame(
        frame, labels={"best": "killed"}, ranges={"killed": ("lo", "best", "hi")}
    )
    assert cs.range_of("best") == ("lo", "hi")
    assert cs.label("best") == "killed" and cs.measures["lo"].role == "low"
    with pytest.raises(InputError, match="no measure"):
        cs.measure("deaths")


def test_summary_and_to_dict():
    cs = CountSeries.from_incidents(
        incidents(), measures=MEASURES, start="2024-01-01", end="2024-01-21"
    )
    weekly = cs.resample("W")
    summary = weekly.summary().set_index("measure")
    assert summary.loc["attacks", "total"] == 6 and summary.loc["attacks", "periods"] == 3
    payload = json.loads(json.dumps(weekly.to_dict()))
    assert payload["freq"] == "W-MON" and payload["unit"] == "week"
    assert payload["measures"]["deaths_best"]["label"] == "civilian deaths"
    assert payload["measures"]["deaths_best"]["total"] == 12.0
    assert payload["provenance"]["kind"] == "incidents"
    assert any("summed per week" in c for c in payload["provenance"]["choices"])
    frame = weekly.to_frame()
    assert {"days_in_period", "days_covered", "days_reported"} <= set(frame.columns)
    assert "CountSeries W-MON" in repr(weekly)


def test_window_keeps_days_and_recuts_periods():
    cs = CountSeries.from_incidents(
        incidents(), measures=MEASURES, start="2024-01-01", end="2024-01-21"
    )
    weekly = cs.resample("W")
    part = weekly.window("2024-01-03", "2024-01-10")
    assert part.exposure.tolist() == [5, 3]
    assert part.measure("attacks").tolist() == [1.0, 3.0]
    assert part.daily().counts.index[0] == pd.Timestamp("2024-01-03")


def test_library_constructors_name_measures_in_words_and_credit_the_source_once():
    from trends.series import CountSeries

    days = pd.date_range("2024-03-01", periods=5)
    s = pd.Series([1, 0, 2, 3, 1], index=days, name="Civilians_killed")
    counts = CountSeries.from_counts(s, source="Monitor X")
    assert counts.measures["Civilians_killed"].label == "civilians killed"
    assert counts.provenance.source == "Monitor X"
    table = pd.DataFrame({"new_killed": [1.0, 2.0], "new_injured": [0.0, 4.0]}, index=days[:2])
    tallies = CountSeries.from_tallies(table, source="Monitor X")
    assert {m.label for m in tallies.measures.values()} == {"people killed", "people injured"}
    assert tallies.provenance.source == "Monitor X"

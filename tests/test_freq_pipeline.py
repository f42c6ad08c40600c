"""Weekly and monthly analyses end to end, and an event on the last day (issue 12, FREQ).

- weekly counts (weeks starting on any weekday, or labelled by their last day) and a monthly
  analysis anchored on the intervention get a change-point search and a change-date set;
- the bottom line of a weekly or monthly analysis of daily data counts weeks or months;
- an event on the last day of the data gets no grade and no false "the set includes" sentence;
- a refit's numpy ``RuntimeWarning`` does not reach the caller, and the problems a report
  prints give no Python advice.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import trends.analysis.ceasefire as ceasefire
from trends.analysis import analyse_ceasefire
from trends.analysis.ceasefire import reader_words
from trends.series import CountSeries

FAST = {"placebo": False, "robustness": False, "pretrend": False}


def _counts(index: pd.DatetimeIndex, at: int, before: float, after: float, seed: int = 3):
    rng = np.random.default_rng(seed)
    lam = np.where(np.arange(len(index)) < at, before, after)
    return pd.DataFrame({"deaths": rng.poisson(lam).astype(float)}, index=index)


def _problems(analysis) -> list[str]:
    return [p for oa in analysis.outcomes.values() for p in oa.problems]


@pytest.mark.parametrize(
    ("first", "label"),
    [("2021-01-04", "start"), ("2021-01-06", "start"), ("2021-01-10", "end")],
    ids=["monday-starts", "wednesday-starts", "sunday-ends"],
)
def test_weekly_counts_get_a_change_point_search(first, label):
    index = pd.date_range(first, periods=80, freq="7D")
    series = CountSeries.from_frame(_counts(index, 40, 60, 25), freq="W", label=label)
    day = series.counts.index[40]
    a = analyse_ceasefire(series, day, **FAST)
    oa = a.outcomes["deaths"]
    assert not [p for p in _problems(a) if p.startswith(("change points", "possible start"))]
    assert oa.changepoint is not None and oa.change_dates is not None
    bl = a.bottom_line["deaths"]
    timing = {c.name: c.status for c in bl.checks}["timing"]
    assert timing in ("agrees", "disagrees"), bl.text
    assert "in 40 weeks before" in bl.text and "in 40 weeks after" in bl.text


def _daily(days: int, at: int, seed: int = 5) -> CountSeries:
    index = pd.date_range("2021-01-01", periods=days, freq="D")
    return CountSeries.from_frame(_counts(index, at, 9.0, 4.0, seed), freq="D")


def test_weekly_analysis_of_daily_counts_counts_weeks():
    series = _daily(200, 96)
    day = series.counts.index[96]
    a = analyse_ceasefire(series, day, freq="W", **FAST)
    text = a.bottom_line["deaths"].text
    assert "in 13.7 weeks before" in text and "in 14.9 weeks after" in text, text
    assert "96 weeks" not in text and "104 weeks" not in text


def test_monthly_analysis_anchored_on_the_intervention():
    series = _daily(730, 400)
    day = series.counts.index[400]  # 5 Feb 2022: months start on the 5th
    a = analyse_ceasefire(series, day, freq="M", **FAST)
    assert a.series.rule.key == "M" and a.series.rule.month_day == day.day
    assert not [p for p in _problems(a) if p.startswith(("change points", "possible start"))]
    text = a.bottom_line["deaths"].text
    assert "in 13.1 months before" in text and "400 months" not in text, text


def test_an_event_on_the_last_day():
    series = _daily(200, 150)
    last = series.counts.index[-1]
    a = analyse_ceasefire(series, last)
    bl = a.bottom_line["deaths"]
    assert bl.grade == "inconclusive"
    assert "the period after the intervention has only 1 observed day" in bl.grade_reason
    assert "too short to judge a change" in bl.text
    assert "That set includes" not in bl.text
    for p in _problems(a):
        assert not re.search(r"slope_change=|min_size|min_segment|asfreq|trends\.models", p), p


def test_a_refits_runtime_warning_does_not_reach_the_caller(monkeypatch):
    real = ceasefire.level_change_range

    def noisy(*args, **kwargs):
        np.sqrt(np.array([-1.0]))  # numpy: "invalid value encountered in sqrt"
        return real(*args, **kwargs)

    monkeypatch.setattr(ceasefire, "level_change_range", noisy)
    series = _daily(160, 80)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analyse_ceasefire(series, series.counts.index[80], placebo=False, pretrend=False)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(
    "why",
    [
        "the segment after the intervention (16 Sep 2021) has fewer than two usable periods: "
        "its slope change cannot be estimated (use slope_change=False)",
        "the segment x has no events: a log-linear level change cannot be estimated (its rate "
        "ratio would be 0 or infinite); use trends.models.rates.compare_rates for an exact "
        "interval",
        "a change needs at least 2 * min_size = 14 observed periods; the series has 12",
        "the date index has gaps; reindex it to a complete grid of weeks (e.g. "
        "series.asfreq(...)) so that unreported periods are NaN",
    ],
)
def test_reader_words_give_no_python_advice(why):
    out = reader_words(why)
    assert not re.search(r"slope_change=|min_size|asfreq|trends\.models|\(\)", out), out


def test_a_month_cut_by_the_intervention_is_left_out_of_the_two_period_comparison(tmp_path):
    """Monthly counts, intervention on the 15th: that month is neither before nor after."""
    import json

    from typer.testing import CliRunner

    from trends.cli import app

    months = pd.date_range("2019-01-31", periods=36, freq="ME")
    values = [100 if m < pd.Timestamp("2021-03-01") else 50 for m in months]
    values[26] = 75  # March 2021: half before, half after
    path = tmp_path / "monthly.csv"
    path.write_text(
        "date,killed\n"
        + "".join(f"{m:%Y-%m-%d},{v}\n" for m, v in zip(months, values, strict=True)),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["report", "--data", str(path), "--format", "counts", "--label", "end",
            "--intervention", "2021-03-15", "--out", str(out), "-q"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "2,600 people killed in 26 months before" in md  # Jan 2019 - Feb 2021, not March
    assert "450 people killed in 9 months after" in md  # Apr - Dec 2021
    assert "the month starting 1 Mar 2021 holds days before and after" in md
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["outcomes"]["killed"]["rate_before"] == pytest.approx(100.0)
    # the phases end and begin at the left-out month's edges; it is not "not reported"
    counts = payload["outcomes"]["killed"]["counts"]
    assert (counts["before"]["end"], counts["after"]["start"]) == ("2021-02-28", "2021-04-01")
    assert counts["before"]["n_missing"] == 0 and counts["after"]["n_missing"] == 0
    assert "Before (1 Jan 2019 to 28 Feb 2021)" in md and "After (1 Apr 2021 to" in md

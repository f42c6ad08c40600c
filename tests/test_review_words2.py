"""Review "words2": a weekly or monthly change-point sentence names the event's own date (not the
first day of its period) and the period it fell in; a run-up event is called an announcement only
when its own words say so; a chart with several changes says which change it dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trends.analysis import analyse_ceasefire
from trends.events import ReferenceEvent, Timeline
from trends.models.changepoint import detect_changepoints
from trends.plots.changepoint import _subtitle
from trends.regimes import default_window
from trends.series import CountSeries
from trends.verdicts.words import timing_of_change

FAST = {"placebo": False, "robustness": False, "pretrend": False}


def _series(index: pd.DatetimeIndex, at: int, before: float, after: float, freq: str):
    rng = np.random.default_rng(3)
    lam = np.where(np.arange(len(index)) < at, before, after)
    frame = pd.DataFrame({"deaths": rng.poisson(lam).astype(float)}, index=index)
    return CountSeries.from_frame(frame, freq=freq)


# 1. the first whole week or month after a mid-period event


def test_monthly_change_after_a_mid_month_event_names_the_event_date():
    series = _series(pd.date_range("2020-01-01", periods=36, freq="MS"), 18, 60, 20, "M")
    a = analyse_ceasefire(series, pd.Timestamp("2021-06-15"), **FAST)
    cp = a.outcomes["deaths"].changepoint
    comp = cp.comparison
    assert comp.reference == pd.Timestamp("2021-06-15")  # not moved to 1 Jun for the words
    assert pd.Timestamp(comp.date) == pd.Timestamp("2021-07-01")
    for text in (comp.timing().text, _subtitle(cp)):
        assert "the first whole month after the intervention (15 Jun 2021)" in text, text
        assert "the month it fell in (Jun 2021) mixes days before and after it" in text, text
        assert "1 Jun 2021" not in text, text


def test_weekly_change_after_a_mid_week_event_names_the_event_date():
    weeks = pd.date_range("2022-01-03", periods=60, freq="7D")  # Mondays
    series = _series(weeks, 30, 40, 10, "W")
    day = weeks[29] + pd.Timedelta(days=3)  # Thursday 28 Jul 2022
    a = analyse_ceasefire(series, day, **FAST)
    comp = a.outcomes["deaths"].changepoint.comparison
    assert comp.reference == day
    text = comp.timing().text
    assert "the first whole week after the intervention (28 Jul 2022)" in text, text
    assert "the week it fell in (the week of 25 Jul 2022) mixes days" in text, text
    # the chart's subtitle says what the report says (the same sentence, the same set test)
    assert _subtitle(a.outcomes["deaths"].changepoint).endswith(text)


def test_the_words_keep_the_event_time_and_a_whole_first_period_is_not_mixed():
    t = timing_of_change(
        "2021-07-01", "2021-07-01", "2021-07-01", "2021-06-15 14:00", unit="month",
        reference_name="the ceasefire",
    )  # fmt: skip
    assert t.status == "first whole period"
    assert "(14:00 on 15 Jun 2021): the month it fell in (Jun 2021) mixes" in t.text, t.text
    # an event at midnight on the 1st: June is whole after it, so July is a month late
    whole = timing_of_change("2021-07-01", "2021-07-01", "2021-07-01", "2021-06-01", unit="month")
    assert whole.status == "later" and "mixes" not in whole.text, whole.text
    week = timing_of_change("2022-09-05", "2022-09-05", "2022-09-05", "2022-08-29", unit="week")
    assert week.status == "later", week.text


def test_monthly_analysis_anchored_on_the_event_matches_its_month():
    """Months anchored on the event's day (5th to 4th): the comparison is of the month that holds
    the event, not of the one before (the calendar month's 1st falls in it)."""
    index = pd.date_range("2021-01-01", periods=730, freq="D")
    series = _series(index, 400, 9.0, 4.0, "D")
    day = series.counts.index[400]  # 5 Feb 2022
    a = analyse_ceasefire(series, day, freq="M", **FAST)
    comp = a.outcomes["deaths"].changepoint.comparison
    assert comp.reference_period == day and pd.Timestamp(comp.date) == day
    assert comp.in_set and comp.offset_periods == 0
    assert comp.timing().status == "matches", comp.timing().text


# 2. a run-up event is an announcement only when it says so


def _run_up_timeline() -> Timeline:
    return Timeline(
        [
            ReferenceEvent("off", "Offensive begins", "offensive", "2023-01-10"),
            ReferenceEvent("ann", "Truce announced", "truce", "2023-03-01"),
            ReferenceEvent("talks", "Truce talks conclude", "truce", "2023-03-02"),
            ReferenceEvent("local", "Local truce", "truce", "2023-03-03 01:00"),
            ReferenceEvent("truce", "Truce in force", "truce", "2023-03-03 06:00"),
        ]
    )


def test_a_run_up_event_is_not_said_to_announce_unless_it_says_so():
    tl = _run_up_timeline()
    choice = default_window(tl, tl["truce"], "2022-12-01", "2023-08-31")
    why = {e.id: w for e, w in choice.passed_over}
    assert why["ann"] == "it announces the intervention, 2 days before it"
    assert why["talks"] == (
        "it is an event of the same kind (truce) 1 day before the intervention, taken as its "
        "run-up, not a regime change"
    )
    assert "announc" not in why["local"] and "on the same day as the intervention" in why["local"]
    text = " ".join(choice.reasons())
    assert "Truce talks conclude (2023-03-02) was not taken as a boundary: it is an event" in text


# 3. the chart's subtitle says which change it dates


def _two_changes() -> pd.Series:
    days = pd.date_range("2019-06-01", periods=150, freq="D")
    rng = np.random.default_rng(7)
    lam = np.r_[np.full(50, 4.0), np.full(50, 20.0), np.full(50, 2.0)]
    return pd.Series(rng.poisson(lam).astype(float), index=days)


@pytest.mark.parametrize("n", [1, 2])
def test_subtitle_names_the_change_nearest_the_reference_when_there_are_several(n):
    y = _two_changes()
    ev = ReferenceEvent("cf", "Ceasefire", "ceasefire", y.index[100])
    res = detect_changepoints(y, model="poisson", n_changes=n, reference=ev)
    text = _subtitle(res)
    if n == 1:
        assert text.startswith("1 change detected. The change is dated "), text
    else:
        # "which change?": the one nearest the reference, named as in the rest of the sentence
        assert text.startswith("2 changes detected. The change nearest the Ceasefire is dated "), (
            text
        )
        assert text.count("The change") == 1, text

"""The bottom line of weekly and monthly analyses, short periods, the change-date set (FREQ).

- A weekly or monthly analysis of daily data compares the daily totals: the bottom line said
  "349 attacks in 77 weeks" for 77 days. Its phase lengths and rates are now in the analysis
  unit (77 days = 11 weeks), and its interval words in the comparison's (days).
- A period of fewer than ``MIN_PHASE_PERIODS`` observed periods before or after the event gets
  no grade, and the paragraph says why.
- "That set includes the first day of the intervention" is said only when the event's period is
  one of the set's dates (not when the event is after the last date that can be tested).
"""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trends.verdicts import Estimate, Evidence, Variant, bottom_line, evidence_from_outcome
from trends.verdicts.adapter import event_in_set
from trends.verdicts.bottom_line import DAYS_PER_UNIT, MIN_PHASE_PERIODS, phase_length
from trends.verdicts.words import DIRECTION_WORDS

TRUCE = pd.Timestamp("2022-04-02 19:00")


def _evidence(**changes) -> Evidence:
    """A weekly analysis of daily data (the ACLED Yemen case of the sweep)."""
    ev = Evidence(
        outcome="attacks",
        measure="attacks",
        unit="week",
        rate_unit="day",
        count_before=349,
        count_after=456,
        periods_before=77,
        periods_after=323,
        exact=Estimate(0.311, 0.27, 0.359, 1e-40),
        model=Estimate(0.311, 0.261, 0.371, 1e-20),
        level_change=Estimate(0.287, 0.22, 0.373),
        event_name="UN-brokered nationwide truce in force",
        event_word="the truce",
        event_time=TRUCE,
        change_searched=True,
        change_date=pd.Timestamp("2022-04-02"),
        change_set_low=pd.Timestamp("2022-04-02"),
        change_set_high=pd.Timestamp("2022-04-02"),
        placebo_p=1 / 30,
        placebo_n=29,
        robustness=(Variant("low death figures", 0.3, 0.2, 0.4),),
    )
    return replace(ev, **changes)


def _stated(text: str, unit: str) -> tuple[float, float, float, float]:
    """(periods before, rate before, periods after, rate after) as the paragraph states them."""
    num = r"([\d,]+(?:\.\d+)?)"
    m = re.search(
        rf"in {num} {unit}s? before \({num} a {unit}\), .*? in {num} {unit}s? after "
        rf"\({num} a {unit}\)",
        text,
    )
    assert m, text
    return tuple(float(g.replace(",", "")) for g in m.groups())


def test_weekly_analysis_of_daily_data_counts_weeks():
    bl = bottom_line(_evidence())
    assert "349 attacks in 11 weeks before (31.7 a week)" in bl.text, bl.text
    assert "456 attacks in 46.1 weeks after (9.9 a week)" in bl.text, bl.text
    assert "77 weeks" not in bl.text and "323 weeks" not in bl.text
    # the interval was computed on the days, and says so
    assert "dependence between days" in bl.text
    assert "if every day were an independent Poisson draw" in bl.text
    assert "the rate of attacks per week fell by 69%" in bl.text


def test_monthly_analysis_of_daily_data_counts_months():
    bl = bottom_line(_evidence(unit="month"))
    nb, rb, na, ra = _stated(bl.text, "month")
    assert nb == pytest.approx(77 / DAYS_PER_UNIT["month"], abs=0.05)
    assert na == pytest.approx(323 / DAYS_PER_UNIT["month"], abs=0.05)
    assert rb == pytest.approx(349 / (77 / DAYS_PER_UNIT["month"]), abs=0.05)
    assert "77 months" not in bl.text


def test_a_source_in_weeks_keeps_its_weeks():
    # weekly counts with no days: the comparison's periods are the weeks themselves
    bl = bottom_line(_evidence(rate_unit="week", periods_before=52, periods_after=52))
    assert "in 52 weeks before" in bl.text and "dependence between weeks" in bl.text


def test_daily_text_is_unchanged_without_a_rate_unit():
    ev = _evidence(unit="day", rate_unit=None)
    assert bottom_line(ev).text == bottom_line(replace(ev, rate_unit="day")).text
    assert "349 attacks in 77 days before (4.5 a day)" in bottom_line(ev).text


@settings(max_examples=60, deadline=None)
@given(
    days_before=st.integers(7, 2000),
    days_after=st.integers(7, 2000),
    count_before=st.integers(1, 50_000),
    count_after=st.integers(1, 50_000),
    unit=st.sampled_from(["day", "week", "month"]),
)
def test_stated_periods_and_rates_match_the_days(
    days_before, days_after, count_before, count_after, unit
):
    ev = _evidence(
        unit=unit,
        periods_before=days_before,
        periods_after=days_after,
        count_before=count_before,
        count_after=count_after,
    )
    nb, rb, na, ra = _stated(bottom_line(ev).text, unit)
    per = DAYS_PER_UNIT[unit]
    # never more periods than the days hold, and the rates are per period of that unit
    assert nb == pytest.approx(days_before / per, abs=0.051)
    assert na == pytest.approx(days_after / per, abs=0.051)
    assert rb == pytest.approx(count_before * per / days_before, rel=0.01, abs=0.051)
    assert ra == pytest.approx(count_after * per / days_after, rel=0.01, abs=0.051)


def test_phase_length():
    assert phase_length(77, "day", "week") == 11
    assert phase_length(52, "week", "week") == 52
    assert phase_length(10, "week", "month") is None


def test_adapter_reads_the_comparisons_unit():
    phase = SimpleNamespace
    rates = SimpleNamespace(
        before=phase(count=349, n_periods=77),
        after=phase(count=456, n_periods=323),
        unit="day",
        rate_ratio={"estimate": 0.311, "ci_low": 0.27, "ci_high": 0.359, "p_value": 1e-40},
        rate_ratio_nb=None,
    )
    oa = SimpleNamespace(name="attacks", label="attacks", rates=rates)
    ev = evidence_from_outcome(oa, event_date=TRUCE, freq="W")
    assert ev.unit == "week" and ev.rate_unit == "day"
    assert "in 11 weeks before" in bottom_line(ev).text


# ---------------------------------------------------------------------------- short periods
@pytest.mark.parametrize("phase", ["before", "after"])
@pytest.mark.parametrize("n", [0, 1, MIN_PHASE_PERIODS - 1])
def test_a_period_too_short_gets_no_grade(phase, n):
    ev = _evidence(unit="day", **{f"periods_{phase}": n})
    bl = bottom_line(ev)
    assert bl.grade == "inconclusive", bl.text
    assert "too short to judge a change" in bl.text
    assert f"the period {phase} the truce has" in bl.grade_reason
    assert f"fewer than the {MIN_PHASE_PERIODS} needed" in bl.grade_reason
    low = bl.headline.lower()
    assert not [w for w in DIRECTION_WORDS if re.search(rf"\b{re.escape(w)}\b", low)], bl.headline


def test_a_period_of_the_minimum_is_graded_as_before():
    ev = _evidence(unit="day", periods_after=MIN_PHASE_PERIODS)
    bl = bottom_line(ev)
    assert bl.grade != "inconclusive" and "too short" not in bl.text


def test_the_short_rule_counts_the_comparisons_periods():
    # a weekly analysis of daily data: 10 days after are enough for the daily comparison
    bl = bottom_line(_evidence(periods_after=10))
    assert "too short" not in bl.text


def test_a_change_point_search_that_could_not_run_says_why():
    ev = _evidence(change_searched=False, change_note="a change needs at least 14 observed months")
    text = bottom_line(ev).text
    assert "The change-point search could not be run (a change needs at least 14" in text
    assert "No change-point search was run" not in text


# ------------------------------------------------------------------------ change-date set
def _set(dates):
    """A change-date set whose ``contains`` says yes to any day after its last date (the
    behaviour of a set whose candidate dates stop short of the window's end)."""
    dates = pd.DatetimeIndex(dates)
    return SimpleNamespace(
        dates=dates,
        headline=lambda: "The data cannot date a change.",
        contains=lambda day: pd.Timestamp(day) >= dates[0],
    )


def test_an_event_after_the_last_candidate_is_not_in_the_set():
    index = pd.date_range("2021-03-01", "2021-09-16", freq="D")
    cd = _set(pd.date_range("2021-03-08", "2021-09-10", freq="D"))
    assert not event_in_set(cd, "2021-09-16", index)
    assert event_in_set(cd, "2021-09-10", index)
    assert not event_in_set(cd, "2021-03-02", index)
    oa = SimpleNamespace(
        name="killed", label="killed", change_dates=cd, series=pd.Series(1.0, index=index)
    )
    ev = evidence_from_outcome(oa, event_date=pd.Timestamp("2021-09-16"))
    assert ev.change_dates_has_event is False


def test_weekly_event_in_set_uses_the_week_that_holds_the_day():
    index = pd.date_range("2022-01-03", periods=30, freq="7D")
    cd = _set(index[10:12])
    assert event_in_set(cd, index[11] + pd.Timedelta(days=6), index)
    assert not event_in_set(cd, index[12], index)


def test_a_weekly_change_in_the_first_whole_week_after_the_event_is_on_time():
    from trends.verdicts.words import timing_of_change

    t = timing_of_change("2022-09-05", "2022-09-05", "2022-09-12", "2022-09-01", unit="week")
    assert t.status == "first whole period" and t.agrees is True
    assert "later than announced" not in t.text
    late = timing_of_change("2022-09-12", "2022-09-12", "2022-09-19", "2022-09-01", unit="week")
    assert late.status == "later" and late.agrees is False
    month = timing_of_change("2020-04-01", "2020-04-01", "2020-04-01", "2020-03-15", unit="month")
    assert month.status == "first whole period"
    assert (
        timing_of_change(
            "2020-05-01", "2020-05-01", "2020-05-01", "2020-03-15", unit="month"
        ).status
        == "later"
    )


def test_a_weekly_change_point_comparison_names_the_week_not_a_day():
    """The models date a weekly event at its week's start: the words say 'the week of', not a
    day that is not the intervention's."""
    import dataclasses

    from trends.models.changepoint_results import ReferenceComparison

    fields = {f.name for f in dataclasses.fields(ReferenceComparison)}
    kw = {k: None for k in fields}
    kw.update(reference=pd.Timestamp("2022-01-03"), reference_name="the intervention",
              unit="week", break_number=None)  # fmt: skip
    comp = ReferenceComparison(**{k: v for k, v in kw.items() if k in fields})
    assert comp.reference_text == "the intervention (the week of 3 Jan 2022)"

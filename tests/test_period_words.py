"""Dates in words at the series' own unit: days, weeks, months (sweep F findings 5, 6 and 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trends.models.changepoint_dateset import change_date_set
from trends.report.context import _period_holding
from trends.verdicts.words import period_span, period_words, timing_of_change


def test_periods_in_words():
    assert period_words("2022-10-03", "day") == "3 Oct 2022"
    assert period_words("2022-10-03", "week") == "the week of 3 Oct 2022"
    assert period_words("2021-06-01", "month") == "Jun 2021"
    assert period_span("2022-10-03", "2022-10-17", "week") == "the weeks of 3 to 17 Oct 2022"
    assert period_span("2021-06-01", "2021-08-01", "month") == "Jun to Aug 2021"
    assert period_span("2020-11-01", "2021-02-01", "month") == "Nov 2020 to Feb 2021"
    assert period_span("2022-10-03", "2022-10-03", "week") == "the week of 3 Oct 2022"


def test_a_weekly_match_names_the_week_and_the_event_day():
    t = timing_of_change(
        pd.Timestamp("2022-10-03"), pd.Timestamp("2022-10-03"), pd.Timestamp("2022-10-03"),
        pd.Timestamp("2022-10-05"), reference_name="the intervention", unit="week",
    )  # fmt: skip
    assert t.status == "matches"
    assert t.text == (
        "The change is dated to the week of 3 Oct 2022 (its date set is the week of 3 Oct "
        "2022), which matches the intervention (5 Oct 2022, in the week of 3 Oct 2022)."
    )
    # the same reference given as its week's label reads the same week
    same = timing_of_change(
        pd.Timestamp("2022-10-03"), None, None, pd.Timestamp("2022-10-03"),
        reference_name="the intervention", unit="week",
    )  # fmt: skip
    assert "which matches the intervention (the week of 3 Oct 2022)" in same.text


def test_a_later_change_is_not_read_as_the_event_outside_its_own_set():
    """Sweep F: "dated 9 Apr, 7 days after the truce (2 Apr), which lies outside the change's
    date set (9 to 10 Apr)" read as if 9 Apr were outside 9-10 Apr."""
    t = timing_of_change(
        pd.Timestamp("2022-04-09"), pd.Timestamp("2022-04-09"), pd.Timestamp("2022-04-10"),
        pd.Timestamp("2022-04-02 19:00"), reference_name="the truce",
    )  # fmt: skip
    assert t.status == "later"
    assert t.text.startswith("The change is dated 9 Apr 2022 (its date set is 9 to 10 Apr 2022)")
    assert "7 days after the truce (19:00 on 2 Apr 2022), whose day is not in the set" in t.text
    monthly = timing_of_change(
        pd.Timestamp("2021-09-01"), pd.Timestamp("2021-08-01"), pd.Timestamp("2021-10-01"),
        pd.Timestamp("2021-06-15"), reference_name="the accord", unit="month",
    )  # fmt: skip
    assert "dated to Sep 2021 (its date set is Aug to Oct 2021), 3 months after" in monthly.text
    assert "the accord (15 Jun 2021, in Jun 2021), whose month is not in the set" in monthly.text


def test_a_one_period_date_set_is_said_without_one_of_1():
    rng = np.random.default_rng(5)
    y = np.r_[rng.poisson(60.0, 40), rng.poisson(8.0, 40)].astype(float)
    s = pd.Series(y, index=pd.date_range("2022-01-03", periods=80, freq="W-MON"), name="attacks")
    cd = change_date_set(s, seed=1)
    text = cd.headline()
    assert cd.size == 1  # a drop from 60 to 8 a week is dated to one week
    assert "one of 1" not in text
    assert "began in the week of 10 Oct 2022" in text and "set of one week" in text
    assert "on daily series only" in cd.method_text()


def test_the_period_holding_the_event_in_words():
    weeks = pd.date_range("2022-09-05", periods=10, freq="W-MON")
    assert (
        _period_holding(pd.Timestamp("2022-10-05"), weeks, "week")
        == "the week of 3 Oct 2022, which holds 5 Oct 2022"
    )
    months = pd.date_range("2021-01-01", periods=12, freq="MS")
    assert _period_holding(pd.Timestamp("2021-06-15"), months, "month") == "Jun 2021"
    days = pd.date_range("2021-01-01", periods=12, freq="D")
    assert _period_holding(pd.Timestamp("2021-01-05"), days, "day") == "5 Jan 2021"


def test_the_mixed_day_is_named_by_the_clock():
    """Sweep F: a truce at 21:45 left "the few hours of that day" before it."""
    from trends.report.choices import _mixed_day_why

    late = str(_mixed_day_why(pd.Timestamp("2023-05-22 21:45"), pd.Timestamp("2023-05-22")))
    assert "few hours" not in late
    assert "(00:00 to 21:45) is counted against it" in late
    rolled = str(_mixed_day_why(pd.Timestamp("2023-05-22 23:59"), pd.Timestamp("2023-05-23")))
    assert "22 May counts as *before* and 23 May is the first day *after*" in rolled


def test_rates_keep_one_precision():
    """Sweep F: "(1 a day)" beside "(2.1 a day)" in one bottom line."""
    from trends.verdicts.words import fmt_rate

    assert [fmt_rate(x) for x in (1.0, 5.0, 2.06, 40.43)] == ["1.0", "5.0", "2.1", "40.4"]
    assert [fmt_rate(x) for x in (0.0, 0.054, 0.0087, 1250.4)] == ["0", "0.054", "0.0087", "1,250"]


def test_a_change_dated_weeks_away_is_not_said_to_match_even_when_its_set_holds_the_event():
    far = timing_of_change(
        "2024-02-25", "2023-12-13", "2024-03-01", pd.Timestamp("2024-01-12 09:00"),
        reference_name="the ceasefire",
    )  # fmt: skip
    assert "matches" not in far.text
    assert "44 days after the ceasefire (09:00 on 12 Jan 2024)" in far.text
    assert "consistent with it but not pinned to it" in far.text
    near = timing_of_change(
        "2024-01-13", "2024-01-10", "2024-01-20", pd.Timestamp("2024-01-12 09:00"),
        reference_name="the ceasefire",
    )  # fmt: skip
    assert "which matches the ceasefire" in near.text

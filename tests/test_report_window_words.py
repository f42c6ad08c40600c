"""Words about the window and the periods that a reader may quote (seventh session of issue 12)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from trends.events import ReferenceEvent, Timeline
from trends.models.its import fit_its
from trends.report.choices import _start_why
from trends.series import CountSeries


def test_a_window_that_starts_the_day_after_a_timed_event_says_so():
    tl = Timeline([ReferenceEvent("op", "Operation 1027", "offensive", "2023-10-27 04:00")])
    a = SimpleNamespace(start=pd.Timestamp("2023-10-28"))
    why = str(_start_why(a, tl, None, (pd.Timestamp("2023-08-01"), pd.Timestamp("2024-03-30"))))
    assert "first whole day after “Operation 1027”" in why
    assert "04:00 on 27 Oct 2023" in why and "left out of the window" in why
    assert "first day of the data" not in why


def test_weekly_its_names_the_week_that_holds_the_event_not_a_false_day():
    weeks = pd.date_range("2023-01-02", periods=40, freq="7D")
    rng = np.random.default_rng(5)
    y = pd.Series(rng.poisson(np.where(np.arange(40) < 20, 30, 12)), index=weeks, name="deaths")
    res = fit_its(y, weeks[20])  # the pipeline dates a mid-week event at its week's start
    text = res.report()
    assert f"Starting with the week of {weeks[20].day} {weeks[20]:%b %Y}, the week of" in text
    assert "After " not in text.split("standard errors")[1].split(".")[1]


def test_weeks_given_as_starts_get_no_contradicting_note():
    weeks = pd.date_range("2023-01-02", periods=8, freq="7D")
    table = pd.DataFrame({"attacks": np.arange(8)}, index=weeks)
    series = CountSeries.from_frame(table, label="start", freq="W")
    assert not any("as stated" in c for c in series.provenance.choices)

"""The timeline-aware default window (trends.regimes)."""

from __future__ import annotations

import pandas as pd

from trends.events import ReferenceEvent, Timeline
from trends.regimes import default_window


def _timeline() -> Timeline:
    return Timeline(
        [
            ReferenceEvent("offensive", "Offensive begins", "offensive", "2023-01-10"),
            ReferenceEvent("announce", "Truce announced", "truce", "2023-03-01"),
            ReferenceEvent("truce", "Truce in force", "truce", "2023-03-03 06:00"),
            ReferenceEvent("violation", "First violation", "escalation", "2023-03-20"),
            ReferenceEvent("talks", "Talks in Geneva", "other", "2023-04-01"),
            ReferenceEvent("collapse", "Truce collapses", "escalation", "2023-05-15"),
            ReferenceEvent("second", "Second ceasefire", "ceasefire", "2023-06-20"),
        ]
    )


def test_window_ends_before_the_collapse_and_starts_at_the_offensive():
    tl = _timeline()
    choice = default_window(tl, tl["truce"], "2022-12-01", "2023-08-31")
    assert choice.start == pd.Timestamp("2023-01-10")
    assert choice.end == pd.Timestamp("2023-05-14")
    assert choice.end_event.id == "collapse"
    passed = {e.id: why for e, why in choice.passed_over}
    assert set(passed) == {"announce", "violation", "talks"}
    text = " ".join(choice.reasons())
    assert "Truce collapses" in text and "2023-05-14" in text


def test_no_neighbouring_events_means_the_data_bounds_it():
    tl = Timeline([ReferenceEvent("cf", "Ceasefire", "ceasefire", "2023-03-03")])
    choice = default_window(tl, tl["cf"], "2023-01-01", "2023-06-30")
    assert (choice.start, choice.end) == (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-06-30"))
    assert choice.start_event is None and choice.end_event is None


def test_window_never_goes_beyond_the_data():
    tl = _timeline()
    choice = default_window(tl, tl["truce"], "2023-02-01", "2023-04-30")
    assert choice.start == pd.Timestamp("2023-02-01")
    assert choice.end == pd.Timestamp("2023-04-30")


def test_a_time_of_day_moves_the_start_to_the_first_full_day():
    tl = Timeline(
        [
            ReferenceEvent("esc", "Escalation", "escalation", "2023-01-10 18:00"),
            ReferenceEvent("cf", "Ceasefire", "ceasefire", "2023-03-03"),
        ]
    )
    choice = default_window(tl, tl["cf"], "2023-01-01", "2023-06-30")
    assert choice.start == pd.Timestamp("2023-01-11")


def test_an_event_beyond_the_data_is_not_given_as_the_reason_for_the_end():
    tl = Timeline(
        [
            ReferenceEvent("truce", "Truce", "truce", "2022-04-02"),
            ReferenceEvent("expiry", "Truce expires", "expiry", "2022-10-02"),
        ]
    )
    choice = default_window(tl, tl["truce"], "2022-01-01", "2022-06-30")
    assert choice.end == pd.Timestamp("2022-06-30") and choice.end_event is None
    assert "the data's last day" in " ".join(choice.reasons())
    assert "Truce expires" not in " ".join(choice.reasons())

"""The library's default window with a timeline: the one regime around the intervention."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trends.analysis import analyse_ceasefire
from trends.events import ReferenceEvent, Timeline

# An invented conflict: incidents from 1 Jun 2023 to 31 Mar 2024, a ceasefire on 12 Jan 2024
# that collapses on 20 Mar 2024, and an offensive that began on 27 Oct 2023.
FIRST, LAST = pd.Timestamp("2023-06-01"), pd.Timestamp("2024-03-31")
EVENTS = [
    ReferenceEvent("offensive", "Northern offensive begins", "offensive", "2023-10-27"),
    ReferenceEvent("truce", "Truce in force", "ceasefire", "2024-01-12"),
    ReferenceEvent("collapse", "Truce collapses", "escalation", "2024-03-20"),
]


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    days = pd.date_range(FIRST, LAST)
    rows = [
        {"date": day, "civilian_deaths_best": int(rng.poisson(2.0))}
        for day in days
        for _ in range(int(rng.poisson(1.2)))
    ]
    return pd.DataFrame(rows)


def _fit(incidents, **window):
    return analyse_ceasefire(
        incidents, "truce", timeline=Timeline(EVENTS), outcomes=["attacks"],
        placebo=False, robustness=False, change_dates=False, pretrend=False, n_jobs=1, **window,
    )  # fmt: skip


def test_with_a_timeline_the_default_window_is_the_regime_around_the_intervention(incidents):
    a = _fit(incidents)
    assert (a.start, a.end) == (pd.Timestamp("2023-10-27"), pd.Timestamp("2024-03-19"))
    chosen = a.settings["default_window"]
    assert chosen["start_event"] == "offensive" and chosen["end_event"] == "collapse"
    assert any("Truce collapses" in r for r in chosen["reasons"])
    inside = incidents["date"].between(a.start, a.end)
    assert int(a.counts["attacks"].sum()) == int(inside.sum())


def test_a_given_end_is_kept_and_only_the_missing_start_is_chosen(incidents):
    a = _fit(incidents, end="2024-03-31")
    assert (a.start, a.end) == (pd.Timestamp("2023-10-27"), LAST)
    b = _fit(incidents, start="2023-06-01", end="2024-03-31")
    assert (b.start, b.end) == (FIRST, LAST)  # as given, beyond the first incident's day
    assert "default_window" not in b.settings


def test_without_a_timeline_the_window_is_the_datas_span(incidents):
    a = analyse_ceasefire(
        incidents, "2024-01-12", outcomes=["attacks"], placebo=False, robustness=False,
        change_dates=False, pretrend=False, n_jobs=1,
    )  # fmt: skip
    assert (a.start, a.end) == (incidents["date"].min(), incidents["date"].max())
    assert "default_window" not in a.settings

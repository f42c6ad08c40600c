"""Tallies: likely late registrations are flagged and refitted without (issue 9 item 7)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from trends.analysis import analyse_ceasefire
from trends.ingest.tallies import read_tallies
from trends.series import CountSeries


def _tallies(tmp_path):
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    daily = rng.poisson(np.where(np.arange(120) < 60, 30, 12))
    daily[40] += 600  # a late-registration spike
    cumulative = np.cumsum(daily) + 1000
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "cumulative_killed": cumulative})
    path = tmp_path / "tallies.csv"
    frame.to_csv(path, index=False)
    return path, days[40]


def test_spike_is_flagged_and_a_refit_leaves_it_out(tmp_path):
    path, spike_day = _tallies(tmp_path)
    table, report = read_tallies(path)
    series = CountSeries.from_tallies(table, report, source="ministry tallies")
    assert list(series.flagged_days("likely_late")) == [spike_day]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = analyse_ceasefire(series, "2024-03-01", placebo=False)
    (outcome,) = analysis.outcomes.values()
    labels = [r["variant"] for r in outcome.robustness.to_dict("records")]
    assert any("likely late registrations (1 days" in v for v in labels), labels


def test_without_days_makes_days_missing_not_zero():
    days = pd.date_range("2024-01-01", periods=5, freq="D")
    series = CountSeries.from_frame(pd.DataFrame({"killed": [1, 2, 3, 4, 5]}, index=days))
    reduced = series.without_days([days[2]], "test")
    assert np.isnan(reduced.measure("killed").iloc[2])
    assert not bool(reduced.reported.iloc[2])
    assert reduced.total("killed") == 12

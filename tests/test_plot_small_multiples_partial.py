"""Small multiples of weekly counts mark the partial first and last weeks and give the data's
real first and last day in the footer (sweep G, item 2)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from trends.plots import plot_small_multiples
from trends.series import count_series


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def weekly():
    rng = np.random.default_rng(2)
    days = pd.date_range("2023-10-01", "2024-03-31", freq="D")
    rows = [
        {"incident_id": f"{d:%Y%m%d}-{p}", "date": d, "perpetrator": p,
         "civilian_deaths_best": int(rng.integers(1, 5))}
        for d in days for p in ("A", "B") if rng.random() < 0.6
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    # Friday 27 Oct to Tuesday 19 Mar: ISO weeks of 3 and 2 days at the ends
    return count_series(table, freq="W", start="2023-10-27", end="2024-03-19", by="perpetrator",
                        measures=("deaths_best",))  # fmt: skip


def _hatched_bars(ax) -> int:
    return sum(
        len(c.get_paths()) for c in ax.collections
        if getattr(c, "_trends_bars", False) and c.get_hatch()
    )  # fmt: skip


def test_partial_weeks_hatched_and_named(weekly):
    fig, axes = plot_small_multiples(weekly, measure="deaths_best", by="perpetrator", source="t")
    for ax in axes:
        assert _hatched_bars(ax) == 2  # the first and the last week
    footer = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    assert "Hatched: weeks only partly inside the window" in footer


def test_footer_gives_the_data_first_and_last_day(weekly):
    fig, _ = plot_small_multiples(weekly, measure="deaths_best", by="perpetrator", source="t")
    footer = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    assert "Data 27 Oct 2023 to 19 Mar 2024." in footer


def test_explicit_partial_and_whole_weeks(weekly):
    none = pd.Series(False, index=weekly.index)
    fig, axes = plot_small_multiples(weekly, measure="deaths_best", by="perpetrator",
                                     partial=none, source="t")  # fmt: skip
    assert all(_hatched_bars(ax) == 0 for ax in axes)
    footer = " ".join(t.get_text() for t in fig.texts)
    assert "Hatched" not in footer

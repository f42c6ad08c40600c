"""Days not reported (NaN) are not drawn as days with no deaths (sweep G, item 3)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from trends.plots.style import plotted_data
from trends.plots.timeline import plot_timeline


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bar_lefts(ax) -> list[float]:
    """Left edges of every bar drawn (the bar collections of draw_bars)."""
    out = []
    for coll in ax.collections:
        if getattr(coll, "_trends_bars", False):
            out += [float(p.vertices[:, 0].min()) for p in coll.get_paths()]
    return out


def test_not_reported_days_get_a_band_not_a_zero_bar():
    idx = pd.date_range("2024-05-01", "2024-06-30", freq="D", name="date")
    values = np.random.default_rng(1).poisson(3, len(idx)).astype(float)
    frame = pd.DataFrame({"deaths_best": values}, index=idx)
    gaps = [pd.Timestamp("2024-05-01"), pd.Timestamp("2024-06-15")]
    frame.loc[gaps, "deaths_best"] = np.nan
    fig, (ax,) = plot_timeline(frame, measures=["deaths_best"], source="test")
    lefts = _bar_lefts(ax)
    assert len(lefts) == len(idx) - 2  # no bar (of height 0 or any other) on a missing day
    for day in gaps:
        centre = matplotlib.dates.date2num(day)
        assert all(abs(x + 0.45 - centre) > 0.1 for x in lefts)
    _, labels = ax.get_legend_handles_labels()
    assert any(lab.startswith("not reported") for lab in labels)
    assert sum(lab.startswith("not reported") for lab in labels) == 1
    assert any("did not report" in t.get_text() for t in fig.texts)
    # the recorded numbers keep the gaps as NaN
    assert plotted_data(fig, "deaths_best")["value"].isna().sum() == 2


def test_no_band_when_every_day_is_reported():
    idx = pd.date_range("2024-05-01", "2024-05-31", freq="D", name="date")
    frame = pd.DataFrame({"deaths_best": np.zeros(len(idx))}, index=idx)
    fig, (ax,) = plot_timeline(frame, measures=["deaths_best"], source="test")
    _, labels = ax.get_legend_handles_labels()
    assert not any(lab.startswith("not reported") for lab in labels)
    assert not any("did not report" in t.get_text() for t in fig.texts)


def test_a_short_last_phase_is_labelled_inwards_not_cut_off_at_the_edge():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from trends.plots.style import PhaseMark, draw_phases

    fig, ax = plt.subplots()
    a0, a1 = pd.Timestamp("2024-05-01"), pd.Timestamp("2024-09-29")
    b0 = b1 = pd.Timestamp("2024-09-30")  # one day after the intervention
    draw_phases(ax, [PhaseMark(a0, a1, "before"), PhaseMark(b0, b1, "after")])
    before, after = ax.texts
    assert before.get_ha() == "center"
    assert after.get_ha() == "right"
    assert pd.Timestamp(after.get_position()[0]) == b1
    plt.close(fig)

"""Panels of one chart share its time axis (sweep G, item 4; items 1 to 3 in their own tests)."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from trends.models.changepoint import detect_changepoints
from trends.plots import plot_changepoints


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_changepoint_panels_share_the_time_axis():
    # a change in the middle, whose date weights are near zero in the first weeks: the lower
    # panel used to zoom on the heavy dates, so its axis started later than the upper panel's
    rng = np.random.default_rng(5)
    idx = pd.date_range("2023-10-27", "2024-03-19", freq="D")
    rate = np.where(idx < pd.Timestamp("2024-02-25"), 6.0, 1.5)
    series = pd.Series(rng.poisson(rate).astype(float), index=idx, name="civilian_deaths")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = detect_changepoints(series, reference=pd.Timestamp("2024-01-12"))
    assert res.n_changes >= 1
    fig, (top, bottom) = plot_changepoints(res, source="test")
    assert bottom.get_xlim() == pytest.approx(top.get_xlim())
    lo, hi = top.get_xlim()
    assert lo == pytest.approx(matplotlib.dates.date2num(idx[0]))
    assert hi == pytest.approx(matplotlib.dates.date2num(idx[-1] + pd.Timedelta(days=1)))


def test_changepoint_panels_share_the_time_axis_without_a_change():
    idx = pd.date_range("2020-01-01", "2022-12-01", freq="MS")
    flat = pd.Series(np.full(len(idx), 80.0), index=idx, name="killed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = detect_changepoints(flat)
    assert res.n_changes == 0
    fig, (top, bottom) = plot_changepoints(res, source="test")
    assert bottom.get_xlim() == pytest.approx(top.get_xlim())

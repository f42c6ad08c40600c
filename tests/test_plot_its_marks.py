"""One line per event on the ITS chart (sweep G, item 1)."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from trends.events import ReferenceEvent
from trends.models.its import fit_its
from trends.plots import plot_its
from trends.plots.its import intervention_marks


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def monthly_its():
    idx = pd.date_range("2020-01-01", "2022-12-01", freq="MS")
    rng = np.random.default_rng(3)
    y = pd.Series(rng.poisson(80, len(idx)).astype(float), index=idx, name="killed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # as the report fits a monthly series: the intervention dated on its month's first day
        return fit_its(y, [SimpleEvent("2021-07-01", "intervention")], n_sim=100, seed=1)


class SimpleEvent:
    def __init__(self, start, name):
        self.start, self.name, self.id = pd.Timestamp(start), name, "iv"


def _event_lines(ax) -> list:
    return [
        ln for ln in ax.get_lines() if ln.get_linestyle() == "--" and len(set(ln.get_xdata())) == 1
    ]


def test_event_in_the_intervention_month_is_drawn_once(monthly_its):
    # the report passes the intervention as given (15 Jul) while the model dates it on 1 Jul:
    # one event, so one line and one label, not "intervention" over "the intervention"
    given = ReferenceEvent(id="iv", name="the intervention", kind="other", start="2021-07-15")
    marks = intervention_marks(monthly_its, [given])
    assert len(marks) == 1
    fig, axes = plot_its(monthly_its, events=[given], source="test")
    for ax in axes:
        assert len(_event_lines(ax)) == 1
    labels = [t.get_text() for t, _ in getattr(axes[0], "_trends_event_labels", [])]
    assert len(labels) == 1


def test_event_in_another_month_is_still_drawn(monthly_its):
    other = ReferenceEvent(id="x", name="Offensive", kind="offensive", start="2021-09-10")
    same = ReferenceEvent(id="iv", name="Ceasefire", kind="ceasefire", start="2021-07-31")
    marks = intervention_marks(monthly_its, [other, same])
    assert [m.label for m in marks] == ["intervention", "Offensive"]
    assert marks[0].kind == "ceasefire"  # the intervention takes the kind of its event

"""Timeline of civilian deaths and attacks with a rolling mean, phases and reference events."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import pandas as pd

from trends.plots.style import (
    COLORS,
    PhaseMark,
    add_footer,
    attach_data,
    draw_events,
    draw_phases,
    event_marks,
    new_figure,
    place_title,
)

__all__ = ["plot_timeline"]

LABELS = {
    "deaths_best": ("Civilian deaths", "civilian deaths per {unit}", COLORS["deaths"]),
    "deaths_low": ("Civilian deaths (low)", "civilian deaths per {unit}", COLORS["deaths"]),
    "deaths_high": ("Civilian deaths (high)", "civilian deaths per {unit}", COLORS["deaths"]),
    "attacks": ("Attacks", "incidents per {unit}", COLORS["attacks"]),
    "child_deaths": ("Child deaths", "child deaths per {unit}", COLORS["deaths"]),
}
UNITS = {"D": "day", "W": "week", "M": "month", "MS": "month"}


def _unit(index: pd.DatetimeIndex) -> str:
    """``"day"``, ``"week"`` or ``"month"``, from the median spacing of the index.

    (``pd.infer_freq`` is avoided: it fails on a single missing label and warns under pandas 3.)
    """
    if len(index) < 2:
        return "day"
    step = pd.Series(index[1:] - index[:-1]).median() / pd.Timedelta(days=1)
    return "day" if step < 2 else "week" if step < 14 else "month"


def plot_timeline(
    frame: pd.DataFrame,
    *,
    measures: Sequence[str] = ("deaths_best", "attacks"),
    rolling: pd.DataFrame | None = None,
    events: Sequence | None = None,
    phases: Sequence[PhaseMark] | None = None,
    title: str | None = None,
    source: str | None = None,
    axes=None,
):
    """Bars of counts per period, a rolling mean line, shaded phases and labelled events.

    Parameters
    ----------
    frame : DataFrame
        Wide series (a DatetimeIndex, one column per measure), e.g. from
        :func:`trends.series.count_series`. Missing periods (not reported) are left blank.
    measures : sequence of str
        Columns to draw, one panel each.
    rolling : DataFrame, optional
        Rolling means to draw over the bars (same columns; e.g. from
        :func:`trends.series.rolling_rate`). Computed upstream: plots never compute statistics.
    events : sequence, optional
        ``ReferenceEvent``-like objects or ``(date, label[, kind])`` tuples.
    phases : sequence of PhaseMark, optional
    title, source : str, optional
        Title and footer source.
    axes : sequence of Axes, optional
        Draw on these (one per measure) instead of a new figure.

    Returns
    -------
    (Figure, list of Axes)
    """
    measures = list(measures)
    if axes is None:
        fig, axes = new_figure(len(measures))
        axes = axes if isinstance(axes, list) else [axes]
    else:
        axes = list(axes)
        fig = axes[0].figure
    unit = _unit(frame.index)
    marks = event_marks(events)
    width = {"day": 0.9, "week": 6, "month": 25}[unit]
    for i, (ax, col) in enumerate(zip(axes, measures, strict=True)):
        name, ylabel, color = LABELS.get(col, (col, f"{col} per {{unit}}", COLORS["attacks"]))
        if phases:
            draw_phases(ax, phases)
        values = frame[col]
        ax.bar(
            frame.index,
            values.fillna(0),
            width=width,
            color=color,
            alpha=0.45,
            lw=0,
            label=f"{name} per {unit}",
        )
        data = pd.DataFrame({"value": values})
        if rolling is not None and col in rolling:
            ax.plot(rolling.index, rolling[col], color=color, lw=1.8, label="rolling mean")
            data["rolling_mean"] = rolling[col]
        ax.set_ylabel(ylabel.format(unit=unit))
        ax.set_ylim(bottom=0)
        draw_events(ax, marks, label=(i == 0))
        ax.legend(loc="upper right")
        attach_data(fig, col, data)
    axes[-1].xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(axes[-1].xaxis.get_major_locator())
    )
    add_footer(fig, source, frame.index.min(), frame.index.max())
    fig.tight_layout()
    place_title(fig, title)
    return fig, axes

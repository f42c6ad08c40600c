"""Timeline of civilian deaths and attacks with a rolling mean, phases and reference events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from trends.plots.style import (
    COLORS,
    PhaseMark,
    add_footer,
    attach_data,
    draw_events,
    draw_period_bars,
    draw_phases,
    event_marks,
    footer_span,
    house_legend,
    new_figure,
    number_events,
    partial_note,
    period_edges,
    period_unit,
    place_title,
)

__all__ = ["plot_timeline", "plot_analysis_timeline"]

LABELS = {
    "deaths_best": ("Civilian deaths", "civilian deaths per {unit}", COLORS["deaths"]),
    "deaths_low": ("Civilian deaths (low)", "civilian deaths per {unit}", COLORS["deaths"]),
    "deaths_high": ("Civilian deaths (high)", "civilian deaths per {unit}", COLORS["deaths"]),
    "attacks": ("Attacks", "incidents per {unit}", COLORS["attacks"]),
    "child_deaths": ("Child deaths", "child deaths per {unit}", COLORS["deaths"]),
}
UNITS = {"D": "day", "W": "week", "M": "month", "MS": "month"}


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
    rolling_window: int | None = None,
    data_span: tuple | None = None,
    partial: pd.Series | None = None,
    measure_words: Mapping[str, str] | None = None,
):
    """Bars of counts per period, a rolling mean line, shaded phases and labelled events.

    The y axis is scaled to the data (bars and rolling mean), with head room for the legend,
    which sits above the data. More than :data:`~trends.plots.style.MAX_EVENT_LABELS` events are
    numbered on the chart and named in a key in the footer.

    Parameters
    ----------
    frame : DataFrame
        Wide series (a DatetimeIndex, one column per measure), e.g. from
        :func:`trends.series.count_series`. Missing periods (NaN: not reported) get no bar but a
        grey band, named in the legend and the footer: never drawn as 0.
    measures : sequence of str
        Columns to draw, one panel each.
    rolling : DataFrame, optional
        Rolling means to draw over the bars (same columns; e.g. from
        :func:`trends.series.rolling_rate`). Computed upstream: plots never compute statistics.
    rolling_window : int, optional
        The window of ``rolling`` in periods, named in the legend ("7-day rolling mean").
        Default: ``rolling.attrs["window"]`` when the frame carries it (``attrs["center"]`` adds
        "centred").
    events : sequence, optional
        ``ReferenceEvent``-like objects or ``(date, label[, kind])`` tuples.
    phases : sequence of PhaseMark, optional
    title, source : str, optional
        Title and footer source.
    axes : sequence of Axes, optional
        Draw on these (one per measure) instead of a new figure.
    data_span : (date, date), optional
        The days the data cover, for the footer (default: from the periods).
    partial : pandas.Series of bool, optional
        Periods only partly inside the window (fewer days than a whole week or month): drawn
        hatched and lighter, and named in the footer, so that a short last month does not read
        as a fall.
    measure_words : mapping of str to str, optional
        The words of each column's measure as the data name it (``{"attacks": "attacks"}``):
        the panel's y label and bars are "<words> per <period>". Without it the incident
        measures have their built-in labels ("attacks" of an incident table are "incidents per
        day"), which would misname a plain counts series.

    Returns
    -------
    (Figure, list of Axes)
    """
    measures = list(measures)
    words = dict(measure_words or {})
    if axes is None:
        fig, axes = new_figure(len(measures))
        axes = axes if isinstance(axes, list) else [axes]
    else:
        axes = list(axes)
        fig = axes[0].figure
    unit = period_unit(frame.index)
    marks, key = number_events(event_marks(events))
    roll_label = _rolling_label(rolling, rolling_window, unit)
    cut = (
        np.zeros(len(frame), dtype=bool)
        if partial is None
        else partial.reindex(frame.index).fillna(False).to_numpy(dtype=bool)
    )
    for i, (ax, col) in enumerate(zip(axes, measures, strict=True)):
        name, ylabel, color = LABELS.get(col, (col, f"{col} per {{unit}}", COLORS["attacks"]))
        if col in words:
            name, ylabel = words[col][:1].upper() + words[col][1:], f"{words[col]} per {{unit}}"
        if phases:
            draw_phases(ax, phases)
        values = frame[col]
        missing = values.isna().to_numpy()  # a missing period has no bar, not 0
        left, right = draw_period_bars(ax, frame.index, values.to_numpy(dtype=float),
                                       partial=cut, color=color, alpha=0.45, unit=unit,
                                       label=f"{name} per {unit}")  # fmt: skip
        _draw_not_reported(ax, left[missing], right[missing], unit)
        data = pd.DataFrame({"value": values})
        top = float(values.max(skipna=True)) if values.notna().any() else 0.0
        if rolling is not None and col in rolling:
            # each mean at the middle of its period, where its bar is
            r_left, r_right = period_edges(pd.DatetimeIndex(rolling.index))
            mid = r_left + (r_right - r_left) / 2
            ax.plot(mid, rolling[col].to_numpy(dtype=float), color=color, lw=1.8,
                    label=roll_label)  # fmt: skip
            data["rolling_mean"] = rolling[col]
            if rolling[col].notna().any():
                top = max(top, float(rolling[col].max(skipna=True)))
        ax.set_ylabel(ylabel.format(unit=unit))
        # scaled to the data, with head room for the legend above it (limits only)
        ax.set_ylim(0, max(top, 1.0) * 1.3)
        draw_events(ax, marks, label=(i == 0))
        house_legend(ax, loc="upper right", ncols=2, borderaxespad=0.2)
        attach_data(fig, col, data)
    axes[-1].xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(axes[-1].xaxis.get_major_locator())
    )
    if partial is not None and partial.any():
        part = partial_note(unit)
        key = f"{part} {key}" if key else part
    if frame[measures].isna().to_numpy().any():
        gap = f"Grey bands: {unit}s the source did not report (no count, not zero)."
        key = f"{gap} {key}" if key else gap
    add_footer(fig, source, *footer_span(frame.index, data_span), note=key)
    fig.tight_layout()
    place_title(fig, title)
    return fig, axes


def plot_analysis_timeline(
    analysis: Any,
    ax=None,
    *,
    measures: Sequence[str] | None = None,
    **kwargs: Any,
):
    """The timeline of an analysis' count series (the chart of a ``CeasefireAnalysis``).

    Draws ``analysis.counts`` with :func:`plot_timeline`; whatever else the chart shows (the
    rolling mean, the events) is computed by the analysis and passed in ``kwargs``: nothing is
    computed here.

    Parameters
    ----------
    analysis : CeasefireAnalysis
        Anything with a ``counts`` DataFrame of period counts.
    ax : sequence of Axes, optional
        Draw on these (one per measure) instead of a new figure.
    measures : sequence of str, optional
        Columns to draw (default: civilian deaths and attacks, those the counts have).
    **kwargs
        Passed to :func:`plot_timeline` (``rolling``, ``events``, ``title``, ``source``...).

    Returns
    -------
    (Figure, list of Axes)
    """
    counts = analysis.counts
    if measures is None:
        measures = [m for m in ("deaths_best", "attacks") if m in counts.columns]
    return plot_timeline(counts, measures=measures, axes=ax, **kwargs)


#: Colour of the bands of periods not reported (darker than the phases' shading).
NOT_REPORTED_COLOR = "#C8C8C8"


def _draw_not_reported(ax, left: pd.DatetimeIndex, right: pd.DatetimeIndex, unit: str) -> None:
    """A grey band over each period not reported (where no bar is drawn), from its first day to
    the next period's, named once in the legend: a gap in the bars that cannot be read as a
    period with no deaths."""
    for k, (a, b) in enumerate(zip(left, right, strict=True)):
        ax.axvspan(a, b, color=NOT_REPORTED_COLOR, alpha=0.7, lw=0, zorder=0.5,
                   label=f"not reported ({unit}s without a count)" if k == 0 else None)  # fmt: skip


def _rolling_label(rolling: pd.DataFrame | None, window: int | None, unit: str) -> str:
    """ "7-day rolling mean" (or "centred 7-day rolling mean"); "rolling mean" if unknown."""
    attrs = getattr(rolling, "attrs", {}) or {}
    w = window if window is not None else attrs.get("window")
    if w is None:
        return "rolling mean"
    centred = "centred " if attrs.get("center") else ""
    return f"{centred}{int(w)}-{unit} rolling mean"

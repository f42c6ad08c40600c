"""Small multiples: one small panel per group (region, perpetrator...) on shared axes.

Built from a wide :func:`trends.series.count_series` frame with ``by=``: its columns are a
MultiIndex ``(measure, group)`` plus the coverage columns, whose group label is ``""``. Each panel
shows the counts per period as bars (and a rolling mean computed upstream, if given), with the
reference events as lines. Event labels are drawn once, as numbers above the first panel, with a
key naming them above the grid, so that the panels stay uncluttered.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from trends.errors import InputError
from trends.plots.style import (
    COLORS,
    FIGSIZE,
    KIND_COLORS,
    EventMark,
    add_footer,
    apply_style,
    area_word,
    attach_data,
    draw_events,
    draw_period_bars,
    event_marks,
    events_in_range,
    footer_span,
    format_date_axis,
    frame_partial,
    partial_note,
    period_edges,
    period_unit,
    place_title,
)
from trends.plots.timeline import LABELS

__all__ = ["plot_small_multiples"]


def _group_label(group: Any) -> str:
    if isinstance(group, tuple):
        return " / ".join(str(g) for g in group if str(g))
    return str(group)


def _groups(frame: pd.DataFrame, measure: str) -> list[Any]:
    if not isinstance(frame.columns, pd.MultiIndex):
        raise InputError(
            "small multiples need a wide frame from trends.series.count_series(..., by=...) "
            "(columns (measure, group))"
        )
    if measure not in frame.columns.get_level_values(0):
        measures = sorted({str(m) for m in frame.columns.get_level_values(0)})
        raise InputError(f"measure {measure!r} is not in the frame; it has {measures}")
    sub = frame[measure]
    groups = []
    for g in sub.columns:
        key = g if isinstance(g, tuple) else (g,)
        if all(str(k) == "" for k in key):
            continue  # coverage columns
        groups.append(g)
    return groups


def _draw_group(
    fig: Figure,
    ax: Axes,
    frame: pd.DataFrame,
    rolling: pd.DataFrame | None,
    measure: str,
    group: Any,
    left: pd.DatetimeIndex,
    right: pd.DatetimeIndex,
    color: str,
    cut: np.ndarray,
) -> float:
    """One panel: bars (hatched where ``cut``: partial periods; none where not reported), the
    rolling mean if given, the group's name; returns its highest bar."""
    key = (measure, *group) if isinstance(group, tuple) else (measure, group)
    values = frame[key]
    heights = values.to_numpy(dtype=float)
    draw_period_bars(ax, values.index, heights, partial=cut, color=color, alpha=0.5, zorder=2)
    data = pd.DataFrame({"value": values})
    if rolling is not None and key in rolling.columns:
        r_values = rolling[key]
        mid = left + (right - left) / 2
        ax.plot(mid, r_values.to_numpy(dtype=float), color=color, lw=1.5, zorder=3)
        data["rolling_mean"] = r_values
    attach_data(fig, _group_label(group), data)
    ax.text(
        0.02,
        0.96,
        _group_label(group),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=9,
        fontweight="bold",
        zorder=6,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
    )
    ax.set_xlim(left[0], right[-1])
    ax.tick_params(labelsize=7.8)
    return float(np.nanmax(values.to_numpy(dtype=float), initial=0.0))


def plot_small_multiples(
    frame: pd.DataFrame,
    *,
    measure: str = "deaths_best",
    by: str | Sequence[str] = "admin1",
    events: Sequence | None = None,
    ncols: int = 3,
    sharey: bool = True,
    rolling: pd.DataFrame | None = None,
    title: str | None = None,
    source: str | None = None,
    area_label: str | None = None,
    data_span: tuple | None = None,
    partial: pd.Series | None = None,
) -> tuple[Figure, list[Axes]]:
    """One small panel per group of a wide ``count_series(..., by=...)`` frame.

    Small multiples compare groups: with fewer than two groups there is nothing to compare and
    :class:`~trends.errors.InputError` is raised (a caller drawing a report skips the chart).

    Parameters
    ----------
    frame : DataFrame
        DatetimeIndex and MultiIndex columns ``(measure, group)`` (coverage columns, with group
        ``""``, are ignored), as returned by :func:`trends.series.count_series` with ``by``.
    measure : str, default "deaths_best"
        The measure to draw.
    by : str or sequence of str, default "admin1"
        Name of the grouping (used in the title).
    events : sequence, optional
        ``ReferenceEvent``-like objects or ``(date, label[, kind])`` tuples, drawn as lines on
        every panel; labelled once, as numbers above the first panel with a key above the grid
        (full labels when there is a single column).
    ncols : int, default 3
        Panels per row.
    sharey : bool, default True
        Same y scale on every panel (compare levels); ``False`` to compare shapes.
    rolling : DataFrame, optional
        Rolling means with the same columns, e.g. :func:`trends.series.rolling_rate` of a daily
        frame, drawn as a line over the bars. Computed upstream (plots never compute
        statistics); it must be in the same unit as the bars (``rolling_rate`` gives rates per
        day, so pass it with a daily frame).
    title, source : str, optional
        Title (default "<measure> per <period>, by <area word>") and footer source.
    area_label : str, optional
        The word for the groups in the default title (default from the column:
        :func:`~trends.plots.style.area_word`, ``admin1`` -> "first-level area"; pass
        "governorate" only for data whose first-level areas are governorates).
    data_span : (date, date), optional
        The days the data cover, for the footer (default: the frame's ``attrs["start"]`` and
        ``attrs["end"]``, the requested window of ``count_series``, else from the periods).
    partial : pandas.Series of bool, optional
        Periods only partly inside the window, drawn hatched and named in the footer (as on
        :func:`~trends.plots.timeline.plot_timeline`), so that a short first or last week does
        not read as a fall. Default: those the frame's coverage columns flag
        (``days_covered`` below ``days_in_period``).

    Returns
    -------
    (Figure, list of Axes)
        One Axes per group, in the frame's column order.

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): one panel per group, named by
    the group label (``"Idlib"``; ``"Idlib / HTS"`` for several ``by`` columns), with ``value``
    (the frame's column) and ``rolling_mean`` when ``rolling`` is given.
    """
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise InputError("the frame needs a DatetimeIndex (a wide count_series frame)")
    groups = _groups(frame, measure)
    if not groups:
        raise InputError(f"the frame has no group for measure {measure!r}")
    if len(groups) < 2:
        raise InputError(
            f"small multiples need two or more groups to compare; the frame has one "
            f"({_group_label(groups[0])})"
        )
    if ncols < 1:
        raise InputError("ncols must be at least 1")
    n = len(groups)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    apply_style()
    height = 1.2 + 1.75 * nrows
    fig, grid = plt.subplots(
        nrows, ncols, figsize=(FIGSIZE[0], height), sharex=True, sharey=sharey, squeeze=False
    )
    flat = [grid[r, c] for r in range(nrows) for c in range(ncols)]
    axes = flat[:n]
    for extra in flat[n:]:  # empty cells: the panel above shows the dates
        r, c = divmod(flat.index(extra), ncols)
        if r > 0:
            grid[r - 1, c].xaxis.set_tick_params(labelbottom=True)
        fig.delaxes(extra)

    unit = period_unit(frame.index)
    name, ylabel, color = LABELS.get(
        measure, (measure, f"{measure} per {{unit}}", COLORS["attacks"])
    )
    left, right = period_edges(frame.index)
    if partial is None:
        partial = frame_partial(frame)
    cut = (
        np.zeros(len(frame), dtype=bool)
        if partial is None
        else partial.reindex(frame.index).fillna(False).to_numpy(dtype=bool)
    )
    marks = events_in_range(event_marks(events), left[0], right[-1] - pd.Timedelta(seconds=1))
    top = 0.0
    for ax, group in zip(axes, groups, strict=True):
        top = max(
            top, _draw_group(fig, ax, frame, rolling, measure, group, left, right, color, cut)
        )
    for r in range(nrows):
        grid[r, 0].set_ylabel(
            ylabel.format(unit=unit) if nrows == 1 else f"per {unit}", fontsize=8.5
        )
    # room above the bars for the panel names (shared scale) or per panel
    if sharey:
        axes[0].set_ylim(0, max(top, 1.0) * 1.25)
    else:
        for ax in axes:
            lo, hi = ax.get_ylim()
            ax.set_ylim(0, max(hi, 1.0) * 1.2)
    for ax in axes:
        format_date_axis(ax)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    fig.tight_layout(h_pad=0.8, w_pad=0.8)

    numbered = ncols > 1 and len(marks) > 0
    for i, ax in enumerate(axes):
        if numbered:
            shown = [EventMark(m.date, str(k + 1), m.kind) for k, m in enumerate(marks)]
            draw_events(ax, shown, label=(i == 0))
        else:
            draw_events(ax, marks, label=(i == 0))
    if numbered:
        _event_key(fig, axes, marks)
    notes = [] if nrows == 1 else [f"Y axis: {ylabel.format(unit=unit)}."]
    if cut.any():
        notes.append(partial_note(unit))
    if data_span is None and {"start", "end"} <= set(frame.attrs):
        data_span = (frame.attrs["start"], frame.attrs["end"])  # the window, not whole periods
    add_footer(fig, source, *footer_span(frame.index, data_span), note=" ".join(notes) or None)
    place_title(fig, title or f"{name} per {unit}, by {area_word(by, area_label)}")
    return fig, axes


def _event_key(fig: Figure, axes: list[Axes], marks: list[EventMark]) -> None:
    """A legend naming the numbered events, above the grid (and above the first panel's numbers)."""
    fig.draw_without_rendering()  # layout and text extents, no pixels
    renderer = fig.canvas.get_renderer()
    inv = fig.transFigure.inverted()
    y = 0.0
    for ax in axes:
        y = max(y, inv.transform((0, ax.get_window_extent(renderer).y1))[1])
        for t in ax.texts:
            y = max(y, inv.transform((0, t.get_window_extent(renderer).y1))[1])
    handles = [
        Line2D(
            [],
            [],
            color=KIND_COLORS.get(m.kind, COLORS["event"]),
            ls="--",
            lw=1.1,
            label=f"{k + 1}  {m.label} ({m.date.day} {m.date:%b %Y})",
        )
        for k, m in enumerate(marks)
    ]
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.01, y + 0.01),
        ncols=2 if len(handles) > 2 else len(handles),
        fontsize=7.8,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.5,
    )

"""The house style of every chart: readable at article width, colour-blind-safe, sourced.

- Palette: Okabe & Ito's colour-blind-safe colours.
- Size: 7.5 x 4.2 inches at 160 dpi (1,200 px wide), fonts at least 9 pt.
- Every figure has a title, axis labels with units, and a footer naming the data source and
  date range (:func:`add_footer`).
- Reference events are drawn as labelled vertical lines whose labels never overlap
  (:func:`draw_events` stacks them on as many rows as needed), phases as light shading.
- The numbers drawn are attached to the figure (:func:`attach_data`) so that tests and users can
  read exactly what a chart shows with :func:`plotted_data`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from trends.verdicts.words import fmt_date, period_end

__all__ = [
    "PALETTE",
    "COLORS",
    "FIGSIZE",
    "DPI",
    "EventMark",
    "PhaseMark",
    "apply_style",
    "new_figure",
    "add_footer",
    "place_title",
    "draw_events",
    "restack_events",
    "draw_phases",
    "attach_data",
    "plotted_data",
    "event_marks",
    "events_in_range",
    "period_edges",
    "period_unit",
    "format_date_axis",
    "house_legend",
    "draw_bars",
    "draw_period_bars",
    "number_events",
    "partial_note",
    "frame_partial",
    "event_key_text",
    "area_word",
    "AREA_WORDS",
    "MAX_EVENT_LABELS",
    "save",
]

#: More events than this on one chart are numbered, with a key naming them.
MAX_EVENT_LABELS = 6

#: Words for the area columns of incident tables (small multiples, titles).
AREA_WORDS = {
    "admin1": "first-level area",
    "admin2": "second-level area",
    "admin3": "third-level area",
    "country": "country",
    "region": "region",
    "governorate": "governorate",
    "province": "province",
    "district": "district",
}

# Okabe & Ito (2008), colour-blind-safe.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#7F7F7F",
}
COLORS = {
    "deaths": PALETTE["vermillion"],
    "attacks": PALETTE["blue"],
    "fit": PALETTE["black"],
    "counterfactual": PALETTE["orange"],
    "band": PALETTE["sky"],
    "event": PALETTE["grey"],
    "ceasefire": PALETTE["green"],
    "claim": PALETTE["purple"],
}
KIND_COLORS = {
    "ceasefire": PALETTE["green"],
    "truce": PALETTE["green"],
    "offensive": PALETTE["vermillion"],
    "escalation": PALETTE["vermillion"],
    "agreement": PALETTE["blue"],
    "intervention": PALETTE["black"],
    "change": PALETTE["purple"],
}
FIGSIZE = (7.5, 4.2)
DPI = 160

_RC = {
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
}


def apply_style() -> None:
    """Set the house matplotlib parameters (idempotent)."""
    mpl.rcParams.update(_RC)


def new_figure(nrows: int = 1, height: float | None = None, sharex: bool = True, **kwargs):
    """A new figure in the house style.

    Parameters
    ----------
    nrows : int, default 1
        Panels, stacked vertically.
    height : float, optional
        Height in inches (default 4.2 for one panel, ``2.2 + 1.9 * nrows`` otherwise).
    sharex : bool, default True
        Share the x axis between panels.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots` (e.g. ``gridspec_kw``).

    Returns
    -------
    (Figure, Axes or list of Axes)
        The axes is a list when ``nrows > 1``.
    """
    apply_style()
    h = height if height is not None else FIGSIZE[1] if nrows == 1 else 2.2 + 1.9 * nrows
    fig, axes = plt.subplots(
        nrows, 1, figsize=(FIGSIZE[0], h), sharex=sharex, squeeze=False, **kwargs
    )
    axes = [a for a in axes[:, 0]]
    return fig, (axes[0] if nrows == 1 else axes)


@dataclass(frozen=True)
class EventMark:
    """A labelled vertical line."""

    date: pd.Timestamp
    label: str
    kind: str = "other"


@dataclass(frozen=True)
class PhaseMark:
    """A shaded span."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str


def event_marks(events: Iterable | None) -> list[EventMark]:
    """Normalise events: ``ReferenceEvent``-like objects, ``(date, label)`` pairs or EventMarks.

    Parameters
    ----------
    events : iterable, optional
        Objects with ``start`` (and ``short_name``, ``name`` or ``id``, and ``kind``),
        ``(date, label[, kind])`` tuples or :class:`EventMark`.

    Returns
    -------
    list of EventMark
        Sorted by date.
    """
    out: list[EventMark] = []
    for ev in events or []:
        if isinstance(ev, EventMark):
            out.append(ev)
        elif isinstance(ev, tuple):
            out.append(
                EventMark(pd.Timestamp(ev[0]), str(ev[1]), ev[2] if len(ev) > 2 else "other")
            )
        else:
            label = (
                getattr(ev, "short_name", None)
                or getattr(ev, "name", None)
                or getattr(ev, "id", "")
            )
            out.append(EventMark(pd.Timestamp(ev.start), str(label), getattr(ev, "kind", "other")))
    return sorted(out, key=lambda e: e.date)


def events_in_range(marks: Sequence[EventMark], start, end) -> list[EventMark]:
    """The marks dated from ``start`` to ``end`` (inclusive).

    Events outside a chart's data would widen its time axis and put labels beside it.

    Parameters
    ----------
    marks : sequence of EventMark
    start, end : date-like
        First and last time shown.

    Returns
    -------
    list of EventMark
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    return [m for m in marks if lo <= m.date <= hi]


def period_edges(index: pd.DatetimeIndex) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Start and end (exclusive) of the period each label of a regular series stands for.

    Daily and weekly labels are the period start; monthly, quarterly and yearly labels stand for
    the calendar period that contains them (month-end labels included). Used to draw a count
    over the span of time it covers, so that an event at 06:00 on the first day of a period is
    drawn inside that period.

    Parameters
    ----------
    index : DatetimeIndex
        Labels of a regular daily, weekly, monthly, quarterly or yearly series.

    Returns
    -------
    (DatetimeIndex, DatetimeIndex)
        Start and (exclusive) end of each period.
    """
    index = pd.DatetimeIndex(index)
    if len(index) < 2:
        return index, index + pd.Timedelta(days=1)
    step = pd.Series(index[1:] - index[:-1]).median() / pd.Timedelta(days=1)
    if step < 27:
        width = pd.Timedelta(days=float(step))
        return index, index + width
    freq = "M" if step < 32 else "Q" if step < 93 else "Y"
    per = index.to_period(freq)
    return pd.DatetimeIndex(per.start_time), pd.DatetimeIndex((per + 1).start_time)


def period_unit(index: pd.DatetimeIndex) -> str:
    """``"day"``, ``"week"`` or ``"month"``, from the median spacing of a date index.

    (``pd.infer_freq`` is avoided: it fails on a single missing label and warns under pandas 3.)

    Parameters
    ----------
    index : DatetimeIndex

    Returns
    -------
    str
    """
    if len(index) < 2:
        return "day"
    step = pd.Series(index[1:] - index[:-1]).median() / pd.Timedelta(days=1)
    return "day" if step < 2 else "week" if step < 14 else "month"


def format_date_axis(ax) -> None:
    """Concise date ticks (``May``, ``Jun``... with the year once) on ``ax``'s x axis.

    Parameters
    ----------
    ax : Axes
    """
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def house_legend(ax, **kwargs):
    """A legend on a white, borderless box, so that grid and event lines do not cross its text.

    Parameters
    ----------
    ax : Axes
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.legend` (they override the house defaults).

    Returns
    -------
    Legend
    """
    opts = {"frameon": True, "facecolor": "white", "edgecolor": "none", "framealpha": 0.92}
    opts.update(kwargs)
    if "handles" not in opts and "labels" not in opts:
        # bars drawn by draw_bars come last, where Axes.bar's containers came
        handles, labels = ax.get_legend_handles_labels()
        order = sorted(
            range(len(handles)), key=lambda i: bool(getattr(handles[i], "_trends_bars", False))
        )
        opts["handles"] = [handles[i] for i in order]
        opts["labels"] = [labels[i] for i in order]
    leg = ax.legend(**opts)
    leg.set_zorder(6)
    return leg


def draw_bars(ax, x, heights, width, *, align: str = "center", **style):
    """Bars as one collection: what :meth:`Axes.bar` draws, without one patch per bar.

    A daily chart has hundreds of bars; as one :class:`~matplotlib.collections.PolyCollection`
    they are added, laid out and rendered in one step (the same rectangles, colours and legend
    entry). The y axis sticks to 0 as with :meth:`Axes.bar`.

    Parameters
    ----------
    ax : Axes
    x : array-like of dates or numbers
        Bar positions (their left edges with ``align="edge"``, else their centres).
    heights : array-like of float
        Bar heights (from 0).
    width : float or array-like
        Bar widths, in days for dates.
    align : {"center", "edge"}
    **style
        ``color``, ``alpha``, ``zorder``, ``label``, ``hatch``... (``lw``/``linewidth`` is
        accepted; the bars are drawn without edges unless an ``edgecolor`` is given, which is
        also the colour of a ``hatch``).

    Returns
    -------
    PolyCollection
    """
    import numpy as np
    from matplotlib.collections import PolyCollection

    ax.xaxis.update_units(x)
    x0 = np.asarray(ax.convert_xunits(x), dtype=float).reshape(-1)
    h = np.asarray(heights, dtype=float).reshape(-1)
    w = np.broadcast_to(np.asarray(width, dtype=float), x0.shape)
    if align == "center":
        x0 = x0 - w / 2
    x1 = x0 + w
    zero = np.zeros_like(h)
    verts = np.stack(
        [
            np.stack([x0, zero], 1),
            np.stack([x0, h], 1),
            np.stack([x1, h], 1),
            np.stack([x1, zero], 1),
        ],
        axis=1,
    )
    color = style.pop("color", None)
    edge = style.pop("edgecolor", "none")  # with ``hatch``: the hatch's colour
    lw = [style.pop(key, None) for key in ("lw", "linewidth")]
    width_ = next((v for v in lw if v is not None), 0) if edge != "none" else 0
    coll = PolyCollection(verts, facecolors=color, edgecolors=edge, linewidths=width_, **style)
    coll.sticky_edges.y.append(0)
    coll._trends_bars = True  # ordered like Axes.bar's containers in house_legend
    ax.add_collection(coll, autolim=False)
    if len(h):
        ax.update_datalim(np.array([[x0.min(), min(0.0, np.nanmin(h))], [x1.max(), np.nanmax(h)]]))
        ax.autoscale_view()
    return coll


def _wrap(label: str, width: int = 26) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


def draw_events(ax, events: Sequence[EventMark], *, label: bool = True, max_rows: int = 6) -> list:
    """Draw events as vertical lines with labels stacked so that no two labels overlap.

    Labels sit above the plotting area; each goes at the lowest height where it does not collide
    with a label already placed (collision measured on the rendered text extents). Heights are
    offsets in points, so a later change of the axes' height cannot make labels collide; a change
    of width (e.g. ``tight_layout``) is handled by :func:`restack_events`, which
    :func:`place_title` calls.

    Parameters
    ----------
    ax : Axes
    events : sequence of EventMark
        See :func:`event_marks`.
    label : bool, default True
        Write the labels (``False``: lines only, e.g. on the lower panels).
    max_rows : int, default 6
        Kept for compatibility: labels are never allowed to overlap, however many rows that
        takes.

    Returns
    -------
    list of Text
        The label artists.
    """
    texts = []
    if not events:
        return texts
    trans = ax.get_xaxis_transform()
    for ev in events:
        color = KIND_COLORS.get(ev.kind, COLORS["event"])
        ax.axvline(ev.date, color=color, lw=1.1, ls="--", alpha=0.9, zorder=1)
        if not label:
            continue
        txt = ax.text(
            ev.date,
            1.02,
            _wrap(ev.label),
            transform=trans,
            ha="left",
            va="bottom",
            fontsize=7.8,
            color=color,
            clip_on=False,
        )
        texts.append(txt)
    if texts:
        registry = getattr(ax, "_trends_event_labels", None)
        if registry is None:
            registry = []
            ax._trends_event_labels = registry
        registry.extend((t, max_rows) for t in texts)
        _stack_labels(ax)
    return texts


def _stack_labels(ax) -> None:
    """(Re)place the event labels of ``ax`` on the current layout so that none overlap.

    Left to right, each label goes at the lowest height (0 or just above a label already placed)
    where it collides with no placed label; collisions use the rendered extents, so labels of one
    and of several lines mix safely. A label that would run past the right edge of the axes ends
    at its line instead of starting there.
    """
    from matplotlib.transforms import ScaledTranslation

    entries = getattr(ax, "_trends_event_labels", None)
    if not entries:
        return
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    base = ax.get_xaxis_transform()
    gap_x, gap_y = 4.0, 3.0
    right_edge = ax.get_window_extent(renderer).x1
    boxes = []
    for txt, _ in entries:
        txt.set_transform(base)
        txt.set_horizontalalignment("left")
        bbox = txt.get_window_extent(renderer)
        if bbox.x1 > right_edge + 2:  # would stick out on the right: end it at its line
            txt.set_horizontalalignment("right")
            bbox = txt.get_window_extent(renderer)
        boxes.append((bbox, txt))
    placed: list[tuple[float, float, float, float]] = []  # x0, x1, offset, offset + height
    for bbox, txt in sorted(boxes, key=lambda b: b[0].x0):
        x0, x1, h = bbox.x0, bbox.x1, bbox.height
        near = [p for p in placed if not (x1 + gap_x < p[0] or x0 > p[1] + gap_x)]
        offset = 0.0
        for cand in sorted({0.0, *(p[3] + gap_y for p in near)}):
            if all(cand + h + gap_y <= p[2] or cand >= p[3] + gap_y for p in near):
                offset = cand
                break
        placed.append((x0, x1, offset, offset + h))
        if offset:
            txt.set_transform(base + ScaledTranslation(0, offset / fig.dpi, fig.dpi_scale_trans))


def restack_events(fig) -> None:
    """Re-stack the event labels of every axes of ``fig`` after the layout changed.

    Parameters
    ----------
    fig : Figure
    """
    for ax in fig.axes:
        _stack_labels(ax)


def draw_phases(ax, phases: Sequence[PhaseMark]) -> None:
    """Shade phases lightly and name them inside the plotting area, at the bottom.

    Parameters
    ----------
    ax : Axes
    phases : sequence of PhaseMark
    """
    shades = ["#F2F2F2", "#E4EEF7"]
    span = max(phases, key=lambda p: p.end).end - min(phases, key=lambda p: p.start).start
    for i, ph in enumerate(phases):
        ax.axvspan(ph.start, ph.end, color=shades[i % 2], zorder=0, lw=0)
        x, ha = ph.start + (ph.end - ph.start) / 2, "center"
        if span and (ph.end - ph.start) < 0.2 * span:  # a short phase at an edge: label inwards
            if i == len(phases) - 1:
                x, ha = ph.end, "right"
            elif i == 0:
                x, ha = ph.start, "left"
        ax.text(
            x,
            0.02,
            ph.label,
            transform=ax.get_xaxis_transform(),
            ha=ha,
            va="bottom",
            fontsize=7.5,
            color="#555555",
            clip_on=True,
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
        )


def place_title(fig, title: str | None, subtitle: str | None = None) -> None:
    """Put the title (and subtitle) above everything drawn, event labels included.

    Event labels are first re-stacked on the final layout (:func:`restack_events`), so call this
    last, after ``tight_layout``.

    Parameters
    ----------
    fig : Figure
    title : str or None
        The title (nothing is added when empty; the labels are still re-stacked).
    subtitle : str, optional
        A line (wrapped to the figure's width) between the title and the chart.
    """
    fig.draw_without_rendering()  # layout and text extents, no pixels
    restack_events(fig)
    if not title:
        return
    import textwrap

    renderer = fig.canvas.get_renderer()
    inv = fig.transFigure.inverted()
    top = 0.98
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        # the tight box holds the axes' title, legend and labels drawn outside it
        top = max(top, inv.transform((0, ax.get_tightbbox(renderer).y1))[1])
        for t in ax.texts:
            top = max(top, inv.transform((0, t.get_window_extent(renderer).y1))[1])
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():  # also when left out of the layout
            top = max(top, inv.transform((0, leg.get_window_extent(renderer).y1))[1])
    for leg in fig.legends:
        top = max(top, inv.transform((0, leg.get_window_extent(renderer).y1))[1])
    fig_w, fig_h = fig.get_size_inches()
    gap = 5 / 72 / fig_h  # 5 points, as a fraction of the figure height
    y = top + 0.015
    if subtitle:
        width = max(40, int(fig_w * 72 / (0.58 * 9)))  # characters that fit the figure's width
        sub = fig.text(
            0.01,
            y,
            "\n".join(textwrap.wrap(subtitle, width)),
            ha="left",
            va="bottom",
            fontsize=9,
            color="#333333",
        )
        y = inv.transform((0, sub.get_window_extent(renderer).y1))[1] + gap
    fig.text(0.01, y, title, ha="left", va="bottom", fontsize=11.5, fontweight="bold")


def draw_period_bars(
    ax,
    index: pd.DatetimeIndex,
    values,
    *,
    partial=None,
    color: str,
    alpha: float = 0.45,
    label: str | None = None,
    unit: str | None = None,
    zorder: float = 2,
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Counts per period as bars that span their periods; the periods cut by the window hatched.

    The one rule of every bar chart of counts: a bar covers its period from its first day to
    the start of the next (:func:`period_edges`: a week's seven days, a month's calendar days),
    never centred on the label; a period only partly inside the window (``partial``) is drawn
    hatched and lighter, labelled "part of a week" in the legend (name it in the footer with
    :func:`partial_note`), so that a short first or last period does not read as a fall; a
    period without a count (NaN) gets no bar, never one of 0.

    Parameters
    ----------
    ax : Axes
    index : DatetimeIndex
        The period labels of a regular daily, weekly or monthly series.
    values : array-like of float
        The count of each period (NaN: not reported or left out).
    partial : array-like of bool, optional
        Whether each period is cut by the window (default: none is).
    color : str
        Colour of the bars (and of the hatch of partial ones).
    alpha : float
        Opacity of the whole periods' bars.
    label : str, optional
        Legend label of the whole periods' bars.
    unit : str, optional
        ``"day"``, ``"week"`` or ``"month"`` (default: from the index), for the partial bars'
        legend label.
    zorder : float

    Returns
    -------
    (DatetimeIndex, DatetimeIndex)
        Start and (exclusive) end of each period, as drawn.
    """
    import numpy as np

    index = pd.DatetimeIndex(index)
    left, right = period_edges(index)
    unit = unit or period_unit(index)
    width = np.asarray((right - left) / pd.Timedelta(days=1), dtype=float)
    heights = np.asarray(values, dtype=float).reshape(-1)
    cut = (
        np.zeros(len(heights), dtype=bool)
        if partial is None
        else np.asarray(partial, dtype=bool).reshape(-1)
    )
    seen = ~np.isnan(heights)
    whole, part = seen & ~cut, seen & cut
    # weeks and months touch: a hairline of white keeps neighbouring bars apart
    edge = {"edgecolor": "white", "lw": 0.4} if unit != "day" else {}
    draw_bars(ax, left[whole], heights[whole], width=width[whole], align="edge", color=color,
              alpha=alpha, zorder=zorder, label=label, **edge)  # fmt: skip
    if part.any():
        draw_bars(ax, left[part], heights[part], width=width[part], align="edge", color="none",
                  edgecolor=color, hatch="///", lw=0.6, zorder=zorder,
                  label=f"part of a {unit}")  # fmt: skip
    return left, right


def partial_note(unit: str) -> str:
    """The footer's words for hatched periods (weeks or months only partly inside the window).

    Parameters
    ----------
    unit : str
        ``"week"`` or ``"month"``.

    Returns
    -------
    str
    """
    return (
        f"Hatched: {unit}s only partly inside the window (fewer days, so lower counts; not a fall)."
    )


def frame_partial(frame: pd.DataFrame) -> pd.Series | None:
    """The periods a ``count_series`` frame flags as cut by its window, from its own coverage
    columns (``days_covered`` below ``days_in_period``); ``None`` without them. Read, not
    estimated: the counts of those periods cover fewer days.

    Parameters
    ----------
    frame : DataFrame
        A wide :func:`trends.series.count_series` frame (with or without ``by``).

    Returns
    -------
    pandas.Series of bool or None
    """
    cols = {}
    for name in ("days_covered", "days_in_period"):
        if name not in frame.columns.get_level_values(0):
            return None
        col = frame[name]
        cols[name] = col.iloc[:, 0] if isinstance(col, pd.DataFrame) else col
    return (cols["days_covered"] < cols["days_in_period"]).rename("partial")


def footer_span(index: pd.DatetimeIndex, data_span: tuple | None = None) -> tuple:
    """The days a chart's data cover, for its footer: ``data_span`` (the analysis window) when
    given, else from the first period's label to the last day of the last period (a weekly or
    monthly label is the period's first day, not the data's last)."""
    if data_span is not None:
        return data_span
    if len(index) == 0:
        return None, None
    last = pd.Timestamp(index.max())
    unit = period_unit(pd.DatetimeIndex(index)) if len(index) > 1 else "day"
    return pd.Timestamp(index.min()), period_end(last, unit) - pd.Timedelta(days=1)


def add_footer(fig, source: str | None, start=None, end=None, note: str | None = None) -> None:
    """Footer: the data source and date range (and an optional note), bottom left.

    Parameters
    ----------
    fig : Figure
    source : str or None
        Data source ("Source: ...").
    start, end : date-like, optional
        Date range of the data ("Data 30 Apr 2019 to 15 Dec 2019").
    note : str, optional
        Anything else the reader needs (method, caveat).
    """
    parts = []
    if source:
        parts.append(f"Source: {source}.")
    if start is not None and end is not None:
        parts.append(f"Data {fmt_date(start)} to {fmt_date(end)}.")
    if note:
        parts.append(note)
    if parts:
        import textwrap

        # wrapped here rather than with ``wrap=True``, so that the saved PNG keeps the figure's
        # width (``bbox_inches="tight"`` measures the unwrapped text)
        width = max(40, int(fig.get_size_inches()[0] * 72 / (0.58 * 7.5)))
        fig.text(
            0.01,
            -0.02,
            "\n".join(textwrap.wrap(" ".join(parts), width)),
            ha="left",
            va="top",
            fontsize=7.5,
            color="#555555",
        )


def attach_data(fig, panel: str, frame: pd.DataFrame) -> None:
    """Record the numbers drawn in ``panel`` on the figure (read back with :func:`plotted_data`).

    Parameters
    ----------
    fig : Figure
    panel : str
        Name of the panel.
    frame : DataFrame
        The numbers, as held by the result object.
    """
    store = getattr(fig, "_trends_data", None)
    if store is None:
        store = {}
        fig._trends_data = store
    store[panel] = frame


def plotted_data(obj, panel: str | None = None):
    """The numbers drawn on a chart made by :mod:`trends.plots`.

    Parameters
    ----------
    obj : Figure or Axes
    panel : str, optional
        Panel name; when omitted, a dict of every panel's DataFrame.
    """
    fig = obj.figure if hasattr(obj, "figure") and not hasattr(obj, "savefig") else obj
    store = getattr(fig, "_trends_data", {})
    return store if panel is None else store[panel]


def number_events(
    marks: Sequence[EventMark], max_labels: int = MAX_EVENT_LABELS
) -> tuple[list[EventMark], str | None]:
    """Number the events when there are too many to label in full.

    Parameters
    ----------
    marks : sequence of EventMark
    max_labels : int
        Largest number of events labelled in full.

    Returns
    -------
    (list of EventMark, str or None)
        The marks to draw (labels "1", "2"... when numbered) and the key naming them ("Events:
        1 Government offensive launched (30 Apr 2019); 2 ..."), or ``None`` when not numbered.
    """
    marks = list(marks)
    if len(marks) <= max_labels:
        return marks, None
    shown = [EventMark(m.date, str(k + 1), m.kind) for k, m in enumerate(marks)]
    return shown, event_key_text(marks) + "."


def event_key_text(marks: Sequence[EventMark]) -> str:
    """The key of numbered events (see :func:`number_events`), whatever their number.

    A label that already ends with its date in parentheses ("Army-declared truce (18 May)") is
    not dated twice.

    Parameters
    ----------
    marks : sequence of EventMark

    Returns
    -------
    str
        "Events: 1 ... (30 Apr 2019); 2 ...".
    """
    parts = []
    for k, m in enumerate(marks):
        dated = bool(re.search(r"\(\d{1,2} [A-Z][a-z]{2}[^)]*\)\s*$", m.label))
        when = "" if dated else f" ({m.date.day} {m.date:%b %Y})"
        parts.append(f"{k + 1} {m.label}{when}")
    return "Events: " + "; ".join(parts)


def area_word(by: str | Sequence[str], label: str | None = None) -> str:
    """The area column in words: ``"admin1"`` -> "first-level area"; a label passed in wins.

    Parameters
    ----------
    by : str or sequence of str
        Grouping column(s).
    label : str, optional
        The word to use (e.g. "governorate" for Syrian data, chosen by the caller).

    Returns
    -------
    str
    """
    if label:
        return str(label)
    cols = [by] if isinstance(by, str) else list(by)
    return " and ".join(AREA_WORDS.get(str(c), str(c).replace("_", " ")) for c in cols)


def save(fig, path) -> None:
    """Save as PNG in the house resolution.

    Parameters
    ----------
    fig : Figure
    path : str or path-like
    """
    fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")

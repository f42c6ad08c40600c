"""Change-point chart: the series with its segment rates, the change dates and their uncertainty.

Top panel: the counts per period (bars over the span of each period), the rate (or mean) of each
segment as a horizontal step with its confidence band, every change as a labelled line at the
first period of the new segment, with the change's confidence set shaded, and the reference event
(e.g. the announced ceasefire) marked.

Bottom panel: the posterior probabilities (likelihood weights for the negative binomial model) of
the date of the primary change, zoomed on the dates that carry weight, with the confidence set
highlighted and the reference marked; the comparison held by the result (probability that the
new rate started on or before the reference) is written on it.

Every number comes from :class:`trends.models.changepoint.ChangePointResult`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from trends.plots.its import measure_style
from trends.plots.style import (
    COLORS,
    KIND_COLORS,
    PALETTE,
    EventMark,
    add_footer,
    attach_data,
    draw_bars,
    draw_events,
    draw_period_bars,
    event_marks,
    events_in_range,
    footer_span,
    format_date_axis,
    house_legend,
    new_figure,
    partial_note,
    period_edges,
    place_title,
)
from trends.verdicts.words import level_change_words, plural, with_article

__all__ = ["plot_changepoints", "CHANGEPOINT_PANELS"]

#: Names of the panels recorded with :func:`~trends.plots.style.attach_data`.
CHANGEPOINT_PANELS = ("series", "segments", "breaks", "posterior")

SET_COLOR = PALETTE["purple"]


def _fmt_day(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def _as_datetime_index(index: pd.Index, unit: str) -> pd.DatetimeIndex | None:
    """A DatetimeIndex for a date, period or year index; ``None`` for a plain integer index."""
    if isinstance(index, pd.DatetimeIndex):
        return index.tz_localize(None) if index.tz is not None else index
    if isinstance(index, pd.PeriodIndex):
        return pd.DatetimeIndex(index.start_time)
    if unit == "year":
        return pd.DatetimeIndex(pd.to_datetime([f"{int(v)}-01-01" for v in index]))
    return None


def _edges(index: pd.Index, unit: str) -> tuple[Any, Any]:
    """Start and end of each period on the chart's x axis."""
    dt = _as_datetime_index(index, unit)
    if dt is not None:
        if isinstance(index, pd.PeriodIndex):
            return pd.DatetimeIndex(index.start_time), pd.DatetimeIndex((index + 1).start_time)
        if unit == "year":
            return dt, pd.DatetimeIndex(dt + pd.DateOffset(years=1))
        return period_edges(dt)
    values = np.asarray(index, dtype=float)
    step = float(np.median(np.diff(values))) if values.size > 1 else 1.0
    return values, values + step


def _reference_mark(reference: Any, result) -> EventMark | None:
    """The reference as an event mark: the argument, else the result's comparison."""
    if reference is None:
        comp = getattr(result, "comparison", None)
        if comp is None or comp.reference is None:
            return None
        try:
            when = pd.Timestamp(comp.reference)
        except (TypeError, ValueError):
            return None
        return EventMark(when, str(comp.reference_name or "the intervention"), "ceasefire")
    if (
        isinstance(reference, EventMark)
        or isinstance(reference, tuple)
        or hasattr(reference, "start")
    ):
        mark = event_marks([reference])[0]
        kind = mark.kind if mark.kind in KIND_COLORS else "ceasefire"
        return EventMark(mark.date, mark.label, kind)
    return EventMark(pd.Timestamp(reference), "the intervention", "ceasefire")


def _comparison_matches(result, mark: EventMark | None) -> bool:
    comp = getattr(result, "comparison", None)
    if comp is None or mark is None or comp.break_number is None:
        return False
    try:
        return pd.Timestamp(comp.reference) == mark.date
    except (TypeError, ValueError):
        return False


def _change_label(row: pd.Series, unit: str, model: str) -> str:
    """ "Change 2: 18 Oct 2019 (about 13 times as high)": the change in the words of the text
    (:func:`~trends.verdicts.words.level_change_words`), with a true minus sign."""
    when = (
        _fmt_day(row["date"]) if unit in ("day", "week") else f"{pd.Timestamp(row['date']):%b %Y}"
    )
    before, after = float(row.get("level_before", np.nan)), float(row.get("level_after", np.nan))
    change = level_change_words(after / before) if model != "gaussian" and before > 0 else ""
    if change:
        return f"Change {int(row['break'])}: {when} ({change.replace('-', chr(0x2212))})"
    return f"Change {int(row['break'])}: {when}"


def _draw_series_panel(
    ax: Axes,
    result,
    left,
    right,
    color: str,
    label: str,
    level: int,
    with_sets: bool = True,
    partial: pd.Series | None = None,
) -> None:
    series = result.series
    heights = series.to_numpy(dtype=float)
    bar_label = f"{label.capitalize()} per {result.unit}"
    if isinstance(left, pd.DatetimeIndex):
        cut = np.zeros(len(series), dtype=bool)
        if partial is not None:  # left out of the search (NaN in it): drawn hatched
            counts = partial.reindex(series.index).to_numpy(dtype=float)
            cut = ~np.isnan(counts) & np.isnan(heights)
            heights = np.where(cut, counts, heights)
        draw_period_bars(ax, left, heights, partial=cut, color=color, alpha=0.4,
                         label=bar_label, unit=result.unit)  # fmt: skip
    else:
        keep = ~np.isnan(heights)  # a period left out has no bar, never one of 0
        draw_bars(ax, np.asarray(left)[keep], heights[keep],
                  width=np.asarray(right - left)[keep], align="edge", color=color, alpha=0.4,
                  lw=0, zorder=2, label=bar_label)  # fmt: skip
    lvl = result.level_name
    seg = result.segments
    pos = pd.Index(series.index)
    for i, row in seg.reset_index(drop=True).iterrows():
        a = pos.get_loc(row["start"])
        b = pos.get_loc(row["end"])
        x0, x1 = left[a], right[b]
        ax.fill_between(
            [x0, x1],
            [row["ci_low"]] * 2,
            [row["ci_high"]] * 2,
            color="#333333",
            alpha=0.15,
            lw=0,
            zorder=3,
            label=f"{level}% CI of the segment {lvl}" if i == 0 else None,
        )
        ax.plot(
            [x0, x1],
            [row[lvl]] * 2,
            color=COLORS["fit"],
            lw=2.0,
            zorder=4,
            solid_capstyle="butt",
            label=f"Segment {lvl}" if i == 0 else None,
        )
    if with_sets:
        for j, dates in enumerate(result.confidence_sets):
            for d in dates:
                k = pos.get_loc(d)
                ax.axvspan(
                    left[k],
                    right[k],
                    color=SET_COLOR,
                    alpha=0.28,
                    lw=0,
                    zorder=1,
                    label="date set of the change" if j == 0 and d == dates[0] else None,
                )
    ax.set_ylabel(f"{label} per {result.unit}" if lvl == "rate" else label)
    # head room for the legend above the bars (axis limits only)
    lo, hi = ax.get_ylim()
    ax.set_ylim(0 if lvl == "rate" else lo, hi + (hi - (0 if lvl == "rate" else lo)) * 0.35)
    if lvl == "rate":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def plot_changepoints(
    result,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    reference: Any = None,
    data_span: tuple | None = None,
    partial: pd.Series | None = None,
) -> tuple[Figure, list[Axes]] | Axes:
    """Draw a change-point segmentation and the uncertainty of the primary change's date.

    Parameters
    ----------
    result : ChangePointResult
        From :func:`trends.models.changepoint.detect_changepoints`.
    ax : Axes, optional
        Draw only the top panel (series, segments, changes) on it and return it.
    title : str, optional
        Figure title (default: "When did the <measure> rate change?").
    source : str, optional
        Data source named in the footer (with the series' date range).
    reference : event, date or (date, label[, kind]), optional
        The announced reference to mark (e.g. the ceasefire). Default: the reference the result
        was compared with (``result.comparison``), if any.
    data_span : (date, date), optional
        The days the data cover, for the footer (default: from the periods, the last one to
        its last day).
    partial : pandas.Series, optional
        The counts of the weeks or months cut by the window, by period label: the search leaves
        them out (``result.series`` holds NaN there); they are drawn hatched, as in the
        timeline, and named in the footer, so that they neither vanish nor read as a fall.

    Returns
    -------
    (Figure, [Axes, Axes]) or Axes
        The figure with the series panel and the date-weight panel; the Axes when ``ax`` is
        given.

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"series"`` (observed counts and
    the fitted segment level), ``"segments"`` (``result.segments``), ``"breaks"``
    (``result.breaks``) and ``"posterior"`` (the primary change's weights, ``result.posterior``,
    with ``in_set`` flagging its confidence set).
    """
    unit = result.unit
    label, color = measure_style(result.series.name)
    level = int(round(100 * float(result.level)))
    left, right = _edges(result.series.index, unit)
    is_dates = isinstance(left, pd.DatetimeIndex)
    ref = _reference_mark(reference, result) if is_dates else None

    single = ax is not None
    if single:
        fig = ax.figure
        panels = [ax]
    else:
        fig, panels = new_figure(
            2, height=6.4, sharex=False, gridspec_kw={"height_ratios": [1.9, 1]}
        )
    top = panels[0]
    _draw_series_panel(top, result, left, right, color, label, level, partial=partial)
    cut = (
        partial is not None
        and is_dates
        and bool(partial.reindex(result.series.index).notna().any())
    )
    cut_note = f"{partial_note(unit)} Left out of the change-point search." if cut else None
    attach_data(
        fig,
        "series",
        pd.DataFrame({"observed": result.series, "fitted": result.fitted}),
    )
    attach_data(fig, "segments", result.segments.copy())
    attach_data(fig, "breaks", result.breaks.copy())

    marks: list[EventMark] = []
    if is_dates:
        for _, row in result.breaks.iterrows():
            k = result.series.index.get_loc(row["date"])
            marks.append(
                EventMark(pd.Timestamp(left[k]), _change_label(row, unit, result.model), "change")
            )
        if ref is not None:
            marks.append(ref)
        marks = events_in_range(
            sorted(marks, key=lambda m: m.date), left[0], right[-1] - pd.Timedelta(seconds=1)
        )
        top.set_xlim(left[0], right[-1])
        format_date_axis(top)
    else:
        for _, row in result.breaks.iterrows():
            k = result.series.index.get_loc(row["date"])
            top.axvline(left[k], color=KIND_COLORS["change"], ls="--", lw=1.1)
        top.set_xlim(left[0], right[-1])
        top.set_xlabel(unit)
    house_legend(top, loc="upper right", ncols=2, fontsize=8)

    if single:
        draw_events(top, marks)
        if source:
            add_footer(fig, source, *footer_span(result.series.index, data_span), note=cut_note)
        place_title(fig, title)
        return top

    bottom = panels[1]
    _draw_posterior_panel(bottom, result, left, right, ref, level, is_dates)
    fig.tight_layout(h_pad=1.5)
    draw_events(top, marks)
    note = _note(result) if cut_note is None else f"{cut_note} {_note(result)}"
    add_footer(fig, source, *footer_span(result.series.index, data_span), note=note)
    what = "rate" if result.level_name == "rate" else "level"
    place_title(fig, title or f"When did the {what} of {label} change?", _subtitle(result))
    return fig, panels


def _draw_posterior_panel(
    ax: Axes, result, left, right, ref: EventMark | None, level: int, is_dates: bool
) -> None:
    """Bottom panel: weights of the primary change's date."""
    post = result.posterior
    weight = "likelihood weight" if result.model == "negbin" else "posterior probability"
    if post is None or len(post) == 0:
        ax.text(
            0.5,
            0.5,
            "No change detected: nothing to date.",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9.5,
            color="#555555",
        )
        ax.set_yticks([])
        ax.set_ylabel(weight)
        ax.grid(False)
        ax.set_xlim(left[0], right[-1])  # the series panel's time axis, not 0 to 1
        if is_dates:
            format_date_axis(ax)
        attach_data(ax.figure, "posterior", pd.DataFrame({"weight": [], "in_set": []}))
        return
    j = int(result.primary)
    row = result.breaks.iloc[j]
    in_set = post.index.isin(result.confidence_sets[j])
    pos = pd.Index(result.series.index).get_indexer(post.index)
    x0, x1 = left[pos], right[pos]
    width = np.asarray((x1 - x0) / pd.Timedelta(days=1)) if is_dates else np.asarray(x1 - x0)
    values = post.to_numpy(dtype=float)
    draw_bars(
        ax,
        x0[in_set],
        values[in_set],
        width=width[in_set],
        align="edge",
        color=SET_COLOR,
        lw=0,
        zorder=3,
        label="in the date set",
    )
    draw_bars(
        ax,
        x0[~in_set],
        values[~in_set],
        width=width[~in_set],
        align="edge",
        color="#BBBBBB",
        lw=0,
        zorder=3,
        label="outside it",
    )
    attach_data(ax.figure, "posterior", pd.DataFrame({"weight": post, "in_set": in_set}))
    peak = float(np.nanmax(values))
    # head room above the highest bar for its value (a weight of 1 too: no label in the title)
    ax.set_ylim(0, peak * 1.25 if peak > 0 else 1)
    if peak * 1.25 > 1:
        ax.set_yticks([t for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0) if t <= peak * 1.25])
    ax.set_ylabel(weight)
    when = _fmt_day(row["date"]) if is_dates else str(row["date"])
    ax.set_title(
        f"Date of change {int(row['break'])} (first {result.unit} at the new {result.level_name}):"
        f" most likely {when} (date set in purple)",
        loc="left",
        fontsize=9.5,
    )
    # the time axis of the series panel above: panels of one chart share it (a zoom on the
    # heavy dates made the lower axis start later than the upper one, a misreading waiting)
    ax.set_xlim(left[0], right[-1])
    if is_dates:
        format_date_axis(ax)
    mode_k = int(np.nanargmax(values))
    # the reference's label goes on the side of its line away from the most likely date, and
    # the mode's value on the side of its bar away from the reference: they never overlap
    right_side = ref is not None and x0[mode_k] < ref.date
    if ref is not None:  # but never across the axes' edge, onto the y-axis title
        right_side = _side_that_fits(ax, result, ref, right_side)
    mode_at = x1[mode_k] if right_side else x0[mode_k] if ref is not None else None
    ax.annotate(
        f"{values[mode_k]:.2f}",
        (
            ax.convert_xunits(x0[mode_k] + (x1[mode_k] - x0[mode_k]) / 2)
            if mode_at is None
            else ax.convert_xunits(mode_at),
            values[mode_k],
        ),
        xytext=(0 if ref is None else -2 if right_side else 2, 2),
        textcoords="offset points",
        ha="center" if ref is None else "right" if right_side else "left",
        va="bottom",
        fontsize=8,
        color="#333333",
    )
    if ref is not None:
        _reference_label(ax, result, ref, right_side)


def _reference_text(result, ref: EventMark) -> str:
    """The reference's label on the date-weight panel, with P(on or before it) when known."""
    text = ref.label
    comp = result.comparison
    if _comparison_matches(result, ref):
        text += f"\nP(new {result.level_name} began on or before it) = {comp.prob_at_or_before:.2f}"
    return text


def _side_that_fits(ax: Axes, result, ref: EventMark, right_side: bool) -> bool:
    """``right_side``, unless the label would run past that side's edge of the axes (onto the
    y-axis title on the left) and fits on the other side: placement only, on the rendered
    extent of the label."""
    renderer = ax.figure.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    x = ax.transData.transform((ax.convert_xunits(ref.date), 0))[0]
    probe = ax.text(0, 0, _reference_text(result, ref), fontsize=8)
    width = probe.get_window_extent(renderer).width + 8  # the 4-point offset and the padding
    probe.remove()
    fits_right, fits_left = x + width <= box.x1, x - width >= box.x0
    if right_side and not fits_right and fits_left:
        return False
    if not right_side and not fits_left and fits_right:
        return True
    return right_side


def _reference_label(ax: Axes, result, ref: EventMark, right_side: bool) -> None:
    """The reference's line and label on the date-weight panel (label right of the line when
    ``right_side``)."""
    rc = KIND_COLORS.get(ref.kind, COLORS["event"])
    ax.axvline(ref.date, color=rc, ls="--", lw=1.1, zorder=4)
    text = _reference_text(result, ref)
    ax.annotate(
        text,
        (ax.convert_xunits(ref.date), 0.96),
        xycoords=ax.get_xaxis_transform(),
        xytext=(4 if right_side else -4, 0),
        textcoords="offset points",
        ha="left" if right_side else "right",
        va="top",
        fontsize=8,
        color=rc,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.0},
        zorder=5,
    )


def _subtitle(result) -> str | None:
    if result.n_changes == 0:
        return f"No change detected ({result.criterion.upper()})."
    comp = result.comparison
    found = f"{plural(result.n_changes, 'change')} detected."
    if (
        comp is not None
        and comp.break_number is not None
        and not isinstance(comp.date, pd.Timestamp)
    ):
        inside = "inside" if comp.in_set else "outside"
        return (
            f"{found} The change nearest {with_article(comp.reference_name or 'the reference')} "
            f"is at "
            f"{comp.date}, {comp.relation()} it; the reference is {inside} the date set."
        )
    if comp is not None and comp.break_number is not None:
        # the report's own sentence (with the comparison's set test); with several changes it
        # says which one it dates
        name = with_article(comp.reference_name or "the reference")
        timing = comp.timing(
            subject="The change" if result.n_changes == 1 else f"The change nearest {name}"
        )
        if timing is not None:
            return f"{found} {timing.text}"
    return found


def _note(result) -> str:
    model = {"poisson": "Poisson", "negbin": "negative binomial", "gaussian": "Gaussian"}.get(
        result.model, result.model
    )
    crit = result.criterion.upper() if result.criterion in ("bic", "aic") else result.criterion
    return (
        f"{model.capitalize()} segmentation, number of changes by {crit}. A change is dated to "
        f"the first {result.unit} at the new {result.level_name}."
    )

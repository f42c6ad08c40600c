"""Interrupted time series chart: observed counts, model fit, counterfactual and effects.

Three panels share the time axis:

a. the observed counts (dots; hollow when left out of the fit, e.g. a transition window), the
   model's fitted rate and, after the (last) intervention, the counterfactual (dashed) with its
   confidence band (mean) and prediction band (counts);
b. the pointwise effect, observed - counterfactual, with its prediction band and a zero line;
c. the cumulative effect with its prediction band.

Every number comes from :attr:`trends.models.its.ITSResult.frame`; nothing is estimated here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from trends.errors import InputError
from trends.plots.style import (
    COLORS,
    EventMark,
    add_footer,
    attach_data,
    draw_events,
    event_marks,
    events_in_range,
    footer_span,
    format_date_axis,
    house_legend,
    new_figure,
    number_events,
    period_edges,
    place_title,
)
from trends.verdicts.words import NO_CHANGE, classify_change, count_of, fmt_ratio

__all__ = ["plot_its", "intervention_marks", "ITS_PANELS"]

#: Names of the panels recorded with :func:`~trends.plots.style.attach_data`.
ITS_PANELS = ("observed", "effect", "cumulative")

OBSERVED_COLUMNS = [
    "observed",
    "used",
    "transition",
    "fitted",
    "counterfactual",
    "cf_ci_low",
    "cf_ci_high",
    "cf_pi_low",
    "cf_pi_high",
]
EFFECT_COLUMNS = ["effect", "effect_low", "effect_high"]
CUMULATIVE_COLUMNS = ["cum_effect", "cum_effect_low", "cum_effect_high"]


def _fmt_count(x: float) -> str:
    """``-1,809``-style integer text with a true minus sign (counts are never decimals)."""
    if not np.isfinite(x):
        return "n/a"
    text = f"{abs(x):,.0f}"
    return ("\u2212" if x < 0 and text.strip("0,") else "") + text


def _tick(value: float, _pos: int | None = None) -> str:
    """Axis numbers with thousands separators and a true minus sign (no ``1e6`` offset)."""
    text = f"{abs(value):,.0f}" if abs(value) >= 10 or value == int(value) else f"{abs(value):.1f}"
    return ("\u2212" if value < 0 else "") + text


def _fmt_day(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def measure_style(name: str | None) -> tuple[str, str]:
    """Readable name and colour of a measure (``"civilian deaths"`` -> vermillion).

    Parameters
    ----------
    name : str or None
        Series or outcome name (``"civilian_deaths"``, ``"attacks"``...).

    Returns
    -------
    (str, str)
        The name with spaces, and the house colour (deaths: vermillion, else blue).
    """
    text = str(name or "events").replace("_", " ")
    color = COLORS["deaths"] if "death" in text or "killed" in text else COLORS["attacks"]
    return text, color


def intervention_marks(result, events: Sequence | None = None) -> list[EventMark]:
    """Event marks for the interventions of an ITS fit, merged with other ``events``.

    An intervention takes the kind (hence the colour) of an event given in the same period of
    the series (the same day of a daily series, the same month of a monthly one), else
    ``"intervention"``; such events are not repeated: the model dates a monthly intervention on
    its month's first day, and the event as given (the 15th) is the same event, drawn once.

    Parameters
    ----------
    result : ITSResult
    events : sequence, optional
        ``ReferenceEvent``-like objects, ``(date, label[, kind])`` tuples or EventMarks.

    Returns
    -------
    list of EventMark
        Sorted by date.
    """
    others = event_marks(events)
    left, right = period_edges(result.frame.index)

    def period_of(when: pd.Timestamp) -> Any:
        k = int(np.searchsorted(left.values, when.to_datetime64(), side="right")) - 1
        return k if 0 <= k < len(left) and when < right[k] else when  # outside: the time itself

    marks: list[EventMark] = []
    taken: set = set()
    for eff in result.effects:
        when = pd.Timestamp(eff.start)
        same = [m for m in others if m.date == when or period_of(m.date) == period_of(when)]
        kind = same[0].kind if same else "intervention"
        marks.append(EventMark(when, str(eff.name), kind))
        taken.add(period_of(when))
    marks.extend(m for m in others if period_of(m.date) not in taken)
    return sorted(marks, key=lambda m: m.date)


def _draw_observed(
    ax: Axes,
    frame: pd.DataFrame,
    mid: pd.DatetimeIndex,
    result,
    color: str,
    label: str,
    level: int,
    unit: str,
) -> None:
    """Panel a: observed counts, fitted rate, counterfactual and its bands."""
    obs = frame["observed"]
    used = frame["used"].astype(bool)
    ax.scatter(
        mid[used],
        obs[used],
        s=9,
        color=color,
        alpha=0.75,
        lw=0,
        zorder=3,
        label="Observed",
    )
    excluded = (~used) & obs.notna()
    if excluded.any():
        ax.scatter(
            mid[excluded],
            obs[excluded],
            s=11,
            facecolors="none",
            edgecolors=color,
            lw=0.8,
            zorder=3,
            label="Observed, not fitted",
        )
    ax.plot(mid, frame["fitted"], color=COLORS["fit"], lw=1.5, zorder=4, label="Model fit")
    post = frame["counterfactual"].notna()
    cf_color = COLORS["counterfactual"]
    if not _projection_uninformative(result):  # a flagged projection's bands fill the panel
        _draw_cf_bands(ax, frame, mid, post, cf_color, level)
    ax.plot(
        mid[post],
        frame.loc[post, "counterfactual"],
        color=cf_color,
        lw=1.8,
        ls="--",
        zorder=4,
        label="Counterfactual (no intervention)",
    )
    ax.set_ylabel(f"{label} per {unit}")
    # scaled to the data and the model lines, not to the prediction band (which is clipped), with
    # head room for the legend above the data (axis limits only; nothing is estimated); when the
    # result flags the projection as uninformative, to the observed data alone
    if _projection_uninformative(result):
        top = max(float(np.nanmax(frame["observed"].to_numpy(dtype=float))), 1.0) * 1.55
        ax.set_ylim(0, top)
        # the line is said to run off the chart only when it does (axis limits, not statistics)
        off = bool(np.nanmax(frame.loc[post, "counterfactual"].to_numpy(dtype=float)) > top)
        what = (
            "the counterfactual runs off the chart and its bands are not shown"
            if off
            else ("the counterfactual's bands are not shown")
        )
        _clip_note(ax, f"{what}:\n{OFF_CHART}", 0.68, "bottom")
        house_legend(
            ax, loc="upper left", ncols=3, handlelength=1.6, columnspacing=1.0, fontsize=7.8
        )
        return
    top = np.nanmax(frame[["observed", "fitted", "counterfactual"]].to_numpy(dtype=float))
    ax.set_ylim(0, max(top, 1.0) * 1.55)
    limit = ax.get_ylim()[1]
    cut = [
        f"{name} to {_fmt_count(np.nanmax(frame.loc[post, col].to_numpy(dtype=float)))}"
        for name, col in (("CI", "cf_ci_high"), ("prediction", "cf_pi_high"))
        if post.any() and np.nanmax(frame.loc[post, col].to_numpy(dtype=float)) > limit
    ]
    if cut:
        # the legend sits above the data: the note goes between them, at the right
        _clip_note(ax, f"bands extend beyond the axis: {level}% {', '.join(cut)}", 0.68, "bottom")
    house_legend(ax, loc="upper left", ncols=3, handlelength=1.6, columnspacing=1.0, fontsize=7.8)


#: Why a flagged projection's counterfactual and the differences from it are not shown.
OFF_CHART = (
    "the projection is too uncertain (the pre-period trend, extrapolated forward, is barely known)"
)


def _projection_uninformative(result) -> bool:
    """The result's own flag (nothing is judged here)."""
    ce = getattr(result, "cumulative_effect", {}) or {}
    return bool(ce.get("projection_uninformative"))


def _not_shown(ax: Axes, what: str) -> None:
    """An effect panel of a flagged projection: a zero line and the reason, no numbers."""
    ax.axhline(0, color="#444444", lw=0.9, zorder=2)
    ax.set_ylim(-1.0, 1.0)
    ax.set_yticks([])
    ax.text(
        0.5,
        0.5,
        f"{what} is not shown:\n{OFF_CHART}",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=8.5,
        color="#333333",
        bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "none", "pad": 2.0},
    )
    ax._trends_clip_notes = [*getattr(ax, "_trends_clip_notes", []), what]


def _draw_cf_bands(
    ax: Axes, frame: pd.DataFrame, mid: pd.DatetimeIndex, post: pd.Series, cf_color: str, level: int
) -> None:
    """The counterfactual's prediction (counts) and confidence (rate) bands."""
    ax.fill_between(
        mid[post],
        frame.loc[post, "cf_pi_low"],
        frame.loc[post, "cf_pi_high"],
        color=cf_color,
        alpha=0.14,
        lw=0,
        zorder=1,
        label=f"{level}% prediction (counts)",
    )
    ax.fill_between(
        mid[post],
        frame.loc[post, "cf_ci_low"],
        frame.loc[post, "cf_ci_high"],
        color=cf_color,
        alpha=0.35,
        lw=0,
        zorder=2,
        label=f"{level}% CI (rate)",
    )


def _short(name: str, width: int = 40) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "\u2026"


def _draw_band_panel(
    ax: Axes,
    mid: pd.DatetimeIndex,
    est: pd.Series,
    lo: pd.Series,
    hi: pd.Series,
    color: str,
    line_label: str,
    band_label: str,
) -> None:
    ok = est.notna()
    ax.axhline(0, color="#444444", lw=0.9, zorder=2)
    ax.fill_between(
        mid[ok], lo[ok], hi[ok], color=COLORS["band"], alpha=0.35, lw=0, zorder=1, label=band_label
    )
    ax.plot(mid[ok], est[ok], color=color, lw=1.4, zorder=3, label=line_label)
    _readable_ylim(ax, est[ok], lo[ok], hi[ok], band_label)


#: A band's edge is shown when it lies within this many times the lines' range of them ...
BAND_REACH = 3.0
#: ... else the axis stops this many times the lines' range beyond them, and says so.
BAND_CUT = 1.0


def _finite(values) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def _clip_note(ax: Axes, text: str, y: float, va: str) -> None:
    """A short note, right-aligned in the panel, that a band is cut by the axis."""
    ax.text(
        0.995,
        y,
        text,
        transform=ax.transAxes,
        ha="right",
        va=va,
        fontsize=7.5,
        color="#333333",
        zorder=6,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5},
    )
    ax._trends_clip_notes = [*getattr(ax, "_trends_clip_notes", []), text]


def _readable_ylim(ax: Axes, est: pd.Series, lo: pd.Series, hi: pd.Series, band: str) -> None:
    """Y-limits from the line (and zero) and the band's edges only where they are moderate.

    An edge beyond :data:`BAND_REACH` times the line's range is cut by the axis (at
    :data:`BAND_CUT` times that range beyond the line) and a note gives the band's extreme.
    Axis limits only: nothing is estimated.
    """
    core = np.append(_finite(est), 0.0)
    c_lo, c_hi = float(core.min()), float(core.max())
    span = max(c_hi - c_lo, 1.0)
    b_lo = _finite(lo).min() if len(_finite(lo)) else c_lo
    b_hi = _finite(hi).max() if len(_finite(hi)) else c_hi
    low_cut = b_lo < c_lo - BAND_REACH * span
    high_cut = b_hi > c_hi + BAND_REACH * span
    y_lo = c_lo - BAND_CUT * span if low_cut else min(c_lo, b_lo)
    y_hi = c_hi + BAND_CUT * span if high_cut else max(c_hi, b_hi)
    pad = 0.05 * (y_hi - y_lo)
    ax.set_ylim(y_lo - pad, y_hi + pad)
    what = band.replace(" interval", "")
    if low_cut:
        _clip_note(
            ax, f"band extends beyond the axis: {what} to {_fmt_count(b_lo)}", 0.03, "bottom"
        )
    if high_cut:
        _clip_note(ax, f"band extends beyond the axis: {what} to {_fmt_count(b_hi)}", 0.97, "top")


def plot_its(
    result,
    *,
    title: str | None = None,
    source: str | None = None,
    events: Sequence | None = None,
    axes: Sequence[Axes] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    data_span: tuple | None = None,
) -> tuple[Figure, list[Axes]] | Axes:
    """Draw an interrupted time series fit in three panels (or its first panel on one Axes).

    Parameters
    ----------
    result : ITSResult
        From :func:`trends.models.its.fit_its`.
    title : str, optional
        Figure title (default: "<measure> before and after <intervention>"), with a subtitle
        giving the immediate rate ratio and the cumulative difference held by the result.
    source : str, optional
        Data source named in the footer (with the series' date range).
    events : sequence, optional
        Other reference events to mark (``ReferenceEvent``-like objects or ``(date, label[,
        kind])`` tuples); the interventions are always marked.
    axes : sequence of 3 Axes, optional
        Draw on these instead of a new figure.
    ax : Axes or sequence of 3 Axes, optional
        As called by :meth:`ITSResult.plot`: a single Axes gets only panel (a) and is returned;
        a sequence is the same as ``axes``.
    data_span : (date, date), optional
        The days the data cover, for the footer (default: from the periods, the last one to
        its last day).

    Returns
    -------
    (Figure, list of Axes) or Axes
        The figure and its three axes; the Axes when a single ``ax`` was given.

    Notes
    -----
    The numbers drawn are recorded on the figure: ``plotted_data(fig, "observed")``,
    ``"effect"`` and ``"cumulative"`` return the matching columns of ``result.frame``.
    """
    single = ax is not None and axes is None and isinstance(ax, Axes)
    if axes is None and ax is not None and not single:
        axes = list(ax)  # type: ignore[arg-type]
    frame = result.frame
    settings = getattr(result, "settings", {}) or {}
    unit = settings.get("unit", "period")
    label, color = measure_style(settings.get("series_name"))
    level = int(round(100 * (1 - float(settings.get("alpha", 0.05)))))
    left, right = period_edges(frame.index)
    mid = pd.DatetimeIndex(left + (right - left) / 2)
    start, end = left[0], right[-1]
    # the last period ends at ``end`` (exclusive): an event on that day is after the data
    marks, key = number_events(
        events_in_range(intervention_marks(result, events), start, end - pd.Timedelta(seconds=1))
    )

    if single:
        fig = ax.figure
        panels = [ax]
    elif axes is not None:
        panels = list(axes)
        if len(panels) != 3:
            raise InputError(f"plot_its needs 3 axes, got {len(panels)}")
        fig = panels[0].figure
    else:
        fig, panels = new_figure(3, height=7.6)

    _draw_observed(panels[0], frame, mid, result, color, label, level, unit)
    attach_data(fig, "observed", frame[OBSERVED_COLUMNS].copy())
    if not single and _projection_uninformative(result):
        _draw_not_shown(panels, result, label, unit)
        attach_data(fig, "effect", frame[EFFECT_COLUMNS].copy())
        attach_data(fig, "cumulative", frame[CUMULATIVE_COLUMNS].copy())
    elif not single:
        _draw_band_panel(
            panels[1],
            mid,
            frame["effect"],
            frame["effect_low"],
            frame["effect_high"],
            COLORS["fit"],
            "Observed \u2212 counterfactual",
            f"{level}% prediction interval",
        )
        panels[1].set_ylabel(f"difference,\n{label} per {unit}")
        panels[1].set_title(f"Difference per {unit}", loc="left", fontsize=9.5)
        _effect_legend(panels[1], frame, start, end)
        attach_data(fig, "effect", frame[EFFECT_COLUMNS].copy())
        _draw_band_panel(
            panels[2],
            mid,
            frame["cum_effect"],
            frame["cum_effect_low"],
            frame["cum_effect_high"],
            COLORS["fit"],
            "Cumulative difference",
            f"{level}% prediction interval",
        )
        panels[2].set_ylabel(f"cumulative difference,\n{label}")
        panels[2].set_title(
            f"Cumulative difference since {_fmt_day(result.primary.first_period)}",
            loc="left",
            fontsize=9.5,
        )
        _effect_legend(panels[2], frame, start, end)
        attach_data(fig, "cumulative", frame[CUMULATIVE_COLUMNS].copy())
    for p in panels:
        p.set_xlim(start, end)
        p.yaxis.set_major_formatter(FuncFormatter(_tick))
    format_date_axis(panels[-1])

    if single:
        draw_events(panels[0], marks, label=True)
        if source or key:
            add_footer(fig, source, *footer_span(frame.index, data_span), note=key)
        place_title(fig, title)
        return panels[0]

    fig.tight_layout(h_pad=1.2)
    if _wrap_crowded_titles(fig, panels[1:]):
        fig.tight_layout(h_pad=1.2)
    for i, p in enumerate(panels):
        draw_events(p, marks, label=(i == 0))
    note = _note(result, level) + (f" {key}" if key else "")
    add_footer(fig, source, *footer_span(frame.index, data_span), note=note)
    default = f"{label.capitalize()} before and after {_short(result.primary.name, 60)}"
    place_title(fig, title or default, _subtitle(result, level, label))
    return fig, panels


def _draw_not_shown(panels: Sequence[Axes], result, label: str, unit: str) -> None:
    """Panels b and c of a projection the result flags as uninformative: the reason only."""
    _not_shown(panels[1], "The difference from the counterfactual")
    panels[1].set_ylabel(f"difference,\n{label} per {unit}")
    panels[1].set_title(f"Difference per {unit}", loc="left", fontsize=9.5)
    _not_shown(panels[2], "The cumulative difference")
    panels[2].set_ylabel(f"cumulative difference,\n{label}")
    panels[2].set_title(
        f"Cumulative difference since {_fmt_day(result.primary.first_period)}",
        loc="left",
        fontsize=9.5,
    )


def _wrap_crowded_titles(fig: Figure, panels: Sequence[Axes], gap: float = 6.0) -> bool:
    """Break a panel title onto two lines where the legend on its line would touch it.

    Layout only: the drawn extents of the title and the legend are compared (``gap`` pixels
    apart at least); nothing is estimated. Returns whether any title was changed.
    """
    try:
        renderer = fig.canvas.get_renderer()
    except AttributeError:  # pragma: no cover - a backend without a renderer: leave it
        return False
    changed = False
    for ax in panels:
        legend, title = ax.get_legend(), ax._left_title
        text = title.get_text()
        if legend is None or " " not in text or "\n" in text:
            continue
        right = title.get_window_extent(renderer).x1
        if right + gap <= legend.get_window_extent(renderer).x0:
            continue
        words = text.split(" ")
        half = len(text) / 2
        cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - half))
        title.set_text(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]))
        changed = True
    return changed


def _effect_legend(ax: Axes, frame: pd.DataFrame, start, end) -> None:
    """Legend of an effect panel, off the data: in the empty stretch before the intervention
    when it spans at least 40% of the axis, else on the panel's title line."""
    post = frame.index[frame["effect"].notna()]
    if len(post):
        frac = (pd.Timestamp(post[0]) - pd.Timestamp(start)) / (
            pd.Timestamp(end) - pd.Timestamp(start)
        )
        if frac >= 0.4:
            house_legend(ax, loc="center left", fontsize=7.8, handlelength=1.6)
            return
    house_legend(
        ax,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        fontsize=7.8,
        borderaxespad=0.1,
        handlelength=1.6,
    )


#: Fewer events than this after the intervention add a small-count caution to the subtitle.
SMALL_COUNT = 30


def _subtitle(result, level: int, label: str) -> str | None:
    """The headline numbers the result holds, in words that never over-claim."""
    parts = []
    lc = result.primary.level_change
    if np.isfinite(lc.estimate):
        text = (
            f"Immediate change: rate ratio {fmt_ratio(lc.estimate)} ({level}% CI "
            f"{fmt_ratio(lc.ci_low)} to {fmt_ratio(lc.ci_high)})"
        )
        if classify_change(lc.ci_low, lc.ci_high) == "unclear":
            text += f", {NO_CHANGE}"
        parts.append(text)
    ce = getattr(result, "cumulative_effect", {}) or {}
    if ce.get("projection_uninformative"):  # the result says it bounds nothing: not quoted
        parts.append("cumulative difference not bounded (the projection is too uncertain)")
    elif ce.get("n_periods") and np.isfinite(ce.get("estimate", np.nan)):
        text = (
            f"cumulative difference {_fmt_count(ce['estimate'])} {label} ({level}% PI "
            f"{_fmt_count(ce['ci_low'])} to {_fmt_count(ce['ci_high'])})"
        )
        if classify_change(ce.get("ci_low"), ce.get("ci_high"), 0.0) == "unclear":
            text += f", {NO_CHANGE}"
        parts.append(text)
    segments = (getattr(result, "diagnostics", {}) or {}).get("events_by_segment") or {}
    if segments:
        after = list(segments.values())[-1]
        if after is not None and np.isfinite(after) and after < SMALL_COUNT:
            parts.append(
                f"small counts: only {count_of(after, label)} after it; intervals are wide"
            )
    return "; ".join(parts) + "." if parts else None


def _note(result, level: int) -> str:
    fam = {"negbin": "negative binomial", "poisson": "Poisson", "quasipoisson": "quasi-Poisson"}
    family = fam.get(getattr(result.fit, "family", ""), "count")
    settings = getattr(result, "settings", {}) or {}
    latent = (
        " with a latent AR(1) log intensity" if settings.get("inference") == "latent_ar" else ""
    )
    return (
        f"Segmented {family} regression{latent}. Counterfactual: the fitted model without the last "
        f"intervention. Bands: {level}% intervals (prediction intervals include count noise)."
    )

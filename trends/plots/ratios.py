"""Rate ratios with their intervals as rows of points on a log axis (a shared panel).

Used by the charts of the two-phase comparison (:mod:`trends.plots.rates`) and of the pre-trend
check (:mod:`trends.plots.pretrend`). Every number is given by the caller as its result holds
it; the only arithmetic is placing points and choosing the axis limits. A ratio that is not
available is not drawn: its row says why in words.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from trends.verdicts.words import fmt_ratio

__all__ = ["RatioRow", "draw_ratio_rows", "finite_ratio", "ratio_frame_row"]


@dataclass(frozen=True)
class RatioRow:
    """One rate ratio to draw.

    Attributes
    ----------
    label : str
        Row label (what the ratio is).
    estimate, ci_low, ci_high : float or None
        As the result holds them (``None``, NaN, 0 or infinity allowed).
    color : str
        Colour of the point and its interval.
    missing : str, optional
        Why the ratio is not drawn, in words (written in the row instead of a point).
    """

    label: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    color: str = "#000000"
    missing: str | None = None


def finite_ratio(x: object) -> float | None:
    """``x`` as a float when it is a finite positive ratio (placeable on a log axis), else None.

    Parameters
    ----------
    x : object
        A number, ``None`` or anything else.

    Returns
    -------
    float or None
    """
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and v > 0 else None


def _limits(rows: Sequence[RatioRow]) -> tuple[float, float]:
    """Log-axis limits that hold 1 and every finite positive number of the rows."""
    values = [1.0]
    for row in rows:
        if row.missing is None:
            values += [v for v in (row.estimate, row.ci_low, row.ci_high) if finite_ratio(v)]
    lo, hi = min(values), max(values)
    return lo / 1.8, hi * 1.8


def _fmt_tick(x: float, _pos: int | None = None) -> str:
    return f"{x:g}" if x >= 1 else f"{x:.2g}"


def _limit(x: object, open_value: float) -> float | None:
    """An interval limit to place: the value, ``open_value`` for 0 or infinity (an open end),
    ``None`` when the result holds none (``None`` or NaN)."""
    if x is None:
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(v):
        return None
    return v if math.isfinite(v) and v > 0 else open_value


def _row_text(row: RatioRow) -> str:
    """The ratio and its interval in words, above the row's point."""
    est = finite_ratio(row.estimate)
    if _limit(row.ci_low, 0.0) is None or _limit(row.ci_high, math.inf) is None:
        return f"{fmt_ratio(est)} (no interval)"
    lo = fmt_ratio(row.ci_low) if finite_ratio(row.ci_low) else "0"
    hi = fmt_ratio(row.ci_high) if finite_ratio(row.ci_high) else "no upper limit"
    if est is None:
        unbounded = row.estimate is not None and float(row.estimate) == math.inf
        head = "infinite (none before)" if unbounded else "not estimable"
        return f"{head}; interval {lo} to {hi}"
    return f"{fmt_ratio(est)} ({lo} to {hi})"


def draw_ratio_rows(
    ax: Axes, rows: Sequence[RatioRow], *, level: int, what: str = "rate ratio after/before"
) -> None:
    """Draw each row's ratio as a point with its interval (log axis, "no change" at 1).

    An interval limit at 0 or infinity runs to the edge of the axis with an arrow head; a row
    whose ``missing`` is set, or whose estimate and limits are all unplaceable, is written in
    words instead.

    Parameters
    ----------
    ax : Axes
    rows : sequence of RatioRow
        Drawn from the top down.
    level : int
        Confidence level in per cent (axis label).
    what : str
        What the ratios are, in words (axis label).
    """
    lo_ax, hi_ax = _limits(rows)
    y = list(range(len(rows)))[::-1]
    ax.set_xscale("log")
    ax.set_xlim(lo_ax, hi_ax)
    ax.axvline(1.0, color="#777777", lw=0.9, ls=":", zorder=1)
    ax.text(1.0, 1.0, " no change", transform=ax.get_xaxis_transform(), ha="left", va="top",
            fontsize=7.5, color="#555555")  # fmt: skip
    for yi, row in zip(y, rows, strict=True):
        est = finite_ratio(row.estimate)
        low, high = _limit(row.ci_low, 0.0), _limit(row.ci_high, math.inf)
        if row.missing is not None or (est is None and (low is None or high is None)):
            ax.text(0.5, yi, textwrap.fill(row.missing or "not available", 52),
                    transform=ax.get_yaxis_transform(), ha="center", va="center", fontsize=7.8,
                    color="#555555",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})  # fmt: skip
            continue
        left = lo_ax if not low else low
        if low is not None and high is not None:  # an interval (its open ends as arrows)
            right = hi_ax if not math.isfinite(high) else high
            ax.plot([left, right], [yi, yi], color=row.color, lw=2.2, solid_capstyle="butt",
                    zorder=3)  # fmt: skip
            for edge, open_end, marker in ((left, not low, "<"), (right, right == hi_ax, ">")):
                ax.plot([edge], [yi], marker=marker if open_end else "|", color=row.color, ms=8,
                        mew=2, zorder=3)  # fmt: skip
        if est is not None:
            ax.plot([est], [yi], "o", color=row.color, ms=8, zorder=4)
        anchor = est if est is not None else left
        where = math.log(anchor / lo_ax) / math.log(hi_ax / lo_ax)  # 0 to 1 across the axis
        ha = "center" if 0.3 < where < 0.7 else "left" if where <= 0.3 else "right"
        ax.annotate(_row_text(row), (anchor, yi), xytext=(0, 7), textcoords="offset points",
                    ha=ha, va="bottom", fontsize=8.5, color=row.color)  # fmt: skip
    ax.set_yticks(y)
    ax.set_yticklabels([row.label for row in rows])
    ax.set_ylim(min(y) - 0.7, max(y) + 0.9)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(_fmt_tick))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(axis="x", color="#EEEEEE", lw=0.6)
    ax.set_xlabel(f"{what} ({level}% interval, log scale)")


def ratio_frame_row(row: RatioRow) -> dict[str, float]:
    """The numbers of a row as recorded with :func:`~trends.plots.style.attach_data`.

    Parameters
    ----------
    row : RatioRow

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high`` as floats (``None`` as NaN; 0 and infinity kept).
    """
    return {
        k: (np.nan if v is None else float(v))
        for k, v in (("estimate", row.estimate), ("ci_low", row.ci_low), ("ci_high", row.ci_high))
    }

"""Numbers in words for the model reports: dates, percentages, p-values, counts, changes.

Dates and p-values are written by :mod:`trends.verdicts.words` (one style across model
reports, bottom lines, charts and reports) and re-exported here. Everything returns plain text; :class:`trends.models.its.ITSResult` and
:class:`trends.models.rates.RateComparison` build their sentences from these.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from trends.verdicts.words import fmt_date, fmt_p, fmt_percent

__all__ = [
    "describe_change",
    "describe_count_interval",
    "fmt_date",
    "fmt_level",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "signed_pct",
]


class RatioLike(Protocol):
    """A rate ratio with an interval (such as :class:`trends.models.its.RateRatio`)."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float


def fmt_pct(x: float) -> str:
    """A percentage with 0, 1 or 2 decimals depending on its size.

    Parameters
    ----------
    x : float
        The percentage (``62.0`` for 62%).

    Returns
    -------
    str
        For example ``"62%"``, ``"4.5%"``, ``"0.25%"``; never "100%" or "0%" for a percentage
        that is not exactly that (:func:`trends.verdicts.words.fmt_percent`).
    """
    return fmt_percent(x)


def fmt_num(x: float) -> str:
    """A count or rate with a precision that suits its size (``"n/a"`` when not finite).

    Parameters
    ----------
    x : float
        The number.

    Returns
    -------
    str
        For example ``"1,234"``, ``"12.3"``, ``"1.23"``.
    """
    if not np.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def signed_pct(x: float) -> str:
    """A percentage with its sign (``"+12%"``, ``"-3.5%"``).

    Parameters
    ----------
    x : float
        The percentage.

    Returns
    -------
    str
        The signed percentage.
    """
    return ("+" if x >= 0 else "-") + fmt_pct(abs(x))


def describe_change(rr: RatioLike, per: str = "") -> str:
    """``'fell by 62% (95% CI 40% to 76%; p < 0.001)'`` style text for a rate ratio.

    Parameters
    ----------
    rr : RatioLike
        The ratio with its interval, p-value and level.
    per : str, default ""
        Words after the percentage (``" per day"`` for a slope).

    Returns
    -------
    str
        The sentence fragment.
    """
    lvl = f"{round(rr.level * 100):d}%"
    if not np.isfinite(rr.estimate):
        return "could not be estimated"
    pct = (rr.estimate - 1.0) * 100.0
    lo = (rr.ci_low - 1.0) * 100.0
    hi = (rr.ci_high - 1.0) * 100.0
    if rr.ci_high < 1.0:
        return (
            f"fell by {fmt_pct(-pct)}{per} ({lvl} CI {fmt_pct(-hi)} to {fmt_pct(-lo)}; "
            f"{fmt_p(rr.p_value)})"
        )
    if rr.ci_low > 1.0:
        return (
            f"rose by {fmt_pct(pct)}{per} ({lvl} CI {fmt_pct(lo)} to {fmt_pct(hi)}; "
            f"{fmt_p(rr.p_value)})"
        )
    return (
        f"changed by {signed_pct(pct)}{per} ({lvl} CI {signed_pct(lo)} to {signed_pct(hi)}; "
        f"{fmt_p(rr.p_value)}; not distinguishable from no change)"
    )


def describe_count_interval(lo: float, hi: float) -> str:
    """``'150 to 412 fewer'`` / ``'20 fewer to 35 more'`` for an interval of differences.

    Parameters
    ----------
    lo, hi : float
        Interval of ``observed - expected``.

    Returns
    -------
    str
        The words.
    """

    def count(v: float) -> str:  # differences of counts print as whole numbers
        return f"{round(abs(v)):,d}"

    def one(v: float) -> str:
        return f"{count(v)} {'fewer' if v < 0 else 'more'}"

    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "without a finite bound: the projection is too uncertain to bound the difference"
    if hi < 0:
        return f"{count(hi)} to {count(lo)} fewer"
    if lo > 0:
        return f"{count(lo)} to {count(hi)} more"
    return f"{one(lo)} to {one(hi)}"


def fmt_level(x: float) -> str:
    """A segment level or parameter with three significant figures for small values.

    Parameters
    ----------
    x : float
        The number.

    Returns
    -------
    str
        For example ``"1,234"``, ``"12.3"``, ``"4.5"``, ``"0.25"``, ``"0.0123"``; ``"n/a"``
        when not finite.
    """
    if not np.isfinite(x):
        return "n/a"
    ax = abs(x)
    if ax >= 100:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 0.1:
        return f"{x:.2f}".rstrip("0").rstrip(".") if ax < 1 else f"{x:.1f}"
    return f"{x:.3g}"

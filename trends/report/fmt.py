"""Numbers, dates and claims in the words of the report (plain text, no markup).

Shared by the report templates and the ``trends claims`` table.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from trends.models.claims import claim_words
from trends.verdicts.words import fmt_date, fmt_percent, fmt_rate

__all__ = [
    "UNITS",
    "number",
    "rate",
    "ratio",
    "interval",
    "day",
    "iso",
    "pct_change",
    "ratios",
    "when",
    "unit_of",
    "claim_text",
    "observed_text",
    "missing",
]

#: Period letter -> unit word.
UNITS = {"D": "day", "W": "week", "M": "month"}


def missing(x: Any) -> bool:
    """Whether ``x`` is None, NaN or NaT."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(x: Any, digits: int = 3) -> str:
    """A number for prose: whole numbers with thousands separators, else significant digits."""
    if missing(x) or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    if (x.is_integer() and abs(x) >= 1) or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def rate(x: Any) -> str:
    """A rate per period, by the one rule of every rate in a report
    (:func:`trends.verdicts.words.fmt_rate`: "117.3", "0.05", "1,250"), so that the bottom line,
    the findings and their detail print the same rate the same way."""
    return "n/a" if missing(x) else fmt_rate(x)


def ratio(x: Any) -> str:
    """A rate ratio: four decimals close to 1 (per-day trend ratios), else three digits."""
    if missing(x):
        return "n/a"
    return f"{x:.4f}" if abs(float(x) - 1) < 0.1 else f"{float(x):.3g}"


def ratios(estimate: Any, low: Any, high: Any) -> tuple[str, str, str]:
    """A ratio and its interval with one rule, chosen by the estimate: four decimals when it is
    close to 1 (per-day trend ratios), else three significant digits
    (``("0.875", "0.818", "0.937")``, not ``"0.818 to 0.9368"``)."""
    if missing(estimate):
        return ratio(estimate), ratio(low), ratio(high)
    near = abs(float(estimate) - 1) < 0.1

    def one(x: Any) -> str:
        if missing(x):
            return "n/a"
        return f"{float(x):.4f}" if near else f"{float(x):.3g}"

    return one(estimate), one(low), one(high)


def interval(estimate: Any, low: Any, high: Any) -> str:
    """``"0.344 (95% CI 0.283 to 0.415)"``."""
    if missing(estimate) and missing(low):
        return "n/a"
    est, lo, hi = ratios(estimate, low, high)
    return f"{est} (95% CI {lo} to {hi})"


def day(x: Any) -> str:
    """``"31 Aug 2019"`` (``"n/a"`` when missing)."""
    return "n/a" if missing(x) else fmt_date(x)


def iso(x: Any) -> str:
    """``"2019-08-31"`` (empty when missing)."""
    return "" if missing(x) else f"{pd.Timestamp(x):%Y-%m-%d}"


def pct_change(rr: float) -> str:
    """``"fell by 65.6%"`` / ``"rose by 3%"`` from a rate ratio."""
    change = (rr - 1) * 100
    digits = 1 if abs(change) < 10 else 0
    if change >= 0:
        return f"rose by {fmt_percent(change, digits)}"
    return f"fell by {fmt_percent(-change, digits)}"


def when(event: Any, first_day: Any) -> str:
    """``"06:00 on 31 Aug 2019"`` for an event with a time of day, else the day."""
    start = getattr(event, "start", None)
    if start is not None and getattr(event, "has_time", False):
        return f"{pd.Timestamp(start):%H:%M} on {day(start)}"
    return day(first_day)


def unit_of(freq: str) -> str:
    """The period unit of a frequency (``"W-MON"`` -> ``"week"``)."""
    return UNITS.get(str(freq)[:1].upper(), "period")


def claim_text(row: Any) -> str:
    """A claim in words, in the source's own qualifier ("more than 200 civilian deaths"), with
    its perpetrator and its region when it names them ("at least 500 civilian deaths by the
    Arakan Army in Rakhine")."""
    get = row.get
    value = get("value")
    quantity = next(
        (get(c) for c in ("quantity_text", "quantity_raw") if isinstance(get(c), str) and get(c)),
        get("quantity"),
    )
    if missing(value):
        return f"{get('qualifier_raw') or ''} ? {quantity or ''}".strip()
    raw = get("qualifier_raw")
    text = claim_words(
        float(value),
        str(get("qualifier") or "reported"),
        quantity if isinstance(quantity, str) else None,
        raw if isinstance(raw, str) else None,
    )
    perp = get("perpetrator_scope")
    if isinstance(perp, str) and perp.strip():
        text = f"{text} by {perp.strip()}"
    region = get("region")
    return f"{text} in {region.strip()}" if isinstance(region, str) and region.strip() else text


def observed_text(row: Any) -> str:
    """``"203 (188-279)"``: the data's best figure and low-high range for a claim."""
    best = row.get("observed_best")
    if missing(best):
        return ""
    return f"{number(best)} ({number(row.get('observed_low'))}-{number(row.get('observed_high'))})"

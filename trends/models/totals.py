"""Two published totals compared: "213 killed in the 31 days before, 95 in the 30 days after".

Monitors and newspapers often publish only totals over stated periods. Their rates can still be
compared honestly: treating each total as a Poisson count over its exposure (days covered), the
ratio of the two rates has an *exact conditional* test and interval (the number after, given the
sum, is binomial with success probability ``t1 * r / (t0 + t1 * r)``; Clopper-Pearson limits on
that probability give the interval for the rate ratio ``r``). Unequal periods are allowed and
matter: 95/30 against 213/31 is a ratio of 0.461, not the 0.446 of the raw totals.

What this can and cannot say: two totals carry no information about day-to-day variation, so
the interval is the one that holds *if every day were an independent Poisson draw*. Real conflict
counts are overdispersed and clustered, which makes the true uncertainty wider; the report says
so, and never calls a change a fall or a rise when the interval includes no change.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import stats

from trends.errors import InputError
from trends.models.rates import exact_poisson_ratio
from trends.results import Result, to_jsonable
from trends.verdicts.words import fmt_p

__all__ = ["PublishedTotal", "TotalsComparison", "compare_totals", "parse_total"]

_TOTAL = re.compile(r"^\s*(\d+)\s*(?:/|\s+in\s+)\s*(\d+(?:\.\d+)?)\s*(?:days?)?\s*$", re.I)

#: The largest count accepted for one published total (a guard against typing errors).
MAX_TOTAL = 100_000_000


@dataclass(frozen=True)
class PublishedTotal:
    """A count published for a stated period.

    Attributes
    ----------
    count : int
        The total (a whole number of deaths, attacks...).
    days : float
        The exposure: number of days the total covers (> 0).
    label : str
        What the period is called in the report ("before", "after", "the month before"...).
    start, end : pandas.Timestamp or None
        The period's first and last day, when known (``days`` then equals their distance + 1).
    """

    count: int
    days: float
    label: str = ""
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or int(self.count) != self.count:
            raise InputError(f"a total must be a whole number, got {self.count!r}")
        if not 0 <= int(self.count) <= MAX_TOTAL:
            raise InputError(
                f"a total must be between 0 and {MAX_TOTAL:,}, got {int(self.count):,}"
            )
        if not (isinstance(self.days, int | float) and math.isfinite(self.days) and self.days > 0):
            raise InputError(
                f"the period of a total must be a positive number of days, got {self.days!r}"
            )
        object.__setattr__(self, "count", int(self.count))

    @property
    def rate(self) -> float:
        """Count per day."""
        return self.count / self.days

    def rate_interval(self, alpha: float = 0.05) -> tuple[float, float]:
        """The exact (Garwood) Poisson interval of the rate per day.

        Parameters
        ----------
        alpha : float, default 0.05
            One minus the confidence level.

        Returns
        -------
        (float, float)
            Lower and upper limits of the rate per day.
        """
        k = self.count
        low = 0.0 if k == 0 else float(stats.gamma.ppf(alpha / 2, k)) / self.days
        high = float(stats.gamma.ppf(1 - alpha / 2, k + 1)) / self.days
        return low, high


def parse_total(text: str, label: str = "") -> PublishedTotal:
    """Read ``"213/31"`` or ``"213 in 31 days"`` as a :class:`PublishedTotal`.

    Parameters
    ----------
    text : str
        A whole count, a slash (or the word "in") and the number of days it covers.
    label : str, optional
        Name of the period.

    Returns
    -------
    PublishedTotal

    Raises
    ------
    InputError
        The text is not of that form (thousands separators are refused: write 1089, not 1,089).
    """
    match = _TOTAL.match(str(text))
    if match is None:
        raise InputError(
            f"cannot read {text!r} as a published total: write COUNT/DAYS, e.g. 213/31 "
            "(213 in 31 days), with no thousands separators"
        )
    days = float(match.group(2))
    return PublishedTotal(int(match.group(1)), int(days) if days.is_integer() else days, label)


def _plural(n: float, unit: str) -> str:
    if float(n).is_integer():
        n = int(n)
        return f"{n:,} {unit}" + ("" if n == 1 else "s")
    return f"{n:g} {unit}s"


def _rate_text(rate: float) -> str:
    return f"{rate:.2f}" if rate < 100 else f"{rate:,.0f}"


@dataclass(eq=False, repr=False)
class TotalsComparison(Result):
    """Result of :func:`compare_totals`: the exact ratio of two published rates.

    Attributes
    ----------
    before, after : PublishedTotal
        The two totals.
    estimate, ci_low, ci_high, p_value : float
        Rate ratio after/before, its exact conditional confidence interval and two-sided p-value.
    alpha : float
        One minus the confidence level.
    measure : str
        What was counted, in words ("civilians killed").
    method : str
        How the interval was computed.
    """

    before: PublishedTotal
    after: PublishedTotal
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    alpha: float = 0.05
    measure: str = "events"
    method: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def distinguishable(self) -> bool:
        """Whether the interval excludes a ratio of 1 (no change)."""
        return self.ci_high < 1.0 or self.ci_low > 1.0

    def summary(self) -> pd.DataFrame:
        """The two periods and the ratio, one row each."""
        rows = {
            "before": {
                "count": self.before.count,
                "days": self.before.days,
                "rate": self.before.rate,
            },
            "after": {"count": self.after.count, "days": self.after.days, "rate": self.after.rate},
            "ratio_exact": {
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "p_value": self.p_value,
            },
        }
        return pd.DataFrame.from_dict(rows, orient="index")

    def glance(self) -> pd.DataFrame:
        """One row: the ratio, its interval and p-value, and whether it excludes no change."""
        return pd.DataFrame(
            [
                {
                    "measure": self.measure,
                    "count_before": self.before.count,
                    "days_before": self.before.days,
                    "count_after": self.after.count,
                    "days_after": self.after.days,
                    "rate_ratio": self.estimate,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "p_value": self.p_value,
                    "distinguishable": self.distinguishable,
                }
            ]
        )

    def _change_sentence(self) -> str:
        level = f"{round((1 - self.alpha) * 100):d}%"
        ci = f"{level} CI {self.ci_low:.3f} to {self.ci_high:.3f}"
        p = fmt_p(self.p_value)
        if not math.isfinite(self.estimate):
            return f"The rate ratio after/before cannot be estimated ({ci}; {p})."
        pct = abs(self.estimate - 1.0) * 100.0
        if not self.distinguishable:
            return (
                f"The rate ratio after/before is {self.estimate:.3f} ({ci}; {p}): not "
                "distinguishable from no change; the difference could be chance."
            )
        verb = "fell" if self.estimate < 1 else "rose"
        return (
            f"The rate {verb} by {pct:.0f}%: rate ratio after/before {self.estimate:.3f} "
            f"({ci}; {p})."
        )

    def report(self) -> str:
        """Plain-language paragraph: the two rates, the ratio, and what it assumes."""
        parts = []
        for name, total in (("Before", self.before), ("After", self.after)):
            label = (
                f" ({total.label})"
                if total.label and total.label not in ("before", "after")
                else ""
            )
            parts.append(
                f"{name}{label}: {total.count:,} {self.measure} in {_plural(total.days, 'day')}, "
                f"{_rate_text(total.rate)} per day."
            )
        parts.append(self._change_sentence())
        parts.append(
            "This interval holds if every day were an independent Poisson draw; real counts "
            "cluster, so the true uncertainty is wider."
        )
        return " ".join(parts + self.notes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary."""
        return to_jsonable(
            {
                "model": "published_totals",
                "measure": self.measure,
                "alpha": self.alpha,
                "before": {
                    "count": self.before.count,
                    "days": self.before.days,
                    "rate": self.before.rate,
                    "label": self.before.label or None,
                },
                "after": {
                    "count": self.after.count,
                    "days": self.after.days,
                    "rate": self.after.rate,
                    "label": self.after.label or None,
                },
                "rate_ratio": {
                    "estimate": self.estimate,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "p_value": self.p_value,
                    "method": self.method,
                },
                "distinguishable": self.distinguishable,
                "assumption": "every day an independent Poisson draw",
            }
        )


def compare_totals(
    before: PublishedTotal | str,
    after: PublishedTotal | str,
    *,
    alpha: float = 0.05,
    measure: str = "events",
) -> TotalsComparison:
    """Compare two published totals with the exact conditional Poisson rate ratio.

    Parameters
    ----------
    before, after : PublishedTotal or str
        The totals, or text such as ``"213/31"`` (213 in 31 days).
    alpha : float, default 0.05
        One minus the confidence level.
    measure : str, default "events"
        What was counted, in words, for the report ("civilians killed").

    Returns
    -------
    TotalsComparison

    Examples
    --------
    >>> compare_totals("213/31", "95/30", measure="casualties").estimate  # doctest: +ELLIPSIS
    0.4608...
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha!r}")
    b = parse_total(before, "before") if isinstance(before, str) else before
    a = parse_total(after, "after") if isinstance(after, str) else after
    rr = exact_poisson_ratio(a.count, a.days, b.count, b.days, alpha=alpha)
    notes = []
    if a.count + b.count < 20:
        notes.append(
            f"With only {a.count + b.count:,} {measure} in all, the interval is wide by nature."
        )
    return TotalsComparison(
        before=b,
        after=a,
        estimate=float(rr["estimate"]),
        ci_low=float(rr["ci_low"]),
        ci_high=float(rr["ci_high"]),
        p_value=float(rr["p_value"]),
        alpha=alpha,
        measure=measure,
        method=str(rr["method"]),
        notes=notes,
    )

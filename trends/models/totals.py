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
from trends.series.measured import column_words
from trends.verdicts.words import (
    change_words,
    classify_change,
    count_of,
    empty_phase,
    empty_phase_sentence,
    fmt_estimate,
    fmt_p,
    fmt_ratio,
    fmt_sig,
    plural_measure,
)

__all__ = ["PublishedTotal", "TotalsComparison", "compare_totals", "parse_total"]

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


#: How a total can be written: "213/31", "213 in 31 days", "213 in the 31 days before",
#: "1,213 killed over the 4 weeks after the truce" (see :func:`parse_total`).
_HOW = "write COUNT/DAYS (213/31) or words such as '213 in the 31 days before'"
_SLASH = re.compile(r"^(?P<count>\S+?)\s*/\s*(?P<days>\S+?)\s*(?:d|days?)?$")
_NUMBER = r"\d[\d,.]*"
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip
_UNITS = {"d": 1, "day": 1, "days": 1, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
          "fortnight": 14, "fortnights": 14}  # fmt: skip
_VAGUE = ("month", "months", "year", "years")
_BEFORE = ("before", "prior", "preceding", "previous", "earlier")
_AFTER = ("after", "following", "since", "subsequent", "later", "next")
_PERIOD = re.compile(
    r"\b(?P<prep>in|over|during|across|for|within)\s+(?:the\s+)?"
    r"(?:(?P<mod>first|last|past|next|following|preceding|previous|subsequent)\s+)?"
    rf"(?:(?P<n>{_NUMBER}|{'|'.join(_WORDS)})\s*)?"
    rf"(?P<unit>{'|'.join(sorted((*_UNITS, *_VAGUE), key=len, reverse=True))})\b"
    r"(?P<rest>.*)$"
)


def _whole(text: str, whole: str) -> int:
    """A count written with or without thousands separators ("1,213"), else a clear error."""
    if re.fullmatch(r"\d+|\d{1,3}(?:,\d{3})+", text):
        return int(text.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):  # 1.089: a thousands point?
        n = int(text.replace(".", ""))
        raise InputError(
            f"cannot read {whole!r} as a published total: {text!r} is not a whole number (a total "
            f"counts deaths or events; for {n:,d} write {n} or {n:,d})"
        )
    if re.fullmatch(r"[\d.,]+", text) and "." in text:
        raise InputError(
            f"cannot read {whole!r} as a published total: {text!r} is not a whole number (a total "
            "counts deaths or events: write the whole count, without a decimal point)"
        )
    if re.fullmatch(r"[\d,]+", text):
        raise InputError(
            f"cannot read {whole!r} as a published total: {text!r} is not a number "
            "(thousands separators go every three digits: 1,213)"
        )
    raise InputError(f"cannot read {whole!r} as a published total: {_HOW}")


def _amount(text: str, whole: str) -> float:
    """A number of days or weeks: a whole or decimal number ("31", "7.5", "1,000")."""
    if text in _WORDS:
        return float(_WORDS[text])
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    return float(_whole(text, whole))


def _vague(whole: str, unit: str) -> InputError:
    what = "months have 28 to 31 days" if unit.startswith("month") else "years have 365 or 366"
    return InputError(
        f"cannot read {whole!r} as a published total: it does not give the number of days "
        f"({what}); give the number of days, e.g. '95 in the 30 days after' or 95/30"
    )


def _read_total(text: str) -> tuple[int, float, str]:
    """``(count, days, direction)`` of a total's text; direction is "before", "after" or ""."""
    whole = str(text)
    norm = " ".join(whole.replace("\u00a0", " ").split()).casefold()
    slash = _SLASH.match(norm)
    if slash is not None:
        count = _whole(slash.group("count"), whole)
        if not re.fullmatch(r"\d[\d,]*(?:\.\d+)?", slash.group("days")):
            raise InputError(f"cannot read {whole!r} as a published total: {_HOW}")
        return count, _amount(slash.group("days"), whole), ""
    head, _, tail = norm.partition(" ")
    if not re.fullmatch(_NUMBER, head):
        raise InputError(f"cannot read {whole!r} as a published total: {_HOW}")
    count = _whole(head, whole)
    periods = list(_PERIOD.finditer(tail))  # the last group runs to the end: a second period
    periods += [p for m in periods[:1] for p in _PERIOD.finditer(m.group("rest"))]
    if not periods:
        if re.search(r"\b(?:months?|years?)\b", tail):
            raise _vague(whole, re.search(r"\b(?:months?|years?)\b", tail).group(0))
        if re.search(r"\b(?:days|weeks)\b", tail):
            raise InputError(
                f"cannot read {whole!r} as a published total: it does not say how many days; {_HOW}"
            )
        raise InputError(f"cannot read {whole!r} as a published total: {_HOW}")
    m = periods[0]
    what = tail[: m.start()]
    if re.search(r"\d", what) or len(periods) > 1:
        raise InputError(
            f"cannot read {whole!r} as a published total: give one count and one period; {_HOW}"
        )
    unit = m.group("unit")
    if unit in _VAGUE:
        raise _vague(whole, unit)
    n = m.group("n")
    if n is None:
        if unit.endswith("s"):
            raise InputError(
                f"cannot read {whole!r} as a published total: it does not say how many {unit}; "
                f"{_HOW}"
            )
        amount = 1.0
    else:
        amount = _amount(n, whole)
    days = amount * _UNITS[unit]
    words = [m.group("mod") or "", *m.group("rest").split()[:1]]
    direction = next(
        ("before" if w in _BEFORE else "after" for w in words if w in _BEFORE or w in _AFTER), ""
    )
    return count, days, direction


def parse_total(text: str, label: str = "") -> PublishedTotal:
    """Read a published total: ``"213/31"``, ``"213 in 31 days"``, ``"213 in the 31 days
    before"``, ``"1,213 killed over the 4 weeks after"``...

    Accepted: a whole count (thousands separators allowed: ``1,213``), then either a slash and
    the number of days, or words naming the period: "in", "over", "during", "across", "for" or
    "within", an optional "the", an optional "first", "last", "following"..., a number (digits,
    or "a", "one" to "twelve") and "days", "weeks" (7 days) or "fortnights" (14). Words between
    the count and the period ("killed") and after it ("before the truce") are allowed. Months
    and years are refused: they do not say how many days (a month has 28 to 31).

    Parameters
    ----------
    text : str
        The total.
    label : str, optional
        Name of the period.

    Returns
    -------
    PublishedTotal

    Raises
    ------
    InputError
        The text cannot be read; the message says why and how to write it.

    Examples
    --------
    >>> t = parse_total("95 in the 4 weeks after")
    >>> (t.count, t.days)
    (95, 28)
    """
    count, days, _ = _read_total(text)
    return PublishedTotal(count, int(days) if days.is_integer() else days, label)


def _plural(n: float, unit: str) -> str:
    if float(n).is_integer():
        n = int(n)
        return f"{n:,} {unit}" + ("" if n == 1 else "s")
    return f"{n:g} {unit}s"


def _rate_text(rate: float) -> str:
    """A rate per day with three significant figures ("0.167", "2.67", "0.00274"), as in the
    report's table: never "0.00" for a rate that is not 0."""
    return fmt_sig(rate, 3)


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

    def rates(self) -> pd.DataFrame:
        """The two totals as rates per day, each with its exact Poisson interval.

        Returns
        -------
        DataFrame
            Index ``before``, ``after``; columns ``count``, ``days``, ``rate``, ``ci_low`` and
            ``ci_high`` (:meth:`PublishedTotal.rate_interval` at this result's ``alpha``).
        """
        rows = {}
        for name, total in (("before", self.before), ("after", self.after)):
            low, high = total.rate_interval(self.alpha)
            rows[name] = {"count": total.count, "days": float(total.days), "rate": total.rate,
                          "ci_low": low, "ci_high": high}  # fmt: skip
        return pd.DataFrame.from_dict(rows, orient="index")

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
        table = pd.DataFrame.from_dict(rows, orient="index")
        for col in ("count", "days"):  # whole numbers, shown as such
            values = table[col].dropna()
            if len(values) and (values % 1 == 0).all():
                table[col] = table[col].astype("Int64")
        return table

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

    def ratio_words(self) -> tuple[str, str]:
        """The ratio and its interval as printed in a table, in words where they are not numbers.

        Returns
        -------
        tuple of str
            ``("0.46", "0.36 to 0.59")`` (the main report's ratio words);
            ``("cannot be estimated", "cannot be estimated")`` with no events in either period;
            ``("unbounded", "unbounded (at least 2.78)")`` with none before.
        """
        if self.before.count == 0 and self.after.count == 0:
            return "cannot be estimated", "cannot be estimated"
        if not math.isfinite(self.estimate):
            return "unbounded", f"unbounded (at least {fmt_ratio(self.ci_low)})"
        return self._estimate_text(), f"{fmt_ratio(self.ci_low)} to {fmt_ratio(self.ci_high)}"

    def _estimate_text(self) -> str:
        """The ratio as printed in the text and the table (:func:`fmt_estimate`: as its interval's
        limits, never more decimals; "16.0", not "16.000")."""
        return fmt_estimate(self.estimate, self.ci_low, self.ci_high)

    def _change_sentence(self) -> str:
        level = f"{round((1 - self.alpha) * 100):d}%"
        ci = f"{level} CI {fmt_ratio(self.ci_low)} to {fmt_ratio(self.ci_high)}"
        p = fmt_p(self.p_value)
        if empty_phase(self.before.count, self.after.count):  # the package's one wording
            sentence = empty_phase_sentence(
                self.measure,
                (self.before.count, self.after.count),
                (_plural(self.before.days, "day"), _plural(self.after.days, "day")),
                (self.ci_low, self.ci_high),
                level=1.0 - self.alpha,
                only_exact=False,
            )
            both = self.before.count == 0 and self.after.count == 0
            return f"{sentence}." if both else f"{sentence}; {p}."
        if not self.distinguishable:
            return (
                f"The rate ratio after/before is {self._estimate_text()} ({ci}; {p}): not "
                "distinguishable from no change; the difference could be chance."
            )
        kind = classify_change(self.ci_low, self.ci_high)
        return (
            f"The rate {change_words(self.estimate, kind)}: rate ratio after/before "
            f"{self._estimate_text()} ({ci}; {p})."
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
                f"{name}{label}: {count_of(total.count, self.measure)} in "
                f"{_plural(total.days, 'day')}, "
                f"{_rate_text(total.rate)} per day."
            )
        parts.append(self._change_sentence())
        if self.before.count + self.after.count > 0:
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
        The totals, or text such as ``"213/31"`` or ``"213 in the 31 days before"``
        (:func:`parse_total`).
    alpha : float, default 0.05
        One minus the confidence level.
    measure : str, default "events"
        What was counted, in words, for the report ("civilians killed"; a bare participle
        such as "killed" reads "people killed").

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
    for given, which in ((before, "before"), (after, "after")):
        if not isinstance(given, str | PublishedTotal):
            raise InputError(
                f"the total {which} ({given!r}) must be text such as '213/31' (213 in 31 days) "
                "or a PublishedTotal, not a bare number: a rate needs the days it covers"
            )
    b = parse_total(before, "before") if isinstance(before, str) else before
    a = parse_total(after, "after") if isinstance(after, str) else after
    said = [_read_total(t)[2] if isinstance(t, str) else "" for t in (before, after)]
    if said[0] == "after" or said[1] == "before":
        raise InputError(
            f"the totals are in the wrong order ({before!r} is said to come "
            f"{said[0] or 'first'}, {after!r} {said[1] or 'second'}): give the total before "
            "first, then the total after"
        )
    rr = exact_poisson_ratio(a.count, a.days, b.count, b.days, alpha=alpha)
    # "killed" counts people ("458 people killed"); "death" is counted as "deaths"
    measure = plural_measure(column_words(measure))
    notes = []
    if 0 < a.count + b.count < 20:
        notes.append(
            f"With only {count_of(a.count + b.count, measure)} in all, the interval is wide by "
            "nature."
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

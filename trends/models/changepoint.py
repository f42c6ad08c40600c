"""When did the rate change? Exact change-point detection for count and level series.

:func:`detect_changepoints` splits a series into segments with a constant rate (Poisson or
negative binomial counts) or a constant mean (Gaussian mean shift, strucchange's
``breakpoints(y ~ 1)``), chooses the number of changes with a stated penalised criterion, and
dates every change with a confidence set: an exact posterior (Poisson), normalised profile
likelihood weights (negative binomial) or Bai's (1997) asymptotic interval (Gaussian).

Conventions
-----------
- **Date of a change** = the *first period of the new segment* (the first day at the new rate).
  strucchange reports the *last period of the old segment*; that convention is exposed too, in
  the ``*_last_old`` columns and keys.
- **Missing periods** (``NaN``: not reported) contribute nothing to the likelihood but keep their
  position in time. A change is always dated to an *observed* period, so a change that follows a
  gap of unreported periods is dated to the first reported period after the gap (the gap length
  is given in ``gap_before``). ``min_size`` counts observed periods.
- **Criterion**: ``-2 log L + c * p`` where ``p`` counts the parameters: ``m + 1`` segment levels,
  ``m`` change dates, plus one variance (Gaussian) or one dispersion (negative binomial); ``c`` is
  ``log(n)`` for BIC and 2 for AIC (``n`` = number of observed periods). For the Gaussian model
  this is exactly strucchange's BIC. A numeric ``criterion`` is a penalty per change on the same
  ``-2 log L`` scale (BIC corresponds to ``2 log(n)`` per change).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> y = pd.Series(np.r_[rng.poisson(4.0, 120), rng.poisson(1.0, 120)],
...               index=pd.date_range("2019-05-04", periods=240, freq="D"))
>>> res = detect_changepoints(y, reference=pd.Timestamp("2019-08-31"))
>>> res.n_changes
1
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammainccinv, gammaincinv, gammaln, ndtri, stdtrit

from trends.errors import EventError, InputError, InsufficientDataError, ModelError, ModelWarning
from trends.models._segmentation import (
    GaussianCost,
    NegBinCost,
    PoissonCost,
    ScaledCost,
    SegmentCost,
    argmax_cdf,
    argmax_quantiles,
    hpd_mask,
    segment_dp,
    segment_pelt,
)
from trends.results import Result, to_jsonable

__all__ = ["detect_changepoints", "ChangePointResult", "ReferenceComparison"]

Model = Literal["poisson", "negbin", "gaussian"]
Method = Literal["auto", "dp", "pelt"]

#: ``method="auto"`` uses PELT above this many observed periods when the number of changes is
#: chosen by the criterion (the exact all-``m`` dynamic programme is O(K n^2)).
AUTO_PELT_MIN_OBS = 2000

_ALPHA_MIN = 1e-6  # NB2 alpha = 1/theta: below this the model is Poisson for all purposes
_ALPHA_MAX = 1e2
_UNIT_WORDS = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly"}


# --------------------------------------------------------------------------------------------
# Time axis
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Axis:
    """Positions of a regular series: labels, integer ordinals (one per period) and units."""

    index: pd.Index
    ordinals: np.ndarray
    kind: str  # "datetime", "period" or "integer"
    unit: str
    periods: pd.PeriodIndex | None = None
    step: int = 1

    @classmethod
    def from_index(cls, index: pd.Index, name: str | None) -> _Axis:
        if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
            if not index.is_monotonic_increasing or not index.is_unique:
                raise InputError("the date index must be increasing without repeats", column=name)
            if isinstance(index, pd.DatetimeIndex):
                try:
                    periods = index.tz_localize(None).to_period() if index.tz else index.to_period()
                except (ValueError, TypeError, AttributeError) as exc:
                    raise InputError(
                        "the date index is not regular (no daily/weekly/monthly frequency could "
                        "be inferred); reindex it, e.g. series.asfreq('D'), so that unreported "
                        "periods are NaN",
                        column=name,
                    ) from exc
                kind = "datetime"
            else:
                periods = index
                kind = "period"
            ordinals = np.asarray(periods.asi8, dtype=np.int64)
            if ordinals.size > 1 and np.any(np.diff(ordinals) != 1):
                raise InputError(
                    "the date index has gaps or a frequency mismatch; reindex it to a regular "
                    "frequency (e.g. series.asfreq('D')) so that unreported periods are NaN",
                    column=name,
                )
            return cls(index, ordinals, kind, _unit_of(periods.freqstr), periods)
        if pd.api.types.is_integer_dtype(index.dtype):
            values = np.asarray(index, dtype=np.int64)
            steps = np.diff(values)
            step = int(steps[0]) if steps.size else 1
            if steps.size and (step <= 0 or np.any(steps != step)):
                raise InputError(
                    "an integer index must increase by a constant step (e.g. consecutive years)",
                    column=name,
                )
            ordinals = (values - values[0]) // step
            yearish = (
                step == 1 and values.size > 0 and values.min() >= 1000 and values.max() <= 3000
            )
            return cls(index, ordinals, "integer", "year" if yearish else "period", None, step)
        raise InputError(
            "the series needs a regular DatetimeIndex, PeriodIndex or integer (e.g. year) index",
            column=name,
        )

    def ordinal_of(self, when: Any) -> int:
        """Ordinal of the period that contains ``when``."""
        if self.kind == "integer":
            if isinstance(when, (pd.Timestamp, np.datetime64)) or hasattr(when, "year"):
                if self.unit != "year":
                    raise EventError(
                        "a date reference needs a date index (or a year index); got "
                        f"{when!r} for an integer index"
                    )
                when = pd.Timestamp(when).year
            try:
                value = float(when)
            except (TypeError, ValueError) as exc:
                raise EventError(
                    f"cannot place the reference {when!r} on an integer index"
                ) from exc
            first = int(self.index[0]) if len(self.index) else 0
            return int(math.floor((value - first) / self.step))
        try:
            ts = pd.Timestamp(when)
        except (TypeError, ValueError) as exc:
            raise EventError(f"cannot read the reference date {when!r}") from exc
        if pd.isna(ts):
            raise EventError("the reference date is missing")
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        assert self.periods is not None
        return int(pd.Period(ts, freq=self.periods.freq).ordinal)

    def label_of_ordinal(self, ordinal: int) -> Any:
        """Label of a period given its ordinal (it may lie outside the series)."""
        if self.kind == "integer":
            return int(self.index[0]) + int(ordinal) * self.step
        assert self.periods is not None
        period = pd.Period(ordinal=int(ordinal), freq=self.periods.freq)
        if self.kind == "period":
            return period
        pos = int(ordinal - self.ordinals[0])
        if 0 <= pos < len(self.index):
            return self.index[pos]
        return period.start_time

    def start_time(self, pos: int) -> pd.Timestamp | None:
        if self.periods is None:
            return None
        return self.periods[pos].start_time


def _unit_of(freqstr: str) -> str:
    f = freqstr.upper()
    if f.startswith("D") or f.startswith("B"):
        return "day"
    if f.startswith("W"):
        return "week"
    if f.startswith("M"):
        return "month"
    if f.startswith("Q"):
        return "quarter"
    if f.startswith("Y") or f.startswith("A"):
        return "year"
    if f.startswith("H"):
        return "hour"
    return "period"


def _plural(k: int, unit: str) -> str:
    return f"{k} {unit}" + ("" if abs(k) == 1 else "s")


def _fmt_label(label: Any, unit: str) -> str:
    if isinstance(label, pd.Timestamp):
        if unit == "month":
            return f"{label:%Y-%m}"
        if unit == "year":
            return f"{label:%Y}"
        if label == label.normalize():
            return label.date().isoformat()
        return label.isoformat()
    return str(label)


def _fmt_range(lo: Any, hi: Any, unit: str) -> str:
    if lo == hi:
        return _fmt_label(lo, unit)
    if isinstance(lo, pd.Timestamp) and isinstance(hi, pd.Timestamp) and unit in ("day", "week"):
        if lo.year == hi.year:
            return f"{lo.day} {lo:%b}–{hi.day} {hi:%b} {hi.year}"
        return f"{lo.day} {lo:%b} {lo.year}–{hi.day} {hi:%b} {hi.year}"
    return f"{_fmt_label(lo, unit)}–{_fmt_label(hi, unit)}"


def _fmt_num(x: float) -> str:
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


# --------------------------------------------------------------------------------------------
# Reference events
# --------------------------------------------------------------------------------------------
def _resolve_reference(reference: Any) -> tuple[Any, str | None]:
    """``(when, name)`` from a date, a label, or an object with ``.start`` and ``.name``/``.id``."""
    if reference is None:
        raise EventError("no reference given")
    if hasattr(reference, "start") and not isinstance(reference, (pd.Timestamp, pd.Period)):
        when = reference.start
        name = None
        for attr in ("name", "label", "id"):
            value = getattr(reference, attr, None)
            if value:
                name = str(value)
                break
        return when, name
    if isinstance(reference, pd.Period):
        return reference.start_time, None
    return reference, None


def _display_reference(when: Any, axis: _Axis) -> Any:
    """The reference as given, normalised for display (Timestamp for dates, int for years)."""
    if axis.kind == "integer":
        if isinstance(when, (pd.Timestamp, np.datetime64)) or hasattr(when, "year"):
            return pd.Timestamp(when)
        try:
            value = float(when)
        except (TypeError, ValueError):
            return when
        return int(value) if value == int(value) else value
    ts = pd.Timestamp(when)
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


# --------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------
@dataclass(eq=False, repr=False)
class ReferenceComparison(Result):
    """How the change nearest a reference event relates to it.

    Attributes
    ----------
    reference : object
        The reference date (or integer) as given.
    reference_period : object
        Label of the period that contains it, in the series' terms (Timestamp, Period or
        integer; it may lie outside the series).
    reference_name : str or None
        Name of the reference event, when it has one.
    n_changes : int
        Number of changes in the segmentation (0: nothing to compare).
    break_number : int or None
        1-based number of the change nearest the reference.
    date, date_last_old : object or None
        The change's estimated date (first period at the new level), and strucchange's convention
        (last period at the old level).
    posterior_mode : object or None
        The date with the largest posterior probability (likelihood weight).
    offset_periods : int or None
        Signed distance ``date - reference`` in periods (positive: the change came after).
    offset_days : int or None
        Same in days (date-indexed series only), from the start of the change's period.
    unit : str
        The period unit ("day", "week", "month", "year" or "period").
    in_set : bool or None
        Whether the reference period is inside the change's confidence set. A date of the set
        that follows unreported periods also covers them (the new level may have started
        during the gap).
    set_low, set_high : object or None
        Bounds of the confidence set.
    prob_at_or_before, prob_after : float or None
        Posterior probability (likelihood weight) that the first observed period at the new level
        is on or before the reference period, or after it.
    prob_at : float or None
        Posterior probability that the new level started in the reference period (or in a gap of
        unreported periods that contains it, just before the first observed new period).
    level : float
        Confidence level of the set.
    set_method : str
        How the set was obtained.
    """

    reference: Any
    reference_period: Any
    reference_name: str | None
    n_changes: int
    unit: str
    level: float
    break_number: int | None = None
    date: Any = None
    date_last_old: Any = None
    posterior_mode: Any = None
    offset_periods: int | None = None
    offset_days: int | None = None
    in_set: bool | None = None
    set_low: Any = None
    set_high: Any = None
    prob_at_or_before: float | None = None
    prob_after: float | None = None
    prob_at: float | None = None
    set_method: str = ""

    @property
    def reference_text(self) -> str:
        ref = _fmt_label(self.reference, "day")
        return f"{self.reference_name} ({ref})" if self.reference_name else ref

    def relation(self) -> str:
        """``'1 day after'``, ``'2 weeks before'`` or ``'on'`` (the reference period itself)."""
        if self.offset_periods is None:
            return ""
        k = int(self.offset_periods)
        if k == 0:
            return "in the same " + self.unit + " as" if self.unit != "day" else "on the day of"
        return f"{_plural(abs(k), self.unit)} {'after' if k > 0 else 'before'}"

    def summary(self) -> pd.DataFrame:
        """One row with the comparison."""
        return pd.DataFrame([self.to_dict()])

    def report(self) -> str:
        """One or two sentences."""
        if self.break_number is None:
            return f"No change was detected, so none can be compared with {self.reference_text}."
        pct = int(round(100 * self.level))
        inside = "inside" if self.in_set else "outside"
        return (
            f"The change nearest {self.reference_text} is dated "
            f"{_fmt_label(self.date, self.unit)}, {self.relation()} it; the reference is {inside} "
            f"the {pct}% set ({_fmt_range(self.set_low, self.set_high, self.unit)}). "
            f"Probability that the new level started on or before the reference: "
            f"{self.prob_at_or_before:.2f} (after it: {self.prob_after:.2f})."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return to_jsonable(
            {
                "reference": self.reference,
                "reference_period": self.reference_period,
                "reference_name": self.reference_name,
                "n_changes": self.n_changes,
                "break_number": self.break_number,
                "date": self.date,
                "date_last_old": self.date_last_old,
                "posterior_mode": self.posterior_mode,
                "offset_periods": self.offset_periods,
                "offset_days": self.offset_days,
                "unit": self.unit,
                "in_set": self.in_set,
                "set_low": self.set_low,
                "set_high": self.set_high,
                "prob_at_or_before": self.prob_at_or_before,
                "prob_after": self.prob_after,
                "prob_at": self.prob_at,
                "level": self.level,
                "set_method": self.set_method,
            }
        )


@dataclass(eq=False, repr=False)
class ChangePointResult(Result):
    """Result of :func:`detect_changepoints`.

    Dates follow the convention "first period of the new segment" (the first day at the new
    rate); the ``*_last_old`` columns give strucchange's "last period of the old segment".

    Attributes
    ----------
    series : pandas.Series
        The analysed series (as given).
    model : str
        ``"poisson"``, ``"negbin"`` or ``"gaussian"``.
    method : str
        Search actually used: ``"dp"`` (exact dynamic programming) or ``"pelt"``.
    criterion : str
        ``"bic"``, ``"aic"`` or ``"penalty=<value>"``; ``"fixed"`` when ``n_changes`` was given.
    penalty_per_change : float
        Penalty per change on the ``-2 log L`` scale.
    n_changes : int
        Number of changes.
    min_size : int
        Minimal number of observed periods per segment.
    level : float
        Confidence level of the sets and intervals.
    breaks : pandas.DataFrame
        One row per change: ``date``, ``date_last_old``, ``position`` (0-based position in the
        series), ``ci_low``/``ci_high`` (bounds of the confidence set, first-new convention),
        ``ci_low_last_old``/``ci_high_last_old``, ``set_size`` (dates in the set),
        ``set_contiguous``, ``posterior_mode``, ``posterior_mode_prob``, ``hpd_low``/``hpd_high``
        (highest-posterior set, equal to the confidence set for count models),
        ``level_before``/``level_after``, ``ratio`` (after/before), ``change`` (after - before),
        ``percent_change``, ``evidence`` (twice the log-likelihood gain of the change, others
        held fixed) and ``gap_before`` (unreported periods just before the date).
    segments : pandas.DataFrame
        One row per segment: ``segment``, ``start``, ``end`` (last period before the next
        segment), ``n_periods``, ``n_observed``, ``total`` (count models), ``rate`` (count models)
        or ``mean`` (Gaussian), ``ci_low``, ``ci_high``.
    criterion_table : pandas.DataFrame
        ``m``, ``loglik``, ``n_params``, ``criterion`` (and ``rss`` for the Gaussian model),
        ``selected``; with PELT only ``m = 0`` and the optimum are evaluated.
    posteriors : list of pandas.Series
        For each change, the posterior probability (likelihood weight for the negative binomial,
        Bayesian posterior for the Gaussian) of each admissible date, neighbours held fixed.
    confidence_sets : list of pandas.Index
        For each change, the dates in its confidence set.
    fitted : pandas.Series
        Segment rate (or mean) at every period of the series.
    comparison : ReferenceComparison or None
        Comparison with ``reference``, when one was given.
    primary : int or None
        0-based row of ``breaks`` reported first: nearest the reference if given, else the change
        with the largest ``evidence``.
    dispersion : float or None
        Negative binomial size ``theta`` (variance ``mu + mu^2/theta``).
    prior : dict or None
        Gamma prior of the Poisson segment rates.
    unit : str
        Period unit ("day", "week", "month", "quarter", "year" or "period").
    notes : list of str
        Warnings and caveats also given in the report.
    method_statement : str
        What was done, in words, for a methods section.
    """

    series: pd.Series
    model: str
    method: str
    criterion: str
    penalty_per_change: float
    n_changes: int
    min_size: int
    level: float
    breaks: pd.DataFrame
    segments: pd.DataFrame
    criterion_table: pd.DataFrame
    posteriors: list[pd.Series]
    confidence_sets: list[pd.Index]
    fitted: pd.Series
    unit: str
    method_statement: str
    primary: int | None = None
    comparison: ReferenceComparison | None = None
    dispersion: float | None = None
    prior: dict[str, float] | None = None
    notes: list[str] = field(default_factory=list)
    _axis: _Axis | None = None
    _post_positions: list[np.ndarray] = field(default_factory=list)
    _obs_positions: np.ndarray | None = None
    _set_index: list[np.ndarray] = field(default_factory=list)

    # ---------------------------------------------------------------- convenience
    @property
    def level_name(self) -> str:
        """``"rate"`` for count models, ``"mean"`` for the Gaussian model."""
        return "mean" if self.model == "gaussian" else "rate"

    @property
    def dates(self) -> list[Any]:
        """Dates of the changes (first period of each new segment)."""
        return list(self.breaks["date"]) if self.n_changes else []

    @property
    def posterior(self) -> pd.Series | None:
        """Posterior over the date of the primary change (``None`` without changes)."""
        return None if self.primary is None else self.posteriors[self.primary]

    # ---------------------------------------------------------------- comparison
    def compare(self, reference: Any) -> ReferenceComparison:
        """Compare the change nearest ``reference`` with it.

        Parameters
        ----------
        reference : date-like, int, or object with ``.start`` (and ``.name`` or ``.id``)
            The reference event, e.g. an announced ceasefire. For a year index an integer year
            (or a date, whose year is used).

        Returns
        -------
        ReferenceComparison
            The change's date, signed offset in periods (and days), whether the reference lies in
            its confidence set, and the posterior probability that the change happened on or
            before / after the reference period.
        """
        assert self._axis is not None
        axis = self._axis
        when, name = _resolve_reference(reference)
        ref_ord = axis.ordinal_of(when)
        ref_label = axis.label_of_ordinal(ref_ord)
        ref_when = _display_reference(when, axis)
        if self.n_changes == 0:
            return ReferenceComparison(
                reference=ref_when,
                reference_period=ref_label,
                reference_name=name,
                n_changes=0,
                unit=self.unit,
                level=self.level,
            )
        positions = self.breaks["position"].to_numpy(dtype=np.int64)
        ords = axis.ordinals[positions]
        j = int(np.argmin(np.abs(ords - ref_ord)))
        row = self.breaks.iloc[j]
        post = self.posteriors[j].to_numpy()
        ppos = self._post_positions[j]
        pord = axis.ordinals[ppos]
        at_or_before = float(post[pord <= ref_ord].sum())
        # a change dated to an observed period may have started in the unreported periods just
        # before it: each date covers (previous observed period, date]
        lo_ord = axis.ordinals[self._previous_observed(ppos)]
        covers = (lo_ord < ref_ord) & (ref_ord <= pord)
        set_pos = self._set_index[j]
        set_covers = (axis.ordinals[self._previous_observed(set_pos)] < ref_ord) & (
            ref_ord <= axis.ordinals[set_pos]
        )
        offset_days = None
        start = axis.start_time(int(positions[j]))
        if start is not None:
            ts = pd.Timestamp(when)
            if ts.tzinfo is not None:
                ts = ts.tz_localize(None)
            offset_days = int((start - ts.normalize()).days)
        return ReferenceComparison(
            reference=ref_when,
            reference_period=ref_label,
            reference_name=name,
            n_changes=self.n_changes,
            unit=self.unit,
            level=self.level,
            break_number=j + 1,
            date=row["date"],
            date_last_old=row["date_last_old"],
            posterior_mode=row["posterior_mode"],
            offset_periods=int(ords[j] - ref_ord),
            offset_days=offset_days,
            in_set=bool(np.any(set_covers)),
            set_low=row["ci_low"],
            set_high=row["ci_high"],
            prob_at_or_before=min(1.0, at_or_before),
            prob_after=max(0.0, 1.0 - at_or_before),
            prob_at=float(post[covers].sum()),
            set_method=str(row["set_method"]),
        )

    def _previous_observed(self, positions: np.ndarray) -> np.ndarray:
        obs = self._obs_positions
        assert obs is not None
        k = np.searchsorted(obs, positions)
        return obs[np.maximum(k - 1, 0)]

    # ---------------------------------------------------------------- Result interface
    def summary(self) -> pd.DataFrame:
        """One row per segment, with the change that starts it (empty for the first segment).

        Columns: those of ``segments``, then ``change_date`` (first period of the segment when it
        starts with a change), ``change_date_last_old``, ``change_ci_low``, ``change_ci_high``
        (confidence set bounds), ``change_ratio`` and ``change_percent`` (vs the previous
        segment).
        """
        seg = self.segments.copy()
        mapping = {
            "change_date": "date",
            "change_date_last_old": "date_last_old",
            "change_ci_low": "ci_low",
            "change_ci_high": "ci_high",
            "change_ratio": "ratio",
            "change_percent": "percent_change",
        }
        for new, old in mapping.items():
            seg[new] = [None] + (list(self.breaks[old]) if self.n_changes else [])
        return seg

    def _rate_phrase(self) -> str:
        if self.model == "gaussian":
            return "mean level"
        word = _UNIT_WORDS.get(self.unit)
        return f"{word} rate" if word else f"rate per {self.unit}"

    def report(self) -> str:
        """Plain-language description with the numbers."""
        unit = self.unit
        pct = int(round(100 * self.level))
        what = self._rate_phrase()
        table = self.criterion_table
        crit_name = self.criterion.upper() if self.criterion in ("bic", "aic") else "criterion"
        prep = {"day": "on", "hour": "at", "week": "in the week of"}.get(unit, "in")
        comp = self.comparison
        parts: list[str] = []
        if self.n_changes == 0:
            lvl = float(self.segments[self.level_name].iloc[0])
            line = f"No change in the {what} was detected: a constant {self.level_name} of "
            line += f"{_fmt_num(lvl)} per {unit}"
            if len(table) > 1 and self.criterion != "fixed":
                alt = table[table["m"] > 0].sort_values("criterion").iloc[0]
                c0 = float(table.loc[table["m"] == 0, "criterion"].iloc[0])
                line += (
                    f" is preferred by the {crit_name} ({c0:.1f} vs {float(alt['criterion']):.1f}"
                    f" for {_plural(int(alt['m']), 'change')})"
                )
            parts.append(line + ".")
            if comp is not None:
                parts.append(comp.report())
        else:
            opening = "mean level" if self.model == "gaussian" else "rate"
            descr = []
            for i in range(self.n_changes):
                row = self.breaks.iloc[i]
                s = (
                    f"most likely {prep} {_fmt_label(row['date'], unit)} ({pct}% set "
                    f"{_fmt_range(row['ci_low'], row['ci_high'], unit)})"
                )
                if comp is not None and comp.break_number == i + 1 and self.n_changes == 1:
                    s += f", {comp.relation()} {comp.reference_text}"
                descr.append((s, self._change_phrase(row)))
            if self.n_changes == 1:
                parts.append(f"The {opening} changed once, {descr[0][0]}; {descr[0][1]}.")
            else:
                times = "twice" if self.n_changes == 2 else f"{self.n_changes} times"
                listed = "; ".join(f"{d}, when {c}" for d, c in descr)
                parts.append(f"The {opening} changed {times}: {listed}.")
                if comp is not None and comp.break_number is not None:
                    parts.append(
                        f"The change nearest {comp.reference_text} is change "
                        f"{comp.break_number}, {comp.relation()} it."
                    )
            if comp is not None and comp.break_number is not None:
                inside = "inside" if comp.in_set else "outside"
                parts.append(
                    f"The reference {unit} is {inside} the {pct}% set; probability that the new "
                    f"{self.level_name} started on or before it: {comp.prob_at_or_before:.2f}."
                )
        sel = table.loc[table["selected"]]
        if self.criterion != "fixed" and len(table) > 1 and len(sel):
            c_sel = float(sel["criterion"].iloc[0])
            alts = table.loc[~table["selected"], "criterion"]
            if len(alts):
                parts.append(
                    f"{crit_name} margin over the next best number of changes: "
                    f"{float(alts.min()) - c_sel:.1f}."
                )
        parts.append(self._model_phrase())
        parts.extend(self.notes)
        return " ".join(parts)

    def _change_phrase(self, row: pd.Series) -> str:
        before, after = float(row["level_before"]), float(row["level_after"])
        if self.model == "gaussian":
            verb = "fell" if after < before else "rose"
            return f"the mean {verb} from {_fmt_num(before)} to {_fmt_num(after)}"
        verb = "fell" if after < before else "rose"
        word = _UNIT_WORDS.get(self.unit)
        what = f"the {word} rate" if word else f"the rate per {self.unit}"
        s = f"{what} {verb} from {_fmt_num(before)} to {_fmt_num(after)}"
        if np.isfinite(row["percent_change"]):
            s += f" ({row['percent_change']:+.0f}%)"
        return s

    def _model_phrase(self) -> str:
        m = {
            "poisson": "Poisson",
            "negbin": f"negative binomial (theta {_fmt_num(self.dispersion or np.nan)})",
            "gaussian": "Gaussian mean-shift",
        }[self.model]
        how = "exact dynamic programming" if self.method == "dp" else "PELT"
        crit = (
            "number of changes fixed"
            if self.criterion == "fixed"
            else f"number of changes by {self.criterion.upper() if self.criterion in ('bic', 'aic') else self.criterion}"
        )
        sets = {
            "poisson": "dates: exact posterior with Gamma priors, highest-density sets",
            "negbin": "dates: normalised profile-likelihood weights (theta fixed)",
            "gaussian": "dates: Bai (1997) intervals",
        }[self.model]
        return f"({m} model, {how}, {crit}, segments of at least {self.min_size} observed {self.unit}s; {sets}.)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary.

        Keys: ``model``, ``method``, ``criterion``, ``penalty_per_change``, ``n_changes``,
        ``min_size``, ``level``, ``unit``, ``date_convention``, ``changepoint`` (the primary change:
        ``date``, ``ci_low``, ``ci_high``, ``date_last_old``, ``ci_low_last_old``,
        ``ci_high_last_old``, ``posterior_mode``, ``set_method``; ``None`` without changes),
        ``breaks`` (all changes, with posterior summaries and the set as contiguous runs),
        ``segments``, ``criterion_table``, ``comparison``, ``dispersion``, ``prior``, ``notes``,
        ``method_statement``.
        """
        breaks = []
        for i in range(self.n_changes):
            row = self.breaks.iloc[i].to_dict()
            row["set_runs"] = _runs(self.series.index, self._set_index[i])
            breaks.append(row)
        primary = None
        if self.primary is not None:
            row = self.breaks.iloc[self.primary]
            primary = {
                k: row[k]
                for k in (
                    "break",
                    "date",
                    "ci_low",
                    "ci_high",
                    "date_last_old",
                    "ci_low_last_old",
                    "ci_high_last_old",
                    "posterior_mode",
                    "posterior_mode_prob",
                    "set_method",
                    "level_before",
                    "level_after",
                    "percent_change",
                )
            }
        return to_jsonable(
            {
                "model": self.model,
                "method": self.method,
                "criterion": self.criterion,
                "penalty_per_change": self.penalty_per_change,
                "n_changes": self.n_changes,
                "min_size": self.min_size,
                "level": self.level,
                "unit": self.unit,
                "date_convention": "first period of the new segment (date_last_old: strucchange's "
                "last period of the old segment)",
                "changepoint": primary,
                "breaks": breaks,
                "segments": self.segments,
                "criterion_table": self.criterion_table,
                "comparison": None if self.comparison is None else self.comparison.to_dict(),
                "dispersion": self.dispersion,
                "prior": self.prior,
                "notes": list(self.notes),
                "method_statement": self.method_statement,
            }
        )

    def plot(self, ax=None):
        """Series, segment levels, change dates with their sets (``trends.plots.changepoint``)."""
        from trends.plots.changepoint import plot_changepoints

        return plot_changepoints(self, ax=ax)


def _runs(index: pd.Index, positions: np.ndarray) -> list[list[Any]]:
    """Confidence set as ``[[first, last], ...]`` runs of consecutive periods of the series."""
    idx = np.asarray(positions, dtype=np.int64)
    if idx.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > 1)
    starts = np.r_[idx[0], idx[cuts + 1]]
    ends = np.r_[idx[cuts], idx[-1]]
    return [[index[a], index[b]] for a, b in zip(starts, ends, strict=True)]


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------
def _prepare(series: Any, model: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    if not isinstance(series, pd.Series):
        series = pd.Series(np.asarray(series))
    name = None if series.name is None else str(series.name)
    try:
        values = series.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(
            "the series must hold numbers (NaN for unreported periods)", column=name
        ) from exc
    observed = ~np.isnan(values)
    bad = observed & ~np.isfinite(values)
    if bad.any():
        raise InputError("infinite value", row=int(np.argmax(bad)) + 1, column=name)
    if model in ("poisson", "negbin"):
        neg = observed & (values < 0)
        if neg.any():
            raise InputError(
                f"negative count {values[np.argmax(neg)]:g}: counts must be >= 0",
                row=int(np.argmax(neg)) + 1,
                column=name,
            )
        frac = observed & (values != np.round(values))
        if frac.any():
            raise InputError(
                f"non-integer count {values[np.argmax(frac)]:g}: the {model} model needs whole "
                "numbers (use model='gaussian' for rates or averages)",
                row=int(np.argmax(frac)) + 1,
                column=name,
            )
    pos = np.flatnonzero(observed)
    return series, values[pos], pos


def _resolve_min_size(min_size: float, n_obs: int, model: str) -> int:
    if isinstance(min_size, (bool, np.bool_)) or not isinstance(min_size, (int, float, np.number)):
        raise ModelError(f"min_size must be a whole number or a fraction, got {min_size!r}")
    if isinstance(min_size, (float, np.floating)) and 0 < min_size < 1:
        if min_size > 0.5:
            raise ModelError("a fractional min_size must be at most 0.5")
        h = int(math.floor(min_size * n_obs))
    else:
        if float(min_size) != int(min_size) or min_size < 1:
            raise ModelError(f"min_size must be a positive whole number, got {min_size!r}")
        h = int(min_size)
    lowest = 2 if model == "gaussian" else 1
    return max(h, lowest)


def _criterion(criterion: Any, n_obs: int) -> tuple[str, float | None, float]:
    """``(label, c, penalty per change on the -2logL scale)``; ``c`` is None for numeric."""
    if isinstance(criterion, str):
        key = criterion.lower()
        if key == "bic":
            c = math.log(n_obs)
            return "bic", c, 2.0 * c
        if key == "aic":
            return "aic", 2.0, 4.0
        raise ModelError(f"criterion must be 'bic', 'aic' or a number, got {criterion!r}")
    try:
        pen = float(criterion)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"criterion must be 'bic', 'aic' or a number, got {criterion!r}") from exc
    if not np.isfinite(pen) or pen < 0:
        raise ModelError("a numeric penalty must be finite and >= 0")
    return f"penalty={pen:g}", None, pen


def _n_params(model: str, m: np.ndarray) -> np.ndarray:
    return 2 * m + 1 + (0 if model == "poisson" else 1)


@dataclass
class _Search:
    breaks: np.ndarray
    columns: dict[str, np.ndarray]  # the criterion table's columns (a DataFrame on demand)
    method: str
    cost: SegmentCost
    sigma2: float | None = None  # plug-in variance (Gaussian PELT)

    @property
    def table(self) -> pd.DataFrame:
        # built only for the search that is reported (the NB alternation runs several)
        return pd.DataFrame(self.columns)


def _gauss_loglik(rss: np.ndarray, n: int) -> np.ndarray:
    rss = np.maximum(np.asarray(rss, dtype=float), 1e-300)
    return -0.5 * n * (np.log(rss / n) + 1.0 + math.log(2.0 * math.pi))


def _difference_sigma2(y: np.ndarray) -> float:
    """Error variance from successive differences, ``mean(diff(y)^2) / 2``.

    A level shift adds its square only once, so a few shifts barely affect the estimate.
    """
    d = np.diff(y)
    s2 = float(np.mean(d * d)) / 2.0 if d.size else 0.0
    if s2 <= 0:
        s2 = float(np.var(y))
    return s2 if s2 > 0 else 1.0


def _search(
    y: np.ndarray,
    model: str,
    cost: SegmentCost,
    h: int,
    kmax: int,
    n_changes: int | None,
    method: str,
    c: float | None,
    pen_change: float,
) -> _Search:
    n = cost.n
    use_pelt = method == "pelt" or (
        method == "auto" and n_changes is None and n > AUTO_PELT_MIN_OBS
    )
    notes_method = "dp"
    if use_pelt:
        sigma2 = None
        if model == "gaussian":
            sigma2 = _difference_sigma2(y)
            pcost: SegmentCost = ScaledCost(cost, 0.5 / sigma2)
        else:
            pcost = cost
        seg = segment_pelt(pcost, pen_change / 2.0, h)
        m_star = max(seg.breaks)
        if m_star <= kmax:
            ms = np.array(sorted(seg.breaks), dtype=np.int64)
            raw = np.array([seg.costs[k] for k in ms])
            if model == "gaussian":
                rss = raw * 2.0 * sigma2
                loglik = -0.5 * rss / sigma2 - 0.5 * n * math.log(2 * math.pi * sigma2)
            else:
                rss = None
                loglik = cost.constant - raw
            table = _table(model, ms, loglik, c, pen_change, n, rss)
            table["selected"] = ms == m_star
            return _Search(seg.breaks[m_star], table, "pelt", cost, sigma2)
        warnings.warn(
            f"PELT found {m_star} changes, more than max_changes={kmax}; the exact dynamic "
            "programme over 0..max_changes is used instead",
            ModelWarning,
            stacklevel=3,
        )
        notes_method = "dp"
    kk = kmax if n_changes is None else max(kmax, n_changes)
    seg = segment_dp(cost, kk, h)
    ms = np.array([k for k in range(seg.costs.size) if np.isfinite(seg.costs[k])], dtype=np.int64)
    raw = seg.costs[ms]
    if model == "gaussian":
        rss = raw
        loglik = _gauss_loglik(rss, n)
    else:
        rss = None
        loglik = cost.constant - raw
    table = _table(model, ms, loglik, c, pen_change, n, rss)
    if n_changes is None:
        m_sel = int(ms[int(np.argmin(table["criterion"]))])
    else:
        if n_changes not in seg.breaks:
            raise InsufficientDataError(
                f"{n_changes} changes need at least {(n_changes + 1) * h} observed periods "
                f"with min_size={h}; the series has {n}"
            )
        m_sel = int(n_changes)
    table["selected"] = ms == m_sel
    return _Search(seg.breaks[m_sel], table, notes_method, cost)


def _table(
    model: str,
    ms: np.ndarray,
    loglik: np.ndarray,
    c: float | None,
    pen_change: float,
    n: int,
    rss: np.ndarray | None,
) -> dict[str, np.ndarray]:
    p = _n_params(model, ms)
    if c is None:
        crit = -2.0 * loglik + pen_change * ms
    else:
        crit = -2.0 * loglik + c * p
    data: dict[str, Any] = {"m": ms, "loglik": loglik, "n_params": p, "criterion": crit}
    if rss is not None:
        data["rss"] = rss
    return data


def _alpha_moments(y: np.ndarray) -> float:
    """NB2 ``alpha`` from successive pairs, insensitive to level shifts.

    For independent counts with a common mean ``mu`` in a pair, ``E[(y_t - y_{t-1})^2]/2 =
    mu + alpha mu^2`` and ``E[y_t y_{t-1}] = mu^2``; averaging over pairs gives
    ``alpha = (mean(d^2)/2 - mean(ybar)) / mean(y_t y_{t-1})``.
    """
    if y.size < 3:
        return _ALPHA_MIN
    a, b = y[1:], y[:-1]
    num = float(np.mean((a - b) ** 2)) / 2.0 - float(np.mean((a + b) / 2.0))
    den = float(np.mean(a * b))
    if den <= 0 or not np.isfinite(num):
        return _ALPHA_MIN
    return float(np.clip(num / den, _ALPHA_MIN, _ALPHA_MAX))


def _alpha_ml(y: np.ndarray, breaks: np.ndarray) -> float:
    """Maximum-likelihood NB2 ``alpha`` with the segment means at their sample means."""
    edges = np.concatenate(([0], breaks, [y.size]))
    seg_id = np.repeat(np.arange(edges.size - 1), np.diff(edges))
    sums = np.add.reduceat(y, edges[:-1]) if y.size else np.zeros(0)
    mu = (sums / np.diff(edges))[seg_id]

    def nll(log_alpha: float) -> float:
        th = math.exp(-log_alpha)
        ll = (
            gammaln(y + th)
            - gammaln(th)
            + th * np.log(th / (th + mu))
            + np.where(y > 0, y * np.log(np.where(mu > 0, mu, 1.0) / (th + mu)), 0.0)
        )
        return -float(ll.sum())

    res = minimize_scalar(
        nll,
        bounds=(math.log(_ALPHA_MIN), math.log(_ALPHA_MAX)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(math.exp(res.x))


def _segment_counts(
    y: np.ndarray,
    model: str,
    h: int,
    kmax: int,
    n_changes: int | None,
    method: str,
    c: float | None,
    pen_change: float,
) -> tuple[_Search, float | None, int]:
    if model == "poisson":
        return _search(y, model, PoissonCost(y), h, kmax, n_changes, method, c, pen_change), None, 0
    if model == "gaussian":
        return (
            _search(y, model, GaussianCost(y), h, kmax, n_changes, method, c, pen_change),
            None,
            0,
        )
    alpha = _alpha_moments(y)
    previous = None
    iterations = 0
    base = NegBinCost(y, 1.0 / alpha)  # later thetas share its theta-free cached terms
    for iterations in range(1, 6):  # noqa: B007 - the count is reported
        res = _search(
            y, model, base.with_theta(1.0 / alpha), h, kmax, n_changes, method, c, pen_change
        )
        if previous is not None and np.array_equal(previous, res.breaks):
            # alpha is already the ML estimate for these breaks (computed last round), so the
            # new estimate would be identical: the alternation has converged.
            break
        new_alpha = _alpha_ml(y, res.breaks)
        previous = res.breaks
        alpha = new_alpha
    return res, 1.0 / alpha, iterations


def _nb_rate_interval(s: float, n: int, theta: float, level: float) -> tuple[float, float]:
    """Likelihood-ratio interval for an NB2 mean with ``theta`` fixed."""
    q = float(ndtri(0.5 + level / 2.0)) ** 2 / 2.0
    m = s / n

    def ll(mu: float) -> float:
        out = -(s + n * theta) * math.log(mu + theta)
        return out + (s * math.log(mu) if s > 0 else 0.0)

    top = ll(m) if m > 0 else -(n * theta) * math.log(theta)
    f = lambda mu: ll(mu) - (top - q)  # noqa: E731
    hi_b = max(m, 1.0 / n) * 2.0 + 1.0
    while f(hi_b) > 0:
        hi_b *= 2.0
    upper = (
        brentq(f, max(m, 1e-300), hi_b, xtol=1e-12, rtol=1e-10)
        if m > 0
        else brentq(f, 1e-300, hi_b, xtol=1e-14, rtol=1e-10)
    )
    lower = 0.0 if s == 0 else brentq(f, m * 1e-12, m, xtol=1e-14, rtol=1e-10)
    return lower, upper


def detect_changepoints(
    series: pd.Series,
    *,
    model: Model = "negbin",
    n_changes: int | None = None,
    criterion: str | float = "bic",
    max_changes: int = 5,
    min_size: int | float = 7,
    method: Method = "auto",
    level: float = 0.95,
    reference: Any = None,
) -> ChangePointResult:
    """Find when the rate (or mean) of a series changed, with confidence sets for the dates.

    Parameters
    ----------
    series : pandas.Series
        Counts per period (Poisson / negative binomial) or values (Gaussian), indexed by a regular
        ``DatetimeIndex`` (daily, weekly, monthly...), a ``PeriodIndex`` or an integer index with
        a constant step (e.g. years). ``NaN`` means "not reported": such periods contribute
        nothing to the likelihood but keep their place in time, and a change is always dated to
        an observed period.
    model : {"poisson", "negbin", "gaussian"}, default "negbin"
        The default is the negative binomial because conflict counts are overdispersed: in the
        calibration study (benchmarks/README.md) the Poisson model found spurious changes in
        40-100% of overdispersed series without any change. Poisson counts with a constant rate
        per segment (exact Gamma-Poisson posterior for the dates); negative binomial (NB2) counts with one
        common dispersion ``theta`` estimated from the series (maximum likelihood given the
        segmentation, alternated with the search until the segmentation is stable, started from a
        moment estimate based on successive differences); or a Gaussian mean shift with a common
        variance (strucchange's ``breakpoints(y ~ 1)``).
    n_changes : int, optional
        Fix the number of changes; by default it is chosen by ``criterion``.
    criterion : {"bic", "aic"} or float, default "bic"
        ``-2 log L + c p`` with ``p = (m + 1) levels + m dates (+ 1 variance or dispersion)`` and
        ``c = log(n)`` (BIC, as strucchange) or 2 (AIC); a number is a penalty per change on the
        ``-2 log L`` scale (BIC is ``2 log n`` per change).
    max_changes : int, default 5
        Largest number of changes considered (reduced when segments of ``min_size`` do not fit).
    min_size : int or float, default 7
        Minimal number of observed periods per segment; a float in (0, 0.5] is a fraction of the
        observed length, rounded down, like strucchange's ``h`` (``h = 0.15`` for the Nile gives
        15 years). At least 2 for the Gaussian model.
    method : {"auto", "dp", "pelt"}, default "auto"
        ``"dp"``: exact optimal segmentation for every number of changes up to ``max_changes``
        (dynamic programming); ``"pelt"``: exact minimiser of the penalised criterion by pruned
        exact linear time search (falls back to ``"dp"`` if it finds more than ``max_changes``
        changes; for the Gaussian model the variance is then a robust plug-in estimate from
        successive differences). ``"auto"`` uses PELT for more than
        :data:`AUTO_PELT_MIN_OBS` observed periods when ``n_changes`` is not fixed, else DP.
    level : float, default 0.95
        Level of the confidence sets of the dates and of the segment intervals.
    reference : date-like, int or event, optional
        A reference date (or an object with ``.start`` and ``.name``/``.id``, e.g. an announced
        ceasefire); the result then includes :meth:`ChangePointResult.compare` for it and reports
        the change nearest to it first.

    Returns
    -------
    ChangePointResult

    Raises
    ------
    InputError
        Non-numeric or infinite values; negative or non-integer counts for a count model;
        an irregular index.
    InsufficientDataError
        Fewer than ``2 * min_size`` observed periods, all counts zero (no change can be dated),
        a constant Gaussian series, or more changes asked for than fit.
    ModelError
        Invalid options.

    Notes
    -----
    Confidence sets hold the neighbouring changes fixed at their estimates and range over the
    admissible dates between them (segments of at least ``min_size``):

    - Poisson: exact posterior from independent conjugate ``Gamma(shape = ybar, rate = 1)``
      priors on the two segment rates (worth one period of data at the overall mean ``ybar``),
      integrated out in closed form, and a uniform prior over dates; the set is the
      highest-posterior-density set.
    - Negative binomial: normalised profile likelihood over dates with ``theta`` fixed and the
      segment means at their MLEs (likelihood weights rather than a full posterior); the set is
      the highest-weight set.
    - Gaussian: Bai's (1997) asymptotic interval from the distribution of the location of the
      maximum of a two-sided Brownian motion with drift, with segment-specific error variances
      (strucchange's ``confint`` with ``het.err = TRUE``), rounded outwards to whole periods.
      A Bayesian posterior over dates (flat priors on the means, ``1/sigma`` on the standard
      deviation, uniform over dates) is given in ``posteriors``.
    """
    if model not in ("poisson", "negbin", "gaussian"):
        raise ModelError(f"model must be 'poisson', 'negbin' or 'gaussian', got {model!r}")
    if method not in ("auto", "dp", "pelt"):
        raise ModelError(f"method must be 'auto', 'dp' or 'pelt', got {method!r}")
    if not (0.0 < float(level) < 1.0):
        raise ModelError(f"level must be between 0 and 1, got {level!r}")
    if n_changes is not None:
        if int(n_changes) != n_changes or n_changes < 0:
            raise ModelError(f"n_changes must be a whole number >= 0, got {n_changes!r}")
        if method == "pelt":
            raise ModelError(
                "PELT minimises a penalised criterion and cannot fix the number of changes; "
                "use method='dp'"
            )
        n_changes = int(n_changes)
    if int(max_changes) != max_changes or max_changes < 0:
        raise ModelError(f"max_changes must be a whole number >= 0, got {max_changes!r}")

    series, y, pos = _prepare(series, model)
    name = None if series.name is None else str(series.name)
    axis = _Axis.from_index(series.index, name)
    n_total = len(series)
    n = int(y.size)
    h = _resolve_min_size(min_size, n, model)
    if n < 2 * h:
        raise InsufficientDataError(
            f"a change needs at least 2 * min_size = {2 * h} observed periods; the series has "
            f"{n} observed of {n_total}"
        )
    if model != "gaussian" and not np.any(y > 0):
        raise InsufficientDataError(
            "all observed counts are zero: there is no rate to compare, so no change can be dated"
        )
    if model == "gaussian" and np.all(y == y[0]):
        raise InsufficientDataError("the series is constant: no change can be dated")
    crit_label, c, pen_change = _criterion(criterion, n)
    kmax = max(0, min(int(max_changes), n // h - 1))

    found, theta, nb_iter = _segment_counts(y, model, h, kmax, n_changes, method, c, pen_change)
    cost = found.cost
    if model == "negbin":
        cost = NegBinCost(y, theta)
    breaks = np.asarray(found.breaks, dtype=np.int64)
    m = int(breaks.size)
    edges = np.concatenate(([0], breaks, [n]))
    notes: list[str] = []
    level = float(level)
    alpha = 1.0 - level

    # ---------------- segments
    seg_n, seg_s = cost.sums(edges[:-1], edges[1:])
    start_pos = np.concatenate(([0], pos[breaks]))
    end_pos = np.concatenate((pos[breaks] - 1, [n_total - 1]))
    idx = series.index
    seg_data: dict[str, Any] = {
        "segment": np.arange(1, m + 2),
        "start": list(idx[start_pos]),
        "end": list(idx[end_pos]),
        "n_periods": end_pos - start_pos + 1,
        "n_observed": seg_n.astype(np.int64),
    }
    if model == "gaussian":
        means = seg_s / seg_n + cost.centre  # type: ignore[attr-defined]
        rss_total = float(np.sum(cost(edges[:-1], edges[1:])))
        df = n - (m + 1)
        s2 = rss_total / df if df > 0 else np.nan
        tq = float(stdtrit(df, 1.0 - alpha / 2.0)) if df > 0 else np.nan
        half = tq * np.sqrt(s2 / seg_n)
        levels = means
        seg_data.update({"mean": means, "ci_low": means - half, "ci_high": means + half})
    else:
        levels = seg_s / seg_n
        if model == "poisson":
            lo = np.where(seg_s > 0, gammaincinv(np.maximum(seg_s, 1e-300), alpha / 2.0), 0.0)
            hi = gammainccinv(seg_s + 1.0, alpha / 2.0)
            lo, hi = lo / seg_n, hi / seg_n
        else:
            bounds = [
                _nb_rate_interval(float(s), int(k), float(theta), level)
                for s, k in zip(seg_s, seg_n, strict=True)
            ]
            lo = np.array([b[0] for b in bounds])
            hi = np.array([b[1] for b in bounds])
        seg_data.update({"total": seg_s, "rate": levels, "ci_low": lo, "ci_high": hi})
    segments = pd.DataFrame(seg_data)
    fitted = pd.Series(
        np.repeat(levels, np.diff(np.concatenate((start_pos, [n_total])))),
        index=series.index,
        name=f"fitted {('mean' if model == 'gaussian' else 'rate')}",
    )

    # ---------------- dates and their uncertainty
    prior = None
    if model == "poisson":
        a0 = float(y.mean())
        prior = {"shape": a0, "rate": 1.0}
    set_method = {
        "poisson": f"{int(round(level * 100))}% highest-posterior-density set (Gamma-Poisson)",
        "negbin": f"{int(round(level * 100))}% highest profile-likelihood-weight set (theta fixed)",
        "gaussian": f"{int(round(level * 100))}% Bai (1997) asymptotic interval",
    }[model]
    rows: list[dict[str, Any]] = []
    posteriors: list[pd.Series] = []
    sets: list[pd.Index] = []
    post_positions: list[np.ndarray] = []
    set_index: list[np.ndarray] = []
    obs_labels = idx[pos]
    for j in range(m):
        left, tau_hat, right = int(edges[j]), int(edges[j + 1]), int(edges[j + 2])
        cand = np.arange(left + h, right - h + 1)
        if model == "poisson":
            n1, s1 = cost.sums(left, cand)
            n2, s2_ = cost.sums(cand, right)
            logp = (
                gammaln(a0 + s1)
                - (a0 + s1) * np.log(1.0 + n1)
                + gammaln(a0 + s2_)
                - (a0 + s2_) * np.log(1.0 + n2)
            )
        elif model == "negbin":
            logp = -(cost(left, cand) + cost(cand, right))
        else:
            other = rss_total - float(cost(left, tau_hat) + cost(tau_hat, right))
            rss_c = np.maximum(other + cost(left, cand) + cost(cand, right), 1e-300)
            logp = (
                -0.5 * np.log(cand - left)
                - 0.5 * np.log(right - cand)
                - 0.5 * (n - m - 1) * np.log(rss_c)
            )
        logp = np.asarray(logp, dtype=float)
        w = np.exp(logp - logp.max())
        prob = w / w.sum()
        hpd = hpd_mask(prob, level)
        if model == "gaussian":
            lo_i, hi_i, warn = _bai_interval(cost, left, tau_hat, right, level)
            if warn:
                notes.append(warn)
            set_idx = np.arange(lo_i, hi_i + 1)
        else:
            set_idx = cand[hpd]
        cand_pos = pos[cand]
        labels = obs_labels[cand]
        post = pd.Series(prob, index=labels, name=f"change {j + 1}")
        posteriors.append(post)
        sets.append(obs_labels[set_idx])
        post_positions.append(cand_pos)
        set_index.append(pos[set_idx])
        hpd_idx = cand[hpd]
        mode = int(cand[int(np.argmax(prob))])
        lo_set, hi_set = int(set_idx.min()), int(set_idx.max())
        before, after = float(levels[j]), float(levels[j + 1])
        if model == "gaussian":
            merged = (
                rss_total
                - float(cost(left, tau_hat) + cost(tau_hat, right))
                + float(cost(left, right))
            )
            evidence = n * math.log(max(merged, 1e-300) / max(rss_total, 1e-300))
        else:
            evidence = 2.0 * float(cost(left, right) - cost(left, tau_hat) - cost(tau_hat, right))
        ratio = after / before if before > 0 else np.nan
        rows.append(
            {
                "break": j + 1,
                "date": idx[pos[tau_hat]],
                "date_last_old": idx[pos[tau_hat - 1]],
                "position": int(pos[tau_hat]),
                "ci_low": idx[pos[lo_set]],
                "ci_high": idx[pos[hi_set]],
                "ci_low_last_old": idx[pos[lo_set - 1]],
                "ci_high_last_old": idx[pos[hi_set - 1]],
                "set_size": int(set_idx.size),
                "set_contiguous": bool(hi_set - lo_set + 1 == set_idx.size),
                "set_method": set_method,
                "posterior_mode": idx[pos[mode]],
                "posterior_mode_prob": float(prob.max()),
                "hpd_low": idx[pos[int(hpd_idx.min())]],
                "hpd_high": idx[pos[int(hpd_idx.max())]],
                "level_before": before,
                "level_after": after,
                "ratio": ratio,
                "change": after - before,
                "percent_change": 100.0 * (ratio - 1.0) if np.isfinite(ratio) else np.nan,
                "evidence": evidence,
                "gap_before": int(pos[tau_hat] - pos[tau_hat - 1] - 1),
            }
        )
        if rows[-1]["gap_before"] > 0:
            notes.append(
                f"Change {j + 1} follows {_plural(rows[-1]['gap_before'], 'unreported ' + axis.unit)}"
                f"; it may have happened during the gap."
            )
    columns = [
        "break", "date", "date_last_old", "position", "ci_low", "ci_high", "ci_low_last_old",
        "ci_high_last_old", "set_size", "set_contiguous", "set_method", "posterior_mode",
        "posterior_mode_prob", "hpd_low", "hpd_high", "level_before", "level_after", "ratio",
        "change", "percent_change", "evidence", "gap_before",
    ]  # fmt: skip
    breaks_df = pd.DataFrame(rows, columns=columns)

    n_missing = n_total - n
    if n_missing:
        notes.append(
            f"{_plural(n_missing, 'period')} of {n_total} were not reported (NaN) and were left "
            "out of the likelihood."
        )
    if model == "negbin" and theta is not None and theta > 1e4:
        notes.append(
            "Practically no overdispersion was found (theta > 10,000): the negative binomial "
            "reduces to the Poisson."
        )

    statement = _method_statement(
        model, found.method, crit_label, c, pen_change, kmax, n_changes, h, level, theta,
        prior, axis.unit, found.sigma2, nb_iter,
    )  # fmt: skip
    result = ChangePointResult(
        series=series,
        model=model,
        method=found.method,
        criterion="fixed" if n_changes is not None else crit_label,
        penalty_per_change=pen_change,
        n_changes=m,
        min_size=h,
        level=level,
        breaks=breaks_df,
        segments=segments,
        criterion_table=found.table,
        posteriors=posteriors,
        confidence_sets=sets,
        fitted=fitted,
        unit=axis.unit,
        method_statement=statement,
        dispersion=theta,
        prior=prior,
        notes=notes,
        _axis=axis,
        _post_positions=post_positions,
        _obs_positions=pos,
        _set_index=set_index,
    )
    if m:
        result.primary = int(np.argmax(breaks_df["evidence"].to_numpy()))
    if reference is not None:
        result.comparison = result.compare(reference)
        if result.comparison.break_number is not None:
            result.primary = result.comparison.break_number - 1
    return result


def _bai_interval(
    cost: SegmentCost, left: int, tau: int, right: int, level: float
) -> tuple[int, int, str | None]:
    """Bai (1997) interval for a mean-shift date, in first-new-period indices.

    With ``delta`` the shift and ``s1^2, s2^2`` the residual variances of the two segments
    (``RSS / n``), ``(delta^2 / s1^2) (k_hat - k0)`` converges to ``argmax Z`` with ``xi = 1``
    and ``phi = s2^2 / s1^2``; the interval is ``[floor(k_hat - q_hi s), ceil(k_hat - q_lo s)]``
    with ``s = s1^2 / delta^2``. Like strucchange it is not clipped to ``min_size``; it is only
    kept strictly between the neighbouring changes (each segment keeps one observation).
    """
    y = cost.y
    s1, s2 = y[left:tau], y[tau:right]
    delta = float(s2.mean() - s1.mean())
    floor_var = 1e-12 * max(float(np.var(y)), 1e-300)
    v1 = max(float(np.var(s1)), floor_var)
    v2 = max(float(np.var(s2)), floor_var)
    phi = v2 / v1
    a2 = (1.0 - level) / 2.0
    p0 = argmax_cdf(0.0, 1.0, phi)
    if delta == 0 or not (a2 < p0 < 1.0 - a2):
        return (
            tau,
            tau,
            (
                "The asymptotic interval for a change date could not be computed (the segments' "
                "variances are too unequal or the shift is zero); only the point estimate is given."
            ),
        )
    q_lo, q_hi = argmax_quantiles(level, 1.0, phi)
    scale = v1 / (delta * delta)
    lo = int(math.floor(tau - q_hi * scale))
    hi = int(math.ceil(tau - q_lo * scale))
    lo = max(lo, left + 1)
    hi = min(hi, right - 1)
    return lo, hi, None


def _method_statement(
    model: str,
    method: str,
    crit_label: str,
    c: float | None,
    pen_change: float,
    kmax: int,
    n_changes: int | None,
    h: int,
    level: float,
    theta: float | None,
    prior: dict[str, float] | None,
    unit: str,
    sigma2: float | None,
    nb_iter: int,
) -> str:
    pct = int(round(level * 100))
    parts = []
    if model == "poisson":
        parts.append("Counts were modelled as Poisson with a constant rate within each segment.")
    elif model == "negbin":
        parts.append(
            "Counts were modelled as negative binomial (NB2, variance mu + mu^2/theta) with a "
            "constant mean within each segment and one common theta "
            f"(estimated {_fmt_num(theta or np.nan)}), estimated by maximum likelihood given the "
            "segmentation and alternated with the search until the segmentation was stable "
            f"({nb_iter} round(s)), starting from a moment estimate from successive differences; "
            "theta was then treated as known."
        )
    else:
        parts.append(
            "The series was modelled as a sequence of constant means with normal errors and a "
            "common variance (mean-shift model, as strucchange's breakpoints(y ~ 1))."
        )
    if method == "dp":
        parts.append(
            "Segment boundaries were found by exact dynamic programming (the optimal "
            f"segmentation for each number of changes from 0 to {max(kmax, n_changes or 0)})."
        )
    else:
        extra = (
            f" with the error variance fixed at a robust estimate from successive differences "
            f"({_fmt_num(sigma2 or np.nan)})"
            if model == "gaussian"
            else ""
        )
        parts.append(
            "Segment boundaries were found by PELT (exact minimisation of the penalised "
            f"criterion{extra})."
        )
    extra_p = {"poisson": "", "negbin": " + 1 dispersion", "gaussian": " + 1 variance"}[model]
    if n_changes is not None:
        parts.append(f"The number of changes was fixed at {n_changes}.")
    elif c is not None:
        parts.append(
            f"The number of changes m was chosen by {crit_label.upper()} = -2 log L + "
            f"{'log(n)' if crit_label == 'bic' else '2'} x (m + 1 levels + m dates{extra_p}), "
            f"i.e. a penalty of {pen_change:.2f} per change."
        )
    else:
        parts.append(
            f"The number of changes was chosen by -2 log L + {pen_change:g} x m (penalty per change)."
        )
    parts.append(
        f"Each segment holds at least {h} observed {unit}s. Unreported (missing) periods "
        "contribute nothing to the likelihood and keep their place in time; a change is dated to "
        "the first observed period at the new level (strucchange reports the period before)."
    )
    if model == "poisson" and prior is not None:
        parts.append(
            "Uncertainty about each date, holding the neighbouring changes fixed: exact posterior "
            f"with independent Gamma(shape {_fmt_num(prior['shape'])}, rate 1) priors on the two "
            "segment rates (worth one period of data at the overall mean) and a uniform prior "
            f"over admissible dates; {pct}% highest-posterior-density sets. Segment rates: exact "
            "(Garwood) Poisson intervals."
        )
    elif model == "negbin":
        parts.append(
            "Uncertainty about each date, holding the neighbouring changes fixed: normalised "
            "profile-likelihood weights over admissible dates (theta fixed, segment means at "
            f"their maximum-likelihood values), not a full posterior; {pct}% highest-weight sets. "
            "Segment rates: likelihood-ratio intervals with theta fixed."
        )
    else:
        parts.append(
            f"{pct}% confidence intervals for the dates from Bai (1997): the asymptotic law of "
            "the location of the maximum of a two-sided Brownian motion with drift, with "
            "segment-specific error variances (as strucchange's confint with het.err = TRUE), "
            "rounded outwards to whole periods, neighbouring changes fixed. A Bayesian posterior "
            "over dates (flat priors on the means, 1/sigma on the standard deviation, uniform "
            "over admissible dates) is also given. Segment means: t intervals with the pooled "
            "variance."
        )
    return " ".join(parts)

"""Results of the change-point detection: the segmentation, the dates and the comparison with
a reference event (:func:`trends.models.changepoint.detect_changepoints` builds them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trends.models.changepoint_dependence import SET_COVERAGE_NOTE
from trends.models.costs import ChangePointCost, get_cost
from trends.models.timeaxis import (
    TimeAxis,
    display_reference,
    fmt_label,
    fmt_range,
    plural,
    resolve_reference,
)
from trends.models.wording import fmt_level
from trends.results import Result, to_jsonable
from trends.verdicts.words import (
    Timing,
    fmt_date,
    fmt_span,
    level_change_words,
    period_span,
    period_words,
    timing_of_change,
    with_article,
)

__all__ = ["ChangePointResult", "ReferenceComparison"]

_UNIT_WORDS = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly"}


def _when(label: Any, unit: str) -> str:
    """A period label in the report's date style ("1 Sep 2019", "06:00 on 31 Aug 2019")."""
    if isinstance(label, pd.Timestamp) and unit in ("day", "week", "hour"):
        return fmt_date(label, with_time=True)
    if isinstance(label, pd.Timestamp) and unit == "month":
        return period_words(label, unit)  # "Jun 2021", not "2021-06"
    return fmt_label(label, unit)


def _span(lo: Any, hi: Any, unit: str) -> str:
    """A range of period labels in the report's date style ("1 to 2 Sep 2019")."""
    if isinstance(lo, pd.Timestamp) and isinstance(hi, pd.Timestamp) and unit in ("day", "week"):
        return fmt_span(lo, hi)
    if isinstance(lo, pd.Timestamp) and isinstance(hi, pd.Timestamp) and unit == "month":
        return period_span(lo, hi, unit)  # "Jun to Aug 2021", not "2021-06–2021-08"
    return fmt_range(lo, hi, unit)


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
        ref = _when(self.reference, "day")
        if self.unit in ("week", "month") and isinstance(self.reference, pd.Timestamp):
            # a weekly or monthly comparison is of periods: "the week of 2 Sep 2019", "Jun 2021"
            # (the period that holds the event, whose own date may fall later in it)
            period = self.reference_period
            ref = period_words(
                period if isinstance(period, pd.Timestamp) else self.reference, self.unit
            )
        return f"{with_article(self.reference_name)} ({ref})" if self.reference_name else ref

    def relation(self) -> str:
        """``'1 day after'``, ``'2 weeks before'`` or ``'on'`` (the reference period itself)."""
        if self.offset_periods is None:
            return ""
        k = int(self.offset_periods)
        if k == 0:
            return "in the same " + self.unit + " as" if self.unit != "day" else "on the day of"
        return f"{plural(abs(k), self.unit)} {'after' if k > 0 else 'before'}"

    def summary(self) -> pd.DataFrame:
        """One row with the comparison."""
        return pd.DataFrame([self.to_dict()])

    def timing(self, subject: str = "The change") -> Timing | None:
        """The change's date against the reference in words (:func:`timing_of_change`).

        An event with a time of day makes its day mixed (partly before, partly after): a change
        dated that day or the next is "within a day", not "outside the set".

        Parameters
        ----------
        subject : str, default "The change"
            How the sentence names the change ("The change nearest the ceasefire" when the
            search found several).

        Returns
        -------
        Timing or None
            ``None`` when there is no change or the series is not indexed by dates.
        """
        if self.break_number is None or self.unit not in ("day", "week", "month"):
            return None
        if not isinstance(self.date, pd.Timestamp) or not isinstance(self.reference, pd.Timestamp):
            return None
        return timing_of_change(
            self.date,
            self.set_low,
            self.set_high,
            self.reference,
            reference_name=with_article(self.reference_name)
            if self.reference_name
            else "the reference",
            unit=self.unit,
            level=self.level,
            in_set=self.in_set,
            subject=subject,
        )

    def report(self) -> str:
        """One or two sentences."""
        if self.break_number is None:
            return f"No change was detected, so none can be compared with {self.reference_text}."
        pct = int(round(100 * self.level))
        probability = (
            f"Probability that the new level started on or before the reference: "
            f"{self.prob_at_or_before:.2f} (after it: {self.prob_after:.2f})."
        )
        timing = self.timing()
        if timing is not None:
            return f"{timing.text} {probability}"
        inside = "inside" if self.in_set else "outside"
        name = f"{pct}% interval" if "Bai" in self.set_method else "date set"
        return (
            f"The change nearest {self.reference_text} is dated "
            f"{_when(self.date, self.unit)}, {self.relation()} it; the reference is {inside} "
            f"the {name} ({_span(self.set_low, self.set_high, self.unit)}). "
            f"{probability}"
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
        Name of the change-point model in :data:`trends.models.costs.COSTS` (``"poisson"``,
        ``"negbin"``, ``"gaussian"``...).
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
    dependence : float
        Serial-dependence factor ``phi`` by which the log-likelihood was divided (1: periods
        treated as independent).
    dependence_method : str
        ``"estimated"``, ``"fixed"``, ``"too short"`` or ``"none"``.
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
    dependence: float = 1.0
    dependence_method: str = "none"
    _axis: TimeAxis | None = None
    _post_positions: list[np.ndarray] = field(default_factory=list)
    _obs_positions: np.ndarray | None = None
    _set_index: list[np.ndarray] = field(default_factory=list)
    _cost: ChangePointCost | None = None

    @property
    def cost(self) -> ChangePointCost:
        """The change-point model (:data:`trends.models.costs.COSTS` entry) that was fitted."""
        return self._cost if self._cost is not None else get_cost(self.model)

    # ---------------------------------------------------------------- convenience
    @property
    def level_name(self) -> str:
        """``"rate"`` for count models, ``"mean"`` for the Gaussian model."""
        return self.cost.level_name

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
        when, name = resolve_reference(reference)
        ref_ord = axis.ordinal_of(when)
        ref_label = axis.label_of_ordinal(ref_ord)
        ref_when = display_reference(when, axis)
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
        segment). A segment's ``total`` of whole counts is an integer column (``Int64``).
        """
        seg = self.segments.copy()
        if "total" in seg:
            totals = seg["total"].dropna()
            if len(totals) and (totals % 1 == 0).all():
                seg["total"] = seg["total"].round().astype("Int64")
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

    @property
    def set_name(self) -> str:
        """What a date set is called in the report's words.

        ``"95% set"`` only for the Gaussian model's Bai (1997) confidence interval; the count
        models' sets are likelihood-weight sets (tempered, with serial dependence) or posterior
        sets that are not calibrated confidence sets, so they are called date sets.
        """
        if self.cost.level_name == "mean":
            return f"{int(round(100 * self.level))}% interval"
        return "date set"

    def _rate_phrase(self) -> str:
        if self.cost.level_name == "mean":
            return "mean level"
        word = _UNIT_WORDS.get(self.unit)
        return f"{word} rate" if word else f"rate per {self.unit}"

    def report(self) -> str:
        """Plain-language description with the numbers."""
        unit = self.unit
        what = self._rate_phrase()
        table = self.criterion_table
        crit_name = self.criterion.upper() if self.criterion in ("bic", "aic") else "criterion"
        prep = {"day": "on", "hour": "at", "week": "in the week of"}.get(unit, "in")
        comp = self.comparison
        parts: list[str] = []
        if self.n_changes == 0:
            lvl = float(self.segments[self.level_name].iloc[0])
            line = f"No change in the {what} was detected: a constant {self.level_name} of "
            line += f"{fmt_level(lvl)} per {unit}"
            if len(table) > 1 and self.criterion != "fixed":
                alt = table[table["m"] > 0].sort_values("criterion").iloc[0]
                c0 = float(table.loc[table["m"] == 0, "criterion"].iloc[0])
                line += (
                    f" is preferred by the {crit_name} ({c0:.1f} vs {float(alt['criterion']):.1f}"
                    f" for {plural(int(alt['m']), 'change')})"
                )
            parts.append(line + ".")
            if comp is not None:
                parts.append(comp.report())
        else:
            opening = "mean level" if self.cost.level_name == "mean" else "rate"
            descr = []
            for i in range(self.n_changes):
                row = self.breaks.iloc[i]
                s = (
                    f"most likely {prep} {_when(row['date'], unit)} ({self.set_name} "
                    f"{_span(row['ci_low'], row['ci_high'], unit)})"
                )
                if comp is not None and comp.break_number == i + 1 and self.n_changes == 1:
                    s += f", {comp.relation()} {comp.reference_text}"
                descr.append((s, self._change_phrase(row)))
            timed = comp is not None and comp.break_number == 1 and comp.timing() is not None
            if self.n_changes == 1 and timed:  # the timing sentence below gives date and set
                parts.append(f"One change: {descr[0][1]}.")
            elif self.n_changes == 1:
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
                timing = comp.timing()
                inside = "inside" if comp.in_set else "outside"
                where = f"The reference {unit} is {inside} the {self.set_name}"
                parts.append(
                    f"{where if timing is None else timing.text[:-1]}; probability that the new "
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
        if self.cost.level_name == "mean":
            verb = "fell" if after < before else "rose"
            return f"the mean {verb} from {fmt_level(before)} to {fmt_level(after)}"
        verb = "fell" if after < before else "rose"
        per = f"a {self.unit}" if self.unit in ("day", "week", "month") else f"per {self.unit}"
        s = f"the rate {verb} from {fmt_level(before)} to {fmt_level(after)} {per}"
        change = level_change_words(after / before) if before > 0 else ""
        return f"{s} ({change})" if change else s

    def _model_phrase(self) -> str:
        m = self.cost.model_phrase(self.dispersion)
        how = "exact dynamic programming" if self.method == "dp" else "PELT"
        crit = (
            "number of changes fixed"
            if self.criterion == "fixed"
            else f"number of changes by {self.criterion.upper() if self.criterion in ('bic', 'aic') else self.criterion}"
        )
        sets = self.cost.sets_phrase()
        if self.dependence > 1.0 and self.cost.level_name != "mean":
            sets = (
                f"likelihood divided by a serial-dependence factor of {self.dependence:.2f}; "
                f"{sets}; date sets hold {int(round(100 * self.level))}% of the tempered weight "
                f"and are not calibrated confidence sets ({SET_COVERAGE_NOTE})"
            )
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
                "dependence": self.dependence,
                "dependence_method": self.dependence_method,
            }
        )

    # plot(): inherited from Result, draws the chart registered for ChangePointResult


def _runs(index: pd.Index, positions: np.ndarray) -> list[list[Any]]:
    """Confidence set as ``[[first, last], ...]`` runs of consecutive periods of the series."""
    idx = np.asarray(positions, dtype=np.int64)
    if idx.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > 1)
    starts = np.r_[idx[0], idx[cuts + 1]]
    ends = np.r_[idx[cuts], idx[-1]]
    return [[index[a], index[b]] for a, b in zip(starts, ends, strict=True)]

"""When did the rate change? Exact change-point detection for count and level series.

:func:`detect_changepoints` splits a series into segments with a constant rate (Poisson or
negative binomial counts) or a constant mean (Gaussian mean shift, strucchange's
``breakpoints(y ~ 1)``), chooses the number of changes with a stated penalised criterion, and
dates every change with a confidence set: an exact posterior (Poisson), normalised profile
likelihood weights (negative binomial) or Bai's (1997) asymptotic interval (Gaussian).

The models are the entries of :data:`trends.models.costs.COSTS` (objects, not strings in
branches); the search core is :mod:`trends.models._segmentation`; the result objects live in
:mod:`trends.models.changepoint_results`.

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
- **Serial dependence** (``dependence``, default ``"auto"``): for the negative binomial model the
  log-likelihood is divided by an estimated factor ``phi >= 1``, the ratio of long-run to
  short-run variance (:mod:`trends.models.changepoint_dependence`), so the criterion is
  ``-2 log L / phi + c * p`` and the date weights are the likelihood to the power ``1 / phi``
  (wider sets). The estimate alternates with the search: first from every pair of periods, then
  from the pairs inside the segments found (two searches at most; the factor never rises). When
  the tempered search finds no change, a latent-AR(1) negative binomial model tests a step at
  the best single split (:mod:`trends.models.changepoint_shift`); beyond ``|z| > 4`` the search
  starts again with the factor estimated inside the split's segments (a shift that inflated
  the factor is not hidden by it). ``dependence="none"`` is the search before issue 12.
  The tempered sets are not calibrated confidence sets; their measured coverage is in
  ``benchmarks/results/changepoint_calibration.md``.
- **Edge zeros**: a run of zeros at the start or end of the window shorter than ``edge_zeros``
  (default 14) observed periods is not reported as a change to or from a zero rate.

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
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import InputError, InsufficientDataError, ModelError
from trends.models._segmentation import AUTO_PELT_MIN_OBS, hpd_mask
from trends.models.changepoint_dependence import (
    EDGE_ZERO_MIN_PERIODS,
    DependenceEstimate,
    estimate_dependence,
    resolve_dependence,
)
from trends.models.changepoint_results import ChangePointResult, ReferenceComparison
from trends.models.changepoint_shift import ShiftCheck, check_shift
from trends.models.costs import ChangePointCost, SegmentFit, check_counts, get_cost
from trends.models.timeaxis import TimeAxis, fmt_label, plural
from trends.models.wording import fmt_level

__all__ = [
    "AUTO_PELT_MIN_OBS",
    "EDGE_ZERO_MIN_PERIODS",
    "ChangePointResult",
    "ReferenceComparison",
    "detect_changepoints",
]

Model = Literal["poisson", "negbin", "gaussian"]
Method = Literal["auto", "dp", "pelt"]

#: Most searches of the alternation between the search and the dependence factor: the factor
#: from every pair, a search, the factor from the pairs inside its segments, the final search
#: (a third search changed the outcome of 8 of 3,000 calibration series and costs a third of
#: the time: benchmarks/results/changepoint_dependence_variants.md).
_DEPENDENCE_ROUNDS = 2

_BREAK_COLUMNS = [
    "break", "date", "date_last_old", "position", "ci_low", "ci_high", "ci_low_last_old",
    "ci_high_last_old", "set_size", "set_contiguous", "set_method", "posterior_mode",
    "posterior_mode_prob", "hpd_low", "hpd_high", "level_before", "level_after", "ratio",
    "change", "percent_change", "evidence", "gap_before",
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
def _check_options(
    method: str, level: float, n_changes: int | None, max_changes: int
) -> int | None:
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
    return n_changes


def observed_values(series: Any, cost: ChangePointCost) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``(series, observed values, their positions)``, the values checked for ``cost``.

    Raises
    ------
    InputError
        Values that are not numbers, infinite, or not valid for the cost (naming the row).
    """
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
    check_counts(cost, values, observed, name)
    pos = np.flatnonzero(observed)
    return series, values[pos], pos


def _resolve_min_size(min_size: float, n_obs: int, cost: ChangePointCost) -> int:
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
    return max(h, cost.min_size_floor)


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


# --------------------------------------------------------------------------------------------
# Steps after the search
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Problem:
    """The data and options of one detection."""

    series: pd.Series
    y: np.ndarray
    pos: np.ndarray
    axis: TimeAxis
    cost: ChangePointCost
    h: int
    level: float
    phi: float = 1.0
    edge_zeros: int = 0

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def n_total(self) -> int:
        return len(self.series)


def _segments(
    p: _Problem, fit: SegmentFit, edges: np.ndarray
) -> tuple[pd.DataFrame, pd.Series, np.ndarray, dict[str, Any]]:
    """Segment table, fitted levels, the levels and the context of the date weights."""
    breaks = edges[1:-1]
    seg_n, _ = fit.cost.sums(edges[:-1], edges[1:])
    start_pos = np.concatenate(([0], p.pos[breaks]))
    end_pos = np.concatenate((p.pos[breaks] - 1, [p.n_total - 1]))
    idx = p.series.index
    seg_data: dict[str, Any] = {
        "segment": np.arange(1, breaks.size + 2),
        "start": list(idx[start_pos]),
        "end": list(idx[end_pos]),
        "n_periods": end_pos - start_pos + 1,
        "n_observed": seg_n.astype(np.int64),
    }
    levels, columns, context = p.cost.segment_levels(fit, edges, p.level)
    seg_data.update(columns)
    fitted = pd.Series(
        np.repeat(levels, np.diff(np.concatenate((start_pos, [p.n_total])))),
        index=idx,
        name=f"fitted {p.cost.level_name}",
    )
    return pd.DataFrame(seg_data), fitted, levels, context


@dataclass
class _Dates:
    rows: list[dict[str, Any]]
    posteriors: list[pd.Series]
    sets: list[pd.Index]
    post_positions: list[np.ndarray]
    set_index: list[np.ndarray]
    notes: list[str]


def _break_row(
    p: _Problem,
    j: int,
    edges: np.ndarray,
    prob: np.ndarray,
    cand: np.ndarray,
    hpd: np.ndarray,
    set_idx: np.ndarray,
    levels: np.ndarray,
    evidence: float,
    set_method: str,
) -> dict[str, Any]:
    idx, pos = p.series.index, p.pos
    tau_hat = int(edges[j + 1])
    hpd_idx = cand[hpd]
    mode = int(cand[int(np.argmax(prob))])
    lo_set, hi_set = int(set_idx.min()), int(set_idx.max())
    before, after = float(levels[j]), float(levels[j + 1])
    ratio = after / before if before > 0 else np.nan
    return {
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


def _edge_admissible(p: _Problem, cand: np.ndarray, first: bool, last: bool) -> np.ndarray:
    """The candidate dates that do not only cut off a short run of zeros at an edge.

    The edge rule of :func:`_drop_edge_zeros` applies to the date weights too: with the change
    to (or from) a short run of edge zeros dropped, a date at that run is not admissible for the
    first or last change that remains (its weights would gather on the dropped change).
    """
    if p.edge_zeros <= 0 or not p.cost.counts or cand.size == 0:
        return cand
    nonzero = np.flatnonzero(p.y > 0)
    if nonzero.size == 0:
        return cand
    keep = np.ones(cand.size, dtype=bool)
    if last:  # the new segment would be zeros only, shorter than edge_zeros
        keep &= ~((cand > nonzero[-1]) & (p.n - cand < p.edge_zeros))
    if first:  # the old segment would be zeros only, shorter than edge_zeros
        keep &= ~((cand <= nonzero[0]) & (cand < p.edge_zeros))
    return cand[keep] if keep.any() else cand


def _dates(
    p: _Problem, fit: SegmentFit, edges: np.ndarray, levels: np.ndarray, context: dict[str, Any]
) -> _Dates:
    """Weights over the admissible dates of each change (neighbours fixed) and their sets."""
    m = edges.size - 2
    out = _Dates([], [], [], [], [], [])
    obs_labels = p.series.index[p.pos]
    set_method = p.cost.set_method(p.level)
    if p.phi > 1.0 and p.cost.name != "gaussian":
        set_method = (
            f"highest tempered-likelihood-weight set holding {int(round(p.level * 100))}% of the "
            f"weight (dependence factor {p.phi:.2f}); not a calibrated confidence set"
        )
    for j in range(m):
        left, tau_hat, right = int(edges[j]), int(edges[j + 1]), int(edges[j + 2])
        cand = _edge_admissible(p, np.arange(left + p.h, right - p.h + 1), j == 0, j == m - 1)
        dw = p.cost.date_weights(fit, left, tau_hat, right, cand, p.level, context)
        logp = dw.logp / p.phi  # tempered likelihood: wider sets under serial dependence
        w = np.exp(logp - logp.max())
        prob = w / w.sum()
        hpd = hpd_mask(prob, p.level)
        if dw.note:
            out.notes.append(dw.note)
        set_idx = cand[hpd] if dw.set_idx is None else dw.set_idx
        out.posteriors.append(pd.Series(prob, index=obs_labels[cand], name=f"change {j + 1}"))
        out.sets.append(obs_labels[set_idx])
        out.post_positions.append(p.pos[cand])
        out.set_index.append(p.pos[set_idx])
        evidence = p.cost.evidence(fit, left, tau_hat, right, context)
        row = _break_row(p, j, edges, prob, cand, hpd, set_idx, levels, evidence, set_method)
        out.rows.append(row)
        if row["gap_before"] > 0:
            out.notes.append(
                f"Change {j + 1} follows {plural(row['gap_before'], 'unreported ' + p.axis.unit)}"
                f"; it may have happened during the gap."
            )
    return out


def _method_statement(
    cost: ChangePointCost,
    fit: SegmentFit,
    crit_label: str,
    c: float | None,
    pen_change: float,
    kmax: int,
    n_changes: int | None,
    h: int,
    level: float,
    prior: dict[str, float] | None,
    unit: str,
    dep: DependenceEstimate | None = None,
) -> str:
    """What was done, in words, for a methods section."""
    pct = int(round(level * 100))
    parts = [cost.model_sentence(fit.dispersion, fit.rounds)]
    if fit.search.method == "dp":
        parts.append(
            "Segment boundaries were found by exact dynamic programming (the optimal "
            f"segmentation for each number of changes from 0 to {max(kmax, n_changes or 0)})."
        )
    else:
        sigma2 = fit.search.sigma2
        extra = (
            f" with the error variance fixed at a robust estimate from successive differences "
            f"({fmt_level(sigma2)})"
            if sigma2 is not None
            else ""
        )
        parts.append(
            "Segment boundaries were found by PELT (exact minimisation of the penalised "
            f"criterion{extra})."
        )
    tempered = dep is not None and dep.tempered
    if dep is not None and dep.method != "none":
        parts.append(dep.sentence(counts=cost.counts))
    ll = "-2 log L / phi" if tempered else "-2 log L"
    if n_changes is not None:
        parts.append(f"The number of changes was fixed at {n_changes}.")
    elif c is not None:
        parts.append(
            f"The number of changes m was chosen by {crit_label.upper()} = {ll} + "
            f"{'log(n)' if crit_label == 'bic' else '2'} x (m + 1 levels + m dates"
            f"{cost.extra_param_words}), i.e. a penalty of {pen_change:.2f} per change."
        )
    else:
        parts.append(
            f"The number of changes was chosen by {ll} + {pen_change:g} x m (penalty per change)."
        )
    parts.append(
        f"Each segment holds at least {h} observed {unit}s. Unreported (missing) periods "
        "contribute nothing to the likelihood and keep their place in time; a change is dated to "
        "the first observed period at the new level (strucchange reports the period before)."
    )
    parts.append(cost.sets_sentence(pct, prior))
    return " ".join(parts)


def _result(
    p: _Problem,
    fit: SegmentFit,
    dates: _Dates,
    segments: pd.DataFrame,
    fitted: pd.Series,
    prior: dict[str, float] | None,
    notes: list[str],
    statement: str,
) -> ChangePointResult:
    """The result object; the primary change is the one with the largest evidence."""
    breaks_df = pd.DataFrame(dates.rows, columns=_BREAK_COLUMNS)
    result = ChangePointResult(
        series=p.series,
        model=p.cost.name,
        method=fit.search.method,
        criterion="",
        penalty_per_change=math.nan,
        n_changes=len(dates.rows),
        min_size=p.h,
        level=p.level,
        breaks=breaks_df,
        segments=segments,
        criterion_table=fit.search.table,
        posteriors=dates.posteriors,
        confidence_sets=dates.sets,
        fitted=fitted,
        unit=p.axis.unit,
        method_statement=statement,
        dispersion=fit.dispersion,
        prior=prior,
        notes=notes,
        _axis=p.axis,
        _post_positions=dates.post_positions,
        _obs_positions=p.pos,
        _set_index=dates.set_index,
        _cost=p.cost,
    )
    if dates.rows:
        result.primary = int(np.argmax(breaks_df["evidence"].to_numpy()))
    return result


def _drop_edge_zeros(
    y: np.ndarray, breaks: np.ndarray, edge_zeros: int, counts: bool
) -> tuple[np.ndarray, list[int]]:
    """Remove a change that only cuts off a short run of zeros at either edge of the window.

    Returns the kept breaks and the lengths (observed periods) of the runs that were merged.
    """
    dropped: list[int] = []
    if not counts or breaks.size == 0 or edge_zeros <= 0:
        return breaks, dropped
    first, last = int(breaks[0]), int(breaks[-1])
    if first < edge_zeros and not np.any(y[:first] > 0):
        breaks, dropped = breaks[1:], [first]
    if breaks.size and y.size - last < edge_zeros and not np.any(y[last:] > 0):
        breaks = breaks[:-1]
        dropped.append(y.size - last)
    return breaks, dropped


def _edge_note(dropped: list[int], edge_zeros: int, unit: str) -> str:
    runs = " and ".join(plural(k, unit) for k in dropped)
    return (
        f"A run of zeros at the edge of the window ({runs}) was not reported as a change to or "
        f"from a zero rate: runs of zeros at the edges shorter than {plural(edge_zeros, unit)} "
        "may be reporting lags or lulls; they are kept in the neighbouring segment (the "
        "criterion table is that of the search before this rule)."
    )


def _alternate(
    p: _Problem, kmax: int, n_changes: int | None, method: str, c: float | None,
    pen_change: float, dep: DependenceEstimate,
) -> tuple[SegmentFit, DependenceEstimate]:  # fmt: skip
    """The search on the tempered criterion ``-2 log L / phi + penalty``, alternated with the
    estimate of the factor.

    With an estimated factor the search alternates with the estimate: after a search that finds
    changes the factor is re-estimated from the pairs inside its segments (so a real shift
    stops counting as dependence) and the search runs again, after at most
    :data:`_DEPENDENCE_ROUNDS` searches. The factor never rises in the alternation: a level
    shift can only add to the squared differences, so a larger estimate inside shorter
    segments is their noise (it removed a found -50% step from 120 independent days with a
    factor of 17, benchmarks/README.md section 4o).
    """
    fit = None
    seen: list[tuple[int, ...]] = []
    rounds = _DEPENDENCE_ROUNDS if dep.method == "estimated" else 1
    for r in range(rounds):
        phi = dep.factor
        fit = p.cost.segment(
            p.y, p.h, kmax, n_changes, method, None if c is None else c * phi, pen_change * phi
        )
        found = tuple(int(b) for b in fit.search.breaks)
        if r == rounds - 1 or not found or found in seen:
            break
        seen.append(found)
        new = estimate_dependence(p.y, counts=p.cost.counts, breaks=np.asarray(found))
        if new.method != "estimated" or new.factor >= dep.factor:
            break
        dep = new
    assert fit is not None
    return fit, dep


def _second_start(
    p: _Problem, kmax: int, method: str, c: float | None, pen_change: float,
    dep: DependenceEstimate,
) -> tuple[SegmentFit | None, DependenceEstimate, ShiftCheck]:  # fmt: skip
    """The latent-AR check of the best single split and, when it passes, the search again
    with the factor estimated inside the split's two segments (:mod:`changepoint_shift`)."""
    single = p.cost.segment(p.y, p.h, 1, 1, "dp", None, 0.0)
    split = int(single.search.breaks[0])
    check = check_shift(p.y, p.pos, p.n_total, split)
    if not check.passed:
        return None, dep, check
    inside = estimate_dependence(p.y, counts=p.cost.counts, breaks=np.array([split]))
    if inside.method != "estimated" or inside.factor >= dep.factor:
        return None, dep, check
    fit, new = _alternate(p, kmax, None, method, c, pen_change, inside)
    return (fit, new, check) if len(fit.search.breaks) else (None, dep, check)


def _search(
    p: _Problem, kmax: int, n_changes: int | None, method: str, c: float | None,
    pen_change: float, dep: DependenceEstimate, edge_zeros: int,
) -> tuple[SegmentFit, np.ndarray, list[str], DependenceEstimate, ShiftCheck | None]:  # fmt: skip
    """The tempered search (:func:`_alternate`), its second start and the edge rule.

    When the search with an estimated factor finds no change, the best single split is checked
    for a shift that the factor hides (:func:`_second_start`); the search's changes are then
    those of the second start, if it finds any. The reported factor is the one of the final
    search.
    """
    fit, dep = _alternate(p, kmax, n_changes, method, c, pen_change, dep)
    check = None
    counts = p.cost.counts
    if counts and n_changes is None and kmax >= 1 and dep.method == "estimated" and dep.tempered:
        if not len(fit.search.breaks):
            second, dep, check = _second_start(p, kmax, method, c, pen_change, dep)
            fit = fit if second is None else second
    if dep.factor != 1.0:  # report the criterion on the tempered scale
        fit.search.columns["criterion"] = np.asarray(fit.search.columns["criterion"]) / dep.factor
    breaks = np.asarray(fit.search.breaks, dtype=np.int64)
    notes: list[str] = []
    if n_changes is None:
        breaks, dropped = _drop_edge_zeros(p.y, breaks, int(edge_zeros), p.cost.counts)
        if dropped:  # the table stays the search's own (its "selected" row included)
            notes.append(_edge_note(dropped, int(edge_zeros), p.axis.unit))
    return fit, breaks, notes, dep, check


def detect_changepoints(
    series: pd.Series,
    *,
    model: Model | str | ChangePointCost = "negbin",
    n_changes: int | None = None,
    criterion: str | float = "bic",
    max_changes: int = 5,
    min_size: int | float = 7,
    method: Method = "auto",
    level: float = 0.95,
    reference: Any = None,
    dependence: str | float = "auto",
    edge_zeros: int = EDGE_ZERO_MIN_PERIODS,
    left_out: Any = None,
    left_out_words: str = "only partly inside the window",
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
    model : str or ChangePointCost, default "negbin"
        A name of :data:`trends.models.costs.COSTS` (``"poisson"``, ``"negbin"``, ``"gaussian"``)
        or a change-point model object.
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
    dependence : {"auto", "estimate", "none"} or float, default "auto"
        Serial dependence (:mod:`trends.models.changepoint_dependence`): the log-likelihood is
        divided by a factor ``phi >= 1`` (ratio of long-run to short-run variance) in the
        criterion and the date weights, so that persistence is not read as shifts. ``"auto"``
        estimates it for the negative binomial model and uses 1 for the others; ``"estimate"``
        estimates it for any model; ``"none"`` treats periods as independent (the search
        before issue 12); a number is the factor.
    edge_zeros : int, default 14
        A run of zeros at the start or end of the window shorter than this many observed
        periods is not reported as a change (count models, number of changes not fixed); 0
        turns the rule off (:data:`EDGE_ZERO_MIN_PERIODS`).
    left_out : array of bool, optional
        Periods (aligned with ``series``) that were reported but that the caller set to NaN
        because they cannot enter as whole periods, e.g. a first or last week cut by the window.
        They are left out of the likelihood like the periods not reported, but the notes count
        them apart, in ``left_out_words``, instead of calling them not reported.
    left_out_words : str, default "only partly inside the window"
        Why the ``left_out`` periods were left out, as the notes say it.

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
    cost = get_cost(model)
    n_changes = _check_options(method, level, n_changes, max_changes)
    series, y, pos = observed_values(series, cost)
    name = None if series.name is None else str(series.name)
    axis = TimeAxis.from_index(series.index, name)
    n_total, n = len(series), int(y.size)
    n_left = 0
    if left_out is not None:
        mask = np.zeros(n_total, dtype=bool)
        mask[pos] = True  # observed
        n_left = int(np.sum(np.asarray(left_out, dtype=bool) & ~mask))
    h = _resolve_min_size(min_size, n, cost)
    if n < 2 * h:
        raise InsufficientDataError(
            f"a change needs at least 2 * min_size = {2 * h} observed periods; the series has "
            f"{n} observed of {n_total}"
        )
    cost.check_values(y)
    dep = resolve_dependence(dependence, cost.name, y, cost.counts)
    crit_label, c, pen_change = _criterion(criterion, n)
    kmax = max(0, min(int(max_changes), n // h - 1))
    p = _Problem(series, y, pos, axis, cost, h, float(level), dep.factor)
    fit, breaks, edge_notes, dep, check = _search(
        p, kmax, n_changes, method, c, pen_change, dep, edge_zeros
    )
    edge = int(edge_zeros) if n_changes is None else 0
    p = _Problem(series, y, pos, axis, cost, h, float(level), dep.factor, edge)
    return _assemble(p, fit, breaks, edge_notes, (dep, check), (crit_label, c, pen_change, kmax),
                     n_changes, reference, (n_left, left_out_words))  # fmt: skip


def _assemble(
    p: _Problem, fit: SegmentFit, breaks: np.ndarray, edge_notes: list[str],
    deps: tuple[DependenceEstimate, ShiftCheck | None], crit: tuple[str, float | None, float, int],
    n_changes: int | None, reference: Any, left_out: tuple[int, str] = (0, ""),
) -> ChangePointResult:  # fmt: skip
    """Segments, dates, words and the result object of a search (``left_out``: how many of the
    periods without a value were reported but left out, and why)."""
    crit_label, c, pen_change, kmax = crit
    dep, check = deps
    cost, y, n, n_total = p.cost, p.y, p.n, p.n_total
    m = int(breaks.size)
    edges = np.concatenate(([0], breaks, [n]))
    segments, fitted, levels, context = _segments(p, fit, edges)
    prior = cost.prior(y)
    context.update({"prior": prior, "m": m})
    dates = _dates(p, fit, edges, levels, context)
    notes = dates.notes + edge_notes
    n_left, left_words = left_out
    n_missing = n_total - n - n_left
    if n_missing:
        notes.append(
            f"{plural(n_missing, 'period')} of {n_total} "
            f"{'was' if n_missing == 1 else 'were'} not reported (blank) and "
            f"{'was' if n_missing == 1 else 'were'} left out of the likelihood."
        )
    if n_left:
        were, are = ("was", "it is") if n_left == 1 else ("were", "they are")
        notes.append(
            f"{n_left} of the {n_total} periods {were} reported but left out of the likelihood, "
            f"as {are} {left_words}."
        )
    notes.extend(cost.notes(fit.dispersion))
    statement = _method_statement(
        cost, fit, crit_label, c, pen_change, kmax, n_changes, p.h, p.level, prior,
        p.axis.unit, dep,
    )  # fmt: skip
    if check is not None:
        split_date = fmt_label(p.series.index[p.pos[check.position]], p.axis.unit)
        statement = f"{statement} {check.sentence(split_date)}"
    result = _result(p, fit, dates, segments, fitted, prior, notes, statement)
    result.criterion = "fixed" if n_changes is not None else crit_label
    result.penalty_per_change = pen_change
    result.dependence = dep.factor
    result.dependence_method = dep.method
    if reference is not None:
        result.comparison = result.compare(reference)
        if result.comparison.break_number is not None:
            result.primary = result.comparison.break_number - 1
    return result

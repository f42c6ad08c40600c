"""When did the rate change, if it changed once? A simulation-calibrated set of dates (issue 12).

:func:`trends.models.changepoint.detect_changepoints` dates only the changes its penalised
search declares; under strong serial dependence it rightly declares few, so a real but weak
change gets no date set at all. :func:`change_date_set` answers a different question for every
series, whether or not a change is declared: *if the rate changed once in this window, on which
days can the change have begun?* A weak change under strong dependence gets an honest wide set
(often the whole window: the data cannot date a change), a strong change a short one.

Method (test inversion for the location in an at-most-one-change model)
-----------------------------------------------------------------------
- **Scale**: the observed counts ``y_1..y_n`` (unreported periods skipped) are put on the
  variance-stabilised scale ``x = 2 sqrt(y + 3/8)``; the model is one shift of the mean of
  ``x`` at an unknown first period ``tau`` of the new segment, with at least ``min_segment``
  observed periods on each side.
- **Statistic**: the Gaussian profile log-likelihood of one change at ``tau`` is, up to a
  constant, ``S(tau) = D(tau)^2 / w(tau)`` with the CUSUM bridge ``D(tau) = X_tau - tau X_n /
  n`` (``X`` cumulative sums) and ``w(tau) = tau (n - tau) / n`` (O(n) for every ``tau``). The
  statistic of a date is ``R(tau) = [max S - S(tau)] / s^2`` (``s^2``: residual variance of the
  best single-change fit), 0 at the most likely date.
- **Calibration** (every admissible ``tau0``, not only the most likely date): the distribution
  of ``R(tau0)`` under the single-change model fitted with the change at ``tau0`` (segment means
  and segment standard deviations of ``x``, so the jump is the one at ``tau0``, not the one
  selected as the largest) and noise with the autocorrelations ``rho_k = c p^k`` fitted by
  :func:`trends.models.changepoint_dependence.estimate_dependence` from every pair of periods
  (an AR(1) signal of variance ``c`` plus white noise of variance ``1 - c``, scaled per
  segment). ``n_sim`` noise paths are drawn once (common to every ``tau0``, seeded), so the
  simulated profiles are cumulative-sum algebra. ``tau0`` is in the set when its observed
  ``R(tau0)`` is at or below the ``level`` quantile of its simulated ``R(tau0)``. The quantile
  is computed exactly on a grid of 40 candidate dates (and the most likely one), interpolated
  between them, and recomputed exactly for every date whose statistic is within the change of
  the critical value across its grid interval plus 5% of it (on 9 test series the sets equalled
  those of the exact computation at every date).
- **Rule**: the set is stated as "the data cannot date a change" when it holds at least
  :data:`UNINFORMATIVE_SHARE` of the admissible dates.

The simulated profiles are divided by the observed ``s^2`` (a common constant), so the
decisions are those of the raw differences of ``S``. The quantile is the
``ceil(level (n_sim + 1))``-th smallest of the ``n_sim`` simulated values.

Two choices were measured (pilot, 60 series per cell at 245 days): the dependence estimated
with the pairs across the most likely date left out (as the search's second round does)
undercovered (0.70-0.85 on INGARCH 0.9 with -50% / -75% changes): from every pair a real shift
partly counts as dependence, which widens the sets to near their level; one common noise
variance instead of the segment ones undercovered too (INGARCH 0.9, -50%: 0.85 against 0.93;
Markov switching, -75%: 0.90 against 0.93).

Measured (``benchmarks/calibration_changepoint.py --n 200 --dateset-only``,
``benchmarks/results/changepoint_dateset.md``; 200 series per cell, the 30 cells of the
change-point calibration): coverage of the true first day of a -50% or -75% change, every
series counted, 0.910-0.965 on INGARCH 0.7 / 0.9 and Markov switching and 0.950-0.985 on the
latent AR(1) presets (target 0.90: 20 of 20 cells; three cells 0.910-0.915, about 2 Monte Carlo
SE below 0.95). Median set: 30-40 days for -75% changes with moderate dependence, 83-110 days
for -50%; under the strongest dependence (INGARCH 0.9, Markov) -50% sets usually cover the whole
window (uninformative in 0.68-0.80 of the series). Without a change the sets cover 0.89-0.95 of
the window on average. Time: mean 58 ms (245 days) and 105 ms (365 days) per series, 99th
percentile at most 0.37 s, longest 0.49 s (shared machine). Because the measured coverage of the hardest
processes is 0.91-0.92, reports call it a "95% set" with its measured coverage, not an exact
95% confidence set.

Models do no I/O: this module reads nothing and writes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, InsufficientDataError, ModelError
from trends.models.changepoint import observed_values
from trends.models.changepoint_dependence import DependenceEstimate, estimate_dependence
from trends.models.costs import get_cost
from trends.models.timeaxis import TimeAxis, plural
from trends.results import Result, to_jsonable
from trends.verdicts.words import fmt_date, period_words

__all__ = [
    "DATESET_COVERAGE_NOTE",
    "DEFAULT_N_SIM",
    "DEFAULT_SEED",
    "UNINFORMATIVE_SHARE",
    "ChangeDateSet",
    "change_date_set",
]

#: Simulated noise paths of the calibration.
DEFAULT_N_SIM = 499
#: Default seed: results are reproducible (numpy's PCG64 draws are machine-independent).
DEFAULT_SEED = 20261202
#: A set holding at least this share of the admissible dates: the data cannot date a change.
UNINFORMATIVE_SHARE = 0.5
#: Measured coverage of the sets, stated with them (benchmarks/calibration_changepoint.py
#: --dateset-only, benchmarks/results/changepoint_dateset.md).
DATESET_COVERAGE_NOTE = (
    "in simulations (200 series per design, 245 and 365 days, every series counted) the "
    "nominal 95% set contained the true first day of a -50% or -75% change in 0.910-0.965 of "
    "the series of processes written independently of the method (INGARCH 0.7 and 0.9, Markov "
    "switching) and in 0.950-0.985 on the package's latent AR(1) designs; under the strongest "
    "dependence (INGARCH 0.9, Markov switching) the set of a -50% change usually covered the "
    "whole window: benchmarks/results/changepoint_dateset.md"
)
_GRID_POINTS = 40
#: margin (share of the interpolated critical value) of the exact recomputation
_REFINE = 0.05


@dataclass(frozen=True, eq=False, repr=False)
class ChangeDateSet(Result):
    """Result of :func:`change_date_set`: the dates on which a single change can have begun.

    Attributes
    ----------
    dates : pandas.Index
        The dates of the set (first periods of the new segment), in time order.
    statistic : pandas.Series
        ``R(tau)`` of every admissible date (0 at the most likely date), by date.
    critical : pandas.Series
        The ``level`` quantile of the simulated ``R(tau)`` of every admissible date.
    most_likely : object
        The date of the largest profile likelihood.
    ratio : float
        Mean count after / before the most likely date (``nan`` if the mean before is 0).
    level : float
        Nominal level of the set.
    min_segment : int
        Observed periods on each side of a change.
    n_observed : int
        Observed periods of the window.
    n_periods : int
        Periods of the window (unreported included).
    share : float
        Share of the admissible dates in the set.
    dependence : DependenceEstimate
        The serial dependence of the calibration noise.
    n_sim : int
        Simulated noise paths.
    seed : int
        Seed of the noise paths.
    unit : str
        Period unit (``"day"``...).
    window : tuple
        First and last label of the window.
    notes : tuple of str
        Remarks (unreported periods...).
    """

    dates: pd.Index
    statistic: pd.Series
    critical: pd.Series
    most_likely: Any
    ratio: float
    level: float
    min_segment: int
    n_observed: int
    n_periods: int
    share: float
    dependence: DependenceEstimate
    n_sim: int
    seed: int
    unit: str = "period"
    window: tuple[Any, Any] = (None, None)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def size(self) -> int:
        """Number of dates in the set."""
        return len(self.dates)

    @property
    def uninformative(self) -> bool:
        """Whether the set holds at least :data:`UNINFORMATIVE_SHARE` of the admissible dates."""
        return self.share >= UNINFORMATIVE_SHARE

    def runs(self) -> list[tuple[Any, Any, int]]:
        """Contiguous runs of the set ``(first, last, dates)`` (adjacent admissible dates).

        Returns
        -------
        list of tuple
        """
        inset = self.statistic.index.isin(self.dates)
        out: list[tuple[Any, Any, int]] = []
        idx = self.statistic.index
        k = 0
        while k < inset.size:
            if not inset[k]:
                k += 1
                continue
            j = k
            while j + 1 < inset.size and inset[j + 1]:
                j += 1
            out.append((idx[k], idx[j], j - k + 1))
            k = j + 1
        return out

    # -- Result interface ----------------------------------------------------------------------
    def contains(self, when: Any) -> bool:
        """Whether the period that holds ``when`` is in the set.

        Parameters
        ----------
        when : date-like or label
            A day (matched to the period that starts at or before it) or a label of the index.

        Returns
        -------
        bool
        """
        labels = self.statistic.index
        if isinstance(labels, pd.DatetimeIndex):
            pos = int(labels.searchsorted(pd.Timestamp(when), side="right")) - 1
            return pos >= 0 and labels[pos] in set(self.dates)
        return when in set(self.dates)

    def summary(self) -> pd.DataFrame:
        """The set as contiguous runs of dates.

        Returns
        -------
        pandas.DataFrame
            One row per run: ``first``, ``last``, ``n_dates``, and whether it holds the most
            likely date.
        """
        rows = [
            {
                "first": a,
                "last": b,
                "n_dates": k,
                "has_most_likely": bool(a <= self.most_likely <= b),
            }
            for a, b, k in self.runs()
        ]
        out = pd.DataFrame(rows, columns=["first", "last", "n_dates", "has_most_likely"])
        out.index.name = "run"
        return out

    def glance(self) -> pd.DataFrame:
        """One row: set size and span, share of the window, most likely date, dependence.

        Returns
        -------
        pandas.DataFrame
            Exactly one row.
        """
        return pd.DataFrame([self._scalars()])

    def _scalars(self) -> dict[str, Any]:
        return {
            "first": self.dates[0],
            "last": self.dates[-1],
            "size": self.size,
            "n_runs": len(self.runs()),
            "share": self.share,
            "uninformative": self.uninformative,
            "most_likely": self.most_likely,
            "ratio": self.ratio,
            "level": self.level,
            "min_segment": self.min_segment,
            "n_observed": self.n_observed,
            "dependence_factor": self.dependence.factor,
            "persistence": self.dependence.persistence,
            "n_sim": self.n_sim,
            "seed": self.seed,
        }

    def headline(self) -> str:
        """The set in one sentence.

        Returns
        -------
        str
        """
        pct = f"{round(self.level * 100):d}%"
        if self.uninformative:
            return (
                f"The data cannot date a change: if the rate changed once in this window, the "
                f"{pct} set of possible start dates covers {self.share:.0%} of the dates at "
                f"which a change can be tested ({_fmt(self.dates[0], self.unit)} to "
                f"{_fmt(self.dates[-1], self.unit)})."
            )
        lead = "If the rate changed once in this window, the change began"
        if self.size == 1:
            return (
                f"{lead} {_on(self.dates[0], self.unit)} by a simulation-calibrated {pct} set "
                f"of one {self.unit}."
            )
        runs = self.runs()
        span = "; ".join(
            _fmt(a, self.unit) if k == 1 else f"{_fmt(a, self.unit)} to {_fmt(b, self.unit)}"
            for a, b, k in runs[:3]
        ) + ("; ..." if len(runs) > 3 else "")
        return (
            f"{lead} {'on' if self.unit == 'day' else 'in'} one of "
            f"{plural(self.size, self.unit)} ({span}) by a "
            f"simulation-calibrated {pct} set; most likely {_on(self.most_likely, self.unit)}."
        )

    def report(self) -> str:
        """Plain-language paragraph: the set, what it assumes, and its measured coverage.

        Returns
        -------
        str
        """
        return f"{self.headline()} {self.method_text()}"

    def method_text(self) -> str:
        """The part of :meth:`report` after the headline: the method and its measured coverage.

        Returns
        -------
        str
        """
        ratio = (
            f" (mean after / before that date: {self.ratio:.2f})"
            if math.isfinite(self.ratio)
            else ""
        )
        most = _fmt(self.most_likely, self.unit)
        if self.unit == "week":
            most = f"the week of {most}"
        daily = self.unit in ("day", "period")
        coverage = "Measured coverage: " if daily else "Measured coverage, on daily series only: "
        parts = [
            f"The most likely {'date' if daily else 'start'} is {most}{ratio}.",
            "The set is an inversion of a test of each date in a one-change model of the "
            "square-root counts, calibrated by simulation with serial dependence "
            f"(dependence factor {self.dependence.factor:.2f}, {self.n_sim} simulated paths). "
            "It is given whether or not a change is declared: it says when a change could have "
            "begun, not that one happened.",
            coverage + DATESET_COVERAGE_NOTE + ".",
        ]
        return " ".join(parts + list(self.notes))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary of the set.

        Returns
        -------
        dict
        """
        return to_jsonable(
            {
                "model": "change_date_set",
                **self._scalars(),
                "window": list(self.window),
                "unit": self.unit,
                "runs": [{"first": a, "last": b, "n_dates": k} for a, b, k in self.runs()],
                "dates": list(self.dates),
                "dependence_method": self.dependence.method,
                "notes": list(self.notes),
                "headline": self.headline(),
            }
        )


def _fmt(label: Any, unit: str = "day") -> str:
    """A date as the reports write it ("1 Sep 2019"; a month "Sep 2019"); a position as it is."""
    if isinstance(label, pd.Timestamp | pd.Period):
        when = label.start_time if isinstance(label, pd.Period) else label
        return period_words(when, "month") if unit == "month" else fmt_date(when)
    return str(label)


def _on(label: Any, unit: str) -> str:
    """ "on 1 Sep 2019", "in the week of 2 Sep 2019", "in Sep 2019": when a period began."""
    if not isinstance(label, pd.Timestamp | pd.Period):
        return f"at {label}"
    when = label.start_time if isinstance(label, pd.Period) else label
    return f"{'on' if unit == 'day' else 'in'} {period_words(when, unit)}"


# --------------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------------
def _window(series: Any, start: Any, end: Any) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The window of the series, its observed counts and their positions."""
    if not isinstance(series, pd.Series):
        series = pd.Series(np.asarray(series))
    name = None if series.name is None else str(series.name)
    TimeAxis.from_index(series.index, name)  # regular index, or InputError
    if start is not None or end is not None:
        try:
            series = series.loc[start:end]
        except (TypeError, KeyError, ValueError) as exc:
            raise InputError(f"cannot cut the window {start!r} to {end!r}", column=name) from exc
    return observed_values(series, get_cost("negbin"))


@dataclass(frozen=True)
class _Profile:
    """The single-change profile of ``x`` over the admissible dates ``cand``."""

    cand: np.ndarray
    bridge: np.ndarray  # D(tau)
    weight: np.ndarray  # w(tau)
    s_profile: np.ndarray  # S(tau)
    sd: np.ndarray  # (K, 2) segment standard deviations of x at each tau
    s2: float  # residual variance of the best fit

    @property
    def stat(self) -> np.ndarray:
        return (self.s_profile.max() - self.s_profile) / self.s2


def _profile(x: np.ndarray, h: int) -> _Profile:
    """``S(tau) = D(tau)^2 / w(tau)`` and the segment variances, by cumulative sums."""
    n = x.size
    cand = np.arange(h, n - h + 1)
    c1 = np.concatenate(([0.0], np.cumsum(x)))
    c2 = np.concatenate(([0.0], np.cumsum(x * x)))
    d = c1[cand] - cand * c1[n] / n
    w = cand * (n - cand) / n
    s = d * d / w
    nl, nr = cand.astype(float), (n - cand).astype(float)
    vl = (c2[cand] - c1[cand] ** 2 / nl) / np.maximum(nl - 1.0, 1.0)
    vr = ((c2[n] - c2[cand]) - (c1[n] - c1[cand]) ** 2 / nr) / np.maximum(nr - 1.0, 1.0)
    sst = c2[n] - c1[n] ** 2 / n
    s2 = float(max(sst - s.max(), 0.0) / (n - 2))
    if s2 <= 1e-12 * max(1.0, sst):
        raise InsufficientDataError("the series has no variation around a single change")
    sd = np.sqrt(np.maximum(np.column_stack((vl, vr)), 1e-3 * s2))
    return _Profile(cand, d, w, s, sd, s2)


def _noise(rng: np.random.Generator, n_sim: int, n: int, dep: DependenceEstimate) -> np.ndarray:
    """Unit-variance paths with autocorrelations ``c p^k`` (AR(1) signal plus white noise)."""
    p = dep.persistence if math.isfinite(dep.persistence) else 0.0
    c = float(np.clip(dep.lag1 / p, 0.0, 1.0)) if p > 0 else 0.0
    z = rng.standard_normal((n_sim, n))
    white = rng.standard_normal((n_sim, n))
    if c <= 0.0:
        return white
    b0 = math.sqrt(1.0 - p * p)
    z[:, 0] /= b0  # stationary start
    ar = np.empty_like(z)
    ar[:, 0] = b0 * z[:, 0]
    for t in range(1, n):  # a_t = p a_(t-1) + sqrt(1 - p^2) z_t
        ar[:, t] = b0 * z[:, t] + p * ar[:, t - 1]
    return math.sqrt(c) * ar + math.sqrt(1.0 - c) * white


def _quantiles(
    prof: _Profile, e_cum: np.ndarray, js: np.ndarray, level: float, n: int
) -> np.ndarray:
    """The ``level`` quantile of the simulated ``R(tau0)`` for the candidates ``js``.

    Under the model fitted at ``tau0`` (jump ``delta = -D/w``, segment sds ``sL``, ``sR``) the
    simulated bridge is ``sL D0 + (sL - sR) (E_n - E_tau0) tau/n - delta tau (n - tau0)/n``
    left of ``tau0`` and ``sR D0 + (sL - sR) E_tau0 (1 - tau/n) - delta tau0 (n - tau)/n`` from
    it on, with ``D0`` the bridge and ``E`` the cumulative sums of the unit noise.
    """
    cand = prof.cand
    frac = cand / n
    en = e_cum[:, n]
    d0 = e_cum[:, cand] - frac[None, :] * en[:, None]  # (B, K)
    inv_w = 1.0 / prof.weight
    rank = _rank(level, e_cum.shape[0])
    out = np.empty(js.size)
    for i, j in enumerate(js):
        t0 = int(cand[j])
        sl, sr = float(prof.sd[j, 0]), float(prof.sd[j, 1])
        delta = float(-prof.bridge[j] / prof.weight[j])
        e0 = e_cum[:, t0]
        lft = slice(0, j + 1)
        rgt = slice(j + 1, cand.size)
        db = sl * d0[:, lft]
        db += np.outer((sl - sr) * (en - e0), frac[lft])
        db -= delta * (cand[lft] * (n - t0) / n)
        sb_l = db * db * inv_w[lft]
        s_t0 = sb_l[:, j]
        top = sb_l.max(axis=1)
        if j + 1 < cand.size:
            db = sr * d0[:, rgt]
            db += np.outer((sl - sr) * e0, 1.0 - frac[rgt])
            db -= delta * (t0 * (n - cand[rgt]) / n)
            top = np.maximum(top, (db * db * inv_w[rgt]).max(axis=1))
        r = top - s_t0
        out[i] = np.partition(r, rank)[rank] / prof.s2
    return out


def _rank(level: float, n_sim: int) -> int:
    """0-based order statistic of the critical value: ``ceil(level (n_sim + 1))``-th smallest."""
    return int(min(n_sim, math.ceil(level * (n_sim + 1) - 1e-9))) - 1


def _critical(prof: _Profile, e_cum: np.ndarray, level: float, n: int) -> np.ndarray:
    """Critical values on a grid, interpolated, recomputed exactly near the decision boundary.

    A date is recomputed when its statistic is within the interpolation's own uncertainty of
    the interpolated value: the change of the critical value across its grid interval plus
    :data:`_REFINE` of it.
    """
    k = prof.cand.size
    grid = np.unique(np.linspace(0, k - 1, min(k, _GRID_POINTS)).round().astype(np.int64))
    grid = np.union1d(grid, [int(np.argmax(prof.s_profile))])
    qg = _quantiles(prof, e_cum, grid, level, n)
    q = np.interp(np.arange(k), grid, qg)
    step = np.abs(np.diff(qg))
    slot = np.clip(np.searchsorted(grid, np.arange(k), side="right") - 1, 0, grid.size - 2)
    tol = (step[slot] if step.size else 0.0) + _REFINE * q
    near = np.setdiff1d(np.flatnonzero(np.abs(prof.stat - q) <= tol), grid)
    if near.size:
        q[near] = _quantiles(prof, e_cum, near, level, n)
    return q


def _check_options(level: float, n_sim: int, min_segment: int) -> None:
    if not (0.0 < float(level) < 1.0):
        raise ModelError(f"level must be between 0 and 1, got {level!r}")
    if isinstance(n_sim, bool) or int(n_sim) != n_sim or n_sim < 19:
        raise ModelError(f"n_sim must be a whole number >= 19, got {n_sim!r}")
    if isinstance(min_segment, bool) or int(min_segment) != min_segment or min_segment < 2:
        raise ModelError(f"min_segment must be a whole number >= 2, got {min_segment!r}")


def change_date_set(
    series: pd.Series,
    *,
    level: float = 0.95,
    min_segment: int = 7,
    n_sim: int = DEFAULT_N_SIM,
    seed: int = DEFAULT_SEED,
    start: Any = None,
    end: Any = None,
) -> ChangeDateSet:
    """The dates on which a single change of rate can have begun (module docstring).

    Parameters
    ----------
    series : pandas.Series
        Counts per period with a regular ``DatetimeIndex``, ``PeriodIndex`` or integer index,
        as :func:`~trends.models.changepoint.detect_changepoints` takes them; ``NaN`` means
        not reported (skipped; a date is always an observed period).
    level : float, default 0.95
        Nominal level of the set.
    min_segment : int, default 7
        Observed periods on each side of a change (the search's ``min_size``).
    n_sim : int, default 499
        Simulated noise paths of the calibration.
    seed : int, default DEFAULT_SEED
        Seed of the paths (same inputs, same set on every machine).
    start, end : label, optional
        Window of the series to use (inclusive labels, as ``series.loc[start:end]``).

    Returns
    -------
    ChangeDateSet

    Raises
    ------
    trends.errors.InputError
        Non-numeric, infinite, negative or fractional counts; an irregular index.
    trends.errors.InsufficientDataError
        Fewer than ``2 * min_segment`` observed periods, or no variation (e.g. all zeros).
    trends.errors.ModelError
        Invalid options.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = pd.Series(np.r_[rng.poisson(6.0, 100), rng.poisson(1.5, 100)],
    ...               index=pd.date_range("2020-01-01", periods=200, freq="D"))
    >>> res = change_date_set(y, n_sim=199)
    >>> pd.Timestamp("2020-04-10") in res.dates
    True
    """
    _check_options(level, n_sim, min_segment)
    series, y, pos = _window(series, start, end)
    name = None if series.name is None else str(series.name)
    axis = TimeAxis.from_index(series.index, name)
    n, h = int(y.size), int(min_segment)
    if n < 2 * h:
        raise InsufficientDataError(
            f"a change needs at least 2 * min_segment = {2 * h} observed periods; the window "
            f"has {n} observed of {len(series)}"
        )
    if not np.any(y > 0):
        raise InsufficientDataError("every count is zero: no change can be dated")
    prof = _profile(2.0 * np.sqrt(y + 0.375), h)
    dep = estimate_dependence(y)
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    e = _noise(rng, int(n_sim), n, dep)
    e_cum = np.concatenate((np.zeros((int(n_sim), 1)), np.cumsum(e, axis=1)), axis=1)
    crit = _critical(prof, e_cum, float(level), n)
    stat = prof.stat
    labels = series.index[pos[prof.cand]]
    inset = stat <= crit
    j_hat = int(np.argmax(prof.s_profile))
    inset[j_hat] = True  # R = 0 at the most likely date
    tau = int(prof.cand[j_hat])
    before, after = float(y[:tau].mean()), float(y[tau:].mean())
    notes = []
    if len(series) - n:
        notes.append(
            f"{plural(len(series) - n, 'period')} of {len(series)} "
            f"{'was' if len(series) - n == 1 else 'were'} not reported and "
            f"{'was' if len(series) - n == 1 else 'were'} skipped; a date is always an observed "
            "period."
        )
    return ChangeDateSet(
        dates=labels[inset],
        statistic=pd.Series(stat, index=labels, name="R"),
        critical=pd.Series(crit, index=labels, name="critical"),
        most_likely=labels[j_hat],
        ratio=after / before if before > 0 else math.nan,
        level=float(level),
        min_segment=h,
        n_observed=n,
        n_periods=len(series),
        share=float(inset.mean()),
        dependence=dep,
        n_sim=int(n_sim),
        seed=int(seed),
        unit=axis.unit,
        window=(series.index[0], series.index[-1]),
        notes=tuple(notes),
    )

"""Search core for :mod:`trends.models.changepoint`: segment costs, exact segmentation, PELT.

Everything here works on a *compressed* series: the observed values only, indexed ``0..n-1``.
A segment is the half-open range ``[i, j)`` of that index, and a segmentation with ``k`` changes
is the sorted list of the ``k`` first indices of the new segments (``0 < b_1 < ... < b_k < n``).
Every segment must hold at least ``min_size`` observations.

Segment costs are negative maximised log-likelihoods with a constant parameter in the segment,
*without* the terms that do not depend on the segmentation (for example ``sum(log y!)`` for the
Poisson). They are computed in O(1) per segment from prefix sums and are *superadditive*
(``cost(i, t) >= cost(i, s) + cost(s, t)``), which is what makes PELT's pruning exact.

The module also holds the distribution of the location of the maximum of a two-sided Brownian
motion with drift, which gives Bai's (1997) confidence interval for a mean-shift date.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import erfcx, gammaln, xlogy

from trends.errors import InsufficientDataError, ModelWarning

__all__ = [
    "SegmentCost",
    "PoissonCost",
    "NegBinCost",
    "GaussianCost",
    "ScaledCost",
    "SearchModel",
    "SearchOutcome",
    "Segmentation",
    "AUTO_PELT_MIN_OBS",
    "penalised_search",
    "more_changes_certain",
    "segment_dp",
    "segment_pelt",
    "argmax_cdf",
    "argmax_quantiles",
    "hpd_mask",
]


#: Largest block (cells) whose theta-free parts a :class:`NegBinCost` keeps between thetas.
_BLOCK_CACHE_CELLS = 1 << 21


# --------------------------------------------------------------------------------------------
# Segment costs
# --------------------------------------------------------------------------------------------
class SegmentCost:
    """Base class: ``cost(i, j)`` for segments ``[i, j)`` (numpy broadcasting on ``i`` and ``j``).

    Attributes
    ----------
    n : int
        Length of the (compressed) series.
    constant : float
        Log-likelihood terms that do not depend on the segmentation: the maximised
        log-likelihood of a segmentation is ``constant - sum(segment costs)``.
    """

    n: int
    constant: float = 0.0

    def __init__(self, y: np.ndarray) -> None:
        y = np.asarray(y, dtype=float)
        self.y = y
        self.n = int(y.size)
        self.c1 = np.concatenate(([0.0], np.cumsum(y)))

    def __call__(self, i, j) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def block(self, starts: np.ndarray, ends: np.ndarray, min_size: int) -> np.ndarray:
        """Costs of all segments ``[starts[b], ends[a])`` as an ``(ends, starts)`` matrix.

        Segments shorter than ``min_size`` (including empty and reversed ones) get ``inf``.
        """
        out = self(starts[None, :], ends[:, None])
        out[(ends[:, None] - starts[None, :]) < min_size] = np.inf
        return out

    def _block_sums(
        self, starts: np.ndarray, ends: np.ndarray, min_size: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lengths, sums and the inadmissible cells of :meth:`block`; the inadmissible cells get
        length and sum 1 so that no NaN or infinity slows the vectorised special functions."""
        d = ends[:, None] - starts[None, :]
        bad = d < min_size
        n = d.astype(float)
        s = self.c1[ends][:, None] - self.c1[starts][None, :]
        n[bad] = 1.0
        s[bad] = 1.0
        return n, s, bad

    def to_end(self, i: np.ndarray, t: int) -> np.ndarray:
        """``cost(i, t)`` for an integer array ``i`` and one end ``t`` (PELT's inner loop).

        Subclasses may skip the argument conversion and the floating-point error state (the
        caller silences it); the values are the same as ``self(i, t)``.
        """
        return self(i, t)

    def sums(self, i, j) -> tuple[np.ndarray, np.ndarray]:
        """Number of observations and sum of the values in ``[i, j)``."""
        i = np.asarray(i)
        j = np.asarray(j)
        return (j - i).astype(float), self.c1[j] - self.c1[i]


class PoissonCost(SegmentCost):
    """Poisson segment cost ``S - S log(S / n)`` (``S`` the segment total, ``n`` its length).

    ``constant`` is ``-sum(log y!)``.
    """

    def __init__(self, y: np.ndarray) -> None:
        super().__init__(y)
        self.constant = float(-gammaln(self.y + 1.0).sum())

    def __call__(self, i, j) -> np.ndarray:
        n, s = self.sums(i, j)
        with np.errstate(divide="ignore", invalid="ignore"):
            return s - xlogy(s, s / n)

    def to_end(self, i: np.ndarray, t: int) -> np.ndarray:
        n = (t - i).astype(float)
        s = self.c1[t] - self.c1[i]
        return s - xlogy(s, s / n)


class NegBinCost(SegmentCost):
    """Negative binomial (NB2) segment cost with a fixed size ``theta`` (variance mu + mu^2/theta).

    With ``theta`` fixed the maximum-likelihood mean of a segment is its sample mean ``m``, and
    the segment-dependent part of the negative log-likelihood is
    ``n theta log(1 + m/theta) + S log(1 + theta/m)``; ``constant`` holds
    ``sum(lgamma(y + theta) - lgamma(theta) - lgamma(y + 1))``.
    """

    def __init__(self, y: np.ndarray, theta: float) -> None:
        super().__init__(y)
        self._lgy1 = gammaln(self.y + 1.0)
        self._blocks: dict[tuple[int, ...], tuple[np.ndarray, ...]] = {}
        self._set_theta(theta)

    def _set_theta(self, theta: float) -> None:
        self.theta = float(theta)
        self.constant = float(
            (gammaln(self.y + self.theta) - gammaln(self.theta) - self._lgy1).sum()
        )

    def __call__(self, i, j) -> np.ndarray:
        n, s = self.sums(i, j)
        th = self.theta
        with np.errstate(divide="ignore", invalid="ignore"):
            m = s / n
            # ``s log1p(theta/m)`` is ``xlog1py(s, theta/m)`` (0 for an all-zero segment) with
            # numpy's much faster log1p.
            return n * th * np.log1p(m / th) + np.where(s > 0, s * np.log1p(th / m), 0.0)

    def to_end(self, i: np.ndarray, t: int) -> np.ndarray:
        n = (t - i).astype(float)
        s = self.c1[t] - self.c1[i]
        th = self.theta
        with np.errstate(divide="ignore", invalid="ignore"):  # all-zero segments: masked below
            m = s / n
            return n * th * np.log1p(m / th) + np.where(s > 0, s * np.log1p(th / m), 0.0)

    def with_theta(self, theta: float) -> NegBinCost:
        """The same series with another ``theta``, sharing the theta-free cached blocks."""
        other = object.__new__(NegBinCost)
        other.y, other.n, other.c1 = self.y, self.n, self.c1
        other._lgy1 = self._lgy1
        other._blocks = self._blocks
        other._set_theta(theta)
        return other

    def block(self, starts: np.ndarray, ends: np.ndarray, min_size: int) -> np.ndarray:
        # The lengths, sums, means and masks do not depend on theta: they are kept (for blocks
        # of moderate size) for the next theta of the alternation. The arithmetic is the same,
        # operation for operation, as in ``__call__``.
        key = (int(starts[0]), starts.size, int(ends[0]), ends.size, int(min_size))
        parts = self._blocks.get(key)
        if parts is None:
            n, s, bad = self._block_sums(starts, ends, min_size)
            with np.errstate(divide="ignore", invalid="ignore"):
                m = s / n
            parts = (n, s, bad, m, s == 0)
            if n.size <= _BLOCK_CACHE_CELLS:
                self._blocks.clear()
                self._blocks[key] = parts
        n, s, bad, m, zero = parts
        th = self.theta
        with np.errstate(divide="ignore", invalid="ignore"):
            out = n * th
            a = np.divide(m, th)
            np.log1p(a, out=a)
            out *= a
            np.divide(th, m, out=a)
            np.log1p(a, out=a)
            a *= s
            np.copyto(a, 0.0, where=zero)
            out += a
        np.copyto(out, np.inf, where=bad)
        return out


class GaussianCost(SegmentCost):
    """Residual sum of squares about the segment mean (mean-shift model).

    The values are centred on their overall mean before the prefix sums are formed, which keeps
    the cancellation in ``sum(y^2) - S^2/n`` harmless.
    """

    def __init__(self, y: np.ndarray) -> None:
        y = np.asarray(y, dtype=float)
        self.centre = float(y.mean()) if y.size else 0.0
        super().__init__(y - self.centre)
        self.y = y
        self.c2 = np.concatenate(([0.0], np.cumsum((y - self.centre) ** 2)))

    def __call__(self, i, j) -> np.ndarray:
        n, s = self.sums(i, j)
        i = np.asarray(i)
        j = np.asarray(j)
        with np.errstate(divide="ignore", invalid="ignore"):
            rss = (self.c2[j] - self.c2[i]) - s * s / n
        return np.maximum(rss, 0.0)

    def mean(self, i, j) -> np.ndarray:
        """Segment means (original scale)."""
        n, s = self.sums(i, j)
        return s / n + self.centre


class ScaledCost(SegmentCost):
    """A cost multiplied by a constant (used for the Gaussian PELT with a plug-in variance)."""

    def __init__(self, base: SegmentCost, scale: float) -> None:
        self.base = base
        self.scale = float(scale)
        self.n = base.n
        self.y = base.y
        self.c1 = base.c1

    def __call__(self, i, j) -> np.ndarray:
        return self.scale * self.base(i, j)

    def to_end(self, i: np.ndarray, t: int) -> np.ndarray:
        return self.scale * self.base.to_end(i, t)


# --------------------------------------------------------------------------------------------
# Searches
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segmentation:
    """Output of a search.

    Attributes
    ----------
    costs : numpy.ndarray
        ``costs[k]``: minimal total segment cost with ``k`` changes (``inf`` when infeasible or
        not computed, as with PELT which only evaluates ``k = 0`` and its own optimum).
    breaks : dict
        ``breaks[k]``: the optimal change positions (first index of each new segment) for ``k``.
    """

    costs: np.ndarray
    breaks: dict[int, np.ndarray]
    last_row: np.ndarray | None = None


def _backtrack(arg: np.ndarray, k: int, n: int) -> np.ndarray:
    out = []
    j = n
    for level in range(k, 0, -1):
        j = int(arg[level, j])
        out.append(j)
    return np.array(out[::-1], dtype=np.int64)


def segment_dp(
    cost: SegmentCost, max_changes: int, min_size: int, *, block_cells: int = 1 << 20
) -> Segmentation:
    """Exact optimal segmentation for every number of changes ``0..max_changes``.

    Dynamic programming ``F[k, j] = min_i F[k-1, i] + cost(i, j)`` over the (compressed) series,
    with ``i`` and ``j - i`` at least ``min_size``. The costs of all admissible segments are
    computed in column blocks of the triangular cost matrix (at most ``block_cells`` cells at a
    time), so the work is O(K n^2) numpy operations and the memory O(n * block).

    Parameters
    ----------
    cost : SegmentCost
        The segment cost.
    max_changes : int
        Largest number of changes; reduced to ``n // min_size - 1`` when fewer are feasible.
    min_size : int
        Minimal number of observations per segment (>= 1).
    block_cells : int, default 2**20
        Size of the cost blocks.

    Returns
    -------
    Segmentation
        Ties are resolved towards the earliest position of the last change. ``last_row`` holds
        the minimal costs with ``max_changes`` changes of every prefix ``[0, j)``.
    """
    n = cost.n
    h = int(min_size)
    kmax = max(0, min(int(max_changes), n // h - 1))
    F = np.full((kmax + 1, n + 1), np.inf)
    arg = np.zeros((kmax + 1, n + 1), dtype=np.int64)
    ends = np.arange(h, n + 1)
    if ends.size:
        F[0, h:] = cost(np.zeros_like(ends), ends)
    if kmax >= 1:
        width = max(1, block_cells // (n + 1))
        for j0 in range(2 * h, n + 1, width):
            j1 = min(n + 1, j0 + width)
            cols = np.arange(j0, j1)
            starts = np.arange(h, j1 - h)
            if starts.size == 0:
                continue
            # Block laid out (end, start) so that the minimum over starts runs along rows.
            block = cost.block(starts, cols, h)
            colidx = np.arange(cols.size)
            total = np.empty_like(block)
            for k in range(1, kmax + 1):
                np.add(block, F[k - 1, starts][None, :], out=total)
                best = np.argmin(total, axis=1)
                F[k, j0:j1] = total[colidx, best]
                arg[k, j0:j1] = starts[best]
    costs = F[:, n].copy()
    breaks = {k: _backtrack(arg, k, n) for k in range(kmax + 1) if np.isfinite(costs[k])}
    return Segmentation(costs=costs, breaks=breaks, last_row=F[kmax].copy())


def more_changes_certain(seg: Segmentation, cost: SegmentCost, penalty: float, h: int) -> bool:
    """Whether the penalised optimum certainly has more changes than the DP's ``max_changes``.

    One change more than the DP's largest number, added after the best prefix solution with
    that many (``min_j F[kmax, j] + cost(j, n)``), already beats every segmentation with at most
    ``max_changes`` changes (``min_k F[k, n] + penalty k``) by more than a rounding margin: then
    PELT with the same ``penalty`` (and ``max_changes``) cannot return a result, and the DP is
    the answer. O(n) after the DP.

    Parameters
    ----------
    seg : Segmentation
        Output of :func:`segment_dp` (with ``last_row``).
    cost : SegmentCost
        The cost it minimised.
    penalty : float
        Penalty per change on the cost scale.
    h : int
        Minimal segment size.

    Returns
    -------
    bool
        True only when the certificate holds (False does not mean PELT succeeds).
    """
    if seg.last_row is None:
        return False
    n = cost.n
    kmax = seg.costs.size - 1
    ks = np.arange(kmax + 1)
    best_le = float(np.min(seg.costs + penalty * ks))
    j = np.arange(h, n - h + 1)
    if j.size == 0 or not np.isfinite(best_le):
        return False
    prefix = seg.last_row[j]
    ok = np.isfinite(prefix)
    if not ok.any():
        return False
    j = j[ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        one_more = float(np.min(prefix[ok] + cost(j, np.full_like(j, n))))
    one_more += penalty * (kmax + 1)
    return one_more < best_le - 1e-8 * (1.0 + abs(best_le))


def _beyond(live: np.ndarray, nchg: np.ndarray, t: int, h: int, limit: int) -> bool:
    """Whether every last change still possible after ``t`` gives more than ``limit`` changes.

    The candidates are the live ones and the positions ``t - h + 1 .. t`` that will join them
    (those of at least ``h``); ending the last segment at candidate ``p`` gives
    ``nchg[p] + 1`` changes (none for ``p = 0``).
    """
    if live.size and (live.min() == 0 or int(nchg[live].min()) + 1 <= limit):
        return False
    lo = max(h, t - h + 1)
    return not (lo <= t and int(nchg[lo : t + 1].min()) + 1 <= limit)


def segment_pelt(
    cost: SegmentCost, penalty: float, min_size: int, *, max_changes: int | None = None
) -> Segmentation | None:
    """Exact minimiser of ``sum(segment costs) + penalty * (number of changes)`` by PELT.

    Killick, Fearnhead & Eckley (2012). A candidate last change ``i`` is discarded once
    ``F[i] + cost(i, t) > F[t]`` (no constant is needed because the costs are superadditive);
    with a minimal segment length the discard only takes effect from ``t + min_size`` on,
    because a segment ``[t, s)`` shorter than that is not available to dominate it.

    Parameters
    ----------
    cost : SegmentCost
        The segment cost.
    penalty : float
        Penalty per change, on the cost (negative log-likelihood) scale.
    min_size : int
        Minimal number of observations per segment.
    max_changes : int, optional
        Stop (and return ``None``) as soon as the optimum is certain to have more changes: when
        every candidate last change that is still alive, or will become one, ends a prefix
        whose optimal segmentation already has ``max_changes`` changes. By the principle of
        optimality every later prefix, and the whole series, then has more than
        ``max_changes`` changes, so nothing the full pass would return is lost.

    Returns
    -------
    Segmentation or None
        ``costs`` has two entries: ``costs[0]`` (no change) and ``costs[m]`` for the optimum's
        number of changes ``m`` (other entries are ``inf``). ``None`` when the pass stopped
        early (only with ``max_changes``; the optimum then has more than ``max_changes``
        changes). A complete result can still have more changes (the stop is sufficient, not
        necessary): check ``max(breaks)``.
    """
    n = cost.n
    h = int(min_size)
    F = np.full(n + 1, np.inf)
    F[0] = -penalty
    last = np.zeros(n + 1, dtype=np.int64)
    never = np.iinfo(np.int64).max
    death = np.full(n + 1, never, dtype=np.int64)
    # candidates kept in order of insertion in a preallocated buffer (no reallocation per step)
    buf = np.empty(n + 1, dtype=np.int64)
    size = 0
    next_death = never  # smallest discard time among the candidates
    seg_cost = cost.to_end
    # changes of the optimal segmentation of each prefix [0, t) (for the early stop)
    nchg = np.zeros(n + 1, dtype=np.int64)
    limit = -1 if max_changes is None else int(max_changes)
    with np.errstate(divide="ignore", invalid="ignore"):
        for t in range(h, n + 1):
            new = t - h
            if new == 0 or new >= h:
                buf[size] = new
                size += 1
            cand = buf[:size]
            seg = F[cand] + seg_cost(cand, t)
            best = int(seg.argmin())
            ft = float(seg[best]) + penalty
            F[t] = ft
            last[t] = cand[best]
            tol = 1e-10 * (1.0 + abs(ft))
            dominated = seg > ft + tol
            if dominated.any():
                d = cand[dominated]
                death[d] = np.minimum(death[d], t + h)
                next_death = min(next_death, t + h)
            if next_death <= t + 1:
                kept = cand[death[cand] > t + 1]
                size = kept.size
                buf[:size] = kept
                next_death = int(death[kept].min()) if size else never
            nchg[t] = 0 if last[t] == 0 else nchg[last[t]] + 1
            if limit >= 0 and _beyond(buf[:size], nchg, t, h, limit):
                return None
    out = []
    j = n
    while j > 0:
        j = int(last[j])
        if j > 0:
            out.append(j)
    bk = np.array(out[::-1], dtype=np.int64)
    m = bk.size
    costs = np.full(m + 1, np.inf)
    edges = np.concatenate(([0], bk, [n]))
    costs[m] = float(np.sum(cost(edges[:-1], edges[1:])))
    costs[0] = float(cost(0, n))
    breaks = {0: np.zeros(0, dtype=np.int64), m: bk}
    return Segmentation(costs=costs, breaks=breaks)


# --------------------------------------------------------------------------------------------
# The penalised search over the number of changes
# --------------------------------------------------------------------------------------------
#: ``method="auto"`` uses PELT above this many observed periods when the number of changes is
#: chosen by the criterion (the exact all-``m`` dynamic programme is O(K n^2)).
AUTO_PELT_MIN_OBS = 2000


class SearchModel(Protocol):
    """What :func:`penalised_search` needs from a change-point model
    (:class:`trends.models.costs.ChangePointCost`)."""

    def n_params(self, m: np.ndarray) -> np.ndarray:
        """Parameters of a segmentation with ``m`` changes."""
        ...  # pragma: no cover - protocol

    def pelt_cost(self, cost: SegmentCost, y: np.ndarray) -> tuple[SegmentCost, float | None]:
        """The cost PELT minimises and a plug-in variance, if any."""
        ...  # pragma: no cover - protocol

    def loglik(
        self, raw: np.ndarray, cost: SegmentCost, n: int, sigma2: float | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Log-likelihoods (and RSS) from total costs."""
        ...  # pragma: no cover - protocol


@dataclass
class SearchOutcome:
    """The segmentation a search selected.

    Attributes
    ----------
    breaks : numpy.ndarray
        First index of each new segment.
    columns : dict
        The criterion table's columns (a DataFrame on demand: :attr:`table`).
    method : str
        ``"dp"`` or ``"pelt"``.
    cost : SegmentCost
        The cost searched.
    sigma2 : float or None
        PELT's plug-in variance (Gaussian model).
    """

    breaks: np.ndarray
    columns: dict[str, np.ndarray]
    method: str
    cost: SegmentCost
    sigma2: float | None = None

    @property
    def table(self) -> pd.DataFrame:
        """The criterion table (built only for the search that is reported)."""
        return pd.DataFrame(self.columns)


def criterion_table(
    model: SearchModel,
    ms: np.ndarray,
    loglik: np.ndarray,
    c: float | None,
    pen_change: float,
    rss: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Columns ``m``, ``loglik``, ``n_params``, ``criterion`` (and ``rss``).

    Parameters
    ----------
    model : SearchModel
        The change-point model (counts the parameters).
    ms : numpy.ndarray
        Numbers of changes evaluated.
    loglik : numpy.ndarray
        Their maximised log-likelihoods.
    c : float or None
        Penalty per parameter (None: ``pen_change`` per change).
    pen_change : float
        Penalty per change on the ``-2 log L`` scale.
    rss : numpy.ndarray or None
        Residual sums of squares (Gaussian model).

    Returns
    -------
    dict
        The columns.
    """
    p = model.n_params(ms)
    if c is None:
        crit = -2.0 * loglik + pen_change * ms
    else:
        crit = -2.0 * loglik + c * p
    data: dict[str, Any] = {"m": ms, "loglik": loglik, "n_params": p, "criterion": crit}
    if rss is not None:
        data["rss"] = rss
    return data


def _warn_fallback(kmax: int, stacklevel: int = 4) -> None:
    warnings.warn(
        f"PELT found more than max_changes={kmax} changes; the exact dynamic "
        "programme over 0..max_changes is used instead",
        ModelWarning,
        stacklevel=stacklevel,
    )


def _pelt_search(
    model: SearchModel,
    y: np.ndarray,
    cost: SegmentCost,
    h: int,
    kmax: int,
    c: float | None,
    pen_change: float,
) -> SearchOutcome | None:
    """PELT; ``None`` when it finds more than ``kmax`` changes."""
    n = cost.n
    pcost, sigma2 = model.pelt_cost(cost, y)
    # stops as soon as more than kmax changes are certain (None), not after the whole pass
    seg = segment_pelt(pcost, pen_change / 2.0, h, max_changes=kmax)
    m_star = kmax + 1 if seg is None else max(seg.breaks)
    if seg is None or m_star > kmax:
        _warn_fallback(kmax, stacklevel=5)
        return None
    ms = np.array(sorted(seg.breaks), dtype=np.int64)
    raw = np.array([seg.costs[k] for k in ms])
    loglik, rss = model.loglik(raw, cost, n, sigma2)
    table = criterion_table(model, ms, loglik, c, pen_change, rss)
    table["selected"] = ms == m_star
    return SearchOutcome(seg.breaks[m_star], table, "pelt", cost, sigma2)


def penalised_search(
    model: SearchModel,
    y: np.ndarray,
    cost: SegmentCost,
    h: int,
    kmax: int,
    n_changes: int | None,
    method: str,
    c: float | None,
    pen_change: float,
    dp_first: bool = False,
) -> SearchOutcome:
    """The segmentation minimising the penalised criterion (or with ``n_changes`` changes).

    PELT (when asked, or with ``method="auto"`` above :data:`AUTO_PELT_MIN_OBS` observations and
    a free number of changes) and, when PELT finds more than ``kmax`` changes or is not used, the
    exact dynamic programme over ``0..kmax`` changes.

    Parameters
    ----------
    model : SearchModel
        The change-point model.
    y : numpy.ndarray
        Observed values.
    cost : SegmentCost
        Their segment cost.
    h : int
        Minimal segment size.
    kmax : int
        Largest number of changes.
    n_changes : int or None
        Fixed number of changes.
    method : str
        ``"auto"``, ``"dp"`` or ``"pelt"``.
    c : float or None
        Penalty per parameter (None with a numeric penalty per change).
    pen_change : float
        Penalty per change on the ``-2 log L`` scale.
    dp_first : bool, default False
        When PELT would be used, run the dynamic programme first and skip PELT if
        :func:`more_changes_certain` shows that PELT would find more than ``kmax`` changes (the
        result is the same as PELT followed by the fallback; use it when PELT is expected to
        fail, e.g. after it failed on the same series with another dispersion).

    Returns
    -------
    SearchOutcome
        The selected segmentation and the criterion table.

    Raises
    ------
    trends.errors.InsufficientDataError
        ``n_changes`` changes do not fit with segments of ``h``.
    """
    n = cost.n
    use_pelt = method == "pelt" or (
        method == "auto" and n_changes is None and n > AUTO_PELT_MIN_OBS
    )
    kk = kmax if n_changes is None else max(kmax, n_changes)
    seg = None
    if use_pelt and dp_first and model.pelt_cost(cost, y)[1] is None:
        seg = segment_dp(cost, kk, h)
        if more_changes_certain(seg, cost, pen_change / 2.0, h):
            _warn_fallback(kmax)
            use_pelt = False
    if use_pelt:
        found = _pelt_search(model, y, cost, h, kmax, c, pen_change)
        if found is not None:
            return found
    if seg is None:
        seg = segment_dp(cost, kk, h)
    ms = np.array([k for k in range(seg.costs.size) if np.isfinite(seg.costs[k])], dtype=np.int64)
    raw = seg.costs[ms]
    loglik, rss = model.loglik(raw, cost, n, None)
    table = criterion_table(model, ms, loglik, c, pen_change, rss)
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
    return SearchOutcome(seg.breaks[m_sel], table, "dp", cost)


# --------------------------------------------------------------------------------------------
# Location of the maximum of a two-sided Brownian motion with drift (Bai 1997)
# --------------------------------------------------------------------------------------------
def _tail_left(a: float, theta: float) -> float:
    """``P(argmax < -a)`` for a > 0.

    The process is ``L(u) = W(u) - u/2`` to the left (``u = -v >= 0``) and, to the right, a
    Brownian motion with drift whose supremum is Exponential with rate ``theta``. Conditioning on
    the value ``l`` and the maximum ``m`` of ``L`` on ``[0, a]`` (reflection-principle density),
    the maximum beyond ``a`` is ``l + Exp(1)``, so

    ``P = E[exp(l - M)] - E[exp(l - (1 + theta) M)] / (1 + theta)``;

    with ``y = 2m - l`` both expectations reduce to the one-dimensional integrals
    ``I1(k) = int_0^inf y exp(-y^2/(2a) - k y) dy`` and ``I2(k)`` (with ``y^2``), which have the
    closed forms used below (``exp(a k^2/2) Phi(-k sqrt(a))`` is evaluated with ``erfcx``).
    """
    sa = math.sqrt(a)
    root = math.sqrt(2.0 * math.pi * a)

    def mills(k: float) -> float:
        return 0.5 * float(erfcx(k * sa / math.sqrt(2.0)))

    def i1(k: float) -> float:
        return a - a * k * root * mills(k)

    def i2(k: float) -> float:
        return -a * a * k + a * (1.0 + a * k * k) * root * mills(k)

    c = 2.0 / (a * root) * math.exp(-a / 8.0)
    e1 = c * i2(0.5)
    e2 = c / theta * (i1(0.5) - i1(theta + 0.5))
    return max(0.0, e1 - e2 / (1.0 + theta))


def argmax_cdf(x: float, xi: float = 1.0, phi: float = 1.0) -> float:
    """CDF of ``V = argmax_v Z(v)`` in Bai's (1997) limit theorem for a break date.

    ``Z(v) = W1(-v) - |v|/2`` for ``v <= 0`` and ``sqrt(phi) W2(v) - xi v / 2`` for ``v > 0``,
    with independent standard Wiener processes. ``xi = 1`` for a mean shift; ``phi`` is the ratio
    of the error variances after / before the break. With ``xi = phi = 1`` this is the classical
    symmetric law ``1 + sqrt(x/2pi) e^{-x/8} - (x+5)/2 Phi(-sqrt(x)/2) + 3/2 e^x Phi(-3 sqrt(x)/2)``.

    Parameters
    ----------
    x : float
        Point at which the CDF is evaluated.
    xi, phi : float
        Ratios of the post- to pre-break signal (``xi``) and noise (``phi``) terms.

    Returns
    -------
    float
    """
    if x < 0:
        return _tail_left(-x, xi / phi)
    if x == 0:
        th = xi / phi
        return th / (1.0 + th)
    # mirror: the right-hand process, rescaled in space and time, is W(u) - u/2 with
    # u = xi^2 v / phi, and the left supremum becomes Exponential with rate phi / xi.
    return 1.0 - _tail_left(xi * xi * x / phi, phi / xi)


def argmax_quantiles(level: float, xi: float = 1.0, phi: float = 1.0) -> tuple[float, float]:
    """Lower and upper ``(1 - level)/2`` quantiles of :func:`argmax_cdf`.

    Parameters
    ----------
    level : float
        Central probability of the interval.
    xi, phi : float
        As in :func:`argmax_cdf`.

    Returns
    -------
    tuple of float
        The two quantiles.
    """
    alpha = (1.0 - level) / 2.0

    def solve(target: float, sign: float) -> float:
        bound = 10.0
        while sign * (argmax_cdf(sign * bound, xi, phi) - target) < 0 and bound < 1e7:
            bound *= 2.0
        lo, hi = (0.0, bound) if sign > 0 else (-bound, 0.0)
        return brentq(lambda v: argmax_cdf(v, xi, phi) - target, lo, hi, xtol=1e-10)

    return solve(alpha, -1.0), solve(1.0 - alpha, 1.0)


def hpd_mask(prob: np.ndarray, level: float) -> np.ndarray:
    """Highest-probability set of a discrete distribution.

    The smallest set of points, taken in decreasing order of probability, whose total reaches
    ``level``; returned as a boolean mask.

    Parameters
    ----------
    prob : numpy.ndarray
        Probabilities (or weights).
    level : float
        Probability the set must reach.

    Returns
    -------
    numpy.ndarray of bool
        The set.
    """
    prob = np.asarray(prob, dtype=float)
    order = np.argsort(-prob, kind="stable")
    cum = np.cumsum(prob[order])
    k = int(np.searchsorted(cum, level * cum[-1] - 1e-12)) + 1
    mask = np.zeros(prob.size, dtype=bool)
    mask[order[: min(k, prob.size)]] = True
    return mask

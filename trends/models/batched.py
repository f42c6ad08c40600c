"""Many count GLMs in one vectorised fit: the batched IRLS kernel.

:func:`fit_count_glm_batch` fits ``F`` log-link count GLMs at once: designs of shape
``(F, n, k)`` (one per fit, for example the same ITS design with the intervention columns of
``F`` placebo dates), counts of shape ``(n,)`` (shared) or ``(F, n)``, and a mask ``(F, n)`` of
the rows each fit uses. Every step of the one-fit path (:func:`trends.models.glm.fit_count_glm`)
is done for all fits together with stacked arrays: Fisher scoring on stacked normal equations
(``numpy.linalg.solve`` on ``(F, k, k)``), the negative binomial ``theta`` alternation and the
Newton polishing on the joint likelihood (``glm.nb``'s algorithm, per fit), the quasi-Poisson
scale, and the covariance estimators of :data:`trends.models.covariance.COVARIANCES` (model-
based, HC0, Newey-West with a fixed lag or with the automatic Newey-West (1994) bandwidth on
VAR(1)-prewhitened scores, each fit with its own bandwidth and lag).

The estimates are the same maximum-likelihood (or quasi-likelihood) solutions as the one-fit
path, converged at least as tightly; they agree with it to rounding (about ``1e-10`` relative;
``tests/test_placebo.py`` checks ``1e-8``), not bit for bit. The kernel never guesses: a fit it
cannot finish exactly as the one-fit path would (no convergence, ``theta`` at its boundary
(no overdispersion), step halving needed, a rank-deficient design, a Newey-West bandwidth within
``1e-7`` of an integer, where rounding could change the lag) is flagged in ``ok`` and the
caller refits it with the one-fit path. Families and estimators the kernel does not know
(:func:`supports`) are refitted the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from trends.errors import ModelError
from trends.models.covariance import (
    HC0,
    CovarianceEstimator,
    ModelBased,
    NeweyWestAuto,
    NeweyWestFixed,
)
from trends.models.families import (
    Family,
    NegativeBinomialFamily,
    PoissonFamily,
    QuasiPoissonFamily,
)
from trends.models.hac import default_lag_rule
from trends.models.negbin import THETA_MAX

__all__ = ["BatchFits", "fit_count_glm_batch", "supports"]

_FAMILIES = (PoissonFamily, QuasiPoissonFamily, NegativeBinomialFamily)
_ESTIMATORS = (ModelBased, HC0, NeweyWestFixed, NeweyWestAuto)
#: A bandwidth this close to an integer is refitted one by one (its floor, the lag, could differ).
_LAG_MARGIN = 1e-7
#: Alternations of beta and theta before a fit is left to the one-fit path (which allows 100).
_MAX_ALTERNATIONS = 30


@dataclass(frozen=True)
class BatchFits:
    """Estimates of :func:`fit_count_glm_batch`, one row per fit.

    Attributes
    ----------
    params : numpy.ndarray
        ``(F, k)`` coefficients.
    bse : numpy.ndarray
        ``(F, k)`` standard errors of the chosen covariance estimator.
    cov : numpy.ndarray
        ``(F, k, k)`` covariance matrices.
    theta : numpy.ndarray
        ``(F,)`` negative binomial shapes (``inf`` for Poisson families).
    lags : numpy.ndarray
        ``(F,)`` Newey-West lags (``-1`` without a Newey-West estimator).
    ok : numpy.ndarray
        ``(F,)`` True where the batch finished the fit exactly as the one-fit path would; the
        other rows hold NaN and must be refitted one by one.
    """

    params: np.ndarray
    bse: np.ndarray
    cov: np.ndarray
    theta: np.ndarray
    lags: np.ndarray
    ok: np.ndarray


def supports(family: Family, estimator: CovarianceEstimator, nb_se: str = "conditional") -> bool:
    """Whether the batch kernel fits this family with this covariance estimator.

    Parameters
    ----------
    family : Family
        The count family (the registered Poisson, quasi-Poisson and negative binomial ones,
        with ``theta`` estimated or fixed; not subclasses, which may change the model).
    estimator : CovarianceEstimator
        The covariance estimator (the four registered kinds, any settings).
    nb_se : str, default "conditional"
        Negative binomial covariance; the joint one is left to the one-fit path.

    Returns
    -------
    bool
        True when :func:`fit_count_glm_batch` can fit it.
    """
    return type(family) in _FAMILIES and type(estimator) in _ESTIMATORS and nb_se == "conditional"


# --------------------------------------------------------------------------------------------
# likelihood pieces on stacked arrays (sums over the rows each fit uses)
# --------------------------------------------------------------------------------------------
def _weights(mu: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Working weights ``mu / (1 + mu / theta)`` (``mu`` where theta is infinite)."""
    return mu / (1.0 + mu / theta[:, None])


class _Counts:
    """The counts of every fit, their masks, and their histograms over the distinct counts.

    The terms of the NB2 likelihood that depend on ``y + theta`` only (``gammaln``, ``digamma``,
    ``zeta``: most of the cost) are evaluated once per distinct count and fit, not per row.
    """

    def __init__(self, y: np.ndarray, m: np.ndarray) -> None:
        self.y, self.m = y, m
        self.uy, inv = np.unique(y, return_inverse=True)
        f, u = m.shape[0], self.uy.size
        flat = (np.arange(f)[:, None] * u + inv.reshape(y.shape)).ravel()
        self.cnt = np.bincount(flat, weights=m.ravel(), minlength=f * u).reshape(f, u)
        self.n = np.sum(m, axis=1)
        self.lgy1 = self.cnt @ special.gammaln(self.uy + 1.0)

    def take(self, idx: np.ndarray) -> _Counts:
        """The counts of the fits ``idx``."""
        out = object.__new__(_Counts)
        out.y, out.m, out.uy = self.y[idx], self.m[idx], self.uy
        out.cnt, out.n, out.lgy1 = self.cnt[idx], self.n[idx], self.lgy1[idx]
        return out


def _xb(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x @ b`` of each fit: ``(F, n, k)``, ``(F, k)`` -> ``(F, n)``."""
    return np.matmul(x, b[:, :, None])[:, :, 0]


def _xtv(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``x' v`` of each fit: ``(F, n, k)``, ``(F, n)`` -> ``(F, k)``."""
    return np.matmul(v[:, None, :], x)[:, 0, :]


def _gram(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a' b`` of each fit: ``(F, n, k)``, ``(F, n, j)`` -> ``(F, k, j)``."""
    return np.matmul(np.swapaxes(a, 1, 2), b)


def _nb_loglik(d: _Counts, mu: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """NB2 log-likelihood of each fit (finite theta), summed over its rows."""
    t = theta[:, None]
    # differences per element, as the one-fit path (sums of differences keep their precision
    # at large theta, where the likelihood is flat)
    y_part = np.sum(d.cnt * (special.gammaln(d.uy[None] + t) - special.gammaln(t)), axis=1)
    y_part -= d.lgy1
    mu_part = -t * np.log1p(mu / t) + special.xlogy(d.y, mu) - d.y * np.log(t + mu)
    return y_part + np.sum(mu_part * d.m, axis=1)


def _theta_score_info(
    d: _Counts, mu: np.ndarray, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Score and observed information of ``theta`` at fixed means, per fit."""
    t = theta[:, None]
    yt = d.uy[None] + t
    tm = t + mu
    score = np.sum(d.cnt * (special.digamma(yt) - special.digamma(t)), axis=1)
    score += np.sum((-np.log1p(mu / t) + (mu - d.y) / tm) * d.m, axis=1)
    d2 = np.sum(d.cnt * (special.zeta(2, yt) - special.zeta(2, t)), axis=1)
    d2 += np.sum((1.0 / t - 2.0 / tm + (d.y + t) / tm**2) * d.m, axis=1)
    return score, -d2


# --------------------------------------------------------------------------------------------
# the fits
# --------------------------------------------------------------------------------------------
def _irls(
    d: _Counts,
    x: np.ndarray,
    off: np.ndarray,
    theta: np.ndarray,
    beta: np.ndarray | None,
    ok: np.ndarray,
    maxiter: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Fisher scoring for every fit at its fixed ``theta``; clears ``ok`` where it fails.

    Converged when the largest coefficient step is below ``1e-11 (1 + max |beta|)`` (tighter
    than the one-fit path, which stops at ``1e-9`` and a relative deviance change of ``1e-10``).
    A fit whose means would overflow (where the one-fit path would halve the step) is flagged.
    """
    y, m = d.y, d.m
    if beta is None:
        mu = y + 0.1
        eta = np.log(mu)
        beta = np.zeros((m.shape[0], x.shape[2]))
        first = True
    else:
        beta = beta.copy()
        eta = _xb(x, beta) + off
        mu = np.exp(eta)
        first = False
    idx = np.flatnonzero(ok)
    for _ in range(maxiter):
        if not idx.size:
            break
        xi, oi, mi, mui, ti = x[idx], off[idx], m[idx], mu[idx], theta[idx]
        w = _weights(mui, ti) * mi
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(mi > 0, (eta[idx] - oi) + (y[idx] - mui) / mui, 0.0)
        xw = xi * w[:, :, None]
        try:
            new = np.linalg.solve(_gram(xw, xi), _xtv(xw, z)[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            ok[idx] = False
            break
        eta_i = _xb(xi, new) + oi
        bad = ~np.all(((eta_i < 700.0) & np.isfinite(eta_i)) | (mi == 0), axis=1)
        step = np.max(np.abs(new - beta[idx]), axis=1)
        done = (step <= 1e-11 * (1.0 + np.max(np.abs(new), axis=1))) & (not first)
        first = False
        beta[idx], eta[idx], mu[idx] = new, eta_i, np.exp(np.minimum(eta_i, 700.0))
        ok[idx[bad]] = False
        idx = idx[~(done | bad)]
    ok[idx] = False  # not converged in maxiter
    return beta, mu


def _theta_line_search(
    d: _Counts, mu: np.ndarray, s: np.ndarray, step: np.ndarray, cur: np.ndarray
) -> np.ndarray:
    """``s + lam * step`` with the first ``lam`` of ``1, 1/2, ... 2^-33`` that does not lower the
    log-likelihood (``s`` itself when none does), as :func:`trends.models.negbin.theta_ml`.

    The full step is tried for every fit; the fits that refuse it get all the shorter steps
    evaluated at once.
    """

    def accepted(cand: np.ndarray, val: np.ndarray, ref: np.ndarray) -> np.ndarray:
        return np.isfinite(val) & (val >= ref - 1e-12 * np.abs(ref))

    full = s + step
    new = np.where(accepted(full, _nb_loglik(d, mu, np.exp(np.minimum(full, 40.0))), cur), full, s)
    rest = np.flatnonzero(new != full)
    if rest.size:
        lams = 0.5 ** np.arange(1, 34)
        rows = np.repeat(rest, lams.size)
        cand = s[rows] + np.tile(lams, rest.size) * step[rows]
        val = _nb_loglik(d.take(rows), mu[rows], np.exp(np.minimum(cand, 40.0)))
        good = accepted(cand, val, cur[rows]).reshape(rest.size, lams.size)
        first = np.argmax(good, axis=1)
        found = good[np.arange(rest.size), first]
        pick = cand.reshape(rest.size, lams.size)[np.arange(rest.size), first]
        new[rest] = np.where(found, pick, s[rest])
    return new


def _theta_ml(d: _Counts, mu: np.ndarray, start: np.ndarray | None, ok: np.ndarray) -> np.ndarray:
    """ML ``theta`` of each fit at fixed means (Newton on ``log theta``, step halving).

    The algorithm of :func:`trends.models.negbin.theta_ml`, per fit: ``inf`` where the
    likelihood has no interior maximum (no overdispersion, ``theta`` beyond the cap). A fit whose
    boundary test is too close to call is flagged in ``ok``.
    """
    y, m = d.y, d.m
    at_zero = np.sum(((y - mu) ** 2 - y) * m, axis=1)  # alpha score at alpha = 0, times 2
    boundary = at_zero <= 0.0
    ok &= np.abs(at_zero) > 1e-9 * np.sum(y * m, axis=1)
    if start is None:
        denom = np.sum(((y / mu - 1.0) ** 2) * m, axis=1)
        start = np.where(denom > 0, d.n / np.where(denom > 0, denom, 1.0), 1.0)
    s = np.log(np.clip(start, 1e-8, THETA_MAX))
    s[boundary] = math.inf
    idx = np.flatnonzero(ok & ~boundary)
    for _ in range(100):
        if not idx.size:
            break
        di, mui, si = d.take(idx), mu[idx], s[idx]
        t = np.exp(si)
        cur = _nb_loglik(di, mui, t)
        g1, info = _theta_score_info(di, mui, t)
        ds = t * g1
        d2s = -t * t * info + t * g1
        step = np.where(d2s < 0, -ds / np.where(d2s < 0, d2s, -1.0), np.sign(ds))
        step = np.clip(step, -5.0, 5.0)
        new = _theta_line_search(di, mui, si, step, cur)
        beyond = np.exp(new) > THETA_MAX
        s[idx] = np.where(beyond, math.inf, new)
        idx = idx[~beyond & (np.abs(new - si) >= 1e-12)]
    # as fit_negbin, a search still moving after 100 steps (a flat likelihood at large theta)
    # is not an error: the alternation and the joint polishing go on from where it stopped
    return np.exp(s)


def _joint_newton_step(d: _Counts, x: np.ndarray, mu: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Newton step in ``(beta, log theta)`` of each fit (NaN rows where singular)."""
    y, m = d.y, d.m
    k = x.shape[2]
    t = theta[:, None]
    lt, info_t = _theta_score_info(d, mu, theta)
    gb = _xtv(x, (y - mu) / (1.0 + mu / t) * m)
    a = 1.0 / theta
    den = (1.0 + mu / t) ** 2
    h = np.empty((x.shape[0], k + 1, k + 1))
    h[:, :k, :k] = _gram(x * (mu * (1.0 + y / t) / den * m)[:, :, None], x)
    hba = _xtv(x, mu * (y - mu) / den * m)
    h[:, :k, k] = hba
    h[:, k, :k] = hba
    h[:, k, k] = -(-info_t * theta**4 + 2.0 * theta**3 * lt)
    # (beta, alpha) -> (beta, s = log theta): d alpha / d s = -alpha, d2 alpha / d s2 = alpha
    j = np.ones((x.shape[0], k + 1))
    j[:, k] = -a
    hs = h * j[:, :, None] * j[:, None, :]
    hs[:, k, k] += theta**2 * lt * a
    grad = np.concatenate([gb, (theta * lt)[:, None]], axis=1)
    try:
        return np.linalg.solve(hs, grad[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # one singular system: solve them one by one
        step = np.full_like(grad, np.nan)
        for i in range(grad.shape[0]):
            try:
                step[i] = np.linalg.solve(hs[i], grad[i])
            except np.linalg.LinAlgError:
                pass
        return step


def _polish(
    d: _Counts,
    x: np.ndarray,
    off: np.ndarray,
    beta: np.ndarray,
    theta: np.ndarray,
    ok: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps on the joint likelihood in ``(beta, log theta)`` (step halving), per fit.

    As :func:`trends.models.negbin.fit_negbin`'s polishing; a fit stops when its step is below
    ``1e-12`` or no step improves its likelihood.
    """
    k = x.shape[2]

    def mean(xi: np.ndarray, b: np.ndarray, oi: np.ndarray) -> np.ndarray:
        return np.exp(np.clip(_xb(xi, b) + oi, -700.0, 700.0))

    beta, theta = beta.copy(), theta.copy()
    mu = mean(x, beta, off)
    cur = np.full(theta.shape, np.nan)
    idx = np.flatnonzero(ok)
    cur[idx] = _nb_loglik(d.take(idx), mu[idx], theta[idx])
    for _ in range(30):
        if not idx.size:
            break
        xi, oi, di = x[idx], off[idx], d.take(idx)
        step = _joint_newton_step(di, xi, mu[idx], theta[idx])
        finite = np.all(np.isfinite(step), axis=1)
        b0, s0, c0 = beta[idx], np.log(theta[idx]), cur[idx]
        pending = finite.copy()
        stop = ~finite
        lam = 1.0
        while pending.any() and lam > 1e-8:
            cs = s0 + lam * step[:, k]
            inside = cs <= math.log(THETA_MAX)
            cb = b0 + lam * step[:, :k]
            cmu = mean(xi, cb, oi)
            cval = _nb_loglik(di, cmu, np.exp(np.minimum(cs, 40.0)))
            accept = pending & inside & np.isfinite(cval) & (cval >= c0 - 1e-13 * np.abs(c0))
            sel = idx[accept]
            beta[sel], theta[sel] = cb[accept], np.exp(cs[accept])
            mu[sel], cur[sel] = cmu[accept], cval[accept]
            stop |= accept & (np.max(np.abs(lam * step), axis=1) < 1e-12)
            pending &= ~accept & inside
            lam *= 0.5
        stop |= pending  # no improving step: at the maximum
        idx = idx[~stop]
    return beta, theta


def _negbin(
    d: _Counts,
    x: np.ndarray,
    off: np.ndarray,
    fixed: float | None,
    ok: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``glm.nb``'s algorithm for every fit: ``(beta, theta, mu)``; clears ``ok`` on failure."""
    f = d.m.shape[0]
    beta, mu = _irls(d, x, off, np.full(f, math.inf), None, ok)
    if fixed is not None:
        theta = np.full(f, float(fixed))
        beta, mu = _irls(d, x, off, theta, beta, ok)
        return beta, theta, mu
    theta = _theta_ml(d, mu, None, ok)
    # theta infinite from the start: the Poisson fit is the fit (as fit_negbin)
    poisson = ok & ~np.isfinite(theta)
    nb = ok & np.isfinite(theta)
    active = nb.copy()
    prev_ll = np.full(f, -math.inf)
    for _ in range(_MAX_ALTERNATIONS):
        alive = active.copy()
        beta, mu = _irls(d, x, off, theta, beta, alive)
        new = _theta_ml(d, mu, theta, alive)
        with np.errstate(invalid="ignore"):
            change = np.abs(np.log(new) - np.log(theta))
        theta = np.where(active, new, theta)
        # a failure, or theta infinite after all: left to the one-fit path
        failed = active & (~alive | ~np.isfinite(theta))
        nb &= ~failed
        active &= ~failed
        ll = np.full(f, math.nan)
        if active.any():
            ll[active] = _nb_loglik(d.take(np.flatnonzero(active)), mu[active], theta[active])
        # fit_negbin's stopping rule: theta and the log-likelihood have settled
        done = active & (change < 1e-7) & (np.abs(ll - prev_ll) <= 1e-9 * (1.0 + np.abs(ll)))
        prev_ll = ll
        active &= ~done
        if not active.any():
            break
    nb &= ~active  # still moving: the one-fit path decides (it may settle later, or refuse)
    beta, theta = _polish(d, x, off, beta, theta, nb)
    beta, mu = _irls(d, x, off, theta, beta, nb)
    ok &= nb | poisson
    return beta, theta, mu


# --------------------------------------------------------------------------------------------
# covariances
# --------------------------------------------------------------------------------------------
def _var1(u: np.ndarray, span: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """VAR(1) of each fit's scores by least squares (QR): ``(A, residuals)``.

    Fit ``i`` has its scores in rows ``0 .. span[i] - 1`` (zeros after): its pairs
    ``(u[t-1], u[t])`` are ``t = 1 .. span[i] - 1``; the lagged rows beyond are zeroed, so that
    they add nothing to the least squares and leave zero residuals.
    """
    lagged = u[:, :-1].copy()
    lagged[np.arange(lagged.shape[1])[None, :] >= (span - 1)[:, None]] = 0.0
    q, r = np.linalg.qr(lagged)
    coef = np.linalg.solve(r, np.einsum("ftk,ftj->fkj", q, u[:, 1:]))
    resid = u[:, 1:] - np.einsum("ftk,fkj->ftj", lagged, coef)
    return np.transpose(coef, (0, 2, 1)), resid


def _intercepts(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``(F, k)`` constant non-zero columns of each fit's used rows (the HAC's intercept)."""
    first = np.argmax(m, axis=1)
    x0 = x[np.arange(x.shape[0]), first]
    same = np.all((x == x0[:, None, :]) | (m[:, :, None] == 0), axis=1)
    return same & (x0 != 0)


def _bandwidth(
    e: np.ndarray, intercept: np.ndarray, span: np.ndarray, prewhite: bool
) -> np.ndarray:
    """Newey-West (1994) Bartlett bandwidth of each fit (:func:`trends.models.hac.nw_bandwidth`).

    Fit ``i`` spans ``span[i]`` periods (its residuals: ``span[i] - 1`` rows with prewhitening,
    zeros after them).
    """
    w = np.where(intercept, 0.0, 1.0)
    w[~np.any(w > 0, axis=1)] = 1.0
    h = np.einsum("ftk,fk->ft", e, w)
    t = (span - 1 if prewhite else span).astype(float)
    c = 3.0 if prewhite else 4.0
    mm = np.minimum(np.floor(c * (span / 100.0) ** (2.0 / 9.0)), t - 1).astype(np.int64)
    top = int(mm.max(initial=0))
    n = h.shape[1]
    sig = np.stack([np.sum(h[:, : n - j] * h[:, j:], axis=1) for j in range(top + 1)], 1)
    sig = sig / t[:, None]
    js = np.arange(top + 1, dtype=float)
    sig = np.where(js[None, :] <= mm[:, None], sig, 0.0)
    s0 = sig[:, 0] + 2.0 * sig[:, 1:].sum(axis=1)
    s1 = 2.0 * np.sum(js[None, 1:] * sig[:, 1:], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        bw = 1.1447 * ((s1 / s0) ** 2) ** (1.0 / 3.0) * span ** (1.0 / 3.0)
    return np.where(np.isfinite(s0) & (s0 != 0.0), bw, 0.0)


def _bartlett_meat(e: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Bartlett-weighted sums of each fit's score auto-covariances, each with its own lag."""
    meat = np.einsum("ftk,ftj->fkj", e, e)
    top = min(int(lags.max(initial=0)), e.shape[1] - 1)
    for j in range(1, top + 1):
        wj = np.where(lags >= j, 1.0 - j / (lags + 1.0), 0.0)
        g = np.einsum("ftk,ftj->fkj", e[:, j:], e[:, :-j])
        meat += wj[:, None, None] * (g + np.transpose(g, (0, 2, 1)))
    return meat


def _newey_west(
    scores: np.ndarray,
    x: np.ndarray,
    m: np.ndarray,
    time_index: np.ndarray,
    estimator: NeweyWestAuto | NeweyWestFixed,
    ok: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``(meat, lags)`` of each fit, scores on the calendar grid (zeros where not used).

    Each fit's grid runs from its own first used row to its own last (as the one-fit path's
    ``time_index``), so fits on different windows of the rows can share a batch.
    """
    f, _, k = scores.shape
    used = m > 0
    first = time_index[np.argmax(used, axis=1)]
    last = time_index[used.shape[1] - 1 - np.argmax(used[:, ::-1], axis=1)]
    span = (last - first + 1).astype(np.int64)
    u = np.zeros((f, int(span.max(initial=1)), k))
    fi, ri = np.nonzero(used)
    u[fi, time_index[ri] - first[fi]] = scores[fi, ri]
    prewhite = bool(estimator.prewhite)
    e, a = u, None
    if prewhite:
        a, e = _var1(u, span)
    if isinstance(estimator, NeweyWestAuto):
        bw = _bandwidth(e, _intercepts(x, m), span, prewhite)
        cap = np.maximum(np.floor(np.sqrt(span)), 1.0)  # as trends.models.hac.max_auto_lag
        lags = np.floor(bw)
        near = (bw - lags < _LAG_MARGIN) | (lags + 1.0 - bw < _LAG_MARGIN)
        ok &= ~near | (bw == 0.0) | (lags > cap)
        lags = np.minimum(lags, cap)
    elif estimator.lags is None:
        lags = np.array([float(default_lag_rule(int(s))) for s in span])
    else:
        lags = np.full(f, float(estimator.lags))
    meat = _bartlett_meat(e, lags)
    if a is not None:
        d = np.linalg.solve(np.eye(k)[None] - a, np.broadcast_to(np.eye(k), a.shape))
        meat = d @ meat @ np.transpose(d, (0, 2, 1))
    return meat, lags


def _covariance(
    estimator: CovarianceEstimator,
    scores: np.ndarray,
    info: np.ndarray,
    cov_model: np.ndarray,
    x: np.ndarray,
    m: np.ndarray,
    time_index: np.ndarray,
    ok: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``(cov, lags)`` of each fit for one of the registered estimators."""
    f, _, k = scores.shape
    lags = np.full(f, -1.0)
    if isinstance(estimator, ModelBased):
        return cov_model, lags
    if isinstance(estimator, HC0):
        meat = np.einsum("fnk,fnj->fkj", scores * m[:, :, None], scores)
    else:
        meat, lags = _newey_west(scores, x, m, time_index, estimator, ok)  # type: ignore[arg-type]
        if estimator.adjust:
            n_used = np.sum(m, axis=1)
            meat = meat * (n_used / (n_used - k))[:, None, None]
    bread = np.linalg.inv(info)
    cov = bread @ meat @ bread
    return 0.5 * (cov + np.transpose(cov, (0, 2, 1))), lags


# --------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------
def _checks(y: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Fits the one-fit path would refuse (all-zero counts, too few rows, rank deficiency)."""
    n_used = np.sum(m, axis=1)
    k = x.shape[2]
    good = (np.sum(y * m, axis=1) > 0) & (n_used > k)
    sv = np.linalg.svd(x * m[:, :, None], compute_uv=False)
    tol = sv[:, 0] * np.maximum(n_used, k) * np.finfo(float).eps
    good &= np.all(sv > tol[:, None], axis=1)
    return good


def fit_count_glm_batch(
    endog: np.ndarray,
    exog: np.ndarray,
    family: Family,
    estimator: CovarianceEstimator,
    *,
    offset: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    time_index: np.ndarray | None = None,
) -> BatchFits:
    """Fit ``F`` count GLMs (log link) at once, as :func:`trends.models.glm.fit_count_glm` would.

    Parameters
    ----------
    endog : numpy.ndarray
        Counts, ``(n,)`` shared by every fit or ``(F, n)``; finite (put any value on rows that
        ``mask`` leaves out).
    exog : numpy.ndarray
        ``(F, n, k)`` designs.
    family : Family
        A family :func:`supports` accepts.
    estimator : CovarianceEstimator
        A covariance estimator :func:`supports` accepts.
    offset : numpy.ndarray, optional
        Log-scale offset, ``(n,)`` or ``(F, n)``.
    mask : numpy.ndarray of bool, optional
        ``(F, n)`` rows each fit uses (default: all). The Newey-West grid of each fit spans its
        own first to last used row, so fits may use different windows of the rows.
    time_index : numpy.ndarray of int, optional
        Period number of each row (default ``0..n-1``): the Newey-West estimators put the scores
        on the calendar grid, zeros for the periods in between that a fit does not use, as
        ``fit_count_glm(..., time_index=...)`` does.

    Returns
    -------
    BatchFits
        Estimates, standard errors and covariances; ``ok`` marks the fits to refit one by one.

    Raises
    ------
    trends.errors.ModelError
        A family or estimator the kernel does not support (check :func:`supports` first).
    """
    if not supports(family, estimator):
        raise ModelError(f"the batch kernel does not fit {family!r} with {estimator!r}")
    x = np.asarray(exog, dtype=float)
    f, n, k = x.shape
    y = np.broadcast_to(np.asarray(endog, dtype=float), (f, n))
    off = np.broadcast_to(np.zeros(n) if offset is None else np.asarray(offset, float), (f, n))
    m = np.ones((f, n)) if mask is None else np.asarray(mask, dtype=float)
    ti = np.arange(n) if time_index is None else np.asarray(time_index, dtype=np.int64)
    ok = _checks(y, x, m)
    d = _Counts(y, m)
    if isinstance(family, NegativeBinomialFamily):
        beta, theta, mu = _negbin(d, x, off, family.theta, ok)
    else:
        theta = np.full(f, math.inf)
        beta, mu = _irls(d, x, off, theta, None, ok)
    w = _weights(mu, theta) * m
    info = _gram(x * w[:, :, None], x)
    resid = (y - mu) * m
    scale = np.ones(f)
    if isinstance(family, QuasiPoissonFamily):
        with np.errstate(divide="ignore", invalid="ignore"):
            chi2 = np.sum(np.where(m > 0, resid**2 / mu, 0.0), axis=1)
        scale = chi2 / (np.sum(m, axis=1) - k)
    info_safe = np.where(ok[:, None, None], info, np.eye(k)[None])
    cov_model = scale[:, None, None] * np.linalg.inv(info_safe)
    scores = x * (resid / (1.0 + mu / theta[:, None]))[:, :, None]
    cov, lags = _covariance(estimator, scores, info_safe, cov_model, x, m, ti, ok)
    bse = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    ok &= np.all(np.isfinite(bse), axis=1) & np.all(np.isfinite(beta), axis=1)
    nan = ~ok
    beta, bse, cov = beta.copy(), bse.copy(), cov.copy()
    beta[nan], bse[nan], cov[nan] = np.nan, np.nan, np.nan
    return BatchFits(beta, bse, cov, np.where(ok, theta, np.nan), lags, ok)

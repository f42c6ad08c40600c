"""Intervals of the ITS counterfactual: by simulation, or in closed form.

For the post period of the last intervention, :func:`simulation_intervals` draws ``n_sim``
coefficient vectors from their estimated normal distribution and counts around each (the family's
count distribution, :meth:`trends.models.families.Family.simulate`); :func:`analytic_intervals`
computes the same quantities in closed form (lognormal means, moment-matched count quantiles).
:func:`row_percentiles` is ``numpy.percentile(a, q, axis=1)`` with the same values, faster.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from trends.models.families import Family, get_family
from trends.models.glm import CountGLMFit

__all__ = [
    "CounterfactualIntervals",
    "analytic_intervals",
    "blend_quantiles",
    "count_draws",
    "lognormal_pair_sums",
    "make_rng",
    "mvn_draws",
    "row_percentiles",
    "simulation_intervals",
]


#: Largest total an int64 cumulative sum of simulated counts is trusted with (2^62).
_INT_SUM_LIMIT = float(2**62)


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A generator from a seed (a generator is passed through).

    Parameters
    ----------
    seed : int, numpy.random.Generator or None
        The seed.

    Returns
    -------
    numpy.random.Generator
        The generator.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def mvn_draws(mean: np.ndarray, cov: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draws from ``N(mean, cov)`` via a symmetric square root (robust to near-singular cov).

    Parameters
    ----------
    mean : numpy.ndarray
        Mean vector (k).
    cov : numpy.ndarray
        Covariance (k x k).
    n : int
        Number of draws.
    rng : numpy.random.Generator
        Random numbers.

    Returns
    -------
    numpy.ndarray
        ``n x k`` draws.
    """
    vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
    vals = np.clip(vals, 0.0, None)
    root = vecs * np.sqrt(vals)
    z = rng.standard_normal((n, mean.shape[0]))
    return mean + z @ root.T


def count_draws(
    mu: np.ndarray,
    family: str | Family,
    theta: float | None,
    scale: float,
    rng: np.random.Generator,
    *,
    as_float: bool = True,
) -> np.ndarray:
    """Counts around means ``mu`` with the family's count distribution.

    Parameters
    ----------
    mu : numpy.ndarray
        Means.
    family : str or Family
        The count family (see :meth:`trends.models.families.Family.simulate`).
    theta : float or None
        Fitted variance parameter.
    scale : float
        Fitted scale.
    rng : numpy.random.Generator
        Random numbers.
    as_float : bool, default True
        Return floats (else int64).

    Returns
    -------
    numpy.ndarray
        Counts of the shape of ``mu``.
    """
    out = get_family(family).simulate(mu, theta, scale, rng)
    return out.astype(float) if as_float else out


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Linear interpolation exactly as numpy's quantile code evaluates it."""
    diff_b_a = b - a
    out = np.add(a, diff_b_a * t)
    np.subtract(b, diff_b_a * (1 - t), out=out, where=t >= 0.5, casting="unsafe")
    return out


def row_percentiles(
    a: np.ndarray,
    q: Sequence[float],
    *,
    overwrite: bool = False,
    valid: np.ndarray | None = None,
) -> np.ndarray:
    """``np.percentile(a, q, axis=1)`` (default ``"linear"`` method), the same values faster.

    numpy moves the axis to the front and partitions a strided copy at six positions (the two
    neighbours of each quantile plus the minimum and maximum); here each C-contiguous row is
    partitioned in place at the neighbours only, and the interpolation is numpy's own formula,
    so the result is identical (rows that contain NaN give NaN, as in numpy). Integer arrays
    give the values numpy gives for the same numbers stored as floats (and partition faster).

    Parameters
    ----------
    a : numpy.ndarray
        2-D array (rows x draws), float or integer.
    q : sequence of float
        Percentiles in [0, 100].
    overwrite : bool, default False
        Allow ``a`` to be reordered in place (saves a copy when it is a scratch array).
    valid : numpy.ndarray of bool, optional
        Rows to evaluate (the others give NaN, as rows holding NaN do). Default: the rows
        without NaN.

    Returns
    -------
    numpy.ndarray
        Float array of shape ``(len(q), a.shape[0])``.
    """
    qs = np.true_divide(np.asarray(q, dtype=float), 100)
    m, n = a.shape
    virtual = (n - 1) * qs
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    prev_i = prev.astype(np.intp)
    next_i = nxt.astype(np.intp)
    gamma = (virtual - prev_i)[:, None]
    if valid is not None:
        ok = np.asarray(valid, dtype=bool)
    elif a.dtype.kind == "f":
        ok = ~np.isnan(a).any(axis=1)
    else:
        ok = np.ones(m, dtype=bool)
    if ok.all():
        work = a if (overwrite and a.flags.c_contiguous) else np.array(a, order="C")
    else:
        work = a[ok]
    out = np.full((qs.size, m), np.nan)
    if work.shape[0]:
        kth = np.unique(np.concatenate([prev_i, next_i]) % n)
        work.partition(kth, axis=1)
        res = _lerp(work[:, prev_i].T, work[:, next_i].T, gamma)
        out[:, ok] = res
    return out


@dataclass
class CounterfactualIntervals:
    """Interval ingredients of the counterfactual (post period of the last intervention)."""

    cf_ci: np.ndarray  # (2, m) confidence band of the counterfactual mean
    cf_pi: np.ndarray  # (2, m) prediction band of counts
    cum_pi: np.ndarray  # (2, m) prediction band of the cumulative expected counts
    mean_lo: float  # interval of the expected total (parameter uncertainty only)
    mean_hi: float
    rel_lo: float  # interval of observed / expected - 1
    rel_hi: float


def simulation_intervals(
    x_cf: np.ndarray,
    off_cf: np.ndarray,
    cf_ok: np.ndarray,
    obs_ok: np.ndarray,
    tot_obs: float,
    fit: CountGLMFit,
    family: str | Family,
    n_sim: int,
    alpha: float,
    rng: np.random.Generator,
) -> CounterfactualIntervals:
    """Intervals from ``n_sim`` coefficient draws, each with its own simulated counts.

    Parameters
    ----------
    x_cf : numpy.ndarray
        Design rows of the post period with the last intervention's terms set to zero.
    off_cf : numpy.ndarray
        Offset of those rows.
    cf_ok : numpy.ndarray of bool
        Periods whose counterfactual is defined.
    obs_ok : numpy.ndarray of bool
        Observed post periods (summed by the cumulative effect).
    tot_obs : float
        Observed total over them.
    fit : CountGLMFit
        The fitted GLM (coefficients, covariance, theta, scale).
    family : str or Family
        Its count family.
    n_sim : int
        Number of draws.
    alpha : float
        One minus the confidence level.
    rng : numpy.random.Generator
        Random numbers.

    Returns
    -------
    CounterfactualIntervals
        Bands of the counterfactual mean and counts, of the cumulative counts, and intervals of
        the expected total and of the relative effect.
    """
    q_lo, q_hi = 100 * alpha / 2, 100 * (1 - alpha / 2)
    beta = fit.params.to_numpy()
    draws = mvn_draws(beta, fit.cov.to_numpy(), n_sim, rng)
    # (m, n_sim) simulated means; the linear predictor is capped at 40 (mean 2.4e17) as a
    # numerical guard against extreme draws
    mu_sim = np.exp(np.minimum(x_cf @ draws.T + off_cf[:, None], 40.0))
    # periods whose counterfactual is undefined (missing covariate or offset) stay NaN
    undefined = ~cf_ok
    mu_sim[undefined] = 0.0
    # integer counts (exact, like their float copies); quantiles of integers are the same
    # numbers and partition faster
    y_sim = count_draws(mu_sim, family, fit.theta, fit.scale, rng, as_float=False)
    # cumulative counts over the observed post periods (other periods add nothing)
    # integer sums can overflow int64 where extreme draws reach the cap (a barely determined
    # trend projected forward): those are summed as floats, never wrapped to negative totals
    wide = float(np.max(y_sim, initial=0)) * y_sim.shape[0] > _INT_SUM_LIMIT
    cum_sim = np.cumsum(
        y_sim if obs_ok.all() else np.where(obs_ok[:, None], y_sim, 0),
        axis=0,
        dtype=float if wide else None,
    )
    tot_sim = cum_sim[-1].astype(float)
    # expected total: sequential sum over the periods, as the last row of a cumulative sum
    tot_mu = mu_sim[0] * obs_ok[0]
    for i in np.flatnonzero(obs_ok[1:]) + 1:
        tot_mu = tot_mu + mu_sim[i]
    if undefined.any():
        mu_sim[undefined] = np.nan
    cf_ci = row_percentiles(mu_sim, [q_lo, q_hi], overwrite=True)
    cf_pi = row_percentiles(y_sim, [q_lo, q_hi], overwrite=True, valid=cf_ok)
    cum_pi = row_percentiles(cum_sim, [q_lo, q_hi], overwrite=True)
    mean_lo, mean_hi = np.percentile(tot_mu, [q_lo, q_hi])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_sim = tot_obs / tot_sim - 1.0
    rel_sim = rel_sim[np.isfinite(rel_sim)]
    rel_lo, rel_hi = np.percentile(rel_sim, [q_lo, q_hi]) if rel_sim.size else (math.nan, math.nan)
    return CounterfactualIntervals(
        cf_ci, cf_pi, cum_pi, float(mean_lo), float(mean_hi), float(rel_lo), float(rel_hi)
    )


def blend_quantiles(mean: np.ndarray, var: np.ndarray, share: np.ndarray, p: float) -> np.ndarray:
    """Quantile ``p`` of a count with the given mean and variance, ``share`` of the variance
    coming from a lognormal mean (parameter uncertainty) and the rest from count noise.

    The quantiles of a lognormal and of a negative binomial (Poisson when the variance does not
    exceed the mean) with these two moments are averaged with weights ``share`` and
    ``1 - share``: each is right at its end (pure parameter or pure count uncertainty) and the
    weighted value follows the skewness in between.
    Parameters
    ----------
    mean, var : numpy.ndarray
        Mean and variance of the count.
    share : numpy.ndarray
        Share of the variance due to parameter uncertainty (0 to 1).
    p : float
        Probability of the quantile.

    Returns
    -------
    numpy.ndarray
        The quantiles (not rounded).
    """

    out = np.zeros(mean.shape)
    pos = mean > 0
    if not pos.any():
        return out
    m, v, w = mean[pos], var[pos], share[pos]
    s2 = np.log1p(v / (m * m))
    q_ln = np.exp(np.log(m) - 0.5 * s2 + float(special.ndtri(p)) * np.sqrt(s2))
    q_nb = np.empty(m.shape)
    over = v > m
    if over.any():
        size = m[over] ** 2 / (v[over] - m[over])
        q_nb[over] = stats.nbinom.ppf(p, size, size / (size + m[over]))
    if (~over).any():
        q_nb[~over] = stats.poisson.ppf(p, m[~over])
    out[pos] = w * q_ln + (1.0 - w) * q_nb
    return out


def lognormal_pair_sums(
    x: np.ndarray,
    cov: np.ndarray,
    e_mu: np.ndarray,
    weight: np.ndarray,
    block: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For ``mu_t = exp(x_t' beta)`` with ``beta`` normal: ``Var(mu_t)`` and, cumulated,
    ``Var(sum_{u <= t} w_u mu_u)`` (exact lognormal covariances, in row blocks).

    Parameters
    ----------
    x : numpy.ndarray
        Design rows (m x k).
    cov : numpy.ndarray
        Covariance of ``beta``.
    e_mu : numpy.ndarray
        ``E[mu_t]``.
    weight : numpy.ndarray
        Weights ``w_t`` of the cumulated sum.
    block : int, optional
        Rows per block (default about 16 MB of floats).

    Returns
    -------
    tuple of numpy.ndarray
        ``Var(mu_t)`` and the cumulated variances.
    """
    m = x.shape[0]
    diag = np.empty(m)
    above = np.zeros(m)  # sum_{u < t} w_u w_t Cov(mu_u, mu_t)
    block = block or max(1, (1 << 21) // max(m, 1))  # rows per block: about 16 MB of floats
    xc = x @ cov
    we = weight * e_mu
    for a in range(0, m, block):
        b = min(a + block, m)
        # Cov(eta_u, eta_t) for u in [a, b); capped as the simulation caps eta (exp(40))
        c = np.minimum(xc[a:b] @ x.T, 40.0)
        w_blk = np.outer(we[a:b], we) * np.expm1(c)
        rows = np.arange(a, b)
        diag[a:b] = e_mu[a:b] ** 2 * np.expm1(c[rows - a, rows])
        w_blk[np.arange(m)[None, :] <= rows[:, None]] = 0.0
        above += w_blk.sum(axis=0)
    cum = np.cumsum(weight**2 * diag + 2.0 * above)
    return diag, np.maximum(cum, 0.0)


def analytic_intervals(
    x_cf: np.ndarray,
    cf: np.ndarray,
    cf_ok: np.ndarray,
    obs_ok: np.ndarray,
    tot_obs: float,
    fit: CountGLMFit,
    family: str | Family,
    alpha: float,
) -> CounterfactualIntervals:
    """Closed-form intervals, the same quantities the simulation estimates.

    With ``eta_t = x_t' beta`` normal (mean ``eta_hat``, variance ``v_t``), ``mu_t = exp(eta_t)``
    is lognormal: its exact moments (``E mu_t = exp(eta_hat + v_t / 2)``, ``Cov(mu_u, mu_t) =
    E mu_u E mu_t (exp(x_u' V x_t) - 1)``) give

    - the mean band ``exp(eta_hat -/+ z sqrt(v_t))`` (exact);
    - the interval of the expected total ``T = sum mu_t`` from a lognormal with the moments of
      ``T`` (exact for one period);
    - prediction bands for counts (per period and cumulated over the observed post periods)
      from the mean and variance of the count (``Var(T)`` plus the mean count variance of the
      model) through :func:`blend_quantiles`, rounded to whole counts;
    - the relative effect ``observed / S - 1`` at those quantiles of the total ``S`` (at least 1).
    Parameters
    ----------
    x_cf : numpy.ndarray
        Design rows of the post period with the last intervention's terms set to zero.
    cf : numpy.ndarray
        Counterfactual means of those rows.
    cf_ok : numpy.ndarray of bool
        Periods whose counterfactual is defined.
    obs_ok : numpy.ndarray of bool
        Observed post periods.
    tot_obs : float
        Observed total over them.
    fit : CountGLMFit
        The fitted GLM.
    family : str or Family
        Its count family.
    alpha : float
        One minus the confidence level.

    Returns
    -------
    CounterfactualIntervals
        The same quantities as :func:`simulation_intervals`.
    """

    q_lo, q_hi = alpha / 2.0, 1.0 - alpha / 2.0
    z = float(special.ndtri(q_hi))
    cov = fit.cov.to_numpy()
    m = cf.shape[0]
    cf_ci = np.full((2, m), np.nan)
    cf_pi = np.full((2, m), np.nan)
    xs = np.where(cf_ok[:, None], x_cf, 0.0)
    mu = np.where(cf_ok, cf, 0.0)
    v_eta = np.maximum(np.einsum("ij,jk,ik->i", xs, cov, xs), 0.0)
    sd = np.sqrt(v_eta)
    cf_ci[0, cf_ok] = (mu * np.exp(-z * sd))[cf_ok]
    cf_ci[1, cf_ok] = (mu * np.exp(z * sd))[cf_ok]
    e_mu = mu * np.exp(0.5 * v_eta)
    e_mu2 = mu * mu * np.exp(2.0 * v_eta)
    count_var = get_family(family).count_variance(e_mu, e_mu2, fit.theta, fit.scale)
    w = obs_ok.astype(float)
    var_mu, cum_var_mu = lognormal_pair_sums(xs, cov, e_mu, w)
    # per period
    var_y = count_var + var_mu
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(var_y > 0, var_mu / var_y, 0.0)
    cf_pi[0, cf_ok] = np.rint(blend_quantiles(e_mu, var_y, share, q_lo))[cf_ok]
    cf_pi[1, cf_ok] = np.rint(blend_quantiles(e_mu, var_y, share, q_hi))[cf_ok]
    # cumulated over the observed post periods
    cum_mean = np.cumsum(e_mu * w)
    cum_var = np.cumsum(count_var * w) + cum_var_mu
    with np.errstate(invalid="ignore", divide="ignore"):
        cum_share = np.where(cum_var > 0, cum_var_mu / cum_var, 0.0)
    cum_pi = np.vstack(
        [
            np.rint(blend_quantiles(cum_mean, cum_var, cum_share, q_lo)),
            np.rint(blend_quantiles(cum_mean, cum_var, cum_share, q_hi)),
        ]
    )
    tot, var_t = float(cum_mean[-1]), float(cum_var_mu[-1])
    if tot > 0:
        s2 = math.log1p(var_t / (tot * tot))
        centre = math.log(tot) - 0.5 * s2
        mean_lo, mean_hi = (
            math.exp(centre - z * math.sqrt(s2)),
            math.exp(centre + z * math.sqrt(s2)),
        )
        s_lo, s_hi = max(float(cum_pi[0, -1]), 1.0), max(float(cum_pi[1, -1]), 1.0)
        rel_lo, rel_hi = tot_obs / s_hi - 1.0, tot_obs / s_lo - 1.0
    else:
        mean_lo = mean_hi = 0.0
        rel_lo = rel_hi = math.nan
    return CounterfactualIntervals(cf_ci, cf_pi, cum_pi, mean_lo, mean_hi, rel_lo, rel_hi)

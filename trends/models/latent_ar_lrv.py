"""The variance of a phase contrast averaged over the uncertainty of the latent-AR hyperparameters.

:func:`trends.models.latent_ar.phase_contrast_variance` gives the variance of a weighted sum of
counts (the log ratio of two period means, to first order) under a latent AR(1) model with its
hyperparameters ``h`` (AR coefficient, stationary sd, negative-binomial dispersion) taken as
known. Plugging in the estimate ``h_hat`` understates the variance where ``h`` is poorly
determined (short, persistent series): the variance is convex in the AR coefficient near 1.
Here it is averaged over the approximate sampling distribution of ``h_hat`` to second order::

    E V(h) ~ V(h_hat) + 1/2 tr( d2V/dh2 (h_hat) Sigma_h )

on the working scale ``h = (atanh rho, log sd, log alpha)``, with ``Sigma_h`` the inverse
curvature of the Laplace log likelihood that a fit with ``hyper="delta"`` stores
(``info["hyper"]["hyper_cov"]``), over the hyperparameters not at a bound. Measured coverage of
the two-phase ratio with it: ``benchmarks/results/calibration_two_phase_variants.md`` and the
band table of ``benchmarks/results/calibration_band.md``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from trends.models.latent_ar import phase_contrast_variance

if TYPE_CHECKING:  # pragma: no cover
    from trends.models.latent_ar import LatentARResult

__all__ = [
    "hyper_averaged_contrast_variance",
    "contrast_variance_df",
    "contrast_quantile",
    "AVERAGING_STEP",
    "MIN_CONTRAST_DF",
]

#: Central-difference step of the second derivatives of the variance (working scale).
AVERAGING_STEP = 0.05

#: Smallest Satterthwaite degrees of freedom used for a t quantile (t(3): 3.18 at 95%).
MIN_CONTRAST_DF = 3.0


def _variance_at(h: np.ndarray, weights: np.ndarray, mean: np.ndarray) -> float:
    """:func:`phase_contrast_variance` at working-scale hyperparameters ``h``."""
    theta = math.exp(-h[2]) if h.size == 3 else None
    return phase_contrast_variance(
        weights, mean, rho=math.tanh(h[0]), latent_sd=math.exp(h[1]), theta=theta
    )


def _curvature(
    h0: np.ndarray, free: list[int], weights: np.ndarray, mean: np.ndarray, v0: float, step: float
) -> np.ndarray:
    """Second derivatives of the variance over the ``free`` components (central differences)."""

    def at(*moves: tuple[int, float]) -> float:
        h = h0.copy()
        for k, e in moves:
            h[k] += e
        return _variance_at(h, weights, mean)

    q = len(free)
    hess = np.zeros((q, q))
    for a, k in enumerate(free):
        hess[a, a] = (at((k, step)) - 2.0 * v0 + at((k, -step))) / step**2
        for b in range(a):
            kk = free[b]
            cross = (
                at((k, step), (kk, step))
                - at((k, step), (kk, -step))
                - at((k, -step), (kk, step))
                + at((k, -step), (kk, -step))
            )
            hess[a, b] = hess[b, a] = cross / (4.0 * step**2)
    return hess


def hyper_averaged_contrast_variance(
    res: LatentARResult,
    weights: np.ndarray,
    mean: np.ndarray,
    *,
    step: float = AVERAGING_STEP,
) -> tuple[float, bool]:
    """Variance of ``sum_t w_t y_t / m_t``, averaged over the hyperparameters' uncertainty.

    Parameters
    ----------
    res : LatentARResult
        A latent AR(1) fit made with ``hyper="delta"`` (or ``"delta_t"`` / ``"auto"``), whose
        periods are those of ``weights``.
    weights, mean : numpy.ndarray
        As :func:`trends.models.latent_ar.phase_contrast_variance`.
    step : float
        Central-difference step on the working scale.

    Returns
    -------
    variance : float
        The averaged variance; the plug-in one when the fit carries no hyperparameter
        covariance (every hyperparameter at a bound, a flat likelihood, or a fit without
        ``hyper``) or when the averaged value is not positive.
    averaged : bool
        Whether the average was taken.
    """
    w = np.asarray(weights, dtype=float)
    m = np.asarray(mean, dtype=float)
    plug_in = phase_contrast_variance(w, m, rho=res.rho, latent_sd=res.latent_sd, theta=res.theta)
    hyper = res.info.get("hyper") or {}
    if "hyper_cov" not in hyper:
        return plug_in, False
    h0 = np.asarray(hyper["h"], dtype=float)
    free = [hyper["names"].index(name) for name in hyper["free"]]
    cov_h = np.asarray(hyper["hyper_cov"], dtype=float)
    v0 = _variance_at(h0, w, m)
    hess = _curvature(h0, free, w, m, v0, step)
    averaged = v0 + 0.5 * float(np.trace(hess @ cov_h))
    if not (math.isfinite(averaged) and averaged > 0):
        return plug_in, False
    return averaged, True


def contrast_variance_df(
    res: LatentARResult,
    weights: np.ndarray,
    mean: np.ndarray,
    *,
    step: float = AVERAGING_STEP,
) -> float:
    """Satterthwaite degrees of freedom of the plugged-in contrast variance ``V(h_hat)``.

    ``df = 2 V^2 / (g' Sigma_h g)`` with ``g = dV/dh`` (central differences on the working
    scale, over the hyperparameters not at a bound) and ``Sigma_h`` the hyperparameters'
    covariance of a fit with ``hyper="delta"``: how well the data pin the variance down. Near
    independent days it is large (the variance is mostly the counts' own); on short persistent
    series it is a handful, and a t quantile with it widens the interval where the plugged-in
    variance is least certain (the analogue of the t quantiles of the latent-AR ITS).

    Parameters
    ----------
    res : LatentARResult
        A latent AR(1) fit made with ``hyper="delta"``, whose periods are those of ``weights``.
    weights, mean : numpy.ndarray
        As :func:`trends.models.latent_ar.phase_contrast_variance`.
    step : float
        Central-difference step on the working scale.

    Returns
    -------
    float
        The degrees of freedom (``inf`` when the fit carries no hyperparameter covariance or
        the variance does not move with the free hyperparameters).
    """
    w = np.asarray(weights, dtype=float)
    m = np.asarray(mean, dtype=float)
    hyper = res.info.get("hyper") or {}
    if "hyper_cov" not in hyper:
        return math.inf
    h0 = np.asarray(hyper["h"], dtype=float)
    free = [hyper["names"].index(name) for name in hyper["free"]]
    cov_h = np.asarray(hyper["hyper_cov"], dtype=float)
    v0 = _variance_at(h0, w, m)
    grad = np.empty(len(free))
    for a, k in enumerate(free):
        up, down = h0.copy(), h0.copy()
        up[k] += step
        down[k] -= step
        grad[a] = (_variance_at(up, w, m) - _variance_at(down, w, m)) / (2.0 * step)
    spread = float(grad @ cov_h @ grad)
    if not (math.isfinite(spread) and spread > 0 and v0 > 0):
        return math.inf
    return 2.0 * v0 * v0 / spread


def contrast_quantile(df: float, alpha: float = 0.05) -> tuple[float, float]:
    """The two-sided ``1 - alpha`` quantile of the contrast's interval and the df it uses.

    The t quantile at ``max(df, MIN_CONTRAST_DF)`` degrees of freedom; the normal quantile when
    ``df`` is infinite (no hyperparameter uncertainty to count, or the normal quantile asked).

    Parameters
    ----------
    df : float
        Satterthwaite degrees of freedom (:func:`contrast_variance_df`), or ``inf``.
    alpha : float, default 0.05
        One minus the confidence level.

    Returns
    -------
    (quantile, df_used) : (float, float)
        ``df_used`` is ``inf`` for the normal quantile.
    """
    if not math.isfinite(df):
        return float(special.ndtri(1.0 - alpha / 2.0)), math.inf
    used = max(float(df), MIN_CONTRAST_DF)
    return float(special.stdtrit(used, 1.0 - alpha / 2.0)), used

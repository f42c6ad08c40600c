"""The one IRLS (Fisher scoring) kernel of the package's log-link count GLMs.

Every count family (:mod:`trends.models.families`) fits its coefficients with :func:`irls`: the
kernel only needs the family's working weights ``mu^2 / V(mu)`` and its deviance at the current
means, given as a small object with ``weights(mu)`` and ``deviance(y, mu)`` methods (a
:class:`WorkingModel`; :class:`trends.models.likelihood.NB2Working` is the Poisson / negative
binomial one). The dispersion (theta, Pearson scale...) is the family's business, not the
kernel's: the kernel fits ``beta`` for a fixed working model.

Convergence follows R's ``glm.fit`` (relative deviance change below ``tol``) plus a step
criterion on the coefficients (see the comments in :func:`irls`).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Protocol

import numpy as np

from trends.errors import ConvergenceError
from trends.models.likelihood import POISSON_WORKING

__all__ = ["IRLSResult", "WorkingModel", "irls"]


class WorkingModel(Protocol):
    """What the kernel needs from a family at a fixed dispersion (log link)."""

    def weights(self, mu: np.ndarray) -> np.ndarray:
        """Working weights ``mu^2 / V(mu)``."""
        ...  # pragma: no cover - protocol

    def deviance(self, y: np.ndarray, mu: np.ndarray) -> float:
        """Residual deviance at the means ``mu``."""
        ...  # pragma: no cover - protocol


class IRLSResult(NamedTuple):
    """Output of :func:`irls`.

    Attributes
    ----------
    beta : numpy.ndarray
        Coefficients.
    mu : numpy.ndarray
        Fitted means.
    deviance : float
        Residual deviance at ``mu``.
    converged : bool
        Whether the tolerance was met.
    n_iter : int
        Iterations used.
    """

    beta: np.ndarray
    mu: np.ndarray
    deviance: float
    converged: bool
    n_iter: int


def _step(
    y: np.ndarray,
    x: np.ndarray,
    off: np.ndarray,
    model: WorkingModel,
    beta: np.ndarray | None,
    new_beta: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Move towards ``new_beta``, halving the step until the fitted means are finite."""
    lam = 1.0
    while True:
        cand = new_beta if beta is None else beta + lam * (new_beta - beta)
        eta_c = x @ cand + off
        if np.all(eta_c < 700.0):
            mu_c = np.exp(eta_c)
            dev = model.deviance(y, mu_c)
            if np.isfinite(dev) and np.all(mu_c > 0):
                return cand, eta_c, mu_c, dev
        if beta is None:
            raise ConvergenceError("IRLS produced non-finite fitted values at the first step")
        lam *= 0.5
        if lam < 1e-10:
            raise ConvergenceError("IRLS step halving failed: fitted values are not finite")


def irls(
    y: np.ndarray,
    x: np.ndarray,
    off: np.ndarray,
    model: WorkingModel = POISSON_WORKING,
    *,
    beta0: np.ndarray | None = None,
    maxiter: int = 100,
    tol: float = 1e-10,
) -> IRLSResult:
    """Fisher scoring for a log-link count GLM with a fixed working model.

    Parameters
    ----------
    y : numpy.ndarray
        Counts.
    x : numpy.ndarray
        ``n x k`` design matrix.
    off : numpy.ndarray
        Log-scale offset (zeros when none).
    model : WorkingModel, default Poisson
        Working weights and deviance of the family at its (fixed) dispersion.
    beta0 : numpy.ndarray, optional
        Starting coefficients; default: start from the means ``y + 0.1``.
    maxiter : int, default 100
        Maximum iterations.
    tol : float, default 1e-10
        Tolerance on the relative change in deviance.

    Returns
    -------
    IRLSResult
        Coefficients, means, deviance, convergence flag and iterations.

    Raises
    ------
    trends.errors.ConvergenceError
        When the fitted values cannot be made finite.
    """
    if beta0 is None:
        mu = y + 0.1
        eta = np.log(mu)
        beta = None
    else:
        beta = np.asarray(beta0, dtype=float)
        eta = x @ beta + off
        mu = np.exp(eta)
    dev_old = model.deviance(y, mu) if beta is not None else math.inf
    converged = False
    it = 0
    dev = dev_old
    for it in range(1, maxiter + 1):  # noqa: B007 - it is reported
        w = model.weights(mu)
        z = (eta - off) + (y - mu) / mu
        sw = np.sqrt(w)
        new_beta, *_ = np.linalg.lstsq(x * sw[:, None], z * sw, rcond=None)
        cand, eta_c, mu_c, dev = _step(y, x, off, model, beta, new_beta)
        step = math.inf if beta is None else float(np.max(np.abs(cand - beta)))
        beta, eta, mu = cand, eta_c, mu_c
        # Deviance criterion as R's glm.fit, plus a step criterion: Fisher scoring converges only
        # linearly for non-canonical links (NB), where a small deviance change can hide a
        # coefficient change of order 1e-7.
        # With quasi-separation (a group with no events) a coefficient drifts to -inf while the
        # deviance settles: stop there as R does; fit_count_glm then warns.
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol and (
            step <= 1e-9 * (1.0 + float(np.max(np.abs(beta))))
            or float(np.min(mu)) < 1e-8 * max(1.0, float(np.mean(y)))
        ):
            converged = True
            break
        dev_old = dev
    assert beta is not None
    return IRLSResult(beta, mu, dev, converged, it)

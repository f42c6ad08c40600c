"""Negative binomial (NB2) regression with the dispersion estimated by maximum likelihood.

The model is ``y ~ NB(mu, theta)`` with ``log(mu) = X beta + offset`` and variance
``mu + mu^2 / theta`` (``alpha = 1 / theta`` is the "NB2" dispersion). The fit follows the strategy
of R ``MASS::glm.nb``: start from a Poisson fit, then alternate IRLS for ``beta`` given ``theta``
and a one-dimensional Newton search for ``theta`` given the fitted means. After the alternation has
settled, a few Newton steps on the joint likelihood in ``(beta, log theta)`` polish the solution to
the exact joint maximum, so the result does not depend on an outer tolerance.

Two covariance matrices are returned:

``cov_conditional``
    ``(X' W X)^-1`` with ``W = mu / (1 + mu / theta)``, i.e. treating ``theta`` as known. This is
    what ``summary(glm.nb(...))`` reports and equals statsmodels
    ``GLM(family=NegativeBinomial(alpha=1/theta))``.
``cov_joint``
    The inverse of the observed information of ``(beta, alpha)`` (full Hessian, including the
    ``beta``/``alpha`` cross terms), as statsmodels ``discrete.NegativeBinomial`` reports.

Near-Poisson data are handled on the ``alpha`` scale: when the likelihood increases all the way to
``alpha = 0`` (no overdispersion; the score ``sum((y - mu)^2 - y)`` at ``alpha = 0`` is not
positive) ``theta`` is reported as infinite and the fit is the Poisson fit.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from trends.errors import ConvergenceError, ModelWarning
from trends.models.irls import IRLSResult, irls
from trends.models.likelihood import POISSON_WORKING, NB2Working, nb_deviance, nb_loglik

__all__ = [
    "NegBinFit",
    "fit_negbin",
    "nb_loglik",
    "nb_deviance",
    "theta_ml",
    "theta_score",
    "theta_information",
    "joint_scores",
    "joint_negative_hessian",
    "THETA_MAX",
]

#: Above this value ``theta`` is treated as infinite (alpha = 1e-8; indistinguishable from Poisson).
THETA_MAX = 1e8


@dataclass(frozen=True)
class NegBinFit:
    """Result of :func:`fit_negbin` (arrays only; see :class:`trends.models.glm.CountGLMFit`).

    Attributes
    ----------
    params : numpy.ndarray
        Regression coefficients ``beta``.
    theta : float
        The NB2 shape ``theta`` (``inf`` when there is no overdispersion).
    se_theta : float
        Standard error of ``theta`` from the observed information at fixed ``mu`` (as
        ``glm.nb``'s ``SE.theta``); NaN when ``theta`` is infinite.
    mu : numpy.ndarray
        Fitted means.
    cov_conditional : numpy.ndarray
        ``k x k`` covariance of ``beta`` given ``theta``.
    cov_joint : numpy.ndarray
        ``(k+1) x (k+1)`` covariance of ``(beta, alpha)`` from the full observed Hessian; the
        last row/column is ``alpha``. NaN in the ``alpha`` row when ``theta`` is infinite.
    information : numpy.ndarray
        ``X' W X`` (the inverse of ``cov_conditional``).
    loglik : float
        Maximised log-likelihood.
    converged : bool
        Whether the fit met its tolerance.
    n_iter : int
        Number of outer (alternating) iterations.
    notes : tuple of str
        Remarks (for example that ``theta`` is infinite).
    """

    params: np.ndarray
    theta: float
    se_theta: float
    mu: np.ndarray
    cov_conditional: np.ndarray
    cov_joint: np.ndarray
    information: np.ndarray
    loglik: float
    converged: bool
    n_iter: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def alpha(self) -> float:
        """NB2 dispersion ``alpha = 1 / theta`` (0 when ``theta`` is infinite)."""
        return 0.0 if math.isinf(self.theta) else 1.0 / self.theta


def _theta_score_obs(y: np.ndarray, mu: np.ndarray, theta: float) -> np.ndarray:
    """Per-observation derivative of the log-likelihood with respect to ``theta``."""
    return (
        special.digamma(y + theta)
        - special.digamma(theta)
        - np.log1p(mu / theta)
        + (mu - y) / (theta + mu)
    )


def theta_score(y: np.ndarray, mu: np.ndarray, theta: float) -> float:
    """Derivative of the NB2 log-likelihood with respect to ``theta`` at fixed ``mu``.

    Parameters
    ----------
    y, mu : numpy.ndarray
        Counts and means.
    theta : float
        Shape (finite, > 0).

    Returns
    -------
    float
        The score.
    """
    return float(np.sum(_theta_score_obs(y, mu, theta)))


def theta_information(y: np.ndarray, mu: np.ndarray, theta: float) -> float:
    """Observed information for ``theta`` at fixed ``mu`` (minus the second derivative).

    Parameters
    ----------
    y, mu : numpy.ndarray
        Counts and means.
    theta : float
        Shape (finite, > 0).

    Returns
    -------
    float
        ``-d^2 l / d theta^2``; ``1 / sqrt`` of it is ``glm.nb``'s ``SE.theta``.
    """
    t = theta
    # zeta(2, x) is polygamma(1, x) exactly (scipy evaluates polygamma(1, x) as
    # 1.0 * 1.0 * zeta(2, x), plus a digamma it then discards)
    d2 = (
        special.zeta(2, y + t)
        - special.zeta(2, t)
        + 1.0 / t
        - 2.0 / (t + mu)
        + (y + t) / (t + mu) ** 2
    )
    return float(-np.sum(d2))


class _ThetaProfile:
    """The NB2 log-likelihood, score and information in ``theta`` for fixed counts and means.

    The same arithmetic, operation for operation, as :func:`nb_loglik`, :func:`theta_score` and
    :func:`theta_information` (so the same floating-point values), with the parts that do not
    depend on ``theta`` computed once: :func:`theta_ml` evaluates them dozens of times.
    """

    def __init__(self, y: np.ndarray, mu: np.ndarray) -> None:
        self.y = y
        self.mu = mu
        self.lgy1 = special.gammaln(y + 1.0)
        self.xlogy = special.xlogy(y, mu)
        self.mu_y = mu - y

    def loglik(self, theta: float) -> float:
        y, mu, t = self.y, self.mu, float(theta)
        return float(
            np.sum(
                special.gammaln(y + t)
                - special.gammaln(t)
                - self.lgy1
                - t * np.log1p(mu / t)
                + self.xlogy
                - y * np.log(t + mu)
            )
        )

    def score_information(self, theta: float) -> tuple[float, float]:
        y, mu, t = self.y, self.mu, theta
        yt = y + t
        tm = t + mu
        score = float(
            np.sum(special.digamma(yt) - special.digamma(t) - np.log1p(mu / t) + self.mu_y / tm)
        )
        d2 = special.zeta(2, yt) - special.zeta(2, t) + 1.0 / t - 2.0 / tm + yt / tm**2
        return score, float(-np.sum(d2))


def theta_ml(
    y: np.ndarray,
    mu: np.ndarray,
    start: float | None = None,
    *,
    maxiter: int = 100,
    tol: float = 1e-12,
) -> tuple[float, bool]:
    """Maximum-likelihood ``theta`` for fixed means (Newton on ``log theta`` with line search).

    Parameters
    ----------
    y, mu : numpy.ndarray
        Counts and fitted means.
    start : float, optional
        Starting value; default the moment estimate ``n / sum((y/mu - 1)^2)``.
    maxiter : int, default 100
        Maximum Newton steps.
    tol : float, default 1e-12
        Convergence tolerance on the step in ``log theta``.

    Returns
    -------
    theta : float
        The estimate; ``inf`` when the likelihood is maximised at ``alpha = 0`` (no
        overdispersion) or beyond :data:`THETA_MAX`.
    converged : bool
        Whether the search converged.
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    # Score for alpha at alpha = 0: 0.5 * sum((y - mu)^2 - y). Not positive => boundary.
    if np.sum((y - mu) ** 2 - y) <= 0.0:
        return math.inf, True
    if start is None or not np.isfinite(start) or start <= 0:
        denom = np.sum((y / mu - 1.0) ** 2)
        start = y.size / denom if denom > 0 else 1.0
    s = math.log(min(max(start, 1e-8), THETA_MAX))

    prof = _ThetaProfile(y, mu)

    def ll(sv: float) -> float:
        return prof.loglik(math.exp(sv))

    cur = ll(s)
    for _ in range(maxiter):
        t = math.exp(s)
        g1, info = prof.score_information(t)
        h = -info
        ds = t * g1  # dl/ds
        d2s = t * t * h + t * g1  # d2l/ds2
        step = -ds / d2s if d2s < 0 else math.copysign(1.0, ds)
        step = max(min(step, 5.0), -5.0)
        lam = 1.0
        while True:
            new = s + lam * step
            val = ll(new)
            if np.isfinite(val) and val >= cur - 1e-12 * abs(cur):
                break
            lam *= 0.5
            if lam < 1e-10:
                new, val = s, cur
                break
        moved = abs(new - s)
        s, cur = new, val
        if math.exp(s) > THETA_MAX:
            return math.inf, True
        if moved < tol:
            return math.exp(s), True
    return math.exp(s), False


def joint_negative_hessian(
    x: np.ndarray, y: np.ndarray, mu: np.ndarray, theta: float
) -> np.ndarray:
    """Observed information of ``(beta, alpha)`` (minus the Hessian of the NB2 log-likelihood).

    Parameters
    ----------
    x : numpy.ndarray
        Design matrix.
    y, mu : numpy.ndarray
        Counts and fitted means.
    theta : float
        Shape (finite).

    Returns
    -------
    numpy.ndarray
        ``(k+1) x (k+1)`` matrix; the last row and column are for ``alpha = 1/theta``.
    """
    a = 1.0 / theta
    den = (1.0 + a * mu) ** 2
    hbb = (x * (mu * (1.0 + a * y) / den)[:, None]).T @ x
    hba = x.T @ (mu * (y - mu) / den)
    lt = theta_score(y, mu, theta)
    ltt = -theta_information(y, mu, theta)
    # l_alpha_alpha = l_tt * theta^4 + 2 theta^3 l_t  (chain rule, theta = 1/alpha)
    haa = -(ltt * theta**4 + 2.0 * theta**3 * lt)
    k = x.shape[1]
    out = np.empty((k + 1, k + 1))
    out[:k, :k] = hbb
    out[:k, k] = hba
    out[k, :k] = hba
    out[k, k] = haa
    return out


def joint_scores(x: np.ndarray, y: np.ndarray, mu: np.ndarray, theta: float) -> np.ndarray:
    """Per-observation scores of ``(beta, alpha)`` for the NB2 model.

    Parameters
    ----------
    x : numpy.ndarray
        Design matrix.
    y, mu : numpy.ndarray
        Counts and fitted means.
    theta : float
        Shape (finite).

    Returns
    -------
    numpy.ndarray
        ``n x (k+1)`` score contributions; the last column is for ``alpha``.
    """
    sb = x * ((y - mu) / (1.0 + mu / theta))[:, None]
    sa = -(theta**2) * _theta_score_obs(y, mu, theta)
    return np.column_stack([sb, sa])


def fit_negbin(
    endog: np.ndarray,
    exog: np.ndarray,
    offset: np.ndarray | None = None,
    *,
    theta: float | None = None,
    maxiter: int = 100,
    tol: float = 1e-10,
) -> NegBinFit:
    """Fit an NB2 regression with log link by maximum likelihood (as R ``MASS::glm.nb``).

    Parameters
    ----------
    endog : array_like
        Non-negative counts.
    exog : array_like
        ``n x k`` design matrix (include the intercept column yourself).
    offset : array_like, optional
        Log-scale offset (for example ``log(population)``).
    theta : float, optional
        Fix ``theta`` instead of estimating it.
    maxiter : int, default 100
        Maximum alternating iterations.
    tol : float, default 1e-10
        Tolerance (relative deviance change for IRLS; relative change of ``theta``).

    Returns
    -------
    NegBinFit
        Estimates, both covariance matrices and the log-likelihood.

    Raises
    ------
    trends.errors.ConvergenceError
        If the alternation does not converge.
    """
    y = np.asarray(endog, dtype=float)
    x = np.asarray(exog, dtype=float)
    off = np.zeros_like(y) if offset is None else np.asarray(offset, dtype=float)
    beta, th, mu, converged, n_iter = _alternate(y, x, off, theta, maxiter, tol)
    if not converged:
        raise ConvergenceError(
            f"negative binomial fit did not converge in {maxiter} iterations (theta={th:.4g})"
        )
    notes: list[str] = []
    if math.isinf(th):
        notes.append("no overdispersion: theta is infinite and the fit equals the Poisson fit")
    info, cov_c, se_theta, cov_j = _nb_covariances(x, y, mu, th)
    return NegBinFit(
        params=beta,
        theta=th,
        se_theta=se_theta,
        mu=mu,
        cov_conditional=cov_c,
        cov_joint=cov_j,
        information=info,
        loglik=nb_loglik(y, mu, th),
        converged=converged,
        n_iter=n_iter,
        notes=tuple(notes),
    )


def _alternate(
    y: np.ndarray,
    x: np.ndarray,
    off: np.ndarray,
    theta: float | None,
    maxiter: int,
    tol: float,
) -> tuple[np.ndarray, float, np.ndarray, bool, int]:
    """``glm.nb``'s alternation: IRLS for beta given theta, ML theta given the means; then
    Newton polishing on the joint likelihood. Returns ``(beta, theta, mu, converged, n_iter)``."""
    pois = irls(y, x, off, POISSON_WORKING, maxiter=maxiter, tol=tol)
    beta, mu = pois.beta, pois.mu
    fixed = theta is not None
    th = float(theta) if fixed else theta_ml(y, mu)[0]
    converged = pois.converged
    n_iter = 0
    if math.isinf(th):
        return beta, th, mu, converged, n_iter
    prev_ll = -math.inf
    converged = False
    fit: IRLSResult = pois
    for n_iter in range(1, maxiter + 1):  # noqa: B007 - n_iter is reported
        fit = irls(y, x, off, NB2Working(th), beta0=beta, maxiter=maxiter, tol=tol)
        beta, mu = fit.beta, fit.mu
        if fixed:
            converged = fit.converged
            break
        th_new, _ = theta_ml(y, mu, start=th)
        cur_ll = nb_loglik(y, mu, th_new)
        change = abs(math.log(th_new) - math.log(th)) if np.isfinite(th_new) else math.inf
        th = th_new
        if math.isinf(th):
            fit = irls(y, x, off, POISSON_WORKING, beta0=beta, maxiter=maxiter, tol=tol)
            beta, mu = fit.beta, fit.mu
            converged = fit.converged
            break
        if change < 1e-7 and abs(cur_ll - prev_ll) <= 1e-9 * (1.0 + abs(cur_ll)):
            converged = True
            break
        prev_ll = cur_ll
    if not fixed and np.isfinite(th) and converged:
        beta, th, mu = _polish(y, x, off, beta, th)
        fit = irls(y, x, off, NB2Working(th), beta0=beta, maxiter=maxiter, tol=tol)
        beta, mu = fit.beta, fit.mu
    return beta, th, mu, converged, n_iter


def _nb_covariances(
    x: np.ndarray, y: np.ndarray, mu: np.ndarray, th: float
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """``(X'WX, its inverse, SE of theta, joint (beta, alpha) covariance)`` at the fit."""
    k = x.shape[1]
    w = mu if math.isinf(th) else mu / (1.0 + mu / th)
    info = (x * w[:, None]).T @ x
    cov_c = np.linalg.inv(info)
    if math.isinf(th):
        cov_j = np.full((k + 1, k + 1), math.nan)
        cov_j[:k, :k] = cov_c
        return info, cov_c, math.nan, cov_j
    ith = theta_information(y, mu, th)
    se_theta = 1.0 / math.sqrt(ith) if ith > 0 else math.nan
    hj = joint_negative_hessian(x, y, mu, th)
    try:
        cov_j = np.linalg.inv(hj)
    except np.linalg.LinAlgError:  # pragma: no cover - degenerate
        cov_j = np.full((k + 1, k + 1), math.nan)
    if not np.all(np.isfinite(np.diag(cov_j))) or np.any(np.diag(cov_j) <= 0):
        warnings.warn(
            "the joint (beta, alpha) information matrix is not positive definite; "
            "joint standard errors are unavailable",
            ModelWarning,
            stacklevel=3,
        )
        cov_j = np.full((k + 1, k + 1), math.nan)
    return info, cov_c, se_theta, cov_j


def _polish(
    y: np.ndarray, x: np.ndarray, off: np.ndarray, beta: np.ndarray, theta: float
) -> tuple[np.ndarray, float, np.ndarray]:
    """Newton steps on the joint likelihood in ``(beta, log theta)`` (with step halving)."""
    k = x.shape[1]

    def mu_of(b: np.ndarray) -> np.ndarray:
        return np.exp(np.clip(x @ b + off, -700.0, 700.0))

    mu = mu_of(beta)
    cur = nb_loglik(y, mu, theta)
    for _ in range(20):
        s = math.log(theta)
        gb = x.T @ ((y - mu) / (1.0 + mu / theta))
        lt = theta_score(y, mu, theta)
        gs = theta * lt
        grad = np.append(gb, gs)
        # negative Hessian in (beta, s): transform the alpha block (alpha = exp(-s)).
        h = joint_negative_hessian(x, y, mu, theta)
        # d alpha / d s = -alpha ; d2 alpha / ds2 = alpha
        a = 1.0 / theta
        j = np.ones(k + 1)
        j[k] = -a
        hs = h * np.outer(j, j)
        # second-order term of the chain rule: -l_alpha * d2alpha/ds2
        l_alpha = -(theta**2) * lt
        hs[k, k] -= l_alpha * a
        try:
            step = np.linalg.solve(hs, grad)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)):
            break
        lam = 1.0
        improved = False
        while lam > 1e-8:
            nb = beta + lam * step[:k]
            ns = s + lam * step[k]
            if ns > math.log(THETA_MAX):
                break
            nmu = mu_of(nb)
            val = nb_loglik(y, nmu, math.exp(ns))
            if np.isfinite(val) and val >= cur - 1e-13 * abs(cur):
                improved = True
                break
            lam *= 0.5
        if not improved:
            break
        beta, theta, mu = nb, math.exp(ns), nmu
        cur = val
        if np.max(np.abs(lam * step)) < 1e-10:
            break
    return beta, theta, mu

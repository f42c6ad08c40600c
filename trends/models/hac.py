"""Newey-West heteroskedasticity and autocorrelation consistent (HAC) covariance.

The estimator is the usual sandwich ``B^-1 M B^-1`` for M-estimators (GLMs, OLS): ``B`` is the
information ("bread") of the estimating equations and ``M`` ("meat") is a Bartlett-weighted sum
of the auto-covariances of the per-observation score contributions.

Two ways of choosing the truncation lag are offered:

Fixed lag (``lags=L``)
    Bartlett weights ``1 - j / (L + 1)`` for ``j = 0..L``, optionally with the small-sample factor
    ``n / (n - k)`` (``adjust=True``). Without prewhitening this is R
    ``sandwich::NeweyWest(m, lag = L, prewhite = FALSE, adjust = ...)`` and statsmodels
    ``cov_type="HAC", cov_kwds={"maxlags": L}``.

Automatic (``lags=None``, the package default)
    The plug-in bandwidth of Newey & West (1994, *Review of Economic Studies* 61:631-653) for the
    Bartlett kernel, computed on the score contributions after AR(1) (VAR(1)) prewhitening
    (Andrews & Monahan 1992); the lag used is ``floor(bandwidth)`` and the meat is recoloured with
    ``(I - A)^-1``. With ``prewhite`` left at its default this reproduces R
    ``sandwich::NeweyWest(m)`` (R's defaults). It is what :func:`trends.models.its.fit_its` and
    :func:`trends.models.rates.compare_rates` use unless told otherwise.

Time gaps
    Scores are assumed to be in time order and equally spaced. When some periods are missing
    (not reported), pass ``time_index`` (integer period numbers); the scores are then placed on
    the complete grid with zero contributions for the missing periods, so that lag ``j`` always
    means ``j`` periods apart.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from trends.errors import ModelError, ModelWarning

__all__ = [
    "DEFAULT_RULE",
    "HACCovariance",
    "newey_west",
    "newey_west_cov",
    "nw_bandwidth",
    "bartlett_weights",
    "default_lag_rule",
    "score_parts",
]

#: Plain-language description of the package default, used in reports.
DEFAULT_RULE = (
    "Newey-West (Bartlett kernel) with the Newey-West (1994) automatic bandwidth on AR(1)-"
    "prewhitened scores, lag = floor(bandwidth) (as R sandwich::NeweyWest defaults)"
)


@dataclass(frozen=True)
class HACCovariance:
    """A Newey-West covariance matrix and how it was obtained.

    Attributes
    ----------
    cov : numpy.ndarray
        ``k x k`` covariance matrix of the parameter estimates.
    lags : int
        Truncation lag actually used (Bartlett weights ``1 - j/(lags+1)``).
    bandwidth : float or None
        The automatic bandwidth when ``lags`` was chosen from the data, else ``None``.
    prewhite : bool
        Whether the scores were VAR(1)-prewhitened.
    adjust : bool
        Whether the small-sample factor ``n / (n - k)`` was applied.
    n : int
        Number of observations (non-missing periods).
    rule : str
        Plain description of the rule, for reports.
    """

    cov: np.ndarray
    lags: int
    bandwidth: float | None
    prewhite: bool
    adjust: bool
    n: int
    rule: str

    def to_dict(self) -> dict[str, Any]:
        """Return the settings (not the matrix) as a JSON-friendly dict."""
        return {
            "lags": int(self.lags),
            "bandwidth": None if self.bandwidth is None else float(self.bandwidth),
            "prewhite": bool(self.prewhite),
            "adjust": bool(self.adjust),
            "n": int(self.n),
            "rule": self.rule,
        }


def bartlett_weights(lags: int) -> np.ndarray:
    """Bartlett (triangular) kernel weights ``1 - j/(lags+1)`` for ``j = 0..lags``.

    Parameters
    ----------
    lags : int
        Truncation lag (>= 0).

    Returns
    -------
    numpy.ndarray
        ``lags + 1`` weights, the first equal to 1.
    """
    if lags < 0:
        raise ModelError(f"the HAC lag must be >= 0, got {lags}")
    j = np.arange(lags + 1, dtype=float)
    return 1.0 - j / (lags + 1.0)


def default_lag_rule(n: int) -> int:
    """The Newey-West (1994) rule-of-thumb lag ``floor(4 (n/100)^(2/9))``.

    This is *not* the package default (which chooses the bandwidth from the data, see
    :func:`nw_bandwidth`) but a simple deterministic alternative for users who want a fixed lag
    that depends on the series length only.

    Parameters
    ----------
    n : int
        Number of time points.

    Returns
    -------
    int
        The lag (at least 1 for ``n >= 2``).
    """
    if n < 2:
        return 0
    return max(1, int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))


def _var1(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``u_t = A u_{t-1} + e_t`` by least squares (no intercept); return ``A`` and ``e``."""
    y = u[1:]
    x = u[:-1]
    # Solve x @ A' = y in the least-squares sense.
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    a = coef.T
    resid = y - x @ coef
    return a, resid


def _intercept_mask(exog: np.ndarray | None, k: int) -> np.ndarray:
    """Boolean mask of constant (intercept) columns of ``exog``."""
    if exog is None:
        return np.zeros(k, dtype=bool)
    exog = np.asarray(exog, dtype=float)
    if exog.ndim != 2 or exog.shape[1] != k or exog.shape[0] == 0:
        return np.zeros(k, dtype=bool)
    first = exog[0]
    return np.all(exog == first, axis=0) & (first != 0)


def nw_bandwidth(
    scores: np.ndarray,
    *,
    prewhite: bool = True,
    intercept: np.ndarray | None = None,
) -> float:
    """Newey & West (1994) automatic bandwidth for the Bartlett kernel.

    The score contributions (optionally VAR(1)-prewhitened) are collapsed into one series
    ``h_t = sum_i w_i u_{t,i}`` with weight 0 for intercept columns and 1 otherwise. With
    ``sigma_j`` the lag-``j`` autocovariance of ``h`` and the pilot truncation
    ``m = floor(c (n/100)^(2/9))`` (``c = 3`` with prewhitening, 4 without; ``n`` the number of
    periods before prewhitening), ``s0 = sigma_0 + 2 sum sigma_j`` and
    ``s1 = 2 sum j sigma_j``, the bandwidth is ``1.1447 ((s1/s0)^2)^(1/3) n^(1/3)``.
    The meat is the sum (not the mean) of the recoloured residual cross-products, so with
    prewhitening it has ``n - 1`` terms; this is R ``sandwich``'s convention.

    Parameters
    ----------
    scores : numpy.ndarray
        ``n x k`` score contributions in time order.
    prewhite : bool, default True
        Prewhiten with a VAR(1) first.
    intercept : numpy.ndarray of bool, optional
        Columns that are the intercept (given weight 0). Default: none.

    Returns
    -------
    float
        The bandwidth (the lag used by Newey-West is its integer part).
    """
    u = np.asarray(scores, dtype=float)
    if u.ndim == 1:
        u = u[:, None]
    n, k = u.shape
    if n < 3:
        return 0.0
    if prewhite:
        _, u = _var1(u)
    w = np.ones(k)
    if intercept is not None and np.any(intercept):
        w[np.asarray(intercept, dtype=bool)] = 0.0
        if not np.any(w):  # only an intercept: weight it after all
            w[:] = 1.0
    h = u @ w
    t = h.shape[0]
    c = 3.0 if prewhite else 4.0
    m = min(int(math.floor(c * (n / 100.0) ** (2.0 / 9.0))), t - 1)
    sig = np.array([np.dot(h[: t - j], h[j:]) / t for j in range(m + 1)])
    s0 = sig[0] + 2.0 * sig[1:].sum()
    js = np.arange(1, m + 1, dtype=float)
    s1 = 2.0 * np.sum(js * sig[1:])
    if not np.isfinite(s0) or s0 == 0.0:
        return 0.0
    return float(1.1447 * ((s1 / s0) ** 2) ** (1.0 / 3.0) * n ** (1.0 / 3.0))


def max_auto_lag(n: int) -> int:
    """The largest lag the automatic bandwidth may give on ``n`` periods: ``floor(sqrt(n))``.

    The Newey-West (1994) bandwidth grows without bound when the long-run variance of the
    (prewhitened) scores is near zero, and can exceed the series' length (152 on 100 days).
    With a lag near ``n`` the Bartlett sum adds up nearly every autocovariance of scores that
    sum to zero, so the variance collapses (standard errors several times too small). R
    ``sandwich`` does not cap it; here the lag is at most ``floor(sqrt(n))``, which no
    automatic bandwidth of the validation datasets reaches.

    Parameters
    ----------
    n : int
        Number of periods.

    Returns
    -------
    int
    """
    return max(int(math.floor(math.sqrt(max(n, 0)))), 1)


def _meat(u: np.ndarray, lags: int) -> np.ndarray:
    """Bartlett-weighted sum of score auto-covariances (not normalised)."""
    n = u.shape[0]
    w = bartlett_weights(lags)
    s = u.T @ u
    for j in range(1, min(lags, n - 1) + 1):
        g = u[j:].T @ u[:-j]
        s = s + w[j] * (g + g.T)
    return s


def score_parts(obj: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Extract ``(scores, bread_inverse, exog, time_index)`` from a fit.

    Supported: objects with ``scores`` and ``information`` attributes (such as
    :class:`trends.models.glm.CountGLMFit`), statsmodels GLM and OLS results (unweighted fits:
    prior, frequency or variance weights are not taken into account), and tuples
    ``(scores, information)`` or ``(scores, information, exog)``. For a GLM the information is
    the expected one, ``X' W X``, as in R ``sandwich::bread.glm``.

    Parameters
    ----------
    obj : object
        The fit or the parts.

    Returns
    -------
    tuple
        ``scores`` (n x k), ``information`` (k x k; the inverse of the bread), ``exog`` or
        ``None`` (used to recognise the intercept) and ``time_index`` or ``None``.
    """
    if isinstance(obj, tuple):
        if len(obj) == 2:
            return np.asarray(obj[0], float), np.asarray(obj[1], float), None, None
        if len(obj) == 3:
            return (np.asarray(obj[0], float), np.asarray(obj[1], float), obj[2], None)
        raise ModelError("parts must be (scores, information) or (scores, information, exog)")
    if hasattr(obj, "scores") and hasattr(obj, "information"):
        return (
            np.asarray(obj.scores, float),
            np.asarray(obj.information, float),
            getattr(obj, "exog_array", None),
            getattr(obj, "time_index", None),
        )
    model = getattr(obj, "model", None)
    if model is None:
        raise ModelError(f"cannot take HAC scores from a {type(obj).__name__}")
    x = np.asarray(model.exog, dtype=float)
    y = np.asarray(model.endog, dtype=float)
    family = getattr(model, "family", None)
    if family is not None:  # statsmodels GLM
        mu = np.asarray(obj.mu, dtype=float)
        dmu = 1.0 / family.link.deriv(mu)
        var = family.variance(mu)
        scores = x * ((y - mu) * dmu / var)[:, None]
        info = (x * (dmu**2 / var)[:, None]).T @ x
        return scores, info, x, None
    # statsmodels OLS (unweighted)
    resid = y - x @ np.asarray(obj.params, dtype=float)
    return x * resid[:, None], x.T @ x, x, None


def newey_west(
    fit_or_parts: Any,
    lags: int | None = None,
    *,
    prewhite: bool | None = None,
    adjust: bool = False,
    time_index: np.ndarray | None = None,
) -> HACCovariance:
    """Newey-West HAC covariance of the parameter estimates.

    Parameters
    ----------
    fit_or_parts : object
        A :class:`~trends.models.glm.CountGLMFit`, a statsmodels GLM/OLS results object, or a
        tuple ``(scores, information[, exog])`` where ``scores`` are the ``n x k`` per-period
        contributions to the estimating equations (in time order) and ``information`` is the
        ``k x k`` matrix whose inverse is the bread (``X'WX`` for a GLM).
    lags : int or None, default None
        Fixed truncation lag. ``None`` chooses it from the data (Newey-West 1994 bandwidth).
    prewhite : bool or None, default None
        VAR(1) prewhitening of the scores. ``None`` means True when ``lags`` is None and False
        otherwise, so that ``newey_west(fit)`` is R ``NeweyWest(m)`` and
        ``newey_west(fit, L)`` is ``NeweyWest(m, lag = L, prewhite = FALSE)``.
    adjust : bool, default False
        Multiply by ``n / (n - k)``.
    time_index : array of int, optional
        Period numbers of the rows when some periods are missing (see the module notes).
        Taken from the fit when it has one.

    Returns
    -------
    HACCovariance
        The covariance and the settings used.

    Raises
    ------
    trends.errors.ModelError
        If the inputs are inconsistent or the prewhitening filter is singular.
    """
    scores, info, exog, t_idx = score_parts(fit_or_parts)
    if time_index is None:
        time_index = t_idx
    if scores.ndim == 1:
        scores = scores[:, None]
    n, k = scores.shape
    if info.shape != (k, k):
        raise ModelError(f"information matrix has shape {info.shape}, expected {(k, k)}")
    if prewhite is None:
        prewhite = lags is None
    intercept = _intercept_mask(exog, k)
    u = scores
    if time_index is not None:
        ti = np.asarray(time_index, dtype=np.int64)
        if ti.shape[0] != n:
            raise ModelError("time_index must have one entry per row of scores")
        if np.any(np.diff(ti) <= 0):
            raise ModelError("time_index must be strictly increasing")
        span = int(ti[-1] - ti[0]) + 1
        if span != n:
            u = np.zeros((span, k))
            u[ti - ti[0]] = scores
    bandwidth: float | None = None
    if lags is None:
        bandwidth = nw_bandwidth(u, prewhite=bool(prewhite), intercept=intercept)
        cap = max_auto_lag(u.shape[0])
        lags = min(int(math.floor(bandwidth)), cap)
        rule = (
            f"Newey-West HAC (Bartlett kernel), lag {lags} from the Newey-West (1994) automatic "
            f"bandwidth {bandwidth:.2f}"
            + (f" (capped at floor(sqrt(n)) = {cap})" if lags < math.floor(bandwidth) else "")
            + ", "
            + ("AR(1) prewhitening" if prewhite else "no prewhitening")
        )
    else:
        lags = int(lags)
        if lags < 0:
            raise ModelError(f"the HAC lag must be >= 0, got {lags}")
        rule = f"Newey-West HAC (Bartlett kernel), fixed lag {lags}" + (
            ", AR(1) prewhitening" if prewhite else ", no prewhitening"
        )
    if prewhite:
        a, e = _var1(u)
        rho = float(np.max(np.abs(np.linalg.eigvals(a)))) if k else 0.0
        if rho >= 0.97:
            where = (
                f"explosive (largest |eigenvalue| {rho:.3f}, above 1)"
                if round(rho, 3) > 1
                else f"close to a unit root (largest |eigenvalue| {rho:.3f})"
            )
            warnings.warn(
                f"the VAR(1) prewhitening filter of the HAC estimator is {where}; the HAC errors "
                "may be unstable, consider a fixed lag",
                ModelWarning,
                stacklevel=2,
            )
        eye = np.eye(k)
        try:
            d = np.linalg.solve(eye - a, eye)
        except np.linalg.LinAlgError as exc:  # pragma: no cover - degenerate input
            raise ModelError("HAC prewhitening filter is singular; use a fixed lag") from exc
        meat = d @ _meat(e, lags) @ d.T
    else:
        meat = _meat(u, lags)
    if adjust:
        if n <= k:
            raise ModelError("adjust=True needs more observations than parameters")
        meat = meat * (n / (n - k))
    bread = np.linalg.inv(info)
    cov = bread @ meat @ bread
    cov = 0.5 * (cov + cov.T)
    if adjust:
        rule += ", small-sample factor n/(n-k)"
    return HACCovariance(
        cov=cov,
        lags=lags,
        bandwidth=bandwidth,
        prewhite=bool(prewhite),
        adjust=bool(adjust),
        n=n,
        rule=rule,
    )


def newey_west_cov(
    fit_or_parts: Any,
    lags: int | None = None,
    *,
    prewhite: bool | None = None,
    adjust: bool = False,
    time_index: np.ndarray | None = None,
) -> np.ndarray:
    """Newey-West HAC covariance matrix (see :func:`newey_west`, which also returns the lag).

    Parameters
    ----------
    fit_or_parts : object
        Fit or ``(scores, information[, exog])`` tuple.
    lags : int or None, default None
        Fixed lag, or ``None`` for the automatic Newey-West (1994) bandwidth.
    prewhite : bool or None, default None
        VAR(1) prewhitening; ``None`` means "only with the automatic bandwidth".
    adjust : bool, default False
        Small-sample factor ``n / (n - k)``.
    time_index : array of int, optional
        Period numbers of the rows when some periods are missing.

    Returns
    -------
    numpy.ndarray
        The ``k x k`` covariance matrix.
    """
    return newey_west(
        fit_or_parts, lags, prewhite=prewhite, adjust=adjust, time_index=time_index
    ).cov

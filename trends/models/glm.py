"""Count GLMs with a log link: Poisson, quasi-Poisson and negative binomial (NB2).

:func:`fit_count_glm` is the single low-level entry point used by the interrupted time series
(:mod:`trends.models.its`) and rate comparison (:mod:`trends.models.rates`) code and by the golden
tests against R. It takes a ready-made design matrix and returns a frozen :class:`CountGLMFit`.

Conventions (all chosen to agree with R ``glm`` / ``MASS::glm.nb`` / ``sandwich``):

- coefficients by iteratively reweighted least squares (Fisher scoring), converged to a relative
  deviance change of ``1e-10`` (R stops at ``1e-8``) and a coefficient step below ``1e-9``;
- model-based covariance ``scale * (X' W X)^-1`` with ``W = mu^2 / V(mu)``; ``scale`` is 1 for
  Poisson and NB and the Pearson ``X^2 / (n - k)`` for quasi-Poisson;
- HAC (Newey-West) covariance from the score contributions ``x_i (y_i - mu_i) mu_i / V(mu_i)`` and
  the bread ``(X' W X)^-1``; it does not depend on the quasi-Poisson scale (as in R, where
  ``sandwich`` gives identical HAC errors for ``poisson`` and ``quasipoisson`` fits);
- Wald intervals and p-values use the normal distribution (as ``Epi::ci.lin`` and ``lmtest``'s
  ``coeftest`` for GLMs with known scale).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import special, stats

from trends.errors import (
    ConvergenceError,
    InputError,
    InsufficientDataError,
    ModelError,
    ModelWarning,
)
from trends.models.hac import HACCovariance, newey_west

__all__ = ["CountGLMFit", "fit_count_glm", "FAMILIES", "SE_TYPES"]

FAMILIES = ("poisson", "quasipoisson", "negbin")
SE_TYPES = ("model", "hac", "robust")

Family = Literal["poisson", "quasipoisson", "negbin"]
SEType = Literal["model", "hac", "robust"]


class _IRLSResult(NamedTuple):
    beta: np.ndarray
    mu: np.ndarray
    deviance: float
    converged: bool
    n_iter: int


def _deviance(y: np.ndarray, mu: np.ndarray, theta: float) -> float:
    if math.isinf(theta):
        return float(2.0 * np.sum(special.xlogy(y, y / mu) - (y - mu)))
    return float(
        2.0 * np.sum(special.xlogy(y, y / mu) - (y + theta) * np.log((y + theta) / (mu + theta)))
    )


def _irls(
    y: np.ndarray,
    x: np.ndarray,
    off: np.ndarray,
    theta: float,
    *,
    beta0: np.ndarray | None = None,
    maxiter: int = 100,
    tol: float = 1e-10,
) -> _IRLSResult:
    """Fisher scoring for a log-link GLM with variance ``mu + mu^2/theta`` (Poisson if inf)."""
    if beta0 is None:
        mu = y + 0.1
        eta = np.log(mu)
        beta = None
    else:
        beta = np.asarray(beta0, dtype=float)
        eta = x @ beta + off
        mu = np.exp(eta)
    dev_old = _deviance(y, mu, theta) if beta is not None else math.inf
    converged = False
    it = 0
    for it in range(1, maxiter + 1):  # noqa: B007 - it is reported
        w = mu if math.isinf(theta) else mu / (1.0 + mu / theta)
        z = (eta - off) + (y - mu) / mu
        sw = np.sqrt(w)
        new_beta, *_ = np.linalg.lstsq(x * sw[:, None], z * sw, rcond=None)
        lam = 1.0
        while True:
            cand = new_beta if beta is None else beta + lam * (new_beta - beta)
            eta_c = x @ cand + off
            if np.all(eta_c < 700.0):
                mu_c = np.exp(eta_c)
                dev = _deviance(y, mu_c, theta)
                if np.isfinite(dev) and np.all(mu_c > 0):
                    break
            if beta is None:
                raise ConvergenceError("IRLS produced non-finite fitted values at the first step")
            lam *= 0.5
            if lam < 1e-10:
                raise ConvergenceError("IRLS step halving failed: fitted values are not finite")
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
    return _IRLSResult(beta, mu, dev, converged, it)


@dataclass(frozen=True)
class CountGLMFit:
    """A fitted count GLM (log link).

    Attributes
    ----------
    params : pandas.Series
        Coefficients (log scale), named after the design columns.
    bse : pandas.Series
        Standard errors of the kind given by ``se_type``.
    cov : pandas.DataFrame
        Covariance matrix of the kind given by ``se_type``.
    cov_model : pandas.DataFrame
        Model-based covariance (``scale * (X'WX)^-1``; conditional on ``theta`` for NB).
    family : str
        ``"poisson"``, ``"quasipoisson"`` or ``"negbin"``.
    se_type : str
        ``"model"``, ``"hac"`` or ``"robust"``.
    se_description : str
        Plain description of the standard errors (for reports).
    hac : HACCovariance or None
        The HAC settings (lag, bandwidth...) when ``se_type == "hac"``.
    scale : float
        Dispersion used in ``cov_model``: 1 for Poisson / NB, Pearson ``X^2/df`` for quasi-Poisson
        (at the converged means; R's ``summary.glm`` uses the working residuals of its last IRLS
        step, which agrees to about 6 significant digits).
    dispersion : float
        Pearson ``X^2 / df_resid`` (always computed, a diagnostic for Poisson and NB).
    pearson_chi2 : float
        Pearson ``X^2``.
    deviance : float
        Residual deviance.
    theta, se_theta : float or None
        NB2 shape and its standard error (``None`` unless ``family == "negbin"``).
    cov_joint : pandas.DataFrame or None
        NB only: covariance of ``(beta, alpha)`` from the full Hessian (model-based, or HAC on the
        joint scores when ``se_type == "hac"`` and ``nb_se == "joint"``).
    nb_se : str or None
        ``"conditional"`` or ``"joint"`` (which NB covariance ``cov`` / ``bse`` use).
    loglik, aic : float
        Log-likelihood and AIC (NaN for quasi-Poisson; the NB AIC counts ``theta``).
    mu : pandas.Series
        Fitted means.
    resid_pearson : pandas.Series
        Pearson residuals ``(y - mu) / sqrt(V(mu))`` (not divided by the quasi-Poisson scale).
    n, df_resid : int
        Observations and residual degrees of freedom.
    converged : bool
        Whether the iterative fit converged.
    n_iter : int
        Iterations used.
    endog : numpy.ndarray
        The counts.
    exog_array : numpy.ndarray
        The design matrix.
    offset : numpy.ndarray
        The offset (zeros when none).
    scores : numpy.ndarray
        Per-observation contributions to the estimating equations of ``beta``.
    information : numpy.ndarray
        ``X' W X`` (the inverse of the bread).
    time_index : numpy.ndarray or None
        Period numbers of the rows (used by the HAC estimator when there are gaps).
    notes : tuple of str
        Remarks about the fit (for example "theta is infinite").
    """

    params: pd.Series
    bse: pd.Series
    cov: pd.DataFrame
    cov_model: pd.DataFrame
    family: str
    se_type: str
    se_description: str
    hac: HACCovariance | None
    scale: float
    dispersion: float
    pearson_chi2: float
    deviance: float
    theta: float | None
    se_theta: float | None
    cov_joint: pd.DataFrame | None
    nb_se: str | None
    loglik: float
    aic: float
    mu: pd.Series
    resid_pearson: pd.Series
    n: int
    df_resid: int
    converged: bool
    n_iter: int
    endog: np.ndarray = field(repr=False)
    exog_array: np.ndarray = field(repr=False)
    offset: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    information: np.ndarray = field(repr=False)
    time_index: np.ndarray | None = field(default=None, repr=False)
    notes: tuple[str, ...] = ()

    @property
    def exog_names(self) -> list[str]:
        """Names of the design columns."""
        return list(self.params.index)

    @property
    def alpha(self) -> float | None:
        """NB2 dispersion ``1/theta`` (``None`` for Poisson families)."""
        if self.theta is None:
            return None
        return 0.0 if math.isinf(self.theta) else 1.0 / self.theta

    @property
    def tvalues(self) -> pd.Series:
        """Wald z statistics ``params / bse``."""
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided normal p-values of the Wald statistics."""
        return pd.Series(2.0 * stats.norm.sf(np.abs(self.tvalues)), index=self.params.index)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald confidence intervals on the log scale.

        Parameters
        ----------
        alpha : float, default 0.05
            One minus the confidence level.

        Returns
        -------
        pandas.DataFrame
            Columns ``lower`` and ``upper``.
        """
        z = stats.norm.ppf(1.0 - alpha / 2.0)
        return pd.DataFrame(
            {"lower": self.params - z * self.bse, "upper": self.params + z * self.bse}
        )

    def rate_ratios(self, alpha: float = 0.05) -> pd.DataFrame:
        """Rate ratios ``exp(coef)`` with Wald confidence intervals.

        Parameters
        ----------
        alpha : float, default 0.05
            One minus the confidence level.

        Returns
        -------
        pandas.DataFrame
            Columns ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value``.
        """
        ci = self.conf_int(alpha)
        return pd.DataFrame(
            {
                "rate_ratio": np.exp(self.params),
                "ci_low": np.exp(ci["lower"]),
                "ci_high": np.exp(ci["upper"]),
                "p_value": self.pvalues,
            }
        )

    def predict(self, exog: Any, offset: Any = None) -> np.ndarray:
        """Predicted means ``exp(exog @ params + offset)``.

        Parameters
        ----------
        exog : array_like
            Design matrix with the same columns as the fit.
        offset : array_like, optional
            Log-scale offset.

        Returns
        -------
        numpy.ndarray
            Predicted means.
        """
        x = np.asarray(exog, dtype=float)
        eta = x @ self.params.to_numpy()
        if offset is not None:
            eta = eta + np.asarray(offset, dtype=float)
        return np.exp(eta)

    def with_hac(
        self, lags: int | None = None, *, prewhite: bool | None = None, adjust: bool = False
    ) -> HACCovariance:
        """Newey-West covariance of ``beta`` with other settings (see :func:`newey_west`).

        Parameters
        ----------
        lags : int or None
            Fixed lag or ``None`` (automatic bandwidth).
        prewhite : bool or None
            VAR(1) prewhitening (default: only with the automatic bandwidth).
        adjust : bool, default False
            Small-sample factor ``n/(n-k)``.

        Returns
        -------
        HACCovariance
            The covariance and the settings used.
        """
        return newey_west(self, lags, prewhite=prewhite, adjust=adjust)


def _as_design(exog: Any) -> tuple[np.ndarray, list[str], pd.Index | None]:
    if isinstance(exog, pd.DataFrame):
        names = [str(c) for c in exog.columns]
        return exog.to_numpy(dtype=float), names, exog.index
    arr = np.asarray(exog, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    return arr, [f"x{i}" for i in range(arr.shape[1])], None


def fit_count_glm(
    endog: Any,
    exog: Any,
    family: Family = "poisson",
    *,
    offset: Any = None,
    se: SEType = "model",
    hac_lags: int | None = None,
    hac_prewhite: bool | None = None,
    hac_adjust: bool = False,
    nb_se: Literal["conditional", "joint"] = "conditional",
    time_index: Any = None,
    maxiter: int = 100,
    tol: float = 1e-10,
) -> CountGLMFit:
    """Fit a Poisson, quasi-Poisson or negative binomial GLM with a log link.

    Parameters
    ----------
    endog : array_like
        Non-negative counts (no missing values; drop them first).
    exog : pandas.DataFrame or array_like
        Design matrix including the intercept column; DataFrame column names name the
        coefficients (arrays give ``x0, x1, ...``).
    family : {"poisson", "quasipoisson", "negbin"}, default "poisson"
        ``negbin`` is NB2 with ``theta`` estimated by maximum likelihood (as ``MASS::glm.nb``).
    offset : array_like, optional
        Log-scale offset, e.g. ``log(population)`` or ``log(exposure)``.
    se : {"model", "hac", "robust"}, default "model"
        ``model``: model-based; ``hac``: Newey-West (see ``hac_*``); ``robust``: HC0 sandwich.
    hac_lags : int or None, default None
        Newey-West lag; ``None`` uses the automatic Newey-West (1994) bandwidth with AR(1)
        prewhitening (R ``sandwich::NeweyWest`` defaults).
    hac_prewhite : bool or None, default None
        Prewhitening; ``None`` means True with the automatic bandwidth, False with a fixed lag.
    hac_adjust : bool, default False
        Small-sample factor ``n / (n - k)`` on the HAC covariance.
    nb_se : {"conditional", "joint"}, default "conditional"
        For ``negbin``: covariance of ``beta`` treating ``theta`` as known (R ``glm.nb``) or
        from the joint ``(beta, alpha)`` Hessian.
    time_index : array_like of int, optional
        Period number of each row, when the rows are not consecutive periods (missing periods);
        used by the HAC estimator.
    maxiter : int, default 100
        Maximum iterations.
    tol : float, default 1e-10
        IRLS convergence tolerance on the relative change in deviance.

    Returns
    -------
    CountGLMFit
        The fit.

    Raises
    ------
    trends.errors.InputError
        Negative, missing or non-finite data, or mismatched lengths.
    trends.errors.ModelError
        Unknown family / SE type, or a rank-deficient design.
    trends.errors.InsufficientDataError
        All counts are zero, or no residual degrees of freedom.
    trends.errors.ConvergenceError
        The iterative fit did not converge.
    """
    # negbin imports _irls from this module, hence the local import
    from trends.models.negbin import (
        _joint_negative_hessian,
        fit_negbin,
        joint_scores,
        nb_deviance,
        nb_loglik,
    )

    if family not in FAMILIES:
        raise ModelError(f"unknown family {family!r}; use one of {', '.join(FAMILIES)}")
    if se not in SE_TYPES:
        raise ModelError(f"unknown se {se!r}; use one of {', '.join(SE_TYPES)}")
    if nb_se not in ("conditional", "joint"):
        raise ModelError(f"nb_se must be 'conditional' or 'joint', got {nb_se!r}")
    index = endog.index if isinstance(endog, pd.Series) else None
    y = np.asarray(endog, dtype=float).ravel()
    x, names, x_index = _as_design(exog)
    if index is None:
        index = x_index
    n, k = x.shape
    if y.shape[0] != n:
        raise InputError(f"endog has {y.shape[0]} rows but exog has {n}")
    if not np.all(np.isfinite(y)):
        raise InputError("counts contain missing or non-finite values; drop those rows first")
    if np.any(y < 0):
        raise InputError("counts must be non-negative")
    if not np.all(np.isfinite(x)):
        raise InputError("the design matrix contains missing or non-finite values")
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float).ravel()
    if off.shape[0] != n or not np.all(np.isfinite(off)):
        raise InputError("offset must be finite with one value per row")
    if np.all(y == 0):
        raise InsufficientDataError("all counts are zero: a count model cannot be fitted")
    if n <= k:
        raise InsufficientDataError(f"{n} observations cannot support {k} parameters")
    rank = np.linalg.matrix_rank(x)
    if rank < k:
        raise ModelError(
            f"the design matrix is rank deficient (rank {rank} < {k} columns: {', '.join(names)}); "
            "a term is constant or collinear with others"
        )
    t_idx = None if time_index is None else np.asarray(time_index, dtype=np.int64)

    notes: list[str] = []
    theta: float | None = None
    se_theta: float | None = None
    cov_joint_arr: np.ndarray | None = None
    if family == "negbin":
        nb = fit_negbin(y, x, off, maxiter=maxiter, tol=tol)
        beta, mu, theta, se_theta = nb.params, nb.mu, nb.theta, nb.se_theta
        converged, n_iter = nb.converged, nb.n_iter
        info = nb.information
        loglik = nb.loglik
        deviance = nb_deviance(y, mu, theta)
        aic = -2.0 * loglik + 2.0 * (k + 1)
        cov_joint_arr = nb.cov_joint
        notes.extend(nb.notes)
        var = mu if math.isinf(theta) else mu + mu**2 / theta
    else:
        r = _irls(y, x, off, math.inf, maxiter=maxiter, tol=tol)
        if not r.converged:
            raise ConvergenceError(f"Poisson IRLS did not converge in {maxiter} iterations")
        beta, mu, converged, n_iter = r.beta, r.mu, r.converged, r.n_iter
        info = (x * mu[:, None]).T @ x
        deviance = r.deviance
        var = mu
        if family == "poisson":
            loglik = nb_loglik(y, mu, math.inf)
            aic = -2.0 * loglik + 2.0 * k
        else:
            loglik = math.nan
            aic = math.nan
    resid_p = (y - mu) / np.sqrt(var)
    chi2 = float(np.sum(resid_p**2))
    df_resid = n - k
    dispersion = chi2 / df_resid
    scale = dispersion if family == "quasipoisson" else 1.0
    if np.min(mu) < 1e-8 * max(1.0, float(np.mean(y))):
        warnings.warn(
            "some fitted means are essentially zero: a group of observations with no events "
            "drives a coefficient towards minus infinity (estimates and errors are unreliable)",
            ModelWarning,
            stacklevel=2,
        )
        notes.append("some fitted means are essentially zero (quasi-separation)")

    bread = np.linalg.inv(info)
    cov_model = scale * bread
    w_score = (y - mu) if (theta is None or math.isinf(theta)) else (y - mu) / (1.0 + mu / theta)
    scores = x * w_score[:, None]
    hac: HACCovariance | None = None
    joint = family == "negbin" and nb_se == "joint" and theta is not None and np.isfinite(theta)
    if family == "negbin" and nb_se == "joint" and not joint:
        notes.append("theta is infinite: joint standard errors equal the conditional ones")
    if se == "model":
        cov = cov_joint_arr[:k, :k] if joint else cov_model
        desc = {
            "poisson": "model-based (Poisson)",
            "quasipoisson": "model-based (quasi-Poisson, scale = Pearson X2/df)",
            "negbin": "model-based (negative binomial, "
            + ("joint with alpha)" if joint else "conditional on theta)"),
        }[family]
    else:
        if joint:
            assert theta is not None
            js = joint_scores(x, y, mu, theta)
            parts = (
                js,
                _joint_negative_hessian(x, y, mu, theta),
                np.column_stack([x, np.zeros(n)]),
            )
        else:
            parts = (scores, info, x)
        if se == "robust":
            hac = newey_west(parts, 0, prewhite=False, time_index=None)
            full = hac.cov
            hac = None
            desc = "robust (HC0 sandwich)"
        else:
            hac = newey_west(
                parts, hac_lags, prewhite=hac_prewhite, adjust=hac_adjust, time_index=t_idx
            )
            full = hac.cov
            desc = hac.rule
        if joint:
            cov_joint_arr = full
        cov = full[:k, :k]
    cov = 0.5 * (cov + cov.T)
    bse = np.sqrt(np.diag(cov))
    idx_names = pd.Index(names)
    cov_joint_df = None
    if cov_joint_arr is not None:
        jn = [*names, "alpha"]
        cov_joint_df = pd.DataFrame(cov_joint_arr, index=jn, columns=jn)
    mu_index = index if index is not None else pd.RangeIndex(n)
    return CountGLMFit(
        params=pd.Series(beta, index=idx_names, name="coef"),
        bse=pd.Series(bse, index=idx_names, name="se"),
        cov=pd.DataFrame(cov, index=idx_names, columns=idx_names),
        cov_model=pd.DataFrame(cov_model, index=idx_names, columns=idx_names),
        family=family,
        se_type=se,
        se_description=desc,
        hac=hac,
        scale=float(scale),
        dispersion=float(dispersion),
        pearson_chi2=chi2,
        deviance=float(deviance),
        theta=theta,
        se_theta=se_theta,
        cov_joint=cov_joint_df,
        nb_se=nb_se if family == "negbin" else None,
        loglik=float(loglik),
        aic=float(aic),
        mu=pd.Series(mu, index=mu_index, name="mu"),
        resid_pearson=pd.Series(resid_p, index=mu_index, name="pearson"),
        n=int(n),
        df_resid=int(df_resid),
        converged=bool(converged),
        n_iter=int(n_iter),
        endog=y,
        exog_array=x,
        offset=off,
        scores=scores,
        information=info,
        time_index=t_idx,
        notes=tuple(notes),
    )

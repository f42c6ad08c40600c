"""Count GLMs with a log link: Poisson, quasi-Poisson and negative binomial (NB2).

:func:`fit_count_glm` is the single low-level entry point used by the interrupted time series
(:mod:`trends.models.its`) and rate comparison (:mod:`trends.models.rates`) code and by the golden
tests against R. It takes a ready-made design matrix and returns a frozen :class:`CountGLMFit`.

It is assembled from the registries: the family (:data:`trends.models.families.FAMILIES`) fits
the coefficients and its dispersion through the one IRLS kernel (:mod:`trends.models.irls`), and
the covariance estimator (:data:`trends.models.covariance.COVARIANCES`) turns the estimating-
equation parts into the covariance. Names keep working: ``family="negbin"``, ``se="hac"``.

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
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from trends.errors import InputError, InsufficientDataError, ModelError, ModelWarning
from trends.models.covariance import CovarianceEstimator, CovarianceResult, resolve_covariance
from trends.models.families import FAMILIES, Family, FamilyFit, get_family
from trends.models.hac import HACCovariance, newey_west

__all__ = ["CountGLMFit", "fit_count_glm", "FAMILIES", "SE_TYPES"]

#: The ``se`` values of the historical interface (any registered covariance name also works).
SE_TYPES = ("model", "hac", "robust")

SEType = Literal["model", "hac", "robust"]


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
        Registry name of the family (``"poisson"``, ``"quasipoisson"``, ``"negbin"``...; see
        :data:`trends.models.families.FAMILIES`).
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
    covariance : str
        Registry name of the covariance estimator (:data:`trends.models.covariance.COVARIANCES`).
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
    covariance: str = ""

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


class _Data:
    """Validated arrays of one fit."""

    def __init__(self, endog: Any, exog: Any, offset: Any, time_index: Any) -> None:
        index = endog.index if isinstance(endog, pd.Series) else None
        y = np.asarray(endog, dtype=float).ravel()
        x, names, x_index = _as_design(exog)
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
                f"the design matrix is rank deficient (rank {rank} < {k} columns: "
                f"{', '.join(names)}); a term is constant or collinear with others"
            )
        self.y, self.x, self.off, self.names = y, x, off, names
        self.n, self.k = n, k
        self.index = index if index is not None else x_index
        self.time_index = None if time_index is None else np.asarray(time_index, dtype=np.int64)


def _covariance(
    fam: Family,
    estimator: CovarianceEstimator,
    data: _Data,
    ff: FamilyFit,
    scores: np.ndarray,
    cov_model: np.ndarray,
    joint: bool,
) -> tuple[np.ndarray, np.ndarray | None, CovarianceResult]:
    """``(cov of beta, joint covariance or None, the estimator's result)``."""
    k = data.k
    parts = fam.joint_parts(data.x, data.y, ff.mu, ff.theta) if joint else None
    if parts is None:
        parts = (scores, ff.information, data.x)
        model_cov = cov_model
    else:
        model_cov = ff.cov_joint
    res = estimator.compute(
        parts[0],
        parts[1],
        parts[2],
        time_index=data.time_index if estimator.se_type == "hac" else None,
        model_cov=model_cov,
        model_description=fam.model_se_description(joint),
    )
    full = res.cov
    cov_joint = full if joint else ff.cov_joint
    return full[:k, :k], cov_joint, res


def fit_count_glm(
    endog: Any,
    exog: Any,
    family: str | Family = "poisson",
    *,
    offset: Any = None,
    se: SEType | str | CovarianceEstimator = "model",
    hac_lags: int | None = None,
    hac_prewhite: bool | None = None,
    hac_adjust: bool = False,
    nb_se: Literal["conditional", "joint"] = "conditional",
    time_index: Any = None,
    maxiter: int = 100,
    tol: float = 1e-10,
) -> CountGLMFit:
    """Fit a count GLM with a log link (Poisson, quasi-Poisson, negative binomial or any family
    registered in :data:`trends.models.families.FAMILIES`).

    Parameters
    ----------
    endog : array_like
        Non-negative counts (no missing values; drop them first).
    exog : pandas.DataFrame or array_like
        Design matrix including the intercept column; DataFrame column names name the
        coefficients (arrays give ``x0, x1, ...``).
    family : str or Family, default "poisson"
        A registered family name or a :class:`~trends.models.families.Family`. ``negbin`` is NB2
        with ``theta`` estimated by maximum likelihood (as ``MASS::glm.nb``).
    offset : array_like, optional
        Log-scale offset, e.g. ``log(population)`` or ``log(exposure)``.
    se : str or CovarianceEstimator, default "model"
        ``model``: model-based; ``hac``: Newey-West (see ``hac_*``); ``robust``: HC0 sandwich; or
        any name of :data:`trends.models.covariance.COVARIANCES` (``nw-auto``, ``nw-fixed``,
        ``hc0``...) or an estimator object.
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
        Unknown family / SE type (:class:`~trends.errors.UnknownModelComponentError`), or a
        rank-deficient design.
    trends.errors.InsufficientDataError
        All counts are zero, or no residual degrees of freedom.
    trends.errors.ConvergenceError
        The iterative fit did not converge.
    """
    fam = get_family(family)
    estimator = resolve_covariance(se, hac_lags, hac_prewhite=hac_prewhite, hac_adjust=hac_adjust)
    if nb_se not in ("conditional", "joint"):
        raise ModelError(f"nb_se must be 'conditional' or 'joint', got {nb_se!r}")
    data = _Data(endog, exog, offset, time_index)
    y, x, n, k = data.y, data.x, data.n, data.k
    ff = fam.fit(y, x, data.off, maxiter=maxiter, tol=tol)
    mu, theta = ff.mu, ff.theta
    notes = list(ff.notes)
    resid_p = fam.pearson_residuals(y, mu, theta)
    chi2 = float(np.sum(resid_p**2))
    df_resid = n - k
    dispersion = chi2 / df_resid
    scale = fam.scale(chi2, df_resid)
    if np.min(mu) < 1e-8 * max(1.0, float(np.mean(y))):
        warnings.warn(
            "some fitted means are essentially zero: a group of observations with no events "
            "drives a coefficient towards minus infinity (estimates and errors are unreliable)",
            ModelWarning,
            stacklevel=2,
        )
        notes.append("some fitted means are essentially zero (quasi-separation)")

    cov_model = scale * np.linalg.inv(ff.information)
    scores = x * fam.score_weights(y, mu, theta)[:, None]
    joint = nb_se == "joint" and fam.joint_parts(x, y, mu, theta) is not None
    if nb_se == "joint" and not joint and fam.dispersion == "ml":
        notes.append("theta is infinite: joint standard errors equal the conditional ones")
    cov, cov_joint_arr, cres = _covariance(fam, estimator, data, ff, scores, cov_model, joint)
    cov = 0.5 * (cov + cov.T)
    var = np.diag(cov)
    if np.any(var < 0):  # a HAC covariance need not be positive definite in every direction
        warnings.warn(
            "the covariance estimate has negative variances: their standard errors are missing",
            ModelWarning,
            stacklevel=2,
        )
        notes.append("some variances of the covariance estimate were negative (no standard error)")
    bse = np.sqrt(np.where(var >= 0, var, np.nan))
    idx_names = pd.Index(data.names)
    cov_joint_df = None
    if cov_joint_arr is not None:
        jn = [*data.names, "alpha"]
        cov_joint_df = pd.DataFrame(cov_joint_arr, index=jn, columns=jn)
    mu_index = data.index if data.index is not None else pd.RangeIndex(n)
    return CountGLMFit(
        params=pd.Series(ff.beta, index=idx_names, name="coef"),
        bse=pd.Series(bse, index=idx_names, name="se"),
        cov=pd.DataFrame(cov, index=idx_names, columns=idx_names),
        cov_model=pd.DataFrame(cov_model, index=idx_names, columns=idx_names),
        family=fam.name,
        se_type=estimator.se_type,
        se_description=cres.description,
        hac=cres.hac,
        scale=float(scale),
        dispersion=float(dispersion),
        pearson_chi2=chi2,
        deviance=float(ff.deviance),
        theta=theta,
        se_theta=ff.se_theta,
        cov_joint=cov_joint_df,
        nb_se=nb_se if fam.dispersion == "ml" else None,
        loglik=float(ff.loglik),
        aic=float(fam.aic(ff.loglik, k)),
        mu=pd.Series(mu, index=mu_index, name="mu"),
        resid_pearson=pd.Series(resid_p, index=mu_index, name="pearson"),
        n=int(n),
        df_resid=int(df_resid),
        converged=bool(ff.converged),
        n_iter=int(ff.n_iter),
        endog=y,
        exog_array=x,
        offset=data.off,
        scores=scores,
        information=ff.information,
        time_index=data.time_index,
        notes=tuple(notes),
        covariance=estimator.name,
    )

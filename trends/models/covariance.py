"""Covariance estimators of GLM coefficients as objects in a registry.

Registered estimators (:data:`COVARIANCES`):

``"model"``
    Model-based ``scale * (X' W X)^-1`` (conditional on theta for the negative binomial, or from
    the joint Hessian with ``nb_se="joint"``).
``"hc0"``
    HC0 sandwich (``bread @ sum(s_i s_i') @ bread``), what the package's ``se="robust"`` means.
``"nw-fixed"``
    Newey-West (Bartlett kernel) with a fixed lag, no prewhitening (R
    ``sandwich::NeweyWest(m, lag = L, prewhite = FALSE)``); without a lag the rule-of-thumb
    ``floor(4 (n/100)^(2/9))`` of :func:`trends.models.hac.default_lag_rule` is used.
``"nw-auto"``
    Newey-West with the Newey-West (1994) automatic bandwidth on AR(1)-prewhitened scores (R
    ``sandwich::NeweyWest(m)`` defaults): the package default.

The historical option values keep working through :func:`resolve_covariance`: ``se="hac"`` is
``"nw-auto"`` (or ``"nw-fixed"`` when ``hac_lags`` is given), ``se="robust"`` is ``"hc0"``.
The Newey-West mathematics live in :mod:`trends.models.hac`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from trends.errors import ModelError, UnknownModelComponentError
from trends.models.hac import HACCovariance, default_lag_rule, newey_west

__all__ = [
    "COVARIANCES",
    "CovarianceEstimator",
    "CovarianceResult",
    "HC0",
    "ModelBased",
    "NeweyWestAuto",
    "NeweyWestFixed",
    "SE_ALIASES",
    "get_covariance",
    "register_covariance",
    "resolve_covariance",
]

SEType = Literal["model", "hac", "robust"]


@dataclass(frozen=True)
class CovarianceResult:
    """A covariance matrix and how it was obtained.

    Attributes
    ----------
    cov : numpy.ndarray
        The covariance of the parameters the scores are for.
    hac : HACCovariance or None
        Newey-West settings (lag, bandwidth...) for the HAC estimators.
    description : str
        Words for reports.
    """

    cov: np.ndarray
    hac: HACCovariance | None
    description: str


@dataclass(frozen=True)
class CovarianceEstimator:
    """Base class of the covariance estimators.

    Attributes
    ----------
    name : str
        Registry key.
    label : str
        Words for reports.
    se_type : {"model", "hac", "robust"}
        The family of standard errors, as results record it (``CountGLMFit.se_type``).
    """

    name: str = ""
    label: str = ""
    se_type: SEType = "model"

    def compute(
        self,
        scores: np.ndarray,
        information: np.ndarray,
        exog: np.ndarray,
        *,
        time_index: np.ndarray | None = None,
        model_cov: np.ndarray | None = None,
        model_description: str = "model-based",
    ) -> CovarianceResult:
        """The covariance of the estimates from their estimating-equation parts.

        Parameters
        ----------
        scores : numpy.ndarray
            ``n x p`` per-observation score contributions, in time order.
        information : numpy.ndarray
            ``p x p`` matrix whose inverse is the bread (``X' W X`` for a GLM).
        exog : numpy.ndarray
            Design (used to recognise the intercept).
        time_index : numpy.ndarray, optional
            Period numbers of the rows when some periods are missing.
        model_cov : numpy.ndarray, optional
            The model-based covariance (used by :class:`ModelBased`).
        model_description : str
            Its description.

        Returns
        -------
        CovarianceResult
            The matrix and its description.
        """
        raise NotImplementedError  # pragma: no cover - abstract


@dataclass(frozen=True)
class ModelBased(CovarianceEstimator):
    """Model-based covariance (inverse information times the family's scale)."""

    name: str = "model"
    label: str = "model-based"
    se_type: SEType = "model"

    def compute(
        self,
        scores: np.ndarray,
        information: np.ndarray,
        exog: np.ndarray,
        *,
        time_index: np.ndarray | None = None,
        model_cov: np.ndarray | None = None,
        model_description: str = "model-based",
    ) -> CovarianceResult:
        """See :meth:`CovarianceEstimator.compute`."""
        cov = np.linalg.inv(information) if model_cov is None else model_cov
        return CovarianceResult(cov, None, model_description)


@dataclass(frozen=True)
class HC0(CovarianceEstimator):
    """HC0 sandwich: heteroskedasticity-robust, no autocorrelation."""

    name: str = "hc0"
    label: str = "robust (HC0 sandwich)"
    se_type: SEType = "robust"

    def compute(
        self,
        scores: np.ndarray,
        information: np.ndarray,
        exog: np.ndarray,
        *,
        time_index: np.ndarray | None = None,
        model_cov: np.ndarray | None = None,
        model_description: str = "model-based",
    ) -> CovarianceResult:
        """See :meth:`CovarianceEstimator.compute`."""
        hac = newey_west((scores, information, exog), 0, prewhite=False, time_index=None)
        return CovarianceResult(hac.cov, None, self.label)


@dataclass(frozen=True)
class NeweyWestFixed(CovarianceEstimator):
    """Newey-West with a fixed lag.

    Attributes
    ----------
    lags : int or None
        The lag; ``None`` uses :func:`trends.models.hac.default_lag_rule` of the series length.
    prewhite : bool
        VAR(1) prewhitening (default False, as R with a fixed lag).
    adjust : bool
        Small-sample factor ``n / (n - k)``.
    """

    name: str = "nw-fixed"
    label: str = "Newey-West HAC, fixed lag"
    se_type: SEType = "hac"
    lags: int | None = None
    prewhite: bool = False
    adjust: bool = False

    def compute(
        self,
        scores: np.ndarray,
        information: np.ndarray,
        exog: np.ndarray,
        *,
        time_index: np.ndarray | None = None,
        model_cov: np.ndarray | None = None,
        model_description: str = "model-based",
    ) -> CovarianceResult:
        """See :meth:`CovarianceEstimator.compute`."""
        if self.lags is None:
            span = scores.shape[0] if time_index is None else int(np.ptp(time_index)) + 1
            lags = default_lag_rule(span)
        else:
            lags = int(self.lags)
        hac = newey_west(
            (scores, information, exog),
            lags,
            prewhite=self.prewhite,
            adjust=self.adjust,
            time_index=time_index,
        )
        return CovarianceResult(hac.cov, hac, hac.rule)


@dataclass(frozen=True)
class NeweyWestAuto(CovarianceEstimator):
    """Newey-West with the automatic Newey-West (1994) bandwidth.

    Attributes
    ----------
    prewhite : bool
        VAR(1) prewhitening of the scores (default True, as R ``NeweyWest``).
    adjust : bool
        Small-sample factor ``n / (n - k)``.
    """

    name: str = "nw-auto"
    label: str = "Newey-West HAC, automatic bandwidth"
    se_type: SEType = "hac"
    prewhite: bool = True
    adjust: bool = False

    def compute(
        self,
        scores: np.ndarray,
        information: np.ndarray,
        exog: np.ndarray,
        *,
        time_index: np.ndarray | None = None,
        model_cov: np.ndarray | None = None,
        model_description: str = "model-based",
    ) -> CovarianceResult:
        """See :meth:`CovarianceEstimator.compute`."""
        hac = newey_west(
            (scores, information, exog),
            None,
            prewhite=self.prewhite,
            adjust=self.adjust,
            time_index=time_index,
        )
        return CovarianceResult(hac.cov, hac, hac.rule)


#: Registered covariance estimators by name.
COVARIANCES: dict[str, CovarianceEstimator] = {}

#: Historical ``se=`` values and what they mean (``"hac"`` depends on ``hac_lags``).
SE_ALIASES: dict[str, str] = {"robust": "hc0", "hac": "nw-auto"}


def register_covariance(
    estimator: CovarianceEstimator, *, replace: bool = False
) -> CovarianceEstimator:
    """Add a covariance estimator to :data:`COVARIANCES` under its ``name``.

    Parameters
    ----------
    estimator : CovarianceEstimator
        The estimator.
    replace : bool, default False
        Allow replacing an estimator already registered under that name.

    Returns
    -------
    CovarianceEstimator
        The estimator.

    Raises
    ------
    trends.errors.ModelError
        Not an estimator, or the name is taken.
    """
    if not isinstance(estimator, CovarianceEstimator) or not estimator.name:
        raise ModelError(f"not a named CovarianceEstimator: {estimator!r}")
    if estimator.name in COVARIANCES and not replace and COVARIANCES[estimator.name] != estimator:
        raise ModelError(f"a covariance estimator named {estimator.name!r} is already registered")
    COVARIANCES[estimator.name] = estimator
    return estimator


def get_covariance(name: str | CovarianceEstimator) -> CovarianceEstimator:
    """The estimator registered under ``name`` (or one of :data:`SE_ALIASES`).

    Parameters
    ----------
    name : str or CovarianceEstimator
        A registered name or alias; an estimator is returned as is.

    Returns
    -------
    CovarianceEstimator
        The estimator.

    Raises
    ------
    trends.errors.UnknownModelComponentError
        Unknown name (the message names the closest ones).
    """
    if isinstance(name, CovarianceEstimator):
        return name
    key = SE_ALIASES.get(name, name) if isinstance(name, str) else None
    found = COVARIANCES.get(key) if key is not None else None
    if found is None:
        choices = [*COVARIANCES, *SE_ALIASES]
        close = difflib.get_close_matches(str(name), choices, n=3, cutoff=0.5)
        raise UnknownModelComponentError("se (covariance estimator)", name, choices, close)
    return found


def resolve_covariance(
    se: str | CovarianceEstimator = "hac",
    hac_lags: int | None = None,
    *,
    hac_prewhite: bool | None = None,
    hac_adjust: bool = False,
) -> CovarianceEstimator:
    """The estimator for the package's ``se`` / ``hac_*`` options.

    Parameters
    ----------
    se : str or CovarianceEstimator, default "hac"
        ``"model"``, ``"robust"`` / ``"hc0"``, ``"hac"``, ``"nw-auto"``, ``"nw-fixed"``, any other
        registered name, or an estimator object (returned as is).
    hac_lags : int or None
        Newey-West lag: with ``"hac"`` a lag selects ``"nw-fixed"``, none ``"nw-auto"``.
    hac_prewhite : bool or None
        Prewhitening; ``None`` keeps the estimator's default (True automatic, False fixed lag).
    hac_adjust : bool, default False
        Small-sample factor ``n / (n - k)``.

    Returns
    -------
    CovarianceEstimator
        The configured estimator.

    Raises
    ------
    trends.errors.UnknownModelComponentError
        Unknown name.
    trends.errors.ModelError
        A lag given to the automatic-bandwidth estimator.
    """
    if isinstance(se, CovarianceEstimator):
        return se
    if se == "hac" and hac_lags is not None:
        base = get_covariance("nw-fixed")
    else:
        base = get_covariance(se)
    if isinstance(base, NeweyWestFixed):
        kw: dict[str, object] = {"adjust": hac_adjust}
        if hac_lags is not None:
            kw["lags"] = int(hac_lags)
        if hac_prewhite is not None:
            kw["prewhite"] = bool(hac_prewhite)
        return replace(base, **kw)
    if isinstance(base, NeweyWestAuto):
        if hac_lags is not None:
            raise ModelError("the automatic-bandwidth Newey-West estimator chooses its own lag")
        kw = {"adjust": hac_adjust}
        if hac_prewhite is not None:
            kw["prewhite"] = bool(hac_prewhite)
        return replace(base, **kw)
    return base


register_covariance(ModelBased())
register_covariance(HC0())
register_covariance(NeweyWestFixed())
register_covariance(NeweyWestAuto())

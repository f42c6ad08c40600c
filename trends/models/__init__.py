"""Models: rate comparison, interrupted time series, change points, placebo, claims.

The variation points are objects in registries: count families
(:data:`trends.models.families.FAMILIES`), covariance estimators
(:data:`trends.models.covariance.COVARIANCES`) and change-point models
(:data:`trends.models.costs.COSTS`); an ITS specification is an
:class:`~trends.models.spec.ITSSpec`.
"""

from __future__ import annotations

from trends.models.changepoint import ChangePointResult, detect_changepoints
from trends.models.changepoint_dateset import ChangeDateSet, change_date_set
from trends.models.claims import ClaimsCheck, check_claims
from trends.models.costs import COSTS, ChangePointCost, get_cost, register_cost
from trends.models.covariance import (
    COVARIANCES,
    CovarianceEstimator,
    get_covariance,
    register_covariance,
)
from trends.models.families import FAMILIES, Family, get_family, register_family
from trends.models.glm import CountGLMFit, fit_count_glm
from trends.models.its import ITSResult, fit_its
from trends.models.placebo import PlaceboResult, placebo_test
from trends.models.rates import RateComparison, compare_rates
from trends.models.spec import ITSSpec

__all__ = [
    "COSTS",
    "COVARIANCES",
    "FAMILIES",
    "ChangeDateSet",
    "ChangePointCost",
    "ChangePointResult",
    "ClaimsCheck",
    "CountGLMFit",
    "CovarianceEstimator",
    "Family",
    "ITSResult",
    "ITSSpec",
    "PlaceboResult",
    "RateComparison",
    "change_date_set",
    "check_claims",
    "compare_rates",
    "detect_changepoints",
    "fit_count_glm",
    "fit_its",
    "get_cost",
    "get_covariance",
    "get_family",
    "placebo_test",
    "register_cost",
    "register_covariance",
    "register_family",
]

"""Models: rate comparison, interrupted time series, change points, placebo, claims."""

from __future__ import annotations

from trends.models.changepoint import ChangePointResult, detect_changepoints
from trends.models.claims import ClaimsCheck, check_claims
from trends.models.glm import CountGLMFit, fit_count_glm
from trends.models.its import ITSResult, fit_its
from trends.models.placebo import PlaceboResult, placebo_test
from trends.models.rates import RateComparison, compare_rates

__all__ = [
    "ChangePointResult",
    "ClaimsCheck",
    "CountGLMFit",
    "ITSResult",
    "PlaceboResult",
    "RateComparison",
    "check_claims",
    "compare_rates",
    "detect_changepoints",
    "fit_count_glm",
    "fit_its",
    "placebo_test",
]

"""A covariance estimate with a negative variance gives a missing standard error, not a NaN warning."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from trends.errors import ModelWarning
from trends.models.covariance import CovarianceEstimator, CovarianceResult
from trends.models.families import get_family
from trends.models.glm import fit_count_glm


@dataclass(frozen=True)
class _Indefinite(CovarianceEstimator):
    """The model-based covariance with the sign of its last variance flipped."""

    name: str = "indefinite"
    label: str = "indefinite (test)"
    se_type: str = "hac"

    def compute(self, scores, information, exog, **kwargs) -> CovarianceResult:
        cov = np.linalg.inv(information).copy()
        cov[-1, -1] = -cov[-1, -1]
        return CovarianceResult(cov, None, self.label)


def test_negative_variance_is_a_missing_se_with_a_model_warning():
    rng = np.random.default_rng(0)
    y = pd.Series(rng.poisson(3.0, 60).astype(float))
    x = pd.DataFrame({"intercept": np.ones(60), "after": (np.arange(60) >= 30).astype(float)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no "invalid value in sqrt"
        with pytest.warns(ModelWarning, match="negative variances"):
            fit = fit_count_glm(y, x, get_family("poisson"), se=_Indefinite())
    assert math.isnan(fit.bse["after"]) and fit.bse["intercept"] > 0
    assert any("negative" in note for note in fit.notes)

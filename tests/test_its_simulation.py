"""Simulation check: coverage of the level-change interval of fit_its with default settings.

200 daily series of 240 days, negative binomial counts (theta = 2, mean 3 per day), a mild AR(1)
latent process on the log mean (phi = 0.3, sd 0.15), and a level change with rate ratio 0.5 from
day 120. The model is fitted with the package defaults (negative binomial, linear trend, level
and slope change, Newey-West HAC with the automatic bandwidth). ``n_sim`` only drives the
counterfactual bands, not the level-change interval, so it is lowered to keep the test fast.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from trends.errors import ModelWarning
from trends.models.its import fit_its

N_SERIES = 200
N_DAYS = 240
T0 = 120
TRUE_RR = 0.5


def simulate(seed: int = 20240601) -> np.ndarray:
    """``N_SERIES x N_DAYS`` simulated counts (vectorised over series)."""
    rng = np.random.default_rng(seed)
    phi, sd, theta, mean = 0.3, 0.15, 2.0, 3.0
    shocks = rng.normal(0.0, sd * np.sqrt(1 - phi**2), (N_SERIES, N_DAYS))
    latent = np.empty((N_SERIES, N_DAYS))
    latent[:, 0] = rng.normal(0.0, sd, N_SERIES)
    for t in range(1, N_DAYS):
        latent[:, t] = phi * latent[:, t - 1] + shocks[:, t]
    step = np.where(np.arange(N_DAYS) >= T0, TRUE_RR, 1.0)
    mu = mean * np.exp(latent - sd**2 / 2) * step
    return rng.negative_binomial(theta, theta / (theta + mu))


@pytest.mark.slow
def test_level_change_ci_coverage():
    counts = simulate()
    idx = pd.date_range("2020-01-01", periods=N_DAYS, freq="D")
    covered = 0
    estimates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        for row in counts:
            res = fit_its(pd.Series(row.astype(float), index=idx), idx[T0], n_sim=100)
            lc = res.level_change
            covered += lc.ci_low <= TRUE_RR <= lc.ci_high
            estimates.append(lc.coef)
    coverage = covered / N_SERIES
    assert coverage >= 0.90, coverage
    # the log rate ratio is estimated without material bias
    assert abs(np.mean(estimates) - np.log(TRUE_RR)) < 0.05

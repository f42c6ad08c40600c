"""The two-phase variance averaged over the latent-AR hyperparameters' uncertainty (a variant,
no longer the default), and the Satterthwaite degrees of freedom of the plugged-in one.

Checked against an independent route: a Monte Carlo average of the plug-in variance over
hyperparameters drawn from their estimated sampling distribution (normal on the working scale,
the fit's ``hyper_cov``). The second-order formula should agree with it to a few per cent.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trends.models.latent_ar import fit_its_latent_ar, phase_contrast_variance
from trends.models.latent_ar_lrv import hyper_averaged_contrast_variance


def _persistent_counts(seed: int, n: int = 200, change: int = 100) -> pd.Series:
    """Negative-binomial counts around a lognormal AR(1) intensity (AR 0.8), halved at ``change``."""
    rng = np.random.default_rng(seed)
    u = np.zeros(n)
    for t in range(1, n):
        u[t] = 0.8 * u[t - 1] + rng.normal(0.0, 0.5 * math.sqrt(1 - 0.64))
    mean = 4.0 * np.where(np.arange(n) >= change, 0.5, 1.0) * np.exp(u - 0.125)
    y = rng.poisson(rng.gamma(4.0, mean / 4.0))
    return pd.Series(y.astype(float), index=pd.date_range("2022-03-01", periods=n, freq="D"))


def _contrast(s: pd.Series, change: int = 100) -> tuple[np.ndarray, np.ndarray]:
    before = np.arange(s.size) < change
    w = np.where(~before, 1.0 / (~before).sum(), 0.0) - np.where(before, 1.0 / before.sum(), 0.0)
    m = np.where(~before, s[~before].mean(), s[before].mean())
    return w, m


def _plug_in(fit, w, m) -> float:
    return phase_contrast_variance(w, m, rho=fit.rho, latent_sd=fit.latent_sd, theta=fit.theta)


@pytest.mark.parametrize("seed", [3, 11])
def test_second_order_average_agrees_with_a_monte_carlo_average(seed):
    s = _persistent_counts(seed)
    fit = fit_its_latent_ar(s, s.index[100], trend=False, slope_change=False, hyper="delta")
    w, m = _contrast(s)
    averaged, done = hyper_averaged_contrast_variance(fit, w, m)
    assert done
    hyper = fit.info["hyper"]
    h0 = np.asarray(hyper["h"])
    free = [hyper["names"].index(name) for name in hyper["free"]]
    draws = np.random.default_rng(0).multivariate_normal(
        np.zeros(len(free)), np.asarray(hyper["hyper_cov"]), 3000
    )
    values = []
    for d in draws:
        h = h0.copy()
        h[free] += d
        rho = math.tanh(min(h[0], math.atanh(0.999)))
        theta = math.exp(-h[2]) if h.size == 3 else None
        values.append(phase_contrast_variance(w, m, rho=rho, latent_sd=math.exp(h[1]), theta=theta))
    mc = float(np.mean(values))
    plug = _plug_in(fit, w, m)
    assert plug < averaged and plug < mc
    assert abs(averaged / mc - 1.0) < 0.10, (plug, averaged, mc)


def test_without_hyperparameter_covariance_it_is_the_plug_in_variance():
    s = _persistent_counts(5)
    fit = fit_its_latent_ar(s, s.index[100], trend=False, slope_change=False)  # hyper="none"
    w, m = _contrast(s)
    value, done = hyper_averaged_contrast_variance(fit, w, m)
    assert not done and value == _plug_in(fit, w, m)


def test_poisson_fits_average_over_two_hyperparameters():
    s = _persistent_counts(7)
    fit = fit_its_latent_ar(
        s, s.index[100], family="poisson", trend=False, slope_change=False, hyper="delta"
    )
    w, m = _contrast(s)
    value, done = hyper_averaged_contrast_variance(fit, w, m)
    assert fit.theta is None and len(fit.info["hyper"]["h"]) == 2
    assert done == ("hyper_cov" in fit.info["hyper"])
    assert math.isfinite(value) and value >= 0.0
    if done:
        assert value > _plug_in(fit, w, m)


def test_an_unusable_variance_falls_back_to_the_count_glm(monkeypatch):
    """Hyperparameters barely determined (a short monthly series) can make the variance
    enormous: the interval limits would overflow, so the Newey-West GLM ratio is used, saying so."""
    import trends.models.rates as rates

    monkeypatch.setattr(rates, "phase_contrast_variance", lambda *a, **k: 1e6)
    s = _persistent_counts(5)
    r = rates.compare_rates(
        s, (s.index[0], s.index[99]), (s.index[100], s.index[-1]), model="latent_ar_lrv"
    )
    nb = r.rate_ratio_nb
    assert nb["se_type"] != "latent_ar_lrv" and math.isfinite(nb["ci_high"])
    assert "no usable interval" in nb["note"]


def test_daily_series_use_a_t_quantile_and_weekly_sums_the_normal_one():
    """Daily: the plugged-in variance with the t quantile at its Satterthwaite df (section 4n);
    weekly and monthly sums keep the normal quantile (0.946 at 26 weeks, section 4i)."""
    from trends.models.rates import compare_rates

    s = _persistent_counts(9, n=280, change=140)
    daily = compare_rates(
        s, (s.index[0], s.index[139]), (s.index[140], s.index[-1]), model="latent_ar_lrv"
    ).rate_ratio_nb
    assert "Satterthwaite" in daily["se_description"] and daily["df"] >= 3.0
    w = s.resample("7D").sum()
    weekly = compare_rates(
        w, (w.index[0], w.index[19]), (w.index[20], w.index[-1]), model="latent_ar_lrv"
    ).rate_ratio_nb
    assert weekly["se_type"] == "latent_ar_lrv"
    assert "hyperparameters plugged in" in weekly["se_description"]
    assert "normal quantile" in weekly["se_description"] and weekly["df"] is None


def test_the_satterthwaite_df_is_small_on_persistent_series_and_large_on_independent_days():
    """df = 2 V^2 / (g' Sigma g): a handful where the dependence is barely pinned down, large
    where the variance is mostly the counts' own (sections 4m-4n)."""
    from trends.models.latent_ar_lrv import contrast_variance_df

    s = _persistent_counts(5)
    fit = fit_its_latent_ar(s, s.index[100], trend=False, slope_change=False, hyper="delta")
    w, m = _contrast(s)
    persistent = contrast_variance_df(fit, w, m)
    rng = np.random.default_rng(2)
    iid = pd.Series(rng.poisson(4.0, s.size).astype(float), index=s.index)
    fit_iid = fit_its_latent_ar(iid, iid.index[100], trend=False, slope_change=False,
                                hyper="delta")  # fmt: skip
    w2, m2 = _contrast(iid)
    independent = contrast_variance_df(fit_iid, w2, m2)
    assert 0 < persistent < 30 and independent > 3 * persistent
    # without the hyperparameters' covariance there is nothing to count: infinite
    plain = fit_its_latent_ar(s, s.index[100], trend=False, slope_change=False)
    assert contrast_variance_df(plain, w, m) == math.inf


def test_the_contrast_quantile_is_t_at_the_floored_df_or_normal():
    from scipy import stats

    from trends.models.latent_ar_lrv import MIN_CONTRAST_DF, contrast_quantile

    assert contrast_quantile(math.inf) == pytest.approx((stats.norm.ppf(0.975), math.inf))
    q, used = contrast_quantile(1.2)
    assert used == MIN_CONTRAST_DF and q == pytest.approx(stats.t.ppf(0.975, 3.0))
    q, used = contrast_quantile(12.5, alpha=0.1)
    assert used == 12.5 and q == pytest.approx(stats.t.ppf(0.95, 12.5))

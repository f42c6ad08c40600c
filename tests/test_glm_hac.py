"""Tests of trends.models.glm (fit_count_glm) and trends.models.hac (Newey-West)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from trends.errors import InputError, InsufficientDataError, ModelError, ModelWarning
from trends.models.glm import CountGLMFit, fit_count_glm
from trends.models.hac import (
    bartlett_weights,
    default_lag_rule,
    newey_west,
    newey_west_cov,
    nw_bandwidth,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    n = 150
    t = np.arange(n, dtype=float)
    post = (t >= 80).astype(float)
    x = pd.DataFrame({"const": 1.0, "t": t / 10.0, "post": post})
    expo = rng.uniform(0.5, 2.0, n)
    ar = np.zeros(n)
    for i in range(1, n):
        ar[i] = 0.5 * ar[i - 1] + rng.normal(0, 0.2)
    mu = expo * np.exp(1.0 + 0.02 * t / 10.0 - 0.4 * post + ar)
    y = rng.negative_binomial(5.0, 5.0 / (5.0 + mu)).astype(float)
    return y, x, np.log(expo)


def _sm_glm(y, x, off, family, **fit_kw):
    return sm.GLM(y, x, family=family, offset=off).fit(tol=1e-12, **fit_kw)


def test_poisson_matches_statsmodels(data):
    y, x, off = data
    ours = fit_count_glm(y, x, "poisson", offset=off)
    ref = _sm_glm(y, x, off, sm.families.Poisson())
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-8)
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-6)
    assert ours.loglik == pytest.approx(ref.llf, rel=1e-10)
    assert ours.aic == pytest.approx(ref.aic, rel=1e-10)
    assert ours.deviance == pytest.approx(ref.deviance, rel=1e-8)
    assert ours.pearson_chi2 == pytest.approx(ref.pearson_chi2, rel=1e-8)
    np.testing.assert_allclose(ours.resid_pearson, ref.resid_pearson, rtol=1e-7, atol=1e-9)
    assert ours.scale == 1.0 and ours.se_type == "model" and ours.converged
    assert ours.n == len(y) and ours.df_resid == len(y) - 3
    assert list(ours.params.index) == ["const", "t", "post"]


def test_quasipoisson_scale_is_pearson(data):
    y, x, off = data
    ours = fit_count_glm(y, x, "quasipoisson", offset=off)
    ref = _sm_glm(y, x, off, sm.families.Poisson(), scale="X2")
    assert ours.scale == pytest.approx(ref.scale, rel=1e-8)
    assert ours.dispersion == pytest.approx(ours.scale)
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-6)
    assert math.isnan(ours.loglik) and math.isnan(ours.aic)


@pytest.mark.parametrize("lag", [0, 1, 3, 7])
@pytest.mark.parametrize("adjust", [False, True])
def test_hac_fixed_lag_matches_statsmodels(data, lag, adjust):
    y, x, off = data
    ours = fit_count_glm(y, x, "poisson", offset=off, se="hac", hac_lags=lag, hac_adjust=adjust)
    ref = _sm_glm(
        y,
        x,
        off,
        sm.families.Poisson(),
        cov_type="HAC",
        cov_kwds={"maxlags": lag, "use_correction": adjust},
    )
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-6)
    assert ours.hac is not None and ours.hac.lags == lag and not ours.hac.prewhite
    assert ours.se_type == "hac"


def test_robust_is_hc0(data):
    y, x, off = data
    ours = fit_count_glm(y, x, "poisson", offset=off, se="robust")
    ref = _sm_glm(y, x, off, sm.families.Poisson(), cov_type="HC0")
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-6)


def test_quasipoisson_hac_equals_poisson_hac(data):
    """As with R sandwich: the HAC covariance does not depend on the quasi-Poisson scale."""
    y, x, off = data
    a = fit_count_glm(y, x, "poisson", offset=off, se="hac")
    b = fit_count_glm(y, x, "quasipoisson", offset=off, se="hac")
    np.testing.assert_allclose(a.cov, b.cov, rtol=1e-10)
    assert b.hac.bandwidth == pytest.approx(a.hac.bandwidth)


def test_with_hac_reuses_fit(data):
    y, x, off = data
    fit = fit_count_glm(y, x, "negbin", offset=off)
    h = fit.with_hac(4)
    direct = fit_count_glm(y, x, "negbin", offset=off, se="hac", hac_lags=4)
    np.testing.assert_allclose(h.cov, direct.cov.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(newey_west_cov(fit, 4), h.cov)


def test_negbin_conditional_matches_statsmodels_glm(data):
    y, x, off = data
    ours = fit_count_glm(y, x, "negbin", offset=off)
    ref = _sm_glm(y, x, off, sm.families.NegativeBinomial(alpha=1.0 / ours.theta))
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-7)
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-6)
    assert ours.nb_se == "conditional"
    assert ours.alpha == pytest.approx(1.0 / ours.theta)
    assert ours.aic == pytest.approx(-2 * ours.loglik + 2 * (3 + 1))


def test_negbin_joint_hac_includes_alpha(data):
    y, x, off = data
    fit = fit_count_glm(y, x, "negbin", offset=off, se="hac", hac_lags=3, nb_se="joint")
    assert list(fit.cov_joint.index) == ["const", "t", "post", "alpha"]
    assert np.all(np.linalg.eigvalsh(fit.cov_joint.to_numpy()) > 0)
    np.testing.assert_allclose(fit.cov, fit.cov_joint.iloc[:3, :3])


def test_fit_result_helpers(data):
    y, x, off = data
    fit = fit_count_glm(pd.Series(y), x, "poisson", offset=off)
    assert isinstance(fit, CountGLMFit)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.family = "negbin"  # type: ignore[misc]
    rr = fit.rate_ratios()
    assert rr.loc["post", "ci_low"] < rr.loc["post", "rate_ratio"] < rr.loc["post", "ci_high"]
    np.testing.assert_allclose(fit.predict(x, off), fit.mu, rtol=1e-10)
    ci = fit.conf_int(0.1)
    assert (ci["lower"] < fit.params).all() and (fit.params < ci["upper"]).all()
    assert fit.pvalues.between(0, 1).all()


def test_input_errors(data):
    y, x, off = data
    with pytest.raises(InputError):
        fit_count_glm(-y, x)
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(InputError):
        fit_count_glm(bad, x)
    with pytest.raises(InputError):
        fit_count_glm(y[:-1], x)
    with pytest.raises(InsufficientDataError):
        fit_count_glm(np.zeros_like(y), x)
    with pytest.raises(ModelError, match="unknown family"):
        fit_count_glm(y, x, "gaussian")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="unknown se"):
        fit_count_glm(y, x, se="bootstrap")  # type: ignore[arg-type]
    x2 = x.assign(post2=x["post"] * 2)
    with pytest.raises(ModelError, match="rank deficient"):
        fit_count_glm(y, x2)


def test_quasi_separation_warns():
    y = np.r_[np.zeros(20), np.random.default_rng(1).poisson(3, 20)].astype(float)
    x = np.column_stack([np.ones(40), np.r_[np.zeros(20), np.ones(20)]])
    with pytest.warns(ModelWarning, match="essentially zero"):
        fit_count_glm(y, x, "poisson")


# ------------------------------------------------------------------------------------ HAC
def test_bartlett_weights_and_default_rule():
    np.testing.assert_allclose(bartlett_weights(3), [1, 0.75, 0.5, 0.25])
    assert default_lag_rule(100) == 4
    assert default_lag_rule(365) == 5
    assert default_lag_rule(1) == 0
    with pytest.raises(ModelError):
        bartlett_weights(-1)


def test_time_index_gaps_equal_zero_padding():
    rng = np.random.default_rng(5)
    u = rng.normal(size=(60, 2))
    info = np.eye(2) * 60
    keep = np.ones(60, dtype=bool)
    keep[[10, 11, 30]] = False
    padded = np.where(keep[:, None], u, 0.0)
    a = newey_west((u[keep], info), 4, time_index=np.flatnonzero(keep))
    b = newey_west((padded, info), 4)
    np.testing.assert_allclose(a.cov, b.cov, rtol=1e-12)
    assert a.n == keep.sum()
    with pytest.raises(ModelError):
        newey_west((u[keep], info), 4, time_index=np.flatnonzero(keep)[::-1])


def test_prewhite_defaults_follow_lag_choice():
    rng = np.random.default_rng(9)
    u = rng.normal(size=(80, 2))
    u[:, 0] = 1.0 * rng.normal(size=80)
    info = np.eye(2) * 80
    auto = newey_west((u, info))
    fixed = newey_west((u, info), 2)
    assert auto.prewhite and auto.bandwidth is not None and auto.lags == math.floor(auto.bandwidth)
    assert not fixed.prewhite and fixed.bandwidth is None
    d = auto.to_dict()
    assert set(d) == {"lags", "bandwidth", "prewhite", "adjust", "n", "rule"}


def test_bandwidth_is_scale_invariant():
    rng = np.random.default_rng(3)
    e = rng.normal(size=(120, 3))
    u = e.copy()
    for i in range(1, 120):
        u[i] = 0.6 * u[i - 1] + e[i]
    b1 = nw_bandwidth(u, prewhite=True)
    b2 = nw_bandwidth(u * 1000.0, prewhite=True)
    b3 = nw_bandwidth(u, prewhite=False)
    assert b1 == pytest.approx(b2, rel=1e-10)
    assert b3 > 0


def test_hac_on_statsmodels_ols_matches_statsmodels_hac():
    rng = np.random.default_rng(11)
    x = sm.add_constant(rng.normal(size=(90, 2)))
    y = x @ [1.0, 2.0, -1.0] + rng.normal(size=90)
    res = sm.OLS(y, x).fit()
    ref = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    np.testing.assert_allclose(np.sqrt(np.diag(newey_west_cov(res, 3))), ref.bse, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (40, 3), elements=st.floats(-10, 10, allow_nan=False)),
    st.integers(0, 12),
)
def test_hac_covariance_is_positive_semidefinite(scores, lag):
    info = np.diag([5.0, 3.0, 2.0])
    cov = newey_west_cov((scores, info), lag)
    assert np.all(np.linalg.eigvalsh(cov) >= -1e-9 * max(1.0, np.abs(cov).max()))
    np.testing.assert_allclose(cov, cov.T)


@pytest.mark.filterwarnings("ignore::trends.errors.ModelWarning")
def test_the_automatic_lag_never_exceeds_the_square_root_of_the_length():
    from trends.models.hac import max_auto_lag, newey_west, nw_bandwidth

    rng = np.random.default_rng(3)
    e = rng.standard_normal(101)
    u = (e[1:] - 0.97 * e[:-1])[:, None]  # a long-run variance near zero: the bandwidth explodes
    scores = np.column_stack([np.ones(100) * 1e-3 + 0.0 * u[:, 0], u[:, 0]])
    bandwidth = nw_bandwidth(scores)
    assert bandwidth > 10 == max_auto_lag(100)
    hac = newey_west((scores, np.eye(2), np.column_stack([np.ones(100), np.arange(100.0)])))
    assert hac.lags == 10
    assert "capped at floor(sqrt(n)) = 10" in hac.rule
    assert max_auto_lag(365) == 19 and max_auto_lag(2) == 1

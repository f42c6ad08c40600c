"""Tests of the negative binomial (NB2) fit in trends.models.negbin."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.discrete.discrete_model import NegativeBinomial

from trends.models.glm import fit_count_glm
from trends.models.negbin import (
    fit_negbin,
    nb_loglik,
    theta_information,
    theta_ml,
    theta_score,
)


def _nb_data(seed=0, n=400, theta=2.0, with_offset=True):
    rng = np.random.default_rng(seed)
    x = np.column_stack([np.ones(n), rng.normal(size=n), (np.arange(n) >= n // 2).astype(float)])
    off = np.log(rng.uniform(0.5, 3.0, n)) if with_offset else np.zeros(n)
    mu = np.exp(x @ [0.8, 0.3, -0.5] + off)
    y = rng.negative_binomial(theta, theta / (theta + mu)).astype(float)
    return y, x, off


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_recovers_theta_and_matches_statsmodels_discrete():
    y, x, off = _nb_data()
    fit = fit_negbin(y, x, off)
    ref = NegativeBinomial(y, x, offset=off).fit(disp=0, maxiter=500, method="bfgs", gtol=1e-10)
    np.testing.assert_allclose(fit.params, ref.params[:-1], rtol=1e-5)
    assert fit.alpha == pytest.approx(ref.params[-1], rel=1e-4)
    # joint (beta, alpha) standard errors: full observed Hessian
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov_joint)), ref.bse, rtol=1e-3)
    assert fit.loglik == pytest.approx(ref.llf, rel=1e-9)
    assert 1.2 < fit.theta < 3.5
    assert fit.converged


def test_conditional_cov_equals_glm_with_fixed_alpha():
    y, x, off = _nb_data(seed=1)
    fit = fit_negbin(y, x, off)
    ref = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=fit.alpha), offset=off).fit(
        tol=1e-12
    )
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov_conditional)), ref.bse, rtol=1e-7)


def test_mle_is_a_stationary_point_and_hessian_is_right():
    y, x, off = _nb_data(seed=2, n=200)
    fit = fit_negbin(y, x, off)
    a0 = fit.alpha

    def ll(v):
        b, a = v[:-1], v[-1]
        return nb_loglik(y, np.exp(x @ b + off), 1.0 / a)

    v0 = np.append(fit.params, a0)
    h = 1e-5
    k = v0.size
    grad = np.array([(ll(v0 + h * e) - ll(v0 - h * e)) / (2 * h) for e in np.eye(k)])
    assert np.max(np.abs(grad)) < 1e-3
    hess = np.empty((k, k))
    for i, ei in enumerate(np.eye(k)):
        for j, ej in enumerate(np.eye(k)):
            hess[i, j] = (
                ll(v0 + h * ei + h * ej)
                - ll(v0 + h * ei - h * ej)
                - ll(v0 - h * ei + h * ej)
                + ll(v0 - h * ei - h * ej)
            ) / (4 * h * h)
    np.testing.assert_allclose(np.linalg.inv(-hess), fit.cov_joint, rtol=2e-3, atol=1e-9)


def test_theta_ml_score_and_se():
    y, x, off = _nb_data(seed=3)
    mu = np.exp(x @ [0.8, 0.3, -0.5] + off)
    th, ok = theta_ml(y, mu)
    assert ok
    assert abs(theta_score(y, mu, th)) < 1e-6 * len(y)
    # SE(theta) from the observed information, as glm.nb's SE.theta
    d = 1e-4 * th
    num = -(theta_score(y, mu, th + d) - theta_score(y, mu, th - d)) / (2 * d)
    assert theta_information(y, mu, th) == pytest.approx(num, rel=1e-5)


def test_equidispersed_data_gives_infinite_theta_without_blowing_up():
    rng = np.random.default_rng(4)
    n = 300
    x = np.column_stack([np.ones(n), np.linspace(-1, 1, n)])
    off = np.log(rng.uniform(1, 2, n))
    # binomial counts are under-dispersed: the NB likelihood is maximal at alpha = 0
    y = rng.binomial(10, 0.3, n).astype(float)
    fit = fit_negbin(y, x, off)
    assert math.isinf(fit.theta) and fit.alpha == 0.0
    assert math.isnan(fit.se_theta)
    pois = fit_count_glm(y, x, "poisson", offset=off)
    np.testing.assert_allclose(fit.params, pois.params, rtol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov_conditional)), pois.bse, rtol=1e-8)
    assert any("no overdispersion" in s for s in fit.notes)
    wrapped = fit_count_glm(y, x, "negbin", offset=off, se="hac")
    assert math.isinf(wrapped.theta)
    assert np.all(np.isfinite(wrapped.bse))
    joint = fit_count_glm(y, x, "negbin", offset=off, nb_se="joint")
    np.testing.assert_allclose(joint.bse, pois.bse, rtol=1e-8)


def test_near_poisson_large_theta():
    """Large counts with slight overdispersion (like the Sicily data, theta in the hundreds)."""
    rng = np.random.default_rng(5)
    n = 120
    x = np.column_stack([np.ones(n), np.arange(n) / n])
    mu = np.exp(6.5 + 0.2 * x[:, 1])
    y = rng.negative_binomial(500.0, 500.0 / (500.0 + mu)).astype(float)
    fit = fit_negbin(y, x)
    assert np.isfinite(fit.theta) and 100 < fit.theta < 5000
    assert fit.se_theta > 0
    assert np.all(np.isfinite(fit.cov_joint))


def test_fixed_theta_and_offset_shift():
    y, x, off = _nb_data(seed=6)
    fixed = fit_negbin(y, x, off, theta=2.0)
    assert fixed.theta == 2.0
    ref = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=0.5), offset=off).fit(tol=1e-12)
    np.testing.assert_allclose(fixed.params, ref.params, rtol=1e-7)
    # a constant offset only moves the intercept
    a = fit_negbin(y, x)
    b = fit_negbin(y, x, np.full(len(y), math.log(3.0)))
    assert b.params[0] == pytest.approx(a.params[0] - math.log(3.0), rel=1e-7)
    np.testing.assert_allclose(b.params[1:], a.params[1:], rtol=1e-6)
    assert b.theta == pytest.approx(a.theta, rel=1e-6)


def test_loglik_limits():
    y = np.array([0.0, 1.0, 3.0, 7.0])
    mu = np.array([0.5, 1.5, 2.5, 6.0])
    pois = nb_loglik(y, mu, math.inf)
    assert nb_loglik(y, mu, 1e9) == pytest.approx(pois, rel=1e-6)
    assert nb_loglik(y, mu, 2.0) < pois + 5

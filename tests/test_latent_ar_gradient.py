"""The exact gradient of the latent AR(1) Laplace likelihood (trends.models.latent_ar_gradient).

Checked against central differences of the likelihood itself (each evaluation solves its own
inner mode), on negative-binomial and Poisson series, with and without missing periods, on
hyperparameters drawn by hypothesis; and the fit it speeds up must end where the fit with
difference gradients ends (the Newton polish, which fixes the optimum, is unchanged).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trends.models import latent_ar as la
from trends.models.latent_ar_gradient import _inverse_bands, laplace_gradient


def _data(seed: int, n: int, negbin: bool, missing: bool) -> la._Data:
    rng = np.random.default_rng(seed)
    u = np.zeros(n)
    for t in range(1, n):
        u[t] = 0.8 * u[t - 1] + 0.3 * rng.normal()
    x = np.column_stack([np.ones(n), (np.arange(n) >= n // 2).astype(float), np.arange(n) / n])
    mu = np.exp(1.0 + x @ np.array([0.0, -0.5, 0.3]) + u)
    if negbin:
        y = rng.negative_binomial(3, 3 / (3 + mu)).astype(float)
    else:
        y = rng.poisson(mu).astype(float)
    obs = np.ones(n)
    if missing:
        obs[n // 5 : n // 5 + 10] = 0.0
        y[obs == 0] = 0.0
    lgy1 = np.array([math.lgamma(v + 1.0) for v in y]) * obs
    return la._Data(y, obs, x, np.zeros(n), lgy1, negbin)


def _loglik(d: la._Data, hyp: tuple[float, float, float]) -> tuple[float, la._Mode]:
    mode = la._find_mode(d, hyp, la._start_mode(d))
    assert mode.ok
    return la._laplace(d, mode, hyp), mode


def _differences(d: la._Data, hyp: tuple[float, float, float]) -> np.ndarray:
    out = []
    for k in range(3 if d.negbin else 2):
        e = 1e-5 * max(1.0, abs(hyp[k]))
        up, down = list(hyp), list(hyp)
        up[k] += e
        down[k] -= e
        out.append((_loglik(d, tuple(up))[0] - _loglik(d, tuple(down))[0]) / (2 * e))
    return np.array(out)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    negbin=st.booleans(),
    missing=st.booleans(),
    rho=st.floats(-0.5, 0.98),
    sigma=st.floats(0.05, 0.8),
    theta=st.floats(0.5, 30.0),
)
def test_gradient_equals_central_differences_of_the_likelihood(
    seed, negbin, missing, rho, sigma, theta
):
    d = _data(seed, 150, negbin, missing)
    hyp = (rho, sigma, theta if negbin else math.inf)
    _, mode = _loglik(d, hyp)
    g = laplace_gradient(d.y, d.obs, d.x, d.off, mode.u, mode.beta, hyp, negbin)
    fd = _differences(d, hyp)
    assert g is not None and g.shape == fd.shape
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-5 * max(1.0, float(np.abs(fd).max())))


def test_search_and_working_scales_follow_the_chain_rule():
    d = _data(4, 200, True, False)
    z = np.array([math.atanh(0.7), math.log(0.4), 0.3])
    hyp = la._unpack(z, True)
    _, mode = _loglik(d, hyp)
    g = la._neg_gradient(d, mode, hyp, "search")
    fd = []
    for k in range(3):
        e = 1e-5
        up, down = z.copy(), z.copy()
        up[k] += e
        down[k] -= e
        fd.append(-(_loglik(d, la._unpack(up, True))[0] - _loglik(d, la._unpack(down, True))[0]))
        fd[-1] /= 2 * e
    np.testing.assert_allclose(g, fd, rtol=1e-5)
    w = la._working(hyp, True)
    g_w = la._neg_gradient(d, mode, hyp, "working")
    e = 1e-5
    up, down = w.copy(), w.copy()
    up[2] += e
    down[2] -= e
    f_up = -_loglik(d, la._from_working(up, True))[0]
    f_down = -_loglik(d, la._from_working(down, True))[0]
    assert g_w[2] == pytest.approx((f_up - f_down) / (2 * e), rel=1e-5)
    np.testing.assert_allclose(g_w[:2], g[:2], rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 60),
    seed=st.integers(0, 1000),
)
def test_inverse_bands_equal_the_dense_inverse(n, seed):
    rng = np.random.default_rng(seed)
    off = rng.normal(size=n - 1)
    diag = np.abs(rng.normal(size=n)) + np.r_[np.abs(off), 0] + np.r_[0, np.abs(off)] + 0.1
    from scipy.linalg import lapack

    fd, fe, info = lapack.dpttrf(diag, off)
    assert info == 0
    dense = np.linalg.inv(np.diag(diag) + np.diag(off, 1) + np.diag(off, -1))
    d_inv, o_inv = _inverse_bands(fd, fe)
    np.testing.assert_allclose(d_inv, np.diag(dense), rtol=1e-10)
    np.testing.assert_allclose(o_inv, np.diag(dense, 1), rtol=1e-9, atol=1e-12)


def test_fit_with_the_exact_gradient_ends_at_the_same_optimum(monkeypatch):
    """The search now follows the exact gradient; the optimum is fixed by the Newton polish, so
    replacing the gradient by scipy's differences (the old search) must not move it."""
    from trends.simulate import preset, simulate_conflict

    kw = preset("idlib_2019")
    kw.update(n_days=245, seed=11)
    y = simulate_conflict(**kw).frame["attacks"]
    x = la.its_design(y.index, y.index[123])
    exact = la.fit_latent_ar(y, x)
    calls = {"n": 0}
    real_minimize = la.optimize.minimize

    def without_gradient(fun, x0, jac=None, **kwargs):
        calls["n"] += 1
        assert jac is True
        return real_minimize(lambda z: fun(z)[0], x0, **kwargs)

    monkeypatch.setattr(la.optimize, "minimize", without_gradient)
    differences = la.fit_latent_ar(y, x)
    assert calls["n"] >= 1
    np.testing.assert_allclose(exact.params, differences.params, rtol=1e-6, atol=1e-9)
    assert exact.rho == pytest.approx(differences.rho, rel=1e-5)
    assert exact.latent_sd == pytest.approx(differences.latent_sd, rel=1e-5)


def test_the_inner_modes_factors_give_the_same_gradient_as_factorising_again():
    d = _data(7, 180, True, True)
    hyp = (0.6, 0.3, 4.0)
    _, mode = _loglik(d, hyp)
    assert mode.factors is not None
    reused = laplace_gradient(
        d.y, d.obs, d.x, d.off, mode.u, mode.beta, hyp, True, factors=(*mode.factors, mode.s_chol)
    )
    again = laplace_gradient(d.y, d.obs, d.x, d.off, mode.u, mode.beta, hyp, True)
    np.testing.assert_allclose(reused, again, rtol=1e-10, atol=1e-10)


def _curvature_case(seed: int, negbin: bool) -> tuple[la._Data, np.ndarray, la._Mode, float]:
    d = _data(seed, 220, negbin, False)
    hyp = (0.7, 0.25, 3.0 if negbin else math.inf)
    f0, mode = _loglik(d, hyp)
    return d, la._working(hyp, negbin), mode, f0


def _value_curvature(d: la._Data, h0: np.ndarray, mode: la._Mode, step: float) -> np.ndarray:
    """Second differences of the likelihood on the working scale (written out here)."""

    def f(*moves: tuple[int, float]) -> float:
        h = h0.copy()
        for k, e in moves:
            h[k] += e
        hyp = la._from_working(h, d.negbin)
        m = la._find_mode(d, hyp, mode)
        assert m.ok
        return la._laplace(d, m, hyp)

    q = h0.size
    out = np.zeros((q, q))
    for a in range(q):
        for b in range(q):
            out[a, b] = (
                f((a, step), (b, step))
                - f((a, step), (b, -step))
                - f((a, -step), (b, step))
                + f((a, -step), (b, -step))
            ) / (4 * step * step)
    return out


@pytest.mark.parametrize("negbin", [True, False])
def test_hyperparameter_curvature_from_the_gradient_is_close_to_its_limit(negbin):
    d, h0, mode, f0 = _curvature_case(11, negbin)
    free = list(range(h0.size))
    hess, jac, gv, how = la._hyper_derivatives(d, h0, mode, free, la._HYPER_STEP, f0)
    assert how == "central differences of the exact gradient"
    # the limit: Richardson extrapolation of second differences of the likelihood
    coarse, fine = _value_curvature(d, h0, mode, 0.02), _value_curvature(d, h0, mode, 0.01)
    limit = (4 * fine - coarse) / 3
    v, v_limit = np.linalg.inv(-hess), np.linalg.inv(-limit)
    assert np.max(np.abs(v - v_limit) / np.abs(v_limit)) < 1e-3
    assert jac.shape == (d.x.shape[1], h0.size) and gv.shape == jac.shape


def test_hyperparameter_curvature_falls_back_to_likelihood_differences(monkeypatch):
    d, h0, mode, f0 = _curvature_case(12, True)
    free = [0, 2]  # the sd held at a bound: its row and column are left out
    exact = la._hyper_derivatives(d, h0, mode, free, la._HYPER_STEP, f0)
    monkeypatch.setattr(la, "_neg_gradient", lambda *a, **k: None)
    fallback = la._hyper_derivatives(d, h0, mode, free, la._HYPER_STEP, f0)
    assert fallback[3] == "second differences of the likelihood"
    assert fallback[0].shape == (2, 2)
    np.testing.assert_allclose(fallback[0], exact[0], rtol=2e-3)
    np.testing.assert_array_equal(fallback[1], exact[1])
    np.testing.assert_array_equal(fallback[2], exact[2])


def test_a_fit_records_how_the_hyperparameter_curvature_was_found():
    d = _data(13, 200, True, False)
    fit = la.fit_latent_ar(d.y, d.x, hyper="delta")
    assert fit.info["hyper"]["curvature"] == "central differences of the exact gradient"
    assert fit.cov_hyper is not None

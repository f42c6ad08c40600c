"""Tests of the fast interval code of trends.models.its: exact percentiles, count draws, and the
closed-form ``intervals="analytic"`` option."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from trends.errors import InputError, ModelWarning
from trends.models import its_intervals as its_mod
from trends.models.its import fit_its


def _series(n=240, brk=120, mean=4.0, theta=3.0, seed=0):
    rng = np.random.default_rng(seed)
    mu = np.where(np.arange(n) >= brk, mean / 2, mean)
    y = rng.negative_binomial(theta, theta / (theta + mu)).astype(float)
    return pd.Series(y, index=pd.date_range("2019-05-01", periods=n, freq="D"))


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return fit_its(*args, **kwargs)


# ----------------------------------------------------------------------------- percentiles
@pytest.mark.parametrize("n", [1, 2, 3, 7, 200, 2000])
@pytest.mark.parametrize("q", [[2.5, 97.5], [5.0, 95.0], [0.0, 50.0, 100.0], [12.3]])
def test_row_percentiles_are_numpys_to_the_bit(n, q):
    rng = np.random.default_rng(n)
    a = np.exp(rng.normal(size=(9, n)))
    a[2] = np.nan
    a[5, 0] = np.nan
    expected = np.percentile(a, q, axis=1)
    got = its_mod.row_percentiles(a.copy(), q, overwrite=True)
    np.testing.assert_array_equal(got, expected)
    ints = rng.poisson(3.0, size=(6, n))
    np.testing.assert_array_equal(
        its_mod.row_percentiles(ints, q), np.percentile(ints.astype(float), q, axis=1)
    )
    valid = np.array([True, False, True, True, False, True])
    out = its_mod.row_percentiles(ints, q, valid=valid)
    assert np.isnan(out[:, ~valid]).all()
    np.testing.assert_array_equal(
        out[:, valid], np.percentile(ints[valid].astype(float), q, axis=1)
    )


def test_row_percentiles_leave_input_alone_unless_allowed():
    a = np.random.default_rng(1).normal(size=(3, 50))
    before = a.copy()
    its_mod.row_percentiles(a, [10, 90])
    np.testing.assert_array_equal(a, before)


def test_negative_binomial_draws_keep_the_random_stream():
    mu = np.random.default_rng(2).uniform(0.1, 30, size=(40, 300))
    theta = 1.77
    old = np.random.default_rng(7)
    size = np.full_like(mu, theta)
    expected = old.poisson(old.gamma(size, mu / size)).astype(float)
    got = its_mod.count_draws(mu, "negbin", theta, 1.0, np.random.default_rng(7))
    np.testing.assert_array_equal(got, expected)
    ints = its_mod.count_draws(mu, "negbin", theta, 1.0, np.random.default_rng(7), as_float=False)
    assert ints.dtype.kind == "i"
    np.testing.assert_array_equal(ints, expected)


def test_lognormal_pair_sums_blocks_and_direct_formula_agree():
    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(30), np.arange(30.0) / 10])
    cov = np.array([[0.02, -0.004], [-0.004, 0.003]])
    e_mu = np.exp(rng.normal(size=30))
    w = (rng.uniform(size=30) > 0.2).astype(float)
    diag, cum = its_mod.lognormal_pair_sums(x, cov, e_mu, w)
    diag_b, cum_b = its_mod.lognormal_pair_sums(x, cov, e_mu, w, block=4)
    np.testing.assert_allclose(diag_b, diag, rtol=1e-12)
    np.testing.assert_allclose(cum_b, cum, rtol=1e-12)
    full = np.outer(e_mu * w, e_mu * w) * np.expm1(x @ cov @ x.T)
    direct = np.array([full[: t + 1, : t + 1].sum() for t in range(30)])
    np.testing.assert_allclose(cum, direct, rtol=1e-10)
    np.testing.assert_allclose(diag, e_mu**2 * np.expm1(np.einsum("ij,jk,ik->i", x, cov, x)))


# ----------------------------------------------------------------------------- analytic intervals
@pytest.fixture(scope="module")
def pair():
    s = _series()
    sim = _quiet(s, s.index[120], n_sim=20000, seed=1)
    ana = _quiet(s, s.index[120], intervals="analytic")
    return s, sim, ana


def test_analytic_intervals_do_not_touch_the_estimates(pair):
    _, sim, ana = pair
    pd.testing.assert_frame_equal(sim.summary(), ana.summary(), check_exact=True)
    for col in ("observed", "fitted", "counterfactual", "effect", "cum_effect"):
        pd.testing.assert_series_equal(sim.frame[col], ana.frame[col], check_exact=True)
    assert ana.settings["intervals"] == "analytic"
    assert sim.settings["intervals"] == "simulation"
    assert "closed form" in ana.cumulative_effect["interval"]


def test_analytic_intervals_agree_with_a_long_simulation(pair):
    _, sim, ana = pair
    post = sim.frame["counterfactual"].notna()
    fs, fa = sim.frame[post], ana.frame[post]
    # the mean band is exact for normal coefficients: only Monte Carlo error remains
    np.testing.assert_allclose(fa["cf_ci_low"], fs["cf_ci_low"], rtol=0.03)
    np.testing.assert_allclose(fa["cf_ci_high"], fs["cf_ci_high"], rtol=0.03)
    assert np.abs(fa["cf_pi_high"] - fs["cf_pi_high"]).max() <= 1.0
    assert np.abs(fa["cf_pi_low"] - fs["cf_pi_low"]).max() <= 1.0
    cs, ca = sim.cumulative_effect, ana.cumulative_effect
    for key in ("expected_pi_low", "expected_pi_high", "expected_ci_low", "expected_ci_high"):
        assert ca[key] == pytest.approx(cs[key], rel=0.03), key
    scale = cs["expected_pi_high"] - cs["expected_pi_low"]
    assert abs(ca["ci_low"] - cs["ci_low"]) < 0.03 * scale
    assert abs(ca["ci_high"] - cs["ci_high"]) < 0.03 * scale
    assert ana.relative_effect["ci_low"] == pytest.approx(sim.relative_effect["ci_low"], abs=0.02)
    assert ana.relative_effect["ci_high"] == pytest.approx(sim.relative_effect["ci_high"], abs=0.02)
    # band ordering as for the simulation
    assert (fa["cf_pi_low"] <= fa["cf_ci_low"] + 1e-9).all()
    assert (fa["cf_pi_high"] >= fa["cf_ci_high"] - 1e-9).all()
    assert (np.diff(fa["cum_effect_high"] - fa["cum_effect_low"]) >= -1.0).all()


def test_analytic_intervals_need_no_seed_and_handle_gaps_and_families():
    s = _series(seed=5)
    s.iloc[[10, 150, 151]] = np.nan
    a = _quiet(s, s.index[120], intervals="analytic", seed=1)
    b = _quiet(s, s.index[120], intervals="analytic", seed=99)
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert np.isfinite(a.frame["cf_pi_low"].iloc[150])  # not reported, yet predicted
    assert a.frame["cum_effect_low"].iloc[151] == a.frame["cum_effect_low"].iloc[149]
    for family in ("poisson", "quasipoisson"):
        r = _quiet(s, s.index[120], family=family, intervals="analytic")
        assert np.isfinite(r.cumulative_effect["ci_low"])
        assert r.cumulative_effect["ci_low"] <= r.cumulative_effect["estimate"]
        assert r.cumulative_effect["estimate"] <= r.cumulative_effect["ci_high"]
    cov = pd.DataFrame({"z": np.random.default_rng(4).normal(size=len(s))}, index=s.index)
    cov.iloc[[160, 161], 0] = np.nan
    r = _quiet(s, s.index[120], covariates=cov, intervals="analytic")
    assert r.frame[["cf_ci_low", "cf_pi_high"]].iloc[[160, 161]].isna().all().all()
    assert np.isfinite(r.cumulative_effect["ci_low"])
    with pytest.raises(InputError, match="intervals"):
        fit_its(s, s.index[120], intervals="bootstrap")

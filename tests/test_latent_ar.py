"""Tests of the latent AR(1) count regression (trends.models.latent_ar).

The simulation tests are seeded and small (seconds); the full calibration study is in
``benchmarks/calibration_independent.py``. They can fail: the coverage bound, the recovery
tolerances and the GLM agreement are stated and checked against simulated truth.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from trends.errors import ConvergenceError, InputError, InsufficientDataError, NotIdentifiedError
from trends.models.latent_ar import (
    LatentARResult,
    LatentARStart,
    fit_its_latent_ar,
    fit_latent_ar,
    its_design,
)
from trends.simulate import Change, preset, simulate_conflict

Z95 = 1.959963984540054


def _series(counts: np.ndarray, start: str = "2020-01-01") -> pd.Series:
    return pd.Series(
        counts.astype(float), index=pd.date_range(start, periods=len(counts), freq="D")
    )


def _poisson_glm(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Plain Poisson GLM by IRLS (reference for the no-dependence limit)."""
    beta = np.linalg.lstsq(x, np.log(y + 0.5), rcond=None)[0]
    for _ in range(100):
        mu = np.exp(x @ beta)
        step = np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    return beta


def test_its_design_matches_fit_its_parameterisation():
    idx = pd.date_range("2019-04-26", periods=10, freq="D")
    d = its_design(idx, "2019-04-30 06:00")
    assert list(d.columns) == ["intercept", "trend", "level[i1]", "slope[i1]"]
    # the intervention's date is the first post day; slope is 1 on that day (as fit_its)
    assert d["level[i1]"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert d["slope[i1]"].tolist() == [0, 0, 0, 0, 1, 2, 3, 4, 5, 6]
    assert d["trend"].tolist() == list(range(1, 11))
    two = its_design(10, [7, 3], slope_change=False)
    assert list(two.columns) == ["intercept", "trend", "level[i1]", "level[i2]"]
    assert two["level[i1]"].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]


def test_coverage_on_latent_ar_process_meets_bound():
    """95% intervals on 100 no-effect preset series (245 days, latent AR(1) 0.7, NB size 4):
    the level change covers the truth (rate ratio 1) and the expected counterfactual total
    covers the truth (4 events a day x 118 post days) in at least 90% of series (measured
    when written: 95 and 97 of 100)."""
    hits, hits_total, n = 0, 0, 100
    for i in range(n):
        sim = simulate_conflict(**preset("no_effect", seed=1000 + i))
        y = sim.frame["attacks"].astype(float)
        fit = fit_its_latent_ar(y, "2019-08-31")
        rr = fit.rate_ratio("level[i1]")
        hits += rr.ci_low <= 1.0 <= rr.ci_high
        cum = fit.cumulative_effect()
        truth = 4.0 * cum["n_periods"]
        hits_total += cum["expected_ci_low"] <= truth <= cum["expected_ci_high"]
    assert hits / n >= 0.90
    assert hits_total / n >= 0.90


def test_cumulative_effect_is_consistent():
    sim = simulate_conflict(**preset("drop_50", seed=9))
    y = sim.frame["attacks"].astype(float)
    fit = fit_its_latent_ar(y, "2019-08-31")
    # the empirical correction makes the fitted expected counts add up to the observed total
    everything = fit.expected_total(fit.design.to_numpy())
    assert everything["expected"] == pytest.approx(float(y.sum()), rel=1e-9)
    cum = fit.cumulative_effect()
    assert cum["observed"] == float(y.loc["2019-08-31":].sum())
    assert cum["estimate"] == pytest.approx(cum["observed"] - cum["expected"])
    # prediction interval (realised counterfactual) contains the mean interval
    assert cum["ci_low"] <= cum["ci_low_mean"] <= cum["estimate"] <= cum["ci_high_mean"]
    assert cum["ci_high_mean"] <= cum["ci_high"]
    model = fit.cumulative_effect(correction="model")
    assert model["expected"] / cum["expected"] == pytest.approx(
        math.exp(0.5 * fit.latent_sd**2 - fit.mean_correction()), rel=1e-9
    )


def test_recovers_known_parameters():
    """Long series: AR coefficient, NB size and the regression coefficients are recovered."""
    n, level = 1500, 0.5
    sim = simulate_conflict(
        n, base_rate=4.0, ar_coef=0.7, ar_sd=0.3, dispersion=5.0,
        changes=[Change(day=750, level=level)], seed=11,
    )  # fmt: skip
    y = sim.frame["attacks"].astype(float)
    x = its_design(y.index, y.index[750], trend=False, slope_change=False)
    fit = fit_latent_ar(y, x)
    assert abs(fit.rho - 0.7) < 0.1
    assert abs(fit.sigma - 0.3) < 0.08
    assert 2.5 < fit.theta < 12.0
    lv = fit.rate_ratio("level[i1]")
    assert abs(lv.coef - math.log(level)) < 3 * lv.se
    # intercept: log(base_rate) - s2 / 2, the simulator centres exp(latent) at mean 1
    s2 = 0.3**2 / (1 - 0.7**2)
    b0, se0 = fit.params["intercept"], fit.bse["intercept"]
    assert abs(b0 - (math.log(4.0) - s2 / 2)) < 3 * se0
    # the posterior mode of the latent process tracks the simulated one
    truth = sim.frame["log_intensity"].to_numpy() - np.log(4.0) + s2 / 2
    truth = truth - np.where(np.arange(n) >= 750, math.log(level), 0.0)
    assert np.corrcoef(fit.latent.to_numpy(), truth)[0, 1] > 0.6


def test_no_dependence_limit_agrees_with_poisson_glm():
    """Independent Poisson counts: the latent variance is small and the coefficients and
    standard errors agree with a plain Poisson GLM (the coefficients within half a standard
    error: on this seed the maximum of the Laplace likelihood has a small positive latent sd,
    0.065 with AR coefficient 0.98, with a higher likelihood than the collapsed fit, so they need
    not be equal and its standard errors are somewhat wider)."""
    rng = np.random.default_rng(5)
    n = 400
    x = its_design(n, 200)
    beta = np.array([1.2, 0.001, -0.6, 0.002])
    y = rng.poisson(np.exp(x.to_numpy() @ beta)).astype(float)
    fit = fit_latent_ar(y, x, family="poisson")
    ref = _poisson_glm(y, x.to_numpy())
    assert fit.latent_sd < 0.08
    mu = np.exp(x.to_numpy() @ ref)
    se_ref = np.sqrt(np.diag(np.linalg.inv(x.to_numpy().T @ (mu[:, None] * x.to_numpy()))))
    assert np.all(np.abs(fit.params.to_numpy() - ref) < 0.5 * se_ref)
    # the small persistent latent term widens the errors (never narrows them) by at most a third
    ratio = fit.bse.to_numpy() / se_ref
    assert np.all(ratio > 0.95) and np.all(ratio < 1.35), ratio


def test_negbin_without_dependence_agrees_with_nb_glm():
    """Independent NB counts: close to a plain NB GLM (statsmodels NB2 maximum likelihood)."""
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(8)
    n = 400
    x = its_design(n, 200)
    mu = np.exp(x.to_numpy() @ np.array([1.3, 0.0, -0.7, 0.001]))
    y = rng.poisson(rng.gamma(3.0, mu / 3.0)).astype(float)
    fit = fit_latent_ar(y, x)
    ref = sm.NegativeBinomial(y, x.to_numpy()).fit(disp=0)
    # a little latent variance trades off against the NB size; the coefficients agree and the
    # standard errors are at most 20% wider (measured: 11-13%)
    assert fit.latent_sd < 0.25
    assert fit.theta == pytest.approx(1.0 / ref.params[-1], rel=0.25)
    np.testing.assert_allclose(fit.params.to_numpy(), ref.params[:4], atol=0.05)
    ratio = fit.bse.to_numpy() / ref.bse[:4]
    assert np.all((ratio > 0.95) & (ratio < 1.2))


def test_deterministic_and_serialisable():
    sim = simulate_conflict(**preset("drop_50", seed=3))
    y = sim.frame["attacks"].astype(float)
    a = fit_its_latent_ar(y, "2019-08-31")
    b = fit_its_latent_ar(y, "2019-08-31")
    da, db = a.to_dict(), b.to_dict()
    da["info"].pop("seconds")
    db["info"].pop("seconds")
    assert da == db
    json.dumps(da)
    assert isinstance(a, LatentARResult)
    assert "level[i1]" in a.summary().index
    assert "AR coefficient" in a.report()
    lv = a.rate_ratio("level[i1]", alpha=0.1)
    assert lv.ci_low < lv.estimate < lv.ci_high and lv.level == pytest.approx(0.9)


def test_missing_periods_are_skipped_but_keep_the_calendar():
    sim = simulate_conflict(**preset("drop_50", seed=4))
    y = sim.frame["attacks"].astype(float)
    y.iloc[[10, 11, 12, 200]] = np.nan
    fit = fit_its_latent_ar(y, "2019-08-31")
    assert fit.n_obs == len(y) - 4
    assert len(fit.latent) == len(y)
    assert np.isfinite(fit.rate_ratio("level[i1]").se)


@pytest.mark.parametrize(
    "counts, exc",
    [
        (np.full(12, 3.0), InsufficientDataError),  # too short
        (np.r_[np.ones(5), np.zeros(95)], InsufficientDataError),  # too few events
        (np.r_[np.full(50, 3.0), np.zeros(50)], InsufficientDataError),  # no events after
        (np.r_[np.full(50, 3.0), -np.ones(50)], InputError),  # negative counts
        (np.r_[np.full(50, 3.0), np.full(50, 2.5)], InputError),  # not whole numbers
    ],
)
def test_refusals(counts, exc):
    with pytest.raises(exc):
        fit_its_latent_ar(_series(counts), len(counts) // 2)


def test_refuses_rank_deficient_design_and_bad_arguments():
    rng = np.random.default_rng(1)
    y = rng.poisson(3.0, 100).astype(float)
    x = its_design(100, 50)
    x["copy"] = x["level[i1]"]
    with pytest.raises(NotIdentifiedError):
        fit_latent_ar(y, x)
    with pytest.raises(InputError):
        fit_latent_ar(y, its_design(100, 50), family="binomial")
    with pytest.raises(InputError):
        fit_latent_ar(y[:-1], its_design(100, 50))
    with pytest.raises(InputError):
        its_design(100, 100)
    with pytest.raises(InputError):
        fit_latent_ar(y, its_design(100, 50)).rate_ratio("nope")


# --- hyperparameter uncertainty and the two-phase long-run variance ----------------------------
def test_phase_contrast_variance_matches_simulation():
    """The lognormal-AR(1) NB moments behind the two-phase LRV interval, checked by simulation."""
    from trends.models.latent_ar import phase_contrast_variance

    rng = np.random.default_rng(11)
    n, reps, rho, sd, theta = 50, 40000, 0.8, 0.6, 3.0
    m = np.where(np.arange(n) >= 30, 2.0, 5.0)
    u = np.empty((reps, n))
    u[:, 0] = rng.normal(0.0, sd, reps)
    for t in range(1, n):
        u[:, t] = rho * u[:, t - 1] + sd * math.sqrt(1 - rho**2) * rng.standard_normal(reps)
    y = rng.poisson(rng.gamma(theta, m * np.exp(u - sd**2 / 2) / theta))
    w = np.where(np.arange(n) >= 30, 1.0 / 20, 0.0) - np.where(np.arange(n) < 30, 1.0 / 30, 0.0)
    sim = float(np.var((y / m) @ w))
    closed = phase_contrast_variance(w, m, rho=rho, latent_sd=sd, theta=theta)
    assert closed == pytest.approx(sim, rel=0.05)
    # no latent variation: the independent NB variance
    iid = phase_contrast_variance(w, m, rho=0.5, latent_sd=0.0, theta=theta)
    assert iid == pytest.approx(float(np.sum(w**2 * (1 / m + 1 / theta))), rel=1e-12)


def test_hyperparameter_correction_widens_the_interval():
    sim = simulate_conflict(**preset("drop_50", seed=4))
    y = sim.frame["attacks"]
    plain = fit_its_latent_ar(y, "2019-08-31")
    corr = fit_its_latent_ar(y, "2019-08-31", hyper="delta")
    assert np.allclose(corr.params, plain.params)
    assert np.allclose(corr.cov_conditional, plain.cov)
    assert corr.cov_hyper is not None and corr.df is not None
    assert np.all(np.diag(corr.cov) >= np.diag(plain.cov) - 1e-12)
    assert np.all(np.linalg.eigvalsh(corr.cov_hyper.to_numpy()) > -1e-10)
    assert corr.bse["level[i1]"] >= plain.bse["level[i1]"]
    assert np.all(corr.df > 0)
    with pytest.raises(InputError):
        fit_its_latent_ar(y, "2019-08-31", hyper="kass")


# --------------------------------------------------------------------------------------------
# warm starts: the Newton polish alone from a neighbouring fit's optimum
# --------------------------------------------------------------------------------------------
def _ingarch(n: int, seed: int) -> np.ndarray:
    """NB INGARCH(1,1) counts (not the latent-AR model), intercept 40% lower from day n // 2."""
    rng = np.random.default_rng(seed)
    y, lam = np.zeros(n), 4.0
    for t in range(n):
        w = 1.2 * (0.6 if t >= n // 2 else 1.0)
        lam = w + 0.35 * (y[t - 1] if t else 4.0) + 0.35 * lam
        y[t] = rng.negative_binomial(4.0, 4.0 / (4.0 + lam))
    return y


def _warm_series(seed: int) -> np.ndarray:
    if seed % 2:
        return _ingarch(170, seed)
    sim = simulate_conflict(
        170, base_rate=4.0, ar_coef=0.6, ar_sd=0.4, dispersion=4.0,
        changes=[Change(day=85, level=0.6)], seed=seed,
    )  # fmt: skip
    return sim.frame["attacks"].to_numpy(dtype=float)


def _assert_same_fit(warm: LatentARResult, cold: LatentARResult, tol: float = 1e-6) -> None:
    se = cold.bse.to_numpy()
    scale = np.maximum(np.abs(cold.params.to_numpy()), se)
    assert np.max(np.abs(warm.params.to_numpy() - cold.params.to_numpy()) / scale) < tol
    assert np.max(np.abs(warm.bse.to_numpy() / se - 1.0)) < tol
    t_w, t_c = warm.params.to_numpy() / warm.bse.to_numpy(), cold.params.to_numpy() / se
    assert np.max(np.abs(t_w - t_c) / np.maximum(np.abs(t_c), 1.0)) < tol
    assert warm.loglik == pytest.approx(cold.loglik, rel=1e-10)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_warm_start_gives_the_cold_fit(seed: int) -> None:
    """Fits at neighbouring dates on shifted windows (as the placebo test's fake dates) started
    from the first fit's optimum: the cold fit to 1e-6."""
    y = _warm_series(seed)
    first = fit_latent_ar(y[:120], its_design(120, 60), hyper="auto")
    assert first.optimum is not None and first.optimum.hessian is not None
    for shift in (1, 4, 12):
        yy, x = y[shift : 120 + shift], its_design(120, 60 + shift // 2)
        cold = fit_latent_ar(yy, x, hyper="auto")
        warm = fit_latent_ar(yy, x, hyper="auto", start=first.optimum)
        assert "warm_start" not in cold.info
        if warm.info["warm_start"] != "used":  # a fallback is the cold fit itself
            assert cold.info["at_bound"] or "not used" in warm.info["warm_start"]
            np.testing.assert_array_equal(warm.params.to_numpy(), cold.params.to_numpy())
            continue
        _assert_same_fit(warm, cold)


def test_a_bad_warm_start_falls_back_to_the_cold_fit() -> None:
    y = _warm_series(2)
    x = its_design(120, 60)
    cold = fit_latent_ar(y[:120], x, hyper="auto")
    poisson = fit_latent_ar(y[:120], x, family="poisson").optimum  # 2 hyperparameters, not 3
    bound = LatentARStart(np.array([math.atanh(0.995), math.log(1e-3), -1.0]))
    for start, why in ((poisson, "does not match"), (bound, "at a bound")):
        fit = fit_latent_ar(y[:120], x, hyper="auto", start=start)
        assert fit.info["warm_start"].startswith("not used") and why in fit.info["warm_start"]
        np.testing.assert_array_equal(fit.params.to_numpy(), cold.params.to_numpy())
        np.testing.assert_array_equal(fit.cov.to_numpy(), cold.cov.to_numpy())
    # a start far from the optimum: either the polish gets there (the same fit) or the fallback
    far = LatentARStart(np.array([-1.2, 1.2, 2.5]))
    fit = fit_latent_ar(y[:120], x, hyper="auto", start=far)
    if fit.info["warm_start"] == "used":
        _assert_same_fit(fit, cold)
    else:
        np.testing.assert_array_equal(fit.params.to_numpy(), cold.params.to_numpy())


@pytest.mark.parametrize("seed", [1, 11])
def test_an_optimum_in_the_corner_of_no_latent_variance_is_searched_again(seed, monkeypatch):
    """Independent counts: the likelihood is flat in rho as sd -> 0 and one search stopped in
    that corner though a better optimum lay inside the box (sweep of 3 Dec 2026)."""
    import trends.models.latent_ar as la

    rng = np.random.default_rng(seed)
    t = np.arange(200)
    after = (t >= 100).astype(float)
    y = rng.poisson(np.where(after > 0, 2.0, 5.0)).astype(float)
    x = pd.DataFrame({"c": 1.0, "t": t, "lvl": after, "sl": np.where(after > 0, t - 100, 0.0)})
    fit = la.fit_latent_ar(y, x)
    assert fit.latent_sd > 0.1
    monkeypatch.setattr(la, "_CORNER_SD", 0.0)  # one search only, as before
    one = la.fit_latent_ar(y, x)
    assert fit.loglik >= one.loglik - 1e-9
    # where the single search stops in the corner (seed 11 with scipy 1.17; seed 1 did with
    # earlier scipy), the second search is kept and its optimum is clearly better
    if one.latent_sd < 0.01:
        assert fit.info["second_start"] == "kept" and fit.loglik > one.loglik + 0.1
    assert seed != 11 or one.latent_sd < 0.01  # the case is still exercised
    # one day less no longer flips the fit from one optimum to the other
    monkeypatch.setattr(la, "_CORNER_SD", 0.01)
    y_short = y.copy()
    y_short[0] = np.nan
    shorter = la.fit_latent_ar(y_short, x)
    assert abs(shorter.params["lvl"] - fit.params["lvl"]) < 0.1 * abs(fit.params["lvl"])


def test_a_sparse_window_whose_inner_mode_fails_raises_a_typed_error():
    """13 events in 151 days, one after the fake change (a placebo window of a sweep): the
    search's optimum had no inner mode and the Laplace step crashed with a numpy ValueError."""
    y = np.zeros(151)
    y[[9, 12, 25, 46, 49, 50, 69, 77, 82, 84, 104, 131]] = 1.0
    y[69] = 2.0
    i = np.arange(151)
    after = (i >= 131).astype(float)
    x = np.column_stack([np.ones(151), i + 1.0, after, np.where(i >= 131, i - 130.0, 0.0)])
    try:
        fit = fit_latent_ar(y, x)
    except ConvergenceError:
        return
    assert np.isfinite(fit.loglik)


def test_a_barely_better_interior_optimum_is_called_weakly_identified():
    """Independent counts where the second search beats the corner by less than a 5% LR test:
    the fit is kept, and its words say that no serial dependence is not rejected."""
    import trends.models.latent_ar as la

    rng = np.random.default_rng(11)
    t = np.arange(200)
    after = (t >= 100).astype(float)
    y = rng.poisson(np.where(after > 0, 2.0, 5.0)).astype(float)
    x = pd.DataFrame({"c": 1.0, "t": t, "lvl": after, "sl": np.where(after > 0, t - 100, 0.0)})
    fit = la.fit_latent_ar(y, x)
    assert fit.info["second_start"] == "kept"
    gain = fit.info["interior_loglik"] - fit.info["corner_loglik"]
    assert 0 < gain < la.WEAK_DEPENDENCE_GAIN
    assert "not rejected at 5%" in la.weak_dependence_note(fit)
    # a strongly persistent series needs no such words
    x_t = np.zeros(300)
    e = rng.normal(0, 0.6, 300)
    for k in range(1, 300):
        x_t[k] = 0.9 * x_t[k - 1] + e[k]
    y2 = rng.poisson(4.0 * np.exp(x_t)).astype(float)
    strong = la.fit_latent_ar(y2, pd.DataFrame({"c": np.ones(300)}))
    assert la.weak_dependence_note(strong) is None


def test_dependence_words_do_not_quote_an_unidentified_ar_coefficient():
    """With the latent sd at its lower bound the AR coefficient means nothing: not quoted; an AR
    coefficient at its own bound says so."""
    import dataclasses

    import trends.models.latent_ar as la

    rng = np.random.default_rng(5)
    fit = la.fit_latent_ar(rng.poisson(4.0, 150).astype(float), pd.DataFrame({"c": np.ones(150)}))
    flat = dataclasses.replace(fit, sigma=1e-3 * math.sqrt(1 - fit.rho**2))
    assert la.dependence_words(flat).startswith("no detectable serial dependence")
    edge = dataclasses.replace(fit, rho=0.995, sigma=0.3)
    assert "AR coefficient 0.995 (at its bound)" in la.dependence_words(edge)

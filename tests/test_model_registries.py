"""Contract tests over the model registries (issue 8): every family, covariance estimator and
change-point cost runs the whole model layer, and a fourth family defined in this file alone
(one definition plus a registry entry) runs the ITS, the rate comparison and the placebo test."""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from trends.errors import ModelError, ModelWarning, UnknownModelComponentError
from trends.models.batched import fit_count_glm_batch, supports
from trends.models.changepoint import detect_changepoints
from trends.models.costs import COSTS, get_cost
from trends.models.covariance import COVARIANCES, NeweyWestFixed, get_covariance
from trends.models.families import (
    FAMILIES,
    Family,
    NegativeBinomialFamily,
    get_family,
    register_family,
)
from trends.models.glm import fit_count_glm
from trends.models.irls import WorkingModel
from trends.models.its import ITSSpec, fit_its, fit_its_model
from trends.models.likelihood import NB2Working, nb2_variance, nb_deviance, nb_loglik
from trends.models.placebo import placebo_test
from trends.models.rates import compare_rates
from trends.simulate import simulate_conflict


def _series(seed: int = 1, n: int = 200, at: int = 120, level: float = 0.4) -> pd.Series:
    sim = simulate_conflict(
        n_days=n,
        base_rate=5.0,
        ar_coef=0.3,
        ar_sd=0.2,
        changes=[{"day": at, "level": level}],
        seed=seed,
    )
    return sim.frame["attacks"].astype(float).rename("attacks")


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# families
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_family_runs_its_rates_and_placebo(name):
    s = _series()
    fam = FAMILIES[name]
    assert get_family(name) is fam and fam.name == name and fam.label
    res = _quiet(fit_its, s, s.index[120], family=name, slope_change=False, n_sim=300)
    assert res.family == name and res.spec.family_object() is fam
    assert res.frame.shape[0] == len(s) and len(res.effects) == 1
    lc = res.level_change
    assert 0 < lc.ci_low <= lc.estimate <= lc.ci_high
    assert lc.estimate < 1.0  # the simulated series drops to 40%
    assert np.isfinite(res.cumulative_effect["estimate"])
    assert fam.label in res.report()
    json.dumps(res.to_dict())
    rates = _quiet(
        compare_rates, s, (s.index[0], s.index[119]), (s.index[120], s.index[-1]), family=name
    )
    assert rates.family == name and 0 < rates.rate_ratio_nb["estimate"] < 1
    pl = placebo_test(s, res, min_segment=20)
    assert pl.family == name and pl.n_placebos == 81 and pl.n_failed == 0
    assert 1 / (pl.n_placebos + 1) <= pl.p_value <= 1
    assert pl.placebo_se is not None and (pl.placebo_se > 0).all()
    json.dumps(pl.to_dict())


@pytest.mark.parametrize("name", list(FAMILIES))
def test_placebo_estimates_are_those_of_the_fit_function(name):
    s = _series(seed=3)
    res = _quiet(fit_its, s, s.index[120], family=name, n_sim=300)
    pl = placebo_test(s, res, min_segment=30, batched=False)  # the per-date (reference) path
    fast = placebo_test(s, res, min_segment=30)  # all the dates in one batch
    for date in pl.placebo_log_rr.index[[0, 17, -1]]:
        w = pl.windows.loc[date]  # each fake date is fitted on its own window
        refit = _quiet(
            fit_its, s.loc[w.first_period : w.last_period], res.spec.with_intervention(date)
        )
        assert refit.level_change.coef == pl.placebo_log_rr[date]
        assert refit.level_change.se == pl.placebo_se[date]
        assert refit.family == name and refit.se_type == res.se_type
        assert fast.placebo_log_rr[date] == pytest.approx(refit.level_change.coef, rel=1e-8)
        assert fast.placebo_se[date] == pytest.approx(refit.level_change.se, rel=1e-8)


@pytest.mark.parametrize("name", list(FAMILIES))
def test_family_pieces_are_consistent(name):
    fam = FAMILIES[name]
    rng = np.random.default_rng(0)
    mu = rng.uniform(0.5, 8.0, 50)
    theta = 3.0 if fam.dispersion == "ml" else None
    v = fam.variance(mu, theta)
    assert np.all(v >= mu - 1e-12)
    w = fam.working(theta).weights(mu)
    np.testing.assert_allclose(w, mu**2 / v)
    y = rng.poisson(mu).astype(float) + 1.0
    assert fam.deviance(y, y + 0.0, theta) == pytest.approx(0.0, abs=1e-9)
    assert fam.deviance(y, mu, theta) > 0
    draws = fam.simulate(np.full(20000, 4.0), theta, 2.0, np.random.default_rng(1))
    mean_var = fam.count_variance(np.array([4.0]), np.array([16.0]), theta, 2.0)[0]
    assert draws.mean() == pytest.approx(4.0, rel=0.03)
    assert draws.var() == pytest.approx(mean_var, rel=0.06)


def test_unknown_family_names_the_close_ones():
    with pytest.raises(UnknownModelComponentError, match="did you mean 'negbin'") as err:
        get_family("negbinn")
    assert isinstance(err.value, ModelError) and err.value.kind == "family"
    with pytest.raises(ModelError, match="unknown family"):
        fit_its(_series(), "2019-01-01", family="gaussian")
    with pytest.raises(ModelError):
        register_family(NegativeBinomialFamily(label="something else"))


# --------------------------------------------------------------------------------------------
# covariance estimators
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(COVARIANCES))
def test_every_covariance_estimator(name):
    s = _series(seed=5)
    res = _quiet(fit_its, s, s.index[120], se=name, n_sim=300)
    fit = res.fit
    assert fit.covariance == name and res.settings["covariance"] == name
    cov = fit.cov.to_numpy()
    k = len(fit.params)
    assert cov.shape == (k, k)
    np.testing.assert_allclose(cov, cov.T)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    assert (fit.bse > 0).all() and fit.se_description
    est = get_covariance(name)
    assert fit.se_type == est.se_type
    if name == "model":
        np.testing.assert_allclose(cov, fit.cov_model.to_numpy())
    if est.se_type == "hac":
        assert fit.hac is not None and fit.hac.lags >= 0
    # the estimator object works as well as its name
    direct = fit_count_glm(fit.endog, fit.exog_array, "negbin", se=est, time_index=fit.time_index)
    np.testing.assert_allclose(direct.cov.to_numpy(), cov, rtol=1e-12)


def test_historical_se_names_map_to_registry_entries():
    s = _series(seed=6)
    a = _quiet(fit_its, s, s.index[120], se="hac", hac_lags=5, n_sim=300)
    b = _quiet(fit_its, s, s.index[120], se=NeweyWestFixed(lags=5), n_sim=300)
    assert a.fit.covariance == "nw-fixed" and a.fit.hac.lags == 5
    np.testing.assert_array_equal(a.fit.cov.to_numpy(), b.fit.cov.to_numpy())
    c = _quiet(fit_its, s, s.index[120], se="robust", n_sim=300)
    assert c.fit.covariance == "hc0" and c.fit.se_type == "robust"
    with pytest.raises(UnknownModelComponentError, match="did you mean"):
        get_covariance("nw-automatic")


# --------------------------------------------------------------------------------------------
# change-point costs
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(COSTS))
def test_every_changepoint_cost(name):
    s = _series(seed=7, n=240, at=130, level=0.25)
    res = detect_changepoints(s, model=name, reference=s.index[130])
    assert res.model == name and res.cost is get_cost(name)
    assert res.n_changes >= 1 and len(res.breaks) == res.n_changes
    assert int(res.segments["n_observed"].sum()) == len(s)
    assert len(res.fitted) == len(s)
    for post, conf in zip(res.posteriors, res.confidence_sets, strict=True):
        assert post.sum() == pytest.approx(1.0)
        assert len(conf) >= 1
    near = res.breaks.iloc[res.primary]
    assert abs((near["date"] - s.index[130]).days) <= 10
    assert near["ratio"] < 1
    assert res.criterion_table["selected"].sum() == 1
    assert res.method_statement and res.report()
    json.dumps(res.to_dict(), default=str)


def test_unknown_cost_names_the_close_ones():
    with pytest.raises(UnknownModelComponentError, match="did you mean 'poisson'"):
        detect_changepoints(_series(), model="poison")


# --------------------------------------------------------------------------------------------
# a fourth family, defined here alone
# --------------------------------------------------------------------------------------------
_THETA = 4.0


@dataclass(frozen=True)
class FixedThetaNB(Family):
    """Negative binomial with theta fixed at 4 (no dispersion estimated)."""

    name: str = "nb_theta4_test"
    label: str = "negative binomial (theta = 4)"
    dispersion: str = "fixed"

    def working(self, theta: float | None = None) -> WorkingModel:
        return NB2Working(_THETA)

    def variance(self, mu, theta=None):
        return nb2_variance(mu, _THETA)

    def loglik(self, y, mu, theta=None):
        return nb_loglik(y, mu, _THETA)

    def deviance(self, y, mu, theta=None):
        return nb_deviance(y, mu, _THETA)

    def score_weights(self, y, mu, theta=None):
        return (y - mu) / (1.0 + mu / _THETA)

    def simulate(self, mu, theta, scale, rng):
        return rng.poisson(rng.standard_gamma(_THETA, size=mu.shape) * (mu / _THETA))

    def count_variance(self, mean, second, theta, scale):
        return mean + second / _THETA


@pytest.fixture
def fourth_family():
    fam = register_family(FixedThetaNB())
    yield fam
    FAMILIES.pop(fam.name)


def test_a_fourth_family_is_one_definition_and_a_registry_entry(fourth_family):
    s = _series(seed=11)
    res = _quiet(fit_its, s, s.index[120], family=fourth_family.name, se="model", n_sim=300)
    assert res.family == fourth_family.name
    assert fourth_family.label in res.report()
    # it is the negative binomial GLM with alpha = 1/4 (statsmodels as the reference)
    used = res.frame["used"].to_numpy()
    ref = sm.GLM(
        res.fit.endog,
        res.design.to_numpy()[used],
        family=sm.families.NegativeBinomial(alpha=1 / _THETA),
    ).fit(tol=1e-12)
    np.testing.assert_allclose(res.fit.params.to_numpy(), ref.params, rtol=1e-7)
    np.testing.assert_allclose(res.fit.bse.to_numpy(), ref.bse, rtol=1e-6)
    assert res.fit.loglik == pytest.approx(ref.llf, rel=1e-9)
    # ... and the same as the registered family with theta fixed
    same = _quiet(
        fit_its, s, s.index[120], family=NegativeBinomialFamily(theta=_THETA), se="model", n_sim=300
    )
    np.testing.assert_allclose(res.fit.params, same.fit.params, rtol=1e-10)
    # placebo and rates run on it through the same fit function
    pl = placebo_test(s, res, min_segment=25)
    assert pl.family == fourth_family.name and pl.n_placebos > 50
    w = pl.windows.iloc[3]
    refit = _quiet(
        fit_its_model,
        s.loc[w.first_period : w.last_period],
        res.spec.with_intervention(pl.placebo_log_rr.index[3]),
    )
    assert refit.primary.level_change.coef == pl.placebo_log_rr.iloc[3]
    rates = _quiet(
        compare_rates,
        s,
        (s.index[0], s.index[119]),
        (s.index[120], s.index[-1]),
        family=fourth_family,
    )
    assert rates.rate_ratio_nb["method"].startswith(fourth_family.label)


def test_spec_round_trip_and_keyword_guard():
    s = _series(seed=12)
    spec = ITSSpec.from_options(s.index[120], family="poisson", slope_change=False, n_sim=300)
    a = _quiet(fit_its, s, spec)
    b = _quiet(fit_its, s, s.index[120], family="poisson", slope_change=False, n_sim=300)
    assert a.level_change == b.level_change
    assert a.spec.family_name == "poisson" and a.spec.interventions == (s.index[120],)
    moved = a.spec.with_intervention(s.index[100])
    assert moved.interventions == (s.index[100],) and moved.family == "poisson"
    c = _quiet(fit_its, s, spec=spec.replace(se="model"))
    assert c.se_type == "model" and c.level_change.estimate == a.level_change.estimate
    with pytest.raises(Exception, match="spec.replace"):
        fit_its(s, spec, family="negbin", alpha=0.1)
    assert math.isclose(spec.alpha, 0.05)


def test_refit_uses_the_same_specification():
    s = _series(seed=13)
    res = _quiet(fit_its, s, s.index[120], family="quasipoisson", se="model", n_sim=300)
    low = (s * 0.8).round()
    again = _quiet(res.refit, low)
    direct = _quiet(fit_its, low, s.index[120], family="quasipoisson", se="model", n_sim=300)
    assert again.level_change == direct.level_change and again.family == "quasipoisson"
    moved = _quiet(res.refit, s, s.index[110])
    assert moved.primary.first_period == s.index[110]


# --------------------------------------------------------------------------------------------
# the batched kernel: every registered family and estimator, as fit_count_glm
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("family", [*FAMILIES.values(), NegativeBinomialFamily(theta=3.0)])
@pytest.mark.parametrize(
    "estimator",
    [
        get_covariance("model"),
        get_covariance("hc0"),
        get_covariance("nw-auto"),
        NeweyWestFixed(lags=5, prewhite=True, adjust=True),
    ],
)
def test_batched_kernel_agrees_with_fit_count_glm(family, estimator):
    """Many series (not only many designs) in one batch, with missing rows on the HAC grid."""
    rng = np.random.default_rng(5)
    n, f = 150, 6
    t = np.arange(n, dtype=float)
    x = np.stack(
        [
            np.column_stack([np.ones(n), t / n, (t >= 40 + 10 * j), np.sin(t / 9.0 + j)])
            for j in range(f)
        ]
    )
    mu = np.exp(1.2 + 0.3 * x[:, :, 1] - 0.5 * x[:, :, 2])
    y = rng.negative_binomial(4.0, 4.0 / (4.0 + mu)).astype(float)
    mask = np.ones((f, n), dtype=bool)
    mask[:, 60:64] = False  # unused rows in the middle: zeros on the Newey-West grid
    assert supports(family, estimator)
    batch = fit_count_glm_batch(y, x, family, estimator, mask=mask)
    assert batch.ok.all()
    for j in range(f):
        rows = mask[j]
        one = _quiet(
            fit_count_glm, y[j, rows], x[j, rows], family, se=estimator,
            time_index=np.flatnonzero(rows),
        )  # fmt: skip
        np.testing.assert_allclose(batch.params[j], one.params.to_numpy(), rtol=1e-8, atol=0)
        np.testing.assert_allclose(batch.bse[j], one.bse.to_numpy(), rtol=1e-8, atol=0)
        if one.hac is not None:
            assert batch.lags[j] == one.hac.lags


def test_batched_kernel_refuses_what_it_does_not_know():
    class Other(NegativeBinomialFamily):
        pass

    assert not supports(Other(), get_covariance("nw-auto"))
    assert not supports(FAMILIES["negbin"], get_covariance("nw-auto"), nb_se="joint")
    with pytest.raises(ModelError):
        fit_count_glm_batch(np.ones(5), np.ones((1, 5, 1)), Other(), get_covariance("model"))

"""The latent-AR inference method of the ITS (``fit_its(..., inference="latent_ar")``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trends.errors import InputError, UnknownModelComponentError
from trends.models.its import ITSSpec, fit_its
from trends.models.its_batched import fit_its_at_dates
from trends.models.its_design import build_design, place_interventions, prepare_series
from trends.models.its_latent import LATENT_ITS_HYPER, LatentARFit
from trends.models.latent_ar import fit_latent_ar
from trends.models.placebo import placebo_test
from trends.models.rates import compare_rates
from trends.models.spec import INFERENCE_METHODS, get_inference

LEVEL = 0.6


def _latent_nb_series(seed: int, n: int = 300, p0: int = 180) -> pd.Series:
    """Negative binomial counts with a latent AR(1) log intensity and a level change at p0."""
    rng = np.random.default_rng(seed)
    u = np.zeros(n)
    for t in range(1, n):
        u[t] = 0.7 * u[t - 1] + 0.3 * rng.standard_normal()
    k = np.arange(n)
    eta = math.log(8.0) + 0.001 * (k + 1) + np.where(k >= p0, math.log(LEVEL), 0.0) + u
    theta = 5.0
    y = rng.negative_binomial(theta, theta / (theta + np.exp(eta)))
    return pd.Series(y.astype(float), index=pd.date_range("2020-01-01", periods=n, freq="D"))


@pytest.fixture(scope="module")
def series() -> pd.Series:
    return _latent_nb_series(3)


@pytest.fixture(scope="module")
def latent(series: pd.Series):
    return fit_its(series, series.index[180], inference="latent_ar")


def test_registry_lists_methods() -> None:
    assert {"glm", "latent_ar"} <= set(INFERENCE_METHODS)
    assert get_inference("latent-ar").name == "latent_ar"
    assert "0.942" in INFERENCE_METHODS["latent_ar"].coverage
    assert "200" in INFERENCE_METHODS["latent_ar"].coverage


def test_unknown_method_is_a_typed_error(series: pd.Series) -> None:
    with pytest.raises(UnknownModelComponentError) as info:
        fit_its(series, series.index[180], inference="latent_arr")
    assert "latent_ar" in info.value.suggestions
    with pytest.raises(UnknownModelComponentError):
        compare_rates(series, ("2020-01-01", "2020-06-28"), ("2020-06-29", "2020-10-26"), model="x")


def test_unsupported_family_is_refused(series: pd.Series) -> None:
    with pytest.raises(InputError, match="latent_ar"):
        fit_its(series, series.index[180], inference="latent_ar", family="quasipoisson")


def test_level_change_recovered_within_interval(latent) -> None:
    lc = latent.level_change
    assert lc.ci_low < LEVEL < lc.ci_high
    assert lc.ci_low < lc.estimate < lc.ci_high
    assert isinstance(latent.fit, LatentARFit)
    assert latent.settings["inference"] == "latent_ar"
    assert "0.942" in latent.settings["inference_coverage"]
    assert "latent AR(1)" in latent.report()
    assert latent.slope_change is not None


def test_same_design_and_estimates_as_fit_latent_ar(series: pd.Series, latent) -> None:
    """The ITS path fits build_design's matrix with fit_latent_ar: identical estimates."""
    spec = ITSSpec.from_options(series.index[180], inference="latent_ar").validated()
    prepared = prepare_series(series)
    design = build_design(spec, prepared, place_interventions(spec, prepared))
    direct = fit_latent_ar(series, design.matrix, offset=design.offset, hyper=LATENT_ITS_HYPER)
    np.testing.assert_allclose(latent.fit.params.to_numpy(), direct.params.to_numpy(), rtol=1e-8)
    rr = direct.rate_ratio("level[i1]")
    assert latent.level_change.ci_low == pytest.approx(rr.ci_low, rel=1e-8)
    cum = direct.cumulative_effect("i1")
    ce = latent.cumulative_effect
    for key in ("estimate", "ci_low", "ci_high", "ci_low_mean", "ci_high_mean", "expected"):
        assert ce[key] == pytest.approx(cum[key], rel=1e-8), key


def test_cumulative_and_frame_are_consistent(latent) -> None:
    ce = latent.cumulative_effect
    assert ce["ci_low"] < ce["estimate"] < ce["ci_high"]
    assert ce["expected_pi_low"] < ce["expected"] < ce["expected_pi_high"]
    frame = latent.frame
    assert frame["cum_effect"].iloc[-1] == pytest.approx(ce["estimate"])
    assert frame["cum_effect_low"].iloc[-1] == pytest.approx(ce["ci_low"])
    post = frame.dropna(subset=["counterfactual"])
    assert (post["cf_ci_low"] < post["counterfactual"]).all()
    assert (post["counterfactual"] < post["cf_ci_high"]).all()
    # marginal fitted means add up to the observed total (the empirical mean correction)
    assert frame["fitted"].sum() == pytest.approx(frame["observed"].sum(), rel=1e-6)
    assert latent.to_dict()["settings"]["inference"] == "latent_ar"


def test_interval_wider_than_glm_on_autocorrelated_series(series: pd.Series, latent) -> None:
    glm = fit_its(series, series.index[180])
    width = math.log(latent.level_change.ci_high / latent.level_change.ci_low)
    assert width > math.log(glm.level_change.ci_high / glm.level_change.ci_low)


def test_default_path_unchanged(series: pd.Series) -> None:
    default = fit_its(series, series.index[180])
    explicit = fit_its(series, series.index[180], inference="glm")
    assert default.level_change == explicit.level_change
    assert default.cumulative_effect == explicit.cumulative_effect
    assert default.settings["inference"] == "glm"
    assert default.fit.se_type == "hac"
    assert "Inference:" not in default.report()


def test_spec_with_intervention_keeps_method(series: pd.Series, latent) -> None:
    moved = latent.spec.with_intervention(series.index[150])
    assert moved.inference == "latent_ar"
    refit = fit_its(series, moved)
    assert isinstance(refit.fit, LatentARFit)
    assert refit.primary.position == 150


def test_placebo_runs_with_latent_ar() -> None:
    s = _latent_nb_series(5, n=160, p0=100)
    res = fit_its(s, s.index[100], inference="latent_ar", slope_change=False)
    pl = placebo_test(s, res, min_segment=45)
    assert pl.spec.inference == "latent_ar"
    assert len(pl.placebo_log_rr) == 100 - 2 * 45 + 1
    assert pl.placebo_log_rr.notna().sum() >= len(pl.placebo_log_rr) - 2
    assert 0.0 < pl.p_value <= 1.0


def test_compare_rates_latent_ar(series: pd.Series) -> None:
    before, after = (series.index[0], series.index[179]), (series.index[180], series.index[-1])
    res = compare_rates(series, before, after, model="latent_ar")
    nb = res.rate_ratio_nb
    assert nb["se_type"] == "latent_ar"
    assert nb["ci_low"] < nb["estimate"] < nb["ci_high"]
    plain = compare_rates(series, before, after)
    assert plain.rate_ratio_nb["se_type"] == "hac"
    assert plain.rate_ratio == res.rate_ratio  # the exact ratio does not depend on the model


def test_batched_kernel_leaves_latent_specs_to_the_one_date_path(series: pd.Series) -> None:
    spec = ITSSpec.from_options(series.index[180], inference="latent_ar")
    fits = fit_its_at_dates(series, spec, series.index[[100, 120]])
    assert not fits.ok.any()


def test_level_change_covered_over_seeds() -> None:
    """Seeded replications: the latent-AR interval covers the true level change in most."""
    covered = []
    for seed in range(10, 18):
        s = _latent_nb_series(seed)
        lc = fit_its(s, s.index[180], inference="latent_ar").level_change
        covered.append(lc.ci_low < LEVEL < lc.ci_high)
    assert sum(covered) >= 6, covered


@pytest.mark.parametrize("kind", ["zeros", "few", "gaps", "short60", "weekly", "spike"])
def test_latent_its_never_raises_untyped(kind: str) -> None:
    """Honest input: a result, or a typed trends error with a message (never anything else)."""
    from trends.errors import TrendsError

    rng = np.random.default_rng(5)
    freq, n = ("W-MON", 104) if kind == "weekly" else ("D", 60 if kind == "short60" else 150)
    y = rng.poisson(3.0, n).astype(float)
    if kind == "zeros":
        y[:] = 0.0
    elif kind == "few":
        y[:] = 0.0
        y[[3, n - 4, n - 2]] = 2.0
    elif kind == "gaps":
        y[30:50] = np.nan
        y[100:104] = np.nan
    elif kind == "spike":
        y[:] = 0.0
        y[[10, 100]] = [30.0, 5.0]
    s = pd.Series(y, index=pd.date_range("2021-01-04", periods=n, freq=freq))
    try:
        r = fit_its(s, s.index[n // 2], inference="latent_ar")
    except TrendsError as exc:
        assert kind in ("zeros", "few") and str(exc)
        return
    lc = r.level_change
    assert np.isfinite(lc.ci_low) and np.isfinite(lc.ci_high) and lc.ci_low <= lc.ci_high


def test_default_latent_its_propagates_hyperparameter_uncertainty() -> None:
    """fit_its(inference="latent_ar") on 120 days: delta-method covariance and t quantiles."""
    s = _latent_nb_series(8, n=120, p0=60)
    r = fit_its(s, s.index[60], inference="latent_ar")
    res = r.fit.result
    plain = fit_latent_ar(s, res.design, hyper="none")
    assert res.info["hyper_mode"] == ("delta_t" if res.df is not None else "delta")
    assert r.level_change.se >= plain.bse["level[i1]"] - 1e-12
    assert r.level_change.ci_high - r.level_change.ci_low >= (
        plain.rate_ratio("level[i1]").ci_high - plain.rate_ratio("level[i1]").ci_low
    )
    assert "delta method" in r.fit.se_description or "not" in r.fit.se_description

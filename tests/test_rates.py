"""Tests of the before/after rate comparison (trends.models.rates)."""

from __future__ import annotations

import json
import math
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import test_poisson_2indep as sm_test_poisson_2indep

from trends.errors import InputError, ModelWarning
from trends.models.glm import fit_count_glm
from trends.models.rates import RateComparison, compare_rates, exact_poisson_ratio
from trends.verdicts.words import fmt_rate

BEFORE = ("2019-06-01", "2019-07-30")
AFTER = ("2019-07-31", "2019-09-28")


def _series(seed=0, before=3.5, after=2.0, theta=None):
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2019-06-01", periods=120)
    mu = np.where(np.arange(120) >= 60, after, before)
    if theta is None:
        y = rng.poisson(mu)
    else:
        y = rng.negative_binomial(theta, theta / (theta + mu))
    return pd.Series(y.astype(float), index=idx, name="attacks")


def _compare(*args, **kwargs) -> RateComparison:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return compare_rates(*args, **kwargs)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize(
    "c1,t1,c0,t0",
    [(12, 30, 30, 31), (0, 20, 7, 20), (5, 10, 0, 12), (40, 60, 41, 59), (1, 3, 2, 9)],
)
def test_exact_ratio_matches_statsmodels_and_inverts_the_test(c1, t1, c0, t0):
    r = exact_poisson_ratio(c1, t1, c0, t0)
    ref = sm_test_poisson_2indep(c1, t1, c0, t0, method="exact-cond")
    assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    n = c1 + c0
    # Clopper-Pearson limits for the binomial proportion, mapped to the rate ratio
    lo_p, hi_p = proportion_confint(c1, n, alpha=0.05, method="beta")

    def to_ratio(p):
        return math.inf if p >= 1 else p / (1 - p) * t0 / t1

    assert r["ci_low"] == pytest.approx(to_ratio(lo_p), rel=1e-9, abs=1e-12)
    assert r["ci_high"] == pytest.approx(to_ratio(hi_p), rel=1e-9)
    # test inversion: at each finite limit the one-sided exact tail probability is alpha/2
    if 0 < r["ci_low"]:
        p = r["ci_low"] * t1 / (r["ci_low"] * t1 + t0)
        assert stats.binom.sf(c1 - 1, n, p) == pytest.approx(0.025, rel=1e-6)
    if math.isfinite(r["ci_high"]):
        p = r["ci_high"] * t1 / (r["ci_high"] * t1 + t0)
        assert stats.binom.cdf(c1, n, p) == pytest.approx(0.025, rel=1e-6)


def test_exact_ratio_edge_cases():
    none = exact_poisson_ratio(0, 10, 0, 10)
    assert math.isnan(none["estimate"]) and none["ci_low"] == 0 and math.isinf(none["ci_high"])
    assert none["p_value"] == 1.0
    zero_after = exact_poisson_ratio(0, 10, 9, 10)
    assert zero_after["estimate"] == 0 and zero_after["ci_low"] == 0
    assert 0 < zero_after["ci_high"] < 1
    zero_before = exact_poisson_ratio(9, 10, 0, 10)
    assert math.isinf(zero_before["estimate"]) and math.isinf(zero_before["ci_high"])
    assert zero_before["ci_low"] > 1


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 200),
    st.integers(1, 400),
    st.integers(0, 200),
    st.integers(1, 400),
    st.sampled_from([0.01, 0.05, 0.1]),
)
def test_exact_interval_contains_estimate(c1, t1, c0, t0, alpha):
    r = exact_poisson_ratio(c1, t1, c0, t0, alpha)
    assert 0.0 <= r["ci_low"] <= r["ci_high"]
    assert 0.0 <= r["p_value"] <= 1.0
    if c1 + c0 > 0:
        assert r["ci_low"] <= r["estimate"] <= r["ci_high"]


def test_compare_rates_basic():
    s = _series()
    s.iloc[3] = np.nan
    r = _compare(s, BEFORE, AFTER)
    assert r.before.n_periods == 59 and r.before.n_missing == 1
    assert r.after.n_periods == 60
    assert r.before.count == pytest.approx(np.nansum(s.iloc[:60]))
    assert r.before.rate == pytest.approx(r.before.count / 59)
    rr = r.rate_ratio
    assert rr["estimate"] == pytest.approx(r.after.rate / r.before.rate)
    assert rr["ci_low"] < 2.0 / 3.5 < rr["ci_high"]
    assert rr["method"].startswith("exact conditional")
    nb = r.rate_ratio_nb
    assert nb["ci_low"] < nb["estimate"] < nb["ci_high"]
    # same point estimate as the ratio of rates (saturated two-group model)
    assert nb["estimate"] == pytest.approx(rr["estimate"], rel=1e-6)
    assert "Newey-West" in nb["se_description"]
    # NB ratio equals a direct NB GLM fit with an after indicator and HAC errors
    keep = s.notna().to_numpy()
    x = pd.DataFrame({"intercept": 1.0, "after": (np.arange(120) >= 60).astype(float)})[keep]
    fit = fit_count_glm(s[keep], x, "negbin", se="hac", time_index=np.flatnonzero(keep))
    assert nb["ci_high"] == pytest.approx(
        math.exp(fit.params["after"] + 1.959964 * fit.bse["after"]), rel=1e-6
    )


def test_to_dict_summary_report():
    r = _compare(_series(seed=1, theta=2.0), BEFORE, AFTER)
    d = r.to_dict()
    json.dumps(d)
    for key in ("rate_before", "rate_after", "rate_ratio", "rate_ratio_negbin"):
        assert key in d
    for key in ("estimate", "ci_low", "ci_high", "method"):
        assert key in d["rate_ratio"]
    assert d["rate_ratio_negbin"]["estimate"] is not None
    summ = r.summary()
    assert list(summ.index) == ["before", "after", "ratio_exact", "ratio_negbin"]
    text = r.report()
    # one rule for a rate wherever the report prints it (trends.verdicts.words.fmt_rate)
    assert f"{fmt_rate(r.before.rate)} per day" in text
    assert f"{r.rate_ratio['estimate']:.3f}" in text
    assert f"{r.rate_ratio_nb['ci_low']:.3f}" in text
    assert repr(r).startswith("<RateComparison>")


def test_zero_events_after():
    s = _series(seed=2)
    s.iloc[60:] = 0.0
    r = _compare(s, BEFORE, AFTER)
    assert r.rate_ratio["estimate"] == 0.0
    assert r.rate_ratio["ci_low"] == 0.0 and 0 < r.rate_ratio["ci_high"] < 0.1
    assert r.rate_ratio_nb["estimate"] is None
    assert "no events in the after window" in r.rate_ratio_nb["note"]
    d = r.to_dict()
    json.dumps(d)
    assert d["rate_ratio_negbin"]["estimate"] is None
    assert "not estimated" in r.report()


def test_zero_events_before_and_both():
    s = _series(seed=3)
    s.iloc[:60] = 0.0
    r = _compare(s, BEFORE, AFTER)
    assert math.isinf(r.rate_ratio["estimate"])
    assert r.to_dict()["rate_ratio"]["ci_high"] is None  # inf is not JSON
    json.dumps(r.to_dict())
    assert "infinite" not in r.report() and "none in the" in r.report()  # one wording
    z = pd.Series(0.0, index=s.index)
    r0 = _compare(z, BEFORE, AFTER)
    assert math.isnan(r0.rate_ratio["estimate"]) and r0.rate_ratio_nb["estimate"] is None
    assert "nothing to compare" in r0.report()


def test_windows_as_objects_and_errors():
    s = _series(seed=4)
    r = _compare(
        s,
        SimpleNamespace(start=pd.Timestamp(BEFORE[0]), end=pd.Timestamp(BEFORE[1])),
        SimpleNamespace(start=pd.Timestamp(AFTER[0]), end=pd.Timestamp(AFTER[1])),
        se="model",
    )
    assert r.rate_ratio_nb["se_type"] == "model"
    with pytest.raises(InputError, match="overlap"):
        compare_rates(s, BEFORE, ("2019-07-15", "2019-08-30"))
    with pytest.raises(InputError, match="before it starts"):
        compare_rates(s, ("2019-07-30", "2019-06-01"), AFTER)
    with pytest.raises(InputError, match="no observed"):
        compare_rates(s, BEFORE, ("2020-01-01", "2020-02-01"))
    missing = s.copy()
    missing.iloc[60:] = np.nan
    with pytest.raises(InputError, match="no observed"):
        compare_rates(missing, BEFORE, AFTER)
    with pytest.raises(InputError):
        compare_rates(s, "2019-06-01", AFTER)


def test_end_date_includes_whole_day_with_times():
    idx = pd.date_range("2019-06-01 12:00", periods=20, freq="D")
    s = pd.Series(np.arange(20.0) + 1, index=idx)
    r = _compare(s, ("2019-06-01", "2019-06-10"), ("2019-06-11", "2019-06-20"))
    assert r.before.n_periods == 10 and r.after.n_periods == 10


def test_time_zone_aware_series():
    s = _series(seed=5).tz_localize("Asia/Damascus")
    r = _compare(s, BEFORE, AFTER)
    assert r.before.n_periods == 60 and r.after.n_periods == 60


# --- model="latent_ar_lrv": observed ratio of the period rates, latent-AR long-run variance ------
def _ar_counts(seed: int, n: int = 200, change: int = 100, level: float = 1.0) -> pd.Series:
    """NB counts (size 4) around a latent AR(1) log intensity (rho 0.8, stationary sd 0.5)."""
    rng = np.random.default_rng(seed)
    u = np.empty(n)
    u[0] = rng.normal(0.0, 0.5)
    for t in range(1, n):
        u[t] = 0.8 * u[t - 1] + 0.5 * math.sqrt(1 - 0.64) * rng.standard_normal()
    mean = 4.0 * np.where(np.arange(n) >= change, level, 1.0) * np.exp(u - 0.125)
    y = rng.poisson(rng.gamma(4.0, mean / 4.0))
    return pd.Series(y.astype(float), index=pd.date_range("2021-01-01", periods=n, freq="D"))


def _halves(s: pd.Series, change: int = 100) -> tuple[tuple, tuple]:
    return (s.index[0], s.index[change - 1]), (s.index[change], s.index[-1])


def _se_log(rr: dict, alpha: float = 0.05) -> float:
    return (math.log(rr["ci_high"]) - math.log(rr["ci_low"])) / (2 * stats.norm.ppf(1 - alpha / 2))


def test_lrv_estimate_is_the_observed_ratio_of_period_rates():
    from trends.models.latent_ar import fit_its_latent_ar
    from trends.models.rates import lrv_log_ratio_se

    s = _ar_counts(1, level=0.5)
    s.iloc[[5, 17, 130]] = np.nan
    b, a = _halves(s)
    r = compare_rates(s, b, a, model="latent_ar_lrv")
    nb = r.rate_ratio_nb
    assert nb["se_type"] == "latent_ar_lrv" and nb["note"] is None or "bound" in str(nb["note"])
    observed = r.after.rate / r.before.rate
    assert abs(nb["estimate"] / observed - 1.0) < 1e-8
    glm = compare_rates(s, b, a).rate_ratio_nb
    assert abs(nb["estimate"] / glm["estimate"] - 1.0) < 1e-6  # the NB "after" coefficient
    # the interval is log ratio -/+ t(df) se: the half-width over the se is the t quantile
    q = stats.t.ppf(0.975, nb["df"])
    assert abs(math.log(nb["ci_high"] / nb["estimate"]) - q * nb["se"]) < 1e-9
    assert nb["df"] >= 3.0 and "Satterthwaite" in nb["se_description"]
    # the se is the plugged-in one of the benchmark's route (fit of the whole span)
    fit = fit_its_latent_ar(s, s.index[100], trend=False, slope_change=False, hyper="delta")
    obs = ~np.isnan(s.to_numpy())
    before = (np.arange(s.size) < 100) & obs
    plug = lrv_log_ratio_se(fit, before, ~before & obs, r.before.rate, r.after.rate)
    assert abs(plug - nb["se"]) < 1e-9
    averaged = lrv_log_ratio_se(
        fit, before, ~before & obs, r.before.rate, r.after.rate, average_hyper=True
    )
    assert plug < averaged  # the variant of sessions 6-8 is wider on this persistent series
    # the dependence-aware interval is a candidate for the headline
    assert r.lead_interval().source == "dependence-aware"


def test_lrv_se_exceeds_independent_days_se_on_ar_data_only():
    s = _ar_counts(3)
    b, a = _halves(s)
    lrv = compare_rates(s, b, a, model="latent_ar_lrv").rate_ratio_nb
    iid = compare_rates(s, b, a, se="model").rate_ratio_nb  # NB, independent days
    assert lrv["se"] > 1.3 * _se_log(iid)  # the plugged-in dependence-aware se
    rng = np.random.default_rng(3)
    p = pd.Series(rng.poisson(5.0, 200).astype(float), index=s.index)
    lrv_p = compare_rates(p, b, a, model="latent_ar_lrv", family="poisson").rate_ratio_nb
    iid_p = compare_rates(p, b, a, se="model", family="poisson").rate_ratio_nb
    assert 0.9 < lrv_p["se"] / _se_log(iid_p) < 1.2


def test_lrv_interval_covers_the_period_ratio_over_seeds():
    """60 latent-AR series with a -50% change: coverage of the true ratio of marginal means."""
    hits = 0
    for seed in range(60):
        s = _ar_counts(100 + seed, n=160, change=80, level=0.5)
        nb = compare_rates(s, *_halves(s, 80), model="latent_ar_lrv").rate_ratio_nb
        hits += nb["ci_low"] <= 0.5 <= nb["ci_high"]
    assert hits / 60 >= 0.85


def test_lrv_falls_back_to_the_glm_when_the_latent_fit_fails():
    y = np.zeros(60)
    y[[3, 10, 20]] = 1.0
    y[[40, 50]] = 2.0  # 7 events: below the latent model's minimum
    s = pd.Series(y, index=pd.date_range("2021-01-01", periods=60, freq="D"))
    nb = compare_rates(s, *_halves(s, 30), model="latent_ar_lrv").rate_ratio_nb
    assert nb["estimate"] == pytest.approx((4 / 30) / (3 / 30), rel=1e-6)
    assert "Newey-West GLM interval used" in nb["note"]
    assert nb["se_type"] == "hac"


@pytest.mark.parametrize("kind", ["zeros", "few", "gaps", "short", "weekly"])
def test_lrv_never_raises_on_honest_input(kind):
    rng = np.random.default_rng(7)
    freq, n = ("W-MON", 80) if kind == "weekly" else ("D", 60 if kind == "short" else 150)
    y = rng.poisson(3.0, n).astype(float)
    if kind == "zeros":
        y[:] = 0.0
    elif kind == "few":
        y[:] = 0.0
        y[[2, n - 3]] = 1.0
    elif kind == "gaps":
        y[20:45] = np.nan
    s = pd.Series(y, index=pd.date_range("2021-01-04", periods=n, freq=freq))
    r = compare_rates(s, *_halves(s, n // 2), model="latent_ar_lrv")
    nb = r.rate_ratio_nb
    if r.before.count > 0 and r.after.count > 0:
        assert nb["ci_low"] <= nb["estimate"] <= nb["ci_high"]
    else:
        assert nb["estimate"] is None and nb["note"]
    assert isinstance(r.report(), str)


def test_two_phase_methods_registry():
    from trends.errors import UnknownModelComponentError
    from trends.models.spec import TWO_PHASE_METHODS

    assert {"glm", "latent_ar", "latent_ar_lrv"} <= set(TWO_PHASE_METHODS)
    with pytest.raises(UnknownModelComponentError):
        compare_rates(_ar_counts(1), *_halves(_ar_counts(1)), model="latent_lrv_typo")


@pytest.mark.parametrize(
    "bad, words",
    [(0.5, "whole numbers: 0.5"), (np.inf, "finite: inf"), (-2.0, "non-negative: -2")],
)
def test_counts_that_are_not_counts_are_refused_by_date(bad, words):
    idx = pd.date_range("2024-01-01", periods=60)
    s = pd.Series(np.r_[np.full(30, 4.0), np.full(30, 2.0)], index=idx)
    s.iloc[3] = bad
    with pytest.raises(InputError, match=words + r" on 2024-01-04 \(1 such period"):
        compare_rates(s, ("2024-01-01", "2024-01-30"), ("2024-01-31", "2024-02-29"))


def test_a_count_that_covers_several_days_is_rated_over_those_days():
    """A monitor's report after an 11-day gap: 10 days missing, then one count for all 11."""
    idx = pd.date_range("2024-01-01", periods=80)
    rng = np.random.default_rng(2)
    daily = pd.Series(rng.poisson(np.where(np.arange(80) < 40, 8.0, 3.0)).astype(float), idx)
    lumped = daily.copy()
    lumped.iloc[50:60] = np.nan
    lumped.iloc[60] = daily.iloc[50:61].sum()
    exposure = pd.Series(1, index=idx)
    exposure.iloc[60] = 11
    before, after = ("2024-01-01", "2024-02-09"), ("2024-02-10", "2024-03-20")
    ref = compare_rates(daily, before, after, model="latent_ar_lrv")
    got = compare_rates(lumped, before, after, model="latent_ar_lrv", exposure=exposure)
    assert got.after.count == ref.after.count and got.after.n_periods == 40
    assert got.after.n_missing == 0 and got.after.rate == pytest.approx(ref.after.rate)
    assert got.rate_ratio["estimate"] == pytest.approx(ref.rate_ratio["estimate"])
    assert got.rate_ratio["ci_low"] == pytest.approx(ref.rate_ratio["ci_low"])
    # without the exposure the same counts are rated over 30 days: 11 days' deaths in one
    naive = compare_rates(lumped, before, after, model="latent_ar_lrv")
    assert naive.after.rate > 1.2 * ref.after.rate
    nb, nb_ref = got.rate_ratio_nb, ref.rate_ratio_nb
    assert nb["estimate"] == pytest.approx(nb_ref["estimate"])
    assert 0.5 < (nb["ci_high"] / nb["ci_low"]) / (nb_ref["ci_high"] / nb_ref["ci_low"]) < 2.0
    glm = compare_rates(lumped, before, after, exposure=exposure)  # the GLM: a log offset
    assert glm.rate_ratio_nb["estimate"] == pytest.approx(ref.rate_ratio["estimate"], rel=1e-6)


@pytest.mark.parametrize("se", ["hac", "model", "robust"])
def test_lumped_counts_keep_the_glm_estimate_at_the_observed_ratio(se):
    """Long reports with few deaths among busy single days: negative-binomial weights would pull
    the estimate towards the single days (0.19 against an observed 0.069 on the tallies
    example); the quasi-likelihood fit keeps it at the ratio of the rates, inside its interval."""
    idx = pd.date_range("2024-01-01", periods=150)
    rng = np.random.default_rng(5)
    y = pd.Series(rng.negative_binomial(2, 2 / (2 + np.where(np.arange(150) < 90, 7.0, 2.0))), idx)
    y = y.astype(float)
    exposure = pd.Series(1, index=idx)
    for start, days in ((95, 10), (110, 30)):
        y.iloc[start : start + days - 1] = np.nan
        y.iloc[start + days - 1] = 3.0  # a quiet month reported in one line
        exposure.iloc[start + days - 1] = days
    before, after = ("2024-01-01", "2024-03-30"), ("2024-03-31", "2024-05-29")
    got = compare_rates(y, before, after, se=se, exposure=exposure)
    nb = got.rate_ratio_nb
    observed = got.after.rate / got.before.rate
    assert got.after.n_periods == 60
    assert nb["estimate"] == pytest.approx(observed, rel=1e-6)
    assert nb["ci_low"] < nb["estimate"] < nb["ci_high"]
    assert "quasi-likelihood" in nb["method"] and nb["se_type"] in ("hac", "robust")
    assert got.rate_ratio["estimate"] == pytest.approx(observed, rel=1e-9)
    assert got.after.n_counts == 60 - 38 and got.before.n_counts is None
    assert "60 days covered by 22 reports" in got.report()
    assert "Poisson quasi-likelihood, the days each count covers as offset" in got.report()
    assert got.after.to_dict()["n_counts"] == 22 and "n_counts" not in got.before.to_dict()


def test_a_report_spanning_the_intervention_belongs_to_neither_side():
    """Days 110-129 unreported, one report on day 130 covers 21 days, 10 of them before day 120:
    it is left out of both phases (the after phase never has more days than its window)."""
    from trends.models.rates import counts_across

    idx = pd.date_range("2021-01-01", periods=240)
    rng = np.random.default_rng(23)
    daily = rng.poisson(np.r_[np.full(120, 4.0), np.full(120, 2.0)]).astype(float)
    y = pd.Series(daily, idx)
    y.iloc[110:130] = np.nan
    y.iloc[130] = daily[110:131].sum()
    exposure = pd.Series(1, index=idx)
    exposure.iloc[130] = 21
    before, after = (idx[0], idx[119]), (idx[120], idx[-1])
    with pytest.warns(ModelWarning, match="both sides of a window's limit"):
        got = compare_rates(y, before, after, exposure=exposure)
    assert got.after.n_periods == 120 - 11 and got.after.count == daily[131:].sum()
    assert got.before.n_periods == 110 and got.after.n_periods <= 120
    assert got.after.n_missing == 11 and any("both sides" in w for w in got.warnings)
    across = counts_across(y, exposure, idx[120])
    assert across.sum() == 1 and across[130]
    assert not counts_across(y, exposure, idx[140]).any()  # the report lies wholly before day 140
    assert not counts_across(y, None, idx[120]).any()


def test_text_that_is_not_a_number_is_refused_with_its_row():
    """'n/a' is not read as "not reported" without a word: the error names the date and row."""
    s = _series().astype(object)
    s.iloc[4] = "n/a"
    with pytest.raises(InputError) as err:
        compare_rates(s, BEFORE, AFTER)
    assert err.value.row == 5 and err.value.column == "attacks"
    assert "'n/a'" in str(err.value) and "5 Jun 2019" in str(err.value)
    s.iloc[4] = None  # a missing value is still "not reported"
    assert _compare(s, BEFORE, AFTER).before.n_missing == 1


def test_exposure_that_is_not_a_number_is_refused():
    s = _series()
    exposure = pd.Series(1.0, index=s.index, dtype=object)
    exposure.iloc[2] = "two"
    with pytest.raises(InputError, match="exposure holds 1 value"):
        compare_rates(s, BEFORE, AFTER, exposure=exposure)


@pytest.mark.parametrize("model", ["glm", "latent_ar_lrv"])
def test_no_events_in_either_window_is_undefined_not_infinite(model):
    s = _series() * 0.0
    res = _compare(s, BEFORE, AFTER, model=model)
    text = res.report()
    assert "infinite" not in text
    assert "No attacks in either period" in text and "nothing to compare" in text
    assert "undefined (0 / 0)" in res.rate_ratio_nb["note"]
    assert res.rate_ratio_nb["estimate"] is None


def test_no_events_before_only_is_undefined():
    s = _series()
    s[s.index <= pd.Timestamp(BEFORE[1])] = 0.0
    res = _compare(s, BEFORE, AFTER)
    assert "is undefined and so is its interval" in res.rate_ratio_nb["note"]

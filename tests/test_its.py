"""Tests of the interrupted time series model (trends.models.its.fit_its)."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from trends.errors import InputError, InsufficientDataError, ModelWarning
from trends.models.glm import fit_count_glm
from trends.models.its import ITSResult, first_post_position, fit_its


def _series(
    n=240,
    start="2019-05-01",
    breaks=((120, 0.5),),
    mean=4.0,
    theta=3.0,
    seed=0,
    dow=None,
    name="attacks",
):
    rng = np.random.default_rng(seed)
    idx = pd.date_range(start, periods=n, freq="D")
    mult = np.ones(n)
    for pos, rr in breaks:
        mult[pos:] *= rr
    if dow is not None:
        mult *= np.asarray(dow)[idx.day_of_week]
    mu = mean * mult
    y = rng.negative_binomial(theta, theta / (theta + mu)).astype(float)
    return pd.Series(y, index=idx, name=name)


def _quiet(*args, **kwargs) -> ITSResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return fit_its(*args, **kwargs)


@pytest.fixture(scope="module")
def basic():
    s = _series()
    return s, _quiet(s, s.index[120], n_sim=500)


# ----------------------------------------------------------------------------- design
def test_design_parameterisation_level_at_intervention(basic):
    s, r = basic
    x = r.design
    assert list(x.columns[:4]) == ["intercept", "trend", "level[i1]", "slope[i1]"]
    assert x["trend"].iloc[0] == 1.0
    assert x["level[i1]"].iloc[119] == 0 and x["level[i1]"].iloc[120] == 1
    # ramp: 0 before, 1 in the first post period (as pmax(time - t0, 0) in R)
    assert x["slope[i1]"].iloc[119] == 0
    assert x["slope[i1]"].iloc[120] == 1 and x["slope[i1]"].iloc[125] == 6
    assert r.primary.first_period == s.index[120]
    assert r.family == "negbin" and r.se_type == "hac"


def test_first_post_period_rule():
    idx = pd.date_range("2019-08-01", periods=60, freq="D")
    # time of day is ignored: the intervention day is the first post day
    assert first_post_position(idx, pd.Timestamp("2019-08-31 06:00")) == 30
    assert first_post_position(idx, pd.Timestamp("2019-08-31")) == 30
    s = _series(n=90, start="2019-08-01", breaks=((30, 0.5),))
    r = _quiet(s, "2019-08-31 06:00", n_sim=200)
    assert r.primary.first_period == pd.Timestamp("2019-08-31")
    assert r.primary.start == pd.Timestamp("2019-08-31 06:00")
    # time-zone aware series and intervention: the series' local calendar is used
    local = s.tz_localize("Asia/Damascus")
    r_tz = _quiet(local, pd.Timestamp("2019-08-31 06:00", tz="Asia/Damascus"), n_sim=200)
    assert r_tz.primary.first_period == pd.Timestamp("2019-08-31")
    # monthly: a mid-month date starts the next month; the 1st of the month starts that month
    rng = np.random.default_rng(1)
    m = pd.Series(
        rng.poisson(50, 48).astype(float), index=pd.date_range("2002-01-01", periods=48, freq="MS")
    )
    assert _quiet(m, "2005-01-10", n_sim=200).primary.first_period == pd.Timestamp("2005-02-01")
    assert _quiet(m, "2005-01-01", n_sim=200).primary.first_period == pd.Timestamp("2005-01-01")
    # month-end labels are read as the calendar month
    me = pd.Series(m.to_numpy(), index=pd.date_range("2002-01-31", periods=48, freq="ME"))
    assert _quiet(me, "2005-01-01", n_sim=200).primary.position == 36


def test_recovers_level_change(basic):
    _, r = basic
    lc = r.level_change
    assert lc.ci_low < 0.5 < lc.ci_high
    assert lc.ci_low < lc.estimate < lc.ci_high
    assert 0 <= lc.p_value < 0.01
    assert r.slope_change is not None


def test_matches_direct_glm(basic):
    s, r = basic
    fit = fit_count_glm(s, r.design, "negbin", se="hac")
    np.testing.assert_allclose(r.fit.params, fit.params, rtol=1e-10)
    np.testing.assert_allclose(r.fit.bse, fit.bse, rtol=1e-10)


# ----------------------------------------------------------------------------- outputs
def test_summary_frame_and_counterfactual(basic):
    s, r = basic
    summ = r.summary()
    assert {"estimate", "se", "rate_ratio", "ci_low", "ci_high", "p_value", "se_type"} <= set(
        summ.columns
    )
    assert summ.loc["level[i1]", "rate_ratio"] == pytest.approx(r.level_change.estimate)
    f = r.frame
    assert f.index.equals(s.index)
    assert f["counterfactual"].iloc[:120].isna().all()
    post = f.iloc[120:]
    assert post["counterfactual"].notna().all()
    assert (post["cf_ci_low"] <= post["counterfactual"] * 1.2).all()
    assert (post["cf_pi_low"] <= post["cf_ci_low"] + 1e-9).all()
    assert (post["cf_pi_high"] >= post["cf_ci_high"] - 1e-9).all()
    np.testing.assert_allclose(post["effect"], post["observed"] - post["counterfactual"])
    np.testing.assert_allclose(post["cum_effect"], np.cumsum(post["effect"]))
    ce = r.cumulative_effect
    assert ce["estimate"] == pytest.approx(post["cum_effect"].iloc[-1])
    assert ce["ci_low"] <= ce["estimate"] <= ce["ci_high"]
    assert ce["ci_low_mean"] <= ce["estimate"] <= ce["ci_high_mean"]
    # the prediction interval (count noise added) is wider than the mean-only interval
    assert ce["ci_high"] - ce["ci_low"] > ce["ci_high_mean"] - ce["ci_low_mean"]
    assert ce["observed"] == pytest.approx(s.iloc[120:].sum())
    assert ce["n_periods"] == 120
    # the fitted values without the intervention terms are the counterfactual
    x = r.design.iloc[120:].copy()
    x[["level[i1]", "slope[i1]"]] = 0.0
    np.testing.assert_allclose(post["counterfactual"], r.fit.predict(x), rtol=1e-10)


def test_to_dict_is_json_and_complete(basic):
    _, r = basic
    d = r.to_dict()
    text = json.dumps(d)
    assert "NaN" not in text and "Infinity" not in text
    for key in ("family", "se_type", "level_change_rr", "slope_change_rr", "cumulative_effect"):
        assert key in d
    for key in ("estimate", "ci_low", "ci_high"):
        assert isinstance(d["level_change_rr"][key], float)
        assert isinstance(d["slope_change_rr"][key], float)
        assert isinstance(d["cumulative_effect"][key], float)
    assert len(d["interventions"]) == 1
    assert d["diagnostics"]["ljung_box"]["lag"] == 14
    assert d["diagnostics"]["theta"] == pytest.approx(r.fit.theta)
    assert d["hac"]["prewhite"] is True


def test_report_mentions_the_numbers(basic):
    _, r = basic
    text = r.report()
    lc = r.level_change
    assert "daily rate of attacks" in text
    assert f"{(1 - lc.estimate) * 100:.0f}%" in text
    assert f"{(1 - lc.ci_high) * 100:.0f}%" in text and f"{(1 - lc.ci_low) * 100:.0f}%" in text
    assert f"{lc.estimate:.3f}" in text
    assert "Newey-West" in text
    assert re.search(r"\d+ fewer attacks", text)  # the measure named, not "events"
    assert repr(r).startswith("<ITSResult>")


def test_seed_reproducibility(basic):
    s, r = basic
    again = _quiet(s, s.index[120], n_sim=500)
    pd.testing.assert_frame_equal(r.frame, again.frame)
    other = _quiet(s, s.index[120], n_sim=500, seed=123)
    assert other.level_change == r.level_change
    assert not np.allclose(other.frame["cf_pi_high"].iloc[120:], r.frame["cf_pi_high"].iloc[120:])
    gen = _quiet(s, s.index[120], n_sim=500, seed=np.random.default_rng(0))
    assert gen.settings["seed"] == "generator"


# ----------------------------------------------------------------------------- missing data
def test_nan_days_are_excluded_but_kept_in_outputs():
    s = _series(seed=2)
    s.iloc[[10, 11, 12, 150, 151]] = np.nan
    r = _quiet(s, s.index[120], n_sim=200)
    assert r.diagnostics["n_missing"] == 5
    assert r.diagnostics["n_used"] == len(s) - 5
    assert r.fit.n == len(s) - 5
    assert r.frame["observed"].isna().sum() == 5
    assert not r.frame["used"].iloc[[10, 150]].any()
    assert np.isnan(r.frame["effect"].iloc[150])
    assert np.isfinite(r.frame["counterfactual"].iloc[150])
    assert r.frame["cum_effect"].iloc[151] == pytest.approx(r.frame["cum_effect"].iloc[149])
    assert r.cumulative_effect["n_periods"] == 118
    # same coefficients as a direct fit on the observed days (HAC keeps calendar spacing)
    ok = s.notna().to_numpy()
    fit = fit_count_glm(s[ok], r.design[ok], "negbin", se="hac", time_index=np.flatnonzero(ok))
    np.testing.assert_allclose(r.fit.params, fit.params, rtol=1e-10)
    np.testing.assert_allclose(r.fit.bse, fit.bse, rtol=1e-10)
    assert "5 not reported" in r.report()


# ----------------------------------------------------------------------------- refusals
def test_all_zero_series_is_refused():
    s = pd.Series(0.0, index=pd.date_range("2020-01-01", periods=100))
    with pytest.raises(InsufficientDataError, match="no events"):
        fit_its(s, "2020-02-15")


def test_too_few_events_is_refused():
    s = pd.Series(0.0, index=pd.date_range("2020-01-01", periods=100))
    s.iloc[[3, 40, 70, 90]] = 1.0
    with pytest.raises(InsufficientDataError, match="at least 10"):
        fit_its(s, "2020-02-15")


def test_segment_without_observed_days_is_refused():
    s = _series(seed=3)
    s.iloc[120:] = np.nan
    with pytest.raises(InsufficientDataError, match="no observed periods"):
        fit_its(s, s.index[120])


def test_segment_without_events_is_refused():
    s = _series(seed=3)
    s.iloc[120:] = 0.0
    with pytest.raises(InsufficientDataError, match="no events.*exact interval"):
        fit_its(s, s.index[120])


def test_bad_inputs():
    s = _series(seed=4)
    with pytest.raises(InputError):
        fit_its(s.reset_index(drop=True), 5)
    with pytest.raises(InputError, match="no pre-intervention"):
        fit_its(s, "2018-01-01")
    with pytest.raises(InputError, match="after the last period"):
        fit_its(s, "2030-01-01")
    with pytest.raises(InputError, match="not regular"):
        fit_its(s.drop(s.index[50]), s.index[120])
    neg = s.copy()
    neg.iloc[3] = -1
    with pytest.raises(InputError, match="non-negative"):
        fit_its(neg, s.index[120])
    with pytest.raises(InputError, match="dow"):
        m = pd.Series(
            np.arange(40.0) + 20, index=pd.date_range("2000-01-01", periods=40, freq="MS")
        )
        fit_its(m, "2001-06-01", seasonality="dow")
    with pytest.raises(InputError, match="same period"):
        fit_its(s, [s.index[120], pd.Timestamp(s.index[120]) + pd.Timedelta(hours=5)])


# ----------------------------------------------------------------------------- warnings
def test_poisson_overdispersion_warns():
    s = _series(theta=1.0, seed=5)
    with pytest.warns(ModelWarning, match="Overdispersion"):
        r = fit_its(s, s.index[120], family="poisson", n_sim=200)
    assert any("Overdispersion" in w for w in r.warnings)
    assert "Caution" in r.report()


def test_autocorrelation_with_model_se_warns():
    rng = np.random.default_rng(6)
    n = 300
    a = np.zeros(n)
    for i in range(1, n):
        a[i] = 0.8 * a[i - 1] + rng.normal(0, 0.3)
    mu = 5 * np.exp(a) * np.where(np.arange(n) >= 150, 0.6, 1.0)
    s = pd.Series(rng.poisson(mu).astype(float), index=pd.date_range("2020-01-01", periods=n))
    with pytest.warns(ModelWarning, match="autocorrelation"):
        fit_its(s, s.index[150], se="model", n_sim=200)


def test_small_counts_warn():
    rng = np.random.default_rng(7)
    s = pd.Series(
        rng.poisson(0.15, 120).astype(float), index=pd.date_range("2020-01-01", periods=120)
    )
    s.iloc[[5, 70]] = 1.0
    with pytest.warns(ModelWarning, match="Small counts"):
        fit_its(s, s.index[60], n_sim=200)


# ----------------------------------------------------------------------------- options
def test_multiple_interventions():
    s = _series(n=300, breaks=((100, 0.5), (200, 1.8)), mean=6.0, theta=5.0, seed=8)
    events = [
        SimpleNamespace(start=s.index[200], id="talks", name="the talks"),
        SimpleNamespace(
            start=s.index[100] + pd.Timedelta(hours=6), id="ceasefire", name="the ceasefire"
        ),
    ]
    r = _quiet(s, events, n_sim=300)
    assert [e.id for e in r.effects] == ["ceasefire", "talks"]  # sorted by time
    assert r.primary.id == "talks"
    first, second = r.effects
    assert first.level_change.ci_low < 0.5 < first.level_change.ci_high
    assert second.level_change.ci_low < 1.8 < second.level_change.ci_high
    assert "level[ceasefire]" in r.summary().index and "slope[talks]" in r.summary().index
    # counterfactual only for the last intervention; the earlier one stays in effect
    assert r.frame["counterfactual"].iloc[:200].isna().all()
    x = r.design.iloc[200:].copy()
    x[["level[talks]", "slope[talks]"]] = 0.0
    np.testing.assert_allclose(r.frame["counterfactual"].iloc[200:], r.fit.predict(x))
    d = r.to_dict()
    assert len(d["interventions"]) == 2
    assert d["level_change_rr"]["estimate"] == pytest.approx(second.level_change.estimate)
    json.dumps(d)
    text = r.report()
    assert "the ceasefire" in text and "the talks" in text


def test_transition_exclude_and_separate():
    s = _series(seed=9)
    ex = _quiet(s, s.index[120], transition=(2, 5), n_sim=200)
    win = np.zeros(len(s), dtype=bool)
    win[118:125] = True
    np.testing.assert_array_equal(ex.frame["transition"].to_numpy(), win)
    assert not ex.frame["used"][win].any()
    assert ex.fit.n == len(s) - 7
    assert ex.diagnostics["n_transition_excluded"] == 7
    # transition days after the intervention still count in the cumulative effect
    assert ex.cumulative_effect["n_periods"] == 120
    sep = _quiet(s, s.index[120], transition=(2, 5), transition_mode="separate", n_sim=200)
    assert "transition[i1]" in sep.summary().index
    assert sep.fit.n == len(s)
    np.testing.assert_array_equal(sep.design["transition[i1]"].to_numpy(), win.astype(float))
    # int means (0, after)
    only_after = _quiet(s, s.index[120], transition=3, n_sim=200)
    assert only_after.frame["transition"].to_numpy().nonzero()[0].tolist() == [120, 121, 122]
    with pytest.raises(InputError):
        fit_its(s, s.index[120], transition=(-1, 2))


def test_day_of_week_seasonality():
    dow = np.array([1.0, 1.0, 1.0, 1.0, 1.6, 0.5, 0.5])
    s = _series(n=364, breaks=((182, 0.5),), dow=dow, mean=5.0, theta=8.0, seed=11)
    r = _quiet(s, s.index[182], seasonality="dow", n_sim=200)
    summ = r.summary()
    assert [f"dow[{d}]" for d in ["Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]] == [
        t for t in summ.index if t.startswith("dow")
    ]
    assert 1.35 < summ.loc["dow[Fri]", "rate_ratio"] < 1.9
    assert 0.4 < summ.loc["dow[Sat]", "rate_ratio"] < 0.62
    assert summ.loc["dow[Tue]", "ci_low"] < 1.0 < summ.loc["dow[Tue]", "ci_high"]
    assert r.level_change.ci_low < 0.5 < r.level_change.ci_high


def test_fourier_covariates_exposure_and_weekly():
    rng = np.random.default_rng(11)
    n = 156
    idx = pd.date_range("2018-01-07", periods=n, freq="W")
    expo = pd.Series(rng.uniform(0.8, 1.2, n), index=idx)
    cov = pd.DataFrame({"rain": rng.normal(size=n)}, index=idx)
    t = np.arange(1, n + 1)
    mu = expo * np.exp(3 + 0.3 * np.sin(2 * np.pi * t / 52) + 0.2 * cov["rain"])
    mu = mu * np.where(t > 100, 0.7, 1.0)
    y = pd.Series(rng.poisson(mu).astype(float), index=idx)
    r = _quiet(
        y, idx[100], fourier=[(52, 1)], covariates=cov, exposure=expo, family="poisson", n_sim=200
    )
    summ = r.summary()
    assert "sin[52,1]" in summ.index and "rain" in summ.index
    assert summ.loc["rain", "ci_low"] < math.exp(0.2) < summ.loc["rain", "ci_high"]
    assert r.level_change.ci_low < 0.7 < r.level_change.ci_high
    assert "weekly rate" in r.report()
    assert r.settings["offset"] == "exposure"


def test_quasipoisson_and_model_se():
    s = _series(seed=12, theta=4.0)
    r = _quiet(s, s.index[120], family="quasipoisson", se="model", n_sim=300)
    assert r.fit.scale > 1.0
    assert r.se_type == "model"
    assert np.isfinite(r.cumulative_effect["ci_low"])


def test_fixed_hac_lag_and_no_slope():
    s = _series(seed=13)
    r = _quiet(s, s.index[120], hac_lags=7, slope_change=False, trend=False, n_sim=200)
    assert r.fit.hac.lags == 7 and not r.fit.hac.prewhite
    assert r.slope_change is None
    assert r.to_dict()["slope_change_rr"] is None
    assert list(r.design.columns) == ["intercept", "level[i1]"]


def test_plot_delegates_to_plots_module(basic):
    _, r = basic
    if importlib.util.find_spec("trends.plots.its") is None:
        with pytest.raises(ImportError):
            r.plot()
    else:  # pragma: no cover - once trends.plots.its exists
        import matplotlib.pyplot as plt

        out = r.plot()
        assert out is not None
        plt.close("all")


def test_missing_covariate_periods_are_skipped():
    rng = np.random.default_rng(14)
    n = 200
    idx = pd.date_range("2020-01-01", periods=n)
    y = pd.Series(rng.poisson(np.where(np.arange(n) >= 100, 2, 4)).astype(float), index=idx)
    cov = pd.DataFrame({"z": rng.normal(size=n)}, index=idx)
    cov.iloc[[5, 150, 151], 0] = np.nan
    r = _quiet(y, idx[100], covariates=cov, n_sim=200)
    assert r.diagnostics["n_used"] == n - 3
    f = r.frame
    assert f["counterfactual"].iloc[[150, 151]].isna().all()
    assert f["cum_effect"].iloc[151] == pytest.approx(f["cum_effect"].iloc[149])
    assert r.cumulative_effect["n_periods"] == 98
    json.dumps(r.to_dict())


def test_ljung_box_is_statsmodels_exactly():
    from statsmodels.stats.diagnostic import acorr_ljungbox

    from trends.models.diagnostics import ljung_box

    rng = np.random.default_rng(4)
    for n, lag in ((30, 1), (245, 14), (1000, 8)):
        x = rng.standard_normal(n) + 0.4 * np.r_[0.0, rng.standard_normal(n - 1)]
        ref = acorr_ljungbox(x, lags=[lag], return_df=True)
        got = ljung_box(x, lag)
        assert got["statistic"] == float(ref["lb_stat"].iloc[0])
        assert got["p_value"] == float(ref["lb_pvalue"].iloc[0])
    assert np.isnan(ljung_box(np.ones(5), 4)["p_value"])


def test_report_of_a_monthly_series_ends_on_the_last_day_of_its_last_month():
    idx = pd.date_range("2019-01-01", periods=36, freq="MS")
    rng = np.random.default_rng(4)
    y = pd.Series(rng.poisson(np.where(np.arange(36) < 20, 60, 30)).astype(float), index=idx)
    text = fit_its(y.rename("killed"), idx[20]).report()
    assert "to 31 Dec 2021" in text and "to 1 Dec 2021" not in text
    assert " killed were recorded against " in text and " events " not in text


def test_a_projection_too_uncertain_to_bound_the_cumulative_effect_is_flagged_and_not_quoted():
    # 60 very overdispersed days each side (NB size 0.3): the pre-period trend is barely known,
    # and its extrapolation's prediction interval reaches far beyond anything recorded.
    import warnings

    from trends.errors import ModelWarning
    from trends.models.its import PROJECTION_SPREAD
    from trends.verdicts.adapter import _its

    idx = pd.date_range("2023-11-13", periods=120)
    rng = np.random.default_rng(3)
    y = rng.negative_binomial(0.3, 0.3 / 3.3, size=120).astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ModelWarning)
        r = fit_its(pd.Series(y, index=idx), "2024-01-12", inference="latent_ar")
    ce = r.cumulative_effect
    assert ce["expected_pi_high"] > PROJECTION_SPREAD * max(ce["observed"], ce["expected"])
    assert ce["projection_uninformative"] is True
    assert any("too uncertain to bound the cumulative effect" in str(w.message) for w in caught)
    # the warning names the recorded total, never the (possibly astronomical) expected one
    times = ce["expected_pi_high"] / ce["observed"]
    said = (
        "reaches more than 1,000 times" if times >= 1000 else f"reaches {times:.0f} times"
    ) + f" the {ce['observed']:,.0f} recorded"
    assert any(said in str(w.message) for w in caught), said
    assert not any(f"{ce['expected']:,.0f} expected" in str(w.message) for w in caught)
    text = r.report()
    assert "too uncertain to give a counterfactual total" in text
    assert "barely known" in text and "how many fewer or more" in text
    # neither the expected total nor its interval is printed as a number
    for key in ("expected", "expected_pi_high"):
        assert ce[key] > 100 and f"{ce[key]:,.0f}" not in text, key
    assert " expected had " not in text
    assert "cumulative" not in _its(r)  # no evidence for the bottom line either way
    # an ordinary series keeps its cumulative difference
    y2 = np.random.default_rng(1).poisson(5, 240).astype(float)
    r2 = fit_its(pd.Series(y2, index=pd.date_range("2023-01-01", periods=240)), "2023-05-01",
                 inference="latent_ar")  # fmt: skip
    assert r2.cumulative_effect["projection_uninformative"] is False
    assert "prediction interval" in r2.report()

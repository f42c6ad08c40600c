"""The pre-period trend check (trends.models.pretrend): verdicts, edge cases, outputs."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from trends.errors import ConvergenceError, InputError
from trends.models import pretrend
from trends.models.its import fit_its
from trends.models.pretrend import (
    MIN_PRE_PERIODS,
    PRETREND_LEVEL,
    PreTrendCheck,
    check_pre_trend,
    pretrend_degree,
)
from trends.verdicts.words import fmt_ratio

DAY0 = pd.Timestamp("2021-03-01")


def _series(log_mean: np.ndarray, seed: int, size: float = 5.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    mu = np.exp(log_mean)
    y = rng.poisson(rng.gamma(size, mu / size))
    return pd.Series(y.astype(float), index=pd.date_range(DAY0, periods=log_mean.size))


def _line(n: int = 160, c: int = 90, drop: float = math.log(0.6), seed: int = 0) -> pd.Series:
    t = np.arange(n)
    return _series(math.log(6.0) + 0.002 * t + drop * (t >= c), seed)


def _wave(n: int = 200, c: int = 120, amp: float = 1.0, seed: int = 0) -> pd.Series:
    """A strong bump in the pre-period, then a drop to 0.5 at ``c``."""
    t = np.arange(n)
    return _series(math.log(8.0) + amp * np.sin(np.pi * t / c) + math.log(0.5) * (t >= c), seed)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_degree_rule():
    assert pretrend_degree(MIN_PRE_PERIODS - 1) == 0
    assert pretrend_degree(MIN_PRE_PERIODS) == 2
    assert pretrend_degree(pretrend.CUBIC_MIN_PERIODS) == 3
    assert pretrend_degree(pretrend.CUBIC_MIN_PERIODS, trend=False) == 2


def test_straight_line_mostly_not_flagged():
    flags, ps = 0, []
    for seed in range(6):
        y = _line(seed=seed)
        r = check_pre_trend(y, y.index[90])  # default: tested with the latent-AR fit
        assert r.tested and r.degree == 3 and r.df == 2 and r.inference == "latent_ar"
        flags += r.flagged
        ps.append(r.p_value)
    # nominal 10%: 0.6 of 6 expected; 3 or more has probability about 0.016 under that size
    assert flags <= 2
    assert np.median(ps) > 0.2


def test_strong_wave_flagged():
    hits = {"glm": 0, "latent_ar": 0}
    closer = 0
    for seed in range(3):
        y = _wave(seed=seed)
        for engine in hits:
            r = check_pre_trend(y, y.index[120], inference="glm", test_inference=engine)
            assert r.tested and r.inference == engine
            hits[engine] += r.flagged and r.p_value < 0.01
            if engine == "glm":
                lin, cur = r.level_change_linear, r.level_change_curved
                closer += abs(math.log(cur.estimate / 0.5)) < abs(math.log(lin.estimate / 0.5))
    assert hits["glm"] == 3
    # the latent AR(1) can absorb part of a smooth bump (AR coefficient near 1): less power
    assert hits["latent_ar"] >= 2
    # the curved fit's level change is nearer the true 0.5 than the straight line's
    assert closer >= 2


def test_latent_short_series_uses_f_reference():
    rng = np.random.default_rng(11)
    u = np.zeros(150)
    for t in range(1, 150):  # latent AR(1) noise: the hyperparameter correction applies
        u[t] = 0.7 * u[t - 1] + 0.3 * rng.standard_normal()
    y = _series(math.log(5.0) + u, seed=12)
    r = check_pre_trend(y, y.index[80], inference="latent_ar")
    assert r.tested
    assert r.reference == "F" and r.df_denom is not None and r.df_denom >= 1
    assert "latent AR(1)" in r.method


def test_short_pre_period_not_tested():
    y = _line(n=60, c=MIN_PRE_PERIODS - 2, drop=0.0)
    r = check_pre_trend(y, y.index[MIN_PRE_PERIODS - 2], inference="glm")
    assert not r.tested and r.well_described is None and not r.flagged
    assert f"only {MIN_PRE_PERIODS - 2} observed days" in r.reason
    assert "not tested" in r.report()
    assert math.isnan(r.p_value)
    assert r.summary().empty


def test_all_zero_pre_period_not_tested():
    y = _line(n=120, c=60, drop=0.0)
    y.iloc[:60] = 0.0
    r = check_pre_trend(y, y.index[60], inference="glm")
    assert not r.tested
    assert "only 0 events" in r.reason


def test_missing_pre_days_are_not_counted():
    y = _line(n=120, c=60, drop=0.0)
    y.iloc[5:55] = np.nan  # 10 observed pre days remain
    r = check_pre_trend(y, y.index[60], inference="glm")
    assert not r.tested and r.n_pre == 10


def test_failed_fit_gives_untested_result(monkeypatch):
    def boom(*args, **kwargs):
        raise ConvergenceError("did not converge")

    y = _line()
    monkeypatch.setattr(pretrend, "fit_its_model", boom)
    r = check_pre_trend(y, y.index[90], inference="glm")
    assert not r.tested and "could not be fitted" in r.reason


def test_outputs_json_and_wording_by_outcome():
    y_line = _line(seed=4)
    passed = check_pre_trend(y_line, y_line.index[90])
    y_wave = _wave(seed=1)
    flagged = check_pre_trend(y_wave, y_wave.index[120])
    untested = check_pre_trend(y_line, y_line.index[5])
    assert passed.well_described and flagged.flagged and not untested.tested
    for r in (passed, flagged, untested):
        d = r.to_dict()
        json.dumps(d, allow_nan=False)
        assert d["tested"] == r.tested and d["headline"] == r.headline()
        g = r.glance()
        assert len(g) == 1 and bool(g["tested"].iloc[0]) == r.tested
        assert isinstance(r, PreTrendCheck)
    assert passed.report().startswith("No evidence that the straight-line trend")
    assert "limited power" in passed.report()
    assert "not well described by a straight-line trend" in flagged.report()
    assert "depends on that trend" in flagged.report()
    assert "rate ratio" in flagged.report()
    assert "not tested" in untested.report()
    assert len({passed.report()[:40], flagged.report()[:40], untested.report()[:40]}) == 3
    assert list(flagged.summary().index) == ["pretrend[2]", "pretrend[3]"]
    assert flagged.to_dict()["level"] == PRETREND_LEVEL


def test_baseline_and_spec_give_the_same_test():
    y = _wave(amp=0.3, seed=2)
    day = y.index[120]
    base = fit_its(y, day, intervals="analytic", se="hac")
    a = check_pre_trend(y, day, inference="glm", test_inference="spec")
    b = check_pre_trend(y, baseline=base, test_inference="spec")
    c = check_pre_trend(y, spec=base.spec, test_inference="spec")
    assert a.inference == b.inference == c.inference == "glm"
    assert a.p_value == pytest.approx(b.p_value) == pytest.approx(c.p_value)
    assert b.level_change_linear.estimate == pytest.approx(base.level_change.estimate)
    assert a.level_change_linear.estimate == pytest.approx(base.level_change.estimate)
    # by default the test uses the latent-AR fit, and both level changes come from it
    d = check_pre_trend(y, baseline=base)
    assert d.inference == "latent_ar"
    assert d.level_change_linear.estimate != pytest.approx(base.level_change.estimate)


def test_bad_arguments():
    y = _line()
    with pytest.raises(InputError):
        check_pre_trend(y, y.index[90], level=1.5)
    base = fit_its(y, y.index[90], intervals="analytic")
    with pytest.raises(InputError):
        check_pre_trend(y, spec=base.spec, family="poisson")
    with pytest.raises(InputError):
        check_pre_trend(y, y.index[90], degree=1)


def test_auto_inference_and_short_weekly_series():
    y = _line(n=130, c=70)
    r = check_pre_trend(y, y.index[70], inference="auto")
    assert r.inference == "latent_ar"
    weekly = _line(n=196, c=120).resample("W-MON", label="left", closed="left").sum()
    assert len(weekly) < 30  # too short for the latent AR(1): the spec's own GLM is used
    refused = check_pre_trend(weekly, weekly.index[16], inference="auto")
    assert not refused.tested and "latent AR(1) model" in refused.reason
    w = check_pre_trend(weekly, weekly.index[16], inference="glm", test_inference="spec")
    assert w.inference == "glm" and w.unit == "week" and w.tested and w.degree == 2
    assert "weeks before" in w.report() and "Newey-West (HAC) covariance" in w.method
    assert "flag too often" in w.method
    with pytest.raises(InputError):
        check_pre_trend(y, y.index[70], test_inference="bogus")


def test_a_main_fit_of_another_model_is_quoted_beside_the_tests_own_pair():
    # the sweep's c1_drop: the main fit (Newey-West GLM, under 120 days) said 0.489 (0.229 to
    # 1.04), the curvature paragraph "0.496 (0.162 to 1.512) with the straight line" from the
    # latent-AR fit the test uses, unnamed: two straight-line level changes for one outcome
    y = _wave(seed=0)
    day = y.index[120]
    base = fit_its(y, day, inference="glm", se="hac")
    r = check_pre_trend(y, baseline=base)
    assert r.inference == "latent_ar" and r.flagged
    main = r.level_change_main
    assert main is not None and main.estimate == pytest.approx(base.level_change.estimate)
    assert r.to_dict()["level_change_main"]["estimate"] == pytest.approx(main.estimate)
    text = r.report()
    assert "In the latent AR(1) model that this test uses" in text
    lin, cur = r.level_change_linear, r.level_change_curved
    for rr in (lin, cur, main):  # every ratio in the package's format
        assert f"{fmt_ratio(rr.estimate)} (95% CI {fmt_ratio(rr.ci_low)} to " in text
    assert "(the main fit above, the count GLM, gives" in text
    # the test extends the analysis's own model: nothing else to quote
    own = check_pre_trend(y, baseline=fit_its(y, day, inference="latent_ar"))
    assert own.level_change_main is None and "main fit above" not in own.report()

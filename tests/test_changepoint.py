"""Unit and property tests of :mod:`trends.models.changepoint` and its search core."""

from __future__ import annotations

import functools
import itertools
import json
import math
import sys
import types
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from trends.errors import (
    EventError,
    InputError,
    InsufficientDataError,
    ModelError,
    ModelWarning,
)
from trends.models._segmentation import (
    GaussianCost,
    NegBinCost,
    PoissonCost,
    argmax_cdf,
    argmax_quantiles,
    hpd_mask,
    segment_dp,
    segment_pelt,
)
from trends.models.changepoint import (
    ChangePointResult,
    ReferenceComparison,
)
from trends.models.changepoint import detect_changepoints as _detect_changepoints
from trends.results import Result

# These tests exercise the Poisson model (exact Gamma-Poisson posterior); the package default is
# the negative binomial, tested in test_default_model_is_negative_binomial. An explicit model=
# in a call still wins.
detect_changepoints = functools.partial(_detect_changepoints, model="poisson")


def test_default_model_is_negative_binomial():
    rng = np.random.default_rng(5)
    s = pd.Series(
        np.r_[rng.negative_binomial(2, 2 / 6, 150), rng.negative_binomial(2, 2 / 3, 150)].astype(
            float
        ),
        index=pd.date_range("2019-05-01", periods=300, freq="D"),
    )
    res = _detect_changepoints(s)
    assert res.model == "negbin"
    assert res.n_changes == 1


def daily(values, start="2019-06-01", name="deaths") -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.date_range(start, periods=values.size, freq="D"), name=name)


def step_series(before=8.0, after=2.0, n_before=60, n_after=60, seed=2, start="2019-06-01"):
    rng = np.random.default_rng(seed)
    y = np.r_[rng.poisson(before, n_before), rng.poisson(after, n_after)]
    return daily(y, start=start)


# ------------------------------------------------------------------------------------------
# Segment costs are negative maximised log-likelihoods
# ------------------------------------------------------------------------------------------
def test_costs_are_negative_max_loglik():
    rng = np.random.default_rng(0)
    y = rng.poisson(3.0, 30).astype(float)
    edges = [0, 11, 30]
    theta = 2.7
    pois, nb, gau = PoissonCost(y), NegBinCost(y, theta), GaussianCost(y + 100.0)
    ll_p = ll_nb = rss = 0.0
    for a, b in itertools.pairwise(edges):
        seg = y[a:b]
        mu = seg.mean()
        ll_p += stats.poisson.logpmf(seg, mu).sum()
        ll_nb += stats.nbinom.logpmf(seg, theta, theta / (theta + mu)).sum()
        rss += ((seg - mu) ** 2).sum()
    e0, e1 = np.array(edges[:-1]), np.array(edges[1:])
    assert pois.constant - pois(e0, e1).sum() == pytest.approx(ll_p, rel=1e-12)
    assert nb.constant - nb(e0, e1).sum() == pytest.approx(ll_nb, rel=1e-12)
    assert gau(e0, e1).sum() == pytest.approx(rss, rel=1e-10)


# ------------------------------------------------------------------------------------------
# Exactness of the searches
# ------------------------------------------------------------------------------------------
def brute_force(cost, n: int, k: int, h: int) -> float:
    best = math.inf
    for b in itertools.combinations(range(1, n), k):
        e = (0, *b, n)
        if min(np.diff(e)) < h:
            continue
        best = min(best, float(sum(cost(e[i], e[i + 1]) for i in range(len(e) - 1))))
    return best


small_counts = st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=11)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(y=small_counts, h=st.integers(1, 3), model=st.sampled_from(["poisson", "negbin", "gauss"]))
def test_dp_equals_brute_force(y, h, model):
    y = np.asarray(y, dtype=float)
    n = y.size
    cost = {
        "poisson": lambda: PoissonCost(y),
        "negbin": lambda: NegBinCost(y, 1.7),
        "gauss": lambda: GaussianCost(y),
    }[model]()
    seg = segment_dp(cost, 4, h)
    for k, c in enumerate(seg.costs):
        expected = brute_force(cost, n, k, h)
        if math.isinf(expected):
            assert math.isinf(c)
            continue
        assert c == pytest.approx(expected, rel=1e-9, abs=1e-9)
        b = seg.breaks[k]
        e = np.r_[0, b, n]
        assert np.all(np.diff(e) >= h)
        assert cost(e[:-1], e[1:]).sum() == pytest.approx(c, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    y=st.lists(st.integers(min_value=0, max_value=9), min_size=2, max_size=30),
    h=st.integers(1, 4),
    theta=st.floats(min_value=1e-2, max_value=1e6),
)
def test_fast_cost_paths_match_the_plain_cost(y, h, theta):
    """The DP block, PELT's ``to_end`` and ``with_theta`` give the plain costs (zeros included)."""
    from scipy.special import xlog1py

    y = np.asarray(y, dtype=float)
    n = y.size
    base = NegBinCost(y, 1.3)
    base.block(np.arange(n + 1), np.arange(n + 1), h)  # fill the theta-free cache
    nb = base.with_theta(theta)
    fresh = NegBinCost(y, theta)
    assert nb.constant == fresh.constant
    starts, ends = np.arange(n + 1), np.arange(n + 1)
    ii, jj = np.meshgrid(starts, ends)
    ok = (jj - ii) >= h
    for cost in (nb, fresh, PoissonCost(y)):
        blk = cost.block(starts, ends, h)
        assert np.all(np.isinf(blk[~ok]))
        np.testing.assert_array_equal(blk[ok], cost(ii[ok], jj[ok]))
        for t in range(h, n + 1):
            cand = np.arange(0, t - h + 1)
            np.testing.assert_array_equal(cost.to_end(cand, t), cost(cand, t))
    # the NB cost is the textbook form (xlog1py) to rounding
    i, j = ii[ok], jj[ok]
    k, s = nb.sums(i, j)
    with np.errstate(divide="ignore", invalid="ignore"):
        ref = k * theta * np.log1p(s / k / theta) + xlog1py(s, theta / (s / k))
    np.testing.assert_allclose(nb(i, j), ref, rtol=1e-13, atol=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    y=st.lists(st.integers(min_value=0, max_value=15), min_size=4, max_size=40),
    h=st.integers(1, 4),
    penalty=st.floats(min_value=0.0, max_value=8.0),
    model=st.sampled_from(["poisson", "negbin", "gauss"]),
)
def test_pelt_equals_dp_for_the_same_penalty(y, h, penalty, model):
    y = np.asarray(y, dtype=float)
    n = y.size
    if n < h:
        return
    cost = {
        "poisson": lambda: PoissonCost(y),
        "negbin": lambda: NegBinCost(y, 3.0),
        "gauss": lambda: GaussianCost(y),
    }[model]()
    full = segment_dp(cost, n, h)
    penalised = [c + penalty * k for k, c in enumerate(full.costs)]
    pelt = segment_pelt(cost, penalty, h)
    m = max(pelt.breaks)
    assert pelt.costs[m] + penalty * m == pytest.approx(min(penalised), rel=1e-9, abs=1e-9)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    y=st.lists(st.integers(min_value=0, max_value=15), min_size=4, max_size=60),
    h=st.integers(1, 4),
    penalty=st.floats(min_value=0.0, max_value=6.0),
    limit=st.integers(0, 4),
    model=st.sampled_from(["poisson", "negbin"]),
)
def test_pelt_stops_early_only_when_the_optimum_has_too_many_changes(y, h, penalty, limit, model):
    y = np.asarray(y, dtype=float)
    if y.size < h:
        return
    cost = PoissonCost(y) if model == "poisson" else NegBinCost(y, 3.0)
    full = segment_pelt(cost, penalty, h)
    early = segment_pelt(cost, penalty, h, max_changes=limit)
    if max(full.breaks) <= limit:  # a stop would lose the optimum: never
        assert early is not None
    if early is None:  # stopped early: only when the optimum has too many changes
        assert max(full.breaks) > limit
    else:  # the full pass, identical
        assert early.breaks.keys() == full.breaks.keys()
        for k, bk in full.breaks.items():
            np.testing.assert_array_equal(early.breaks[k], bk)
        np.testing.assert_array_equal(early.costs, full.costs)


def test_pelt_stops_early_when_many_changes_are_certain():
    cost = PoissonCost(np.array(([0.0] * 10 + [20.0] * 10) * 4))
    assert max(segment_pelt(cost, 1.0, 2).breaks) == 7
    assert segment_pelt(cost, 1.0, 2, max_changes=2) is None
    assert max(segment_pelt(cost, 1.0, 2, max_changes=7).breaks) == 7


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    y=st.lists(st.integers(min_value=0, max_value=20), min_size=30, max_size=60),
    model=st.sampled_from(["poisson", "negbin"]),
)
def test_public_pelt_and_dp_agree_on_the_criterion(y, model):
    s = daily(y)
    if s.sum() == 0:
        return
    kw = {"model": model, "min_size": 3, "max_changes": 30, "criterion": 6.0}
    a = detect_changepoints(s, method="dp", **kw)
    b = detect_changepoints(s, method="pelt", **kw)
    ca = a.criterion_table.loc[a.criterion_table["selected"], "criterion"].iloc[0]
    cb = b.criterion_table.loc[b.criterion_table["selected"], "criterion"].iloc[0]
    if model == "poisson":
        assert ca == pytest.approx(cb, rel=1e-9)
    else:  # theta is estimated along each search: same optimum when it converged to the same
        if a.dispersion == pytest.approx(b.dispersion, rel=1e-6):
            assert ca == pytest.approx(cb, rel=1e-6)


# ------------------------------------------------------------------------------------------
# Poisson posterior over dates
# ------------------------------------------------------------------------------------------
def test_poisson_posterior_is_exact_gamma_poisson():
    """Posterior over dates equals direct numerical integration of the Gamma-Poisson model."""
    s = step_series(6.0, 2.0, 15, 15, seed=4)
    res = detect_changepoints(s, n_changes=1, min_size=5)
    post = res.posteriors[0]
    assert post.sum() == pytest.approx(1.0, abs=1e-12)
    y = s.to_numpy()
    a0 = y.mean()
    assert res.prior == {"shape": pytest.approx(a0), "rate": 1.0}

    def marginal(seg):  # int prod Poisson(y | lam) Gamma(lam; a0, rate 1) dlam, without 1/y!
        f = lambda lam: np.exp(  # noqa: E731
            seg.sum() * np.log(lam) - seg.size * lam + stats.gamma.logpdf(lam, a0)
        )
        return integrate.quad(f, 0, 60, limit=200, epsabs=0, epsrel=1e-11)[0]

    taus = np.arange(5, 26)
    w = np.array([marginal(y[:t]) * marginal(y[t:]) for t in taus])
    np.testing.assert_allclose(post.to_numpy(), w / w.sum(), rtol=1e-6, atol=1e-12)
    assert list(post.index) == list(s.index[taus])


def test_hpd_set_contains_the_map_and_reaches_the_level():
    res = detect_changepoints(step_series(5.0, 2.0, 50, 50, seed=7), n_changes=1)
    post = res.posteriors[0]
    cs = res.confidence_sets[0]
    assert post.idxmax() in set(cs)
    mass = post[cs].sum()
    assert mass >= 0.95 - 1e-12
    # minimal: dropping the least probable member falls below the level
    assert mass - post[cs].min() < 0.95
    row = res.breaks.iloc[0]
    assert row["ci_low"] == min(cs) and row["ci_high"] == max(cs)
    assert row["posterior_mode"] == post.idxmax()


def test_hpd_mask_basic():
    p = np.array([0.05, 0.5, 0.3, 0.15])
    assert hpd_mask(p, 0.8).tolist() == [False, True, True, False]
    assert hpd_mask(p, 0.81).tolist() == [False, True, True, True]


# ------------------------------------------------------------------------------------------
# Comparison with a reference event
# ------------------------------------------------------------------------------------------
def test_reference_comparison_signed_offsets():
    s = step_series(20.0, 2.0, 40, 40, seed=2)  # new rate from day 40 = 2019-07-11
    change = s.index[40]
    assert change == pd.Timestamp("2019-07-11")
    res = detect_changepoints(s, reference=change - pd.Timedelta(days=3))
    assert res.breaks["date"].iloc[0] == change
    c = res.comparison
    assert isinstance(c, ReferenceComparison)
    assert c.offset_periods == 3 and c.offset_days == 3
    assert c.relation() == "3 days after"
    assert not c.in_set
    assert c.prob_at_or_before == pytest.approx(0.0, abs=1e-6)
    assert c.prob_after == pytest.approx(1.0, abs=1e-6)

    after = res.compare("2019-07-13")
    assert after.offset_periods == -2
    assert after.relation() == "2 days before"
    assert after.prob_at_or_before == pytest.approx(1.0, abs=1e-6)

    same = res.compare(change)
    assert same.offset_periods == 0
    assert same.in_set
    assert same.prob_at == pytest.approx(res.posteriors[0][change], abs=1e-12)
    assert same.prob_at_or_before + same.prob_after == pytest.approx(1.0)


def test_reference_event_object_and_report():
    s = step_series(4.1, 0.9, 92, 92, seed=11, start="2019-06-01")
    event = SimpleNamespace(start=pd.Timestamp("2019-08-31"), name="the announced ceasefire")
    res = detect_changepoints(s, reference=event)
    c = res.comparison
    assert c.reference_name == "the announced ceasefire"
    date = res.breaks["date"].iloc[c.break_number - 1]
    assert c.offset_periods == (date - pd.Timestamp("2019-08-31")).days == c.offset_days
    text = res.report()
    assert "the announced ceasefire" in text
    assert "date set" in text and "95% set" not in text  # sets are not calibrated (issue 12)
    assert "fell from" in text
    d = res.to_dict()
    json.dumps(d)
    assert d["comparison"]["reference"] == "2019-08-31"
    assert d["changepoint"]["date"] == str(date.date())


def test_reference_nearest_break_becomes_primary():
    rng = np.random.default_rng(5)
    y = np.r_[rng.poisson(10, 50), rng.poisson(3, 50), rng.poisson(12, 50)]
    s = daily(y)
    res = detect_changepoints(s, reference=s.index[100])
    assert res.n_changes == 2
    assert res.primary == 1
    assert res.comparison.break_number == 2
    assert res.to_dict()["changepoint"]["date"] == str(res.breaks["date"].iloc[1].date())


def test_compare_without_changes():
    rng = np.random.default_rng(8)
    s = daily(rng.poisson(3.0, 120))
    res = detect_changepoints(s, reference="2019-07-01")
    assert res.n_changes == 0
    assert res.comparison.break_number is None
    assert "No change" in res.report()
    d = res.to_dict()
    json.dumps(d)
    assert d["changepoint"] is None
    assert len(res.summary()) == 1


def test_reference_on_year_index_and_errors():
    rng = np.random.default_rng(3)
    y = pd.Series(np.r_[rng.normal(10, 1, 30), rng.normal(6, 1, 30)], index=range(1901, 1961))
    res = detect_changepoints(y, model="gaussian", reference=1925)
    assert res.breaks["date"].iloc[0] == 1931
    assert res.comparison.offset_periods == 6
    assert res.compare(pd.Timestamp("1931-06-01")).offset_periods == 0
    with pytest.raises(EventError):
        res.compare("not a year")
    s = step_series()
    with pytest.raises(EventError):
        detect_changepoints(s).compare("definitely not a date")


# ------------------------------------------------------------------------------------------
# Result interface
# ------------------------------------------------------------------------------------------
def test_result_interface_and_tables():
    s = step_series(8.0, 2.0, 60, 60, seed=2)
    res = detect_changepoints(s, reference="2019-07-31")
    assert isinstance(res, ChangePointResult) and isinstance(res, Result)
    assert res.n_changes == 1
    seg = res.segments
    assert list(seg["n_observed"]) == [60, 60]
    assert seg["total"].sum() == s.sum()
    assert (seg["ci_low"] < seg["rate"]).all() and (seg["rate"] < seg["ci_high"]).all()
    # exact Poisson (Garwood) interval
    lo = stats.chi2.ppf(0.025, 2 * seg["total"].iloc[0]) / 2 / 60
    assert seg["ci_low"].iloc[0] == pytest.approx(lo, rel=1e-9)
    summ = res.summary()
    assert len(summ) == 2
    assert summ["change_date"].iloc[1] == res.breaks["date"].iloc[0]
    tab = res.criterion_table
    assert {"m", "loglik", "n_params", "criterion", "selected"} <= set(tab.columns)
    assert int(tab.loc[tab["selected"], "m"].iloc[0]) == 1
    assert list(tab["n_params"]) == [2 * m + 1 for m in tab["m"]]
    bic = -2 * tab["loglik"] + math.log(120) * tab["n_params"]
    np.testing.assert_allclose(tab["criterion"], bic)
    assert res.fitted.index.equals(s.index)
    assert res.fitted.iloc[0] == pytest.approx(seg["rate"].iloc[0])
    assert isinstance(res.posterior, pd.Series)
    d = json.loads(json.dumps(res.to_dict()))
    cp = d["changepoint"]
    assert {"date", "ci_low", "ci_high"} <= set(cp)
    assert cp["ci_low"] <= cp["date"] <= cp["ci_high"]
    assert d["breaks"][0]["set_runs"][0][0] == cp["ci_low"]
    assert len(d["segments"]) == 2 and len(d["criterion_table"]) == len(tab)
    assert "Poisson" in d["method_statement"]
    assert "BIC" in d["method_statement"]
    assert repr(res).startswith("<ChangePointResult>")


def test_plot_delegates_to_plots_module(monkeypatch):
    calls = {}

    def fake(result, ax=None):
        calls["args"] = (result, ax)
        return "axes"

    module = types.ModuleType("trends.plots.changepoint")
    module.plot_changepoints = fake
    monkeypatch.setitem(sys.modules, "trends.plots.changepoint", module)
    res = detect_changepoints(step_series())
    assert res.plot(ax="AX") == "axes"
    assert calls["args"] == (res, "AX")


def test_criteria_and_fixed_number():
    s = step_series(8.0, 2.0, 60, 60, seed=2)
    bic = detect_changepoints(s)
    same = detect_changepoints(s, criterion=2 * math.log(120))
    assert same.n_changes == bic.n_changes
    assert same.criterion.startswith("penalty=")
    zero = detect_changepoints(s, criterion=0.0, max_changes=3)
    assert zero.n_changes == 3  # no penalty: the largest number allowed
    aic = detect_changepoints(s, criterion="aic")
    assert aic.n_changes >= bic.n_changes
    fixed = detect_changepoints(s, n_changes=2)
    assert fixed.n_changes == 2 and fixed.criterion == "fixed"
    none = detect_changepoints(s, n_changes=0)
    assert none.n_changes == 0


# ------------------------------------------------------------------------------------------
# Missing periods, index types
# ------------------------------------------------------------------------------------------
def test_missing_periods_rule():
    s = step_series(8.0, 2.0, 60, 60, seed=2)
    s.iloc[[3, 17, 18, 80]] = np.nan
    s.iloc[55:62] = np.nan  # a gap around the change (true change at position 60)
    res = detect_changepoints(s)
    assert res.n_changes == 1
    row = res.breaks.iloc[0]
    assert not np.isnan(s.loc[row["date"]])  # a change is dated to an observed period
    assert row["date"] == s.index[62] and row["gap_before"] == 7
    assert row["date_last_old"] == s.index[54]
    post = res.posteriors[0]
    assert post.index.isin(s.dropna().index).all()
    seg = res.segments
    assert seg["n_observed"].sum() == s.notna().sum()
    assert seg["n_periods"].sum() == len(s)
    assert seg["end"].iloc[0] == s.index[61] and seg["start"].iloc[1] == s.index[62]
    # the true change day (in the gap) is covered by the first date after the gap
    c = res.compare(s.index[60])
    assert c.in_set and c.prob_at == pytest.approx(post[row["date"]])
    assert "unreported" in res.report()
    # dropping the missing periods gives the same likelihood (they contribute nothing)
    dense = detect_changepoints(s.dropna().reset_index(drop=True), n_changes=1)
    assert res.criterion_table["loglik"].iloc[1] == pytest.approx(
        dense.criterion_table["loglik"].iloc[1]
    )


def test_weekly_monthly_period_and_integer_indexes():
    rng = np.random.default_rng(9)
    y = np.r_[rng.poisson(30, 40), rng.poisson(10, 40)]
    weekly = pd.Series(y, index=pd.date_range("2018-01-07", periods=80, freq="W"))
    res = detect_changepoints(weekly, reference="2018-10-10")
    assert res.unit == "week"
    assert res.breaks["date"].iloc[0] == weekly.index[40]
    monthly = pd.Series(y, index=pd.period_range("2010-01", periods=80, freq="M"))
    res = detect_changepoints(monthly)
    assert res.unit == "month"
    assert res.breaks["date"].iloc[0] == pd.Period("2013-05", "M")
    json.dumps(res.to_dict())
    plain = pd.Series(y)
    res = detect_changepoints(plain, reference=37)
    assert res.unit == "period"
    assert res.comparison.offset_periods == 3


def test_negative_binomial_dispersion():
    rng = np.random.default_rng(12)
    theta = 4.0
    mu = np.r_[np.full(150, 8.0), np.full(150, 3.0)]
    y = rng.poisson(rng.gamma(theta, mu / theta))
    res = detect_changepoints(daily(y), model="negbin")
    assert res.n_changes == 1
    assert 2.0 < res.dispersion < 8.0
    assert list(res.criterion_table["n_params"]) == [2 * m + 2 for m in res.criterion_table["m"]]
    assert res.posteriors[0].sum() == pytest.approx(1.0)
    assert "profile" in res.breaks["set_method"].iloc[0]
    seg = res.segments
    assert (seg["ci_low"] < seg["rate"]).all() and (seg["rate"] < seg["ci_high"]).all()
    # the Poisson model over-segments the same overdispersed series, or at best matches it
    assert detect_changepoints(daily(y)).n_changes >= res.n_changes
    # Poisson data: theta large, NB reduces to Poisson
    yp = rng.poisson(mu)
    resp = detect_changepoints(daily(yp), model="negbin")
    assert resp.dispersion > 30  # alpha = 1/theta near 0


def test_long_series_use_pelt_and_fall_back():
    rng = np.random.default_rng(4)
    y = rng.poisson(np.repeat([3.0, 1.0, 5.0], 800))
    s = daily(y, start="2015-01-01")
    res = detect_changepoints(s)
    assert res.method == "pelt"
    assert list(res.breaks["position"]) == pytest.approx([800, 1600], abs=10)
    assert list(res.criterion_table["m"]) == [0, 2]
    with pytest.warns(ModelWarning, match="max_changes"):
        fb = detect_changepoints(s, max_changes=1)
    assert fb.method == "dp" and fb.n_changes == 1
    g = detect_changepoints(s, model="gaussian", method="pelt")
    assert g.method == "pelt" and g.n_changes == 2


# ------------------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------------------
def test_refusals():
    with pytest.raises(InsufficientDataError, match="2 \\* min_size"):
        detect_changepoints(daily([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    with pytest.raises(InsufficientDataError, match="no change can be dated"):
        detect_changepoints(daily(np.zeros(50)))
    with pytest.raises(InsufficientDataError):
        detect_changepoints(daily(np.full(50, 3.0)), model="gaussian")
    bad = daily(np.r_[np.ones(20), -1, np.ones(20)])
    with pytest.raises(InputError, match="negative") as err:
        detect_changepoints(bad)
    assert err.value.row == 21 and err.value.column == "deaths"
    with pytest.raises(InputError, match="non-integer"):
        detect_changepoints(daily(np.r_[np.ones(20), 1.5, np.ones(20)]), model="negbin")
    # rates are fine for the Gaussian model
    detect_changepoints(daily(np.r_[np.ones(20), 1.5, np.ones(20)]), model="gaussian")
    irregular = daily(np.arange(40) % 5).drop(pd.Timestamp("2019-06-10"))
    with pytest.raises(InputError, match="regular|gaps"):
        detect_changepoints(irregular)
    s = step_series()
    with pytest.raises(ModelError):
        detect_changepoints(s, model="zip")
    with pytest.raises(ModelError):
        detect_changepoints(s, criterion="hqc")
    with pytest.raises(ModelError):
        detect_changepoints(s, n_changes=1, method="pelt")
    with pytest.raises(InsufficientDataError):
        detect_changepoints(s, n_changes=30)
    with pytest.raises(ModelError):
        detect_changepoints(s, level=1.5)


# ------------------------------------------------------------------------------------------
# Bai (1997) argmax distribution
# ------------------------------------------------------------------------------------------
def test_argmax_cdf_symmetric_closed_form():
    def classical(x):
        x = abs(x)
        return (
            1
            + math.sqrt(x / (2 * math.pi)) * math.exp(-x / 8)
            - (x + 5) / 2 * stats.norm.cdf(-math.sqrt(x) / 2)
            + 1.5 * math.exp(x) * stats.norm.cdf(-1.5 * math.sqrt(x))
        )

    for x in [0.05, 0.5, 1.0, 3.0, 10.0, 25.0]:
        assert argmax_cdf(x) == pytest.approx(classical(x), rel=1e-10)
        assert argmax_cdf(-x) == pytest.approx(1 - classical(x), rel=1e-9)
    lo, hi = argmax_quantiles(0.95)
    assert lo == pytest.approx(-hi, rel=1e-8)
    assert hi == pytest.approx(11.03, abs=0.01)


def test_argmax_cdf_asymmetric_properties():
    for phi in [0.3, 1.0, 2.5]:
        xs = np.linspace(-80, 80, 161)
        g = np.array([argmax_cdf(x, 1.0, phi) for x in xs])
        assert np.all(np.diff(g) >= -1e-12)
        assert g[0] < 1e-3 and g[-1] > 1 - 1e-3
        # continuity at zero: P(V < 0) = P(left supremum wins) = (1/phi) / (1 + 1/phi)
        p0 = 1.0 / (1.0 + phi)
        assert argmax_cdf(-1e-9, 1.0, phi) == pytest.approx(p0, abs=1e-6)
        assert argmax_cdf(1e-9, 1.0, phi) == pytest.approx(p0, abs=1e-6)
    # larger noise after the break widens the upper tail
    lo1, hi1 = argmax_quantiles(0.95, 1.0, 1.0)
    lo2, hi2 = argmax_quantiles(0.95, 1.0, 2.0)
    assert hi2 > hi1


def test_edge_zero_rule_keeps_the_search_table_and_its_selection():
    """A leading run of zeros merged by the edge rule: both searches still mark the row they
    selected (found by hypothesis: PELT's table had no row for the merged number)."""
    s = daily([0] * 26 + [11, 0, 0, 0])
    kw = {"model": "poisson", "min_size": 3, "max_changes": 30, "criterion": 6.0}
    for method in ("dp", "pelt"):
        r = detect_changepoints(s, method=method, **kw)
        tab = r.criterion_table
        assert int(tab["selected"].sum()) == 1
        best = tab.loc[tab["selected"], "criterion"].iloc[0]
        assert best == pytest.approx(tab["criterion"].min())
        assert any("run of zeros at the edge" in n for n in r.notes)


def test_a_time_zone_aware_series_compares_with_a_plain_reference_date():
    """The reference is read in the series' local calendar, as compare_rates reads windows."""
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(3)
    idx = pd.date_range("2022-03-01", periods=245, tz="Africa/Khartoum")
    s = pd.Series(rng.poisson(np.r_[[8] * 120, [5] * 125]).astype(float), index=idx)
    res = detect_changepoints(s, reference="2022-07-01")
    text = res.report()
    assert "1 Jul 2022" in text
    res.plot()


def test_periods_left_out_by_the_caller_are_not_called_not_reported():
    """A first week cut by the window is set to NaN by the pipeline: it was reported, only
    partial, so the notes say so instead of 'not reported (NaN)' (sweep item 2)."""
    rng = np.random.default_rng(4)
    idx = pd.date_range("2021-01-04", periods=30, freq="7D")
    y = pd.Series(rng.poisson(np.r_[[60] * 15, [40] * 15]).astype(float), index=idx)
    y.iloc[0] = np.nan  # the partial first week, masked by the caller
    y.iloc[10] = np.nan  # a week not reported
    cut = np.zeros(30, dtype=bool)
    cut[0] = True
    res = detect_changepoints(y, left_out=cut, left_out_words="only partly inside the window")
    notes = " ".join(res.notes)
    assert "1 period of 30 was not reported (blank)" in notes
    assert (
        "1 of the 30 periods was reported but left out of the likelihood, as it is only "
        "partly inside the window." in notes
    )
    plain = " ".join(detect_changepoints(y).notes)
    assert "2 periods of 30 were not reported (blank)" in plain

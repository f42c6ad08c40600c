"""Studentised placebo statistic, matched windows and the in-space placebo (issue 12, item 4)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from trends.errors import InputError, ModelWarning
from trends.models.its import fit_its
from trends.models.placebo import placebo_test, rank_p_values
from trends.models.placebo_space import placebo_in_space


def _poisson(seed: int, n: int = 200, at: int = 110, level: float = 1.0, rate: float = 5.0):
    rng = np.random.default_rng(seed)
    mu = np.full(n, rate)
    mu[at:] *= level
    idx = pd.date_range("2020-01-01", periods=n, freq="D")
    return pd.Series(rng.poisson(mu).astype(float), index=idx, name="events")


def _fit(s: pd.Series, at: int, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return fit_its(s, s.index[at], intervals="analytic", **options)


def test_rank_p_values():
    p2, p1, k = rank_p_values(-2.0, np.array([1.0, -3.0, 2.5, np.nan, 0.1]))
    assert (p2, p1, k) == (3 / 5, 2 / 5, 2)


def test_independent_poisson_without_effect_is_not_rejected_often():
    p = []
    for seed in range(8):
        s = _poisson(seed)
        p.append(placebo_test(s, _fit(s, 110)).p_value)
    p = np.array(p)
    assert np.mean(p < 0.05) <= 0.25
    assert np.median(p) > 0.15


def test_clear_drop_gets_the_smallest_attainable_p():
    s = _poisson(3, level=0.25)
    res = placebo_test(s, _fit(s, 110))
    assert res.statistic == "studentised"
    assert res.p_value == pytest.approx(1 / (res.n_placebos + 1))
    assert res.n_as_large == 0
    assert abs(res.real_t) > 5


def test_statistics_rank_their_own_values():
    s = _poisson(4, level=0.8)
    its = _fit(s, 110)
    t = placebo_test(s, its)
    raw = placebo_test(s, its, statistic="raw")
    pd.testing.assert_series_equal(t.placebo_log_rr, raw.placebo_log_rr)
    assert t.p_value == pytest.approx(rank_p_values(t.real_t, t.placebo_t.to_numpy())[0])
    assert raw.p_value == pytest.approx(
        rank_p_values(raw.real_log_rr, raw.placebo_log_rr.to_numpy())[0]
    )
    assert t.real_t == pytest.approx(its.level_change.coef / its.level_change.se)
    d = t.to_dict()
    json.dumps(d)
    assert d["statistic"] == "studentised" and d["settings"]["window"] == "matched"
    assert "standard error" in t.report() and "between" in t.report()
    with pytest.raises(InputError):
        placebo_test(s, its, statistic="z")
    with pytest.raises(InputError):
        placebo_test(s, its, window="half")


def test_matched_window_rule():
    s = _poisson(5, n=260, at=200)  # 200 days before, 60 after
    res = placebo_test(s, _fit(s, 200), min_segment=20)
    w = res.windows
    assert res.settings["real_post_periods"] == 60 and res.settings["real_pre_periods"] == 200
    pos = s.index.get_indexer(w.index)
    # post segment: the real 60 days where the pre-period leaves room, else up to its end
    assert (w["post_periods"] == np.minimum(60, 200 - pos)).all()
    assert (w["post_periods"] >= 20).all() and (w["pre_periods"] == pos).all()
    assert w["last_period"].max() < s.index[200]
    assert (w["post_periods"] == 60).sum() == 200 - 60 - 20 + 1
    whole = placebo_test(s, _fit(s, 200), min_segment=20, window="pre-period")
    assert (whole.windows["pre_periods"] + whole.windows["post_periods"] == 200).all()


@pytest.mark.parametrize("options", [{}, {"seasonality": "dow"}, {"family": "poisson"}])
def test_batched_studentised_matches_one_by_one(options):
    s = _poisson(6, n=240, at=180, rate=3.0)
    s.iloc[30:34] = np.nan
    its = _fit(s, 180, **options)
    fast = placebo_test(s, its, min_segment=15)
    ref = placebo_test(s, its, min_segment=15, batched=False)
    assert fast.n_placebos == ref.n_placebos > 100
    # the two paths stop their IRLS iterations at the same tolerance, not at the same iterate:
    # with numpy 2.4 / scipy 1.17 one of 147 t statistics differed by 2e-8 (relative)
    np.testing.assert_allclose(fast.placebo_t, ref.placebo_t, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(fast.placebo_se, ref.placebo_se, rtol=1e-7)
    assert fast.p_value == ref.p_value


def _units(seed: int, levels: dict[str, float]) -> dict[str, pd.Series]:
    return {k: _poisson(seed + i, level=v).rename(k) for i, (k, v) in enumerate(levels.items())}


def test_in_space_placebo_ranks_the_target():
    others = _units(100, {f"r{i}": 1.0 for i in range(9)})
    target = _poisson(7, level=0.3).rename("target")
    res = placebo_in_space(target, others, _fit(target, 110))
    assert res.n_units == 9 and not res.failed
    assert res.p_value == pytest.approx(1 / 10) and res.n_as_large == 0
    # a target without an effect among units with strong drops ranks last
    drops = _units(200, {f"d{i}": 0.3 for i in range(5)})
    calm = _poisson(8).rename("calm")
    res2 = placebo_in_space(calm, drops, _fit(calm, 110))
    assert res2.n_as_large == 5 and res2.p_value == pytest.approx(1.0)
    # the statistic of each unit is the one fit_its gives it
    its_d0 = _fit(drops["d0"], 110)
    assert res2.units.loc["d0", "t"] == pytest.approx(
        its_d0.level_change.coef / its_d0.level_change.se, rel=1e-10
    )
    json.dumps(res2.to_dict())
    assert "other units" in res2.report()
    assert list(res2.summary()["role"]) == ["target"] + ["placebo"] * 5
    assert res2.glance().shape[0] == 1


def test_in_space_placebo_records_failures():
    target = _poisson(9, level=0.3)
    empty = pd.Series(0.0, index=target.index)
    res = placebo_in_space(target, {"a": _poisson(10), "zeros": empty}, _fit(target, 110))
    assert res.n_units == 1 and "zeros" in res.failed
    with pytest.raises(InputError):
        placebo_in_space(target, {}, _fit(target, 110))

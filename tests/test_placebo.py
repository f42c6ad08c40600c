"""In-time placebo test: admissible dates, p-values under an effect and under no effect."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from trends.errors import InsufficientDataError, ModelWarning
from trends.models.its import fit_its
from trends.models.placebo import placebo_test
from trends.simulate import simulate_conflict


def _series(level: float, seed: int, n: int = 200, at: int = 120) -> pd.Series:
    sim = simulate_conflict(
        n_days=n,
        base_rate=4.0,
        ar_coef=0.3,
        ar_sd=0.2,
        changes=[{"day": at, "level": level}],
        seed=seed,
    )
    return sim.frame["attacks"].astype(float).rename("attacks")


def _fit(series: pd.Series, at: int = 120):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return fit_its(series, [series.index[at]], slope_change=False)


def test_admissible_dates_and_json():
    s = _series(0.3, seed=1)
    res = placebo_test(s, _fit(s), min_segment=20)
    # 120 pre-period days, 20 on each side of a fake date: dates 20..100
    assert res.n_placebos == 81
    assert (
        res.placebo_log_rr.index.min() == s.index[20]
        and res.placebo_log_rr.index.max() == s.index[100]
    )
    assert res.placebo_log_rr.index.max() < s.index[120]
    json.dumps(res.to_dict())
    assert "p-value" in res.report()
    assert 1 / (res.n_placebos + 1) <= res.p_value <= 1


def test_strong_effect_gives_the_smallest_p_value():
    s = _series(0.2, seed=2)
    res = placebo_test(s, _fit(s))
    assert res.p_value == pytest.approx(1 / (res.n_placebos + 1))
    assert res.real_rate_ratio < 0.4


def test_no_effect_p_values_are_not_small_too_often():
    p_values = []
    for seed in range(25):
        s = _series(1.0, seed=100 + seed)
        p_values.append(placebo_test(s, _fit(s)).p_value)
    share = float(np.mean(np.array(p_values) <= 0.05))
    # Under no effect about 5% should fall below 0.05; allow sampling noise with 25 series.
    assert share <= 0.2, p_values


def test_too_short_pre_period():
    s = _series(0.5, seed=3, n=60, at=20)
    with pytest.raises(InsufficientDataError, match="pre-intervention"):
        placebo_test(s, _fit(s, at=20))


def test_missing_days_are_dropped_not_zero():
    s = _series(0.4, seed=4)
    s.iloc[30:40] = np.nan
    res = placebo_test(s, _fit(s), min_segment=20)
    assert res.n_placebos == 110 - 40 + 1

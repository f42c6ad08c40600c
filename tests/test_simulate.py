"""Tests of trends.simulate: the conflict-harm series simulator."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from trends.errors import SimulationError, TrendsError
from trends.simulate import (
    DEATHS_MODELS,
    PRESETS,
    Change,
    ResolvedChange,
    SimulatedBatch,
    SimulatedSeries,
    preset,
    series_seed,
    simulate_conflict,
    simulate_many,
)

# ------------------------------------------------------------------------------------------------
# Shapes, dtypes, outputs
# ------------------------------------------------------------------------------------------------


def test_frame_shape_index_and_dtypes():
    sim = simulate_conflict(120, start="2020-02-01", dispersion=3.0, seed=5)
    assert isinstance(sim, SimulatedSeries)
    f = sim.frame
    assert list(f.columns) == ["attacks", "civilian_deaths", "intensity", "log_intensity"]
    assert isinstance(f.index, pd.DatetimeIndex)
    assert f.index.name == "date"
    assert len(f) == 120
    assert f.index[0] == pd.Timestamp("2020-02-01")
    assert (f.index[1:] - f.index[:-1] == pd.Timedelta(days=1)).all()
    assert f["attacks"].dtype == np.int64
    assert f["civilian_deaths"].dtype == np.int64
    assert f["intensity"].dtype == np.float64
    assert (f[["attacks", "civilian_deaths"]] >= 0).all().all()
    assert np.isfinite(f["intensity"]).all() and (f["intensity"] > 0).all()
    np.testing.assert_allclose(np.log(f["intensity"]), f["log_intensity"])
    assert sim.dates.equals(f.index)
    assert sim.expected_rate.index.equals(f.index)


def test_simulate_many_long_frame():
    df = simulate_many(4, 30, start="2019-03-01", seed=2)
    assert list(df.columns) == ["series_id", "date", "attacks", "civilian_deaths"]
    assert len(df) == 4 * 30
    assert df["series_id"].dtype == np.int64
    assert df["attacks"].dtype == np.int64 and df["civilian_deaths"].dtype == np.int64
    assert pd.api.types.is_datetime64_dtype(df["date"])
    assert df.groupby("series_id").size().tolist() == [30] * 4
    first = df[df["series_id"] == 0]["date"]
    assert first.iloc[0] == pd.Timestamp("2019-03-01")
    assert first.iloc[-1] == pd.Timestamp("2019-03-30")


def test_simulate_many_batch_matches_frame():
    batch = simulate_many(3, 40, seed=8, output="batch")
    assert isinstance(batch, SimulatedBatch)
    assert batch.n_series == 3
    assert batch.attacks.shape == batch.civilian_deaths.shape == batch.intensity.shape == (3, 40)
    assert batch.attacks.dtype == np.int64 and batch.civilian_deaths.dtype == np.int64
    df = simulate_many(3, 40, seed=8)
    pd.testing.assert_frame_equal(batch.to_frame(), df)
    with_int = batch.to_frame(intensity=True)
    np.testing.assert_array_equal(with_int["intensity"].to_numpy(), batch.intensity.ravel())


def test_single_day_series():
    sim = simulate_conflict(1, seed=1)
    assert len(sim.frame) == 1


# ------------------------------------------------------------------------------------------------
# Reproducibility
# ------------------------------------------------------------------------------------------------


def test_same_seed_same_data_different_seed_differs():
    kwargs = preset("idlib_2019")
    a = simulate_conflict(**kwargs, seed=11)
    b = simulate_conflict(**kwargs, seed=11)
    c = simulate_conflict(**kwargs, seed=12)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert not a.frame["attacks"].equals(c.frame["attacks"])
    assert not np.allclose(a.frame["intensity"], c.frame["intensity"])


def test_default_seed_is_fixed():
    pd.testing.assert_frame_equal(simulate_conflict(50).frame, simulate_conflict(50).frame)


def test_series_independent_of_n_series():
    small = simulate_many(10, 60, dispersion=2.0, seed=3, output="batch")
    large = simulate_many(25, 60, dispersion=2.0, seed=3, output="batch")
    np.testing.assert_array_equal(small.attacks, large.attacks[:10])
    np.testing.assert_array_equal(small.civilian_deaths, large.civilian_deaths[:10])
    np.testing.assert_array_equal(small.intensity, large.intensity[:10])
    # the series are different from each other
    assert len({tuple(row) for row in large.attacks}) == 25


def test_series_seed_recreates_a_series_of_many():
    kwargs = {"n_days": 80, "dispersion": 3.0, "weekly": [1, 1, 1, 1, 1, 0.5, 0.5]}
    batch = simulate_many(6, **kwargs, seed=21, output="batch")
    for i in (0, 4):
        one = simulate_conflict(**kwargs, seed=series_seed(21, i))
        np.testing.assert_array_equal(one.frame["attacks"].to_numpy(), batch.attacks[i])
        np.testing.assert_array_equal(
            one.frame["civilian_deaths"].to_numpy(), batch.civilian_deaths[i]
        )
        np.testing.assert_array_equal(one.frame["intensity"].to_numpy(), batch.intensity[i])
        # the recorded seed reproduces it too
        again = simulate_conflict(**json.loads(json.dumps(one.params)))
        pd.testing.assert_frame_equal(again.frame, one.frame)
    assert series_seed(21, 4).spawn_key == np.random.SeedSequence(21).spawn(5)[4].spawn_key


def test_params_json_round_trip_reproduces_series():
    sim = simulate_conflict(
        90,
        start=dt.date(2021, 1, 1),
        base_rate=3.0,
        dispersion=2.5,
        weekly=(1.2, 1, 1, 1, 1, 0.9, 0.7),
        changes=[Change("2021-02-01", level=0.4, slope=0.01, label="truce")],
        deaths_per_attack={"model": "nb", "mean": 2.0},
        seed=4,
    )
    params = json.loads(json.dumps(sim.params))  # JSON-safe
    assert set(params) >= {
        "n_days",
        "start",
        "base_rate",
        "ar_coef",
        "ar_sd",
        "dispersion",
        "weekly",
        "changes",
        "deaths_per_attack",
        "seed",
    }
    assert params["deaths_per_attack"] == {
        "model": "nb",
        "mean": 2.0,
        "theta": DEATHS_MODELS["nb"]["theta"],
        "zero_inflation": 0.0,
    }
    assert params["changes"][0]["date"] == "2021-02-01" and params["changes"][0]["day"] == 31
    again = simulate_conflict(**params)
    pd.testing.assert_frame_equal(again.frame, sim.frame)
    json.dumps(sim.to_dict())


def test_batch_params_round_trip():
    batch = simulate_many(5, 30, base_rate=1.0, seed=9, output="batch")
    params = json.loads(json.dumps(batch.params))
    assert params["n_series"] == 5 and params["seed"] == 9
    again = simulate_many(**params, output="batch")
    np.testing.assert_array_equal(again.attacks, batch.attacks)


def test_generator_seed_is_used_and_advanced():
    rng = np.random.default_rng(0)
    a = simulate_conflict(40, seed=rng)
    b = simulate_conflict(40, seed=rng)
    assert a.params["seed"] is None
    assert not a.frame["attacks"].equals(b.frame["attacks"])
    pd.testing.assert_frame_equal(
        simulate_conflict(40, seed=np.random.default_rng(0)).frame, a.frame
    )


def test_many_with_generator_or_none_records_a_master_seed():
    for seed in (np.random.default_rng(1), None):
        batch = simulate_many(3, 20, seed=seed, output="batch")
        again = simulate_many(**json.loads(json.dumps(batch.params)), output="batch")
        np.testing.assert_array_equal(again.attacks, batch.attacks)


def test_none_seed_records_entropy():
    sim = simulate_conflict(30, seed=None)
    assert isinstance(sim.params["seed"], int)
    pd.testing.assert_frame_equal(simulate_conflict(**sim.params).frame, sim.frame)


# ------------------------------------------------------------------------------------------------
# Statistical properties (many series so that sampling error is small; fixed seeds)
# ------------------------------------------------------------------------------------------------


def test_mean_rate_before_and_after_a_change_matches_the_level():
    batch = simulate_many(
        400,
        200,
        base_rate=3.0,
        dispersion=5.0,
        changes=[Change(100, level=0.5, label="ceasefire")],
        seed=1,
        output="batch",
    )
    before = batch.attacks[:, :100].mean()
    after = batch.attacks[:, 100:].mean()
    assert before == pytest.approx(3.0, rel=0.04)
    assert after / before == pytest.approx(0.5, rel=0.05)
    (change,) = batch.changes
    assert change.day == 100 and change.level == 0.5
    assert change.date == batch.dates[100]


def test_mean_rate_follows_expected_rate_with_slope_and_weekly():
    weekly = [1.5, 1.2, 1, 1, 1, 0.8, 0.5]
    changes = [Change(60, level=2.0, label="escalation"), Change(120, slope=-0.02, label="decay")]
    batch = simulate_many(
        300, 180, base_rate=2.0, weekly=weekly, changes=changes, seed=6, output="batch"
    )
    expected = batch.expected_rate.to_numpy()
    # deterministic truth: base x normalised weekly x level x slope
    w = np.asarray(weekly) / np.mean(weekly)
    dow = batch.dates.day_of_week.to_numpy()
    t = np.arange(180)
    truth = (
        2.0
        * w[dow]
        * np.where(t >= 60, 2.0, 1.0)
        * np.exp(np.where(t >= 120, -0.02 * (t - 120), 0))
    )
    np.testing.assert_allclose(expected, truth, rtol=1e-12)
    # observed means in 3-week blocks agree with the truth
    obs = batch.attacks.mean(axis=0)
    for lo in range(0, 180, 21):
        hi = min(lo + 21, 180)
        assert obs[lo:hi].mean() == pytest.approx(expected[lo:hi].mean(), rel=0.06)


def test_ar1_log_intensity_autocorrelation_and_variance():
    for phi in (0.6, -0.4):
        batch = simulate_many(
            200, 365, base_rate=5.0, ar_coef=phi, ar_sd=0.3, seed=2, output="batch"
        )
        x = np.log(batch.intensity)
        xc = x - x.mean(axis=1, keepdims=True)
        r1 = (xc[:, 1:] * xc[:, :-1]).sum(axis=1) / (xc * xc).sum(axis=1)
        assert r1.mean() == pytest.approx(phi, abs=0.04)
        stationary_var = 0.3**2 / (1 - phi**2)
        assert x.var() == pytest.approx(stationary_var, rel=0.1)
        # centred so that the intensity averages to base_rate
        assert batch.intensity.mean() == pytest.approx(5.0, rel=0.03)


def test_no_latent_process_when_ar_sd_is_zero():
    sim = simulate_conflict(50, base_rate=2.5, ar_sd=0.0, seed=1)
    np.testing.assert_allclose(sim.frame["intensity"], 2.5)


def test_overdispersion_of_attacks():
    # Without the latent process, attacks are NB(mu, theta): variance/mean = 1 + mu/theta.
    nb = simulate_many(100, 365, base_rate=4.0, ar_sd=0.0, dispersion=2.0, seed=3, output="batch")
    ratio = nb.attacks.var() / nb.attacks.mean()
    assert ratio > 1.5
    assert ratio == pytest.approx(1 + 4.0 / 2.0, rel=0.08)
    # Poisson given a constant intensity: variance/mean near 1
    po = simulate_many(100, 365, base_rate=4.0, ar_sd=0.0, seed=3, output="batch")
    assert po.attacks.var() / po.attacks.mean() == pytest.approx(1.0, abs=0.05)
    # the latent AR(1) alone also overdisperses
    ar = simulate_many(100, 365, base_rate=4.0, ar_sd=0.4, seed=3, output="batch")
    assert ar.attacks.var() / ar.attacks.mean() > 1.3


def test_deaths_per_attack_mean_zeros_and_heavy_tail():
    batch = simulate_many(200, 365, base_rate=2.0, seed=4, output="batch")
    a, d = batch.attacks, batch.civilian_deaths
    assert (d[a == 0] == 0).all()
    assert d.sum() / a.sum() == pytest.approx(1.5, rel=0.05)
    # days with exactly one attack show the per-attack distribution
    single = d[a == 1]
    spec = DEATHS_MODELS["zinb"]
    mu_c = spec["mean"] / (1 - spec["zero_inflation"])
    nb0 = stats.nbinom(spec["theta"], spec["theta"] / (spec["theta"] + mu_c)).pmf(0)
    p0 = spec["zero_inflation"] + (1 - spec["zero_inflation"]) * nb0
    assert (single == 0).mean() == pytest.approx(p0, abs=0.02)
    assert single.max() >= 19  # one strike can kill many
    assert d.max() > 10 * d.mean()


def test_deaths_heavier_tailed_than_poisson():
    nb = simulate_many(100, 365, base_rate=2.0, deaths_per_attack="nb", seed=5, output="batch")
    po = simulate_many(100, 365, base_rate=2.0, deaths_per_attack="poisson", seed=5, output="batch")
    single_nb = nb.civilian_deaths[nb.attacks == 1]
    single_po = po.civilian_deaths[po.attacks == 1]
    assert single_po.var() / single_po.mean() == pytest.approx(1.0, abs=0.1)
    assert single_nb.var() / single_nb.mean() > 4
    assert single_nb.max() > 2 * single_po.max()


def test_idlib_preset_deaths_heavy_tailed():
    f = simulate_conflict(**preset("idlib_2019")).frame
    assert f["civilian_deaths"].max() > 4 * f["civilian_deaths"].mean()
    assert f["attacks"].var() / f["attacks"].mean() > 1.5


def test_weekly_pattern_is_honoured():
    weekly = [2, 1, 1, 1, 1, 0, 0]  # Monday busy, no attacks at weekends
    sim = simulate_conflict(700, base_rate=3.0, weekly=weekly, seed=7)
    f = sim.frame
    dow = f.index.day_of_week
    assert (f.loc[dow >= 5, "attacks"] == 0).all()
    assert np.isneginf(f.loc[dow >= 5, "log_intensity"]).all()
    batch = simulate_many(100, 364, base_rate=3.0, weekly=weekly, seed=7, output="batch")
    by_day = (
        pd.Series(batch.attacks.mean(axis=0)).groupby(batch.dates.day_of_week.to_numpy()).mean()
    )
    scale = 3.0 / np.mean(weekly)
    assert by_day[0] == pytest.approx(2 * scale, rel=0.05)
    assert by_day[[1, 2, 3, 4]].mean() == pytest.approx(scale, rel=0.05)
    # the multipliers are normalised: the mean rate over a week is base_rate
    assert batch.attacks.mean() == pytest.approx(3.0, rel=0.04)


def test_flat_weekly_equals_no_weekly():
    a = simulate_conflict(60, weekly=[2.0] * 7, seed=3)
    b = simulate_conflict(60, seed=3)
    pd.testing.assert_frame_equal(a.frame, b.frame)


def test_zero_rates_give_zero_counts():
    stop = simulate_conflict(60, base_rate=5.0, changes=[Change(30, level=0.0)], seed=1)
    assert (stop.frame["attacks"].iloc[30:] == 0).all()
    assert (stop.frame["civilian_deaths"].iloc[30:] == 0).all()
    assert stop.frame["attacks"].iloc[:30].sum() > 0
    none = simulate_conflict(20, base_rate=0.0, dispersion=1.0, seed=1)
    assert (none.frame[["attacks", "civilian_deaths"]] == 0).all().all()


# ------------------------------------------------------------------------------------------------
# Changes
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        "2019-08-31",
        dt.date(2019, 8, 31),
        dt.datetime(2019, 8, 31, 6, 0),
        pd.Timestamp("2019-08-31 06:00"),
        np.datetime64("2019-08-31"),
        127,
        np.int64(127),
    ],
)
def test_change_day_forms_resolve_to_the_same_date(day):
    sim = simulate_conflict(245, start="2019-04-26", changes=[Change(day, 0.25, label="cf")])
    (c,) = sim.changes
    assert isinstance(c, ResolvedChange)
    assert c.day == 127
    assert c.date == pd.Timestamp("2019-08-31")
    assert c.label == "cf"


def test_resolved_change_properties_and_order():
    sim = simulate_conflict(
        100, changes=[Change(80, 2.0, label="late"), {"day": 10, "level": 0.25, "label": "early"}]
    )
    assert [c.label for c in sim.changes] == ["early", "late"]
    early = sim.changes[0]
    assert early.percent_change == pytest.approx(-75.0)
    assert early.log_level == pytest.approx(math.log(0.25))
    assert early.to_dict() == {
        "day": 10,
        "date": "2019-01-11",
        "level": 0.25,
        "slope": 0.0,
        "label": "early",
    }


# ------------------------------------------------------------------------------------------------
# Presets
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_run(name):
    sim = simulate_conflict(**preset(name))
    f = sim.frame
    assert len(f) == PRESETS[name]["n_days"]
    assert f["attacks"].sum() > 0
    (c,) = sim.changes
    assert c.date == pd.Timestamp("2019-08-31")
    df = simulate_many(3, **preset(name, seed=1))
    assert df["series_id"].nunique() == 3


def test_idlib_preset_calendar_and_levels():
    sim = simulate_conflict(**preset("idlib_2019"))
    assert sim.frame.index[0] == pd.Timestamp("2019-04-26")
    assert sim.frame.index[-1] == pd.Timestamp("2019-12-26")
    assert sim.changes[0].level == 0.25
    assert sim.params["base_rate"] == pytest.approx(4.0)
    assert sim.params["deaths_per_attack"]["mean"] == pytest.approx(1.5)
    levels = {
        name: preset(name)["changes"][0].level for name in ("no_effect", "drop_50", "drop_75")
    }
    assert levels == {"no_effect": 1.0, "drop_50": 0.5, "drop_75": 0.25}


def test_preset_overrides_and_copies():
    kwargs = preset("drop_50", seed=3, dispersion=None)
    assert kwargs["seed"] == 3 and kwargs["dispersion"] is None
    kwargs["base_rate"] = 99.0
    assert PRESETS["drop_50"]["base_rate"] != 99.0
    with pytest.raises(TypeError):
        PRESETS["drop_50"]["base_rate"] = 1.0  # type: ignore[index]
    with pytest.raises(SimulationError, match="unknown preset"):
        preset("gaza_2014")
    with pytest.raises(SimulationError, match="unknown parameters"):
        preset("drop_50", base_rte=3.0)


# ------------------------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"base_rate": -1.0}, "base_rate"),
        ({"base_rate": float("nan")}, "base_rate"),
        ({"base_rate": "2"}, "base_rate"),
        ({"ar_coef": 1.0}, "ar_coef"),
        ({"ar_coef": -1.0}, "ar_coef"),
        ({"ar_coef": 1.5}, "ar_coef"),
        ({"ar_sd": -0.1}, "ar_sd"),
        ({"dispersion": 0.0}, "dispersion"),
        ({"dispersion": -2.0}, "dispersion"),
        ({"dispersion": math.inf}, "dispersion"),
        ({"n_days": 0}, "n_days"),
        ({"n_days": 10.5}, "n_days"),
        ({"n_days": True}, "n_days"),
        ({"start": "not a date"}, "start"),
        ({"weekly": [1, 1, 1, 1, 1, 1]}, "7 multipliers"),
        ({"weekly": [1, 1, 1, 1, 1, 1, -1]}, "weekly"),
        ({"weekly": [0] * 7}, "all be zero"),
        ({"weekly": "1111111"}, "weekly"),
        ({"changes": [Change(100, 0.5)]}, "outside"),
        ({"changes": [Change(-1, 0.5)]}, "outside"),
        ({"changes": [Change("2018-12-31", 0.5)]}, "outside"),
        ({"changes": [Change("2019-04-11", 0.5)]}, "outside"),
        ({"changes": [{"level": 0.5}]}, "'day' or a 'date'"),
        ({"changes": [{"day": 3, "levle": 0.5}]}, "unknown keys"),
        ({"changes": [0.5]}, "Change"),
        ({"changes": [Change(10, slope=1.0)]}, "expected attack rate"),
        ({"deaths_per_attack": "lognormal"}, "unknown deaths_per_attack"),
        ({"deaths_per_attack": 1.5}, "deaths_per_attack"),
        ({"deaths_per_attack": {"mean": -1}}, "mean"),
        ({"deaths_per_attack": {"theta": 0}}, "theta"),
        ({"deaths_per_attack": {"zero_inflation": 1.0}}, "zero_inflation"),
        ({"deaths_per_attack": {"model": "poisson", "theta": 1.0}}, "no theta"),
        ({"deaths_per_attack": {"sd": 1.0}}, "unknown keys"),
        ({"seed": -1}, "seed"),
        ({"seed": "abc"}, "seed"),
        ({"seed": {"spawn_key": [1]}}, "entropy"),
        ({"ar_coef": 0.999, "ar_sd": 0.5}, "stationary sd"),
    ],
)
def test_invalid_parameters_raise(kwargs, match):
    kwargs = {"n_days": 100, **kwargs}
    with pytest.raises(SimulationError, match=match) as info:
        simulate_conflict(**kwargs)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TrendsError)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"level": -0.5}, "level"),
        ({"level": float("inf")}, "level"),
        ({"slope": float("nan")}, "slope"),
        ({"label": 3}, "label"),
        ({"day": 2.5}, "day"),
        ({"day": True}, "day"),
    ],
)
def test_invalid_change_raises(kwargs, match):
    kwargs = {"day": 10, **kwargs}
    with pytest.raises(SimulationError, match=match):
        Change(**kwargs)


def test_invalid_many_arguments_raise():
    with pytest.raises(SimulationError, match="n_series"):
        simulate_many(0, 10)
    with pytest.raises(SimulationError, match="output"):
        simulate_many(2, 10, output="array")  # type: ignore[arg-type]
    with pytest.raises(SimulationError, match="outside"):
        simulate_many(2, 10, changes=[Change(10, 0.5)])
    with pytest.raises(SimulationError, match="Generator"):
        series_seed(np.random.default_rng(0), 1)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# Property test
# ------------------------------------------------------------------------------------------------

_changes = st.lists(
    st.builds(
        Change,
        day=st.integers(0, 29),
        level=st.floats(0.0, 5.0),
        slope=st.floats(-0.1, 0.1),
        label=st.text(max_size=5),
    ),
    max_size=3,
)
_deaths = st.one_of(
    st.sampled_from(sorted(DEATHS_MODELS)),
    st.fixed_dictionaries(
        {
            "model": st.sampled_from(["zinb", "nb"]),
            "mean": st.floats(0.0, 20.0),
            "theta": st.floats(0.01, 50.0),
            "zero_inflation": st.floats(0.0, 0.99),
        }
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    n_days=st.integers(30, 60),
    base_rate=st.floats(0.0, 50.0),
    ar_coef=st.floats(-0.95, 0.95),
    ar_sd=st.floats(0.0, 1.0),
    dispersion=st.one_of(st.none(), st.floats(0.05, 100.0)),
    weekly=st.one_of(st.none(), st.lists(st.floats(0.0, 3.0), min_size=7, max_size=7)),
    changes=_changes,
    deaths=_deaths,
    seed=st.integers(0, 2**32),
    n_series=st.integers(1, 3),
)
def test_counts_are_non_negative_integers(
    n_days, base_rate, ar_coef, ar_sd, dispersion, weekly, changes, deaths, seed, n_series
):
    if weekly is not None and sum(weekly) == 0:
        weekly = None
    kwargs = {
        "n_days": n_days,
        "base_rate": base_rate,
        "ar_coef": ar_coef,
        "ar_sd": ar_sd,
        "dispersion": dispersion,
        "weekly": weekly,
        "changes": changes,
        "deaths_per_attack": deaths,
        "seed": seed,
    }
    try:
        f = simulate_conflict(**kwargs).frame
    except SimulationError as exc:  # a documented refusal: stacked changes overflow the rate
        assert "limit" in str(exc)
        assume(False)
    for col in ("attacks", "civilian_deaths"):
        assert f[col].dtype == np.int64
        assert (f[col] >= 0).all()
    assert (f["intensity"] >= 0).all() and np.isfinite(f["intensity"]).all()
    assert ((f["attacks"] > 0) | (f["civilian_deaths"] == 0)).all()
    batch = simulate_many(n_series, **kwargs, output="batch")
    assert batch.attacks.shape == (n_series, n_days)
    assert batch.attacks.dtype == np.int64 and (batch.attacks >= 0).all()
    assert batch.civilian_deaths.dtype == np.int64 and (batch.civilian_deaths >= 0).all()

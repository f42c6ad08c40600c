"""In-time placebo test: admissible dates, p-values under an effect and under no effect."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from trends.errors import InputError, InsufficientDataError, ModelWarning
from trends.models.its import fit_its
from trends.models.placebo import _fake_fits, _fake_problem, placebo_test, spec_of
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


# --------------------------------------------------------------------------------------------
# the batched fits against the per-date fits (the reference path, batched=False)
# --------------------------------------------------------------------------------------------
def _max_rel(a: pd.Series, b: pd.Series) -> float:
    x, y = a.to_numpy(), b.to_numpy()
    assert np.array_equal(np.isnan(x), np.isnan(y))
    ok = ~np.isnan(x)
    return float(np.max(np.abs(x[ok] - y[ok]) / np.abs(y[ok]))) if ok.any() else 0.0


def _assert_batched_matches(series: pd.Series, its) -> None:
    fast = placebo_test(series, its)
    ref = placebo_test(series, its, batched=False)
    assert fast.n_placebos == ref.n_placebos and fast.n_failed == ref.n_failed
    assert _max_rel(fast.placebo_log_rr, ref.placebo_log_rr) < 1e-8
    assert _max_rel(fast.placebo_se, ref.placebo_se) < 1e-8
    assert fast.p_value == ref.p_value and fast.p_value_one_sided == ref.p_value_one_sided


def _nb_series(seed: int, base: float = 4.0, ar: float = 0.5) -> pd.Series:
    sim = simulate_conflict(
        n_days=200,
        base_rate=base,
        ar_coef=ar,
        ar_sd=0.4,
        changes=[{"day": 120, "level": 0.5}],
        seed=seed,
    )
    return sim.frame["attacks"].astype(float).rename("attacks")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"slope_change": False},
        {"family": "poisson"},
        {"family": "quasipoisson", "se": "robust"},
        {"hac_lags": 7},
        {"se": "model", "seasonality": "dow"},
        {"transition": (2, 3), "transition_mode": "separate"},
        {"transition": 3},
    ],
)
def test_batched_placebo_matches_the_per_date_fits(options):
    for seed, base in ((11, 4.0), (12, 1.0)):
        s = _nb_series(seed, base)
        s.iloc[40:46] = np.nan  # missing days: the HAC grid keeps the calendar
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            its = fit_its(s, s.index[120], n_sim=200, **options)
        _assert_batched_matches(s, its)


def _assert_warm_matches_cold(series: pd.Series, its, blocks: tuple[slice, ...]) -> None:
    """Latent-AR fake fits warm-started in date order against cold ones, on blocks of dates."""
    pre, spec, dates, wins, *_ = _fake_problem(series, its, None, None, "matched")
    for block in blocks:
        c_cold, s_cold = _fake_fits(pre, spec, dates[block], wins[block], False, False)
        c_warm, s_warm = _fake_fits(pre, spec, dates[block], wins[block], False, True)
        assert np.array_equal(np.isnan(c_cold), np.isnan(c_warm))
        ok = np.isfinite(c_cold)
        assert np.max(np.abs(c_warm[ok] - c_cold[ok]) / s_cold[ok]) < 1e-6
        assert np.max(np.abs(s_warm[ok] / s_cold[ok] - 1.0)) < 1e-6
        t_cold, t_warm = c_cold[ok] / s_cold[ok], c_warm[ok] / s_warm[ok]
        assert np.max(np.abs(t_warm - t_cold) / np.maximum(np.abs(t_cold), 1.0)) < 1e-6


def test_latent_placebo_warm_starts_match_the_cold_fits():
    s = _series(0.5, seed=5, n=150, at=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        its = fit_its(s, s.index[100], inference="latent_ar")
    warm = placebo_test(s, its, min_segment=40, warm_start=True)
    cold = placebo_test(s, its, min_segment=40)
    assert warm.n_placebos == cold.n_placebos == 21 and warm.n_failed == cold.n_failed
    ok = cold.placebo_se.notna().to_numpy()
    diff = (warm.placebo_log_rr - cold.placebo_log_rr).abs() / cold.placebo_se
    assert float(diff[ok].max()) < 1e-6
    assert _max_rel(warm.placebo_se, cold.placebo_se) < 1e-6
    assert warm.p_value == cold.p_value and warm.p_value_one_sided == cold.p_value_one_sided


def test_batched_placebo_matches_on_the_founding_case():
    """The founding case's outcomes: the GLM batch against the per-date GLM fits at every fake
    date, and the latent-AR fake fits (the report's placebo) warm-started (``warm_start=True``)
    against cold ones on blocks of dates with both edges of the pre-period and a stretch where the latent variance
    of civilian deaths reaches its bound (the warm path falls back there)."""
    from trends import analyse_ceasefire, load_idlib_2019
    from trends.cases.idlib_2019 import DEFAULTS

    case = load_idlib_2019()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        analysis = analyse_ceasefire(
            case.incidents,
            DEFAULTS["intervention"],
            start=case.timeline[DEFAULTS["start"]].start,
            end=DEFAULTS["end"],
            timeline=case.timeline,
            placebo=False,
            robustness=False,
        )
    fitted = [o for o in analysis.outcomes.values() if o.its is not None]
    assert len(fitted) >= 2
    for outcome in fitted:
        assert outcome.its.spec.inference == "latent_ar"  # the report's placebo: latent AR fits
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            glm = fit_its(outcome.series, spec=spec_of(outcome.its).replace(inference="glm"))
        _assert_batched_matches(outcome.series, glm)
        blocks = (slice(0, 3), slice(77, 81), slice(-3, None))
        _assert_warm_matches_cold(outcome.series, outcome.its, blocks)


def test_dates_the_batch_cannot_fit_go_through_the_per_date_path():
    s = _nb_series(13)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        its = fit_its(s, s.index[120], nb_se="joint", n_sim=200)  # not batched: refitted
    fast, ref = placebo_test(s, its), placebo_test(s, its, batched=False)
    pd.testing.assert_series_equal(fast.placebo_log_rr, ref.placebo_log_rr)
    pd.testing.assert_series_equal(fast.placebo_se, ref.placebo_se)


def test_many_admissible_dates_are_thinned_evenly_and_said_so():
    """A long pre-period: at most max_dates fake dates, evenly spaced, first and last kept; the
    estimates at the kept dates are those of the full run; the report and JSON say so."""
    s = _series(0.5, seed=3, n=420, at=300)
    fit = _fit(s, at=300)
    full = placebo_test(s, fit, min_segment=20, max_dates=None)
    thin = placebo_test(s, fit, min_segment=20, max_dates=50)
    assert full.n_placebos == 261 and thin.n_placebos == 50
    kept = thin.placebo_log_rr.index
    assert kept[0] == full.placebo_log_rr.index[0] and kept[-1] == full.placebo_log_rr.index[-1]
    gaps = np.diff(full.placebo_log_rr.index.get_indexer(kept))
    assert gaps.min() >= 5 and gaps.max() <= 6
    np.testing.assert_allclose(thin.placebo_log_rr, full.placebo_log_rr.loc[kept], rtol=1e-9)
    assert thin.settings["admissible_dates"] == 261
    assert thin.settings["date_rule"] == "50 of the 261 admissible dates, evenly spaced"
    assert "evenly spaced among the 261 admissible" in thin.report()
    assert "50 of the 261" in thin.to_dict()["method"]
    assert full.settings["date_rule"] == "every admissible date"
    assert "evenly spaced" not in full.report()
    default = placebo_test(s, fit, min_segment=20)  # the default cap (200) applies
    assert default.n_placebos == 200
    with pytest.raises(InputError, match="at least 2"):
        placebo_test(s, fit, min_segment=20, max_dates=1)


def test_placebo_spread_quotes_a_middle_95_only_with_enough_dates():
    """A "middle 95%" of 2 placebo estimates is not a range anyone should quote."""
    from trends.models.placebo import MIN_PLACEBO_QUANTILE, _placebo_spread

    assert _placebo_spread(np.array([0.91])) == "a level change (rate ratio) of 0.91"
    two = _placebo_spread(np.array([0.91, 1.25]))
    assert two == "level changes (rate ratios) between 0.91 and 1.25"
    same = _placebo_spread(np.array([0.1501, 0.1504]))
    assert same == "level changes (rate ratios) of 0.15 at every date"
    many = _placebo_spread(np.linspace(0.5, 1.5, MIN_PLACEBO_QUANTILE))
    assert "(middle 95%: " in many

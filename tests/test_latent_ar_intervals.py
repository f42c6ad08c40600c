"""The fast kernels of :mod:`trends.models.latent_ar_intervals` give the one-by-one numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import trends.models.its as its_module
from trends.errors import InsufficientDataError
from trends.models.its import fit_its
from trends.models.its_intervals import CounterfactualIntervals
from trends.models.its_latent import latent_intervals
from trends.models.latent_ar_intervals import latent_intervals_fast, prefix_expected_totals

TOL = 1e-10  # relative; measured below 2e-14
FIELDS = ("cf_ci", "cf_pi", "cum_pi", "mean_lo", "mean_hi", "rel_lo", "rel_hi")


def _series(seed: int, n: int = 240, p0: int = 150, missing: bool = False) -> pd.Series:
    rng = np.random.default_rng(seed)
    u = np.zeros(n)
    for t in range(1, n):
        u[t] = 0.7 * u[t - 1] + 0.3 * rng.standard_normal()
    k = np.arange(n)
    eta = math.log(6.0) + np.where(k >= p0, math.log(0.6), 0.0) + u
    y = rng.negative_binomial(5.0, 5.0 / (5.0 + np.exp(eta))).astype(float)
    if missing:
        y[[20, 21, 22, 160, 161, 200]] = np.nan  # unreported days, two of them after
    return pd.Series(y, index=pd.date_range("2021-01-01", periods=n, freq="D"))


def _reference(fit, x_cf, off_cf, obs_ok, tot_obs, alpha) -> CounterfactualIntervals:
    """The bands period by period and prefix by prefix with ``expected_total`` (the slow path)."""
    res = fit.result
    m = x_cf.shape[0]
    cf_ci, cf_pi = np.full((2, m), np.nan), np.full((2, m), np.nan)
    for j in range(m):
        one = res.expected_total(x_cf[j : j + 1], off_cf[j : j + 1], alpha)
        cf_ci[:, j] = one["ci_low"], one["ci_high"]
        cf_pi[:, j] = one["pi_low"], one["pi_high"]
    cum_pi = np.zeros((2, m))
    rows = np.flatnonzero(obs_ok)
    total = {"ci_low": 0.0, "ci_high": 0.0}
    for k, j in enumerate(rows):
        total = res.expected_total(x_cf[rows[: k + 1]], off_cf[rows[: k + 1]], alpha)
        cum_pi[:, j:] = np.array([[total["pi_low"]], [total["pi_high"]]])
    rel = (math.nan, math.nan)
    if rows.size:
        s_lo, s_hi = max(total["pi_low"], 1.0), max(total["pi_high"], 1.0)
        rel = (tot_obs / s_hi - 1.0, tot_obs / s_lo - 1.0)
    return CounterfactualIntervals(
        cf_ci, cf_pi, cum_pi, float(total["ci_low"]), float(total["ci_high"]), *rel
    )


def _assert_same(a, b) -> float:
    worst = 0.0
    for name in FIELDS:
        x, y = np.asarray(getattr(a, name), dtype=float), np.asarray(getattr(b, name), dtype=float)
        assert x.shape == y.shape, name
        assert np.array_equal(np.isnan(x), np.isnan(y)), name
        ok = ~np.isnan(x)
        rel = np.abs(x[ok] - y[ok]) / np.maximum(np.abs(x[ok]), 1e-300)
        worst = max(worst, float(rel.max()) if rel.size else 0.0)
    assert worst < TOL
    return worst


def _recorded_fit(monkeypatch, series: pd.Series, **kw):
    """Fit a latent ITS; every call of its interval function is compared with the fast one."""
    seen: list[float] = []

    def both(*args):
        used = latent_intervals(*args)  # what fit_its uses (the fast path, once wired)
        slow = _reference(*args)
        seen.append(_assert_same(slow, latent_intervals_fast(*args)))
        _assert_same(slow, used)
        return used

    monkeypatch.setattr(its_module, "latent_intervals", both)
    res = fit_its(series, ["2021-05-31"], inference="latent_ar", intervals="analytic", **kw)
    return res, seen


@pytest.mark.parametrize(
    ("seed", "missing", "family"),
    [(1, False, "negbin"), (2, True, "negbin"), (3, False, "poisson")],
)
def test_fast_intervals_equal_the_one_by_one_path(monkeypatch, seed, missing, family) -> None:
    res, seen = _recorded_fit(monkeypatch, _series(seed, missing=missing), family=family)
    assert len(seen) == 1
    assert math.isfinite(res.cumulative_effect["ci_low"])


def test_fast_intervals_without_observed_post_periods() -> None:
    res = fit_its(_series(4), ["2021-05-31"], inference="latent_ar", intervals="analytic")
    fit = res.fit
    x = fit.result.design.to_numpy()[150:].copy()
    x[:, 2:] = 0.0
    off = np.zeros(x.shape[0])
    none = np.zeros(x.shape[0], dtype=bool)
    slow = _reference(fit, x, off, none, 0.0, 0.05)
    fast = latent_intervals_fast(fit, x, off, none, 0.0, 0.05)
    np.testing.assert_allclose(fast.cf_ci, slow.cf_ci, rtol=TOL)
    np.testing.assert_array_equal(fast.cum_pi, slow.cum_pi)
    assert (fast.mean_lo, fast.mean_hi) == (slow.mean_lo, slow.mean_hi) == (0.0, 0.0)
    assert math.isnan(fast.rel_lo) and math.isnan(slow.rel_lo)


def test_prefix_totals_equal_expected_total() -> None:
    res = fit_its(_series(5), ["2021-05-31"], inference="latent_ar", intervals="analytic")
    lat = res.fit.result
    x = lat.design.to_numpy()[150:190]
    off = np.linspace(-0.1, 0.1, x.shape[0])
    pre = prefix_expected_totals(lat, x, off, alpha=0.1)
    for k in (0, 1, 7, x.shape[0] - 1):
        one = lat.expected_total(x[: k + 1], off[: k + 1], alpha=0.1)
        for key, arr in pre.items():
            assert arr[k] == pytest.approx(one[key], rel=TOL)


def test_all_zero_series_is_refused_before_the_intervals(monkeypatch) -> None:
    zeros = pd.Series(0.0, index=pd.date_range("2021-01-01", periods=240, freq="D"))
    with pytest.raises(InsufficientDataError):
        _recorded_fit(monkeypatch, zeros)

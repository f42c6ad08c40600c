"""Interrupted time series (segmented regression) for event counts.

:func:`fit_its` fits a log-linear count model (negative binomial by default) to a regular series of
counts with one or more interventions and returns an :class:`ITSResult`.

Model
-----
For period ``t = 1..n`` (position in the series)::

    log E[y_t] = b0 + b1 t                                   (trend, optional)
                 + sum_i ( c_i post_it + d_i ramp_it )        (each intervention i)
                 + seasonality + covariates + offset_t

``post_it`` is 1 from the intervention's first post period on and ``ramp_it`` counts the periods
since the intervention (0 before, 1 in the first post period, 2 in the next...), as
``pmax(time - t0, 0)`` in the R references. With this parameterisation ``exp(c_i)`` is the rate
ratio *at* the intervention (the immediate level change) and ``exp(d_i)`` the change in the
per-period growth factor of the rate (slope change); the level change is never extrapolated to
time 0.

First post period
-----------------
Intervention times may carry a time of day (``2019-08-31 06:00``). The first post period is the
first period whose start is on or after the intervention's calendar date (the timestamp
normalised to midnight). For daily data the intervention day itself is therefore the first post
day; for monthly data a ban on 10 January makes February the first post month (January is a mixed
month: pass ``"2005-01-01"`` to code January as post, or use ``transition``). Daily and weekly
timestamps are taken as the start of their period; monthly, quarterly and yearly timestamps
stand for the calendar month, quarter or year that contains them.

Missing periods
---------------
NaN counts mean "not reported": they are left out of the fit (the HAC estimator keeps the calendar
spacing, see :mod:`trends.models.hac`) and kept in the outputs as missing.

Standard errors
---------------
By default Newey-West HAC errors with the automatic Newey-West (1994) bandwidth on AR(1)-
prewhitened scores (R ``sandwich::NeweyWest`` defaults, lag ``floor(bandwidth)``); pass
``hac_lags=L`` for a fixed lag without prewhitening. ``se="model"`` gives model-based errors.

Counterfactual
--------------
For the post period of the *last* intervention the counterfactual is the model's prediction with
that intervention's terms (level, slope and, with ``transition_mode="separate"``, its transition
indicator) set to zero; earlier interventions stay in effect. Its confidence band
comes from ``n_sim`` draws of the coefficients from their estimated normal distribution (with the
chosen covariance); the prediction band adds count noise (Poisson; negative binomial with the
fitted ``theta``; for quasi-Poisson a negative binomial with variance ``phi * mu``). Pointwise
effects are ``observed - counterfactual`` and the cumulative effect sums them over the observed
post periods; their intervals are prediction intervals (parameter and count uncertainty).
``intervals="analytic"`` computes the same intervals in closed form (lognormal means, moment-
matched count quantiles) instead of by simulation: much faster, for batches of many series.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from trends.errors import InputError, InsufficientDataError, ModelWarning
from trends.models.glm import CountGLMFit, fit_count_glm
from trends.results import Result, to_jsonable

__all__ = [
    "ITSResult",
    "InterventionEffect",
    "RateRatio",
    "fit_its",
    "first_post_position",
    "MIN_EVENTS",
]

#: Fewer events than this in the fitted periods: the model is refused.
MIN_EVENTS = 10
#: Fewer events than this in any segment (or in total x 3) triggers a small-count warning.
SMALL_SEGMENT_EVENTS = 10

_FREQ_UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
_FREQ_ADJ = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}


# --------------------------------------------------------------------------------------------
# small value objects
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RateRatio:
    """A rate ratio with its Wald confidence interval.

    Attributes
    ----------
    estimate : float
        ``exp(coef)``.
    ci_low, ci_high : float
        Confidence limits (``exp(coef -/+ z se)``).
    p_value : float
        Two-sided Wald p-value for "no change" (ratio 1).
    coef, se : float
        Log-scale coefficient and its standard error.
    level : float
        Confidence level (e.g. 0.95).
    """

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    coef: float
    se: float
    level: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return to_jsonable(
            {
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "p_value": self.p_value,
                "coef": self.coef,
                "se": self.se,
                "level": self.level,
            }
        )


@dataclass(frozen=True)
class InterventionEffect:
    """Estimated effects of one intervention.

    Attributes
    ----------
    id : str
        Identifier (used in term names: ``level[id]``, ``slope[id]``).
    name : str
        Human-readable label used in reports.
    start : pandas.Timestamp
        The intervention time as given.
    first_period : pandas.Timestamp
        Label (index value) of the first post period.
    position : int
        0-based position of the first post period in the series.
    level_change : RateRatio
        Immediate change in the rate at the intervention.
    slope_change : RateRatio or None
        Change in the per-period growth factor (``None`` without ``slope_change``).
    """

    id: str
    name: str
    start: pd.Timestamp
    first_period: pd.Timestamp
    position: int
    level_change: RateRatio
    slope_change: RateRatio | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return to_jsonable(
            {
                "id": self.id,
                "name": self.name,
                "start": self.start,
                "first_period": self.first_period,
                "level_change_rr": self.level_change.to_dict(),
                "slope_change_rr": None
                if self.slope_change is None
                else self.slope_change.to_dict(),
            }
        )


@dataclass(frozen=True)
class _Spec:
    id: str
    name: str
    start: pd.Timestamp
    position: int


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
_ONE_DAY = np.timedelta64(1, "D")
_ONE_WEEK = np.timedelta64(7, "D")


def _detect_frequency(index: pd.DatetimeIndex) -> str:
    """Return one of D/W/M/Q/Y for a regular index, else raise InputError."""
    if len(index) < 2:
        raise InsufficientDataError("the series needs at least two periods")
    # fast path (exact spacing of one day or one week: the common case), same answer as below
    steps = np.diff(index.values)
    if np.all(steps == _ONE_DAY):
        return "D"
    if np.all(steps == _ONE_WEEK):
        return "W"
    deltas = pd.Series(index[1:] - index[:-1])
    dd = deltas.dt.total_seconds().to_numpy() / 86400.0
    med = float(np.median(dd))
    if abs(med - 1.0) < 1e-9:
        freq = "D"
        ok = np.allclose(dd, 1.0)
    elif abs(med - 7.0) < 1e-9:
        freq = "W"
        ok = np.allclose(dd, 7.0)
    else:
        freq = {True: "M"}.get(27.5 <= med <= 31.5)
        if freq is None:
            freq = "Q" if 88.5 <= med <= 92.5 else ("Y" if 364.5 <= med <= 366.5 else None)
        if freq is None:
            raise InputError(
                f"cannot recognise the series frequency (median spacing {med:g} days); "
                "use a daily, weekly, monthly, quarterly or yearly series"
            )
        per = index.to_period(freq)
        ok = bool(np.all(np.diff(per.asi8) == 1))
    if not ok:
        raise InputError(
            "the series index is not regular (missing or duplicated periods); reindex it to a "
            "complete grid with NaN for periods that were not reported"
        )
    return freq


def _period_starts(index: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    if freq in ("D", "W"):
        return index.normalize()
    return index.to_period(freq).start_time


def _to_timestamp(value: Any, what: str, tz: Any = None) -> pd.Timestamp:
    """Timestamp without time zone: aware times are expressed in ``tz`` (the series' zone)
    when given, else taken at their local wall-clock time."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot read {what} {value!r} as a date") from exc
    if pd.isna(ts):
        raise InputError(f"{what} is missing")
    if ts.tzinfo is not None:
        if tz is not None:
            ts = ts.tz_convert(tz)
        ts = ts.tz_localize(None)
    return ts


def first_post_position(starts: pd.DatetimeIndex, when: pd.Timestamp) -> int:
    """Position of the first period whose start is on or after ``when``'s calendar date.

    Parameters
    ----------
    starts : pandas.DatetimeIndex
        Start of each period (sorted).
    when : pandas.Timestamp
        Intervention time (a time of day is ignored: the date counts).

    Returns
    -------
    int
        0-based position; ``len(starts)`` when every period starts before ``when``.
    """
    day = when.normalize()
    return int(np.searchsorted(starts.to_numpy(), np.datetime64(day.to_datetime64()), side="left"))


def _slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z_.-]+", "_", str(text)).strip("_")
    return s or "x"


def _normalise_interventions(
    interventions: Any, tz: Any = None
) -> list[tuple[str, str, pd.Timestamp]]:
    if interventions is None:
        raise InputError("at least one intervention is needed")
    if isinstance(interventions, (str, pd.Timestamp, _dt.date, np.datetime64)) or hasattr(
        interventions, "start"
    ):
        items: list[Any] = [interventions]
    elif isinstance(interventions, Iterable):
        items = list(interventions)
    else:
        items = [interventions]
    if not items:
        raise InputError("at least one intervention is needed")
    out = []
    seen: set[str] = set()
    for j, item in enumerate(items, start=1):
        if hasattr(item, "start"):
            start = _to_timestamp(item.start, "intervention start", tz)
            raw_id = getattr(item, "id", None)
            raw_name = getattr(item, "name", None) or getattr(item, "label", None)
        else:
            start = _to_timestamp(item, "intervention date", tz)
            raw_id, raw_name = None, None
        iid = _slug(raw_id) if raw_id else f"i{j}"
        if iid in seen:
            iid = f"{iid}_{j}"
        seen.add(iid)
        name = str(raw_name) if raw_name else (str(raw_id) if raw_id else "the intervention")
        out.append((iid, name, start))
    out.sort(key=lambda r: r[2])
    return out


def _fmt_date(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts.strftime('%b %Y')}"


def _fmt_pct(x: float) -> str:
    a = abs(x)
    if a >= 10:
        return f"{x:.0f}%"
    if a >= 1:
        return f"{x:.1f}%"
    return f"{x:.2f}%"


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def _fmt_num(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _signed_pct(x: float) -> str:
    return ("+" if x >= 0 else "-") + _fmt_pct(abs(x))


def _describe_change(rr: RateRatio, per: str = "") -> str:
    """'fell by 62% (95% CI 40% to 76%; p < 0.001)' style text for a rate ratio."""
    lvl = f"{round(rr.level * 100):d}%"
    if not np.isfinite(rr.estimate):
        return "could not be estimated"
    pct = (rr.estimate - 1.0) * 100.0
    lo = (rr.ci_low - 1.0) * 100.0
    hi = (rr.ci_high - 1.0) * 100.0
    if rr.ci_high < 1.0:
        return (
            f"fell by {_fmt_pct(-pct)}{per} ({lvl} CI {_fmt_pct(-hi)} to {_fmt_pct(-lo)}; "
            f"{_fmt_p(rr.p_value)})"
        )
    if rr.ci_low > 1.0:
        return (
            f"rose by {_fmt_pct(pct)}{per} ({lvl} CI {_fmt_pct(lo)} to {_fmt_pct(hi)}; "
            f"{_fmt_p(rr.p_value)})"
        )
    return (
        f"changed by {_signed_pct(pct)}{per} ({lvl} CI {_signed_pct(lo)} to {_signed_pct(hi)}; "
        f"{_fmt_p(rr.p_value)}; not distinguishable from no change)"
    )


def _describe_count_interval(lo: float, hi: float) -> str:
    """'150 to 412 fewer' / '20 fewer to 35 more' for an interval of differences."""

    def one(v: float) -> str:
        return f"{_fmt_num(abs(v))} {'fewer' if v < 0 else 'more'}"

    if hi < 0:
        return f"{_fmt_num(abs(hi))} to {_fmt_num(abs(lo))} fewer"
    if lo > 0:
        return f"{_fmt_num(lo)} to {_fmt_num(hi)} more"
    return f"{one(lo)} to {one(hi)}"


def _rate_ratio(fit: CountGLMFit, term: str, alpha: float) -> RateRatio:
    j = fit.params.index.get_loc(term)
    b = float(fit.params.iloc[j])
    se = float(fit.bse.iloc[j])
    # special.ndtri / ndtr are what stats.norm.ppf / sf evaluate, without the dispatch overhead
    z = float(special.ndtri(1.0 - alpha / 2.0))
    p = float(2.0 * special.ndtr(-abs(b / se))) if se > 0 else math.nan
    return RateRatio(
        estimate=math.exp(b),
        ci_low=math.exp(b - z * se),
        ci_high=math.exp(b + z * se),
        p_value=p,
        coef=b,
        se=se,
        level=1.0 - alpha,
    )


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _mvn_draws(mean: np.ndarray, cov: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draws from N(mean, cov) via a symmetric square root (robust to near-singular cov)."""
    vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
    vals = np.clip(vals, 0.0, None)
    root = vecs * np.sqrt(vals)
    z = rng.standard_normal((n, mean.shape[0]))
    return mean + z @ root.T


def _count_draws(
    mu: np.ndarray,
    family: str,
    theta: float | None,
    scale: float,
    rng: np.random.Generator,
    *,
    as_float: bool = True,
) -> np.ndarray:
    """Counts around means ``mu`` with the model's count distribution (float, or int64 with
    ``as_float=False``)."""
    if family == "negbin" and theta is not None and np.isfinite(theta):
        # gamma-Poisson mixture == negative binomial(theta, mean mu). With a common shape,
        # ``scale * standard_gamma(shape)`` is what ``Generator.gamma(shape, scale)`` computes
        # element by element (same stream, same values) without broadcasting a shape array.
        shape = max(float(theta), 1e-12)
        out = rng.poisson(rng.standard_gamma(shape, size=mu.shape) * (mu / shape))
    elif family == "quasipoisson" and scale > 1.0:
        size = np.maximum(mu / (scale - 1.0), 1e-12)
        out = rng.poisson(rng.gamma(size, mu / size))
    else:
        out = rng.poisson(mu)
    return out.astype(float) if as_float else out


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Linear interpolation exactly as numpy's quantile code evaluates it."""
    diff_b_a = b - a
    out = np.add(a, diff_b_a * t)
    np.subtract(b, diff_b_a * (1 - t), out=out, where=t >= 0.5, casting="unsafe")
    return out


def _row_percentiles(
    a: np.ndarray,
    q: Sequence[float],
    *,
    overwrite: bool = False,
    valid: np.ndarray | None = None,
) -> np.ndarray:
    """``np.percentile(a, q, axis=1)`` (default ``"linear"`` method), the same values faster.

    numpy moves the axis to the front and partitions a strided copy at six positions (the two
    neighbours of each quantile plus the minimum and maximum); here each C-contiguous row is
    partitioned in place at the neighbours only, and the interpolation is numpy's own formula,
    so the result is identical (rows that contain NaN give NaN, as in numpy). Integer arrays
    give the values numpy gives for the same numbers stored as floats (and partition faster).

    Parameters
    ----------
    a : numpy.ndarray
        2-D array (rows x draws), float or integer.
    q : sequence of float
        Percentiles in [0, 100].
    overwrite : bool, default False
        Allow ``a`` to be reordered in place (saves a copy when it is a scratch array).
    valid : numpy.ndarray of bool, optional
        Rows to evaluate (the others give NaN, as rows holding NaN do). Default: the rows
        without NaN.

    Returns
    -------
    numpy.ndarray
        Float array of shape ``(len(q), a.shape[0])``.
    """
    qs = np.true_divide(np.asarray(q, dtype=float), 100)
    m, n = a.shape
    virtual = (n - 1) * qs
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    prev_i = prev.astype(np.intp)
    next_i = nxt.astype(np.intp)
    gamma = (virtual - prev_i)[:, None]
    if valid is not None:
        ok = np.asarray(valid, dtype=bool)
    elif a.dtype.kind == "f":
        ok = ~np.isnan(a).any(axis=1)
    else:
        ok = np.ones(m, dtype=bool)
    if ok.all():
        work = a if (overwrite and a.flags.c_contiguous) else np.array(a, order="C")
    else:
        work = a[ok]
    out = np.full((qs.size, m), np.nan)
    if work.shape[0]:
        kth = np.unique(np.concatenate([prev_i, next_i]) % n)
        work.partition(kth, axis=1)
        res = _lerp(work[:, prev_i].T, work[:, next_i].T, gamma)
        out[:, ok] = res
    return out


@dataclass
class _Intervals:
    """Interval ingredients of the counterfactual (post period of the last intervention)."""

    cf_ci: np.ndarray  # (2, m) confidence band of the counterfactual mean
    cf_pi: np.ndarray  # (2, m) prediction band of counts
    cum_pi: np.ndarray  # (2, m) prediction band of the cumulative expected counts
    mean_lo: float  # interval of the expected total (parameter uncertainty only)
    mean_hi: float
    rel_lo: float  # interval of observed / expected - 1
    rel_hi: float


def _simulation_intervals(
    x_cf: np.ndarray,
    off_cf: np.ndarray,
    cf_ok: np.ndarray,
    obs_ok: np.ndarray,
    tot_obs: float,
    fit: CountGLMFit,
    family: str,
    n_sim: int,
    alpha: float,
    rng: np.random.Generator,
) -> _Intervals:
    """Intervals from ``n_sim`` coefficient draws, each with its own simulated counts."""
    q_lo, q_hi = 100 * alpha / 2, 100 * (1 - alpha / 2)
    beta = fit.params.to_numpy()
    draws = _mvn_draws(beta, fit.cov.to_numpy(), n_sim, rng)
    # (m, n_sim) simulated means; the linear predictor is capped at 40 (mean 2.4e17) as a
    # numerical guard against extreme draws
    mu_sim = np.exp(np.minimum(x_cf @ draws.T + off_cf[:, None], 40.0))
    # periods whose counterfactual is undefined (missing covariate or offset) stay NaN
    undefined = ~cf_ok
    mu_sim[undefined] = 0.0
    # integer counts (exact, like their float copies); quantiles of integers are the same
    # numbers and partition faster
    y_sim = _count_draws(mu_sim, family, fit.theta, fit.scale, rng, as_float=False)
    # cumulative counts over the observed post periods (other periods add nothing)
    cum_sim = np.cumsum(y_sim if obs_ok.all() else np.where(obs_ok[:, None], y_sim, 0), axis=0)
    tot_sim = cum_sim[-1].astype(float)
    # expected total: sequential sum over the periods, as the last row of a cumulative sum
    tot_mu = mu_sim[0] * obs_ok[0]
    for i in np.flatnonzero(obs_ok[1:]) + 1:
        tot_mu = tot_mu + mu_sim[i]
    if undefined.any():
        mu_sim[undefined] = np.nan
    cf_ci = _row_percentiles(mu_sim, [q_lo, q_hi], overwrite=True)
    cf_pi = _row_percentiles(y_sim, [q_lo, q_hi], overwrite=True, valid=cf_ok)
    cum_pi = _row_percentiles(cum_sim, [q_lo, q_hi], overwrite=True)
    mean_lo, mean_hi = np.percentile(tot_mu, [q_lo, q_hi])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_sim = tot_obs / tot_sim - 1.0
    rel_sim = rel_sim[np.isfinite(rel_sim)]
    rel_lo, rel_hi = np.percentile(rel_sim, [q_lo, q_hi]) if rel_sim.size else (math.nan, math.nan)
    return _Intervals(
        cf_ci, cf_pi, cum_pi, float(mean_lo), float(mean_hi), float(rel_lo), float(rel_hi)
    )


def _count_variance(
    mean: np.ndarray, second: np.ndarray, family: str, theta: float | None, scale: float
) -> np.ndarray:
    """``E[Var(y | mu)]`` of the simulated count distribution, given ``E[mu]`` and ``E[mu^2]``."""
    if family == "negbin" and theta is not None and np.isfinite(theta):
        return mean + second / theta
    if family == "quasipoisson" and scale > 1.0:
        return scale * mean
    return mean.copy()


def _blend_quantiles(mean: np.ndarray, var: np.ndarray, share: np.ndarray, p: float) -> np.ndarray:
    """Quantile ``p`` of a count with the given mean and variance, ``share`` of the variance
    coming from a lognormal mean (parameter uncertainty) and the rest from count noise.

    The quantiles of a lognormal and of a negative binomial (Poisson when the variance does not
    exceed the mean) with these two moments are averaged with weights ``share`` and
    ``1 - share``: each is right at its end (pure parameter or pure count uncertainty) and the
    weighted value follows the skewness in between.
    """
    out = np.zeros(mean.shape)
    pos = mean > 0
    if not pos.any():
        return out
    m, v, w = mean[pos], var[pos], share[pos]
    s2 = np.log1p(v / (m * m))
    q_ln = np.exp(np.log(m) - 0.5 * s2 + float(special.ndtri(p)) * np.sqrt(s2))
    q_nb = np.empty(m.shape)
    over = v > m
    if over.any():
        size = m[over] ** 2 / (v[over] - m[over])
        q_nb[over] = stats.nbinom.ppf(p, size, size / (size + m[over]))
    if (~over).any():
        q_nb[~over] = stats.poisson.ppf(p, m[~over])
    out[pos] = w * q_ln + (1.0 - w) * q_nb
    return out


def _lognormal_pair_sums(
    x: np.ndarray,
    cov: np.ndarray,
    e_mu: np.ndarray,
    weight: np.ndarray,
    block: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For ``mu_t = exp(x_t' beta)`` with ``beta`` normal: ``Var(mu_t)`` and, cumulated,
    ``Var(sum_{u <= t} w_u mu_u)`` (exact lognormal covariances, in row blocks)."""
    m = x.shape[0]
    diag = np.empty(m)
    above = np.zeros(m)  # sum_{u < t} w_u w_t Cov(mu_u, mu_t)
    block = block or max(1, (1 << 21) // max(m, 1))  # rows per block: about 16 MB of floats
    xc = x @ cov
    we = weight * e_mu
    for a in range(0, m, block):
        b = min(a + block, m)
        # Cov(eta_u, eta_t) for u in [a, b); capped as the simulation caps eta (exp(40))
        c = np.minimum(xc[a:b] @ x.T, 40.0)
        w_blk = np.outer(we[a:b], we) * np.expm1(c)
        rows = np.arange(a, b)
        diag[a:b] = e_mu[a:b] ** 2 * np.expm1(c[rows - a, rows])
        w_blk[np.arange(m)[None, :] <= rows[:, None]] = 0.0
        above += w_blk.sum(axis=0)
    cum = np.cumsum(weight**2 * diag + 2.0 * above)
    return diag, np.maximum(cum, 0.0)


def _analytic_intervals(
    x_cf: np.ndarray,
    cf: np.ndarray,
    cf_ok: np.ndarray,
    obs_ok: np.ndarray,
    tot_obs: float,
    fit: CountGLMFit,
    family: str,
    alpha: float,
) -> _Intervals:
    """Closed-form intervals, the same quantities the simulation estimates.

    With ``eta_t = x_t' beta`` normal (mean ``eta_hat``, variance ``v_t``), ``mu_t = exp(eta_t)``
    is lognormal: its exact moments (``E mu_t = exp(eta_hat + v_t / 2)``, ``Cov(mu_u, mu_t) =
    E mu_u E mu_t (exp(x_u' V x_t) - 1)``) give

    - the mean band ``exp(eta_hat -/+ z sqrt(v_t))`` (exact);
    - the interval of the expected total ``T = sum mu_t`` from a lognormal with the moments of
      ``T`` (exact for one period);
    - prediction bands for counts (per period and cumulated over the observed post periods)
      from the mean and variance of the count (``Var(T)`` plus the mean count variance of the
      model) through :func:`_blend_quantiles`, rounded to whole counts;
    - the relative effect ``observed / S - 1`` at those quantiles of the total ``S`` (at least 1).
    """
    q_lo, q_hi = alpha / 2.0, 1.0 - alpha / 2.0
    z = float(special.ndtri(q_hi))
    cov = fit.cov.to_numpy()
    m = cf.shape[0]
    cf_ci = np.full((2, m), np.nan)
    cf_pi = np.full((2, m), np.nan)
    xs = np.where(cf_ok[:, None], x_cf, 0.0)
    mu = np.where(cf_ok, cf, 0.0)
    v_eta = np.maximum(np.einsum("ij,jk,ik->i", xs, cov, xs), 0.0)
    sd = np.sqrt(v_eta)
    cf_ci[0, cf_ok] = (mu * np.exp(-z * sd))[cf_ok]
    cf_ci[1, cf_ok] = (mu * np.exp(z * sd))[cf_ok]
    e_mu = mu * np.exp(0.5 * v_eta)
    e_mu2 = mu * mu * np.exp(2.0 * v_eta)
    count_var = _count_variance(e_mu, e_mu2, family, fit.theta, fit.scale)
    w = obs_ok.astype(float)
    var_mu, cum_var_mu = _lognormal_pair_sums(xs, cov, e_mu, w)
    # per period
    var_y = count_var + var_mu
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(var_y > 0, var_mu / var_y, 0.0)
    cf_pi[0, cf_ok] = np.rint(_blend_quantiles(e_mu, var_y, share, q_lo))[cf_ok]
    cf_pi[1, cf_ok] = np.rint(_blend_quantiles(e_mu, var_y, share, q_hi))[cf_ok]
    # cumulated over the observed post periods
    cum_mean = np.cumsum(e_mu * w)
    cum_var = np.cumsum(count_var * w) + cum_var_mu
    with np.errstate(invalid="ignore", divide="ignore"):
        cum_share = np.where(cum_var > 0, cum_var_mu / cum_var, 0.0)
    cum_pi = np.vstack(
        [
            np.rint(_blend_quantiles(cum_mean, cum_var, cum_share, q_lo)),
            np.rint(_blend_quantiles(cum_mean, cum_var, cum_share, q_hi)),
        ]
    )
    tot, var_t = float(cum_mean[-1]), float(cum_var_mu[-1])
    if tot > 0:
        s2 = math.log1p(var_t / (tot * tot))
        centre = math.log(tot) - 0.5 * s2
        mean_lo, mean_hi = (
            math.exp(centre - z * math.sqrt(s2)),
            math.exp(centre + z * math.sqrt(s2)),
        )
        s_lo, s_hi = max(float(cum_pi[0, -1]), 1.0), max(float(cum_pi[1, -1]), 1.0)
        rel_lo, rel_hi = tot_obs / s_hi - 1.0, tot_obs / s_lo - 1.0
    else:
        mean_lo = mean_hi = 0.0
        rel_lo = rel_hi = math.nan
    return _Intervals(cf_ci, cf_pi, cum_pi, mean_lo, mean_hi, rel_lo, rel_hi)


def _ljung_box(resid: np.ndarray, lag: int) -> dict[str, float]:
    from statsmodels.stats.diagnostic import acorr_ljungbox

    if lag < 1 or resid.shape[0] <= lag + 1:
        return {"lag": lag, "statistic": math.nan, "p_value": math.nan}
    lb = acorr_ljungbox(resid, lags=[lag], return_df=True)
    return {
        "lag": int(lag),
        "statistic": float(lb["lb_stat"].iloc[0]),
        "p_value": float(lb["lb_pvalue"].iloc[0]),
    }


def _default_lb_lag(freq: str, n: int) -> int:
    base = {"D": 14, "W": 8, "M": 12, "Q": 8, "Y": 5}[freq]
    return int(max(1, min(base, n // 4)))


# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------
@dataclass(eq=False, repr=False)
class ITSResult(Result):
    """Result of :func:`fit_its`.

    Attributes
    ----------
    fit : CountGLMFit
        The underlying GLM fit (coefficients, covariance, diagnostics).
    effects : list of InterventionEffect
        One per intervention, in time order; the last one is the primary effect.
    frame : pandas.DataFrame
        Everything a chart needs, indexed like the series: ``observed``, ``used`` (in the fit),
        ``transition``, ``segment``, ``fitted``, ``counterfactual`` (last intervention's post
        period), ``cf_ci_low/high`` (confidence band of the counterfactual mean), ``cf_pi_low/high``
        (prediction band for counts), ``effect`` (observed - counterfactual) with ``effect_low/high``,
        and ``cum_effect`` with ``cum_effect_low/high``.
    design : pandas.DataFrame
        The full design matrix (all periods, including those not used).
    cumulative_effect : dict
        Sum of ``observed - counterfactual`` over the observed post periods of the last
        intervention: ``estimate``, ``ci_low``/``ci_high`` (prediction interval),
        ``ci_low_mean``/``ci_high_mean`` (parameter uncertainty only), ``observed``, ``expected``,
        ``expected_ci_low``/``expected_ci_high`` (expected total, parameter uncertainty),
        ``expected_pi_low``/``expected_pi_high`` (counts that could have been observed),
        ``n_periods``, ``start``, ``end``. Observed post periods inside an excluded transition
        window are included.
    relative_effect : dict
        ``observed / expected - 1`` over the same periods, with a prediction interval.
    diagnostics : dict
        Dispersion, theta, Ljung-Box test, counts of observations / events, HAC settings...
    warnings : list of str
        Messages of the :class:`~trends.errors.ModelWarning` issued during the fit.
    settings : dict
        The options used.
    """

    fit: CountGLMFit
    effects: list[InterventionEffect]
    frame: pd.DataFrame
    design: pd.DataFrame
    cumulative_effect: dict[str, Any]
    relative_effect: dict[str, Any]
    diagnostics: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    # -- convenience -------------------------------------------------------------------------
    @property
    def primary(self) -> InterventionEffect:
        """The effect of the last intervention."""
        return self.effects[-1]

    @property
    def level_change(self) -> RateRatio:
        """Level change (rate ratio) of the last intervention."""
        return self.primary.level_change

    @property
    def slope_change(self) -> RateRatio | None:
        """Slope change (rate ratio per period) of the last intervention."""
        return self.primary.slope_change

    @property
    def family(self) -> str:
        """Model family."""
        return self.fit.family

    @property
    def se_type(self) -> str:
        """Kind of standard errors (``hac``, ``model`` or ``robust``)."""
        return self.fit.se_type

    # -- Result interface --------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Coefficient table.

        Returns
        -------
        pandas.DataFrame
            One row per term: ``estimate`` (log scale), ``se``, ``z``, ``p_value``,
            ``rate_ratio``, ``ci_low``, ``ci_high`` (of the rate ratio) and ``se_type``.
        """
        alpha = self.settings.get("alpha", 0.05)
        f = self.fit
        z = stats.norm.ppf(1.0 - alpha / 2.0)
        out = pd.DataFrame(
            {
                "estimate": f.params,
                "se": f.bse,
                "z": f.params / f.bse,
                "p_value": f.pvalues,
                "rate_ratio": np.exp(f.params),
                "ci_low": np.exp(f.params - z * f.bse),
                "ci_high": np.exp(f.params + z * f.bse),
            }
        )
        out["se_type"] = f.se_type
        out.index.name = "term"
        return out

    def report(self) -> str:
        """Plain-language paragraph with the main numbers."""
        s = self.settings
        unit = s.get("unit", "period")
        adj = s.get("unit_adj", "per-period")
        what = s.get("series_name") or "events"
        fam = {
            "negbin": "negative binomial",
            "poisson": "Poisson",
            "quasipoisson": "quasi-Poisson",
        }[self.fit.family]
        lvl = f"{round((1 - s.get('alpha', 0.05)) * 100):d}%"
        d = self.diagnostics
        parts = []
        extra = []
        if self.fit.family == "negbin":
            th = self.fit.theta
            extra.append(
                "theta = infinite (no overdispersion)"
                if th is None or not np.isfinite(th)
                else f"theta = {th:.3g}"
            )
        if self.fit.family == "quasipoisson":
            extra.append(f"dispersion = {self.fit.scale:.2f}")
        parts.append(
            f"Interrupted time series, {fam} model ({'; '.join(extra) + '; ' if extra else ''}"
            f"{d['n_used']} of {d['n_periods']} {unit}s used, {d['n_missing']} not reported, "
            f"{_fmt_num(d['total_events'])} events) for {what} from "
            f"{_fmt_date(s['period_start'])} to {_fmt_date(s['period_end'])}; standard errors: "
            f"{self.fit.se_description}."
        )
        for eff in self.effects:
            sentence = (
                f"After {eff.name} on {_fmt_date(eff.start)} the {adj} rate of {what} "
                f"{_describe_change(eff.level_change)} immediately (rate ratio "
                f"{eff.level_change.estimate:.3f}, {lvl} CI {eff.level_change.ci_low:.3f} to "
                f"{eff.level_change.ci_high:.3f})"
            )
            if eff.slope_change is not None:
                sentence += (
                    f"; after that, its trend "
                    f"{_describe_change(eff.slope_change, per=' per ' + unit)} relative to the "
                    f"trend before (rate ratio {eff.slope_change.estimate:.4f} per {unit})"
                )
            parts.append(sentence + ".")
        ce = self.cumulative_effect
        if ce.get("n_periods", 0) > 0 and np.isfinite(ce.get("estimate", math.nan)):
            diff = ce["estimate"]
            word = "more" if diff >= 0 else "fewer"
            parts.append(
                f"Over the {ce['n_periods']} observed {unit}s from {_fmt_date(ce['start'])} to "
                f"{_fmt_date(ce['end'])}, {_fmt_num(ce['observed'])} events were recorded against "
                f"{_fmt_num(ce['expected'])} expected had {self.primary.name} not happened "
                f"({lvl} interval {_fmt_num(ce['expected_pi_low'])} to "
                f"{_fmt_num(ce['expected_pi_high'])}): {_fmt_num(abs(diff))} {word} events "
                f"({lvl} prediction interval "
                f"{_describe_count_interval(ce['ci_low'], ce['ci_high'])})."
            )
        lb = d.get("ljung_box", {})
        parts.append(
            f"Diagnostics: Pearson dispersion {d['dispersion']:.2f}; Ljung-Box test on Pearson "
            f"residuals at lag {lb.get('lag')}: {_fmt_p(lb.get('p_value', math.nan))}."
        )
        if self.warnings:
            parts.append("Caution: " + " ".join(self.warnings))
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary of the result (see the module documentation)."""
        prim = self.primary
        terms = self.summary().reset_index()
        out = {
            "model": "interrupted_time_series",
            "family": self.fit.family,
            "se_type": self.fit.se_type,
            "se_description": self.fit.se_description,
            "hac": None if self.fit.hac is None else self.fit.hac.to_dict(),
            "alpha": self.settings.get("alpha"),
            "frequency": self.settings.get("unit"),
            "period": {
                "start": self.settings.get("period_start"),
                "end": self.settings.get("period_end"),
            },
            "intervention": {"id": prim.id, "name": prim.name, "start": prim.start},
            "level_change_rr": prim.level_change.to_dict(),
            "slope_change_rr": None if prim.slope_change is None else prim.slope_change.to_dict(),
            "interventions": [e.to_dict() for e in self.effects],
            "cumulative_effect": dict(self.cumulative_effect),
            "relative_effect": dict(self.relative_effect),
            "diagnostics": dict(self.diagnostics),
            "terms": terms,
            "theta": self.fit.theta,
            "warnings": list(self.warnings),
            "settings": {
                k: v for k, v in self.settings.items() if k not in ("period_start", "period_end")
            },
        }
        return to_jsonable(out)

    def plot(self, ax=None, **kwargs: Any):
        """Draw observed, fitted and counterfactual series (see :func:`trends.plots.its.plot_its`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw.
        **kwargs
            Passed to :func:`trends.plots.its.plot_its`.

        Returns
        -------
        matplotlib.axes.Axes or tuple
            Whatever ``plot_its`` returns.
        """
        from trends.plots.its import plot_its

        return plot_its(self, ax=ax, **kwargs)


# --------------------------------------------------------------------------------------------
# main entry
# --------------------------------------------------------------------------------------------
def fit_its(
    series: pd.Series,
    interventions: Any,
    *,
    family: Literal["negbin", "poisson", "quasipoisson"] = "negbin",
    trend: bool = True,
    slope_change: bool = True,
    seasonality: Literal["dow", "month"] | None = None,
    fourier: Sequence[tuple[float, int]] | None = None,
    covariates: pd.DataFrame | None = None,
    offset: pd.Series | None = None,
    exposure: pd.Series | None = None,
    transition: int | tuple[int, int] | None = None,
    transition_mode: Literal["exclude", "separate"] = "exclude",
    se: Literal["hac", "model", "robust"] = "hac",
    hac_lags: int | None = None,
    nb_se: Literal["conditional", "joint"] = "conditional",
    alpha: float = 0.05,
    n_sim: int = 2000,
    seed: int | np.random.Generator | None = 0,
    ljung_box_lag: int | None = None,
    intervals: Literal["simulation", "analytic", "delta"] = "simulation",
) -> ITSResult:
    """Fit an interrupted time series (segmented) count regression.

    Parameters
    ----------
    series : pandas.Series
        Counts with a regular DatetimeIndex (daily, weekly, monthly, quarterly or yearly). NaN
        means "not reported" and is left out of the fit.
    interventions : date, object or list of them
        Dates (``str``, ``Timestamp``, ``datetime``) or objects with a ``start`` timestamp and
        optional ``id`` and ``name`` attributes (e.g. reference events). See the module notes for
        the rule that picks the first post period.
    family : {"negbin", "poisson", "quasipoisson"}, default "negbin"
        Count model.
    trend : bool, default True
        Include a linear time trend (``t = 1..n``, in periods).
    slope_change : bool, default True
        Include a ramp (slope change) for each intervention.
    seasonality : {"dow", "month"} or None
        ``dow``: day-of-week indicators (daily series; Monday is the reference). ``month``:
        month-of-year indicators (January is the reference).
    fourier : list of (period, n_pairs), optional
        Fourier terms ``sin(2 pi k t / period)``, ``cos(...)`` for ``k = 1..n_pairs``, with the
        period in series periods (e.g. ``[(7, 2), (365.25, 2)]`` for a daily series).
    covariates : pandas.DataFrame, optional
        Extra regressors indexed like ``series`` (periods with missing values are not used).
    offset : pandas.Series, optional
        Log-scale offset indexed like ``series``.
    exposure : pandas.Series, optional
        Positive exposure (the offset is its log). Give ``offset`` or ``exposure``, not both.
    transition : int or (int, int), optional
        Transition window around each intervention, in periods: ``(before, after)`` periods
        before the first post period and from it on (an int ``n`` means ``(0, n)``).
    transition_mode : {"exclude", "separate"}, default "exclude"
        ``exclude`` drops transition periods from the fit; ``separate`` gives each
        intervention's window its own indicator.
    se : {"hac", "model", "robust"}, default "hac"
        Standard errors (see :func:`trends.models.glm.fit_count_glm`).
    hac_lags : int, optional
        Fixed Newey-West lag (no prewhitening). Default: automatic bandwidth with AR(1)
        prewhitening (R ``sandwich::NeweyWest`` defaults).
    nb_se : {"conditional", "joint"}, default "conditional"
        Negative binomial covariance (see :func:`~trends.models.glm.fit_count_glm`).
    alpha : float, default 0.05
        One minus the confidence level.
    n_sim : int, default 2000
        Parameter draws for the counterfactual intervals.
    seed : int or numpy.random.Generator, default 0
        Randomness for the counterfactual intervals.
    ljung_box_lag : int, optional
        Lag of the Ljung-Box test (default 14 daily, 8 weekly, 12 monthly, at most n/4).
    intervals : {"simulation", "analytic", "delta"}, default "simulation"
        How the counterfactual and effect intervals are obtained. ``"simulation"``: ``n_sim``
        coefficient draws, each with simulated counts (see the module notes). ``"analytic"``:
        the same quantities in closed form, without random draws: the counterfactual mean is
        lognormal when the coefficients are normal, so its band and the exact moments of any
        sum of means follow; count bands use the predictive mean and variance of the counts
        (parameter and count uncertainty) with a lognormal / negative binomial quantile blend
        (see :func:`_analytic_intervals`). Several times faster (no ``n * n_sim`` count draws);
        it agrees with a long simulation to a few percent except for extreme extrapolations.
        ``n_sim`` and ``seed`` are then unused. ``"delta"`` is accepted as another name of
        ``"analytic"`` (the settings record ``"analytic"``). The level and slope changes and
        their Wald intervals do not depend on this option.

    Returns
    -------
    ITSResult
        Effects, counterfactual, diagnostics.

    Raises
    ------
    trends.errors.InputError
        Bad series (not a regular DatetimeIndex, negative counts...), bad options or
        interventions outside the series.
    trends.errors.InsufficientDataError
        All-zero series, fewer than :data:`MIN_EVENTS` events, or a segment with no observed
        periods or no events.
    trends.errors.ConvergenceError
        The model did not converge.

    Warns
    -----
    trends.errors.ModelWarning
        Overdispersion under Poisson, residual autocorrelation with model-based errors, small
        counts.
    """
    # ---------------------------------------------------------------- validate inputs
    if not isinstance(series, pd.Series):
        raise InputError("series must be a pandas Series of counts with a DatetimeIndex")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise InputError("series must have a DatetimeIndex")
    tz = series.index.tz
    if tz is not None:  # work in the series' local calendar
        series = series.tz_localize(None)
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise InputError("the series index must be sorted and without duplicates")
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    if n_sim < 100:
        raise InputError("n_sim must be at least 100")
    if intervals not in ("simulation", "analytic", "delta"):
        raise InputError(f"intervals must be 'simulation' or 'analytic', got {intervals!r}")
    if intervals == "delta":
        intervals = "analytic"
    if transition_mode not in ("exclude", "separate"):
        raise InputError("transition_mode must be 'exclude' or 'separate'")
    if seasonality not in (None, "dow", "month"):
        raise InputError("seasonality must be None, 'dow' or 'month'")
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiu":  # plain numbers
        yv = series.to_numpy(dtype=float)
    else:
        y_num = pd.to_numeric(series, errors="coerce").astype(float)
        bad = series.notna() & y_num.isna()
        if bad.any():
            raise InputError(f"non-numeric counts at {series.index[bad][0]}")
        yv = y_num.to_numpy()
    if np.any(yv < 0):
        raise InputError("counts must be non-negative")
    freq = _detect_frequency(series.index)
    n = len(series)
    idx = series.index
    starts = _period_starts(idx, freq)
    specs_raw = _normalise_interventions(interventions, tz)
    specs: list[_Spec] = []
    for iid, name, start in specs_raw:
        pos = first_post_position(starts, start)
        if pos <= 0:
            raise InputError(
                f"intervention {name!r} ({start.date()}) is at or before the first period of the "
                "series: there is no pre-intervention period"
            )
        if pos >= n:
            raise InputError(
                f"intervention {name!r} ({start.date()}) is after the last period of the series"
            )
        if specs and pos <= specs[-1].position:
            raise InputError(
                f"interventions {specs[-1].name!r} and {name!r} fall in the same period; "
                "merge them or use a finer series"
            )
        specs.append(_Spec(iid, name, start, pos))

    if transition is None:
        tb, ta = 0, 0
    elif isinstance(transition, (int, np.integer)):
        tb, ta = 0, int(transition)
    else:
        try:
            tb, ta = (int(v) for v in transition)
        except (TypeError, ValueError) as exc:
            raise InputError("transition must be an int or a (before, after) pair") from exc
    if tb < 0 or ta < 0:
        raise InputError("transition windows must be non-negative")

    # ---------------------------------------------------------------- design
    t = np.arange(1, n + 1, dtype=float)
    cols: dict[str, np.ndarray] = {"intercept": np.ones(n)}
    if trend:
        cols["trend"] = t
    transition_any = np.zeros(n, dtype=bool)
    inter_terms: dict[str, list[str]] = {}
    segment = np.zeros(n, dtype=int)
    for j, sp in enumerate(specs):
        post = (np.arange(n) >= sp.position).astype(float)
        segment[sp.position :] = j + 1
        lv = f"level[{sp.id}]"
        cols[lv] = post
        names = [lv]
        if slope_change:
            sl = f"slope[{sp.id}]"
            cols[sl] = np.maximum(np.arange(n) - sp.position + 1, 0).astype(float)
            names.append(sl)
        if tb or ta:
            lo = max(sp.position - tb, 0)
            hi = min(sp.position + ta, n)
            win = np.zeros(n, dtype=bool)
            win[lo:hi] = True
            transition_any |= win
            if transition_mode == "separate" and win.any():
                tr = f"transition[{sp.id}]"
                cols[tr] = win.astype(float)
                names.append(tr)
        inter_terms[sp.id] = names
    if seasonality == "dow":
        if freq != "D":
            raise InputError("seasonality='dow' needs a daily series")
        dow = idx.day_of_week
        for d_, lab in enumerate(["Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], start=1):
            cols[f"dow[{lab}]"] = (dow == d_).astype(float)
    elif seasonality == "month":
        if freq in ("Q", "Y"):
            raise InputError("seasonality='month' needs a daily, weekly or monthly series")
        mon = idx.month
        for m_ in range(2, 13):
            cols[f"month[{m_}]"] = (mon == m_).astype(float)
    if fourier:
        for item in fourier:
            try:
                period, pairs = float(item[0]), int(item[1])
            except (TypeError, ValueError, IndexError) as exc:
                raise InputError("fourier must be a list of (period, n_pairs)") from exc
            if period <= 0 or pairs < 1:
                raise InputError("fourier periods must be > 0 and n_pairs >= 1")
            for k in range(1, pairs + 1):
                cols[f"sin[{period:g},{k}]"] = np.sin(2.0 * np.pi * k * t / period)
                cols[f"cos[{period:g},{k}]"] = np.cos(2.0 * np.pi * k * t / period)
    design = pd.DataFrame(cols, index=idx)
    if covariates is not None:
        if isinstance(covariates, pd.Series):
            covariates = covariates.to_frame()
        if not isinstance(covariates, pd.DataFrame):
            raise InputError("covariates must be a DataFrame indexed like the series")
        cov_al = covariates.reindex(idx).apply(pd.to_numeric, errors="coerce").astype(float)
        clash = set(cov_al.columns.astype(str)) & set(design.columns)
        if clash:
            raise InputError(f"covariate names clash with model terms: {sorted(clash)}")
        cov_al.columns = [str(c) for c in cov_al.columns]
        design = pd.concat([design, cov_al], axis=1)
    if offset is not None and exposure is not None:
        raise InputError("give offset or exposure, not both")
    off_all = np.zeros(n)
    if exposure is not None:
        ex = pd.Series(exposure).reindex(idx).astype(float)
        if (ex <= 0).any():
            raise InputError("exposure must be positive")
        off_all = np.log(ex.to_numpy())
    elif offset is not None:
        off_all = pd.Series(offset).reindex(idx).astype(float).to_numpy()

    # ---------------------------------------------------------------- rows used
    observed = ~np.isnan(yv)
    design_ok = np.all(np.isfinite(design.to_numpy()), axis=1) & np.isfinite(off_all)
    used = observed & design_ok
    if transition_mode == "exclude":
        used &= ~transition_any
    total = float(np.nansum(yv[used]))
    if used.sum() == 0 or total == 0:
        raise InsufficientDataError(
            "the series has no events in the periods that can be used: all counts are zero or "
            "missing, so no rate (and no change in rate) can be estimated"
        )
    if total < MIN_EVENTS:
        raise InsufficientDataError(
            f"only {total:g} events in the fitted periods; at least {MIN_EVENTS} are needed for "
            "a count regression (compare phases with trends.models.rates.compare_rates instead)"
        )
    for s_ in range(len(specs) + 1):
        mask = used & (segment == s_)
        label = (
            f"before {specs[0].name} ({_fmt_date(specs[0].start)})"
            if s_ == 0
            else f"after {specs[s_ - 1].name} ({_fmt_date(specs[s_ - 1].start)})"
        )
        if mask.sum() == 0:
            raise InsufficientDataError(
                f"the segment {label} has no observed periods that can be used in the fit"
            )
        if np.sum(yv[mask]) == 0:
            raise InsufficientDataError(
                f"the segment {label} has no events: a log-linear level change cannot be "
                "estimated (its rate ratio would be 0 or infinite); use "
                "trends.models.rates.compare_rates for an exact interval"
            )
        if slope_change and s_ > 0 and mask.sum() < 2:
            raise InsufficientDataError(
                f"the segment {label} has fewer than two usable periods: its slope change "
                "cannot be estimated (use slope_change=False)"
            )

    # ---------------------------------------------------------------- fit
    x_used = design.loc[used]
    pos_used = np.flatnonzero(used)
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always", ModelWarning)
        fit = fit_count_glm(
            pd.Series(yv[used], index=idx[used]),
            x_used,
            family,
            offset=off_all[used],
            se=se,
            hac_lags=hac_lags,
            nb_se=nb_se,
            time_index=pos_used,
        )
    for w in wlist:
        if issubclass(w.category, ModelWarning):
            caught.append(str(w.message))
        else:  # pragma: no cover - re-emit foreign warnings
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    effects = []
    for sp in specs:
        lv = _rate_ratio(fit, f"level[{sp.id}]", alpha)
        sl = _rate_ratio(fit, f"slope[{sp.id}]", alpha) if slope_change else None
        effects.append(
            InterventionEffect(
                id=sp.id,
                name=sp.name,
                start=sp.start,
                first_period=idx[sp.position],
                position=sp.position,
                level_change=lv,
                slope_change=sl,
            )
        )

    # ---------------------------------------------------------------- fitted & counterfactual
    beta = fit.params.to_numpy()
    xa = design.to_numpy(dtype=float)
    fitted = np.exp(xa @ beta + off_all)
    last = specs[-1]
    zero_cols = [design.columns.get_loc(c) for c in inter_terms[last.id]]
    p0 = last.position
    x_cf = xa[p0:].copy()
    x_cf[:, zero_cols] = 0.0
    off_cf = off_all[p0:]
    cf = np.exp(x_cf @ beta + off_cf)
    cf_ok = np.isfinite(cf)
    obs_post = yv[p0:]
    obs_ok = ~np.isnan(obs_post) & cf_ok
    cum_obs = np.cumsum(np.where(obs_ok, obs_post, 0.0))
    cum_cf = np.cumsum(np.where(obs_ok, cf, 0.0))
    tot_obs_all = float(cum_obs[-1])
    if intervals == "simulation":
        iv = _simulation_intervals(
            x_cf, off_cf, cf_ok, obs_ok, tot_obs_all, fit, family, n_sim, alpha, _rng(seed)
        )
    else:
        iv = _analytic_intervals(x_cf, cf, cf_ok, obs_ok, tot_obs_all, fit, family, alpha)
    cf_ci, cf_pi, cum_pi = iv.cf_ci, iv.cf_pi, iv.cum_pi
    effect = np.where(obs_ok, obs_post - cf, np.nan)
    eff_lo = np.where(obs_ok, obs_post - cf_pi[1], np.nan)
    eff_hi = np.where(obs_ok, obs_post - cf_pi[0], np.nan)
    ok_f = obs_ok.astype(float)
    cum_effect = cum_obs - cum_cf
    cum_lo = cum_obs - cum_pi[1]
    cum_hi = cum_obs - cum_pi[0]
    never = np.cumsum(ok_f) == 0
    for arr in (cum_effect, cum_lo, cum_hi):
        arr[never] = np.nan

    def _post(values: np.ndarray) -> np.ndarray:
        full = np.full(n, np.nan)
        full[p0:] = values
        return full

    frame = pd.DataFrame(
        {
            "observed": yv,
            "used": used,
            "transition": transition_any,
            "segment": ["pre" if s_ == 0 else specs[s_ - 1].id for s_ in segment],
            "fitted": fitted,
            "counterfactual": _post(cf),
            "cf_ci_low": _post(cf_ci[0]),
            "cf_ci_high": _post(cf_ci[1]),
            "cf_pi_low": _post(cf_pi[0]),
            "cf_pi_high": _post(cf_pi[1]),
            "effect": _post(effect),
            "effect_low": _post(eff_lo),
            "effect_high": _post(eff_hi),
            "cum_effect": _post(cum_effect),
            "cum_effect_low": _post(cum_lo),
            "cum_effect_high": _post(cum_hi),
        },
        index=idx,
    )

    n_post_obs = int(obs_ok.sum())
    if n_post_obs:
        last_ok = int(np.flatnonzero(obs_ok)[-1])
        first_ok = int(np.flatnonzero(obs_ok)[0])
        tot_obs = float(cum_obs[-1])
        tot_cf = float(cum_cf[-1])
        mean_lo, mean_hi = iv.mean_lo, iv.mean_hi
        rel_lo, rel_hi = iv.rel_lo, iv.rel_hi
        cumulative = {
            "estimate": tot_obs - tot_cf,
            "ci_low": float(cum_lo[-1]),
            "ci_high": float(cum_hi[-1]),
            "ci_low_mean": tot_obs - float(mean_hi),
            "ci_high_mean": tot_obs - float(mean_lo),
            "observed": tot_obs,
            "expected": tot_cf,
            "expected_ci_low": float(mean_lo),
            "expected_ci_high": float(mean_hi),
            "expected_pi_low": float(cum_pi[0][-1]),
            "expected_pi_high": float(cum_pi[1][-1]),
            "n_periods": n_post_obs,
            "start": idx[p0 + first_ok],
            "end": idx[p0 + last_ok],
            "interval": "prediction (parameter and count uncertainty)"
            if intervals == "simulation"
            else "prediction (parameter and count uncertainty; closed form, lognormal means)",
        }
        relative = {
            "estimate": tot_obs / tot_cf - 1.0 if tot_cf > 0 else math.nan,
            "ci_low": float(rel_lo),
            "ci_high": float(rel_hi),
        }
    else:  # pragma: no cover - excluded by the segment checks
        cumulative = {"estimate": math.nan, "n_periods": 0}
        relative = {"estimate": math.nan}

    # ---------------------------------------------------------------- diagnostics & warnings
    lb_lag = ljung_box_lag if ljung_box_lag is not None else _default_lb_lag(freq, int(used.sum()))
    lb = _ljung_box(fit.resid_pearson.to_numpy(), lb_lag)
    messages = list(caught)
    if family == "poisson" and fit.dispersion > 1.5:
        messages.append(
            f"Overdispersion: Pearson X2/df = {fit.dispersion:.2f} under a Poisson model; "
            "model-based standard errors are too small (use family='negbin' or 'quasipoisson'"
            + ("" if se == "hac" else ", or se='hac'")
            + ")."
        )
    if se == "model" and np.isfinite(lb["p_value"]) and lb["p_value"] < 0.05:
        messages.append(
            f"Residual autocorrelation (Ljung-Box lag {lb['lag']}, {_fmt_p(lb['p_value'])}) "
            "with model-based standard errors: intervals are likely too narrow (use se='hac')."
        )
    seg_events = [float(np.sum(yv[used & (segment == s_)])) for s_ in range(len(specs) + 1)]
    if min(seg_events) < SMALL_SEGMENT_EVENTS or total < 3 * SMALL_SEGMENT_EVENTS:
        messages.append(
            f"Small counts ({_fmt_num(total)} events in total, as few as "
            f"{_fmt_num(min(seg_events))} in one segment): the large-sample intervals are "
            "approximate."
        )
    for msg in messages:
        warnings.warn(msg, ModelWarning, stacklevel=2)

    unit = _FREQ_UNITS[freq]
    diagnostics = {
        "n_periods": int(n),
        "n_used": int(used.sum()),
        "n_missing": int((~observed).sum()),
        "n_transition_excluded": int((observed & transition_any).sum())
        if transition_mode == "exclude"
        else 0,
        "total_events": total,
        "events_by_segment": {
            ("pre" if s_ == 0 else specs[s_ - 1].id): seg_events[s_] for s_ in range(len(specs) + 1)
        },
        "dispersion": fit.dispersion,
        "pearson_chi2": fit.pearson_chi2,
        "df_resid": fit.df_resid,
        "deviance": fit.deviance,
        "theta": fit.theta,
        "se_theta": fit.se_theta,
        "loglik": fit.loglik,
        "aic": fit.aic,
        "ljung_box": lb,
        "hac": None if fit.hac is None else fit.hac.to_dict(),
        "converged": fit.converged,
        "notes": list(fit.notes),
    }
    settings = {
        "family": family,
        "trend": trend,
        "slope_change": slope_change,
        "seasonality": seasonality,
        "fourier": [list(f_) for f_ in fourier] if fourier else None,
        "covariates": None if covariates is None else [str(c) for c in covariates.columns],
        "offset": "exposure"
        if exposure is not None
        else ("offset" if offset is not None else None),
        "transition": [tb, ta] if (tb or ta) else None,
        "transition_mode": transition_mode,
        "se": se,
        "hac_lags": hac_lags,
        "nb_se": nb_se,
        "alpha": alpha,
        "n_sim": n_sim,
        "intervals": intervals,
        "seed": seed if isinstance(seed, (int, np.integer)) or seed is None else "generator",
        "unit": unit,
        "unit_adj": _FREQ_ADJ[freq],
        "series_name": None if series.name is None else str(series.name),
        "period_start": idx[0],
        "period_end": idx[-1],
        "first_post_rule": "first period starting on or after the intervention's date",
    }
    return ITSResult(
        fit=fit,
        effects=effects,
        frame=frame,
        design=design,
        cumulative_effect=cumulative,
        relative_effect=relative,
        diagnostics=diagnostics,
        warnings=messages,
        settings=settings,
    )

"""One ITS specification at many intervention dates, fitted in one batch.

:func:`fit_its_at_dates` is what ``fit_its_model(series, spec.with_intervention(date))`` gives
for every date (the level and slope changes and their standard errors), computed by the batched
kernel (:func:`trends.models.batched.fit_count_glm_batch`) from the designs of all the dates
stacked together. The designs are those of :func:`~trends.models.its_design.build_design` (the
intervention columns are rebuilt for each date; the design of the last date is checked against
``build_design`` itself) and the rows those of :func:`~trends.models.its_design.usable_rows`
(the same refusals: too few events, a segment without events...). The placebo test uses it;
dates the batch cannot fit exactly are flagged for the one-date path.

With ``windows``, the fit at each date uses only the periods ``[start, stop)`` of its window:
the result is that of ``fit_its_model(prepared.window(...), spec.with_intervention(date))``
(the trend column restarts at 1 at each window's start, the Newey-West grid spans each fit's
own rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, TrendsError
from trends.models.batched import fit_count_glm_batch, supports
from trends.models.its_design import (
    MIN_EVENTS,
    ITSDesign,
    PreparedSeries,
    build_design,
    place_interventions,
    prepare_series,
)
from trends.models.spec import ITSSpec

__all__ = ["DateFits", "fit_its_at_dates"]


@dataclass(frozen=True)
class DateFits:
    """Level and slope changes of one specification at many intervention dates.

    Attributes
    ----------
    dates : pandas.DatetimeIndex
        The intervention dates.
    level_coef, level_se : numpy.ndarray
        Level change (log rate ratio) at each date and its standard error (NaN where ``ok`` is
        False).
    slope_coef, slope_se : numpy.ndarray or None
        Slope change and its standard error (``None`` without a slope change).
    theta : numpy.ndarray
        Negative binomial theta of each fit (``inf`` for Poisson families).
    ok : numpy.ndarray of bool
        Dates the batch fitted; the others need ``fit_its_model`` one by one (which may refuse
        them, as the batch's checks suspected, or fit them).
    """

    dates: pd.DatetimeIndex
    level_coef: np.ndarray
    level_se: np.ndarray
    slope_coef: np.ndarray | None
    slope_se: np.ndarray | None
    theta: np.ndarray
    ok: np.ndarray


def _positions(spec: ITSSpec, prepared: PreparedSeries, dates: pd.DatetimeIndex) -> np.ndarray:
    """First post period of each date (``-1`` where the date cannot be placed)."""
    out = np.full(len(dates), -1, dtype=np.int64)
    for i, date in enumerate(dates):
        try:
            out[i] = place_interventions(spec.with_intervention(date), prepared)[0].position
        except TrendsError:
            pass
    return out


def _stacked_designs(
    spec: ITSSpec, prepared: PreparedSeries, base: ITSDesign, pos: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """``(F, n, k)`` designs, ``(F, n)`` transition masks, and the level/slope column numbers.

    ``start`` is the first period of each fit's window (its trend restarts there at 1).
    """
    cols = list(base.matrix.columns)
    terms = next(iter(base.terms.values()))
    where = [cols.index(t) for t in terms]
    x = np.repeat(base.matrix.to_numpy(dtype=float)[None], len(pos), axis=0)
    n = prepared.n
    if "trend" in cols:
        x[:, :, cols.index("trend")] = np.arange(1, n + 1)[None, :] - start[:, None]
    t = np.arange(n)[None, :]
    p = pos[:, None]
    tb, ta = base.window
    window = (t >= np.maximum(p - tb, 0)) & (t < np.minimum(p + ta, n)) if (tb or ta) else None
    for name, j in zip(terms, where, strict=True):
        if name.startswith("level["):
            x[:, :, j] = (t >= p).astype(float)
        elif name.startswith("slope["):
            x[:, :, j] = np.maximum(t - p + 1, 0).astype(float)
        elif window is not None:  # transition[...] (transition_mode="separate")
            x[:, :, j] = window.astype(float)
    transition = np.zeros(x.shape[:2], dtype=bool) if window is None else window
    return x, transition, where


def _usable(
    spec: ITSSpec,
    prepared: PreparedSeries,
    x: np.ndarray,
    offset: np.ndarray,
    transition: np.ndarray,
    pos: np.ndarray,
    bounds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of each fit (inside its window ``bounds``) and whether :func:`usable_rows` would
    accept them."""
    yv = prepared.values
    observed = ~np.isnan(yv)
    design_ok = np.all(np.isfinite(x), axis=2) & np.isfinite(offset)[None]
    t = np.arange(prepared.n)[None]
    inside = (t >= bounds[:, :1]) & (t < bounds[:, 1:])
    used = observed[None] & design_ok & inside
    if spec.transition_mode == "exclude":
        used &= ~transition
    y0 = np.where(observed, yv, 0.0)[None]
    post = np.arange(prepared.n)[None] >= pos[:, None]
    total = np.sum(y0 * used, axis=1)
    good = (total > 0) & (total >= MIN_EVENTS)
    for seg in (~post, post):
        rows = used & seg
        good &= (rows.sum(axis=1) > 0) & (np.sum(y0 * rows, axis=1) > 0)
    if spec.slope_change:
        good &= (used & post).sum(axis=1) >= 2
    return used, good


def _designs_agree(
    spec: ITSSpec,
    prepared: PreparedSeries,
    x_one: np.ndarray,
    base: ITSDesign,
    date: Any,
    bounds: tuple[int, int],
) -> bool:
    """Whether ``build_design`` on the date's window gives the stacked design (a guard)."""
    lo, hi = bounds
    win = prepared if (lo, hi) == (0, prepared.n) else _window(prepared, lo, hi)
    spec_d = spec.with_intervention(date)
    design = build_design(spec_d, win, place_interventions(spec_d, win))
    same_cols = list(design.matrix.columns) == list(base.matrix.columns)
    return same_cols and np.array_equal(design.matrix.to_numpy(dtype=float), x_one[lo:hi], True)


def _window(prepared: PreparedSeries, lo: int, hi: int) -> PreparedSeries:
    """The periods ``lo .. hi - 1`` of the series (by position; as ``PreparedSeries.window``)."""
    return PreparedSeries(
        prepared.series.iloc[lo:hi], prepared.values[lo:hi], prepared.freq,
        prepared.starts[lo:hi], prepared.tz,
    )  # fmt: skip


def _bounds(windows: Any, n: int, f: int) -> np.ndarray:
    """``(F, 2)`` window limits ``[start, stop)`` (the whole series by default)."""
    if windows is None:
        return np.tile(np.array([0, n], dtype=np.int64), (f, 1))
    b = np.asarray(windows, dtype=np.int64).reshape(f, 2)
    if np.any(b[:, 0] < 0) or np.any(b[:, 1] > n) or np.any(b[:, 0] >= b[:, 1]):
        raise InputError(f"windows must be position pairs 0 <= start < stop <= {n}")
    return b


def _empty(dates: pd.DatetimeIndex, slope: bool) -> DateFits:
    nan = np.full(len(dates), np.nan)
    return DateFits(
        dates, nan, nan.copy(), nan.copy() if slope else None, nan.copy() if slope else None,
        nan.copy(), np.zeros(len(dates), dtype=bool),
    )  # fmt: skip


def fit_its_at_dates(
    series: pd.Series | PreparedSeries, spec: ITSSpec, dates: Any, windows: Any = None
) -> DateFits:
    """Fit ``spec`` with its intervention at each date, all in one batch.

    Parameters
    ----------
    series : pandas.Series or PreparedSeries
        The counts (NaN = not reported).
    spec : ITSSpec
        The specification; its interventions are replaced by each date in turn (as
        ``spec.with_intervention(date)``).
    dates : sequence of dates
        The intervention dates.
    windows : array-like of int, optional
        ``(len(dates), 2)`` positions ``[start, stop)``: the fit at date ``i`` uses the periods
        ``start .. stop - 1`` only, as ``fit_its_model`` on that window would (the trend restarts
        at each window). Default: the whole series for every date.

    Returns
    -------
    DateFits
        Level (and slope) changes with their standard errors; ``ok`` is False for the dates the
        batch could not fit (unsupported family, covariance or inference method, refused data,
        no convergence):
        fit those with :func:`trends.models.its.fit_its_model`.

    Raises
    ------
    trends.errors.InputError
        Windows outside the series.
    """
    prepared = prepare_series(series)
    spec = spec.validated()
    dates = pd.DatetimeIndex(dates)
    bounds = _bounds(windows, prepared.n, len(dates))
    family, estimator = spec.family_object(), spec.covariance_estimator()
    out = _empty(dates, spec.slope_change)
    pos = _positions(spec, prepared, dates)
    placed = (pos > bounds[:, 0]) & (pos < bounds[:, 1])
    varying = bool(np.any(bounds[:, 0] != bounds[0, 0])) if len(dates) else False
    if (
        not len(dates)
        or not placed.any()
        or spec.inference != "glm"  # the stacked kernel fits count GLMs only
        or not supports(family, estimator, spec.nb_se)
        or (varying and spec.fourier)  # Fourier terms restart with each window: one by one
    ):
        return out
    first = int(np.flatnonzero(placed)[0])
    spec0 = spec.with_intervention(dates[first])
    base = build_design(spec0, prepared, place_interventions(spec0, prepared))
    x, transition, where = _stacked_designs(
        spec, prepared, base, np.where(placed, pos, 1), bounds[:, 0]
    )
    for j in {first, int(np.flatnonzero(placed)[-1])}:
        if not _designs_agree(spec, prepared, x[j], base, dates[j], tuple(bounds[j])):
            return out  # pragma: no cover - a guard: the one-date path then fits every date
    used, good = _usable(spec, prepared, x, base.offset, transition, pos, bounds)
    good &= placed
    if not good.any():
        return out
    rows = np.any(used[good], axis=0)
    yv = np.where(np.isnan(prepared.values), 0.0, prepared.values)[rows]
    idx = np.flatnonzero(good)
    fits = fit_count_glm_batch(
        yv, x[idx][:, rows], family, estimator,
        offset=np.where(rows, base.offset, 0.0)[rows], mask=used[idx][:, rows],
        time_index=np.flatnonzero(rows),
    )  # fmt: skip
    ok = np.zeros(len(dates), dtype=bool)
    ok[idx] = fits.ok
    out.level_coef[idx], out.level_se[idx] = fits.params[:, where[0]], fits.bse[:, where[0]]
    if out.slope_coef is not None and out.slope_se is not None:
        out.slope_coef[idx], out.slope_se[idx] = fits.params[:, where[1]], fits.bse[:, where[1]]
    out.theta[idx] = fits.theta
    return DateFits(
        dates, out.level_coef, out.level_se, out.slope_coef, out.slope_se, out.theta, ok
    )

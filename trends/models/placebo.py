"""In-time placebo test: is the estimated change unusual compared with changes at fake dates?

The level change at the real intervention is compared with the level changes the same model
finds at every admissible *fake* intervention date inside the pre-intervention period, where
nothing is supposed to have happened. If the real estimate is no larger than those, the data do
not single out the intervention.

Method (documented choices):

- Data: the pre-intervention periods only (before the real intervention's first post period, and
  before its transition window when one is given; from the previous intervention's first post
  period on, when there is one). Unreported (NaN) periods stay missing, as in the real fit.
- Fake dates: every observed period with at least ``min_segment`` observed periods before it and
  from it on (default: 14 periods or a tenth of the pre-period, whichever is larger).
- Model at each fake date: *the same specification* as the real fit, refitted through the same
  fit function, ``fit_its_model(pre_period, spec.with_intervention(fake_date))`` (family and its
  dispersion estimation, trend, slope change, transition window, seasonality, covariates, offset,
  covariance estimator): its level change is what ``fit_its`` reports for that date. By default
  all the fake dates are fitted in one batch (:func:`trends.models.its_batched.fit_its_at_dates`,
  the stacked IRLS kernel of :mod:`trends.models.batched`): the same estimates and standard errors
  to about ``1e-10`` relative (tested below ``1e-8``), about ten times faster; a date the batch
  cannot finish exactly as the one-date fit would (no convergence, theta at its boundary, an
  unsupported family or covariance...) is refitted with ``fit_its_model``, and
  ``batched=False`` refits every date that way (the reference path; also the only path of a
  spec with ``inference="latent_ar"``, whose fake dates are latent-AR fits). A fake date whose model
  cannot be fitted (for example no events on one side) is left out and counted in
  ``n_failed``.
- Statistic: the level change on the log scale, ``b``. Two-sided empirical p-value
  ``(1 + #{|b_fake| >= |b_real|}) / (1 + n_fake)`` and the one-sided version in the direction of
  the real change. With few admissible dates the smallest attainable p-value is ``1/(1+n)``:
  the report states it. The standard error of each fake estimate (of the spec's covariance
  estimator) is kept in ``placebo_se``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InsufficientDataError, ModelWarning, TrendsError
from trends.models.its import ITSResult, ITSSpec, fit_its_model
from trends.models.its_batched import fit_its_at_dates
from trends.models.its_design import PreparedSeries, prepare_series
from trends.results import Result, to_jsonable
from trends.verdicts.words import fmt_ratio, placebo_phrase, plural

__all__ = ["PlaceboResult", "placebo_dates", "placebo_test"]


@dataclass(eq=False)
class PlaceboResult(Result):
    """Placebo distribution of level changes and the real estimate's place in it.

    Attributes
    ----------
    real_log_rr : float
        The real fit's level change (log rate ratio).
    placebo_log_rr : pandas.Series
        Level change of the same specification at each fake date (NaN when it could not be
        fitted), indexed by the fake date.
    p_value, p_value_one_sided : float
        Empirical p-values (see the module notes).
    min_segment : int
        Observed periods required each side of a fake date.
    family : str
        Family of the specification.
    theta : float or None
        The real fit's negative binomial theta (each fake fit estimates its own when the family
        does).
    outcome : str
        Name of the series.
    placebo_se : pandas.Series or None
        Standard error of each fake level change (the spec's covariance estimator).
    n_failed : int
        Fake dates whose model could not be fitted.
    spec : ITSSpec or None
        The specification that was refitted (with the real intervention).
    """

    real_log_rr: float
    placebo_log_rr: pd.Series  # indexed by fake intervention date
    p_value: float
    p_value_one_sided: float
    min_segment: int
    family: str
    theta: float | None
    outcome: str = "events"
    placebo_se: pd.Series | None = None
    n_failed: int = 0
    spec: ITSSpec | None = None

    @property
    def n_placebos(self) -> int:
        return int(self.placebo_log_rr.notna().sum())

    @property
    def real_rate_ratio(self) -> float:
        return float(math.exp(self.real_log_rr))

    def summary(self) -> pd.DataFrame:
        rr = np.exp(self.placebo_log_rr.dropna())
        return pd.DataFrame(
            [
                {
                    "real_rate_ratio": self.real_rate_ratio,
                    "n_placebos": self.n_placebos,
                    "placebo_rr_p2.5": float(rr.quantile(0.025)) if len(rr) else np.nan,
                    "placebo_rr_median": float(rr.median()) if len(rr) else np.nan,
                    "placebo_rr_p97.5": float(rr.quantile(0.975)) if len(rr) else np.nan,
                    "p_value": self.p_value,
                    "p_value_one_sided": self.p_value_one_sided,
                }
            ]
        )

    def report(self) -> str:
        n = self.n_placebos
        if n == 0:
            return "No placebo date was admissible: the pre-intervention period is too short."
        larger = int((self.placebo_log_rr.abs() >= abs(self.real_log_rr)).sum())
        rr = np.exp(self.placebo_log_rr.dropna())
        real = f"The real level change (rate ratio {fmt_ratio(self.real_rate_ratio)})"
        return (
            f"In-time placebo test for {self.outcome}: at {plural(n, 'fake intervention date')} "
            f"in the pre-intervention period the same model found level changes (rate ratios) "
            f"between {rr.min():.2f} and {rr.max():.2f} (middle 95%: {rr.quantile(0.025):.2f} to "
            f"{rr.quantile(0.975):.2f}). {placebo_phrase(larger, n, what=real)}. Empirical "
            f"p-value {self.p_value:.3f} (two-sided; one-sided {self.p_value_one_sided:.3f})."
        )

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(
            {
                "method": "in-time placebo over every admissible pre-period date",
                "p_value": self.p_value,
                "p_value_one_sided": self.p_value_one_sided,
                "n_placebos": self.n_placebos,
                "real_rate_ratio": self.real_rate_ratio,
                "min_segment": self.min_segment,
                "family": self.family,
                "theta": self.theta,
                "placebo_rate_ratios": {
                    str(pd.Timestamp(k).date()): float(math.exp(v))
                    for k, v in self.placebo_log_rr.dropna().items()
                },
            }
        )

    # plot(): inherited from Result, draws the chart registered for PlaceboResult


def _spec_of(its_result: ITSResult) -> ITSSpec:
    """The specification of the real fit (rebuilt from its settings for old results)."""
    if its_result.spec is not None:
        return its_result.spec
    st = its_result.settings
    return ITSSpec.from_options(
        [e.start for e in its_result.effects],
        family=its_result.family,
        trend=bool(st.get("trend", True)),
        slope_change=bool(st.get("slope_change", True)),
        transition=tuple(st["transition"]) if st.get("transition") else None,
        transition_mode=st.get("transition_mode", "exclude"),
        se=st.get("se", "hac"),
        hac_lags=st.get("hac_lags"),
        nb_se=st.get("nb_se", "conditional"),
        alpha=float(st.get("alpha", 0.05)),
        inference=st.get("inference", "glm"),
    )


def _pre_period(prepared: PreparedSeries, its_result: ITSResult) -> PreparedSeries:
    """Periods before the real intervention (and its transition window), after the previous one."""
    primary = its_result.primary
    index = prepared.index
    post_pos = int(primary.position)
    before, _after = its_result.settings.get("transition") or (0, 0)
    post_start = index[max(post_pos - int(before), 0)]
    earlier = [e for e in its_result.effects if int(e.position) < post_pos]
    pre_start = max((pd.Timestamp(e.first_period) for e in earlier), default=index.min())
    return prepared.window(pre_start, post_start)


def placebo_dates(pre: PreparedSeries, min_segment: int) -> pd.DatetimeIndex:
    """Fake dates: observed periods with ``min_segment`` observed periods before and from them.

    Parameters
    ----------
    pre : PreparedSeries
        The pre-intervention periods.
    min_segment : int
        Observed periods required each side.

    Returns
    -------
    pandas.DatetimeIndex
        The admissible dates, in order.
    """
    observed = pre.index[~np.isnan(pre.values)]
    n = len(observed)
    return observed[min_segment : n - min_segment + 1]


def _fake_fit(pre: PreparedSeries, spec: ITSSpec, date: pd.Timestamp) -> tuple[float, float]:
    """``(log RR, SE)`` of the level change of ``spec`` at ``date`` (NaN when not estimable)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            fit = fit_its_model(pre, spec.with_intervention(date))
    except (TrendsError, np.linalg.LinAlgError):
        return math.nan, math.nan
    lc = fit.primary.level_change
    return lc.coef, lc.se


def _fake_fits(
    pre: PreparedSeries, spec: ITSSpec, dates: pd.DatetimeIndex, batched: bool
) -> tuple[np.ndarray, np.ndarray]:
    """``(log RR, SE)`` at every fake date: in one batch, the rest (or all) one by one."""
    coef = np.full(len(dates), np.nan)
    se = np.full(len(dates), np.nan)
    todo = np.ones(len(dates), dtype=bool)
    if batched and spec.inference == "glm":  # the batch kernel is the GLM's; others one by one
        fits = fit_its_at_dates(pre, spec, dates)
        coef[fits.ok], se[fits.ok] = fits.level_coef[fits.ok], fits.level_se[fits.ok]
        todo = ~fits.ok
    for i in np.flatnonzero(todo):
        coef[i], se[i] = _fake_fit(pre, spec, dates[i])
    return coef, se


def placebo_test(
    series: pd.Series,
    its_result: ITSResult,
    *,
    min_segment: int | None = None,
    slope_change: bool | None = None,
    batched: bool = True,
) -> PlaceboResult:
    """In-time placebo test of an interrupted-time-series level change.

    Parameters
    ----------
    series : pandas.Series
        The count series the ITS was fitted on (DatetimeIndex; NaN = not reported).
    its_result : ITSResult
        The real fit (:func:`trends.models.its.fit_its`): its specification (``its_result.spec``)
        is refitted at every fake date.
    min_segment : int, optional
        Observed periods required before and after each fake date (default
        ``max(14, pre-period length // 10)``).
    slope_change : bool, optional
        Include a slope change at each fake date (default: as in the real fit).
    batched : bool, default True
        Fit all the fake dates in one batch (:func:`trends.models.its_batched.fit_its_at_dates`:
        the same estimates and standard errors as the one-date fits to about ``1e-10``
        relative; dates it cannot finish are refitted one by one). ``False`` refits each date
        with ``fit_its_model`` (the reference path).

    Returns
    -------
    PlaceboResult
        The placebo distribution and the empirical p-values.

    Raises
    ------
    InsufficientDataError
        When the pre-intervention period has fewer than ``2 * min_segment`` observed periods.
    """
    spec = _spec_of(its_result)
    if slope_change is not None and bool(slope_change) != spec.slope_change:
        spec = spec.replace(slope_change=bool(slope_change))
    pre = _pre_period(prepare_series(series), its_result)
    n = int(np.sum(~np.isnan(pre.values)))
    if min_segment is None:
        min_segment = max(14, n // 10)
    if n < 2 * min_segment:
        raise InsufficientDataError(
            f"the pre-intervention period has {n} observed periods; the placebo test needs at "
            f"least {2 * min_segment} ({min_segment} each side of a fake date)"
        )
    dates = placebo_dates(pre, min_segment)
    coef, se = _fake_fits(pre, spec, dates, batched)
    placebo = pd.Series(coef, index=dates, dtype=float, name="placebo_log_rr")
    placebo.index.name = "fake_date"
    ses = pd.Series(se, index=dates, dtype=float, name="placebo_se")
    real = float(math.log(its_result.primary.level_change.estimate))
    valid = placebo.dropna()
    m = len(valid)
    p2 = (1 + int((valid.abs() >= abs(real)).sum())) / (1 + m)
    p1 = (1 + int(((valid <= real) if real < 0 else (valid >= real)).sum())) / (1 + m)
    theta = its_result.fit.theta
    return PlaceboResult(
        real_log_rr=real,
        placebo_log_rr=placebo,
        p_value=float(p2),
        p_value_one_sided=float(p1),
        min_segment=int(min_segment),
        family=its_result.family,
        theta=None if theta is None else float(theta),
        outcome=str(series.name or "events"),
        placebo_se=ses,
        n_failed=int(len(placebo) - m),
        spec=spec,
    )

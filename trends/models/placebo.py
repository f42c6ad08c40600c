"""In-time placebo test: is the estimated change unusual compared with changes at fake dates?

The level change at the real intervention is compared with the level changes the same model
finds at every admissible *fake* intervention date inside the pre-intervention period, where
nothing is supposed to have happened. If the real estimate is no larger than those, the data do
not single out the intervention.

Method (documented choices):

- Data: the pre-intervention periods only (before the real intervention's first post period, and
  before its transition window when one is given). Missing (not reported) periods are dropped.
- Fake dates: every period with at least ``min_segment`` observed periods before it and after it
  (default: 14 periods or a tenth of the pre-period, whichever is larger).
- Model at each fake date: the same family and terms as the real fit's primary specification
  (log-linear trend, a level step and, if ``slope_change``, a ramp from the fake date). For the
  negative binomial the dispersion is held at the real fit's theta (re-estimating it each time
  would cost a hundred ML fits for little change); point estimates need no standard errors.
- Statistic: the level change on the log scale, ``b``. Two-sided empirical p-value
  ``(1 + #{|b_fake| >= |b_real|}) / (1 + n_fake)`` and the one-sided version in the direction of
  the real change. With few admissible dates the smallest attainable p-value is ``1/(1+n)``:
  the report states it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import ConvergenceError, InsufficientDataError
from trends.models.glm import _irls
from trends.results import Result, to_jsonable

__all__ = ["PlaceboResult", "placebo_test"]


@dataclass(eq=False)
class PlaceboResult(Result):
    """Placebo distribution of level changes and the real estimate's place in it."""

    real_log_rr: float
    placebo_log_rr: pd.Series  # indexed by fake intervention date
    p_value: float
    p_value_one_sided: float
    min_segment: int
    family: str
    theta: float | None
    outcome: str = "events"

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
        return (
            f"In-time placebo test for {self.outcome}: at {n} fake intervention dates in the "
            f"pre-intervention period the same model found level changes (rate ratios) between "
            f"{rr.min():.2f} and {rr.max():.2f} (middle 95%: {rr.quantile(0.025):.2f} to "
            f"{rr.quantile(0.975):.2f}); {larger} of {n} were at least as large as the real one "
            f"({self.real_rate_ratio:.2f}). Empirical p-value {self.p_value:.3f} (two-sided; the "
            f"smallest possible with {n} dates is {1 / (n + 1):.3f})."
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

    def plot(self, ax=None):
        from trends.plots.placebo import plot_placebo

        return plot_placebo(self, ax=ax)


def _fit_level(y: np.ndarray, x: np.ndarray, theta: float) -> float | None:
    try:
        res = _irls(y, x, np.zeros(len(y)), theta, maxiter=50, tol=1e-8)
    except (ConvergenceError, np.linalg.LinAlgError):
        return None
    return float(res.beta[2])


def placebo_test(
    series: pd.Series,
    its_result,
    *,
    min_segment: int | None = None,
    slope_change: bool | None = None,
) -> PlaceboResult:
    """In-time placebo test of an interrupted-time-series level change.

    Parameters
    ----------
    series : Series
        The count series the ITS was fitted on (DatetimeIndex; NaN = not reported).
    its_result : ITSResult
        The real fit (:func:`trends.models.its.fit_its`): its primary intervention, family and
        theta are reused.
    min_segment : int, optional
        Observed periods required before and after each fake date (default
        ``max(14, pre-period length // 10)``).
    slope_change : bool, optional
        Include a slope change at each fake date (default: as in the real fit).

    Returns
    -------
    PlaceboResult

    Raises
    ------
    InsufficientDataError
        When the pre-intervention period has fewer than ``2 * min_segment`` observed periods.
    """
    primary = its_result.primary
    # The pre-period ends before the real intervention's first post period and before its
    # transition window; it starts at the previous intervention, if any.
    post_pos = int(primary.position)
    before, _after = its_result.settings.get("transition") or (0, 0)
    post_start = series.index[max(post_pos - int(before), 0)]
    earlier = [e for e in its_result.effects if int(e.position) < post_pos]
    pre_start = max((pd.Timestamp(e.first_period) for e in earlier), default=series.index.min())
    pre = series[(series.index >= pre_start) & (series.index < post_start)].dropna()
    n = len(pre)
    if min_segment is None:
        min_segment = max(14, n // 10)
    if n < 2 * min_segment:
        raise InsufficientDataError(
            f"the pre-intervention period has {n} observed periods; the placebo test needs at "
            f"least {2 * min_segment} ({min_segment} each side of a fake date)"
        )
    family = its_result.family
    theta = its_result.fit.theta if family == "negbin" else None
    theta_val = float(theta) if theta is not None and np.isfinite(theta) else math.inf
    use_slope = (
        bool(its_result.settings.get("slope_change", True))
        if slope_change is None
        else slope_change
    )
    y = pre.to_numpy(dtype=float)
    t = np.arange(n, dtype=float)
    t = (t - t.mean()) / max(t.std(), 1.0)
    estimates = {}
    for k in range(min_segment, n - min_segment + 1):
        step = (np.arange(n) >= k).astype(float)
        cols = [np.ones(n), t, step]
        if use_slope:
            cols.append(np.maximum(np.arange(n) - k + 1, 0).astype(float) * step / n)
        est = _fit_level(y, np.column_stack(cols), theta_val)
        estimates[pre.index[k]] = np.nan if est is None else est
    placebo = pd.Series(estimates, dtype=float, name="placebo_log_rr")
    placebo.index.name = "fake_date"
    real = float(math.log(primary.level_change.estimate))
    valid = placebo.dropna()
    m = len(valid)
    p2 = (1 + int((valid.abs() >= abs(real)).sum())) / (1 + m)
    p1 = (1 + int(((valid <= real) if real < 0 else (valid >= real)).sum())) / (1 + m)
    return PlaceboResult(
        real_log_rr=real,
        placebo_log_rr=placebo,
        p_value=float(p2),
        p_value_one_sided=float(p1),
        min_segment=int(min_segment),
        family=family,
        theta=None if theta is None else float(theta),
        outcome=str(series.name or "events"),
    )

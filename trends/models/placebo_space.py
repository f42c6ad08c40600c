"""In-space placebo test: is the change in the target unit unusual among other units?

The real fit's specification, with the *same intervention date*, is fitted on the series of
other units (regions, sectors...) that the intervention is not supposed to have affected. If
the target unit's level change is no more unusual than theirs, the data do not single out the
target (a synthetic-control style "placebo in space", Abadie, Diamond & Hainmueller 2010).

Method (documented choices):

- Each other series is cut to the periods of the target series (``target_series.index``):
  the same calendar window, the same intervention date, the same specification
  (``fit_its_model(other, its_result.spec)``: family, trend, slope change, transition,
  seasonality, covariance estimator, inference). Covariates, offsets and exposures of the spec
  are the target's and are dropped for the other units (each unit's own offset cannot be
  guessed); a spec with covariates is refused.
- Statistic (``statistic="studentised"``, the default): the level change on the log scale over
  its own standard error, ``t = b / se(b)`` (Newey-West HAC for ``inference="glm"``, the
  latent-AR standard error for ``inference="latent_ar"``): units with more events have more
  precise estimates, and studentising puts them on one scale. ``statistic="raw"`` ranks ``b``.
- p-value: ``(1 + #{|s_unit| >= |s_target|}) / (1 + m)`` over the ``m`` units whose model could
  be fitted (the others are listed in ``failed`` with the reason), and the one-sided version in
  the direction of the target's change. With ``m`` units the smallest attainable p is
  ``1/(1+m)``: 19 units are needed to reach 0.05.
- The other units must not be affected by the intervention themselves (spill-overs bias the
  test towards "not unusual"); choosing them is the analyst's job.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, ModelWarning, TrendsError
from trends.models.its import ITSResult, fit_its_model
from trends.models.placebo import STATISTICS, rank_p_values, spec_of
from trends.results import Result, to_jsonable
from trends.verdicts.words import fmt_ratio, placebo_phrase, plural

__all__ = ["SpacePlaceboResult", "placebo_in_space"]


@dataclass(eq=False)
class SpacePlaceboResult(Result):
    """The target unit's level change among the same model's level changes in other units.

    Attributes
    ----------
    target : str
        Name of the target unit.
    real_log_rr, real_se : float
        The target's level change (log rate ratio) and its standard error.
    units : pandas.DataFrame
        One row per other unit that could be fitted: ``log_rr``, ``se``, ``t``,
        ``rate_ratio``, ``events``.
    p_value, p_value_one_sided : float
        Empirical p-values of ``statistic`` (see the module notes).
    statistic : str
        ``"studentised"`` or ``"raw"``.
    failed : dict
        Units that could not be fitted, with the reason.
    settings : dict
        Intervention, window and specification summary.
    """

    target: str
    real_log_rr: float
    real_se: float
    units: pd.DataFrame
    p_value: float
    p_value_one_sided: float
    statistic: str = "studentised"
    failed: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        """Other units in the placebo distribution."""
        return len(self.units)

    @property
    def real_t(self) -> float:
        """The target's level change over its standard error."""
        return float(self.real_log_rr / self.real_se) if self.real_se > 0 else math.nan

    @property
    def real_rate_ratio(self) -> float:
        return float(math.exp(self.real_log_rr))

    @property
    def n_as_large(self) -> int:
        """Other units whose statistic is at least as large in absolute value."""
        studentised = self.statistic == "studentised"
        col, real = ("t", self.real_t) if studentised else ("log_rr", self.real_log_rr)
        return int(np.sum(np.abs(self.units[col].to_numpy(dtype=float)) >= abs(real)))

    def summary(self) -> pd.DataFrame:
        real = pd.DataFrame(
            {
                "log_rr": [self.real_log_rr],
                "se": [self.real_se],
                "t": [self.real_t],
                "rate_ratio": [self.real_rate_ratio],
                "events": [self.settings.get("target_events", np.nan)],
            },
            index=pd.Index([self.target], name="unit"),
        )
        out = pd.concat([real, self.units])
        out.insert(0, "role", ["target"] + ["placebo"] * self.n_units)
        return out

    def glance(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "target": self.target,
                    "real_rate_ratio": self.real_rate_ratio,
                    "real_t": self.real_t,
                    "n_units": self.n_units,
                    "n_failed": len(self.failed),
                    "statistic": self.statistic,
                    "p_value": self.p_value,
                    "p_value_one_sided": self.p_value_one_sided,
                }
            ]
        )

    def report(self) -> str:
        m = self.n_units
        if m == 0:
            return f"In-space placebo test for {self.target}: no other unit could be fitted."
        rr = self.units["rate_ratio"]
        what = f"The level change in {self.target} (rate ratio {fmt_ratio(self.real_rate_ratio)})"
        if self.statistic == "studentised":
            what += ", relative to its standard error,"
        failed = f" {plural(len(self.failed), 'unit')} could not be fitted." if self.failed else ""
        rank = placebo_phrase(self.n_as_large, m, what=what)
        rank = rank.replace("placebo estimates", "other units").replace(
            "placebo estimate", "other unit"
        )
        return (
            f"In-space placebo test for {self.target}: with the same model and intervention "
            f"date, {plural(m, 'other unit')} had level changes (rate ratios) between "
            f"{rr.min():.2f} and {rr.max():.2f}. {rank}. Empirical p-value {self.p_value:.3f} "
            f"(two-sided; one-sided {self.p_value_one_sided:.3f}).{failed}"
        )

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(
            {
                "method": "in-space placebo: the same model and date in other units",
                "target": self.target,
                "statistic": self.statistic,
                "p_value": self.p_value,
                "p_value_one_sided": self.p_value_one_sided,
                "n_units": self.n_units,
                "n_as_large": self.n_as_large,
                "real_rate_ratio": self.real_rate_ratio,
                "real_t": self.real_t,
                "units": {
                    str(k): {c: float(v) for c, v in row.items()}
                    for k, row in self.units.iterrows()
                },
                "failed": dict(self.failed),
                "settings": self.settings,
            }
        )


def _unit_fit(series: pd.Series, spec: Any) -> tuple[float, float, float]:
    """``(log RR, SE, events)`` of the spec's level change on one unit's series."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        fit = fit_its_model(series, spec)
    lc = fit.primary.level_change
    return float(lc.coef), float(lc.se), float(fit.total)


def placebo_in_space(
    target_series: pd.Series,
    other_series: Mapping[str, pd.Series],
    its_result: ITSResult,
    *,
    statistic: str = "studentised",
    target: str | None = None,
) -> SpacePlaceboResult:
    """In-space placebo test: the real specification and date fitted on other units.

    Parameters
    ----------
    target_series : pandas.Series
        The count series the real ITS was fitted on.
    other_series : mapping of str to pandas.Series
        Count series of the other units (DatetimeIndex of the same frequency; NaN = not
        reported), cut to ``target_series``' periods.
    its_result : ITSResult
        The real fit (:func:`trends.models.its.fit_its` on ``target_series``).
    statistic : {"studentised", "raw"}, default "studentised"
        Rank ``b / se(b)`` or ``b``.
    target : str, optional
        Name of the target unit (default: the series name).

    Returns
    -------
    SpacePlaceboResult
        The units' estimates and the empirical p-values.

    Raises
    ------
    trends.errors.InputError
        An unknown statistic, no other unit, or a specification with covariates or offsets.
    """
    if statistic not in STATISTICS:
        raise InputError(f"unknown placebo statistic {statistic!r}; choose from {STATISTICS}")
    if not other_series:
        raise InputError("the in-space placebo test needs at least one other unit")
    spec = spec_of(its_result)
    if spec.covariates is not None:
        raise InputError("the in-space placebo cannot reuse the target's covariates")
    spec = spec.replace(offset=None, exposure=None)
    index = pd.DatetimeIndex(target_series.index)
    rows: dict[str, tuple[float, float, float]] = {}
    failed: dict[str, str] = {}
    for name, other in other_series.items():
        cut = pd.Series(other, dtype=float).reindex(index)
        try:
            rows[str(name)] = _unit_fit(cut.rename(str(name)), spec)
        except (TrendsError, np.linalg.LinAlgError) as exc:
            failed[str(name)] = f"{type(exc).__name__}: {exc}"
    units = pd.DataFrame.from_dict(rows, orient="index", columns=["log_rr", "se", "events"])
    units = units.astype(float)
    units.index.name = "unit"
    units["t"] = units["log_rr"] / units["se"]
    units["rate_ratio"] = np.exp(units["log_rr"])
    units = units[["log_rr", "se", "t", "rate_ratio", "events"]]
    lc = its_result.primary.level_change
    real, real_se = float(lc.coef), float(lc.se)
    if statistic == "studentised":
        p2, p1, _ = rank_p_values(real / real_se, units["t"].to_numpy())
    else:
        p2, p1, _ = rank_p_values(real, units["log_rr"].to_numpy())
    settings = {
        "intervention": str(pd.Timestamp(its_result.primary.start)),
        "first_period": str(index[0]),
        "last_period": str(index[-1]),
        "family": its_result.family,
        "inference": spec.inference,
        "target_events": float(np.nansum(target_series.to_numpy(dtype=float))),
    }
    return SpacePlaceboResult(
        target=str(target or target_series.name or "target"),
        real_log_rr=real, real_se=real_se, units=units, p_value=float(p2),
        p_value_one_sided=float(p1), statistic=statistic, failed=failed, settings=settings,
    )  # fmt: skip

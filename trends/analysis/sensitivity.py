"""How the ITS level change moves with the window and with or without the slope term.

The interrupted time series' level change (a rate ratio at the intervention) depends on the
trend fitted before it, and so on how much of the pre-period is used, on how much of the
post-period informs the slope after it, and on whether a change of slope is modelled at all.
:func:`level_change_range` refits *the same specification* (family, errors, exposure, seed:
``its.spec``) on a few reasonable variations and reports the smallest and largest estimate, so
that a report can show, next to the level change, how far it moves:

- the whole window, slope term toggled (dropped when the main fit has it, added when not);
- the pre-period shortened to its last 75% and to its last 50%;
- the post-period shortened to its first 75% and to its first 50%.

That is five refits per outcome. They use ``intervals="analytic"``: the level change and its
95% interval come from the coefficients and their covariance and are the same either way; only
the counterfactual's interval (not used here) would differ, and the simulated one costs most of
a fit's time.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import ModelWarning, TrendsError
from trends.models.its import fit_its
from trends.results import to_jsonable
from trends.verdicts.words import period_words

__all__ = ["LevelChangeVariant", "LevelChangeRange", "level_change_range", "SHARES"]

#: Shares of the pre-period (its last part) and of the post-period (its first part) kept.
SHARES: tuple[float, ...] = (0.75, 0.5)

_WHAT = "over shorter pre- and post-periods and with or without the slope term"


@dataclass(frozen=True)
class LevelChangeVariant:
    """One refit of the level change.

    Attributes
    ----------
    label : str
        What was changed, in words ("pre-period: last 75% (from 12 Feb 2019)").
    start, end : pandas.Timestamp
        The periods fitted (first and last).
    slope_change : bool
        Whether the fit has a change of slope at the intervention.
    estimate, ci_low, ci_high : float or None
        The level-change rate ratio and its 95% interval (None when the refit failed).
    problem : str
        Why the refit failed ("" when it did not).
    """

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    slope_change: bool
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe record."""
        return to_jsonable(
            {
                "label": self.label,
                "start": self.start,
                "end": self.end,
                "slope_change": self.slope_change,
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "problem": self.problem or None,
            }
        )


class LevelChangeRange(tuple):
    """``(min, max)`` of the level-change rate ratio over the main fit and its variants.

    A tuple of two floats (so ``low, high = r`` works and :mod:`trends.verdicts` reads it as a
    pair), with the variants behind it.

    Attributes
    ----------
    min, max : float
        Smallest and largest estimate (the main fit included).
    main : LevelChangeVariant
        The main fit.
    variants : tuple of LevelChangeVariant
        The refits (failed ones included, with their ``problem``).
    description : str
        How the variants were made, in words.
    what : str
        Over what the range runs, for a sentence ("over shorter pre- and post-periods...").
    """

    main: LevelChangeVariant
    variants: tuple[LevelChangeVariant, ...]
    description: str
    what: str

    def __new__(
        cls,
        main: LevelChangeVariant,
        variants: tuple[LevelChangeVariant, ...],
        description: str = "",
        what: str = _WHAT,
    ) -> LevelChangeRange:
        ests = [v.estimate for v in (main, *variants) if v.estimate is not None]
        pair = (min(ests), max(ests)) if ests else (math.nan, math.nan)
        self = super().__new__(cls, pair)
        self.main, self.variants = main, tuple(variants)
        self.description, self.what = description, what
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:  # pickling (process pools)
        return (self.main, self.variants, self.description, self.what)

    @property
    def min(self) -> float:
        """Smallest estimate."""
        return float(self[0])

    @property
    def max(self) -> float:
        """Largest estimate."""
        return float(self[1])

    @property
    def n_fitted(self) -> int:
        """Refits that gave an estimate."""
        return sum(v.estimate is not None for v in self.variants)

    def to_frame(self) -> pd.DataFrame:
        """One row per fit (the main one first)."""
        return pd.DataFrame([v.to_dict() for v in (self.main, *self.variants)])

    def to_dict(self) -> dict[str, Any]:
        """``min``, ``max``, ``what``, ``description``, ``main`` and ``variants`` (JSON-safe)."""
        return to_jsonable(
            {
                "min": self[0],
                "max": self[1],
                "what": self.what,
                "description": self.description,
                "main": self.main.to_dict(),
                "variants": [v.to_dict() for v in self.variants],
            }
        )

    def __repr__(self) -> str:
        return (
            f"LevelChangeRange({self[0]:.3g} to {self[1]:.3g}, "
            f"{self.n_fitted} of {len(self.variants)} refits)"
        )


def _first_post(index: pd.DatetimeIndex, its: Any) -> int:
    first = getattr(getattr(its, "primary", None), "first_period", None)
    return int(np.searchsorted(index.values, pd.Timestamp(first).to_datetime64(), side="left"))


def _windows(
    index: pd.DatetimeIndex, k: int, slope: bool, unit: str = "day"
) -> list[tuple[str, slice, bool]]:
    """(label, positions, slope term) of each variant; ``k`` = first post-period position.

    Labels name the share kept as a percentage and its first or last period in the series'
    own words ("pre-period: last 75% (from May 2020)", "... (from the week of 7 Feb 2022)").
    """
    n = len(index)
    out: list[tuple[str, slice, bool]] = [
        (
            "whole window, without the slope term" if slope else "whole window, with a slope term",
            slice(0, n),
            not slope,
        )
    ]
    for share in SHARES:
        keep = max(1, math.ceil(share * k))
        first = period_words(index[k - keep], unit)
        out.append((f"pre-period: last {_share(share)} (from {first})", slice(k - keep, n), slope))
    for share in SHARES:
        keep = max(1, math.ceil(share * (n - k)))
        last = period_words(index[k + keep - 1], unit)
        out.append((f"post-period: first {_share(share)} (to {last})", slice(0, k + keep), slope))
    return out


def _share(x: float) -> str:
    """A share of a period as a percentage ("75%"), never a fraction ("3/4")."""
    return f"{x:.0%}"


def _subset(value: Any, index: pd.DatetimeIndex) -> Any:
    return value.reindex(index) if isinstance(value, pd.Series | pd.DataFrame) else value


def _variant(label: str, values: pd.Series, spec: Any, slope: bool) -> LevelChangeVariant:
    sub = values.index
    spec_v = spec.replace(
        slope_change=slope,
        intervals="analytic",
        exposure=_subset(spec.exposure, sub),
        offset=_subset(spec.offset, sub),
        covariates=_subset(spec.covariates, sub),
    )
    base = LevelChangeVariant(label, sub[0], sub[-1], slope)
    try:
        with warnings.catch_warnings():  # the main fit has warned about the data already
            warnings.simplefilter("ignore", ModelWarning)
            lc = fit_its(values, spec=spec_v).level_change
    except (TrendsError, np.linalg.LinAlgError, ValueError) as exc:
        return LevelChangeVariant(**{**base.__dict__, "problem": str(exc)})
    est = [float(x) if x is not None and math.isfinite(float(x)) else None
           for x in (lc.estimate, lc.ci_low, lc.ci_high)]  # fmt: skip
    return LevelChangeVariant(label, sub[0], sub[-1], slope, *est)


def level_change_range(
    its: Any, values: pd.Series, pretrend: Any = None
) -> LevelChangeRange | None:
    """The smallest and largest ITS level change over reasonable windows and slope terms.

    Parameters
    ----------
    its : ITSResult
        The main fit (its ``spec`` is refitted; ``primary.first_period`` is the first
        post-intervention period).
    values : pandas.Series
        The counts it was fitted to.
    pretrend : PreTrendCheck, optional
        A pre-period trend check of the same fit
        (:func:`trends.models.pretrend.check_pre_trend`). When it was tested, the level change
        of its curved pre-period fit is one more variant (no refit): in the calibration study
        that fit's interval held its level on a slow wave where the straight line's did not
        (``benchmarks/results/calibration_pretrend.md``).

    Returns
    -------
    LevelChangeRange or None
        None when the fit carries no specification or no level change.
    """
    spec = getattr(its, "spec", None)
    if spec is None or getattr(its, "level_change", None) is None:
        return None
    index = pd.DatetimeIndex(values.index)
    k = _first_post(index, its)
    if not 0 < k < len(index):
        return None
    lc = its.level_change
    main = LevelChangeVariant(
        "main fit", index[0], index[-1], bool(spec.slope_change),
        float(lc.estimate), float(lc.ci_low), float(lc.ci_high),
    )  # fmt: skip
    variants = tuple(
        _variant(label, values.iloc[pos], spec, slope)
        for label, pos, slope in _windows(
            index,
            k,
            bool(spec.slope_change),
            (getattr(its, "settings", {}) or {}).get("unit", "day"),
        )
    )
    description = (
        "The same interrupted-time-series specification refitted five times: on the whole "
        "window with the slope term toggled, on the last 75% and 50% of the pre-period, and on "
        "the first 75% and 50% of the post-period (analytic intervals, which leave the level "
        "change and its interval unchanged). The range is the smallest and largest level-change "
        "rate ratio of these fits and the main one."
    )
    curved = _curved_variant(pretrend, index, bool(spec.slope_change))
    if curved is None:
        return LevelChangeRange(main, variants, description)
    description = description.replace(
        " The range is", " The pre-period trend check's fit with a curved pre-period trend is "
        "a sixth variant. The range is",
    )  # fmt: skip
    what = _WHAT.replace(" and with or without", ", with or without") + (
        " and with a curved pre-period trend"
    )
    return LevelChangeRange(main, (*variants, curved), description, what)


def _curved_variant(
    pretrend: Any, index: pd.DatetimeIndex, slope: bool
) -> LevelChangeVariant | None:
    """The level change of a pre-trend check's curved fit as a variant (None: not tested)."""
    lc = getattr(pretrend, "level_change_curved", None)
    if pretrend is None or not getattr(pretrend, "tested", False) or lc is None:
        return None
    words = {2: "quadratic", 3: "cubic"}.get(int(getattr(pretrend, "degree", 0)), "curved")
    est = [float(x) if x is not None and math.isfinite(float(x)) else None
           for x in (lc.estimate, lc.ci_low, lc.ci_high)]  # fmt: skip
    label = f"curved ({words}) pre-period trend"
    return LevelChangeVariant(label, index[0], index[-1], slope, *est)

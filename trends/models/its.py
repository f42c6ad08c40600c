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

Specification and steps
-----------------------
Every choice apart from the data is an :class:`~trends.models.spec.ITSSpec` (``fit_its(series,
spec)``; the keyword options build one). The fit is a chain of named steps:
:func:`~trends.models.its_design.prepare_series`, :func:`~trends.models.its_design.place_interventions`,
:func:`~trends.models.its_design.build_design`, :func:`~trends.models.its_design.usable_rows`, the
GLM fit (:func:`fit_its_model` stops here: coefficients and their errors, which is all the placebo
test needs), then the counterfactual and its intervals (:mod:`trends.models.its_intervals`) and
the diagnostics.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from trends.errors import InputError, ModelWarning
from trends.models.covariance import CovarianceEstimator
from trends.models.diagnostics import ljung_box
from trends.models.families import Family, get_family
from trends.models.glm import CountGLMFit, fit_count_glm
from trends.models.its_design import (
    MIN_EVENTS,
    ITSDesign,
    PlacedIntervention,
    PreparedSeries,
    build_design,
    place_interventions,
    prepare_series,
    usable_rows,
)
from trends.models.its_intervals import (
    CounterfactualIntervals,
    analytic_intervals,
    make_rng,
    simulation_intervals,
)
from trends.models.its_latent import (
    LatentARFit,
    fit_latent_its,
    latent_intervals,
    latent_mean_shift,
)
from trends.models.periods import FREQ_ADJ, FREQ_UNITS, first_post_position
from trends.models.spec import SPEC_DEFAULTS, ITSSpec, get_inference
from trends.models.wording import (
    describe_change,
    describe_count_interval,
    fmt_date,
    fmt_p,
)
from trends.results import Result, to_jsonable, whole_count
from trends.series.measured import column_words, series_words
from trends.verdicts.words import (
    as_sentence,
    count_of,
    fmt_count,
    period_end,
    plural,
    singular,
    with_article,
)

__all__ = [
    "ITSModelFit",
    "ITSResult",
    "ITSSpec",
    "InterventionEffect",
    "RateRatio",
    "fit_its",
    "fit_its_model",
    "first_post_position",
    "MIN_EVENTS",
]

#: Fewer events than this in any segment (or in total x 3) triggers a small-count warning.
SMALL_SEGMENT_EVENTS = 10


# --------------------------------------------------------------------------------------------
# small value objects
# --------------------------------------------------------------------------------------------
def _last_day(label: Any, unit: str) -> Any:
    """The last day of the period that starts on ``label`` (as given when not a date)."""
    try:
        return period_end(pd.Timestamp(label), unit) - pd.Timedelta(days=1)
    except (TypeError, ValueError):
        return label


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


def _from_when(eff: InterventionEffect, unit: str) -> str:
    """Where an effect starts, in words: the day on daily series; on weekly or monthly ones the
    period that holds the event (the models date it at that period's start)."""
    name = with_article(eff.name)
    if unit == "week":
        return f"Starting with the week of {fmt_date(eff.first_period)}, the week of {name},"
    if unit == "month":
        return f"Starting with {eff.first_period:%B %Y}, the month of {name},"
    return f"After {name} on {fmt_date(eff.start)}"


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


def _rate_ratio(fit: CountGLMFit | LatentARFit, term: str, alpha: float) -> RateRatio:
    j = fit.params.index.get_loc(term)
    b = float(fit.params.iloc[j])
    se = float(fit.bse.iloc[j])
    if isinstance(fit, LatentARFit):  # normal or t quantile (hyperparameter correction)
        z = fit.quantile(term, alpha)
        p = float(fit.pvalues.iloc[j])
    else:
        # special.ndtri / ndtr are what stats.norm.ppf / sf evaluate, without the overhead
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
    fit : CountGLMFit or LatentARFit
        The underlying fit (coefficients, covariance, diagnostics): the count GLM, or with
        ``inference="latent_ar"`` the latent-AR fit (:class:`~trends.models.its_latent.LatentARFit`).
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
    spec : ITSSpec or None
        The specification that was fitted (refit it elsewhere with ``fit_its(series, spec)`` or
        ``spec.with_intervention(date)``).
    """

    fit: CountGLMFit | LatentARFit
    effects: list[InterventionEffect]
    frame: pd.DataFrame
    design: pd.DataFrame
    cumulative_effect: dict[str, Any]
    relative_effect: dict[str, Any]
    diagnostics: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    spec: ITSSpec | None = None

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

    def family_object(self) -> Family:
        """The family that was fitted (from the spec, else looked up by name).

        Returns
        -------
        Family
            The family.
        """
        if self.spec is not None:
            return self.spec.family_object()
        return get_family(self.fit.family)

    def refit(self, series: pd.Series, intervention: Any = None) -> ITSResult:
        """Fit the same specification to another series (and, optionally, another date).

        This is how robustness checks (low / high figures, leaving out incidents) and the
        placebo test refit *the same* model: ``fit_its(series, self.spec)``.

        Parameters
        ----------
        series : pandas.Series
            The other count series.
        intervention : date, event or list of them, optional
            Replaces the specification's interventions.

        Returns
        -------
        ITSResult
            The new fit.

        Raises
        ------
        trends.errors.InputError
            When the result carries no specification.
        """
        if self.spec is None:
            raise InputError("this result carries no specification to refit")
        spec = self.spec if intervention is None else self.spec.with_intervention(intervention)
        return fit_its(series, spec)

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
        if isinstance(f, LatentARFit):
            z = pd.Series([f.quantile(t, alpha) for t in f.params.index], index=f.params.index)
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

    def report(self, *, coverage: bool = True) -> str:
        """Plain-language paragraph with the main numbers.

        Parameters
        ----------
        coverage : bool, default True
            Name the inference method's measured coverage after the method. A report that
            states it once elsewhere (its caveats) passes ``False``: the method is still named.

        Returns
        -------
        str
        """
        s = self.settings
        unit = s.get("unit", "period")
        adj = s.get("unit_adj", "per-period")
        what = column_words(s["series_name"]) if s.get("series_name") else "events"
        family = self.family_object()
        fam = family.label
        lvl = f"{round((1 - s.get('alpha', 0.05)) * 100):d}%"
        d = self.diagnostics
        parts = []
        fitted = family.fit_summary(self.fit.theta, self.fit.scale)
        extra = [fitted] if fitted else []
        parts.append(
            f"Interrupted time series, {fam} model ({'; '.join(extra) + '; ' if extra else ''}"
            f"{d['n_used']} of {d['n_periods']} {unit}s used, {d['n_missing']} not reported, "
            f"{count_of(d['total_events'], what)}) from "
            f"{fmt_date(s['period_start'])} to {fmt_date(_last_day(s['period_end'], unit))}; "
            "standard errors: "
            f"{self.fit.se_description}."
        )
        for eff in self.effects:
            sentence = (
                f"{_from_when(eff, unit)} the {adj} rate of {what} "
                f"{describe_change(eff.level_change)} immediately (rate ratio "
                f"{eff.level_change.estimate:.3f}, {lvl} CI {eff.level_change.ci_low:.3f} to "
                f"{eff.level_change.ci_high:.3f})"
            )
            if eff.slope_change is not None:
                sentence += (
                    f"; after that, its trend "
                    f"{describe_change(eff.slope_change, per=' per ' + unit)} relative to the "
                    f"trend before (rate ratio {eff.slope_change.estimate:.4f} per {unit})"
                )
            parts.append(sentence + ".")
        ce = self.cumulative_effect
        if ce.get("n_periods", 0) > 0 and np.isfinite(ce.get("estimate", math.nan)):
            parts.append(self._cumulative_sentence(ce, what, unit, lvl))
        if s.get("inference", "glm") != "glm":
            tail = f"; {s['inference_coverage']}" if coverage else ""
            parts.append(f"Inference: {s['inference_method']}{tail}.")
        lb = d.get("ljung_box", {})
        parts.append(
            f"Diagnostics: Pearson dispersion {d['dispersion']:.2f}; Ljung-Box test on Pearson "
            f"residuals at lag {lb.get('lag')}: {fmt_p(lb.get('p_value', math.nan))}."
        )
        if self.warnings:
            parts.append("Caution: " + " ".join(as_sentence(w) for w in self.warnings))
        return " ".join(parts)

    def _cumulative_sentence(self, ce: dict[str, Any], what: str, unit: str, lvl: str) -> str:
        """The recorded total against the projection (no expected total when it is flagged)."""
        were = "was" if round(ce["observed"]) == 1 else "were"
        span = (
            f"Over the {plural(ce['n_periods'], 'observed ' + unit)} from "
            f"{fmt_date(ce['start'])} to {fmt_date(_last_day(ce['end'], unit))}, "
            f"{count_of(ce['observed'], what)} {were} recorded"
        )
        if ce.get("projection_uninformative"):
            return (
                f"{span}; {UNINFORMATIVE_PROJECTION}, or to say how many fewer or more were "
                f"recorded than if {with_article(self.primary.name)} had not happened."
            )
        diff = ce["estimate"]
        word = "more" if diff >= 0 else "fewer"
        return (
            f"{span} against {fmt_count(ce['expected'])} expected had "
            f"{with_article(self.primary.name)} not happened ({lvl} interval "
            f"{fmt_count(ce['expected_pi_low'])} to {fmt_count(ce['expected_pi_high'])}): "
            f"{fmt_count(abs(diff))} {word} "
            f"{singular(what) if round(abs(diff)) == 1 else what} ({lvl} prediction interval "
            f"{describe_count_interval(ce['ci_low'], ce['ci_high'])})."
        )

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

    # plot(): inherited from Result, draws the chart registered for ITSResult (trends.results.draw)


# --------------------------------------------------------------------------------------------
# the model fit (what the placebo test refits at fake dates)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ITSModelFit:
    """The GLM of an ITS specification on a series, before counterfactuals and diagnostics.

    Attributes
    ----------
    spec : ITSSpec
        The (checked) specification.
    prepared : PreparedSeries
        The series.
    placed : list of PlacedIntervention
        The interventions on the series.
    design : ITSDesign
        Design matrix and offset.
    used : numpy.ndarray of bool
        Rows used by the fit.
    total : float
        Events in them.
    fit : CountGLMFit or LatentARFit
        The fitted GLM (or latent-AR model, with ``inference="latent_ar"``).
    effects : list of InterventionEffect
        Level (and slope) changes of each intervention.
    warnings : list of str
        Messages of the model warnings raised by the GLM fit.
    """

    spec: ITSSpec
    prepared: PreparedSeries
    placed: list[PlacedIntervention]
    design: ITSDesign
    used: np.ndarray
    total: float
    fit: CountGLMFit | LatentARFit
    effects: list[InterventionEffect]
    warnings: list[str] = field(default_factory=list)

    @property
    def primary(self) -> InterventionEffect:
        """The effect of the last intervention."""
        return self.effects[-1]


def _fit_glm(
    spec: ITSSpec, prepared: PreparedSeries, design: ITSDesign, used: np.ndarray
) -> tuple[CountGLMFit, list[str]]:
    """Fit the count GLM on the used rows; collect its model warnings."""
    idx = prepared.index
    estimator: CovarianceEstimator = spec.covariance_estimator()
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always", ModelWarning)
        fit = fit_count_glm(
            pd.Series(prepared.values[used], index=idx[used]),
            design.matrix.loc[used],
            spec.family_object(),
            offset=design.offset[used],
            se=estimator,
            nb_se=spec.nb_se,
            time_index=np.flatnonzero(used),
        )
    for w in wlist:
        if issubclass(w.category, ModelWarning):
            caught.append(str(w.message))
        else:  # pragma: no cover - re-emit foreign warnings
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return fit, caught


def fit_its_model(series: pd.Series | PreparedSeries, spec: ITSSpec) -> ITSModelFit:
    """Fit the GLM of an ITS specification (no counterfactual, intervals or diagnostics).

    This is the first half of :func:`fit_its`, which calls it: the coefficients, their standard
    errors and the effects are exactly those of ``fit_its(series, spec)``. The placebo test uses
    it to refit the same specification at fake dates.

    Parameters
    ----------
    series : pandas.Series or PreparedSeries
        Counts with a regular DatetimeIndex (NaN = not reported), or a series already checked by
        :func:`~trends.models.its_design.prepare_series` (saves the checks in loops).
    spec : ITSSpec
        The specification.

    Returns
    -------
    ITSModelFit
        Design, fit and effects.

    Raises
    ------
    trends.errors.InputError
        Bad series, options or interventions.
    trends.errors.InsufficientDataError
        Data that cannot support the model.
    trends.errors.ConvergenceError
        The model did not converge.
    """
    prepared = prepare_series(series)
    spec = spec.validated()
    placed = place_interventions(spec, prepared)
    design = build_design(spec, prepared, placed)
    used, total = usable_rows(spec, prepared, design, placed)
    if spec.inference == "latent_ar":
        fit, caught = fit_latent_its(spec, prepared, design, used)
    else:
        fit, caught = _fit_glm(spec, prepared, design, used)
    idx = prepared.index
    effects = [
        InterventionEffect(
            id=sp.id,
            name=sp.name,
            start=sp.start,
            first_period=idx[sp.position],
            position=sp.position,
            level_change=_rate_ratio(fit, f"level[{sp.id}]", spec.alpha),
            slope_change=_rate_ratio(fit, f"slope[{sp.id}]", spec.alpha)
            if spec.slope_change
            else None,
        )
        for sp in placed
    ]
    return ITSModelFit(spec, prepared, placed, design, used, total, fit, effects, caught)


# --------------------------------------------------------------------------------------------
# counterfactual, diagnostics, settings
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Counterfactual:
    frame: pd.DataFrame
    cumulative: dict[str, Any]
    relative: dict[str, Any]


def _intervals(
    m: ITSModelFit, x_cf: np.ndarray, cf: np.ndarray, obs_ok: np.ndarray, tot_obs: float
) -> CounterfactualIntervals:
    spec, fit = m.spec, m.fit
    off_cf = m.design.offset[m.placed[-1].position :]
    if isinstance(fit, LatentARFit):
        return latent_intervals(fit, x_cf, off_cf, obs_ok, tot_obs, spec.alpha)
    cf_ok = np.isfinite(cf)
    family = spec.family_object()
    if spec.intervals == "simulation":
        return simulation_intervals(
            x_cf, off_cf, cf_ok, obs_ok, tot_obs, fit, family, spec.n_sim, spec.alpha,
            make_rng(spec.seed),
        )  # fmt: skip
    return analytic_intervals(x_cf, cf, cf_ok, obs_ok, tot_obs, fit, family, spec.alpha)


def _frame(
    m: ITSModelFit,
    fitted: np.ndarray,
    post: dict[str, np.ndarray],
) -> pd.DataFrame:
    n, p0 = m.prepared.n, m.placed[-1].position

    def _post(values: np.ndarray) -> np.ndarray:
        full = np.full(n, np.nan)
        full[p0:] = values
        return full

    cols: dict[str, Any] = {
        "observed": m.prepared.values,
        "used": m.used,
        "transition": m.design.transition,
        "segment": ["pre" if s_ == 0 else m.placed[s_ - 1].id for s_ in m.design.segment],
        "fitted": fitted,
    }
    cols.update({k: _post(v) for k, v in post.items()})
    return pd.DataFrame(cols, index=m.prepared.index)


#: The projection of the pre-period is too uncertain to bound the cumulative effect when its 95%
#: prediction interval reaches more than this many times the larger of the expected and the
#: recorded total (an extrapolated trend whose slope is barely known: the difference "recorded
#: minus expected" is then bounded by nothing the data say).
PROJECTION_SPREAD = 10.0


def projection_uninformative(expected: float, observed: float, pi_high: float) -> bool:
    """Whether the projected counterfactual total is too uncertain to quote.

    True when its 95% prediction interval reaches more than :data:`PROJECTION_SPREAD` times the
    larger of the expected and the recorded total, or when the expected total lies above its
    own prediction interval (a projection whose mean is carried by a few extreme draws of a
    barely known trend: 9.4e23 expected against an interval reaching 1.0e19, on 14 days before).

    Parameters
    ----------
    expected, observed : float
        The projected (expected) and the recorded totals.
    pi_high : float
        Upper limit of the expected total's prediction interval.

    Returns
    -------
    bool
    """
    spread = pi_high > PROJECTION_SPREAD * max(expected, observed, 1.0)
    return bool(spread or expected > max(pi_high, 1.0))


#: What every layer says instead of the expected total when ``projection_uninformative`` is set
#: (the total and its interval are then not quoted as numbers anywhere).
UNINFORMATIVE_PROJECTION = (
    "the projection is too uncertain to give a counterfactual total (the pre-period trend, "
    "extrapolated forward, is barely known)"
)


def _totals(
    m: ITSModelFit,
    iv: CounterfactualIntervals,
    obs_ok: np.ndarray,
    cum: dict[str, np.ndarray],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The cumulative and relative effects over the observed post periods."""
    idx, p0 = m.prepared.index, m.placed[-1].position
    n_post_obs = int(obs_ok.sum())
    if not n_post_obs:  # pragma: no cover - excluded by the segment checks
        return {"estimate": math.nan, "n_periods": 0}, {"estimate": math.nan}
    last_ok = int(np.flatnonzero(obs_ok)[-1])
    first_ok = int(np.flatnonzero(obs_ok)[0])
    tot_obs = float(cum["obs"][-1])
    tot_cf = float(cum["cf"][-1])
    cumulative = {
        "estimate": tot_obs - tot_cf,
        "ci_low": float(cum["lo"][-1]),
        "ci_high": float(cum["hi"][-1]),
        "ci_low_mean": tot_obs - float(iv.mean_hi),
        "ci_high_mean": tot_obs - float(iv.mean_lo),
        "observed": tot_obs,
        "expected": tot_cf,
        "expected_ci_low": float(iv.mean_lo),
        "expected_ci_high": float(iv.mean_hi),
        "expected_pi_low": float(iv.cum_pi[0][-1]),
        "expected_pi_high": float(iv.cum_pi[1][-1]),
        "n_periods": n_post_obs,
        "projection_uninformative": projection_uninformative(
            tot_cf, tot_obs, float(iv.cum_pi[1][-1])
        ),
        "start": idx[p0 + first_ok],
        "end": idx[p0 + last_ok],
        "interval": _interval_words(m.spec),
    }
    relative = {
        "estimate": tot_obs / tot_cf - 1.0 if tot_cf > 0 else math.nan,
        "ci_low": float(iv.rel_lo),
        "ci_high": float(iv.rel_hi),
    }
    return cumulative, relative


def _interval_words(spec: ITSSpec) -> str:
    """What the cumulative effect's interval accounts for, in words."""
    if spec.inference == "latent_ar":
        return (
            "prediction (parameter, count and latent AR(1) uncertainty; lognormal approximation "
            "of the latent-AR model)"
        )
    if spec.intervals == "simulation":
        return "prediction (parameter and count uncertainty)"
    return "prediction (parameter and count uncertainty; closed form, lognormal means)"


def _counterfactual(m: ITSModelFit) -> _Counterfactual:
    """Fitted values, the last intervention's counterfactual, effects and their intervals."""
    design, yv = m.design, m.prepared.values
    beta = m.fit.params.to_numpy()
    xa = design.matrix.to_numpy(dtype=float)
    shift = latent_mean_shift(m.fit)  # 0 for a count GLM: marginal means of a latent-AR fit
    fitted = np.exp(xa @ beta + design.offset + shift)
    last = m.placed[-1]
    zero_cols = [design.matrix.columns.get_loc(c) for c in design.terms[last.id]]
    p0 = last.position
    x_cf = xa[p0:].copy()
    x_cf[:, zero_cols] = 0.0
    cf = np.exp(x_cf @ beta + design.offset[p0:] + shift)
    obs_post = yv[p0:]
    obs_ok = ~np.isnan(obs_post) & np.isfinite(cf)
    cum_obs = np.cumsum(np.where(obs_ok, obs_post, 0.0))
    cum_cf = np.cumsum(np.where(obs_ok, cf, 0.0))
    iv = _intervals(m, x_cf, cf, obs_ok, float(cum_obs[-1]))
    cum_effect = cum_obs - cum_cf
    cum_lo = cum_obs - iv.cum_pi[1]
    cum_hi = cum_obs - iv.cum_pi[0]
    never = np.cumsum(obs_ok.astype(float)) == 0
    for arr in (cum_effect, cum_lo, cum_hi):
        arr[never] = np.nan
    post = {
        "counterfactual": cf,
        "cf_ci_low": iv.cf_ci[0],
        "cf_ci_high": iv.cf_ci[1],
        "cf_pi_low": iv.cf_pi[0],
        "cf_pi_high": iv.cf_pi[1],
        "effect": np.where(obs_ok, obs_post - cf, np.nan),
        "effect_low": np.where(obs_ok, obs_post - iv.cf_pi[1], np.nan),
        "effect_high": np.where(obs_ok, obs_post - iv.cf_pi[0], np.nan),
        "cum_effect": cum_effect,
        "cum_effect_low": cum_lo,
        "cum_effect_high": cum_hi,
    }
    cum = {"obs": cum_obs, "cf": cum_cf, "lo": cum_lo, "hi": cum_hi}
    cumulative, relative = _totals(m, iv, obs_ok, cum)
    return _Counterfactual(_frame(m, fitted, post), cumulative, relative)


def _uninformative_projection(ce: dict[str, Any]) -> list[str]:
    """The warning of a projection too uncertain to bound the cumulative effect (or none)."""
    if not ce.get("projection_uninformative"):
        return []
    # the recorded total is the one named: the expected total of a flagged projection is not
    # quoted (it can be astronomically large); the interval exceeds the recorded total at least
    # as many times as it exceeds the flag's base, the larger of the two
    base = ce["observed"]
    times = ce["expected_pi_high"] / max(base, 1.0)
    reach = "more than 1,000 times" if times >= 1000 else f"{times:.0f} times"
    return [
        f"the projected counterfactual is too uncertain to bound the cumulative effect: its 95% "
        f"prediction interval reaches {reach} the {fmt_count(base)} recorded, because "
        "the pre-period trend extrapolated forward is barely known; read the level change, not "
        "the cumulative difference"
    ]


def _messages(m: ITSModelFit, lb: dict[str, float], seg_events: list[float]) -> list[str]:
    """Warnings about the fit (caught GLM warnings, overdispersion, autocorrelation, counts)."""
    fit = m.fit
    messages = list(m.warnings)
    if fit.family == "poisson" and fit.dispersion > 1.5:
        messages.append(
            f"Overdispersion: Pearson X2/df = {fit.dispersion:.2f} under a Poisson model; "
            "model-based standard errors are too small (use family='negbin' or 'quasipoisson'"
            + ("" if fit.se_type == "hac" else ", or se='hac'")
            + ")."
        )
    if fit.se_type == "model" and np.isfinite(lb["p_value"]) and lb["p_value"] < 0.05:
        messages.append(
            f"Residual autocorrelation (Ljung-Box lag {lb['lag']}, {fmt_p(lb['p_value'])}) "
            "with model-based standard errors: intervals are likely too narrow (use se='hac')."
        )
    if min(seg_events) < SMALL_SEGMENT_EVENTS or m.total < 3 * SMALL_SEGMENT_EVENTS:
        messages.append(
            f"Small counts ({fmt_count(m.total)} events in total, as few as "
            f"{fmt_count(min(seg_events))} in one segment): the large-sample intervals are "
            "approximate."
        )
    return messages


def _diagnostics(m: ITSModelFit) -> tuple[dict[str, Any], list[str]]:
    spec, fit, used, yv = m.spec, m.fit, m.used, m.prepared.values
    lb_lag = (
        spec.ljung_box_lag
        if spec.ljung_box_lag is not None
        else _default_lb_lag(m.prepared.freq, int(used.sum()))
    )
    lb = ljung_box(fit.resid_pearson.to_numpy(), lb_lag)
    n_seg = len(m.placed) + 1
    seg_events = [float(np.sum(yv[used & (m.design.segment == s_)])) for s_ in range(n_seg)]
    observed = ~np.isnan(yv)
    diagnostics = {
        "n_periods": int(m.prepared.n),
        "n_used": int(used.sum()),
        "n_missing": int((~observed).sum()),
        "n_transition_excluded": int((observed & m.design.transition).sum())
        if spec.transition_mode == "exclude"
        else 0,
        "total_events": m.total,
        "events_by_segment": {  # counts: whole numbers as int (spread tallies may be fractions)
            ("pre" if s_ == 0 else m.placed[s_ - 1].id): whole_count(float(seg_events[s_]))
            for s_ in range(n_seg)
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
    if isinstance(fit, LatentARFit):
        diagnostics["latent_ar"] = {
            "rho": fit.result.rho,
            "sigma": fit.result.sigma,
            "stationary_sd": fit.result.latent_sd,
            "mean_correction": fit.result.mean_correction(),
            "residuals": "Pearson residuals given the latent process (its posterior mode)",
        }
    return diagnostics, _messages(m, lb, seg_events)


def _settings(m: ITSModelFit) -> dict[str, Any]:
    spec, idx, freq = m.spec, m.prepared.index, m.prepared.freq
    tb, ta = m.design.window
    seed = spec.seed
    return {
        "family": m.fit.family,
        "trend": spec.trend,
        "slope_change": spec.slope_change,
        "seasonality": spec.seasonality,
        "fourier": [list(f_) for f_ in spec.fourier] if spec.fourier else None,
        "covariates": None
        if spec.covariates is None
        else [str(c) for c in spec.covariates.columns],
        "offset": "exposure"
        if spec.exposure is not None
        else ("offset" if spec.offset is not None else None),
        "transition": [tb, ta] if (tb or ta) else None,
        "transition_mode": spec.transition_mode,
        "se": spec.se,
        "covariance": m.fit.covariance,
        "hac_lags": spec.hac_lags,
        "nb_se": spec.nb_se,
        "alpha": spec.alpha,
        "n_sim": spec.n_sim,
        "intervals": spec.intervals,
        "seed": seed if isinstance(seed, (int, np.integer)) or seed is None else "generator",
        "unit": FREQ_UNITS[freq],
        "unit_adj": FREQ_ADJ[freq],
        "series_name": series_words(m.prepared.series),
        "period_start": idx[0],
        "period_end": idx[-1],
        "first_post_rule": "first period starting on or after the intervention's date",
        "inference": spec.inference,
        "inference_method": get_inference(spec.inference).label,
        "inference_coverage": get_inference(spec.inference).coverage,
    }


def _resolve_spec(interventions: Any, spec: ITSSpec | None, options: dict[str, Any]) -> ITSSpec:
    """The spec of a ``fit_its`` call: given, or built from the keyword options."""
    if isinstance(interventions, ITSSpec):
        if spec is not None:
            raise InputError("give the specification once (positionally or as spec=)")
        spec, interventions = interventions, None
    if spec is None:
        return ITSSpec.from_options(interventions, **options)
    changed = [
        k
        for k, v in options.items()
        if not (
            v is SPEC_DEFAULTS[k] or (isinstance(v, (str, int, float)) and v == SPEC_DEFAULTS[k])
        )
    ]
    if changed:
        raise InputError(
            "with a specification, change options in it (spec.replace(...)), not as keywords: "
            + ", ".join(sorted(changed))
        )
    return spec if interventions is None else spec.with_intervention(interventions)


# --------------------------------------------------------------------------------------------
# main entry
# --------------------------------------------------------------------------------------------
def fit_its(
    series: pd.Series,
    interventions: Any = None,
    *,
    spec: ITSSpec | None = None,
    family: str | Family = "negbin",
    trend: bool = True,
    slope_change: bool = True,
    seasonality: Literal["dow", "month"] | None = None,
    fourier: Sequence[tuple[float, int]] | None = None,
    covariates: pd.DataFrame | None = None,
    offset: pd.Series | None = None,
    exposure: pd.Series | None = None,
    transition: int | tuple[int, int] | None = None,
    transition_mode: Literal["exclude", "separate"] = "exclude",
    se: str | CovarianceEstimator = "hac",
    hac_lags: int | None = None,
    nb_se: Literal["conditional", "joint"] = "conditional",
    alpha: float = 0.05,
    n_sim: int = 2000,
    seed: int | np.random.Generator | None = 0,
    ljung_box_lag: int | None = None,
    intervals: Literal["simulation", "analytic", "delta"] = "simulation",
    inference: str = "glm",
) -> ITSResult:
    """Fit an interrupted time series (segmented) count regression.

    Parameters
    ----------
    series : pandas.Series
        Counts with a regular DatetimeIndex (daily, weekly, monthly, quarterly or yearly). NaN
        means "not reported" and is left out of the fit.
    interventions : date, object, list of them, or ITSSpec
        Dates (``str``, ``Timestamp``, ``datetime``) or objects with a ``start`` timestamp and
        optional ``id`` and ``name`` attributes (e.g. reference events). See the module notes for
        the rule that picks the first post period. An :class:`~trends.models.spec.ITSSpec` here
        (or as ``spec=``) gives the whole specification; with a spec, dates given here replace
        its interventions and the other keywords must stay at their defaults.
    spec : ITSSpec, optional
        The specification (see ``interventions``).
    family : str or Family, default "negbin"
        Count family: a name of :data:`trends.models.families.FAMILIES` (``"negbin"``,
        ``"poisson"``, ``"quasipoisson"``...) or a family object.
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
    se : str or CovarianceEstimator, default "hac"
        Standard errors: ``"hac"``, ``"model"``, ``"robust"`` (see
        :func:`trends.models.glm.fit_count_glm`), any name of
        :data:`trends.models.covariance.COVARIANCES` or an estimator object.
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
        (see :func:`trends.models.its_intervals.analytic_intervals`). Several times faster (no
        ``n * n_sim`` count draws); it agrees with a long simulation to a few percent except for
        extreme extrapolations. ``n_sim`` and ``seed`` are then unused. ``"delta"`` is accepted
        as another name of ``"analytic"`` (the settings record ``"analytic"``). The level and
        slope changes and their Wald intervals do not depend on this option.
    inference : str, default "glm"
        A name of :data:`trends.models.spec.INFERENCE_METHODS` (their measured coverage is in
        their ``coverage``): ``"glm"`` (the default, unchanged) or ``"latent_ar"`` (the same
        design with a latent AR(1) log intensity, :mod:`trends.models.its_latent`).

    Returns
    -------
    ITSResult
        Effects, counterfactual, diagnostics (and the ``spec`` that was fitted).

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
    trends.errors.UnknownModelComponentError
        An unknown family, covariance estimator or inference method.

    Warns
    -----
    trends.errors.ModelWarning
        Overdispersion under Poisson, residual autocorrelation with model-based errors, small
        counts.
    """
    options = {
        "family": family, "trend": trend, "slope_change": slope_change,
        "seasonality": seasonality, "fourier": fourier, "covariates": covariates,
        "offset": offset, "exposure": exposure, "transition": transition,
        "transition_mode": transition_mode, "covariance": se, "hac_lags": hac_lags,
        "nb_se": nb_se, "alpha": alpha, "n_sim": n_sim, "seed": seed,
        "ljung_box_lag": ljung_box_lag, "intervals": intervals, "inference": inference,
    }  # fmt: skip
    the_spec = _resolve_spec(interventions, spec, options)
    m = fit_its_model(prepare_series(series), the_spec)
    cf = _counterfactual(m)
    diagnostics, messages = _diagnostics(m)
    messages += _uninformative_projection(cf.cumulative)
    for msg in messages:
        warnings.warn(msg, ModelWarning, stacklevel=2)
    return ITSResult(
        fit=m.fit,
        effects=m.effects,
        frame=cf.frame,
        design=m.design.matrix,
        cumulative_effect=cf.cumulative,
        relative_effect=cf.relative,
        diagnostics=diagnostics,
        warnings=messages,
        settings=_settings(m),
        spec=m.spec,
    )

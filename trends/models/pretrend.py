"""Is the pre-intervention period described by a straight-line trend? (issue 12, item 1)

The interrupted time series of :func:`trends.models.its.fit_its` extrapolates a log-linear trend
from the period before the intervention: its level change is the jump between that line at the
intervention and the post-period line. When the pre-period curves (a slow wave, a build-up) the
line is the wrong counterfactual and the level change's interval can miss the truth far more
often than its level says, whatever the serial-dependence model (the latent AR(1) method covered
0.748 instead of 0.95 on a slow wave in ``benchmarks/results/calibration_independent_v2.md``).
:func:`check_pre_trend` tests for that and says so in words.

Method
------
The ITS is refitted (same series, family, seasonality, covariates, offset, transition window,
interventions) with extra columns that bend the trend *before the first intervention only*::

    h_k(t) = 1{t < p} ((t - p) / p)^k,      k = 2, ..., d       (t, p: 0-based positions)

with ``p`` the first post period. They vanish at and after ``p`` and (from ``k = 2`` on) have a
zero slope at ``p``, so in the extended fit ``intercept + trend * t`` is the tangent of the
pre-period curve at the intervention, and ``level[...]`` is the jump from the curved
pre-period trend's value at the intervention to the post-period line: the level change the
extended model implies (:attr:`PreTrendCheck.level_change_curved`). With ``trend=False`` the
columns start at ``k = 1``. The whole series is fitted (the post period helps to estimate the
serial dependence and dispersion); the columns are identified by the pre-period alone.

The columns are tested jointly with a Wald test that uses the covariance of the fit: by
default (``test_inference="auto"``) the latent AR(1) model of ``inference="latent_ar"``
(hyperparameter uncertainty propagated, ``hyper="auto"``), whatever inference the analysis
itself uses, because the Newey-West version of the test was grossly oversized on
serially dependent series (calibration below); where the latent model cannot be fitted the
result says "not tested" unless the Newey-West test is asked for. Reference distribution: F
with ``q`` and ``df2`` degrees of freedom (``W / q`` against ``F(q, df2)``), ``df2`` the smallest
Satterthwaite degrees of freedom of the tested coefficients when the latent-AR fit uses t
quantiles (fewer than 183 observed periods, as its intervals do), else chi-squared ``W``
against ``chi2(q)``; for a count GLM F with the residual degrees of freedom.

Degree rule (:func:`pretrend_degree`): cubic (``d = 3``, two extra columns) when the pre-period
has at least :data:`CUBIC_MIN_PERIODS` observed periods, quadratic (one column) from
:data:`MIN_PRE_PERIODS`; fewer periods, or fewer than :data:`MIN_PRE_EVENTS` events before the
intervention: not tested (a result with ``tested=False`` and the reason, never an error). The
rule was stated before the calibration; a quadratic-only variant had the same size and power
in a pilot (25 series per cell).

The test is judged at :data:`PRETREND_LEVEL` = 0.10: its power against smooth curvature is low
(a latent AR(1) process with a coefficient near 1 can mimic a slow wave), so a diagnostic whose
silence is weak evidence should not wait for strong evidence before it warns.

Measured (``benchmarks/results/calibration_pretrend.md``, 200 daily series per cell, 120-365
days, the independent processes of ``benchmarks/dgps.py``): at the 0.10 level the check flagged
0.086 of the 3600 series whose pre-period trend was right (INGARCH, Markov switching) and 0.243
of the 1200 slow-wave series (0.120 / 0.237 / 0.372 at 120 / 245 / 365 days); the Newey-West
version flagged 0.510 of the right-trend series. Among wave series it did not flag, the
straight-line level change covered 0.773 (all wave series: 0.768), so a passing test does not
show that the trend is right. The curved fit's own 95% interval covered 0.946 on the wave and
0.944 where the trend was right, about 1.3 times wider.

Models do no I/O: this module reads nothing and writes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from trends.errors import (
    ConvergenceError,
    InputError,
    InsufficientDataError,
    NotIdentifiedError,
)
from trends.models.its import ITSModelFit, ITSResult, RateRatio, fit_its_model
from trends.models.its_design import (
    PreparedSeries,
    build_design,
    place_interventions,
    prepare_series,
    usable_rows,
)
from trends.models.its_latent import LatentARFit
from trends.models.spec import SPEC_DEFAULTS, ITSSpec, choose_inference
from trends.models.wording import fmt_p
from trends.results import Result, to_jsonable
from trends.verdicts.words import fmt_number, fmt_ratio, plural, with_article

__all__ = [
    "CUBIC_MIN_PERIODS",
    "LATENT_TEST_MIN_PERIODS",
    "MIN_PRE_EVENTS",
    "MIN_PRE_PERIODS",
    "PRETREND_LEVEL",
    "PreTrendCheck",
    "check_pre_trend",
    "pretrend_degree",
]

#: Significance level at which the pre-period is called "not well described".
PRETREND_LEVEL = 0.10
#: Fewer observed pre-period periods than this: not tested.
MIN_PRE_PERIODS = 12
#: From this many observed pre-period periods on the extended trend is cubic (else quadratic).
CUBIC_MIN_PERIODS = 40
#: Fewest observed periods of the whole series for the latent-AR test: the shortest series of its
#: calibration (120 days; the latent model itself accepts shorter ones).
LATENT_TEST_MIN_PERIODS = 30
#: Fewer events than this before the intervention: not tested.
MIN_PRE_EVENTS = 10

_PREFIX = "pretrend"


def pretrend_degree(n_pre: int, *, trend: bool = True) -> int:
    """Highest power of the extended pre-period trend (0: too short to test).

    Parameters
    ----------
    n_pre : int
        Observed (used) periods before the first intervention.
    trend : bool, default True
        Whether the straight-line model has a trend (without one the extension starts at the
        linear term).

    Returns
    -------
    int
        3 from :data:`CUBIC_MIN_PERIODS` periods, 2 from :data:`MIN_PRE_PERIODS`, else 0 (with
        ``trend=False``: 2, 1 or 0).
    """
    if n_pre < MIN_PRE_PERIODS:
        return 0
    d = 3 if n_pre >= CUBIC_MIN_PERIODS else 2
    return d if trend else d - 1


@dataclass(frozen=True, eq=False, repr=False)
class PreTrendCheck(Result):
    """Result of :func:`check_pre_trend`.

    Attributes
    ----------
    tested : bool
        Whether the test was run (``False``: see ``reason``; the other numbers are NaN/None).
    reason : str or None
        Why it was not run.
    well_described : bool or None
        ``p_value >= level``: no evidence against the straight-line pre-period trend (``None``
        when not tested). Not evidence that the trend is right.
    statistic : float
        Wald statistic ``W`` of the extra terms (chi-squared scale).
    df : int
        Number of extra terms ``q``.
    df_denom : float or None
        Denominator degrees of freedom of the F reference (``None``: chi-squared reference).
    reference : str
        ``"F"`` or ``"chi2"``.
    p_value : float
        P-value of the joint test.
    level : float
        Significance level of ``well_described``.
    degree : int
        Highest power of the extended pre-period trend (0 when not tested).
    terms : tuple of str
        Names of the extra columns.
    coefficients : pandas.Series or None
        Their estimates (log scale) in the extended fit.
    std_errors : pandas.Series or None
        Their standard errors.
    inference : str
        ``"latent_ar"`` or ``"glm"`` (the fit that was extended).
    method : str
        The test in words.
    intervention : str
        Name of the intervention whose pre-period was tested (the first one).
    n_pre : int
        Observed periods before it used in the fit.
    pre_events : float
        Events in them.
    unit : str
        Period unit (``"day"``, ``"week"``...).
    level_change_linear : RateRatio or None
        Level change of that intervention with the straight-line trend (the ITS as fitted).
    level_change_curved : RateRatio or None
        Level change implied by the extended fit (jump from the curved pre-period trend at the
        intervention to the post-period line).
    level_change_main : RateRatio or None
        The level change of the ``baseline`` fit when the test's model differs from it (a
        Newey-West GLM analysis tested with the latent AR(1) model): the analysis's own number,
        quoted beside the test's pair so that two straight-line figures cannot be confused;
        ``None`` when the test extends the analysis's own model.
    notes : tuple of str
        Remarks of the extended fit.
    """

    tested: bool
    reason: str | None = None
    well_described: bool | None = None
    statistic: float = math.nan
    df: int = 0
    df_denom: float | None = None
    reference: str = "chi2"
    p_value: float = math.nan
    level: float = PRETREND_LEVEL
    degree: int = 0
    terms: tuple[str, ...] = ()
    coefficients: pd.Series | None = None
    std_errors: pd.Series | None = None
    inference: str = "glm"
    method: str = ""
    intervention: str = "the intervention"
    n_pre: int = 0
    pre_events: float = 0.0
    unit: str = "period"
    level_change_linear: RateRatio | None = None
    level_change_curved: RateRatio | None = None
    level_change_main: RateRatio | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def flagged(self) -> bool:
        """True when tested and the straight-line trend was rejected at :attr:`level`."""
        return self.tested and self.well_described is False

    # -- Result interface ----------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """The extra terms of the extended fit.

        Returns
        -------
        pandas.DataFrame
            One row per extra term (``estimate``, ``se``, ``z``); empty when not tested.
        """
        if not self.tested or self.coefficients is None or self.std_errors is None:
            return pd.DataFrame(columns=["estimate", "se", "z"]).rename_axis("term")
        out = pd.DataFrame(
            {
                "estimate": self.coefficients,
                "se": self.std_errors,
                "z": self.coefficients / self.std_errors,
            }
        )
        out.index.name = "term"
        return out

    def glance(self) -> pd.DataFrame:
        """One row: whether tested, the statistic, p-value, verdict and both level changes.

        Returns
        -------
        pandas.DataFrame
            Exactly one row.
        """
        lin, cur = self.level_change_linear, self.level_change_curved
        row: dict[str, Any] = {"tested": self.tested, "well_described": self.well_described}
        row.update({name: getattr(self, name) for name in _GLANCE_FIELDS})
        row["level_change_linear"] = math.nan if lin is None else lin.estimate
        row["level_change_curved"] = math.nan if cur is None else cur.estimate
        row["reason"] = self.reason
        return pd.DataFrame([row])

    def headline(self) -> str:
        """The verdict in one sentence (for a report or a bottom line).

        Returns
        -------
        str
        """
        if not self.tested:
            return (
                f"The shape of the trend before {self.intervention} was not tested: {self.reason}."
            )
        p = fmt_p(self.p_value)
        if self.flagged:
            return (
                f"The period before {self.intervention} is not well described by a straight-line "
                f"trend (test of curvature: {p}); the estimated level change depends on that trend."
            )
        return (
            f"No evidence that the straight-line trend before {self.intervention} is wrong (test "
            f"of curvature: {p}); this test has limited power, especially on short series, so "
            "passing it does not show that the trend is right."
        )

    def report(self) -> str:
        """Plain-language paragraph: the verdict, the test, and the level change it affects.

        Returns
        -------
        str
        """
        parts = [self.headline()]
        if not self.tested:
            return parts[0]
        parts.append(
            f"The test compares the straight-line trend with a {_degree_word(self.degree)} one "
            f"over the {self.n_pre} {self.unit}s before {self.intervention} ({self.method})."
        )
        lin, cur = self.level_change_linear, self.level_change_curved
        if self.flagged and lin is not None and cur is not None:
            parts.append(self._comparison(lin, cur))
        return " ".join(parts)

    def _comparison(self, lin: RateRatio, cur: RateRatio) -> str:
        """The curved and straight-line level changes of the test's own model, named as such."""
        lvl = f"{round(cur.level * 100):d}%"
        # the test's model is one of the two; a main fit quoted beside it is the other one
        model, other = "latent AR(1) model", "count GLM"
        if self.inference != "latent_ar":
            model, other = other, model
        text = (
            f"In the {model} that this test uses, the level change is a rate ratio of "
            f"{_rr(cur, lvl)} with the curved pre-period trend against {_rr(lin, lvl)} with the "
            "straight line"
        )
        main = self.level_change_main
        if main is not None:
            text += (
                f" (the main fit above, the {other}, gives {_rr(main, lvl)} with the straight line)"
            )
        return (
            f"{text}; neither is reliable if the curvature is not understood, and the curved "
            "fit's extrapolation to the intervention is itself an assumption."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary of the check.

        Returns
        -------
        dict
        """
        lin, cur = self.level_change_linear, self.level_change_curved
        scalars = {name: getattr(self, name) for name in _GLANCE_FIELDS}
        return to_jsonable(
            {
                "model": "pre_trend_check",
                "tested": self.tested,
                "reason": self.reason,
                "well_described": self.well_described,
                "flagged": self.flagged,
                **scalars,
                "terms": list(self.terms),
                "coefficients": _as_mapping(self.coefficients),
                "std_errors": _as_mapping(self.std_errors),
                "method": self.method,
                "intervention": self.intervention,
                "unit": self.unit,
                "level_change_linear": None if lin is None else lin.to_dict(),
                "level_change_curved": None if cur is None else cur.to_dict(),
                "level_change_main": None
                if self.level_change_main is None
                else self.level_change_main.to_dict(),
                "notes": list(self.notes),
                "headline": self.headline(),
            }
        )


#: The scalar fields that :meth:`PreTrendCheck.glance` shows and its ``to_dict`` writes.
_GLANCE_FIELDS = (
    "statistic",
    "df",
    "df_denom",
    "reference",
    "p_value",
    "level",
    "degree",
    "inference",
    "n_pre",
    "pre_events",
)


def _as_mapping(values: pd.Series | None) -> dict[str, float] | None:
    return None if values is None else {str(k): float(v) for k, v in values.items()}


def _rr(r: RateRatio, lvl: str) -> str:
    """``"0.49 (95% CI 0.23 to 1.04)"`` in the package's ratio format."""
    return f"{fmt_ratio(r.estimate)} ({lvl} CI {fmt_ratio(r.ci_low)} to {fmt_ratio(r.ci_high)})"


def _degree_word(d: int) -> str:
    return {1: "linear", 2: "quadratic", 3: "cubic"}.get(d, f"degree-{d} polynomial")


def _ratio(fit: Any, term: str, alpha: float) -> RateRatio:
    """Wald rate ratio of one coefficient with the fit's own quantile (normal or t)."""
    b = float(fit.params[term])
    se = float(fit.bse[term])
    if isinstance(fit, LatentARFit):
        z = fit.quantile(term, alpha)
        p = float(fit.result.p_value(term))
    else:
        z = float(special.ndtri(1.0 - alpha / 2.0))
        p = float(2.0 * special.ndtr(-abs(b / se))) if se > 0 else math.nan
    with np.errstate(over="ignore"):
        lims = np.exp([b, b - z * se, b + z * se])
    return RateRatio(float(lims[0]), float(lims[1]), float(lims[2]), p, b, se, 1.0 - alpha)


def _spec_of(
    interventions: Any, spec: ITSSpec | None, baseline: Any, options: dict[str, Any]
) -> ITSSpec:
    """The specification to check: given, taken from ``baseline``, or built from options."""
    if isinstance(interventions, ITSSpec):
        if spec is not None:
            raise InputError("give the specification once (positionally or as spec=)")
        spec, interventions = interventions, None
    if spec is None and baseline is not None:
        spec = getattr(baseline, "spec", None)
    if spec is None:
        return ITSSpec.from_options(interventions, **options)
    if options:
        raise InputError(
            "with a specification, change options in it (spec.replace(...)), not as keywords: "
            + ", ".join(sorted(options))
        )
    return spec if interventions is None else spec.with_intervention(interventions)


def _resolve_auto(spec: ITSSpec, prepared: PreparedSeries) -> ITSSpec:
    if str(spec.inference) != "auto":
        return spec
    name = choose_inference(
        "auto",
        freq=prepared.freq,
        n_observed=int(np.sum(~np.isnan(prepared.values))),
        family=spec.family_name,
    )
    return spec.replace(inference=name)


def _test_spec(
    spec: ITSSpec, prepared: PreparedSeries, test_inference: str
) -> tuple[ITSSpec, str | None]:
    """The specification whose fit the test extends, or why none (see ``test_inference``)."""
    if test_inference == "spec":
        return spec, None
    if test_inference in ("glm", "latent_ar"):
        return spec.replace(inference=test_inference).validated(), None
    if test_inference != "auto":
        raise InputError("test_inference must be 'auto', 'spec', 'latent_ar' or 'glm'")
    n_obs = int(np.sum(~np.isnan(prepared.values)))
    if spec.family_name in ("negbin", "poisson") and n_obs >= LATENT_TEST_MIN_PERIODS:
        return spec.replace(inference="latent_ar"), None
    return spec, (
        "the test needs the latent AR(1) model (negative binomial or Poisson family, at least "
        f"{LATENT_TEST_MIN_PERIODS} observed periods); its Newey-West version flags far too many "
        "series whose trend is right, so it is only run on request"
    )


def _columns(prepared: PreparedSeries, position: int, degree: int, trend: bool) -> pd.DataFrame:
    """The extra pre-period columns ``1{t < p} ((t - p) / p)^k``."""
    k = np.arange(prepared.n, dtype=float)
    u = np.where(k < position, (k - position) / position, 0.0)
    first = 2 if trend else 1
    cols = {f"{_PREFIX}[{j}]": u**j for j in range(first, degree + 1)}
    return pd.DataFrame(cols, index=prepared.index)


def _wald(fit: Any, terms: list[str]) -> tuple[float, float | None, str, float]:
    """Joint Wald test of ``terms``: statistic, df2 (None: chi2), reference, p-value."""
    b = fit.params[terms].to_numpy(dtype=float)
    v = fit.cov.loc[terms, terms].to_numpy(dtype=float)
    v = 0.5 * (v + v.T)
    evals = np.linalg.eigvalsh(v)
    if not np.all(np.isfinite(evals)) or evals.min() <= 1e-12 * max(evals.max(), 1e-300):
        raise NotIdentifiedError("the covariance of the curvature terms is singular")
    w = float(b @ np.linalg.solve(v, b))
    q = len(terms)
    df2: float | None
    if isinstance(fit, LatentARFit):
        res = fit.result
        df2 = None
        if res.uses_t and res.df is not None:
            d = res.df[terms].to_numpy(dtype=float)
            d = d[np.isfinite(d) & (d > 0)]
            df2 = float(max(d.min(), 1.0)) if d.size else None
    else:
        df2 = float(max(fit.df_resid, 1))
    if df2 is None:
        return w, None, "chi2", float(special.chdtrc(q, w))
    return w, df2, "F", float(special.fdtrc(q, df2, w / q))


def _df_words(df: float | None) -> str:
    """Degrees of freedom: one decimal, none when it rounds to a whole number ("2", "23.7")."""
    text = fmt_number(df, 1)
    return text[:-2] if text.endswith(".0") else text


def _method_words(fit: Any, reference: str, df2: float | None, q: int) -> str:
    ref = (
        f"F reference with {q} and {_df_words(df2)} degrees of freedom"
        if reference == "F"
        else f"chi-squared reference with {q} degree{'s' if q > 1 else ''} of freedom"
    )
    if isinstance(fit, LatentARFit):
        cov = "latent AR(1) covariance, hyperparameter uncertainty included"
    else:
        words = {"hac": "Newey-West (HAC)", "model": "model-based", "robust": "robust (sandwich)"}
        cov = (
            f"{words.get(fit.se_type, fit.se_type)} covariance of the count GLM, a version "
            "known to flag too often under serial dependence"
        )
    return f"joint Wald test of the curvature terms with the {cov}; {ref}"


def _not_tested(reason: str, **kw: Any) -> PreTrendCheck:
    return PreTrendCheck(tested=False, reason=reason, **kw)


def check_pre_trend(
    series: pd.Series | PreparedSeries,
    interventions: Any = None,
    *,
    spec: ITSSpec | None = None,
    baseline: ITSResult | ITSModelFit | None = None,
    level: float = PRETREND_LEVEL,
    degree: int | None = None,
    test_inference: str = "auto",
    **options: Any,
) -> PreTrendCheck:
    """Test whether the pre-intervention trend of an ITS is a straight line (on the log scale).

    Call it as :func:`trends.models.its.fit_its` is called, with the same series and the same
    options (``check_pre_trend(y, "2020-03-05", inference="latent_ar")``), with the same
    specification (``check_pre_trend(y, spec=result.spec)``), or with the fitted result
    (``check_pre_trend(y, baseline=result)``: its spec, and its level change as the
    straight-line one without refitting). ``inference="auto"`` is resolved as the analysis does
    (:func:`trends.models.spec.choose_inference`). See the module notes for the method.

    Parameters
    ----------
    series : pandas.Series
        The counts the ITS is fitted to (regular DatetimeIndex; NaN = not reported).
    interventions : date, event, list of them, or ITSSpec, optional
        As in ``fit_its``; the pre-period is the one before the first intervention.
    spec : ITSSpec, optional
        The specification (else ``baseline.spec``, else built from ``options``).
    baseline : ITSResult or ITSModelFit, optional
        The straight-line fit already made (saves one fit; its level change is reported).
    level : float, default PRETREND_LEVEL
        Significance level of ``well_described``.
    degree : int, optional
        Highest power of the curved trend (default :func:`pretrend_degree`); at least 2 (1
        with ``trend=False``).
    test_inference : {"auto", "latent_ar", "glm", "spec"}, default "auto"
        The fit whose covariance the test uses. ``"auto"``: the latent AR(1) model whenever it
        can be fitted (negative binomial or Poisson family, at least
        :data:`LATENT_TEST_MIN_PERIODS` observed periods), else not tested (with
        the reason); ``"spec"``: the specification's own inference; ``"glm"`` /
        ``"latent_ar"``: that one. The Newey-West Wald test of a count GLM flagged 0.510 of
        the series whose pre-period trend was right in the calibration
        (``benchmarks/results/calibration_pretrend.md``), so it runs only on request. Both
        level changes of the result come from the fit the test uses.
    **options
        Keyword options of ``fit_its`` (``family``, ``inference``, ``se``, ``hac_lags``,
        ``exposure``, ``offset``, ``seasonality``, ``fourier``, ``covariates``,
        ``transition``...), when no spec is given.

    Returns
    -------
    PreTrendCheck
        ``tested=False`` (with the reason) when the pre-period is too short, has too few
        events, or the extended model cannot be fitted.

    Raises
    ------
    trends.errors.InputError
        Bad series, options, interventions or ``level``; options given with a spec.
    """
    if not 0.0 < level < 1.0:
        raise InputError("level must be between 0 and 1")
    options = {k: v for k, v in options.items() if not _is_default(k, v)}
    the_spec = _spec_of(interventions, spec, baseline, options)
    prepared = prepare_series(series)
    the_spec = _resolve_auto(the_spec, prepared).validated()
    own = the_spec.inference
    the_spec, refusal = _test_spec(the_spec, prepared, test_inference)
    placed = place_interventions(the_spec, prepared)
    first = placed[0]
    main_rr = None
    if baseline is not None and the_spec.inference != own:
        # its level change is another method's: refit the straight line, and keep the
        # analysis's own figure to quote beside the test's pair
        main_rr = _baseline_ratio(baseline, prepared, the_spec, first.id)
        baseline = None
    unit = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}[prepared.freq]
    design = build_design(the_spec, prepared, placed)
    pre_rows = design.segment == 0
    observed = ~np.isnan(prepared.values)
    ok = observed & np.all(np.isfinite(design.matrix.to_numpy()), axis=1)
    if the_spec.transition_mode == "exclude":
        ok &= ~design.transition
    n_pre = int(np.sum(ok & pre_rows))
    pre_events = float(np.sum(prepared.values[ok & pre_rows]))
    ctx = {
        "inference": str(the_spec.inference),
        "intervention": with_article(str(first.name)),
        "n_pre": n_pre,
        "pre_events": pre_events,
        "unit": unit,
        "level": level,
    }
    if refusal is not None:
        return _not_tested(refusal, **ctx)
    d = degree if degree is not None else pretrend_degree(n_pre, trend=the_spec.trend)
    if degree is not None and degree < (2 if the_spec.trend else 1):
        raise InputError("degree must be at least 2 (1 without a trend)")
    if d == 0:
        return _not_tested(
            f"only {plural(n_pre, 'observed ' + unit)} before {first.name} (at least {MIN_PRE_PERIODS} "
            "are needed)",
            **ctx,
        )
    if pre_events < MIN_PRE_EVENTS:
        return _not_tested(
            f"only {plural(pre_events, 'event')} in the {plural(n_pre, unit)} before {first.name} (at least "
            f"{MIN_PRE_EVENTS} are needed)",
            **ctx,
        )
    try:
        usable_rows(the_spec, prepared, design, placed)
        base_rr = _baseline_ratio(baseline, prepared, the_spec, first.id)
        extra = _columns(prepared, first.position, d, the_spec.trend)
        cov = (
            extra
            if the_spec.covariates is None
            else pd.concat([the_spec.covariates.reindex(prepared.index), extra], axis=1)
        )
        m = fit_its_model(prepared, the_spec.replace(covariates=cov))
        terms = list(extra.columns)
        w, df2, ref, p = _wald(m.fit, terms)
    except (InsufficientDataError, NotIdentifiedError, ConvergenceError) as exc:
        return _not_tested(f"the model could not be fitted ({exc})", **ctx)
    fit = m.fit
    return PreTrendCheck(
        tested=True,
        well_described=bool(p >= level),
        statistic=w,
        df=len(terms),
        df_denom=df2,
        reference=ref,
        p_value=p,
        degree=d,
        terms=tuple(terms),
        coefficients=fit.params[terms].copy(),
        std_errors=fit.bse[terms].copy(),
        method=_method_words(fit, ref, df2, len(terms)),
        level_change_linear=base_rr,
        level_change_curved=_ratio(fit, f"level[{first.id}]", the_spec.alpha),
        level_change_main=main_rr,
        notes=tuple(getattr(fit, "notes", ()) or ()),
        **ctx,
    )


def _is_default(key: str, value: Any) -> bool:
    if key == "se":
        key = "covariance"
    if key not in SPEC_DEFAULTS:
        return False
    default = SPEC_DEFAULTS[key]
    return value is default or (isinstance(value, (str, int, float)) and value == default)


def _baseline_ratio(
    baseline: Any, prepared: PreparedSeries, spec: ITSSpec, iid: str
) -> RateRatio | None:
    """The straight-line level change of intervention ``iid`` (from ``baseline`` or a refit)."""
    if baseline is not None:
        for eff in getattr(baseline, "effects", ()):
            if eff.id == iid:
                return eff.level_change
        return None
    m = fit_its_model(prepared, spec)
    return _ratio(m.fit, f"level[{iid}]", spec.alpha)

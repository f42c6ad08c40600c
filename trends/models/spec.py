"""The specification of an interrupted time series model, as one object.

An :class:`ITSSpec` holds every choice :func:`trends.models.its.fit_its` makes apart from the
data: the intervention(s), the count family, the covariance estimator, the terms (trend, slope
change, transition window, seasonality, Fourier terms, covariates, offset or exposure) and the
interval settings. ``fit_its(series, spec)`` fits it; the keyword interface of ``fit_its`` builds
one with :meth:`ITSSpec.from_options`. The placebo test and the robustness checks refit *the same*
specification with another date or another series: ``fit_its(series,
spec.with_intervention(fake_date))``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import InputError, UnknownModelComponentError
from trends.models.covariance import CovarianceEstimator, resolve_covariance
from trends.models.families import Family, get_family

__all__ = [
    "INFERENCE_METHODS",
    "InferenceMethod",
    "ITSSpec",
    "SPEC_DEFAULTS",
    "TWO_PHASE_METHODS",
    "get_inference",
    "get_two_phase_method",
    "AUTO_MIN_PERIODS",
    "AUTO_MIN_MONTHS",
    "AUTO_MIN_MONTHS_TWO_PHASE",
    "AUTO_MIN_WEEKS",
    "AUTO_MIN_WEEKS_TWO_PHASE",
    "TWO_PHASE_OF_INFERENCE",
    "two_phase_method_of",
    "choose_inference",
    "choose_two_phase_method",
]

Intervals = Literal["simulation", "analytic", "delta"]


@dataclass(frozen=True)
class InferenceMethod:
    """One way of estimating an ITS specification and its uncertainty.

    Attributes
    ----------
    name : str
        Registry name (the ``inference`` option).
    label : str
        Short description in words (for reports and ``--help``).
    families : tuple of str or None
        Count families it supports (``None``: every family of the registry).
    coverage : str
        What has been measured about its intervals (for the report's method notes).
    """

    name: str
    label: str
    families: tuple[str, ...] | None
    coverage: str


#: How an ITS is estimated: the ``inference`` option of :class:`ITSSpec` / ``fit_its``.
INFERENCE_METHODS: dict[str, InferenceMethod] = {
    m.name: m
    for m in (
        InferenceMethod(
            name="glm",
            label="count GLM (the spec's family) with the spec's covariance estimator "
            "(Newey-West HAC by default); simulated or closed-form counterfactual intervals",
            families=None,
            coverage="measured (benchmarks/README.md section 4, 200 simulated series per cell, "
            "negative binomial + Newey-West): 95% intervals of the level change covered 0.839 "
            "at 245 days or more and 0.778 at 120 days where the trend was right; false-positive "
            "rate 0.187; on weekly sums 0.808 (false positives 0.185; "
            "benchmarks/results/calibration_weekly.md) and on monthly sums of 19-37 months "
            "0.653 (false positives 0.341; benchmarks/results/calibration_monthly.md, 100 "
            "series per cell)",
        ),
        InferenceMethod(
            name="latent_ar",
            label="count regression with a latent Gaussian AR(1) log intensity "
            "(trends.models.latent_ar.fit_latent_ar, Laplace likelihood), same design",
            families=("negbin", "poisson"),
            coverage="measured (benchmarks/results/calibration_independent_v2.md, 200 simulated "
            "series per cell, 60 cells): with the hyperparameter correction (delta-method "
            "propagation of the uncertainty of the AR coefficient, sd and size; t quantiles with "
            "Satterthwaite df below 183 periods) 95% intervals of the level change covered 0.949 "
            "(0.910-0.975) at 245 days or more and 0.939 (0.920-0.965) at 120 days where the trend "
            "was right (without the correction 0.942 / 0.918; negative binomial + Newey-West "
            "0.839 / 0.778); false-positive rate 0.050 (0.063; 0.187); with 1,000 series per "
            "cell at 245 days or more 0.947 (0.930-0.961), false-positive rate 0.041-0.066 "
            "(benchmarks/results/calibration_band.md); it does not fix a misfit "
            "trend (coverage 0.748 vs 0.585 on a slow wave) nor the long-run estimand under "
            "self-excitation (0.825); on weekly sums of 245-730 days 0.959 (0.940-0.980), "
            "false-positive rate 0.045 (benchmarks/results/calibration_weekly.md), of 120 / 180 "
            "days 0.934 / 0.954 (benchmarks/results/calibration_short_weekly.md, 200 series per "
            "cell); on monthly "
            "sums of 19-37 months 0.942 (0.890-0.975), 0.928 at 19 months, false-positive rate "
            "0.046 (benchmarks/results/calibration_monthly.md, 200 series per cell)",
        ),
    )
}


#: How the two-phase rate ratio of :func:`trends.models.rates.compare_rates` is estimated (its
#: ``model`` option): the ITS methods' names plus rates-only ones.
TWO_PHASE_METHODS: dict[str, InferenceMethod] = {
    m.name: m
    for m in (
        InferenceMethod(
            name="glm",
            label="count GLM with an 'after' indicator (the ratio of the period rates) and the "
            "chosen covariance (Newey-West HAC by default)",
            families=None,
            coverage="measured (benchmarks/results/calibration_independent.md, 200 simulated "
            "series per cell, negative binomial + Newey-West): 95% intervals of the two-phase "
            "ratio covered 0.844 where the trend was right; false-positive rate 0.173",
        ),
        InferenceMethod(
            name="latent_ar",
            label="'after' coefficient of a latent AR(1) log-intensity model (a GLS-like "
            "estimate weighing the periods near the change; not the ratio of the period rates)",
            families=("negbin", "poisson"),
            coverage="measured (same study): 0.935 where the trend was right against the "
            "post-period average ratio; false-positive rate 0.063",
        ),
        InferenceMethod(
            name="latent_ar_lrv",
            label="ratio of the observed period rates with a delta-method interval from the "
            "serial covariance of a fitted latent AR(1) log-intensity model (its "
            "hyperparameters plugged in), with the t quantile at the variance's Satterthwaite "
            "degrees of freedom (at least 3) on daily series and the normal quantile on weekly "
            "and monthly sums",
            families=("negbin", "poisson"),
            coverage="measured (benchmarks/results/two_phase_satterthwaite_n1000.md, 1,000 "
            "simulated series per cell, 42 cells of 230-730 days where the trend was right: "
            "Markov switching, latent AR, INGARCH, the package's presets, persistent series like "
            "the founding case, independent days and weekly cycles): 95% intervals covered the "
            "ratio of the marginal means in 0.963 (0.937-0.980) of series, 1 cell below 0.94 "
            "and 25 above 0.96 (conservative: 0.943-0.979 on series as persistent as the "
            "founding case), false-positive rate 0.020-0.063 (the variance averaged over the "
            "hyperparameters with the normal quantile, used before: 0.955, 0.922-0.985, 7 "
            "cells below 0.94; negative binomial + Newey-West 0.844); at 120 days 0.968 "
            "(0.953-0.977); conservative (0.99) when a slow wave runs through both phases; with "
            "the normal quantile, as used on weekly and monthly sums, weekly at 180 days 0.946 "
            "(Newey-West 0.792) and monthly sums of 25-37 months 0.948-0.954 (Newey-West "
            "0.784-0.832; benchmarks/results/calibration_monthly.md, 200 series per cell)",
        ),
    )
}


#: The two-phase method that goes with each ``inference`` choice of the analysis (``auto``,
#: ``glm``, ``latent_ar``): one switch for both intervals.
TWO_PHASE_OF_INFERENCE: dict[str, str] = {
    "auto": "auto",
    "glm": "glm",
    "latent_ar": "latent_ar_lrv",
}


def two_phase_method_of(se_type: Any) -> InferenceMethod:
    """The two-phase method a rate comparison used, from its ``rate_ratio_nb["se_type"]``.

    The latent methods record their own name; the count GLM records its covariance (``"hac"``,
    ``"model"``...), which is the ``"glm"`` method.
    """
    return TWO_PHASE_METHODS.get(str(se_type), TWO_PHASE_METHODS["glm"])


#: Shortest series (observed daily periods) on which ``"auto"`` picks the latent-AR methods: the
#: shortest length of the calibration study (benchmarks/results/calibration_independent_v2.md).
AUTO_MIN_PERIODS = 120
#: Shortest weekly series (observed weeks) on which ``"auto"`` picks the latent-AR ITS: the
#: shortest weekly length calibrated (120 days summed into 18 weekly periods;
#: benchmarks/results/calibration_short_weekly.md; 245-730 days in calibration_weekly.md).
AUTO_MIN_WEEKS = 18
#: Shortest weekly series on which ``"auto"`` picks the latent-AR two-phase ratio: the shortest
#: length at which it was measured (180 days: 24-25 whole weeks; at 16 it cannot be fitted).
AUTO_MIN_WEEKS_TWO_PHASE = 24
#: Shortest monthly series (observed months) on which ``"auto"`` picks the latent-AR ITS: the
#: shortest monthly length of the monthly calibration (545 days: 18 months and the two cut ones;
#: benchmarks/results/calibration_monthly.md).
AUTO_MIN_MONTHS = 19
#: Shortest monthly series on which ``"auto"`` picks the latent-AR two-phase ratio: the shortest
#: length at which it was measured (730 days: 23 whole months; at 17 it cannot be fitted).
AUTO_MIN_MONTHS_TWO_PHASE = 23
_AUTO_MIN = {"D": AUTO_MIN_PERIODS, "W": AUTO_MIN_WEEKS, "M": AUTO_MIN_MONTHS}
_AUTO_MIN_TWO_PHASE = {**_AUTO_MIN, "W": AUTO_MIN_WEEKS_TWO_PHASE, "M": AUTO_MIN_MONTHS_TWO_PHASE}


def _auto_latent(
    freq: str, n_observed: int, family: str, shortest: dict[str, int] = _AUTO_MIN
) -> bool:
    least = shortest.get(str(freq)[:1].upper())
    return (
        least is not None
        and n_observed >= least
        and family in (INFERENCE_METHODS["latent_ar"].families or ())
    )


def choose_inference(name: str, *, freq: str, n_observed: int, family: str) -> str:
    """The ITS inference method that ``name`` means for a series (``"auto"`` resolved).

    ``"auto"`` is ``"latent_ar"`` on daily series of at least :data:`AUTO_MIN_PERIODS` observed
    days, on weekly series of at least :data:`AUTO_MIN_WEEKS` observed weeks and on monthly
    series of at least :data:`AUTO_MIN_MONTHS` observed months, with a family it supports
    (negative binomial, Poisson): there its intervals held their level in the calibration
    studies where Newey-West's did not (daily: 0.949 vs 0.839 at >= 245 days, 0.939 vs 0.778 at
    120 days; weekly: 0.959 vs 0.808 at 245-730 days, 0.934 vs 0.536 at 120 days, false
    positives 0.045 vs 0.185; monthly: 0.942 vs 0.637, false positives 0.046 vs 0.367).
    Elsewhere (shorter series; other families) it is ``"glm"``. Any other name is returned as it is.

    Parameters
    ----------
    name : str
        ``"auto"`` or a key of :data:`INFERENCE_METHODS`.
    freq : str
        Period of the series (``"D"``, ``"W"``, ``"M"``).
    n_observed : int
        Observed (reported) periods in the analysed window.
    family : str
        Count family of the model.

    Returns
    -------
    str
        A key of :data:`INFERENCE_METHODS`.
    """
    if name != "auto":
        return get_inference(name).name
    return "latent_ar" if _auto_latent(freq, n_observed, family) else "glm"


def choose_two_phase_method(name: str, *, freq: str, n_observed: int, family: str) -> str:
    """The two-phase method that ``name`` means for a series (``"auto"`` resolved).

    ``"auto"`` is ``"latent_ar_lrv"`` (the ratio of the observed period rates, with the serial
    covariance of a fitted latent AR(1) model, with a Satterthwaite t quantile on daily
    series) under the rule of :func:`choose_inference` (daily coverage 0.959 over 42 cells vs
    0.844 for Newey-West in the calibration studies; 0.968 at 120 days), except that weekly and
    monthly series need :data:`AUTO_MIN_WEEKS_TWO_PHASE` observed weeks or
    :data:`AUTO_MIN_MONTHS_TWO_PHASE` observed months (weekly at 180 days: 0.946 vs 0.792;
    monthly: 0.948-0.954 vs 0.784-0.832 at 25 and 37 months), else ``"glm"``.

    Parameters
    ----------
    name : str
        ``"auto"`` or a key of :data:`TWO_PHASE_METHODS`.
    freq, n_observed, family
        As in :func:`choose_inference`.

    Returns
    -------
    str
        A key of :data:`TWO_PHASE_METHODS`.
    """
    if name != "auto":
        return get_two_phase_method(name).name
    latent = _auto_latent(freq, n_observed, family, _AUTO_MIN_TWO_PHASE)
    return "latent_ar_lrv" if latent else "glm"


def get_two_phase_method(name: str | InferenceMethod) -> InferenceMethod:
    """The two-phase method of a name (see :data:`TWO_PHASE_METHODS`).

    Parameters
    ----------
    name : str or InferenceMethod
        A registered name, or a method object (returned as is).

    Returns
    -------
    InferenceMethod
        The method.

    Raises
    ------
    trends.errors.UnknownModelComponentError
        A name that is not registered.
    """
    return _lookup(TWO_PHASE_METHODS, "two-phase method", name)


def get_inference(name: str | InferenceMethod) -> InferenceMethod:
    """The inference method of a name (see :data:`INFERENCE_METHODS`).

    Parameters
    ----------
    name : str or InferenceMethod
        A registered name, or a method object (returned as is).

    Returns
    -------
    InferenceMethod
        The method.

    Raises
    ------
    trends.errors.UnknownModelComponentError
        A name that is not registered.
    """
    return _lookup(INFERENCE_METHODS, "inference method", name)


def _lookup(
    registry: dict[str, InferenceMethod], kind: str, name: str | InferenceMethod
) -> InferenceMethod:
    """A method of ``registry`` by name (a method object is returned as is)."""
    if isinstance(name, InferenceMethod):
        return name
    key = str(name).strip().lower().replace("-", "_")
    if key not in registry:
        close = difflib.get_close_matches(key, list(registry), n=2)
        raise UnknownModelComponentError(kind, name, list(registry), close)
    return registry[key]


def _as_tuple(interventions: Any) -> tuple[Any, ...]:
    """Interventions as a tuple (one date, event or a list of them)."""
    if interventions is None:
        return ()
    if isinstance(interventions, (str, pd.Timestamp, _dt.date, np.datetime64)) or hasattr(
        interventions, "start"
    ):
        return (interventions,)
    if isinstance(interventions, Iterable):
        return tuple(interventions)
    return (interventions,)


@dataclass(frozen=True, eq=False)
class ITSSpec:
    """Everything an interrupted-time-series fit needs apart from the counts.

    Attributes
    ----------
    interventions : tuple
        Dates (``str``, ``Timestamp``...) or objects with ``start`` (and ``id``, ``name``).
    family : str or Family, default "negbin"
        A name of :data:`trends.models.families.FAMILIES` or a family object.
    covariance : str or CovarianceEstimator, default "hac"
        ``"hac"`` (Newey-West; automatic bandwidth, or ``hac_lags``), ``"model"``, ``"robust"``,
        any name of :data:`trends.models.covariance.COVARIANCES`, or an estimator object.
    hac_lags : int or None
        Fixed Newey-West lag (with ``covariance="hac"``).
    trend, slope_change : bool
        Linear trend; a ramp per intervention.
    seasonality : {"dow", "month"} or None
        Day-of-week or month-of-year indicators.
    fourier : tuple of (period, n_pairs) or None
        Fourier terms.
    covariates : pandas.DataFrame or None
        Extra regressors indexed like the series.
    offset, exposure : pandas.Series or None
        Log-scale offset, or positive exposure (its log is the offset).
    transition : int, (int, int) or None
        Transition window around each intervention, in periods.
    transition_mode : {"exclude", "separate"}
        Drop the window from the fit, or give it its own indicator.
    nb_se : {"conditional", "joint"}
        Negative binomial covariance (given theta, or joint with alpha).
    alpha : float
        One minus the confidence level.
    n_sim : int
        Draws of the simulation intervals.
    seed : int, numpy.random.Generator or None
        Randomness of the simulation intervals.
    ljung_box_lag : int or None
        Lag of the Ljung-Box diagnostic (default from the frequency).
    intervals : {"simulation", "analytic", "delta"}
        How counterfactual intervals are computed (``"delta"`` is another name of
        ``"analytic"``); unused by ``inference="latent_ar"``.
    inference : str, default "glm"
        How the model is estimated: a name of :data:`INFERENCE_METHODS`. ``"glm"``: the count
        GLM with the ``covariance`` estimator. ``"latent_ar"``: the same design fitted by
        :func:`trends.models.latent_ar.fit_latent_ar` (serial dependence as a latent AR(1) log
        intensity; ``covariance``, ``hac_lags``, ``nb_se``, ``intervals``, ``n_sim`` and
        ``seed`` are then unused; family ``"negbin"`` or ``"poisson"``).
    """

    interventions: tuple[Any, ...] = ()
    family: str | Family = "negbin"
    covariance: str | CovarianceEstimator = "hac"
    hac_lags: int | None = None
    trend: bool = True
    slope_change: bool = True
    seasonality: Literal["dow", "month"] | None = None
    fourier: Sequence[tuple[float, int]] | None = None
    covariates: pd.DataFrame | None = None
    offset: pd.Series | None = None
    exposure: pd.Series | None = None
    transition: int | tuple[int, int] | None = None
    transition_mode: Literal["exclude", "separate"] = "exclude"
    nb_se: Literal["conditional", "joint"] = "conditional"
    alpha: float = 0.05
    n_sim: int = 2000
    seed: int | np.random.Generator | None = 0
    ljung_box_lag: int | None = None
    intervals: Intervals = "simulation"
    inference: str = "glm"

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_options(cls, interventions: Any = None, **options: Any) -> ITSSpec:
        """A spec from ``fit_its``'s keyword options (``se`` is the ``covariance``).

        Parameters
        ----------
        interventions : date, event or list of them, optional
            The interventions.
        **options
            Any field of :class:`ITSSpec` (``se=`` is accepted for ``covariance=``).

        Returns
        -------
        ITSSpec
            The specification.

        Raises
        ------
        trends.errors.InputError
            An unknown option.
        """
        if "se" in options:
            options["covariance"] = options.pop("se")
        unknown = set(options) - {f.name for f in fields(cls)}
        if unknown:
            raise InputError(f"unknown ITS options: {', '.join(sorted(unknown))}")
        return cls(interventions=_as_tuple(interventions), **options)

    def with_intervention(self, intervention: Any) -> ITSSpec:
        """The same specification with the intervention(s) replaced.

        Parameters
        ----------
        intervention : date, event or list of them
            The new intervention(s) (for a placebo: a fake date).

        Returns
        -------
        ITSSpec
            A new spec; everything else is unchanged.
        """
        return replace(self, interventions=_as_tuple(intervention))

    def replace(self, **changes: Any) -> ITSSpec:
        """The same specification with some fields changed (``se=`` means ``covariance=``).

        Parameters
        ----------
        **changes
            Fields and their new values.

        Returns
        -------
        ITSSpec
            A new spec.
        """
        if "se" in changes:
            changes["covariance"] = changes.pop("se")
        if "interventions" in changes:
            changes["interventions"] = _as_tuple(changes["interventions"])
        return replace(self, **changes)

    # -- checks ---------------------------------------------------------------------------------
    def validated(self) -> ITSSpec:
        """Check the options; return the spec with ``intervals="delta"`` read as ``"analytic"``.

        Returns
        -------
        ITSSpec
            The checked spec.

        Raises
        ------
        trends.errors.InputError
            An option out of range.
        trends.errors.UnknownModelComponentError
            Unknown family or covariance estimator.
        """
        if not 0.0 < self.alpha < 1.0:
            raise InputError(f"alpha must be between 0 and 1, got {self.alpha}")
        if self.n_sim < 100:
            raise InputError("n_sim must be at least 100")
        if self.intervals not in ("simulation", "analytic", "delta"):
            raise InputError(
                f"intervals must be 'simulation' or 'analytic', got {self.intervals!r}"
            )
        if self.transition_mode not in ("exclude", "separate"):
            raise InputError("transition_mode must be 'exclude' or 'separate'")
        if self.seasonality not in (None, "dow", "month"):
            raise InputError("seasonality must be None, 'dow' or 'month'")
        method = get_inference(self.inference)
        family = self.family_object()
        if method.families is not None and family.name not in method.families:
            raise InputError(
                f"inference={method.name!r} supports the families "
                f"{', '.join(method.families)}, not {family.name!r}"
            )
        self.covariance_estimator()
        self.transition_window()
        out = self
        if self.intervals == "delta":
            out = replace(out, intervals="analytic")
        if self.inference != method.name:
            out = replace(out, inference=method.name)
        return out

    def family_object(self) -> Family:
        """The family (looked up in :data:`trends.models.families.FAMILIES` when a name).

        Returns
        -------
        Family
            The family.
        """
        return get_family(self.family)

    def covariance_estimator(self) -> CovarianceEstimator:
        """The covariance estimator for ``covariance`` and ``hac_lags``.

        Returns
        -------
        CovarianceEstimator
            The configured estimator.
        """
        return resolve_covariance(self.covariance, self.hac_lags)

    def transition_window(self) -> tuple[int, int]:
        """``(before, after)`` periods of the transition window (``(0, 0)`` without one).

        Returns
        -------
        tuple of int
            The window.

        Raises
        ------
        trends.errors.InputError
            Not an int or a pair, or negative.
        """
        transition = self.transition
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
        return tb, ta

    @property
    def family_name(self) -> str:
        """Registry name of the family."""
        return self.family_object().name

    @property
    def se(self) -> str:
        """The ``se`` option as results record it (``"hac"``, ``"model"``, ``"robust"``...)."""
        if isinstance(self.covariance, CovarianceEstimator):
            return self.covariance.se_type
        return str(self.covariance)


#: The default value of every field (the defaults of ``fit_its``'s keywords).
SPEC_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(ITSSpec)}

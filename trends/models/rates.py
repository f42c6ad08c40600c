"""Before/after comparison of event rates.

:func:`compare_rates` compares the rate of events (per period: per day for a daily series) in two
windows of a count series and returns a :class:`RateComparison` with two rate ratios
(after / before):

Exact conditional (Poisson) ratio
    Given the total ``N = c_after + c_before``, ``c_after`` is binomial with probability
    ``pi = R t_a / (R t_a + t_b)`` (``t`` = number of observed periods). The confidence interval
    inverts the Clopper-Pearson interval for ``pi``; the p-value is the two-sided exact binomial
    test of ``R = 1`` (the "minimum likelihood" two-sided rule of R ``binom.test`` /
    ``poisson.test``). It is defined when one window has no events (the interval then reaches 0 or
    infinity). It assumes independent Poisson counts, so it is too narrow when counts are
    overdispersed or autocorrelated, which is the norm for conflict events.

Negative binomial ratio
    A negative binomial GLM on the per-period counts of both windows with an "after" indicator,
    with Newey-West HAC errors by default: this allows for overdispersion and autocorrelation.
    When a window has no events the maximum-likelihood ratio is 0 or infinite; the result then
    says so (``estimate`` is ``None`` with a ``note``) instead of reporting a meaningless number.

Observed ratio with a latent-AR long-run variance (``model="latent_ar_lrv"``)
    The same estimate (the ratio of the observed period rates, which the count GLM with an
    "after" indicator reproduces), with the variance of ``log(mean after) - log(mean before)``
    from the serial covariance of a fitted negative-binomial latent AR(1) log-intensity model
    (:func:`lrv_log_ratio_se`, cross-phase covariance included; delta method), the model's
    hyperparameters plugged in; on daily series the interval uses the t quantile at the
    variance's Satterthwaite degrees of freedom (how well the data pin the dependence down,
    :func:`trends.models.latent_ar_lrv.contrast_variance_df`). ``"latent_ar"``
    instead reports that model's "after" coefficient, a GLS-like estimate that, under strong
    dependence, weighs the periods near the change and so differs from the ratio of the period
    rates. Measured coverage: :data:`trends.models.spec.TWO_PHASE_METHODS`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from trends.errors import ConvergenceError, InputError, ModelError, ModelWarning, TrendsError
from trends.models.covariance import CovarianceEstimator, get_covariance
from trends.models.families import FAMILIES, Family, get_family
from trends.models.glm import fit_count_glm
from trends.models.its_latent import latent_se_description
from trends.models.latent_ar import (
    LatentARResult,
    dependence_words,
    fit_latent_ar,
    phase_contrast_variance,
    weak_dependence_note,
)
from trends.models.latent_ar_lrv import (
    MIN_CONTRAST_DF,
    contrast_quantile,
    contrast_variance_df,
    hyper_averaged_contrast_variance,
)
from trends.models.periods import FREQ_UNITS, detect_frequency
from trends.models.spec import get_two_phase_method
from trends.models.wording import fmt_date, fmt_num, fmt_p
from trends.results import Result, to_jsonable
from trends.series.measured import column_words, series_words
from trends.series.periods import refuse_number
from trends.verdicts.bottom_line import MIN_PHASE_PERIODS
from trends.verdicts.words import (
    HeadlineInterval,
    change_sentence,
    count_of,
    empty_phase,
    empty_phase_sentence,
    fmt_rate,
    headline_interval,
    length_words,
    plural,
)

__all__ = [
    "PhaseRate",
    "RateComparison",
    "compare_rates",
    "counts_across",
    "exact_poisson_ratio",
    "lrv_log_ratio_se",
]


@dataclass(frozen=True)
class PhaseRate:
    """Events in one window.

    Attributes
    ----------
    label : str
        ``"before"`` or ``"after"``.
    start, end : pandas.Timestamp
        Window limits (inclusive) as requested.
    count : float
        Number of events in the observed periods.
    n_periods : int
        Observed (non-missing) periods in the window; with an exposure, the periods the
        observed counts account for (a report covering 12 days counts 12).
    n_missing : int
        Periods in the window that were not reported (NaN) and that no report covers.
    rate : float
        ``count / n_periods`` (events per period); NaN when no period was observed.
    n_counts : int or None
        With counts that cover several periods: how many counts (reports) there are; ``None``
        when every count covers one period.
    """

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    count: float
    n_periods: int
    n_missing: int
    rate: float
    n_counts: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return to_jsonable(
            {
                "start": self.start,
                "end": self.end,
                "count": self.count,
                "n_periods": self.n_periods,
                "n_missing": self.n_missing,
                "rate": self.rate,
            }
            | ({} if self.n_counts is None else {"n_counts": self.n_counts})
        )


def exact_poisson_ratio(
    count_after: float,
    periods_after: float,
    count_before: float,
    periods_before: float,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Exact conditional inference for the ratio of two Poisson rates (after / before).

    Parameters
    ----------
    count_after, count_before : float
        Event counts (non-negative integers).
    periods_after, periods_before : float
        Exposures (observed periods), > 0.
    alpha : float, default 0.05
        One minus the confidence level.

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``p_value`` and ``method``. With no events at all
        the estimate is NaN and the interval ``(0, inf)``.
    """
    c1 = int(round(count_after))
    c0 = int(round(count_before))
    t1 = float(periods_after)
    t0 = float(periods_before)
    n = c1 + c0
    method = "exact conditional (binomial), Clopper-Pearson interval"
    if n == 0:
        return {
            "estimate": math.nan,
            "ci_low": 0.0,
            "ci_high": math.inf,
            "p_value": 1.0,
            "method": method,
        }
    ratio_scale = t0 / t1

    def to_ratio(p: float) -> float:
        if p >= 1.0:
            return math.inf
        return p / (1.0 - p) * ratio_scale

    p_lo = 0.0 if c1 == 0 else float(stats.beta.ppf(alpha / 2.0, c1, n - c1 + 1))
    p_hi = 1.0 if c1 == n else float(stats.beta.ppf(1.0 - alpha / 2.0, c1 + 1, n - c1))
    est = math.inf if c0 == 0 else (c1 / t1) / (c0 / t0)
    pval = float(stats.binomtest(c1, n, t1 / (t0 + t1), alternative="two-sided").pvalue)
    return {
        "estimate": est,
        "ci_low": to_ratio(p_lo),
        "ci_high": to_ratio(p_hi),
        "p_value": min(1.0, pval),
        "method": method,
    }


def empty_window_note(count_before: float, count_after: float, what: str) -> str:
    """Why a model-based ratio is not estimated when a window has no events.

    Parameters
    ----------
    count_before, count_after : float
        The counts of the two windows (at least one is zero).
    what : str
        The ratio, in words ("the rate ratio").

    Returns
    -------
    str
        The note: the ratio is undefined (no events before), 0 (none after) or there is nothing
        to compare (none in either window).
    """
    if count_before == 0 and count_after == 0:
        return f"no events in either window: nothing to compare ({what} is undefined (0 / 0))"
    if count_before == 0:
        return (
            f"no events in the before window: {what} is undefined and so is its interval; only "
            "the exact interval can be computed"
        )
    return (
        f"no events in the after window: {what} is 0 and its interval undefined; only the "
        "exact interval can be computed"
    )


@dataclass(eq=False, repr=False)
class RateComparison(Result):
    """Result of :func:`compare_rates`.

    Attributes
    ----------
    before, after : PhaseRate
        Counts, observed periods and rates in each window.
    rate_ratio : dict
        Exact conditional Poisson rate ratio after/before: ``estimate``, ``ci_low``,
        ``ci_high``, ``p_value``, ``method``.
    rate_ratio_nb : dict
        Negative binomial (overdispersion-aware) ratio (``rate_ratio_negbin`` in ``to_dict``): ``estimate``, ``ci_low``, ``ci_high``,
        ``p_value``, ``method``, ``theta``, ``se_type``, ``se_description`` and ``note``;
        ``estimate`` is ``None`` when it cannot be estimated (``note`` says why).
    alpha : float
        One minus the confidence level.
    unit : str
        The period unit (``"day"``...).
    series_name : str or None
        Name of the series, used in the report.
    warnings : list of str
        Messages of warnings issued by the negative binomial fit.
    family : str
        Family of the model-based ratio (``"negbin"`` unless asked otherwise).
    dominant : dict or None
        A single period that holds at least :data:`DOMINANT_SHARE` of its phase's events (a
        massacre among ordinary days): ``phase``, ``date``, ``count``, ``share`` of the phase
        total and ``ratio_without`` (the observed ratio with that period left out). The
        intervals do not allow for rare periods this large (their variance is fitted to the
        ordinary days), so the report and the bottom line name it. ``None`` otherwise.
    """

    before: PhaseRate
    after: PhaseRate
    rate_ratio: dict[str, Any]
    rate_ratio_nb: dict[str, Any]
    alpha: float
    unit: str
    series_name: str | None = None
    warnings: list[str] = field(default_factory=list)
    family: str = "negbin"
    dominant: dict[str, Any] | None = None

    def summary(self) -> pd.DataFrame:
        """One row per window and per ratio.

        Returns
        -------
        pandas.DataFrame
            Index ``before``, ``after``, ``ratio_exact``, ``ratio_negbin``; columns ``start``,
            ``end``, ``count``, ``n_periods``, ``n_missing``, ``rate``, ``estimate``, ``ci_low``,
            ``ci_high``, ``p_value``, ``method``.
        """
        rows = {}
        for ph in (self.before, self.after):
            rows[ph.label] = {
                "start": ph.start,
                "end": ph.end,
                "count": ph.count,
                "n_periods": ph.n_periods,
                "n_missing": ph.n_missing,
                "rate": ph.rate,
            }
        for key, rr in (("ratio_exact", self.rate_ratio), ("ratio_negbin", self.rate_ratio_nb)):
            rows[key] = {
                "estimate": math.nan if rr.get("estimate") is None else rr["estimate"],
                "ci_low": math.nan if rr.get("ci_low") is None else rr["ci_low"],
                "ci_high": math.nan if rr.get("ci_high") is None else rr["ci_high"],
                "p_value": math.nan if rr.get("p_value") is None else rr["p_value"],
                "method": rr.get("method"),
            }
        table = pd.DataFrame.from_dict(rows, orient="index")
        for col in ("count", "n_periods", "n_missing"):  # counts are whole numbers
            table[col] = table[col].round().astype("Int64")
        return table

    def report(self) -> str:
        """Plain-language paragraph with the numbers."""
        u = self.unit
        what = column_words(self.series_name) if self.series_name else "events"
        lvl = f"{round((1 - self.alpha) * 100):d}%"
        parts = []
        for ph in (self.before, self.after):
            miss = f", {ph.n_missing} not reported" if ph.n_missing else ""
            seen = plural(ph.n_periods, f"observed {u}")
            if ph.n_counts is not None:
                seen = f"{plural(ph.n_periods, u)} covered by {plural(ph.n_counts, 'report')}"
            parts.append(
                f"{ph.label.capitalize()} ({fmt_date(ph.start)} to {fmt_date(ph.end)}): "
                f"{count_of(ph.count, what)} in {seen}{miss}, "
                f"{fmt_rate(ph.rate)} per {u}."
            )
        rr = self.rate_ratio
        if empty_phase(self.before.count, self.after.count):
            sentence = empty_phase_sentence(
                what,
                (self.before.count, self.after.count),
                (length_words(self.before.n_periods, u), length_words(self.after.n_periods, u)),
                (rr.get("ci_low"), rr.get("ci_high")),
                level=1.0 - self.alpha,
                unit=u,
            )
            both = self.before.count == 0 and self.after.count == 0
            parts.append(f"{sentence}." if both else f"{sentence} ({fmt_p(rr['p_value'])}).")
        elif rr["estimate"] is None or not np.isfinite(rr["estimate"]):
            est_txt = "infinite" if rr["estimate"] == math.inf else "undefined"
            parts.append(
                f"The rate ratio after/before is {est_txt} ({lvl} exact CI "
                f"{fmt_num(rr['ci_low'])} to {fmt_num(rr['ci_high'])}; {fmt_p(rr['p_value'])})."
            )
        else:
            parts.append(self._headline())
            parts.append(
                f"Exact conditional Poisson rate ratio after/before {rr['estimate']:.3f} "
                f"({lvl} CI {rr['ci_low']:.3f} to {rr['ci_high']:.3f} if every {u} were an "
                f"independent Poisson draw; {fmt_p(rr['p_value'])})."
            )
        nb = self.rate_ratio_nb
        short = [f"{phase} has {length_words(n, u)}" for phase, n in self.short_phases()]
        if nb.get("estimate") is None:
            parts.append(f"Negative binomial ratio: not estimated ({nb.get('note')}).")
        elif short:  # its standard error would rest on a handful of values: not quoted
            parts.append(
                f"Negative binomial ratio: not quoted (the period {' and the period '.join(short)}; "
                f"its standard error would rest on fewer than {MIN_PHASE_PERIODS} {u}s)."
            )
        else:
            dep = " and autocorrelation" if _allows_dependence(nb.get("se_type")) else ""
            model = _label(self.family)
            if "quasi-likelihood" in str(nb.get("method") or ""):  # counts covering several periods
                model = f"Poisson quasi-likelihood, the {u}s each count covers as offset"
            parts.append(
                f"Allowing for overdispersion{dep} ({model}, "
                f"{nb['se_description']}) the ratio is {nb['estimate']:.3f} ({lvl} CI "
                f"{nb['ci_low']:.3f} to {nb['ci_high']:.3f}; {fmt_p(nb['p_value'])})."
            )
        return " ".join(parts)

    def short_phases(self) -> list[tuple[str, float]]:
        """``[(phase, observed periods)]`` of the periods too short to judge a change (fewer
        than :data:`trends.verdicts.bottom_line.MIN_PHASE_PERIODS` observed periods), whose
        negative binomial interval is not quoted.

        Returns
        -------
        list of (str, float)
        """
        sides = (("before", self.before), ("after", self.after))
        return [
            (phase, side.n_periods) for phase, side in sides if side.n_periods < MIN_PHASE_PERIODS
        ]

    def lead_interval(self) -> HeadlineInterval:
        """The interval the rate ratio leads with (:func:`trends.verdicts.headline_interval`).

        The negative binomial interval is a candidate only when its standard errors allow for
        dependence between periods (Newey-West); it leads when it is at least as wide as the
        exact conditional Poisson interval.

        Returns
        -------
        HeadlineInterval
        """
        rr, nb = self.rate_ratio, self.rate_ratio_nb
        model = None
        if nb.get("estimate") is not None and _allows_dependence(nb.get("se_type")):
            model = (nb.get("ci_low"), nb.get("ci_high"))
        return headline_interval((rr.get("ci_low"), rr.get("ci_high")), model, unit=self.unit)

    def lead_estimate(self, lead: HeadlineInterval | None = None) -> float | None:
        """The ratio estimate of the interval that leads (:meth:`lead_interval`): the model's
        when its interval leads, else the exact one's; quoted with that interval, never apart.

        Parameters
        ----------
        lead : HeadlineInterval, optional
            The leading interval, when already computed.

        Returns
        -------
        float or None
        """
        lead = self.lead_interval() if lead is None else lead
        if lead.source == "dependence-aware" and self.rate_ratio_nb.get("estimate") is not None:
            return self.rate_ratio_nb["estimate"]
        return self.rate_ratio.get("estimate")

    def _headline(self) -> str:
        """The change in words, with the interval that leads (:meth:`lead_interval`).

        A direction ("fell by N%") only when that interval excludes 1.
        """
        lead = self.lead_interval()
        estimate = self.lead_estimate(lead)
        what = column_words(self.series_name) if self.series_name else "events"
        subject = f"the rate of {what} per {self.unit}"
        return change_sentence(
            subject,
            estimate,
            lead.low,
            lead.high,
            level=1.0 - self.alpha,
            interval_words=lead.words,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary."""
        return to_jsonable(
            {
                "model": "rate_comparison",
                "unit": self.unit,
                "alpha": self.alpha,
                "rate_before": self.before.rate,
                "rate_after": self.after.rate,
                "before": self.before.to_dict(),
                "after": self.after.to_dict(),
                "rate_ratio": dict(self.rate_ratio),
                "rate_ratio_negbin": dict(self.rate_ratio_nb),
                "warnings": list(self.warnings),
            }
            | ({} if self.dominant is None else {"dominant_period": dict(self.dominant)})
        )


def _allows_dependence(se_type: Any) -> bool:
    """Whether the named standard errors allow for dependence between periods (HAC)."""
    if se_type == "latent_ar_lrv":
        return True
    try:
        return get_covariance(se_type).se_type == "hac"
    except (TrendsError, TypeError):
        return False


def _label(family: str) -> str:
    """The family's label in words (its name when it is not registered)."""
    return FAMILIES[family].label if family in FAMILIES else family


def _window(value: Any, what: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if hasattr(value, "start") and hasattr(value, "end"):
        a, b = value.start, value.end
    else:
        try:
            a, b = value
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what} must be a (start, end) pair") from exc
    refuse_number(a, f"the {what} window's start")
    refuse_number(b, f"the {what} window's end")
    try:
        ta, tb = pd.Timestamp(a), pd.Timestamp(b)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot read the {what} window {value!r} as dates") from exc
    if pd.isna(ta) or pd.isna(tb):
        raise InputError(f"the {what} window has a missing date")
    ta = ta.tz_localize(None) if ta.tzinfo is not None else ta
    tb = tb.tz_localize(None) if tb.tzinfo is not None else tb
    if tb < ta:
        raise InputError(f"the {what} window ends ({tb.date()}) before it starts ({ta.date()})")
    return ta, tb


def _window_mask(index: pd.DatetimeIndex, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Periods labelled from ``start`` to the end of ``end``'s day (when ``end`` is a date)."""
    stop = end + pd.Timedelta(days=1) if end == end.normalize() else end + pd.Timedelta(1, "ns")
    return np.asarray((index >= start) & (index < stop))


def _phases(
    y: pd.Series,
    unit: str,
    windows: tuple[tuple[str, np.ndarray, pd.Timestamp, pd.Timestamp], ...],
    e: np.ndarray,
) -> list[PhaseRate]:
    """Counts and observed periods of each window (``e``: the periods each count covers)."""
    phases = []
    for label, mask, s, e_ in windows:
        vals = y.to_numpy()[mask]
        obs = ~np.isnan(vals)
        if obs.sum() == 0:
            raise InputError(
                f"the {label} window ({s.date()} to {e_.date()}) has no observed {unit}s in the series"
            )
        cnt = float(vals[obs].sum())
        covered = int(round(float(e[mask][obs].sum())))
        lumped = bool(np.any(e[mask][obs] > 1))
        phases.append(
            PhaseRate(
                label=label,
                start=s,
                end=e_,
                count=cnt,
                n_periods=covered,
                n_missing=max(int(mask.sum()) - covered, 0),
                rate=cnt / covered,
                n_counts=int(obs.sum()) if lumped else None,
            )
        )
    return phases


def _outside_own_window(v: np.ndarray, e: np.ndarray, masks: tuple[np.ndarray, ...]) -> np.ndarray:
    """Counts (positions) that cover periods outside their own window: a report after a gap
    whose days reach across a window's start (or before the series) belongs to neither side."""
    out = np.zeros(v.size, dtype=bool)
    for mask in masks:
        for t in np.flatnonzero(mask & ~np.isnan(v) & (e > 1)):
            first = t - int(round(e[t])) + 1
            out[t] = first < 0 or not bool(mask[first : t + 1].all())
    return out


def counts_across(values: pd.Series, exposure: pd.Series | None, day: Any) -> np.ndarray:
    """Which counts cover periods both before ``day`` and from it on (a report after a gap that
    spans an intervention): they belong to neither side.

    Parameters
    ----------
    values : pandas.Series
        Counts on consecutive periods (NaN: not reported).
    exposure : pandas.Series or None
        The periods each count covers (1, or None: every count covers its own period).
    day : date-like
        The first period of the later side.

    Returns
    -------
    numpy.ndarray of bool
    """
    if exposure is None:
        return np.zeros(len(values), dtype=bool)
    e = _exposure(exposure, values)
    after = np.asarray(values.index >= pd.Timestamp(day))
    first = np.arange(len(values)) - np.round(e).astype(np.int64) + 1
    before_first = np.asarray(values.index < pd.Timestamp(day))[np.clip(first, 0, None)]
    return after & ~np.isnan(values.to_numpy(dtype=float)) & (e > 1) & (before_first | (first < 0))


#: A period holding at least this share of its phase's events (and at least
#: :data:`DOMINANT_MIN_COUNT` events) is named as dominant (:attr:`RateComparison.dominant`).
DOMINANT_SHARE = 0.25
DOMINANT_MIN_COUNT = 20


def _dominant(
    y: pd.Series, masks: tuple[np.ndarray, np.ndarray], phases: list[PhaseRate], e: np.ndarray
) -> dict[str, Any] | None:
    """The single period that holds the largest share of its phase's events, when it holds at
    least :data:`DOMINANT_SHARE` of them (see :attr:`RateComparison.dominant`)."""
    v = y.to_numpy(dtype=float)
    best = None
    for mask, ph in zip(masks, phases, strict=True):
        vals = np.where(mask & ~np.isnan(v), v, -np.inf)
        t = int(np.argmax(vals))
        if ph.count <= 0 or vals[t] < DOMINANT_MIN_COUNT or vals[t] / ph.count < DOMINANT_SHARE:
            continue
        if best is None or vals[t] / ph.count > best[2]:
            best = (t, ph, vals[t] / ph.count)
    if best is None:
        return None
    t, ph, share = best
    rest = ph.count - v[t], ph.n_periods - e[t]
    other = phases[1] if ph.label == "before" else phases[0]
    rate = rest[0] / rest[1] if rest[1] > 0 else math.nan
    ratio = other.rate / rate if ph.label == "before" else rate / other.rate
    return {"phase": ph.label, "date": y.index[t], "count": int(v[t]), "share": float(share),
            "ratio_without": float(ratio) if math.isfinite(ratio) and rate > 0 else None}  # fmt: skip


def _numbers(values: pd.Series, what: str) -> pd.Series:
    """``values`` as floats; a value given but not a number is refused, naming its row.

    Missing values (NaN, None) stay missing: for counts they mean "not reported". A text such
    as ``"n/a"`` is not read as missing without a word.
    """
    out = pd.to_numeric(values, errors="coerce").astype(float)
    bad = out.isna().to_numpy() & values.notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        label = values.index[i]
        when = fmt_date(label) if isinstance(label, pd.Timestamp) else str(label)
        raise InputError(
            f"{what} holds {plural(int(bad.sum()), 'value')} that "
            f"{'is not a number' if bad.sum() == 1 else 'are not numbers'}, the first "
            f"{values.iloc[i]!r} at {when}; use NaN for periods that were not reported",
            row=i + 1,
            column=None if values.name is None else str(values.name),
        )
    return out


def _exposure(exposure: Any, series: pd.Series) -> np.ndarray:
    """The periods each count covers (1 without an exposure), aligned with ``series``."""
    if exposure is None:
        return np.ones(len(series))
    e = _numbers(pd.Series(exposure), "exposure").reindex(series.index).to_numpy()
    e = np.where(np.isnan(e), 1.0, e.astype(float))
    if np.any(e <= 0):
        raise InputError("exposure must be positive (the periods each count covers)")
    return e


def _model_ratio(
    y: pd.Series,
    mb: np.ndarray,
    ma: np.ndarray,
    phases: list[PhaseRate],
    fam: Family,
    alpha: float,
    se: str | CovarianceEstimator,
    hac_lags: int | None,
    e: np.ndarray | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The count-GLM ratio after/before with its interval, and the fit's warnings (``e``: the
    periods each count covers, a log offset).

    With counts covering several periods the mean is fitted by Poisson quasi-likelihood with
    sandwich errors (Newey-West, or robust where model-based errors were asked for): its
    estimate is the ratio of the observed rates over the periods covered, as the exact interval
    and the phase rates are; negative-binomial weights treat a count over 30 days as one
    overdispersed draw and would pull the estimate towards the single days.
    """
    pb, pa = phases
    lumped = e is not None and not np.all(e == 1)
    if lumped and fam.name != "poisson":
        fam = get_family("poisson")
        se_name = se if isinstance(se, str) else se.se_type
        if get_covariance(se_name).se_type not in ("hac", "robust"):
            se = "robust"
    nb: dict[str, Any] = {
        "estimate": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "method": f"{fam.label} GLM with an 'after' indicator"
        + (" (quasi-likelihood; the periods each count covers as offset)" if lumped else ""),
        "theta": None,
        "se_type": se if isinstance(se, str) else se.se_type,
        "se_description": None,
        "note": None,
    }
    caught: list[str] = []
    if pb.count == 0 or pa.count == 0:
        nb["note"] = empty_window_note(pb.count, pa.count, f"the {fam.label} rate ratio")
        return nb, caught
    keep = (mb | ma) & ~np.isnan(y.to_numpy())
    pos = np.flatnonzero(keep)
    yy = y.to_numpy()[keep]
    x = pd.DataFrame(
        {"intercept": np.ones(pos.size), "after": ma[keep].astype(float)},
        index=y.index[keep],
    )
    try:
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter("always", ModelWarning)
            fit = fit_count_glm(
                pd.Series(yy, index=y.index[keep]),
                x,
                fam,
                se=se,
                hac_lags=hac_lags,
                time_index=pos,
                offset=None if e is None or np.all(e == 1) else np.log(e[keep]),
            )
        caught = [str(w.message) for w in wl if issubclass(w.category, ModelWarning)]
        b = float(fit.params["after"])
        s_ = float(fit.bse["after"])
        z = stats.norm.ppf(1.0 - alpha / 2.0)
        nb.update(
            estimate=math.exp(b),
            ci_low=math.exp(b - z * s_),
            ci_high=math.exp(b + z * s_),
            p_value=float(2.0 * stats.norm.sf(abs(b / s_))) if s_ > 0 else math.nan,
            theta=fit.theta,
            se_description=fit.se_description,
        )
        if fit.notes:
            nb["note"] = "; ".join(fit.notes)
    except (ModelError, ConvergenceError) as exc:
        nb["note"] = f"{fam.label} fit failed: {exc}"
    return nb, caught


def _latent_span_fit(
    y: pd.Series,
    mb: np.ndarray,
    ma: np.ndarray,
    fam: Family,
    hyper: str = "none",
    e: np.ndarray | None = None,
) -> tuple[LatentARResult, slice, np.ndarray]:
    """Latent AR(1) fit (intercept and "after" indicator) over the span of the two windows.

    Returns the fit, the span (a slice of the series) and the observed-and-in-a-window mask.
    Periods outside the windows and unreported ones are passed as unreported, so the latent
    process keeps the calendar spacing. ``hyper`` as :func:`fit_latent_ar`; ``e`` (the periods
    each count covers) enters as a log offset.
    """
    keep = (mb | ma) & ~np.isnan(y.to_numpy())
    pos = np.flatnonzero(keep)
    span = slice(int(pos[0]), int(pos[-1]) + 1)
    yy = np.where(keep, y.to_numpy(), np.nan)[span]
    x = pd.DataFrame(
        {"intercept": np.ones(yy.size), "after": ma[span].astype(float)}, index=y.index[span]
    )
    offset = None if e is None or np.all(e == 1) else np.log(e[span])
    fit = fit_latent_ar(yy, x, offset=offset, family=fam.name, hyper=hyper)  # type: ignore[arg-type]
    return fit, span, keep


def lrv_log_ratio_se(
    res: LatentARResult, before: np.ndarray, after: np.ndarray, rate_before: float,
    rate_after: float, *, average_hyper: bool = False,
) -> float:  # fmt: skip
    """Standard error of ``log(rate after / rate before)`` under a fitted latent AR(1) model.

    The delta method on the log ratio of the two period means, with the covariance of the
    counts implied by the fitted model (:func:`trends.models.latent_ar.phase_contrast_variance`:
    negative-binomial counts given a lognormal AR(1) intensity, cross-phase covariance included),
    the marginal means of each phase set to its observed rate, the hyperparameters plugged in:
    the standard error of ``compare_rates(model="latent_ar_lrv")`` (which, on daily series,
    pairs it with a Satterthwaite t quantile). With ``average_hyper`` and a fit made with
    ``hyper="delta"``, the variance is averaged over the hyperparameters' estimated uncertainty
    instead (:func:`trends.models.latent_ar_lrv.hyper_averaged_contrast_variance`; the default
    of the sixth to eighth sessions of issue 12, section 4i of the benchmarks).

    Parameters
    ----------
    res : LatentARResult
        A latent AR(1) fit whose periods are those of the masks.
    before, after : numpy.ndarray of bool
        Observed periods of each window, on the fit's grid.
    rate_before, rate_after : float
        Observed rates (events per period), > 0.
    average_hyper : bool, default False
        Average the variance over the hyperparameters' uncertainty (see above).

    Returns
    -------
    float
    """
    return math.sqrt(_lrv_log_ratio_var(res, before, after, rate_before, rate_after,
                                        average_hyper)[0])  # fmt: skip


def _lrv_log_ratio_var(
    res: LatentARResult, before: np.ndarray, after: np.ndarray, rate_before: float,
    rate_after: float, average_hyper: bool, e: np.ndarray | None = None,
) -> tuple[float, bool]:  # fmt: skip
    """The variance of :func:`lrv_log_ratio_se` and whether it was averaged over ``h``.

    ``e`` (the periods each count covers, on the fit's grid): a count covering ``e_t`` periods
    has mean ``rate e_t`` and weight ``e_t / E`` in its phase's rate (``E`` the periods the
    phase's counts cover).
    """
    w, m = _lrv_weights(before, after, rate_before, rate_after, e)
    if average_hyper:
        return hyper_averaged_contrast_variance(res, w, m)
    var = phase_contrast_variance(w, m, rho=res.rho, latent_sd=res.latent_sd, theta=res.theta)
    return var, False


def _lrv_weights(
    before: np.ndarray, after: np.ndarray, rate_before: float, rate_after: float,
    e: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The contrast weights and means of the log ratio of the two period rates.

    A count covering ``e_t`` periods has mean ``rate e_t`` and weight ``e_t / E`` in its
    phase's rate (``E`` the periods the phase's counts cover).
    """
    e = np.ones(after.size) if e is None else np.asarray(e, dtype=float)
    ea, eb = float(e[after].sum()), float(e[before].sum())
    w = np.where(after, e / ea, 0.0) - np.where(before, e / eb, 0.0)
    m = np.where(after, rate_after, rate_before) * e
    return w, m


#: Interval limits beyond ``exp(+-this)`` are not reported: the variance is unusable.
_MAX_LOG_LIMIT = 50.0


def _lrv_ratio(
    y: pd.Series,
    mb: np.ndarray,
    ma: np.ndarray,
    phases: list[PhaseRate],
    fam: Family,
    alpha: float,
    satterthwaite: bool = True,
    e: np.ndarray | None = None,
) -> tuple[dict[str, Any], list[str]] | None:
    """Observed ratio of the period rates with a latent-AR long-run-variance interval.

    ``model="latent_ar_lrv"``: the estimate is ``rate after / rate before`` (what the count GLM
    with an "after" indicator estimates and the bottom line quotes); its standard error on the
    log scale is the delta method with the count covariance of a latent AR(1) fit of the span,
    the hyperparameters plugged in. With ``satterthwaite`` (daily series) the quantile is the t
    quantile at the variance's Satterthwaite degrees of freedom
    (:func:`trends.models.latent_ar_lrv.contrast_variance_df`, at least
    :data:`~trends.models.latent_ar_lrv.MIN_CONTRAST_DF`): measured in
    ``benchmarks/results/two_phase_satterthwaite_n1000.md`` (section 4n, 1,000 series per
    cell), it under-covered in 1 of 42 cells (0.937) where the averaged variance of sessions
    6-8 under-covered in 7 (lowest 0.922); weekly and monthly sums keep the normal quantile
    (section 4i). ``None`` when the latent fit fails (the caller falls back to the count GLM).
    """
    pb, pa = phases
    out: dict[str, Any] = {
        "estimate": None, "ci_low": None, "ci_high": None, "p_value": None,
        "method": "ratio of the observed period rates; delta-method interval with the serial "
        f"covariance of a fitted latent AR(1) log-intensity model ({fam.label} counts)",
        "theta": None, "se_type": "latent_ar_lrv", "se_description": None, "note": None,
    }  # fmt: skip
    if pb.count == 0 or pa.count == 0:
        out["note"] = empty_window_note(pb.count, pa.count, "the rate ratio")
        return out, []
    try:
        hyper = "delta" if satterthwaite else "none"
        res, span, _ = _latent_span_fit(y, mb, ma, fam, hyper=hyper, e=e)
        obs = ~np.isnan(y.to_numpy()[span])
        w, m = _lrv_weights(mb[span] & obs, ma[span] & obs, pb.rate, pa.rate,
                            None if e is None else e[span])  # fmt: skip
        var = phase_contrast_variance(w, m, rho=res.rho, latent_sd=res.latent_sd, theta=res.theta)
        df = contrast_variance_df(res, w, m) if satterthwaite else math.inf
        se_log = math.sqrt(var)
    except (TrendsError, ArithmeticError, np.linalg.LinAlgError):
        return None
    b = math.log(pa.rate / pb.rate)
    q, df_used = contrast_quantile(df, alpha)
    used_t = math.isfinite(df_used)
    if not (math.isfinite(se_log) and 0 < se_log and abs(b) + q * se_log < _MAX_LOG_LIMIT):
        return None  # no usable variance (the hyperparameters barely identified): count GLM
    tail = stats.t.sf(abs(b / se_log), df_used) if used_t else stats.norm.sf(abs(b / se_log))
    if not used_t:
        quantile = "normal quantile"
    elif df < MIN_CONTRAST_DF:
        quantile = (
            f"t quantile with {MIN_CONTRAST_DF:.0f} degrees of freedom, the floor: the "
            f"Satterthwaite estimate from the hyperparameters' estimated uncertainty is {df:.1f}"
        )
    else:
        quantile = (
            f"t quantile with {df_used:.1f} degrees of freedom (Satterthwaite, from the "
            "hyperparameters' estimated uncertainty)"
        )
    out.update(
        estimate=math.exp(b),
        ci_low=math.exp(b - q * se_log),
        ci_high=math.exp(b + q * se_log),
        p_value=float(2.0 * tail),
        theta=None if res.theta is None else float(res.theta),
        se=se_log,
        df=None if not used_t else float(df_used),
        se_description=(
            "delta method on the log ratio of the period means with the count covariance of a "
            f"latent AR(1) log-intensity model ({dependence_words(res)}; hyperparameters "
            f"plugged in; {quantile}"
            + (f"; {weak})" if (weak := weak_dependence_note(res)) else ")")
        ),
    )
    if res.info.get("notes"):
        out["note"] = "; ".join(res.info["notes"])
    return out, []


def _latent_ratio(
    y: pd.Series,
    mb: np.ndarray,
    ma: np.ndarray,
    phases: list[PhaseRate],
    fam: Family,
    alpha: float,
    e: np.ndarray | None = None,
) -> dict[str, Any]:
    """The two-phase ratio of a latent AR(1) log-intensity model (``model="latent_ar"``).

    The span from the first to the last period of the two windows is fitted with an intercept
    and an "after" indicator; periods outside the windows (and unreported ones) are passed as
    unreported, so the latent process keeps the calendar spacing.
    """
    pb, pa = phases
    out: dict[str, Any] = {
        "estimate": None, "ci_low": None, "ci_high": None, "p_value": None,
        "method": f"{fam.label} counts with a latent AR(1) log intensity and an 'after' indicator",
        "theta": None, "se_type": "latent_ar", "se_description": None, "note": None,
    }  # fmt: skip
    if pb.count == 0 or pa.count == 0:
        empty = "before" if pb.count == 0 else "after"
        out["note"] = f"no events in the {empty} window: the rate ratio is not estimable"
        return out
    try:
        res = _latent_span_fit(y, mb, ma, fam, e=e)[0]
    except TrendsError as exc:
        out["note"] = f"latent AR(1) fit failed: {exc}"
        return out
    rr = res.rate_ratio("after", alpha)
    out.update(
        estimate=rr.estimate,
        ci_low=rr.ci_low,
        ci_high=rr.ci_high,
        p_value=rr.p_value,
        theta=None if res.theta is None else float(res.theta),
        se_description=latent_se_description(res),
    )
    if res.info.get("notes"):
        out["note"] = "; ".join(res.info["notes"])
    return out


def _check_counts(y: pd.Series) -> None:
    """Counts are finite, non-negative whole numbers (NaN: not reported)."""
    v = y.to_numpy()
    seen = ~np.isnan(v)
    for bad, what in (
        (seen & ~np.isfinite(v), "counts must be finite"),
        (seen & np.isfinite(v) & (v < 0), "counts must be non-negative"),
        (seen & np.isfinite(v) & (v != np.round(v)), "counts must be whole numbers"),
    ):
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{what}: {v[first]:g} on {y.index[first].date()} ({int(bad.sum())} such "
                "period(s)); the rate comparison counts events"
            )


def compare_rates(
    series: pd.Series,
    before: Any,
    after: Any,
    *,
    alpha: float = 0.05,
    se: Literal["hac", "model", "robust"] | str | CovarianceEstimator = "hac",
    hac_lags: int | None = None,
    family: str | Family = "negbin",
    model: str = "glm",
    exposure: pd.Series | None = None,
) -> RateComparison:
    """Compare the event rate in two windows of a count series.

    Parameters
    ----------
    series : pandas.Series
        Counts with a regular DatetimeIndex; NaN means "not reported" (those periods are left out
        of both the counts and the number of periods).
    before, after : (start, end) or object with ``start`` and ``end``
        Inclusive windows (a date as ``end`` includes that whole day). They must not overlap.
    alpha : float, default 0.05
        One minus the confidence level.
    se : str or CovarianceEstimator, default "hac"
        Standard errors of the model-based ratio (``"hac"``, ``"model"``, ``"robust"`` or any
        name of :data:`trends.models.covariance.COVARIANCES`).
    hac_lags : int, optional
        Fixed Newey-West lag; default automatic bandwidth with prewhitening.
    family : str or Family, default "negbin"
        Count family of the model-based ratio (``rate_ratio_nb``; see
        :data:`trends.models.families.FAMILIES`).
    model : str, default "glm"
        How the model-based ratio is estimated (a name of
        :data:`trends.models.spec.TWO_PHASE_METHODS`, with its measured coverage): ``"glm"``
        (the count GLM with ``se``); ``"latent_ar"`` (the "after" coefficient of a latent AR(1)
        log-intensity model, :func:`trends.models.latent_ar.fit_latent_ar`: a GLS-like estimate
        that weighs the periods near the change, *not* the ratio of the period rates);
        ``"latent_ar_lrv"`` (the ratio of the observed period rates, as ``"glm"``, with a
        delta-method interval from the serial covariance of a fitted latent AR(1) model,
        :func:`lrv_log_ratio_se`; when the latent fit fails, the ``"glm"`` ratio with a note).
        The latent options use ``family`` ``"negbin"`` or ``"poisson"``; ``se`` and
        ``hac_lags`` only for ``"glm"`` (and the fallback).
    exposure : pandas.Series, optional
        How many periods each count covers, indexed like ``series`` (default 1 each): a
        monitor's report after a gap that covers 12 days. A phase's rate is then its count over
        the periods its counts cover (``n_periods``), the models take ``log(exposure)`` as an
        offset, and the periods a later report covers are not counted as missing.

    Returns
    -------
    RateComparison
        Counts, rates, exact and model-based (negative binomial by default) rate ratios.

    Raises
    ------
    trends.errors.InputError
        Bad series or windows (overlapping, reversed, or without any observed period).
    """
    fam = get_family(family)
    method = get_two_phase_method(model)
    if method.families is not None and fam.name not in method.families:
        raise InputError(f"model={method.name!r} supports the families {method.families}")
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise InputError("series must be a pandas Series with a DatetimeIndex")
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise InputError("the series index must be sorted and without duplicates")
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    if series.index.tz is not None:  # windows are read in the series' local calendar
        series = series.tz_localize(None)
    y = _numbers(series, "the series")
    _check_counts(y)
    freq = detect_frequency(series.index)
    unit = FREQ_UNITS[freq]
    b0, b1 = _window(before, "before")
    a0, a1 = _window(after, "after")
    mb = _window_mask(series.index, b0, b1)
    ma = _window_mask(series.index, a0, a1)
    if np.any(mb & ma):
        raise InputError("the before and after windows overlap")
    e = _exposure(exposure, series)
    across = _outside_own_window(y.to_numpy(dtype=float), e, (mb, ma))
    if across.any():  # a report spanning a window's limit belongs to neither side
        y = y.mask(across)
        e = np.where(across, 1.0, e)
        first = y.index[np.flatnonzero(across)[0]]
        spanning = (
            f"{plural(int(across.sum()), 'report')} after a gap "
            f"cover{'s' if across.sum() == 1 else ''} days on both sides of a window's limit "
            f"(the first on {fmt_date(first)}): left out of the comparison, their days not "
            "reported"
        )
    phases = _phases(y, unit, (("before", mb, b0, b1), ("after", ma, a0, a1)), e)
    pb, pa = phases
    exact = exact_poisson_ratio(pa.count, pa.n_periods, pb.count, pb.n_periods, alpha)
    lrv = (
        _lrv_ratio(y, mb, ma, phases, fam, alpha, satterthwaite=unit == "day", e=e)
        if method.name == "latent_ar_lrv"
        else None
    )
    if lrv is not None:
        nb, caught = lrv
    elif method.name == "latent_ar":
        nb, caught = _latent_ratio(y, mb, ma, phases, fam, alpha, e), []
    else:
        nb, caught = _model_ratio(y, mb, ma, phases, fam, alpha, se, hac_lags, e)
    if method.name == "latent_ar_lrv" and lrv is None:
        why = (
            "the latent AR(1) model gave no usable interval (too few events, no convergence, or "
            "its serial dependence too poorly determined)"
        )
        nb["note"] = "; ".join(x for x in (f"{why}: Newey-West GLM interval used", nb["note"]) if x)
    if across.any():
        caught = [spanning, *caught]
    for msg in caught:
        warnings.warn(msg, ModelWarning, stacklevel=2)
    return RateComparison(
        before=pb,
        after=pa,
        rate_ratio=exact,
        rate_ratio_nb=nb,
        alpha=alpha,
        unit=unit,
        series_name=series_words(series),
        warnings=caught,
        family=fam.name,
        dominant=_dominant(y, (mb, ma), phases, e),
    )

"""Run one (series, intervention) pair: rates, ITS, pre-trend check, change points, placebo,
robustness, claims.

Every step calls the public model function of :mod:`trends.models`
(:func:`~trends.models.rates.compare_rates`, :func:`~trends.models.its.fit_its`,
:func:`~trends.models.changepoint.detect_changepoints`,
:func:`~trends.models.placebo.placebo_test`, :func:`~trends.models.pretrend.check_pre_trend`,
:func:`~trends.models.claims.verdict`); nothing here
re-implements a model. A step that cannot run (too few events, a model that does not converge)
is recorded in :attr:`PairResult.problems` and never stops the others.

Periods
-------
The totals before and after the intervention are always the **daily** figures (from
:meth:`~trends.series.CountSeries.daily`), whatever the frequency of the models: a weekly
analysis reports the same counts as a daily one. With a weekly or monthly frequency the series is
summed into periods anchored on the intervention by default (it starts a period); the ITS gets
the exposure of each period (days covered: a period cut by the window is not a full one), and the
change-point search, which has no exposure, leaves the cut periods out (they are marked not
reported, which keeps their place in time).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, ModelWarning, TrendsError
from trends.events import normalise_qualifier
from trends.models.changepoint import detect_changepoints
from trends.models.changepoint_dateset import change_date_set
from trends.models.claims import assess_claim, uncovered_verdict, verdict
from trends.models.its import fit_its
from trends.models.placebo import placebo_test
from trends.models.pretrend import check_pre_trend
from trends.models.rates import compare_rates, counts_across
from trends.models.spec import choose_inference, choose_two_phase_method
from trends.pipeline.plan import (
    Intervention,
    Settings,
    Task,
    check_inside,
    is_missing,
    phases,
    timestamp,
)
from trends.series import CountSeries
from trends.verdicts.words import fmt_date, period_end, plural

__all__ = [
    "PairResult",
    "has_figures",
    "run_pair",
    "run_chunk",
    "analysed_series",
    "model_event",
    "claim_window",
]


@dataclass
class PairResult:
    """Everything estimated for one (series, intervention) pair.

    Attributes
    ----------
    series_id : object
        The series.
    intervention : Intervention
        The intervention.
    measure, label : str
        The measure analysed and its words.
    start, end : pandas.Timestamp or None
        The window analysed (None when the series has no day in it).
    daily : CountSeries or None
        The window's daily series (None when the source gave weeks or months).
    series : CountSeries or None
        The window's series at the frequency of the models.
    totals : dict
        ``{"before": {...}, "after": {...}}``: count, days observed and days missing of each
        phase, from the daily counts.
    rates, its, changepoint, placebo : result objects or None
    pretrend : PreTrendCheck or None
        Whether the ITS pre-period is described by its straight-line trend (step ``"pretrend"``).
    change_dates : ChangeDateSet or None
        The calibrated set of possible start dates of a single change (step ``"changedates"``,
        :func:`~trends.models.changepoint_dateset.change_date_set`).
    robustness : pandas.DataFrame or None
    claims : list of dict
        One record per claim checked (batch claims).
    problems : list of (str, str)
        ``(step, reason)`` for each step that did not run.
    warnings : list of str
        ``"step: message"`` of the model warnings (when recorded).
    notes : list of str
        Choices made for this pair (periods left out...).
    seed : int
    seconds : float
    """

    series_id: Any
    intervention: Intervention
    measure: str
    label: str
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    daily: CountSeries | None = None
    series: CountSeries | None = None
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    rates: Any = None
    its: Any = None
    changepoint: Any = None
    placebo: Any = None
    pretrend: Any = None
    change_dates: Any = None
    robustness: pd.DataFrame | None = None
    claims: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seed: int = 0
    seconds: float = 0.0

    @property
    def inside(self) -> bool:
        """The intervention falls inside the window (after its first day)."""
        return (
            self.start is not None
            and self.end is not None
            and check_inside(self.intervention.day, self.start, self.end) is None
        )


def analysed_series(series: CountSeries, settings: Settings, ev: Intervention) -> CountSeries:
    """The series at the models' frequency (periods anchored as ``settings.anchor`` says).

    Parameters
    ----------
    series : CountSeries
        The window's series.
    settings : Settings
        ``freq`` (None: the series' own period) and ``anchor``.
    ev : Intervention
        The intervention (the anchor ``"intervention"`` starts a period on its day).

    Returns
    -------
    CountSeries
    """
    if settings.freq is None:
        return series
    key = settings.freq[:1].upper()
    if key == series.rule.key and (key == "D" or series.days is None):
        return series
    anchor = ev.day if settings.anchor == "intervention" else settings.anchor
    return series.resample(settings.freq, anchor=anchor)


def model_event(ev: Intervention, series: CountSeries) -> Any:
    """The intervention as the ITS should read it on this series.

    Daily: the event itself. Weekly or monthly: dated at the start of the period that contains
    its day (so that the ITS uses that period); a month starting on another day than the 1st is
    dated on the 1st of its calendar month, the convention of :func:`~trends.models.its.fit_its`
    for monthly series. The change-point comparison is given the event itself (it places the
    date in its period, and its words name the event's own date).

    Parameters
    ----------
    ev : Intervention
        The intervention.
    series : CountSeries
        The series the models fit.

    Returns
    -------
    object
        An object with ``.id``, ``.name`` and ``.start``.
    """
    if series.rule.key == "D":
        return _event_itself(ev)
    idx = series.counts.index
    pos = int(np.searchsorted(idx.values, ev.day.to_datetime64(), side="right")) - 1
    if pos < 0:
        return ev
    label = idx[pos]
    if series.rule.key == "M":
        label = label.to_period("M").start_time
    return ev.at(label)


def _event_itself(ev: Intervention) -> Any:
    """The intervention at its own date and time of day, for the change-point comparison.

    The comparison places a date in the period that holds it itself, so it needs no move to a
    period's start (:func:`model_event`, which the ITS needs): kept as given, its words name the
    event's own date ("the first whole month after the ceasefire (15 Jun 2021)", not the 1st of
    its month), and a month anchored on another day than the 1st is the one that holds the day.
    """
    return ev.event if hasattr(ev.event, "start") else ev


def _observed_totals(values: pd.Series, day: pd.Timestamp) -> dict[str, dict[str, float]]:
    vals = values.to_numpy(dtype=float)
    after = np.asarray(values.index >= day)
    ok = ~np.isnan(vals)
    out = {}
    for name, mask in (("before", ~after), ("after", after)):
        out[name] = {
            "count": float(vals[ok & mask].sum()),
            "days": int((ok & mask).sum()),
            "missing": int((~ok & mask).sum()),
        }
    return out


def run_pair(task: Task, ev: Intervention, settings: Settings) -> PairResult:
    """Evaluate one intervention on one series: every step of ``settings.steps``.

    Parameters
    ----------
    task : Task
        The series, measure, windows, claims and seeds.
    ev : Intervention
        The intervention.
    settings : Settings
        What to run.

    Returns
    -------
    PairResult
    """
    t0 = time.perf_counter()
    seed = int(task.seeds.get(ev.id, settings.seed))
    out = PairResult(task.series_id, ev, task.measure, task.series.label(task.measure), seed=seed)
    start, end = task.windows.get(ev.id, (task.series.start, task.series.end))
    whole = task.series.window(start, end)
    if len(whole.counts):
        out.start, out.end = whole.start, whole.end
        out.daily = whole.daily() if whole.rule.key == "D" or whole.days is not None else None
        out.series = analysed_series(whole, settings, ev)
        base = out.daily if out.daily is not None else whole
        out.totals = _observed_totals(base.measure(task.measure), ev.day)
    if not out.inside:
        where = (
            f"({out.start:%Y-%m-%d} to {out.end:%Y-%m-%d})"
            if out.start is not None
            else "(no days)"
        )
        out.problems.append(
            ("", f"the intervention ({ev.day:%Y-%m-%d}) is not inside the data {where}")
        )
    else:
        for name, step in _STEPS.items():
            if name in settings.steps:
                _attempt(out, name, settings, step, task, ev, settings)
    if "claims" in settings.steps and task.claims.get(ev.id):
        _attempt(out, "claims", settings, _claims_step, task, ev, settings)
    out.seconds = time.perf_counter() - t0
    return out


def _attempt(out: PairResult, name: str, settings: Settings, fn: Callable, *args: Any) -> None:
    """Run one step; a refusal is recorded, never raised (any error with ``isolate``)."""
    catch: tuple[type[BaseException], ...] = (
        (Exception,) if settings.isolate else (TrendsError, np.linalg.LinAlgError)
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always" if settings.record_warnings else "ignore", ModelWarning)
        try:
            fn(out, *args)
        except catch as exc:
            reason = str(exc) if isinstance(exc, TrendsError) else f"{type(exc).__name__}: {exc}"
            out.problems.append((name, reason))
    if settings.record_warnings:
        out.warnings.extend(
            f"{name}: {w.message}" for w in caught if issubclass(w.category, ModelWarning)
        )


# ---------------------------------------------------------------------------------- steps
def _rates_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    base = out.daily if out.daily is not None else out.series
    assert base is not None and out.start is not None and out.end is not None
    values = base.measure(task.measure).rename(out.label)
    before, after = phases(ev.day, out.start, out.end)
    values, cut = _without_mixed_period(values, ev.day, base.unit, out)
    if cut is not None:  # the phases end and begin at the left-out period's edges
        before = (before[0], cut - pd.Timedelta(days=1))
        after = (period_end(cut, base.unit), after[1])
    window = values.loc[out.start : out.end]
    model = choose_two_phase_method(
        settings.two_phase,
        freq=base.rule.key,
        n_observed=int(window.notna().sum()),
        family=settings.family,
    )
    lumps = _daily_lumps(base)
    out.rates = compare_rates(
        values,
        before,
        after,
        se=settings.se,
        hac_lags=settings.hac_lags,
        model=model,
        exposure=base.exposure if lumps else None,
        **settings.rates_options,
    )
    if lumps:
        out.notes.append(
            f"{lumps} report(s) after a gap cover several days: the rates count each over the "
            "days it covers"
        )
        out.notes.extend(w for w in out.rates.warnings if "both sides of a window's limit" in w)
    if base.rule.key != "D" and base.exposure.nunique() > 1:
        out.notes.append(
            f"the rate comparison counts {base.unit}s, not days: {base.unit}s of "
            f"{int(base.exposure.min())} to {int(base.exposure.max())} days weigh the same "
            "(the source gives no daily counts)"
        )


def _without_mixed_period(
    values: pd.Series, day: pd.Timestamp, unit: str, out: PairResult
) -> tuple[pd.Series, pd.Timestamp | None]:
    """``values`` with the period that holds days on both sides of ``day`` left out (NaN).

    Weekly or monthly counts without daily figures cannot be split at an intervention inside a
    period; counting that period on one side (its label is before the day) would put days of
    the after-period before it. It is left out of the two-period comparison (neither phase
    holds it: the caller ends the before phase on the day before it and begins the after phase
    on the day after it), and a note says so. Returns the values and that period's label
    (``None`` when no period is cut).
    """
    index = values.index
    if not isinstance(index, pd.DatetimeIndex) or unit == "day":
        return values, None
    day = pd.Timestamp(day).normalize()
    pos = int(index.searchsorted(day, side="right")) - 1
    if pos < 0 or index[pos] == day or day >= period_end(index[pos], unit):
        return values, None  # the day starts a period, or lies outside the series
    out.notes.append(
        f"the {unit} starting {fmt_date(index[pos])} holds days before and after the "
        f"intervention ({fmt_date(day)}): it is left out of the two-period comparison (the "
        "source gives no daily counts to split it)"
    )
    values = values.copy()
    values.iloc[pos] = np.nan
    return values, index[pos]


def _daily_lumps(series: CountSeries) -> int:
    """How many days of a daily series carry a count that covers several days (a monitor's
    report after a gap): they enter the models with their exposure."""
    if series.rule.key != "D":
        return 0
    return int((series.exposure > 1).sum())


def _its_kwargs(settings: Settings, seed: int) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "family": settings.family,
        "se": settings.se,
        "hac_lags": settings.hac_lags,
        "slope_change": settings.slope_change,
        "seed": seed,
        "intervals": settings.intervals,
    }
    kw.update(settings.its_options)
    return kw


def _fit(values: pd.Series, series: CountSeries, ev: Intervention, settings: Settings, seed: int):
    kw = _its_kwargs(settings, seed)
    kw["inference"] = choose_inference(
        str(kw.get("inference", settings.inference)),
        freq=series.rule.key,
        n_observed=int(values.notna().sum()),
        family=str(kw.get("family", settings.family)),
    )
    if (
        (series.rule.key != "D" or _daily_lumps(series))
        and "exposure" not in kw
        and "offset" not in kw
    ):
        kw["exposure"] = series.exposure.astype(float)
    if series.rule.key == "D" and _daily_lumps(series):  # a report spanning the event: neither side
        values = values.mask(counts_across(values, series.exposure, ev.day))
    return fit_its(values, [model_event(ev, series)], **kw)


def _its_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    assert out.series is not None
    values = out.series.measure(task.measure).rename(out.label)
    out.its = _fit(values, out.series, ev, settings, out.seed)
    if out.series.rule.key == "D" and (
        n := int(counts_across(values, out.series.exposure, ev.day).sum())
    ):
        out.notes.append(
            f"{n} report(s) after a gap cover days on both sides of the event: the interrupted "
            "time series leaves them out"
        )
    if out.series.rule.key != "D" and out.series.partial.any():
        out.notes.append(
            f"{plural(int(out.series.partial.sum()), out.series.unit)} cut by the window "
            f"{'enters' if int(out.series.partial.sum()) == 1 else 'enter'} the "
            f"interrupted time series with {'its' if int(out.series.partial.sum()) == 1 else 'their'} "
            "exposure (days covered)"
        )


def _cp_values(out: PairResult, task: Task, note: bool = True) -> pd.Series:
    return _cp_input(out, task, note)[0]


def _cp_input(out: PairResult, task: Task, note: bool = True) -> tuple[pd.Series, dict]:
    """The change-point search's values and the words of the reported periods it leaves out
    (``left_out`` / ``left_out_words`` of :func:`detect_changepoints`)."""
    assert out.series is not None
    values = out.series.measure(task.measure).rename(out.label)
    left = np.zeros(len(values), dtype=bool)
    words = []
    if out.series.rule.key != "D" and out.series.partial.any():
        cut = out.series.partial.to_numpy()
        values, left = values.mask(cut), left | cut
        n_cut = int(cut.sum())
        words.append(f"only partly inside the window (a first or last {out.series.unit} cut by it)")
        if note:
            out.notes.append(
                "the change-point search leaves out the "
                f"{plural(n_cut, out.series.unit)} cut by the window "
                f"({'it has' if n_cut == 1 else 'they have'} fewer days than a whole "
                f"{out.series.unit}: reported, but partial)"
            )
    if lumps := _daily_lumps(out.series):
        lumped = (out.series.exposure > 1).to_numpy()
        values, left = values.mask(lumped), left | lumped
        words.append("covered by a report of several days")
        if note:
            out.notes.append(
                f"the change-point search leaves out the {lumps} report(s) that cover several "
                "days (it has no exposure)"
            )
    return values, {"left_out": left, "left_out_words": " or ".join(words)} if words else {}


def _changepoint_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    assert out.series is not None
    opts: dict[str, Any] = {}
    if settings.max_changes is not None:
        opts["max_changes"] = settings.max_changes
    opts.update(settings.changepoint_options)
    values, left_out = _cp_input(out, task)
    out.changepoint = detect_changepoints(
        values,
        model=settings.changepoint_model,
        reference=_event_itself(ev),
        **left_out,
        **opts,
    )


def _change_dates_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    out.change_dates = change_date_set(_cp_values(out, task, note=False), seed=out.seed)


def _placebo_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    if out.its is None or out.series is None:
        return
    out.placebo = placebo_test(
        out.series.measure(task.measure).rename(out.label), out.its, **settings.placebo_options
    )


def _pretrend_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    if out.its is None or out.series is None:
        return
    out.pretrend = check_pre_trend(
        out.series.measure(task.measure).rename(out.label), baseline=out.its
    )


def _robustness_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    if out.its is None or out.series is None:
        return
    rows = [
        _refit(label, series, measure, out, ev, settings)
        for label, series, measure in _variants(out, task, ev, settings)
    ]
    out.robustness = pd.DataFrame(rows)


def _variants(
    out: PairResult, task: Task, ev: Intervention, settings: Settings
) -> list[tuple[str, CountSeries, str]]:
    """(label, series, measure) of each robustness variant."""
    assert out.series is not None and out.start is not None and out.end is not None
    low, high = out.series.range_of(task.measure)
    variants: list[tuple[str, CountSeries, str]] = []
    if low and low != task.measure and has_figures(out.series, low):
        variants.append(("low death figures", out.series, low))
    if high and high != task.measure and has_figures(out.series, high):
        variants.append(("high death figures", out.series, high))
    late = task.series.flagged_days("likely_late", out.start, out.end)
    if len(late) and task.series.rule.key == "D":
        dates = ", ".join(f"{d.day} {d:%b %Y}" for d in late[:3]) + (
            ", ..." if len(late) > 3 else ""
        )
        label = f"without the likely late registrations ({len(late)} days: {dates})"
        reduced = task.series.without_days(late, f"robustness: {label} set missing")
        variants.append((label, analysed_series(reduced, settings, ev), task.measure))
    incidents = task.series.incidents
    if task.measure == "attacks" or incidents is None or "civilian_deaths_best" not in incidents:
        return variants
    start, end = out.start, out.end
    in_window = incidents[(incidents["date"] >= start) & (incidents["date"] <= end)]
    ranked = deadliest_first(in_window)
    for k in settings.leave_out:
        if k <= 0 or k > len(ranked):
            continue
        drop = ranked.index[:k]
        top = ranked.loc[drop]
        reduced = CountSeries.from_incidents(
            incidents.drop(index=drop),
            start=start,
            end=end,
            measures=(task.measure,),
            **task.series.aggregation,
        )
        worst = top.iloc[0]
        label = (
            f"without the deadliest incident ({int(worst['civilian_deaths_best'])} killed, "
            f"{pd.Timestamp(worst['date']).day} {pd.Timestamp(worst['date']):%b %Y})"
            if k == 1
            else f"without the {k} deadliest incidents ({int(top['civilian_deaths_best'].sum())} killed)"
        )
        variants.append((label, analysed_series(reduced, settings, ev), task.measure))
    return variants


def deadliest_first(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents by civilian deaths (best), the deadliest first.

    Ties (several incidents with the same toll) go earliest first, then in table order, so the
    same incidents are left out by a robustness variant whatever the sorting algorithm of the
    pandas in use (an unstable sort chose other incidents with another pandas version).

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``civilian_deaths_best`` and ``date``.

    Returns
    -------
    pandas.DataFrame
        The same rows, reordered (unknown tolls last).
    """
    return incidents.sort_values(
        ["civilian_deaths_best", "date"], ascending=[False, True], na_position="last",
        kind="mergesort",
    )  # fmt: skip


def has_figures(series: CountSeries, measure: str) -> bool:
    """Whether a low or high measure holds figures (not all missing, not all zero).

    A source without low and high figures (tallies, plain counts, an incident table whose low
    and high columns are empty) has nothing to vary: no robustness variant is made of them.

    Parameters
    ----------
    series : CountSeries
        The series.
    measure : str
        The low or high measure.

    Returns
    -------
    bool
    """
    if measure not in series.counts:
        return False
    values = series.counts[measure].to_numpy(dtype=float)
    known = values[~np.isnan(values)]
    return bool(len(known)) and bool((known != 0).any())


def _refit(
    label: str,
    series: CountSeries,
    measure: str,
    out: PairResult,
    ev: Intervention,
    settings: Settings,
) -> dict[str, Any]:
    values = series.measure(measure).rename(out.label)
    total = series.total(measure, out.start, out.end)  # from the days, whatever the period
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            res = _same_spec(out, values, series, ev, settings)
        lc = res.level_change
        return {
            "variant": label,
            "level_rr": lc.estimate,
            "ci_low": lc.ci_low,
            "ci_high": lc.ci_high,
            "total": total,
        }
    except (TrendsError, np.linalg.LinAlgError) as exc:
        return {
            "variant": label,
            "level_rr": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "total": total,
            "problem": str(exc),
        }


def _same_spec(
    out: PairResult, values: pd.Series, series: CountSeries, ev: Intervention, settings: Settings
):
    """Refit the main fit's specification (``its.refit``) to a variant's counts.

    The variant series has the periods of the main one (same window, same anchoring), so the
    specification (family, errors, exposure, seed) applies unchanged; a series on other periods
    is fitted with the same options instead.
    """
    spec_exposure = getattr(getattr(out.its, "spec", None), "exposure", None)
    same_periods = spec_exposure is None or spec_exposure.index.equals(values.index)
    if getattr(out.its, "spec", None) is not None and same_periods:
        return out.its.refit(values)
    return _fit(values, series, ev, settings, out.seed)


def claim_window(
    claim: dict[str, Any], ev: Intervention, last: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days a batch claim counts over.

    Parameters
    ----------
    claim : dict
        ``window_start`` / ``window_end`` dates, or ``window`` = days from the intervention's day
        (negative: days before it), or neither (from the intervention's day to ``last``).
    ev : Intervention
        The intervention.
    last : pandas.Timestamp
        The data's last day.

    Returns
    -------
    (Timestamp, Timestamp)

    Raises
    ------
    InputError
        A window that is not a number of days, or 0 days.
    """
    ws, we = claim.get("window_start"), claim.get("window_end")
    if not is_missing(ws) or not is_missing(we):
        start = ev.day if is_missing(ws) else timestamp(ws, "claim window start").normalize()
        end = last if is_missing(we) else timestamp(we, "claim window end").normalize()
        return start, end
    days = claim.get("window")
    if is_missing(days):
        return ev.day, last
    try:
        k = int(days)
    except (TypeError, ValueError) as exc:
        raise InputError(f"claim window {days!r} is not a number of days") from exc
    if k >= 1:
        return ev.day, ev.day + pd.Timedelta(days=k - 1)
    if k <= -1:
        return ev.day + pd.Timedelta(days=k), ev.day - pd.Timedelta(days=1)
    raise InputError("a claim window of 0 days is empty")


_QUALIFIERS = (
    "at_least", "more_than", "almost", "fewer_than", "at_most", "around", "exactly"
)  # fmt: skip


def _claims_step(out: PairResult, task: Task, ev: Intervention, settings: Settings) -> None:
    """Compare each claim with the series' total over its window (the low-high range if any)."""
    series = task.series.daily() if task.series.days is not None else task.series
    first, last = series.start, series.end
    low_m, high_m = series.range_of(task.measure)
    for c in task.claims.get(ev.id, []):
        detail: dict[str, Any] = {
            "series_id": task.series_id,
            "intervention_id": ev.id,
            "claim_id": c.get("claim_id"),
            "value": c.get("value"),
            "qualifier": c.get("qualifier"),
        }
        try:
            start, end = claim_window(c, ev, last)
            qual = str(c["qualifier"]).strip().lower().replace(" ", "_")
            if qual not in _QUALIFIERS:
                qual = normalise_qualifier(str(c["qualifier"]))
            best = series.total(task.measure, start, end)
            low = series.total(low_m, start, end) if low_m else best
            high = series.total(high_m, start, end) if high_m else best
            v, gap, _ = verdict(low, best, high, float(c["value"]), qual, settings.tolerance)
            values = series.window(start, end).measure(task.measure)
            reason = ""
            if start < first or end > last:  # what the counts already prove still stands
                v = uncovered_verdict(
                    assess_claim(
                        low, best, high, float(c["value"]), qual, tolerance=settings.tolerance
                    ).finding
                )
                reason = f"the window reaches outside the data ({first.day} {first:%b %Y} to {last.day} {last:%b %Y})"
            elif values.isna().any():
                reason = f"{int(values.isna().sum())} unreported days in the window"
            detail.update(
                window_start=start,
                window_end=end,
                observed_low=low,
                observed_best=best,
                observed_high=high,
                verdict=v,
                gap=gap,
                reason=reason,
            )
        except (TrendsError, KeyError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, TrendsError) else f"{type(exc).__name__}: {exc}"
            detail.update(verdict="not checkable", reason=reason)
        out.claims.append(detail)


_STEPS: dict[str, Callable[..., None]] = {
    "rates": _rates_step,
    "its": _its_step,
    "pretrend": _pretrend_step,
    "changepoint": _changepoint_step,
    "changedates": _change_dates_step,
    "placebo": _placebo_step,
    "robustness": _robustness_step,
}


def run_chunk(
    tasks: list[Task],
    settings: Settings,
    reduce: Callable[[PairResult], Any] | None = None,
    extra: Callable[[PairResult, Task, Settings], None] | None = None,
) -> list[Any]:
    """Evaluate every pair of a list of tasks (what one worker runs).

    Parameters
    ----------
    tasks : list of Task
        The tasks.
    settings : Settings
        What to run.
    reduce : callable, optional
        Applied to each :class:`PairResult` before it is returned (e.g. to a table row, so that
        a worker ships back a small record).
    extra : callable, optional
        A further step run on each pair after the models (e.g. the batch claims).

    Returns
    -------
    list
        One item per pair, in the order of the tasks and their interventions.
    """
    results = []
    for task in tasks:
        for ev in task.events:
            res = run_pair(task, ev, settings)
            if extra is not None:
                extra(res, task, settings)
            results.append(res if reduce is None else reduce(res))
    return results

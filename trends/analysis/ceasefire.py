"""Did the ceasefire change the rate of attacks and of civilian deaths? One call, every answer.

:func:`analyse_ceasefire` runs the whole chain on a measured count series
(:class:`~trends.series.CountSeries`; an incident table is aggregated into one first) and a
reference event: for each outcome the two-phase rate comparison, the interrupted time series, the
change-point search compared with the announced date, the in-time placebo test and robustness
checks (low and high figures; leaving out the deadliest incidents) -> the claims check. It is the
single-unit case of the batch path (:mod:`trends.pipeline`, as :func:`trends.batch.analyse_many`)
and returns a :class:`CeasefireAnalysis` with ``summary()``, ``glance()``, ``report()``,
``to_dict()`` (the ``results.json`` payload) and ``plot()``; it carries the series it analysed
(``series`` at the analysis frequency, ``daily`` with every measure the data have) and what the
outputs draw and say (``bottom_line``, ``rolling``, ``cumulative``, ``by_area``, ``weekly``, and
each outcome's ``level_change_range``), so outputs never compute them.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from trends.analysis.outputs import (
    area_series,
    cumulative_since_intervention,
    measures_in,
    rolling_means,
)
from trends.analysis.result import OUTCOMES, CeasefireAnalysis, OutcomeAnalysis
from trends.analysis.sensitivity import level_change_range
from trends.analysis.series_claims import check_claims_on_series
from trends.errors import InputError, ModelWarning, SchemaError, TrendsError, WrongTableError
from trends.events import ReferenceEvent
from trends.models.claims import check_claims
from trends.models.costs import get_cost
from trends.models.families import get_family
from trends.models.spec import INFERENCE_METHODS, TWO_PHASE_METHODS, two_phase_method_of
from trends.pipeline.executors import choose_executor, run_chunks
from trends.pipeline.plan import (
    Intervention,
    Settings,
    Task,
    check_inside,
    refuse_number,
    resolve_intervention,
    timestamp,
)
from trends.pipeline.progress import Progress
from trends.pipeline.run import PairResult, run_chunk
from trends.regimes import WindowChoice, default_window
from trends.series import CountSeries
from trends.series.aggregate import figure_problem, measure_has_figure
from trends.series.measured import people_words
from trends.sources import refuse_no_rows, table_kind
from trends.verdicts import bottom_lines_from_analysis
from trends.verdicts.words import fmt_date, plural

__all__ = ["analyse_ceasefire", "reader_words"]


_STEP_ORDER = (
    "rates",
    "its",
    "pretrend",
    "changepoint",
    "changedates",
    "placebo",
    "robustness",
)

_STEP_WORDS = {
    "rates": "rate comparison",
    "its": "interrupted time series",
    "changepoint": "change points",
    "changedates": "possible start dates of a change",
    "placebo": "placebo test",
    "pretrend": "pre-period trend check",
    "robustness": "robustness checks",
    "": "window",
}


def analyse_ceasefire(
    data: CountSeries | pd.DataFrame,
    intervention: Any,
    *,
    start=None,
    end=None,
    timeline=None,
    claims=None,
    claim_scopes: Mapping | None = None,
    outcomes: Sequence[str] | None = None,
    freq: str | None = None,
    anchor: Any = "intervention",
    family: str = "negbin",
    se: str = "hac",
    hac_lags: int | None = None,
    slope_change: bool = True,
    changepoint_model: str | None = None,
    max_changes: int = 3,
    not_reported=None,
    placebo: bool = True,
    pretrend: bool = True,
    change_dates: bool = True,
    robustness: bool = True,
    leave_out: Sequence[int] = (1, 3, 5),
    ingest=None,
    seed: int = 0,
    inference: str = "auto",
    two_phase: str = "auto",
    n_jobs: int = 1,
) -> CeasefireAnalysis:
    """Estimate whether, when and by how much the rates changed at ``intervention``.

    Parameters
    ----------
    data : CountSeries or DataFrame
        The measured count series (from any source: :mod:`trends.sources`), or a canonical
        incident table (already restricted to the area analysed), aggregated with
        :meth:`CountSeries.from_incidents`.
    intervention : ReferenceEvent, event id, or date
        The ceasefire (or any event). An event id needs ``timeline``. Its calendar day is the
        first post-intervention day (a ceasefire in force from 06:00 counts that day as "after").
    start, end : date-like, optional
        Analysis window. Default: with a ``timeline``, the one regime around the intervention
        (:func:`trends.regimes.default_window`: from the previous event that changed the regime
        to the day before the next one, within the data; recorded with its reasons in
        ``settings["default_window"]``), as ``trends report`` does; without one, the data's
        first and last day.
    timeline : Timeline, optional
        Resolves event ids (intervention, claim windows) and bounds the default window.
    claims : DataFrame or sequence of Claim, optional
        Checked with :func:`trends.models.claims.check_claims` against the incident table the
        series was aggregated from (``claim_scopes`` says which claims concern the data).
    outcomes : sequence of str, optional
        Keys of :data:`OUTCOMES` or measure names of the series. Default: attacks and civilian
        deaths for incidents; every measure (best figures) of another series.
    freq : {"D", "W", "M"}, optional
        Period of the models. Default: the series' own (daily for an incident table). Weekly
        and monthly counts are summed from the days; the before/after totals are always the
        daily ones.
    anchor : "intervention", None, weekday or day of month
        First day of weekly or monthly periods: by default the intervention's day starts a
        period; ``None`` gives Monday weeks and calendar months.
    family : {"negbin", "poisson", "quasipoisson"}
        Count family of the ITS (negative binomial by default: conflict counts are overdispersed).
    se : {"hac", "model", "robust"}
        Standard errors of the ITS and the negative-binomial rate ratio (Newey-West by default:
        daily counts are autocorrelated).
    hac_lags : int, optional
        Newey-West lag (default: the ITS module's documented rule).
    slope_change : bool
        Include a change in trend at the intervention.
    changepoint_model : {"poisson", "negbin", "gaussian"}, optional
        Default: "negbin" when ``family`` is negbin, else "poisson".
    max_changes : int
        Largest number of changes considered by the change-point search.
    not_reported : periods, optional
        Days the source did not report (missing, not zero); incident tables only.
    placebo, robustness : bool
        Run the in-time placebo test / the robustness checks.
    pretrend : bool
        Test whether the period before the intervention is described by the ITS's straight-line
        trend (:func:`trends.models.pretrend.check_pre_trend`); when it is not, the report and
        the bottom line say that the ITS estimates depend on that trend.
    change_dates : bool
        Compute the calibrated set of possible start dates of a single change, whether or not
        the search declares one (:func:`trends.models.changepoint_dateset.change_date_set`).
    leave_out : sequence of int
        Robustness: refit civilian deaths without the k deadliest incidents, for each k.
    ingest : IngestReport, optional
        Carried into ``to_dict()["data"]`` (default: the series' own report).
    seed : int
        Seed of the simulation-based intervals.
    inference : str, default "auto"
        Inference method of the interrupted time series: ``"auto"`` (the latent AR(1)
        log-intensity model on daily series of at least 120 observed days, weekly series of at
        least 18 observed weeks and monthly series of at least 19 observed months with a
        negative binomial or Poisson family, where the calibration studies found its 95%
        intervals near 95% and Newey-West's at 52-84%; the
        count GLM with ``se`` errors elsewhere: see
        :func:`trends.models.spec.choose_inference`), ``"glm"`` or ``"latent_ar"``.
    two_phase : str, default "auto"
        How the two-phase rate ratio's interval is computed: ``"auto"`` (``"latent_ar_lrv"``:
        the ratio of the observed period rates with the serial covariance of a fitted latent
        AR(1) model, under the same rule), ``"glm"`` (negative binomial + ``se``) or
        ``"latent_ar"`` (see :data:`trends.models.spec.TWO_PHASE_METHODS`).
    n_jobs : int, default 1
        Worker processes for the outcomes (each has its own seed: same results as with one).

    Returns
    -------
    CeasefireAnalysis

    Raises
    ------
    WrongTableError
        ``data`` is a table of another shape (tallies, counts...): the message says what to do.
    InputError
        An intervention outside the window, unknown outcomes; a SchemaError for an outcome
        the data have no figure for (missing is never counted as 0).
    """
    _known_models(family, changepoint_model)
    ev = resolve_intervention(intervention, timeline)
    wanted = _outcome_request(outcomes, data)
    series, first, last = _as_series(data, wanted, start, end, not_reported, ingest)
    window = _regime_window(timeline, ev, (start, end), first, last)
    start = first if window is None or start is not None else window.start
    end = last if window is None or end is not None else window.end
    if (problem := check_inside(ev.day, start, end)) is not None:
        raise InputError(problem)
    chosen = _resolve_outcomes(wanted, series)
    cp_model = changepoint_model or ("negbin" if family == "negbin" else "poisson")
    optional = {"pretrend": pretrend, "changedates": change_dates, "placebo": placebo}
    optional["robustness"] = robustness
    settings = Settings(
        steps=tuple(k for k in _STEP_ORDER if optional.get(k, True)), freq=freq, anchor=anchor,
        family=family, se=se, hac_lags=hac_lags, slope_change=slope_change,
        changepoint_model=cp_model, max_changes=max_changes, leave_out=tuple(leave_out),
        seed=seed, record_warnings=False, inference=inference, two_phase=two_phase,
    )  # fmt: skip
    tasks = [
        Task(name, series, measure, [ev], windows={ev.id: (start, end)}, seeds={ev.id: seed})
        for name, measure in chosen
    ]
    pairs = _run_tasks(tasks, settings, n_jobs)
    analysis = _assemble(
        ev, series, pairs, settings, start, end, claims, timeline, claim_scopes, ingest
    )
    if window is not None:
        analysis.settings["default_window"] = {**window.to_dict(), "reasons": window.reasons()}
    return analysis


def _regime_window(
    timeline: Any, ev: ReferenceEvent, asked: tuple[Any, Any], first: Any, last: Any
) -> WindowChoice | None:
    """The one regime around the intervention when a timeline is given and the window is not.

    As ``trends report`` does with the user's own reference events
    (:func:`trends.regimes.default_window`): a window running on through a later collapse or a
    second ceasefire would mix regimes in the "after" period. ``None`` when both ends are given
    or there is no timeline.
    """
    if timeline is None or (asked[0] is not None and asked[1] is not None):
        return None
    return default_window(timeline, ev, first, last)


def _run_tasks(tasks: list[Task], settings: Settings, n_jobs: int) -> list[Any]:
    """The pairs of ``tasks``, one worker process per outcome when ``n_jobs`` allows."""
    chunks = [[task] for task in tasks] if n_jobs != 1 and len(tasks) > 1 else [tasks]
    executor = choose_executor(min(len(chunks), n_jobs) if n_jobs > 0 else n_jobs)
    with Progress(False, len(tasks)) as bar:
        done = run_chunks(run_chunk, chunks, executor, bar, len, settings=settings)
    return [pair for chunk in done for pair in chunk]


def _known_models(family: str, changepoint_model: str | None) -> None:
    """Refuse an unknown family or change-point model before any work (not in ``problems``)."""
    get_family(family)
    if changepoint_model is not None:
        get_cost(changepoint_model)


def _outcome_request(outcomes: Sequence[str] | None, data: Any) -> list[str] | None:
    if outcomes is None:
        return None if isinstance(data, CountSeries | pd.Series) else ["attacks", "civilian_deaths"]
    out = list(outcomes)
    if not out:
        raise InputError("give at least one outcome")
    return out


def _as_series(
    data: Any, outcomes: list[str] | None, start, end, not_reported, ingest
) -> tuple[CountSeries, pd.Timestamp, pd.Timestamp]:
    """The count series to analyse and its window (a pandas Series of counts is one measure)."""
    if isinstance(data, pd.Series):
        if not isinstance(data.index, pd.DatetimeIndex):
            raise WrongTableError(
                "analyse_ceasefire was given a pandas Series without dates: a series of counts "
                "needs a DatetimeIndex (one value per day, week or month)",
                kind="series",
                expected="a CountSeries, a Series of counts on a DatetimeIndex or an incident table",
            )
        data = CountSeries.from_counts(data, source="counts")
        data = dataclasses.replace(  # a Series names its measure in words: its own name
            data,
            measures={
                n: dataclasses.replace(m, label=people_words(str(n)))
                for n, m in data.measures.items()
            },
        )
    refuse_number(start, "the window's start")
    refuse_number(end, "the window's end")
    if isinstance(data, CountSeries):
        if len(data.counts) == 0:
            raise InputError(
                "analyse_ceasefire was given a count series with no periods (did every row of "
                "its file get rejected? its reader's report says why)"
            )
        first, last = data.start, data.end
        s = timestamp(start, "window's start").normalize() if start is not None else first
        e = timestamp(end, "window's end").normalize() if end is not None else last
        return data, s, e
    kind = table_kind(data)
    if kind != "incidents" and not (isinstance(data, pd.DataFrame) and kind == "unknown"):
        raise WrongTableError(
            _WRONG_SHAPE.get(kind, _WRONG_SHAPE["other"]).format(
                kind=f"a {type(data).__name__}" if kind == "not a table" else kind
            ),
            kind=kind,
            expected="a CountSeries or an incident table",
        )
    if "date" not in data.columns:
        raise WrongTableError(
            "analyse_ceasefire needs a count series (trends.series.CountSeries) or an incident "
            "table with a 'date' column; this table has none: build a CountSeries with "
            "CountSeries.from_frame(table) (dates as the index, one column per count)",
            kind="unknown",
            expected="a CountSeries or an incident table",
        )
    unknown = [o for o in outcomes or [] if o not in OUTCOMES]
    if unknown:
        raise InputError(f"unknown outcomes {unknown}; choose from {list(OUTCOMES)}")
    if len(data) == 0:
        if ingest is not None:  # the reader's report says why
            refuse_no_rows(data, ingest, getattr(ingest, "source", None) or "the incident table")
        raise InputError(
            "analyse_ceasefire was given an incident table with no rows (if it was read from a "
            "file, every row was rejected: its reader's report says why)"
        )
    _refuse_absent_figures(data, outcomes or [], ingest)
    dates = pd.to_datetime(data["date"])
    s = timestamp(start, "window's start").normalize() if start is not None else dates.min()
    e = timestamp(end, "window's end").normalize() if end is not None else dates.max()
    s, e = s.normalize(), e.normalize()
    asked = sorted({OUTCOMES[o][0] for o in outcomes or []})
    series = CountSeries.from_incidents(
        data,
        start=s,
        end=e,
        not_reported=not_reported,
        measures=measures_in(data, asked),
        report=ingest,
    )
    return series, s, e


def _has_figure(data: pd.DataFrame, outcome: str) -> bool:
    """Whether an incident table holds at least one reported figure for ``outcome``."""
    return measure_has_figure(data, OUTCOMES[outcome][0])


def _refuse_absent_figures(data: pd.DataFrame, outcomes: Sequence[str], ingest: Any) -> None:
    """Refuse an outcome the table has no figure for (counting it would report zeros)."""
    for name in outcomes:
        why = figure_problem(data, OUTCOMES[name][0])
        if why is None:
            continue
        source = getattr(ingest, "source", None)
        fmt = getattr(ingest, "format", None)
        what = "the data" + (f" ({fmt} format)" if fmt else "")
        have = [o for o in OUTCOMES if _has_figure(data, o)]
        raise SchemaError(
            f"{what} give no figure for {OUTCOMES[name][3]} ({why}), so outcome {name!r} "
            f"cannot be analysed (missing is not 0); outcomes the data have figures for: "
            f"{', '.join(have)}",
            path=source or None,
        )


_WRONG_SHAPE = {
    "tallies": (
        "analyse_ceasefire was given a {kind} table (the daily table of "
        "trends.ingest.tallies.read_tallies), not incidents: its rows are days, not incidents, "
        "so counting them would count days. Make it a count series first: "
        "CountSeries.from_tallies(table, report) (or trends.sources.load_series(path, "
        "'tallies')) and pass that"
    ),
    "counts": (
        "analyse_ceasefire was given a plain {kind} table (trends.ingest.counts.read_counts), "
        "not incidents. Make it a count series first: CountSeries.from_counts(table, report) "
        "(or trends.sources.load_series(path, 'counts')) and pass that"
    ),
    "other": (
        "analyse_ceasefire needs a count series (trends.series.CountSeries, or a pandas Series "
        "of counts on a DatetimeIndex) or an incident table (a DataFrame), not {kind}"
    ),
}


def _resolve_outcomes(wanted: list[str] | None, series: CountSeries) -> list[tuple[str, str]]:
    """``[(outcome name, measure)]`` of the series (one asked for must have a reported value)."""
    asked = wanted is not None
    if wanted is None:
        wanted = [
            m.name
            for m in series.measures.values()
            if m.role == "best"
            and m.name != "incidents_no_death_figure"
            and m.name in series.counts
        ]
    out = []
    for name in wanted:
        measure = OUTCOMES[name][0] if name in OUTCOMES else name
        if asked and measure in series.counts and not series.counts[measure].notna().any():
            raise SchemaError(
                f"the series has no reported value for {series.label(measure)} (measure "
                f"{measure!r}), so outcome {name!r} cannot be analysed (missing is not 0)"
            )
        if name in OUTCOMES and OUTCOMES[name][0] in series.counts:
            out.append((name, OUTCOMES[name][0]))
        elif name in series.counts:
            out.append((name, name))
        else:
            choices = sorted(
                {*series.counts.columns, *(o for o in OUTCOMES if OUTCOMES[o][0] in series.counts)}
            )
            raise InputError(f"unknown outcomes {[name]}; choose from {choices}")
    return out


def _assemble(
    ev: Intervention,
    series: CountSeries,
    pairs: list[PairResult],
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    claims,
    timeline,
    claim_scopes,
    ingest,
) -> CeasefireAnalysis:
    """The :class:`CeasefireAnalysis` of the pairs (one per outcome)."""
    results: dict[str, OutcomeAnalysis] = {}
    analysed: CountSeries | None = None
    for pr in pairs:
        analysed = pr.series
        label = OUTCOMES[pr.series_id][3] if pr.series_id in OUTCOMES else pr.label
        assert pr.series is not None
        results[pr.series_id] = OutcomeAnalysis(
            pr.series_id,
            label,
            pr.series.measure(pr.measure).rename(label),
            rates=pr.rates,
            its=pr.its,
            changepoint=pr.changepoint,
            placebo=pr.placebo,
            pretrend=pr.pretrend,
            change_dates=pr.change_dates,
            robustness=pr.robustness,
            problems=[
                f"{_STEP_WORDS.get(step, step)}: {reader_words(why)}" for step, why in pr.problems
            ],
            measure=pr.measure,
            notes=list(pr.notes),
            level_change_range=(
                _level_change_range(
                    pr.its, pr.series.measure(pr.measure).rename(label), pr.pretrend
                )
                if pr.its is not None and "robustness" in settings.steps
                else None
            ),
        )
    assert analysed is not None
    claims_check = None
    caveats_extra: list[str] = []
    if claims is not None:
        if series.incidents is not None:
            claims_check = check_claims(
                claims, series.incidents, timeline=timeline, scopes=claim_scopes
            )
        else:  # tallies, plain counts: checked day by day against the matching measure
            claims_check, notes = check_claims_on_series(claims, series, timeline=timeline)
            caveats_extra.extend(notes)
    counts = analysed.to_frame()
    last = _last_recorded(series)
    caveats = _caveats(counts, results, end, last, series.incidents is not None) + caveats_extra
    caveats += short_pre_period_caveat(start, ev.day, analysed.rule.key)
    caveats += coverage_caveats(results)
    daily = series.window(start, end)
    daily = daily.daily() if daily.rule.key == "D" or daily.days is not None else None
    measures = [oa.measure or name for name, oa in results.items()]
    analysis = CeasefireAnalysis(
        intervention=ev.event if ev.event is not None else ev,
        intervention_date=ev.day,
        start=start,
        end=end,
        freq=analysed.rule.key,
        family=settings.family,
        counts=counts,
        outcomes=results,
        claims=claims_check,
        ingest=ingest if ingest is not None else series.provenance.report,
        settings=_settings_dict(settings, analysed),
        caveats=caveats,
        series=analysed,
        daily=daily,
        rolling=rolling_means(counts, measures),
        cumulative=cumulative_since_intervention(
            daily if daily is not None else analysed, _ranges(results, analysed), ev.day
        ),
        by_area=area_series(series, start, end, measures),
        weekly=daily.resample("W", anchor="MON") if daily is not None else None,
    )
    analysis.bottom_line = _bottom_line(analysis)
    return analysis


#: Advice the models give a Python caller, and what a report's reader is told instead.
_PYTHON_ADVICE: tuple[tuple[str, str], ...] = (
    (r"\s*\(use slope_change=False\)", ", so the interrupted time series was not fitted"),
    (
        r";?\s*use trends\.models\.rates\.compare_rates for an exact interval",
        "; the comparison of the two periods' rates gives an exact interval instead",
    ),
    (r"2 \* min_(?:size|segment) = (\d+)", r"\1"),
    (r"\s*\(e\.g\. series\.asfreq\([^()]*\)\)", ""),
)


def reader_words(why: str) -> str:
    """A model's reason for not running, without the advice it gives a Python caller.

    The models' errors speak to whoever called them ("use slope_change=False", "2 * min_size =
    14"); the problems of an analysis are read in reports, so the advice is said in words or
    left out.

    Parameters
    ----------
    why : str
        The reason.

    Returns
    -------
    str
    """
    out = str(why)
    for pattern, words in _PYTHON_ADVICE:
        out = re.sub(pattern, words, out)
    return out


def _level_change_range(its: Any, values: pd.Series, pretrend: Any) -> Any:
    """:func:`~trends.analysis.sensitivity.level_change_range`, without its refits' warnings.

    The refits on shorter windows are the main fit's specification, which has already said what
    matters about the data (its warnings are the pipeline's); a refit's numerical warnings (a
    robust covariance that is not positive on a short window: that refit's interval is then
    missing) are not for the reader of a report, and numpy's raw ``RuntimeWarning`` must not
    reach a command-line user.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return level_change_range(its, values, pretrend)


def _ranges(
    results: dict[str, OutcomeAnalysis], series: CountSeries
) -> dict[str, tuple[str, str | None, str | None]]:
    """Outcome -> (best, low, high) measures of the series."""
    out = {}
    for name, oa in results.items():
        best = oa.measure or name
        low, high = series.range_of(best)
        out[name] = (best, low, high)
    return out


def _bottom_line(analysis: CeasefireAnalysis):
    """The bottom lines of the analysis (None when the evidence cannot be read)."""
    try:
        return bottom_lines_from_analysis(analysis)
    except (TrendsError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _settings_dict(settings: Settings, analysed: CountSeries) -> dict[str, Any]:
    out: dict[str, Any] = {
        "se": settings.se,
        "hac_lags": settings.hac_lags,
        "slope_change": settings.slope_change,
        "changepoint_model": settings.changepoint_model,
        "max_changes": settings.max_changes,
        "placebo": "placebo" in settings.steps,
        "pretrend": "pretrend" in settings.steps,
        "change_dates": "changedates" in settings.steps,
        "robustness": "robustness" in settings.steps,
        "leave_out": list(settings.leave_out),
        "seed": settings.seed,
    }
    if analysed.rule.key != "D":
        out["periods"] = analysed.rule.describe()
        out["series_freq"] = analysed.freq
    return out


#: Days before the intervention in the shortest daily design whose interval coverage was
#: measured (120-day series with the change at day 62: benchmarks/dgps.py, ``change_day``).
CALIBRATED_PRE_DAYS = 62


def short_pre_period_caveat(start: pd.Timestamp, day: pd.Timestamp, freq: str) -> list[str]:
    """A caveat when a daily window leaves fewer days before the intervention than any design
    whose coverage was measured (:data:`CALIBRATED_PRE_DAYS`); otherwise none.

    Parameters
    ----------
    start, day : pandas.Timestamp
        The window's first day and the intervention's first day after.
    freq : str
        The analysed series' period key (``"D"``, ``"W"``, ``"M"``): only daily series are
        checked (the weekly and monthly designs are stated with their coverage).

    Returns
    -------
    list of str
        One sentence, or none.
    """
    if freq != "D":
        return []
    pre = int((pd.Timestamp(day).normalize() - pd.Timestamp(start).normalize()).days)
    if pre >= CALIBRATED_PRE_DAYS:
        return []
    return [
        f"Short pre-period: the window holds only {plural(pre, 'day')} before the intervention "
        f"(from {fmt_date(start)}), fewer than any design whose interval coverage was measured "
        f"(at least {CALIBRATED_PRE_DAYS} days), so the trend before it, which the interrupted "
        "time series projects, is barely determined and the measured coverage does not apply. "
        "An earlier start of the window gives more, if the period before it was one regime."
    ]


def coverage_caveats(results: Mapping[str, OutcomeAnalysis]) -> list[str]:
    """What was measured about the intervals of the methods these results used, one per method.

    The texts are the ``coverage`` of :data:`trends.models.spec.INFERENCE_METHODS` (the
    interrupted time series) and :data:`trends.models.spec.TWO_PHASE_METHODS` (the two-phase
    rate ratio): one source for the reports and the docs. Only a method that gave an interval
    is named: a two-phase model whose ratio could not be estimated (a period without events)
    is not, and where the exact conditional Poisson interval leads the headline (the only one,
    or the wider), the caveat says that its coverage was not measured.

    Parameters
    ----------
    results : mapping of str to OutcomeAnalysis
        The analysis of each outcome.

    Returns
    -------
    list of str
    """
    its_used = sorted(
        {str(oa.its.settings.get("inference") or "glm") for oa in results.values() if oa.its}
    )
    tp_used = sorted(
        {
            two_phase_method_of((oa.rates.rate_ratio_nb or {}).get("se_type")).name
            for oa in results.values()
            if oa.rates is not None and (oa.rates.rate_ratio_nb or {}).get("estimate") is not None
        }
    )
    out = [
        f"Interval coverage of the two-phase rate ratio ({TWO_PHASE_METHODS[k].label}): "
        f"{TWO_PHASE_METHODS[k].coverage}."
        for k in tp_used
    ]
    exact_leads = [
        oa.label
        for oa in results.values()
        if oa.rates is not None
        and callable(getattr(oa.rates, "lead_interval", None))
        and oa.rates.lead_interval().source == "exact"
    ]
    if exact_leads:
        out.append(
            "Interval coverage of the exact conditional Poisson interval of the two-phase rate "
            f"ratio, which leads for {' and '.join(exact_leads)}: not measured (it treats every "
            "period as an independent Poisson draw)."
        )
    out += [
        f"Interval coverage of the interrupted time series ({INFERENCE_METHODS[k].label}): "
        f"{INFERENCE_METHODS[k].coverage}."
        if INFERENCE_METHODS[k].coverage
        else f"Interval coverage of the interrupted time series ({INFERENCE_METHODS[k].label}): "
        "not measured."
        for k in its_used
        if k in INFERENCE_METHODS
    ]
    return out


def _last_recorded(series: CountSeries) -> pd.Timestamp | None:
    """The last day with a recorded incident (or a reported count)."""
    if series.incidents is not None and "date" in series.incidents:
        last = pd.to_datetime(series.incidents["date"]).max()
        return None if pd.isna(last) else last
    reported = series.reported[series.reported]
    return reported.index[-1] if len(reported) else None


def _caveats(
    counts: pd.DataFrame,
    results: dict[str, OutcomeAnalysis],
    end: pd.Timestamp,
    last: pd.Timestamp | None,
    incidents: bool = True,
) -> list[str]:
    unrecorded = (
        "incidents that were not reported are missing"
        if incidents
        else "what they missed is not in them"
    )
    out = [
        f"Coverage: the counts are what the sources recorded; {unrecorded}, so every count is a "
        "floor, and a change in reporting can look like a change in violence.",
    ]
    if "incidents_no_death_figure" in counts:
        n_missing = int(counts["incidents_no_death_figure"].sum())
        if n_missing:
            out.append(
                f"{n_missing} incidents in the window have no death figure; they count as attacks "
                "but add nothing to the death counts."
            )
    for oa in results.values():
        post = (
            oa.series[oa.series.index >= getattr(oa.its, "primary", None).first_period]
            if oa.its is not None
            else None
        )
        if post is not None and post.sum() < 30:
            out.append(
                f"Small counts: only {int(post.sum())} {oa.label} after the intervention; intervals are wide."
            )
        if oa.its is not None and oa.its.diagnostics.get("ljung_box", {}).get("p_value", 1) < 0.05:
            allowed = (
                "Newey-West standard errors allow for it."
                if oa.its.settings.get("inference", "glm") == "glm"
                else "the latent AR(1) term did not absorb all of it, so its intervals may be "
                "too narrow."
            )
            out.append(
                f"The {oa.label} series is autocorrelated beyond the model (Ljung-Box test on "
                f"its Pearson residuals); {allowed}"
            )
    if last is not None and (last - end).days < 30:
        out.append(
            f"The window ends within 30 days of the last "
            f"{'recorded incident' if incidents else 'reported count'} ({last.day} {last:%b %Y}): "
            "the most recent days may be incomplete, as reports arrive late."
        )
    out.append(
        "The two-phase rate ratio averages each whole phase; the interrupted time series separates "
        "the immediate change at the intervention (level change) from the change in trend after "
        "it, so the two answer different questions and need not agree."
    )
    out.append(
        "What each number estimates: the two-phase rate ratio is the average rate over the whole "
        "period after the intervention divided by that before it, as observed (the post-period "
        "average effect); the level change is the immediate jump at the intervention against the "
        "trend before it, projected to that date; the slope change is the change of that trend; "
        "the cumulative effect is the total recorded after the intervention against the total the "
        "projected trend expects. Where violence feeds on itself (one attack making the next more "
        "likely), a lower baseline lowers the rate gradually, so the immediate change understates "
        "the long-run effect, and no number here is the long-run effect."
    )
    return out

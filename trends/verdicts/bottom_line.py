"""The bottom line: one paragraph per outcome that a journalist can quote, by documented rules.

The paragraph is derived from the evidence for one outcome (:class:`Evidence`: plain numbers) and
says, in this order: the direction and size of the change with its interval; whether it could be
chance; when the change happened against the announced date; whether the placebo test and the
robustness checks agree; each disagreement between the estimates, explained in one sentence; and
a confidence grade. Every sentence uses :mod:`trends.verdicts.words`, so an interval that includes
no change is never called a fall or a rise.

**Primary estimand.** The two-phase rate ratio (rate after / rate before the event), which
compares the two periods as observed and does not extrapolate. Its headline interval follows
:func:`trends.verdicts.words.headline_interval`: the negative-binomial interval with errors that
allow for autocorrelation (HAC) leads, unless it is narrower on the log scale than the exact
conditional Poisson interval, which then leads; the other is shown too.

**Checks.** Each is *agrees*, *disagrees*, *unclear* or *not available*:

- *placebo*: agrees when the two-sided placebo p is at most 0.05 with at least 19 placebo dates;
  disagrees when p > 0.05; not available with fewer than 19 dates (p cannot reach 0.05).
- *timing*: agrees when the announced period is inside the change point's date set, or when the
  event has a time of day and the change is dated that day or the next (a mixed day); disagrees
  when the change is dated outside the set or no change was found; not available without a
  change-point search.
- *robustness*: agrees when every estimable variant (low / high figures, leaving out the deadliest
  incidents) points in the primary's direction with an interval that excludes no change; unclear
  when they all point that way but some interval includes no change; disagrees when any variant
  points the other way; not available without variants.
- *interrupted time series*: agrees when the level change or the cumulative difference is clear
  in the primary's direction; unclear when both include no change, or when the primary itself
  includes no change (there is no direction to back); disagrees when either is clear in the other
  direction. When the pre-period trend check rejects the straight-line trend the ITS
  extrapolates (:func:`trends.models.pretrend.check_pre_trend`), the check is *unclear* whatever
  the ITS says, and the paragraph says why instead of explaining ITS disagreements. When the
  check passes but the level change implied by its curved pre-period trend
  (:attr:`~trends.models.pretrend.PreTrendCheck.level_change_curved`) is not clear in the same
  direction, the ITS does not agree either: it is *unclear*, because its finding depends on the
  shape assumed for the trend (the check itself finds only a quarter of slow waves; the curved
  fit's interval keeps its level on them, ``benchmarks/README.md`` section 4g).

**Confidence grade** (first rule that applies):

1. **inconclusive**: the primary estimate is missing, or its headline interval includes no change,
   or a period is too short to judge: fewer than :data:`MIN_PHASE_PERIODS` (7) observed periods
   of the two-phase comparison (days; weeks or months for a source with no days) before or after
   the event. Seven is the shortest segment the change-point search accepts (``min_size``), so
   with fewer neither the timing of a change at the event nor its persistence can be checked,
   and a period's average rests on a handful of values whose serial dependence cannot be
   estimated (a single day's count after an event is an anecdote, not a rate). The paragraph
   says so, and its headline gives no direction. Longer periods are graded as before.
2. **strong**: the placebo and timing checks both agree and no check disagrees.
3. **moderate**: at most one check disagrees and at least two checks agree.
4. **weak**: otherwise (the two-phase change is clear but the checks do not back it).

With fewer than 20 events in either period the grade is at most **moderate** (too few events for
the intervals to be trusted fully). When one period holds a quarter or more of its phase's events
(a massacre among ordinary days, ``Evidence.dominant``) the paragraph names it with the ratio
without it, and the grade is at most **weak**: the intervals are fitted to the ordinary days and
do not allow for rare periods that large.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from trends.results import Result, to_jsonable
from trends.verdicts.words import (
    EMPTY_EXACT_WORDS,
    EXACT_WORDS,
    NO_CHANGE,
    HeadlineInterval,
    Timing,
    change_words,
    classify_change,
    count_of,
    empty_phase,
    empty_phase_headline,
    empty_phase_kind,
    empty_phase_sentence,
    fmt_count,
    fmt_date,
    fmt_estimate,
    fmt_interval,
    fmt_p,
    fmt_rate,
    fmt_ratio,
    headline,
    headline_interval,
    length_words,
    measure_words,
    percent_change,
    placebo_phrase,
    placebo_rank,
    plural,
    says_announced,
    singular,
    timing_of_change,
    with_article,
)

__all__ = [
    "GRADES",
    "MIN_PLACEBOS",
    "SMALL_COUNT",
    "MIN_PHASE_PERIODS",
    "DAYS_PER_UNIT",
    "Estimate",
    "Variant",
    "Evidence",
    "Check",
    "BottomLine",
    "BottomLines",
    "bottom_line",
    "bottom_lines",
    "grade_of",
    "phase_length",
]

#: The confidence grades, strongest first.
GRADES: tuple[str, ...] = ("strong", "moderate", "weak", "inconclusive")
#: Fewest placebo dates with which p can reach 0.05 (1 / (1 + 19)).
MIN_PLACEBOS = 19
#: Fewer events than this in either period caps the grade at "moderate".
SMALL_COUNT = 20
#: Fewer observed periods of the two-phase comparison than this before or after the event: no
#: grade (the change-point search's shortest segment; see the module docstring).
MIN_PHASE_PERIODS = 7
#: Days in a week and in an average month (365.25 / 12): how phase lengths counted in days are
#: said in weeks or months.
DAYS_PER_UNIT: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}


@dataclass(frozen=True)
class Estimate:
    """An estimate with its interval (a rate ratio, or a difference in counts)."""

    estimate: float
    low: float
    high: float
    p_value: float | None = None
    method: str = ""


@dataclass(frozen=True)
class Variant:
    """One robustness variant: a label in words and its estimate (``None`` if not estimable)."""

    label: str
    estimate: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Evidence:
    """The evidence for one outcome, as plain numbers.

    Attributes
    ----------
    outcome : str
        Key of the outcome ("civilian_deaths").
    measure : str
        The measure in words, plural ("civilian deaths").
    unit : str
        Period unit of the analysed series ("day", "week", "month"): the unit of the rates the
        paragraph gives, of the change-point dates and of the ITS slope.
    count_before, count_after : float or None
        Events in each period.
    periods_before, periods_after : int or None
        Observed periods in each, in ``rate_unit``.
    rate_unit : str or None
        Period unit of the two-phase comparison (``periods_before`` / ``periods_after`` count
        these, and its intervals allow for dependence between them); default ``unit``. A weekly
        or monthly analysis of daily data compares the daily totals (``rate_unit`` "day"): the
        paragraph then gives the phases' lengths and rates in ``unit``, converted at
        :data:`DAYS_PER_UNIT` days a week or month.
    exact : Estimate or None
        Two-phase rate ratio after/before, exact conditional Poisson interval.
    model : Estimate or None
        The same ratio with the negative-binomial / HAC interval.
    level_change, slope_change : Estimate or None
        Interrupted-time-series rate ratios (slope: per period).
    cumulative : Estimate or None
        Cumulative difference observed - counterfactual (counts), with its interval.
    its_periods : int or None
        Observed periods (in ``unit``) the interrupted time series was fitted to. When they
        differ from the two-phase comparison's (``periods_before + periods_after``, e.g. a
        month holding days before and after the event, which the comparison leaves out), the
        ITS figures say their own base.
    cumulative_periods : int or None
        Observed periods (in ``unit``) after the event that the cumulative difference sums.
    cumulative_start : Timestamp or None
        Its first period.
    event_name : str
        The event's name ("Russian-announced ceasefire in force").
    event_word : str
        A short way to refer to it in later sentences ("the ceasefire").
    event_time : Timestamp or None
        When it took effect (with the time of day when known).
    has_time_of_day : bool or None
        Whether the event had a time of day (default: ``event_time`` is not at midnight).
    change_searched : bool
        Whether a change-point search was run.
    change_note : str
        Why the change-point search could not be run, when one was attempted.
    change_date, change_set_low, change_set_high : Timestamp or None
        The change point nearest the event and its set (``change_date`` None: none found).
    change_dates_text : str or None
        The sentence of the calibrated set of possible start dates of a single change
        (:func:`trends.models.changepoint_dateset.change_date_set`), said when the search
        finds no change.
    change_dates_has_event : bool or None
        Whether the event's first period is in that set.
    placebo_p : float or None
        Two-sided placebo p-value.
    placebo_n : int or None
        Placebo dates.
    placebo_as_large : int or None
        Placebo estimates at least as large as the real one (derived from p when absent).
    placebo_statistic : str
        What the placebo ranks: ``"studentised"`` (each change over its own standard error) or
        ``"raw"`` (the log rate ratios).
    placebo_note : str
        Why no placebo test could be run, when one was attempted.
    robustness : tuple of Variant
        Robustness variants (what they estimate: ``robustness_what``).
    robustness_what : str
        "level change" by default.
    level_change_range : (float, float), optional
        Smallest and largest ITS level change over refits with other windows and with or without
        the slope term (``level_change_range_what`` says over what), shown next to the level
        change because it moves with those choices.
    pre_trend_flagged : bool
        Whether the pre-period trend check rejected the straight-line trend.
    pre_trend_p : float or None
        Its p-value.
    level_change_curved : Estimate or None
        The level change implied by the check's curved pre-period trend (when it was tested).
    level : float
        Confidence level.
    """

    outcome: str
    measure: str
    unit: str = "day"
    count_before: float | None = None
    count_after: float | None = None
    periods_before: int | None = None
    periods_after: int | None = None
    rate_unit: str | None = None
    exact: Estimate | None = None
    model: Estimate | None = None
    level_change: Estimate | None = None
    slope_change: Estimate | None = None
    cumulative: Estimate | None = None
    its_periods: int | None = None
    cumulative_periods: int | None = None
    cumulative_start: pd.Timestamp | None = None
    event_name: str = "the event"
    event_word: str = "the event"
    event_time: pd.Timestamp | None = None
    has_time_of_day: bool | None = None
    change_searched: bool = False
    change_note: str = ""
    change_date: pd.Timestamp | None = None
    change_set_low: pd.Timestamp | None = None
    change_set_high: pd.Timestamp | None = None
    change_dates_text: str | None = None
    change_dates_has_event: bool | None = None
    placebo_p: float | None = None
    placebo_n: int | None = None
    placebo_as_large: int | None = None
    placebo_statistic: str = "raw"
    placebo_note: str = ""
    robustness: tuple[Variant, ...] = ()
    robustness_what: str = "level change"
    level_change_range: tuple[float, float] | None = None
    level_change_range_what: str = "over reasonable windows and with or without the slope term"
    pre_trend_flagged: bool = False
    pre_trend_p: float | None = None
    level_change_curved: Estimate | None = None
    level: float = 0.95
    dominant: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Check:
    """One check of the primary finding: ``status`` is agrees / disagrees / unclear / not available."""

    name: str
    status: str
    text: str


def _ok(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _kind(e: Estimate | None, null: float = 1.0) -> str:
    if e is None or not _ok(e.estimate):
        return "unknown"
    return classify_change(e.low, e.high, null)


def _side(x: float | None, null: float = 1.0) -> str:
    if not _ok(x) or float(x) == null:
        return "none"
    return "fall" if float(x) < null else "rise"


# ------------------------------------------------------------------------------------- checks
def _placebo_check(ev: Evidence) -> tuple[Check, str]:
    if ev.placebo_p is None or not ev.placebo_n:
        text = (
            f"The placebo test could not be run ({ev.placebo_note})."
            if ev.placebo_note
            else "No placebo test was run."
        )
        return Check("placebo", "not available", text), ""
    n = int(ev.placebo_n)
    k = (
        int(ev.placebo_as_large)
        if ev.placebo_as_large is not None
        else placebo_rank(ev.placebo_p, n)
    )
    studentised = ev.placebo_statistic == "studentised"
    what = f"the immediate change at {ev.event_word}"
    what += ", relative to its standard error," if studentised else ""
    if n < MIN_PLACEBOS:
        was = "was" if n == 1 else "were"
        return Check(
            "placebo",
            "not available",
            f"In the placebo test only {plural(n, 'placebo date')} {was} admissible (fewer than "
            f"{MIN_PLACEBOS}): it cannot reach p = 0.05, so it does not count for or against the "
            "finding.",
        ), ""
    phrase = placebo_phrase(k, n, what=what)
    text = f"In the placebo test, {phrase}."
    if ev.placebo_p <= 0.05:
        return Check("placebo", "agrees", text), ""
    why = (
        f"Changes as large{' relative to their standard errors' if studentised else ''} "
        f"happened at {k} of {plural(n, 'placebo date')} before "
        f"{ev.event_word}, where nothing is supposed to have happened, so the data do not "
        f"single out {ev.event_word}."
    )
    return Check("placebo", "disagrees", text), why


def _timing_check(ev: Evidence) -> tuple[Check, Timing | None, str]:
    if not ev.change_searched:
        text = (
            f"The change-point search could not be run ({ev.change_note})."
            if ev.change_note
            else "No change-point search was run."
        )
        return Check("timing", "not available", text), None, ""
    t = timing_of_change(
        ev.change_date,
        ev.change_set_low,
        ev.change_set_high,
        ev.event_time,
        # the first sentence named the event; later ones use its short word ("the ceasefire")
        reference_name=ev.event_word
        if ev.event_word not in ("the event", "the intervention")
        else with_article(ev.event_name),
        has_time_of_day=ev.has_time_of_day,
        unit=ev.unit,
        level=ev.level,
        announced=says_announced(ev.event_name, ev.event_word),
    )
    if t.agrees is None:
        return Check("timing", "not available", t.text), t, ""
    if t.agrees:
        return Check("timing", "agrees", t.text), t, ""
    text = t.text
    if t.status == "no change found" and ev.change_dates_text:
        text += " " + ev.change_dates_text
        if ev.change_dates_has_event is not None:
            text += (
                f" That set includes the first {ev.unit} of {ev.event_word}."
                if ev.change_dates_has_event
                else f" That set does not include the first {ev.unit} of {ev.event_word}."
            )
    why = (
        f"Nothing in the data dates the change to {ev.event_word}."
        if t.status == "no change found"
        else f"The change is dated away from {ev.event_word}: it may have another cause, or the "
        "effect came "
        + (
            "late."
            if t.status == "later"
            else "before the announcement."
            if says_announced(ev.event_name, ev.event_word)
            else "before the date given."
        )
    )
    return Check("timing", "disagrees", text), t, why


def _robustness_check(ev: Evidence, direction: str) -> tuple[Check, list[str]]:
    usable = [v for v in ev.robustness if _ok(v.estimate)]
    skipped = len(ev.robustness) - len(usable)
    if not usable:
        text = "No robustness variant could be estimated." if ev.robustness else ""
        return Check("robustness", "not available", text), []
    ests = [float(v.estimate) for v in usable]
    names = ", ".join(v.label for v in usable)
    lo, hi = fmt_ratio(min(ests)), fmt_ratio(max(ests))
    if len(ests) == 1:
        span = f"a {ev.robustness_what} of {lo}"
    elif lo == hi:  # equal at the printed precision: "from 0.15 to 0.15" reads as a slip
        span = f"{ev.robustness_what}s of {lo} each"
    else:
        span = f"{ev.robustness_what}s from {lo} to {hi}"
    text = f"The robustness checks ({names}) give {span}"
    if skipped:
        text += f" ({plural(skipped, 'variant')} could not be estimated)"
    if direction not in ("fall", "rise"):
        return Check("robustness", "unclear", text + "."), []
    other = [v for v in usable if _side(v.estimate) not in (direction, "none")]
    if other:
        whys = [
            f"With {v.label} the {ev.robustness_what} points the other way "
            f"({fmt_ratio(v.estimate)}, {fmt_interval(v.low, v.high, ev.level)})."
            for v in other
        ]
        return Check("robustness", "disagrees", text + ", not all in the same direction."), whys
    clear = [v for v in usable if classify_change(v.low, v.high) == direction]
    if len(clear) == len(usable):
        return Check("robustness", "agrees", text + ", all clearly in the same direction."), []
    return Check(
        "robustness",
        "unclear",
        text + f", all in the same direction, though {len(usable) - len(clear)} of "
        f"{len(usable)} cannot be told from no change.",
    ), []


def _its_check(ev: Evidence, direction: str) -> tuple[Check, list[str]]:
    lc, cum = ev.level_change, ev.cumulative
    k_lc, k_cum = _kind(lc), _kind(cum, 0.0)
    if k_lc == "unknown" and k_cum == "unknown":
        return Check("interrupted time series", "not available", ""), []
    opposite = {"fall": "rise", "rise": "fall"}.get(direction, "")
    parts = []
    if k_lc != "unknown":
        parts.append(f"level change {fmt_ratio(lc.estimate)} ({fmt_interval(lc.low, lc.high)})")
    if k_cum != "unknown":
        parts.append(
            f"cumulative difference {_signed(cum.estimate)} {_measure_of(cum.estimate, ev)} "
            f"({fmt_interval(cum.low, cum.high, kind='count', name='prediction interval')})"
        )
    text = "Interrupted time series: " + "; ".join(parts) + "."
    if ev.pre_trend_flagged:
        return Check("interrupted time series", "unclear", text), [_pre_trend_sentence(ev)]
    if opposite and opposite in (k_lc, k_cum):
        why = (
            "The interrupted time series puts the change in the other direction, because it "
            f"extrapolates the trend before {ev.event_word}; the two-phase ratio, which does not "
            "extrapolate, is the primary answer."
        )
        return Check("interrupted time series", "disagrees", text), [why]
    if direction in ("fall", "rise") and direction in (k_lc, k_cum):
        if _shape_dependent(ev, direction):
            return Check("interrupted time series", "unclear", text), [_shape_sentence(ev)]
        return Check("interrupted time series", "agrees", text), []
    return Check("interrupted time series", "unclear", text), []


def _shape_dependent(ev: Evidence, side: str) -> bool:
    """Whether a clear ``side`` ITS finding is not clear with the curved pre-period trend."""
    cur = ev.level_change_curved
    return side in ("fall", "rise") and _kind(cur) not in ("unknown", side)


def _shape_sentence(ev: Evidence) -> str:
    cur = ev.level_change_curved
    assert cur is not None  # only called when _shape_dependent
    return (
        f"With a curved trend before {ev.event_word} instead of a straight line, the level change "
        f"is {fmt_ratio(cur.estimate)} ({fmt_interval(cur.low, cur.high, ev.level)}), "
        f"{NO_CHANGE if _kind(cur) == 'unclear' else 'in the other direction'}: the interrupted "
        "time series' finding depends on the shape assumed for that trend, so it does not count "
        "for the finding."
    )


def _pre_trend_sentence(ev: Evidence) -> str:
    p = f" (test of curvature: {fmt_p(ev.pre_trend_p)})" if _ok(ev.pre_trend_p) else ""
    return (
        f"The interrupted time series extrapolates a straight-line trend from before "
        f"{ev.event_word}, but that period is not well described by a straight line{p}, so its "
        "estimates depend on an assumption the data do not support and do not count for or "
        "against the finding."
    )


def _measure_of(n: Any, ev: Evidence) -> str:
    """The measure after a count ``n``: singular when ``n`` rounds to one ("+1 attack")."""
    return singular(ev.measure) if _ok(n) and abs(round(float(n))) == 1 else ev.measure


def _signed(x: Any) -> str:
    if not _ok(x):
        return "not available"
    v = round(float(x))
    return f"+{v:,d}" if v > 0 else f"-{abs(v):,d}" if v < 0 else "0"  # the intervals' minus sign


# --------------------------------------------------------------------------------- disagreements
def _its_explanations(ev: Evidence, direction: str, primary: Estimate) -> list[str]:
    """Named disagreements between the two-phase ratio and the ITS terms, one sentence each."""
    out: list[str] = []
    if ev.pre_trend_flagged:  # the ITS terms are not explained: _its_check says why
        return out
    if direction in ("fall", "rise") and _shape_dependent(ev, direction):
        return out  # _its_check says why the ITS does not count
    lc, sc, cum = ev.level_change, ev.slope_change, ev.cumulative
    k_lc, k_cum = _kind(lc), _kind(cum, 0.0)
    ratio = f"two-phase rate ratio {fmt_ratio(primary.estimate)}"
    if direction in ("fall", "rise"):
        if k_lc == "unclear":
            cum_txt = (
                f", and so is the interrupted time series' cumulative difference"
                f"{_cumulative_base(ev)} ({_signed(cum.estimate)} "
                f"{_measure_of(cum.estimate, ev)})"
                if k_cum == direction
                else ""
            )
            out.append(
                f"The immediate jump at {ev.event_word} is poorly determined (ITS level change "
                f"{fmt_ratio(lc.estimate)}, {fmt_interval(lc.low, lc.high, ev.level)}"
                f"{_its_base(ev)}), but the change over the whole period is clear ({ratio}"
                f"{_two_phase_base(ev)}){cum_txt}."
            )
        elif k_lc == direction and _ok(lc.estimate) and _ok(primary.estimate):
            big = abs(math.log(lc.estimate)) > 2 * abs(math.log(primary.estimate))
            if big and float(lc.estimate) > 0 and float(primary.estimate) > 0:
                out.append(
                    f"The interrupted time series puts the immediate change at "
                    f"{fmt_ratio(lc.estimate)}{_range_words(ev)} against "
                    f"{fmt_ratio(primary.estimate)} for the two-phase ratio: it extrapolates the "
                    f"trend before {ev.event_word} to its date, while the two-phase ratio "
                    "compares the two periods as observed and is the primary answer."
                )
        k_sc = _kind(sc)
        if k_sc in ("fall", "rise") and k_sc != direction:
            pct = percent_change(sc.estimate)
            ci = f"{percent_change(sc.low):+.1f}% to {percent_change(sc.high):+.1f}%"
            out.append(
                f"The trend reversed after {ev.event_word} (slope change {pct:+.1f}% per "
                f"{ev.unit}, {round(100 * ev.level):d}% CI {ci}), so the change is largest just "
                f"after {ev.event_word} and shrinks later."
            )
    elif k_lc in ("fall", "rise") and _shape_dependent(ev, k_lc):
        cur = ev.level_change_curved
        out.append(
            f"The interrupted time series finds a clear immediate change with a straight-line "
            f"trend before {ev.event_word} (level change {fmt_ratio(lc.estimate)}, "
            f"{fmt_interval(lc.low, lc.high, ev.level)}) but not with a curved one "
            f"({fmt_ratio(cur.estimate)}, {fmt_interval(cur.low, cur.high, ev.level)}), so it "
            f"depends on the shape assumed for that trend; the comparison of the two periods as "
            f"observed, the primary answer, is {NO_CHANGE}."
        )
    elif k_lc in ("fall", "rise"):
        out.append(
            f"The interrupted time series finds a clear immediate change (level change "
            f"{fmt_ratio(lc.estimate)}, {fmt_interval(lc.low, lc.high, ev.level)}), but it "
            f"extrapolates the trend before {ev.event_word}; the comparison of the two periods as "
            f"observed, the primary answer, is {NO_CHANGE}."
        )
    return out


def _bases_differ(ev: Evidence) -> bool:
    """Whether the interrupted time series was fitted to other periods than the two-phase
    comparison counts (both in the analysed unit), so that each figure must say its base."""
    if ev.its_periods is None or ev.periods_before is None or ev.periods_after is None:
        return False
    if _rate_unit(ev) != ev.unit:  # daily totals against weekly or monthly fits: said in units
        return False
    return int(ev.its_periods) != int(ev.periods_before) + int(ev.periods_after)


def _its_base(ev: Evidence) -> str:
    """ ", fitted to 19 months" when the ITS base differs from the two-phase comparison's."""
    return f", fitted to {length_words(ev.its_periods, ev.unit)}" if _bases_differ(ev) else ""


def _two_phase_base(ev: Evidence) -> str:
    """ ", on 18 months" (the two-phase comparison's base) when the ITS base differs."""
    if not _bases_differ(ev):
        return ""
    n = int(ev.periods_before) + int(ev.periods_after)  # type: ignore[arg-type]
    return f", on {length_words(n, ev.unit)}"


def _cumulative_base(ev: Evidence) -> str:
    """ " over the 10 months from 1 Oct 2020" when the cumulative difference sums other periods
    than the two-phase comparison's after period."""
    n = ev.cumulative_periods
    if not _bases_differ(ev) or n is None or n == ev.periods_after:
        return ""
    start = f" from {fmt_date(ev.cumulative_start)}" if ev.cumulative_start is not None else ""
    return f" over the {length_words(n, ev.unit)}{start}"


def _range_words(ev: Evidence) -> str:
    """ " (0.038 to 0.17 over reasonable windows ...)" when the refits' range is known."""
    r = ev.level_change_range
    if r is None or not (_ok(r[0]) and _ok(r[1])):
        return ""
    return f" ({fmt_ratio(min(r))} to {fmt_ratio(max(r))} {ev.level_change_range_what})"


# ------------------------------------------------------------------------------------- grade
def grade_of(primary_kind: str, checks: Sequence[Check], small_counts: bool) -> tuple[str, str]:
    """The confidence grade and its reason, by the rules of the module docstring.

    Parameters
    ----------
    primary_kind : str
        :func:`~trends.verdicts.words.classify_change` of the primary headline interval.
    checks : sequence of Check
    small_counts : bool
        Fewer than :data:`SMALL_COUNT` events in either period.

    Returns
    -------
    (grade, reason)
    """
    status = {c.name: c.status for c in checks}
    if primary_kind not in ("fall", "rise"):
        why = (
            "the primary estimate is not distinguishable from no change"
            if primary_kind == "unclear"
            else "the primary estimate could not be made"
        )
        if primary_kind == "unclear" and all(
            status.get(name) == "agrees" for name in ("placebo", "timing")
        ):
            why += (
                ", although the placebo test and the timing point to a change at the event's "
                "date: the two periods' averages alone do not establish it"
            )
        return "inconclusive", why
    agree = [c.name for c in checks if c.status == "agrees"]
    disagree = [c.name for c in checks if c.status == "disagrees"]
    if status.get("placebo") == "agrees" and status.get("timing") == "agrees" and not disagree:
        grade = "strong"
        why = (
            "the two-phase change is clear, the placebo test and the timing agree and no check "
            "disagrees"
        )
    elif len(disagree) <= 1 and len(agree) >= 2:
        grade = "moderate"
        why = f"the two-phase change is clear and {_names(agree)} agree" + (
            f", but the {disagree[0]} check disagrees" if disagree else ""
        )
    else:
        grade = "weak"
        why = "the two-phase change is clear but " + (
            f"{_names(disagree)} disagree" if len(disagree) > 1 else "too few checks back it"
        )
    if small_counts and grade == "strong":
        grade = "moderate"
        why += f"; fewer than {SMALL_COUNT} events in a period cap the grade at moderate"
    return grade, why


def _names(names: Sequence[str]) -> str:
    names = [f"the {n}" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ------------------------------------------------------------------------------------- result
@dataclass(eq=False)
class BottomLine(Result):
    """The bottom line for one outcome: ``text`` plus the structured fields it was derived from.

    Attributes
    ----------
    outcome, measure : str
        Key and words.
    text : str
        The paragraph.
    headline : str
        A short headline that never over-claims.
    grade, grade_reason : str
        Confidence grade (see the module docstring) and why.
    direction : str
        "fall", "rise", "unclear" (not distinguishable from no change) or "unknown".
    estimate : float or None
        Primary estimate (two-phase rate ratio) and ``percent_change``.
    interval : HeadlineInterval or None
        The headline interval and which one it is; ``exact_interval`` the exact Poisson one.
    timing : Timing or None
    checks : list of Check
    disagreements : list of str
        One sentence each.
    evidence : Evidence
    """

    outcome: str
    measure: str
    text: str
    headline: str
    grade: str
    grade_reason: str
    direction: str
    estimate: float | None
    percent_change: float | None
    interval: HeadlineInterval | None
    exact_interval: tuple[float, float] | None
    timing: Timing | None
    checks: list[Check] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    evidence: Evidence | None = None

    def summary(self) -> pd.DataFrame:
        """One row per check (placebo, timing, robustness, interrupted time series)."""
        return pd.DataFrame([asdict(c) for c in self.checks], columns=["name", "status", "text"])

    def glance(self) -> pd.DataFrame:
        """One row: outcome, grade, direction, estimate, interval and its source."""
        iv = self.interval
        return pd.DataFrame(
            [
                {
                    "outcome": self.outcome,
                    "measure": self.measure,
                    "grade": self.grade,
                    "direction": self.direction,
                    "rate_ratio": self.estimate,
                    "percent_change": self.percent_change,
                    "ci_low": None if iv is None else iv.low,
                    "ci_high": None if iv is None else iv.high,
                    "interval": None if iv is None else iv.source,
                    "timing": None if self.timing is None else self.timing.status,
                    "n_disagreements": len(self.disagreements),
                }
            ]
        )

    def report(self) -> str:
        """The paragraph."""
        return self.text

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``text``, ``headline``, ``grade``... and the evidence's numbers."""
        ev = self.evidence
        placebo = None
        if ev is not None and ev.placebo_n:
            placebo = {
                "p_value": ev.placebo_p,
                "n_placebos": ev.placebo_n,
                "n_as_large": ev.placebo_as_large
                if ev.placebo_as_large is not None
                else placebo_rank(ev.placebo_p, ev.placebo_n),
                "p_floor": 1.0 / (ev.placebo_n + 1),
            }
        return to_jsonable(
            {
                "outcome": self.outcome,
                "measure": self.measure,
                "text": self.text,
                "headline": self.headline,
                "grade": self.grade,
                "grade_reason": self.grade_reason,
                "direction": self.direction,
                "primary_estimand": "two-phase rate ratio (after / before)",
                "estimate": self.estimate,
                "percent_change": self.percent_change,
                "interval": None if self.interval is None else asdict(self.interval),
                "exact_interval": self.exact_interval,
                "timing": None if self.timing is None else asdict(self.timing),
                "placebo": placebo,
                "checks": [asdict(c) for c in self.checks],
                "disagreements": list(self.disagreements),
                "evidence": None if ev is None else _evidence_dict(ev),
            }
        )


def _evidence_dict(ev: Evidence) -> dict[str, Any]:
    d = asdict(ev)
    d["robustness"] = [asdict(v) for v in ev.robustness]
    return d


# ------------------------------------------------------------------------------------- words
def _rate_unit(ev: Evidence) -> str:
    """The unit of the two-phase comparison's periods (``ev.unit`` unless it says otherwise)."""
    return ev.rate_unit or ev.unit


def phase_length(n_periods: float, rate_unit: str, unit: str) -> float | None:
    """A phase's length in ``unit`` from its ``n_periods`` periods of ``rate_unit``.

    The same number when the units agree; days said in weeks or months at
    :data:`DAYS_PER_UNIT` (a phase of 77 days is 11 weeks); ``None`` for units that cannot be
    converted (weeks into months: the analysis never mixes them).

    Parameters
    ----------
    n_periods : number
        Observed periods of the phase.
    rate_unit, unit : str
        Their unit, and the unit wanted.

    Returns
    -------
    float or None
    """
    if rate_unit == unit:
        return float(n_periods)
    if rate_unit != "day" or unit not in DAYS_PER_UNIT:
        return None
    return float(n_periods) / DAYS_PER_UNIT[unit]


def _period_words(ev: Evidence) -> str:
    if ev.count_before is None or ev.count_after is None:
        return ""
    before = count_of(ev.count_before, ev.measure)
    after = count_of(ev.count_after, ev.measure)
    if ev.periods_before and ev.periods_after:
        unit, rate_unit = ev.unit, _rate_unit(ev)
        nb = phase_length(ev.periods_before, rate_unit, unit)
        na = phase_length(ev.periods_after, rate_unit, unit)
        if nb is None or na is None:  # no conversion: the comparison's own periods
            unit, nb, na = rate_unit, float(ev.periods_before), float(ev.periods_after)
        rb = float(ev.count_before) / nb
        ra = float(ev.count_after) / na
        return (
            f"{before} in {length_words(nb, unit)} before "
            f"({fmt_rate(rb)} a {unit}), {after} in {length_words(na, unit)} "
            f"after ({fmt_rate(ra)} a {unit})"
        )
    return f"{before} before, {after} after"


def _when(ev: Evidence) -> str:
    name = with_article(ev.event_name)
    if ev.event_time is None:
        return name
    t = pd.Timestamp(ev.event_time)
    timed = ev.has_time_of_day if ev.has_time_of_day is not None else t != t.normalize()
    return f"{name} ({fmt_date(t, with_time=bool(timed))})"


def _empty_sentences(ev: Evidence, hi: HeadlineInterval, empty: str) -> tuple[str, str]:
    """The finding and the could-it-be-chance sentence when a period has no events."""
    kind = empty_phase_kind(empty, hi.low, hi.high)
    unit, rate_unit = ev.unit, _rate_unit(ev)
    nb = phase_length(ev.periods_before or 0, rate_unit, unit)
    na = phase_length(ev.periods_after or 0, rate_unit, unit)
    if nb is None or na is None:  # no conversion: the comparison's own periods
        unit, nb, na = rate_unit, float(ev.periods_before or 0), float(ev.periods_after or 0)
    first = empty_phase_sentence(
        ev.measure,
        (ev.count_before, ev.count_after),
        (length_words(nb, unit), length_words(na, unit)),
        (hi.low, hi.high),
        level=ev.level,
        unit=rate_unit,
        event=_when(ev),
    )
    p = ev.exact.p_value if ev.exact is not None else None
    if kind in ("fall", "rise"):
        return first + ".", f"A change this large is unlikely to be chance ({fmt_p(p)})."
    return first + ".", f"The interval includes no change ({fmt_p(p)})."


def _size_sentences(
    ev: Evidence, primary: Estimate, hi: HeadlineInterval, empty: str = ""
) -> tuple[str, str]:
    """The direction-and-size sentence and the could-it-be-chance sentence."""
    if empty:
        return _empty_sentences(ev, hi, empty)
    kind = classify_change(hi.low, hi.high)
    subject = f"the rate of {ev.measure} per {ev.unit}"
    counts = _period_words(ev)
    counts = f": {counts}" if counts else ""
    ci = f"{fmt_interval(hi.low, hi.high, ev.level)}, {hi.words}"
    ratio = f"rate ratio {fmt_estimate(primary.estimate, hi.low, hi.high)} ({ci})"
    if kind in ("fall", "rise"):
        pct = abs(percent_change(primary.estimate))
        verb = "fell" if kind == "fall" else "rose"
        first = (
            f"After {_when(ev)}, {subject} {change_words(primary.estimate, kind)}{counts}; {ratio}."
            if pct >= 1
            else f"After {_when(ev)}, {subject} {verb} slightly{counts}; {ratio}."
        )
    else:
        first = f"After {_when(ev)}, the change in {subject} is {NO_CHANGE}{counts}; {ratio}."
    p = primary.p_value
    if hi.source == "dependence-aware":
        p = ev.model.p_value if ev.model is not None else p
    else:
        p = ev.exact.p_value if ev.exact is not None else p
    if kind in ("fall", "rise"):
        chance = f"A change this large is unlikely to be chance ({fmt_p(p)})"
    else:
        chance = f"The interval includes no change ({fmt_p(p)})"
    other = ev.exact if hi.source == "dependence-aware" else ev.model
    if other is ev.model and _short_phases(ev):  # a period too short to judge: no model to quote
        other = None
    if other is not None and _ok(other.low) and _ok(other.high):
        if hi.source == "dependence-aware":
            chance += (
                f"; {EXACT_WORDS.format(unit=_rate_unit(ev))} the interval would be "
                f"{fmt_ratio(other.low)} to {fmt_ratio(other.high)}"
            )
        elif (fmt_ratio(other.low), fmt_ratio(other.high)) == (
            fmt_ratio(hi.low),
            fmt_ratio(hi.high),
        ):  # the same as printed: "narrower" would contradict the figures
            chance += (
                "; the model allowing for overdispersion and dependence gives the same interval "
                "at this precision, only marginally narrower, so the exact interval leads"
            )
        else:
            chance += (
                f"; the model allowing for overdispersion and dependence gives "
                f"{fmt_ratio(other.low)} to {fmt_ratio(other.high)}, narrower than the exact "
                "interval, which therefore leads"
            )
    return first, chance + "."


def _dominant_sentence(ev: Evidence) -> str:
    """One period holds a large share of its phase's events: name it, give the ratio without."""
    d = ev.dominant or {}
    when = pd.Timestamp(d["date"])
    without = d.get("ratio_without")
    rest = (
        f"; without it the rate ratio would be {fmt_ratio(without)}"
        if without is not None and _ok(without)
        else ""
    )
    return (
        f"One {_rate_unit(ev)}, {when.day} {when:%b %Y}, holds {fmt_count(d['count'])} of the "
        f"{fmt_count(ev.count_before if d['phase'] == 'before' else ev.count_after)} "
        f"{ev.measure} {d['phase']} ({d['share']:.0%}){rest}. The interval does not allow for "
        f"rare {_rate_unit(ev)}s this large."
    )


def _cumulative_sentence(ev: Evidence, direction: str) -> str:
    """The cumulative difference from the extrapolated trend, when it is clear in ``direction``."""
    cum = ev.cumulative
    if cum is None or _kind(cum, 0.0) != direction or direction not in ("fall", "rise"):
        return ""
    fewer = direction == "fall"
    n = abs(float(cum.estimate))
    a, b = sorted((abs(float(cum.low)), abs(float(cum.high))))
    more = "more" if fewer else "fewer"
    return (
        f"Had the trend before {ev.event_word} continued, the model expects {fmt_count(n)} "
        f"{more} {singular(ev.measure) if round(n) == 1 else ev.measure} than were recorded "
        f"({round(100 * ev.level):d}% prediction interval {fmt_count(a)} to {fmt_count(b)})."
    )


def _short_phases(ev: Evidence) -> list[tuple[str, float]]:
    """``[(phase, observed periods)]`` of the phases shorter than :data:`MIN_PHASE_PERIODS`."""
    out = []
    for phase, n in (("before", ev.periods_before), ("after", ev.periods_after)):
        if n is not None and _ok(n) and float(n) < MIN_PHASE_PERIODS:
            out.append((phase, float(n)))
    return out


def _short_sentence(ev: Evidence, short: list[tuple[str, float]]) -> str:
    unit = _rate_unit(ev)
    parts = [f"the period {phase} {ev.event_word} has {_observed(n, unit)}" for phase, n in short]
    return (
        f"{' and '.join(parts)}: too short to judge a change, which needs at least "
        f"{MIN_PHASE_PERIODS} observed {unit}s on each side (with fewer, the average rests on a "
        "handful of values and neither the timing of a change nor its persistence can be "
        "checked), so the comparison above is not a finding."
    )


def _observed(n: float, unit: str) -> str:
    """ "only 1 observed day", "no observed days"."""
    if n <= 0:
        return f"no observed {unit}s"
    return f"only {plural(round(n), 'observed ' + unit)}"


def _unbounded(e: Estimate | None) -> bool:
    """Whether an exact interval reaches 0 or has no upper bound (a period without events)."""
    return e is not None and (e.low == 0 or e.high == math.inf)


def _lead(ev: Evidence, primary: Estimate, empty: str) -> tuple[Estimate, HeadlineInterval, str]:
    """The estimate quoted, the interval it leads with and the direction of the change.

    With a period without events only the exact interval exists, unbounded on one side; its
    finite bound decides the direction (:func:`~trends.verdicts.words.empty_phase_kind`).
    """
    if empty and ev.exact is not None:
        unit = _rate_unit(ev)
        hi = HeadlineInterval(
            float(ev.exact.low) if _ok(ev.exact.low) else 0.0,
            float(ev.exact.high) if _ok(ev.exact.high) else math.inf,
            "exact",
            EMPTY_EXACT_WORDS.format(unit=unit),
            f"the {empty} period has no events, so no model interval can be estimated",
        )
        return ev.exact, hi, empty_phase_kind(empty, hi.low, hi.high)
    exact = (ev.exact.low, ev.exact.high) if ev.exact is not None else (math.nan, math.nan)
    model = (ev.model.low, ev.model.high) if ev.model is not None else None
    hi = headline_interval(exact, model, _rate_unit(ev))
    if hi.source == "dependence-aware" and ev.model is not None and _ok(ev.model.estimate):
        primary = ev.model  # the estimate quoted is the one of the interval that leads
    return primary, hi, classify_change(hi.low, hi.high)


def bottom_line(ev: Evidence) -> BottomLine:
    """Derive the bottom line for one outcome from its evidence.

    Parameters
    ----------
    ev : Evidence

    Returns
    -------
    BottomLine
    """
    measure = measure_words(ev.outcome, ev.measure)
    if measure != ev.measure:
        ev = replace(ev, measure=measure)
    primary = ev.exact or ev.model
    empty = empty_phase(ev.count_before, ev.count_after)
    if empty in ("before", "after") and _unbounded(ev.exact):
        primary = ev.exact  # only the exact interval exists; its one finite bound decides
    elif primary is None or not _ok(primary.estimate):
        text = (
            f"There were no {ev.measure} before or after {_when(ev)}: nothing to compare, so "
            "there is no bottom line. Confidence: inconclusive."
            if empty == "both"
            else f"The rate of {ev.measure} before and after {_when(ev)} could not be "
            "compared, so there is no bottom line. Confidence: inconclusive."
        )
        return BottomLine(
            ev.outcome, ev.measure, text, f"No estimate for {ev.measure}", "inconclusive",
            "the primary estimate could not be made", "unknown", None, None, None, None, None,
            evidence=ev,
        )  # fmt: skip
    empty = empty if _unbounded(ev.exact) else ""
    primary, hi, direction = _lead(ev, primary, empty)
    sentences = list(_size_sentences(ev, primary, hi, empty))
    short = _short_phases(ev)
    if short:
        sentences.append(_short_sentence(ev, short))
    placebo, why_placebo = _placebo_check(ev)
    timing_check, timing, why_timing = _timing_check(ev)
    robust, why_robust = _robustness_check(ev, direction)
    its, why_its = _its_check(ev, direction)
    checks = [placebo, timing_check, robust, its]
    sentences.extend(c.text for c in (timing_check, placebo, robust) if c.text)
    shortfall = _cumulative_sentence(ev, direction)
    if shortfall:
        sentences.append(shortfall)
    if ev.dominant:
        sentences.append(_dominant_sentence(ev))
    disagreements = _its_explanations(ev, direction, primary) + why_its
    if direction in ("fall", "rise"):
        disagreements += [w for w in (why_placebo, why_timing) if w] + why_robust
    small = any(c is not None and float(c) < SMALL_COUNT for c in (ev.count_before, ev.count_after))
    grade, reason = grade_of(direction, checks, small)
    if ev.dominant and grade in ("strong", "moderate"):
        grade = "weak"
        reason = (
            f"one {_rate_unit(ev)} holds {ev.dominant['share']:.0%} of the {ev.measure} "
            f"{ev.dominant['phase']}, and the intervals do not allow for {_rate_unit(ev)}s that large"
        )
    subject = f"the rate of {ev.measure}"
    if empty:
        title = empty_phase_headline(subject, direction)
    else:
        title = headline(subject, primary.estimate, hi.low, hi.high)
    if short:
        grade = "inconclusive"
        reason = (
            " and ".join(
                f"the period {phase} {ev.event_word} has {_observed(n, _rate_unit(ev))}"
                for phase, n in short
            )
            + f", fewer than the {MIN_PHASE_PERIODS} needed to judge a change"
        )
        which = " and ".join(phase for phase, _ in short)
        title = f"Too little data {which} {ev.event_word} to judge {subject}"
    sentences.extend(disagreements)
    sentences.append(f"Confidence: {grade} ({reason}).")
    return BottomLine(
        outcome=ev.outcome,
        measure=ev.measure,
        text=" ".join(s[:1].upper() + s[1:] for s in sentences),
        headline=title,
        grade=grade,
        grade_reason=reason,
        direction=direction,
        estimate=float(primary.estimate),
        percent_change=percent_change(primary.estimate),
        interval=hi,
        exact_interval=None if ev.exact is None else (ev.exact.low, ev.exact.high),
        timing=timing,
        checks=checks,
        disagreements=disagreements,
        evidence=ev,
    )


# ----------------------------------------------------------------------------- many outcomes
@dataclass(eq=False)
class BottomLines(Result):
    """The bottom lines of every outcome of an analysis (``lines``: outcome -> BottomLine)."""

    lines: dict[str, BottomLine]

    def __getitem__(self, key: str) -> BottomLine:
        return self.lines[key]

    def __iter__(self):
        return iter(self.lines.values())

    def __len__(self) -> int:
        return len(self.lines)

    def summary(self) -> pd.DataFrame:
        """One row per outcome (as :meth:`BottomLine.glance`)."""
        if not self.lines:
            return pd.DataFrame(columns=["outcome", "grade", "direction"])
        return pd.concat([b.glance() for b in self.lines.values()], ignore_index=True)

    def glance(self) -> pd.DataFrame:
        """Same as :meth:`summary`."""
        return self.summary()

    def report(self) -> str:
        """One paragraph per outcome, each headed by the measure."""
        return "\n\n".join(f"{b.measure.capitalize()}: {b.text}" for b in self.lines.values())

    def to_dict(self) -> dict[str, Any]:
        """``{outcome: BottomLine.to_dict()}`` (the ``bottom_line`` key of results.json)."""
        return {k: b.to_dict() for k, b in self.lines.items()}


def bottom_lines(evidence: Mapping[str, Evidence] | Sequence[Evidence]) -> BottomLines:
    """Bottom lines for several outcomes' evidence.

    Parameters
    ----------
    evidence : mapping or sequence of Evidence

    Returns
    -------
    BottomLines
    """
    items = evidence.values() if isinstance(evidence, Mapping) else evidence
    return BottomLines({ev.outcome: bottom_line(ev) for ev in items})

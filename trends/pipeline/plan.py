"""Plan: resolve the interventions, the window and the phases once, before any model runs.

Used by both the single analysis (:func:`trends.analysis.analyse_ceasefire`) and the batch
(:func:`trends.batch.analyse_many`): an intervention is resolved here, its window is checked here
and its two phases (before: the window's first day to the day before the intervention; after:
the intervention's day to the window's last day) are computed here, nowhere else.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import EventError, InputError, MissingColumnsError
from trends.events import parse_date_text
from trends.series import CountSeries
from trends.series.periods import refuse_number

__all__ = [
    "Intervention",
    "Settings",
    "Task",
    "resolve_intervention",
    "normalise_interventions",
    "parse_window",
    "window_bounds",
    "check_inside",
    "phases",
    "is_missing",
    "timestamp",
]

_ID_ALIASES = ("intervention_id", "id", "event_id")
_DATE_ALIASES = ("date", "start", "intervention_date")


@dataclass(frozen=True)
class Intervention:
    """An intervention as the models read it (``.id``, ``.name``, ``.start``).

    Attributes
    ----------
    id : str
        Identifier.
    name : str
        Name in words.
    start : pandas.Timestamp
        When it took effect (a time of day is kept; the calendar day is the first "after" day).
    kind : str or None
        Kind of event ("ceasefire", "offensive"...), when known.
    event : object
        The event object given (a :class:`~trends.events.ReferenceEvent`, a date...).
    """

    id: str
    name: str
    start: pd.Timestamp
    kind: str | None = None
    event: Any = None

    @property
    def day(self) -> pd.Timestamp:
        """The calendar day of ``start``: the first day after the intervention."""
        return self.start.normalize()

    def at(self, start: pd.Timestamp) -> Intervention:
        """The same intervention dated ``start`` (for a model that reads periods by their start).

        Parameters
        ----------
        start : pandas.Timestamp
            The new start.

        Returns
        -------
        Intervention
        """
        return Intervention(self.id, self.name, pd.Timestamp(start), self.kind, self.event)


@dataclass(frozen=True)
class Settings:
    """What to run on every (series, intervention) pair, and how.

    Attributes
    ----------
    steps : tuple of str
        Among "rates", "its", "changepoint", "placebo", "robustness", "claims".
    freq : str or None
        Period of the models ("D", "W", "M"; None: the series' own period).
    anchor : object
        First day of the periods: "intervention" (the default for weeks and months), None
        (Monday weeks, calendar months), a weekday, a day of the month.
    family, se, hac_lags, slope_change, intervals : model options of the ITS
    inference, two_phase : str
        How the ITS and the two-phase rate ratio are estimated: ``"auto"`` (the calibrated
        latent-AR methods on daily series of 120 days or more, else the count GLM with ``se``;
        :func:`trends.models.spec.choose_inference`) or a method name.
    changepoint_model, max_changes : options of the change-point search
    its_options, changepoint_options, rates_options, placebo_options : mapping
        Further keyword arguments of the model functions (``fit_its``, ``detect_changepoints``,
        ``compare_rates``, ``placebo_test``).
    leave_out : tuple of int
        Robustness: refit without the k largest incidents, for each k.
    tolerance : float
        Relative tolerance of "around" and "fewer than" claims.
    seed : int
        Seed of the simulation-based intervals.
    record_warnings : bool
        Keep the model warnings of each step (batch) or silence them (single analysis).
    isolate : bool
        Record any error of a step as a problem of the pair (batch: one pair never stops the
        others); otherwise only the package's refusals (:class:`~trends.errors.TrendsError`)
        and singular matrices are recorded and a bug still raises.
    """

    steps: tuple[str, ...] = ("rates", "its", "changepoint", "placebo", "robustness")
    freq: str | None = "D"
    anchor: Any = "intervention"
    family: str = "negbin"
    se: str = "hac"
    hac_lags: int | None = None
    slope_change: bool = True
    intervals: str = "simulation"
    changepoint_model: str = "negbin"
    max_changes: int | None = 3
    inference: str = "auto"
    two_phase: str = "auto"
    its_options: Mapping[str, Any] = field(default_factory=dict)
    changepoint_options: Mapping[str, Any] = field(default_factory=dict)
    rates_options: Mapping[str, Any] = field(default_factory=dict)
    placebo_options: Mapping[str, Any] = field(default_factory=dict)
    leave_out: tuple[int, ...] = (1, 3, 5)
    tolerance: float = 0.1
    seed: int = 0
    record_warnings: bool = True
    isolate: bool = False


@dataclass
class Task:
    """One unit of work: a series, a measure, and the interventions to evaluate on it.

    Attributes
    ----------
    series_id : object
        Identifier of the series (an area, an outcome...).
    series : CountSeries
        The whole series (each pair takes its window of it).
    measure : str
        The measure analysed.
    events : list of Intervention
        The interventions.
    windows : dict
        Intervention id -> (first day, last day) of the window analysed.
    claims : dict
        Intervention id -> claim records (batch claims).
    seeds : dict
        Intervention id -> seed of that pair.
    """

    series_id: Any
    series: CountSeries
    measure: str
    events: list[Intervention]
    windows: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=dict)
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    seeds: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------- dates
def is_missing(value: Any) -> bool:
    """True for None, NaT, NaN and blank text.

    Parameters
    ----------
    value : object
        Any value.

    Returns
    -------
    bool
    """
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def timestamp(value: Any, what: str) -> pd.Timestamp:
    """A Timestamp without time zone (aware times at their local wall-clock time).

    Parameters
    ----------
    value : object
        A date-like value.
    what : str
        What it is, for the message.

    Returns
    -------
    pandas.Timestamp

    Raises
    ------
    InputError
        Not a date, or missing.
    """
    refuse_number(value, f"the {what}")
    if isinstance(value, str):  # day/month numbers are read only in a known order
        try:
            ts = parse_date_text(value)
        except EventError as exc:
            raise InputError(f"the {what}: {exc}") from None
        if ts is not None:
            return ts
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot read the {what} {value!r} as a date") from exc
    if pd.isna(ts):
        raise InputError(f"the {what} is missing")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts


# ---------------------------------------------------------------------------------- interventions
def resolve_intervention(intervention: Any, timeline: Any = None) -> Intervention:
    """One intervention from an event, an event id (with ``timeline``) or a date.

    Parameters
    ----------
    intervention : ReferenceEvent, str or date-like
        The event (anything with ``.start``), an id of ``timeline``, or a date.
    timeline : Timeline, optional
        Resolves event ids.

    Returns
    -------
    Intervention

    Raises
    ------
    InputError
        Neither an event, a known id nor a date.
    """
    if isinstance(intervention, Intervention):
        return intervention
    event = intervention
    if isinstance(intervention, str) and timeline is not None and intervention in timeline:
        event = timeline[intervention]
    if hasattr(event, "start"):
        start = timestamp(event.start, "start of the intervention")
        iid = str(getattr(event, "id", None) or f"{start.date()}")
        name = str(getattr(event, "name", None) or iid)
        return Intervention(iid, name, start, getattr(event, "kind", None), event)
    refuse_number(event, "the intervention")
    try:
        start = pd.Timestamp(event)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"cannot read the intervention {intervention!r} as an event or a date"
        ) from exc
    if pd.isna(start):
        raise InputError(f"cannot read the intervention {intervention!r} as an event or a date")
    if start.tzinfo is not None:
        start = start.tz_localize(None)
    return Intervention(f"{start.date()}", "the intervention", start, None, event)


def normalise_interventions(
    interventions: Any, series_col: str = "series_id"
) -> list[tuple[Intervention, frozenset[str] | None]]:
    """Many interventions, each with the series it is restricted to (None: every series).

    Parameters
    ----------
    interventions : DataFrame, mapping, Timeline or iterable
        A table (``intervention_id`` or ``id``, ``date`` or ``start``, optional ``name`` and
        ``series_id`` / ``series_col``), a mapping ``{id: date}``, or events / dates.
    series_col : str
        The column that restricts an intervention to some series.

    Returns
    -------
    list of (Intervention, frozenset or None)
        In the given order.

    Raises
    ------
    InputError
        Missing, empty or contradictory interventions.
    """
    if interventions is None:
        raise InputError("interventions are needed")
    if isinstance(interventions, pd.DataFrame):
        return _from_table(interventions, series_col)
    if isinstance(interventions, Mapping):
        return [
            (Intervention(str(k), str(k), timestamp(v, f"date of {str(k)!r}")), None)
            for k, v in interventions.items()
        ]
    if hasattr(interventions, "start") and not isinstance(interventions, Iterable):
        seq: Iterable[Any] = [interventions]
    else:
        seq = interventions
    items: list[tuple[Intervention, frozenset[str] | None]] = []
    seen: set[str] = set()
    for j, obj in enumerate(seq, start=1):
        if hasattr(obj, "start"):
            iid = str(getattr(obj, "id", None) or f"i{j}")
            name = getattr(obj, "name", None) or iid
            start = timestamp(obj.start, f"start of {iid!r}")
            ev = Intervention(iid, str(name), start, getattr(obj, "kind", None), obj)
        else:
            ts = timestamp(obj, "intervention date")
            ev = Intervention(f"i{j}", f"{ts.date()}", ts, None, obj)
        if ev.id in seen:
            raise InputError(f"intervention id {ev.id!r} appears twice")
        seen.add(ev.id)
        items.append((ev, None))
    if not items:
        raise InputError("interventions are empty")
    return items


def _from_table(
    frame: pd.DataFrame, series_col: str
) -> list[tuple[Intervention, frozenset[str] | None]]:
    id_col = next((c for c in _ID_ALIASES if c in frame.columns), None)
    date_c = next((c for c in _DATE_ALIASES if c in frame.columns), None)
    if id_col is None or date_c is None:
        missing = [c for c, v in (("intervention_id", id_col), ("date", date_c)) if v is None]
        raise MissingColumnsError(missing, {}, hint="interventions need an id and a date")
    restrict_col = next((c for c in (series_col, "series_id") if c in frame.columns), None)
    order: dict[str, tuple[Intervention, set[str] | None]] = {}
    for rec in frame.to_dict("records"):
        iid = str(rec[id_col])
        start = timestamp(rec[date_c], f"date of intervention {iid!r}")
        name = rec.get("name")
        name = str(name) if isinstance(name, str) and name else iid
        scope = None
        if restrict_col is not None and not is_missing(rec.get(restrict_col)):
            scope = {str(rec[restrict_col])}
        if iid in order:
            ev, old = order[iid]
            if ev.start != start:
                raise InputError(f"intervention {iid!r} has two dates")
            if old is None or scope is None:
                order[iid] = (ev, None)
            else:
                old |= scope
            continue
        order[iid] = (Intervention(iid, name, start, rec.get("kind")), scope)
    return [(ev, None if sc is None else frozenset(sc)) for ev, sc in order.values()]


# ---------------------------------------------------------------------------------- windows
def parse_window(window: Any) -> tuple[str, Any, Any] | None:
    """``None``, ``("days", before, after)`` or ``("dates", start, end)`` from a window option.

    Parameters
    ----------
    window : None, int, (int, int) or (date, date)
        The whole series, ``n`` days before and after, ``(before, after)`` days, or dates
        (``None`` for an open end).

    Returns
    -------
    tuple or None

    Raises
    ------
    InputError
        Any other value.
    """
    if window is None:
        return None
    if isinstance(window, int | np.integer) and not isinstance(window, bool):
        if window < 1:
            raise InputError("window must be at least 1 day")
        return ("days", int(window), int(window))
    if isinstance(window, tuple | list) and len(window) == 2:
        a, b = window
        ints = all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in (a, b))
        if ints:
            if a < 1 or b < 1:
                raise InputError("window days before and after must be at least 1")
            return ("days", int(a), int(b))
        start = None if is_missing(a) else timestamp(a, "window start").normalize()
        end = None if is_missing(b) else timestamp(b, "window end").normalize()
        if start is not None and end is not None and end < start:
            raise InputError("the window ends before it starts")
        return ("dates", start, end)
    raise InputError(
        "window must be None, a number of days, (days before, days after) or (start, end) dates"
    )


def window_bounds(
    window: tuple[str, Any, Any] | None,
    day: pd.Timestamp,
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day analysed for an intervention on ``day``, inside the data.

    Parameters
    ----------
    window : tuple or None
        From :func:`parse_window`.
    day : pandas.Timestamp
        The intervention's day.
    first, last : pandas.Timestamp
        The data's first and last day.

    Returns
    -------
    (Timestamp, Timestamp)
        Clipped to the data (the start may come after the end when they do not meet).
    """
    lo, hi = first, last
    if window is not None:
        kind, a, b = window
        if kind == "days":
            lo, hi = day - pd.Timedelta(days=a), day + pd.Timedelta(days=b - 1)
        else:
            lo = a if a is not None else first
            hi = b if b is not None else last
    return max(lo, first), min(hi, last)


def check_inside(day: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp) -> str | None:
    """Why ``day`` cannot be analysed in the window ``start`` to ``end`` (None: it can).

    Parameters
    ----------
    day : pandas.Timestamp
        The intervention's day.
    start, end : pandas.Timestamp
        The window.

    Returns
    -------
    str or None
        The intervention must fall after the window's first day and on or before its last.
    """
    if start < day <= end:
        return None
    if end < start:
        return f"the window starts ({start:%Y-%m-%d}) after it ends ({end:%Y-%m-%d})"
    return (
        f"the intervention day {day:%Y-%m-%d} must fall inside the window "
        f"{start:%Y-%m-%d} to {end:%Y-%m-%d}, after its first day"
    )


def phases(
    day: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]:
    """The before and after phases: ``(start, day - 1)`` and ``(day, end)``.

    Parameters
    ----------
    day : pandas.Timestamp
        The intervention's day (first "after" day).
    start, end : pandas.Timestamp
        The window.

    Returns
    -------
    ((Timestamp, Timestamp), (Timestamp, Timestamp))
    """
    return (start, day - pd.Timedelta(days=1)), (day, end)


def steps_of(requested: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    """The requested steps, once each, in order; unknown ones are refused.

    Parameters
    ----------
    requested : sequence of str
        Steps asked for.
    allowed : sequence of str
        Known steps.

    Returns
    -------
    tuple of str

    Raises
    ------
    InputError
        An unknown step.
    """
    out = tuple(dict.fromkeys(requested))
    unknown = [s for s in out if s not in allowed]
    if unknown:
        raise InputError(f"unknown steps {unknown}; choose from {list(allowed)}")
    return out

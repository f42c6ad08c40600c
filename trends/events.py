"""Reference events, timelines, phases and claims.

A **reference event** is a dated thing that happened (an offensive began, a ceasefire took
effect); a :class:`Timeline` is an ordered collection of them, read from a CSV; **phases** are the
stretches of days between chosen events; a **claim** is a figure published by a monitor about a
window of days ("at least 1,089 civilians killed 29 Apr-29 Aug 2019").

Event kinds
-----------
Every event has one of :data:`KINDS`. A free-text ``type`` is mapped to a kind by the first rule
of :data:`KIND_RULES` whose pattern is found in the lower-cased text (the raw text is kept in
``detail``); text that matches no rule is ``"other"``:

==========================================  ============  =====================================
type text (examples)                        kind          why
==========================================  ============  =====================================
"ceasefire violation"                       escalation    violence resumes despite a truce
"truce end", "end of ceasefire"             escalation    hostilities resume
"truce lapse", "ceasefire collapse",        escalation    hostilities resume (also expiry,
"collapse", "breakdown", "lapse", "expiry"                breakdown, "broke down", failure)
"offensive start (air)", "offensive phase"  offensive
"ceasefire", "ceasefire announcement"       ceasefire     (``detail`` says it is an announcement)
"truce", "truce (conditional)"              truce
"escalation", "escalation (ground)"         escalation
"agreement", "agreement milestone"          agreement     also memorandum, protocol, accord, deal
"count window", "military", anything else   other
==========================================  ============  =====================================

A table may also carry a ``kind`` column; it then wins over the mapping of the free-text
``type`` (kept in ``detail``). A ``kind`` cell must hold one of :data:`KINDS` (any case) or words
that the rules above read as one ("truce end", "collapse", "offensive start"); anything else (a
bare "end", which does not say what ended, or "Battle start") is refused with the file, row,
column and value, never read as ``"other"``: an ``"other"`` event does not change the regime, so a
misread truce collapse would let the default analysis window (:mod:`trends.regimes`) run across
it. Free text that names no kind belongs in ``type``, where it is ``"other"`` (and the window's
reasons quote it).

Times of day
------------
The optional ``time_local`` column gives the local time the event started: ``"06:00"``,
``"00:01"``, ``"6 am"``, ``"14:00 Moscow time"``. A time is read from the start of the text (hours
and minutes, or an hour with am/pm); any text after it (``"Moscow time"``) is kept in
``time_note`` and no time-zone conversion is made: times are local and the timestamps naive. Text
that does not start with a time (``"night of 1-2 Aug"``) leaves the time **unset** (the event
starts at 00:00 of its date) and the whole text is kept in ``time_note``.

**First full day**: :attr:`ReferenceEvent.first_full_day` is the first whole day on which the
event is in force: the event's own day when its time is unset or 00:00, otherwise the next day
(a ceasefire at 06:00 on 31 Aug 2019 has first full day 1 Sep 2019; one at 00:01 on 12 Jan 2020
has first full day 13 Jan 2020). The models take the event's calendar day as the first
post-intervention day (a ceasefire from 06:00 counts that day as "after"); pass
``event.first_full_day`` as the intervention date to use the first whole day instead.

Phases
------
:meth:`Timeline.phases` cuts time at chosen boundary events. By default (``boundary="day"``) a
phase **begins on the day of its event** (even if the event starts at 06:00 that day) and the
previous phase ends on the day before; with ``boundary="first_full_day"`` it begins on the event's
first full day, so the day of a mid-day event belongs to the phase before. Phase ends are
inclusive last days.

Claims
------
:func:`load_claims` reads a claims table; dates are ISO dates (``YYYY-MM-DD``) or event ids of a
:class:`Timeline`. Vague text (``"end of April 2019"``, ``"2019-05 (report date)"``) is rejected
with the row and column; an empty date is rejected too unless ``missing_dates="keep"`` (the date
is then None and a claim without both window ends is not :attr:`Claim.checkable`). An event id
as ``window_start`` means the window starts on the event's day (or its first full day with
``boundary="first_full_day"``); as ``window_end`` or ``as_of``, the event's day (inclusive).
Quantities are normalised by :func:`normalise_quantity` and qualifiers by
:func:`normalise_qualifier` (see their docstrings and :data:`QUALIFIER_PHRASES`); the raw text is
kept beside the normalised value.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import DataQualityWarning, EventError, EventFileError, MissingColumnsError
from trends.ingest import (
    DATE_MAX,
    DATE_MIN,
    MAX_COUNT,
    MISSING_TOKENS,
    RawTable,
    RowIssue,
    load_table,
    raw_from_frame,
    suggest_columns,
)
from trends.results import to_jsonable

__all__ = [
    "KINDS",
    "KIND_RULES",
    "QUANTITIES",
    "QUALIFIERS",
    "QUALIFIER_PHRASES",
    "ReferenceEvent",
    "Phase",
    "Timeline",
    "Claim",
    "kind_from_text",
    "says_announced",
    "parse_time_of_day",
    "time_of_day_problem",
    "normalise_quantity",
    "normalise_qualifier",
    "resolve_date",
    "impossible_date_reason",
    "parse_date_text",
    "date_event",
    "is_date_event",
    "load_claims",
    "claims_frame",
]

#: The kinds of reference events.
KINDS: tuple[str, ...] = ("offensive", "ceasefire", "truce", "escalation", "agreement", "other")

#: Words saying that a truce or ceasefire ended (after its name: "truce lapses", "ceasefire
#: expired") and nouns of its ending (before it: "expiry of the ceasefire"). Written alone as a
#: ``kind`` ("collapse", "lapse", "expiry") they mean the same: these words are used of truces,
#: ceasefires and agreements, and always end a regime. A bare "end" is not among them: it does not
#: say what ended (a truce, or an offensive).
_ENDS = (
    r"ends?|ended|collapses?|collapsed|break-?down|breaks\s+down|broke(n)?\s+down|lapses?|lapsed"
    r"|expir(y|es|ed|ation)|expire|fails|failed|failure"
)
_ENDINGS = r"end|collapse|break-?down|lapse|expiry|expiration|failure"
_ALONE = r"collapses?|collapsed|break-?down|lapses?|lapsed|expir(y|ed|ation)"

#: ``(pattern, kind)`` rules applied in order to the lower-cased ``type`` text; the first pattern
#: found (:func:`re.search`) decides the kind; no match gives ``"other"``.
KIND_RULES: tuple[tuple[str, str], ...] = (
    (r"violat", "escalation"),
    (
        r"\b(truce|cease-?fire|armistice)\b.*\b(" + _ENDS + r")\b"
        r"|\b(" + _ENDINGS + r")\s+of\s+(the\s+)?(truce|cease-?fire|armistice)\b"
        r"|^(" + _ALONE + r")$",
        "escalation",
    ),
    (r"offensive", "offensive"),
    (r"cease-?fire", "ceasefire"),
    (r"truce|armistice", "truce"),
    (r"escalat", "escalation"),
    (r"agreement|memorandum|protocol|accord|\bdeal\b", "agreement"),
)

#: The normalised quantities of claims.
QUANTITIES: tuple[str, ...] = (
    "civilian_deaths",
    "child_deaths",
    "attacks",
    "injured",
    "displaced",
    "other",
)

#: The normalised qualifiers of claims.
QUALIFIERS: tuple[str, ...] = (
    "at_least",
    "more_than",
    "around",
    "exactly",
    "at_most",
    "fewer_than",
    "almost",
)

#: Qualifier phrases (lower case, after removing a trailing parenthesis) and what they mean.
#: ``"almost"`` and ``"nearly"`` are ``almost``: the figure is a ceiling the count had nearly
#: reached ("almost 500" = a little under 500); ``"fewer than"``, ``"under"`` are ``fewer_than``:
#: any figure below it ("fewer than 150" allows 20). ``"over"`` is ``more_than``;
#: ``"some"``, ``"estimated"``, ``"about"`` are ``around``. A qualifier that is only a parenthesis
#: (``"(reported)"``, ``"(documented)"``, ``"(names registered)"``) or that begins with
#: ``"exactly"`` (``"exactly (verified)"``) is ``exactly``: the figure is the count the source
#: reported. An empty qualifier (a bare figure) is also ``exactly``.
QUALIFIER_PHRASES: dict[str, str] = {
    "at least": "at_least",
    "no fewer than": "at_least",
    "no less than": "at_least",
    "a minimum of": "at_least",
    "minimum": "at_least",
    "more than": "more_than",
    "over": "more_than",
    "above": "more_than",
    "in excess of": "more_than",
    "upwards of": "more_than",
    "exceeding": "more_than",
    "around": "around",
    "about": "around",
    "approximately": "around",
    "approx.": "around",
    "approx": "around",
    "roughly": "around",
    "some": "around",
    "estimated": "around",
    "an estimated": "around",
    "circa": "around",
    "~": "around",
    "exactly": "exactly",
    "reported": "exactly",
    "documented": "exactly",
    "recorded": "exactly",
    "verified": "exactly",
    "": "exactly",
    "at most": "at_most",
    "up to": "at_most",
    "no more than": "at_most",
    "maximum": "at_most",
    "fewer than": "fewer_than",
    "less than": "fewer_than",
    "under": "fewer_than",
    "below": "fewer_than",
    "almost": "almost",
    "nearly": "almost",
    "just under": "almost",
    **{q: q for q in QUALIFIERS},
    **{q.replace("_", " "): q for q in QUALIFIERS},
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?$")
_EVENT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.:\-]*$")
_TIME = re.compile(
    r"^(?P<h>\d{1,2})(?:(?:[:.h])(?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?=\s|$|[,;(])"
    r"\s*[,;]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


def _is_missing_text(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip().lower() in MISSING_TOKENS


def _clean(value: Any) -> str | None:
    return None if _is_missing_text(value) else str(value).strip()


def kind_from_text(text: str | None) -> str:
    """Map a free-text event type to one of :data:`KINDS` (see :data:`KIND_RULES`).

    Parameters
    ----------
    text : str or None
        The type as written (``"offensive start (air)"``, ``"truce end"``...).

    Returns
    -------
    str
        The kind; ``"other"`` for empty or unrecognised text.

    Examples
    --------
    >>> kind_from_text("ceasefire announcement"), kind_from_text("truce end")
    ('ceasefire', 'escalation')
    """
    if text is None:
        return "other"
    lowered = str(text).strip().lower()
    for pattern, kind in KIND_RULES:
        if re.search(pattern, lowered):
            return kind
    return "other"


def _kind_of_column(text: str) -> tuple[str, str | None]:
    """The kind a ``kind`` cell names, and None; or ``"other"`` and why the cell was refused.

    A ``kind`` cell holds one of :data:`KINDS` (any case) or words that :data:`KIND_RULES`
    read as one ("truce end", "ceasefire collapse", "collapse", "offensive start"). Anything
    else is refused, never read as ``"other"``: an event read as ``"other"`` does not change the
    regime, so a misread truce collapse would let the analysis window run across it.
    """
    lowered = text.strip().lower()
    if lowered in KINDS:
        return lowered, None
    kind = kind_from_text(lowered)
    if kind != "other":
        return kind, None
    if re.fullmatch(r"(the\s+)?(end|ends|ended|ending)", lowered):
        return "other", (
            "does not say what ended: write 'truce end' or 'ceasefire end' (read as "
            "escalation: hostilities resume) or 'offensive end' (offensive)"
        )
    return "other", (
        f"is not an event kind; accepted kinds are {', '.join(KINDS)} (any case), or words "
        "naming one: 'offensive start', 'ceasefire announcement', 'truce (conditional)', "
        "'agreement milestone', and for the end of a truce or ceasefire (read as escalation) "
        "'truce end', 'ceasefire collapse', 'collapse', 'breakdown', 'lapse', 'expiry'; write "
        "'other' for an event that does not change the regime (free text may go in a 'type' "
        "column)"
    )


def parse_time_of_day(text: str | None) -> tuple[_dt.time | None, str | None]:
    """Read a local time of day from the start of ``text``.

    Parameters
    ----------
    text : str or None
        ``"06:00"``, ``"00:01"``, ``"6 am"``, ``"14:00 Moscow time"``, ``"night of 1-2 Aug"``...

    Returns
    -------
    (datetime.time or None, str or None)
        The time (``None`` when there is none or it cannot be read) and the note: the text after
        the time (``"Moscow time"``), or the whole text when no time could be read.

    Examples
    --------
    >>> parse_time_of_day("14:00 Moscow time")
    (datetime.time(14, 0), 'Moscow time')
    >>> parse_time_of_day("night of 1-2 Aug")
    (None, 'night of 1-2 Aug')
    """
    raw = _clean(text)
    if raw is None:
        return None, None
    noon = re.match(r"^(noon|midday)\b\s*[,;]?\s*(?P<rest>.*)$", raw, re.IGNORECASE)
    if noon:
        return _dt.time(12, 0), noon.group("rest").strip() or None
    match = _TIME.match(raw)
    if match is None or (match.group("m") is None and match.group("ampm") is None):
        return None, raw
    hour = int(match.group("h"))
    minute = int(match.group("m") or 0)
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None, raw
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        return None, raw
    rest = match.group("rest").strip() or None
    return _dt.time(hour, minute), rest


def time_of_day_problem(text: str | None) -> str | None:
    """Why ``text`` looks like a time of day that :func:`parse_time_of_day` cannot read.

    Free text without a time ("night of 1-2 Aug") is not a problem: it is kept as a note. A
    value that tries to be a time and is not one is: "25:99", "2145", "13 pm", "midnight"
    (which day's?).

    Parameters
    ----------
    text : str or None
        The ``time_local`` cell.

    Returns
    -------
    str or None
        The reason, or ``None`` when the cell is a time, empty or free text.
    """
    raw = _clean(text)
    if raw is None or parse_time_of_day(raw)[0] is not None:
        return None
    if re.match(r"^midnight\b", raw, re.IGNORECASE):
        return (
            "is ambiguous (the midnight that starts or ends the day?): write 00:00 for the "
            "start of the date's day or 23:59 for its end"
        )
    if re.match(r"^\d{3,4}\b(?![-/])", raw):
        return "is not read as a time of day: write hours and minutes as HH:MM (21:45, 06:00)"
    match = _TIME.match(raw)
    if match is not None and (match.group("m") is not None or match.group("ampm") is not None):
        return (
            "is not a time of day (hours 0-23, or 1-12 with am/pm; minutes 00-59): write HH:MM, "
            "e.g. 06:00 or 21:45"
        )
    return None


def _parse_iso(text: str) -> pd.Timestamp | None:
    """An ISO date or date-time, or None if ``text`` is not one (or not a real date).

    Dates outside ``DATE_MIN`` .. ``DATE_MAX`` (1900-01-01 to 2100-12-31) are not accepted
    (:func:`_date_reason` says why).
    """
    text = text.strip()
    if not (_ISO_DATE.match(text) or _ISO_DATETIME.match(text)):
        return None
    try:
        ts = pd.Timestamp(text)
    except (ValueError, OverflowError):
        return None
    if pd.isna(ts) or ts < DATE_MIN or ts.normalize() > DATE_MAX:
        return None
    return ts.as_unit("ns")


#: A date written with the day and month as numbers and a four-digit year (``03/02/2018``,
#: ``3.2.2018``, ``03-02-2018``), optionally with a time of day.
_DAY_MONTH_TEXT = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{2}|\d{4})"
    r"(?:[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?)?$"
)

#: How a date option (``--intervention``, ``--start``, ``--end``, their ``--config`` keys) is
#: written; the text of the errors of :func:`parse_date_text`.
DATE_TEXT_RULE = (
    "write it YYYY-MM-DD (with an optional time, YYYY-MM-DD HH:MM), or pass --dayfirst or "
    "--monthfirst (dayfirst=True or False in Python) to read a day/month date"
)


def parse_date_text(text: str, dayfirst: bool | None = None) -> pd.Timestamp | None:
    """Read a date given as text (a command-line or configuration date), never guessing.

    ``YYYY-MM-DD`` (optionally with a time, ``YYYY-MM-DD HH:MM[:SS]``, a space or ``T`` between)
    is always read. A date written with the day and month as numbers (``03/02/2018``,
    ``3.2.2018``, ``03-02-2018``, optionally with a time) is read only when its order is known:
    from ``dayfirst`` (True: day first, False: month first), or from the value itself when one of
    the two fields is above 12 (``13/02/2018`` is 13 February). Its year must be written in full.

    Parameters
    ----------
    text : str
        The date as written.
    dayfirst : bool, optional
        The day/month order of numeric dates (``--dayfirst`` / ``--monthfirst``).

    Returns
    -------
    pandas.Timestamp or None
        The date (and time), naive; ``None`` when ``text`` is not shaped like a date at all (it
        may be an event id).

    Raises
    ------
    EventError
        ``text`` is shaped like a date but is not one that can be read: its day/month order is
        not given and not settled by the value, its year has two digits, it is not a real
        calendar date, or it is outside the accepted dates; the message says how to write it.
    """
    text = str(text).strip()
    ts = _parse_iso(text)
    if ts is not None:
        return ts
    impossible = impossible_date_reason(text)
    if impossible is not None:
        raise EventError(f"{impossible} (value {text!r})")
    match = _DAY_MONTH_TEXT.match(text)
    if match is None:
        return None
    if len(match.group("y")) == 2:
        raise EventError(
            f"{text!r} has a two-digit year, which is never guessed: write the year in full; "
            + DATE_TEXT_RULE
        )
    a, b = int(match.group("a")), int(match.group("b"))
    if dayfirst is None:
        if a > 12 >= b:
            dayfirst = True
        elif b > 12 >= a:
            dayfirst = False
        else:
            raise EventError(
                f"{text!r} is written with the day and month as numbers and their order is not "
                f"given, so it is not read (never guessed): {DATE_TEXT_RULE}"
            )
    elif not isinstance(dayfirst, bool):
        raise EventError(f"dayfirst must be True or False, not {dayfirst!r}")
    day, month = (a, b) if dayfirst else (b, a)
    iso = f"{match.group('y')}-{month:02d}-{day:02d}"
    if match.group("h") is not None:
        iso += f" {int(match.group('h')):02d}:{match.group('m')}:{match.group('s') or '00'}"
    ts = _parse_iso(iso)
    if ts is None:
        order = "day first" if dayfirst else "month first"
        raise EventError(f"{_date_reason(iso, 'YYYY-MM-DD')} (value {text!r}, read {order})")
    return ts


def date_event(when: Any) -> ReferenceEvent:
    """An intervention given only as a date and time (``"2023-06-15 18:30"``), as an event.

    Its id is ``"intervention"`` and its name ``"the intervention"``; the words treat it as a
    date, not a named event (:func:`is_date_event`), and its time of day gives the mixed-day rule
    as an event's ``time_local`` does.

    Parameters
    ----------
    when : date-like
        The date, with its time of day.

    Returns
    -------
    ReferenceEvent
    """
    return ReferenceEvent("intervention", "the intervention", "other", pd.Timestamp(when))


def is_date_event(event: Any) -> bool:
    """Whether ``event`` is an intervention given only as a date (:func:`date_event`).

    Parameters
    ----------
    event : object
        An event, a timestamp or anything else.

    Returns
    -------
    bool
    """
    return (
        getattr(event, "id", None) == "intervention"
        and getattr(event, "name", None) == "the intervention"
    )


def impossible_date_reason(text: Any) -> str | None:
    """Why a date written as YYYY-MM-DD (optionally with HH:MM) is not accepted.

    Parameters
    ----------
    text : object
        The text given as a date.

    Returns
    -------
    str or None
        "is not a real calendar date" ("2023-02-30") or that its year is out of range, when
        ``text`` has the shape of an ISO date but is not an accepted one; ``None`` otherwise
        (an accepted date, or text that is not shaped like an ISO date at all).
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not (_ISO_DATE.match(text) or _ISO_DATETIME.match(text)) or _parse_iso(text) is not None:
        return None
    return _date_reason(text, "YYYY-MM-DD")


def _date_reason(text: str, expected: str) -> str:
    """Why ``text`` is not an accepted date: out of range, impossible, or not a date."""
    text = text.strip()
    if _ISO_DATE.match(text) or _ISO_DATETIME.match(text):
        year = int(text[:4])
        if not DATE_MIN.year <= year <= DATE_MAX.year:
            return f"is outside the accepted dates {DATE_MIN.date()} to {DATE_MAX.date()} (a typo?)"
        return "is not a real calendar date"
    if re.match(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}$", text):
        return (
            "is written with the day and month as numbers, whose order is never guessed: "
            f"write it {expected}"
        )
    return f"is not a date (expected {expected})"


def _as_timestamp(value: Any, what: str) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp):
        ts = value
    elif isinstance(value, (_dt.datetime, _dt.date, np.datetime64)):
        ts = pd.Timestamp(value)
    elif isinstance(value, str):
        ts = _parse_iso(value)
        if ts is None:
            reason = _date_reason(value, "YYYY-MM-DD[ HH:MM]")
            if reason.startswith("is not a date"):
                reason = "is not an ISO date (YYYY-MM-DD[ HH:MM])"
            raise EventError(f"{what} {value!r} {reason}")
    else:
        raise EventError(f"{what} must be a date, not {type(value).__name__}")
    if pd.isna(ts):
        raise EventError(f"{what} is missing")
    if ts.tzinfo is not None:
        raise EventError(f"{what} must be a local (time-zone naive) time, not {ts}")
    if ts < DATE_MIN or ts.normalize() > DATE_MAX:
        raise EventError(
            f"{what} {ts} is outside the accepted dates {DATE_MIN.date()} to {DATE_MAX.date()}"
        )
    return ts.as_unit("ns")


def _first_full_day(ts: pd.Timestamp) -> pd.Timestamp:
    day = ts.normalize()
    return day if ts == day else day + pd.Timedelta(days=1)


_WHICH = ("day", "start", "first_full_day")


def _pick(ts: pd.Timestamp, which: str) -> pd.Timestamp:
    if which == "day":
        return ts.normalize()
    if which == "first_full_day":
        return _first_full_day(ts)
    if which == "start":
        return ts
    raise EventError(f"which must be one of {_WHICH}, not {which!r}")


def says_announced(*texts: Any) -> bool:
    """Whether an event's own words (its name, type or detail as given) say it was announced.

    Only then do the sentences compare a change with "the announced date" or say it "came
    later than announced"; an event given as a plain date is "the date given".

    Parameters
    ----------
    *texts : str or None
        The event's name, type, detail... (None and non-text are skipped).

    Returns
    -------
    bool
    """
    return any(isinstance(t, str) and "announc" in t.lower() for t in texts)


@dataclass(frozen=True, repr=False)
class ReferenceEvent:
    """A dated reference event.

    Parameters
    ----------
    id : str
        Identifier (a letter, then letters, digits, ``_ . : -``; no spaces).
    name : str
        Short description of what happened.
    kind : str
        One of :data:`KINDS`; free text (``"offensive start (air)"``) is mapped with
        :func:`kind_from_text` and kept in ``detail`` when ``detail`` is not given.
    start : pandas.Timestamp
        When it started, in local time; a time of day may be included.
    end : pandas.Timestamp, optional
        When it ended, if it lasted.
    detail : str, optional
        The free-text type as written in the source table.
    time_note : str, optional
        Text about the time that was not turned into a time (``"Moscow time"``,
        ``"night of 1-2 Aug"``).
    source, url, description : str, optional
        Where the date comes from, and notes.
    """

    id: str
    name: str
    kind: str
    start: pd.Timestamp
    end: pd.Timestamp | None = None
    detail: str | None = None
    time_note: str | None = None
    source: str | None = None
    url: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _EVENT_ID.match(self.id):
            raise EventError(
                f"event id {self.id!r} is not valid: use a letter then letters, digits, "
                "'_', '.', ':' or '-' (no spaces)"
            )
        if self.kind not in KINDS:
            raw = self.kind
            object.__setattr__(self, "kind", kind_from_text(raw))
            if self.detail is None:
                object.__setattr__(self, "detail", _clean(raw))
        object.__setattr__(self, "start", _as_timestamp(self.start, f"start of event {self.id!r}"))
        if self.end is not None:
            end = _as_timestamp(self.end, f"end of event {self.id!r}")
            # A date without a time is a last day: it may be the day of a start with a time.
            if end.normalize() < self.day or (end != end.normalize() and end < self.start):
                raise EventError(f"event {self.id!r} ends ({end}) before it starts ({self.start})")
            object.__setattr__(self, "end", end)
        if not self.name:
            object.__setattr__(self, "name", self.id)

    def __repr__(self) -> str:
        when = self.start.strftime("%Y-%m-%d %H:%M") if self.has_time else str(self.day.date())
        return f"ReferenceEvent(id={self.id!r}, kind={self.kind!r}, start={when!r})"

    @property
    def day(self) -> pd.Timestamp:
        """The calendar day the event starts (midnight)."""
        return self.start.normalize()

    @property
    def has_time(self) -> bool:
        """Whether a time of day other than 00:00 is known."""
        return self.start != self.start.normalize()

    @property
    def first_full_day(self) -> pd.Timestamp:
        """The first whole day of the event: its day if it starts at 00:00 (or no time is
        known), otherwise the next day."""
        return _first_full_day(self.start)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return to_jsonable(
            {
                "id": self.id,
                "name": self.name,
                "kind": self.kind,
                "start": self.start.isoformat(),
                "day": self.day.date().isoformat(),
                "first_full_day": self.first_full_day.date().isoformat(),
                "end": None if self.end is None else self.end.isoformat(),
                "detail": self.detail,
                "time_note": self.time_note,
                "source": self.source,
                "url": self.url,
                "description": self.description,
            }
        )


@dataclass(frozen=True, repr=False)
class Phase:
    """A stretch of days between two boundaries.

    Attributes
    ----------
    name : str
        Label of the phase.
    start, end : pandas.Timestamp
        First and last day (both inclusive, midnight).
    start_event : ReferenceEvent or None
        The event that opens the phase (None when it opens at a given date).
    end_event : ReferenceEvent or None
        The event that closes it: the phase ends the day before that event's boundary day (None
        when it ends at a given date).
    """

    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    start_event: ReferenceEvent | None = None
    end_event: ReferenceEvent | None = None

    def __repr__(self) -> str:
        s_ev = "" if self.start_event is None else f", start_event={self.start_event.id!r}"
        e_ev = "" if self.end_event is None else f", end_event={self.end_event.id!r}"
        return (
            f"Phase(name={self.name!r}, start='{self.start.date()}', end='{self.end.date()}'"
            f"{s_ev}{e_ev})"
        )

    @property
    def days(self) -> int:
        """Number of days in the phase."""
        return int((self.end - self.start).days) + 1

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The days of the phase."""
        return pd.date_range(self.start, self.end, freq="D")

    def contains(self, date: Any) -> bool:
        """Whether ``date`` (any time on that day) falls in the phase."""
        day = pd.Timestamp(date).normalize()
        return bool(self.start <= day <= self.end)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "name": self.name,
            "start": self.start.date().isoformat(),
            "end": self.end.date().isoformat(),
            "days": self.days,
            "start_event": None if self.start_event is None else self.start_event.id,
            "end_event": None if self.end_event is None else self.end_event.id,
        }


# Columns of a reference-event table: canonical name -> accepted names (first preferred).
_EVENT_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("event_id", "id"),
    "start": ("date", "start", "start_date"),
    "time_local": ("time_local", "time"),
    "end": ("end", "end_date", "date_end"),
    "name": ("event", "name"),
    "kind": ("kind",),
    "type": ("type", "type_text", "event_type"),
    "description": ("details", "description"),
    "source": ("source",),
    "url": ("url",),
}


def _resolve_aliases(
    columns: Sequence[str], aliases: Mapping[str, tuple[str, ...]], required: Sequence[str], path
) -> dict[str, str]:
    """Map canonical names to the file's columns; raise for missing or ambiguous ones."""
    present = [c for c in columns if c != "_row"]
    lowered = {c.strip().lower(): c for c in present}
    out: dict[str, str] = {}
    for canonical, names in aliases.items():
        found = [lowered[n] for n in names if n in lowered]
        if len(found) > 1:
            raise EventFileError(
                f"columns {', '.join(repr(c) for c in found)} both mean {canonical!r}; keep one",
                path=path,
            )
        if found:
            out[canonical] = found[0]
    missing = [c for c in required if c not in out]
    if missing:
        names = [aliases[c][0] for c in missing]
        hint = "accepted names: " + "; ".join(
            " or ".join(repr(n) for n in aliases[c]) for c in missing
        )
        raise MissingColumnsError(names, suggest_columns(names, present), path=path, hint=hint)
    return out


def _raise_issues(issues: list[RowIssue], path: str) -> None:
    if not issues:
        return
    issues = sorted(issues, key=lambda i: (i.row, i.column or ""))
    first = issues[0]
    more = (
        f" ({len(issues) - 1} more {'problem' if len(issues) == 2 else 'problems'} in this file; "
        "see .issues)"
        if len(issues) > 1
        else ""
    )
    value = f" (value {first.value!r})" if first.value not in (None, "") else ""
    raise EventFileError(
        f"{first.reason}{value}{more}",
        path=path,
        row=first.row,
        column=first.column,
        issues=issues,
        line=first.line,
    )


def _load_raw(path, delimiter: str | None, encoding: str | None) -> RawTable:
    if isinstance(path, pd.DataFrame):
        # A time of day (and a zone) of datetime values matters for events: keep it.
        return raw_from_frame(path, "<DataFrame>", keep_time=True)
    return load_table(path, delimiter=delimiter, encoding=encoding)


class Timeline:
    """An ordered collection of reference events.

    Parameters
    ----------
    events : iterable of ReferenceEvent
        The events; they are kept in date order (start time, then the given order).
    source : str, optional
        Where they were read from.

    Raises
    ------
    EventError
        Two events share an id.

    Examples
    --------
    >>> tl = Timeline.from_csv("reference_events.csv")  # doctest: +SKIP
    >>> tl["ceasefire_aug31_effective"].first_full_day  # doctest: +SKIP
    Timestamp('2019-09-01 00:00:00')
    >>> tl.phases(["offensive_launch", "ceasefire_aug31_effective", "dec_escalation_air"],
    ...           names=["offensive", "after ceasefire"])  # doctest: +SKIP
    """

    def __init__(self, events: Iterable[ReferenceEvent] = (), *, source: str | None = None):
        events = list(events)
        seen: dict[str, int] = {}
        for i, ev in enumerate(events):
            if not isinstance(ev, ReferenceEvent):
                raise EventError(
                    f"a Timeline holds ReferenceEvent objects, not {type(ev).__name__}"
                )
            if ev.id in seen:
                raise EventError(
                    f"duplicate event id {ev.id!r} (events {seen[ev.id] + 1} and {i + 1})"
                )
            seen[ev.id] = i
        order = sorted(range(len(events)), key=lambda i: (events[i].start, i))
        self._events: tuple[ReferenceEvent, ...] = tuple(events[i] for i in order)
        self._by_id: dict[str, ReferenceEvent] = {ev.id: ev for ev in self._events}
        self.source = source

    # -- reading -------------------------------------------------------------------------------
    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        delimiter: str | None = None,
        encoding: str | None = None,
    ) -> Timeline:
        """Read reference events from a delimited file.

        Parameters
        ----------
        path : str or Path
            The file. Columns (first name preferred, others accepted): ``event_id``/``id``
            (required), ``date``/``start`` (required; ``YYYY-MM-DD``, or ``YYYY-MM-DD HH:MM``),
            ``time_local``/``time`` (optional, see :func:`parse_time_of_day`), ``end``/``end_date``
            (optional), ``event``/``name``, ``type``/``type_text`` (free text, kept in
            ``detail`` and mapped with :func:`kind_from_text`; empty means ``"other"``),
            ``kind`` (optional: a kind from :data:`KINDS`, or words naming one, which then wins
            over the mapping of ``type``; other text is refused, see the module docstring),
            ``details``/``description``, ``source``, ``url``. Other columns are ignored.
        delimiter, encoding : str, optional
            See :func:`trends.ingest.read_delimited`.

        Returns
        -------
        Timeline

        Raises
        ------
        FileReadError
            The file cannot be read.
        MissingColumnsError
            No id or date column.
        EventFileError
            A row is malformed (bad date or time, end before start, bad or duplicate id, a
            ``kind`` that names no kind); the
            error names the file, row and column of the first problem, and ``issues`` lists all.
        """
        return cls._from_raw(_load_raw(path, delimiter, encoding))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Timeline:
        """Build a timeline from a DataFrame with the columns of :meth:`from_csv`.

        Datetime values keep their time of day; time-zone-aware values are read as wall-clock
        times in their zone, and the zone is kept in each event's ``time_note``.
        """
        if not isinstance(frame, pd.DataFrame):
            raise EventError(f"from_frame needs a DataFrame, not {type(frame).__name__}")
        zones = {
            str(c): str(frame[c].dt.tz)
            for c in frame.columns
            if isinstance(frame[c].dtype, pd.DatetimeTZDtype)
        }
        return cls._from_raw(_load_raw(frame, None, None), zones)

    @classmethod
    def _from_raw(cls, raw: RawTable, zones: Mapping[str, str] | None = None) -> Timeline:
        path = raw.path
        cols = _resolve_aliases(list(raw.frame.columns), _EVENT_ALIASES, ["id", "start"], path)
        issues: list[RowIssue] = list(raw.issues)
        events: list[ReferenceEvent] = []
        first_row: dict[str, int] = {}
        records = raw.frame.to_dict("records")
        for rec in records:
            row = int(rec["_row"])

            def get(name: str, rec=rec) -> str | None:
                return _clean(rec[cols[name]]) if name in cols else None

            def bad(name: str, reason: str, value: str | None, row=row) -> None:
                issues.append(RowIssue(row, cols.get(name, name), reason, value))

            n_before = len(issues)
            event_id = get("id")
            if event_id is None:
                bad("id", "is empty; every event needs an id", None)
            elif not _EVENT_ID.match(event_id):
                bad(
                    "id",
                    "is not a valid event id (a letter, then letters, digits, '_', '.', ':' or "
                    "'-'; no spaces)",
                    event_id,
                )
            elif event_id in first_row:
                bad(
                    "id",
                    f"duplicate event id {event_id!r} (first on row {first_row[event_id]})",
                    event_id,
                )
            else:
                first_row[event_id] = row
            date_text = get("start")
            start = None
            if date_text is None:
                bad("start", "is empty; a date is required", None)
            else:
                start = _parse_iso(date_text)
                if start is None:
                    reason = _date_reason(date_text, "YYYY-MM-DD, optionally with HH:MM")
                    bad("start", reason, date_text)
            time_text = get("time_local")
            zone = (zones or {}).get(cols.get("start", ""))
            time_note = f"time zone {zone}" if zone else None
            if time_text is not None and start is not None:
                tod, tod_note = parse_time_of_day(time_text)
                time_note = "; ".join(t for t in (time_note, tod_note) if t) or None
                problem = time_of_day_problem(time_text)
                if problem is not None:
                    bad("time_local", problem, time_text)
                elif tod is not None:
                    if start != start.normalize():
                        bad(
                            "time_local",
                            "gives a time but the date already has one",
                            time_text,
                        )
                    else:
                        start = start + pd.Timedelta(hours=tod.hour, minutes=tod.minute)
            end = None
            end_text = get("end")
            if end_text is not None:
                end = _parse_iso(end_text)
                if end is None:
                    bad(
                        "end", _date_reason(end_text, "YYYY-MM-DD, optionally with HH:MM"), end_text
                    )
                elif start is not None and end < start.normalize():
                    bad("end", f"is before the event's date ({date_text})", end_text)
            kind_text, type_text = get("kind"), get("type")
            kind = kind_from_text(type_text)
            if kind_text is not None:
                kind, why = _kind_of_column(kind_text)
                if why is not None:
                    bad("kind", why, kind_text)
            if len(issues) > n_before:
                continue
            detail = type_text if type_text is not None else kind_text
            events.append(
                ReferenceEvent(
                    id=event_id,
                    name=get("name") or event_id,
                    kind=kind,
                    start=start,
                    end=end,
                    detail=detail,
                    time_note=time_note,
                    source=get("source"),
                    url=get("url"),
                    description=get("description"),
                )
            )
        _raise_issues(raw.with_lines(issues), path)
        return cls(events, source=path)

    # -- access --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[ReferenceEvent]:
        return iter(self._events)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, ReferenceEvent):
            return self._by_id.get(item.id) == item
        return item in self._by_id

    def __getitem__(self, event_id: str) -> ReferenceEvent:
        try:
            return self._by_id[event_id]
        except (KeyError, TypeError):
            raise EventError(self._unknown(event_id)) from None

    def __repr__(self) -> str:
        if not self._events:
            return "Timeline(0 events)"
        first, last = self._events[0].day.date(), self._events[-1].day.date()
        return f"Timeline({len(self)} events, {first} to {last})"

    def _close_ids(self, text: str) -> list[str]:
        prefix = [i for i in self.ids if i.startswith(text) or text.startswith(i)]
        close = difflib.get_close_matches(text, self.ids, n=3, cutoff=0.6)
        return list(dict.fromkeys(prefix + close))[:3]

    def _unknown(self, event_id: Any) -> str:
        close = self._close_ids(str(event_id))
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        return f"unknown event id {event_id!r}{hint}"

    def get(self, event_id: str, default: ReferenceEvent | None = None) -> ReferenceEvent | None:
        """The event with this id, or ``default``."""
        return self._by_id.get(event_id, default)

    @property
    def ids(self) -> list[str]:
        """Event ids in date order."""
        return [ev.id for ev in self._events]

    @property
    def events(self) -> tuple[ReferenceEvent, ...]:
        """The events in date order."""
        return self._events

    def between(self, start: Any = None, end: Any = None) -> Timeline:
        """Events whose day falls in ``[start, end]`` (inclusive; either may be None).

        ``start`` and ``end`` are anything :meth:`resolve` accepts (dates or event ids).
        """
        lo = None if start is None else self.resolve(start)
        hi = None if end is None else self.resolve(end)
        keep = [
            ev
            for ev in self._events
            if (lo is None or ev.day >= lo) and (hi is None or ev.day <= hi)
        ]
        return Timeline(keep, source=self.source)

    def of_kind(self, *kinds: str) -> Timeline:
        """Events of the given kind(s) (names from :data:`KINDS`)."""
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise EventError(f"unknown event kind(s) {unknown}; kinds are {KINDS}")
        return Timeline([ev for ev in self._events if ev.kind in kinds], source=self.source)

    def to_frame(self) -> pd.DataFrame:
        """The events as a DataFrame, one row per event in date order."""
        columns = [
            "id",
            "name",
            "kind",
            "start",
            "day",
            "first_full_day",
            "end",
            "time_note",
            "detail",
            "description",
            "source",
            "url",
        ]
        rows = [
            {
                "id": ev.id,
                "name": ev.name,
                "kind": ev.kind,
                "start": ev.start,
                "day": ev.day,
                "first_full_day": ev.first_full_day,
                "end": ev.end if ev.end is not None else pd.NaT,
                "time_note": ev.time_note,
                "detail": ev.detail,
                "description": ev.description,
                "source": ev.source,
                "url": ev.url,
            }
            for ev in self._events
        ]
        out = pd.DataFrame(rows, columns=columns)
        for col in ("start", "day", "first_full_day", "end"):
            out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
        return out

    # -- dates ---------------------------------------------------------------------------------
    def resolve(
        self,
        ref: Any,
        which: Literal["day", "start", "first_full_day"] = "day",
        *,
        dayfirst: bool | None = None,
    ) -> pd.Timestamp:
        """Turn an event id, an event or a date into a timestamp.

        Parameters
        ----------
        ref : str, ReferenceEvent, Timestamp, datetime or date
            An event id of this timeline, an event, an ISO date string (``"2019-08-31"``,
            ``"2019-08-31 06:00"``) or a date object.
        which : {"day", "start", "first_full_day"}
            ``"day"`` (default): the calendar day (midnight); ``"start"``: the exact time;
            ``"first_full_day"``: the day, or the next day when a time after 00:00 is given.
        dayfirst : bool, optional
            The day/month order of a date written with numbers (:func:`parse_date_text`).

        Returns
        -------
        pandas.Timestamp

        Raises
        ------
        EventError
            ``ref`` is neither a known event id nor a date (close ids are suggested).
        """
        return resolve_date(ref, self, which=which, dayfirst=dayfirst)

    def phases(
        self,
        events: Sequence[str | ReferenceEvent],
        start: Any = None,
        end: Any = None,
        names: Sequence[str] | None = None,
        boundary: Literal["day", "first_full_day"] = "day",
    ) -> list[Phase]:
        """Phases between chosen boundary events.

        Each boundary event opens a phase that runs until the day before the next boundary. With
        ``n`` events there are ``n - 1`` phases, plus one *before* the first event when ``start``
        is given and one *after* the last event when ``end`` is given.

        Parameters
        ----------
        events : sequence of str or ReferenceEvent
            Boundary events (ids or events), in date order.
        start : date or event id, optional
            First day of a leading phase that ends the day before the first event's boundary.
        end : date or event id, optional
            Last day (inclusive) of a trailing phase that begins at the last event.
        names : sequence of str, optional
            One name per phase; default ``"before <first id>"`` for a leading phase and
            ``"after <id>"`` for a phase opened by an event.
        boundary : {"day", "first_full_day"}
            Day on which a phase opened by an event begins: the event's day (default, even when
            the event starts later that day) or its :attr:`~ReferenceEvent.first_full_day`.

        Returns
        -------
        list of Phase

        Raises
        ------
        EventError
            Unknown event ids, boundaries not strictly in date order (two events on the same
            boundary day would make an empty phase), fewer than one phase, or a wrong number of
            names.

        Examples
        --------
        >>> tl.phases(["offensive_launch", "ceasefire_aug31_effective", "dec_escalation_air"],
        ...           names=["offensive", "after ceasefire"])  # doctest: +SKIP
        [Phase(name='offensive', start=2019-04-30, end=2019-08-30, ...),
         Phase(name='after ceasefire', start=2019-08-31, end=2019-12-15, ...)]
        """
        if boundary not in ("day", "first_full_day"):
            raise EventError(f"boundary must be 'day' or 'first_full_day', not {boundary!r}")
        if isinstance(events, (str, ReferenceEvent)):
            events = [events]
        chosen = [ev if isinstance(ev, ReferenceEvent) else self[ev] for ev in events]
        if not chosen:
            raise EventError("phases need at least one boundary event")
        bounds: list[tuple[pd.Timestamp, ReferenceEvent | None]] = [
            (ev.day if boundary == "day" else ev.first_full_day, ev) for ev in chosen
        ]
        if start is not None:
            s = self.resolve(start)
            if s >= bounds[0][0]:
                raise EventError(
                    f"start {s.date()} is not before the first boundary "
                    f"{bounds[0][1].id!r} ({bounds[0][0].date()})"
                )
            bounds.insert(0, (s, None))
        for (b0, e0), (b1, e1) in zip(bounds, bounds[1:], strict=False):
            if b1 <= b0:
                name0 = e0.id if e0 is not None else "start"
                raise EventError(
                    f"boundary events must be in date order on different days: {e1.id!r} "
                    f"({b1.date()}) does not come after {name0!r} ({b0.date()})"
                )
        one_day = pd.Timedelta(days=1)
        spans: list[tuple[pd.Timestamp, pd.Timestamp, ReferenceEvent | None, ReferenceEvent | None]]
        spans = [
            (b0, b1 - one_day, e0, e1)
            for (b0, e0), (b1, e1) in zip(bounds, bounds[1:], strict=False)
        ]
        if end is not None:
            last_day, last_event = bounds[-1]
            e = self.resolve(end)
            if e < last_day:
                raise EventError(
                    f"end {e.date()} is before the last boundary "
                    f"{last_event.id if last_event else 'start'!r} ({last_day.date()})"
                )
            spans.append((last_day, e, last_event, None))
        if not spans:
            raise EventError(
                "one boundary event makes no phase: give at least two events, or start/end"
            )
        if names is None:
            names = [
                f"before {e1.id}" if e0 is None else f"after {e0.id}" for _, _, e0, e1 in spans
            ]
        elif isinstance(names, str) or len(names) != len(spans):
            raise EventError(
                f"{len(spans)} phase(s) but "
                f"{0 if isinstance(names, str) else len(names)} name(s) given"
            )
        return [
            Phase(str(name), s, e, e0, e1)
            for name, (s, e, e0, e1) in zip(names, spans, strict=True)
        ]


def resolve_date(
    ref: Any,
    timeline: Timeline | None = None,
    which: Literal["day", "start", "first_full_day"] = "day",
    *,
    dayfirst: bool | None = None,
) -> pd.Timestamp:
    """Turn an event id (of ``timeline``), an event or a date into a timestamp.

    Parameters
    ----------
    ref : str, ReferenceEvent, Timestamp, datetime or date
        What to resolve. Without a timeline only dates and events are accepted. A date string is
        read by :func:`parse_date_text` (ISO, or day/month numbers whose order is known).
    timeline : Timeline, optional
        Resolves event ids.
    which : {"day", "start", "first_full_day"}
        See :meth:`Timeline.resolve`.
    dayfirst : bool, optional
        The day/month order of a date written with numbers (:func:`parse_date_text`).

    Returns
    -------
    pandas.Timestamp
    """
    if which not in _WHICH:
        raise EventError(f"which must be one of {_WHICH}, not {which!r}")
    if isinstance(ref, ReferenceEvent):
        return _pick(ref.start, which)
    if isinstance(ref, str):
        text = ref.strip()
        if timeline is not None and text in timeline:
            return _pick(timeline[text].start, which)
        ts = parse_date_text(text, dayfirst)
        if ts is not None:
            return _pick(ts, which)
        if timeline is not None and _EVENT_ID.match(text):
            raise EventError(timeline._unknown(text))
        if timeline is None and _EVENT_ID.match(text):
            raise EventError(
                f"{text!r} looks like an event id but no timeline was given to resolve it"
            )
        raise EventError(
            f"{text!r} is neither an event id nor an ISO date (YYYY-MM-DD); "
            "vague dates must be written as a date"
        )
    return _pick(_as_timestamp(ref, "date"), which)


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


def normalise_quantity(text: str | None) -> str:
    """Map a claim's quantity text to one of :data:`QUANTITIES`.

    Parentheses are removed first (they give breakdowns or attributions: ``"deaths (people,
    incl. 3 children)"`` is about deaths, not child deaths). Then, on the lower-cased rest, the
    first rule that applies wins:

    1. a normalised name (``"civilian_deaths"``, or with a space) is itself;
    2. ``casualt``, or deaths together with ``injur``/``wound`` (killed and injured mixed) ->
       ``"other"``;
    3. ``child``/``children`` with ``death``/``killed``/``dead`` -> ``"child_deaths"``;
    4. ``displac`` -> ``"displaced"``;
    5. ``death``/``killed``/``dead`` with ``civilian`` -> ``"civilian_deaths"``; without it
       (``"deaths (all, incl. combatants)"``, ``"deaths (people documented)"``: the dead are not
       said to be civilians) -> ``"other"``;
    6. ``injur``/``wound`` -> ``"injured"``;
    7. ``attack``/``strike`` -> ``"attacks"``;
    8. anything else -> ``"other"``.

    Parameters
    ----------
    text : str or None
        The quantity as written.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_quantity("civilian deaths (regime and Russian strikes)")
    'civilian_deaths'
    >>> normalise_quantity("child casualties (killed or injured)")
    'other'
    """
    lowered = (_clean(text) or "").lower()
    canonical = lowered.strip().replace(" ", "_")
    if canonical in QUANTITIES:
        return canonical
    core = re.sub(r"\([^)]*\)", " ", lowered)
    deaths = re.search(r"death|killed|\bdead\b", core) is not None
    injured = re.search(r"injur|wound", core) is not None
    if "casualt" in core or (deaths and injured):
        return "other"
    if re.search(r"\bchild", core) and deaths:
        return "child_deaths"
    if "displac" in core:
        return "displaced"
    if deaths:
        return "civilian_deaths" if "civilian" in core else "other"
    if injured:
        return "injured"
    if re.search(r"attack|strike", core):
        return "attacks"
    return "other"


def normalise_qualifier(text: str | None) -> str:
    """Map a claim's qualifier text to one of :data:`QUALIFIERS`.

    The text is lower-cased and white space collapsed. A qualifier that is only a parenthesis
    (``"(reported)"``) means a bare figure: ``"exactly"``. Otherwise a trailing parenthesis is
    removed (``"exactly (documented)"`` -> ``"exactly"``) and the rest is looked up in
    :data:`QUALIFIER_PHRASES` (``"almost"``/``"nearly"`` -> ``"almost"``, ``"under"`` ->
    ``"fewer_than"``, ``"over"`` ->
    ``"more_than"``, ``"some"``/``"estimated"``/``"about"`` -> ``"around"``...). Empty means
    ``"exactly"``.

    Parameters
    ----------
    text : str or None
        The qualifier as written.

    Returns
    -------
    str

    Raises
    ------
    EventError
        The phrase is not known (the known ones are listed).
    """
    lowered = re.sub(r"\s+", " ", (_clean(text) or "").lower()).strip()
    if re.fullmatch(r"\(.*\)", lowered):
        return "exactly"
    core = re.sub(r"\s*\(.*\)\s*$", "", lowered).strip()
    if core in QUALIFIER_PHRASES:
        return QUALIFIER_PHRASES[core]
    known = sorted(p for p in QUALIFIER_PHRASES if p and "_" not in p)
    raise EventError(
        f"unknown qualifier {text!r}; known phrases: {', '.join(repr(p) for p in known)} "
        "(a parenthesis alone, e.g. '(reported)', means exactly)"
    )


@dataclass(frozen=True)
class Claim:
    """A figure published about a window of days.

    Attributes
    ----------
    id : str
        Identifier (from the file's ``id``/``claim_id`` column, or ``claim_<row>``).
    as_of : pandas.Timestamp or None
        Publication day of the figure (None only when read with ``missing_dates="keep"``).
    window_start, window_end : pandas.Timestamp or None
        First and last day counted (inclusive); None when unknown (``missing_dates="keep"``).
    quantity : str
        One of :data:`QUANTITIES` (free text is mapped with :func:`normalise_quantity`).
    value : float
        The figure (a whole number is stored as ``int``).
    qualifier : str
        One of :data:`QUALIFIERS` (free text is mapped with :func:`normalise_qualifier`).
    region : str, optional
        Area the figure is about, as written.
    quantity_raw, qualifier_raw : str, optional
        The quantity and qualifier as written.
    source, url, note : str, optional
        Who published it, where, and remarks.
    window_start_event, window_end_event : str, optional
        The event ids the window dates were resolved from, if any.
    row : int, optional
        The row of the claims file it was read from.
    extra : dict
        Further columns of the claims file (e.g. ``region_scope``), as text.
    """

    id: str
    as_of: pd.Timestamp | None
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None
    quantity: str
    value: float
    qualifier: str = "exactly"
    region: str | None = None
    quantity_raw: str | None = None
    qualifier_raw: str | None = None
    source: str | None = None
    url: str | None = None
    note: str | None = None
    window_start_event: str | None = None
    window_end_event: str | None = None
    row: int | None = field(default=None, compare=False)
    extra: dict[str, str | None] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.quantity not in QUANTITIES:
            raw = self.quantity
            object.__setattr__(self, "quantity", normalise_quantity(raw))
            if self.quantity_raw is None:
                object.__setattr__(self, "quantity_raw", raw)
        if self.qualifier not in QUALIFIERS:
            raw = self.qualifier
            object.__setattr__(self, "qualifier", normalise_qualifier(raw))
            if self.qualifier_raw is None:
                object.__setattr__(self, "qualifier_raw", raw)
        for name in ("as_of", "window_start", "window_end"):
            value = getattr(self, name)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                object.__setattr__(self, name, None)
                continue
            object.__setattr__(self, name, _as_timestamp(value, f"{name} of claim {self.id!r}"))
        if (
            self.window_start is not None
            and self.window_end is not None
            and self.window_end < self.window_start
        ):
            raise EventError(
                f"claim {self.id!r}: window_end {self.window_end.date()} is before window_start "
                f"{self.window_start.date()}"
            )
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise EventError(f"claim {self.id!r}: value must be a number, not {value!r}")
        if not math.isfinite(float(value)) or value < 0:
            raise EventError(f"claim {self.id!r}: value must be a finite number >= 0, not {value}")
        number = float(value)
        object.__setattr__(self, "value", int(number) if number.is_integer() else number)

    @property
    def checkable(self) -> bool:
        """Whether both ends of the window are known (the claim can be compared with data)."""
        return self.window_start is not None and self.window_end is not None

    @property
    def window_days(self) -> int | None:
        """Number of days in the window (inclusive), or None when an end is unknown."""
        if not self.checkable:
            return None
        return int((self.window_end - self.window_start).days) + 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (dates as ISO strings, None when unknown)."""

        def iso(ts: pd.Timestamp | None) -> str | None:
            return None if ts is None else ts.date().isoformat()

        return to_jsonable(
            {
                "id": self.id,
                "as_of": iso(self.as_of),
                "window_start": iso(self.window_start),
                "window_end": iso(self.window_end),
                "window_days": self.window_days,
                "region": self.region,
                "quantity": self.quantity,
                "quantity_raw": self.quantity_raw,
                "value": self.value,
                "qualifier": self.qualifier,
                "qualifier_raw": self.qualifier_raw,
                "source": self.source,
                "url": self.url,
                "note": self.note,
                "window_start_event": self.window_start_event,
                "window_end_event": self.window_end_event,
                "extra": dict(self.extra),
            }
        )


_CLAIM_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "claim_id"),
    "as_of": ("as_of", "published", "date_published"),
    "window_start": ("window_start", "from", "start"),
    "window_end": ("window_end", "to", "end"),
    "region": ("region", "area"),
    "quantity": ("quantity", "measure"),
    "quantity_raw": ("quantity_text", "quantity_raw"),
    "value": ("value", "figure"),
    "qualifier": ("qualifier",),
    "qualifier_raw": ("qualifier_text", "qualifier_raw"),
    "source": ("source",),
    "url": ("url",),
    "note": ("note", "notes"),
}
_CLAIM_REQUIRED = ("as_of", "window_start", "window_end", "value")


def _claim_value(
    text: str | None, quantity: str, thousands: str | None
) -> tuple[float | None, str | None]:
    """(value, reason for failure) of a claim's ``value`` cell.

    Counts (every quantity but ``"other"``) must be whole numbers up to ``MAX_COUNT``. A number
    written with a separator between groups of three digits (``1,089``, ``1.089``) is read
    only when ``thousands`` names that separator: otherwise it is ambiguous (a thousands
    separator, or a decimal point in another locale) and rejected.
    """
    if text is None:
        return None, "is empty; a number is required"
    t = text.strip()
    if thousands is not None and _GROUPED_NUMBER.match(t) and thousands in t:
        t = t.replace(thousands, "")
    if t.startswith("-") and (_PLAIN_NUMBER.match(t[1:]) or _GROUPED_NUMBER.match(t[1:])):
        return None, "is negative; a count cannot be below zero"
    grouped = _GROUPED_NUMBER.match(t)
    if grouped:
        sep = grouped.group(1)
        return None, (
            f"is written with {sep!r} between groups of digits: it may mean {t.replace(sep, '')} "
            f"(thousands separator) or a fraction; if it separates thousands, say so with the "
            f"thousands separator option (--thousands '{sep}' on the command line, "
            f"thousands={sep!r} in Python)"
        )
    if not _PLAIN_NUMBER.match(t):
        return None, (
            "is not a number (write words such as 'about' or 'more than' in the qualifier column)"
        )
    number = float(t)
    if quantity != "other" and not number.is_integer():
        return None, f"is not a whole number; a claim about {quantity.replace('_', ' ')} is a count"
    if number > MAX_COUNT * 100:
        return None, f"is above {MAX_COUNT * 100:,}, the largest figure accepted in a claim"
    return number, None


_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([,. '\u00a0\u202f])\d{3}(\1\d{3})*$")


def _claim_date(
    text: str | None,
    timeline: Timeline | None,
    which: str,
    missing_dates: str,
) -> tuple[pd.Timestamp | None, str | None, str | None]:
    """(timestamp, event id, reason for failure)."""
    if text is None:
        if missing_dates == "keep":
            return None, None, None
        return (
            None,
            None,
            "is empty; an ISO date (YYYY-MM-DD) or an event id is required "
            "(or read with missing_dates='keep')",
        )
    ts = _parse_iso(text)
    if ts is not None:
        return ts.normalize(), None, None
    if timeline is not None and text in timeline:
        return _pick(timeline[text].start, which), text, None
    if _ISO_DATE.match(text) or _ISO_DATETIME.match(text):
        return None, None, _date_reason(text, "YYYY-MM-DD")
    if re.match(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}$", text):
        return None, None, _date_reason(text, "YYYY-MM-DD")
    if timeline is None and _EVENT_ID.match(text) and "_" in text:
        return None, None, "looks like an event id but no timeline was given to resolve it"
    if timeline is not None and _EVENT_ID.match(text):
        close = timeline._close_ids(text)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        return None, None, f"is neither an ISO date (YYYY-MM-DD) nor a known event id{hint}"
    return (
        None,
        None,
        "is not an ISO date (YYYY-MM-DD) or an event id; vague dates such as 'end of April "
        "2019' must be cleaned to a date",
    )


def _claim_dates(
    get: Callable[[str], str | None],
    bad: Callable[[str, str, str | None], None],
    timeline: Timeline | None,
    boundary: str,
    missing_dates: str,
) -> dict[str, tuple[pd.Timestamp | None, str | None]]:
    """A claim's three dates (timestamp, event id); problems are reported through ``bad``."""
    dates: dict[str, tuple[pd.Timestamp | None, str | None]] = {}
    for name in ("as_of", "window_start", "window_end"):
        which = boundary if name == "window_start" else "day"
        text = get(name)
        ts, event_id, reason = _claim_date(text, timeline, which, missing_dates)
        if reason is not None:
            bad(name, reason, text)
        dates[name] = (ts, event_id)
    ws, we = dates["window_start"][0], dates["window_end"][0]
    if ws is not None and we is not None and we < ws:
        bad("window_end", f"is before window_start ({ws.date()})", get("window_end"))
    return dates


def _claim_qualifier(
    get: Callable[[str], str | None], bad: Callable[[str, str, str | None], None]
) -> str | None:
    """A claim's normalised qualifier (None, reported through ``bad``, when unknown).

    A ``fewer_than`` code whose words say "almost" / "nearly" (``qualifier_text``) is ``almost``:
    the words say which of the two ceilings the source meant.
    """
    qualifier_text, qualifier_raw = get("qualifier"), get("qualifier_raw")
    column = "qualifier" if qualifier_text is not None or qualifier_raw is None else "qualifier_raw"
    try:
        code = normalise_qualifier(get(column))
    except EventError as exc:
        bad(column, str(exc), get(column))
        return None
    if code == "fewer_than" and column == "qualifier" and qualifier_raw is not None:
        try:
            if normalise_qualifier(qualifier_raw) == "almost":
                return "almost"
        except EventError:
            pass  # free words beside a code: the code stands
    return code


def _warn_late_claims(path: Any, late: list[str]) -> None:
    """Warn about claims published before their windows end (they count later days)."""
    one = len(late) == 1
    warnings.warn(
        f"{path}: {len(late)} {'claim was' if one else 'claims were'} published (as_of) before "
        f"{'its window ends' if one else 'their windows end'} (counting days after "
        f"publication): {', '.join(late[:10])}",
        DataQualityWarning,
        stacklevel=3,
    )


def load_claims(
    path: str | Path | pd.DataFrame,
    timeline: Timeline | None = None,
    *,
    boundary: Literal["day", "first_full_day"] = "day",
    missing_dates: Literal["error", "keep"] = "error",
    delimiter: str | None = None,
    encoding: str | None = None,
    thousands: str | None = None,
) -> list[Claim]:
    """Read a claims table.

    Parameters
    ----------
    path : str, Path or DataFrame
        Columns (accepted names in brackets): ``as_of`` [published], ``window_start`` [from,
        start], ``window_end`` [to, end], ``value`` [figure] (all required); ``quantity``
        [measure] and/or ``quantity_text`` (at least one is required); ``qualifier`` and/or
        ``qualifier_text`` (both empty: exactly); ``region``, ``source``, ``url``, ``note``,
        ``id`` [claim_id]. Any other column is kept in :attr:`Claim.extra`. Dates are ISO dates
        or event ids of ``timeline``; values are numbers, whole for counts (every quantity but
        ``other``); ``1,089`` and ``1.089`` are ambiguous and rejected unless ``thousands``
        names the separator. When both a
        normalised column (``quantity``, ``qualifier``) and its ``*_text`` column are given, the
        normalised one is used when not empty (mapped if it is free text), else the text; the
        text is kept as the raw value.
    timeline : Timeline, optional
        Resolves event ids used as dates.
    boundary : {"day", "first_full_day"}
        A ``window_start`` given as an event id starts on the event's day (default) or on its
        first full day. ``window_end`` and ``as_of`` events always mean the event's day.
    missing_dates : {"error", "keep"}
        An empty ``as_of``/``window_start``/``window_end`` is an error (default), or is kept as
        None (the claim is then not :attr:`~Claim.checkable` when a window end is unknown).
        Vague text is always an error.
    delimiter, encoding : str, optional
        See :func:`trends.ingest.read_delimited`.
    thousands : str, optional
        The thousands separator of ``value`` (``","`` reads ``1,089`` as 1089).

    Returns
    -------
    list of Claim
        In file order.

    Raises
    ------
    MissingColumnsError
        A required column is absent.
    EventFileError
        A row is malformed: vague, empty or impossible date, unknown event id, unknown
        qualifier, value that is not a number, window end before its start, duplicate id. The
        error names the file, row and column of the first problem; ``issues`` lists every
        problem.

    Warns
    -----
    DataQualityWarning
        A claim's ``as_of`` is before its ``window_end`` (it counts days after it was made).
    """
    if boundary not in ("day", "first_full_day"):
        raise EventError(f"boundary must be 'day' or 'first_full_day', not {boundary!r}")
    if missing_dates not in ("error", "keep"):
        raise EventError(f"missing_dates must be 'error' or 'keep', not {missing_dates!r}")
    if thousands is not None and thousands not in (",", ".", " ", "'", "\u00a0", "\u202f"):
        raise EventError(f"thousands must be a separator such as ',' or '.', not {thousands!r}")
    raw = _load_raw(path, delimiter, encoding)
    cols = _resolve_aliases(list(raw.frame.columns), _CLAIM_ALIASES, _CLAIM_REQUIRED, raw.path)
    if "quantity" not in cols and "quantity_raw" not in cols:
        present = [c for c in raw.frame.columns if c != "_row"]
        raise MissingColumnsError(
            ["quantity"],
            suggest_columns(["quantity"], present),
            path=raw.path,
            hint="accepted names: 'quantity' or 'measure' (normalised), 'quantity_text'",
        )
    known = set(cols.values()) | {"_row"}
    extra_cols = [c for c in raw.frame.columns if c not in known]
    issues: list[RowIssue] = list(raw.issues)
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    late: list[str] = []
    for rec in raw.frame.to_dict("records"):
        row = int(rec["_row"])

        def get(name: str, rec=rec) -> str | None:
            return _clean(rec[cols[name]]) if name in cols else None

        def bad(name: str, reason: str, value: str | None, row=row) -> None:
            issues.append(RowIssue(row, cols.get(name, name), reason, value))

        n_before = len(issues)
        claim_id = get("id") or f"claim_{row}"
        if claim_id in seen:
            bad("id", f"duplicate claim id {claim_id!r} (first on row {seen[claim_id]})", claim_id)
        else:
            seen[claim_id] = row
        dates = _claim_dates(get, bad, timeline, boundary, missing_dates)
        ws, we = dates["window_start"][0], dates["window_end"][0]
        value_text = get("value")
        quantity_for_value = normalise_quantity(get("quantity") or get("quantity_raw"))
        value, reason = _claim_value(value_text, quantity_for_value, thousands)
        if reason is not None:
            bad("value", reason, value_text)
        quantity_text, quantity_raw = get("quantity"), get("quantity_raw")
        if quantity_text is None and quantity_raw is None:
            bad(
                "quantity" if "quantity" in cols else "quantity_raw",
                "is empty; say what is counted",
                None,
            )
        qualifier_text, qualifier_raw = get("qualifier"), get("qualifier_raw")
        qualifier = _claim_qualifier(get, bad)
        if len(issues) > n_before:
            continue
        as_of = dates["as_of"][0]
        claim = Claim(
            id=claim_id,
            as_of=as_of,
            window_start=ws,
            window_end=we,
            quantity=normalise_quantity(
                quantity_text if quantity_text is not None else quantity_raw
            ),
            value=value,
            qualifier=qualifier,
            region=get("region"),
            quantity_raw=quantity_raw if quantity_raw is not None else quantity_text,
            qualifier_raw=qualifier_raw if qualifier_raw is not None else qualifier_text,
            source=get("source"),
            url=get("url"),
            note=get("note"),
            window_start_event=dates["window_start"][1],
            window_end_event=dates["window_end"][1],
            row=row,
            extra={c: _clean(rec[c]) for c in extra_cols},
        )
        if as_of is not None and we is not None and as_of < we:
            late.append(f"row {row} ({claim.id})")
        claims.append(claim)
    _raise_issues(raw.with_lines(issues), raw.path)
    if late:
        _warn_late_claims(raw.path, late)
    return claims


_CLAIM_FRAME_COLUMNS = (
    "id",
    "as_of",
    "window_start",
    "window_end",
    "window_days",
    "region",
    "quantity",
    "quantity_raw",
    "value",
    "qualifier",
    "qualifier_raw",
    "source",
    "url",
    "note",
    "window_start_event",
    "window_end_event",
    "row",
    "checkable",
)


_NON_TEXT_CLAIM_COLUMNS = frozenset(
    {"as_of", "window_start", "window_end", "window_days", "value", "row", "checkable"}
)


def claims_frame(
    claims: Iterable[Claim] | str | Path | pd.DataFrame,
    timeline: Timeline | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Claims as a DataFrame, one row per claim.

    Parameters
    ----------
    claims : iterable of Claim, or a path
        Claims, or a file read with :func:`load_claims` (``timeline`` and ``kwargs`` are passed
        on).
    timeline : Timeline, optional
        Used when ``claims`` is a path.

    Returns
    -------
    DataFrame
        Columns ``id``, ``as_of``, ``window_start``, ``window_end`` (datetime64, NaT when
        unknown), ``window_days`` (Int64), ``region``, ``quantity``, ``quantity_raw``, ``value``
        (float64), ``qualifier``, ``qualifier_raw``, ``source``, ``url``, ``note``,
        ``window_start_event``, ``window_end_event``, ``row`` (Int64), ``checkable`` (bool),
        then the :attr:`Claim.extra` columns.
    """
    if isinstance(claims, (str, Path, pd.DataFrame)):
        claims = load_claims(claims, timeline, **kwargs)
    claims = list(claims)
    extra_cols: list[str] = []
    for c in claims:
        extra_cols.extend(
            k for k in c.extra if k not in extra_cols and k not in _CLAIM_FRAME_COLUMNS
        )
    rows = []
    for c in claims:
        rows.append(
            {
                "id": c.id,
                "as_of": c.as_of,
                "window_start": c.window_start,
                "window_end": c.window_end,
                "window_days": c.window_days,
                "region": c.region,
                "quantity": c.quantity,
                "quantity_raw": c.quantity_raw,
                "value": float(c.value),
                "qualifier": c.qualifier,
                "qualifier_raw": c.qualifier_raw,
                "source": c.source,
                "url": c.url,
                "note": c.note,
                "window_start_event": c.window_start_event,
                "window_end_event": c.window_end_event,
                "row": c.row,
                "checkable": c.checkable,
                **{k: c.extra.get(k) for k in extra_cols},
            }
        )
    out = pd.DataFrame(rows, columns=[*_CLAIM_FRAME_COLUMNS, *extra_cols])
    for col in ("as_of", "window_start", "window_end"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    out["value"] = out["value"].astype("float64")
    out["window_days"] = out["window_days"].astype("Int64")
    out["row"] = out["row"].astype("Int64")
    out["checkable"] = out["checkable"].astype("bool")
    text_cols = [
        c for c in (*_CLAIM_FRAME_COLUMNS, *extra_cols) if c not in _NON_TEXT_CLAIM_COLUMNS
    ]
    for col in text_cols:
        out[col] = out[col].astype("str")
    return out

"""Shared vocabulary of :mod:`trends.series`: measures, frequencies, days and periods.

Days are handled as ``int64`` day numbers since 1970-01-01 (fast, exact, no time zone); the
functions here convert dates to day numbers and back and find the period each day belongs to.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import EventError, InputError, MissingColumnsError
from trends.ingest import to_dates

__all__ = [
    "MEASURES",
    "DEFAULT_MEASURES",
    "COVERAGE_COLUMNS",
    "UNKNOWN_GROUP",
    "NO_FIGURE",
    "WEEKDAYS",
    "EPOCH",
    "BLOCK_DAYS",
    "RELATIVE_NAME",
    "DateLike",
    "Freq",
    "SeriesOrFrame",
    "parse_freq",
    "parse_anchor",
    "to_day",
    "day_to_ts",
    "days_to_index",
    "event_day",
    "require_columns",
    "as_list",
    "date_days",
    "not_reported_days",
    "month_day_in",
    "period_starts",
    "days_in_period",
]

#: Measure name -> incident-table column summed (``None``: computed from the rows).
MEASURES: dict[str, str | None] = {
    "attacks": None,
    "deaths_low": "civilian_deaths_low",
    "deaths_best": "civilian_deaths_best",
    "deaths_high": "civilian_deaths_high",
    "child_deaths": "child_deaths",
    "injured": "injured",
    "incidents_no_death_figure": None,
}
DEFAULT_MEASURES: tuple[str, ...] = (
    "attacks",
    "deaths_low",
    "deaths_best",
    "deaths_high",
    "child_deaths",
    "injured",
)
#: Per-period coverage columns added by :func:`count_series`.
COVERAGE_COLUMNS: tuple[str, ...] = ("days_in_period", "days_covered", "days_reported")
#: Label given to a missing or blank group value.
UNKNOWN_GROUP = "(unknown)"

NO_FIGURE = "incidents_no_death_figure"
FREQ_ALIASES: dict[str, str] = {
    "d": "D",
    "day": "D",
    "days": "D",
    "daily": "D",
    "w": "W",
    "week": "W",
    "weeks": "W",
    "weekly": "W",
    "m": "M",
    "ms": "M",
    "month": "M",
    "months": "M",
    "monthly": "M",
}
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
WEEKDAY_NAMES = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
RELATIVE_NAME = {"D": "relative_day", "W": "relative_week", "M": "relative_month"}
BLOCK_DAYS = {"D": 1, "W": 7, "M": 30}
EPOCH = np.datetime64("1970-01-01", "D")

Freq = Literal["D", "W", "M", "day", "week", "month"]
DateLike = str | pd.Timestamp | _dt.date | np.datetime64
SeriesOrFrame = pd.Series | pd.DataFrame


def parse_freq(freq: str) -> tuple[str, str | None]:
    """The period key and the anchor written inside the frequency.

    Parameters
    ----------
    freq : str
        ``"D"``, ``"W"``, ``"M"``, a word (``"week"``) or ``"W-SAT"``.

    Returns
    -------
    (str, str or None)
        ``"D"``, ``"W"`` or ``"M"``, and the anchor of ``"W-SAT"`` (else None).
    """
    if not isinstance(freq, str):
        raise InputError(f"freq must be 'D', 'W' or 'M' (or 'day', 'week', 'month'), not {freq!r}")
    text = freq.strip()
    anchor = None
    if "-" in text:
        text, anchor = text.split("-", 1)
    key = FREQ_ALIASES.get(text.lower())
    if key is None or (anchor is not None and key != "W"):
        raise InputError(f"freq must be 'D', 'W' or 'M' (or 'day', 'week', 'month'), not {freq!r}")
    return key, anchor


def parse_anchor(anchor: str | None) -> str:
    """The weekday abbreviation of a weekday name.

    Parameters
    ----------
    anchor : str or None
        An abbreviation or full name, any case (None: Monday).

    Returns
    -------
    str
        ``"MON"`` ... ``"SUN"``.
    """
    if anchor is None:
        return "MON"
    if isinstance(anchor, str):
        text = anchor.strip().upper()
        for key, full in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True):
            if text in (key, full):
                return key
    raise InputError(
        f"week_anchor must be a weekday such as 'MON' or 'SAT' (the first day of the week), "
        f"not {anchor!r}"
    )


def to_day(value: Any, what: str) -> int:
    """The day number since 1970-01-01 of a date-like value (time of day dropped).

    Parameters
    ----------
    value : date-like
        The date.
    what : str
        What it is, for the error message.

    Returns
    -------
    int
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        raise InputError(f"{what} is missing")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what} is not a date: {value!r}") from exc
    if ts is pd.NaT:
        raise InputError(f"{what} is not a date: {value!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int((np.datetime64(ts.date(), "D") - EPOCH).astype(np.int64))


def day_to_ts(day: int) -> pd.Timestamp:
    """The Timestamp of a day number.

    Parameters
    ----------
    day : int
        Days since 1970-01-01.

    Returns
    -------
    pandas.Timestamp
    """
    return pd.Timestamp(EPOCH + np.timedelta64(int(day), "D"))


def days_to_index(days: np.ndarray, name: str = "date") -> pd.DatetimeIndex:
    """A DatetimeIndex of day numbers.

    Parameters
    ----------
    days : numpy.ndarray
        Days since 1970-01-01.
    name : str
        Name of the index.

    Returns
    -------
    pandas.DatetimeIndex
    """
    values = (EPOCH + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")).astype(
        "datetime64[ns]"
    )
    return pd.DatetimeIndex(values, name=name)


def event_day(event_or_date: Any) -> int:
    """The day number of an event (``.start``, else ``.date``), a Timestamp or a date string.

    Parameters
    ----------
    event_or_date : object
        The event or date.

    Returns
    -------
    int
    """
    value = event_or_date
    if not isinstance(value, str | _dt.date | np.datetime64):
        for attr in ("start", "date"):  # an event object, or a row of an events table
            found = getattr(value, attr, None)
            if found is not None and not callable(found):
                value = found
                break
    try:
        return to_day(value, "event date")
    except InputError as exc:
        raise EventError(
            f"cannot resolve the event date of {event_or_date!r}: give a Timestamp, a date "
            "string or an event with a `.start` Timestamp"
        ) from exc


def suggest(missing: Sequence[str], present: Iterable[Hashable]) -> dict[str, list[str]]:
    """Close column names for each missing one.

    Parameters
    ----------
    missing : sequence of str
        Names not found.
    present : iterable
        Names there.

    Returns
    -------
    dict
    """
    names = [str(c) for c in present]
    return {m: difflib.get_close_matches(m, names, n=3, cutoff=0.6) for m in missing}


def require_columns(frame: pd.DataFrame, columns: Sequence[str], hint: str | None = None) -> None:
    """Raise :class:`~trends.errors.MissingColumnsError` when a column is absent.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : sequence of str
        Required columns.
    hint : str, optional
        Added to the message.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(missing, suggest(missing, frame.columns), hint=hint)


def as_list(by: str | Sequence[str] | None) -> list[str] | None:
    """The grouping columns as a list (None when there are none).

    Parameters
    ----------
    by : str, sequence of str or None
        Column(s).

    Returns
    -------
    list of str or None
    """
    if by is None:
        return None
    if isinstance(by, str):
        return [by]
    out = list(by)
    if not out:
        return None
    if len(set(out)) != len(out):
        raise InputError(f"by has repeated columns: {out!r}")
    return out


def date_days(frame: pd.DataFrame, column: str, *, allow_missing: bool) -> np.ndarray:
    """Day numbers of a date column.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    column : str
        The date column.
    allow_missing : bool
        Missing dates give -1 (else they raise, with the row).

    Returns
    -------
    numpy.ndarray
    """
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
    else:
        # Read as every reader does: a numeric day/month date is never guessed.
        parsed = to_dates(raw.reset_index(drop=True), column=column, allow_missing=True)
    missing = parsed.isna().to_numpy()
    if missing.any() and not allow_missing:
        row = int(np.flatnonzero(missing)[0]) + 1
        raise InputError(
            "the date is missing: the incident cannot be placed", row=row, column=column
        )
    days = parsed.dt.normalize().to_numpy(dtype="datetime64[D]", na_value=np.datetime64("NaT"))
    out = np.full(len(frame), -1, dtype=np.int64)
    ok = ~missing
    out[ok] = (days[ok] - EPOCH).astype(np.int64)
    return out


def not_reported_days(not_reported: Any) -> list[tuple[int, int]]:
    """The not-reported periods as inclusive ``(first day, last day)`` day numbers.

    Parameters
    ----------
    not_reported : list of (start, end), DataFrame, date or None
        Periods (a single date is one day).

    Returns
    -------
    list of (int, int)
    """
    if not_reported is None:
        return []
    if isinstance(not_reported, pd.DataFrame):
        require_columns(
            not_reported, ["start", "end"], hint="not_reported needs 'start' and 'end' columns"
        )
        pairs: list[Any] = list(
            zip(not_reported["start"].tolist(), not_reported["end"].tolist(), strict=True)
        )
    elif (
        isinstance(not_reported, tuple)
        and len(not_reported) == 2
        and not any(isinstance(x, list | tuple) for x in not_reported)
    ):
        pairs = [not_reported]  # one (start, end) period
    elif isinstance(not_reported, str | pd.Timestamp | _dt.date | np.datetime64):
        pairs = [(not_reported, not_reported)]
    else:
        pairs = list(not_reported)
    out = []
    for i, item in enumerate(pairs):
        if isinstance(item, list | tuple):
            if len(item) != 2:
                raise InputError(
                    f"not_reported period {i + 1} is not a (start, end) pair: {item!r}"
                )
            a, b = item
        else:
            a = b = item  # a single day
        s = to_day(a, f"start of not_reported period {i + 1}")
        e = to_day(b, f"end of not_reported period {i + 1}")
        if e < s:
            raise InputError(
                f"not_reported period {i + 1} ends ({day_to_ts(e).date()}) before it starts "
                f"({day_to_ts(s).date()})"
            )
        out.append((s, e))
    return out


def month_day_in(months: np.ndarray, month_day: int) -> np.ndarray:
    """Day number of day ``month_day`` of each month (``datetime64[M]``), clipped to its length.

    Parameters
    ----------
    months : numpy.ndarray
        Months as ``datetime64[M]``.
    month_day : int
        Day of the month (1 to 31); 31 in a 30-day month is its 30th.

    Returns
    -------
    numpy.ndarray
        ``int64`` day numbers since 1970-01-01.
    """
    first = (months.astype("datetime64[D]") - EPOCH).astype(np.int64)
    nxt = ((months + 1).astype("datetime64[D]") - EPOCH).astype(np.int64)
    return first + np.minimum(int(month_day), nxt - first) - 1


def period_starts(days: np.ndarray, freq: str, anchor: int, month_day: int = 1) -> np.ndarray:
    """First day of the period containing each day.

    Parameters
    ----------
    days : numpy.ndarray
        Day numbers since 1970-01-01.
    freq : {"D", "W", "M"}
        Period.
    anchor : int
        First weekday of a week (Monday = 0).
    month_day : int, default 1
        Day of the month on which a month starts (1: calendar months; 10: from the 10th to the
        9th of the next month; a day past a month's end is its last day).

    Returns
    -------
    numpy.ndarray
        ``int64`` day number of the first day of each day's period.
    """
    days = np.asarray(days, dtype=np.int64)
    if freq == "D":
        return days
    if freq == "W":
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        return days - (weekday - anchor) % 7
    months = (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[M]")
    this = month_day_in(months, month_day)
    return np.where(days >= this, this, month_day_in(months - 1, month_day))


def days_in_period(starts: np.ndarray, freq: str, month_day: int = 1) -> np.ndarray:
    """Length in days of each period starting on ``starts`` (see :func:`period_starts`).

    Parameters
    ----------
    starts : numpy.ndarray
        First days of periods (day numbers).
    freq : {"D", "W", "M"}
        Period.
    month_day : int, default 1
        Day of the month on which months start.

    Returns
    -------
    numpy.ndarray
        ``int64`` number of days of each whole period.
    """
    starts = np.asarray(starts, dtype=np.int64)
    if freq == "D":
        return np.ones(len(starts), dtype=np.int64)
    if freq == "W":
        return np.full(len(starts), 7, dtype=np.int64)
    months = (EPOCH + starts.astype("timedelta64[D]")).astype("datetime64[M]")
    return month_day_in(months + 1, month_day) - starts

"""Regular period series: frequency codes, period starts, timestamps, first post period.

Shared by the interrupted time series (:mod:`trends.models.its`) and the rate comparison
(:mod:`trends.models.rates`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, InsufficientDataError

__all__ = [
    "FREQ_ADJ",
    "FREQ_UNITS",
    "detect_frequency",
    "first_post_position",
    "period_starts",
    "to_timestamp",
]

#: Unit of each frequency code, in words.
FREQ_UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}

#: Adjective of each frequency code.
FREQ_ADJ = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}

_ONE_DAY = np.timedelta64(1, "D")
_ONE_WEEK = np.timedelta64(7, "D")


def detect_frequency(index: pd.DatetimeIndex) -> str:
    """The frequency of a regular date index: one of ``D``, ``W``, ``M``, ``Q``, ``Y``.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Sorted period labels.

    Returns
    -------
    str
        The frequency code.

    Raises
    ------
    trends.errors.InsufficientDataError
        Fewer than two periods.
    trends.errors.InputError
        Irregular spacing (missing or duplicated periods) or an unknown frequency.
    """
    if len(index) < 2:
        raise InsufficientDataError("the series needs at least two periods")
    # fast path (exact spacing of one day or one week: the common case), same answer as below
    steps = np.diff(index.values)
    if np.all(steps == _ONE_DAY):
        return "D"
    if np.all(steps == _ONE_WEEK):
        return "W"
    deltas = pd.Series(index[1:] - index[:-1])
    dd = deltas.dt.total_seconds().to_numpy() / 86400.0
    med = float(np.median(dd))
    if abs(med - 1.0) < 1e-9:
        freq = "D"
        ok = np.allclose(dd, 1.0)
    elif abs(med - 7.0) < 1e-9:
        freq = "W"
        ok = np.allclose(dd, 7.0)
    else:
        freq = {True: "M"}.get(27.5 <= med <= 31.5)
        if freq is None:
            freq = "Q" if 88.5 <= med <= 92.5 else ("Y" if 364.5 <= med <= 366.5 else None)
        if freq is None:
            raise InputError(
                f"cannot recognise the series frequency (median spacing {med:g} days); "
                "use a daily, weekly, monthly, quarterly or yearly series"
            )
        per = index.to_period(freq)
        ok = bool(np.all(np.diff(per.asi8) == 1))
    if not ok:
        raise InputError(
            "the series index is not regular (missing or duplicated periods); reindex it to a "
            "complete grid with NaN for periods that were not reported"
        )
    return freq


def period_starts(index: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """Start of each period (daily and weekly labels are their start; months, quarters and
    years stand for the calendar period containing them).

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Period labels.
    freq : str
        Frequency code from :func:`detect_frequency`.

    Returns
    -------
    pandas.DatetimeIndex
        The period starts.
    """
    if freq in ("D", "W"):
        return index.normalize()
    return index.to_period(freq).start_time


def to_timestamp(value: Any, what: str, tz: Any = None) -> pd.Timestamp:
    """A timestamp without time zone.

    Aware times are expressed in ``tz`` (the series' zone) when given, else taken at their local
    wall-clock time.

    Parameters
    ----------
    value : date-like
        The value to read.
    what : str
        What it is, for the error message.
    tz : tzinfo or str, optional
        The series' time zone.

    Returns
    -------
    pandas.Timestamp
        A naive timestamp.

    Raises
    ------
    trends.errors.InputError
        Unreadable or missing value.
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot read {what} {value!r} as a date") from exc
    if pd.isna(ts):
        raise InputError(f"{what} is missing")
    if ts.tzinfo is not None:
        if tz is not None:
            ts = ts.tz_convert(tz)
        ts = ts.tz_localize(None)
    return ts


def first_post_position(starts: pd.DatetimeIndex, when: pd.Timestamp) -> int:
    """Position of the first period whose start is on or after ``when``'s calendar date.

    Parameters
    ----------
    starts : pandas.DatetimeIndex
        Start of each period (sorted).
    when : pandas.Timestamp
        Intervention time (a time of day is ignored: the date counts).

    Returns
    -------
    int
        0-based position; ``len(starts)`` when every period starts before ``when``.
    """
    day = when.normalize()
    return int(np.searchsorted(starts.to_numpy(), np.datetime64(day.to_datetime64()), side="left"))

"""The time axis of a regular series (dates, periods or years) and period labels in words.

Used by the change-point detection (:mod:`trends.models.changepoint`) and its results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import EventError, InputError

__all__ = [
    "TimeAxis",
    "display_reference",
    "fmt_label",
    "fmt_range",
    "plural",
    "resolve_reference",
    "unit_of",
]


@dataclass(frozen=True)
class TimeAxis:
    """Positions of a regular series: labels, integer ordinals (one per period) and units.

    Attributes
    ----------
    index : pandas.Index
        The series' labels.
    ordinals : numpy.ndarray
        One integer per period (consecutive for a regular series).
    kind : str
        ``"datetime"``, ``"period"`` or ``"integer"``.
    unit : str
        Period unit in words (``"day"``, ``"week"``, ``"year"``...).
    periods : pandas.PeriodIndex or None
        The periods of a date index.
    step : int
        Step of an integer index.
    """

    index: pd.Index
    ordinals: np.ndarray
    kind: str  # "datetime", "period" or "integer"
    unit: str
    periods: pd.PeriodIndex | None = None
    step: int = 1
    #: Months that start on another day than the 1st (``anchor`` of a monthly series): each label
    #: starts its month, which runs to the day before the next label; ``month_shift`` is the
    #: anchor day minus 1 (0 for calendar months).
    month_shift: int = 0

    @classmethod
    def from_index(cls, index: pd.Index, name: str | None) -> TimeAxis:
        """The axis of a DatetimeIndex, PeriodIndex or integer index with a constant step.

        Parameters
        ----------
        index : pandas.Index
            The series' index.
        name : str or None
            Series name, for errors.

        Returns
        -------
        TimeAxis
            The axis.

        Raises
        ------
        trends.errors.InputError
            An irregular, unsorted or unsupported index.
        """
        if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
            if not index.is_monotonic_increasing or not index.is_unique:
                raise InputError("the date index must be increasing without repeats", column=name)
            shift = 0
            if isinstance(index, pd.DatetimeIndex):
                periods, shift = _date_periods(index, name)
                kind = "datetime"
            else:
                periods = index
                kind = "period"
            ordinals = np.asarray(periods.asi8, dtype=np.int64)
            if not _consecutive(ordinals):
                raise InputError(
                    f"the date index has gaps or a frequency mismatch (its labels are "
                    f"{unit_of(periods.freqstr)}s, but not one after another); reindex it to a "
                    f"complete grid of {unit_of(periods.freqstr)}s (e.g. series.asfreq(...)) so "
                    "that unreported periods are NaN",
                    column=name,
                )
            return cls(index, ordinals, kind, unit_of(periods.freqstr), periods, month_shift=shift)
        if pd.api.types.is_integer_dtype(index.dtype):
            values = np.asarray(index, dtype=np.int64)
            steps = np.diff(values)
            step = int(steps[0]) if steps.size else 1
            if steps.size and (step <= 0 or np.any(steps != step)):
                raise InputError(
                    "an integer index must increase by a constant step (e.g. consecutive years)",
                    column=name,
                )
            ordinals = (values - values[0]) // step
            yearish = (
                step == 1 and values.size > 0 and values.min() >= 1000 and values.max() <= 3000
            )
            return cls(index, ordinals, "integer", "year" if yearish else "period", None, step)
        raise InputError(
            "the series needs a regular DatetimeIndex, PeriodIndex or integer (e.g. year) index",
            column=name,
        )

    def ordinal_of(self, when: Any) -> int:
        """Ordinal of the period that contains ``when``."""
        if self.kind == "integer":
            if isinstance(when, (pd.Timestamp, np.datetime64)) or hasattr(when, "year"):
                if self.unit != "year":
                    raise EventError(
                        "a date reference needs a date index (or a year index); got "
                        f"{when!r} for an integer index"
                    )
                when = pd.Timestamp(when).year
            try:
                value = float(when)
            except (TypeError, ValueError) as exc:
                raise EventError(
                    f"cannot place the reference {when!r} on an integer index"
                ) from exc
            first = int(self.index[0]) if len(self.index) else 0
            return int(math.floor((value - first) / self.step))
        try:
            ts = pd.Timestamp(when)
        except (TypeError, ValueError) as exc:
            raise EventError(f"cannot read the reference date {when!r}") from exc
        if pd.isna(ts):
            raise EventError("the reference date is missing")
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        assert self.periods is not None
        if self.month_shift:  # anchored months: a period runs from its label to the next one
            labels = _naive(pd.DatetimeIndex(self.index))
            pos = int(np.searchsorted(labels.values, ts.to_datetime64(), side="right")) - 1
            if 0 <= pos < len(labels):
                return int(self.ordinals[pos])
            ts = ts - pd.Timedelta(days=self.month_shift)
        return int(pd.Period(ts, freq=self.periods.freq).ordinal)

    def label_of_ordinal(self, ordinal: int) -> Any:
        """Label of a period given its ordinal (it may lie outside the series)."""
        if self.kind == "integer":
            return int(self.index[0]) + int(ordinal) * self.step
        assert self.periods is not None
        period = pd.Period(ordinal=int(ordinal), freq=self.periods.freq)
        if self.kind == "period":
            return period
        pos = int(ordinal - self.ordinals[0])
        if 0 <= pos < len(self.index):
            return self.index[pos]
        return period.start_time + pd.Timedelta(days=self.month_shift)

    def start_time(self, pos: int) -> pd.Timestamp | None:
        """Start of the period at position ``pos`` (None for an integer index)."""
        if self.periods is None:
            return None
        if self.month_shift:
            return _naive(pd.DatetimeIndex(self.index))[pos].normalize()
        return self.periods[pos].start_time


def _naive(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return index.tz_localize(None) if index.tz is not None else index


def _consecutive(ordinals: np.ndarray) -> bool:
    return ordinals.size < 2 or bool(np.all(np.diff(ordinals) == 1))


#: pandas names of the weekdays (a weekly period "W-SUN" ends on Sunday).
_WEEKDAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def _spacing_periods(index: pd.DatetimeIndex) -> tuple[pd.PeriodIndex, int] | None:
    """The periods of a date index read from the spacing of its labels, each label the first
    day of its period (``None`` when the spacing is not of days, weeks, months, quarters or
    years, or the labels carry a time of day).

    The index's own ``freq`` is not used: a weekly index built with ``freq="7D"`` (as
    ``date_range(..., freq="7D")`` or a resample by 7 days gives, and as count series carry) is
    a series of weeks, not of days 7 apart, and a week labelled by its first day must not be
    read as the pandas week that ends on that day (only an explicit pandas weekly offset,
    ``freq="W-SUN"``, says that its labels end their weeks). Returns the periods and the
    months' shift (see :attr:`TimeAxis.month_shift`).
    """
    naive = _naive(index)
    if len(naive) < 2 or not bool(np.all(naive == naive.normalize())):
        return None
    days = naive.values.astype("datetime64[D]").astype(np.int64)
    steps = np.diff(days)
    step = int(steps.min())
    if step == 1:
        return naive.to_period("D"), 0
    if step == 7 and bool(np.all(steps % 7 == 0)):
        # weeks that start on the labels' weekday: the pandas week that ends the day before
        last = _WEEKDAY_NAMES[(int(naive[0].weekday()) - 1) % 7]
        return naive.to_period(f"W-{last}"), 0
    if 28 <= step <= 31:
        if bool(np.all(naive.day == 1)) or bool(np.all(naive.is_month_end)):
            return naive.to_period("M"), 0
        # months starting on another day (an anchor): the day shared by the labels (a label
        # capped at a short month's end is earlier)
        shift = int(naive.day.max()) - 1
        return naive.to_period("M"), shift
    if 89 <= step <= 92:
        return naive.to_period("Q"), 0
    if 365 <= step <= 366:
        return naive.to_period("Y"), 0
    return None


def _date_periods(index: pd.DatetimeIndex, name: str | None) -> tuple[pd.PeriodIndex, int]:
    """The periods of a DatetimeIndex (see :func:`_spacing_periods`; otherwise pandas' own
    frequency of the index, e.g. business days or hours) and the months' shift."""
    offset = getattr(index, "freq", None)
    if isinstance(offset, pd.offsets.Week) and offset.weekday is not None:
        read = None  # pandas weeks ending on a weekday ("W-SUN", as resample("W") labels them)
    else:
        read = _spacing_periods(index)
    if read is not None and _consecutive(np.asarray(read[0].asi8)):
        return read
    try:
        own = _naive(index).to_period()
    except (ValueError, TypeError, AttributeError) as exc:
        if read is not None:  # gaps in a series of days, weeks or months: said by the caller
            return read
        raise InputError(
            "the date index is not regular (no daily/weekly/monthly frequency could be "
            "inferred); reindex it to a complete grid of periods (e.g. series.asfreq('D')) so "
            "that unreported periods are NaN",
            column=name,
        ) from exc
    if read is not None and not _consecutive(np.asarray(own.asi8)):
        return read
    return own, 0


def unit_of(freqstr: str) -> str:
    """Unit in words of a pandas frequency string (``"D"`` -> ``"day"``)."""
    f = freqstr.upper()
    if f.startswith("D") or f.startswith("B"):
        return "day"
    if f.startswith("W"):
        return "week"
    if f.startswith("M"):
        return "month"
    if f.startswith("Q"):
        return "quarter"
    if f.startswith("Y") or f.startswith("A"):
        return "year"
    if f.startswith("H"):
        return "hour"
    return "period"


def plural(k: int, unit: str) -> str:
    """``"1 day"``, ``"3 days"``.

    Parameters
    ----------
    k : int
        The number.
    unit : str
        The unit (singular).

    Returns
    -------
    str
        The words.
    """
    return f"{k} {unit}" + ("" if abs(k) == 1 else "s")


def fmt_label(label: Any, unit: str) -> str:
    """A period label in words (ISO date, ``2019-08`` for a month...).

    Parameters
    ----------
    label : object
        Timestamp, Period or integer label.
    unit : str
        Period unit.

    Returns
    -------
    str
        The label.
    """
    if isinstance(label, pd.Timestamp):
        if unit == "month":
            return f"{label:%Y-%m}"
        if unit == "year":
            return f"{label:%Y}"
        if label == label.normalize():
            return label.date().isoformat()
        return label.isoformat()
    return str(label)


def fmt_range(lo: Any, hi: Any, unit: str) -> str:
    """A range of period labels (``"29 Aug–2 Sep 2019"``).

    Parameters
    ----------
    lo, hi : object
        First and last labels.
    unit : str
        Period unit.

    Returns
    -------
    str
        The range.
    """
    if lo == hi:
        return fmt_label(lo, unit)
    if isinstance(lo, pd.Timestamp) and isinstance(hi, pd.Timestamp) and unit in ("day", "week"):
        if lo.year == hi.year:
            return f"{lo.day} {lo:%b}–{hi.day} {hi:%b} {hi.year}"
        return f"{lo.day} {lo:%b} {lo.year}–{hi.day} {hi:%b} {hi.year}"
    return f"{fmt_label(lo, unit)}–{fmt_label(hi, unit)}"


def resolve_reference(reference: Any) -> tuple[Any, str | None]:
    """``(when, name)`` from a date, a label, or an object with ``.start`` and ``.name``/``.id``."""
    if reference is None:
        raise EventError("no reference given")
    if hasattr(reference, "start") and not isinstance(reference, (pd.Timestamp, pd.Period)):
        when = reference.start
        name = None
        for attr in ("name", "label", "id"):
            value = getattr(reference, attr, None)
            if value:
                name = str(value)
                break
        return when, name
    if isinstance(reference, pd.Period):
        return reference.start_time, None
    return reference, None


def display_reference(when: Any, axis: TimeAxis) -> Any:
    """The reference as given, normalised for display (Timestamp for dates, int for years).

    Parameters
    ----------
    when : object
        The reference date or number.
    axis : TimeAxis
        The series' axis.

    Returns
    -------
    object
        A Timestamp, an int or the value as given.
    """
    if axis.kind == "integer":
        if isinstance(when, (pd.Timestamp, np.datetime64)) or hasattr(when, "year"):
            return pd.Timestamp(when)
        try:
            value = float(when)
        except (TypeError, ValueError):
            return when
        return int(value) if value == int(value) else value
    ts = pd.Timestamp(when)
    return ts.tz_localize(None) if ts.tzinfo is not None else ts

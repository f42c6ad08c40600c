"""Periods that count right: anchored weeks and months, partial periods, end-labelled indexes.

A weekly or monthly series is a sum of days. Three things decide whether its totals are honest:

- **the anchor**: which day starts a period. ``anchor=None`` gives ISO weeks (Monday) and
  calendar months; a weekday (``"SAT"``) starts weeks on that day; a day of the month (``10``)
  starts months on that day (a day past a month's end is its last day); a **date** (typically the
  intervention) starts weeks on its weekday and months on its day of the month, so that the
  intervention starts a period and no period mixes "before" and "after" days;
- **exposure**: a period cut by the window holds fewer days (``exposure`` < ``period_days``); its
  count is for those days only, so models must carry it (offset ``log(exposure)``) or drop it;
- **labels**: periods are labelled by their **first** day. pandas ``resample("W")`` labels weeks
  by their **last** day (Sunday) and ``resample("M")`` months by their last day:
  :func:`start_labels` detects such an index from its ``freq`` and converts it, and refuses a
  weekly index labelled on Sundays whose convention it cannot tell.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import InputError
from trends.series._base import (
    EPOCH,
    WEEKDAYS,
    days_in_period,
    days_to_index,
    parse_anchor,
    parse_freq,
    period_starts,
    to_day,
)

__all__ = [
    "PeriodRule",
    "period_rule",
    "aggregate_days",
    "start_labels",
    "infer_freq",
    "refuse_number",
]

Label = Literal["start", "end"]


@dataclass(frozen=True)
class PeriodRule:
    """How days are grouped into periods.

    Attributes
    ----------
    key : {"D", "W", "M"}
        Day, week or month.
    weekday : int
        First weekday of a week (Monday = 0).
    month_day : int
        Day of the month on which months start (1 = calendar months).
    """

    key: str
    weekday: int = 0
    month_day: int = 1

    @property
    def freq(self) -> str:
        """The frequency as a string: ``"D"``, ``"W-SAT"``, ``"MS"`` or ``"MS-10"``."""
        if self.key == "D":
            return "D"
        if self.key == "W":
            return f"W-{WEEKDAYS[self.weekday]}"
        return "MS" if self.month_day == 1 else f"MS-{self.month_day}"

    @property
    def unit(self) -> str:
        """``"day"``, ``"week"`` or ``"month"``."""
        return {"D": "day", "W": "week", "M": "month"}[self.key]

    def describe(self) -> str:
        """The rule in words, e.g. "weeks from Saturday to Friday"."""
        if self.key == "D":
            return "days"
        if self.key == "W":
            first = pd.Timestamp("2024-01-01") + pd.Timedelta(days=self.weekday)
            last = first + pd.Timedelta(days=6)
            return f"weeks from {first:%A} to {last:%A}"
        if self.month_day == 1:
            return "calendar months"
        return f"months starting on day {self.month_day} of the month"


def period_rule(freq: str, anchor: Any = None) -> PeriodRule:
    """The :class:`PeriodRule` of a frequency and an anchor.

    Parameters
    ----------
    freq : str
        ``"D"``, ``"W"`` (or ``"W-SAT"``), ``"M"`` / ``"MS"`` (or ``"MS-10"``), or the words
        ``"day"``, ``"week"``, ``"month"``.
    anchor : None, str, int or date-like
        ``None``: Monday weeks and calendar months (or the anchor inside ``freq``); a weekday
        name: weeks start that day; an int: months start that day of the month; a date: weeks
        start on its weekday and months on its day of the month (so the date starts a period).

    Returns
    -------
    PeriodRule

    Raises
    ------
    InputError
        An unknown frequency, or an anchor that cannot be read.
    """
    text = str(freq).strip() if isinstance(freq, str) else freq
    month_day = 1
    if isinstance(text, str) and text.upper().startswith("MS-"):
        day_text = text[3:]
        if not day_text.isdigit() or not 1 <= int(day_text) <= 31:
            raise InputError(f"freq {freq!r}: the month's first day must be 1 to 31")
        text, month_day = "M", int(day_text)
    elif isinstance(text, str) and text.upper() == "MS":
        text = "M"
    key, inner = parse_freq(text)
    rule = PeriodRule(key, WEEKDAYS.index(parse_anchor(inner)), month_day)
    if anchor is None:
        return rule
    if key == "D":
        return rule
    if isinstance(anchor, int | np.integer) and not isinstance(anchor, bool):
        if key != "M" or not 1 <= int(anchor) <= 31:
            raise InputError(f"an integer anchor is a day of the month (1 to 31), not {anchor!r}")
        return PeriodRule(key, rule.weekday, int(anchor))
    if isinstance(anchor, str) and anchor.strip().upper() in _WEEKDAY_WORDS:
        if key != "W":
            raise InputError(f"a weekday anchor ({anchor!r}) is for weekly periods")
        return PeriodRule(key, WEEKDAYS.index(parse_anchor(anchor)), 1)
    when = getattr(anchor, "start", anchor)
    if not isinstance(when, str | pd.Timestamp | _dt.date | np.datetime64):
        raise InputError(f"cannot read the anchor {anchor!r} as a weekday or a date")
    day = to_day(when, "anchor")
    ts = pd.Timestamp(EPOCH + np.timedelta64(day, "D"))
    if key == "W":
        return PeriodRule(key, ts.weekday(), 1)
    return PeriodRule(key, rule.weekday, ts.day)


_WEEKDAY_WORDS = {
    *WEEKDAYS,
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
    "SUNDAY",
}


def aggregate_days(
    daily: pd.DataFrame, rule: PeriodRule
) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    """Sum a daily frame into the periods of ``rule``.

    Parameters
    ----------
    daily : pandas.DataFrame
        Consecutive days (DatetimeIndex) by measures; NaN = not reported.
    rule : PeriodRule
        The periods.

    Returns
    -------
    (counts, exposure, period_days, reported)
        ``counts``: per period, the sum of its days (NaN when any of its days is not reported);
        ``exposure``: days of the period inside the series; ``period_days``: days of the whole
        period; ``reported``: no day of the period is missing in every measure.
    """
    days = (daily.index.values.astype("datetime64[D]") - EPOCH).astype(np.int64)
    if len(days) > 1 and not np.all(np.diff(days) == 1):
        raise InputError("aggregate_days needs consecutive days")
    starts = period_starts(days, rule.key, rule.weekday, rule.month_day)
    bounds = np.flatnonzero(np.r_[True, starts[1:] != starts[:-1]]) if len(days) else np.array([])
    bounds = bounds.astype(np.int64)
    pstarts = starts[bounds]
    index = days_to_index(pstarts)
    values = daily.to_numpy(dtype=np.float64, na_value=np.nan)
    if len(days):
        sums = np.add.reduceat(values, bounds, axis=0)  # NaN propagates: a period with a gap
        exposure = np.add.reduceat(np.ones(len(days), dtype=np.int64), bounds)
    else:
        sums = values
        exposure = np.zeros(0, dtype=np.int64)
    counts = pd.DataFrame(sums, index=index, columns=daily.columns)
    reported = pd.Series(~np.all(np.isnan(sums), axis=1) if sums.size else [], index=index)
    return (
        counts,
        pd.Series(exposure, index=index, name="exposure"),
        pd.Series(days_in_period(pstarts, rule.key, rule.month_day), index=index, name="days"),
        reported.astype(bool).rename("reported"),
    )


def infer_freq(index: pd.DatetimeIndex) -> str | None:
    """``"D"``, ``"W"``, ``"M"`` from a sorted index's spacing, or None when irregular.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Sorted dates.

    Returns
    -------
    str or None
    """
    if len(index) < 2:
        return "D"
    days = (index.values.astype("datetime64[D]") - EPOCH).astype(np.int64)
    gaps = np.diff(days)
    if np.all(gaps >= 1) and gaps.min() == 1:
        return "D"
    if np.all(gaps % 7 == 0) and gaps.min() == 7:
        return "W"
    if len(set(index.day)) == 1 or _all_month_ends(index):
        return "M"
    return None


def _all_month_ends(index: pd.DatetimeIndex) -> bool:
    return bool(np.all(index.is_month_end))


def start_labels(
    index: pd.DatetimeIndex, freq: str, label: Label | None = None
) -> tuple[pd.DatetimeIndex, str | None]:
    """Relabel a weekly or monthly index by the first day of each period.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        The index as given (its ``freq`` attribute is read when present).
    freq : {"D", "W", "M"}
        The series' period.
    label : {"start", "end"}, optional
        The convention, when known. Without it: an index whose ``freq`` is a pandas weekly
        offset (``resample("W")``: week end) or a month-end offset is converted; monthly dates
        that are all last days of their month are converted; weekly dates on Sundays are refused
        (pandas labels weeks by their last day, Sunday, and many calendars start weeks on
        Sunday: which one cannot be told); any other weekday is taken as the first day.

    Returns
    -------
    (DatetimeIndex, str or None)
        The start-labelled index and, when a choice was made, the sentence that says it.

    Raises
    ------
    InputError
        An unknown ``label``, or an ambiguous weekly index.
    """
    if label not in (None, "start", "end"):
        raise InputError(f"label must be 'start' or 'end', not {label!r}")
    offset = getattr(index, "freq", None)
    index = pd.DatetimeIndex(index).normalize()
    if freq == "D" or len(index) == 0:
        return index, None
    if label is None and offset is not None:
        if isinstance(offset, pd.offsets.Week) and offset.weekday is not None:
            label = "end"
        elif isinstance(offset, pd.offsets.MonthEnd):
            label = "end"
    if freq == "W":
        return _week_starts(index, label)
    if label == "end" or (label is None and _all_month_ends(index) and not np.all(index.day == 1)):
        starts = index.to_period("M").start_time
        note = "monthly dates are the last day of each month: relabelled by the month's first day"
        return pd.DatetimeIndex(starts).normalize(), note
    return index, None


def _week_starts(
    index: pd.DatetimeIndex, label: Label | None
) -> tuple[pd.DatetimeIndex, str | None]:
    if label == "end":
        note = (
            "weekly dates are the last day of each week (as pandas resample('W') writes them): "
            "relabelled by the week's first day"
        )
        return index - pd.Timedelta(days=6), note
    if label == "start":  # as the caller says: nothing relabelled, nothing to note
        return index, None
    if np.all(index.day_of_week == 6):
        raise InputError(
            "the weekly dates are all Sundays: pandas resample('W') labels a week by its LAST day "
            "(Sunday), while some calendars start weeks on Sunday, so which days each week holds "
            "cannot be told. Say it: label='end' (the date ends its week) or label='start'"
        )
    day_name = f"{index[0]:%A}" if len(set(index.day_of_week)) == 1 else "the given day"
    return index, f"weekly dates taken as the first day of each week ({day_name})"


def refuse_number(value: Any, what: str) -> None:
    """Refuse a number given as a date (``pd.Timestamp(20220701)`` is a nanosecond in 1970).

    Parameters
    ----------
    value : Any
        What was given.
    what : str
        What it should be the date of, for the message ("the intervention").

    Raises
    ------
    InputError
        ``value`` is an int or a float (not a bool).
    """
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        raise InputError(
            f"cannot read {value!r} as the date of {what}: give it as text 'YYYY-MM-DD' "
            "(e.g. '2022-07-01'), a datetime or a pandas Timestamp"
        )

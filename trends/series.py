"""Zero-filled count series from the canonical incident table.

The incident table (:mod:`trends.schema`) has one row per incident. The models need *counts per
period*: how many attacks, how many civilian deaths, on every day (or week, or month) of a requested
range, including the days on which nothing was reported (zero) and excluding the days on which the
source was not reporting at all (missing). This module builds those series and a few helpers
around them (cumulative counts since an event, alignment on events, rolling rates).

Rules
-----
These rules are shared by every function of the module.

**Days.** Dates are calendar days: a time of day is dropped (``2019-08-31 23:30`` is the day
2019-08-31), and the requested range ``[start, end]`` includes both ends.

**Measures.** ``attacks`` is the number of incidents (rows). ``deaths_low``, ``deaths_best`` and
``deaths_high`` are sums of ``civilian_deaths_low/best/high``; ``child_deaths`` and ``injured`` sums
of the columns of the same name. A missing figure is *unknown*: it adds nothing to a sum (the sum of
the known figures is reported) and is never written into the incident table as 0. Coverage of the
death figures is reported by ``incidents_no_death_figure``: the number of incidents whose
``civilian_deaths_best`` is missing. It is added to the output whenever a ``deaths_*`` measure is
asked for (and can be asked for by name).

**Zero-fill.** Every period of the requested range appears, for every group: a period without
incidents is 0.

**Not-reported periods.** Days inside a ``not_reported`` period are *missing*: every measure of that
day is NaN, never 0. A week or month is NaN if **any** of its days inside the requested range was
not reported; ``days_reported`` tells how many days of the period were reported. The incidents of a
masked period are not lost: their totals are in ``attrs["masked_totals"]``.

**Partial periods.** When the requested range cuts a week or a month, the period is kept and holds
the counts of its days inside the range. ``days_in_period`` (1, 7, or 28-31) and ``days_covered``
(days of the period inside the range) let rates be computed honestly
(``value / days_covered``).

**Weeks.** A week is labelled by its **first** day. ``week_anchor`` is that first day: ``"MON"``
(ISO weeks, the default) or, for instance, ``"SAT"`` for ACLED, whose weeks run Saturday to
Friday. Months are calendar months labelled by their first day.

**Multi-day incidents** (``date_end > date``). With ``multi_day="start"`` the incident is counted
entirely on ``date``. With ``multi_day="spread"`` each figure is divided over the ``n`` days
``date .. date_end`` in whole numbers by the largest-remainder rule: every day gets ``figure // n``
and the first ``figure % n`` days get one more (the earliest days get the extra). The totals are
kept exactly, and ``low <= best <= high`` still holds day by day. The *attack* (and
``incidents_no_death_figure``) counts 1 on the start day only. Each day's share is placed on its
own day, so shares that fall outside the requested range are outside the series (their totals are
in ``attrs["excluded_totals"]``).

**Range.** By default the range runs from the earliest ``date`` to the latest ``date`` of the table
(to the latest ``date_end`` with ``multi_day="spread"``). Incidents whose ``date`` is outside the
range are excluded; ``attrs`` says how many (``n_excluded``) and what they held
(``excluded_totals``).

**Groups** (``by``). Group values are turned into strings; a missing or blank value becomes
``"(unknown)"``. The groups are those found in the whole table (before the range is applied), in
sorted order, and every group is zero-filled over the whole range. With several ``by`` columns the
groups are the combinations that occur in the table.

**Output dtype.** Measures are ``float64``, with NaN for missing. Sums of whole numbers are exact in
``float64`` up to 2**53, far beyond any count; the float dtype is what the models consume and lets
NaN mark missing periods. Coverage columns (``days_*``) are ``int64``.

**Bookkeeping.** The frame returned by :func:`count_series` carries in ``attrs``: ``freq``,
``week_anchor``, ``start``, ``end``, ``by``, ``multi_day``, ``measures``, ``not_reported``,
``n_incidents``, ``n_in_range``, ``n_excluded``, ``n_multi_day``, ``excluded_totals`` and
``masked_totals``. For every measure, the sum of the series (skipping NaN) plus
``masked_totals`` plus ``excluded_totals`` equals the total of the known figures in the table.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import DataQualityWarning, EventError, InputError, MissingColumnsError

__all__ = [
    "MEASURES",
    "DEFAULT_MEASURES",
    "COVERAGE_COLUMNS",
    "UNKNOWN_GROUP",
    "count_series",
    "daily_counts",
    "cumulative_since",
    "align_on_event",
    "align_many",
    "rolling_rate",
    "filter_incidents",
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

_NO_FIGURE = "incidents_no_death_figure"
_FREQ_ALIASES: dict[str, str] = {
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
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_WEEKDAY_NAMES = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_RELATIVE_NAME = {"D": "relative_day", "W": "relative_week", "M": "relative_month"}
_BLOCK_DAYS = {"D": 1, "W": 7, "M": 30}
_EPOCH = np.datetime64("1970-01-01", "D")

Freq = Literal["D", "W", "M", "day", "week", "month"]
DateLike = str | pd.Timestamp | _dt.date | np.datetime64
SeriesOrFrame = pd.Series | pd.DataFrame


# --------------------------------------------------------------------------------------------
# small parsers
# --------------------------------------------------------------------------------------------


def _parse_freq(freq: str) -> tuple[str, str | None]:
    """Return (``"D"|"W"|"M"``, anchor given inside the freq such as ``"W-SAT"``, or None)."""
    if not isinstance(freq, str):
        raise InputError(f"freq must be 'D', 'W' or 'M' (or 'day', 'week', 'month'), not {freq!r}")
    text = freq.strip()
    anchor = None
    if "-" in text:
        text, anchor = text.split("-", 1)
    key = _FREQ_ALIASES.get(text.lower())
    if key is None or (anchor is not None and key != "W"):
        raise InputError(f"freq must be 'D', 'W' or 'M' (or 'day', 'week', 'month'), not {freq!r}")
    return key, anchor


def _parse_anchor(anchor: str | None) -> str:
    """``"MON"`` ... ``"SUN"`` from a weekday abbreviation or full name (any case)."""
    if anchor is None:
        return "MON"
    if isinstance(anchor, str):
        text = anchor.strip().upper()
        for key, full in zip(_WEEKDAYS, _WEEKDAY_NAMES, strict=True):
            if text in (key, full):
                return key
    raise InputError(
        f"week_anchor must be a weekday such as 'MON' or 'SAT' (the first day of the week), "
        f"not {anchor!r}"
    )


def _to_day(value: Any, what: str) -> int:
    """A date-like value -> day number since 1970-01-01 (time of day dropped)."""
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
    return int((np.datetime64(ts.date(), "D") - _EPOCH).astype(np.int64))


def _day_to_ts(day: int) -> pd.Timestamp:
    return pd.Timestamp(_EPOCH + np.timedelta64(int(day), "D"))


def _days_to_index(days: np.ndarray, name: str = "date") -> pd.DatetimeIndex:
    values = (_EPOCH + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")).astype(
        "datetime64[ns]"
    )
    return pd.DatetimeIndex(values, name=name)


def _event_day(event_or_date: Any) -> int:
    """Resolve an event (``.start``, else ``.date``), a Timestamp or a date string to a day."""
    value = event_or_date
    if not isinstance(value, str | _dt.date | np.datetime64):
        for attr in ("start", "date"):  # an event object, or a row of an events table
            found = getattr(value, attr, None)
            if found is not None and not callable(found):
                value = found
                break
    try:
        return _to_day(value, "event date")
    except InputError as exc:
        raise EventError(
            f"cannot resolve the event date of {event_or_date!r}: give a Timestamp, a date "
            "string or an event with a `.start` Timestamp"
        ) from exc


def _suggest(missing: Sequence[str], present: Iterable[Hashable]) -> dict[str, list[str]]:
    names = [str(c) for c in present]
    return {m: difflib.get_close_matches(m, names, n=3, cutoff=0.6) for m in missing}


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], hint: str | None = None) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(missing, _suggest(missing, frame.columns), hint=hint)


def _as_list(by: str | Sequence[str] | None) -> list[str] | None:
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


# --------------------------------------------------------------------------------------------
# incident table -> arrays
# --------------------------------------------------------------------------------------------


def _date_days(frame: pd.DataFrame, column: str, *, allow_missing: bool) -> np.ndarray:
    """Day numbers of a date column; -1 marks missing values when ``allow_missing``."""
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
    else:
        parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
        bad = parsed.isna().to_numpy() & raw.notna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise InputError(f"not a date: {raw.iloc[row - 1]!r}", row=row, column=column)
    missing = parsed.isna().to_numpy()
    if missing.any() and not allow_missing:
        row = int(np.flatnonzero(missing)[0]) + 1
        raise InputError(
            "the date is missing: the incident cannot be placed", row=row, column=column
        )
    days = parsed.dt.normalize().to_numpy(dtype="datetime64[D]", na_value=np.datetime64("NaT"))
    out = np.full(len(frame), -1, dtype=np.int64)
    ok = ~missing
    out[ok] = (days[ok] - _EPOCH).astype(np.int64)
    return out


def _count_values(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(values with unknown -> 0 for summing only, known mask) of a count column."""
    n = len(frame)
    if column not in frame.columns:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    raw = frame[column]
    try:
        arr = pd.array(raw, dtype="Int64") if raw.dtype != "Int64" else raw.array
    except (TypeError, ValueError):
        numeric = pd.to_numeric(raw, errors="coerce")
        bad = (numeric.isna() & raw.notna()) | (numeric.notna() & (numeric % 1 != 0))
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1 if bad.any() else None
        raise InputError("counts must be whole numbers", row=row, column=column) from None
    known = ~np.asarray(arr.isna(), dtype=bool)
    values = np.asarray(arr.to_numpy(dtype="int64", na_value=0), dtype=np.int64)
    negative = values < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0]) + 1
        raise InputError(f"counts cannot be negative: {values[row - 1]}", row=row, column=column)
    return values, known


def _group_labels(frame: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, list[Any]]:
    """Group codes per row and the sorted group labels (str, or tuples of str)."""
    _require_columns(frame, by)
    cleaned = []
    for col in by:
        values = frame[col].astype(object).to_numpy()
        isna = frame[col].isna().to_numpy()
        labels = np.empty(len(values), dtype=object)
        for i, (v, m) in enumerate(zip(values, isna, strict=True)):
            if m:
                labels[i] = UNKNOWN_GROUP
            else:
                text = str(v)
                labels[i] = text if text.strip() else UNKNOWN_GROUP
        cleaned.append(labels)
    if len(by) == 1:
        codes, uniques = pd.Index(cleaned[0], dtype=object).factorize(sort=True)
        return codes.astype(np.int64), list(uniques)
    mi = pd.MultiIndex.from_arrays(cleaned)
    codes, uniques = mi.factorize(sort=True)
    return codes.astype(np.int64), list(uniques)


def _not_reported_days(not_reported: Any) -> list[tuple[int, int]]:
    """Normalise ``not_reported`` to a list of inclusive (start_day, end_day)."""
    if not_reported is None:
        return []
    if isinstance(not_reported, pd.DataFrame):
        _require_columns(
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
        s = _to_day(a, f"start of not_reported period {i + 1}")
        e = _to_day(b, f"end of not_reported period {i + 1}")
        if e < s:
            raise InputError(
                f"not_reported period {i + 1} ends ({_day_to_ts(e).date()}) before it starts "
                f"({_day_to_ts(s).date()})"
            )
        out.append((s, e))
    return out


def _period_starts(days: np.ndarray, freq: str, anchor: int) -> np.ndarray:
    """First day of the period containing each day."""
    days = np.asarray(days, dtype=np.int64)
    if freq == "D":
        return days
    if freq == "W":
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        return days - (weekday - anchor) % 7
    months = (_EPOCH + days.astype("timedelta64[D]")).astype("datetime64[M]")
    return (months.astype("datetime64[D]") - _EPOCH).astype(np.int64)


def _days_in_period(starts: np.ndarray, freq: str) -> np.ndarray:
    if freq == "D":
        return np.ones(len(starts), dtype=np.int64)
    if freq == "W":
        return np.full(len(starts), 7, dtype=np.int64)
    months = (_EPOCH + starts.astype("timedelta64[D]")).astype("datetime64[M]")
    nxt = ((months + 1).astype("datetime64[D]") - _EPOCH).astype(np.int64)
    return nxt - starts


# --------------------------------------------------------------------------------------------
# count_series
# --------------------------------------------------------------------------------------------


def _check_measures(measures: Sequence[str] | str) -> list[str]:
    if isinstance(measures, str):
        measures = [measures]
    out: list[str] = []
    for m in measures:
        if m not in MEASURES:
            close = difflib.get_close_matches(str(m), list(MEASURES), n=2)
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            raise InputError(f"unknown measure {m!r}{hint}; choose among {', '.join(MEASURES)}")
        if m not in out:
            out.append(m)
    if not out:
        raise InputError("measures is empty")
    if any(m.startswith("deaths_") for m in out) and _NO_FIGURE not in out:
        out.append(_NO_FIGURE)
    return out


def count_series(
    incidents: pd.DataFrame,
    *,
    freq: Freq | str = "D",
    week_anchor: str | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    by: str | Sequence[str] | None = None,
    not_reported: Sequence[Any] | pd.DataFrame | None = None,
    multi_day: Literal["start", "spread"] = "start",
    measures: Sequence[str] = DEFAULT_MEASURES,
    form: Literal["wide", "long"] = "wide",
) -> pd.DataFrame:
    """Zero-filled counts per period from an incident table.

    See the module docstring for the rules (missing figures, not-reported periods, partial
    periods, week labels, multi-day incidents, groups, dtype).

    Parameters
    ----------
    incidents : pandas.DataFrame
        The canonical incident table (:mod:`trends.schema`). Only ``date`` is required;
        ``date_end`` and the count columns are used when present (an absent count column makes
        its measure sum no known figure, with a :class:`~trends.errors.DataQualityWarning`).
    freq : {"D", "W", "M"}, default "D"
        Day, week or calendar month (``"day"``, ``"week"``, ``"month"`` are accepted too, and
        ``"W-SAT"`` is the same as ``freq="W", week_anchor="SAT"``).
    week_anchor : str, optional
        First day of the week for ``freq="W"``: ``"MON"`` (default, ISO weeks) ... ``"SUN"``.
        Use ``"SAT"`` for ACLED weeks (Saturday to Friday). Weeks are labelled by their first day.
    start, end : date-like, optional
        The requested range (both days included). Default: the earliest and latest ``date`` of
        the table (latest ``date_end`` with ``multi_day="spread"``).
    by : str or list of str, optional
        Column(s) to count by, e.g. ``"admin1"`` or ``["admin1", "perpetrator"]``.
    not_reported : list of (start, end) or DataFrame, optional
        Periods (both days included) in which the source did not report; a DataFrame needs
        ``start`` and ``end`` columns. A single date in the list stands for one day. Their
        counts are NaN, never 0.
    multi_day : {"start", "spread"}, default "start"
        Where an incident with ``date_end > date`` is counted (see the module docstring).
    measures : sequence of str
        Among ``attacks``, ``deaths_low``, ``deaths_best``, ``deaths_high``, ``child_deaths``,
        ``injured`` and ``incidents_no_death_figure`` (added automatically with any
        ``deaths_*``).
    form : {"wide", "long"}, default "wide"
        ``"wide"``: index ``date`` (period start, a DatetimeIndex), one column per measure, then
        ``days_in_period``, ``days_covered``, ``days_reported``; with ``by`` the columns are a
        MultiIndex ``(measure, *by)`` and the coverage columns have ``""`` as group label(s)
        (an empty table has no group, hence only the coverage columns).
        ``"long"``: columns ``date``, the ``by`` columns, ``measure``, ``value`` and the three
        coverage columns, one row per period, group and measure.

    Returns
    -------
    pandas.DataFrame
        Measures as ``float64`` (NaN = missing), coverage columns as ``int64``; bookkeeping in
        ``attrs`` (see the module docstring).

    Raises
    ------
    InputError
        Bad dates or counts (with the 1-based row and the column), ``date_end`` before
        ``date``, an empty table without ``start``/``end``, ``start`` after ``end``, unknown
        options or measures.
    MissingColumnsError
        ``date`` or a ``by`` column is absent.

    Examples
    --------
    >>> weekly = count_series(incidents, freq="W", week_anchor="SAT", by="admin1")  # doctest: +SKIP
    >>> weekly["deaths_best"]["Idlib"]  # doctest: +SKIP
    """
    if not isinstance(incidents, pd.DataFrame):
        raise InputError(f"incidents must be a pandas DataFrame, not {type(incidents).__name__}")
    freq_key, freq_anchor = _parse_freq(freq)
    if freq_anchor is not None and week_anchor is not None:
        if _parse_anchor(freq_anchor) != _parse_anchor(week_anchor):
            raise InputError(f"freq={freq!r} contradicts week_anchor={week_anchor!r}")
    anchor_name = _parse_anchor(week_anchor if week_anchor is not None else freq_anchor)
    anchor = _WEEKDAYS.index(anchor_name)
    if multi_day not in ("start", "spread"):
        raise InputError(f"multi_day must be 'start' or 'spread', not {multi_day!r}")
    if form not in ("wide", "long"):
        raise InputError(f"form must be 'wide' or 'long', not {form!r}")
    out_measures = _check_measures(measures)
    by_cols = _as_list(by)
    if by_cols is not None and form == "long":
        clash = [c for c in by_cols if c in ("date", "measure", "value", *COVERAGE_COLUMNS)]
        if clash:
            raise InputError(f"by column(s) {clash!r} clash with the long-form columns")
    _require_columns(incidents, ["date"])

    # ---- rows -> arrays
    n = len(incidents)
    day0 = _date_days(incidents, "date", allow_missing=False)
    if "date_end" in incidents.columns:
        day1 = _date_days(incidents, "date_end", allow_missing=True)
        day1 = np.where(day1 < 0, day0, day1)
        before = day1 < day0
        if before.any():
            row = int(np.flatnonzero(before)[0]) + 1
            raise InputError("date_end is before date", row=row, column="date_end")
    else:
        day1 = day0.copy()
    n_multi_day = int((day1 > day0).sum())
    if multi_day == "start":
        day1 = day0

    values: dict[str, np.ndarray] = {}
    known_best = None
    absent = [
        f"{MEASURES[m]!r} ({m})"
        for m in out_measures
        if MEASURES[m] is not None and MEASURES[m] not in incidents.columns
    ]
    if absent and n:
        warnings.warn(
            f"absent column(s) {', '.join(absent)}: these measures sum no known figure",
            DataQualityWarning,
            stacklevel=2,
        )
    for m in out_measures:
        col = MEASURES[m]
        if col is None:
            continue
        values[m], known = _count_values(incidents, col)
        if m == "deaths_best":
            known_best = known
    if _NO_FIGURE in out_measures and known_best is None:
        known_best = _count_values(incidents, "civilian_deaths_best")[1]

    if by_cols is not None:
        gcodes, glabels = _group_labels(incidents, by_cols)
    else:
        gcodes, glabels = np.zeros(n, dtype=np.int64), [None]
    n_groups = len(glabels)

    # ---- range
    if start is None or end is None:
        if n == 0:
            raise InputError("the incident table is empty: give start and end for the range")
    s_day = _to_day(start, "start") if start is not None else int(day0.min())
    e_day = _to_day(end, "end") if end is not None else int(day1.max())
    if e_day < s_day:
        raise InputError(
            f"start ({_day_to_ts(s_day).date()}) is after end ({_day_to_ts(e_day).date()})"
        )
    n_days = e_day - s_day + 1

    # ---- contributions per day: (day, group, value) for every measure
    in_range = (day0 >= s_day) & (day0 <= e_day)
    span = day1 - day0 + 1
    multi = span > 1
    if multi.any():
        idx = np.repeat(np.arange(n), span)
        first = np.repeat(np.cumsum(span) - span, span)
        offset = np.arange(int(span.sum())) - first
        spread_days = day0[idx] + offset
    else:
        idx = np.arange(n)
        offset = np.zeros(n, dtype=np.int64)
        spread_days = day0
    spread_ok = (spread_days >= s_day) & (spread_days <= e_day)
    flat_start = gcodes[in_range] * n_days + (day0[in_range] - s_day)
    flat_spread = gcodes[idx[spread_ok]] * n_days + (spread_days[spread_ok] - s_day)

    size = n_groups * n_days
    daily: dict[str, np.ndarray] = {}
    totals: dict[str, float] = {}
    for m in out_measures:
        if m == "attacks":
            per_row = np.ones(n, dtype=np.int64)
        elif m == _NO_FIGURE:
            assert known_best is not None
            per_row = (~known_best).astype(np.int64)
        else:
            per_row = values[m]
        totals[m] = float(per_row.sum())
        if m in ("attacks", _NO_FIGURE) or not multi.any():
            sums = np.bincount(flat_start, weights=per_row[in_range], minlength=size)
        else:
            share = per_row[idx] // span[idx] + (offset < per_row[idx] % span[idx])
            sums = np.bincount(flat_spread, weights=share[spread_ok], minlength=size)
        daily[m] = sums.reshape(n_groups, n_days)

    # ---- reported days
    reported = np.ones(n_days, dtype=bool)
    nr_periods = _not_reported_days(not_reported)
    for a, b in nr_periods:
        lo, hi = max(a, s_day), min(b, e_day)
        if lo <= hi:
            reported[lo - s_day : hi - s_day + 1] = False

    # ---- days -> periods
    all_days = np.arange(s_day, e_day + 1, dtype=np.int64)
    pstart_of_day = _period_starts(all_days, freq_key, anchor)
    bounds = np.flatnonzero(np.r_[True, pstart_of_day[1:] != pstart_of_day[:-1]])
    pstarts = pstart_of_day[bounds]
    days_in_period = _days_in_period(pstarts, freq_key)
    days_covered = np.add.reduceat(np.ones(n_days, dtype=np.int64), bounds)
    days_reported = np.add.reduceat(reported.astype(np.int64), bounds)
    masked = days_reported < days_covered

    per_period: dict[str, np.ndarray] = {}
    masked_totals: dict[str, float] = {}
    excluded_totals: dict[str, float] = {}
    for m in out_measures:
        agg = np.add.reduceat(daily[m], bounds, axis=1) if n_days else daily[m]
        shown = float(agg[:, ~masked].sum())
        hidden = float(agg[:, masked].sum())
        masked_totals[m] = hidden
        excluded_totals[m] = totals[m] - shown - hidden
        agg = agg.astype(np.float64)
        agg[:, masked] = np.nan
        per_period[m] = agg  # (groups, periods)

    index = _days_to_index(pstarts)
    attrs: dict[str, Any] = {
        "freq": freq_key,
        "week_anchor": anchor_name if freq_key == "W" else None,
        "start": _day_to_ts(s_day),
        "end": _day_to_ts(e_day),
        "by": by_cols,
        "multi_day": multi_day,
        "measures": list(out_measures),
        "not_reported": [(_day_to_ts(a), _day_to_ts(b)) for a, b in nr_periods],
        "n_incidents": int(n),
        "n_in_range": int(in_range.sum()),
        "n_excluded": int(n - in_range.sum()),
        "n_multi_day": n_multi_day,
        "excluded_totals": excluded_totals,
        "masked_totals": masked_totals,
    }
    coverage = {
        "days_in_period": days_in_period,
        "days_covered": days_covered,
        "days_reported": days_reported,
    }

    if form == "wide":
        out = _assemble_wide(per_period, coverage, index, out_measures, by_cols, glabels)
    else:
        out = _assemble_long(per_period, coverage, index, out_measures, by_cols, glabels)
    out.attrs.update(attrs)
    return out


def _assemble_wide(
    per_period: dict[str, np.ndarray],
    coverage: dict[str, np.ndarray],
    index: pd.DatetimeIndex,
    measures: list[str],
    by: list[str] | None,
    glabels: list[Any],
) -> pd.DataFrame:
    if by is None:
        data: dict[Any, Any] = {m: per_period[m][0] for m in measures}
        data.update(coverage)
        return pd.DataFrame(data, index=index)
    blocks = []
    keys: list[tuple[Any, ...]] = []
    for m in measures:
        blocks.append(per_period[m].T)
        for g in glabels:
            keys.append((m, *(g if isinstance(g, tuple) else (g,))))
    values = np.hstack(blocks)
    names = ["measure", *by]
    if keys:
        columns = pd.MultiIndex.from_tuples(keys, names=names)
    else:
        columns = pd.MultiIndex.from_arrays([[] for _ in names], names=names)
    frame = pd.DataFrame(values, index=index, columns=columns)
    blank = ("",) * len(by)
    cov = pd.DataFrame(coverage, index=index)
    cov.columns = pd.MultiIndex.from_tuples([(c, *blank) for c in coverage], names=names)
    return pd.concat([frame, cov], axis=1)


def _assemble_long(
    per_period: dict[str, np.ndarray],
    coverage: dict[str, np.ndarray],
    index: pd.DatetimeIndex,
    measures: list[str],
    by: list[str] | None,
    glabels: list[Any],
) -> pd.DataFrame:
    n_p, n_g, n_m = len(index), len(glabels), len(measures)
    # row order: date, group, measure
    stacked = np.stack([per_period[m] for m in measures], axis=0)  # (m, g, p)
    value = stacked.transpose(2, 1, 0).reshape(-1)
    p_idx = np.repeat(np.arange(n_p), n_g * n_m)
    g_idx = np.tile(np.repeat(np.arange(n_g), n_m), n_p)
    m_idx = np.tile(np.arange(n_m), n_p * n_g)
    data: dict[str, Any] = {"date": index.values[p_idx]}
    if by is not None:
        for j, col in enumerate(by):
            labels = np.array([g[j] if isinstance(g, tuple) else g for g in glabels], dtype=object)
            data[col] = pd.array(labels[g_idx], dtype="str")
    data["measure"] = pd.array(np.array(measures, dtype=object)[m_idx], dtype="str")
    data["value"] = value.astype(np.float64)
    for c, arr in coverage.items():
        data[c] = arr[p_idx].astype(np.int64)
    out = pd.DataFrame(data)
    out["date"] = pd.DatetimeIndex(out["date"]).astype("datetime64[ns]")
    return out


# --------------------------------------------------------------------------------------------
# daily_counts
# --------------------------------------------------------------------------------------------


def daily_counts(
    incidents: pd.DataFrame,
    measure: str = "attacks",
    start: DateLike | None = None,
    end: DateLike | None = None,
    *,
    not_reported: Sequence[Any] | pd.DataFrame | None = None,
    by: str | Sequence[str] | None = None,
    multi_day: Literal["start", "spread"] = "start",
) -> pd.Series:
    """One zero-filled daily series: the input of the models.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The canonical incident table.
    measure : str, default "attacks"
        One measure of :data:`MEASURES` (``"deaths"`` is accepted for ``"deaths_best"``).
    start, end : date-like, optional
        The range (both days included); default the earliest and latest ``date`` of the table.
    not_reported : list of (start, end) or DataFrame, optional
        Periods in which the source did not report: NaN there, never 0.
    by : str or list of str, optional
        Group column(s). The result then has a MultiIndex ``(*by, "date")``, so that
        ``series.loc["Idlib"]`` is the daily series of one group.
    multi_day : {"start", "spread"}, default "start"
        See :func:`count_series`.

    Returns
    -------
    pandas.Series
        ``float64`` values (NaN = not reported), index a DatetimeIndex named ``"date"`` (or the
        MultiIndex above), name ``measure``; ``attrs`` as in :func:`count_series`.
    """
    if measure == "deaths":
        measure = "deaths_best"
    if not isinstance(measure, str):
        raise InputError(f"measure must be one measure name, not {measure!r}")
    frame = count_series(
        incidents,
        freq="D",
        start=start,
        end=end,
        by=by,
        not_reported=not_reported,
        multi_day=multi_day,
        measures=(measure,),
    )
    if by is None:
        out = frame[measure].copy()
    else:
        out = frame[measure].unstack()
        if not isinstance(out, pd.Series):  # pragma: no cover - defensive
            out = out.stack()
        out = out.astype(np.float64)
    out.name = measure
    out.attrs = dict(frame.attrs)
    return out


# --------------------------------------------------------------------------------------------
# helpers on series / wide frames
# --------------------------------------------------------------------------------------------


def _as_time_indexed(obj: SeriesOrFrame, what: str) -> SeriesOrFrame:
    if isinstance(obj, pd.DataFrame):
        if not isinstance(obj.index, pd.DatetimeIndex):
            if "date" in obj.columns and "measure" not in obj.columns:
                obj = obj.set_index("date")
                obj.index = pd.DatetimeIndex(obj.index, name="date")
            elif "measure" in obj.columns:
                raise InputError(
                    f"{what} needs a wide frame (index = date): pivot the long form first, "
                    "e.g. count_series(..., form='wide')"
                )
            else:
                raise InputError(f"{what} needs a DatetimeIndex or a 'date' column")
    elif isinstance(obj, pd.Series):
        if not isinstance(obj.index, pd.DatetimeIndex):
            raise InputError(f"{what} needs a series with a DatetimeIndex (dates)")
    else:
        raise InputError(f"{what} needs a pandas Series or DataFrame, not {type(obj).__name__}")
    if obj.index.hasnans:
        raise InputError(f"{what}: the date index has missing values")
    if not obj.index.is_monotonic_increasing:
        obj = obj.sort_index()
    if obj.index.has_duplicates:
        raise InputError(f"{what}: the date index has repeated dates")
    return obj


def _col_name(key: Any) -> Any:
    return key[0] if isinstance(key, tuple) else key


def _split_columns(frame: pd.DataFrame) -> tuple[list[Any], dict[str, Any]]:
    """Value columns (numeric, not coverage) and coverage columns by name."""
    values, coverage = [], {}
    for key in frame.columns:
        name = _col_name(key)
        if name in COVERAGE_COLUMNS or name == "days_missing":
            coverage[name] = key
        elif pd.api.types.is_numeric_dtype(frame[key].dtype) and not pd.api.types.is_bool_dtype(
            frame[key].dtype
        ):
            values.append(key)
    return values, coverage


def _freq_of(obj: SeriesOrFrame) -> str | None:
    """ "D", "W", "M" or None (irregular) for a time-indexed object."""
    freq = obj.attrs.get("freq") if isinstance(obj.attrs, dict) else None
    if freq in ("D", "W", "M"):
        return freq
    idx = obj.index
    if len(idx) < 2:
        return "D"
    days = (idx.values.astype("datetime64[D]") - _EPOCH).astype(np.int64)
    if (idx.normalize() != idx).any():
        return None
    diffs = np.diff(days)
    if (diffs == 1).all():
        return "D"
    if (diffs == 7).all():
        return "W"
    months = idx.values.astype("datetime64[M]").astype(np.int64)
    if (idx.day == 1).all() and (np.diff(months) == 1).all():
        return "M"
    return None


def _shift_periods(day: int, k: np.ndarray, freq: str) -> np.ndarray:
    if freq == "D":
        return day + k
    if freq == "W":
        return day + 7 * k
    month = (_EPOCH + np.timedelta64(day, "D")).astype("datetime64[M]")
    return ((month + k).astype("datetime64[D]") - _EPOCH).astype(np.int64)


def _locate(obj: SeriesOrFrame, day: int, what: str) -> tuple[int, str | None]:
    """Position of the period containing ``day``; EventError when outside the series."""
    idx_days = (obj.index.values.astype("datetime64[D]") - _EPOCH).astype(np.int64)
    if len(idx_days) == 0:
        raise InputError(f"{what}: the series is empty")
    freq = _freq_of(obj)
    pos = int(np.searchsorted(idx_days, day, side="right")) - 1
    last_end = (
        int(_shift_periods(int(idx_days[-1]), np.array([1]), freq)[0]) - 1
        if freq is not None
        else int(idx_days[-1])
    )
    if pos < 0 or day > last_end:
        raise EventError(
            f"{what}: the event day {_day_to_ts(day).date()} is outside the series "
            f"({_day_to_ts(int(idx_days[0])).date()} to {_day_to_ts(last_end).date()})"
        )
    return pos, freq


def cumulative_since(
    series_or_frame: SeriesOrFrame,
    event_or_date: Any,
    *,
    end: DateLike | None = None,
    inclusive: bool = True,
) -> SeriesOrFrame:
    """Cumulative counts from an event's day.

    Parameters
    ----------
    series_or_frame : pandas.Series or pandas.DataFrame
        A daily series (e.g. :func:`daily_counts`) or a wide frame from :func:`count_series`
        (every measure, e.g. ``deaths_low``/``deaths_best``/``deaths_high``, is accumulated
        together; the coverage columns are used for ``days_missing`` and not accumulated). A
        frame with a ``date`` column is accepted too.
    event_or_date : Timestamp, str, date, or an event
        The event: a date, or an object with a ``.start`` Timestamp (a ``ReferenceEvent``; else
        a ``.date``, e.g. a row of a reference-events table). A time of day is dropped: the event's calendar day is day 0 and, with
        ``inclusive=True``, its counts are included (we cannot tell which of that day's
        incidents came before the time). For a weekly or monthly series, day 0 is the period
        containing the event's day (so it may hold days before the event).
    end : date-like, optional
        Last day (included); default the end of the series.
    inclusive : bool, default True
        Include day 0; ``False`` starts the day (period) after.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Cumulative totals indexed by date from day 0 to ``end``. **Missing days are skipped**:
        the total carries over them (it is the sum of the known days so far), and the frame
        form gets an ``int64`` column ``days_missing`` counting, cumulatively, the days whose
        counts are not in the total: the ``days_covered`` of NaN periods when the coverage
        columns are present, else the rows with any NaN value. A Series result carries the
        final count in ``attrs["days_missing"]`` (pass ``series.to_frame()`` for the daily
        count). ``attrs["event_date"]`` holds day 0.

    Raises
    ------
    EventError
        The event cannot be resolved, is outside the series, or ``end`` is before it.
    InputError
        The input is not time-indexed.
    """
    obj = _as_time_indexed(series_or_frame, "cumulative_since")
    day0 = _event_day(event_or_date)
    pos, _ = _locate(obj, day0, "cumulative_since")
    first = pos if inclusive else pos + 1
    part = obj.iloc[first:]
    if end is not None:
        e = _to_day(end, "end")
        if e < day0:
            raise EventError(f"end ({_day_to_ts(e).date()}) is before the event day")
        part = part.loc[: _day_to_ts(e)]
    attrs = {**obj.attrs, "event_date": _day_to_ts(day0)}
    if isinstance(part, pd.Series):
        vals = part.astype(np.float64)
        missing = vals.isna()
        out = vals.fillna(0.0).cumsum()
        out.attrs = {**attrs, "days_missing": int(missing.sum())}
        return out
    value_cols, coverage = _split_columns(part)
    vals = part[value_cols].astype(np.float64)
    row_missing = vals.isna().any(axis=1)
    out = vals.fillna(0.0).cumsum()
    if "days_covered" in coverage:
        per_row = np.where(row_missing, part[coverage["days_covered"]].to_numpy(), 0)
    else:
        per_row = row_missing.to_numpy().astype(np.int64)
    key: Any = "days_missing"
    if isinstance(out.columns, pd.MultiIndex):
        key = ("days_missing",) + ("",) * (out.columns.nlevels - 1)
    out[key] = np.cumsum(per_row).astype(np.int64)
    out.attrs = attrs
    return out


def align_on_event(
    series_or_frame: SeriesOrFrame,
    event_or_date: Any,
    *,
    before: int = 30,
    after: int = 30,
    freq: str | None = None,
) -> pd.DataFrame:
    """Values around an event, indexed by time relative to the event.

    Parameters
    ----------
    series_or_frame : pandas.Series or pandas.DataFrame
        A daily (or weekly / monthly) series or wide frame.
    event_or_date : Timestamp, str, date, or an event
        As for :func:`cumulative_since`; the event's calendar day is day 0 (a time of day is
        dropped).
    before, after : int, default 30
        Number of periods kept before and after period 0.
    freq : {"D", "W", "M"}, optional
        Default: the series' own frequency. With a **daily** input, ``"W"`` makes 7-day
        blocks and ``"M"`` 30-day blocks anchored on the event: block ``k`` holds the days
        ``event + k * size`` to ``event + (k + 1) * size - 1`` (block 0 starts on the event
        day), and a block is NaN if any of its days is missing or outside the series. With a
        weekly or monthly input, ``freq`` must be that frequency and period 0 is the period
        containing the event day.

    Returns
    -------
    pandas.DataFrame
        Index ``relative_day`` (``relative_week`` / ``relative_month``), ``int64`` from
        ``-before`` to ``after``; column ``date`` (start of the day / block / period), then the
        values (a Series gives one column ``value``; a frame keeps its measure columns, and its
        coverage columns when no blocks are made). Periods outside the series are NaN, not 0.

    Raises
    ------
    EventError
        The event cannot be resolved or its day is outside the series.
    InputError
        Bad ``before``/``after``/``freq``, or a frequency the input cannot give.
    """
    obj = _as_time_indexed(series_or_frame, "align_on_event")
    for name, val in (("before", before), ("after", after)):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 0:
            raise InputError(f"{name} must be a non-negative whole number, not {val!r}")
    day0 = _event_day(event_or_date)
    pos, in_freq = _locate(obj, day0, "align_on_event")
    if in_freq is None:
        raise InputError("align_on_event needs a regular daily, weekly (7-day) or monthly series")
    want = in_freq if freq is None else _parse_freq(freq)[0]
    if isinstance(obj, pd.Series):
        frame = obj.to_frame("value").astype(np.float64)
        frame.attrs = dict(obj.attrs)
    else:
        frame = obj
    k = np.arange(-int(before), int(after) + 1, dtype=np.int64)
    rel_name = _RELATIVE_NAME[want]
    idx_days = (frame.index.values.astype("datetime64[D]") - _EPOCH).astype(np.int64)

    if want == in_freq:
        label0 = int(idx_days[pos])
        starts = _shift_periods(label0 if in_freq != "D" else day0, k, in_freq)
        positions = pos + k
        ok = (positions >= 0) & (positions < len(frame))
        body = frame.iloc[np.where(ok, positions, 0)].reset_index(drop=True)
        body = body.astype({c: np.float64 for c in _split_columns(frame)[0]})
        body.loc[~ok, :] = np.nan
        attrs_extra: dict[str, Any] = {}
    elif in_freq == "D":
        size = _BLOCK_DAYS[want]
        value_cols = _split_columns(frame)[0]
        starts = day0 + size * k
        all_days = (starts[:, None] + np.arange(size)[None, :]).reshape(-1)
        pos_all = all_days - idx_days[0]
        ok = (pos_all >= 0) & (pos_all < len(frame))
        vals = frame[value_cols].to_numpy(dtype=np.float64, na_value=np.nan)
        taken = np.full((len(all_days), len(value_cols)), np.nan)
        taken[ok] = vals[pos_all[ok]]
        sums = taken.reshape(len(k), size, len(value_cols)).sum(axis=1)  # NaN propagates
        body = pd.DataFrame(sums, columns=pd.Index(value_cols) if value_cols else None)
        if isinstance(frame.columns, pd.MultiIndex):
            body.columns = pd.MultiIndex.from_tuples(value_cols, names=frame.columns.names)
        attrs_extra = {"block_days": size}
    else:
        raise InputError(
            f"cannot align a series of frequency {in_freq!r} at freq={want!r}: give a daily "
            "series, or the series' own frequency"
        )
    date_key: Any = "date"
    if isinstance(body.columns, pd.MultiIndex):
        date_key = ("date",) + ("",) * (body.columns.nlevels - 1)
    body.insert(0, date_key, _days_to_index(starts))
    body.index = pd.Index(k, name=rel_name)
    body.attrs = {
        **frame.attrs,
        "event_date": _day_to_ts(day0),
        "align_freq": want,
        **attrs_extra,
    }
    return body


def _event_id(key: Any, event: Any) -> str:
    if key is not None:
        return str(key)
    for attr in ("event_id", "id", "name"):
        val = getattr(event, attr, None)
        if isinstance(val, str) and val:
            return val
    return str(_day_to_ts(_event_day(event)).date())


def align_many(
    series: SeriesOrFrame,
    events: Iterable[Any] | Mapping[Any, Any],
    *,
    before: int = 30,
    after: int = 30,
    freq: str | None = None,
) -> pd.DataFrame:
    """Align one series on several events: a long frame for event-study plots.

    Parameters
    ----------
    series : pandas.Series or pandas.DataFrame
        As for :func:`align_on_event`.
    events : iterable, mapping or DataFrame
        Events or dates. A mapping gives ``{event_id: event_or_date}``; otherwise the id is the
        event's ``event_id`` (or ``id`` / ``name``) attribute, else its ISO date. A DataFrame
        (e.g. a reference-events table) is read row by row: ``start`` or ``date`` column for
        the day, ``event_id`` column for the id.
    before, after, freq
        As for :func:`align_on_event`.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id``, ``relative_day`` (or ``relative_week`` / ``relative_month``),
        ``date``, then ``value`` for a Series; for a frame, ``measure`` (and one column per
        ``by`` level of a grouped wide frame) and ``value``: one row per event, relative period
        and measure (and group). Coverage columns are not included.

    Raises
    ------
    EventError
        Two events have the same id, no event is given, or an event is outside the series.
    """
    if isinstance(events, pd.DataFrame):
        pairs = [(None, r) for _, r in events.iterrows()]
    elif isinstance(events, Mapping):
        pairs = list(events.items())
    elif isinstance(events, str | pd.Timestamp | _dt.date) or hasattr(events, "start"):
        pairs = [(None, events)]
    else:
        pairs = [(None, e) for e in events]
    if not pairs:
        raise EventError("align_many needs at least one event")
    pieces = []
    seen: set[str] = set()
    for key, event in pairs:
        eid = _event_id(key, event)
        if eid in seen:
            raise EventError(f"two events have the id {eid!r}: pass a mapping with unique ids")
        seen.add(eid)
        aligned = align_on_event(series, event, before=before, after=after, freq=freq)
        rel = aligned.index.name
        date_col = aligned.columns[0]  # "date" (a tuple with MultiIndex columns)
        rel_values = aligned.index.to_numpy()
        dates = aligned[date_col].to_numpy()
        if isinstance(series, pd.Series):
            pieces.append(
                pd.DataFrame(
                    {
                        "event_id": eid,
                        rel: rel_values,
                        "date": dates,
                        "value": aligned["value"].to_numpy(),
                    }
                )
            )
            continue
        value_cols, _ = _split_columns(aligned)
        if isinstance(aligned.columns, pd.MultiIndex):
            names = [n if n else f"level_{i}" for i, n in enumerate(aligned.columns.names)]
            names[0] = "measure"
        else:
            names = ["measure"]
        for key in value_cols:
            parts = key if isinstance(key, tuple) else (key,)
            chunk: dict[str, Any] = {"event_id": eid, rel: rel_values, "date": dates}
            for name, part in zip(names, parts, strict=True):
                chunk[name] = str(part)
            chunk["value"] = aligned[key].to_numpy(dtype=np.float64, na_value=np.nan)
            pieces.append(pd.DataFrame(chunk))
    out = pd.concat(pieces, ignore_index=True)
    for col in out.columns:
        if col not in ("date", "value") and out[col].dtype == object:
            out[col] = out[col].astype("str")
    return out


def rolling_rate(
    series: SeriesOrFrame,
    window: int = 7,
    *,
    center: bool = False,
    min_periods: int | None = None,
) -> SeriesOrFrame:
    """Rolling mean per day, ignoring missing days (for charts).

    Parameters
    ----------
    series : pandas.Series or pandas.DataFrame
        A daily series, or a wide frame from :func:`count_series`.
    window : int, default 7
        Window length in periods (days for a daily series).
    center : bool, default False
        Centre the window instead of ending it on the period.
    min_periods : int, optional
        Minimum number of non-missing periods in the window for a value (else NaN). Default
        ``ceil(window / 2)``: at least half the window must be reported.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``float64``. A Series (or a frame without coverage columns) gives the mean of the
        non-missing values of the window, i.e. a rate per period. A frame with ``days_covered``
        (any ``count_series`` output, e.g. weekly) gives a rate **per day** for every measure:
        the sum of its non-missing periods divided by the ``days_covered`` of those periods,
        which handles partial first/last periods; coverage columns are dropped.
    """
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise InputError(f"window must be a whole number of periods >= 1, not {window!r}")
    if min_periods is None:
        min_periods = max(1, math.ceil(window / 2))
    if (
        isinstance(min_periods, bool)
        or not isinstance(min_periods, int | np.integer)
        or not 1 <= min_periods <= window
    ):
        raise InputError(
            f"min_periods must be between 1 and window ({window}), not {min_periods!r}"
        )
    obj = _as_time_indexed(series, "rolling_rate")
    kw = {"window": int(window), "center": center, "min_periods": int(min_periods)}
    if isinstance(obj, pd.Series):
        out = obj.astype(np.float64).rolling(**kw).mean()
        out.attrs = dict(obj.attrs)
        return out
    value_cols, coverage = _split_columns(obj)
    vals = obj[value_cols].astype(np.float64)
    if "days_covered" not in coverage:
        out = vals.rolling(**kw).mean()
    else:
        days = obj[coverage["days_covered"]].to_numpy(dtype=np.float64)
        known = vals.notna()
        num = vals.rolling(**kw).sum()
        den_frame = pd.DataFrame(
            np.where(known.to_numpy(), days[:, None], np.nan),
            index=vals.index,
            columns=vals.columns,
        )
        den = den_frame.rolling(**kw).sum()
        out = num / den
    out.attrs = dict(obj.attrs)
    return out


# --------------------------------------------------------------------------------------------
# filter_incidents
# --------------------------------------------------------------------------------------------


def filter_incidents(
    incidents: pd.DataFrame,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    where: Mapping[str, Any | Sequence[Any] | Callable[[pd.Series], Any]] | None = None,
) -> pd.DataFrame:
    """Select incidents by date range and column values.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The canonical incident table.
    start, end : date-like, optional
        Keep incidents whose ``date`` (day) is in ``[start, end]`` (both included).
    where : dict, optional
        ``column -> condition``, all of which must hold. A condition is a value (equality;
        ``None`` selects missing values), a list / tuple / set of values (membership), or a
        callable receiving the column (a Series) and returning a boolean mask; missing values in
        a mask count as False.

    Returns
    -------
    pandas.DataFrame
        The selected rows (original index kept), a copy.

    Raises
    ------
    MissingColumnsError
        A ``where`` column (or ``date``, when filtering by date) is absent.
    InputError
        A callable does not return one boolean per row.
    """
    if not isinstance(incidents, pd.DataFrame):
        raise InputError(f"incidents must be a pandas DataFrame, not {type(incidents).__name__}")
    keep = np.ones(len(incidents), dtype=bool)
    if start is not None or end is not None:
        _require_columns(incidents, ["date"])
        days = _date_days(incidents, "date", allow_missing=True)
        known = days >= 0
        if start is not None:
            keep &= known & (days >= _to_day(start, "start"))
        if end is not None:
            keep &= known & (days <= _to_day(end, "end"))
    if where:
        _require_columns(incidents, list(where))
        for col, cond in where.items():
            column = incidents[col]
            if callable(cond):
                mask = cond(column)
                try:
                    mask_arr = pd.array(mask, dtype="boolean").fillna(False)
                except (TypeError, ValueError) as exc:
                    raise InputError(
                        "the condition must return one boolean per row", column=col
                    ) from exc
                mask_np = np.asarray(mask_arr, dtype=bool)
                if mask_np.shape != (len(incidents),):
                    raise InputError("the condition must return one boolean per row", column=col)
            elif isinstance(cond, list | tuple | set | frozenset):
                items = list(cond)
                mask_np = column.isin([v for v in items if v is not None]).to_numpy(dtype=bool)
                if any(v is None for v in items):
                    mask_np = mask_np | column.isna().to_numpy()
            elif cond is None:
                mask_np = column.isna().to_numpy()
            else:
                mask_np = (column == cond).fillna(False).to_numpy(dtype=bool)
            keep &= mask_np
    return incidents.loc[keep].copy()

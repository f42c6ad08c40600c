"""Helpers on count series and wide frames: cumulative totals, alignment on events, rolling rates.

Also :func:`filter_incidents`, the selection of incidents by dates and column values.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import EventError, InputError
from trends.series._base import (
    BLOCK_DAYS,
    COVERAGE_COLUMNS,
    EPOCH,
    RELATIVE_NAME,
    DateLike,
    SeriesOrFrame,
    date_days,
    day_to_ts,
    days_to_index,
    event_day,
    parse_freq,
    require_columns,
    to_day,
)

__all__ = ["cumulative_since", "align_on_event", "align_many", "rolling_rate", "filter_incidents"]


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
    days = (idx.values.astype("datetime64[D]") - EPOCH).astype(np.int64)
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
    month = (EPOCH + np.timedelta64(day, "D")).astype("datetime64[M]")
    return ((month + k).astype("datetime64[D]") - EPOCH).astype(np.int64)


def _locate(obj: SeriesOrFrame, day: int, what: str) -> tuple[int, str | None]:
    """Position of the period containing ``day``; EventError when outside the series."""
    idx_days = (obj.index.values.astype("datetime64[D]") - EPOCH).astype(np.int64)
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
            f"{what}: the event day {day_to_ts(day).date()} is outside the series "
            f"({day_to_ts(int(idx_days[0])).date()} to {day_to_ts(last_end).date()})"
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
    day0 = event_day(event_or_date)
    pos, _ = _locate(obj, day0, "cumulative_since")
    first = pos if inclusive else pos + 1
    part = obj.iloc[first:]
    if end is not None:
        e = to_day(end, "end")
        if e < day0:
            raise EventError(f"end ({day_to_ts(e).date()}) is before the event day")
        part = part.loc[: day_to_ts(e)]
    attrs = {**obj.attrs, "event_date": day_to_ts(day0)}
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
    day0 = event_day(event_or_date)
    pos, in_freq = _locate(obj, day0, "align_on_event")
    if in_freq is None:
        raise InputError("align_on_event needs a regular daily, weekly (7-day) or monthly series")
    want = in_freq if freq is None else parse_freq(freq)[0]
    if isinstance(obj, pd.Series):
        frame = obj.to_frame("value").astype(np.float64)
        frame.attrs = dict(obj.attrs)
    else:
        frame = obj
    k = np.arange(-int(before), int(after) + 1, dtype=np.int64)
    rel_name = RELATIVE_NAME[want]
    idx_days = (frame.index.values.astype("datetime64[D]") - EPOCH).astype(np.int64)

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
        size = BLOCK_DAYS[want]
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
    body.insert(0, date_key, days_to_index(starts))
    body.index = pd.Index(k, name=rel_name)
    body.attrs = {
        **frame.attrs,
        "event_date": day_to_ts(day0),
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
    return str(day_to_ts(event_day(event)).date())


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
        which handles partial first/last periods; coverage columns are dropped. ``attrs``
        records ``window``, ``center`` and ``min_periods`` (a chart names the window from
        them).
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
        out.attrs = {**obj.attrs, **kw}
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
    out.attrs = {**obj.attrs, **kw}
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
        require_columns(incidents, ["date"])
        days = date_days(incidents, "date", allow_missing=True)
        known = days >= 0
        if start is not None:
            keep &= known & (days >= to_day(start, "start"))
        if end is not None:
            keep &= known & (days <= to_day(end, "end"))
    if where:
        require_columns(incidents, list(where))
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

"""Zero-filled counts per period from the canonical incident table (:func:`count_series`).

See :mod:`trends.series` for the rules. :func:`count_series` runs in named steps: check the
options, read the incident rows into arrays, resolve the range, sum each measure per day (spreading
multi-day incidents when asked), mark the days not reported, and sum the days into periods.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import DataQualityWarning, InputError
from trends.series._base import (
    COVERAGE_COLUMNS,
    DEFAULT_MEASURES,
    MEASURES,
    NO_FIGURE,
    UNKNOWN_GROUP,
    WEEKDAYS,
    DateLike,
    Freq,
    as_list,
    date_days,
    day_to_ts,
    days_in_period,
    days_to_index,
    not_reported_days,
    parse_anchor,
    parse_freq,
    period_starts,
    require_columns,
    to_day,
)

__all__ = ["attack_flags", "count_series", "daily_counts", "figure_problem", "measure_has_figure"]


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
    require_columns(frame, by)
    cleaned = [_clean_labels(frame[col]) for col in by]
    if len(by) == 1:
        codes, uniques = pd.Index(cleaned[0], dtype=object).factorize(sort=True)
        return codes.astype(np.int64), list(uniques)
    mi = pd.MultiIndex.from_arrays(cleaned)
    codes, uniques = mi.factorize(sort=True)
    return codes.astype(np.int64), list(uniques)


def _label(value: Any, missing: bool) -> str:
    """One group value as its label: the text, or UNKNOWN_GROUP when missing or blank."""
    if missing:
        return UNKNOWN_GROUP
    text = str(value)
    return text if text.strip() else UNKNOWN_GROUP


def _clean_labels(column: pd.Series) -> np.ndarray:
    """The group label of every row (object array).

    A column of strings is factorized first, so each distinct value is cleaned once (no loop
    over the rows of large tables); other columns are cleaned value by value, because values
    that compare equal may print differently (``1`` and ``1.0``).
    """
    if isinstance(column.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(column)  # missing values get code -1
        labels = [_label(u, False) for u in uniques] + [UNKNOWN_GROUP]
        return np.array(labels, dtype=object)[codes]
    values = column.astype(object).to_numpy()
    isna = column.isna().to_numpy()
    labels = np.empty(len(values), dtype=object)
    for i, (v, m) in enumerate(zip(values, isna, strict=True)):
        labels[i] = _label(v, bool(m))
    return labels


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
    if any(m.startswith("deaths_") for m in out) and NO_FIGURE not in out:
        out.append(NO_FIGURE)
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
    month_day: int = 1,
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

    month_day : int, default 1
        Day of the month on which a month starts with ``freq="M"`` (1: calendar months; the
        day of an intervention makes it start a period). Months are labelled by that day.

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
    >>> weekly["deaths_best"]["North"]  # doctest: +SKIP
    """
    opts = _Options.parse(incidents, freq, week_anchor, multi_day, form, measures, by, month_day)
    rows = _incident_rows(incidents, opts)
    s_day, e_day = _resolve_range(rows, start, end)
    daily, totals, in_range = _daily_sums(rows, opts, s_day, e_day)
    nr_periods = not_reported_days(not_reported)
    reported = _reported_days(nr_periods, s_day, e_day)
    per_period, coverage, index, masked_totals = _to_periods(daily, reported, opts, s_day, e_day)
    excluded_totals = {
        m: totals[m] - float(np.nansum(per_period[m])) - masked_totals[m] for m in opts.measures
    }
    attrs: dict[str, Any] = {
        "freq": opts.freq,
        "week_anchor": opts.anchor_name if opts.freq == "W" else None,
        "start": day_to_ts(s_day),
        "end": day_to_ts(e_day),
        "by": opts.by,
        "multi_day": opts.multi_day,
        "measures": list(opts.measures),
        "not_reported": [(day_to_ts(a), day_to_ts(b)) for a, b in nr_periods],
        "n_incidents": int(rows.n),
        "n_in_range": int(in_range.sum()),
        "n_excluded": int(rows.n - in_range.sum()),
        "n_multi_day": rows.n_multi_day,
        "excluded_totals": excluded_totals,
        "masked_totals": masked_totals,
    }
    if opts.freq == "M" and opts.month_day != 1:
        attrs["month_day"] = opts.month_day
    assemble = _assemble_wide if opts.form == "wide" else _assemble_long
    out = assemble(per_period, coverage, index, opts.measures, opts.by, rows.glabels)
    out.attrs.update(attrs)
    return out


@dataclass(frozen=True)
class _Options:
    """The checked options of :func:`count_series`."""

    freq: str
    anchor_name: str
    anchor: int
    month_day: int
    multi_day: str
    form: str
    measures: list[str]
    by: list[str] | None

    @classmethod
    def parse(
        cls,
        incidents: Any,
        freq: str,
        week_anchor: str | None,
        multi_day: str,
        form: str,
        measures: Sequence[str],
        by: str | Sequence[str] | None,
        month_day: int,
    ) -> _Options:
        if not isinstance(incidents, pd.DataFrame):
            raise InputError(
                f"incidents must be a pandas DataFrame, not {type(incidents).__name__}"
            )
        freq_key, freq_anchor = parse_freq(freq)
        if freq_anchor is not None and week_anchor is not None:
            if parse_anchor(freq_anchor) != parse_anchor(week_anchor):
                raise InputError(f"freq={freq!r} contradicts week_anchor={week_anchor!r}")
        anchor_name = parse_anchor(week_anchor if week_anchor is not None else freq_anchor)
        if multi_day not in ("start", "spread"):
            raise InputError(f"multi_day must be 'start' or 'spread', not {multi_day!r}")
        if form not in ("wide", "long"):
            raise InputError(f"form must be 'wide' or 'long', not {form!r}")
        if isinstance(month_day, bool) or not isinstance(month_day, int | np.integer):
            raise InputError(f"month_day must be a day of the month (1 to 31), not {month_day!r}")
        if not 1 <= int(month_day) <= 31:
            raise InputError(f"month_day must be a day of the month (1 to 31), not {month_day!r}")
        by_cols = as_list(by)
        if by_cols is not None and form == "long":
            clash = [c for c in by_cols if c in ("date", "measure", "value", *COVERAGE_COLUMNS)]
            if clash:
                raise InputError(f"by column(s) {clash!r} clash with the long-form columns")
        require_columns(incidents, ["date"])
        return cls(
            freq=freq_key,
            anchor_name=anchor_name,
            anchor=WEEKDAYS.index(anchor_name),
            month_day=int(month_day),
            multi_day=multi_day,
            form=form,
            measures=_check_measures(measures),
            by=by_cols,
        )


@dataclass
class _Rows:
    """The incident table as arrays: start and end day, figures per measure, group codes."""

    n: int
    day0: np.ndarray
    day1: np.ndarray
    n_multi_day: int
    per_row: dict[str, np.ndarray]
    gcodes: np.ndarray
    glabels: list[Any]


def measure_has_figure(incidents: pd.DataFrame, measure: str) -> bool:
    """Whether an incident table reports at least one figure for ``measure``.

    A measure counted from the rows themselves (attacks) always has one. A summed measure
    (deaths, child deaths, injured) has one only when its column exists and holds a value:
    without one, its sums would be zeros that no source reported (missing is never 0).

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table.
    measure : str
        A name of :data:`trends.series.MEASURES`.

    Returns
    -------
    bool
    """
    return figure_problem(incidents, measure) is None


def figure_problem(incidents: pd.DataFrame, measure: str) -> str | None:
    """Why an incident table has no figure for ``measure`` (``None`` when it has one).

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table.
    measure : str
        A name of :data:`trends.series.MEASURES`.

    Returns
    -------
    str or None
        "no 'civilian_deaths_best' column" or "none of its 40 rows has a 'child_deaths'
        value"; ``None`` for a measure counted from the rows or a column with a value.
    """
    column = MEASURES.get(measure)
    if column is None:
        return None
    if column not in incidents.columns:
        return f"no {column!r} column"
    if not incidents[column].notna().any():
        return f"none of its {len(incidents)} rows has a {column!r} value"
    return None


def attack_flags(incidents: pd.DataFrame) -> np.ndarray:
    """Which rows of an incident table are attacks: every row, unless a reader said otherwise.

    A reader may flag the rows that count (column ``counts_as_attack``; ACLED: the
    political-violence event types only, protests and strategic developments kept but not
    counted). Every count of attacks (the series, the claims) uses this one rule.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table.

    Returns
    -------
    numpy.ndarray
        One boolean per row.
    """
    if "counts_as_attack" in incidents.columns:
        return incidents["counts_as_attack"].fillna(False).to_numpy(dtype=bool)
    return np.ones(len(incidents), dtype=bool)


def _incident_rows(incidents: pd.DataFrame, opts: _Options) -> _Rows:
    """Read the dates, the figures of each measure and the groups of every incident."""
    n = len(incidents)
    day0 = date_days(incidents, "date", allow_missing=False)
    if "date_end" in incidents.columns and not _all_missing_dates(incidents["date_end"]):
        day1 = date_days(incidents, "date_end", allow_missing=True)
        day1 = np.where(day1 < 0, day0, day1)
        before = day1 < day0
        if before.any():
            row = int(np.flatnonzero(before)[0]) + 1
            raise InputError("date_end is before date", row=row, column="date_end")
    else:
        day1 = day0.copy()
    n_multi_day = int((day1 > day0).sum())
    if opts.multi_day == "start":
        day1 = day0
    absent = [
        f"{MEASURES[m]!r} ({m})"
        for m in opts.measures
        if MEASURES[m] is not None and MEASURES[m] not in incidents.columns
    ]
    if absent and n:
        warnings.warn(
            f"absent column(s) {', '.join(absent)}: these measures sum no known figure",
            DataQualityWarning,
            stacklevel=3,
        )
    per_row: dict[str, np.ndarray] = {}
    known_best = None
    for m in opts.measures:
        col = MEASURES[m]
        if col is None:
            continue
        per_row[m], known = _count_values(incidents, col)
        if m == "deaths_best":
            known_best = known
    if "attacks" in opts.measures:
        # A reader may say which rows are attacks (ACLED: political-violence event types only).
        per_row["attacks"] = attack_flags(incidents).astype(np.int64)
    if NO_FIGURE in opts.measures:
        if known_best is None:
            known_best = _count_values(incidents, "civilian_deaths_best")[1]
        no_figure = ~known_best
        no_figure &= attack_flags(incidents)  # only the attacks' missing figures matter
        per_row[NO_FIGURE] = no_figure.astype(np.int64)
    if opts.by is not None:
        gcodes, glabels = _group_labels(incidents, opts.by)
    else:
        gcodes, glabels = np.zeros(n, dtype=np.int64), [None]
    return _Rows(n, day0, day1, n_multi_day, per_row, gcodes, glabels)


def _all_missing_dates(column: pd.Series) -> bool:
    """True for a datetime column without any date (a missing end means the start day)."""
    return pd.api.types.is_datetime64_any_dtype(column) and bool(column.isna().all())


def _resolve_range(rows: _Rows, start: DateLike | None, end: DateLike | None) -> tuple[int, int]:
    """First and last day of the requested range (default: the table's dates)."""
    if (start is None or end is None) and rows.n == 0:
        raise InputError("the incident table is empty: give start and end for the range")
    s_day = to_day(start, "start") if start is not None else int(rows.day0.min())
    e_day = to_day(end, "end") if end is not None else int(rows.day1.max())
    if e_day < s_day:
        raise InputError(
            f"start ({day_to_ts(s_day).date()}) is after end ({day_to_ts(e_day).date()})"
        )
    return s_day, e_day


def _daily_sums(
    rows: _Rows, opts: _Options, s_day: int, e_day: int
) -> tuple[dict[str, np.ndarray], dict[str, float], np.ndarray]:
    """Per measure, a (groups, days) array of the day's total; totals of the table; rows kept."""
    n_days = e_day - s_day + 1
    day0, day1 = rows.day0, rows.day1
    in_range = (day0 >= s_day) & (day0 <= e_day)
    every_row = bool(in_range.all())  # the usual case: no row to leave out (no copies)
    span = day1 - day0 + 1
    multi = span > 1
    any_multi = bool(multi.any())
    if any_multi:  # only multi-day incidents need their days listed one by one
        idx = np.repeat(np.arange(rows.n), span)
        first = np.repeat(np.cumsum(span) - span, span)
        offset = np.arange(int(span.sum())) - first
        spread_days = day0[idx] + offset
        spread_ok = (spread_days >= s_day) & (spread_days <= e_day)
        flat_spread = rows.gcodes[idx[spread_ok]] * n_days + (spread_days[spread_ok] - s_day)
    if every_row:
        flat_start = rows.gcodes * n_days + (day0 - s_day)
    else:
        flat_start = rows.gcodes[in_range] * n_days + (day0[in_range] - s_day)
    size = len(rows.glabels) * n_days
    daily: dict[str, np.ndarray] = {}
    totals: dict[str, float] = {}
    done: list[tuple[bool, np.ndarray, np.ndarray]] = []  # (spread, per_row, sums) so far
    for m in opts.measures:
        per_row = rows.per_row[m]
        totals[m] = float(per_row.sum())
        spread = not (m in ("attacks", NO_FIGURE) or not any_multi)
        # The same figures (ACLED: low = best = high) are summed once; no figure sums to zeros.
        same = [d for d in done if d[0] == spread and np.array_equal(d[1], per_row)]
        if same:
            sums = same[0][2].copy()
        elif not per_row.any():
            sums = np.zeros(size, dtype=np.float64)
        elif not spread:
            weights = per_row if every_row else per_row[in_range]
            sums = np.bincount(flat_start, weights=weights, minlength=size)
        else:
            share = per_row[idx] // span[idx] + (offset < per_row[idx] % span[idx])
            sums = np.bincount(flat_spread, weights=share[spread_ok], minlength=size)
        done.append((spread, per_row, sums))
        daily[m] = sums.reshape(len(rows.glabels), n_days)
    return daily, totals, in_range


def _reported_days(nr_periods: list[tuple[int, int]], s_day: int, e_day: int) -> np.ndarray:
    """Boolean per day of the range: False inside a not-reported period."""
    reported = np.ones(e_day - s_day + 1, dtype=bool)
    for a, b in nr_periods:
        lo, hi = max(a, s_day), min(b, e_day)
        if lo <= hi:
            reported[lo - s_day : hi - s_day + 1] = False
    return reported


def _to_periods(
    daily: dict[str, np.ndarray], reported: np.ndarray, opts: _Options, s_day: int, e_day: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], pd.DatetimeIndex, dict[str, float]]:
    """Sum the days into periods; a period with a day not reported is NaN (its total is kept)."""
    n_days = e_day - s_day + 1
    all_days = np.arange(s_day, e_day + 1, dtype=np.int64)
    pstart_of_day = period_starts(all_days, opts.freq, opts.anchor, opts.month_day)
    bounds = np.flatnonzero(np.r_[True, pstart_of_day[1:] != pstart_of_day[:-1]])
    pstarts = pstart_of_day[bounds]
    coverage = {
        "days_in_period": days_in_period(pstarts, opts.freq, opts.month_day),
        "days_covered": np.add.reduceat(np.ones(n_days, dtype=np.int64), bounds),
        "days_reported": np.add.reduceat(reported.astype(np.int64), bounds),
    }
    masked = coverage["days_reported"] < coverage["days_covered"]
    per_period: dict[str, np.ndarray] = {}
    masked_totals: dict[str, float] = {}
    for m in opts.measures:
        agg = np.add.reduceat(daily[m], bounds, axis=1) if n_days else daily[m]
        masked_totals[m] = float(agg[:, masked].sum())
        agg = agg.astype(np.float64)
        agg[:, masked] = np.nan
        per_period[m] = agg  # (groups, periods)
    return per_period, coverage, days_to_index(pstarts), masked_totals


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
        ``series.loc["North"]`` is the daily series of one group.
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

"""Reader for a plain count series: one date column and one or more count columns.

The simplest file a monitor or a newspaper's data desk keeps: ``date,killed`` with one row per
day (or per week, or per month). Every input row is accounted for.

Input
-----
- a **date column**: by default the column named (case-insensitively) ``date``, ``day``,
  ``week``, ``month`` or ``period``; or name it with ``date_column``;
- **count columns**: by default every other column but those that hold text in every row (two
  or more values, none a number: a region, a source), which are left out with a note ("column
  'region' is text: not a count, left out"); or list them (``measures=["killed"]``) or map them
  to measure names (``measures={"Killed": "civilian_deaths"}``). Other columns are ignored and
  named in the report's notes. An empty count cell means *not reported* (missing),
  never zero.

Periods
-------
``freq`` is ``"D"``, ``"W"`` or ``"M"``, or inferred from the dates: the period is the grid most
dates agree with. Every gap a multiple of 7 days: weekly; every date the same day of the month
(or every date a month's last day), a month or more apart: monthly. When a few dates are off such
a grid (at most one date in ten, or one), the file stays weekly (monthly) if more gaps are one
week (one month) between on-grid dates than one day, and at least two are: the off-grid rows are
rejected with the grid they break ("2023-03-08 is a Wednesday; the other rows are weekly,
starting on Mondays"); they are never read as days. Otherwise the file is daily; three or more dates
none of which is the day after another are read as the days listed (a monitor may list only its
days with deaths; the days between are not reported), and the notes say so (give ``freq`` if
they are not days). With ``freq`` given, rows off the weekly grid (the most common weekday)
are rejected the same way, and rows off a monthly grid held by more than half the dates. A weekly or monthly date is the label of a period, and files differ on which day
labels it: ``label="start"`` (the date is the period's first day) or ``label="end"`` (its last
day; pandas ``resample("W")`` and many spreadsheets do this). Monthly dates that are all first
days or all last days of their month say so themselves; weekly dates never do, so a weekly file
needs ``label``: without it the reader refuses rather than guess. Monthly periods are calendar
months; weekly periods are the seven days starting at the period's first day.

Rows
----
- rejected (row, column, reason): an empty or unreadable date, a date that is not a calendar
  day, a count that is not a whole non-negative number, a date outside ``window``, a date that is
  not the label of a period of the series' frequency (for example a Wednesday in a Monday-labelled
  weekly file);
- merged as a duplicate: a row repeating an earlier row's date with the same counts;
- a row repeating an earlier date with *different* counts: both rows are rejected (which one is
  right cannot be told) and the period is not reported.

Output: one row per period from the first to the last accepted period, indexed by the period's
first day (``date``), with one ``Int64`` column per measure (NA where not reported), ``period_end``,
``days`` (days the period covers), ``reported`` (bool) and ``source_row``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from trends.errors import InputError, TrendsError
from trends.ingest._coerce import (
    DAY_MONTH,
    TWO_DIGIT_YEARS,
    RowErrors,
    check_date_format,
    check_thousands,
    parse_count,
    parse_date,
    settled_order,
    settled_words,
)
from trends.ingest._columns import map_columns
from trends.ingest._io import load_table
from trends.ingest._table import reject_outside_window
from trends.ingest.incidents import start_errors
from trends.ingest.report import DuplicateRecord, IngestReport

__all__ = ["DATE_COLUMN_NAMES", "off_grid", "read_counts", "text_columns"]

#: Column names taken as the date column when ``date_column`` is not given.
DATE_COLUMN_NAMES = ("date", "day", "week", "month", "period", "week_start", "week_end")

_DAYFIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%m-%y", "%d.%m.%y")
_MONTHFIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y", "%m-%d-%y", "%m.%d.%y")
_ISO = ("%Y-%m-%d", "%Y/%m/%d")
_FREQS = {"D": "day", "W": "week", "M": "month"}


def _header_test(columns: Mapping[str, str] | None, date_column: str | None):
    """Whether a worksheet row is a counts header: a date column is found (after mapping)."""

    def test(cells: list[str]) -> bool:
        header = list(dict.fromkeys(c.strip() for c in cells if c.strip()))
        try:
            frame, _ = map_columns(pd.DataFrame(columns=header), (), columns=columns)
            _find_date_column(list(frame.columns), date_column, "")
        except TrendsError:
            return False
        return len(frame.columns) > 1

    return test


def _find_date_column(
    columns: Sequence[str], date_column: str | None, path: str, hint: str | None = None
) -> str:
    more = f". {hint}" if hint else ""
    if date_column is not None:
        if date_column not in columns:
            raise InputError(
                f"date column {date_column!r} not found; columns are {', '.join(columns)}{more}",
                path=path,
            )
        return date_column
    lowered = {c.strip().lower().replace(" ", "_"): c for c in columns}
    for name in DATE_COLUMN_NAMES:
        if name in lowered:
            return lowered[name]
    raise InputError(
        "no date column found (looked for " + ", ".join(DATE_COLUMN_NAMES) + "); "
        "rename yours to date with the column mapping (--columns THEIRS=date on the command "
        f"line, columns={{'THEIRS': 'date'}} or date_column='THEIRS' in Python){more}",
        path=path,
    )


def _measure_columns(
    columns: Sequence[str], date_col: str, measures, path: str
) -> tuple[dict[str, str], list[str]]:
    others = [c for c in columns if c not in (date_col, "_row")]
    if measures is None:
        chosen = {c: c for c in others}
    elif isinstance(measures, Mapping):
        chosen = dict(measures)
    elif isinstance(measures, str):
        chosen = {measures: measures}
    else:
        chosen = {m: m for m in measures}
    missing = [c for c in chosen if c not in columns]
    if missing:
        raise InputError(
            f"count column(s) {', '.join(map(repr, missing))} not found; columns are "
            f"{', '.join(others)}",
            path=path,
        )
    if not chosen:
        raise InputError("no count column: the file has only a date column", path=path)
    ignored = [c for c in others if c not in chosen]
    return chosen, ignored


#: A cell that could be a count (digits, signs and separators), well formed or not.
_NUMBERISH = re.compile(r"[-+(]?[\d\s.,'\u00a0\u202f]*\d[\d\s.,'\u00a0\u202f)]*")


def text_columns(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The columns whose every non-empty cell is text (no cell looks like a number).

    Such a column (a region, a source, a note) is not a count measure: when the measures are
    not named and another column remains, :func:`read_counts` leaves it out with a note
    instead of rejecting every row. A column with numbers in some rows and a stray word in
    others is not text: those rows are rejected with the reason. A column needs two or more
    values to be taken as text (one stray word in a one-row file is rejected).

    Parameters
    ----------
    frame : DataFrame
        The raw table (cells as text).
    columns : sequence of str
        The candidate count columns.

    Returns
    -------
    list of str
        The candidates that are text in every row with a value (an all-empty column is not).
    """
    out = []
    for col in columns:
        cells = frame[col].astype("string").str.strip()
        cells = cells[cells.notna() & (cells != "")]
        if len(cells) >= 2 and not cells.map(lambda v: bool(_NUMBERISH.fullmatch(v))).any():
            out.append(col)
    return out


def _date_formats(values: pd.Series, date_format: str | None, dayfirst: bool | None, path: str):
    if date_format is not None:
        return (date_format,), f"dates read with the format {date_format!r}"
    parts = values.str.extract(DAY_MONTH)
    slashed = parts[0].notna()
    if not slashed.any():
        return _ISO, None
    short = bool((parts[slashed][3].str.len() == 2).any())
    years = f"; {TWO_DIGIT_YEARS}, a date after today refused" if short else ""
    if dayfirst is None:
        settled = settled_order(values)
        if settled is None:
            raise InputError(
                "dates such as "
                f"{values[slashed].iloc[0].strip()!r} could be day/month or month/day and the file "
                "does not settle it (no first or second field above 12); say which with the "
                "--dayfirst or --monthfirst option (dayfirst=True or False in Python) or give "
                "the format (--date-format, date_format= in Python), e.g. '%d/%m/%Y'",
                path=path,
            )
        dayfirst, how = settled, settled_words(settled)
    else:
        how = "day-first (as asked)" if dayfirst else "month-first (as asked)"
    return _ISO + (_DAYFIRST if dayfirst else _MONTHFIRST), f"dates read {how}{years}"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _modal(keys: pd.Series):
    """The most common key; a tie goes to the key of the earliest date."""
    counts = keys.value_counts(sort=False)
    best = counts.max()
    return next(k for k in keys if counts[k] == best)


def _week_grid(days: pd.DatetimeIndex) -> tuple[np.ndarray, int, int]:
    """Weekly grid: (on-grid mask, rows one week after the previous on-grid row, weekday)."""
    weekday = int(_modal(pd.Series(days.day_of_week)))
    on = np.asarray(days.day_of_week == weekday)
    support = int(np.sum(np.diff(days[on].to_numpy(dtype="datetime64[D]")).astype(int) == 7))
    return on, support, weekday


def _month_key(days: pd.DatetimeIndex) -> pd.Series:
    return pd.Series(np.where(days.is_month_end, 0, days.day), index=days)  # 0: the last day


def _month_grid(days: pd.DatetimeIndex) -> tuple[np.ndarray, int, int]:
    """Monthly grid: (on-grid mask, rows one month after the previous on-grid row, key).

    The key is the day of the month the rows fall on, 0 for the month's last day; a month too
    short for the key's day is on the grid on its last day (the 30th in February is the 28th).
    """
    keys = _month_key(days)
    key = int(_modal(keys))
    if key == 0:
        on = np.asarray(days.is_month_end)
    else:
        on = np.asarray((days.day == key) | (days.is_month_end & (days.day < key)))
    months = days[on].year * 12 + days[on].month
    return on, int(np.sum(np.diff(np.asarray(months)) == 1)), key


def _off_grid_reason(freq: str, key: int, label: str | None):
    """The rejection reason for a date off a weekly (key: weekday) or monthly (key) grid."""
    if freq == "W":
        side = {"start": "starting", "end": "ending"}.get(label or "", "falling")
        return lambda d: (
            f"{d:%Y-%m-%d} is a {_WEEKDAYS[d.day_of_week]}; the other rows are weekly, {side} on "
            f"{_WEEKDAYS[key]}s"
        )
    where = "each month's last day" if key == 0 else f"the {_ordinal(key)} of each month"
    return lambda d: (
        f"{d:%Y-%m-%d} is {'the last day of its month' if d.is_month_end else 'the ' + _ordinal(d.day)}; "
        f"the other rows are monthly, on {where}"
    )


def _infer_freq(dates: pd.Series, path: str) -> str:
    days = np.unique(dates.dropna().to_numpy(dtype="datetime64[D]"))
    if len(days) < 2:
        return "D"
    gaps = np.diff(days).astype(int)
    if np.all(gaps % 7 == 0):
        return "W"
    stamps = pd.DatetimeIndex(days)
    if len(set(stamps.day)) == 1 or bool(stamps.is_month_end.all()):
        if np.all(gaps >= 28):
            return "M"
    consecutive = int(np.sum(gaps == 1))
    for freq, grid in (("W", _week_grid), ("M", _month_grid)):
        on, support, _ = grid(stamps)
        off = int(np.sum(~on))
        if support > consecutive and support >= 2 and off <= max(1, len(stamps) // 10):
            return freq
    return "D"  # no grid: days (a file that lists only its days with deaths is daily too)


def _sparse_days(dates: pd.Series) -> bool:
    """Whether three or more dates read as days hold no two consecutive days (said, not
    refused: a monitor may list only the days with deaths)."""
    days = np.unique(dates.dropna().to_numpy(dtype="datetime64[D]"))
    return len(days) >= 3 and not bool(np.any(np.diff(days).astype(int) == 1))


def off_grid(dates: pd.Series, freq: str, label: str | None = None) -> tuple[pd.Series, Callable]:
    """Which dates are off the weekly or monthly grid the other dates keep, and why.

    The grid is the weekday most dates fall on (weekly) or the day of the month most dates fall
    on, or the month's last day (monthly); a tie goes to the earliest date's. A monthly grid
    applies only when it holds more than half the dates (otherwise each date stands for its
    calendar month). A daily series has no grid.

    Parameters
    ----------
    dates : Series of datetime64
        The dates of the rows (NaT allowed: never off the grid).
    freq : {"D", "W", "M"}
        Period of the series.
    label : {"start", "end"}, optional
        Whether a date is its period's first or last day (only for the words).

    Returns
    -------
    (Series of bool, callable)
        True for the dates off the grid (aligned with ``dates``), and a function from such a
        date to the reason it is rejected ("2023-03-08 is a Wednesday; the other rows are
        weekly, starting on Mondays").
    """
    ok = dates.dropna()
    none = pd.Series(False, index=dates.index)
    if freq == "D" or ok.empty:
        return none, str
    days = pd.DatetimeIndex(ok.dt.normalize())
    on, _, key = (_week_grid if freq == "W" else _month_grid)(days)
    if freq == "M" and on.sum() * 2 <= len(on):
        return none, str
    mask = none.copy()
    mask.loc[ok.index] = ~on
    return mask, _off_grid_reason(freq, key, label)


def _period_starts(
    dates: pd.Series, freq: str, label: str | None, path: str, ok: pd.Series
) -> tuple[pd.Series, str, str | None]:
    """Each date's period start, the label convention used (stated in the report), the label.

    ``ok`` holds the dates of the rows still accepted: they settle a monthly label.
    """
    if freq == "D":
        return dates, "one row per day", None
    if freq == "M":
        ok = ok.dropna()
        if label is None:
            if bool(ok.dt.is_month_start.all()):
                label = "start"
            elif bool(ok.dt.is_month_end.all()):
                label = "end"
            else:
                raise InputError(
                    "monthly dates are neither all first nor all last days of their month; "
                    "say which day labels a month with the label option (--label start or "
                    "--label end on the command line, label='start' or 'end' in Python)",
                    path=path,
                )
        _check_month_label(ok, label, path)
        months = dates.dt.to_period("M").dt.start_time
        return months, f"calendar months labelled by their {label}", label
    if label is None:
        raise InputError(
            "weekly dates: say whether each date is the first or the last day of its week "
            "with the label option (--label start or --label end on the command line, "
            "label='start' or 'end' in Python; pandas resample('W') labels by the week's end)",
            path=path,
        )
    starts = dates if label == "start" else dates - pd.Timedelta(days=6)
    return starts, f"weeks of seven days labelled by their {label} day", label


def _periods(
    table: pd.DataFrame, errors: RowErrors, freq: str | None, label: str | None, path: str, raw
) -> tuple[str, str, str | None]:
    """Settle the period, reject the rows off its grid, and set ``table["start"]``.

    Returns the period, the label convention in words, and the label (None for days).
    """
    inferred = freq is None
    freq = freq or _infer_freq(table.loc[~errors.bad, "date"], path)
    off, why = off_grid(table.loc[~errors.bad, "date"], freq, label)
    if off.any():
        mask = off.reindex(table.index, fill_value=False)
        reasons = {raw.loc[i]: why(table.loc[i, "date"]) for i in mask[mask].index}
        errors.add(mask, "date", reasons.__getitem__, raw)
    on_grid = table.loc[~errors.bad, "date"]
    starts, convention, label = _period_starts(table["date"], freq, label, path, on_grid)
    if inferred and freq == "D" and _sparse_days(on_grid):
        convention += (
            " (no two listed dates are consecutive days, and they keep no weekly or monthly "
            "grid: read as the days listed, the days between not reported; give freq='W' or "
            "'M' in Python if the rows are not days)"
        )
    table["start"] = starts
    return freq, convention, label


def _check_month_label(dates: pd.Series, label: str, path: str) -> None:
    """Refuse a month label the dates contradict (every date the other end of its month)."""
    starts, ends = bool(dates.dt.is_month_start.all()), bool(dates.dt.is_month_end.all())
    wrong = (label == "end" and starts and not ends) or (label == "start" and ends and not starts)
    if wrong and len(dates):
        day = "first" if starts else "last"
        raise InputError(
            f"the label option says monthly dates are the {label} of their month, but every "
            f"date is the {day} day of its month (e.g. {dates.iloc[0]:%Y-%m-%d}); give "
            f"--label {'start' if starts else 'end'} (label='{'start' if starts else 'end'}' "
            "in Python) or leave it out: such dates settle it",
            path=path,
        )


def _duplicates(table: pd.DataFrame, cols: list[str], errors: RowErrors) -> list[DuplicateRecord]:
    ok = table.loc[~errors.bad & table["start"].notna()]
    repeated = ok["start"].duplicated(keep=False)
    records: list[DuplicateRecord] = []
    for _, group in ok.loc[repeated].groupby("start"):
        first = group.iloc[0]
        same = all(
            group[c].equals(
                pd.Series([first[c]] * len(group), index=group.index, dtype=group[c].dtype)
            )
            for c in cols
        )
        if same:
            for _, row in group.iloc[1:].iterrows():
                records.append(
                    DuplicateRecord(
                        int(row["_row"]),
                        int(first["_row"]),
                        str(first["start"].date()),
                        "same period, identical counts",
                        (),
                    )
                )
        else:
            rows = ", ".join(str(int(r)) for r in group["_row"])
            errors.add(
                pd.Series(table.index.isin(group.index), index=table.index),
                "date",
                f"period repeated with different counts (rows {rows}); which is right cannot be told",
            )
    return records


def read_counts(
    path: str | Path | pd.DataFrame,
    *,
    date_column: str | None = None,
    measures: Sequence[str] | Mapping[str, str] | str | None = None,
    freq: str | None = None,
    label: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    window=None,
    strict: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
    columns: Mapping[str, str] | None = None,
    thousands: str | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Read a plain count series (daily, weekly or monthly) with every row accounted for.

    Parameters
    ----------
    path : str, Path or DataFrame
        Delimited file, or a loaded table.
    date_column : str, optional
        The date column (default: one of :data:`DATE_COLUMN_NAMES`, case-insensitively).
    measures : str, sequence or mapping, optional
        Count columns to read, or a mapping from their names to measure names (default: every
        column but the date and the columns that are text in every row).
    freq : {"D", "W", "M"}, optional
        Period of the rows; inferred from the dates when omitted (the grid most dates agree
        with; see the module docstring). Rows off a weekly or monthly grid are rejected.
    label : {"start", "end"}, optional
        Whether a weekly or monthly date is its period's first or last day. Required for weekly
        data; monthly dates that are all first or all last days of a month need none.
    date_format : str, optional
        ``strptime`` format of the dates (e.g. ``"%d/%m/%Y"``). A time of day or a UTC offset
        (ISO date-times, or ``%z``) is dropped after reading the date written: the local day of a
        stated offset, never converted to UTC (the report's notes say how many rows had them).
    dayfirst : bool, optional
        For dates such as 03/02/2024: day first (True) or month first (False). Without it (and
        without ``date_format``) an ambiguous file is refused.
    window : (start, end), optional
        Rows outside this inclusive window are rejected with that reason.
    strict : bool
        Raise at the first bad row.
    delimiter, encoding : str, optional
        See :func:`trends.ingest.read_delimited`.
    columns : mapping, optional
        Renames ``{their_name: our_name}`` applied first (e.g. ``{"Day": "date"}``).
    thousands : str, optional
        Thousands separator of the counts (``","`` reads ``1,089`` as 1089); without it such a
        count is rejected as ambiguous.
    sheet : str or int, optional
        Worksheet of an ``.xlsx`` file.

    Returns
    -------
    (DataFrame, IngestReport)
        The period table described in the module docstring, and the account of every row.
    """
    if freq is not None and freq not in _FREQS:
        raise InputError(f"freq must be one of {', '.join(_FREQS)}, not {freq!r}")
    if label not in (None, "start", "end"):
        raise InputError(f"label must be 'start' or 'end', not {label!r}")
    check_thousands(thousands)
    if date_format is not None:
        check_date_format(date_format)
    raw = load_table(path, delimiter=delimiter, encoding=encoding, sheet=sheet,
                     header=_header_test(columns, date_column))  # fmt: skip
    src = raw.path
    raw.frame, column_notes = map_columns(raw.frame, (), columns=columns, path=src)
    raw.notes.extend(column_notes)
    date_col = _find_date_column(list(raw.frame.columns), date_column, src, raw.header_hint)
    chosen, ignored = _measure_columns(list(raw.frame.columns), date_col, measures, src)
    texts = text_columns(raw.frame, list(chosen)) if measures is None else []
    texts = texts if len(texts) < len(chosen) else []  # the only candidates: rows rejected
    chosen = {k: v for k, v in chosen.items() if k not in texts}
    raw.notes.extend(f"column {c!r} is text: not a count, left out" for c in texts)
    errors = start_errors(raw, strict)
    formats, date_note = _date_formats(raw.frame[date_col].astype(str), date_format, dayfirst, src)
    table = pd.DataFrame({"_row": raw.frame["_row"]}, index=raw.frame.index)
    date_notes: list[str] = []
    table["date"] = parse_date(
        raw.frame[date_col], date_col, errors, formats, required=True, notes=date_notes
    )
    cols = list(chosen.values())
    for theirs, ours in chosen.items():
        table[ours] = parse_count(raw.frame[theirs], theirs, errors, thousands)
    reject_outside_window(table, errors, window)
    freq, convention, label = _periods(table, errors, freq, label, src, raw.frame[date_col])
    dups = _duplicates(table, cols, errors)
    dup_rows = {d.row for d in dups}
    good = table.loc[~errors.bad & ~table["_row"].isin(dup_rows)]
    out = _period_table(good, cols, freq)
    notes = list(raw.notes) + [f"periods: {convention}"] + ([date_note] if date_note else [])
    notes += date_notes
    if ignored:
        notes.append("columns ignored (not counts asked for): " + ", ".join(ignored))
    issues = sorted(
        raw.with_lines(list(raw.issues) + errors.issues), key=lambda i: (i.row, i.column or "")
    )
    report = IngestReport(
        source=src,
        format="counts",
        rows_read=raw.rows_read,
        accepted=len(good),
        rejected=len({i.row for i in issues}),
        duplicates=len(dups),
        errors=issues,
        duplicate_rows=sorted(dups, key=lambda d: d.row),
        notes=notes,
        choices={
            "freq": freq,
            "label": label,
            "measures": dict(chosen),
            "empty cell": "not reported (missing), never zero",
        },
    )
    report.check()
    return out, report


def _period_table(good: pd.DataFrame, cols: list[str], freq: str) -> pd.DataFrame:
    if good.empty:
        index = pd.DatetimeIndex([], name="date")
        out = pd.DataFrame({c: pd.Series(dtype="Int64") for c in cols}, index=index)
        out["period_end"] = pd.Series(dtype="datetime64[ns]")
        out["days"] = pd.Series(dtype="int64")
        out["reported"] = pd.Series(dtype="bool")
        out["source_row"] = pd.Series(dtype="Int64")
        return out
    offset = {"D": "D", "W": "7D", "M": "MS"}[freq]
    index = pd.date_range(good["start"].min(), good["start"].max(), freq=offset, name="date")
    by_start = good.set_index("start")
    out = pd.DataFrame(index=index)
    for c in cols:
        out[c] = by_start[c].reindex(index).astype("Int64")
    ends = {"D": index, "W": index + pd.Timedelta(days=6), "M": index + pd.offsets.MonthEnd(0)}[
        freq
    ]
    out["period_end"] = ends
    out["days"] = ((out["period_end"] - index) / pd.Timedelta(days=1)).astype("int64") + 1
    out["reported"] = index.isin(by_start.index)
    out["source_row"] = by_start["_row"].reindex(index).astype("Int64")
    return out

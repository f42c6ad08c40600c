"""Reader for a plain count series: one date column and one or more count columns.

The simplest file a monitor or a newspaper's data desk keeps: ``date,killed`` with one row per
day (or per week, or per month). Every input row is accounted for.

Input
-----
- a **date column**: by default the column named (case-insensitively) ``date``, ``day``,
  ``week``, ``month`` or ``period``; or name it with ``date_column``;
- **count columns**: by default every other column; or list them (``measures=["killed"]``) or
  map them to measure names (``measures={"Killed": "civilian_deaths"}``). Other columns are
  ignored and named in the report's notes. An empty count cell means *not reported* (missing),
  never zero.

Periods
-------
``freq`` is ``"D"``, ``"W"`` or ``"M"``, or inferred from the dates (every gap a whole number
of days: daily; every gap a multiple of 7 days: weekly; every date the same day of the month:
monthly). A weekly or monthly date is the label of a period, and files differ on which day
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

from collections.abc import Mapping, Sequence
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

__all__ = ["DATE_COLUMN_NAMES", "read_counts"]

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


def _infer_freq(dates: pd.Series) -> str:
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
    return "D"


def _period_starts(
    dates: pd.Series, freq: str, label: str | None, path: str
) -> tuple[pd.Series, str]:
    """Each date's period start, and the label convention used (stated in the report)."""
    if freq == "D":
        return dates, "one row per day"
    if freq == "M":
        ok = dates.dropna()
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
        return dates.dt.to_period("M").dt.start_time, f"calendar months labelled by their {label}"
    if label is None:
        raise InputError(
            "weekly dates: say whether each date is the first or the last day of its week "
            "with the label option (--label start or --label end on the command line, "
            "label='start' or 'end' in Python; pandas resample('W') labels by the week's end)",
            path=path,
        )
    starts = dates if label == "start" else dates - pd.Timedelta(days=6)
    return starts, f"weeks of seven days labelled by their {label} day"


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
        column but the date).
    freq : {"D", "W", "M"}, optional
        Period of the rows; inferred from the dates when omitted.
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
    good_dates = table.loc[~errors.bad, "date"]
    freq = freq or _infer_freq(good_dates)
    starts, convention = _period_starts(table["date"], freq, label, src)
    table["start"] = starts
    if freq == "W" and len(good_dates):
        anchor = table.loc[~errors.bad, "start"].dropna()
        weekday = anchor.iloc[0].day_of_week if len(anchor) else 0
        errors.add(
            ~errors.bad & (table["start"].dt.day_of_week != weekday),
            "date",
            "is not on the same weekday as the other weekly dates",
            raw.frame[date_col],
        )
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
            "label": label or ("start" if freq == "D" else None),
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

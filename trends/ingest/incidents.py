"""Reader for the curated incident table (the package's own schema): CSV, xlsx, Parquet, frames.

The file has the columns of :mod:`trends.schema` (any further columns are kept). Hand-made tables
with other column names are read as they are when their names are the canonical ones in another
case or documented synonyms (:data:`trends.schema.INCIDENT_SYNONYMS`, e.g. ``Killed``,
``Village``, ``Children killed``), or with a ``columns`` mapping from their names to ours, e.g.
``columns={"killed": "civilian_deaths_best", "day": "date", "id": "incident_id"}``. Every
renaming is noted in the report. Without an ``incident_id`` column, ids are generated from the row
numbers and the report says so. Numeric day/month dates (``03/02/2024``) need ``dayfirst`` or
``date_format`` unless the file settles their order itself (a first field above 12 somewhere:
day-first; a second: month-first; the report says so); otherwise they are rejected as
ambiguous, never read month-first silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from trends.errors import RowValidationError
from trends.ingest._coerce import (
    RowErrors,
    check_thousands,
    date_formats,
    parse_count,
    parse_date,
    parse_float,
    parse_text,
    require_columns,
    settled_order,
    settled_words,
)
from trends.ingest._columns import header_test, map_columns
from trends.ingest._io import RawTable, load_table
from trends.ingest._table import finalize
from trends.ingest.report import IngestReport
from trends.schema import INCIDENT_COLUMNS, INCIDENT_SCHEMA, INCIDENT_SYNONYMS

__all__ = ["read_incidents"]  # the other helpers are shared by the readers, not public API

#: How a date is written, in messages.
_EXPECTED = "YYYY-MM-DD"


def start_errors(raw: RawTable, strict: bool) -> RowErrors:
    """A :class:`RowErrors` for ``raw``; in strict mode, raise for a malformed row at once."""
    if strict and raw.issues:
        first = raw.issues[0]
        line = raw.line_of(first.row)
        raise RowValidationError(
            first.reason + (f" [line {line}]" if line is not None else ""),
            path=raw.path,
            row=first.row,
            column=first.column,
        )
    return RowErrors(raw.frame["_row"], raw.path, strict=strict, line_of=raw.line_of)


def parse_canonical(
    frame: pd.DataFrame,
    errors: RowErrors,
    *,
    thousands: str | None = None,
    formats: tuple[str, ...] = ("%Y-%m-%d",),
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Parse raw string columns that already carry canonical names into typed columns.

    ``notes`` receives :func:`~trends.ingest._coerce.parse_date`'s note on times of day and
    UTC offsets.
    """
    table = pd.DataFrame(index=frame.index)
    expected = _EXPECTED if formats == ("%Y-%m-%d",) else " or ".join(formats)
    for spec in INCIDENT_SCHEMA:
        if spec.name not in frame.columns:
            continue
        raw = frame[spec.name]
        if spec.kind == "str":
            table[spec.name] = parse_text(raw)
            if spec.required:
                errors.add(table[spec.name].isna(), spec.name, "is empty; a value is required")
        elif spec.kind == "date":
            table[spec.name] = parse_date(
                raw,
                spec.name,
                errors,
                formats,
                required=spec.required,
                expected=expected,
                notes=notes,
            )
        elif spec.kind == "count":
            table[spec.name] = parse_count(raw, spec.name, errors, thousands)
        else:
            table[spec.name] = parse_float(raw, spec.name, errors, spec.minimum, spec.maximum)
    for col in frame.columns:
        if col not in table.columns:
            table[col] = frame[col] if col == "_row" else parse_text(frame[col])
    return table


def read_incidents(
    path: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    dataset: str | None = None,
    window=None,
    strict: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
    thousands: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Read a curated incident table into the canonical schema.

    Parameters
    ----------
    path : str, Path or DataFrame
        Delimited text (``.csv``, ``.tsv``...; gzip- or zip-compressed too), ``.xlsx``,
        ``.parquet``, or a DataFrame.
    columns : mapping, optional
        Renames input columns to canonical ones: ``{their_name: our_name}``. Without it, header
        names are matched ignoring case and through :data:`trends.schema.INCIDENT_SYNONYMS`
        (each renaming is noted).
    dataset : str, optional
        Value for the ``dataset`` column where the file has none (default: the file's stem).
    window : (start, end), optional
        Keep incidents dated inside this inclusive window; the others are rejected with a reason.
    strict : bool
        Raise :class:`~trends.errors.RowValidationError` at the first bad row instead of
        rejecting it.
    delimiter, encoding : str, optional
        See :func:`trends.ingest.read_delimited`.
    thousands : str, optional
        The thousands separator of count columns (``","`` reads ``1,089`` as 1089). Without it a
        count written with a separator is rejected as ambiguous.
    date_format : str, optional
        The ``strptime`` format of the date columns (e.g. ``"%d/%m/%Y"``). Without it, ISO
        dates may carry a time of day and a UTC offset (``2024-01-01 14:30+03:00``); with ``%z``
        in it, offsets are read too. Either way a date is its calendar day as written (the time
        and the offset are dropped, never converted: the local day of the stated offset), and
        the report's notes say how many rows had them.
    dayfirst : bool, optional
        Read numeric day/month dates (``03/02/2024``) day first (True) or month first (False).
        Without this or ``date_format`` the file's own dates may settle the order (a first field
        above 12: day-first; a second: month-first; stated in the report's choices); otherwise
        such dates are rejected as ambiguous, never guessed.
    sheet : str or int, optional
        Worksheet of an ``.xlsx`` file (default: the first).

    Returns
    -------
    (DataFrame, IngestReport)
        The canonical incident table and the account of every input row. Without an
        ``incident_id`` column, ids ``row-1``, ``row-2``... are generated from the row numbers
        (stated in the report's choices; duplicates cannot then be detected by id).

    Raises
    ------
    FileReadError
        The file cannot be read at all.
    MissingColumnsError
        ``date`` is absent (close matches are suggested).

    Examples
    --------
    >>> table, report = read_incidents("my_incidents.csv",
    ...     columns={"id": "incident_id", "day": "date", "killed": "civilian_deaths_best"})
    ... # doctest: +SKIP
    """
    check_thousands(thousands)
    formats = date_formats(("%Y-%m-%d",), date_format, dayfirst)
    test = header_test(["date"], INCIDENT_COLUMNS, columns=columns, synonyms=INCIDENT_SYNONYMS)
    raw = load_table(path, delimiter=delimiter, encoding=encoding, sheet=sheet, header=test)
    source = raw.path
    frame, notes = map_columns(
        raw.frame, INCIDENT_COLUMNS, columns=columns, synonyms=INCIDENT_SYNONYMS, path=source
    )
    require_columns(frame.columns, ["date"], source, hint=raw.header_hint)
    choices: dict[str, str] = {}
    settled = settled_order(frame["date"]) if date_format is None and dayfirst is None else None
    if settled is not None:  # the file's own dates settle day/month order: nothing guessed
        formats = date_formats(("%Y-%m-%d",), None, settled)
        choices["date_format"] = f"dates read {settled_words(settled)}"
    if "incident_id" not in frame.columns:
        frame = frame.assign(incident_id="row-" + frame["_row"].astype("str"))
        choices["incident_id"] = (
            "generated from the row numbers (row-1, row-2, ...): the file has no incident_id "
            "column, so repeated incidents cannot be detected by id"
        )
    if "dataset" not in frame.columns:
        name = dataset or (Path(source).stem if isinstance(path, (str, Path)) else "dataframe")
        frame = frame.assign(dataset=name)
    if date_format is not None or dayfirst is not None:
        choices["date_format"] = " or ".join(formats)
    if thousands is not None:
        choices["thousands"] = f"{thousands!r} read as a thousands separator in counts"
    errors = start_errors(raw, strict)
    notes = list(notes)
    table = parse_canonical(frame, errors, thousands=thousands, formats=formats, notes=notes)
    return finalize(
        table, raw, errors, format="incidents", window=window, notes=notes, choices=choices
    )

"""Reader for the curated incident table (the package's own schema), CSV or Parquet.

The file has the columns of :mod:`trends.schema` (any further columns are kept). Hand-made tables
with other column names are read with a ``columns`` mapping from their names to ours, e.g.
``columns={"killed": "civilian_deaths_best", "day": "date", "id": "incident_id"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from trends.errors import FileReadError, InputError, RowValidationError
from trends.ingest._coerce import (
    RowErrors,
    parse_count,
    parse_date,
    parse_float,
    parse_text,
    require_columns,
)
from trends.ingest._io import RawTable, read_delimited
from trends.ingest._table import finalize
from trends.ingest.report import IngestReport
from trends.schema import INCIDENT_SCHEMA

__all__ = ["read_incidents"]  # the other helpers are shared by the readers, not public API


def start_errors(raw: RawTable, strict: bool) -> RowErrors:
    """A :class:`RowErrors` for ``raw``; in strict mode, raise for a malformed row at once."""
    if strict and raw.issues:
        first = raw.issues[0]
        raise RowValidationError(first.reason, path=raw.path, row=first.row, column=first.column)
    return RowErrors(raw.frame["_row"], raw.path, strict=strict)


def raw_from_frame(frame: pd.DataFrame, path: str) -> RawTable:
    """Wrap an already-loaded table (e.g. from Parquet) as raw strings for the same checks."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            text = s.dt.strftime("%Y-%m-%d")
        else:
            text = s.astype("str")
        out[str(col)] = text.where(s.notna(), "").astype("str")
    out = out.reset_index(drop=True)
    out["_row"] = range(1, len(out) + 1)
    return RawTable(out, path, len(out), [], [], ",")


def parse_canonical(frame: pd.DataFrame, errors: RowErrors) -> pd.DataFrame:
    """Parse raw string columns that already carry canonical names into typed columns."""
    table = pd.DataFrame(index=frame.index)
    for spec in INCIDENT_SCHEMA:
        if spec.name not in frame.columns:
            continue
        raw = frame[spec.name]
        if spec.kind == "str":
            table[spec.name] = parse_text(raw)
            if spec.required:
                errors.add(table[spec.name].isna(), spec.name, "is empty; a value is required")
        elif spec.kind == "date":
            table[spec.name] = parse_date(raw, spec.name, errors, required=spec.required)
        elif spec.kind == "count":
            table[spec.name] = parse_count(raw, spec.name, errors)
        else:
            table[spec.name] = parse_float(raw, spec.name, errors, spec.minimum, spec.maximum)
    for col in frame.columns:
        if col not in table.columns:
            table[col] = frame[col] if col == "_row" else parse_text(frame[col])
    return table


def read_incidents(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    dataset: str | None = None,
    window=None,
    strict: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Read a curated incident table (CSV or Parquet) into the canonical schema.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (or any delimited text) or ``.parquet`` file.
    columns : mapping, optional
        Renames input columns to canonical ones: ``{their_name: our_name}``.
    dataset : str, optional
        Value for the ``dataset`` column where the file has none (default: the file's stem).
    window : (start, end), optional
        Keep incidents dated inside this inclusive window; the others are rejected with a reason.
    strict : bool
        Raise :class:`~trends.errors.RowValidationError` at the first bad row instead of
        rejecting it.
    delimiter, encoding : str, optional
        See :func:`trends.ingest.read_delimited`.

    Returns
    -------
    (DataFrame, IngestReport)
        The canonical incident table and the account of every input row.

    Raises
    ------
    FileReadError
        The file cannot be read at all.
    MissingColumnsError
        ``incident_id`` or ``date`` is absent (close matches are suggested).

    Examples
    --------
    >>> table, report = read_incidents("my_incidents.csv",
    ...     columns={"id": "incident_id", "day": "date", "killed": "civilian_deaths_best"})
    ... # doctest: +SKIP
    """
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            frame = pd.read_parquet(path)
        except FileNotFoundError as exc:
            raise FileReadError("file not found", path=str(path)) from exc
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise FileReadError(f"cannot read as Parquet: {exc}", path=str(path)) from exc
        raw = raw_from_frame(frame, str(path))
    else:
        raw = read_delimited(path, delimiter=delimiter, encoding=encoding)
    frame = raw.frame
    if columns:
        unknown = [k for k in columns if k not in frame.columns]
        if unknown:
            raise InputError(
                f"column mapping names columns that are not in the file: {unknown}",
                path=str(path),
            )
        frame = frame.rename(columns=dict(columns))
    require_columns(frame.columns, ["incident_id", "date"], str(path))
    if "dataset" not in frame.columns:
        frame = frame.assign(dataset=dataset or path.stem)
    errors = start_errors(raw, strict)
    table = parse_canonical(frame, errors)
    return finalize(table, raw, errors, format="incidents", window=window)

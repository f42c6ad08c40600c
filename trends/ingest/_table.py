"""The last step every reader shares: cross-field rules, the date window, duplicates, accounting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError
from trends.ingest._coerce import RowErrors, string_buffers
from trends.ingest._io import RawTable
from trends.ingest.report import DuplicateRecord, IngestReport
from trends.schema import INCIDENT_COLUMNS, order_columns

__all__ = [
    "check_incident_rules",
    "finalize",
    "has_repeats",
    "reject_outside_window",
    "resolve_window",
]


def resolve_window(window) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Turn ``(start, end)`` (either may be None) into normalised timestamps."""
    if window is None:
        return None, None
    if not isinstance(window, (tuple, list)) or len(window) != 2:
        raise InputError("window must be a (start, end) pair of dates; either may be None")
    try:
        start, end = (None if w is None else pd.Timestamp(w).normalize() for w in window)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"window {window!r} does not hold dates: {exc}") from exc
    if (start is not None and pd.isna(start)) or (end is not None and pd.isna(end)):
        raise InputError(f"window {window!r} does not hold dates")
    if start is not None and end is not None and end < start:
        raise InputError(f"window end {end.date()} is before its start {start.date()}")
    return start, end


def reject_outside_window(table: pd.DataFrame, errors: RowErrors, window) -> None:
    """Reject (with a reason) the otherwise valid rows whose ``date`` is outside ``window``.

    Parameters
    ----------
    table : DataFrame
        Parsed rows with a ``date`` column.
    errors : RowErrors
        Collector of the rows' problems.
    window : (start, end) or None
        Inclusive bounds; either may be None.
    """
    start, end = resolve_window(window)
    if start is None and end is None:
        return
    outside = pd.Series(False, index=table.index)
    if start is not None:
        outside |= table["date"] < start
    if end is not None:
        outside |= table["date"] > end
    lo = "..." if start is None else start.date().isoformat()
    hi = "..." if end is None else end.date().isoformat()
    outside = ~errors.bad & outside.fillna(False)
    errors.add(
        outside,
        "date",
        f"is outside the requested window {lo} to {hi}",
        _day_text(table["date"], outside),
    )


def _day_text(dates: pd.Series, mask: pd.Series) -> pd.Series:
    """The dates of the rows in ``mask`` as ``YYYY-MM-DD`` (only those are formatted)."""
    return dates[mask.fillna(False).astype(bool)].dt.strftime("%Y-%m-%d")


def check_incident_rules(table: pd.DataFrame, errors: RowErrors) -> None:
    """Cross-field rules of the canonical schema (see :mod:`trends.schema`)."""
    low, best, high = (
        table["civilian_deaths_low"],
        table["civilian_deaths_best"],
        table["civilian_deaths_high"],
    )
    errors.add(
        (low > best).fillna(False),
        "civilian_deaths_low",
        lambda v: f"low figure {v} is above the best figure",
        low,
    )
    errors.add(
        (best > high).fillna(False),
        "civilian_deaths_high",
        lambda v: f"high figure {v} is below the best figure",
        high,
    )
    errors.add(
        (low > high).fillna(False) & best.isna(),
        "civilian_deaths_high",
        lambda v: f"high figure {v} is below the low figure",
        high,
    )
    ceiling = high.fillna(best)
    errors.add(
        (table["child_deaths"] > ceiling).fillna(False),
        "child_deaths",
        lambda v: f"{v} child deaths is more than the civilian deaths recorded",
        table["child_deaths"],
    )
    before = (table["date_end"] < table["date"]).fillna(False)
    errors.add(
        before, "date_end", "is before the incident's date", _day_text(table["date_end"], before)
    )


def finalize(
    table: pd.DataFrame,
    raw: RawTable,
    errors: RowErrors,
    *,
    format: str,
    window=None,
    prefer: str | None = None,
    compare_columns: Sequence[str] | None = None,
    notes: Sequence[str] = (),
    choices: dict[str, Any] | None = None,
    unique_ids: bool = False,
) -> tuple[pd.DataFrame, IngestReport]:
    """Apply the shared rules and build the ingest report.

    Parameters
    ----------
    table : DataFrame
        Parsed canonical columns (plus extras) with a ``_row`` column, one row per raw record that
        could be split into fields.
    raw : RawTable
        What the file reader returned (rows read, row-level issues, notes).
    errors : RowErrors
        Cell-level problems found while parsing ``table``.
    format : str
        Reader name for the report.
    window : (start, end), optional
        Rows whose ``date`` is outside it are rejected with that reason.
    prefer : str, optional
        Among rows sharing an ``incident_id``, keep the one with the largest value of this column
        (e.g. ACLED's ``timestamp``); by default the first one in the file.
    compare_columns : sequence of str, optional
        Columns compared to list the differences between duplicates (default: canonical ones).
    unique_ids : bool
        True when the caller has found with :func:`has_repeats` that no ``incident_id`` of
        ``table`` occurs twice (e.g. in a worker thread while parsing the other columns). The
        duplicate check is then skipped: the rows kept are a subset of those, so none of their
        ids repeats either. The result is the same.
    """
    table = _ordered(table)
    check_incident_rules(table, errors)
    reject_outside_window(table, errors, window)
    good = table.loc[~errors.bad] if errors.bad.any() else table
    good = good.reset_index(drop=True)  # unique labels for dropping duplicates below

    # Duplicates: same incident_id. Keep the first row (or the one with the largest `prefer`).
    # Only the rows whose id repeats are sorted and compared (cheap when there are few).
    dup_records: list[DuplicateRecord] = []
    repeated = _repeated(good["incident_id"]) if len(good) and not unique_ids else None
    if repeated is not None and repeated.any():
        ordered = good.loc[repeated]
        if prefer is not None and prefer in good.columns:
            ordered = ordered.sort_values([prefer, "_row"], ascending=[False, True], kind="stable")
        dup_mask = ordered.duplicated("incident_id", keep="first")
        if dup_mask.any():
            kept = ordered.loc[~dup_mask].set_index("incident_id")
            cols = [
                c
                for c in (compare_columns or INCIDENT_COLUMNS)
                if c in ordered.columns and c != "incident_id"
            ]
            for _, row in ordered.loc[dup_mask].iterrows():
                first = kept.loc[row["incident_id"]]
                diffs = tuple(
                    c
                    for c in cols
                    if not (
                        (pd.isna(row[c]) and pd.isna(first[c]))
                        or (not pd.isna(row[c]) and not pd.isna(first[c]) and row[c] == first[c])
                    )
                )
                rule = "same id, identical content" if not diffs else "same id"
                if prefer is not None and prefer in ordered.columns:
                    rule += f"; kept the row with the latest {prefer}"
                else:
                    rule += "; kept the first row"
                dup_records.append(
                    DuplicateRecord(
                        int(row["_row"]), int(first["_row"]), str(row["incident_id"]), rule, diffs
                    )
                )
            good = good.drop(index=ordered.index[dup_mask])

    issues = raw.with_lines(list(raw.issues) + errors.issues)
    issues.sort(key=lambda i: (i.row, i.column or ""))
    report = IngestReport(
        source=raw.path,
        format=format,
        rows_read=raw.rows_read,
        accepted=len(good),
        rejected=len({i.row for i in issues}),
        duplicates=len(dup_records),
        errors=issues,
        duplicate_rows=sorted(dup_records, key=lambda d: d.row),
        notes=list(raw.notes) + list(notes),
        choices=dict(choices or {}),
    )
    report.check()
    out = good.rename(columns={"_row": "source_row"})
    out = _ordered(out).reset_index(drop=True)
    return out, report


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`trends.schema.order_columns` without copying the columns (large tables)."""
    if all(c in frame.columns for c in INCIDENT_COLUMNS):
        extras = [c for c in frame.columns if c not in INCIDENT_COLUMNS]
        return frame[list(INCIDENT_COLUMNS) + extras]
    return order_columns(frame)


def has_repeats(values: pd.Series) -> bool:
    """True when some value of ``values`` occurs more than once (missing values count as one).

    Parameters
    ----------
    values : pandas.Series
        The values, e.g. a table's ``incident_id`` column.

    Returns
    -------
    bool
        ``values.duplicated(keep=False).any()``, computed as in :func:`finalize`.
    """
    return bool(_repeated(values).any()) if len(values) else False


def _repeated(values: pd.Series) -> pd.Series:
    """True for every value that occurs more than once (``duplicated(keep=False)``).

    Strings stored by pyarrow are first given a 64-bit key computed from their bytes (equal
    strings get equal keys) and the keys sorted: when no key repeats (the usual large export),
    no value does. Otherwise only the rows whose key repeats are compared exactly, by
    :func:`_repeated_exact`. Missing values count as one value.
    """
    keys = _string_keys(values)
    if keys is None:
        return _repeated_exact(values)
    ordered = np.sort(keys)
    same = ordered[1:] == ordered[:-1]
    out = np.zeros(len(values), dtype=bool)
    if same.any():
        rows = np.flatnonzero(np.isin(keys, ordered[1:][same]))
        out[rows] = _repeated_exact(values.iloc[rows]).to_numpy(dtype=bool)
    return pd.Series(out, index=values.index)


def _repeated_exact(values: pd.Series) -> pd.Series:
    """:func:`_repeated` by hashing every value.

    Each value is hashed once (factorize) and the codes counted, which is several times faster
    than ``duplicated`` on a large column of strings; missing values count as one value.
    """
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        strings = values.array.__arrow_array__()
        encoded = pc.dictionary_encode(strings, null_encoding="encode")
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
    else:
        codes, _ = pd.factorize(values, use_na_sentinel=False)
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    return pd.Series(counts[codes] > 1, index=values.index)


# Odd 64-bit multipliers mixing the words of a string into its key (any odd constants do).
_KEY_MIX = tuple(
    np.uint64(k)
    for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
)


def _string_keys(values: pd.Series) -> np.ndarray | None:
    """A 64-bit key per value of a pyarrow-stored string column (None for other columns).

    Equal strings get equal keys (the key is a function of the bytes); different strings
    usually get different ones. The key mixes the length, the first 8 bytes, the last 8 and the
    8 in the middle (every byte, for strings of up to 16 bytes). Missing values get key 0.
    """
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa

    strings = values.array.__arrow_array__()
    chunks = strings.chunks if isinstance(strings, pa.ChunkedArray) else [strings]
    keys = []
    for chunk in chunks:
        key = _chunk_keys(chunk)
        if key is None:
            return None
        keys.append(key)
    return np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)


def _chunk_keys(chunk) -> np.ndarray | None:
    buffers = string_buffers(chunk)
    if buffers is None:
        return None
    offsets, data = buffers
    first = int(offsets[0])
    # The chunk's bytes, then 8 zero bytes, so that 8 bytes can be read from any value's start.
    data = np.concatenate([data[first : int(offsets[-1])], np.zeros(8, dtype=np.uint8)])
    starts = (offsets[:-1] - first).astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    if chunk.null_count:
        null = ~np.asarray(chunk.is_valid(), dtype=bool)
        lengths[null] = 0  # read nothing: key 0 (the bytes of a null value are not defined)
    short = lengths < 8
    head = _words_at(data, starts)
    if short.any():  # keep only the value's own bytes
        bits = (np.minimum(lengths, 7) * 8).astype(np.uint64)
        mask = np.where(short, (np.uint64(1) << bits) - np.uint64(1), ~np.uint64(0))
        head &= mask
    key = head * _KEY_MIX[0] + lengths.astype(np.uint64) * _KEY_MIX[3]
    if not short.all():
        tail = _words_at(data, np.where(short, 0, starts + lengths - 8))
        middle = _words_at(data, np.where(short, 0, starts + lengths // 2 - 4))
        tail[short] = 0
        middle[short] = 0
        key += tail * _KEY_MIX[1] + middle * _KEY_MIX[2]
    return key


def _words_at(data: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The 8 bytes of ``data`` from each position, as little-endian unsigned 64-bit words."""
    windows = np.lib.stride_tricks.as_strided(data, shape=(len(data) - 7, 8), strides=(1, 1))
    return np.ascontiguousarray(windows[positions]).view("<u8").ravel()

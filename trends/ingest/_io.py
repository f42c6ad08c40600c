"""Reading delimited text into a table of raw strings, with every physical row accounted for.

Two paths give the same result:

- an exact path (Python's :mod:`csv`), used for files up to ``FAST_PATH_BYTES`` and for any file
  that is not valid UTF-8: it knows the line number of every record;
- a fast path (:mod:`pyarrow.csv`, multi-threaded) for large UTF-8 files. Rows with the wrong
  number of fields are located afterwards in one pass over the lines; when records span lines, or
  the file holds invalid bytes, it hands over to the exact path.

Row numbers are 1-based record numbers after the header (blank lines are not records); for the
usual file without line breaks inside quoted fields, row N is line N + 1 of the file.

Decisions (documented in the user guide):

- a UTF-8 byte-order mark is removed and noted; UTF-16 files (with a BOM) are decoded;
- bytes that are not valid UTF-8 never abort the read: the rows holding them are rejected with the
  column and the byte value, unless an explicit ``encoding`` (e.g. ``"cp1252"``) is given;
- the delimiter is detected from the header among ``, ; TAB |`` unless given, and the choice is noted;
- a row with more or fewer fields than the header is rejected (never padded or truncated);
- blank lines are not rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from trends.errors import FileReadError
from trends.ingest.report import RowIssue

__all__ = ["RawTable", "read_delimited", "FAST_PATH_BYTES"]

FAST_PATH_BYTES = 32 * 1024 * 1024
CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass
class RawTable:
    """Raw strings read from a delimited file.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per header field, all strings ("" for empty), plus ``_row``: the 1-based data row
        number (the first line after the header is row 1).
    path : str
        The file read.
    rows_read : int
        Records found after the header, including the malformed ones in ``issues``.
    issues : list of RowIssue
        Rows that could not be split into the header's fields, or that hold undecodable bytes.
    notes : list of str
        What was detected or fixed (BOM, delimiter, encoding).
    delimiter : str
        The delimiter used.
    """

    frame: pd.DataFrame
    path: str
    rows_read: int
    issues: list[RowIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    delimiter: str = ","


def _detect_encoding(head: bytes, encoding: str | None) -> tuple[str, int, list[str]]:
    """Return (codec, bytes to skip, notes) from the first bytes of the file."""
    notes: list[str] = []
    if head.startswith(codecs.BOM_UTF8):
        notes.append("UTF-8 byte-order mark (BOM) at the start of the file was removed")
        return (encoding or "utf-8"), len(codecs.BOM_UTF8), notes
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        notes.append("file is UTF-16 (byte-order mark found); decoded as UTF-16")
        return "utf-16", 0, notes
    return (encoding or "utf-8"), 0, notes


def _sniff_delimiter(header_line: str, delimiter: str | None) -> tuple[str, list[str]]:
    if delimiter is not None:
        return delimiter, []
    counts = {d: header_line.count(d) for d in CANDIDATE_DELIMITERS}
    best = max(CANDIDATE_DELIMITERS, key=lambda d: (counts[d], d == ","))
    if counts[best] == 0:
        return ",", []
    notes = [] if best == "," else [f"delimiter {best!r} detected from the header (not a comma)"]
    return best, notes


def _dedupe_header(header: list[str], path: str) -> list[str]:
    cleaned = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for i, name in enumerate(cleaned):
        if name == "":
            raise FileReadError(f"header field {i + 1} is empty", path=path)
        if name in seen:
            raise FileReadError(
                f"column {name!r} appears twice in the header (fields {seen[name] + 1} and {i + 1})",
                path=path,
            )
        seen[name] = i
    return cleaned


def read_delimited(
    path: str | Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    fast: bool | None = None,
) -> RawTable:
    """Read a delimited text file into raw strings, accounting for every row.

    Parameters
    ----------
    path : str or Path
        The file.
    delimiter : str, optional
        Field separator; detected from the header when omitted.
    encoding : str, optional
        Text encoding. Default UTF-8; rows with invalid bytes are rejected, not lost.
    fast : bool, optional
        Force (True) or forbid (False) the pyarrow path; by default it is used for large files.

    Returns
    -------
    RawTable

    Raises
    ------
    FileReadError
        The file does not exist, is empty, has no header, or the header is malformed.
    """
    path = Path(path)
    spath = str(path)
    if not path.exists():
        raise FileReadError("file not found", path=spath)
    if path.is_dir():
        raise FileReadError("is a directory, not a file", path=spath)
    size = path.stat().st_size
    if size == 0:
        raise FileReadError("file is empty (0 bytes)", path=spath)
    with path.open("rb") as fh:
        head = fh.read(65536)
    codec, skip, notes = _detect_encoding(head, encoding)
    if head[skip:].strip() == b"":
        raise FileReadError("file is empty (only blank space)", path=spath)

    use_fast = fast if fast is not None else (size > FAST_PATH_BYTES)
    if use_fast and codec.replace("-", "").lower() in ("utf8",) and encoding is None:
        try:
            return _read_fast(path, skip, delimiter, notes)
        except _FallBack:
            pass
    return _read_exact(path, codec, skip, delimiter, notes, explicit_encoding=encoding)


class _FallBack(Exception):
    pass


def _read_exact(
    path: Path,
    codec: str,
    skip: int,
    delimiter: str | None,
    notes: list[str],
    *,
    explicit_encoding: str | None,
) -> RawTable:
    spath = str(path)
    data = path.read_bytes()[skip:]
    errors = "strict" if explicit_encoding else "surrogateescape"
    try:
        text = data.decode(codec, errors=errors)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FileReadError(f"cannot decode the file as {codec}: {exc}", path=spath) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delim, dnotes = _sniff_delimiter(first_line, delimiter)
    notes = notes + dnotes
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    try:
        header = next(reader)
    except StopIteration:  # pragma: no cover - guarded by the blank check
        raise FileReadError("file has no header line", path=spath) from None
    if _SURROGATE.search("".join(header)):
        raise FileReadError(
            "the header holds bytes that are not valid UTF-8; pass encoding='cp1252' "
            "(or the file's real encoding)",
            path=spath,
        )
    header = _dedupe_header(header, spath)
    ncol = len(header)
    records: list[list[str]] = []
    rownums: list[int] = []
    issues: list[RowIssue] = []
    rows_read = 0
    try:
        for rec in reader:
            if not rec or (len(rec) == 1 and rec[0].strip() == ""):
                continue  # blank line: not a row
            rows_read += 1
            rownum = rows_read  # record number after the header (blank lines are not records)
            if len(rec) != ncol:
                issues.append(
                    RowIssue(
                        rownum,
                        None,
                        f"row has {len(rec)} fields but the header has {ncol} "
                        f"(delimiter {delim!r}; check quoting)",
                        delim.join(rec)[:200],
                    )
                )
                continue
            bad_cols = [header[i] for i, v in enumerate(rec) if _SURROGATE.search(v)]
            if bad_cols:
                for col in bad_cols:
                    v = rec[header.index(col)]
                    byte = _SURROGATE.search(v).group(0)
                    issues.append(
                        RowIssue(
                            rownum,
                            col,
                            f"holds byte 0x{ord(byte) - 0xDC00:02X}, which is not valid UTF-8; "
                            "re-save the file as UTF-8 or pass encoding='cp1252' "
                            "(or the file's real encoding)",
                            v.encode("utf-8", "surrogateescape").decode("latin-1")[:200],
                        )
                    )
                continue
            records.append(rec)
            rownums.append(rownum)
    except csv.Error as exc:
        raise FileReadError(
            f"malformed CSV near line {reader.line_num}: {exc}", path=spath
        ) from exc
    frame = pd.DataFrame(records, columns=header, dtype="str") if records else _empty(header)
    frame["_row"] = pd.Series(rownums, dtype="int64")
    return RawTable(frame, spath, rows_read, issues, notes, delim)


def _empty(header: list[str]) -> pd.DataFrame:
    return pd.DataFrame({h: pd.Series([], dtype="str") for h in header})


def _read_fast(path: Path, skip: int, delimiter: str | None, notes: list[str]) -> RawTable:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    spath = str(path)
    with path.open("rb") as fh:
        fh.seek(skip)
        first_line = fh.readline().decode("utf-8", errors="replace").rstrip("\r\n")
    delim, dnotes = _sniff_delimiter(first_line, delimiter)
    header = _dedupe_header(next(csv.reader([first_line], delimiter=delim)), spath)
    bad_texts: list[tuple[int, str]] = []

    def on_invalid(row) -> str:
        bad_texts.append((row.actual_columns, row.text))
        return "skip"

    try:
        with path.open("rb") as fh:
            fh.seek(skip)
            table = pacsv.read_csv(
                fh,
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
                parse_options=pacsv.ParseOptions(
                    delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={h: pa.string() for h in header},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _FallBack(str(exc)) from exc
    issues: list[RowIssue] = []
    row_numbers = None
    if bad_texts:
        row_numbers, issues = _locate_bad_rows(
            path, skip, table.num_rows, bad_texts, len(header), delim
        )
    frame = table.to_pandas()
    for col in header:
        frame[col] = frame[col].astype("str")
    if row_numbers is None:
        row_numbers = np.arange(1, len(frame) + 1, dtype="int64")
    frame["_row"] = row_numbers
    return RawTable(frame, spath, len(frame) + len(issues), issues, notes + dnotes, delim)


def _locate_bad_rows(
    path: Path, skip: int, n_good: int, bad_texts: list[tuple[int, str]], ncol: int, delim: str
) -> tuple[np.ndarray, list[RowIssue]]:
    """Row numbers of the good and malformed records found by the fast path.

    One pass over the file's lines. It is exact when every record is one line (the usual case),
    which is checked: if the non-blank lines are not exactly the good plus the malformed records,
    the exact path takes over.
    """
    wanted: dict[bytes, list[int]] = {}
    for i, (_, text) in enumerate(bad_texts):
        wanted.setdefault(text.encode("utf-8").rstrip(b"\r\n"), []).append(i)
    bad_rownum = [0] * len(bad_texts)
    is_bad: list[bool] = []
    with path.open("rb") as fh:
        fh.seek(skip)
        fh.readline()  # header
        for raw in fh:
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            slots = wanted.get(line)
            if slots:
                bad_rownum[slots.pop(0)] = len(is_bad) + 1
                is_bad.append(True)
            else:
                is_bad.append(False)
    if len(is_bad) != n_good + len(bad_texts) or any(v == 0 for v in bad_rownum):
        raise _FallBack("records span lines: the exact path numbers them")
    flags = np.array(is_bad, dtype=bool)
    good_rows = np.nonzero(~flags)[0].astype("int64") + 1
    issues = [
        RowIssue(
            rownum,
            None,
            f"row has {nfields} fields but the header has {ncol} (delimiter {delim!r}; check quoting)",
            text[:200],
        )
        for rownum, (nfields, text) in zip(bad_rownum, bad_texts, strict=True)
    ]
    issues.sort(key=lambda i: i.row)
    return good_rows, issues

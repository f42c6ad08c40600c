"""Reading a table into raw strings, with every physical row accounted for.

One entry point, :func:`load_table`, reads every kind of input the readers accept and returns a
:class:`RawTable` of strings: delimited text (``.csv``, ``.tsv``, ``.txt``...), the same
compressed with gzip or inside a zip archive (recognised from their first bytes, whatever the
file is called), Excel workbooks (``.xlsx``, through :mod:`openpyxl`), Parquet files and
DataFrames. Every reader then applies the same parsing rules to the strings.

Delimited text is read by one of two paths that give the same result:

- an exact path (Python's :mod:`csv`), used for files up to ``FAST_PATH_BYTES`` and for any file
  that is not valid UTF-8: it knows the line number of every record;
- a fast path (:mod:`pyarrow.csv`, multi-threaded) for large UTF-8 files. Rows with the wrong
  number of fields are located afterwards in one pass over the lines; when a record spans lines
  (a line break inside quotes), or the file holds invalid bytes, it hands over to the exact path,
  so both paths apply the same rules to quotes, field sizes and encodings. pyarrow splits its
  blocks at any line break (its faster mode) only when the pass over the lines proves that no
  line break lies inside quotes (:class:`_QuoteCheck`); otherwise it reads with quoted line
  breaks allowed.

Row numbers are 1-based record numbers after the header (blank lines are not records); line
numbers are the file's physical lines (the header is line 1 of a file without leading blank
lines). For the usual file without line breaks inside quoted fields and without blank lines, row
N is line N + 1.

Decisions (documented in the user guide):

- a UTF-8 byte-order mark is removed and noted; UTF-16 files (with a BOM) are decoded;
- bytes that are not valid UTF-8 never abort the read: the rows holding them are rejected with the
  column and the byte value, unless an explicit ``encoding`` (e.g. ``"cp1252"``) is given;
- compressed or binary files (gzip, zip, xlsx, Parquet, old ``.xls``, PDF) are recognised from
  their first bytes and never read as text;
- the delimiter is detected from the header among ``, ; TAB |`` unless given, and the choice is
  noted; a given delimiter must be one character (``"\\t"`` and ``"tab"`` mean a tab);
- a row with more or fewer fields than the header is rejected (never padded or truncated);
- a field longer than :data:`MAX_FIELD_CHARS` characters rejects its row (both paths);
- a quote that opens a field and is never closed, or that swallows following lines that look like
  rows of their own, stops the read with :class:`~trends.errors.FileReadError` naming the line
  where the quote opens (the rows it swallowed would otherwise be lost from the accounting);
- blank lines are not rows.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import gzip
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from trends.errors import FileReadError, InputError
from trends.ingest.report import RowIssue

__all__ = [
    "FAST_PATH_BYTES",
    "HEADER_SEARCH_ROWS",
    "HeaderTest",
    "MAX_FIELD_CHARS",
    "RawTable",
    "check_delimiter",
    "load_table",
    "raw_from_frame",
    "read_delimited",
]

FAST_PATH_BYTES = 32 * 1024 * 1024
#: Longest field accepted (characters); a longer field rejects its row, whatever the file size.
MAX_FIELD_CHARS = 1_048_576
CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
#: ``usecols`` of :func:`load_table`: header names -> the names to convert (None: all).
UseColumns = Callable[[list[str]], "list[str] | None"]
#: ``header`` of :func:`load_table`: whether a worksheet row holds the columns a reader needs.
HeaderTest = Callable[[list[str]], bool]
#: Non-empty worksheet rows searched for the header when the first does not hold the columns.
HEADER_SEARCH_ROWS = 20
_SURROGATE = re.compile("[\udc80-\udcff]")
_DELIMITER_NAMES = {"\\t": "\t", "tab": "\t", "\\x09": "\t", "comma": ",", "semicolon": ";"}
_DELIMITER_NAMES.update({"pipe": "|", "space": " "})
_CP1252_ADVICE = (
    "re-save the file as UTF-8 or give its encoding (--encoding cp1252 on the command line, "
    "encoding='cp1252' in Python; or the file's real encoding)"
)


@dataclass
class RawTable:
    """Raw strings read from a table.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per header field, all strings ("" for empty), plus ``_row``: the 1-based data row
        number (the first record after the header is row 1).
    path : str
        The source read.
    rows_read : int
        Records found after the header, including the malformed ones in ``issues``.
    issues : list of RowIssue
        Rows that could not be split into the header's fields, or that hold undecodable bytes.
    notes : list of str
        What was detected or fixed (BOM, delimiter, encoding, compression).
    delimiter : str
        The delimiter used.
    lines : numpy.ndarray, optional
        ``lines[row - 1]`` is the physical line (or spreadsheet row) where data row ``row`` starts.
        Computed on demand for the fast path (see :meth:`line_of`).
    header : list of str, optional
        Every column of the file's header, when ``frame`` holds only some of them (a reader
        asked for the columns it uses, see :func:`load_table`); None when ``frame`` holds all.
    header_hint : str, optional
        Why the header is the first row although it lacks a reader's columns (a worksheet
        searched for its header in vain), for the reader's missing-columns error.
    """

    frame: pd.DataFrame
    path: str
    rows_read: int
    issues: list[RowIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    delimiter: str = ","
    lines: np.ndarray | None = None
    header: list[str] | None = None
    header_hint: str | None = None
    _find_lines: Callable[[], np.ndarray] | None = field(default=None, repr=False)

    def line_of(self, row: int) -> int | None:
        """The physical line (or spreadsheet row) where data row ``row`` starts, if known."""
        if self.lines is None and self._find_lines is not None:
            self.lines = self._find_lines()
            self._find_lines = None
        if self.lines is None or not 1 <= row <= len(self.lines):
            return None
        return int(self.lines[row - 1])

    def with_lines(self, issues: list[RowIssue]) -> list[RowIssue]:
        """``issues`` with their ``line`` filled in (where known)."""
        if not issues:
            return issues
        return [i if i.line is not None else i.with_line(self.line_of(i.row)) for i in issues]


def check_delimiter(delimiter: str | None) -> str | None:
    """Validate a field separator given by the user.

    Parameters
    ----------
    delimiter : str or None
        One character; the spellings ``"\\t"``, ``"tab"``, ``"comma"``, ``"semicolon"``,
        ``"pipe"`` and ``"space"`` are accepted. ``None`` means detect it.

    Returns
    -------
    str or None
        The one-character delimiter.

    Raises
    ------
    InputError
        Empty, longer than one character, a quote, or a line break.
    """
    if delimiter is None:
        return None
    if not isinstance(delimiter, str):
        raise InputError(f"delimiter must be a one-character string, not {delimiter!r}")
    d = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
    if len(d) != 1:
        raise InputError(f"delimiter must be one character (or '\\t' for a tab), not {delimiter!r}")
    if d in '"\r\n' or d.isalnum():
        raise InputError(f"{delimiter!r} cannot be a delimiter (a quote, line break or letter)")
    return d


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
    cleaned = [str(h).strip() for h in header]
    seen: dict[str, int] = {}
    for i, name in enumerate(cleaned):
        if name == "":
            raise FileReadError(f"header field {i + 1} is empty", path=path)
        if name == "_row":
            raise FileReadError("'_row' is reserved and cannot be a column name", path=path)
        if name in seen:
            raise FileReadError(
                f"column {name!r} appears twice in the header (fields {seen[name] + 1} and {i + 1})",
                path=path,
            )
        seen[name] = i
    return cleaned


_BINARY_KINDS = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PAR1", "parquet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
)


def _kind(head: bytes) -> str:
    """What the first bytes say the file is: a binary kind, or ``"text"``."""
    for magic, kind in _BINARY_KINDS:
        if head.startswith(magic):
            return kind
    return "text"


def load_table(
    source: str | Path | pd.DataFrame,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    fast: bool | None = None,
    sheet: str | int | None = None,
    usecols: UseColumns | None = None,
    header: HeaderTest | None = None,
) -> RawTable:
    """Read any accepted input (a file of a supported kind, or a DataFrame) into raw strings.

    Parameters
    ----------
    source : str, Path or DataFrame
        Delimited text (optionally gzip- or zip-compressed), ``.xlsx``, Parquet, or a DataFrame.
    delimiter, encoding, fast, usecols
        See :func:`read_delimited` (text only).
    sheet : str or int, optional
        The worksheet of an ``.xlsx`` file (default: the first).
    header : callable, optional
        See :func:`read_delimited` (``.xlsx`` only).

    Returns
    -------
    RawTable

    Raises
    ------
    FileReadError
        The input cannot be read at all.
    """
    if isinstance(source, pd.DataFrame):
        return raw_from_frame(source, "<DataFrame>")
    if not isinstance(source, (str, Path)):
        raise InputError(f"expected a file path or a DataFrame, not {type(source).__name__}")
    return read_delimited(
        source, delimiter=delimiter, encoding=encoding, fast=fast, sheet=sheet, usecols=usecols,
        header=header,
    )  # fmt: skip


def read_delimited(
    path: str | Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    fast: bool | None = None,
    sheet: str | int | None = None,
    usecols: UseColumns | None = None,
    header: HeaderTest | None = None,
) -> RawTable:
    """Read a file into raw strings, accounting for every row.

    Delimited text is read as described in the module documentation; gzip, zip, ``.xlsx`` and
    Parquet files are recognised from their first bytes and read natively.

    Parameters
    ----------
    path : str or Path
        The file.
    delimiter : str, optional
        Field separator; detected from the header when omitted (see :func:`check_delimiter`).
    encoding : str, optional
        Text encoding. Default UTF-8; rows with invalid bytes are rejected, not lost.
    fast : bool, optional
        Force (True) or forbid (False) the pyarrow path; by default it is used for large files.
    sheet : str or int, optional
        Worksheet of an ``.xlsx`` file.
    usecols : callable, optional
        Given the header's column names, returns the names the caller will use (or None for
        all). Only the fast path honours it, by not converting the other columns (less time and
        memory on large files); every row is still checked against the whole header, and
        ``RawTable.header`` then lists every column. Other paths return every column.
    header : callable, optional
        Given a row's cells, whether it holds the columns the reader needs. A worksheet whose
        first row does not is searched for the first of its first :data:`HEADER_SEARCH_ROWS`
        non-empty rows that does: that row is the header, the rows above it (a title) are not
        data, and a note says so; when none does, the first row stays the header and
        ``RawTable.header_hint`` says so. Delimited text always has its header first.

    Returns
    -------
    RawTable

    Raises
    ------
    FileReadError
        The file does not exist, is empty, has no header, the header is malformed, or a quote
        is left open.
    InputError
        The delimiter is not valid.
    """
    delimiter = check_delimiter(delimiter)
    path = Path(path)
    spath = str(path)
    if not path.exists():
        raise FileReadError("file not found", path=spath)
    if path.is_dir():
        raise FileReadError("is a directory, not a file", path=spath)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise FileReadError(f"cannot be opened: {exc.strerror or exc}", path=spath) from exc
    if size == 0:
        raise FileReadError("file is empty (0 bytes)", path=spath)
    kind = _kind(head)
    if kind == "text":
        return _read_text(path, None, head, size, delimiter, encoding, fast, [], usecols)
    return _read_binary(path, kind, delimiter, encoding, fast, sheet, header)


def _read_binary(
    path: Path,
    kind: str,
    delimiter: str | None,
    encoding: str | None,
    fast: bool | None,
    sheet: str | int | None,
    header: HeaderTest | None = None,
) -> RawTable:
    """gzip, zip (a delimited member or an xlsx workbook), Parquet; refuse other binaries."""
    spath = str(path)
    if kind == "gzip":
        try:
            data = gzip.decompress(path.read_bytes())
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise FileReadError(f"is not a valid gzip file: {exc}", path=spath) from exc
        if not data.strip():
            raise FileReadError("file is empty (gzip archive with no text)", path=spath)
        notes = ["gzip-compressed file, decompressed"]
        if _kind(data[:8]) != "text":
            raise FileReadError("the gzip archive does not hold a text table", path=spath)
        return _read_text(path, data, data[:65536], len(data), delimiter, encoding, fast, notes)
    if kind == "zip":
        return _read_zip(path, delimiter, encoding, fast, sheet, header)
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise FileReadError(f"cannot read as Parquet: {exc}", path=spath) from exc
        return raw_from_frame(frame, spath)
    what = {"xls": "an Excel 97-2003 (.xls) workbook", "pdf": "a PDF document"}
    what["png"] = "a PNG image"
    raise FileReadError(
        f"is {what[kind]}, not a table this package reads; save it as CSV or .xlsx",
        path=spath,
    )


def _read_zip(
    path: Path,
    delimiter: str | None,
    encoding: str | None,
    fast: bool | None,
    sheet,
    header: HeaderTest | None = None,
) -> RawTable:
    spath = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if "xl/workbook.xml" in names:
                return _read_xlsx(path, sheet, header)
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                raise FileReadError(
                    "is an OpenDocument file (.ods), not read here: save it as .xlsx or CSV",
                    path=spath,
                )
            members = [n for n in names if not n.startswith("__MACOSX/")]
            if len(members) != 1:
                raise FileReadError(
                    f"zip archive holds {len(members)} files ({', '.join(members[:5])}); "
                    "it must hold exactly one table",
                    path=spath,
                )
            data = zf.read(members[0])
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise FileReadError(f"is not a readable zip archive: {exc}", path=spath) from exc
    if not data.strip():
        raise FileReadError(f"file is empty (zip member {members[0]!r})", path=spath)
    notes = [f"zip archive: read its member {members[0]!r}"]
    if _kind(data[:8]) == "gzip":
        raise FileReadError("the zip archive holds a compressed file; unpack it", path=spath)
    return _read_text(path, data, data[:65536], len(data), delimiter, encoding, fast, notes)


def _cell_text(value) -> str:
    """An Excel cell's value as the string a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _header_row(
    rows: list[tuple[int, list[str]]], test: HeaderTest | None
) -> tuple[int, str | None, str | None]:
    """Which of a worksheet's non-empty ``rows`` is its header: (index, note, hint).

    The first row, unless ``test`` refuses it and accepts one of the first
    :data:`HEADER_SEARCH_ROWS` (then ``note`` says which); ``hint`` says that the search failed.
    """
    if test is None or test(rows[0][1]):
        return 0, None, None
    for k, (line, values) in enumerate(rows[1:HEADER_SEARCH_ROWS], start=1):
        if test(values):
            top = rows[0][0]
            above = f"row {top} is" if top == line - 1 else f"rows {top}-{line - 1} are"
            note = (
                f"Excel workbook: the header is worksheet row {line} (it holds the columns this "
                f"format needs); worksheet {above} above it (a title), not data"
            )
            return k, note, None
    hint = (
        f"Worksheet row {rows[0][0]} was read as the header: none of the sheet's first "
        f"{HEADER_SEARCH_ROWS} rows holds these columns"
    )
    return 0, None, hint


def _read_xlsx(path: Path, sheet: str | int | None, test: HeaderTest | None = None) -> RawTable:
    """The first (or the named) worksheet of an ``.xlsx`` workbook, as raw strings.

    Cells holding dates are written ISO (``YYYY-MM-DD``, with the time when there is one), so
    spreadsheet dates are never ambiguous; line numbers are the worksheet's row numbers. The
    header is the first non-empty row, or the row ``test`` finds (see :func:`read_delimited`).
    """
    import openpyxl  # an optional heavy import, needed only for workbooks

    spath = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise FileReadError(f"cannot read as an .xlsx workbook: {exc}", path=spath) from exc
    try:
        names = wb.sheetnames
        if sheet is None:
            ws, name = wb.worksheets[0], names[0]
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            ws, name = wb.worksheets[sheet], names[sheet]
        elif isinstance(sheet, str) and sheet in names:
            ws, name = wb[sheet], sheet
        else:
            raise FileReadError(f"no worksheet {sheet!r} (sheets: {names})", path=spath)
        rows = [
            (i, [_cell_text(v) for v in values])
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
    finally:
        wb.close()
    rows = [(i, r) for i, r in rows if any(v.strip() for v in r)]
    if not rows:
        raise FileReadError("workbook sheet is empty", path=spath)
    first, title_note, hint = _header_row(rows, test)
    rows = rows[first:]
    header_line, header = rows[0]
    while header and header[-1].strip() == "":
        header.pop()
    header = _dedupe_header(header, spath)
    ncol = len(header)
    records, rownums, lines, issues = [], [], [], []
    for rownum, (line, values) in enumerate(rows[1:], start=1):
        extra = [v for v in values[ncol:] if v.strip()]
        if extra:
            issues.append(
                RowIssue(
                    rownum,
                    None,
                    f"row has values beyond the header's {ncol} columns",
                    ", ".join(extra)[:200],
                    line,
                )
            )
        else:
            records.append((values + [""] * ncol)[:ncol])
            rownums.append(rownum)
        lines.append(line)
    frame = pd.DataFrame(records, columns=header, dtype="str") if records else _empty(header)
    frame["_row"] = pd.Series(rownums, dtype="int64")
    notes = [
        f"Excel workbook: read worksheet {name!r}" + (f" of {len(names)}" if len(names) > 1 else "")
    ] + ([title_note] if title_note else [])
    raw = RawTable(frame, spath, len(rows) - 1, issues, notes, ",", np.array(lines, dtype="int64"))
    raw.header_hint = hint
    return raw


def _read_text(
    path: Path,
    data: bytes | None,
    head: bytes,
    size: int,
    delimiter: str | None,
    encoding: str | None,
    fast: bool | None,
    notes: list[str],
    usecols: UseColumns | None = None,
) -> RawTable:
    """Delimited text, from the file (``data`` None) or from decompressed bytes."""
    spath = str(path)
    codec, skip, enc_notes = _detect_encoding(head, encoding)
    notes = notes + enc_notes
    if head[skip:].strip() == b"":
        raise FileReadError("file is empty (only blank space)", path=spath)
    if codec == "utf-8" and b"\x00" in head[skip:4096] and head[1:4096:2].count(0) > 100:
        raise FileReadError(
            "holds NUL bytes like a UTF-16 file without a byte-order mark: give its encoding "
            "(--encoding utf-16-le on the command line, encoding='utf-16-le' in Python) or "
            "re-save the file as UTF-8",
            path=spath,
        )

    def opener() -> BinaryIO:
        return io.BytesIO(data) if data is not None else path.open("rb")

    def native() -> object:  # the same bytes for pyarrow, read without Python in between
        import pyarrow as pa

        return pa.BufferReader(data) if data is not None else pa.OSFile(spath)

    use_fast = fast if fast is not None else (size > FAST_PATH_BYTES)
    if use_fast and codec == "utf-8" and encoding is None:
        try:
            return _read_fast(opener, spath, skip, delimiter, notes, usecols, native)
        except _FallBack:
            pass
    raw_bytes = data if data is not None else path.read_bytes()
    return _read_exact(raw_bytes[skip:], spath, codec, delimiter, notes, explicit_encoding=encoding)


class _FallBack(Exception):
    pass


def _decode(data: bytes, codec: str, explicit: str | None, spath: str) -> str:
    errors = "strict" if explicit else "surrogateescape"
    try:
        text = data.decode(codec, errors=errors)
    except LookupError as exc:
        raise FileReadError(f"unknown text encoding {codec!r}", path=spath) from exc
    except UnicodeDecodeError as exc:
        raise FileReadError(
            f"cannot decode the file as {codec}: byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start} is not valid {codec}",
            path=spath,
        ) from exc
    return text[1:] if text.startswith("\ufeff") else text


def _check_quotes(
    rec: list[str], start: int, end: int, ncol: int, delim: str, header: list[str], spath: str
) -> None:
    """Stop when a quoted field spanning lines swallowed what looks like following rows.

    A field with a line break is legitimate CSV (a note written over two lines), but a quote
    left open takes every following line into one field until the next quote: the rows it holds
    would vanish from the accounting. That is assumed when the record runs to the end of the file
    with a quote still open, or when a line inside the field splits into exactly as many fields as
    the header has (it looks like a row of its own).
    """
    for i, value in enumerate(rec):
        if "\n" not in value and "\r" not in value:
            continue
        inner = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:]
        rowlike = [
            s
            for s in inner
            if ncol > 1
            and s.count(delim) >= ncol - 1
            and len(next(csv.reader([s], delimiter=delim), [])) == ncol
        ]
        unclosed = value.endswith("\n") or value.endswith("\r")
        if rowlike or unclosed:
            col = f" in column {header[i]!r}" if i < len(header) else ""
            closes = "is never closed" if unclosed else f"is only closed on line {end}"
            raise FileReadError(
                f"line {start}: a quote opens{col} and {closes}, so lines {start + 1} to {end} "
                f"would be read as part of one field; close the quote, or write a quote inside "
                f'a field as two quotes ("")',
                path=spath,
            )


def _read_exact(
    data: bytes,
    spath: str,
    codec: str,
    delimiter: str | None,
    notes: list[str],
    *,
    explicit_encoding: str | None,
) -> RawTable:
    text = _decode(data, codec, explicit_encoding, spath)
    first_line = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
    delim, dnotes = _sniff_delimiter(first_line, delimiter)
    notes = notes + dnotes
    old_limit = csv.field_size_limit(2**31 - 1)
    try:
        return _parse_records(text, spath, delim, notes)
    except csv.Error as exc:
        raise FileReadError(f"malformed delimited text: {exc}", path=spath) from exc
    finally:
        csv.field_size_limit(old_limit)


def _parse_records(text: str, spath: str, delim: str, notes: list[str]) -> RawTable:
    """Split decoded text into records, numbering rows and lines and checking each record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    header: list[str] = []
    for header in reader:
        if header and not (len(header) == 1 and header[0].strip() == ""):
            break
    if not header:
        raise FileReadError("file has no header line", path=spath)
    if _SURROGATE.search("".join(header)):
        raise FileReadError(
            f"the header holds bytes that are not valid UTF-8; {_CP1252_ADVICE}", path=spath
        )
    header = _dedupe_header(header, spath)
    ncol = len(header)
    records: list[list[str]] = []
    rownums: list[int] = []
    lines: list[int] = []
    issues: list[RowIssue] = []
    prev_end = reader.line_num
    multi = 0
    raw_lines: list[str] | None = None
    for rec in reader:
        start, prev_end = prev_end + 1, reader.line_num
        if not rec or (len(rec) == 1 and rec[0].strip(" \t") == ""):
            # A blank line is not a row; a line holding only quotes ('""', or a quote left open)
            # is one, as it is for the fast path: look at the line as written.
            raw_lines = (
                raw_lines if raw_lines is not None else io.StringIO(text, newline="").readlines()
            )
            if start > len(raw_lines) or raw_lines[start - 1].strip() == "":
                continue
        lines.append(start)
        rownum = len(lines)
        if prev_end > start:
            _check_quotes(rec, start, prev_end, ncol, delim, header, spath)
            multi += 1
        problem = _record_problem(rec, header, delim, rownum, start)
        if problem:
            issues.extend(problem)
            continue
        records.append(rec)
        rownums.append(rownum)
    if multi:
        notes = notes + [
            f"{multi} row(s) hold line breaks inside quoted fields; their line numbers are "
            "those of the line where they start"
        ]
    frame = pd.DataFrame(records, columns=header, dtype="str") if records else _empty(header)
    frame["_row"] = pd.Series(rownums, dtype="int64")
    return RawTable(frame, spath, len(lines), issues, notes, delim, np.array(lines, dtype="int64"))


def _record_problem(
    rec: list[str], header: list[str], delim: str, rownum: int, line: int
) -> list[RowIssue]:
    """Why one record cannot be used (wrong field count, huge field, undecodable bytes)."""
    ncol = len(header)
    if len(rec) != ncol:
        return [
            RowIssue(
                rownum,
                None,
                f"row has {len(rec)} fields but the header has {ncol} "
                f"(delimiter {delim!r}; check quoting)",
                delim.join(rec)[:200],
                line,
            )
        ]
    out = []
    for col, v in zip(header, rec, strict=True):
        if len(v) > MAX_FIELD_CHARS:
            out.append(
                RowIssue(
                    rownum,
                    col,
                    f"field is {len(v):,} characters long, more than the "
                    f"{MAX_FIELD_CHARS:,} accepted",
                    v[:50] + "...",
                    line,
                )
            )
        elif _SURROGATE.search(v):
            byte = _SURROGATE.search(v).group(0)
            out.append(
                RowIssue(
                    rownum,
                    col,
                    f"holds byte 0x{ord(byte) - 0xDC00:02X}, which is not valid UTF-8; "
                    + _CP1252_ADVICE,
                    v.encode("utf-8", "surrogateescape").decode("latin-1")[:200],
                    line,
                )
            )
    return out


def _empty(header: list[str]) -> pd.DataFrame:
    return pd.DataFrame({h: pd.Series([], dtype="str") for h in header})


class _LineCounter:
    """Counts the line breaks of the bytes fed to it, in one pass with a reused buffer.

    It also tells whether any line is longer than :data:`MAX_FIELD_CHARS` bytes (``long_line``):
    a field is never longer than its line (a character is at least one byte), so without such a
    line no field needs measuring. Given the delimiter, it also tells whether every line break
    is outside quotes (:meth:`breaks_outside_quotes`, see :class:`_QuoteCheck`).
    """

    def __init__(self, delim: str | None = None) -> None:
        self.lines = 0
        self.cr = 0
        self.crlf = 0
        self.last = b""
        self.since_newline = 0  # bytes after the last line break seen so far
        self.long_line = False
        self.quotes = _QuoteCheck(delim) if delim is not None else None

    def feed(self, buf: bytearray, size: int) -> None:
        """Count the first ``size`` bytes of ``buf`` (the next bytes of the file)."""
        # numpy compares the bytes in bulk (several times faster than bytearray.count).
        view = np.frombuffer(buf, dtype=np.uint8, count=size)
        has_cr = buf.find(b"\r", 0, size) >= 0
        newlines = view == 10
        n = int(np.count_nonzero(newlines))
        if self.quotes is not None and self.quotes.ok:
            self.quotes.feed(view, newlines, has_cr)
        self.lines += n
        if self.last == b"\r" or has_cr:
            self.cr += buf.count(b"\r", 0, size)
            self.crlf += buf.count(b"\r\n", 0, size) + (self.last == b"\r" and buf[:1] == b"\n")
        self.last = bytes(buf[size - 1 : size])
        if self.long_line:
            return
        if n == 0:
            self.since_newline += size
        else:
            first, last = buf.find(b"\n", 0, size), buf.rfind(b"\n", 0, size)
            longest = self.since_newline + first
            if last - first > MAX_FIELD_CHARS and not _newline_every_half_limit(buf, first, last):
                # a line between the two may be long: measure every line of the buffer
                longest = max(longest, int(np.diff(np.flatnonzero(view[first:] == 10)).max()) - 1)
            self.since_newline = size - last - 1
            self.long_line = longest > MAX_FIELD_CHARS
        self.long_line = self.long_line or self.since_newline > MAX_FIELD_CHARS

    def total_lines(self) -> int:
        """Lines read (a last line without a line break counts)."""
        return self.lines + (1 if self.last and self.last != b"\n" else 0)

    def breaks_outside_quotes(self) -> bool:
        """True when it is proven that no line break of the bytes fed lies inside quotes."""
        return self.quotes is not None and self.quotes.proven()


class _QuoteCheck:
    """Proves, from the bytes of a file fed in order, that no line break lies inside quotes.

    pyarrow's rules (the defaults used here): a quote opens a quoted field only at the start of
    a field; in a quoted field two quotes are one quote and another quote closes the field; a
    quote elsewhere is an ordinary character. This check counts quotes as alternately opening
    and closing, and proves that this is how pyarrow reads every one of them: each quote counted
    as opening follows a delimiter, a line break, a quote or the start of the data (so it is at
    a field's start, or it is the second of two quotes inside a field); each quote counted as
    closing is followed by a delimiter, a line break, a quote or the end of the data (so it
    ends its field, or is the first of two quotes). Then "inside quotes" is known at every byte,
    and every line break must be outside. When any condition fails, ``ok`` becomes False (the
    file is then read the general way) and the rest is not checked.

    The bytes are handled as bit masks, 64 bytes to a word: "inside quotes" is the running
    parity of the quote bits (within a word by shifts, across words by a cumulative XOR).
    """

    def __init__(self, delim: str) -> None:
        self.ok = True
        self.inside = False  # an odd number of quotes so far
        self.last_sep = True  # the byte before the next buffer may precede a quote that opens
        self.close_pending = False  # the last byte closed a quoted field: the next byte decides
        self._delim = ord(delim)

    def feed(self, view: np.ndarray, newlines: np.ndarray, has_cr: bool) -> None:
        """Check the next bytes (``newlines``: where they are ``\\n``; ``has_cr``: whether they
        hold a ``\\r``)."""
        size = len(view)
        words = -(-size // 64)
        quote = _bit_words(view == 34, words)
        breaks = _bit_words((newlines | (view == 13)) if has_cr else newlines, words)
        sep = _bit_words(view == self._delim, words) | breaks | quote
        inside = _prefix_parity(quote)  # bit i: the parity of the quotes up to byte i
        # the parity of the quotes before each word (a running sum keeps it in its last bit)
        parity = (inside >> 63).astype(np.uint8)
        before = (np.cumsum(parity, dtype=np.uint8) - parity + np.uint8(self.inside)) & 1
        inside ^= before.astype(np.uint64) * np.uint64(0xFFFFFFFFFFFFFFFF)
        prev_sep = sep << 1  # bit i: byte i - 1 is a separator
        prev_sep[1:] |= sep[:-1] >> 63
        prev_sep[0] |= np.uint64(self.last_sep)
        next_sep = sep >> 1  # bit i: byte i + 1 is a separator
        next_sep[:-1] |= (sep[1:] & 1) << 63
        word, bit = divmod(size - 1, 64)
        next_sep[word] |= np.uint64(1 << bit)  # the last byte's next byte is in the next buffer
        bad = (quote & ((inside & ~prev_sep) | ~(inside | next_sep))) | (breaks & inside)
        if self.close_pending and not int(sep[0]) & 1:
            self.ok = False
        self.ok = self.ok and not bad.any()
        self.inside = bool(int(inside[word]) >> bit & 1)
        self.close_pending = bool(view[-1] == 34) and not self.inside
        self.last_sep = bool(int(sep[word]) >> bit & 1)

    def proven(self) -> bool:
        """Every line break fed is outside quotes (and no quote is left open at the end)."""
        return self.ok and not self.inside


def _bit_words(mask: np.ndarray, words: int) -> np.ndarray:
    """A boolean array as ``words`` 64-bit words: bit ``j`` of word ``w`` is ``mask[64 w + j]``
    (zero past the end)."""
    packed = np.zeros(words * 8, dtype=np.uint8)
    bits = np.packbits(mask, bitorder="little")
    packed[: len(bits)] = bits
    return packed.view("<u8")


def _prefix_parity(words: np.ndarray) -> np.ndarray:
    """Bit ``j`` of each word: the XOR of its bits ``0..j``."""
    x = words.copy()
    for shift in (1, 2, 4, 8, 16, 32):
        x ^= x << shift
    return x


def _newline_every_half_limit(buf: bytearray, first: int, last: int) -> bool:
    """True when every stretch of ``MAX_FIELD_CHARS // 2`` bytes after ``first`` up to ``last``
    holds a line break (``first`` and ``last`` are line breaks).

    Then no line between them is longer than ``MAX_FIELD_CHARS`` bytes: two consecutive line
    breaks lie in the same or in adjacent stretches, so they are less than
    ``2 * (MAX_FIELD_CHARS // 2)`` bytes apart. Each test stops at the first line break found,
    so this is much cheaper than measuring every line.
    """
    step = MAX_FIELD_CHARS // 2
    for start in range(first + 1, last + 1, step):
        if buf.find(b"\n", start, min(start + step, last + 1)) < 0:
            return False
    return True


def _count_lines(
    opener: Callable[[], BinaryIO], skip: int, delim: str | None = None
) -> _LineCounter:
    """One pass over the bytes after ``skip`` (a reused 512 KiB buffer: no allocation per
    block); ``delim``: also check the quotes (see :class:`_QuoteCheck`).

    The buffer is small so that the quote check's temporary arrays stay small: it is 2.5 times
    faster than with 1 or 4 MiB, which allocate fresh memory for every temporary array.
    """
    counter = _LineCounter(delim)
    buf = bytearray(1 << 19)
    with opener() as fh:
        fh.seek(skip)
        while size := fh.readinto(buf):
            counter.feed(buf, size)
    return counter


def _arrow_read(
    native: Callable[[], object],
    opener: Callable[[], BinaryIO],
    skip: int,
    header: list[str],
    delim: str,
    on_invalid,
    include: list[str] | None,
    by_line: bool = False,
):
    """The pyarrow table of every record (the ``include`` columns), and its line counter.

    Every record is split into all the header's fields (so rows with the wrong number of
    fields are found whatever ``include`` is); only the ``include`` columns are converted.
    pyarrow reads the bytes natively (``native``); the lines are counted in a second pass over
    the bytes, run in a thread while pyarrow parses (both release the GIL for most of their
    work, and pyarrow's parsing threads leave the cores partly idle). ``by_line``: see
    :func:`_arrow_table`.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        counting = pool.submit(_count_lines, opener, skip, delim if by_line else None)
        try:
            table = _arrow_table(native, skip, header, delim, on_invalid, include, by_line)
        finally:
            counter = counting.result()
        return table, counter


def _arrow_table(native, skip, header, delim, on_invalid, include, by_line=False):
    """The pyarrow read of :func:`_arrow_read` (every record split, ``include`` converted).

    By default a quoted field may hold line breaks (``newlines_in_values``). ``by_line``
    splits pyarrow's blocks at any line break instead, which is about twice as fast but is
    only right when no record spans lines: the caller checks that (see :func:`_read_fast`).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with native() as source:
        source.seek(skip)
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, newlines_in_values=not by_line, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                # large_string is how pandas stores strings: no conversion copy afterwards
                column_types={h: pa.large_string() for h in (include or header)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                include_columns=include or [],
            ),
        )
    return table


def _included(header: list[str], usecols: UseColumns | None) -> list[str] | None:
    """The header's columns to convert (in header order), or None for all of them."""
    if usecols is None:
        return None
    wanted = usecols(list(header))
    if wanted is None:
        return None
    keep = set(wanted)
    include = [h for h in header if h in keep]
    return include if len(include) < len(header) else None


def _read_fast(
    opener: Callable[[], BinaryIO],
    spath: str,
    skip: int,
    delimiter: str | None,
    notes: list[str],
    usecols: UseColumns | None = None,
    native: Callable[[], object] | None = None,
) -> RawTable:
    """The fast path (pyarrow); raises ``_FallBack`` for what the exact path must decide.

    ``native`` opens the bytes of ``opener`` as a pyarrow file (default: ``opener`` wrapped).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if native is None:

        def native() -> object:
            return pa.PythonFile(opener(), mode="r")

    with opener() as fh:
        fh.seek(skip)
        first_line = fh.readline()
    if not first_line.strip():
        raise _FallBack("blank lines before the header")
    first_line = first_line.decode("utf-8", errors="replace").rstrip("\r\n")
    delim, dnotes = _sniff_delimiter(first_line, delimiter)
    header = _dedupe_header(next(csv.reader([first_line], delimiter=delim)), spath)
    include = _included(header, usecols)
    bad_texts: list[tuple[int, str]] = []

    def on_invalid(row) -> str:
        bad_texts.append((row.actual_columns, row.text))
        return "skip"

    def lines_match(counter: _LineCounter, n_rows: int) -> bool:
        lone_cr = counter.cr != counter.crlf
        return not lone_cr and counter.total_lines() == n_rows + len(bad_texts) + 1

    by_line = [True]

    def read(include: list[str] | None):
        """pyarrow's table and the line counter; pyarrow's blocks split at any line break when
        that is proven to give the same records.

        pyarrow's fast split (``by_line``) is right when no line break lies inside quotes:
        then every line break ends a record. The line counter proves that (or not) from the
        bytes; when it does not, or the read fails, the file is read again with quoted line
        breaks allowed (as before), and from then on only that way.
        """
        if by_line[0]:
            by_line[0] = False
            try:
                table, counter = _arrow_read(
                    native, opener, skip, header, delim, on_invalid, include, by_line=True
                )
            except Exception:  # any failure: the read below decides what is raised
                table = None
            if table is not None and counter.breaks_outside_quotes():
                by_line[0] = True
                return table, counter
            del table
            bad_texts.clear()
        return _arrow_read(native, opener, skip, header, delim, on_invalid, include)

    try:
        table, counter = read(include)
        if include is not None and (counter.long_line or not lines_match(counter, table.num_rows)):
            # The checks below look inside every column: read them all (rare in large exports).
            include, table = None, None
            bad_texts.clear()
            table, counter = read(None)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _FallBack(str(exc)) from exc
    # One semantics for both paths: line breaks inside quotes and huge fields are handled by
    # the exact path (rare in large exports). When the file has exactly one line per record
    # (the usual case, checked by counting line breaks) no value can hold one.
    if not lines_match(counter, table.num_rows):
        if bad_texts:  # a malformed record may span lines (an open quote): the exact path decides
            raise _FallBack("malformed records and a line count that does not match")
        for col in table.columns:
            if (
                pc.any(pc.match_substring(col, "\n")).as_py()
                or pc.any(pc.match_substring(col, "\r")).as_py()
            ):
                raise _FallBack("a quoted field holds a line break")
    for col in table.columns if counter.long_line else ():
        # Bytes bound characters from above: only a column with a long value is measured.
        if (pc.max(pc.binary_length(col)).as_py() or 0) > MAX_FIELD_CHARS and (
            pc.max(pc.utf8_length(col)).as_py() or 0
        ) > MAX_FIELD_CHARS:
            raise _FallBack("a field is longer than MAX_FIELD_CHARS")
    issues: list[RowIssue] = []
    row_numbers = None
    if bad_texts:
        row_numbers, issues = _locate_bad_rows(
            opener, skip, table.num_rows, bad_texts, len(header), delim
        )
    frame = table.to_pandas()
    del table
    for col in frame.columns:
        if frame[col].dtype != "str":
            frame[col] = frame[col].astype("str")
    if row_numbers is None:
        row_numbers = np.arange(1, len(frame) + 1, dtype="int64")
    frame["_row"] = row_numbers
    raw = RawTable(frame, spath, len(frame) + len(issues), issues, notes + dnotes, delim)
    if include is not None:
        raw.header = header
    raw._find_lines = lambda: _line_numbers(opener, skip)
    return raw


def _line_numbers(opener: Callable[[], BinaryIO], skip: int) -> np.ndarray:
    """Physical line of each non-blank line after the header (records are single lines here)."""
    with opener() as fh:
        fh.seek(skip)
        buf = np.frombuffer(fh.read(), dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    if len(buf) and buf[-1] != 10:
        ends = np.append(ends, len(buf))
    starts = np.concatenate([[0], ends[:-1] + 1]) if len(ends) else np.array([], dtype=np.int64)
    length = ends - starts
    has_cr = np.zeros(len(ends), dtype=bool)
    nz = length > 0
    has_cr[nz] = buf[np.minimum(ends[nz] - 1, len(buf) - 1)] == 13
    blank = (length == 0) | ((length == 1) & has_cr)
    first = int(np.flatnonzero(~blank)[0]) if (~blank).any() else 0  # the header line
    numbers = np.arange(1, len(ends) + 1, dtype="int64") + 0
    keep = ~blank
    keep[: first + 1] = False
    return numbers[keep]


def _locate_bad_rows(
    opener: Callable[[], BinaryIO],
    skip: int,
    n_good: int,
    bad_texts: list[tuple[int, str]],
    ncol: int,
    delim: str,
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
    with opener() as fh:
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


def _frame_text(s: pd.Series, keep_time: bool) -> tuple[pd.Series, str | None]:
    """One DataFrame column as raw strings, and a note when something was changed."""
    note = None
    if pd.api.types.is_datetime64_any_dtype(s):
        tz = getattr(s.dt, "tz", None)
        if tz is not None:
            s = s.dt.tz_localize(None)  # the wall-clock time in its own zone
            note = f"column {s.name!r}: times are in zone {tz}; read as local (wall-clock) times"
        has_time = bool((s.dropna() != s.dropna().dt.normalize()).any())
        if has_time and keep_time:
            text = s.dt.strftime("%Y-%m-%d %H:%M:%S")
        else:
            text = s.dt.strftime("%Y-%m-%d")
            if has_time:
                note = f"column {s.name!r}: the time of day was dropped (dates are days)"
        return text, note
    if pd.api.types.is_float_dtype(s):
        # Whole floats (a count column holding NaN) are written without ".0".
        return s.map(_float_text), note
    return s.map(lambda v: v if isinstance(v, str) else _cell_text(v)), note


def _float_text(v) -> str:
    if v is None or v != v:
        return ""
    if float(v).is_integer() and abs(v) < 2**53:
        return str(int(v))
    return repr(float(v))


def raw_from_frame(frame: pd.DataFrame, path: str, *, keep_time: bool = False) -> RawTable:
    """Wrap an already-loaded table (a DataFrame, Parquet) as raw strings for the same checks.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is ignored (row 1 is its first row).
    path : str
        Name of the source, for messages.
    keep_time : bool
        Write the time of day of datetime columns (``YYYY-MM-DD HH:MM:SS``) instead of the day
        only. Time-zone-aware values are written as wall-clock times and their zone is noted.

    Returns
    -------
    RawTable
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a DataFrame, not {type(frame).__name__}")
    names = [str(c) for c in frame.columns]
    _dedupe_header(names, path)
    out: dict[str, pd.Series] = {}
    notes: list[str] = []
    for col, name in zip(frame.columns, names, strict=True):
        s = frame[col].reset_index(drop=True).rename(name)
        text, note = _frame_text(s, keep_time)
        if note:
            notes.append(note)
        out[name] = text.where(s.notna(), "").astype("str")
    table = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    table["_row"] = np.arange(1, len(table) + 1, dtype="int64")
    return RawTable(table, path, len(table), [], notes, ",")

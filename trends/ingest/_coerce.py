"""Vectorised parsing of raw string columns, recording a reason for every value that fails.

Each ``parse_*`` function takes a column of raw strings and returns the parsed values; cells that
cannot be parsed are recorded in a :class:`RowErrors` collector with the row number, column and
reason, and the row is later rejected. Nothing here is silent: a value is parsed, recorded as
missing (an empty cell or one of :data:`MISSING_TOKENS`), or reported.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from trends.errors import InputError, MissingColumnsError, RowValidationError
from trends.ingest.report import RowIssue

__all__ = [
    "DAY_MONTH",
    "DATE_MAX",
    "DATE_MIN",
    "MAX_COUNT",
    "MISSING_TOKENS",
    "THOUSANDS_SEPARATORS",
    "check_date_format",
    "date_formats",
    "RowErrors",
    "is_missing",
    "settled_order",
    "settled_words",
    "parse_text",
    "parse_count",
    "parse_float",
    "parse_date",
    "require_columns",
    "strip_and_missing",
    "suggest_columns",
    "to_dates",
    "to_float",
    "TIMES_RULE",
    "whole_numbers",
]

#: Cell values read as "missing" in number and date columns (case-insensitive, after stripping
#: spaces). Text columns keep them as written (only an empty cell is missing there).
MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "unknown", "#n/a"}
)


#: Largest count accepted in one row (deaths, injured, fatalities... of one record). A larger
#: figure is rejected with that reason: it is a typo, a unit error or an overflow, and counts
#: stay far from the int64 limit.
MAX_COUNT: int = 10_000_000

#: Dates accepted by every reader: 1900-01-01 to 2100-12-31. Earlier or later dates are rejected
#: with that reason (they are typos, and would make daily series of centuries).
DATE_MIN: pd.Timestamp = pd.Timestamp("1900-01-01")
DATE_MAX: pd.Timestamp = pd.Timestamp("2100-12-31")

#: Separators a ``thousands=`` option may name.
THOUSANDS_SEPARATORS: tuple[str, ...] = (",", ".", " ", "'", "\u00a0", "\u202f")
_GROUPED = re.compile(r"^\d{1,3}([,. '\u00a0\u202f])\d{3}(\1\d{3})*$")
_AMBIGUOUS_DATE = r"^\d{1,2}([/.\-])\d{1,2}\1\d{2,4}$"
_DAYFIRST_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y")
_MONTHFIRST_FORMATS = ("%m/%d/%Y", "%m.%d.%Y", "%m-%d-%Y", "%m/%d/%y", "%m.%d.%y", "%m-%d-%y")

#: How a two-digit year is read (the pivot of :func:`~datetime.datetime.strptime`'s ``%y``,
#: which pandas shares): 00-68 are 2000-2068, 69-99 are 1969-1999. A date so read that falls
#: after today is refused (a record of harm is never in the future; write the year in full).
TWO_DIGIT_YEARS = "two-digit years 00-68 read as 2000-2068 and 69-99 as 1969-1999"


def _today() -> pd.Timestamp:
    """Today's date (a function, so that tests can fix it)."""
    return pd.Timestamp.today().normalize()


def date_formats(
    formats: Sequence[str], date_format: str | None = None, dayfirst: bool | None = None
) -> tuple[str, ...]:
    """The formats a date column is read with, given the user's ``date_format`` / ``dayfirst``.

    Parameters
    ----------
    formats : sequence of str
        The reader's own unambiguous formats (ISO first).
    date_format : str, optional
        One :func:`~datetime.datetime.strptime` format that replaces them all.
    dayfirst : bool, optional
        Also read ``03/02/2024`` (and ``03.02.2024``, ``03-02-2024``, two-digit years) as
        3 February (True) or as 2 March (False). Without it such dates are rejected as ambiguous.

    Returns
    -------
    tuple of str
    """
    if date_format is not None:
        return (check_date_format(date_format),)
    if dayfirst is None:
        return tuple(formats)
    if not isinstance(dayfirst, bool):
        raise InputError(f"dayfirst must be True or False, not {dayfirst!r}")
    return tuple(formats) + (_DAYFIRST_FORMATS if dayfirst else _MONTHFIRST_FORMATS)


#: A date written as two numbers and a year with one separator (``13/02/2022``, ``3.2.24``).
DAY_MONTH = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\s*$")


def settled_order(values: pd.Series) -> bool | None:
    """Whether a file's numeric day/month dates settle their own order, and which.

    A first field above 12 (and none above 31) in some date makes the file day-first, a second
    field above 12 month-first: the file settles it, nothing is guessed. ``None`` when no date
    is written with numbers, or when they do not settle it (every field 12 or below, or both
    fields above 12 somewhere).

    Parameters
    ----------
    values : pandas.Series
        The date column as written.

    Returns
    -------
    bool or None
        ``True`` day-first, ``False`` month-first, ``None`` not settled.
    """
    parts = values.astype("string").str.extract(DAY_MONTH)
    parts = parts[parts[0].notna()]
    if parts.empty:
        return None
    first, second = parts[0].astype(int), parts[2].astype(int)
    first_big = bool((first > 12).any()) and not bool((first > 31).any())
    second_big = bool((second > 12).any()) and not bool((second > 31).any())
    if first_big != second_big:
        return first_big
    return None


def settled_words(dayfirst: bool) -> str:
    """How a file settled its date order, in words (for the ingest report's choices)."""
    return (
        "day-first (a first field above 12 settles it)"
        if dayfirst
        else "month-first (a second field above 12 settles it)"
    )


def check_date_format(date_format: str) -> str:
    """Check a user's date format before any date is read with it.

    Parameters
    ----------
    date_format : str
        A :func:`~datetime.datetime.strptime` format, as pandas reads it (``"%d/%m/%Y"``).

    Returns
    -------
    str
        ``date_format``, unchanged.

    Raises
    ------
    InputError
        Not a string with a directive, or a directive pandas does not know (``%Q``), a stray
        ``%`` or an ISO directive without its companions; the message names the option and
        the directive.
    """
    example = "such as '%d/%m/%Y' or '%Y-%m-%d'"
    if not isinstance(date_format, str) or "%" not in date_format:
        raise InputError(
            f"--date-format (date_format= in Python) must be a strptime format {example}, "
            f"not {date_format!r}"
        )
    try:
        pd.to_datetime(pd.Series(["2024-01-01"]), format=date_format, errors="coerce")
    except ValueError as exc:
        raise InputError(
            f"--date-format {date_format!r} (date_format= in Python) is not a date format: "
            f"{exc}; give strptime directives {example}"
        ) from None
    return date_format


def check_thousands(thousands: str | None) -> str | None:
    """Validate a ``thousands=`` option (one of :data:`THOUSANDS_SEPARATORS` or None)."""
    if thousands is not None and thousands not in THOUSANDS_SEPARATORS:
        raise InputError(
            f"thousands must be one of {', '.join(repr(t) for t in THOUSANDS_SEPARATORS)}, "
            f"not {thousands!r}"
        )
    return thousands


class RowErrors:
    """Collects cell-level problems for a table whose rows carry a ``_row`` number.

    Parameters
    ----------
    rows : pandas.Series
        The 1-based data row number of each table row (aligned with the table's index).
    path : str
        The source, for messages.
    strict : bool
        Raise :class:`~trends.errors.RowValidationError` at the first problem instead.
    line_of : callable, optional
        Maps a row number to its physical line, for messages.
    """

    def __init__(
        self,
        rows: pd.Series,
        path: str,
        strict: bool = False,
        line_of: Callable[[int], int | None] | None = None,
    ) -> None:
        self.rows = rows
        self.path = path
        self.strict = strict
        self.line_of = line_of
        self.issues: list[RowIssue] = []
        self.bad = pd.Series(False, index=rows.index)
        self.filtered = pd.Series(False, index=rows.index)

    def filter_out(self, mask: pd.Series) -> None:
        """Set rows aside as *filtered out* (asked away, e.g. another region): not rejected.

        Such rows are neither accepted nor rejected: no reason is recorded for them later and
        any recorded so far is dropped; they count in the report's ``filtered``.
        """
        mask = mask.reindex(self.rows.index, fill_value=False).fillna(False).astype(bool)
        gone = set(self.rows[mask].astype(int))
        self.issues = [i for i in self.issues if i.row not in gone]
        self.filtered |= mask
        self.bad |= mask

    def add(
        self, mask: pd.Series, column: str | None, reason, values: pd.Series | None = None
    ) -> None:
        """Record ``reason`` for every row where ``mask`` is true.

        ``reason`` is a string, or a callable taking the raw value and returning a string.
        """
        mask = mask.fillna(False).astype(bool)
        mask = mask & ~self.filtered.reindex(mask.index, fill_value=False)
        if not mask.any():
            return
        idx = mask[mask].index
        for i in idx:
            raw = None if values is None else values.loc[i]
            raw_s = None if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
            text = reason(raw) if callable(reason) else reason
            issue = RowIssue(int(self.rows.loc[i]), column, text, raw_s)
            if self.strict:
                line = self.line_of(issue.row) if self.line_of else None
                raise RowValidationError(
                    text
                    + (f" (value {raw_s!r})" if raw_s not in (None, "") else "")
                    + (f" [line {line}]" if line is not None else ""),
                    path=self.path,
                    row=issue.row,
                    column=column,
                )
            self.issues.append(issue)
        self.bad.loc[idx] = True


def _case_variants(token: str) -> set[str]:
    return {"".join(chars) for chars in itertools.product(*({c.lower(), c.upper()} for c in token))}


# Every upper/lower-case spelling of the tokens: a set lookup replaces lower-casing each cell.
_MISSING_SPELLINGS: frozenset[str] = frozenset(
    v for token in MISSING_TOKENS for v in _case_variants(token)
)


def _strip_and_missing(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The stripped strings and where they are missing (stripping once, never lower-casing).

    Large files spend most of their parsing time here, so each cell is stripped once and looked
    up among every case spelling of :data:`MISSING_TOKENS` instead of being lower-cased.
    """
    s = raw.astype("str").str.strip()
    missing = s.isin(_MISSING_SPELLINGS).fillna(False).astype(bool) | raw.isna()
    return s, missing


def _to_float(s: pd.Series) -> pd.Series:
    """Stripped strings to ``float64``, NaN where not a number.

    pyarrow's C++ cast is tried first (it fails on the whole column if any value does not parse,
    and accepts no value that :func:`pandas.to_numeric` rejects); otherwise, or for other string
    storage, :func:`pandas.to_numeric` with ``errors="coerce"``.
    """
    dtype = s.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            cast = pc.cast(pa.array(s.array), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            pass
        else:
            return pd.Series(cast.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _plain_numbers(raw: pd.Series) -> pd.Series | None:
    """The ``float64`` values of a column of plain numbers, or None for any other column.

    "Plain" (the usual large export): pyarrow strings, no missing cell, and every value read
    by pyarrow's cast as a number that is not NaN. The cast refuses a value with a character of
    :data:`TRIMMED_CODEPOINTS` before or after the number (a test checks this), so for such a
    column stripping changes nothing and no cell is one of :data:`MISSING_TOKENS` (none of them
    reads as a number other than NaN): the values are those of ``_to_float(s.where(~missing))``
    after ``s, missing = _strip_and_missing(raw)``, the same cast of the same strings, without
    stripping every cell and looking it up among the missing-value words. The callers use the
    general path when this returns None.
    """
    if not _arrow_backed(raw):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    values = raw.array.__arrow_array__()
    if not isinstance(values, pa.ChunkedArray):
        values = pa.chunked_array([values])
    text_type = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
    if values.null_count or not text_type:
        return None
    try:
        cast = pc.cast(values, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    num = cast.to_numpy()
    if np.isnan(num).any():  # "nan" is a missing-value word: the general path decides
        return None
    return pd.Series(num, index=raw.index, dtype="float64")


#: Default of the ``plain`` argument of the number parsers: :func:`plain_numbers` not computed.
NOT_READ = object()


def _numbers_and_missing(
    raw: pd.Series, plain: pd.Series | None | object = NOT_READ
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``(stripped text, missing mask, float64 values)`` of a column of numbers.

    Plain columns (:func:`_plain_numbers`) skip the stripping and the missing-word lookup; the
    result is the same. ``plain`` is ``plain_numbers(raw)`` when the caller has computed it
    already (e.g. in a worker thread), :data:`NOT_READ` to compute it here.
    """
    num = _plain_numbers(raw) if plain is NOT_READ else plain
    if num is not None:
        return raw, pd.Series(False, index=raw.index), num
    s, missing = _strip_and_missing(raw)
    return s, missing, _to_float(s.where(~missing))


def is_missing(raw: pd.Series) -> pd.Series:
    """True where a raw cell is empty or a missing-value token."""
    return _strip_and_missing(raw)[1]


def parse_text(raw: pd.Series) -> pd.Series:
    """Strip surrounding white space; an empty cell becomes NA. Text is otherwise kept as is.

    The missing-value words of :data:`MISSING_TOKENS` apply to numbers and dates only: in a text
    column "unknown" or "None" may be what the source wrote (a perpetrator, a place), so it is kept.
    """
    s = raw.astype("str")
    if _arrow_backed(s):
        return _arrow_text(s)
    s = s.str.strip()
    return s.where(s != "", pd.NA).astype("str")


def _arrow_backed(s: pd.Series) -> bool:
    """True for a column of strings stored by pyarrow (the default ``str`` dtype of pandas)."""
    dtype = s.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _arrow_text(s: pd.Series) -> pd.Series:
    """:func:`parse_text` with pyarrow, copying no column that needs no change.

    A column without surrounding spaces keeps its strings (large exports: most columns), and
    empty cells become missing by a new validity bitmap over the same strings. Whether a value
    may have surrounding spaces is first told from its first and last bytes (see
    :func:`_may_need_trim`), so the strings are only copied where some value needs stripping.
    """
    import pyarrow as pa

    values = s.array.__arrow_array__()  # the stored strings, not copied
    if not isinstance(values, pa.ChunkedArray):
        values = pa.chunked_array([values])
    chunks = [_text_chunk(chunk) for chunk in values.chunks]
    if any(new is not old for new, old in zip(chunks, values.chunks, strict=True)):
        values = pa.chunked_array(chunks, type=values.type)
    return pd.Series(pd.array(values, dtype="str"), index=s.index, name=s.name)


#: The code points :func:`pyarrow.compute.utf8_trim_whitespace` (like :meth:`str.strip`) removes.
#: A test checks this list against pyarrow for every code point.
TRIMMED_CODEPOINTS: tuple[int, ...] = (
    *range(0x09, 0x0E),
    *range(0x1C, 0x21),
    0x85,
    0xA0,
    0x1680,
    *range(0x2000, 0x200B),
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
)
_TRIMMED_UTF8 = [chr(c).encode("utf-8") for c in TRIMMED_CODEPOINTS]
# By byte value: can a value starting / ending with this byte start / end with such a character?
_LEAD_BYTE = np.zeros(256, dtype=bool)
_LEAD_BYTE[[b[0] for b in _TRIMMED_UTF8]] = True
_TRAIL_BYTE = np.zeros(256, dtype=bool)
_TRAIL_BYTE[[b[-1] for b in _TRIMMED_UTF8]] = True
# For the characters of two or three bytes: the byte before their last one.
_BEFORE_TRAIL_BYTE = np.zeros(256, dtype=bool)
_BEFORE_TRAIL_BYTE[[b[-2] for b in _TRIMMED_UTF8 if len(b) > 1]] = True


def string_buffers(chunk) -> tuple[np.ndarray, np.ndarray] | None:
    """The offsets (one more than the values) and the bytes of a pyarrow string array, not
    copied; None for other types."""
    import pyarrow as pa

    if pa.types.is_large_string(chunk.type):
        width = np.int64
    elif pa.types.is_string(chunk.type):
        width = np.int32
    else:
        return None
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    return offsets, data


def _may_need_trim(offsets: np.ndarray, data: np.ndarray) -> bool:
    """False when no value starts or ends with a character of :data:`TRIMMED_CODEPOINTS`.

    Only the first byte, and the last one or two bytes, of each value are looked at; the test
    may say True for a value that needs no stripping (the caller then strips and compares), never
    False for one that does. (For an empty value, the bytes looked at belong to its neighbours,
    or are clipped to the buffer: that can only add such false alarms.)
    """
    if not len(data):
        return False
    if _LEAD_BYTE[data.take(offsets[:-1], mode="clip")].any():
        return True
    ends = offsets[1:]
    last = data.take(ends - 1, mode="clip")
    suspect = _TRAIL_BYTE[last]
    if not suspect.any():
        return False
    if (last[suspect] < 0x80).any():
        return True
    # A last byte of 0x80 or more ends a character of two or more bytes: look at the one before.
    return bool(_BEFORE_TRAIL_BYTE[data.take(ends[suspect] - 2, mode="clip")].any())


def _text_chunk(chunk):
    """One pyarrow string array stripped, empty strings made null; ``chunk`` itself if unchanged."""
    import pyarrow.compute as pc

    buffers = string_buffers(chunk)
    if buffers is None or _may_need_trim(*buffers):
        stripped = pc.utf8_trim_whitespace(chunk)
        if pc.sum(pc.binary_length(stripped)).as_py() != pc.sum(pc.binary_length(chunk)).as_py():
            chunk = stripped
            buffers = string_buffers(chunk)
    if buffers is None:
        return _blank_to_null(chunk) if pc.any(pc.equal(chunk, "")).as_py() else chunk
    offsets = buffers[0]
    keep = offsets[1:] != offsets[:-1]  # neither empty nor null
    if chunk.null_count:
        keep &= np.asarray(chunk.is_valid(), dtype=bool)
    if int(keep.sum()) == len(chunk) - chunk.null_count:  # no empty string
        return chunk
    return _blank_to_null(chunk, keep)


def _blank_to_null(chunk, keep: np.ndarray | None = None):
    """One pyarrow string array with its empty strings made null (the strings are not copied).

    ``keep`` (optional) is True for the values that stay: neither empty nor null.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if keep is None:
        keep_arr = pc.not_equal(chunk, "")
        if chunk.null_count:
            keep_arr = pc.and_kleene(keep_arr, pc.is_valid(chunk))
        keep = np.asarray(pc.fill_null(keep_arr, False), dtype=bool)
    if chunk.offset != 0:
        return pc.if_else(pa.array(keep), chunk, pa.scalar(None, chunk.type))
    validity = pa.py_buffer(np.packbits(keep, bitorder="little"))
    buffers = chunk.buffers()
    return pa.Array.from_buffers(
        chunk.type, len(chunk), [validity, *buffers[1:]], null_count=int(len(keep) - keep.sum())
    )


def parse_count(
    raw: pd.Series,
    column: str,
    errors: RowErrors,
    thousands: str | None = None,
    *,
    plain: pd.Series | None | object = NOT_READ,
) -> pd.Series:
    """Parse non-negative whole numbers into ``Int64``; missing stays missing.

    ``"12"`` and ``"12.0"`` are 12. Rejected, with the reason: non-numeric text, fractions,
    negative numbers, numbers above :data:`MAX_COUNT`, and numbers written with a thousands
    separator (``"1,089"``, ``"1.089"``, ``"1 089"``) unless ``thousands`` names the separator
    (then ``"1,089"`` is 1089 and a value with that character elsewhere is rejected).
    ``plain``: see :func:`_numbers_and_missing` (not used with ``thousands``).
    """
    if thousands is None:
        s, missing, num = _numbers_and_missing(raw, plain)
    else:
        s, missing = _strip_and_missing(raw)
        grouped = s.str.match(_GROUPED).fillna(False).astype(bool)
        grouped &= s.str.contains(thousands, regex=False).fillna(False).astype(bool)
        if grouped.any():
            s = s.where(~grouped, s.str.replace(thousands, "", regex=False))
        num = _to_float(s.where(~missing))
    non_numeric = ~missing & num.isna()
    if non_numeric.any():
        sep = s.where(non_numeric).str.match(_GROUPED).fillna(False).astype(bool)
        errors.add(non_numeric & sep, column, _separator_reason, raw)
        errors.add(non_numeric & ~sep, column, "is not a number", raw)
    finite = num.notna()
    negative = finite & (num < 0)
    errors.add(negative, column, "is negative; counts cannot be below zero", raw)
    fractional = finite & ~negative & (num != np.floor(num.fillna(0)))
    if fractional.any():
        sep = s.where(fractional).str.match(_GROUPED).fillna(False).astype(bool)
        errors.add(fractional & sep, column, _separator_reason, raw)
        errors.add(fractional & ~sep, column, "is not a whole number", raw)
    whole = finite & ~negative & ~fractional
    dotted = whole & s.str.contains(".", regex=False).fillna(False).astype(bool)
    if dotted.any():  # "12.000": twelve, or twelve thousand?
        sep = s.where(dotted).str.match(_GROUPED).fillna(False).astype(bool) & dotted
        errors.add(sep, column, _separator_reason, raw)
        fractional |= sep
    infinite = finite & ~np.isfinite(num.fillna(0))
    errors.add(infinite, column, "is not a finite number", raw)
    too_big = finite & ~negative & ~fractional & ~infinite & (num > MAX_COUNT)
    errors.add(
        too_big,
        column,
        f"is above {MAX_COUNT:,}, the largest count accepted in one row (a typo, a unit error "
        "or an overflow)",
        raw,
    )
    ok = finite & ~negative & ~fractional & ~infinite & ~too_big
    return whole_numbers(num, ok)


def whole_numbers(num: pd.Series, ok: pd.Series) -> pd.Series:
    """``Int64`` values: ``num`` where ``ok``, missing elsewhere.

    Built from the integer values and the missing mask directly, without writing through a
    mask into a column of missing values (the same values, several times faster).

    Parameters
    ----------
    num : pandas.Series
        ``float64`` values; whole numbers within the ``int64`` range wherever ``ok`` is true.
    ok : pandas.Series
        Boolean, aligned with ``num``: the values kept.

    Returns
    -------
    pandas.Series
        ``Int64``, with ``num``'s index.
    """
    keep = ok.to_numpy(dtype=bool)
    values = num.to_numpy(dtype="float64")
    if keep.all():
        ints = values.astype("int64")
    else:
        ints = np.zeros(len(values), dtype="int64")
        ints[keep] = values[keep].astype("int64")
    return pd.Series(pd.arrays.IntegerArray(ints, ~keep), index=num.index)


def _separator_reason(value) -> str:
    """Why ``1,089`` / ``1.089`` is not read: the separator's meaning is not known."""
    text = str(value).strip()
    match = _GROUPED.match(text)
    sep = match.group(1) if match else ","
    whole = text.replace(sep, "")
    return (
        f"is written with {sep!r} between groups of digits: it may mean {whole} (thousands "
        f"separator) or a fraction; if it separates thousands, say so with the thousands "
        f"separator option (--thousands '{sep}' on the command line, thousands={sep!r} in Python)"
    )


def parse_float(
    raw: pd.Series,
    column: str,
    errors: RowErrors,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    plain: pd.Series | None | object = NOT_READ,
) -> pd.Series:
    """Parse decimal numbers into ``float64`` (NaN when missing), checking an allowed range.

    ``plain``: see :func:`_numbers_and_missing`.
    """
    _, missing, num = _numbers_and_missing(raw, plain)
    errors.add(~missing & num.isna(), column, "is not a number", raw)
    if minimum is not None or maximum is not None:
        lo = -np.inf if minimum is None else minimum
        hi = np.inf if maximum is None else maximum
        out_of_range = num.notna() & ((num < lo) | (num > hi))
        errors.add(out_of_range, column, f"is outside the allowed range [{lo:g}, {hi:g}]", raw)
        num = num.where(~out_of_range)
    return num


_ISO_SHAPE = r"^\d{4}-\d{1,2}-\d{1,2}$"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_MONTHS_ABBR = "jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec"
_DIRECTIVE_SHAPES = {
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "m": r"\d{1,2}",
    "d": r"\d{1,2}",
    "H": r"\d{1,2}",
    "M": r"\d{1,2}",
    "S": r"\d{1,2}",
    "f": r"\d{1,9}",
    "z": r"(?:Z|[+-]\d{2}(?::?\d{2})?)",
    "Z": r"[A-Za-z]{1,5}",
    "B": f"(?:{_MONTHS})",
    "b": f"(?:{_MONTHS_ABBR})",
    "%": "%",
}


def _format_shape(fmt: str) -> str:
    """A regular expression matching the *shape* of dates written with ``fmt``.

    Used to tell an impossible date (``31 February 2019``: right shape, not a calendar date) from
    text that is not a date at all (``16 Foo 2025``). Unknown directives match any text.
    """
    out = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            out.append(_DIRECTIVE_SHAPES.get(fmt[i + 1], ".+?"))
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "^" + "".join(out) + "$"


#: An ISO date with a time of day and an optional UTC offset (``2024-01-01 14:30``,
#: ``2024-01-01T14:30:00.000+03:00``, ``2024-01-01 14:30Z``): read wherever ISO dates are.
_ISO_DATE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})[ T](?P<hm>\d{1,2}:\d{2})(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)

#: How :func:`parse_date` dates a value with a time of day or a UTC offset, in words (the
#: ingest report's notes say it when a file has such values).
TIMES_RULE = (
    "each row is dated by its calendar day as written: the time of day is dropped, and a UTC "
    "offset (+03:00, Z) is dropped after reading the date, so the date is the local calendar "
    "day of the stated offset (not converted to UTC)"
)
_TIMES_ONLY = "each row is dated by its calendar day as written (the time of day is dropped)"


def _naive(parsed: pd.Series) -> pd.Series:
    """Wall-clock times without their time zone (an offset's local time, as written)."""
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed.dt.tz_localize(None)
    return parsed


def _each_with_format(values: pd.Series, fmt: str) -> pd.Series:
    """:func:`datetime.datetime.strptime` of each value (NaT where it fails), offsets dropped.

    For a format with ``%z`` whose values have different UTC offsets, which pandas does not
    read into one column.
    """
    import datetime as dt

    out = []
    for value in values:
        try:
            when = dt.datetime.strptime(str(value), fmt).replace(tzinfo=None)
        except (TypeError, ValueError):
            when = pd.NaT
        out.append(pd.NaT if value is None or pd.isna(value) else when)
    return pd.Series(pd.to_datetime(out, errors="coerce"), index=values.index)


def _with_format(values: pd.Series, fmt: str) -> pd.Series:
    """The naive dates of ``values`` (NaN where not to be read) in ``fmt``; NaT where it fails."""
    try:
        parsed = pd.to_datetime(values, format=fmt, errors="coerce")
    except (ValueError, TypeError):  # mixed UTC offsets with %z
        return _each_with_format(values, fmt)
    if parsed.dtype == object:
        return _each_with_format(values, fmt)
    return _naive(parsed)


def _iso_date_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO dates with a time of day (and an optional offset): the dates, and which had an offset.

    The offset is dropped after reading the wall-clock date and time (:data:`TIMES_RULE`);
    a time that is not a time of day (``25:00``) leaves NaT.
    """
    parts = values.str.extract(_ISO_DATE_TIME)
    seconds = parts["s"].fillna("00")
    text = parts["date"] + " " + parts["hm"] + ":" + seconds
    parsed = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    return parsed, parts["zone"].notna() & parsed.notna()


def _time_notes(
    raw: pd.Series, codes: np.ndarray, times: np.ndarray, zones: np.ndarray, column: str
) -> list[str]:
    """The ingest report's notes on the dates read with a time of day or a UTC offset."""
    notes = []
    n_times = int(np.append(times, False)[codes].sum())
    n_zones = int(np.append(zones, False)[codes].sum())
    if n_times or n_zones:
        first = raw[np.append(times | zones, False)[codes]].iloc[0]
        what = []
        if n_times:
            what.append(f"{n_times} row(s) with a time of day")
        if n_zones:
            what.append(f"{n_zones} row(s) with a UTC offset")
        notes.append(
            f"{column}: {' and '.join(what)} (e.g. {str(first).strip()!r}); "
            + (TIMES_RULE if n_zones else _TIMES_ONLY)
        )
    return notes


def parse_date(
    raw: pd.Series,
    column: str,
    errors: RowErrors,
    formats: Sequence[str] = ("%Y-%m-%d",),
    *,
    required: bool = False,
    expected: str = "YYYY-MM-DD",
    notes: list[str] | None = None,
) -> pd.Series:
    """Parse dates trying each format in turn; report impossible and unparseable dates.

    A value with the shape of a date that is not a calendar date (``2019-02-30``) is reported as
    *impossible*; a date outside :data:`DATE_MIN` .. :data:`DATE_MAX` as *out of range*; a
    day/month date such as ``03/02/2024`` that no format reads as *ambiguous* (pass
    ``dayfirst`` or ``date_format`` to the reader, see :func:`date_formats`); any other
    unparseable value as *not a date*. Each distinct value is parsed once (dates repeat a lot in
    large files), trying the formats in order on what is still unparsed.

    Times and offsets: where ``formats`` has ``"%Y-%m-%d"``, an ISO date with a time of day and
    an optional UTC offset (``2024-01-01 14:30``, ``2024-01-01T14:30+03:00``) is read too; a
    format may also have them (``%H:%M%z``, offsets differing between rows included). Every date
    is then its calendar day, as :data:`TIMES_RULE` says (the time and the offset are dropped,
    never converted), and ``notes`` receives a sentence saying how many rows had either.

    Parameters
    ----------
    raw : pandas.Series
        The column as written.
    column : str
        Its name, for messages.
    errors : RowErrors
        Collects the rows whose date fails.
    formats : sequence of str
        :func:`~datetime.datetime.strptime` formats tried in order (:func:`date_formats`).
    required : bool
        An empty cell is an error.
    expected : str
        What a date looks like, for the message of a value that is not one.
    notes : list of str, optional
        Receives the note on times of day and UTC offsets read (see above).

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` calendar days (midnight); NaT where missing or rejected.
    """
    # Each distinct cell is stripped and checked once; missing cells get code -1.
    raw_codes, raw_uniques = pd.factorize(raw)
    u_text, u_missing = _strip_and_missing(pd.Series(raw_uniques))
    u_codes, uniques = pd.factorize(u_text.where(~u_missing))
    codes = np.append(u_codes, -1)[raw_codes]
    missing = pd.Series(np.append(u_missing.to_numpy(dtype=bool), True)[raw_codes], index=raw.index)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    parsed_distinct = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
    out_of_range = pd.Series(False, index=distinct.index)
    future: dict[str, pd.Timestamp] = {}  # text -> its two-digit-year reading after today
    left = pd.Series(True, index=distinct.index)
    zones = pd.Series(False, index=distinct.index)
    attempts: list[str | None] = list(formats) + ([None] if "%Y-%m-%d" in formats else [])
    for fmt in attempts:
        if not left.any():
            break
        if fmt is None:  # ISO date-times, where ISO dates are read
            parsed, zoned = _iso_date_times(distinct.where(left))
        else:
            parsed = _with_format(distinct.where(left), fmt)
            zoned = pd.Series("%z" in fmt or "%Z" in fmt, index=distinct.index)
        hit = left & parsed.notna()
        zones |= hit & zoned
        if hit.any():
            far = hit & ((parsed < DATE_MIN) | (parsed >= DATE_MAX + pd.Timedelta(days=1)))
            if fmt is not None and "%y" in fmt:
                ahead = hit & ~far & (parsed.dt.normalize() > _today())
                future.update(zip(distinct[ahead], parsed[ahead], strict=True))
                far |= ahead
            out_of_range |= far
            good = hit & ~far
            parsed_distinct[good] = parsed[good].astype("datetime64[ns]")
        left &= ~hit
    days = parsed_distinct.dt.normalize()
    if notes is not None:
        times = (parsed_distinct.notna() & (parsed_distinct != days)).to_numpy(dtype=bool)
        notes.extend(_time_notes(raw, codes, times, zones.to_numpy(dtype=bool), column))
    lookup = np.append(days.to_numpy(), np.datetime64("NaT", "ns"))
    out = pd.Series(lookup[codes], index=raw.index, dtype="datetime64[ns]")
    todo = ~missing & out.isna()
    if required:
        errors.add(missing, column, "is empty; a date is required", raw)
    if todo.any():
        far_rows = pd.Series(np.append(out_of_range.to_numpy(), False)[codes], index=raw.index)
        far_rows &= todo
        ahead_rows = pd.Series(False, index=raw.index)
        if future:
            ahead_rows = far_rows & raw.astype("str").str.strip().isin(list(future))
            errors.add(
                ahead_rows,
                column,
                lambda v: (
                    f"has a two-digit year, read as {future[str(v).strip()]:%Y-%m-%d} ("
                    f"{TWO_DIGIT_YEARS}), which is after today ({_today():%Y-%m-%d}); write the "
                    "year in full"
                ),
                raw,
            )
        errors.add(
            far_rows & ~ahead_rows,
            column,
            f"is outside the accepted dates {DATE_MIN.date()} to {DATE_MAX.date()} (a typo?)",
            raw,
        )
        bad = todo & ~far_rows
        rows = np.flatnonzero(bad.to_numpy(dtype=bool))
        s_bad = pd.Series(  # the stripped text of the failing cells only
            np.asarray(u_text, dtype=object)[raw_codes[rows]], index=raw.index[rows], dtype="str"
        )
        _explain_bad_dates(s_bad, raw, bad, column, errors, formats, expected)
    return out


def _explain_bad_dates(
    s_bad: pd.Series,
    raw: pd.Series,
    bad: pd.Series,
    column: str,
    errors: RowErrors,
    formats: Sequence[str],
    expected: str,
) -> None:
    """Record why each unparsed date failed: ambiguous, impossible, or not a date.

    ``s_bad`` is the stripped text of the failing cells only (cheap on large files with few bad
    dates); ``bad`` marks them among all the rows of ``raw``.
    """
    if not bad.any():
        return
    ambiguous = s_bad.str.match(_AMBIGUOUS_DATE).fillna(False).astype(bool)
    looks_like = s_bad.str.match(_ISO_SHAPE).fillna(False).astype(bool)
    if "%Y-%m-%d" in formats:  # an ISO date with a time that is not a time of day (25:00)
        looks_like |= s_bad.str.match(_ISO_DATE_TIME).fillna(False).astype(bool)
    for fmt in formats:
        looks_like |= s_bad.str.match(_format_shape(fmt), case=False).fillna(False)
    ambiguous &= ~looks_like
    ambiguous = ambiguous.reindex(raw.index, fill_value=False).astype(bool)
    looks_like = looks_like.reindex(raw.index, fill_value=False).astype(bool)
    errors.add(
        bad & ambiguous,
        column,
        lambda v: (
            f"is written with the day and month as numbers ({str(v).strip()!r}) and their order "
            "is not given, so it is not read (never guessed): say which with the --dayfirst or "
            "--monthfirst option (dayfirst=True or False in Python) or give the format with "
            "--date-format (date_format= in Python), e.g. '%d/%m/%Y'"
        ),
        raw,
    )
    errors.add(
        bad & looks_like,
        column,
        lambda v: f"is not a real calendar date ({v!r} does not exist)",
        raw,
    )
    errors.add(bad & ~looks_like & ~ambiguous, column, _not_a_date(expected), raw)


#: A year and a month without a day (2018-01, 01/2018, Jan 2018).
_YEAR_MONTH = re.compile(r"^\s*(\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{4}|[A-Za-z]{3,9}\.? \d{4})\s*$")


def _not_a_date(expected: str) -> Callable[[object], str]:
    """The reason for a value that is not a date, with a hint for a month written without a day."""

    def reason(v: object) -> str:
        text = f"is not a date (expected {expected})"
        if _YEAR_MONTH.match(str(v)):
            text += (
                "; a month without a day can be read with a date format (--date-format '%Y-%m' "
                "on the command line, date_format='%Y-%m' in Python; '%m/%Y', '%b %Y' likewise)"
            )
        return text

    return reason


def suggest_columns(missing: Iterable[str], present: Iterable[str]) -> dict[str, list[str]]:
    """For each missing column, the present columns with the closest names."""
    present = list(present)
    lowered = {p.lower().replace(" ", "_"): p for p in present}
    out: dict[str, list[str]] = {}
    for name in missing:
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        out[name] = [lowered[c] for c in close]
    return out


def require_columns(
    present: Iterable[str], required: Iterable[str], path: str, hint: str | None = None
) -> None:
    """Raise :class:`MissingColumnsError` naming absent columns and their closest matches.

    ``hint`` (e.g. :attr:`~trends.ingest._io.RawTable.header_hint`) is added to the message.
    """
    present = list(present)
    missing = [c for c in required if c not in present]
    if missing:
        hint_cols = [c for c in present if c != "_row"]
        extra, hint = hint, None
        if len(hint_cols) == 1:
            for delim, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe"), (",", "comma")):
                if delim in hint_cols[0]:
                    hint = (
                        f"The header was read as one column; the file looks {name}-separated "
                        f"(give the separator: --delimiter '{delim}' on the command line, "
                        f"delimiter={delim!r} in Python)"
                    )
                    break
        hint = ". ".join(h for h in (hint, extra) if h) or None
        raise MissingColumnsError(
            missing, suggest_columns(missing, hint_cols), path=path, hint=hint
        )


#: Shared with the readers that parse columns of their own (ACLED's timestamp).
numbers_and_missing = _numbers_and_missing
plain_numbers = _plain_numbers
strip_and_missing = _strip_and_missing
to_float = _to_float


def to_dates(
    values: Sequence | pd.Series,
    *,
    column: str = "date",
    date_format: str | None = None,
    dayfirst: bool | None = None,
    allow_missing: bool = False,
) -> pd.Series:
    """Parse date strings the way every reader does, raising at the first value that fails.

    For code that receives dates outside a reader (a DataFrame handed to a series function):
    ISO dates (``YYYY-MM-DD``, ``YYYY/MM/DD``) and named months are read; numeric day/month
    dates (``01/04/2023``) only with ``dayfirst`` or ``date_format``, never guessed; dates outside
    :data:`DATE_MIN` .. :data:`DATE_MAX` are refused. datetime64 values are returned as they are.

    Parameters
    ----------
    values : sequence or Series
        The dates (strings, or datetime64 values).
    column : str
        Name used in messages.
    date_format, dayfirst
        See :func:`date_formats`.
    allow_missing : bool
        Empty values give NaT instead of an error.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` values.

    Raises
    ------
    InputError
        The first value that is not an accepted date, with its 1-based row and the reason.
    """
    raw = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw
    text = raw.astype("str").where(raw.notna(), "")
    errors = RowErrors(pd.Series(np.arange(1, len(raw) + 1), index=raw.index), "")
    formats = date_formats(
        ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y"), date_format, dayfirst
    )
    out = parse_date(text, column, errors, formats, required=not allow_missing)
    if errors.issues:
        first = min(errors.issues, key=lambda i: i.row)
        value = f" (value {first.value!r})" if first.value else ""
        raise InputError(first.reason + value, row=first.row, column=column)
    return out

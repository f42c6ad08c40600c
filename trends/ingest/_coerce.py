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
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from trends.errors import MissingColumnsError, RowValidationError
from trends.ingest.report import RowIssue

__all__ = [
    "MISSING_TOKENS",
    "RowErrors",
    "is_missing",
    "parse_text",
    "parse_count",
    "parse_float",
    "parse_date",
    "require_columns",
    "suggest_columns",
]

#: Cell values read as "missing" in number and date columns (case-insensitive, after stripping
#: spaces). Text columns keep them as written (only an empty cell is missing there).
MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "unknown", "#n/a"}
)


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
    """

    def __init__(self, rows: pd.Series, path: str, strict: bool = False) -> None:
        self.rows = rows
        self.path = path
        self.strict = strict
        self.issues: list[RowIssue] = []
        self.bad = pd.Series(False, index=rows.index)

    def add(
        self, mask: pd.Series, column: str | None, reason, values: pd.Series | None = None
    ) -> None:
        """Record ``reason`` for every row where ``mask`` is true.

        ``reason`` is a string, or a callable taking the raw value and returning a string.
        """
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        idx = mask[mask].index
        for i in idx:
            raw = None if values is None else values.loc[i]
            raw_s = None if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
            text = reason(raw) if callable(reason) else reason
            issue = RowIssue(int(self.rows.loc[i]), column, text, raw_s)
            if self.strict:
                raise RowValidationError(
                    text + (f" (value {raw_s!r})" if raw_s not in (None, "") else ""),
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


def is_missing(raw: pd.Series) -> pd.Series:
    """True where a raw cell is empty or a missing-value token."""
    return _strip_and_missing(raw)[1]


def parse_text(raw: pd.Series) -> pd.Series:
    """Strip surrounding white space; an empty cell becomes NA. Text is otherwise kept as is.

    The missing-value words of :data:`MISSING_TOKENS` apply to numbers and dates only: in a text
    column "unknown" or "None" may be what the source wrote (a perpetrator, a place), so it is kept.
    """
    s, _ = _strip_and_missing(raw)
    return s.where(s != "", pd.NA).astype("str")


def parse_count(raw: pd.Series, column: str, errors: RowErrors) -> pd.Series:
    """Parse non-negative whole numbers into ``Int64``; missing stays missing.

    ``"12"`` and ``"12.0"`` are 12. Rejected: non-numeric text, fractions, negative numbers.
    """
    s, missing = _strip_and_missing(raw)
    num = _to_float(s.where(~missing))
    non_numeric = ~missing & num.isna()
    errors.add(non_numeric, column, "is not a number", raw)
    finite = num.notna()
    negative = finite & (num < 0)
    errors.add(negative, column, "is negative; counts of people cannot be below zero", raw)
    fractional = finite & ~negative & (num != np.floor(num.fillna(0)))
    errors.add(fractional, column, "is not a whole number", raw)
    infinite = finite & ~np.isfinite(num.fillna(0))
    errors.add(infinite, column, "is not a finite number", raw)
    ok = finite & ~negative & ~fractional & ~infinite
    out = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    if ok.any():
        out[ok] = num[ok].astype("int64")
    return out


def parse_float(
    raw: pd.Series,
    column: str,
    errors: RowErrors,
    minimum: float | None = None,
    maximum: float | None = None,
) -> pd.Series:
    """Parse decimal numbers into ``float64`` (NaN when missing), checking an allowed range."""
    s, missing = _strip_and_missing(raw)
    num = _to_float(s.where(~missing))
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


def parse_date(
    raw: pd.Series,
    column: str,
    errors: RowErrors,
    formats: Sequence[str] = ("%Y-%m-%d",),
    *,
    required: bool = False,
    expected: str = "YYYY-MM-DD",
) -> pd.Series:
    """Parse dates trying each format in turn; report impossible and unparseable dates.

    A value with the shape of a date that is not a calendar date (``2019-02-30``) is reported as
    *impossible*; any other unparseable value as *not a date*. Times of day are not allowed here
    unless a format has them. Each distinct value is parsed once (dates repeat a lot in large
    files), trying the formats in order on what is still unparsed.
    """
    s, missing = _strip_and_missing(raw)
    codes, uniques = pd.factorize(s.where(~missing))  # missing cells get code -1
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    parsed_distinct = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
    left = pd.Series(True, index=distinct.index)
    for fmt in formats:
        if not left.any():
            break
        parsed = pd.to_datetime(distinct.where(left), format=fmt, errors="coerce")
        hit = left & parsed.notna()
        if hit.any():
            parsed_distinct[hit] = parsed[hit].astype("datetime64[ns]")
        left &= ~hit
    lookup = np.append(parsed_distinct.to_numpy(), np.datetime64("NaT", "ns"))
    out = pd.Series(lookup[codes], index=raw.index, dtype="datetime64[ns]")
    todo = ~missing & out.isna()
    if required:
        errors.add(missing, column, "is empty; a date is required", raw)
    bad = todo
    if bad.any():
        # Only the failing cells are examined (cheap on large files with few bad dates).
        s_bad = s[bad]
        looks_like = s_bad.str.match(_ISO_SHAPE).fillna(False).astype(bool)
        for fmt in formats:
            looks_like |= s_bad.str.match(_format_shape(fmt), case=False).fillna(False)
        looks_like = looks_like.reindex(raw.index, fill_value=False).astype(bool)
        errors.add(
            bad & looks_like,
            column,
            lambda v: f"is not a real calendar date ({v!r} does not exist)",
            raw,
        )
        errors.add(bad & ~looks_like, column, f"is not a date (expected {expected})", raw)
    return out


def suggest_columns(missing: Iterable[str], present: Iterable[str]) -> dict[str, list[str]]:
    """For each missing column, the present columns with the closest names."""
    present = list(present)
    lowered = {p.lower().replace(" ", "_"): p for p in present}
    out: dict[str, list[str]] = {}
    for name in missing:
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        out[name] = [lowered[c] for c in close]
    return out


def require_columns(present: Iterable[str], required: Iterable[str], path: str) -> None:
    """Raise :class:`MissingColumnsError` naming absent columns and their closest matches."""
    present = list(present)
    missing = [c for c in required if c not in present]
    if missing:
        hint_cols = [c for c in present if c != "_row"]
        hint = None
        if len(hint_cols) == 1:
            for delim, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe"), (",", "comma")):
                if delim in hint_cols[0]:
                    hint = (
                        f"The header was read as one column; the file looks {name}-separated "
                        f"(pass delimiter={delim!r} or leave the delimiter to be detected)"
                    )
                    break
        raise MissingColumnsError(
            missing, suggest_columns(missing, hint_cols), path=path, hint=hint
        )

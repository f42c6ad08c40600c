"""The ingest report: what happened to every input row.

Every reader returns ``(table, report)``. The report accounts for every data row of the input:
each is *accepted*, *rejected* (with the row number, column and reason), *merged as a duplicate*
of another row, or *filtered out* (asked away, e.g. a tallies row of another region than the
one asked for: neither accepted nor rejected, stated in a note), and
``rows_read == accepted + rejected + duplicates + filtered`` always holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trends.results import to_jsonable

__all__ = ["RowIssue", "DuplicateRecord", "IngestReport", "choice_text"]


def choice_text(value: Any) -> str:
    """A reader's choice in words: a mapping as ``"Killed as killed"`` pairs, never a repr.

    Parameters
    ----------
    value : object
        A value of :attr:`IngestReport.choices`: text, a number, ``None`` (``"none"``), a list
        (comma-separated) or a mapping (``"theirs as ours"``, or just the name when both are
        the same).

    Returns
    -------
    str
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(str(k) if k == v else f"{k} as {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


@dataclass(frozen=True)
class RowIssue:
    """Why a row was rejected.

    Attributes
    ----------
    row : int
        1-based data row number (the first row after the header is row 1).
    column : str or None
        The column at fault, or ``None`` when the whole row is at fault.
    reason : str
        Plain-language reason.
    value : str or None
        The offending raw value, when there is one.
    line : int or None
        The physical line of the file where the row starts (or the spreadsheet row), when known.
        Without blank lines or line breaks inside quotes, it is ``row + 1``.
    """

    row: int
    column: str | None
    reason: str
    value: str | None = None
    line: int | None = None

    def with_line(self, line: int | None) -> RowIssue:
        """A copy with ``line`` set."""
        return RowIssue(self.row, self.column, self.reason, self.value, line)

    def where(self) -> str:
        """``"Row 3 (line 4)"``: the row, and its line when known."""
        return f"Row {self.row}" + (f" (line {self.line})" if self.line is not None else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
            "value": self.value,
        }


@dataclass(frozen=True)
class DuplicateRecord:
    """A row merged into another one.

    Attributes
    ----------
    row : int
        1-based data row number of the row that was merged away.
    kept_row : int or None
        The row it was merged into (``None`` when it came from another table).
    key : str
        The identifier or key they share.
    rule : str
        Which duplicate rule applied (``"same id"``, ``"same incident, two sources"``...).
    differences : tuple of str
        Columns whose values differed between the two rows.
    """

    row: int
    kept_row: int | None
    key: str
    rule: str
    differences: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "kept_row": self.kept_row,
            "key": self.key,
            "rule": self.rule,
            "differences": list(self.differences),
        }


@dataclass
class IngestReport:
    """Row accounting for one input.

    Attributes
    ----------
    source : str
        File path or name of the input.
    format : str
        Reader used (``"incidents"``, ``"acled"``, ``"ucdp"``, ``"tallies"``...).
    rows_read : int
        Data rows found in the input (blank lines are not rows).
    accepted, rejected, duplicates : int
        What happened to them; with ``filtered`` they add up to ``rows_read``.
    filtered : int
        Rows set aside by a filter asked for (another region than ``region=``): neither accepted
        nor rejected; a note says which filter.
    errors : list of RowIssue
        One or more issues per rejected row.
    duplicate_rows : list of DuplicateRecord
        One record per row merged as a duplicate.
    notes : list of str
        Things the user should know (encoding fixes, detected delimiter, documented choices).
    choices : dict
        Explicit analytical choices made while reading (e.g. ACLED's civilian proxy).
    days_not_reported : int or None
        For series readers (tallies): days of the output counted as not reported (never zero):
        days without a report, which are not input rows and so neither accepted nor rejected,
        and days whose report repeats a frozen total; ``None`` for incident readers.
    flags : list of dict
        Data-quality flags that do not reject a row (e.g. a tallies spike flagged as a likely
        late registration): each with ``date``, ``kind`` and ``reason`` (and ``row`` when one
        input row is concerned).
    """

    source: str
    format: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    filtered: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    duplicate_rows: list[DuplicateRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    choices: dict[str, Any] = field(default_factory=dict)
    days_not_reported: int | None = None
    flags: list[dict[str, Any]] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """Whether ``rows_read == accepted + rejected + duplicates + filtered``."""
        return self.rows_read == self.accepted + self.rejected + self.duplicates + self.filtered

    @property
    def ok(self) -> bool:
        """True when no row was rejected (every row accepted or merged)."""
        return self.rejected == 0

    def check(self) -> IngestReport:
        """Raise ``AssertionError`` if the counts do not add up; return self otherwise."""
        if not self.balanced:
            raise AssertionError(
                f"ingest accounting does not add up for {self.source}: rows_read={self.rows_read} "
                f"!= accepted {self.accepted} + rejected {self.rejected} + duplicates {self.duplicates}"
                f" + filtered {self.filtered}"
            )
        rejected_rows = {e.row for e in self.errors}
        if len(rejected_rows) != self.rejected:
            raise AssertionError(
                f"{self.rejected} rows rejected but {len(rejected_rows)} rows have reasons"
            )
        if len(self.duplicate_rows) != self.duplicates:
            raise AssertionError("every duplicate needs a DuplicateRecord")
        return self

    def errors_frame(self) -> pd.DataFrame:
        """The rejection reasons as a DataFrame (row, column, reason, value)."""
        return pd.DataFrame(
            [e.to_dict() for e in self.errors],
            columns=["row", "line", "column", "reason", "value"],
        )

    def summary(self) -> pd.DataFrame:
        """Counts as a one-row DataFrame."""
        return pd.DataFrame(
            [
                {
                    "source": self.source,
                    "format": self.format,
                    "rows_read": self.rows_read,
                    "accepted": self.accepted,
                    "rejected": self.rejected,
                    "duplicates": self.duplicates,
                    "filtered": self.filtered,
                }
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (the ``trends validate --json`` object)."""
        return to_jsonable(
            {
                "source": self.source,
                "format": self.format,
                "rows_read": self.rows_read,
                "accepted": self.accepted,
                "rejected": self.rejected,
                "duplicates": self.duplicates,
                "filtered": self.filtered,
                "errors": [e.to_dict() for e in self.errors],
                "duplicate_rows": [d.to_dict() for d in self.duplicate_rows],
                "notes": list(self.notes),
                "choices": dict(self.choices),
                "days_not_reported": self.days_not_reported,
                "flags": [dict(f) for f in self.flags],
            }
        )

    def report(self, max_errors: int = 20) -> str:
        """Plain-language account of the rows, listing up to ``max_errors`` reasons."""
        lines = [
            f"{self.source} ({self.format}): {self.rows_read} rows read, {self.accepted} accepted, "
            f"{self.rejected} rejected, {self.duplicates} merged as duplicates"
            + (f", {self.filtered} filtered out (see the notes)." if self.filtered else ".")
        ]
        if self.days_not_reported:
            lines.append(
                f"{self.days_not_reported} {'day counts' if self.days_not_reported == 1 else 'days count'} as not reported, never as zero (days "
                "without a report, which are not input rows, and any days repeating a frozen "
                "total: see the notes)."
            )
        for note in self.notes:
            lines.append(f"Note: {note}")
        for flag in self.flags[:max_errors]:
            lines.append(f"Flag {flag.get('date', '')}: {flag.get('reason', '')}")
        if len(self.flags) > max_errors:
            lines.append(f"... and {len(self.flags) - max_errors} more flags.")
        for key, value in self.choices.items():
            lines.append(f"Choice: {key} = {choice_text(value)}")
        for issue in self.errors[:max_errors]:
            col = f", column {issue.column!r}" if issue.column else ""
            val = f" (value {issue.value!r})" if issue.value not in (None, "") else ""
            lines.append(f"{issue.where()}{col}: {issue.reason}{val}")
        if len(self.errors) > max_errors:
            lines.append(f"... and {len(self.errors) - max_errors} more reasons.")
        for dup in self.duplicate_rows[:max_errors]:
            into = f"row {dup.kept_row}" if dup.kept_row is not None else "another table"
            diff = f"; differing: {', '.join(dup.differences)}" if dup.differences else ""
            lines.append(f"Row {dup.row}: merged into {into} ({dup.rule}, key {dup.key!r}){diff}")
        if len(self.duplicate_rows) > max_errors:
            lines.append(f"... and {len(self.duplicate_rows) - max_errors} more duplicates.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    @classmethod
    def combine(
        cls, reports: Iterable[IngestReport], source: str, format: str = "combined"
    ) -> IngestReport:
        """Add up several reports (rows keep the numbering of their own source)."""
        out = cls(source=source, format=format)
        for rep in reports:
            out.rows_read += rep.rows_read
            out.accepted += rep.accepted
            out.rejected += rep.rejected
            out.duplicates += rep.duplicates
            out.filtered += rep.filtered
            out.errors.extend(rep.errors)
            out.duplicate_rows.extend(rep.duplicate_rows)
            out.notes.extend(f"{rep.source}: {n}" for n in rep.notes)
            out.choices.update(rep.choices)
            out.flags.extend(rep.flags)
            if rep.days_not_reported is not None:
                out.days_not_reported = (out.days_not_reported or 0) + rep.days_not_reported
        return out

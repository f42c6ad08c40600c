"""Exception and warning types raised by :mod:`trends`.

Every error that concerns input data carries the file, row and column it is about, so that a
message can be acted on without a debugger. Row numbers are 1-based *data* rows: row 1 is the first
line after the header, which is what a spreadsheet user sees as line 2.
"""

from __future__ import annotations

__all__ = [
    "TrendsError",
    "InputError",
    "FileReadError",
    "SchemaError",
    "MissingColumnsError",
    "RowValidationError",
    "EventError",
    "EventFileError",
    "ModelError",
    "InsufficientDataError",
    "ConvergenceError",
    "SimulationError",
    "NoChartError",
    "TrendsWarning",
    "DataQualityWarning",
    "ModelWarning",
]


class TrendsError(Exception):
    """Base class of every error raised on purpose by :mod:`trends`."""


class InputError(TrendsError, ValueError):
    """Bad input data.

    Parameters
    ----------
    message : str
        What is wrong, in plain language.
    path : str, optional
        The file concerned.
    row : int, optional
        1-based data row (the first row after the header is row 1).
    column : str, optional
        The column concerned.
    line : int, optional
        The physical line of the file (or spreadsheet row) where that row starts, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.row = row
        self.column = column
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path:
            where.append(str(self.path))
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (line {self.line})" if self.line else ""))
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FileReadError(InputError):
    """The file cannot be read at all (missing, empty, undecodable, not a table)."""


class SchemaError(InputError):
    """The table does not have the shape the reader needs."""


class MissingColumnsError(SchemaError):
    """Required columns are absent.

    Attributes
    ----------
    missing : list of str
        The required columns that were not found.
    suggestions : dict
        For each missing column, the closest column names that are present.
    """

    def __init__(
        self,
        missing: list[str],
        suggestions: dict[str, list[str]],
        *,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.missing = list(missing)
        self.suggestions = dict(suggestions)
        parts = []
        for name in self.missing:
            close = self.suggestions.get(name) or []
            guess = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            parts.append(f"{name!r}{guess}")
        noun = "column" if len(parts) == 1 else "columns"
        message = f"missing required {noun}: {', '.join(parts)}"
        if hint:
            message += f". {hint}"
        super().__init__(message, path=path)


class RowValidationError(InputError):
    """Raised in strict mode for the first row that fails validation."""


class EventError(TrendsError, ValueError):
    """A reference event, timeline or claim is malformed or cannot be resolved."""


class ModelError(TrendsError):
    """A model cannot be fitted as asked."""


class InsufficientDataError(ModelError, ValueError):
    """The data cannot support the model (too few events, all zeros, too short a window)."""


class ConvergenceError(ModelError, RuntimeError):
    """An iterative fit did not converge."""


class NoChartError(TrendsError, NotImplementedError):
    """A result has no chart: its type holds text or nothing to draw (``result.plot()``).

    A :class:`NotImplementedError` too, which is what ``plot()`` raised before this class
    existed. Read such a result with ``report()``, ``summary()`` or ``to_dict()``.

    Attributes
    ----------
    result_type : str
        Name of the result's class.
    """

    def __init__(self, message: str, *, result_type: str = "") -> None:
        self.result_type = result_type
        super().__init__(message)


class TrendsWarning(UserWarning):
    """Base class of warnings issued by :mod:`trends`."""


class DataQualityWarning(TrendsWarning):
    """Something in the data deserves attention but does not stop the analysis."""


class ModelWarning(TrendsWarning):
    """A fitted model is fragile (overdispersion, autocorrelation, small counts...)."""


class SimulationError(TrendsError, ValueError):
    """The parameters of a simulation (:mod:`trends.simulate`) are invalid or inconsistent."""


class EventFileError(InputError, EventError):
    """A row of a reference-event or claims file is malformed (file, row and column given).

    Catchable both as :class:`InputError` (bad input data) and as :class:`EventError`.

    Attributes
    ----------
    issues : list
        Every problem found in the file (:class:`trends.ingest.report.RowIssue`), of which the
        error's own row and column are the first.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        issues: list | None = None,
        line: int | None = None,
    ) -> None:
        self.issues = list(issues or [])
        super().__init__(message, path=path, row=row, column=column, line=line)


class UnknownModelComponentError(ModelError, ValueError):
    """A name that is not in one of the model registries (family, covariance, change-point cost).

    Attributes
    ----------
    kind : str
        What was looked up ("family", "covariance estimator", "change-point cost"...).
    name : str
        The name given.
    choices : list of str
        The registered names.
    suggestions : list of str
        The registered names closest to ``name``.
    """

    def __init__(self, kind: str, name: object, choices: list[str], suggestions: list[str]) -> None:
        self.kind = kind
        self.name = str(name)
        self.choices = list(choices)
        self.suggestions = list(suggestions)
        guess = (
            f" (did you mean {' or '.join(repr(c) for c in self.suggestions)}?)"
            if self.suggestions
            else ""
        )
        super().__init__(f"unknown {kind} {name!r}{guess}; use one of {', '.join(self.choices)}")


class NotIdentifiedError(ModelError, ValueError):
    """The model's parameters are not identified by the data (e.g. a rank-deficient design)."""


class WrongTableError(InputError):
    """A function was given a table of another shape than it analyses (e.g. tallies, not incidents).

    Attributes
    ----------
    kind : str
        What the table looks like ("tallies", "counts", "unknown"...).
    expected : str
        What the function needs.
    """

    def __init__(self, message: str, *, kind: str = "unknown", expected: str = "") -> None:
        self.kind = kind
        self.expected = expected
        super().__init__(message)

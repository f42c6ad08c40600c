"""The output contract: ``results.json`` and its JSON Schema, from one declaration.

The pydantic (v2) models below *are* the contract. :func:`results_payload` passes an analysis'
serialisation through them (:meth:`Results.model_validate` in strict mode, then
``model_dump(mode="json")``), and :func:`results_schema` is their
:meth:`~pydantic.BaseModel.model_json_schema`; the committed
``trends/schemas/results.schema.json`` is that output (a test checks they are equal, and
``python -m trends.report.contract`` rewrites the file). Validation of a decoded payload uses
:mod:`jsonschema` against the same schema (:func:`schema_errors`).

Why pydantic rather than dataclasses with a generator: the schema generator, strict validation
with located errors, ``$defs``/``$ref`` handling and JSON-mode serialisation are what a
hand-written generator would have to re-implement (the checker it replaces was 100 lines of
that); pydantic models are plain typed classes, so a reader sees every field, its type and its
meaning in one place. Keys that are not declared (diagnostics, settings, new fields of a model)
are allowed and kept, as before: the contract fixes what consumers rely on, not everything.

The enums that depend on registries are read when the schema is generated and checked when a
payload is validated: the count family from :data:`trends.models.families.FAMILIES`. Outcome
keys are the registered outcomes (:data:`trends.analysis.OUTCOMES`) for incident data and the
measure names of a tallies or counts series otherwise (each outcome's ``label`` says what it
counts, in the data's words).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal

import jsonschema
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import core_schema

from trends.config import FREQS
from trends.errors import TrendsError
from trends.models.families import family_names
from trends.results import to_jsonable
from trends.verdicts import bottom_lines_from_analysis

__all__ = [
    "SCHEMA_FILE",
    "VERSION",
    "VERDICTS",
    "Results",
    "results_schema",
    "load_schema",
    "results_payload",
    "schema_errors",
    "validate_results",
    "source_text",
    "write_schema",
    "schema_text",
    "bottom_line_of",
]


def _package_version() -> str:
    try:
        return metadata.version("trends")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source tree not installed
        return "unknown"


#: Version of the installed package (``generated_by.version``).
VERSION = _package_version()

#: Where the JSON Schema of ``results.json`` lives (package data).
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "results.schema.json"

#: Three-valued verdicts of :func:`trends.models.claims.check_claims` (``verdict`` column).
VERDICTS = ("supported", "not supported", "undetermined", "not checked", "not checkable")

_SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"


class _Registered:
    """A string whose allowed values are a registry's names, read when they are needed."""

    def __init__(self, names: Callable[[], Sequence[str]], what: str) -> None:
        self.names = names
        self.what = what

    def _check(self, value: str) -> str:
        allowed = tuple(self.names())
        if value not in allowed:
            raise ValueError(f"{value!r} is not a registered {self.what} ({', '.join(allowed)})")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(str))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {"enum": list(self.names())}


Family = Annotated[str, _Registered(family_names, "family")]
#: An outcome: a registered one (:data:`trends.analysis.OUTCOMES`) for incident data, or the
#: measure name of a tallies or counts series (``new_killed``, ``killed``...).
OutcomeName = Annotated[str, StringConstraints(min_length=1)]
Day = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
Count = Annotated[int, Field(ge=0)]
Number = float | None
#: A count: an integer when whole (a share of a multi-day incident spread over its days may make
#: a window's sum fractional).
Count = int | float | None


class _Open(BaseModel):
    """A JSON object whose undeclared keys are allowed and kept."""

    model_config = ConfigDict(extra="allow", strict=True)


class GeneratedBy(_Open):
    """Which program wrote the file."""

    package: Literal["trends"]
    version: Annotated[str, Field(min_length=1)]


class RejectedRow(_Open):
    """A rejected input row: where it is and why (one entry per reason)."""

    row: Count
    line: Count | None = None
    column: str | None = None
    reason: str
    value: str | None = None


class DuplicateRow(_Open):
    """An input row merged into another one as a duplicate."""

    row: Count
    kept_row: Count | None = None
    key: str
    rule: str
    differences: list[str] = Field(default_factory=list)


#: A reader's choice: text, a number, null (no value, e.g. no label for a daily series), a
#: list of names or a mapping (``measures``: their column to our measure).
ChoiceValue = str | int | float | bool | None | list[str] | dict[str, str]


class DataSection(_Open):
    """Row accounting of the data file (the reader's ingest report), with every rejected row
    and every merged duplicate, and the reader's documented choices."""

    rows_read: Count
    accepted: Count
    rejected: Count
    duplicates: Count
    filtered: Count = 0
    source: str | None = None
    notes: list[str] = Field(default_factory=list)
    rejected_rows: list[RejectedRow] = Field(default_factory=list)
    duplicate_rows: list[DuplicateRow] = Field(default_factory=list)
    choices: dict[str, ChoiceValue] = Field(default_factory=dict)


class Window(_Open):
    """The analysis window (both days included) and the period."""

    start: Day
    end: Day
    freq: Literal[FREQS]  # type: ignore[valid-type]


class Intervention(_Open):
    """The event whose effect is asked about; ``date`` is its first day *after*."""

    id: str | None
    name: str | None = None
    date: Day


class Interval(_Open):
    """An estimate with its 95% interval (null when it could not be estimated)."""

    estimate: Number
    ci_low: Number
    ci_high: Number


class RateRatio(Interval):
    """The two-phase rate ratio after/before and how it was computed."""

    method: str | None


class QuotedRatio(Interval):
    """The two-phase rate ratio as the bottom line and the report quote it: which interval leads
    (``source``), the outcome key it comes from (``key``) and why it leads (``reason``)."""

    source: Literal["dependence-aware", "exact"]
    key: Literal["rate_ratio", "rate_ratio_negbin"]
    reason: str


class ITS(_Open):
    """The interrupted time series' level and slope changes (rate ratios)."""

    family: Family
    level_change_rr: Interval | None
    slope_change_rr: Interval | None
    se_type: str | None


class ChangePoint(_Open):
    """The change nearest the intervention, found without being told its date."""

    date: Day | None
    ci_low: Day | None
    ci_high: Day | None
    n_changes: Annotated[int, Field(ge=0)] | None = None


class Placebo(_Open):
    """In-time placebo test of the level change."""

    p_value: Annotated[float, Field(ge=0, le=1)] | None
    n_placebos: Annotated[int, Field(ge=0)] | None


class DateRun(_Open):
    """A run of consecutive dates of a change-date set."""

    first: Day
    last: Day
    n_dates: Annotated[int, Field(ge=1)]


class ChangeDates(_Open):
    """The simulation-calibrated set of possible start dates of a single change."""

    first: Day
    last: Day
    size: Annotated[int, Field(ge=1)]
    share: Annotated[float, Field(gt=0, le=1)]
    uninformative: bool
    most_likely: Day
    level: Annotated[float, Field(gt=0, lt=1)]
    runs: list[DateRun]


class PreTrend(_Open):
    """Whether the period before the intervention is described by the ITS's straight-line trend."""

    tested: bool
    reason: str | None = None
    well_described: bool | None
    p_value: Annotated[float, Field(ge=0, le=1)] | None
    level: Annotated[float, Field(gt=0, lt=1)]
    degree: Annotated[int, Field(ge=0)]
    method: str | None = None
    level_change_curved: Interval | None = None


_ESTIMATES = ("rate_before", "rate_after", "rate_ratio", "its", "changepoint", "placebo")


class Outcome(_Open):
    """Every estimate for one outcome; one that could not be made is null (see ``problems``)."""

    label: str
    problems: list[str]
    rate_before: Number
    rate_after: Number
    rate_ratio: RateRatio | None
    rate_ratio_quoted: QuotedRatio | None = None
    its: ITS | None
    changepoint: ChangePoint | None
    placebo: Placebo | None
    pre_trend: PreTrend | None = None
    change_date_set: ChangeDates | None = None

    @model_validator(mode="before")
    @classmethod
    def _absent_estimates_are_null(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {**{k: None for k in _ESTIMATES}, **data}
        return data


class Observed(_Open):
    """The data's low, best and high figures over a claim's window and scope."""

    low: Count
    best: Count
    high: Count


class Claim(_Open):
    """One published claim and its verdict against the data."""

    claim_id: str | None = None
    as_of: Day | None
    window_start: Day | None
    window_end: Day | None
    quantity: str | None = None
    value: Count
    qualifier: str | None
    observed: Observed
    verdict: Literal[VERDICTS]  # type: ignore[valid-type]
    reason: str | None = None


class Results(_Open):
    """results.json written by `trends report`: every number of the report, machine-readable.

    Dates are ISO calendar days (YYYY-MM-DD); numbers that could not be estimated are null.
    Keys not listed here may appear (diagnostics, settings, bottom_line) and are allowed.
    """

    model_config = ConfigDict(
        title="trends report results",
        json_schema_extra={"$schema": _SCHEMA_URL},
    )

    generated_by: GeneratedBy
    data: DataSection | None
    window: Window
    intervention: Intervention
    family: Family
    outcomes: Annotated[dict[OutcomeName, Outcome], Field(min_length=1)]
    claims: list[Claim]
    caveats: list[str]


def results_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``results.json``, generated from :class:`Results`."""
    schema = Results.model_json_schema()
    return {"$schema": schema.pop("$schema"), **schema}


def schema_text() -> str:
    """:func:`results_schema` as the text of the committed file."""
    return json.dumps(results_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: str | Path = SCHEMA_FILE) -> Path:
    """Write :func:`results_schema` to ``path`` (the committed file by default)."""
    path = Path(path)
    path.write_text(schema_text(), encoding="utf-8")
    return path


def load_schema() -> dict[str, Any]:
    """The JSON Schema of ``results.json`` (generated: the registries as they are now)."""
    return results_schema()


def schema_errors(payload: Any, schema: Mapping[str, Any] | None = None) -> list[str]:
    """Every way ``payload`` departs from the results schema (empty list: valid).

    Parameters
    ----------
    payload : object
        Decoded JSON.
    schema : mapping, optional
        Default: :func:`results_schema`.

    Returns
    -------
    list of str
        ``"<path>: <message>"`` for each problem, the path written ``a/b/0``.
    """
    validator = jsonschema.Draft202012Validator(results_schema() if schema is None else schema)
    out = []
    for err in sorted(validator.iter_errors(payload), key=lambda e: list(map(str, e.path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message}")
    return out


def validate_results(payload: Any) -> None:
    """Raise :class:`~trends.errors.TrendsError` when ``payload`` does not match the schema."""
    errors = schema_errors(payload)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise TrendsError(f"results do not match {SCHEMA_FILE.name}: {errors[0]}{more}")


def source_text(source: Any) -> str | None:
    """The data source without anything that depends on where the run happens."""
    if source is None:
        return None
    text = str(source)
    path = Path(text)
    if not path.is_absolute():
        return text
    pkg = Path(__file__).resolve().parents[1]
    for base in (pkg / "_bundled", pkg.parent / "data"):
        try:
            return f"{path.resolve().relative_to(base.resolve()).as_posix()} (bundled with trends)"
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def bottom_line_of(analysis: Any) -> Any:
    """The analysis' bottom lines: the ones it carries, else derived by :mod:`trends.verdicts`.

    Returns
    -------
    BottomLines or None
        None when they cannot be derived (the report then has no bottom-line section).
    """
    carried = getattr(analysis, "bottom_line", None)
    if carried is not None:
        return carried
    try:
        return bottom_lines_from_analysis(analysis)
    except (TrendsError, KeyError, TypeError, ValueError, AttributeError):
        return None


def results_payload(analysis: Any, *, bottom_line: Any = None) -> dict[str, Any]:
    """The ``results.json`` payload of an analysis (JSON-safe, deterministic).

    The analysis' serialisation (:meth:`CeasefireAnalysis.to_dict`), with ``generated_by``,
    the data source written without the absolute path of the run, and the bottom line when the
    analysis carries one, passed through :class:`Results` (estimates that could not be made
    present as null).

    Parameters
    ----------
    analysis : CeasefireAnalysis
    bottom_line : BottomLines, optional
        Default :func:`bottom_line_of` the analysis.

    Raises
    ------
    TrendsError
        The serialisation does not match the contract (a bug: please report it).
    """
    raw = analysis.to_dict()
    if isinstance(raw.get("data"), dict) and "source" in raw["data"]:
        raw["data"]["source"] = source_text(raw["data"]["source"])
    ingest = getattr(analysis, "ingest", None)
    flags = getattr(ingest, "flags", None)
    if isinstance(raw.get("data"), dict) and flags and "flags" not in raw["data"]:
        raw["data"]["flags"] = [dict(f) for f in flags]  # data-quality flags of the reader
    if isinstance(raw.get("data"), dict) and ingest is not None:
        raw["data"].setdefault("rejected_rows", [e.to_dict() for e in ingest.errors])
        raw["data"].setdefault("duplicate_rows", [d.to_dict() for d in ingest.duplicate_rows])
        raw["data"].setdefault(
            "choices", to_jsonable({str(k): v for k, v in ingest.choices.items()})
        )
    bottom = bottom_line if bottom_line is not None else bottom_line_of(analysis)
    if bottom is not None and "bottom_line" not in raw:
        raw["bottom_line"] = bottom.to_dict()
    raw = {"generated_by": {"package": "trends", "version": VERSION}, **raw}
    try:
        model = Results.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "(root)"
        raise TrendsError(
            f"results do not match {SCHEMA_FILE.name}: {where}: {first['msg']}"
        ) from None
    return model.model_dump(mode="json")


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_schema()}")

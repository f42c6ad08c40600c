"""From options to files: what ``trends report`` and ``trends claims`` run.

:func:`load_inputs` reads what a :class:`~trends.config.ReportConfig` points to (the bundled
case's files and policy when no data are given; any source of :data:`trends.sources.SOURCES`
otherwise), :func:`run_analysis` runs :func:`trends.analysis.analyse_ceasefire` as the config says,
and :func:`run_report` does both and writes the report (:func:`trends.report.writer.write_report`).

Sources
-------
An incident table (``incidents``, ``acled``, ``ucdp``) is analysed as incidents (attacks, civilian
deaths...). A tallies or counts file becomes a :class:`~trends.series.CountSeries` through the
registry, whose measures are named in words as the data name them ("killed", "new cases"; the
source, the ``source`` option or else the file's name, is credited once): no attacks or civilian
deaths are invented. Claims are then checked against the series' daily counts
(:func:`check_claims_on_series`): a claim about deaths against the series' killed figures, a
claim about a quantity the series does not count is *not checkable* with that reason, and a
weekly or monthly series without days cannot check a claim's days at all (the report says so).

The events and claims files are read in the encoding of ``events_encoding`` and
``claims_encoding`` when given, else of ``encoding`` (``--encoding`` applies to every text file
a command reads), else UTF-8 (:func:`text_encoding`).

Window
------
``start``/``end`` when given; with the bundled case its own window; with your own timeline
(``events``) the one regime around the intervention (:func:`trends.regimes.default_window`: the
choice and the events passed over are in ``analysis.settings["default_window"]``, which the report
states); otherwise the data's first and last day.
"""

from __future__ import annotations

import difflib
import inspect
import shlex
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from trends.analysis import OUTCOMES, analyse_ceasefire
from trends.analysis.series_claims import check_claims_on_series, claim_measures
from trends.cases import idlib_2019
from trends.config import READ_OPTIONS
from trends.datasets import bundled_path, load_claims_table, load_idlib_2019
from trends.errors import EventError, InputError
from trends.events import (
    ReferenceEvent,
    Timeline,
    claims_frame,
    date_event,
    parse_date_text,
)
from trends.ingest import normalise_name
from trends.models.claims import check_claims
from trends.models.families import family_names
from trends.models.spec import INFERENCE_METHODS, TWO_PHASE_OF_INFERENCE
from trends.regimes import WindowChoice, default_window
from trends.report.drawing import n_jobs
from trends.report.writer import Progress, check_out_folder, write_report
from trends.series import CountSeries
from trends.sources import SOURCES, Source, get_source, refuse_no_rows

__all__ = [
    "ReportInputs",
    "load_inputs",
    "run_analysis",
    "check_claims_for",
    "check_claims_on_series",
    "claim_measures",
    "run_report",
    "text_encoding",
    "validate_command",
]

_FREQ_WORDS = {"d": "D", "day": "D", "daily": "D", "w": "W", "week": "W", "weekly": "W",
               "m": "M", "month": "M", "monthly": "M"}  # fmt: skip

#: Claim quantity -> names (normalised) of a series measure that counts it.


@dataclass
class ReportInputs:
    """Everything read before the analysis: incidents, their ingest report, events, claims.

    Attributes
    ----------
    incidents : DataFrame or None
        Canonical incident table, filtered to the theatre (None for a tallies or counts file).
    ingest : IngestReport
        Row accounting of the incident file.
    timeline : Timeline or None
        Reference events (the bundled case's timeline with the bundled data).
    claims : DataFrame or None
        Claims table (one row per claim, ``claim_id`` column), or None.
    scopes : mapping or None
        Claim scopes for :func:`trends.models.claims.check_claims` (None: every claim is
        checked against every incident).
    source_label : str
        Source credit.
    place : str or None
        Where the data are from, for titles.
    case : module or None
        The bundled case's policy (:mod:`trends.cases.idlib_2019`), None with your own data.
    series : CountSeries or None
        The count series of a tallies or counts file (None for incidents: the analysis
        aggregates them).
    own_timeline : bool
        Whether the timeline is the user's (``events`` given): the default window then follows
        it.
    notes : list of str
        What was chosen on the way (how claims were checked against a series...).
    """

    incidents: pd.DataFrame | None
    ingest: Any
    timeline: Any
    claims: pd.DataFrame | None
    scopes: Mapping | None
    source_label: str
    place: str | None
    case: Any = None
    series: CountSeries | None = None
    own_timeline: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def data(self) -> CountSeries | pd.DataFrame:
        """What the analysis is given: the series, else the incident table."""
        return self.series if self.series is not None else self.incidents

    @property
    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The data's first and last day."""
        if self.series is not None:
            return self.series.start, self.series.end
        dates = pd.to_datetime(self.incidents["date"])
        return dates.min().normalize(), dates.max().normalize()


def _choose(value: str, allowed: Sequence[str], what: str) -> str:
    if value in allowed:
        return value
    close = difflib.get_close_matches(str(value), list(allowed), n=2, cutoff=0.5)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    raise InputError(f"unknown {what} {value!r}{hint}; choose one of {', '.join(allowed)}")


def _check_options(config: Any) -> Any:
    """The config with its period normalised, after checking the simple options."""
    if config.data is not None:
        _choose(config.format, list(SOURCES), "format")
    freq = _FREQ_WORDS.get(str(config.freq).strip().lower())
    if freq is None:
        raise InputError(
            f"unknown freq {config.freq!r}; choose one of D (day), W (week), M (month)"
        )
    _choose(config.family, family_names(), "family")
    _choose(config.inference, ["auto", *INFERENCE_METHODS], "inference")
    _choose(config.theatre, idlib_2019.THEATRES, "theatre")
    if config.outcome is not None:
        if not config.outcome:
            raise InputError("give at least one outcome")
        if len(set(config.outcome)) != len(config.outcome):
            raise InputError(f"an outcome is given twice: {config.outcome}")
        if config.incident_data:
            for o in config.outcome:
                _choose(o, list(OUTCOMES), "outcome")
    if not config.incident_data and config.theatre != "all":
        raise InputError(
            f"--theatre applies to incident tables, not to a {config.format} file (it has no "
            "place column to filter)"
        )
    config.freq = freq
    return config


def _reader_options(source: Source, config: Any) -> dict[str, Any]:
    """The config's reading options, checked against what the source's reader takes."""
    given = config.read_options()
    accepted = inspect.signature(source.read_function()).parameters
    unknown = [k for k in given if k not in accepted]
    if unknown:
        names = ", ".join("--" + k.replace("_", "-") for k in unknown)
        raise InputError(
            f"{names} does not apply to --format {source.name} (its reader does not take it)"
        )
    return given


def validate_command(config: Any) -> str:
    """The ``trends validate`` command that reads ``config.data`` as the run did: its format
    and every reading option given (``--columns``, ``--encoding``, ``--region``...), so that a
    hint to run it leads to the same rows, not to another error.

    Parameters
    ----------
    config : ReportConfig
        The options.

    Returns
    -------
    str
        The command, quoted for a POSIX shell.
    """
    words = ["trends", "validate", str(config.data), "--format", str(config.format)]
    for name in READ_OPTIONS:
        value = getattr(config, name, None)
        if value is None or value == {}:
            continue
        if name == "dayfirst":
            words.append("--dayfirst" if value else "--monthfirst")
            continue
        if isinstance(value, Mapping):
            value = ",".join(f"{k}={v}" for k, v in value.items())
        words += [f"--{name.replace('_', '-')}", str(value)]
    return shlex.join(words)


def _read_own_data(config: Any) -> tuple[pd.DataFrame | None, CountSeries | None, Any]:
    """(incident table or None, count series or None, ingest report) of the user's file."""
    source = get_source(config.format)
    table, ingest = source.read(config.data, **_reader_options(source, config))
    refuse_no_rows(
        table, ingest, str(config.data),
        f"; run `{validate_command(config)}` to see every row",
    )  # fmt: skip
    if source.table != "incidents":
        label = config.source or Path(str(config.data)).name
        series = source.to_series(table, ingest, source=label)
        series = replace(series, provenance=replace(series.provenance, file=str(config.data)))
        return None, series, ingest
    if config.theatre != "all":
        table, ingest = idlib_2019.filter_theatre(table, ingest, config.theatre)
        if len(table) == 0:
            raise InputError(f"{config.data}: no incident left after the theatre filter")
    return table, None, ingest


def text_encoding(config: Any, which: str) -> str | None:
    """The text encoding of the ``which`` file (``"events"`` or ``"claims"``).

    Parameters
    ----------
    config : ReportConfig
        The options.
    which : str
        ``"events"`` or ``"claims"``.

    Returns
    -------
    str or None
        Its own option (``events_encoding``, ``claims_encoding``) when given, else
        ``encoding`` (the one of ``--data``), else None (UTF-8).
    """
    return getattr(config, f"{which}_encoding", None) or getattr(config, "encoding", None)


def _read_claims(
    path: Any, timeline: Any, encoding: str | None, thousands: str | None = None
) -> pd.DataFrame:
    """A claims table as :func:`trends.datasets.load_claims_table` reads it, in ``encoding``,
    its values with the data's thousands separator (``--thousands`` applies to both)."""
    if encoding is None and thousands is None:
        return load_claims_table(path, timeline)
    table = claims_frame(
        path, timeline, missing_dates="keep", encoding=encoding, thousands=thousands
    )
    return table.rename(columns={"id": "claim_id"})


def _claims(config: Any, timeline: Any) -> tuple[pd.DataFrame | None, Mapping | None]:
    if config.claims is not None:
        table = _read_claims(
            config.claims,
            timeline,
            text_encoding(config, "claims"),
            getattr(config, "thousands", None),
        )
        scopes = idlib_2019.CLAIM_SCOPES if config.bundled and "region_scope" in table else None
        return table, scopes
    if config.bundled:
        path = bundled_path(idlib_2019.NAME, "claims.csv")
        return load_claims_table(path, timeline), idlib_2019.CLAIM_SCOPES
    return None, None


def load_inputs(config: Any, *, claims: bool = True) -> ReportInputs:
    """Read the incidents, reference events and claims a config points to.

    Parameters
    ----------
    config : ReportConfig
        With defaults applied (:meth:`ReportConfig.with_defaults`).
    claims : bool
        Read the claims too.

    Returns
    -------
    ReportInputs

    Raises
    ------
    InputError, EventError
        Unreadable or unusable files (the message says which and why).
    """
    config = _check_options(config)
    case = series = None
    if config.bundled:
        case = idlib_2019
        bundle = load_idlib_2019(theatre=config.theatre)
        incidents, ingest, timeline = bundle.incidents, bundle.report, bundle.timeline
        source = config.source or case.SOURCE_LABEL
        place = case.place_for(config.theatre)
    else:
        incidents, series, ingest = _read_own_data(config)
        timeline = None
        source = config.source or f"{Path(str(config.data)).name} ({config.format} format)"
        place = None
    if config.events is not None:
        with _own_encoding_option("--events-encoding"):
            timeline = Timeline.from_csv(config.events, encoding=text_encoding(config, "events"))
    with _own_encoding_option("--claims-encoding"):
        table, scopes = _claims(config, timeline) if claims else (None, None)
    return ReportInputs(
        incidents, ingest, timeline, table, scopes, source, place, case, series,
        own_timeline=config.events is not None and not config.bundled,
    )  # fmt: skip


@contextmanager
def _own_encoding_option(option: str) -> Iterator[None]:
    """An encoding problem of the events or claims file advises that file's own option
    (``--claims-encoding cp1252``): ``--encoding`` would also change how the data are read."""
    try:
        yield
    except InputError as exc:
        if "--encoding " in exc.message:
            exc.message = exc.message.replace("--encoding ", f"{option} ")
            exc.args = (str(exc.args[0]).replace("--encoding ", f"{option} "), *exc.args[1:])
        raise


def _resolve_date(
    text: str, timeline: Any, what: str, exact: bool = False, dayfirst: bool | None = None
) -> pd.Timestamp:
    """An event id or a date of the command line; ``exact`` keeps a time of day given with it
    (the intervention's "2023-06-15 18:30"), else the calendar day.

    Dates are read by :func:`trends.events.parse_date_text` (the one reading of every date
    option): ISO ``YYYY-MM-DD``, or day/month numbers only in the order ``dayfirst`` gives
    (``--dayfirst`` / ``--monthfirst``) or the value itself settles; never guessed.
    """
    which = "start" if exact else "day"
    try:
        if timeline is not None:
            return timeline.resolve(text, which=which, dayfirst=dayfirst)
        ts = parse_date_text(text, dayfirst)
    except EventError as exc:
        raise InputError(f"{what}: {exc}") from None
    if ts is None:
        raise InputError(
            f"{what}: {text!r} is neither an event id nor a date (YYYY-MM-DD)"
        ) from None
    return ts if exact else ts.normalize()


def _window(
    config: Any, inputs: ReportInputs, intervention: Any
) -> tuple[pd.Timestamp, pd.Timestamp, WindowChoice | None]:
    """The window: as given, else the one regime of the user's timeline, else the data's span."""
    tl = inputs.timeline
    first, last = inputs.span
    choice = None
    if inputs.own_timeline and (not config.start or not config.end):
        event = intervention
        if not isinstance(event, ReferenceEvent):
            event = ReferenceEvent("intervention", "the intervention", "other", intervention)
        choice = default_window(tl, event, first, last)
        first, last = choice.start, choice.end
    order = config.dayfirst
    start = _resolve_date(config.start, tl, "--start", dayfirst=order) if config.start else first
    end = _resolve_date(config.end, tl, "--end", dayfirst=order) if config.end else last
    return start, end, choice


def _outcomes(config: Any, inputs: ReportInputs) -> tuple[str, ...] | None:
    """The outcomes asked for; a tallies or counts measure may be named by its words."""
    if config.outcome is None:
        return None
    if inputs.series is None:
        return tuple(config.outcome)
    series, out = inputs.series, []
    for name in config.outcome:
        if name in series.counts or name in OUTCOMES:
            out.append(name)
            continue
        key = normalise_name(name)
        found = [m for m in series.counts
                 if key in (normalise_name(m), normalise_name(m).removeprefix("new_"),
                            normalise_name(series.label(m).split(" (")[0]))]  # fmt: skip
        if len(found) != 1:
            have = ", ".join(
                m if series.label(m) == m else f"{m} ({series.label(m)})" for m in series.counts
            )
            raise InputError(f"unknown outcome {name!r}; the data's measures are {have}")
        out.append(found[0])
    return tuple(out)


def run_analysis(config: Any, inputs: ReportInputs, jobs: int | None = None) -> Any:
    """Run :func:`trends.analysis.analyse_ceasefire` as a config says.

    The outcomes are analysed in parallel worker processes when ``jobs`` (default: the rule of
    :func:`trends.report.drawing.n_jobs`, the one the charts use) allows more than one; each
    outcome has its own seed, so the results do not depend on it.

    With a tallies or counts series, the claims (if any) are checked against its daily counts
    (:func:`check_claims_on_series`). With the user's own timeline and no ``start``/``end``, the
    window is :func:`trends.regimes.default_window`'s, recorded with its reasons in
    ``analysis.settings["default_window"]``.

    Raises
    ------
    InputError
        No intervention given for your own data, an unknown event id (close ids are
        suggested), a date that cannot be read, or an intervention outside the window.
    """
    if config.intervention is None:
        raise InputError(
            "give --intervention (an event id of the reference events, or a date YYYY-MM-DD): "
            "with your own data there is no default"
        )
    tl = inputs.timeline
    if tl is not None and config.intervention in tl:
        intervention = tl[config.intervention]
    else:
        intervention = _resolve_date(
            config.intervention, tl, "--intervention", exact=True, dayfirst=config.dayfirst
        )
        if intervention != intervention.normalize():  # a time of day: the mixed-day rule
            intervention = date_event(intervention)
    start, end, choice = _window(config, inputs, intervention)
    day = pd.Timestamp(getattr(intervention, "start", intervention)).normalize()
    if end <= start:
        raise InputError(f"the window ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})")
    if not (start < day <= end):
        which = f"the intervention ({day:%Y-%m-%d})"
        if tl is not None and config.intervention in tl:
            src = getattr(tl, "source", None)
            which = f"the intervention {config.intervention!r} ({day:%Y-%m-%d}" + (
                f", from {src})" if isinstance(src, str) and src else ")"
            )
        raise InputError(
            f"{which} is outside the window {start:%Y-%m-%d} to {end:%Y-%m-%d}: it must fall "
            "after the first day and on or before the last"
        )
    incidents = inputs.series is None
    freq = config.freq
    if not incidents and config.is_default("freq"):
        freq = None  # the series' own period (a weekly file is analysed per week)
    elif not incidents and freq == "D" and inputs.series.rule.key != "D":
        raise InputError(
            f"--freq D: the data are counts per {inputs.series.unit}, so their days are not "
            f"known; analyse them per {inputs.series.unit} (leave out --freq)"
        )
    analysis = analyse_ceasefire(
        inputs.data, intervention, start=start, end=end, timeline=tl,
        claims=inputs.claims, claim_scopes=inputs.scopes,
        outcomes=_outcomes(config, inputs), freq=freq, family=config.family,
        ingest=inputs.ingest, inference=config.inference,
        two_phase=TWO_PHASE_OF_INFERENCE.get(config.inference, config.inference),
        n_jobs=n_jobs(jobs, len(OUTCOMES)),
    )  # fmt: skip
    if choice is not None:
        analysis.settings["default_window"] = {**choice.to_dict(), "reasons": choice.reasons()}
    if not config.bundled:
        analysis.settings["source"] = {"format": config.format, **config.read_options()}
    return analysis


def check_claims_for(inputs: ReportInputs) -> Any:
    """Check the claims of ``inputs`` against its incidents or its series (:class:`ClaimsCheck`).

    Raises
    ------
    InputError
        No claims, or claims that cannot be checked against a weekly or monthly series.
    """
    if inputs.claims is None:
        raise InputError("no claims to check: give --claims FILE")
    if inputs.series is not None:
        check, notes = check_claims_on_series(
            inputs.claims, inputs.series, timeline=inputs.timeline
        )
        inputs.notes.extend(notes)
        if check is None:
            raise InputError(notes[0])
        return check
    return check_claims(
        inputs.claims, inputs.incidents, timeline=inputs.timeline, scopes=inputs.scopes
    )


def run_report(config: Any, *, progress: Progress | None = None, jobs: int | None = None):
    """Everything ``trends report`` does: read, analyse, write. Returns ``(analysis, files)``.

    Parameters
    ----------
    config : ReportConfig
        Options (defaults are applied here).
    progress : callable, optional
        ``progress(description, completed, total)``; the reading and fitting steps are reported
        with ``total=0`` (unknown length).
    jobs : int, optional
        See :func:`trends.report.writer.write_report`.
    """
    config = config.with_defaults()
    out = Path(config.out)
    check_out_folder(out)  # fail before the work, not after
    if progress is not None:
        progress("Reading the data", 0, 0)
    inputs = load_inputs(config)
    if progress is not None:
        progress("Fitting the models", 0, 0)
    analysis = run_analysis(config, inputs, jobs)
    files = write_report(
        analysis, config.out, incidents=inputs.incidents, timeline=inputs.timeline,
        source_label=inputs.source_label, progress=progress, title=config.title, config=config,
        place=inputs.place, jobs=jobs, case=inputs.case,
    )  # fmt: skip
    return analysis, files

"""From options to files: what ``trends report`` and ``trends claims`` run.

:func:`load_inputs` reads what a :class:`~trends.config.ReportConfig` points to (the bundled
case's files and policy when no data are given), :func:`run_analysis` runs
:func:`trends.analysis.analyse_ceasefire` as the config says, and :func:`run_report` does both and
writes the report (:func:`trends.report.writer.write_report`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from trends.analysis import OUTCOMES, analyse_ceasefire
from trends.cases import idlib_2019
from trends.datasets import bundled_path, load_claims_table, load_idlib_2019
from trends.errors import EventError, InputError
from trends.events import Timeline
from trends.ingest.formats import read
from trends.models.claims import check_claims
from trends.models.families import family_names
from trends.report.writer import Progress, write_report

__all__ = ["ReportInputs", "load_inputs", "run_analysis", "check_claims_for", "run_report"]

_FREQ_WORDS = {"d": "D", "day": "D", "daily": "D", "w": "W", "week": "W", "weekly": "W",
               "m": "M", "month": "M", "monthly": "M"}  # fmt: skip
_REPORT_FORMATS = ("incidents", "acled", "ucdp")


@dataclass
class ReportInputs:
    """Everything read before the analysis: incidents, their ingest report, events, claims.

    Attributes
    ----------
    incidents : DataFrame
        Canonical incident table, filtered to the theatre.
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
    """

    incidents: pd.DataFrame
    ingest: Any
    timeline: Any
    claims: pd.DataFrame | None
    scopes: Mapping | None
    source_label: str
    place: str | None
    case: Any = None


def _choose(value: str, allowed: Sequence[str], what: str) -> str:
    if value in allowed:
        return value
    close = difflib.get_close_matches(str(value), list(allowed), n=2, cutoff=0.5)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    raise InputError(f"unknown {what} {value!r}{hint}; choose one of {', '.join(allowed)}")


def _check_options(config: Any) -> Any:
    """The config with its period normalised, after checking the simple options."""
    if config.data is not None:
        _choose(config.format, _REPORT_FORMATS + ("tallies",), "format")
    freq = _FREQ_WORDS.get(str(config.freq).strip().lower())
    if freq is None:
        raise InputError(
            f"unknown freq {config.freq!r}; choose one of D (day), W (week), M (month)"
        )
    _choose(config.family, family_names(), "family")
    _choose(config.theatre, idlib_2019.THEATRES, "theatre")
    if not config.outcome:
        raise InputError("give at least one outcome")
    for o in config.outcome:
        _choose(o, list(OUTCOMES), "outcome")
    if len(set(config.outcome)) != len(config.outcome):
        raise InputError(f"an outcome is given twice: {config.outcome}")
    config.freq = freq
    return config


def _read_own_data(config: Any) -> tuple[pd.DataFrame, Any]:
    if config.format == "tallies":
        raise InputError(
            "the tallies format gives daily totals, not incidents; `trends report` needs an "
            f"incident table: use --format {', '.join(_REPORT_FORMATS)}"
        )
    incidents, ingest = read(config.data, config.format)
    if ingest.accepted == 0 or len(incidents) == 0:
        raise InputError(
            f"{config.data}: no row could be accepted ({ingest.rejected} rejected); run "
            f"`trends validate {config.data} --format {config.format}` to see why"
        )
    if config.theatre != "all":
        incidents, ingest = idlib_2019.filter_theatre(incidents, ingest, config.theatre)
        if len(incidents) == 0:
            raise InputError(f"{config.data}: no incident left after the theatre filter")
    return incidents, ingest


def _claims(config: Any, timeline: Any) -> tuple[pd.DataFrame | None, Mapping | None]:
    if config.claims is not None:
        table = load_claims_table(config.claims, timeline)
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
    case = None
    if config.bundled:
        case = idlib_2019
        bundle = load_idlib_2019(theatre=config.theatre)
        incidents, ingest, timeline = bundle.incidents, bundle.report, bundle.timeline
        source = config.source or case.SOURCE_LABEL
        place = case.place_for(config.theatre)
    else:
        incidents, ingest = _read_own_data(config)
        timeline = None
        source = config.source or f"{Path(str(config.data)).name} ({config.format} format)"
        place = None
    if config.events is not None:
        timeline = Timeline.from_csv(config.events)
    table, scopes = _claims(config, timeline) if claims else (None, None)
    return ReportInputs(incidents, ingest, timeline, table, scopes, source, place, case)


def _resolve_date(text: str, timeline: Any, what: str) -> pd.Timestamp:
    try:
        return timeline.resolve(text) if timeline is not None else pd.Timestamp(text).normalize()
    except EventError as exc:
        raise InputError(f"{what}: {exc}") from None
    except (ValueError, TypeError):
        raise InputError(
            f"{what}: {text!r} is neither an event id nor a date (YYYY-MM-DD)"
        ) from None


def run_analysis(config: Any, inputs: ReportInputs) -> Any:
    """Run :func:`trends.analysis.analyse_ceasefire` as a config says.

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
        intervention = _resolve_date(config.intervention, tl, "--intervention")
    dates = pd.to_datetime(inputs.incidents["date"])
    start = _resolve_date(config.start, tl, "--start") if config.start else dates.min().normalize()
    end = _resolve_date(config.end, tl, "--end") if config.end else dates.max().normalize()
    day = pd.Timestamp(getattr(intervention, "start", intervention)).normalize()
    if end <= start:
        raise InputError(f"the window ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})")
    if not (start < day <= end):
        raise InputError(
            f"the intervention ({day:%Y-%m-%d}) is outside the window {start:%Y-%m-%d} to "
            f"{end:%Y-%m-%d}: it must fall after the first day and on or before the last"
        )
    return analyse_ceasefire(
        inputs.incidents, intervention, start=start, end=end, timeline=tl,
        claims=inputs.claims, claim_scopes=inputs.scopes, outcomes=tuple(config.outcome),
        freq=config.freq, family=config.family, ingest=inputs.ingest,
    )  # fmt: skip


def check_claims_for(inputs: ReportInputs) -> Any:
    """Check the claims of ``inputs`` against its incidents (:class:`ClaimsCheck`)."""
    if inputs.claims is None:
        raise InputError("no claims to check: give --claims FILE")
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
    if out.exists() and not out.is_dir():  # fail before the work, not after
        raise InputError(f"--out {out} is a file, not a folder")
    if progress is not None:
        progress("Reading the data", 0, 0)
    inputs = load_inputs(config)
    if progress is not None:
        progress("Fitting the models", 0, 0)
    analysis = run_analysis(config, inputs)
    files = write_report(
        analysis, config.out, incidents=inputs.incidents, timeline=inputs.timeline,
        source_label=inputs.source_label, progress=progress, title=config.title, config=config,
        place=inputs.place, jobs=jobs, case=inputs.case,
    )  # fmt: skip
    return analysis, files

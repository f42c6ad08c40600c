"""Write a report folder atomically: files, manifest, and what happened to an earlier run's.

:func:`write_report` writes every file into a temporary folder beside ``out_dir`` and moves it
into place only when everything is written, so an interrupted run (Ctrl-C, an error, a full
disk) leaves the previous folder as it was and no half-written file anywhere:

1. the series CSVs, ``results.json`` (checked against its schema), the charts, ``report.md``
   and ``report.html`` are written into ``.<out>.tmp-XXXX`` in the same parent folder;
2. ``manifest.json`` lists every file of the run with its SHA-256 checksum and size, the files
   of an earlier run that this run does not write (removed: a reused folder never mixes two
   runs) and the files in the folder that trends did not write (kept as they were);
3. the old folder is renamed aside, the new one renamed into place, the files that trends did
   not write are moved back in, and the old folder is deleted. Ctrl-C is deferred during these
   few renames.

The folder keeps its permissions (a new one gets ``0o777 & ~umask``, as ``mkdir`` gives), and
an ``out_dir`` that is a symbolic link stays one: the report is written into its target.

A file of an earlier run is one its ``manifest.json`` lists, or (for folders written before
manifests) one whose name is a report output's (:data:`OUTPUT_NAMES`). The report lists both
kinds under "Files".
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from trends.cases import idlib_2019
from trends.errors import InputError, TrendsError
from trends.report.charts import chart_specs, data_kind, intervention_noun
from trends.report.choices import report_choices
from trends.report.context import build_context
from trends.report.contract import VERSION, bottom_line_of, results_payload, validate_results
from trends.report.drawing import draw_all
from trends.report.escape import Prose, prose
from trends.report.render import render_html, render_markdown
from trends.verdicts.words import word_list

__all__ = [
    "write_report",
    "write_folder",
    "Progress",
    "OUTPUT_NAMES",
    "MANIFEST",
    "sha256_of",
    "deferred_interrupt",
    "check_out_folder",
]

#: Progress callback: ``progress(description, completed_steps, total_steps)``.
Progress = Callable[[str, int, int], None]

MANIFEST = "manifest.json"

#: Names of the files a report writes (a folder written before manifests is recognised by them).
OUTPUT_NAMES = re.compile(
    r"^(report\.md|report\.html|results\.json|manifest\.json|series_(daily|weekly|monthly)\.csv|"
    r"(timeline|claims|cumulative_since_ceasefire|its_\w+|changepoints_\w+|placebo_\w+|totals|"
    r"small_multiples_\w+)\.png)$"
)

_CSV_CAPTIONS = {
    "series_daily.csv": "counts per day in the window: every measure of the data (attacks, "
    "civilian deaths low, best and high, child deaths, injured, incidents without a death "
    "figure) and coverage columns.",
    "series_weekly.csv": "the same per ISO week (weeks labelled by their Monday; a partial "
    "first or last week says so in days_covered).",
    "series_monthly.csv": "the analysed series per calendar month (a partial first or last "
    "month says so in days_covered).",
}


def _csv_captions(a: Any, names: list[str]) -> dict[str, str]:
    """What each series CSV holds, in the words of the data."""
    if data_kind(a) == "incidents" and all(n in _CSV_CAPTIONS for n in names):
        return {n: _CSV_CAPTIONS[n] for n in names}
    words = ", ".join(
        oa.label if oa.label == (oa.measure or name) else f"{oa.label} ({oa.measure or name})"
        for name, oa in a.outcomes.items()
    )
    out = {}
    for n in names:
        unit = n.removeprefix("series_").removesuffix(".csv").removesuffix("ly")
        unit = "day" if unit == "dai" else unit
        out[n] = (
            f"counts per {unit} in the window: {words}; days_covered and days_reported say how "
            "many days each period covers and how many were reported (a blank is not reported, "
            "never zero)."
        )
    if "series_weekly.csv" in out and "series_daily.csv" in out:
        out["series_weekly.csv"] = _CSV_CAPTIONS["series_weekly.csv"]
    return out


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------- the folder
def _earlier_run(out: Path) -> tuple[list[str], list[str]]:
    """Files of ``out``: (written by an earlier run of trends, not written by trends)."""
    if not out.is_dir():
        return [], []
    listed: set[str] = set()
    manifest = out / MANIFEST
    if manifest.is_file():
        try:
            listed = {f["name"] for f in json.loads(manifest.read_text("utf-8")).get("files", [])}
        except (ValueError, KeyError, TypeError, AttributeError):
            listed = set()
    ours, foreign = [], []
    for entry in sorted(out.iterdir(), key=lambda p: p.name):
        is_ours = entry.is_file() and (entry.name in listed or OUTPUT_NAMES.match(entry.name))
        (ours if is_ours else foreign).append(entry.name)
    return ours, foreign


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Defer Ctrl-C (SIGINT) for the duration (main thread only); re-raise it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[Any] = []
    previous = signal.signal(signal.SIGINT, lambda *args: caught.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def _umask() -> int:
    """The process' umask (read from /proc on Linux, else set and restored at once)."""
    try:
        for line in Path("/proc/self/status").read_text("ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _folder_mode(out: Path) -> int:
    """The permissions the written folder gets: those of the folder it replaces, else
    ``0o777 & ~umask`` (as ``mkdir`` would), never the temporary folder's 0o700."""
    if out.is_dir():
        return stat.S_IMODE(out.stat().st_mode)
    return 0o777 & ~_umask()


def _target(out_dir: str | Path) -> Path:
    """The folder to write: ``out_dir``, or the folder it points to when it is a symbolic link
    (the link is kept and the report written into its target, atomically as for a folder).

    Raises
    ------
    InputError
        ``out_dir`` is a file, or a symbolic link that cannot be resolved (a loop).
    """
    out = Path(out_dir)
    if out.is_symlink():
        out = Path(os.path.realpath(out))
        if out.is_symlink():
            raise InputError(f"--out {out_dir} is a symbolic link that cannot be resolved")
    check_out_folder(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def check_out_folder(out_dir: str | Path) -> None:
    """Refuse an output folder that is a file, or lies inside one (``--out afile/sub``).

    Parameters
    ----------
    out_dir : str or Path
        The folder asked for.

    Raises
    ------
    InputError
        "--out afile is a file, not a folder" (naming the file, the folder itself or the first
        of its parents that is one), before any work is done.
    """
    out = Path(out_dir)
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            if folder == out:
                raise InputError(f"--out {out_dir} is a file, not a folder")
            raise InputError(
                f"--out {out_dir}: {folder} is a file, not a folder, so nothing can be written "
                "inside it"
            )


def _move_into_place(tmp: Path, out: Path, foreign: list[str]) -> None:
    """Swap ``tmp`` in as ``out`` (Ctrl-C deferred), moving ``foreign`` files back in; the
    folder ends with the permissions of the one it replaces (:func:`_folder_mode`)."""
    mode = _folder_mode(out)
    with deferred_interrupt():
        if not out.exists():
            os.replace(tmp, out)
            os.chmod(out, mode)
            return
        aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
        aside.rmdir()
        os.replace(out, aside)
        os.replace(tmp, out)
        for name in foreign:
            os.replace(aside / name, out / name)
        os.chmod(out, mode)
    shutil.rmtree(aside, ignore_errors=True)


def _write_manifest(folder: Path, names: list[str], removed: list[str], kept: list[str]) -> Path:
    files = [
        {"name": n, "sha256": sha256_of(folder / n), "bytes": (folder / n).stat().st_size}
        for n in sorted(names)
    ]
    payload = {
        "generated_by": {"package": "trends", "version": VERSION},
        "files": files,
        "removed_from_earlier_run": sorted(removed),
        "kept_not_written_by_trends": sorted(kept),
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_folder(
    out_dir: str | Path, fill: Callable[[Path, list[str], list[str]], dict[str, str]]
) -> dict[str, Path]:
    """Write a folder of outputs atomically, with its manifest (the rules of this module).

    Parameters
    ----------
    out_dir : str or Path
        The folder (created, or replaced as a whole; files trends did not write are kept).
    fill : callable
        ``fill(tmp, earlier, kept)`` writes every file into the temporary folder ``tmp`` and
        returns file key -> file name. ``earlier`` lists the files of an earlier run of trends in
        ``out_dir`` and ``kept`` those trends did not write (for the report to say so).

    Returns
    -------
    dict of str to Path
        File key -> path in ``out_dir`` (``"manifest"`` included).

    Raises
    ------
    InputError
        ``out_dir`` is a file (a symbolic link to a folder is written through: see
        :func:`_target`).
    """
    out = _target(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        earlier, kept = _earlier_run(out)
        keys = dict(fill(tmp, earlier, kept))
        names = set(keys.values()) | {MANIFEST}
        removed = [n for n in earlier if n not in names]
        _write_manifest(tmp, list(keys.values()), removed, kept)
        keys["manifest"] = MANIFEST
        _move_into_place(tmp, out, kept)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {key: Path(out_dir) / name for key, name in keys.items()}


# ---------------------------------------------------------------------------------- contents
def _series_tables(a: Any) -> dict[str, pd.DataFrame]:
    """The series CSVs, as the analysis carries them (nothing is counted or summed here).

    Every measure per day (``a.daily``) and per ISO week (``a.weekly``), and the analysed
    series (``a.series``) when it is per month; without days (a weekly or monthly file) the
    analysed periods as published (``a.series``).
    """
    daily = getattr(a, "daily", None)
    if daily is not None:
        out = {"series_daily.csv": daily.to_frame()}
        weekly = getattr(a, "weekly", None)
        if weekly is not None:
            out["series_weekly.csv"] = weekly.to_frame()
        series = getattr(a, "series", None)  # analysed per month: the months too
        if series is not None and series.unit not in ("day", "week"):
            out[f"series_{series.unit}ly.csv"] = series.to_frame()
        return out
    series = getattr(a, "series", None)
    if series is None:
        raise TrendsError("the analysis carries no series to write")
    name = "series_daily.csv" if series.unit == "day" else f"series_{series.unit}ly.csv"
    return {name: series.to_frame()}  # periods as published


def _image_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _file_list(a: Any, written: list[str]) -> list[Prose]:
    """The Files section: every file of ``written`` (the names the manifest lists) but the
    charts, which the Figures section names, each with what it holds."""
    csv_names = [n for n in written if n.startswith("series_") and n.endswith(".csv")]
    files = [
        prose("`report.md`: this report (`report.html`: the same, self-contained, for a browser)."),
        prose(
            "`results.json`: every number of this report, machine-readable; it validates against "
            "the JSON Schema `trends/schemas/results.schema.json` (draft 2020-12), generated from "
            "the declaration in `trends/report/contract.py`, where every field is described. "
            "Dates are YYYY-MM-DD; a number that could not be estimated is null."
        ),
        prose(
            "`manifest.json`: the files of this run with their SHA-256 checksums, and what "
            "happened to files of an earlier run in the folder."
        ),
    ]
    files += [prose("{n!c}: {c}", n=n, c=c) for n, c in _csv_captions(a, csv_names).items()]
    return files


def _housekeeping(removed: list[str], kept: list[str]) -> list[Prose]:
    out = []
    if removed:
        out.append(prose(
            "Files of an earlier run in this folder that this run does not write were removed: "
            "{names}.", names=", ".join(removed),
        ))  # fmt: skip
    if kept:
        out.append(prose(
            "Files in this folder that trends did not write were left as they were: {names}.",
            names=", ".join(kept),
        ))  # fmt: skip
    return out


def _title(a: Any, place: str | None) -> str:
    outcomes = word_list(oa.label for oa in a.outcomes.values())
    where = f" in {place}" if place else ""
    day = pd.Timestamp(a.intervention_date)
    return (
        f"Did the {intervention_noun(a.intervention)} of {day.day} {day:%B %Y} change "
        f"the rate of {outcomes}{where}?"
    )


def _data_span(a: Any) -> tuple | None:
    """The data's first and last day, as the analysis' series records them (None if unknown)."""
    series = getattr(a, "daily", None)
    series = getattr(a, "series", None) if series is None else series
    prov = getattr(series, "provenance", None)
    first, last = getattr(prov, "first_day", None), getattr(prov, "last_day", None)
    return None if first is None or last is None else (first, last)


# ---------------------------------------------------------------------------------- write
def write_report(
    analysis: Any,
    out_dir: str | Path,
    *,
    incidents: pd.DataFrame | None = None,
    timeline: Any = None,
    source_label: str | None = None,
    progress: Progress | None = None,
    title: str | None = None,
    config: Any = None,
    place: str | None = None,
    jobs: int | None = None,
    case: Any = None,
) -> dict[str, Path]:
    """Write the charts, ``report.md``, ``report.html``, ``results.json``, the series CSVs and
    ``manifest.json`` of an analysis, atomically (see the module docstring).

    Parameters
    ----------
    analysis : CeasefireAnalysis
        From :func:`trends.analysis.analyse_ceasefire`.
    out_dir : str or Path
        Output folder (created, or replaced as a whole: see the module docstring).
    incidents : DataFrame, optional
        The incident table behind the analysis (default: the one its series carries); used for
        the per-area chart, the data's first and last day, and the series CSVs when the
        analysis' series lacks some measure.
    timeline : Timeline, optional
        Reference events: drawn on the timeline chart; the report names the events the window
        starts and ends at.
    source_label : str, optional
        Source credit (report and chart footers); default the case's credit, else the data
        file's name.
    progress : callable, optional
        ``progress(description, completed, total)``, called before each step and at the end.
    title : str, optional
        Title of the report (default: the question asked).
    config : ReportConfig, optional
        The options used; the report marks each choice as a default or as set by you.
    place : str, optional
        Where the data are from, for titles.
    jobs : int, optional
        Worker processes drawing the charts (see :func:`trends.report.drawing.n_jobs`).
    case : module, optional
        The bundled case's policy (:mod:`trends.cases.idlib_2019`); default: that case when
        ``config`` analyses the bundled data, else none.

    Returns
    -------
    dict of str to Path
        File key (``"report"``, ``"report_html"``, ``"results"``, ``"manifest"``,
        ``"series_daily"``, ``"series_weekly"`` and the chart names such as ``"timeline"``) ->
        path in ``out_dir``. Skipped charts are absent (and noted in the report).

    Raises
    ------
    InputError
        ``out_dir`` is a file (a symbolic link to a folder is written through).
    TrendsError
        The results do not match the JSON Schema (a bug: please report it).
    """
    out = _target(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        total, keys, kept = _write_all(
            analysis, tmp, out, incidents=incidents, timeline=timeline,
            source_label=source_label, progress=progress, title=title, config=config,
            place=place, jobs=jobs, case=case,
        )  # fmt: skip
        _move_into_place(tmp, out, kept)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if progress is not None:
        progress("Done", total, total)
    return {key: Path(out_dir) / name for key, name in keys.items()}


def _write_all(a: Any, tmp: Path, out: Path, **kw: Any):
    """Write every file into ``tmp``; returns (steps, key -> name, names kept from ``out``)."""
    config, case = kw["config"], kw["case"]
    chosen = (getattr(a.ingest, "choices", None) or {}) if a.ingest is not None else {}
    theatre = config.theatre if config is not None else chosen.get("theatre")
    if case is None and (
        (config is not None and config.bundled) or theatre == idlib_2019.DEFAULT_THEATRE
    ):
        case = idlib_2019  # the bundled data, or the bundled case's theatre filter applied
    place = kw["place"]
    if place is None and case is not None:
        place = case.place_for(theatre)
    source = kw["source_label"] or (case.SOURCE_LABEL if case is not None else None)
    if source is None:
        src = getattr(a.ingest, "source", None) if a.ingest is not None else None
        source = Path(str(src)).name if src else "the data given"
    charts = chart_specs(a, timeline=kw["timeline"], source=source, place=place,
                         incidents=kw["incidents"],
                         area_word=case.AREA_WORD if case is not None else "first-level administrative area")  # fmt: skip
    total = len(charts) + 5
    step = [0]

    def tick(what: str, done: int | None = None) -> None:
        if kw["progress"] is not None:
            kw["progress"](what, step[0] if done is None else done, total)

    keys: dict[str, str] = {}
    tick("Writing the series")
    for name, frame in _series_tables(a).items():
        frame.to_csv(tmp / name, date_format="%Y-%m-%d", float_format="%.10g")
        keys[name.removesuffix(".csv")] = name
    step[0] += 1
    tick("Writing results.json")
    bottom = bottom_line_of(a)
    payload = results_payload(a, bottom_line=bottom)
    validate_results(payload)
    (tmp / "results.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    keys["results"] = "results.json"
    step[0] += 1
    first = step[0]
    for chart, drawn in draw_all(charts, tmp, kw["jobs"], lambda what, i: tick(what, first + i)):
        if drawn is not None:
            keys[chart.key] = chart.file
    step[0] += len(charts)
    removed_all, kept = _earlier_run(out)
    new_names = set(keys.values()) | {"report.md", "report.html", MANIFEST}
    removed = [n for n in removed_all if n not in new_names]
    choices = report_choices(
        a, timeline=kw["timeline"], config=config, theatre=theatre,
        theatre_why=case.theatre_why(theatre, a.ingest.notes if a.ingest is not None else ())
        if case is not None and theatre is not None else None,
        data_span=_data_span(a),
    )  # fmt: skip
    context = build_context(
        a, title=kw["title"] or _title(a, place), source_label=source, choices=choices,
        charts=charts, bottom_line=bottom, files=_file_list(a, list(keys.values())),
        housekeeping=_housekeeping(removed, kept),
    )  # fmt: skip
    tick("Writing report.md")
    (tmp / "report.md").write_text(render_markdown(context), encoding="utf-8")
    keys["report"] = "report.md"
    step[0] += 1
    tick("Writing report.html")
    context.images = {c.file: _image_uri(tmp / c.file) for c in charts if c.key in keys}
    (tmp / "report.html").write_text(render_html(context), encoding="utf-8")
    keys["report_html"] = "report.html"
    step[0] += 1
    tick("Writing manifest.json")
    _write_manifest(tmp, list(keys.values()), removed, kept)
    keys["manifest"] = MANIFEST
    return total, keys, kept

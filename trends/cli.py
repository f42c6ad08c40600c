"""The ``trends`` command line.

Exit codes (every command)
--------------------------
==== =====================================================================================
0    success (``validate``: every row accepted or merged as a duplicate; days without a
     report in a tallies file are not rejected rows)
1    ``validate`` only: some rows were rejected (each is listed with its data row, file line,
     column, reason and value); ``--strict`` stops at the first one
2    bad input or usage: a file that cannot be read, a missing column, a bad option; one line
     on stderr says what and where
3    internal error (a bug): one line on stderr names the exception and the file the full
     trace was written to; ``trends --debug ...`` prints the trace instead
130  interrupted (Ctrl-C): "interrupted; nothing was written"
141  the reader of the output went away (``trends ... | head``): nothing more is printed
==== =====================================================================================

No command shows a Python traceback unless ``--debug`` is given: one top-level handler
(:class:`GuardedGroup`) turns every exception into one of these codes.

Commands
--------
``trends [--debug] validate PATH --format F [--json] [--columns A=a,B=b] [--date-format F]
[--dayfirst | --monthfirst] [--label start|end] [--thousands ,] [--delimiter D] [--encoding E]
[--sheet S] [--event-types T] [--region R] [--civilian-proxy P]``
    Read a file and print its ingest report. Exit 0 when every row is accepted or merged as a
    duplicate, 1 when some rows were rejected, 2 when the file cannot be read at all.
``trends report [--data FILE --format F] [--events FILE] [--claims FILE] [--intervention ID]
[--start S] [--end E] [--freq D] [--family negbin] [--outcome O ...] [--out DIR] [--config TOML]
[--columns A=a,B=b] [--dayfirst | --monthfirst] [--date-format F] [--label start|end]
[--thousands ,] [--delimiter D] [--encoding E] [--events-encoding E] [--claims-encoding E]
[--sheet S] [--event-types T] [--region R] [--civilian-proxy P]``
    Run the whole analysis and write the charts, ``report.md``, ``report.html``,
    ``results.json`` and the series CSVs into ``--out`` (default ``out/``), for any format
    (incidents, acled, ucdp, tallies, counts). With no option it reproduces the Idlib 2019
    analysis (see :mod:`trends.config` for the defaults and why). The reading options are those
    of ``validate``, with the same names and meaning (and the same keys in ``--config``);
    ``--encoding`` is also that of ``--events`` and ``--claims`` unless ``--events-encoding`` or
    ``--claims-encoding`` gives theirs. Exit 0 on success, 2 on bad input with a one-line reason
    on stderr.
``trends claims [--claims FILE] [--data FILE --format F] [--events FILE] [--json]``
    Check a claims table against a data file (default: the bundled claims and data) and print
    the verdicts; the reading options and encodings are those of ``report``. Exit 0 on success, 2 on bad input.
``trends compare BEFORE AFTER [--measure WORDS] [--json] [--out DIR]``
    Two published totals (``213/31 95/30``: 213 in 31 days, then 95 in 30 days): the exact
    conditional Poisson rate ratio with its interval and p-value; ``--out`` also writes a report,
    ``results.json`` and a chart. Exit 0 on success, 2 when a total cannot be read.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import os
import re
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from trends.errors import InputError, RowValidationError, TrendsError, TrendsWarning
from trends.ingest import parse_column_mapping
from trends.ingest.formats import FORMATS, reader_for

#: Exit codes of every command (see the module documentation).
EXIT_OK, EXIT_REJECTED, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipe closed early


def _write_trace(exc: BaseException) -> Path | None:
    """Write the full trace of ``exc`` to a file in the temporary folder; return its path."""
    stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = Path(tempfile.gettempdir()) / f"trends-error-{stamp}-{os.getpid()}.txt"
    try:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        path.write_text(f"trends {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
    except OSError:
        return None
    return path


class GuardedGroup(TyperGroup):
    """The command group with the one top-level handler: no traceback reaches a user.

    Typer's own exits and usage errors pass through (usage errors exit 2); a
    :class:`~trends.errors.TrendsError` or an ``OSError`` that a command did not handle exits 2
    with one line; Ctrl-C exits 130; anything else is a bug: exit 3, one line naming the
    exception and where its full trace was written (or the trace itself with ``--debug``).
    """

    def invoke(self, ctx: typer.Context) -> Any:
        """Run the command, turning every exception into a documented exit code."""
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _warning_printer(ctx)
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except KeyboardInterrupt:
            typer.echo("trends: interrupted; nothing was written", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:  # `trends ... | head`: the reader left; no message, no trace
            try:  # Python's own flush at exit would fail again
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):  # no real file behind stdout
                pass
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except RowValidationError as exc:
            typer.echo(f"trends: {_one_line(exc)}", err=True)
            raise typer.Exit(EXIT_REJECTED) from None
        except TrendsError as exc:
            typer.echo(f"trends: {_one_line(exc)}", err=True)
            for line in _other_issues(exc):
                typer.echo(line, err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            typer.echo(
                f"trends: cannot read or write a file{where}: {exc.strerror or exc}", err=True
            )
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except Exception as exc:  # the last resort: a bug, reported in one line
            if _debug_requested(ctx):
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
                raise typer.Exit(EXIT_INTERNAL) from None
            trace = _write_trace(exc)
            where = f"full trace written to {trace}" if trace else "the trace could not be saved"
            typer.echo(
                f"trends: internal error ({type(exc).__name__}: {_one_line(exc)}); this is a "
                f"bug, not your data; {where}; run with `trends --debug ...` to print it",
                err=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None


def _warning_printer(ctx: typer.Context) -> Callable[..., None]:
    """How a warning reaches a CLI user: a package warning (bad rows kept, a model caveat) as
    one ``trends: warning:`` line on stderr, never Python's file-and-source-line form; a
    library's own warning only with ``--debug`` (a user cannot act on it)."""
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, TrendsWarning):
            typer.echo(f"trends: warning: {_one_line(message)}", err=True)
        elif _debug_requested(ctx):
            original(message, category, filename, lineno, file, line)

    return show


def _debug_requested(ctx: typer.Context) -> bool:
    """``--debug`` on the command line or ``TRENDS_DEBUG=1`` in the environment."""
    root = ctx.find_root()
    return bool(root.params.get("debug")) or os.environ.get("TRENDS_DEBUG", "") not in ("", "0")


app = typer.Typer(
    cls=GuardedGroup,
    add_completion=False,
    no_args_is_help=True,
    help="Count-data trend analytics for civilian harm in conflict.",
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2, exc: Exception | None = None) -> None:
    typer.echo(f"trends: {message}", err=True)
    for line in _other_issues(exc) if exc is not None else []:
        typer.echo(line, err=True)
    raise typer.Exit(code)


def _check_format(value: str) -> str:
    if value not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}")
    return value


def _check_proxy(value: str | None) -> str | None:
    from trends.ingest.acled import CIVILIAN_PROXIES

    if value is not None and value not in CIVILIAN_PROXIES:
        raise typer.BadParameter(f"choose one of {', '.join(CIVILIAN_PROXIES)}")
    return value


def _check_label(value: str | None) -> str | None:
    if value is not None and value not in ("start", "end"):
        raise typer.BadParameter("choose start or end")
    return value


# How a date option is written (--intervention, --start, --end; trends.events.parse_date_text).
_DATE_OPTION_HELP = (
    "Dates: YYYY-MM-DD, optionally with a time (2024-06-10 18:30); a day/month date such as "
    "03/02/2018 only with --dayfirst/--monthfirst or when a field above 12 settles the order "
    "(never guessed)."
)

_INTERVENTION_HELP = "Event id or date (default: ceasefire_aug31_effective). " + _DATE_OPTION_HELP
_START_HELP = "First day: date or event id (default: offensive_launch); dates as --intervention's."
_END_HELP = "Last day: date or event id (default: 2019-12-15); dates as --intervention's."
_DAYFIRST_REPORT_HELP = (
    "Read 03/02/2024 as 3 February (--dayfirst) or 2 March (--monthfirst), in the data and in "
    "--intervention, --start and --end; without either such dates are refused, never guessed."
)
_DATE_FORMAT_HELP = (
    "strptime format of the dates, e.g. %d/%m/%Y; with %z (%Y-%m-%d %H:%M%z) a date is the "
    "local day of its UTC offset. ISO dates may carry a time (dropped)."
)

# Help of the reading options, shared by `validate` and `report` (same names, same meaning).
_DELIMITER_HELP = "Field separator, one character or '\\t' (default: detect)."
_ENCODING_HELP = "Text encoding (default UTF-8), e.g. cp1252."
_ENCODING_ALL_HELP = (
    "Text encoding (default UTF-8), e.g. cp1252: of --data, and of --events and --claims "
    "unless --events-encoding or --claims-encoding gives theirs."
)
_THOUSANDS_HELP = (
    "Thousands separator of the counts, e.g. ',' (1,089), in --data and in --claims' values."
)
_SHEET_HELP = "Worksheet of an .xlsx file: its name or its position (0 is the first)."
_EVENT_TYPES_HELP = (
    "ACLED: event types counted as attacks, comma-separated, or 'all' (default: "
    "Battles, Explosions/Remote violence, Violence against civilians)."
)
_LABEL_HELP = "counts: a weekly or monthly date is its period's first day (start) or last (end)."
_REGION_HELP = "tallies: the region to read when the file holds tallies of several regions."
_PROXY_HELP = (
    "ACLED: which events' fatalities stand for civilian deaths: civilian_targeting (default), "
    "violence_against_civilians (older exports without a civilian_targeting column) or "
    "all_events (includes combatants)."
)

# The readers' options, shared by validate, report and claims (same names, same help).
LabelOption = Annotated[str | None, typer.Option(callback=_check_label, help=_LABEL_HELP)]
ThousandsOption = Annotated[str | None, typer.Option(help=_THOUSANDS_HELP)]
DelimiterOption = Annotated[str | None, typer.Option(help=_DELIMITER_HELP)]
EncodingOption = Annotated[str | None, typer.Option(help=_ENCODING_HELP)]
SheetOption = Annotated[str | None, typer.Option(help=_SHEET_HELP)]
EventTypesOption = Annotated[str | None, typer.Option("--event-types", help=_EVENT_TYPES_HELP)]
RegionOption = Annotated[str | None, typer.Option(help=_REGION_HELP)]
CivilianProxyOption = Annotated[
    str | None, typer.Option("--civilian-proxy", callback=_check_proxy, help=_PROXY_HELP)
]
# report and claims read several files: --encoding is every file's, unless one has its own.
EncodingAllOption = Annotated[str | None, typer.Option("--encoding", help=_ENCODING_ALL_HELP)]
EventsEncodingOption = Annotated[
    str | None,
    typer.Option(
        "--events-encoding", help="Text encoding of --events (default: that of --encoding)."
    ),
]
ClaimsEncodingOption = Annotated[
    str | None,
    typer.Option(
        "--claims-encoding", help="Text encoding of --claims (default: that of --encoding)."
    ),
]


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="The file to check.")],
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", callback=_check_format, help=f"Input format: {', '.join(FORMATS)}."
        ),
    ] = "incidents",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first bad row (exit 1).")
    ] = False,
    delimiter: DelimiterOption = None,
    encoding: EncodingOption = None,
    columns: Annotated[
        str | None,
        typer.Option(
            help="Column mapping THEIRS=OURS,...: e.g. Date=date,Killed=civilian_deaths_best."
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", help=_DATE_FORMAT_HELP),
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst",
            help="Read 03/02/2024 as 3 February (--dayfirst) or 2 March (--monthfirst); "
            "without either such dates are rejected as ambiguous.",
            show_default=False,
        ),
    ] = None,
    thousands: ThousandsOption = None,
    sheet: SheetOption = None,
    event_types: EventTypesOption = None,
    label: LabelOption = None,
    region: RegionOption = None,
    civilian_proxy: CivilianProxyOption = None,
) -> None:
    """Read PATH and account for every row: accepted, rejected (with reasons) or duplicate."""
    from trends.config import sheet_option

    options = _reader_options(
        format,
        strict=strict,
        delimiter=delimiter,
        encoding=encoding,
        columns=parse_column_mapping(columns) or None,
        date_format=date_format,
        dayfirst=dayfirst,
        thousands=thousands,
        sheet=None if sheet is None else sheet_option(sheet),
        event_types=event_types,
        label=label,
        region=region,
        civilian_proxy=civilian_proxy,
    )
    _, report = reader_for(format)(path, **options)
    if report.rows_read == 0:  # a header and nothing else is not data that passed
        _fail(f"{path}: the file has no data rows (only a header): there is nothing to analyse")
    if as_json:
        d = report.to_dict()
        payload = {
            "rows_read": d["rows_read"],
            "accepted": d["accepted"],
            "rejected": d["rejected"],
            "duplicates": d["duplicates"],
            "filtered": d["filtered"],
            "errors": [
                {k: e[k] for k in ("row", "line", "column", "reason", "value")} for e in d["errors"]
            ],
            "duplicate_rows": d["duplicate_rows"],
            "days_not_reported": d["days_not_reported"],
            "flags": d["flags"],
            "notes": d["notes"],
            "choices": d["choices"],
            "source": d["source"],
            "format": d["format"],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo(report.report(max_errors=50))

    raise typer.Exit(EXIT_OK if report.ok else EXIT_REJECTED)


def _reader_options(format: str, **given: Any) -> dict[str, Any]:
    """The options given on the command line that the format's reader takes.

    Raises
    ------
    InputError
        An option was given that this format's reader does not take.
    """
    accepted = inspect.signature(reader_for(format)).parameters
    options = {k: v for k, v in given.items() if v is not None and v is not False}
    options["strict"] = bool(given.get("strict"))
    unknown = [k for k in options if k not in accepted]
    if unknown:
        names = ", ".join("--" + k.replace("_", "-") for k in unknown)
        raise InputError(f"{names} does not apply to --format {format}")
    return options


def _config_from_options(config_file: Path | None, options: dict) -> Any:
    """The file's options overridden by those given on the command line."""
    from trends.config import ReportConfig

    cli = ReportConfig.from_mapping({k: v for k, v in options.items() if v not in (None, [])})
    if config_file is None:
        return cli
    return ReportConfig.from_toml(config_file).override(cli)


class _Progress:
    """A progress display on stderr (rich), silent when stderr is not a terminal or --quiet.

    It refreshes only when told (no background thread), so that the chart workers can be forked
    safely.
    """

    def __init__(self, quiet: bool) -> None:
        self.bar = None
        if quiet:
            return
        from rich.console import Console

        console = Console(stderr=True)
        if not console.is_terminal:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,
            transient=True,
        )
        self.task = self.bar.add_task("Starting", total=None)

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, description: str, completed: int, total: int) -> None:
        if self.bar is None:
            return
        self.bar.update(
            self.task, description=description, completed=completed, total=total or None
        )
        self.bar.refresh()


@app.command()
def report(
    data: Annotated[
        Path | None,
        typer.Option(help="Data file (default: the bundled Idlib 2019 incidents)."),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"Format of --data: {', '.join(FORMATS)} (default incidents).",
        ),
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option(
            help="Reference-events file (default: the bundled Idlib 2019 timeline with the "
            "bundled data; none with yours). With yours, the default window is the one regime "
            "around the intervention."
        ),
    ] = None,
    claims: Annotated[
        Path | None,
        typer.Option(
            help="Claims table to check (default: the bundled claims, bundled data only)."
        ),
    ] = None,
    intervention: Annotated[str | None, typer.Option(help=_INTERVENTION_HELP)] = None,
    start: Annotated[str | None, typer.Option(help=_START_HELP)] = None,
    end: Annotated[str | None, typer.Option(help=_END_HELP)] = None,
    freq: Annotated[str | None, typer.Option(help="D, W or M (default D).")] = None,
    family: Annotated[
        str | None, typer.Option(help="negbin, poisson or quasipoisson (default negbin).")
    ] = None,
    inference: Annotated[
        str | None,
        typer.Option(
            help="auto (default: latent AR(1) count model on daily series of 120+ days, "
            "Newey-West elsewhere), glm (Newey-West everywhere) or latent_ar; measured "
            "coverage in benchmarks/README.md."
        ),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            help="Outcome to analyse; repeat for several (default: attacks and civilian_deaths "
            "for incidents; every measure of a tallies or counts file)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default out).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML file of these options.")
    ] = None,
    theatre: Annotated[
        str | None, typer.Option(help="north-west or all (default north-west for bundled data).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the report.")] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Source credit for the charts and the report, as you write it (default: the "
            "data file's name)."
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            help="Column mapping THEIRS=OURS,...: e.g. Date=date,Killed=civilian_deaths_best."
        ),
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst",
            help=_DAYFIRST_REPORT_HELP,
            show_default=False,
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", help=_DATE_FORMAT_HELP),
    ] = None,
    label: LabelOption = None,
    thousands: ThousandsOption = None,
    delimiter: DelimiterOption = None,
    encoding: EncodingAllOption = None,
    events_encoding: EventsEncodingOption = None,
    claims_encoding: ClaimsEncodingOption = None,
    sheet: SheetOption = None,
    event_types: EventTypesOption = None,
    region: RegionOption = None,
    civilian_proxy: CivilianProxyOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Run the whole analysis and write charts, report.md, report.html, results.json and series CSVs."""
    import matplotlib

    matplotlib.use("Agg")
    from trends.errors import TrendsError
    from trends.report import MANIFEST, run_report
    from trends.report.run import validate_command

    options = dict(
        data=data, format=format, events=events, claims=claims, intervention=intervention,
        start=start, end=end, freq=freq, family=family, inference=inference, outcome=outcome, out=out,
        theatre=theatre, title=title, source=source, columns=columns or None,
        dayfirst=dayfirst, date_format=date_format, label=label, thousands=thousands,
        delimiter=delimiter, encoding=encoding, sheet=sheet, event_types=event_types,
        region=region, events_encoding=events_encoding, claims_encoding=claims_encoding,
        civilian_proxy=civilian_proxy,
    )  # fmt: skip
    try:
        cfg = _config_from_options(config, options)
        with _Progress(quiet) as progress:
            analysis, files = run_report(cfg, progress=progress)
    except (InputError, TrendsError) as exc:
        _fail(_one_line(exc), 2, exc)
    except OSError as exc:  # the output folder cannot be written
        _fail(f"cannot write the report: {_one_line(exc)}", 2)
    ingest = analysis.ingest
    if ingest is not None and ingest.rejected:
        typer.echo(
            f"trends: {ingest.rejected} row(s) of the data were rejected; see report.md or "
            f"`{validate_command(cfg)}`",
            err=True,
        )
    out_dir = files["report"].parent
    skipped = len(re.findall(r"\(not drawn: ", files["report"].read_text(encoding="utf-8")))
    typer.echo(
        f"Wrote {len(files)} files to {out_dir}/: " + ", ".join(p.name for p in files.values())
    )
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    removed = manifest.get("removed_from_earlier_run") or []
    if removed:
        typer.echo(f"Removed {len(removed)} file(s) of an earlier run: {', '.join(removed)}.")
    if skipped:
        typer.echo(f"{skipped} chart(s) not drawn; report.md says why.")


@app.command("claims")
def claims_command(
    claims: Annotated[
        Path | None, typer.Option(help="Claims table (default: the bundled Idlib 2019 claims).")
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="Data file (default: the bundled Idlib 2019 incidents).")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help=f"Format of --data: {', '.join(FORMATS)} (default incidents)."
        ),
    ] = None,
    events: Annotated[
        Path | None, typer.Option(help="Reference events resolving event ids in the claims.")
    ] = None,
    theatre: Annotated[
        str | None, typer.Option(help="north-west or all (default north-west for bundled data).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdicts as JSON.")] = False,
    source: Annotated[
        str | None, typer.Option(help="Name of the source (names a tallies file's measures).")
    ] = None,
    columns: Annotated[
        str | None, typer.Option(help="Column mapping THEIRS=OURS,... of --data.")
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst", help="Day/month order of --data's dates.", show_default=False
        ),
    ] = None,
    date_format: Annotated[
        str | None, typer.Option("--date-format", help="strptime format of --data's dates.")
    ] = None,
    label: LabelOption = None,
    thousands: ThousandsOption = None,
    delimiter: DelimiterOption = None,
    encoding: EncodingAllOption = None,
    events_encoding: EventsEncodingOption = None,
    claims_encoding: ClaimsEncodingOption = None,
    sheet: SheetOption = None,
    event_types: EventTypesOption = None,
    region: RegionOption = None,
    civilian_proxy: CivilianProxyOption = None,
) -> None:
    """Check published claims against the data and print each finding, its gap and verdict.

    A claim with a region is checked on that region's incidents (matched against the data's
    place, admin and country columns); when the region cannot be applied it is "not checked",
    with the reason.

    A tallies or counts file is checked day by day: claims about deaths against its killed
    figures; a claim about a quantity it does not count is "not checkable", with that reason.
    """
    from trends.config import ReportConfig
    from trends.errors import TrendsError
    from trends.report import check_claims_for, load_inputs

    given = dict(claims=claims, data=data, format=format, events=events, theatre=theatre,
                 source=source, columns=columns or None, dayfirst=dayfirst,
                 date_format=date_format, label=label, thousands=thousands,
                 delimiter=delimiter, encoding=encoding, sheet=sheet, event_types=event_types,
                 region=region, events_encoding=events_encoding,
                 claims_encoding=claims_encoding, civilian_proxy=civilian_proxy)  # fmt: skip
    try:
        cfg = ReportConfig.from_mapping(
            {k: v for k, v in given.items() if v is not None}
        ).with_defaults()
        if cfg.data is not None and cfg.claims is None:
            raise InputError("give --claims FILE to check against your own data")
        inputs = load_inputs(cfg)
        check = check_claims_for(inputs)
    except (InputError, TrendsError) as exc:
        _fail(_one_line(exc), 2, exc)
    if as_json:
        payload = check.to_dict()
        counts = check.frame["verdict"].value_counts()
        payload["summary"] = {k: int(v) for k, v in counts.items()}
        if inputs.notes:
            payload["notes"] = list(inputs.notes)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo(_claims_table(check))
        for note in inputs.notes:
            typer.echo(f"\n{note}")
    raise typer.Exit(0)


def _claims_table(check) -> str:
    """Findings, gaps and verdicts as an aligned plain-text table, with the summary line first.

    The finding (``finding_label``) and the gap (``difference``, ``difference_pct``) are the
    check's own columns, written as report.md writes them.
    """
    import pandas as pd

    from trends.models.claims import gap_text
    from trends.report.fmt import claim_text as _claim_text
    from trends.report.fmt import iso as _iso
    from trends.report.fmt import number as _n

    rows = []
    for _, r in check.frame.iterrows():
        best = r.get("observed_best")
        has = best is not None and not pd.isna(best)
        rows.append(
            {
                "claim": str(r.get("claim_id") or ""),
                "as of": _iso(r.get("as_of")),
                "window": f"{_iso(r.get('window_start_date'))}..{_iso(r.get('window_end_date'))}",
                "claimed": _claim_text(r),
                "data (low-high)": (
                    f"{_n(best)} ({_n(r['observed_low'])}-{_n(r['observed_high'])})" if has else ""
                ),
                "finding": str(r.get("finding_label") or ""),
                "difference (best - claim)": gap_text(r.get("difference"), r.get("difference_pct"))
                if has
                else "",
                "verdict": str(r.get("verdict") or ""),
                "reason": str(r.get("reason") or ""),
            }
        )
    first = check.report().splitlines()[0]
    if not rows:
        return first
    headers = list(rows[0])
    widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in headers}
    lines = ["  ".join(h.ljust(widths[h]) for h in headers).rstrip()]
    lines += ["  ".join(r[h].ljust(widths[h]) for h in headers).rstrip() for r in rows]
    return first + "\n\n" + "\n".join(lines)


#: Further problems of a refused events or claims file listed under its first one.
_MORE_ISSUES = 20


def _other_issues(exc: Exception) -> list[str]:
    """The problems of a refused file after the first (``issues`` of the error), one a line:
    the message says how many more there are, so they are listed, up to :data:`_MORE_ISSUES`."""
    issues = list(getattr(exc, "issues", None) or [])[1:]
    lines = []
    for issue in issues[:_MORE_ISSUES]:
        column = f", column {issue.column!r}" if issue.column else ""
        value = f" (value {issue.value!r})" if issue.value not in (None, "") else ""
        lines.append(f"  also: {issue.where().lower()}{column}: {issue.reason}{value}")
    if len(issues) > _MORE_ISSUES:
        lines.append(f"  ... and {len(issues) - _MORE_ISSUES} more")
    return lines


def _one_line(exc: Exception) -> str:
    """The first line of an error message (details such as row lists stay out of the way)."""
    text = str(exc).strip() or type(exc).__name__
    text = text.replace("; see .issues)", ")")  # a Python attribute means nothing here
    return " ".join(text.splitlines()[0].split())


@app.command("compare")
def compare_command(
    before: Annotated[
        str,
        typer.Argument(
            help='The total before: COUNT/DAYS (213/31) or words ("213 in the 31 days before", '
            '"1,213 over 4 weeks").'
        ),
    ],
    after: Annotated[
        str,
        typer.Argument(help='The total after: 95/30, or "95 in the 30 days after".'),
    ],
    measure: Annotated[
        str, typer.Option(help='What was counted, in words, e.g. "casualties".')
    ] = "events",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Also write report.md, report.html, results.json and a chart into this folder.",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the report (with --out).")] = None,
    source: Annotated[
        str | None, typer.Option(help="Where the totals were published (with --out).")
    ] = None,
) -> None:
    """Compare two published totals: "213 in the 31 days before, 95 in the 30 days after".

    Prints the exact conditional Poisson rate ratio after/before with its 95% interval and
    p-value, in words that do not over-claim (the interval assumes independent Poisson days).
    A total is COUNT/DAYS or words: "213 in 31 days", "213 over the 31 days before", "95 in the
    4 weeks after" (a month is refused: give its days). Exit 0 on success, 2 with a one-line
    reason when a total cannot be read.
    """
    from trends.models.totals import compare_totals

    try:
        result = compare_totals(before, after, measure=measure)
        files = None
        if out is not None:
            import matplotlib

            matplotlib.use("Agg")
            from trends.report.totals import write_totals_report

            files = write_totals_report(result, out, title=title, source=source)
    except TrendsError as exc:
        _fail(_one_line(exc), EXIT_BAD_INPUT, exc)
    except OSError as exc:
        _fail(f"cannot write the report: {_one_line(exc)}", EXIT_BAD_INPUT)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(result.report())
    if files is not None:
        typer.echo(
            f"Wrote {len(files)} files to {out}/: " + ", ".join(p.name for p in files.values()),
            err=as_json,
        )
    raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Print the full trace of an internal error (exit 3)."),
    ] = False,
) -> None:
    """Count-data trend analytics for civilian harm in conflict."""


def _safe_streams() -> None:
    """Never crash on text the terminal's encoding cannot show (Arabic on a cp1252 console).

    Characters that cannot be encoded are written as ``\\uXXXX`` escapes instead.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a closed or unusual stream: leave it
                pass


def main() -> None:
    """Entry point of the ``trends`` console script."""
    _safe_streams()
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

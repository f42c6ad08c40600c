"""The ``trends`` command line.

Commands
--------
``trends validate PATH --format F [--json]``
    Read a file and print its ingest report. Exit 0 when every row is accepted or merged as a
    duplicate, 1 when some rows were rejected, 2 when the file cannot be read at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from trends.errors import InputError
from trends.ingest.formats import FORMATS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Count-data trend analytics for civilian harm in conflict.",
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"trends: {message}", err=True)
    raise typer.Exit(code)


def _check_format(value: str) -> str:
    if value not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}")
    return value


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
    delimiter: Annotated[str | None, typer.Option(help="Field separator (default: detect).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default UTF-8).")] = None,
) -> None:
    """Read PATH and account for every row: accepted, rejected (with reasons) or duplicate."""
    from trends.errors import FileReadError, RowValidationError, SchemaError
    from trends.ingest.formats import read

    try:
        _, report = read(path, format, strict=strict, delimiter=delimiter, encoding=encoding)
    except (FileReadError, SchemaError) as exc:
        _fail(str(exc), 2)
    except RowValidationError as exc:
        _fail(str(exc), 1)
    except InputError as exc:
        _fail(str(exc), 2)
    if as_json:
        d = report.to_dict()
        payload = {
            "rows_read": d["rows_read"],
            "accepted": d["accepted"],
            "rejected": d["rejected"],
            "duplicates": d["duplicates"],
            "errors": [{k: e[k] for k in ("row", "column", "reason")} for e in d["errors"]],
            "duplicate_rows": d["duplicate_rows"],
            "notes": d["notes"],
            "choices": d["choices"],
            "source": d["source"],
            "format": d["format"],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo(report.report(max_errors=50))
    raise typer.Exit(0 if report.ok else 1)


@app.callback()
def _root() -> None:
    """Count-data trend analytics for civilian harm in conflict."""


def main() -> None:
    """Entry point of the ``trends`` console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

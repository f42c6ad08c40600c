"""The malformed-input corpus: bad and awkward inputs, each with its expected outcome.

``build_cases(root)`` writes every case's files under ``root`` and returns the cases with their
manifest of expected outcomes (exit code; for exit 0/1 the row accounting; for exit 2 a fragment
of the one-line message, which must also name the file). Cases cover every reader (incidents,
ACLED, UCDP GED, tallies, plain counts), timelines, claims, TOML configs, the report command, the
output folder and odd DataFrames given to the library.

``run_case(case)`` runs one case in-process (typer's ``CliRunner``) and ``classify`` sorts the
outcome into: clean, traceback, wrong exit code, silently wrong, unclear message.

Run as a script to measure a code base (``PYTHONPATH=/tmp/trends-old python
tests/malformed/make_corpus.py``): it prints the summary table, and with ``--details`` every case
that is not clean.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

CATEGORIES = ("clean", "traceback", "wrong exit code", "silently wrong", "unclear message")


@dataclass
class Case:
    """One corpus case.

    Attributes
    ----------
    name : str
        Unique name (``reader/mutation``).
    args : list of str
        Command-line arguments of ``trends`` (empty for a library case).
    exit : int
        Expected exit code (library cases: 0 = returns, 2 = raises a TrendsError).
    rows : tuple, optional
        Expected ``(rows_read, rejected)`` for exit 0/1 of ``validate --json``.
    message : str, optional
        Fragment expected in the message (stderr for exit 2).
    name_file : bool
        The exit-2 message must name the input file.
    call : callable, optional
        A library case: called with no argument, returns an IngestReport-bearing tuple.
    """

    name: str
    args: list[str]
    exit: int
    rows: tuple[int, int] | None = None
    message: str | None = None
    name_file: bool = True
    call: Callable[[], Any] | None = None
    file: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Base tables of the readers: a header and four good rows; which columns hold a date, a count
# and free text.
READERS: dict[str, dict[str, Any]] = {
    "incidents": {
        "header": ["incident_id", "date", "place", "civilian_deaths_best", "injured"],
        "rows": [
            ["I1", "2019-05-01", "Kafr Nabl", "3", "1"],
            ["I2", "2019-05-02", "Khan Shaykhun", "0", "2"],
            ["I3", "2019-05-03", "Maarat al-Numan", "5", ""],
            ["I4", "2019-05-05", "Saraqib", "1", "0"],
        ],
        "date": "date",
        "count": "civilian_deaths_best",
        "text": "place",
        "ambiguous": "03/02/2019",
        "upper": "DATE",
    },
    "acled": {
        "header": [
            "event_id_cnty",
            "event_date",
            "event_type",
            "sub_event_type",
            "civilian_targeting",
            "location",
            "fatalities",
            "timestamp",
        ],
        "rows": [
            [
                "SYR1",
                "01 May 2019",
                "Explosions/Remote violence",
                "Air/drone strike",
                "Civilian targeting",
                "Kafr Nabl",
                "3",
                "1557500000",
            ],
            [
                "SYR2",
                "02 May 2019",
                "Battles",
                "Armed clash",
                "",
                "Khan Shaykhun",
                "7",
                "1557500000",
            ],
            [
                "SYR3",
                "03 May 2019",
                "Explosions/Remote violence",
                "Shelling/artillery/missile attack",
                "Civilian targeting",
                "Saraqib",
                "2",
                "1557500000",
            ],
            [
                "SYR4",
                "05 May 2019",
                "Violence against civilians",
                "Attack",
                "Civilian targeting",
                "Ariha",
                "1",
                "1557500000",
            ],
        ],
        "date": "event_date",
        "count": "fatalities",
        "text": "location",
        "ambiguous": "03/02/2019",
        "upper": "EVENT_DATE",
    },
    "ucdp": {
        "header": [
            "id",
            "date_start",
            "date_end",
            "best",
            "low",
            "high",
            "deaths_civilians",
            "deaths_unknown",
            "where_coordinates",
        ],
        "rows": [
            ["1", "2019-05-01", "2019-05-01", "3", "3", "4", "3", "0", "Kafr Nabl"],
            ["2", "2019-05-02", "2019-05-02", "5", "4", "6", "2", "1", "Khan Shaykhun"],
            ["3", "2019-05-03", "2019-05-03", "2", "2", "2", "2", "0", "Saraqib"],
            ["4", "2019-05-05", "2019-05-05", "1", "1", "1", "1", "0", "Ariha"],
        ],
        "date": "date_start",
        "count": "deaths_civilians",
        "text": "where_coordinates",
        "ambiguous": "03/02/2019",
        "upper": "DATE_START",
    },
    "tallies": {
        "header": ["date", "cumulative_killed", "note"],
        "rows": [
            ["2019-05-01", "100", "first"],
            ["2019-05-02", "104", ""],
            ["2019-05-03", "110", ""],
            ["2019-05-04", "111", "last"],
        ],
        "date": "date",
        "count": "cumulative_killed",
        "text": "note",
        "ambiguous": "03/02/2019",
        "upper": "DATE",
    },
    "counts": {
        "header": ["date", "killed"],
        "rows": [
            ["2019-05-01", "3"],
            ["2019-05-02", "0"],
            ["2019-05-03", "5"],
            ["2019-05-04", "1"],
        ],
        "date": "date",
        "count": "killed",
        "text": None,
        "ambiguous": "03/02/2019",
        "upper": "DATE",
    },
}

# Cell mutations: (name, column kind, value, expected rejected rows).
CELL_MUTATIONS: tuple[tuple[str, str, str], ...] = (
    ("date_text", "date", "yesterday"),
    ("date_impossible", "date", "2019-02-30"),
    ("date_month13", "date", "2019-13-01"),
    ("date_far_future", "date", "2999-01-01"),
    ("date_far_past", "date", "1600-01-01"),
    ("date_2200", "date", "2200-06-01"),
    ("date_ambiguous", "date", "ambiguous"),
    ("date_empty", "date", ""),
    ("count_negative", "count", "-1"),
    ("count_fraction", "count", "2.5"),
    ("count_overflow", "count", "1e19"),
    ("count_above_max", "count", "10000001"),
    ("count_thousands_comma", "count", '"1,089"'),
    ("count_thousands_dot", "count", "1.089"),
    ("count_text", "count", "many"),
    ("count_inf", "count", "inf"),
    ("count_hex", "count", "0x10"),
)


def _csv(header: list[str], rows: list[list[str]], delim: str = ",", eol: str = "\n") -> str:
    return eol.join(delim.join(r) for r in [header, *rows]) + eol


def _reader_cases(root: Path, reader: str, spec: dict[str, Any]) -> list[Case]:
    """Every mutation of one reader's base table."""
    header, rows = spec["header"], spec["rows"]
    n = len(rows)
    base = _csv(header, rows)
    cases: list[Case] = []
    folder = root / reader
    folder.mkdir(parents=True, exist_ok=True)

    def add(
        name: str,
        content: str | bytes | None,
        exit: int,
        rows_: tuple[int, int] | None = None,
        message: str | None = None,
        suffix: str = ".csv",
        extra_args: tuple[str, ...] = (),
        path: Path | None = None,
        name_file: bool = True,
    ) -> None:
        target = path if path is not None else folder / f"{name}{suffix}"
        if content is not None:
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        args = ["validate", str(target), "--format", reader, "--json", *extra_args]
        cases.append(
            Case(f"{reader}/{name}", args, exit, rows_, message, name_file, file=target.name)
        )

    add("valid", base, 0, (n, 0))
    for name, kind, value in CELL_MUTATIONS:
        col = spec[kind]
        if value == "ambiguous":
            value = spec["ambiguous"]
        bad = [list(r) for r in rows]
        bad[2][header.index(col)] = value
        if reader == "counts" and name == "date_ambiguous":
            # The plain-count reader settles day/month order from the whole column, or stops.
            add(name, _csv(header, bad), 2, message="day/month")
            continue
        add(name, _csv(header, bad), 1, (n, 1))
    # Structural problems.
    add("empty", "", 2, message="empty")
    add("blank_only", "\n  \n\n", 2, message="empty")
    add("header_only", _csv(header, []), 2, message="no data rows")
    add(
        "missing_date_column",
        _csv(
            [h for h in header if h != spec["date"]],
            [[v for h, v in zip(header, r, strict=True) if h != spec["date"]] for r in rows],
        ),
        2,
        message="no date column" if reader == "counts" else "missing required column",
    )
    add(
        "duplicate_header",
        _csv([*header, header[1]], [[*r, r[1]] for r in rows]),
        2,
        message="appears twice",
    )
    add(
        "empty_header_field",
        _csv([*header, ""], [[*r, ""] for r in rows]),
        2,
        message="header field",
    )
    ragged = [list(r) for r in rows]
    ragged[1] = [*ragged[1], "extra"]
    add("ragged_extra_field", _csv(header, ragged), 1, (n, 1))
    short = [list(r) for r in rows]
    short[1] = short[1][:-1]
    add("ragged_short_row", _csv(header, short), 1, (n, 1))
    lines = base.splitlines()
    unclosed = lines[:2] + [lines[2] + ',"oops'] + lines[3:]
    add("unclosed_quote_at_end", "\n".join(unclosed) + "\n", 2, message="quote opens")
    mid = list(lines)
    mid[2] = lines[2].rsplit(",", 1)[0] + ',"' + lines[2].rsplit(",", 1)[1]
    mid[4] = lines[4] + '"'
    add("stray_quote_swallows_rows", "\n".join(mid) + "\n", 2, message="quote opens")
    add("blank_lines_between_rows", "\n\n".join(base.splitlines()) + "\n", 0, (n, 0))
    add("leading_blank_lines", "\n\n" + base, 0, (n, 0))
    add("whitespace_only_lines", base.replace("\n", "\n   \n", 2), 0, (n, 0))
    add("crlf", base.replace("\n", "\r\n"), 0, (n, 0))
    add("utf8_bom", codecs.BOM_UTF8 + base.encode("utf-8"), 0, (n, 0))
    add("utf16_bom", base.encode("utf-16"), 0, (n, 0))
    add("semicolon", _csv(header, rows, ";"), 0, (n, 0))
    add(
        "tab_option",
        _csv(header, rows, "\t"),
        0,
        (n, 0),
        suffix=".tsv",
        extra_args=("--delimiter", "\\t"),
    )
    add(
        "delimiter_two_chars",
        base,
        2,
        message="delimiter",
        extra_args=("--delimiter", ";;"),
        name_file=False,
    )
    add(
        "delimiter_empty",
        base,
        2,
        message="delimiter",
        extra_args=("--delimiter", ""),
        name_file=False,
    )
    add("gzip", gzip.compress(base.encode("utf-8")), 0, (n, 0), suffix=".csv.gz")
    add(
        "gzip_truncated",
        gzip.compress(base.encode("utf-8"))[:20],
        2,
        message="gzip",
        suffix=".csv.gz",
    )
    zbuf = folder / "zip.zip"
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("table.csv", base)
    add("zip", None, 0, (n, 0), path=zbuf)
    z2 = folder / "zip_two_members.zip"
    with zipfile.ZipFile(z2, "w") as zf:
        zf.writestr("a.csv", base)
        zf.writestr("b.csv", base)
    add("zip_two_members", None, 2, message="exactly one", path=z2)
    xlsx = folder / "xlsx.xlsx"
    pd.DataFrame(rows, columns=header).to_excel(xlsx, index=False)
    add("xlsx", None, 0, (n, 0), path=xlsx)
    add("pdf_named_csv", b"%PDF-1.4\n%binary", 2, message="PDF")
    add("xls_named_csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, 2, message="xls")
    add("directory", None, 2, message="directory", path=_mkdir(folder / "a_directory"))
    add("missing_file", None, 2, message="not found", path=folder / "does_not_exist.csv")
    add(
        "upper_case_header",
        _csv([spec["upper"] if h == spec["date"] else h for h in header], rows),
        0,
        (n, 0),
    )
    if spec["text"] is not None:
        col = header.index(spec["text"])
        cp = [list(r) for r in rows]
        cp[1][col] = "caf\udce9"  # one cp1252 byte (0xE9) in a UTF-8 file
        add("cp1252_byte_in_a_row", _csv(header, cp).encode("utf-8", "surrogateescape"), 1, (n, 1))
        huge = [list(r) for r in rows]
        huge[1][col] = "x" * 1_048_577
        add("field_over_max_chars", _csv(header, huge), 1, (n, 1))
        big = [list(r) for r in rows]
        big[1][col] = "x" * 200_000
        add("field_200k_chars", _csv(header, big), 0, (n, 0))
        ml = [list(r) for r in rows]
        ml[1][col] = '"two\nlines"'
        add("line_break_inside_quotes", _csv(header, ml), 0, (n, 0))
        nul = [list(r) for r in rows]
        nul[1][col] = "a\x00b"
        add("nul_byte_in_text", _csv(header, nul), 0, (n, 0))
        arabic = [list(r) for r in rows]
        arabic[1][col] = "كفرنبل"
        add("arabic_text", _csv(header, arabic), 0, (n, 0))
    if reader in ("incidents", "tallies", "counts"):
        _time_and_offset_cases(add, header, rows, header.index(spec["date"]))
    return cases


def _time_and_offset_cases(add: Callable[..., None], header, rows, col: int) -> None:
    """Dates with a time of day, with UTC offsets (one or mixed, with ``%z``): read, by day."""
    n = len(rows)
    timed = [list(r) for r in rows]
    for i, r in enumerate(timed):
        r[col] = f"{r[col]} 14:3{i}"
    add("date_with_time_of_day", _csv(header, timed), 0, (n, 0))
    zoned = [list(r) for r in rows]
    for i, r in enumerate(zoned):
        r[col] = f"{r[col]}T23:30{('+02:00', '-05:00', 'Z', '+0530')[i % 4]}"
    add("date_with_mixed_utc_offsets", _csv(header, zoned), 0, (n, 0))
    fmt = ("--date-format", "%Y-%m-%d %H:%M%z")
    one = [list(r) for r in rows]
    for r in one:
        r[col] = f"{r[col]} 10:00+02:00"
    add("date_format_with_utc_offset", _csv(header, one), 0, (n, 0), extra_args=fmt)
    mixed = [list(r) for r in rows]
    for i, r in enumerate(mixed):
        r[col] = f"{r[col]} 10:00{('+02:00', '-05:00', '+00:00', '+05:30')[i % 4]}"
    add("date_format_with_mixed_offsets", _csv(header, mixed), 0, (n, 0), extra_args=fmt)


def _series_grid_cases(root: Path) -> list[Case]:
    """Counts and tallies files whose period, columns or regions once misled the readers."""
    folder = _mkdir(root / "series_grid")
    weeks = [f"{d:%Y-%m-%d}" for d in pd.date_range("2023-01-02", periods=12, freq="7D")]
    weeks[5] = "2023-02-08"  # a Wednesday among Mondays: once read the whole file as daily
    ends = [f"{d:%Y-%m-%d}" for d in pd.date_range("2020-01-31", periods=12, freq="ME")]
    ends[7] = "2020-08-30"  # one month-end typed as the 30th
    days = [f"{d:%Y-%m-%d}" for d in pd.date_range("2024-01-01", periods=4)]
    tallies = [
        [d, r, str(10 * i + (r == "South"))] for i, d in enumerate(days) for r in ("North", "South")
    ]
    specs: list[tuple[str, str, list[list[str]], tuple[str, ...], int, Any]] = [
        ("counts_weekly_off_grid", "counts", [["week", "killed"], *([w, "3"] for w in weeks)],
         ("--label", "start"), 1, (12, 1)),
        ("counts_monthly_end_typo", "counts", [["month", "killed"], *([m, "4"] for m in ends)],
         (), 1, (12, 1)),
        ("counts_text_column", "counts", [["date", "killed", "region"], *([d, "1", "North"] for d in days)],
         (), 0, (4, 0)),
        ("counts_stray_word", "counts", [["date", "killed"], *([d, "x" if i == 1 else "1"] for i, d in enumerate(days))],
         (), 1, (4, 1)),
        ("tallies_region_filtered", "tallies", [["date", "region", "cumulative_killed"], *tallies],
         ("--region", "north"), 0, (8, 0)),
        ("tallies_region_absent", "tallies", [["date", "region", "cumulative_killed"], *tallies],
         ("--region", "East"), 2, "its regions are 'North', 'South'"),
    ]  # fmt: skip
    cases = []
    for name, reader, table, extra, exit, expect in specs:
        target = folder / f"{name}.csv"
        target.write_text(_csv(table[0], table[1:]), encoding="utf-8")
        args = ["validate", str(target), "--format", reader, "--json", *extra]
        rows_, message = (expect, None) if isinstance(expect, tuple) else (None, expect)
        cases.append(Case(f"{reader}/{name}", args, exit, rows_, message, file=target.name))
    return cases


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


CLAIMS_HEADER = "as_of,window_start,window_end,quantity,value,qualifier"


def _claims_cases(root: Path) -> list[Case]:
    folder = _mkdir(root / "claims")
    good = "2019-09-04,2019-04-29,2019-08-29,civilian deaths,300,at least"
    variants = {
        "value_dot_thousands": (
            "2019-09-04,2019-04-29,2019-08-29,civilian deaths,1.089,",
            "thousands",
        ),
        "value_comma_thousands": (
            '2019-09-04,2019-04-29,2019-08-29,civilian deaths,"1,089",',
            "thousands",
        ),
        "value_fraction_count": (
            "2019-09-04,2019-04-29,2019-08-29,civilian deaths,10.5,",
            "whole number",
        ),
        "value_negative": ("2019-09-04,2019-04-29,2019-08-29,civilian deaths,-3,", "negative"),
        "value_text": ("2019-09-04,2019-04-29,2019-08-29,civilian deaths,many,", "not a number"),
        "value_overflow": ("2019-09-04,2019-04-29,2019-08-29,civilian deaths,1e19,", "value"),
        "date_far_future": (
            "2999-09-04,2019-04-29,2019-08-29,civilian deaths,3,",
            "outside the accepted dates",
        ),
        "date_ambiguous": ("04/09/2019,2019-04-29,2019-08-29,civilian deaths,3,", "day and month"),
        "date_vague": ("end of April,2019-04-29,2019-08-29,civilian deaths,3,", "as_of"),
        "window_reversed": ("2019-09-04,2019-08-29,2019-04-29,civilian deaths,3,", "before"),
        "unknown_qualifier": (
            "2019-09-04,2019-04-29,2019-08-29,civilian deaths,3,roughly-ish",
            "qualifier",
        ),
    }
    cases = []
    for name, (row, msg) in variants.items():
        path = folder / f"{name}.csv"
        path.write_text(f"{CLAIMS_HEADER}\n{good}\n{row}\n", encoding="utf-8")
        cases.append(
            Case(
                f"claims/{name}", ["claims", "--claims", str(path)], 2, message=msg, file=path.name
            )
        )
    structural = {
        "empty": ("", "empty"),
        "missing_value_column": (
            "as_of,window_start,window_end,quantity\n2019-09-04,2019-04-29,2019-08-29,deaths\n",
            "value",
        ),
        "unclosed_quote": (
            f'{CLAIMS_HEADER}\n{good}\n2019-09-04,2019-04-29,"2019-08-29,civilian deaths,3,\n{good}\n',
            "quote opens",
        ),
        "binary": (b"\x89PNG\r\n\x1a\n", "PNG"),
    }
    for name, (content, msg) in structural.items():
        path = folder / f"{name}.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        cases.append(
            Case(
                f"claims/{name}", ["claims", "--claims", str(path)], 2, message=msg, file=path.name
            )
        )
    return cases


def _timeline_cases(root: Path, out: Path) -> list[Case]:
    folder = _mkdir(root / "timelines")
    variants = {
        "date_far_future": ("event_id,date,event\ne1,2999-01-01,x\n", "outside the accepted dates"),
        "date_impossible": ("event_id,date,event\ne1,2019-02-30,x\n", "calendar date"),
        "date_ambiguous": ("event_id,date,event\ne1,31/08/2019,x\n", "day and month"),
        "bad_id": ("event_id,date,event\nnot an id,2019-08-31,x\n", "event id"),
        "duplicate_id": ("event_id,date,event\ne1,2019-08-31,x\ne1,2019-09-01,y\n", "duplicate"),
        "end_before_start": ("event_id,date,end,event\ne1,2019-08-31,2019-08-01,x\n", "before"),
        "missing_date_column": ("event_id,event\ne1,x\n", "missing"),
        "unclosed_quote": (
            'event_id,date,event\ne1,2019-08-31,"x\ne2,2019-09-01,y\n',
            "quote opens",
        ),
        "empty": ("", "empty"),
    }
    cases = []
    for name, (content, msg) in variants.items():
        path = folder / f"{name}.csv"
        path.write_text(content, encoding="utf-8")
        args = ["report", "--events", str(path), "--out", str(out / name), "--quiet"]
        cases.append(Case(f"timeline/{name}", args, 2, message=msg, file=path.name))
    return cases


def _toml_cases(root: Path, out: Path) -> list[Case]:
    folder = _mkdir(root / "toml")
    binary = folder / "binary_data.csv"
    binary.write_bytes(b"%PDF-1.4 not a table")
    variants = {
        "syntax_error": ("data = 3\n[[x", "TOML"),
        "unknown_key": ('dta = "x.csv"\n', "dta"),
        "wrong_type": ("freq = 3\n", "freq"),
        "table_section": ('[report]\nfreq = "D"\n', "report"),
        "missing_data_file": ('data = "nope.csv"\nformat = "incidents"\n', "nope.csv"),
        "unreadable_data_file": (f'data = "{binary.name}"\nformat = "incidents"\n', binary.name),
        "bad_format": ('data = "x.csv"\nformat = "excel"\n', "format"),
        "not_utf8": (b'title = "caf\xe9"\n', "config"),
    }
    cases = []
    for name, (content, msg) in variants.items():
        path = folder / f"{name}.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        args = ["report", "--config", str(path), "--out", str(out / f"toml_{name}"), "--quiet"]
        named = msg if name in ("missing_data_file", "unreadable_data_file") else path.name
        cases.append(Case(f"toml/{name}", args, 2, message=msg, file=named))
    missing = folder / "absent.toml"
    cases.append(
        Case(
            "toml/absent",
            ["report", "--config", str(missing), "--quiet"],
            2,
            message="not found",
            file=missing.name,
        )
    )
    return cases


def _report_cases(root: Path, out: Path) -> list[Case]:
    folder = _mkdir(root / "report")
    a_file = folder / "out_is_a_file"
    a_file.write_text("not a folder", encoding="utf-8")
    bad_data = folder / "bad.csv"
    bad_data.write_text(
        'incident_id,date\nA,2019-05-01\nB,"2019-05-02\nC,2019-05-03\n', encoding="utf-8"
    )
    far = folder / "far.csv"
    far.write_text("incident_id,date,civilian_deaths_best\nA,2999-01-01,3\n", encoding="utf-8")
    cases = [
        Case(
            "report/out_is_a_file",
            ["report", "--out", str(a_file), "--quiet"],
            2,
            message="out_is_a_file",
            file=a_file.name,
        ),
        Case(
            "report/data_unclosed_quote",
            [
                "report",
                "--data",
                str(bad_data),
                "--format",
                "incidents",
                "--out",
                str(out / "r1"),
                "--quiet",
            ],
            2,
            message="quote opens",
            file=bad_data.name,
        ),
        Case(
            "report/data_missing",
            [
                "report",
                "--data",
                str(folder / "nope.csv"),
                "--format",
                "incidents",
                "--out",
                str(out / "r2"),
                "--quiet",
            ],
            2,
            message="not found",
            file="nope.csv",
        ),
        Case(
            "report/data_only_far_dates",
            [
                "report",
                "--data",
                str(far),
                "--format",
                "incidents",
                "--out",
                str(out / "r3"),
                "--quiet",
            ],
            2,
            message="far.csv",
            file=far.name,
        ),
        Case(
            "report/bad_freq",
            ["report", "--freq", "fortnightly", "--out", str(out / "r4"), "--quiet"],
            2,
            message="freq",
            name_file=False,
        ),
        Case(
            "report/unknown_intervention",
            ["report", "--intervention", "no_such_event", "--out", str(out / "r5"), "--quiet"],
            2,
            message="no_such_event",
            name_file=False,
        ),
        Case(
            "report/bad_family",
            ["report", "--family", "gaussian", "--out", str(out / "r6"), "--quiet"],
            2,
            message="gaussian",
            name_file=False,
        ),
        Case(
            "report/start_after_end",
            [
                "report",
                "--start",
                "2019-12-01",
                "--end",
                "2019-05-01",
                "--out",
                str(out / "r7"),
                "--quiet",
            ],
            2,
            message="2019",
            name_file=False,
        ),
        *_report_date_cases(folder, out),
        Case(
            "report/start_far_future",
            ["report", "--start", "2999-01-01", "--out", str(out / "r8"), "--quiet"],
            2,
            message="2999",
            name_file=False,
        ),
    ]
    return cases


def _report_date_cases(folder: Path, out: Path) -> list[Case]:
    """Command-line dates written with day/month numbers whose order nothing gives."""
    counts = folder / "counts_2018.csv"
    days = [f"2018-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    rows = [[d, str(i % 7)] for i, d in enumerate(days)]
    counts.write_text(_csv(["date", "killed"], rows), encoding="utf-8")
    base = ["report", "--data", str(counts), "--format", "counts", "--quiet"]
    cases = []
    for name, options in (
        ("intervention_day_month_unordered", ["--intervention", "03/02/2018"]),
        ("intervention_two_digit_year", ["--intervention", "13/02/18"]),
        ("start_day_month_unordered", ["--intervention", "2018-06-01", "--start", "03/02/2018"]),
        ("end_day_month_unordered", ["--intervention", "2018-06-01", "--end", "10/11/2018"]),
    ):
        cases.append(
            Case(
                f"report/{name}",
                [*base, *options, "--out", str(out / name)],
                2,
                message="--dayfirst or --monthfirst",
                name_file=False,
            )
        )
    return cases


def _frame_cases() -> list[Case]:
    """Odd DataFrames given to the library readers: a TrendsError or a balanced report."""

    def reader(name: str):
        import trends.ingest as ingest

        return getattr(ingest, name)

    good = pd.DataFrame(
        {
            "incident_id": ["A", "B"],
            "date": ["2019-05-01", "2019-05-02"],
            "civilian_deaths_best": [1, 2],
        }
    )
    frames: dict[str, tuple[str, Callable[[], pd.DataFrame], int, tuple[int, int] | None]] = {
        "incidents_strings": ("read_incidents", lambda: good, 0, (2, 0)),
        "incidents_datetime64": (
            "read_incidents",
            lambda: good.assign(date=pd.to_datetime(good["date"])),
            0,
            (2, 0),
        ),
        "incidents_float_counts_with_nan": (
            "read_incidents",
            lambda: good.assign(civilian_deaths_best=[1.0, float("nan")]),
            0,
            (2, 0),
        ),
        "incidents_huge_int": (
            "read_incidents",
            lambda: good.assign(civilian_deaths_best=[2**62, 1]),
            0,
            (2, 1),
        ),
        "incidents_empty_frame": ("read_incidents", lambda: good.iloc[:0], 0, (0, 0)),
        "incidents_int_column_names": (
            "read_incidents",
            lambda: good.set_axis([0, 1, 2], axis=1),
            2,
            None,
        ),
        "incidents_duplicate_columns": (
            "read_incidents",
            lambda: good.set_axis(["incident_id", "date", "date"], axis=1),
            2,
            None,
        ),
        "incidents_timestamps_2999": (
            "read_incidents",
            lambda: good.assign(date=["2999-01-01", "2019-05-01"]),
            0,
            (2, 1),
        ),
        "tallies_frame": (
            "read_tallies",
            lambda: pd.DataFrame(
                {"date": ["2019-05-01", "2019-05-02"], "cumulative_killed": [3, 5]}
            ),
            0,
            (2, 0),
        ),
        "acled_frame": (
            "read_acled",
            lambda: pd.DataFrame(
                {
                    "event_id_cnty": ["S1"],
                    "event_date": ["01 May 2019"],
                    "fatalities": [1],
                    "civilian_targeting": ["Civilian targeting"],
                }
            ),
            0,
            (1, 0),
        ),
        "ucdp_frame": (
            "read_ucdp",
            lambda: pd.DataFrame(
                {
                    "id": [1],
                    "date_start": ["2019-05-01"],
                    "date_end": ["2019-05-01"],
                    "best": [1],
                    "low": [1],
                    "high": [1],
                    "deaths_civilians": [1],
                    "deaths_unknown": [0],
                }
            ),
            0,
            (1, 0),
        ),
        "not_a_frame": ("read_incidents", lambda: [1, 2, 3], 2, None),
    }
    cases = []
    for name, (fn, make, exit, rows) in frames.items():
        cases.append(
            Case(
                f"dataframe/{name}",
                [],
                exit,
                rows,
                None,
                name_file=False,
                call=lambda fn=fn, make=make: reader(fn)(make()),
            )
        )
    return cases


def build_cases(root: Path) -> list[Case]:
    """Write every case's files under ``root`` and return the cases (the manifest)."""
    root.mkdir(parents=True, exist_ok=True)
    out = _mkdir(root / "_out")
    cases: list[Case] = []
    for reader, spec in READERS.items():
        cases.extend(_reader_cases(root, reader, spec))
    cases.extend(_series_grid_cases(root))
    cases.extend(_claims_cases(root))
    cases.extend(_timeline_cases(root, out))
    cases.extend(_toml_cases(root, out))
    cases.extend(_report_cases(root, out))
    cases.extend(_frame_cases())
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


@dataclass
class Outcome:
    """What happened when a case ran."""

    exit: int
    stdout: str
    stderr: str
    exception: BaseException | None = None
    rows: tuple[int, int] | None = None
    balanced: bool | None = None


def run_case(case: Case) -> Outcome:
    """Run one case in-process and record what happened."""
    if case.call is not None:
        return _run_library(case)
    from typer.testing import CliRunner

    from trends.cli import app

    result = CliRunner().invoke(app, case.args, catch_exceptions=True)
    exc = result.exception
    if isinstance(exc, SystemExit):
        exc = None
    stderr = result.stderr if result.stderr_bytes is not None else ""
    out = Outcome(result.exit_code, result.stdout, stderr, exc)
    if case.args and case.args[0] == "validate" and result.exit_code in (0, 1):
        try:
            payload = json.loads(result.stdout)
            out.rows = (payload["rows_read"], payload["rejected"])
            out.balanced = payload["rows_read"] == (
                payload["accepted"]
                + payload["rejected"]
                + payload["duplicates"]
                + payload.get("filtered", 0)
            )
        except (ValueError, KeyError):
            out.rows = None
    return out


def _run_library(case: Case) -> Outcome:
    from trends.errors import TrendsError

    try:
        _, report = case.call()
    except TrendsError as exc:
        return Outcome(2, "", str(exc))
    except Exception as exc:
        return Outcome(-1, "", repr(exc), exc)
    out = Outcome(0, report.report(), "", None, (report.rows_read, report.rejected))
    out.balanced = report.balanced
    return out


def classify(case: Case, outcome: Outcome) -> str:
    """One of :data:`CATEGORIES`."""
    if outcome.exception is not None or "Traceback (most recent call last)" in (
        outcome.stdout + outcome.stderr
    ):
        return "traceback"
    if outcome.exit != case.exit:
        if outcome.exit in (0, 1) and case.exit in (1, 2) and outcome.exit < case.exit:
            return "silently wrong"  # bad input accepted (in part or whole) without a word
        return "wrong exit code"
    if case.rows is not None and (outcome.rows != case.rows or outcome.balanced is False):
        return "silently wrong"
    if case.exit == 2 and case.call is None:
        text = outcome.stderr + outcome.stdout
        if case.message and case.message.lower() not in text.lower():
            return "unclear message"
        if case.name_file and case.file and case.file not in text:
            return "unclear message"
        if len(text.strip().splitlines()) > 3:
            return "unclear message"
    return "clean"


def measure(root: Path) -> tuple[Counter, list[tuple[Case, Outcome, str]]]:
    """Run every case; return the counts per category and the details."""
    cases = build_cases(root)
    counts: Counter = Counter()
    details = []
    for case in cases:
        outcome = run_case(case)
        verdict = classify(case, outcome)
        counts[verdict] += 1
        details.append((case, outcome, verdict))
    return counts, details


def table(counts: Counter) -> str:
    """The summary table (Markdown)."""
    total = sum(counts.values())
    head = "| cases | " + " | ".join(CATEGORIES) + " |"
    sep = "|" + "---|" * (len(CATEGORIES) + 1)
    row = f"| {total} | " + " | ".join(str(counts.get(c, 0)) for c in CATEGORIES) + " |"
    return "\n".join([head, sep, row])


def main(argv: list[str] | None = None) -> int:
    """Measure the importable ``trends`` on the corpus and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list the cases that fail")
    parser.add_argument("--json", dest="as_json", help="write per-case verdicts to this file")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    with tempfile.TemporaryDirectory() as tmp:
        counts, details = measure(Path(tmp) / "corpus")
    print(table(counts))
    if args.details:
        for case, outcome, verdict in details:
            if verdict != "clean":
                msg = (outcome.stderr or outcome.stdout).strip().splitlines()
                exc = f" {type(outcome.exception).__name__}" if outcome.exception else ""
                print(
                    f"{verdict:16} {case.name:45} exit {outcome.exit} (want {case.exit})"
                    f" rows {outcome.rows} (want {case.rows}){exc} :: {(msg or [''])[-1][:150]}"
                )
    if args.as_json:
        Path(args.as_json).write_text(
            json.dumps({c.name: v for c, _, v in details}, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

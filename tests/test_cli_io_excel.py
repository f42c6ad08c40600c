"""An .xlsx whose header is not on its first row (a title above it): the reader finds the row
that holds its columns among the first 20, says so in the ingest report, and counts only the
rows below it as data (row and worksheet-line numbers stay right). When no row holds them, the
error says that row 1 was read as the header."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import trends
from trends.cli import app
from trends.errors import MissingColumnsError

openpyxl = pytest.importorskip("openpyxl")
runner = CliRunner()


def _workbook(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def _counts_rows():
    data = [(f"2024-01-{d:02d}", d % 4) for d in range(1, 11)]
    data[4] = ("2024-01-05", "many")  # data row 5, worksheet row 8
    return [("Daily killed, monitor X",), ("downloaded 2024-02-01",), (), ("date", "killed"), *data]


def _acled_rows():
    header = ("event_id_cnty", "event_date", "event_type", "civilian_targeting", "fatalities")
    data = [
        ("SYR1", "01 April 2019", "Violence against civilians", "Civilian targeting", 2),
        ("SYR2", "02 April 2019", "Battles", "", 5),
        ("SYR3", "03 April 2019", "Explosions/Remote violence", "Civilian targeting", 1),
    ]
    return [("ACLED export downloaded 2024",), (), header, *data]


def test_counts_header_below_a_title(tmp_path):
    path = _workbook(tmp_path / "counts.xlsx", _counts_rows())
    result = runner.invoke(app, ["validate", str(path), "--format", "counts", "--json"])
    assert result.exit_code == 1, result.output  # one bad row
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["accepted"], report["rejected"]) == (10, 9, 1)
    assert [(e["row"], e["line"]) for e in report["errors"]] == [(5, 9)]
    assert any("header is worksheet row 4" in n for n in report["notes"])
    assert any("rows 1-3" in n for n in report["notes"])


def test_acled_header_below_a_title(tmp_path):
    path = _workbook(tmp_path / "acled.xlsx", _acled_rows())
    table, report = trends.read(path, format="acled")
    assert report.rows_read == report.accepted == 3 and list(table["incident_id"]) == [
        "SYR1",
        "SYR2",
        "SYR3",
    ]
    assert any("header is worksheet row 3" in n for n in report.notes)


def test_ucdp_and_incidents_find_it_too(tmp_path):
    rows = [("Incidents, compiled by us",), ("date", "civilian_deaths_best"),
            ("2024-01-01", 1), ("2024-01-02", 2)]  # fmt: skip
    path = _workbook(tmp_path / "inc.xlsx", rows)
    _, report = trends.read(path, format="incidents")
    assert report.rows_read == report.accepted == 2
    assert any("header is worksheet row 2" in n for n in report.notes)
    ucdp = [("UCDP GED",), ("id", "date_start", "date_end", "best", "low", "high",
            "deaths_civilians", "deaths_unknown", "type_of_violence"),
            ("1", "2019-05-01", "2019-05-01", 3, 2, 4, 3, 0, 3)]  # fmt: skip
    _, report = trends.read(_workbook(tmp_path / "ged.xlsx", ucdp), format="ucdp")
    assert report.rows_read == report.accepted == 1


def test_a_header_on_row_one_gets_no_note(tmp_path):
    path = _workbook(tmp_path / "plain.xlsx", _counts_rows()[3:])
    _, report = trends.read(path, format="counts")
    assert report.rows_read == 10
    assert not any("header is worksheet row" in n for n in report.notes)


def test_no_header_found_says_row_one_was_read(tmp_path):
    path = _workbook(tmp_path / "acled.xlsx", [("a title",), ("x", "y"), ("1", "2")])
    with pytest.raises(MissingColumnsError, match="Worksheet row 1 was read as the header"):
        trends.read(path, format="acled")
    result = runner.invoke(app, ["validate", str(path), "--format", "ucdp"])
    assert result.exit_code == 2 and "Worksheet row 1 was read as the header" in result.stderr
    assert "Traceback" not in result.output

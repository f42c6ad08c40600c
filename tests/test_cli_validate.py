"""`trends validate`: the ingest report on the command line, with documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from trends.cli import app

runner = CliRunner()
HEADER = "incident_id,date,civilian_deaths_best"


@pytest.fixture
def mixed(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(f"{HEADER}\nA,2019-09-01,1\nB,2019-02-30,2\nA,2019-09-01,1\nC,2019-09-02,x\n")
    return path


def test_exit_0_when_every_row_is_accepted_or_merged(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(f"{HEADER}\nA,2019-09-01,1\nA,2019-09-01,1\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 accepted, 0 rejected, 1 merged as duplicates" in result.output


def test_exit_1_and_json_shape_when_rows_are_rejected(mixed):
    result = runner.invoke(app, ["validate", str(mixed), "--format", "incidents", "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert {k: payload[k] for k in ("rows_read", "accepted", "rejected", "duplicates")} == {
        "rows_read": 4,
        "accepted": 1,
        "rejected": 2,
        "duplicates": 1,
    }
    # Issue 11 item 6: each rejected row also gives its file line and the value.
    assert payload["errors"] == [
        {
            "row": 2,
            "line": 3,
            "column": "date",
            "reason": "is not a real calendar date ('2019-02-30' does not exist)",
            "value": "2019-02-30",
        },
        {
            "row": 4,
            "line": 5,
            "column": "civilian_deaths_best",
            "reason": "is not a number",
            "value": "x",
        },
    ]


def test_exit_2_with_reason_on_stderr_when_unreadable(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["validate", str(empty)])
    assert result.exit_code == 2
    assert "file is empty" in result.stderr
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "file not found" in result.stderr
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,when\n1,2019-01-01\n")
    result = runner.invoke(app, ["validate", str(wrong)])
    assert result.exit_code == 2 and "missing required column" in result.stderr


def test_unknown_format_is_a_usage_error(mixed):
    result = runner.invoke(app, ["validate", str(mixed), "--format", "xls"])
    assert result.exit_code == 2


def test_console_script_runs_as_a_process(mixed):
    proc = subprocess.run(
        [sys.executable, "-m", "trends.cli", "validate", str(mixed), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["rejected"] == 2


def test_a_header_only_file_is_refused_with_exit_2(tmp_path):
    """No data rows is not a file that passed: exit 2 and one line saying so (as `report`)."""
    path = tmp_path / "header.csv"
    path.write_text(f"{HEADER}\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "has no data rows" in result.output


def test_a_negative_count_of_attacks_is_not_called_a_count_of_people(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("date,attacks,killed\n2023-01-01,3,1\n2023-01-02,-4,0\n")
    result = runner.invoke(app, ["validate", str(path), "--format", "counts"])
    assert "column 'attacks': is negative; counts cannot be below zero (value '-4')" in (
        result.output
    )
    assert "people" not in result.output.split("column 'attacks'", 1)[1].splitlines()[0]

"""A bad ``--date-format`` is bad input (exit 2, an InputError naming the option and the
directive), never an internal error, whatever the reader."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import trends
from trends.cli import app
from trends.errors import InputError

runner = CliRunner()


@pytest.fixture
def counts(tmp_path):
    path = tmp_path / "base.csv"
    path.write_text("date,killed\n2024-01-01,3\n2024-01-02,4\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["counts", "incidents", "tallies"])
@pytest.mark.parametrize("bad", ["%Q", "%d/%m/%Y %", "%G-%V"])
def test_validate_refuses_a_bad_date_format(counts, fmt, bad):
    result = runner.invoke(app, ["validate", str(counts), "--format", fmt, "--date-format", bad])
    assert result.exit_code == 2, result.output
    assert f"--date-format {bad!r}" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.output


def test_the_message_names_the_directive(counts):
    result = runner.invoke(app, ["validate", str(counts), "-f", "counts", "--date-format", "%Q"])
    assert "'Q' is a bad directive" in result.stderr


@pytest.mark.parametrize("fmt", ["counts", "incidents", "tallies"])
def test_python_raises_an_input_error(counts, fmt):
    with pytest.raises(InputError, match="'Q' is a bad directive"):
        trends.read(counts, format=fmt, date_format="%Q")


def test_report_refuses_it_too(counts, tmp_path):
    result = runner.invoke(app, [
        "report", "--data", str(counts), "--format", "counts", "--intervention", "2024-01-02",
        "--date-format", "%Q", "--out", str(tmp_path / "out"), "-q",
    ])  # fmt: skip
    assert result.exit_code == 2 and "--date-format '%Q'" in result.stderr


def test_a_good_format_still_reads(counts):
    table, report = trends.read(counts, format="counts", date_format="%Y-%m-%d")
    assert report.accepted == 2


@pytest.mark.parametrize("with_events", [False, True])
def test_an_impossible_intervention_date_is_named_as_such(tmp_path, counts, with_events):
    args = ["report", "--data", str(counts), "--format", "counts"]
    args += ["--intervention", "2023-02-30", "--out", str(tmp_path / "out")]
    if with_events:
        events = tmp_path / "events.csv"
        events.write_text(
            "event_id,date,time_local,event,kind,source,url\n"
            "cf,2024-01-02,,Ceasefire,ceasefire,UN,https://example.org/a\n",
            encoding="utf-8",
        )
        args += ["--events", str(events)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "--intervention: is not a real calendar date (value '2023-02-30')" in result.output
    assert "neither an event id nor" not in result.output


def test_text_that_is_not_a_date_still_says_so(tmp_path, counts):
    args = ["report", "--data", str(counts), "--format", "counts"]
    args += ["--intervention", "someday", "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "'someday' is neither an event id nor a date (YYYY-MM-DD)" in result.output

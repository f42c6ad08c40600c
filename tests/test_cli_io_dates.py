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


def test_a_time_given_with_the_intervention_date_is_kept(tmp_path):
    import numpy as np
    import pandas as pd
    from typer.testing import CliRunner

    from trends.cli import app

    rng = np.random.default_rng(8)
    index = pd.date_range("2023-01-01", periods=160)
    frame = pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "killed": rng.poisson(3.0, 160)})
    frame.to_csv(tmp_path / "daily.csv", index=False)
    out = tmp_path / "out"
    args = ["report", "--data", str(tmp_path / "daily.csv"), "--format", "counts"]
    args += ["--intervention", "2023-04-15 18:30", "--out", str(out), "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Did the intervention at 18:30 on 15 Apr 2023 change" in md
    row = next(ln for ln in md.splitlines() if ln.startswith("| Intervention day"))
    assert "It took effect at 18:30" in row
    assert "| 18:30 on 15 Apr 2023 (a date) |" in md

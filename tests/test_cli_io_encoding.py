"""``--encoding`` reaches every text file a command reads: the data, ``--events`` and
``--claims`` (``--events-encoding`` and ``--claims-encoding`` give those files their own), on the
command line and in a TOML config, as the message about a non-UTF-8 file says."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.config import ReportConfig
from trends.report import load_inputs

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    days = pd.date_range("2024-01-01", periods=200)
    data = tmp_path / "base.csv"
    data.write_text(
        "date,killed\n" + "".join(f"{d:%Y-%m-%d},{3 + i % 5}\n" for i, d in enumerate(days)),
        encoding="utf-8",
    )
    events = tmp_path / "ev_latin1.csv"
    events.write_text(
        "event_id,date,time_local,event,kind\noff,2024-01-01,,Offensive,offensive\n"
        "cf,2024-04-10,06:00,Trêve,ceasefire\n",
        encoding="cp1252",
    )
    claims = tmp_path / "cl_latin1.csv"
    claims.write_text(
        "claim_id,as_of,window_start,window_end,quantity,qualifier,value,source\n"
        "A,2024-06-01,2024-04-10,2024-05-31,killed,more_than,50,Ministère\n",
        encoding="cp1252",
    )
    return {"data": data, "events": events, "claims": claims, "dir": tmp_path}


def _config(files, **options):
    return ReportConfig.from_mapping(
        {"data": files["data"], "format": "counts", "intervention": "cf", **options}
    ).with_defaults()


def test_encoding_reaches_the_events_and_claims_files(files):
    inputs = load_inputs(_config(files, events=files["events"], claims=files["claims"],
                                 encoding="cp1252"))  # fmt: skip
    assert inputs.timeline["cf"].name == "Trêve"
    assert list(inputs.claims["source"]) == ["Ministère"]


def test_events_and_claims_encodings_of_their_own(files):
    inputs = load_inputs(_config(files, events=files["events"], claims=files["claims"],
                                 events_encoding="cp1252", claims_encoding="cp1252"))  # fmt: skip
    assert inputs.timeline["cf"].name == "Trêve"
    assert list(inputs.claims["source"]) == ["Ministère"]


def test_without_encoding_the_message_names_the_option_that_works(files):
    result = runner.invoke(app, [
        "claims", "--data", str(files["data"]), "--format", "counts",
        "--claims", str(files["claims"]),
    ])  # fmt: skip
    assert result.exit_code == 2
    # the claims file's own option: --encoding would also change how the data are read
    assert "--claims-encoding cp1252" in result.stderr and "Traceback" not in result.output
    events = runner.invoke(app, [
        "report", "--data", str(files["data"]), "--format", "counts",
        "--events", str(files["events"]), "--intervention", "cf",
        "--out", str(files["dir"] / "out"),
    ])  # fmt: skip
    assert events.exit_code == 2 and "--events-encoding cp1252" in events.stderr


@pytest.mark.parametrize("option", ["--encoding", "--claims-encoding"])
def test_claims_command_reads_a_cp1252_claims_file(files, option):
    result = runner.invoke(app, [
        "claims", "--data", str(files["data"]), "--format", "counts",
        "--claims", str(files["claims"]), option, "cp1252",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "A" in result.stdout


def test_report_options_and_toml_keys(files):
    help_text = runner.invoke(app, ["report", "--help"], terminal_width=200).output
    assert "--events-encoding" in help_text and "--claims-encoding" in help_text
    toml = files["dir"] / "run.toml"
    toml.write_text(
        f'data = "{files["data"].name}"\nformat = "counts"\nintervention = "cf"\n'
        f'events = "{files["events"].name}"\nclaims = "{files["claims"].name}"\n'
        'encoding = "cp1252"\n',
        encoding="utf-8",
    )
    inputs = load_inputs(ReportConfig.from_toml(toml).with_defaults())
    assert inputs.timeline["cf"].name == "Trêve"
    assert list(inputs.claims["source"]) == ["Ministère"]

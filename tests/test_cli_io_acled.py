"""``--civilian-proxy``: an older ACLED export without a ``civilian_targeting`` column can be read
from the command line and a TOML config, and the error that asks for it names the option."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.config import READ_OPTIONS, ReportConfig
from trends.errors import InputError
from trends.ingest.acled import CIVILIAN_PROXIES

runner = CliRunner()


@pytest.fixture
def old_export(tmp_path):
    path = tmp_path / "acled_noct.csv"
    rows = [
        "event_id_cnty,event_date,event_type,sub_event_type,country,admin1,location,fatalities",
        "SYR1,01 April 2019,Violence against civilians,Attack,Syria,Idlib,Kafr Nabl,2",
        "SYR2,02 April 2019,Battles,Armed clash,Syria,Idlib,Kafr Nabl,5",
        "SYR3,03 April 2019,Explosions/Remote violence,Air/drone strike,Syria,Hama,Kafar Zeita,1",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _help(command: str) -> str:
    return runner.invoke(app, [command, "--help"], terminal_width=200).output


def test_the_error_names_the_command_line_option(old_export):
    result = runner.invoke(app, ["validate", str(old_export), "--format", "acled"])
    assert result.exit_code == 2
    assert "--civilian-proxy violence_against_civilians" in result.stderr
    assert "Traceback" not in result.output


def test_validate_reads_an_older_export_with_the_option(old_export):
    result = runner.invoke(app, [
        "validate", str(old_export), "--format", "acled", "--json",
        "--civilian-proxy", "violence_against_civilians",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"accepted": 3' in result.stdout
    assert "violence_against_civilians" in result.stdout


def test_every_command_reading_data_takes_it_with_the_reader_choices():
    assert "civilian_proxy" in READ_OPTIONS
    for command in ("validate", "report", "claims"):
        assert "--civilian-proxy" in _help(command)
    bad = runner.invoke(app, ["validate", "x.csv", "--format", "acled", "--civilian-proxy", "x"])
    assert bad.exit_code == 2
    assert all(p in bad.output for p in CIVILIAN_PROXIES)


def test_it_does_not_apply_to_other_formats(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("date,killed\n2024-01-01,3\n", encoding="utf-8")
    result = runner.invoke(app, [
        "validate", str(path), "--format", "counts", "--civilian-proxy", "all_events",
    ])  # fmt: skip
    assert result.exit_code == 2 and "--civilian-proxy does not apply" in result.stderr


def test_toml_key(tmp_path, old_export):
    from trends.report import load_inputs

    toml = tmp_path / "run.toml"
    toml.write_text(
        f'data = "{old_export.name}"\nformat = "acled"\n'
        'civilian_proxy = "violence_against_civilians"\n',
        encoding="utf-8",
    )
    inputs = load_inputs(ReportConfig.from_toml(toml).with_defaults())
    assert inputs.ingest.accepted == 3
    assert inputs.ingest.choices["civilian_proxy"] == "violence_against_civilians"
    toml.write_text('civilian_proxy = "civilians"\n', encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("'civilian_proxy' must be one of")):
        ReportConfig.from_toml(toml)

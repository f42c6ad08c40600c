"""``--region`` on a tallies file (sweep 4): rows of other regions are *filtered out*, a separate
count that adds up (read = accepted + rejected + duplicates + filtered) in validate, the
report's Data section and results.json; a region the file does not have is refused (exit 2)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.errors import InputError
from trends.ingest.report import IngestReport
from trends.ingest.tallies import read_tallies

runner = CliRunner()


def _two_regions(path, days: int = 60):
    rng = np.random.default_rng(4)
    dates = pd.date_range("2024-01-01", periods=days)
    north = np.cumsum(rng.poisson(np.where(np.arange(days) < days // 2, 5.0, 2.0)))
    if days > 16:
        north[12:16] = north[11]  # a total frozen for four days: not reported, never zero
    south = np.cumsum(rng.poisson(3.0, days))
    lines = ["date,region,cumulative_killed"]
    for d, n, s in zip(dates, north, south, strict=True):
        lines += [f"{d:%Y-%m-%d},North,{n}", f"{d:%Y-%m-%d},South,{s}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_other_regions_are_filtered_out_not_rejected(tmp_path):
    path = _two_regions(tmp_path / "t.csv")
    _, report = read_tallies(path, region="north")
    assert (report.rows_read, report.accepted, report.rejected) == (120, 60, 0)
    assert report.filtered == 60 and report.balanced and report.ok and report.errors == []
    note = next(n for n in report.notes if n.startswith("region filter"))
    assert "60 rows of other regions ('South') filtered out" in note
    assert "60 filtered out" in report.report().splitlines()[0]
    assert report.to_dict()["filtered"] == 60 and report.summary()["filtered"].iloc[0] == 60


def test_a_row_without_a_region_is_rejected_when_a_region_is_asked_for(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("date,region,cumulative_killed\n2024-01-01,North,1\n2024-01-01,South,4\n"
                    "2024-01-02,,2\n2024-01-03,North,5\n")  # fmt: skip
    _, report = read_tallies(path, region="North")
    assert (report.accepted, report.rejected, report.filtered) == (2, 1, 1)
    assert report.errors[0].row == 3 and "has no region" in report.errors[0].reason


def test_a_region_the_file_does_not_have_is_refused_naming_its_regions(tmp_path):
    path = _two_regions(tmp_path / "t.csv", days=5)
    with pytest.raises(InputError, match="its regions are 'North', 'South'"):
        read_tallies(path, region="East")
    result = runner.invoke(app, ["validate", str(path), "-f", "tallies", "--region", "East"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'East' is not in the file" in result.stderr


def test_validate_exit_0_and_json_counts_add_up(tmp_path):
    path = _two_regions(tmp_path / "t.csv", days=10)
    result = runner.invoke(app, ["validate", str(path), "-f", "tallies", "--region", "South"])
    assert result.exit_code == 0, result.output
    assert "20 rows read, 10 accepted, 0 rejected, 0 merged as duplicates, 10 filtered out" in (
        result.stdout
    )
    args = ["validate", str(path), "-f", "tallies", "--region", "South", "--json"]
    payload = json.loads(runner.invoke(app, args).stdout)
    assert payload["filtered"] == 10 and payload["rejected"] == 0
    assert payload["rows_read"] == sum(
        payload[k] for k in ("accepted", "rejected", "duplicates", "filtered")
    )


def test_combined_reports_add_the_filtered_rows():
    a = IngestReport("a", "tallies", rows_read=5, accepted=3, filtered=2)
    b = IngestReport("b", "tallies", rows_read=4, accepted=4)
    both = IngestReport.combine([a, b], "ab")
    assert both.filtered == 2 and both.balanced


@pytest.fixture(scope="module")
def region_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("region")
    path = _two_regions(folder / "regions.csv")
    out = folder / "out"
    result = runner.invoke(
        app,
        ["report", "--data", str(path), "--format", "tallies", "--region", "North",
         "--intervention", "2024-01-31", "--out", str(out), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_report_and_results_state_the_filtered_rows(region_report):
    data = json.loads((region_report / "results.json").read_text(encoding="utf-8"))["data"]
    assert (data["rows_read"], data["accepted"], data["rejected"], data["filtered"]) == (
        120, 60, 0, 60,
    )  # fmt: skip
    assert data["rows_read"] == data["accepted"] + data["rejected"] + data["duplicates"] + 60
    md = (region_report / "report.md").read_text(encoding="utf-8")
    assert "120 rows read, 60 accepted, 0 rejected, 0 merged as duplicates, 60 filtered out" in md
    assert "region filter 'North'" in md


def test_report_words_have_no_nan_and_choices_are_json(region_report):
    md = (region_report / "report.md").read_text(encoding="utf-8")
    assert "(NaN)" not in md
    assert "were not reported (blank) and were left out of the likelihood" in md
    data = json.loads((region_report / "results.json").read_text(encoding="utf-8"))["data"]
    assert data["choices"]["max_spread_days"] == 7  # a number stays a number, not "7"
    assert all(v not in ("None", "True", "False") for v in map(str, data["choices"].values()))

"""Every rejected row and merged duplicate is listed where the CLI sends the user.

`trends report` says on stderr that rows were rejected and points to report.md: the report
lists each rejected row (row, line, column, value, reason) and each merged duplicate, and
results.json holds all of them (``data.rejected_rows``, ``data.duplicate_rows``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def bad_counts_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rows")
    rng = np.random.default_rng(12)
    dates = pd.date_range("2023-01-01", periods=160, freq="D")
    killed = rng.poisson(np.where(np.arange(160) < 80, 4.0, 2.0))
    lines = ["date,killed"] + [f"{d:%Y-%m-%d},{k}" for d, k in zip(dates, killed, strict=True)]
    lines[11] = f"{dates[10]:%Y-%m-%d},eleven"  # not a number (data row 11, line 12)
    lines[31] = f"{dates[30]:%Y-%m-%d},-3"  # negative (row 31, line 32)
    lines.append(lines[50])  # the same day again with the same count: a duplicate
    path = folder / "monitor_counts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "out"
    result = runner.invoke(
        app,
        ["report", "--data", str(path), "--format", "counts", "--intervention", "2023-03-22",
         "--out", str(out), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result, out


def test_rejected_rows_are_listed_in_the_report_and_results(bad_counts_run):
    result, out = bad_counts_run
    assert "rejected" in result.stderr and "report.md" in result.stderr
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    data = payload["data"]
    assert data["rejected"] == 2
    assert data["rows_read"] == data["accepted"] + data["rejected"] + data["duplicates"]
    rows = {r["row"]: r for r in data["rejected_rows"]}
    assert set(rows) == {11, 31}
    assert rows[11]["line"] == 12 and rows[11]["column"] == "killed"
    assert rows[11]["value"] == "eleven" and rows[31]["value"] == "-3"
    assert all(r["reason"] for r in rows.values())
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Rejected rows (2" in md
    assert "| 11 | 12 | killed | eleven |" in md and "| 31 | 32 | killed | -3 |" in md


def test_merged_duplicates_are_listed_too(bad_counts_run):
    _, out = bad_counts_run
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))["data"]
    assert data["duplicates"] == len(data["duplicate_rows"]) == 1
    dup = data["duplicate_rows"][0]
    assert dup["row"] == 161 and dup["kept_row"] == 50
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Rows merged as duplicates (1)" in md


def test_a_missing_placebo_says_why_in_words():
    from types import SimpleNamespace

    from trends.report.context import _placebo

    problem = (
        "interrupted time series: the segment after the intervention (1 Mar 2024) has no "
        "events: a log-linear level change cannot be estimated"
    )
    a = SimpleNamespace(outcomes={
        "killed": SimpleNamespace(label="killed", placebo=None, its=None, problems=[problem]),
        "injured": SimpleNamespace(label="injured", placebo=None, its=object(), problems=[]),
    })  # fmt: skip
    killed, injured = (str(p) for p in _placebo(a))
    assert "interrupted time series, which could not be fitted" in killed
    assert "has no events" in killed and "not asked for" not in killed
    assert "it was not run" in injured


def test_claims_given_but_not_checkable_say_why():
    from types import SimpleNamespace

    from trends.report.context import _claims

    why = "Claims were not checked: the data are counts per month, and a claim counts days."
    head, _, _ = _claims(SimpleNamespace(claims=None, caveats=["Other caveat.", why]))
    assert head.paragraphs == [why]
    none, _, _ = _claims(SimpleNamespace(claims=None, caveats=[]))
    assert "give a claims table with --claims" in none.paragraphs[0]

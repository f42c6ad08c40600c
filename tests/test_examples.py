"""The example files of ``data/examples/``: present, rebuilt by their script, read row for row.

The derived examples (tallies, daily counts, spreadsheet) are read with every row accepted, the
imperfections put in by ``build_examples.py`` show up as the reader's flags, and the committed
files are exactly what the script computes from the bundled incidents.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from trends.errors import TrendsError
from trends.ingest import read, read_counts
from trends.ingest.tallies import read_tallies

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
SHEET_COLUMNS = {
    "Date": "date",
    "Village": "place",
    "Killed": "civilian_deaths_best",
    "Children killed": "child_deaths",
    "Injured": "injured",
    "Source": "source",
}
NEW_FILES = ("tallies_example.csv", "daily_counts_example.csv", "spreadsheet_example.xlsx")


def _build_module():
    spec = importlib.util.spec_from_file_location("build_examples", EXAMPLES / "build_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _csv_rows(name: str) -> list[dict[str, str]]:
    with (EXAMPLES / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", NEW_FILES)
def test_example_file_exists_and_is_small(name):
    path = EXAMPLES / name
    assert path.is_file(), f"{name} missing: run python data/examples/build_examples.py"
    assert path.stat().st_size < 200_000


def test_readme_says_the_examples_are_derived():
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name in NEW_FILES:
        assert name in text
    assert "derived examples" in text.lower()


def test_committed_csv_files_match_the_script():
    build = _build_module()
    incidents = build.read_incidents()
    assert _csv_rows("tallies_example.csv") == build.build_tallies(incidents)
    assert _csv_rows("daily_counts_example.csv") == build.build_counts(incidents)


def test_tallies_every_row_accepted_and_flags():
    table, report = read_tallies(EXAMPLES / "tallies_example.csv")
    rows = len(_csv_rows("tallies_example.csv"))
    assert report.balanced
    assert report.rows_read == rows and report.accepted == rows and report.rejected == 0
    kinds = {f["kind"] for f in report.flags}
    assert {"multi_day", "frozen"} <= kinds
    multi = {f["date"] for f in report.flags if f["kind"] == "multi_day"}
    assert {"2019-06-21", "2019-07-12"} <= multi  # the 48-hour report and the 4-day gap
    frozen = {f["date"] for f in report.flags if f["kind"] == "frozen"}
    assert {f"2019-10-{d:02d}" for d in range(5, 13)} <= frozen
    assert report.days_not_reported >= 8
    # The increments add up to the published totals (no revision in this file).
    cumulative = [int(r["cumulative_killed"]) for r in _csv_rows("tallies_example.csv")]
    assert int(table["new_killed"].sum()) == cumulative[-1] - cumulative[0]


def test_daily_counts_every_row_accepted():
    table, report = read_counts(EXAMPLES / "daily_counts_example.csv")
    rows = _csv_rows("daily_counts_example.csv")
    assert report.balanced and report.accepted == len(rows) and report.rejected == 0
    assert int(table["killed"].sum()) == sum(int(r["killed"]) for r in rows)


def test_spreadsheet_every_row_accepted_with_dayfirst():
    sheet = load_workbook(EXAMPLES / "spreadsheet_example.xlsx", read_only=True).active
    values = list(sheet.values)
    assert list(values[0]) == list(SHEET_COLUMNS)
    table, report = read(
        EXAMPLES / "spreadsheet_example.xlsx",
        format="incidents",
        columns=SHEET_COLUMNS,
        dayfirst=True,
    )
    assert report.balanced and report.accepted == len(values) - 1 and report.rejected == 0
    first_day = values[1][0]
    assert table["date"].iloc[0].strftime("%d/%m/%Y") == first_day
    killed = sum(v[2] for v in values[1:] if v[2] is not None)
    assert table["civilian_deaths_best"].sum() == killed


def test_spreadsheet_without_dayfirst_settles_day_first_itself():
    path = EXAMPLES / "spreadsheet_example.xlsx"
    table, report = read(path, format="incidents", columns=SHEET_COLUMNS)
    assert report.accepted == report.rows_read and report.rejected == 0
    assert "first field above 12 settles it" in report.choices["date_format"]
    given, _ = read(path, format="incidents", columns=SHEET_COLUMNS, dayfirst=True)
    assert table["date"].equals(given["date"])


def test_a_sheet_whose_days_are_all_12_or_less_is_refused_without_dayfirst():
    sheet = pd.DataFrame({"Date": ["03/08/2019", "11/08/2019"], "Killed": [2, 1]})
    with pytest.raises(TrendsError, match="dayfirst"):
        read(sheet, format="incidents", columns={"Date": "date", "Killed": "civilian_deaths_best"},
             strict=True)  # fmt: skip


def test_spreadsheet_rebuild_gives_the_same_bytes(tmp_path):
    build = _build_module()
    rows = build.build_sheet(build.read_incidents())
    rebuilt = tmp_path / "sheet.xlsx"
    build.write_xlsx(rebuilt, build.SHEET_COLUMNS, rows)
    assert rebuilt.read_bytes() == (EXAMPLES / "spreadsheet_example.xlsx").read_bytes()

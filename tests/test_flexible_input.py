"""Issue 9 item 3: flexible input that never guesses silently.

A hand-made spreadsheet ``Date,Village,Killed,Children killed,Injured,Source`` with day-first
dates, as CSV and as .xlsx; column mapping, case-insensitive headers and synonyms, generated ids,
``date_format`` / ``dayfirst``, gzip/zip, DataFrames on every reader.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zipfile

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.errors import InputError, SchemaError
from trends.ingest import read, read_acled, read_incidents, read_tallies, read_ucdp

runner = CliRunner()
HEADER = ["Date", "Village", "Killed", "Children killed", "Injured", "Source"]
ROWS = [
    ["03/02/2024", "Kafr Nabl", "4", "1", "7", "civil defence"],
    ["04/02/2024", "Ariha", "0", "0", "2", "monitor"],
    ["13/02/2024", "Saraqib", "12", "3", "", "civil defence"],
]


@pytest.fixture
def sheet_csv(tmp_path):
    path = tmp_path / "village_sheet.csv"
    path.write_text("\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sheet_xlsx(tmp_path):
    path = tmp_path / "village_sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in ROWS:
        ws.append([r[0], r[1], int(r[2]), int(r[3]), int(r[4]) if r[4] else None, r[5]])
    wb.save(path)
    return path


def test_spreadsheet_whose_dates_settle_their_order_is_read_and_says_so(sheet_csv):
    # 13/02/2024 has a first field above 12: only day-first reads every date
    table, report = read_incidents(sheet_csv)
    assert report.rows_read == 3 and report.accepted == 3 and len(table) == 3
    assert "first field above 12 settles it" in report.choices["date_format"]
    assert table["date"].tolist()[-1] == pd.Timestamp("2024-02-13")


def test_spreadsheet_without_date_order_is_rejected_with_the_reason(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("Date,Killed\n03/02/2024,4\n04/02/2024,0\n", encoding="utf-8")
    table, report = read_incidents(path, columns={"Date": "date", "Killed": "civilian_deaths_best"})
    assert report.rows_read == 2 and report.rejected == 2 and len(table) == 0
    assert all(e.column == "date" and "dayfirst" in e.reason for e in report.errors)


@pytest.mark.parametrize("fixture", ["sheet_csv", "sheet_xlsx"])
def test_spreadsheet_read_with_dayfirst(request, fixture):
    path = request.getfixturevalue(fixture)
    table, report = read_incidents(path, dayfirst=True)
    assert report.accepted == 3 and report.rejected == 0, report.report()
    assert table["date"].tolist() == [
        pd.Timestamp("2024-02-03"),
        pd.Timestamp("2024-02-04"),
        pd.Timestamp("2024-02-13"),
    ]
    assert table["place"].tolist() == ["Kafr Nabl", "Ariha", "Saraqib"]
    assert table["civilian_deaths_best"].tolist() == [4, 0, 12]
    assert table["child_deaths"].tolist() == [1, 0, 3]
    assert table["injured"].tolist()[:2] == [7, 2] and pd.isna(table["injured"].iloc[2])
    assert table["incident_id"].tolist() == ["row-1", "row-2", "row-3"]
    assert "generated from the row numbers" in report.choices["incident_id"]
    notes = " ".join(report.notes)
    for theirs, ours in [
        ("Village", "place"),
        ("Killed", "civilian_deaths_best"),
        ("Children killed", "child_deaths"),
        ("Date", "date"),
    ]:
        assert f"column {theirs!r} read as {ours!r}" in notes


def test_spreadsheet_with_explicit_format_and_mapping(sheet_csv):
    table, report = read_incidents(
        sheet_csv,
        columns={"Killed": "civilian_deaths_high", "Village": "admin2"},
        date_format="%d/%m/%Y",
    )
    assert report.accepted == 3
    assert table["civilian_deaths_high"].tolist() == [4, 0, 12]
    assert table["admin2"].tolist()[0] == "Kafr Nabl"
    assert "column mapping" in " ".join(report.notes)


def test_xlsx_with_real_date_cells_needs_no_option(tmp_path):
    path = tmp_path / "dates.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Date", "Killed"])
    ws.append([dt.datetime(2024, 2, 3), 4])
    ws.append([dt.datetime(2024, 2, 13), 2])
    wb.save(path)
    table, report = read_incidents(path)
    assert table["date"].tolist() == [pd.Timestamp("2024-02-03"), pd.Timestamp("2024-02-13")]
    assert any("worksheet" in n for n in report.notes)


def test_cli_validate_columns_and_dayfirst(sheet_csv):
    result = runner.invoke(
        app,
        [
            "validate",
            str(sheet_csv),
            "--columns",
            "Date=date,Killed=civilian_deaths_best",
            "--dayfirst",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["accepted"] == 3
    result = runner.invoke(app, ["validate", str(sheet_csv)])
    assert result.exit_code == 0 and "first field above 12 settles it" in result.output
    result = runner.invoke(app, ["validate", str(sheet_csv), "--columns", "Nope=date"])
    assert result.exit_code == 2 and "Nope" in result.stderr
    result = runner.invoke(app, ["validate", str(sheet_csv), "--columns", "Date"])
    assert result.exit_code == 2 and "THEIRS=OURS" in result.stderr


def test_two_columns_meaning_the_same_is_an_error(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("date,Killed,deaths\n2024-02-03,1,2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="all mean 'civilian_deaths_best'"):
        read_incidents(path)
    table, _ = read_incidents(path, columns={"deaths": "deaths_reported"})
    assert table["civilian_deaths_best"].tolist() == [1]


def test_compressed_inputs_are_read_natively(tmp_path, sheet_csv):
    gz = tmp_path / "sheet.csv.gz"
    gz.write_bytes(gzip.compress(sheet_csv.read_bytes()))
    zp = tmp_path / "sheet.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        zf.write(sheet_csv, "sheet.csv")
    for path in (gz, zp):
        table, report = read_incidents(path, dayfirst=True)
        assert report.accepted == 3 and any(("gzip" in n or "zip" in n) for n in report.notes)


def test_every_reader_accepts_a_dataframe():
    incidents = pd.DataFrame({"Date": pd.to_datetime(["2024-02-03"]), "Killed": [3]})
    table, report = read_incidents(incidents)
    assert report.accepted == 1 and table["civilian_deaths_best"].tolist() == [3]
    acled = pd.DataFrame(
        {
            "event_id_cnty": ["S1"],
            "event_date": ["03 February 2024"],
            "fatalities": [2],
            "civilian_targeting": ["Civilian targeting"],
        }
    )
    assert read_acled(acled)[1].accepted == 1
    ucdp = pd.DataFrame(
        {
            "id": [1],
            "date_start": ["2024-02-03"],
            "date_end": ["2024-02-03"],
            "best": [1],
            "low": [1],
            "high": [1],
            "deaths_civilians": [1],
            "deaths_unknown": [0],
        }
    )
    assert read_ucdp(ucdp)[1].accepted == 1
    tallies = pd.DataFrame({"Date": ["2024-02-03", "2024-02-04"], "Total killed": [5, 9]})
    daily, report = read_tallies(tallies)
    assert daily["new_killed"].tolist()[1] == 4
    assert read(incidents, "incidents")[1].accepted == 1


def test_acled_header_case_is_ignored_and_noted(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(
        "EVENT_ID_CNTY,Event_Date,FATALITIES,Civilian_Targeting\nS1,03 February 2024,2,Civilian targeting\n",
        encoding="utf-8",
    )
    table, report = read_acled(path)
    assert report.accepted == 1 and table["civilian_deaths_best"].tolist() == [2]
    assert any("ignoring case" in n for n in report.notes)


def test_bad_options_are_input_errors(sheet_csv):
    with pytest.raises(InputError):
        read_incidents(sheet_csv, thousands="x")
    with pytest.raises(InputError):
        read_incidents(sheet_csv, date_format="dd/mm/yyyy")
    with pytest.raises(InputError):
        read_incidents(sheet_csv, dayfirst="yes")
    with pytest.raises(InputError):
        read_incidents(12345)

"""UCDP GED reader: mapping, death-figure rules, multi-day events, bad rows, duplicates."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from trends.errors import InputError, MissingColumnsError, RowValidationError
from trends.ingest import read_ucdp
from trends.ingest.ucdp import DEATH_CHOICES, UCDP_COLUMNS
from trends.schema import INCIDENT_COLUMNS

DATA = Path(__file__).parent / "data" / "ucdp"


def assert_accounting(report, rejected_rows: list[int]) -> None:
    """Every row is accounted for, and exactly the expected rows were rejected."""
    assert report.rows_read == report.accepted + report.rejected + report.duplicates
    assert sorted({issue.row for issue in report.errors}) == rejected_rows
    assert report.rejected == len(rejected_rows)
    report.check()


def raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def ints(series: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in series]


# ----------------------------------------------------------------------------- clean file


def test_clean_file_every_row_accepted_and_mapped():
    table, report = read_ucdp(DATA / "clean.csv")
    assert_accounting(report, [])
    assert (report.rows_read, report.accepted, report.duplicates) == (6, 6, 0)
    assert list(table.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)

    raw = raw_rows(DATA / "clean.csv")
    assert list(raw[0]) == list(UCDP_COLUMNS)
    assert table["incident_id"].tolist() == [r["id"] for r in raw]
    # "2019-05-05 00:00:00.000" and plain "2019-07-10" both give the day.
    assert (
        raw[0]["date_start"] == "2019-05-05 00:00:00.000" and raw[2]["date_start"] == "2019-07-10"
    )
    assert table["date"].tolist() == [pd.Timestamp(r["date_start"][:10]) for r in raw]
    assert table["date_end"].tolist() == [pd.Timestamp(r["date_end"][:10]) for r in raw]
    assert (table["date"] == table["date"].dt.normalize()).all()
    assert table["place"].tolist() == [r["where_coordinates"] for r in raw]
    # adm_1 is kept as given (no suffix stripping); empty stays missing.
    assert table["admin1"].tolist()[:4] == ["Idlib governorate"] * 4
    assert pd.isna(table.loc[4, "admin1"])
    assert table["admin2"].isna().tolist() == [False, False, False, True, True, False]
    assert table["latitude"].tolist() == [float(r["latitude"]) for r in raw]
    assert table["longitude"].tolist() == [float(r["longitude"]) for r in raw]
    assert table["source"].tolist() == [r["source_office"] for r in raw]
    assert table["weapon"].isna().all() and table["url"].isna().all()
    assert (table["dataset"] == "ucdp").all()

    assert ints(table["type_of_violence"]) == [3, 1, 3, 2, 3, 1]
    assert ints(table["date_prec"]) == [1, 2, 1, 4, 1, 1]
    assert ints(table["where_prec"]) == [1, 2, 1, 4, 6, 1]
    assert table["conflict_name"].tolist() == [r["conflict_name"] for r in raw]
    assert table["side_b"].tolist() == [r["side_b"] for r in raw]
    assert ints(table["deaths_unknown"]) == [0, 1, 0, 0, 2, 3]
    assert ints(table["deaths_all_best"]) == [int(r["best"]) for r in raw]
    assert ints(table["deaths_all_low"]) == [int(r["low"]) for r in raw]
    assert ints(table["deaths_all_high"]) == [int(r["high"]) for r in raw]
    for col in ("civilian_deaths_low", "deaths_all_best", "type_of_violence", "date_prec"):
        assert table.dtypes[col] == "Int64"


def test_perpetrator_rule():
    table, report = read_ucdp(DATA / "clean.csv")
    assert table["perpetrator"].tolist() == [
        "Government of Syria",  # one-sided: side_a alone
        "Government of Syria / Syrian insurgents",  # state-based: both sides
        "Government of Russia (Soviet Union)",
        "HTS / NLF",  # non-state: both sides
        "Government of Syria",
        "Government of Syria / Syrian insurgents",
    ]
    assert "type_of_violence 3" in report.choices["perpetrator"]


def test_civilian_death_rule_default():
    table, report = read_ucdp(DATA / "clean.csv")
    # low = best = deaths_civilians; high = deaths_civilians + deaths_unknown
    assert ints(table["civilian_deaths_low"]) == [4, 2, 13, 0, 7, 0]
    assert ints(table["civilian_deaths_best"]) == [4, 2, 13, 0, 7, 0]
    assert ints(table["civilian_deaths_high"]) == [4, 3, 13, 0, 9, 3]
    assert report.choices["deaths"] == "civilians"
    assert report.choices["civilian_deaths"] == DEATH_CHOICES["civilians"]
    assert "deaths_civilians + deaths_unknown" in report.choices["civilian_deaths"]
    json.dumps(report.to_dict())


def test_all_deaths_option_states_it_includes_combatants():
    table, report = read_ucdp(DATA / "clean.csv", deaths="best")
    assert_accounting(report, [])
    assert ints(table["civilian_deaths_low"]) == [4, 14, 13, 5, 7, 6]
    assert ints(table["civilian_deaths_best"]) == [4, 16, 13, 5, 9, 6]
    assert ints(table["civilian_deaths_high"]) == [6, 20, 15, 5, 12, 6]
    assert report.choices["deaths"] == "best"
    assert "INCLUDING COMBATANTS" in report.choices["civilian_deaths"]
    assert "INCLUDING COMBATANTS" in report.report()


def test_invalid_choices_are_refused():
    with pytest.raises(InputError, match="series module"):
        read_ucdp(DATA / "clean.csv", multi_day="spread")
    with pytest.raises(InputError, match="multi_day must be"):
        read_ucdp(DATA / "clean.csv", multi_day="end")
    with pytest.raises(InputError, match="deaths must be"):
        read_ucdp(DATA / "clean.csv", deaths="civilian")


# ----------------------------------------------------------------------------- multi-day


def test_multi_day_start_keeps_date_end_and_notes_counts():
    table, report = read_ucdp(DATA / "clean.csv")
    multi = table.set_index("incident_id").loc[["300002", "300004"]]
    assert multi["date"].tolist() == [pd.Timestamp("2019-05-10"), pd.Timestamp("2019-06-01")]
    assert multi["date_end"].tolist() == [pd.Timestamp("2019-05-12"), pd.Timestamp("2019-06-30")]
    assert report.choices["multi_day"].startswith("start:")
    assert any(n.startswith("2 events accepted span several days") for n in report.notes)
    assert any(n.startswith("1 event accepted dated only to the month") for n in report.notes)
    assert any(n.startswith("1 event accepted located only at country level") for n in report.notes)
    assert not any("different from best" in n for n in report.notes)


def test_multi_day_drop_rejects_them():
    table, report = read_ucdp(DATA / "clean.csv", multi_day="drop")
    assert_accounting(report, [2, 4])
    assert table["incident_id"].tolist() == ["300001", "300003", "300005", "300006"]
    for issue in report.errors:
        assert issue.column == "date_end"
        assert "multi_day='drop'" in issue.reason
    assert any(n.startswith("2 events spanning several days rejected") for n in report.notes)
    assert report.choices["multi_day"].startswith("drop:")


# ----------------------------------------------------------------------------- bad rows

BAD_ROWS = [2, 3, 4, 5, 6, 7, 8, 9, 10]


@pytest.mark.parametrize("deaths", ["civilians", "best"])
def test_bad_rows_are_rejected_with_the_column(deaths):
    table, report = read_ucdp(DATA / "bad_rows.csv", deaths=deaths)
    assert_accounting(report, BAD_ROWS)
    assert (report.rows_read, report.accepted) == (11, 2)
    assert table["incident_id"].tolist() == ["310001", "310011"]
    by_row: dict[int, list] = {}
    for issue in report.errors:
        by_row.setdefault(issue.row, []).append(issue)
    # One reason per row: GED's own low/best/high problems are not reported twice.
    assert all(len(v) == 1 for v in by_row.values())
    got = {row: (v[0].column, v[0].reason) for row, v in by_row.items()}
    assert got[2] == ("low", "UCDP's low is above its best estimate (all deaths)")
    assert got[3] == ("high", "UCDP's high is below its best estimate (all deaths)")
    assert got[4] == ("deaths_civilians", "is not a number")
    assert got[5][0] == "date_start" and "not a real calendar date" in got[5][1]
    assert got[6][0] == "latitude" and "outside the allowed range" in got[6][1]
    assert got[7][0] is None and "header has 47" in got[7][1]
    assert got[8] == ("date_end", "is before the incident's date")
    assert got[9][0] == "type_of_violence" and "not a UCDP type_of_violence code" in got[9][1]
    assert got[10][0] == "deaths_unknown" and "negative" in got[10][1]
    values = {row: v[0].value for row, v in by_row.items()}
    assert values[2] == "10 (best 8)"
    assert values[3] == "7 (best 9)"
    assert values[5] == "2019-02-30 00:00:00.000"


def test_strict_mode_raises():
    with pytest.raises(RowValidationError):
        read_ucdp(DATA / "bad_rows.csv", strict=True)


def test_unbalanced_death_split_is_noted(tmp_path):
    rows = raw_rows(DATA / "clean.csv")
    rows[0]["deaths_a"] = "1"  # 1 + 0 + 4 + 0 != best 4
    path = tmp_path / "ged.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(UCDP_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    table, report = read_ucdp(path)
    assert_accounting(report, [])
    assert len(table) == 6
    assert any(n.startswith("1 event accepted with deaths_a + deaths_b") for n in report.notes)


# ----------------------------------------------------------------------------- duplicates


def test_duplicates_keep_the_first_row():
    table, report = read_ucdp(DATA / "duplicates.csv")
    assert_accounting(report, [])
    assert (report.rows_read, report.accepted, report.duplicates) == (4, 2, 2)
    assert table["incident_id"].tolist() == ["320001", "320002"]
    assert ints(table["civilian_deaths_best"]) == [2, 3]
    merged = {(d.row, d.kept_row, d.key) for d in report.duplicate_rows}
    assert merged == {(3, 1, "320001"), (4, 2, "320002")}
    rules = {d.row: d.rule for d in report.duplicate_rows}
    assert rules[3].startswith("same id;") and "kept the first row" in rules[3]
    assert rules[4].startswith("same id, identical content")


# ----------------------------------------------------------------------------- columns, window


def test_missing_required_columns_are_suggested():
    with pytest.raises(MissingColumnsError) as info:
        read_ucdp(DATA / "missing_columns.csv")
    err = info.value
    assert err.missing == ["date_start", "deaths_civilians"]
    assert "date_start_" in err.suggestions["date_start"]
    assert "deaths_civilian" in err.suggestions["deaths_civilians"]


def test_all_deaths_option_does_not_need_civilian_columns():
    # deaths="best" requires only the all-deaths columns: the same file then fails on date_start.
    with pytest.raises(MissingColumnsError) as info:
        read_ucdp(DATA / "missing_columns.csv", deaths="best")
    assert info.value.missing == ["date_start"]


def test_window_applies_to_date_start():
    table, report = read_ucdp(DATA / "clean.csv", window=("2019-06-01", "2019-07-31"))
    assert_accounting(report, [1, 2, 6])
    assert table["incident_id"].tolist() == ["300003", "300004", "300005"]
    assert all("outside the requested window" in i.reason for i in report.errors)


def test_reader_is_reachable_through_the_format_entry_point():
    from trends.ingest.formats import read

    table, report = read(DATA / "clean.csv", format="ucdp")
    assert report.format == "ucdp"
    assert len(table) == 6


def test_a_bad_date_is_described_by_its_format_not_by_a_case_date(tmp_path):
    """The message names the format (YYYY-MM-DD), never a date of the founding case."""
    rows = raw_rows(DATA / "clean.csv")
    rows[0]["date_start"] = "2022/01/05"
    path = tmp_path / "ged.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _, report = read_ucdp(path)
    (issue,) = [i for i in report.errors if i.column == "date_start"]
    assert "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.fff" in issue.reason
    assert "2019" not in issue.reason


def test_a_missing_value_word_in_a_death_column_is_noted_with_its_count(tmp_path):
    """'n/a' is read as missing (as in every reader), and the report says so with the count."""
    rows = raw_rows(DATA / "clean.csv")
    rows[1]["deaths_civilians"] = "n/a"
    path = tmp_path / "ged.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    table, report = read_ucdp(path)
    assert_accounting(report, [])
    assert pd.isna(table["civilian_deaths_best"].iloc[1])
    assert any("1 cell of deaths_civilians read as missing" in n for n in report.notes)

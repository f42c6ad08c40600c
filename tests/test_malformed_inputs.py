"""The malformed-input suite: each bad input has a documented outcome and no row is lost.

Every case either raises a typed error naming the file (and row/column where there is one), or
returns a report in which ``rows_read == accepted + rejected + duplicates`` and the rejected rows
are exactly the expected ones, each with the column at fault and a reason.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

from trends.errors import FileReadError, InputError, MissingColumnsError, RowValidationError
from trends.ingest import read_incidents

HEADER = "incident_id,date,place,admin1,civilian_deaths_low,civilian_deaths_best,civilian_deaths_high,child_deaths,latitude,longitude"
GOOD = [
    "I1,2019-08-31,Maarat al-Numan,Idlib,1,2,3,1,35.64,36.67",
    "I2,2019-09-01,Khan Shaykhun,Idlib,,4,,,,",
]


def write(tmp_path: Path, lines: list[str] | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    if isinstance(lines, bytes):
        path.write_bytes(lines)
    else:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_ok(path: Path, **kw):
    table, report = read_incidents(path, **kw)
    report.check()
    assert report.rows_read == report.accepted + report.rejected + report.duplicates
    assert len(table) == report.accepted
    return table, report


def rejected(report) -> dict[int, set[str | None]]:
    out: dict[int, set[str | None]] = {}
    for e in report.errors:
        out.setdefault(e.row, set()).add(e.column)
    return out


def test_01_missing_required_column_named_with_suggestion(tmp_path):
    path = write(tmp_path, ["incident_id,dat,civilian_deaths_best", "I1,2019-08-31,2"])
    with pytest.raises(MissingColumnsError) as info:
        read_incidents(path)
    assert info.value.missing == ["date"]
    assert "dat" in info.value.suggestions["date"]
    assert "did you mean 'dat'" in str(info.value)
    assert str(path) in str(info.value)


def test_02_unparseable_date_rejects_the_row(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD, "I3,last Tuesday,X,Idlib,,1,,,,"])
    _, report = read_ok(path)
    assert rejected(report) == {3: {"date"}}
    assert "is not a date" in report.errors[0].reason
    assert report.errors[0].value == "last Tuesday"


def test_03_impossible_date_is_named_as_such(tmp_path):
    path = write(tmp_path, [HEADER, "I1,2019-02-30,X,Idlib,,1,,,,", "I2,2019-13-01,X,Idlib,,1,,,,"])
    _, report = read_ok(path)
    assert rejected(report) == {1: {"date"}, 2: {"date"}}
    assert all("not a real calendar date" in e.reason for e in report.errors)


def test_04_negative_deaths(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD, "I3,2019-09-02,X,Idlib,,-2,,,,"])
    _, report = read_ok(path)
    assert rejected(report) == {3: {"civilian_deaths_best"}}
    assert "negative" in report.errors[0].reason


def test_05_non_integer_deaths(tmp_path):
    path = write(
        tmp_path,
        [HEADER, *GOOD, "I3,2019-09-02,X,Idlib,,2.5,,,,", "I4,2019-09-02,X,Idlib,,3.0,,,,"],
    )
    table, report = read_ok(path)
    assert rejected(report) == {3: {"civilian_deaths_best"}}
    assert "whole number" in report.errors[0].reason
    # "3.0" is a whole number written with a decimal point: accepted as 3
    assert table.set_index("incident_id").loc["I4", "civilian_deaths_best"] == 3


def test_06_non_numeric_deaths(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD, "I3,2019-09-02,X,Idlib,,ten,,,,"])
    _, report = read_ok(path)
    assert rejected(report) == {3: {"civilian_deaths_best"}}
    assert report.errors[0].reason == "is not a number"


def test_07_low_above_best(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD, "I3,2019-09-02,X,Idlib,5,4,6,,,"])
    _, report = read_ok(path)
    assert rejected(report) == {3: {"civilian_deaths_low"}}


def test_08_best_above_high(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD, "I3,2019-09-02,X,Idlib,1,7,6,,,"])
    _, report = read_ok(path)
    assert rejected(report) == {3: {"civilian_deaths_high"}}


def test_09_empty_file(tmp_path):
    path = write(tmp_path, b"")
    with pytest.raises(FileReadError, match="empty"):
        read_incidents(path)


def test_10_blank_file(tmp_path):
    path = write(tmp_path, b"\n  \n\n")
    with pytest.raises(FileReadError, match="empty"):
        read_incidents(path)


def test_11_header_only_is_zero_rows_not_an_error(tmp_path):
    table, report = read_ok(write(tmp_path, [HEADER]))
    assert report.rows_read == 0 and table.empty


def test_12_semicolon_delimiter_detected_and_noted(tmp_path):
    lines = [HEADER.replace(",", ";")] + [g.replace(",", ";") for g in GOOD]
    table, report = read_ok(write(tmp_path, lines))
    assert report.accepted == 2
    assert any("delimiter ';'" in n for n in report.notes)


def test_13_wrong_explicit_delimiter_says_so(tmp_path):
    lines = [HEADER.replace(",", ";")] + [g.replace(",", ";") for g in GOOD]
    with pytest.raises(MissingColumnsError, match="semicolon-separated"):
        read_incidents(write(tmp_path, lines), delimiter=",")


def test_14_utf8_bom_removed_and_noted(tmp_path):
    data = codecs.BOM_UTF8 + ("\n".join([HEADER, *GOOD]) + "\n").encode("utf-8")
    table, report = read_ok(write(tmp_path, data))
    assert report.accepted == 2
    assert "incident_id" in table.columns
    assert any("byte-order mark" in n for n in report.notes)


def test_15_non_utf8_bytes_reject_only_their_row(tmp_path):
    text = "\n".join([HEADER, *GOOD, "I3,2019-09-02,Ma\xe9arra,Idlib,,1,,,,"]) + "\n"
    path = write(tmp_path, text.encode("cp1252"))
    _, report = read_ok(path)
    assert rejected(report) == {3: {"place"}}
    assert "0xE9" in report.errors[0].reason and "encoding='cp1252'" in report.errors[0].reason
    # With the right encoding the row is read, and the character is right.
    table, report = read_ok(path, encoding="cp1252")
    assert report.accepted == 3
    assert table.loc[2, "place"] == "Maéarra"


def test_16_arabic_place_names_round_trip(tmp_path):
    names = ["معرة النعمان", "خان شيخون", "كفرنبل"]
    lines = [HEADER] + [f"A{i},2019-09-0{i + 1},{n},إدلب,,1,,,," for i, n in enumerate(names)]
    table, _ = read_ok(write(tmp_path, lines))
    assert table["place"].tolist() == names
    assert set(table["admin1"]) == {"إدلب"}
    out = tmp_path / "out.csv"
    table.to_csv(out, index=False)
    again, _ = read_ok(out)
    assert again["place"].tolist() == names


def test_17_duplicated_ids_are_merged_and_listed(tmp_path):
    lines = [
        HEADER,
        *GOOD,
        GOOD[0],  # identical repeat
        "I2,2019-09-01,Khan Shaykhun,Idlib,,5,,,,",  # same id, different figure
    ]
    table, report = read_ok(path := write(tmp_path, lines))
    assert report.duplicates == 2 and report.accepted == 2 and report.rejected == 0
    by_row = {d.row: d for d in report.duplicate_rows}
    assert by_row[3].kept_row == 1 and by_row[3].differences == ()
    assert by_row[4].kept_row == 2 and by_row[4].differences == ("civilian_deaths_best",)
    assert table.set_index("incident_id").loc["I2", "civilian_deaths_best"] == 4
    assert path.exists()


def test_18_dates_outside_requested_window(tmp_path):
    lines = [HEADER, *GOOD, "I3,2019-12-31,X,Idlib,,1,,,,"]
    _, report = read_ok(write(tmp_path, lines), window=("2019-09-01", "2019-12-30"))
    assert rejected(report) == {1: {"date"}, 3: {"date"}}
    assert all(
        "outside the requested window 2019-09-01 to 2019-12-30" in e.reason for e in report.errors
    )


def test_19_ragged_row(tmp_path):
    lines = [HEADER, *GOOD, "I3,2019-09-02,X,Idlib,,1,,,,,extra", "I4,2019-09-02,X"]
    _, report = read_ok(write(tmp_path, lines))
    assert rejected(report) == {3: {None}, 4: {None}}
    assert "11 fields but the header has 10" in report.errors[0].reason


def test_20_date_end_before_date(tmp_path):
    lines = [
        "incident_id,date,date_end,civilian_deaths_best",
        "I1,2019-09-02,2019-09-01,1",
        "I2,2019-09-02,2019-09-03,1",
    ]
    _, report = read_ok(write(tmp_path, lines))
    assert rejected(report) == {1: {"date_end"}}


def test_21_more_children_than_civilians(tmp_path):
    lines = [HEADER, "I1,2019-09-02,X,Idlib,1,2,3,4,,", "I2,2019-09-02,X,Idlib,,2,,2,,"]
    _, report = read_ok(write(tmp_path, lines))
    assert rejected(report) == {1: {"child_deaths"}}


def test_22_coordinates_out_of_range(tmp_path):
    lines = [
        HEADER,
        "I1,2019-09-02,X,Idlib,,1,,,135.6,36.6",
        "I2,2019-09-02,X,Idlib,,1,,,35.6,three",
    ]
    _, report = read_ok(write(tmp_path, lines))
    assert rejected(report) == {1: {"latitude"}, 2: {"longitude"}}


def test_23_utf16_file_is_decoded(tmp_path):
    data = ("\n".join([HEADER, *GOOD]) + "\n").encode("utf-16")
    table, report = read_ok(write(tmp_path, data))
    assert report.accepted == 2 and table.loc[0, "place"] == "Maarat al-Numan"


def test_24_strict_mode_raises_a_typed_error_with_row_and_column(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD, "I3,2019-09-02,X,Idlib,,ten,,,,"])
    with pytest.raises(RowValidationError) as info:
        read_incidents(path, strict=True)
    assert (info.value.row, info.value.column) == (3, "civilian_deaths_best")
    assert str(path) in str(info.value) and "row 3" in str(info.value)


def test_25_missing_values_stay_missing_never_zero(tmp_path):
    lines = [HEADER, "I1,2019-09-02,X,Idlib,,,,,,", "I2,2019-09-02,X,Idlib,NA,unknown,n/a,-,,"]
    table, report = read_ok(write(tmp_path, lines))
    assert report.accepted == 2
    for col in (
        "civilian_deaths_low",
        "civilian_deaths_best",
        "civilian_deaths_high",
        "child_deaths",
    ):
        assert table[col].isna().all(), col
    assert str(table["civilian_deaths_best"].dtype) == "Int64"


def test_26_crlf_and_blank_lines(tmp_path):
    data = ("\r\n".join([HEADER, GOOD[0], "", GOOD[1], ""]) + "\r\n").encode()
    table, report = read_ok(write(tmp_path, data))
    assert report.rows_read == 2 and report.accepted == 2
    assert table.loc[1, "place"] == "Khan Shaykhun"


def test_27_duplicate_header_column(tmp_path):
    with pytest.raises(FileReadError, match="appears twice"):
        read_incidents(write(tmp_path, ["incident_id,date,date", "I1,2019-01-01,2019-01-01"]))


def test_28_missing_file_and_directory(tmp_path):
    with pytest.raises(FileReadError, match="not found"):
        read_incidents(tmp_path / "nope.csv")
    with pytest.raises(FileReadError, match="directory"):
        read_incidents(tmp_path)


def test_29_several_errors_in_one_row_are_all_listed(tmp_path):
    path = write(tmp_path, [HEADER, "I1,someday,X,Idlib,,ten,,,99,500"])
    _, report = read_ok(path)
    assert rejected(report) == {1: {"date", "civilian_deaths_best", "latitude", "longitude"}}
    assert report.rejected == 1


def test_30_column_mapping_for_a_hand_made_table(tmp_path):
    path = write(
        tmp_path, ["id,day,village,killed", "X1,2019-09-01,Kafranbel,3", "X2,2019-09-02,Hass,"]
    )
    table, report = read_ok(
        path,
        columns={
            "id": "incident_id",
            "day": "date",
            "village": "place",
            "killed": "civilian_deaths_best",
        },
        dataset="my-notes",
    )
    assert table["civilian_deaths_best"].tolist()[0] == 3 and pd.isna(
        table["civilian_deaths_best"].tolist()[1]
    )
    assert set(table["dataset"]) == {"my-notes"}
    with pytest.raises(InputError, match="not in the file"):
        read_incidents(path, columns={"ident": "incident_id"})


def test_31_parquet_gets_the_same_checks(tmp_path):
    frame = pd.DataFrame(
        {
            "incident_id": ["P1", "P2", "P1"],
            "date": ["2019-09-01", "2019-02-30", "2019-09-01"],
            "civilian_deaths_best": [1, -1, 1],
        }
    )
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    table, report = read_ok(path)
    assert (report.accepted, report.rejected, report.duplicates) == (1, 1, 1)
    assert rejected(report) == {2: {"date", "civilian_deaths_best"}}


def test_32_fast_and_exact_paths_agree(tmp_path):
    from trends.ingest._io import read_delimited

    lines = [
        HEADER,
        *GOOD,
        'I3,2019-09-02,"Kafr, Nabl",Idlib,,1,,,,',
        "I4,2019-09-02,X,Idlib,,1,,,,,extra",
        "I5,2019-09-03,Y,Idlib,,2,,,,",
    ]
    path = write(tmp_path, lines)
    exact = read_delimited(path, fast=False)
    fast = read_delimited(path, fast=True)
    pd.testing.assert_frame_equal(exact.frame, fast.frame)
    assert [i.row for i in exact.issues] == [i.row for i in fast.issues] == [4]
    clean = write(tmp_path, [HEADER, *GOOD, 'I3,2019-09-02,"Kafr, Nabl",Idlib,,1,,,,'], "clean.csv")
    pd.testing.assert_frame_equal(
        read_delimited(clean, fast=False).frame, read_delimited(clean, fast=True).frame
    )

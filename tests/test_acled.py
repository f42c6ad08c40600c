"""ACLED reader: mapping, the civilian proxy, duplicates by timestamp, bad rows, delimiters."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trends.errors import InputError, MissingColumnsError, RowValidationError
from trends.ingest import read_acled
from trends.ingest.acled import ACLED_COLUMNS, CIVILIAN_PROXIES
from trends.schema import INCIDENT_COLUMNS

DATA = Path(__file__).parent / "data" / "acled"


def assert_accounting(report, rejected_rows: list[int]) -> None:
    """Every row is accounted for, and exactly the expected rows were rejected."""
    assert report.rows_read == report.accepted + report.rejected + report.duplicates
    assert sorted({issue.row for issue in report.errors}) == rejected_rows
    assert report.rejected == len(rejected_rows)
    report.check()


def raw_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    """The file's rows as plain strings, read independently of the package."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def reasons(report) -> dict[int, list[tuple[str | None, str]]]:
    out: dict[int, list[tuple[str | None, str]]] = {}
    for issue in report.errors:
        out.setdefault(issue.row, []).append((issue.column, issue.reason))
    return out


# ----------------------------------------------------------------------------- clean file


def test_clean_file_every_row_accepted_and_mapped():
    table, report = read_acled(DATA / "clean.csv")
    assert_accounting(report, [])
    assert (report.rows_read, report.accepted, report.duplicates) == (8, 8, 0)
    assert list(table.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)

    raw = raw_rows(DATA / "clean.csv")
    assert list(raw[0]) == list(ACLED_COLUMNS)
    assert table["incident_id"].tolist() == [r["event_id_cnty"] for r in raw]
    assert table["source_row"].tolist() == list(range(1, 9))
    assert table["date"].tolist() == [pd.Timestamp(r["event_date"]) for r in raw]
    assert table["date_end"].isna().all()
    assert table["place"].tolist() == [r["location"] for r in raw]
    assert table["admin1"].tolist() == [r["admin1"] for r in raw]
    assert table["admin2"].tolist() == [r["admin2"] for r in raw]
    assert table["admin3"].tolist() == [r["admin3"] for r in raw]
    assert table["latitude"].tolist() == [float(r["latitude"]) for r in raw]
    assert table["longitude"].tolist() == [float(r["longitude"]) for r in raw]
    assert table["perpetrator"].tolist() == [r["actor1"] for r in raw]
    assert table["assoc_actor_1"].isna().all()  # empty in every row: missing, not ""
    assert table["actor2"].tolist() == [r["actor2"] for r in raw]
    assert table["weapon"].tolist() == [r["sub_event_type"] for r in raw]
    assert table["sub_event_type"].tolist() == [r["sub_event_type"] for r in raw]
    assert table["event_type"].tolist() == [r["event_type"] for r in raw]
    assert table["source"].tolist() == [r["source"] for r in raw]
    assert table["notes"].tolist() == [r["notes"] for r in raw]
    assert table["interaction"].tolist() == [r["interaction"] for r in raw]
    assert table["country"].tolist() == ["Syria"] * 8
    assert table["iso"].tolist() == ["760"] * 8
    assert table["url"].isna().all()
    assert (table["dataset"] == "acled").all()
    assert table["fatalities"].tolist() == [int(r["fatalities"]) for r in raw]
    assert table["timestamp"].tolist() == [int(r["timestamp"]) for r in raw]
    assert table["child_deaths"].isna().all() and table["injured"].isna().all()

    dtypes = table.dtypes
    assert dtypes["date"] == "datetime64[ns]"
    assert dtypes["latitude"] == "float64"
    for col in ("civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high"):
        assert dtypes[col] == "Int64"
    assert dtypes["fatalities"] == "Int64" and dtypes["timestamp"] == "Int64"
    assert dtypes["civilian_proxy"] == "bool"


def test_arabic_place_names_round_trip_exactly():
    table, _ = read_acled(DATA / "clean.csv")
    raw = raw_rows(DATA / "clean.csv")
    arabic = [r["location"] for r in raw if any("\u0600" <= ch <= "\u06ff" for ch in r["location"])]
    assert len(arabic) == 7
    assert [p for p in table["place"] if p in arabic] == arabic
    assert "معرة النعمان" in set(table["place"])
    # Byte-for-byte identical to what the file holds.
    for got, want in zip(table["place"], raw, strict=True):
        assert got.encode("utf-8") == want["location"].encode("utf-8")


def test_syria_idlib_example():
    table, _ = read_acled(DATA / "clean.csv")
    row = table.set_index("incident_id").loc["SYR50007"]
    assert row["admin1"] == "Idlib"
    assert row["place"] == "أريحا"
    assert row["date"] == pd.Timestamp("2019-07-10")
    assert row["perpetrator"] == "Military Forces of Russia (2000-)"
    assert row["weapon"] == "Air/drone strike"
    assert row["civilian_deaths_low"] == row["civilian_deaths_best"] == 13
    assert row["civilian_deaths_high"] == 13
    assert bool(row["civilian_proxy"]) is True


def test_notes_with_commas_and_quotes_are_kept():
    table, _ = read_acled(DATA / "clean.csv")
    assert table.loc[0, "notes"].endswith('near the "old market".')
    assert "killing 4 civilians, including 2 children" in table.loc[0, "notes"]


# ----------------------------------------------------------------------------- civilian proxy

PROXY_EXPECTED = {
    # SYR50001..SYR50008: fatalities 4, 6, 1, 12, 0, 0, 13, 39
    "civilian_targeting": [4, None, 1, None, 0, 0, 13, 39],
    "violence_against_civilians": [None, None, 1, None, None, 0, None, None],
    "all_events": [4, 6, 1, 12, 0, 0, 13, 39],
}


@pytest.mark.parametrize("proxy", list(PROXY_EXPECTED))
def test_proxy_choices_values_and_report(proxy):
    table, report = read_acled(DATA / "clean.csv", civilian_proxy=proxy)
    assert_accounting(report, [])
    # Every event stays an incident whatever the proxy.
    assert len(table) == 8
    expected = PROXY_EXPECTED[proxy]
    for col in ("civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high"):
        got = [None if pd.isna(v) else int(v) for v in table[col]]
        assert got == expected
    assert table["civilian_proxy"].tolist() == [v is not None for v in expected]
    # Events outside the proxy: missing, never 0; their fatalities are still there.
    outside = ~table["civilian_proxy"]
    assert table.loc[outside, "civilian_deaths_best"].isna().all()
    assert table.loc[outside, "fatalities"].notna().all()

    assert report.choices["civilian_proxy"] == proxy
    assert report.choices["civilian_deaths"] == CIVILIAN_PROXIES[proxy]
    assert "low = best = high" in report.choices["death_range"]
    text = report.report()
    assert f"Choice: civilian_deaths = {CIVILIAN_PROXIES[proxy]}" in text
    carrying = sum(v is not None for v in expected)
    assert any(n.startswith(f"{carrying} of 8 accepted events") for n in report.notes)
    json.dumps(report.to_dict())


def test_proxy_texts_say_what_they_are():
    assert "'Civilian targeting'" in CIVILIAN_PROXIES["civilian_targeting"]
    assert "proxy" in CIVILIAN_PROXIES["civilian_targeting"]
    assert "missing, not 0" in CIVILIAN_PROXIES["civilian_targeting"]
    assert "Violence against civilians" in CIVILIAN_PROXIES["violence_against_civilians"]
    assert "INCLUDING COMBATANTS" in CIVILIAN_PROXIES["all_events"]


def test_unknown_proxy_is_refused():
    with pytest.raises(InputError, match="civilian_proxy must be one of"):
        read_acled(DATA / "clean.csv", civilian_proxy="civilians")


def test_old_export_needs_the_event_type_proxy():
    with pytest.raises(MissingColumnsError) as info:
        read_acled(DATA / "old_export.csv")
    assert info.value.missing == ["civilian_targeting"]
    assert "civilian_proxy='violence_against_civilians'" in str(info.value)

    table, report = read_acled(DATA / "old_export.csv", civilian_proxy="violence_against_civilians")
    assert_accounting(report, [])
    assert table["incident_id"].tolist() == ["SYR50001", "SYR50002", "SYR50003", "SYR50004"]
    # "05-May-2019" style dates of older exports
    assert table["date"].tolist() == [
        pd.Timestamp(d) for d in ("2019-05-05", "2019-05-12", "2019-05-14", "2019-05-20")
    ]
    assert [None if pd.isna(v) else int(v) for v in table["civilian_deaths_best"]] == [
        None,
        None,
        1,
        None,
    ]
    assert "civilian_targeting" not in table.columns


# ----------------------------------------------------------------------------- dates


def test_date_formats_are_all_accepted():
    table, report = read_acled(DATA / "date_formats.csv")
    assert_accounting(report, [])
    raw = [r["event_date"] for r in raw_rows(DATA / "date_formats.csv")]
    assert raw == ["16 May 2025", "16-May-2025", "2025-05-16", "1 September 2025"]
    assert table["date"].tolist() == [pd.Timestamp("2025-05-16")] * 3 + [pd.Timestamp("2025-09-01")]


# ----------------------------------------------------------------------------- duplicates


def test_duplicates_keep_the_latest_timestamp():
    table, report = read_acled(DATA / "duplicates.csv")
    assert_accounting(report, [])
    assert (report.rows_read, report.accepted, report.duplicates) == (6, 3, 3)
    kept = table.set_index("incident_id")
    # SYR60001: row 3 (timestamp 1565000000) is newer than row 1.
    assert kept.loc["SYR60001", "source_row"] == 3
    assert kept.loc["SYR60001", "fatalities"] == 5
    assert kept.loc["SYR60001", "civilian_deaths_best"] == 5
    assert kept.loc["SYR60001", "notes"].endswith("toll revised to 5.")
    # SYR60002: same timestamp twice: the first row is kept.
    assert kept.loc["SYR60002", "source_row"] == 2
    # SYR60003: row 5 is newer than row 6, although it comes first.
    assert kept.loc["SYR60003", "source_row"] == 5
    assert kept.loc["SYR60003", "fatalities"] == 7
    # The table keeps file order.
    assert table["source_row"].tolist() == [2, 3, 5]

    merged = {(d.row, d.kept_row, d.key) for d in report.duplicate_rows}
    assert merged == {(1, 3, "SYR60001"), (4, 2, "SYR60002"), (6, 5, "SYR60003")}
    by_row = {d.row: d for d in report.duplicate_rows}
    assert "latest timestamp" in by_row[1].rule
    assert {"fatalities", "notes", "timestamp", "civilian_deaths_best"} <= set(
        by_row[1].differences
    )
    assert by_row[4].rule.startswith("same id, identical content")
    assert by_row[4].differences == ()


# ----------------------------------------------------------------------------- bad rows


def test_bad_rows_are_rejected_with_reasons():
    table, report = read_acled(DATA / "bad_rows.csv")
    assert_accounting(report, [2, 3, 4, 5, 6, 7, 9, 10, 11])
    assert (report.rows_read, report.accepted, report.duplicates) == (12, 3, 0)
    assert table["incident_id"].tolist() == ["SYR70001", "SYR70008", "SYR70012"]
    assert table["fatalities"].tolist() == [1, 2, 0]

    why = reasons(report)
    assert why[2] == [("fatalities", "is not a number")]
    assert why[3][0][0] == "fatalities" and "negative" in why[3][0][1]
    assert why[4][0][0] == "event_date" and why[4][0][1].startswith("is not a date")
    assert why[5][0][0] == "event_date" and "not a real calendar date" in why[5][0][1]
    assert why[6][0][0] == "latitude" and "outside the allowed range" in why[6][0][1]
    assert why[7][0][0] is None and "fields but the header has 31" in why[7][0][1]
    assert why[9][0][0] == "fatalities" and "is empty" in why[9][0][1]
    assert why[10] == [("fatalities", "is not a whole number")]
    assert why[11][0][0] == "timestamp" and "Unix timestamp" in why[11][0][1]
    values = {i.row: i.value for i in report.errors}
    assert values[4] == "16 Foo 2025"
    assert values[5] == "31 February 2019"


def test_strict_mode_raises():
    with pytest.raises(RowValidationError):
        read_acled(DATA / "bad_rows.csv", strict=True)


def test_missing_required_columns_are_suggested():
    with pytest.raises(MissingColumnsError) as info:
        read_acled(DATA / "missing_columns.csv")
    err = info.value
    assert err.missing == ["event_date", "fatalities"]
    assert "event_date_" in err.suggestions["event_date"]
    assert "fatality" in err.suggestions["fatalities"]
    assert "did you mean 'event_date_'" in str(err)


# ----------------------------------------------------------------------------- delimiter


def test_semicolon_delimited_file():
    table, report = read_acled(DATA / "semicolon.csv")
    assert_accounting(report, [])
    assert report.accepted == 3
    assert any("';' detected" in n for n in report.notes)
    assert any(n.startswith("2 latitude values written with a decimal comma") for n in report.notes)
    clean, _ = read_acled(DATA / "clean.csv")
    cols = ["incident_id", "date", "place", "latitude", "longitude", "notes", "source"]
    cols += ["civilian_deaths_best", "fatalities", "civilian_proxy"]
    pd.testing.assert_frame_equal(table[cols], clean[cols].iloc[:3])


def test_explicit_delimiter_is_used():
    table, report = read_acled(DATA / "semicolon.csv", delimiter=";")
    assert report.accepted == 3
    assert table["place"].tolist() == ["كفرنبل", "خان شيخون", "سراقب"]


# ----------------------------------------------------------------------------- window


def test_window_filters_by_event_date():
    table, report = read_acled(DATA / "clean.csv", window=("2019-05-10", "2019-06-30"))
    assert_accounting(report, [1, 7, 8])
    assert table["incident_id"].tolist() == [f"SYR5000{i}" for i in range(2, 7)]
    for issue in report.errors:
        assert issue.column == "date"
        assert "outside the requested window 2019-05-10 to 2019-06-30" in issue.reason


def test_open_ended_window():
    table, report = read_acled(DATA / "clean.csv", window=("2019-07-01", None))
    assert_accounting(report, [1, 2, 3, 4, 5, 6])
    assert table["incident_id"].tolist() == ["SYR50007", "SYR50008"]


def test_reader_is_reachable_through_the_format_entry_point():
    from trends.ingest.formats import read

    table, report = read(DATA / "clean.csv", format="acled", civilian_proxy="all_events")
    assert report.format == "acled"
    assert table["civilian_deaths_best"].sum() == 75


# ----------------------------------------------------------------------------- property

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _acled_date(day, style: int) -> str:
    if style == 0:
        return f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}"
    if style == 1:
        return f"{day.day:02d}-{MONTHS[day.month - 1][:3]}-{day.year}"
    return day.isoformat()


acled_rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(0, 12),
            "fatalities": st.integers(0, 600),
            "day": st.dates(pd.Timestamp("1997-01-01").date(), pd.Timestamp("2025-12-31").date()),
            "style": st.integers(0, 2),
            "targeted": st.booleans(),
            "timestamp": st.integers(1_500_000_000, 1_500_000_020),
        }
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rows=acled_rows)
def test_property_no_row_lost_and_civilian_sum(rows):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "acled.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(ACLED_COLUMNS)
            for r in rows:
                values = dict.fromkeys(ACLED_COLUMNS, "")
                values.update(
                    event_id_cnty=f"SYR{r['id']}",
                    event_date=_acled_date(r["day"], r["style"]),
                    event_type="Explosions/Remote violence",
                    sub_event_type="Air/drone strike",
                    civilian_targeting="Civilian targeting" if r["targeted"] else "",
                    country="Syria",
                    admin1="Idlib",
                    location="إدلب",
                    latitude="35.93",
                    longitude="36.63",
                    fatalities=str(r["fatalities"]),
                    timestamp=str(r["timestamp"]),
                )
                writer.writerow([values[c] for c in ACLED_COLUMNS])
        table, report = read_acled(path)

    # Independent expectation: per id, the row with the latest timestamp (first on a tie).
    kept: dict[int, tuple[int, dict]] = {}
    for i, r in enumerate(rows, start=1):
        if r["id"] not in kept or r["timestamp"] > kept[r["id"]][1]["timestamp"]:
            kept[r["id"]] = (i, r)
    expected_sum = sum(r["fatalities"] for _, r in kept.values() if r["targeted"])

    assert report.rows_read == len(rows)
    assert report.rows_read == report.accepted + report.rejected + report.duplicates
    assert report.rejected == 0 and report.errors == []
    assert report.accepted == len(kept)
    assert report.duplicates == len(rows) - len(kept)
    assert sorted(table["source_row"]) == sorted(i for i, _ in kept.values())
    proxy = table["civilian_proxy"]
    assert int(table.loc[proxy, "civilian_deaths_best"].sum()) == expected_sum
    assert table.loc[~proxy, "civilian_deaths_best"].isna().all()
    assert int(table["fatalities"].sum()) == sum(r["fatalities"] for _, r in kept.values())
    by_id = table.set_index("incident_id")
    for i, r in kept.values():
        assert by_id.loc[f"SYR{r['id']}", "date"] == pd.Timestamp(r["day"])
        assert by_id.loc[f"SYR{r['id']}", "source_row"] == i


# -- issue 9 item 5: which ACLED events are attacks -------------------------------------------
def _events_file(tmp_path):
    path = tmp_path / "types.csv"
    rows = [
        "event_id_cnty,event_date,event_type,sub_event_type,civilian_targeting,fatalities",
        "S1,01 May 2019,Battles,Armed clash,,4",
        "S2,01 May 2019,Explosions/Remote violence,Air/drone strike,Civilian targeting,3",
        "S3,02 May 2019,Violence against civilians,Attack,Civilian targeting,1",
        "S4,02 May 2019,Protests,Peaceful protest,,0",
        "S5,03 May 2019,Riots,Mob violence,,1",
        "S6,03 May 2019,Strategic developments,Agreement,,0",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_protests_riots_and_strategic_developments_are_not_attacks_by_default(tmp_path):
    table, report = read_acled(_events_file(tmp_path))
    assert report.accepted == 6  # every event is kept
    assert table["counts_as_attack"].tolist() == [True, True, True, False, False, False]
    assert (
        "Battles, Explosions/Remote violence, Violence against civilians"
        in report.choices["attacks"]
    )
    assert "Protests" in report.choices["attacks"]


def test_event_types_option(tmp_path):
    table, report = read_acled(_events_file(tmp_path), event_types=["violence against civilians"])
    assert table["counts_as_attack"].tolist() == [False, False, True, False, False, False]
    table, report = read_acled(_events_file(tmp_path), event_types="all")
    assert table["counts_as_attack"].all() and "event_types='all'" in report.choices["attacks"]
    with pytest.raises(InputError, match="not an ACLED event type"):
        read_acled(_events_file(tmp_path), event_types=["Bombings"])

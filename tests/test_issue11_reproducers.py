"""Issue 11: each reproducer of the issue's "Why" has a clean, documented outcome.

Reproducers 6 (atomic output) and 7 (escaping) belong to the report package and are tested there.
Each test is named after its reproducer. The CLI is called in-process (typer's CliRunner); one
test runs a real process to check a non-UTF-8 console.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, app
from trends.errors import EventFileError, FileReadError, InputError, TrendsError
from trends.events import Timeline, load_claims
from trends.ingest import (
    MAX_COUNT,
    MAX_FIELD_CHARS,
    read_acled,
    read_delimited,
    read_incidents,
    read_tallies,
    read_ucdp,
)

runner = CliRunner()
ACLED_HEADER = (
    "event_id_cnty,event_date,event_type,sub_event_type,civilian_targeting,fatalities,timestamp"
)
UCDP_HEADER = "id,date_start,date_end,best,low,high,deaths_civilians,deaths_unknown"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reasons(report) -> dict[tuple[int, str | None], str]:
    return {(e.row, e.column): e.reason for e in report.errors}


# 1 -------------------------------------------------------------------------------------------
def test_reproducer_01_unclosed_quote_exits_2_naming_the_line(tmp_path):
    path = write(
        tmp_path,
        "q.csv",
        'incident_id,date,place\nA1,2019-05-01,x\nA2,2019-05-02,"x\nA3,2019-05-03,x\n'
        "A4,2019-05-04,x\n",
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "line 3: a quote opens in column 'place'" in result.stderr
    assert "Traceback" not in result.output
    # The fast path gives the same verdict.
    with pytest.raises(FileReadError, match="line 3"):
        read_delimited(path, fast=True)


def test_reproducer_01_stray_quote_swallowing_rows_mid_file(tmp_path):
    rows = ["incident_id,date,place,note"]
    rows += [f"A{i},2019-05-{i:02d},x,fine" for i in range(1, 4)]
    rows += ['A4,2019-05-04,x,"stray']
    rows += [f"A{i},2019-05-{i:02d},x,fine" for i in range(5, 9)]
    rows += ['A9,2019-05-09,x,closes here"', "A10,2019-05-10,x,fine"]
    path = write(tmp_path, "stray.csv", "\n".join(rows) + "\n")
    with pytest.raises(FileReadError, match=r"line 5: a quote opens in column 'note'"):
        read_incidents(path)


def test_reproducer_01_legitimate_line_break_in_quotes_is_one_row(tmp_path):
    path = write(
        tmp_path,
        "ok.csv",
        'incident_id,date,place,note\nA1,2019-05-01,x,"two\nlines"\nA2,2019-05-02,y,z\n',
    )
    table, report = read_incidents(path)
    assert (report.rows_read, report.accepted) == (2, 2)
    assert table.loc[0, "note"] == "two\nlines"
    assert any("line breaks inside quoted fields" in n for n in report.notes)


# 2 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["1.089", "1,089", "1 089"])
def test_reproducer_02_claim_value_with_separator_is_rejected(tmp_path, value):
    path = write(
        tmp_path,
        "claims.csv",
        f'as_of,window_start,window_end,quantity,value\n2019-09-04,2019-04-29,2019-08-29,civilian deaths,"{value}"\n',
    )
    with pytest.raises(EventFileError) as info:
        load_claims(path)
    assert info.value.column == "value" and "thousands=" in str(info.value)
    sep = value[1]
    claims = load_claims(path, thousands=sep)
    assert claims[0].value == 1089


def test_reproducer_02_count_claim_must_be_whole(tmp_path):
    path = write(
        tmp_path,
        "claims.csv",
        "as_of,window_start,window_end,quantity,value\n2019-09-04,2019-04-29,2019-08-29,civilian deaths,10.5\n",
    )
    with pytest.raises(EventFileError, match="not a whole number"):
        load_claims(path)


# 3 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "column",
    [
        "civilian_deaths_low",
        "civilian_deaths_best",
        "civilian_deaths_high",
        "child_deaths",
        "injured",
    ],
)
def test_reproducer_03_overflow_rejected_in_every_incident_count(tmp_path, column):
    path = write(
        tmp_path, "o.csv", f"incident_id,date,{column}\nA,2019-05-01,1e19\nB,2019-05-01,3\n"
    )
    table, report = read_incidents(path)
    assert report.accepted == 1 and report.rejected == 1
    assert "largest count accepted" in reasons(report)[(1, column)]
    assert table[column].max() == 3  # never -9223372036854775808


def test_reproducer_03_overflow_rejected_in_acled_fatalities_and_timestamp(tmp_path):
    path = write(
        tmp_path,
        "a.csv",
        f"{ACLED_HEADER}\nS1,05 May 2019,Battles,Armed clash,,1e19,1557500000\n"
        f"S2,05 May 2019,Battles,Armed clash,,2,1e19\nS3,05 May 2019,Battles,Armed clash,,2,1557500000\n",
    )
    table, report = read_acled(path, civilian_proxy="all_events")
    assert report.accepted == 1
    r = reasons(report)
    assert "largest count" in r[(1, "fatalities")] and "2100" in r[(2, "timestamp")]
    assert table["fatalities"].min() >= 0


def test_reproducer_03_overflow_rejected_in_ucdp_and_tallies(tmp_path):
    ucdp = write(
        tmp_path,
        "u.csv",
        f"{UCDP_HEADER}\n1,2019-05-01,2019-05-01,1e19,1,1e19,1,0\n2,2019-05-01,2019-05-01,3,3,3,3,0\n",
    )
    _, report = read_ucdp(ucdp)
    assert report.accepted == 1 and report.rejected == 1
    tallies = write(tmp_path, "t.csv", "date,cumulative_killed\n2019-05-01,3\n2019-05-02,1e19\n")
    _, report = read_tallies(tallies)
    assert report.rejected == 1 and "largest count" in reasons(report)[(2, "cumulative_killed")]


# 4 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("date", ["2999-01-01", "1600-01-01", "2200-06-01"])
def test_reproducer_04_dates_out_of_range_are_rejected_not_a_traceback(tmp_path, date):
    path = write(tmp_path, "d.csv", f"incident_id,date\nA,{date}\nB,2019-05-01\n")
    _, report = read_incidents(path)
    assert report.accepted == 1 and "outside the accepted dates" in reasons(report)[(1, "date")]
    acled = write(
        tmp_path, "a.csv", f"{ACLED_HEADER}\nS1,{date},Battles,x,,1,\nS2,2019-05-01,Battles,x,,1,\n"
    )
    _, report = read_acled(acled, civilian_proxy="all_events")
    assert report.rejected == 1
    tallies = write(tmp_path, "t.csv", f"date,cumulative_killed\n2019-05-01,3\n{date},5\n")
    _, report = read_tallies(tallies)
    assert report.rejected == 1
    events = write(tmp_path, "e.csv", f"event_id,date,event\ne1,{date},x\n")
    with pytest.raises(EventFileError, match="outside the accepted dates"):
        Timeline.from_csv(events)
    claims = write(
        tmp_path,
        "c.csv",
        f"as_of,window_start,window_end,quantity,value\n{date},2019-04-29,2019-08-29,civilian deaths,3\n",
    )
    with pytest.raises(EventFileError, match="outside the accepted dates"):
        load_claims(claims)


def test_reproducer_04_cli_validate_exit_1_for_far_dates(tmp_path):
    path = write(tmp_path, "d.csv", "incident_id,date\nA,2999-01-01\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and "outside the accepted dates" in result.output


def test_reproducer_04_claims_command_with_a_far_date_in_the_data(tmp_path):
    data = write(
        tmp_path,
        "far.csv",
        "incident_id,date,civilian_deaths_best\nA,2019-05-01,3\nB,2200-01-01,4\nC,2019-05-02,1\n",
    )
    claims = write(
        tmp_path,
        "c.csv",
        "as_of,window_start,window_end,quantity,value\n2019-05-03,2019-05-01,2019-05-02,civilian deaths,4\n",
    )
    result = runner.invoke(
        app, ["claims", "--data", str(data), "--format", "incidents", "--claims", str(claims)]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "supported" in result.stdout


# 5 -------------------------------------------------------------------------------------------
def test_reproducer_05_tab_and_invalid_delimiters(tmp_path):
    path = write(tmp_path, "t.tsv", "incident_id\tdate\nA\t2019-05-01\n")
    result = runner.invoke(app, ["validate", "--delimiter", "\\t", str(path)])
    assert result.exit_code == 0, result.output
    for bad in (";;", "", '"'):
        result = runner.invoke(app, ["validate", "--delimiter", bad, str(path)])
        assert result.exit_code == 2 and "delimiter" in result.stderr
        assert "Traceback" not in result.output
    with pytest.raises(InputError):
        read_incidents(path, delimiter=";;")


# 8 -------------------------------------------------------------------------------------------
def test_reproducer_08_day_month_dates_are_never_guessed(tmp_path):
    ambiguous = write(tmp_path, "a.csv", "incident_id,date\nA,01/04/2023\nB,12/04/2023\n")
    _, report = read_incidents(ambiguous)
    assert report.accepted == 0 and report.rejected == 2
    assert all("order is not given" in e.reason for e in report.errors)
    # a first field above 12 settles the order (only day-first reads every date), and says so
    path = write(tmp_path, "d.csv", "incident_id,date\nA,01/04/2023\nB,13/04/2023\n")
    table, report = read_incidents(path)
    assert table["date"].tolist() == [pd.Timestamp("2023-04-01"), pd.Timestamp("2023-04-13")]
    assert "first field above 12 settles it" in report.choices["date_format"]
    table, report = read_incidents(path, dayfirst=True)
    assert table["date"].tolist() == [pd.Timestamp("2023-04-01"), pd.Timestamp("2023-04-13")]
    table, report = read_incidents(path, dayfirst=False)
    assert table["date"].tolist() == [pd.Timestamp("2023-01-04")]  # 13/04 is no month-first date
    table, _ = read_incidents(path, date_format="%d/%m/%Y")
    assert len(table) == 2


def test_reproducer_08_timeline_from_frame_keeps_time_and_zone():
    frame = pd.DataFrame(
        {"event_id": ["cf"], "date": pd.to_datetime(["2019-08-31 06:00"]), "event": ["ceasefire"]}
    )
    tl = Timeline.from_frame(frame)
    assert tl["cf"].start == pd.Timestamp("2019-08-31 06:00")
    assert tl["cf"].first_full_day == pd.Timestamp("2019-09-01")
    zoned = frame.assign(date=frame["date"].dt.tz_localize("Asia/Damascus"))
    ev = Timeline.from_frame(zoned)["cf"]
    assert ev.start == pd.Timestamp("2019-08-31 06:00") and "Asia/Damascus" in ev.time_note


# 9 -------------------------------------------------------------------------------------------
def test_reproducer_09_long_field_same_on_both_paths(tmp_path):
    long_ok = "x" * 200_000
    too_long = "y" * (MAX_FIELD_CHARS + 1)
    path = write(
        tmp_path,
        "long.csv",
        f"incident_id,date,note\nA,2019-05-01,{long_ok}\nB,2019-05-02,{too_long}\nC,2019-05-03,z\n",
    )
    exact, fast = read_delimited(path, fast=False), read_delimited(path, fast=True)
    for raw in (exact, fast):
        assert raw.rows_read == 3 and [i.row for i in raw.issues] == [2]
        assert "characters long" in raw.issues[0].reason
    pd.testing.assert_frame_equal(exact.frame, fast.frame)


def test_reproducer_09_compressed_and_xlsx_files_are_read_not_advised_cp1252(tmp_path):
    text = "incident_id,date,place\nA,2019-05-01,كفرنبل\n"
    gz = tmp_path / "in.csv.gz"
    gz.write_bytes(gzip.compress(text.encode("utf-8")))
    zp = tmp_path / "in.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        zf.writestr("in.csv", text)
    xlsx = tmp_path / "in.xlsx"
    pd.DataFrame({"incident_id": ["A"], "date": ["2019-05-01"], "place": ["كفرنبل"]}).to_excel(
        xlsx, index=False
    )
    for path in (gz, zp, xlsx):
        table, report = read_incidents(path)
        assert report.accepted == 1, (path, report.report())
        assert table.loc[0, "place"] == "كفرنبل"
        assert not any("cp1252" in e.reason for e in report.errors)
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08garbage")
    with pytest.raises(FileReadError) as info:
        read_incidents(bad)
    assert "cp1252" not in str(info.value) and "gzip" in str(info.value)


def test_reproducer_09_non_utf8_console_does_not_crash_on_arabic(tmp_path):
    path = write(tmp_path, "ar.csv", "incident_id,date,place\nA,كفرنبل,x\n")
    env = dict(os.environ, PYTHONIOENCODING="cp1252")
    proc = subprocess.run(
        [sys.executable, "-c", "from trends.cli import main; main()", "validate", str(path)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"\\u0643" in proc.stdout  # the Arabic text, escaped rather than a crash


# 10 ------------------------------------------------------------------------------------------
def test_reproducer_10_internal_error_has_its_own_exit_code(tmp_path, monkeypatch):
    import trends.cli as cli

    def broken(format):
        def reader(*args, **kwargs):
            raise ZeroDivisionError("boom")

        return reader

    monkeypatch.setattr(cli, "reader_for", broken)
    monkeypatch.setattr(cli, "_reader_options", lambda format, **kw: {})
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    path = write(tmp_path, "x.csv", "incident_id,date\nA,2019-05-01\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == EXIT_INTERNAL == 3
    assert "internal error (ZeroDivisionError: boom)" in result.stderr
    assert "Traceback" not in result.stderr and "full trace written to" in result.stderr
    trace = Path(result.stderr.split("full trace written to ")[1].split(";")[0])
    assert "ZeroDivisionError" in trace.read_text(encoding="utf-8")
    result = runner.invoke(app, ["--debug", "validate", str(path)])
    assert result.exit_code == 3 and "Traceback" in result.stderr


def test_reproducer_10_ctrl_c_exits_130(tmp_path, monkeypatch):
    import trends.cli as cli

    def interrupted(format):
        def reader(*args, **kwargs):
            raise KeyboardInterrupt

        return reader

    monkeypatch.setattr(cli, "reader_for", interrupted)
    monkeypatch.setattr(cli, "_reader_options", lambda format, **kw: {})
    result = runner.invoke(app, ["validate", str(tmp_path / "x.csv")])
    assert result.exit_code == EXIT_INTERRUPTED == 130
    assert "interrupted; nothing was written" in result.stderr


def test_reproducer_10_trends_errors_are_exit_2_never_1(tmp_path):
    for name, text in {
        "empty.csv": "",
        "hdr.csv": "incident_id,,date\n",
        "bin.csv": "%PDF-1.4 nothing",
    }.items():
        path = tmp_path / name
        path.write_text(text)
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2, (name, result.output)
        assert "Traceback" not in result.output


# issue 11, item 6 ----------------------------------------------------------------------------
def test_validate_lists_row_line_column_and_value(tmp_path):
    path = write(tmp_path, "v.csv", "incident_id,date,civilian_deaths_best\n\nA,2019-05-01,x\n")
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert error == {
        "row": 1,
        "line": 3,  # a blank line 2 is not a row
        "column": "civilian_deaths_best",
        "reason": "is not a number",
        "value": "x",
    }
    text = runner.invoke(app, ["validate", str(path)]).output
    assert "Row 1 (line 3), column 'civilian_deaths_best': is not a number (value 'x')" in text


def test_validate_tallies_days_without_report_are_not_rejections(tmp_path):
    path = write(tmp_path, "t.csv", "date,cumulative_killed\n2019-05-01,3\n2019-05-04,9\n")
    result = runner.invoke(app, ["validate", str(path), "--format", "tallies", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["rejected"] == 0 and payload["days_not_reported"] == 2


def test_every_reader_error_is_a_trends_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00")
    for reader in (read_incidents, read_acled, read_ucdp, read_tallies):
        with pytest.raises(TrendsError):
            reader(path)


def test_max_count_is_documented_and_enforced(tmp_path):
    path = write(
        tmp_path,
        "m.csv",
        f"incident_id,date,injured\nA,2019-05-01,{MAX_COUNT}\nB,2019-05-01,{MAX_COUNT + 1}\n",
    )
    table, report = read_incidents(path)
    assert table["injured"].tolist() == [MAX_COUNT] and report.rejected == 1


def test_to_dates_never_guesses_day_month_order():
    from trends.ingest import to_dates

    with pytest.raises(InputError, match="row 2") as info:
        to_dates(["2023-04-01", "01/04/2023"])
    assert "dayfirst" in str(info.value)
    assert to_dates(["01/04/2023"], dayfirst=True).tolist() == [pd.Timestamp("2023-04-01")]
    assert to_dates(["01/04/2023"], dayfirst=False).tolist() == [pd.Timestamp("2023-01-04")]
    with pytest.raises(InputError, match="outside the accepted dates"):
        to_dates(["2999-01-01"])


def test_line_numbers_are_the_same_on_both_paths(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"incident_id,date\nA,2019-05-01\n\nB,x\n\r\nC,2019-05-03,extra\nD,y\n")
    for fast in (False, True):
        raw = read_delimited(path, fast=fast)
        assert raw.rows_read == 4
        assert [raw.line_of(r) for r in (1, 2, 3, 4)] == [2, 4, 6, 7]
        assert [(i.row, i.line) for i in raw.with_lines(raw.issues)] == [(3, 6)]
    _, report = read_incidents(path)
    assert [(e.row, e.line) for e in report.errors] == [(2, 4), (3, 6), (4, 7)]

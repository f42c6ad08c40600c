"""Dates with a time of day or a UTC offset: read as the calendar day written, said in the report.

An ISO date with a time (``2024-01-01 14:30``) is read wherever ISO dates are, as its day; a UTC
offset (``+03:00``, ``Z``), in an ISO date-time or through a ``%z`` date format, is dropped after
reading the wall-clock date (the local calendar day of the stated offset; nothing is converted
to UTC), offsets differing between rows included. The ingest report's notes say how many rows
had a time or an offset.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import trends
from trends.cli import app
from trends.ingest import to_dates

runner = CliRunner()

INCIDENTS = "ID,When,Killed,Kids,Place\nI0,{a},2,2,Gaza\nI1,{b},4,1,Gaza\n"
MAPPING = "ID=incident_id,When=date,Killed=civilian_deaths_best,Place=place"
FMT = "%Y-%m-%d %H:%M%z"


def _write(tmp_path, text, name="in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["counts", "tallies"])
def test_validate_reads_a_date_format_with_an_offset(tmp_path, fmt):
    # the tester's counts_tz_min.csv / tallies_tz_min.csv (exit 3, TypeError, before)
    column = "killed" if fmt == "counts" else "cumulative_killed"
    path = _write(tmp_path, f"date,{column}\n2024-01-01 10:00+02:00,3\n2024-01-02 10:00+02:00,4\n")
    result = runner.invoke(app, ["validate", str(path), "-f", fmt, "--date-format", FMT])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    assert "2 row(s) with a UTC offset" in result.output
    assert "local calendar day of the stated offset" in result.output


def test_validate_reads_incidents_with_an_offset(tmp_path):
    path = _write(
        tmp_path, INCIDENTS.format(a="2024-01-01 14:30+03:00", b="2024-01-02 23:59+03:00")
    )
    args = ["validate", str(path), "--columns", MAPPING, "--date-format", FMT]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table, report = trends.read(
        path, format="incidents", columns=dict(p.split("=") for p in MAPPING.split(",")),
        date_format=FMT,
    )  # fmt: skip
    assert list(table["date"]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]


def test_the_date_is_the_local_day_of_the_offset_not_utc(tmp_path):
    # 23:30 at +02:00 is 21:30 UTC the same day; 01:00 at +05:00 is 20:00 UTC the day before;
    # 22:00 at -05:00 is 03:00 UTC the day after: each keeps the day written.
    path = _write(
        tmp_path,
        "date,killed\n2024-01-01 23:30+02:00,1\n2024-01-02 01:00+05:00,2\n"
        "2024-01-03 22:00-05:00,3\n",
    )
    for date_format in (FMT, None):  # with %z, and as ISO date-times without a format
        table, report = trends.read(path, format="counts", date_format=date_format)
        assert report.rejected == 0
        assert list(table.index.normalize()) == list(pd.date_range("2024-01-01", periods=3))
        assert list(table["killed"]) == [1, 2, 3]
        assert any("3 row(s) with a UTC offset" in n for n in report.notes)


def test_mixed_offsets_in_one_column_do_not_crash(tmp_path):
    path = _write(
        tmp_path,
        "date,killed\n2024-01-01 10:00+02:00,1\n2024-01-02 10:00-05:00,2\n"
        "2024-01-03 10:00+0000,3\n2024-01-04 10:00,4\n",
    )
    result = runner.invoke(app, ["validate", str(path), "-f", "counts", "--date-format", FMT])
    assert result.exit_code == 1, result.output  # the row without an offset does not fit %z
    assert "Row 4" in result.output and "'2024-01-04 10:00'" in result.output
    assert "internal error" not in result.output


def test_incidents_with_a_time_of_day_are_read(tmp_path):
    # the tester's incidents_time_notz.csv: every row was rejected "is not a date" before
    path = _write(tmp_path, INCIDENTS.format(a="2024-01-01 14:30", b="2024-01-02T06:05:09"))
    result = runner.invoke(app, ["validate", str(path), "--columns", MAPPING])
    assert result.exit_code == 0, result.output
    assert "2 accepted, 0 rejected" in result.output
    assert "2 row(s) with a time of day (e.g. '2024-01-01 14:30')" in result.output
    assert "the time of day is dropped" in result.output


def test_a_time_that_is_not_a_time_of_day_is_not_a_real_date(tmp_path):
    path = _write(tmp_path, INCIDENTS.format(a="2024-01-01 25:00", b="2024-01-02 10:00"))
    result = runner.invoke(app, ["validate", str(path), "--columns", MAPPING])
    assert result.exit_code == 1, result.output
    assert "is not a real calendar date ('2024-01-01 25:00' does not exist)" in result.output


def test_counts_dates_with_a_time_format_are_days(tmp_path):
    # a time in --date-format used to leak into the series' index (2024-01-01 10:00)
    path = _write(tmp_path, "date,killed\n2024-01-01 10:00,3\n2024-01-02 10:00,4\n")
    table, report = trends.read(path, format="counts", date_format="%Y-%m-%d %H:%M")
    assert list(table.index) == list(pd.date_range("2024-01-01", periods=2))
    assert any("2 row(s) with a time of day" in n for n in report.notes)


def test_dates_without_times_add_no_note(tmp_path):
    path = _write(tmp_path, "date,killed\n2024-01-01,3\n2024-01-02,4\n")
    _, report = trends.read(path, format="counts")
    assert not any("time of day" in n or "UTC offset" in n for n in report.notes)


OFFSETS = st.one_of(
    st.just("Z"),
    st.builds(
        lambda sign, h, m, colon: f"{sign}{h:02d}{':' if colon else ''}{m:02d}",
        st.sampled_from("+-"),
        st.integers(0, 14),
        st.sampled_from([0, 30, 45]),
        st.booleans(),
    ),  # fmt: skip
)


@settings(max_examples=60, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 12, 31)),
    offset=st.one_of(st.none(), OFFSETS),
    sep=st.sampled_from([" ", "T"]),
    seconds=st.booleans(),
)
def test_an_iso_date_time_is_its_written_day(when, offset, sep, seconds):
    text = when.strftime(f"%Y-%m-%d{sep}%H:%M" + (":%S" if seconds else "")) + (offset or "")
    parsed = to_dates([text, "2020-05-06"])
    assert parsed.iloc[0] == pd.Timestamp(when.date())
    assert parsed.iloc[1] == pd.Timestamp("2020-05-06")


@settings(max_examples=40, deadline=None)
@given(
    days=st.lists(
        st.tuples(
            st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
            st.integers(0, 23),
            st.integers(-12, 14),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_a_z_format_reads_any_mix_of_offsets_as_written_days(days):
    texts = [f"{d:%Y-%m-%d} {h:02d}:00{'+' if o >= 0 else '-'}{abs(o):02d}:00" for d, h, o in days]
    parsed = to_dates(texts, date_format=FMT)
    assert list(parsed) == [pd.Timestamp(d) for d, _, _ in days]

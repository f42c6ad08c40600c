"""Hypothesis fuzzing of every reader (issue 11): bad bytes in, an honest account out.

For each reader, files are generated from the reader's header with cells drawn from good values
and garbage (text, numbers with separators, huge numbers, far dates, quotes, delimiters, line
breaks, undecodable bytes). Asserted:

- no exception other than a :class:`~trends.errors.TrendsError` subclass;
- when no cell holds a quote or a line break, ``rows_read`` equals the number of data lines;
- ``accepted + rejected + duplicates == rows_read`` (``report.check()``);
- the valid rows survive a round trip: written back as CSV and read again, they are the same.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trends.errors import TrendsError
from trends.ingest import read_acled, read_incidents, read_tallies, read_ucdp
from trends.ingest.counts import read_counts

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

GARBAGE = st.sampled_from(
    [
        "",
        "x",
        "-1",
        "2.5",
        "1e19",
        "1,089",
        "1.089",
        "10000001",
        "inf",
        "NaN",
        "2999-01-01",
        "03/02/2019",
        "2019-02-30",
        "كفرنبل",
        "a;b",
        "a|b",
        "  ",
    ]
)
NASTY = st.sampled_from(['"', 'a"b', '"quoted"', "line\nbreak", "a,b", "\r", '""'])
DATES = st.dates(
    min_value=pd.Timestamp("2018-01-01").date(), max_value=pd.Timestamp("2020-12-31").date()
)


def cell(kind: str, nasty: bool):
    good = {
        "date": DATES.map(lambda d: d.isoformat()),
        "acled_date": DATES.map(lambda d: d.strftime("%d %B %Y")),
        "count": st.integers(0, 500).map(str),
        "text": st.text(st.characters(whitelist_categories=("L", "N")), max_size=8),
        "id": st.integers(1, 30).map(lambda i: f"X{i}"),
    }[kind]
    options = [good, good, GARBAGE]
    if nasty:
        options.append(NASTY)
    return st.one_of(*options)


LAYOUTS = {
    "incidents": (
        read_incidents,
        {
            "incident_id": "id",
            "date": "date",
            "place": "text",
            "civilian_deaths_best": "count",
            "injured": "count",
        },
        {},
    ),
    "acled": (
        read_acled,
        {
            "event_id_cnty": "id",
            "event_date": "acled_date",
            "location": "text",
            "fatalities": "count",
            "civilian_targeting": "text",
        },
        {},
    ),
    "ucdp": (
        read_ucdp,
        {
            "id": "id",
            "date_start": "date",
            "date_end": "date",
            "best": "count",
            "low": "count",
            "high": "count",
        },
        {"deaths": "best"},
    ),
    "tallies": (read_tallies, {"date": "date", "cumulative_killed": "count", "note": "text"}, {}),
}


@st.composite
def table(draw, layout: dict[str, str], nasty: bool):
    n = draw(st.integers(0, 12))
    return [{c: draw(cell(kind, nasty)) for c, kind in layout.items()} for _ in range(n)]


def _write(path: Path, columns: list[str], records: list[dict], bad_byte: bool) -> int:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    data = buf.getvalue().encode("utf-8")
    if bad_byte and records:
        end_of_row_1 = data.find(b"\n", data.find(b"\n") + 1)
        data = data[:end_of_row_1] + b"\xe9" + data[end_of_row_1:]  # one cp1252 byte
    path.write_bytes(data)
    return len(records)


def _data_lines(path: Path) -> int:
    lines = path.read_bytes().split(b"\n")[1:]
    return sum(1 for line in lines if line.strip())


def _check(reader, options, path: Path, expect_lines: bool):
    try:
        table_, report = reader(path, **options)
    except TrendsError:
        return None
    report.check()
    assert report.rows_read == report.accepted + report.rejected + report.duplicates
    if expect_lines:
        assert report.rows_read == _data_lines(path)
    return table_, report


def _fuzz(name: str, nasty: bool):
    reader, layout, options = LAYOUTS[name]

    @SETTINGS
    @given(records=table(layout, nasty), bad_byte=st.booleans())
    def run(tmp_path_factory, records, bad_byte):
        path = tmp_path_factory.mktemp(name) / "in.csv"
        _write(path, list(layout), records, bad_byte)
        _check(reader, options, path, expect_lines=not nasty)

    return run


test_fuzz_incidents = _fuzz("incidents", nasty=False)
test_fuzz_incidents_quotes_and_breaks = _fuzz("incidents", nasty=True)
test_fuzz_acled = _fuzz("acled", nasty=False)
test_fuzz_acled_quotes_and_breaks = _fuzz("acled", nasty=True)
test_fuzz_ucdp = _fuzz("ucdp", nasty=False)
test_fuzz_ucdp_quotes_and_breaks = _fuzz("ucdp", nasty=True)
test_fuzz_tallies = _fuzz("tallies", nasty=False)
test_fuzz_tallies_quotes_and_breaks = _fuzz("tallies", nasty=True)


@SETTINGS
@given(records=table({"date": "date", "killed": "count"}, False))
def test_fuzz_counts(tmp_path_factory, records):
    path = tmp_path_factory.mktemp("counts") / "in.csv"
    _write(path, ["date", "killed"], records, False)
    _check(read_counts, {"freq": "D"}, path, expect_lines=True)


@SETTINGS
@given(records=table(LAYOUTS["incidents"][1], False))
def test_incident_round_trip_of_valid_rows_is_lossless(tmp_path_factory, records):
    folder = tmp_path_factory.mktemp("rt")
    path = folder / "in.csv"
    _write(path, list(LAYOUTS["incidents"][1]), records, False)
    out = _check(read_incidents, {}, path, expect_lines=True)
    if out is None:
        return
    first, _ = out
    again_path = folder / "again.csv"
    cols = ["incident_id", "date", "place", "civilian_deaths_best", "injured"]
    first[cols].to_csv(again_path, index=False, date_format="%Y-%m-%d")
    again, report = read_incidents(again_path)
    assert report.rejected == 0 and report.duplicates == 0
    pd.testing.assert_frame_equal(
        first[cols].reset_index(drop=True), again[cols].reset_index(drop=True)
    )


@SETTINGS
@given(records=table(LAYOUTS["tallies"][1], False))
def test_tallies_round_trip_of_valid_reports_is_lossless(tmp_path_factory, records):
    folder = tmp_path_factory.mktemp("rt_tallies")
    path = folder / "in.csv"
    _write(path, list(LAYOUTS["tallies"][1]), records, False)
    out = _check(read_tallies, {}, path, expect_lines=True)
    if out is None:
        return
    daily, _ = out
    reported = daily.loc[daily["reported"], ["date", "cumulative_killed"]]
    again_path = folder / "again.csv"
    reported.to_csv(again_path, index=False, date_format="%Y-%m-%d")
    again, report = read_tallies(again_path)
    assert report.rejected == 0
    pd.testing.assert_series_equal(
        daily["cumulative_killed"], again["cumulative_killed"], check_names=False
    )


FIELD = st.one_of(
    st.text(st.sampled_from(list('ab ,;"\n\r\t') + ["é", "ك"]), max_size=6),
    st.sampled_from(["", "x", '"q"', '"a,b"', '"two\nlines"', '"', 'a"b']),
)


@SETTINGS
@given(
    lines=st.lists(st.lists(FIELD, min_size=1, max_size=4), max_size=8),
    crlf=st.booleans(),
)
def test_fast_and_exact_paths_agree_on_any_text(tmp_path_factory, lines, crlf):
    """One semantics whatever the file size: both paths give the same table, issues or error."""
    from trends.ingest import read_delimited

    eol = "\r\n" if crlf else "\n"
    text = "c1,c2,c3" + eol + eol.join(",".join(fields) for fields in lines) + eol
    path = tmp_path_factory.mktemp("paths") / "in.csv"
    path.write_bytes(text.encode("utf-8"))
    outcomes = []
    for fast in (False, True):
        try:
            raw = read_delimited(path, fast=fast)
        except TrendsError as exc:
            outcomes.append(("error", type(exc).__name__, str(exc)))
        else:
            outcomes.append(
                (
                    "ok",
                    raw.rows_read,
                    [(i.row, i.column, i.reason) for i in raw.issues],
                    raw.frame.to_dict("list"),
                )
            )
    assert outcomes[0] == outcomes[1]

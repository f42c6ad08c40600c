"""Property-based tests of the incident reader: whatever the table, no row is lost or altered."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trends.ingest import read_incidents

PLACES = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N", "Zs"), blacklist_characters="\x00"),
    min_size=0,
    max_size=12,
).map(str.strip)
COUNT = st.one_of(st.none(), st.integers(min_value=0, max_value=500))
DATE = st.dates(
    min_value=pd.Timestamp("2015-01-01").date(), max_value=pd.Timestamp("2025-12-31").date()
)


@st.composite
def rows(draw):
    n = draw(st.integers(min_value=0, max_value=25))
    out = []
    for i in range(n):
        best = draw(COUNT)
        low = None if best is None else draw(st.one_of(st.none(), st.integers(0, best)))
        high = None if best is None else draw(st.one_of(st.none(), st.integers(best, best + 50)))
        bad = draw(st.sampled_from(["", "", "", "", "neg", "text", "date"]))
        out.append(
            {
                "incident_id": draw(st.sampled_from([f"I{i}", f"I{max(i - 1, 0)}"])),
                "date": draw(DATE).isoformat() if bad != "date" else "not-a-date",
                "place": draw(PLACES),
                "civilian_deaths_low": "" if low is None else str(low),
                "civilian_deaths_best": (
                    "-1"
                    if bad == "neg"
                    else "many"
                    if bad == "text"
                    else ""
                    if best is None
                    else str(best)
                ),
                "civilian_deaths_high": "" if high is None else str(high),
            }
        )
    return out


def _write(path, records):
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf,
        fieldnames=[
            "incident_id",
            "date",
            "place",
            "civilian_deaths_low",
            "civilian_deaths_best",
            "civilian_deaths_high",
        ],
    )
    writer.writeheader()
    writer.writerows(records)
    path.write_text(buf.getvalue(), encoding="utf-8")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=rows())
def test_every_row_is_accounted_for_and_values_survive(tmp_path, records):
    path = tmp_path / "t.csv"
    _write(path, records)
    table, report = read_incidents(path)
    report.check()
    assert report.rows_read == len(records)
    bad_rows = {
        i + 1
        for i, r in enumerate(records)
        if r["date"] == "not-a-date" or r["civilian_deaths_best"] in ("-1", "many")
    }
    assert {e.row for e in report.errors} == bad_rows
    good = [(i + 1, r) for i, r in enumerate(records) if i + 1 not in bad_rows]
    first_by_id: dict[str, tuple[int, dict]] = {}
    for row, r in good:
        first_by_id.setdefault(r["incident_id"], (row, r))
    assert report.duplicates == len(good) - len(first_by_id)
    assert sorted(table["source_row"]) == sorted(row for row, _ in first_by_id.values())
    for _, out in table.iterrows():
        _, src = first_by_id[out["incident_id"]]
        assert out["date"] == pd.Timestamp(src["date"])
        assert (out["place"] if isinstance(out["place"], str) else "") == src["place"]
        expected = src["civilian_deaths_best"]
        assert (pd.isna(out["civilian_deaths_best"]) and expected == "") or str(
            out["civilian_deaths_best"]
        ) == expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=rows(), delimiter=st.sampled_from([",", ";", "\t"]))
def test_delimiters_and_fast_path_give_the_same_table(tmp_path, records, delimiter):
    from trends.ingest._io import read_delimited

    path = tmp_path / "t.csv"
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf,
        fieldnames=[
            "incident_id",
            "date",
            "place",
            "civilian_deaths_low",
            "civilian_deaths_best",
            "civilian_deaths_high",
        ],
        delimiter=delimiter,
    )
    writer.writeheader()
    writer.writerows(records)
    path.write_text(buf.getvalue(), encoding="utf-8")
    exact = read_delimited(path, fast=False)
    fast = read_delimited(path, fast=True)
    pd.testing.assert_frame_equal(exact.frame, fast.frame)
    assert exact.rows_read == fast.rows_read == len(records)

"""Numeric day/month dates whose file settles their order are read the same by every reader.

The counts reader read a day-first file when a first field above 12 settled it; the incidents
and tallies readers rejected every such date as ambiguous. The rule is now one function
(``trends.ingest._coerce.settled_order``) used by all three.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trends.ingest import read_incidents, read_tallies
from trends.ingest._coerce import settled_order


@settings(max_examples=60, deadline=None)
@given(
    days=st.lists(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
        min_size=1,
        max_size=12,
    ),
    dayfirst=st.booleans(),
)
def test_the_order_is_settled_only_by_a_field_above_12(days, dayfirst):
    fmt = "%d/%m/%Y" if dayfirst else "%m/%d/%Y"
    values = pd.Series([d.strftime(fmt) for d in days])
    has_big_day = any(d.day > 12 for d in days)
    if has_big_day and not any(d.month > 12 for d in days):  # months never exceed 12
        assert settled_order(values) is dayfirst
    else:
        assert settled_order(values) is None


def test_iso_dates_settle_nothing():
    assert settled_order(pd.Series(["2022-02-13", "2022-02-01"])) is None


@pytest.mark.parametrize("first", ["13/02/2022", "02/13/2022"])
def test_incidents_read_a_file_that_settles_its_order(tmp_path, first):
    dayfirst = first.startswith("13")
    second = "01/02/2022" if dayfirst else "02/01/2022"
    path = tmp_path / "incidents.csv"
    path.write_text(f"incident_id,date,civilian_deaths_best\na,{first},1\nb,{second},2\n")
    table, report = read_incidents(path)
    assert report.accepted == 2 and report.rejected == 0
    assert list(pd.to_datetime(table["date"])) == [
        pd.Timestamp("2022-02-13"),
        pd.Timestamp("2022-02-01"),
    ]
    assert ("first" if dayfirst else "second") + " field above 12 settles it" in str(
        report.choices["date_format"]
    )


def test_incidents_still_reject_dates_the_file_does_not_settle(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text("incident_id,date,civilian_deaths_best\na,03/02/2022,1\nb,01/02/2022,2\n")
    _, report = read_incidents(path)
    assert report.accepted == 0 and report.rejected == 2
    assert "order is not given" in report.errors[0].reason


def test_tallies_read_a_file_that_settles_its_order(tmp_path):
    path = tmp_path / "tallies.csv"
    rows = ["date,cumulative_killed"] + [f"{d:02d}/06/2022,{100 + 3 * d}" for d in range(1, 21)]
    path.write_text("\n".join(rows) + "\n")
    daily, report = read_tallies(path)
    assert report.rejected == 0
    assert "first field above 12 settles it" in str(report.choices["date_format"])
    assert pd.Timestamp("2022-06-20") in pd.to_datetime(
        daily.index if "date" not in daily else daily["date"]
    )

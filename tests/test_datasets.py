"""The bundled Idlib 2019 data: every row accounted for, and the founding case's figure."""

from __future__ import annotations

import pandas as pd
import pytest

from trends.datasets import bundled_path, load_idlib_2019
from trends.errors import InputError
from trends.ingest import read_incidents
from trends.schema import INCIDENT_COLUMNS


@pytest.fixture(scope="module")
def case():
    return load_idlib_2019()


def test_all_1035_rows_accounted_for(case):
    report = case.report
    assert report.rows_read == 1035
    assert (report.accepted, report.rejected, report.duplicates) == (1035, 0, 0)
    assert any("kept 943 of 1035" in note for note in report.notes)
    assert len(case.incidents) == 943
    assert case.incidents["north_west"].all()
    assert list(case.incidents.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


def test_more_than_200_since_the_deal_is_203_best(case):
    """SOHR, 7 Dec 2019: 'more than 200 civilians killed since the 31 Aug ceasefire'."""
    inc = case.incidents
    window = inc[(inc["date"] >= "2019-08-31") & (inc["date"] <= "2019-12-07")]
    assert int(window["civilian_deaths_best"].sum()) == 203
    assert int(window["civilian_deaths_low"].sum()) == 188
    assert int(window["civilian_deaths_high"].sum()) == 279


@pytest.mark.parametrize(
    ("start", "end", "best", "low", "high"),
    [
        ("2019-04-29", "2019-08-29", 894, 889, 1249),
        ("2019-04-30", "2019-08-30", 894, 889, 1250),
        ("2019-08-31", "2019-12-07", 203, 188, 279),
        ("2019-12-01", "2020-01-31", 327, 300, 424),
        ("2019-12-01", "2020-03-05", 577, 535, 733),
    ],
)
def test_sources_md_coverage_table(case, start, end, best, low, high):
    """The coverage table of data/idlib_2019/SOURCES.md is what the bundled table gives."""
    inc = case.incidents
    window = inc[(inc["date"] >= start) & (inc["date"] <= end)]
    sums = window[["civilian_deaths_best", "civilian_deaths_low", "civilian_deaths_high"]].sum()
    assert tuple(int(v) for v in sums) == (best, low, high)


def test_7_december_2019_strikes(case):
    inc = case.incidents
    day = inc[inc["date"] == "2019-12-07"]
    named = day[day["place"].isin(["Al Barah", "Balyoun", "Abdita", "Bajghas"])]
    assert int(named["civilian_deaths_best"].sum()) == 19
    assert int(named["child_deaths"].sum()) == 8


def test_theatre_all_keeps_every_row():
    everything = load_idlib_2019(theatre="all")
    assert len(everything.incidents) == 1035
    with pytest.raises(InputError, match="theatre"):
        load_idlib_2019(theatre="south")


def test_low_best_high_ordered_and_missing_kept_missing(case):
    inc = case.incidents
    both = inc.dropna(
        subset=["civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high"]
    )
    assert (both["civilian_deaths_low"] <= both["civilian_deaths_best"]).all()
    assert (both["civilian_deaths_best"] <= both["civilian_deaths_high"]).all()
    assert int(inc["civilian_deaths_best"].isna().sum()) == 280
    assert (inc["url"].str.startswith("http")).all()


def test_arabic_names_survive(case):
    names = case.incidents.set_index("incident_id")["place_ar"]
    assert names["AW-RS3557"] == "مزرعة المنطار"
    assert names.str.contains("[\u0600-\u06ff]", regex=True).sum() > 900


def test_bundled_table_matches_upstream(shared_idlib_dir):
    """The bundled incidents are the upstream facts under the documented rules (SOURCES.md)."""
    upstream = pd.read_csv(shared_idlib_dir / "incidents.csv")
    ours, _ = read_incidents(bundled_path("idlib_2019", "incidents.csv"))
    assert ours["incident_id"].tolist() == upstream["row_id"].tolist()
    assert (
        ours["civilian_deaths_best"]
        .astype("Float64")
        .equals(upstream["civilian_deaths"].astype("Float64"))
    )
    notes = ours["range_note"].fillna("")
    widened = notes.str.contains("range widened")
    assert widened.sum() == 4  # SOURCES.md rule 2
    assert notes.str.contains("child figure from the low end").sum() == 6  # rule 3
    same = ~widened & upstream["airwars_civ_min"].notna()
    assert (
        ours.loc[same, "civilian_deaths_low"].astype(float) == upstream.loc[same, "airwars_civ_min"]
    ).all()

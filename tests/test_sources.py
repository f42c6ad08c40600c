"""The registry of data sources (trends.sources): every entry reads and counts its kind of table."""

from __future__ import annotations

import pandas as pd
import pytest

from trends.errors import UnknownModelComponentError
from trends.ingest.tallies import read_tallies
from trends.series import CountSeries
from trends.sources import (
    SOURCES,
    TABLE_KINDS,
    Source,
    get_source,
    load_series,
    register_source,
    table_kind,
)

TALLIES = "tests/data/tallies/monitor_aug_sep_2019.csv"


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_source_names_an_importable_reader_and_a_known_table(name):
    source = SOURCES[name]
    assert callable(source.read_function())
    assert source.table in TABLE_KINDS
    assert source.description


def test_tallies_file_becomes_a_daily_series_with_its_provenance():
    series = load_series(TALLIES, "tallies")
    assert isinstance(series, CountSeries)
    assert series.provenance.file == TALLIES and series.provenance.kind == "tallies"
    assert series.provenance.report.rows_read > 0
    assert series.label("new_killed") == "people killed"  # the file is in the provenance
    named = load_series(TALLIES, "tallies", source="ministry tallies")
    assert (
        named.label("new_killed") == "people killed"
        and named.provenance.source == "ministry tallies"
    )


def test_incident_table_through_the_registry(tmp_path):
    path = tmp_path / "incidents.csv"
    pd.DataFrame(
        {
            "incident_id": ["a", "b", "c"],
            "date": ["2024-01-01", "2024-01-01", "2024-01-03"],
            "civilian_deaths_best": [1, 2, 0],
        }
    ).to_csv(path, index=False)
    series = load_series(path, "incidents", measures=("attacks", "deaths_best"))
    assert series.measure("attacks").tolist() == [2.0, 0.0, 1.0]
    assert series.measure("deaths_best").tolist() == [3.0, 0.0, 0.0]


def test_adding_a_source_is_one_entry():
    def read_toy(path, **options):
        table = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3), "n": [1, 0, 2]})
        return table.set_index("date"), None

    import sys
    import types

    module = types.ModuleType("toy_reader_for_test")
    module.read_toy = read_toy
    sys.modules["toy_reader_for_test"] = module
    try:
        register_source(Source("toy", "toy_reader_for_test:read_toy", "counts", "a toy"))
        series = load_series("anything", "toy")
        assert series.measure("n").tolist() == [1.0, 0.0, 2.0]
    finally:
        SOURCES.pop("toy", None)
        sys.modules.pop("toy_reader_for_test", None)


def test_unknown_source_suggests_names():
    with pytest.raises(UnknownModelComponentError, match="tallies"):
        get_source("talies")


def test_table_kind_tells_the_shapes_apart():
    table, report = read_tallies(TALLIES)
    assert table_kind(table) == "tallies"
    assert table_kind(CountSeries.from_tallies(table, report)) == "series"
    assert table_kind(pd.DataFrame({"date": ["2024-01-01"], "incident_id": ["x"]})) == "incidents"
    assert table_kind(pd.DataFrame({"x": [1]})) == "unknown"
    assert table_kind([1, 2]) == "not a table"

"""ACLED: only political-violence events count as attacks in the series (issue 9 item 5)."""

from __future__ import annotations

from pathlib import Path

from trends.ingest.acled import read_acled
from trends.series import CountSeries, daily_counts

CLEAN = Path(__file__).parent / "data" / "acled" / "clean.csv"


def _with_a_protest(tmp_path: Path) -> Path:
    lines = CLEAN.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    fields = header.split(",")
    row = first.split(",")
    row[fields.index("event_id_cnty")] = "SYR59999"
    row[fields.index("event_type")] = "Protests"
    row[fields.index("sub_event_type")] = "Peaceful protest"
    row[fields.index("fatalities")] = "0"
    path = tmp_path / "with_protest.csv"
    path.write_text("\n".join([header, *lines[1:], ",".join(row)]) + "\n", encoding="utf-8")
    return path


def test_protests_are_not_attacks_by_default(tmp_path):
    path = _with_a_protest(tmp_path)
    table, report = read_acled(path)
    baseline, _ = read_acled(CLEAN)
    assert len(table) == len(baseline) + 1  # the protest is read, not lost
    attacks = daily_counts(table, "attacks")
    assert int(attacks.sum()) == int(daily_counts(baseline, "attacks").sum())
    assert "attacks" in report.choices  # the rule is stated


def test_every_event_counts_when_asked(tmp_path):
    path = _with_a_protest(tmp_path)
    table, _ = read_acled(path, event_types="all")
    assert int(daily_counts(table, "attacks").sum()) == len(table)
    series = CountSeries.from_incidents(table)
    assert int(series.measure("attacks").sum()) == len(table)


def test_incidents_without_a_death_figure_are_counted_among_the_attacks_only(tmp_path):
    path = _with_a_protest(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[0].split(",")
    row = lines[-1].split(",")
    row[fields.index("fatalities")] = ""  # a protest without a figure
    path.write_text("\n".join([*lines[:-1], ",".join(row)]) + "\n", encoding="utf-8")
    table, _ = read_acled(path)
    baseline, _ = read_acled(CLEAN)
    series = CountSeries.from_incidents(table)
    base = CountSeries.from_incidents(baseline)
    assert series.total("incidents_no_death_figure") == base.total("incidents_no_death_figure")

"""The counts reader's period rule (sweep 4): a weekly or monthly file with a few dates off its
grid is not read as daily; text columns are not counts; choices are words, not reprs."""

from __future__ import annotations

import json

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from trends.cli import app
from trends.ingest.counts import off_grid, read_counts, text_columns
from trends.ingest.report import choice_text


def _csv(tmp_path, header: str, rows, name: str = "c.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(f"{a},{b}\n" for a, b in rows), encoding="utf-8")
    return path


def _mondays(n: int, start: str = "2023-01-02") -> list[str]:
    return [f"{d:%Y-%m-%d}" for d in pd.date_range(start, periods=n, freq="7D")]


def test_a_wednesday_among_monday_weeks_is_rejected_not_read_as_daily(tmp_path):
    weeks = _mondays(12)
    rows = [(w, 10) for w in weeks] + [("2023-03-08", 5)]  # an extra Wednesday row
    table, report = read_counts(_csv(tmp_path, "week,killed", rows), label="start")
    assert report.choices["freq"] == "W"
    assert (report.rows_read, report.accepted, report.rejected) == (13, 12, 1)
    (issue,) = report.errors
    assert issue.row == 13 and issue.line == 14 and issue.column == "date"
    assert issue.reason == (
        "2023-03-08 is a Wednesday; the other rows are weekly, starting on Mondays"
    )
    assert (table["days"] == 7).all() and len(table) == 12
    assert "periods: weeks of seven days labelled by their start day" in report.notes


def test_a_week_typed_on_the_wrong_day_leaves_its_week_not_reported(tmp_path):
    weeks = _mondays(10)
    weeks[4] = "2023-02-01"  # the Monday 2023-01-30 typed as a Wednesday
    table, report = read_counts(_csv(tmp_path, "week,killed", [(w, 3) for w in weeks]),
                                label="end")  # fmt: skip
    assert report.choices["freq"] == "W" and report.rejected == 1
    assert "ending on Mondays" in report.errors[0].reason
    assert int((~table["reported"]).sum()) == 1


def test_one_month_end_typed_as_the_30th_is_rejected(tmp_path):
    ends = [f"{d:%Y-%m-%d}" for d in pd.date_range("2020-01-31", periods=24, freq="ME")]
    ends[7] = "2020-08-30"
    for label in (None, "end"):
        table, report = read_counts(_csv(tmp_path, "month,killed", [(m, 1) for m in ends]),
                                    label=label)  # fmt: skip
        assert report.choices["freq"] == "M" and report.choices["label"] == "end"
        assert report.rejected == 1 and report.errors[0].row == 8
        assert report.errors[0].reason == (
            "2020-08-30 is the 30th; the other rows are monthly, on each month's last day"
        )
        assert len(table) == 24 and not table.loc["2020-08-01", "reported"]


def test_genuine_daily_files_with_gaps_stay_daily(tmp_path):
    days = [f"{d:%Y-%m-%d}" for d in pd.date_range("2024-01-01", periods=40)]
    kept = [d for i, d in enumerate(days) if i % 5 not in (2, 3)]  # gaps of 3 days
    _, report = read_counts(_csv(tmp_path, "date,killed", [(d, 1) for d in kept]))
    assert report.choices["freq"] == "D" and report.ok
    assert report.choices["label"] is None


def test_no_consecutive_days_and_no_grid_is_read_as_the_days_listed(tmp_path):
    """A monitor listing only its days with deaths: daily, said in the notes, not refused (the
    command line has no option to give the file's period)."""
    dates = ["2024-01-01", "2024-01-04", "2024-01-09", "2024-01-20", "2024-02-03"]
    table, report = read_counts(_csv(tmp_path, "date,killed", [(d, 1) for d in dates]))
    assert report.choices["freq"] == "D" and report.ok and report.accepted == 5
    assert any("no two listed dates are consecutive days" in n for n in report.notes)
    assert int(table["reported"].sum()) == 5 and len(table) == 34
    _, given = read_counts(_csv(tmp_path, "date,killed", [(d, 1) for d in dates]), freq="D")
    assert given.ok and not any("consecutive" in n for n in given.notes)


def test_off_grid_under_a_given_weekly_freq_uses_the_most_common_weekday():
    dates = pd.Series(pd.to_datetime(["2023-01-04", *_mondays(5, "2023-01-09")]))
    off, why = off_grid(dates, "W", "start")
    assert off.tolist() == [True, False, False, False, False, False]
    assert "Wednesday" in why(dates.iloc[0]) and "Mondays" in why(dates.iloc[0])


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(min_value=8, max_value=40),
    where=st.integers(min_value=0, max_value=39),
    shift=st.integers(min_value=1, max_value=6),
)
def test_property_one_off_grid_week_is_the_only_rejection(tmp_path_factory, n, where, shift):
    weeks = _mondays(n)
    stray = pd.Timestamp(weeks[where % n]) + pd.Timedelta(days=shift)
    rows = [(w, 2) for w in weeks]
    rows.insert(where % n + 1, (f"{stray:%Y-%m-%d}", 9))
    path = _csv(tmp_path_factory.mktemp("grid"), "week,killed", rows)
    table, report = read_counts(path, label="start")
    assert report.choices["freq"] == "W" and report.balanced
    assert report.rejected == 1 and report.errors[0].row == where % n + 2
    assert int(table["killed"].sum()) == 2 * n


def test_a_text_column_is_left_out_with_a_note(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("date,killed,region\n2024-01-01,3,North\n2024-01-02,4,North\n")
    table, report = read_counts(path)
    assert (report.accepted, report.rejected) == (2, 0)
    assert "column 'region' is text: not a count, left out" in report.notes
    assert list(report.choices["measures"]) == ["killed"] and "region" not in table


def test_a_stray_word_in_a_count_column_still_rejects_its_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("date,killed,region\n2024-01-01,3,North\n2024-01-02,x,North\n"
                    "2024-01-03,5,South\n")  # fmt: skip
    _, report = read_counts(path)
    assert (report.accepted, report.rejected) == (2, 1)
    assert report.errors[0].column == "killed" and report.errors[0].value == "x"
    # a text column named as a measure is read as one: its rows are rejected
    _, asked = read_counts(path, measures=["killed", "region"])
    assert asked.rejected == 3


def test_text_columns_needs_every_value_to_be_text():
    frame = pd.DataFrame({"a": ["North", "", "South"], "b": ["1", "x", "2"], "c": ["", "", ""],
                          "d": ["1,089", "-3", "2.5"]})  # fmt: skip
    assert text_columns(frame, ["a", "b", "c", "d"]) == ["a"]


def test_choices_are_words_and_json_values(tmp_path):
    assert choice_text({"killed": "killed"}) == "killed"
    assert choice_text({"Killed": "civilian_deaths", "x": "x"}) == "Killed as civilian_deaths, x"
    assert choice_text(None) == "none"
    path = tmp_path / "d.csv"
    path.write_text("date,killed\n2024-01-01,3\n2024-01-02,4\n")
    result = CliRunner().invoke(app, ["validate", str(path), "--format", "counts"])
    assert "{'" not in result.stdout and "Choice: measures = killed" in result.stdout
    result = CliRunner().invoke(app, ["validate", str(path), "--format", "counts", "--json"])
    choices = json.loads(result.stdout)["choices"]
    assert choices["label"] is None and choices["measures"] == {"killed": "killed"}

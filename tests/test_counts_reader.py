"""The plain count-series reader (trends.ingest.counts): periods, labels, dates, accounting."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trends.errors import InputError
from trends.ingest.counts import read_counts


def _write(tmp_path, text: str, name: str = "counts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_daily_rows_missing_cells_stay_missing(tmp_path):
    path = _write(tmp_path, "date,killed\n2024-01-01,3\n2024-01-02,\n2024-01-04,5\n")
    table, report = read_counts(path)
    assert report.rows_read == 3 and report.accepted == 3
    assert table["killed"].isna().sum() == 2  # the empty cell and the day with no row
    assert table.loc["2024-01-03", "reported"] == False  # noqa: E712 - numpy bool
    assert int(table["killed"].sum()) == 8
    assert (table["days"] == 1).all()


def test_repeated_date_identical_is_duplicate_different_is_rejected(tmp_path):
    path = _write(
        tmp_path,
        "date,killed\n2024-01-01,3\n2024-01-01,3\n2024-01-02,4\n2024-01-02,6\n",
    )
    table, report = read_counts(path)
    assert (report.accepted, report.rejected, report.duplicates) == (1, 2, 1)
    assert pd.isna(table.loc["2024-01-02", "killed"]) if "2024-01-02" in table.index else True


def test_ambiguous_day_month_is_refused_not_guessed(tmp_path):
    path = _write(tmp_path, "Date,Killed\n03/02/2024,4\n04/02/2024,5\n")
    with pytest.raises(InputError, match="day/month or month/day"):
        read_counts(path)
    table, report = read_counts(path, dayfirst=True)
    assert table.index[0] == pd.Timestamp("2024-02-03")
    table, _ = read_counts(path, dayfirst=False, freq="D")
    assert table.index[0] == pd.Timestamp("2024-03-02")


def test_day_first_settled_by_the_data(tmp_path):
    path = _write(tmp_path, "Date,Killed\n13/02/2024,4\n14/02/2024,5\n")
    table, report = read_counts(path)
    assert table.index[0] == pd.Timestamp("2024-02-13")
    assert any("day-first" in n for n in report.notes)


def test_weekly_needs_a_label_and_end_labels_are_converted(tmp_path):
    path = _write(tmp_path, "week,killed\n2024-01-07,10\n2024-01-14,12\n")
    with pytest.raises(InputError, match="label"):
        read_counts(path)
    table, report = read_counts(path, label="end")
    assert list(table.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert (table["days"] == 7).all()
    assert report.choices["freq"] == "W"


def test_monthly_month_end_labels_say_so_themselves(tmp_path):
    path = _write(tmp_path, "month,killed\n2024-01-31,10\n2024-02-29,12\n2024-03-31,1\n")
    table, _ = read_counts(path)
    assert list(table["days"]) == [31, 29, 31]
    assert table.index[1] == pd.Timestamp("2024-02-01")


def test_measures_mapping_and_ignored_columns(tmp_path):
    path = _write(tmp_path, "Date,Killed,Source\n2024-01-01,1,ministry\n")
    table, report = read_counts(path, measures={"Killed": "civilian_deaths"})
    assert list(table.columns[:1]) == ["civilian_deaths"]
    assert any("Source" in n for n in report.notes)


def test_dataframe_input(tmp_path):
    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "killed": [1, 2]})
    table, report = read_counts(frame)
    assert report.accepted == 2 and int(table["killed"].sum()) == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),
            st.one_of(st.integers(0, 500).map(str), st.sampled_from(["", "-1", "x", "2.5"])),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_every_row_accounted_and_totals_kept(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("counts")
    lines = ["date,killed"]
    for offset, value in rows:
        day = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=offset)).date().isoformat()
        lines.append(f"{day},{value}")
    path = tmp / "c.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table, report = read_counts(path, freq="D")
    assert report.rows_read == len(rows)
    assert report.accepted + report.rejected + report.duplicates == report.rows_read
    # every accepted count is in the table exactly once
    accepted_rows = set(table["source_row"].dropna().astype(int))
    assert len(accepted_rows) == report.accepted


@pytest.mark.parametrize(("day", "label"), [("01", "end"), ("last", "start")])
def test_a_month_label_the_dates_contradict_is_refused(tmp_path, day, label):
    months = pd.date_range("2020-01-01", periods=24, freq="MS")
    dates = months if day == "01" else months + pd.offsets.MonthEnd(0)
    path = tmp_path / "monthly.csv"
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "killed": range(24)}).to_csv(
        path, index=False
    )
    with pytest.raises(InputError, match=f"label option says monthly dates are the {label}"):
        read_counts(path, label=label)
    table, report = read_counts(path, label="start" if day == "01" else "end")
    assert report.accepted == 24

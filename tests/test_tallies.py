"""Tests of trends.ingest.tallies: cumulative tallies turned into new counts per day."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trends.errors import (
    InputError,
    MissingColumnsError,
    RowValidationError,
    SchemaError,
)
from trends.ingest import read_tallies as exported_read_tallies
from trends.ingest.tallies import (
    MAX_SPREAD_DAYS,
    TALLY_OUTPUT_COLUMNS,
    read_tallies,
    spread_evenly,
    tallies_to_series,
)


@pytest.fixture(scope="module")
def tallies_dir(data_dir):
    return data_dir / "tallies"


@pytest.fixture(scope="module")
def monitor(tallies_dir):
    # The file writes "1,012": read with thousands="," (without it the figure is ambiguous).
    return read_tallies(tallies_dir / "monitor_aug_sep_2019.csv", thousands=",")


@pytest.fixture(scope="module")
def monitor_missing(tallies_dir):
    return read_tallies(tallies_dir / "monitor_aug_sep_2019.csv", gap_rule="missing", thousands=",")


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else int(v) for v in series]


# --------------------------------------------------------------------------------------------
# The realistic monitor file: Aug-Sep 2019
# --------------------------------------------------------------------------------------------


def test_exported_from_ingest():
    assert exported_read_tallies is read_tallies


def test_row_accounting(monitor):
    table, report = monitor
    assert report.format == "tallies"
    assert report.rows_read == 25
    assert report.accepted == 17
    assert report.rejected == 6
    assert report.duplicates == 2
    assert report.balanced
    report.check()
    by_row = {e.row: e for e in report.errors}
    assert set(by_row) == {19, 20, 21, 22, 24, 25}
    assert by_row[19].column == "cumulative_killed" and "not a number" in by_row[19].reason
    assert by_row[20].column == "date" and "calendar date" in by_row[20].reason
    assert by_row[21].column == "cumulative_killed" and "negative" in by_row[21].reason
    assert by_row[22].column == "cumulative_killed" and "whole number" in by_row[22].reason
    assert by_row[24].column is None and "fields" in by_row[24].reason
    assert by_row[25].column == "date" and by_row[25].value == "yesterday"
    # Generated days are not input rows, but they are counted in the notes.
    assert any("8 generated without one (not input rows)" in n for n in report.notes)
    assert json.loads(json.dumps(report.to_dict()))["rows_read"] == 25


def test_synonyms_and_thousands_separator(monitor):
    table, report = monitor
    assert any("'killed_total' read as 'cumulative_killed'" in n for n in report.notes)
    assert any("'children_killed_total' read as 'cumulative_children'" in n for n in report.notes)
    assert table.loc["2019-08-20", "cumulative_killed"] == 1012  # written "1,012"


def test_daily_table_shape(monitor):
    table, _ = monitor
    assert list(table.columns) == list(TALLY_OUTPUT_COLUMNS)
    assert isinstance(table.index, pd.DatetimeIndex)
    assert table.index.freq == "D"
    assert table.index[0] == pd.Timestamp("2019-08-20")
    assert table.index[-1] == pd.Timestamp("2019-09-13")
    assert len(table) == 25
    assert (table["date"] == table.index).all()
    for col in ("new_killed", "new_injured", "new_children", "cumulative_killed", "covers_days"):
        assert table[col].dtype == "Int64"
    assert table["reported"].dtype == bool
    assert int(table["reported"].sum()) == 17
    assert set(table["status"]) <= {"reported", "spread", "missing", "revision"}


def test_spread_new_killed(monitor):
    table, _ = monitor
    expected = [
        None, 14, 13, 7, 7, 7, 6, 5, 9, 4, 9, 2,  # 20-31 Aug
        2, 1, 1, 1, 1, 1,  # 1-6 Sep: 7 spread over 6 days, earliest day gets the extra unit
        1, 1, 1, None, 2, 3, 2,  # 7-13 Sep: revision on the 10th, gap on the 12th
    ]  # fmt: skip
    assert _values(table["new_killed"]) == expected
    status = table["status"]
    assert status["2019-08-20"] == "reported"  # the baseline
    assert "baseline" in table.loc["2019-08-20", "flag"]
    assert list(status["2019-08-23":"2019-08-24"]) == ["spread", "spread"]  # missing day
    assert list(status["2019-08-26":"2019-08-27"]) == ["spread", "spread"]  # 48-hour report
    assert (status["2019-09-01":"2019-09-06"] == "spread").all()  # 5-day suspension
    assert status["2019-09-10"] == "revision"
    # Spread days sum exactly to the cumulative difference.
    assert table.loc["2019-09-01":"2019-09-06", "new_killed"].sum() == 1102 - 1095
    assert table.loc["2019-08-26":"2019-08-27", "new_killed"].sum() == 1071 - 1060
    assert (table["covers_days"].dropna() == 1).all()


def test_revision_is_flagged_never_negative(monitor):
    table, report = monitor
    day = table.loc["2019-09-10"]
    assert pd.isna(day["new_killed"])
    assert day["revision"] == 6
    assert "fell from 1105 to 1099" in day["flag"]
    # Later increments from the revised figure.
    assert table.loc["2019-09-11", "new_killed"] == 1101 - 1099
    assert any("downward revision of 6" in n for n in report.notes)
    assert (table["new_killed"].dropna() >= 0).all()
    total = table["new_killed"].sum() - table["revision"].sum()
    assert total == 1106 - 1012


def test_duplicates_and_corrections(monitor):
    table, report = monitor
    dups = {d.row: d for d in report.duplicate_rows}
    assert set(dups) == {7, 10}
    assert dups[7].kept_row == 8 and dups[7].key == "2019-08-28"
    assert dups[7].differences == () and "identical" in dups[7].rule
    assert dups[10].kept_row == 11 and "correction" in dups[10].rule
    assert "cumulative_killed" in dups[10].differences
    # The later row (the correction) is the one used.
    assert table.loc["2019-08-30", "cumulative_killed"] == 1093
    assert table.loc["2019-08-30", "source_row"] == 11
    assert table.loc["2019-08-30", "note"] == "figure corrected in the evening"


def test_out_of_order_rows_are_sorted(monitor):
    table, report = monitor
    assert any("out of date order (rows 16)" in n for n in report.notes)
    assert table.loc["2019-09-08", "cumulative_killed"] == 1104
    assert table.loc["2019-09-08", "new_killed"] == 1
    assert table.loc["2019-09-09", "new_killed"] == 1


def test_other_measures(monitor):
    table, _ = monitor
    # Injured is not given on 27 Aug: the increment from 25 Aug to 28 Aug is spread over 3 days.
    assert _values(table.loc["2019-08-26":"2019-08-28", "new_injured"]) == [10, 10, 10]
    assert "cumulative_injured not given" in table.loc["2019-08-27", "flag"]
    assert pd.isna(table.loc["2019-08-20", "new_children"])
    assert table["new_children"].sum() == 225 - 203


def test_gap_rule_missing(monitor_missing):
    table, report = monitor_missing
    assert report.choices["gap_rule"] == "missing"
    for day in ("2019-08-23", "2019-08-26", "2019-09-01", "2019-09-05", "2019-09-12"):
        assert pd.isna(table.loc[day, "new_killed"]), day  # missing, never 0
        assert table.loc[day, "status"] == "missing"
    assert table.loc["2019-08-24", "new_killed"] == 14
    assert table.loc["2019-08-24", "covers_days"] == 2
    assert table.loc["2019-09-06", "new_killed"] == 7
    assert table.loc["2019-09-06", "covers_days"] == 6
    assert table.loc["2019-09-06", "status"] == "reported"
    assert "covers 6 days" in table.loc["2019-09-06", "flag"]
    assert table["new_killed"].sum() - table["revision"].sum() == 1106 - 1012
    series = tallies_to_series(table)
    assert np.isnan(series["2019-09-03"])
    assert series["2019-09-06"] == 7.0


def test_long_suspension_is_never_spread(tallies_dir):
    table, report = read_tallies(tallies_dir / "long_suspension.csv")
    assert any("delimiter ';'" in n for n in report.notes)
    assert any("'Total killed' read as 'cumulative_killed'" in n for n in report.notes)
    gap = table.loc["2019-12-03":"2019-12-12"]
    assert gap["new_killed"].isna().all() and (gap["status"] == "missing").all()
    resumed = table.loc["2019-12-13"]
    assert resumed["new_killed"] == 46 and resumed["covers_days"] == 11
    assert "max_spread_days=7" in resumed["flag"]
    assert any("resumed after 10 days" in n for n in report.notes)
    assert table.loc["2019-12-13", "note"].startswith("first report after")


def test_max_spread_days_can_be_raised(tallies_dir):
    table, report = read_tallies(tallies_dir / "long_suspension.csv", max_spread_days=11)
    assert report.choices["max_spread_days"] == 11
    spread = table.loc["2019-12-03":"2019-12-13", "new_killed"]
    assert _values(spread) == [5, 5] + [4] * 9
    assert spread.sum() == 46


def test_missing_required_column(tallies_dir):
    with pytest.raises(MissingColumnsError) as info:
        read_tallies(tallies_dir / "missing_killed.csv")
    assert info.value.missing == ["cumulative_killed"]
    assert "cumulative_kiled" in info.value.suggestions["cumulative_killed"]


def test_two_synonyms_for_one_column(tallies_dir):
    with pytest.raises(SchemaError, match="killed_total"):
        read_tallies(tallies_dir / "ambiguous_columns.csv")


def test_regions(tallies_dir):
    with pytest.raises(InputError, match="pass region="):
        read_tallies(tallies_dir / "two_regions.csv")
    table, report = read_tallies(tallies_dir / "two_regions.csv", region="idlib")
    # the rows of the other region are filtered out: neither accepted nor rejected
    assert report.accepted == 3 and report.rejected == 0 and report.filtered == 2
    assert report.balanced and report.ok
    assert any("region filter 'idlib'" in n and "2 rows" in n for n in report.notes)
    assert _values(table["new_killed"]) == [None, 3, 3, 3]
    with pytest.raises(InputError, match="no region column"):
        read_tallies(tallies_dir / "long_suspension.csv", region="Idlib")


def test_children_above_killed_rejected(tallies_dir):
    table, report = read_tallies(tallies_dir / "children_above_killed.csv")
    assert report.rejected == 1
    issue = report.errors[0]
    assert issue.row == 2 and issue.column == "cumulative_children"
    # The rejected day becomes a day without a report.
    assert not table.loc["2019-08-02", "reported"]
    assert table.loc["2019-08-02":"2019-08-03", "new_killed"].sum() == 4


def test_window(tallies_dir):
    table, report = read_tallies(
        tallies_dir / "monitor_aug_sep_2019.csv",
        window=("2019-09-01", "2019-09-30"),
        thousands=",",
    )
    assert table.index[0] == pd.Timestamp("2019-09-06")
    assert pd.isna(table["new_killed"].iloc[0])  # the first report in the window is the baseline
    outside = [e for e in report.errors if "outside the requested window" in e.reason]
    assert len(outside) == 12  # rows 1-12, all in August
    assert report.accepted == 7 and report.duplicates == 0
    report.check()


def test_strict_raises(tallies_dir):
    with pytest.raises(RowValidationError) as info:
        read_tallies(tallies_dir / "monitor_aug_sep_2019.csv", strict=True)
    assert info.value.row is not None


@pytest.mark.parametrize(
    "kwargs", [{"gap_rule": "interpolate"}, {"max_spread_days": 0}, {"max_spread_days": 2.5}]
)
def test_bad_arguments(tallies_dir, kwargs):
    with pytest.raises(InputError):
        read_tallies(tallies_dir / "long_suspension.csv", **kwargs)


def test_nothing_accepted_gives_empty_table():
    table, report = read_tallies(pd.DataFrame({"date": ["soon"], "cumulative_killed": ["3"]}))
    assert len(table) == 0 and list(table.columns) == list(TALLY_OUTPUT_COLUMNS)
    assert report.rejected == 1 and report.accepted == 0 and report.balanced
    assert len(tallies_to_series(table)) == 0


def test_empty_cumulative_is_rejected():
    frame = pd.DataFrame({"date": ["2019-08-01", "2019-08-02"], "cumulative_killed": ["4", ""]})
    _, report = read_tallies(frame)
    assert report.rejected == 1
    assert report.errors[0].row == 2 and "required" in report.errors[0].reason


def test_tallies_to_series(monitor):
    table, _ = monitor
    series = tallies_to_series(table)
    assert series.dtype == "float64"
    assert isinstance(series.index, pd.DatetimeIndex) and series.index.freq == "D"
    assert np.isnan(series["2019-08-20"]) and np.isnan(series["2019-09-10"])
    assert series["2019-08-21"] == 14.0
    assert series.name == "new_killed"
    injured = tallies_to_series(table, "new_injured")
    assert injured["2019-08-26"] == 10.0
    with pytest.raises(InputError, match="not in the tallies table"):
        tallies_to_series(table, "killed")


def test_spread_evenly():
    assert spread_evenly(7, 3) == [3, 2, 2]
    assert spread_evenly(0, 4) == [0, 0, 0, 0]
    assert spread_evenly(5, 1) == [5]
    with pytest.raises(InputError):
        spread_evenly(3, 0)
    with pytest.raises(InputError):
        spread_evenly(-1, 2)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

_reports = st.lists(
    st.tuples(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=60)),
    min_size=1,
    max_size=25,
)


def _frame(start: int, steps: list[tuple[int, int]], signed: bool = False) -> pd.DataFrame:
    """Tallies with the given (days since previous report, change) steps."""
    day = pd.Timestamp("2019-08-01")
    dates = [day]
    values = [start]
    for gap, change in steps:
        day = day + pd.Timedelta(days=gap)
        dates.append(day)
        values.append(max(0, values[-1] + change) if signed else values[-1] + change)
    return pd.DataFrame(
        {"date": [d.strftime("%Y-%m-%d") for d in dates], "cumulative_killed": values}
    )


@given(
    start=st.integers(min_value=0, max_value=5000),
    steps=_reports,
    gap_rule=st.sampled_from(["spread", "missing"]),
    max_spread=st.integers(min_value=1, max_value=10),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_non_decreasing(start, steps, gap_rule, max_spread):
    frame = _frame(start, steps)
    table, report = read_tallies(frame, gap_rule=gap_rule, max_spread_days=max_spread)
    report.check()
    values = frame["cumulative_killed"]
    first, last = int(values.iloc[0]), int(values.iloc[-1])
    new = table["new_killed"]
    assert len(table) == (table.index[-1] - table.index[0]).days + 1
    assert (new.dropna() >= 0).all()
    assert table["revision"].isna().all()
    # Every unit of the cumulative difference is on exactly one day (spread or NA-covered).
    assert int(new.sum()) == last - first
    # Days whose count is NA are the baseline and the gap days covered by a later report.
    na_days = int(new.isna().sum())
    covers = table["covers_days"].dropna()
    assert na_days == 1 + int((covers - 1).sum())
    if gap_rule == "spread":
        # Only gaps longer than max_spread_days are left unspread.
        assert not ((table["covers_days"] > 1) & (table["covers_days"] <= max_spread)).any()


@given(
    start=st.integers(min_value=0, max_value=500),
    steps=st.lists(
        st.tuples(st.integers(min_value=1, max_value=9), st.integers(min_value=-40, max_value=40)),
        min_size=1,
        max_size=25,
    ),
    gap_rule=st.sampled_from(["spread", "missing"]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_with_revisions(start, steps, gap_rule):
    frame = _frame(start, steps, signed=True)
    table, report = read_tallies(frame, gap_rule=gap_rule)
    report.check()
    values = frame["cumulative_killed"]
    first, last = int(values.iloc[0]), int(values.iloc[-1])
    assert (table["new_killed"].dropna() >= 0).all()  # never a negative count
    assert (table["revision"].dropna() > 0).all()
    assert (table.loc[table["revision"].notna(), "status"] == "revision").all()
    assert table.loc[table["status"] == "revision", "new_killed"].isna().all()
    assert int(table["new_killed"].sum()) - int(table["revision"].sum()) == last - first


@given(total=st.integers(min_value=0, max_value=10_000), days=st.integers(1, MAX_SPREAD_DAYS))
def test_property_spread_evenly(total, days):
    shares = spread_evenly(total, days)
    assert sum(shares) == total and len(shares) == days
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)  # the extra units go to the earliest days


# -- issue 9 item 7: quality flags -------------------------------------------------------------
def _tally_file(tmp_path, pairs):
    path = tmp_path / "flags.csv"
    lines = ["date,cumulative_killed"] + [f"{d},{v}" for d, v in pairs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _daily_totals(start, increments, base=1000):
    days = pd.date_range(start, periods=len(increments) + 1, freq="D")
    totals = np.concatenate([[base], base + np.cumsum(increments)])
    return [(d.date().isoformat(), int(v)) for d, v in zip(days, totals, strict=True)]


def test_spike_is_flagged_as_a_likely_late_registration(tmp_path):
    increments = [30, 28, 31, 29, 30, 33, 27, 531, 30, 29, 31, 28, 30, 32, 29, 598, 30, 31]
    daily, report = read_tallies(_tally_file(tmp_path, _daily_totals("2024-01-01", increments)))
    late = daily.index[daily["likely_late"]]
    assert list(late) == [pd.Timestamp("2024-01-09"), pd.Timestamp("2024-01-17")]
    assert daily.loc["2024-01-09", "new_killed"] == 531  # kept, flagged
    assert "likely late registration" in daily.loc["2024-01-09", "flag"]
    kinds = [(f["date"], f["kind"]) for f in report.flags]
    assert ("2024-01-09", "late_registration") in kinds and (
        "2024-01-17",
        "late_registration",
    ) in kinds
    assert report.rejected == 0


def test_frozen_total_is_not_reported_not_zero(tmp_path):
    increments = [10, 12, 9] + [0] * 8 + [95, 11, 10]
    daily, report = read_tallies(_tally_file(tmp_path, _daily_totals("2024-03-01", increments)))
    frozen = daily.loc["2024-03-05":"2024-03-12"]
    assert (frozen["status"] == "frozen").all() and frozen["new_killed"].isna().all()
    assert not frozen["reported"].any()
    resumed = daily.loc["2024-03-13"]
    assert resumed["new_killed"] == 95 and resumed["covers_days"] == 9
    assert sum(f["kind"] == "frozen" for f in report.flags) == 8
    assert report.days_not_reported == 8 and report.rejected == 0
    # Two unchanged days are still two reported zero days.
    short = [10, 0, 0, 12]
    daily, _ = read_tallies(_tally_file(tmp_path, _daily_totals("2024-03-01", short)))
    assert (daily["status"] != "frozen").all() and daily["new_killed"].tolist()[2:4] == [0, 0]


def test_48_hour_report_is_spread_and_marked(tmp_path):
    pairs = [("2024-05-01", 100), ("2024-05-02", 110), ("2024-05-04", 130), ("2024-05-05", 135)]
    daily, report = read_tallies(_tally_file(tmp_path, pairs))
    assert daily.loc["2024-05-03":"2024-05-04", "new_killed"].tolist() == [10, 10]
    assert (daily.loc["2024-05-03":"2024-05-04", "status"] == "spread").all()
    assert ("2024-05-04", "multi_day") in [(f["date"], f["kind"]) for f in report.flags]
    assert report.days_not_reported == 1
    daily, report = read_tallies(_tally_file(tmp_path, pairs), gap_rule="missing")
    assert daily.loc["2024-05-04", "covers_days"] == 2
    assert ("2024-05-04", "multi_day") in [(f["date"], f["kind"]) for f in report.flags]


def test_every_cumulative_figure_has_its_own_frozen_days_and_the_days_add_up(tmp_path):
    killed = _daily_totals("2024-03-01", [10, 12, 9] + [0] * 8 + [95, 11, 10])
    lines = ["date,cumulative_killed,cumulative_injured"]
    lines += [f"{d},{v},{3 * v}" for d, v in killed if d != "2024-03-02"]  # one day without
    path = tmp_path / "frozen_both.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    daily, report = read_tallies(path)
    frozen = daily.loc["2024-03-05":"2024-03-12"]
    assert frozen["new_injured"].isna().all()  # not eight reported zeros
    assert daily.loc["2024-03-13", "new_injured"] == 3 * 95
    # 15 days: 14 with a report (8 repeating a frozen total), 1 without one
    note = next(n for n in report.notes if n.startswith(f"{len(daily)} days from"))
    assert f"{len(daily) - 1} with a report, 1 generated without one" in note
    assert report.days_not_reported == 8 + 1
    assert "never as zero" in report.report()


def test_a_report_after_a_long_gap_counts_for_the_days_it_covers(tmp_path):
    """A 12-day blackout (longer than max_spread_days): the resumed report's increment covers
    12 days; the series carries that exposure and the analysis rates it over them."""
    from trends.analysis import analyse_ceasefire
    from trends.series import CountSeries

    rng = np.random.default_rng(4)
    increments = list(rng.poisson(np.r_[np.full(40, 9.0), np.full(50, 3.0)]))
    full = _daily_totals("2024-05-01", increments)
    gappy = [p for k, p in enumerate(full) if not 60 <= k < 71]  # 11 days without a report
    daily, _ = read_tallies(_tally_file(tmp_path, gappy))
    series = CountSeries.from_tallies(daily)
    lump_day = pd.Timestamp(full[71][0])
    assert series.exposure.loc[lump_day] == 12 and int(series.exposure.sum()) == len(daily) + 11
    kw = {"placebo": False, "robustness": False}
    a = analyse_ceasefire(series, "2024-06-10", **kw).outcomes["new_killed"].rates
    reference, _ = read_tallies(_tally_file(tmp_path, full))
    b = analyse_ceasefire(CountSeries.from_tallies(reference), "2024-06-10", **kw)
    ref = b.outcomes["new_killed"].rates
    assert a.after.count == ref.after.count and a.after.n_periods == ref.after.n_periods
    assert a.rate_ratio["estimate"] == pytest.approx(ref.rate_ratio["estimate"])


def test_slow_figures_keep_their_zero_days_and_fast_ones_freeze():
    """A monitor that reports every day at 0.5 deaths a day has many runs of 3+ zero days: they
    are zeros, not a frozen total (auto threshold 13); at 7.5 a day a 4-day repeat is frozen."""
    import math

    from trends.ingest.tallies import FROZEN_DAYS, frozen_threshold, read_tallies

    rng = np.random.default_rng(29)
    days = pd.date_range("2021-01-01", periods=240)
    slow = np.cumsum(rng.poisson(0.5, 240)) + 50
    table = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "cumulative_killed": slow})
    daily, report = read_tallies(table)
    assert int((daily["status"] == "frozen").sum()) == 0
    assert daily["new_killed"].iloc[1:].notna().all()
    rate = (slow[-1] - slow[0]) / 239
    assert frozen_threshold(table.assign(date=days), "cumulative_killed", "auto") == max(
        FROZEN_DAYS, math.ceil(math.log(1000) / rate) - 1
    )
    fixed, _ = read_tallies(table, frozen_days=2)  # the old fixed rule, on request
    assert int((fixed["status"] == "frozen").sum()) > 20
    fast = np.cumsum(rng.poisson(7.5, 60)) + 500
    fast[20:25] = fast[19]  # frozen for 5 days
    daily, report = read_tallies(
        pd.DataFrame({"date": days[:60].strftime("%Y-%m-%d"), "cumulative_killed": fast})
    )
    assert int((daily["status"] == "frozen").sum()) == 5
    assert any("frozen for more than 2 days" in n for n in report.notes)
    with pytest.raises(InputError, match="frozen_days"):
        read_tallies(table, frozen_days=0)


@pytest.mark.parametrize("rate, expected", [(0.5, 13), (0.2, 34), (7.5, 2)])
def test_the_frozen_thresholds_the_docs_quote(rate, expected):
    """The figures quoted in read_tallies, frozen_threshold and the README (13 at 0.5 a day,
    34 at 0.2 a day, the 2-day minimum at 7.5 a day)."""
    from trends.ingest.tallies import frozen_threshold

    days = pd.date_range("2021-01-01", periods=201)
    reports = pd.DataFrame({"date": days, "cumulative_killed": 100 + rate * np.arange(201)})
    assert frozen_threshold(reports, "cumulative_killed", "auto") == expected
    assert frozen_threshold(reports, "cumulative_killed", 5) == 5


def test_a_measure_taken_out_of_a_series_keeps_its_words_in_the_models_sentences():
    from trends.models.rates import compare_rates
    from trends.series import CountSeries

    idx = pd.date_range("2024-05-01", periods=60)
    counts = pd.DataFrame({"new_killed": np.arange(60) % 5}, index=idx)
    series = CountSeries.from_frame(counts, labels={"new_killed": "people killed"})
    values = series.measure("new_killed")
    assert values.attrs["label"] == "people killed" and values.name == "new_killed"
    r = compare_rates(values, ("2024-05-01", "2024-05-31"), ("2024-06-01", "2024-06-29"))
    assert "people killed in 31 observed days" in r.report()
    assert "new killed" not in r.report()

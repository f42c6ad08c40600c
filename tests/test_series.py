"""Example tests of trends.series with hand-computed expectations.

Calendar used throughout: 2019-08-30 was a Friday, 2019-08-31 a Saturday, 2019-09-01 a Sunday and
2019-09-02 a Monday.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from trends.errors import DataQualityWarning, EventError, InputError, MissingColumnsError
from trends.schema import order_columns
from trends.series import (
    COVERAGE_COLUMNS,
    UNKNOWN_GROUP,
    align_many,
    align_on_event,
    count_series,
    cumulative_since,
    daily_counts,
    filter_incidents,
    rolling_rate,
)

NA = None


def incidents(rows: list[dict]) -> pd.DataFrame:
    """A canonical incident table from short row dicts (missing counts stay missing)."""
    frame = pd.DataFrame(rows)
    frame["incident_id"] = [f"i{k}" for k in range(len(frame))]
    frame["dataset"] = "test"
    frame["date"] = pd.to_datetime(frame["date"])
    if "date_end" in frame:
        frame["date_end"] = pd.to_datetime(frame["date_end"])
    for col in (
        "civilian_deaths_low",
        "civilian_deaths_best",
        "civilian_deaths_high",
        "child_deaths",
        "injured",
    ):
        if col in frame:
            frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return order_columns(frame)


def row(date: str, best=NA, *, low=NA, high=NA, **extra) -> dict:
    return {
        "date": date,
        "civilian_deaths_low": low,
        "civilian_deaths_best": best,
        "civilian_deaths_high": high,
        **extra,
    }


@dataclass
class Event:
    """Stands in for trends.events.ReferenceEvent: anything with a `.start` Timestamp."""

    event_id: str
    start: pd.Timestamp


# ---------------------------------------------------------------------------------------------
# count_series: daily zero-fill, range, dtype
# ---------------------------------------------------------------------------------------------


def test_daily_zero_fill_and_layout():
    table = incidents(
        [
            row("2019-08-31", 3, low=2, high=5, injured=1),
            row("2019-08-31", 1, low=1, high=1),
            row("2019-09-03", 7, low=7, high=9, child_deaths=2),
        ]
    )
    out = count_series(table)
    assert isinstance(out.index, pd.DatetimeIndex)
    assert out.index.name == "date"
    assert out.index.dtype == "datetime64[ns]"
    assert list(out.index.strftime("%Y-%m-%d")) == [
        "2019-08-31",
        "2019-09-01",
        "2019-09-02",
        "2019-09-03",
    ]
    assert out["attacks"].tolist() == [2, 0, 0, 1]
    assert out["deaths_best"].tolist() == [4, 0, 0, 7]
    assert out["deaths_low"].tolist() == [3, 0, 0, 7]
    assert out["deaths_high"].tolist() == [6, 0, 0, 9]
    assert out["child_deaths"].tolist() == [0, 0, 0, 2]
    assert out["injured"].tolist() == [1, 0, 0, 0]
    assert out["incidents_no_death_figure"].tolist() == [0, 0, 0, 0]
    for col in ("attacks", "deaths_best", "injured"):
        assert out[col].dtype == np.float64
    for col in COVERAGE_COLUMNS:
        assert out[col].dtype == np.int64
        assert out[col].tolist() == [1, 1, 1, 1]
    assert out.attrs["n_incidents"] == 3
    assert out.attrs["n_excluded"] == 0


def test_requested_range_zero_fills_and_reports_exclusions():
    table = incidents([row("2019-08-31", 3), row("2019-09-03", 7), row("2019-09-10", 1)])
    out = count_series(
        table, start="2019-08-29", end="2019-09-05", measures=["deaths_best", "attacks"]
    )
    assert len(out) == 8
    assert out["deaths_best"].tolist() == [0, 0, 3, 0, 0, 7, 0, 0]
    assert out.attrs["start"] == pd.Timestamp("2019-08-29")
    assert out.attrs["end"] == pd.Timestamp("2019-09-05")
    assert out.attrs["n_in_range"] == 2
    assert out.attrs["n_excluded"] == 1
    assert out.attrs["excluded_totals"]["deaths_best"] == 1
    assert out.attrs["excluded_totals"]["attacks"] == 1
    # incidents_no_death_figure comes with any deaths_* measure
    assert list(out.columns[:3]) == ["deaths_best", "attacks", "incidents_no_death_figure"]


def test_time_of_day_is_dropped():
    table = incidents([row("2019-08-31 23:30", 1), row("2019-09-01 00:10", 2)])
    out = count_series(table, measures=["deaths_best"])
    assert out["deaths_best"].tolist() == [1, 2]


# ---------------------------------------------------------------------------------------------
# weeks and months
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def four_days() -> pd.DataFrame:
    # Fri 30 Aug, Sat 31 Aug, Sun 1 Sep, Mon 2 Sep 2019
    return incidents(
        [
            row("2019-08-30", 1),
            row("2019-08-31", 10),
            row("2019-09-01", 100),
            row("2019-09-02", 1000),
        ]
    )


def test_monday_weeks(four_days):
    out = count_series(four_days, freq="W")
    assert list(out.index.strftime("%Y-%m-%d")) == ["2019-08-26", "2019-09-02"]
    assert (out.index.day_of_week == 0).all()
    assert out["deaths_best"].tolist() == [111, 1000]
    assert out["attacks"].tolist() == [3, 1]
    assert out["days_in_period"].tolist() == [7, 7]
    assert out["days_covered"].tolist() == [3, 1]  # the range is 30 Aug .. 2 Sep
    assert out.attrs["week_anchor"] == "MON"


def test_saturday_weeks_acled(four_days):
    out = count_series(four_days, freq="W", week_anchor="SAT")
    # a week is labelled by its first day, a Saturday: 24-30 Aug and 31 Aug - 6 Sep
    assert list(out.index.strftime("%Y-%m-%d")) == ["2019-08-24", "2019-08-31"]
    assert (out.index.day_of_week == 5).all()
    assert out["deaths_best"].tolist() == [1, 1110]
    assert out["attacks"].tolist() == [1, 3]
    assert out["days_covered"].tolist() == [1, 3]
    assert out.attrs["week_anchor"] == "SAT"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"freq": "W-SAT"},
        {"freq": "week", "week_anchor": "saturday"},
        {"freq": "weekly", "week_anchor": "Sat"},
        {"freq": "W-SAT", "week_anchor": "SAT"},
    ],
)
def test_week_spellings(four_days, kwargs):
    expected = count_series(four_days, freq="W", week_anchor="SAT")
    pd.testing.assert_frame_equal(count_series(four_days, **kwargs), expected)


def test_week_anchor_errors(four_days):
    with pytest.raises(InputError, match="week_anchor"):
        count_series(four_days, freq="W", week_anchor="SAMEDI")
    with pytest.raises(InputError, match="contradicts"):
        count_series(four_days, freq="W-SAT", week_anchor="MON")
    with pytest.raises(InputError, match="freq"):
        count_series(four_days, freq="Q")


def test_months_partial_first_and_last():
    table = incidents(
        [
            row("2019-01-31", 1),
            row("2019-02-01", 2),
            row("2019-02-28", 3),
            row("2019-03-15", 4),
            row("2019-03-25", 99),  # after the range
        ]
    )
    out = count_series(table, freq="month", start="2019-01-15", end="2019-03-20")
    assert list(out.index.strftime("%Y-%m-%d")) == ["2019-01-01", "2019-02-01", "2019-03-01"]
    assert out["attacks"].tolist() == [1, 2, 1]
    assert out["deaths_best"].tolist() == [1, 5, 4]
    assert out["days_in_period"].tolist() == [31, 28, 31]
    assert out["days_covered"].tolist() == [17, 28, 20]
    assert out["days_reported"].tolist() == [17, 28, 20]
    assert out.attrs["n_excluded"] == 1


# ---------------------------------------------------------------------------------------------
# groups
# ---------------------------------------------------------------------------------------------


def test_by_admin1_zero_fills_every_group():
    table = incidents(
        [
            row("2019-08-31", 2, admin1="Idlib"),
            row("2019-09-02", 5, admin1="Hama"),
            row("2019-09-02", 1, admin1=None),
            row("2019-09-02", 4, admin1="  "),
        ]
    )
    out = count_series(table, by="admin1")
    assert out.columns.names == ["measure", "admin1"]
    best = out["deaths_best"]
    assert list(best.columns) == [UNKNOWN_GROUP, "Hama", "Idlib"]
    assert best["Idlib"].tolist() == [2, 0, 0]
    assert best["Hama"].tolist() == [0, 0, 5]
    assert best[UNKNOWN_GROUP].tolist() == [0, 0, 5]
    assert out["attacks"][UNKNOWN_GROUP].tolist() == [0, 0, 2]
    assert out[("days_covered", "")].tolist() == [1, 1, 1]
    # groups add up to the ungrouped series
    total = count_series(table)
    for m in ("attacks", "deaths_best", "incidents_no_death_figure"):
        np.testing.assert_array_equal(out[m].sum(axis=1).to_numpy(), total[m].to_numpy())


def test_by_two_columns_uses_observed_combinations():
    table = incidents(
        [
            row("2019-08-31", 2, admin1="Idlib", perpetrator="X"),
            row("2019-09-01", 3, admin1="Idlib", perpetrator="Y"),
            row("2019-09-01", 4, admin1="Hama", perpetrator="X"),
        ]
    )
    out = count_series(table, by=["admin1", "perpetrator"], measures=["deaths_best"])
    assert out.columns.names == ["measure", "admin1", "perpetrator"]
    assert list(out["deaths_best"].columns) == [("Hama", "X"), ("Idlib", "X"), ("Idlib", "Y")]
    assert out[("deaths_best", "Idlib", "Y")].tolist() == [0, 3]
    assert out[("days_in_period", "", "")].tolist() == [1, 1]


def test_by_unknown_column():
    table = incidents([row("2019-08-31", 2, admin1="Idlib")])
    with pytest.raises(MissingColumnsError) as info:
        count_series(table, by="admin_1")
    assert info.value.missing == ["admin_1"]
    assert "admin1" in info.value.suggestions["admin_1"]


# ---------------------------------------------------------------------------------------------
# not-reported periods and missing figures
# ---------------------------------------------------------------------------------------------


def test_not_reported_days_are_nan_not_zero():
    table = incidents([row("2019-08-30", 1), row("2019-09-01", 5), row("2019-09-03", 2)])
    out = count_series(table, not_reported=[("2019-08-31", "2019-09-01")])
    assert out.loc["2019-08-31"].drop(list(COVERAGE_COLUMNS)).isna().all()
    assert np.isnan(out.loc["2019-09-01", "deaths_best"])
    assert np.isnan(out.loc["2019-09-01", "attacks"])
    assert out.loc["2019-09-02", "deaths_best"] == 0
    assert out["days_reported"].tolist() == [1, 0, 0, 1, 1]
    assert out.attrs["masked_totals"]["deaths_best"] == 5
    assert out.attrs["masked_totals"]["attacks"] == 1
    assert out["deaths_best"].sum() + out.attrs["masked_totals"]["deaths_best"] == 8


def test_not_reported_forms_are_equivalent():
    table = incidents([row("2019-08-30", 1), row("2019-09-01", 5), row("2019-09-03", 2)])
    a = count_series(table, not_reported=[("2019-08-31", "2019-09-01")])
    b = count_series(
        table,
        not_reported=pd.DataFrame(
            {"start": ["2019-08-31"], "end": [pd.Timestamp("2019-09-01")], "why": ["outage"]}
        ),
    )
    c = count_series(table, not_reported=["2019-08-31", "2019-09-01"])  # single days
    d = count_series(table, not_reported=("2019-08-31", "2019-09-01"))  # one period
    for other in (b, c, d):
        pd.testing.assert_frame_equal(a, other)
    with pytest.raises(InputError, match="before it starts"):
        count_series(table, not_reported=[("2019-09-02", "2019-09-01")])
    with pytest.raises(MissingColumnsError):
        count_series(table, not_reported=pd.DataFrame({"from": ["2019-09-01"]}))


def test_weeks_with_a_not_reported_day_are_nan():
    table = incidents([row("2019-08-30", 1), row("2019-09-01", 5), row("2019-09-03", 2)])
    out = count_series(
        table,
        freq="W",
        start="2019-08-26",
        end="2019-09-15",
        not_reported=[("2019-09-01", "2019-09-01")],
    )
    # weeks 26 Aug (holds the not-reported Sunday), 2 Sep, 9 Sep
    assert np.isnan(out["deaths_best"].iloc[0])
    assert out["deaths_best"].iloc[1:].tolist() == [2, 0]
    assert out["days_reported"].tolist() == [6, 7, 7]
    assert out["days_covered"].tolist() == [7, 7, 7]
    # the reported Friday of the masked week is masked too, and accounted for
    assert out.attrs["masked_totals"]["deaths_best"] == 6


def test_not_reported_outside_range_is_ignored():
    table = incidents([row("2019-08-30", 1), row("2019-09-01", 5)])
    out = count_series(table, not_reported=[("2019-01-01", "2019-01-31")])
    assert out["deaths_best"].tolist() == [1, 0, 5]


def test_missing_death_figures_are_not_zero_and_are_counted():
    table = incidents(
        [
            row("2019-08-31", 4, low=3, high=6),
            row("2019-08-31", NA, low=NA, high=10),
            row("2019-09-01", NA),
        ]
    )
    before = table.copy()
    out = count_series(table)
    assert out["attacks"].tolist() == [2, 1]
    assert out["deaths_best"].tolist() == [4, 0]  # sum of the known figures
    assert out["deaths_high"].tolist() == [16, 0]
    assert out["incidents_no_death_figure"].tolist() == [1, 1]
    # the table is not modified: the missing figures stay missing
    pd.testing.assert_frame_equal(table, before)
    assert table["civilian_deaths_best"].isna().sum() == 2


def test_absent_count_columns_warn():
    table = pd.DataFrame({"date": pd.to_datetime(["2019-08-31", "2019-09-01"])})
    with pytest.warns(DataQualityWarning, match="civilian_deaths_best"):
        out = count_series(table)
    assert out["attacks"].tolist() == [1, 1]
    assert out["deaths_best"].tolist() == [0, 0]
    assert out["incidents_no_death_figure"].tolist() == [1, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        count_series(table, measures=["attacks"])


# ---------------------------------------------------------------------------------------------
# multi-day incidents
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def three_day_incident() -> pd.DataFrame:
    return incidents(
        [
            row("2019-09-01", 10, low=7, high=11, date_end="2019-09-03", injured=2),
            row("2019-09-02", 1, low=1, high=1),
        ]
    )


def test_multi_day_start(three_day_incident):
    out = count_series(three_day_incident, end="2019-09-03")
    assert out["deaths_best"].tolist() == [10, 1, 0]
    assert out["attacks"].tolist() == [1, 1, 0]
    assert out.attrs["n_multi_day"] == 1


def test_multi_day_spread_largest_remainder(three_day_incident):
    out = count_series(three_day_incident, multi_day="spread")
    # 10 over 3 days: 3 each, the first day gets the remainder 1
    assert out["deaths_best"].tolist() == [4, 3 + 1, 3]
    assert out["deaths_low"].tolist() == [3, 2 + 1, 2]  # 7 = 3 + 2 + 2
    assert out["deaths_high"].tolist() == [4, 4 + 1, 3]  # 11 = 4 + 4 + 3
    assert out["injured"].tolist() == [1, 1, 0]  # 2 = 1 + 1 + 0
    # the attack counts once, on its first day
    assert out["attacks"].tolist() == [1, 1, 0]
    spread_only = out[["deaths_low", "deaths_best", "deaths_high"]].sum()
    assert spread_only.tolist() == [8, 11, 12]  # totals kept


def test_multi_day_spread_cut_by_range(three_day_incident):
    out = count_series(three_day_incident, multi_day="spread", end="2019-09-02")
    assert out["deaths_best"].tolist() == [4, 4]
    assert out.attrs["excluded_totals"]["deaths_best"] == 3
    out = count_series(three_day_incident, multi_day="spread", start="2019-09-02")
    # the incident began before the range: its in-range shares count, not its attack
    assert out["deaths_best"].tolist() == [3 + 1, 3]
    assert out["attacks"].tolist() == [1, 0]
    assert out.attrs["n_excluded"] == 1
    assert out.attrs["excluded_totals"]["deaths_best"] == 4


def test_multi_day_default_range_covers_date_end(three_day_incident):
    start = count_series(three_day_incident)
    spread = count_series(three_day_incident, multi_day="spread")
    assert start.attrs["end"] == pd.Timestamp("2019-09-02")
    assert spread.attrs["end"] == pd.Timestamp("2019-09-03")


def test_date_end_before_date_is_an_error():
    table = incidents([row("2019-09-01", 1), row("2019-09-03", 1, date_end="2019-09-02")])
    with pytest.raises(InputError) as info:
        count_series(table)
    assert info.value.row == 2
    assert info.value.column == "date_end"


# ---------------------------------------------------------------------------------------------
# long form, errors
# ---------------------------------------------------------------------------------------------


def test_long_and_wide_are_consistent():
    table = incidents(
        [
            row("2019-08-31", 2, admin1="Idlib"),
            row("2019-09-02", NA, admin1="Hama"),
            row("2019-09-09", 4, admin1="Hama"),
        ]
    )
    kwargs = {"freq": "W", "by": "admin1", "not_reported": [("2019-09-10", "2019-09-10")]}
    wide = count_series(table, **kwargs)
    long = count_series(table, form="long", **kwargs)
    assert list(long.columns) == [
        "date",
        "admin1",
        "measure",
        "value",
        "days_in_period",
        "days_covered",
        "days_reported",
    ]
    assert long["value"].dtype == np.float64
    pivot = long.pivot_table(
        index="date", columns=["measure", "admin1"], values="value", dropna=False, sort=False
    )
    for (measure, group), values in pivot.items():
        np.testing.assert_array_equal(values.to_numpy(), wide[(measure, group)].to_numpy())
    assert len(long) == len(wide) * 2 * 7  # periods x groups x measures
    cov = long.drop_duplicates("date").set_index("date")["days_reported"]
    assert cov.tolist() == wide[("days_reported", "")].tolist()
    assert long.attrs["n_incidents"] == 3


def test_long_form_without_groups():
    table = incidents([row("2019-08-31", 2), row("2019-09-01", 3)])
    long = count_series(table, form="long", measures=["attacks"])
    assert list(long.columns[:3]) == ["date", "measure", "value"]
    assert long["value"].tolist() == [1, 1]
    assert set(long["measure"]) == {"attacks"}


def test_input_errors():
    good = incidents([row("2019-08-31", 2)])
    with pytest.raises(MissingColumnsError):
        count_series(good.drop(columns="date"))
    bad_date = good.copy()
    bad_date["date"] = ["2019-02-30"]
    with pytest.raises(InputError) as info:
        count_series(bad_date)
    assert (info.value.row, info.value.column) == (1, "date")
    negative = good.copy()
    negative["civilian_deaths_best"] = pd.array([-1], dtype="Int64")
    with pytest.raises(InputError, match="negative"):
        count_series(negative)
    fraction = good.copy()
    fraction["civilian_deaths_best"] = [1.5]
    with pytest.raises(InputError, match="whole"):
        count_series(fraction)
    with pytest.raises(InputError, match="unknown measure"):
        count_series(good, measures=["deaths"])
    with pytest.raises(InputError, match="empty"):
        count_series(good.iloc[:0])
    with pytest.raises(InputError, match="after end"):
        count_series(good, start="2019-09-02", end="2019-09-01")
    with pytest.raises(InputError):
        count_series(good, multi_day="middle")
    with pytest.raises(InputError):
        count_series(good, form="tall")


def test_empty_table_with_range_is_all_zero():
    out = count_series(
        incidents([row("2019-08-31", 2)]).iloc[:0], start="2019-09-01", end="2019-09-03"
    )
    assert out["attacks"].tolist() == [0, 0, 0]


# ---------------------------------------------------------------------------------------------
# daily_counts
# ---------------------------------------------------------------------------------------------


def test_daily_counts():
    table = incidents([row("2019-08-31", 2, admin1="Idlib"), row("2019-09-02", NA, admin1="Hama")])
    s = daily_counts(table, "deaths_best", "2019-08-30", "2019-09-03")
    assert isinstance(s, pd.Series)
    assert s.name == "deaths_best"
    assert s.index.name == "date"
    assert s.dtype == np.float64
    assert s.tolist() == [0, 2, 0, 0, 0]
    pd.testing.assert_series_equal(daily_counts(table, "deaths", "2019-08-30", "2019-09-03"), s)
    s = daily_counts(table, start="2019-08-30", end="2019-09-03", not_reported=["2019-09-01"])
    assert s.name == "attacks"
    assert s.isna().tolist() == [False, False, True, False, False]
    g = daily_counts(table, "attacks", by="admin1")
    assert g.index.names == ["admin1", "date"]
    assert g.loc["Hama"].tolist() == [0, 0, 1]
    assert g.loc["Idlib"].tolist() == [1, 0, 0]


# ---------------------------------------------------------------------------------------------
# cumulative_since
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def daily_table() -> pd.DataFrame:
    return incidents(
        [
            row("2019-08-28", 9, low=9, high=9),
            row("2019-08-31", 2, low=1, high=3),
            row("2019-09-01", 4, low=4, high=8),
            row("2019-09-03", 1, low=1, high=1),
            row("2019-09-04", 6, low=5, high=6),
        ]
    )


@pytest.fixture
def daily_frame(daily_table) -> pd.DataFrame:
    return count_series(daily_table, not_reported=[("2019-09-03", "2019-09-03")])


def test_cumulative_since_event_with_time_of_day(daily_frame):
    event = Event("ceasefire", pd.Timestamp("2019-08-31 06:00"))
    out = cumulative_since(daily_frame, event)
    assert out.index[0] == pd.Timestamp("2019-08-31")  # the event's day is day 0 and counted
    assert out["deaths_best"].tolist() == [2, 6, 6, 6, 12]
    assert out["deaths_low"].tolist() == [1, 5, 5, 5, 10]
    assert out["deaths_high"].tolist() == [3, 11, 11, 11, 17]
    # 3 Sep was not reported: skipped, and counted
    assert out["days_missing"].tolist() == [0, 0, 0, 1, 1]
    assert out["days_missing"].dtype == np.int64
    assert "days_covered" not in out.columns
    assert out.attrs["event_date"] == pd.Timestamp("2019-08-31")


def test_cumulative_since_options(daily_frame):
    out = cumulative_since(daily_frame, "2019-08-31", inclusive=False, end="2019-09-02")
    assert out["deaths_best"].tolist() == [4, 4]
    assert list(out.index.strftime("%d")) == ["01", "02"]
    s = cumulative_since(daily_frame["deaths_best"], pd.Timestamp("2019-09-01"))
    assert isinstance(s, pd.Series)
    assert s.tolist() == [4, 4, 4, 10]
    assert s.attrs["days_missing"] == 1
    with pytest.raises(EventError):
        cumulative_since(daily_frame, "2019-10-01")
    with pytest.raises(EventError):
        cumulative_since(daily_frame, "2019-08-01")
    with pytest.raises(EventError):
        cumulative_since(daily_frame, object())
    with pytest.raises(InputError):
        cumulative_since(daily_frame.reset_index(drop=True), "2019-08-31")


def test_cumulative_since_grouped_frame():
    table = incidents([row("2019-08-31", 2, admin1="Idlib"), row("2019-09-01", 3, admin1="Hama")])
    grouped = count_series(table, by="admin1", not_reported=["2019-09-01"], end="2019-09-02")
    out = cumulative_since(grouped, "2019-08-31")
    assert out[("deaths_best", "Idlib")].tolist() == [2, 2, 2]
    assert out[("deaths_best", "Hama")].tolist() == [0, 0, 0]  # its day was not reported
    assert out[("days_missing", "")].tolist() == [0, 1, 1]


def test_cumulative_since_weekly_counts_missing_days():
    table = incidents([row("2019-08-30", 1), row("2019-09-03", 2), row("2019-09-10", 3)])
    weekly = count_series(
        table,
        freq="W",
        start="2019-08-26",
        end="2019-09-15",
        not_reported=[("2019-09-04", "2019-09-04")],
    )
    out = cumulative_since(weekly, "2019-08-28")  # the week of 26 Aug is period 0
    assert out["deaths_best"].tolist() == [1, 1, 4]
    assert out["days_missing"].tolist() == [0, 7, 7]  # the whole masked week is not in the sum


# ---------------------------------------------------------------------------------------------
# alignment
# ---------------------------------------------------------------------------------------------


def test_align_on_event_relative_days(daily_frame):
    out = align_on_event(daily_frame["deaths_best"], "2019-09-01", before=2, after=4)
    assert out.index.name == "relative_day"
    assert out.index.tolist() == [-2, -1, 0, 1, 2, 3, 4]
    assert out["date"].iloc[2] == pd.Timestamp("2019-09-01")
    values = out["value"].tolist()
    assert values[:4] == [0, 2, 4, 0]
    assert np.isnan(values[4])  # 3 Sep: not reported
    assert values[5] == 6
    assert np.isnan(values[6])  # 5 Sep: after the series, unknown


def test_align_on_event_frame_and_blocks(daily_table, daily_frame):
    out = align_on_event(daily_frame, "2019-08-29", before=1, after=2, freq="W")
    assert out.index.name == "relative_week"
    assert out.index.tolist() == [-1, 0, 1, 2]
    # block -1 = 22-28 Aug (starts before the series: NaN); block 0 = 29 Aug - 4 Sep holds
    # the not-reported 3 Sep: NaN; blocks 1, 2 run past the series: NaN
    assert out["deaths_best"].isna().all()
    out = align_on_event(daily_frame, "2019-08-28", before=0, after=0, freq="W")
    assert np.isnan(out["deaths_best"].iloc[0])
    # all reported: 7-day blocks anchored on the event day (not calendar weeks)
    full = count_series(daily_table, end="2019-09-11")
    out = align_on_event(full, "2019-08-29", before=0, after=1, freq="W")
    assert out["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-08-29", "2019-09-05"]
    assert out["deaths_best"].tolist() == [2 + 4 + 1 + 6, 0]
    assert out["attacks"].tolist() == [4, 0]
    assert "days_covered" not in out.columns
    assert out.attrs["block_days"] == 7
    out = align_on_event(full["deaths_best"], "2019-08-28", before=0, after=0, freq="M")
    assert out.index.name == "relative_month"
    assert np.isnan(out["value"].iloc[0])  # a 30-day block running past the series


def test_align_on_weekly_series():
    table = incidents([row("2019-08-30", 1), row("2019-09-03", 2), row("2019-09-10", 3)])
    weekly = count_series(table, freq="W", week_anchor="SAT")
    out = align_on_event(weekly, "2019-09-02", before=1, after=2)
    assert out.index.name == "relative_week"
    assert out["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-08-24",
        "2019-08-31",
        "2019-09-07",
        "2019-09-14",
    ]
    assert out["deaths_best"].tolist()[:3] == [1, 2, 3]
    assert np.isnan(out["deaths_best"].iloc[3])
    with pytest.raises(InputError):
        align_on_event(weekly, "2019-09-02", freq="D")


def test_align_many(daily_frame):
    events = [Event("a", pd.Timestamp("2019-08-31")), Event("b", pd.Timestamp("2019-09-02"))]
    out = align_many(daily_frame["deaths_best"], events, before=1, after=1)
    assert list(out.columns) == ["event_id", "relative_day", "date", "value"]
    assert out["event_id"].tolist() == ["a"] * 3 + ["b"] * 3
    assert out["relative_day"].tolist() == [-1, 0, 1] * 2
    assert out["value"].tolist()[:5] == [0, 2, 4, 4, 0]
    by_id = align_many(daily_frame["deaths_best"], {"x": "2019-08-31"}, before=0, after=0)
    assert by_id["event_id"].tolist() == ["x"]
    frame = align_many(daily_frame[["deaths_low", "deaths_best"]], events, before=0, after=0)
    assert list(frame.columns) == ["event_id", "relative_day", "date", "measure", "value"]
    assert len(frame) == 2 * 2
    dated = align_many(daily_frame["deaths_best"], ["2019-08-31"], before=0, after=0)
    assert dated["event_id"].tolist() == ["2019-08-31"]
    table = pd.DataFrame({"event_id": ["p", "q"], "date": ["2019-08-31", "2019-09-01"]})
    from_table = align_many(daily_frame["deaths_best"], table, before=0, after=0)
    assert from_table["event_id"].tolist() == ["p", "q"]
    assert from_table["value"].tolist() == [2, 4]
    with pytest.raises(EventError, match="have the id"):
        align_many(daily_frame["deaths_best"], ["2019-08-31", pd.Timestamp("2019-08-31")])


# ---------------------------------------------------------------------------------------------
# rolling_rate and filter_incidents
# ---------------------------------------------------------------------------------------------


def test_rolling_rate_ignores_missing_days():
    s = pd.Series(
        [1.0, 2.0, np.nan, 4.0, 6.0],
        index=pd.date_range("2019-09-01", periods=5, name="date"),
    )
    out = rolling_rate(s, window=3)  # min_periods = 2
    assert np.isnan(out.iloc[0])
    assert out.iloc[1:].tolist() == [1.5, 1.5, 3.0, 5.0]
    out = rolling_rate(s, window=2, min_periods=2)
    assert out.isna().tolist() == [True, False, True, True, False]
    assert out.iloc[-1] == 5.0
    with pytest.raises(InputError):
        rolling_rate(s, window=0)


def test_rolling_rate_per_day_for_weekly_frame():
    table = incidents([row("2019-08-31", 7), row("2019-09-03", 14)])
    weekly = count_series(table, freq="W", start="2019-08-31", end="2019-09-15")
    # weeks 26 Aug (2 days covered), 2 Sep (7), 9 Sep (7)
    out = rolling_rate(weekly[["deaths_best", "days_covered"]], window=2, min_periods=1)
    assert list(out.columns) == ["deaths_best"]
    assert out["deaths_best"].tolist() == [7 / 2, 21 / 9, 14 / 14]


def test_filter_incidents():
    table = incidents(
        [
            row("2019-08-30", 1, admin1="Idlib", weapon="Airstrike"),
            row("2019-08-31", NA, admin1="Hama", weapon="Shelling"),
            row("2019-09-01", 5, admin1=None, weapon="Airstrike"),
            row("2019-09-02", 9, admin1="Idlib", weapon="Shelling"),
        ]
    )
    assert filter_incidents(table, start="2019-08-31", end="2019-09-01")[
        "incident_id"
    ].tolist() == [
        "i1",
        "i2",
    ]
    assert filter_incidents(table, where={"admin1": "Idlib"})["incident_id"].tolist() == [
        "i0",
        "i3",
    ]
    assert filter_incidents(table, where={"admin1": ["Hama", None]})["incident_id"].tolist() == [
        "i1",
        "i2",
    ]
    kept = filter_incidents(table, where={"civilian_deaths_best": lambda s: s > 2})
    assert kept["incident_id"].tolist() == ["i2", "i3"]  # the missing figure is not kept
    kept = filter_incidents(table, end="2019-09-01", where={"weapon": "Airstrike", "admin1": None})
    assert kept["incident_id"].tolist() == ["i2"]
    assert kept.index.tolist() == [2]
    with pytest.raises(MissingColumnsError):
        filter_incidents(table, where={"province": "Idlib"})
    with pytest.raises(InputError):
        filter_incidents(table, where={"admin1": lambda s: True})


def test_count_column_names_read_as_words():
    from trends.series.measured import column_words

    assert column_words("num_dead") == "deaths"
    assert column_words("n_killed") == column_words("Num Killed") == "people killed"
    assert column_words("new_cases") == "new cases" and column_words("IDPs") == "IDPs"
    # a name that is only the prefix, or a real first word, is kept
    assert column_words("n") == "n" and column_words("no_death_figure") == "no death figure"

"""Property-based tests of trends.series: aggregation never gains or loses attacks or deaths."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trends.schema import order_columns
from trends.series import COVERAGE_COLUMNS, count_series, cumulative_since, daily_counts

BASE = pd.Timestamp("2019-08-20")  # a Tuesday; ranges below cross month ends
DEATHS = ("civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high")
ANCHORS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

figure = st.one_of(st.none(), st.integers(0, 60))


@st.composite
def incident_tables(draw, max_rows: int = 25, consistent: bool = False) -> pd.DataFrame:
    """Random incident tables: dates over ~2 months, multi-day spans, missing figures, groups."""
    n = draw(st.integers(0, max_rows))
    rows = []
    for _ in range(n):
        offset = draw(st.integers(0, 70))
        span = draw(st.sampled_from([0, 0, 0, 1, 2, 4, 9]))
        if consistent:
            best = draw(st.integers(0, 60))
            low = draw(st.integers(0, best))
            high = draw(st.integers(best, best + 30))
        else:
            low, best, high = draw(figure), draw(figure), draw(figure)
        rows.append(
            {
                "date": BASE + pd.Timedelta(days=offset),
                "date_end": BASE + pd.Timedelta(days=offset + span) if span else pd.NaT,
                "civilian_deaths_low": low,
                "civilian_deaths_best": best,
                "civilian_deaths_high": high,
                "child_deaths": draw(figure),
                "injured": draw(figure),
                "admin1": draw(st.sampled_from(["Idlib", "Hama", "Aleppo", None])),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["date", "date_end", *DEATHS, "child_deaths", "injured", "admin1"],
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["date_end"] = pd.to_datetime(frame["date_end"])
    for col in (*DEATHS, "child_deaths", "injured"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    frame["incident_id"] = [f"i{k}" for k in range(n)]
    frame["dataset"] = "random"
    return order_columns(frame)


@st.composite
def ranges(draw) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A requested range that may cut incidents off at either end."""
    a = draw(st.integers(-5, 75))
    b = draw(st.integers(a, 90))
    return BASE + pd.Timedelta(days=a), BASE + pd.Timedelta(days=b)


freqs = st.sampled_from(["D", "W", "M"])
anchors = st.sampled_from(ANCHORS)
multi_days = st.sampled_from(["start", "spread"])


# ---------------------------------------------------------------------------------------------
# reference computations, written independently of trends.series
# ---------------------------------------------------------------------------------------------


def reference_daily(table: pd.DataFrame, column: str, multi_day: str) -> dict[pd.Timestamp, int]:
    """Known figures placed on days: {day: total}, by a plain loop."""
    out: dict[pd.Timestamp, int] = {}
    for _, r in table.iterrows():
        value = r[column]
        if pd.isna(value):
            continue
        first = r["date"].normalize()
        last = r["date_end"].normalize() if pd.notna(r["date_end"]) else first
        n = (last - first).days + 1 if multi_day == "spread" else 1
        for i in range(n):
            share = int(value) // n + (1 if i < int(value) % n else 0)
            day = first + pd.Timedelta(days=i)
            out[day] = out.get(day, 0) + share
    return out


def in_range_total(daily: dict[pd.Timestamp, int], start, end) -> int:
    return sum(v for d, v in daily.items() if start <= d <= end)


def attacks_in_range(table: pd.DataFrame, start, end) -> int:
    return int(table["date"].between(start, end).sum())


def measure_total(frame: pd.DataFrame, measure: str) -> float:
    """Sum over all periods (and all groups) of one measure, skipping NaN."""
    return float(np.nansum(frame[measure].to_numpy(dtype=np.float64)))


def week_start(days: pd.DatetimeIndex, anchor: str) -> pd.DatetimeIndex:
    shift = (days.day_of_week - ANCHORS.index(anchor)) % 7
    return days - pd.to_timedelta(shift, unit="D")


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(incident_tables(), ranges(), freqs, anchors, multi_days)
def test_totals_are_conserved(table, rng, freq, anchor, multi_day):
    start, end = rng
    out = count_series(
        table, freq=freq, week_anchor=anchor, start=start, end=end, multi_day=multi_day
    )
    assert measure_total(out, "attacks") == attacks_in_range(table, start, end)
    for measure, column in [
        ("deaths_low", "civilian_deaths_low"),
        ("deaths_best", "civilian_deaths_best"),
        ("deaths_high", "civilian_deaths_high"),
        ("child_deaths", "child_deaths"),
        ("injured", "injured"),
    ]:
        daily = reference_daily(table, column, multi_day)
        expected = in_range_total(daily, start, end)
        assert measure_total(out, measure) == expected
        # nothing lost: shown + excluded = every known figure of the table
        everything = int(table[column].sum())
        assert expected + out.attrs["excluded_totals"][measure] == everything
    in_range = table["date"].between(start, end)
    assert measure_total(out, "incidents_no_death_figure") == int(
        (in_range & table["civilian_deaths_best"].isna()).sum()
    )
    assert out.attrs["n_excluded"] == len(table) - int(in_range.sum())
    # zero-filled: no NaN without not-reported periods, every day covered once
    assert not out.isna().to_numpy().any()
    assert int(out["days_covered"].sum()) == (end - start).days + 1


@SETTINGS
@given(incident_tables(), freqs, anchors, multi_days)
def test_default_range_keeps_everything(table, freq, anchor, multi_day):
    if table.empty:
        return
    out = count_series(table, freq=freq, week_anchor=anchor, multi_day=multi_day)
    assert measure_total(out, "attacks") == len(table)
    for measure, column in [("deaths_best", "civilian_deaths_best"), ("injured", "injured")]:
        assert measure_total(out, measure) == int(table[column].sum())
        assert out.attrs["excluded_totals"][measure] == 0


@SETTINGS
@given(incident_tables(), ranges(), anchors, multi_days)
def test_weeks_and_months_are_sums_of_days(table, rng, anchor, multi_day):
    start, end = rng
    if table.empty:  # with `by`, an empty table has no group, hence no measure column
        return
    kwargs = {"start": start, "end": end, "multi_day": multi_day, "by": "admin1"}
    daily = count_series(table, **kwargs)
    weekly = count_series(table, freq="W", week_anchor=anchor, **kwargs)
    monthly = count_series(table, freq="M", **kwargs)
    assert (weekly.index.day_of_week == ANCHORS.index(anchor)).all()
    assert (monthly.index.day == 1).all()
    week_of_day = week_start(daily.index, anchor)
    month_of_day = daily.index.to_period("M").to_timestamp()
    for measure in ("attacks", "deaths_best", "deaths_high", "incidents_no_death_figure"):
        by_week = daily[measure].groupby(week_of_day).sum()
        by_month = daily[measure].groupby(month_of_day).sum()
        np.testing.assert_array_equal(by_week.to_numpy(), weekly[measure].to_numpy())
        np.testing.assert_array_equal(by_month.to_numpy(), monthly[measure].to_numpy())
    covered = pd.Series(1, index=daily.index).groupby(week_of_day).sum()
    np.testing.assert_array_equal(covered.to_numpy(), weekly[("days_covered", "")].to_numpy())
    assert (weekly[("days_in_period", "")] == 7).all()
    assert (monthly[("days_in_period", "")] == monthly.index.days_in_month).all()


@SETTINGS
@given(incident_tables(), ranges(), freqs, anchors, multi_days)
def test_groups_add_up_to_the_total(table, rng, freq, anchor, multi_day):
    start, end = rng
    if table.empty:
        return
    kwargs = {"freq": freq, "week_anchor": anchor, "start": start, "end": end}
    total = count_series(table, multi_day=multi_day, **kwargs)
    grouped = count_series(table, multi_day=multi_day, by="admin1", **kwargs)
    groups = {g if isinstance(g, str) else "(unknown)" for g in table["admin1"]}
    assert set(grouped["attacks"].columns) == groups
    for measure in ("attacks", "deaths_low", "deaths_best", "child_deaths"):
        np.testing.assert_array_equal(
            grouped[measure].sum(axis=1).to_numpy(), total[measure].to_numpy()
        )


@SETTINGS
@given(incident_tables(), ranges(), freqs, anchors, multi_days, st.booleans())
def test_long_form_matches_wide_form(table, rng, freq, anchor, multi_day, grouped):
    start, end = rng
    if table.empty and grouped:
        return
    kwargs = {
        "freq": freq,
        "week_anchor": anchor,
        "start": start,
        "end": end,
        "multi_day": multi_day,
        "by": "admin1" if grouped else None,
        "not_reported": [(start + pd.Timedelta(days=3), start + pd.Timedelta(days=5))],
    }
    wide = count_series(table, **kwargs)
    long = count_series(table, form="long", **kwargs)
    measures = wide.attrs["measures"]
    assert list(long["measure"].unique()) == measures
    for measure in measures:
        part = long[long["measure"] == measure]
        assert np.nansum(part["value"]) == measure_total(wide, measure)
        assert part["value"].isna().sum() == wide[measure].isna().to_numpy().sum()
    per_date = long.drop_duplicates("date").set_index("date")
    for col in COVERAGE_COLUMNS:
        key = (col, "") if grouped else col
        np.testing.assert_array_equal(per_date[col].to_numpy(), wide[key].to_numpy())


@st.composite
def not_reported_periods(draw) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    periods = []
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(-3, 75))
        b = draw(st.integers(a, a + 12))
        periods.append((BASE + pd.Timedelta(days=a), BASE + pd.Timedelta(days=b)))
    return periods


def on_not_reported_day(dates: pd.Series, periods) -> pd.Series:
    mask = pd.Series(False, index=dates.index)
    for a, b in periods:
        mask |= dates.between(a, b)
    return mask


@SETTINGS
@given(incident_tables(), ranges(), not_reported_periods())
def test_not_reported_days_are_masked_not_lost(table, rng, periods):
    start, end = rng
    out = count_series(table, start=start, end=end, not_reported=periods)
    days = out.index.to_series()
    hidden_days = on_not_reported_day(days, periods)
    # NaN exactly on the not-reported days, for every measure
    for measure in out.attrs["measures"]:
        np.testing.assert_array_equal(out[measure].isna().to_numpy(), hidden_days.to_numpy())
    assert (out["days_reported"] == (~hidden_days).astype(int)).all()
    in_range = table["date"].between(start, end)
    hidden = in_range & on_not_reported_day(table["date"], periods)
    for measure, column in [("deaths_best", "civilian_deaths_best"), ("injured", "injured")]:
        grand_total = int(table.loc[in_range, column].sum())
        masked = int(table.loc[hidden, column].sum())
        assert measure_total(out, measure) + masked == grand_total
        assert out.attrs["masked_totals"][measure] == masked
    assert measure_total(out, "attacks") + int(hidden.sum()) == int(in_range.sum())


@SETTINGS
@given(incident_tables(), ranges(), not_reported_periods(), freqs, anchors, multi_days)
def test_masked_periods_add_back_to_the_total(table, rng, periods, freq, anchor, multi_day):
    start, end = rng
    kwargs = {"start": start, "end": end, "multi_day": multi_day, "freq": freq}
    out = count_series(table, week_anchor=anchor, not_reported=periods, **kwargs)
    plain = count_series(table, week_anchor=anchor, **kwargs)
    # a period is NaN exactly when some covered day of it was not reported
    masked = (out["days_reported"] < out["days_covered"]).to_numpy()
    np.testing.assert_array_equal(out["deaths_best"].isna().to_numpy(), masked)
    np.testing.assert_array_equal(
        out["deaths_best"].to_numpy()[~masked], plain["deaths_best"].to_numpy()[~masked]
    )
    for measure in ("attacks", "deaths_best", "deaths_low"):
        assert measure_total(out, measure) + out.attrs["masked_totals"][measure] == measure_total(
            plain, measure
        )


@SETTINGS
@given(incident_tables(consistent=True), ranges())
def test_spread_keeps_low_best_high_order_day_by_day(table, rng):
    start, end = rng
    out = count_series(table, start=start, end=end, multi_day="spread")
    assert (out["deaths_low"] <= out["deaths_best"]).all()
    assert (out["deaths_best"] <= out["deaths_high"]).all()
    assert (out.to_numpy() == np.round(out.to_numpy())).all()  # whole numbers only


@SETTINGS
@given(incident_tables(), ranges(), not_reported_periods(), st.integers(0, 80))
def test_cumulative_since_and_daily_counts(table, rng, periods, event_offset):
    start, end = rng
    series = daily_counts(table, "deaths_best", start, end, not_reported=periods)
    frame = count_series(table, start=start, end=end, not_reported=periods)
    np.testing.assert_array_equal(series.to_numpy(), frame["deaths_best"].to_numpy())
    event = BASE + pd.Timedelta(days=event_offset)
    if not start <= event <= end:
        return
    cum = cumulative_since(frame, event)
    after = frame.loc[event:]
    assert cum["deaths_best"].iloc[-1] == np.nansum(after["deaths_best"])
    assert cum["days_missing"].iloc[-1] == int(after["deaths_best"].isna().sum())
    assert (np.diff(cum["deaths_best"].to_numpy()) >= 0).all()

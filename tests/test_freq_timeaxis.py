"""Weekly and monthly date indexes on the change-point time axis (issue 12, helper FREQ).

A weekly count series carries ``freq="7D"`` (or none): its periods are weeks that start on the
labels' weekday, not days 7 apart (which the change-point search took for gaps). Months may be
labelled by their first day, their last day, or start on another day (anchored on the
intervention). Gaps are still refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trends.errors import InputError
from trends.models.changepoint import detect_changepoints
from trends.models.changepoint_dateset import change_date_set
from trends.models.timeaxis import TimeAxis

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
#: A Monday; +k days is the k-th weekday.
MONDAY = pd.Timestamp("2022-01-03")


def _weekly(weekday: int, n: int = 40, with_freq: bool = True) -> pd.DatetimeIndex:
    idx = pd.date_range(MONDAY + pd.Timedelta(days=weekday), periods=n, freq="7D")
    return idx if with_freq else pd.DatetimeIndex(list(idx))


@pytest.mark.parametrize("with_freq", [True, False])
@pytest.mark.parametrize("weekday", range(7))
def test_weeks_on_any_weekday_are_consecutive_weeks(weekday, with_freq):
    idx = _weekly(weekday, with_freq=with_freq)
    axis = TimeAxis.from_index(idx, "x")
    assert axis.unit == "week"
    assert np.all(np.diff(axis.ordinals) == 1)
    for pos in (0, 5, len(idx) - 1):  # each label is the first day of its week
        assert axis.start_time(pos) == idx[pos]
        for k in range(7):
            assert axis.ordinal_of(idx[pos] + pd.Timedelta(days=k)) == axis.ordinals[pos]
    assert axis.label_of_ordinal(axis.ordinals[0] - 1) == idx[0] - pd.Timedelta(days=7)


def test_an_explicit_pandas_week_keeps_its_end_label():
    # resample("W") labels a week by its last day (Sunday): the freq says so, and is kept
    idx = pd.date_range("2022-01-09", periods=20, freq="W-SUN")
    axis = TimeAxis.from_index(idx, "x")
    assert axis.unit == "week"
    assert axis.ordinal_of(idx[3] - pd.Timedelta(days=6)) == axis.ordinals[3]


@pytest.mark.parametrize(
    "idx",
    [
        pd.date_range("2020-01-01", periods=30, freq="MS"),
        pd.date_range("2020-01-31", periods=30, freq="ME"),
        pd.DatetimeIndex(list(pd.date_range("2020-01-01", periods=30, freq="MS"))),
    ],
    ids=["month-start", "month-end", "month-start-no-freq"],
)
def test_calendar_months(idx):
    axis = TimeAxis.from_index(idx, "x")
    assert axis.unit == "month" and np.all(np.diff(axis.ordinals) == 1)
    assert axis.ordinal_of(pd.Timestamp("2020-03-15")) == axis.ordinals[2]


@pytest.mark.parametrize("day", [2, 15, 28])
def test_months_anchored_on_another_day(day):
    # months that start on day ``day`` (a monthly analysis anchored on the intervention)
    idx = pd.DatetimeIndex(
        [d + pd.Timedelta(days=day - 1) for d in pd.date_range("2020-01-01", periods=30, freq="MS")]
    )
    axis = TimeAxis.from_index(idx, "x")
    assert axis.unit == "month" and np.all(np.diff(axis.ordinals) == 1)
    for pos in (1, 10, 29):
        assert axis.start_time(pos) == idx[pos]
        assert axis.ordinal_of(idx[pos]) == axis.ordinals[pos]
        assert axis.ordinal_of(idx[pos] - pd.Timedelta(days=1)) == axis.ordinals[pos - 1]


def test_months_anchored_on_the_31st_capped_at_short_months():
    idx = pd.DatetimeIndex(["2021-01-30", "2021-02-28", "2021-03-30", "2021-04-30", "2021-05-30"])
    axis = TimeAxis.from_index(idx, "x")
    assert axis.unit == "month" and np.all(np.diff(axis.ordinals) == 1)
    assert axis.ordinal_of(pd.Timestamp("2021-03-29")) == axis.ordinals[1]


@pytest.mark.parametrize(
    "idx",
    [
        pd.DatetimeIndex(["2022-01-03", "2022-01-10", "2022-01-24", "2022-01-31"]),
        pd.DatetimeIndex(["2022-01-01", "2022-03-01", "2022-04-01"]),
        pd.DatetimeIndex(["2022-01-01", "2022-01-02", "2022-01-04"]),
    ],
    ids=["week-missing", "month-missing", "day-missing"],
)
def test_gaps_are_still_refused(idx):
    with pytest.raises(InputError, match="gaps"):
        TimeAxis.from_index(idx, "x")


def _drop(idx: pd.DatetimeIndex, at: int, seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    lam = np.where(np.arange(len(idx)) < at, 60.0, 20.0)
    return pd.Series(rng.poisson(lam).astype(float), index=idx, name="deaths")


@pytest.mark.parametrize("weekday", [0, 2, 6], ids=["W-MON", "W-WED", "W-SUN"])
def test_change_points_on_weekly_counts(weekday):
    idx = _weekly(weekday, n=60)
    y = _drop(idx, 30)
    res = detect_changepoints(y, model="negbin", reference=idx[30])
    assert res.n_changes >= 1
    cmp = res.compare(idx[30] + pd.Timedelta(days=3))  # a day inside the week of the change
    assert cmp.reference_period == idx[30] and cmp.in_set
    cd = change_date_set(y, n_sim=99)
    assert cd.contains(idx[30])


def test_change_points_on_anchored_months():
    idx = pd.DatetimeIndex(
        [d + pd.Timedelta(days=1) for d in pd.date_range("2019-01-01", periods=40, freq="MS")]
    )
    y = _drop(idx, 20)
    res = detect_changepoints(y, model="negbin", reference=idx[20])
    assert res.n_changes >= 1
    assert res.compare(idx[20]).reference_period == idx[20]

"""The figures the outputs draw, computed once in the analysis layer.

The report and the charts render what the analysis carries and compute nothing; these are the
series they draw besides the counts: the centred rolling mean of the timeline, the cumulative
counts since the intervention (with the low and high figures where the data have them) and the
per-area series of the small multiples (only with two or more areas).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from trends.errors import EventError
from trends.pipeline.run import has_figures
from trends.series import (
    DEFAULT_MEASURES,
    MEASURES,
    CountSeries,
    count_series,
    cumulative_since,
    rolling_rate,
)

__all__ = [
    "ROLLING_WINDOW",
    "AREA_COLUMN",
    "measures_in",
    "rolling_means",
    "cumulative_since_intervention",
    "area_series",
]

#: Periods of the timeline's rolling mean (centred).
ROLLING_WINDOW = 7
#: The area column of the incident table the small multiples group by.
AREA_COLUMN = "admin1"


def measures_in(incidents: pd.DataFrame, wanted: Sequence[str] = ()) -> tuple[str, ...]:
    """The measures an incident table has figures for (plus ``wanted``), in the usual order.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The canonical incident table.
    wanted : sequence of str
        Measures to keep whatever the table holds (the outcomes analysed).

    Returns
    -------
    tuple of str
        ``attacks`` always; a figure measure (deaths low/best/high, child deaths, injured) when
        its column exists and holds at least one known figure.
    """
    out = []
    for m in DEFAULT_MEASURES:
        col = MEASURES[m]
        has = col is None or (col in incidents and incidents[col].notna().any())
        if has or m in wanted:
            out.append(m)
    out += [m for m in wanted if m not in out]
    return tuple(out)


def rolling_means(
    counts: pd.DataFrame, measures: Sequence[str], window: int = ROLLING_WINDOW
) -> pd.DataFrame:
    """The centred rolling mean per period of each measure (the timeline's line).

    Parameters
    ----------
    counts : pandas.DataFrame
        Counts per period (one column per measure).
    measures : sequence of str
        Columns to smooth.
    window : int
        Periods in the window.

    Returns
    -------
    pandas.DataFrame
        ``attrs["window"]`` and ``attrs["center"]`` (True) name the window.
    """
    return rolling_rate(counts[list(measures)], window, center=True)


def cumulative_since_intervention(
    daily: CountSeries, ranges: Mapping[str, tuple[str, str | None, str | None]], day: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    """Cumulative counts from the intervention's day, per outcome, from the daily series.

    Parameters
    ----------
    daily : CountSeries
        The window's daily series (or the series itself when no days are known).
    ranges : mapping
        Outcome name -> ``(best, low, high)`` measure names (None when absent).
    day : pandas.Timestamp
        The intervention's day (day 0, included).

    Returns
    -------
    dict of str to pandas.DataFrame
        Columns ``best`` and, only when the data have figures for them, ``low`` and ``high``,
        plus ``days_missing``; ``attrs["event_date"]`` is day 0.
    """
    out: dict[str, pd.DataFrame] = {}
    for name, (best, low, high) in ranges.items():
        cols = {"low": low, "best": best, "high": high}
        keep = {k: v for k, v in cols.items() if v and has_figures(daily, v)}
        if "best" not in keep:
            keep = {"best": best} if best in daily.counts else {}
        if not keep:
            continue
        frame = daily.counts[list(keep.values())].copy()
        frame.columns = list(keep)
        try:
            out[name] = cumulative_since(frame, day)
        except EventError:  # the day is outside the series: nothing to accumulate
            continue
    return out


def area_series(
    series: CountSeries,
    start: pd.Timestamp,
    end: pd.Timestamp,
    measures: Sequence[str],
    by: str = AREA_COLUMN,
) -> pd.DataFrame | None:
    """Daily counts per area (the small multiples), when the data have two or more areas.

    Parameters
    ----------
    series : CountSeries
        The analysed series; its incident table (if any) is grouped.
    start, end : pandas.Timestamp
        The window.
    measures : sequence of str
        Incident measures to count per area.
    by : str
        The area column.

    Returns
    -------
    pandas.DataFrame or None
        :func:`~trends.series.count_series` with ``by``: MultiIndex columns ``(measure, area)``;
        ``attrs["by"]`` names the column. None without incidents, without the column, or with
        fewer than two areas.
    """
    incidents = series.incidents
    if incidents is None or by not in incidents:
        return None
    dates = pd.to_datetime(incidents["date"])
    inside = incidents[(dates >= start) & (dates <= end + pd.Timedelta(days=1))]
    if inside[by].dropna().nunique() < 2:
        return None
    wanted = tuple(m for m in measures if m in MEASURES)
    return count_series(
        incidents,
        by=by,
        start=start,
        end=end,
        measures=wanted or ("attacks",),
        not_reported=series.aggregation.get("not_reported"),
    )

"""Reader for a monitor's cumulative daily tallies, turned into new counts per day.

Monitors (SOHR, SNHR, civil defence, health directorates) often publish a running total: "the
number of civilians killed since the start of the offensive is now 1,031". This module turns such
a series of cumulative figures into a **daily** table of new deaths (and injuries, child deaths),
with every choice written down.

Input
-----
A delimited file (or a DataFrame) with one row per published tally:

=====================  ========  ==========================================================
column                 required  meaning
=====================  ========  ==========================================================
date                   yes       day the tally refers to (``YYYY-MM-DD``; see DATE_FORMATS)
cumulative_killed      yes       running total of people killed up to and including ``date``
cumulative_injured     no        running total of people injured
cumulative_children    no        running total of children killed (part of the killed total)
region, source, url    no        text kept on the reporting day
note                   no        text kept on the reporting day
=====================  ========  ==========================================================

Column names are matched after lower-casing and turning spaces and hyphens into ``_``; the
synonyms in :data:`COLUMN_SYNONYMS` are accepted (``killed_total``, ``total_killed``,
``cum_killed``...). Any other column is ignored (and named in the report's notes). Figures may use
a thousands separator when ``thousands=`` names it (``thousands=","`` reads ``"1,089"`` as 1089;
without it such a figure is rejected as ambiguous).

Rules
-----
Rows (every input row is accounted for:
``rows_read == accepted + rejected + duplicates + filtered``):

- a row is **rejected** (row, column, reason) when its date is empty, unparseable or not a calendar
  date; when ``cumulative_killed`` is empty; when any cumulative figure is not a number, negative,
  or not a whole number; when ``cumulative_children`` exceeds ``cumulative_killed``; when it is
  outside ``window``; when a ``region`` is asked for and the row has none;
- a row of another ``region`` than the one asked for is **filtered out**: neither accepted nor
  rejected, counted in the report's ``filtered`` and named in a note (a region the file does
  not have is refused, naming the regions it has);
- **two rows for the same date**: the *later row in the file* is kept (it is taken as a
  correction); the earlier one is merged as a duplicate with a
  :class:`~trends.ingest.report.DuplicateRecord` whose rule says whether the two were identical
  and whose ``differences`` lists the columns that differed;
- rows **out of date order** are sorted by date; how many were out of order is noted;
- a rejected row does not stop the series: its day is treated like any day without a report.

Days: the output has one row per calendar day from the first to the last accepted report. Days
without a report are *generated* (they are not input rows; the report notes how many).

- **Increments**: ``new = cumulative(t) - cumulative(previous report)``. The first report is the
  baseline: its ``new_*`` values are NA (what it counts happened before the series starts) and its
  ``flag`` says so.
- **Gaps** (a missing day, a 48-hour report covering two days, a suspension of N days): when a
  report follows ``k`` days without a report, its increment covers ``k + 1`` days.

  * ``gap_rule="spread"`` (default): the increment is spread over the ``k + 1`` days as evenly as
    whole numbers allow: each day gets ``increment // (k + 1)`` and the remainder
    ``increment % (k + 1)`` is given, one unit each, to the **earliest** days of the gap (largest
    remainder with equal weights; ties broken towards the earliest day). All ``k + 1`` days get
    ``status="spread"`` and ``covers_days=1``; the sum over them equals the increment exactly.
  * ``gap_rule="missing"``: the ``k`` gap days are NA (missing, **never 0**) with
    ``status="missing"``, and the whole increment is put on the reporting day, which gets
    ``status="reported"`` and ``covers_days=k + 1``.
  * an increment is never spread over more than ``max_spread_days`` days (default
    :data:`MAX_SPREAD_DAYS` = 7, i.e. gaps of up to 6 days). After a longer suspension the gap
    days are always ``"missing"`` and the increment is put on the resumption day, flagged, with
    ``covers_days=k + 1``, whatever ``gap_rule`` says.
- **Downward revisions**: when the cumulative figure falls, the day's new count is NA (a negative
  count is never produced), ``status="revision"``, the column ``revision`` holds the size of the
  fall (a positive number), the flag and the report's notes describe it, and the days of any gap
  before it are ``"missing"``. Later increments are computed **from the revised (lower) figure**: a
  monitor's revision is taken to correct its earlier total, so deaths it no longer counts are not
  counted again. Consequently, over the whole table,
  ``sum(new_killed) - sum(revision) == last cumulative - first cumulative``.
- ``cumulative_injured`` and ``cumulative_children`` follow the same rules, each on the reports that
  give it (a report without an injured figure is a gap for the injured series). ``status``,
  ``covers_days`` and ``revision`` describe ``new_killed``; revisions of the other figures are
  given in ``flag`` and in the report's notes.

Output columns (DatetimeIndex of consecutive days, also kept as the ``date`` column):
``date``, ``new_killed``, ``new_injured``, ``new_children`` (Int64, NA where unknown),
``cumulative_killed``, ``cumulative_injured``, ``cumulative_children`` (Int64, the published
figures, NA on days without a report), ``reported`` (bool: a report was published for that day),
``status`` (``"reported"``, ``"spread"``, ``"missing"`` or ``"revision"``), ``covers_days``
(Int64: how many days the ``new_killed`` value accounts for; NA where it is NA), ``revision``
(Int64), ``flag`` (text, ``"; "``-separated), ``note``, ``region``, ``source``, ``url`` (input
text) and ``source_row`` (the input row of the report, Int64).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import InputError
from trends.ingest._coerce import (
    RowErrors,
    check_thousands,
    date_formats,
    is_missing,
    parse_count,
    parse_date,
    parse_text,
    require_columns,
    settled_order,
    settled_words,
)
from trends.ingest._columns import header_test, map_columns
from trends.ingest._io import load_table
from trends.ingest._table import reject_outside_window, resolve_window
from trends.ingest.incidents import start_errors
from trends.ingest.report import DuplicateRecord, IngestReport

__all__ = [
    "COLUMN_SYNONYMS",
    "DATE_FORMATS",
    "FROZEN_CHANCE",
    "FROZEN_DAYS",
    "GAP_RULES",
    "SPIKE_MIN",
    "SPIKE_MULTIPLE",
    "SPIKE_WINDOW",
    "MAX_SPREAD_DAYS",
    "TALLY_OUTPUT_COLUMNS",
    "read_tallies",
    "spread_evenly",
    "frozen_threshold",
    "tallies_to_series",
]

#: Accepted gap rules.
GAP_RULES: tuple[str, ...] = ("spread", "missing")

#: Default longest run of days (gap days + the reporting day) one increment may be spread over.
MAX_SPREAD_DAYS: int = 7

#: A total unchanged on more than this many consecutive reported days is *frozen*: those days are
#: marked not reported (status ``"frozen"``, new count NA, never 0). The shortest threshold: with
#: ``frozen_days="auto"`` (the default of :func:`read_tallies`) it is raised where the figure
#: grows slowly (:func:`frozen_threshold`).
FROZEN_DAYS: int = 2

#: ``frozen_days="auto"``: a run of unchanged totals is frozen only when that many days in a row
#: without a death would have a chance below this at the column's own average daily increase
#: (independent Poisson days; overdispersed days have more such runs, so it errs towards zeros
#: being read as frozen, never the reverse).
FROZEN_CHANCE: float = 0.001

#: An increment per day above ``SPIKE_MULTIPLE`` times the local median (of the new counts over
#: ``SPIKE_WINDOW`` days centred on the day) and at least ``SPIKE_MIN`` is flagged as a likely late
#: registration (kept, flagged in ``likely_late``, ``flag`` and the report's ``flags``).
SPIKE_MULTIPLE: float = 5.0
SPIKE_WINDOW: int = 15
SPIKE_MIN: int = 20

#: Date formats tried in turn (ISO first). Ambiguous day/month orders such as 01/02/2019 are not
#: accepted.
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y")

#: Input column names (after lower-casing and replacing spaces/hyphens by ``_``) read as each
#: canonical column.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("day", "report_date", "date_reported", "as_of"),
    "cumulative_killed": (
        "killed_total",
        "total_killed",
        "cum_killed",
        "killed_cumulative",
        "cumulative_deaths",
        "deaths_cumulative",
        "total_deaths",
        "deaths_total",
        "cumulative_civilian_deaths",
        "civilians_killed_total",
        "total_civilians_killed",
    ),
    "cumulative_injured": (
        "injured_total",
        "total_injured",
        "cum_injured",
        "injured_cumulative",
        "cumulative_wounded",
        "wounded_total",
        "total_wounded",
    ),
    "cumulative_children": (
        "children_total",
        "total_children",
        "cum_children",
        "children_killed_total",
        "total_children_killed",
        "cumulative_child_deaths",
        "child_deaths_total",
        "cumulative_children_killed",
    ),
    "region": ("area", "governorate", "zone"),
    "source": ("monitor", "source_monitor", "publisher"),
    "url": ("link", "source_url"),
    "note": ("notes", "comment", "comments", "remarks"),
}

_COUNT_COLUMNS = ("cumulative_killed", "cumulative_injured", "cumulative_children")
_TEXT_COLUMNS = ("region", "source", "url", "note")
_MEASURES = {
    "cumulative_killed": "new_killed",
    "cumulative_injured": "new_injured",
    "cumulative_children": "new_children",
}

#: Columns of the daily table, in order.
TALLY_OUTPUT_COLUMNS: tuple[str, ...] = (
    "date",
    "new_killed",
    "new_injured",
    "new_children",
    "cumulative_killed",
    "cumulative_injured",
    "cumulative_children",
    "reported",
    "status",
    "covers_days",
    "revision",
    "likely_late",
    "flag",
    "note",
    "region",
    "source",
    "url",
    "source_row",
)


def spread_evenly(total: int, days: int) -> list[int]:
    """Split a whole number over ``days`` days as evenly as whole numbers allow.

    Each day gets ``total // days``; the remainder goes one unit each to the **earliest** days
    (largest remainder with equal weights, ties broken towards the start).

    Parameters
    ----------
    total : int
        Non-negative amount to split.
    days : int
        Number of days (at least 1).

    Returns
    -------
    list of int
        ``days`` values, non-increasing, differing by at most 1, summing to ``total``.

    Examples
    --------
    >>> spread_evenly(7, 3)
    [3, 2, 2]
    """
    if days < 1:
        raise InputError(f"cannot spread over {days} days (need at least 1)")
    if total < 0:
        raise InputError(f"cannot spread a negative amount ({total})")
    base, rem = divmod(int(total), int(days))
    return [base + 1 if i < rem else base for i in range(days)]


def _apply_synonyms(
    frame: pd.DataFrame, columns: Mapping[str, str] | None, path: str
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Rename input columns to canonical names; return (frame, notes, ignored columns)."""
    names = [*COLUMN_SYNONYMS]
    frame, notes = map_columns(frame, names, columns=columns, synonyms=COLUMN_SYNONYMS, path=path)
    known = set(COLUMN_SYNONYMS) | {"_row"}
    ignored = [c for c in frame.columns if c not in known]
    return frame, notes, ignored


def _empty_daily() -> pd.DataFrame:
    """The daily table with no rows (every column with its dtype)."""
    dtypes = {c: "Int64" for c in TALLY_OUTPUT_COLUMNS}
    dtypes.update(
        {
            "date": "datetime64[ns]",
            "reported": "bool",
            "likely_late": "bool",
            "status": "str",
            "flag": "str",
        }
    )
    dtypes.update({c: "str" for c in _TEXT_COLUMNS})
    out = pd.DataFrame({c: pd.Series([], dtype=dtypes[c]) for c in TALLY_OUTPUT_COLUMNS})
    out.index = pd.DatetimeIndex([], freq="D")
    return out


def _day(ts: pd.Timestamp) -> str:
    return ts.date().isoformat()


def _daily_measure(
    days: pd.DatetimeIndex,
    reports: pd.DataFrame,
    column: str,
    gap_rule: str,
    max_spread_days: int,
    frozen: np.ndarray | None = None,
) -> dict:
    """Daily increments of one cumulative column (see the module docstring for the rules).

    ``frozen`` (bool per day) marks days whose report repeated a frozen total: they are gaps, and
    an increment after them is never spread over them.

    Returns a dict of numpy arrays (``new``, ``covers``, ``revision``: float with NaN; ``status``:
    object) and lists ``flags`` (per day, ``(kind, text)`` pairs) and ``notes``.
    """
    n = len(days)
    new = np.full(n, np.nan)
    covers = np.full(n, np.nan)
    revision = np.full(n, np.nan)
    status = np.array(["missing"] * n, dtype=object)
    flags: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    notes: list[str] = []
    label = column.replace("cumulative_", "")
    first_day = days[0]
    given = reports.loc[reports[column].notna(), ["date", column]]
    positions = ((given["date"] - first_day).dt.days).to_numpy()
    values = given[column].astype("int64").to_numpy()
    for j, (q, v) in enumerate(zip(positions, values, strict=True)):
        if j == 0:
            status[q] = "reported"
            flags[q].append(
                (
                    "first",
                    f"baseline: first {label} figure ({v}); its new count is unknown"
                    if column == "cumulative_killed"
                    else f"{label}: first figure ({v}), no increment",
                )
            )
            continue
        p, prev = positions[j - 1], values[j - 1]
        k = int(q - p - 1)
        delta = int(v - prev)
        if delta < 0:
            status[q] = "revision"
            revision[q] = -delta
            for g in range(p + 1, q):
                status[g] = "missing"
            gap = f" after {k} days without a figure" if k else ""
            flags[q].append(
                (
                    "revision",
                    f"downward revision of {label}: cumulative fell from {prev} to {v} "
                    f"(by {-delta}){gap}; new count NA, later increments from {v}",
                )
            )
            notes.append(
                f"{_day(days[q])}: {column} fell from {prev} to {v} (downward revision of "
                f"{-delta}); that day's new count is NA and later increments are computed from {v}"
            )
            continue
        if k == 0:
            new[q] = delta
            covers[q] = 1
            status[q] = "reported"
            continue
        span = k + 1
        since = _day(days[p])
        over_frozen = frozen is not None and bool(frozen[p + 1 : q].any())
        if gap_rule == "spread" and span <= max_spread_days and not over_frozen:
            shares = spread_evenly(delta, span)
            for i, g in enumerate(range(p + 1, q + 1)):
                new[g] = shares[i]
                covers[g] = 1
                status[g] = "spread"
                flags[g].append(
                    (
                        "spread",
                        f"{label} spread: increment of {delta} reported on {_day(days[q])} "
                        f"spread over {span} days since the report of {since}",
                    )
                )
            continue
        for g in range(p + 1, q):
            status[g] = "missing"
        new[q] = delta
        covers[q] = span
        status[q] = "reported"
        text = f"{label}: increment of {delta} covers {span} days since the report of {since}"
        if over_frozen:
            text += " (after a frozen total: not spread over the frozen days)"
        elif gap_rule == "spread":
            text += f" (gap of {k} days: longer than max_spread_days={max_spread_days}, not spread)"
            notes.append(
                f"{_day(days[q])}: {column} resumed after {k} days without a report; the "
                f"increment of {delta} is put on that day (longer than max_spread_days="
                f"{max_spread_days}), the {k} days before are missing"
            )
        flags[q].append(("covers", text))
    return {
        "new": new,
        "covers": covers,
        "revision": revision,
        "status": status,
        "flags": flags,
        "notes": notes,
    }


def frozen_threshold(reports: pd.DataFrame, column: str, frozen_days: int | str) -> int:
    """Repeats of an unchanged total above which they are frozen (not reported, never zero).

    Parameters
    ----------
    reports : pandas.DataFrame
        The accepted reports (``date`` and the cumulative ``column``), in date order.
    column : str
        The cumulative column.
    frozen_days : int or "auto"
        A whole number >= 1 is used as given. ``"auto"``: :data:`FROZEN_DAYS`, or longer where
        the figure grows slowly: the shortest run of days without a death whose chance is
        below :data:`FROZEN_CHANCE` at the column's average daily increase ``r`` (first to last
        report), ``ceil(ln(1 / FROZEN_CHANCE) / r) - 1`` (0.5 a day: 13; 7.5 a day: 2).

    Returns
    -------
    int
    """
    if frozen_days != "auto":
        return int(frozen_days)
    given = reports.loc[reports[column].notna(), ["date", column]]
    if len(given) < 2:
        return FROZEN_DAYS
    span = int((given["date"].iloc[-1] - given["date"].iloc[0]).days)
    rise = float(given[column].iloc[-1]) - float(given[column].iloc[0])
    if span <= 0 or rise <= 0:  # a figure that never grows: every repeat is suspect
        return FROZEN_DAYS
    chance_days = math.ceil(math.log(1.0 / FROZEN_CHANCE) / (rise / span)) - 1
    return max(FROZEN_DAYS, chance_days)


def _frozen_days(
    reports: pd.DataFrame,
    days: pd.DatetimeIndex,
    column: str = "cumulative_killed",
    threshold: int = FROZEN_DAYS,
) -> np.ndarray:
    """Days whose report repeats a total unchanged for more than ``threshold`` days.

    A run is a report followed by reports on the next consecutive days with the same ``column``
    total; when it holds more than ``threshold`` repeats, the repeats are frozen (the first
    report of the run is a real observation of the total). Each cumulative column has its own
    frozen days (:func:`frozen_threshold`).
    """
    frozen = np.zeros(len(days), dtype=bool)
    given = reports.loc[reports[column].notna(), ["date", column]]
    if len(given) < threshold + 2:
        return frozen
    pos = ((given["date"] - days[0]).dt.days).to_numpy()
    val = given[column].astype("int64").to_numpy()
    repeat = np.zeros(len(pos), dtype=bool)
    repeat[1:] = (val[1:] == val[:-1]) & (pos[1:] - pos[:-1] == 1)
    start = 0
    while start < len(pos):
        if not repeat[start]:
            start += 1
            continue
        end = start
        while end + 1 < len(pos) and repeat[end + 1]:
            end += 1
        if end - start + 1 > threshold:
            frozen[pos[start : end + 1]] = True
        start = end + 1
    return frozen


def _build_daily(
    reports: pd.DataFrame, gap_rule: str, max_spread_days: int, frozen_days: int | str = "auto"
) -> tuple[pd.DataFrame, list[str]]:
    """The daily table from accepted reports (one per date, sorted)."""
    days = pd.date_range(reports["date"].iloc[0], reports["date"].iloc[-1], freq="D")
    notes: list[str] = []
    limit = frozen_threshold(reports, "cumulative_killed", frozen_days)
    frozen = _frozen_days(reports, days, threshold=limit)
    out = pd.DataFrame(index=days)
    out["date"] = days
    by_day = reports.set_index("date")
    results = {}
    for column, new_col in _MEASURES.items():
        if column not in reports.columns or reports[column].isna().all():
            out[new_col] = pd.Series(pd.NA, index=days, dtype="Int64")
            continue
        used = reports
        own_frozen = (
            frozen
            if column == "cumulative_killed"
            else _frozen_days(reports, days, column, frozen_threshold(reports, column, frozen_days))
        )
        if own_frozen.any():  # a frozen total is a gap (NA), never a run of zeros
            used = reports.assign(
                **{column: reports[column].mask(reports["date"].isin(days[own_frozen]))}
            )
        res = _daily_measure(days, used, column, gap_rule, max_spread_days, own_frozen)
        results[column] = res
        out[new_col] = pd.array(
            [pd.NA if np.isnan(x) else int(x) for x in res["new"]], dtype="Int64"
        )
        notes.extend(res["notes"])
    for column in _COUNT_COLUMNS:
        if column in by_day.columns:
            out[column] = by_day[column].reindex(days).astype("Int64")
        else:
            out[column] = pd.Series(pd.NA, index=days, dtype="Int64")
    out["reported"] = days.isin(by_day.index) & ~frozen
    killed = results["cumulative_killed"]
    for i in np.flatnonzero(frozen):
        killed["status"][i] = "frozen"
        killed["new"][i] = np.nan
        killed["flags"][i].append(
            (
                "frozen",
                f"total frozen at {int(by_day['cumulative_killed'].get(days[i]))} for "
                f"more than {limit} days: not reported (not zero)",
            )
        )
    if frozen.any():
        notes.append(
            f"{int(frozen.sum())} {'day repeats' if int(frozen.sum()) == 1 else 'days repeat'} a total frozen for more than {limit} days: "
            "marked not reported (status 'frozen'), not zero" + _threshold_why(limit, frozen_days)
        )
    out.attrs["frozen_days"] = limit
    out["status"] = pd.Series(killed["status"], index=days).astype("str")
    out["covers_days"] = pd.array(
        [pd.NA if np.isnan(x) else int(x) for x in killed["covers"]], dtype="Int64"
    )
    out["revision"] = pd.array(
        [pd.NA if np.isnan(x) else int(x) for x in killed["revision"]], dtype="Int64"
    )
    out["new_killed"] = pd.array(
        [pd.NA if np.isnan(x) else int(x) for x in killed["new"]], dtype="Int64"
    )
    likely_late = _likely_late(killed["new"], killed["covers"])
    out["likely_late"] = likely_late
    for i in np.flatnonzero(likely_late):
        killed["flags"][i].append(("late", _late_text(killed["new"], killed["covers"], i)))
    flags: list[list[str]] = [[text for _, text in f] for f in killed["flags"]]
    reported = days.isin(by_day.index)
    for column in ("cumulative_injured", "cumulative_children"):
        if column not in results:
            continue
        given = by_day[column].reindex(days).notna().to_numpy()
        for i, day_flags in enumerate(results[column]["flags"]):
            for kind, text in day_flags:
                # A spread of the same gap as new_killed, or the first figure on the first day,
                # is already explained by the new_killed flag.
                if kind == "spread" and killed["status"][i] == "spread":
                    continue
                if kind == "first" and i == 0:
                    continue
                flags[i].append(text)
            if reported[i] and not given[i]:
                flags[i].append(f"{column} not given in this report")
    out["flag"] = pd.Series(["; ".join(f) if f else pd.NA for f in flags], index=days, dtype="str")
    for column in _TEXT_COLUMNS:
        if column in by_day.columns:
            out[column] = by_day[column].reindex(days).astype("str")
        else:
            out[column] = pd.Series(pd.NA, index=days, dtype="str")
    out["source_row"] = by_day["_row"].reindex(days).astype("Int64")
    out.index.freq = "D"
    return out[list(TALLY_OUTPUT_COLUMNS)], notes


def _per_day(new: np.ndarray, covers: np.ndarray) -> np.ndarray:
    """New deaths per day covered (NaN where unknown)."""
    return new / np.where(np.isnan(covers) | (covers < 1), 1.0, covers)


def _local_median(rate: np.ndarray) -> np.ndarray:
    series = pd.Series(rate)
    return series.rolling(SPIKE_WINDOW, center=True, min_periods=3).median().to_numpy()


def _likely_late(new: np.ndarray, covers: np.ndarray) -> np.ndarray:
    """Days whose increment per day is above :data:`SPIKE_MULTIPLE` times the local median."""
    rate = _per_day(new, covers)
    median = _local_median(rate)
    with np.errstate(invalid="ignore"):
        return (rate >= SPIKE_MIN) & (rate > SPIKE_MULTIPLE * np.maximum(median, 1.0))


def _late_text(new: np.ndarray, covers: np.ndarray, i: int) -> str:
    rate = _per_day(new, covers)
    median = _local_median(rate)[i]
    return (
        f"likely late registration: +{int(new[i])} where the local median is {median:g} a day "
        f"(more than {SPIKE_MULTIPLE:g} times it, over {SPIKE_WINDOW} days around)"
    )


def _threshold_why(limit: int, frozen_days: int | str) -> str:
    """Why the frozen threshold is what it is, when it is not the shortest one."""
    if frozen_days != "auto" or limit == FROZEN_DAYS:
        return ""
    return (
        f" (the figure grows slowly: more than {limit} days in a row without a death would "
        f"have a chance below {FROZEN_CHANCE:.1%} at its average daily increase; set "
        "frozen_days to choose another threshold)"
    )


def _quality_flags(daily: pd.DataFrame) -> list[dict]:
    """The report's ``flags``: multi-day reports, frozen totals, likely late registrations."""
    out: list[dict] = []
    limit = daily.attrs.get("frozen_days", FROZEN_DAYS)
    for day, row in daily.iterrows():
        date = day.date().isoformat()
        if row["likely_late"]:
            out.append(
                {
                    "date": date,
                    "kind": "late_registration",
                    "reason": next(
                        (f for f in str(row["flag"]).split("; ") if f.startswith("likely late")),
                        "likely late",
                    ),
                    "row": None if pd.isna(row["source_row"]) else int(row["source_row"]),
                }
            )
        if row["status"] == "frozen":
            out.append(
                {
                    "date": date,
                    "kind": "frozen",
                    "row": None,
                    "reason": f"total frozen for more than {limit} days: marked not reported",
                }
            )
        covers = row["covers_days"]
        if row["status"] == "reported" and not pd.isna(covers) and covers > 1:
            out.append(
                {
                    "date": date,
                    "kind": "multi_day",
                    "row": int(row["source_row"]),
                    "reason": f"one report covers {int(covers)} days (put on this day)",
                }
            )
    spread_from = daily.index[(daily["status"] == "spread") & daily["reported"]]
    for day in spread_from:
        row = daily.loc[day]
        out.append(
            {
                "date": day.date().isoformat(),
                "kind": "multi_day",
                "row": int(row["source_row"]),
                "reason": "report covering several days: spread evenly over them",
            }
        )
    return sorted(out, key=lambda f: (f["date"], f["kind"]))


def _parse_reports(
    frame: pd.DataFrame,
    errors: RowErrors,
    formats: tuple[str, ...],
    thousands: str | None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Typed columns of the reports (dates, cumulative figures, text); problems go to errors.

    ``notes`` receives the note on dates read with a time of day or a UTC offset.
    """
    table = pd.DataFrame(index=frame.index)
    table["_row"] = frame["_row"]
    table["date"] = parse_date(
        frame["date"],
        "date",
        errors,
        formats,
        required=True,
        expected="YYYY-MM-DD" if formats == DATE_FORMATS else " or ".join(formats),
        notes=notes,
    )
    for column in _COUNT_COLUMNS:
        if column not in frame.columns:
            continue
        table[column] = parse_count(frame[column], column, errors, thousands)
    errors.add(
        is_missing(frame["cumulative_killed"]),
        "cumulative_killed",
        "is empty; a cumulative figure is required",
    )
    if "cumulative_children" in table.columns:
        errors.add(
            (table["cumulative_children"] > table["cumulative_killed"]).fillna(False),
            "cumulative_children",
            lambda v: f"{v} children killed is more than the cumulative_killed figure",
            table["cumulative_children"],
        )
    for column in _TEXT_COLUMNS:
        if column in frame.columns:
            table[column] = parse_text(frame[column])
    return table


def _filter_region(
    frame: pd.DataFrame, errors: RowErrors, region: str | None, source: str
) -> str | None:
    """One series per file: set the rows of other regions aside, or refuse several regions.

    With ``region``, the rows of other regions are *filtered out* (neither accepted nor
    rejected, counted apart) before any cell is read; a row without a region is rejected; a
    region the file does not have is refused, naming the regions it has. Returns the note
    stating the filter (None without ``region``).
    """
    cells = frame["region"].astype("string").str.strip() if "region" in frame else None
    if region is None:
        if cells is not None:
            regions = sorted(cells[cells.notna() & (cells != "")].unique())
            if len(regions) > 1:
                raise InputError(
                    f"the file holds tallies for {len(regions)} regions "
                    f"({', '.join(map(repr, regions))}); "
                    "cumulative figures of different regions cannot be differenced together: "
                    "choose one with the region option (--region NAME on the command line; "
                    "pass region= in Python)",
                    path=source,
                    column="region",
                )
        return None
    if cells is None:
        raise InputError(
            f"the region {region!r} was asked for (--region, region=) but the file has no "
            "region column",
            path=source,
        )
    wanted = region.strip().lower()
    named = cells.notna() & (cells != "")
    have = sorted(cells[named].unique())
    if wanted not in {h.lower() for h in have}:
        raise InputError(
            f"the region {region!r} is not in the file; its regions are "
            f"{', '.join(map(repr, have)) or 'none (the region column is empty)'}",
            path=source,
            column="region",
        )
    other = named & (cells.str.lower() != wanted)
    errors.filter_out(other)
    errors.add(~named, "region", f"has no region; the region asked for is {region!r}")
    others = sorted(cells[other].unique())
    return (
        f"region filter {region!r}: {int(other.sum())} rows of other regions "
        f"({', '.join(map(repr, others))}) filtered out, neither accepted nor rejected"
        if len(others)
        else f"region filter {region!r}: every row is of that region"
    )


def _merge_same_dates(
    good: pd.DataFrame, notes: list[str]
) -> tuple[pd.DataFrame, list[DuplicateRecord]]:
    """Keep the later row of a date given twice (a correction); note reports out of order."""
    # Same date twice: keep the later row in the file (a correction).
    compare = [c for c in (*_COUNT_COLUMNS, *_TEXT_COLUMNS) if c in good.columns]
    dup_records: list[DuplicateRecord] = []
    ordered = good.sort_values(["date", "_row"], kind="stable")
    dup_mask = ordered.duplicated("date", keep="last")
    if dup_mask.any():
        kept_by_date = ordered.loc[~dup_mask].set_index("date")
        for _, row in ordered.loc[dup_mask].iterrows():
            kept = kept_by_date.loc[row["date"]]
            diffs = tuple(
                c
                for c in compare
                if not (
                    (pd.isna(row[c]) and pd.isna(kept[c]))
                    or (not pd.isna(row[c]) and not pd.isna(kept[c]) and row[c] == kept[c])
                )
            )
            if diffs:
                rule = "same date, different figures; kept the later row in the file (correction)"
            else:
                rule = "same date, identical content; kept the later row in the file"
            dup_records.append(
                DuplicateRecord(int(row["_row"]), int(kept["_row"]), _day(row["date"]), rule, diffs)
            )
    kept_rows = ordered.loc[~dup_mask]

    # Out of date order (in file order, among the kept reports).
    in_file_order = kept_rows.sort_values("_row", kind="stable")
    earlier = in_file_order["date"] < in_file_order["date"].cummax().shift(1)
    n_unordered = int(earlier.fillna(False).sum())
    if n_unordered:
        rows = ", ".join(str(int(r)) for r in in_file_order.loc[earlier.fillna(False), "_row"])
        notes.append(
            f"{n_unordered} report(s) were out of date order (rows {rows}) and were sorted by date"
        )
    return kept_rows, dup_records


def _daily_with_notes(
    reports: pd.DataFrame,
    gap_rule: str,
    max_spread_days: int,
    notes: list[str],
    frozen_days: int | str = "auto",
) -> pd.DataFrame:
    """The daily table of the accepted reports, adding what happened to ``notes``."""
    if len(reports):
        daily, day_notes = _build_daily(reports, gap_rule, max_spread_days, frozen_days)
        generated = len(daily) - len(reports)  # one accepted report per date (frozen ones too)
        notes.append(
            f"{len(daily)} days from {_day(daily['date'].iloc[0])} to "
            f"{_day(daily['date'].iloc[-1])}: {len(reports)} with a report, {generated} "
            "generated without one (not input rows)"
        )
        n_spread = int((daily["status"] == "spread").sum())
        n_missing = int((daily["status"] == "missing").sum())
        if n_spread:
            notes.append(f"{n_spread} days hold a spread share of an increment")
        if n_missing:
            notes.append(f"{n_missing} days have no new_killed figure (status 'missing')")
        notes.extend(day_notes)
    else:
        daily = _empty_daily()
        notes.append("no report was accepted: the daily table is empty")
    return daily


def _check_options(gap_rule: str, max_spread_days: Any, frozen_days: Any) -> None:
    """Refuse bad reading options of :func:`read_tallies` (:class:`InputError`)."""
    if gap_rule not in GAP_RULES:
        raise InputError(f"gap_rule must be one of {GAP_RULES}, not {gap_rule!r}")
    if (
        isinstance(max_spread_days, bool)
        or not isinstance(max_spread_days, (int, np.integer))
        or max_spread_days < 1
    ):
        raise InputError(f"max_spread_days must be a whole number >= 1, not {max_spread_days!r}")
    if frozen_days != "auto" and (
        isinstance(frozen_days, bool)
        or not isinstance(frozen_days, (int, np.integer))
        or frozen_days < 1
    ):
        raise InputError(f"frozen_days must be 'auto' or a whole number >= 1, not {frozen_days!r}")


def read_tallies(
    path: str | Path | pd.DataFrame,
    *,
    gap_rule: Literal["spread", "missing"] = "spread",
    max_spread_days: int = MAX_SPREAD_DAYS,
    frozen_days: int | Literal["auto"] = "auto",
    window=None,
    region: str | None = None,
    columns: Mapping[str, str] | None = None,
    strict: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
    thousands: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Read a monitor's cumulative tallies and derive new counts per day.

    The rules (increments, gaps, revisions, duplicates, row accounting) are those of the module
    docstring (:mod:`trends.ingest.tallies`).

    Parameters
    ----------
    path : str, Path or DataFrame
        Delimited text file (or an already loaded table of strings/values) with columns ``date``
        and ``cumulative_killed`` (or a synonym from :data:`COLUMN_SYNONYMS`), and optionally
        ``cumulative_injured``, ``cumulative_children``, ``region``, ``source``, ``url``, ``note``.
    gap_rule : {"spread", "missing"}
        What to do with the increment reported after days without a report: spread it evenly
        over the days it covers (earliest days get the extra units), or leave the gap days missing
        (NA) and put the whole increment on the reporting day with ``covers_days`` > 1.
    max_spread_days : int
        Longest run of days (gap days plus the reporting day) an increment may be spread over;
        longer suspensions are always treated as ``"missing"``. Default 7.
    frozen_days : int or "auto", default "auto"
        A total repeated unchanged on more than this many consecutive days is *frozen*: those
        days are not reported (never zero). ``"auto"``: :data:`FROZEN_DAYS` (2), longer where
        the figure grows so slowly that runs of days without a death are expected
        (:func:`frozen_threshold`: 13 at 0.5 a day, 34 at 0.2 a day).
    window : (start, end), optional
        Reports dated outside this inclusive window are rejected with that reason; the first
        report inside it is the baseline. To difference from an earlier report, read the whole
        file and slice the daily table instead.
    region : str, optional
        Keep only reports of this region (case-insensitively); the others are filtered out
        (``report.filtered``), neither accepted nor rejected; a row without a region is
        rejected. Required when the ``region`` column holds several values.
    columns : mapping, optional
        Explicit renames ``{their_name: our_name}``, applied before the synonyms.
    strict : bool
        Raise :class:`~trends.errors.RowValidationError` at the first bad row.
    delimiter, encoding : str, optional
        See :func:`trends.ingest.read_delimited`.
    thousands : str, optional
        Thousands separator of the figures (``","`` reads ``1,089`` as 1089); without it a
        figure written with a separator is rejected as ambiguous.
    date_format, dayfirst, sheet
        See :func:`trends.ingest.read_incidents`.

    Returns
    -------
    (DataFrame, IngestReport)
        The daily table (one row per day from the first to the last accepted report, indexed by
        a daily DatetimeIndex, see the module docstring for its columns) and the account of every
        input row. Generated days without a report are not input rows; the report notes how many
        there are.

    Raises
    ------
    FileReadError
        The file cannot be read at all.
    MissingColumnsError
        ``date`` or ``cumulative_killed`` (or a synonym) is absent; close names are suggested.
    SchemaError
        Two columns mean the same thing (e.g. ``killed_total`` and ``total_killed``).
    InputError
        Bad arguments, several regions in the file and no ``region`` chosen, or a ``region``
        the file does not have.

    Examples
    --------
    >>> daily, report = read_tallies("sohr_tallies.csv", gap_rule="missing")  # doctest: +SKIP
    >>> daily.loc["2019-08-05":"2019-08-10", ["new_killed", "status"]]  # doctest: +SKIP
    """
    _check_options(gap_rule, max_spread_days, frozen_days)
    start, end = resolve_window(window)
    check_thousands(thousands)
    formats = date_formats(DATE_FORMATS, date_format, dayfirst)
    test = header_test(["date", "cumulative_killed"], [*COLUMN_SYNONYMS], columns=columns,
                       synonyms=COLUMN_SYNONYMS)  # fmt: skip
    raw = load_table(path, delimiter=delimiter, encoding=encoding, sheet=sheet, header=test)
    source = raw.path
    frame, rename_notes, ignored = _apply_synonyms(raw.frame, columns, source)
    require_columns(frame.columns, ["date", "cumulative_killed"], source, hint=raw.header_hint)
    settled = settled_order(frame["date"]) if date_format is None and dayfirst is None else None
    if settled is not None:  # the file's own dates settle day/month order: nothing guessed
        formats = date_formats(DATE_FORMATS, None, settled)
    errors = start_errors(raw, strict)
    region_note = _filter_region(frame, errors, region, source)
    date_notes: list[str] = []
    table = _parse_reports(frame, errors, formats, thousands, date_notes)
    reject_outside_window(table, errors, (start, end))

    good = table.loc[~errors.bad]
    notes: list[str] = list(rename_notes) + date_notes + ([region_note] if region_note else [])
    if ignored:
        notes.append(f"columns not used: {', '.join(ignored)}")

    kept_rows, dup_records = _merge_same_dates(good, notes)
    reports = kept_rows.reset_index(drop=True)
    daily = _daily_with_notes(reports, gap_rule, int(max_spread_days), notes, frozen_days)

    issues = raw.with_lines(list(raw.issues) + errors.issues)
    issues.sort(key=lambda i: (i.row, i.column or ""))
    choices = {
        "gap_rule": gap_rule,
        "max_spread_days": int(max_spread_days),
        "frozen_days": (
            f"auto: {daily.attrs.get('frozen_days', FROZEN_DAYS)}"
            if frozen_days == "auto"
            else int(frozen_days)
        ),
        "spread_remainder": "earliest days",
        "revision": "new count NA; later increments from the revised figure",
        "duplicate_dates": "later row in the file kept",
    }
    if thousands is not None:
        choices["thousands"] = f"{thousands!r} read as a thousands separator"
    if date_format is not None or dayfirst is not None:
        choices["date_format"] = " or ".join(formats)
    elif settled is not None:
        choices["date_format"] = f"dates read {settled_words(settled)}"
    report = IngestReport(
        source=source,
        format="tallies",
        rows_read=raw.rows_read,
        accepted=len(reports),
        rejected=len({i.row for i in issues}),
        duplicates=len(dup_records),
        filtered=len(set(errors.rows[errors.filtered].astype(int)) - {i.row for i in issues}),
        errors=issues,
        duplicate_rows=sorted(dup_records, key=lambda d: d.row),
        notes=list(raw.notes) + notes,
        choices=choices,
        days_not_reported=int((~daily["reported"]).sum()) if len(daily) else 0,
        flags=_quality_flags(daily) if len(daily) else [],
    )
    report.check()
    return daily, report


def tallies_to_series(table: pd.DataFrame, column: str = "new_killed") -> pd.Series:
    """A daily count series from the table of :func:`read_tallies`.

    Parameters
    ----------
    table : DataFrame
        The daily table returned by :func:`read_tallies`.
    column : str
        Which column: ``"new_killed"`` (default), ``"new_injured"`` or ``"new_children"`` (any
        numeric column of the table is accepted).

    Returns
    -------
    pandas.Series
        ``float64`` values on a daily :class:`~pandas.DatetimeIndex` named ``date``; **NaN where
        the count is missing** (gap days under ``gap_rule="missing"``, revision days, the
        baseline day). Missing is never turned into 0. Note that under ``gap_rule="missing"`` a
        value may cover several days (see the ``covers_days`` column).

    Raises
    ------
    InputError
        ``column`` or ``date`` is not in the table.
    """
    if column not in table.columns:
        raise InputError(
            f"column {column!r} is not in the tallies table (columns: {list(table.columns)})"
        )
    if "date" not in table.columns:
        raise InputError("the tallies table has no 'date' column")
    index = pd.DatetimeIndex(pd.to_datetime(table["date"]).to_numpy(), name="date")
    values = pd.to_numeric(table[column], errors="coerce").astype("Float64")
    out = pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=index, name=column)
    if len(out) and index.is_monotonic_increasing and index.is_unique:
        expected = pd.date_range(index[0], index[-1], freq="D")
        if len(expected) == len(index):
            out.index = pd.DatetimeIndex(out.index, freq="D", name="date")
    return out

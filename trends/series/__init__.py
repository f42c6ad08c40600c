"""Zero-filled count series from the canonical incident table.

The incident table (:mod:`trends.schema`) has one row per incident. The models need *counts per
period*: how many attacks, how many civilian deaths, on every day (or week, or month) of a requested
range, including the days on which nothing was reported (zero) and excluding the days on which the
source was not reporting at all (missing). This module builds those series and a few helpers
around them (cumulative counts since an event, alignment on events, rolling rates).

Rules
-----
These rules are shared by every function of the module.

**Days.** Dates are calendar days: a time of day is dropped (``2019-08-31 23:30`` is the day
2019-08-31), and the requested range ``[start, end]`` includes both ends.

**Measures.** ``attacks`` is the number of incidents (rows). ``deaths_low``, ``deaths_best`` and
``deaths_high`` are sums of ``civilian_deaths_low/best/high``; ``child_deaths`` and ``injured`` sums
of the columns of the same name. A missing figure is *unknown*: it adds nothing to a sum (the sum of
the known figures is reported) and is never written into the incident table as 0. Coverage of the
death figures is reported by ``incidents_no_death_figure``: the number of incidents whose
``civilian_deaths_best`` is missing. It is added to the output whenever a ``deaths_*`` measure is
asked for (and can be asked for by name).

**Zero-fill.** Every period of the requested range appears, for every group: a period without
incidents is 0.

**Not-reported periods.** Days inside a ``not_reported`` period are *missing*: every measure of that
day is NaN, never 0. A week or month is NaN if **any** of its days inside the requested range was
not reported; ``days_reported`` tells how many days of the period were reported. The incidents of a
masked period are not lost: their totals are in ``attrs["masked_totals"]``.

**Partial periods.** When the requested range cuts a week or a month, the period is kept and holds
the counts of its days inside the range. ``days_in_period`` (1, 7, or 28-31) and ``days_covered``
(days of the period inside the range) let rates be computed honestly
(``value / days_covered``).

**Weeks.** A week is labelled by its **first** day. ``week_anchor`` is that first day: ``"MON"``
(ISO weeks, the default) or, for instance, ``"SAT"`` for ACLED, whose weeks run Saturday to
Friday. Months are calendar months labelled by their first day.

**Multi-day incidents** (``date_end > date``). With ``multi_day="start"`` the incident is counted
entirely on ``date``. With ``multi_day="spread"`` each figure is divided over the ``n`` days
``date .. date_end`` in whole numbers by the largest-remainder rule: every day gets ``figure // n``
and the first ``figure % n`` days get one more (the earliest days get the extra). The totals are
kept exactly, and ``low <= best <= high`` still holds day by day. The *attack* (and
``incidents_no_death_figure``) counts 1 on the start day only. Each day's share is placed on its
own day, so shares that fall outside the requested range are outside the series (their totals are
in ``attrs["excluded_totals"]``).

**Range.** By default the range runs from the earliest ``date`` to the latest ``date`` of the table
(to the latest ``date_end`` with ``multi_day="spread"``). Incidents whose ``date`` is outside the
range are excluded; ``attrs`` says how many (``n_excluded``) and what they held
(``excluded_totals``).

**Groups** (``by``). Group values are turned into strings; a missing or blank value becomes
``"(unknown)"``. The groups are those found in the whole table (before the range is applied), in
sorted order, and every group is zero-filled over the whole range. With several ``by`` columns the
groups are the combinations that occur in the table.

**Output dtype.** Measures are ``float64``, with NaN for missing. Sums of whole numbers are exact in
``float64`` up to 2**53, far beyond any count; the float dtype is what the models consume and lets
NaN mark missing periods. Coverage columns (``days_*``) are ``int64``.

**Bookkeeping.** The frame returned by :func:`count_series` carries in ``attrs``: ``freq``,
``week_anchor``, ``start``, ``end``, ``by``, ``multi_day``, ``measures``, ``not_reported``,
``n_incidents``, ``n_in_range``, ``n_excluded``, ``n_multi_day``, ``excluded_totals`` and
``masked_totals``. For every measure, the sum of the series (skipping NaN) plus
``masked_totals`` plus ``excluded_totals`` equals the total of the known figures in the table.

Layout
------
- :mod:`trends.series.measured`: :class:`CountSeries`, the measured count series every model,
  check, chart and report consumes (with :class:`Measure` and :class:`Provenance`);
- :mod:`trends.series.aggregate`: :func:`count_series` and :func:`daily_counts` (incident table
  -> counts per period);
- :mod:`trends.series.periods`: anchored weeks and months, exposure, end-labelled indexes;
- :mod:`trends.series.tools`: :func:`cumulative_since`, :func:`align_on_event`,
  :func:`align_many`, :func:`rolling_rate`, :func:`filter_incidents`.
"""

from __future__ import annotations

from trends.series._base import COVERAGE_COLUMNS, DEFAULT_MEASURES, MEASURES, UNKNOWN_GROUP
from trends.series.aggregate import count_series, daily_counts
from trends.series.measured import (
    INCIDENT_MEASURES,
    TALLY_MEASURES,
    CountSeries,
    Measure,
    Provenance,
)
from trends.series.periods import PeriodRule, aggregate_days, period_rule, start_labels
from trends.series.tools import (
    align_many,
    align_on_event,
    cumulative_since,
    filter_incidents,
    rolling_rate,
)

__all__ = [
    "MEASURES",
    "DEFAULT_MEASURES",
    "COVERAGE_COLUMNS",
    "UNKNOWN_GROUP",
    "INCIDENT_MEASURES",
    "TALLY_MEASURES",
    "CountSeries",
    "Measure",
    "Provenance",
    "PeriodRule",
    "period_rule",
    "aggregate_days",
    "start_labels",
    "count_series",
    "daily_counts",
    "cumulative_since",
    "align_on_event",
    "align_many",
    "rolling_rate",
    "filter_incidents",
]

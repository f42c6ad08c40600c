"""trends: count-data trend analytics for civilian harm in conflict.

The public API is importable from the top level; modules load on first use, so that
``import trends`` stays fast.

Data flows one way::

    readers (trends.ingest, registered in trends.sources) -> tables (incidents, tallies, counts)
    -> measured count series (trends.series.CountSeries) -> pipeline (trends.pipeline: plan,
    run each series x intervention through trends.models) -> results -> charts / report / JSON

Examples
--------
>>> import trends
>>> case = trends.load_idlib_2019()
>>> deaths = trends.daily_counts(case.incidents, "deaths_best", start="2019-04-30", end="2019-12-15")
>>> answer = trends.analyse_ceasefire(case.incidents, "ceasefire_aug31_effective",
...     start="2019-04-30", end="2019-12-15", timeline=case.timeline)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    # data
    "load_idlib_2019": "trends.datasets",
    "read": "trends.ingest.formats",
    "read_incidents": "trends.ingest.incidents",
    "read_acled": "trends.ingest.acled",
    "read_ucdp": "trends.ingest.ucdp",
    "read_tallies": "trends.ingest.tallies",
    "combine_incidents": "trends.ingest.combine",
    "IngestReport": "trends.ingest.report",
    "load_series": "trends.sources",
    "SOURCES": "trends.sources",
    # events and claims
    "ReferenceEvent": "trends.events",
    "Timeline": "trends.events",
    "Phase": "trends.events",
    "Claim": "trends.events",
    "load_claims": "trends.events",
    # series
    "CountSeries": "trends.series",
    "count_series": "trends.series",
    "daily_counts": "trends.series",
    "cumulative_since": "trends.series",
    "align_on_event": "trends.series",
    "rolling_rate": "trends.series",
    # models
    "compare_rates": "trends.models.rates",
    "compare_totals": "trends.models.totals",
    "fit_its": "trends.models.its",
    "fit_count_glm": "trends.models.glm",
    "detect_changepoints": "trends.models.changepoint",
    "placebo_test": "trends.models.placebo",
    "check_claims": "trends.models.claims",
    "analyse_ceasefire": "trends.analysis",
    "analyse_many": "trends.batch",
    # simulation
    "simulate_conflict": "trends.simulate",
    "simulate_many": "trends.simulate",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'trends' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

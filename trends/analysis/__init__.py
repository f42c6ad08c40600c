"""Did the ceasefire change the rate of attacks and of civilian deaths? One call, every answer.

:func:`analyse_ceasefire` runs the whole chain on a measured count series
(:class:`~trends.series.CountSeries`; an incident table is aggregated into one first) and a
reference event: for each outcome the two-phase rate comparison, the interrupted time series, the
change-point search compared with the announced date, the in-time placebo test and robustness
checks (low and high figures; leaving out the deadliest incidents) -> the claims check. It is the
single-unit case of the batch path (:mod:`trends.pipeline`, as :func:`trends.batch.analyse_many`)
and returns a :class:`CeasefireAnalysis` with ``summary()``, ``glance()``, ``report()``,
``to_dict()`` (the ``results.json`` payload) and ``plot()``; it carries the series it analysed
(``series`` at the analysis frequency, ``daily``), so outputs never rebuild them.

The result carries what the outputs draw and say, computed once here: the bottom line
(``bottom_line``), the daily series with every measure (``daily``), the timeline's centred
rolling mean (``rolling``), the cumulative counts since the intervention (``cumulative``), the
per-area series (``by_area``) and, per outcome, how the ITS level change moves with the window
and the slope term (``level_change_range``).

Layout: :mod:`trends.analysis.ceasefire` (the entry point: series, outcomes, the one-unit run,
caveats), :mod:`trends.analysis.result` (the result objects),
:mod:`trends.analysis.sensitivity` (the level change's range) and
:mod:`trends.analysis.outputs` (the series the charts draw).
"""

from __future__ import annotations

from trends.analysis.ceasefire import analyse_ceasefire
from trends.analysis.result import OUTCOMES, CeasefireAnalysis, OutcomeAnalysis
from trends.analysis.sensitivity import LevelChangeRange, LevelChangeVariant, level_change_range

__all__ = [
    "OUTCOMES",
    "OutcomeAnalysis",
    "CeasefireAnalysis",
    "analyse_ceasefire",
    "LevelChangeRange",
    "LevelChangeVariant",
    "level_change_range",
]

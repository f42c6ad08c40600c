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

Layout: :mod:`trends.analysis.ceasefire` (the entry point: series, outcomes, the one-unit run,
caveats) and :mod:`trends.analysis.result` (the result objects).
"""

from __future__ import annotations

from trends.analysis.ceasefire import analyse_ceasefire
from trends.analysis.result import OUTCOMES, CeasefireAnalysis, OutcomeAnalysis

__all__ = ["OUTCOMES", "OutcomeAnalysis", "CeasefireAnalysis", "analyse_ceasefire"]

"""One pipeline for one series and for many: plan -> run each pair -> results.

- :mod:`trends.pipeline.plan`: interventions, windows and phases, resolved once;
- :mod:`trends.pipeline.run`: one (series, intervention) pair through every model step;
- :mod:`trends.pipeline.executors`: in this process, local processes or a Dask cluster;
- :mod:`trends.pipeline.progress`: the one progress display.

:func:`trends.analysis.analyse_ceasefire` is the single-unit case of
:func:`trends.batch.analyse_many`: both build :class:`~trends.pipeline.plan.Task` objects and
run them with :func:`~trends.pipeline.run.run_chunk`.
"""

from __future__ import annotations

from trends.pipeline.executors import Executor, choose_executor, run_chunks
from trends.pipeline.plan import Intervention, Settings, Task, resolve_intervention
from trends.pipeline.progress import Progress
from trends.pipeline.run import PairResult, run_chunk, run_pair

__all__ = [
    "Executor",
    "Intervention",
    "PairResult",
    "Progress",
    "Settings",
    "Task",
    "choose_executor",
    "resolve_intervention",
    "run_chunk",
    "run_chunks",
    "run_pair",
]

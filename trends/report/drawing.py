"""Draw a report's charts, in this process or in forked worker processes.

Each chart is independent: workers receive the chart list when they start (inherited through
``fork``, never pickled) and return only the file path and the skip note. A plotting function
that is missing or refuses its data (:class:`~trends.errors.TrendsError`) becomes a note.
Workers ignore Ctrl-C: the parent handles it (one line, no worker traceback) and stops them.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from trends.errors import TrendsError
from trends.report.charts import Chart

__all__ = ["draw", "draw_all", "n_jobs"]

_WORKER: dict[str, Any] = {}  # set in each worker process by _start_worker


def _figure_of(obj: Any) -> Any:
    if hasattr(obj, "savefig"):
        return obj
    if isinstance(obj, (tuple, list)):
        return next((f for f in map(_figure_of, obj) if f is not None), None)
    if hasattr(obj, "ravel") and not hasattr(obj, "figure"):  # numpy array of Axes
        return _figure_of(list(obj.ravel()))
    fig = getattr(obj, "figure", None)
    return fig if hasattr(fig, "savefig") else None


def draw(chart: Chart, out_dir: Path) -> Path | None:
    """Draw and save one chart; a missing plotting function or a refusal becomes its note."""
    import matplotlib.pyplot as plt  # loaded when the first chart is drawn, not on import

    from trends.plots.style import save

    try:
        fn = getattr(importlib.import_module(f"trends.plots.{chart.module}"), chart.function)
    except (ImportError, AttributeError):
        chart.note = (
            f"not drawn: trends.plots.{chart.module}.{chart.function} is not available in this "
            "installation"
        )
        return None
    try:
        result = fn(*chart.args, **chart.kwargs)
    except TrendsError as exc:
        chart.note = f"not drawn: {exc}"
        plt.close("all")
        return None
    fig = _figure_of(result)
    if fig is None:
        chart.note = f"not drawn: {chart.function} returned no figure"
        return None
    path = Path(out_dir) / chart.file
    save(fig, path)
    plt.close(fig)
    return path


def n_jobs(jobs: int | None, n_charts: int) -> int:
    """Worker processes to use (1 off Linux, or when other Python threads run)."""
    if jobs is not None:
        n = max(1, int(jobs))
    elif threading.active_count() > 1:
        # Forking a process with other Python threads (a notebook kernel, a progress display
        # refreshing in the background) can deadlock the child: draw here instead.
        n = 1
    else:
        n = min(os.cpu_count() or 1, 4)
    if (
        not sys.platform.startswith("linux")
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return max(1, min(n, n_charts))


def _start_worker(charts: list[Chart], out_dir: Path) -> None:
    """Set up a worker: its charts and folder; Ctrl-C is left to the parent.

    The terminal sends Ctrl-C (SIGINT) to every process of the group: a worker that took it
    would print its own traceback. Workers ignore it; the parent stops them (the pool is
    terminated when the parent's ``KeyboardInterrupt`` leaves the ``with`` block).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["charts"], _WORKER["out_dir"] = charts, out_dir


def _draw_job(index: int) -> tuple[int, Path | None, str | None]:
    chart = _WORKER["charts"][index]
    return index, draw(chart, _WORKER["out_dir"]), chart.note


def _warm_up(charts: list[Chart]) -> None:
    """Import the plotting modules and warm the font caches once, before forking."""
    import matplotlib.pyplot as plt

    from trends.plots.style import new_figure

    warm, _ = new_figure()
    warm.text(0.5, 0.5, "warm-up", fontweight="bold")
    warm.canvas.draw()
    plt.close(warm)
    for chart in charts:
        try:
            importlib.import_module(f"trends.plots.{chart.module}")
        except ImportError:
            pass


def draw_all(
    charts: list[Chart], out_dir: Path, jobs: int | None, report: Callable[[str, int], None]
) -> Iterator[tuple[Chart, Path | None]]:
    """Draw every chart; yields ``(chart, path or None)`` in the charts' order.

    ``report(description, n_done)`` is called as the work progresses.
    """
    n = n_jobs(jobs, len(charts))
    if n <= 1:
        for i, chart in enumerate(charts):
            report(f"Drawing {chart.file}", i)
            yield chart, draw(chart, out_dir)
        return
    _warm_up(charts)
    results: dict[int, tuple[Path | None, str | None]] = {}
    report(f"Drawing {len(charts)} charts ({n} processes)", 0)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes=n, initializer=_start_worker, initargs=(charts, out_dir)) as pool:
        for done, (index, path, note) in enumerate(
            pool.imap_unordered(_draw_job, range(len(charts))), start=1
        ):
            results[index] = (path, note)
            report(f"Drew {charts[index].file}", done)
    for i, chart in enumerate(charts):
        chart.note = results[i][1]
        yield chart, results[i][0]

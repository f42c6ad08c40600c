"""Helpers shared by the benchmark scripts of this folder (not part of the ``trends`` package).

The scripts run as ``python benchmarks/<name>.py``, so this folder is on ``sys.path`` and they
import these helpers as ``from _common import ...``. Nothing heavy is imported at module level:
:func:`pin_blas_threads` must be able to run before numpy is first imported.

What is here, by topic:

- set-up: :func:`pin_blas_threads`, :func:`use_checkout`, the folders (:data:`HERE`,
  :data:`ROOT`, :data:`RESULTS`, :data:`WORK`);
- the command line: :func:`benchmark_parser` (``--n``, ``--seed``, ``--out``, ``--smoke``,
  optionally ``--jobs``), :func:`default_jobs`, :func:`add_cell_filters` (``--lengths``,
  ``--effects``, ``--deadline``), :func:`smoke_tag`;
- Monte Carlo tallies: :data:`Z95`, :func:`proportion_se`, :func:`nominal_coverage_se`,
  :func:`share_with_se`, :func:`rejection_rate`, :func:`wald_limits`, :func:`covers`,
  :func:`excludes`;
- cells of a simulation grid: :func:`cell_key`, :func:`daily_index`, :func:`daily_series`,
  :func:`past_deadline`, :func:`extend_rows` (the resumable per-cell loop);
- output: :func:`fmt_value`, :func:`fmt_with_se`, :func:`md_table`, :func:`write_csv`,
  :func:`write_json`;
- timing and the machine: :func:`timed`, :func:`median_time`, :func:`cpu_seconds`,
  :func:`load_average`, :func:`package_version`, :func:`machine_info`;
- processes: :func:`run_in_pool`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

#: this folder, the repository root, the published results and the git-ignored work folder
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
WORK = HERE / "_work"

#: the 97.5% quantile of the standard normal distribution (two-sided 95% intervals)
Z95 = 1.959963984540054

#: the environment variables that set the thread count of the BLAS libraries numpy may use
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ------------------------------------------------------------------------------------------
# set-up
# ------------------------------------------------------------------------------------------
def pin_blas_threads() -> None:
    """One BLAS thread per process unless the environment says otherwise.

    The calibration scripts parallelise across series (worker processes), not inside a fit. Call
    it before numpy is first imported: BLAS reads these variables when it is loaded.
    """
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")


def use_checkout() -> None:
    """Put this folder and then the repository root first on ``sys.path``.

    ``trends`` is then imported from this checkout and the sibling benchmark modules
    (``dgps``, ``calibration_independent``...) are importable from anywhere.
    """
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))


# ------------------------------------------------------------------------------------------
# the command line
# ------------------------------------------------------------------------------------------
def benchmark_parser(
    doc: str | None,
    *,
    n: int | None = None,
    n_help: str = "series per cell",
    seed: int | None = None,
    jobs: int | None = None,
    out: Path | None = RESULTS,
    out_help: str | None = None,
    smoke_help: str = "a tiny seeded run (seconds) into smoke-specific files",
    full_doc: bool = False,
) -> argparse.ArgumentParser:
    """A parser with the options the benchmark scripts share.

    Parameters
    ----------
    doc : str or None
        The script's docstring; its first line is the parser's description.
    n : int, optional
        Default of ``--n`` (the number of simulated series); no ``--n`` when None.
    n_help : str
        Help of ``--n``.
    seed : int, optional
        Default of ``--seed``; no ``--seed`` when None.
    jobs : int, optional
        Default of ``--jobs`` (worker processes); no ``--jobs`` when None.
    out : Path or None
        Default of ``--out``, the folder the tables are written to.
    out_help : str, optional
        Help of ``--out``.
    smoke_help : str
        Help of ``--smoke``.
    full_doc : bool
        The whole docstring as the description (shown as written) instead of its first line.

    Returns
    -------
    argparse.ArgumentParser
    """
    if full_doc:
        parser = argparse.ArgumentParser(
            description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
    else:
        parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    if n is not None:
        parser.add_argument("--n", type=int, default=n, help=n_help)
    if seed is not None:
        parser.add_argument("--seed", type=int, default=seed)
    if jobs is not None:
        parser.add_argument("--jobs", type=int, default=jobs, help="worker processes")
    parser.add_argument("--out", type=Path, default=out, help=out_help)
    parser.add_argument("--smoke", action="store_true", help=smoke_help)
    return parser


def default_jobs() -> int:
    """Worker processes by default: the cores, at most 2 (the project's machine)."""
    return min(2, os.cpu_count() or 1)


def add_cell_filters(parser: argparse.ArgumentParser) -> None:
    """``--lengths``, ``--effects`` (restrict the grid) and ``--deadline`` (stop starting cells)."""
    parser.add_argument("--lengths", default=None, help="comma-separated lengths (default all)")
    parser.add_argument("--effects", default=None, help="comma-separated effects (default all)")
    parser.add_argument("--deadline", default=None, help="stop starting cells after HH:MM UTC")


def smoke_tag(smoke: bool) -> str:
    """The suffix of a smoke run's file names (``_smoke``; empty for a real run)."""
    return "_smoke" if smoke else ""


# ------------------------------------------------------------------------------------------
# Monte Carlo tallies
# ------------------------------------------------------------------------------------------
def proportion_se(p: float, n: int) -> float:
    """Monte Carlo standard error ``sqrt(p (1 - p) / n)`` of a share ``p`` of ``n`` draws.

    NaN when ``n`` is 0.
    """
    return math.sqrt(p * (1 - p) / n) if n else math.nan


def nominal_coverage_se(n: int) -> float:
    """Monte Carlo standard error of a coverage at its nominal 0.95 over ``n`` series."""
    return math.sqrt(0.95 * 0.05 / max(n, 1))


def share_with_se(x) -> tuple[float, float]:
    """Mean of a 0/1 array and its Monte Carlo standard error (both NaN when it is empty)."""
    import numpy as np

    p = float(np.mean(x)) if x.size else math.nan
    return p, proportion_se(p, x.size)


def rejection_rate(p_values, alpha: float = 0.05) -> float:
    """Share of the p-values below ``alpha`` (NaN when there are none)."""
    return float((p_values < alpha).mean()) if len(p_values) else math.nan


def wald_limits(estimate, se, q: float = Z95):
    """Lower and upper limits ``estimate -/+ q se`` (arrays, Series or floats)."""
    return estimate - q * se, estimate + q * se


def covers(low, high, truth):
    """Element-wise: does ``[low, high]`` contain ``truth``?"""
    return (low <= truth) & (truth <= high)


def excludes(low, high, null: float):
    """Element-wise: is ``null`` outside ``[low, high]`` (a rejection of that value)?"""
    return (low > null) | (high < null)


# ------------------------------------------------------------------------------------------
# cells of a simulation grid
# ------------------------------------------------------------------------------------------
def cell_key(cell: Sequence) -> str:
    """``"process|n_days|effect"``: the name of a cell in the rows files."""
    dgp, n_days, effect = cell
    return f"{dgp}|{n_days}|{effect}"


def daily_index(n_days: int, start: str = "2019-04-26"):
    """Daily dates from ``start`` (default: the ``idlib_2019`` window's first day)."""
    import pandas as pd

    return pd.date_range(start, periods=n_days, freq="D")


def daily_series(counts, dates, name: str = "events"):
    """Counts as a float series on ``dates``."""
    import pandas as pd

    return pd.Series(counts.astype(float), index=dates, name=name)


def past_deadline(deadline: str | None) -> bool:
    """True once the UTC clock reads ``deadline`` (``HH:MM``) or later; False without one."""
    return bool(deadline) and time.strftime("%H:%M", time.gmtime()) >= deadline


def extend_rows(
    cells: Sequence[tuple],
    n: int,
    rows_path: Path,
    run_cell: Callable[[tuple, list[int], int], list[dict]],
    seed: int,
    *,
    resume: bool = True,
    deadline: str | None = None,
    columns: list[str] | None = None,
    label: str = "",
) -> None:
    """Run the series of every cell that ``rows_path`` does not hold yet and append them to it.

    The resumable loop of the calibration studies: series ``0..n-1`` of each cell, minus the
    ones already in the rows file (``resume``; otherwise the file is started afresh), are passed
    to ``run_cell(cell, todo, seed)``, whose rows are appended cell by cell. Cells are no longer
    started once ``deadline`` (``HH:MM`` UTC) has passed.
    """
    import pandas as pd

    if not resume:
        rows_path.unlink(missing_ok=True)
    done = pd.read_csv(rows_path) if resume and rows_path.exists() else None
    for k, cell in enumerate(cells):
        if past_deadline(deadline):
            print(f"deadline {deadline} reached: stopping", flush=True)
            break
        key = cell_key(cell)
        have = set() if done is None else set(done.loc[done["cell"] == key, "i"])
        todo = [i for i in range(n) if i not in have]
        if not todo:
            continue
        t0 = time.perf_counter()
        new = pd.DataFrame(run_cell(cell, todo, seed), columns=columns)
        rows_path.parent.mkdir(parents=True, exist_ok=True)
        new.to_csv(rows_path, mode="a", header=not rows_path.exists(), index=False)
        print(f"[{label}{k + 1}/{len(cells)}] {key}: {len(todo)} series, "
              f"{time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip


# ------------------------------------------------------------------------------------------
# output
# ------------------------------------------------------------------------------------------
def fmt_value(x: Any, digits: int = 3) -> str:
    """One table cell: text as is, booleans and integers exactly, floats to ``digits`` places,
    missing or non-finite values as ``n/a``."""
    import numpy as np

    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def fmt_with_se(
    v: float | None, se: float | None = None, digits: int = 3, missing: str = "-"
) -> str:
    """``"v (se)"`` to ``digits`` places; ``v`` alone without a finite SE; ``missing`` without v."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return missing
    s = f"{v:.{digits}f}"
    return s if se is None or math.isnan(se) else f"{s} ({se:.{digits}f})"


def md_table(df, digits: int = 3) -> str:
    """A Markdown pipe table of a data frame (no tabulate dependency; see :func:`fmt_value`)."""
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(fmt_value(v, digits) for v in row) + " |")
    return "\n".join(lines)


def write_csv(df, path: Path, float_format: str | None = None) -> Path:
    """``df`` as a CSV without its index (its folder made if need be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, float_format=float_format)
    return path


def write_json(obj: Any, path: Path, indent: int = 1, newline: bool = False) -> Path:
    """``obj`` as indented JSON (values JSON cannot hold written as text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=indent, default=str) + ("\n" if newline else ""))
    return path


# ------------------------------------------------------------------------------------------
# timing and the machine
# ------------------------------------------------------------------------------------------
def timed(fn: Callable, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` and its wall time in seconds."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    """Median wall time of ``fn()`` over ``repeat`` runs after one warm-up call, and the runs."""
    import numpy as np

    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), times


def cpu_seconds() -> float:
    """CPU seconds of this process (``time.process_time``) and of its finished children."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def load_average() -> float:
    """The 1-minute load average of the machine (NaN where the system does not give it)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan


#: distribution names that differ from the module names
_DISTRIBUTIONS = {"causalpy": "CausalPy"}


def package_version(module: str) -> str:
    """The installed version of a module's distribution, ``?`` when it is not installed."""
    from importlib.metadata import version

    try:
        return version(_DISTRIBUTIONS.get(module, module))
    except Exception:
        return "?"


def machine_info(
    packages: Iterable[str] = ("trends", "numpy", "pandas", "scipy", "statsmodels", "pyarrow"),
) -> dict[str, Any]:
    """Cores, Python, platform, date, load at start, package versions, memory and CPU model."""
    import datetime as dt

    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "load_average_1min_at_start": load_average(),
    }
    for pkg in packages:
        info[pkg] = package_version(pkg)
    try:
        with open("/proc/meminfo") as fh:
            info["mem_total_gib"] = round(int(fh.readline().split()[1]) / 1024**2, 1)
        with open("/proc/cpuinfo") as fh:
            models = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        info["cpu"] = models[0] if models else "?"
    except OSError:
        pass
    return info


# ------------------------------------------------------------------------------------------
# processes
# ------------------------------------------------------------------------------------------
def run_in_pool(
    fn: Callable, tasks: Iterable[tuple[Any, tuple]], jobs: int
) -> Iterator[tuple[Any, Any]]:
    """``fn(*args)`` for every ``(label, args)`` of ``tasks``, in ``jobs`` worker processes.

    Yields ``(label, result)`` in task order, each as soon as it is done. Tasks are submitted as
    ``tasks`` yields them (a generator can simulate the next batch while the workers fit the
    last one); the label stays in this process (say, the scenario a chunk of series belongs to).
    """
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [(label, pool.submit(fn, *args)) for label, args in tasks]
        for label, fut in futures:
            yield label, fut.result()

"""Benchmark of :func:`trends.batch.analyse_many`: many simulated series x one ceasefire.

Simulates ``--n-series`` daily series of ``--n-days`` days with a known ceasefire (preset
``drop_50`` by default: the rate halves on 2019-08-31, overdispersed and autocorrelated counts)
and runs the interrupted time series, the change-point search and a claims check on every series
with ``--n-jobs`` local worker processes (or a local Dask cluster with ``--dask``). Prints one JSON
object: wall seconds, series per second, the settings, and a few recovery figures (median level
rate ratio vs the truth, CI coverage, share of change-point sets containing the ceasefire).

The ITS intervals are analyse_many's default, closed form (``--intervals analytic``);
``--intervals simulation`` uses fit_its's 2,000-draw simulation per series instead (``--n-sim``).
``cpu_seconds_per_worker`` is the CPU time of the run divided by the workers: about the wall time
the run needs when nothing else competes for the cores (the machine's load is recorded too).

Target (issue): 1,000 series x 365 days, ITS + change point + claims, 2 cores, under 30 s.

Usage::

    python benchmarks/batch_bench.py                 # 1,000 series, 2 workers
    python benchmarks/batch_bench.py --smoke         # 20 series, seconds
    python benchmarks/batch_bench.py --intervals simulation --dask
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CEASEFIRE = "2019-08-31"
pre_spawn = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its terminated children."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return float("nan")
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def simulate(n_series: int, n_days: int, preset_name: str, seed: int) -> tuple[pd.DataFrame, float]:
    """Long table ``series_id, date, value`` and the true level rate ratio of the ceasefire."""
    from trends.simulate import preset, simulate_many

    start = (pd.Timestamp(CEASEFIRE) - pd.Timedelta(days=n_days // 2)).strftime("%Y-%m-%d")
    kw = preset(preset_name, n_days=n_days, start=start)
    kw.pop("seed", None)
    batch = simulate_many(n_series, **kw, seed=seed, output="batch")
    frame = batch.to_frame().rename(columns={"attacks": "value"})[["series_id", "date", "value"]]
    return frame, float(batch.changes[0].level)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from trends.batch import analyse_many

    t0 = time.perf_counter()
    data, truth = simulate(args.n_series, args.n_days, args.preset, args.seed)
    t_sim = time.perf_counter() - t0
    interventions = pd.DataFrame(
        {"intervention_id": ["ceasefire"], "date": [CEASEFIRE], "name": ["ceasefire"]}
    )
    # one claim for every series: "more than 60 attacks in the 30 days from the ceasefire"
    claims = pd.DataFrame({"window": [30], "value": [60], "qualifier": ["more_than"]})
    its_options: dict[str, Any] = {}
    if args.n_sim is not None:
        its_options["n_sim"] = args.n_sim
    kwargs: dict[str, Any] = {
        "interventions": interventions,
        "claims": claims,
        "steps": tuple(args.steps.split(",")),
        "intervals": args.intervals,
        "its_options": its_options,
        "chunk_size": args.chunk_size,
        "seed": args.seed,
        "progress": False,
    }
    cluster = client = None
    try:
        if args.dask:
            import dask
            from dask.distributed import Client, LocalCluster

            # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off
            # glibc's adaptive mmap threshold: every array above 128 kB is then mapped afresh
            # and page-faulted (the change-point search ran twice as slow). Unset by default.
            env = {} if args.dask_default_env else {pre_spawn: None}
            t_c = time.perf_counter()
            with dask.config.set(env):
                cluster = LocalCluster(
                    n_workers=args.n_jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            client = Client(cluster)
            t_cluster = time.perf_counter() - t_c
            kwargs["client"] = client
        else:
            t_cluster = 0.0
            kwargs["n_jobs"] = args.n_jobs
        cpu0 = _cpu_seconds()
        t1 = time.perf_counter()
        table = analyse_many(data, **kwargs)
        wall = time.perf_counter() - t1
        cpu = _cpu_seconds() - cpu0
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    ok = table["status"] == "ok"
    level = table.loc[ok, "its_level_rr"]
    covered = (table.loc[ok, "its_level_ci_low"] <= truth) & (
        truth <= table.loc[ok, "its_level_ci_high"]
    )
    return {
        "benchmark": "batch_analyse_many",
        "n_series": args.n_series,
        "n_days": args.n_days,
        "preset": args.preset,
        "steps": list(kwargs["steps"]),
        "its_intervals": args.intervals,
        "its_n_sim": its_options.get("n_sim", 2000) if args.intervals == "simulation" else None,
        "backend": table.attrs["batch"]["backend"],
        "dask_malloc_trim_default": bool(args.dask_default_env) if args.dask else None,
        "n_jobs": args.n_jobs,
        "chunk_size": table.attrs["batch"]["chunk_size"],
        "wall_seconds": round(wall, 3),
        "series_per_second": round(args.n_series / wall, 2),
        # CPU time of this process and its finished worker processes (not of Dask workers);
        # divided by the workers it is the wall time the run needs on otherwise idle cores
        "cpu_seconds": None if args.dask else round(cpu, 3),
        "cpu_seconds_per_worker": None if args.dask else round(cpu / max(args.n_jobs, 1), 3),
        "target_seconds": 30.0 if (args.n_series, args.n_days) == (1000, 365) else None,
        "cluster_start_seconds": round(t_cluster, 3),
        "simulate_seconds": round(t_sim, 3),
        "mean_pair_seconds": round(float(table["seconds"].mean()), 4),
        "n_ok": int(ok.sum()),
        "statuses": table.loc[~ok, "status"].str.split(":").str[0].value_counts().to_dict(),
        "recovery": {
            "true_level_rr": truth,
            "median_level_rr": round(float(level.median()), 4) if len(level) else None,
            "level_ci_coverage": round(float(covered.mean()), 4) if len(level) else None,
            "reference_in_changepoint_set": round(float(table["reference_in_set"].mean()), 4)
            if "changepoint" in kwargs["steps"]
            else None,
            "claims_supported": round(float((table["claim_verdict"] == "supported").mean()), 4),
        },
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count(),
            "loadavg_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--n-series", type=int, default=1000)
    p.add_argument("--n-days", type=int, default=365)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--chunk-size", type=int, default=None)
    p.add_argument("--preset", default="drop_50")
    p.add_argument("--steps", default="its,changepoint,claims")
    p.add_argument(
        "--intervals",
        choices=("simulation", "analytic"),
        default="analytic",
        help="ITS counterfactual intervals (analyse_many's default: analytic)",
    )
    p.add_argument("--n-sim", type=int, default=None, help="ITS simulation draws (default 2000)")
    p.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    p.add_argument(
        "--dask-default-env",
        action="store_true",
        help="keep Dask's MALLOC_TRIM_THRESHOLD_=65536 for the workers (slower; see the code)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="20 series: a quick check")
    p.add_argument("--out", default=None, help="also write the JSON into this folder")
    args = p.parse_args(argv)
    if args.smoke:
        args.n_series = 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run(args)
    text = json.dumps(result, indent=2)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        name = "batch_bench_smoke.json" if args.smoke else "batch_bench.json"
        (out / name).write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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

``--inference`` is analyse_many's ``inference`` (default ``auto``: the calibrated latent AR(1)
model on daily series of 120+ days; ``glm``: the count GLM with the analytic intervals).

``--compare TREE [TREE ...]`` times the same simulated batch once per code tree (a folder holding
a ``trends`` package, e.g. a copy of the package before a change) and per ``--compare-inference``
(default ``auto,glm``), each in a fresh subprocess with ``PYTHONPATH=TREE`` (one after the other,
``--repeat`` interleaved rounds, medians reported); it prints the wall and CPU seconds per pair,
their ratios to the first tree's and to each tree's ``glm`` run, and the largest relative
difference of the estimates between the trees (identity check). With ``--markdown FILE`` it also
writes them as a table.

Target (issue): 1,000 series x 365 days, ITS + change point + claims, 2 cores, under 30 s.

Usage::

    python benchmarks/batch_bench.py                 # 1,000 series, 2 workers
    python benchmarks/batch_bench.py --smoke         # 20 series, seconds
    python benchmarks/batch_bench.py --intervals simulation --dask
    python benchmarks/batch_bench.py --n-series 60 --n-jobs 1 \\
        --compare /tmp/old_tree /work/main --markdown benchmarks/results/batch_latent.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
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
        "inference": args.inference,
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
        if args.table_out:
            table.drop(columns=["seconds"]).to_pickle(args.table_out)
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
        "inference": args.inference,
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


#: Estimate columns compared between code trees (``--compare``).
COMPARED = (
    "rate_ratio", "rate_ratio_ci_low", "rate_ratio_ci_high", "rate_ratio_p",
    "its_level_rr", "its_level_ci_low", "its_level_ci_high", "its_level_p",
    "its_slope_rr", "its_slope_ci_low", "its_slope_ci_high", "its_theta",
    "its_cum_effect", "its_cum_effect_ci_low", "its_cum_effect_ci_high", "its_relative_effect",
)  # fmt: skip


def _max_rel_diff(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, Any]:
    """Largest relative difference of the estimate columns, and whether the statuses agree."""
    worst = 0.0
    for col in COMPARED:
        x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
        both = np.isfinite(x) & np.isfinite(y)
        if not np.array_equal(np.isfinite(x), np.isfinite(y)):
            worst = float("inf")
        if both.any():
            rel = np.abs(x[both] - y[both]) / np.maximum(np.abs(x[both]), 1e-300)
            worst = max(worst, float(rel.max()))
    return {
        "max_rel_diff": worst,
        "statuses_equal": bool((a["status"].fillna("") == b["status"].fillna("")).all()),
    }


def _passed_on(argv: list[str]) -> list[str]:
    """The options of a ``--compare`` run that each timed subprocess gets."""
    own = {"--compare", "--markdown", "--compare-inference", "--inference", "--out", "--repeat"}
    base: list[str] = []
    skipping = False
    for a in argv:
        key = a.split("=")[0]
        if key.startswith("--"):
            skipping = key in own
            if not skipping:
                base.append(a)
        elif not skipping:
            base.append(a)
    return base


def compare(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    """Time the batch per (code tree, inference) in subprocesses; see the module notes.

    The runs are interleaved (``--repeat`` rounds of every tree and inference in turn) so that a
    change of the machine's load hits every variant alike; per variant the median wall and CPU
    seconds of its rounds are reported, and the ratios are taken between those medians.
    """
    base = _passed_on(argv)
    runs: list[dict[str, Any]] = []
    tables: dict[tuple[str, str], pd.DataFrame] = {}
    variants = [(t, i) for t in args.compare for i in args.compare_inference.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(args.repeat):
            for tree, inf in variants:
                out = Path(tmp) / f"{len(runs)}.pkl"
                cmd = [sys.executable, __file__, *base, "--inference", inf, "--table-out", str(out)]
                env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}
                proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
                res = json.loads(proc.stdout)
                res.update(tree=tree, round=rnd)
                runs.append(res)
                tables.setdefault((tree, inf), pd.read_pickle(out))
    med: dict[tuple[str, str], dict[str, float]] = {}
    for tree, inf in variants:
        mine = [r for r in runs if r["tree"] == tree and r["inference"] == inf]
        med[(tree, inf)] = {
            "wall": float(np.median([r["wall_seconds"] for r in mine])),
            "cpu": float(np.median([r["cpu_seconds"] for r in mine])),
            "load": float(np.mean([r["machine"]["loadavg_1min"] for r in mine])),
            "n": mine[0]["n_series"],
        }
    first = args.compare[0]
    rows = []
    for tree, inf in variants:
        m, ref = med[(tree, inf)], med[(first, inf)]
        glm = med.get((tree, "glm"))
        row = {
            "tree": tree,
            "inference": inf,
            "n_jobs": args.n_jobs,
            "rounds": args.repeat,
            "wall_seconds_median": m["wall"],
            "wall_per_pair": m["wall"] / m["n"],
            "cpu_per_pair": m["cpu"] / m["n"],
            "wall_speedup_vs_first_tree": ref["wall"] / m["wall"],
            "cpu_speedup_vs_first_tree": ref["cpu"] / m["cpu"],
            "wall_ratio_to_glm_same_tree": None if glm is None else m["wall"] / glm["wall"],
            "cpu_ratio_to_glm_same_tree": None if glm is None else m["cpu"] / glm["cpu"],
            "mean_loadavg_1min": m["load"],
        }
        row.update(_max_rel_diff(tables[(first, inf)], tables[(tree, inf)]))
        rows.append(row)
    return {"benchmark": "batch_compare", "settings": base, "rows": rows, "runs": runs}


def _markdown(result: dict[str, Any]) -> str:
    head = (
        "| tree | inference | n_jobs | rounds | wall s (median) | wall s / pair | CPU s / pair | "
        "wall speed-up vs first tree | CPU speed-up vs first tree | wall ratio to glm (same "
        "tree) | CPU ratio to glm (same tree) | max rel diff vs first tree | statuses equal | "
        "mean load 1 min |\n" + "|---" * 14 + "|\n"
    )
    lines = []
    for r in result["rows"]:
        gw, gc = r["wall_ratio_to_glm_same_tree"], r["cpu_ratio_to_glm_same_tree"]
        lines.append(
            f"| {r['tree']} | {r['inference']} | {r['n_jobs']} | {r['rounds']} | "
            f"{r['wall_seconds_median']:.3f} | {r['wall_per_pair']:.4f} | "
            f"{r['cpu_per_pair']:.4f} | {r['wall_speedup_vs_first_tree']:.3f} | "
            f"{r['cpu_speedup_vs_first_tree']:.3f} | {'' if gw is None else f'{gw:.3f}'} | "
            f"{'' if gc is None else f'{gc:.3f}'} | {r['max_rel_diff']:.2e} | "
            f"{r['statuses_equal']} | {r['mean_loadavg_1min']:.2f} |"
        )
    return head + "\n".join(lines) + "\n"


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
    p.add_argument(
        "--inference", default="auto", help="analyse_many's inference (auto, glm, latent_ar)"
    )
    p.add_argument("--compare", nargs="+", default=None, help="code trees to time (see notes)")
    p.add_argument("--compare-inference", default="auto,glm")
    p.add_argument("--repeat", type=int, default=1, help="with --compare: interleaved rounds")
    p.add_argument("--markdown", default=None, help="with --compare: write the table here too")
    p.add_argument("--table-out", default=None, help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="20 series: a quick check")
    p.add_argument("--out", default=None, help="also write the JSON into this folder")
    raw = list(sys.argv[1:] if argv is None else argv)
    args = p.parse_args(raw)
    if args.smoke:
        args.n_series = 20
    if args.compare:
        result = compare(args, raw)
        print(json.dumps(result["rows"], indent=2))
        if args.markdown:
            Path(args.markdown).write_text(_markdown(result))
        return 0
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

"""Phases of ``trends report`` on the bundled data, timed in one process (issue 12, item 5).

Each repetition runs in a fresh Python process (so that every phase pays its own imports, as a
``trends report --out <tmp>`` run does) and times, in that process:

0. ``imports``: ``import trends.report.run`` (what the command imports before it starts);
a. ``analysis``: reading the bundled case and analysing it (:func:`trends.report.load_inputs`
   + :func:`trends.report.run_analysis`);
b. ``charts``: listing, drawing and saving every chart (the time spent in
   :func:`trends.report.charts.chart_specs` and :func:`trends.report.drawing.draw_all`, measured
   inside :func:`trends.report.write_report`; matplotlib is loaded here when the report package
   does not load it on import);
c. ``files``: everything else :func:`trends.report.write_report` does (series CSVs,
   ``results.json`` with its schema check, the report context, ``report.md``, ``report.html``
   with the charts inlined, the manifest, the atomic move).

The ratio printed is ``(b + c) / a`` per run, and its median over ``--repeat`` runs (default 3).
The issue's target is a ratio of at most 1. Each phase's CPU time in this process is printed too
(``cpu_*``, with the chart worker processes' once they have ended): on a loaded machine it
varies less than the wall time. ``--jobs`` is the number of chart worker processes
(``write_report``'s ``jobs``; default 1: the charts' CPU cost, independent of how busy the other
core is; ``--jobs 0`` lets the report choose as ``trends report`` does).

Usage (from the repository root)::

    nice -n 10 .venv/bin/python benchmarks/report_phases.py             # 3 runs, jobs=1
    nice -n 10 .venv/bin/python benchmarks/report_phases.py --jobs 0    # the report's default
    nice -n 10 .venv/bin/python benchmarks/report_phases.py --out benchmarks/results
    .venv/bin/python benchmarks/report_phases.py --smoke --out /tmp/x    # CI: one quick run

``--smoke`` makes one run of a lighter report (attacks only, ``inference="glm"``) and writes
``report_phases_smoke.json`` into ``--out`` when it is given.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from _common import ROOT, benchmark_parser, cpu_seconds, load_average, smoke_tag, write_json

#: the report options of a smoke run: one outcome, no latent-AR fits (seconds, not a minute)
SMOKE_REPORT = {"inference": "glm", "outcome": ["attacks"]}


def one_run(jobs: int | None, smoke: bool = False) -> dict[str, Any]:
    """Time the phases of one report in this process (call it in a fresh process).

    Parameters
    ----------
    jobs : int or None
        Chart worker processes (None: the report's own choice).
    smoke : bool
        The lighter report of a smoke run (:data:`SMOKE_REPORT`).

    Returns
    -------
    dict
        Seconds per phase (``imports``, ``analysis``, ``charts``, ``files``), the ratio
        ``(charts + files) / analysis`` and the number of files written.
    """
    warnings.simplefilter("ignore")
    t0, c0 = time.perf_counter(), cpu_seconds()
    import trends.report.run as run
    import trends.report.writer as writer
    from trends.config import ReportConfig

    t_import, c_import = time.perf_counter() - t0, cpu_seconds() - c0
    inner = writer.draw_all
    spent = [0.0, 0.0]

    def timed_draw_all(*args: Any, **kwargs: Any):
        gen = inner(*args, **kwargs)
        while True:
            t, c = time.perf_counter(), cpu_seconds()
            try:
                item = next(gen)
            except StopIteration:
                item = None
            spent[0] += time.perf_counter() - t
            spent[1] += cpu_seconds() - c
            if item is None:
                return
            yield item

    specs = writer.chart_specs

    def timed_chart_specs(*args: Any, **kwargs: Any):
        t, c = time.perf_counter(), cpu_seconds()
        try:
            return specs(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t
            spent[1] += cpu_seconds() - c

    writer.draw_all = timed_draw_all
    writer.chart_specs = timed_chart_specs
    with tempfile.TemporaryDirectory() as tmp:
        extra = SMOKE_REPORT if smoke else {}
        config = ReportConfig(out=Path(tmp) / "out", **extra).with_defaults()
        t1, c1 = time.perf_counter(), cpu_seconds()
        inputs = run.load_inputs(config)
        analysis = run.run_analysis(config, inputs)
        t_analysis, c_analysis = time.perf_counter() - t1, cpu_seconds() - c1
        t2, c2 = time.perf_counter(), cpu_seconds()
        files = writer.write_report(
            analysis, config.out, incidents=inputs.incidents, timeline=inputs.timeline,
            source_label=inputs.source_label, title=config.title, config=config,
            place=inputs.place, jobs=jobs, case=inputs.case,
        )  # fmt: skip
        t_write, c_write = time.perf_counter() - t2, cpu_seconds() - c2
    charts, c_charts = spent
    files_s, c_files = t_write - charts, c_write - c_charts
    return {
        "imports": t_import,
        "analysis": t_analysis,
        "charts": charts,
        "files": files_s,
        "ratio": (charts + files_s) / t_analysis,
        "cpu_imports": c_import,
        "cpu_analysis": c_analysis,
        "cpu_charts": c_charts,
        "cpu_files": c_files,
        "cpu_ratio": (c_charts + c_files) / c_analysis,
        "n_files": len(files),
        "n_charts": sum(1 for k in files if str(files[k]).endswith(".png")),
    }


def main(argv: list[str] | None = None) -> int:
    """Run ``--repeat`` fresh processes, print each run's phases and the medians."""
    p = benchmark_parser(
        __doc__, out=None, out_help="also write report_phases.json into this folder",
        smoke_help="one run of a lighter report (report_phases_smoke.json)", full_doc=True,
    )  # fmt: skip
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--jobs", type=int, default=1, help="chart workers (0: the report's choice)")
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    jobs = None if args.jobs == 0 else args.jobs
    if args.one:
        print(json.dumps(one_run(jobs, args.smoke)))
        return 0
    if args.smoke:
        args.repeat = 1
    runs = []
    for _ in range(args.repeat):
        cmd = [sys.executable, str(Path(__file__).resolve()), "--one", "--jobs", str(args.jobs)]
        cmd += ["--smoke"] if args.smoke else []
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(
            "  imports {imports:.2f} s | (a) analysis {analysis:.2f} s | (b) charts {charts:.2f} s"
            " | (c) files {files:.2f} s | (b+c)/a {ratio:.2f} | CPU: a {cpu_analysis:.2f} s, b"
            " {cpu_charts:.2f} s, c {cpu_files:.2f} s, (b+c)/a {cpu_ratio:.2f} | {n_charts} charts,"
            " {n_files} files"
            .format(**run), flush=True,
        )  # fmt: skip
    keys = ("imports", "analysis", "charts", "files", "ratio")
    keys += tuple(f"cpu_{k}" for k in keys)
    med = {k: statistics.median(r[k] for r in runs) for k in keys}
    load = load_average()
    print(
        f"median of {len(runs)} (jobs={args.jobs}, load {load:.2f}): imports {med['imports']:.2f} s, "
        f"analysis {med['analysis']:.2f} s, charts {med['charts']:.2f} s, files "
        f"{med['files']:.2f} s; (b+c)/a = {med['ratio']:.2f} (target <= 1); CPU seconds of this "
        f"process: imports {med['cpu_imports']:.2f}, analysis {med['cpu_analysis']:.2f}, charts "
        f"{med['cpu_charts']:.2f}, files {med['cpu_files']:.2f}, (b+c)/a {med['cpu_ratio']:.2f}"
    )
    if args.out:
        payload = {"jobs": args.jobs, "loadavg_1min": load, "runs": runs, "median": med}
        path = Path(args.out) / f"report_phases{smoke_tag(args.smoke)}.json"
        write_json(payload, path, indent=2, newline=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run every benchmark: calibration, peers, speed and scale (``make bench``).

Usage (from the repository root)::

    .venv/bin/python benchmarks/run_all.py                 # the full run (about 1 hour on 2 cores)
    .venv/bin/python benchmarks/run_all.py --smoke         # every script in smoke mode (minutes)
    .venv/bin/python benchmarks/run_all.py --only speed    # some of: calibration,
                                                           # calibration_independent, peers, speed
    .venv/bin/python benchmarks/run_all.py --smoke --only peers,report_phases

The full run is ``calibration.py --n 2000``, ``calibration_independent.py --n 400`` (issue 12: old
vs latent-AR intervals on independent processes), ``peers.py`` and ``speed.py --acled-10m``; each
runs in its own process and writes its tables to ``benchmarks/results/``. The optional peers are in the
``bench`` extra; when ``ruptures`` is missing this script installs the extra first
(``pip install -e '.[bench]'``) unless ``--no-install`` is given.

``--smoke`` runs every script of this folder (every ``*.py`` but this one, the ``dgps`` module and
the private ``_*.py`` helpers) with ``--smoke``: a tiny seeded run, into ``--out`` or else a new
temporary folder (printed), never over the published results. ``acled_scale.py`` takes no
``--out``: its smoke run writes its 20,000-row file under ``benchmarks/_work/`` only.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: the scripts of the full run (``make bench``)
SCRIPTS = ("calibration", "calibration_independent", "peers", "speed")
#: files of this folder that are not benchmark scripts
NOT_SCRIPTS = ("run_all", "dgps")
#: scripts without an ``--out`` option
NO_OUT = ("acled_scale",)


def smoke_scripts() -> list[str]:
    """Every benchmark script of this folder (what ``--smoke`` runs), the full-run ones first."""
    found = sorted(
        p.stem
        for p in HERE.glob("*.py")
        if not p.stem.startswith("_") and p.stem not in NOT_SCRIPTS
    )
    return [s for s in SCRIPTS if s in found] + [s for s in found if s not in SCRIPTS]


def ensure_bench_extra() -> None:
    """Install the ``bench`` extra when its required peer (ruptures) is missing."""
    if importlib.util.find_spec("ruptures") is not None:
        return
    print("ruptures is missing: installing the bench extra (pip install -e '.[bench]')", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[bench]"], cwd=ROOT
    )
    if done.returncode != 0:
        print("could not install the bench extra: the peers run without ruptures", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="every script in smoke mode")
    parser.add_argument(
        "--only", default=None, help="comma-separated subset (default: all; see above)"
    )
    parser.add_argument("--no-install", action="store_true", help="do not install the extra")
    parser.add_argument(
        "--out", type=Path, default=None,
        help="results folder (default results/; with --smoke a new temporary folder)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    names = smoke_scripts() if args.smoke else list(SCRIPTS)
    only = args.only or ",".join(names)
    chosen = [s.strip() for s in only.split(",") if s.strip()]
    unknown = set(chosen) - set(names)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {names}")
    if not args.no_install and not args.smoke:
        ensure_bench_extra()
    if args.smoke and args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="trends_bench_smoke_"))
        print(f"smoke run: outputs in {args.out}", flush=True)
    extra = {
        "calibration": ["--n", "2000"],
        "calibration_independent": ["--n", "400"],
        "peers": [],
        "speed": ["--acled-10m"],
    }
    status = {}
    for name in names:
        if name not in chosen:
            continue
        cmd = [sys.executable, str(HERE / f"{name}.py")]
        cmd += ["--smoke"] if args.smoke else extra[name]
        if args.out is not None and name not in NO_OUT:
            cmd += ["--out", str(args.out)]
        print(f"\n=== {name}: {' '.join(cmd[1:])}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run(cmd, cwd=ROOT).returncode
        status[name] = (rc, time.perf_counter() - t0)
    print("\n=== summary")
    for name, (rc, wall) in status.items():
        print(f"  {name:28s} {'ok' if rc == 0 else f'FAILED (exit {rc})'}  {wall:7.1f} s")
    return 0 if all(rc == 0 for rc, _ in status.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

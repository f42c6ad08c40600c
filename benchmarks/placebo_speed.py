"""Issue 12's placebo speed target, measured across code trees (measurement only).

Issue 12 asks for "Placebo over every admissible date: at least 5x faster than today", "today"
being commit ``4533adb``. This script times the placebo test *as the default analysis runs it*
in three code trees, in one run:

- ``e61e6b3`` (main when measured), ``8b474d4`` (before the latent-AR exact gradient) and
  ``4533adb`` (the issue's "today"); each is a ``git archive`` copy of that commit under
  ``--work`` (default ``/tmp/plspeed``), imported in a subprocess with ``PYTHONPATH`` set to it
  (the worker checks that ``trends`` came from there);
- series: (a) the founding case's two outcomes (bundled Idlib 2019 data, north-west theatre,
  ceasefire ``ceasefire_aug31_effective``, window ``offensive_launch`` to 2019-12-15, the
  defaults of ``trends report``), the real fit being the one :func:`analyse_ceasefire` makes
  (``placebo=False, robustness=False``); (b) ``--sims`` simulated 365-day series
  (``simulate_conflict(**preset(name, seed=s, n_days=365))``, the ``attacks`` column, the
  presets of ``--presets`` cycled, default ``drop_50`` and ``no_effect``, seeds ``--seed``,
  ``--seed + 1``...; ``no_effect`` gives p-values away from their floor), the real fit being ``fit_its`` with the analysis's
  options (negative binomial, Newey-West, slope change, ``inference`` as the analysis's
  ``"auto"`` rule resolves it where the tree has one) at the preset's change day 2019-08-31;
- modes (what the placebo fits): ``default`` is the analysis's default in that tree: at
  ``4533adb`` a fixed-theta negative-binomial GLM at every pre-period date, ranked by the raw
  level change (its only placebo); at ``8b474d4`` and ``e61e6b3`` the analysis's ``"auto"``
  inference is the latent AR(1) model on these daily series, so each fake date is a cold
  latent-AR fit (``placebo_test`` defaults: studentised, matched windows). In the two newer
  trees also ``glm`` (the real fit with ``inference="glm"``, ``placebo_test`` defaults: the
  batched GLM, theta re-estimated per date) and ``glm_raw_preperiod`` (the same with
  ``statistic="raw", window="pre-period"``: the design of ``4533adb`` except that each fake
  fit estimates its own theta; no mode of the newer trees holds theta fixed).

Timing: CPU seconds (``time.process_time`` in the worker) of the ``placebo_test`` call alone,
imports and the real fit excluded; one BLAS thread. ``--rounds`` interleaved rounds (tree A,
B, C, A, B, C, ...: one subprocess per tree and round, each timing every mode and series
once), one process at a time; per (tree, mode, series) the median over rounds. Ratios are
old / new of those medians: per series (the range is quoted) and of the totals over series.
Estimates: the fake-date level changes, standard errors and p-values of round 1 are compared
between trees for the same mode (and ``4533adb`` default against ``glm_raw_preperiod``).

Usage::

    nice -n 10 /work/main/.venv/bin/python benchmarks/placebo_speed.py --rounds 7 --sims 4
    /work/main/.venv/bin/python benchmarks/placebo_speed.py --smoke --out /tmp/x

Outputs ``results/placebo_speed.{md,csv}`` (``_smoke`` suffix with ``--smoke``).
"""

from __future__ import annotations

import sys

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
if "--worker" not in sys.argv:  # a worker imports trends from the tree on its PYTHONPATH
    use_checkout()

import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from _common import (  # noqa: E402
    ROOT,
    WORK,
    benchmark_parser,
    load_average,
    machine_info,
    md_table,
    smoke_tag,
    write_csv,
    write_json,
)

#: The trees, newest first (the first is the "new" side of every ratio).
TREES = ("e61e6b3", "8b474d4", "4533adb")
#: The founding case as ``trends report`` runs it by default (the same in every tree).
CASE = {"intervention": "ceasefire_aug31_effective", "start": "offensive_launch",
        "end": "2019-12-15", "theatre": "north-west"}  # fmt: skip
#: The change day of the simulation presets.
SIM_DAY = "2019-08-31"
#: Ratios reported, old / new with the first tree as "new": (old mode, new mode, what is
#: compared). An old tree without the ``glm`` modes (``4533adb``) is compared by its default
#: with each of the new tree's modes; one with them, mode by mode.
PAIRS_NO_GLM = (
    ("default", "default", "each tree's default (issue 12's target)"),
    ("default", "glm_raw_preperiod", "nearest design to the old one (theta fitted, not fixed)"),
    ("default", "glm", "old default vs the new GLM placebo"),
)
PAIRS_SAME = (
    ("default", "default", "each tree's default (the same spec: latent AR)"),
    ("glm", "glm", "the same spec (batched GLM)"),
    ("glm_raw_preperiod", "glm_raw_preperiod", "the same spec (batched GLM, raw, pre-period)"),
)


def pairs(trees: list[str], modes: dict[str, set[str]]) -> list[tuple[str, str, str, str, str]]:
    """``(old tree, old mode, new tree, new mode, what)`` of every ratio reported."""
    new, out = trees[0], []
    for old in trees[1:]:
        same = "glm" in modes.get(old, set())
        for old_m, new_m, what in PAIRS_SAME if same else PAIRS_NO_GLM:
            if old_m in modes.get(old, set()) and new_m in modes.get(new, set()):
                out.append((old, old_m, new, new_m, what))
    return out


# ------------------------------------------------------------------------------------------
# the worker (runs inside one tree; only APIs every tree has)
# ------------------------------------------------------------------------------------------
def _accepted(fn, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``kwargs`` that ``fn`` accepts."""
    import inspect

    params = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if k in params}


def _founding_fits(inference: str | None) -> list[tuple[str, Any, Any]]:
    """``(name, series, real fit)`` of the founding case's outcomes, as the analysis fits them."""
    from trends.analysis import analyse_ceasefire
    from trends.datasets import load_idlib_2019

    case = load_idlib_2019(theatre=CASE["theatre"])
    kw = {"placebo": False, "robustness": False, "pretrend": False, "change_dates": False}
    if inference is not None:
        kw["inference"] = inference
    an = analyse_ceasefire(
        case.incidents, case.timeline[CASE["intervention"]],
        start=case.timeline[CASE["start"]].start, end=CASE["end"], timeline=case.timeline,
        **_accepted(analyse_ceasefire, kw),
    )  # fmt: skip
    return [(f"founding {name}", o.series, o.its) for name, o in an.outcomes.items()]


def _sim_fits(
    sims: list[tuple[str, int]], n_days: int, inference: str | None
) -> list[tuple[str, Any, Any]]:
    """``(name, series, real fit)`` of simulated series (``(preset, seed)`` each), fitted with
    the analysis's options at the presets' change day."""
    import pandas as pd

    from trends.models.its import fit_its
    from trends.simulate import preset, simulate_conflict

    out = []
    for name, s in sims:
        sim = simulate_conflict(**preset(name, seed=s, n_days=n_days))
        y = sim.frame["attacks"].astype(float).rename("attacks")
        kw: dict[str, Any] = {"family": "negbin", "se": "hac", "slope_change": True, "seed": 0}
        if inference is not None:
            kw["inference"] = _resolve_inference(inference, int(y.notna().sum()))
        its = fit_its(y, [pd.Timestamp(SIM_DAY)], **_accepted(fit_its, kw))
        out.append((f"sim {name} seed {s}", y, its))
    return out


def _resolve_inference(name: str, n_observed: int) -> str:
    """The analysis's ``inference`` rule (``"auto"`` resolved) for a daily negbin series."""
    from trends.models.spec import choose_inference

    return choose_inference(name, freq="D", n_observed=n_observed, family="negbin")


def _its_inference(its) -> str:
    """The inference of a real fit (``glm`` in trees that have no other)."""
    spec = getattr(its, "spec", None)
    return str(getattr(spec, "inference", "glm (fixed-theta placebo)"))


def _timed_placebo(series, its, options: dict[str, Any]) -> dict[str, Any]:
    """One ``placebo_test`` call: CPU seconds, fake dates, estimates and p-values."""
    from trends.models.placebo import placebo_test

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.process_time()
        res = placebo_test(series, its, **options)
        cpu = time.process_time() - t0
    se = getattr(res, "placebo_se", None)
    return {
        "cpu": cpu,
        "n_fake": int(res.placebo_log_rr.notna().sum()),
        "n_dates": len(res.placebo_log_rr),
        "p": float(res.p_value),
        "p1": float(res.p_value_one_sided),
        "dates": [str(d.date()) for d in res.placebo_log_rr.index],
        "coef": [float(v) for v in res.placebo_log_rr],
        "se": None if se is None else [float(v) for v in se],
        "real_log_rr": float(res.real_log_rr),
        "inference": _its_inference(its),
    }


def worker(tree_dir: str, founding: bool, sims: list, n_days: int) -> dict[str, Any]:
    """Time every mode and series once in the tree on ``PYTHONPATH`` (see the module notes)."""
    import trends

    where = Path(trends.__file__).resolve()
    if Path(tree_dir).resolve() not in where.parents:
        raise RuntimeError(f"trends imported from {where}, not from {tree_dir}")
    import trends.models.placebo as pl

    new = "statistic" in __import__("inspect").signature(pl.placebo_test).parameters
    modes: dict[str, tuple[str | None, dict[str, Any]]] = {"default": ("auto" if new else None, {})}
    if new:
        modes["glm"] = ("glm", {})
        modes["glm_raw_preperiod"] = ("glm", {"statistic": "raw", "window": "pre-period"})
    rows = []
    for mode, (inference, options) in modes.items():
        fits = _founding_fits(inference) if founding else []
        fits += _sim_fits([(str(a), int(b)) for a, b in sims], n_days, inference)
        for name, series, its in fits:
            rows.append({"mode": mode, "series": name} | _timed_placebo(series, its, options))
    return {"rows": rows, "trends_file": str(where), "load": load_average()}


# ------------------------------------------------------------------------------------------
# the driver
# ------------------------------------------------------------------------------------------
def prepare_tree(commit: str, work: Path) -> Path:
    """A ``git archive`` copy of ``commit`` under ``work/<sha>`` (made once), its folder."""
    git = ["git", "-C", str(ROOT)]
    sha = subprocess.run(
        [*git, "rev-parse", f"{commit}^{{commit}}"], capture_output=True, text=True, check=True
    ).stdout.strip()
    dest = work / sha[:12]
    if (dest / "trends" / "__init__.py").exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run([*git, "archive", sha], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def run_rounds(args, trees: dict[str, Path]) -> list[dict[str, Any]]:
    """Interleaved rounds: one worker subprocess per tree and round, one at a time."""
    presets = args.presets.split(",")
    sims = [(presets[i % len(presets)], args.seed + i) for i in range(args.sims)]
    runs = []
    for rnd in range(args.rounds):
        for commit, path in trees.items():
            spec = json.dumps({"tree": str(path), "founding": not args.no_founding,
                               "sims": sims, "n_days": args.days})  # fmt: skip
            env = {**os.environ, "PYTHONPATH": str(path)}
            t0 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--worker", spec],
                env=env, capture_output=True, text=True, cwd=str(path),
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"{commit} round {rnd}: {done.stderr[-3000:]}")
            res = json.loads(done.stdout.strip().splitlines()[-1])
            for r in res["rows"]:
                r.update(tree=commit, round=rnd, load=res["load"])
            runs.extend(res["rows"])
            print(f"  round {rnd + 1}/{args.rounds} {commit}: {time.perf_counter() - t0:.0f} s "
                  f"wall, load {res['load']:.2f}", flush=True)  # fmt: skip
    return runs


def medians(runs: list[dict[str, Any]]):
    """Per (tree, mode, series): median, min, max CPU seconds over rounds and round 1's fit."""
    import numpy as np
    import pandas as pd

    df = pd.DataFrame(runs)
    out = []
    for (tree, mode, series), g in df.groupby(["tree", "mode", "series"], sort=False):
        first = g.sort_values("round").iloc[0]
        med = float(np.median(g["cpu"]))
        out.append({
            "tree": tree, "mode": mode, "series": series, "inference": first["inference"],
            "rounds": len(g), "n_fake": int(first["n_fake"]), "cpu_median_s": med,
            "cpu_min_s": float(g["cpu"].min()), "cpu_max_s": float(g["cpu"].max()),
            "ms_per_fake_date": 1000 * med / max(int(first["n_dates"]), 1),
            "p_value": float(first["p"]), "p_one_sided": float(first["p1"]),
            "mean_load_1min": float(g["load"].mean()),
        })  # fmt: skip
    return pd.DataFrame(out)


def _rel(a, b) -> float:
    """Largest relative difference of two equal-length vectors (NaN where either is NaN)."""
    import numpy as np

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not np.array_equal(np.isfinite(x), np.isfinite(y)):
        return math.inf
    return float(np.max(np.abs(x[ok] - y[ok]) / np.maximum(np.abs(x[ok]), 1e-300), initial=0.0))


def agreement(runs: list[dict[str, Any]], old: tuple[str, str], new: tuple[str, str]) -> dict:
    """Estimates of round 1 compared between ``old`` and ``new`` (tree, mode), per series."""
    import numpy as np

    pick = {(r["tree"], r["mode"], r["series"]): r for r in runs if r["round"] == 0}
    rows = {}
    for (tree, mode, series), a in pick.items():
        if (tree, mode) != old or (new[0], new[1], series) not in pick:
            continue
        b = pick[(new[0], new[1], series)]
        same_dates = a["dates"] == b["dates"]
        row = {"same_dates": same_dates, "p_old": a["p"], "p_new": b["p"],
               "p_equal": a["p"] == b["p"] and a["p1"] == b["p1"]}  # fmt: skip
        if same_dates:
            row["rel_coef"] = _rel(a["coef"], b["coef"])
            diff = np.abs(np.asarray(a["coef"]) - np.asarray(b["coef"]))
            row["max_abs_coef"] = float(np.nanmax(diff)) if diff.size else 0.0
            if b["se"] is not None:
                row["coef_diff_over_se"] = float(np.nanmax(diff / np.asarray(b["se"]), initial=0))
            if a["se"] is not None and b["se"] is not None:
                row["rel_se"] = _rel(a["se"], b["se"])
        rows[series] = row
    return rows


def ratio_table(med, runs, trees: list[str]) -> Any:
    """Old / new CPU ratios per pair (per-series range, totals) and the estimate agreement."""
    import pandas as pd

    key = med.set_index(["tree", "mode", "series"])["cpu_median_s"].sort_index()
    modes = {t: set(g["mode"]) for t, g in med.groupby("tree")}
    out = []
    for old_t, old_m, new_t, new_m, what in pairs(trees, modes):
        agree = agreement(runs, (old_t, old_m), (new_t, new_m))
        for group, test in (("founding case", "founding"), ("simulated", "sim"), ("all", "")):
            names = [s for s in key.loc[(new_t, new_m)].index if s.startswith(test)]
            names = [s for s in names if (old_t, old_m, s) in key.index]
            if not names:
                continue
            o = key.loc[[(old_t, old_m, s) for s in names]].to_numpy()
            n = key.loc[[(new_t, new_m, s) for s in names]].to_numpy()
            r = o / n
            ag = [agree[s] for s in names if s in agree]
            rel = [a.get("rel_coef", math.nan) for a in ag]
            over = [a.get("coef_diff_over_se", math.nan) for a in ag]
            rel_se = [a.get("rel_se", math.nan) for a in ag]
            out.append({
                "old": f"{old_t} {old_m}", "new": f"{new_t} {new_m}", "compared": what,
                "series": f"{group} ({len(names)})", "old_total_s": o.sum(), "new_total_s": n.sum(),
                "ratio_of_totals": o.sum() / n.sum(), "ratio_min": r.min(), "ratio_max": r.max(),
                "met_5x": "met" if o.sum() / n.sum() >= 5 else "not met",
                "p_equal": f"{sum(a['p_equal'] for a in ag)} of {len(ag)}",
                "max_rel_coef_diff": max(rel) if rel else math.nan,
                "max_coef_diff_over_se": max(over) if over else math.nan,
                "max_rel_se_diff": max(rel_se) if rel_se else math.nan,
            })  # fmt: skip
    return pd.DataFrame(out)


#: Columns of the markdown tables shown to four significant digits (the CSVs keep every digit).
SIGNIFICANT = ("old_total_s", "new_total_s", "ratio_of_totals", "ratio_min", "ratio_max",
               "max_rel_coef_diff", "max_coef_diff_over_se", "max_rel_se_diff", "cpu_median_s",
               "cpu_min_s", "cpu_max_s", "ms_per_fake_date")  # fmt: skip


def _shown(df):
    """``df`` with the :data:`SIGNIFICANT` columns as text to four significant digits."""
    out = df.copy()
    for col in SIGNIFICANT:
        if col in out:
            out[col] = [f"{v:.4g}" for v in out[col].astype(float)]
    return out


def write_outputs(args, med, ratios, info: dict[str, Any], loads: tuple[float, float]) -> None:
    """The per-series table as CSV and both tables as markdown, with the machine."""
    tag = smoke_tag(args.smoke)
    write_csv(med, args.out / f"placebo_speed{tag}.csv")
    write_csv(ratios, args.out / f"placebo_speed_ratios{tag}.csv")
    machine = ", ".join(f"{k} {v}" for k, v in info.items())
    text = (
        "# Issue 12: placebo over every admissible date, timed across code trees\n\n"
        f"Machine: {machine}; load average (1 min) at the end {loads[1]:.2f}.\n\n"
        f"Command: `{args.command}`\n\n"
        "CPU seconds (`time.process_time`) of the `placebo_test` call alone (imports and the "
        f"real fit excluded), median over {args.rounds} interleaved rounds (one subprocess per "
        "tree and round, one at a time); see the script's docstring for the trees, modes and "
        "series. Ratios are old / new; `met_5x` applies issue 12's 5x to the ratio of totals. "
        "`p_equal` (both p-values identical), `max_rel_coef_diff`, `max_coef_diff_over_se` "
        "(largest |difference| of a fake level change over the new side's standard error) and "
        "`max_rel_se_diff` compare round 1's fake dates between the two sides (NaN where the "
        "fake dates differ or a side has no standard errors); they are expected to differ "
        "where the specifications differ.\n\n"
        "## Ratios\n\n"
        + md_table(_shown(ratios), digits=3)
        + "\n\n## Per tree, mode and series\n\n"
        + md_table(_shown(med), digits=3)
        + "\n"
    )
    (args.out / f"placebo_speed{tag}.md").write_text(text)


def main(argv: list[str] | None = None) -> int:
    p = benchmark_parser(__doc__, seed=1)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    p.add_argument("--sims", type=int, default=4, help="simulated series")
    p.add_argument("--presets", default="drop_50,no_effect", help="simulation presets, cycled")
    p.add_argument("--days", type=int, default=365, help="days of a simulated series")
    p.add_argument("--trees", nargs="+", default=list(TREES), help="commits, newest first")
    p.add_argument("--work", type=Path, default=Path("/tmp/plspeed"), help="tree copies here")
    p.add_argument("--no-founding", action="store_true", help="simulated series only")
    p.add_argument("--worker", default=None, help=argparse_suppress())
    raw = list(sys.argv[1:] if argv is None else argv)
    args = p.parse_args(raw)
    if args.worker:
        spec = json.loads(args.worker)
        res = worker(spec["tree"], spec["founding"], spec["sims"], spec["n_days"])
        print(json.dumps(res))
        return 0
    if args.smoke:
        args.rounds, args.sims, args.days, args.no_founding = 1, 1, 200, True
    args.command = "python benchmarks/placebo_speed.py " + " ".join(raw)
    info = machine_info()
    trees = {c: prepare_tree(c, args.work) for c in args.trees}
    runs = run_rounds(args, trees)
    keep = {"command": args.command, "machine": info, "runs": runs}
    write_json(keep, WORK / f"placebo_speed_runs{smoke_tag(args.smoke)}.json")  # git-ignored
    med = medians(runs)
    ratios = ratio_table(med, runs, list(trees))
    write_outputs(args, med, ratios, info, (info["load_average_1min_at_start"], load_average()))
    print(ratios.to_string())
    return 0


def argparse_suppress() -> str:
    """argparse's marker of an option left out of ``--help``."""
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    sys.exit(main())

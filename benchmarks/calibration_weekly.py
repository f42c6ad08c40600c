"""Calibration of the ITS inference on WEEKLY and MONTHLY counts: NB + Newey-West ("glm") vs the
latent AR(1) model ("latent_ar"), the choice :func:`trends.models.spec.choose_inference` makes
without a measurement (it picks "glm" for every weekly and monthly series).

Daily series are drawn exactly as in :mod:`calibration_independent` / ``_v2`` (its ``draw``: the
independent processes of :mod:`dgps`, INGARCH 0.7 / 0.9, Markov switching, wave, and the
package's own simulator, ``preset`` at 245 days and ``pkg_ar0.7``; same seeds, same true
effects, same change days). Each daily series is then aggregated the way the pipeline does it
(``trends.pipeline.run.analysed_series`` with the anchor on the intervention):
``CountSeries.from_counts(y).resample("W" or "M", anchor=change day)``, so a period starts on the
change day and the cut first / last periods carry their exposure (days covered), which
``fit_its`` receives as ``exposure=`` as in ``trends.pipeline.run._fit``. The intervention is
dated at the start of its period (the change day itself). Per series:

- weekly (245, 365, 730 days: 35 / 52 / 104 weeks + cut ends):
  ``fit_its(w, change, exposure=..., inference="glm" | "latent_ar", intervals="analytic")``,
  the level change's own 95% interval (latent_ar: its default ``hyper="auto"`` interval);
- monthly (730 days only, 24 months + cut ends: below the 30 observed periods latent_ar needs):
  ``inference="glm"`` only;
- the two-phase rate ratio on the weekly series: ``compare_rates(w, before, after,
  model="glm" | "latent_ar_lrv")``. ``compare_rates`` takes no exposure, so the cut weeks are
  set to NaN (not reported) for it; truth: the daily post / pre ratio of marginal means
  (``truth_two_phase``).

Series are run in rounds (``--step`` series of every cell per round, up to ``--n``) so that every
cell has the same n when ``--deadline`` (HH:MM UTC) stops the study; the rows file is resumable.

Usage::

    nice -n 10 .venv/bin/python benchmarks/calibration_weekly.py --n 200 --deadline 17:50
    .venv/bin/python benchmarks/calibration_weekly.py --summarise-only
    .venv/bin/python benchmarks/calibration_weekly.py --smoke --out /tmp/x   # seconds

``--smoke``: 3 series of 3 cells, written to ``--out`` as ``calibration_weekly_smoke.*``.
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    RESULTS,
    WORK,
    add_cell_filters,
    benchmark_parser,
    cell_key,
    covers,
    default_jobs,
    extend_rows,
    fmt_value,
    md_table,
    nominal_coverage_se,
    past_deadline,
    proportion_se,
    smoke_tag,
    write_csv,
)

#: (process, days) of the grid; effects "none" and "-50%"
PROCESSES = ("ingarch_0.7", "ingarch_0.9", "markov", "wave")
LENGTHS = (245, 365, 730)
EFFECTS = ("none", "-50%")
PACKAGE_CELLS = (("preset", 245), ("pkg_ar0.7", 365), ("pkg_ar0.7", 730))
#: method -> (aggregation, label)
METHODS = {
    "W_glm": "weekly ITS, NB + Newey-West (glm; today's choice)",
    "W_latent_ar": "weekly ITS, latent AR(1) (inference='latent_ar', hyper auto)",
    "M_glm": "monthly ITS, NB + Newey-West (glm; 730 days only)",
    "W_tp_glm": "weekly two-phase ratio, compare_rates(model='glm')",
    "W_tp_latent_ar_lrv": "weekly two-phase ratio, compare_rates(model='latent_ar_lrv')",
}
FIELDS = ("coef", "lo", "hi", "p", "n_obs", "note", "error", "seconds")
COLUMNS = ["cell", "dgp", "n_days", "effect", "i", "truth", "truth_two_phase"] + [
    f"{m}_{f}" for m in METHODS for f in FIELDS
]


def cells(smoke: bool) -> list[tuple[str, int, str]]:
    """``(process, days, effect)`` of every cell."""
    if smoke:
        return [("ingarch_0.9", 245, "none"), ("markov", 365, "-50%"), ("pkg_ar0.7", 730, "none")]
    out = [(d, n, e) for d in PROCESSES for n in LENGTHS for e in EFFECTS]
    return out + [(d, n, e) for d, n in PACKAGE_CELLS for e in EFFECTS]


def aggregate(y: pd.Series, c: int, freq: str):
    """Counts, exposure and change-period start of ``y`` summed per ``freq`` from day ``c`` on."""
    from trends.series import CountSeries

    agg = CountSeries.from_counts(y.rename("events")).resample(freq, anchor=y.index[c])
    counts = agg.counts["events"].astype(float)
    pos = int(np.searchsorted(counts.index.values, y.index[c].to_datetime64(), side="right")) - 1
    return counts, agg.exposure.astype(float), np.asarray(agg.partial, dtype=bool), pos


def _its(counts: pd.Series, exposure: pd.Series, pos: int, inference: str) -> dict:
    from trends.models.its import fit_its

    r = fit_its(
        counts, counts.index[pos], exposure=exposure, inference=inference, intervals="analytic"
    )
    lv = r.level_change
    return {"coef": lv.coef, "lo": math.log(lv.ci_low), "hi": math.log(lv.ci_high),
            "p": lv.p_value, "n_obs": int(counts.notna().sum()), "note": ""}  # fmt: skip


def _two_phase(counts: pd.Series, partial: np.ndarray, pos: int, model: str) -> dict:
    from trends.models.rates import compare_rates

    v = counts.copy()
    v[partial] = np.nan  # compare_rates has no exposure: the cut weeks are left out
    idx = v.index
    nb = compare_rates(v, (idx[0], idx[pos - 1]), (idx[pos], idx[-1]), model=model).rate_ratio_nb
    return {"coef": math.log(nb["estimate"]), "lo": math.log(nb["ci_low"]),
            "hi": math.log(nb["ci_high"]), "p": nb["p_value"], "n_obs": int(v.notna().sum()),
            "note": "fallback" if nb.get("note") and "failed" in str(nb["note"]) else ""}  # fmt: skip


def fit_series(y: pd.Series, c: int, n_days: int) -> dict:
    """Every method of :data:`METHODS` on one daily series (first post day ``c``)."""
    out: dict = {}
    w = aggregate(y, c, "W")
    jobs = {
        "W_glm": lambda: _its(w[0], w[1], w[3], "glm"),
        "W_latent_ar": lambda: _its(w[0], w[1], w[3], "latent_ar"),
        "W_tp_glm": lambda: _two_phase(w[0], w[2], w[3], "glm"),
        "W_tp_latent_ar_lrv": lambda: _two_phase(w[0], w[2], w[3], "latent_ar_lrv"),
    }
    if n_days >= 730:
        m = aggregate(y, c, "M")
        jobs["M_glm"] = lambda: _its(m[0], m[1], m[3], "glm")
    for name in METHODS:
        if name not in jobs:
            out.update({f"{name}_{f}": np.nan for f in FIELDS if f not in ("note", "error")})
            out[f"{name}_error"] = "not run"
            continue
        t0 = time.perf_counter()
        try:
            res = jobs[name]()
            res["error"] = ""
        except Exception as exc:  # counted as a failure of that method
            res = {"coef": np.nan, "lo": np.nan, "hi": np.nan, "p": np.nan, "n_obs": np.nan,
                   "note": "", "error": type(exc).__name__}  # fmt: skip
        res["seconds"] = time.perf_counter() - t0
        out.update({f"{name}_{k}": v for k, v in res.items()})
    return out


def fit_chunk(cell: tuple[str, int, str], indices: list[int], seed: int) -> list[dict]:
    """Rows of series ``indices`` of one cell (runs in a worker process)."""
    import calibration_independent as ci

    warnings.simplefilter("ignore")
    dgp, n_days, effect = cell
    rows = []
    for i, y, c, truths in ci.cell_series(cell, indices, seed):
        row = {"cell": cell_key(cell), "dgp": dgp, "n_days": n_days, "effect": effect, "i": i,
               "truth": truths[0], "truth_two_phase": truths[2]}  # fmt: skip
        row.update(fit_series(y, c, n_days))
        rows.append(row)
    return rows


def make_run_cell(pool: ProcessPoolExecutor | None, jobs: int, fit=None, *extra):
    """A ``run_cell`` for :func:`extend_rows` that splits a cell's series over the pool.

    ``fit(cell, indices, seed, *extra)`` makes the rows (default: this module's
    :func:`fit_chunk`; a module-level function, so that the pool can pickle it).
    """
    fit = fit_chunk if fit is None else fit

    def run_cell(cell: tuple, todo: list[int], seed: int) -> list[dict]:
        if pool is None:
            return fit(cell, todo, seed, *extra)
        parts = [todo[k::jobs] for k in range(jobs) if todo[k::jobs]]
        futs = [pool.submit(fit, cell, p, seed, *extra) for p in parts]
        rows = [r for f in futs for r in f.result()]
        return sorted(rows, key=lambda r: r["i"])

    return run_cell


def run_in_rounds(chosen: list, n: int, step: int, rows_path: Path, run_cell, seed: int,
                  deadline: str | None, columns: list[str]) -> None:  # fmt: skip
    """``step`` more series of every cell per round up to ``n`` (every cell has the same n when
    ``deadline`` stops the study)."""
    target = min(n, step)
    while True:
        extend_rows(chosen, target, rows_path, run_cell, seed,
                    deadline=deadline, columns=columns, label=f"n={target} ")  # fmt: skip
        if target >= n or past_deadline(deadline):
            break
        target = min(n, target + step)


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and method: coverage, false-positive rate, bias, width, failures."""
    out = []
    for cell, g0 in rows.groupby("cell", sort=False):
        for m in METHODS:
            err = g0[f"{m}_error"].astype(object).fillna("")
            if err.eq("not run").all():
                continue
            g = g0[err.eq("") & np.isfinite(g0[f"{m}_lo"]) & np.isfinite(g0[f"{m}_hi"])]
            n = len(g)
            tcol = "truth_two_phase" if "_tp_" in m else "truth"
            t = np.log(g[tcol])
            lo, hi, b = g[f"{m}_lo"], g[f"{m}_hi"], g[f"{m}_coef"]
            cov = float(covers(lo, hi, t).mean()) if n else math.nan
            rej = float(((lo > 0) | (hi < 0)).mean()) if n else math.nan
            none = g0["effect"].iloc[0] == "none"
            out.append({
                "cell": cell, "dgp": g0["dgp"].iloc[0], "n_days": int(g0["n_days"].iloc[0]),
                "effect": g0["effect"].iloc[0], "method": m, "n": n, "failed": len(g0) - n,
                "median_periods": float(g[f"{m}_n_obs"].median()) if n else math.nan,
                "coverage": cov, "coverage_mcse": proportion_se(cov, n),
                "fpr": rej if none else math.nan,
                "fpr_mcse": proportion_se(rej, n) if none else math.nan,
                "reject_rate": rej, "bias_log_rr": float((b - t).mean()) if n else math.nan,
                "bias_mcse": float((b - t).std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan,
                "median_width_rr": float((np.exp(hi) - np.exp(lo)).median()) if n else math.nan,
                "median_width_log": float((hi - lo).median()) if n else math.nan,
                "fallbacks": int(g[f"{m}_note"].astype(object).fillna("").eq("fallback").sum()),
                "median_ms": float(g0[f"{m}_seconds"].median() * 1e3),
            })  # fmt: skip
    return pd.DataFrame(out)


def _fmt(v: float, se: float | None = None) -> str:
    if v is None or not np.isfinite(v):
        return "-"
    return f"{v:.3f}" if se is None or not np.isfinite(se) else f"{v:.3f} ({se:.3f})"


def _pairs(s: pd.DataFrame, value: str, se: str) -> list[str]:
    return [_fmt(a, b) for a, b in zip(s[value], s[se], strict=True)]


def cell_table(s: pd.DataFrame) -> str:
    """Cell x method: coverage (MC SE), FPR (MC SE), bias (MC SE), median width, failures."""
    t = pd.DataFrame({
        "process": s["dgp"], "days": s["n_days"], "effect": s["effect"], "method": s["method"],
        "n": s["n"], "failed": s["failed"], "periods": [fmt_value(x, 1) for x in s["median_periods"]],
        "coverage (MC SE)": _pairs(s, "coverage", "coverage_mcse"),
        "FPR (MC SE)": _pairs(s, "fpr", "fpr_mcse"),
        "bias log RR (MC SE)": _pairs(s, "bias_log_rr", "bias_mcse"),
        "median width RR": s["median_width_rr"],
    })  # fmt: skip
    return md_table(t)


def group_table(s: pd.DataFrame) -> str:
    """Mean (min-max) over groups of cells, method by method."""
    ing = s["dgp"].str.startswith("ingarch")
    right = s["dgp"].isin(["markov", "preset", "pkg_ar0.7"]) | (ing & (s["effect"] == "none"))
    groups = [
        ("every cell", s["n"] >= 0, "coverage"),
        ("trend right (Markov, package sims, INGARCH without effect)", right, "coverage"),
        ("trend right, 245 days", right & (s["n_days"] == 245), "coverage"),
        ("trend right, 365 days", right & (s["n_days"] == 365), "coverage"),
        ("trend right, 730 days", right & (s["n_days"] == 730), "coverage"),
        ("no effect (false-positive rate)", s["effect"] == "none", "fpr"),
        ("no effect, trend right (FPR)", right & (s["effect"] == "none"), "fpr"),
        ("INGARCH with effect (truth long-run r)", ing & (s["effect"] != "none"), "coverage"),
        ("wave (linear trend misfits)", s["dgp"] == "wave", "coverage"),
    ]
    ms = list(METHODS)
    lines = ["| group | measure | " + " | ".join(ms) + " |", "|---|---|" + "---|" * len(ms)]
    for label, mask, col in groups:
        vals = []
        for m in ms:
            g = s[mask & (s["method"] == m)]
            ok = g[np.isfinite(g[col])]
            vals.append("n/a" if ok.empty else f"{ok[col].mean():.3f} ({ok[col].min():.3f}-"
                        f"{ok[col].max():.3f}), {len(ok)} cells")  # fmt: skip
        lines.append(f"| {label} | {col} | " + " | ".join(vals) + " |")
    return "\n".join(lines) + "\n"


#: the command of the published run (its tables are rewritten by ``--summarise-only``)
RUN_COMMAND = (
    "nice -n 10 .venv/bin/python benchmarks/calibration_weekly.py "
    "--n 200 --step 20 --deadline 17:46"
)
READING = """## Reading (run of 2 Dec 2026: 30 cells x 200 series, 0 failed ITS fits)

- **Weekly ITS: glm does not hold 95% in any cell.** Its level-change coverage is 0.739 over
  all cells (0.380-0.905), 0.808 (0.670-0.880) where the trend is right (0.754 at 245 days,
  0.813 at 365, 0.857 at 730), and its false-positive rate without an effect is 0.260
  (0.125-0.620; 0.185, 0.125-0.230, where the trend is right). `latent_ar` on the same weekly
  series covers 0.940 (0.865-0.980) over all cells and 0.959 (0.940-0.980) where the trend is
  right, with a false-positive rate of 0.058 (0.020-0.125; 0.045, 0.020-0.060, trend right).
  It is somewhat conservative at 730 days (0.965, 0.950-0.980) and does not hold 95% under the
  wave (0.879, 0.865-0.910: the linear trend misfits; glm 0.456 there). Its intervals are wider
  (median over cells of the median width on the ratio scale 1.264 vs 0.792), which is what the
  honest width costs. Bias of the log rate ratio is small for both (cell medians -0.005 glm,
  +0.003 latent_ar).
- **Monthly (730 days, 24 months + cut ends, glm only):** coverage 0.597 (0.385-0.665),
  false-positive rate 0.410 (0.335-0.615). Nothing measured here holds there; latent_ar cannot
  run (fewer than 30 periods).
- **Two-phase ratio on weekly series (cut weeks left out):** `glm` covers 0.905 (0.835-1.000),
  false positives 0.217 (0.055-0.645); `latent_ar_lrv` 0.963 (0.910-1.000), false positives
  0.084 (0.005-0.260; 0.053 where the trend is right), 3 failed fits in 6000.
- MC SE of one cell's coverage at 0.95 with n = 200: 0.015. The evidence favours `latent_ar`
  (and `latent_ar_lrv`) over glm for weekly series of >= 35 weeks; monthly remains uncalibrated.
"""


def write_outputs(rows: pd.DataFrame, out: Path, smoke: bool, command: str) -> pd.DataFrame:
    """``calibration_weekly.{csv,md}`` (``_smoke`` before the suffix of a smoke run)."""
    s = summarise(rows)
    tag = smoke_tag(smoke)
    write_csv(s, out / f"calibration_weekly{tag}.csv")
    ns = sorted(set(s["n"] + s["failed"]))
    n = ns[0] if ns else 0
    reading = "" if smoke else READING
    rerun = "--summarise-only" in command and not smoke
    head = (f"Run: `{RUN_COMMAND}`; tables written by `{command}`.\n\n" if rerun
            else f"Command: `{command}`\n\n")  # fmt: skip
    text = (
        "# Calibration of weekly and monthly ITS inference: glm (NB + Newey-West) vs latent AR(1)"
        + (" (SMOKE RUN)" if smoke else "") + "\n\n"
        + head
        + f"Series per cell: {', '.join(str(x) for x in ns)} ({len(rows)} daily series in "
        f"{rows['cell'].nunique()} cells). Nominal 95%; MC SE of a coverage at 0.95 is "
        f"{nominal_coverage_se(n):.3f} at n = {n}; MC SEs in brackets are those of each "
        "estimate. Methods: " + "; ".join(f"`{k}`: {v}" for k, v in METHODS.items()) + ".\n\n"
        "ITS truth: the process's level effect (`truth`: r; INGARCH: the long-run r). Two-phase "
        "truth: the daily post/pre ratio of marginal means. FPR: share of 95% intervals excluding "
        "a ratio of 1 in the no-effect cells. Width: median of the interval's width on the rate "
        "ratio scale. `failed`: fits that raised or gave no finite interval. `periods`: median "
        "observed periods the model saw.\n\n"
        + reading
        + "\n## Mean (min-max) over cells\n\n" + group_table(s)
        + "\n## Every cell x method\n\n" + cell_table(s) + "\n"
    )  # fmt: skip
    (out / f"calibration_weekly{tag}.md").write_text(text)
    return s


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    ap = benchmark_parser(__doc__, n=200, seed=20261202, jobs=default_jobs(),
                          smoke_help="3 cells, 3 series, to --out")  # fmt: skip
    ap.add_argument("--rows", type=Path, default=WORK / "calibration_weekly_rows.csv")
    ap.add_argument("--step", type=int, default=40, help="series per cell per round")
    ap.add_argument("--summarise-only", action="store_true")
    add_cell_filters(ap)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    command = "python benchmarks/calibration_weekly.py " + " ".join(sys.argv[1:] if argv is None
                                                                    else argv)  # fmt: skip
    n = 3 if args.smoke else args.n
    if args.smoke and args.out.resolve() == RESULTS.resolve():  # never into results/
        args.out = Path(tempfile.mkdtemp(prefix="calibration_weekly_smoke_"))
        print(f"smoke run: writing to {args.out}")
    rows_path = args.out / "calibration_weekly_rows_smoke.csv" if args.smoke else args.rows
    keep = None if not args.lengths else {int(x) for x in args.lengths.split(",")}
    eff = None if not args.effects else set(args.effects.split(","))
    chosen = [c for c in cells(args.smoke)
              if (keep is None or c[1] in keep) and (eff is None or c[2] in eff)]  # fmt: skip
    if not args.summarise_only:
        jobs = 1 if args.smoke else max(1, args.jobs)
        pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        try:
            run_cell = make_run_cell(pool, jobs)
            if args.smoke:
                rows_path.unlink(missing_ok=True)
            run_in_rounds(chosen, n, args.step, rows_path, run_cell, args.seed, args.deadline,
                          COLUMNS)  # fmt: skip
        finally:
            if pool is not None:
                pool.shutdown()
    rows = pd.read_csv(rows_path)
    rows = rows[rows["cell"].isin([cell_key(c) for c in chosen]) & (rows["i"] < n)]
    args.out.mkdir(parents=True, exist_ok=True)
    summary = write_outputs(rows, args.out, args.smoke, command)
    print(group_table(summary))


if __name__ == "__main__":
    main()

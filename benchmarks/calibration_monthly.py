"""Calibration of ITS and two-phase inference on MONTHLY counts (and on SHORT WEEKLY series):
Newey-West ("glm") vs the latent AR(1) methods, on series of 19 to 37 months (17 to 27 weeks).

``calibration_weekly.py`` found that NB + Newey-West covers only 0.64 on monthly sums, and the
latent AR(1) model was then limited to 30 observed periods. This study measures what the latent
methods do on 19, 25 and 37 monthly periods (545, 730 and 1,095 days). Daily series are drawn
exactly as in :mod:`calibration_independent` (its ``draw``: the independent processes of
:mod:`dgps`, INGARCH 0.7 / 0.9, Markov switching and the slow wave, and the package's own
simulator ``pkg_ar0.7``; change in the middle of the window) and summed per calendar month
with the anchor on the change day, as the pipeline does (``calibration_weekly.aggregate``): the
cut first and last months carry their exposure. Per series:

- ``M_glm`` / ``M_latent_ar``: ``fit_its(m, change, exposure=..., inference="glm" |
  "latent_ar", intervals="analytic")``, the level change's 95% interval;
- ``M_tp_glm`` / ``M_tp_latent_ar_lrv``: ``compare_rates(m, before, after, model="glm" |
  "latent_ar_lrv")`` with the cut months left out (``compare_rates`` takes no exposure).

``--freq W`` runs the same methods on weekly sums of 120 and 180 days (18 and 27 weekly periods),
the weekly lengths below ``calibration_weekly.py``'s 245 days, and writes
``calibration_short_weekly.*``.

Truths as in ``calibration_weekly``: the process's level effect for the ITS (INGARCH: the
long-run ratio), the daily post/pre ratio of marginal means for the two-phase ratio.

Usage::

    nice -n 10 .venv/bin/python benchmarks/calibration_monthly.py --n 100 --step 50
    nice -n 10 .venv/bin/python benchmarks/calibration_monthly.py --n 100 --freq W
    .venv/bin/python benchmarks/calibration_monthly.py --summarise-only
    .venv/bin/python benchmarks/calibration_monthly.py --smoke --out /tmp/x   # seconds
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
    md_table,
    nominal_coverage_se,
    proportion_se,
    smoke_tag,
    write_csv,
)

PROCESSES = ("ingarch_0.7", "ingarch_0.9", "markov", "wave", "pkg_ar0.7")
LENGTHS = {"M": (545, 730, 1095), "W": (120, 180)}
#: output name and words of each frequency
NAMES = {"M": ("calibration_monthly", "monthly"), "W": ("calibration_short_weekly", "weekly")}
EFFECTS = ("none", "-50%")
METHODS = {
    "M_glm": "ITS, NB + Newey-West (inference='glm')",
    "M_latent_ar": "ITS, latent AR(1) (inference='latent_ar', hyper auto)",
    "M_tp_glm": "two-phase ratio, compare_rates(model='glm')",
    "M_tp_latent_ar_lrv": "two-phase ratio, compare_rates(model='latent_ar_lrv')",
}
FIELDS = ("coef", "lo", "hi", "n_obs", "error")
COLUMNS = ["cell", "dgp", "n_days", "effect", "i", "truth", "truth_two_phase"] + [
    f"{m}_{f}" for m in METHODS for f in FIELDS
]
#: trend-right processes (the wave misfits a straight line by design)
TREND_RIGHT = ("ingarch_0.7", "ingarch_0.9", "markov", "pkg_ar0.7")


def cells(smoke: bool, freq: str = "M") -> list[tuple[str, int, str]]:
    """``(process, days, effect)`` of every cell."""
    if smoke:
        return [("pkg_ar0.7", 730 if freq == "M" else 180, "-50%")]
    return [(d, n, e) for d in PROCESSES for n in LENGTHS[freq] for e in EFFECTS]


def fit_series(y: pd.Series, c: int, freq: str = "M") -> dict:
    """Every method of :data:`METHODS` on one daily series (first post day ``c``)."""
    import calibration_weekly as cw

    m = cw.aggregate(y, c, freq)
    jobs = {
        "M_glm": lambda: cw._its(m[0], m[1], m[3], "glm"),
        "M_latent_ar": lambda: cw._its(m[0], m[1], m[3], "latent_ar"),
        "M_tp_glm": lambda: cw._two_phase(m[0], m[2], m[3], "glm"),
        "M_tp_latent_ar_lrv": lambda: cw._two_phase(m[0], m[2], m[3], "latent_ar_lrv"),
    }
    out: dict = {}
    for name, job in jobs.items():
        try:
            res = job()
            out.update({f"{name}_{f}": res[f] for f in ("coef", "lo", "hi", "n_obs")})
            out[f"{name}_error"] = ""
        except Exception as exc:  # counted as a failure of that method
            out.update({f"{name}_{f}": np.nan for f in ("coef", "lo", "hi", "n_obs")})
            out[f"{name}_error"] = type(exc).__name__
    return out


def fit_chunk(
    cell: tuple[str, int, str], indices: list[int], seed: int, freq: str = "M"
) -> list[dict]:
    """Rows of series ``indices`` of one cell (runs in a worker process)."""
    import calibration_independent as ci

    warnings.simplefilter("ignore")
    dgp, n_days, effect = cell
    rows = []
    for i, y, c, truths in ci.cell_series(cell, indices, seed):
        row = {"cell": cell_key(cell), "dgp": dgp, "n_days": n_days, "effect": effect, "i": i,
               "truth": truths[0], "truth_two_phase": truths[2]}  # fmt: skip
        row.update(fit_series(y, c, freq))
        rows.append(row)
    return rows


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and method: coverage, false-positive rate, width, failures."""
    out = []
    for cell, g0 in rows.groupby("cell", sort=False):
        for m in METHODS:
            err = g0[f"{m}_error"].astype(object).fillna("")
            g = g0[err.eq("") & np.isfinite(g0[f"{m}_lo"]) & np.isfinite(g0[f"{m}_hi"])]
            n = len(g)
            t = np.log(g["truth_two_phase" if "_tp_" in m else "truth"])
            lo, hi = g[f"{m}_lo"], g[f"{m}_hi"]
            cov = float(covers(lo, hi, t).mean()) if n else math.nan
            rej = float(((lo > 0) | (hi < 0)).mean()) if n else math.nan
            none = g0["effect"].iloc[0] == "none"
            out.append({
                "cell": cell, "dgp": g0["dgp"].iloc[0], "n_days": int(g0["n_days"].iloc[0]),
                "effect": g0["effect"].iloc[0], "method": m, "n": n, "failed": len(g0) - n,
                "median_periods": float(g[f"{m}_n_obs"].median()) if n else math.nan,
                "coverage": cov, "coverage_mcse": proportion_se(cov, n),
                "fpr": rej if none else math.nan,
                "median_width_rr": float((np.exp(hi) - np.exp(lo)).median()) if n else math.nan,
            })  # fmt: skip
    return pd.DataFrame(out)


def _mean_range(v: pd.Series) -> str:
    v = v[np.isfinite(v)]
    return "n/a" if v.empty else f"{v.mean():.3f} ({v.min():.3f}-{v.max():.3f}), {len(v)} cells"


def group_table(s: pd.DataFrame) -> str:
    """Mean (min-max) over groups of cells, method by method."""
    right = s["dgp"].isin(TREND_RIGHT)
    groups = [("trend right", right, "coverage")]
    groups += [
        (f"trend right, {n} days", right & (s["n_days"] == n), "coverage")
        for n in sorted(set(s["n_days"]))
    ]
    groups += [
        ("no effect, trend right (false-positive rate)", right & (s["effect"] == "none"), "fpr"),
        ("wave (linear trend misfits)", s["dgp"] == "wave", "coverage"),
    ]
    ms = list(METHODS)
    lines = ["| group | measure | " + " | ".join(ms) + " |", "|---|---|" + "---|" * len(ms)]
    for label, mask, col in groups:
        vals = [_mean_range(s.loc[mask & (s["method"] == m), col]) for m in ms]
        lines.append(f"| {label} | {col} | " + " | ".join(vals) + " |")
    return "\n".join(lines) + "\n"


def cell_table(s: pd.DataFrame) -> str:
    """Cell x method: coverage (MC SE), false-positive rate, median width, failures."""
    t = s[["dgp", "n_days", "effect", "method", "n", "failed", "median_periods"]].copy()
    t["coverage (MC SE)"] = [
        "-" if not np.isfinite(c) else f"{c:.3f} ({e:.3f})"
        for c, e in zip(s["coverage"], s["coverage_mcse"], strict=True)
    ]
    t["FPR"] = s["fpr"]
    t["median width RR"] = s["median_width_rr"]
    return md_table(t)


def write_outputs(
    rows: pd.DataFrame, out: Path, smoke: bool, command: str, freq: str = "M"
) -> pd.DataFrame:
    """``calibration_monthly.{csv,md}`` (``_smoke`` before the suffix of a smoke run)."""
    s = summarise(rows)
    tag = smoke_tag(smoke)
    name, words = NAMES[freq]
    write_csv(s, out / f"{name}{tag}.csv")
    ns = sorted(set(s["n"] + s["failed"]))
    n = ns[0] if ns else 0
    text = (
        f"# Calibration of {words} ITS and two-phase inference: Newey-West vs latent AR(1)"
        + (" (SMOKE RUN)" if smoke else "") + "\n\n"
        + f"Command: `{command}` (UTC {time.strftime('%Y-%m-%d %H:%M', time.gmtime())}).\n\n"
        + f"Series per cell: {', '.join(str(x) for x in ns)} ({len(rows)} daily series in "
        f"{rows['cell'].nunique()} cells). Nominal 95%; MC SE of a coverage at 0.95 is "
        f"{nominal_coverage_se(n):.3f} at n = {n}. Methods: "
        + "; ".join(f"`{k}`: {v}" for k, v in METHODS.items()) + ". Trend right: "
        + ", ".join(TREND_RIGHT) + ". FPR: share of intervals excluding 1 without an effect.\n\n"
        + "## Mean (min-max) over cells\n\n" + group_table(s)
        + "\n## Every cell x method\n\n" + cell_table(s) + "\n"
    )  # fmt: skip
    (out / f"{name}{tag}.md").write_text(text)
    return s


def _run(chosen: list, n: int, step: int, rows_path: Path, args) -> None:
    import calibration_weekly as cw

    jobs = 1 if args.smoke else max(1, args.jobs)
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    try:
        run_cell = cw.make_run_cell(pool, jobs, fit_chunk, args.freq)
        cw.run_in_rounds(chosen, n, step, rows_path, run_cell, args.seed, args.deadline, COLUMNS)
    finally:
        if pool is not None:
            pool.shutdown()


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    ap = benchmark_parser(__doc__, n=100, seed=20261202, jobs=default_jobs(),
                          smoke_help="1 cell, 3 series, to --out")  # fmt: skip
    ap.add_argument("--rows", type=Path, default=None, help="resumable rows file")
    ap.add_argument("--freq", choices=("M", "W"), default="M", help="monthly, or short weekly")
    ap.add_argument("--step", type=int, default=50, help="series per cell per round")
    ap.add_argument("--summarise-only", action="store_true")
    add_cell_filters(ap)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    command = "python benchmarks/calibration_monthly.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    n = 3 if args.smoke else args.n
    if args.smoke and args.out.resolve() == RESULTS.resolve():  # never into results/
        args.out = Path(tempfile.mkdtemp(prefix="calibration_monthly_smoke_"))
        print(f"smoke run: writing to {args.out}")
    name = NAMES[args.freq][0]
    rows_path = args.rows or WORK / f"{name}_rows.csv"
    if args.smoke:
        rows_path = args.out / f"{name}_rows_smoke.csv"
    keep = None if not args.lengths else {int(x) for x in args.lengths.split(",")}
    chosen = [c for c in cells(args.smoke, args.freq) if keep is None or c[1] in keep]
    if not args.summarise_only:
        if args.smoke:
            rows_path.unlink(missing_ok=True)
        _run(chosen, n, args.step, rows_path, args)
    rows = pd.read_csv(rows_path)
    rows = rows[rows["cell"].isin([cell_key(c) for c in chosen]) & (rows["i"] < n)]
    args.out.mkdir(parents=True, exist_ok=True)
    print(group_table(write_outputs(rows, args.out, args.smoke, command, args.freq)))


if __name__ == "__main__":
    main()

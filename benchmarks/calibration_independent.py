"""Calibration of the ITS level change on processes the package does not assume (issue 12).

Two interval methods are run on the same series, in the same process:

``old``
    :func:`trends.models.its.fit_its` with its default model and errors (negative binomial,
    Newey-West automatic bandwidth with prewhitening); ``n_sim=100`` because the counterfactual
    draws do not enter the level-change interval.
``latent_ar``
    :func:`trends.models.latent_ar.fit_its_latent_ar`: negative binomial with a latent Gaussian
    AR(1) log intensity, Laplace approximation with the coefficients integrated out, Wald
    interval from the inverse Schur complement. Same design (intercept, trend, level, slope).

Cells: the independent processes of :mod:`dgps` (self-exciting NB-INGARCH with persistence 0.7
and 0.9, two-regime Markov switching, a slow wave fitted with a linear trend) at 120, 245, 365 and
730 days with effects none, -50% and -75%; and the package's own simulator
(:mod:`trends.simulate`, latent AR(1) log intensity): the ``no_effect`` / ``drop_50`` /
``drop_75`` presets (245 days) and the "disp high, AC high" design of ``calibration.py`` at 120,
365 and 730 days.

Reported per cell and method: coverage of the 95% interval of the level-change rate ratio with
its Monte Carlo SE (truth: see :mod:`dgps`; for INGARCH the long-run ratio of marginal means,
with the post-period average ratio as a second column), rejection rate at p < 0.05
(false-positive rate without an effect), bias and RMSE of the log rate ratio, mean and median
interval width (rate-ratio scale), coverage of the slope change (truth: no slope change in any
process) and median time per fit.

Usage (from the repository root; one process, resumable: rows already in ``--rows`` are
skipped)::

    nice -n 10 .venv/bin/python benchmarks/calibration_independent.py --n 200 \\
        --baseline 4533adb > benchmarks/_work/calib_indep.log 2>&1 &
    .venv/bin/python benchmarks/calibration_independent.py --summarise-only
    .venv/bin/python benchmarks/calibration_independent.py --smoke --out /tmp/x

``--baseline REV`` runs the *old* method from a snapshot of ``trends/`` at git revision ``REV``
(``git archive``, into ``benchmarks/_work/``) with the current ``latent_ar.py`` and
``errors.py`` copied in: the default as it was at that commit, unaffected by work in progress.
"""

from __future__ import annotations

from _common import pin_blas_threads

pin_blas_threads()

import argparse  # noqa: E402
import io  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    HERE,
    ROOT,
    WORK,
    Z95,
    add_cell_filters,
    benchmark_parser,
    cell_key,
    covers,
    daily_index,
    daily_series,
    excludes,
    extend_rows,
    proportion_se,
    rejection_rate,
    smoke_tag,
    wald_limits,
    write_csv,
)

METHODS = ("old", "latent_ar")
METHOD_LABELS = {
    "old": "old: NB + HAC auto (fit_its default)",
    "latent_ar": "new: NB + latent AR(1), Laplace/REML",
}
PACKAGE_CELLS = (
    ("preset", 245),
    ("pkg_ar0.7", 120),
    ("pkg_ar0.7", 365),
    ("pkg_ar0.7", 730),
)
TRUTHS = ["truth", "truth_window", "truth_two_phase", "cf_truth"]
ESTIMATES = [
    "level_coef", "level_se", "slope_coef", "slope_se", "rho", "sigma", "theta",
    "cf_est", "cf_lo", "cf_hi", "tp_est", "tp_lo", "tp_hi", "cf_model_est",
]  # fmt: skip
COLUMNS = ["cell", "dgp", "n_days", "effect", "i", *TRUTHS, "method", *ESTIMATES, "seconds",
           "error"]  # fmt: skip


def snapshot(rev: str) -> Path:
    """``trends/`` at git revision ``rev`` with the current latent_ar.py and errors.py."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    dest = WORK / f"baseline_{sha}"
    if not (dest / "trends" / "__init__.py").exists():
        blob = subprocess.run(
            ["git", "archive", "--format=tar", sha, "trends"], cwd=ROOT, capture_output=True,
            check=True,
        ).stdout  # fmt: skip
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            tar.extractall(dest, filter="data")
    for rel in ("trends/models/latent_ar.py", "trends/errors.py"):
        shutil.copyfile(ROOT / rel, dest / rel)
    return dest


def cells(smoke: bool) -> list[tuple[str, int, str]]:
    """``(dgp, n_days, effect)`` of every cell."""
    from dgps import DGPS, EFFECTS, LENGTHS

    if smoke:
        return [("ingarch_0.7", 120, "none"), ("markov", 120, "-50%"), ("preset", 245, "-75%")]
    out = [(d, n, e) for d in DGPS for n in LENGTHS for e in EFFECTS]
    out += [(d, n, e) for d, n in PACKAGE_CELLS for e in EFFECTS]
    return out


def draw(dgp: str, n_days: int, effect: str, i: int, seed: int):
    """Counts, first post day and the truths (:data:`TRUTHS`) of one series."""
    from dgps import EFFECTS, series_seed, simulate

    if dgp in ("preset", "pkg_ar0.7"):
        from trends.simulate import Change, preset, simulate_conflict

        ss = series_seed(seed, dgp, n_days, effect, i)
        level = EFFECTS[effect]
        if dgp == "preset":
            name = {"none": "no_effect", "-50%": "drop_50", "-75%": "drop_75"}[effect]
            sim = simulate_conflict(**preset(name, seed=ss))
            c = int(np.searchsorted(sim.frame.index, pd.Timestamp("2019-08-31")))
        else:
            c = n_days // 2
            sim = simulate_conflict(
                n_days, base_rate=4.0, ar_coef=0.7, ar_sd=0.35, dispersion=2.0,
                changes=[Change(day=c, level=level, label="intervention")], seed=ss,
            )  # fmt: skip
        # the simulator's latent factor has mean 1 and no weekly rhythm: E[counterfactual] = 4
        return sim.frame["attacks"].to_numpy(), c, (level, level, level, 4.0 * (n_days - c))
    s = simulate(dgp, n_days, effect, i, seed)
    truths = (s.truth, s.truth_window, s.truth_two_phase, float(s.cf_mean[s.change_day :].sum()))
    return s.y, s.change_day, truths


def fit_one(method: str, y: pd.Series, c: int) -> tuple:
    """The :data:`ESTIMATES` of one method on one series (first post day ``c``)."""
    when = y.index[c]
    if method == "old":
        from trends.models.its import fit_its
        from trends.models.rates import compare_rates

        r = fit_its(y, when, intervals="analytic")
        lv, sl, cum = r.level_change, r.slope_change, r.cumulative_effect
        tp = compare_rates(y, (y.index[0], y.index[c - 1]), (when, y.index[-1])).rate_ratio_nb
        return (lv.coef, lv.se, sl.coef, sl.se, np.nan, np.nan, np.nan, cum["expected"],
                cum["expected_ci_low"], cum["expected_ci_high"], tp["estimate"], tp["ci_low"],
                tp["ci_high"], np.nan)  # fmt: skip
    from trends.models.latent_ar import fit_its_latent_ar

    r = fit_its_latent_ar(y, when)
    lv, sl, cum = r.rate_ratio("level[i1]"), r.rate_ratio("slope[i1]"), r.cumulative_effect()
    tp = fit_its_latent_ar(y, when, trend=False, slope_change=False).rate_ratio("level[i1]")
    return (lv.coef, lv.se, sl.coef, sl.se, r.rho, r.sigma, r.theta, cum["expected"],
            cum["expected_ci_low"], cum["expected_ci_high"], tp.estimate, tp.ci_low, tp.ci_high,
            r.cumulative_effect(correction="model")["expected"])  # fmt: skip


def cell_series(cell: tuple[str, int, str], indices, seed: int):
    """Series ``indices`` of one cell: ``(i, daily series, first post day, truths)`` for each."""
    dgp, n_days, effect = cell
    dates = daily_index(n_days)
    for i in indices:
        counts, c, truths = draw(dgp, n_days, effect, i, seed)
        yield i, daily_series(counts, dates), c, truths


def run_cell(cell: tuple[str, int, str], indices: range, seed: int) -> list[dict]:
    """Every method on series ``indices`` of one cell."""
    dgp, n_days, effect = cell
    rows = []
    for i, y, c, truths in cell_series(cell, indices, seed):
        for method in METHODS:
            t0 = time.perf_counter()
            err = ""
            try:
                vals = fit_one(method, y, c)
            except Exception as exc:
                vals, err = (np.nan,) * len(ESTIMATES), type(exc).__name__
            rows.append(
                dict(zip(COLUMNS, (cell_key(cell), dgp, n_days, effect, i, *truths,
                                   method, *vals, time.perf_counter() - t0, err), strict=True))
            )  # fmt: skip
    return rows


def placebo_cell(cell: tuple[str, int, str], indices: range, seed: int) -> list[dict]:
    """Today's in-time placebo test (``placebo_test`` of the default ``fit_its``) per series."""
    from trends.models.its import fit_its
    from trends.models.placebo import placebo_test

    dgp, n_days, effect = cell
    rows = []
    for i, y, c, _ in cell_series(cell, indices, seed):
        t0 = time.perf_counter()
        try:
            pl = placebo_test(y, fit_its(y, y.index[c], intervals="analytic"))
            vals, err = (pl.p_value, pl.p_value_one_sided, pl.n_placebos), ""
        except Exception as exc:  # counted as a failure
            vals, err = (np.nan, np.nan, np.nan), type(exc).__name__
        rows.append({"cell": cell_key(cell), "dgp": dgp, "n_days": n_days,
                     "effect": effect, "i": i, "p_value": vals[0], "p_one_sided": vals[1],
                     "n_placebos": vals[2], "seconds": time.perf_counter() - t0, "error": err})  # fmt: skip
    return rows


def placebo_table(rows: pd.DataFrame) -> str:
    """Rejection rate of the placebo test at 5% (size without an effect, power otherwise)."""
    lines = ["| process | days | effect | n | rejection rate p < 0.05 (MC SE) | median fake dates |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for (dgp, n_days, effect), g in rows.groupby(["dgp", "n_days", "effect"], sort=False):
        p = g["p_value"].dropna()
        rate = rejection_rate(p)
        se = proportion_se(rate, len(p))
        lines.append(f"| {dgp} | {n_days} | {effect} | {len(p)} | {rate:.3f} ({se:.3f}) | "
                     f"{g['n_placebos'].median():.0f} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and method."""
    out = []
    for (cell, method), g in rows.groupby(["cell", "method"], sort=False):
        ok = g["error"].fillna("").eq("") & np.isfinite(g["level_se"]) & (g["level_se"] > 0)
        b, se, t = g["level_coef"][ok], g["level_se"][ok], np.log(g["truth"][ok])
        tw = np.log(g["truth_window"][ok])
        lo, hi = wald_limits(b, se)
        cover = covers(lo, hi, t).to_numpy()
        n = int(ok.sum())
        cov = float(cover.mean()) if n else math.nan
        sb, ss = g["slope_coef"][ok], g["slope_se"][ok]
        out.append(
            {
                "cell": cell, "dgp": g["dgp"].iloc[0], "n_days": int(g["n_days"].iloc[0]),
                "effect": g["effect"].iloc[0], "method": method, "n": n,
                "failed": int((~ok).sum()), "coverage": cov,
                "coverage_mcse": proportion_se(cov, n),
                "coverage_window_truth": float(covers(lo, hi, tw).mean()),
                "reject_rate_p05": float((np.abs(b / se) > Z95).mean()),
                "bias_log_rr": float((b - t).mean()),
                "rmse_log_rr": float(np.sqrt(((b - t) ** 2).mean())),
                "mean_ci_width_rr": float((np.exp(hi) - np.exp(lo)).mean()),
                "median_ci_width_rr": float((np.exp(hi) - np.exp(lo)).median()),
                "slope_coverage": float((np.abs(sb / ss) <= Z95).mean()),
                **_extra(g[ok]),
                "median_ms": float(g["seconds"].median() * 1e3),
                "median_rho": float(g["rho"][ok].median()) if method != "old" else math.nan,
            }
        )  # fmt: skip
    return pd.DataFrame(out)


def _extra(g: pd.DataFrame) -> dict[str, float]:
    """Cumulative (expected counterfactual total) and two-phase ratio coverage."""
    cf_ok = np.isfinite(g["cf_lo"]) & np.isfinite(g["cf_hi"])
    tp_ok = np.isfinite(g["tp_lo"]) & np.isfinite(g["tp_hi"])
    cf, tp = g[cf_ok], g[tp_ok]
    return {
        "cf_coverage": float(covers(cf["cf_lo"], cf["cf_hi"], cf["cf_truth"]).mean()),
        "cf_bias_log": float(np.log(cf["cf_est"] / cf["cf_truth"]).mean()),
        "cf_median_rel_width": float(((cf["cf_hi"] - cf["cf_lo"]) / cf["cf_truth"]).median()),
        "tp_coverage": float(covers(tp["tp_lo"], tp["tp_hi"], tp["truth_two_phase"]).mean()),
        "tp_reject_rate": float(excludes(tp["tp_lo"], tp["tp_hi"], 1).mean()),
        "tp_bias_log": float(np.log(tp["tp_est"] / tp["truth_two_phase"]).mean()),
    }  # fmt: skip


def markdown(summary: pd.DataFrame) -> str:
    """Side-by-side tables: coverage, rejection rate, bias, width."""
    wide = summary.pivot_table(
        index=["dgp", "n_days", "effect"], columns="method", sort=False,
        values=["n", "coverage", "coverage_mcse", "reject_rate_p05", "bias_log_rr",
                "mean_ci_width_rr", "slope_coverage", "median_ms", "coverage_window_truth"],
    )  # fmt: skip
    head = (
        "| process | days | effect | n | cover old | cover new | MC SE new | reject old | "
        "reject new | bias old | bias new | width old | width new | slope cover old | "
        "slope cover new | ms old | ms new |"
    )
    lines = [head, "|" + "---|" * 17]
    for (dgp, n_days, effect), r in wide.iterrows():

        def v(col: str, m: str, fmt: str = ".3f", r: pd.Series = r) -> str:
            x = r.get((col, m), math.nan)
            return "n/a" if not np.isfinite(x) else format(x, fmt)

        lines.append(
            f"| {dgp} | {n_days} | {effect} | {v('n', 'latent_ar', '.0f')} | "
            f"{v('coverage', 'old')} | **{v('coverage', 'latent_ar')}** | "
            f"{v('coverage_mcse', 'latent_ar')} | {v('reject_rate_p05', 'old')} | "
            f"{v('reject_rate_p05', 'latent_ar')} | {v('bias_log_rr', 'old')} | "
            f"{v('bias_log_rr', 'latent_ar')} | {v('mean_ci_width_rr', 'old')} | "
            f"{v('mean_ci_width_rr', 'latent_ar')} | {v('slope_coverage', 'old')} | "
            f"{v('slope_coverage', 'latent_ar')} | {v('median_ms', 'old', '.1f')} | "
            f"{v('median_ms', 'latent_ar', '.1f')} |"
        )
    return "\n".join(lines) + "\n"


def markdown_extra(summary: pd.DataFrame) -> str:
    """Expected counterfactual total (cumulative effect) and two-phase ratio, old vs new."""
    cols = ["n", "cf_coverage", "cf_bias_log", "tp_coverage", "tp_reject_rate", "tp_bias_log"]
    wide = summary.pivot_table(index=["dgp", "n_days", "effect"], columns="method", sort=False,
                               values=cols)  # fmt: skip
    lines = [
        "| process | days | effect | n | total cover old | total cover new | total bias old | "
        "total bias new | 2-phase cover old | 2-phase cover new | 2-phase reject old | "
        "2-phase reject new | 2-phase bias old | 2-phase bias new |",
        "|" + "---|" * 14,
    ]
    for (dgp, n_days, effect), r in wide.iterrows():
        vals = [format(r.get(("n", "latent_ar"), math.nan), ".0f")]
        for col in cols[1:]:
            for m in METHODS:
                x = r.get((col, m), math.nan)
                vals.append("n/a" if not np.isfinite(x) else f"{x:.3f}")
        lines.append(f"| {dgp} | {n_days} | {effect} | " + " | ".join(vals) + " |")
    return "\n".join(lines) + "\n"


def headline(summary: pd.DataFrame) -> str:
    """Mean (min-max) over groups of cells, old vs new: the numbers quoted in the README."""
    s = summary
    ing = s["dgp"].str.startswith("ingarch")
    right = s["dgp"].isin(["markov", "preset", "pkg_ar0.7"]) | (ing & (s["effect"] == "none"))
    none = s["effect"] == "none"
    groups = [
        ("level change, trend right: every length", right, "coverage"),
        ("level change, trend right: >= 245 days", right & (s["n_days"] >= 245), "coverage"),
        ("level change, trend right: 120 days", right & (s["n_days"] == 120), "coverage"),
        ("false-positive rate, no effect, trend right", right & none, "reject_rate_p05"),
        ("slope change (truth 0), trend right", right, "slope_coverage"),
        ("expected counterfactual total, trend right", right, "cf_coverage"),
        ("two-phase rate ratio, trend right", right, "tp_coverage"),
        ("two-phase false-positive rate, trend right", right & none, "tp_reject_rate"),
        ("INGARCH with an effect: level change vs long-run r", ing & ~none, "coverage"),
        ("INGARCH with an effect: level change vs window average", ing & ~none,
         "coverage_window_truth"),
        ("INGARCH with an effect: two-phase ratio", ing & ~none, "tp_coverage"),
        ("INGARCH with an effect: expected counterfactual total", ing & ~none, "cf_coverage"),
        ("INGARCH with an effect: bias of the log level change", ing & ~none, "bias_log_rr"),
        ("wave (linear trend misfits): level change", s["dgp"] == "wave", "coverage"),
        ("wave: false-positive rate", (s["dgp"] == "wave") & none, "reject_rate_p05"),
        ("mean interval width (rate ratio), trend right", right, "mean_ci_width_rr"),
    ]  # fmt: skip
    lines = ["| cells | measure | n series (old / new) | old | new (latent AR) |",
             "|---|---|---|---|---|"]  # fmt: skip
    for label, mask, col in groups:
        vals, ns = [], []
        for m in METHODS:
            g = s[mask & (s["method"] == m)]
            ns.append(int(g["n"].sum()))
            vals.append(f"{g[col].mean():.3f} ({g[col].min():.3f}-{g[col].max():.3f})")
        cells_n = int((mask & (s["method"] == "old")).sum())
        lines.append(f"| {cells_n} | {label} | {ns[0]} / {ns[1]} | {vals[0]} | {vals[1]} |")
    return "\n".join(lines) + "\n"


def overview(summary: pd.DataFrame) -> str:
    """Mean (min-max) coverage and false-positive rate per process and method."""
    lines = ["| process | method | cells | mean coverage (min-max) | false-positive rate "
             "(mean; max) |", "|---|---|---|---|---|"]  # fmt: skip
    for (dgp, method), g in summary.groupby(["dgp", "method"], sort=False):
        fp = g.loc[g["effect"] == "none", "reject_rate_p05"]
        lines.append(
            f"| {dgp} | {METHOD_LABELS[method]} | {len(g)} | {g['coverage'].mean():.3f} "
            f"({g['coverage'].min():.3f}-{g['coverage'].max():.3f}) | "
            f"{fp.mean():.3f}; {fp.max():.3f} |"
        )
    return "\n".join(lines) + "\n"


def write_outputs(rows: pd.DataFrame, out: Path, suffix: str) -> pd.DataFrame:
    """Summary CSV and markdown (with the n actually measured)."""
    summary = summarise(rows)
    write_csv(summary, out / f"calibration_independent{suffix}.csv")
    text = (
        "# Calibration on independent processes: old vs latent AR(1)\n\n"
        f"{len(rows) // len(METHODS)} series in total; n per cell in the table.\n\n"
        + "## Headline: mean (min-max) over cells\n\n"
        + headline(summary)
        + "\n## By process\n\n"
        + overview(summary)
        + "\n## Level change (rate ratio at the intervention)\n\n"
        + markdown(summary)
        + "\n## Expected counterfactual post-period total and two-phase rate ratio\n\n"
        + markdown_extra(summary)
    )
    (out / f"calibration_independent{suffix}.md").write_text(text)
    return summary


def _chosen(args: argparse.Namespace) -> list[tuple[str, int, str]]:
    """The cells, restricted to ``--lengths`` and ``--effects`` when given."""
    keep = None if not args.lengths else {int(x) for x in args.lengths.split(",")}
    eff = None if not args.effects else set(args.effects.split(","))
    return [
        c
        for c in cells(args.smoke)
        if (keep is None or c[1] in keep) and (eff is None or c[2] in eff)
    ]


def run_placebo(args: argparse.Namespace, suffix: str) -> None:
    """The placebo-test size and power study (``--placebo N``), resumable like the main one."""
    path = WORK / "calibration_placebo_rows.csv" if not args.smoke else args.out / "pl_rows.csv"
    extend_rows(_chosen(args), args.placebo, path, placebo_cell, args.seed,
                resume=not args.smoke, deadline=args.deadline, label="placebo ")  # fmt: skip
    text = "# Placebo test (today's `placebo_test`): size and power\n\n" + placebo_table(
        pd.read_csv(path)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"calibration_placebo{suffix}.md").write_text(text)
    print(text)


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    ap = benchmark_parser(__doc__, n=200, seed=20261202, smoke_help="3 cells, 3 series, to --out")
    ap.add_argument("--rows", type=Path, default=WORK / "calibration_independent_rows.csv")
    ap.add_argument("--baseline", default=None, help="git revision of the old method")
    ap.add_argument("--summarise-only", action="store_true")
    ap.add_argument("--placebo", type=int, default=0, help="placebo-test series per cell (only)")
    add_cell_filters(ap)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    if args.baseline:
        sys.path.insert(0, str(snapshot(args.baseline)))
    else:
        sys.path.insert(0, str(ROOT))
    warnings.simplefilter("ignore")
    suffix = smoke_tag(args.smoke)
    n = 3 if args.smoke else args.n
    rows_path = args.out / "calibration_independent_rows_smoke.csv" if args.smoke else args.rows
    if args.placebo:
        return run_placebo(args, suffix)
    if not args.summarise_only:
        import trends

        print(f"trends from {Path(trends.__file__).parent}", flush=True)
        extend_rows(_chosen(args), n, rows_path, run_cell, args.seed, resume=not args.smoke,
                    deadline=args.deadline, columns=COLUMNS)  # fmt: skip
    rows = pd.read_csv(rows_path)
    summary = write_outputs(rows, args.out, suffix)
    print(overview(summary))


if __name__ == "__main__":
    main()

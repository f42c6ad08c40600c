"""Calibration of the pre-period trend check (issue 12, item 1): size, power, conditional coverage.

:func:`trends.models.pretrend.check_pre_trend` tests whether the pre-intervention period of an
ITS is described by a straight (log-linear) trend. This study measures, on the independent
processes of ``benchmarks/dgps.py`` (the series of ``calibration_independent_v2``: same seeds,
so series ``i`` of a cell is the same series), lengths 120 / 245 / 365 days, effects none / -50%:

(a) the flag rate where the pre-period trend is right (INGARCH and Markov switching: stationary
    before the change): the test's size;
(b) the flag rate on the slow wave (the pre-period curves): its power;
(c) the 95% coverage of the default method's level change (``fit_its(...,
    inference="latent_ar")``, hyper "auto") among the series the check did *not* flag, against
    all series; and the coverage of the curved fit's level change among those it flagged.

Per series: the straight-line latent-AR ITS (the default on daily series >= 120 days), the
extended latent-AR fit of the check (its default degree), and optionally other variants
(``--variants``): ``latent2`` (quadratic only), ``glm3`` / ``glm2`` (negative binomial +
Newey-West HAC, the ``inference="glm"`` path; cubic / quadratic).

Usage::

    nice -n 10 .venv/bin/python benchmarks/calibration_pretrend.py --n 200
    .venv/bin/python benchmarks/calibration_pretrend.py --smoke          # tiny, seconds
    .venv/bin/python benchmarks/calibration_pretrend.py --summarise-only

Rows go to ``--rows`` (resumable: series already there are skipped); the per-cell summary to
``results/calibration_pretrend.csv`` and the write-up to ``results/calibration_pretrend.md``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from dgps import simulate  # noqa: E402

RESULTS = HERE / "results"
DGPS = ("ingarch_0.7", "ingarch_0.9", "markov", "wave")
LENGTHS = (120, 245, 365)
EFFECTS = ("none", "-50%")
LEVELS = (0.05, 0.10)
VARIANTS = {
    "latent3": ("latent_ar", None),  # the check's default: rule degree (cubic here)
    "latent2": ("latent_ar", 2),
    "glm3": ("glm", None),
    "glm2": ("glm", 2),
}
SEED = 20261202


def cells(smoke: bool) -> list[tuple[str, int, str]]:
    """The grid (3 cells for ``--smoke``)."""
    if smoke:
        return [("wave", 120, "none"), ("markov", 120, "none"), ("ingarch_0.9", 120, "none")]
    return [(d, n, e) for d in DGPS for n in LENGTHS for e in EFFECTS]


def fit_series(y: pd.Series, c: int, variants: list[str]) -> dict:
    """Baseline level change and the checks of one series (first post day ``c``)."""
    from trends.models.its import fit_its_model
    from trends.models.pretrend import check_pre_trend
    from trends.models.spec import ITSSpec

    out: dict = {"error": ""}
    when = y.index[c]
    t0 = time.perf_counter()
    try:
        spec = ITSSpec.from_options(when, inference="latent_ar")
        base = fit_its_model(y, spec)
        lc = base.effects[0].level_change
        out.update(lin_coef=lc.coef, lin_lo=math.log(lc.ci_low), lin_hi=math.log(lc.ci_high))
    except Exception as exc:  # counted as a failure
        out["error"] = f"base:{type(exc).__name__}"
        base = None
    out["sec_base"] = time.perf_counter() - t0
    for v in variants:
        inference, degree = VARIANTS[v]
        t1 = time.perf_counter()
        try:
            if inference == "latent_ar" and base is not None:  # its spec; no second baseline
                r = check_pre_trend(y, baseline=base, degree=degree, test_inference=inference)
            else:
                r = check_pre_trend(
                    y, when, inference=inference, degree=degree, test_inference=inference
                )
            out[f"{v}_tested"] = r.tested
            out[f"{v}_p"] = r.p_value
            out[f"{v}_stat"] = r.statistic
            out[f"{v}_df2"] = np.nan if r.df_denom is None else r.df_denom
            cur = r.level_change_curved
            if cur is not None:
                out[f"{v}_cur_coef"] = cur.coef
                out[f"{v}_cur_lo"] = math.log(cur.ci_low)
                out[f"{v}_cur_hi"] = math.log(cur.ci_high)
            if not r.tested:
                out["error"] += f" {v}:not_tested"
        except Exception as exc:
            out["error"] += f" {v}:{type(exc).__name__}"
        out[f"sec_{v}"] = time.perf_counter() - t1
    return out


def run_cell(cell: tuple[str, int, str], indices: list[int], variants: list[str]) -> list[dict]:
    """The fits on series ``indices`` of one cell."""
    dgp, n_days, effect = cell
    dates = pd.date_range("2019-04-26", periods=n_days, freq="D")
    rows = []
    for i in indices:
        s = simulate(dgp, n_days, effect, i, SEED)
        y = pd.Series(s.y.astype(float), index=dates, name="events")
        row = {"cell": f"{dgp}|{n_days}|{effect}", "dgp": dgp, "n_days": n_days,
               "effect": effect, "i": i, "truth": s.truth}  # fmt: skip
        row.update(fit_series(y, s.change_day, variants))
        rows.append(row)
    return rows


def _rate(x: pd.Series) -> tuple[float, float, int]:
    """Mean of a 0/1 series, its Monte Carlo SE, and n."""
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, 0
    p = float(x.mean())
    return p, math.sqrt(p * (1 - p) / n), n


def summarise(rows: pd.DataFrame, variants: list[str]) -> pd.DataFrame:
    """One row per cell and variant."""
    out = []
    for cell, g0 in rows.groupby("cell", sort=False):
        g0 = g0[np.isfinite(g0["lin_coef"])]
        t = np.log(g0["truth"])
        covered = (g0["lin_lo"] <= t) & (t <= g0["lin_hi"])
        for v in variants:
            if f"{v}_p" not in g0:
                continue
            g = g0[np.isfinite(g0[f"{v}_p"])]
            cov_g = covered[g.index]
            tv = t[g.index]
            cov_all, cov_se, n = _rate(cov_g)
            row = {"cell": cell, "dgp": g["dgp"].iloc[0] if n else cell.split("|")[0],
                   "n_days": int(cell.split("|")[1]), "effect": cell.split("|")[2],
                   "variant": v, "n": n, "not_tested": int(len(g0) - n),
                   "coverage_all": cov_all, "coverage_all_mcse": cov_se}  # fmt: skip
            cur_cov = (g[f"{v}_cur_lo"] <= tv) & (tv <= g[f"{v}_cur_hi"])
            row["coverage_curved_all"] = _rate(cur_cov)[0]
            lo, hi = g["lin_lo"], g["lin_hi"]
            clo, chi = g[f"{v}_cur_lo"], g[f"{v}_cur_hi"]
            row["reject_linear"] = _rate((lo > 0) | (hi < 0))[0]
            row["reject_curved"] = _rate((clo > 0) | (chi < 0))[0]
            row["median_width_linear"] = float((np.exp(hi) - np.exp(lo)).median())
            row["median_width_curved"] = float((np.exp(chi) - np.exp(clo)).median())
            row["median_log_width_ratio"] = float(((chi - clo) / (hi - lo)).median())
            for a in LEVELS:
                tag = f"{int(round(a * 100)):02d}"
                flag = g[f"{v}_p"] < a
                fr, fr_se, _ = _rate(flag)
                row[f"flag_rate_{tag}"] = fr
                row[f"flag_rate_{tag}_mcse"] = fr_se
                c_un, c_un_se, n_un = _rate(cov_g[~flag])
                row[f"coverage_unflagged_{tag}"] = c_un
                row[f"coverage_unflagged_{tag}_mcse"] = c_un_se
                row[f"n_unflagged_{tag}"] = n_un
                row[f"coverage_flagged_{tag}"] = _rate(cov_g[flag])[0]
                row[f"coverage_curved_flagged_{tag}"] = _rate(cur_cov[flag])[0]
                # selection rules: the curved fit's CI when flagged (else the line's), or the
                # union of both intervals when flagged
                row[f"coverage_switch_{tag}"] = _rate(cur_cov.where(flag, cov_g).astype(bool))[0]
                row[f"coverage_union_{tag}"] = _rate((cov_g | (cur_cov & flag)).astype(bool))[0]
                sel_lo, sel_hi = clo.where(flag, lo), chi.where(flag, hi)
                row[f"reject_switch_{tag}"] = _rate((sel_lo > 0) | (sel_hi < 0))[0]
            row["median_seconds"] = float(g[f"sec_{v}"].median())
            out.append(row)
    return pd.DataFrame(out)


def _fmt(x: float, nd: int = 3) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


def _pooled(s: pd.DataFrame, mask: pd.Series, col: str, weight: str = "n") -> str:
    """Series-weighted mean of a per-cell column over the cells in ``mask``, with its MC SE."""
    g = s[mask & np.isfinite(s[col]) & (s[weight] > 0)]
    if g.empty:
        return "n/a"
    w = g[weight].astype(float)
    p = float((g[col] * w).sum() / w.sum())
    se = math.sqrt(p * (1 - p) / w.sum())
    return f"{p:.3f} ({se:.3f})"


def tables(s: pd.DataFrame) -> str:
    """Pooled groups and every cell, as markdown."""
    lines = []
    right = s["dgp"] != "wave"
    right_cov = s["dgp"].eq("markov") | (
        s["dgp"].str.startswith("ingarch") & s["effect"].eq("none")
    )
    groups = [
        ("pre-period trend right (INGARCH, Markov): every length", right),
        ("pre-period trend right: 120 days", right & s["n_days"].eq(120)),
        ("pre-period trend right: 245-365 days", right & s["n_days"].ge(245)),
        ("wave: every length", ~right),
        ("wave: 120 days", ~right & s["n_days"].eq(120)),
        ("wave: 245 days", ~right & s["n_days"].eq(245)),
        ("wave: 365 days", ~right & s["n_days"].eq(365)),
    ]
    lines.append("| variant | group | series | flag rate at 0.05 | flag rate at 0.10 |")
    lines.append("|---|---|---|---|---|")
    for v in s["variant"].unique():
        sv = s["variant"] == v
        for label, m in groups:
            n = int(s.loc[sv & m, "n"].sum())
            lines.append(f"| {v} | {label} | {n} | {_pooled(s, sv & m, 'flag_rate_05')} | "
                         f"{_pooled(s, sv & m, 'flag_rate_10')} |")  # fmt: skip
    lines += ["", "Level-change coverage of the default method (latent AR, straight line; 95%), "
              "pooled over cells (series-weighted; MC SE in brackets). 'Trend right' cells for "
              "coverage: Markov switching (both effects) and INGARCH without an effect (with an "
              "effect INGARCH's long-run truth is not what any ITS estimates: see v2).", "",
              "| variant | group | all series | not flagged at 0.10 | not flagged at 0.05 | "
              "share not flagged at 0.10 | curved-fit CI among flagged at 0.10 |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    cov_groups = [
        ("trend right: every length", right_cov),
        ("trend right: 120 days", right_cov & s["n_days"].eq(120)),
        ("wave: every length", ~right),
        ("wave: 120 days", ~right & s["n_days"].eq(120)),
        ("wave: 245 days", ~right & s["n_days"].eq(245)),
        ("wave: 365 days", ~right & s["n_days"].eq(365)),
    ]
    for v in s["variant"].unique():
        sv = s["variant"] == v
        for label, m in cov_groups:
            g = s[sv & m]
            share = g["n_unflagged_10"].sum() / max(g["n"].sum(), 1)
            s2 = s.assign(n_flagged_10=s["n"] - s["n_unflagged_10"])
            lines.append(
                f"| {v} | {label} | {_pooled(s, sv & m, 'coverage_all')} | "
                f"{_pooled(s, sv & m, 'coverage_unflagged_10', 'n_unflagged_10')} | "
                f"{_pooled(s, sv & m, 'coverage_unflagged_05', 'n_unflagged_05')} | "
                f"{share:.3f} | "
                f"{_pooled(s2, sv & m, 'coverage_curved_flagged_10', 'n_flagged_10')} |"
            )
    lines += ["", "Selection rules and the curved fit for every series (pooled; MC SE in "
              "brackets): 'switch' = the curved fit's 95% CI when the check flags at 0.10, else "
              "the straight line's; 'union' = the union of both when flagged; 'curved always' = "
              "the curved fit's CI for every series. Width: median over cells of the cells' "
              "median CI width (rate-ratio scale). Reject: share of CIs excluding 1 (the false-"
              "positive rate in 'none' cells, the power in '-50%' cells).", "",
              "| variant | group | line | switch | union | curved always | median width line / "
              "curved | reject line / switch / curved (none) | reject line / switch / curved "
              "(-50%) |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for v in s["variant"].unique():
        sv = s["variant"] == v
        for label, m in cov_groups:
            g = s[sv & m]
            rej = []
            for eff in ("none", "-50%"):
                ge = g[g["effect"] == eff]
                rej.append(" / ".join(_fmt(float((ge[c] * ge["n"]).sum() / max(ge["n"].sum(), 1)))
                                      if len(ge) else "n/a"
                                      for c in ("reject_linear", "reject_switch_10",
                                                "reject_curved")))  # fmt: skip
            lines.append(
                f"| {v} | {label} | {_pooled(s, sv & m, 'coverage_all')} | "
                f"{_pooled(s, sv & m, 'coverage_switch_10')} | "
                f"{_pooled(s, sv & m, 'coverage_union_10')} | "
                f"{_pooled(s, sv & m, 'coverage_curved_all')} | "
                f"{_fmt(g['median_width_linear'].median(), 2)} / "
                f"{_fmt(g['median_width_curved'].median(), 2)} | {rej[0]} | {rej[1]} |"
            )
    lines += ["", "Every cell:", "",
              "| variant | process | days | effect | n | flag 0.05 | flag 0.10 | MC SE flag 0.10 | "
              "cover all | cover not flagged 0.10 (n) | cover not flagged 0.05 (n) | "
              "cover flagged 0.10 | curved CI cover all | curved CI cover flagged 0.10 | "
              "median width linear / curved | reject 1 linear / curved | median s |",
              "|" + "---|" * 17]  # fmt: skip
    for _, r in s.iterrows():
        lines.append(
            f"| {r['variant']} | {r['dgp']} | {r['n_days']} | {r['effect']} | {r['n']} | "
            f"{_fmt(r['flag_rate_05'])} | {_fmt(r['flag_rate_10'])} | "
            f"{_fmt(r['flag_rate_10_mcse'])} | {_fmt(r['coverage_all'])} | "
            f"{_fmt(r['coverage_unflagged_10'])} ({r['n_unflagged_10']}) | "
            f"{_fmt(r['coverage_unflagged_05'])} ({r['n_unflagged_05']}) | "
            f"{_fmt(r['coverage_flagged_10'])} | {_fmt(r['coverage_curved_all'])} | "
            f"{_fmt(r['coverage_curved_flagged_10'])} | "
            f"{_fmt(r['median_width_linear'], 2)} / {_fmt(r['median_width_curved'], 2)} | "
            f"{_fmt(r['reject_linear'])} / {_fmt(r['reject_curved'])} | "
            f"{_fmt(r['median_seconds'], 2)} |"
        )
    return "\n".join(lines) + "\n"


FINDINGS = """## Run

Rows: `nice -n 10 .venv/bin/python benchmarks/calibration_pretrend.py --n 200 --variants
latent3,glm3 --deadline 17:12` (2 Dec 2026, 16:08-16:48 UTC, one process on a shared 2-core
machine; the deadline was not reached: 24 cells x 200 series = 4800 series, one `glm3` check
failed to fit and is excluded). Tables: the same script with `--summarise-only`.

## What it means

- **Size (where the pre-period trend is right).** The default check (`latent3`: cubic
  pre-period trend, Wald test with the latent-AR covariance) flagged 0.086 (MC SE 0.005) of the
  3600 INGARCH and Markov-switching series at the 0.10 level (0.083 at 120 days, 0.088 at
  245-365 days; cells 0.055-0.140) and 0.050 (0.004) at 0.05: at or slightly below nominal.
  The Newey-West version (`glm3`) flagged 0.510 (0.008) of the same series at 0.10: the HAC
  Wald test of the curvature terms is unusable on serially dependent daily counts, which is
  why `check_pre_trend` uses the latent-AR fit by default even when the analysis uses the GLM,
  and refuses to test (rather than run the HAC test) where the latent model cannot be fitted.
- **Power (slow wave).** Low: 0.243 (0.012) of the 1200 wave series flagged at 0.10 (0.120 at
  120 days, 0.237 at 245, 0.372 at 365; 0.160 at 0.05). A latent AR(1) process with a
  coefficient near 1 reproduces much of a slow wave, so the curvature terms are estimated with
  large standard errors; any test that keeps its size under INGARCH(0.9) / Markov dependence
  will struggle here. The quadratic-only variant had the same size and power in a pilot
  (25 series per cell, effect none: size 0.093 for both, power 0.200 vs 0.187).
- **Coverage given the check.** Conditioning on "not flagged" does *not* repair the default
  method's level-change coverage on the wave: 0.773 (0.014) among unflagged series against
  0.768 (0.012) for all (v2's 0.748 was over 4 lengths and 3 effects; these are 3 lengths and
  2 effects). Where the trend is right the check costs nothing: 0.948 unflagged vs 0.949 all.
  So a passing check must not be reported as evidence that the level change is reliable.
- **Selection rules.** Switching to the curved fit's interval when flagged lifts wave coverage
  to 0.810 and lowers trend-right coverage to 0.938 (flagged trend-right series are those whose
  noise looks curved: the curved fit's interval covers only 0.838 of them). The union of both
  intervals when flagged: 0.822 on the wave, 0.950 where the trend is right.
- **The curved fit itself.** The extended fit's level-change interval (always, no pre-test)
  covered 0.946 (0.007) on the wave and 0.944 (0.005) where the trend is right, and its
  false-positive rate on the wave without an effect was 0.047 against 0.253 for the straight
  line. The price is width (median of the cells' median CI widths 2.65 vs 2.10 where the trend
  is right, 0.99 vs 0.75 on the wave) and power against a real -50% change (0.140 vs 0.195 in
  the trend-right cells, 0.520 vs 0.653 on the wave).

Shortfalls, honestly: the diagnostic's power against the one misspecification simulated is
0.12-0.37; it is calibrated only on daily series of 120-365 days from four independent
processes and one kind of curvature (one slow sine cycle over the window, amplitude 0.35);
other shapes (a late build-up, a step before the intervention) were not simulated; INGARCH
cells with an effect keep their long-run-estimand problem (coverage 0.835-0.890 at
persistence 0.9) whatever the check says; the selection-rule coverages are post-hoc summaries
of the same runs, not separately validated.

"""


def write_outputs(rows: pd.DataFrame, variants: list[str], out: Path, command: str) -> pd.DataFrame:
    """``calibration_pretrend.{csv,md}``."""
    summary = summarise(rows, variants)
    out.mkdir(parents=True, exist_ok=True)
    summary.to_csv(out / "calibration_pretrend.csv", index=False)
    errs = rows["error"].fillna("").str.strip()
    n_series = int(rows.groupby("cell")["i"].nunique().sum())
    text = (
        "# Calibration of the pre-period trend check (`trends.models.pretrend`)\n\n"
        f"Command: `{command}`. Produced by `benchmarks/calibration_pretrend.py` (see its "
        f"docstring). {n_series} series in {rows['cell'].nunique()} cells "
        f"({rows.groupby('cell')['i'].nunique().min()} to "
        f"{rows.groupby('cell')['i'].nunique().max()} per cell); {int(errs.ne('').sum())} row(s) "
        "with a failed or untested fit (excluded from their cell's n). Series are those of "
        "`calibration_independent_v2` (`dgps.simulate`, seed 20261202). Monte Carlo SE of a "
        "rate p over n series: sqrt(p (1 - p) / n).\n\n"
        "Variants: `latent3` = `check_pre_trend(y, baseline=fit, test_inference='latent_ar')` "
        "with `fit` the default straight-line latent-AR ITS (what `test_inference='auto'` does "
        "on these series: cubic pre-period trend, two extra terms); `latent2` = quadratic only; "
        "`glm3` / `glm2` = `check_pre_trend(y, day, inference='glm', test_inference='glm')` (NB "
        "+ Newey-West HAC Wald test). Flag = p below the level. Coverage columns are always "
        "those of the default method's straight-line 95% interval; 'curved' columns are the "
        "variant's extended fit.\n\n"
        + FINDINGS + "## Tables\n\n" + tables(summary)
    )  # fmt: skip
    (out / "calibration_pretrend.md").write_text(text)
    return summary


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="series per cell")
    ap.add_argument("--start", type=int, default=0, help="first series number")
    ap.add_argument("--smoke", action="store_true", help="3 cells x 2 series, seconds")
    ap.add_argument("--variants", default="latent3,glm3", help=f"of {','.join(VARIANTS)}")
    ap.add_argument("--dgps", default=None, help="comma-separated processes (default all)")
    ap.add_argument("--lengths", default=None, help="comma-separated lengths (default all)")
    ap.add_argument("--effects", default=None, help="comma-separated effects (default all)")
    ap.add_argument("--rows", type=Path, default=Path("/tmp/calibration_pretrend_rows.csv"))
    ap.add_argument("--out", type=Path, default=None, help="default results/ (smoke: a temp dir)")
    ap.add_argument("--summarise-only", action="store_true")
    ap.add_argument("--deadline", default=None, help="stop starting cells after HH:MM UTC")
    ap.add_argument("--order", default="by_index", choices=["by_index", "by_cell"],
                    help="by_index: every cell gets series in blocks of 25 (a run stopped by "
                    "--deadline stays balanced)")  # fmt: skip
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants: {sorted(unknown)}")
    n = 2 if args.smoke else args.n
    if args.out is None:
        args.out = (
            Path(tempfile.gettempdir()) / "calibration_pretrend_smoke" if args.smoke else RESULTS
        )
    args.out.mkdir(parents=True, exist_ok=True)
    rows_path = args.out / "calibration_pretrend_rows_smoke.csv" if args.smoke else args.rows
    if args.smoke and rows_path.exists():
        rows_path.unlink()
    chosen = [
        c for c in cells(args.smoke)
        if (not args.dgps or c[0] in args.dgps.split(","))
        and (not args.lengths or str(c[1]) in args.lengths.split(","))
        and (not args.effects or c[2] in args.effects.split(","))
    ]  # fmt: skip
    block = 25 if args.order == "by_index" and not args.smoke else n
    stop = False
    for lo in range(args.start, args.start + n, block):
        if args.summarise_only or stop:
            break
        for k, cell in enumerate(chosen):
            if args.deadline and time.strftime("%H:%M", time.gmtime()) >= args.deadline:
                print(f"deadline {args.deadline} reached: stopping", flush=True)
                stop = True
                break
            key = f"{cell[0]}|{cell[1]}|{cell[2]}"
            done = pd.read_csv(rows_path) if rows_path.exists() else None
            have = set() if done is None else set(done.loc[done["cell"] == key, "i"])
            todo = [i for i in range(lo, min(lo + block, args.start + n)) if i not in have]
            if not todo:
                continue
            t0 = time.perf_counter()
            new = pd.DataFrame(run_cell(cell, todo, variants))
            if done is not None:
                new = new.reindex(columns=list(dict.fromkeys([*done.columns, *new.columns])))
                if list(new.columns) != list(done.columns):
                    pd.concat([done, new], ignore_index=True).to_csv(rows_path, index=False)
                    new = None
            if new is not None:
                new.to_csv(rows_path, mode="a", header=not rows_path.exists(), index=False)
            print(f"[{lo}+ {k + 1}/{len(chosen)}] {key}: {len(todo)} series, "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip
    rows = pd.read_csv(rows_path)
    command = "python benchmarks/calibration_pretrend.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    summary = write_outputs(rows, variants, args.out, command.strip())
    print(tables(summary))
    if args.smoke:
        rows_path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

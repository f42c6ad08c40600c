"""The two-phase ratio's interval with a Satterthwaite t quantile (issue 12, ninth session).

The default interval of ``compare_rates(model="latent_ar_lrv")`` on daily series is the observed
log ratio +- z sqrt(V), with ``V`` the delta-method variance of a latent AR(1) fit averaged over
the hyperparameters' uncertainty (section 4i). Section 4m found it too wide on near-independent
days and too narrow on short persistent series. This script measures, on one set of series per
cell, four intervals of the log ratio:

- ``averaged_z`` (the default until this session): ``z sqrt(V_avg)``;
- ``plug_in_t``: ``t_df sqrt(V(h_hat))``, the plugged-in variance with the t quantile at its
  Satterthwaite degrees of freedom ``df = 2 V^2 / (g' Sigma_h g)``, ``g = dV/dh``, floored at
  :data:`trends.models.latent_ar_lrv.MIN_CONTRAST_DF`
  (:func:`trends.models.latent_ar_lrv.contrast_variance_df`);
- ``plug_in_z``: ``z sqrt(V(h_hat))``;
- ``averaged_t``: ``t_df sqrt(V_avg)`` (both corrections).

Cells: the 24 "trend right" cells of at least 245 days of section 4i (``grid``: Markov
switching, the package's presets, latent AR 0.7, INGARCH 0.7 / 0.9; the series of
:mod:`calibration_independent`), the persistent cells of 4j (``persistent``) and the
near-independent and weekly-cycle cells of 4m (``near``; its two persistent designs are
those of 4j, counted once). Truth: the ratio of the marginal means.

Usage::

    nice -n 5 .venv/bin/python benchmarks/two_phase_satterthwaite.py --n 300
    .venv/bin/python benchmarks/two_phase_satterthwaite.py --smoke --out /tmp/x
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from multiprocessing import Pool  # noqa: E402

import calibration_independent as ci  # noqa: E402
import calibration_two_phase_persistent as persistent  # noqa: E402
import calibration_two_phase_variants as grid  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import two_phase_near_independent as near  # noqa: E402
from _common import (  # noqa: E402
    RESULTS,
    WORK,
    Z95,
    benchmark_parser,
    default_jobs,
    md_table,
    proportion_se,
    smoke_tag,
    write_csv,
)

VARIANTS = ("averaged_z", "plug_in_t", "plug_in_z", "averaged_t")
CELLS = (
    [("grid", c) for c in grid.CELLS]
    + [("persistent", c) for c in persistent.CELLS]
    # 4m's persistent designs are 4j's series (same draws): counted once, under "persistent"
    + [("near", c) for c in near.CELLS if c[0] not in ("lar_0.96_0.5", "markov_slow")]
)


#: The 120-day "trend right" cells (``--cells short``; the issue asks for >= 0.92 there).
SHORT_CELLS = [("grid", c) for c in grid.SHORT_CELLS]


def _series(group: str, cell: tuple, i: int, seed: int) -> tuple[np.ndarray, int, float]:
    """(counts, first after period, true ratio) of series ``i`` of a cell."""
    if group == "grid":
        _, y, c, truths = next(ci.cell_series(cell, [i], seed))
        return y.to_numpy(dtype=float), c, float(truths[2])
    if group == "persistent":
        return persistent.draw(cell, i, seed).astype(float), cell[2], float(cell[3])
    n, c = near._design(cell[0])
    return near.draw(cell, i, seed).astype(float), c, float(cell[1])


def fit_one(task: tuple) -> dict:
    """The four intervals' half-widths of one series."""
    from trends.models.latent_ar import fit_latent_ar
    from trends.models.latent_ar_lrv import (
        contrast_quantile,
        contrast_variance_df,
        hyper_averaged_contrast_variance,
    )

    group, cell, i, seed = task
    y, c, truth = _series(group, cell, i, seed)
    after = np.arange(y.size) >= c
    rb, ra = y[~after].mean(), y[after].mean()
    row = {"group": group, "cell": "|".join(map(str, cell)), "i": i, "truth": truth, "error": ""}
    if rb == 0 or ra == 0:
        row["error"] = "empty phase"
        return row
    x = pd.DataFrame({"intercept": 1.0, "after": after.astype(float)},
                     index=pd.date_range("2023-01-02", periods=y.size))  # fmt: skip
    w = np.where(after, 1.0 / after.sum(), 0.0) - np.where(~after, 1.0 / (~after).sum(), 0.0)
    m = np.where(after, ra, rb)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_latent_ar(y, x, hyper="delta")
            from trends.models.latent_ar import phase_contrast_variance

            v0 = phase_contrast_variance(w, m, rho=fit.rho, latent_sd=fit.latent_sd,
                                         theta=fit.theta)  # fmt: skip
            avg = max(hyper_averaged_contrast_variance(fit, w, m)[0], v0)
            df = contrast_variance_df(fit, w, m)
    except Exception as exc:  # counted as a failure
        row["error"] = type(exc).__name__
        return row
    q = contrast_quantile(df)[0]  # the package's rule (t at max(df, 3); normal when df is inf)
    row.update(obs=math.log(ra / rb), df=df, averaged_z=Z95 * math.sqrt(avg),
               plug_in_t=q * math.sqrt(v0), plug_in_z=Z95 * math.sqrt(v0),
               averaged_t=q * math.sqrt(avg))  # fmt: skip
    return row


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Coverage (MC SE), rejections of no change, and the median half-width ratio to the
    default, by cell."""
    out = []
    for (group, cell), g0 in rows.groupby(["group", "cell"], sort=False):
        g = g0[g0["error"].fillna("").eq("")]
        rec = {"group": group, "cell": cell, "n": len(g), "failed": len(g0) - len(g),
               "median df": float(g["df"].median())}  # fmt: skip
        miss = np.abs(g["obs"] - np.log(g["truth"]))
        for v in VARIANTS:
            cov = float((miss <= g[v]).mean())
            rec[f"{v} coverage"] = cov
            rec[f"{v} mcse"] = proportion_se(cov, len(g))
            rec[f"{v} excludes 1"] = float((np.abs(g["obs"]) > g[v]).mean())
            rec[f"{v} width ratio"] = float((g[v] / g["averaged_z"]).median())
        out.append(rec)
    return pd.DataFrame(out)


def _tally(summary: pd.DataFrame) -> str:
    """Per group and variant: mean (range) coverage and the cells outside 0.94-0.96."""
    lines = []
    for group, g in summary.groupby("group", sort=False):
        for v in VARIANTS:
            c = g[f"{v} coverage"]
            low = int((c < 0.94).sum())
            high = int((c > 0.96).sum())
            lines.append(
                f"- {group}, {v}: mean {c.mean():.3f} ({c.min():.3f}-{c.max():.3f}); "
                f"{low} cells below 0.94, {high} above 0.96 of {len(c)}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = benchmark_parser(__doc__, n=300, seed=20261207, jobs=default_jobs())
    ap.add_argument("--cells", choices=("main", "short"), default="main",
                    help="main: the 46 cells of 230-730 days; short: the 120-day cells")  # fmt: skip
    args = ap.parse_args(argv)
    chosen = SHORT_CELLS if args.cells == "short" else CELLS
    cells, n = ([chosen[0], chosen[-1]], 3) if args.smoke else (chosen, args.n)
    suffix = "_short" if args.cells == "short" else ""
    tasks = [(g, cell, i, args.seed) for g, cell in cells for i in range(n)]
    t0 = time.perf_counter()
    with Pool(args.jobs) as pool:
        rows = pd.DataFrame(pool.map(fit_one, tasks, chunksize=4))
    summary = summarise(rows)
    tag = smoke_tag(args.smoke)
    rows_dir = WORK if args.out == RESULTS else args.out  # the rows stay out of git
    rows_dir.mkdir(parents=True, exist_ok=True)
    write_csv(rows, rows_dir / f"two_phase_satterthwaite{suffix}_rows{tag}.csv")
    write_csv(summary, args.out / f"two_phase_satterthwaite{suffix}{tag}.csv")
    head = "# Two-phase ratio: a Satterthwaite t quantile" + (" (SMOKE RUN)" if args.smoke else "")
    cmd = f"python benchmarks/two_phase_satterthwaite.py --n {n}" + (
        " --cells short" if suffix else ""
    )
    text = (
        f"{head}\n\nCommand: `{cmd}` ({len(rows)} series, "
        f"{time.perf_counter() - t0:.0f} s). See the script's docstring.\n\n{_tally(summary)}\n\n"
        f"{md_table(summary)}\n"
    )
    (args.out / f"two_phase_satterthwaite{suffix}{tag}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

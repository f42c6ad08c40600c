"""The two-phase ratio's interval on series as persistent as the founding case (issue 12).

The calibrated cells of :mod:`calibration_two_phase_variants` have latent AR coefficients up to
about 0.9; the founding case's two-phase fit has 0.96-0.97 with a stationary sd near 1, where the
hyperparameters are poorly determined and the second-order averaged variance may be too small.
This script measures, on series of that kind, the coverage of the 95% interval of the ratio of
the period means (truth: the ratio of the marginal means) for four variances of its log:

- ``plug_in``: ``V(h_hat)``, the hyperparameters plugged in;
- ``averaged``: the second-order average over ``h ~ N(h_hat, Sigma_h)`` (what
  ``compare_rates(model="latent_ar_lrv")`` uses on daily series);
- ``mc``: the same average by Monte Carlo (``--draws`` draws of ``h``, common random numbers);
- ``mc_median``: ``V`` at the median of its Monte Carlo distribution (a robust middle);
- ``oracle`` (latent-AR cells only): ``V`` at the true hyperparameters, which separates what the
  estimation of ``h`` costs from what the delta method and the normal quantile cost.

Processes (written here, not with :mod:`trends.simulate`), 230 days with the change at day 123
(the founding case's 123 + 107 days) unless the cell says otherwise:

``lar_<rho>_<sd>``
    NB(size 3) counts given a stationary Gaussian AR(1) log intensity (coefficient ``rho``,
    stationary sd ``sd``), marginal mean 3.9 before; the effect multiplies the mean.
``markov_slow``
    Two-regime Markov switching as :mod:`dgps` but with spells five times longer (quiet to
    active 0.008 a day, active to quiet 0.024): persistence of the founding-case kind without a
    latent Gaussian process.

Usage::

    nice -n 5 .venv/bin/python benchmarks/calibration_two_phase_persistent.py --n 1000
    .venv/bin/python benchmarks/calibration_two_phase_persistent.py --smoke --out /tmp/x
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import math  # noqa: E402
import time  # noqa: E402
import zlib  # noqa: E402
from multiprocessing import Pool  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    RESULTS,
    WORK,
    benchmark_parser,
    covers,
    daily_index,
    daily_series,
    default_jobs,
    md_table,
    proportion_se,
    smoke_tag,
    wald_limits,
    write_csv,
)

#: (process, days, first post day, effect ratio)
CELLS = [
    (p, 230, 123, r)
    for p in ("lar_0.96_1.0", "lar_0.9_1.0", "lar_0.96_0.5", "markov_slow")
    for r in (1.0, 0.34)
] + [("lar_0.96_1.0", 365, 183, r) for r in (1.0, 0.34)]
VARIANTS = ("plug_in", "averaged", "mc", "mc_median", "oracle")


def _rng(seed: int, cell: tuple, i: int) -> np.random.Generator:
    code = zlib.crc32("|".join(map(str, cell)).encode())
    return np.random.default_rng(np.random.SeedSequence([seed, code, i]))


def _nb(rng: np.random.Generator, mean: np.ndarray, size: float) -> np.ndarray:
    return rng.poisson(rng.gamma(size, mean / size))


def draw(cell: tuple, i: int, seed: int) -> np.ndarray:
    """Counts of series ``i`` of ``cell``."""
    name, n, c, r = cell
    rng = _rng(seed, cell, i)
    effect = np.where(np.arange(n) >= c, r, 1.0)
    if name.startswith("lar_"):
        _, rho, sd = name.split("_")
        rho, sd = float(rho), float(sd)
        x = np.empty(n)
        x[0] = rng.normal(0.0, sd)
        innov = rng.normal(0.0, sd * math.sqrt(1.0 - rho * rho), n)
        for t in range(1, n):
            x[t] = rho * x[t - 1] + innov[t]
        mean = 3.9 * np.exp(x - sd * sd / 2.0) * effect
        return _nb(rng, mean, 3.0)
    # markov_slow: quiet <-> active, started from the stationary distribution
    up, down = 0.008, 0.024
    state = rng.random() < up / (up + down)
    s = np.empty(n, dtype=bool)
    for t in range(n):
        s[t] = state
        state = (rng.random() >= down) if state else (rng.random() < up)
    mean = np.where(s, 10.0, 2.0) * effect
    return _nb(rng, mean, 5.0)


def fit_one(task: tuple) -> dict:
    """The variants' variances for one series."""
    from trends.models.latent_ar import fit_its_latent_ar, phase_contrast_variance
    from trends.models.latent_ar_lrv import _variance_at, hyper_averaged_contrast_variance

    cell, i, seed, draws = task
    name, n, c, r = cell
    yv = draw(cell, i, seed)
    row = {"cell": "|".join(map(str, cell)), "i": i, "truth": r, "error": ""}
    before = np.arange(n) < c
    rb, ra = yv[before].mean(), yv[~before].mean()
    if rb == 0 or ra == 0:
        row["error"] = "empty phase"
        return row
    y = daily_series(yv, daily_index(n))
    try:
        tp = fit_its_latent_ar(y, y.index[c], trend=False, slope_change=False, hyper="delta")
    except Exception as exc:  # counted as a failure
        row["error"] = type(exc).__name__
        return row
    w = np.where(~before, 1.0 / (~before).sum(), 0.0) - np.where(before, 1.0 / before.sum(), 0.0)
    m = np.where(~before, ra, rb)
    hyper = tp.info.get("hyper", {})
    h0 = np.asarray(hyper["h"], dtype=float)
    v0 = _variance_at(h0, w, m)
    avg = hyper_averaged_contrast_variance(tp, w, m)[0]
    mc = mc_med = v0
    if "hyper_cov" in hyper:
        free = [hyper["names"].index(k) for k in hyper["free"]]
        cov = np.asarray(hyper["hyper_cov"], dtype=float)
        z = np.random.default_rng(12345).standard_normal((draws, len(free)))
        chol = np.linalg.cholesky(cov + 1e-12 * np.eye(len(free)))
        vals = []
        for dz in z @ chol.T:
            h = h0.copy()
            h[free] += dz
            try:
                vals.append(_variance_at(h, w, m))
            except OverflowError:  # exp(sd^2) beyond float range: an infinite variance
                vals.append(math.inf)
        mc, mc_med = float(np.mean(vals)), float(np.median(vals))
    oracle = math.nan
    if name.startswith("lar_"):
        _, rho, sd = name.split("_")
        truth_m = np.where(~before, 3.9 * r, 3.9)
        oracle = phase_contrast_variance(w, truth_m, rho=float(rho), latent_sd=float(sd), theta=3.0)
    row.update(obs=math.log(ra / rb), plug_in=v0, averaged=avg, mc=mc, mc_median=mc_med,
               oracle=oracle, rho=tp.rho, sd=tp.latent_sd)  # fmt: skip
    return row


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Coverage with its Monte Carlo SE, and median SE ratio to plug-in, by cell and variant."""
    out = []
    for cell, g0 in rows.groupby("cell", sort=False):
        g = g0[g0["error"].fillna("").eq("")]
        rec = {"cell": cell, "n": len(g), "failed": len(g0) - len(g),
               "median AR": float(g["rho"].median()), "median sd": float(g["sd"].median())}  # fmt: skip
        for v in VARIANTS:
            if g[v].isna().all():
                continue
            lo, hi = wald_limits(g["obs"], np.sqrt(g[v]))
            cov = float(covers(lo, hi, np.log(g["truth"])).mean())
            rec[f"{v} coverage"] = cov
            rec[f"{v} mcse"] = proportion_se(cov, len(g))
            if v != "plug_in":
                rec[f"{v} median SE ratio"] = float(np.sqrt(g[v] / g["plug_in"]).median())
        out.append(rec)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    ap = benchmark_parser(__doc__, n=500, seed=20261203, jobs=default_jobs())
    ap.add_argument("--draws", type=int, default=400, help="Monte Carlo draws of h per series")
    args = ap.parse_args(argv)
    cells, n = (CELLS[:2], 4) if args.smoke else (CELLS, args.n)
    tasks = [(cell, i, args.seed, args.draws) for cell in cells for i in range(n)]
    t0 = time.perf_counter()
    with Pool(args.jobs) as pool:
        rows = pd.DataFrame(pool.map(fit_one, tasks, chunksize=4))
    summary = summarise(rows)
    tag = smoke_tag(args.smoke)
    rows_dir = WORK if args.out == RESULTS else args.out  # the rows stay out of git
    rows_dir.mkdir(parents=True, exist_ok=True)
    write_csv(rows, rows_dir / f"calibration_two_phase_persistent_rows{tag}.csv")
    write_csv(summary, args.out / f"calibration_two_phase_persistent{tag}.csv")
    head = "# Two-phase ratio on persistent series" + (" (SMOKE RUN)" if args.smoke else "")
    cmd = f"python benchmarks/calibration_two_phase_persistent.py --n {n} --draws {args.draws}"
    text = (
        f"{head}\n\nCommand: `{cmd}` ({len(rows)} series, "
        f"{time.perf_counter() - t0:.0f} s). See the script's docstring.\n\n{md_table(summary)}\n"
    )
    (args.out / f"calibration_two_phase_persistent{tag}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

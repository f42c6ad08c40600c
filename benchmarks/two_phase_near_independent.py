"""The two-phase ratio's default interval on near-independent days and weekly cycles (issue 12).

A sweep found the default interval of the two-phase ratio (``compare_rates(model=
"latent_ar_lrv")``: the observed ratio with the latent-AR(1) long-run variance, averaged over the
hyperparameters' uncertainty) too wide on independent days and on days with a weekly cycle. This
script measures why and what two candidate repairs would cost where the averaging is needed (the
persistent cells of :mod:`calibration_two_phase_persistent`). Variants of the variance of the
log ratio, each from one fit per design:

- ``plug_in``: ``V(h_hat)``, the hyperparameters plugged in;
- ``averaged`` (the default): the second-order average of ``V`` over ``h ~ N(h_hat, Sigma_h)``
  on the working scale ``(atanh rho, log sd, log alpha)``
  (:func:`trends.models.latent_ar_lrv.hyper_averaged_contrast_variance`);
- ``natural_sd``: the same average with the latent variance ``sd^2`` in place of ``log sd``
  (by the chain rule the ``log sd`` second derivative ``V_uu`` becomes ``V_uu - 2 V_u``; the
  Gaussian is then taken on ``sd^2``, on which the latent part is nearly linear);
- ``weekday``: ``averaged`` from a latent fit whose design also has six day-of-week indicators,
  the phase means split over the weekdays by the fitted weekday factors;
- ``weekday_natural_sd``: both.

Processes (written here; 245 days from a Monday, the change at day 127, NB size 3 given the
intensity, mean 3 a day before; the effect multiplies the mean):

``iid``             independent days;
``weekly``          a weekly cycle (factors 1.3 1.2 1.1 1.0 0.45 0.8 1.15, Monday first);
``weekly_strong``   a reporting-style cycle (1.9 1.1 1.0 1.0 1.0 0.25 0.1);
``ar0.7``           a latent Gaussian AR(1) log intensity, coefficient 0.7, stationary sd 0.5;
``lar_0.96_0.5``    as :mod:`calibration_two_phase_persistent` (230 days, change at 123);
``markov_slow``     as :mod:`calibration_two_phase_persistent`.

Effects: none and -30% (power: the share of intervals excluding no change). The truth is the
ratio of the marginal means (the weekly factors average to one over a week).

Usage::

    nice -n 5 .venv/bin/python benchmarks/two_phase_near_independent.py --n 300
    .venv/bin/python benchmarks/two_phase_near_independent.py --smoke --out /tmp/x
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from multiprocessing import Pool  # noqa: E402

import calibration_two_phase_persistent as persistent  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
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

WEEKLY = {
    "weekly": np.array([1.3, 1.2, 1.1, 1.0, 0.45, 0.8, 1.15]),
    "weekly_strong": np.array([1.9, 1.1, 1.0, 1.0, 1.0, 0.25, 0.1]),
}
PROCESSES = ("iid", "weekly", "weekly_strong", "ar0.7", "lar_0.96_0.5", "markov_slow")
EFFECTS = (1.0, 0.7)
CELLS = [(p, r) for p in PROCESSES for r in EFFECTS]
VARIANTS = ("plug_in", "averaged", "natural_sd", "weekday", "weekday_natural_sd")


def _design(name: str) -> tuple[int, int]:
    """(days, first post day) of a process."""
    return (230, 123) if name in ("lar_0.96_0.5", "markov_slow") else (245, 127)


def draw(cell: tuple, i: int, seed: int) -> np.ndarray:
    """Counts of series ``i`` of ``cell``."""
    name, r = cell
    n, c = _design(name)
    if name in ("lar_0.96_0.5", "markov_slow"):
        return persistent.draw((name, n, c, r), i, seed)
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), int(round(r * 100)), i])
    t = np.arange(n)
    mean = 3.0 * np.where(t >= c, r, 1.0)
    if name in WEEKLY:
        factors = WEEKLY[name] / WEEKLY[name].mean()
        mean = mean * factors[t % 7]
    if name == "ar0.7":
        rho, sd = 0.7, 0.5
        x = np.empty(n)
        x[0] = rng.normal(0.0, sd)
        innov = rng.normal(0.0, sd * math.sqrt(1.0 - rho * rho), n)
        for k in range(1, n):
            x[k] = rho * x[k - 1] + innov[k]
        mean = mean * np.exp(x - sd * sd / 2.0)
    return rng.poisson(rng.gamma(3.0, mean / 3.0))


def averaged_variances(fit, w: np.ndarray, m: np.ndarray) -> tuple[float, float, float]:
    """(plug-in, averaged on the working scale, averaged with ``sd^2`` natural) of one fit."""
    from trends.models.latent_ar_lrv import AVERAGING_STEP, _curvature, _variance_at

    hyper = fit.info.get("hyper") or {}
    h0 = np.asarray(hyper["h"], dtype=float)
    v0 = _variance_at(h0, w, m)
    if "hyper_cov" not in hyper:
        return v0, v0, v0
    free = [hyper["names"].index(k) for k in hyper["free"]]
    cov = np.asarray(hyper["hyper_cov"], dtype=float)
    hess = _curvature(h0, free, w, m, v0, AVERAGING_STEP)
    working = v0 + 0.5 * float(np.trace(hess @ cov))
    if 1 in free:  # log sd is component 1: V_uu - 2 V_u is the second derivative in sd^2 (x 4sd^4)
        up, down = h0.copy(), h0.copy()
        up[1] += AVERAGING_STEP
        down[1] -= AVERAGING_STEP
        slope = (_variance_at(up, w, m) - _variance_at(down, w, m)) / (2 * AVERAGING_STEP)
        j = free.index(1)
        hess[j, j] -= 2.0 * slope
    natural = v0 + 0.5 * float(np.trace(hess @ cov))
    return v0, max(working, v0), max(natural, v0)


def _weekday_fit(y: np.ndarray, x0: pd.DataFrame, after: np.ndarray, w, m):
    """The latent fit with day-of-week indicators, and the weights and means split by weekday."""
    from trends.models.latent_ar import fit_latent_ar

    x1 = x0.copy()
    day = x0.index.day_of_week.to_numpy()
    for d in range(1, 7):
        x1[f"weekday_{d}"] = (day == d).astype(float)
    fit = fit_latent_ar(y, x1, hyper="delta")
    factor = np.exp(np.r_[0.0, fit.params.to_numpy()[2:8]])[day]
    within = np.where(after, factor / factor[after].mean(), factor / factor[~after].mean())
    return fit, w * within, m * within


def fit_one(task: tuple) -> dict:
    """The variants' variances of one series."""
    from trends.models.latent_ar import fit_latent_ar

    cell, i, seed = task
    name, r = cell
    n, c = _design(name)
    y = draw(cell, i, seed).astype(float)
    after = np.arange(n) >= c
    rb, ra = y[~after].mean(), y[after].mean()
    row = {"cell": f"{name}|{r}", "i": i, "truth": math.log(r), "error": ""}
    if rb == 0 or ra == 0:
        row["error"] = "empty phase"
        return row
    x0 = pd.DataFrame({"intercept": 1.0, "after": after.astype(float)},
                      index=pd.date_range("2023-01-02", periods=n))  # fmt: skip
    w = np.where(after, 1.0 / after.sum(), 0.0) - np.where(~after, 1.0 / (~after).sum(), 0.0)
    m = np.where(after, ra, rb)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_latent_ar(y, x0, hyper="delta")
            plug, avg, nat = averaged_variances(fit, w, m)
            wfit, ww, wm = _weekday_fit(y, x0, after, w, m)
            _, wavg, wnat = averaged_variances(wfit, ww, wm)
    except Exception as exc:  # counted as a failure
        row["error"] = type(exc).__name__
        return row
    row.update(obs=math.log(ra / rb), plug_in=plug, averaged=avg, natural_sd=nat, weekday=wavg,
               weekday_natural_sd=wnat, rho=fit.rho, sd=fit.latent_sd, theta=fit.theta,
               weekday_theta=wfit.theta)  # fmt: skip
    return row


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Coverage (MC SE), rejections of no change, and the median SE ratio to the default."""
    out = []
    for cell, g0 in rows.groupby("cell", sort=False):
        g = g0[g0["error"].fillna("").eq("")]
        rec = {"cell": cell, "n": len(g), "failed": len(g0) - len(g),
               "empirical sd": float(g["obs"].std()),
               "median theta": float(g["theta"].median()),
               "median theta (weekday)": float(g["weekday_theta"].median())}  # fmt: skip
        for v in VARIANTS:
            se = np.sqrt(g[v])
            cov = float((np.abs(g["obs"] - g["truth"]) <= Z95 * se).mean())
            rec[f"{v} coverage"] = cov
            rec[f"{v} mcse"] = proportion_se(cov, len(g))
            rec[f"{v} excludes 1"] = float((np.abs(g["obs"]) > Z95 * se).mean())
            rec[f"{v} median SE"] = float(se.median())
        out.append(rec)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    ap = benchmark_parser(__doc__, n=300, seed=20261207, jobs=default_jobs())
    args = ap.parse_args(argv)
    cells, n = (CELLS[:2], 3) if args.smoke else (CELLS, args.n)
    tasks = [(cell, i, args.seed) for cell in cells for i in range(n)]
    t0 = time.perf_counter()
    with Pool(args.jobs) as pool:
        rows = pd.DataFrame(pool.map(fit_one, tasks, chunksize=4))
    summary = summarise(rows)
    tag = smoke_tag(args.smoke)
    rows_dir = WORK if args.out == RESULTS else args.out  # the rows stay out of git
    rows_dir.mkdir(parents=True, exist_ok=True)
    write_csv(rows, rows_dir / f"two_phase_near_independent_rows{tag}.csv")
    write_csv(summary, args.out / f"two_phase_near_independent{tag}.csv")
    head = "# Two-phase ratio: near-independent days and weekly cycles"
    head += " (SMOKE RUN)" if args.smoke else ""
    cmd = f"python benchmarks/two_phase_near_independent.py --n {n}"
    text = (
        f"{head}\n\nCommand: `{cmd}` ({len(rows)} series, "
        f"{time.perf_counter() - t0:.0f} s). See the script's docstring.\n\n{md_table(summary)}\n"
    )
    (args.out / f"two_phase_near_independent{tag}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

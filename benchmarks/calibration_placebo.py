"""Size and power of the in-time placebo test, old statistic against the new (issue 12, item 4).

Every series is analysed with the default ITS (``fit_its(y, date, intervals="analytic",
inference="glm")``: negative binomial, Newey-West automatic lag) and its placebo test is run
four ways on the same fit, plus once on a fit with model-based standard errors:

``old``         ``statistic="raw", window="pre-period"`` (the placebo before issue 12)
``raw_matched`` ``statistic="raw", window="matched"``
``t_pre``       ``statistic="studentised", window="pre-period"``
``new``         ``statistic="studentised", window="matched"`` (the new default)
``t_model``     as ``new`` on ``fit_its(..., se="model")``: each level change over its
                model-based (Fisher information) standard error, real and fakes
``t_latent``    as ``new`` on ``fit_its(..., inference="latent_ar")`` (fakes refitted one by
                one; only with ``--variants``, at a smaller ``--n``)

Processes (245 days, change at day 127, effects none / -50% / -75%): ``ingarch_0.7``,
``markov`` and ``wave`` of :mod:`dgps` (written independently of the package) and the package's
presets (:mod:`trends.simulate`: ``no_effect`` / ``drop_50`` / ``drop_75``, latent AR(1)
log intensity). Reported: rejection rate at p < 0.05 (two-sided), i.e. the size without an
effect and the power with one, with its Monte Carlo SE ``sqrt(r (1 - r) / n)``.

Usage (from the repository root)::

    nice -n 10 .venv/bin/python benchmarks/calibration_placebo.py --n 200
    .venv/bin/python benchmarks/calibration_placebo.py --smoke --out /tmp/x

Rows are resumed from ``benchmarks/_work/placebo_calibration_rows.csv`` (series already there
are not redrawn); outputs ``benchmarks/results/placebo_calibration.{csv,md}``. ``--smoke`` (3
series of ``markov`` and ``preset`` without an effect) starts afresh and writes
``placebo_calibration_smoke.{csv,md}`` and its rows file into ``--out``.
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import time  # noqa: E402
import warnings  # noqa: E402

import calibration_independent as ci  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    WORK,
    benchmark_parser,
    daily_index,
    daily_series,
    fmt_with_se,
    proportion_se,
    rejection_rate,
    smoke_tag,
    write_csv,
)

N_DAYS = 245
PROCESSES = ("ingarch_0.7", "markov", "wave", "preset")
#: variant -> (statistic, window rule, covariance of the real fit and the fakes)
VARIANTS = {
    "old": ("raw", "pre-period", "hac"),
    "raw_matched": ("raw", "matched", "hac"),
    "t_pre": ("studentised", "pre-period", "hac"),
    "new": ("studentised", "matched", "hac"),
    "t_model": ("studentised", "matched", "model"),
    "t_latent": ("studentised", "matched", "latent_ar"),
}
#: variants run by default (``t_latent`` refits every fake date by the latent-AR model, one by
#: one: about 100 times the cost; ask for it with ``--variants``)
DEFAULT_VARIANTS = ("old", "raw_matched", "t_pre", "new", "t_model")
LABELS = {
    "old": "old: raw log RR, whole pre-period",
    "raw_matched": "raw log RR, matched windows",
    "t_pre": "studentised, whole pre-period",
    "new": "new: studentised (HAC SE), matched windows",
    "t_model": "studentised by the model-based SE, matched windows",
    "t_latent": "studentised, latent-AR fits (inference='latent_ar'), matched windows",
}


def draw(dgp: str, effect: str, i: int, seed: int) -> tuple[np.ndarray, int]:
    """Counts and first post day of series ``i`` of a cell: the series of
    ``calibration_independent.draw`` (same seeds) at :data:`N_DAYS` days."""
    counts, c, _truths = ci.draw(dgp, N_DAYS, effect, i, seed)
    return counts, c


def run_series(dgp: str, effect: str, i: int, seed: int, variants: list[str]) -> list[dict]:
    """The placebo ``variants`` on one series."""
    from trends.models.its import fit_its
    from trends.models.placebo import placebo_test

    counts, c = draw(dgp, effect, i, seed)
    dates = daily_index(len(counts))
    y = daily_series(counts, dates)
    fits: dict[str, object] = {}
    rows = []
    for variant in variants:
        stat, window, se = VARIANTS[variant]
        t0 = time.perf_counter()
        row = {"dgp": dgp, "effect": effect, "i": i, "variant": variant, "p_value": np.nan,
               "p_one_sided": np.nan, "n_placebos": np.nan, "real_t": np.nan, "error": ""}  # fmt: skip
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if se not in fits:
                    kw = {"inference": "latent_ar"} if se == "latent_ar" else {"se": se}
                    fits[se] = fit_its(y, dates[c], intervals="analytic", **kw)
                pl = placebo_test(y, fits[se], statistic=stat, window=window)
            row.update(p_value=pl.p_value, p_one_sided=pl.p_value_one_sided,
                       n_placebos=pl.n_placebos, real_t=pl.real_t)  # fmt: skip
        except Exception as exc:  # counted as a failure
            row["error"] = type(exc).__name__
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    return rows


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Rejection rate at 5% per process, effect and variant, with its Monte Carlo SE."""
    out = []
    for (dgp, effect, variant), g in rows.groupby(["dgp", "effect", "variant"], sort=False):
        p = g["p_value"].dropna()
        r = rejection_rate(p)
        out.append({
            "process": dgp, "effect": effect, "variant": variant, "n": len(p),
            "failed": int(g["p_value"].isna().sum()), "reject_5pct": r,
            "mc_se": proportion_se(r, len(p)),
            "reject_10pct": rejection_rate(p, 0.10),
            "median_placebos": float(g["n_placebos"].median()),
            "ms_per_test": 1000 * float(g["seconds"].median()),
        })  # fmt: skip
    return pd.DataFrame(out)


def table(summary: pd.DataFrame) -> str:
    """Markdown: one row per process and effect, old vs new side by side."""
    wide = summary.pivot_table(
        index=["process", "effect"], columns="variant", values=["reject_5pct", "mc_se", "n"],
        sort=False,
    )  # fmt: skip
    n = summary[summary["variant"] == "new"].set_index(["process", "effect"])["n"]
    cols = [v for v in VARIANTS if ("reject_5pct", v) in wide.columns]
    head = "| process | effect | n | " + " | ".join(LABELS[v] for v in cols) + " |"
    lines = [head, "|" + "---|" * (3 + len(cols))]
    for (dgp, effect), row in wide.iterrows():
        cells = [
            fmt_with_se(row[("reject_5pct", v)], row[("mc_se", v)])
            + (f", n = {row[('n', v)]:.0f}" if row[("n", v)] != n[(dgp, effect)] else "")
            if np.isfinite(row[("reject_5pct", v)]) else ""
            for v in cols
        ]  # fmt: skip
        lines.append(f"| {dgp} | {effect} | {n[(dgp, effect)]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = benchmark_parser(
        __doc__, n=100, seed=20261202, smoke_help="3 series per cell, 2 cells, into --out"
    )
    ap.add_argument("--processes", default=",".join(PROCESSES))
    ap.add_argument("--effects", default="none,-50%,-75%")
    ap.add_argument(
        "--variants", default=",".join(DEFAULT_VARIANTS), help="of " + ", ".join(VARIANTS)
    )
    ap.add_argument("--rows", default="", help="suffix of the rows file (parallel runs)")
    args = ap.parse_args(argv)
    procs, effects = args.processes.split(","), args.effects.split(",")
    wanted = [v for v in args.variants.split(",") if v in VARIANTS]
    n = args.n
    if args.smoke:
        procs, effects, n = ["markov", "preset"], ["none"], 3
    tag = smoke_tag(args.smoke)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"placebo_calibration_rows{args.rows}{tag}.csv"
    path = (args.out / name) if args.smoke else WORK / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.smoke:  # a smoke run starts afresh
        for old in path.parent.glob("placebo_calibration_rows*_smoke.csv"):
            old.unlink()
    rows = pd.read_csv(path) if path.exists() else pd.DataFrame()
    t_start = time.process_time()
    for dgp in procs:
        for effect in effects:
            have: dict[int, set] = {}
            if len(rows):
                sel = rows[(rows["dgp"] == dgp) & (rows["effect"] == effect)]
                for i, v in zip(sel["i"].astype(int), sel["variant"], strict=True):
                    have.setdefault(i, set()).add(v)
            todo = {i: [v for v in wanted if v not in have.get(i, set())] for i in range(n)}
            todo = {i: v for i, v in todo.items() if v}
            new = [r for i, v in todo.items() for r in run_series(dgp, effect, i, args.seed, v)]
            if new:
                rows = pd.concat([rows, pd.DataFrame(new)], ignore_index=True)
                rows.to_csv(path, index=False)
            print(f"{dgp} {effect}: +{len(todo)} series, CPU {time.process_time() - t_start:.0f} s",
                  flush=True)  # fmt: skip
    parts = [
        pd.read_csv(f) for f in sorted(path.parent.glob(f"placebo_calibration_rows*{tag}.csv"))
    ]
    rows = pd.concat(parts, ignore_index=True).drop_duplicates(["dgp", "effect", "i", "variant"])
    keep = rows["dgp"].isin(procs) & rows["effect"].isin(effects)
    summary = summarise(rows[keep])
    write_csv(summary, args.out / f"placebo_calibration{tag}.csv")
    text = (
        "# In-time placebo test: size and power, old vs new statistic (issue 12, item 4)"
        + (" (SMOKE RUN)" if args.smoke else "")
        + "\n\n"
        f"Rejection rate at p < 0.05, two-sided (Monte Carlo SE); {N_DAYS} days, change at day "
        "127, default ITS (NB + Newey-West auto lag). Size = the `none` rows, power = the "
        "others.\n\n"
        "Commands: `nice -n 10 .venv/bin/python benchmarks/calibration_placebo.py --n 200` "
        "(then `--n N --variants t_latent` for the latent-AR column; n = series per cell, "
        "given in a cell when it differs from the row's)\n\n" + table(summary)
    )
    (args.out / f"placebo_calibration{tag}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

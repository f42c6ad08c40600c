"""Change points under serial dependence: the search before and after issue 12 (item 3).

For every cell (process x length x effect) ``--n`` seeded series are searched twice with
:func:`trends.models.changepoint.detect_changepoints` (default negative binomial model, BIC):

- ``old``: ``dependence="none"`` (independent days: the search before issue 12);
- ``new``: the default ``dependence="auto"`` (the log-likelihood divided by an estimated
  serial-dependence factor, :mod:`trends.models.changepoint_dependence`).

Processes:

- ``preset_theta4``: the package simulator (:func:`trends.simulate.simulate_many`) with the
  ``idlib_2019`` dynamics: 4 attacks a day, latent AR(1) log intensity with coefficient 0.7 and
  innovation sd 0.35, NB size 4 (the ``no_effect`` / ``drop_50`` / ``drop_75`` presets);
- ``preset_theta2``: the same with NB size 2 (the "high dispersion, AR 0.7" design of
  ``benchmarks/calibration.py``);
- ``ingarch_0.7``, ``ingarch_0.9``, ``markov``: :mod:`benchmarks.dgps` (written independently of
  the package);
- ``iid_nb2`` (not in the default grid, ``--processes iid_nb2``): independent NB counts, mean 4
  a day, size 2 (the change multiplies the mean).

Lengths 245 and 365 days, change at day ``round(n * 127 / 245)``; effects none, -50%, -75%
(rate ratio 1, 0.5, 0.25 from the change day on).

Reported per cell and variant, with Monte Carlo standard errors: detection rate (at least one
change: the false detection rate when there is no effect), mean number of changes, date-set
coverage of the true date (series without a detected change count as misses), coverage among
series with a detected change, median ``|days off|`` of the change nearest the truth (SE by
bootstrap), median set size, the median dependence factor, and the time per search.

Also (issue 12, item 3, ``changepoint_dateset.*``): the simulation-calibrated set of
possible start dates of a single change, :func:`trends.models.changepoint_dateset.change_date_set`,
given for every series whether or not the search finds a change: its coverage of the true date
with every series counted, its median size in days, and for series without a change the share
of the window it covers. ``--dateset-only`` runs this part alone.

Usage (from the repository root)::

    nice -n 10 .venv/bin/python benchmarks/calibration_changepoint.py --n 200
    .venv/bin/python benchmarks/calibration_changepoint.py --smoke --out /tmp/cp   # seconds
    nice -n 10 .venv/bin/python benchmarks/calibration_changepoint.py --n 200 --dateset-only

``--smoke``: 2 series of 2 processes (``preset_theta4``, ``markov``) at 245 days, written to
``changepoint_calibration_smoke.*``.

Outputs: ``benchmarks/results/changepoint_calibration.csv`` and ``.md``, and
``changepoint_dateset.csv`` and ``.md``. Seeded (``--seed``).
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from typing import Any  # noqa: E402

import dgps  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    benchmark_parser,
    daily_index,
    fmt_with_se,
    run_in_pool,
    share_with_se,
    smoke_tag,
    write_csv,
    write_json,
)

PROCESSES = ("preset_theta4", "preset_theta2", "ingarch_0.7", "ingarch_0.9", "markov")
LENGTHS = (245, 365)
EFFECTS = dgps.EFFECTS
VARIANTS = {"old": {"dependence": "none"}, "new": {}}
_PRESET_THETA = {"preset_theta4": 4.0, "preset_theta2": 2.0}


def series(process: str, n_days: int, effect: str, i: int, seed: int) -> tuple[np.ndarray, int]:
    """Series ``i`` of a cell and its change day (0-based first day at the new rate)."""
    if process in _PRESET_THETA:
        from trends.simulate import Change, simulate_many

        c = dgps.change_day(n_days)
        ss = dgps.series_seed(seed, process, n_days, effect, i)
        batch = simulate_many(
            1, n_days, base_rate=4.0, ar_coef=0.7, ar_sd=0.35,
            dispersion=_PRESET_THETA[process], changes=[Change(day=c, level=EFFECTS[effect])],
            seed=ss, output="batch",
        )  # fmt: skip
        return batch.attacks[0].astype(float), c
    if process == "iid_nb2":
        c = dgps.change_day(n_days)
        rng = np.random.default_rng(dgps.series_seed(seed, process, n_days, effect, i))
        mu = np.full(n_days, 4.0)
        mu[c:] *= EFFECTS[effect]
        return rng.poisson(rng.gamma(2.0, mu / 2.0)).astype(float), c
    s = dgps.simulate(process, n_days, effect, i, seed=seed)
    return s.y.astype(float), s.change_day


def run_cell(process: str, n_days: int, effect: str, n: int, seed: int) -> list[tuple]:
    """Both searches on the ``n`` series of one cell: one row per series and variant."""
    from trends.models.changepoint import detect_changepoints

    warnings.simplefilter("ignore")
    index = daily_index(n_days)
    rows = []
    for i in range(n):
        y, c = series(process, n_days, effect, i, seed)
        s = pd.Series(y, index=index, name="attacks")
        for variant, kw in VARIANTS.items():
            t0 = time.perf_counter()
            res = detect_changepoints(s, reference=index[c], **kw)
            dt = time.perf_counter() - t0
            cmp_ = res.comparison
            found = cmp_.break_number is not None
            size = float(res.breaks["set_size"].iloc[cmp_.break_number - 1]) if found else np.nan
            rows.append((
                process, n_days, effect, i, variant, res.n_changes,
                float(cmp_.offset_days) if found else np.nan,
                float(cmp_.in_set) if found else 0.0, size, res.dependence, dt,
            ))  # fmt: skip
    return rows


def run_cell_dateset(process: str, n_days: int, effect: str, n: int, seed: int) -> list[tuple]:
    """The date set of every series of one cell: one row per series."""
    from trends.models.changepoint_dateset import change_date_set

    warnings.simplefilter("ignore")
    index = daily_index(n_days)
    rows = []
    for i in range(n):
        y, c = series(process, n_days, effect, i, seed)
        t0 = time.perf_counter()
        res = change_date_set(pd.Series(y, index=index, name="attacks"))
        dt = time.perf_counter() - t0
        rows.append((
            process, n_days, effect, i, float(index[c] in res.dates), res.size, res.share,
            float(res.uninformative), abs((res.most_likely - index[c]).days),
            res.dependence.factor, dt,
        ))  # fmt: skip
    return rows


DATESET_COLUMNS = [
    "process", "n_days", "effect", "i", "covered", "set_days", "share", "uninformative",
    "abs_days_off", "dependence", "seconds",
]  # fmt: skip


def summarise_dateset(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: coverage (every series), set size, share of the window, time."""
    out = []
    for (proc, nd, eff), g in raw.groupby(["process", "n_days", "effect"], sort=False):
        cov, cov_se = share_with_se(g["covered"].to_numpy(dtype=float))
        uninf, uninf_se = share_with_se(g["uninformative"].to_numpy(dtype=float))
        share = g["share"].to_numpy(dtype=float)
        out.append({
            "process": proc, "n_days": nd, "effect": eff, "n": len(g),
            "coverage": cov, "coverage_se": cov_se,
            "median_set_days": float(g["set_days"].median()),
            "mean_share": float(share.mean()),
            "mean_share_se": float(share.std(ddof=1) / math.sqrt(share.size)) if share.size > 1 else math.nan,
            "uninformative": uninf, "uninformative_se": uninf_se,
            "median_abs_days_off": float(g["abs_days_off"].median()),
            "median_dependence": float(g["dependence"].median()),
            "ms_per_series": 1000 * float(g["seconds"].mean()),
            "ms_p99": 1000 * float(g["seconds"].quantile(0.99)),
            "ms_max": 1000 * float(g["seconds"].max()),
        })  # fmt: skip
    return pd.DataFrame(out)


def markdown_dateset(summ: pd.DataFrame, meta: dict) -> str:
    """The date-set table and the target check."""
    lines = [
        "# Calibrated date sets of a single change (issue 12, item 3)"
        + (" (SMOKE RUN)" if meta.get("smoke") else ""),
        "",
        f"`{meta['command']}`: {meta['n']} series per cell, {meta['cpu_s']:.0f} s of CPU, "
        f"{meta['date']}. `change_date_set(y)` with its defaults (level 0.95, min_segment 7, "
        "499 simulated paths, fixed seed), given for every series whether or not a change is "
        "detected. Coverage: the set contains the true first day at the new rate (every series "
        "counted). Share: mean share of the admissible dates in the set; uninformative: share "
        'of series whose set holds at least half of them ("the data cannot date a change"). '
        "Monte Carlo SE in brackets (binomial for shares of series).",
        "",
        "| process | days | effect | coverage | median set (days) | mean share of window "
        "| uninformative | median days off (most likely date) | median phi | ms / series |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summ.itertuples(index=False):
        cov = "-" if r.effect == "none" else fmt_with_se(r.coverage, r.coverage_se)
        off = "-" if r.effect == "none" else fmt_with_se(r.median_abs_days_off, None, 1)
        lines.append(
            f"| {r.process} | {r.n_days} | {r.effect} | {cov} "
            f"| {fmt_with_se(r.median_set_days, None, 0)} "
            f"| {fmt_with_se(r.mean_share, r.mean_share_se)} "
            f"| {fmt_with_se(r.uninformative, r.uninformative_se)} | {off} "
            f"| {fmt_with_se(r.median_dependence, None, 2)} | {fmt_with_se(r.ms_per_series, None, 0)} |"
        )
    lines += ["", "## Target (issue 12): coverage >= 0.90 for a real change of -50% or more", ""]
    for eff in ("-50%", "-75%"):
        e = summ[summ["effect"] == eff]
        if len(e):
            lines.append(
                f"- {eff}: {int((e['coverage'] >= 0.90).sum())} of {len(e)} cells at or above "
                f"0.90 (range {e['coverage'].min():.3f}-{e['coverage'].max():.3f}); "
                f"{int((e['coverage'] + 2 * e['coverage_se'] >= 0.90).sum())} within 2 SE of it."
            )
    lines.append(
        f"- Time: mean {summ['ms_per_series'].mean():.0f} ms per series, 99th percentile of "
        f"the cells up to {summ['ms_p99'].max():.0f} ms, longest {summ['ms_max'].max():.0f} ms "
        "(shared machine, `nice -n 10`, one process: isolated long times are load spikes)."
    )
    return "\n".join(lines) + "\n"


def _run_dateset(cells: list, args: Any, t0: float) -> pd.DataFrame:
    """The date-set part of the grid, written to ``changepoint_dateset.*``."""
    c0 = time.process_time()
    rows: list[tuple] = []
    for p, nd, e in cells:
        rows += run_cell_dateset(p, nd, e, args.n, args.seed)
        print(f"dateset {p} {nd} {e}: {time.time() - t0:.0f} s", flush=True)
    raw = pd.DataFrame(rows, columns=DATESET_COLUMNS)
    summ = summarise_dateset(raw)
    meta = {
        "n": args.n, "seed": args.seed, "cpu_s": time.process_time() - c0,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "benchmarks/calibration_changepoint.py " + " ".join(args.argv),
    }  # fmt: skip
    if args.smoke:
        meta["smoke"] = True
    tag = smoke_tag(args.smoke)
    write_csv(summ, args.out / f"changepoint_dateset{tag}.csv")
    (args.out / f"changepoint_dateset{tag}.md").write_text(markdown_dateset(summ, meta))
    print(markdown_dateset(summ, meta))
    return summ


COLUMNS = [
    "process", "n_days", "effect", "i", "variant", "n_changes", "offset_days", "in_set",
    "set_size", "dependence", "seconds",
]  # fmt: skip


def _median_se(x: np.ndarray, rng: np.random.Generator) -> float:
    if x.size < 2:
        return math.nan
    boot = np.median(rng.choice(x, size=(200, x.size), replace=True), axis=1)
    return float(np.std(boot, ddof=1))


def summarise(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and variant."""
    rng = np.random.default_rng(0)
    out = []
    for (proc, nd, eff, var), g in raw.groupby(
        ["process", "n_days", "effect", "variant"], sort=False
    ):
        det = g["n_changes"].to_numpy() > 0
        off = np.abs(g["offset_days"].to_numpy(dtype=float))
        off = off[~np.isnan(off)]
        cov, cov_se = share_with_se(g["in_set"].to_numpy(dtype=float))
        cov_d, cov_d_se = share_with_se(g.loc[det, "in_set"].to_numpy(dtype=float))
        d, d_se = share_with_se(det.astype(float))
        nch = g["n_changes"].to_numpy(dtype=float)
        out.append({
            "process": proc, "n_days": nd, "effect": eff, "variant": var, "n": len(g),
            "detection_rate": d, "detection_se": d_se,
            "mean_n_changes": float(nch.mean()),
            "mean_n_changes_se": float(nch.std(ddof=1) / math.sqrt(nch.size)),
            "set_coverage": cov, "set_coverage_se": cov_se,
            "set_coverage_if_detected": cov_d, "set_coverage_if_detected_se": cov_d_se,
            "median_abs_days_off": float(np.median(off)) if off.size else math.nan,
            "median_abs_days_off_se": _median_se(off, rng),
            "median_set_size": float(np.nanmedian(g["set_size"])) if det.any() else math.nan,
            "median_dependence": float(g["dependence"].median()),
            "ms_per_search": 1000 * float(g["seconds"].mean()),
        })  # fmt: skip
    return pd.DataFrame(out)


def markdown(summ: pd.DataFrame, meta: dict) -> str:
    """The results table (old vs new side by side) and the target check."""
    lines = [
        "# Change points under serial dependence (issue 12, item 3)"
        + (" (SMOKE RUN)" if meta.get("smoke") else ""),
        "",
        f"`benchmarks/calibration_changepoint.py --n {meta['n']} --seed {meta['seed']}`: "
        f"{meta['n']} series per cell, {meta['cpu_s']:.0f} s of CPU in {meta['jobs']} "
        f'process(es), {meta["date"]}. `old`: `dependence="none"` (independent days); `new`: '
        'the default (`dependence="auto"`, tempered likelihood). Negative binomial model, BIC, '
        "`detect_changepoints(y, reference=true date)`. Monte Carlo SE in brackets. Coverage: "
        "the date set of the change nearest the true date contains it; series without a "
        "change count as misses (`| if detected` conditions on a detected change). For "
        "`effect = none` the detection rate is the false detection rate.",
        "",
        "| process | days | effect | detection old | detection new | changes old | changes new "
        "| coverage old | coverage new | cov. if detected old | cov. if detected new "
        "| median days off old | new | median phi |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    key = ["process", "n_days", "effect"]
    wide = summ.set_index(key + ["variant"])
    for cell in summ[key].drop_duplicates().itertuples(index=False):
        o, w = wide.loc[tuple(cell) + ("old",)], wide.loc[tuple(cell) + ("new",)]
        lines.append(
            f"| {cell.process} | {cell.n_days} | {cell.effect} "
            f"| {fmt_with_se(o.detection_rate, o.detection_se)} | {fmt_with_se(w.detection_rate, w.detection_se)} "
            f"| {fmt_with_se(o.mean_n_changes, o.mean_n_changes_se, 2)} "
            f"| {fmt_with_se(w.mean_n_changes, w.mean_n_changes_se, 2)} "
            f"| {fmt_with_se(o.set_coverage, o.set_coverage_se)} | {fmt_with_se(w.set_coverage, w.set_coverage_se)} "
            f"| {fmt_with_se(o.set_coverage_if_detected)} | {fmt_with_se(w.set_coverage_if_detected)} "
            f"| {fmt_with_se(o.median_abs_days_off, o.median_abs_days_off_se, 1)} "
            f"| {fmt_with_se(w.median_abs_days_off, w.median_abs_days_off_se, 1)} "
            f"| {fmt_with_se(w.median_dependence, None, 2)} |"
        )
    new = summ[summ["variant"] == "new"]
    none = new[new["effect"] == "none"]
    half = new[new["effect"] == "-50%"]
    lines += [
        "",
        "## Targets (issue 12), new search, as measured",
        "",
        f"- False detection <= 0.10 without a change: "
        f"{int((none['detection_rate'] <= 0.10).sum())} of {len(none)} cells "
        f"(range {none['detection_rate'].min():.3f}-{none['detection_rate'].max():.3f}).",
        f"- Date-set coverage >= 0.90 for a -50% change (misses count): "
        f"{int((half['set_coverage'] >= 0.90).sum())} of {len(half)} cells "
        f"(range {half['set_coverage'].min():.3f}-{half['set_coverage'].max():.3f}; "
        f"if detected {half['set_coverage_if_detected'].min():.3f}-"
        f"{half['set_coverage_if_detected'].max():.3f}).",
        f"- Mean time per search: old {summ[summ['variant'] == 'old']['ms_per_search'].mean():.1f}"
        f" ms, new {new['ms_per_search'].mean():.1f} ms (shared machine, `nice -n 10`).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the grid and write the CSV and Markdown tables."""
    ap = benchmark_parser(
        __doc__, n=200, n_help="series per cell (default 200)", seed=20261202, jobs=1,
        smoke_help="2 series x 2 processes x 245 days, into changepoint_calibration_smoke.*",
    )  # fmt: skip
    ap.add_argument("--processes", nargs="*", default=list(PROCESSES))
    ap.add_argument("--lengths", nargs="*", type=int, default=list(LENGTHS))
    ap.add_argument("--effects", nargs="*", default=list(EFFECTS), help="e.g. none")
    ap.add_argument(
        "--dateset-only", action="store_true",
        help="only the calibrated date sets (changepoint_dateset.*), not the searches",
    )  # fmt: skip
    args = ap.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.smoke:
        args.n, args.processes, args.lengths = 2, ["preset_theta4", "markov"], [245]
    cells = [(p, nd, e) for p in args.processes for nd in args.lengths for e in args.effects]
    t0, c0 = time.time(), time.process_time()
    if args.dateset_only:
        return _run_dateset(cells, args, t0)
    rows: list[tuple] = []
    if args.jobs > 1:
        tasks = ((cell, (*cell, args.n, args.seed)) for cell in cells)
        for _cell, cell_rows in run_in_pool(run_cell, tasks, args.jobs):
            rows += cell_rows
    else:
        for p, nd, e in cells:
            rows += run_cell(p, nd, e, args.n, args.seed)
            print(f"{p} {nd} {e}: {time.time() - t0:.0f} s", flush=True)
    raw = pd.DataFrame(rows, columns=COLUMNS)
    summ = summarise(raw)
    cpu = raw["seconds"].sum() if args.jobs > 1 else time.process_time() - c0
    meta = {
        "n": args.n, "seed": args.seed, "jobs": args.jobs, "cpu_s": float(cpu),
        "wall_s": time.time() - t0, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }  # fmt: skip
    if args.smoke:
        meta["smoke"] = True
    tag = smoke_tag(args.smoke)
    write_csv(summ, args.out / f"changepoint_calibration{tag}.csv")
    (args.out / f"changepoint_calibration{tag}.md").write_text(markdown(summ, meta))
    write_json(meta, args.out / f"changepoint_calibration_meta{tag}.json", indent=2)
    print(markdown(summ, meta))
    _run_dateset(cells, args, time.time())
    return summ


if __name__ == "__main__":
    main()

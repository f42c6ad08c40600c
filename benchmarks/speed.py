"""Speed and scale targets: median of several runs on this machine, target vs measured.

===========================================================  ==========================
measurement                                                  target
===========================================================  ==========================
``fit_its`` (defaults: NB, HAC automatic lag) on 365 days    < 20 ms
``detect_changepoints`` exact, with date sets, 365 days      < 10 ms
``detect_changepoints`` exact, with date sets, 3,650 days    < 0.5 s
``placebo_test`` over every admissible date, 365 days        < 1 s
``fit_its_latent_ar`` / default ``fit_its``, 365 days         ratio <= 1 (issue 12)
``trends report --out <tmp>`` wall, including start-up       < 10 s
ACLED read + aggregate, 1,000,000 rows                       < 10 s and < 2 GB peak RSS
ACLED read + aggregate, 10,000,000 rows                      < 24 GiB peak RSS
===========================================================  ==========================

The in-process timings are medians of ``--repeat`` runs after one warm-up call, each on the same
seeded simulated series (Idlib-like dynamics: about 4 attacks a day, NB size 4, latent AR(1) 0.7,
a 50% drop in the middle). ``detect_changepoints`` is called with its defaults (Poisson model, BIC,
up to 5 changes, exact search, 95% date sets) and a reference date; the negative binomial model is
timed too, for information. The ACLED rows use ``benchmarks/acled_scale.py`` (a fresh process per
measurement; peak RSS of that process). The 10M-row run writes a 4 GB file and takes minutes: it
runs only with ``--acled-10m`` (then the file is deleted and the result kept in
``results/acled_10m.json``); otherwise the last recorded result is reported with its date.

Usage (from the repository root)::

    .venv/bin/python benchmarks/speed.py                  # everything but the 10M-row run
    .venv/bin/python benchmarks/speed.py --acled-10m      # also the 10M-row run (minutes, 4 GB)
    .venv/bin/python benchmarks/speed.py --smoke          # CI: seconds, no targets judged
    .venv/bin/python benchmarks/speed.py --latent-ar-only --baseline 4533adb   # the issue-12 ratio

The latent-AR ratio (issue 12, item 5) times, interleaved on the same ``--latent-n`` seeded
365-day series (different seeds: the latent-AR optimiser's work varies by series), the default
``fit_its(y, date)`` (NB + Newey-West, 2,000 simulated counterfactual draws) and
``fit_its_latent_ar(y, date)``; each call is timed ``3`` times per series (the minimum kept) and
the ratio is of the medians over series. ``--baseline REV`` takes ``fit_its`` from a snapshot of
``trends/`` at git revision ``REV`` (see ``calibration_independent.py``).

Outputs: ``results/speed.csv`` and ``results/speed.md``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import inspect
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _common import (
    HERE,
    RESULTS,
    ROOT,
    WORK,
    benchmark_parser,
    machine_info,
    md_table,
    median_time,
    pin_blas_threads,
    smoke_tag,
    write_csv,
    write_json,
)

# One BLAS / OpenMP / Arrow thread in the child processes (acled_scale.py, ``trends report``) and
# in the libraries this process loads from here on; numpy's BLAS, loaded above, keeps its own
# count. These are the conditions of the published timings: this script used to get them as a
# side effect of importing ``md_table`` from ``calibration.py``.
pin_blas_threads()


def _series(n_days: int, seed: int = 1) -> tuple[pd.Series, pd.Timestamp]:
    from trends.simulate import Change, simulate_conflict

    changes = [Change(day=n_days // 2, level=0.5, label="ceasefire")]
    if n_days > 1000:
        changes += [Change(day=n_days // 5, level=1.8), Change(day=4 * n_days // 5, level=1.5)]
    sim = simulate_conflict(
        n_days, base_rate=4.0, ar_coef=0.7, ar_sd=0.35, dispersion=4.0, changes=changes, seed=seed
    )
    y = sim.frame["attacks"].astype(float).rename("attacks")
    return y, y.index[n_days // 2]


def in_process(repeat: int, smoke: bool = False) -> list[dict]:
    from trends.models.changepoint import detect_changepoints
    from trends.models.its import fit_its
    from trends.models.placebo import placebo_test

    warnings.simplefilter("ignore")
    rows = []
    y365, when365 = _series(365)
    long_n = 730 if smoke else 3650  # smoke: a shorter long series, seconds in CI
    y3650, when3650 = _series(long_n)
    long_label = f"{long_n:,} days"

    def add(name, target, fn, unit="ms", note="", judged=True, rep=repeat):
        med, times = median_time(fn, rep)
        value = med * 1000.0 if unit == "ms" else med
        rows.append(
            {
                "measurement": name,
                "target": target,
                "measured": value,
                "unit": unit,
                "runs": len(times),
                "min": min(times) * (1000.0 if unit == "ms" else 1.0),
                "met": _met(value, target) if judged else "info",
                "note": note,
            }
        )
        print(f"  {name}: {value:.3g} {unit}", flush=True)

    add("fit_its, NB + HAC auto (defaults), 365 days", 20.0, lambda: fit_its(y365, when365))
    if "intervals" in inspect.signature(fit_its).parameters:
        add(
            "fit_its, NB + HAC auto, intervals='delta', 365 days", 20.0,
            lambda: fit_its(y365, when365, intervals="delta"), judged=False,
            note="closed-form counterfactual intervals instead of 2,000 simulation draws",
        )  # fmt: skip
    add(
        "fit_its, NB + HAC auto, n_sim=100, 365 days", 20.0,
        lambda: fit_its(y365, when365, n_sim=100), judged=False,
        note="the smallest n_sim allowed: the cost of the model itself",
    )  # fmt: skip
    add(
        "detect_changepoints (defaults: negative binomial, BIC, exact, date sets), 365 days", 10.0,
        lambda: detect_changepoints(y365, reference=when365),
    )  # fmt: skip
    add(
        "detect_changepoints model='poisson', 365 days", 10.0,
        lambda: detect_changepoints(y365, model="poisson", reference=when365), judged=False,
    )  # fmt: skip
    add(
        f"detect_changepoints (defaults), {long_label}", 0.5,
        lambda: detect_changepoints(y3650, reference=when3650), unit="s",
        rep=max(1 if smoke else 3, repeat // 4),
    )  # fmt: skip
    add(
        f"detect_changepoints model='poisson', {long_label}", 0.5,
        lambda: detect_changepoints(y3650, model="poisson", reference=when3650), unit="s",
        judged=False, rep=max(1 if smoke else 3, repeat // 4),
    )  # fmt: skip
    its = fit_its(y365, when365)
    n_fake = placebo_test(y365, its).n_placebos
    add(
        "placebo_test, every admissible date, 365 days", 1.0,
        lambda: placebo_test(y365, its), unit="s", rep=max(1 if smoke else 3, repeat // 4),
        note=f"{n_fake} fake dates; the real ITS fit is not included",
    )  # fmt: skip
    return rows


def latent_ar_ratio(n_series: int, n_days: int = 365) -> list[dict]:
    """Time of ``fit_its_latent_ar`` relative to the default ``fit_its``, same series, one run."""
    from trends.models.its import fit_its
    from trends.models.latent_ar import fit_its_latent_ar

    warnings.simplefilter("ignore")
    old, new, ana = [], [], []
    for seed in range(n_series):
        y, when = _series(n_days, seed=seed + 1)
        fit_its(y, when), fit_its_latent_ar(y, when)  # warm-up (imports, caches)
        t_old, t_new, t_ana = [], [], []
        for _ in range(3):
            t0 = time.perf_counter()
            fit_its(y, when)
            t1 = time.perf_counter()
            fit_its_latent_ar(y, when)
            t2 = time.perf_counter()
            fit_its(y, when, intervals="analytic")
            t3 = time.perf_counter()
            t_old.append(t1 - t0)
            t_new.append(t2 - t1)
            t_ana.append(t3 - t2)
        old.append(min(t_old))
        new.append(min(t_new))
        ana.append(min(t_ana))
    old_a, new_a, ana_a = np.array(old) * 1e3, np.array(new) * 1e3, np.array(ana) * 1e3
    ratio = float(np.median(new_a) / np.median(old_a))
    note = (f"{n_series} series x 3 runs, interleaved; per-series ratio median "
            f"{np.median(new_a / old_a):.2f}, 95th percentile of new {np.percentile(new_a, 95):.1f} ms")  # fmt: skip
    rows = [
        {"measurement": f"fit_its defaults (NB + HAC, n_sim=2000), {n_days} days (reference)",
         "target": np.nan, "measured": float(np.median(old_a)), "unit": "ms", "runs": n_series,
         "min": float(old_a.min()), "met": "info", "note": "median over series"},
        {"measurement": f"fit_its_latent_ar (NB + latent AR(1), Laplace), {n_days} days",
         "target": np.nan, "measured": float(np.median(new_a)), "unit": "ms", "runs": n_series,
         "min": float(new_a.min()), "met": "info", "note": "median over series"},
        {"measurement": f"fit_its, NB + HAC, intervals='analytic', {n_days} days (the model alone)",
         "target": np.nan, "measured": float(np.median(ana_a)), "unit": "ms", "runs": n_series,
         "min": float(ana_a.min()), "met": "info", "note": "median over series"},
        {"measurement": f"ratio fit_its_latent_ar / fit_its defaults, {n_days} days",
         "target": 1.0, "measured": ratio, "unit": "x", "runs": n_series, "min": np.nan,
         "met": "met" if ratio <= 1.0 else "NOT MET", "note": note},
    ]  # fmt: skip
    for r in rows:
        print(f"  {r['measurement']}: {r['measured']:.3g} {r['unit']}", flush=True)
    return rows


def _ingarch(n_days: int, seed: int, drop: float = 0.6) -> pd.Series:
    """NB INGARCH(1,1) counts (not the latent-AR model): ``lam_t = w + a y_{t-1} + b lam_{t-1}``,
    size 4, the intercept ``w`` times ``drop`` from the middle day on."""
    rng = np.random.default_rng(seed)
    y, lam = np.zeros(n_days), 4.0
    for t in range(n_days):
        w = 1.2 * (drop if t >= n_days // 2 else 1.0)
        lam = w + 0.35 * (y[t - 1] if t else 4.0) + 0.35 * lam
        y[t] = rng.negative_binomial(4.0, 4.0 / (4.0 + lam))
    return pd.Series(y, index=pd.date_range("2020-01-01", periods=n_days, freq="D"), name="events")


def _placebo_pair(series: pd.Series, its, repeat: int) -> dict:
    """Cold and warm latent-AR placebo fits of one series: largest differences, p-values, times."""
    from trends.models.placebo import placebo_test

    t_cold, t_warm = [], []
    for _ in range(repeat):  # interleaved: the load of the machine hits both alike
        t0 = time.perf_counter()
        cold = placebo_test(series, its, warm_start=False)
        t1 = time.perf_counter()
        warm = placebo_test(series, its, warm_start=True)
        t_cold.append(t1 - t0)
        t_warm.append(time.perf_counter() - t1)
    pairs = {"coef": (cold.placebo_log_rr, warm.placebo_log_rr),
             "se": (cold.placebo_se, warm.placebo_se), "t": (cold.placebo_t, warm.placebo_t)}  # fmt: skip
    out: dict = {"n_fake": cold.n_placebos, "failed_equal": cold.n_failed == warm.n_failed}
    for k, (a, b) in pairs.items():
        a, b = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        ok = np.isfinite(a) & np.isfinite(b)
        out["same_nan"] = out.get("same_nan", True) and bool(np.array_equal(ok, np.isfinite(a)))
        out[f"rel_{k}"] = float(np.max(np.abs(b[ok] - a[ok]) / np.abs(a[ok]), initial=0.0))
    se = cold.placebo_se.to_numpy(dtype=float)
    diff = np.abs(warm.placebo_log_rr.to_numpy() - cold.placebo_log_rr.to_numpy())
    out["coef_diff_over_se"] = float(np.nanmax(diff / se, initial=0.0))
    out["p_equal"] = (cold.p_value == warm.p_value) and (
        cold.p_value_one_sided == warm.p_value_one_sided)  # fmt: skip
    out["p_cold"], out["p_warm"] = cold.p_value, warm.p_value
    out["cold_s"], out["warm_s"] = float(np.median(t_cold)), float(np.median(t_warm))
    out["ratio"] = float(np.median(np.array(t_cold) / np.array(t_warm)))
    return out


def placebo_latent(n_series: int, repeat: int = 3) -> list[dict]:
    """Warm-started against cold latent-AR placebo fits (issue 12 follow-up).

    The founding case's two outcomes (its own ``inference="latent_ar"`` fits, ``repeat`` timed
    runs each, interleaved) and ``n_series`` seeded 150-day series, half from
    :func:`trends.simulate.simulate_conflict`, half NB INGARCH(1,1) (:func:`_ingarch`), each
    fitted by ``fit_its(..., inference="latent_ar")`` at day 100 (one timed run each).
    """
    from trends import analyse_ceasefire, load_idlib_2019
    from trends.cases.idlib_2019 import DEFAULTS
    from trends.models.its import fit_its
    from trends.simulate import simulate_conflict

    warnings.simplefilter("ignore")
    case = load_idlib_2019()
    an = analyse_ceasefire(
        case.incidents, DEFAULTS["intervention"], start=case.timeline[DEFAULTS["start"]].start,
        end=DEFAULTS["end"], timeline=case.timeline, placebo=False, robustness=False,
    )  # fmt: skip
    rows = []
    for name, o in an.outcomes.items():
        if o.its is not None:
            row = _placebo_pair(o.series, o.its, repeat)
            rows.append({"series": f"founding case: {name}"} | row)
            print(f"  {rows[-1]}", flush=True)
    for seed in range(n_series):
        if seed % 2 == 0:
            sim = simulate_conflict(150, base_rate=4.0, ar_coef=0.6, ar_sd=0.4, dispersion=4.0,
                                    changes=[{"day": 100, "level": 0.6}], seed=100 + seed)  # fmt: skip
            y, kind = sim.frame["attacks"].astype(float).rename("attacks"), "simulate_conflict"
        else:
            y, kind = _ingarch(150, 100 + seed), "INGARCH(1,1)"
        its = fit_its(y, y.index[100], inference="latent_ar")
        rows.append({"series": f"{kind} seed {100 + seed}"} | _placebo_pair(y, its, 1))
        print(f"  {rows[-1]}", flush=True)
    return rows


def _met(value: float, target: float) -> str:
    return "met" if value < target else "NOT MET"


def report_wall(repeat: int) -> dict:
    exe = Path(sys.executable).with_name("trends")
    row = {"measurement": "`trends report --out <tmp>` wall, including start-up", "target": 10.0,
           "unit": "s", "note": ""}  # fmt: skip
    probe = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    if probe.returncode != 0 or " report " not in probe.stdout.replace("│", " "):
        row.update(measured=np.nan, runs=0, min=np.nan, met="pending",
                   note="the `trends report` command is not available yet")  # fmt: skip
        return row
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            out = subprocess.run(
                [str(exe), "report", "--out", tmp, "--quiet"], capture_output=True, text=True
            )
            times.append(time.perf_counter() - t0)
            if out.returncode != 0:
                row.update(measured=np.nan, runs=len(times), min=np.nan, met="FAILED",
                           note=(out.stderr or out.stdout).strip()[-300:])  # fmt: skip
                return row
            files = len(list(Path(tmp).rglob("*")))
    med = float(np.median(times))
    row.update(measured=med, runs=len(times), min=min(times), met=_met(med, 10.0),
               note=f"{files} files written")  # fmt: skip
    print(f"  trends report: {med:.3g} s", flush=True)
    return row


def acled(rows: int, repeat: int, smoke: bool = False) -> dict:
    args = [sys.executable, str(HERE / "acled_scale.py"), "--rows", str(rows), "--repeat",
            str(repeat)] + (["--smoke"] if smoke else [])  # fmt: skip
    out = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"acled_scale.py failed: {out.stderr[-500:]}")
    text = out.stdout
    return json.loads(text[text.index("{") :])


def acled_rows(smoke: bool, run_10m: bool) -> list[dict]:
    rows = []
    if smoke:
        r = acled(20_000, 1, smoke=True)
        m = r["median"]
        rows.append({"measurement": "ACLED read + aggregate, 20,000 rows (smoke)", "target": np.nan,
                     "measured": m["total_s"], "unit": "s", "runs": 1, "min": m["total_s"],
                     "met": "info", "note": f"peak RSS {m['peak_rss_mb']:.0f} MB"})  # fmt: skip
        (WORK / "acled_20000.csv").unlink(missing_ok=True)
        return rows
    r = acled(1_000_000, 3)
    m = r["median"]
    path = WORK / "acled_1000000.csv"
    rows.append({"measurement": "ACLED read + aggregate, 1,000,000 rows: time", "target": 10.0,
                 "measured": m["total_s"], "unit": "s", "runs": len(r["runs"]),
                 "min": min(x["total_s"] for x in r["runs"]), "met": _met(m["total_s"], 10.0),
                 "note": f"read {m['read_s']} s + aggregate {m['aggregate_s']} s; "
                 f"file {r['file_mb']:.0f} MB"})  # fmt: skip
    rows.append({"measurement": "ACLED read + aggregate, 1,000,000 rows: peak RSS", "target": 2048.0,
                 "measured": m["peak_rss_mb"], "unit": "MB", "runs": len(r["runs"]),
                 "min": min(x["peak_rss_mb"] for x in r["runs"]),
                 "met": _met(m["peak_rss_mb"], 2048.0), "note": "max RSS of the child process"})  # fmt: skip
    path.unlink(missing_ok=True)
    record = RESULTS / "acled_10m.json"
    if run_10m:
        r10 = acled(10_000_000, 1)
        r10["measured_on"] = _dt.date.today().isoformat()
        record.write_text(json.dumps(r10, indent=1))
        (WORK / "acled_10000000.csv").unlink(missing_ok=True)
    if record.exists():
        r10 = json.loads(record.read_text())
        m = r10["median"]
        when = r10.get("measured_on", "?")
        rows.append({"measurement": "ACLED read + aggregate, 10,000,000 rows: peak RSS",
                     "target": 24 * 1024.0, "measured": m["peak_rss_mb"], "unit": "MB", "runs": 1,
                     "min": m["peak_rss_mb"], "met": _met(m["peak_rss_mb"], 24 * 1024.0),
                     "note": f"{m['total_s']:.0f} s (read {m['read_s']:.0f} s + aggregate "
                     f"{m['aggregate_s']:.1f} s), file {r10['file_mb']:.0f} MB; measured {when}"
                     + ("" if run_10m else " (recorded; rerun with --acled-10m)")})  # fmt: skip
    else:
        rows.append({"measurement": "ACLED read + aggregate, 10,000,000 rows: peak RSS",
                     "target": 24 * 1024.0, "measured": np.nan, "unit": "MB", "runs": 0,
                     "min": np.nan, "met": "pending", "note": "run with --acled-10m"})  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = benchmark_parser(__doc__, smoke_help="seconds; no targets judged (CI)")
    parser.add_argument("--repeat", type=int, default=21, help="runs per in-process timing")
    parser.add_argument("--report-repeat", type=int, default=3)
    parser.add_argument("--acled-10m", action="store_true", help="also the 10M-row ACLED run")
    parser.add_argument("--no-acled", action="store_true", help="skip the ACLED measurements")
    parser.add_argument("--latent-n", type=int, default=30, help="series for the latent-AR ratio")
    parser.add_argument("--latent-ar-only", action="store_true", help="only the latent-AR ratio")
    parser.add_argument("--baseline", default=None, help="git revision of fit_its (snapshot)")
    parser.add_argument(
        "--placebo-latent", type=int, default=None, metavar="N",
        help="only the warm/cold latent-AR placebo comparison (founding case + N series)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.smoke:
        args.repeat = 1
        args.latent_n = 2
    if args.baseline:
        from calibration_independent import snapshot

        sys.path.insert(0, str(snapshot(args.baseline)))
    if args.placebo_latent is not None:
        return _write_placebo(pd.DataFrame(placebo_latent(args.placebo_latent)), args)
    if args.latent_ar_only:
        return _write(
            pd.DataFrame(latent_ar_ratio(args.latent_n)), args, machine_info(), "_latent_ar"
        )
    info = machine_info()
    print(
        f"speed: {info.get('nproc')} cores, Python {info['python']}, load {info['load_average_1min_at_start']:.2f}"
    )
    rows = in_process(args.repeat, args.smoke)
    rows += latent_ar_ratio(args.latent_n)
    if not args.smoke:
        rows.append(report_wall(args.report_repeat))
    if not args.no_acled:
        rows += acled_rows(args.smoke, args.acled_10m)
    return _write(pd.DataFrame(rows), args, info, "")


def _write(df: pd.DataFrame, args: argparse.Namespace, info: dict, name: str) -> pd.DataFrame:
    """Write ``speed{name}{_smoke}.csv/.md`` and the machine description."""
    if args.smoke:
        df["met"] = "smoke (not judged)"
    tag = name + smoke_tag(args.smoke)
    write_csv(df, args.out / f"speed{tag}.csv", float_format="%.5g")
    show = df[["measurement", "target", "measured", "unit", "met", "runs", "note"]]
    md = [
        "# Speed and scale" + (" (SMOKE RUN: not judged)" if args.smoke else ""),
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
        md_table(show, digits=3),
        "",
    ]
    (args.out / f"speed{tag}.md").write_text("\n".join(md))
    write_json(info, args.out / f"speed_machine{tag}.json")
    print(md_table(show, digits=3))
    return df


def _write_placebo(df: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """Write ``speed_latent_ar_placebo{_smoke}.csv/.md``."""
    tag = "_latent_ar_placebo" + smoke_tag(args.smoke)
    write_csv(df, args.out / f"speed{tag}.csv", float_format="%.4g")
    tiny = ("rel_coef", "rel_se", "rel_t", "coef_diff_over_se")
    worst = {k: float(df[k].max()) for k in tiny}
    shown = df.assign(**{k: df[k].map(lambda v: f"{v:.2g}") for k in tiny})
    md = [
        "# Latent-AR placebo: warm-started against cold fake fits",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine_info().items()),
        "",
        "Each fake date's latent-AR fit started from the previous date's optimum (the Newton "
        "polish alone, the cold search as the fallback) against the cold fit. `rel_*`: largest "
        "relative difference over the fake dates; `ratio`: cold / warm time of `placebo_test` "
        "(median of interleaved runs; founding case 3 runs, the others 1).",
        "",
        "Largest over all series: " + ", ".join(f"{k} {v:.2g}" for k, v in worst.items())
        + f"; p-values identical in {int(df['p_equal'].sum())} of {len(df)}; median ratio "
        f"{df['ratio'].median():.2f}.",
        "",
        "Reading: on the founding case the warm fits equal the cold ones (largest relative "
        "difference of t 5e-9); on 5 of the 20 simulated series at least one fake window's "
        "likelihood has two optima and the warm chain keeps the previous date's where the cold "
        "search finds the other (up to 0.78 SE on a level change; the placebo p-values did not "
        "change). INGARCH series often put theta at its bound, where the warm path falls back "
        "to the cold search (ratio about 1). Hence `warm_start=False` stays the default.",
        "",
        md_table(shown, digits=3),
        "",
    ]  # fmt: skip
    (args.out / f"speed{tag}.md").write_text("\n".join(md))
    print("\n".join(md[:8]))
    return df


if __name__ == "__main__":
    main()

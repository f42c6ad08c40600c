"""trends side by side with the tools an analyst would otherwise use, on the SAME simulated series.

Series: the ``no_effect``, ``drop_50`` and ``drop_75`` presets of :mod:`trends.simulate` (the
Idlib-like design: 245 days, a change on 2019-08-31, about 4 attacks a day, NB size 4 on top of
an AR(1) latent intensity with coefficient 0.7), ``--n`` series each.

Change points (truth: the change day)
    trends ``detect_changepoints(model="negbin")`` (BIC) and ``n_changes=1`` against ruptures
    ``Pelt`` (penalised, ``pen = log(n) sigma^2`` with ``sigma`` from the MAD of the first
    differences, as in ruptures' documentation), ``Binseg`` and ``Dynp`` (one change), all with
    the ``l2`` cost, ``min_size=1`` and ``jump=1`` (every day allowed). Reported: time per series,
    mean / median ``|days off|`` of the change nearest the truth, and their RATIO to trends.
    ruptures gives no uncertainty for the date; trends gives a 95% set (its coverage is shown).

ITS level change (truth: the preset's rate ratio)
    trends ``fit_its`` (package defaults: negative binomial, HAC automatic lag; timed both with
    its default ``n_sim=2000`` counterfactual draws and with ``n_sim=100``) against plain
    statsmodels on the same design (intercept, trend, level, slope change): ``GLM`` Poisson and
    the ``NegativeBinomial`` (NB2, alpha by ML) count model, with model-based errors, and GLM
    Poisson with ``cov_type="HAC"`` (``maxlags=7``). Reported: time per series, coverage of the
    95% CI, RMSE of the log rate ratio, and time / error RATIOS to trends.

Optional peers (the ``bench`` extra)
    CausalPy ``InterruptedTimeSeries`` (PyMC linear regression ``y ~ 1 + t`` on the pre-period,
    2 chains x 500 draws) on ``--causalpy-n`` series per preset: its post-period relative effect
    ``sum(y_post) / sum(counterfactual)`` is compared with the true rate ratio. CausalImpact
    implementations are tried and skipped with the reason printed (none runs on this stack).

Usage (from the repository root)::

    .venv/bin/python benchmarks/peers.py                 # 300 series per preset, CausalPy on 10
    .venv/bin/python benchmarks/peers.py --smoke         # CI: a few series, no CausalPy

Outputs (``benchmarks/results/``): ``peers_changepoint.csv``, ``peers_its.csv``, ``peers.md``.
"""

from __future__ import annotations

from _common import pin_blas_threads

pin_blas_threads()

import importlib.util  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    benchmark_parser,
    covers,
    default_jobs,
    md_table,
    package_version,
    run_in_pool,
    smoke_tag,
    timed,
    wald_limits,
    write_csv,
    write_json,
)

PRESETS = ["no_effect", "drop_50", "drop_75"]


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _design(n: int, p0: int) -> np.ndarray:
    """The ITS design of trends.fit_its: intercept, t = 1..n, level, slope change (ramp)."""
    t = np.arange(1, n + 1, dtype=float)
    post = (np.arange(n) >= p0).astype(float)
    ramp = np.maximum(np.arange(n) - p0 + 1, 0).astype(float)
    return np.column_stack([np.ones(n), t, post, ramp])


def _ruptures(algo: str, y: np.ndarray, predict: dict) -> list[int]:
    import ruptures as rpt

    return getattr(rpt, algo)(model="l2", min_size=1, jump=1).fit(y).predict(**predict)


def _sm_poisson(y: np.ndarray, x: np.ndarray):
    import statsmodels.api as sm

    return sm.GLM(y, x, family=sm.families.Poisson()).fit()


def _sm_poisson_hac(y: np.ndarray, x: np.ndarray):
    import statsmodels.api as sm

    return sm.GLM(y, x, family=sm.families.Poisson()).fit(cov_type="HAC", cov_kwds={"maxlags": 7})


def _sm_negbin(y: np.ndarray, x: np.ndarray):
    import statsmodels.api as sm

    return sm.NegativeBinomial(y, x, loglike_method="nb2").fit(disp=0, maxiter=200)


def _nearest(bkps: list[int], truth: int) -> float:
    """|days off| of the break nearest the truth (ruptures: break = first index of new segment)."""
    inner = list(bkps)[:-1]  # the last element is n
    if not inner:
        return math.nan
    return float(min(abs(b - truth) for b in inner))


def analyse_chunk(preset_name: str, first: int, attacks: np.ndarray, smoke: bool) -> dict:
    """Run trends and every peer on a block of series; per-series rows."""
    from trends.models.changepoint import detect_changepoints
    from trends.models.its import fit_its
    from trends.simulate import preset

    warnings.simplefilter("ignore")
    kw = preset(preset_name)
    dates = pd.date_range(kw["start"], periods=kw["n_days"], freq="D")
    when = pd.Timestamp(kw["changes"][0].day)
    p0 = int(dates.get_loc(when))
    n = len(dates)
    x = _design(n, p0)
    with_ruptures = have("ruptures")
    cp_rows, its_rows = [], []
    # warm-up (imports, caches) on the first series, not recorded
    y0 = pd.Series(attacks[0].astype(float), index=dates)
    detect_changepoints(y0, model="negbin", reference=when)
    fit_its(y0, when, n_sim=100)
    _sm_poisson(y0.to_numpy(), x)
    for k in range(attacks.shape[0]):
        i = first + k
        yv = attacks[k].astype(float)
        y = pd.Series(yv, index=dates, name="attacks")
        # ---------------------------------------------------------------- change points
        for name, kwargs in (
            ("trends negbin BIC", {"model": "negbin"}),
            ("trends negbin 1 change", {"model": "negbin", "n_changes": 1, "method": "dp"}),
        ):
            try:
                res, dt = timed(detect_changepoints, y, reference=when, **kwargs)
                c = res.comparison
                off = math.nan if c.offset_days is None else abs(float(c.offset_days))
                cp_rows.append((preset_name, i, name, dt, res.n_changes, off, c.in_set))
            except Exception:
                cp_rows.append((preset_name, i, name, math.nan, 0, math.nan, None))
        if with_ruptures:
            sigma = np.median(np.abs(np.diff(yv))) / 0.6745 / math.sqrt(2.0)
            sigma = sigma if sigma > 0 else float(np.std(yv))
            pen = math.log(n) * sigma**2
            for name, algo, pred in (
                ("ruptures Pelt l2 (pen log(n) sigma^2)", "Pelt", {"pen": pen}),
                ("ruptures Binseg l2 1 change", "Binseg", {"n_bkps": 1}),
                ("ruptures Dynp l2 1 change", "Dynp", {"n_bkps": 1}),
            ):
                try:
                    bk, dt = timed(_ruptures, algo, yv, pred)
                    cp_rows.append((preset_name, i, name, dt, len(bk) - 1, _nearest(bk, p0), None))
                except Exception:
                    cp_rows.append((preset_name, i, name, math.nan, 0, math.nan, None))
        # ---------------------------------------------------------------- ITS
        for name, its_kw in (
            ("trends fit_its (default: NB + HAC auto, n_sim=2000)", {}),
            ("trends fit_its (NB + HAC auto, n_sim=100)", {"n_sim": 100}),
        ):
            if smoke and not its_kw:
                continue
            try:
                r, dt = timed(fit_its, y, when, **its_kw)
                lc = r.level_change
                its_rows.append((preset_name, i, name, dt, lc.coef, lc.se))
            except Exception:
                its_rows.append((preset_name, i, name, math.nan, math.nan, math.nan))
        for name, call in (
            ("statsmodels GLM Poisson (model SE)", _sm_poisson),
            ("statsmodels NegativeBinomial NB2 (model SE)", _sm_negbin),
            ("statsmodels GLM Poisson (HAC maxlags=7)", _sm_poisson_hac),
        ):
            try:
                r, dt = timed(call, yv, x)
                its_rows.append((preset_name, i, name, dt, float(r.params[2]), float(r.bse[2])))
            except Exception:
                its_rows.append((preset_name, i, name, math.nan, math.nan, math.nan))
    return {"cp": cp_rows, "its": its_rows}


def run_causalpy(batches: dict[str, np.ndarray], n_each: int) -> tuple[list[tuple], dict]:
    """CausalPy ITS on the first ``n_each`` series of each preset (sequential: seconds each)."""
    import logging

    for name in ("pymc", "causalpy", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import causalpy as cp

        from trends.simulate import preset

    rows = []
    info = {"version": getattr(cp, "__version__", "?")}

    def one(y: np.ndarray, dates, when, seed):
        df = pd.DataFrame({"y": y, "t": np.arange(len(y), dtype=float)}, index=dates)
        model = cp.pymc_models.LinearRegression(
            sample_kwargs={"draws": 500, "tune": 500, "chains": 2, "cores": 1,
                           "progressbar": False, "random_seed": seed}
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = cp.InterruptedTimeSeries(df, when, formula="y ~ 1 + t", model=model)
        mu = np.asarray(res.post_pred.values, dtype=float)
        mu = mu.reshape(mu.shape[0] * mu.shape[1], mu.shape[2], -1)[..., 0]
        ratio = y[dates >= when].sum() / mu.sum(axis=1)
        ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
        return (float(np.median(ratio)), float(np.quantile(ratio, 0.025)),
                float(np.quantile(ratio, 0.975)))  # fmt: skip

    first = True
    for pname, att in batches.items():
        kw = preset(pname)
        dates = pd.date_range(kw["start"], periods=kw["n_days"], freq="D")
        when = pd.Timestamp(kw["changes"][0].day)
        for i in range(min(n_each, att.shape[0])):
            (est, lo, hi), dt = timed(one, att[i].astype(float), dates, when, i)
            if first:  # the first call compiles the model: timed apart
                info["first_call_s"] = dt
                first = False
                (est, lo, hi), dt = timed(one, att[i].astype(float), dates, when, i)
            rows.append((pname, i, "CausalPy ITS (PyMC LinearRegression y ~ 1 + t)", dt,
                         math.log(est), lo, hi))  # fmt: skip
    return rows, info


CAUSALIMPACT_NOTES = {
    "pycausalimpact": "pycausalimpact 0.1.1 (2020) installs but fails on pandas >= 2 "
    "(DataFrame.applymap, positional Series[0]); not maintained",
    "causalimpact": "causalimpact 0.2.6 installs but fails on pandas 3 "
    "(pandas.core.dtypes.common.is_datetime_or_timedelta_dtype, positional Series[0]) and on "
    "statsmodels 0.15 (get_forecast(alpha=...)); it also needs at least one covariate series",
    "tfcausalimpact": "tfcausalimpact needs TensorFlow 2.21 + TensorFlow Probability (about 1 GB) "
    "and pins pandas 2.2.3, which would downgrade this project's pandas: not installed",
}


def _causalimpact_status() -> dict[str, str]:
    """Why each CausalImpact port is skipped (checked again at run time where installed)."""
    out = {}
    for mod, note in CAUSALIMPACT_NOTES.items():
        out[mod] = ("installed here, but: " if have(mod) else "tried and removed: ") + note
    return out


def summarise(cp_df: pd.DataFrame, its_df: pd.DataFrame, levels: dict[str, float]):
    cp_rows = []
    for (pname, tool), g in cp_df.groupby(["preset", "tool"], sort=False):
        off = g["abs_days_off"].to_numpy(dtype=float)
        ins = g["in_set"].dropna()
        cp_rows.append(
            {
                "preset": pname,
                "tool": tool,
                "n": len(g),
                "median_ms": 1000 * float(np.nanmedian(g["seconds"])),
                "detected": float(np.mean(g["n_changes"] > 0)),
                "mean_changes": float(g["n_changes"].mean()),
                "mean_abs_days_off": float(np.nanmean(off)) if np.isfinite(off).any() else np.nan,
                "median_abs_days_off": float(np.nanmedian(off))
                if np.isfinite(off).any()
                else np.nan,
                "date_set_coverage": float(ins.astype(float).mean()) if len(ins) else np.nan,
            }
        )
    cps = pd.DataFrame(cp_rows)
    # ratios to the matching trends search: one-change peers vs trends with one change,
    # penalised peers vs trends BIC
    ratio_rows = []
    for pname, g in cps.groupby("preset", sort=False):
        ref = {
            "bic": g[g["tool"] == "trends negbin BIC"].iloc[0],
            "one": g[g["tool"] == "trends negbin 1 change"].iloc[0],
        }
        for _, r in g.iterrows():
            if r["tool"].startswith("trends"):
                continue
            base = ref["one"] if "1 change" in r["tool"] else ref["bic"]
            ratio_rows.append(
                {
                    "preset": pname,
                    "peer": r["tool"],
                    "vs": base["tool"],
                    "time_ratio": r["median_ms"] / base["median_ms"],
                    "mean_days_off_ratio": r["mean_abs_days_off"] / base["mean_abs_days_off"],
                    "median_days_off_ratio": r["median_abs_days_off"] / base["median_abs_days_off"]
                    if base["median_abs_days_off"] > 0
                    else np.nan,
                    "peer_date_uncertainty": "none",
                    "trends_set_coverage": base["date_set_coverage"],
                }
            )
    cp_ratios = pd.DataFrame(ratio_rows)

    its_rows = []
    for (pname, tool), g in its_df.groupby(["preset", "tool"], sort=False):
        truth = math.log(levels[pname])
        b = g["coef"].to_numpy(dtype=float)
        ok = np.isfinite(b)
        if "ci_low" in g and g["ci_low"].notna().any():
            lo, hi = np.log(g["ci_low"].to_numpy(float)), np.log(g["ci_high"].to_numpy(float))
        else:
            se = g["se"].to_numpy(dtype=float)
            lo, hi = wald_limits(b, se)
        ok &= np.isfinite(lo) & np.isfinite(hi)
        cover = covers(lo[ok], hi[ok], truth)
        its_rows.append(
            {
                "preset": pname,
                "tool": tool,
                "n": int(ok.sum()),
                "failed": int((~ok).sum()),
                "median_ms": 1000 * float(np.nanmedian(g["seconds"])),
                "coverage": float(cover.mean()) if ok.any() else np.nan,
                "rmse_log_rr": float(np.sqrt(np.mean((b[ok] - truth) ** 2)))
                if ok.any()
                else np.nan,
                "bias_log_rr": float(np.mean(b[ok] - truth)) if ok.any() else np.nan,
                "mean_ci_width_rr": float(np.mean(np.exp(hi[ok]) - np.exp(lo[ok])))
                if ok.any()
                else np.nan,
            }
        )
    itss = pd.DataFrame(its_rows)
    ratio_rows = []
    for pname, g in itss.groupby("preset", sort=False):
        base = g[g["tool"].str.startswith("trends fit_its (default")]
        base = base.iloc[0] if len(base) else g[g["tool"].str.startswith("trends")].iloc[0]
        fast = g[g["tool"] == "trends fit_its (NB + HAC auto, n_sim=100)"]
        for _, r in g.iterrows():
            if r["tool"].startswith("trends"):
                continue
            ratio_rows.append(
                {
                    "preset": pname,
                    "peer": r["tool"],
                    "n": r["n"],
                    "time_ratio_vs_trends_default": r["median_ms"] / base["median_ms"],
                    "time_ratio_vs_trends_nsim100": r["median_ms"] / fast.iloc[0]["median_ms"]
                    if len(fast)
                    else np.nan,
                    "rmse_ratio": r["rmse_log_rr"] / base["rmse_log_rr"],
                    "peer_coverage": r["coverage"],
                    "trends_coverage": base["coverage"],
                }
            )
    its_ratios = pd.DataFrame(ratio_rows)
    return cps, cp_ratios, itss, its_ratios


def main(argv: list[str] | None = None) -> dict:
    parser = benchmark_parser(
        __doc__, n=300, n_help="series per preset (default 300)", seed=20190831,
        jobs=default_jobs(), smoke_help="a few series, no CausalPy (CI)",
    )  # fmt: skip
    parser.add_argument("--causalpy-n", type=int, default=10, help="CausalPy series per preset")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.causalpy_n = min(args.n, 4), 0
    from trends.simulate import preset, simulate_many

    t_start = time.perf_counter()
    skipped: dict[str, str] = {}
    if not have("ruptures"):
        skipped["ruptures"] = (
            "not installed (pip install -e '.[bench]'): change-point peers skipped, trends side only"
        )
    batches, levels = {}, {}
    for k, pname in enumerate(PRESETS):
        kw = preset(pname)
        levels[pname] = kw["changes"][0].level
        batches[pname] = simulate_many(
            args.n, seed=np.random.SeedSequence([args.seed, k]), output="batch", **kw
        ).attacks
    chunk = max(1, min(25, args.n // 2))
    cp_rows, its_rows = [], []
    tasks = (
        (pname, (pname, a, att[a : a + chunk], args.smoke))
        for pname, att in batches.items()
        for a in range(0, args.n, chunk)
    )
    for _pname, r in run_in_pool(analyse_chunk, tasks, args.jobs):
        cp_rows += r["cp"]
        its_rows += r["its"]
    cp_df = pd.DataFrame(
        cp_rows, columns=["preset", "series", "tool", "seconds", "n_changes", "abs_days_off", "in_set"]
    )  # fmt: skip
    its_df = pd.DataFrame(its_rows, columns=["preset", "series", "tool", "seconds", "coef", "se"])
    causalpy_info: dict = {}
    if args.causalpy_n > 0 and have("causalpy"):
        try:
            rows, causalpy_info = run_causalpy(batches, args.causalpy_n)
            extra = pd.DataFrame(
                rows, columns=["preset", "series", "tool", "seconds", "coef", "ci_low", "ci_high"]
            )
            its_df = pd.concat([its_df.assign(ci_low=np.nan, ci_high=np.nan), extra])
        except Exception as exc:
            skipped["causalpy"] = f"failed at run time: {type(exc).__name__}: {exc}"
    elif args.causalpy_n > 0:
        skipped["causalpy"] = "not installed (pip install causalpy, or the bench extra)"
    else:
        skipped["causalpy"] = "not run (--causalpy-n 0 / smoke mode: seconds per series)"
    skipped.update(_causalimpact_status())
    for k, v in skipped.items():
        print(f"skipped {k}: {v}")
    cps, cp_ratios, itss, its_ratios = summarise(cp_df, its_df, levels)
    wall = time.perf_counter() - t_start
    versions = {"trends": package_version("trends"), "statsmodels": package_version("statsmodels")}
    for mod in ("ruptures", "causalpy", "pymc"):
        if have(mod):
            versions[mod] = package_version(mod)
    meta = {"n_per_preset": args.n, "causalpy_n": args.causalpy_n, "seed": args.seed,
            "jobs": args.jobs, "wall_s": wall, "skipped": skipped, "versions": versions,
            "causalpy": causalpy_info}  # fmt: skip
    tag = smoke_tag(args.smoke)
    out = args.out
    tables = {"changepoint": cps, "changepoint_ratios": cp_ratios, "its": itss,
              "its_ratios": its_ratios}  # fmt: skip
    for name, df in tables.items():
        write_csv(df, out / f"peers_{name}{tag}.csv", float_format="%.5g")
    write_json(meta, out / f"peers_meta{tag}.json")
    md = [
        "# trends vs peers" + (" (SMOKE RUN)" if args.smoke else ""),
        "",
        f"{args.n} series per preset (`no_effect`, `drop_50`, `drop_75`: 245 days, Idlib-like "
        f"dynamics), seed {args.seed}, {args.jobs} worker(s), {wall:.0f} s wall. Times are "
        "medians per series on the same series, measured in the same worker process, "
        "interleaved; ratios are peer / trends (time ratio > 1: the peer is slower; error ratio "
        "> 1: the peer is further from the truth). Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ".",
        "",
        "## Change points: ratios to trends",
        "",
        md_table(cp_ratios) if len(cp_ratios) else "(ruptures not installed: no ratios)",
        "",
        "## Change points: absolute figures",
        "",
        md_table(cps),
        "",
        "## ITS level change: ratios to trends (default fit_its)",
        "",
        md_table(its_ratios),
        "",
        "## ITS level change: absolute figures",
        "",
        md_table(itss),
        "",
        "## Skipped peers",
        "",
        *[f"- **{k}**: {v}" for k, v in skipped.items()],
        "",
    ]
    if causalpy_info:
        md += [
            f"CausalPy {causalpy_info.get('version')}: the first call (model compilation) took "
            f"{causalpy_info.get('first_call_s', float('nan')):.1f} s and is not counted. Its "
            "estimate is the posterior median of sum(y_post) / sum(counterfactual mean) over the "
            "post period, with a 95% equal-tailed credible interval; it models counts as "
            "Gaussian with a linear trend fitted on the pre-period only.",
            "",
        ]
    (out / f"peers{tag}.md").write_text("\n".join(md))
    print(md_table(cp_ratios) if len(cp_ratios) else "no change-point peers")
    print(md_table(its_ratios))
    print(f"wall {wall:.1f} s")
    return {"cp": cps, "cp_ratios": cp_ratios, "its": itss, "its_ratios": its_ratios, "meta": meta}


if __name__ == "__main__":
    main()

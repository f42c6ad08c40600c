"""Calibration and accuracy of trends' estimates on simulated series with a known truth.

For every scenario (effect x overdispersion x autocorrelation x length) ``--n`` series are simulated
with :func:`trends.simulate.simulate_many` and analysed three ways:

1. **ITS level change.** :func:`trends.models.its.fit_its` is fitted once per family (negative
   binomial, Poisson) with the package's default specification (trend, level and slope change).
   Every error option is taken from that single fit (no refit):

   ==================  =========================================================================
   option              covariance
   ==================  =========================================================================
   ``nb_hac_auto``     NB, Newey-West automatic bandwidth + prewhitening (**package default**)
   ``nb_hac_lag7``     NB, Newey-West fixed lag 7, no prewhitening (``fit.with_hac(7)``)
   ``nb_hc0``          NB, HC0 sandwich (heteroskedasticity only)
   ``nb_model``        NB, model-based (what ``MASS::glm.nb`` / a plain NB GLM reports)
   ``pois_model``      Poisson, model-based (a plain Poisson GLM, statsmodels / R ``glm``)
   ``qpois_model``     quasi-Poisson, model-based (Poisson fit, scale = Pearson X2/df)
   ``pois_hac_auto``   Poisson / quasi-Poisson, Newey-West automatic (identical for both)
   ``pois_hac_lag7``   Poisson / quasi-Poisson, Newey-West fixed lag 7
   ==================  =========================================================================

   Reported per option: coverage of the 95% CI of the level-change rate ratio (with its Monte
   Carlo standard error), bias and RMSE of the log rate ratio, mean and median CI width (rate
   ratio scale), rejection rate at p < 0.05 (false-positive rate when there is no effect, power
   otherwise) and the median HAC lag.

2. **Change-point dating.** :func:`trends.models.changepoint.detect_changepoints` on the attacks,
   compared with the true date through ``result.compare(true_date)``: Poisson / BIC, negative
   binomial / BIC (the package default model), and negative binomial with exactly one change,
   on the first ``--cp-n`` series of each scenario. ``--cp-only`` runs these searches alone on the
   same simulated series (same seeds) and rebuilds ``calibration.md`` from the saved ITS and
   claims CSVs, which it does not rewrite.
   Reported: detection rate (at least one change), rate of a change within 7 days, mean and
   median ``|days off|`` of the change nearest the truth, coverage of its 95% date set.

3. **Claims verdicts.** A cumulative civilian-deaths claim "since the intervention" is made at the
   true total ``T`` times ``1 + x`` for ``x`` in -50%..+50% with every qualifier, and checked with
   :func:`trends.models.claims.verdict` against a recorded low / best / high built from the true
   daily deaths by a stated measurement model (see :func:`_recorded_range`). A verdict is *right*
   when "supported" goes with a claim that is true of ``T`` (or "not supported" with one that is
   false), *wrong* in the opposite cases, else *undetermined*.

Usage (from the repository root)::

    .venv/bin/python benchmarks/calibration.py              # 2,000 series per scenario, 2 jobs
    .venv/bin/python benchmarks/calibration.py --grid full  # every length for every combination
    .venv/bin/python benchmarks/calibration.py --smoke      # CI: a few series, seconds
    .venv/bin/python benchmarks/calibration.py --cp-only --cp-n 2000   # change points only

Outputs (``benchmarks/results/``): ``calibration_its.csv``, ``calibration_changepoint.csv``,
``calibration_claims.csv``, ``calibration.md`` (all tables) and ``calibration_coverage.png``.
Everything is seeded (``--seed``): the same command gives the same tables.
"""

from __future__ import annotations

from _common import pin_blas_threads

pin_blas_threads()  # one BLAS thread per worker process: the parallelism is across series

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    WORK,
    Z95,
    benchmark_parser,
    covers,
    default_jobs,
    md_table,
    nominal_coverage_se,
    proportion_se,
    run_in_pool,
    smoke_tag,
    wald_limits,
    write_csv,
    write_json,
)

OPTIONS = [
    "nb_hac_auto",
    "nb_hac_lag7",
    "nb_hc0",
    "nb_model",
    "pois_model",
    "qpois_model",
    "pois_hac_auto",
    "pois_hac_lag7",
]
OPTION_LABELS = {
    "nb_hac_auto": "NB + HAC auto (default)",
    "nb_hac_lag7": "NB + HAC lag 7",
    "nb_hc0": "NB + HC0",
    "nb_model": "NB model SE (plain NB GLM)",
    "pois_model": "Poisson model SE (plain GLM)",
    "qpois_model": "quasi-Poisson model SE",
    "pois_hac_auto": "Poisson + HAC auto",
    "pois_hac_lag7": "Poisson + HAC lag 7",
}
CP_VARIANTS = {
    "poisson_bic": {"model": "poisson"},
    "negbin_bic": {"model": "negbin"},
    "negbin_one": {"model": "negbin", "n_changes": 1, "method": "dp"},
}
QUALIFIERS = ["at_least", "more_than", "fewer_than", "at_most", "around", "exactly"]
CLAIM_OFFSETS = [-0.5, -0.25, -0.1, -0.05, 0.0, 0.05, 0.1, 0.25, 0.5]
#: measurement models of the recorded deaths (see _recorded_range): the probability that a true
#: death is in the best figure
MEASUREMENT = {"best = 90% of true": 0.9, "best = 60% of true": 0.6}
LOW_KEEP = 0.8
HIGH_EXTRA = 0.3

EFFECTS = {"none": 1.0, "-50%": 0.5, "-75%": 0.25}
DISPERSION = {"low": None, "high": 2.0}  # NB size of attacks given the latent intensity
AUTOCORR = {"low": 0.2, "high": 0.7}  # AR(1) coefficient of the latent log intensity
BASE = {"base_rate": 4.0, "ar_sd": 0.35, "deaths_per_attack": "zinb", "start": "2019-01-01"}


@dataclass(frozen=True)
class Scenario:
    """One simulation design."""

    name: str
    effect: str
    level: float
    dispersion: str
    theta: float | None
    autocorr: str
    ar_coef: float
    n_days: int
    change_day: int
    ar_sd: float = BASE["ar_sd"]
    base_rate: float = BASE["base_rate"]
    start: str = BASE["start"]

    def columns(self) -> dict:
        """The scenario's columns in the summary tables (name, effect, design, length)."""
        return {"scenario": self.name, "effect": self.effect, "dispersion": self.dispersion,
                "autocorr": self.autocorr, "n_days": self.n_days}  # fmt: skip

    def sim_kwargs(self) -> dict:
        from trends.simulate import Change

        return {
            "n_days": self.n_days,
            "start": self.start,
            "base_rate": self.base_rate,
            "ar_coef": self.ar_coef,
            "ar_sd": self.ar_sd,
            "dispersion": self.theta,
            "changes": [Change(day=self.change_day, level=self.level, label="intervention")],
            "deaths_per_attack": BASE["deaths_per_attack"],
        }


def scenarios(grid: str) -> list[Scenario]:
    """The scenario list: ``priority`` (default), ``full`` or ``smoke``."""
    out: list[Scenario] = []

    def add(effect, disp, ac, n_days, name=None, **extra):
        level = EFFECTS[effect]
        nm = name or f"{effect}, disp {disp}, AC {ac}, {n_days}d"
        out.append(
            Scenario(
                name=nm,
                effect=effect,
                level=level,
                dispersion=disp,
                theta=DISPERSION[disp] if disp in DISPERSION else extra.pop("theta"),
                autocorr=ac,
                ar_coef=AUTOCORR[ac] if ac in AUTOCORR else extra.pop("ar_coef"),
                n_days=n_days,
                change_day=extra.pop("change_day", n_days // 2),
                **extra,
            )
        )

    def idlib(effect):
        # the idlib_2019 / no_effect / drop_50 / drop_75 presets: 245 days from 2019-04-26,
        # change on 2019-08-31 (day 127), base 4/day, theta 4, AR 0.7, sd 0.35
        add(effect, "idlib (theta 4)", "idlib (0.7)", 245, name=f"{effect}, idlib_2019 preset, 245d",
            theta=4.0, ar_coef=0.7, change_day=127, start="2019-04-26")  # fmt: skip

    if grid == "smoke":
        add("none", "high", "high", 120)
        add("-75%", "low", "low", 120)
        return out
    lengths_all = [120, 365, 730] if grid == "full" else [365]
    for effect in EFFECTS:
        for disp in DISPERSION:
            for ac in AUTOCORR:
                for n_days in lengths_all:
                    add(effect, disp, ac, n_days)
    if grid != "full":
        for effect in EFFECTS:  # the Idlib-like combination at the other lengths
            for n_days in (120, 730):
                add(effect, "high", "high", n_days)
    for effect in EFFECTS:
        idlib(effect)
    return out


# ------------------------------------------------------------------------------------------
# worker side
# ------------------------------------------------------------------------------------------
def _recorded_range(
    deaths: np.ndarray, rng: np.random.Generator, record_p: float
) -> tuple[float, float, float]:
    """Recorded low / best / high of a window's true daily deaths.

    Measurement model (stated in the README): each true death is recorded in the *best* figure
    with probability ``record_p`` (incident data are a floor); the *low* figure keeps each
    recorded death with probability 0.8 (the conservative count drops uncertain ones); the *high*
    figure adds a Poisson number of contested deaths with mean 0.3 x best. With
    ``record_p = 0.9``, on average low = 0.72 T, best = 0.9 T, high = 1.17 T for a true total T;
    with ``record_p = 0.6``, low = 0.48 T, best = 0.6 T, high = 0.78 T (the truth is above the
    whole recorded range).
    """
    best = rng.binomial(deaths, record_p)
    low = rng.binomial(best, LOW_KEEP)
    high = best + rng.poisson(HIGH_EXTRA * best)
    return float(low.sum()), float(best.sum()), float(high.sum())


#: columns of the per-claim rows (the scenario, then what :func:`claim_records` returns)
CLAIM_COLUMNS = [
    "scenario",
    "series",
    "measurement",
    "qualifier",
    "offset",
    "verdict",
    "true_claim",
]


def claim_records(window: np.ndarray, seed: int, i: int) -> list[tuple]:
    """Verdicts of claims at truth x (1 + offset), every qualifier and measurement model."""
    from trends.models.claims import consistent_interval, verdict

    rows = []
    truth = float(window.sum())
    for m, (label, record_p) in enumerate(MEASUREMENT.items()):
        rng = np.random.default_rng([seed, i] if m == 0 else [seed, i, m])
        low, best, high = _recorded_range(window, rng, record_p)
        for q in QUALIFIERS:
            for x in CLAIM_OFFSETS:
                value = truth * (1.0 + x)
                lo, hi, lo_open, hi_open = consistent_interval(value, q, 0.1)
                true_claim = (truth > lo if lo_open else truth >= lo) and (
                    truth < hi if hi_open else truth <= hi
                )
                v, _gap, _ = verdict(low, best, high, value, q, 0.1)
                rows.append((i, label, q, x, v, bool(true_claim)))
    return rows


def _its_records(y: pd.Series, when: pd.Timestamp) -> dict[str, tuple[float, float, int]]:
    """coef, se and HAC lag of the level change for every option (one fit per family)."""
    from trends.models.hac import newey_west
    from trends.models.its import fit_its

    out: dict[str, tuple[float, float, int]] = {}
    nb = fit_its(y, when, family="negbin", se="hac", n_sim=100)
    term = f"level[{nb.primary.id}]"
    j = list(nb.fit.params.index).index(term)
    b = float(nb.fit.params.iloc[j])
    lag_auto = int(nb.fit.hac.lags) if nb.fit.hac is not None else -1
    out["nb_hac_auto"] = (b, float(nb.fit.bse.iloc[j]), lag_auto)
    out["nb_hac_lag7"] = (b, math.sqrt(nb.fit.with_hac(7).cov[j, j]), 7)
    out["nb_hc0"] = (b, math.sqrt(newey_west(nb.fit, 0, prewhite=False).cov[j, j]), 0)
    out["nb_model"] = (b, math.sqrt(float(nb.fit.cov_model.iloc[j, j])), -1)
    po = fit_its(y, when, family="poisson", se="model", n_sim=100)
    bp = float(po.fit.params.iloc[j])
    var_p = float(po.fit.cov_model.iloc[j, j])
    out["pois_model"] = (bp, math.sqrt(var_p), -1)
    out["qpois_model"] = (bp, math.sqrt(var_p * po.fit.dispersion), -1)
    hac_p = po.fit.with_hac(None)
    out["pois_hac_auto"] = (bp, math.sqrt(hac_p.cov[j, j]), int(hac_p.lags))
    out["pois_hac_lag7"] = (bp, math.sqrt(po.fit.with_hac(7).cov[j, j]), 7)
    return out


def analyse_chunk(
    scenario: dict,
    first: int,
    attacks: np.ndarray,
    deaths: np.ndarray,
    seed: int,
    cp_n: int,
    cp_only: bool = False,
) -> dict:
    """Analyse a block of series of one scenario; returns plain lists (cheap to pickle).

    With ``cp_only`` only the change-point searches run (no ITS fits, no claims).
    """
    from trends.models.changepoint import detect_changepoints

    warnings.simplefilter("ignore")
    sc = Scenario(**scenario)
    dates = pd.date_range(sc.start, periods=sc.n_days, freq="D")
    when = dates[sc.change_day]
    its_rows: list[tuple] = []
    cp_rows: list[tuple] = []
    claim_rows: list[tuple] = []
    failures: dict[str, int] = {}
    timing = {"its": 0.0, "cp": 0.0}
    for k in range(attacks.shape[0]):
        i = first + k
        y = pd.Series(attacks[k].astype(float), index=dates, name="attacks")
        t0 = time.perf_counter()
        try:
            recs = {} if cp_only else _its_records(y, when)
            for opt, (b, se, lag) in recs.items():
                its_rows.append((i, opt, b, se, lag))
        except Exception as exc:
            key = f"its: {type(exc).__name__}"
            failures[key] = failures.get(key, 0) + 1
        t1 = time.perf_counter()
        for variant, kw in CP_VARIANTS.items() if i < cp_n else ():
            try:
                res = detect_changepoints(y, reference=when, **kw)
                c = res.comparison
                cp_rows.append(
                    (
                        i,
                        variant,
                        res.n_changes,
                        np.nan if c.offset_days is None else c.offset_days,
                        np.nan if c.in_set is None else float(c.in_set),
                        np.nan
                        if c.break_number is None
                        else float(res.breaks["set_size"].iloc[c.break_number - 1]),
                    )
                )
            except Exception as exc:
                key = f"cp {variant}: {type(exc).__name__}"
                failures[key] = failures.get(key, 0) + 1
        t2 = time.perf_counter()
        timing["its"] += t1 - t0
        timing["cp"] += t2 - t1
        if not cp_only:
            claim_rows += claim_records(deaths[k, sc.change_day :], seed, i)
    return {
        "its": its_rows,
        "cp": cp_rows,
        "claims": claim_rows,
        "failures": failures,
        "timing": timing,
    }


# ------------------------------------------------------------------------------------------
# aggregation
# ------------------------------------------------------------------------------------------
def summarise_its(its: pd.DataFrame, scen: dict[str, Scenario]) -> pd.DataFrame:
    rows = []
    for (name, opt), g in its.groupby(["scenario", "option"], sort=False):
        sc = scen[name]
        truth = math.log(sc.level)
        b, se = g["coef"].to_numpy(), g["se"].to_numpy()
        ok = np.isfinite(b) & np.isfinite(se) & (se > 0)
        b, se = b[ok], se[ok]
        lo, hi = wald_limits(b, se)
        cover = covers(lo, hi, truth)
        p = 2.0 * (1.0 - _norm_cdf(np.abs(b / se)))
        width = np.exp(hi) - np.exp(lo)
        n = int(ok.sum())
        cov = float(cover.mean())
        lags = g["lag"].to_numpy()[ok]
        rows.append(
            {
                **sc.columns(),
                "option": opt,
                "n": n,
                "coverage": cov,
                "coverage_mcse": proportion_se(cov, n),
                "bias_log_rr": float(np.mean(b - truth)),
                "rmse_log_rr": float(np.sqrt(np.mean((b - truth) ** 2))),
                "mean_ci_width_rr": float(np.mean(width)),
                "median_ci_width_rr": float(np.median(width)),
                "reject_rate_p05": float(np.mean(p < 0.05)),
                "median_lag": float(np.median(lags)) if np.all(lags >= 0) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(x)


def summarise_cp(cp: pd.DataFrame, scen: dict[str, Scenario]) -> pd.DataFrame:
    rows = []
    for (name, variant), g in cp.groupby(["scenario", "variant"], sort=False):
        sc = scen[name]
        det = g["n_changes"].to_numpy() > 0
        off = np.abs(g["offset_days"].to_numpy(dtype=float))
        ins = g["in_set"].to_numpy(dtype=float)
        size = g["set_size"].to_numpy(dtype=float)
        rows.append(
            {
                **sc.columns(),
                "variant": variant,
                "n": len(g),
                "detection_rate": float(det.mean()),
                "mean_n_changes": float(g["n_changes"].mean()),
                "within_7_days": float(np.mean(det & (off <= 7))),
                "mean_abs_days_off": float(np.nanmean(off)) if det.any() else np.nan,
                "median_abs_days_off": float(np.nanmedian(off)) if det.any() else np.nan,
                "set_coverage_if_detected": float(np.nanmean(ins)) if det.any() else np.nan,
                "set_coverage_all": float(np.mean(np.nan_to_num(ins, nan=0.0))),
                "mean_set_size": float(np.nanmean(size)) if det.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def summarise_claims(cl: pd.DataFrame) -> pd.DataFrame:
    v = cl["verdict"]
    t = cl["true_claim"]
    cl = cl.assign(
        right=((v == "supported") & t) | ((v == "not supported") & ~t),
        wrong=((v == "supported") & ~t) | ((v == "not supported") & t),
        undetermined=v == "undetermined",
    )
    g = cl.groupby(["measurement", "qualifier", "offset"], sort=False)
    out = g.agg(
        n=("right", "size"),
        claim_true=("true_claim", "mean"),
        right=("right", "mean"),
        wrong=("wrong", "mean"),
        undetermined=("undetermined", "mean"),
    ).reset_index()
    out["offset"] = (out["offset"] * 100).round().astype(int)
    return out


# ------------------------------------------------------------------------------------------
# output
# ------------------------------------------------------------------------------------------
#: the by-scenario ITS tables of the markdown: (section title, column of the summary)
ITS_SECTIONS = (
    ("coverage of the 95% CI of the level-change rate ratio, by scenario", "coverage"),
    ("RMSE of the log rate ratio (NB options share one estimate; Poisson ones another)",
     "rmse_log_rr"),
    ("bias of the log rate ratio", "bias_log_rr"),
    ("mean width of the 95% CI (rate-ratio scale)", "mean_ci_width_rr"),
    ("rejection rate at p < 0.05 (false-positive rate where effect = none, else power)",
     "reject_rate_p05"),
)  # fmt: skip


def _pivot(its_sum: pd.DataFrame, value: str) -> pd.DataFrame:
    p = its_sum.pivot(index="scenario", columns="option", values=value)
    order = list(dict.fromkeys(its_sum["scenario"]))
    p = p.loc[order, [o for o in OPTIONS if o in p.columns]]
    p.index.name = "scenario"
    return p.reset_index()


def write_outputs(
    its_sum, cp_sum, cl_sum, meta: dict, out: Path, smoke: bool, cp_only: bool = False
) -> list[Path]:
    """Write the CSVs, the markdown, the PNG and the meta JSON.

    With ``cp_only`` the ITS and claims CSVs and the PNG are left as they are (their tables were
    read from those CSVs); only the change-point CSV, the markdown and the meta are written.
    """
    out.mkdir(parents=True, exist_ok=True)
    tag = smoke_tag(smoke)
    paths = []
    tables = (("its", its_sum), ("changepoint", cp_sum), ("claims", cl_sum))
    for name, df in tables:
        if cp_only and name != "changepoint":
            continue
        paths.append(write_csv(df, out / f"calibration_{name}{tag}.csv", float_format="%.5g"))
    # pooled over scenarios, by effect
    pooled = (
        its_sum.assign(none=its_sum["effect"] == "none")
        .groupby("option", sort=False)
        .agg(
            coverage=("coverage", "mean"),
            min_coverage=("coverage", "min"),
            rmse_log_rr=("rmse_log_rr", "mean"),
            mean_ci_width_rr=("mean_ci_width_rr", "mean"),
        )
        .reindex([o for o in OPTIONS if o in set(its_sum["option"])])
    )
    fpr = its_sum[its_sum["effect"] == "none"].groupby("option")["reject_rate_p05"].mean()
    pooled["false_positive_rate"] = fpr.reindex(pooled.index)
    pooled.insert(0, "label", [OPTION_LABELS[o] for o in pooled.index])
    pooled = pooled.reset_index()
    lines = [
        "# Calibration results"
        + (" (SMOKE RUN: too few series to read anything)" if smoke else ""),
        "",
        f"{meta['n_series']} series per scenario, {meta['n_scenarios']} scenarios, seed "
        f"{meta['seed']}, grid `{meta['grid']}`; {meta['wall_s']:.0f} s wall on {meta['jobs']} "
        f"worker(s). Monte Carlo standard error of a coverage near 0.95: "
        f"{nominal_coverage_se(meta['n_series']):.4f}." + _cp_run_note(meta),
        "",
        "## ITS level change: pooled over scenarios",
        "",
        "Coverage = mean over scenarios of the share of 95% CIs that contain the true rate ratio "
        "(min = worst scenario); false-positive rate = share of p < 0.05 in the no-effect "
        "scenarios.",
        "",
        md_table(pooled),
        "",
        *[
            part
            for title, column in ITS_SECTIONS
            for part in (f"## ITS: {title}", "", md_table(_pivot(its_sum, column)), "")
        ],
        "## Change-point dating (attacks; truth = the intervention day)",
        "",
        f"First {meta['n_series_changepoint']} series of each scenario (Monte Carlo SE of a "
        "share near 0.95: "
        f"{nominal_coverage_se(meta['n_series_changepoint']):.4f}). `poisson_bic`: "
        "`model='poisson'`; `negbin_bic`: `model='negbin'` (the package default, "
        "`detect_changepoints(y)`); `negbin_one`: `model='negbin', n_changes=1`. Days off and set coverage are for the "
        "change nearest the truth (`result.compare(true_date)`); `set_coverage_all` counts "
        "series with no change as misses.",
        "",
        md_table(cp_sum.drop(columns=["effect", "dispersion", "autocorr", "n_days"]), digits=3),
        "",
        "## Claims verdicts (cumulative civilian deaths since the intervention, pooled over "
        "scenarios)",
        "",
        "Recorded range: best = Binomial(true, p) with p = 0.9 or 0.6 (the `measurement` "
        f"column), low = Binomial(best, {LOW_KEEP}), high = best + Poisson({HIGH_EXTRA} x best); "
        "claim value = truth x (1 + offset%); tolerance of `around` / `fewer_than` 10%. "
        "*right*: supported and true, or not supported and false; *wrong*: the opposite.",
        "",
        md_table(cl_sum),
        "",
    ]
    if meta.get("failures"):
        lines += ["## Failures (series where a fit raised)", "", "```",
                  json.dumps(meta["failures"], indent=1), "```", ""]  # fmt: skip
    md = out / f"calibration{tag}.md"
    md.write_text("\n".join(lines))
    paths.append(md)
    if not cp_only:
        paths.append(plot_coverage(its_sum, out / f"calibration_coverage{tag}.png", meta))
    paths.append(write_json(meta, out / f"calibration_meta{tag}.json"))
    return paths


def _cp_run_note(meta: dict) -> str:
    """A sentence on the separate change-point run, if the change-point table came from one."""
    run = meta.get("changepoint_run")
    if not run:
        return ""
    return (
        f" The change-point tables come from a separate run on the same simulated series "
        f"(`{run['command']}`: first {run['n_series']} series per scenario, "
        f"{run['wall_s']:.0f} s wall on {run['jobs']} worker(s))."
    )


def plot_coverage(its_sum: pd.DataFrame, path: Path, meta: dict) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = list(dict.fromkeys(its_sum["scenario"]))
    opts = [o for o in OPTIONS if o in set(its_sum["option"])]
    colors = [
        "#0072B2",
        "#56B4E9",
        "#009E73",
        "#E69F00",
        "#D55E00",
        "#CC79A7",
        "#999999",
        "#000000",
    ]
    markers = ["o", "s", "D", "^", "v", "<", ">", "x"]
    fig, ax = plt.subplots(figsize=(11, 0.32 * len(order) + 2.2))
    y = np.arange(len(order))
    for k, opt in enumerate(opts):
        sub = its_sum[its_sum["option"] == opt].set_index("scenario").reindex(order)
        ax.scatter(
            sub["coverage"], y + (k - len(opts) / 2) * 0.07, s=22, color=colors[k % 8],
            marker=markers[k % 8], label=OPTION_LABELS[opt], zorder=3,
        )  # fmt: skip
    mcse = nominal_coverage_se(meta["n_series"])
    ax.axvspan(0.95 - 1.96 * mcse, 0.95 + 1.96 * mcse, color="#dddddd", zorder=1)
    ax.axvline(0.95, color="#444444", lw=0.8, zorder=2)
    ax.set_yticks(y, order, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("coverage of the nominal 95% CI of the level-change rate ratio")
    lo = max(0.0, float(its_sum["coverage"].min()) - 0.03)
    ax.set_xlim(lo, 1.0)
    ax.set_title(
        f"ITS calibration: {meta['n_series']} simulated series per scenario "
        "(grey band: 0.95 +/- 1.96 Monte Carlo SE)",
        fontsize=10,
    )
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------------
# supplement: alternatives to the default HAC on the Idlib-like (high/high) scenarios
# ------------------------------------------------------------------------------------------
SUPP_OPTIONS = {
    "nb_hac_auto": "default: automatic lag + prewhitening, normal critical value",
    "nb_hac_auto_adj": "automatic lag, small-sample factor n/(n-k)",
    "nb_hac_lag7": "fixed lag 7, normal critical value",
    "nb_hac_lag14": "fixed lag 14, normal critical value",
    "nb_hac_lag28": "fixed lag 28, normal critical value",
    "nb_hac_lag14_fixedb": "fixed lag 14, fixed-b critical value (Kiefer-Vogelsang 2005)",
    "nb_hac_lag28_fixedb": "fixed lag 28, fixed-b critical value (Kiefer-Vogelsang 2005)",
    "nb_noslope_hac_auto": "model without the slope-change ramp (trend + level), default HAC",
}


def kv_bartlett_cv(b: float) -> float:
    """Fixed-b 97.5% critical value of a t test with the Bartlett kernel (Kiefer & Vogelsang
    2005, Econometric Theory 21, table/polynomial fit): 1.96 + 2.9694 b + 0.4160 b^2 - 0.5324 b^3
    with b = (lag + 1) / n."""
    return Z95 + 2.9694 * b + 0.4160 * b**2 - 0.5324 * b**3


def supplement_chunk(scenario: dict, first: int, attacks: np.ndarray) -> list[tuple]:
    """coef, se and critical value of the level change for the SUPP_OPTIONS."""
    from trends.models.its import fit_its

    warnings.simplefilter("ignore")
    sc = Scenario(**scenario)
    dates = pd.date_range(sc.start, periods=sc.n_days, freq="D")
    when = dates[sc.change_day]
    rows = []
    for k in range(attacks.shape[0]):
        i = first + k
        y = pd.Series(attacks[k].astype(float), index=dates)
        try:
            nb = fit_its(y, when, family="negbin", se="hac", n_sim=100)
            j = list(nb.fit.params.index).index(f"level[{nb.primary.id}]")
            b = float(nb.fit.params.iloc[j])
            n = nb.fit.n
            rows.append((i, "nb_hac_auto", b, float(nb.fit.bse.iloc[j]), Z95))
            adj = nb.fit.with_hac(None, adjust=True)
            rows.append((i, "nb_hac_auto_adj", b, math.sqrt(adj.cov[j, j]), Z95))
            for lag in (7, 14, 28):
                se = math.sqrt(nb.fit.with_hac(lag).cov[j, j])
                rows.append((i, f"nb_hac_lag{lag}", b, se, Z95))
                if lag in (14, 28):
                    cv = kv_bartlett_cv((lag + 1) / n)
                    rows.append((i, f"nb_hac_lag{lag}_fixedb", b, se, cv))
            ns = fit_its(y, when, family="negbin", se="hac", slope_change=False, n_sim=100)
            lc = ns.level_change
            rows.append((i, "nb_noslope_hac_auto", lc.coef, lc.se, Z95))
        except Exception:
            continue
    return rows


def run_supplement(n: int, jobs: int, seed: int, out: Path, smoke: bool) -> Path:
    from trends.simulate import simulate_many

    scen = [s for s in scenarios("smoke" if smoke else "full") if s.autocorr != "low"]
    scen = [s for s in scen if s.dispersion != "low"]

    def tasks():
        for sc in scen:
            batch = simulate_many(
                n, seed=scenario_seed(seed, sc.name), output="batch", **sc.sim_kwargs()
            )  # the same series as the main run (first n of each scenario)
            for a in range(0, n, 50):
                yield sc, (asdict(sc), a, batch.attacks[a : a + 50])

    rows = []
    for sc, chunk_rows in run_in_pool(supplement_chunk, tasks(), jobs):
        rows += [(sc.name, sc.level, sc.n_days, *r) for r in chunk_rows]
    df = pd.DataFrame(
        rows, columns=["scenario", "level", "n_days", "series", "option", "coef", "se", "cv"]
    )
    out_rows = []
    for (name, opt), g in df.groupby(["scenario", "option"], sort=False):
        truth = math.log(g["level"].iloc[0])
        b, se, cv = g["coef"].to_numpy(), g["se"].to_numpy(), g["cv"].to_numpy()
        cover = np.abs(b - truth) <= cv * se
        out_rows.append({"scenario": name, "option": opt, "n": len(g),
                         "coverage": float(cover.mean()),
                         "rmse_log_rr": float(np.sqrt(np.mean((b - truth) ** 2))),
                         "mean_ci_width_rr": float(np.mean(np.exp(b + cv * se) - np.exp(b - cv * se))),
                         "reject_rate_p05": float(np.mean(np.abs(b) > cv * se))})  # fmt: skip
    summ = pd.DataFrame(out_rows)
    tag = smoke_tag(smoke)
    write_csv(summ, out / f"calibration_hac_supplement{tag}.csv", float_format="%.5g")
    piv = summ.pivot(index="scenario", columns="option", values="coverage")
    piv = piv.loc[list(dict.fromkeys(summ["scenario"])), [o for o in SUPP_OPTIONS if o in piv]]
    rm = summ.pivot(index="scenario", columns="option", values="rmse_log_rr")
    rm = rm.loc[piv.index, piv.columns]
    lines = [
        "# HAC alternatives on the overdispersed, autocorrelated scenarios"
        + (" (SMOKE RUN)" if smoke else ""),
        "",
        f"First {n} series of each scenario with high overdispersion and high autocorrelation "
        "(and the idlib_2019 presets). Options:",
        "",
        *[f"- `{k}`: {v}" for k, v in SUPP_OPTIONS.items()],
        "",
        "## Coverage of the 95% CI of the level-change rate ratio",
        "",
        md_table(piv.reset_index()),
        "",
        "## RMSE of the log rate ratio",
        "",
        md_table(rm.reset_index()),
        "",
    ]
    path = out / f"calibration_hac_supplement{tag}.md"
    path.write_text("\n".join(lines))
    return path


# ------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------
def scenario_seed(seed: int, name: str) -> np.random.SeedSequence:
    return np.random.SeedSequence([seed, zlib.crc32(name.encode())])


def run(
    n: int,
    grid: str,
    jobs: int,
    seed: int,
    chunk: int,
    out: Path,
    smoke: bool,
    cp_n: int,
    cp_only: bool = False,
) -> dict:
    """The full run, or (``cp_only``) the change-point searches alone.

    ``cp_only`` simulates the same ``n`` series per scenario as the full run (same seeds; the
    series are drawn for all ``n`` so nothing depends on how ``simulate_many`` splits its
    streams), runs only the change-point searches on the first ``cp_n`` of them, and rebuilds the
    markdown from the saved ITS and claims CSVs (as ``--rewrite`` does) without rewriting them.
    """
    from trends.simulate import simulate_many

    tag = smoke_tag(smoke)
    if cp_only:
        saved_meta = json.loads((out / f"calibration_meta{tag}.json").read_text())
        for key, val in (("n_series", n), ("grid", grid), ("seed", seed)):
            if saved_meta[key] != val:
                raise SystemExit(
                    f"--cp-only: the saved full run has {key}={saved_meta[key]!r}, not {val!r}; "
                    "pass the same --n / --grid / --seed"
                )
    scen = scenarios(grid)
    by_name = {s.name: s for s in scen}
    t0 = time.perf_counter()
    n_run = min(n, cp_n) if cp_only else n
    n_tasks = len(scen) * len(range(0, n_run, chunk))

    def tasks():
        for sc in scen:
            batch = simulate_many(
                n, seed=scenario_seed(seed, sc.name), output="batch", **sc.sim_kwargs()
            )
            claim_seed = int(scenario_seed(seed, sc.name).generate_state(1)[0])
            for a in range(0, n_run, chunk):
                b = min(a + chunk, n_run)
                yield sc.name, (
                    asdict(sc), a, batch.attacks[a:b], batch.civilian_deaths[a:b], claim_seed,
                    cp_n, cp_only,
                )  # fmt: skip

    its, cp, cl = [], [], []
    failures: dict[str, dict[str, int]] = {}
    timing = {"its": 0.0, "cp": 0.0}
    for done, (name, r) in enumerate(run_in_pool(analyse_chunk, tasks(), jobs), start=1):
        its += [(name, *row) for row in r["its"]]
        cp += [(name, *row) for row in r["cp"]]
        cl += [(name, *row) for row in r["claims"]]
        for k, v in r["failures"].items():
            failures.setdefault(name, {})[k] = failures.get(name, {}).get(k, 0) + v
        for k in timing:
            timing[k] += r["timing"][k]
        if not smoke and done % max(1, n_tasks // 20) == 0:
            print(f"  {done}/{n_tasks} chunks, {time.perf_counter() - t0:.0f} s", flush=True)
    wall = time.perf_counter() - t0
    its_df = pd.DataFrame(its, columns=["scenario", "series", "option", "coef", "se", "lag"])
    cp_df = pd.DataFrame(
        cp, columns=["scenario", "series", "variant", "n_changes", "offset_days", "in_set",
                     "set_size"]
    )  # fmt: skip
    cl_df = pd.DataFrame(cl, columns=CLAIM_COLUMNS)
    cp_sum = summarise_cp(cp_df, by_name)
    if cp_only:
        its_sum, cl_sum = _read_its_claims(out, tag)
        meta = dict(saved_meta)
        meta["n_series_changepoint"] = min(n, cp_n)
        meta["cpu_s_changepoints"] = timing["cp"]
        meta["changepoint_run"] = {
            "command": " ".join(["python", "benchmarks/calibration.py", *sys.argv[1:]]),
            "n_series": min(n, cp_n),
            "jobs": jobs,
            "wall_s": wall,
            "cpu_s": timing["cp"],
            "failures": failures,
        }
        if not smoke:
            WORK.mkdir(parents=True, exist_ok=True)
            cp_df.to_parquet(WORK / "calibration_cp_raw.parquet")
        paths = write_outputs(its_sum, cp_sum, cl_sum, meta, out, smoke, cp_only=True)
        return {"its": its_sum, "cp": cp_sum, "claims": cl_sum, "meta": meta, "paths": paths}
    its_sum = summarise_its(its_df, by_name)
    cl_sum = summarise_claims(cl_df)
    meta = {
        "n_series": n,
        "n_series_changepoint": min(n, cp_n),
        "n_scenarios": len(scen),
        "grid": grid,
        "seed": seed,
        "jobs": jobs,
        "wall_s": wall,
        "cpu_s_its_fits": timing["its"],
        "cpu_s_changepoints": timing["cp"],
        "failures": failures,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scenarios": [asdict(s) for s in scen],
        "command": " ".join(["python", "benchmarks/calibration.py", *sys.argv[1:]]),
    }
    if not smoke:  # raw per-series results for re-analysis (git-ignored)
        WORK.mkdir(parents=True, exist_ok=True)
        its_df.to_parquet(WORK / "calibration_its_raw.parquet")
        cp_df.to_parquet(WORK / "calibration_cp_raw.parquet")
    paths = write_outputs(its_sum, cp_sum, cl_sum, meta, out, smoke)
    return {"its": its_sum, "cp": cp_sum, "claims": cl_sum, "meta": meta, "paths": paths}


def _read_its_claims(out: Path, tag: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The saved ITS and claims summaries, with the dtypes the markdown expects."""
    its_sum = pd.read_csv(out / f"calibration_its{tag}.csv")
    cl_sum = pd.read_csv(out / f"calibration_claims{tag}.csv")
    cl_sum["claim_true"] = cl_sum["claim_true"].astype(float)
    return its_sum, cl_sum


def rewrite(out: Path, seed: int) -> None:
    """Rebuild outputs from the saved ITS / change-point CSVs; recompute the (cheap) claims."""
    from trends.simulate import simulate_many

    meta = json.loads((out / "calibration_meta.json").read_text())
    its_sum = pd.read_csv(out / "calibration_its.csv")
    cp_sum = pd.read_csv(out / "calibration_changepoint.csv")
    n = int(meta["n_series"])
    rows = []
    for spec in meta["scenarios"]:
        sc = Scenario(**spec)
        batch = simulate_many(
            n, seed=scenario_seed(seed, sc.name), output="batch", **sc.sim_kwargs()
        )
        claim_seed = int(scenario_seed(seed, sc.name).generate_state(1)[0])
        for i in range(n):
            rows += [
                (sc.name, *r)
                for r in claim_records(batch.civilian_deaths[i, sc.change_day :], claim_seed, i)
            ]
    cl_df = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    write_outputs(its_sum, cp_sum, summarise_claims(cl_df), meta, out, smoke=False)


def main(argv: list[str] | None = None) -> dict:
    parser = benchmark_parser(
        __doc__, n=2000, n_help="series per scenario (default 2000)", seed=20190831,
        jobs=default_jobs(), smoke_help="a few series, seconds (CI)",
    )  # fmt: skip
    parser.add_argument(
        "--grid", choices=["priority", "full"], default="priority",
        help="priority: every effect x dispersion x autocorrelation at 365 days, the Idlib-like "
        "combination at 120 and 730 days and the idlib_2019 presets; full: all lengths for all",
    )  # fmt: skip
    parser.add_argument("--chunk", type=int, default=50, help="series per task")
    parser.add_argument(
        "--cp-n", type=int, default=500,
        help="change-point searches on the first CP_N series of each scenario (default 500 in "
        "the full run, where MC SE of a 95%% coverage is then 1%%; the published tables use "
        "--cp-only --cp-n 2000)",
    )  # fmt: skip
    parser.add_argument(
        "--cp-only", action="store_true",
        help="change-point searches only, on the first CP_N of the same simulated series as the "
        "full run; rewrites calibration_changepoint.csv and calibration.md (ITS and claims "
        "tables from their saved CSVs, which are not rewritten)",
    )  # fmt: skip
    parser.add_argument(
        "--supplement-n", type=int, default=500,
        help="series per scenario for the HAC-alternatives supplement (0: skip)",
    )  # fmt: skip
    parser.add_argument("--only-supplement", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--rewrite", action="store_true",
        help="rebuild the markdown, the PNG and the claims table from the saved CSVs (no fits)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.grid, args.chunk, args.jobs = min(args.n, 8), "smoke", 4, min(args.jobs, 2)
        args.supplement_n = min(args.supplement_n, 4)
    if args.rewrite:
        rewrite(args.out, args.seed)
        return {}
    if args.only_supplement:
        path = run_supplement(args.supplement_n, args.jobs, args.seed, args.out, args.smoke)
        print(path.read_text())
        return {}
    if args.cp_only:
        n_cp = min(args.n, args.cp_n)
        print(
            f"calibration --cp-only: change points on {n_cp} of {args.n} series x "
            f"{len(scenarios(args.grid))} scenarios ({args.grid}), {args.jobs} jobs",
            flush=True,
        )
        res = run(
            args.n, args.grid, args.jobs, args.seed, args.chunk, args.out, args.smoke,
            args.cp_n, cp_only=True,
        )  # fmt: skip
        run_info = res["meta"]["changepoint_run"]
        print(
            f"wall {run_info['wall_s']:.1f} s (cpu {run_info['cpu_s']:.0f} s); wrote "
            + ", ".join(p.name for p in res["paths"])
        )
        return res
    print(
        f"calibration: {args.n} series x {len(scenarios(args.grid))} scenarios "
        f"({args.grid}), {args.jobs} jobs",
        flush=True,
    )
    res = run(args.n, args.grid, args.jobs, args.seed, args.chunk, args.out, args.smoke, args.cp_n)
    pooled = res["its"].groupby("option", sort=False)["coverage"].mean()
    print("mean coverage over scenarios:")
    for opt, c in pooled.items():
        print(f"  {opt:15s} {c:.3f}")
    print(f"wall {res['meta']['wall_s']:.1f} s; wrote " + ", ".join(p.name for p in res["paths"]))
    if args.supplement_n > 0:
        t0 = time.perf_counter()
        path = run_supplement(args.supplement_n, args.jobs, args.seed, args.out, args.smoke)
        print(f"HAC supplement: {time.perf_counter() - t0:.0f} s; wrote {path.name}")
    return res


if __name__ == "__main__":
    main()

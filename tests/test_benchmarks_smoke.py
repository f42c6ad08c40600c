"""Smoke runs of the benchmark scripts (seconds each; no timing assertions, see DEVELOPING.md).

Each script runs in a subprocess in its ``--smoke`` mode and writes into a temporary folder, never
into ``benchmarks/results/`` (the published files a script writes in a real run are checked to be
untouched). ruptures (the ``bench`` extra) may be missing here: the peers script then runs the
trends side only and says so, which is what the test checks.

Covered: calibration, calibration_changepoint (through run_all), calibration_independent,
calibration_independent_v2, calibration_placebo, peers, speed (which runs acled_scale --smoke),
report_phases, calibration_its_check, calibration_band, calibration_two_phase_variants,
calibration_two_phase_persistent, latent_corner_start, placebo_thinning, placebo_speed (against one
older commit), two_phase_near_independent, two_phase_satterthwaite, changepoint_second_start and
the dgps module. Not run here: batch_bench and calibration_pretrend.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"

pytestmark = pytest.mark.slow


def _digests(names: tuple[str, ...]) -> dict[str, str | None]:
    """Content hashes of published result files (None where a file does not exist)."""
    paths = {name: RESULTS / name for name in names}
    return {n: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
            for n, p in paths.items()}  # fmt: skip


def _run(
    script: str, out: Path, *extra: str, published: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """``script --smoke --out out *extra``; ``published``: files of results/ it must not touch."""
    before = _digests(published)
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke", "--out", str(out), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert _digests(published) == before, "a smoke run rewrote published results"
    return done


def test_calibration_smoke(tmp_path):
    _run("calibration.py", tmp_path, "--jobs", "1")
    its = pd.read_csv(tmp_path / "calibration_its_smoke.csv")
    assert {"coverage", "rmse_log_rr", "reject_rate_p05", "mean_ci_width_rr"} <= set(its.columns)
    assert set(its["option"]) >= {"nb_hac_auto", "nb_model", "pois_model", "qpois_model"}
    assert its["coverage"].between(0, 1).all()
    cp = pd.read_csv(tmp_path / "calibration_changepoint_smoke.csv")
    assert set(cp["variant"]) == {"poisson_bic", "negbin_bic", "negbin_one"}
    claims = pd.read_csv(tmp_path / "calibration_claims_smoke.csv")
    total = claims["right"] + claims["wrong"] + claims["undetermined"]
    assert (total.round(9) == 1).all()
    assert (tmp_path / "calibration_coverage_smoke.png").stat().st_size > 0
    assert "| option |" in (tmp_path / "calibration_smoke.md").read_text()


def test_peers_smoke(tmp_path):
    done = _run("peers.py", tmp_path, "--jobs", "1")
    its = pd.read_csv(tmp_path / "peers_its_smoke.csv")
    assert any(t.startswith("trends fit_its") for t in its["tool"])
    assert any(t.startswith("statsmodels") for t in its["tool"])
    cp = pd.read_csv(tmp_path / "peers_changepoint_smoke.csv")
    assert any(t.startswith("trends") for t in cp["tool"])
    if importlib.util.find_spec("ruptures") is None:
        assert "skipped ruptures" in done.stdout
    else:
        assert any(t.startswith("ruptures") for t in cp["tool"])
        ratios = pd.read_csv(tmp_path / "peers_changepoint_ratios_smoke.csv")
        assert (ratios["time_ratio"] > 0).all()


def test_speed_smoke(tmp_path):
    _run("speed.py", tmp_path)
    df = pd.read_csv(tmp_path / "speed_smoke.csv")
    assert df["measurement"].str.contains("fit_its").any()
    assert df["measurement"].str.contains("placebo_test").any()
    assert df["measurement"].str.contains("ACLED").any()
    assert (df["measured"].dropna() > 0).all()


def test_run_all_smoke_runs_calibration_changepoint(tmp_path):
    """run_all's smoke mode on one script: the change-point study before and after issue 12."""
    published = ("changepoint_calibration.csv", "changepoint_calibration.md",
                 "changepoint_calibration_meta.json")  # fmt: skip
    before = _digests(published)
    done = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--smoke", "--only",
         "calibration_changepoint", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert any(
        ln.split()[:2] == ["calibration_changepoint", "ok"] for ln in done.stdout.splitlines()
    )
    assert _digests(published) == before
    summary = pd.read_csv(tmp_path / "changepoint_calibration_smoke.csv")
    assert set(summary["variant"]) == {"old", "new"}
    assert set(summary["process"]) == {"preset_theta4", "markov"}
    assert (summary["n"] == 2).all() and summary["detection_rate"].between(0, 1).all()
    assert "(SMOKE RUN)" in (tmp_path / "changepoint_calibration_smoke.md").read_text()


def test_every_script_has_a_smoke_mode():
    """Every script run_all's --smoke runs declares --smoke (directly or via _common)."""
    sys.path.insert(0, str(BENCH))
    import run_all

    scripts = run_all.smoke_scripts()
    assert {"calibration", "calibration_changepoint", "calibration_independent",
            "calibration_independent_v2", "calibration_placebo", "peers", "speed",
            "report_phases"} <= set(scripts)  # fmt: skip
    for name in scripts:
        text = (BENCH / f"{name}.py").read_text(encoding="utf-8")
        assert '"--smoke"' in text or "benchmark_parser(" in text, name


def test_calibration_independent_smoke(tmp_path):
    """The issue-12 study on three tiny cells: independent processes, old vs latent AR."""
    _run("calibration_independent.py", tmp_path)
    summary = pd.read_csv(tmp_path / "calibration_independent_smoke.csv")
    assert set(summary["method"]) == {"old", "latent_ar"}
    assert {"coverage", "coverage_mcse", "reject_rate_p05", "bias_log_rr", "mean_ci_width_rr",
            "slope_coverage", "cf_coverage", "tp_coverage"} <= set(summary.columns)  # fmt: skip
    assert summary["coverage"].between(0, 1).all()
    assert (summary["n"] + summary["failed"] == 3).all()
    assert "| process | method |" in (tmp_path / "calibration_independent_smoke.md").read_text()


def test_calibration_independent_v2_smoke(tmp_path):
    """The v2 intervals on the three smoke cells; the old method's rows come from results/."""
    _run("calibration_independent_v2.py", tmp_path,
         published=("calibration_independent_v2.csv", "calibration_independent_v2.md"))  # fmt: skip
    summary = pd.read_csv(tmp_path / "calibration_independent_v2_smoke.csv")
    variants = {"latent", "latent_ks", "latent_ks_t", "latent_t", "latent_auto"}
    assert variants <= set(summary["method"])
    v2 = summary[summary["method"].isin(variants)]
    assert (v2["n"] + v2["failed"] == 3).all() and v2["coverage"].between(0, 1).all()
    assert "(SMOKE RUN)" in (tmp_path / "calibration_independent_v2_smoke.md").read_text()


def test_calibration_weekly_smoke(tmp_path):
    """Weekly / monthly ITS, glm vs latent AR, on three tiny cells (three series each)."""
    _run("calibration_weekly.py", tmp_path,
         published=("calibration_weekly.csv", "calibration_weekly.md"))  # fmt: skip
    summary = pd.read_csv(tmp_path / "calibration_weekly_smoke.csv")
    assert {"W_glm", "W_latent_ar", "M_glm", "W_tp_glm", "W_tp_latent_ar_lrv"} == set(
        summary["method"]
    )
    assert (summary["n"] + summary["failed"] == 3).all()
    assert summary["coverage"].between(0, 1).all()
    assert {"fpr", "bias_log_rr", "median_width_rr", "coverage_mcse"} <= set(summary.columns)
    assert "(SMOKE RUN)" in (tmp_path / "calibration_weekly_smoke.md").read_text()


def test_calibration_monthly_smoke(tmp_path):
    """Monthly ITS and two-phase ratio, glm vs latent AR, on one tiny cell (three series)."""
    _run("calibration_monthly.py", tmp_path,
         published=("calibration_monthly.csv", "calibration_monthly.md"))  # fmt: skip
    summary = pd.read_csv(tmp_path / "calibration_monthly_smoke.csv")
    assert set(summary["method"]) == {"M_glm", "M_latent_ar", "M_tp_glm", "M_tp_latent_ar_lrv"}
    assert (summary["n"] + summary["failed"] == 3).all()
    assert summary["coverage"].between(0, 1).all()
    assert (summary["median_periods"] >= 23).all()  # 730 days: 24 months and the cut ends
    assert "(SMOKE RUN)" in (tmp_path / "calibration_monthly_smoke.md").read_text()


def test_calibration_its_check_smoke(tmp_path):
    """The bottom line's ITS check with and without the curved-trend rule, three tiny cells."""
    _run("calibration_its_check.py", tmp_path,
         published=("calibration_its_check.csv", "calibration_its_check.md"))  # fmt: skip
    rows = pd.read_csv(tmp_path / "calibration_its_check_rows_smoke.csv")
    assert len(rows) == 9 and (rows["error"].fillna("") == "").all()
    for side in ("fall", "rise"):  # the rule can only take backing away, never add it
        assert (rows[f"new_{side}"] <= rows[f"old_{side}"]).all()
    table = pd.read_csv(tmp_path / "calibration_its_check_smoke.csv")
    assert "pooled: wave, no effect" in set(table["group"])
    assert "(SMOKE RUN)" in (tmp_path / "calibration_its_check_smoke.md").read_text()


def test_calibration_band_smoke(tmp_path):
    """Cells classified against the issue's bands (inside / within noise / outside)."""
    _run("calibration_band.py", tmp_path, published=("calibration_band.csv", "calibration_band.md"))
    table = pd.read_csv(tmp_path / "calibration_band_smoke.csv")
    assert len(table) == 1 and set(table["coverage band"]) <= {"inside", "noise", "OUTSIDE"}
    assert "(SMOKE RUN)" in (tmp_path / "calibration_band_smoke.md").read_text()


def test_the_band_classes():
    sys.path.insert(0, str(BENCH))
    from calibration_band import classify

    assert classify(0.95, 1000, (0.94, 0.96)) == "inside"
    assert classify(0.930, 1000, (0.94, 0.96)) == "noise"  # 1.3 SE below 0.94
    assert classify(0.920, 1000, (0.94, 0.96)) == "OUTSIDE"  # 2.7 SE below
    assert classify(0.920, 200, (0.94, 0.96)) == "noise"  # 1.2 SE at 200 series
    assert classify(0.080, 1000, (0.04, 0.06)) == "OUTSIDE"  # 2.7 SE above 0.06


def test_calibration_placebo_smoke(tmp_path):
    """Placebo size: two processes without an effect, three series, every default variant."""
    published = ("placebo_calibration.csv", "placebo_calibration.md")
    _run("calibration_placebo.py", tmp_path, published=published)
    summary = pd.read_csv(tmp_path / "placebo_calibration_smoke.csv")
    assert set(summary["process"]) == {"markov", "preset"} and set(summary["effect"]) == {"none"}
    assert set(summary["variant"]) == {"old", "raw_matched", "t_pre", "new", "t_model"}
    assert (summary["n"] + summary["failed"] == 3).all()
    assert summary["reject_5pct"].between(0, 1).all()
    assert "(SMOKE RUN)" in (tmp_path / "placebo_calibration_smoke.md").read_text()


def test_report_phases_smoke(tmp_path):
    """One fresh-process run of a light report, its phases timed."""
    _run("report_phases.py", tmp_path, published=("report_phases.json",))
    payload = json.loads((tmp_path / "report_phases_smoke.json").read_text())
    assert len(payload["runs"]) == 1
    run = payload["runs"][0]
    assert {"imports", "analysis", "charts", "files", "ratio"} <= set(run)
    assert run["n_files"] > 0 and run["analysis"] > 0


def test_independent_dgps_are_seeded_and_hit_their_means():
    import sys

    sys.path.insert(0, str(BENCH))
    import dgps

    a = dgps.simulate("ingarch_0.9", 245, "-50%", 3)
    b = dgps.simulate("ingarch_0.9", 245, "-50%", 3)
    assert (a.y == b.y).all() and a.change_day == 127 and a.truth == 0.5
    assert 0.5 < a.truth_window < 1.0  # the geometric transition: the window average is closer to 1
    pre = [dgps.simulate("markov", 730, "none", i).y.mean() for i in range(40)]
    cf = dgps.simulate("markov", 730, "none", 0).cf_mean[0]
    assert abs(sum(pre) / len(pre) - cf) < 0.25


def test_calibration_two_phase_variants_smoke(tmp_path):
    """The two-phase variance experiment runs and reports every variant of every cell."""
    published = ("calibration_two_phase_variants.csv", "calibration_two_phase_variants.md")
    _run("calibration_two_phase_variants.py", tmp_path, published=published)
    table = pd.read_csv(tmp_path / "calibration_two_phase_variants_smoke.csv")
    assert len(table) == 2 and (table["n"] + table["failed"] == 3).all()
    for v in ("plug_in", "averaged", "geometric", "max"):
        assert table[f"{v} coverage"].between(0, 1).all()
    # the averaged variance adds a non-negative term wherever the curvature was available
    assert (table["averaged median SE ratio"] >= 1.0).all()


def test_calibration_two_phase_persistent_smoke(tmp_path):
    """The founding-like persistence experiment runs, keeps its rows out of results/ and reports
    every variant, the oracle on the latent-AR cells."""
    published = ("calibration_two_phase_persistent.csv", "calibration_two_phase_persistent.md")
    _run("calibration_two_phase_persistent.py", tmp_path, published=published)
    table = pd.read_csv(tmp_path / "calibration_two_phase_persistent_smoke.csv")
    assert len(table) == 2 and (table["n"] + table["failed"] == 4).all()
    for v in ("plug_in", "averaged", "mc", "mc_median", "oracle"):
        assert table[f"{v} coverage"].between(0, 1).all()
    assert (table["averaged median SE ratio"] >= 1.0).all()
    assert (tmp_path / "calibration_two_phase_persistent_rows_smoke.csv").exists()


def test_latent_corner_start_smoke(tmp_path):
    """The second-start comparison runs both variants and keeps its rows out of results/."""
    published = ("latent_corner_start.csv", "latent_corner_start.md")
    _run("latent_corner_start.py", tmp_path, published=published)
    table = pd.read_csv(tmp_path / "latent_corner_start_smoke.csv")
    assert set(table["variant"]) == {"one start", "second start (default)"}
    assert (table["n"] + table["failed"] == 2).all() and table["coverage"].between(0, 1).all()
    assert (table.loc[table["variant"] == "one start", "second start kept"] == 0).all()
    assert (tmp_path / "latent_corner_start_rows_smoke.csv").exists()


def test_placebo_thinning_smoke(tmp_path):
    """The thinning comparison fits more than 200 admissible dates both ways and times both."""
    published = ("placebo_thinning.csv", "placebo_thinning.md", "placebo_thinning_time.csv")
    _run("placebo_thinning.py", tmp_path, published=published)
    table = pd.read_csv(tmp_path / "placebo_thinning_smoke.csv")
    assert (table["median admissible"] > 200).all() and (table["n"] == 2).all()
    assert (table["max abs p difference"] <= 1).all()
    timed = pd.read_csv(tmp_path / "placebo_thinning_time_smoke.csv")
    assert (timed["fitted"] == 200).all() and (timed["admissible"] > 200).all()


def test_placebo_speed_smoke(tmp_path):
    """The placebo timing runs a tree copy in a subprocess and compares it with this checkout's."""
    published = ("placebo_speed.csv", "placebo_speed.md", "placebo_speed_ratios.csv")
    trees = ("--trees", "HEAD", "8b474d4", "--work", str(tmp_path / "trees"))
    _run("placebo_speed.py", tmp_path, *trees, published=published)
    table = pd.read_csv(tmp_path / "placebo_speed_smoke.csv")
    assert set(table["mode"]) == {"default", "glm", "glm_raw_preperiod"}
    assert (table["n_fake"] > 0).all() and (table["cpu_median_s"] > 0).all()
    ratios = pd.read_csv(tmp_path / "placebo_speed_ratios_smoke.csv")
    assert (ratios["ratio_of_totals"] > 0).all()


def test_two_phase_near_independent_smoke(tmp_path):
    """The near-independent comparison computes every variant and keeps its rows out of results/."""
    published = ("two_phase_near_independent.csv", "two_phase_near_independent.md")
    _run("two_phase_near_independent.py", tmp_path, published=published)
    table = pd.read_csv(tmp_path / "two_phase_near_independent_smoke.csv")
    assert (table["n"] + table["failed"] == 3).all()
    for v in ("plug_in", "averaged", "natural_sd", "weekday", "weekday_natural_sd"):
        assert table[f"{v} coverage"].between(0, 1).all()
    # every averaged variance is floored at the plugged-in one
    assert (table["averaged median SE"] >= table["plug_in median SE"] - 1e-12).all()
    assert (tmp_path / "two_phase_near_independent_rows_smoke.csv").exists()


def test_two_phase_satterthwaite_smoke(tmp_path):
    """The t-quantile comparison computes the four intervals on one set of series per cell."""
    published = ("two_phase_satterthwaite.csv", "two_phase_satterthwaite.md")
    _run("two_phase_satterthwaite.py", tmp_path, published=published)
    table = pd.read_csv(tmp_path / "two_phase_satterthwaite_smoke.csv")
    assert (table["n"] + table["failed"] == 3).all()
    for v in ("averaged_z", "plug_in_t", "plug_in_z", "averaged_t"):
        assert table[f"{v} coverage"].between(0, 1).all()
    # the t quantile never narrows an interval: t(df) >= z
    assert (table["plug_in_t width ratio"] >= table["plug_in_z width ratio"] - 1e-12).all()
    assert (tmp_path / "two_phase_satterthwaite_rows_smoke.csv").exists()


def test_changepoint_second_start_smoke(tmp_path):
    """Both searches run on the same series of every cell and the rows stay out of results/."""
    published = ("changepoint_second_start.csv", "changepoint_second_start.md")
    _run("changepoint_second_start.py", tmp_path, published=published)
    rows = pd.read_csv(tmp_path / "changepoint_second_start_smoke.csv")
    counts = rows.groupby(["process", "variant"]).size()
    assert (counts == 2).all() and set(rows["variant"]) == {"before", "now"}
    assert rows["covered"].between(0, 1).all()
    assert (tmp_path / "changepoint_second_start_smoke.md").read_text().count("|") > 10

"""Smoke runs of the benchmark scripts (seconds each; no timing assertions, see DEVELOPING.md).

Each script runs in a subprocess in its ``--smoke`` mode and writes into a temporary folder, never
into ``benchmarks/results/``. ruptures (the ``bench`` extra) may be missing here: the peers script
then runs the trends side only and says so, which is what the test checks.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"

pytestmark = pytest.mark.slow


def _run(script: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke", "--out", str(out), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
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


def test_run_all_smoke_only_calibration(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--smoke", "--only", "calibration",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "calibration  ok" in done.stdout


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

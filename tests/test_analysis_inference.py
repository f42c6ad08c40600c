"""analyse_ceasefire passes the ITS inference method through to the model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from trends.analysis import analyse_ceasefire
from trends.series import CountSeries


def _series() -> CountSeries:
    rng = np.random.default_rng(5)
    days = pd.date_range("2023-01-01", periods=200, freq="D")
    mu = np.where(np.arange(200) < 100, 6.0, 3.0) * np.exp(rng.normal(0, 0.3, 200))
    frame = pd.DataFrame({"killed": rng.poisson(mu)}, index=days)
    return CountSeries.from_frame(frame)


@pytest.mark.parametrize("inference", ["glm", "latent_ar"])
def test_inference_reaches_the_its(inference):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = analyse_ceasefire(
            _series(), "2023-04-11", placebo=False, robustness=False, inference=inference
        )
    (outcome,) = analysis.outcomes.values()
    assert outcome.its.settings["inference"] == inference
    rr = outcome.its.level_change
    assert rr is not None


def test_report_refuses_an_unknown_inference_method(tmp_path):
    from typer.testing import CliRunner

    from trends.cli import app

    result = CliRunner().invoke(app, ["report", "--inference", "bogus", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown inference 'bogus'" in result.output


def test_auto_picks_the_latent_methods_only_where_they_were_calibrated():
    from trends.models.spec import (
        AUTO_MIN_MONTHS,
        AUTO_MIN_MONTHS_TWO_PHASE,
        AUTO_MIN_PERIODS,
        AUTO_MIN_WEEKS,
        AUTO_MIN_WEEKS_TWO_PHASE,
        TWO_PHASE_METHODS,
        TWO_PHASE_OF_INFERENCE,
        choose_inference,
        choose_two_phase_method,
        two_phase_method_of,
    )

    daily = {"freq": "D", "n_observed": AUTO_MIN_PERIODS, "family": "negbin"}
    weekly = {"freq": "W-SAT", "n_observed": AUTO_MIN_WEEKS_TWO_PHASE, "family": "poisson"}
    monthly = {"freq": "MS", "n_observed": AUTO_MIN_MONTHS_TWO_PHASE, "family": "negbin"}
    for calibrated in (daily, weekly, monthly):
        assert choose_inference("auto", **calibrated) == "latent_ar"
        assert choose_two_phase_method("auto", **calibrated) == "latent_ar_lrv"
    # 19-22 months: the ITS was calibrated there, the two-phase ratio only from 23 months
    # (weekly: 18-23 weeks likewise)
    for short in ({**monthly, "n_observed": AUTO_MIN_MONTHS},
                  {**weekly, "n_observed": AUTO_MIN_WEEKS}):  # fmt: skip
        assert choose_inference("auto", **short) == "latent_ar"
        assert choose_two_phase_method("auto", **short) == "glm"
    assert AUTO_MIN_MONTHS < AUTO_MIN_MONTHS_TWO_PHASE and AUTO_MIN_WEEKS < AUTO_MIN_WEEKS_TWO_PHASE
    for other in (
        {**daily, "n_observed": AUTO_MIN_PERIODS - 1},  # shorter than the calibration study
        {**weekly, "n_observed": AUTO_MIN_WEEKS - 1},
        {**monthly, "n_observed": AUTO_MIN_MONTHS - 1},  # shorter than the monthly study
        {**daily, "freq": "Q"},  # quarterly counts: never calibrated
        {**daily, "family": "quasipoisson"},  # not a family of the latent model
    ):
        assert choose_inference("auto", **other) == "glm"
        assert choose_two_phase_method("auto", **other) == "glm"
    assert choose_inference("glm", **daily) == "glm"
    assert set(TWO_PHASE_OF_INFERENCE.values()) <= {"auto", *TWO_PHASE_METHODS}
    assert two_phase_method_of("hac").name == "glm"
    assert two_phase_method_of("latent_ar_lrv").name == "latent_ar_lrv"

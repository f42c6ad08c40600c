"""End to end on the bundled Idlib 2019 data: the founding question, for attacks and deaths."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trends.analysis import analyse_ceasefire
from trends.datasets import load_idlib_2019
from trends.errors import InputError


@pytest.fixture(scope="module")
def case():
    return load_idlib_2019()


@pytest.fixture(scope="module")
def analysis(founding_analysis):
    """analyse_ceasefire(case.incidents, "ceasefire_aug31_effective", start="2019-04-30",
    end="2019-12-15", timeline=case.timeline, claims=case.claims, claim_scopes=IDLIB_CLAIM_SCOPES,
    ingest=case.report): the founding case of conftest.py, computed once per test run."""
    return founding_analysis


def test_phase_counts_match_the_incident_table(analysis, case):
    inc = case.incidents
    before = inc[(inc["date"] >= "2019-04-30") & (inc["date"] <= "2019-08-30")]
    after = inc[(inc["date"] >= "2019-08-31") & (inc["date"] <= "2019-12-15")]
    rates = analysis.outcomes["attacks"].rates.to_dict()
    assert rates["rate_before"] == pytest.approx(len(before) / 123)
    assert rates["rate_after"] == pytest.approx(len(after) / 107)
    deaths = analysis.outcomes["civilian_deaths"].rates.to_dict()
    assert deaths["rate_before"] == pytest.approx(before["civilian_deaths_best"].sum() / 123)
    assert deaths["rate_after"] == pytest.approx(after["civilian_deaths_best"].sum() / 107)


def test_both_rates_are_lower_after_the_ceasefire_with_calibrated_intervals(analysis):
    # issue 12: the defaults are the calibrated latent-AR intervals on this daily series; the
    # founding case is so persistent (AR coefficient near 0.96) that the period averages alone
    # do not exclude no change, while the ITS level change (the abrupt jump) does
    for name in ("attacks", "civilian_deaths"):
        oa = analysis.outcomes[name]
        assert not oa.problems, oa.problems
        rr = oa.rates.to_dict()["rate_ratio"]
        assert rr["estimate"] < 0.4, name  # 3.9 -> 1.3 attacks, 7.3 -> 1.9 deaths a day
        nb = oa.rates.rate_ratio_nb
        assert nb["se_type"] == "latent_ar_lrv" and nb["estimate"] == pytest.approx(rr["estimate"])
        assert nb["ci_low"] < rr["ci_low"] and nb["ci_high"] > rr["ci_high"], name
        assert oa.its.level_change.ci_high < 1, name
        assert oa.its.settings["inference"] == "latent_ar"
        assert oa.its.family == "negbin" and "latent AR(1)" in oa.its.fit.se_description


def test_change_points_allow_for_dependence(analysis):
    attacks = analysis.outcomes["attacks"].changepoint
    cp = attacks.to_dict()["changepoint"]
    days_off = (pd.Timestamp(cp["date"]) - pd.Timestamp("2019-08-31")).days
    assert abs(days_off) <= 3, cp
    for name in ("attacks", "civilian_deaths"):
        res = analysis.outcomes[name].changepoint
        assert res.dependence > 1, (name, res.dependence)  # runs of busy and quiet days


def test_placebo_and_robustness(analysis):
    deaths = analysis.outcomes["civilian_deaths"]
    assert deaths.placebo.n_placebos > 50
    assert deaths.placebo.p_value <= 0.05
    rob = deaths.robustness.set_index("variant")
    assert {"low death figures", "high death figures"} <= set(rob.index)
    assert (rob["level_rr"] < 1).all()
    assert any(v.startswith("without the deadliest incident") for v in rob.index)


def test_founding_claim_in_the_analysis(analysis):
    claims = analysis.claims.frame.set_index("claim_id")
    row = claims.loc["C048"]
    assert (row["observed_low"], row["observed_best"], row["observed_high"]) == (188, 203, 279)
    assert row["verdict"] == "undetermined"


def test_results_payload_is_json_with_the_documented_keys(analysis):
    payload = json.loads(json.dumps(analysis.to_dict()))
    assert payload["data"]["rows_read"] == 1035
    assert payload["window"] == {"start": "2019-04-30", "end": "2019-12-15", "freq": "D"}
    assert payload["intervention"]["id"] == "ceasefire_aug31_effective"
    assert payload["intervention"]["date"] == "2019-08-31"
    for name in ("attacks", "civilian_deaths"):
        out = payload["outcomes"][name]
        for key in ("rate_before", "rate_after", "rate_ratio", "its", "changepoint", "placebo"):
            assert out[key] is not None, (name, key)
        assert set(out["rate_ratio"]) >= {"estimate", "ci_low", "ci_high", "method"}
        assert set(out["its"]["level_change_rr"]) == {"estimate", "ci_low", "ci_high"}
    claim = next(c for c in payload["claims"] if c["claim_id"] == "C048")
    assert claim["observed"] == {"low": 188.0, "best": 203.0, "high": 279.0}


def test_report_states_the_numbers(analysis):
    text = analysis.report()
    rr = analysis.outcomes["attacks"].rates.to_dict()["rate_ratio"]["estimate"]
    assert f"{rr:.3f}" in text
    assert "Caveats" in text and "floor" in text
    assert analysis.summary().shape[0] == 2
    assert {"two-phase rates", "ITS negbin"} <= set(analysis.models_table()["model"])


def test_intervention_outside_window(case):
    with pytest.raises(InputError, match="inside the window"):
        analyse_ceasefire(case.incidents, "2020-06-01", start="2019-04-30", end="2019-12-15")


def test_a_pandas_series_of_counts_is_analysed_as_one_measure():
    import trends

    rng = np.random.default_rng(1)
    idx = pd.date_range("2024-01-01", periods=200)
    s = pd.Series(rng.poisson(np.r_[[6] * 100, [3] * 100]), index=idx, name="killed")
    a = trends.analyse_ceasefire(s, "2024-04-10")
    assert list(a.outcomes) == ["killed"]
    assert "605 people killed in 100 observed days" in a.report()
    with pytest.raises(trends.errors.WrongTableError, match="needs a DatetimeIndex"):
        trends.analyse_ceasefire(pd.Series([1, 2, 3] * 50), "2024-03-01")

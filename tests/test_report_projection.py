"""A projection the ITS result flags as uninformative is never quoted as a number in the report."""

from __future__ import annotations

from trends.report.context import _cumulative_paragraph


def test_flagged_projection_prints_no_expected_total_or_interval():
    # c3_sparse of the report sweep: 11 recorded against 51,079,488,648,266,704 expected
    ce = {
        "estimate": -5.1079488648266696e16,
        "ci_low": -8.557325749695532e18,
        "ci_high": 8.552656866199209e18,
        "observed": 11.0,
        "expected": 5.10794886482667e16,
        "expected_pi_low": 0.0,
        "expected_pi_high": 8.557325749695532e18,
        "n_periods": 97,
        "projection_uninformative": True,
    }
    text = _cumulative_paragraph(ce, "ceasefire", "people killed").plain()
    assert "51,079,488,648,266,704" not in text and "8,557,325" not in text
    assert " expected" not in text
    assert "11 people killed were recorded" in text
    assert "too uncertain to give a counterfactual total" in text and "barely known" in text
    one = _cumulative_paragraph({**ce, "observed": 1.0}, "ceasefire", "people killed").plain()
    assert "1 person killed was recorded" in one


def test_an_informative_projection_keeps_its_numbers():
    ce = {
        "estimate": -300.0,
        "ci_low": -420.0,
        "ci_high": -150.0,
        "observed": 200.0,
        "expected": 500.0,
        "expected_pi_low": 350.0,
        "expected_pi_high": 620.0,
        "n_periods": 97,
        "projection_uninformative": False,
    }
    text = _cumulative_paragraph(ce, "ceasefire", "people killed").plain()
    assert "300 fewer people killed" in text and "150 to 420" in text


def test_a_projection_whose_mean_lies_above_its_own_interval_is_uninformative():
    import warnings

    import numpy as np
    import pandas as pd

    from trends.models.its import fit_its, projection_uninformative

    assert projection_uninformative(9.4e23, 11.0, 1.0e19)  # the mean above its interval
    assert not projection_uninformative(0.3, 0.0, 0.0)  # a tiny expected total, rounded bounds
    assert not projection_uninformative(120.0, 40.0, 180.0)
    # 3 events in the last days of a 14-day pre-period, then sparse: a steep trend projected
    y = np.zeros(111)
    y[[10, 12, 13]] = 1
    rng = np.random.default_rng(1)
    y[np.sort(rng.choice(np.arange(14, 111), 11, replace=False))] = 1
    s = pd.Series(y, index=pd.date_range("2023-06-01", periods=111))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = fit_its(s, s.index[14], inference="glm", family="negbin")
    ce = r.to_dict()["cumulative_effect"]
    assert ce["projection_uninformative"]
    assert ce["expected_pi_low"] >= 0  # simulated totals summed without int64 overflow

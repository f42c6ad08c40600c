"""The analysis' summary() quotes the interval the bottom line quotes, and says which it is."""

from __future__ import annotations

import pytest

from trends.report.contract import results_payload


def test_summary_interval_is_the_bottom_lines(founding_analysis):
    table = founding_analysis.summary().set_index("outcome")
    bottom = results_payload(founding_analysis)["bottom_line"]
    for outcome in ("attacks", "civilian_deaths"):
        low, high = table.loc[outcome, "rate_ratio_ci"]
        quoted = bottom[outcome]["interval"]
        assert (low, high) == pytest.approx((quoted["low"], quoted["high"]))
        assert "dependence" in table.loc[outcome, "rate_ratio_ci_is"]
        exact_low, exact_high = table.loc[outcome, "rate_ratio_exact_ci"]
        assert low < exact_low and exact_high < high  # the exact one is the narrower


def test_glance_and_summary_quote_the_bottom_lines_estimate_with_its_interval(founding_analysis):
    row = founding_analysis.glance().iloc[0]
    table = founding_analysis.summary().set_index("outcome")
    bottom = results_payload(founding_analysis)["bottom_line"]
    for outcome in ("attacks", "civilian_deaths"):
        quoted = bottom[outcome]["interval"]
        assert row[f"{outcome}_rate_ratio_ci_low"] == pytest.approx(quoted["low"])
        assert row[f"{outcome}_rate_ratio_ci_high"] == pytest.approx(quoted["high"])
        assert row[f"{outcome}_rate_ratio"] == pytest.approx(table.loc[outcome, "rate_ratio"])
        assert quoted["low"] < row[f"{outcome}_rate_ratio"] < quoted["high"]


def test_whole_counts_become_int_and_shares_stay_floats():
    import math

    from trends.results import whole_count

    assert whole_count(983.0) == 983 and isinstance(whole_count(983.0), int)
    assert whole_count(2.5) == 2.5 and math.isnan(whole_count(float("nan")))

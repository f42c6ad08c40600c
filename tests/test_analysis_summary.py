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

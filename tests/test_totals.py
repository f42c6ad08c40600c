"""Two published totals compared with the exact conditional Poisson rate ratio."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from trends.errors import InputError
from trends.models.totals import PublishedTotal, compare_totals, parse_total
from trends.verdicts import NO_CHANGE


def test_unequal_exposure_is_used():
    result = compare_totals("213/31", "95/30", measure="casualties")
    assert result.estimate == pytest.approx((95 / 30) / (213 / 31), rel=1e-12)
    assert result.estimate == pytest.approx(0.461, abs=5e-4)
    # the figures the README quotes for this example
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.358, 0.590)
    assert result.ci_low < result.estimate < result.ci_high < 1
    assert "fell by 54%" in result.report()


def test_interval_inverts_the_binomial_test():
    # At the interval's limits the conditional binomial tail probability is alpha/2.
    result = compare_totals(PublishedTotal(40, 20), PublishedTotal(25, 30))
    n, t0, t1 = 65, 20, 30
    p_hi = result.ci_high * t1 / (t0 + result.ci_high * t1)
    assert stats.binom.cdf(25, n, p_hi) == pytest.approx(0.025, abs=1e-9)
    p_lo = result.ci_low * t1 / (t0 + result.ci_low * t1)
    assert stats.binom.sf(24, n, p_lo) == pytest.approx(0.025, abs=1e-9)


def test_small_counts_never_over_claim():
    result = compare_totals("13/30", "5/30", measure="deaths")
    text = result.report()
    assert result.ci_high > 1
    assert "not distinguishable from no change" in text
    assert "fell" not in text and "rose" not in text
    assert result.to_dict()["distinguishable"] is False


def test_glance_is_one_row():
    assert len(compare_totals("10/7", "12/7").glance()) == 1


@pytest.mark.parametrize("text", ["abc", "12/0", "-3/10", "12/-1", "1.5/10", "1,08/30"])
def test_bad_totals_are_refused(text):
    with pytest.raises(InputError):
        parse_total(text)


def test_a_thousands_separator_in_a_published_total_is_read():
    assert parse_total("1,089/30").count == 1089


def test_no_events_at_all():
    result = compare_totals("0/30", "0/30")
    assert math.isnan(result.estimate)
    assert "nothing to compare" in result.report()


def test_rate_interval_is_garwood():
    low, high = PublishedTotal(10, 5).rate_interval()
    assert low == pytest.approx(stats.chi2.ppf(0.025, 20) / 2 / 5, rel=1e-10)
    assert high == pytest.approx(stats.chi2.ppf(0.975, 22) / 2 / 5, rel=1e-10)
    assert PublishedTotal(0, 5).rate_interval()[0] == 0.0


def test_zero_totals_are_described_for_what_they_say():
    both = compare_totals("0/30", "0/30").report()
    assert "nothing to compare" in both and "wide by nature" not in both
    assert "interval holds" not in both
    none_before = compare_totals("0/30", "5/30").report()
    assert "ratio is undefined; exact 95% interval from 0.92 upward (unbounded)" in none_before
    assert NO_CHANGE in none_before and "rose" not in none_before
    clear = compare_totals("0/90", "329/110").report()
    assert "its exact 95% lower bound is 72.6: a clear rise" in clear
    assert "cannot be estimated (95% CI" not in none_before


def test_counts_of_the_summary_are_whole_numbers():
    table = compare_totals("13/30", "5/30").summary()
    assert str(table["count"].dtype) == "Int64" and table.loc["before", "count"] == 13


def test_counts_in_the_report_agree_in_number_with_the_measure():
    """Sweep F: "1 events in 1 day", "213 death in 31 days"."""
    one = compare_totals("1/1", "0/1")
    assert "Before: 1 event in 1 day" in one.report()
    assert "With only 1 event in all" in one.report()
    deaths = compare_totals("213 in 31 days", "95 in 30 days", measure="death")
    assert deaths.measure == "deaths"
    assert "213 deaths in 31 days" in deaths.report()
    killed = compare_totals("213/31", "95/30", measure="killed")
    assert "213 people killed" in killed.report()


def test_the_rates_table_holds_each_totals_exact_interval():
    c = compare_totals(PublishedTotal(40, 28.0), PublishedTotal(0, 14.0), alpha=0.1)
    rates = c.rates()
    assert list(rates.index) == ["before", "after"]
    for name, total in (("before", c.before), ("after", c.after)):
        low, high = total.rate_interval(0.1)
        assert rates.at[name, "ci_low"] == low and rates.at[name, "ci_high"] == high
        assert rates.at[name, "rate"] == total.count / total.days
    assert rates.at["after", "ci_low"] == 0.0 and rates.at["after", "ci_high"] > 0

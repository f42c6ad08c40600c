"""Numbers in sentences: percentages that never round to 100% or 0%, large ratios, plurals."""

from __future__ import annotations

import pytest

from trends.models.totals import compare_totals
from trends.models.wording import fmt_pct
from trends.verdicts.words import change_sentence, fmt_percent, headline


@pytest.mark.parametrize(
    ("pct", "text"),
    [(99.6, "99.6%"), (99.96, "99.96%"), (100.0, "100%"), (0.004, "0.004%"), (0.0, "0.00%"),
     (61.2, "61%"), (-99.7, "-99.7%")],
)  # fmt: skip
def test_a_percentage_rounds_to_100_or_0_only_when_it_is(pct, text):
    assert fmt_percent(pct) == text
    assert fmt_pct(pct) == text


def test_a_fall_short_of_everything_is_not_100_percent():
    result = compare_totals("7/1", "3/100")
    assert "fell by 99.6%" in result.report()
    assert "100%" not in result.report()
    assert "fell by 100%" in compare_totals("7/1", "0/100").report()
    assert "fell by 99.6%" in change_sentence("attacks", 0.004, 0.001, 0.02)
    assert headline("attacks", 0.004, 0.001, 0.02) == "Attacks fell by 99.6%"

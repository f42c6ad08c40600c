"""A period without events: the exact interval's one finite bound decides, in every part.

A rise from zero (none before) has an exact interval with no upper bound, a fall to zero one that
reaches 0; when the finite bound excludes 1 the change is clear and the findings, the bottom line
and the detail all say so ("rose from none", "fell ... to zero"); when it does not they say
"not distinguishable from no change", with the ratio worded one way everywhere.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.models.rates import compare_rates
from trends.verdicts import NO_CHANGE, Estimate, Evidence, bottom_line
from trends.verdicts.words import empty_phase_kind, empty_phase_sentence, empty_ratio_words

runner = CliRunner()
INTERVENTION = "2023-04-01"


def _series(before: list[int], after: list[int]) -> pd.Series:
    index = pd.date_range("2023-01-01", periods=len(before) + len(after))
    return pd.Series(np.array(before + after, dtype=float), index=index, name="killed")


def _report(tmp_path: Path, series: pd.Series) -> str:
    frame = pd.DataFrame({"date": series.index.strftime("%Y-%m-%d"), "killed": series.values})
    frame["killed"] = frame["killed"].astype(int)
    frame.to_csv(tmp_path / "daily.csv", index=False)
    args = ["report", "--data", str(tmp_path / "daily.csv"), "--format", "counts"]
    args += ["--intervention", INTERVENTION, "--out", str(tmp_path / "out"), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + str(result.exception)
    return (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def _block(md: str, title: str) -> str:
    return md.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def _rise_from_zero() -> pd.Series:
    rng = np.random.default_rng(5)
    return _series([0] * 90, list(rng.poisson(3.0, 110)))


def test_a_rise_from_zero_is_clear_in_findings_bottom_line_and_detail(tmp_path):
    md = _report(tmp_path, _rise_from_zero())
    bottom, findings = _block(md, "Bottom line"), _block(md, "Findings")
    for text in (bottom, findings):
        assert "rose from none in the 90 days before" in text
        assert "exact 95% lower bound is" in text and "a clear rise" in text
        assert "only the exact interval, which treats days as independent" in text
        assert NO_CHANGE not in text.split("Could not estimate")[0]
        assert "not available" not in text.split("Could not estimate")[0]
    assert "could not be compared" not in bottom and "Confidence: inconclusive" not in bottom
    assert "**People killed rose from none" in findings
    detail = findings.split("In detail:", 1)[1]
    assert "infinite" not in detail and "n/a" not in detail
    assert "rose from none" in detail
    row = next(line for line in md.splitlines() if "| two-phase rates |" in line)
    assert "| undefined (none before) |" in row and row.endswith(" | unbounded |"), row


def test_one_event_after_none_before_is_not_distinguishable_and_worded_once(tmp_path):
    md = _report(tmp_path, _series([0] * 90, [0] * 50 + [1] + [0] * 59))
    bottom, findings = _block(md, "Bottom line"), _block(md, "Findings")
    words = "no people killed before: the ratio is undefined; exact 95% interval from 0.021 upward"
    for text in (bottom, findings, findings.split("In detail:", 1)[1]):
        assert NO_CHANGE in text
        assert words in text
        assert "rose" not in text and "a clear" not in text
    assert "not available (95% CI" not in findings and "is infinite (" not in findings
    assert "could not be compared" not in bottom


def test_no_events_at_all_is_nothing_to_compare(tmp_path):
    md = _report(tmp_path, _series([0] * 90, [0] * 110))
    bottom, findings = _block(md, "Bottom line"), _block(md, "Findings")
    assert "nothing to compare" in bottom
    assert "No people killed in either period" in findings and "nothing to compare" in findings
    assert "95% CI 0 to not available" not in findings
    row = next(line for line in md.splitlines() if "| two-phase rates |" in line)
    assert "| nothing to compare (none in either period) |" in row and "n/a" not in row


def test_a_fall_to_zero_reads_to_zero_not_by_100_percent():
    rng = np.random.default_rng(3)
    s = _series(list(rng.poisson(5.0, 14)), [0] * 97)
    res = compare_rates(s, ("2023-01-01", "2023-01-14"), ("2023-01-15", "2023-04-21"))
    text = res.report()
    assert "to zero (none in the 97 days after)" in text and "a clear fall" in text
    assert "fell by 100%" not in text and "ratio after/before 0.000" not in text
    ev = Evidence(
        outcome="killed", measure="people killed", count_before=res.before.count,
        count_after=0.0, periods_before=14, periods_after=97,
        exact=Estimate(0.0, 0.0, res.rate_ratio["ci_high"], res.rate_ratio["p_value"]),
        event_name="ceasefire", event_word="the ceasefire",
    )  # fmt: skip
    bl = bottom_line(ev)
    assert bl.direction == "fall"
    assert "to zero (none in the 97 days after)" in bl.text and "fell by 100%" not in bl.text
    assert "(0 a day)" not in bl.text
    assert bl.headline == "The rate of people killed fell to zero"


def test_bottom_line_of_a_rise_from_zero_from_plain_evidence():
    ev = Evidence(
        outcome="killed", measure="people killed", count_before=0.0, count_after=329.0,
        periods_before=90, periods_after=110,
        exact=Estimate(math.inf, 72.6, math.inf, 1e-12), event_name="ceasefire",
    )  # fmt: skip
    bl = bottom_line(ev)
    assert bl.direction == "rise" and bl.grade != "inconclusive"
    assert "rose from none in the 90 days before" in bl.text
    assert "exact 95% lower bound is 72.6: a clear rise" in bl.text
    assert bl.headline == "The rate of people killed rose from none"
    assert bl.to_dict()["estimate"] is None  # JSON has no infinity


@pytest.mark.parametrize(
    ("counts", "interval", "kind"),
    [((0, 329), (72.6, math.inf), "rise"), ((0, 1), (0.021, math.inf), "unclear"),
     ((68, 0), (0.0, 0.008), "fall"), ((2, 0), (0.0, 3.1), "unclear"),
     ((0, 0), (0.0, math.inf), "unknown")],
)  # fmt: skip
def test_the_finite_bound_decides_and_no_unclear_sentence_has_a_direction(counts, interval, kind):
    empty = "both" if counts == (0, 0) else "before" if counts[0] == 0 else "after"
    assert empty_phase_kind(empty, *interval) == kind
    text = empty_phase_sentence("attacks", counts, ("90 days", "110 days"), interval)
    if kind == "unclear":
        assert NO_CHANGE in text and empty_ratio_words("attacks", empty, *interval) in text
        assert not any(w in text for w in ("rose", "fell", "clear rise", "clear fall"))
    elif kind == "unknown":
        assert text.endswith("nothing to compare")
    else:
        assert f"a clear {kind}" in text

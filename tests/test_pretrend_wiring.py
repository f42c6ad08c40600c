"""The pre-period trend check in the analysis, the bottom line, results.json and the report."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from trends.analysis import analyse_ceasefire
from trends.report.contract import results_payload, schema_errors
from trends.series import CountSeries
from trends.verdicts import Estimate, Evidence, bottom_line

N_DAYS, CHANGE_AT = 245, 127


def _series(curved: bool, seed: int) -> CountSeries:
    """Negative-binomial counts with a strong hump before the change (``curved``) or a flat rate."""
    rng = np.random.default_rng(seed)
    t = np.arange(N_DAYS)
    hump = 1.8 * np.sin(np.pi * t / CHANGE_AT) if curved else 0.0
    log_mu = np.where(t < CHANGE_AT, 1.0 + hump, 0.6)
    y = rng.negative_binomial(5, 5 / (5 + np.exp(log_mu)))
    idx = pd.date_range("2021-01-01", periods=N_DAYS, freq="D")
    return CountSeries.from_counts(pd.Series(y, index=idx, name="events"))


def _analyse(curved: bool, seed: int = 11):
    cs = _series(curved, seed)
    return analyse_ceasefire(cs, cs.counts.index[CHANGE_AT], placebo=False, robustness=False)


@pytest.fixture(scope="module")
def curved():
    return _analyse(True)


def test_a_curved_pre_period_is_flagged_and_said(curved):
    (oa,) = curved.outcomes.values()
    assert oa.pretrend is not None and oa.pretrend.tested and oa.pretrend.flagged
    assert oa.pretrend.p_value < 0.01
    text = curved.bottom_line.report()
    assert "not well described by a straight line" in text
    checks = {c.name: c.status for c in next(iter(curved.bottom_line)).checks}
    assert checks["interrupted time series"] == "unclear"


def test_a_flat_pre_period_is_not_flagged():
    a = _analyse(False, seed=3)
    (oa,) = a.outcomes.values()
    assert oa.pretrend.tested and not oa.pretrend.flagged
    assert "not well described" not in a.bottom_line.report()


def test_results_json_carries_the_check_and_meets_the_schema(curved):
    payload = json.loads(json.dumps(results_payload(curved)))
    (out,) = payload["outcomes"].values()
    assert out["pre_trend"]["tested"] is True
    assert out["pre_trend"]["well_described"] is False
    assert 0 <= out["pre_trend"]["p_value"] < 0.01
    assert schema_errors(payload) == []
    broken = json.loads(json.dumps(payload))
    next(iter(broken["outcomes"].values()))["pre_trend"]["p_value"] = 2.0
    assert schema_errors(broken) != []


def test_the_check_can_be_switched_off():
    cs = _series(True, 11)
    a = analyse_ceasefire(
        cs, cs.counts.index[CHANGE_AT], placebo=False, robustness=False, pretrend=False
    )
    (oa,) = a.outcomes.values()
    assert oa.pretrend is None
    assert "pre_trend" not in next(iter(a.to_dict()["outcomes"].values()))


# --------------------------------------------------------------------------- bottom-line rule
def _evidence(**changes) -> Evidence:
    ev = Evidence(
        outcome="attacks",
        measure="attacks",
        count_before=900,
        count_after=200,
        periods_before=120,
        periods_after=120,
        exact=Estimate(0.22, 0.19, 0.26, 1e-50),
        model=Estimate(0.22, 0.12, 0.40, 1e-4),
        level_change=Estimate(2.5, 1.4, 4.4),  # the ITS says the other way
        event_word="the truce",
    )
    return replace(ev, **changes)


def test_an_its_disagreement_counts_unless_the_pre_trend_is_rejected():
    plain = bottom_line(_evidence())
    assert {c.name: c.status for c in plain.checks}["interrupted time series"] == "disagrees"
    assert any("other direction" in d for d in plain.disagreements)
    flagged = bottom_line(_evidence(pre_trend_flagged=True, pre_trend_p=0.003))
    assert {c.name: c.status for c in flagged.checks}["interrupted time series"] == "unclear"
    assert not any("other direction" in d for d in flagged.disagreements)
    assert any(
        "before the truce" in d and "p = 0.003" in d and "not well described" in d
        for d in flagged.disagreements
    )
    assert "not well described by a straight line" in flagged.text


def _checks(bl) -> dict[str, str]:
    return {c.name: c.status for c in bl.checks}


def test_an_its_finding_that_the_curved_trend_does_not_share_does_not_count():
    # a clear fall in the two-phase ratio and in the straight-line ITS level change
    fall = dict(level_change=Estimate(0.30, 0.12, 0.75), cumulative=Estimate(-90, -200, -10))
    agree = bottom_line(_evidence(**fall))
    assert _checks(agree)["interrupted time series"] == "agrees"
    # the curved pre-period trend also gives a clear fall: still agrees
    both = bottom_line(_evidence(**fall, level_change_curved=Estimate(0.35, 0.13, 0.9)))
    assert _checks(both)["interrupted time series"] == "agrees"
    assert not any("curved trend" in d for d in both.disagreements)
    # the curved one cannot be told from no change: unclear, and the paragraph says why
    shaky = bottom_line(_evidence(**fall, level_change_curved=Estimate(0.40, 0.09, 1.7)))
    assert _checks(shaky)["interrupted time series"] == "unclear"
    (why,) = [d for d in shaky.disagreements if "curved trend" in d]
    assert "before the truce" in why and "0.40" in why and "0.09 to 1.70" in why
    assert "not distinguishable from no change" in why and "does not count" in why
    assert shaky.grade != "strong" or agree.grade == "strong"
    # the curved one points the other way: unclear too, said in those words
    other = bottom_line(_evidence(**fall, level_change_curved=Estimate(2.0, 1.2, 3.3)))
    assert _checks(other)["interrupted time series"] == "unclear"
    assert any("in the other direction" in d for d in other.disagreements)
    # a disagreement of the straight-line ITS is not hidden by the curved fit
    against = bottom_line(_evidence(level_change_curved=Estimate(0.5, 0.2, 1.3)))
    assert _checks(against)["interrupted time series"] == "disagrees"


def test_an_unclear_primary_with_a_shape_dependent_its_says_both_fits():
    ev = _evidence(
        model=Estimate(0.34, 0.06, 2.0, 0.23),
        exact=Estimate(0.34, 0.28, 0.42, 1e-30),
        level_change=Estimate(0.19, 0.035, 0.999),
        level_change_curved=Estimate(0.23, 0.039, 1.3),
    )
    bl = bottom_line(ev)
    assert bl.direction == "unclear"
    assert _checks(bl)["interrupted time series"] == "unclear"  # nothing to back
    assert "with a straight-line trend before the truce" in bl.text
    assert "but not with a curved one (0.23, 95% CI 0.039 to 1.30)" in bl.text
    assert "finds a clear immediate change (level change" not in bl.text
    plain = bottom_line(replace(ev, level_change_curved=Estimate(0.2, 0.04, 0.9)))
    assert "finds a clear immediate change (level change 0.19" in plain.text


def test_the_adapter_reads_the_curved_level_change_only_from_a_run_check(curved):
    from trends.verdicts.adapter import _pre_trend

    (oa,) = curved.outcomes.values()
    got = _pre_trend(oa.pretrend)
    cur = oa.pretrend.level_change_curved
    assert got["level_change_curved"].estimate == pytest.approx(cur.estimate)
    assert (got["level_change_curved"].low, got["level_change_curved"].high) == pytest.approx(
        (cur.ci_low, cur.ci_high)
    )
    untested = type("P", (), {"tested": False, "flagged": False, "level_change_curved": cur})()
    assert _pre_trend(untested) == {}


# ------------------------------------------------------------------------- parallel outcomes
def test_outcomes_in_parallel_give_the_same_analysis():
    a, b = _series(True, 5).counts["events"], _series(False, 6).counts["events"]
    cs = CountSeries.from_counts(pd.DataFrame({"attacks": a, "killed": b}))
    day = cs.counts.index[CHANGE_AT]
    kw = dict(placebo=False, robustness=False)
    one = results_payload(analyse_ceasefire(cs, day, **kw))
    two = results_payload(analyse_ceasefire(cs, day, n_jobs=2, **kw))
    assert len(one["outcomes"]) == 2
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)

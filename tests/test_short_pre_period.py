"""A daily window with fewer days before the intervention than any calibrated design says so."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trends.analysis import analyse_ceasefire
from trends.analysis.ceasefire import CALIBRATED_PRE_DAYS, short_pre_period_caveat
from trends.series import CountSeries


def test_the_caveat_names_the_days_before_and_the_calibrated_minimum():
    day = pd.Timestamp("2023-06-15")
    (text,) = short_pre_period_caveat(pd.Timestamp("2023-06-01"), day, "D")
    assert "only 14 days before the intervention (from 1 Jun 2023)" in text
    assert f"at least {CALIBRATED_PRE_DAYS} days" in text
    start = day - pd.Timedelta(days=CALIBRATED_PRE_DAYS)
    assert short_pre_period_caveat(start, day, "D") == []
    assert short_pre_period_caveat(pd.Timestamp("2023-06-01"), day, "W") == []


def test_an_analysis_with_a_short_pre_period_carries_the_caveat():
    rng = np.random.default_rng(4)
    index = pd.date_range("2023-01-01", periods=200, freq="D")
    frame = pd.DataFrame({"killed": rng.poisson(6.0, index.size).astype(float)}, index=index)
    series = CountSeries.from_frame(frame, freq="D")
    fast = {"placebo": False, "robustness": False, "pretrend": False}
    short = analyse_ceasefire(series, pd.Timestamp("2023-06-15"), start="2023-06-01", **fast)
    assert any(
        c.startswith("Short pre-period: the window holds only 14 days") for c in short.caveats
    )
    long = analyse_ceasefire(series, pd.Timestamp("2023-06-15"), start="2023-03-01", **fast)
    assert not any(c.startswith("Short pre-period") for c in long.caveats)

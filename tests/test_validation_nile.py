"""Golden tests of the Gaussian mean-shift option against R's strucchange.

The data are read in place from ``../shared/validation`` (``validation_dir`` fixture); the R
outputs are in ``nile_reference_output.txt`` and ``sicily_reference_output.txt`` there
(R 4.2.2, strucchange 1.5-3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trends.models.changepoint import detect_changepoints

pytestmark = pytest.mark.validation

NILE_BIC = [1318.241807, 1270.083736, 1276.466701, 1284.717667, 1291.944477, 1310.765155]
NILE_RSS = [
    2835156.750000,
    1597457.194444,
    1552923.615775,
    1538096.512745,
    1507888.475916,
    1659993.500426,
]
SICILY_BIC = [511.2389, 499.6429, 499.2118, 499.4071, 499.2492, 506.1187, 530.6725]
SICILY_RSS = [17439.6936, 12478.2334, 10788.2426, 9426.6916, 8187.8153, 8011.3373, 10578.2762]


@pytest.fixture(scope="module")
def nile(validation_dir) -> pd.Series:
    path = validation_dir / "03_nile_strucchange" / "nile.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    frame = pd.read_csv(path)
    return pd.Series(frame["flow"].to_numpy(dtype=float), index=frame["year"], name="flow")


@pytest.fixture(scope="module")
def nile_fit(nile):
    # strucchange's breakpoints(Nile ~ 1) uses h = 0.15 (15 years) and at most 5 breaks
    return detect_changepoints(nile, model="gaussian", min_size=0.15, max_changes=5)


def test_nile_bic_table_matches_strucchange(nile_fit):
    """breakpoints(Nile ~ 1): BIC and RSS for m = 0..5, exact dynamic programming."""
    table = nile_fit.criterion_table
    assert list(table["m"]) == [0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(table["criterion"], NILE_BIC, rtol=1e-8)
    np.testing.assert_allclose(table["rss"], NILE_RSS, rtol=1e-9)
    # strucchange counts (m + 1) means + m break dates + 1 variance
    assert list(table["n_params"]) == [2 * m + 2 for m in range(6)]
    assert nile_fit.n_changes == 1
    assert nile_fit.method == "dp"
    assert nile_fit.min_size == 15


def test_nile_break_date_both_conventions(nile_fit):
    """One break: strucchange reports obs 28 = 1898 (last year of the old level)."""
    row = nile_fit.breaks.iloc[0]
    assert row["date_last_old"] == 1898
    assert row["date"] == 1899  # first year at the new level
    assert row["position"] == 28  # 0-based position of 1899


def test_nile_segment_means(nile_fit):
    seg = nile_fit.segments
    np.testing.assert_allclose(seg["mean"], [1097.75, 849.9722222], rtol=1e-9)
    assert list(seg["start"]) == [1871, 1899]
    assert list(seg["end"]) == [1898, 1970]


def test_nile_confidence_interval_bai(nile_fit):
    """confint(breakpoints(Nile ~ 1)): obs 25-32 = 1895-1902 (strucchange's convention).

    Method: Bai (1997) asymptotic interval from the law of the argmax of a two-sided Brownian
    motion with drift, segment-specific error variances (strucchange's default het.err = TRUE),
    rounded outwards; in the first-year-at-the-new-level convention it is 1896-1903.
    """
    row = nile_fit.breaks.iloc[0]
    assert (row["ci_low_last_old"], row["ci_high_last_old"]) == (1895, 1902)
    assert (row["ci_low"], row["ci_high"]) == (1896, 1903)
    assert list(nile_fit.confidence_sets[0]) == list(range(1896, 1904))
    # the Bayesian posterior over dates is a proper distribution centred on the estimate
    post = nile_fit.posteriors[0]
    assert post.sum() == pytest.approx(1.0)
    assert post.idxmax() == 1899


def test_nile_to_dict_and_reference(nile):
    res = detect_changepoints(nile, model="gaussian", min_size=0.15, reference=1898)
    d = res.to_dict()
    assert d["changepoint"]["date"] == 1899
    assert (d["changepoint"]["ci_low"], d["changepoint"]["ci_high"]) == (1896, 1903)
    assert d["changepoint"]["date_last_old"] == 1898
    assert res.comparison.offset_periods == 1
    assert res.comparison.in_set
    assert "1899" in res.report()


@pytest.fixture(scope="module")
def sicily_rate(validation_dir) -> pd.Series:
    path = validation_dir / "01_sicily_smoking_ban" / "sicily.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    frame = pd.read_csv(path)
    index = pd.DatetimeIndex(
        pd.to_datetime({"year": frame["year"], "month": frame["month"], "day": 1}), freq="MS"
    )
    return pd.Series((frame["aces"] / frame["stdpop"] * 1e5).to_numpy(), index=index, name="rate")


def test_sicily_mean_shift_matches_strucchange(sicily_rate):
    """breakpoints(rate ~ 1, h = 0.15): BIC picks 2 breaks at obs 9 (2002-09) and 47 (2005-11).

    Confidence intervals (Bai 1997, as strucchange's confint): obs 4-11 and 34-57, i.e.
    2002(4)-2002(11) and 2004(10)-2006(9) in strucchange's last-old-month convention. A
    mean-shift model cannot represent the README's forced single break *with trend*
    (rate ~ time), which is not tested here.
    """
    res = detect_changepoints(sicily_rate, model="gaussian", min_size=0.15, max_changes=6)
    assert res.min_size == 8
    np.testing.assert_allclose(res.criterion_table["criterion"], SICILY_BIC, atol=6e-5)
    np.testing.assert_allclose(res.criterion_table["rss"], SICILY_RSS, atol=6e-5)
    assert res.n_changes == 2
    b = res.breaks
    assert [str(d.date()) for d in b["date_last_old"]] == ["2002-09-01", "2005-11-01"]
    assert [int(p) for p in b["position"]] == [9, 47]  # 0-based first new month
    lows = [str(d.date())[:7] for d in b["ci_low_last_old"]]
    highs = [str(d.date())[:7] for d in b["ci_high_last_old"]]
    assert lows == ["2002-04", "2004-10"]
    assert highs == ["2002-11", "2006-09"]

"""Claims checked against a series without incidents, in the analysis layer (issue 8 leftover).

``analyse_ceasefire`` on tallies or plain counts checks the claims day by day itself (before,
only ``trends report`` did it, after the analysis); ``trends.analysis.series_claims`` holds it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trends import CountSeries, analyse_ceasefire
from trends.analysis.series_claims import check_claims_on_series, claim_measures
from trends.events import Claim


def _series(seed: int = 4) -> CountSeries:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2023-05-01", periods=90, name="date")
    killed = rng.poisson(np.where(index < "2023-06-15", 9.0, 3.0)).astype(float)
    killed[20] = np.nan  # a day the source did not report
    return CountSeries.from_frame(pd.DataFrame({"killed": killed}, index=index), source="ministry")


def _claims() -> list[Claim]:
    return [
        Claim("c1", "2023-07-01", "2023-06-15", "2023-06-30", "civilian_deaths", 5, "at least"),
        Claim("c2", "2023-06-01", "2023-05-15", "2023-05-31", "civilian_deaths", 99, "at least"),
        Claim("c3", "2023-07-01", "2023-06-15", "2023-06-30", "attacks", 10),
    ]


def test_the_measure_named_killed_counts_civilian_deaths():
    assert claim_measures(_series()) == {"civilian_deaths": "killed"}


def test_analyse_ceasefire_checks_claims_on_a_series_itself():
    series = _series()
    a = analyse_ceasefire(series, "2023-06-15", claims=_claims(), placebo=False, robustness=False)
    frame = a.claims.frame.set_index("id")
    days = series.measure("killed")
    expected = days.loc["2023-06-15":"2023-06-30"].sum()
    assert frame.loc["c1", "observed_best"] == expected
    assert frame.loc["c1", "verdict"] == "supported"
    # the window of c2 holds the unreported day 21 May: the total is not known
    assert frame.loc["c2", "verdict"] == "undetermined"
    assert "not reported" in frame.loc["c2", "reason"]
    assert frame.loc["c3", "verdict"] == "not checkable"
    assert any("checked against killed" in c for c in a.caveats)
    direct, _ = check_claims_on_series(pd.DataFrame([vars(c) for c in _claims()]), series)
    assert list(direct.frame["verdict"]) == list(a.claims.frame["verdict"])


def test_weekly_counts_without_days_cannot_be_checked():
    weekly = _series().resample("W")
    assert weekly.days is None or weekly.rule.key == "W"
    check, notes = check_claims_on_series(pd.DataFrame([vars(c) for c in _claims()]), weekly)
    if weekly.days is None:
        assert check is None and "not checked" in notes[0]


def _lumped_series() -> CountSeries:
    """30 days of 4 a day; days 10-14 (11-15 May) not reported, 16 May's report covers them."""
    index = pd.date_range("2023-05-01", periods=30, name="date")
    killed = np.full(30, 4.0)
    killed[10:15] = np.nan
    killed[15] = 24.0  # six days' deaths, reported at once
    exposure = pd.Series(1, index=index)
    exposure.iloc[15] = 6
    return CountSeries.from_frame(pd.DataFrame({"killed": killed}, index=index),
                                  exposure=exposure, source="monitor")  # fmt: skip


def test_days_a_report_after_a_gap_covers_count_as_reported():
    """A monitor's total after frozen days holds those days: a claim window containing the gap
    and the report is exact; a window cut inside the report's days is not."""
    claims = pd.DataFrame([
        vars(Claim("whole", "2023-06-01", "2023-05-01", "2023-05-30", "civilian_deaths", 100,
                   "at least")),
        vars(Claim("cut", "2023-06-01", "2023-05-13", "2023-05-30", "civilian_deaths", 10,
                   "at least")),
        vars(Claim("starts_on_report", "2023-06-01", "2023-05-16", "2023-05-30",
                   "civilian_deaths", 10, "at least")),
        vars(Claim("gap_only", "2023-06-01", "2023-05-01", "2023-05-13", "civilian_deaths", 10,
                   "at least")),
    ])  # fmt: skip
    check, _ = check_claims_on_series(claims, _lumped_series())
    frame = check.frame.set_index("id")
    assert frame.loc["whole", "verdict"] == "supported"
    assert frame.loc["whole", "observed_best"] == 120
    # 13-15 May are covered by the 16 May report, which also holds 11-12 May: not splittable
    assert frame.loc["cut", "verdict"] == "undetermined"
    assert "reach across" in frame.loc["cut", "reason"]
    # no unreported day inside, but the report on its first day counts five days before it
    assert frame.loc["starts_on_report", "verdict"] == "undetermined"
    assert "reach across" in frame.loc["starts_on_report", "reason"]
    # 11-13 May: the report covering them lies outside the window
    assert frame.loc["gap_only", "verdict"] == "undetermined"
    assert "3 days of the claim's window were not reported" in frame.loc["gap_only", "reason"]


def test_a_claim_in_the_measures_own_words_is_checked_against_it():
    """'people killed' against a series of killed (labelled 'people killed') is the same count;
    'combatants killed' is not, and stays not checkable."""
    claims = pd.DataFrame([
        vars(Claim("own", "2023-07-01", "2023-06-15", "2023-06-30", "people killed", 5,
                   "at least")),
        vars(Claim("bare", "2023-07-01", "2023-06-15", "2023-06-30", "killed", 5, "at least")),
        vars(Claim("other", "2023-07-01", "2023-06-15", "2023-06-30", "combatants killed", 5,
                   "at least")),
    ])  # fmt: skip
    series = _series()
    check, _ = check_claims_on_series(claims, series)
    frame = check.frame.set_index("id")
    expected = series.measure("killed").loc["2023-06-15":"2023-06-30"].sum()
    assert frame.loc["own", "verdict"] == frame.loc["bare", "verdict"] == "supported"
    assert frame.loc["own", "observed_best"] == frame.loc["bare", "observed_best"] == expected
    assert frame.loc["other", "verdict"] == "not checkable"
    # the series' findings call its figures recorded counts, not incident data
    report = check.report()
    assert "Recorded counts are a floor" in report and "Incident data" not in report


def test_a_window_with_days_not_reported_is_not_judged_in_the_finding_either(tmp_path):
    """A tally revised down inside a claim's window (130 -> 100): the new counts (40) do not add
    up to the tally's change (10), so the finding cannot be "contradicted" while the verdict is
    undetermined: both say the claim cannot be judged, and the summary says it apart."""
    import json

    from typer.testing import CliRunner

    from trends.cli import app

    tallies = tmp_path / "tallies.csv"
    tallies.write_text(
        "date,cumulative_killed\n2024-03-01,100\n2024-03-02,110\n2024-03-03,120\n"
        "2024-03-04,130\n2024-03-05,100\n2024-03-06,105\n2024-03-07,110\n",
        encoding="utf-8",
    )
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "claim_id,as_of,window_start,window_end,quantity,value,qualifier\n"
        "R1,2024-03-08,2024-03-02,2024-03-07,civilian_deaths,10,around\n",
        encoding="utf-8",
    )
    args = ["claims", "--claims", str(claims), "--data", str(tallies), "-f", "tallies"]
    out = CliRunner().invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    row = (payload["claims"] if isinstance(payload, dict) else payload)[0]
    assert row["verdict"] == "undetermined" and row["finding"] == "window_gaps"
    assert row["difference"] is None
    text = CliRunner().invoke(app, args).stdout
    assert "contradicted" not in text
    assert "0 of 1 claims could be checked" in text and "1 more cannot be judged" in text


def test_unreported_days_make_the_finding_unjudged_with_the_verdict():
    check, _ = check_claims_on_series(pd.DataFrame([vars(c) for c in _claims()]), _series())
    frame = check.frame.set_index("id")
    assert frame.loc["c2", "finding"] == "window_gaps"
    assert frame.loc["c2", "finding_sentence"].startswith("Cannot be judged: 1 day")
    assert pd.isna(frame.loc["c2", "difference"])
    assert frame.loc["c1", "finding"] == "confirmed"

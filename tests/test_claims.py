"""Claims: verdicts by qualifier, window resolution, scopes, coverage, and the founding claim."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from trends.errors import EventError
from trends.models.claims import check_claims, consistent_interval, verdict


@pytest.mark.parametrize(
    ("low", "best", "high", "value", "qualifier", "expected"),
    [
        (201, 203, 279, 200, "more_than", "supported"),
        (188, 203, 279, 200, "more_than", "undetermined"),
        (150, 180, 200, 200, "more_than", "not supported"),  # 200 is not more than 200
        (150, 180, 200, 200, "at_least", "undetermined"),
        (200, 210, 230, 200, "at_least", "supported"),
        (100, 150, 199, 200, "at_least", "not supported"),
        (95, 100, 105, 100, "around", "supported"),
        (80, 100, 120, 100, "around", "undetermined"),
        (150, 160, 170, 100, "around", "not supported"),
        (100, 100, 100, 100, "exactly", "supported"),
        (90, 100, 110, 100, "exactly", "undetermined"),
        (101, 105, 110, 100, "exactly", "not supported"),
        (460, 470, 480, 500, "fewer_than", "supported"),
        (535, 577, 733, 500, "fewer_than", "not supported"),
        (30, 40, 60, 50, "at_most", "undetermined"),
    ],
)
def test_verdicts(low, best, high, value, qualifier, expected):
    assert verdict(low, best, high, value, qualifier)[0] == expected


def test_gap_and_best_consistency():
    v, gap, ok = verdict(188, 203, 279, 200, "more_than")
    assert (v, gap, ok) == ("undetermined", 3.0, True)
    v, gap, ok = verdict(100, 150, 199, 200, "at_least")
    assert gap == -50 and not ok


def test_unknown_qualifier():
    with pytest.raises(EventError):
        consistent_interval(3, "roughly")


@pytest.fixture
def incidents():
    return pd.DataFrame(
        {
            "incident_id": ["a", "b", "c", "d"],
            "date": pd.to_datetime(["2019-09-01", "2019-09-05", "2019-10-01", "2019-11-01"]),
            "civilian_deaths_low": pd.array([1, 2, None, 5], dtype="Int64"),
            "civilian_deaths_best": pd.array([2, 3, 4, 6], dtype="Int64"),
            "civilian_deaths_high": pd.array([3, 5, None, 9], dtype="Int64"),
            "child_deaths": pd.array([1, 0, 1, None], dtype="Int64"),
            "region": ["north", "north", "south", "north"],
        }
    )


class _Timeline:
    def __contains__(self, key):
        return key == "truce"

    def resolve(self, key):
        if key != "truce":
            raise EventError(f"unknown event {key!r}")
        return pd.Timestamp("2019-09-01 06:00")


def test_check_claims_vectorised_over_a_table(incidents):
    claims = pd.DataFrame(
        {
            "claim_id": ["k1", "k2", "k3", "k4", "k5", "k6"],
            "window_start": ["truce", "2019-09-01", "2019-09-01", "2019-09-01", "", "2019-08-01"],
            "window_end": [
                "2019-10-31",
                "2019-12-31",
                "2019-10-31",
                "2019-10-31",
                "2019-10-31",
                "2019-09-30",
            ],
            "quantity": [
                "civilian_deaths",
                "civilian_deaths",
                "attacks",
                "displaced",
                "civilian_deaths",
                "civilian_deaths",
            ],
            "value": [8, 20, 3, 1000, 5, 1],
            "qualifier": ["at_least", "more_than", "exactly", "around", "at_least", "at_least"],
        }
    )
    check = check_claims(claims, incidents, timeline=_Timeline())
    frame = check.frame.set_index("claim_id")
    # k1: incidents a, b, c: low 1+2+4 (c has no range: its best) = 7, best 9, high 3+5+4 = 12
    assert tuple(frame.loc["k1", ["observed_low", "observed_best", "observed_high"]]) == (7, 9, 12)
    assert frame.loc["k1", "verdict"] == "undetermined"
    assert frame.loc["k1", "window_start_date"] == pd.Timestamp("2019-09-01")
    assert tuple(frame.loc["k3", ["observed_low", "observed_best", "observed_high"]]) == (3, 3, 3)
    assert frame.loc["k3", "verdict"] == "supported"
    assert (
        frame.loc["k4", "verdict"] == "not checkable" and "displaced" in frame.loc["k4", "reason"]
    )
    assert frame.loc["k5", "verdict"] == "not checkable"
    # k6 starts before the data do, but the counts inside already reach "at least 1": days the
    # data miss can only add, so it is supported, with the reason
    assert frame.loc["k6", "verdict"] == "supported" and "coverage" in frame.loc["k6", "reason"]
    json.dumps(check.to_dict())
    assert "could be checked" in check.report()


def test_k2_high_figures(incidents):
    claims = pd.DataFrame(
        {
            "window_start": ["2019-09-01"],
            "window_end": ["2019-12-31"],
            "quantity": ["civilian_deaths"],
            "value": [20],
            "qualifier": ["more_than"],
        }
    )
    row = check_claims(claims, incidents).frame.iloc[0]
    assert (row["observed_low"], row["observed_best"], row["observed_high"]) == (12, 15, 21)
    assert row["verdict"] == "undetermined"


def test_scopes_select_incidents_and_skip_others(incidents):
    claims = pd.DataFrame(
        {
            "window_start": ["2019-09-01", "2019-09-01"],
            "window_end": ["2019-11-30", "2019-11-30"],
            "quantity": ["civilian_deaths", "civilian_deaths"],
            "value": [11, 1],
            "qualifier": ["exactly", "at_least"],
            "region_scope": ["north", "nationwide"],
        }
    )
    scopes = {"north": lambda inc: inc["region"].eq("north")}
    frame = check_claims(claims, incidents, scopes=scopes).frame
    assert frame.loc[0, "observed_best"] == 11 and frame.loc[0, "verdict"] == "undetermined"
    assert frame.loc[1, "verdict"] == "not checked" and "nationwide" in frame.loc[1, "reason"]


def test_per_incident_range_is_ordered_before_summing():
    inc = pd.DataFrame(
        {
            "date": pd.to_datetime(["2019-09-01"]),
            "child_deaths": pd.array([2], dtype="Int64"),
            "child_deaths_low": pd.array([3], dtype="Int64"),  # a source's low above the best
            "child_deaths_high": pd.array([4], dtype="Int64"),
        }
    )
    claims = pd.DataFrame(
        {
            "window_start": ["2019-09-01"],
            "window_end": ["2019-09-01"],
            "quantity": ["child_deaths"],
            "value": [2],
            "qualifier": ["at_least"],
        }
    )
    row = check_claims(claims, inc).frame.iloc[0]
    assert (row["observed_low"], row["observed_best"], row["observed_high"]) == (2, 2, 4)


def test_founding_claim_on_bundled_data():
    from trends.datasets import IDLIB_CLAIM_SCOPES, load_idlib_2019

    case = load_idlib_2019()
    check = check_claims(
        case.claims, case.incidents, timeline=case.timeline, scopes=IDLIB_CLAIM_SCOPES
    )
    row = check.frame.set_index("claim_id").loc["C048"]
    assert row["window_start_date"] == pd.Timestamp("2019-08-31")
    assert (row["observed_low"], row["observed_best"], row["observed_high"]) == (188, 203, 279)
    assert row["verdict"] == "undetermined" and row["best_consistent"] and row["gap"] == 3
    # every north-west civilian/child death claim with dates is checked
    nw = check.frame[
        (check.frame["region_scope"] == "north-west")
        & check.frame["quantity"].isin(["civilian_deaths", "child_deaths"])
        & check.frame["window_start_date"].notna()
        & check.frame["window_end_date"].notna()
    ]
    assert nw["verdict"].isin(["supported", "not supported", "undetermined"]).all()


# ---------------------------------------------------------------- the asymmetric finding scale
from trends.models.claims import (  # noqa: E402
    FINDINGS,
    assess_claim,
    claim_words,
    effective_qualifier,
    finding_sentence,
)


@pytest.mark.parametrize(
    ("low", "best", "high", "value", "qualifier", "expected"),
    [
        # at least / more than: the data are a floor, so only reaching the figure proves anything
        (201, 203, 279, 200, "more_than", "confirmed"),
        (200, 210, 230, 200, "at_least", "confirmed"),
        (188, 203, 279, 200, "more_than", "supported_by_best"),
        (150, 180, 230, 200, "more_than", "possible"),
        (150, 180, 200, 200, "more_than", "not_reached"),  # 200 is not more than 200
        (150, 180, 200, 200, "at_least", "possible"),
        (100, 150, 199, 200, "at_least", "not_reached"),
        # at most / fewer than: the low figures exceeding it is robust to undercounting
        (535, 577, 733, 500, "fewer_than", "contradicted"),
        (51, 60, 70, 50, "at_most", "contradicted"),
        (30, 55, 60, 50, "at_most", "doubtful"),
        (30, 40, 60, 50, "at_most", "consistent_unconfirmed"),
        (460, 470, 480, 500, "fewer_than", "consistent_unconfirmed"),
        # around (10%), reported (5%), exactly (0)
        (95, 100, 105, 100, "around", "consistent"),
        (112, 115, 130, 100, "around", "contradicted"),
        (100, 115, 130, 100, "around", "doubtful"),
        (70, 80, 95, 100, "around", "below_in_best"),
        (60, 70, 85, 100, "around", "not_reached"),
        (85, 85, 120, 84, "reported", "consistent"),
        (85, 85, 120, 84, "exactly", "contradicted"),
        (16, 21, 27, 19, "exactly", "doubtful"),
        (889, 894, 1249, 1089, "exactly", "below_in_best"),
    ],
)
def test_every_finding_kind(low, best, high, value, qualifier, expected):
    f = assess_claim(low, best, high, value, qualifier)
    assert f.finding == expected
    assert f.label == FINDINGS[expected]
    assert f.difference == best - value
    assert f.difference_pct == pytest.approx(100 * (best - value) / value)


def test_outside_coverage_keeps_only_what_a_partial_floor_proves():
    # a partial count below the figure proves nothing; one above it still does
    assert assess_claim(150, 180, 230, 200, "more_than", covered=False).finding == (
        "outside_coverage"
    )
    assert assess_claim(201, 203, 279, 200, "more_than", covered=False).finding == "confirmed"
    assert assess_claim(188, 203, 279, 200, "more_than", covered=False).finding == (
        "supported_by_best"
    )
    assert assess_claim(535, 577, 733, 500, "fewer_than", covered=False).finding == ("contradicted")
    assert assess_claim(30, 40, 60, 50, "at_most", covered=False).finding == "outside_coverage"


def test_a_bare_number_is_reported_not_exactly():
    assert effective_qualifier("exactly", None) == "reported"
    assert effective_qualifier("exactly", "") == "reported"
    assert effective_qualifier("exactly", "(recorded)") == "reported"
    assert effective_qualifier("exactly", "exactly (verified)") == "exactly"
    assert effective_qualifier("more_than", "over") == "more_than"
    assert "exactly" not in claim_words(84, "exactly", "civilian_deaths", "(recorded)")
    assert claim_words(84, "exactly", "civilian_deaths", "(recorded)") == (
        "84 civilian deaths (recorded)"
    )
    assert claim_words(5759, "exactly", "civilian_deaths") == "5,759 civilian deaths (reported)"
    assert claim_words(1089, "exactly", "civilian_deaths", "exactly (verified)") == (
        "exactly 1,089 civilian deaths (verified)"
    )


def test_plain_number_within_one_percent_is_consistent():
    """ "5,759 killed since 18 March" against 5,710 recorded (0.9% apart): consistent."""
    days = pd.date_range("2025-03-18", periods=10, freq="D")
    inc = pd.DataFrame(
        {
            "date": days,
            "civilian_deaths_best": pd.array([571] * 10, dtype="Int64"),
        }  # a tally: no low or high figures
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["G1"],
            "window_start": ["2025-03-18"],
            "window_end": ["2025-03-27"],
            "quantity": ["civilian_deaths"],
            "value": [5759],
            "qualifier": ["exactly"],  # what a bare figure is normalised to
            "qualifier_raw": [None],
        }
    )
    check = check_claims(claims, inc)
    row = check.frame.iloc[0]
    assert (row["observed_low"], row["observed_best"], row["observed_high"]) == (5710,) * 3
    # the three-valued verdict reads the bare number as the finding does (within 5%), so the two
    # columns of one row never disagree ("not supported" next to "consistent")
    assert row["verdict"] == "supported" and row["gap"] == 0
    assert row["qualifier_used"] == "reported" and row["finding"] == "consistent"
    assert row["difference"] == -49
    assert row["difference_pct"] == pytest.approx(-0.851, abs=1e-3)
    assert "exactly" not in row["finding_sentence"] and "exactly" not in check.report()
    assert "5,710" in row["finding_sentence"] and "49, or 0.9%, below" in row["finding_sentence"]
    d = check.to_dict()["claims"][0]
    assert d["finding"] == "consistent" and d["difference_pct"] == pytest.approx(-0.851, abs=1e-3)
    assert {"difference", "difference_pct", "gap", "gap_pct", "finding"} <= set(check.summary())


def test_founding_claim_wording():
    from trends.datasets import IDLIB_CLAIM_SCOPES, load_idlib_2019

    case = load_idlib_2019()
    check = check_claims(
        case.claims, case.incidents, timeline=case.timeline, scopes=IDLIB_CLAIM_SCOPES
    )
    row = check.frame.set_index("claim_id").loc["C048"]
    assert row["finding"] == "supported_by_best"
    s = row["finding_sentence"]
    assert "The best count, 203, supports \u201cmore than 200\u201d" in s
    assert "the low figures (188) would not" in s
    assert "3, or 1.5%, above it" in s
    line = next(x for x in check.report().splitlines() if "C048" in x)
    assert "more than 200 civilian deaths" in line and "undetermined" not in line
    # "exactly" appears only for claims whose source said "exactly"
    for _, r in check.checked.iterrows():
        raw = str(r.get("qualifier_raw") or "")
        if "exactly" in _sentence_of(check, r["claim_id"]):
            assert raw.startswith("exactly"), (r["claim_id"], raw)
    # no raw keys in the prose
    assert "civilian_deaths" not in check.report()


def test_verdict_reads_a_parenthesised_qualifier_as_reported():
    """ "84 (recorded)" against 85: the verdict is not "not supported" while the finding says
    consistent; a source's own "exactly" still means exactly."""
    days = pd.date_range("2019-12-17", periods=8, freq="D")
    best = [10, 10, 10, 10, 10, 10, 10, 15]
    inc = pd.DataFrame(
        {
            "date": days,
            "civilian_deaths_low": pd.array(best, dtype="Int64"),
            "civilian_deaths_best": pd.array(best, dtype="Int64"),
            "civilian_deaths_high": pd.array([b + 5 for b in best], dtype="Int64"),
        }
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["R1", "E1"],
            "window_start": ["2019-12-17"] * 2,
            "window_end": ["2019-12-24"] * 2,
            "quantity": ["civilian_deaths"] * 2,
            "value": [84, 84],
            "qualifier": ["exactly", "exactly"],
            "qualifier_raw": ["(recorded)", "exactly (verified)"],
        }
    )
    frame = check_claims(claims, inc).frame.set_index("claim_id")
    assert frame.loc["R1", "finding"] == "consistent"
    assert frame.loc["R1", "verdict"] == "undetermined"  # best and low within 5%, high not
    assert (
        frame.loc["E1", "finding"] == "contradicted"
        and frame.loc["E1", "verdict"] == "not supported"
    )
    tight = check_claims(claims, inc, reported_tolerance=0.005).frame.set_index("claim_id")
    assert tight.loc["R1", "verdict"] == "not supported"  # the tolerance reaches the verdict


def test_a_window_outside_the_data_keeps_the_verdict_its_floor_proves():
    """Data ending 30 Dec, claims to 31 Dec: a reached lower claim is supported and an exceeded
    one not supported (the verdict agrees with the finding); an unreached one is undetermined."""
    days = pd.date_range("2022-07-01", "2022-12-30", freq="D")
    inc = pd.DataFrame(
        {"date": days, "civilian_deaths_best": pd.array([1] * len(days), dtype="Int64")}
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["over", "nearly", "many"],
            "window_start": ["2022-07-01"] * 3,
            "window_end": ["2022-12-31"] * 3,
            "quantity": ["civilian_deaths"] * 3,
            "value": [100, 150, 1200],
            "qualifier": ["more_than", "almost", "more_than"],
        }
    )
    frame = check_claims(claims, inc).frame.set_index("claim_id")
    assert list(frame["finding"]) == ["confirmed", "contradicted", "outside_coverage"]
    assert list(frame["verdict"]) == ["supported", "not supported", "undetermined"]
    assert frame["reason"].str.contains("outside the data's coverage").all()


def _sentence_of(check, claim_id):
    return next(x for x in check.report().splitlines() if f"Claim {claim_id}:" in x)


def test_finding_sentences_name_the_gap_and_the_floor():
    f = assess_claim(11, 11, 31, 39, "at_least")
    s = finding_sentence(f, 11, 11, 31, 39, "at least 39")
    assert (
        "28, or 71.8%, below it" in s and "floor" in s and "does not show the claim is false" in s
    )
    f = assess_claim(301, 324, 402, 300, "fewer_than")
    s = finding_sentence(f, 301, 324, 402, 300, "nearly 300")
    assert s.startswith("Contradicted: even the low figures (301) exceed \u201cnearly 300\u201d")
    # counts print as integers
    f = assess_claim(7.0, 9.0, 12.0, 8, "at_least")
    assert ".0" not in finding_sentence(f, 7.0, 9.0, 12.0, 8.0, "at least 8")


def test_fewer_than_is_any_figure_below_and_almost_is_just_below():
    from trends.models.claims import assess_claim, consistent_interval

    assert consistent_interval(150, "fewer_than") == (0.0, 150.0, False, True)
    lo, hi, _, _ = consistent_interval(150, "almost")
    assert (lo, hi) == pytest.approx((135.0, 150.0))
    # 122 deaths: consistent with "fewer than 150" (supported), far below "almost 150"
    assert verdict(122, 122, 122, 150, "fewer_than")[0] == "supported"
    assert verdict(122, 122, 122, 150, "almost")[0] == "not supported"
    assert assess_claim(122, 122, 122, 150, "fewer_than").finding == "consistent_unconfirmed"
    assert assess_claim(150, 150, 160, 150, "fewer_than").finding == "contradicted"


def test_a_fewer_than_code_whose_words_say_nearly_is_almost(tmp_path):
    from trends.events import load_claims

    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,as_of,window_start,window_end,quantity,value,qualifier,qualifier_text\n"
        "A,2024-04-30,2024-03-01,2024-04-30,civilian_deaths,150,fewer_than,nearly\n"
        "B,2024-04-30,2024-03-01,2024-04-30,civilian_deaths,150,fewer_than,fewer than\n"
        "C,2024-04-30,2024-03-01,2024-04-30,civilian_deaths,150,under,\n",
        encoding="utf-8",
    )
    by_id = {c.id: c.qualifier for c in load_claims(path)}
    assert by_id == {"A": "almost", "B": "fewer_than", "C": "fewer_than"}


def _scoped_incidents():
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05"]),
            "perpetrator": ["Tatmadaw airstrike", "Tatmadaw ground", "Arakan Army (AA)", None],
            "civilian_deaths_best": [5, 7, 11, 13],
        }
    )


def _one_claim(**extra):
    row = {"claim_id": "P", "window_start": "2024-03-01", "window_end": "2024-03-31",
           "quantity": "civilian_deaths", "value": 10, "qualifier": "at_least", **extra}  # fmt: skip
    return pd.DataFrame([row])


def test_a_claim_about_one_perpetrator_is_judged_on_its_incidents_only():
    from trends.models.claims import check_claims

    frame = check_claims(_one_claim(perpetrator_scope="Tatmadaw"), _scoped_incidents()).frame
    assert frame["observed_best"].iloc[0] == 12  # 5 + 7, not 36
    assert "Tatmadaw airstrike" in frame["perpetrator_used"].iloc[0]
    frame = check_claims(
        _one_claim(perpetrator_scope="arakan army"),
        _scoped_incidents(),
        data_start="2024-03-01",
        data_end="2024-03-31",
    ).frame
    assert frame["observed_best"].iloc[0] == 11 and frame["verdict"].iloc[0] == "supported"


def test_a_perpetrator_the_data_cannot_apply_is_not_checked_never_judged_on_all():
    from trends.models.claims import check_claims

    frame = check_claims(_one_claim(perpetrator_scope="Police"), _scoped_incidents()).frame
    assert frame["verdict"].iloc[0] == "not checked"
    assert "no incident's perpetrator matches 'Police'" in frame["reason"].iloc[0]
    no_column = _scoped_incidents().drop(columns="perpetrator")
    frame = check_claims(_one_claim(perpetrator_scope="Tatmadaw"), no_column).frame
    assert frame["verdict"].iloc[0] == "not checked"
    assert "do not say who carried out" in frame["reason"].iloc[0]


def test_a_quantity_in_an_empty_column_is_not_checkable():
    from trends.models.claims import check_claims

    incidents = _scoped_incidents().assign(child_deaths=pd.Series([pd.NA] * 4, dtype="Int64"))
    frame = check_claims(_one_claim(quantity="child_deaths"), incidents).frame
    assert frame["verdict"].iloc[0] == "not checkable"
    assert frame["reason"].iloc[0] == "the data do not count child deaths"


def test_a_claim_about_attacks_counts_the_rows_the_series_counts(incidents):
    """Sweep F: on ACLED data a claim counted protests and strategic developments as attacks
    (40) while the analysis counted the violent events only (33)."""
    from trends.series import count_series

    flagged = incidents.assign(counts_as_attack=[True, False, True, True])  # b: a protest
    claims = pd.DataFrame(
        {
            "claim_id": ["a1"],
            "window_start": ["2019-09-01"],
            "window_end": ["2019-10-31"],
            "quantity": ["attacks"],
            "value": [3],
            "qualifier": ["exactly"],
        }
    )
    frame = check_claims(claims, flagged, timeline=_Timeline()).frame.set_index("claim_id")
    assert frame.loc["a1", "observed_best"] == 2  # a and c; b is not an attack
    assert frame.loc["a1", "verdict"] == "not supported"
    window = flagged[flagged["date"] <= "2019-10-31"]
    assert count_series(window, measures=["attacks"])["attacks"].sum() == 2


def test_a_qualifier_code_given_as_the_claims_words_is_written_in_words():
    """Sweep F: a claims file without qualifier_text printed "at_least 50 civilian deaths"."""
    from trends.models.claims import claim_words

    assert claim_words(50, "at_least", "civilian_deaths", "at_least") == (
        "at least 50 civilian deaths"
    )
    assert claim_words(200, "more_than", None, "more_than") == "more than 200"
    assert claim_words(200, "more_than", None, "over") == "over 200"


def test_a_claim_that_cannot_be_judged_has_no_gap_and_is_not_counted_as_checked(incidents):
    """Sweep F: a claim on January 2024 against data of 2019 showed "0 (0-0)" and a gap of
    -200, and the summary said it "could be checked"."""
    claims = pd.DataFrame(
        {
            "claim_id": ["x"],
            "window_start": ["2024-01-01"],
            "window_end": ["2024-02-01"],
            "quantity": ["civilian_deaths"],
            "value": [200],
            "qualifier": ["more_than"],
        }
    )
    check = check_claims(claims, incidents, timeline=_Timeline())
    row = check.frame.iloc[0]
    assert row["finding"] == "outside_coverage"
    assert pd.isna(row["observed_best"]) and pd.isna(row["gap"]) and pd.isna(row["difference"])
    assert check.report().startswith("0 of 1 claims could be checked against the data")
    json.dumps(check.to_dict())

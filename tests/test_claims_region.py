"""A claim's region limits the incidents it is checked on; when it cannot, the claim is not
checked (never judged on the whole table). And ``trends claims`` prints the finding and the gap.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.models.claims import check_claims, gap_text, region_mask

runner = CliRunner()


@pytest.fixture
def incidents():
    return pd.DataFrame(
        {
            "incident_id": ["a", "b", "c", "d", "e"],
            "date": pd.to_datetime(["2023-03-20"] * 5),
            "civilian_deaths_best": pd.array([30, 31, 40, 28, 5], dtype="Int64"),
            "place": ["Monywa", "Sagaing", "Magway", "Pakokku", "Yinmabin"],
            "admin1": ["Sagaing Region", "sagaing  region", "Magway Region", "Magway Region",
                       "Sagaing Region"],
            "country": ["Myanmar"] * 5,
        }
    )  # fmt: skip


def _claims(*regions, value=80, qualifier="at_most"):
    n = len(regions)
    return pd.DataFrame(
        {
            "claim_id": [f"k{i}" for i in range(n)],
            "window_start": ["2023-03-20"] * n,
            "window_end": ["2023-03-20"] * n,
            "region": list(regions),
            "quantity": ["civilian_deaths"] * n,
            "value": [value] * n,
            "qualifier": [qualifier] * n,
        }
    )


def test_a_claim_is_checked_on_its_region_only(incidents):
    frame = check_claims(_claims("Sagaing Region"), incidents).frame
    row = frame.iloc[0]
    # a, b (case and spaces differ), e: 30 + 31 + 5; not Magway's 68
    assert row["observed_best"] == 66
    assert row["finding"] == "consistent_unconfirmed"
    assert row["region_used"] == "admin1 'Sagaing Region'"


@pytest.mark.parametrize(
    ("region", "best", "column"),
    [
        ("Sagaing", 66, "admin1"),  # "Sagaing Region" without its kind word; broader than place
        ("  SAGAING region ", 66, "admin1"),
        ("Sagaing Township", 31, "place"),  # the kind word says it is not the region
        ("Magway Region", 68, "admin1"),
        ("Myanmar", 134, "country"),
        ("Sagaing and Magway regions", 134, "admin1"),
        ("Monywa", 30, "place"),
    ],
)
def test_region_matching_is_tolerant_but_exact_in_meaning(incidents, region, best, column):
    row = check_claims(_claims(region), incidents).frame.iloc[0]
    assert row["observed_best"] == best, row.get("reason")
    assert row["region_used"].startswith(column)


@pytest.mark.parametrize("region", ["Mandalay Region", "north-west Myanmar", "Sagaing and Bago"])
def test_an_unknown_region_is_not_checked_with_the_reason(incidents, region):
    row = check_claims(_claims(region), incidents).frame.iloc[0]
    assert row["verdict"] == "not checked" and row["finding"] == "not_checked"
    assert pd.isna(row["observed_best"])
    assert "no place" in row["reason"] and "admin1" in row["reason"]


def test_no_region_column_means_not_checked(incidents):
    bare = incidents.drop(columns=["place", "admin1", "country"])
    row = check_claims(_claims("Sagaing Region"), bare).frame.iloc[0]
    assert row["verdict"] == "not checked"
    assert "no column" in row["reason"] and "'Sagaing Region'" in row["reason"]
    # a claim without a region is checked on every incident, as before
    row = check_claims(_claims(None), bare).frame.iloc[0]
    assert row["observed_best"] == 134 and row["verdict"] == "not supported"


def test_an_ambiguous_region_is_not_checked(incidents):
    inc = incidents.assign(admin1=["Sagaing Region", "Sagaing District", "Magway Region",
                                   "Magway Region", "Sagaing Region"])  # fmt: skip
    row = check_claims(_claims("Sagaing"), inc).frame.iloc[0]
    assert row["verdict"] == "not checked"
    assert "ambiguous" in row["reason"] and "Sagaing District" in row["reason"]


def test_region_mask_alone(incidents):
    mask, used = region_mask(incidents, "magway")
    assert list(mask) == [False, False, True, True, False] and used == "admin1 'Magway Region'"
    mask, why = region_mask(incidents, "Kachin State")
    assert mask is None and "Kachin State" in why


def test_scopes_still_decide_when_given(incidents):
    # the bundled claims name their scope; their free-text region is not matched
    claims = _claims("Hama and Idlib provinces").assign(region_scope="all")
    row = check_claims(claims, incidents, scopes={"all": None}).frame.iloc[0]
    assert row["observed_best"] == 134


def test_the_region_is_in_the_json(incidents):
    item = check_claims(_claims("Sagaing Region"), incidents).to_dict()["claims"][0]
    assert item["region"] == "Sagaing Region" and item["region_used"] == "admin1 'Sagaing Region'"


def test_gap_text():
    assert gap_text(16, 160.0) == "+16 (+160.0%)"
    assert gap_text(-66, -44.0) == "-66 (-44.0%)"
    assert gap_text(0, 0.0) == "0 (+0.0%)"
    assert gap_text(None, None) == "" and gap_text(float("nan"), 1.0) == ""


# ------------------------------------------------------------------ the command line


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    data = _write(
        tmp_path / "incidents.csv",
        "incident_id,date,place,admin1,civilian_deaths_best,dataset\n"
        "i1,2023-03-15,Monywa,Sagaing Region,30,x\n"
        "i2,2023-03-17,Sagaing,Sagaing Region,31,x\n"
        "i3,2023-03-18,Magway,Magway Region,40,x\n"
        "i4,2023-03-19,Pakokku,Magway Region,28,x\n",
    )
    events = _write(
        tmp_path / "events.csv", "event_id,date,event,kind\npause,2023-03-15,Pause,ceasefire\n"
    )
    claims = _write(
        tmp_path / "claims.csv",
        "claim_id,as_of,window_start,window_end,region,quantity,value,qualifier,source\n"
        "M5,2023-03-19,pause,2023-03-19,Sagaing Region,civilian deaths,80,at most,Local group\n"
        "M6,2023-03-19,pause,2023-03-19,Mandalay Region,civilian deaths,10,at least,Local group\n"
        "M7,2023-03-19,pause,2023-03-19,,civilian deaths,10,fewer than,Local group\n",
    )
    return ["--claims", str(claims), "--data", str(data), "--events", str(events)]


def test_cli_checks_a_claim_on_its_region(files):
    result = runner.invoke(app, ["claims", *files])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1] == "M"}
    assert "61 (61-61)" in lines["M5"] and "129" not in lines["M5"]
    assert "consistent, cannot be confirmed" in lines["M5"]
    assert "not checked" in lines["M6"] and "Mandalay Region" in lines["M6"]
    payload = json.loads(runner.invoke(app, ["claims", *files, "--json"]).stdout)
    m5 = next(c for c in payload["claims"] if c["claim_id"] == "M5")
    assert m5["observed"]["best"] == 61 and m5["region_used"] == "admin1 'Sagaing Region'"


def test_cli_prints_the_finding_and_the_gap(files):
    result = runner.invoke(app, ["claims", *files])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if line.startswith("claim "))
    assert "finding" in header and "difference (best - claim)" in header
    m7 = next(line for line in result.stdout.splitlines() if line.startswith("M7"))
    # 129 against "fewer than 10": the report's finding and gap, not only "not supported"
    assert "contradicted (even the low figures exceed it)" in m7
    assert "+119 (+1190.0%)" in m7 and "not supported" in m7


def test_cli_default_run_prints_the_founding_claims_finding():
    result = runner.invoke(app, ["claims"])
    assert result.exit_code == 0, result.output
    c048 = next(line for line in result.stdout.splitlines() if line.startswith("C048"))
    assert "203 (188-279)" in c048 and "supported by the best count" in c048
    assert "+3 (+1.5%)" in c048


# ------------------------------------------------------------ series without incidents


def _daily():
    from trends import CountSeries

    index = pd.date_range("2022-09-01", periods=15, name="date")
    return CountSeries.from_frame(pd.DataFrame({"killed": [3.0] * 15}, index=index), source="x")


def _series_claims(region):
    return pd.DataFrame(
        {
            "claim_id": ["D3"],
            "window_start": ["2022-09-01"],
            "window_end": ["2022-09-15"],
            "region": [region],
            "quantity": ["civilian_deaths"],
            "value": [50],
            "qualifier": ["around"],
        }
    )


def test_a_series_without_a_region_does_not_judge_a_regional_claim():
    from trends.analysis.series_claims import check_claims_on_series

    check, notes = check_claims_on_series(_series_claims("Donetsk oblast"), _daily())
    row = check.frame.iloc[0]
    assert row["verdict"] == "not checked" and pd.isna(row["observed_best"])
    assert "no region named" in row["reason"] and "'Donetsk oblast'" in row["reason"]
    assert any("1 claim naming a region was not checked" in n for n in notes)
    # without a region the claim is about the series' whole area, as before
    check, _ = check_claims_on_series(_series_claims(None), _daily())
    assert check.frame.iloc[0]["observed_best"] == 45


def test_a_series_with_its_region_checks_the_claims_of_that_region():
    from trends.analysis.series_claims import check_claims_on_series

    check, _ = check_claims_on_series(
        _series_claims("Donetsk oblast"), _daily(), region="Donetsk Oblast"
    )
    assert check.frame.iloc[0]["observed_best"] == 45
    check, _ = check_claims_on_series(_series_claims("Luhansk oblast"), _daily(), region="Donetsk")
    assert check.frame.iloc[0]["verdict"] == "not checked"


def test_a_kind_word_picks_the_column_of_its_level():
    inc = pd.DataFrame(
        {
            "date": pd.to_datetime(["2019-09-01"] * 4),
            "civilian_deaths_best": pd.array([1, 2, 4, 8], dtype="Int64"),
            "place": ["Idlib", "Idlib governorate", "Saraqib", "Hama"],
            "admin1": ["Idlib", "Idlib", "Idlib", "Hama"],
        }
    )
    best = {r: region_mask(inc, r)[0] for r in ("Idlib governorate", "Idlib city", "Idlib")}
    assert list(best["Idlib governorate"]) == [True, True, True, False]  # admin1, not the place
    assert list(best["Idlib city"]) == [True, False, False, False]
    assert list(best["Idlib"]) == [True, True, True, False]


def test_a_tallies_file_of_one_region_checks_claims_about_that_region(tmp_path):
    from trends.analysis.series_claims import check_claims_on_series
    from trends.sources import load_series

    path = tmp_path / "one_region.csv"
    days = pd.date_range("2022-07-01", periods=40)
    path.write_text(
        "date,cumulative_killed,region\n"
        + "".join(f"{d:%Y-%m-%d},{100 + 3 * i},Kherson oblast\n" for i, d in enumerate(days)),
        encoding="utf-8",
    )
    series = load_series(path, "tallies")
    assert series.provenance.region == "Kherson oblast"
    claims = pd.DataFrame({
        "claim_id": ["here", "there"], "as_of": ["2022-08-01"] * 2,
        "window_start": ["2022-07-11"] * 2, "window_end": ["2022-07-20"] * 2,
        "region": ["Kherson", "Mykolaiv oblast"], "quantity": ["civilian_deaths"] * 2,
        "value": [30, 30], "qualifier": ["around"] * 2,
    })  # fmt: skip
    check, _ = check_claims_on_series(claims, series)
    verdicts = dict(zip(check.frame["claim_id"], check.frame["verdict"], strict=True))
    assert verdicts["here"] == "supported"  # 10 days x 3 a day = 30
    assert verdicts["there"] == "not checked"


def test_a_claim_about_one_area_says_so_in_the_cli_table(files):
    result = runner.invoke(app, ["claims", *files])
    assert result.exit_code == 0, result.output
    m5 = next(line for line in result.stdout.splitlines() if line.startswith("M5"))
    assert " in Sagaing" in m5  # the claimed words carry their region


def test_the_report_sentence_of_a_regional_claim_names_the_area_counted():
    from trends.report.context import _claim_days
    from trends.report.fmt import claim_text

    row = {"value": 100.0, "qualifier": "around", "quantity": "civilian_deaths",
           "region": "Sagaing", "region_used": "admin1 'Sagaing Region'"}  # fmt: skip
    assert claim_text(row).endswith("civilian deaths in Sagaing")
    assert _claim_days(row) == "days in admin1 'Sagaing Region'"
    assert _claim_days({"region": None, "region_used": None}) == "days"

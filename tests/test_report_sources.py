"""`trends report` and `trends claims` end to end on every kind of file (issue 9).

Each file is written here, in the shape a new user brings: a health office's cumulative tallies
with gaps and a multi-day report; a plain daily count CSV; a weekly count file labelled by the
week's end; a hand-made spreadsheet with its own column names and day-first dates, as CSV and as
.xlsx. Each run checks that report.md, report.html and results.json exist, that results.json
validates against the schema, that the measures are named as the data name them, and that no
word of the bundled Idlib case appears.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.report import load_schema

runner = CliRunner()

#: Words of the bundled case that must never reach a report on other data.
IDLIB_WORDS = re.compile(r"idlib|syria|north-west|airwars|sohr|governorate|hama|aleppo", re.I)
INTERVENTION = pd.Timestamp("2024-03-01")


def _daily_counts(seed: int = 1, days: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=days)
    lam = np.where(index < INTERVENTION, 12.0, 5.0)
    return pd.DataFrame(
        {"date": index, "killed": rng.poisson(lam), "injured": rng.poisson(2 * lam)}
    )


def _tallies_file(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """Cumulative tallies with one missing day (a 48-hour report) and a 3-day report."""
    daily = _daily_counts()
    table = pd.DataFrame(
        {
            "date": daily["date"].dt.strftime("%Y-%m-%d"),
            "cumulative_killed": daily["killed"].cumsum() + 100,
            "cumulative_injured": daily["injured"].cumsum() + 250,
        }
    )
    table = table.drop(index=[10, 11, 40])  # days 11-12 and 41 have no report
    path = tmp_path / "ministry_tallies.csv"
    table.to_csv(path, index=False)
    return path, table


def _spreadsheet(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.date_range("2024-01-01", "2024-04-30"):
        for _ in range(rng.poisson(1.4 if day < INTERVENTION else 0.5)):
            k = int(rng.poisson(3))
            rows.append(
                {
                    "Date": day.strftime("%d/%m/%Y"),
                    "Village": str(rng.choice(["Kafr A", "Tell B", "Ain C"])),
                    "Killed": k,
                    "Children killed": int(rng.binomial(k, 0.3)),
                    "Injured": int(rng.poisson(4)),
                    "Source": "local council",
                }
            )
    return pd.DataFrame(rows)


def _run(args: list[str]):
    result = runner.invoke(app, args)
    return result


def _outputs(out: Path) -> tuple[dict, str, str]:
    """results.json (validated), report.md and report.html (without its embedded images)."""
    for name in ("report.md", "report.html", "results.json", "manifest.json", "timeline.png"):
        assert (out / name).is_file(), name
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(payload)
    md = (out / "report.md").read_text(encoding="utf-8")
    page = re.sub(
        r"data:image/png;base64,[A-Za-z0-9+/=]+", "", (out / "report.html").read_text("utf-8")
    )
    for text in (md, page, json.dumps(payload)):
        assert not IDLIB_WORDS.search(text), IDLIB_WORDS.search(text).group(0)
    return payload, md, page


# ---------------------------------------------------------------------------------- tallies
@pytest.mark.slow
def test_report_on_cumulative_tallies_with_gaps(tmp_path):
    path, table = _tallies_file(tmp_path)
    out = tmp_path / "out"
    result = _run(["report", "--data", str(path), "--format", "tallies", "--intervention",
                   "2024-03-01", "--source", "ministry tallies", "--out", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload, md, page = _outputs(out)
    labels = {k: v["label"] for k, v in payload["outcomes"].items()}
    assert labels == {
        "new_killed": "people killed",
        "new_injured": "people injured",
    }
    # charts that make sense for these data: no attacks, no civilian deaths
    names = {p.name for p in out.iterdir()}
    assert "its_new_killed.png" in names and not any("attacks" in n for n in names)
    assert "cumulative_since_ceasefire.png" not in names
    for text in (md, page):
        assert "attacks" not in text.replace("no attacks", "").lower()
        assert "civilian deaths" not in text.lower()
    # the measures are named in words; the source is credited where sources are
    assert "killed (ministry tallies)" not in md and "Source: ministry tallies" in md
    assert "ministry tallies" in page
    # the totals are the tallies' own: the rise of the cumulative figure over the window
    cum = table.set_index(pd.to_datetime(table["date"]))["cumulative_killed"]
    after = cum.loc["2024-04-29"] - cum.loc[:"2024-02-29"].iloc[-1]
    counts = payload["outcomes"]["new_killed"]["counts"]
    assert counts["after"]["count"] == after
    assert "differences of the published cumulative totals" in md
    assert "A monitor's tallies count what it recorded" in md
    assert payload["settings"]["source"]["format"] == "tallies"
    # the multi-day reports are flagged, in results.json and in the report
    flagged = {f["date"] for f in payload["data"]["flags"] if f["kind"] == "multi_day"}
    assert {"2024-01-13", "2024-02-11"} <= flagged
    assert "Data-quality flags" in md and "| 2024-01-13 | multi day |" in md


@pytest.mark.slow
def test_claims_against_tallies_check_the_daily_series(tmp_path):
    path, table = _tallies_file(tmp_path)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "claim_id,as_of,source,window_start,window_end,quantity,value,qualifier\n"
        "k1,2024-03-20,Ministry,2024-03-01,2024-03-15,civilian deaths,10,at least\n"
        "a1,2024-03-20,Monitor,2024-03-01,2024-03-15,attacks,30,around\n",
        encoding="utf-8",
    )
    result = _run(["claims", "--claims", str(claims), "--data", str(path), "--format",
                   "tallies", "--source", "ministry tallies", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    by_id = {c["claim_id"]: c for c in payload["claims"]}
    cum = table.set_index(pd.to_datetime(table["date"]))["cumulative_killed"]
    expected = cum.loc["2024-03-15"] - cum.loc["2024-02-29"]
    assert by_id["k1"]["observed"]["best"] == expected
    assert by_id["k1"]["verdict"] == "supported"
    assert by_id["a1"]["verdict"] == "not checkable"
    assert "not attacks" in by_id["a1"]["reason"]
    assert any("checked against people killed" in n for n in payload["notes"])

    out = tmp_path / "out"
    result = _run(["report", "--data", str(path), "--format", "tallies", "--intervention",
                   "2024-03-01", "--claims", str(claims), "--outcome", "killed",
                   "--out", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload, md, _ = _outputs(out)
    assert list(payload["outcomes"]) == ["new_killed"]
    assert {c["claim_id"]: c["verdict"] for c in payload["claims"]} == {
        "k1": "supported",
        "a1": "not checkable",
    }
    assert "Claims about civilian deaths were checked against people killed" in md


# ---------------------------------------------------------------------------------- counts
@pytest.mark.slow
def test_report_on_a_plain_daily_count_csv(tmp_path):
    daily = _daily_counts(seed=5)[["date", "killed"]]
    path = tmp_path / "daily.csv"
    daily.assign(date=daily["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    out = tmp_path / "out"
    result = _run(["report", "--data", str(path), "--format", "counts", "--intervention",
                   "2024-03-01", "--source", "health office", "--out", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload, md, _ = _outputs(out)
    assert {k: v["label"] for k, v in payload["outcomes"].items()} == {"killed": "people killed"}
    counts = payload["outcomes"]["killed"]["counts"]
    before = daily.loc[daily["date"] < INTERVENTION, "killed"].sum()
    assert (counts["before"]["count"], counts["after"]["count"]) == (
        before,
        daily["killed"].sum() - before,
    )
    assert "attacks" not in md.replace("no attacks", "").lower()
    assert "series_daily.csv" in md and (out / "series_daily.csv").is_file()


@pytest.mark.slow
def test_report_on_weekly_counts_labelled_by_the_week_end(tmp_path):
    daily = _daily_counts(seed=6, days=182).set_index("date")[["killed"]]
    weekly = daily.resample("W").sum()  # labelled by the Sunday that ends each week
    weekly.index = weekly.index.strftime("%d/%m/%Y")
    path = tmp_path / "weekly.csv"
    weekly.rename_axis("week").to_csv(path)
    out = tmp_path / "out"
    args = ["report", "--data", str(path), "--format", "counts", "--intervention",
            "2024-03-04", "--out", str(out), "-q"]  # fmt: skip
    refused = _run(args)
    assert refused.exit_code == 2 and "label" in refused.stderr
    result = _run(args + ["--label", "end", "--dayfirst"])
    assert result.exit_code == 0, result.output
    payload, md, _ = _outputs(out)
    assert payload["window"]["freq"] == "W"
    assert payload["settings"]["source"] == {"format": "counts", "dayfirst": True, "label": "end"}
    assert "killed (weekly.csv)" not in md and "weekly.csv" in md
    assert "no week mixes before and after" in md
    assert (out / "series_weekly.csv").is_file() and not (out / "series_daily.csv").exists()


# ---------------------------------------------------------------------------------- sheets
@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_report_on_a_spreadsheet_with_its_own_columns(tmp_path, suffix):
    sheet = _spreadsheet()
    path = tmp_path / f"killings{suffix}"
    if suffix == ".xlsx":
        pytest.importorskip("openpyxl")
        sheet.to_excel(path, index=False)
    else:
        sheet.to_csv(path, index=False)
    out = tmp_path / "out"
    # dates whose day is 12 or less throughout do not settle day/month order: refused
    low = sheet[sheet["Date"].str[:2].astype(int) <= 12]
    low_path = tmp_path / f"low{suffix}"
    low.to_excel(low_path, index=False) if suffix == ".xlsx" else low.to_csv(low_path, index=False)
    low_args = ["report", "--data", str(low_path), "--intervention", "2024-03-01"]
    ambiguous = _run(low_args + ["--out", str(tmp_path / "low_out"), "-q"])
    assert ambiguous.exit_code == 2
    assert "--dayfirst" in ambiguous.stderr and not (tmp_path / "low_out").exists()
    base = ["report", "--data", str(path), "--intervention", "2024-03-01", "--out", str(out), "-q"]
    settled = _run(base + ["--columns", "Killed=civilian_deaths_best"])
    assert settled.exit_code == 0, settled.output  # a day above 12 settles it: read day-first
    assert "first field above 12 settles it" in (out / "report.md").read_text(encoding="utf-8")
    result = _run(base + ["--dayfirst", "--columns", "Killed=civilian_deaths_best"])
    assert result.exit_code == 0, result.output
    payload, md, _ = _outputs(out)
    assert payload["data"]["accepted"] == len(sheet) and payload["data"]["rejected"] == 0
    assert set(payload["outcomes"]) == {"attacks", "civilian_deaths"}
    deaths = payload["outcomes"]["civilian_deaths"]["counts"]
    days = pd.to_datetime(sheet["Date"], format="%d/%m/%Y")
    assert deaths["after"]["count"] == sheet.loc[days >= INTERVENTION, "Killed"].sum()
    assert "column 'Killed' read as 'civilian_deaths_best' (column mapping)" in md
    assert "First-level" not in md


@pytest.mark.slow
def test_report_reads_columns_and_dayfirst_from_toml(tmp_path):
    sheet = _spreadsheet(seed=4)
    sheet.to_csv(tmp_path / "killings.csv", index=False)
    cfg = tmp_path / "mine.toml"
    cfg.write_text(
        'data = "killings.csv"\ndayfirst = true\nintervention = "2024-03-01"\nout = "out"\n'
        'outcome = "civilian_deaths"\n[columns]\nKilled = "civilian_deaths_best"\n',
        encoding="utf-8",
    )
    result = _run(["report", "--config", str(cfg), "-q"])
    assert result.exit_code == 0, result.output
    payload, md, _ = _outputs(tmp_path / "out")
    assert payload["settings"]["source"]["columns"] == {"Killed": "civilian_deaths_best"}
    assert "(column mapping)" in md


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--format", "acled", "--dayfirst"], "--dayfirst does not apply to --format acled"),
        (["--format", "tallies", "--label", "end"], "--label does not apply to --format tallies"),
        (["--format", "tallies", "--theatre", "north-west"], "--theatre applies to incident"),
        (["--format", "tallies", "--outcome", "attacks"], "attacks"),
    ],
)
def test_reading_options_the_reader_does_not_take_are_refused(tmp_path, args, needle):
    path, _ = _tallies_file(tmp_path)
    result = _run(["report", "--data", str(path), "--intervention", "2024-03-01",
                   "--out", str(tmp_path / "out"), "-q", *args])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------- window
@pytest.mark.slow
def test_a_user_timeline_bounds_the_default_window(tmp_path):
    daily = _daily_counts(seed=7, days=150)[["date", "killed"]]
    path = tmp_path / "daily.csv"
    daily.assign(date=daily["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    events = tmp_path / "events.csv"
    events.write_text(
        "id,name,kind,start\n"
        "truce1,First truce,truce,2024-02-01\n"
        "statement,UN statement,other,2024-02-10\n"
        "collapse,Truce collapses,escalation,2024-03-01\n"
        "ceasefire2,Second ceasefire,ceasefire,2024-04-01\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = _run(["report", "--data", str(path), "--format", "counts", "--events", str(events),
                   "--intervention", "truce1", "--out", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload, md, _ = _outputs(out)
    assert payload["window"] == {"start": "2024-01-01", "end": "2024-02-29", "freq": "D"}
    chosen = payload["settings"]["default_window"]
    assert chosen["end_event"] == "collapse" and chosen["start_event"] is None
    assert [e["id"] for e in chosen["passed_over"]] == ["statement"]
    assert "| Default window | 2024-01-01 to 2024-02-29 |" in md
    assert "the day before Truce collapses" in md
    assert "UN statement (2024-02-10) was not taken as a boundary" in md

    # the second ceasefire: its window starts at the collapse and runs to the data's end
    result = _run(["report", "--data", str(path), "--format", "counts", "--events", str(events),
                   "--intervention", "ceasefire2", "--out", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["window"]["start"] == "2024-03-01" and payload["window"]["end"] == "2024-05-29"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[columns]\nKilled = 3\n", "[columns] maps a column name to one of ours"),
        ("[reading]\nKilled = 'x'\n", "[reading] tables are not used"),
        ("dayfirst = 'yes'\n", "'dayfirst' must be true or false"),
        ("label = 'middle'\n", "'label' must be 'start' or 'end'"),
        ("columns = 'Killed'\n", "is not THEIRS=OURS"),
    ],
)
def test_reading_options_in_toml_are_checked(tmp_path, text, needle):
    from trends.config import ReportConfig
    from trends.errors import InputError

    cfg = tmp_path / "bad.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        ReportConfig.from_toml(cfg)
    assert needle in str(info.value)


def test_reading_options_from_toml_and_the_command_line_share_names(tmp_path):
    from trends.config import ReportConfig

    cfg = tmp_path / "ok.toml"
    cfg.write_text(
        'format = "counts"\ndate_format = "%d/%m/%Y"\nlabel = "end"\n[columns]\nDay = "date"\n',
        encoding="utf-8",
    )
    from_file = ReportConfig.from_toml(cfg)
    cli = ReportConfig.from_mapping({"columns": "Day=date", "date_format": "%d/%m/%Y",
                                     "label": "end", "format": "counts"})  # fmt: skip
    assert (
        from_file.read_options()
        == cli.read_options()
        == {
            "columns": {"Day": "date"},
            "date_format": "%d/%m/%Y",
            "label": "end",
        }
    )
    assert replace(cli, data=Path("x.csv")).with_defaults().outcome is None  # every measure
    assert ReportConfig(data=Path("x.csv")).with_defaults().outcome == [
        "attacks",
        "civilian_deaths",
    ]

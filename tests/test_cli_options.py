"""The reading options are the same on `validate`, on `report` and in a report's TOML config, and
every error that asks for one names the command-line option, not only a Python keyword.

Also: the measures of a tallies or counts file are named by their words ("people killed"), the source
being credited once, as the user wrote it.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.config import READ_OPTIONS, ReportConfig
from trends.errors import InputError
from trends.ingest import read_counts
from trends.ingest.formats import FORMATS, reader_for
from trends.report import load_inputs
from trends.sources import load_series, measure_words

runner = CliRunner()


def _option_names(command: str) -> set[str]:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return set(re.findall(r"--[a-z][a-z-]+", result.output))


def _weekly(tmp_path):
    path = tmp_path / "weekly.csv"
    weeks = pd.date_range("2021-01-04", periods=20, freq="7D")
    path.write_text(
        "week,deaths\n" + "".join(f"{d:%Y-%m-%d},{i + 3}\n" for i, d in enumerate(weeks)),
        encoding="utf-8",
    )
    return path


def _thousands(tmp_path, name="thousands.csv", days=120):
    path = tmp_path / name
    dates = pd.date_range("2024-01-01", periods=days)
    rows = [f'{d:%Y-%m-%d},"1,{500 + (i % 37) - (200 if d >= pd.Timestamp("2024-03-01") else 0)}"'
            for i, d in enumerate(dates)]  # fmt: skip
    path.write_text("date,killed\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _two_regions(tmp_path):
    path = tmp_path / "two.csv"
    lines = ["date,cumulative_killed,region"]
    for i, d in enumerate(pd.date_range("2022-06-01", periods=10)):
        lines += [f"{d:%Y-%m-%d},{100 + 3 * i},Kharkiv", f"{d:%Y-%m-%d},{50 + 2 * i},Zaporizhzhia"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------- the same options
def test_every_reading_option_of_validate_is_an_option_of_report_and_a_config_key():
    validate, report = _option_names("validate"), _option_names("report")
    reading = {"--" + k.replace("_", "-") for k in READ_OPTIONS}
    assert reading - {"--dayfirst"} <= validate and "--dayfirst/--monthfirst" not in reading
    assert reading - {"--dayfirst"} <= report
    assert {"--dayfirst", "--monthfirst"} <= validate & report
    assert set(READ_OPTIONS) <= set(ReportConfig.keys())
    # every reading option is taken by at least one reader, under that name
    taken = set().union(*(reader_for(f).__code__.co_varnames for f in FORMATS))
    assert set(READ_OPTIONS) <= taken


def test_validate_takes_label(tmp_path):
    path = _weekly(tmp_path)
    refused = runner.invoke(app, ["validate", str(path), "--format", "counts"])
    assert refused.exit_code == 2
    assert "--label start" in refused.stderr and "--label end" in refused.stderr
    ok = runner.invoke(app, ["validate", str(path), "--format", "counts", "--label", "start"])
    assert ok.exit_code == 0, ok.output
    assert "20 accepted" in ok.stdout
    bad = runner.invoke(app, ["validate", str(path), "--format", "counts", "--label", "first"])
    assert bad.exit_code == 2 and "start or end" in bad.output


def test_validate_takes_region_for_tallies(tmp_path):
    path = _two_regions(tmp_path)
    refused = runner.invoke(app, ["validate", str(path), "--format", "tallies"])
    assert refused.exit_code == 2 and "--region" in refused.stderr
    ok = runner.invoke(
        app, ["validate", str(path), "--format", "tallies", "--region", "Kharkiv", "--json"]
    )
    assert ok.exit_code == 0, ok.output  # the other region's rows are filtered out, not rejected
    payload = json.loads(ok.stdout)
    assert payload["accepted"] == 10 and payload["rejected"] == 0 and payload["filtered"] == 10
    assert payload["errors"] == []
    assert any(n.startswith("region filter 'Kharkiv'") for n in payload["notes"])
    other = runner.invoke(app, ["validate", str(path), "--format", "counts", "--region", "x"])
    assert other.exit_code == 2 and "--region does not apply to --format counts" in other.stderr


def test_a_config_file_takes_the_reading_options(tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(
        'data = "x.csv"\nformat = "acled"\nthousands = ","\ndelimiter = "\\t"\n'
        'encoding = "cp1252"\nsheet = 0\nevent_types = ["Battles"]\nregion = "Kharkiv"\n'
        'label = "end"\n',
        encoding="utf-8",
    )
    options = ReportConfig.from_toml(cfg).read_options()
    assert options == {
        "thousands": ",",
        "delimiter": "\t",
        "encoding": "cp1252",
        "sheet": 0,
        "event_types": ["Battles"],
        "region": "Kharkiv",
        "label": "end",
    }
    assert ReportConfig.from_mapping({"sheet": "2"}).sheet == 2
    assert ReportConfig.from_mapping({"thousands": " "}).thousands == " "
    with pytest.raises(InputError, match="sheet"):
        ReportConfig.from_mapping({"sheet": True})


def test_report_inputs_are_read_with_thousands_region_delimiter_and_encoding(tmp_path):
    path = _thousands(tmp_path)
    cfg = ReportConfig.from_mapping({"data": path, "format": "counts", "thousands": ","})
    inputs = load_inputs(cfg.with_defaults())
    assert inputs.ingest.accepted == 120 and inputs.series.counts["killed"].iloc[0] == 1500
    two = _two_regions(tmp_path)
    cfg = ReportConfig.from_mapping({"data": two, "format": "tallies", "region": "Zaporizhzhia"})
    inputs = load_inputs(cfg.with_defaults())
    assert inputs.ingest.accepted == 10
    semi = tmp_path / "semi.csv"
    semi.write_bytes("date;killed\n2024-01-01;3\n2024-01-02;4\n".encode("cp1252"))
    cfg = ReportConfig.from_mapping(
        {"data": semi, "format": "counts", "delimiter": ";", "encoding": "cp1252"}
    )
    assert load_inputs(cfg.with_defaults()).ingest.accepted == 2
    cfg = ReportConfig.from_mapping({"data": semi, "format": "counts", "region": "x"})
    with pytest.raises(InputError, match="--region does not apply to --format counts"):
        load_inputs(cfg.with_defaults())


# ------------------------------------------------------------- errors name the CLI option
def test_errors_that_ask_for_an_option_name_the_command_line_option(tmp_path):
    path = _thousands(tmp_path)
    _, report = read_counts(path)
    reason = report.errors[0].reason
    assert "--thousands ','" in reason and "thousands=','" in reason
    with pytest.raises(InputError) as info:
        read_counts(_weekly(tmp_path))
    assert "--label start" in str(info.value) and "label='start'" in str(info.value)
    result = runner.invoke(app, ["validate", str(_two_regions(tmp_path)), "--format", "tallies"])
    assert "--region NAME" in result.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"date,killed\n2024-01-01,3\n" + "2024-01-02,4 \xe9\n".encode("cp1252"))
    _, report = read_counts(latin)
    text = " ".join([*report.notes, *(e.reason for e in report.errors)])
    assert "--encoding cp1252" in text


# --------------------------------------------------------------------- measures in words
def test_measures_of_counts_and_tallies_are_named_by_their_words(tmp_path):
    path = _thousands(tmp_path, name="short40.csv")
    series = load_series(path, "counts", read_options={"thousands": ","})
    assert series.label("killed") == "people killed" and series.provenance.source == "short40.csv"
    two = _two_regions(tmp_path)
    series = load_series(
        two, "tallies", read_options={"region": "Kharkiv"}, source="Health Ministry"
    )
    assert series.label("new_killed") == "people killed"
    assert series.provenance.source == "Health Ministry"
    assert measure_words("Fatalities") == "fatalities" and measure_words("IDPs") == "IDPs"
    assert measure_words("new_cases") == "new cases"
    assert (
        measure_words("killed") == "people killed" and measure_words("Wounded") == "people wounded"
    )
    assert measure_words("children_killed") == "children killed"


def test_a_series_named_by_a_participle_reads_people_everywhere():
    """analyse_ceasefire(pd.Series(name="killed")): the bottom line, the rates and the ITS text
    all say "people killed", never "the rate of killed"."""
    import numpy as np

    from trends import analyse_ceasefire
    from trends.verdicts.words import measure_words as verdict_words

    assert verdict_words("x", "killed") == "people killed" and verdict_words("x", "IDPs") == "IDPs"
    rng = np.random.default_rng(1)
    days = pd.date_range("2020-01-01", periods=240)
    y = pd.Series(rng.poisson(np.r_[np.full(120, 5.0), np.full(120, 3.0)]), days, name="killed")
    a = analyse_ceasefire(y.astype(float), days[120], placebo=False, robustness=False)
    text = a.bottom_line.report() + a.report()
    assert "rate of people killed per day" in text
    assert " of killed" not in text and " killed in " not in text.replace("people killed in ", "")


@pytest.mark.slow
def test_report_with_thousands_names_the_measure_in_words_and_the_source_as_typed(tmp_path):
    path = _thousands(tmp_path, name="daily_counts.csv")
    out = tmp_path / "out"
    args = ["report", "--data", str(path), "--format", "counts", "--intervention", "2024-03-01",
            "--out", str(out), "-q"]  # fmt: skip
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--thousands ','" in refused.stderr
    result = runner.invoke(app, [*args, "--thousands", ",", "--source", "Health Ministry"])
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text(encoding="utf-8")
    # the file is named once, in the data section; the measure is named by its words
    assert "daily_counts.csv)" not in md.replace("(file: daily_counts.csv)", "")
    assert not re.search(r"killed \((daily_counts|health ministry)", md, re.I)
    assert "health ministry" not in md  # the source as typed, never re-cased
    assert "Source: Health Ministry (file: daily_counts.csv)" in md
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["outcomes"]["killed"]["label"] == "people killed"
    assert payload["settings"]["source"] == {"format": "counts", "thousands": ","}


def test_claims_takes_the_reading_options_too(tmp_path):
    assert {"--" + k.replace("_", "-") for k in READ_OPTIONS} - {"--dayfirst"} <= _option_names(
        "claims"
    )
    data = _thousands(tmp_path)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "claim_id,as_of,window_start,window_end,quantity,value,qualifier,source\n"
        "K1,2024-03-31,2024-03-01,2024-03-31,civilian deaths,100,more than,a monitor\n"
        "K2,2024-03-31,2024-03-01,2024-03-31,people killed,100,more than,a monitor\n",
        encoding="utf-8",
    )
    args = ["claims", "--claims", str(claims), "--data", str(data), "--format", "counts"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--thousands" in refused.output
    read = runner.invoke(app, [*args, "--thousands", ","])
    assert read.exit_code == 0, read.output
    assert "K1" in read.output and "supported" in read.output
    # 'people killed' is the measure's own words (a column named killed): checked against it
    assert "2 of 2 claims could be checked" in read.output and "not other" not in read.output


def test_a_column_mapping_to_a_near_miss_name_is_refused(tmp_path):
    """Killed=civilian_deaths would keep the deaths in a column nothing reads: refused, with
    the names meant; a target far from every known name is the user's own extra column."""
    path = tmp_path / "sheet.csv"
    path.write_text("Day,Killed,Notes\n2023-01-02,3,x\n2023-01-03,1,y\n", encoding="utf-8")
    from trends.errors import InputError
    from trends.ingest import read_incidents

    for target in ("civilian_deaths", "civilian_deaths_bset"):
        with pytest.raises(InputError, match="civilian_deaths_best"):
            read_incidents(path, columns={"Day": "date", "Killed": target})
    table, report = read_incidents(
        path, columns={"Day": "date", "Killed": "civilian_deaths_best", "Notes": "my_notes"}
    )
    assert report.accepted == 2 and "my_notes" in table.columns
    assert table["civilian_deaths_best"].sum() == 4


def test_a_month_without_a_day_is_refused_with_the_date_format_that_reads_it(tmp_path):
    path = tmp_path / "ym.csv"
    months = pd.date_range("2020-01-01", periods=24, freq="MS")
    path.write_text("month,killed\n" + "".join(f"{m:%Y-%m},{i}\n" for i, m in enumerate(months)))
    _, report = read_counts(path)
    assert report.rejected == 24 and "--date-format '%Y-%m'" in report.errors[0].reason
    _, report = read_counts(path, date_format="%Y-%m")
    assert report.accepted == 24


def test_chart_files_of_a_measure_with_spaces_have_safe_names():
    from trends.report.charts import file_slug

    assert file_slug("civilians killed") == "civilians_killed"
    assert file_slug("killed (ministry / UN)") == "killed_ministry_UN"
    assert file_slug("attacks") == "attacks"


def test_monthly_counts_asked_per_week_say_why_and_what_to_do(tmp_path):
    from trends.errors import InputError
    from trends.series import CountSeries

    months = pd.date_range("2020-01-01", periods=24, freq="MS")
    series = CountSeries.from_counts(pd.DataFrame({"killed": range(24)}, index=months))
    with pytest.raises(InputError, match="cannot be counted per week; analyse it per month"):
        series.resample("W")


def test_a_data_quality_warning_reaches_the_user_as_one_line(tmp_path):
    """A claim published before its window ends warns: one ``trends: warning:`` line naming the
    file and row, not Python's warning with the package's file path and source line."""
    data = _thousands(tmp_path)
    claims = tmp_path / "early.csv"
    claims.write_text(
        "claim_id,as_of,window_start,window_end,quantity,value,qualifier\n"
        "E1,2024-02-01,2024-01-01,2024-03-31,civilian deaths,100,more than\n",
        encoding="utf-8",
    )
    args = ["claims", "--claims", str(claims), "--data", str(data), "--format", "counts",
            "--thousands", ","]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    warned = [ln for ln in result.output.splitlines() if ln.startswith("trends: warning:")]
    assert len(warned) == 1 and "early.csv" in warned[0] and "row 1 (E1)" in warned[0]
    assert "DataQualityWarning" not in result.output and ".py:" not in result.output


def test_thousands_reads_the_claims_values_too(tmp_path):
    """--thousands names the separator of the claims' values as of the data's (the refusal of
    '1,200' tells the user to pass it, so passing it must work)."""
    days = pd.date_range("2023-01-01", periods=60, freq="D")
    data = tmp_path / "counts.csv"
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "killed": [25] * 60}).to_csv(data, index=False)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "claim_id,as_of,window_start,window_end,quantity,value,qualifier\n"
        'K1,2023-03-01,2023-01-01,2023-02-28,civilian_deaths,"1,200",more than\n',
        encoding="utf-8",
    )
    args = ["claims", "--claims", str(claims), "--data", str(data), "-f", "counts"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "--thousands" in refused.output
    out = CliRunner().invoke(app, [*args, "--thousands", ",", "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    row = (payload["claims"] if isinstance(payload, dict) else payload)[0]
    assert row["value"] == 1200 and row["verdict"] == "supported"


def test_every_problem_of_a_refused_claims_file_is_listed(tmp_path):
    """'(2 more problems in this file)' is followed by those problems, one a line."""
    days = pd.date_range("2023-01-01", periods=60, freq="D")
    data = tmp_path / "counts.csv"
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "killed": [2] * 60}).to_csv(data, index=False)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "claim_id,as_of,window_start,window_end,quantity,value,qualifier\n"
        "A,2023-03-01,2023-01-01,2023-02-28,civilian_deaths,,more than\n"
        "B,2023-03-01,2023-01-01,2023-02-28,civilian_deaths,many,more than\n"
        "C,2023-03-01,2023-02-01,2023-01-05,civilian_deaths,5,more than\n",
        encoding="utf-8",
    )
    args = ["claims", "--claims", str(claims), "--data", str(data), "-f", "counts"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "(2 more problems in this file)" in lines[0]
    assert lines[1].startswith("  also: row 2 (line 3), column 'value'") and "'many'" in lines[1]
    assert lines[2].startswith("  also: row 3 (line 4), column 'window_end'")
    assert "Traceback" not in result.output


def test_the_validate_hint_repeats_the_reading_options_given(tmp_path):
    """The hint to run `trends validate` carries the options of the run, so following it reads
    the file the same way (it named only the file and its format)."""
    bad = tmp_path / "bad data.csv"
    bad.write_text("Day;Killed\n2024-01-01;x\n", encoding="utf-8")
    args = ["report", "--data", str(bad), "--format", "counts", "--delimiter", ";"]
    args += ["--columns", "Day=date,Killed=killed", "--dayfirst", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(app, [*args, "--intervention", "2024-01-01"])
    assert result.exit_code == 2
    hint = re.search(r"run `([^`]+)` to see every row", result.stderr).group(1)
    assert hint == (
        f"trends validate '{bad}' --format counts --columns Day=date,Killed=killed "
        "--dayfirst --delimiter ';'"
    )

"""`trends.reporting`: results.json against its schema and the analysis, report.md, series, charts."""

from __future__ import annotations

import copy
import importlib
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from trends.config import ReportConfig
from trends.reporting import (
    SCHEMA_FILE,
    load_inputs,
    load_schema,
    results_payload,
    schema_errors,
    write_report,
)

REPO = Path(__file__).resolve().parents[1]
PLOT_MODULES = ("timeline", "its", "changepoint", "placebo", "claims", "small_multiples")


@pytest.fixture(scope="module")
def case(founding_analysis):
    """The default Idlib 2019 analysis (bundled data, defaults of `trends report`).

    The analysis is conftest.py's ``run_analysis(config, inputs)`` of this config, computed once
    per test run.
    """
    config = ReportConfig().with_defaults()
    inputs = load_inputs(config)
    return config, inputs, founding_analysis


@pytest.fixture(scope="module")
def written(case, tmp_path_factory):
    """write_report of the default analysis, drawn in this process (jobs=1).

    Only the timeline chart is drawn here (the other plotting modules are hidden, which also
    exercises the skip notes); every chart is drawn by the full run of ``test_cli_report.py``.
    """
    config, inputs, analysis = case
    out = tmp_path_factory.mktemp("reporting")
    calls: list[tuple[str, int, int]] = []
    importlib.import_module("trends.plots")  # the package itself imports every chart module
    with pytest.MonkeyPatch.context() as mp:
        for module in PLOT_MODULES[1:]:
            mp.setitem(sys.modules, f"trends.plots.{module}", None)
        files = write_report(
            analysis,
            out,
            incidents=inputs.incidents,
            timeline=inputs.timeline,
            source_label=inputs.source_label,
            progress=lambda d, c, t: calls.append((d, c, t)),
            config=config,
            place=inputs.place,
            jobs=1,
        )
    return files, out, calls


# ------------------------------------------------------------------------------ schema
def test_schema_file_is_package_data_and_draft_2020_12():
    assert SCHEMA_FILE.parent.parent == REPO / "trends"
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for key in ("data", "window", "intervention", "outcomes", "claims"):
        assert key in schema["required"]


def test_results_json_validates_and_equals_the_analysis(case, written):
    jsonschema = pytest.importorskip("jsonschema")
    _, _, analysis = case
    files, _, _ = written
    payload = json.loads(files["results"].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(load_schema())
    jsonschema.Draft202012Validator(load_schema()).validate(payload)
    assert payload == json.loads(json.dumps(results_payload(analysis)))
    for name, oa in analysis.outcomes.items():
        out = payload["outcomes"][name]
        rates = oa.rates.to_dict()
        assert out["rate_before"] == pytest.approx(rates["rate_before"], rel=1e-12)
        assert out["rate_after"] == pytest.approx(rates["rate_after"], rel=1e-12)
        assert out["rate_ratio"]["estimate"] == pytest.approx(rates["rate_ratio"]["estimate"])
        assert out["rate_ratio"]["ci_low"] == pytest.approx(rates["rate_ratio"]["ci_low"])
        assert out["its"]["level_change_rr"]["estimate"] == pytest.approx(
            oa.its.level_change.estimate
        )
        assert out["its"]["slope_change_rr"]["ci_high"] == pytest.approx(
            oa.its.slope_change.ci_high
        )
        assert out["its"]["family"] == analysis.family == "negbin"
        assert out["placebo"]["p_value"] == pytest.approx(oa.placebo.p_value)
        assert out["placebo"]["n_placebos"] == oa.placebo.n_placebos
        cp = oa.changepoint.to_dict()["changepoint"]
        if cp is None:  # the dependence-aware search found no change (deaths, issue 12)
            assert out["changepoint"]["date"] is None
        else:
            assert out["changepoint"]["date"] == str(pd.Timestamp(cp["date"]).date())
    assert len(payload["claims"]) == len(analysis.claims.frame) == 87
    assert payload["data"]["rows_read"] == analysis.ingest.rows_read
    assert payload["window"]["start"] == f"{analysis.start:%Y-%m-%d}"


def test_results_do_not_depend_on_where_or_when_they_run(case, written):
    _, _, analysis = case
    files, out, _ = written
    text = files["results"].read_text(encoding="utf-8")
    assert str(REPO) not in text and str(out) not in text
    payload = json.loads(text)
    assert payload["data"]["source"] == "idlib_2019/incidents.csv (bundled with trends)"
    assert not any("time" in key or key.endswith("_at") for key in payload)
    assert "NaT" not in text
    assert json.dumps(results_payload(analysis)) == json.dumps(results_payload(analysis))


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda p: p["data"].pop("rejected"), "data"),
        (lambda p: p["window"].update(start="30 Apr 2019"), "window/start"),
        (lambda p: p["outcomes"]["attacks"]["rate_ratio"].update(estimate="0.34"), "rate_ratio"),
        (lambda p: p["outcomes"]["attacks"]["its"].pop("se_type"), "outcomes/attacks/its"),
        (lambda p: p["outcomes"]["attacks"]["placebo"].update(p_value=1.5), "attacks/placebo"),
        (lambda p: p["claims"][0].update(verdict="true"), "claims/0/verdict"),
        (lambda p: p["claims"][0]["observed"].pop("high"), "claims/0/observed"),
        (lambda p: p["outcomes"].update(injuries={}), "outcomes"),
        (lambda p: p.pop("generated_by"), "(root)"),
    ],
)
def test_schema_rejects_broken_results(case, mutate, where):
    _, _, analysis = case
    good = results_payload(analysis)
    assert schema_errors(good) == []
    bad = copy.deepcopy(good)
    mutate(bad)
    errors = schema_errors(bad)
    assert errors and any(where in e for e in errors), errors


def test_schema_errors_name_the_field_and_the_allowed_values(case):
    # jsonschema is a runtime dependency: the hand-written fallback checker is gone (issue 8)
    _, _, analysis = case
    payload = results_payload(analysis)
    assert schema_errors(payload) == []
    payload["window"]["freq"] = "fortnight"
    assert schema_errors(payload) == ["window/freq: 'fortnight' is not one of ['D', 'W', 'M']"]


# ------------------------------------------------------------------------------ files
def test_every_file_is_written_and_progress_reaches_the_end(written):
    files, out, calls = written
    for key in ("report", "results", "series_daily", "series_weekly", "timeline"):
        assert files[key].exists() and files[key].parent == out
    assert all(p.exists() for p in files.values())
    assert files["timeline"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in out.glob("*.png")) == ["timeline.png"]
    md = files["report"].read_text(encoding="utf-8")
    assert "`its_attacks.png`" in md and "not drawn: trends.plots.its.plot_its" in md
    completed = [c for _, c, _ in calls]
    assert completed == sorted(completed)
    assert calls[-1][1] == calls[-1][2] and calls[-1][0] == "Done"


def test_series_csv_hold_every_measure_and_match_the_analysis(case, written):
    _, _, analysis = case
    files, _, _ = written
    daily = pd.read_csv(files["series_daily"], index_col="date", parse_dates=True)
    for col in ("attacks", "deaths_low", "deaths_best", "deaths_high", "child_deaths", "injured"):
        assert col in daily, col
    assert len(daily) == (analysis.end - analysis.start).days + 1
    for col in ("attacks", "deaths_low", "deaths_best", "deaths_high"):
        assert daily[col].sum() == analysis.counts[col].sum()
    weekly = pd.read_csv(files["series_weekly"], index_col="date", parse_dates=True)
    assert weekly["deaths_best"].sum() == daily["deaths_best"].sum() == 1097
    assert (weekly.index.day_of_week == 0).all()


def test_report_md_sections_numbers_and_tables(case, written):
    _, _, analysis = case
    files, _, _ = written
    md = files["report"].read_text(encoding="utf-8")
    assert str(REPO) not in md
    assert md.startswith("# Did the ceasefire of 31 August 2019 change the rate of attacks")
    assert "From 31 Aug 2019 to 15 Dec 2019 the data record 203 civilian deaths" in md
    assert "(low-high figures 188-279)" in md
    # the table of models: one markdown row per row of models_table()
    models = md.split("## Table of models")[1].split("## Caveats")[0]
    rows = [line for line in models.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(analysis.models_table()) + 1  # + header
    # every claim, with its verdict, including those not checked and why
    table = md.split("### Every claim")[1].split("## Table of models")[0]
    for _, r in analysis.claims.frame.iterrows():
        line = next(x for x in table.splitlines() if x.startswith(f"| {r['claim_id']} |"))
        assert f"| {r['verdict']} |" in line
        if r["verdict"] in ("not checked", "not checkable"):
            assert r["reason"] in line
    for caveat in analysis.caveats:
        assert caveat in md
    figures = md.split("## Figures")[1]
    for name in ("timeline.png", "its_attacks.png", "cumulative_since_ceasefire.png", "claims.png"):
        assert f"`{name}`" in figures


def test_a_missing_chart_function_is_noted_and_the_rest_is_written(case, tmp_path, monkeypatch):
    config, inputs, analysis = case
    importlib.import_module("trends.plots")
    for module in PLOT_MODULES:
        monkeypatch.setitem(sys.modules, f"trends.plots.{module}", None)
    files = write_report(
        analysis, tmp_path, incidents=inputs.incidents, timeline=inputs.timeline, jobs=1
    )
    assert set(files) == {
        "report",
        "results",
        "series_daily",
        "series_weekly",
        "report_html",  # new (issue 10): the same report for a browser
        "manifest",  # new (issue 11): the files of the run and their checksums
    }
    md = files["report"].read_text(encoding="utf-8")
    assert md.count("not drawn: trends.plots.") == 10
    assert "not drawn: trends.plots.claims.plot_cumulative is not available" in md
    assert not list(tmp_path.glob("*.png"))

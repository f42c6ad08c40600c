"""`trends report` and `trends claims` on the command line; `trends.config.ReportConfig`.

One full `trends report` run (no options: the Idlib 2019 analysis) is shared by the module; the
bad-input cases stop before any model is fitted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.config import BUNDLED_DEFAULTS, ReportConfig
from trends.errors import InputError

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"

CHARTS = {
    # file -> plotting module and function
    "timeline.png": ("timeline", "plot_timeline"),
    "its_attacks.png": ("its", "plot_its"),
    "its_civilian_deaths.png": ("its", "plot_its"),
    "changepoints_attacks.png": ("changepoint", "plot_changepoints"),
    "changepoints_civilian_deaths.png": ("changepoint", "plot_changepoints"),
    "placebo_attacks.png": ("placebo", "plot_placebo"),
    "placebo_civilian_deaths.png": ("placebo", "plot_placebo"),
    "cumulative_since_ceasefire.png": ("claims", "plot_cumulative"),
    "claims.png": ("claims", "plot_claims"),
    "small_multiples_admin1.png": ("small_multiples", "plot_small_multiples"),
}


def _available(module: str, function: str) -> bool:
    import importlib

    try:
        return hasattr(importlib.import_module(f"trends.plots.{module}"), function)
    except ImportError:
        return False


@pytest.fixture(scope="module")
def full_run(founding_report):
    """`trends report --out DIR` with no other option (the whole Idlib 2019 analysis).

    Run once per test run in conftest.py (typer's CliRunner, as here); the folder is shared, so
    these tests only read it.
    """
    return founding_report, founding_report.out


# ------------------------------------------------------------------------------ full run
def test_report_exits_0_and_writes_every_file(full_run):
    result, out = full_run
    assert result.exit_code == 0, result.output + str(result.exception)
    for name in ("report.md", "results.json", "series_daily.csv", "series_weekly.csv"):
        assert (out / name).stat().st_size > 0, name
    report = (out / "report.md").read_text(encoding="utf-8")
    for name, (module, function) in CHARTS.items():
        if _available(module, function):
            assert (out / name).stat().st_size > 10_000, name
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        else:  # still being written: the report says so
            assert f"`{name}`" in report and "not drawn" in report
    assert "Wrote" in result.stdout and str(out) in result.stdout


def test_results_json_validates_and_holds_the_founding_numbers(full_run):
    jsonschema = pytest.importorskip("jsonschema")
    from trends.reporting import load_schema

    _, out = full_run
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(payload)
    assert payload["data"] == payload["data"] | {
        "rows_read": 1035,
        "accepted": 1035,
        "rejected": 0,
        "duplicates": 0,
    }
    assert payload["window"] == {"start": "2019-04-30", "end": "2019-12-15", "freq": "D"}
    assert payload["intervention"]["id"] == "ceasefire_aug31_effective"
    assert payload["intervention"]["date"] == "2019-08-31"
    assert payload["family"] == "negbin"
    assert set(payload["outcomes"]) == {"attacks", "civilian_deaths"}
    deaths = payload["outcomes"]["civilian_deaths"]
    assert deaths["counts"]["after"]["count"] == 203
    assert deaths["rate_ratio"]["estimate"] == pytest.approx(203 / 107 / (894 / 123))
    sohr = next(c for c in payload["claims"] if c["claim_id"] == "C048")
    assert sohr["observed"] == {"low": 188, "best": 203, "high": 279}
    assert sohr["verdict"] == "undetermined"
    assert sohr["window_start"] == "2019-08-31" and sohr["as_of"] == "2019-12-07"
    # nothing that depends on when or where the run happened
    text = (out / "results.json").read_text(encoding="utf-8")
    assert str(REPO) not in text and str(out) not in text
    assert payload["generated_by"]["package"] == "trends"


def test_report_md_states_the_defaults_why_and_the_sohr_verdict(full_run):
    _, out = full_run
    md = (out / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## Question",
        "## Data",
        "## Choices and why",
        "## Findings",
        "## When did the rate change",
        "## Placebo",
        "## Robustness",
        "## Claims",
        "## Table of models",
        "## Caveats",
        "## Figures",
    ):
        assert heading in md, heading
    choices = md.split("## Choices and why")[1].split("## Findings")[0]
    assert "`offensive_launch`" in choices and "one regime" in choices
    assert "`dec_escalation_air`" in choices and "ceasefire regime" in choices
    assert "north-west" in choices and "(default)" in choices
    assert "overdispersed" in choices and "Newey-West" in choices
    assert "06:00" in choices and "first day *after*" in choices
    assert "1,035 rows read, 1,035 accepted, 0 rejected, 0 merged as duplicates" in md
    assert "203 (188-279)" in md
    claims = md.split("\n## Claims\n")[1]
    sohr = next(line for line in claims.splitlines() if line.startswith("| C048 |"))
    assert "more than 200 civilian deaths" in sohr and "| undetermined |" in sohr
    assert "**undetermined**" in claims and "SOHR" in claims


@pytest.mark.slow
def test_report_on_your_own_data(tmp_path):
    """An ACLED-format export, a small timeline and a claims table of one's own (weekly)."""
    jsonschema = pytest.importorskip("jsonschema")
    from trends.reporting import load_schema

    cfg = tmp_path / "mine.toml"
    cfg.write_text(
        f'data = "{EXAMPLES / "acled_idlib_2019_example.csv"}"\nformat = "acled"\n'
        f'events = "{EXAMPLES / "example_events.csv"}"\n'
        'intervention = "ceasefire_aug31_effective"\nfreq = "W"\noutcome = ["attacks"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", "--config", str(cfg), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "row(s) of the data were rejected" in result.stderr  # said, but not fatal
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(payload)
    assert payload["window"]["freq"] == "W" and list(payload["outcomes"]) == ["attacks"]
    assert payload["data"]["rejected"] > 0 and payload["claims"] == []
    assert "acled_idlib_2019_example.csv" in payload["data"]["source"]
    assert str(REPO) not in (out / "results.json").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Theatre (default) | all" in md and "Intervention (set by you)" in md
    # issue 9: the user's timeline bounds the default window (it was the data's first day)
    assert "No claims were checked" in md
    assert payload["window"]["start"] == "2019-04-30" and payload["window"]["end"] == "2019-12-15"
    assert payload["settings"]["default_window"]["end_event"] == "dec_escalation_air"
    assert "| Default window | 2019-04-30 to 2019-12-15 |" in md


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--data", "no/such/file.csv"], "file not found"),
        (["--intervention", "ceasefire_aug31"], "did you mean 'ceasefire_aug31_announced'"),
        (["--intervention", "2019-01-01"], "outside the window 2019-04-30 to 2019-12-15"),
        (["--start", "2019-09-05"], "outside the window 2019-09-05"),
        (["--end", "dec_escalation"], "did you mean 'dec_escalation_air'"),
        (["--outcome", "deaths"], "unknown outcome 'deaths'"),
        (["--family", "negbinomial"], "did you mean 'negbin'"),
        (["--freq", "fortnight"], "unknown freq"),
        (["--theatre", "north"], "unknown theatre"),
        (
            ["--data", str(EXAMPLES / "acled_idlib_2019_example.csv"), "--format", "acled"],
            "give --intervention",
        ),
    ],
)
def test_bad_input_exits_2_with_a_one_line_reason(args, needle, tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trends: ") and needle in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "o" / "report.md").exists()


def test_unreadable_data_file_exits_2(tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    result = runner.invoke(app, ["report", "--data", str(bad), "--intervention", "2019-08-31"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("trends: ")


# ------------------------------------------------------------------------------ TOML
def test_toml_config_is_read_and_the_command_line_overrides_it(tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text('start = "2019-09-05"\noutcome = ["attacks"]\n', encoding="utf-8")
    # The file's start is used (the intervention is then outside the window)...
    result = runner.invoke(app, ["report", "--config", str(cfg), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "outside the window 2019-09-05 to 2019-12-15" in result.stderr
    # an event of the reference events is named with its id and where it comes from
    assert "the intervention 'ceasefire_aug31_effective' (2019-08-31, from " in result.stderr
    # ...unless the command line gives another.
    result = runner.invoke(
        app,
        ["report", "--config", str(cfg), "--start", "2019-05-01", "--intervention", "2019-01-01"],
    )
    assert result.exit_code == 2
    assert "(2019-01-01) is outside the window 2019-05-01 to 2019-12-15" in result.stderr


def test_toml_unknown_key_fails_clearly(tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text('intervension = "ceasefire_aug31_effective"\n', encoding="utf-8")
    result = runner.invoke(app, ["report", "--config", str(cfg)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert "unknown key 'intervension'" in line and "did you mean 'intervention'" in line
    assert str(cfg) in line


def test_report_config_from_toml(tmp_path):
    (tmp_path / "sub").mkdir()
    cfg = tmp_path / "sub" / "x.toml"
    cfg.write_text(
        'data = "incidents.csv"\nformat = "acled"\nstart = 2019-04-30\nend = "dec_escalation_air"\n'
        'outcome = "civilian_deaths"\nout = "/abs/out"\nfamily = "poisson"\n',
        encoding="utf-8",
    )
    c = ReportConfig.from_toml(cfg)
    assert c.data == cfg.parent.resolve() / "incidents.csv"  # relative to the file
    assert c.out == Path("/abs/out")
    assert c.start == "2019-04-30"  # a TOML date is read as a date
    assert c.outcome == ["civilian_deaths"]
    assert c.explicit == {"data", "format", "start", "end", "outcome", "out", "family"}
    d = c.with_defaults()
    assert d.freq == "D" and d.theatre == "all" and d.intervention is None  # own data
    assert d.is_default("freq") and not d.is_default("family")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('outcomes = ["attacks"]\n', "unknown key 'outcomes' (did you mean 'outcome'?)"),
        ("family = 3\n", "'family' must be a non-empty string"),
        ("outcome = [1, 2]\n", "'outcome' must be an outcome name or a list"),
        ("[report]\nfreq = 'D'\n", "[report] tables are not used"),
        ("freq = \n", "not valid TOML"),
    ],
)
def test_report_config_errors(tmp_path, text, needle):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        ReportConfig.from_toml(cfg)
    assert needle in str(info.value)


def test_report_config_defaults_for_the_bundled_case():
    d = ReportConfig().with_defaults()
    assert d.bundled
    assert (d.theatre, d.intervention, d.start, d.end) == (
        "north-west",
        "ceasefire_aug31_effective",
        "offensive_launch",
        "2019-12-15",
    )
    assert BUNDLED_DEFAULTS["end"] == "2019-12-15"
    assert (d.family, d.freq, d.outcome, d.out) == (
        "negbin",
        "D",
        ["attacks", "civilian_deaths"],
        Path("out"),
    )
    over = ReportConfig(
        start="2019-05-01", family="poisson", explicit=frozenset({"start", "family"})
    )
    merged = ReportConfig.from_mapping({"start": "2019-06-01", "freq": "W"}).override(over)
    assert (merged.start, merged.freq, merged.family) == ("2019-05-01", "W", "poisson")
    assert merged.explicit == {"start", "freq", "family"}


def test_the_bundled_end_is_the_day_before_the_december_escalation():
    from trends.datasets import load_idlib_2019

    tl = load_idlib_2019().timeline
    assert (tl.resolve("dec_escalation_air") - tl.resolve(BUNDLED_DEFAULTS["end"])).days == 1
    assert str(tl.resolve(BUNDLED_DEFAULTS["start"]).date()) == "2019-04-30"


# ------------------------------------------------------------------------------ claims
def test_claims_command_prints_the_verdicts():
    result = runner.invoke(app, ["claims"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(
        "35 of 87 claims could be checked"
    )  # 4 more reach outside the data: not judged
    c048 = next(line for line in out.splitlines() if line.startswith("C048"))
    assert "203 (188-279)" in c048 and "undetermined" in c048
    assert "not checked" in out and "not checkable" in out


def test_claims_command_json():
    result = runner.invoke(app, ["claims", "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert len(payload["claims"]) == 87
    c048 = next(c for c in payload["claims"] if c["claim_id"] == "C048")
    assert c048["verdict"] == "undetermined" and c048["observed"]["best"] == 203
    assert sum(payload["summary"].values()) == 87
    assert "NaT" not in result.stdout


def test_claims_command_with_your_own_data_checks_every_claim(tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "id,as_of,window_start,window_end,region,quantity,value,qualifier,source\n"
        "sohr,2019-12-07,ceasefire_aug31_effective,2019-12-07,Idlib,civilian deaths,200,more than,SOHR\n"
        "disp,2019-12-30,2019-12-01,2019-12-29,Idlib,displaced,284000,some,OCHA\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "claims", "--claims", str(claims),
            "--data", str(EXAMPLES / "acled_idlib_2019_example.csv"), "--format", "acled",
            "--events", str(EXAMPLES / "example_events.csv"), "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    verdicts = {c["claim_id"]: c["verdict"] for c in json.loads(result.stdout)["claims"]}
    # No scope mapping for your own data: every claim the data can count is checked.
    assert verdicts["sohr"] in ("supported", "undetermined", "not supported")
    assert verdicts["disp"] == "not checkable"


def test_claims_command_bad_input_exits_2(tmp_path):
    result = runner.invoke(app, ["claims", "--claims", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and result.stderr.startswith("trends: ")
    result = runner.invoke(
        app, ["claims", "--data", str(EXAMPLES / "acled_idlib_2019_example.csv"), "-f", "acled"]
    )
    assert result.exit_code == 2 and "give --claims" in result.stderr

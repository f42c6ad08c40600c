"""The words of report.md never over-claim (issue 10 item 2).

Scans the founding-case report (`trends report`, no options), a report on ACLED-format data and
a report on a constructed small-count series whose change is not distinguishable from no change:

- a sentence that says "fell by" / "rose by" gives an interval that excludes no change;
- the headline of a finding is bold only when its interval excludes no change, and leads with the
  dependence-aware interval, the exact one shown as "if every day were an independent Poisson
  draw";
- the timing of the change in the bottom line and in "When did the rate change" agree;
- no ISO date or datetime, no date with a leading zero, no raw outcome key and no count printed
  as a decimal in the prose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from trends.cli import app
from trends.models.costs import get_cost
from trends.models.families import get_family
from trends.verdicts import NO_CHANGE

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
ACLED = REPO / "data" / "examples" / "acled_idlib_2019_example.csv"
EVENTS = REPO / "data" / "idlib_2019" / "reference_events.csv"

CHANGE = re.compile(r"\b(fell|rose) by ")
NUM = r"([-+]?\d[\d,]*(?:\.\d+)?)"
CI = re.compile(rf"95% CI {NUM}(%?) to {NUM}(%?)")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}(T[\d:]+)?\b")
LEADING_ZERO = re.compile(r"\b0\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
RAW_KEYS = re.compile(r"\b(civilian_deaths|deaths_best|deaths_low|deaths_high|child_deaths)\b")
DECIMAL_COUNT = re.compile(r"\b\d[\d,]*\.0 (events|attacks|civilian deaths|deaths|more|fewer)\b")


def _report(args: list[str], out: Path) -> str:
    result = runner.invoke(app, ["report", *args, "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output + str(result.exception)
    return (out / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def founding(founding_report) -> str:
    """report.md of `trends report` with no option (run once per test run: conftest.py)."""
    run = founding_report
    assert run.exit_code == 0, run.output + str(run.exception) + run.traceback
    return (run.out / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def acled(tmp_path_factory) -> str:
    if not ACLED.is_file() or not EVENTS.is_file():
        pytest.skip("the ACLED example or the Idlib reference events are not in the repository")
    args = ["--data", str(ACLED), "--format", "acled", "--events", str(EVENTS)]
    args += ["--intervention", "ceasefire_aug31_effective"]
    return _report(args, tmp_path_factory.mktemp("acled") / "out")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[str, dict]:
    """About 6 and 5 events a side of the intervention: no change the data can tell apart."""
    rng = np.random.default_rng(11)
    index = pd.date_range("2024-01-01", periods=120)
    killed = rng.poisson(0.1, len(index))
    frame = pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "killed": killed})
    root = tmp_path_factory.mktemp("small")
    frame.to_csv(root / "daily.csv", index=False)
    args = ["--data", str(root / "daily.csv"), "--format", "counts"]
    args += ["--intervention", "2024-03-01", "--source", "a health office"]
    md = _report(args, root / "out")
    payload = json.loads((root / "out" / "results.json").read_text(encoding="utf-8"))
    return md, payload


def _prose(md: str) -> list[str]:
    """Lines of prose: no table rows, no file list, no headings; code spans removed."""
    body = md.split("\n## Files\n")[0]
    lines = [
        ln for ln in body.splitlines() if ln.strip() and not ln.lstrip().startswith(("|", "#"))
    ]
    return [re.sub(r"`[^`]*`", "", ln) for ln in lines]


def _sentences(md: str) -> list[str]:
    out = []
    for line in _prose(md):
        out += re.split(r"(?<=[.!?)])\s+(?=[A-Z*])", line)
    return out


def _excludes_no_change(m: re.Match) -> bool:
    lo, lo_pct, hi, hi_pct = m.groups()
    if lo_pct or hi_pct:  # percentages: a mixed-sign interval includes no change
        signs = {lo.startswith("-"), hi.startswith("-")}
        return len(signs) == 1 or not (lo.startswith(("-", "+")) or hi.startswith(("-", "+")))
    low, high = (float(x.replace(",", "")) for x in (lo, hi))
    return not (low <= 1.0 <= high)


def _overclaims(md: str) -> list[str]:
    """Sentences that call a change a fall or rise with an interval that includes no change."""
    bad = []
    for sentence in _sentences(md):
        for hit in CHANGE.finditer(sentence):
            rest = sentence[hit.end() :]
            ci = CI.search(rest)
            if ci is None or not _excludes_no_change(ci) or NO_CHANGE in rest[: ci.start()]:
                bad.append(sentence)
    return bad


def _section(md: str, title: str) -> str:
    return md.split(f"\n## {title}\n")[1].split("\n## ")[0]


def _outcome_block(section: str, label: str) -> str:
    return section.split(f"### {label}\n")[1].split("\n### ")[0]


# --------------------------------------------------------------------------- the scanner
def test_the_scanner_catches_an_overclaim():
    """The checks can fail: a fall with an interval through 1 and a mixed-sign percent interval."""
    assert _overclaims("The rate fell by 62%: rate ratio 0.38 (95% CI 0.107 to 1.150).")
    assert _overclaims("Its trend rose by 2.2% per day (95% CI -0.77% to +5.2%).")
    assert not _overclaims("The rate fell by 66%: rate ratio 0.34 (95% CI 0.20 to 0.60).")
    assert not _overclaims("It fell by 94% (95% CI 83% to 98%; p < 0.001).")
    assert ISO.search("most likely on 2019-09-01") and ISO.search("(2019-08-31T06:00:00)")
    assert LEADING_ZERO.search("on 01 Sep 2019") and not LEADING_ZERO.search("on 1 Sep 2019")


# ------------------------------------------------------------------------ founding case
def test_founding_case_never_calls_an_unclear_change_a_fall_or_rise(founding):
    assert _overclaims(founding) == []


def test_founding_case_findings_lead_with_the_dependence_aware_interval(founding):
    attacks = _outcome_block(_section(founding, "Findings"), "Attacks")
    first = attacks.strip().splitlines()[0]
    # the calibrated interval includes no change (issue 12), so the lead names no direction
    assert first.startswith("No clear change in attacks")
    assert "fell" not in first and "rose" not in first
    lead = CI.search(first)
    assert lead is not None and (lead.group(1), lead.group(3)) == ("0.02", "5.98")
    assert "allowing for overdispersion and dependence between days" in first
    exact = first.index("0.28 to 0.42 if every day were an independent Poisson draw")
    assert exact > lead.start()


def test_founding_case_timing_agrees_between_bottom_line_and_when(founding):
    bottom, when = _section(founding, "Bottom line"), _section(founding, "When did the rate change")
    paragraphs = {
        label: next(p for p in bottom.split("\n\n") if p.strip().startswith(f"**{label}.**"))
        for label in ("Attacks", "Civilian deaths")
    }
    first = _outcome_block(when, "Attacks").strip().split("\n\n")[0]
    assert first.startswith("The change is dated"), first
    assert first in paragraphs["Attacks"]
    assert "matches the ceasefire (06:00 on 31 Aug 2019)" in first
    # the dependence-aware search finds no change in deaths: both sections say so
    deaths = _outcome_block(when, "Civilian deaths")
    assert "No change in the daily rate was detected" in deaths
    assert (
        "found no change in the window, so none near the ceasefire" in paragraphs["Civilian deaths"]
    )
    assert "outside that set" not in founding
    # the search's sets are not calibrated: never called 95% sets; only the simulation-calibrated
    # set of a single change's start (change_date_set) is, with its measured coverage
    calibrated = founding.count("simulation-calibrated 95% set")
    assert calibrated > 0
    assert founding.count("95% set") == calibrated + founding.count("nominal 95% set")


@pytest.mark.parametrize("pattern", [ISO, LEADING_ZERO, RAW_KEYS, DECIMAL_COUNT])
def test_founding_case_prose_has_no_iso_dates_raw_keys_or_decimal_counts(founding, pattern):
    hits = [ln for ln in _prose(founding) if pattern.search(ln)]
    assert hits == [], hits[:3]


def test_founding_case_change_points_read_in_words(founding):
    when = _section(founding, "When did the rate change")
    assert "most likely on 1 Sep 2019" in when
    # a large rise reads as a multiple, never as a percentage of four digits
    assert re.search(r"rose from [\d.]+ to [\d.]+ a day \(about \d+ times as high\)", when)
    assert not re.search(r"\+\d{4,}%", when)


# ------------------------------------------------------------------------------- ACLED
def test_acled_report_reads_right(acled):
    assert _overclaims(acled) == []
    for pattern in (ISO, RAW_KEYS, DECIMAL_COUNT):
        assert [ln for ln in _prose(acled) if pattern.search(ln)] == [], pattern
    findings = _section(acled, "Findings")
    # ACLED gives one death figure: no "low-high figures 203-203"
    assert not re.search(r"low-high figures (\d[\d,]*)-\1\b", findings)
    # the ACLED window's trend change has an interval through 1: said so, no direction
    assert re.search(
        r"the trend changed by [+-][\d.]+% per day \(" + re.escape(NO_CHANGE), findings
    )


# --------------------------------------------------------------------------- small counts
def test_small_counts_say_no_clear_change_and_never_bold_it(small):
    md, payload = small
    rr = payload["outcomes"]["killed"]["rate_ratio"]
    assert rr["ci_low"] < 1 < rr["ci_high"]  # the constructed case is what the test needs
    assert _overclaims(md) == []
    first = _section(md, "Findings").split("### ")[1].split("\n\n")[1]
    assert first.startswith("No clear change in people killed"), first
    assert NO_CHANGE in first and "**" not in first
    bottom = _section(md, "Bottom line")
    assert "fell by" not in bottom and "rose by" not in bottom
    assert [ln for ln in _prose(md) if ISO.search(ln) or DECIMAL_COUNT.search(ln)] == []


# ------------------------------------------------------------------ model-layer words
def test_a_huge_theta_reads_the_same_as_the_no_overdispersion_note():
    """ "theta 988,793" next to "(theta > 10,000)" read as one thing: above 10,000."""

    cost = get_cost("negbin")
    phrase = cost.model_phrase(988_793.0)
    assert "988" not in phrase and "above 10,000" in phrase
    assert "10,000" in " ".join(cost.notes(988_793.0))
    summary = get_family("negbin").fit_summary(988_793.0, 1.0)
    assert "988" not in summary and "above 10,000" in summary
    assert get_family("negbin").fit_summary(1.77, 1.0) == "theta = 1.77"
    # at the size's bound itself: not "theta = 1e+04"
    assert "1e+04" not in get_family("negbin").fit_summary(1e4, 1.0)
    assert "above 10,000" in get_family("negbin").fit_summary(1e4, 1.0)


def test_each_methods_measured_coverage_is_stated_once_under_caveats(founding, acled):
    from trends.models.spec import INFERENCE_METHODS, TWO_PHASE_METHODS

    for md in (founding, acled):
        stated = [
            m.coverage
            for m in (*INFERENCE_METHODS.values(), *TWO_PHASE_METHODS.values())
            if m.coverage and m.coverage in md
        ]
        assert stated, "no method's measured coverage is in the report"
        caveats = md.split("## Caveats", 1)[1].split("\n## ", 1)[0]
        for text in stated:
            assert md.count(text) == 1, text[:80]
            assert text in caveats, text[:80]
        choices = md.split("## Choices and why", 1)[1].split("\n## ", 1)[0]
        assert choices.count("the measured coverage is given under Caveats") >= 1


def test_the_question_asks_about_published_figures_only_when_claims_are_checked(founding, small):
    asked = "do the figures published at the time hold up against the data?"
    assert asked in founding.split("## Question", 1)[1].split("\n## ", 1)[0]
    question = small[0].split("## Question", 1)[1].split("\n## ", 1)[0]
    assert asked not in question and "when did the rate actually change?" in question


def test_a_window_ended_by_a_second_ceasefire_says_so(tmp_path):
    rng = np.random.default_rng(13)
    index = pd.date_range("2023-01-01", periods=220)
    frame = pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "killed": rng.poisson(3.0, 220)})
    frame.to_csv(tmp_path / "daily.csv", index=False)
    (tmp_path / "events.csv").write_text(
        "event_id,date,time_local,event,kind,source,url\n"
        "cf1,2023-05-01,,First ceasefire,ceasefire,Monitor,https://example.org/1\n"
        "cf2,2023-06-10,,Second ceasefire,ceasefire,Monitor,https://example.org/2\n",
        encoding="utf-8",
    )
    args = ["--data", str(tmp_path / "daily.csv"), "--format", "counts"]
    args += ["--events", str(tmp_path / "events.csv"), "--intervention", "cf1"]
    md = _report(args, tmp_path / "out")
    row = next(ln for ln in md.splitlines() if ln.startswith("| Window end (default)"))
    assert "not mixed with the regime that began with that event" in row
    assert "events that ended it" not in row


def test_the_attacks_robustness_note_does_not_deny_the_variants_under_it(founding):
    section = founding.split("## Robustness", 1)[1].split("\n## ", 1)[0]
    attacks = section.split("### Attacks", 1)[1].split("### ", 1)[0]
    assert "No robustness variant applies" not in attacks
    assert "do not apply to attacks" in attacks and "| Model variant |" in attacks


def test_a_period_too_short_to_judge_quotes_no_model_interval(tmp_path):
    """One day after the intervention: the exact interval leads and the comparison is said not
    to be a finding; the negative binomial interval (0.50 to 0.77 from one day, p < 0.0001) is
    not quoted beside it, in the bottom line, the findings or their detail."""
    counts = [5, 4, 3, 2, 4, 3, 2, 5, 3, 4, 2, 3, 4, 3, 2, 3, 4, 2, 3, 2]
    index = pd.date_range("2024-06-01", periods=len(counts))
    frame = pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "killed": counts})
    frame.to_csv(tmp_path / "daily.csv", index=False)
    args = ["--data", str(tmp_path / "daily.csv"), "--format", "counts"]
    md = _report([*args, "--intervention", "2024-06-20"], tmp_path / "out")
    assert "not a finding" in _section(md, "Bottom line")
    assert "allowing for overdispersion and dependence gives" not in md
    assert "from the negative binomial model" not in md
    assert "Negative binomial ratio: not quoted (the period after has 1 day" in md


# --------------------------------------------------------------------------- the sweep of synthetic inputs
def _counts_file(root: Path, name: str, index: pd.DatetimeIndex, values) -> Path:
    path = root / f"{name}.csv"
    frame = pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "deaths": np.asarray(values)})
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> dict[str, Path]:
    """Output folders of reports on constructed inputs (the sweep of issue words3):

    - ``monthly``: 19 monthly counts, the intervention mid-month (the two-phase comparison
      leaves that month out: 18 months; the interrupted time series fits all 19);
    - ``weekly``: daily counts from a Wednesday analysed per week (a partial first week);
    - ``empty``: no deaths after the intervention (only the exact interval; no ITS);
    - ``cautions``: 60 days of small counts whose ITS warns twice (small counts, and a
      projection too uncertain to bound the cumulative effect).
    """
    root = tmp_path_factory.mktemp("sweep")
    rng = np.random.default_rng(1)
    months = pd.date_range("2020-01-01", periods=19, freq="MS")
    days = pd.date_range("2021-03-03", "2021-09-15")
    zeros = pd.date_range("2021-01-01", "2021-07-31")
    short = pd.date_range("2024-01-01", periods=60)
    inputs = {
        "monthly": (
            _counts_file(root, "monthly", months, rng.poisson(np.r_[[120] * 9, [100] * 10])),
            ["--intervention", "2020-10-15"],
        ),
        "weekly": (
            _counts_file(root, "weekly", days, rng.poisson(np.where(days < "2021-06-10", 8, 5))),
            ["--intervention", "2021-06-10", "--freq", "W"],
        ),
        "empty": (
            _counts_file(root, "empty", zeros, rng.poisson(np.where(zeros < "2021-06-01", 3, 0))),
            ["--intervention", "2021-06-01"],
        ),
        "cautions": (
            _counts_file(
                root,
                "cautions",
                short,
                np.random.default_rng(8).poisson(np.r_[np.full(15, 1.0), np.full(45, 0.6)]),
            ),
            ["--intervention", "2024-01-16"],
        ),
    }
    out = {}
    for name, (path, args) in inputs.items():
        _report(["--data", str(path), "--format", "counts", *args], root / name)
        out[name] = root / name
    return out


def _md(folder: Path) -> str:
    return (folder / "report.md").read_text(encoding="utf-8")


#: A sentence that begins in lower case after a full stop ("approximate. the projected"), not
#: after an abbreviation ("e.g. a", "i.e. the", "vs. the") or a number's decimal point.
LOWER_START = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\betc)(?<!\bcf)(?<!\d)\. [a-z]")


def test_the_lower_case_scanner_catches_a_bad_join():
    assert LOWER_START.search("The intervals are approximate. the projected total")
    assert not LOWER_START.search("Other shapes, e.g. a wave, and 0.5. Then more")


def test_no_sentence_begins_in_lower_case_after_a_full_stop(sweep, founding, small):
    cautions = _md(sweep["cautions"])
    assert "Small counts" in cautions and "The projected counterfactual" in cautions
    for md in (founding, small[0], *(_md(f) for f in sweep.values())):
        bad = [m.group(0) for line in _prose(md) for m in LOWER_START.finditer(line)]
        assert bad == [], bad


def test_every_choice_states_its_reason(sweep, founding):
    for md in (founding, *(_md(f) for f in sweep.values())):
        rows = _section(md, "Choices and why").strip().splitlines()[2:]
        empty = [r for r in rows if not r.rstrip().rstrip("|").rsplit("|", 1)[-1].strip()]
        assert empty == [], empty


def test_caveats_quote_only_the_coverage_of_the_methods_used(sweep):
    from trends.models.spec import INFERENCE_METHODS, TWO_PHASE_METHODS

    md = _md(sweep["empty"])  # no ITS, no model ratio: only the exact interval
    caveats = _section(md, "Caveats")
    for m in (*INFERENCE_METHODS.values(), *TWO_PHASE_METHODS.values()):
        assert not m.coverage or m.coverage not in caveats, m.label
    assert "exact conditional Poisson interval" in caveats and "not measured" in caveats
    row = next(ln for ln in md.splitlines() if ln.startswith("| Inference"))
    assert "| none |" in row
    # the monthly exact interval leads (the model's is narrower): its coverage is not measured
    assert "leads for deaths: not measured" in _section(_md(sweep["monthly"]), "Caveats")


def test_one_rate_is_printed_one_way_in_a_report(sweep):
    md = _md(sweep["monthly"])
    payload = json.loads((sweep["monthly"] / "results.json").read_text(encoding="utf-8"))
    rate = payload["outcomes"]["deaths"]["rate_before"]
    shown = {f"{rate:,.0f}", f"{rate:,.1f}", f"{rate:,.2f}"}
    found = {s for s in shown if re.search(rf"\b{re.escape(s)} (a|per) month", md)}
    assert found == {f"{rate:,.1f}"}, found


def test_each_figure_of_the_bottom_line_states_its_own_base(sweep, founding):
    """19 months, the intervention mid-month: the two-phase comparison leaves that month out
    (9 + 9 months), the interrupted time series fits all 19 and sums its cumulative difference
    over the 10 from the intervention's month; each figure says its own base."""
    md = _md(sweep["monthly"])
    bottom = _section(md, "Bottom line")
    assert "in 9 months before" in bottom and "in 9 months after" in bottom
    assert "fitted to 19 months" in bottom and "on 18 months" in bottom
    assert "the two-phase change is clear" in bottom
    findings = _section(md, "Findings")
    assert "interrupted time series fitted to 19 months" in findings
    assert "recorded after it in the 10 months from 1 Oct 2020" in findings
    # where the bases agree (the founding case: 230 days both) nothing is added
    assert "fitted to" not in founding.split("## Caveats")[0]


def test_partial_edge_weeks_are_not_called_not_reported(sweep):
    md = _md(sweep["weekly"])
    when = _section(md, "When did the rate change")
    assert "not reported (NaN)" not in when
    assert "only partly inside the window" in when and "was reported but left out" in when


def test_the_files_section_lists_every_file_of_the_manifest(sweep, founding_report):
    for folder in (*sweep.values(), founding_report.out):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        written = {f["name"] for f in manifest["files"]} | {"manifest.json"}
        md = _md(folder)
        files = set(re.findall(r"^- `([^`]+)`", _section(md, "Files"), flags=re.M))
        figures = set(re.findall(r"^- `([^`]+)`", _section(md, "Figures"), flags=re.M))
        assert written - {"report.html"} == files | figures, folder.name


def test_an_incident_table_analysed_per_month_writes_its_months(tmp_path):
    """--freq M on incidents: the analysed months are written (series_monthly.csv) beside the
    days and weeks, and the Files section names them."""
    rng = np.random.default_rng(5)
    days = pd.date_range("2022-01-01", "2022-12-31", freq="D")
    picked = days[rng.random(len(days)) < 0.3]
    frame = pd.DataFrame(
        {
            "incident_id": [f"i{k}" for k in range(len(picked))],
            "date": picked.strftime("%Y-%m-%d"),
            "civilian_deaths_best": rng.poisson(2.0, len(picked)),
        }
    )
    frame.to_csv(tmp_path / "incidents.csv", index=False)
    out = tmp_path / "out"
    args = ["--data", str(tmp_path / "incidents.csv"), "--format", "incidents"]
    md = _report([*args, "--freq", "M", "--intervention", "2022-07-01"], out)
    months = pd.read_csv(out / "series_monthly.csv")
    assert len(months) == 12 and months["days_in_period"].sum() == 365
    assert "`series_monthly.csv`" in _section(md, "Files")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "series_monthly.csv" in {f["name"] for f in manifest["files"]}

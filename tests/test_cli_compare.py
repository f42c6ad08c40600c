"""`trends compare`: two published totals, on the command line and as a report folder."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from scipy import stats
from typer.testing import CliRunner

from trends.cli import app
from trends.report.totals import TOTALS_SCHEMA_FILE, totals_schema

runner = CliRunner()


def _exact_ratio(c1: int, t1: float, c0: int, t0: float) -> tuple[float, float, float]:
    """The conditional binomial ratio and its Clopper-Pearson limits, computed here."""
    n = c0 + c1
    p_lo = stats.beta.ppf(0.025, c1, n - c1 + 1)
    p_hi = stats.beta.ppf(0.975, c1 + 1, n - c1)
    to_ratio = lambda p: p / (1 - p) * t0 / t1  # noqa: E731
    return (c1 / t1) / (c0 / t0), to_ratio(p_lo), to_ratio(p_hi)


def test_compare_prints_the_exact_ratio_in_words():
    result = runner.invoke(app, ["compare", "213/31", "95/30", "--measure", "casualties"])
    assert result.exit_code == 0, result.output
    est, lo, hi = _exact_ratio(95, 30, 213, 31)
    assert f"{est:.3f}" == "0.461"  # not the 0.446 of the raw totals
    text = result.stdout
    assert "213 casualties in 31 days" in text and "95 casualties in 30 days" in text
    # the main report's ratio words (fmt_estimate / fmt_ratio): "0.46 (95% CI 0.36 to 0.59"
    assert f"rate ratio after/before {est:.2f} (95% CI {lo:.2f} to {hi:.2f}" in text
    assert "independent Poisson draw" in text


def test_compare_does_not_call_a_small_difference_a_fall():
    result = runner.invoke(app, ["compare", "13/30", "5/30", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    ratio = payload["rate_ratio"]
    est, lo, hi = _exact_ratio(5, 30, 13, 30)
    assert ratio["estimate"] == pytest.approx(est)
    assert (ratio["ci_low"], ratio["ci_high"]) == pytest.approx((lo, hi))
    assert ratio["ci_low"] < 1 < ratio["ci_high"] or payload["distinguishable"]
    text = runner.invoke(app, ["compare", "13/30", "5/30"]).stdout
    if not payload["distinguishable"]:
        assert "not distinguishable from no change" in text and "fell" not in text


@pytest.mark.parametrize(
    ("before", "after", "needle"),
    [
        ("213", "95/30", "cannot read '213'"),
        ("213/0", "95/30", "positive number of days"),
        ("1,21/31", "95/30", "thousands separators go every three digits"),
        ("213/31", "95/-30", "cannot read"),
    ],
)
def test_compare_refuses_bad_totals_in_one_line(before, after, needle):
    result = runner.invoke(app, ["compare", before, after])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_compare_writes_a_report_folder(tmp_path):
    out = tmp_path / "totals"
    result = runner.invoke(
        app,
        ["compare", "213/31", "95/30", "--measure", "casualties", "--out", str(out),
         "--source", "a <b>monitor</b>"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {"report.md", "report.html", "results.json", "manifest.json", "totals.png"}
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(totals_schema()).validate(payload)
    assert json.loads(TOTALS_SCHEMA_FILE.read_text(encoding="utf-8")) == totals_schema()
    assert payload["measure"] == "casualties" and payload["before"]["count"] == 213
    assert payload["rate_ratio"]["estimate"] == pytest.approx(95 / 30 / (213 / 31))
    b = payload["before"]
    assert b["rate_ci_low"] < b["rate"] < b["rate_ci_high"]
    assert (b["rate_ci_low"] * 31, b["rate_ci_high"] * 31) == pytest.approx(
        (stats.chi2.ppf(0.025, 2 * 213) / 2, stats.chi2.ppf(0.975, 2 * 214) / 2)
    )
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "0.46 " in md and "casualties per day" in md and "`totals.png`" in md
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "<b>monitor</b>" not in page
    assert not re.search(r"idlib|attacks|civilian deaths", md, re.I)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["name"] for f in manifest["files"]} == names - {"manifest.json"}


def test_compare_replaces_an_earlier_run_and_keeps_foreign_files(tmp_path):
    out = tmp_path / "totals"
    assert runner.invoke(app, ["compare", "10/7", "3/7", "--out", str(out)]).exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert runner.invoke(app, ["compare", "20/7", "9/7", "--out", str(out)]).exit_code == 0
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["before"]["count"] == 20
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".totals.")]


def test_compare_out_on_a_file_fails_before_writing(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["compare", "213/31", "95/30", "--out", str(target)])
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert target.read_text(encoding="utf-8") == "x"


# ------------------------------------------------- natural phrasings of a total (issue 12)
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from trends.errors import InputError  # noqa: E402
from trends.models.totals import MAX_TOTAL, compare_totals, parse_total  # noqa: E402


@pytest.mark.parametrize(
    ("text", "count", "days"),
    [
        ("213 in the 31 days before", 213, 31),
        ("95 in the 30 days after", 95, 30),
        ("120 in 30 days", 120, 30),
        ("95 in the 30 days", 95, 30),
        ("213 in 31 days before", 213, 31),
        ("213 over 31 days", 213, 31),
        ("95 over the 30 days after", 95, 30),
        ("95 in the 4 weeks after", 95, 28),
        ("95 in the week after", 95, 7),
        ("95 in two weeks", 95, 14),
        ("1,213 in the 31 days before", 1213, 31),
        ("1,213/31", 1213, 31),
        ("  213 / 31  ", 213, 31),
        ("213 In The 31 Days Before", 213, 31),
        ("213 killed in the 31 days before", 213, 31),
        ("213 civilians killed over the 31 days before", 213, 31),
        ("213 during the 31 days before the truce", 213, 31),
        ("12 in 7.5 days", 12, 7.5),
        ("213 in the 31 days prior", 213, 31),
        ("95 in the following 30 days", 95, 30),
        ("0 in 1 day", 0, 1),
    ],
)
def test_natural_phrasings_are_read(text, count, days):
    total = parse_total(text)
    assert (total.count, total.days) == (count, days)


def test_the_help_phrasing_works_on_the_command_line():
    result = runner.invoke(app, ["compare", "213 in the 31 days before", "95 in the 30 days after"])
    assert result.exit_code == 0, result.output
    assert "213 events in 31 days" in result.stdout and "95 events in 30 days" in result.stdout
    assert "ratio after/before 0.46 " in result.stdout


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("95 in the month after", "months have 28 to 31 days"),
        ("95 in 2 months", "months have 28 to 31 days"),
        ("95 in the year after", "give the number of days"),
        ("1,21/31", "thousands separators go every three digits"),
        ("1.213/31", "not a whole number"),
        ("213 in the days before", "how many days"),
        ("213", "cannot read '213'"),
        ("213 in 31 hours", "cannot read"),
        ("in 31 days", "cannot read"),
    ],
)
def test_unreadable_totals_say_why(text, needle):
    with pytest.raises(InputError, match=needle):
        parse_total(text)


def test_a_month_is_refused_in_one_line_on_the_command_line():
    result = runner.invoke(app, ["compare", "213 in the month before", "95 in the 30 days after"])
    assert result.exit_code == 2
    assert "months have 28 to 31 days" in result.stderr and "30 days" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_totals_given_in_the_wrong_order_are_refused():
    with pytest.raises(InputError, match="order"):
        compare_totals("95 in the 30 days after", "213 in the 31 days before")


_DAYS = st.integers(min_value=1, max_value=3650)


@st.composite
def _phrasings(draw):
    count = draw(st.integers(min_value=0, max_value=MAX_TOTAL))
    n = draw(_DAYS)
    number = f"{count:,}" if draw(st.booleans()) else str(count)
    unit, days = draw(st.sampled_from([("day", n), ("week", 7 * n)])) if n < 500 else ("day", n)
    unit_text = unit if n == 1 else unit + "s"
    prep = draw(st.sampled_from(["in", "over", "during", "In", "OVER"]))
    the = draw(st.sampled_from(["", "the "]))
    side = draw(st.sampled_from(["", " before", " after", " prior"]))
    space = draw(st.sampled_from([" ", "  "]))
    slash = draw(st.booleans()) and unit == "day"
    text = f"{number}/{n}" if slash else f"{number}{space}{prep} {the}{n} {unit_text}{side}"
    return text, count, days


@given(_phrasings())
def test_formatted_totals_parse_back(case):
    text, count, days = case
    total = parse_total(text)
    assert (total.count, total.days) == (count, days)


def test_a_date_after_the_period_is_allowed_but_not_a_second_total():
    assert parse_total("213 in the 31 days before 31 August").days == 31
    with pytest.raises(InputError, match="one count and one period"):
        parse_total("213 in 31 days and 95 in 30 days")


def test_a_bare_participle_as_the_measure_counts_people():
    """`--measure killed` reads "458 people killed", not "458 killed"."""
    result = runner.invoke(app, ["compare", "1161/120", "458/123", "--measure", "killed"])
    assert result.exit_code == 0, result.output
    assert "458 people killed" in result.output and "458 killed" not in result.output

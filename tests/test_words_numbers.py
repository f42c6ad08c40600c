"""Numbers in sentences: percentages that never round to 100% or 0%, large ratios, plurals."""

from __future__ import annotations

import pandas as pd
import pytest

from trends.models.totals import compare_totals
from trends.models.wording import fmt_pct
from trends.verdicts.words import change_sentence, fmt_percent, headline


@pytest.mark.parametrize(
    ("pct", "text"),
    [(99.6, "99.6%"), (99.96, "99.96%"), (100.0, "100%"), (0.004, "0.004%"), (0.0, "0.00%"),
     (61.2, "61%"), (-99.7, "-99.7%")],
)  # fmt: skip
def test_a_percentage_rounds_to_100_or_0_only_when_it_is(pct, text):
    assert fmt_percent(pct) == text
    assert fmt_pct(pct) == text


def test_a_fall_short_of_everything_is_not_100_percent():
    result = compare_totals("7/1", "3/100")
    assert "fell by 99.6%" in result.report()
    assert "100%" not in result.report()
    to_zero = compare_totals("7/1", "0/100").report()  # a fall to nothing: "to zero", no "%"
    assert "to zero (none in the 100 days after)" in to_zero and "fell by 100%" not in to_zero
    assert "fell by 99.6%" in change_sentence("attacks", 0.004, 0.001, 0.02)
    assert headline("attacks", 0.004, 0.001, 0.02) == "Attacks fell by 99.6%"


def test_a_huge_ratio_reads_as_a_multiple_with_thousands_separators(tmp_path):
    result = compare_totals("213/31", "1,000,000/1")
    text = result.report()
    assert "rose about 146,000-fold" in text
    assert "rate ratio after/before 145,540 (95% CI 127,252 to 167,250" in text
    assert "%" not in text.split("rose")[1].split(":")[0]
    assert headline("attacks", 14.55, 12.0, 17.0) == "Attacks rose 14.6-fold"
    assert "rose by 61%" in change_sentence("attacks", 1.61, 1.2, 2.0)


def test_the_report_window_prints_its_days_with_separators(tmp_path):
    from typer.testing import CliRunner

    from trends.cli import app

    months = pd.period_range("2020-01", "2022-12", freq="M")
    data = tmp_path / "monthly.csv"
    pd.DataFrame({"month": months.astype(str), "killed": [70 + i % 7 for i in range(36)]}).to_csv(
        data, index=False
    )
    out = tmp_path / "out"
    args = ["report", "--data", str(data), "--format", "counts", "--date-format", "%Y-%m"]
    result = CliRunner().invoke(app, args + ["--intervention", "2021-06-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 Jan 2020 to 31 Dec 2022 (1,096 days)" in (out / "report.md").read_text()


@pytest.mark.parametrize(
    ("before", "after", "cells"),
    [("0/30", "0/30", "| cannot be estimated | cannot be estimated |"),
     ("0/30", "12/30", "| unbounded | unbounded (at least 2.78; p = 0.0005) |")],
)  # fmt: skip
def test_the_totals_table_says_in_words_what_cannot_be_a_number(tmp_path, before, after, cells):
    from trends.report.totals import write_totals_report

    write_totals_report(compare_totals(before, after), tmp_path / "out")
    text = (tmp_path / "out" / "report.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| ratio after/before"))
    assert row.endswith(cells), row
    assert "nan" not in text and "inf" not in row


def test_one_of_a_thing_is_singular():
    from trends.errors import InputError
    from trends.models.rates import compare_rates
    from trends.verdicts.words import length_words

    assert length_words(1, "day") == "1 day" and length_words(46.06, "week") == "46.1 weeks"
    days = pd.date_range("2024-01-01", periods=20, freq="D")
    values = pd.Series([1, 2] * 10, index=days, dtype=object)
    values.iloc[3] = "n/a"
    with pytest.raises(InputError, match="holds 1 value that is not a number, the first"):
        compare_rates(values, ("2024-01-01", "2024-01-10"), ("2024-01-11", "2024-01-20"))


MALI = (  # killed, attacks a day from 1 Feb 2024 (the sweep's 60-day file)
    "2,1 6,0 2,0 1,0 2,0 4,2 2,1 4,4 0,1 4,3 3,0 0,0 3,1 2,1 1,2 1,0 2,0 2,1 1,0 4,2 1,1 4,1 "
    "1,0 1,0 2,0 3,0 3,1 4,0 2,3 3,1 5,2 2,1 2,1 1,1 1,2 0,0 1,1 2,0 3,0 2,0 1,2 3,1 3,0 3,2 "
    "3,4 3,0 1,1 1,1 4,2 1,2 4,2 3,2 1,1 2,2 2,1 2,2 4,0 3,2 4,0 1,4"
)


def test_a_cumulative_difference_of_one_is_one_attack(tmp_path):
    from typer.testing import CliRunner

    from trends.cli import app

    rows = [tuple(map(int, pair.split(","))) for pair in MALI.split()]
    days = pd.date_range("2024-02-01", periods=len(rows), freq="D")
    data = tmp_path / "mali.csv"
    pd.DataFrame(rows, index=days.strftime("%Y-%m-%d"), columns=["killed", "attacks"]).rename_axis(
        "date"
    ).to_csv(data)
    out = tmp_path / "out"
    args = ["report", "--data", str(data), "--format", "counts", "--intervention", "2024-03-25"]
    result = CliRunner().invoke(app, args + ["--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "report.md").read_text() + (out / "results.json").read_text()
    assert "1 more attacks" not in text and "+1 attacks" not in text, text
    assert "1 more attack was recorded" in text
    assert "cumulative difference +1 attack (95% prediction interval" in text
    assert "F reference with 2 and 2 degrees of freedom" in text  # not "2 and 2.0"
    assert "is explosive (largest" in text and "consider a fixed lag." in text


def test_load_series_takes_a_reading_option_as_the_messages_ask(tmp_path):
    import trends
    from trends.errors import InputError

    weeks = pd.date_range("2024-01-01", periods=12, freq="7D")
    data = tmp_path / "weekly.csv"
    pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "killed": range(12)}).to_csv(
        data, index=False
    )
    with pytest.raises(InputError, match="label='start'"):
        trends.load_series(data, format="counts")
    series = trends.load_series(data, format="counts", label="start")
    assert series.unit == "week" and series.counts.index[0] == weeks[0]
    with pytest.raises(InputError, match="given twice"):
        trends.load_series(data, format="counts", label="start", read_options={"label": "end"})


def test_out_inside_a_file_and_a_decimal_total_say_what_is_wrong(tmp_path):
    from typer.testing import CliRunner

    from trends.cli import app

    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    result = CliRunner().invoke(app, ["compare", "7/1", "3/100", "--out", str(afile / "sub")])
    assert result.exit_code == 2
    assert f"{afile} is a file, not a folder" in result.output
    assert "Errno" not in result.output
    result = CliRunner().invoke(app, ["compare", "1.089/31", "5/30"])
    assert result.exit_code == 2
    assert "write 1089 or 1,089" in result.output and "1213" not in result.output


def test_a_ratio_and_its_interval_print_alike():
    import warnings

    import numpy as np

    from trends.errors import ModelWarning
    from trends.models.families import get_family
    from trends.models.hac import newey_west
    from trends.report import fmt
    from trends.verdicts.words import fmt_estimate

    assert fmt_estimate(1.002, 0.91, 1.10) == "1.00"
    assert fmt_estimate(0.19, 0.035, 0.999) == "0.19"
    assert "ratio after/before 1.00 (95% CI 0.91 to 1.10)" in change_sentence(
        "attacks", 1.002, 0.91, 1.10
    )
    assert fmt.ratios(0.875, 0.818, 0.9368) == ("0.875", "0.818", "0.937")
    assert fmt.ratios(1.0019, 0.9927, 1.011) == ("1.0019", "0.9927", "1.0110")
    assert get_family("negbin").fit_summary(9999.7, 1.0) == "theta = 10,000"
    rng = np.random.default_rng(1)
    scores = np.zeros((60, 1))
    for t in range(1, 60):  # an explosive AR(1): the filter's eigenvalue is above 1
        scores[t] = 1.2 * scores[t - 1] + rng.normal()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        newey_west((scores, np.eye(1)), prewhite=True)
    texts = [str(w.message) for w in seen if issubclass(w.category, ModelWarning)]
    assert any("is explosive (largest |eigenvalue| 1.2" in t for t in texts), texts
    assert not any("close to a unit root" in t for t in texts), texts


def test_a_segment_total_of_whole_counts_is_an_integer():
    import numpy as np

    from trends.models.changepoint import detect_changepoints

    rng = np.random.default_rng(0)
    y = pd.Series(
        np.r_[rng.poisson(5, 80), rng.poisson(2, 80)],
        index=pd.date_range("2024-01-01", periods=160),
    )
    table = detect_changepoints(y).summary()
    assert str(table["total"].dtype) == "Int64"
    assert table["total"].sum() == y.sum()
    assert ".0" not in table[["total"]].to_string()


def test_a_p_value_just_under_005_is_not_printed_as_0050():
    from trends.verdicts.words import fmt_p

    assert fmt_p(0.0498) == "p = 0.0498"
    assert fmt_p(0.0502) == "p = 0.050"
    assert fmt_p(0.041) == "p = 0.041"


def test_the_claims_summary_list_adds_up_to_the_number_checked():
    import re

    from trends.datasets import load_idlib_2019
    from trends.models.claims import check_claims

    case = load_idlib_2019()
    first = (
        check_claims(case.claims, case.incidents, timeline=case.timeline).report().splitlines()[0]
    )
    said = int(first.split(" of ")[0])
    listed = first.split(": ", 1)[1].split(". ")[0]
    assert sum(int(n) for n in re.findall(r"(?:^|[,;] )(\d+) ", listed)) == said

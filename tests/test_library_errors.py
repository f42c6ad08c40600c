"""Library calls a notebook user gets wrong: a typed error with words, never a pandas KeyError,
an AttributeError or a date in 1970 (sweep E, ninth session of issue 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trends
from trends.errors import InputError, UnknownModelComponentError
from trends.models.rates import compare_rates

DAYS = pd.date_range("2022-01-01", "2022-12-31")


def _series(name: str = "civilian_deaths") -> pd.Series:
    return pd.Series(np.random.default_rng(7).poisson(4, len(DAYS)), index=DAYS, name=name)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda s: trends.analyse_ceasefire(s, 20220701), "cannot read 20220701 as the date"),
        (lambda s: trends.analyse_ceasefire(s, "2022-07-01", start=3), "window's start"),
        (lambda s: trends.analyse_ceasefire(s, "2022-07-01", start="2022-09-01",
                                            end="2022-03-01"), "starts (2022-09-01) after"),
        (lambda s: compare_rates(s, (1, 2), (3, 4)), "before window's start"),
        (lambda s: trends.compare_totals(213, 95), "not a bare number"),
        (lambda s: trends.CountSeries.from_frame(s.to_frame(), measures=["deaths"]),
         "not columns of the table"),
        (lambda s: trends.analyse_ceasefire(list(s), "2022-07-01"), "not a list"),
    ],
)  # fmt: skip
def test_a_wrong_argument_is_refused_in_words(call, words):
    with pytest.raises(InputError) as caught:
        call(_series())
    assert words in str(caught.value)
    assert "1970" not in str(caught.value) and "not not" not in str(caught.value)


def test_an_unknown_family_is_refused_before_any_work():
    with pytest.raises(UnknownModelComponentError, match="did you mean 'negbin'"):
        trends.analyse_ceasefire(_series(), "2022-07-01", family="negbinomial")
    with pytest.raises(UnknownModelComponentError):
        trends.analyse_ceasefire(_series(), "2022-07-01", changepoint_model="gauss")


def test_a_column_name_reads_as_words_in_every_result():
    rates = compare_rates(_series("killed"), ("2022-01-01", "2022-06-30"),
                          ("2022-07-01", "2022-12-31"))  # fmt: skip
    assert "people killed in 181 observed days" in rates.report()
    assert "killed in" not in rates.report().replace("people killed in", "")
    totals = trends.compare_totals("14/30", "9/30", measure="civilian_deaths")
    assert "14 civilian deaths in 30 days" in totals.report()


def test_an_outcome_the_data_have_no_figure_for_is_refused_not_zero():
    """Child deaths asked of a table with none (ACLED): a SchemaError, never a report of zeros."""
    from trends.analysis import analyse_ceasefire
    from trends.errors import SchemaError

    days = pd.date_range("2023-04-01", periods=60, freq="D")
    table = pd.DataFrame(
        {
            "date": days,
            "civilian_deaths_best": pd.array([1] * 60, dtype="Int64"),
            "child_deaths": pd.array([None] * 60, dtype="Int64"),
        }
    )
    with pytest.raises(SchemaError, match="no figure for child deaths.*attacks, civilian_deaths"):
        analyse_ceasefire(table, "2023-05-01", outcomes=["child_deaths"])
    with pytest.raises(SchemaError, match="no 'child_deaths' column"):
        analyse_ceasefire(
            table.drop(columns="child_deaths"), "2023-05-01", outcomes=["child_deaths"]
        )


def test_a_file_with_no_acceptable_row_is_refused_when_loaded_not_returned_empty(tmp_path):
    from trends.sources import load_series

    path = tmp_path / "bad.csv"
    path.write_text("date,killed\n2024-13-01,3\nfoo,2\n")
    with pytest.raises(InputError, match=r"bad.csv: no row could be accepted \(2 rejected; "
                       r"the first: column 'date'"):  # fmt: skip
        load_series(path, format="counts")


def test_an_empty_incident_table_or_series_is_refused_by_the_analysis():
    from trends.series import CountSeries

    empty = pd.DataFrame({"date": pd.to_datetime([]), "civilian_deaths_best": []})
    with pytest.raises(InputError, match="no row"):
        trends.analyse_ceasefire(empty, "2024-01-12")
    series = CountSeries.from_counts(pd.Series([], index=pd.DatetimeIndex([]), dtype=float))
    with pytest.raises(InputError, match="no periods"):
        trends.analyse_ceasefire(series, "2024-01-12")

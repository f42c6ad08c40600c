"""Command-line dates (--intervention, --start, --end and their --config keys) are never guessed.

ISO ``YYYY-MM-DD`` (with an optional time) is always read; a date written with the day and month
as numbers only in the order --dayfirst / --monthfirst gives, or that the value itself settles
(a field above 12); otherwise exit 2 saying to write YYYY-MM-DD or pass --dayfirst/--monthfirst.
One reading (:func:`trends.events.parse_date_text`) serves every date option.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from trends.cli import app
from trends.errors import EventError, InputError
from trends.events import ReferenceEvent, Timeline, parse_date_text, resolve_date
from trends.pipeline.plan import timestamp

runner = CliRunner()


@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    path = tmp_path_factory.mktemp("counts") / "counts_2018.csv"
    days = pd.date_range("2018-01-01", "2018-12-31")
    lines = [f"{d:%Y-%m-%d},{4 + i % 5}" for i, d in enumerate(days)]
    path.write_text("date,killed\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _report(tmp_path, counts, *options):
    args = ["report", "--data", str(counts), "-f", "counts", "--out", str(tmp_path / "out")]
    return runner.invoke(app, [*args, "-q", *options])


def _results(tmp_path):
    return json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "options, message",
    [
        (["--intervention", "03/02/2018"], "--intervention: '03/02/2018'"),
        (["--intervention", "10/06/2018"], "--intervention: '10/06/2018'"),
        (["--intervention", "2018-06-01", "--start", "03/02/2018"], "--start: '03/02/2018'"),
        (["--intervention", "2018-06-01", "--end", "12/11/2018"], "--end: '12/11/2018'"),
    ],
)
def test_an_unordered_day_month_date_is_refused(tmp_path, counts, options, message):
    result = _report(tmp_path, counts, *options)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "never guessed" in result.stderr
    assert "YYYY-MM-DD" in result.stderr and "--dayfirst or --monthfirst" in result.stderr


@pytest.mark.parametrize(
    "order, expected", [("--dayfirst", "2018-02-03"), ("--monthfirst", "2018-03-02")]
)
def test_dayfirst_and_monthfirst_are_respected(tmp_path, counts, order, expected):
    result = _report(tmp_path, counts, "--intervention", "03/02/2018", order)
    assert result.exit_code == 0, result.output
    assert _results(tmp_path)["intervention"]["date"] == expected


def test_the_window_is_read_day_first_when_asked(tmp_path, counts):
    result = _report(
        tmp_path, counts, "--intervention", "2018-06-01", "--start", "03/02/2018", "--end",
        "12/11/2018", "--dayfirst",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    window = _results(tmp_path)["window"]
    assert (window["start"], window["end"]) == ("2018-02-03", "2018-11-12")


def test_a_value_that_settles_its_order_is_read(tmp_path, counts):
    result = _report(tmp_path, counts, "--intervention", "13/02/2018")
    assert result.exit_code == 0, result.output
    assert _results(tmp_path)["intervention"]["date"] == "2018-02-13"


def test_the_config_file_follows_the_same_rule(tmp_path, counts):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(
        f'data = "{counts.as_posix()}"\nformat = "counts"\nintervention = "03/02/2018"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["report", "--config", str(cfg), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "never guessed" in result.stderr


def test_with_a_timeline_too():
    events = Timeline([ReferenceEvent("cf", "Ceasefire", "ceasefire", pd.Timestamp("2018-06-01"))])
    with pytest.raises(EventError, match="never guessed"):
        events.resolve("03/02/2018")
    assert events.resolve("03/02/2018", dayfirst=True) == pd.Timestamp("2018-02-03")
    assert events.resolve("cf") == pd.Timestamp("2018-06-01")


def test_parse_date_text_rules():
    assert parse_date_text("2018-02-03") == pd.Timestamp("2018-02-03")
    assert parse_date_text("2018-02-03 18:30") == pd.Timestamp("2018-02-03 18:30")
    assert parse_date_text("03.02.2018 18:30", dayfirst=False) == pd.Timestamp("2018-03-02 18:30")
    assert parse_date_text("2/13/2018") == pd.Timestamp("2018-02-13")
    assert parse_date_text("ceasefire_aug31") is None
    for bad, match in [
        ("03/02/2018", "never guessed"),
        ("03/02/18", "two-digit year"),
        ("2018-02-30", "not a real calendar date"),
    ]:
        with pytest.raises(EventError, match=match):
            parse_date_text(bad)
    with pytest.raises(EventError, match="not a real calendar date .*read day first"):
        parse_date_text("02/13/2018", dayfirst=True)
    assert resolve_date("03/02/2018", dayfirst=True) == pd.Timestamp("2018-02-03")


def test_the_python_api_does_not_guess_either():
    with pytest.raises(InputError, match="never guessed"):
        timestamp("10/06/2024", "intervention")
    assert timestamp("2024-06-10", "intervention") == pd.Timestamp("2024-06-10")


@settings(max_examples=80, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    sep=st.sampled_from("/.-"),
    dayfirst=st.one_of(st.none(), st.booleans()),
)
def test_a_numeric_date_is_read_in_the_order_given_or_settled_or_refused(day, sep, dayfirst):
    first, second = (day.day, day.month) if dayfirst in (True, None) else (day.month, day.day)
    text = f"{first:02d}{sep}{second:02d}{sep}{day.year}"
    if dayfirst is None and day.day <= 12:  # 03/02 or 05/05: the order is not settled
        with pytest.raises(EventError, match="never guessed"):
            parse_date_text(text)
        return
    assert parse_date_text(text, dayfirst) == pd.Timestamp(day)

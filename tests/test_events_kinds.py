"""Event kinds of a timeline's ``kind`` column: the end of a truce is never silently 'other'.

The default window ends before "a collapse" (README, trends.regimes): a ``kind`` written as
``collapse``, ``lapse``, ``expiry``... of a truce or ceasefire must be read as the end of a regime,
and a ``kind`` value that names no kind must stop the read with the file, row, column and value
rather than become ``other`` (which does not change the regime).
"""

from __future__ import annotations

import pandas as pd
import pytest

from trends.errors import EventFileError
from trends.events import KINDS, Timeline, kind_from_text
from trends.regimes import default_window

HEADER = "event_id,date,time_local,event,kind,source\n"


def _timeline(tmp_path, rows: str, name: str = "events.csv") -> Timeline:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return Timeline.from_csv(path)


def test_a_truce_collapse_written_collapse_ends_the_default_window(tmp_path):
    tl = _timeline(
        tmp_path,
        "esc,2022-01-15,,Escalation in Marib,offensive,UN\n"
        "truce,2022-04-02,19:00,UN-brokered nationwide truce in force,ceasefire,UN\n"
        "truce_lapse,2022-10-02,,Truce lapses without renewal,collapse,UN\n",
    )
    assert tl["truce_lapse"].kind == "escalation"
    assert tl["truce_lapse"].detail == "collapse"
    choice = default_window(tl, tl["truce"], "2022-01-01", "2022-12-31")
    assert choice.end_event is not None and choice.end_event.id == "truce_lapse"
    assert choice.end == pd.Timestamp("2022-10-01")
    assert not any("Truce lapses" in r and "not taken" in r for r in choice.reasons())


@pytest.mark.parametrize(
    "text",
    [
        "collapse",
        "Collapse",
        "collapsed",
        "breakdown",
        "lapse",
        "lapsed",
        "expiry",
        "expired",
        "expiration",
        "truce collapse",
        "truce lapse",
        "truce lapsed",
        "ceasefire expiry",
        "ceasefire expired",
        "ceasefire breaks down",
        "truce broke down",
        "end of truce",
        "expiry of the ceasefire",
        "lapse of the truce",
        "collapse of the ceasefire",
        "truce end",
    ],
)
def test_synonyms_of_the_end_of_a_truce_are_read_as_escalation(tmp_path, text):
    assert kind_from_text(text) == "escalation"
    tl = _timeline(tmp_path, f"e1,2022-10-02,,Something ends,{text},UN\n")
    assert tl["e1"].kind == "escalation"


def test_an_unknown_kind_is_refused_naming_file_row_column_value_and_the_kinds(tmp_path):
    with pytest.raises(EventFileError) as info:
        _timeline(
            tmp_path,
            "cf,2019-08-31,06:00,Ceasefire,ceasefire,A\nodd,2019-09-01,,Odd,Battle start,B\n",
            name="my_events.csv",
        )
    err = info.value
    assert err.row == 2 and err.column == "kind"
    text = str(err)
    assert "my_events.csv" in text and "'Battle start'" in text
    for kind in KINDS:
        assert kind in text
    assert "other" in text and "type" in text  # how to keep an event that changes nothing


def test_a_bare_end_is_refused_because_it_does_not_say_what_ended(tmp_path):
    with pytest.raises(EventFileError) as info:
        _timeline(tmp_path, "e1,2022-10-02,,Something ends,end,UN\n")
    assert info.value.column == "kind"
    assert "truce end" in str(info.value) and "offensive end" in str(info.value)


def test_every_problem_of_the_file_is_listed(tmp_path):
    with pytest.raises(EventFileError) as info:
        _timeline(tmp_path, "a,2022-10-02,,A,weird,UN\nb,2022-10-03,,B,stranger,UN\n")
    assert [(i.row, i.column, i.value) for i in info.value.issues] == [
        (1, "kind", "weird"),
        (2, "kind", "stranger"),
    ]


def test_free_text_in_a_type_column_stays_other_and_the_window_reason_quotes_it(tmp_path):
    path = tmp_path / "typed.csv"
    path.write_text(
        "event_id,date,event,type\n"
        "cf,2022-04-02,Ceasefire,ceasefire\n"
        "win,2022-05-01,Start of a count window,count window\n",
        encoding="utf-8",
    )
    tl = Timeline.from_csv(path)
    assert tl["win"].kind == "other"
    choice = default_window(tl, tl["cf"], "2022-01-01", "2022-12-31")
    [why] = [r for r in choice.reasons() if "count window" in r.lower()]
    assert "kind 'other'" in why and "'count window'" in why


def test_kinds_and_other_are_accepted_as_written(tmp_path):
    rows = "".join(f"e{i},2022-0{i + 1}-01,,E{i},{k.upper()},UN\n" for i, k in enumerate(KINDS))
    tl = _timeline(tmp_path, rows)
    assert [ev.kind for ev in tl] == list(KINDS)

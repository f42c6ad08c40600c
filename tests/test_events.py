"""Tests of trends.events: reference events, timelines, phases and claims."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from trends.errors import (
    DataQualityWarning,
    EventError,
    EventFileError,
    InputError,
    MissingColumnsError,
)
from trends.events import (
    KINDS,
    QUALIFIERS,
    Claim,
    Phase,
    ReferenceEvent,
    Timeline,
    claims_frame,
    kind_from_text,
    load_claims,
    normalise_qualifier,
    normalise_quantity,
    parse_time_of_day,
    resolve_date,
)

T = pd.Timestamp


@pytest.fixture(scope="module")
def events_dir(data_dir):
    return data_dir / "events"


@pytest.fixture(scope="module")
def small(events_dir):
    return Timeline.from_csv(events_dir / "timeline_small.csv")


# --------------------------------------------------------------------------------------------
# The founding case's reference events (read only, skipped when absent)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def idlib(shared_idlib_dir):
    path = shared_idlib_dir / "reference_events.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return Timeline.from_csv(path)


def test_idlib_reference_events_load_as_is(idlib):
    assert len(idlib) == 25
    days = [ev.start for ev in idlib]
    assert days == sorted(days)
    assert idlib.ids[0] == "sochi_mou" and idlib.ids[-1] == "joint_patrols"
    assert all(ev.kind in KINDS for ev in idlib)


def test_idlib_ceasefire_of_31_august(idlib):
    ev = idlib["ceasefire_aug31_effective"]
    assert ev.start == T("2019-08-31 06:00")
    assert ev.kind == "ceasefire" and ev.detail == "ceasefire"
    assert ev.day == T("2019-08-31")
    assert ev.first_full_day == T("2019-09-01")
    assert ev.has_time


def test_idlib_times_and_kinds(idlib):
    truce = idlib["truce_aug1_effective"]
    assert truce.start == T("2019-08-02") and not truce.has_time
    assert truce.time_note == "night of 1-2 Aug"
    assert truce.first_full_day == T("2019-08-02")
    moscow = idlib["ceasefire_jan9_russia"]
    assert moscow.start == T("2020-01-09 14:00") and moscow.time_note == "Moscow time"
    assert idlib["ceasefire_jan12"].first_full_day == T("2020-01-13")  # 00:01 is not a whole day
    assert idlib["escalation_start_air"].kind == "offensive"
    assert idlib["truce_aug1_announced"].kind == "truce"
    assert idlib["truce_aug5_end"].kind == "escalation"
    assert idlib["first_strikes_after_truce"].kind == "escalation"
    assert idlib["ohchr_window_start"].kind == "other"
    assert idlib["khan_shaykhun"].kind == "other"
    assert idlib["dmz_deadline"].kind == "agreement"
    assert idlib["ceasefire_aug31_announced"].detail == "ceasefire announcement"


def test_idlib_phases(idlib):
    bounds = ["offensive_launch", "ceasefire_aug31_effective", "dec_escalation_air"]
    offensive, after = idlib.phases(bounds, names=["offensive", "after ceasefire"])
    assert (offensive.name, offensive.start, offensive.end) == (
        "offensive",
        T("2019-04-30"),
        T("2019-08-30"),
    )
    assert (after.name, after.start, after.end) == (
        "after ceasefire",
        T("2019-08-31"),
        T("2019-12-15"),
    )
    assert offensive.end_event is after.start_event
    full = idlib.phases(bounds, boundary="first_full_day")
    assert full[0].end == T("2019-08-31") and full[1].start == T("2019-09-01")
    assert [p.name for p in full] == ["after offensive_launch", "after ceasefire_aug31_effective"]


# --------------------------------------------------------------------------------------------
# Timeline from a small file
# --------------------------------------------------------------------------------------------


def test_small_timeline_is_in_date_order(small):
    assert len(small) == 12
    assert small.ids[:3] == ["talks_deal", "un_window", "launch"]
    assert small.ids[-2:] == ["cf_moscow", "cf_midnight"]  # file order was the reverse
    assert [ev.start for ev in small] == sorted(ev.start for ev in small)


@pytest.mark.parametrize(
    "event_id, kind, start, first_full_day, time_note",
    [
        ("launch", "offensive", "2019-04-30", "2019-04-30", None),
        ("talks_deal", "agreement", "2019-03-01", "2019-03-01", None),
        ("truce_on", "truce", "2019-08-02", "2019-08-02", "night of 1-2 Aug"),
        ("truce_off", "escalation", "2019-08-05", "2019-08-05", None),
        ("cf_announced", "ceasefire", "2019-08-30", "2019-08-30", None),
        ("cf_effective", "ceasefire", "2019-08-31 06:00", "2019-09-01", None),
        ("first_strikes", "escalation", "2019-09-10 18:00", "2019-09-11", None),
        ("cf_midnight", "ceasefire", "2020-01-12 00:01", "2020-01-13", None),
        ("cf_moscow", "ceasefire", "2020-01-09 14:00", "2020-01-10", "Moscow time"),
        ("un_window", "other", "2019-04-29", "2019-04-29", None),
        ("town_taken", "other", "2019-08-20", "2019-08-20", "late afternoon"),  # free text: a note
    ],
)
def test_small_timeline_events(small, event_id, kind, start, first_full_day, time_note):
    ev = small[event_id]
    assert ev.kind == kind
    assert ev.start == T(start)
    assert ev.first_full_day == T(first_full_day)
    assert ev.time_note == time_note


def test_event_fields(small):
    ev = small["talks_deal"]
    assert ev.end == T("2019-03-02")
    assert ev.name == "Two-day talks end with a memorandum"
    assert ev.detail == "agreement milestone"
    assert ev.source == "Agency B" and ev.url == "https://example.org/b"
    assert small["truce_off"].description == "operations resumed"
    assert json.loads(json.dumps(small["cf_effective"].to_dict()))["first_full_day"] == "2019-09-01"
    assert "cf_effective" in repr(small["cf_effective"])


def test_access(small):
    assert "launch" in small and "nope" not in small
    assert small.get("nope") is None
    with pytest.raises(EventError, match="did you mean 'cf_effective'"):
        small["cf_efective"]


def test_between_and_of_kind(small):
    assert small.between("2019-08-01", "2019-08-31").ids == [
        "truce_on",
        "truce_off",
        "town_taken",
        "cf_announced",
        "cf_effective",
    ]
    assert small.between("cf_effective", None).ids[0] == "cf_effective"
    assert small.between(None, "2019-04-29").ids == ["talks_deal", "un_window"]
    assert small.of_kind("ceasefire").ids == [
        "cf_announced",
        "cf_effective",
        "cf_moscow",
        "cf_midnight",
    ]
    assert small.of_kind("truce", "offensive").ids == ["launch", "truce_on"]
    with pytest.raises(EventError, match="unknown event kind"):
        small.of_kind("battle")


def test_to_frame(small):
    frame = small.to_frame()
    assert list(frame["id"]) == small.ids
    for col in ("start", "day", "first_full_day", "end"):
        assert frame[col].dtype == "datetime64[ns]"
    row = frame.set_index("id").loc["cf_effective"]
    assert row["start"] == T("2019-08-31 06:00") and row["first_full_day"] == T("2019-09-01")
    assert pd.isna(row["end"])


def test_aliases_and_time_in_date(events_dir):
    tl = Timeline.from_csv(events_dir / "timeline_aliases.csv")
    assert tl.ids == ["a_start", "b_truce"]
    assert tl["b_truce"].start == T("2019-02-01 18:30")
    assert tl["b_truce"].first_full_day == T("2019-02-02")
    assert tl["a_start"].kind == "offensive"


def test_from_frame():
    frame = pd.DataFrame(
        {"event_id": ["x1", "x2"], "date": ["2019-05-18", "2019-06-12"], "type": ["truce", ""]}
    )
    tl = Timeline.from_frame(frame)
    assert tl["x2"].kind == "other" and tl["x1"].name == "x1"


# --------------------------------------------------------------------------------------------
# Bad timeline files
# --------------------------------------------------------------------------------------------


def test_missing_columns(events_dir):
    with pytest.raises(MissingColumnsError) as info:
        Timeline.from_csv(events_dir / "timeline_missing_columns.csv")
    assert info.value.missing == ["event_id", "date"]
    assert "eventid" in info.value.suggestions["event_id"]
    assert "accepted names" in str(info.value)


def test_bad_dates(events_dir):
    with pytest.raises(EventFileError) as info:
        Timeline.from_csv(events_dir / "timeline_bad_dates.csv")
    err = info.value
    assert isinstance(err, InputError) and isinstance(err, EventError)
    assert err.path.endswith("timeline_bad_dates.csv")
    assert (err.row, err.column) == (2, "date")
    assert "calendar date" in err.message
    assert [(i.row, i.column) for i in err.issues] == [(2, "date"), (3, "date")]
    assert err.issues[1].value == "mid-August 2019"


def test_duplicate_ids(events_dir):
    with pytest.raises(EventFileError) as info:
        Timeline.from_csv(events_dir / "timeline_duplicate_ids.csv")
    assert (info.value.row, info.value.column) == (3, "event_id")
    assert "duplicate event id 'cf' (first on row 1)" in str(info.value)
    ev = ReferenceEvent("cf", "Ceasefire", "ceasefire", T("2019-08-31"))
    with pytest.raises(EventError, match="duplicate event id"):
        Timeline([ev, ev])


def test_end_before_start(events_dir):
    with pytest.raises(EventFileError) as info:
        Timeline.from_csv(events_dir / "timeline_end_before_start.csv")
    assert (info.value.row, info.value.column) == (1, "end")


def test_reference_event_validation():
    ev = ReferenceEvent("e1", "Truce", "truce (conditional)", "2019-08-02")
    assert ev.kind == "truce" and ev.detail == "truce (conditional)"
    assert ev.start == T("2019-08-02")
    with pytest.raises(EventError, match="not valid"):
        ReferenceEvent("has space", "x", "other", T("2019-01-01"))
    with pytest.raises(EventError, match="not an ISO date"):
        ReferenceEvent("e2", "x", "other", "last week")
    with pytest.raises(EventError, match="ends"):
        ReferenceEvent("e3", "x", "truce", T("2019-08-02"), end=T("2019-08-01"))
    # A date-only end on the day of a start with a time is that day, not before it.
    same_day = ReferenceEvent("e4", "x", "truce", T("2019-08-02 18:00"), end=T("2019-08-02"))
    assert same_day.end == T("2019-08-02")


# --------------------------------------------------------------------------------------------
# Phases and resolve
# --------------------------------------------------------------------------------------------


def test_phases_with_start_and_end(small):
    phases = small.phases(["launch", "cf_effective"], start="2019-01-01", end="2019-12-31")
    assert [p.name for p in phases] == ["before launch", "after launch", "after cf_effective"]
    assert [(p.start, p.end) for p in phases] == [
        (T("2019-01-01"), T("2019-04-29")),
        (T("2019-04-30"), T("2019-08-30")),
        (T("2019-08-31"), T("2019-12-31")),
    ]
    assert phases[0].start_event is None and phases[0].end_event.id == "launch"
    assert phases[-1].end_event is None
    # Consecutive phases tile the days without overlap.
    total = sum(p.days for p in phases)
    assert total == (T("2019-12-31") - T("2019-01-01")).days + 1
    assert phases[1].contains("2019-08-30 23:00") and not phases[1].contains("2019-08-31")
    assert len(phases[1].dates) == phases[1].days
    assert phases[1].to_dict()["start_event"] == "launch"
    assert "after launch" in repr(phases[1])


def test_phase_single_event_with_end(small):
    (phase,) = small.phases("cf_effective", end="first_strikes")
    assert isinstance(phase, Phase)
    assert (phase.start, phase.end) == (T("2019-08-31"), T("2019-09-10"))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"events": ["cf_effective", "launch"]}, "date order"),
        ({"events": ["cf_announced", "cf_announced"]}, "date order"),
        ({"events": ["launch"]}, "no phase"),
        ({"events": []}, "at least one"),
        ({"events": ["launch", "cf_effective"], "names": ["only one", "two", "three"]}, "name"),
        ({"events": ["launch", "cf_effective"], "start": "2019-05-01"}, "not before"),
        ({"events": ["launch", "cf_effective"], "end": "2019-08-01"}, "before the last"),
        ({"events": ["launch", "nope"]}, "unknown event id"),
        ({"events": ["launch", "cf_effective"], "boundary": "noon"}, "boundary"),
    ],
)
def test_phase_errors(small, kwargs, match):
    with pytest.raises(EventError, match=match):
        small.phases(**kwargs)


def test_same_day_boundary_depends_on_convention(small):
    # cf_effective (06:00) then an event on its first full day: fine by day, empty otherwise.
    extra = ReferenceEvent("next_day", "Next day", "other", T("2019-09-01"))
    tl = Timeline([*small, extra])
    assert len(tl.phases(["cf_effective", "next_day"])) == 1
    with pytest.raises(EventError, match="date order"):
        tl.phases(["cf_effective", "next_day"], boundary="first_full_day")


def test_resolve(small):
    assert small.resolve("cf_effective") == T("2019-08-31")
    assert small.resolve("cf_effective", which="start") == T("2019-08-31 06:00")
    assert small.resolve("cf_effective", which="first_full_day") == T("2019-09-01")
    assert small.resolve("2019-08-31") == T("2019-08-31")
    assert small.resolve("2019-08-31 06:00", which="start") == T("2019-08-31 06:00")
    assert small.resolve(T("2019-08-31 06:00")) == T("2019-08-31")
    assert small.resolve(dt.date(2019, 8, 31)) == T("2019-08-31")
    assert small.resolve(small["launch"]) == T("2019-04-30")
    with pytest.raises(EventError, match="did you mean"):
        small.resolve("cf_effectiv")
    with pytest.raises(EventError, match="neither"):
        small.resolve("end of August 2019")
    with pytest.raises(EventError, match="no timeline"):
        resolve_date("cf_effective")
    with pytest.raises(EventError, match="which"):
        small.resolve("launch", which="noon")


# --------------------------------------------------------------------------------------------
# Free-text helpers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind",
    [
        ("offensive start (air)", "offensive"),
        ("offensive start", "offensive"),
        ("ceasefire announcement", "ceasefire"),
        ("Cease-fire", "ceasefire"),
        ("truce (conditional)", "truce"),
        ("truce end", "escalation"),
        ("end of the ceasefire", "escalation"),
        ("ceasefire violation", "escalation"),
        ("escalation (ground)", "escalation"),
        ("agreement milestone", "agreement"),
        ("memorandum", "agreement"),
        ("count window", "other"),
        ("military", "other"),
        ("political/military", "other"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_kind_from_text(text, kind):
    assert kind_from_text(text) == kind


@pytest.mark.parametrize(
    "text, time, note",
    [
        ("06:00", dt.time(6, 0), None),
        ("00:01", dt.time(0, 1), None),
        ("14:00 Moscow time", dt.time(14, 0), "Moscow time"),
        ("6 am", dt.time(6, 0), None),
        ("6 pm (local)", dt.time(18, 0), "(local)"),
        ("12 am", dt.time(0, 0), None),
        ("14h30", dt.time(14, 30), None),
        ("night of 1-2 Aug", None, "night of 1-2 Aug"),
        ("25:00", None, "25:00"),
        ("6", None, "6"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_time_of_day(text, time, note):
    assert parse_time_of_day(text) == (time, note)


@pytest.mark.parametrize(
    "text, qualifier",
    [
        ("at least", "at_least"),
        ("more than", "more_than"),
        ("over", "more_than"),
        ("around", "around"),
        ("about", "around"),
        ("some", "around"),
        ("estimated", "around"),
        ("almost", "almost"),
        ("nearly", "almost"),
        ("fewer than", "fewer_than"),
        ("under", "fewer_than"),
        ("exactly (documented)", "exactly"),
        ("(reported)", "exactly"),
        ("(names registered)", "exactly"),
        ("", "exactly"),
        (None, "exactly"),
        ("At  Least", "at_least"),
        ("up to", "at_most"),
        ("at_most", "at_most"),
    ],
)
def test_normalise_qualifier(text, qualifier):
    assert normalise_qualifier(text) == qualifier
    assert qualifier in QUALIFIERS


def test_unknown_qualifier():
    with pytest.raises(EventError, match="unknown qualifier 'give or take'"):
        normalise_qualifier("give or take")


@pytest.mark.parametrize(
    "text, quantity",
    [
        ("civilian deaths", "civilian_deaths"),
        ("civilian deaths (regime and Russian strikes)", "civilian_deaths"),
        ("child deaths", "child_deaths"),
        ("children killed", "child_deaths"),
        ("child casualties (killed or injured)", "other"),
        ("displaced", "displaced"),
        ("people injured", "injured"),
        ("attacks on civilian infrastructure", "attacks"),
        ("deaths (all, incl. combatants)", "other"),
        ("deaths (people, reportedly civilians incl. 2 women, 3 children)", "other"),
        ("civilian_deaths", "civilian_deaths"),
        ("schools damaged", "other"),
    ],
)
def test_normalise_quantity(text, quantity):
    assert normalise_quantity(text) == quantity


# --------------------------------------------------------------------------------------------
# Claims
# --------------------------------------------------------------------------------------------


def test_load_claims(events_dir, small):
    claims = load_claims(events_dir / "claims_small.csv", small, thousands=",")
    assert len(claims) == 14 and all(isinstance(c, Claim) for c in claims)
    by_id = {c.id: c for c in claims}
    un = by_id["un_offensive"]
    assert un.value == 1089 and isinstance(un.value, int)
    assert un.qualifier == "exactly" and un.qualifier_raw == "exactly (recorded)"
    assert (un.window_start, un.window_end, un.as_of) == (
        T("2019-04-29"),
        T("2019-08-29"),
        T("2019-09-04"),
    )
    assert un.window_days == 123 and un.row == 1
    since = by_id["mon_since_cf"]
    assert since.window_start == T("2019-08-31") and since.window_start_event == "cf_effective"
    assert since.qualifier == "more_than" and since.quantity == "civilian_deaths"
    almost = by_id["mon_almost"]
    assert almost.qualifier == "almost"
    assert almost.window_end == T("2020-01-12") and almost.window_end_event == "cf_midnight"
    assert by_id["mon_children"].quantity == "child_deaths"
    assert by_id["mon_over"].quantity_raw == "civilian deaths (regime and Russian strikes)"
    assert by_id["mon_all"].quantity == "other"
    assert by_id["mon_bare"].qualifier == "exactly"
    assert by_id["mon_blank"].qualifier == "exactly" and by_id["mon_blank"].qualifier_raw is None
    assert by_id["ocha_displaced"].qualifier == "around"
    assert json.loads(json.dumps(since.to_dict()))["window_start_event"] == "cf_effective"


def test_claims_first_full_day_boundary(events_dir, small):
    claims = load_claims(
        events_dir / "claims_small.csv", small, boundary="first_full_day", thousands=","
    )
    since = next(c for c in claims if c.id == "mon_since_cf")
    assert since.window_start == T("2019-09-01")
    # window_end events always mean the event's day
    almost = next(c for c in claims if c.id == "mon_almost")
    assert almost.window_end == T("2020-01-12")


def test_claims_frame(events_dir, small):
    frame = claims_frame(events_dir / "claims_small.csv", small, thousands=",")
    assert len(frame) == 14
    assert frame["value"].dtype == "float64"
    for col in ("as_of", "window_start", "window_end"):
        assert frame[col].dtype == "datetime64[ns]"
    assert set(frame["qualifier"]) <= set(QUALIFIERS)
    again = claims_frame(load_claims(events_dir / "claims_small.csv", small, thousands=","))
    pd.testing.assert_frame_equal(frame, again)


def test_claims_event_ids_need_a_timeline(events_dir):
    with pytest.raises(EventFileError) as info:
        load_claims(events_dir / "claims_small.csv", thousands=",")
    assert (info.value.row, info.value.column) == (2, "window_start")
    assert "no timeline" in str(info.value)


def test_claims_vague_dates(events_dir, small):
    with pytest.raises(EventFileError) as info:
        load_claims(events_dir / "claims_vague_dates.csv", small)
    err = info.value
    assert (err.row, err.column) == (1, "window_start")
    assert "end of April 2019" in str(err)
    assert [(i.row, i.column) for i in err.issues] == [
        (1, "window_start"),
        (2, "as_of"),
        (2, "window_end"),
    ]


def test_claims_unknown_event(events_dir, small):
    with pytest.raises(EventFileError) as info:
        load_claims(events_dir / "claims_unknown_event.csv", small)
    assert (info.value.row, info.value.column) == (1, "window_start")
    assert "did you mean 'cf_effective'" in str(info.value)


def test_claims_unknown_qualifier(events_dir):
    with pytest.raises(EventFileError) as info:
        load_claims(events_dir / "claims_unknown_qualifier.csv")
    assert (info.value.row, info.value.column) == (1, "qualifier")
    assert "give or take" in str(info.value)


def test_claims_bad_values(events_dir):
    with pytest.raises(EventFileError) as info:
        load_claims(events_dir / "claims_bad_values.csv")
    found = {(i.row, i.column) for i in info.value.issues}
    assert found == {(1, "value"), (2, "window_end"), (3, "value"), (4, "id")}
    reasons = {i.row: i.reason for i in info.value.issues}
    assert "not a number" in reasons[1]
    assert "before window_start" in reasons[2]
    assert "negative" in reasons[3]
    assert "duplicate claim id 'c1'" in reasons[4]


def test_claims_missing_columns(events_dir):
    with pytest.raises(MissingColumnsError) as info:
        load_claims(events_dir / "claims_missing_columns.csv")
    assert info.value.missing == ["window_start", "value"]


def test_claims_published_before_window_end_warns(events_dir):
    with pytest.warns(
        DataQualityWarning, match=r"1 claim was published \(as_of\) before its window ends"
    ):
        claims = load_claims(events_dir / "claims_late_as_of.csv")
    assert claims[0].id == "claim_1"


def test_claim_validation():
    claim = Claim(
        id="c",
        as_of="2019-12-07",
        window_start=T("2019-08-31"),
        window_end=T("2019-12-07"),
        quantity="civilian deaths",
        value=200.0,
        qualifier="more than",
    )
    assert claim.quantity == "civilian_deaths" and claim.quantity_raw == "civilian deaths"
    assert claim.qualifier == "more_than" and claim.value == 200
    common = {"id": "c", "as_of": T("2019-12-07"), "quantity": "civilian_deaths"}
    with pytest.raises(EventError, match="before window_start"):
        Claim(**common, window_start=T("2019-12-07"), window_end=T("2019-08-31"), value=1)
    with pytest.raises(EventError, match=">= 0"):
        Claim(**common, window_start=T("2019-08-31"), window_end=T("2019-12-07"), value=-1)
    with pytest.raises(EventError, match="number"):
        Claim(**common, window_start=T("2019-08-31"), window_end=T("2019-12-07"), value="many")


# --------------------------------------------------------------------------------------------
# Tables with both a normalised column and its raw text
# --------------------------------------------------------------------------------------------


def test_kind_column_wins_over_type_text(events_dir):
    # A kind column holding words that name no kind is refused, never read as 'other' (which
    # does not change the regime): see tests/test_events_kinds.py.
    with pytest.raises(EventFileError) as info:
        Timeline.from_csv(events_dir / "timeline_kind_column.csv")
    assert (info.value.row, info.value.column) == (3, "kind") and "Battle start" in str(info.value)
    frame = pd.read_csv(events_dir / "timeline_kind_column.csv", dtype=str).iloc[:2]
    tl = Timeline.from_frame(frame)
    assert tl["t_end"].kind == "other" and tl["t_end"].detail == "truce end"
    assert tl["cf"].kind == "ceasefire" and tl["cf"].first_full_day == T("2019-09-01")
    # A kind column holding words that name a kind is mapped like a type.
    tl = Timeline.from_frame(frame.assign(kind=["other", "Ceasefire in force"]))
    assert tl["cf"].kind == "ceasefire" and tl["cf"].detail == "ceasefire"


def test_claims_with_text_columns_and_missing_dates(events_dir, small):
    with pytest.raises(EventFileError) as info:
        load_claims(events_dir / "claims_text_columns.csv", small, thousands=",")
    assert {(i.row, i.column) for i in info.value.issues} == {(2, "as_of"), (2, "window_end")}
    assert "missing_dates='keep'" in str(info.value)

    claims = load_claims(
        events_dir / "claims_text_columns.csv", small, missing_dates="keep", thousands=","
    )
    k1, k2, k3 = claims
    assert k1.id == "K1" and k1.value == 1031
    assert k1.quantity == "civilian_deaths"
    assert k1.quantity_raw == "civilian deaths (government and allies)"
    assert k1.qualifier == "at_least" and k1.qualifier_raw == "at least"
    assert k1.extra == {"region_scope": "north-west"}
    assert k1.checkable and k1.window_days == 123
    assert k2.as_of is None and k2.window_end is None and not k2.checkable
    assert k2.window_days is None
    assert k2.qualifier == "more_than"  # empty qualifier column: the text is used
    assert k2.to_dict()["window_end"] is None
    assert k3.quantity == "civilian_deaths" and k3.qualifier == "more_than"
    assert k3.window_start_event == "cf_effective"

    frame = claims_frame(claims)
    assert list(frame["checkable"]) == [True, False, True]
    assert frame["window_days"].dtype == "Int64" and pd.isna(frame["window_days"].iloc[1])
    assert pd.isna(frame.loc[1, "window_end"])
    assert list(frame["region_scope"]) == ["north-west"] * 3
    assert frame.columns[-1] == "region_scope"


def test_a_bad_claim_value_names_its_line_as_well_as_its_row(tmp_path):
    """Row 2 of the data sits on line 4 when a blank line precedes it: the error says both."""
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,as_of,window_start,window_end,quantity,value,qualifier\n"
        "c1,2023-08-31,2023-05-01,2023-08-31,civilian deaths,10,more than\n"
        "\n"
        "c2,2023-08-31,2023-05-01,2023-08-31,civilian deaths,lots,more than\n",
        encoding="utf-8",
    )
    with pytest.raises(EventFileError) as caught:
        load_claims(path)
    err = caught.value
    assert (err.row, err.line, err.column) == (2, 4, "value")
    assert "claims.csv, row 2 (line 4), column 'value'" in str(err)


@pytest.mark.parametrize(
    "text, refused",
    [
        ("25:99", True),
        ("2145", True),
        ("13 pm", True),
        ("midnight", True),
        ("06:00", False),
        ("noon", False),
        ("night of 1-2 Aug", False),
        ("", False),
    ],
)
def test_a_time_that_is_not_one_is_refused_not_dropped(tmp_path, text, refused):
    """Sweep F: time_local 25:99 was dropped without a word (the event read as date-only)."""
    from trends.errors import EventFileError
    from trends.events import time_of_day_problem

    assert (time_of_day_problem(text) is not None) == refused
    path = tmp_path / "events.csv"
    path.write_text(f"id,name,kind,start,time_local\ntruce,Truce,ceasefire,2023-05-22,{text}\n")
    if refused:
        with pytest.raises(EventFileError) as err:
            Timeline.from_csv(path)
        assert err.value.column == "time_local" and err.value.row == 1
    else:
        Timeline.from_csv(path)


def test_noon_is_twelve():
    assert parse_time_of_day("noon (local)") == (dt.time(12, 0), "(local)")

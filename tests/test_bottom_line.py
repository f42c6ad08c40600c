"""The bottom line: each confidence grade on constructed evidence, the words rules, the founding case."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trends.verdicts import (
    NO_CHANGE,
    Estimate,
    Evidence,
    Variant,
    bottom_line,
    bottom_lines_from_analysis,
    change_sentence,
    classify_change,
    headline,
    headline_interval,
    timing_of_change,
)
from trends.verdicts.bottom_line import GRADES, SMALL_COUNT
from trends.verdicts.words import (
    DIRECTION_WORDS,
    fmt_count,
    measure_words,
    placebo_phrase,
    plural,
)

CEASEFIRE = pd.Timestamp("2019-08-31 06:00")


def _strong(**changes) -> Evidence:
    """A clear fall that every check backs."""
    ev = Evidence(
        outcome="civilian_deaths",
        measure="civilian deaths",
        count_before=894,
        count_after=203,
        periods_before=123,
        periods_after=107,
        exact=Estimate(0.261, 0.223, 0.304, 1e-80),
        model=Estimate(0.261, 0.137, 0.496, 4e-5),
        level_change=Estimate(0.029, 0.009, 0.098),
        slope_change=Estimate(1.0, 0.99, 1.01),
        cumulative=Estimate(-752, -1809, -260),
        event_name="Russian-announced ceasefire in force",
        event_word="the ceasefire",
        event_time=CEASEFIRE,
        change_searched=True,
        change_date=pd.Timestamp("2019-09-01"),
        change_set_low=pd.Timestamp("2019-08-30"),
        change_set_high=pd.Timestamp("2019-09-02"),
        placebo_p=1 / 97,
        placebo_n=96,
        robustness=(
            Variant("low death figures", 0.03, 0.01, 0.1),
            Variant("high death figures", 0.025, 0.008, 0.09),
        ),
    )
    return replace(ev, **changes)


def _direction_words(text: str) -> list[str]:
    low = text.lower()
    return [w for w in DIRECTION_WORDS if re.search(rf"\b{re.escape(w)}\b", low)]


# ------------------------------------------------------------------------------------ grades
def test_strong():
    bl = bottom_line(_strong())
    assert bl.grade == "strong", bl.text
    assert bl.direction == "fall" and bl.interval.source == "dependence-aware"
    assert "fell by 74%" in bl.text and "95% CI 0.14 to 0.50" in bl.text
    assert "if every day were an independent Poisson draw the interval would be 0.22 to 0.30" in (
        bl.text
    )
    assert "larger than all 96 placebo estimates; the smallest attainable p is 1/97" in bl.text
    assert "Confidence: strong" in bl.text
    assert bl.headline.startswith("The rate of civilian deaths fell by 74%")


def test_moderate_when_one_check_disagrees():
    bl = bottom_line(_strong(placebo_p=0.30, placebo_as_large=28))
    assert bl.grade == "moderate", bl.text
    assert {c.name: c.status for c in bl.checks}["placebo"] == "disagrees"
    assert any("do not single out the ceasefire" in d for d in bl.disagreements)


def test_small_counts_cap_the_grade_at_moderate():
    bl = bottom_line(
        _strong(count_before=60, count_after=SMALL_COUNT - 1, exact=Estimate(0.3, 0.18, 0.5))
    )
    assert bl.grade == "moderate" and "cap the grade" in bl.grade_reason


def test_weak_when_two_checks_disagree():
    bl = bottom_line(
        _strong(
            placebo_p=0.4,
            change_date=pd.Timestamp("2019-10-01"),
            change_set_low=pd.Timestamp("2019-09-25"),
            change_set_high=pd.Timestamp("2019-10-05"),
        )
    )
    assert bl.grade == "weak", bl.text
    assert bl.timing.status == "later"
    assert "day is not in the set" in bl.text and "31 days after" in bl.text


def test_inconclusive_when_the_interval_includes_no_change():
    ev = _strong(
        count_before=13,
        count_after=5,
        periods_before=30,
        periods_after=30,
        exact=Estimate(0.385, 0.107, 1.150, 0.096),
        model=Estimate(0.385, 0.12, 1.2, 0.11),
        level_change=Estimate(0.34, 0.03, 3.76),
        cumulative=Estimate(-6, -20, 4),
        robustness=(),
    )
    bl = bottom_line(ev)
    assert bl.grade == "inconclusive" and bl.direction == "unclear"
    assert NO_CHANGE in bl.text and _direction_words(bl.text) == [], bl.text
    assert bl.headline.startswith("No clear change")
    assert "13 civilian deaths in 30 days before" in bl.text


def test_every_grade_is_reachable():
    seen = {
        bottom_line(_strong()).grade,
        bottom_line(_strong(placebo_p=0.3)).grade,
        bottom_line(_strong(placebo_p=0.3, change_date=None)).grade,
        bottom_line(_strong(exact=Estimate(0.9, 0.5, 1.4), model=None)).grade,
    }
    assert seen == set(GRADES)


def test_no_change_found_disagrees():
    bl = bottom_line(_strong(change_date=None, change_set_low=None, change_set_high=None))
    assert bl.timing.status == "no change found" and bl.grade == "moderate"


def test_no_change_found_says_the_calibrated_date_set_and_whether_the_event_is_in_it():
    none_found = {"change_date": None, "change_set_low": None, "change_set_high": None}
    sentence = "If the rate changed once in this window, the change began on one of 9 days."
    inside = bottom_line(_strong(**none_found, change_dates_text=sentence,
                                 change_dates_has_event=True))  # fmt: skip
    outside = bottom_line(_strong(**none_found, change_dates_text=sentence,
                                  change_dates_has_event=False))  # fmt: skip
    assert sentence in inside.text and "That set includes the first day of the ceasefire" in (
        inside.text
    )
    assert "does not include the first day of the ceasefire" in outside.text
    assert inside.grade == outside.grade == "moderate"  # words only: the grade is the search's
    # a change found: the timing sentence is the search's own, the set is not repeated
    found = bottom_line(_strong(change_dates_text=sentence, change_dates_has_event=True))
    assert sentence not in found.text


# ------------------------------------------------------------------------- disagreements named
def test_immediate_jump_poorly_determined_but_period_change_clear():
    bl = bottom_line(_strong(level_change=Estimate(0.34, 0.03, 3.76)))
    assert any(
        "immediate jump at the ceasefire is poorly determined" in d
        and "change over the whole period is clear" in d
        for d in bl.disagreements
    ), bl.disagreements


def test_each_figure_says_its_base_when_the_its_fits_other_periods():
    """The two-phase comparison leaves out the month that holds the event (9 + 9 months), the
    ITS fits all 19 and its cumulative difference sums the 10 from that month: one paragraph,
    each figure with its own base (sweep item 1); with the same base nothing is added."""
    monthly = {
        "unit": "month", "periods_before": 9, "periods_after": 9,
        "level_change": Estimate(0.85, 0.71, 1.01), "its_periods": 19,
        "cumulative_periods": 10, "cumulative_start": pd.Timestamp("2020-10-01"),
    }  # fmt: skip
    text = bottom_line(_strong(**monthly)).text
    assert "fitted to 19 months" in text and "on 18 months" in text
    assert "cumulative difference over the 10 months from 1 Oct 2020" in text
    same = bottom_line(_strong(**(monthly | {"its_periods": 18, "cumulative_periods": 9}))).text
    assert "fitted to 18 months" not in same and "on 18 months" not in same
    assert "cumulative difference over the" not in same


def test_slope_reversal_and_extrapolation_are_explained():
    bl = bottom_line(_strong(slope_change=Estimate(1.03, 1.014, 1.047)))
    assert any("trend reversed" in d and "+3.0% per day" in d for d in bl.disagreements)
    assert any("extrapolates the trend before the ceasefire" in d for d in bl.disagreements)


def test_robustness_pointing_the_other_way_disagrees():
    rob = (Variant("low death figures", 0.5, 0.3, 0.8), Variant("without X", 1.4, 0.9, 2.1))
    bl = bottom_line(_strong(robustness=rob))
    assert {c.name: c.status for c in bl.checks}["robustness"] == "disagrees"
    assert any(d.startswith("With without X the level change points the other way") for d in
               bl.disagreements)  # fmt: skip


def test_model_interval_narrower_than_exact_is_not_the_headline():
    # 9 and 6 events: the model interval is narrower than the exact one
    ev = _strong(
        count_before=9,
        count_after=6,
        periods_before=30,
        periods_after=30,
        exact=Estimate(0.667, 0.198, 2.03, 0.6),
        model=Estimate(0.667, 0.45, 0.99, 0.04),
        robustness=(),
    )
    bl = bottom_line(ev)
    assert bl.interval.source == "exact"
    assert bl.direction == "unclear" and bl.grade == "inconclusive"
    assert "narrower than the exact interval, which therefore leads" in bl.text
    assert _direction_words(bl.text) == [], bl.text


# ------------------------------------------------------------------------------------- words
def test_headline_interval_rule():
    hi = headline_interval((0.283, 0.415), (0.196, 0.604))
    assert hi.source == "dependence-aware" and (hi.low, hi.high) == (0.196, 0.604)
    hi = headline_interval((0.198, 2.03), (0.45, 0.99))
    assert hi.source == "exact" and hi.words == "if every day were an independent Poisson draw"
    assert headline_interval((0.2, 0.4), None).source == "exact"


def test_mixed_day_is_within_a_day():
    t = timing_of_change(
        "2019-09-01", "2019-09-01", "2019-09-02", CEASEFIRE, reference_name="the ceasefire"
    )
    assert t.status == "within a day" and t.agrees
    assert "within a day of the ceasefire (06:00 on 31 Aug 2019)" in t.text
    assert "outside" not in t.text
    # the same change against a midnight event is outside the set
    t = timing_of_change("2019-09-01", "2019-09-01", "2019-09-02", "2019-08-31")
    assert t.status == "later" and not t.agrees and "day is not in the set" in t.text
    t = timing_of_change("2019-09-01", "2019-08-30", "2019-09-02", "2019-08-31")
    assert t.status == "matches"


def test_placebo_as_a_rank():
    assert placebo_phrase(0, 96, "it") == (
        "it is larger than all 96 placebo estimates; the smallest attainable p is 1/97"
    )
    assert "larger than 90 of 96 placebo estimates" in placebo_phrase(6, 96, "it")
    assert "1/97" in placebo_phrase(6, 96, "it")
    # one admissible date: no "all 1 placebo estimates"
    assert placebo_phrase(0, 1, "it").startswith("it is larger than the only placebo estimate;")
    assert "no larger than the only placebo estimate (p = 2/2" in placebo_phrase(1, 1, "it")


def test_counts_and_units():
    from trends.verdicts.words import count_of

    assert count_of(1, "people killed") == "1 person killed"
    assert count_of(1, "children killed") == "1 child killed"
    assert count_of(2, "people killed") == "2 people killed"
    assert plural(1, "month") == "1 month"
    assert plural(13.0, "event") == "13 events"
    assert plural(2, "casualty") == "2 casualties"
    assert plural(1, "civilian death", "civilian deaths") == "1 civilian death"
    assert fmt_count(13.0) == "13" and fmt_count(1097.4) == "1,097"
    assert fmt_count(None) == "not available"
    assert measure_words("deaths_best") == "civilian deaths"
    assert measure_words("child_deaths") == "child deaths"
    assert "_" not in measure_words("some_new_key")


def test_text_has_no_decimals_for_counts_and_no_raw_keys():
    bl = bottom_line(_strong(count_before=894.0, count_after=203.0, outcome="deaths_best",
                             measure="deaths_best"))  # fmt: skip
    assert "894 civilian deaths" in bl.text and "894.0" not in bl.text
    assert "deaths_best" not in bl.text and "_" not in bl.text


@settings(max_examples=200, deadline=None)
@given(
    low=st.floats(0.01, 1.0),
    high=st.floats(1.0, 50.0),
    frac=st.floats(0.0, 1.0),
    n0=st.integers(0, 5000),
    n1=st.integers(0, 5000),
)
def test_no_sentence_calls_an_indistinguishable_change_a_fall_or_rise(low, high, frac, n0, n1):
    est = low + frac * (high - low)
    # the one-sentence helpers
    for text in (change_sentence("attacks", est, low, high), headline("attacks", est, low, high)):
        assert _direction_words(text) == [], text
        assert NO_CHANGE in text
    # the whole paragraph, when no piece of evidence is distinguishable from no change
    unclear = Estimate(est, low, high, 0.5)
    ev = _strong(
        count_before=n0,
        count_after=n1,
        exact=unclear,
        model=unclear,
        level_change=unclear,
        slope_change=unclear,
        cumulative=Estimate(est - 1, low - 1, high - 1),
        robustness=(Variant("low figures", est, low, high),),
    )
    bl = bottom_line(ev)
    assert bl.grade == "inconclusive" and bl.direction == "unclear"
    assert NO_CHANGE in bl.text
    assert _direction_words(bl.text) == [], bl.text
    assert _direction_words(bl.headline) == []


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0.001, 100.0), b=st.floats(0.001, 100.0))
def test_direction_only_when_the_interval_excludes_no_change(a, b):
    low, high = sorted((a, b))
    est = (low * high) ** 0.5
    text = change_sentence("the rate", est, low, high)
    kind = classify_change(low, high)
    assert ("fell by" in text) == (kind == "fall")
    assert ("rose by" in text or "-fold" in text) == (kind == "rise")
    assert (NO_CHANGE in text) == (kind == "unclear")


# ------------------------------------------------------------------------- the founding case
@pytest.fixture(scope="module")
def founding(founding_analysis):
    """The bottom lines of the founding case (conftest.py: computed once per test run)."""
    return bottom_lines_from_analysis(founding_analysis)


def test_founding_case_bottom_lines(founding):
    # issue 12: with the calibrated (latent-AR) interval the period averages of this very
    # persistent series do not exclude no change, and the words must follow the interval
    attacks, deaths = founding["attacks"], founding["civilian_deaths"]
    for bl in (attacks, deaths):
        assert bl.interval.source == "dependence-aware"
        assert bl.interval.low < 1 < bl.interval.high, bl.text
        assert bl.direction == "unclear" and bl.grade == "inconclusive", bl.text
        assert "fell by" not in bl.text and "not distinguishable from no change" in bl.text
        assert "the smallest attainable p is 1/97" in bl.text
        assert "relative to its standard error" in bl.text  # the studentised placebo
    assert attacks.timing.agrees and "outside" not in attacks.timing.text
    assert "475 attacks in 123 days" in attacks.text and "rate ratio 0.34" in attacks.text
    assert "203 civilian deaths in 107 days" in deaths.text and "rate ratio 0.26" in deaths.text
    assert "0.28 to 0.42" in attacks.text  # the exact interval, shown second
    # fifth session: the attacks' straight-line level change (0.19, 0.035 to 0.999) is clear,
    # the curved pre-period trend's (0.23, 0.039 to 1.30) is not, so the ITS does not count
    assert "but not with a curved one" in attacks.text
    assert "but not with a curved one" not in deaths.text  # its curved fit is clear too
    for bl in (attacks, deaths):  # an unclear primary is neither backed nor contradicted
        assert {c.name: c.status for c in bl.checks}["interrupted time series"] == "unclear"
    payload = json.loads(json.dumps(founding.to_dict()))
    assert payload["attacks"]["placebo"]["p_floor"] == pytest.approx(1 / 97)
    assert payload["civilian_deaths"]["grade"] == deaths.grade
    assert set(founding.summary()["outcome"]) == {"attacks", "civilian_deaths"}
    assert founding.report().startswith("Attacks: ")


def test_adapter_is_defensive_about_missing_pieces():
    class Bare:
        name = "attacks"
        label = "attacks"

    bl = bottom_lines_from_analysis(type("A", (), {"outcomes": {"attacks": Bare()}})())
    assert bl["attacks"].grade == "inconclusive"
    assert "could not be compared" in bl["attacks"].text


def test_level_change_range_is_shown_next_to_it():
    bl = bottom_line(_strong(level_change_range=(0.038, 0.167)))
    assert "0.029 (0.038 to 0.17 over reasonable windows and with or without the slope term)" in (
        bl.text
    )


def test_adapter_drops_absent_figures_and_says_why_no_placebo():
    from trends.verdicts import evidence_from_outcome

    class Oa:
        name = "civilian_deaths"
        label = "civilian deaths"
        problems = ["placebo test: the pre-intervention period is too short"]
        robustness = pd.DataFrame(
            {
                "variant": ["low death figures", "without the deadliest incident"],
                "level_rr": [float("nan"), 0.13],
                "ci_low": [float("nan"), 0.01],
                "ci_high": [float("nan"), 2.0],
                "total": [0.0, 80.0],
            }
        )
        level_change_range = (0.038, 0.167)

    ev = evidence_from_outcome(Oa(), event_date="2019-08-31")
    assert [v.label for v in ev.robustness] == ["without the deadliest incident"]
    assert ev.placebo_note == "the pre-intervention period is too short"
    assert ev.level_change_range == (0.038, 0.167)
    bl = bottom_line(replace(ev, exact=Estimate(0.1, 0.03, 0.3), count_before=104, count_after=11))
    assert "The placebo test could not be run (the pre-intervention period is too short)" in bl.text
    assert "low death figures" not in bl.text


def test_adapter_drops_variants_that_repeat_the_main_fit():
    """Data with one figure (ACLED): the low/high refits are the main fit again, not checks."""
    from types import SimpleNamespace

    from trends.verdicts import evidence_from_outcome

    main = {"estimate": 0.0286, "ci_low": 0.0075, "ci_high": 0.109}
    oa = SimpleNamespace(
        name="civilian_deaths",
        label="civilian deaths",
        problems=[],
        its=SimpleNamespace(level_change=main, slope_change=None, cumulative_effect=None),
        robustness=pd.DataFrame(
            {
                "variant": ["low death figures", "high death figures", "without the deadliest"],
                "level_rr": [0.0286, 0.0286, 0.0302],
                "ci_low": [0.0075, 0.0075, 0.0081],
                "ci_high": [0.109, 0.109, 0.112],
                "total": [377.0, 377.0, 362.0],
            }
        ),
    )
    ev = evidence_from_outcome(oa, event_date="2019-08-31")
    assert [v.label for v in ev.robustness] == ["without the deadliest"]
    oa.its = None  # without the main fit nothing can be called a repeat
    assert len(evidence_from_outcome(oa, event_date="2019-08-31").robustness) == 3


# --------------------------------------------------------------------------------------------
# the model reports use the same words (rates, change-point timing, placebo rank)
# --------------------------------------------------------------------------------------------
def _daily_counts(rates: list[tuple[float, int]], seed: int, start: str = "2019-06-01"):
    import numpy as np

    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.poisson(rate, n) for rate, n in rates]).astype(float)
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"))


def test_rate_report_names_no_direction_when_the_interval_includes_one():
    from trends.models.rates import compare_rates

    windows = (("2019-06-01", "2019-07-30"), ("2019-07-31", "2019-09-28"))
    flat = compare_rates(_daily_counts([(5.0, 120)], seed=1), *windows)
    lo, hi = flat.rate_ratio["ci_low"], flat.rate_ratio["ci_high"]
    assert lo < 1 < hi  # the seed gives an unclear change
    text = flat.report()
    assert "fell by" not in text and "rose by" not in text
    assert NO_CHANGE in text
    assert "in 60 observed days" in text
    drop = compare_rates(_daily_counts([(6.0, 60), (2.0, 60)], seed=4), *windows)
    assert drop.rate_ratio["ci_high"] < 1
    assert "The rate of events per day fell by" in drop.report()


def test_rate_report_says_one_observed_month_in_the_singular():
    from trends.models.rates import compare_rates

    months = pd.date_range("2019-01-01", periods=4, freq="MS")
    series = pd.Series([40.0, 38.0, 12.0, 10.0], index=months)
    r = compare_rates(series, ("2019-01-01", "2019-01-31"), ("2019-02-01", "2019-04-30"))
    text = r.report()
    assert "in 1 observed month," in text
    assert "in 3 observed months," in text


def test_change_point_report_calls_the_mixed_day_within_a_day_not_outside():
    from types import SimpleNamespace

    from trends.models.changepoint import detect_changepoints

    counts = _daily_counts([(12.0, 62), (1.0, 62)], seed=3, start="2019-07-01")
    assert counts.index[62] == pd.Timestamp("2019-09-01")
    event = SimpleNamespace(start=CEASEFIRE, name="the ceasefire")
    res = detect_changepoints(counts, reference=event)
    comp = res.comparison
    assert comp.date == pd.Timestamp("2019-09-01") and not comp.in_set
    assert comp.timing().status == "within a day"
    for text in (comp.report(), res.report()):
        assert "within a day of the ceasefire (06:00 on 31 Aug 2019)" in text
        assert "outside" not in text
    later = detect_changepoints(counts, reference="2019-08-20").comparison
    assert later.timing().status == "later"
    assert "day is not in the set" in later.report()


def test_placebo_report_states_the_rank():
    import warnings

    from trends.models.its import fit_its
    from trends.models.placebo import placebo_test

    counts = _daily_counts([(8.0, 100), (3.0, 50)], seed=3, start="2019-05-01")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = fit_its(counts, counts.index[100])
        res = placebo_test(counts, real)
    n = res.n_placebos
    text = res.report()
    assert f"at {n} fake intervention dates" in text
    assert (
        f"is larger than all {n} placebo estimates; the smallest attainable p is 1/{n + 1}" in text
    )
    assert "p-value" in text


def test_an_unclear_average_with_an_abrupt_change_at_the_date_says_both():
    # the period averages include no change, yet the placebo and the timing point to the date
    bl = bottom_line(_strong(model=Estimate(0.34, 0.059, 1.99, 0.23)))
    assert bl.grade == "inconclusive" and "fell by" not in bl.text
    assert "the placebo test and the timing point to a change" in bl.text
    # without that evidence the reason stays plain
    plain = bottom_line(_strong(model=Estimate(0.34, 0.059, 1.99, 0.23), placebo_p=0.4))
    assert plain.grade == "inconclusive" and "point to a change" not in plain.text


def test_founding_case_periods_are_days_and_long_enough(founding):
    # issue 12 (FREQ): the daily founding case is untouched by the weekly/monthly unit fix and
    # by the rule that grades no period shorter than MIN_PHASE_PERIODS
    for bl in founding:
        assert bl.evidence.rate_unit == "day" and bl.evidence.unit == "day"
        assert "too short" not in bl.text and "too short" not in bl.grade_reason


def test_the_quoted_ratio_lies_in_the_quoted_interval_on_lumped_tallies():
    """The tallies example has reports after gaps of 5-30 days: the bottom line and the report
    quote one estimate with the interval of the same method."""
    import warnings

    from trends import analyse_ceasefire, load_series

    path = Path(__file__).resolve().parents[1] / "data" / "examples" / "tallies_example.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = load_series(path, format="tallies")
        a = analyse_ceasefire(s, "2019-08-31", placebo=False, robustness=False)
    text = a.bottom_line.report()
    m = re.search(r"rate ratio ([0-9.]+) \(95% CI ([0-9.]+) to ([0-9.]+)", text)
    assert m, text
    est, low, high = map(float, m.groups())
    assert low <= est <= high, text
    assert "the rate of people killed per day" in text


def test_a_massacre_day_is_named_with_the_ratio_without_it_and_caps_the_grade():
    """One day of 200 deaths among days of about 3: the bottom line names the day, its share and
    the ratio without it; the grade is never above weak; the rates result and JSON carry it."""
    import warnings

    import numpy as np

    from trends import analyse_ceasefire
    from trends.models.rates import compare_rates

    rng = np.random.default_rng(3)
    y = rng.negative_binomial(2, 2 / (2 + 3.0), 240).astype(float)
    y[40] += 200
    days = pd.date_range("2020-01-01", periods=240)
    s = pd.Series(y, index=days, name="civilian deaths")
    r = compare_rates(s, (days[0], days[119]), (days[120], days[-1]))
    d = r.dominant
    assert d["phase"] == "before" and d["date"] == days[40] and d["count"] == int(y[40])
    assert d["share"] == pytest.approx(y[40] / y[:120].sum())
    rest = (y[:120].sum() - y[40]) / 119
    assert d["ratio_without"] == pytest.approx((y[120:].sum() / 120) / rest)
    assert r.to_dict()["dominant_period"]["count"] == int(y[40])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse_ceasefire(s, days[120], placebo=False, robustness=False)
    text = a.bottom_line.report()
    assert f"One day, 10 Feb 2020, holds {int(y[40])} of the" in text
    assert "without it the rate ratio would be 1.06" in text
    assert a.bottom_line["civilian deaths"].grade in ("weak", "inconclusive")
    quiet = compare_rates(s.where(s.index != days[40], 3.0), (days[0], days[119]),
                          (days[120], days[-1]))  # fmt: skip
    assert quiet.dominant is None and "dominant_period" not in quiet.to_dict()


def test_a_dominant_day_caps_a_strong_grade_at_weak():
    day = {"phase": "before", "date": pd.Timestamp("2019-06-10"), "count": 300, "share": 0.34,
           "ratio_without": 0.39}  # fmt: skip
    bl = bottom_line(_strong(dominant=day))
    assert bottom_line(_strong()).grade == "strong"
    assert bl.grade == "weak" and "holds 34% of the civilian deaths before" in bl.grade_reason
    assert "One day, 10 Jun 2019, holds 300 of the 894 civilian deaths before (34%)" in bl.text
    assert "without it the rate ratio would be 0.39" in bl.text


def test_robustness_estimates_equal_at_printed_precision_are_not_a_range():
    """Sweep F: "give level changes from 0.15 to 0.15"."""
    rob = (Variant("without the deadliest incident", 0.1512, 0.1, 0.2),
           Variant("without the 3 deadliest incidents", 0.1538, 0.1, 0.2))  # fmt: skip
    bl = bottom_line(_strong(robustness=rob))
    text = {c.name: c.text for c in bl.checks}["robustness"]
    assert "from 0.15 to 0.15" not in text and "level changes of 0.15 each" in text


def test_a_model_interval_printed_the_same_is_not_called_narrower():
    bl = bottom_line(_strong(exact=Estimate(0.44, 0.351, 0.552, 1e-9),
                             model=Estimate(0.44, 0.352, 0.549, 1e-9)))  # fmt: skip
    assert bl.interval.source == "exact"
    assert "0.35 to 0.55" in bl.text
    assert "narrower than the exact" not in bl.text, bl.text
    assert "the same interval at this precision" in bl.text
    assert "too few events" not in bl.interval.reason
    wider = bottom_line(_strong(exact=Estimate(0.44, 0.351, 0.552, 1e-9),
                                model=Estimate(0.44, 0.37, 0.52, 1e-9)))  # fmt: skip
    assert "gives 0.37 to 0.52, narrower than the exact interval" in wider.text

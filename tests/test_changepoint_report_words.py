"""The change-point paragraph states its timing once and names the event with its article."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trends.events import ReferenceEvent
from trends.models.changepoint import detect_changepoints


def _one_change_result():
    rng = np.random.default_rng(5)
    index = pd.date_range("2022-03-01", periods=160, freq="D")
    rate = np.where(np.arange(160) < 80, 6.0, 1.5)
    series = pd.Series(rng.poisson(rate).astype(float), index=index, name="killed")
    event = ReferenceEvent(
        id="truce", name="Truce in force", kind="ceasefire", start=index[80], detail=None
    )
    return detect_changepoints(series, model="poisson", reference=event)


def test_one_change_states_its_timing_once_with_the_events_article():
    result = _one_change_result()
    assert result.n_changes == 1
    text = result.report()
    timing = result.comparison.timing()
    assert timing is not None and timing.text[:-1] in text
    # the relation to the event is said by the timing sentence, not again before it
    assert text.count("Truce in force (") == 1, text
    assert "the Truce in force" in text
    assert " Truce in force" not in text.replace("the Truce in force", "")
    # the date and its set are given once, by the timing sentence
    first = result.breaks.iloc[0]["date"].strftime("%-d %b %Y")
    assert text.count(first) == 1, text


def test_a_wide_date_set_does_not_pin_a_change_dated_to_the_events_period():
    from trends.verdicts.words import PINNED_SET_DAYS, timing_of_change

    wide = timing_of_change(
        "2023-06-12", "2023-04-17", "2023-08-28", "2023-06-15", unit="week",
        reference_name="the intervention",
    )  # fmt: skip
    assert "which matches" not in wide.text
    assert f"the set is longer than {PINNED_SET_DAYS} days" in wide.text
    assert "consistent with it but not pinned to it" in wide.text
    narrow = timing_of_change(
        "2019-09-01", "2019-08-29", "2019-09-05", "2019-08-31 06:00", unit="day",
        reference_name="the ceasefire",
    )  # fmt: skip
    assert "which matches the ceasefire" in narrow.text

"""From the analysis' result objects to :class:`~trends.verdicts.bottom_line.Evidence`.

The adapter reads an :class:`trends.analysis.OutcomeAnalysis` (or anything shaped like it:
``name``, ``label``, ``rates``, ``its``, ``changepoint``, ``placebo``, ``robustness``) by
attribute, and is defensive: a piece that is missing, or shaped differently, leaves the
corresponding evidence empty instead of failing. Nothing is re-estimated here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from trends.verdicts.bottom_line import (
    BottomLines,
    Estimate,
    Evidence,
    Variant,
    bottom_lines,
)
from trends.verdicts.words import measure_words

__all__ = ["evidence_from_outcome", "bottom_lines_from_analysis", "event_in_set", "period_label_of"]

_UNITS = {"D": "day", "W": "week", "M": "month"}


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _unbounded(x: Any) -> float | None:
    """A number, with plus infinity kept (None when missing or NaN)."""
    v = _num(x)
    if v is None:
        try:
            return math.inf if float(x) == math.inf else None
        except (TypeError, ValueError):
            return None
    return v


def _estimate(obj: Any, method: str = "", unbounded: bool = False) -> Estimate | None:
    """An Estimate from a RateRatio-like object or a dict with estimate / ci_low / ci_high.

    ``unbounded``: keep an infinite estimate and bound (the exact ratio with no events before).
    """
    if obj is None:
        return None
    get = obj.get if isinstance(obj, Mapping) else (lambda k, d=None: getattr(obj, k, d))
    num = _unbounded if unbounded else _num
    est = num(get("estimate"))
    if est is None:
        return None
    low, high = num(get("ci_low")), num(get("ci_high"))
    if low is None and high is None:
        return None
    return Estimate(
        est,
        low if low is not None else math.nan,
        high if high is not None else math.nan,
        _num(get("p_value")),
        str(get("method") or method),
    )


def _rates(rates: Any) -> dict[str, Any]:
    if rates is None:
        return {}
    out: dict[str, Any] = {}
    before, after = getattr(rates, "before", None), getattr(rates, "after", None)
    if before is not None and after is not None:
        out.update(
            count_before=_num(getattr(before, "count", None)),
            count_after=_num(getattr(after, "count", None)),
            periods_before=getattr(before, "n_periods", None),
            periods_after=getattr(after, "n_periods", None),
        )
    unit = getattr(rates, "unit", None)  # the comparison's own periods (daily totals: "day")
    if isinstance(unit, str) and unit:
        out["rate_unit"] = unit
    out["exact"] = _estimate(
        getattr(rates, "rate_ratio", None), "exact conditional Poisson", unbounded=True
    )
    out["model"] = _estimate(getattr(rates, "rate_ratio_nb", None), "negative binomial, HAC")
    dominant = getattr(rates, "dominant", None)
    if isinstance(dominant, Mapping):
        out["dominant"] = dict(dominant)
    return out


def _its(its: Any) -> dict[str, Any]:
    if its is None:
        return {}
    out: dict[str, Any] = {}
    for key, attr in (("level_change", "level_change"), ("slope_change", "slope_change")):
        try:
            out[key] = _estimate(getattr(its, attr, None))
        except (AttributeError, IndexError):
            out[key] = None
    used = (getattr(its, "diagnostics", None) or {}).get("n_used")
    if isinstance(used, int | float) and not isinstance(used, bool):
        out["its_periods"] = int(used)
    cum = getattr(its, "cumulative_effect", None)
    if isinstance(cum, Mapping) and cum.get("n_periods"):
        out["cumulative_periods"] = int(cum["n_periods"])
        if cum.get("start") is not None:
            out["cumulative_start"] = pd.Timestamp(cum["start"])
    # a projection too uncertain to bound the difference is no evidence either way
    if (
        isinstance(cum, Mapping)
        and cum.get("n_periods")
        and not cum.get("projection_uninformative")
    ):
        out["cumulative"] = _estimate(cum)
    return out


def _changepoint(cp: Any) -> dict[str, Any]:
    if cp is None:
        return {}
    try:
        d = cp.to_dict()
    except (AttributeError, TypeError, ValueError):
        return {"change_searched": True}
    comp = d.get("comparison") or {}
    primary = d.get("changepoint") or {}
    date = comp.get("date") if comp.get("break_number") is not None else None
    low = comp.get("set_low") if date is not None else None
    high = comp.get("set_high") if date is not None else None
    if date is None and not comp:
        date, low, high = primary.get("date"), primary.get("ci_low"), primary.get("ci_high")
    ts = [pd.Timestamp(x) if x is not None else None for x in (date, low, high)]
    return {
        "change_searched": True,
        "change_date": ts[0],
        "change_set_low": ts[1],
        "change_set_high": ts[2],
    }


def _placebo(pl: Any) -> dict[str, Any]:
    if pl is None:
        return {}
    n = getattr(pl, "n_placebos", None)
    p = _num(getattr(pl, "p_value", None))
    out: dict[str, Any] = {"placebo_p": p, "placebo_n": int(n) if n is not None else None}
    out["placebo_statistic"] = str(getattr(pl, "statistic", "raw"))
    if getattr(pl, "n_as_large", None) is not None:  # counted on the statistic the p ranks
        out["placebo_as_large"] = int(pl.n_as_large)
        return out
    fakes, real = getattr(pl, "placebo_log_rr", None), _num(getattr(pl, "real_log_rr", None))
    if isinstance(fakes, pd.Series) and real is not None:
        vals = fakes.dropna().to_numpy(dtype=float)
        out["placebo_as_large"] = int(np.sum(np.abs(vals) >= abs(real)))
    return out


def _same(x: float | None, y: float | None) -> bool:
    return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=0.0)


def _robustness(frame: Any, main: Estimate | None = None) -> tuple[Variant, ...]:
    """The variants; one that could not be fitted on a series with no events at all (low or high
    figures the data do not have) is absent data, not a failed check, and is left out, and so is
    one identical to the main fit (low or high figures that merely repeat the best ones)."""
    if not isinstance(frame, pd.DataFrame) or frame.empty or "variant" not in frame:
        return ()
    out = []
    for _, r in frame.iterrows():
        if _num(r.get("level_rr")) is None and _num(r.get("total")) in (0.0, None):
            continue
        if main is not None and all(
            _same(_num(r.get(k)), v)
            for k, v in (("level_rr", main.estimate), ("ci_low", main.low), ("ci_high", main.high))
        ):
            continue
        out.append(
            Variant(
                str(r["variant"]),
                _num(r.get("level_rr")),
                _num(r.get("ci_low")),
                _num(r.get("ci_high")),
            )
        )
    return tuple(out)


def _event(event: Any, event_date: Any) -> dict[str, Any]:
    name = getattr(event, "name", None) or getattr(event, "short_name", None)
    start = getattr(event, "start", None)
    when = start if start is not None else event_date
    if when is None and event is not None and not hasattr(event, "start"):
        when = event
    try:
        ts = pd.Timestamp(when) if when is not None else None
    except (TypeError, ValueError):
        ts = None
    kind = str(getattr(event, "kind", "") or "")
    word = {
        "ceasefire": "the ceasefire",
        "truce": "the truce",
        "agreement": "the agreement",
        "offensive": "the offensive",
        "escalation": "the escalation",
    }
    # a bare date (no event object) is "the intervention", as in the rest of the analysis
    fallback = "the event" if event is not None and hasattr(event, "start") else "the intervention"
    return {
        "event_name": str(name) if name else fallback,
        "event_word": word.get(kind, fallback),
        "event_time": ts,
        "has_time_of_day": None if ts is None else bool(ts != ts.normalize()),
    }


def evidence_from_outcome(
    oa: Any, *, event: Any = None, event_date: Any = None, freq: str = "D"
) -> Evidence:
    """Collect the evidence for one outcome of an analysis.

    Parameters
    ----------
    oa : OutcomeAnalysis-like
        ``name``, ``label`` and any of ``rates``, ``its``, ``changepoint``, ``placebo``,
        ``pretrend`` (a pre-period trend check with ``flagged`` and ``p_value``),
        ``robustness``, ``problems`` and ``level_change_range`` (the smallest and largest ITS
        level change over refits with other windows and with or without the slope term).
    event : ReferenceEvent-like, optional
        The intervention (its ``name`` and ``start``, with the time of day).
    event_date : date-like, optional
        Used when ``event`` has no ``start``.
    freq : str
        Frequency of the series ("D", "W", "M"...).

    Returns
    -------
    Evidence
    """
    name = str(getattr(oa, "name", None) or "events")
    fields: dict[str, Any] = {
        "outcome": name,
        "measure": measure_words(name, getattr(oa, "label", None)),
        "unit": _UNITS.get(str(freq)[:1].upper(), "period"),
    }
    fields.update(_rates(getattr(oa, "rates", None)))
    fields.update(_its(getattr(oa, "its", None)))
    fields.update(_changepoint(getattr(oa, "changepoint", None)))
    fields.update(_placebo(getattr(oa, "placebo", None)))
    problems = [str(p) for p in getattr(oa, "problems", None) or []]
    note = next((p.split(":", 1)[1].strip() for p in problems if p.startswith("placebo")), "")
    if note and fields.get("placebo_p") is None:
        fields["placebo_note"] = note
    cp_note = next(
        (p.split(":", 1)[1].strip() for p in problems if p.startswith("change points")), ""
    )
    if cp_note and not fields.get("change_searched"):
        fields["change_note"] = cp_note
    fields["robustness"] = _robustness(getattr(oa, "robustness", None), fields.get("level_change"))
    span = getattr(oa, "level_change_range", None)  # refits over windows / slope terms, if any
    if (
        isinstance(span, (tuple, list))
        and len(span) == 2
        and all(_num(x) is not None for x in span)
    ):
        fields["level_change_range"] = (float(span[0]), float(span[1]))
        what = getattr(span, "what", None)
        if isinstance(what, str) and what:
            fields["level_change_range_what"] = what
    fields.update(_pre_trend(getattr(oa, "pretrend", None)))
    fields.update(_event(event, event_date))
    day = event_date if event_date is not None else fields.get("event_time")
    analysed = getattr(oa, "series", None)
    index = analysed.index if isinstance(analysed, pd.Series) else None
    fields.update(_change_dates(getattr(oa, "change_dates", None), day, index))
    return Evidence(**fields)


def _pre_trend(pre: Any) -> dict[str, Any]:
    """Whether the pre-period check rejected the straight line, and its curved level change."""
    if pre is None:
        return {}
    out: dict[str, Any] = {}
    if bool(getattr(pre, "flagged", False)):
        out["pre_trend_flagged"] = True
        out["pre_trend_p"] = _num(getattr(pre, "p_value", None))
    if bool(getattr(pre, "tested", False)):
        curved = _estimate(getattr(pre, "level_change_curved", None), "curved pre-period trend")
        if curved is not None:
            out["level_change_curved"] = curved
    return out


def _change_dates(cd: Any, day: Any, index: pd.Index | None = None) -> dict[str, Any]:
    """The calibrated change-date set's sentence, and whether the event's first period is in it.

    ``index`` is the analysed series' index: the event's period is the one of its labels that
    starts on or before the event's day, and it is in the set only when that label is one of the
    set's dates (a set's dates are candidate first periods of a new segment, which stop short of
    the window's ends: an event in the last days is in no candidate's period, whatever the set).
    """
    if cd is None:
        return {}
    try:
        text = str(cd.headline())
        inside = None if day is None else event_in_set(cd, pd.Timestamp(day), index)
    except (AttributeError, TypeError, ValueError):
        return {}
    return {"change_dates_text": text, "change_dates_has_event": inside}


def event_in_set(cd: Any, day: Any, index: pd.Index | None = None) -> bool:
    """Whether the period of the analysed series that holds ``day`` is one of the set's dates.

    Parameters
    ----------
    cd : ChangeDateSet-like
        ``dates`` (the set) and ``contains`` (used without ``index``).
    day : date-like
        The event's day.
    index : pandas.Index, optional
        The analysed series' index (its labels start their periods). With it, a day after the
        last candidate date (an event in the last days of the window, where no change can be
        tested) is not in the set, whatever the set.

    Returns
    -------
    bool
    """
    day = pd.Timestamp(day)
    if isinstance(index, pd.DatetimeIndex) and len(index):
        label = period_label_of(day, index)
        if label is None:
            return False
        return label in {pd.Timestamp(d) for d in getattr(cd, "dates", ())}
    return bool(cd.contains(day))


def period_label_of(day: Any, index: pd.DatetimeIndex) -> pd.Timestamp | None:
    """The label of the period of ``index`` that holds ``day`` (labels start their periods),
    in the series' local calendar; ``None`` before the first period.

    Parameters
    ----------
    day : date-like
        A day (a time-zone-aware one is read at its wall-clock time).
    index : pandas.DatetimeIndex
        Period-start labels of a series.

    Returns
    -------
    pandas.Timestamp or None
    """
    labels = index.tz_localize(None) if index.tz is not None else index
    when = pd.Timestamp(day)
    when = when.tz_localize(None) if when.tzinfo is not None else when
    pos = int(labels.searchsorted(when, side="right")) - 1
    return None if pos < 0 else pd.Timestamp(labels[pos])


def bottom_lines_from_analysis(analysis: Any) -> BottomLines:
    """The bottom line of every outcome of a :class:`~trends.analysis.CeasefireAnalysis`.

    Parameters
    ----------
    analysis : CeasefireAnalysis-like
        ``outcomes`` (name -> OutcomeAnalysis), ``intervention``, ``intervention_date``,
        ``freq``.

    Returns
    -------
    BottomLines
        ``to_dict()`` is the ``bottom_line`` entry of results.json; ``report()`` the paragraphs.
    """
    outcomes = getattr(analysis, "outcomes", None) or {}
    event = getattr(analysis, "intervention", None)
    day = getattr(analysis, "intervention_date", None)
    freq = str(getattr(analysis, "freq", "D") or "D")
    evidence = [
        evidence_from_outcome(oa, event=event, event_date=day, freq=freq)
        for oa in outcomes.values()
    ]
    return bottom_lines(evidence)

"""The default analysis window from a timeline: one regime before the intervention, one after.

A before/after comparison is only meaningful when each side is one regime. If the window runs on
through a later collapse of the ceasefire, or a second ceasefire, the "after" period mixes
regimes and the estimate describes neither (a ceasefire can then appear to *raise* deaths). So,
with any timeline, the default window is bounded by the neighbouring events that change the
regime.

The rule (:func:`default_window`)
---------------------------------
- **Regime-changing events** are those of kind ``offensive``, ``ceasefire``, ``truce`` and
  ``escalation`` (:data:`REGIME_KINDS`), except those whose name or type says they are a
  *violation* (a violation happens within a regime; it does not end it) and except the
  intervention's *run-up*: an event of the same kind in the :data:`ANNOUNCEMENT_DAYS` days
  before the intervention (its announcement, say, but the reason given calls it an
  announcement only when its own name or type says so, :func:`trends.events.says_announced`).
  The end of a truce or ceasefire (a ``kind`` or ``type`` such
  as "truce end", "collapse", "lapse", "expiry") is read as ``escalation`` by
  :func:`trends.events.kind_from_text`, so it ends the window; a ``kind`` cell naming no kind is
  refused when the timeline is read, and events of kind ``other`` are passed over with their
  type as written quoted in the reason.
- The window **ends the day before the next regime-changing event** after the intervention (its
  first full day when it has a time of day, minus one), or on the data's last day if there is none.
- The window **starts on the first full day of the previous regime-changing event** before the
  intervention, or on the data's first day if there is none.
- The window never extends beyond the data.

Every event that bounded the window, and every event of the timeline inside it that was *not*
taken as a boundary, is returned with the reason, so reports can state the choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trends.events import ReferenceEvent, Timeline, says_announced
from trends.results import to_jsonable

__all__ = ["ANNOUNCEMENT_DAYS", "REGIME_KINDS", "WindowChoice", "default_window"]

#: Kinds of reference events that start or end a regime.
REGIME_KINDS: tuple[str, ...] = ("offensive", "ceasefire", "truce", "escalation")

#: An event of the intervention's kind this many days before it is its run-up (an announcement,
#: say), not a regime change.
ANNOUNCEMENT_DAYS = 7


@dataclass(frozen=True)
class WindowChoice:
    """The default window and why.

    Attributes
    ----------
    start, end : pandas.Timestamp
        First and last day of the window (both included).
    start_event, end_event : ReferenceEvent or None
        The events that bounded it (None: the data's first or last day did).
    passed_over : list of (ReferenceEvent, str)
        Events of the timeline inside the window that were not taken as boundaries, and why.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    start_event: ReferenceEvent | None = None
    end_event: ReferenceEvent | None = None
    passed_over: list[tuple[ReferenceEvent, str]] = field(default_factory=list)

    def reasons(self) -> list[str]:
        """Plain-language sentences stating the choice (for the report's choices)."""
        out = []
        if self.start_event is None:
            out.append(f"The window starts on the data's first day, {self.start.date()}.")
        else:
            out.append(
                f"The window starts on {self.start.date()}, at {self.start_event.name} "
                "(the previous event that changed the regime)."
            )
        if self.end_event is None:
            out.append(f"It ends on the data's last day, {self.end.date()}.")
        else:
            out.append(
                f"It ends on {self.end.date()}, the day before {self.end_event.name} "
                f"({self.end_event.day.date()}), so that the period after is one regime."
            )
        for event, why in self.passed_over:
            out.append(f"{event.name} ({event.day.date()}) was not taken as a boundary: {why}.")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return to_jsonable(
            {
                "start": self.start,
                "end": self.end,
                "start_event": None if self.start_event is None else self.start_event.id,
                "end_event": None if self.end_event is None else self.end_event.id,
                "passed_over": [{"id": e.id, "reason": why} for e, why in self.passed_over],
            }
        )


def _why_not_boundary(event: ReferenceEvent, intervention: ReferenceEvent) -> str | None:
    """None when ``event`` changes the regime; otherwise the reason it does not."""
    if event.id == intervention.id:
        return "it is the intervention"
    if event.kind not in REGIME_KINDS:
        why = f"events of kind {event.kind!r} do not change the regime"
        detail = (event.detail or "").strip()
        if detail and detail.lower() != event.kind:
            why += f" (its type as written: {detail!r})"
        return why
    text = f"{event.name} {event.detail or ''}".lower()
    if "violat" in text:
        return "a violation happens within a regime"
    lead = (intervention.day - event.day).days
    if event.kind == intervention.kind and 0 <= lead <= ANNOUNCEMENT_DAYS:
        return _run_up_reason(event, lead)
    return None


def _run_up_reason(event: ReferenceEvent, lead: int) -> str:
    """Why an event of the intervention's kind just before it is no boundary, in facts: it is
    called an announcement only when its own words say so."""
    when = "on the same day as" if lead == 0 else f"{lead} day{'' if lead == 1 else 's'} before"
    if says_announced(event.name, event.detail):
        return f"it announces the intervention, {when} it"
    return (
        f"it is an event of the same kind ({event.kind}) {when} the intervention, taken as its "
        "run-up, not a regime change"
    )


def default_window(
    timeline: Timeline,
    intervention: ReferenceEvent,
    data_start: Any,
    data_end: Any,
) -> WindowChoice:
    """The window bounded by the regime-changing events around ``intervention``.

    Parameters
    ----------
    timeline : Timeline
        The reference events (the intervention may or may not be one of them).
    intervention : ReferenceEvent
        The event whose effect is estimated.
    data_start, data_end : date-like
        First and last day of the data; the window never goes beyond them.

    Returns
    -------
    WindowChoice
        See the module docstring for the rule.
    """
    lo, hi = pd.Timestamp(data_start).normalize(), pd.Timestamp(data_end).normalize()
    start_event = end_event = None
    passed: list[tuple[ReferenceEvent, str]] = []
    for event in sorted(timeline, key=lambda e: e.start):
        why = _why_not_boundary(event, intervention)
        if event.start < intervention.start:
            if why is None:
                start_event = event  # the latest one before the intervention wins
            elif event.day >= lo and event.id != intervention.id:
                passed.append((event, why))
        elif event.start > intervention.start and event.day > intervention.day:
            if why is None:
                end_event = event
                break
            if event.day <= hi:
                passed.append((event, why))
    start = lo if start_event is None else max(lo, start_event.first_full_day)
    end = hi if end_event is None else min(hi, end_event.day - pd.Timedelta(days=1))
    # an event the data do not reach is not what bounds the window: the data's edge is
    if start_event is not None and start != start_event.first_full_day:
        start_event = None
    if end_event is not None and end != end_event.day - pd.Timedelta(days=1):
        end_event = None
    kept = [(e, w) for e, w in passed if start <= e.day <= end]
    return WindowChoice(start, end, start_event, end_event, kept)

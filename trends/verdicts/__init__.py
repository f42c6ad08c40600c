"""What the numbers mean, in words that never over-claim.

- :mod:`trends.verdicts.words`: the phrases every sentence about a change uses (directions only
  for clear changes, integer counts, plural units, measures in words, the headline interval,
  placebo ranks, timing against an event with a time of day).
- :mod:`trends.verdicts.bottom_line`: one quotable paragraph per outcome and its confidence grade,
  by documented rules, from plain numbers (:class:`Evidence`).
- :mod:`trends.verdicts.adapter`: the evidence from an analysis' result objects.
"""

from trends.verdicts.adapter import bottom_lines_from_analysis, evidence_from_outcome
from trends.verdicts.bottom_line import (
    GRADES,
    BottomLine,
    BottomLines,
    Check,
    Estimate,
    Evidence,
    Variant,
    bottom_line,
    bottom_lines,
    grade_of,
)
from trends.verdicts.words import (
    NO_CHANGE,
    HeadlineInterval,
    Timing,
    change_sentence,
    classify_change,
    headline,
    headline_interval,
    placebo_phrase,
    timing_of_change,
)

__all__ = [
    "GRADES",
    "NO_CHANGE",
    "BottomLine",
    "BottomLines",
    "Check",
    "Estimate",
    "Evidence",
    "HeadlineInterval",
    "Timing",
    "Variant",
    "bottom_line",
    "bottom_lines",
    "bottom_lines_from_analysis",
    "change_sentence",
    "classify_change",
    "evidence_from_outcome",
    "grade_of",
    "headline",
    "headline_interval",
    "placebo_phrase",
    "timing_of_change",
]

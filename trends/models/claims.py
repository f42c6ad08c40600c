"""Does a published claim hold up against the incident data?

A claim ("more than 200 civilians killed in the region since the ceasefire, as of 7 Dec 2019")
defines a set of true values consistent with it. The data give a range of observed values: the
sums of the low, best and high figures of the incidents in the claim's window and scope. The
verdict compares the two:

- **supported**: every value in the observed low-high range is consistent with the claim;
- **not supported**: no value in the observed range is consistent with it;
- **undetermined**: the range straddles the claim's boundary (the best estimate's side is reported).

Consistent sets, for a claimed value *v* and a relative tolerance *tol* (default 10%):

=============  =====================================  ==========================================
qualifier      consistent true values                 example
=============  =====================================  ==========================================
at_least       [v, inf)                               "at least 39"
more_than      (v, inf)                               "more than 200", "over 1,300"
almost         [v(1 - tol), v)                        "almost 500", "nearly 1,100"
fewer_than     [0, v)                                 "fewer than 150", "under 50"
at_most        [0, v]                                 "up to 50"
around         [v(1 - tol), v(1 + tol)]               "some 300", "about 500", "(reported) 800"
exactly        [v, v]                                 "1,089 (verified)"
reported       [v(1 - 0.05), v(1 + 0.05)]             "5,759 killed" (a bare published number)
=============  =====================================  ==========================================

The gap is best - boundary (positive when the best estimate clears the boundary of the claim's
set, for lower-bounded claims; signed distance to the nearest edge otherwise).

Findings a reader can act on
----------------------------
The three-valued ``verdict`` above is kept (column ``verdict``) for code that reads it. Because
incident data are a **floor** (an unrecorded incident can only add deaths, so the data's errors
are one-sided), the column ``finding`` grades each claim on an asymmetric scale
(:func:`assess_claim`), whose words are in ``finding_label`` and whose full sentence, with the
gap, is in ``finding_sentence``:

============================  =====================================  ===============================
claim                         finding (``finding_label``)            when
============================  =====================================  ===============================
at least / more than *v*      confirmed                              even the low figures reach *v*
                              supported by the best count            the best count does, the low
                                                                     figures do not
                              possible (only the high figures ...)   only the high figures reach it
                              not reached by these data              not even the high figures (a
                                                                     floor can miss deaths)
at most / fewer than *v*      contradicted (even the low ...)        the low figures exceed it:
                                                                     robust to undercounting
                              doubtful (the best count exceeds it)   the best count exceeds it
                              consistent, cannot be confirmed        the best count is within it
around / reported / exactly   contradicted                           the low figures are above the
                                                                     claim's range
                              doubtful                               the best count is above it
                              consistent                             the best count is in the range
                              below the claim in the best count      the best count is below it,
                                                                     the high figures reach it
                              not reached by these data              even the high figures are below
============================  =====================================  ===============================

Ranges of the point claims: "around v" is v +/- ``tolerance`` (10%); a published number without a
qualifier ("5,759 killed", or a parenthesis such as "(recorded)") is **reported**, v +/-
``reported_tolerance`` (5%), never "exactly"; "exactly v" (the source's own word) is v +/- 0.
Sentences quote the claim's own qualifier and never say "exactly" unless the source did. A claim
whose window reaches outside the data's coverage keeps only the findings that a partial count
still proves (the data are a floor over the covered days): confirmed / supported by the best
count, and contradicted / doubtful; otherwise ``outside coverage``. The gap is ``difference`` =
best - v and ``difference_pct`` = 100 * (best - v) / v.

Caveat that the report repeats: incident data are a floor on what happened (not every incident is
recorded), so a count below a claim's threshold shows that *these data* do not reach it, not that
the claim is false.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

import pandas as pd

from trends.errors import EventError
from trends.results import Result, to_jsonable, whole_count
from trends.series.aggregate import attack_flags
from trends.verdicts.words import fmt_count, fmt_span, measure_words

__all__ = [
    "consistent_interval",
    "verdict",
    "check_claims",
    "claims_table",
    "ClaimsCheck",
    "QUANTITY_COLUMNS",
    "FINDINGS",
    "ClaimFinding",
    "assess_claim",
    "effective_qualifier",
    "claim_words",
    "finding_sentence",
    "REPORTED_TOLERANCE",
    "REGION_COLUMNS",
    "region_mask",
    "gap_text",
]

#: Relative tolerance of a published number without a qualifier ("reported").
REPORTED_TOLERANCE = 0.05

#: Finding key -> words, in the order the report lists them.
FINDINGS: dict[str, str] = {
    "confirmed": "confirmed",
    "supported_by_best": "supported by the best count",
    "possible": "possible (only the high figures reach it)",
    "consistent": "consistent",
    "consistent_unconfirmed": "consistent, cannot be confirmed",
    "below_in_best": "below the claim in the best count",
    "doubtful": "doubtful (the best count exceeds it)",
    "contradicted": "contradicted (even the low figures exceed it)",
    "not_reached": "not reached by these data",
    "outside_coverage": "cannot be judged: the window reaches outside the data",
    "not_checkable": "not checkable",
    "not_checked": "not checked",
}

_LOWER = ("at_least", "more_than")
_UPPER = ("at_most", "fewer_than", "almost")
_POINT = ("around", "reported", "exactly")

QUANTITY_COLUMNS: dict[str, tuple[str, str, str] | None] = {
    "civilian_deaths": ("civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high"),
    "child_deaths": ("child_deaths_low", "child_deaths", "child_deaths_high"),
    "injured": ("injured", "injured", "injured_high"),
    "attacks": None,  # counted as incidents
}


def consistent_interval(
    value: float,
    qualifier: str,
    tolerance: float = 0.1,
    reported_tolerance: float = REPORTED_TOLERANCE,
) -> tuple[float, float, bool, bool]:
    """The set of true values consistent with a claim.

    Parameters
    ----------
    value : float
        The claimed figure.
    qualifier : str
        One of at_least, more_than, almost, fewer_than, at_most, around, exactly, reported
        ("reported" uses :data:`REPORTED_TOLERANCE`).
    tolerance : float
        Relative tolerance of "around" and "almost".
    reported_tolerance : float
        Relative tolerance of "reported".

    Returns
    -------
    (lo, hi, lo_open, hi_open)
        The interval's bounds and whether each is open.
    """
    v = float(value)
    if qualifier == "at_least":
        return v, math.inf, False, True
    if qualifier == "more_than":
        return v, math.inf, True, True
    if qualifier == "almost":
        return v * (1 - tolerance), v, False, True
    if qualifier == "fewer_than":
        return 0.0, v, False, True
    if qualifier == "at_most":
        return 0.0, v, False, False
    if qualifier == "around":
        return v * (1 - tolerance), v * (1 + tolerance), False, False
    if qualifier == "exactly":
        return v, v, False, False
    if qualifier == "reported":
        return v * (1 - reported_tolerance), v * (1 + reported_tolerance), False, False
    raise EventError(f"unknown claim qualifier {qualifier!r}")


def _inside(x: float, lo: float, hi: float, lo_open: bool, hi_open: bool) -> bool:
    above = x > lo if lo_open else x >= lo
    below = x < hi if hi_open else x <= hi
    return above and below


def verdict(
    low: float,
    best: float,
    high: float,
    value: float,
    qualifier: str,
    tolerance: float = 0.1,
    reported_tolerance: float = REPORTED_TOLERANCE,
) -> tuple[str, float, bool]:
    """Verdict of one claim against an observed ``low <= best <= high``.

    Parameters
    ----------
    low, best, high : float
        Observed figures.
    value, qualifier, tolerance, reported_tolerance
        The claim (see :func:`consistent_interval`). A table's bare number or parenthesis
        ("84 (recorded)") is "reported", as in :func:`effective_qualifier`.

    Returns
    -------
    (verdict, gap, best_consistent)
        ``verdict`` is "supported", "not supported" or "undetermined"; ``gap`` is the signed
        distance of the best estimate from the claim's boundary; ``best_consistent`` whether the
        best estimate is consistent with the claim.
    """
    lo, hi, lo_open, hi_open = consistent_interval(value, qualifier, tolerance, reported_tolerance)
    low_in = _inside(low, lo, hi, lo_open, hi_open)
    high_in = _inside(high, lo, hi, lo_open, hi_open)
    best_in = _inside(best, lo, hi, lo_open, hi_open)
    # The consistent set is an interval, so [low, high] is inside it iff both ends are.
    if low_in and high_in:
        out = "supported"
    elif (high < lo or (lo_open and high <= lo)) or (low > hi or (hi_open and low >= hi)):
        out = "not supported"
    else:
        out = "undetermined"
    if math.isinf(hi):
        gap = best - lo
    elif best < lo:
        gap = best - lo
    elif best > hi:
        gap = best - hi
    else:
        gap = 0.0
    return out, float(gap), best_in


def effective_qualifier(qualifier: str, qualifier_raw: Any = None) -> str:
    """The qualifier the findings use: a bare published number is "reported", not "exactly".

    Parameters
    ----------
    qualifier : str
        The normalised qualifier (:data:`trends.events.QUALIFIERS`).
    qualifier_raw : str, optional
        The qualifier as written. Only a qualifier that begins with "exactly" keeps "exactly";
        an empty one or a parenthesis alone ("(recorded)") is "reported".

    Returns
    -------
    str
    """
    if qualifier != "exactly":
        return qualifier
    raw = qualifier_raw.strip().lower() if isinstance(qualifier_raw, str) else ""
    return "exactly" if raw.startswith("exactly") else "reported"


@dataclass(frozen=True)
class ClaimFinding:
    """Where the data leave one claim, on the asymmetric scale of the module docstring.

    Attributes
    ----------
    finding : str
        Key of :data:`FINDINGS`.
    label : str
        Its words.
    family : str
        "lower" (at least / more than), "upper" (at most / fewer than) or "point".
    qualifier : str
        The qualifier used (a bare number is "reported").
    tolerance : float
        Relative half-width of a point claim's range (0 for lower / upper claims).
    range_low, range_high : float
        The claim's range of consistent values.
    difference, difference_pct : float
        best - v, and as a percentage of v.
    """

    finding: str
    label: str
    family: str
    qualifier: str
    tolerance: float
    range_low: float
    range_high: float
    difference: float
    difference_pct: float


def _family(qualifier: str) -> str:
    if qualifier in _LOWER:
        return "lower"
    if qualifier in _UPPER:
        return "upper"
    if qualifier in _POINT:
        return "point"
    raise EventError(f"unknown claim qualifier {qualifier!r}")


def assess_claim(
    low: float,
    best: float,
    high: float,
    value: float,
    qualifier: str,
    *,
    tolerance: float = 0.1,
    reported_tolerance: float = REPORTED_TOLERANCE,
    covered: bool = True,
) -> ClaimFinding:
    """Grade one claim against the observed ``low <= best <= high`` (incident data: a floor).

    Parameters
    ----------
    low, best, high : float
        Observed sums of the low, best and high figures.
    value : float
        The claimed figure.
    qualifier : str
        at_least, more_than, at_most, fewer_than, almost, around, reported or exactly (use
        :func:`effective_qualifier` to read a bare number as "reported").
    tolerance : float
        Relative tolerance of "around".
    reported_tolerance : float
        Relative tolerance of "reported".
    covered : bool
        Whether the claim's window lies inside the data's coverage (see the module docstring).

    Returns
    -------
    ClaimFinding
    """
    v = float(value)
    family = _family(qualifier)
    tol = {"around": tolerance, "reported": reported_tolerance, "exactly": 0.0}.get(qualifier, 0.0)
    if family == "lower":
        lo_edge, hi_edge = v, math.inf
        reach = (lambda x: x > v) if qualifier == "more_than" else (lambda x: x >= v)
        key = (
            "confirmed"
            if reach(low)
            else "supported_by_best"
            if reach(best)
            else "possible"
            if reach(high)
            else "not_reached"
        )
        proven = key in ("confirmed", "supported_by_best")
    elif family == "upper":
        lo_edge, hi_edge = (v * (1 - tolerance) if qualifier == "almost" else 0.0), v
        over = (lambda x: x > v) if qualifier == "at_most" else (lambda x: x >= v)
        key = (
            "contradicted" if over(low) else "doubtful" if over(best) else "consistent_unconfirmed"
        )
        proven = key in ("contradicted", "doubtful")
    else:
        lo_edge, hi_edge = v * (1 - tol), v * (1 + tol)
        if low > hi_edge:
            key = "contradicted"
        elif best > hi_edge:
            key = "doubtful"
        elif best >= lo_edge:
            key = "consistent"
        elif high >= lo_edge:
            key = "below_in_best"
        else:
            key = "not_reached"
        proven = key in ("contradicted", "doubtful")
    if not covered and not proven:
        key = "outside_coverage"
    diff = float(best) - v
    return ClaimFinding(
        finding=key,
        label=FINDINGS[key],
        family=family,
        qualifier=qualifier,
        tolerance=float(tol),
        range_low=float(lo_edge),
        range_high=float(hi_edge),
        difference=diff,
        difference_pct=100.0 * diff / v if v else math.nan,
    )


def claim_words(
    value: float, qualifier: str, quantity: Any = None, qualifier_raw: Any = None
) -> str:
    """The claim in words, in the source's own qualifier: "more than 200 civilian deaths",
    "84 civilian deaths (recorded)", "5,759 civilian deaths (reported)".

    "exactly" is written only when the source's qualifier says it. Without ``quantity`` the
    measure is left out ("more than 200").

    Parameters
    ----------
    value : float
        The claimed figure (printed as an integer).
    qualifier : str
        The normalised qualifier.
    quantity : str, optional
        The quantity's key, named in words.
    qualifier_raw : str, optional
        The qualifier as written by the source (quoted as is).

    Returns
    -------
    str
    """
    what = f" {measure_words(str(quantity))}" if quantity is not None else ""
    n = fmt_count(value)
    raw = qualifier_raw.strip() if isinstance(qualifier_raw, str) else ""
    if raw.lower() in _QUAL_TEXT or raw.lower() == "reported":  # a code, not the claim's words
        raw = ""
    if raw.startswith("("):
        return f"{n}{what} {raw}"
    if raw:
        head, _, paren = raw.partition("(")
        tail = f" ({paren}" if paren else ""
        return f"{head.strip()} {n}{what}{tail}"
    if qualifier in ("exactly", "reported"):
        return f"{n}{what} (reported)"
    return f"{_QUAL_TEXT.get(qualifier, qualifier.replace('_', ' '))} {n}{what}"


def _gap_words(diff: float, pct: float) -> str:
    """ "3, or 1.5%, above it"; "equal to it"."""
    if not diff:
        return "equal to it"
    side = "above" if diff > 0 else "below"
    p = f", or {abs(pct):.1f}%," if math.isfinite(pct) else ""
    return f"{fmt_count(abs(diff))}{p} {side} it"


def finding_sentence(
    f: ClaimFinding,
    low: float,
    best: float,
    high: float,
    value: float,
    claim: str = "",
    floor: str = "incident data",
) -> str:
    """What the data say about one claim, with the gap, in one or two sentences.

    Parameters
    ----------
    f : ClaimFinding
    low, best, high : float
        Observed figures.
    value : float
        The claimed figure.
    claim : str
        The claim in words (:func:`claim_words`), quoted in the sentence.
    floor : str
        What the figures are ("incident data", "recorded counts"): the subject of "... are a
        floor, so unrecorded deaths could close the gap".

    Returns
    -------
    str
    """
    floor_words = f"{floor} are a floor, so unrecorded deaths could close the gap"
    b, lo, hi, v = fmt_count(best), fmt_count(low), fmt_count(high), fmt_count(value)
    c = f"\u201c{claim}\u201d" if claim else "the claim"
    gap = _gap_words(f.difference, f.difference_pct)
    reach = "exceed" if f.qualifier == "more_than" else "reach"
    top = fmt_count(f.range_high)
    texts = {
        "confirmed": f"Confirmed: even the low figures ({lo}) {reach} {c}; the best count is {b}.",
        "supported_by_best": f"The best count, {b}, supports {c} ({gap}); the low figures ({lo}) "
        "would not.",
        "possible": f"Possible: only the high figures ({hi}) {reach} {c}; the best count, {b}, "
        f"is {gap}, and {floor_words}.",
        "not_reached": f"Not reached by these data: even the high figures ({hi}) fall short of "
        f"{c}; the best count, {b}, is {gap}. This does not show the claim is false: {floor_words}.",
        "contradicted": f"Contradicted: even the low figures ({lo}) exceed {c}, and unrecorded "
        f"deaths could only add to them (the best count, {b}, is {gap}).",
        "doubtful": f"Doubtful: the best count, {b}, exceeds {c} ({gap}); the low figures ({lo}) "
        "do not.",
        "consistent_unconfirmed": f"Consistent with {c}, but it cannot be confirmed: the best "
        f"count, {b}, is {gap}, and a floor cannot show that the true number stayed below {v}.",
        "consistent": f"Consistent with {c}: the best count, {b}, is within "
        f"{100 * f.tolerance:.0f}% of {v} ({gap}).",
        "below_in_best": f"Below {c} in the best count: {b} is {gap}; only the high figures ({hi}) "
        f"reach it, and {floor_words}.",
        "outside_coverage": f"Cannot be judged: the window of {c} reaches outside the data's "
        f"coverage (the covered days give {b}, low {lo}, high {hi}).",
    }
    if f.family == "point":
        texts["contradicted"] = (
            f"Contradicted: even the low figures ({lo}) are above the range of {c} (up to {top}); "
            f"the best count, {b}, is {gap}."
        )
        texts["doubtful"] = (
            f"Doubtful: the best count, {b}, is above the range of {c} (up to {top}; {gap}); the "
            f"low figures ({lo}) are not."
        )
    return texts.get(f.finding, FINDINGS.get(f.finding, f.finding).capitalize() + ".")


def gap_text(difference: Any, difference_pct: Any) -> str:
    """The gap of a claim as the report's tables write it: ``"+16 (+160.0%)"``, ``"-66 (-44.0%)"``.

    Parameters
    ----------
    difference, difference_pct : float or None
        best - v and its percentage of v (the ``difference`` and ``difference_pct`` columns).

    Returns
    -------
    str
        Empty when the claim was not compared with the data.
    """
    if _absent(difference):
        return ""
    d = float(difference)
    num = f"{d:,.0f}" if (d.is_integer() and abs(d) >= 1) or abs(d) >= 100 else f"{d:.3g}"
    pct = "" if _absent(difference_pct) else f" ({float(difference_pct):+.1f}%)"
    return f"{'+' if d > 0 else ''}{num}{pct}"


def _absent(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x)) or not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


# ------------------------------------------------------------------------------ regions
#: Columns of an incident table that say where an incident happened, broadest first; a claim's
#: ``region`` is matched against them (:func:`region_mask`).
REGION_COLUMNS: tuple[str, ...] = ("region", "country", "admin1", "admin2", "admin3", "place")
#: The level of the areas of each column (that of the kind words of :data:`_KINDS`).
_COLUMN_LEVEL = {"region": 1, "country": 0, "admin1": 1, "admin2": 2, "admin3": 2, "place": 2}

#: Words that say which kind of area a name is ("Sagaing Region", "Idlib governorate"), by level:
#: 1 for first-level units, 2 for lower ones. "Sagaing" matches "Sagaing Region"; "Sagaing
#: Township" does not.
_KINDS: dict[str, tuple[str, int]] = {
    **{w: (w, 1) for w in ("region", "province", "state", "governorate", "oblast", "division",
                           "prefecture", "department", "territory", "wilaya", "muhafazah")},
    **{w: (w, 2) for w in ("district", "county", "raion", "rayon", "township", "municipality",
                           "subdistrict", "nahiya", "commune", "city", "town", "village")},
}  # fmt: skip
_KINDS.update({w + "s": v for w, v in list(_KINDS.items())})
_KINDS.update({"provinces": ("province", 1), "territories": ("territory", 1),
               "counties": ("county", 2), "municipalities": ("municipality", 2),
               "cities": ("city", 2)})  # fmt: skip
_ARTICLES = ("al", "el", "ad", "ar", "as", "at", "an", "az", "the")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bb\u02bc\u02bf\u02be'`]")
_SEPARATORS = re.compile(r"\s*(?:[,;&+/]|\band\b)\s*", re.IGNORECASE)


def _name(text: Any, kind: tuple[str, int] | None = None) -> tuple[str, int | None, str]:
    """``(core, level, key)`` of a place name: case, accents, punctuation, spaces and a leading
    article ignored; ``core`` without the kind word ("sagaing"), ``key`` with it in the
    singular ("sagaingregion"); ``kind`` is given to a name that has none."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^\w]+|_", " ", _APOSTROPHES.sub("", text)).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    kinds = [_KINDS[w] for w in words if w in _KINDS]
    core = [w for w in words if w not in _KINDS]
    if not kinds and kind is not None:
        kinds = [kind]
    level = kinds[-1][1] if kinds else None
    key = "".join(core) + "".join(k[0] for k in kinds)
    return "".join(core), level, key


def _spelling(values: pd.Series) -> str:
    """The most frequent spelling of equivalent names (first seen on a tie)."""
    counts = values.value_counts(sort=False)
    return str(counts.idxmax())


def _match_name(
    incidents: pd.DataFrame, columns: list[str], text: str, kind: tuple[str, int] | None
) -> tuple[str, str | None, list[str]]:
    """``("ok" | "ambiguous" | "none", column, values)`` of one region name."""
    core, level, _ = _name(text, kind)
    if not core:
        return "none", None, []
    found = []
    for col in columns:
        vals = incidents[col].dropna().astype(str)
        names = {v: _name(v) for v in vals.unique()}
        hits = [v for v, (c, lv, _) in names.items()
                if c == core and (level is None or lv is None or lv == level)]  # fmt: skip
        if hits:
            found.append((col, hits, names))
    if not found:
        return "none", None, []
    # A name that says its kind is read in a column of that level ("Sagaing Township" in place,
    # "Idlib governorate" in admin1); a bare name ("Sagaing") as the broadest area it names (a
    # region contains its namesake town).
    same = [f for f in found if _COLUMN_LEVEL.get(f[0]) == level] if level is not None else []
    col, hits, names = (same or found)[0]
    if len({names[v][1] for v in hits} - {None}) > 1:
        return "ambiguous", col, sorted(hits)
    vals = incidents[col].dropna().astype(str)
    groups: dict[str, list[str]] = {}
    for v in hits:
        groups.setdefault(names[v][2], []).append(v)
    shown = [_spelling(vals[vals.isin(g)]) for g in groups.values()]
    return "ok", col, shown


def region_mask(incidents: pd.DataFrame, region: Any) -> tuple[pd.Series | None, str]:
    """The incidents of a claim's region.

    The region is matched against the incident table's :data:`REGION_COLUMNS` ignoring case,
    accents, punctuation, spaces and a leading article; a kind word ("Region", "province",
    "governorate", "district"...) may be left out on either side, but two different kinds do not
    match ("Sagaing" matches "Sagaing Region"; "Sagaing Township" does not). A bare name found in
    several columns is read as the broadest ("Idlib": the governorate, not the city); one that
    matches two different areas of a column ("Sagaing Region" and "Sagaing District") is
    ambiguous. A region that matches nothing is tried as a list ("Hama and Idlib provinces",
    "Sagaing, Magway"): every part must match.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incident table.
    region : str
        The claim's region as written.

    Returns
    -------
    (mask or None, str)
        The boolean mask of the incidents in the region and the words saying what was matched
        (``"admin1 'Sagaing Region'"``); or None and the reason the region cannot be applied.
    """
    text = str(region).strip()
    columns = [c for c in REGION_COLUMNS
               if c in incidents.columns and incidents[c].notna().any()]  # fmt: skip
    if not columns:
        return None, (
            f"the claim is about {text!r}, but the data have no column saying where an incident "
            f"happened ({', '.join(REGION_COLUMNS[:-1])} or {REGION_COLUMNS[-1]}), so it cannot "
            "be limited to that region"
        )
    where = f"the data's {', '.join(columns)} column{'s' if len(columns) > 1 else ''}"
    status, col, values = _match_name(incidents, columns, text, None)
    parts = [(status, col, values)]
    if status == "none":
        names = [p for p in _SEPARATORS.split(text) if p.strip()]
        if len(names) > 1:
            # "Sagaing and Magway regions": the last name's kind word is every name's
            kind = next((_KINDS[w] for w in reversed(re.findall(r"\w+", names[-1].casefold()))
                         if w in _KINDS), None)  # fmt: skip
            parts = [_match_name(incidents, columns, p, kind) for p in names]
            missing = [p for p, (st, _, _) in zip(names, parts, strict=True) if st == "none"]
            if missing:
                return None, (
                    f"region {text!r}: {', '.join(map(repr, missing))} matches no place or area "
                    f"named in {where}, so the claim cannot be limited to it"
                )
        else:
            return None, (
                f"region {text!r} matches no place or area named in {where}, so the claim "
                "cannot be limited to it"
            )
    for st, c, vals in parts:
        if st == "ambiguous":
            return None, (
                f"region {text!r} is ambiguous in the data's {c} column "
                f"({', '.join(map(repr, vals))}): name one"
            )
    mask = pd.Series(False, index=incidents.index)
    used: dict[str, list[str]] = {}
    for _, c, vals in parts:
        mask |= incidents[c].astype("string").isin(_all_spellings(incidents[c], vals)).fillna(False)
        used.setdefault(c, []).extend(v for v in vals if v not in used.get(c, []))
    words = " or ".join(f"{c} {', '.join(map(repr, vals))}" for c, vals in used.items())
    return mask.astype(bool), words


def _all_spellings(column: pd.Series, shown: list[str]) -> list[str]:
    """Every value of ``column`` equivalent (same :func:`_name` key) to one of ``shown``."""
    keys = {_name(v)[2] for v in shown}
    return [v for v in column.dropna().astype(str).unique() if _name(v)[2] in keys]


def claims_table(claims: Any) -> pd.DataFrame:
    """Claims as a table: a copy of a DataFrame, or one row per :class:`Claim` of a sequence.

    Parameters
    ----------
    claims : DataFrame or sequence of Claim (or of objects with attributes)

    Returns
    -------
    pandas.DataFrame
    """
    return _claims_frame(claims)


def _claims_frame(claims) -> pd.DataFrame:
    if isinstance(claims, pd.DataFrame):
        return claims.copy()
    rows = []
    for c in claims:
        rows.append(asdict(c) if is_dataclass(c) else dict(vars(c)))
    return pd.DataFrame(rows)


def _resolve(value, timeline) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    if hasattr(value, "start"):
        return pd.Timestamp(value.start).normalize()
    text = str(value).strip()
    if not text:
        return None
    try:
        return pd.Timestamp(text).normalize()
    except (ValueError, TypeError):
        if timeline is None:
            raise EventError(
                f"claim window refers to event {text!r} but no timeline was given"
            ) from None
        return pd.Timestamp(timeline.resolve(text)).normalize()


class ClaimsCheck(Result):
    """Verdicts for a table of claims; ``frame`` holds one row per claim."""

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        data_start,
        data_end,
        tolerance: float,
        floor: str = "incident data",
    ) -> None:
        self.frame = frame
        self.floor = floor
        self.data_start = pd.Timestamp(data_start) if data_start is not None else None
        self.data_end = pd.Timestamp(data_end) if data_end is not None else None
        self.tolerance = tolerance

    @property
    def checked(self) -> pd.DataFrame:
        """Claims that were compared with the data."""
        return self.frame[
            self.frame["verdict"].isin(["supported", "not supported", "undetermined"])
        ]

    def summary(self) -> pd.DataFrame:
        """One row per claim: the claim, the observed figures, verdict, finding and gap."""
        cols = [
            "claim_id", "as_of", "window_start", "window_end", "quantity", "qualifier",
            "qualifier_used", "value", "observed_low", "observed_best", "observed_high",
            "verdict", "finding", "finding_label", "difference", "difference_pct", "gap",
            "gap_pct", "reason",
        ]  # fmt: skip
        return self.frame[[c for c in cols if c in self.frame.columns]]

    def findings(self) -> pd.Series:
        """How many claims got each finding (:data:`FINDINGS` order, zeros left out)."""
        if "finding" not in self.frame:
            return pd.Series(dtype=int)
        counts = self.frame["finding"].value_counts()
        return pd.Series({k: int(counts[k]) for k in FINDINGS if k in counts}, dtype=int)

    def report(self) -> str:
        checked = self.checked
        counts = self.findings()
        parts = [
            f"{n} {FINDINGS[k]}"
            for k, n in counts.items()
            if k not in ("not_checkable", "not_checked", "outside_coverage")
        ]
        judged = ("; " if any("," in p for p in parts) else ", ").join(parts)
        n_out = int(counts.get("outside_coverage", 0))
        # the list adds up to the number checked; claims outside the data are said apart
        outside = f" {n_out} more {FINDINGS['outside_coverage']}." if n_out else ""
        lines = [
            f"{len(checked) - n_out} of {len(self.frame)} claims could be checked against the "
            "data" + (f": {judged}." if judged else ".") + outside
        ]
        for _, r in checked.iterrows():
            lines.append(_sentence(r))
        lines.append(
            f"{self.floor[:1].upper()}{self.floor[1:]} are a floor on what happened: a count below "
            "a claim's threshold shows "
            "that these data do not reach it, not that the claim is false."
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for _, r in self.frame.iterrows():
            items.append(
                {
                    "claim_id": r.get("claim_id"),
                    "as_of": r.get("as_of"),
                    "window_start": r.get("window_start_date"),
                    "window_end": r.get("window_end_date"),
                    "quantity": r.get("quantity"),
                    "region": r.get("region"),
                    "region_used": r.get("region_used"),
                    "value": whole_count(r.get("value")),
                    "qualifier": r.get("qualifier"),
                    "qualifier_used": r.get("qualifier_used"),
                    "tolerance_used": r.get("tolerance_used"),
                    "observed": {
                        "low": whole_count(r.get("observed_low")),
                        "best": whole_count(r.get("observed_best")),
                        "high": whole_count(r.get("observed_high")),
                    },
                    "verdict": r.get("verdict"),
                    "finding": r.get("finding"),
                    "finding_label": r.get("finding_label"),
                    "finding_sentence": r.get("finding_sentence"),
                    "gap": whole_count(r.get("gap")),
                    "gap_pct": r.get("gap_pct"),
                    "difference": whole_count(r.get("difference")),
                    "difference_pct": r.get("difference_pct"),
                    "reason": r.get("reason"),
                    "source": r.get("source"),
                    "url": r.get("url"),
                }
            )
        return to_jsonable(
            {
                "tolerance": self.tolerance,
                "reported_tolerance": REPORTED_TOLERANCE,
                "scale": dict(FINDINGS),
                "claims": items,
            }
        )

    # plot(): inherited from Result, draws the chart registered for ClaimsCheck


_QUAL_TEXT = {
    "at_least": "at least",
    "more_than": "more than",
    "fewer_than": "fewer than",
    "almost": "almost",
    "at_most": "at most",
    "around": "around",
    "exactly": "exactly",
}


def _sentence(r) -> str:
    """A bullet: the claim in its own words, the window, the source, the data and the finding."""
    claim = claim_words(r["value"], r["qualifier"], r["quantity"], r.get("qualifier_raw"))
    window = fmt_span(r["window_start_date"], r["window_end_date"])
    obs = (
        f"{fmt_count(r['observed_best'])} (low {fmt_count(r['observed_low'])}, "
        f"high {fmt_count(r['observed_high'])})"
    )
    src = f" ({r['source']})" if isinstance(r.get("source"), str) and r.get("source") else ""
    said = r.get("finding_sentence")
    has = isinstance(said, str) and bool(said)
    reason = r.get("reason")
    why = f" ({reason})" if not has and isinstance(reason, str) and reason else ""
    said = said if has else f"{r['verdict']}."
    return (
        f"- Claim {r.get('claim_id', '')}: {claim}, {window}{src}: the data give {obs}{why}. {said}"
    )


def _finding_columns(
    row: dict[str, Any],
    qualifier_raw: Any,
    tolerance: float,
    reported: float,
    covered: bool,
    floor: str = "incident data",
) -> dict[str, Any]:
    """The asymmetric-scale columns of one checked claim."""
    low, best, high = row["observed_low"], row["observed_best"], row["observed_high"]
    value = float(row["value"])
    qual = effective_qualifier(row["qualifier"], qualifier_raw)
    f = assess_claim(
        low,
        best,
        high,
        value,
        qual,
        tolerance=tolerance,
        reported_tolerance=reported,
        covered=covered,
    )
    gap = row.get("gap")
    sentence = finding_sentence(
        f, low, best, high, value, claim_words(value, qual, None, qualifier_raw), floor
    )
    if not covered and f.finding != "outside_coverage":
        sentence += (
            " The window reaches outside the data's coverage, but the covered days alone already "
            "show this (a partial count is still a floor)."
        )
    return {
        "qualifier_used": qual,
        "tolerance_used": f.tolerance,
        "finding": f.finding,
        "finding_label": f.label,
        "finding_sentence": sentence,
        "difference": f.difference,
        "difference_pct": f.difference_pct,
        "gap_pct": 100.0 * gap / value if value and gap is not None else math.nan,
    }


#: The incident table's column saying who carried out each incident.
PERPETRATOR_COLUMN = "perpetrator"


def _actor_words(text: Any) -> str:
    """An actor's name as space-separated words: case, accents, punctuation and apostrophes
    ignored ("Arakan Army (AA)" -> "arakan army aa")."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", _APOSTROPHES.sub("", text)).split())


def perpetrator_mask(incidents: pd.DataFrame, perpetrator: Any) -> tuple[pd.Series | None, str]:
    """The incidents of a claim's perpetrator.

    The name is matched against the incident table's ``perpetrator`` column, ignoring case,
    accents and punctuation: a value matches when the claim's words appear in it in order, as
    whole words ("Tatmadaw" matches "Tatmadaw airstrike" and "Tatmadaw ground"; "Arakan Army"
    matches "Arakan Army (AA)"; "Army" alone matches every value with the word "army").

    Parameters
    ----------
    incidents : DataFrame
        Canonical incident table.
    perpetrator : str
        The claim's perpetrator as written.

    Returns
    -------
    (mask or None, str)
        The boolean mask of the claim's incidents and the words saying what was matched
        (``"perpetrator 'Arakan Army (AA)'"``); or None and the reason the claim cannot be
        limited to that perpetrator.
    """
    text = str(perpetrator).strip()
    col = PERPETRATOR_COLUMN
    if col not in incidents.columns or not incidents[col].notna().any():
        return None, (
            f"the claim is about incidents by {text!r}, but the data do not say who carried out "
            "each incident (no perpetrator column), so it cannot be limited to them"
        )
    wanted = _actor_words(text)
    values = incidents[col].dropna().astype(str)
    words = {v: _actor_words(v) for v in values.unique()}
    hits = sorted(v for v, w in words.items() if wanted and f" {wanted} " in f" {w} ")
    if not hits:
        known = ", ".join(repr(v) for v in sorted(words)[:8])
        more = ", ..." if len(words) > 8 else ""
        return None, (
            f"no incident's perpetrator matches {text!r} (the data name {known}{more}), so the "
            "claim cannot be limited to them"
        )
    mask = incidents[col].astype("string").isin(hits).fillna(False).astype(bool)
    shown = ", ".join(repr(v) for v in hits[:6]) + (", ..." if len(hits) > 6 else "")
    return mask, f"perpetrator {shown}"


def _counts_quantity(incidents: pd.DataFrame, quantity: str) -> bool:
    """Whether the incident table gives any figure for ``quantity`` (an empty column does not)."""
    cols = QUANTITY_COLUMNS[quantity]
    if cols is None:
        return True
    return cols[1] in incidents.columns and bool(incidents[cols[1]].notna().any())


def _region_note(region: str, used: str) -> str:
    """Why a checked claim's region was read as it was, when that took a judgement (a kind word
    left out, a name found in several columns, a list of names); empty when it is plain."""
    plain = re.fullmatch(r"(\w+) '(.*)'", used)
    if plain and _name(plain.group(2))[2] == _name(region)[2]:
        return ""
    return f"region {region!r} read as {used}"


def _observed(sub: pd.DataFrame, quantity: str) -> tuple[float, float, float]:
    """Sums of the low, best and high figures of a claim's incidents (or their number)."""
    cols = QUANTITY_COLUMNS[quantity]
    if cols is None:  # attacks: the rows the series counts as attacks (ACLED: violent events)
        return (float(attack_flags(sub).sum()),) * 3
    lo_c, best_c, hi_c = (c2 if c2 in sub.columns else None for c2 in cols)
    b = sub[best_c or cols[1]].astype("Float64")
    # Per incident, low <= best <= high (a range that excludes the preferred figure is widened
    # to include it) before summing.
    lo_v = sub[lo_c].astype("Float64").fillna(b) if lo_c else b
    hi_v = sub[hi_c].astype("Float64").fillna(b) if hi_c else b
    lo_v = lo_v.where(lo_v.isna() | b.isna() | (lo_v <= b), b)
    hi_v = hi_v.where(hi_v.isna() | b.isna() | (hi_v >= b), b)
    # An incident without a best figure adds nothing to any of the three sums.
    lo_v, hi_v = lo_v.where(b.notna()), hi_v.where(b.notna())
    return float(lo_v.sum()), float(b.sum()), float(hi_v.sum())


def _scopes_mask(
    mask: pd.Series,
    claim: Mapping,
    incidents: pd.DataFrame,
    scopes: Mapping[str, Callable[[pd.DataFrame], pd.Series] | None],
    scope_column: str,
) -> tuple[pd.Series | None, str]:
    """``mask`` narrowed to a claim's region scope and perpetrator scope of ``scopes``.

    Returns the mask and ``""``, or ``None`` and why the claim is not checked (a perpetrator
    scope the mapping does not hold).
    """
    fn = scopes[claim.get(scope_column)]
    if fn is not None:
        mask = mask & fn(incidents).fillna(False).astype(bool)
    perp = claim.get("perpetrator_scope")
    if isinstance(perp, str) and perp:
        key = f"perpetrator:{perp}"
        if key not in scopes:
            return None, f"no perpetrator scope {perp!r} in the data"
        if scopes[key] is not None:
            mask = mask & scopes[key](incidents).fillna(False).astype(bool)
    return mask, ""


def _quantity_words(c: pd.Series, quantity) -> str:
    """A claim's quantity in its own wording when there is one ("deaths (all)" says more)."""
    what = next(
        (
            c.get(k)
            for k in ("quantity_raw", "quantity_text")
            if isinstance(c.get(k), str) and c.get(k)
        ),
        str(quantity),
    )
    return measure_words(str(quantity)) if "_" in str(what) else what


def check_claims(
    claims,
    incidents: pd.DataFrame,
    *,
    timeline=None,
    data_start=None,
    data_end=None,
    scopes: Mapping[str, Callable[[pd.DataFrame], pd.Series] | None] | None = None,
    scope_column: str = "region_scope",
    tolerance: float = 0.1,
    reported_tolerance: float = REPORTED_TOLERANCE,
    regions: bool | None = None,
    floor: str = "incident data",
) -> ClaimsCheck:
    """Check every claim of a table against the incidents (vectorised over claims).

    Parameters
    ----------
    claims : DataFrame or sequence of Claim
        Columns / attributes: ``window_start``, ``window_end`` (dates, or event ids resolved with
        ``timeline``), ``value``, ``qualifier``, ``quantity``; optional ``claim_id``, ``as_of``,
        ``source``, ``url`` and a scope column (see ``scopes``).
    incidents : DataFrame
        Canonical incident table (already filtered to the region of interest).
    timeline : Timeline, optional
        Resolves event ids used as window bounds.
    data_start, data_end : date-like, optional
        The period the data cover (default: first and last incident date). A claim whose window
        reaches outside it is *undetermined (outside coverage)*.
    scopes : mapping, optional
        Which claims concern the data: for each value of ``scope_column``, ``None`` (all
        incidents) or a function returning a boolean mask of the incidents in that scope. Claims
        whose scope is not a key are reported as *not checked* with the reason. By default every
        claim is checked against every incident. A ``perpetrator_scope`` column, if present, is
        looked up in the same mapping (as ``"perpetrator:<value>"``); without ``scopes`` it is
        matched against the data's ``perpetrator`` column (:func:`perpetrator_mask`), and a
        claim whose perpetrator cannot be applied is *not checked*, never judged on every
        incident. A quantity the data do not count (no column, or an empty one) is *not
        checkable*.
    tolerance : float
        Relative tolerance of "around" and "fewer than" claims.
    reported_tolerance : float
        Relative tolerance of a published number without a qualifier (see
        :func:`effective_qualifier`), for the ``finding`` columns.
    regions : bool, optional
        Whether a claim's ``region`` limits the incidents it is checked on (:func:`region_mask`).
        Default: when no ``scopes`` are given (with ``scopes``, the scope column decides and the
        ``region`` column is free text). A claim whose region cannot be applied (the data name
        no place, or not that one, or it is ambiguous) is *not checked*, with the reason: it is
        never judged on the whole table. A claim without a region is checked on every incident.
        ``region_used`` says which column and names were matched.
    floor : str, default "incident data"
        What the figures are, in the findings' words ("... are a floor, so unrecorded deaths
        could close the gap"); a series' day-by-day check says "recorded counts".

    Returns
    -------
    ClaimsCheck
        ``frame`` keeps the ``verdict`` column (supported / not supported / undetermined / not
        checkable / not checked) and adds ``qualifier_used``, ``tolerance_used``, ``finding``,
        ``finding_label``, ``finding_sentence``, ``difference``, ``difference_pct``,
        ``gap_pct`` (see the module docstring), ``region_used`` and ``perpetrator_used``.
    """
    frame = _claims_frame(claims)
    by_region = scopes is None if regions is None else bool(regions)
    if frame.empty:
        return ClaimsCheck(frame, data_start=data_start, data_end=data_end, tolerance=tolerance)
    dates = pd.to_datetime(incidents["date"]).dt.normalize()
    d0 = pd.Timestamp(data_start) if data_start is not None else dates.min()
    d1 = pd.Timestamp(data_end) if data_end is not None else dates.max()
    out_rows = []
    for _, c in frame.iterrows():
        row = c.to_dict()
        ws = _resolve(c.get("window_start"), timeline)
        we = _resolve(c.get("window_end"), timeline)
        row["window_start_date"], row["window_end_date"] = ws, we
        row.update(observed_low=None, observed_best=None, observed_high=None, gap=None)
        row["region_used"] = row["perpetrator_used"] = None
        quantity = c.get("quantity")
        reason = ""
        mask = None
        region = c.get("region") if by_region else None
        region = region.strip() if isinstance(region, str) and region.strip() else None
        perp = c.get("perpetrator_scope") if scopes is None else None
        perp = perp.strip() if isinstance(perp, str) and perp.strip() else None
        if ws is None or we is None:
            row["verdict"], reason = "not checkable", "the claim's window has no date"
        elif quantity not in QUANTITY_COLUMNS or not _counts_quantity(incidents, quantity):
            what = _quantity_words(c, quantity)
            row["verdict"], reason = "not checkable", f"the data do not count {what}"
        elif scopes is not None and c.get(scope_column) not in scopes:
            row["verdict"], reason = (
                "not checked",
                f"region scope {c.get(scope_column)!r} is outside the data",
            )
        elif region is not None and (where := region_mask(incidents, region))[0] is None:
            row["verdict"], reason = "not checked", where[1]
        elif perp is not None and (by := perpetrator_mask(incidents, perp))[0] is None:
            row["verdict"], reason = "not checked", by[1]
        else:
            mask = (dates >= ws) & (dates <= we)
            if region is not None:
                mask &= where[0]
                row["region_used"] = where[1]
                reason = _region_note(region, where[1])
            if perp is not None:
                mask &= by[0]
                row["perpetrator_used"] = by[1]
                if by[1] != f"perpetrator {perp!r}":
                    said = f"perpetrator {perp!r} read as {by[1]}"
                    reason = f"{reason}; {said}" if reason else said
            if scopes is not None:
                mask, refused = _scopes_mask(mask, c, incidents, scopes, scope_column)
                if refused:
                    row["verdict"], reason = "not checked", refused
        if mask is not None:
            low, best, high = _observed(incidents.loc[mask], quantity)
            row.update(observed_low=low, observed_best=best, observed_high=high)
            # the verdict reads the claim as the findings do: "84 (recorded)" is reported, not exact
            qual = effective_qualifier(c["qualifier"], c.get("qualifier_raw"))
            v, gap, best_ok = verdict(
                low, best, high, float(c["value"]), qual, tolerance, reported_tolerance
            )
            covered = not (ws < d0 or we > d1)
            if not covered:
                v = "undetermined"
                outside = f"the window reaches outside the data's coverage ({fmt_span(d0, d1)})"
                reason = f"{outside}; {reason}" if reason else outside
            row.update(verdict=v, gap=gap, best_consistent=best_ok)
            row.update(
                _finding_columns(
                    row, c.get("qualifier_raw"), tolerance, reported_tolerance, covered, floor
                )
            )
            if row.get("finding") == "outside_coverage":  # not judged: no gap to quote
                row.update(gap=None, gap_pct=None, difference=None, difference_pct=None)
                if we < d0 or ws > d1:  # no day of the window in the data: no figure either
                    row.update(observed_low=None, observed_best=None, observed_high=None)
        else:
            key = "not_checkable" if row.get("verdict") == "not checkable" else "not_checked"
            row.update(finding=key, finding_label=FINDINGS[key], finding_sentence="")
        row["reason"] = reason
        out_rows.append(row)
    result = pd.DataFrame(out_rows)
    return ClaimsCheck(result, data_start=d0, data_end=d1, tolerance=tolerance, floor=floor)

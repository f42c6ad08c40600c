"""Published claims checked against a count series' daily counts (tallies, plain counts).

An incident table is checked incident by incident (:func:`trends.models.claims.check_claims`);
a series that carries no incidents (a monitor's cumulative tallies, a plain daily count file) is
checked day by day: each claim quantity is matched to the series measure whose name says it
counts it (:func:`claim_measures`), a claim about anything else is *not checkable* with that
reason, and a claim whose window holds days the source did not report is *undetermined*.

A series is one area's counts with no place per row: a claim that names a region is checked only
when the series' own region is known (``region=``) and matches it; otherwise it is *not checked*
with that reason (never judged on a total that may cover another area).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from trends.ingest import normalise_name
from trends.models.claims import FINDINGS, check_claims, claims_table
from trends.series import CountSeries
from trends.series.measured import people_words

__all__ = ["check_claims_on_series", "claim_measures"]

#: Names of series measures that count each claim quantity (compared after normalisation).
_CLAIM_QUANTITY_NAMES: dict[str, tuple[str, ...]] = {
    "civilian_deaths": ("civilian_deaths", "civilian_deaths_best", "deaths_best", "deaths",
                        "killed", "new_killed", "dead", "fatalities"),
    "child_deaths": ("child_deaths", "children_killed", "new_children", "children"),
    "injured": ("injured", "new_injured", "wounded", "injuries"),
}  # fmt: skip


def claim_measures(series: CountSeries) -> dict[str, str]:
    """Which measure of a series each claim quantity is checked against.

    Parameters
    ----------
    series : CountSeries

    Returns
    -------
    dict
        Claim quantity (``civilian_deaths``, ``child_deaths``, ``injured``) -> measure name,
        for the quantities a measure's name says it counts (``killed``, ``new_killed``,
        ``deaths`` -> ``civilian_deaths``...). Attacks are never a series measure: a daily total
        does not count incidents.
    """
    out: dict[str, str] = {}
    for quantity, names in _CLAIM_QUANTITY_NAMES.items():
        for m in series.counts.columns:
            meas = series.measures.get(m)
            if (meas is None or meas.role == "best") and normalise_name(m) in names:
                out.setdefault(quantity, m)
    return out


def check_claims_on_series(
    claims: pd.DataFrame, series: CountSeries, *, timeline: Any = None, region: str | None = None
) -> tuple[Any, list[str]]:
    """Check a claims table against a count series' daily counts.

    Parameters
    ----------
    claims : DataFrame or sequence of Claim
        The claims (:func:`trends.datasets.load_claims_table`, :func:`trends.events.load_claims`).
    series : CountSeries
        A tallies or counts series (daily, or summed from days).
    timeline : Timeline, optional
        Resolves event ids in the claims' windows.
    region : str, optional
        The area the series counts (a tallies file's one ``region``). A claim with a region is
        checked when it matches this one (:func:`trends.models.claims.region_mask`); without
        it, such a claim is *not checked*.

    Returns
    -------
    (ClaimsCheck or None, list of str)
        The check and sentences saying how the claims were checked (or why they could not be:
        then the check is None). A claim about a quantity the series does not count is *not
        checkable* with that reason; one whose window holds days the source did not report is
        *undetermined*.
    """
    if series.rule.key != "D" and series.days is None:
        return None, [
            f"Claims were not checked: the data are counts per {series.unit}, and a claim "
            "counts days; a total over a claim's days cannot be read from them."
        ]
    daily = series.daily()
    mapping = claim_measures(daily)
    table = pd.DataFrame({"date": daily.counts.index})
    region = region if region is not None else getattr(series.provenance, "region", None)
    if isinstance(region, str) and region.strip():
        table["region"] = region.strip()
    for quantity, measure in mapping.items():
        table[f"{quantity}_best" if quantity == "civilian_deaths" else quantity] = daily.measure(
            measure
        ).to_numpy()
    work = claims_table(claims)
    asked = work["quantity"].astype(str)
    work["quantity"] = _quantities_in_series(work, asked, daily, mapping)
    reported = daily.reported[daily.reported]
    d0, d1 = (reported.index[0], reported.index[-1]) if len(reported) else (None, None)
    check = check_claims(
        work, table, timeline=timeline, data_start=d0, data_end=d1, floor="recorded counts"
    )
    _mark_series_claims(check.frame, asked, daily, series.provenance.kind)
    unplaced = int(check.frame["reason"].astype(str).str.contains(_NO_REGION, regex=False).sum())
    notes = [
        f"Claims about {q.replace('_', ' ')} were checked against {daily.label(m)}, day by day."
        for q, m in mapping.items()
    ]
    if unplaced:
        notes.append(
            f"{unplaced} {'claim' if unplaced == 1 else 'claims'} naming a region "
            f"{'was' if unplaced == 1 else 'were'} not checked: these data are one series "
            "with no region named, so a claim about a region cannot be told apart from one about "
            "another area."
        )
    if not mapping:
        notes.append(
            "No claim could be checked: no measure of the data counts civilian deaths, child "
            "deaths or injured (name one with --columns, e.g. Killed=civilian_deaths)."
        )
    return check, notes


def _quantities_in_series(
    work: pd.DataFrame, asked: pd.Series, daily: CountSeries, mapping: dict[str, str]
) -> pd.Series:
    """The quantity each claim is checked as: its own when a measure counts it; a claim in the
    words of a measure itself ("killed", "people killed" against a series of killed) is checked
    against that measure; any other is ``"not_in_series"`` (not checkable)."""
    own: dict[str, str] = {}
    for quantity, measure in mapping.items():
        for words in (measure, daily.label(measure), people_words(daily.label(measure))):
            own.setdefault(normalise_name(words), quantity)
    raw = pd.Series("", index=work.index)
    for k in ("quantity_raw", "quantity_text"):
        if k in work.columns:
            text = work[k].where(work[k].map(lambda v: isinstance(v, str) and bool(v.strip())))
            raw = raw.where(raw != "", text.fillna(""))
    same = raw.map(lambda t: own.get(normalise_name(t)) if t else None)
    out = asked.where(asked.isin(list(mapping)), same)
    return out.fillna("not_in_series")


#: Words of the reason of a claim whose region a series cannot apply.
_NO_REGION = "are one series with no region named"


def _mark_series_claims(
    frame: pd.DataFrame, asked: pd.Series, daily: CountSeries, kind: str
) -> None:
    """Restore each claim's quantity; say why the unchecked are; days not reported."""
    frame["quantity"] = asked.to_numpy()
    measures = ", ".join(daily.label(m) for m in daily.counts.columns)
    cover = _covering_report(daily)
    for i in frame.index:
        q = str(frame.at[i, "quantity"])
        why = str(frame.at[i, "reason"])
        if frame.at[i, "verdict"] == "not checked" and "no column saying where" in why:
            region = frame.at[i, "region"] if "region" in frame.columns else ""
            frame.at[i, "reason"] = (
                f"these data ({kind}) {_NO_REGION}, so the claim about {region!r} cannot be "
                "limited to that region"
            )
            continue
        if frame.at[i, "verdict"] == "not checkable" and q not in ("nan", "None"):
            if str(frame.at[i, "reason"]).startswith("the data do not count"):
                raw = next((str(frame.at[i, k]) for k in ("quantity_raw", "quantity_text")
                            if k in frame.columns and isinstance(frame.at[i, k], str)
                            and frame.at[i, k].strip()), None)  # fmt: skip
                said = repr(raw) if raw and q == "other" else q.replace("_", " ")
                extra = (
                    " (a claim about deaths is checked against a series of killed only when it "
                    "says the dead were civilians)"
                    if q == "other" and raw and re.search(r"kill|death|dead", raw, re.I)
                    else ""
                )
                frame.at[i, "reason"] = f"these data ({kind}) count {measures}, not {said}{extra}"
            continue
        ws, we = frame.at[i, "window_start_date"], frame.at[i, "window_end_date"]
        if frame.at[i, "verdict"] in ("supported", "not supported") and not pd.isna(ws):
            why = _window_gaps(daily.counts.index, cover, ws, we)
            if why:  # the finding says so too (a day left out may be a tally's revision)
                _unjudged(frame, i, why)


def _unjudged(frame: pd.DataFrame, i: Any, why: str) -> None:
    """Mark claim ``i`` as not judged: its window's days are not reported one by one."""
    frame.at[i, "verdict"] = "undetermined"
    frame.at[i, "reason"] = why
    if "finding" not in frame.columns:
        return
    frame.at[i, "finding"] = "window_gaps"
    frame.at[i, "finding_label"] = FINDINGS["window_gaps"]
    frame.at[i, "finding_sentence"] = (
        f"Cannot be judged: {why}, so the reported days alone neither confirm nor contradict "
        "it (a day left out may hold any count, or a downward revision of a running total)."
    )
    for k in ("gap", "gap_pct", "difference", "difference_pct"):
        if k in frame.columns:
            frame.at[i, k] = None


def _covering_report(daily: CountSeries) -> tuple[np.ndarray, np.ndarray]:
    """For each day, the position of the report whose count covers it (-1: none), and the
    first day (position) each report covers.

    A report after a gap (a tallies total that moved after frozen days) covers the days of its
    exposure: those days are not reported one by one, but the report's count holds them.
    """
    reported = daily.reported.to_numpy()
    exposure = daily.exposure.reindex(daily.counts.index).fillna(1).to_numpy(dtype=np.int64)
    n = reported.size
    by = np.where(reported, np.arange(n), -1)
    first = np.arange(n) - np.maximum(exposure, 1) + 1
    for s in np.flatnonzero(reported & (exposure > 1)):
        lo = max(int(first[s]), 0)
        by[lo : s + 1] = np.where(by[lo : s + 1] == -1, s, by[lo : s + 1])
    return by, first


def _window_gaps(
    days: pd.DatetimeIndex, cover: tuple[np.ndarray, np.ndarray], ws: Any, we: Any
) -> str:
    """Why a claim window's total cannot be read from the days (``""``: it can).

    Every day of the window must be counted by a report inside the window whose days all lie
    inside it: a day no report covers, or one covered only by a report after the window, is not
    reported in it; a report inside the window that also covers days before it (a total after
    a gap reaching across the window's start) cannot be split at the limit.
    """
    by, first = cover
    inside = np.asarray((days >= ws) & (days <= we))
    pos = np.flatnonzero(inside)
    if pos.size == 0:
        return ""
    lo, hi = int(pos[0]), int(pos[-1])
    covering = by[inside]
    uncovered = int(np.sum((covering == -1) | (covering > hi)))  # counted after the window
    across = {int(s) for s in covering[(covering >= 0) & (covering <= hi)] if first[s] < lo}
    if uncovered:
        return f"{uncovered} {'day' if uncovered == 1 else 'days'} of the claim's window {'was' if uncovered == 1 else 'were'} not reported"
    if across:
        return (
            f"{len(across)} report(s) covering several days reach across the claim's window "
            "limits: their counts cannot be split at the limit"
        )
    return ""

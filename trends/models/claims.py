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
fewer_than     [v(1 - tol), v)                        "almost 500", "nearly 1,100"
at_most        [0, v]                                 "up to 50"
around         [v(1 - tol), v(1 + tol)]               "some 300", "about 500", "(reported) 800"
exactly        [v, v]                                 "1,089 (verified)"
=============  =====================================  ==========================================

The gap is best - boundary (positive when the best estimate clears the boundary of the claim's
set, for lower-bounded claims; signed distance to the nearest edge otherwise).

Caveat that the report repeats: incident data are a floor on what happened (not every incident is
recorded), so a count below a claim's threshold shows that *these data* do not reach it, not that
the claim is false.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, is_dataclass
from typing import Any

import pandas as pd

from trends.errors import EventError
from trends.results import Result, to_jsonable

__all__ = ["consistent_interval", "verdict", "check_claims", "ClaimsCheck", "QUANTITY_COLUMNS"]

QUANTITY_COLUMNS: dict[str, tuple[str, str, str] | None] = {
    "civilian_deaths": ("civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high"),
    "child_deaths": ("child_deaths_low", "child_deaths", "child_deaths_high"),
    "injured": ("injured", "injured", "injured_high"),
    "attacks": None,  # counted as incidents
}


def consistent_interval(
    value: float, qualifier: str, tolerance: float = 0.1
) -> tuple[float, float, bool, bool]:
    """The set of true values consistent with a claim.

    Parameters
    ----------
    value : float
        The claimed figure.
    qualifier : str
        One of at_least, more_than, fewer_than, at_most, around, exactly.
    tolerance : float
        Relative tolerance of "around" and "fewer than".

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
    if qualifier == "fewer_than":
        return v * (1 - tolerance), v, False, True
    if qualifier == "at_most":
        return 0.0, v, False, False
    if qualifier == "around":
        return v * (1 - tolerance), v * (1 + tolerance), False, False
    if qualifier == "exactly":
        return v, v, False, False
    raise EventError(f"unknown claim qualifier {qualifier!r}")


def _inside(x: float, lo: float, hi: float, lo_open: bool, hi_open: bool) -> bool:
    above = x > lo if lo_open else x >= lo
    below = x < hi if hi_open else x <= hi
    return above and below


def verdict(
    low: float, best: float, high: float, value: float, qualifier: str, tolerance: float = 0.1
) -> tuple[str, float, bool]:
    """Verdict of one claim against an observed ``low <= best <= high``.

    Parameters
    ----------
    low, best, high : float
        Observed figures.
    value, qualifier, tolerance
        The claim (see :func:`consistent_interval`).

    Returns
    -------
    (verdict, gap, best_consistent)
        ``verdict`` is "supported", "not supported" or "undetermined"; ``gap`` is the signed
        distance of the best estimate from the claim's boundary; ``best_consistent`` whether the
        best estimate is consistent with the claim.
    """
    lo, hi, lo_open, hi_open = consistent_interval(value, qualifier, tolerance)
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

    def __init__(self, frame: pd.DataFrame, *, data_start, data_end, tolerance: float) -> None:
        self.frame = frame
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
        cols = [
            "claim_id", "as_of", "window_start", "window_end", "quantity", "qualifier", "value",
            "observed_low", "observed_best", "observed_high", "verdict", "gap", "reason",
        ]  # fmt: skip
        return self.frame[[c for c in cols if c in self.frame.columns]]

    def report(self) -> str:
        checked = self.checked
        counts = checked["verdict"].value_counts()
        lines = [
            f"{len(checked)} of {len(self.frame)} claims could be checked against the data: "
            f"{counts.get('supported', 0)} supported, {counts.get('not supported', 0)} not supported, "
            f"{counts.get('undetermined', 0)} undetermined within the data's low-high range."
        ]
        for _, r in checked.iterrows():
            lines.append(_sentence(r))
        lines.append(
            "Incident data are a floor on what happened: a count below a claim's threshold shows "
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
                    "value": r.get("value"),
                    "qualifier": r.get("qualifier"),
                    "observed": {
                        "low": r.get("observed_low"),
                        "best": r.get("observed_best"),
                        "high": r.get("observed_high"),
                    },
                    "verdict": r.get("verdict"),
                    "gap": r.get("gap"),
                    "reason": r.get("reason"),
                    "source": r.get("source"),
                    "url": r.get("url"),
                }
            )
        return to_jsonable({"tolerance": self.tolerance, "claims": items})

    def plot(self, ax=None):
        from trends.plots.claims import plot_claims

        return plot_claims(self, ax=ax)


_QUAL_TEXT = {
    "at_least": "at least",
    "more_than": "more than",
    "fewer_than": "fewer than (almost)",
    "at_most": "at most",
    "around": "around",
    "exactly": "exactly",
}


def _sentence(r) -> str:
    what = str(r["quantity"]).replace("_", " ")
    claim = f"{_QUAL_TEXT.get(r['qualifier'], r['qualifier'])} {r['value']:,.0f} {what}"
    window = f"{r['window_start_date']:%d %b %Y} to {r['window_end_date']:%d %b %Y}"
    obs = (
        f"{r['observed_best']:,.0f} (low {r['observed_low']:,.0f}, high {r['observed_high']:,.0f})"
    )
    src = f" ({r['source']})" if isinstance(r.get("source"), str) and r.get("source") else ""
    why = f" ({r['reason']})" if isinstance(r.get("reason"), str) and r.get("reason") else ""
    return (
        f"- Claim {r.get('claim_id', '')}: {claim}, {window}{src}: the data give {obs}: "
        f"{r['verdict']}{why}."
    )


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
        looked up in the same mapping (as ``"perpetrator:<value>"``).
    tolerance : float
        Relative tolerance of "around" and "fewer than" claims.

    Returns
    -------
    ClaimsCheck
    """
    frame = _claims_frame(claims)
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
        quantity = c.get("quantity")
        reason = ""
        mask = None
        if ws is None or we is None:
            row["verdict"], reason = "not checkable", "the claim's window has no date"
        elif quantity not in QUANTITY_COLUMNS:
            # Quote the claim's own wording when there is one ("deaths (all)" says more than "other").
            what = next(
                (
                    c.get(k)
                    for k in ("quantity_raw", "quantity_text")
                    if isinstance(c.get(k), str) and c.get(k)
                ),
                str(quantity).replace("_", " "),
            )
            row["verdict"], reason = "not checkable", f"the data do not count {what}"
        elif scopes is not None and c.get(scope_column) not in scopes:
            row["verdict"], reason = (
                "not checked",
                f"region scope {c.get(scope_column)!r} is outside the data",
            )
        else:
            mask = (dates >= ws) & (dates <= we)
            if scopes is not None:
                fn = scopes[c.get(scope_column)]
                if fn is not None:
                    mask &= fn(incidents).fillna(False).astype(bool)
                perp = c.get("perpetrator_scope")
                if isinstance(perp, str) and perp:
                    key = f"perpetrator:{perp}"
                    if key not in scopes:
                        row["verdict"], reason, mask = (
                            "not checked",
                            f"no perpetrator scope {perp!r} in the data",
                            None,
                        )
                    elif scopes[key] is not None:
                        mask &= scopes[key](incidents).fillna(False).astype(bool)
        if mask is not None:
            sub = incidents.loc[mask]
            cols = QUANTITY_COLUMNS[quantity]
            if cols is None:
                low = best = high = float(len(sub))
            else:
                lo_c, best_c, hi_c = (c2 if c2 in sub.columns else None for c2 in cols)
                b = sub[best_c or cols[1]].astype("Float64")
                # Per incident, low <= best <= high (a range that excludes the preferred figure
                # is widened to include it) before summing.
                lo_v = sub[lo_c].astype("Float64").fillna(b) if lo_c else b
                hi_v = sub[hi_c].astype("Float64").fillna(b) if hi_c else b
                lo_v = lo_v.where(lo_v.isna() | b.isna() | (lo_v <= b), b)
                hi_v = hi_v.where(hi_v.isna() | b.isna() | (hi_v >= b), b)
                # An incident without a best figure adds nothing to any of the three sums.
                lo_v, hi_v = lo_v.where(b.notna()), hi_v.where(b.notna())
                best = float(b.sum())
                low = float(lo_v.sum())
                high = float(hi_v.sum())
            row.update(observed_low=low, observed_best=best, observed_high=high)
            v, gap, best_ok = verdict(low, best, high, float(c["value"]), c["qualifier"], tolerance)
            if ws < d0 or we > d1:
                v = "undetermined"
                reason = f"the window reaches outside the data's coverage ({d0:%d %b %Y} to {d1:%d %b %Y})"
            row.update(verdict=v, gap=gap, best_consistent=best_ok)
        row["reason"] = reason
        out_rows.append(row)
    result = pd.DataFrame(out_rows)
    return ClaimsCheck(result, data_start=d0, data_end=d1, tolerance=tolerance)

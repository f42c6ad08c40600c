"""The result of a ceasefire analysis: every estimate per outcome, the claims, the series used.

:class:`CeasefireAnalysis` (with one :class:`OutcomeAnalysis` per outcome) is what
:func:`trends.analysis.analyse_ceasefire` returns and what the report, the charts and
``results.json`` are rendered from: it carries the count series the models fitted and the daily
series every total is computed from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError
from trends.results import Result, draw, to_jsonable
from trends.series import CountSeries
from trends.series.tools import rolling_rate

__all__ = ["OUTCOMES", "OutcomeAnalysis", "CeasefireAnalysis", "event_name"]


#: Outcome name -> (series measure, low measure, high measure, plain name).
OUTCOMES: dict[str, tuple[str, str | None, str | None, str]] = {
    "attacks": ("attacks", None, None, "attacks"),
    "civilian_deaths": ("deaths_best", "deaths_low", "deaths_high", "civilian deaths"),
    "child_deaths": ("child_deaths", None, None, "child deaths"),
}


@dataclass(eq=False)
class OutcomeAnalysis:
    """Every estimate for one outcome.

    Attributes
    ----------
    name, label : str
        The outcome and its words ("civilian deaths", "killed").
    series : pandas.Series
        The counts the models fitted (at the analysis frequency).
    rates, its, changepoint, placebo : result objects or None
        The two-phase rate comparison, the interrupted time series, the change-point search and
        the placebo test (None when a step could not run: see ``problems``).
    pretrend : PreTrendCheck or None
        Whether the pre-period is described by the ITS's straight-line trend
        (:func:`trends.models.pretrend.check_pre_trend`).
    change_dates : ChangeDateSet or None
        The simulation-calibrated set of possible start dates of a single change
        (:func:`trends.models.changepoint_dateset.change_date_set`).
    robustness : pandas.DataFrame or None
        The ITS level change of each robustness variant.
    problems : list of str
        Steps that could not run, and why.
    measure : str or None
        The measure of the count series analysed.
    notes : list of str
        Choices made for this outcome (periods cut by the window...).
    level_change_range : LevelChangeRange or None
        How the ITS level change moves with the window and with or without the slope term: a
        ``(min, max)`` tuple of rate ratios with ``.variants`` (each refit, with its window,
        slope term, estimate and interval), ``.main`` and ``.description``
        (:func:`trends.analysis.sensitivity.level_change_range`).
    """

    name: str
    label: str
    series: pd.Series
    rates: Any = None
    its: Any = None
    changepoint: Any = None
    placebo: Any = None
    pretrend: Any = None
    change_dates: Any = None
    robustness: pd.DataFrame | None = None
    problems: list[str] = field(default_factory=list)
    measure: str | None = None
    notes: list[str] = field(default_factory=list)
    level_change_range: Any = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "problems": list(self.problems)}
        if self.rates is not None:
            r = self.rates.to_dict()
            out["rate_before"] = r.get("rate_before")
            out["rate_after"] = r.get("rate_after")
            out["rate_ratio"] = r.get("rate_ratio")
            out["rate_ratio_negbin"] = r["rate_ratio_negbin"]
            out["rate_ratio_quoted"] = _quoted(self.rates, r)
            out["counts"] = {"before": r["before"], "after": r["after"]}
        if self.its is not None:
            d = self.its.to_dict()
            out["its"] = {
                "family": d.get("family"),
                "level_change_rr": _ci(d.get("level_change_rr")),
                "slope_change_rr": _ci(d.get("slope_change_rr")),
                "se_type": d.get("se_type"),
                "cumulative_effect": _ci(d.get("cumulative_effect")),
                "diagnostics": d.get("diagnostics"),
            }
        if self.changepoint is not None:
            d = self.changepoint.to_dict()
            cp = d.get("changepoint") or {}
            out["changepoint"] = {
                "date": cp.get("date"),
                "ci_low": cp.get("ci_low"),
                "ci_high": cp.get("ci_high"),
                "n_changes": d.get("n_changes"),
                "model": d.get("model"),
                "comparison": d.get("comparison"),
            }
        if self.placebo is not None:
            d = self.placebo.to_dict()
            out["placebo"] = {"p_value": d["p_value"], "n_placebos": d["n_placebos"]}
        if self.pretrend is not None:
            d = self.pretrend.to_dict()
            out["pre_trend"] = {
                k: d.get(k)
                for k in ("tested", "reason", "well_described", "p_value", "level", "degree")
            }
            out["pre_trend"]["method"] = d.get("method")
            out["pre_trend"]["level_change_curved"] = _ci(d.get("level_change_curved"))
        if self.change_dates is not None:
            d = self.change_dates.to_dict()
            out["change_date_set"] = {
                k: d.get(k)
                for k in ("first", "last", "size", "share", "uninformative", "most_likely")
            }
            out["change_date_set"].update(level=d.get("level"), runs=d.get("runs"))
        if self.robustness is not None:
            out["robustness"] = to_jsonable(self.robustness)
        if self.level_change_range is not None:
            out["level_change_range"] = self.level_change_range.to_dict()
        return to_jsonable(out)


def _quoted(rates: Any, r: Mapping) -> dict | None:
    """The rate ratio the bottom line and the report quote (:meth:`RateComparison.lead_interval`):
    its estimate, interval, which one it is and why."""
    lead = getattr(rates, "lead_interval", None)
    if not callable(lead):
        return None
    hi = lead()
    key = "rate_ratio_negbin" if hi.source == "dependence-aware" else "rate_ratio"
    estimate = (r.get(key) or {}).get("estimate")
    if estimate is None or hi.low is None or hi.high is None:
        return None
    return {"estimate": estimate, "ci_low": hi.low, "ci_high": hi.high, "source": hi.source,
            "key": key, "reason": hi.reason}  # fmt: skip


def _ci(d: Mapping | None) -> dict | None:
    if not d:
        return None
    return {k: d.get(k) for k in ("estimate", "ci_low", "ci_high")}


@dataclass(eq=False)
class CeasefireAnalysis(Result):
    """The answer to "did the ceasefire change the rate?" for each outcome, plus claims.

    Attributes
    ----------
    intervention : object
        The event as given (a ReferenceEvent, or the date).
    intervention_date : pandas.Timestamp
        Its calendar day, the first "after" day.
    start, end : pandas.Timestamp
        The window.
    freq, family : str
        Period and count family of the models.
    counts : pandas.DataFrame
        The analysed counts in the layout of :func:`trends.series.count_series`.
    outcomes : dict of str to OutcomeAnalysis
        The estimates of each outcome.
    claims : ClaimsCheck or None
        The claims check.
    ingest : IngestReport or None
        The reader's report.
    settings : dict
        The options used.
    caveats : list of str
        What to keep in mind when reading the numbers.
    series : CountSeries or None
        The series the models fitted (at ``freq``, periods anchored as asked).
    daily : CountSeries or None
        The window's daily series with every measure the data have (for incidents: attacks,
        civilian deaths low/best/high, child deaths, injured, incidents without a death figure,
        as far as the table has figures; otherwise the source's own measures): every total
        (:meth:`total`, :meth:`since`) comes from it. ``daily.provenance.first_day`` /
        ``last_day`` are the data's first and last day (before the window).
    weekly : CountSeries or None
        ``daily`` summed per ISO week (weeks labelled by their Monday; a partial first or last
        week counts the days it covers): the report's weekly table. None without ``daily``.
    bottom_line : BottomLines or None
        The bottom line of every outcome (:func:`trends.verdicts.bottom_lines_from_analysis`),
        derived once from this analysis; ``to_dict()["bottom_line"]`` is its ``to_dict()``.
    rolling : pandas.DataFrame or None
        The timeline's centred rolling mean per period of each outcome's measure (columns:
        measure names, at ``freq``); ``attrs["window"]`` (7) and ``attrs["center"]`` (True).
    cumulative : dict of str to pandas.DataFrame
        Outcome -> cumulative counts from the intervention's day to the end (daily): columns
        ``best`` and, when the data have figures for them, ``low`` and ``high``, plus
        ``days_missing``.
    by_area : pandas.DataFrame or None
        Daily counts per area for the small multiples (``count_series(..., by="admin1")``:
        columns ``(measure, area)``, ``attrs["by"]``); None unless the incident table has an
        area column with two or more areas in the window.
    """

    intervention: Any
    intervention_date: pd.Timestamp
    start: pd.Timestamp
    end: pd.Timestamp
    freq: str
    family: str
    counts: pd.DataFrame
    outcomes: dict[str, OutcomeAnalysis]
    claims: Any = None
    ingest: Any = None
    settings: dict[str, Any] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)
    series: CountSeries | None = None
    daily: CountSeries | None = None
    bottom_line: Any = None
    rolling: pd.DataFrame | None = None
    cumulative: dict[str, pd.DataFrame] = field(default_factory=dict)
    by_area: pd.DataFrame | None = None
    weekly: CountSeries | None = None

    # ------------------------------------------------------------------ totals from the days
    def total(self, measure: str, start=None, end=None) -> float:
        """The total of a measure over days ``start`` to ``end``, from the daily counts.

        Parameters
        ----------
        measure : str
            A measure of the series (e.g. ``"deaths_best"``) or an outcome name.
        start, end : date-like, optional
            Both days included; default the analysis window.

        Returns
        -------
        float
            The same figure whatever the frequency of the analysis.
        """
        source = self.daily if self.daily is not None else self.series
        if source is None:
            raise InputError("this analysis carries no series")
        name = self.outcomes[measure].measure if measure in self.outcomes else measure
        return source.total(
            name or measure,
            self.start if start is None else start,
            self.end if end is None else end,
        )

    def since(self, measure: str, day=None, end=None) -> float:
        """The total of a measure from ``day`` (default: the intervention's day) to ``end``.

        Parameters
        ----------
        measure : str
            A measure or an outcome name.
        day : date-like, optional
            First day counted (default: the intervention's day).
        end : date-like, optional
            Last day counted (default: the window's end).

        Returns
        -------
        float
        """
        return self.total(measure, self.intervention_date if day is None else day, end)

    def glance(self) -> pd.DataFrame:
        """One row: the intervention, the window, and the headline estimate of each outcome.

        Returns
        -------
        pandas.DataFrame
            Columns ``intervention``, ``intervention_date``, ``start``, ``end``, ``freq``,
            ``family``, then per outcome ``<name>_rate_ratio`` with the interval the bottom
            line quotes (``_ci_low``, ``_ci_high``), ``<name>_its_level_rr`` with its interval, ``<name>_change_date``, ``<name>_placebo_p`` and ``<name>_problems``.
        """
        row: dict[str, Any] = {
            "intervention": event_name(self.intervention),
            "intervention_date": self.intervention_date,
            "start": self.start,
            "end": self.end,
            "freq": self.freq,
            "family": self.family,
        }
        for name, oa in self.outcomes.items():
            lead = oa.rates.lead_interval() if oa.rates is not None else None
            lc = oa.its.level_change if oa.its is not None else None
            cp = (oa.changepoint.to_dict().get("changepoint") or {}) if oa.changepoint else {}
            # the headline ratio with the interval the bottom line quotes
            est = oa.rates.lead_estimate(lead) if lead is not None else None
            row[f"{name}_rate_ratio"] = np.nan if est is None else est
            row[f"{name}_rate_ratio_ci_low"] = np.nan if lead is None else lead.low
            row[f"{name}_rate_ratio_ci_high"] = np.nan if lead is None else lead.high
            row[f"{name}_its_level_rr"] = lc.estimate if lc is not None else np.nan
            row[f"{name}_its_level_ci_low"] = lc.ci_low if lc is not None else np.nan
            row[f"{name}_its_level_ci_high"] = lc.ci_high if lc is not None else np.nan
            row[f"{name}_change_date"] = pd.Timestamp(cp["date"]) if cp.get("date") else pd.NaT
            row[f"{name}_placebo_p"] = oa.placebo.p_value if oa.placebo is not None else np.nan
            row[f"{name}_problems"] = len(oa.problems)
        return pd.DataFrame([row])

    # ------------------------------------------------------------------ tables
    def summary(self) -> pd.DataFrame:
        """One row per outcome: rates, the two-phase ratio and the interval it leads with.

        ``rate_ratio_ci`` is the interval the bottom line quotes (``rate_ratio_ci_is`` says which:
        the overdispersion- and dependence-aware one when it is available), and
        ``rate_ratio_exact_ci`` the exact conditional Poisson interval, which holds only if every
        period were an independent Poisson draw.

        Returns
        -------
        pandas.DataFrame
        """
        rows = []
        for name, oa in self.outcomes.items():
            row: dict[str, Any] = {"outcome": name}
            if oa.rates is not None:
                r = oa.rates.to_dict()
                row["rate_before"] = r.get("rate_before")
                row["rate_after"] = r.get("rate_after")
                rr = r.get("rate_ratio") or {}
                lead = oa.rates.lead_interval()  # the interval the bottom line quotes
                row["rate_ratio"] = oa.rates.lead_estimate(lead)  # quoted with it, never apart
                row["rate_ratio_ci"] = (lead.low, lead.high)
                row["rate_ratio_ci_is"] = lead.words
                row["rate_ratio_exact_ci"] = (rr.get("ci_low"), rr.get("ci_high"))
            if oa.its is not None:
                lc = oa.its.level_change
                row["its_level_rr"] = lc.estimate
                row["its_level_ci"] = (lc.ci_low, lc.ci_high)
                sc = oa.its.slope_change
                row["its_slope_rr"] = None if sc is None else sc.estimate
            if oa.changepoint is not None:
                cp = (oa.changepoint.to_dict().get("changepoint")) or {}
                row["change_date"] = cp.get("date")
                row["change_set"] = (cp.get("ci_low"), cp.get("ci_high"))
            if oa.placebo is not None:
                row["placebo_p"] = oa.placebo.p_value
            rows.append(row)
        return pd.DataFrame(rows)

    def models_table(self) -> pd.DataFrame:
        """One row per fitted model term of interest, for the report's table of models."""
        rows = []
        for name, oa in self.outcomes.items():
            if oa.rates is not None:
                d = oa.rates.to_dict()
                rr = d.get("rate_ratio") or {}
                rows.append(
                    {
                        "outcome": name,
                        "model": "two-phase rates",
                        "term": "rate ratio after/before",
                        "method": rr.get("method"),
                        "estimate": rr.get("estimate"),
                        "ci_low": rr.get("ci_low"),
                        "ci_high": rr.get("ci_high"),
                    }
                )
                nb = d["rate_ratio_negbin"]
                if nb.get("estimate") is not None:
                    rows.append(
                        {
                            "outcome": name,
                            "model": "two-phase rates",
                            "term": "rate ratio after/before",
                            "method": nb.get("method", "negative binomial"),
                            "estimate": nb.get("estimate"),
                            "ci_low": nb.get("ci_low"),
                            "ci_high": nb.get("ci_high"),
                        }
                    )
            if oa.its is not None:
                for label, rr in (
                    ("level change", oa.its.level_change),
                    (f"slope change per {_unit(self.freq)}", oa.its.slope_change),
                ):
                    if rr is None:
                        continue
                    rows.append(
                        {
                            "outcome": name,
                            "model": f"ITS {oa.its.family}",
                            "term": label,
                            "method": oa.its.se_type,
                            "estimate": rr.estimate,
                            "ci_low": rr.ci_low,
                            "ci_high": rr.ci_high,
                        }
                    )
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ words
    def report(self) -> str:
        name = event_name(self.intervention)
        lines = [
            f"Analysis of {', '.join(o.label for o in self.outcomes.values())} from "
            f"{self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y}, per {_unit(self.freq)}, around "
            f"{name} ({_when(self.intervention, self.intervention_date)})."
        ]
        for oa in self.outcomes.values():
            lines.append("")
            lines.append(f"{oa.label.capitalize()}:")
            for part in (oa.rates, oa.its, oa.changepoint, oa.placebo):
                if part is not None:
                    lines.append(part.report())
            if oa.robustness is not None and len(oa.robustness):
                lines.append(_robustness_sentence(oa))
            lines.extend(f"Could not estimate: {p}" for p in oa.problems)
            lines.extend(f"Note: {n}" for n in dict.fromkeys(oa.notes))
        if self.claims is not None:
            lines.append("")
            lines.append(self.claims.report())
        if self.caveats:
            lines.append("")
            lines.append("Caveats:")
            lines.extend(f"- {c}" for c in self.caveats)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data = None
        if self.ingest is not None:
            data = {
                k: getattr(self.ingest, k)
                for k in ("rows_read", "accepted", "rejected", "duplicates", "filtered")
            }
            data["source"] = self.ingest.source
            data["notes"] = list(self.ingest.notes)
        claims = []
        if self.claims is not None:
            claims = self.claims.to_dict()["claims"]
        extra: dict[str, Any] = {}
        if self.series is not None:
            extra["series"] = self.series.to_dict()
        if self.bottom_line is not None:
            extra["bottom_line"] = self.bottom_line.to_dict()
        return to_jsonable(
            {
                "data": data,
                "window": {"start": self.start, "end": self.end, "freq": self.freq},
                "intervention": {
                    "id": getattr(self.intervention, "id", None),
                    "name": event_name(self.intervention),
                    "date": self.intervention_date,
                    "start": getattr(self.intervention, "start", self.intervention_date),
                },
                "family": self.family,
                "outcomes": {k: v.to_dict() for k, v in self.outcomes.items()},
                "claims": claims,
                "caveats": list(self.caveats),
                "settings": self.settings,
                **extra,
            }
        )

    def plot(self, ax=None, **kwargs: Any):
        """Timeline of the outcomes with the intervention marked; returns ``(fig, axes)``.

        The line is the centred 7-period rolling mean the analysis carries (:attr:`rolling`,
        the same as the report's timeline; centred so that a change at the intervention is not
        drawn days late), handed to the chart registered for ``CeasefireAnalysis``
        (:func:`trends.results.draw`): nothing is computed here. (An analysis built without
        ``rolling`` gets it from :func:`trends.series.rolling_rate`, centred, here.)
        ``kwargs`` (``title``, ``source``...) go to the chart and override these inputs.
        """
        measures = [oa.measure or OUTCOMES[k][0] for k, oa in self.outcomes.items()]
        inputs: dict[str, Any] = {
            "measures": measures,
            "rolling": self.rolling
            if self.rolling is not None
            else rolling_rate(self.counts[measures], 7, center=True),
            "events": [self.intervention]
            if hasattr(self.intervention, "start")
            else [(self.intervention_date, "intervention")],
        }
        return draw(self, ax=ax, **{**inputs, **kwargs})


def event_name(ev: Any) -> str:
    """The name of an event in words ("the intervention" when it has none).

    Parameters
    ----------
    ev : object
        An event (with ``.name``) or a date.

    Returns
    -------
    str
    """
    if hasattr(ev, "name") and getattr(ev, "name", None):
        return str(ev.name)
    return "the intervention"


def _when(ev, day: pd.Timestamp) -> str:
    start = getattr(ev, "start", None)
    if start is not None and pd.Timestamp(start) != pd.Timestamp(start).normalize():
        return (
            f"{pd.Timestamp(start):%H:%M} on {pd.Timestamp(start).day} {pd.Timestamp(start):%b %Y}"
        )
    return f"{day.day} {day:%b %Y}"


def _unit(freq: str) -> str:
    return {"D": "day", "W": "week", "M": "month"}.get(freq[:1].upper(), freq)


def _robustness_sentence(oa: OutcomeAnalysis) -> str:
    parts = []
    for _, r in oa.robustness.iterrows():
        if pd.notna(r.get("level_rr")):
            parts.append(
                f"{r['variant']}: {r['level_rr']:.2f} ({r['ci_low']:.2f}-{r['ci_high']:.2f})"
            )
        else:
            parts.append(f"{r['variant']}: not estimable")
    return "Robustness (ITS level-change rate ratio): " + "; ".join(parts) + "."

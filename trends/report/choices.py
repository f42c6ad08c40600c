"""The report's "choices and why": every choice behind the numbers, as data.

:func:`report_choices` returns one :class:`Choice` per row (what was chosen, its value, why, and
whether it was a default or set by the user). Words that concern a bundled case (why its
theatre) come from the case's module, given as ``case``; with a user's data there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from trends.events import is_date_event
from trends.models.claims import REPORTED_TOLERANCE
from trends.models.pretrend import PRETREND_LEVEL
from trends.models.spec import two_phase_method_of
from trends.report import fmt
from trends.report.charts import data_kind
from trends.report.escape import Prose, prose
from trends.verdicts.words import plural

__all__ = ["Choice", "report_choices", "FAMILY_WHY", "SE_WHY", "COVERAGE_WHY"]

#: Why each count family (the negative binomial's sentence gets the estimated theta).
FAMILY_WHY: dict[str, str] = {
    "negbin": (
        "Conflict counts are overdispersed (one strike can kill many), so they vary far more "
        "than a Poisson model allows; the negative binomial lets the variance grow with the mean"
    ),
    "poisson": "Poisson: variance equal to the mean (narrower intervals if counts are overdispersed).",
    "quasipoisson": "Quasi-Poisson: the Poisson mean with the variance scaled by the observed dispersion.",
}

#: Why each kind of standard errors.
SE_WHY: dict[str, str] = {
    "hac": (
        "Newey-West (HAC): violence clusters in runs of days, so days are not independent and "
        "ordinary standard errors would be too small."
    ),
    "model": "Model-based standard errors (assume independent periods).",
    "robust": "Heteroskedasticity-robust standard errors (no allowance for autocorrelation).",
}


#: Why a calibrated interval method: its coverage, measured by simulation, is the reason; the
#: figures are stated once, under the caveats (:func:`trends.analysis.ceasefire.coverage_caveats`).
COVERAGE_WHY = (
    "Its 95% intervals were checked by simulation on series of this kind; the measured coverage "
    "is given under Caveats."
)


@dataclass(frozen=True)
class Choice:
    """One row of "choices and why".

    Attributes
    ----------
    name : str
        What was chosen ("Window start").
    origin : str
        ``"default"``, ``"set by you"`` or ``""`` (not an option).
    value : Prose or str
        The value chosen (a ``str`` is data, escaped when rendered).
    why : Prose or str
        Why.
    """

    name: str
    origin: str
    value: Prose | str
    why: Prose | str

    @property
    def label(self) -> str:
        """``"Window start (default)"``."""
        return f"{self.name} ({self.origin})" if self.origin else self.name


def _origin(config: Any, key: str) -> str:
    if config is None:
        return ""
    return "default" if config.is_default(key) else "set by you"


def _event_at(timeline: Any, day: pd.Timestamp) -> Any:
    if timeline is None:
        return None
    return next((ev for ev in timeline if ev.day == day), None)


def _mixed_day_why(start: pd.Timestamp, first_after: pd.Timestamp) -> Prose:
    """Why the day of an event with a time of day counts where it does (its part before the
    event is named by the clock, not as "a few hours")."""
    start = start.tz_localize(None) if start.tzinfo is not None else start
    hour = f"{start:%H:%M}"
    day = f"{first_after.day} {first_after:%b}"
    if start.normalize() == first_after.normalize():
        return prose(
            "It took effect at {hour}. The data are dated by day, not hour, so {day} counts as "
            "the first day *after*: the part of that day before it took effect (00:00 to "
            "{hour}) is counted against it, which can only make a fall look smaller (the "
            "conservative side). The change-point search, which is not told the date, checks "
            "the choice.",
            hour=hour,
            day=day,
        )
    return prose(
        "It took effect at {hour} on {start}. The data are dated by day, not hour, so {start} "
        "counts as *before* and {day} is the first day *after*: the part of {start} after it "
        "took effect ({hour} to 24:00) is counted in the period before, which can only make a "
        "fall look smaller (the conservative side). The change-point search, which is not told "
        "the date, checks the choice.",
        hour=hour,
        start=f"{start.day} {start:%b}",
        day=day,
    )


def _intervention_rows(a: Any, config: Any) -> list[Choice]:
    ev = a.intervention
    ev_id = getattr(ev, "id", None)
    name = str(getattr(ev, "name", None) or "intervention")
    value: Prose | str = (
        prose(
            "{name} ({id!c}), {when}", name=name, id=ev_id, when=fmt.when(ev, a.intervention_date)
        )
        if ev_id and not is_date_event(ev)
        else f"{fmt.when(ev, a.intervention_date)} (a date)"
    )
    rows = [Choice("Intervention", _origin(config, "intervention"), value,
                   "The event whose effect is asked about.")]  # fmt: skip
    if getattr(ev, "has_time", False):
        why = _mixed_day_why(pd.Timestamp(ev.start), pd.Timestamp(a.intervention_date))
    else:
        why = prose(
            "The event's own day, {day}, is the first day *after*.",
            day=f"{a.intervention_date.day} {a.intervention_date:%b %Y}",
        )
    rows.append(
        Choice(
            "Intervention day", "", f"{a.intervention_date:%Y-%m-%d} is the first day after", why
        )
    )
    return rows


def _start_why(a: Any, timeline: Any, config: Any, data_span: tuple | None) -> Prose | str:
    ev = _event_at(timeline, a.start)
    after = (
        None
        if ev is not None or timeline is None
        else next((e for e in timeline if getattr(e, "first_full_day", e.day) == a.start), None)
    )
    if after is not None:  # an event at a time of day: the window starts the next whole day
        return prose(
            "The first whole day after “{name}” ({id!c}, {when}); the day it began, partly "
            "before it, is left out of the window.",
            name=after.name,
            id=after.id,
            when=fmt.when(after, after.day),
        )
    if ev is not None and ev.kind == "offensive":
        return _offensive_start_why(a, ev, data_span)
    if ev is not None:
        return prose("The day of “{name}” ({id!c}).", name=ev.name, id=ev.id)
    if data_span is not None and a.start == data_span[0]:
        return "The first day of the data."
    return (
        "Chosen by you."
        if config is None or not config.is_default("start")
        else "The first day of the data."
    )


def _offensive_start_why(a: Any, ev: Any, data_span: tuple | None) -> Prose:
    """Why the window starts with an offensive, in words that hold for any data: what is left
    out is said as measured (the days of data before it), never as "quieter" or "busier"."""
    first = None if data_span is None else pd.Timestamp(data_span[0]).normalize()
    before = 0 if first is None else int((a.start - first).days)
    if before <= 0:
        return prose(
            "The day of “{name}” ({id!c}): the window starts with the offensive so that the "
            "pre-period is one regime.",
            name=ev.name,
            id=ev.id,
        )
    return prose(
        "The day of “{name}” ({id!c}): the window starts with the offensive so that the "
        "pre-period is one regime, not mixed with the {left_out} of data before it (from "
        "{first}), which belong to the regime before the offensive; a before/after comparison "
        "against a mixture would misstate both the level and the trend.",
        name=ev.name,
        id=ev.id,
        left_out=plural(before, "day"),
        first=f"{first.day} {first:%b %Y}",
    )


def _end_why(a: Any, timeline: Any, config: Any, data_span: tuple | None) -> Prose | str:
    nxt = _event_at(timeline, a.end + pd.Timedelta(days=1))
    if nxt is not None:
        kind = getattr(a.intervention, "kind", None)
        regime = "ceasefire" if kind in ("ceasefire", "truce") else "post-intervention"
        ended = (
            "not the escalation that ended it"
            if nxt.kind == "escalation"
            else "not mixed with the regime that began with that event"
        )
        return prose(
            "The day before “{name}” ({id!c}, {day}), so that the post-period is the {regime} "
            "regime alone, {ended}.",
            name=nxt.name, id=nxt.id, day=f"{nxt.day.day} {nxt.day:%b %Y}", regime=regime, ended=ended,
        )  # fmt: skip
    ev = _event_at(timeline, a.end)
    if ev is not None:
        return prose("The day of “{name}” ({id!c}).", name=ev.name, id=ev.id)
    if data_span is not None and a.end == data_span[1]:
        return "The last day of the data (the most recent days may be incomplete)."
    if config is not None and config.is_default("end"):
        return "The last day of the data (the most recent days may be incomplete)."
    return "Chosen by you."


#: Why no interval method is named where none was used, or its coverage is not known.
NOT_MEASURED_WHY = "Its interval coverage was not measured by simulation on series of this kind."
NO_ITS_WHY = (
    "No interrupted time series could be fitted for any outcome (Findings say why), so no "
    "inference method was used."
)
EXACT_ONLY_WHY = (
    "The model interval could not be estimated for any outcome (a period without events), so "
    "only the exact conditional Poisson interval is given, which treats every period as an "
    "independent Poisson draw; its coverage was not measured."
)


def _inference_row(fitted: list, config: Any, inference: str) -> Choice:
    """The interrupted time series' inference method, always with its reason."""
    if not fitted:
        return Choice("Inference", _origin(config, "inference"), "none", NO_ITS_WHY)
    method = fitted[0].its.settings
    return Choice(
        "Inference",
        _origin(config, "inference"),
        str(method.get("inference_method") or inference),
        COVERAGE_WHY if method.get("inference_coverage") else NOT_MEASURED_WHY,
    )


def _two_phase_rows(a: Any, config: Any) -> list[Choice]:
    """The two-phase interval method actually used (a model that gave no ratio is not)."""
    compared = [oa for oa in a.outcomes.values() if oa.rates is not None]
    tp = next(
        (
            str((oa.rates.rate_ratio_nb or {}).get("se_type") or "")
            for oa in compared
            if (oa.rates.rate_ratio_nb or {}).get("estimate") is not None
        ),
        "",
    )
    if tp:
        tp_method = two_phase_method_of(tp)
        why = COVERAGE_WHY if tp_method.coverage else NOT_MEASURED_WHY
        return [Choice("Two-phase interval", _origin(config, "inference"), tp_method.label, why)]
    if any(oa.rates.rate_ratio_nb for oa in compared):
        return [
            Choice(
                "Two-phase interval",
                _origin(config, "inference"),
                "exact conditional Poisson interval only",
                EXACT_ONLY_WHY,
            )
        ]
    return []


def _model_rows(a: Any, config: Any) -> list[Choice]:
    fitted = [oa for oa in a.outcomes.values() if oa.its is not None]
    thetas = ", ".join(
        f"{oa.label} {fmt.number(oa.its.diagnostics.get('theta'))}"
        for oa in fitted
        if oa.its.diagnostics.get("theta") is not None
    )
    why = FAMILY_WHY.get(a.family, "")
    if a.family == "negbin":
        why = (
            prose(why + " (estimated theta: {t}; smaller is more overdispersed).", t=thetas)
            if thetas
            else why + "."
        )
    rows = [Choice("Count model", _origin(config, "family"), a.family, why)]
    se = a.settings.get("se")
    rules = [(oa.its.diagnostics.get("hac") or {}).get("rule") for oa in fitted]
    rule = next((r for r in rules if r), None)
    se_why: Prose | str = SE_WHY.get(se, "")
    if se == "hac" and rule:
        se_why = prose(SE_WHY["hac"] + " For example: {rule}.", rule=rule)
    inference = next((oa.its.settings.get("inference") for oa in fitted), "glm")
    if inference == "glm":
        rows.append(Choice("Standard errors", "", str(se), se_why))
    rows.append(_inference_row(fitted, config, inference))
    rows.extend(_two_phase_rows(a, config))
    rows.append(
        Choice(
            "Change points",
            "",
            f"{a.settings.get('changepoint_model')} model, up to "
            f"{a.settings.get('max_changes')} changes",
            "The search is not told the intervention date: if it puts a change there on its own, "
            "the before/after split is supported by the data; the number of changes is chosen "
            "by BIC on the likelihood tempered by the series' estimated dependence factor "
            "(negative binomial model), which keeps false detections near 5-10% in simulations "
            "with strong day-to-day dependence (40-100% without it), at the price of missing "
            "more real changes.",
        )
    )
    return rows


def _check_rows(a: Any) -> list[Choice]:
    rows = []
    if a.settings.get("placebo"):
        rows.append(Choice("Placebo", "", "in-time, every admissible pre-period date",
                           "Is the real change unusual? The same model is refitted with fake "
                           "intervention dates before the real one."))  # fmt: skip
    if a.settings.get("pretrend"):
        rows.append(Choice("Pre-period trend", "",
                           f"joint test of curvature terms before the intervention, at the "
                           f"{PRETREND_LEVEL:.0%} level",
                           "Is the straight-line trend that the interrupted time series "
                           "extrapolates supported by the period before? When it is rejected "
                           "the ITS estimates do not count for or against the finding. The test "
                           "has limited power: passing it does not show that the trend is "
                           "right, so a clear ITS finding also counts for the bottom line only "
                           "when the level change with the curved trend is clear in the same "
                           "direction."))  # fmt: skip
    if a.settings.get("robustness") and data_kind(a) == "incidents":
        k = ", ".join(str(x) for x in a.settings.get("leave_out", []))
        rows.append(Choice("Robustness", "",
                           f"low/high death figures; leave out the {k} deadliest incidents",
                           "Does the answer hang on the choice of figure or on a few "
                           "mass-casualty incidents?"))  # fmt: skip
    if a.claims is not None:
        rows.append(Choice("Claims", "",
                           f"tolerance {a.claims.tolerance:.0%} for 'around' claims, "
                           f"{REPORTED_TOLERANCE:.0%} for a plain reported number",
                           "Incident data are a floor (unrecorded incidents can only add deaths), "
                           "so findings are one-sided: 'at least' claims are confirmed, supported "
                           "by the best count, possible or not reached; 'at most' claims are "
                           "contradicted, doubtful or consistent; 'around' and reported numbers "
                           "are contradicted, doubtful, consistent, below the claim or not "
                           "reached. The low-high verdict (supported / not supported / "
                           "undetermined) is kept beside it."))  # fmt: skip
    return rows


def _period_why(a: Any, unit: str) -> str:
    series = getattr(a, "series", None)
    starts = series.counts.index if series is not None else a.counts.index
    how = a.settings.get("periods") or ""
    how = f" ({how})" if how else ""
    if a.intervention_date in starts:
        return (
            f"Counts per {unit}{how}: smoother than days; the intervention's day starts a "
            f"{unit}, so no {unit} mixes before and after."
        )
    return (
        f"Counts per {unit}{how}: smoother, but the intervention's {unit} mixes before and after."
    )


def _outcomes_row(a: Any, config: Any, incidents: bool) -> Choice:
    if incidents:
        return Choice(
            "Outcomes",
            _origin(config, "outcome"),
            ", ".join(a.outcomes),
            "Attacks count incidents however deadly; civilian deaths sum the best figures (the "
            "low and high figures are robustness checks). A fall in one need not mean a fall in "
            "the other.",
        )
    series = a.series.days if a.series.days is not None else a.series
    return Choice(
        "Outcomes",
        _origin(config, "outcome"),
        "; ".join(
            oa.label if oa.label == name else f"{oa.label} ({name})"
            for name, oa in a.outcomes.items()
        ),
        prose(
            "The measures of the data, named as the data name them ({kind} data: {how}). "
            "Nothing else is counted: the data hold no incidents{attacks}.",
            attacks=""
            if "attacks" in a.outcomes or "attacks" in series.counts
            else ", so no attacks",
            kind=series.provenance.kind,
            how="; ".join(series.provenance.choices) or "the counts as given",
        ),
    )


def _default_window_rows(a: Any) -> list[Choice]:
    """The timeline-aware default window: which events bound it, which were passed over."""
    chosen = (a.settings or {}).get("default_window")
    if not chosen:
        return []
    reasons = list(chosen.get("reasons") or [])
    bounds = [r for r in reasons if " was not taken as a boundary" not in r]
    passed = [r for r in reasons if " was not taken as a boundary" in r]
    rows = [
        Choice(
            "Default window",
            "",
            f"{chosen.get('start')} to {chosen.get('end')}",
            prose(
                "{why} Rule: with your timeline, the window ends the day before the next event "
                "that changes the regime (an escalation, a collapse, another ceasefire) and "
                "starts at the previous one, so that each side of the intervention is one "
                "regime.",
                why=" ".join(bounds),
            ),
        )
    ]
    if passed:
        rows.append(Choice("Events passed over", "", f"{len(passed)} event(s)", " ".join(passed)))
    return rows


def report_choices(
    analysis: Any,
    *,
    timeline: Any = None,
    config: Any = None,
    theatre: str | None = None,
    theatre_why: str | None = None,
    data_span: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> list[Choice]:
    """Every choice behind the analysis' numbers, with why.

    Parameters
    ----------
    analysis : CeasefireAnalysis
    timeline : Timeline, optional
        Names the events the window starts and ends at.
    config : ReportConfig, optional
        Marks each option as a default or as set by the user.
    theatre, theatre_why : str, optional
        The theatre filter applied and why (from the case's module); no row without it.
    data_span : (Timestamp, Timestamp), optional
        First and last day of the data (says when the window is the data's own).

    Returns
    -------
    list of Choice
    """
    a = analysis
    rows = _intervention_rows(a, config)
    rows.append(Choice("Window start", _origin(config, "start"), f"{a.start:%Y-%m-%d}",
                       _start_why(a, timeline, config, data_span)))  # fmt: skip
    rows.append(Choice("Window end", _origin(config, "end"), f"{a.end:%Y-%m-%d}",
                       _end_why(a, timeline, config, data_span)))  # fmt: skip
    rows += _default_window_rows(a)
    incidents = data_kind(a) == "incidents"
    if theatre is not None and incidents:
        rows.append(Choice("Theatre", _origin(config, "theatre"), theatre,
                           theatre_why or "Every accepted row of the data."))  # fmt: skip
    rows.append(_outcomes_row(a, config, incidents))
    unit = fmt.unit_of(a.freq)
    rows.append(
        Choice(
            "Period",
            _origin(config, "freq"),
            {"day": "daily", "week": "weekly", "month": "monthly"}.get(unit, a.freq),
            "The intervention has an exact date and daily counts keep every day's information; "
            "the count models handle the many zero days."
            if unit == "day"
            else _period_why(a, unit),
        )
    )
    return rows + _model_rows(a, config) + _check_rows(a)

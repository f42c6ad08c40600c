"""Which charts a report draws, with their captions and arguments (no drawing here).

:func:`chart_specs` turns an analysis into a list of :class:`Chart`: the plotting function to
call (by module and name, so that a missing plotting module is a note, not a crash), its
arguments, the file name and the caption. Nothing here computes on the data: the timeline's
centred rolling mean, the cumulative counts since the intervention and the per-area series of
the small multiples are the ones the analysis carries (``rolling``, ``cumulative``,
``by_area``); a chart whose data the analysis does not carry is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trends.report import fmt
from trends.verdicts.words import word_list

__all__ = [
    "Chart",
    "chart_specs",
    "claims_since",
    "CHECKED",
    "intervention_noun",
    "data_kind",
    "DATA_WORDS",
]

#: Verdicts of claims that were compared with the data.
CHECKED = ("supported", "not supported", "undetermined")

_KIND_NOUN = {k: k for k in ("ceasefire", "truce", "offensive", "escalation", "agreement")}


#: Kind of data -> the report's sentence on what the counts can say.
DATA_WORDS: dict[str, str] = {
    "incidents": "A count from incident records is a floor, not an estimate of the total.",
    "tallies": "A monitor's tallies count what it recorded: a floor, not an estimate of the total.",
    "counts": "Published counts are what the source recorded: a floor, not an estimate of the "
    "total.",
    "frame": "These counts are what was recorded: a floor, not an estimate of the total.",
}


def file_slug(name: str) -> str:
    """``name`` as a safe part of a file name: runs of other characters become ``_``.

    >>> file_slug("civilians killed (ministry)")
    'civilians_killed_ministry'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("_") or "measure"


def data_kind(analysis: Any) -> str:
    """What the analysis' counts were built from: ``incidents``, ``tallies``, ``counts``...

    Parameters
    ----------
    analysis : CeasefireAnalysis

    Returns
    -------
    str
        The provenance kind of the analysis' series (``"incidents"`` without a series).
    """
    series = getattr(analysis, "series", None)
    if series is None:
        return "incidents"
    return str(getattr(series.provenance, "kind", "") or "frame")


def intervention_noun(event: Any) -> str:
    """A short noun for the intervention in running text: "ceasefire", "truce", "intervention"."""
    return _KIND_NOUN.get(getattr(event, "kind", None), "intervention")


@dataclass
class Chart:
    """One chart of the report.

    Attributes
    ----------
    file : str
        File name (``its_attacks.png``).
    caption : str
        What it shows (plain text; contains data such as event names).
    module, function : str
        ``trends.plots.<module>.<function>`` draws it.
    args, kwargs
        Its arguments.
    note : str or None
        Set when the chart was not drawn (why).
    """

    file: str
    caption: str
    module: str
    function: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    note: str | None = None

    @property
    def key(self) -> str:
        """File key in :func:`~trends.report.writer.write_report`'s result (``its_attacks``)."""
        return self.file.removesuffix(".png")


def claims_since(analysis: Any) -> pd.DataFrame:
    """Checked claims about civilian deaths whose window starts on the intervention day."""
    if analysis.claims is None:
        return pd.DataFrame()
    f = analysis.claims.frame
    keep = (
        f["verdict"].isin(CHECKED)
        & (pd.to_datetime(f["window_start_date"]) == analysis.intervention_date)
        & (f["quantity"] == "civilian_deaths")
        & (pd.to_datetime(f["window_end_date"]) <= analysis.end)
    )
    return f.loc[keep].reset_index(drop=True)


def _window_events(analysis: Any, timeline: Any) -> list:
    if timeline is None:
        ev = analysis.intervention
        return [ev] if hasattr(ev, "start") else [(analysis.intervention_date, "intervention")]
    return list(timeline.between(analysis.start, analysis.end))


def _timeline_chart(a: Any, events: list, source: str, where: str) -> Chart:
    from trends.plots.style import PhaseMark  # matplotlib loads when charts are drawn

    unit = fmt.unit_of(a.freq)
    measures = [oa.measure or oa.name for oa in a.outcomes.values()]
    word = (
        "ceasefire"
        if getattr(a.intervention, "kind", None) in ("ceasefire", "truce")
        else "intervention"
    )
    phases = [
        PhaseMark(a.start, a.intervention_date - pd.Timedelta(days=1), f"before the {word}"),
        PhaseMark(a.intervention_date, a.end, f"after the {word}"),
    ]
    labels = word_list(oa.label for oa in a.outcomes.values()).capitalize()
    span = f"{a.start.day} {a.start:%b %Y} to {a.end.day} {a.end:%b %Y}"
    counts, rolling = a.counts, getattr(a, "rolling", None)
    window = None if rolling is None else rolling.attrs.get("window")
    if data_kind(a) != "incidents":  # the chart names each panel as the data name it
        words = {oa.measure or oa.name: oa.label for oa in a.outcomes.values()}
        counts = a.counts[measures].rename(columns=words)
        rolling = None if rolling is None else rolling.rename(columns=words)
        measures = [words[m] for m in measures]
        named = {w: w for w in measures}  # the y label names the data's measure, not incidents
    else:
        named = None
    mean = f", with the centred {window}-{unit} mean" if window else ""
    return Chart(
        "timeline.png",
        f"{labels} per {unit}{where}, {span}{mean}, the two phases compared and the reference "
        "events of the window.",
        "timeline",
        "plot_timeline",
        (counts,),
        dict(
            measures=measures,
            rolling=rolling,
            rolling_window=window,
            events=events,
            phases=phases,
            title=f"{labels} per {unit}{where}, {a.start:%b %Y} to {a.end:%b %Y}",
            source=source,
            data_span=(a.start, a.end),
            partial=_partial_periods(a),
            measure_words=named,
        ),
    )


def _partial_periods(a: Any) -> pd.Series | None:
    """The weeks or months only partly inside the window (``None`` on daily series)."""
    series = getattr(a, "series", None)
    if series is None or series.rule.key == "D" or not series.partial.any():
        return None
    return series.partial


def _partial_counts(a: Any, oa: Any) -> pd.Series | None:
    """The counts of an outcome in the weeks or months cut by the window (``None`` without)."""
    cut = _partial_periods(a)
    if cut is None or not oa.measure or oa.measure not in a.series.counts.columns:
        return None
    return a.series.measure(oa.measure)[cut.to_numpy(dtype=bool)]


def _outcome_charts(a: Any, oa: Any, key_events: list, source: str, where: str) -> list[Chart]:
    unit, noun, label = fmt.unit_of(a.freq), intervention_noun(a.intervention), oa.label
    out = []
    if oa.its is not None:
        out.append(Chart(
            f"its_{file_slug(oa.name)}.png",
            f"Interrupted time series of {label}: observed per {unit}, the fitted {a.family} "
            f"model and the counterfactual without the {noun}.",
            "its", "plot_its", (oa.its,),
            dict(title=f"{label.capitalize()}{where}: before and after the {noun}",
                 source=source, events=key_events, data_span=(a.start, a.end)),
        ))  # fmt: skip
    if oa.changepoint is not None:
        out.append(Chart(
            f"changepoints_{file_slug(oa.name)}.png",
            f"When did the rate of {label} change? Change points found without being told the "
            f"date, with their date sets, against the {noun}.",
            "changepoint", "plot_changepoints", (oa.changepoint,),
            dict(title=f"{label.capitalize()}{where}: when did the rate change?",
                 source=source, reference=a.intervention, data_span=(a.start, a.end),
                 partial=_partial_counts(a, oa)),
        ))  # fmt: skip
    if oa.placebo is not None:
        out.append(Chart(
            f"placebo_{file_slug(oa.name)}.png",
            f"The real level change of {label} among the level changes estimated at fake "
            "intervention dates in the pre-period (in-time placebo test).",
            "placebo", "plot_placebo", (oa.placebo,),
            dict(title=f"{label.capitalize()}: real change against placebo dates", source=source),
        ))  # fmt: skip
    return out


def _claims_charts(a: Any, source: str, where: str) -> list[Chart]:
    out = []
    noun = intervention_noun(a.intervention)
    cumulative = (getattr(a, "cumulative", None) or {}).get("civilian_deaths")
    if cumulative is not None and {"low", "best", "high"} <= set(cumulative.columns):
        out.append(Chart(
            "cumulative_since_ceasefire.png",
            f"Civilian deaths recorded since the {noun} ({a.intervention_date.day} {a.intervention_date:%b %Y}), "
            "low/best/high figures, with the published claims counted from that day.",
            "claims", "plot_cumulative", (cumulative,),
            dict(claims=claims_since(a), event=a.intervention,
                 title=f"Civilian deaths{where} since the {noun}", source=source),
        ))  # fmt: skip
    if a.claims is not None and len(a.claims.checked):
        out.append(Chart(
            "claims.png",
            "Every checkable published claim against the data's low-best-high range, coloured "
            "by verdict.",
            "claims", "plot_claims", (a.claims,),
            dict(title=f"Published claims{where} against the data", source=source),
        ))  # fmt: skip
    return out


def _areas_chart(a: Any, ev_mark: Any, source: str, where: str, area_word: str) -> list[Chart]:
    by_area = getattr(a, "by_area", None)  # None unless the data have two areas or more
    if by_area is None:
        return []
    drawn = set(by_area.columns.get_level_values(0))
    labels = {oa.measure or name: oa.label for name, oa in a.outcomes.items()}
    measure = next((m for m in ("deaths_best", *labels) if m in drawn), None)
    if measure is None:
        return []
    label = labels.get(measure, "civilian deaths").capitalize()
    span = f"{a.start.day} {a.start:%b %Y} to {a.end.day} {a.end:%b %Y}"
    return [Chart(
        "small_multiples_admin1.png",
        f"{label} per day in each {area_word}, {span}.",
        "small_multiples", "plot_small_multiples", (by_area,),
        dict(measure=measure, by="admin1", events=[ev_mark],
             title=f"{label} per day by {area_word}{where}", source=source,
             area_label=area_word, data_span=(a.start, a.end)),
    )]  # fmt: skip


def chart_specs(
    analysis: Any,
    *,
    timeline: Any = None,
    source: str = "",
    place: str | None = None,
    incidents: pd.DataFrame | None = None,
    area_word: str = "first-level administrative area",
) -> list[Chart]:
    """The charts of a report, in the order of its list of figures.

    Parameters
    ----------
    analysis : CeasefireAnalysis
    timeline : Timeline, optional
        Its events in the window are drawn on the timeline.
    source : str
        Footer credit of every chart.
    place : str, optional
        For titles ("... in <place>").
    incidents : DataFrame, optional
        Not used (kept for callers that pass it): the per-area small multiples draw the
        analysis' ``by_area``, never a table regrouped here.
    area_word : str
        The data's first-level administrative area in words.

    Returns
    -------
    list of Chart
    """
    a = analysis
    where = f" in {place}" if place else ""
    events = _window_events(a, timeline)
    ev_mark = (
        a.intervention
        if hasattr(a.intervention, "start")
        else (a.intervention_date, "intervention")
    )
    key_events = [
        e for e in events if getattr(e, "kind", None) in ("ceasefire", "escalation", "offensive")
    ] or [ev_mark]
    charts = [_timeline_chart(a, events, source, where)]
    for oa in a.outcomes.values():
        charts += _outcome_charts(a, oa, key_events, source, where)
    charts += _claims_charts(a, source, where)
    charts += _areas_chart(a, ev_mark, source, where, area_word)
    return charts

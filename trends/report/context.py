"""What a report says, built from result objects only: the context of the report templates.

:func:`build_context` reads a :class:`~trends.analysis.CeasefireAnalysis` (its
:class:`~trends.analysis.OutcomeAnalysis` objects, the ingest report it carries, its claims
check and its count series), the timeline and the bottom line, and returns a
:class:`ReportContext`: sections of sentences (:class:`~trends.report.escape.Prose` for the
package's words with data in escaped slots; a plain ``str`` is data) and tables of cells.
Nothing here rebuilds a series, reads a model's ``to_dict()``, or changes the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trends.events import is_date_event
from trends.ingest.report import choice_text
from trends.models.changepoint_dependence import SET_COVERAGE_NOTE
from trends.models.its import PROJECTION_SPREAD, UNINFORMATIVE_PROJECTION
from trends.report import fmt
from trends.report.charts import DATA_WORDS, Chart, claims_since, data_kind, intervention_noun
from trends.report.choices import Choice
from trends.report.contract import VERSION, source_text
from trends.report.escape import Prose, prose
from trends.verdicts.adapter import event_in_set, period_label_of
from trends.verdicts.words import (
    EXACT_WORDS,
    NO_CHANGE,
    HeadlineInterval,
    classify_change,
    count_of,
    empty_phase,
    empty_phase_kind,
    empty_phase_sentence,
    fmt_count,
    fmt_estimate,
    fmt_interval,
    fmt_ratio,
    headline,
    headline_interval,
    length_words,
    period_words,
    singular,
    word_list,
)

__all__ = ["ReportContext", "Section", "Table", "build_context"]


@dataclass
class Table:
    """A table: header cells and rows of cells (each a ``str`` of data or a :class:`Prose`)."""

    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""

    @property
    def stack(self) -> bool:
        """Few columns of prose: shown as stacked rows on a narrow screen (HTML)."""
        return len(self.headers) <= 3

    @property
    def long(self) -> bool:
        """Long enough to be collapsed in the HTML report (more than 20 rows)."""
        return len(self.rows) > 20


@dataclass
class Section:
    """A titled block of paragraphs and tables (an outcome's findings, for instance)."""

    title: str
    paragraphs: list[Any] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[Any] = field(default_factory=list)


@dataclass
class ReportContext:
    """Everything the templates print, in order of the report."""

    title: str
    byline: Prose
    bottom_line: list[Section]
    question: Prose
    data: Section
    findings: list[Section]
    changes_intro: Prose
    changes: list[Section]
    placebo: list[Prose]
    robustness_intro: str
    robustness: list[Section]
    claims: Section
    claims_since: Section | None
    claims_table: Table | None
    choices: Table
    models: Table | None
    caveats: list[str]
    figures: list[Chart]
    images: dict[str, str]
    files: list[Any]
    housekeeping: list[str]


def _lead_interval(oa: Any, unit: str) -> tuple[HeadlineInterval, str]:
    """The interval a finding leads with (:func:`headline_interval`) and the other one in words."""
    rr, nb = oa.rates.rate_ratio, oa.rates.rate_ratio_nb
    exact = (rr.get("ci_low"), rr.get("ci_high"))
    model = (nb.get("ci_low"), nb.get("ci_high")) if nb.get("estimate") is not None else None
    lead = getattr(oa.rates, "lead_interval", None)
    hi = lead() if callable(lead) else headline_interval(exact, model, unit=unit)
    if hi.source == "dependence-aware":
        other = f"{fmt_ratio(exact[0])} to {fmt_ratio(exact[1])} {EXACT_WORDS.format(unit=unit)}"
    elif callable(short := getattr(oa.rates, "short_phases", None)) and short():
        # a period too short to judge a change: no model interval to quote
        other = ""
    elif model is not None and model[0] is not None and model[1] is not None:
        known = not any(fmt.missing(x) for x in exact) and exact[0] > 0 and model[0] > 0
        narrower = known and (model[1] / model[0]) < (exact[1] / exact[0])
        same = [fmt_ratio(x) for x in model] == [fmt_ratio(x) for x in exact]
        other = f"{fmt_ratio(model[0])} to {fmt_ratio(model[1])} from the negative binomial " + (
            "model, the same at this precision but marginally narrower than the exact interval, "
            "so not used, since the wider of the two leads"
            if narrower and same
            else "model, narrower than the exact interval, so not used, since the wider of the "
            "two leads"
            if narrower
            else f"model, whose errors do not allow for dependence between {unit}s"
        )
    else:
        other = ""
    return hi, other


def _quoted_estimate(oa: Any, hi: HeadlineInterval) -> Any:
    """The ratio estimate of the interval that leads (:meth:`RateComparison.lead_estimate`)."""
    lead = getattr(oa.rates, "lead_estimate", None)
    return lead(hi) if callable(lead) else oa.rates.rate_ratio.get("estimate")


def _headline(oa: Any, noun: str, hi: HeadlineInterval) -> Prose:
    est = _quoted_estimate(oa, hi)
    label = oa.label.capitalize()
    if est is None:
        return prose("**{label}**: ", label=label)
    words = headline(oa.label, est, hi.low, hi.high)
    if classify_change(hi.low, hi.high) in ("fall", "rise"):
        return prose("**{words}** after the {noun}: ", words=words, noun=noun)
    return prose("{words} after the {noun}: ", words=words, noun=noun)


def _rates_paragraphs(a: Any, oa: Any) -> list[Prose]:
    noun = intervention_noun(a.intervention)
    empty = empty_phase(oa.rates.before.count, oa.rates.after.count)
    if empty:  # a period without events: the exact interval's one finite bound decides
        out = [_empty_phase_paragraph(oa, noun, empty)]
    else:
        out = [_rates_sentence(oa, noun)]
    low_m, high_m = _low_high(a, oa)
    if low_m and high_m and a.since(low_m) != a.since(high_m):
        out.append(prose(
            "From {d0} to {d1} the data record {best} (low-high figures {low}-{high}).",
            d0=fmt.day(a.intervention_date), d1=fmt.day(a.end),
            best=count_of(a.since(oa.name), oa.label), low=fmt.number(a.since(low_m)),
            high=fmt.number(a.since(high_m)),
        ))  # fmt: skip
    return out + _notes(oa)


def _rates_sentence(oa: Any, noun: str) -> Prose:
    """The two-period comparison in one sentence, with the interval that leads."""
    r = oa.rates
    # the two-period comparison's own periods (daily totals, whatever the analysis frequency)
    unit = r.unit
    hi, other = _lead_interval(oa, unit)
    text = _headline(oa, noun, hi) + prose(
        "{nb} in the {pb} before ({rb} per {unit}), {na} in the {pa} after "
        "({ra} per {unit}); rate ratio after/before {est} ({ci}, {words}",
        nb=fmt.number(r.before.count), pb=length_words(r.before.n_periods, unit),
        rb=fmt.rate(r.before.rate), na=fmt.number(r.after.count),
        pa=length_words(r.after.n_periods, unit), ra=fmt.rate(r.after.rate),
        unit=unit, est=fmt_estimate(_quoted_estimate(oa, hi), hi.low, hi.high),
        ci=fmt_interval(hi.low, hi.high),
        words=hi.words,
    )  # fmt: skip
    if other:
        text = text + prose("; {other}", other=other)
    text = text + prose(")")
    return text + prose(".")


def _notes(oa: Any) -> list[Prose]:
    """How the periods were counted, one note each."""
    notes = dict.fromkeys(getattr(oa, "notes", None) or [])
    return [prose("Note: {note}.", note=note) for note in notes]


def _empty_phase_paragraph(oa: Any, noun: str, empty: str) -> Prose:
    """The finding when a period has no events (:func:`empty_phase_sentence`)."""
    r = oa.rates
    rr = r.rate_ratio
    low, high = rr.get("ci_low"), rr.get("ci_high")
    words = empty_phase_sentence(
        oa.label,
        (r.before.count, r.after.count),
        (length_words(r.before.n_periods, r.unit), length_words(r.after.n_periods, r.unit)),
        (low, high),
        level=1.0 - r.alpha,
        unit=r.unit,
        event=f"the {noun}",
    )
    if empty_phase_kind(empty, low, high) in ("fall", "rise"):
        head, _, rest = words.partition("; ")
        return prose("**{head}**; {rest}.", head=head, rest=rest)
    return prose("{words}.", words=words)


def _low_high(a: Any, oa: Any) -> tuple[str | None, str | None]:
    series = getattr(a, "series", None)
    if series is None or oa.measure is None:
        return None, None
    low, high = series.range_of(oa.measure)
    if low in series.counts and high in series.counts:
        return low, high
    return None, None


def _direction(estimate: Any, low: Any, high: Any, unit: str = "") -> str:
    """ "fell by 94%" / "rose by 2.6% per day" only when the interval excludes 1."""
    if estimate is None or fmt.missing(estimate):
        return "changed"
    per = f" per {unit}" if unit else ""
    if classify_change(low, high) in ("fall", "rise"):
        return fmt.pct_change(estimate).replace("%", f"%{per}")
    change = (float(estimate) - 1) * 100
    digits = 0 if abs(change) >= 10 else 1 if abs(change) >= 1 else 2  # never "+0.0%" for +0.04%
    return f"changed by {change:+.{digits}f}%{per} ({NO_CHANGE})"


def _its_paragraphs(a: Any, oa: Any) -> list[Prose]:
    its, unit, noun = oa.its, fmt.unit_of(a.freq), intervention_noun(a.intervention)
    lc, sc = its.level_change, its.slope_change
    fitted, after = _its_bases(oa, unit)
    text = prose(
        "At the {noun} itself the rate per {unit} {change} (interrupted time series"
        + (" fitted to {fitted}" if fitted else "")
        + ", level change {ci})",
        noun=noun, unit=unit, change=_direction(lc.estimate, lc.ci_low, lc.ci_high),
        fitted=fitted, ci=fmt.interval(lc.estimate, lc.ci_low, lc.ci_high),
    )  # fmt: skip
    if sc is not None and sc.estimate is not None:
        text = text + prose(
            "; after it the trend {change} relative to the trend before (rate ratio per {unit} "
            "{ci})",
            change=_direction(sc.estimate, sc.ci_low, sc.ci_high, unit), unit=unit,
            ci=fmt.interval(sc.estimate, sc.ci_low, sc.ci_high),
        )  # fmt: skip
    out = [text + prose(".")]
    ce = its.cumulative_effect or {}
    if ce.get("estimate") is not None and ce.get("ci_low") is not None:
        out.append(_cumulative_paragraph(ce, noun, oa.label, after))
    return out


def _its_bases(oa: Any, unit: str) -> tuple[str, str]:
    """("19 months", "the 10 months from 1 Oct 2020"): the periods of the
    interrupted time series and of its cumulative difference, said where they differ from the
    two-phase comparison's (a month holding days before and after the event, which the
    comparison leaves out), so that no figure borrows another's base; ("", "") otherwise."""
    r, its = oa.rates, oa.its
    if r is None or r.unit != unit:
        return "", ""
    used = (its.diagnostics or {}).get("n_used")
    fitted = (
        length_words(used, unit) if used and used != r.before.n_periods + r.after.n_periods else ""
    )
    ce = its.cumulative_effect or {}
    n, start = ce.get("n_periods"), ce.get("start")
    after = (
        f"the {length_words(n, unit)} from {fmt.day(start)}"
        if fitted and n and start is not None and n != r.after.n_periods
        else ""
    )
    return fitted, after


def _cumulative_paragraph(ce: dict[str, Any], noun: str, label: str, base: str = "") -> Prose:
    """The projected difference (recorded minus expected); "fewer"/"more" only when it is clear
    (``base``: "the 10 months from 1 Oct 2020" when it differs from the two-phase one)."""
    within = " in {base}" if base else ""
    est, lo, hi = ce["estimate"], ce["ci_low"], ce["ci_high"]
    if ce.get("projection_uninformative"):
        return prose(
            "After the {noun}, {obs} {label} {were} recorded" + within + "; {why}, or to say how "
            "many fewer "
            "or more were recorded (the projection's 95% interval reaches more than {times} "
            "times the larger of the projected and the recorded totals). Read the immediate "
            "change above, not a cumulative difference.",
            noun=noun, obs=fmt_count(ce["observed"]), base=base,
            label=singular(label) if round(ce["observed"]) == 1 else label,
            were="was" if round(ce["observed"]) == 1 else "were",
            why=UNINFORMATIVE_PROJECTION, times=f"{PROJECTION_SPREAD:.0f}",
        )  # fmt: skip

    def signed(x: float) -> str:
        return f"{fmt_count(abs(x))} {'fewer' if x < 0 else 'more'}"

    one = round(abs(est)) == 1  # "1 more attack was recorded"
    label, were = (singular(label), "was") if one else (label, "were")
    if lo < 0 < hi or lo > 0 > hi:
        return prose(
            "Projecting the pre-{noun} trend forward, {est} {label} {were} recorded after it"
            + within
            + " than the model expected, but the 95% prediction interval ({lo} to {hi}) includes "
            "no difference: {no_change}. A projection of a trend is an assumption, not an "
            "observation.",
            noun=noun, label=label, were=were, est=signed(est), base=base, lo=signed(min(lo, hi)),
            hi=signed(max(lo, hi)), no_change=NO_CHANGE,
        )  # fmt: skip
    low, high = sorted((abs(lo), abs(hi)))
    return prose(
        "Projecting the pre-{noun} trend forward, {n} {more} {label} {were} recorded after it"
        + within
        + " than the model expected (95% prediction interval {lo} to {hi}); a projection of a "
        "trend is an assumption, not an observation.",
        noun=noun, n=fmt_count(abs(est)), label=label, were=were, base=base,
        more="fewer" if est < 0 else "more", lo=fmt_count(low), hi=fmt_count(high),
    )  # fmt: skip


def _findings(a: Any) -> list[Section]:
    out = []
    for oa in a.outcomes.values():
        paras: list[Any] = []
        if oa.rates is not None:
            paras += _rates_paragraphs(a, oa)
        if oa.its is not None:
            paras += _its_paragraphs(a, oa)
        pre = getattr(oa, "pretrend", None)
        if pre is not None:
            paras.append(prose("{text}", text=pre.report()))
        paras += [prose("Could not estimate: {p}", p=p) for p in oa.problems]
        # the measured coverage of the methods is stated once, under the caveats
        parts = [oa.rates.report() if oa.rates is not None else None,
                 oa.its.report(coverage=False) if oa.its is not None else None]  # fmt: skip
        detail = " ".join(p for p in parts if p)
        if detail:
            paras.append(prose("In detail: {d}", d=detail))
        out.append(Section(oa.label.capitalize(), paras))
    return out


def _timing_text(oa: Any, bottom: Any) -> str | None:
    """The timing sentence of the outcome's bottom line, else of its change-point comparison."""
    lines = getattr(bottom, "lines", None) or {}
    b = lines.get(oa.name) if isinstance(lines, dict) else None
    if b is not None and b.timing is not None and b.timing.status != "unknown":
        return b.timing.text
    comp = oa.changepoint.comparison
    timing = comp.timing() if comp is not None else None
    return timing.text if timing is not None else None


def _changes(a: Any, bottom: Any = None) -> list[Section]:
    out = []
    for oa in a.outcomes.values():
        cp = oa.changepoint
        if cp is None:
            out.append(Section(oa.label.capitalize(), ["No change-point result."]))
            continue
        paras: list[Any] = []
        if cp.primary is not None and len(cp.breaks):
            text = _timing_text(oa, bottom)
            if text:
                paras.append(prose("{text}", text=text))
        paras.append(prose("In detail: {d}", d=cp.report()) if paras else cp.report())
        paras += _change_dates_paragraphs(a, oa)
        out.append(Section(oa.label.capitalize(), paras))
    return out


def _period_holding(day: Any, index: Any, unit: str) -> str:
    """The period of the series that holds ``day``, in words: "22 May 2023", "the week of 3 Oct
    2022, which holds 5 Oct 2022", "Jun 2021"."""
    if unit == "day" or not isinstance(index, pd.DatetimeIndex) or not len(index):
        return fmt.day(day)
    label = period_label_of(day, index)
    if label is None:
        return fmt.day(day)
    when = pd.Timestamp(day)
    when = when.tz_localize(None) if when.tzinfo is not None else when
    holds = f", which holds {fmt.day(when)}" if unit == "week" and label != when.normalize() else ""
    return period_words(label, unit) + holds


def _change_dates_paragraphs(a: Any, oa: Any) -> list[Prose]:
    """The calibrated set of possible start dates of one change, and whether the event is in it."""
    cd = getattr(oa, "change_dates", None)
    if cd is None:
        return []
    noun = intervention_noun(a.intervention)
    index = getattr(oa.series, "index", None)
    inside = event_in_set(cd, a.intervention_date, index)
    unit = fmt.unit_of(a.freq)
    period = f"first {unit}" if unit == "day" else unit
    where = (
        "The {noun}'s {period} ({day}) is in the set."
        if inside
        else "The {noun}'s {period} ({day}) is not in the set: if the rate changed once, "
        "it did not change then."
    )
    return [
        prose(
            "{text} " + where,
            text=cd.headline(),
            noun=noun,
            period=period,
            day=_period_holding(a.intervention_date, index, unit),
        ),  # fmt: skip
        prose("{text}", text=cd.method_text()),
    ]


def _placebo(a: Any) -> list[Prose]:
    out = []
    for oa in a.outcomes.values():
        if oa.placebo is not None:
            out.append(prose("**{label}.** {text}", label=oa.label.capitalize(),
                             text=oa.placebo.report()))  # fmt: skip
            continue
        why = next((p for p in oa.problems if p.startswith("placebo")), None)
        if why is None and oa.its is None:
            its = next((p for p in oa.problems if p.startswith("interrupted time series")), None)
            why = (
                "it refits the interrupted time series, which could not be fitted: "
                + its.split(": ", 1)[-1]
                if its
                else "it refits the interrupted time series, which was not run"
            )
        out.append(
            prose("**{label}.** No placebo test ({why}).", label=oa.label.capitalize(), why=why)
            if why
            else prose(
                "**{label}.** No placebo test (it was not run).", label=oa.label.capitalize()
            )
        )
    return out


def _robustness(a: Any) -> list[Section]:
    out = []
    for oa in a.outcomes.values():
        rob = oa.robustness
        sec = Section(oa.label.capitalize())
        out.append(sec)
        if rob is None or not len(rob):
            sec.paragraphs.append(
                "The low/high and deadliest-incident variants do not apply to attacks (they "
                "concern death counts); the model variants follow."
                if oa.name == "attacks"
                else "Robustness checks were not run."
                if data_kind(a) == "incidents" or not a.settings.get("robustness")
                else "No robustness variant applies: these data give one figure per "
                f"{fmt.unit_of(a.freq)}, with no low/high range and no single incidents to leave "
                "out."
            )
            _model_variants(sec, oa)
            continue
        base = oa.its.level_change if oa.its is not None else None
        rows = []
        if base is not None:
            rows.append(["main analysis (best figures)",
                         *_level_cells(base.estimate, base.ci_low, base.ci_high),
                         fmt.number(a.total(oa.name))])  # fmt: skip
        repeats = []
        for _, r in rob.iterrows():
            if base is not None and _repeats_main(r, base):
                repeats.append(str(r["variant"]))
                continue
            if pd.notna(r.get("level_rr")):
                cells = _level_cells(r["level_rr"], r["ci_low"], r["ci_high"])
                rows.append([r["variant"], *cells, fmt.number(r["total"])])
            else:
                rows.append(
                    [r["variant"], "not estimable", r.get("problem", ""), fmt.number(r["total"])]
                )
        sec.tables.append(
            Table(["Variant", "Level change (rate ratio)", "95% CI", f"Total {oa.label}"], rows)
        )
        if repeats:
            sec.paragraphs.append(prose(
                "Not shown: {names}, identical to the main analysis (the data give no separate "
                "{which}, so {they} the best ones).",
                names=" and ".join(repeats),
                which=" or ".join(n.removesuffix(" death figures").removesuffix(" figures")
                                  + " figure" for n in repeats),
                they="they repeat" if len(repeats) > 1 else "it repeats",
            ))  # fmt: skip
        finite = rob.loc[~rob["variant"].isin(repeats), "level_rr"].dropna()
        if len(finite) and base is not None:
            same = bool(((finite < 1) == (base.estimate < 1)).all())
            sec.paragraphs.append(prose(
                "Level-change rate ratios range from {lo} to {hi}: {what}",
                lo=fmt_ratio(finite.min()), hi=fmt_ratio(finite.max()),
                what="every variant points the same way as the main analysis." if same
                else "the direction depends on the variant.",
            ))  # fmt: skip
        _model_variants(sec, oa)
    return out


def _model_variants(sec: Section, oa: Any) -> None:
    """The level change refitted over other windows, slope terms and a curved pre-period trend."""
    span = getattr(oa, "level_change_range", None)
    if span is None or not getattr(span, "variants", None):
        return
    rows = []
    for v in (span.main, *span.variants):
        if v.estimate is None:
            rows.append([v.label, "not estimable", v.problem or ""])
        else:
            rows.append([v.label, *_level_cells(v.estimate, v.ci_low, v.ci_high)])
    sec.tables.append(Table(["Model variant", "Level change (rate ratio)", "95% CI"], rows))
    sec.paragraphs.append(prose(
        "The same level change {what}: from {lo} to {hi}.",
        what=span.what, lo=fmt_ratio(span.min), hi=fmt_ratio(span.max),
    ))  # fmt: skip


def _level_cells(estimate: Any, low: Any, high: Any) -> list[str]:
    """A level change and its interval as table cells, in the package's ratio format (every row
    alike: "0.49", "0.23 to 1.04"; never four decimals on one row and three figures on the next)."""
    return [fmt_estimate(estimate, low, high), f"{fmt_ratio(low)} to {fmt_ratio(high)}"]


def _repeats_main(r: Any, base: Any) -> bool:
    """Whether a robustness row is the main fit again (low/high figures equal to the best)."""
    vals = [r.get("level_rr"), r.get("ci_low"), r.get("ci_high")]
    main = [base.estimate, base.ci_low, base.ci_high]
    if any(fmt.missing(v) for v in vals + main):
        return False
    return all(
        abs(float(v) - float(m)) <= 1e-9 * abs(float(m)) for v, m in zip(vals, main, strict=True)
    )


def _verdict_why(r: Any) -> str:
    v, reason, best_ok = r.get("verdict"), r.get("reason"), r.get("best_consistent")
    if v == "supported":
        why = "every figure in the data's low-high range is consistent with it"
    elif v == "not supported":
        why = "no figure in the data's low-high range is consistent with it"
    elif v == "undetermined":
        why = "the data's low-high range straddles the claim's boundary" + (
            ": the best figure is consistent with it, the whole range is not"
            if best_ok is True
            else ": the best figure is not consistent with it"
            if best_ok is False
            else ""
        )
    else:
        why = "it was not compared with the data"
    return why + (f" ({reason})" if isinstance(reason, str) and reason else "")


def _gap(r: Any) -> str:
    diff, pct = r.get("difference"), r.get("difference_pct")
    if fmt.missing(diff) or fmt.missing(r.get("observed_best")):
        return ""
    return f"{'+' if diff > 0 else ''}{fmt.number(diff)}" + (
        "" if fmt.missing(pct) else f" ({pct:+.1f}%)"
    )


def _claim_days(r: Any) -> str:
    """ "days in admin1 'Sagaing Region'": where the data were counted for a claim's days."""
    used = r.get("region_used")
    return f"days in {used}" if isinstance(used, str) and used else "days"


def _claims(a: Any) -> tuple[Section, Section | None, Table | None]:
    check = a.claims
    if check is None:
        why = next(
            (c for c in getattr(a, "caveats", None) or [] if str(c).startswith("Claims were not")),
            "No claims were checked (give a claims table with --claims).",
        )
        return Section("Claims", [why]), None, None
    what = "Incident data are" if data_kind(a) == "incidents" else "Recorded counts are"
    head = Section("Claims", [
        check.report().splitlines()[0],
        f"{what} a floor on what happened: a count below a claim's threshold shows "
        "that these data do not reach it, not that the claim is false.",
    ])  # fmt: skip
    since = claims_since(a)
    since_sec = None
    if len(since):
        since_sec = Section(f"Claims counted from the {intervention_noun(a.intervention)}")
        for _, r in since.iterrows():
            finding = r.get("finding_sentence")
            label = r.get("finding_label")
            verdict_text = (
                "**{label}** (on the whole low-high range: **{verdict}**)."
                if isinstance(label, str) and label
                else "**{verdict}**, because {why}."
            )
            since_sec.bullets.append(prose(
                "{src} said on {asof} that {claim} had been recorded from {d0} to {d1} (claim "
                "{cid}). The data give {obs} for the same {days}: " + verdict_text
                + (" {more}" if isinstance(finding, str) and finding else ""),
                label=label,
                src=r.get("source") if isinstance(r.get("source"), str) else "A monitor",
                asof=fmt.day(r.get("as_of")), claim=fmt.claim_text(r),
                d0=fmt.day(r.get("window_start_date")), d1=fmt.day(r.get("window_end_date")),
                cid=r.get("claim_id", ""), obs=fmt.observed_text(r), verdict=r["verdict"],
                days=_claim_days(r),
                why=_verdict_why(r), more=finding,
            ))  # fmt: skip
    findings = "finding_label" in check.frame
    rows = []
    for _, r in check.frame.iterrows():
        window = ""
        if not (fmt.missing(r.get("window_start_date")) and fmt.missing(r.get("window_end_date"))):
            window = f"{fmt.iso(r.get('window_start_date'))} to {fmt.iso(r.get('window_end_date'))}"
        row = [r.get("claim_id", ""), fmt.iso(r.get("as_of")), window, fmt.claim_text(r),
               r.get("source", ""), fmt.observed_text(r), r.get("verdict", "")]  # fmt: skip
        if findings:
            row += [r.get("finding_label") or "", _gap(r)]
        rows.append(row + [r.get("reason", "")])
    headers = ["Claim", "As of", "Window", "Claimed", "Source", "Data: best (low-high)", "Verdict"]
    headers += ["Finding", "Difference (best - claim)"] if findings else []
    table = Table(headers + ["Reason"], rows, caption="Every claim")
    return head, since_sec, table


def _models(a: Any) -> Table | None:
    table = a.models_table()
    if table.empty:
        return None
    words = {k: oa.label for k, oa in a.outcomes.items()}
    rows = [[words.get(r["outcome"], r["outcome"]), r["model"], r["term"], r["method"],
             *_ratio_cells(a, r)]
            for _, r in table.iterrows()]  # fmt: skip
    return Table(["Outcome", "Model", "Term", "Method / standard errors", "Estimate",
                  "95% CI low", "95% CI high"], rows)  # fmt: skip


def _ratio_cells(a: Any, r: Any) -> list[str]:
    """A model row's estimate and interval; a two-phase ratio with an empty period in words."""
    rates = getattr(a.outcomes.get(r["outcome"]), "rates", None)
    empty = ""
    if r["model"] == "two-phase rates" and rates is not None:
        empty = empty_phase(rates.before.count, rates.after.count)
    if empty == "before":
        return ["undefined (none before)", fmt_ratio(r["ci_low"]), "unbounded"]
    if empty == "both":
        return ["nothing to compare (none in either period)", "", ""]
    return list(fmt.ratios(r["estimate"], r["ci_low"], r["ci_high"]))


#: Rejected rows and merged duplicates listed in the report (all of them are in results.json).
MAX_LISTED_ROWS = 50


def _row_accounting_tables(ing: Any) -> list[Table]:
    """The rejected rows (with their reasons) and the merged duplicates, up to a limit each."""
    tables = []
    more = " (the first {shown}; every one is in results.json, data.{key}, and in trends validate)"
    if ing.errors:
        shown = ing.errors[:MAX_LISTED_ROWS]
        rows = [[str(e.row), "" if e.line is None else str(e.line), e.column or "",
                 "" if e.value is None else str(e.value), e.reason] for e in shown]  # fmt: skip
        cap = f"Rejected rows ({ing.rejected:,}; {len(ing.errors):,} reasons)"
        if len(ing.errors) > len(shown):
            cap += more.format(shown=len(shown), key="rejected_rows")
        tables.append(Table(["Row", "Line", "Column", "Value", "Reason"], rows, caption=cap))
    if ing.duplicate_rows:
        shown = ing.duplicate_rows[:MAX_LISTED_ROWS]
        rows = [[str(d.row), "" if d.kept_row is None else str(d.kept_row), d.key, d.rule,
                 ", ".join(d.differences)] for d in shown]  # fmt: skip
        cap = f"Rows merged as duplicates ({len(ing.duplicate_rows):,})"
        if len(ing.duplicate_rows) > len(shown):
            cap += more.format(shown=len(shown), key="duplicate_rows")
        tables.append(
            Table(
                ["Row", "Merged into row", "Key", "Rule", "Values that differed"], rows, caption=cap
            )
        )
    return tables


def _data_section(a: Any, source_label: str) -> Section:
    ing = a.ingest
    sec = Section("Data")
    if ing is not None:
        sec.paragraphs.append(prose(
            "Source: {label} (file: {file}). {read} rows read, {acc} accepted, {rej} rejected, "
            "{dup} merged as duplicates{filtered}.",
            label=source_label, file=source_text(ing.source), read=f"{ing.rows_read:,}",
            acc=f"{ing.accepted:,}", rej=f"{ing.rejected:,}", dup=f"{ing.duplicates:,}",
            filtered=f", {ing.filtered:,} filtered out (see below)" if ing.filtered else "",
        ))  # fmt: skip
        sec.bullets = list(ing.notes)
        if data_kind(a) == "incidents":  # series readers' choices are in their provenance
            sec.bullets += [
                f"{str(k).replace('_', ' ').capitalize()}: {choice_text(v)}"
                for k, v in ing.choices.items()
            ]
        sec.tables += _row_accounting_tables(ing)
    else:
        sec.paragraphs.append(prose("Source: {label}.", label=source_label))
    n_days = (a.end - a.start).days + 1
    measures = (
        a.series.counts.columns if getattr(a, "series", None) is not None else a.counts.columns
    )
    text = prose(
        "The window runs from {d0} to {d1} ({n} days).",
        d0=fmt.day(a.start),
        d1=fmt.day(a.end),
        n=f"{n_days:,d}",
    )
    if "attacks" in measures and data_kind(a) == "incidents":
        # the attacks measure counts the incidents that are attacks (ACLED: its political-
        # violence event types; other incident tables: every incident)
        what = "attacks" if "attacks" in (getattr(ing, "choices", None) or {}) else "incidents"
        n = a.total("attacks")
        text = prose("{n} {fall} in the window {d0} to {d1} ({days}).",
                     n=count_of(n, what), fall="falls" if round(n) == 1 else "fall",
                     d0=fmt.day(a.start), d1=fmt.day(a.end),
                     days=length_words(n_days, "day"))  # fmt: skip
    if "incidents_no_death_figure" in measures and a.total("incidents_no_death_figure"):
        text = text + prose(
            " {n} of them have no death figure: they count as attacks but add nothing to the "
            "death counts.",
            n=fmt.number(a.total("incidents_no_death_figure")),
        )
    flags = list(getattr(ing, "flags", None) or []) if ing is not None else []
    if flags:
        sec.tables.append(Table(
            ["Date", "Flag", "Why"],
            [[str(f.get("date", "")), str(f.get("kind", "")).replace("_", " "),
              str(f.get("reason", ""))] for f in flags],
            caption=f"Data-quality flags ({len(flags)}): rows kept, marked",
        ))  # fmt: skip
    kind = data_kind(a)
    if kind != "incidents":
        totals = word_list(count_of(a.total(name), oa.label) for name, oa in a.outcomes.items())
        text = text + prose(" The data record {totals} in it.", totals=totals)
        series = a.series.days if a.series.days is not None else a.series
        sec.bullets = list(sec.bullets) + list(series.provenance.choices)
    sec.paragraphs.append(text + prose(" " + DATA_WORDS.get(kind, DATA_WORDS["frame"])))
    return sec


def _bottom_line(bottom: Any) -> list[Section]:
    if bottom is None:
        return []
    return [
        Section(
            b.measure.capitalize(),
            [prose("**{m}.** {text}", m=b.measure.capitalize(), text=b.text)],
        )
        for b in bottom
    ]


def build_context(
    analysis: Any,
    *,
    title: str,
    source_label: str,
    choices: list[Choice],
    charts: list[Chart],
    images: dict[str, str] | None = None,
    bottom_line: Any = None,
    files: list[Any] = (),
    housekeeping: list[str] = (),
) -> ReportContext:
    """The context of the report templates.

    Parameters
    ----------
    analysis : CeasefireAnalysis
    title, source_label : str
        Data (escaped when rendered).
    choices : list of Choice
        :func:`trends.report.choices.report_choices`.
    charts : list of Chart
        Drawn (or with their skip notes).
    images : dict, optional
        Chart file -> ``data:`` URI of the PNG (the HTML report embeds them).
    bottom_line : BottomLines, optional
        One paragraph per outcome (:mod:`trends.verdicts`).
    files : list of Prose
        The files of the run and what each holds.
    housekeeping : list of str
        What happened to files of an earlier run in the folder.

    Returns
    -------
    ReportContext
    """
    a = analysis
    noun = intervention_noun(a.intervention)
    outcomes = word_list(oa.label for oa in a.outcomes.values())
    claims_head, since, table = _claims(a)
    return ReportContext(
        title=title,
        byline=prose("*Written by trends {v}. Data: {src}.*", v=VERSION, src=source_label),
        bottom_line=_bottom_line(bottom_line),
        question=prose(
            (
                "Did the {noun} (“{name}”, {when})"
                if getattr(a.intervention, "name", None) and not is_date_event(a.intervention)
                else "Did the {noun} at {when}"
                if getattr(a.intervention, "has_time", False)
                else "Did the {noun} of {when}"
            )
            + " change the rate of {outcomes}? By how much, how sure can we be, when did the rate "
            "actually change"
            + (
                ", and do the figures published at the time hold up against the data?"
                if a.claims is not None
                else "?"
            ),
            noun=noun,
            name=str(getattr(a.intervention, "name", None) or "intervention"),
            when=fmt.when(a.intervention, a.intervention_date),
            outcomes=outcomes,
        ),  # fmt: skip
        data=_data_section(a, source_label),
        findings=_findings(a),
        changes_intro=prose(
            "The change-point search looks for the {unit}s on which the rate changed without "
            "being told about the {noun}; the date set is the range of dates the data cannot "
            "tell apart. With the negative binomial model the search tempers the likelihood by a "
            "dependence factor estimated from the series (how much more the counts vary over "
            "longer stretches than from one {unit} to the next), so runs of busy or quiet "
            "{unit}s are not taken for changes, and the set holds 95% of the tempered likelihood "
            "weight: it is not a calibrated confidence set. {measured}: {note}. Read it as "
            "the likely dates, not a guarantee. "
            "Each outcome also has a second set, given whether or not the search declares a "
            "change: the {unit}s on which a single change could have begun, calibrated by "
            "simulation with the series' serial dependence (its measured coverage follows it).",
            unit=fmt.unit_of(a.freq),
            note=SET_COVERAGE_NOTE,
            measured={
                "day": "Measured",
                "week": "Measured on daily series (on weekly ones only without serial dependence)",
            }.get(fmt.unit_of(a.freq), "Measured on daily and weekly series only"),
            noun=noun,
        ),  # fmt: skip
        changes=_changes(a, bottom_line),
        placebo=_placebo(a),
        robustness_intro="The interrupted time series' level change, refitted with the low and "
        "the high death figures and without the deadliest incidents."
        if data_kind(a) == "incidents"
        else "The interrupted time series' level change, refitted with the low and the high "
        "figures where the data give them.",
        robustness=_robustness(a),
        claims=claims_head,
        claims_since=since,
        claims_table=table,
        choices=Table(["Choice", "Value", "Why"], [[c.label, c.value, c.why] for c in choices]),
        models=_models(a),
        caveats=list(a.caveats),
        figures=list(charts),
        images=dict(images or {}),
        files=list(files),
        housekeeping=list(housekeeping),
    )

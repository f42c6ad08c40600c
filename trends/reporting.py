"""Publish a ceasefire analysis: charts, a plain-language report, machine-readable results, series.

:func:`write_report` takes a :class:`trends.analysis.CeasefireAnalysis` and writes into a folder:

=================================  ===============================================================
file                               what
=================================  ===============================================================
``report.md``                      the findings in plain language with their numbers, the choices
                                   made and why, every claim's verdict, the table of models,
                                   caveats and the list of figures
``results.json``                   :meth:`CeasefireAnalysis.to_dict` plus ``generated_by``,
                                   validated against ``trends/schemas/results.schema.json``
``series_daily.csv``               zero-filled daily counts of every measure in the window
``series_weekly.csv``              the same per ISO week (weeks labelled by their Monday)
``timeline.png``                   counts per day, 7-day mean, phases and reference events
``its_<outcome>.png``              interrupted time series: observed, fitted, counterfactual
``changepoints_<outcome>.png``     change points found without being told the ceasefire date
``placebo_<outcome>.png``          the real level change among placebo ones
``cumulative_since_ceasefire.png`` deaths since the intervention (low/best/high) and claims
``claims.png``                     every checked claim against the data's low-high range
``small_multiples_admin1.png``     deaths per day in each governorate
=================================  ===============================================================

Nothing written depends on when or where it is run: no run timestamps, and the data source is
given relative to the working folder (or as the bundled file's name). A chart whose plotting
function is not available is skipped with a note in ``report.md``; charts never compute
statistics (every number drawn is computed here or in the models).
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from trends.errors import TrendsError

__all__ = [
    "ReportInputs",
    "load_inputs",
    "check_claims_for",
    "run_analysis",
    "run_report",
    "SCHEMA_FILE",
    "BUNDLED_SOURCE_LABEL",
    "load_schema",
    "schema_errors",
    "validate_results",
    "results_payload",
    "write_report",
]

#: Where the JSON Schema of ``results.json`` lives (package data).
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "results.schema.json"

#: Source credit of the bundled Idlib 2019 data (footer of every chart).
BUNDLED_SOURCE_LABEL = (
    "Airwars (Russian Military in Syria), with figures from SOHR, SNHR, the White Helmets, "
    "the UN and others"
)

#: Progress callback: ``progress(description, completed_steps, total_steps)``.
Progress = Callable[[str, int, int], None]

_CHECKED = ("supported", "not supported", "undetermined")
_UNIT = {"D": "day", "W": "week", "M": "month"}


# =============================================================================================
# JSON Schema
# =============================================================================================
def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``results.json``."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_errors(payload: Any, schema: Mapping[str, Any] | None = None) -> list[str]:
    """Every way ``payload`` departs from the results schema (empty list: valid).

    Uses :mod:`jsonschema` when it is installed; otherwise a small built-in checker of the
    keywords the schema uses (``type``, ``required``, ``properties``, ``additionalProperties``,
    ``propertyNames``, ``minProperties``, ``items``, ``enum``, ``const``, ``pattern``,
    ``minimum``, ``maximum``, ``minLength``, ``anyOf`` and local ``$ref``).

    Parameters
    ----------
    payload : object
        Decoded JSON.
    schema : mapping, optional
        Default: :func:`load_schema`.

    Returns
    -------
    list of str
        ``"<path>: <message>"`` for each problem, the path written ``a/b/0``.
    """
    schema = load_schema() if schema is None else schema
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - exercised by a test that hides jsonschema
        return _Checker(schema).errors(payload)
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(payload), key=lambda e: list(map(str, e.path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message}")
    return out


def validate_results(payload: Any) -> None:
    """Raise :class:`~trends.errors.TrendsError` when ``payload`` does not match the schema."""
    errors = schema_errors(payload)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise TrendsError(f"results do not match {SCHEMA_FILE.name}: {errors[0]}{more}")


class _Checker:
    """Minimal JSON Schema checker for the keywords of ``results.schema.json``."""

    _TYPES: dict[str, Callable[[Any], bool]] = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "integer": lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    }

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def errors(
        self, value: Any, schema: Mapping[str, Any] | None = None, path: str = ""
    ) -> list[str]:
        schema = self.root if schema is None else schema
        where = path or "(root)"
        out: list[str] = []
        if "$ref" in schema:
            out += self.errors(value, self._ref(schema["$ref"]), path)
        if "anyOf" in schema:
            if not any(not self.errors(value, s, path) for s in schema["anyOf"]):
                out.append(f"{where}: {value!r} matches none of the allowed forms")
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(self._TYPES[t](value) for t in types):
                return out + [f"{where}: {value!r} is not of type {' or '.join(types)}"]
        if "const" in schema and value != schema["const"]:
            out.append(f"{where}: {value!r} is not {schema['const']!r}")
        if "enum" in schema and value not in schema["enum"]:
            out.append(f"{where}: {value!r} is not one of {schema['enum']}")
        if isinstance(value, str):
            if "pattern" in schema and not re.search(schema["pattern"], value):
                out.append(f"{where}: {value!r} does not match {schema['pattern']!r}")
            if len(value) < schema.get("minLength", 0):
                out.append(f"{where}: {value!r} is too short")
        if self._TYPES["number"](value):
            if "minimum" in schema and value < schema["minimum"]:
                out.append(f"{where}: {value!r} is less than the minimum of {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                out.append(f"{where}: {value!r} is greater than the maximum of {schema['maximum']}")
        if isinstance(value, dict):
            for key in schema.get("required", []):
                if key not in value:
                    out.append(f"{where}: {key!r} is a required property")
            if len(value) < schema.get("minProperties", 0):
                out.append(f"{where}: {value!r} has too few properties")
            props = schema.get("properties", {})
            for key, item in value.items():
                sub = f"{path}/{key}" if path else str(key)
                if "propertyNames" in schema:
                    out += [
                        e.replace(f"{sub}: ", f"{sub}: property name ", 1)
                        for e in self.errors(key, schema["propertyNames"], sub)
                    ]
                if key in props:
                    out += self.errors(item, props[key], sub)
                elif isinstance(schema.get("additionalProperties"), dict):
                    out += self.errors(item, schema["additionalProperties"], sub)
                elif schema.get("additionalProperties") is False:
                    out.append(f"{where}: additional property {key!r} is not allowed")
        if isinstance(value, list) and "items" in schema:
            for i, item in enumerate(value):
                out += self.errors(item, schema["items"], f"{path}/{i}" if path else str(i))
        return out

    def _ref(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#/"):
            raise TrendsError(f"only local $ref are supported, not {ref!r}")
        node: Any = self.root
        for part in ref[2:].split("/"):
            node = node[part]
        return node


# =============================================================================================
# results.json
# =============================================================================================
_OUTCOME_KEYS = ("rate_before", "rate_after", "rate_ratio", "its", "changepoint", "placebo")


def _source_text(source: Any) -> str | None:
    """The data source without anything that depends on where the run happens."""
    if source is None:
        return None
    text = str(source)
    path = Path(text)
    if not path.is_absolute():
        return text
    pkg = Path(__file__).resolve().parent
    for base in (pkg / "_bundled", pkg.parent / "data"):
        try:
            return f"{path.resolve().relative_to(base.resolve()).as_posix()} (bundled with trends)"
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def results_payload(analysis) -> dict[str, Any]:
    """The ``results.json`` payload of an analysis (JSON-safe, deterministic).

    :meth:`CeasefireAnalysis.to_dict`, with ``generated_by`` (package and version), the keys
    of an outcome that could not be estimated present as ``null`` (the reason is in its
    ``problems``), and the data source written without the absolute path of the run.
    """
    from trends import __version__

    payload = analysis.to_dict()
    for out in (payload.get("outcomes") or {}).values():
        for key in _OUTCOME_KEYS:
            out.setdefault(key, None)
    if isinstance(payload.get("data"), dict) and "source" in payload["data"]:
        payload["data"]["source"] = _source_text(payload["data"]["source"])
    return {"generated_by": {"package": "trends", "version": __version__}, **payload}


# =============================================================================================
# charts
# =============================================================================================
@dataclass
class _Chart:
    file: str
    caption: str
    module: str
    function: str
    args: tuple
    kwargs: dict
    note: str | None = None  # set when the chart was skipped


def _figure_of(obj: Any):
    if hasattr(obj, "savefig"):
        return obj
    if isinstance(obj, (tuple, list)):
        for item in obj:
            fig = _figure_of(item)
            if fig is not None:
                return fig
        return None
    if hasattr(obj, "ravel") and not hasattr(obj, "figure"):  # numpy array of Axes
        return _figure_of(list(obj.ravel()))
    fig = getattr(obj, "figure", None)
    return fig if hasattr(fig, "savefig") else None


def _draw(chart: _Chart, out_dir: Path) -> Path | None:
    """Draw and save one chart; a missing plotting function becomes a note."""
    try:
        module = importlib.import_module(f"trends.plots.{chart.module}")
        fn = getattr(module, chart.function)
    except (ImportError, AttributeError):
        chart.note = (
            f"not drawn: trends.plots.{chart.module}.{chart.function} is not available in this "
            "installation"
        )
        return None
    import matplotlib.pyplot as plt

    from trends.plots.style import save

    try:
        result = fn(*chart.args, **chart.kwargs)
    except TrendsError as exc:
        chart.note = f"not drawn: {exc}"
        plt.close("all")
        return None
    fig = _figure_of(result)
    if fig is None:
        chart.note = f"not drawn: {chart.function} returned no figure"
        return None
    path = out_dir / chart.file
    save(fig, path)
    plt.close(fig)
    return path


def _charts(
    analysis, incidents: pd.DataFrame, timeline, source: str, place: str | None
) -> list[_Chart]:
    from trends.analysis import OUTCOMES
    from trends.plots.style import PhaseMark
    from trends.series import count_series, cumulative_since, rolling_rate

    a = analysis
    ev = a.intervention
    ev_name = _ref(ev)
    day = a.intervention_date
    unit = _UNIT.get(a.freq[:1].upper(), "period")
    where = f" in {place}" if place else ""
    span = f"{a.start:%d %b %Y} to {a.end:%d %b %Y}"
    charts: list[_Chart] = []

    # --- timeline: every outcome, 7-period mean, phases, the timeline's events in the window
    measures = [OUTCOMES[o][0] for o in a.outcomes]
    window_events = _window_events(a, timeline)
    phase_word = (
        "ceasefire" if getattr(ev, "kind", None) in ("ceasefire", "truce") else "intervention"
    )
    phases = [
        PhaseMark(a.start, day - pd.Timedelta(days=1), f"before the {phase_word}"),
        PhaseMark(day, a.end, f"after the {phase_word}"),
    ]
    labels = " and ".join(oa.label for oa in a.outcomes.values())
    charts.append(
        _Chart(
            "timeline.png",
            f"{labels.capitalize()} per {unit}{where}, {span}, with the centred 7-{unit} mean, the two "
            "phases compared and the reference events of the window.",
            "timeline",
            "plot_timeline",
            (a.counts,),
            dict(
                measures=measures,
                rolling=rolling_rate(a.counts[measures], 7, center=True),
                events=window_events,
                phases=phases,
                title=f"{labels.capitalize()} per {unit}{where}, {a.start:%b %Y} to {a.end:%b %Y}",
                source=source,
            ),
        )
    )
    ev_mark = ev if hasattr(ev, "start") else (day, "intervention")
    key_events = [
        e
        for e in window_events
        if getattr(e, "kind", None) in ("ceasefire", "escalation", "offensive")
    ] or [ev_mark]
    for name, oa in a.outcomes.items():
        label = oa.label
        if oa.its is not None:
            charts.append(
                _Chart(
                    f"its_{name}.png",
                    f"Interrupted time series of {label}: observed per {unit}, the fitted "
                    f"{a.family} model and the counterfactual without the {ev_name}.",
                    "its",
                    "plot_its",
                    (oa.its,),
                    dict(
                        title=f"{label.capitalize()}{where}: before and after the {ev_name}",
                        source=source,
                        events=key_events,
                    ),
                )
            )
        if oa.changepoint is not None:
            charts.append(
                _Chart(
                    f"changepoints_{name}.png",
                    f"When did the rate of {label} change? Change points found without being "
                    f"told the date, with their 95% sets, against the {ev_name}.",
                    "changepoint",
                    "plot_changepoints",
                    (oa.changepoint,),
                    dict(
                        title=f"{label.capitalize()}{where}: when did the rate change?",
                        source=source,
                        reference=ev,
                    ),
                )
            )
        if oa.placebo is not None:
            charts.append(
                _Chart(
                    f"placebo_{name}.png",
                    f"The real level change of {label} among the level changes estimated at "
                    "fake intervention dates in the pre-period (in-time placebo test).",
                    "placebo",
                    "plot_placebo",
                    (oa.placebo,),
                    dict(
                        title=f"{label.capitalize()}: real change against placebo dates",
                        source=source,
                    ),
                )
            )

    # --- cumulative deaths since the intervention, with the claims counted from that day
    deaths = ["deaths_low", "deaths_best", "deaths_high"]
    if all(c in a.counts for c in deaths):
        cumulative = cumulative_since(a.counts[deaths], ev)[deaths]
        cumulative.columns = ["low", "best", "high"]
        charts.append(
            _Chart(
                "cumulative_since_ceasefire.png",
                f"Civilian deaths recorded since the {ev_name} ({day:%d %b %Y}), low/best/high "
                "figures, with the published claims counted from that day.",
                "claims",
                "plot_cumulative",
                (cumulative,),
                dict(
                    claims=_claims_since(a),
                    event=ev,
                    title=f"Civilian deaths{where} since the {ev_name}",
                    source=source,
                ),
            )
        )
    if a.claims is not None and len(a.claims.checked):
        charts.append(
            _Chart(
                "claims.png",
                "Every checkable published claim against the data's low-best-high range, "
                "coloured by verdict.",
                "claims",
                "plot_claims",
                (a.claims,),
                dict(title=f"Published claims{where} against the data", source=source),
            )
        )
    if "admin1" in incidents and incidents["admin1"].notna().any():
        by_admin1 = count_series(
            incidents, by="admin1", start=a.start, end=a.end, measures=("deaths_best",)
        )
        charts.append(
            _Chart(
                "small_multiples_admin1.png",
                f"Civilian deaths per day in each first-level administrative area, {span}.",
                "small_multiples",
                "plot_small_multiples",
                (by_admin1,),
                dict(
                    measure="deaths_best",
                    by="admin1",
                    events=[ev_mark],
                    title=f"Civilian deaths per day by governorate{where}",
                    source=source,
                ),
            )
        )
    return charts


def _window_events(analysis, timeline) -> list:
    if timeline is None:
        ev = analysis.intervention
        return [ev] if hasattr(ev, "start") else [(analysis.intervention_date, "intervention")]
    return list(timeline.between(analysis.start, analysis.end))


def _claims_since(analysis) -> pd.DataFrame:
    """Checked claims about civilian deaths whose window starts on the intervention day."""
    if analysis.claims is None:
        return pd.DataFrame()
    f = analysis.claims.frame
    keep = (
        f["verdict"].isin(_CHECKED)
        & (pd.to_datetime(f["window_start_date"]) == analysis.intervention_date)
        & (f["quantity"] == "civilian_deaths")
        & (pd.to_datetime(f["window_end_date"]) <= analysis.end)
    )
    return f.loc[keep].reset_index(drop=True)


# =============================================================================================
# report.md
# =============================================================================================
def _event_name(ev) -> str:
    return str(getattr(ev, "name", None) or "intervention")


_KIND_NOUN = {
    "ceasefire": "ceasefire",
    "truce": "truce",
    "offensive": "offensive",
    "escalation": "escalation",
    "agreement": "agreement",
}


def _ref(ev) -> str:
    """A short noun for the intervention in running text: "ceasefire", "truce", "intervention"."""
    return _KIND_NOUN.get(getattr(ev, "kind", None), "intervention")


def _n(x: Any, digits: int = 3) -> str:
    """A number for prose: significant digits, thousands separators, n/a for missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or pd.isna(x):
        return "n/a"
    x = float(x)
    if x.is_integer() and abs(x) >= 1:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _rate(x: Any) -> str:
    """A rate per period: two decimals."""
    if x is None or pd.isna(x):
        return "n/a"
    return f"{float(x):,.2f}"


def _rr(x: Any) -> str:
    """A rate ratio: more decimals close to 1 (per-day trend ratios)."""
    if x is None or pd.isna(x):
        return "n/a"
    return f"{x:.4f}" if abs(float(x) - 1) < 0.1 else f"{float(x):.3g}"


def _ci(d: Mapping | None, fmt: Callable[[Any], str] = _rr) -> str:
    if not d:
        return "n/a"
    return f"{fmt(d.get('estimate'))} (95% CI {fmt(d.get('ci_low'))} to {fmt(d.get('ci_high'))})"


def _date(x: Any) -> str:
    if x is None or pd.isna(x):
        return "n/a"
    return f"{pd.Timestamp(x):%d %b %Y}"


def _cell(x: Any) -> str:
    text = "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _pct_change(rr: float) -> str:
    change = (rr - 1) * 100
    digits = 1 if abs(change) < 10 else 0
    return f"rose by {change:.{digits}f}%" if change >= 0 else f"fell by {-change:.{digits}f}%"


def _when(ev, day) -> str:
    start = getattr(ev, "start", None)
    if start is not None and getattr(ev, "has_time", False):
        return f"{pd.Timestamp(start):%H:%M on %d %b %Y}"
    return _date(day)


def _event_at(timeline, day: pd.Timestamp):
    """The first event of the timeline on ``day`` (or None)."""
    if timeline is None:
        return None
    for ev in timeline:
        if ev.day == day:
            return ev
    return None


def _choices(analysis, timeline, incidents, config, theatre: str | None) -> list[list[str]]:
    a = analysis
    ev = a.intervention
    ev_name = _event_name(ev)
    unit = _UNIT.get(a.freq[:1].upper(), "period")

    def mark(key: str) -> str:
        if config is None:
            return ""
        return " (default)" if config.is_default(key) else " (set by you)"

    rows: list[list[str]] = []
    ev_id = getattr(ev, "id", None)
    rows.append(
        [
            "Intervention" + mark("intervention"),
            (
                f"{ev_name} (`{ev_id}`), {_when(ev, a.intervention_date)}"
                if ev_id
                else f"{a.intervention_date:%d %b %Y} (a date)"
            ),
            "The event whose effect is asked about.",
        ]
    )
    if getattr(ev, "has_time", False):
        why_day = (
            f"It took effect at {pd.Timestamp(ev.start):%H:%M}. Incidents are dated by day, not "
            f"hour, so {a.intervention_date:%d %b} counts as the first day *after*: the few hours "
            "of that day before it took effect are counted against it, which can only make a fall "
            "look smaller (the conservative side). The change-point search, which is not told "
            "the date, checks the choice."
        )
    else:
        why_day = f"The event's own day, {a.intervention_date:%d %b %Y}, is the first day *after*."
    rows.append(
        ["Intervention day", f"{a.intervention_date:%Y-%m-%d} is the first day after", why_day]
    )

    # window start
    d_first = pd.to_datetime(incidents["date"]).min().normalize() if len(incidents) else None
    start_ev = _event_at(timeline, a.start)
    if start_ev is not None and start_ev.kind == "offensive":
        why = (
            f"The day of \u201c{start_ev.name}\u201d (`{start_ev.id}`): the window starts with the "
            "offensive so that the pre-period is one regime, not mixed with the quieter months "
            "before it; a before/after comparison against a mixture would misstate both the "
            "level and the trend."
        )
    elif start_ev is not None:
        why = f"The day of \u201c{start_ev.name}\u201d (`{start_ev.id}`)."
    elif d_first is not None and a.start == d_first:
        why = "The first day of the data."
    else:
        why = "Chosen by you."
    rows.append(["Window start" + mark("start"), f"{a.start:%Y-%m-%d}", why])

    # window end
    d_last = pd.to_datetime(incidents["date"]).max().normalize() if len(incidents) else None
    next_ev = _event_at(timeline, a.end + pd.Timedelta(days=1))
    end_ev = _event_at(timeline, a.end)
    if next_ev is not None:
        regime = (
            "ceasefire"
            if getattr(ev, "kind", None) in ("ceasefire", "truce")
            else "post-intervention"
        )
        why = (
            f"The day before \u201c{next_ev.name}\u201d (`{next_ev.id}`, {next_ev.day:%d %b %Y}), "
            f"so that the post-period is the {regime} regime alone, not the "
            f"{'escalation' if next_ev.kind == 'escalation' else 'events'} that ended it."
        )
    elif end_ev is not None:
        why = f"The day of \u201c{end_ev.name}\u201d (`{end_ev.id}`)."
    elif d_last is not None and a.end == d_last:
        why = "The last day of the data (the most recent days may be incomplete)."
    else:
        why = "Chosen by you."
    rows.append(["Window end" + mark("end"), f"{a.end:%Y-%m-%d}", why])

    if theatre is not None:
        if theatre == "north-west":
            notes = [n for n in getattr(a.ingest, "notes", []) if "theatre" in n]
            why = (
                "The ceasefire concerned the Idlib de-escalation zone, so the incidents are those "
                "of the north-west theatre (Idlib and the adjoining countryside of Hama, western "
                "Aleppo and Latakia); strikes elsewhere in Syria belong to other conflicts."
                + (f" {notes[0].capitalize()}." if notes else "")
            )
        else:
            why = "Every accepted row of the data."
        rows.append(["Theatre" + mark("theatre"), theatre, why])
    rows.append(
        [
            "Outcomes" + mark("outcome"),
            ", ".join(a.outcomes),
            "Attacks count incidents however deadly; civilian deaths sum the best figures "
            "(the low and high figures are robustness checks). A fall in one need not mean a fall "
            "in the other.",
        ]
    )
    rows.append(
        [
            "Period" + mark("freq"),
            {"D": "daily", "W": "weekly", "M": "monthly"}.get(a.freq[:1].upper(), a.freq),
            (
                "The intervention has an exact date and daily counts keep every day's "
                "information; the count models handle the many zero days."
                if unit == "day"
                else f"Counts per {unit}: smoother, but the intervention's {unit} mixes before and after."
            ),
        ]
    )
    thetas = [
        oa.its.to_dict().get("diagnostics", {}).get("theta")
        for oa in a.outcomes.values()
        if oa.its is not None
    ]
    theta_txt = ", ".join(
        f"{oa.label} {_n(t)}"
        for oa, t in zip([o for o in a.outcomes.values() if o.its is not None], thetas, strict=True)
        if t is not None
    )
    family_why = {
        "negbin": (
            "Conflict counts are overdispersed (one strike can kill many), so they vary far more "
            "than a Poisson model allows; the negative binomial lets the variance grow with the "
            "mean"
            + (
                f" (estimated theta: {theta_txt}; smaller is more overdispersed)."
                if theta_txt
                else "."
            )
        ),
        "poisson": "Poisson: variance equal to the mean (narrower intervals if counts are overdispersed).",
        "quasipoisson": "Quasi-Poisson: the Poisson mean with the variance scaled by the observed dispersion.",
    }.get(a.family, "")
    rows.append(["Count model" + mark("family"), a.family, family_why])
    se = a.settings.get("se")
    rules = [
        oa.its.to_dict().get("diagnostics", {}).get("hac", {}).get("rule")
        for oa in a.outcomes.values()
        if oa.its is not None
    ]
    rule = next((r for r in rules if r), None)
    se_why = {
        "hac": (
            "Newey-West (HAC): violence clusters in runs of days, so days are not independent and "
            "ordinary standard errors would be too small."
            + (f" For example: {rule}." if rule else "")
        ),
        "model": "Model-based standard errors (assume independent periods).",
        "robust": "Heteroskedasticity-robust standard errors (no allowance for autocorrelation).",
    }.get(se, "")
    rows.append(["Standard errors", str(se), se_why])
    rows.append(
        [
            "Change points",
            f"{a.settings.get('changepoint_model')} model, up to {a.settings.get('max_changes')} changes",
            "The search is not told the intervention date: if it puts a change there on its own, "
            "the before/after split is supported by the data; the number of changes is chosen by BIC.",
        ]
    )
    if a.settings.get("placebo"):
        rows.append(
            [
                "Placebo",
                "in-time, every admissible pre-period date",
                "Is the real change unusual? The same model is refitted with fake intervention "
                "dates before the real one.",
            ]
        )
    if a.settings.get("robustness"):
        k = ", ".join(str(x) for x in a.settings.get("leave_out", []))
        rows.append(
            [
                "Robustness",
                f"low/high death figures; leave out the {k} deadliest incidents",
                "Does the answer hang on the choice of figure or on a few mass-casualty incidents?",
            ]
        )
    if a.claims is not None:
        rows.append(
            [
                "Claims",
                f"tolerance {a.claims.tolerance:.0%} for 'around'/'almost' claims",
                "A claim is supported when every figure in the data's low-high range is consistent "
                "with it, not supported when none is, undetermined otherwise.",
            ]
        )
    return rows


def _findings(oa, analysis) -> list[str]:
    a = analysis
    unit = _UNIT.get(a.freq[:1].upper(), "period")
    out: list[str] = []
    if oa.rates is not None:
        r = oa.rates.to_dict()
        rr = r.get("rate_ratio") or {}
        nb = r.get("rate_ratio_negbin") or {}
        b, af = r.get("before") or {}, r.get("after") or {}
        est = rr.get("estimate")
        head = (
            f"**{oa.label.capitalize()} {_pct_change(est)}** after the {_ref(a.intervention)}: "
            if est is not None
            else f"**{oa.label.capitalize()}**: "
        )
        sentence = (
            head + f"{_n(b.get('count'))} in the {b.get('n_periods')} {unit}s before "
            f"({_rate(r.get('rate_before'))} per {unit}), {_n(af.get('count'))} in the "
            f"{af.get('n_periods')} {unit}s after ({_rate(r.get('rate_after'))} per {unit}); rate "
            f"ratio after/before {_ci(rr)}"
        )
        if nb.get("estimate") is not None:
            sentence += f", or {_ci(nb)} allowing for overdispersion and autocorrelation"
        out.append(sentence + ".")
        low_m, high_m = _low_high(oa.name)
        if low_m and low_m in a.counts and high_m in a.counts:
            after = a.counts.loc[a.intervention_date :]
            out.append(
                f"From {a.intervention_date:%d %b %Y} to {a.end:%d %b %Y} the data record "
                f"{_n(after[_measure(oa.name)].sum())} {oa.label} (low-high figures "
                f"{_n(after[low_m].sum())}-{_n(after[high_m].sum())})."
            )
    if oa.its is not None:
        d = oa.its.to_dict()
        lc, sc = d.get("level_change_rr") or {}, d.get("slope_change_rr") or {}
        text = (
            f"At the {_ref(a.intervention)} itself the rate per {unit} "
            f"{_pct_change(lc['estimate']) if lc.get('estimate') is not None else 'changed'} "
            f"(interrupted time series, level change {_ci(lc)})"
        )
        if sc and sc.get("estimate") is not None:
            text += (
                f"; after it the trend {_pct_change(sc['estimate']).replace('%', f'% per {unit}')} "
                f"relative to the trend before (rate ratio per {unit} {_ci(sc)})"
            )
        out.append(text + ".")
        ce = d.get("cumulative_effect") or {}
        if ce.get("estimate") is not None and ce.get("ci_low") is not None:
            fewer = ce["estimate"] < 0
            lo, hi = sorted((abs(ce["ci_low"]), abs(ce["ci_high"])))
            out.append(
                f"Projecting the pre-{_ref(a.intervention)} trend forward, "
                f"{_n(abs(ce['estimate']))} {'fewer' if fewer else 'more'} {oa.label} were recorded "
                f"after it than the model expected (95% interval {_n(lo)} to {_n(hi)}); a "
                "projection of a trend is an assumption, not an observation."
            )
    out.extend(f"Could not estimate: {p}" for p in oa.problems)
    detail = [part.report() for part in (oa.rates, oa.its) if part is not None]
    if detail:
        out.append("In detail: " + " ".join(detail))
    return out


def _measure(name: str) -> str:
    from trends.analysis import OUTCOMES

    return OUTCOMES[name][0]


def _low_high(name: str) -> tuple[str | None, str | None]:
    from trends.analysis import OUTCOMES

    return OUTCOMES[name][1], OUTCOMES[name][2]


def _claim_text(r) -> str:
    from trends.models.claims import _QUAL_TEXT

    qual = _QUAL_TEXT.get(r.get("qualifier"), r.get("qualifier") or "")
    what = next(
        (
            r.get(c)
            for c in ("quantity_text", "quantity_raw")
            if isinstance(r.get(c), str) and r.get(c)
        ),
        str(r.get("quantity") or "").replace("_", " "),
    )
    value = r.get("value")
    value_txt = _n(value) if value is not None and not pd.isna(value) else "?"
    return f"{qual} {value_txt} {what}".strip()


def _verdict_why(r) -> str:
    v = r.get("verdict")
    reason = r.get("reason")
    if v == "supported":
        why = "every figure in the data's low-high range is consistent with it"
    elif v == "not supported":
        why = "no figure in the data's low-high range is consistent with it"
    elif v == "undetermined":
        best_ok = r.get("best_consistent")
        why = "the data's low-high range straddles the claim's boundary" + (
            ": the best figure is consistent with it, the whole range is not"
            if best_ok is True
            else ": the best figure is not consistent with it"
            if best_ok is False
            else ""
        )
    else:
        why = "it was not compared with the data"
    if isinstance(reason, str) and reason:
        why += f" ({reason})"
    return why


def _claims_section(analysis) -> list[str]:
    a = analysis
    lines: list[str] = []
    check = a.claims
    if check is None:
        return ["No claims were checked (give a claims table with `--claims`)."]
    f = check.frame
    lines.append(check.report().splitlines()[0])
    lines.append("")
    lines.append(
        "Incident data are a floor on what happened: a count below a claim's threshold shows that "
        "these data do not reach it, not that the claim is false."
    )
    since = _claims_since(a)
    if len(since):
        lines.append("")
        lines.append(f"### Claims counted from the {_ref(a.intervention)}")
        lines.append("")
        for _, r in since.iterrows():
            src = r.get("source") if isinstance(r.get("source"), str) else "A monitor"
            lines.append(
                f"- {src} said on {_date(r.get('as_of'))} that {_claim_text(r)} had been recorded "
                f"from {_date(r.get('window_start_date'))} to {_date(r.get('window_end_date'))} "
                f"(claim {r.get('claim_id', '')}). The data give {_n(r['observed_best'])} "
                f"({_n(r['observed_low'])}-{_n(r['observed_high'])}) for the same days: "
                f"**{r['verdict']}**, because {_verdict_why(r)}."
            )
    lines.append("")
    lines.append("### Every claim")
    lines.append("")
    rows = []
    for _, r in f.iterrows():
        observed = (
            f"{_n(r['observed_best'])} ({_n(r['observed_low'])}-{_n(r['observed_high'])})"
            if r.get("observed_best") is not None and not pd.isna(r.get("observed_best"))
            else ""
        )
        window = (
            f"{_iso(r.get('window_start_date'))} to {_iso(r.get('window_end_date'))}"
            if not (pd.isna(r.get("window_start_date")) and pd.isna(r.get("window_end_date")))
            else ""
        )
        rows.append(
            [
                r.get("claim_id", ""),
                _iso(r.get("as_of")),
                window,
                _claim_text(r),
                r.get("source", ""),
                observed,
                r.get("verdict", ""),
                r.get("reason", ""),
            ]
        )
    lines.append(
        _md_table(
            [
                "Claim",
                "As of",
                "Window",
                "Claimed",
                "Source",
                "Data: best (low-high)",
                "Verdict",
                "Reason",
            ],
            rows,
        )
    )
    return lines


def _iso(x: Any) -> str:
    if x is None or pd.isna(x):
        return ""
    return f"{pd.Timestamp(x):%Y-%m-%d}"


def _robustness_section(analysis) -> list[str]:
    lines: list[str] = []
    for oa in analysis.outcomes.values():
        lines.append(f"### {oa.label.capitalize()}")
        lines.append("")
        rob = oa.robustness
        if rob is None or not len(rob):
            lines.append(
                "No robustness variant applies (the low/high figures and the deadliest incidents "
                "concern death counts)."
                if oa.name == "attacks"
                else "Robustness checks were not run."
            )
            lines.append("")
            continue
        base = oa.its.level_change if oa.its is not None else None
        rows = []
        if base is not None:
            rows.append(
                [
                    "main analysis (best figures)",
                    _rr(base.estimate),
                    f"{_rr(base.ci_low)} to {_rr(base.ci_high)}",
                    _n(oa.series.sum()),
                ]
            )
        for _, r in rob.iterrows():
            if pd.notna(r.get("level_rr")):
                rows.append(
                    [
                        r["variant"],
                        _rr(r["level_rr"]),
                        f"{_rr(r['ci_low'])} to {_rr(r['ci_high'])}",
                        _n(r["total"]),
                    ]
                )
            else:
                rows.append([r["variant"], "not estimable", r.get("problem", ""), _n(r["total"])])
        lines.append(
            _md_table(["Variant", "Level change (rate ratio)", "95% CI", f"Total {oa.label}"], rows)
        )
        finite = rob["level_rr"].dropna()
        if len(finite) and base is not None:
            same = bool(((finite < 1) == (base.estimate < 1)).all())
            lines.append("")
            lines.append(
                f"Level-change rate ratios range from {_rr(finite.min())} to {_rr(finite.max())}: "
                + (
                    "every variant points the same way as the main analysis."
                    if same
                    else "the direction depends on the variant."
                )
            )
        lines.append("")
    return lines


def _models_md(analysis) -> str:
    table = analysis.models_table()
    if table.empty:
        return "No model could be fitted."
    rows = [
        [
            r["outcome"],
            r["model"],
            r["term"],
            r["method"],
            _rr(r["estimate"]),
            _rr(r["ci_low"]),
            _rr(r["ci_high"]),
        ]
        for _, r in table.iterrows()
    ]
    return _md_table(
        [
            "Outcome",
            "Model",
            "Term",
            "Method / standard errors",
            "Estimate",
            "95% CI low",
            "95% CI high",
        ],
        rows,
    )


def _report_md(
    analysis,
    *,
    incidents: pd.DataFrame,
    timeline,
    source_label: str,
    title: str,
    config,
    theatre: str | None,
    charts: list[_Chart],
    csv_files: list[tuple[str, str]],
) -> str:
    from trends import __version__

    a = analysis
    ev_name = _ref(a.intervention)
    full_name = _event_name(a.intervention)
    unit = _UNIT.get(a.freq[:1].upper(), "period")
    L: list[str] = [f"# {title}", ""]
    L.append(f"*Written by trends {__version__}. Data: {source_label}.*")
    L += ["", "## Question", ""]
    outcomes = " and ".join(oa.label for oa in a.outcomes.values())
    L.append(
        f"Did the {ev_name} (\u201c{full_name}\u201d, {_when(a.intervention, a.intervention_date)}) "
        "change the rate of "
        f"{outcomes}? By how much, how sure can we be, when did the rate actually change, and do "
        "the figures published at the time hold up against the data?"
    )
    # ---- data
    L += ["", "## Data", ""]
    ing = a.ingest
    if ing is not None:
        L.append(
            f"Source: {source_label} (file: {_source_text(ing.source)}). {ing.rows_read:,} rows read, "
            f"{ing.accepted:,} accepted, {ing.rejected:,} rejected, {ing.duplicates:,} merged as "
            "duplicates."
        )
        for note in ing.notes:
            L.append(f"- {note}")
    else:
        L.append(f"Source: {source_label}.")
    in_window = incidents[
        (pd.to_datetime(incidents["date"]) >= a.start)
        & (pd.to_datetime(incidents["date"]) <= a.end)
    ]
    n_days = (a.end - a.start).days + 1
    n_no_figure = (
        int(a.counts["incidents_no_death_figure"].sum())
        if "incidents_no_death_figure" in a.counts
        else 0
    )
    L.append("")
    L.append(
        f"{len(in_window):,} incidents fall in the window {a.start:%d %b %Y} to {a.end:%d %b %Y} "
        f"({n_days} days)."
        + (
            f" {n_no_figure} of them have no death figure: they count as attacks but add nothing "
            "to the death counts."
            if n_no_figure
            else ""
        )
        + " A count from incident records is a floor, not an estimate of the total."
    )
    # ---- choices
    L += ["", "## Choices and why", ""]
    L.append(
        _md_table(["Choice", "Value", "Why"], _choices(a, timeline, incidents, config, theatre))
    )
    # ---- findings
    L += ["", "## Findings", ""]
    for oa in a.outcomes.values():
        L += [f"### {oa.label.capitalize()}", ""]
        for para in _findings(oa, a):
            L += [para, ""]
    # ---- change points
    L += ["## When did the rate change", ""]
    L.append(
        f"The change-point search looks for the {unit}s on which the rate changed without being "
        f"told about the {ev_name}; the 95% set is the range of dates the data cannot tell apart."
    )
    L.append("")
    for oa in a.outcomes.values():
        L += [f"### {oa.label.capitalize()}", ""]
        if oa.changepoint is None:
            L += ["No change-point result.", ""]
            continue
        cp = oa.changepoint.to_dict()
        main = cp.get("changepoint") or {}
        comp = cp.get("comparison") or {}
        if main.get("date"):
            inside = comp.get("in_set")
            L.append(
                f"The change nearest the {ev_name} is on {_date(main.get('date'))} (95% set "
                f"{_date(main.get('ci_low'))} to {_date(main.get('ci_high'))}); the day the "
                f"{ev_name} took effect, {a.intervention_date:%d %b %Y}, is "
                f"{'inside' if inside else 'outside'} that set."
            )
            L.append("")
        L += [oa.changepoint.report(), ""]
    # ---- placebo
    L += ["## Placebo", ""]
    for oa in a.outcomes.values():
        if oa.placebo is not None:
            L += [f"**{oa.label.capitalize()}.** {oa.placebo.report()}", ""]
        else:
            why = next((p for p in oa.problems if p.startswith("placebo")), None)
            L += [
                f"**{oa.label.capitalize()}.** No placebo test"
                + (
                    f" ({why})."
                    if why
                    else " (it was not asked for, or the model could not be fitted)."
                ),
                "",
            ]
    # ---- robustness
    L += ["## Robustness", ""]
    L.append(
        "The interrupted time series' level change, refitted with the low and the high death "
        "figures and without the deadliest incidents."
    )
    L.append("")
    L += _robustness_section(a)
    # ---- claims
    L += ["## Claims", ""]
    L += _claims_section(a)
    # ---- models
    L += ["", "## Table of models", ""]
    L.append(_models_md(a))
    # ---- caveats
    L += ["", "## Caveats", ""]
    L += [f"- {c}" for c in a.caveats]
    # ---- figures and files
    L += ["", "## Figures", ""]
    for ch in charts:
        if ch.note:
            L.append(f"- `{ch.file}`: {ch.caption} *({ch.note}.)*")
        else:
            L.append(f"- `{ch.file}`: {ch.caption}")
    L += ["", "## Files", ""]
    L.append("- `report.md`: this report.")
    L.append(
        "- `results.json`: every number of this report, machine-readable; it validates against the "
        "JSON Schema `trends/schemas/results.schema.json` (draft 2020-12). Top-level keys: "
        "`generated_by` (package, version), `data` (rows_read, accepted, rejected, duplicates, "
        "source, notes), `window` (start, end, freq), `intervention` (id, name, date, start), "
        "`family`, `outcomes` (per outcome: rate_before, rate_after, rate_ratio {estimate, ci_low, "
        "ci_high, method}, its {family, level_change_rr, slope_change_rr, se_type, ...}, "
        "changepoint {date, ci_low, ci_high, ...}, placebo {p_value, n_placebos}, robustness), "
        "`claims` (as_of, window_start, window_end, value, qualifier, observed {low, best, high}, "
        "verdict, reason), `caveats`, `settings`. Dates are YYYY-MM-DD; a number that could not "
        "be estimated is null."
    )
    for name, caption in csv_files:
        L.append(f"- `{name}`: {caption}")
    L.append("")
    return "\n".join(L)


# =============================================================================================
# drawing many charts
# =============================================================================================
_JOBS: list[_Chart] = []
_OUT_DIR: Path | None = None


def _draw_job(index: int) -> tuple[int, Path | None, str | None]:
    """Worker: draw chart ``index`` of :data:`_JOBS` (inherited through fork)."""
    chart = _JOBS[index]
    path = _draw(chart, _OUT_DIR)
    return index, path, chart.note


def _n_jobs(jobs: int | None, n_charts: int) -> int:
    import multiprocessing
    import os
    import sys
    import threading

    if jobs is not None:
        n = max(1, int(jobs))
    elif threading.active_count() > 1:
        # Forking a process with other Python threads (a notebook kernel, a progress display
        # refreshing in the background) can deadlock the child: draw here instead.
        n = 1
    else:
        n = min(os.cpu_count() or 1, 4)
    if (
        not sys.platform.startswith("linux")
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return max(1, min(n, n_charts))


def _draw_all(
    charts: list[_Chart], out_dir: Path, jobs: int | None, report: Callable[[str, int], None]
):
    """Draw every chart; yields ``(chart, path or None)`` in the charts' order.

    ``report(description, n_done)`` is called as the work progresses.

    With more than one job, the charts are drawn by forked worker processes (each chart is
    independent; the figures never cross a process boundary, only the file path and the skip
    note do). The parent process has no other threads running at that point when called from
    the command line (its progress display refreshes on demand).
    """
    global _JOBS, _OUT_DIR
    n = _n_jobs(jobs, len(charts))
    if n <= 1:
        for i, chart in enumerate(charts):
            report(f"Drawing {chart.file}", i)
            yield chart, _draw(chart, out_dir)
        return
    import multiprocessing

    # Import the plotting stack and warm its font caches once, before forking, so that the
    # workers share them instead of each building its own.
    import matplotlib.pyplot as plt

    from trends.plots.style import new_figure

    warm, _ = new_figure()
    warm.text(0.5, 0.5, "warm-up", fontweight="bold")
    warm.canvas.draw()
    plt.close(warm)

    for chart in charts:
        try:
            importlib.import_module(f"trends.plots.{chart.module}")
        except ImportError:
            pass
    _JOBS, _OUT_DIR = charts, out_dir
    try:
        ctx = multiprocessing.get_context("fork")
        results: dict[int, tuple[Path | None, str | None]] = {}
        report(f"Drawing {len(charts)} charts ({n} processes)", 0)
        with ctx.Pool(processes=n) as pool:
            for done, (index, path, note) in enumerate(
                pool.imap_unordered(_draw_job, range(len(charts))), start=1
            ):
                results[index] = (path, note)
                report(f"Drew {charts[index].file}", done)
    finally:
        _JOBS, _OUT_DIR = [], None
    for i, chart in enumerate(charts):
        path, note = results[i]
        chart.note = note
        yield chart, path


# =============================================================================================
# write_report
# =============================================================================================
def write_report(
    analysis,
    out_dir: str | Path,
    *,
    incidents: pd.DataFrame,
    timeline=None,
    source_label: str = BUNDLED_SOURCE_LABEL,
    progress: Progress | None = None,
    title: str | None = None,
    config=None,
    place: str | None = None,
    jobs: int | None = None,
) -> dict[str, Path]:
    """Write the charts, ``report.md``, ``results.json`` and the series CSVs of an analysis.

    Parameters
    ----------
    analysis : CeasefireAnalysis
        From :func:`trends.analysis.analyse_ceasefire`.
    out_dir : str or Path
        Output folder (created if needed; files of the same names are overwritten).
    incidents : DataFrame
        The incident table the analysis was run on (already filtered to the theatre): the series
        CSVs and the per-area chart are built from it.
    timeline : Timeline, optional
        Reference events: those in the window are drawn on the timeline chart, and the report
        names the events the window starts and ends at.
    source_label : str
        Source credit (report and chart footers). Default: the bundled data's credit.
    progress : callable, optional
        ``progress(description, completed, total)``, called before each step and at the end.
    title : str, optional
        Title of ``report.md`` (default: the question asked).
    config : ReportConfig, optional
        The options used; the report marks each choice as a default or as set by you.
    place : str, optional
        Where the data are from, for chart titles ("north-western Syria").
    jobs : int, optional
        Worker processes drawing the charts (default: one per CPU, at most 4, unless other
        Python threads are running, as in a notebook kernel; 1 draws them in this process).
        Workers are forked, so they are used on Linux only.

    Returns
    -------
    dict of str to Path
        File key (``"report"``, ``"results"``, ``"series_daily"``, ``"series_weekly"``, and the
        chart names such as ``"timeline"``) -> path written. Skipped charts are absent (and
        noted in ``report.md``).

    Raises
    ------
    TrendsError
        The results do not match the JSON Schema (a bug: please report it).
    """
    from trends.series import DEFAULT_MEASURES, count_series

    a = analysis
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    theatre = None
    if a.ingest is not None:
        theatre = getattr(a.ingest, "choices", {}).get("theatre")
    if theatre is None and config is not None:
        theatre = config.theatre
    if place is None and theatre == "north-west":
        place = "north-western Syria"
    if title is None:
        outcomes = " and ".join(oa.label for oa in a.outcomes.values())
        title = (
            f"Did the {_ref(a.intervention)} of {a.intervention_date:%d %B %Y} change the "
            f"rate of {outcomes}{' in ' + place if place else ''}?"
        )
    charts = _charts(a, incidents, timeline, source_label, place)
    total = len(charts) + 3
    step = 0

    def tick(what: str, done: int | None = None) -> None:
        if progress is not None:
            progress(what, step if done is None else done, total)

    written: dict[str, Path] = {}
    # ---- series
    tick("Writing the series")
    daily = count_series(incidents, freq="D", start=a.start, end=a.end, measures=DEFAULT_MEASURES)
    weekly = count_series(incidents, freq="W", start=a.start, end=a.end, measures=DEFAULT_MEASURES)
    for key, frame in (("series_daily", daily), ("series_weekly", weekly)):
        path = out_dir / f"{key}.csv"
        frame.to_csv(path, date_format="%Y-%m-%d", float_format="%.10g")
        written[key] = path
    csv_files = [
        ("series_daily.csv", "counts per day in the window: attacks, civilian deaths (low, best, "
         "high), child deaths, injured, incidents without a death figure, and coverage columns."),
        ("series_weekly.csv", "the same per ISO week (weeks labelled by their Monday; a partial "
         "first or last week says so in days_covered)."),
    ]  # fmt: skip
    step += 1
    # ---- results.json
    tick("Writing results.json")
    payload = results_payload(a)
    validate_results(payload)
    path = out_dir / "results.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written["results"] = path
    step += 1
    # ---- charts (in parallel worker processes when the platform allows it)
    first_chart = step
    for chart, drawn in _draw_all(
        charts, out_dir, jobs, lambda what, i: tick(what, first_chart + i)
    ):
        if drawn is not None:
            written[chart.file.removesuffix(".png")] = drawn
    step += len(charts)
    # ---- report.md
    tick("Writing report.md")
    text = _report_md(
        a,
        incidents=incidents,
        timeline=timeline,
        source_label=source_label,
        title=title,
        config=config,
        theatre=theatre,
        charts=charts,
        csv_files=csv_files,
    )
    path = out_dir / "report.md"
    path.write_text(text, encoding="utf-8")
    written["report"] = path
    step += 1
    tick("Done")
    return written


# =============================================================================================
# from options to files: what `trends report` and `trends claims` run
# =============================================================================================
_FREQ_WORDS = {"d": "D", "day": "D", "daily": "D", "w": "W", "week": "W", "weekly": "W",
               "m": "M", "month": "M", "monthly": "M"}  # fmt: skip
_REPORT_FORMATS = ("incidents", "acled", "ucdp")


@dataclass
class ReportInputs:
    """Everything read before the analysis: incidents, their ingest report, events, claims.

    Attributes
    ----------
    incidents : DataFrame
        Canonical incident table, filtered to the theatre.
    ingest : IngestReport
        Row accounting of the incident file.
    timeline : Timeline
        Reference events (the bundled Idlib 2019 timeline unless a file was given).
    claims : DataFrame or None
        Claims table (one row per claim, ``claim_id`` column), or None.
    scopes : mapping or None
        Claim scopes for :func:`trends.models.claims.check_claims` (None: every claim is
        checked against every incident).
    source_label : str
        Source credit.
    place : str or None
        Where the data are from, for titles.
    """

    incidents: pd.DataFrame
    ingest: Any
    timeline: Any
    claims: pd.DataFrame | None
    scopes: Mapping | None
    source_label: str
    place: str | None


def _choose(value: str, allowed: Sequence[str], what: str) -> str:
    import difflib

    from trends.errors import InputError

    if value in allowed:
        return value
    close = difflib.get_close_matches(str(value), list(allowed), n=2, cutoff=0.5)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    raise InputError(f"unknown {what} {value!r}{hint}; choose one of {', '.join(allowed)}")


def _check_options(config) -> None:
    """Validate the simple options of a config that has its defaults."""
    from trends.analysis import OUTCOMES
    from trends.config import FAMILIES
    from trends.datasets import THEATRES
    from trends.errors import InputError

    if config.data is not None:
        _choose(config.format, _REPORT_FORMATS + ("tallies",), "format")
    freq = _FREQ_WORDS.get(str(config.freq).strip().lower())
    if freq is None:
        raise InputError(
            f"unknown freq {config.freq!r}; choose one of D (day), W (week), M (month)"
        )
    config.freq = freq
    _choose(config.family, FAMILIES, "family")
    _choose(config.theatre, THEATRES, "theatre")
    if not config.outcome:
        raise InputError("give at least one outcome")
    for o in config.outcome:
        _choose(o, list(OUTCOMES), "outcome")
    if len(set(config.outcome)) != len(config.outcome):
        raise InputError(f"an outcome is given twice: {config.outcome}")


def _filter_theatre(incidents: pd.DataFrame, report, theatre: str) -> pd.DataFrame:
    from trends.errors import InputError

    if theatre == "all":
        report.choices["theatre"] = "all"
        return incidents
    if "north_west" not in incidents:
        raise InputError(
            f"theatre {theatre!r} needs a 'north_west' column (true/false) in the data; "
            "use --theatre all"
        )
    flags = incidents["north_west"].astype("string").str.strip().str.lower()
    kept = flags.isin(["true", "1", "yes"])
    report.notes.append(
        f"theatre filter 'north-west': kept {int(kept.sum())} of {len(incidents)} accepted "
        "incidents (north_west column true)"
    )
    report.choices["theatre"] = theatre
    return incidents.loc[kept.to_numpy()].reset_index(drop=True)


def load_inputs(config, *, claims: bool = True) -> ReportInputs:
    """Read the incidents, reference events and claims a config points to.

    Parameters
    ----------
    config : ReportConfig
        With defaults applied (:meth:`ReportConfig.with_defaults`).
    claims : bool
        Read the claims too.

    Raises
    ------
    InputError, EventError
        Unreadable or unusable files (the message says which and why).
    """
    from trends.datasets import IDLIB_CLAIM_SCOPES, bundled_path, load_idlib_2019
    from trends.errors import InputError

    _check_options(config)
    if config.bundled:
        case = load_idlib_2019(theatre=config.theatre)
        incidents, ingest, timeline = case.incidents, case.report, case.timeline
        source = config.source or BUNDLED_SOURCE_LABEL
        place = "north-western Syria" if config.theatre == "north-west" else "Syria"
    else:
        from trends.ingest.formats import read

        if config.format == "tallies":
            raise InputError(
                "the tallies format gives daily totals, not incidents; `trends report` needs an "
                f"incident table: use --format {', '.join(_REPORT_FORMATS)}"
            )
        incidents, ingest = read(config.data, config.format)
        if ingest.accepted == 0 or len(incidents) == 0:
            raise InputError(
                f"{config.data}: no row could be accepted ({ingest.rejected} rejected); run "
                f"`trends validate {config.data} --format {config.format}` to see why"
            )
        incidents = _filter_theatre(incidents, ingest, config.theatre)
        if len(incidents) == 0:
            raise InputError(f"{config.data}: no incident left after the theatre filter")
        timeline = None
        source = config.source or f"{Path(str(config.data)).name} ({config.format} format)"
        place = None
    if config.events is not None:
        from trends.events import Timeline

        timeline = Timeline.from_csv(config.events)
    elif timeline is None:
        from trends.events import Timeline

        timeline = Timeline.from_csv(bundled_path("idlib_2019", "reference_events.csv"))
    table = None
    scopes = None
    if claims:
        from trends.datasets import load_claims_table

        if config.claims is not None:
            table = load_claims_table(config.claims, timeline)
            if config.bundled and "region_scope" in table:
                scopes = IDLIB_CLAIM_SCOPES
        elif config.bundled:
            table = load_claims_table(bundled_path("idlib_2019", "claims.csv"), timeline)
            scopes = IDLIB_CLAIM_SCOPES
    return ReportInputs(incidents, ingest, timeline, table, scopes, source, place)


def _resolve_date(text: str, timeline, what: str) -> pd.Timestamp:
    from trends.errors import EventError, InputError

    try:
        return timeline.resolve(text) if timeline is not None else pd.Timestamp(text).normalize()
    except EventError as exc:
        raise InputError(f"{what}: {exc}") from None
    except (ValueError, TypeError):
        raise InputError(
            f"{what}: {text!r} is neither an event id nor a date (YYYY-MM-DD)"
        ) from None


def run_analysis(config, inputs: ReportInputs):
    """Run :func:`trends.analysis.analyse_ceasefire` as a config says.

    Raises
    ------
    InputError
        No intervention given for your own data, an unknown event id (close ids are
        suggested), a date that cannot be read, or an intervention outside the window.
    """
    from trends.analysis import analyse_ceasefire
    from trends.errors import InputError

    if config.intervention is None:
        raise InputError(
            "give --intervention (an event id of the reference events, or a date YYYY-MM-DD): "
            "with your own data there is no default"
        )
    tl = inputs.timeline
    if tl is not None and config.intervention in tl:
        intervention = tl[config.intervention]
    else:
        intervention = _resolve_date(config.intervention, tl, "--intervention")
    dates = pd.to_datetime(inputs.incidents["date"])
    start = _resolve_date(config.start, tl, "--start") if config.start else dates.min().normalize()
    end = _resolve_date(config.end, tl, "--end") if config.end else dates.max().normalize()
    day = pd.Timestamp(getattr(intervention, "start", intervention)).normalize()
    if end <= start:
        raise InputError(f"the window ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})")
    if not (start < day <= end):
        raise InputError(
            f"the intervention ({day:%Y-%m-%d}) is outside the window {start:%Y-%m-%d} to "
            f"{end:%Y-%m-%d}: it must fall after the first day and on or before the last"
        )
    return analyse_ceasefire(
        inputs.incidents,
        intervention,
        start=start,
        end=end,
        timeline=tl,
        claims=inputs.claims,
        claim_scopes=inputs.scopes,
        outcomes=tuple(config.outcome),
        freq=config.freq,
        family=config.family,
        ingest=inputs.ingest,
    )


def check_claims_for(inputs: ReportInputs):
    """Check the claims of ``inputs`` against its incidents (:class:`ClaimsCheck`)."""
    from trends.errors import InputError
    from trends.models.claims import check_claims

    if inputs.claims is None:
        raise InputError("no claims to check: give --claims FILE")
    return check_claims(
        inputs.claims, inputs.incidents, timeline=inputs.timeline, scopes=inputs.scopes
    )


def run_report(config, *, progress: Progress | None = None, jobs: int | None = None):
    """Everything ``trends report`` does: read, analyse, write. Returns ``(analysis, files)``.

    Parameters
    ----------
    config : ReportConfig
        Options (defaults are applied here).
    progress : callable, optional
        ``progress(description, completed, total)``; the reading and fitting steps are reported
        with ``total=0`` (unknown length).
    jobs : int, optional
        See :func:`write_report`.
    """
    config = config.with_defaults()
    out = Path(config.out)
    if out.exists() and not out.is_dir():  # fail before the work, not after
        from trends.errors import InputError

        raise InputError(f"--out {out} is a file, not a folder")
    if progress is not None:
        progress("Reading the data", 0, 0)
    inputs = load_inputs(config)
    if progress is not None:
        progress("Fitting the models", 0, 0)
    analysis = run_analysis(config, inputs)
    files = write_report(
        analysis,
        config.out,
        incidents=inputs.incidents,
        timeline=inputs.timeline,
        source_label=inputs.source_label,
        progress=progress,
        title=config.title,
        config=config,
        place=inputs.place,
        jobs=jobs,
    )
    return analysis, files

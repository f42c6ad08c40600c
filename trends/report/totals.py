"""Publish a comparison of two published totals: ``trends compare 213/31 95/30 --out DIR``.

:func:`write_totals_report` writes, atomically (:func:`trends.report.writer.write_folder`):

- ``results.json``: the comparison (:meth:`TotalsComparison.to_dict`) with each rate's exact
  interval and the report's sentences, checked against its own JSON Schema
  (``trends/schemas/totals.schema.json``, generated from :class:`TotalsResults` like the main
  one: ``python -m trends.report.totals`` rewrites it);
- ``report.md`` and ``report.html`` (the same content, through the report templates and the one
  escaping of :mod:`trends.report.escape`);
- ``totals.png``: the two rates per day with their intervals (:func:`trends.plots.totals.plot_totals`);
- ``manifest.json``.

Each rate's interval is the exact (Garwood) Poisson interval of its count over its days: like
the ratio's, it holds if every day were an independent Poisson draw, and the report says so.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trends.errors import TrendsError
from trends.models.totals import TotalsComparison
from trends.report.charts import Chart
from trends.report.context import Section, Table
from trends.report.contract import VERSION, GeneratedBy, schema_errors
from trends.report.drawing import draw
from trends.report.escape import Prose, prose
from trends.report.render import render_html, render_markdown
from trends.report.writer import write_folder
from trends.verdicts.words import fmt_number, fmt_p, fmt_sig

__all__ = [
    "TOTALS_SCHEMA_FILE",
    "TotalsResults",
    "totals_schema",
    "totals_payload",
    "write_totals_report",
    "write_totals_schema",
]

#: Where the JSON Schema of a ``trends compare`` results.json lives (package data).
TOTALS_SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "totals.schema.json"

_Number = Annotated[float, Field(ge=0)] | None


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class TotalPeriod(_Open):
    """One published total: its count, the days it covers, its rate per day and interval."""

    count: Annotated[int, Field(ge=0)]
    days: Annotated[float, Field(gt=0)]
    rate: Annotated[float, Field(ge=0)]
    rate_ci_low: _Number
    rate_ci_high: _Number
    label: str | None = None


class TotalsRatio(_Open):
    """The rate ratio after/before, its exact conditional interval and two-sided p-value."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: Annotated[float, Field(ge=0, le=1)] | None
    method: str


class TotalsResults(_Open):
    """results.json written by `trends compare --out`: two published totals compared."""

    model_config = ConfigDict(
        title="trends compare results",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    generated_by: GeneratedBy
    model: str
    measure: str
    alpha: Annotated[float, Field(gt=0, lt=1)]
    before: TotalPeriod
    after: TotalPeriod
    rate_ratio: TotalsRatio
    distinguishable: bool
    assumption: str
    report: str


def totals_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ``trends compare`` results.json."""
    schema = TotalsResults.model_json_schema()
    return {"$schema": schema.pop("$schema"), **schema}


def write_totals_schema(path: str | Path = TOTALS_SCHEMA_FILE) -> Path:
    """Write :func:`totals_schema` to ``path`` (the committed file by default)."""
    path = Path(path)
    path.write_text(json.dumps(totals_schema(), indent=2) + "\n", encoding="utf-8")
    return path


def totals_payload(comparison: TotalsComparison) -> dict[str, Any]:
    """The results.json payload of a comparison, validated against :class:`TotalsResults`.

    Raises
    ------
    TrendsError
        The payload does not match the contract (a bug).
    """
    raw = comparison.to_dict()
    rates = comparison.rates()
    for key in ("before", "after"):
        raw[key]["rate_ci_low"] = float(rates.at[key, "ci_low"])
        raw[key]["rate_ci_high"] = float(rates.at[key, "ci_high"])
    raw["report"] = comparison.report()
    raw = {"generated_by": {"package": "trends", "version": VERSION}, **raw}
    try:
        payload = TotalsResults.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "(root)"
        raise TrendsError(
            f"results do not match {TOTALS_SCHEMA_FILE.name}: {where}: {first['msg']}"
        ) from None
    errors = schema_errors(payload, totals_schema())
    if errors:
        raise TrendsError(f"results do not match {TOTALS_SCHEMA_FILE.name}: {errors[0]}")
    return payload


@dataclass
class TotalsContext:
    """What the ``trends compare`` report prints (rendered by the report templates)."""

    title: str
    byline: Prose
    sections: list[Section]
    figures: list[Chart]
    files: list[Any]
    housekeeping: list[Any] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)
    content_template: str = "_totals.j2"


def _p(p: float) -> str:
    return fmt_p(p)


def _rates_frame(c: TotalsComparison) -> pd.DataFrame:
    rates = c.rates()
    labels = {}
    for name, total in (("before", c.before), ("after", c.after)):
        labels[name] = name if not total.label or total.label == name else f"{name} ({total.label})"
    return rates.rename(index=labels)


def _context(c: TotalsComparison, chart: Chart, title: str, source: str | None) -> TotalsContext:
    rates = _rates_frame(c)
    level = f"{round((1 - c.alpha) * 100):d}%"
    rows = [
        [str(name), f"{int(r['count']):,}", fmt_number(r["days"]), fmt_sig(r["rate"]),
         f"{fmt_sig(r['ci_low'])} to {fmt_sig(r['ci_high'])}"]
        for name, r in rates.iterrows()
    ]  # fmt: skip
    estimate, interval = c.ratio_words()
    if c.before.count + c.after.count > 0:  # no p-value for a ratio that cannot be estimated
        p = _p(c.p_value)
        interval = f"{interval[:-1]}; {p})" if interval.endswith(")") else f"{interval} ({p})"
    rows.append(["ratio after/before", "", "", estimate, interval])
    table = Table(["Period", "Count", "Days", f"{c.measure} per day", f"{level} interval"], rows)
    method = Section("Method", [
        prose(
            "Each total is taken as a Poisson count over the days it covers. The rate ratio "
            "after/before is the exact conditional one ({method}): given the sum of the two "
            "counts, the count after is binomial, so the interval does not rely on large "
            "counts; unequal periods are allowed for. Each rate's own interval is the exact "
            "(Garwood) Poisson interval.",
            method=c.method,
        ),
        "Two totals carry no information about day-to-day variation: the intervals hold if "
        "every day were an independent Poisson draw. Real counts of violence are overdispersed "
        "and clustered, so the true uncertainty is wider; a ratio whose interval includes 1 is "
        "not called a fall or a rise.",
    ])  # fmt: skip
    files = [
        prose("`report.md`: this report (`report.html`: the same, self-contained)."),
        prose("`results.json`: every number of it; it validates against the JSON Schema "
              "`trends/schemas/totals.schema.json`."),
        prose("`manifest.json`: the files of this run with their SHA-256 checksums."),
    ]  # fmt: skip
    byline = prose("*Written by trends {v}.*", v=VERSION)
    if source:
        byline = prose("*Written by trends {v}. Data: {src}.*", v=VERSION, src=source)
    return TotalsContext(
        title=title,
        byline=byline,
        sections=[
            Section("Answer", [c.report()]),
            Section("The two totals", tables=[table]),
            method,
        ],
        figures=[chart],
        files=files,
    )


def write_totals_report(
    comparison: TotalsComparison,
    out_dir: str | Path,
    *,
    title: str | None = None,
    source: str | None = None,
) -> dict[str, Path]:
    """Write report.md, report.html, results.json, totals.png and manifest.json atomically.

    Parameters
    ----------
    comparison : TotalsComparison
        From :func:`trends.models.totals.compare_totals`.
    out_dir : str or Path
        Output folder (replaced as a whole; files trends did not write are kept).
    title : str, optional
        Default: "Did the rate of <measure> change?".
    source : str, optional
        Where the totals were published (byline and chart footer).

    Returns
    -------
    dict of str to Path
        ``"report"``, ``"report_html"``, ``"results"``, ``"totals"`` (when drawn), ``"manifest"``.
    """
    c = comparison
    title = title or f"Did the rate of {c.measure} change? Two published totals compared"
    rates = _rates_frame(c)
    chart = Chart(
        "totals.png",
        f"{c.measure.capitalize()} per day in each period, with exact Poisson 95% intervals "
        "(if every day were an independent Poisson draw).",
        "totals",
        "plot_totals",
        (rates,),
        dict(
            ratio=(c.estimate, c.ci_low, c.ci_high),
            measure=c.measure,
            title=title,
            source=source,
            note="Intervals assume independent Poisson days.",
        ),  # fmt: skip
    )
    payload = totals_payload(c)

    def fill(tmp: Path, earlier: list[str], kept: list[str]) -> dict[str, str]:
        keys = {"results": "results.json"}
        (tmp / "results.json").write_text(
            json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if draw(chart, tmp) is not None:
            keys["totals"] = chart.file
        context = _context(c, chart, title, source)
        removed = [n for n in earlier if n not in {*keys.values(), "report.md", "report.html"}]
        if removed:
            context.housekeeping.append(
                prose("Files of an earlier run removed: {n}.", n=", ".join(removed))
            )
        (tmp / "report.md").write_text(render_markdown(context), encoding="utf-8")
        if "totals" in keys:
            data = base64.b64encode((tmp / chart.file).read_bytes()).decode("ascii")
            context.images = {chart.file: "data:image/png;base64," + data}
        (tmp / "report.html").write_text(render_html(context), encoding="utf-8")
        keys.update(report="report.md", report_html="report.html")
        return keys

    return write_folder(out_dir, fill)


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_totals_schema()}")

"""Publish an analysis: results.json, report.md, report.html, charts, series and a manifest.

Modules, one idea each:

- :mod:`trends.report.contract`: the output contract (pydantic models) -> ``results.json``
  and ``trends/schemas/results.schema.json``;
- :mod:`trends.report.escape`: the one escaping of data for Markdown and HTML;
- :mod:`trends.report.fmt`: numbers, dates and claims in words;
- :mod:`trends.report.choices`: the "choices and why", as data;
- :mod:`trends.report.charts`: which charts, with captions and arguments;
  :mod:`trends.report.drawing`: drawing them (here or in forked workers);
- :mod:`trends.report.context`: what the report says, built from result objects;
- :mod:`trends.report.render` and ``templates/``: the jinja2 templates (Markdown and HTML share
  their content);
- :mod:`trends.report.writer`: the atomic output folder and its manifest;
- :mod:`trends.report.run`: from options to files (``trends report``, ``trends claims``), for
  every source of :data:`trends.sources.SOURCES`;
- :mod:`trends.report.totals`: the report of two published totals (``trends compare --out``),
  with its own small results schema.
"""

from trends.report.contract import (
    SCHEMA_FILE,
    load_schema,
    results_payload,
    results_schema,
    schema_errors,
    validate_results,
)
from trends.report.run import (
    ReportInputs,
    check_claims_for,
    check_claims_on_series,
    load_inputs,
    run_analysis,
    run_report,
)
from trends.report.totals import write_totals_report
from trends.report.writer import MANIFEST, write_folder, write_report

__all__ = [
    "SCHEMA_FILE",
    "MANIFEST",
    "load_schema",
    "results_schema",
    "results_payload",
    "schema_errors",
    "validate_results",
    "write_report",
    "write_folder",
    "write_totals_report",
    "check_claims_on_series",
    "ReportInputs",
    "load_inputs",
    "run_analysis",
    "check_claims_for",
    "run_report",
]

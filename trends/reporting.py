"""Compatibility module: the report now lives in :mod:`trends.report` (one idea per module).

Every public name that tests, the command line and notebooks used from here is re-exported.
"""

from __future__ import annotations

from trends.cases.idlib_2019 import SOURCE_LABEL as BUNDLED_SOURCE_LABEL
from trends.report.contract import (
    SCHEMA_FILE,
    load_schema,
    results_payload,
    schema_errors,
    source_text,
    validate_results,
)
from trends.report.fmt import claim_text, iso, number
from trends.report.run import ReportInputs, check_claims_for, load_inputs, run_analysis, run_report
from trends.report.writer import Progress, write_report

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
    "Progress",
    "source_text",
]

# Kept for the ``trends claims`` table of trends/cli.py until it imports the public names of
# trends.report.fmt (claim_text, iso, number).
_claim_text, _iso, _n = claim_text, iso, number

"""Readers: every input row accepted, rejected with a reason, or merged as a duplicate."""

from __future__ import annotations

from trends.ingest._io import read_delimited
from trends.ingest.acled import read_acled
from trends.ingest.combine import combine_incidents
from trends.ingest.formats import FORMATS, read
from trends.ingest.incidents import read_incidents
from trends.ingest.report import DuplicateRecord, IngestReport, RowIssue
from trends.ingest.tallies import read_tallies, tallies_to_series
from trends.ingest.ucdp import read_ucdp

__all__ = [
    "FORMATS",
    "read",
    "combine_incidents",
    "IngestReport",
    "RowIssue",
    "DuplicateRecord",
    "read_delimited",
    "read_incidents",
    "read_tallies",
    "tallies_to_series",
    "read_acled",
    "read_ucdp",
]

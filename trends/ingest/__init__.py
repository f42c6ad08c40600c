"""Readers: every input row accepted, rejected with a reason, or merged as a duplicate."""

from __future__ import annotations

from trends.ingest._io import read_delimited
from trends.ingest.incidents import read_incidents
from trends.ingest.report import DuplicateRecord, IngestReport, RowIssue

__all__ = [
    "IngestReport",
    "RowIssue",
    "DuplicateRecord",
    "read_delimited",
    "read_incidents",
]

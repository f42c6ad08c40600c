"""Readers: every input row accepted, rejected with a reason, or merged as a duplicate."""

from __future__ import annotations

from trends.ingest._coerce import (
    DATE_MAX,
    DATE_MIN,
    MAX_COUNT,
    MISSING_TOKENS,
    THOUSANDS_SEPARATORS,
    suggest_columns,
    to_dates,
)
from trends.ingest._columns import normalise_name, parse_column_mapping
from trends.ingest._io import (
    FAST_PATH_BYTES,
    MAX_FIELD_CHARS,
    RawTable,
    check_delimiter,
    load_table,
    raw_from_frame,
    read_delimited,
)
from trends.ingest.acled import read_acled
from trends.ingest.combine import combine_incidents
from trends.ingest.counts import read_counts
from trends.ingest.formats import FORMATS, read
from trends.ingest.incidents import read_incidents
from trends.ingest.report import DuplicateRecord, IngestReport, RowIssue
from trends.ingest.tallies import read_tallies, tallies_to_series
from trends.ingest.ucdp import read_ucdp

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "FAST_PATH_BYTES",
    "MAX_COUNT",
    "MAX_FIELD_CHARS",
    "MISSING_TOKENS",
    "THOUSANDS_SEPARATORS",
    "RawTable",
    "check_delimiter",
    "load_table",
    "normalise_name",
    "parse_column_mapping",
    "raw_from_frame",
    "suggest_columns",
    "to_dates",
    "FORMATS",
    "read",
    "combine_incidents",
    "IngestReport",
    "RowIssue",
    "DuplicateRecord",
    "read_delimited",
    "read_incidents",
    "read_counts",
    "read_tallies",
    "tallies_to_series",
    "read_acled",
    "read_ucdp",
]

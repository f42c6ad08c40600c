"""The registry of data sources: which reader reads them, what table it gives, how it is counted.

Every source ends as a :class:`~trends.series.CountSeries`. An entry of :data:`SOURCES` names the
reader (a function of :mod:`trends.ingest` returning ``(table, IngestReport)``), the **kind** of
table it produces, and through :data:`TABLE_KINDS` how that kind becomes a count series:

==========  =====================================  ===========  ==================================
source      reader                                 table        count series
==========  =====================================  ===========  ==================================
incidents   trends.ingest.incidents.read_incidents incidents    aggregated per day
acled       trends.ingest.acled.read_acled         incidents    aggregated per day
ucdp        trends.ingest.ucdp.read_ucdp           incidents    aggregated per day
tallies     trends.ingest.tallies.read_tallies     tallies      daily differences of the totals
counts      trends.ingest.counts.read_counts       counts       the counts as given (D, W or M)
==========  =====================================  ===========  ==================================

Adding a source is one entry: ``register_source(Source("name", "module:function", "incidents",
"what it is"))`` (a new kind of table also adds one function to :data:`TABLE_KINDS`). Readers are
imported when first used, so this module stays light.

:func:`table_kind` tells what kind of table a DataFrame is, so that a function given the wrong
shape can say what it got and what to do.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from trends.errors import InputError, UnknownModelComponentError
from trends.series import CountSeries
from trends.series.measured import column_words as measure_words

__all__ = [
    "Source",
    "SOURCES",
    "TABLE_KINDS",
    "register_source",
    "get_source",
    "load_series",
    "table_kind",
    "measure_words",
    "refuse_no_rows",
]


def _incident_series(table: pd.DataFrame, report: Any = None, **options: Any) -> CountSeries:
    return CountSeries.from_incidents(table, report=report, **options)


def _tally_series(table: pd.DataFrame, report: Any = None, **options: Any) -> CountSeries:
    series = CountSeries.from_tallies(table, report, **options)
    regions = table["region"].dropna().astype(str).str.strip() if "region" in table else None
    if regions is not None and regions.nunique() == 1 and regions.iloc[0]:
        # the one area the file counts: claims about it can be checked
        series = replace(series, provenance=replace(series.provenance, region=regions.iloc[0]))
    return series


def _count_series(table: pd.DataFrame, report: Any = None, **options: Any) -> CountSeries:
    return CountSeries.from_counts(table, report, **options)


#: Kind of table -> ``function(table, report, **options) -> CountSeries``.
TABLE_KINDS: dict[str, Callable[..., CountSeries]] = {
    "incidents": _incident_series,
    "tallies": _tally_series,
    "counts": _count_series,
}


@dataclass(frozen=True)
class Source:
    """One data source.

    Attributes
    ----------
    name : str
        Its name (the ``--format`` of the command line).
    reader : str
        ``"module:function"`` of the reader, which returns ``(table, IngestReport)``.
    table : str
        The kind of table the reader produces (a key of :data:`TABLE_KINDS`).
    description : str
        One line about it.
    """

    name: str
    reader: str
    table: str
    description: str = ""

    def read_function(self) -> Callable[..., tuple[pd.DataFrame, Any]]:
        """The reader function (imported on first use).

        Returns
        -------
        callable
        """
        module, _, function = self.reader.partition(":")
        return getattr(importlib.import_module(module), function)

    def read(self, path: str | Path | pd.DataFrame, **options: Any) -> tuple[pd.DataFrame, Any]:
        """Read a file (or a DataFrame) with this source's reader.

        Parameters
        ----------
        path : str, Path or DataFrame
            The input.
        **options
            Passed to the reader.

        Returns
        -------
        (DataFrame, IngestReport)
        """
        return self.read_function()(path, **options)

    def to_series(self, table: pd.DataFrame, report: Any = None, **options: Any) -> CountSeries:
        """Turn a table read from this source into a count series.

        Parameters
        ----------
        table : pandas.DataFrame
            The reader's table.
        report : IngestReport, optional
            The reader's report.
        **options
            Passed to the constructor (``start``, ``end``, ``freq``, ``not_reported``... for
            incidents; ``source`` for tallies and counts: it names the series' source, as
            written, in its provenance).

        Returns
        -------
        CountSeries
            The measures of tallies and counts are named by their words alone ("killed",
            "injured", a count column's name); the source is in the provenance, not in the
            measure's name.
        """
        return TABLE_KINDS[self.table](table, report, **options)

    def load(
        self,
        path: str | Path | pd.DataFrame,
        *,
        read_options: dict[str, Any] | None = None,
        **series_options: Any,
    ) -> CountSeries:
        """Read and count in one call.

        Parameters
        ----------
        path : str, Path or DataFrame
            The input.
        read_options : dict, optional
            Options of the reader.
        **series_options
            Options of :meth:`to_series`; a reading option that only the reader takes
            (``label="start"``, ``thousands=","``) may be given here too and goes to the reader,
            as the messages that ask for one say (``label='start'`` in Python).

        Returns
        -------
        CountSeries
            Its provenance names the file, and the source: ``source`` as given (e.g.
            ``source="Health Ministry"``), else the file's name. The measures are named by their
            words alone ("killed").

        Raises
        ------
        InputError
            A reading option given both ways with two values.
        """
        file = None if isinstance(path, pd.DataFrame) else str(path)
        if file is not None and "source" not in series_options:
            series_options["source"] = Path(file).name
        read_options = dict(read_options or {})
        for key in self._reading_keywords(series_options):
            value = series_options.pop(key)
            if key in read_options and read_options[key] != value:
                raise InputError(
                    f"{key} is given twice, {key}={value!r} and read_options={{{key!r}: "
                    f"{read_options[key]!r}}}: give it once"
                )
            read_options[key] = value
        table, report = self.read(path, **read_options)
        refuse_no_rows(table, report, file or "the table")
        series = self.to_series(table, report, **series_options)
        if file is None:
            return series
        return replace(series, provenance=replace(series.provenance, file=file))

    def _reading_keywords(self, options: dict[str, Any]) -> list[str]:
        """The keywords of ``options`` that the reader takes and the series builder does not."""
        reader = inspect.signature(self.read_function()).parameters
        builder = getattr(CountSeries, f"from_{self.table}", None)
        series = set(inspect.signature(builder).parameters) if builder is not None else set()
        return [k for k in options if k in reader and k not in series and k != "path"]


def refuse_no_rows(table: pd.DataFrame, report: Any, what: str, hint: str = "") -> None:
    """Refuse a read that accepted no row: there is nothing to count, and an empty series
    would only fail later with a less helpful message.

    Parameters
    ----------
    table : pandas.DataFrame
        The reader's table.
    report : IngestReport
        The reader's report (its ``rejected`` count and first error are quoted).
    what : str
        The file (or "the table") named in the message.
    hint : str, optional
        A last sentence (e.g. the command that lists every rejected row).

    Raises
    ------
    InputError
        No row was accepted.
    """
    if getattr(report, "accepted", len(table)) and len(table):
        return
    errors = list(getattr(report, "errors", None) or [])
    first = f"; the first: column {errors[0].column!r} {errors[0].reason}" if errors else ""
    rejected = getattr(report, "rejected", 0)
    raise InputError(f"{what}: no row could be accepted ({rejected} rejected{first}){hint}")


#: Source name -> :class:`Source`.
SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    """Add a source to :data:`SOURCES` (replacing one of the same name).

    Parameters
    ----------
    source : Source
        The entry.

    Returns
    -------
    Source

    Raises
    ------
    InputError
        Its table kind is not in :data:`TABLE_KINDS`.
    """
    if source.table not in TABLE_KINDS:
        raise InputError(
            f"source {source.name!r}: unknown table kind {source.table!r}; "
            f"use one of {', '.join(TABLE_KINDS)}"
        )
    SOURCES[source.name] = source
    return source


def get_source(name: str) -> Source:
    """The source of that name.

    Parameters
    ----------
    name : str
        A key of :data:`SOURCES`.

    Returns
    -------
    Source

    Raises
    ------
    UnknownModelComponentError
        Unknown name (close names are suggested).
    """
    if name in SOURCES:
        return SOURCES[name]
    close = difflib.get_close_matches(str(name), list(SOURCES), n=2, cutoff=0.5)
    raise UnknownModelComponentError("data source", name, sorted(SOURCES), close)


def load_series(
    path: str | Path | pd.DataFrame,
    format: str = "incidents",
    *,
    read_options: dict[str, Any] | None = None,
    **series_options: Any,
) -> CountSeries:
    """Read any registered source into a count series.

    Parameters
    ----------
    path : str, Path or DataFrame
        The input.
    format : str, default "incidents"
        A key of :data:`SOURCES`.
    read_options : dict, optional
        Options of the reader.
    **series_options
        Options of the count series (see :meth:`Source.to_series`); a reading option only the
        reader takes (``label="start"`` for weekly counts) may be given here too.

    Returns
    -------
    CountSeries

    Raises
    ------
    InputError
        The reader accepted no row (the first rejection is quoted), or the input cannot be read.
    """
    return get_source(format).load(path, read_options=read_options, **series_options)


for _entry in (
    Source(
        "incidents",
        "trends.ingest.incidents:read_incidents",
        "incidents",
        "the canonical incident table (one row per incident)",
    ),
    Source("acled", "trends.ingest.acled:read_acled", "incidents", "an ACLED export"),
    Source("ucdp", "trends.ingest.ucdp:read_ucdp", "incidents", "a UCDP GED export"),
    Source(
        "tallies",
        "trends.ingest.tallies:read_tallies",
        "tallies",
        "a monitor's cumulative daily tallies",
    ),
    Source(
        "counts",
        "trends.ingest.counts:read_counts",
        "counts",
        "a plain count series: one date column and count columns (daily, weekly or monthly)",
    ),
):
    register_source(_entry)


def table_kind(table: Any) -> str:
    """What kind of table this is: ``"incidents"``, ``"tallies"``, ``"counts"`` or other.

    Parameters
    ----------
    table : object
        Usually a DataFrame.

    Returns
    -------
    str
        ``"series"`` for a :class:`CountSeries`, ``"incidents"``, ``"tallies"`` (the daily
        table of :func:`~trends.ingest.tallies.read_tallies`), ``"counts"`` (of
        :func:`~trends.ingest.counts.read_counts`), ``"unknown"`` for another DataFrame and
        ``"not a table"`` for anything else.
    """
    if isinstance(table, CountSeries):
        return "series"
    if not isinstance(table, pd.DataFrame):
        return "not a table"
    cols = set(map(str, table.columns))
    if "new_killed" in cols or "cumulative_killed" in cols:
        return "tallies"
    if {"days", "reported", "period_end"} <= cols:
        return "counts"
    if "date" in cols and (
        "incident_id" in cols or any(c.startswith("civilian_deaths") for c in cols)
    ):
        return "incidents"
    return "unknown"

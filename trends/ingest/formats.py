"""One entry point for every input format: ``read(path, format=...)``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from trends.errors import InputError
from trends.ingest.report import IngestReport

__all__ = ["FORMATS", "read", "reader_for"]

FORMATS: tuple[str, ...] = ("incidents", "acled", "ucdp", "tallies", "counts")


def reader_for(format: str) -> Callable[..., tuple[pd.DataFrame, IngestReport]]:
    """The reader function of ``format`` (one of :data:`FORMATS`).

    Parameters
    ----------
    format : str
        One of :data:`FORMATS`.

    Returns
    -------
    callable
        The reader (e.g. :func:`trends.ingest.read_incidents`).

    Raises
    ------
    InputError
        Unknown format.
    """
    if format == "incidents":
        from trends.ingest.incidents import read_incidents

        return read_incidents
    if format == "acled":
        from trends.ingest.acled import read_acled

        return read_acled
    if format == "ucdp":
        from trends.ingest.ucdp import read_ucdp

        return read_ucdp
    if format == "tallies":
        from trends.ingest.tallies import read_tallies

        return read_tallies
    if format == "counts":
        from trends.ingest.counts import read_counts

        return read_counts
    raise InputError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")


def read(
    path: str | Path, format: str = "incidents", **options
) -> tuple[pd.DataFrame, IngestReport]:
    """Read ``path`` with the reader for ``format``.

    Parameters
    ----------
    path : str, Path or DataFrame
        Input file (delimited text, gzip, zip, ``.xlsx``, Parquet) or a DataFrame.
    format : {"incidents", "acled", "ucdp", "tallies", "counts"}
        Which reader to use.
    **options
        Passed to the reader (``columns``, ``window``, ``strict``, ``delimiter``, ``encoding``,
        ``thousands``, ``date_format``, ``dayfirst``...).

    Returns
    -------
    (DataFrame, IngestReport)
    """
    return reader_for(format)(path, **options)

"""One entry point for every input format: ``read(path, format=...)``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from trends.errors import InputError
from trends.ingest.report import IngestReport

__all__ = ["FORMATS", "read"]

FORMATS: tuple[str, ...] = ("incidents", "acled", "ucdp", "tallies")


def _reader(format: str) -> Callable[..., tuple[pd.DataFrame, IngestReport]]:
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
    raise InputError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")


def read(
    path: str | Path, format: str = "incidents", **options
) -> tuple[pd.DataFrame, IngestReport]:
    """Read ``path`` with the reader for ``format``.

    Parameters
    ----------
    path : str or Path
        Input file.
    format : {"incidents", "acled", "ucdp", "tallies"}
        Which reader to use.
    **options
        Passed to the reader (``window``, ``strict``, ``delimiter``, ``encoding``...).

    Returns
    -------
    (DataFrame, IngestReport)
    """
    return _reader(format)(path, **options)

"""Bundled data: the north-western Syria (Idlib) 2019 case.

``load_idlib_2019()`` returns the incidents, the timeline of reference events and the claims in
one call. The incident table covers 2019-01-04 to 2020-03-08 and every theatre recorded by the
curated source; the analysis of the founding case uses the **north-west theatre** (incidents in
Idlib and the adjoining countryside of Hama, western Aleppo and Latakia, whether attributed to
Russia / the Syrian government or to non-state groups). That filter is the default
``theatre="north-west"``; pass ``theatre="all"`` for every row. It keeps the rows whose
``north_west`` column is true (943 of 1,035), and the ingest report says so.

See ``data/idlib_2019/SOURCES.md`` for provenance and every rule applied to the upstream tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from trends.cases import idlib_2019 as _case
from trends.errors import InputError
from trends.events import Timeline, claims_frame
from trends.ingest.incidents import read_incidents
from trends.ingest.report import IngestReport

__all__ = [
    "IdlibBundle",
    "load_idlib_2019",
    "bundled_path",
    "load_claims_table",
    "THEATRES",
    "IDLIB_CLAIM_SCOPES",
]

#: Theatres of the bundled incidents (:data:`trends.cases.idlib_2019.THEATRES`).
THEATRES = _case.THEATRES
_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_path(*parts: str) -> Path:
    """Path of a bundled data file (``bundled_path("idlib_2019", "incidents.csv")``).

    Parameters
    ----------
    *parts : str
        Path components below the data folder.

    Returns
    -------
    pathlib.Path
        Found in the installed package (``trends/_bundled``) or else the checkout's ``data/``.
    """
    for base in (_PACKAGE_DIR / "_bundled", _PACKAGE_DIR.parent / "data"):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise InputError(f"bundled data file not found: {'/'.join(parts)}")


@dataclass
class IdlibBundle:
    """The Idlib 2019 case, ready for analysis.

    Attributes
    ----------
    incidents : DataFrame
        Canonical incident table (filtered to ``theatre``).
    timeline : trends.events.Timeline
        The 25 reference events (Sochi memorandum to the first joint patrols).
    claims : DataFrame
        The monitors' published counts, one row per claim (see :func:`trends.events.load_claims`).
    report : IngestReport
        Row accounting of the incident file (all 1,035 rows), with the theatre filter noted.
    theatre : str
        ``"north-west"`` or ``"all"``.
    """

    incidents: pd.DataFrame
    timeline: object
    claims: pd.DataFrame
    report: IngestReport
    theatre: str


def load_idlib_2019(*, theatre: str = "north-west") -> IdlibBundle:
    """Load the bundled north-western Syria 2019 incidents, reference events and claims.

    Parameters
    ----------
    theatre : {"north-west", "all"}
        ``"north-west"`` (default) keeps the incidents of the north-west theatre (the rows whose
        ``north_west`` column is true: Idlib and the adjoining countryside of Hama, western Aleppo
        and Latakia). ``"all"`` keeps every row, including other belligerents' strikes elsewhere.

    Returns
    -------
    IdlibBundle

    Examples
    --------
    >>> from trends.datasets import load_idlib_2019
    >>> case = load_idlib_2019()
    >>> case.report.rows_read
    1035
    """
    if theatre not in THEATRES:
        raise InputError(f"theatre must be one of {THEATRES}, not {theatre!r}")
    incidents, report = read_incidents(bundled_path(_case.NAME, "incidents.csv"))
    report.source = f"{_case.NAME}/incidents.csv (bundled with trends)"  # not a machine path
    column = _case.THEATRE_COLUMN
    incidents[column] = incidents[column].map({"True": True, "False": False})
    for col in ("child_deaths_low", "child_deaths_high", "injured_high"):
        incidents[col] = pd.to_numeric(incidents[col]).astype("Int64")
    incidents, report = _case.filter_theatre(
        incidents, report, theatre, hint="; pass theatre='all' for every row"
    )
    timeline = Timeline.from_csv(bundled_path(_case.NAME, "reference_events.csv"))
    claims = load_claims_table(bundled_path(_case.NAME, "claims.csv"), timeline)
    return IdlibBundle(incidents, timeline, claims, report, theatre)


#: Which bundled claims concern the data (:data:`trends.cases.idlib_2019.CLAIM_SCOPES`).
IDLIB_CLAIM_SCOPES = _case.CLAIM_SCOPES


def load_claims_table(path, timeline=None) -> pd.DataFrame:
    """Read a claims table into a DataFrame, one row per claim (``claim_id`` column).

    A thin wrapper of :func:`trends.events.claims_frame` that keeps claims whose dates are
    missing (they are reported as not checkable) and extra columns such as ``region_scope``.

    Parameters
    ----------
    path : str or Path
        Claims CSV (as ``data/idlib_2019/claims.csv``).
    timeline : Timeline, optional
        Resolves event ids used as window bounds.

    Returns
    -------
    DataFrame
    """
    return claims_frame(path, timeline, missing_dates="keep").rename(columns={"id": "claim_id"})

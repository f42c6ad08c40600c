"""The canonical incident table: one documented schema that every reader produces.

One row is one incident (an attack, strike or shelling event) in which civilians were reported
killed or injured. Counts are pandas nullable integers (``Int64``): **a missing figure stays
missing** and is never turned into 0. Aggregation treats a missing death figure as unknown (it adds
nothing to a sum, and series report how many incidents had no figure).

========================  ==============  ========  ===============================================
column                    dtype           required  meaning
========================  ==============  ========  ===============================================
incident_id               str             yes       unique identifier within the table
date                      datetime64      yes       day of the incident (not of publication)
date_end                  datetime64      no        last day, for an incident reported over a range
place                     str             no        place name as reported (any script)
admin1                    str             no        first-level administrative unit (governorate)
admin2                    str             no        second-level unit (district)
latitude, longitude       float64         no        WGS84 decimal degrees
civilian_deaths_low       Int64           no        lowest credible civilian death figure
civilian_deaths_best      Int64           no        preferred figure
civilian_deaths_high      Int64           no        highest credible figure
child_deaths              Int64           no        children among the civilian deaths (best)
injured                   Int64           no        civilians injured (best / lowest reported)
perpetrator               str             no        alleged perpetrator as reported
weapon                    str             no        weapon or means (airstrike, shelling...)
source                    str             no        who reported the figures
url                       str             no        link to the record
dataset                   str             yes       which input the row came from
========================  ==============  ========  ===============================================

Rules checked for every row: dates parse and are real calendar dates between 1900-01-01 and
2100-12-31 (``trends.ingest.DATE_MIN`` / ``DATE_MAX``), ``date_end >= date``; numeric day/month
dates (``03/02/2024``) are read only with ``dayfirst`` or ``date_format`` (never guessed);
counts are non-negative whole numbers up to 10,000,000 per row (``trends.ingest.MAX_COUNT``),
written without thousands separators unless ``thousands=`` names one; ``low <= best <= high``
where both are present;
``child_deaths <= civilian_deaths_high`` (or best when there is no high); latitude in [-90, 90],
longitude in [-180, 180]; identifiers are unique (repeats are merged as duplicates).
Any further columns of the input are kept as they are, after the canonical ones. Header names
are matched ignoring case and through the documented synonyms of :data:`INCIDENT_SYNONYMS`;
without an ``incident_id`` column, ids are generated from the row numbers (and the report says
so).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "ColumnSpec",
    "INCIDENT_SCHEMA",
    "INCIDENT_COLUMNS",
    "REQUIRED_COLUMNS",
    "COUNT_COLUMNS",
    "DEATH_COLUMNS",
    "INCIDENT_SYNONYMS",
    "empty_incidents",
    "order_columns",
]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the canonical incident table."""

    name: str
    kind: str  # "str" | "date" | "count" | "float"
    required: bool
    description: str
    minimum: float | None = None
    maximum: float | None = None

    @property
    def dtype(self) -> str:
        return {"str": "str", "date": "datetime64[ns]", "count": "Int64", "float": "float64"}[
            self.kind
        ]


INCIDENT_SCHEMA: tuple[ColumnSpec, ...] = (
    ColumnSpec("incident_id", "str", True, "unique identifier within the table"),
    ColumnSpec("date", "date", True, "day of the incident (not of publication)"),
    ColumnSpec("date_end", "date", False, "last day, for an incident reported over a range"),
    ColumnSpec("place", "str", False, "place name as reported (any script)"),
    ColumnSpec("admin1", "str", False, "first-level administrative unit"),
    ColumnSpec("admin2", "str", False, "second-level administrative unit"),
    ColumnSpec("latitude", "float", False, "WGS84 latitude", -90.0, 90.0),
    ColumnSpec("longitude", "float", False, "WGS84 longitude", -180.0, 180.0),
    ColumnSpec("civilian_deaths_low", "count", False, "lowest credible civilian death figure"),
    ColumnSpec("civilian_deaths_best", "count", False, "preferred civilian death figure"),
    ColumnSpec("civilian_deaths_high", "count", False, "highest credible civilian death figure"),
    ColumnSpec("child_deaths", "count", False, "children among the civilian deaths"),
    ColumnSpec("injured", "count", False, "civilians injured"),
    ColumnSpec("perpetrator", "str", False, "alleged perpetrator as reported"),
    ColumnSpec("weapon", "str", False, "weapon or means"),
    ColumnSpec("source", "str", False, "who reported the figures"),
    ColumnSpec("url", "str", False, "link to the record"),
    ColumnSpec("dataset", "str", True, "which input the row came from"),
)

INCIDENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in INCIDENT_SCHEMA)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in INCIDENT_SCHEMA if c.required)
COUNT_COLUMNS: tuple[str, ...] = tuple(c.name for c in INCIDENT_SCHEMA if c.kind == "count")
DEATH_COLUMNS: dict[str, str] = {
    "low": "civilian_deaths_low",
    "best": "civilian_deaths_best",
    "high": "civilian_deaths_high",
}
SPEC_BY_NAME: dict[str, ColumnSpec] = {c.name: c for c in INCIDENT_SCHEMA}


#: Header names read as each canonical column by :func:`trends.ingest.read_incidents` (compared
#: ignoring case, spaces, hyphens and dots; each renaming is noted in the ingest report).
INCIDENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "incident_id": ("id", "event_id", "incident", "record_id", "ref", "reference"),
    "date": ("day", "incident_date", "date_of_incident", "event_date", "date_start"),
    "date_end": ("end_date", "last_day", "date_to"),
    "place": ("village", "town", "city", "location", "locality", "place_name"),
    "admin1": ("governorate", "province", "state"),
    "admin2": ("district",),
    "latitude": ("lat",),
    "longitude": ("lon", "lng", "long"),
    "civilian_deaths_low": ("killed_low", "deaths_low", "min_killed"),
    "civilian_deaths_best": ("killed", "deaths", "dead", "civilians_killed", "civilian_deaths"),
    "civilian_deaths_high": ("killed_high", "deaths_high", "max_killed"),
    "child_deaths": ("children_killed", "child_killed", "children_dead", "killed_children"),
    "injured": ("wounded", "injuries", "civilians_injured"),
    "perpetrator": ("actor", "alleged_perpetrator"),
    "weapon": ("means", "weapon_type"),
    "source": ("sources", "reported_by"),
    "url": ("link",),
}


def empty_incidents() -> pd.DataFrame:
    """An empty incident table with the canonical columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in INCIDENT_SCHEMA})


def order_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Put the canonical columns first (adding missing optional ones), extras after."""
    out = frame.copy()
    for spec in INCIDENT_SCHEMA:
        if spec.name not in out.columns:
            out[spec.name] = pd.Series([None] * len(out), index=out.index, dtype=spec.dtype)
    extras = [c for c in out.columns if c not in INCIDENT_COLUMNS]
    return out[list(INCIDENT_COLUMNS) + extras]

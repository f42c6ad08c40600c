"""The founding case: the Idlib 2019 ceasefire (north-western Syria).

Everything about this case that the general code must not know lives here: the theatre filter
(the ``north_west`` column of the bundled incidents), the default window and intervention, the
bundled source credit, the words for the place, the claim scopes, and the sentence that explains
the theatre choice. :mod:`trends.config`, :mod:`trends.datasets` and :mod:`trends.report` read
them from here, and only when the bundled data are analysed (or a user asks for the theatre).

Why these defaults
------------------
- theatre ``"north-west"``: the ceasefire concerned the Idlib de-escalation zone; strikes
  elsewhere in Syria belong to other conflicts;
- intervention ``"ceasefire_aug31_effective"``: the ceasefire in force from 06:00 on
  31 August 2019;
- start ``"offensive_launch"`` (30 April 2019): the pre-ceasefire period is the government
  offensive alone, one regime;
- end ``"2019-12-15"``: the day before the December air escalation (``dec_escalation_air``), so
  the post-period is the ceasefire regime alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from trends.errors import InputError

__all__ = [
    "NAME",
    "THEATRES",
    "DEFAULT_THEATRE",
    "THEATRE_COLUMN",
    "DEFAULTS",
    "SOURCE_LABEL",
    "PLACE",
    "PLACE_ALL",
    "AREA_WORD",
    "CLAIM_SCOPES",
    "place_for",
    "theatre_why",
    "filter_theatre",
]

#: Folder of the bundled files (``data/idlib_2019``).
NAME = "idlib_2019"

#: Theatres of the bundled incidents: the north-west (the ceasefire's zone) or every row.
THEATRES: tuple[str, ...] = ("north-west", "all")
DEFAULT_THEATRE = "north-west"
#: Column of the bundled incidents that marks the north-west theatre (true/false).
THEATRE_COLUMN = "north_west"

#: Defaults of ``trends report`` with the bundled data (see the module docstring for why).
DEFAULTS: dict[str, Any] = {
    "theatre": DEFAULT_THEATRE,
    "intervention": "ceasefire_aug31_effective",
    "start": "offensive_launch",
    "end": "2019-12-15",
}

#: Source credit of the bundled data (footer of every chart, the report's data line).
SOURCE_LABEL = (
    "Airwars (Russian Military in Syria), with figures from SOHR, SNHR, the White Helmets, "
    "the UN and others"
)

#: Where the data are from, for titles: the north-west theatre, or every row.
PLACE = "north-western Syria"
PLACE_ALL = "Syria"

#: The data's first-level administrative area, in words (small multiples).
AREA_WORD = "governorate"

#: Which bundled claims concern the data, and how to select the incidents they count
#: (used by :func:`trends.models.claims.check_claims`). Claims about the whole country, parts of
#: the north-west or government-held areas are listed but not checked (no data for that scope).
CLAIM_SCOPES: Mapping[str, Callable[[pd.DataFrame], pd.Series] | None] = {
    "north-west": None,
    "perpetrator:government and Russia": lambda inc: inc["theatre"].eq(
        "NW Syria (Russia/government alleged)"
    ),
}


def place_for(theatre: str | None) -> str:
    """The place words of a theatre (``"north-western Syria"`` or ``"Syria"``)."""
    return PLACE if theatre == DEFAULT_THEATRE else PLACE_ALL


def theatre_why(theatre: str, notes: list[str] | tuple[str, ...] = ()) -> str:
    """Why the theatre was chosen, for the report's "choices and why" (plain text).

    Parameters
    ----------
    theatre : str
        ``"north-west"`` or ``"all"``.
    notes : sequence of str
        The ingest report's notes (the filter's note is quoted).

    Returns
    -------
    str
    """
    if theatre != DEFAULT_THEATRE:
        return "Every accepted row of the data."
    note = next((n for n in notes if "theatre" in n), None)
    return (
        "The ceasefire concerned the Idlib de-escalation zone, so the incidents are those of the "
        "north-west theatre (Idlib and the adjoining countryside of Hama, western Aleppo and "
        "Latakia); strikes elsewhere in Syria belong to other conflicts."
        + (f" {note[:1].upper() + note[1:]}." if note else "")
    )


def filter_theatre(incidents: pd.DataFrame, report: Any, theatre: str, *, hint: str = ""):
    """Keep the incidents of a theatre; returns ``(incidents, report)``, the report a new one.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incident table with a ``north_west`` column (true/false) unless ``theatre`` is
        ``"all"``.
    report : IngestReport
        Row accounting of the file; it is not changed (a copy with the filter's note and choice
        is returned).
    theatre : {"north-west", "all"}
    hint : str
        Appended to the note (``"; pass theatre='all' for every row"``).

    Returns
    -------
    tuple of (DataFrame, IngestReport)

    Raises
    ------
    InputError
        An unknown theatre, or no ``north_west`` column.
    """
    if theatre not in THEATRES:
        raise InputError(f"theatre must be one of {THEATRES}, not {theatre!r}")
    if theatre == "all":
        return incidents, replace(report, choices={**report.choices, "theatre": "all"})
    if THEATRE_COLUMN not in incidents:
        raise InputError(
            f"theatre {theatre!r} needs a {THEATRE_COLUMN!r} column (true/false) in the data; "
            "use --theatre all"
        )
    flags = incidents[THEATRE_COLUMN].astype("string").str.strip().str.lower()
    kept = flags.isin(["true", "1", "yes"]).to_numpy()
    note = (
        f"theatre filter 'north-west': kept {int(kept.sum())} of {len(incidents)} accepted "
        f"incidents (north_west column true){hint}"
    )
    new_report = replace(
        report, notes=[*report.notes, note], choices={**report.choices, "theatre": theatre}
    )
    return incidents.loc[kept].reset_index(drop=True), new_report

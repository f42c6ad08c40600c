"""Combine incident tables from several sources, merging the same incident reported twice.

Documented rule ("same incident, two sources"): a row of a lower-priority table is merged into a
row of a higher-priority table when

1. their dates are at most ``max_days`` apart (default 0: the same day), and
2. they are in the same place: either
   - both have coordinates and lie within ``max_km`` kilometres of each other (default 2 km), or
   - their ``admin1`` values are equal (or either is missing) and their place names match after
     normalisation (case, accents, punctuation, spaces, a leading Arabic article "al"/"el"/"ad"
     removed), exactly or with a similarity of at least ``name_similarity`` (default 0.85).

Tables are given in priority order: a row of the first table is never merged away. Each
lower-priority row is merged into at most one row (its best match: closest in time, then in
space, then in name); each higher-priority row absorbs at most one row of a given table. Merged rows are counted as
duplicates in the combined report, with the kept row, the rule and the columns that differed.
Rows within one table are never merged here (the readers already merge repeated ids).
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from trends.errors import InputError
from trends.ingest.report import DuplicateRecord, IngestReport
from trends.schema import INCIDENT_COLUMNS, order_columns

__all__ = ["combine_incidents", "normalise_place"]

_ARTICLE = re.compile(r"^(al|el|ad|ar|as|at|an|az)\s+")


def normalise_place(name) -> str:
    """Normalise a place name for matching (see the module docstring)."""
    if name is None or (isinstance(name, float) and math.isnan(name)) or name is pd.NA:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[\u2018\u2019\u02bb\u02bf\u02be'`\-_.,;:()\[\]/]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _ARTICLE.sub("", text)
    return text.replace(" ", "")


def _km(lat1, lon1, lat2, lon2) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def combine_incidents(
    tables: Sequence[tuple[pd.DataFrame, IngestReport]],
    *,
    max_days: int = 0,
    max_km: float = 2.0,
    name_similarity: float = 0.85,
    source: str = "combined",
) -> tuple[pd.DataFrame, IngestReport]:
    """Concatenate canonical incident tables, merging cross-source duplicates.

    Parameters
    ----------
    tables : sequence of (DataFrame, IngestReport)
        Reader outputs, highest priority first.
    max_days : int
        Largest difference in days between two reports of the same incident.
    max_km : float
        Largest distance between the coordinates of two reports of the same incident.
    name_similarity : float
        Smallest similarity (0-1) of normalised place names, when coordinates are not both known.
    source : str
        Name of the combined input in the report.

    Returns
    -------
    (DataFrame, IngestReport)
        The combined table (identifiers prefixed by nothing; a ``dataset`` column tells the
        source) and a report whose counts add up over all inputs.

    Raises
    ------
    InputError
        When the same ``incident_id`` appears in two tables (prefix the ids first) .
    """
    if not tables:
        raise InputError("no tables to combine")
    frames = []
    for i, (table, _) in enumerate(tables):
        t = order_columns(table).copy()
        t["_table"] = i
        frames.append(t)
    ids = pd.concat([f["incident_id"] for f in frames])
    clash = ids[ids.duplicated()]
    if len(clash):
        raise InputError(
            f"incident_id {clash.iloc[0]!r} appears in two tables; give each source its own ids "
            "(e.g. prefix them) before combining"
        )
    kept = frames[0]
    records: list[DuplicateRecord] = []
    for j in range(1, len(frames)):
        cand = frames[j]
        merged_rows = []
        used_kept: set[int] = set()
        kept_dates = kept["date"].to_numpy(dtype="datetime64[D]")
        kept_norm = kept["place"].map(normalise_place).to_numpy()
        for idx, row in cand.iterrows():
            d = np.datetime64(pd.Timestamp(row["date"]).date(), "D")
            near = np.nonzero(np.abs((kept_dates - d).astype(int)) <= max_days)[0]
            best = None
            for k in near:
                if k in used_kept:
                    continue
                other = kept.iloc[k]
                dist = None
                if all(
                    pd.notna(v)
                    for v in (
                        row["latitude"],
                        row["longitude"],
                        other["latitude"],
                        other["longitude"],
                    )
                ):
                    dist = _km(
                        row["latitude"], row["longitude"], other["latitude"], other["longitude"]
                    )
                    if dist > max_km:
                        continue
                    score = (abs(int((kept_dates[k] - d).astype(int))), dist, 0.0)
                else:
                    a1, a2 = row["admin1"], other["admin1"]
                    if pd.notna(a1) and pd.notna(a2) and normalise_place(a1) != normalise_place(a2):
                        continue
                    n1, n2 = normalise_place(row["place"]), kept_norm[k]
                    if not n1 or not n2:
                        continue
                    sim = 1.0 if n1 == n2 else difflib.SequenceMatcher(None, n1, n2).ratio()
                    if sim < name_similarity:
                        continue
                    score = (abs(int((kept_dates[k] - d).astype(int))), math.inf, -sim)
                if best is None or score < best[0]:
                    best = (score, k)
            if best is not None:
                k = best[1]
                used_kept.add(k)
                other = kept.iloc[k]
                diffs = tuple(
                    c
                    for c in INCIDENT_COLUMNS
                    if c not in ("incident_id", "dataset")
                    and not (pd.isna(row[c]) and pd.isna(other[c]))
                    and (pd.isna(row[c]) or pd.isna(other[c]) or row[c] != other[c])
                )
                records.append(
                    DuplicateRecord(
                        int(row.get("source_row", -1)),
                        None,
                        f"{row['incident_id']} = {other['incident_id']}",
                        f"same incident, two sources ({row['dataset']} merged into {other['dataset']})",
                        diffs,
                    )
                )
                merged_rows.append(idx)
        kept = pd.concat([kept, cand.drop(index=merged_rows)], ignore_index=True)
    report = IngestReport.combine([r for _, r in tables], source=source)
    report.duplicates += len(records)
    report.accepted -= len(records)
    report.duplicate_rows.extend(records)
    report.notes.append(
        f"{len(records)} rows merged as the same incident reported by two sources "
        f"(same day +/- {max_days}, within {max_km:g} km or the same place name)"
    )
    report.check()
    out = (
        kept.drop(columns="_table")
        .sort_values(["date", "incident_id"], kind="stable")
        .reset_index(drop=True)
    )
    return out, report

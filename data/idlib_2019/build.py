"""Rebuild the bundled Idlib 2019 tables from the curated upstream tables.

Run from the repository root, with the upstream folder beside the checkout:

    python data/idlib_2019/build.py [../shared/data/idlib-2019]

It rewrites ``incidents.csv``, ``reference_events.csv`` and ``claims.csv`` in this folder, in the
package's own schema (see ``SOURCES.md`` for every rule applied). The output is committed, so
users never need the upstream folder; this script documents exactly how it was made.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

NW_THEATRES = (
    "NW Syria (Russia/government alleged)",
    "NW Syria (non-state armed group / unknown perpetrator)",
)


def build_incidents(src: Path) -> pd.DataFrame:
    d = pd.read_csv(src / "incidents.csv", dtype={"row_id": "str"})
    best = d["civilian_deaths"].astype("Float64")
    aw_min = d["airwars_civ_min"].astype("Float64")
    aw_max = d["airwars_civ_max"].astype("Float64")
    # Rule 1: records with a single figure (news rows) have low = best = high.
    low = aw_min.fillna(best)
    high = aw_max.fillna(best)
    # Rule 2: where the preferred (monitor) figure lies outside Airwars' range, the range is
    # widened to include it, so that low <= best <= high always holds.
    widened = (best < low) | (best > high)
    widened = widened.fillna(False)
    low = low.where(~(best < low).fillna(False), best)
    high = high.where(~(best > high).fillna(False), best)
    # Rule 3: the preferred child figure follows the upstream rule for civilian deaths: a monitor's
    # figure where one was matched, otherwise the low end of Airwars' range.
    child = d["child_deaths"].astype("Float64")
    child_filled = child.isna() & d["airwars_child_min"].notna()
    child = child.fillna(d["airwars_child_min"].astype("Float64"))
    note = d["note"].fillna("")
    range_note = np.where(
        widened,
        "range widened to include the preferred figure (Airwars "
        + aw_min.astype("Int64").astype("str")
        + "-"
        + aw_max.astype("Int64").astype("str")
        + ")",
        "",
    )
    range_note = np.where(
        child_filled,
        np.where(range_note == "", "", np.char.add(range_note.astype(str), "; "))
        + "child figure from the low end of Airwars' range (no monitor child figure)",
        range_note,
    )
    out = pd.DataFrame(
        {
            "incident_id": d["row_id"],
            "date": d["date"],
            "date_end": d["date_end"],
            "place": d["place"],
            "admin1": d["governorate"],
            "admin2": d["district"],
            "latitude": d["latitude"],
            "longitude": d["longitude"],
            "civilian_deaths_low": low.astype("Int64"),
            "civilian_deaths_best": best.astype("Int64"),
            "civilian_deaths_high": high.astype("Int64"),
            "child_deaths": child.astype("Int64"),
            "injured": d["injured_min"].astype("Int64"),
            "perpetrator": d["perpetrator_reported"],
            "weapon": d["weapon"],
            "source": d["source_monitor"],
            "url": d["url"],
            "dataset": d["dataset"],
            # extras (kept after the canonical columns)
            "place_ar": d["place_ar"],
            "theatre": d["theatre"],
            "north_west": d["theatre"].isin(NW_THEATRES),
            "deaths_source": d["deaths_source"],
            "child_deaths_low": d["airwars_child_min"].astype("Int64"),
            "child_deaths_high": d["airwars_child_max"].astype("Int64"),
            "injured_high": d["injured_max"].astype("Int64"),
            "airwars_strike_status": d["airwars_strike_status"],
            "airwars_grading": d["airwars_grading"],
            "other_urls": d["other_urls"],
            "possible_duplicate_of": d["possible_duplicate_of"],
            "range_note": range_note,
            "note": note,
        }
    )
    return out


# Reference events: our own columns; names are short factual labels, kinds normalised.
KIND = {
    "agreement": "agreement",
    "agreement milestone": "agreement",
    "political/military": "other",
    "offensive start (air)": "offensive",
    "count window": "other",
    "offensive start": "offensive",
    "offensive phase": "offensive",
    "truce": "truce",
    "truce (conditional)": "truce",
    "truce end": "escalation",
    "military": "other",
    "ceasefire announcement": "ceasefire",
    "ceasefire": "ceasefire",
    "ceasefire violation": "escalation",
    "escalation": "escalation",
    "escalation (ground)": "escalation",
}


# Short names in our own words (used in charts and reports); the upstream description is not kept.
SHORT_NAMES = {
    "sochi_mou": "Sochi memorandum",
    "dmz_deadline": "Demilitarised-zone deadline",
    "hts_takeover": "HTS takes control of Idlib",
    "escalation_start_air": "Air escalation begins",
    "ohchr_window_start": "Start of OHCHR count window",
    "offensive_launch": "Government offensive launched",
    "ground_offensive": "Ground offensive begins",
    "truce_may18": "Army-declared truce (18 May)",
    "truce_june12": "72-hour truce (12 Jun)",
    "truce_aug1_announced": "Conditional truce announced",
    "truce_aug1_effective": "Conditional truce in force",
    "truce_aug5_end": "Conditional truce ends",
    "khan_shaykhun": "Khan Shaykhun taken",
    "ceasefire_aug31_announced": "Ceasefire announced",
    "ceasefire_aug31_effective": "Russian-announced ceasefire in force",
    "first_strikes_after_truce": "First Russian strikes after the ceasefire",
    "dec_escalation_air": "December air escalation",
    "dec_escalation_ground": "December ground fighting",
    "ceasefire_jan9_russia": "Russian ceasefire declaration",
    "ceasefire_jan12": "Russian-Turkish ceasefire in force",
    "maarat_numan_captured": "Maarat al-Numan taken",
    "spring_shield": "Turkish Operation Spring Shield",
    "moscow_protocol": "Moscow protocol agreed",
    "moscow_ceasefire_effective": "Moscow ceasefire in force",
    "joint_patrols": "First joint patrols",
}


def build_events(src: Path) -> pd.DataFrame:
    e = pd.read_csv(src / "reference_events.csv", dtype="str")
    unknown = sorted(set(e["type"]) - set(KIND))
    if unknown:
        raise SystemExit(f"unmapped event types: {unknown}")
    missing = sorted(set(e["event_id"]) - set(SHORT_NAMES))
    if missing:
        raise SystemExit(f"events without a short name: {missing}")
    return pd.DataFrame(
        {
            "event_id": e["event_id"],
            "date": e["date"],
            "time_local": e["time_local"],
            "event": e["event_id"].map(SHORT_NAMES),
            "kind": e["type"].map(KIND),
            "type_text": e["type"],
            "source": e["source"],
            "url": e["url"],
        }
    )


# Claims: vague dates resolved by stated rules; each resolution is recorded in `date_note`.
VAGUE_START = {
    "end of April 2019": ("offensive_launch", "'end of April 2019' read as the offensive's launch"),
    "late April 2019": ("offensive_launch", "'late April 2019' read as the offensive's launch"),
    "late April 2019 offensive": ("offensive_launch", "read as the offensive's launch"),
    "2019-04 (escalation)": ("escalation_start_air", "'April (escalation)' read as 26 Apr"),
    "about 2019-05-01": ("2019-05-01", "'about 1 May' read as 1 May"),
    "2019-04-30 (start of offensive)": ("offensive_launch", ""),
    "2019-08-31 (ceasefire deal)": ("ceasefire_aug31_effective", ""),
    "2018-09-17 (Sochi deal)": ("sochi_mou", ""),
    "December 2019": ("2019-12-01", "'December 2019' read as 1 Dec"),
    "April 2019": ("2019-04-01", "'April 2019' read as 1 Apr"),
}
ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _resolve_date(text: str, table: dict[str, tuple[str, str]]) -> tuple[str, str]:
    text = (text or "").strip()
    if text in table:
        return table[text]
    m = ISO.match(text)
    if m and text == m.group(1):
        return m.group(1), ""
    if m:
        return m.group(1), f"'{text}' read as {m.group(1)}"
    if text.startswith("about "):
        m = ISO.match(text[6:])
        if m:
            return m.group(1), f"'{text}' read as {m.group(1)}"
    return "", f"'{text}' cannot be dated: claim not checkable"


QUALIFIER = {
    "at least": "at_least",
    "more than": "more_than",
    "over": "more_than",
    "around": "around",
    "some": "around",
    "estimated": "around",
    "almost": "fewer_than",
    "nearly": "fewer_than",
    "(reported)": "around",
}


def _qualifier(raw: str) -> str:
    raw = raw.strip()
    if raw in QUALIFIER:
        return QUALIFIER[raw]
    if raw.startswith("exactly") or raw.startswith("("):
        return "exactly"
    raise SystemExit(f"unmapped qualifier {raw!r}")


def _quantity(raw: str) -> tuple[str, str]:
    """(quantity, perpetrator scope) from the free-text quantity."""
    r = raw.lower()
    if r.startswith("displaced"):
        return "displaced", ""
    if "casualties" in r or r.startswith("attacks on"):
        return "other", ""  # killed-or-injured totals, attacks on buildings: not counted here
    if r.startswith("child"):
        return "child_deaths", ""
    if r.startswith("civilian deaths"):
        if any(k in r for k in ("rebel", "jihadist", "militant")):
            return "civilian_deaths", "non-state groups"
        if any(k in r for k in ("regime", "russian", "government", "syrian-russian")):
            return "civilian_deaths", "government and Russia"
        if "artillery" in r:
            return "civilian_deaths", "artillery only"
        return "civilian_deaths", ""
    return "deaths_all", ""  # counts that include combatants or are not restricted to civilians


def _scope(region: str) -> str:
    r = region.lower()
    if "nationwide" in r:
        return "nationwide"
    if "government-held" in r or "regime-held" in r or "aleppo city" in r:
        return "government-held areas"
    if r.startswith("southern idlib") or r.startswith("idlib city") or r.startswith("northern hama"):
        return "part of the north-west"
    return "north-west"


def build_claims(src: Path) -> pd.DataFrame:
    c = pd.read_csv(src / "claims.csv", dtype="str").fillna("")
    rows = []
    for i, r in c.iterrows():
        as_of, as_of_note = _resolve_date(r["as_of"], {})
        ws, ws_note = _resolve_date(r["window_start"], VAGUE_START)
        we_text = r["window_end"]
        if we_text in ("(report date)", "(article date)"):
            we, we_note = as_of, (f"window end '{we_text}' read as the as-of date" if as_of else "")
        elif we_text == "early January 2020":
            we, we_note = "2020-01-10", "'early January 2020' read as 10 Jan"
        elif we_text == "March 2020":
            we, we_note = "2020-03-31", "'March 2020' read as 31 Mar"
        else:
            we, we_note = _resolve_date(we_text, {})
        if not as_of:
            m = re.match(r"^(\d{4})-(\d{2})", r["as_of"])
            if m and we:
                as_of, as_of_note = we, f"as-of '{r['as_of']}' read as the window end"
        quantity, perp = _quantity(r["quantity"])
        notes = [n for n in (as_of_note, ws_note, we_note) if n]
        rows.append(
            {
                "claim_id": f"C{i + 1:03d}",
                "as_of": as_of,
                "window_start": ws,
                "window_end": we,
                "region": r["region"],
                "region_scope": _scope(r["region"]),
                "quantity": quantity,
                "perpetrator_scope": perp,
                "quantity_text": r["quantity"],
                "value": r["value"],
                "qualifier": _qualifier(r["qualifier"]),
                "qualifier_text": r["qualifier"],
                "source": r["source"],
                "url": r["url"],
                "date_note": "; ".join(notes),
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str]) -> None:
    src = Path(argv[1]) if len(argv) > 1 else HERE.parents[2] / "shared" / "data" / "idlib-2019"
    if not src.is_dir():
        raise SystemExit(f"upstream folder not found: {src}")
    build_incidents(src).to_csv(HERE / "incidents.csv", index=False)
    build_events(src).to_csv(HERE / "reference_events.csv", index=False)
    build_claims(src).to_csv(HERE / "claims.csv", index=False)
    print(f"wrote {HERE}/incidents.csv, reference_events.csv, claims.csv from {src}")


if __name__ == "__main__":
    main(sys.argv)

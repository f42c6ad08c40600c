"""Build the example files of this folder from the bundled Idlib 2019 incident table.

Run from anywhere (``python data/examples/build_examples.py``); the output is deterministic (the
same bytes on every run). It writes:

- ``acled_idlib_2019_example.csv``: the bundled incidents in the column layout of an ACLED export;
- ``ucdp_ged_idlib_2019_example.csv``: the deadly ones in the column layout of a UCDP GED CSV;
- ``example_events.csv``: four reference events (a small timeline) taken from the bundled table;
- ``tallies_example.csv``, ``daily_counts_example.csv``, ``spreadsheet_example.xlsx``: DERIVED
  EXAMPLES (a running total, a plain daily count, a hand-made spreadsheet) computed from the same
  incidents; they are not any monitor's, ministry's or person's publication.

THESE ARE NOT ACLED OR UCDP DATA. Every row comes from ``data/idlib_2019/incidents.csv`` (Airwars'
records and the monitors they cite); the export layouts only show how real exports are read. The
rules used for each column are below, next to the code that applies them, and in README.md.

Selection: the north-west theatre (``north_west`` true), dated 1 April to 31 December 2019, one
example event per incident, numbered ``SYR-EX-0001``... in date order (then by incident id).
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "idlib_2019" / "incidents.csv"
EVENTS_SOURCE = HERE.parent / "idlib_2019" / "reference_events.csv"

FIRST_DAY, LAST_DAY = "2019-04-01", "2019-12-31"

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]  # fmt: skip

UCDP_COLUMNS = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low",
]  # fmt: skip

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip

# Unix time of the (fictitious) last edit of every example row: 1 February 2020, 00:00 UTC, plus
# one minute per row. The revised copy of the duplicated event is stamped 90 days later.
TIMESTAMP_BASE = 1_580_515_200
REVISION_DELAY = 90 * 24 * 3600

# The deliberate imperfections (chosen by rule, so that a rebuild picks the same rows):
# - DUPLICATE: the first incident on or after this day whose low figure is below its best figure
#   is written twice in the ACLED file: first as an early version carrying the low figure, then,
#   at the end of the file, the revised version (later timestamp) carrying the best figure. The
#   reader keeps the later one. In the GED file the same event appears twice with identical
#   content (an export concatenated twice); the reader keeps the first.
# - MISSING: the first N incidents without a death figure on or after this day get an empty
#   ``fatalities`` cell in the ACLED file (ACLED always fills it, so the reader rejects the row);
#   in the GED file the first N incidents with a death figure on or after it get an empty
#   ``deaths_civilians`` cell.
DUPLICATE_FROM = "2019-11-01"
MISSING_FROM = "2019-06-01"
N_MISSING = 2


def read_incidents() -> list[dict[str, str]]:
    """The bundled incidents of the north-west theatre in the example period, in date order."""
    with SOURCE.open(newline="", encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["north_west"] == "True" and FIRST_DAY <= r["date"] <= LAST_DAY
        ]
    rows.sort(key=lambda r: (r["date"], r["incident_id"]))
    return rows


# ----------------------------------------------------------------------------------- helpers


def parties(perpetrator: str) -> list[str]:
    """The parties named in the bundled ``perpetrator`` text, in order: russia, syria, other."""
    out = []
    for part in perpetrator.split(";"):
        text = part.strip().lower()
        if not text:
            continue
        if text.startswith("russia"):
            name = "russia"
        elif text.startswith("syrian government"):
            name = "syria"
        else:
            name = "other"
        if name not in out:
            out.append(name)
    return out or ["other"]


def primary_party(perpetrator: str) -> str:
    """The first state party named (Russia or the Syrian government), else ``"other"``."""
    named = [p for p in parties(perpetrator) if p != "other"]
    return named[0] if named else "other"


ACLED_ACTORS = {
    "russia": ("Military Forces of Russia (2000-)", "External/Other forces"),
    "syria": ("Military Forces of Syria (2000-2024)", "State forces"),
    "other": ("Unidentified Armed Group (Syria)", "Political militia"),
}
UCDP_SIDES = {
    "russia": "Government of Russia (Soviet Union)",
    "syria": "Government of Syria",
    "other": "Syrian insurgents",
}


def sub_event_type(weapon: str) -> str:
    """ACLED sub-event type from the bundled ``weapon`` text (air first, then ground fire)."""
    text = weapon.lower()
    if text.startswith("air") or "drone" in text:
        return "Air/drone strike"
    if any(w in text for w in ("artillery", "rocket", "mortar", "shell", "naval")):
        return "Shelling/artillery/missile attack"
    return "Air/drone strike"  # means not recorded; Airwars records strikes


def acled_date(iso: str) -> str:
    """``2019-08-31`` -> ``31 August 2019`` (ACLED's ``event_date``)."""
    y, m, d = iso.split("-")
    return f"{d} {MONTHS[int(m) - 1]} {y}"


def cited_sources(source: str) -> list[str]:
    """``"Airwars (cites SNHR, SOHR)"`` -> ``["Airwars", "SNHR", "SOHR"]``; other text split on ';'."""
    m = re.match(r"^\s*([^()]+?)\s*\(cites ([^)]*)\)\s*$", source)
    if m:
        return [m.group(1)] + [s.strip() for s in m.group(2).split(",") if s.strip()]
    return [s.strip() for s in source.split(";") if s.strip()] or ["unknown"]


def priogrid(lat: str, lon: str) -> str:
    """PRIO-GRID cell id (0.5 degree cells, numbered from (-90, -180) row by row)."""
    if not lat or not lon:
        return ""
    row = math.floor((float(lat) + 90) / 0.5)
    col = math.floor((float(lon) + 180) / 0.5)
    return str(row * 720 + col + 1)


def figures(r: dict[str, str]) -> tuple[str, str, str]:
    return r["civilian_deaths_low"], r["civilian_deaths_best"], r["civilian_deaths_high"]


def describe(r: dict[str, str]) -> str:
    """The ``notes`` text: where the example row comes from and the source's own words."""
    low, best, high = figures(r)
    deaths = f"civilian deaths {best} (range {low}-{high})" if best else "no death figure recorded"
    perpetrator = r["perpetrator"] or "not recorded"
    return (
        f"EXAMPLE ROW, not ACLED data: bundled incident {r['incident_id']} ({r['dataset']}; "
        f"{r['url']}). {r['weapon'] or 'Attack'} on {r['place']}, {r['admin1']}; alleged "
        f"perpetrator: {perpetrator}; {deaths}."
    )


# ------------------------------------------------------------------------------------ ACLED


def acled_row(i: int, r: dict[str, str]) -> dict[str, str]:
    party = parties(r["perpetrator"])
    first = primary_party(r["perpetrator"])
    actor1, inter1 = ACLED_ACTORS[first]
    assoc = [ACLED_ACTORS[p][0] for p in party if p not in (first, "other")]
    best = r["civilian_deaths_best"]
    return {
        "event_id_cnty": f"SYR-EX-{i:04d}",
        "event_date": acled_date(r["date"]),
        "year": r["date"][:4],
        "time_precision": "1" if not r["date_end"] else "2",
        "disorder_type": "Political violence",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": sub_event_type(r["weapon"]),
        "actor1": actor1,
        "assoc_actor_1": "; ".join(assoc),
        "inter1": inter1,
        "actor2": "Civilians (Syria)",
        "assoc_actor_2": "",
        "inter2": "Civilians",
        "interaction": f"{inter1}-Civilians",
        "civilian_targeting": "Civilian targeting",
        "iso": "760",
        "region": "Middle East",
        "country": "Syria",
        "admin1": r["admin1"],
        "admin2": r["admin2"],
        "admin3": "",
        "location": r["place"],
        "latitude": r["latitude"],
        "longitude": r["longitude"],
        "geo_precision": "1" if r["latitude"] else "",
        "source": "; ".join(cited_sources(r["source"])),
        "source_scale": "Other",
        "notes": describe(r),
        # ACLED writes 0 when no death was reported: an incident without a death figure in the
        # bundled table (mostly injury-only records) gets 0.
        "fatalities": best if best else "0",
        "tags": "",
        "timestamp": str(TIMESTAMP_BASE + 60 * i),
    }


def build_acled(incidents: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = [acled_row(i, r) for i, r in enumerate(incidents, start=1)]
    missing = [
        k
        for k, r in enumerate(incidents)
        if r["date"] >= MISSING_FROM and not r["civilian_deaths_best"]
    ][:N_MISSING]
    for k in missing:
        rows[k]["fatalities"] = ""
    dup = next(
        k
        for k, r in enumerate(incidents)
        if r["date"] >= DUPLICATE_FROM
        and r["civilian_deaths_best"]
        and int(r["civilian_deaths_low"]) < int(r["civilian_deaths_best"])
    )
    revised = dict(rows[dup])
    revised["timestamp"] = str(int(rows[dup]["timestamp"]) + REVISION_DELAY)
    rows[dup]["fatalities"] = incidents[dup]["civilian_deaths_low"]
    rows[dup]["notes"] += " First version (fatalities later revised)."
    rows.append(revised)
    return rows


# ------------------------------------------------------------------------------------- UCDP


def ged_date(iso: str) -> str:
    return f"{iso} 00:00:00.000"


def ucdp_row(i: int, r: dict[str, str]) -> dict[str, str]:
    side_a = UCDP_SIDES[primary_party(r["perpetrator"])]
    low, best, high = figures(r)
    sources = cited_sources(r["source"])
    if r["admin2"]:
        adm_2 = re.sub(r"\s*\(.*\)$", "", r["admin2"]) + " district"
    else:
        adm_2 = ""
    lat, lon = r["latitude"], r["longitude"]
    return {
        "id": f"SYR-EX-{i:04d}",
        "relid": f"SYR-2019-EX-{i:04d}",
        "year": r["date"][:4],
        "active_year": "1",
        "code_status": "Clear",
        "type_of_violence": "3",
        # UCDP's numeric actor, dyad and conflict ids are left empty: they would be invented.
        "conflict_dset_id": "",
        "conflict_new_id": "",
        "conflict_name": f"{side_a} - civilians",
        "dyad_dset_id": "",
        "dyad_new_id": "",
        "dyad_name": f"{side_a} - civilians",
        "side_a_dset_id": "",
        "side_a_new_id": "",
        "side_a": side_a,
        "side_b_dset_id": "",
        "side_b_new_id": "",
        "side_b": "Civilians",
        "number_of_sources": str(len(sources)),
        "source_article": r["url"],
        "source_office": ";".join(sources),
        "source_date": r["date"],
        "source_headline": "",
        "source_original": r["deaths_source"],
        # 1: exact place known; 4: only the governorate (the bundled row has no coordinates).
        "where_prec": "1" if lat else "4",
        "where_coordinates": r["place"],
        "where_description": r["place"],
        "adm_1": f"{r['admin1']} governorate",
        "adm_2": adm_2,
        "latitude": lat,
        "longitude": lon,
        "geom_wkt": f"POINT ({lon} {lat})" if lat else "",
        "priogrid_gid": priogrid(lat, lon),
        "country": "Syria",
        "country_id": "652",
        "region": "Middle East",
        "event_clarity": "1",
        "date_prec": "1" if not r["date_end"] else "2",
        "date_start": ged_date(r["date"]),
        "date_end": ged_date(r["date_end"] or r["date"]),
        "deaths_a": "0",
        "deaths_b": "0",
        "deaths_civilians": best,
        "deaths_unknown": "0",
        # Every death of these incidents is a civilian death, so GED's all-deaths estimates are
        # the civilian figures: best, and Airwars' low / high range.
        "best": best,
        "high": high,
        "low": low,
    }


def build_ucdp(incidents: list[dict[str, str]]) -> list[dict[str, str]]:
    # GED holds only events with at least one death: incidents without a death figure, or with
    # zero deaths, are left out (their numbers are kept, so ids match the ACLED file).
    numbered = [
        (i, r)
        for i, r in enumerate(incidents, start=1)
        if r["civilian_deaths_best"] and int(r["civilian_deaths_best"]) >= 1
    ]
    rows = [ucdp_row(i, r) for i, r in numbered]
    missing = [k for k, (_, r) in enumerate(numbered) if r["date"] >= MISSING_FROM][:N_MISSING]
    for k in missing:
        rows[k]["deaths_civilians"] = ""
    dup = next(k for k, (_, r) in enumerate(numbered) if r["date"] >= DUPLICATE_FROM)
    rows.append(dict(rows[dup]))
    return rows


# ----------------------------------------------------------------------------------- events

EXAMPLE_EVENTS = (
    "escalation_start_air",
    "offensive_launch",
    "ceasefire_aug31_effective",
    "dec_escalation_air",
)


def build_events() -> list[dict[str, str]]:
    with EVENTS_SOURCE.open(newline="", encoding="utf-8") as fh:
        rows = {r["event_id"]: r for r in csv.DictReader(fh)}
    keep = ("event_id", "date", "time_local", "event", "kind", "source", "url")
    return [{k: rows[e][k] for k in keep} for e in EXAMPLE_EVENTS]


# ------------------------------------------- derived series: tallies, daily counts, spreadsheet
#
# These three files are DERIVED EXAMPLES, not any monitor's or ministry's publication: each is
# computed from the same bundled incidents (civilian deaths, best figures), reshaped as a user's own
# file might be, with imperfections put in by the fixed rules below (no randomness).

TALLY_FIRST, TALLY_LAST = "2019-06-01", "2019-10-31"
# A 48-hour report: no report on this day, so the next report covers two days.
TALLY_48H = ("2019-06-20",)
# A gap: no reports for these four days (a suspension of publication).
TALLY_GAP = ("2019-07-08", "2019-07-09", "2019-07-10", "2019-07-11")
# A frozen total: on these days the monitor repeats the previous total unchanged; the deaths of
# those days are added to the first report after them (as a late catch-up).
TALLY_FROZEN = tuple(f"2019-10-{d:02d}" for d in range(5, 13))
COUNTS_FIRST, COUNTS_LAST = "2019-04-26", "2019-12-15"
SHEET_FIRST, SHEET_LAST = "2019-08-01", "2019-09-30"
SHEET_COLUMNS = ["Date", "Village", "Killed", "Children killed", "Injured", "Source"]


def days_between(first: str, last: str) -> list[str]:
    """Every ISO day from ``first`` to ``last`` inclusive."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=k)).isoformat() for k in range((end - start).days + 1)]


def daily_deaths(incidents: list[dict[str, str]]) -> dict[str, int]:
    """Civilian deaths (best figures) per day; incidents without a figure add nothing."""
    out: dict[str, int] = {}
    for r in incidents:
        if r["civilian_deaths_best"]:
            out[r["date"]] = out.get(r["date"], 0) + int(r["civilian_deaths_best"])
    return out


def build_tallies(incidents: list[dict[str, str]]) -> list[dict[str, str]]:
    """A running total of civilian deaths since 1 April 2019, one row per published report."""
    per_day = daily_deaths(incidents)
    total = sum(v for d, v in per_day.items() if d < TALLY_FIRST)
    rows, published = [], total
    for day in days_between(TALLY_FIRST, TALLY_LAST):
        total += per_day.get(day, 0)
        if day in TALLY_48H or day in TALLY_GAP:
            continue
        note = ""
        if day in TALLY_FROZEN:
            note = "total unchanged (example: publication frozen)"
        else:
            published = total
            prev = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
            if prev in TALLY_48H:
                note = "48-hour report (example)"
            elif prev in TALLY_GAP:
                note = "first report after a 4-day gap (example)"
            elif prev in TALLY_FROZEN:
                note = "catch-up after the frozen total (example)"
        rows.append({"date": day, "cumulative_killed": str(published), "note": note})
    return rows


def build_counts(incidents: list[dict[str, str]]) -> list[dict[str, str]]:
    """Civilian deaths per day, every day of the window (0 on a day without a recorded death)."""
    per_day = daily_deaths(incidents)
    return [
        {"date": day, "killed": str(per_day.get(day, 0))}
        for day in days_between(COUNTS_FIRST, COUNTS_LAST)
    ]


def build_sheet(incidents: list[dict[str, str]]) -> list[list[object]]:
    """One row per incident, with a spreadsheet's own column names and day-first dates."""
    rows: list[list[object]] = []
    for r in incidents:
        if not SHEET_FIRST <= r["date"] <= SHEET_LAST:
            continue
        d = date.fromisoformat(r["date"])
        rows.append(
            [
                f"{d.day:02d}/{d.month:02d}/{d.year}",
                r["place"],
                int(r["civilian_deaths_best"]) if r["civilian_deaths_best"] else None,
                int(r["child_deaths"]) if r["child_deaths"] else None,
                int(r["injured"]) if r["injured"] else None,
                "; ".join(cited_sources(r["source"])),
            ]
        )
    return rows


def write_xlsx(path: Path, columns: list[str], rows: list[list[object]]) -> None:
    """Write one sheet with openpyxl, with fixed timestamps so that a rebuild gives the same bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "incidents"
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    fixed = datetime(2020, 2, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "trends data/examples/build_examples.py (derived example)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    # Re-zip with a fixed date on every member (zip members otherwise carry the build time).
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed_info = zipfile.ZipInfo(info.filename, date_time=(2020, 2, 1, 0, 0, 0))
            fixed_info.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2020-02-01T00:00:00Z\g<2>",
                    data,
                )
            dst.writestr(fixed_info, data)
    path.write_bytes(out.getvalue())


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    incidents = read_incidents()
    acled = build_acled(incidents)
    ucdp = build_ucdp(incidents)
    events = build_events()
    write(HERE / "acled_idlib_2019_example.csv", ACLED_COLUMNS, acled)
    write(HERE / "ucdp_ged_idlib_2019_example.csv", UCDP_COLUMNS, ucdp)
    write(HERE / "example_events.csv", list(events[0]), events)
    tallies = build_tallies(incidents)
    counts = build_counts(incidents)
    sheet = build_sheet(incidents)
    write(HERE / "tallies_example.csv", ["date", "cumulative_killed", "note"], tallies)
    write(HERE / "daily_counts_example.csv", ["date", "killed"], counts)
    write_xlsx(HERE / "spreadsheet_example.xlsx", SHEET_COLUMNS, sheet)
    print(
        f"{len(incidents)} bundled incidents -> {len(acled)} ACLED-format rows, "
        f"{len(ucdp)} GED-format rows, {len(events)} reference events, {len(tallies)} tallies, "
        f"{len(counts)} daily counts, {len(sheet)} spreadsheet rows"
    )


if __name__ == "__main__":
    main()

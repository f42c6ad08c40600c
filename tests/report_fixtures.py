"""A small analysis of made-up data (not the bundled case) for the report's tests.

Names of events, places, claim sources and wording carry injection attempts: ``<script>``,
``<img onerror>``, a newline followed by ``# heading`` and ``javascript:`` links.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
HEADING = "Truce\n# Injected heading"
LINK = "[click me](javascript:alert(1))"
INJECTIONS = (SCRIPT, IMG, HEADING, LINK)
TITLE = "<script>alert('title')</script>\n# Injected title"
SOURCE = "[the source](javascript:alert('source'))"
INTERVENTION = "truce_2021"


def write_inputs(folder: Path, seed: int = 1) -> dict[str, Path]:
    """Incidents, events and claims files of a made-up place; returns their paths."""
    rng = np.random.default_rng(seed)
    days = np.arange("2021-01-01", "2021-07-20", dtype="datetime64[D]")
    change = np.datetime64("2021-04-11")
    places = ["Northtown", SCRIPT, IMG, LINK, HEADING]
    rows = []
    for day in days:
        for _ in range(rng.poisson(3.0 if day < change else 1.0)):
            best = int(rng.poisson(2))
            rows.append({
                "incident_id": f"X{len(rows):05d}", "date": str(day), "dataset": "made-up",
                "place": places[len(rows) % len(places)],
                "admin1": ["Upper Province", "Lower Province"][len(rows) % 2],
                "civilian_deaths_low": max(best - 1, 0), "civilian_deaths_best": best,
                "civilian_deaths_high": best + 2, "source": SCRIPT,
            })  # fmt: skip
    paths = {k: folder / f"{k}.csv" for k in ("incidents", "events", "claims")}
    _write(paths["incidents"], rows)
    _write(paths["events"], [
        {"event_id": "offensive_2021", "date": "2021-01-01", "time_local": "", "event": IMG,
         "kind": "offensive", "source": SCRIPT, "url": "javascript:alert(1)"},
        {"event_id": INTERVENTION, "date": "2021-04-11", "time_local": "06:00", "event": SCRIPT,
         "kind": "ceasefire", "source": LINK, "url": ""},
        {"event_id": "flare_up", "date": "2021-07-20", "time_local": "", "event": HEADING,
         "kind": "escalation", "source": "x", "url": ""},
        {"event_id": "talks", "date": "2021-05-01", "time_local": "", "event": LINK,
         "kind": "agreement", "source": "x", "url": ""},
    ])  # fmt: skip
    _write(paths["claims"], [
        {"id": "K1", "as_of": "2021-06-01", "window_start": INTERVENTION,
         "window_end": "2021-06-01", "region": IMG, "quantity": "civilian deaths", "value": "50",
         "qualifier": "more than", "source": SCRIPT + " " + LINK},
        {"id": "K2", "as_of": "2021-06-01", "window_start": "2021-04-11",
         "window_end": "2021-06-01", "region": "x", "quantity": HEADING, "value": "10",
         "qualifier": "about", "source": HEADING},
    ])  # fmt: skip
    return paths


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

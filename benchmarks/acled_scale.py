"""Scale benchmark: read an N-row ACLED-format CSV and aggregate it to day x admin1 counts.

Usage (from the repository root)::

    python benchmarks/acled_scale.py --rows 1000000            # the issue's target: < 10 s, < 2 GB
    python benchmarks/acled_scale.py --rows 10000000           # 10M rows within 24 GiB
    python benchmarks/acled_scale.py --rows 20000 --smoke      # CI smoke run (seconds)

The file is generated once into ``benchmarks/_work/`` (git-ignored), with the real ACLED column set
and realistic values. Each measurement runs in a fresh Python process so that peak memory (max RSS)
is that of the read + aggregate alone; the time includes parsing, validation and aggregation, not
interpreter start-up or imports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]  # fmt: skip

ADMIN1 = ["Idlib", "Aleppo", "Hama", "Latakia", "Homs", "Damascus", "Rural Damascus", "Deir ez Zor",
          "Raqqa", "Hasakah", "Daraa", "Quneitra", "As-Sweida", "Tartus"]  # fmt: skip
EVENT_TYPES = [
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Violence against civilians", "Attack"),
    ("Battles", "Armed clash"),
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip


def _column(values, n: int) -> np.ndarray:
    """A length-n array of strings from a scalar, array or Series."""
    if isinstance(values, str):
        return np.full(n, values, dtype=object)
    return np.asarray(values, dtype=object).astype(str)


def generate(path: Path, rows: int, seed: int = 0, chunk: int = 500_000) -> None:
    """Write an ``rows``-row ACLED-format CSV (realistic values, the real column set)."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = np.datetime64("2015-01-01")
    writer = None
    with path.open("wb") as fh:
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)
            days = rng.integers(0, 3650, n)
            dates = (start + days.astype("timedelta64[D]")).astype("datetime64[D]")
            dt = pd.DatetimeIndex(dates)
            date_text = (
                pd.Series(dt.day.astype(str))
                + " "
                + pd.Series(np.array(MONTHS)[dt.month - 1])
                + " "
                + pd.Series(dt.year.astype(str))
            )
            et = rng.integers(0, len(EVENT_TYPES), n)
            targeting = np.where((et == 2) | (rng.random(n) < 0.15), "Civilian targeting", "")
            adm = rng.integers(0, len(ADMIN1), n)
            fatalities = rng.negative_binomial(0.5, 0.5 / (0.5 + 1.2), n)
            cols = {
                "event_id_cnty": pd.Series(np.arange(offset, offset + n)).map("SYR{}".format),
                "event_date": date_text,
                "year": dt.year.astype(str),
                "time_precision": rng.integers(1, 4, n).astype(str),
                "disorder_type": np.where(et == 3, "Political violence", "Political violence"),
                "event_type": np.array([e[0] for e in EVENT_TYPES])[et],
                "sub_event_type": np.array([e[1] for e in EVENT_TYPES])[et],
                "actor1": np.where(
                    rng.random(n) < 0.5,
                    "Military Forces of Syria (2000-2024)",
                    "Military Forces of Russia (2000-)",
                ),
                "assoc_actor_1": "",
                "inter1": "8",
                "actor2": np.where(et == 2, "Civilians (Syria)", ""),
                "assoc_actor_2": "",
                "inter2": np.where(et == 2, "7", "0"),
                "interaction": np.where(et == 2, "17", "18"),
                "civilian_targeting": targeting,
                "iso": "760",
                "region": "Middle East",
                "country": "Syria",
                "admin1": np.array(ADMIN1)[adm],
                "admin2": np.array(ADMIN1)[adm],
                "admin3": "",
                "location": np.array(
                    ["Maarat al-Numan", "Khan Shaykhun", "Saraqib", "Ariha", "معرة النعمان"]
                )[rng.integers(0, 5, n)],
                "latitude": np.round(35 + rng.random(n) * 2, 4).astype(str),
                "longitude": np.round(36 + rng.random(n) * 2, 4).astype(str),
                "geo_precision": "1",
                "source": "Syrian Observatory for Human Rights",
                "source_scale": "National",
                "notes": "On this date, warplanes struck the town, killing civilians.",
                "fatalities": fatalities.astype(str),
                "tags": "",
                "timestamp": (1_600_000_000 + rng.integers(0, 10**8, n)).astype(str),
            }
            table = pa.table({k: pa.array(_column(v, n)) for k, v in cols.items()})
            if writer is None:
                writer = pacsv.CSVWriter(fh, table.schema)
            writer.write_table(table)
        if writer is not None:
            writer.close()


def measure_once(path: Path) -> dict:
    """Read + aggregate in this process; returns timings (run in a child process)."""
    import resource

    from trends.ingest.acled import read_acled
    from trends.series import count_series

    t0 = time.perf_counter()
    table, report = read_acled(path)
    t1 = time.perf_counter()
    counts = count_series(table, freq="D", by="admin1", measures=("attacks", "deaths_best"))
    t2 = time.perf_counter()
    return {
        "rows": report.rows_read,
        "accepted": report.accepted,
        "read_s": round(t1 - t0, 3),
        "aggregate_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cells": int(counts.size),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_once(args.child)))
        return {}
    if args.smoke:
        args.rows, args.repeat = min(args.rows, 20_000), 1
    path = WORK / f"acled_{args.rows}.csv"
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s"
        )
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["total_s"])
    median = runs[len(runs) // 2]
    result = {
        "rows": args.rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "median": median,
        "runs": runs,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()

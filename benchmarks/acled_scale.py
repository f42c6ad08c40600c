"""Scale benchmark: read an N-row ACLED-format CSV and aggregate it to daily counts.

Usage (from the repository root)::

    python benchmarks/acled_scale.py --rows 1000000            # the issue's target: < 10 s, < 2 GB
    python benchmarks/acled_scale.py --rows 10000000           # 10M rows within 24 GiB
    python benchmarks/acled_scale.py --rows 20000 --smoke      # CI smoke run (seconds)
    python benchmarks/acled_scale.py --rows 1000000 --compare  # issue 12: trends vs pyarrow+pandas
    python benchmarks/acled_scale.py --compare --baseline /path/to/old/checkout   # also old code

The file is generated once into ``benchmarks/_work/`` (git-ignored), with the real ACLED column set
and realistic values (seeded). Each measurement runs in a fresh Python process so that peak memory
(``ru_maxrss`` of the child: its peak resident set, interpreter and imports included) is that of
the read + aggregate alone; the time includes parsing, validation and aggregation, not
interpreter start-up or imports.

``--compare`` (issue 12) runs, interleaved in rounds, one child per job:

- ``trends``: the package's pipeline for the source, ``get_source("acled").read(path)``
  (``read_acled``: every row validated and accounted for) then ``.to_series(table, report)``
  (``CountSeries.from_incidents``: zero-filled daily attacks and civilian deaths);
- ``reference``: ``pyarrow.csv.read_csv`` of the same columns trends parses (dates, fatalities,
  coordinates and timestamps typed, the text columns as strings) then the equivalent pandas
  groupby by day: attacks (ACLED's political-violence event types) and the fatalities of events
  coded "Civilian targeting";
- ``reference-min`` (information): the same with only the four columns the counts need;
- ``trends-old`` (with ``--baseline DIR``): the trends job importing ``trends`` from ``DIR``.

It checks that trends and the reference give the same daily series, and reports the medians of
the wall times and peaks, and the ratio trends / reference (of the medians, and the median of
the ratios within a round).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
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


ATTACK_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")
#: The columns ``read_acled`` parses (the reference reads the same ones).
TRENDS_COLUMNS = [
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
    "actor2", "interaction", "civilian_targeting", "iso", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "source", "notes", "fatalities", "timestamp",
]  # fmt: skip
MIN_COLUMNS = ["event_date", "event_type", "civilian_targeting", "fatalities"]


def _peak_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _digest(daily: pd.DataFrame) -> str:
    """A fingerprint of a daily (attacks, deaths) table, to check two jobs agree."""
    values = daily[["attacks", "deaths"]].to_numpy(dtype="int64")
    first = pd.Timestamp(daily.index[0]).date().isoformat()
    return hashlib.sha1(first.encode() + values.tobytes()).hexdigest()[:16]


def job_trends(path: Path, root: str | None = None) -> dict:
    """The package's pipeline: read the ACLED export, then its daily count series."""
    if root:
        sys.path.insert(0, root)
    import trends
    from trends.sources import get_source

    start_mb = _peak_mb()
    source = get_source("acled")
    c0 = time.process_time()
    t0 = time.perf_counter()
    table, report = source.read(path)
    t1 = time.perf_counter()
    series = source.to_series(table, report)
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    daily = pd.DataFrame(
        {"attacks": series.counts["attacks"], "deaths": series.counts["deaths_best"]}
    )
    return {
        "read_s": t1 - t0,
        "aggregate_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": cpu,
        "peak_mb": _peak_mb(),
        "imports_mb": start_mb,
        "rows": report.rows_read,
        "accepted": report.accepted,
        "days": len(daily),
        "digest": _digest(daily),
        "trends": str(Path(trends.__file__).parent),
    }


def job_reference(path: Path, columns: list[str]) -> dict:
    """pyarrow read of ``columns`` (typed) + the equivalent pandas groupby by day."""
    start_mb = _peak_mb()
    types = {c: pa.large_string() for c in columns}
    types.update(fatalities=pa.int64(), latitude=pa.float64(), longitude=pa.float64())
    types.update(timestamp=pa.int64(), event_date=pa.timestamp("s"))
    c0 = time.process_time()
    t0 = time.perf_counter()
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            include_columns=columns,
            column_types={c: t for c, t in types.items() if c in columns},
            timestamp_parsers=["%d %B %Y"],
        ),
    )
    frame = table.to_pandas()
    del table
    t1 = time.perf_counter()
    civilian = frame["civilian_targeting"] == "Civilian targeting"
    per_event = pd.DataFrame(
        {
            "date": frame["event_date"],
            "attacks": frame["event_type"].isin(ATTACK_TYPES).astype("int64"),
            "deaths": frame["fatalities"].where(civilian, 0),
        }
    )
    grouped = per_event.groupby("date").sum()
    days = pd.date_range(grouped.index.min(), grouped.index.max(), freq="D")
    daily = grouped.reindex(days, fill_value=0)
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    return {
        "read_s": t1 - t0,
        "aggregate_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": cpu,
        "peak_mb": _peak_mb(),
        "imports_mb": start_mb,
        "rows": len(frame),
        "accepted": len(frame),
        "days": len(daily),
        "digest": _digest(daily),
    }


def _run_child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(values: list[float]) -> float:
    return float(np.median(values))


def compare(path: Path, repeat: int, baseline: str | None) -> dict:
    """Run the jobs interleaved, ``repeat`` rounds; medians, peaks and ratios."""
    jobs = {
        "trends": ["--job", "trends"],
        "reference": ["--job", "reference"],
        "reference-min": ["--job", "reference-min"],
    }
    if baseline:
        jobs["trends-old"] = ["--job", "trends", "--root", baseline]
    runs: dict[str, list[dict]] = {name: [] for name in jobs}
    load = [os.getloadavg()[0]]
    for _ in range(repeat):
        for name, extra in jobs.items():
            runs[name].append(_run_child(["--child", str(path), *extra]))
            load.append(os.getloadavg()[0])
    summary: dict[str, dict] = {}
    for name, rs in runs.items():
        summary[name] = {
            key: round(_median([r[key] for r in rs]), 3)
            for key in ("read_s", "aggregate_s", "total_s", "cpu_s", "peak_mb", "imports_mb")
        }
        summary[name]["max_peak_mb"] = max(r["peak_mb"] for r in rs)
        summary[name]["digest"] = sorted({r["digest"] for r in rs})
        summary[name]["rows"] = rs[0]["rows"]
    ref = summary["reference"]["total_s"]
    ratios = {
        name: {
            "of_medians": round(summary[name]["total_s"] / ref, 2),
            "cpu_of_medians": round(summary[name]["cpu_s"] / summary["reference"]["cpu_s"], 2),
            "median_paired": round(
                _median(
                    [
                        a["total_s"] / b["total_s"]
                        for a, b in zip(rs, runs["reference"], strict=True)
                    ]
                ),
                2,
            ),
        }
        for name, rs in runs.items()
        if name != "reference"
    }
    same = summary["trends"]["digest"] == summary["reference"]["digest"]
    return {
        "rows": summary["trends"]["rows"],
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "repeat": repeat,
        "same_daily_series": same,
        "load_1min": [round(x, 2) for x in load],
        "summary": summary,
        "ratio_to_reference": ratios,
        "runs": runs,
    }


def _child(args: argparse.Namespace) -> dict:
    if args.job == "trends":
        return job_trends(args.child, args.root)
    if args.job == "reference":
        return job_reference(args.child, TRENDS_COLUMNS)
    if args.job == "reference-min":
        return job_reference(args.child, MIN_COLUMNS)
    return measure_once(args.child)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI")
    parser.add_argument("--compare", action="store_true", help="trends vs pyarrow + pandas")
    parser.add_argument("--baseline", help="with --compare: also time trends imported from here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args)))
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
    if args.compare:
        result = compare(path, args.repeat, args.baseline)
        print(json.dumps(result, indent=2))
        return result
    runs = []
    for _ in range(args.repeat):
        runs.append(_run_child(["--child", str(path)]))
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

"""How often the bottom line's interrupted-time-series check backs a change that is not there.

The bottom line (:mod:`trends.verdicts.bottom_line`) counts the ITS for a finding ("agrees")
when its level change or cumulative difference is clear in the finding's direction. The ITS
extrapolates a straight pre-period trend; on a slow wave that trend misfits, and the
straight-line level change then excludes no change in a quarter to a third of series that
have no effect (``calibration_pretrend.py``), while the pre-period check finds only a quarter
of the waves. The rule of the fifth session adds that a clear straight-line finding counts
only when the level change implied by the check's curved pre-period trend
(:attr:`trends.models.pretrend.PreTrendCheck.level_change_curved`) is clear in the same
direction.

Per series (processes of ``dgps.py``, the series of ``calibration_pretrend.py``): the
analysis' own ITS fit (``fit_its(..., inference="latent_ar")``) and pre-period check
(``check_pre_trend(y, baseline=fit)``), turned into bottom-line evidence by the analysis'
adapter, then the real ``_its_check`` for a claimed fall and a claimed rise, with the new
rule (``new``) and without it (``old``: the curved level change left out). Tallied:

- ``agree_any``: the check backs a fall or a rise (without an effect: a false backing);
- ``agree_fall``: it backs a fall (with a -50% change: its power; the truth is a fall);
- ``agree_rise``: it backs a rise (with a -50% change: the wrong direction).

Usage::

    nice -n 10 .venv/bin/python benchmarks/calibration_its_check.py --n 150
    .venv/bin/python benchmarks/calibration_its_check.py --summarise-only
    .venv/bin/python benchmarks/calibration_its_check.py --smoke --out /tmp/x   # seconds
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    WORK,
    benchmark_parser,
    cell_key,
    extend_rows,
    md_table,
    proportion_se,
    smoke_tag,
    write_csv,
)
from calibration_pretrend import DGPS, EFFECTS, LENGTHS, SEED  # noqa: E402  (the same series)
from dgps import simulate  # noqa: E402

COLUMNS = [
    "cell", "dgp", "n_days", "effect", "i", "tested", "flagged",
    "old_fall", "old_rise", "new_fall", "new_rise", "seconds", "error",
]  # fmt: skip


def cells(smoke: bool) -> list[tuple[str, int, str]]:
    """The grid (3 cells for ``--smoke``)."""
    if smoke:
        return [("wave", 120, "none"), ("markov", 120, "-50%"), ("ingarch_0.9", 120, "none")]
    return [(d, n, e) for d in DGPS for n in LENGTHS for e in EFFECTS]


def check_statuses(y: pd.Series, c: int, seed: int) -> dict:
    """The ITS check's status for a claimed fall and rise, with and without the curved rule."""
    from trends.models.its import fit_its
    from trends.models.pretrend import check_pre_trend
    from trends.verdicts import Evidence
    from trends.verdicts.adapter import _its, _pre_trend
    from trends.verdicts.bottom_line import _its_check

    fit = fit_its(y, y.index[c], inference="latent_ar", seed=seed)
    pre = check_pre_trend(y, baseline=fit)
    new = Evidence(outcome="events", measure="events", **_its(fit), **_pre_trend(pre))
    old = replace(new, level_change_curved=None)
    out = {"tested": bool(pre.tested), "flagged": bool(pre.tested and pre.flagged)}
    for name, ev in (("old", old), ("new", new)):
        for side in ("fall", "rise"):
            out[f"{name}_{side}"] = _its_check(ev, side)[0].status == "agrees"
    return out


def run_cell(cell: tuple[str, int, str], indices: list[int], seed: int) -> list[dict]:
    """The checks of series ``indices`` of one cell."""
    dgp, n_days, effect = cell
    dates = pd.date_range("2019-04-26", periods=n_days, freq="D")
    rows = []
    for i in indices:
        s = simulate(dgp, n_days, effect, i, seed)
        y = pd.Series(s.y.astype(float), index=dates, name="events")
        row = {"cell": cell_key(cell), "dgp": dgp, "n_days": n_days, "effect": effect, "i": i}
        t0 = time.perf_counter()
        try:
            row.update(check_statuses(y, s.change_day, i), error="")
        except Exception as exc:  # counted as a failure
            row["error"] = type(exc).__name__
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    return rows


def _share(x: pd.Series) -> str:
    x = x.astype(float)
    n = int(x.notna().sum())
    p = float(x.mean()) if n else float("nan")
    return f"{p:.3f} ({proportion_se(p, n):.3f})"


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and per pooled group: backing rates old / new with MC SE."""
    ok = rows[rows["error"].fillna("") == ""].copy()
    for rule in ("old", "new"):
        ok[f"{rule}_any"] = ok[f"{rule}_fall"].astype(bool) | ok[f"{rule}_rise"].astype(bool)
    groups: list[tuple[str, pd.DataFrame]] = []
    for (dgp, n_days, effect), g in ok.groupby(["dgp", "n_days", "effect"], sort=False):
        groups.append((f"{dgp}, {n_days} days, effect {effect}", g))
    right = ok["dgp"] != "wave"
    for label, mask in (
        ("pooled: wave, no effect", (~right) & (ok["effect"] == "none")),
        ("pooled: wave, -50%", (~right) & (ok["effect"] == "-50%")),
        ("pooled: trend right, no effect", right & (ok["effect"] == "none")),
        ("pooled: trend right, -50%", right & (ok["effect"] == "-50%")),
    ):
        groups.append((label, ok[mask]))
    out = []
    for label, g in groups:
        out.append(
            {
                "group": label,
                "n": len(g),
                "flagged by the check": _share(g["flagged"]),
                "backs a change, old": _share(g["old_any"]),
                "backs a change, new": _share(g["new_any"]),
                "backs a fall, old": _share(g["old_fall"]),
                "backs a fall, new": _share(g["new_fall"]),
                "backs a rise, old": _share(g["old_rise"]),
                "backs a rise, new": _share(g["new_rise"]),
                "median s": f"{g['seconds'].median():.2f}",
            }
        )
    return pd.DataFrame(out)


def write_outputs(rows: pd.DataFrame, out: Path, smoke: bool = False) -> pd.DataFrame:
    """``calibration_its_check{tag}.csv`` and ``.md``: the table (the rows stay in ``--rows``)."""
    tag = smoke_tag(smoke)
    summary = summarise(rows)
    write_csv(summary, out / f"calibration_its_check{tag}.csv")
    failed = int((rows["error"].fillna("") != "").sum())
    text = (
        "# The bottom line's ITS check on slow waves (`calibration_its_check.py`)"
        + (" (SMOKE RUN)" if smoke else "")
        + "\n\n"
        + (__doc__ or "").split("Usage::")[0]
        + "\nCommand: `nice -n 10 .venv/bin/python benchmarks/calibration_its_check.py --n "
        + f"{int(rows.groupby('cell')['i'].count().max())}` (then `--summarise-only`). "
        + f"{len(rows)} series, {failed} failed fits (excluded). Monte Carlo SE in brackets.\n\n"
        + md_table(summary)
        + "\n"
    )
    (out / f"calibration_its_check{tag}.md").write_text(text)
    return summary


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    ap = benchmark_parser(__doc__, n=150, seed=SEED, smoke_help="3 cells, 3 series, to --out")
    ap.add_argument("--rows", type=Path, default=WORK / "calibration_its_check_rows.csv")
    ap.add_argument("--summarise-only", action="store_true")
    ap.add_argument("--deadline", default=None, help="stop starting cells after HH:MM UTC")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    n = 3 if args.smoke else args.n
    rows_path = args.out / "calibration_its_check_rows_smoke.csv" if args.smoke else args.rows
    if not args.summarise_only:
        extend_rows(cells(args.smoke), n, rows_path, run_cell, args.seed,
                    resume=not args.smoke, deadline=args.deadline, columns=COLUMNS)  # fmt: skip
    summary = write_outputs(pd.read_csv(rows_path), args.out, args.smoke)
    print(summary.to_string(index=False))


if __name__ == "__main__":
    main()

"""The change-point search's second start for a shift the dependence factor hides (issue 12).

The tempered search (:mod:`trends.models.changepoint_dependence`) divides the likelihood by a
serial-dependence factor estimated from squared differences. A large shift the search has not
found inflates the factor and hides itself; and the re-estimate inside the segments of a change
that was found could rise above the first estimate and remove that change. Two rules of the
default (tenth session) answer this (:func:`trends.models.changepoint._alternate` and
:mod:`trends.models.changepoint_shift`):

- the factor never rises in the alternation of the search and the estimate;
- when no change is found, a negative binomial model with a latent AR(1) log intensity and a step
  at the best single split tests the step; beyond ``|z| > 4`` the search starts again with the
  factor estimated inside the split's two segments.

Variants, each on the same series:

- ``before``: the ninth session's default, reproduced through the public API: the search with
  the factor from every pair (``dependence=phi``), then, if it found changes, the search with
  the factor re-estimated inside their segments;
- ``now``: ``detect_changepoints`` as it is (the default).

Cells: the strong-dependence grid of :mod:`calibration_changepoint` (245 and 365 days) and
three independent designs written here: ``pois120`` (Poisson, 120 days, 8 a day, the change at
day 60), ``nbweek`` (104 weekly NB counts, mean 20, size 5, the change at week 52) and ``nb4``
(245 NB days, mean 4, size 4, the change at day 127). Effects none, -50% and -75%.

Reported per cell: the detection rate (false detection with no effect), the mean number of
changes, the date-set coverage of the true date (series without a change count as misses), and
the time per search; Monte Carlo SE in brackets.

Usage::

    nice -n 5 .venv/bin/python benchmarks/changepoint_second_start.py --n 300 --seed 20261207
    .venv/bin/python benchmarks/changepoint_second_start.py --smoke --out /tmp/x
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import time  # noqa: E402
import warnings  # noqa: E402
from multiprocessing import Pool  # noqa: E402

import calibration_changepoint as grid  # noqa: E402
import dgps  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    RESULTS,
    benchmark_parser,
    default_jobs,
    md_table,
    proportion_se,
    smoke_tag,
    write_csv,
)

INDEPENDENT = {"pois120": 120, "nbweek": 104, "nb4": 245}
EFFECTS = ("none", "-50%", "-75%")


def independent_series(kind: str, n: int, effect: str, i: int, seed: int) -> tuple[np.ndarray, int]:
    """Series ``i`` of an independent design and its change position."""
    rng = np.random.default_rng(dgps.series_seed(seed, kind, n, effect, i))
    ratio = dgps.EFFECTS[effect]
    if kind == "pois120":
        c = n // 2
        mu = np.full(n, 8.0)
        mu[c:] *= ratio
        return rng.poisson(mu).astype(float), c
    if kind == "nbweek":
        c = n // 2
        mu = np.full(n, 20.0)
        mu[c:] *= ratio
        return dgps._nb(rng, mu, 5.0).astype(float), c
    c = dgps.change_day(n)
    mu = np.full(n, 4.0)
    mu[c:] *= ratio
    return dgps._nb(rng, mu, 4.0).astype(float), c


def cell_series(process: str, n: int, effect: str, i: int, seed: int) -> tuple[np.ndarray, int]:
    """Series ``i`` of any cell."""
    if process in INDEPENDENT:
        return independent_series(process, n, effect, i, seed)
    return grid.series(process, n, effect, i, seed)


def before_search(s: pd.Series, reference) -> object:
    """The ninth session's default search, through the public API."""
    from trends.models.changepoint import detect_changepoints
    from trends.models.changepoint_dependence import estimate_dependence

    y = s.to_numpy(dtype=float)
    phi = estimate_dependence(y)
    first = detect_changepoints(s, reference=reference, dependence=phi.factor)
    if not first.n_changes or phi.method != "estimated":
        return first
    inside = estimate_dependence(y, breaks=first.breaks["position"].to_numpy())
    if inside.method != "estimated" or inside.factor == phi.factor:
        return first
    return detect_changepoints(s, reference=reference, dependence=inside.factor)


def run_cell(process: str, n: int, effect: str, n_series: int, seed: int) -> list[tuple]:
    """Both variants on every series of a cell."""
    from trends.models.changepoint import detect_changepoints

    warnings.simplefilter("ignore")
    index = pd.date_range("2020-01-06", periods=n, freq="W-MON" if process == "nbweek" else "D")
    rows = []
    for i in range(n_series):
        y, c = cell_series(process, n, effect, i, seed)
        s = pd.Series(y, index=index, name="attacks")
        for variant in ("before", "now"):
            t0 = time.perf_counter()
            if variant == "before":
                res = before_search(s, index[c])
            else:
                res = detect_changepoints(s, reference=index[c])
            dt = time.perf_counter() - t0
            cmp_ = res.comparison
            found = cmp_.break_number is not None
            covered = float(cmp_.in_set) if found else 0.0
            rows.append((process, n, effect, i, variant, res.n_changes, found, covered, dt))
    return rows


def _cells(smoke: bool) -> list[tuple[str, int, str]]:
    if smoke:
        return [("pois120", 120, "-50%"), ("preset_theta4", 245, "none")]
    cells = [(p, n, e) for p in grid.PROCESSES for n in grid.LENGTHS for e in EFFECTS]
    return cells + [(p, n, e) for p, n in INDEPENDENT.items() for e in EFFECTS]


def summarise(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: both variants side by side, with Monte Carlo SE."""
    out = []
    for (process, n, effect), g in raw.groupby(["process", "n", "effect"], sort=False):
        row = {"process": process, "periods": n, "effect": effect}
        for variant in ("before", "now"):
            v = g[g["variant"] == variant]
            k = len(v)
            det, cov = float(v["found"].mean()), float(v["covered"].mean())
            row[f"detection {variant}"] = f"{det:.3f} ({proportion_se(det, k):.3f})"
            row[f"changes {variant}"] = round(float(v["n_changes"].mean()), 2)
            row[f"coverage {variant}"] = f"{cov:.3f} ({proportion_se(cov, k):.3f})"
            row[f"ms {variant}"] = round(1000 * float(v["seconds"].median()), 1)
        out.append(row)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the cells, write the CSV and the Markdown table, return the summary."""
    parser = benchmark_parser(__doc__, n=300, seed=20261207, jobs=default_jobs(), out=RESULTS)
    args = parser.parse_args(argv)
    n_series = 2 if args.smoke else args.n
    cells = _cells(args.smoke)
    t0 = time.time()
    with Pool(args.jobs) as pool:
        parts = pool.starmap(run_cell, [(p, n, e, n_series, args.seed) for p, n, e in cells])
    cols = ["process", "n", "effect", "i", "variant", "n_changes", "found", "covered", "seconds"]
    raw = pd.DataFrame([r for part in parts for r in part], columns=cols)
    summ = summarise(raw)
    tag = smoke_tag(args.smoke)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(raw, args.out / f"changepoint_second_start{tag}.csv")
    text = (
        "# The change-point search's second start (issue 12, tenth session)\n\n"
        f"`benchmarks/changepoint_second_start.py --n {n_series} --seed {args.seed}`: "
        f"{n_series} series per cell, {time.time() - t0:.0f} s on {args.jobs} processes. "
        "Detection: at least one change (false detection when effect is none); coverage: the "
        "date set of the change nearest the truth holds it (misses count); ms: median time per "
        "search. Monte Carlo SE in brackets.\n\n" + md_table(summ) + "\n"
    )
    (args.out / f"changepoint_second_start{tag}.md").write_text(text, encoding="utf-8")
    print(text)
    return summ


if __name__ == "__main__":
    main()

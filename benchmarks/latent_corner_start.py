"""The latent-AR ITS with and without its second search from inside the box (issue 12).

:func:`trends.models.latent_ar.fit_its_latent_ar` searches again from a grid-best interior start
when its optimum has a stationary latent sd below ``_CORNER_SD`` (the corner of no latent
variance, where one missing day could flip the fit) and keeps the better optimum. This script
measures what that changes on the cells where the corner is met: the slow wave of
:mod:`calibration_independent` (a pre-period wave the ITS fits as a straight line; there 3-15%
of fits end in the corner; in the Markov, package-preset and INGARCH cells none of 200 did).
For each series the level-change interval is fitted twice, with the second start disabled
(``_CORNER_SD = 0``) and as shipped, and its coverage of the true level ratio compared.

Usage::

    nice -n 5 .venv/bin/python benchmarks/latent_corner_start.py --n 200
    .venv/bin/python benchmarks/latent_corner_start.py --smoke --out /tmp/x
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import time  # noqa: E402
import warnings  # noqa: E402
from multiprocessing import Pool  # noqa: E402

import calibration_independent as independent  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import (  # noqa: E402
    RESULTS,
    WORK,
    benchmark_parser,
    default_jobs,
    md_table,
    proportion_se,
    smoke_tag,
    write_csv,
)

import trends.models.latent_ar as latent  # noqa: E402

CELLS = [("wave", days, effect) for days in (245, 365) for effect in ("none", "-50%")]
#: ``_CORNER_SD`` of each variant: 0 disables the second start.
VARIANTS = {"one start": 0.0, "second start (default)": latent._CORNER_SD}


def fit_one(task: tuple) -> dict:
    """One series of one cell fitted with one variant."""
    cell, i, seed, variant = task
    latent._CORNER_SD = VARIANTS[variant]
    _, y, c, truths = next(independent.cell_series(cell, [i], seed))
    row = {"cell": str(cell), "i": i, "variant": variant, "covered": np.nan, "width": np.nan,
           "second": None, "error": ""}  # fmt: skip
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = latent.fit_its_latent_ar(y, y.index[c])
        level = fit.rate_ratio("level[i1]")
    except Exception as exc:  # counted as a failure
        row["error"] = type(exc).__name__
        return row
    row.update(covered=float(level.ci_low <= truths[0] <= level.ci_high),
               width=level.ci_high / level.ci_low, second=fit.info.get("second_start"))  # fmt: skip
    return row


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Coverage with its Monte Carlo SE, median width ratio and second starts kept."""
    out = []
    for (cell, variant), g0 in rows.groupby(["cell", "variant"], sort=False):
        g = g0[g0["error"].eq("")]
        cov = float(g["covered"].mean())
        out.append({"cell": cell, "variant": variant, "n": len(g), "failed": len(g0) - len(g),
                    "coverage": cov, "mcse": proportion_se(cov, len(g)),
                    "median width (upper/lower)": float(g["width"].median()),
                    "second start kept": int((g["second"] == "kept").sum())})  # fmt: skip
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    ap = benchmark_parser(__doc__, n=200, seed=20261202, jobs=default_jobs())
    args = ap.parse_args(argv)
    cells, n = (CELLS[:1], 2) if args.smoke else (CELLS, args.n)
    tasks = [(cell, i, args.seed, v) for cell in cells for i in range(n) for v in VARIANTS]
    t0 = time.perf_counter()
    with Pool(args.jobs) as pool:
        rows = pd.DataFrame(pool.map(fit_one, tasks, chunksize=8))
    summary = summarise(rows)
    tag = smoke_tag(args.smoke)
    rows_dir = WORK if args.out == RESULTS else args.out  # the rows stay out of git
    rows_dir.mkdir(parents=True, exist_ok=True)
    write_csv(rows, rows_dir / f"latent_corner_start_rows{tag}.csv")
    write_csv(summary, args.out / f"latent_corner_start{tag}.csv")
    head = "# Latent-AR ITS: the second start from inside the box" + (
        " (SMOKE RUN)" if args.smoke else ""
    )
    cmd = f"python benchmarks/latent_corner_start.py --n {n}"
    text = (
        f"{head}\n\nCommand: `{cmd}` ({len(rows)} fits, "
        f"{time.perf_counter() - t0:.0f} s). See the script's docstring.\n\n{md_table(summary)}\n"
    )
    (args.out / f"latent_corner_start{tag}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

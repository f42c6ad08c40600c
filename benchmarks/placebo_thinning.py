"""The placebo test with its fake dates thinned to at most 200 (issue 12, eighth session).

:func:`trends.models.placebo.placebo_test` fits at most ``MAX_PLACEBO_DATES`` (200) fake dates,
evenly spaced over the admissible ones. This script measures, side by side in one run, what
that changes on long series where it applies:

- **agreement**: on ``--n`` simulated daily series of ``--days`` days (negative-binomial counts
  given a latent AR(1) log intensity, written here; no effect, or x0.5 from the intervention at
  two thirds of the series) the two-sided empirical p-value with every admissible date and with
  the thinned dates (GLM inference, batched fits); reported: the largest absolute difference,
  the median, and how often the two disagree about p < 0.05;
- **time**: on ``--time-n`` of those series, the latent-AR placebo (the default on daily series)
  timed with every date and thinned, in the same process; the ratio is the result (the machines
  are shared and noisy: absolute seconds are not).

Usage::

    nice -n 5 .venv/bin/python benchmarks/placebo_thinning.py --n 200 --days 730 --time-n 2
    .venv/bin/python benchmarks/placebo_thinning.py --smoke --out /tmp/x
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import benchmark_parser, daily_index, md_table, smoke_tag, write_csv  # noqa: E402

from trends.errors import ModelWarning  # noqa: E402
from trends.models.its import fit_its  # noqa: E402
from trends.models.placebo import placebo_test  # noqa: E402


def draw(i: int, days: int, effect: float, seed: int) -> tuple[pd.Series, int]:
    """A daily series with a latent AR(1) intensity (AR 0.8, sd 0.4), mean 4 a day before."""
    rng = np.random.default_rng([seed, i, int(effect * 100)])
    z = np.empty(days)
    z[0] = rng.normal(0, 0.4)
    for t in range(1, days):
        z[t] = 0.8 * z[t - 1] + rng.normal(0, 0.4 * np.sqrt(1 - 0.8**2))
    at = 2 * days // 3
    mean = 4.0 * np.exp(z - 0.08) * np.where(np.arange(days) >= at, effect, 1.0)
    counts = rng.negative_binomial(4.0, 4.0 / (4.0 + mean)).astype(float)
    return pd.Series(counts, index=daily_index(days), name="events"), at


def _placebo(series: pd.Series, at: int, inference: str, max_dates: int | None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        its = fit_its(series, series.index[at], slope_change=False, inference=inference)
        t0 = time.perf_counter()
        res = placebo_test(series, its, max_dates=max_dates)
    return res, time.perf_counter() - t0


def agreement(n: int, days: int, seed: int) -> pd.DataFrame:
    """p-values with every date and thinned, GLM inference, ``n`` series per effect."""
    rows = []
    for effect in (1.0, 0.5):
        for i in range(n):
            y, at = draw(i, days, effect, seed)
            full, _ = _placebo(y, at, "glm", None)
            thin, _ = _placebo(y, at, "glm", 200)
            rows.append({"effect": effect, "i": i, "admissible": full.n_placebos,
                         "fitted": thin.n_placebos, "p_full": full.p_value,
                         "p_thin": thin.p_value})  # fmt: skip
    return pd.DataFrame(rows)


def timing(n: int, days: int, seed: int, inference: str = "latent_ar") -> pd.DataFrame:
    """Placebo seconds with every date and thinned, same series, same process."""
    rows = []
    for i in range(n):
        y, at = draw(i, days, 1.0, seed)
        full, t_full = _placebo(y, at, inference, None)
        thin, t_thin = _placebo(y, at, inference, 200)
        rows.append({"i": i, "admissible": full.n_placebos, "fitted": thin.n_placebos,
                     "seconds_full": t_full, "seconds_thin": t_thin,
                     "time_ratio": t_thin / t_full, "p_full": full.p_value,
                     "p_thin": thin.p_value})  # fmt: skip
    return pd.DataFrame(rows)


def summarise(agree: pd.DataFrame) -> pd.DataFrame:
    out = []
    for effect, g in agree.groupby("effect"):
        d = (g["p_thin"] - g["p_full"]).abs()
        out.append({"effect": "none" if effect == 1.0 else f"x{effect}", "n": len(g),
                    "median admissible": float(g["admissible"].median()),
                    "max abs p difference": float(d.max()),
                    "median abs p difference": float(d.median()),
                    "disagree at 0.05": int(((g["p_thin"] < 0.05) != (g["p_full"] < 0.05)).sum()),
                    "p < 0.05 (every date)": float((g["p_full"] < 0.05).mean()),
                    "p < 0.05 (thinned)": float((g["p_thin"] < 0.05).mean())})  # fmt: skip
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    ap = benchmark_parser(__doc__, n=200, seed=20261203)
    ap.add_argument("--days", type=int, default=730, help="days per series")
    ap.add_argument("--time-n", type=int, default=2, help="series timed with the latent AR")
    args = ap.parse_args(argv)
    n, days, time_n = (2, 450, 1) if args.smoke else (args.n, args.days, args.time_n)
    t0 = time.perf_counter()
    agree = agreement(n, days, args.seed)
    inference = "glm" if args.smoke else "latent_ar"  # the smoke run times the fast path
    timed = timing(time_n, days, args.seed, inference) if time_n else pd.DataFrame()
    summary = summarise(agree)
    tag = smoke_tag(args.smoke)
    write_csv(summary, args.out / f"placebo_thinning{tag}.csv")
    if len(timed):
        write_csv(timed, args.out / f"placebo_thinning_time{tag}.csv")
    head = "# Placebo fake dates thinned to 200" + (" (SMOKE RUN)" if args.smoke else "")
    cmd = f"python benchmarks/placebo_thinning.py --n {n} --days {days} --time-n {time_n}"
    text = (
        f"{head}\n\nCommand: `{cmd}` ({time.perf_counter() - t0:.0f} s). See the script's "
        f"docstring.\n\n## Agreement of the p-values (GLM inference)\n\n{md_table(summary)}\n"
        + (
            f"\n## Placebo time ({inference} inference), same series\n\n{md_table(timed)}\n"
            if len(timed)
            else ""
        )
    )
    (args.out / f"placebo_thinning{tag}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

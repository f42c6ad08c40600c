"""The serial-dependence factor of the change-point search on independent and dependent series.

:func:`trends.models.changepoint_dependence.estimate_dependence` (no change in the series) on
seeded series of each process and length; per cell: the share of factors above 1, 2, 5 and 10,
quantiles, and the median fitted decay ``p``. Processes:

- ``poisson``: independent Poisson(5); ``nb2`` / ``nb1``: independent NB(mean 5, size 2 / 1);
- ``ar0.5`` / ``ar0.7`` / ``ar0.9``: the package simulator
  (:func:`trends.simulate.simulate_many`), 4 a day, latent AR(1) log intensity with that
  coefficient and innovation sd 0.35, NB size 4 (``ar0.7`` is the ``idlib_2019`` dynamics);
- ``ingarch0.7`` / ``ingarch0.9``: :mod:`benchmarks.dgps` (self-exciting NB-INGARCH(1,1)).

``truth``: the count-scale ``1 + 2 sum rho_k`` of the process (sample autocorrelations summed to lag
200, mean over 8 series of 50 000 days; 1 for independent processes).

Usage (from the repository root)::

    nice -n 10 .venv/bin/python benchmarks/dependence_null.py --n 2000
    .venv/bin/python benchmarks/dependence_null.py --smoke   # seconds

Seeded (``--seed``): series ``i`` of a cell has the generator of child ``i`` of
``SeedSequence([seed, crc32(process), n_days])``.
"""

from __future__ import annotations

from _common import pin_blas_threads, use_checkout

pin_blas_threads()
use_checkout()

import sys  # noqa: E402
import zlib  # noqa: E402

import dgps  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import benchmark_parser, share_with_se  # noqa: E402

PROCESSES = ("poisson", "nb2", "nb1", "ar0.5", "ar0.7", "ar0.9", "ingarch0.7", "ingarch0.9")
LENGTHS = (60, 111, 245, 365)


def draw(process: str, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """One series of ``process`` (module docstring) of ``n_days`` days, no change."""
    if process == "poisson":
        return rng.poisson(5.0, n_days).astype(float)
    if process in ("nb1", "nb2"):
        size = float(process[2:])
        return rng.poisson(rng.gamma(size, 5.0 / size, n_days)).astype(float)
    if process.startswith("ar"):
        from trends.simulate import simulate_many

        batch = simulate_many(
            1, n_days, base_rate=4.0, ar_coef=float(process[2:]), ar_sd=0.35, dispersion=4.0,
            seed=int(rng.integers(2**62)), output="batch",
        )  # fmt: skip
        return batch.attacks[0].astype(float)
    a, b = {"ingarch0.7": (0.3, 0.4), "ingarch0.9": (0.35, 0.55)}[process]
    return dgps.ingarch(n_days, 1.0, rng, a=a, b=b).y.astype(float)


def truth(process: str) -> float:
    """Count-scale ``1 + 2 sum rho_k`` from one long series (1 for independent processes)."""
    if process in ("poisson", "nb1", "nb2"):
        return 1.0
    rng = np.random.default_rng(1)
    sums = []
    for _ in range(8):
        y = draw(process, 50_000, rng)
        y = y - y.mean()
        g0 = float(y @ y)
        sums.append(1.0 + 2.0 * sum(float(y[k:] @ y[:-k]) / g0 for k in range(1, 201)))
    return float(np.mean(sums))


def run(n: int, seed: int, processes, lengths) -> pd.DataFrame:
    """One row per process and length."""
    from trends.models.changepoint_dependence import estimate_dependence

    rows = []
    for proc in processes:
        tr = truth(proc)
        for nd in lengths:
            ss = np.random.SeedSequence([seed, zlib.crc32(proc.encode()), nd])
            phi, pp = np.empty(n), np.empty(n)
            for i, child in enumerate(ss.spawn(n)):
                est = estimate_dependence(draw(proc, nd, np.random.default_rng(child)))
                phi[i], pp[i] = est.factor, est.persistence
            row = {"process": proc, "n_days": nd, "n": n, "truth": tr}
            for t in (1, 2, 5, 10):
                row[f"gt{t}"], row[f"gt{t}_se"] = share_with_se((phi > t).astype(float))
            for q in (0.5, 0.9, 0.95, 0.99):
                row[f"q{int(q * 100)}"] = float(np.quantile(phi, q))
            row["mean"] = float(phi.mean())
            row["median_p"] = float(np.nanmedian(pp))
            rows.append(row)
            print(
                f"{proc} {nd}: >1 {row['gt1']:.3f} >2 {row['gt2']:.3f} >5 {row['gt5']:.3f} "
                f">10 {row['gt10']:.3f} q50 {row['q50']:.2f} q90 {row['q90']:.2f} "
                f"q99 {row['q99']:.2f} mean {row['mean']:.2f} truth {tr:.2f}",
                flush=True,
            )
    return pd.DataFrame(rows)


def markdown(t: pd.DataFrame) -> str:
    """The table."""
    lines = [
        "| process | days | truth | > 1 | > 2 | > 5 | > 10 | median | q90 | q95 | q99 | mean |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in t.itertuples(index=False):
        sh = " | ".join(
            f"{getattr(r, f'gt{k}'):.3f} ({getattr(r, f'gt{k}_se'):.3f})" for k in (1, 2, 5, 10)
        )
        lines.append(
            f"| {r.process} | {r.n_days} | {r.truth:.2f} | {sh} | {r.q50:.2f} | {r.q90:.2f} "
            f"| {r.q95:.2f} | {r.q99:.2f} | {r.mean:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the grid and print (and write) the table."""
    ap = benchmark_parser(
        __doc__, n=2000, seed=20261208, out=None,
        out_help="folder for dependence_null.csv and .md (default: print only)",
        smoke_help="20 series of poisson and ar0.7 at 111 days (seconds)",
    )  # fmt: skip
    ap.add_argument("--processes", nargs="*", default=list(PROCESSES))
    ap.add_argument("--lengths", nargs="*", type=int, default=list(LENGTHS))
    args = ap.parse_args(argv)
    if args.smoke:
        args.n, args.processes, args.lengths = 20, ["poisson", "ar0.7"], [111]
    t = run(args.n, args.seed, args.processes, args.lengths)
    md = markdown(t)
    print(md)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        t.to_csv(args.out / "dependence_null.csv", index=False)
        (args.out / "dependence_null.md").write_text(
            "`benchmarks/dependence_null.py " + " ".join(sys.argv[1:]) + "`\n\n" + md
        )
    return t


if __name__ == "__main__":
    main()

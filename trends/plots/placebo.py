"""In-time placebo chart: the real level change against the changes found at fake dates.

A histogram of the placebo rate ratios (one per admissible fake intervention date in the
pre-intervention period) on a log axis, the real estimate as a labelled line with the empirical
p-value, and "no change" (rate ratio 1) as a reference. Every number comes from
:class:`trends.models.placebo.PlaceboResult`; the bins only group the placebo estimates for display.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from trends.plots.its import measure_style
from trends.plots.style import (
    COLORS,
    add_footer,
    attach_data,
    house_legend,
    new_figure,
    place_title,
)
from trends.verdicts.words import fmt_date, fmt_p, placebo_rank

__all__ = ["plot_placebo", "PLACEBO_PANELS"]

#: Names of the panels recorded with :func:`~trends.plots.style.attach_data`.
PLACEBO_PANELS = ("placebo", "real")

_FAMILY = {"negbin": "negative binomial", "poisson": "Poisson", "quasipoisson": "quasi-Poisson"}


def _rank_text(p: float, n: int, statistic: str = "raw") -> str:
    """ "larger than all 96 placebo estimates" (the rank implied by the p-value)."""
    k = placebo_rank(p, n)
    rel = ",\nrelative to their standard errors" if statistic == "studentised" else ""
    if k == 0:
        return f"larger than all {n} placebo estimates{rel}"
    if k >= n:
        return f"no larger than any of the {n} placebo estimates{rel}"
    return f"larger than {n - k} of {n} placebo estimates{rel}"


def _fmt_p(p: float) -> str:
    return fmt_p(p)


def _fmt_ratio(x: float, _pos=None) -> str:
    if x >= 1:
        return f"{x:g}"
    return f"{x:.2g}"


def plot_placebo(
    result,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Histogram of placebo rate ratios on a log axis with the real estimate marked.

    Parameters
    ----------
    result : PlaceboResult
        From :func:`trends.models.placebo.placebo_test`.
    ax : Axes, optional
        Draw on it (no figure title or footer unless ``title`` / ``source`` are given).
    title : str, optional
        Figure title (default: "Placebo test: <outcome>").
    source : str, optional
        Data source named in the footer.

    Returns
    -------
    Axes

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"placebo"`` (``log_rr`` =
    ``result.placebo_log_rr`` and its ``rate_ratio``, by fake date) and ``"real"`` (one row:
    ``real_log_rr``, ``real_rate_ratio``, ``p_value``, ``p_value_one_sided``, ``n_placebos``).
    """
    own = ax is None
    if own:
        fig, ax = new_figure(1)
    else:
        fig = ax.figure
    label, color = measure_style(getattr(result, "outcome", None))
    log_rr = result.placebo_log_rr.astype(float)
    rr = np.exp(log_rr)
    attach_data(fig, "placebo", pd.DataFrame({"log_rr": log_rr, "rate_ratio": rr}))
    real_rr = float(result.real_rate_ratio)
    attach_data(
        fig,
        "real",
        pd.DataFrame(
            [
                {
                    "real_log_rr": float(result.real_log_rr),
                    "real_rate_ratio": real_rr,
                    "p_value": float(result.p_value),
                    "p_value_one_sided": float(result.p_value_one_sided),
                    "n_placebos": int(result.n_placebos),
                }
            ]
        ),
    )
    valid = rr.dropna().to_numpy()
    n = int(result.n_placebos)
    if valid.size:
        lo, hi = float(valid.min()), float(valid.max())
        if hi <= lo * 1.0001:
            lo, hi = lo / 1.1, hi * 1.1
        edges = np.geomspace(lo, hi, max(8, min(30, int(np.sqrt(valid.size) * 2))) + 1)
        ax.hist(
            valid,
            bins=edges,
            color=color,
            alpha=0.55,
            edgecolor="white",
            lw=0.6,
            zorder=2,
            label=f"Level change at {n} fake dates",
        )
    else:
        ax.text(
            0.5,
            0.5,
            "No admissible fake date",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#555555",
        )
    ax.set_xscale("log")
    ax.axvline(1.0, color="#777777", lw=0.9, ls=":", zorder=1, label="No change (ratio 1)")
    ax.axvline(real_rr, color=COLORS["fit"], lw=2.0, zorder=3, label="Real intervention")
    xs = np.r_[valid, real_rr, 1.0]
    ax.set_xlim(xs.min() / 1.6, xs.max() * 1.6)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(_fmt_ratio))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ymax = ax.get_ylim()[1]
    ax.set_ylim(0, ymax * 1.3)
    # the real estimate's label sits on the side of its line with more room
    mid = np.sqrt(ax.get_xlim()[0] * ax.get_xlim()[1])
    right = real_rr < mid
    ax.annotate(
        f"Real: rate ratio {real_rr:.2f}\n{_rank_text(result.p_value, n, getattr(result, 'statistic', 'raw'))}\n"
        f"{_fmt_p(result.p_value)} (two-sided; smallest attainable 1/{n + 1})",
        (real_rr, 0.97),
        xycoords=ax.get_xaxis_transform(),
        xytext=(5 if right else -5, 0),
        textcoords="offset points",
        ha="left" if right else "right",
        va="top",
        fontsize=8.5,
        color=COLORS["fit"],
        fontweight="bold",
        zorder=5,
    )
    ax.set_xlabel("level change at the date (rate ratio, log scale)")
    ax.set_ylabel("number of fake dates")
    ax.yaxis.get_major_locator().set_params(integer=True)
    house_legend(ax, loc="upper right" if right else "upper left", fontsize=8)
    if valid.size:
        fake = pd.DatetimeIndex(result.placebo_log_rr.dropna().index)
        note = (
            f"Fake intervention dates: every admissible date from {fmt_date(fake.min())} to "
            f"{fmt_date(fake.max())} in the pre-intervention period; same model "
            f"({_FAMILY.get(getattr(result, 'family', ''), 'count')}) as the real fit."
        )
    else:
        note = None
    if own:
        fig.tight_layout()
        add_footer(fig, source, note=note)
        place_title(
            fig,
            title or f"Placebo test: {label}",
            "Is the real level change unusual among the changes the same model finds at fake "
            "dates before the intervention, when nothing happened?",
        )
    elif title or source:
        add_footer(fig, source, note=note)
        place_title(fig, title)
    return ax

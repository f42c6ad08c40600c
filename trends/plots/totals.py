"""Two published totals as two rates per day, each with its interval, and their ratio.

The chart of ``trends compare``: it draws the numbers it is given (the two rates and their exact
Poisson intervals, computed upstream by :mod:`trends.report.totals`) and the rate ratio with its
interval from the :class:`~trends.models.totals.TotalsComparison`. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trends.plots.style import COLORS, add_footer, attach_data, new_figure, place_title

__all__ = ["plot_totals"]


def plot_totals(
    rates: pd.DataFrame,
    *,
    ratio: Sequence[float] | None = None,
    measure: str = "events",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
):
    """Two rates per day as points with their intervals (and the ratio in the subtitle).

    Parameters
    ----------
    rates : DataFrame
        One row per period (index: the period's name, "before" and "after"), columns ``rate``,
        ``ci_low``, ``ci_high``, ``count`` and ``days``.
    ratio : (estimate, ci_low, ci_high), optional
        The rate ratio after/before and its interval, written under the title.
    measure : str
        What was counted, in words (axis label).
    title, source, note : str, optional
        Title, footer source and footer note.

    Returns
    -------
    (Figure, Axes)
    """
    fig, ax = new_figure(1, height=3.6)
    y = list(range(len(rates)))[::-1]
    colors = [COLORS.get("attacks", "#0072B2"), COLORS.get("deaths", "#D55E00")]
    for i, (_, row) in enumerate(rates.iterrows()):
        color = colors[i % len(colors)]
        ax.errorbar(
            [row["rate"]],
            [y[i]],
            xerr=[[row["rate"] - row["ci_low"]], [row["ci_high"] - row["rate"]]],
            fmt="o",
            color=color,
            capsize=5,
            lw=2,
            ms=8,
        )
        ax.annotate(
            f"{int(row['count']):,} in {row['days']:g} days: {row['rate']:.2f} a day",
            (row["ci_high"], y[i]),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(y)
    ax.set_yticklabels([str(n) for n in rates.index])
    ax.set_ylim(min(y) - 0.7, max(y) + 0.7)
    ax.set_xlim(0, float(rates["ci_high"].max()) * 1.6)
    ax.set_xlabel(f"{measure} per day (95% interval, exact Poisson)")
    attach_data(fig, "rates", rates)
    fig.tight_layout()
    subtitle = None
    if ratio is not None:
        est, lo, hi = ratio
        subtitle = f"Rate ratio after/before {est:.3f} (95% CI {lo:.3f} to {hi:.3f})."
    add_footer(fig, source, note=note)
    place_title(fig, title, subtitle)
    return fig, ax

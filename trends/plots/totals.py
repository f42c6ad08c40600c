"""Two published totals as two rates per day, each with its interval, and their ratio.

The chart of ``trends compare``: it draws the numbers it is given (the two rates with their
exact Poisson intervals, from ``TotalsComparison.rates()``, and the rate ratio with its interval).
:func:`plot_totals_comparison` is the chart of the result itself (``result.plot()``): it reads
the rates from ``result.rates()`` and draws them with :func:`plot_totals`. Nothing is computed
here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes

from trends.plots.style import COLORS, add_footer, attach_data, new_figure, place_title
from trends.verdicts.words import fmt_estimate, fmt_ratio, fmt_sig

__all__ = ["plot_totals", "plot_totals_comparison"]


def _ratio_text(est: float, lo: float, hi: float, *, level: int) -> str:
    """The rate ratio with its interval, or what it is when a total is zero."""
    if math.isnan(est):
        return "Rate ratio after/before not estimable: no events in either period."
    if math.isinf(est):
        return (
            f"Rate ratio after/before unbounded above (none before): at least {fmt_ratio(lo)} "
            f"({level}% lower limit)."
        )
    return (
        f"Rate ratio after/before {fmt_estimate(est, lo, hi)} ({level}% CI {fmt_ratio(lo)} to "
        f"{fmt_ratio(hi)})."
    )


def plot_totals(
    rates: pd.DataFrame,
    *,
    ratio: Sequence[float] | None = None,
    measure: str = "events",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
    level: int = 95,
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
    ax : Axes, optional
        Draw on it (no figure title or footer unless ``title`` / ``source`` are given).
    level : int, default 95
        Confidence level of the intervals, in per cent (axis label and subtitle).

    Returns
    -------
    (Figure, Axes)
    """
    own = ax is None
    fig, ax = new_figure(1, height=3.6) if own else (ax.figure, ax)
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
            f"{int(row['count']):,} in {row['days']:g} days: {fmt_sig(row['rate'])} a day",
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
    ax.set_xlabel(f"{measure} per day ({level}% interval, exact Poisson)")
    attach_data(fig, "rates", rates)
    subtitle = None
    if ratio is not None:
        subtitle = _ratio_text(*ratio, level=level)
    if own:
        fig.tight_layout()
    if own or title or source:
        add_footer(fig, source, note=note)
        place_title(fig, title, subtitle)
    return fig, ax


def plot_totals_comparison(
    result,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Axes:
    """The chart of a :class:`~trends.models.totals.TotalsComparison`: :func:`plot_totals` of
    its two totals' rates with their exact intervals, and its rate ratio.

    Parameters
    ----------
    result : TotalsComparison
        From :func:`trends.models.totals.compare_totals`.
    ax : Axes, optional
        Draw on it (no figure title or footer unless ``title`` / ``source`` are given).
    title : str, optional
        Figure title (default: "Two published totals: <measure> per day").
    source : str, optional
        Where the totals were published (footer).
    note : str, optional
        Footer note (default: what the intervals assume).

    Returns
    -------
    Axes

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"rates"`` (index
    ``before``, ``after``: ``count``, ``days``, ``rate`` and ``ci_low`` / ``ci_high``, as
    ``result.rates()`` gives them) and ``"ratio"`` (one row: ``estimate``,
    ``ci_low``, ``ci_high``, ``p_value`` of the result).
    """
    rates = result.rates()
    level = round((1.0 - float(result.alpha)) * 100)
    fig, ax = plot_totals(
        rates,
        ratio=(result.estimate, result.ci_low, result.ci_high),
        measure=result.measure,
        title=title or (f"Two published totals: {result.measure} per day" if ax is None else None),
        source=source,
        note=note or "Intervals assume independent Poisson days.",
        ax=ax,
        level=level,
    )
    ratio = {"estimate": result.estimate, "ci_low": result.ci_low, "ci_high": result.ci_high,
             "p_value": result.p_value}  # fmt: skip
    attach_data(fig, "ratio", pd.DataFrame([ratio], index=pd.Index(["after/before"])))
    return ax

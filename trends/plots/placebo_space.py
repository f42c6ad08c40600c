"""In-space placebo chart: the target unit's level change among the other units' changes.

One row per unit (sorted by the test's statistic), the target highlighted: with
``statistic="studentised"`` the level change over its standard error (``t``), with ``"raw"``
the level change as a rate ratio on a log axis. The units whose statistic is at least as large
in size as the target's (those the empirical p-value counts) are coloured, and the target's
size is marked on both sides of "no change". Every number comes from
:class:`trends.models.placebo_space.SpacePlaceboResult`; nothing is estimated here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from trends.plots.style import (
    COLORS,
    PALETTE,
    add_footer,
    attach_data,
    house_legend,
    new_figure,
    place_title,
)
from trends.verdicts.words import fmt_p, fmt_ratio, plural

__all__ = ["SPACE_PLACEBO_PANELS", "plot_space_placebo"]

#: Names of the panels recorded with :func:`~trends.plots.style.attach_data`.
SPACE_PLACEBO_PANELS = ("units", "target")


def _values(result) -> tuple[pd.Series, float, bool]:
    """The statistic drawn for each other unit, the target's, and whether the axis is log."""
    if result.statistic == "studentised":
        return result.units["t"].astype(float), float(result.real_t), False
    return result.units["rate_ratio"].astype(float), float(result.real_rate_ratio), True


def _mirror(value: float, log: bool) -> float:
    """The value as large in size on the other side of no change (0, or 1 on a log axis)."""
    return 1.0 / value if log else -value


def _frames(result, drawn: pd.Series, as_large: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The numbers recorded: the units' (as the result holds them) and the target's."""
    cols = [c for c in ("log_rr", "se", "t", "rate_ratio", "events") if c in result.units]
    units = result.units[cols].astype(float).assign(drawn=drawn, as_large=as_large)
    target = pd.DataFrame(
        [
            {
                "log_rr": float(result.real_log_rr),
                "se": float(result.real_se),
                "t": float(result.real_t),
                "rate_ratio": float(result.real_rate_ratio),
                "p_value": float(result.p_value),
                "p_value_one_sided": float(result.p_value_one_sided),
                "n_units": int(result.n_units),
                "n_as_large": int(result.n_as_large),
            }
        ],
        index=pd.Index([str(result.target)], name="unit"),
    )
    return units, target


def plot_space_placebo(
    result,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Dot chart of the other units' level changes with the target's marked.

    Parameters
    ----------
    result : SpacePlaceboResult
        From :func:`trends.models.placebo_space.placebo_in_space`.
    ax : Axes, optional
        Draw on it (no figure title or footer unless ``title`` / ``source`` are given).
    title : str, optional
        Figure title (default: "In-space placebo test: <target>").
    source : str, optional
        Data source named in the footer.

    Returns
    -------
    Axes

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"units"`` (the result's
    ``units`` columns, the statistic ``drawn`` and ``as_large``: whether its size reaches the
    target's) and ``"target"`` (one row: ``log_rr``, ``se``, ``t``, ``rate_ratio``,
    ``p_value``, ``p_value_one_sided``, ``n_units``, ``n_as_large``).
    """
    values, real, log = _values(result)
    n = len(values)
    own = ax is None
    fig, ax = new_figure(1, height=max(3.6, 1.6 + 0.26 * (n + 1))) if own else (ax.figure, ax)
    centre = 1.0 if log else 0.0
    size = (lambda v: np.abs(np.log(v))) if log else np.abs
    as_large = np.asarray(size(values.to_numpy()) >= size(real), dtype=bool)
    units, target = _frames(result, values, as_large)
    attach_data(fig, "units", units)
    attach_data(fig, "target", target)
    rows = pd.concat([values, pd.Series([real], index=[str(result.target)])]).sort_values()
    y = np.arange(len(rows))
    is_target = np.asarray(rows.index == str(result.target)) & np.isclose(rows.to_numpy(), real)
    big = dict(zip(values.index.astype(str), as_large, strict=True))
    colors = [
        COLORS["fit"] if t else PALETTE["vermillion"] if big.get(str(k)) else PALETTE["sky"]
        for k, t in zip(rows.index, is_target, strict=True)
    ]
    ax.hlines(y, centre, rows.to_numpy(), color="#CCCCCC", lw=0.8, zorder=1)
    ax.scatter(rows.to_numpy(), y, c=colors, s=[70 if t else 36 for t in is_target], zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels([str(k) for k in rows.index])
    for tick, t in zip(ax.get_yticklabels(), is_target, strict=True):
        tick.set_fontweight("bold" if t else "normal")
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}" if x >= 1 else f"{x:.2g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(centre, color="#777777", lw=0.9, ls=":", zorder=0, label="No change")
    if math.isfinite(real) and real != centre:
        for edge in (real, _mirror(real, log)):
            ax.axvline(edge, color=COLORS["fit"], lw=1.0, ls="--", zorder=0)
        ax.plot(
            [],
            [],
            color=COLORS["fit"],
            lw=1.0,
            ls="--",
            label=f"As large as {result.target}, either way",
        )
    ax.scatter([], [], c=PALETTE["vermillion"], s=36, label="At least as large in size")
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_xlabel(
        "level change over its standard error (t)"
        if not log
        else "level change at the date (rate ratio, log scale)"
    )
    ax.grid(axis="y", visible=False)
    house_legend(ax, loc="lower right", fontsize=8)
    if n == 0:
        ax.text(0.5, 0.5, "No other unit could be fitted", transform=ax.transAxes,
                ha="center", va="center", color="#555555")  # fmt: skip
    subtitle = (
        f"{result.target}: rate ratio {fmt_ratio(result.real_rate_ratio)}; "
        f"{int(result.n_as_large)} of {plural(n, 'other unit')} at least as large in size; "
        f"{fmt_p(result.p_value)} (two-sided; smallest attainable 1/{n + 1})."
    )
    note = None
    if result.failed:
        note = f"{plural(len(result.failed), 'unit')} could not be fitted: " + ", ".join(
            sorted(map(str, result.failed))
        )
    if own:
        fig.tight_layout()
        add_footer(fig, source, note=note)
        place_title(fig, title or f"In-space placebo test: {result.target}", subtitle)
    elif title or source:
        add_footer(fig, source, note=note)
        place_title(fig, title, subtitle)
    return ax

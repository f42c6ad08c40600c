"""Chart of a change-date set: the statistic of every possible start date, its critical value
and the dates in the set (:class:`trends.models.changepoint_dateset.ChangeDateSet`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from trends.plots.style import COLORS, attach_data, house_legend, new_figure, place_title


def _x(index: pd.Index) -> Any:
    return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index


def plot_change_date_set(result, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw the statistic of every admissible date, its critical value and the set.

    Parameters
    ----------
    result : ChangeDateSet
        From :func:`trends.models.changepoint_dateset.change_date_set`.
    ax : Axes, optional
        Draw on it (no figure title unless ``title`` is given).
    title : str, optional
        Figure title (default: "Possible start dates of a single change").

    Returns
    -------
    Axes

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"dates"`` (``statistic``,
    ``critical`` and ``in_set`` by admissible date).
    """
    own = ax is None
    fig, ax = new_figure(1) if own else (ax.figure, ax)
    stat, crit = result.statistic.astype(float), result.critical.astype(float)
    in_set = stat.index.isin(result.dates)
    attach_data(fig, "dates", pd.DataFrame({"statistic": stat, "critical": crit,
                                             "in_set": in_set}, index=stat.index))  # fmt: skip
    x = _x(stat.index)
    top = float(max(stat.max(), crit.max())) if len(stat) else 1.0
    ax.fill_between(x, 0, top, where=in_set, color=COLORS["fit"], alpha=0.15, step="mid",
                    lw=0, label="Dates in the set")  # fmt: skip
    ax.plot(x, stat.to_numpy(), color="#333333", lw=1.2, label="Statistic (0: most likely date)")
    ax.plot(x, crit.to_numpy(), color="#b2182b", lw=1.0, ls="--",
            label=f"Critical value ({round(result.level * 100):d}%)")  # fmt: skip
    ax.set_ylabel("Statistic")
    ax.set_ylim(bottom=0)
    house_legend(ax, loc="upper right")
    if own or title:
        place_title(fig, title or "Possible start dates of a single change")
    return ax

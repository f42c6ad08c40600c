"""Chart of the pre-trend check (:class:`trends.models.pretrend.PreTrendCheck`).

The level change at the intervention as the interrupted time series estimates it with the
straight-line pre-period trend, and as the extended fit with the curved pre-period trend implies
it, each with its interval on a log axis; the test's verdict (its p-value at the check's level)
as the subtitle. A check that was not run has nothing to draw: its chart raises
:class:`~trends.errors.NoChartError` with the reason. Every number comes from the
result; nothing is estimated here.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from trends.errors import NoChartError
from trends.plots.ratios import RatioRow, draw_ratio_rows, ratio_frame_row
from trends.plots.style import PALETTE, add_footer, attach_data, new_figure, place_title

__all__ = ["PRETREND_PANELS", "plot_pretrend"]

#: Names of the panels recorded with :func:`~trends.plots.style.attach_data`.
PRETREND_PANELS = ("level_changes", "test")

_DEGREE = {1: "linear", 2: "quadratic", 3: "cubic"}


def _rows(result) -> list[RatioRow]:
    """The straight-line and the curved level change, as the result holds them."""
    curved = _DEGREE.get(int(result.degree), f"degree-{int(result.degree)}")
    rows = []
    for label, rr, color in (
        ("Straight-line\npre-period trend", result.level_change_linear, PALETTE["blue"]),
        (f"Curved ({curved})\npre-period trend", result.level_change_curved, PALETTE["vermillion"]),
    ):
        if rr is None:
            rows.append(RatioRow(label, None, None, None, color, missing="not available"))
        else:
            rows.append(RatioRow(label, rr.estimate, rr.ci_low, rr.ci_high, color))
    return rows


def _test_frame(result) -> pd.DataFrame:
    """The test's numbers as the result holds them (one row)."""
    return pd.DataFrame(
        [
            {
                "tested": bool(result.tested),
                "well_described": result.well_described,
                "statistic": float(result.statistic),
                "df": int(result.df),
                "p_value": float(result.p_value),
                "level": float(result.level),
                "degree": int(result.degree),
                "n_pre": int(result.n_pre),
            }
        ]
    )


def plot_pretrend(
    result,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Draw the level change with the straight-line and with the curved pre-period trend.

    Parameters
    ----------
    result : PreTrendCheck
        From :func:`trends.models.pretrend.check_pre_trend`.
    ax : Axes, optional
        Draw on it (no figure title or footer unless ``title`` / ``source`` are given).
    title : str, optional
        Figure title (default: "Is the trend before <intervention> a straight line?").
    source : str, optional
        Data source named in the footer.

    Returns
    -------
    Axes

    Raises
    ------
    trends.errors.NoChartError
        When the check was not run (``result.tested`` is False): it holds nothing to draw,
        only its reason (``result.reason``, also in ``report()``).

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"level_changes"`` (index
    ``linear``, ``curved``: ``estimate``, ``ci_low``, ``ci_high``, ``p_value``; NaN for a level
    change the check does not hold) and ``"test"`` (one row:
    ``tested``, ``well_described``, ``statistic``, ``df``, ``p_value``, ``level``, ``degree``,
    ``n_pre``).
    """
    if not result.tested:
        raise NoChartError(
            f"the pre-trend check was not run, so there is nothing to draw: {result.reason}",
            result_type=type(result).__name__,
        )
    own = ax is None
    fig, ax = new_figure(1, height=3.6) if own else (ax.figure, ax)
    attach_data(fig, "test", _test_frame(result))
    rows = _rows(result)
    held = (result.level_change_linear, result.level_change_curved)
    frame = pd.DataFrame(
        [
            ratio_frame_row(row) | {"p_value": float("nan") if rr is None else float(rr.p_value)}
            for row, rr in zip(rows, held, strict=True)
        ],
        index=pd.Index(["linear", "curved"], name="trend"),
        columns=["estimate", "ci_low", "ci_high", "p_value"],
    )
    attach_data(fig, "level_changes", frame)
    lin = result.level_change_linear
    level = round(100 * float(lin.level)) if lin is not None else 95
    what = f"level change at {result.intervention}, as a rate ratio"
    draw_ratio_rows(ax, rows, level=level, what=what)
    note = (
        f"Test of curvature over the {result.n_pre} {result.unit}s before "
        f"{result.intervention}: {result.method}; judged at the {result.level:g} level."
    )
    subtitle = result.headline()
    if own:
        fig.tight_layout()
        add_footer(fig, source, note=note)
        place_title(
            fig, title or f"Is the trend before {result.intervention} a straight line?", subtitle
        )
    elif title or source:
        add_footer(fig, source, note=note)
        place_title(fig, title, subtitle)
    return ax

"""Chart of a before/after rate comparison (:class:`trends.models.rates.RateComparison`).

Two panels:

a. the rate of each phase (events per period) as a bar, labelled with its count and observed
   periods; the comparison holds no interval for a phase's own rate, so none is drawn;
b. the rate ratio after/before: the exact conditional Poisson ratio (``rate_ratio``) and the
   model-based one (``rate_ratio_nb``: negative binomial with Newey-West errors by default),
   each with its interval, on a log axis. A model ratio the comparison could not estimate is
   not drawn; its row says why (the result's ``note``).

Every number comes from the result; nothing is estimated here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trends.plots.its import measure_style
from trends.plots.ratios import RatioRow, draw_ratio_rows, finite_ratio, ratio_frame_row
from trends.plots.style import COLORS, PALETTE, add_footer, attach_data, new_figure, place_title
from trends.series.measured import column_words
from trends.verdicts.words import count_of, fmt_count, fmt_date, plural

__all__ = ["RATE_PANELS", "plot_rate_comparison"]

#: Names of the panels recorded with :func:`~trends.plots.style.attach_data`.
RATE_PANELS = ("rates", "ratios")

_FAMILY = {"negbin": "Negative binomial", "poisson": "Poisson", "quasipoisson": "Quasi-Poisson"}
_SE = {
    "hac": "Newey-West errors",
    "latent_ar_lrv": "latent AR(1) variance",
    "latent_ar": "latent AR(1) model",
    "model": "model errors",
    "robust": "robust errors",
}


def _measure(result) -> str:
    """What was counted, in words ("civilian deaths"; "events" for an unnamed series)."""
    name = getattr(result, "series_name", None)
    return column_words(name) if name else "events"


def _ratio_rows(result) -> list[RatioRow]:
    """The exact and the model-based ratio, as the result holds them."""
    unit = result.unit
    exact = result.rate_ratio
    rows = [
        RatioRow(
            f"Exact Poisson\n(independent {unit}s)",
            exact.get("estimate"),
            exact.get("ci_low"),
            exact.get("ci_high"),
            color=PALETTE["blue"],
        )
    ]
    nb = result.rate_ratio_nb
    family = _FAMILY.get(getattr(result, "family", ""), str(getattr(result, "family", "model")))
    se = _SE.get(str(nb.get("se_type")), str(nb.get("se_type") or "model errors"))
    missing = None
    if nb.get("estimate") is None:
        missing = f"{family} ratio not estimated ({nb.get('note') or 'no reason given'})"
    rows.append(
        RatioRow(
            f"{family}\n({se})",
            nb.get("estimate"),
            nb.get("ci_low"),
            nb.get("ci_high"),
            color=PALETTE["vermillion"],
            missing=missing,
        )
    )
    return rows


def _draw_rates(ax: Axes, result, color: str) -> pd.DataFrame:
    """Panel a: each phase's rate as a bar with its count; returns the numbers drawn."""
    phases = [result.before, result.after]
    frame = pd.DataFrame(
        {
            "start": [p.start for p in phases],
            "end": [p.end for p in phases],
            "count": [p.count for p in phases],
            "n_periods": [p.n_periods for p in phases],
            "n_missing": [p.n_missing for p in phases],
            "rate": [p.rate for p in phases],
        },
        index=pd.Index([p.label for p in phases], name="phase"),
    )
    y = [1, 0]
    rates = frame["rate"].to_numpy(dtype=float)
    ax.barh(y, np.nan_to_num(rates), height=0.55, color=[COLORS["band"], color], zorder=2)
    what, unit = _measure(result), result.unit
    for yi, p in zip(y, phases, strict=True):
        missing = f", {plural(p.n_missing, unit)} not reported" if p.n_missing else ""
        ax.annotate(
            f"{count_of(p.count, what)} in {plural(p.n_periods, unit)}{missing}: "
            f"{p.rate:.2f} per {unit}"
            if np.isfinite(p.rate)
            else "rate not available",
            (float(np.nan_to_num(p.rate)), yi),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
        )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [f"{p.label.capitalize()}\n{fmt_date(p.start)} to {fmt_date(p.end)}" for p in phases]
    )
    ax.set_ylim(-0.6, 1.6)
    top = float(np.nanmax(rates)) if np.isfinite(rates).any() else 1.0
    ax.set_xlim(0, (top or 1.0) * 2.1)  # room for the labels right of the bars
    ax.set_xlabel(f"{what} per {unit} (observed {unit}s only)")
    ax.grid(axis="y", visible=False)
    return frame


def _note(result) -> str:
    """Footer note: what the exact interval assumes, and a dominant period when there is one."""
    parts = [
        f"The exact interval holds if every {result.unit} were an independent Poisson draw; the "
        "model-based one allows for overdispersion (and, with Newey-West errors or the latent "
        "AR(1) variance, for serial dependence)."
    ]
    dom = getattr(result, "dominant", None)
    if dom:
        parts.append(
            f"One {result.unit} ({fmt_date(dom['date'])}) holds {fmt_count(dom['count'])} "
            f"{_measure(result)}, {round(100 * float(dom['share'])):d}% of the {dom['phase']} "
            "phase's: the intervals do not allow for a period that large."
        )
    return " ".join(parts)


def plot_rate_comparison(
    result,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes | tuple[Figure, list[Axes]]:
    """Draw the two phases' rates and the rate ratios after/before with their intervals.

    Parameters
    ----------
    result : RateComparison
        From :func:`trends.models.rates.compare_rates`.
    ax : Axes, optional
        Draw only the ratio panel on it and return it (no figure title or footer unless
        ``title`` / ``source`` are given).
    title : str, optional
        Figure title (default: "Before and after: <measure> per <unit>").
    source : str, optional
        Data source named in the footer.

    Returns
    -------
    Axes or (Figure, list of Axes)
        The Axes when ``ax`` is given, else the figure and its two panels (rates, ratios).

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"rates"`` (index ``before``,
    ``after``: ``start``, ``end``, ``count``, ``n_periods``, ``n_missing``, ``rate``; drawn
    only when the figure is the chart's own) and ``"ratios"`` (index ``exact``, ``model``:
    ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``drawn``; a model ratio that was not
    estimated is NaN and not drawn).
    """
    own = ax is None
    if own:
        fig, panels = new_figure(2, height=5.6, sharex=False)
        rates_ax, ratio_ax = panels
    else:
        fig, ratio_ax = ax.figure, ax
    _, color = measure_style(getattr(result, "series_name", None))
    level = round((1.0 - float(result.alpha)) * 100)
    if own:
        attach_data(fig, "rates", _draw_rates(rates_ax, result, color))
    rows = _ratio_rows(result)
    draw_ratio_rows(ratio_ax, rows, level=level)
    dicts = (result.rate_ratio, result.rate_ratio_nb)
    ratios = pd.DataFrame(
        [
            ratio_frame_row(row)
            | {"p_value": np.nan if d.get("p_value") is None else float(d["p_value"])}
            | {"drawn": row.missing is None and finite_ratio(row.estimate) is not None}
            for row, d in zip(rows, dicts, strict=True)
        ],
        index=pd.Index(["exact", "model"], name="ratio"),
    )
    attach_data(fig, "ratios", ratios)
    if own:
        fig.tight_layout()
        add_footer(fig, source, result.before.start, result.after.end, note=_note(result))
        place_title(fig, title or f"Before and after: {_measure(result)} per {result.unit}")
        return fig, list(panels)
    if title or source:
        add_footer(fig, source, note=_note(result))
        place_title(fig, title)
    return ratio_ax

"""Chart of a latent AR(1) count fit (:class:`trends.models.latent_ar.LatentARResult`).

Two panels share the time axis:

a. the counts that were fitted (``result.y``; unreported periods are left out);
b. the posterior mode of the latent log intensity (``result.latent``), the serial dependence
   the model attributes to the periods, around 0 (the regression's own level).

The fit holds no fitted mean per period (it would have to be computed from the design, the
coefficients and a mean correction), so none is drawn. Every number comes from the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trends.plots.style import (
    COLORS,
    PALETTE,
    add_footer,
    attach_data,
    format_date_axis,
    house_legend,
    new_figure,
    period_unit,
    place_title,
)
from trends.verdicts.words import plural

__all__ = ["LATENT_AR_PANELS", "plot_latent_ar"]

#: Names of the panels recorded with :func:`~trends.plots.style.attach_data`.
LATENT_AR_PANELS = ("observed", "latent")

_FAMILY = {"negbin": "negative binomial", "poisson": "Poisson"}


def _draw_observed(ax: Axes, x: pd.Index, y: np.ndarray, measure: str) -> None:
    """Panel a: the fitted counts as dots (unreported periods left out)."""
    unit = period_unit(x) if isinstance(x, pd.DatetimeIndex) else "period"
    seen = ~np.isnan(y)
    ax.plot(np.asarray(x)[seen], y[seen], "o", ms=3.2, color=COLORS["attacks"], alpha=0.85,
            label=f"{measure.capitalize()} (fitted counts)", zorder=3)  # fmt: skip
    ax.set_ylabel(f"{measure} per {unit}")
    top = float(np.nanmax(y)) if seen.any() else 1.0
    ax.set_ylim(bottom=-0.04 * max(top, 1.0))  # dots at 0 drawn whole
    ax.yaxis.get_major_locator().set_params(integer=True)
    house_legend(ax, loc="upper right")


def _draw_latent(ax: Axes, x: pd.Index, latent: np.ndarray) -> None:
    """Panel b: the latent log intensity's posterior mode around 0."""
    ax.plot(np.asarray(x), latent, color=PALETTE["purple"], lw=1.3, zorder=3,
            label="Latent log intensity (posterior mode)")  # fmt: skip
    ax.axhline(0.0, color="#777777", lw=0.9, ls=":", zorder=1, label="0: the regression's level")
    ax.set_ylabel("latent log intensity")
    house_legend(ax, loc="upper right")


def plot_latent_ar(
    result,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    measure: str = "events",
) -> Axes | tuple[Figure, list[Axes]]:
    """Draw the fitted counts and the latent log intensity of a latent AR(1) fit.

    Parameters
    ----------
    result : LatentARResult
        From :func:`trends.models.latent_ar.fit_latent_ar`.
    ax : Axes, optional
        Draw only the counts panel on it (the latent panel when the fit kept no counts) and
        return it (no figure title or footer unless ``title`` / ``source`` are given).
    title : str, optional
        Figure title (default: "Counts with a latent AR(1) log intensity").
    source : str, optional
        Data source named in the footer.
    measure : str, default "events"
        What was counted, in words (axis label).

    Returns
    -------
    Axes or (Figure, list of Axes)
        The Axes when ``ax`` is given, else the figure and its panels (counts and latent; the
        latent alone when the fit kept no counts).

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"observed"`` (``observed``
    = ``result.y`` by period, NaN where not reported; absent when the fit kept no counts) and
    ``"latent"`` (``latent`` = ``result.latent``).
    """
    latent = result.latent.astype(float)
    x = latent.index
    y = None if result.y is None else np.asarray(result.y, dtype=float)
    own = ax is None
    if own:
        fig, panels = new_figure(2 if y is not None else 1, sharex=True)
        panels = list(panels) if isinstance(panels, list) else [panels]
    else:
        fig, panels = ax.figure, [ax]
    if y is not None:
        _draw_observed(panels[0], x, y, measure)
        attach_data(fig, "observed", pd.DataFrame({"observed": y}, index=x))
    if own or y is None:
        _draw_latent(panels[-1], x, latent.to_numpy())
        attach_data(fig, "latent", pd.DataFrame({"latent": latent.to_numpy()}, index=x))
    if isinstance(x, pd.DatetimeIndex):
        format_date_axis(panels[-1])
    else:
        panels[-1].set_xlabel("period")
    fam = _FAMILY.get(result.family, str(result.family))
    size = f", size {result.theta:.3g}" if result.theta is not None else ""
    subtitle = (
        f"{fam.capitalize()} counts{size}; latent AR(1) coefficient {result.rho:.2f}, "
        f"stationary sd {result.latent_sd:.2f}; {plural(int(result.n_obs), 'observed period')}."
    )
    note = None
    if y is not None and np.isnan(y).any():
        note = f"{plural(int(np.isnan(y).sum()), 'period')} not reported (left out)."
    if own:
        fig.tight_layout()
        add_footer(fig, source, note=note)
        place_title(fig, title or "Counts with a latent AR(1) log intensity", subtitle)
        return fig, panels
    if title or source:
        add_footer(fig, source, note=note)
        place_title(fig, title, subtitle)
    return panels[0]

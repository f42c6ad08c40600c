"""Charts in the house style (:mod:`trends.plots.style`): they draw what result objects hold.

Every chart records the numbers it draws (read them back with :func:`plotted_data`) and saves
with :func:`save`.
"""

from trends.plots.changepoint import plot_changepoints
from trends.plots.claims import plot_claims, plot_cumulative
from trends.plots.its import plot_its
from trends.plots.placebo import plot_placebo
from trends.plots.small_multiples import plot_small_multiples
from trends.plots.style import plotted_data, save
from trends.plots.timeline import plot_timeline

__all__ = [
    "plot_changepoints",
    "plot_claims",
    "plot_cumulative",
    "plot_its",
    "plot_placebo",
    "plot_small_multiples",
    "plot_timeline",
    "plotted_data",
    "save",
]

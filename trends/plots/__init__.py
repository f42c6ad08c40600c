"""Charts in the house style (:mod:`trends.plots.style`): they draw what result objects hold.

Every chart records the numbers it draws (read them back with :func:`plotted_data`) and saves
with :func:`save`.

This package is the plotting backend of the result objects (:data:`trends.results.PLOTTING_BACKEND`):
importing it registers one chart per result type that holds numbers to draw
(:data:`RESULT_CHARTS`, with :func:`trends.results.register_chart`), and ``result.plot()``
draws through :func:`trends.results.draw`. Results that hold only text (``BottomLine``,
``BottomLines``, ``ReferenceComparison``) have no chart: their ``plot()`` raises
:class:`trends.errors.NoChartError`. Results never import this package; the charts need only the
results' public attributes.
"""

from trends.plots.change_dateset import plot_change_date_set
from trends.plots.changepoint import plot_changepoints
from trends.plots.claims import plot_claims, plot_cumulative
from trends.plots.its import plot_its
from trends.plots.latent_ar import plot_latent_ar
from trends.plots.placebo import plot_placebo
from trends.plots.placebo_space import plot_space_placebo
from trends.plots.pretrend import plot_pretrend
from trends.plots.rates import plot_rate_comparison
from trends.plots.small_multiples import plot_small_multiples
from trends.plots.style import plotted_data, save
from trends.plots.timeline import plot_analysis_timeline, plot_timeline
from trends.plots.totals import plot_totals_comparison
from trends.results import register_chart

#: Result class name -> its chart (each registered with :func:`trends.results.register_chart`).
RESULT_CHARTS = {
    "ITSResult": plot_its,
    "PlaceboResult": plot_placebo,
    "ChangePointResult": plot_changepoints,
    "ChangeDateSet": plot_change_date_set,
    "ClaimsCheck": plot_claims,
    "CeasefireAnalysis": plot_analysis_timeline,
    "RateComparison": plot_rate_comparison,
    "TotalsComparison": plot_totals_comparison,
    "SpacePlaceboResult": plot_space_placebo,
    "PreTrendCheck": plot_pretrend,
    "LatentARResult": plot_latent_ar,
}
for _type_name, _chart in RESULT_CHARTS.items():
    register_chart(_type_name)(_chart)

__all__ = [
    "RESULT_CHARTS",
    "plot_analysis_timeline",
    "plot_change_date_set",
    "plot_changepoints",
    "plot_claims",
    "plot_cumulative",
    "plot_its",
    "plot_latent_ar",
    "plot_placebo",
    "plot_pretrend",
    "plot_rate_comparison",
    "plot_small_multiples",
    "plot_space_placebo",
    "plot_timeline",
    "plot_totals_comparison",
    "plotted_data",
    "save",
]

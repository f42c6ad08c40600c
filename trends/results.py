"""The common interface of every result object.

Every analysis step returns an object with the same methods:

- ``summary()``: a :class:`pandas.DataFrame` of the estimates;
- ``glance()``: a one-row :class:`pandas.DataFrame` of the headline numbers (for stacking the
  results of many fits into one table);
- ``report()``: a short plain-language paragraph with the numbers;
- ``to_dict()``: a JSON-serialisable ``dict`` (dates as ISO strings, no NaN);
- ``plot(ax=None)``: draws on ``ax`` (or a new figure) and returns the Axes, or ``(fig, axes)``
  for multi-panel charts. Plotting lives in :mod:`trends.plots` and never computes statistics.
  A result with nothing to draw (text only, such as a bottom line) raises
  :class:`trends.errors.NoChartError`, which is also a :class:`NotImplementedError`.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import math
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import NoChartError

__all__ = [
    "CHARTS",
    "PLOTTING_BACKEND",
    "Result",
    "whole_count",
    "draw",
    "flatten_scalars",
    "register_chart",
    "to_jsonable",
]


class Result(ABC):
    """Abstract base class of result objects."""

    @abstractmethod
    def summary(self) -> pd.DataFrame:
        """Return the estimates as a DataFrame."""

    @abstractmethod
    def report(self) -> str:
        """Return a short plain-language description of the result, with its numbers."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dictionary of the result."""

    def glance(self) -> pd.DataFrame:
        """Return one row of the result's headline numbers.

        The default flattens the scalar entries of :meth:`to_dict` (nested keys joined with
        ``_``; lists and tables are left out); results override it with a chosen set of columns.

        Returns
        -------
        pandas.DataFrame
            Exactly one row.
        """
        return pd.DataFrame([flatten_scalars(self.to_dict())])

    def plot(self, ax=None, **kwargs: Any) -> Any:
        """Draw the result with the chart registered for its type (see :func:`draw`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw (a new figure when omitted).
        **kwargs
            Passed to the chart function (titles, sources, events...).

        Returns
        -------
        object
            What the chart returns: the Axes, or ``(fig, axes)`` for multi-panel charts.

        Raises
        ------
        trends.errors.NoChartError
            When no chart is registered for the result's type (text-only results such as
            bottom lines); it is also a :class:`NotImplementedError`.
        """
        return draw(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>\n{self.report()}"


#: Keys whose values are counts: a whole-number float under one of them is written as an integer
#: (``475``, not ``475.0``), so machine-readable results print counts as counts.
COUNT_KEYS = frozenset({"count", "count_before", "count_after", "total", "total_events"})


def whole_count(value: Any) -> Any:
    """A count: a whole-number float as an ``int``; anything else (a spread share such as
    2.5, NaN, text) unchanged.

    Parameters
    ----------
    value : Any

    Returns
    -------
    Any
    """
    if (
        isinstance(value, (float, np.floating))
        and math.isfinite(value)
        and float(value).is_integer()
    ):
        return int(value)
    return value


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas scalars, dates and containers into plain JSON types.

    Parameters
    ----------
    value : object
        Scalar, date, container, Series or DataFrame (records).

    Returns
    -------
    object
        NaN and infinities become ``None``; dates and timestamps become ISO strings
        (``YYYY-MM-DD`` when there is no time of day); whole-number values under the count keys
        of :data:`COUNT_KEYS` become integers.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if value is pd.NaT:  # NaT is a datetime instance: test it before the date branches
        return None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if not math.isfinite(f) else f
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        if value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, dict):
        return {
            str(k): to_jsonable(whole_count(v) if k in COUNT_KEYS else v) for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, pd.Series):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def flatten_scalars(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The scalar leaves of a nested dict, keyed by their path joined with ``_``.

    Parameters
    ----------
    data : dict
        A nested dictionary (e.g. a result's ``to_dict()``).
    prefix : str
        Prefix of the keys.

    Returns
    -------
    dict
        ``{"rate_ratio_estimate": 0.34, ...}``; lists, tables and ``None`` are left out.
    """
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_scalars(value, f"{name}_"))
        elif isinstance(value, str | bool | int | float | np.integer | np.floating | pd.Timestamp):
            out[name] = value
    return out


# --------------------------------------------------------------------------------------------
# charts: results never import the plotting code, the plotting backend registers its charts
# --------------------------------------------------------------------------------------------
#: The module that registers the charts (imported with :mod:`importlib` the first time a result
#: without a registered chart is drawn). Results depend on nothing in it.
PLOTTING_BACKEND = "trends.plots"

#: Result class name -> chart function ``chart(result, ax=None, **kwargs)``.
CHARTS: dict[str, Callable[..., Any]] = {}


def register_chart(
    result_type_name: str,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the chart of the results of one class.

    Parameters
    ----------
    result_type_name : str
        Name of the result class (``"ITSResult"``); subclasses without a chart of their own use
        it too. The name, not the class, is the key, so the plotting code need not import the
        models.

    Returns
    -------
    callable
        A decorator that registers the function and returns it unchanged.
    """

    def decorator(chart: Callable[..., Any]) -> Callable[..., Any]:
        CHARTS[result_type_name] = chart
        return chart

    return decorator


def _registered(result_type: type) -> Callable[..., Any] | None:
    """The chart of the nearest class along the MRO that has one."""
    for cls in result_type.__mro__:
        chart = CHARTS.get(cls.__name__)
        if chart is not None:
            return chart
    return None


def _current(chart: Callable[..., Any]) -> Callable[..., Any]:
    """The chart as its module holds it now (late binding: a patched or reloaded module wins)."""
    module = sys.modules.get(getattr(chart, "__module__", "") or "")
    current = getattr(module, getattr(chart, "__name__", ""), None) if module else None
    return current if callable(current) else chart


def draw(result: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Draw a result with the chart registered for its type.

    The chart is looked up by class name along the result's MRO; when none is registered the
    plotting backend (:data:`PLOTTING_BACKEND`) is imported, which registers its charts, and the
    lookup is repeated.

    Parameters
    ----------
    result : object
        A result object.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to the chart.

    Returns
    -------
    object
        What the chart returns.

    Raises
    ------
    trends.errors.NoChartError
        When no chart is registered for the result's type (a text-only result: read its
        ``report()``, ``summary()`` or ``to_dict()``); a subclass of
        :class:`NotImplementedError`.
    """
    chart = _registered(type(result))
    if chart is None:
        importlib.import_module(PLOTTING_BACKEND)
        chart = _registered(type(result))
    if chart is None:
        name = type(result).__name__
        raise NoChartError(
            f"no chart is registered for {name}: read it with report(), summary() or "
            f"to_dict() (charts exist for: {', '.join(sorted(CHARTS)) or 'none'})",
            result_type=name,
        )
    return _current(chart)(result, ax=ax, **kwargs)

"""The common interface of every result object.

Every analysis step returns an object with the same four methods:

- ``summary()``: a :class:`pandas.DataFrame` of the estimates;
- ``report()``: a short plain-language paragraph with the numbers;
- ``to_dict()``: a JSON-serialisable ``dict`` (dates as ISO strings, no NaN);
- ``plot(ax=None)``: draws on ``ax`` (or a new figure) and returns the Axes, or ``(fig, axes)``
  for multi-panel charts. Plotting lives in :mod:`trends.plots` and never computes statistics.
"""

from __future__ import annotations

import datetime as _dt
import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Result", "to_jsonable"]


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

    def plot(self, ax=None):  # pragma: no cover - overridden where a chart exists
        """Draw the result; see the subclass for what is drawn."""
        raise NotImplementedError(f"{type(self).__name__} has no chart")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>\n{self.report()}"


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
        (``YYYY-MM-DD`` when there is no time of day).
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
        return {str(k): to_jsonable(v) for k, v in value.items()}
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

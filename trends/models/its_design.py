"""From a count series and an :class:`~trends.models.spec.ITSSpec` to a design matrix.

The steps of an interrupted time series before any fitting, each a function:

1. :func:`prepare_series` checks the series (regular DatetimeIndex, numeric non-negative counts,
   NaN = not reported) and finds its frequency and period starts;
2. :func:`place_interventions` turns the spec's interventions into first post periods;
3. :func:`build_design` builds the design (intercept, trend, level / slope / transition terms per
   intervention, seasonality, Fourier terms, covariates) and the offset;
4. :func:`usable_rows` picks the rows the fit may use and refuses data that cannot support it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, InsufficientDataError
from trends.models.periods import detect_frequency, first_post_position, period_starts, to_timestamp
from trends.models.spec import ITSSpec
from trends.models.wording import fmt_date
from trends.verdicts.words import plural

__all__ = [
    "MIN_EVENTS",
    "ITSDesign",
    "PlacedIntervention",
    "PreparedSeries",
    "build_design",
    "place_interventions",
    "prepare_series",
    "segment_label",
    "usable_rows",
]

#: Fewer events than this in the fitted periods: the model is refused.
MIN_EVENTS = 10


@dataclass(frozen=True)
class PreparedSeries:
    """A checked count series.

    Attributes
    ----------
    series : pandas.Series
        The series, in its local calendar (time zone dropped).
    values : numpy.ndarray
        Counts as floats (NaN = not reported).
    freq : str
        Frequency code (``D``, ``W``, ``M``, ``Q``, ``Y``).
    starts : pandas.DatetimeIndex
        Start of each period.
    tz : object
        The original time zone (``None`` when naive).
    """

    series: pd.Series
    values: np.ndarray
    freq: str
    starts: pd.DatetimeIndex
    tz: Any = None

    @property
    def index(self) -> pd.DatetimeIndex:
        """Period labels."""
        return self.series.index  # type: ignore[return-value]

    @property
    def n(self) -> int:
        """Number of periods."""
        return len(self.series)

    def window(self, start: pd.Timestamp, stop: pd.Timestamp) -> PreparedSeries:
        """The periods labelled in ``[start, stop)``, without checking them again.

        Parameters
        ----------
        start, stop : pandas.Timestamp
            Limits (``stop`` excluded).

        Returns
        -------
        PreparedSeries
            The sub-series.
        """
        keep = np.asarray((self.series.index >= start) & (self.series.index < stop))
        return PreparedSeries(
            self.series[keep], self.values[keep], self.freq, self.starts[keep], self.tz
        )


@dataclass(frozen=True)
class PlacedIntervention:
    """An intervention placed on the series.

    Attributes
    ----------
    id : str
        Identifier used in the term names (``level[id]``).
    name : str
        Label for reports.
    start : pandas.Timestamp
        The intervention time as given.
    position : int
        0-based position of its first post period.
    """

    id: str
    name: str
    start: pd.Timestamp
    position: int


@dataclass(frozen=True)
class ITSDesign:
    """The design of one ITS fit.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Design matrix over all periods (including those not used).
    offset : numpy.ndarray
        Log-scale offset of every period.
    transition : numpy.ndarray
        Periods inside a transition window.
    terms : dict
        Intervention id -> its term names (level, slope, transition).
    segment : numpy.ndarray
        0 before the first intervention, ``j`` after the ``j``-th.
    window : tuple of int
        ``(before, after)`` transition periods.
    """

    matrix: pd.DataFrame
    offset: np.ndarray
    transition: np.ndarray
    terms: dict[str, list[str]]
    segment: np.ndarray
    window: tuple[int, int]


def prepare_series(series: Any) -> PreparedSeries:
    """Check a count series for an ITS fit.

    Parameters
    ----------
    series : pandas.Series
        Counts with a regular DatetimeIndex; NaN means "not reported".

    Returns
    -------
    PreparedSeries
        The checked series with its frequency.

    Raises
    ------
    trends.errors.InputError
        Not a Series with a sorted, regular DatetimeIndex; non-numeric or negative counts.
    """
    if isinstance(series, PreparedSeries):
        return series
    if not isinstance(series, pd.Series):
        raise InputError("series must be a pandas Series of counts with a DatetimeIndex")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise InputError("series must have a DatetimeIndex")
    tz = series.index.tz
    if tz is not None:  # work in the series' local calendar
        series = series.tz_localize(None)
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise InputError("the series index must be sorted and without duplicates")
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiu":  # plain numbers
        yv = series.to_numpy(dtype=float)
    else:
        y_num = pd.to_numeric(series, errors="coerce").astype(float)
        bad = series.notna() & y_num.isna()
        if bad.any():
            raise InputError(f"non-numeric counts at {series.index[bad][0]}")
        yv = y_num.to_numpy()
    if np.any(yv < 0):
        raise InputError("counts must be non-negative")
    freq = detect_frequency(series.index)  # type: ignore[arg-type]
    starts = period_starts(series.index, freq)  # type: ignore[arg-type]
    return PreparedSeries(series, yv, freq, starts, tz)


def _slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z_.-]+", "_", str(text)).strip("_")
    return s or "x"


def _named(items: tuple[Any, ...], tz: Any) -> list[tuple[str, str, pd.Timestamp]]:
    """``(id, name, start)`` of each intervention, in time order."""
    out = []
    seen: set[str] = set()
    for j, item in enumerate(items, start=1):
        if hasattr(item, "start"):
            start = to_timestamp(item.start, "intervention start", tz)
            raw_id = getattr(item, "id", None)
            raw_name = getattr(item, "name", None) or getattr(item, "label", None)
        else:
            start = to_timestamp(item, "intervention date", tz)
            raw_id, raw_name = None, None
        iid = _slug(raw_id) if raw_id else f"i{j}"
        if iid in seen:
            iid = f"{iid}_{j}"
        seen.add(iid)
        name = str(raw_name) if raw_name else (str(raw_id) if raw_id else "the intervention")
        out.append((iid, name, start))
    out.sort(key=lambda r: r[2])
    return out


def place_interventions(spec: ITSSpec, prepared: PreparedSeries) -> list[PlacedIntervention]:
    """The first post period of each of the spec's interventions.

    Parameters
    ----------
    spec : ITSSpec
        The specification.
    prepared : PreparedSeries
        The series.

    Returns
    -------
    list of PlacedIntervention
        In time order.

    Raises
    ------
    trends.errors.InputError
        No intervention, one outside the series, or two in the same period.
    """
    if not spec.interventions:
        raise InputError("at least one intervention is needed")
    n = prepared.n
    placed: list[PlacedIntervention] = []
    for iid, name, start in _named(tuple(spec.interventions), prepared.tz):
        pos = first_post_position(prepared.starts, start)
        if pos <= 0:
            raise InputError(
                f"intervention {name!r} ({start.date()}) is at or before the first period of the "
                "series: there is no pre-intervention period"
            )
        if pos >= n:
            raise InputError(
                f"intervention {name!r} ({start.date()}) is after the last period of the series"
            )
        if placed and pos <= placed[-1].position:
            raise InputError(
                f"interventions {placed[-1].name!r} and {name!r} fall in the same period; "
                "merge them or use a finer series"
            )
        placed.append(PlacedIntervention(iid, name, start, pos))
    return placed


def _intervention_terms(
    cols: dict[str, np.ndarray],
    placed: list[PlacedIntervention],
    spec: ITSSpec,
    n: int,
    window: tuple[int, int],
) -> tuple[np.ndarray, dict[str, list[str]], np.ndarray]:
    """Add level / slope / transition columns; return the transition mask, terms, segments."""
    tb, ta = window
    transition_any = np.zeros(n, dtype=bool)
    inter_terms: dict[str, list[str]] = {}
    segment = np.zeros(n, dtype=int)
    for j, sp in enumerate(placed):
        post = (np.arange(n) >= sp.position).astype(float)
        segment[sp.position :] = j + 1
        lv = f"level[{sp.id}]"
        cols[lv] = post
        names = [lv]
        if spec.slope_change:
            sl = f"slope[{sp.id}]"
            cols[sl] = np.maximum(np.arange(n) - sp.position + 1, 0).astype(float)
            names.append(sl)
        if tb or ta:
            lo = max(sp.position - tb, 0)
            hi = min(sp.position + ta, n)
            win = np.zeros(n, dtype=bool)
            win[lo:hi] = True
            transition_any |= win
            if spec.transition_mode == "separate" and win.any():
                tr = f"transition[{sp.id}]"
                cols[tr] = win.astype(float)
                names.append(tr)
        inter_terms[sp.id] = names
    return transition_any, inter_terms, segment


def _seasonal_terms(
    cols: dict[str, np.ndarray], spec: ITSSpec, prepared: PreparedSeries, t: np.ndarray
) -> None:
    """Add day-of-week / month indicators and Fourier terms."""
    idx, freq = prepared.index, prepared.freq
    if spec.seasonality == "dow":
        if freq != "D":
            raise InputError("seasonality='dow' needs a daily series")
        dow = idx.day_of_week
        for d_, lab in enumerate(["Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], start=1):
            cols[f"dow[{lab}]"] = (dow == d_).astype(float)
    elif spec.seasonality == "month":
        if freq in ("Q", "Y"):
            raise InputError("seasonality='month' needs a daily, weekly or monthly series")
        mon = idx.month
        for m_ in range(2, 13):
            cols[f"month[{m_}]"] = (mon == m_).astype(float)
    for item in spec.fourier or ():
        try:
            period, pairs = float(item[0]), int(item[1])
        except (TypeError, ValueError, IndexError) as exc:
            raise InputError("fourier must be a list of (period, n_pairs)") from exc
        if period <= 0 or pairs < 1:
            raise InputError("fourier periods must be > 0 and n_pairs >= 1")
        for k in range(1, pairs + 1):
            cols[f"sin[{period:g},{k}]"] = np.sin(2.0 * np.pi * k * t / period)
            cols[f"cos[{period:g},{k}]"] = np.cos(2.0 * np.pi * k * t / period)


def _with_covariates(design: pd.DataFrame, covariates: Any, idx: pd.Index) -> pd.DataFrame:
    if covariates is None:
        return design
    if isinstance(covariates, pd.Series):
        covariates = covariates.to_frame()
    if not isinstance(covariates, pd.DataFrame):
        raise InputError("covariates must be a DataFrame indexed like the series")
    cov_al = covariates.reindex(idx).apply(pd.to_numeric, errors="coerce").astype(float)
    clash = set(cov_al.columns.astype(str)) & set(design.columns)
    if clash:
        raise InputError(f"covariate names clash with model terms: {sorted(clash)}")
    cov_al.columns = [str(c) for c in cov_al.columns]
    return pd.concat([design, cov_al], axis=1)


def _offset(spec: ITSSpec, idx: pd.Index, n: int) -> np.ndarray:
    if spec.offset is not None and spec.exposure is not None:
        raise InputError("give offset or exposure, not both")
    if spec.exposure is not None:
        ex = pd.Series(spec.exposure).reindex(idx).astype(float)
        if (ex <= 0).any():
            raise InputError("exposure must be positive")
        return np.log(ex.to_numpy())
    if spec.offset is not None:
        return pd.Series(spec.offset).reindex(idx).astype(float).to_numpy()
    return np.zeros(n)


def build_design(
    spec: ITSSpec, prepared: PreparedSeries, placed: list[PlacedIntervention]
) -> ITSDesign:
    """The design matrix and offset of the spec on the series.

    Parameters
    ----------
    spec : ITSSpec
        The specification.
    prepared : PreparedSeries
        The series.
    placed : list of PlacedIntervention
        The interventions (:func:`place_interventions`).

    Returns
    -------
    ITSDesign
        Design, offset, transition mask, term names and segments.

    Raises
    ------
    trends.errors.InputError
        Options that do not fit the series (``dow`` on a monthly series...), bad covariates or
        offsets.
    """
    n = prepared.n
    idx = prepared.index
    window = spec.transition_window()
    t = np.arange(1, n + 1, dtype=float)
    cols: dict[str, np.ndarray] = {"intercept": np.ones(n)}
    if spec.trend:
        cols["trend"] = t
    transition_any, inter_terms, segment = _intervention_terms(cols, placed, spec, n, window)
    _seasonal_terms(cols, spec, prepared, t)
    design = _with_covariates(pd.DataFrame(cols, index=idx), spec.covariates, idx)
    return ITSDesign(design, _offset(spec, idx, n), transition_any, inter_terms, segment, window)


def segment_label(placed: list[PlacedIntervention], s: int) -> str:
    """``'before the ceasefire (31 Aug 2019)'`` / ``'after ...'`` for segment ``s``.

    Parameters
    ----------
    placed : list of PlacedIntervention
        The interventions.
    s : int
        Segment number (0 = before the first intervention).

    Returns
    -------
    str
        The label.
    """
    if s == 0:
        return f"before {placed[0].name} ({fmt_date(placed[0].start)})"
    return f"after {placed[s - 1].name} ({fmt_date(placed[s - 1].start)})"


def usable_rows(
    spec: ITSSpec,
    prepared: PreparedSeries,
    design: ITSDesign,
    placed: list[PlacedIntervention],
) -> tuple[np.ndarray, float]:
    """Rows the fit uses (observed, finite design and offset, outside excluded windows).

    Parameters
    ----------
    spec : ITSSpec
        The specification.
    prepared : PreparedSeries
        The series.
    design : ITSDesign
        The design.
    placed : list of PlacedIntervention
        The interventions.

    Returns
    -------
    used : numpy.ndarray of bool
        The rows.
    total : float
        Events in them.

    Raises
    ------
    trends.errors.InsufficientDataError
        No events, fewer than :data:`MIN_EVENTS`, or a segment without usable periods or events
        (or, with a slope change, fewer than two usable periods after an intervention).
    """
    yv = prepared.values
    observed = ~np.isnan(yv)
    design_ok = np.all(np.isfinite(design.matrix.to_numpy()), axis=1) & np.isfinite(design.offset)
    used = observed & design_ok
    if spec.transition_mode == "exclude":
        used &= ~design.transition
    total = float(np.nansum(yv[used]))
    if used.sum() == 0 or total == 0:
        raise InsufficientDataError(
            "the series has no events in the periods that can be used: all counts are zero or "
            "missing, so no rate (and no change in rate) can be estimated"
        )
    if total < MIN_EVENTS:
        raise InsufficientDataError(
            f"only {plural(total, 'event')} in the fitted periods; at least {MIN_EVENTS} are "
            "needed for "
            "a count regression (compare phases with trends.models.rates.compare_rates instead)"
        )
    for s_ in range(len(placed) + 1):
        mask = used & (design.segment == s_)
        if mask.sum() == 0:
            raise InsufficientDataError(
                f"the segment {segment_label(placed, s_)} has no observed periods that can be "
                "used in the fit"
            )
        if np.sum(yv[mask]) == 0:
            raise InsufficientDataError(
                f"the segment {segment_label(placed, s_)} has no events: a log-linear level "
                "change cannot be estimated (its rate ratio would be 0 or infinite); the "
                "two-period comparison of rates gives an exact interval instead"
            )
        if spec.slope_change and s_ > 0 and mask.sum() < 2:
            raise InsufficientDataError(
                f"the segment {segment_label(placed, s_)} has fewer than two usable periods: its "
                "slope change cannot be estimated (fit the model without a change of slope)"
            )
    return used, total

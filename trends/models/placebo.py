"""In-time placebo test: is the estimated change unusual compared with changes at fake dates?

The level change at the real intervention is compared with the level changes the same model
finds at every admissible *fake* intervention date inside the pre-intervention period, where
nothing is supposed to have happened. If the real estimate is no more unusual than those, the
data do not single out the intervention.

Method (documented choices):

- Data: the pre-intervention periods only (before the real intervention's first post period, and
  before its transition window when one is given; from the previous intervention's first post
  period on, when there is one). Unreported (NaN) periods stay missing, as in the real fit.
- Windows (``window="matched"``, the default): each fake fit uses a window of the *real
  design's lengths*, cut to what the pre-period allows. With ``L_pre`` the real fit's periods
  before its intervention (from the previous intervention or the series start) and ``L_post``
  its periods from the intervention to the next one or the series end, the fake fit at the
  pre-period position ``f`` uses the periods ``[max(0, f - L_pre), min(N, f + max(L_post,
  min_segment)))`` of the ``N``-period pre-period: its post segment has the real post length
  when the pre-period leaves room for it, else it runs to the end of the pre-period; its pre
  segment likewise. (A fake design can never be the real one: the pre-period is shorter than
  the real window. The rule keeps every fake post segment no longer than the real one, so the
  fakes do not gain precision the real fit does not have.) ``window="pre-period"`` fits every
  fake date on the whole pre-period (the rule before issue 12). The window of each fake date
  is kept in ``windows`` and the rule in ``settings``.
- Fake dates: every observed period with at least ``min_segment`` observed periods before it
  and from it on inside its window (default: 14 periods or a tenth of the pre-period, whichever
  is larger); when there are more than :data:`MAX_PLACEBO_DATES` (200), that many evenly spaced
  among them (the first and last kept; ``settings["date_rule"]`` says so). Neighbouring dates
  give nearly the same fit, so thinning costs little resolution and makes long series
  tractable: a ten-year daily series has over 1,400 admissible dates.
- Model at each fake date: *the same specification* as the real fit, refitted through the same
  fit function, ``fit_its_model(window, spec.with_intervention(fake_date))`` (family and its
  dispersion estimation, trend, slope change, transition window, seasonality, covariates, offset,
  covariance estimator): its level change is what ``fit_its`` reports for that date and window.
  By default all the fake dates are fitted in one batch
  (:func:`trends.models.its_batched.fit_its_at_dates` with the windows, the stacked IRLS kernel
  of :mod:`trends.models.batched`): the same estimates and standard errors to about ``1e-10``
  relative (tested below ``1e-8``); a date the batch cannot finish exactly as the one-date fit
  would (no convergence, theta at its boundary, an unsupported family or covariance...) is
  refitted with ``fit_its_model``, and ``batched=False`` refits every date that way (the
  reference path; also the only path of a spec with ``inference="latent_ar"``, whose fake
  dates are latent-AR fits with the latent-AR standard error, each fitted cold). With
  ``warm_start=True`` (experimental) those latent-AR fits start their hyperparameter search at
  the previous date's optimum (:func:`trends.models.its_latent.warm_start_chain`: the Newton
  polish alone, the full search when the polish does not converge from there or ends at a
  bound): the cold estimates to about ``1e-8`` on the founding case, but not on every simulated
  series (a fake window whose likelihood has two optima can keep the previous date's; see
  ``benchmarks/results/speed_latent_ar_placebo.md``). A fake date whose model cannot be fitted
  (for example no events on one side) is left out and counted in ``n_failed``.
- Statistic (``statistic="studentised"``, the default): the level change on the log scale
  divided by its own standard error, ``t = b / se(b)``, for the real fit and every fake one
  (the standard error of the spec's inference: Newey-West HAC for ``inference="glm"`` with the
  default covariance, the latent-AR standard error for ``inference="latent_ar"``). Fake fits on
  shorter windows have larger variances; studentising puts every estimate on one scale.
  ``statistic="raw"`` ranks ``|b|`` itself (the rule before issue 12: conservative without a
  trend problem, liberal with one). Two-sided empirical p-value
  ``(1 + #{|s_fake| >= |s_real|}) / (1 + n_fake)`` and the one-sided version in the direction of
  the real change, for the chosen statistic ``s``. With few admissible dates the smallest
  attainable p-value is ``1/(1+n)``: the report states it. The raw level changes
  (``placebo_log_rr``, for the chart and the range in the report), their standard errors
  (``placebo_se``) and the studentised values (``placebo_t``) are all kept.

Size and power of both statistics on processes the package does not assume are measured by
``benchmarks/calibration_placebo.py`` (``benchmarks/results/placebo_calibration.md``).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, InsufficientDataError, ModelWarning, TrendsError
from trends.models.its import ITSResult, ITSSpec, fit_its_model
from trends.models.its_batched import fit_its_at_dates
from trends.models.its_design import PreparedSeries, prepare_series
from trends.models.its_latent import warm_start_chain
from trends.results import Result, to_jsonable
from trends.verdicts.words import fmt_ratio, placebo_phrase, plural

__all__ = [
    "MAX_PLACEBO_DATES",
    "STATISTICS",
    "WINDOW_RULES",
    "PlaceboResult",
    "placebo_dates",
    "placebo_test",
    "placebo_windows",
    "rank_p_values",
    "spec_of",
    "thin_dates",
]

#: Statistics the placebo ranks: ``b / se(b)`` (default) or ``b``.
STATISTICS = ("studentised", "raw")
#: Window rules of the fake fits (see the module notes).
WINDOW_RULES = ("matched", "pre-period")
#: Fake dates a placebo test fits at most, evenly spaced (``max_dates`` of :func:`placebo_test`).
MAX_PLACEBO_DATES = 200


def rank_p_values(real: float, fakes: np.ndarray) -> tuple[float, float, int]:
    """Empirical ``(two-sided p, one-sided p, n as large)`` of ``real`` among ``fakes``.

    Parameters
    ----------
    real : float
        The real statistic.
    fakes : numpy.ndarray
        The placebo statistics (NaN left out).

    Returns
    -------
    tuple of (float, float, int)
        ``(1 + #{|fake| >= |real|}) / (1 + m)``, the one-sided version in the direction of
        ``real``, and ``#{|fake| >= |real|}``.
    """
    v = np.asarray(fakes, dtype=float)
    v = v[np.isfinite(v)]
    m = v.size
    k = int(np.sum(np.abs(v) >= abs(real)))
    k1 = int(np.sum(v <= real)) if real < 0 else int(np.sum(v >= real))
    return (1 + k) / (1 + m), (1 + k1) / (1 + m), k


#: Fewer placebo estimates than this: no middle-95% range is quoted (with fewer than 40 the
#: 2.5% tails hold less than one estimate each), only the smallest and the largest.
MIN_PLACEBO_QUANTILE = 40


def _placebo_spread(ratios: np.ndarray) -> str:
    """The placebo rate ratios in words: one value, a range, or a range with its middle 95%."""
    if ratios.size == 1:
        return f"a level change (rate ratio) of {fmt_ratio(ratios[0])}"
    lo, hi = fmt_ratio(float(ratios.min())), fmt_ratio(float(ratios.max()))
    if lo == hi:
        return f"level changes (rate ratios) of {lo} at every date"
    text = f"level changes (rate ratios) between {lo} and {hi}"
    if ratios.size >= MIN_PLACEBO_QUANTILE:
        q = np.quantile(ratios, [0.025, 0.975])
        text += f" (middle 95%: {fmt_ratio(float(q[0]))} to {fmt_ratio(float(q[1]))})"
    return text


@dataclass(eq=False)
class PlaceboResult(Result):
    """Placebo distribution of level changes and the real estimate's place in it.

    Attributes
    ----------
    real_log_rr : float
        The real fit's level change (log rate ratio).
    placebo_log_rr : pandas.Series
        Level change of the same specification at each fake date (NaN when it could not be
        fitted), indexed by the fake date.
    p_value, p_value_one_sided : float
        Empirical p-values of the chosen ``statistic`` (see the module notes).
    min_segment : int
        Observed periods required each side of a fake date.
    family : str
        Family of the specification.
    theta : float or None
        The real fit's negative binomial theta (each fake fit estimates its own when the family
        does).
    outcome : str
        Name of the series.
    placebo_se : pandas.Series or None
        Standard error of each fake level change (the spec's inference).
    n_failed : int
        Fake dates whose model could not be fitted.
    spec : ITSSpec or None
        The specification that was refitted (with the real intervention).
    statistic : str
        ``"studentised"`` (``b / se``) or ``"raw"`` (``b``): what the p-values rank.
    real_se : float
        Standard error of the real level change.
    window : str
        Window rule of the fake fits (:data:`WINDOW_RULES`).
    windows : pandas.DataFrame or None
        First and last period, pre and post lengths of each fake fit's window, by fake date.
    settings : dict
        The real design's lengths and the rule (also in :meth:`to_dict`).
    """

    real_log_rr: float
    placebo_log_rr: pd.Series  # indexed by fake intervention date
    p_value: float
    p_value_one_sided: float
    min_segment: int
    family: str
    theta: float | None
    outcome: str = "events"
    placebo_se: pd.Series | None = None
    n_failed: int = 0
    spec: ITSSpec | None = None
    statistic: str = "raw"
    real_se: float = math.nan
    window: str = "pre-period"
    windows: pd.DataFrame | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def n_placebos(self) -> int:
        return int(self.placebo_log_rr.notna().sum())

    @property
    def real_rate_ratio(self) -> float:
        return float(math.exp(self.real_log_rr))

    @property
    def real_t(self) -> float:
        """The real level change over its standard error."""
        return float(self.real_log_rr / self.real_se) if self.real_se > 0 else math.nan

    @property
    def placebo_t(self) -> pd.Series:
        """Each fake level change over its own standard error."""
        if self.placebo_se is None:
            return self.placebo_log_rr * np.nan
        return (self.placebo_log_rr / self.placebo_se).rename("placebo_t")

    @property
    def real_statistic(self) -> float:
        """The ranked statistic of the real fit."""
        return self.real_t if self.statistic == "studentised" else self.real_log_rr

    @property
    def placebo_statistic(self) -> pd.Series:
        """The ranked statistic of each fake fit."""
        return self.placebo_t if self.statistic == "studentised" else self.placebo_log_rr

    @property
    def n_as_large(self) -> int:
        """Fake dates whose statistic is at least as large in absolute value as the real one."""
        v = self.placebo_statistic.dropna().to_numpy(dtype=float)
        return int(np.sum(np.abs(v) >= abs(self.real_statistic)))

    def summary(self) -> pd.DataFrame:
        rr = np.exp(self.placebo_log_rr.dropna())
        t = self.placebo_t.dropna()
        return pd.DataFrame(
            [
                {
                    "real_rate_ratio": self.real_rate_ratio,
                    "real_t": self.real_t,
                    "n_placebos": self.n_placebos,
                    "placebo_rr_p2.5": float(rr.quantile(0.025)) if len(rr) else np.nan,
                    "placebo_rr_median": float(rr.median()) if len(rr) else np.nan,
                    "placebo_rr_p97.5": float(rr.quantile(0.975)) if len(rr) else np.nan,
                    "placebo_abs_t_p95": float(t.abs().quantile(0.95)) if len(t) else np.nan,
                    "statistic": self.statistic,
                    "n_as_large": self.n_as_large,
                    "p_value": self.p_value,
                    "p_value_one_sided": self.p_value_one_sided,
                }
            ]
        )

    def glance(self) -> pd.DataFrame:
        return self.summary()[["real_rate_ratio", "real_t", "n_placebos", "statistic", "p_value"]]

    def report(self) -> str:
        n = self.n_placebos
        if n == 0:
            return "No placebo date was admissible: the pre-intervention period is too short."
        rr = np.exp(self.placebo_log_rr.dropna())
        rule = self.settings.get("date_rule", "every admissible date")
        among = "" if rule == "every admissible date" else (
            f" (evenly spaced among the {self.settings['admissible_dates']:,} admissible)"
        )  # fmt: skip
        ranges = (
            f"In-time placebo test for {self.outcome}: at "
            f"{plural(n, 'fake intervention date')}{among} "
            f"in the pre-intervention period the same model found "
            f"{_placebo_spread(rr.to_numpy(dtype=float))}."
        )
        real = f"The real level change (rate ratio {fmt_ratio(self.real_rate_ratio)})"
        if self.statistic == "studentised":
            real += ", relative to its standard error,"
            t_abs = self.placebo_t.dropna().abs()
            spread = (
                f"95% within ±{float(t_abs.quantile(0.95)):.1f}"
                if t_abs.size >= MIN_PLACEBO_QUANTILE
                else f"all within ±{float(t_abs.max()):.1f}"
                if t_abs.size
                else "none available"
            )
            scale = (
                f" Each change is compared in units of its own standard error (real: "
                f"{self.real_t:.1f}; placebo dates: {spread})."
            )
        else:
            scale = ""
        return (
            f"{ranges}{scale} {placebo_phrase(self.n_as_large, n, what=real)}. Empirical "
            f"p-value {self.p_value:.3f} (two-sided; one-sided {self.p_value_one_sided:.3f})."
        )

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(
            {
                "method": "in-time placebo over the admissible pre-period dates ("
                + self.settings.get("date_rule", "every admissible date")
                + ")",
                "statistic": self.statistic,
                "window": self.window,
                "settings": self.settings,
                "p_value": self.p_value,
                "p_value_one_sided": self.p_value_one_sided,
                "n_placebos": self.n_placebos,
                "n_as_large": self.n_as_large,
                "real_rate_ratio": self.real_rate_ratio,
                "real_t": self.real_t,
                "min_segment": self.min_segment,
                "family": self.family,
                "theta": self.theta,
                "placebo_rate_ratios": {
                    str(pd.Timestamp(k).date()): float(math.exp(v))
                    for k, v in self.placebo_log_rr.dropna().items()
                },
                "placebo_t": {
                    str(pd.Timestamp(k).date()): float(v)
                    for k, v in self.placebo_t.dropna().items()
                },
            }
        )

    # plot(): inherited from Result, draws the chart registered for PlaceboResult


def spec_of(its_result: ITSResult) -> ITSSpec:
    """The specification of a fit (rebuilt from its settings for old results).

    Parameters
    ----------
    its_result : ITSResult
        A fit of :func:`trends.models.its.fit_its`.

    Returns
    -------
    ITSSpec
        Its specification, interventions included.
    """
    if its_result.spec is not None:
        return its_result.spec
    st = its_result.settings
    return ITSSpec.from_options(
        [e.start for e in its_result.effects],
        family=its_result.family,
        trend=bool(st.get("trend", True)),
        slope_change=bool(st.get("slope_change", True)),
        transition=tuple(st["transition"]) if st.get("transition") else None,
        transition_mode=st.get("transition_mode", "exclude"),
        se=st.get("se", "hac"),
        hac_lags=st.get("hac_lags"),
        nb_se=st.get("nb_se", "conditional"),
        alpha=float(st.get("alpha", 0.05)),
        inference=st.get("inference", "glm"),
    )


def _real_design(prepared: PreparedSeries, its_result: ITSResult) -> tuple[int, int, int, int]:
    """``(pre_start, post_start, L_pre, L_post)`` positions and lengths of the real design.

    ``pre_start`` is the first period after the previous intervention (or 0), ``post_start``
    the first period of the placebo's pre-period end (the real intervention, before its
    transition window), ``L_pre`` / ``L_post`` the real fit's periods before its intervention
    and from it to the next intervention (or the series end).
    """
    post_pos = int(its_result.primary.position)
    before, _after = its_result.settings.get("transition") or (0, 0)
    positions = sorted(int(e.position) for e in its_result.effects)
    pre_start = max((q for q in positions if q < post_pos), default=0)
    nxt = min((q for q in positions if q > post_pos), default=prepared.n)
    return pre_start, max(post_pos - int(before), 0), post_pos - pre_start, nxt - post_pos


def _pre_period(prepared: PreparedSeries, its_result: ITSResult) -> PreparedSeries:
    """Periods before the real intervention (and its transition window), after the previous one."""
    lo, hi, _, _ = _real_design(prepared, its_result)
    return PreparedSeries(
        prepared.series.iloc[lo:hi], prepared.values[lo:hi], prepared.freq,
        prepared.starts[lo:hi], prepared.tz,
    )  # fmt: skip


def placebo_dates(pre: PreparedSeries, min_segment: int) -> pd.DatetimeIndex:
    """Fake dates: observed periods with ``min_segment`` observed periods before and from them.

    Parameters
    ----------
    pre : PreparedSeries
        The pre-intervention periods.
    min_segment : int
        Observed periods required each side.

    Returns
    -------
    pandas.DatetimeIndex
        The admissible dates, in order.
    """
    observed = pre.index[~np.isnan(pre.values)]
    n = len(observed)
    return observed[min_segment : n - min_segment + 1]


def placebo_windows(
    pre: PreparedSeries, min_segment: int, rule: str, real_pre: int, real_post: int
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Admissible fake dates and their windows ``[start, stop)`` (positions in ``pre``).

    Parameters
    ----------
    pre : PreparedSeries
        The pre-intervention periods.
    min_segment : int
        Observed periods required each side of a fake date, inside its window.
    rule : str
        ``"matched"``: ``[max(0, f - real_pre), min(N, f + max(real_post, min_segment)))`` for
        the date at position ``f``; ``"pre-period"``: the whole pre-period.
    real_pre, real_post : int
        Periods of the real fit before and from its intervention.

    Returns
    -------
    dates : pandas.DatetimeIndex
        The admissible fake dates.
    windows : numpy.ndarray
        ``(len(dates), 2)`` window limits.

    Raises
    ------
    trends.errors.InputError
        An unknown rule.
    """
    if rule not in WINDOW_RULES:
        raise InputError(f"unknown placebo window rule {rule!r}; choose from {WINDOW_RULES}")
    n = pre.n
    f = np.arange(n)
    if rule == "matched":
        lo = np.maximum(0, f - int(real_pre))
        hi = np.minimum(n, f + max(int(real_post), int(min_segment)))
    else:
        lo, hi = np.zeros(n, dtype=np.int64), np.full(n, n, dtype=np.int64)
    cum = np.concatenate([[0], np.cumsum(~np.isnan(pre.values))])
    before, after = cum[f] - cum[lo], cum[hi] - cum[f]
    keep = ~np.isnan(pre.values) & (before >= min_segment) & (after >= min_segment)
    return pre.index[keep], np.stack([lo[keep], hi[keep]], axis=1).astype(np.int64)


def thin_dates(
    dates: pd.DatetimeIndex, windows: np.ndarray, max_dates: int | None
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """At most ``max_dates`` of the fake dates and their windows, evenly spaced (first and last
    kept); all of them when there are no more (or ``max_dates`` is None).

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The admissible fake dates.
    windows : numpy.ndarray
        Their windows, one row per date.
    max_dates : int or None
        The most dates to keep.

    Returns
    -------
    (pandas.DatetimeIndex, numpy.ndarray)
        The kept dates and their windows.

    Raises
    ------
    trends.errors.InputError
        ``max_dates`` below 2.
    """
    if max_dates is None or len(dates) <= max_dates:
        return dates, windows
    if max_dates < 2:
        raise InputError(f"max_dates must be at least 2 (got {max_dates})")
    keep = np.unique(np.round(np.linspace(0, len(dates) - 1, int(max_dates))).astype(np.int64))
    return dates[keep], windows[keep]


def _fake_fit(
    pre: PreparedSeries, spec: ITSSpec, date: pd.Timestamp, bounds: tuple[int, int]
) -> tuple[float, float]:
    """``(log RR, SE)`` of the level change of ``spec`` at ``date`` on its window (NaN when not
    estimable)."""
    lo, hi = int(bounds[0]), int(bounds[1])
    win = PreparedSeries(
        pre.series.iloc[lo:hi], pre.values[lo:hi], pre.freq, pre.starts[lo:hi], pre.tz
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            fit = fit_its_model(win, spec.with_intervention(date))
    except (TrendsError, np.linalg.LinAlgError):
        return math.nan, math.nan
    lc = fit.primary.level_change
    return lc.coef, lc.se


def _fake_fits(
    pre: PreparedSeries,
    spec: ITSSpec,
    dates: pd.DatetimeIndex,
    windows: np.ndarray,
    batched: bool,
    warm_start: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``(log RR, SE)`` at every fake date: in one batch, the rest (or all) one by one.

    Latent-AR fits one by one are warm-started from the previous date's optimum when
    ``warm_start`` (:func:`trends.models.its_latent.warm_start_chain`).
    """
    coef = np.full(len(dates), np.nan)
    se = np.full(len(dates), np.nan)
    todo = np.ones(len(dates), dtype=bool)
    if batched and spec.inference == "glm" and len(dates):  # the batch kernel is the GLM's
        fits = fit_its_at_dates(pre, spec, dates, windows)
        coef[fits.ok], se[fits.ok] = fits.level_coef[fits.ok], fits.level_se[fits.ok]
        todo = ~fits.ok
    chain = warm_start_chain() if warm_start else contextlib.nullcontext()
    with chain:
        for i in np.flatnonzero(todo):
            coef[i], se[i] = _fake_fit(pre, spec, dates[i], windows[i])
    return coef, se


def _windows_frame(pre: PreparedSeries, dates: pd.DatetimeIndex, w: np.ndarray) -> pd.DataFrame:
    """First and last period and the pre / post lengths of each fake window."""
    pos = pre.index.get_indexer(dates)
    out = pd.DataFrame(
        {
            "first_period": pre.index[w[:, 0]] if len(w) else pd.DatetimeIndex([]),
            "last_period": pre.index[w[:, 1] - 1] if len(w) else pd.DatetimeIndex([]),
            "pre_periods": pos - w[:, 0],
            "post_periods": w[:, 1] - pos,
        },
        index=dates,
    )
    out.index.name = "fake_date"
    return out


def _fake_problem(
    series: pd.Series,
    its_result: ITSResult,
    min_segment: int | None,
    slope_change: bool | None,
    window: str,
) -> tuple[PreparedSeries, ITSSpec, pd.DatetimeIndex, np.ndarray, int, int, int]:
    """``(pre-period, spec, fake dates, windows, min_segment, L_pre, L_post)`` of a placebo test.

    Raises
    ------
    InsufficientDataError
        When the pre-intervention period has fewer than ``2 * min_segment`` observed periods.
    """
    spec = spec_of(its_result)
    if slope_change is not None and bool(slope_change) != spec.slope_change:
        spec = spec.replace(slope_change=bool(slope_change))
    prepared = prepare_series(series)
    _, _, real_pre, real_post = _real_design(prepared, its_result)
    pre = _pre_period(prepared, its_result)
    n = int(np.sum(~np.isnan(pre.values)))
    if min_segment is None:
        min_segment = max(14, n // 10)
    if n < 2 * min_segment:
        raise InsufficientDataError(
            f"the pre-intervention period has {n} observed periods; the placebo test needs at "
            f"least {2 * min_segment} ({min_segment} each side of a fake date)"
        )
    dates, wins = placebo_windows(pre, min_segment, window, real_pre, real_post)
    return pre, spec, dates, wins, int(min_segment), int(real_pre), int(real_post)


def placebo_test(
    series: pd.Series,
    its_result: ITSResult,
    *,
    min_segment: int | None = None,
    slope_change: bool | None = None,
    batched: bool = True,
    statistic: str = "studentised",
    window: str = "matched",
    warm_start: bool = False,
    max_dates: int | None = MAX_PLACEBO_DATES,
) -> PlaceboResult:
    """In-time placebo test of an interrupted-time-series level change.

    Parameters
    ----------
    series : pandas.Series
        The count series the ITS was fitted on (DatetimeIndex; NaN = not reported).
    its_result : ITSResult
        The real fit (:func:`trends.models.its.fit_its`): its specification (``its_result.spec``)
        is refitted at every fake date.
    min_segment : int, optional
        Observed periods required before and after each fake date inside its window (default
        ``max(14, pre-period length // 10)``).
    slope_change : bool, optional
        Include a slope change at each fake date (default: as in the real fit).
    batched : bool, default True
        Fit all the fake dates in one batch (:func:`trends.models.its_batched.fit_its_at_dates`:
        the same estimates and standard errors as the one-date fits to about ``1e-10``
        relative; dates it cannot finish are refitted one by one). ``False`` refits each date
        with ``fit_its_model`` (the reference path).
    statistic : {"studentised", "raw"}, default "studentised"
        Rank ``b / se(b)`` (each fit's level change over its own standard error) or ``b``.
    window : {"matched", "pre-period"}, default "matched"
        Window of each fake fit: the real design's lengths as far as the pre-period allows, or
        the whole pre-period (see the module notes).
    warm_start : bool, default False
        With ``inference="latent_ar"``, start each fake fit's hyperparameter search at the
        previous fake date's optimum (the Newton polish alone; the full search when it does not
        converge from there or ends at a bound). Experimental, off by default: about 1.3-2
        times faster, the same estimates as the cold fits to about ``1e-8`` on the founding
        case, but where a fake window's likelihood has two optima it can keep the previous
        date's and differ from the cold fit (measured in
        ``benchmarks/results/speed_latent_ar_placebo.md``).
    max_dates : int or None, default :data:`MAX_PLACEBO_DATES`
        At most this many fake dates, evenly spaced over the admissible ones (neighbouring
        dates give nearly the same fit; a ten-year daily series has over 1,400 admissible
        dates, and a latent-AR fit at each took ten minutes). ``None``: every admissible date.
        Designs with fewer admissible dates (every calibrated one, the founding case) use them
        all.

    Returns
    -------
    PlaceboResult
        The placebo distribution and the empirical p-values.

    Raises
    ------
    InsufficientDataError
        When the pre-intervention period has fewer than ``2 * min_segment`` observed periods.
    trends.errors.InputError
        An unknown statistic or window rule.
    """
    if statistic not in STATISTICS:
        raise InputError(f"unknown placebo statistic {statistic!r}; choose from {STATISTICS}")
    fake = _fake_problem(series, its_result, min_segment, slope_change, window)
    pre, spec, dates, wins, min_segment, real_pre, real_post = fake
    admissible = len(dates)
    dates, wins = thin_dates(dates, wins, max_dates)
    coef, se = _fake_fits(pre, spec, dates, wins, batched, warm_start)
    placebo = pd.Series(coef, index=dates, dtype=float, name="placebo_log_rr")
    placebo.index.name = "fake_date"
    ses = pd.Series(se, index=dates, dtype=float, name="placebo_se")
    lc = its_result.primary.level_change
    real, real_se = float(math.log(lc.estimate)), float(lc.se)
    if statistic == "studentised":
        p2, p1, _ = rank_p_values(real / real_se, coef / se)
    else:
        p2, p1, _ = rank_p_values(real, coef)
    theta = its_result.fit.theta
    settings = {
        "statistic": statistic,
        "window": window,
        "real_pre_periods": int(real_pre),
        "real_post_periods": int(real_post),
        "pre_period_periods": int(pre.n),
        "min_segment": int(min_segment),
        "admissible_dates": int(admissible),
        "date_rule": (
            "every admissible date"
            if len(dates) == admissible
            else f"{len(dates)} of the {admissible} admissible dates, evenly spaced"
        ),
        "window_rule": (
            "fake window [max(0, f - L_pre), min(N, f + max(L_post, min_segment))) of the "
            "N-period pre-period, L_pre / L_post the real fit's periods before / from its "
            "intervention"
            if window == "matched"
            else "every fake fit on the whole pre-period"
        ),
    }
    return PlaceboResult(
        real_log_rr=real,
        placebo_log_rr=placebo,
        p_value=float(p2),
        p_value_one_sided=float(p1),
        min_segment=int(min_segment),
        family=its_result.family,
        theta=None if theta is None else float(theta),
        outcome=str(series.name or "events"),
        placebo_se=ses,
        n_failed=int(placebo.isna().sum()),
        spec=spec,
        statistic=statistic,
        real_se=real_se,
        window=window,
        windows=_windows_frame(pre, dates, wins),
        settings=settings,
    )

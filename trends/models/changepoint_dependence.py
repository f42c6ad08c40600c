"""Serial dependence for the change-point search: a tempering factor for the likelihood.

The segment likelihoods of :mod:`trends.models.costs` treat the periods as independent. With
serial dependence (a latent persistent intensity, self-excitation, quiet and active regimes) the
log-likelihood ratio of a change is inflated by the ratio of the long-run to the short-run
variance of the data, ``phi = 1 + 2 sum_k rho_k``: a segment mean varies ``phi`` times more
than independent days would allow. :func:`estimate_dependence` estimates ``phi``;
:func:`trends.models.changepoint.detect_changepoints` divides the log-likelihood by it (a
tempered, or composite, likelihood), which scales the penalised criterion and widens the date
sets.

Estimator (robust to the level shifts being searched for)
---------------------------------------------------------
Counts are put on a variance-stabilised scale, ``x = 2 sqrt(y + 3/8)`` (Anscombe; values are
used as given for a Gaussian model). For lags ``k = 1..K`` (``K = min(30, max(10, n // 8))``) the
half mean squared difference ``V_k = mean((x[t+k] - x[t])^2) / 2`` estimates
``gamma_0 - gamma_k``; a level shift only enters the differences that straddle it (``k`` of the
``n - k`` at lag ``k``), so moderate shifts barely move the estimates. A large shift in a short
series does inflate them (the search then alternates with estimates inside the segments it
finds, but a shift it misses stays in the factor; when no change is found, the latent-AR check of
:mod:`trends.models.changepoint_shift` gives such a shift a second start). A second start from a fit with a term for
shifts was tried and not kept: it found real changes more often but raised false detections
under strong dependence above 0.10 (benchmarks/README.md, section 4c). The autocorrelations are modelled as
``rho_k = c p^k`` (an ARMA(1,1) autocorrelation: an AR(1) signal in noise, the shape of a latent
AR(1) intensity observed through counts, of INGARCH(1,1) counts and, approximately, of a
two-state Markov chain), fitted by least squares ``V_k = g0 - g0 c p^k`` over a grid of ``p``
in ``[0, 0.95]``; then ``phi = max(1, 1 + 2 c p / (1 - p))``. The periods are the observed ones
in order (unreported periods are skipped).

When independence is kept, ``phi = 1``
--------------------------------------
The factor is used only when the sum of the first three empirical autocorrelations,
``S = r_1 + r_2 + r_3`` with ``r_k = 1 - V_k / s^2`` (``s^2``: the variance about the segment
means), exceeds ``2.326 sqrt(3 / n)``: under independence the ``r_k`` are nearly uncorrelated
with variance ``1 / n`` each, so this is a one-sided test of size about 0.01 that the short-run
sum of the autocorrelations, not only the fit, is positive. The fit alone is no test: with few
lags (``K = 13`` at 111 days) a decay ``p`` near 0.95 is not observable (``p^K`` stays near 1),
the least squares then read a noisy drift of the ``V_k`` as a small ``c`` amplified by
``1 / (1 - p) = 20``, and the rule used before (``phi = 1`` when the fitted lag-1
autocorrelation ``c p`` is below ``2 / sqrt(n)``) let such fits through: on independent
Poisson(5) series of 111 days it gave ``phi > 2`` in 9.5% of the series and ``phi > 10`` in 5%.
With the test on ``S`` (2,000 seeded series per cell): 0.9% and 0.3%, and ``phi > 2`` in 0.4-0.8%
at 245 and 365 days, NB counts of size 1 or 2 alike (before: 1.4-2.2%). Under real dependence
the factor stays that of the fit: a latent AR(1) intensity of coefficient 0.7 (NB size 4, 4 a
day) gives ``phi > 1`` in 0.86 of the series of 245 days and 0.96 of 365 (0.87 and 0.97 before;
medians 2.33 and 2.43, true count-scale value 2.36) but in 0.55 of 111 days (0.66 before; median
1.66 against 2.39): at that length the test keeps part of a moderate dependence as
independence. Under a coefficient 0.9 or a self-exciting INGARCH(1,1) of persistence 0.7 or 0.9
the shares above 1 at 111 days or more are 0.82-1.00 (0.85-1.00 before) and the medians do not
move by more than 0.5. Three lags hold most of the signal of a persistent dependence (``S`` is about
``2.2 r_1`` for ``p = 0.7``) while the variance of ``S`` grows as ``3 / n`` only; the sum over
all ``K`` lags was tried and lost most of the power (its variance ``K / n``), and restricting
``p`` so that its decay is observable within the lags (``p^K <= 0.2``) cut the factor under an
AR(1) of 0.9 at 111 days from a median of 10 to 6. A level shift that the search has not found
adds more to ``s^2`` than to the short-lag ``V_k`` and passes this test more often than the
fitted rule did: on independent NB counts (mean 4, size 2) halved at day 127 of 245 the factor
from every pair exceeds 2 in 0.30 of the series (0.09 before). Inside the segments of the change
once found it exceeds 2 in 0.006 (0.034 before), and the search as a whole found that change in
0.975 of 200 series (0.960 before; a -30% change: 0.505 against 0.530, SE 0.035).
Measured: benchmarks/README.md, section 4c,
"Null distribution of the dependence factor" (``benchmarks/dependence_null.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trends.errors import ModelError

__all__ = [
    "DEPENDENCE_MIN_OBS",
    "EDGE_ZERO_MIN_PERIODS",
    "SET_COVERAGE_NOTE",
    "DependenceEstimate",
    "estimate_dependence",
    "resolve_dependence",
]

#: Fewer observed periods than this: the factor is not estimated (taken as 1).
DEPENDENCE_MIN_OBS = 40
#: A run of zeros at either edge of the window shorter than this many observed periods is not
#: reported as a change to (or from) a zero rate (``edge_zeros`` of ``detect_changepoints``).
EDGE_ZERO_MIN_PERIODS = 14
#: Measured coverage of the tempered date sets, stated with them in reports
#: (benchmarks/calibration_changepoint.py; benchmarks/results/changepoint_calibration.md).
SET_COVERAGE_NOTE = (
    "in simulations with strong serial dependence, 300 series per design, a set contained the "
    "true date of a real -50% change in 0.58-0.89 of the series where the change was found "
    "and in 0.13-0.73 of all series; on independent counts in 0.87-0.93 of all series: "
    "benchmarks/results/changepoint_second_start.md"
)
_MAX_LAG = 30
_MIN_LAG = 10
#: independence is kept when ``r_1 + ... + r_m`` (``m = _SHORT_LAGS``) is below
#: ``_Z_NONE sqrt(m / n)``, ``_Z_NONE`` the 0.99 quantile of the standard normal (module docstring)
_Z_NONE = 2.326
_SHORT_LAGS = 3
_P_GRID = np.linspace(0.0, 0.95, 50)


@dataclass(frozen=True)
class DependenceEstimate:
    """The tempering factor of the change-point likelihood.

    Attributes
    ----------
    factor : float
        ``phi >= 1``: ratio of the long-run to the short-run variance (1: independent periods).
    method : str
        ``"none"`` (not tempered), ``"fixed"`` (given by the user), ``"estimated"`` or
        ``"too short"`` (fewer than :data:`DEPENDENCE_MIN_OBS` observed periods: 1).
    persistence : float
        Fitted decay ``p`` of the autocorrelations (``nan`` unless estimated).
    lag1 : float
        Fitted lag-1 autocorrelation ``c p`` (``nan`` unless estimated).
    max_lag : int
        Largest lag used (0 unless estimated).
    """

    factor: float = 1.0
    method: str = "none"
    persistence: float = math.nan
    lag1: float = math.nan
    max_lag: int = 0

    @property
    def tempered(self) -> bool:
        """Whether the likelihood is divided by a factor above 1."""
        return self.factor > 1.0

    def sentence(self, counts: bool = True) -> str:
        """The methods sentence about the factor.

        Parameters
        ----------
        counts : bool, default True
            Whether the series holds counts (estimated on square roots, with the check for a
            hidden shift) or values (a Gaussian model).

        Returns
        -------
        str
            The words (empty when the likelihood is not tempered by design).
        """
        if self.method == "none":
            return "The periods were treated as independent (no correction for serial dependence)."
        if self.method == "fixed":
            return (
                f"The log-likelihood was divided by a given serial-dependence factor of "
                f"{self.factor:.2f} (tempered likelihood) in the criterion and the date weights."
            )
        if self.method == "too short":
            return (
                f"The series is too short (fewer than {DEPENDENCE_MIN_OBS} observed periods) to "
                "estimate serial dependence; the periods were treated as independent."
            )
        scale = "square-root counts" if counts else "values"
        hidden = (
            "; when no change is found, a model with memory checks the best single split for "
            "such a hidden shift"
            if counts
            else ""
        )
        return (
            "To tell a shift of level from serial dependence, the log-likelihood was divided by "
            f"an estimated dependence factor of {self.factor:.2f} (tempered likelihood: the ratio "
            "of long-run to short-run variance, 1 + 2 sum of the autocorrelations, fitted as "
            f"c p^k with p = {self.persistence:.2f} and lag-1 autocorrelation "
            f"{self.lag1:.2f} from mean squared differences at lags 1-{self.max_lag} of the "
            f"{scale}, re-estimated inside the segments of any change found), in the criterion "
            "and in the date weights. A large shift that the search has not found also raises "
            f"the factor{hidden}. The calibrated set of possible change dates is given either "
            "way."
        )


def _within_variance(x: np.ndarray, seg: np.ndarray | None) -> float:
    """Variance of ``x`` about the means of its segments (``seg``: segment numbers, or None)."""
    if seg is None:
        return float(np.var(x, ddof=1))
    sums = np.bincount(seg, weights=x)
    sizes = np.bincount(seg)
    dev = x - (sums / np.maximum(sizes, 1))[seg]
    dof = x.size - int(np.count_nonzero(sizes))
    return float(dev @ dev) / dof if dof > 0 else 0.0


def _fit_differences(v: np.ndarray, k: np.ndarray) -> tuple[float, float, float]:
    """``(g0, c, p)`` minimising ``sum (v_k - g0 + g0 c p^k)^2`` over the grid of ``p``.

    ``p = 0`` is the constant fit (no dependence); ``c`` is clipped to ``[0, 1]``.
    """
    sv, n_k = float(v.sum()), float(k.size)
    best = (float(np.sum((v - sv / n_k) ** 2)), sv / n_k, 0.0, 0.0)
    for p in _P_GRID[1:]:
        f = p**k
        sf, sff, svf = float(f.sum()), float(f @ f), float(v @ f)
        det = n_k * sff - sf * sf
        if det <= 1e-12 * max(1.0, n_k * sff):
            continue
        # v = a - b f: normal equations of (a, b)
        a = (sff * sv - sf * svf) / det
        b = (sf * sv - n_k * svf) / det
        if a <= 0:
            continue
        rss = float(np.sum((v - a + b * f) ** 2))
        if rss < best[0]:
            best = (rss, a, b / a, float(p))
    return best[1], float(np.clip(best[2], 0.0, 1.0)), best[3]


def estimate_dependence(
    y: np.ndarray, *, counts: bool = True, breaks: np.ndarray | None = None
) -> DependenceEstimate:
    """Estimate the serial-dependence factor ``phi`` of a series (module docstring).

    Parameters
    ----------
    y : numpy.ndarray
        Observed values in time order (no missing values).
    counts : bool, default True
        Whether the values are counts (square-root transformed first).
    breaks : numpy.ndarray, optional
        Changes already found (first index of each new segment): only the pairs of periods in
        the same segment enter the differences, so the shifts found do not count as dependence.

    Returns
    -------
    DependenceEstimate
        ``method="estimated"``, or ``"too short"`` with factor 1 below
        :data:`DEPENDENCE_MIN_OBS` observations.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> estimate_dependence(rng.poisson(4.0, 365)).factor
    1.0
    """
    y = np.asarray(y, dtype=float)
    n = int(y.size)
    if n < DEPENDENCE_MIN_OBS:
        return DependenceEstimate(1.0, "too short")
    x = 2.0 * np.sqrt(y + 0.375) if counts else y
    kmax = int(min(_MAX_LAG, max(_MIN_LAG, n // 8)))
    k = np.arange(1, kmax + 1)
    seg = None
    if breaks is not None and len(breaks):
        seg = np.zeros(n, dtype=np.int64)
        seg[np.asarray(breaks, dtype=np.int64)] = 1
        seg = np.cumsum(seg)
    v = np.empty(kmax)
    for i, j in enumerate(k):
        d2 = (x[j:] - x[:-j]) ** 2
        if seg is not None:
            d2 = d2[seg[j:] == seg[:-j]]
        v[i] = float(d2.mean()) / 2.0 if d2.size else np.nan
    if np.isnan(v).any():  # lags longer than every segment
        keep = ~np.isnan(v)
        k, v = k[keep], v[keep]
        if k.size < 3:
            return DependenceEstimate(1.0, "too short")
    s2 = _within_variance(x, seg)
    if not np.any(v > 0) or s2 <= 0:
        return DependenceEstimate(1.0, "estimated", 0.0, 0.0, kmax)
    _g0, c, p = _fit_differences(v, k.astype(float))
    factor = 1.0 + 2.0 * c * p / (1.0 - p) if p > 0 else 1.0
    short = k <= _SHORT_LAGS
    m = int(short.sum())
    if float(np.sum(1.0 - v[short] / s2)) < _Z_NONE * math.sqrt(m / n):  # independence kept
        factor = 1.0
    return DependenceEstimate(max(1.0, float(factor)), "estimated", p, c * p, int(k[-1]))


def resolve_dependence(
    dependence: Any, model: str, y: np.ndarray, counts: bool
) -> DependenceEstimate:
    """The factor for a ``dependence`` option of ``detect_changepoints``.

    Parameters
    ----------
    dependence : {"auto", "estimate", "none"} or float
        ``"auto"``: estimated for the negative binomial model, none for the others (the Poisson
        model's exact posterior and the Gaussian model's strucchange results are kept);
        ``"estimate"``: estimated for any model; ``"none"``: independent periods (the search
        before issue 12); a number ``>= 1``: that factor.
    model : str
        Name of the change-point model.
    y : numpy.ndarray
        Observed values.
    counts : bool
        Whether the model is for counts.

    Returns
    -------
    DependenceEstimate
        The factor.

    Raises
    ------
    trends.errors.ModelError
        An unknown option or a number below 1.
    """
    if isinstance(dependence, str):
        key = dependence.lower()
        if key == "none" or (key == "auto" and model != "negbin"):
            return DependenceEstimate()
        if key in ("auto", "estimate"):
            return estimate_dependence(y, counts=counts)
        raise ModelError(
            f"dependence must be 'auto', 'estimate', 'none' or a number >= 1, got {dependence!r}"
        )
    try:
        value = float(dependence)
    except (TypeError, ValueError) as exc:
        raise ModelError(
            f"dependence must be 'auto', 'estimate', 'none' or a number >= 1, got {dependence!r}"
        ) from exc
    if not (math.isfinite(value) and value >= 1.0):
        raise ModelError(f"a numeric dependence factor must be finite and >= 1, got {dependence!r}")
    return DependenceEstimate(value, "fixed" if value > 1.0 else "none")

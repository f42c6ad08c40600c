"""Change-point models ("costs") as objects in a registry.

A :class:`ChangePointCost` is everything :func:`trends.models.changepoint.detect_changepoints`
needs to know about one segment model: its segment cost (:mod:`trends.models._segmentation`), how
its parameters are counted in the criterion, how it searches (the negative binomial alternates
the search with its dispersion), its segment levels and their intervals, the weights and sets of
the change dates, the evidence of a change, and its words.

Registered costs (:data:`COSTS`):

``"poisson"``
    Poisson counts with a constant rate per segment; exact Gamma-Poisson posterior for the dates.
``"negbin"``
    NB2 counts with a constant mean per segment and one common ``theta`` (ML given the
    segmentation, alternated with the search); normalised profile-likelihood weights for dates.
``"gaussian"``
    Constant means with normal errors and a common variance (strucchange's
    ``breakpoints(y ~ 1)``); Bai's (1997) interval for dates.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammainccinv, gammaincinv, gammaln, ndtri, stdtrit

from trends.errors import InputError, InsufficientDataError, ModelError, UnknownModelComponentError
from trends.models._segmentation import (
    GaussianCost,
    NegBinCost,
    PoissonCost,
    ScaledCost,
    SearchOutcome,
    SegmentCost,
    argmax_cdf,
    argmax_quantiles,
    penalised_search,
)
from trends.models.wording import fmt_level
from trends.verdicts.words import plural

__all__ = [
    "COSTS",
    "ChangePointCost",
    "DateWeights",
    "GaussianChangeCost",
    "NegBinChangeCost",
    "PoissonChangeCost",
    "SegmentFit",
    "cost_names",
    "get_cost",
    "register_cost",
]

_ALPHA_MIN = 1e-6  # NB2 alpha = 1/theta: below this the model is Poisson for all purposes
_ALPHA_MAX = 1e2


@dataclass(frozen=True)
class SegmentFit:
    """A segmentation with the model's final segment cost.

    Attributes
    ----------
    search : SearchOutcome
        Breaks, criterion table and search method.
    cost : SegmentCost
        The segment cost at the final parameters (theta for the negative binomial).
    dispersion : float or None
        Negative binomial ``theta``.
    rounds : int
        Rounds of the search / dispersion alternation.
    """

    search: SearchOutcome
    cost: SegmentCost
    dispersion: float | None
    rounds: int


@dataclass(frozen=True)
class DateWeights:
    """Weights over the admissible dates of one change, and its confidence set.

    Attributes
    ----------
    logp : numpy.ndarray
        Unnormalised log weights of the candidate dates.
    set_idx : numpy.ndarray or None
        Indices of the confidence set when the model does not use the highest-weight set.
    note : str or None
        A caveat about the set.
    """

    logp: np.ndarray
    set_idx: np.ndarray | None = None
    note: str | None = None


@dataclass(frozen=True)
class ChangePointCost:
    """Base class of the change-point models.

    Attributes
    ----------
    name : str
        Registry key (``ChangePointResult.model``).
    label : str
        Model name in words.
    counts : bool
        Whether the values must be whole non-negative counts.
    level_name : str
        ``"rate"`` or ``"mean"``.
    n_extra_params : int
        Parameters counted besides levels and dates (dispersion or variance).
    extra_param_words : str
        Their words in the criterion sentence.
    min_size_floor : int
        Smallest allowed ``min_size``.
    """

    name: str = ""
    label: str = ""
    counts: bool = True
    level_name: str = "rate"
    n_extra_params: int = 0
    extra_param_words: str = ""
    min_size_floor: int = 1

    # -- data ------------------------------------------------------------------------------
    def check_values(self, y: np.ndarray) -> None:
        """Refuse observed values that cannot be segmented.

        Parameters
        ----------
        y : numpy.ndarray
            Observed values.

        Raises
        ------
        trends.errors.InsufficientDataError
            For count models: all counts are zero.
        """
        if self.counts and not np.any(y > 0):
            raise InsufficientDataError(
                "all observed counts are zero: there is no rate to compare, so no change can "
                "be dated"
            )

    def n_params(self, m: np.ndarray) -> np.ndarray:
        """Parameters of a segmentation with ``m`` changes: levels, dates and extras.

        Parameters
        ----------
        m : numpy.ndarray
            Numbers of changes.

        Returns
        -------
        numpy.ndarray
            ``2 m + 1 + n_extra_params``.
        """
        return 2 * m + 1 + self.n_extra_params

    # -- search ----------------------------------------------------------------------------
    def segment_cost(self, y: np.ndarray) -> SegmentCost:
        """The segment cost of the observed values.

        Parameters
        ----------
        y : numpy.ndarray
            Observed values.

        Returns
        -------
        SegmentCost
            The cost.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def pelt_cost(self, cost: SegmentCost, y: np.ndarray) -> tuple[SegmentCost, float | None]:
        """The cost PELT minimises on the ``-log L`` scale, and a plug-in variance if any.

        Parameters
        ----------
        cost : SegmentCost
            The segment cost.
        y : numpy.ndarray
            Observed values.

        Returns
        -------
        tuple
            ``(cost, sigma2 or None)``.
        """
        return cost, None

    def loglik(
        self, raw: np.ndarray, cost: SegmentCost, n: int, sigma2: float | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Maximised log-likelihoods from total segment costs (and RSS for a Gaussian model).

        Parameters
        ----------
        raw : numpy.ndarray
            Total segment costs (PELT's scaled costs when ``sigma2`` is given).
        cost : SegmentCost
            The segment cost.
        n : int
            Observed periods.
        sigma2 : float or None
            PELT's plug-in variance.

        Returns
        -------
        tuple
            ``(loglik, rss or None)``.
        """
        return cost.constant - raw, None

    def segment(
        self,
        y: np.ndarray,
        h: int,
        kmax: int,
        n_changes: int | None,
        method: str,
        c: float | None,
        pen_change: float,
    ) -> SegmentFit:
        """Search the segmentation (see :func:`trends.models._segmentation.penalised_search`).

        Parameters
        ----------
        y : numpy.ndarray
            Observed values.
        h : int
            Minimal segment size.
        kmax : int
            Largest number of changes.
        n_changes : int or None
            Fixed number of changes.
        method : str
            ``"auto"``, ``"dp"`` or ``"pelt"``.
        c : float or None
            Criterion constant per parameter (None with a numeric penalty).
        pen_change : float
            Penalty per change on the ``-2 log L`` scale.

        Returns
        -------
        SegmentFit
            The segmentation and its final cost.
        """
        cost = self.segment_cost(y)
        found = penalised_search(self, y, cost, h, kmax, n_changes, method, c, pen_change)
        return SegmentFit(found, cost, None, 0)

    # -- segments and dates ----------------------------------------------------------------------
    def segment_levels(
        self, fit: SegmentFit, edges: np.ndarray, level: float
    ) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
        """Segment levels, the segment table's model columns, and context for the dates.

        Parameters
        ----------
        fit : SegmentFit
            The segmentation.
        edges : numpy.ndarray
            ``[0, breaks..., n]``.
        level : float
            Confidence level.

        Returns
        -------
        tuple
            ``(levels, columns, context)``.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def prior(self, y: np.ndarray) -> dict[str, float] | None:
        """Prior of the segment levels (the Poisson model's Gamma prior), else None.

        Parameters
        ----------
        y : numpy.ndarray
            Observed values.

        Returns
        -------
        dict or None
            The prior.
        """
        return None

    def date_weights(
        self,
        fit: SegmentFit,
        left: int,
        tau: int,
        right: int,
        cand: np.ndarray,
        level: float,
        context: dict[str, Any],
    ) -> DateWeights:
        """Log weights of the candidate dates of the change at ``tau`` between its neighbours.

        Parameters
        ----------
        fit : SegmentFit
            The segmentation.
        left, tau, right : int
            Previous change (or 0), this change, next change (or n).
        cand : numpy.ndarray
            Admissible dates.
        level : float
            Confidence level.
        context : dict
            From :meth:`segment_levels` (and ``prior``, ``n``, ``m``).

        Returns
        -------
        DateWeights
            The weights (and a set when not the highest-weight set).
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def evidence(
        self, fit: SegmentFit, left: int, tau: int, right: int, context: dict[str, Any]
    ) -> float:
        """Twice the log-likelihood gain of the change at ``tau``, neighbours held fixed.

        Parameters
        ----------
        fit : SegmentFit
            The segmentation.
        left, tau, right : int
            Previous change (or 0), this change, next change (or n).
        context : dict
            From :meth:`segment_levels`.

        Returns
        -------
        float
            The evidence.
        """
        cost = fit.cost
        return 2.0 * float(cost(left, right) - cost(left, tau) - cost(tau, right))

    # -- words -----------------------------------------------------------------------------------
    def set_method(self, level: float) -> str:
        """Name of the date sets (``"95% Bai (1997) asymptotic interval"``...).

        Parameters
        ----------
        level : float
            Confidence level.

        Returns
        -------
        str
            The words.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def model_sentence(self, dispersion: float | None, rounds: int) -> str:
        """The methods sentence about the model.

        Parameters
        ----------
        dispersion : float or None
            Fitted theta.
        rounds : int
            Rounds of the alternation.

        Returns
        -------
        str
            The sentence.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def sets_sentence(self, pct: int, prior: dict[str, float] | None) -> str:
        """The methods sentences about the date sets and the segment intervals.

        Parameters
        ----------
        pct : int
            Level in percent.
        prior : dict or None
            Prior of the levels.

        Returns
        -------
        str
            The sentences.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def model_phrase(self, dispersion: float | None) -> str:
        """Short model name for the report's closing parenthesis.

        Parameters
        ----------
        dispersion : float or None
            Fitted theta.

        Returns
        -------
        str
            The words.
        """
        return self.label

    def sets_phrase(self) -> str:
        """Short words about the date sets for the report's closing parenthesis.

        Returns
        -------
        str
            The words.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def notes(self, dispersion: float | None) -> list[str]:
        """Caveats about the fit.

        Parameters
        ----------
        dispersion : float or None
            Fitted theta.

        Returns
        -------
        list of str
            The caveats.
        """
        return []


def _count_check(values: np.ndarray, observed: np.ndarray, model: str, name: str | None) -> None:
    neg = observed & (values < 0)
    if neg.any():
        raise InputError(
            f"negative count {values[np.argmax(neg)]:g}: counts must be >= 0",
            row=int(np.argmax(neg)) + 1,
            column=name,
        )
    frac = observed & (values != np.round(values))
    if frac.any():
        raise InputError(
            f"non-integer count {values[np.argmax(frac)]:g}: the {model} model needs whole "
            "numbers (use model='gaussian' for rates or averages)",
            row=int(np.argmax(frac)) + 1,
            column=name,
        )


def check_counts(
    cost: ChangePointCost, values: np.ndarray, observed: np.ndarray, name: str | None
) -> None:
    """Refuse negative or non-integer values for a count model.

    Parameters
    ----------
    cost : ChangePointCost
        The model.
    values : numpy.ndarray
        All values (NaN = not reported).
    observed : numpy.ndarray
        Which are observed.
    name : str or None
        Series name for the error.

    Raises
    ------
    trends.errors.InputError
        A negative or fractional count.
    """
    if cost.counts:
        _count_check(values, observed, cost.name, name)


# --------------------------------------------------------------------------------------------
# Poisson
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoissonChangeCost(ChangePointCost):
    """Poisson counts, constant rate per segment."""

    name: str = "poisson"
    label: str = "Poisson"

    def segment_cost(self, y: np.ndarray) -> SegmentCost:
        """See :meth:`ChangePointCost.segment_cost`."""
        return PoissonCost(y)

    def segment_levels(
        self, fit: SegmentFit, edges: np.ndarray, level: float
    ) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
        """Rates with exact (Garwood) intervals."""
        alpha = 1.0 - level
        seg_n, seg_s = fit.cost.sums(edges[:-1], edges[1:])
        levels = seg_s / seg_n
        lo = np.where(seg_s > 0, gammaincinv(np.maximum(seg_s, 1e-300), alpha / 2.0), 0.0)
        hi = gammainccinv(seg_s + 1.0, alpha / 2.0)
        lo, hi = lo / seg_n, hi / seg_n
        return levels, {"total": seg_s, "rate": levels, "ci_low": lo, "ci_high": hi}, {}

    def prior(self, y: np.ndarray) -> dict[str, float] | None:
        """Gamma(shape = mean, rate = 1): one period of data at the overall mean."""
        return {"shape": float(y.mean()), "rate": 1.0}

    def date_weights(
        self,
        fit: SegmentFit,
        left: int,
        tau: int,
        right: int,
        cand: np.ndarray,
        level: float,
        context: dict[str, Any],
    ) -> DateWeights:
        """Exact log posterior with the Gamma priors integrated out."""
        a0 = context["prior"]["shape"]
        n1, s1 = fit.cost.sums(left, cand)
        n2, s2_ = fit.cost.sums(cand, right)
        logp = (
            gammaln(a0 + s1)
            - (a0 + s1) * np.log(1.0 + n1)
            + gammaln(a0 + s2_)
            - (a0 + s2_) * np.log(1.0 + n2)
        )
        return DateWeights(np.asarray(logp, dtype=float))

    def set_method(self, level: float) -> str:
        """See :meth:`ChangePointCost.set_method`."""
        return f"{int(round(level * 100))}% highest-posterior-density set (Gamma-Poisson)"

    def model_sentence(self, dispersion: float | None, rounds: int) -> str:
        """See :meth:`ChangePointCost.model_sentence`."""
        return "Counts were modelled as Poisson with a constant rate within each segment."

    def sets_sentence(self, pct: int, prior: dict[str, float] | None) -> str:
        """See :meth:`ChangePointCost.sets_sentence`."""
        if prior is None:  # pragma: no cover - the Poisson model always has its prior
            return ""
        return (
            "Uncertainty about each date, holding the neighbouring changes fixed: exact posterior "
            f"with independent Gamma(shape {fmt_level(prior['shape'])}, rate 1) priors on the two "
            "segment rates (worth one period of data at the overall mean) and a uniform prior "
            f"over admissible dates; {pct}% highest-posterior-density sets. Segment rates: exact "
            "(Garwood) Poisson intervals."
        )

    def sets_phrase(self) -> str:
        """See :meth:`ChangePointCost.sets_phrase`."""
        return "dates: exact posterior with Gamma priors, highest-density sets"


# --------------------------------------------------------------------------------------------
# negative binomial
# --------------------------------------------------------------------------------------------
def _alpha_moments(y: np.ndarray) -> float:
    """NB2 ``alpha`` from successive pairs, insensitive to level shifts.

    For independent counts with a common mean ``mu`` in a pair, ``E[(y_t - y_{t-1})^2]/2 =
    mu + alpha mu^2`` and ``E[y_t y_{t-1}] = mu^2``; averaging over pairs gives
    ``alpha = (mean(d^2)/2 - mean(ybar)) / mean(y_t y_{t-1})``.
    """
    if y.size < 3:
        return _ALPHA_MIN
    a, b = y[1:], y[:-1]
    num = float(np.mean((a - b) ** 2)) / 2.0 - float(np.mean((a + b) / 2.0))
    den = float(np.mean(a * b))
    if den <= 0 or not np.isfinite(num):
        return _ALPHA_MIN
    return float(np.clip(num / den, _ALPHA_MIN, _ALPHA_MAX))


def _alpha_ml(y: np.ndarray, breaks: np.ndarray) -> float:
    """Maximum-likelihood NB2 ``alpha`` with the segment means at their sample means."""
    edges = np.concatenate(([0], breaks, [y.size]))
    seg_id = np.repeat(np.arange(edges.size - 1), np.diff(edges))
    sums = np.add.reduceat(y, edges[:-1]) if y.size else np.zeros(0)
    mu = (sums / np.diff(edges))[seg_id]

    def nll(log_alpha: float) -> float:
        th = math.exp(-log_alpha)
        ll = (
            gammaln(y + th)
            - gammaln(th)
            + th * np.log(th / (th + mu))
            + np.where(y > 0, y * np.log(np.where(mu > 0, mu, 1.0) / (th + mu)), 0.0)
        )
        return -float(ll.sum())

    res = minimize_scalar(
        nll,
        bounds=(math.log(_ALPHA_MIN), math.log(_ALPHA_MAX)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(math.exp(res.x))


def _nb_rate_interval(s: float, n: int, theta: float, level: float) -> tuple[float, float]:
    """Likelihood-ratio interval for an NB2 mean with ``theta`` fixed."""
    q = float(ndtri(0.5 + level / 2.0)) ** 2 / 2.0
    m = s / n

    def ll(mu: float) -> float:
        out = -(s + n * theta) * math.log(mu + theta)
        return out + (s * math.log(mu) if s > 0 else 0.0)

    top = ll(m) if m > 0 else -(n * theta) * math.log(theta)
    f = lambda mu: ll(mu) - (top - q)  # noqa: E731
    hi_b = max(m, 1.0 / n) * 2.0 + 1.0
    while f(hi_b) > 0:
        hi_b *= 2.0
    upper = (
        brentq(f, max(m, 1e-300), hi_b, xtol=1e-12, rtol=1e-10)
        if m > 0
        else brentq(f, 1e-300, hi_b, xtol=1e-14, rtol=1e-10)
    )
    lower = 0.0 if s == 0 else brentq(f, m * 1e-12, m, xtol=1e-14, rtol=1e-10)
    return lower, upper


@dataclass(frozen=True)
class NegBinChangeCost(ChangePointCost):
    """NB2 counts, constant mean per segment, one common ``theta`` alternated with the search."""

    name: str = "negbin"
    label: str = "negative binomial"
    n_extra_params: int = 1
    extra_param_words: str = " + 1 dispersion"

    def segment_cost(self, y: np.ndarray) -> SegmentCost:
        """The cost at the moment estimate of theta (see :meth:`segment`)."""
        return NegBinCost(y, 1.0 / _alpha_moments(y))

    def segment(
        self,
        y: np.ndarray,
        h: int,
        kmax: int,
        n_changes: int | None,
        method: str,
        c: float | None,
        pen_change: float,
    ) -> SegmentFit:
        """Alternate the search and the ML theta until the segmentation is stable (<= 5 rounds)."""
        alpha = _alpha_moments(y)
        previous = None
        iterations = 0
        base = NegBinCost(y, 1.0 / alpha)  # later thetas share its theta-free cached terms
        dp_first = False
        for iterations in range(1, 6):  # noqa: B007 - the count is reported
            res = penalised_search(
                self, y, base.with_theta(1.0 / alpha), h, kmax, n_changes, method, c, pen_change,
                dp_first=dp_first,
            )  # fmt: skip
            # PELT fell back to the DP: with the next theta, try the DP first (same results)
            dp_first = res.method == "dp" and n_changes is None
            if previous is not None and np.array_equal(previous, res.breaks):
                # alpha is already the ML estimate for these breaks (computed last round), so
                # the new estimate would be identical: the alternation has converged.
                break
            new_alpha = _alpha_ml(y, res.breaks)
            previous = res.breaks
            alpha = new_alpha
        theta = 1.0 / alpha
        return SegmentFit(res, NegBinCost(y, theta), theta, iterations)

    def segment_levels(
        self, fit: SegmentFit, edges: np.ndarray, level: float
    ) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
        """Means with likelihood-ratio intervals (theta fixed)."""
        seg_n, seg_s = fit.cost.sums(edges[:-1], edges[1:])
        levels = seg_s / seg_n
        theta = float(fit.dispersion)  # type: ignore[arg-type]
        bounds = [
            _nb_rate_interval(float(s), int(k), theta, level)
            for s, k in zip(seg_s, seg_n, strict=True)
        ]
        lo = np.array([b[0] for b in bounds])
        hi = np.array([b[1] for b in bounds])
        return levels, {"total": seg_s, "rate": levels, "ci_low": lo, "ci_high": hi}, {}

    def date_weights(
        self,
        fit: SegmentFit,
        left: int,
        tau: int,
        right: int,
        cand: np.ndarray,
        level: float,
        context: dict[str, Any],
    ) -> DateWeights:
        """Profile log-likelihood of each date (theta fixed)."""
        logp = -(fit.cost(left, cand) + fit.cost(cand, right))
        return DateWeights(np.asarray(logp, dtype=float))

    def set_method(self, level: float) -> str:
        """See :meth:`ChangePointCost.set_method`."""
        return f"{int(round(level * 100))}% highest profile-likelihood-weight set (theta fixed)"

    def model_sentence(self, dispersion: float | None, rounds: int) -> str:
        """See :meth:`ChangePointCost.model_sentence`."""
        return (
            "Counts were modelled as negative binomial (NB2, variance mu + mu^2/theta) with a "
            "constant mean within each segment and one common theta "
            f"(estimated {fmt_level(dispersion or np.nan)}), estimated by maximum likelihood "
            "given the segmentation and alternated with the search until the segmentation was "
            f"stable ({plural(rounds, 'round')}), starting from a moment estimate from successive "
            "differences; theta was then treated as known."
        )

    def sets_sentence(self, pct: int, prior: dict[str, float] | None) -> str:
        """See :meth:`ChangePointCost.sets_sentence`."""
        return (
            "Uncertainty about each date, holding the neighbouring changes fixed: normalised "
            "profile-likelihood weights over admissible dates (theta fixed, segment means at "
            f"their maximum-likelihood values), not a full posterior; {pct}% highest-weight "
            "sets. Segment rates: likelihood-ratio intervals with theta fixed."
        )

    def model_phrase(self, dispersion: float | None) -> str:
        """See :meth:`ChangePointCost.model_phrase`."""
        if dispersion is not None and dispersion >= 1e4:
            return "negative binomial (theta at or above 10,000)"
        return f"negative binomial (theta {fmt_level(dispersion or np.nan)})"

    def sets_phrase(self) -> str:
        """See :meth:`ChangePointCost.sets_phrase`."""
        return "dates: normalised profile-likelihood weights (theta fixed)"

    def notes(self, dispersion: float | None) -> list[str]:
        """See :meth:`ChangePointCost.notes`."""
        if dispersion is not None and dispersion > 1e4:
            return [
                "Practically no overdispersion was found (theta > 10,000): the negative binomial "
                "reduces to the Poisson."
            ]
        return []


# --------------------------------------------------------------------------------------------
# Gaussian mean shift
# --------------------------------------------------------------------------------------------
def _gauss_loglik(rss: np.ndarray, n: int) -> np.ndarray:
    rss = np.maximum(np.asarray(rss, dtype=float), 1e-300)
    return -0.5 * n * (np.log(rss / n) + 1.0 + math.log(2.0 * math.pi))


def _difference_sigma2(y: np.ndarray) -> float:
    """Error variance from successive differences, ``mean(diff(y)^2) / 2``.

    A level shift adds its square only once, so a few shifts barely affect the estimate.
    """
    d = np.diff(y)
    s2 = float(np.mean(d * d)) / 2.0 if d.size else 0.0
    if s2 <= 0:
        s2 = float(np.var(y))
    return s2 if s2 > 0 else 1.0


def _bai_interval(
    cost: SegmentCost, left: int, tau: int, right: int, level: float
) -> tuple[int, int, str | None]:
    """Bai (1997) interval for a mean-shift date, in first-new-period indices.

    With ``delta`` the shift and ``s1^2, s2^2`` the residual variances of the two segments
    (``RSS / n``), ``(delta^2 / s1^2) (k_hat - k0)`` converges to ``argmax Z`` with ``xi = 1``
    and ``phi = s2^2 / s1^2``; the interval is ``[floor(k_hat - q_hi s), ceil(k_hat - q_lo s)]``
    with ``s = s1^2 / delta^2``. Like strucchange it is not clipped to ``min_size``; it is only
    kept strictly between the neighbouring changes (each segment keeps one observation).
    """
    y = cost.y
    s1, s2 = y[left:tau], y[tau:right]
    delta = float(s2.mean() - s1.mean())
    floor_var = 1e-12 * max(float(np.var(y)), 1e-300)
    v1 = max(float(np.var(s1)), floor_var)
    v2 = max(float(np.var(s2)), floor_var)
    phi = v2 / v1
    a2 = (1.0 - level) / 2.0
    p0 = argmax_cdf(0.0, 1.0, phi)
    if delta == 0 or not (a2 < p0 < 1.0 - a2):
        return (
            tau,
            tau,
            (
                "The asymptotic interval for a change date could not be computed (the segments' "
                "variances are too unequal or the shift is zero); only the point estimate is given."
            ),
        )
    q_lo, q_hi = argmax_quantiles(level, 1.0, phi)
    scale = v1 / (delta * delta)
    lo = int(math.floor(tau - q_hi * scale))
    hi = int(math.ceil(tau - q_lo * scale))
    lo = max(lo, left + 1)
    hi = min(hi, right - 1)
    return lo, hi, None


@dataclass(frozen=True)
class GaussianChangeCost(ChangePointCost):
    """Constant means with normal errors and a common variance (mean-shift model)."""

    name: str = "gaussian"
    label: str = "Gaussian mean-shift"
    counts: bool = False
    level_name: str = "mean"
    n_extra_params: int = 1
    extra_param_words: str = " + 1 variance"
    min_size_floor: int = 2

    def check_values(self, y: np.ndarray) -> None:
        """Refuse a constant series."""
        if np.all(y == y[0]):
            raise InsufficientDataError("the series is constant: no change can be dated")

    def segment_cost(self, y: np.ndarray) -> SegmentCost:
        """See :meth:`ChangePointCost.segment_cost`."""
        return GaussianCost(y)

    def pelt_cost(self, cost: SegmentCost, y: np.ndarray) -> tuple[SegmentCost, float | None]:
        """RSS scaled by a plug-in variance from successive differences."""
        sigma2 = _difference_sigma2(y)
        return ScaledCost(cost, 0.5 / sigma2), sigma2

    def loglik(
        self, raw: np.ndarray, cost: SegmentCost, n: int, sigma2: float | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Profile log-likelihood (DP) or with the plug-in variance (PELT)."""
        if sigma2 is not None:
            rss = raw * 2.0 * sigma2
            return -0.5 * rss / sigma2 - 0.5 * n * math.log(2 * math.pi * sigma2), rss
        return _gauss_loglik(raw, n), raw

    def segment_levels(
        self, fit: SegmentFit, edges: np.ndarray, level: float
    ) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
        """Means with t intervals on the pooled variance."""
        cost = fit.cost
        alpha = 1.0 - level
        n = cost.n
        m = edges.size - 2
        seg_n, seg_s = cost.sums(edges[:-1], edges[1:])
        means = seg_s / seg_n + cost.centre  # type: ignore[attr-defined]
        rss_total = float(np.sum(cost(edges[:-1], edges[1:])))
        df = n - (m + 1)
        s2 = rss_total / df if df > 0 else np.nan
        tq = float(stdtrit(df, 1.0 - alpha / 2.0)) if df > 0 else np.nan
        half = tq * np.sqrt(s2 / seg_n)
        columns = {"mean": means, "ci_low": means - half, "ci_high": means + half}
        return means, columns, {"rss_total": rss_total}

    def date_weights(
        self,
        fit: SegmentFit,
        left: int,
        tau: int,
        right: int,
        cand: np.ndarray,
        level: float,
        context: dict[str, Any],
    ) -> DateWeights:
        """Bayesian posterior over dates; the set is Bai's interval."""
        cost = fit.cost
        n, m, rss_total = cost.n, context["m"], context["rss_total"]
        other = rss_total - float(cost(left, tau) + cost(tau, right))
        rss_c = np.maximum(other + cost(left, cand) + cost(cand, right), 1e-300)
        logp = (
            -0.5 * np.log(cand - left)
            - 0.5 * np.log(right - cand)
            - 0.5 * (n - m - 1) * np.log(rss_c)
        )
        lo_i, hi_i, warn = _bai_interval(cost, left, tau, right, level)
        return DateWeights(np.asarray(logp, dtype=float), np.arange(lo_i, hi_i + 1), warn)

    def evidence(
        self, fit: SegmentFit, left: int, tau: int, right: int, context: dict[str, Any]
    ) -> float:
        """``n log(RSS without the change / RSS)``."""
        cost = fit.cost
        rss_total = context["rss_total"]
        merged = rss_total - float(cost(left, tau) + cost(tau, right)) + float(cost(left, right))
        return cost.n * math.log(max(merged, 1e-300) / max(rss_total, 1e-300))

    def set_method(self, level: float) -> str:
        """See :meth:`ChangePointCost.set_method`."""
        return f"{int(round(level * 100))}% Bai (1997) asymptotic interval"

    def model_sentence(self, dispersion: float | None, rounds: int) -> str:
        """See :meth:`ChangePointCost.model_sentence`."""
        return (
            "The series was modelled as a sequence of constant means with normal errors and a "
            "common variance (mean-shift model, as strucchange's breakpoints(y ~ 1))."
        )

    def sets_sentence(self, pct: int, prior: dict[str, float] | None) -> str:
        """See :meth:`ChangePointCost.sets_sentence`."""
        return (
            f"{pct}% confidence intervals for the dates from Bai (1997): the asymptotic law of "
            "the location of the maximum of a two-sided Brownian motion with drift, with "
            "segment-specific error variances (as strucchange's confint with het.err = TRUE), "
            "rounded outwards to whole periods, neighbouring changes fixed. A Bayesian posterior "
            "over dates (flat priors on the means, 1/sigma on the standard deviation, uniform "
            "over admissible dates) is also given. Segment means: t intervals with the pooled "
            "variance."
        )

    def sets_phrase(self) -> str:
        """See :meth:`ChangePointCost.sets_phrase`."""
        return "dates: Bai (1997) intervals"


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------
#: Registered change-point models by name.
COSTS: dict[str, ChangePointCost] = {}


def register_cost(cost: ChangePointCost, *, replace: bool = False) -> ChangePointCost:
    """Add a change-point model to :data:`COSTS` under its ``name``.

    Parameters
    ----------
    cost : ChangePointCost
        The model.
    replace : bool, default False
        Allow replacing a model already registered under that name.

    Returns
    -------
    ChangePointCost
        The model.

    Raises
    ------
    trends.errors.ModelError
        Not a named :class:`ChangePointCost`, or the name is taken.
    """
    if not isinstance(cost, ChangePointCost) or not cost.name:
        raise ModelError(f"not a named ChangePointCost: {cost!r}")
    if cost.name in COSTS and not replace and COSTS[cost.name] != cost:
        raise ModelError(f"a change-point cost named {cost.name!r} is already registered")
    COSTS[cost.name] = cost
    return cost


def cost_names() -> tuple[str, ...]:
    """Names of the registered change-point models.

    Returns
    -------
    tuple of str
        The names.
    """
    return tuple(COSTS)


def get_cost(model: str | ChangePointCost) -> ChangePointCost:
    """The change-point model registered under ``model`` (an object is returned as is).

    Parameters
    ----------
    model : str or ChangePointCost
        A registered name or a model.

    Returns
    -------
    ChangePointCost
        The model.

    Raises
    ------
    trends.errors.UnknownModelComponentError
        Unknown name (the message names the closest ones).
    """
    if isinstance(model, ChangePointCost):
        return model
    found = COSTS.get(model) if isinstance(model, str) else None
    if found is None:
        close = difflib.get_close_matches(str(model), list(COSTS), n=3, cutoff=0.5)
        raise UnknownModelComponentError("change-point model", model, list(COSTS), close)
    return found


register_cost(PoissonChangeCost())
register_cost(NegBinChangeCost())
register_cost(GaussianChangeCost())

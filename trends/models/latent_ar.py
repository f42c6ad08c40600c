"""Count regression with a latent Gaussian AR(1) log intensity (a parameter-driven model).

:func:`fit_latent_ar` fits, for periods ``t = 1..n``::

    y_t | u  ~  NegBin(mean = exp(o_t + x_t' beta + u_t), size theta)     (or Poisson)
    u_t      =  rho u_{t-1} + sigma e_t,   e_t ~ N(0, 1),   u_1 ~ N(0, sigma^2 / (1 - rho^2))

a log-linear count regression whose serial dependence is carried by an unobserved stationary
AR(1) process on the log scale (the "parameter-driven" model of Zeger 1988; Davis & Wu 2009 for
the negative-binomial case). Because ``u`` is stationary with a constant mean, ``exp(beta_j)`` for a
step regressor is the ratio of the *marginal* expected counts on either side of the step, the
same estimand as the coefficient of a plain count GLM, so rate ratios are comparable with
:func:`trends.models.its.fit_its`.

Estimation
----------
For given hyperparameters ``(rho, sigma, theta)`` the joint posterior mode of ``(u, beta)`` (a flat
prior on ``beta``) is found by damped Newton steps. The Hessian of the negative log joint density
is::

    H = [[W + Q,   W X ],
         [X' W,    X' W X]]

with ``W`` the diagonal observed information of the count likelihood in the linear predictor and
``Q`` the tridiagonal AR(1) precision. ``W + Q`` is tridiagonal, so every solve is a banded
(``LDL'``, LAPACK ``pttrf``/``pttrs``) solve in ``O(n)`` and a Newton step costs ``O(n p^2)``. The Laplace approximation of the
likelihood with both ``u`` *and* ``beta`` integrated out (a restricted-likelihood analogue: the
flat prior on ``beta`` gives the ``-1/2 log|S|`` term) is::

    log L(rho, sigma, theta) = log p(y | u*, beta*) - 1/2 u*' Q u* + 1/2 log|Q|
                               - 1/2 log|W + Q| - 1/2 log|S|,
    S = X' W X - X' W (W + Q)^{-1} W X        (the Schur complement of W + Q in H).

It is maximised over ``(atanh rho, log sd, 1 / theta)`` (``sd = sigma / sqrt(1 - rho^2)``, the
stationary sd, which decorrelates the two latent parameters; ``1 / theta`` reaches the Poisson
limit smoothly) with L-BFGS-B (the exact gradient of :mod:`trends.models.latent_ar_gradient`,
warm-started inner modes, restarted when it stalls) and, if its gradient is still above tolerance, a Nelder-Mead polish; then Newton
iterations on ``(atanh rho, log sd, log alpha)`` with central-difference gradients and Hessians
finish the job (:func:`_polish`), so that the estimate is the optimum itself rather than where
a loosely stopped search ended. Every inner mode is solved to rounding (a last full Newton step
once the step is below ``1e-6``), so the objective does not depend on the order of the
evaluations. Without both, the likelihood's flatness in the AR coefficient near 1 let a rounding
difference of ``1e-16`` (another BLAS build, a design scaled by ``1 + 1e-14``, a slightly
different start) move the fitted stationary sd by several per cent and the rate ratios by up to
``1e-3`` relative (2% across two machines on the founding case); with them they agree to about
``1e-8``. A fit given a warm ``start`` (the optimum of a neighbouring fit, such as the
previous fake date of the placebo test) skips the L-BFGS-B search: the Newton polish runs from
the start alone (quasi-Newton steps from the start's Hessian, each difference's inner mode
started from the last iteration's), and the cold search runs after all when it does not stop on
its criterion at an interior minimum. A fit whose optimiser does not converge raises
:class:`~trends.errors.ConvergenceError`. Bounds: ``rho`` in
``[-0.9, 0.995]``, ``sd`` in ``[0.001, 5]``, ``theta >= 0.05``. The covariance of ``beta`` is ``S^{-1}`` at the optimum: the
inverse of the Schur complement, i.e. the ``beta`` block of ``H^{-1}``: the covariance *given*
the hyperparameters. With ``hyper="delta"`` the uncertainty of the hyperparameters is propagated
to first order (Kass & Steffey 1989): ``cov = S^{-1} + J V J'`` with ``J`` the derivative of the
coefficients' estimate in the working hyperparameters ``(atanh rho, log sd, log alpha)`` and ``V``
the inverse negative Hessian of the Laplace log likelihood in them (``J`` by central differences
of the inner solution, ``V`` by central differences of the exact gradient: 6 more inner solves
and their gradients; parameters at a bound are held fixed);
``hyper="delta_t"`` also uses t quantiles with Satterthwaite degrees of freedom (from the
sensitivity of ``S^{-1}``). Measured in ``benchmarks/results/calibration_independent_v2.md``.

:func:`phase_contrast_variance` gives the variance of a weighted sum of ``y_t / m_t`` under the
fitted model (negative binomial given a lognormal AR(1) intensity): the long-run variance behind
the two-phase ratio of :func:`trends.models.rates.compare_rates` with ``model="latent_ar_lrv"``.

Counterfactual totals (:meth:`LatentARResult.cumulative_effect`) use the marginal expected
counts, calibrated so that the fitted expected counts add up to the observed total (see
:meth:`LatentARResult.mean_correction`).

Everything is deterministic: fixed starting values, no random numbers. The fit runs with a
single BLAS thread (``threadpoolctl``; the numbers are the same, the small LAPACK calls of
the optimiser are not slowed down by waking a second thread, see :func:`_one_blas_thread`).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy.linalg import lapack

from trends.errors import ConvergenceError, InputError, InsufficientDataError, NotIdentifiedError
from trends.models.latent_ar_gradient import laplace_gradient
from trends.results import Result, to_jsonable

__all__ = [
    "dependence_words",
    "weak_dependence_note",
    "WEAK_DEPENDENCE_GAIN",
    "LatentARResult",
    "LatentARStart",
    "RatioEstimate",
    "fit_latent_ar",
    "fit_its_latent_ar",
    "its_design",
    "phase_contrast_variance",
    "MIN_PERIODS",
    "MIN_EVENTS",
    "AUTO_T_PERIODS",
]

#: Fewer observed periods than this: refused (an AR(1) latent process needs a series). The
#: shortest series calibrated are 19 monthly periods (benchmarks/results/calibration_monthly.md).
MIN_PERIODS = 18
#: Fewer events than this in the observed periods: refused (as :func:`trends.models.its.fit_its`).
MIN_EVENTS = 10

#: ``hyper="auto"`` uses t quantiles (``"delta_t"``) below this many observed periods.
AUTO_T_PERIODS = 183

_RHO_BOUNDS = (-0.9, 0.995)
#: Central-difference step (working scale) of the hyperparameter sensitivity. Differences of the
#: exact gradient at 0.005 put the inverse curvature within about 2e-4 of its limit (0.3-0.8% at
#: the step 0.02 that second differences of the likelihood used; tests/test_latent_ar_gradient.py).
_HYPER_STEP = 0.005
_SD_BOUNDS = (1e-3, 5.0)  # stationary sd of the latent process
_ALPHA_BOUNDS = (1e-4, 20.0)  # NB overdispersion alpha = 1 / theta
_START = {"rho": 0.6, "sd": 0.4, "alpha": 0.2}
_ETA_MAX = 30.0
#: Largest gradient of the log likelihood (transformed hyperparameters) accepted at the optimum.
_GRAD_TOL = 0.05
#: Newton step (largest component, ``u`` and ``beta``) below which the inner mode takes its last
#: step: the error after it is of the order of this squared (see :func:`_find_mode`).
_FINE_STEP = 1e-6
#: Finite-difference step of the Newton polish of the hyperparameters (working scale).
_POLISH_STEP = 5e-3
#: The Newton polish stops after a step below this (largest component, working scale).
_POLISH_TOL = 1e-6
#: The same after a quasi-Newton step of a warm-started polish (superlinear, not quadratic).
_SECANT_TOL = 1e-8


# --------------------------------------------------------------------------------------------
# value objects
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RatioEstimate:
    """A rate ratio ``exp(coef)`` with its Wald interval.

    Attributes
    ----------
    term : str
        Column of the design matrix.
    estimate, ci_low, ci_high : float
        ``exp(coef)`` and ``exp(coef -/+ z se)``.
    p_value : float
        Two-sided Wald p-value for a ratio of 1.
    coef, se : float
        Log-scale coefficient and its standard error.
    level : float
        Confidence level.
    """

    term: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    coef: float
    se: float
    level: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return to_jsonable(dict(self.__dict__))


@dataclass(frozen=True, eq=False)
class LatentARStart:
    """Where another fit's hyperparameter search may begin (a warm start).

    Attributes
    ----------
    h : numpy.ndarray
        Working hyperparameters ``(atanh rho, log sd[, log alpha])`` (``sd`` the stationary sd,
        ``alpha = 1 / theta``; two for the Poisson family).
    hessian : numpy.ndarray or None
        Hessian of the negative Laplace log likelihood in ``h`` at that point (the last one of
        the Newton polish), or ``None``.
    """

    h: np.ndarray
    hessian: np.ndarray | None = None


@dataclass(frozen=True)
class LatentARResult(Result):
    """Fit of :func:`fit_latent_ar`.

    Attributes
    ----------
    params : pandas.Series
        Regression coefficients (log scale), indexed by design column.
    cov : pandas.DataFrame
        Their covariance as the intervals use it: ``S^{-1}`` (inverse Schur complement at the
        optimum), plus ``cov_hyper`` when the fit propagated the hyperparameter uncertainty
        (``hyper="delta"``).
    rho : float
        AR(1) coefficient of the latent log intensity.
    sigma : float
        Innovation standard deviation of the latent process.
    theta : float or None
        Negative-binomial size (variance ``mu + mu^2 / theta`` given the latent process);
        ``None`` for the Poisson family.
    family : str
        ``"negbin"`` or ``"poisson"``.
    loglik : float
        Laplace approximation of the log likelihood with ``u`` and ``beta`` integrated out
        (flat prior on ``beta``; restricted-likelihood analogue).
    latent : pandas.Series
        Posterior mode of the latent log intensity ``u`` (every period, including missing ones).
    n_obs : int
        Observed (non-missing) periods used.
    converged : bool
        Always True for a returned fit (a fit that does not converge raises).
    info : dict
        Iterations, function evaluations, optimiser message, gradient norm, time (s), notes.
    design : pandas.DataFrame or None
        The design matrix that was fitted (kept for :meth:`cumulative_effect`).
    y : numpy.ndarray or None
        The counts that were fitted (NaN = not reported).
    offset : numpy.ndarray or None
        The log-scale offset.
    cov_conditional : pandas.DataFrame or None
        ``S^{-1}``: the covariance given the hyperparameters.
    cov_hyper : pandas.DataFrame or None
        ``J V J'``: the part due to the uncertainty of the hyperparameters (``J`` = derivative of
        the coefficients' estimate in the working hyperparameters, ``V`` = inverse of the negative
        Hessian of the Laplace log likelihood in them); ``None`` when not computed or not
        available (see ``info["hyper"]``).
    df : pandas.Series or None
        Satterthwaite degrees of freedom of each coefficient's variance (from the sensitivity of
        ``S^{-1}`` to the hyperparameters); ``None`` when not computed.
    optimum : LatentARStart or None
        The optimum of the hyperparameters (working scale) and the polish's Hessian there: the
        ``start`` of a fit of a neighbouring problem (:func:`fit_latent_ar`).
    """

    params: pd.Series
    cov: pd.DataFrame
    rho: float
    sigma: float
    theta: float | None
    family: str
    loglik: float
    latent: pd.Series
    n_obs: int
    converged: bool
    info: dict[str, Any] = field(default_factory=dict)
    design: pd.DataFrame | None = field(default=None, repr=False)
    y: np.ndarray | None = field(default=None, repr=False)
    offset: np.ndarray | None = field(default=None, repr=False)
    cov_conditional: pd.DataFrame | None = field(default=None, repr=False)
    cov_hyper: pd.DataFrame | None = field(default=None, repr=False)
    df: pd.Series | None = field(default=None, repr=False)
    optimum: LatentARStart | None = field(default=None, repr=False)

    @property
    def bse(self) -> pd.Series:
        """Standard errors of the coefficients."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index)

    @property
    def latent_sd(self) -> float:
        """Stationary standard deviation of the latent process, ``sigma / sqrt(1 - rho^2)``."""
        return self.sigma / math.sqrt(1.0 - self.rho**2)

    def rate_ratio(self, term: str, alpha: float = 0.05) -> RatioEstimate:
        """Wald rate ratio of one coefficient.

        Parameters
        ----------
        term : str
            Design column (e.g. ``"level[i1]"``).
        alpha : float, default 0.05
            ``1 - confidence level``.

        Returns
        -------
        RatioEstimate

        Raises
        ------
        InputError
            If ``term`` is not a column of the design or ``alpha`` is not in (0, 1).
        """
        if term not in self.params.index:
            raise InputError(f"unknown term {term!r}; terms: {list(self.params.index)}")
        if not 0.0 < alpha < 1.0:
            raise InputError("alpha must be in (0, 1)")
        b = float(self.params[term])
        se = float(self.bse[term])
        z = self.quantile(term, alpha)
        p = self.p_value(term)
        with np.errstate(over="ignore"):
            lims = np.exp(np.array([b, b - z * se, b + z * se]))
        return RatioEstimate(
            term=term,
            estimate=float(lims[0]),
            ci_low=float(lims[1]),
            ci_high=float(lims[2]),
            p_value=p,
            coef=b,
            se=se,
            level=1.0 - alpha,
        )

    @property
    def uses_t(self) -> bool:
        """Whether the Wald intervals use t quantiles (fits with ``hyper="delta_t"``)."""
        return self.info.get("hyper_mode") == "delta_t" and self.df is not None

    def quantile(self, term: str, alpha: float = 0.05) -> float:
        """The two-sided ``1 - alpha`` quantile of one coefficient's Wald interval.

        The normal quantile, or with ``hyper="delta_t"`` (when the correction was available)
        the t quantile with the coefficient's Satterthwaite degrees of freedom (:attr:`df`).

        Parameters
        ----------
        term : str
            Design column.
        alpha : float, default 0.05
            One minus the confidence level.

        Returns
        -------
        float
        """
        if self.uses_t:
            df = float(self.df[term])
            if math.isfinite(df) and df > 0:
                return float(special.stdtrit(max(df, 1.0), 1.0 - alpha / 2.0))
        return float(special.ndtri(1.0 - alpha / 2.0))

    def p_value(self, term: str) -> float:
        """Two-sided Wald p-value of a zero coefficient (t with :attr:`df` as :meth:`quantile`).

        Parameters
        ----------
        term : str
            Design column.

        Returns
        -------
        float
        """
        b, se = float(self.params[term]), float(self.bse[term])
        if not se > 0:
            return math.nan
        if self.uses_t:
            df = float(self.df[term])
            if math.isfinite(df) and df > 0:
                return float(2.0 * special.stdtr(max(df, 1.0), -abs(b / se)))
        return float(2.0 * special.ndtr(-abs(b / se)))

    def mean_correction(self, kind: Literal["empirical", "model"] = "empirical") -> float:
        """Log-scale factor from ``exp(x' beta)`` to the expected count of a period.

        ``"model"``: ``v / 2`` with ``v = sigma^2 / (1 - rho^2)``, the lognormal mean of the
        stationary latent process (it explodes as ``rho`` nears 1, where ``v`` is barely
        identified on a short series). ``"empirical"`` (default): ``log(sum y / sum exp(o + x'
        beta))`` over the observed periods, so that the fitted expected counts add up to the
        observed total as a count GLM's do; falls back to ``"model"`` without a stored design.

        Parameters
        ----------
        kind : {"empirical", "model"}, default "empirical"

        Returns
        -------
        float
        """
        if kind == "model" or self.design is None or self.y is None:
            return 0.5 * self.latent_sd**2
        obs = ~np.isnan(self.y)
        off = 0.0 if self.offset is None else self.offset[obs]
        eta = off + self.design.to_numpy(dtype=float)[obs] @ self.params.to_numpy()
        return float(math.log(np.sum(self.y[obs])) - np.log(np.sum(np.exp(eta))))

    def expected_total(
        self,
        x_rows: np.ndarray,
        offset: np.ndarray | None = None,
        alpha: float = 0.05,
        correction: Literal["empirical", "model"] = "empirical",
    ) -> dict[str, float]:
        """Expected total count over some periods, with confidence and prediction intervals.

        The expected count of a period is the *marginal* mean under the model,
        ``exp(o + x' beta + c)`` with ``c`` from :meth:`mean_correction` (not conditioned on the
        latent states of other periods). The
        confidence interval of the total ``T`` is ``T exp(-/+ z se)`` with ``se`` the delta-method
        standard error of ``log T`` from the covariance of ``beta`` (``v`` taken as known). The
        prediction interval of the realised total adds, on the log scale, to ``se^2`` the
        squared coefficient of variation of the sum of the counts given the parameters,
        ``V / T^2`` with ``V = sum_t (m_t + m_t^2 e^v / theta) + sum_{s,t} m_s m_t
        (exp(v rho^|s-t|) - 1)`` (lognormal-AR covariance): a lognormal approximation.

        Parameters
        ----------
        x_rows : numpy.ndarray
            Design rows of the periods (consecutive periods: the latent covariance uses their
            distance in rows).
        offset : numpy.ndarray, optional
            Their offsets.
        alpha : float, default 0.05
        correction : {"empirical", "model"}, default "empirical"
            See :meth:`mean_correction`.

        Returns
        -------
        dict
            ``expected``, ``ci_low``, ``ci_high`` (parameter uncertainty), ``pi_low``,
            ``pi_high`` (prediction of the realised total), ``se_log``.
        """
        x_rows = np.asarray(x_rows, dtype=float)
        off = np.zeros(x_rows.shape[0]) if offset is None else np.asarray(offset, dtype=float)
        v = self.latent_sd**2
        beta = self.params.to_numpy()
        m = np.exp(off + x_rows @ beta + self.mean_correction(correction))
        total = float(m.sum())
        grad = (m @ x_rows) / total
        se_log = float(np.sqrt(grad @ self.cov.to_numpy() @ grad))
        z = float(special.ndtri(1.0 - alpha / 2.0))
        lags = np.abs(np.subtract.outer(np.arange(m.size), np.arange(m.size)))
        latent_cov = np.expm1(v * self.rho**lags)
        inv_theta = 0.0 if self.theta is None else 1.0 / self.theta
        var_counts = float(np.sum(m + m * m * math.exp(v) * inv_theta) + m @ latent_cov @ m)
        sd_pred_log = math.sqrt(se_log**2 + var_counts / total**2)
        with np.errstate(over="ignore"):
            f = np.exp(z * np.array([-se_log, se_log, -sd_pred_log, sd_pred_log]))
        return {
            "expected": total,
            "ci_low": total * float(f[0]),
            "ci_high": total * float(f[1]),
            "pi_low": total * float(f[2]),
            "pi_high": total * float(f[3]),
            "se_log": se_log,
        }

    def cumulative_effect(
        self,
        intervention: str = "i1",
        alpha: float = 0.05,
        correction: Literal["empirical", "model"] = "empirical",
    ) -> dict[str, Any]:
        """Observed minus expected events after an intervention, as ``fit_its`` reports it.

        The counterfactual sets the intervention's ``level[...]`` and ``slope[...]`` terms to
        zero from its first post period (where ``level`` is 1) on; the expected counterfactual
        total over the observed post periods comes from :meth:`expected_total`.

        Parameters
        ----------
        intervention : str, default "i1"
            Intervention id of the design (``level[i1]``...).
        alpha : float, default 0.05
        correction : {"empirical", "model"}, default "empirical"
            See :meth:`mean_correction`.

        Returns
        -------
        dict
            ``estimate`` (observed - expected), ``ci_low_mean`` / ``ci_high_mean`` (parameter
            uncertainty: an interval for observed minus the *expected* counterfactual total),
            ``ci_low`` / ``ci_high`` (prediction: observed minus the *realised* counterfactual
            total), ``observed``, ``expected``, ``expected_ci_low``, ``expected_ci_high``,
            ``n_periods``.

        Raises
        ------
        InputError
            Without a stored design, or an unknown intervention id.
        """
        level = f"level[{intervention}]"
        if self.design is None or self.y is None or level not in self.design.columns:
            raise InputError(f"no design with a {level!r} column to build a counterfactual from")
        cols = [c for c in (level, f"slope[{intervention}]") if c in self.design.columns]
        x = self.design.to_numpy(dtype=float)
        post = x[:, self.design.columns.get_loc(level)] == 1.0
        first, last = int(np.flatnonzero(post)[0]), int(np.flatnonzero(post)[-1])
        x_cf = x[first : last + 1].copy()
        x_cf[:, [self.design.columns.get_loc(c) for c in cols]] = 0.0
        off = None if self.offset is None else self.offset[first : last + 1]
        obs = ~np.isnan(self.y[first : last + 1])
        et = self.expected_total(x_cf[obs], None if off is None else off[obs], alpha, correction)
        observed = float(np.nansum(self.y[first : last + 1]))
        return {
            "estimate": observed - et["expected"],
            "ci_low_mean": observed - et["ci_high"],
            "ci_high_mean": observed - et["ci_low"],
            "ci_low": observed - et["pi_high"],
            "ci_high": observed - et["pi_low"],
            "observed": observed,
            "expected": et["expected"],
            "expected_ci_low": et["ci_low"],
            "expected_ci_high": et["ci_high"],
            "n_periods": int(obs.sum()),
        }

    def summary(self) -> pd.DataFrame:
        """Coefficients, standard errors, rate ratios and 95% Wald limits, one row per term."""
        rows = [self.rate_ratio(t).to_dict() for t in self.params.index]
        return pd.DataFrame(rows).set_index("term")

    def report(self) -> str:
        """Plain-language description of the fit."""
        fam = f"negative binomial (size {self.theta:.3g})" if self.family == "negbin" else "Poisson"
        lines = [
            f"Count regression with a latent AR(1) log intensity: {fam} counts, "
            f"AR coefficient {self.rho:.3f}, innovation sd {self.sigma:.3f} "
            f"(stationary sd {self.latent_sd:.3f}), {self.n_obs} observed periods; "
            f"Laplace log likelihood {self.loglik:.2f}"
            + ("." if self.converged else " (NOT CONVERGED).")
        ]
        for term in self.params.index:
            if term.startswith(("level[", "slope[")):
                rr = self.rate_ratio(term)
                lines.append(
                    f"{term}: rate ratio {rr.estimate:.3f} (95% CI {rr.ci_low:.3f} to "
                    f"{rr.ci_high:.3f}; p = {rr.p_value:.3g})."
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict of every estimate."""
        return to_jsonable(
            {
                "model": "latent_ar1",
                "family": self.family,
                "params": {k: float(v) for k, v in self.params.items()},
                "bse": {k: float(v) for k, v in self.bse.items()},
                "cov": self.cov.to_numpy().tolist(),
                "terms": list(self.params.index),
                "rho": self.rho,
                "sigma": self.sigma,
                "theta": self.theta,
                "loglik": self.loglik,
                "n_obs": self.n_obs,
                "converged": self.converged,
                "info": self.info,
            }
        )


# --------------------------------------------------------------------------------------------
# the inner problem: posterior mode of (u, beta) for fixed hyperparameters
# --------------------------------------------------------------------------------------------
@dataclass
class _Data:
    y: np.ndarray  # counts, 0 where missing
    obs: np.ndarray  # float mask, 1 observed
    x: np.ndarray  # (n, p)
    off: np.ndarray
    lgy1: np.ndarray  # lgamma(y + 1) (0 where missing)
    negbin: bool
    #: every period observed: the products by the mask (by 1) are left out
    full: bool = field(init=False, repr=False)
    #: :func:`_theta_constant` by ``theta`` (the inner modes of a fit share their sizes often)
    consts: dict[float, float] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.full = bool(np.all(self.obs == 1.0))


@dataclass
class _Mode:
    u: np.ndarray
    beta: np.ndarray
    f: float = math.nan  # negative log joint density (up to constants)
    logdet_a: float = math.nan
    s_chol: np.ndarray | None = None
    iters: int = 0
    ok: bool = False
    #: ``(d, e)`` of the ``LDL'`` factors of ``W + Q`` and ``C = (W + Q)^{-1} W X`` at the mode
    #: (with ``s_chol``: what :func:`laplace_gradient` needs, not factorised again)
    factors: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _theta_constant(d: _Data, theta: float) -> float:
    """The part of the log likelihood that does not depend on the linear predictor."""
    const = d.consts.get(theta)
    if const is not None:
        return const
    if not d.negbin:
        const = -float(np.sum(d.obs * d.lgy1))
    else:
        terms = special.gammaln(d.y + theta) - math.lgamma(theta) - d.lgy1 + theta * math.log(theta)
        const = float(np.sum(d.obs * terms))
    d.consts[theta] = const
    return const


class _Terms:
    """The negative log joint density of ``(y, u)`` at one hyperparameter point.

    What does not depend on ``(u, beta)`` is computed once per point (the size's constant, the
    ``y + theta``, ``log theta``, the AR(1) weights); each value is the same expression of the
    same numbers as the plain formulas, in the same order, so every result is the same to the
    last bit. With every period observed, the products by the mask (by 1) are left out.
    """

    __slots__ = ("d", "rho", "theta", "sigma2", "inv", "c_first", "const", "log_theta", "y_theta")

    def __init__(self, d: _Data, hyp: tuple[float, float, float]) -> None:
        rho, sigma, theta = hyp
        self.d, self.rho, self.theta = d, rho, theta
        self.sigma2 = sigma * sigma
        self.inv = 1.0 / self.sigma2
        self.c_first = 1.0 - rho * rho
        self.const = _theta_constant(d, theta)
        if d.negbin:
            self.log_theta = math.log(theta)
            self.y_theta = d.y + theta

    def neg_joint(self, u: np.ndarray, beta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log joint density (without ``log|Q|``) and the linear predictor."""
        d = self.d
        eta = d.off + d.x @ beta + u
        if eta.max() > _ETA_MAX:
            return math.inf, eta
        if d.negbin:
            terms = d.y * eta - self.y_theta * np.logaddexp(self.log_theta, eta)
        else:
            terms = d.y * eta - np.exp(eta)
        if not d.full:
            terms = d.obs * terms
        ll = self.const + float(terms.sum())
        quad = self.c_first * u[0] ** 2 + float(((u[1:] - self.rho * u[:-1]) ** 2).sum())
        return -ll + 0.5 * quad / self.sigma2, eta

    def score_info(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Score and observed information of the log likelihood in the linear predictor."""
        d = self.d
        mu = np.exp(eta)
        if d.negbin:
            t_mu = self.theta + mu
            r = (self.theta if d.full else d.obs * self.theta) / t_mu
            return r * (d.y - mu), r * mu * self.y_theta / t_mu
        if d.full:
            return d.y - mu, mu
        return d.obs * (d.y - mu), d.obs * mu


def _q_times(u: np.ndarray, rho: float, inv: float) -> np.ndarray:
    """``Q u`` for the AR(1) precision ``Q`` (``inv = 1 / sigma^2``), in a new array."""
    qu = (1.0 + rho * rho) * u
    qu[0] = u[0]
    qu[-1] = u[-1]
    ru = rho * u
    qu[1:] -= ru[:-1]
    qu[:-1] -= ru[1:]
    qu *= inv
    return qu


def _find_mode(
    d: _Data, hyp: tuple[float, float, float], start: _Mode, max_iter: int = 60
) -> _Mode:
    """Damped Newton iterations for the joint mode of ``(u, beta)`` (block elimination).

    Once the Newton decrement is below ``1e-11 |f|`` the iterations go on with full steps until
    the step is below :data:`_FINE_STEP`, take that last step and evaluate the factorisations
    *at its end*: the mode is then exact to rounding (the error after a Newton step is quadratic
    in the step). Stopping at the decrement test alone leaves an error in ``u`` of the order of
    the square root of the tolerance, which depends on where the iterations began (a warm start
    from another evaluation) and moves the log-determinants of the Laplace likelihood, which are
    not stationary at the mode, by up to ``1e-5``: the outer optimiser then sees a rough
    objective whose roughness depends on the order of its evaluations.

    The linear predictor of the point reached is the one its objective was computed with (the
    same sum of the same numbers); the last iteration needs no gradient.
    """
    rho = hyp[0]
    terms = _Terms(d, hyp)
    inv = terms.inv
    n, p = d.x.shape
    u, beta = start.u.copy(), start.beta.copy()
    f, eta = terms.neg_joint(u, beta)
    if not math.isfinite(f):
        u = np.zeros(n)
        f, eta = terms.neg_joint(u, beta)
    q_off = np.full(n - 1, -rho * inv)
    q_diag = np.full(n, (1.0 + rho * rho) * inv)
    q_diag[0] = q_diag[-1] = inv
    rhs = np.empty((n, p + 1), order="F")
    finish = False  # the last (full) Newton step was taken: return at its end
    for it in range(1, max_iter + 1):
        score, w = terms.score_info(eta)
        # W + Q is tridiagonal: LDL' factorisation and solves in O(n) (LAPACK pttrf / pttrs)
        fd, fe, info = lapack.dpttrf(q_diag + w, q_off, overwrite_d=1)
        if info != 0:
            return _Mode(u, beta, f, iters=it, ok=False)
        wx = w[:, None] * d.x
        rhs[:, 1:] = wx
        if finish:  # no gradient: the solve of X' W alone (its columns are solved one by one)
            z, info = lapack.dpttrs(fd, fe, rhs[:, 1:], overwrite_b=1)
        else:
            g_u = _q_times(u, rho, inv)
            g_u -= score  # Q u - score: -score + Q u to the last bit
            g_b = -(d.x.T @ score)
            rhs[:, 0] = g_u
            sol, info = lapack.dpttrs(fd, fe, rhs, overwrite_b=1)
            z = sol[:, 1:]
        s_mat = d.x.T @ wx - wx.T @ z
        s_chol, info2 = lapack.dpotrf(s_mat, lower=1, clean=1, overwrite_a=1)
        if info != 0 or info2 != 0:
            return _Mode(u, beta, f, iters=it, ok=False)
        if finish:
            logdet_a = float(np.sum(np.log(fd)))
            return _Mode(u, beta, f, logdet_a, s_chol, iters=it, ok=True, factors=(fd, fe, z))
        db = lapack.dpotrs(s_chol, z.T @ g_u - g_b, lower=1)[0]
        du = -(sol[:, 0] + z @ db)
        dec = -(float(g_u @ du) + float(g_b @ db))
        if not math.isfinite(dec):
            return _Mode(u, beta, f, iters=it, ok=False)
        if dec < 1e-11 * max(1.0, abs(f)):
            # at the mode to the objective's precision: full Newton steps (a line search can
            # no longer resolve the decrease), the last one once the step is small
            finish = max(float(np.abs(du).max()), float(np.abs(db).max())) < _FINE_STEP
            u, beta = u + du, beta + db
            f, eta = terms.neg_joint(u, beta)
            continue
        step = 1.0
        while step > 1e-8:
            if step == 1.0:  # 1.0 * du is du: the same numbers, two products fewer
                u_new, beta_new = u + du, beta + db
            else:
                u_new, beta_new = u + step * du, beta + step * db
            f_new, eta_new = terms.neg_joint(u_new, beta_new)
            if f_new <= f - 1e-4 * step * dec:
                break
            step *= 0.5
        else:  # no descent possible: at the mode to numerical precision
            logdet_a = float(np.sum(np.log(fd)))
            return _Mode(u, beta, f, logdet_a, s_chol, iters=it, ok=dec < 1e-6 * max(1, abs(f)))
        u, beta, f, eta = u_new, beta_new, f_new, eta_new
    return _Mode(u, beta, f, iters=max_iter, ok=False)


def _laplace(d: _Data, mode: _Mode, hyp: tuple[float, float, float]) -> float:
    """Laplace log likelihood with ``u`` and ``beta`` integrated out (see module docstring)."""
    rho, sigma, _ = hyp
    n = d.x.shape[0]
    logdet_q = -2.0 * n * math.log(sigma) + math.log1p(-rho * rho)
    logdet_s = 2.0 * float(np.sum(np.log(np.diag(mode.s_chol))))
    return -mode.f + 0.5 * logdet_q - 0.5 * mode.logdet_a - 0.5 * logdet_s


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------
def _as_design(x: Any, n: int, names: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(x, pd.DataFrame):
        cols = [str(c) for c in x.columns]
        arr = x.to_numpy(dtype=float)
    else:
        arr = np.asarray(x, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        cols = [f"x{j}" for j in range(arr.shape[1])] if arr.ndim == 2 else []
    if names is not None:
        cols = [str(c) for c in names]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise InputError(f"the design must be a 2-D matrix with {n} rows (one per period)")
    if len(cols) != arr.shape[1] or len(set(cols)) != len(cols):
        raise InputError("the design needs one distinct name per column")
    if not np.all(np.isfinite(arr)):
        raise InputError("the design matrix has missing or infinite values")
    return arr, cols


def _check_counts(y: Any) -> tuple[np.ndarray, pd.Index | None]:
    index = y.index if isinstance(y, pd.Series) else None
    arr = np.asarray(y, dtype=float)
    if arr.ndim != 1:
        raise InputError("the counts must be one-dimensional")
    finite = arr[~np.isnan(arr)]
    if np.any(~np.isfinite(finite)) or np.any(finite < 0):
        raise InputError("counts must be non-negative and finite (NaN = not reported)")
    if np.any(finite != np.round(finite)):
        raise InputError("counts must be whole numbers (use an offset for exposure)")
    return arr, index


def _check_identified(y: np.ndarray, obs: np.ndarray, x: np.ndarray, cols: list[str]) -> None:
    xo = x[obs]
    if np.linalg.matrix_rank(xo) < x.shape[1]:
        raise NotIdentifiedError(
            "the design matrix is rank deficient on the observed periods: some coefficients "
            "are not identified"
        )
    yo = y[obs]
    for j, name in enumerate(cols):
        col = xo[:, j]
        vals = np.unique(col)
        if vals.size == 2 and set(vals.tolist()) == {0.0, 1.0}:
            on, off_ = float(yo[col == 1].sum()), float(yo[col == 0].sum())
            if on == 0 or off_ == 0:
                raise InsufficientDataError(
                    f"no events where {name!r} is {1 if on == 0 else 0}: its rate ratio would "
                    "be 0 or infinite and cannot be estimated by a log-linear model"
                )


# --------------------------------------------------------------------------------------------
# public fit
# --------------------------------------------------------------------------------------------
def _start_mode(d: _Data) -> _Mode:
    """Starting ``beta`` from a least-squares fit of ``log(y + 0.5)``; ``u = 0``."""
    obs = d.obs > 0
    target = np.log(d.y[obs] + 0.5) - d.off[obs]
    beta, *_ = np.linalg.lstsq(d.x[obs], target, rcond=None)
    return _Mode(np.zeros(d.x.shape[0]), beta)


def _start_rho(d: _Data) -> float:
    """Starting AR coefficient: ratio of the lag-2 to lag-1 autocorrelation of the residuals
    of a least-squares fit of ``log(y + 0.5)`` (the count noise attenuates both equally)."""
    obs = d.obs > 0
    target = np.where(obs, np.log(d.y + 0.5) - d.off, np.nan)
    beta, *_ = np.linalg.lstsq(d.x[obs], target[obs], rcond=None)
    e = target - d.x @ beta
    e = np.where(obs, e - np.nanmean(e), 0.0)
    denom = float(e @ e)
    r1 = float(e[1:] @ e[:-1]) / denom if denom > 0 else 0.0
    r2 = float(e[2:] @ e[:-2]) / denom if denom > 0 else 0.0
    if r1 <= 0.02 or r2 <= 0.0:
        return _START["rho"]
    return float(np.clip(r2 / r1, 0.2, 0.95))


def _unpack(z: np.ndarray, negbin: bool) -> tuple[float, float, float]:
    """``(atanh rho, log stationary sd, alpha = 1 / theta)`` -> ``(rho, sigma, theta)``."""
    theta = 1.0 / z[2] if negbin else math.inf
    rho = math.tanh(z[0])
    return rho, math.exp(z[1]) * math.sqrt(1.0 - rho * rho), theta


def _neg_gradient(
    d: _Data, mode: _Mode, hyp: tuple[float, float, float], scale: str
) -> np.ndarray | None:
    """Exact gradient of the negative Laplace log likelihood at ``mode`` (:func:`laplace_gradient`)
    on the search scale ``(atanh rho, log sd, alpha)`` (``scale="search"``) or the working scale
    ``(atanh rho, log sd, log alpha)`` (``scale="working"``); ``None`` when it fails."""
    factors = None if mode.factors is None else (*mode.factors, mode.s_chol)
    g = laplace_gradient(d.y, d.obs, d.x, d.off, mode.u, mode.beta, hyp, d.negbin, factors=factors)
    if g is None or not np.all(np.isfinite(g)):
        return None
    rho, sigma, theta = hyp
    out = [g[0] * (1.0 - rho * rho) - g[1] * rho * sigma, g[1] * sigma]
    if d.negbin:
        out.append(-theta * theta * g[2] if scale == "search" else -theta * g[2])
    return -np.array(out)


def _free_gradient(res: Any, z: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Largest gradient component of the parameters not at a bound."""
    grad = np.asarray(getattr(res, "jac", np.full(z.size, np.nan)), dtype=float)
    free = (z > lo + 1e-6) & (z < hi - 1e-6)
    return float(np.max(np.abs(grad[free]))) if free.any() else 0.0


def _z_to_w(v: np.ndarray) -> np.ndarray:
    """Search scale ``(atanh rho, log sd, alpha)`` -> working scale (``log alpha``)."""
    return np.concatenate([v[:2], np.log(v[2:])])


def _warm_optimise(
    d: _Data, start: LatentARStart, w_lo: np.ndarray, w_hi: np.ndarray
) -> tuple[tuple[np.ndarray, _Mode, dict[str, Any], np.ndarray | None] | None, str]:
    """The Newton polish alone, from a warm start; ``(None, reason)`` when it is not trusted.

    Trusted when the polish stopped on its own criterion (a step below :data:`_POLISH_TOL`,
    or every component pinned at a bound), its largest free gradient is below
    :data:`_GRAD_TOL` and its last Hessian is positive definite on the free components: the
    point is then the zero of the same finite-difference gradient the cold path's polish ends
    at, which does not depend on where the iterations began.
    """
    h = np.asarray(start.h, dtype=float)
    if h.shape != w_lo.shape or not np.all(np.isfinite(h)):
        return None, "the start does not match the model"
    if np.any(h <= w_lo + 1e-6) or np.any(h >= w_hi - 1e-6):
        return None, "the start is at a bound"
    hess0 = start.hessian
    if hess0 is not None and (hess0.shape != (h.size, h.size) or not np.all(np.isfinite(hess0))):
        hess0 = None
    w, mode, pol = _polish(d, np.clip(h, w_lo, w_hi), w_lo, w_hi, _start_mode(d), hess0=hess0)
    if not pol["converged"] or pol["stop"] not in ("step", "pinned") or "note" in pol:
        return None, f"the polish from the start did not converge ({pol.get('note', pol['stop'])})"
    gnorm = pol["max_abs_free_gradient"]
    at_bound = [
        name
        for name, a, b, v in zip(("rho", "sd", "theta"), w_lo, w_hi, w, strict=False)
        if v <= a + 1e-6 or v >= b - 1e-6
    ]
    free = np.array([nm not in at_bound for nm in ("rho", "sd", "theta")[: w.size]])
    hess = pol.get("hessian")
    if at_bound:  # a boundary optimum (e.g. no latent variance) may be local: search afresh
        return None, f"the polish from the start ended at a bound ({', '.join(at_bound)})"
    if gnorm >= _GRAD_TOL or hess is None:
        return None, f"largest free gradient {gnorm:.2g} after the polish from the start"
    if free.any() and np.linalg.eigvalsh(hess[np.ix_(free, free)]).min() <= 0:
        return None, "the polish from the start did not end at a minimum"
    info = {
        "optimizer": "warm start + Newton polish",
        "message": "converged from the warm start",
        "success": True,
        "n_eval": int(pol["n_eval"]),
        "n_iter": 0,
        "restarts": 0,
        "inner_failures": 0,
        "inner_iterations": int(mode.iters),
        "max_abs_free_gradient": gnorm,
        "polish": {k: v for k, v in pol.items() if k not in ("max_abs_free_gradient", "hessian")},
        "at_bound": at_bound,
        "warm_start": "used",
    }
    return (np.concatenate([w[:2], np.exp(w[2:])]), mode, info, hess), ""


def _optimise(
    d: _Data, max_eval: int, start: LatentARStart | None = None
) -> tuple[np.ndarray, _Mode, dict[str, Any], np.ndarray | None]:
    """Maximise the Laplace likelihood over the transformed hyperparameters.

    With ``start``, first the Newton polish alone from it (:func:`_warm_optimise`); the full
    search below when that is not trusted (``info["warm_start"]`` says why). Returns the
    optimum (search scale), its inner mode, the optimiser's info and the polish's last Hessian
    (working scale; ``None`` when the polish did not converge).
    """
    fallback = ""
    if start is not None:
        lo_w = [math.atanh(_RHO_BOUNDS[0]), math.log(_SD_BOUNDS[0])]
        hi_w = [math.atanh(_RHO_BOUNDS[1]), math.log(_SD_BOUNDS[1])]
        if d.negbin:
            lo_w.append(math.log(_ALPHA_BOUNDS[0]))
            hi_w.append(math.log(_ALPHA_BOUNDS[1]))
        warm, fallback = _warm_optimise(d, start, np.array(lo_w), np.array(hi_w))
        if warm is not None:
            return warm
    found = _search(d, max_eval, _default_start(d))
    z = found[0]
    if math.exp(z[1]) < _CORNER_SD:
        # Near sd -> 0 the likelihood is flat in rho and a search can stop in the corner of
        # no latent variance while a better optimum lies inside the box: search again from
        # inside it and keep the higher likelihood.
        try:
            again = _search(d, max_eval, _interior_start(d, z))
        except ConvergenceError:  # the second search failed: the first optimum stands
            again = None
        if again is not None:  # both optima's log likelihoods: the corner's, the interior's
            first_ll, second_ll = -float(found[4]), -float(again[4])
        if again is not None and again[4] < found[4] - 1e-9:
            found = again
        found[2]["second_start"] = (
            "kept"
            if found is again
            else "tried (the first optimum was as good or better)"
            if again is not None
            else "tried (its search did not converge)"
        )
        if again is not None:
            found[2]["corner_loglik"] = first_ll
            found[2]["interior_loglik"] = second_ll
    z, final, info, hess, _ = found
    if start is not None:
        info["warm_start"] = f"not used: {fallback}"
    return z, final, info, hess


#: Stationary sd below which an optimum is searched for again from inside the box.
_CORNER_SD = 0.01

#: Half the 95% chi-squared quantile with 2 degrees of freedom (AR coefficient and sd): a
#: log-likelihood gain below it does not reject "no serial dependence" at 5%.
WEAK_DEPENDENCE_GAIN = 0.5 * 5.991464547107979


def dependence_words(result: LatentARResult) -> str:
    """The fitted serial dependence in words: "AR coefficient 0.962, stationary sd 0.871", or,
    when the latent sd is at its lower bound (no detectable dependence: the AR coefficient is
    then not identified and its value means nothing), "no detectable serial dependence (latent
    sd at its lower bound)".

    Parameters
    ----------
    result : LatentARResult
        A fit of :func:`fit_latent_ar`.

    Returns
    -------
    str
    """
    if result.latent_sd <= _SD_BOUNDS[0] * (1 + 1e-3):
        return "no detectable serial dependence (latent sd at its lower bound)"
    at_bound = min(abs(result.rho - b) for b in _RHO_BOUNDS) < 1e-6
    return (
        f"AR coefficient {result.rho:.3f}{' (at its bound)' if at_bound else ''}, stationary "
        f"sd {result.latent_sd:.3f}"
    )


def weak_dependence_note(result: LatentARResult) -> str | None:
    """Words for a fit whose serial dependence the data barely support, or ``None``.

    When the search found both an optimum with no latent variance (the corner) and a better one
    inside the box, and the better one gains less than :data:`WEAK_DEPENDENCE_GAIN` in log
    likelihood, "no serial dependence" is not rejected at 5%: the intervals, whose width rests
    on the fitted dependence, rest on a weakly identified AR coefficient and sd.

    Parameters
    ----------
    result : LatentARResult
        A fit of :func:`fit_latent_ar`.

    Returns
    -------
    str or None
    """
    info = result.info
    corner, interior = info.get("corner_loglik"), info.get("interior_loglik")
    if info.get("second_start") != "kept" or corner is None or interior is None:
        return None
    gain = float(interior) - float(corner)
    if not 0 <= gain < WEAK_DEPENDENCE_GAIN:
        return None
    return (
        f"a fit without serial dependence is nearly as likely (log likelihood {gain:.1f} lower; "
        "not rejected at 5%), so the width of the intervals rests on a weakly identified AR "
        "coefficient and sd"
    )


def _default_start(d: _Data) -> np.ndarray:
    """The search's first start (search scale): :data:`_START`, the AR coefficient from the
    data (:func:`_start_rho`)."""
    z0 = [math.atanh(_start_rho(d)), math.log(_START["sd"])]
    if d.negbin:
        z0.append(_START["alpha"])
    return np.array(z0)


def _interior_start(d: _Data, z: np.ndarray) -> np.ndarray:
    """A second start away from the no-latent-variance corner: the best point of a small grid
    of persistent latent processes of moderate size (:data:`_INTERIOR_GRID`), at the first
    optimum's dispersion. On independent-looking counts the likelihood there is flat in the AR
    coefficient and a shallow optimum may sit at a high AR coefficient only."""
    best, best_nll = None, math.inf
    for rho, sd in _INTERIOR_GRID:
        z0 = [math.atanh(rho), math.log(sd)]
        if d.negbin:
            z0.append(float(np.clip(z[2], _ALPHA_BOUNDS[0] * 10, _ALPHA_BOUNDS[1] / 10)))
        hyp = _unpack(np.array(z0), d.negbin)
        mode = _find_mode(d, hyp, _start_mode(d))
        if not mode.ok:
            continue
        nll = -_laplace(d, mode, hyp)
        if nll < best_nll:
            best, best_nll = np.array(z0), nll
    return best if best is not None else _default_start(d)


#: The (AR coefficient, stationary sd) grid of :func:`_interior_start`.
_INTERIOR_GRID = tuple((r, s) for r in (0.5, 0.9, 0.97, 0.99) for s in (0.05, 0.15, 0.3, 0.6))


def _search(
    d: _Data, max_eval: int, z0: np.ndarray
) -> tuple[np.ndarray, _Mode, dict[str, Any], np.ndarray | None, float]:
    """L-BFGS-B (restarted when stalled; Nelder-Mead on flat ridges) from ``z0``, then the
    Newton polish. Returns the optimum (search scale), its inner mode, the info, the polish's
    last Hessian (``None`` when it did not converge) and the negative log likelihood there."""
    state = {"mode": _start_mode(d), "evals": 0, "inner_fail": 0}
    big = 1e12

    def objective(z: np.ndarray) -> float:
        state["evals"] += 1
        hyp = _unpack(z, d.negbin)
        mode = _find_mode(d, hyp, state["mode"])
        if not mode.ok:
            state["inner_fail"] += 1
            return big
        state["mode"] = mode
        return -_laplace(d, mode, hyp)

    def with_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
        value = objective(z)
        grad = None
        if value < big:
            grad = _neg_gradient(d, state["mode"], _unpack(z, d.negbin), "search")
        if grad is None:  # an inner failure: no gradient to follow
            return big, np.zeros(z.size)
        return value, grad

    bounds = [tuple(math.atanh(b) for b in _RHO_BOUNDS), tuple(map(math.log, _SD_BOUNDS))]
    if d.negbin:
        bounds.append(_ALPHA_BOUNDS)
    z = np.asarray(z0, dtype=float)
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    for _attempt in range(3):  # restarts with a fresh quasi-Newton memory when stalled
        res = optimize.minimize(
            with_gradient,
            z,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxfun": max_eval, "ftol": 1e-10, "gtol": 1e-3},
        )
        z = np.asarray(res.x, dtype=float)
        if _free_gradient(res, z, lo, hi) < _GRAD_TOL or state["evals"] >= max_eval:
            break
    gnorm = _free_gradient(res, z, lo, hi)
    method, success = "L-BFGS-B", gnorm < _GRAD_TOL
    if not success:  # flat ridges (e.g. theta -> infinity): derivative-free polish
        nm = optimize.minimize(
            objective, z, method="Nelder-Mead", bounds=bounds,
            options={"maxfev": max_eval, "xatol": 1e-4, "fatol": 1e-7},
        )  # fmt: skip
        if nm.fun <= res.fun + 1e-9:
            z, res = np.asarray(nm.x, dtype=float), nm
        spread = float(np.ptp(nm.final_simplex[1]))  # flat to this over the final simplex
        method, success = "L-BFGS-B + Nelder-Mead", bool(nm.success) or spread < 1e-4

    to_w = _z_to_w
    w_lo, w_hi = to_w(lo), to_w(hi)
    w, final, polish = _polish(d, to_w(z), w_lo, w_hi, state["mode"])
    state["evals"] += polish["n_eval"]
    if polish["converged"]:
        z = np.concatenate([w[:2], np.exp(w[2:])])
        gnorm = polish["max_abs_free_gradient"]
        success = success or gnorm < _GRAD_TOL
        method += " + Newton polish"
    else:  # keep the search's optimum (its inner mode made exact)
        final = _find_mode(d, _unpack(z, d.negbin), state["mode"])
        w = to_w(z)
    info = {
        "optimizer": method,
        "message": str(res.message),
        "success": success,
        "n_eval": int(state["evals"]),
        "n_iter": int(getattr(res, "nit", 0)),
        "restarts": int(_attempt),
        "inner_failures": int(state["inner_fail"]),
        "inner_iterations": int(final.iters),
        "max_abs_free_gradient": gnorm,
        "polish": {
            k: v for k, v in polish.items() if k not in ("max_abs_free_gradient", "hessian")
        },
        "at_bound": [
            name
            for name, a, b, v in zip(("rho", "sd", "theta"), w_lo, w_hi, w, strict=False)
            if v <= a + 1e-6 or v >= b - 1e-6
        ],
    }
    if not final.ok:  # the optimum's inner mode failed: no likelihood to report
        raise ConvergenceError("the posterior mode of the latent AR(1) model did not converge")
    negll = -_laplace(d, final, _unpack(z, d.negbin))
    return z, final, info, polish.get("hessian") if polish["converged"] else None, negll


def _polish(
    d: _Data,
    w: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    start: _Mode,
    step: float = _POLISH_STEP,
    max_iter: int = 20,
    hess0: np.ndarray | None = None,
) -> tuple[np.ndarray, _Mode, dict[str, Any]]:
    """Newton iterations on the working hyperparameters from the search's optimum.

    ``w = (atanh rho, log sd, log alpha)`` in the box ``[lo, hi]``. Each iteration takes the
    central-difference gradient (step ``step``) of the negative Laplace log likelihood and,
    while the steps are large, its central-difference Hessian (else the last one is kept: a
    chord step). The inner modes are exact to rounding (:func:`_find_mode`), so the objective is
    a smooth function of ``w`` to about ``1e-12`` whatever the order of the evaluations. The
    components at a bound whose gradient points out of the box are held there; the others take
    the Newton step (the Hessian's eigenvalues floored to keep it a descent direction, at most 1
    per component, clipped to the box, halved until the objective does not increase). The
    iterations stop after a step below :data:`_POLISH_TOL` (the error left is of the order of
    its square, or of the noise: ``1e-12 / (step * curvature)``). The result is the zero of the
    finite-difference gradient, not wherever a loosely stopped quasi-Newton search happened to
    end: on the flat likelihood of a persistent latent process a rounding difference of
    ``1e-16`` (another BLAS build) moved that end point by several per cent in ``sd`` and
    ``1e-3`` relative in the rate ratios.

    With ``hess0`` (the Hessian at the optimum of a neighbouring problem: a warm start) the
    iterations begin as chord steps with it and compute their own Hessian, as above, from the
    first step that needs a line search or fails to halve the previous one. The Hessian only
    chooses the steps: the point returned is still the zero of the finite-difference gradient.

    Returns
    -------
    w, mode, info
        The polished working hyperparameters, the inner mode there and ``converged``,
        ``iterations``, ``n_eval``, ``max_abs_free_gradient`` (free components, working scale),
        ``stop`` (``"step"``, ``"pinned"``, ``"no decrease"`` or ``"iterations"``),
        ``hessian`` (the last Hessian, working scale) and, when an inner mode failed, ``note``
        (``w`` and ``mode`` are then the inputs).
    """
    negbin = d.negbin
    info: dict[str, Any] = {"converged": False, "iterations": 0, "n_eval": 0}
    q = w.size

    def f(v: np.ndarray, m_start: _Mode) -> tuple[float, _Mode]:
        info["n_eval"] += 1
        hyp = _from_working(v, negbin)
        m = _find_mode(d, hyp, m_start)
        if not m.ok:
            raise ConvergenceError("inner mode failed in the Newton polish")
        return -_laplace(d, m, hyp), m

    hess = None if hess0 is None else np.array(hess0, dtype=float)
    chord = hess is not None  # quasi-Newton steps from the given Hessian while they contract
    moved = prev_moved = math.inf
    w_prev, g_prev = w, None
    prev: tuple[_Mode, list[_Mode]] | None = None  # warm: last centre and difference modes
    info["stop"] = "iterations"
    w_in = w
    try:
        f0, m0 = f(w, start)
        for it in range(1, max_iter + 1):
            info["iterations"] = it
            eye = np.eye(q) * step
            if prev is None:  # every difference from the centre's mode
                pm = [f(w + sgn * eye[k], m0) for sgn in (1.0, -1.0) for k in range(q)]
            else:  # warm: from the last iteration's modes at the same offsets, moved along
                pm = [
                    f(w + sgn * eye[k], _shifted(prev[1][j], prev[0], m0))
                    for j, (sgn, k) in enumerate((s_, k_) for s_ in (1.0, -1.0) for k_ in range(q))
                ]
            if hess0 is not None:
                prev = (m0, [e[1] for e in pm])
            fp = np.array([e[0] for e in pm[:q]])
            fm = np.array([e[0] for e in pm[q:]])
            g = (fp - fm) / (2.0 * step)
            if chord and g_prev is not None:
                hess = _bfgs_update(hess, w - w_prev, g - g_prev)
            w_prev, g_prev = w, g
            if hess is None or (not chord and moved > 1e-4):  # else the chord (last Hessian)
                hess = np.diag((fp - 2.0 * f0 + fm) / step**2)
                for a in range(q):
                    for b in range(a):
                        e_p, e_m = eye[a] + eye[b], eye[a] - eye[b]
                        cross = f(w + e_p, m0)[0] - f(w + e_m, m0)[0]
                        cross += f(w - e_p, m0)[0] - f(w - e_m, m0)[0]
                        hess[a, b] = hess[b, a] = cross / (4.0 * step**2)
            pinned = ((w <= lo + 1e-9) & (g > 0)) | ((w >= hi - 1e-9) & (g < 0))
            free = ~pinned
            info["max_abs_free_gradient"] = float(np.max(np.abs(g[free]), initial=0.0))
            if not free.any():
                info["converged"], info["stop"] = True, "pinned"
                break
            lam, vec = np.linalg.eigh(hess[np.ix_(free, free)])
            lam = np.maximum(np.abs(lam), max(1e-8 * float(np.max(np.abs(lam))), 1e-10))
            dw = np.zeros(q)
            dw[free] = -(vec @ ((vec.T @ g[free]) / lam))
            dw = np.clip(dw, -1.0, 1.0)
            slack = 1e-11 * max(1.0, abs(f0))
            t = 1.0
            for _ in range(30):
                w_new = np.clip(w + t * dw, lo, hi)
                guess = m0 if prev is None else _predicted(m0, prev[1], w_new - w, step)
                f_new, m_new = f(w_new, guess)
                if f_new <= f0 + slack:
                    break
                t *= 0.5
            else:  # no decrease to the objective's precision: at the optimum
                info["converged"] = info["max_abs_free_gradient"] < _GRAD_TOL
                info["stop"] = "no decrease"
                break
            moved = float(np.max(np.abs(w_new - w)))
            w, f0, m0 = w_new, f_new, m_new
            # quadratic convergence: what is left is far smaller; a quasi-Newton step is only
            # superlinear, so it must be smaller still
            if moved < (_SECANT_TOL if chord else _POLISH_TOL):
                info["converged"], info["stop"] = True, "step"
                break
            if chord and (t < 1.0 or moved > prev_moved):  # not contracting: own Hessians
                chord = False
            prev_moved = moved
    except ConvergenceError as exc:
        info["note"] = str(exc)
        return w_in, start, info
    info["hessian"] = hess
    return w, m0, info


def _shifted(mode: _Mode, old_centre: _Mode, centre: _Mode) -> _Mode:
    """A starting point for the mode near ``centre``: ``mode`` moved by ``centre - old_centre``."""
    return _Mode(mode.u + (centre.u - old_centre.u), mode.beta + (centre.beta - old_centre.beta))


def _predicted(centre: _Mode, diffs: list[_Mode], dw: np.ndarray, step: float) -> _Mode:
    """First-order prediction of the mode at ``w + dw`` from the central-difference modes."""
    q = dw.size
    u, beta = centre.u.copy(), centre.beta.copy()
    for k in range(q):
        c = dw[k] / (2.0 * step)
        u += c * (diffs[k].u - diffs[q + k].u)
        beta += c * (diffs[k].beta - diffs[q + k].beta)
    return _Mode(u, beta)


def _bfgs_update(hess: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """BFGS update of a Hessian approximation (unchanged when the pair is not curved)."""
    hs = hess @ s
    shs, sy = float(s @ hs), float(s @ y)
    if not (shs > 0 and sy > 1e-10 * float(np.sqrt(s @ s) * np.sqrt(y @ y))):
        return hess
    return hess - np.outer(hs, hs) / shs + np.outer(y, y) / sy


def _s_inverse(mode: _Mode) -> np.ndarray:
    """``S^{-1}`` from the Cholesky factor of the Schur complement."""
    k = mode.s_chol.shape[0]
    s_inv = lapack.dpotrs(mode.s_chol, np.eye(k), lower=1)[0]
    return 0.5 * (s_inv + s_inv.T)


def _working(hyp: tuple[float, float, float], negbin: bool) -> np.ndarray:
    """``(atanh rho, log sd, log alpha)`` (the last only for the negative binomial)."""
    rho, sigma, theta = hyp
    h = [math.atanh(rho), math.log(sigma / math.sqrt(1.0 - rho * rho))]
    if negbin:
        h.append(-math.log(theta))
    return np.array(h)


def _from_working(h: np.ndarray, negbin: bool) -> tuple[float, float, float]:
    """Inverse of :func:`_working`."""
    rho = math.tanh(h[0])
    theta = math.exp(-h[2]) if negbin else math.inf
    return rho, math.exp(h[1]) * math.sqrt(1.0 - rho * rho), theta


def _hyper_derivatives(
    d: _Data, h0: np.ndarray, mode: _Mode, free: list[int], step: float, f0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Central differences for :func:`_hyper_uncertainty` over the ``free`` working components.

    The curvature ``d2 l / dh2`` is the central difference of the exact gradient
    (:func:`_neg_gradient`, one inner mode and one gradient at each of ``+-step``: ``2q``
    modes); where a gradient is not available it falls back to second differences of the
    likelihood itself (``2q`` plus ``2q(q - 1)`` modes for the cross terms). ``d beta / dh`` and
    ``d diag(S^{-1}) / dh`` are central differences of the modes either way.

    Returns
    -------
    hess, jac, gv : numpy.ndarray
        ``d2 l / dh2`` (``q x q``), ``d beta / dh`` and ``d diag(S^{-1}) / dh`` (``k x q``).
    how : str
        Which curvature was used, in words.

    Raises
    ------
    ConvergenceError
        An inner mode failed.
    """

    def at(delta: dict[int, float]) -> tuple[float, _Mode, tuple[float, float, float]]:
        h = h0.copy()
        for k, e in delta.items():
            h[k] += e
        hy = _from_working(h, d.negbin)
        m = _find_mode(d, hy, mode)
        if not m.ok:
            raise ConvergenceError("inner mode failed in the hyperparameter sensitivity")
        return _laplace(d, m, hy), m, hy

    q = len(free)
    hess = np.zeros((q, q))
    jac = np.zeros((mode.beta.size, q))
    gv = np.zeros((mode.beta.size, q))
    grads: list[np.ndarray | None] = []
    values = np.zeros((q, 2))
    for a, k in enumerate(free):
        (fp, mp, hp), (fm, mm, hm) = at({k: step}), at({k: -step})
        values[a] = fp, fm
        jac[:, a] = (mp.beta - mm.beta) / (2.0 * step)
        gv[:, a] = (np.diag(_s_inverse(mp)) - np.diag(_s_inverse(mm))) / (2.0 * step)
        gp, gm = _neg_gradient(d, mp, hp, "working"), _neg_gradient(d, mm, hm, "working")
        grads.append(None if gp is None or gm is None else (gm - gp)[free] / (2.0 * step))
    if all(g is not None for g in grads):
        hess = np.column_stack(grads)  # type: ignore[arg-type]
        return 0.5 * (hess + hess.T), jac, gv, "central differences of the exact gradient"
    for a, k in enumerate(free):
        hess[a, a] = (values[a, 0] - 2.0 * f0 + values[a, 1]) / step**2
        for b in range(a):
            kk = free[b]
            fpp = at({k: step, kk: step})[0]
            fpm = at({k: step, kk: -step})[0]
            fmp = at({k: -step, kk: step})[0]
            fmm = at({k: -step, kk: -step})[0]
            hess[a, b] = hess[b, a] = (fpp - fpm - fmp + fmm) / (4.0 * step**2)
    return hess, jac, gv, "second differences of the likelihood"


def _hyper_uncertainty(
    d: _Data,
    hyp: tuple[float, float, float],
    mode: _Mode,
    free: list[int],
    step: float = _HYPER_STEP,
) -> tuple[np.ndarray | None, np.ndarray | None, dict[str, Any]]:
    """Delta-method (Kass-Steffey) propagation of the hyperparameter uncertainty.

    On the working scale ``h = (atanh rho, log sd, log alpha)`` the Laplace log likelihood
    ``l(h)`` is differentiated twice over the free (not at a bound) components (central
    differences of its exact gradient, :func:`_hyper_derivatives`), the inner solution
    ``beta(h)`` and ``diag S(h)^{-1}`` once (central differences). Then
    ``V = (-d2 l)^{-1}``, ``cov_hyper = J V J'`` (``J = d beta / d h``) and the Satterthwaite
    degrees of freedom ``2 var^2 / (g' V g)`` with ``g = d diag(S^{-1}) / d h``.

    Returns
    -------
    cov_hyper, df : numpy.ndarray or None
        ``None`` when no component is free or the curvature is not negative definite.
    info : dict
        ``h``, ``free``, ``curvature`` (how ``d2 l`` was found), ``hyper_cov`` (``V``) or the
        reason it is missing.
    """
    h0 = _working(hyp, d.negbin)
    names = ["atanh_rho", "log_sd", "log_alpha"][: h0.size]
    info: dict[str, Any] = {"h": h0.tolist(), "names": names, "free": [names[k] for k in free]}
    if not free:
        info["note"] = "every hyperparameter at a bound: not propagated"
        return None, None, info
    f0 = _laplace(d, mode, hyp)
    v0 = np.diag(_s_inverse(mode))
    try:
        hess, jac, gv, how = _hyper_derivatives(d, h0, mode, free, step, f0)
    except ConvergenceError as exc:
        info["note"] = f"not propagated: {exc}"
        return None, None, info
    info["curvature"] = how
    evals = np.linalg.eigvalsh(-hess)
    if not np.all(np.isfinite(evals)) or evals.min() <= 1e-8 * max(1.0, evals.max()):
        info["note"] = "the Laplace likelihood is not curved in the hyperparameters: not propagated"
        return None, None, info
    v_h = np.linalg.inv(-hess)
    v_h = 0.5 * (v_h + v_h.T)
    cov_h = jac @ v_h @ jac.T
    var_var = np.einsum("ik,kl,il->i", gv, v_h, gv)
    with np.errstate(divide="ignore"):
        df = np.where(var_var > 0, 2.0 * (v0 + np.diag(cov_h)) ** 2 / var_var, np.inf)
    info["hyper_cov"] = v_h.tolist()
    return 0.5 * (cov_h + cov_h.T), df, info


def phase_contrast_variance(
    weights: np.ndarray, mean: np.ndarray, *, rho: float, latent_sd: float, theta: float | None
) -> float:
    """Variance of ``sum_t w_t y_t / m_t`` under the lognormal AR(1) count model.

    For ``y_t`` negative binomial (size ``theta``) given a stationary Gaussian AR(1) log
    intensity with marginal sd ``s`` and AR coefficient ``r``, with marginal means ``m_t``::

        Var(y_t)      = m_t + m_t^2 (exp(s^2) (1 + 1/theta) - 1)
        Cov(y_s, y_t) = m_s m_t (exp(s^2 r^|s-t|) - 1)          (s != t)

    so ``Var(sum_t w_t y_t / m_t) = sum_t w_t^2 (1 / m_t + exp(s^2) / theta)
    + sum_{s,t} w_s w_t (exp(s^2 r^|s-t|) - 1)``. With ``w = 1/n_a`` on the observed after
    periods and ``-1/n_b`` on the observed before periods (``m`` = the period means) this is
    the delta-method variance of ``log(mean after) - log(mean before)``, cross-phase covariance
    included. The double sum is taken by lag (``O(n log n)``).

    Parameters
    ----------
    weights : numpy.ndarray
        ``w_t`` on a regular grid (0 for periods that do not count: missing or outside).
    mean : numpy.ndarray
        ``m_t`` (> 0 where ``w_t != 0``).
    rho, latent_sd : float
        AR coefficient and stationary sd of the latent process.
    theta : float or None
        Negative-binomial size (``None``: Poisson given the latent process).

    Returns
    -------
    float
    """
    w = np.asarray(weights, dtype=float)
    m = np.asarray(mean, dtype=float)
    nz = w != 0
    v = latent_sd**2
    inv_theta = 0.0 if theta is None or not math.isfinite(theta) else 1.0 / theta
    count_part = float(np.sum(w[nz] ** 2 * (1.0 / m[nz] + math.exp(v) * inv_theta)))
    n = w.size
    size = 1 << int(2 * n - 1).bit_length()
    fw = np.fft.rfft(w, size)
    acf = np.fft.irfft(fw * np.conj(fw), size)[:n]  # acf[k] = sum_t w_t w_{t+k}
    lags = np.arange(n)
    kern = np.expm1(v * np.power(float(rho), lags))
    latent_part = float(acf[0] * kern[0] + 2.0 * np.sum(acf[1:] * kern[1:]))
    return max(count_part + latent_part, 0.0)


@functools.lru_cache(maxsize=1)
def _blas_controller() -> Any:
    """The ``threadpoolctl`` controller of the loaded BLAS libraries (``None`` without it)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    except Exception:  # pragma: no cover - threadpoolctl missing or unable to inspect
        return None


class _OneBlasThread:
    """Context: one BLAS thread while any fit runs (re-entrant, shared by Python threads).

    The first fit to enter sets the limit, the last to leave restores the setting found then:
    fits running in several Python threads at once cannot leave the process on one thread.
    """

    _lock = threading.Lock()
    _depth = 0
    _limiter: Any = None

    def __enter__(self) -> None:
        cls = type(self)
        with cls._lock:
            if cls._depth == 0:
                ctl = _blas_controller()
                cls._limiter = None if ctl is None else ctl.limit(limits=1, user_api="blas")
            cls._depth += 1

    def __exit__(self, *exc: object) -> None:
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0 and cls._limiter is not None:
                cls._limiter.restore_original_limits()
                cls._limiter = None


def _one_blas_thread() -> _OneBlasThread:
    """A context running the fit with a single BLAS thread (``threadpoolctl``, when available).

    Every matrix of the fit is small (``n x p``, ``p x p``; the tridiagonal solves are not
    threaded), so a second OpenBLAS thread adds nothing to the arithmetic, but waking it costs
    each small LAPACK call of scipy's L-BFGS-B (its ``dpotrf`` / ``dtrtrs`` on the quasi-Newton
    memory) of the order of a millisecond, and its spinning takes a core from the fit itself:
    on two shared cores a fit ran 2.5 to 3 times slower with the default threads than with one
    (``benchmarks/results/speed_latent_ar_issue12_s5.md``). The estimates were the same to the
    last bit on every series measured (120 to 3,000 days, up to 10 columns). The controller is
    made once; entering the limit costs about 20 microseconds.

    Returns
    -------
    context manager
    """
    return _OneBlasThread()


def fit_latent_ar(
    y: pd.Series | np.ndarray | Sequence[float],
    x: pd.DataFrame | np.ndarray,
    *,
    names: Sequence[str] | None = None,
    offset: np.ndarray | pd.Series | None = None,
    family: Literal["negbin", "poisson"] = "negbin",
    max_eval: int = 1000,
    hyper: Literal["none", "delta", "delta_t", "auto"] = "none",
    start: LatentARStart | None = None,
) -> LatentARResult:
    """Fit a count regression with a latent Gaussian AR(1) log intensity.

    Parameters
    ----------
    y : array-like or pandas.Series
        Counts per period on a regular grid; NaN marks a period that was not reported (its
        latent state is kept, so the calendar spacing is respected).
    x : pandas.DataFrame or array
        Design matrix, one row per period (include the intercept column).
    names : sequence of str, optional
        Column names (default: the DataFrame's columns, else ``x0, x1, ...``).
    offset : array-like, optional
        Known log-scale offset (e.g. ``log(exposure)``).
    family : {"negbin", "poisson"}, default "negbin"
        Count distribution given the latent intensity.
    max_eval : int, default 1000
        Largest number of likelihood evaluations of each outer optimiser (L-BFGS-B with
        finite-difference gradients, restarted up to twice when it stalls; then, if its
        gradient is still above tolerance, a Nelder-Mead polish from its best point). The
        Newton polish that follows (at most 20 iterations) is not counted against it.
    hyper : {"none", "delta", "delta_t"}, default "none"
        ``"delta"``: propagate the uncertainty of ``(rho, sd, theta)`` into the coefficients'
        covariance (``cov = S^{-1} + J V J'``, see :attr:`LatentARResult.cov_hyper`; 6 more
        inner solutions and their gradients); ``"delta_t"``: the same covariance and t quantiles with the
        Satterthwaite degrees of freedom :attr:`LatentARResult.df` in the Wald intervals and
        p-values; ``"none"``: ``cov = S^{-1}``, normal quantiles. Either way
        ``cov_conditional`` is ``S^{-1}``. Where the correction is not available (every
        hyperparameter at a bound, or a likelihood not curved in them) the fit falls back to
        ``"none"`` and says so in its notes. ``"auto"``: ``"delta_t"`` with fewer than
        :data:`AUTO_T_PERIODS` observed periods, else ``"delta"`` (the combination measured
        best on daily series: t quantiles help at 120 days and over-cover at 245 or more).
    start : LatentARStart, optional
        A warm start, typically the :attr:`LatentARResult.optimum` of a fit of a neighbouring
        problem (the same model on a shifted window or at another date): the Newton polish
        runs from it alone, without the L-BFGS-B search, and its result is kept only when the
        polish converges on its own criterion to a minimum with a free gradient below
        tolerance; otherwise the full (cold) optimisation runs. Either way the estimate is
        the zero of the polish's finite-difference gradient, so it agrees with the cold fit's
        to the optimiser's reproducibility (about ``1e-8``) unless the likelihood has two
        optima. ``info["warm_start"]`` says what happened. Default: the cold optimisation.

    Returns
    -------
    LatentARResult

    Raises
    ------
    InputError
        Malformed counts, design or offset.
    InsufficientDataError
        Fewer than :data:`MIN_PERIODS` observed periods or :data:`MIN_EVENTS` events, or no
        events on one side of a 0/1 indicator column.
    NotIdentifiedError
        Rank-deficient design on the observed periods.
    ConvergenceError
        The mode or the likelihood maximisation did not converge.
    """
    t0 = time.perf_counter()
    if family not in ("negbin", "poisson"):
        raise InputError(f"family must be 'negbin' or 'poisson', not {family!r}")
    yv, index = _check_counts(y)
    n = yv.size
    xm, cols = _as_design(x, n, names)
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float).reshape(-1)
    if off.shape != (n,) or not np.all(np.isfinite(off)):
        raise InputError(f"the offset must be {n} finite values")
    obs = ~np.isnan(yv)
    if obs.sum() < MIN_PERIODS:
        raise InsufficientDataError(
            f"only {int(obs.sum())} observed periods; the latent AR(1) model needs at least "
            f"{MIN_PERIODS}"
        )
    if np.nansum(yv) < MIN_EVENTS:
        raise InsufficientDataError(
            f"only {np.nansum(yv):g} events; at least {MIN_EVENTS} are needed"
        )
    _check_identified(yv, obs, xm, cols)
    y0 = np.where(obs, yv, 0.0)
    d = _Data(y0, obs.astype(float), xm, off, special.gammaln(y0 + 1.0), family == "negbin")
    with _one_blas_thread():
        z, mode, info, hess = _optimise(d, max_eval, start)
    if not mode.ok:
        raise ConvergenceError("the posterior mode of the latent AR(1) model did not converge")
    hyp = _unpack(z, d.negbin)
    notes = []
    if not info["success"]:
        raise ConvergenceError(
            "the latent AR(1) likelihood maximisation did not converge "
            f"({info['message']}; largest free gradient {info['max_abs_free_gradient']:.2g})"
        )
    if "sd" in info["at_bound"]:
        notes.append("the latent process variance is at its lower bound: no serial dependence")
    if "rho" in info["at_bound"]:
        notes.append(f"the AR coefficient is at its bound ({hyp[0]:.3f})")
    if "theta" in info["at_bound"]:
        notes.append("the negative-binomial size is at its bound")
    if hyper not in ("none", "delta", "delta_t", "auto"):
        raise InputError(f"hyper must be 'none', 'delta', 'delta_t' or 'auto', not {hyper!r}")
    if hyper == "auto":
        hyper = "delta_t" if obs.sum() < AUTO_T_PERIODS else "delta"
    info["hyper_mode"] = hyper
    s_inv = _s_inverse(mode)
    cov, cov_h, dfs = s_inv, None, None
    if hyper != "none":
        at_bound = set(info["at_bound"])
        free = [k for k, nm in enumerate(("rho", "sd", "theta")[: z.size]) if nm not in at_bound]
        with _one_blas_thread():
            cov_h, dfs, info["hyper"] = _hyper_uncertainty(d, hyp, mode, free)
        if cov_h is not None:
            cov = s_inv + cov_h
        else:
            notes.append(f"hyperparameter uncertainty {info['hyper']['note']}")
    info["notes"] = notes
    info["seconds"] = time.perf_counter() - t0
    return LatentARResult(
        params=pd.Series(mode.beta, index=cols),
        cov=pd.DataFrame(cov, index=cols, columns=cols),
        rho=hyp[0],
        sigma=hyp[1],
        theta=hyp[2] if d.negbin else None,
        family=family,
        loglik=_laplace(d, mode, hyp),
        latent=pd.Series(mode.u, index=index),
        n_obs=int(obs.sum()),
        converged=True,
        info=info,
        design=pd.DataFrame(xm, columns=cols, index=index),
        y=yv,
        offset=None if offset is None else off,
        cov_conditional=pd.DataFrame(s_inv, index=cols, columns=cols),
        cov_hyper=None if cov_h is None else pd.DataFrame(cov_h, index=cols, columns=cols),
        df=None if dfs is None else pd.Series(dfs, index=cols),
        optimum=LatentARStart(_z_to_w(z), hess),
    )


# --------------------------------------------------------------------------------------------
# the ITS design
# --------------------------------------------------------------------------------------------
def _position(index: pd.DatetimeIndex | None, n: int, when: Any) -> int:
    if isinstance(when, (int, np.integer)) and not isinstance(when, bool):
        pos = int(when)
    else:
        if index is None:
            raise InputError("give intervention positions (int) when there is no date index")
        try:
            day = pd.Timestamp(when).normalize()
        except (TypeError, ValueError) as exc:
            raise InputError(f"cannot read the intervention date {when!r}") from exc
        starts = index.normalize().to_numpy()
        pos = int(np.searchsorted(starts, np.datetime64(day.to_datetime64()), side="left"))
    if not 0 < pos < n:
        raise InputError("every intervention must fall strictly inside the series")
    return pos


def its_design(
    index: pd.DatetimeIndex | int,
    interventions: Any,
    *,
    trend: bool = True,
    slope_change: bool = True,
) -> pd.DataFrame:
    """The segmented-regression design of :func:`trends.models.its.fit_its`.

    Columns ``intercept``, ``trend`` (``t = 1..n``) and, for intervention ``i`` (ids ``i1, i2, ...``
    in date order) with first post period at 0-based position ``p``: ``level[i]`` (1 from ``p`` on)
    and ``slope[i]`` (``max(k - p + 1, 0)`` at position ``k``: 1 in the first post period). So
    ``exp(level)`` is the rate ratio at the intervention, as in ``fit_its``.

    Parameters
    ----------
    index : pandas.DatetimeIndex or int
        Period labels (daily or weekly: the first post period is the first period starting on
        or after the intervention's date, as ``fit_its``), or the series length.
    interventions : date, int or sequence of them
        Intervention dates, or 0-based positions of the first post period (use positions for
        monthly or coarser series).
    trend, slope_change : bool, default True
        Include the linear trend / the slope-change terms.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``index`` (or by position).

    Raises
    ------
    InputError
        An intervention outside the series or two in the same period.
    """
    if isinstance(index, (int, np.integer)):
        n, idx = int(index), None
        labels: pd.Index = pd.RangeIndex(n)
    else:
        idx = pd.DatetimeIndex(index)
        n, labels = len(idx), idx
    items = (
        list(interventions)
        if isinstance(interventions, (list, tuple, np.ndarray, pd.Index))
        else [interventions]
    )
    positions = sorted(_position(idx, n, w) for w in items)
    if len(set(positions)) != len(positions):
        raise InputError("two interventions fall in the same period")
    k = np.arange(n)
    cols: dict[str, np.ndarray] = {"intercept": np.ones(n)}
    if trend:
        cols["trend"] = k + 1.0
    for j, p in enumerate(positions, start=1):
        cols[f"level[i{j}]"] = (k >= p).astype(float)
        if slope_change:
            cols[f"slope[i{j}]"] = np.maximum(k - p + 1, 0).astype(float)
    return pd.DataFrame(cols, index=labels)


def fit_its_latent_ar(
    series: pd.Series,
    interventions: Any,
    *,
    family: Literal["negbin", "poisson"] = "negbin",
    trend: bool = True,
    slope_change: bool = True,
    offset: np.ndarray | pd.Series | None = None,
    hyper: Literal["none", "delta", "delta_t", "auto"] = "none",
) -> LatentARResult:
    """Interrupted time series with a latent AR(1) log intensity.

    The design of :func:`its_design` fitted by :func:`fit_latent_ar`; the level change is
    ``result.rate_ratio("level[i1]")`` and is comparable with ``fit_its``'s, the cumulative
    effect ``result.cumulative_effect()``. With ``trend=False, slope_change=False`` the level
    term is the two-phase rate ratio (mean after / mean before, as
    :func:`trends.models.rates.compare_rates`), with the serial dependence modelled.

    Parameters
    ----------
    series : pandas.Series
        Counts on a regular date index (NaN = not reported).
    interventions : date, int or sequence of them
        See :func:`its_design`.
    family : {"negbin", "poisson"}, default "negbin"
    trend, slope_change : bool, default True
    offset : array-like, optional
        Log-scale offset.
    hyper : {"none", "delta", "delta_t", "auto"}, default "none"
        Hyperparameter uncertainty (see :func:`fit_latent_ar`).

    Returns
    -------
    LatentARResult

    Raises
    ------
    InputError, InsufficientDataError, NotIdentifiedError, ConvergenceError
        As :func:`fit_latent_ar` and :func:`its_design`.
    """
    if not isinstance(series, pd.Series):
        raise InputError("series must be a pandas Series with a date index")
    idx = series.index if isinstance(series.index, pd.DatetimeIndex) else len(series)
    design = its_design(idx, interventions, trend=trend, slope_change=slope_change)
    return fit_latent_ar(series, design, offset=offset, family=family, hyper=hyper)

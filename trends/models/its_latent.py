"""The ``inference="latent_ar"`` path of :func:`trends.models.its.fit_its`.

The interrupted-time-series design of :func:`trends.models.its_design.build_design` (the same
columns, the same ``level[id]`` / ``slope[id]`` parameterisation, seasonality, covariates, offset,
transition terms) is fitted by :func:`trends.models.latent_ar.fit_latent_ar`: a count regression
whose serial dependence is an unobserved stationary AR(1) process on the log scale. Its Wald
intervals use the inverse Schur complement of the Laplace approximation (see that module).

This module supplies the two pieces ``fit_its`` swaps in for that option:

- :func:`fit_latent_its`: the fit on the rows ``fit_its`` would use (rows it would not use, such
  as an excluded transition window, are passed as unreported so the latent process keeps the
  calendar spacing), wrapped in a :class:`LatentARFit` with the attributes an
  :class:`~trends.models.its.ITSResult` reads from its ``fit`` (coefficients, standard errors,
  Pearson residuals, dispersion...);
- :func:`latent_intervals`: the counterfactual's bands, from
  :meth:`~trends.models.latent_ar.LatentARResult.expected_total` (marginal expected counts, with
  parameter, count and latent-process uncertainty; a lognormal approximation).

The fit propagates the uncertainty of the hyperparameters (:data:`LATENT_ITS_HYPER`,
``"auto"``: delta method, plus t quantiles with Satterthwaite df below
:data:`~trends.models.latent_ar.AUTO_T_PERIODS` observed periods). Measured
(``benchmarks/results/calibration_independent_v2.md``, 200 simulated series per cell): where the
ITS trend is right, the 95% level-change intervals covered 0.949 at >= 245 days and 0.939 at 120
days (0.942 / 0.918 without the correction; 0.839 / 0.778 for the default negative binomial +
Newey-West); false-positive rate 0.050 (0.063; 0.187). It does not repair a misfit trend (0.748
vs 0.585 on a slow wave) nor the long-run estimand under self-excitation. The numbers are
carried by :data:`trends.models.spec.INFERENCE_METHODS` into the result's settings and report.

Repeated fits of neighbouring problems (the placebo test's fake dates) may run inside
:func:`warm_start_chain`: each fit then starts its hyperparameter search at the optimum of the
previous one (``start`` of :func:`~trends.models.latent_ar.fit_latent_ar`: the Newton polish
alone, with the cold search as the fallback): the same estimates as cold fits to the
optimiser's reproducibility *when the likelihood has one optimum*; where it has two, a chain
can keep the previous fit's (``placebo_test(..., warm_start=True)``, experimental).

The counterfactual mean of a period is the *marginal* expected count ``exp(o + x'b + c)`` with
``c`` = :meth:`~trends.models.latent_ar.LatentARResult.mean_correction` (fitted expected counts
add up to the observed total, as a count GLM's do).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.models.its_design import ITSDesign, PreparedSeries
from trends.models.latent_ar import (
    LatentARResult,
    LatentARStart,
    dependence_words,
    fit_latent_ar,
    weak_dependence_note,
)
from trends.models.latent_ar_intervals import latent_intervals_fast
from trends.models.spec import ITSSpec

__all__ = [
    "LATENT_ITS_HYPER",
    "LatentARFit",
    "fit_latent_its",
    "latent_intervals",
    "latent_mean_shift",
    "latent_se_description",
    "warm_start_chain",
]


#: Hyperparameter uncertainty of ``inference="latent_ar"`` (the ``hyper`` option of
#: :func:`trends.models.latent_ar.fit_latent_ar`), chosen from the measurements of
#: ``benchmarks/results/calibration_independent_v2.md``.
LATENT_ITS_HYPER: Literal["none", "delta", "delta_t", "auto"] = "auto"


@dataclass(frozen=True, eq=False)
class LatentARFit:
    """A latent-AR fit as an ITS result carries it (read like a count GLM fit).

    Attributes
    ----------
    result : LatentARResult
        The fit of :func:`trends.models.latent_ar.fit_latent_ar`.
    mu : pandas.Series
        Marginal expected counts of the used periods.
    resid_pearson : pandas.Series
        Pearson residuals of the used periods given the latent process (its posterior mode):
        their autocorrelation is what the latent AR(1) did not absorb.
    pearson_chi2, dispersion : float
        Sum of their squares, and that over ``df_resid``.
    n, df_resid : int
        Used periods and ``n`` minus the coefficients.
    notes : tuple of str
        Remarks of the fit (a parameter at its bound...).
    """

    result: LatentARResult
    mu: pd.Series
    resid_pearson: pd.Series
    pearson_chi2: float
    dispersion: float
    n: int
    df_resid: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    se_type = "latent_ar"
    covariance = "latent_ar"
    hac = None
    scale = 1.0
    se_theta = None
    nb_se = None
    deviance = math.nan
    aic = math.nan
    converged = True

    @property
    def params(self) -> pd.Series:
        """Coefficients (log scale)."""
        return self.result.params

    @property
    def bse(self) -> pd.Series:
        """Standard errors (inverse Schur complement at the Laplace optimum)."""
        return self.result.bse

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance of the coefficients."""
        return self.result.cov

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided Wald p-values (t with the Satterthwaite df when the fit uses them)."""
        return pd.Series(
            [self.result.p_value(t) for t in self.params.index], index=self.params.index
        )

    def quantile(self, term: str, alpha: float) -> float:
        """Two-sided quantile of one coefficient's Wald interval (normal, or t with its df).

        Parameters
        ----------
        term : str
            Design column.
        alpha : float
            One minus the confidence level.

        Returns
        -------
        float
        """
        return self.result.quantile(term, alpha)

    @property
    def family(self) -> str:
        """``"negbin"`` or ``"poisson"``."""
        return self.result.family

    @property
    def theta(self) -> float | None:
        """Negative-binomial size given the latent process (``None`` for Poisson)."""
        return self.result.theta

    @property
    def loglik(self) -> float:
        """Laplace log likelihood (``u`` and ``beta`` integrated out)."""
        return self.result.loglik

    @property
    def se_description(self) -> str:
        """The standard errors in words."""
        return latent_se_description(self.result)


def latent_se_description(result: LatentARResult) -> str:
    """The standard errors of a latent-AR fit in words.

    Parameters
    ----------
    result : LatentARResult
        The fit.

    Returns
    -------
    str
        The words (method, AR coefficient, stationary sd).
    """
    if result.cov_hyper is not None:
        hyper = "uncertainty of the AR coefficient, sd and size propagated by the delta method"
    elif result.info.get("hyper"):
        hyper = f"hyperparameter uncertainty {result.info['hyper'].get('note', 'not propagated')}"
    else:
        hyper = "hyperparameter uncertainty not propagated"
    weak = weak_dependence_note(result)
    return (
        "latent AR(1) log-intensity model (Laplace approximation; "
        f"{dependence_words(result)}; {hyper}" + (f"; {weak})" if weak else ")")
    )


#: The optimum of the last fit of the innermost :func:`warm_start_chain` (``None``: no chain).
_CHAIN: ContextVar[list[LatentARStart | None] | None] = ContextVar("_CHAIN", default=None)


@contextmanager
def warm_start_chain() -> Iterator[None]:
    """Warm-start each :func:`fit_latent_its` in the block from the previous one's optimum.

    The first fit of the block is cold; every later one without an explicit ``start`` begins
    at the :attr:`~trends.models.latent_ar.LatentARResult.optimum` of the last fit that
    succeeded (see ``start`` of :func:`~trends.models.latent_ar.fit_latent_ar`: a start the
    Newton polish cannot finish from falls back to the cold optimisation). Meant for fits of
    neighbouring problems in sequence, such as the placebo test's fake dates.

    Yields
    ------
    None
    """
    token = _CHAIN.set([None])
    try:
        yield
    finally:
        _CHAIN.reset(token)


def fit_latent_its(
    spec: ITSSpec,
    prepared: PreparedSeries,
    design: ITSDesign,
    used: np.ndarray,
    start: LatentARStart | None = None,
) -> tuple[LatentARFit, list[str]]:
    """Fit the ITS design with a latent AR(1) log intensity on the used rows.

    Parameters
    ----------
    spec : ITSSpec
        The (validated) specification; its family is ``"negbin"`` or ``"poisson"``.
    prepared : PreparedSeries
        The series.
    design : ITSDesign
        Its design (:func:`trends.models.its_design.build_design`).
    used : numpy.ndarray of bool
        Rows the fit may use (:func:`trends.models.its_design.usable_rows`); the others are
        passed as unreported periods.
    start : LatentARStart, optional
        Warm start of the hyperparameter search (see
        :func:`~trends.models.latent_ar.fit_latent_ar`); default: inside
        :func:`warm_start_chain` the previous fit's optimum, else none (the cold search).

    Returns
    -------
    LatentARFit, list of str
        The fit and the remarks to report as warnings (none: they go in ``notes``).

    Raises
    ------
    trends.errors.InsufficientDataError, trends.errors.NotIdentifiedError
        Too few periods or events, or a design not identified on the used rows.
    trends.errors.ConvergenceError
        The latent-AR likelihood could not be maximised.
    """
    y = np.where(used, prepared.values, np.nan)
    x = design.matrix.astype(float).copy()
    x.loc[~used] = 0.0
    x = x.fillna(0.0)
    offset = np.where(used, design.offset, 0.0)
    offset = np.where(np.isfinite(offset), offset, 0.0)
    chain = _CHAIN.get()
    if start is None and chain is not None:
        start = chain[0]
    res = fit_latent_ar(
        y,
        x,
        offset=offset,
        family=spec.family_name,
        hyper=LATENT_ITS_HYPER,  # type: ignore[arg-type]
        start=start,
    )
    if chain is not None:
        chain[0] = res.optimum
    eta = offset + x.to_numpy(dtype=float) @ res.params.to_numpy()
    mu_cond = np.exp(eta + res.latent.to_numpy())[used]
    var = mu_cond if res.theta is None else mu_cond + mu_cond**2 / res.theta
    resid = (prepared.values[used] - mu_cond) / np.sqrt(var)
    mu_marg = np.exp(eta + res.mean_correction())[used]
    idx = prepared.index[used]
    n, p = int(used.sum()), len(res.params)
    chi2 = float(np.sum(resid**2))
    fit = LatentARFit(
        result=res,
        mu=pd.Series(mu_marg, index=idx),
        resid_pearson=pd.Series(resid, index=idx),
        pearson_chi2=chi2,
        dispersion=chi2 / max(n - p, 1),
        n=n,
        df_resid=n - p,
        notes=tuple(res.info.get("notes", ())),
    )
    return fit, []


#: The counterfactual's bands of a latent-AR ITS fit (one implementation, in O(m^2)).
latent_intervals = latent_intervals_fast


def latent_mean_shift(fit: Any) -> float:
    """Log-scale shift from ``o + x'b`` to the marginal expected count (0 for a count GLM).

    Parameters
    ----------
    fit : LatentARFit or CountGLMFit
        The fit of an ITS.

    Returns
    -------
    float
        :meth:`~trends.models.latent_ar.LatentARResult.mean_correction` for a latent-AR fit,
        else 0.
    """
    if isinstance(fit, LatentARFit):
        return float(fit.result.mean_correction())
    return 0.0

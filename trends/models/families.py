"""Count families as small frozen objects in a registry.

A :class:`Family` says everything the rest of the package needs to know about a count model with
a log link: its name and label in words, its variance function, log-likelihood and deviance, how
its dispersion is estimated, how its counts are simulated (for prediction intervals), and how to
fit it, which every family does through the one IRLS kernel (:func:`trends.models.irls.irls`).

Registered families (:data:`FAMILIES`):

``"poisson"``
    Variance ``mu``; no dispersion parameter.
``"quasipoisson"``
    Poisson mean and estimating equations, variance ``phi * mu`` with ``phi`` the Pearson
    ``X^2 / (n - k)`` (as R ``quasipoisson``); no likelihood.
``"negbin"``
    NB2, variance ``mu + mu^2 / theta``, ``theta`` by maximum likelihood alternated with IRLS and
    polished on the joint likelihood (as R ``MASS::glm.nb``).

Strings keep working everywhere: :func:`get_family` turns a name into its family (and passes a
:class:`Family` through). Adding a family is one subclass (or instance) plus
:func:`register_family`; see ``tests/test_model_registries.py`` for a fourth family defined in a
test file alone.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from trends.errors import ConvergenceError, ModelError, UnknownModelComponentError
from trends.models.irls import WorkingModel, irls
from trends.models.likelihood import (
    POISSON_WORKING,
    NB2Working,
    nb2_variance,
    nb_deviance,
    nb_loglik,
)
from trends.models.negbin import fit_negbin, joint_negative_hessian, joint_scores

__all__ = [
    "FAMILIES",
    "Family",
    "FamilyFit",
    "NegativeBinomialFamily",
    "PoissonFamily",
    "QuasiPoissonFamily",
    "family_names",
    "get_family",
    "register_family",
]

Dispersion = Literal["none", "pearson", "ml", "fixed"]


@dataclass(frozen=True)
class FamilyFit:
    """What a family's :meth:`Family.fit` returns (arrays only).

    Attributes
    ----------
    beta : numpy.ndarray
        Coefficients.
    mu : numpy.ndarray
        Fitted means.
    theta : float or None
        NB2 shape used by the variance function (``None`` for families without one).
    se_theta : float or None
        Standard error of ``theta`` (``None`` when not estimated).
    converged : bool
        Whether the fit converged.
    n_iter : int
        Iterations used.
    information : numpy.ndarray
        ``X' W X`` with the working weights ``W = mu^2 / V(mu)`` (the inverse of the bread).
    loglik : float
        Maximised log-likelihood (NaN without a likelihood).
    deviance : float
        Residual deviance.
    cov_joint : numpy.ndarray or None
        Covariance of ``(beta, dispersion)`` from the full Hessian, when the family has one.
    notes : tuple of str
        Remarks (for example "theta is infinite").
    """

    beta: np.ndarray
    mu: np.ndarray
    theta: float | None
    se_theta: float | None
    converged: bool
    n_iter: int
    information: np.ndarray
    loglik: float
    deviance: float
    cov_joint: np.ndarray | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Family:
    """A count family with a log link (base class: the Poisson family).

    Attributes
    ----------
    name : str
        Registry key (``"poisson"``...), also what results record as their ``family``.
    label : str
        Name in words for reports ("negative binomial").
    dispersion : {"none", "pearson", "ml", "fixed"}
        How the dispersion is obtained: none (Poisson), the Pearson statistic (quasi-Poisson),
        maximum likelihood (negative binomial) or fixed by the definition.
    has_likelihood : bool
        Whether log-likelihood and AIC are defined.
    n_dispersion_params : int
        Dispersion parameters counted in the AIC (1 for the negative binomial).
    description : str
        One sentence for a methods section.
    """

    name: str = "poisson"
    label: str = "Poisson"
    dispersion: Dispersion = "none"
    has_likelihood: bool = True
    n_dispersion_params: int = 0
    description: str = "Poisson counts: the variance equals the mean."

    # -- the distribution --------------------------------------------------------------------
    def working(self, theta: float | None = None) -> WorkingModel:
        """Working weights and deviance for the IRLS kernel at dispersion ``theta``.

        Parameters
        ----------
        theta : float or None
            The family's variance parameter (ignored by Poisson-variance families).

        Returns
        -------
        WorkingModel
            Object with ``weights(mu)`` and ``deviance(y, mu)``.
        """
        return POISSON_WORKING

    def variance(self, mu: np.ndarray, theta: float | None = None) -> np.ndarray:
        """Variance function ``V(mu)`` used by the estimating equations and Pearson residuals.

        Parameters
        ----------
        mu : numpy.ndarray
            Means.
        theta : float or None
            Variance parameter (NB2 shape), when the family has one.

        Returns
        -------
        numpy.ndarray
            ``V(mu)``.
        """
        return mu

    def loglik(self, y: np.ndarray, mu: np.ndarray, theta: float | None = None) -> float:
        """Log-likelihood (NaN when the family has none).

        Parameters
        ----------
        y, mu : numpy.ndarray
            Counts and means.
        theta : float or None
            Variance parameter.

        Returns
        -------
        float
            The log-likelihood.
        """
        if not self.has_likelihood:
            return math.nan
        return nb_loglik(y, mu, math.inf if theta is None else theta)

    def deviance(self, y: np.ndarray, mu: np.ndarray, theta: float | None = None) -> float:
        """Residual deviance.

        Parameters
        ----------
        y, mu : numpy.ndarray
            Counts and means.
        theta : float or None
            Variance parameter.

        Returns
        -------
        float
            The deviance.
        """
        return nb_deviance(y, mu, math.inf if theta is None else theta)

    def pearson_residuals(
        self, y: np.ndarray, mu: np.ndarray, theta: float | None = None
    ) -> np.ndarray:
        """Pearson residuals ``(y - mu) / sqrt(V(mu))`` (not divided by a quasi scale).

        Parameters
        ----------
        y, mu : numpy.ndarray
            Counts and means.
        theta : float or None
            Variance parameter.

        Returns
        -------
        numpy.ndarray
            The residuals.
        """
        return (y - mu) / np.sqrt(self.variance(mu, theta))

    def score_weights(
        self, y: np.ndarray, mu: np.ndarray, theta: float | None = None
    ) -> np.ndarray:
        """Per-observation factor of the estimating equations, ``(y - mu) mu / V(mu)``.

        Parameters
        ----------
        y, mu : numpy.ndarray
            Counts and means.
        theta : float or None
            Variance parameter.

        Returns
        -------
        numpy.ndarray
            The factors; the scores are ``x_i`` times them.
        """
        return y - mu

    def scale(self, pearson_chi2: float, df_resid: int) -> float:
        """Dispersion multiplying the model-based covariance (1 unless Pearson-estimated).

        Parameters
        ----------
        pearson_chi2 : float
            Pearson ``X^2`` of the fit.
        df_resid : int
            Residual degrees of freedom.

        Returns
        -------
        float
            The scale.
        """
        return pearson_chi2 / df_resid if self.dispersion == "pearson" else 1.0

    def aic(self, loglik: float, k: int) -> float:
        """AIC ``-2 loglik + 2 (k + dispersion parameters)`` (NaN without a likelihood).

        Parameters
        ----------
        loglik : float
            Log-likelihood.
        k : int
            Number of coefficients.

        Returns
        -------
        float
            The AIC.
        """
        if not self.has_likelihood:
            return math.nan
        return -2.0 * loglik + 2.0 * (k + self.n_dispersion_params)

    # -- fitting -------------------------------------------------------------------------------
    def fit(
        self,
        y: np.ndarray,
        x: np.ndarray,
        off: np.ndarray,
        *,
        maxiter: int = 100,
        tol: float = 1e-10,
    ) -> FamilyFit:
        """Fit the coefficients (and the dispersion, when estimated by ML) with the IRLS kernel.

        Parameters
        ----------
        y : numpy.ndarray
            Counts.
        x : numpy.ndarray
            Design matrix.
        off : numpy.ndarray
            Log-scale offset.
        maxiter : int, default 100
            Maximum iterations.
        tol : float, default 1e-10
            Tolerance of the kernel.

        Returns
        -------
        FamilyFit
            The fit.

        Raises
        ------
        trends.errors.ConvergenceError
            When the kernel does not converge.
        """
        model = self.working(None)
        r = irls(y, x, off, model, maxiter=maxiter, tol=tol)
        if not r.converged:
            raise ConvergenceError(f"{self.label} IRLS did not converge in {maxiter} iterations")
        info = (x * model.weights(r.mu)[:, None]).T @ x
        return FamilyFit(
            beta=r.beta,
            mu=r.mu,
            theta=None,
            se_theta=None,
            converged=r.converged,
            n_iter=r.n_iter,
            information=info,
            loglik=self.loglik(y, r.mu),
            deviance=r.deviance,
        )

    def joint_parts(
        self, x: np.ndarray, y: np.ndarray, mu: np.ndarray, theta: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Scores, information and padded design of ``(beta, dispersion)`` (None if unsupported).

        Parameters
        ----------
        x : numpy.ndarray
            Design matrix.
        y, mu : numpy.ndarray
            Counts and fitted means.
        theta : float or None
            Variance parameter.

        Returns
        -------
        tuple or None
            ``(scores, information, exog)`` for a sandwich on the joint parameters.
        """
        return None

    # -- words and simulation -------------------------------------------------------------------
    def model_se_description(self, joint: bool = False) -> str:
        """Words for model-based standard errors of this family.

        Parameters
        ----------
        joint : bool, default False
            Whether the covariance is joint with the dispersion.

        Returns
        -------
        str
            For example ``"model-based (Poisson)"``.
        """
        return f"model-based ({self.label})"

    def fit_summary(self, theta: float | None, scale: float) -> str:
        """Short words about the fitted dispersion (``"theta = 2.1"``), empty when none.

        Parameters
        ----------
        theta : float or None
            Fitted variance parameter.
        scale : float
            Fitted scale.

        Returns
        -------
        str
            The words.
        """
        return ""

    def simulate(
        self,
        mu: np.ndarray,
        theta: float | None,
        scale: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Counts drawn around the means ``mu`` with the family's count distribution (int64).

        Parameters
        ----------
        mu : numpy.ndarray
            Means.
        theta : float or None
            Variance parameter.
        scale : float
            Fitted scale.
        rng : numpy.random.Generator
            Random numbers.

        Returns
        -------
        numpy.ndarray
            Integer counts of the shape of ``mu``.
        """
        return rng.poisson(mu)

    def count_variance(
        self, mean: np.ndarray, second: np.ndarray, theta: float | None, scale: float
    ) -> np.ndarray:
        """``E[Var(y | mu)]`` of :meth:`simulate`'s counts, given ``E[mu]`` and ``E[mu^2]``.

        Parameters
        ----------
        mean, second : numpy.ndarray
            First and second moments of the mean.
        theta : float or None
            Variance parameter.
        scale : float
            Fitted scale.

        Returns
        -------
        numpy.ndarray
            The expected count variance.
        """
        return mean.copy()


@dataclass(frozen=True)
class PoissonFamily(Family):
    """Poisson counts (variance ``mu``)."""


@dataclass(frozen=True)
class QuasiPoissonFamily(Family):
    """Poisson mean, variance ``phi * mu`` with ``phi`` the Pearson ``X^2 / (n - k)``."""

    name: str = "quasipoisson"
    label: str = "quasi-Poisson"
    dispersion: Dispersion = "pearson"
    has_likelihood: bool = False
    description: str = (
        "Quasi-Poisson: the Poisson mean with the variance scaled by the observed dispersion."
    )

    def model_se_description(self, joint: bool = False) -> str:
        """See :meth:`Family.model_se_description`."""
        return "model-based (quasi-Poisson, scale = Pearson X2/df)"

    def fit_summary(self, theta: float | None, scale: float) -> str:
        """See :meth:`Family.fit_summary`."""
        return f"dispersion = {scale:.2f}"

    def simulate(
        self,
        mu: np.ndarray,
        theta: float | None,
        scale: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Negative binomial counts with variance ``scale * mu`` (Poisson when ``scale <= 1``)."""
        if scale > 1.0:
            size = np.maximum(mu / (scale - 1.0), 1e-12)
            return rng.poisson(rng.gamma(size, mu / size))
        return rng.poisson(mu)

    def count_variance(
        self, mean: np.ndarray, second: np.ndarray, theta: float | None, scale: float
    ) -> np.ndarray:
        """See :meth:`Family.count_variance`."""
        return scale * mean if scale > 1.0 else mean.copy()


@dataclass(frozen=True)
class NegativeBinomialFamily(Family):
    """NB2 counts, variance ``mu + mu^2 / theta``, ``theta`` by maximum likelihood.

    Attributes
    ----------
    theta : float or None
        ``None`` (default): estimate ``theta`` by maximum likelihood (``MASS::glm.nb``); a number
        fixes it (the family's dispersion is then ``"fixed"``).
    """

    name: str = "negbin"
    label: str = "negative binomial"
    dispersion: Dispersion = "ml"
    n_dispersion_params: int = 1
    description: str = (
        "Negative binomial (NB2): the variance grows with the square of the mean, "
        "theta estimated by maximum likelihood."
    )
    theta: float | None = None

    def working(self, theta: float | None = None) -> WorkingModel:
        """See :meth:`Family.working`."""
        from_fit = self.theta if theta is None else theta
        return NB2Working(math.inf if from_fit is None else float(from_fit))

    def variance(self, mu: np.ndarray, theta: float | None = None) -> np.ndarray:
        """See :meth:`Family.variance`."""
        return nb2_variance(mu, math.inf if theta is None else theta)

    def score_weights(
        self, y: np.ndarray, mu: np.ndarray, theta: float | None = None
    ) -> np.ndarray:
        """See :meth:`Family.score_weights`."""
        if theta is None or math.isinf(theta):
            return y - mu
        return (y - mu) / (1.0 + mu / theta)

    def fit(
        self,
        y: np.ndarray,
        x: np.ndarray,
        off: np.ndarray,
        *,
        maxiter: int = 100,
        tol: float = 1e-10,
    ) -> FamilyFit:
        """Fit ``beta`` and ``theta`` (see :func:`trends.models.negbin.fit_negbin`)."""
        nb = fit_negbin(y, x, off, theta=self.theta, maxiter=maxiter, tol=tol)
        return FamilyFit(
            beta=nb.params,
            mu=nb.mu,
            theta=nb.theta,
            se_theta=nb.se_theta if self.theta is None else None,
            converged=nb.converged,
            n_iter=nb.n_iter,
            information=nb.information,
            loglik=nb.loglik,
            deviance=nb_deviance(y, nb.mu, nb.theta),
            cov_joint=nb.cov_joint if self.theta is None else None,
            notes=nb.notes,
        )

    def aic(self, loglik: float, k: int) -> float:
        """See :meth:`Family.aic` (``theta`` counts unless fixed)."""
        extra = self.n_dispersion_params if self.theta is None else 0
        return -2.0 * loglik + 2.0 * (k + extra)

    def joint_parts(
        self, x: np.ndarray, y: np.ndarray, mu: np.ndarray, theta: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """See :meth:`Family.joint_parts` (``(beta, alpha)``; None when theta is infinite)."""
        if self.theta is not None or theta is None or not np.isfinite(theta):
            return None
        n = x.shape[0]
        return (
            joint_scores(x, y, mu, theta),
            joint_negative_hessian(x, y, mu, theta),
            np.column_stack([x, np.zeros(n)]),
        )

    def model_se_description(self, joint: bool = False) -> str:
        """See :meth:`Family.model_se_description`."""
        return "model-based (negative binomial, " + (
            "joint with alpha)" if joint else "conditional on theta)"
        )

    def fit_summary(self, theta: float | None, scale: float) -> str:
        """See :meth:`Family.fit_summary`."""
        if theta is None or not np.isfinite(theta):
            return "theta = infinite (no overdispersion)"
        if theta >= 1e4:  # the bound of the size's search
            return "theta at or above 10,000 (practically no overdispersion)"
        return f"theta = {theta:,.0f}" if theta >= 100 else f"theta = {theta:.3g}"

    def simulate(
        self,
        mu: np.ndarray,
        theta: float | None,
        scale: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Gamma-Poisson (negative binomial) counts with shape ``theta``."""
        if theta is not None and np.isfinite(theta):
            # With a common shape, ``scale * standard_gamma(shape)`` is what
            # ``Generator.gamma(shape, scale)`` computes element by element (same stream, same
            # values) without broadcasting a shape array.
            shape = max(float(theta), 1e-12)
            return rng.poisson(rng.standard_gamma(shape, size=mu.shape) * (mu / shape))
        return rng.poisson(mu)

    def count_variance(
        self, mean: np.ndarray, second: np.ndarray, theta: float | None, scale: float
    ) -> np.ndarray:
        """See :meth:`Family.count_variance`."""
        if theta is not None and np.isfinite(theta):
            return mean + second / theta
        return mean.copy()


#: Registered families by name.
FAMILIES: dict[str, Family] = {}


def register_family(family: Family, *, replace: bool = False) -> Family:
    """Add a family to :data:`FAMILIES` under its ``name``.

    Parameters
    ----------
    family : Family
        The family object.
    replace : bool, default False
        Allow replacing a family already registered under that name.

    Returns
    -------
    Family
        The family (so that the call can be used as an expression).

    Raises
    ------
    trends.errors.ModelError
        Not a :class:`Family`, or the name is taken (without ``replace``).
    """
    if not isinstance(family, Family):
        raise ModelError(f"a family must be a trends.models.families.Family, got {family!r}")
    if family.name in FAMILIES and not replace and FAMILIES[family.name] != family:
        raise ModelError(f"a family named {family.name!r} is already registered")
    FAMILIES[family.name] = family
    return family


def family_names() -> tuple[str, ...]:
    """Names of the registered families, in registration order.

    Returns
    -------
    tuple of str
        The names.
    """
    return tuple(FAMILIES)


def get_family(family: str | Family) -> Family:
    """The family registered under a name (a :class:`Family` is returned as is).

    Parameters
    ----------
    family : str or Family
        A registered name (``"poisson"``, ``"quasipoisson"``, ``"negbin"``...) or a family.

    Returns
    -------
    Family
        The family.

    Raises
    ------
    trends.errors.UnknownModelComponentError
        Unknown name (the message names the closest registered ones).
    """
    if isinstance(family, Family):
        return family
    found = FAMILIES.get(family) if isinstance(family, str) else None
    if found is None:
        close = difflib.get_close_matches(str(family), list(FAMILIES), n=3, cutoff=0.5)
        raise UnknownModelComponentError("family", family, list(FAMILIES), close)
    return found


register_family(NegativeBinomialFamily())
register_family(PoissonFamily())
register_family(QuasiPoissonFamily())

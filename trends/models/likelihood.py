"""Log-likelihood, deviance and working weights of the NB2 count distribution (Poisson at theta = inf).

These are the pieces of the negative binomial "NB2" model ``Var(y) = mu + mu^2 / theta`` that the
IRLS kernel (:mod:`trends.models.irls`), the negative binomial fit (:mod:`trends.models.negbin`)
and the count families (:mod:`trends.models.families`) share. ``theta = inf`` is the Poisson
distribution. Nothing here imports another ``trends.models`` module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["NB2Working", "POISSON_WORKING", "nb_deviance", "nb_loglik", "nb2_variance"]


def nb2_variance(mu: np.ndarray, theta: float) -> np.ndarray:
    """NB2 variance ``mu + mu^2 / theta`` (``mu`` when ``theta`` is infinite).

    Parameters
    ----------
    mu : numpy.ndarray
        Means.
    theta : float
        Shape; ``inf`` gives the Poisson variance.

    Returns
    -------
    numpy.ndarray
        The variances.
    """
    return mu if math.isinf(theta) else mu + mu**2 / theta


def nb_loglik(y: np.ndarray, mu: np.ndarray, theta: float) -> float:
    """Negative binomial (NB2) log-likelihood.

    Parameters
    ----------
    y : numpy.ndarray
        Counts.
    mu : numpy.ndarray
        Means (> 0).
    theta : float
        Shape; ``inf`` gives the Poisson log-likelihood.

    Returns
    -------
    float
        The log-likelihood summed over observations.
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    if math.isinf(theta):
        return float(np.sum(special.xlogy(y, mu) - mu - special.gammaln(y + 1.0)))
    t = float(theta)
    return float(
        np.sum(
            special.gammaln(y + t)
            - special.gammaln(t)
            - special.gammaln(y + 1.0)
            - t * np.log1p(mu / t)
            + special.xlogy(y, mu)
            - y * np.log(t + mu)
        )
    )


def nb_deviance(y: np.ndarray, mu: np.ndarray, theta: float) -> float:
    """Residual deviance of an NB2 fit (Poisson deviance when ``theta`` is infinite).

    Parameters
    ----------
    y, mu : numpy.ndarray
        Counts and fitted means.
    theta : float
        Shape.

    Returns
    -------
    float
        ``2 * sum(y log(y/mu) - (y + theta) log((y + theta)/(mu + theta)))``.
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    if math.isinf(theta):
        return float(2.0 * np.sum(special.xlogy(y, y / mu) - (y - mu)))
    t = float(theta)
    return float(2.0 * np.sum(special.xlogy(y, y / mu) - (y + t) * np.log((y + t) / (mu + t))))


@dataclass(frozen=True)
class NB2Working:
    """The NB2 model at a fixed ``theta`` as the IRLS kernel sees it (log link).

    Attributes
    ----------
    theta : float
        Shape (``inf``: Poisson).
    """

    theta: float = math.inf

    def weights(self, mu: np.ndarray) -> np.ndarray:
        """Working weights ``mu^2 / V(mu)`` of the log link: ``mu / (1 + mu / theta)``."""
        return mu if math.isinf(self.theta) else mu / (1.0 + mu / self.theta)

    def deviance(self, y: np.ndarray, mu: np.ndarray) -> float:
        """Residual deviance (see :func:`nb_deviance`)."""
        return nb_deviance(y, mu, self.theta)


#: The Poisson model for the IRLS kernel.
POISSON_WORKING = NB2Working(math.inf)

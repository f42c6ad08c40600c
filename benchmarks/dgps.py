"""Data-generating processes written independently of :mod:`trends.simulate`.

The package's simulator draws counts around a latent Gaussian AR(1) log intensity, the very model
that :func:`trends.models.latent_ar.fit_latent_ar` assumes. Calibrating on it alone would flatter
that method, so this module provides daily count processes of other kinds (issue 12, item 2):

``ingarch_0.7`` / ``ingarch_0.9``
    Self-exciting negative-binomial INGARCH(1,1) (observation-driven): ::

        lambda_t = omega_t + a y_{t-1} + b lambda_{t-1},    y_t | past ~ NB(mean lambda_t, size 4)

    with persistence ``a + b`` of 0.7 (``a = 0.3, b = 0.4``) or 0.9 (``a = 0.35, b = 0.55``)
    and a stationary mean of 4 events a day before the change (``omega = 4 (1 - a - b)``).
    The intervention multiplies the *baseline* ``omega_t`` by ``r`` from the change day on. The
    conditional mean then falls geometrically: ``E[lambda]`` goes from ``m0 = omega / (1 - a - b)``
    to ``r m0`` with ``E[lambda_{c+k}] - r m0 = (1 - r) m0 (a + b)^{k+1}``.

    **True effect** (``truth``): the ratio of the *stationary marginal means* after and before,
    ``r m0 / m0 = r`` (the long-run effect). Also given (``truth_window``): the ratio of the
    average marginal mean over the observed post-period to the pre-period mean, computed exactly
    from the mean recursion ``m_t = omega_t + (a + b) m_{t-1}``: the post-period average effect,
    closer to 1 than ``r`` because of the geometric transition.
``markov``
    Two-regime Markov-switching negative binomial: a hidden quiet / active chain (quiet to active
    with probability 0.04 a day, active to quiet 0.12: mean spells 25 and 8.3 days, active a
    quarter of the time, started from its stationary distribution) with NB(size 5) counts of
    mean 1.5 (quiet) or 7 (active). The intervention multiplies both regime means by ``r``; the
    chain is unaffected. **True effect**: ``r`` (the ratio of marginal means, at every date).
``wave``
    Smooth non-linear trend: NB(size 4) counts with mean ``4 exp(0.35 sin(2 pi t / n + phi))``,
    one slow cycle over the window with a phase ``phi`` uniform on ``[0, 2 pi)`` per series, no
    serial dependence beyond the wave. The ITS's linear pre-period trend misfits it on purpose.
    The intervention multiplies the mean by ``r``. **True effect**: ``r`` (the ratio of the mean
    with and without the intervention, at every post date).

Every process starts its change at day ``round(n * 127 / 245)`` (day 127 of 245, as the
``idlib_2019`` preset). Each series has its own generator from
``numpy.random.SeedSequence([seed, crc32(dgp), n_days, effect code, i])``, so series ``i`` of a cell
does not depend on how many series are drawn.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "DGPS",
    "EFFECTS",
    "LENGTHS",
    "IndependentSeries",
    "change_day",
    "series_seed",
    "simulate",
]

#: effect label -> rate ratio ``r`` applied from the change day on
EFFECTS: dict[str, float] = {"none": 1.0, "-50%": 0.5, "-75%": 0.25}
#: series lengths of the grid (days)
LENGTHS: tuple[int, ...] = (120, 245, 365, 730)
_BURN_IN = 300


@dataclass(frozen=True)
class IndependentSeries:
    """One simulated series with its known effect.

    Attributes
    ----------
    y : numpy.ndarray
        Daily counts (int64).
    change_day : int
        0-based first post day.
    truth : float
        The true level effect (rate ratio) as defined for the process (module docstring).
    truth_window : float
        The post-period average effect (equal to ``truth`` except for INGARCH).
    truth_two_phase : float
        Mean of the marginal means after / before the change (the two-phase rate ratio): ``r``
        for Markov switching, the post-period average effect for INGARCH, and for the wave the
        ratio of the wave's averages over the two phases times ``r``.
    cf_mean : numpy.ndarray
        Counterfactual marginal mean of every day (no intervention): its sum over the post days
        is the true expected counterfactual total of the cumulative effect.
    info : dict
        Process parameters.
    """

    y: np.ndarray
    change_day: int
    truth: float
    truth_window: float
    truth_two_phase: float
    cf_mean: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)


def change_day(n_days: int) -> int:
    """First post day of the grid: ``round(n_days * 127 / 245)``."""
    return int(round(n_days * 127 / 245))


def series_seed(seed: int, name: str, n_days: int, effect: str, i: int) -> np.random.SeedSequence:
    """The seed of series ``i`` of a cell: ``SeedSequence([seed, crc32(name), n_days, effect
    code, i])``, the effect code being the effect's position in :data:`EFFECTS`.

    Series ``i`` of a cell does not depend on how many series are drawn; the calibration scripts
    seed the package's own simulator with it too (``name`` then names that process).
    """
    code = list(EFFECTS).index(effect)
    return np.random.SeedSequence([seed, zlib.crc32(name.encode()), n_days, code, i])


def _nb(rng: np.random.Generator, mean: np.ndarray | float, size: float) -> np.ndarray:
    """Negative-binomial counts with the given mean and size (gamma-Poisson mixture)."""
    lam = rng.gamma(size, np.asarray(mean, dtype=float) / size)
    return rng.poisson(lam)


def ingarch(
    n_days: int, ratio: float, rng: np.random.Generator, *, a: float, b: float,
    mean: float = 4.0, size: float = 4.0,
) -> IndependentSeries:  # fmt: skip
    """NB-INGARCH(1,1) with a baseline change (see the module docstring)."""
    c = change_day(n_days)
    p = a + b
    omega0 = mean * (1.0 - p)
    total = _BURN_IN + n_days
    omega = np.full(total, omega0)
    omega[_BURN_IN + c :] *= ratio
    y = np.zeros(total, dtype=np.int64)
    lam_prev, y_prev = mean, mean
    gam = rng.standard_gamma(size, total) / size  # NB as Poisson(lambda * G), E[G] = 1
    for t in range(total):
        lam = omega[t] + a * y_prev + b * lam_prev
        y[t] = rng.poisson(lam * gam[t])
        lam_prev, y_prev = lam, y[t]
    m = np.empty(n_days)
    m_prev = mean
    for t in range(n_days):  # exact marginal means
        m_prev = omega[_BURN_IN + t] + p * m_prev
        m[t] = m_prev
    window = float(m[c:].mean() / mean)
    cf = np.full(n_days, mean)
    return IndependentSeries(
        y[_BURN_IN:], c, ratio, window, window, cf, {"a": a, "b": b, "size": size}
    )


def markov(
    n_days: int, ratio: float, rng: np.random.Generator, *, p_qa: float = 0.04,
    p_aq: float = 0.12, rates: tuple[float, float] = (1.5, 7.0), size: float = 5.0,
) -> IndependentSeries:  # fmt: skip
    """Two-regime Markov-switching NB counts (see the module docstring)."""
    c = change_day(n_days)
    share = p_qa / (p_qa + p_aq)
    state = np.empty(n_days, dtype=np.int64)
    state[0] = int(rng.random() < share)
    draws = rng.random(n_days)
    for t in range(1, n_days):
        stay = 1.0 - (p_aq if state[t - 1] else p_qa)
        state[t] = state[t - 1] if draws[t] < stay else 1 - state[t - 1]
    mean = np.where(state == 1, rates[1], rates[0]).astype(float)
    mean[c:] *= ratio
    y = _nb(rng, mean, size)
    cf = np.full(n_days, (1.0 - share) * rates[0] + share * rates[1])
    return IndependentSeries(y, c, ratio, ratio, ratio, cf, {"active_share": share, "size": size})


def wave(
    n_days: int, ratio: float, rng: np.random.Generator, *, amplitude: float = 0.35,
    mean: float = 4.0, size: float = 4.0,
) -> IndependentSeries:  # fmt: skip
    """NB counts around one slow sine cycle with a random phase (see the module docstring)."""
    c = change_day(n_days)
    phase = rng.uniform(0.0, 2.0 * math.pi)
    t = np.arange(n_days)
    cf = mean * np.exp(amplitude * np.sin(2.0 * math.pi * t / n_days + phase))
    mu = cf.copy()
    mu[c:] *= ratio
    y = _nb(rng, mu, size)
    two = float(mu[c:].mean() / mu[:c].mean())
    return IndependentSeries(y, c, ratio, ratio, two, cf, {"phase": phase, "amplitude": amplitude})


DGPS: dict[str, Callable[[int, float, np.random.Generator], IndependentSeries]] = {
    "ingarch_0.7": lambda n, r, g: ingarch(n, r, g, a=0.3, b=0.4),
    "ingarch_0.9": lambda n, r, g: ingarch(n, r, g, a=0.35, b=0.55),
    "markov": markov,
    "wave": wave,
}


def simulate(dgp: str, n_days: int, effect: str, i: int, seed: int = 20261202) -> IndependentSeries:
    """Series ``i`` of one cell of the grid.

    Parameters
    ----------
    dgp : str
        A key of :data:`DGPS`.
    n_days : int
        Length in days.
    effect : str
        A key of :data:`EFFECTS`.
    i : int
        Series number within the cell.
    seed : int
        Master seed.

    Returns
    -------
    IndependentSeries
    """
    if dgp not in DGPS:
        raise KeyError(f"unknown process {dgp!r}; choose from {sorted(DGPS)}")
    ss = series_seed(seed, dgp, n_days, effect, i)
    return DGPS[dgp](n_days, EFFECTS[effect], np.random.default_rng(ss))

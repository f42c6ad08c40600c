"""The exact gradient of the latent AR(1) model's Laplace log likelihood in its hyperparameters.

For the model of :mod:`trends.models.latent_ar` the Laplace log likelihood with ``u`` and
``beta`` integrated out is::

    L(h) = -f(u*, beta*; h) + 1/2 log|Q| - 1/2 log|H|,

with ``f`` the negative log joint density, ``(u*, beta*)`` its mode, ``Q`` the AR(1) precision
and ``H`` the Hessian of ``f`` in ``(u, beta)`` at the mode. Its total derivative in a
hyperparameter ``h`` has three parts:

* the explicit derivative of ``-f + 1/2 log|Q|`` at the fixed mode (the mode's own movement adds
  nothing, because the gradient of ``f`` is zero there);
* ``-1/2 tr(H^{-1} dH/dh)`` at the fixed mode: ``Q`` moves with ``rho`` and ``sigma`` (a
  tridiagonal matrix, so only the diagonal and first off-diagonal of the ``u`` block of
  ``H^{-1}`` are needed) and the observed information ``W`` moves with ``theta``;
* the mode's movement through ``W``: ``-1/2 sum_i w'_i v_i deta_i/dh``, with ``v_i`` the
  variance of the linear predictor ``eta_i = u_i + x_i' beta`` under ``H^{-1}``, ``w'_i`` the
  derivative of the information in ``eta_i`` and ``deta/dh = -J H^{-1} dg/dh`` the implicit
  derivative of the mode (``J = [I X]``, ``g`` the gradient of ``f``).

Every solve with ``H`` is a block elimination over the tridiagonal ``A = W + Q`` (LAPACK
``pttrf``/``pttrs``) and the Schur complement ``S``, as in the inner Newton iterations, and the
diagonal of ``A^{-1}`` comes from the ``LDL'`` factors by one backward recursion, so the
gradient costs about one inner Newton step: the three central differences it replaces cost six
inner modes. The formulas are checked against central differences of the likelihood itself in
``tests/test_latent_ar_gradient.py``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special
from scipy.linalg import lapack

__all__ = ["laplace_gradient"]


def _inverse_bands(d: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and first off-diagonal of ``A^{-1}`` from ``A = L D L'`` (``pttrf``'s ``d, e``).

    With ``L`` unit lower bidiagonal (sub-diagonal ``e``), ``A^{-1} = L^{-T} D^{-1} L^{-1}``
    gives ``s_n = 1 / d_n``, ``s_i = 1 / d_i + e_i^2 s_{i+1}`` and ``o_i = -e_i s_{i+1}``.
    """
    n = d.size
    inv_d = (1.0 / d).tolist()
    e2 = (e * e).tolist()
    diag = [0.0] * n
    s = inv_d[n - 1]
    diag[n - 1] = s
    for i in range(n - 2, -1, -1):
        s = inv_d[i] + e2[i] * s
        diag[i] = s
    diag_arr = np.array(diag)
    return diag_arr, -e * diag_arr[1:]


def _information(
    y: np.ndarray, obs: np.ndarray, mu: np.ndarray, theta: float, negbin: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Information ``w`` and its derivatives in ``eta`` and ``theta``; the score's in ``theta``.

    Returns ``(w, dw_deta, dw_dtheta, dscore_dtheta)`` (the last two ``None`` for Poisson).
    """
    if not negbin:
        w = obs * mu
        return w, w, None, None
    t_mu = theta + mu
    y_theta = y + theta
    w = obs * theta * mu * y_theta / t_mu**2
    dw_deta = obs * theta * y_theta * mu * (theta - mu) / t_mu**3
    dw_dtheta = obs * mu * (y * (mu - theta) + 2.0 * theta * mu) / t_mu**3
    dscore_dtheta = obs * (y - mu) * mu / t_mu**2
    return w, dw_deta, dw_dtheta, dscore_dtheta


def _dloglik_dtheta(y: np.ndarray, obs: np.ndarray, mu: np.ndarray, theta: float) -> float:
    """Derivative of the negative-binomial log likelihood in its size at fixed means."""
    t_mu = theta + mu
    terms = (
        special.digamma(y + theta)
        - special.digamma(theta)
        + math.log(theta)
        + 1.0
        - np.log(t_mu)
        - (y + theta) / t_mu
    )
    return float(np.sum(obs * terms))


def _factorise(
    x: np.ndarray, w: np.ndarray, q_diag: np.ndarray, q_off: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``(d, e, C, S_chol)`` of :func:`laplace_gradient` (``None`` when one fails)."""
    fd, fe, info = lapack.dpttrf(q_diag + w, q_off)
    if info != 0:
        return None
    wx = w[:, None] * x
    c, info = lapack.dpttrs(fd, fe, wx)  # C = A^{-1} W X
    if info != 0:
        return None
    s_chol, info = lapack.dpotrf(x.T @ wx - wx.T @ c, lower=1, clean=1)
    return None if info != 0 else (fd, fe, c, s_chol)


def _r_bands(n: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and off-diagonal of ``dR/drho`` (``Q = R / sigma^2``)."""
    diag = np.full(n, 2.0 * rho)
    diag[0] = diag[-1] = 0.0
    return diag, np.full(n - 1, -1.0)


def laplace_gradient(
    y: np.ndarray,
    obs: np.ndarray,
    x: np.ndarray,
    off: np.ndarray,
    u: np.ndarray,
    beta: np.ndarray,
    hyp: tuple[float, float, float],
    negbin: bool,
    *,
    factors: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray | None:
    """Gradient of the Laplace log likelihood in ``(rho, sigma, theta)`` at the inner mode.

    Parameters
    ----------
    y, obs, x, off : numpy.ndarray
        Counts (0 where missing), the observation mask (1 observed, 0 missing), the design
        ``(n, p)`` and the offset.
    u, beta : numpy.ndarray
        The joint mode of the latent process and the coefficients at ``hyp`` (exact: the
        formula assumes the gradient of the joint density is zero there).
    hyp : tuple of float
        ``(rho, sigma, theta)``: AR coefficient, innovation sd, negative-binomial size
        (``inf`` for Poisson).
    negbin : bool
        Whether the counts are negative binomial.
    factors : tuple of numpy.ndarray, optional
        ``(d, e, C, S_chol)`` at the mode, as the inner Newton iterations leave them: the
        ``LDL'`` factors of ``A = W + Q``, ``C = A^{-1} W X`` and the lower Cholesky factor of
        the Schur complement. Computed here when not given.

    Returns
    -------
    numpy.ndarray or None
        ``(dL/drho, dL/dsigma, dL/dtheta)`` (the last only for the negative binomial), or
        ``None`` when a factorisation fails (the caller falls back to differences).
    """
    rho, sigma, theta = hyp
    n, p = x.shape
    inv = 1.0 / (sigma * sigma)
    eta = off + x @ beta + u
    mu = np.exp(eta)
    w, dw_deta, dw_dtheta, ds_dtheta = _information(y, obs, mu, theta, negbin)
    q_diag = np.full(n, (1.0 + rho * rho) * inv)
    q_diag[0] = q_diag[-1] = inv
    if factors is None:
        factors = _factorise(x, w, q_diag, np.full(n - 1, -rho * inv))
        if factors is None:
            return None
    fd, fe, c, s_chol = factors
    s_inv = lapack.dpotrs(s_chol, np.eye(p), lower=1)[0]
    a_diag, a_off = _inverse_bands(fd, fe)
    cs = c @ s_inv
    # the u block of H^{-1} (A^{-1} + C S^{-1} C'): its diagonal and first off-diagonal
    p_diag = a_diag + np.einsum("ij,ij->i", cs, c)
    p_off = a_off + np.einsum("ij,ij->i", cs[:-1], c[1:])
    # variance of eta under H^{-1}: diag(A^{-1}) + diag((C - X) S^{-1} (C - X)')
    cx = c - x
    v_eta = a_diag + np.einsum("ij,ij->i", cx @ s_inv, cx)
    trace_weight = dw_deta * v_eta  # d log|H| / d eta_i
    # each move_* below is sum_i trace_weight_i deta_i/dh, deta/dh = -J H^{-1} dg/dh

    def deta_of(rhs_u: np.ndarray, rhs_b: np.ndarray) -> np.ndarray:
        """``J H^{-1} [rhs_u; rhs_b]`` by block elimination."""
        a_inv_r = lapack.dpttrs(fd, fe, rhs_u)[0]
        db = lapack.dpotrs(s_chol, rhs_b - c.T @ rhs_u, lower=1)[0]
        du = a_inv_r - c @ db
        return du + x @ db

    # rho
    r_diag, r_off = _r_bands(n, rho)
    dq_u = inv * (r_diag * u)
    dq_u[:-1] += inv * r_off * u[1:]
    dq_u[1:] += inv * r_off * u[:-1]
    explicit_rho = -0.5 * float(u @ dq_u) - rho / (1.0 - rho * rho)
    tr_rho = inv * (float(r_diag @ p_diag) + 2.0 * float(r_off @ p_off))
    move_rho = -float(trace_weight @ deta_of(dq_u, np.zeros(p)))
    g_rho = explicit_rho - 0.5 * tr_rho - 0.5 * move_rho
    # sigma: Q = R / sigma^2, dQ/dsigma = -2 Q / sigma
    qu = (1.0 + rho * rho) * u
    qu[0], qu[-1] = u[0], u[-1]
    qu[1:] -= rho * u[:-1]
    qu[:-1] -= rho * u[1:]
    qu *= inv
    explicit_sigma = float(u @ qu) / sigma - n / sigma
    q_diag_p = float(q_diag @ p_diag) + 2.0 * (-rho * inv) * float(p_off.sum())
    tr_sigma = -2.0 * q_diag_p / sigma
    move_sigma = -float(trace_weight @ deta_of(-2.0 * qu / sigma, np.zeros(p)))
    g_sigma = explicit_sigma - 0.5 * tr_sigma - 0.5 * move_sigma
    if not negbin:
        return np.array([g_rho, g_sigma])
    # theta: the likelihood, the information and the score move with it
    explicit_theta = _dloglik_dtheta(y, obs, mu, theta)
    tr_theta = float(dw_dtheta @ v_eta)
    move_theta = -float(trace_weight @ deta_of(-ds_dtheta, -(x.T @ ds_dtheta)))
    g_theta = explicit_theta - 0.5 * tr_theta - 0.5 * move_theta
    return np.array([g_rho, g_sigma, g_theta])

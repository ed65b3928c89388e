"""The log evidence and empirical Bayes for alpha, beta (Bishop PRML §3.4-3.5; MacKay 1992).

Contract: ``log_evidence(stats, alpha, beta)`` is a pure, differentiable function of the two
precisions. ``mackay`` iterates MacKay's fixed-point updates; ``evidence_ascent`` climbs the
log evidence in (log alpha, log beta) with ``jax.grad``; both return an ``EmpiricalBayes`` and
agree at the optimum. ``compare_degrees`` ranks polynomial bases by their optimised evidence.
"""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array, lax

from jaxscratch._shared import LOG_2PI
from jaxscratch.blr.basis import design, make_basis
from jaxscratch.blr.posterior import Stats, check_conditioning, exact_posterior, stats
from jaxscratch.errors import JaxscratchError

_MAX_LOG_STEP = 2.0  # cap on one ascent step in log alpha / log beta (a factor of e^2)


class EmpiricalBayes(NamedTuple):
    """Evidence-maximising precisions and how the search ended."""

    alpha: Array  # ()
    beta: Array  # ()
    log_evidence: Array  # () at (alpha, beta)
    n_iter: Array  # () iterations used
    converged: Array  # () bool


def residual_sq(s: Stats, m: Array) -> Array:
    """||y - Phi m||^2 from the statistics: y^T y - 2 m^T Phi^T y + m^T Phi^T Phi m."""
    return s.yy - 2.0 * m @ s.phi_y + m @ s.gram @ m


def log_evidence(s: Stats, alpha: Array | float, beta: Array | float) -> Array:
    """ln p(y | alpha, beta) (PRML eq. 3.86).

    M/2 ln alpha + N/2 ln beta - E(m_N) - 1/2 ln|A| - N/2 ln 2 pi,
    E(m_N) = beta/2 ||y - Phi m_N||^2 + alpha/2 m_N^T m_N, ln|A| = 2 sum ln diag(L).
    """
    post = exact_posterior(s, alpha, beta)
    m_dim = s.gram.shape[0]
    e_mn = 0.5 * post.beta * residual_sq(s, post.mean) + 0.5 * post.alpha * post.mean @ post.mean
    log_det_a = 2.0 * jnp.sum(jnp.log(jnp.diag(post.prec_chol)))
    return (
        0.5 * m_dim * jnp.log(post.alpha)
        + 0.5 * s.n * jnp.log(post.beta)
        - e_mn
        - 0.5 * log_det_a
        - 0.5 * s.n * LOG_2PI
    )


def _log_ev_of_logs(s: Stats, theta: Array) -> Array:
    return log_evidence(s, jnp.exp(theta[0]), jnp.exp(theta[1]))


log_evidence_grad = jax.jit(jax.grad(_log_ev_of_logs, argnums=1))
log_evidence_grad.__doc__ = "d ln p(y) / d (log alpha, log beta), shape (2,), by jax.grad."


def _check_estimable(s: Stats, alpha0, beta0) -> None:
    if float(s.n) < 2:
        raise JaxscratchError(
            f"empirical Bayes needs at least 2 points to estimate the noise, got {int(s.n)}; "
            "give more data or fix both alpha and beta"
        )
    for name, v in (("initial alpha", alpha0), ("initial beta", beta0)):
        if not (math.isfinite(float(v)) and float(v) > 0):
            raise JaxscratchError(f"{name} must be finite and > 0, got {float(v):g}")


@jax.jit(static_argnames=("max_iter",))
def _mackay(s: Stats, alpha0, beta0, tol, max_iter: int) -> EmpiricalBayes:
    lam0 = jnp.linalg.eigvalsh(s.gram)  # (M,) eigenvalues of Phi^T Phi, once

    def update(state):
        alpha, beta, _, i = state
        m = exact_posterior(s, alpha, beta).mean
        lam = beta * lam0
        gamma = jnp.sum(lam / (alpha + lam))  # effective number of parameters (eq. 3.91)
        new_alpha = gamma / (m @ m)  # eq. 3.92
        new_beta = (s.n - gamma) / residual_sq(s, m)  # eq. 3.95
        change = jnp.maximum(
            jnp.abs(new_alpha / alpha - 1.0), jnp.abs(new_beta / beta - 1.0)
        )  # fmt: skip
        return new_alpha, new_beta, change, i + 1

    def keep_going(state):
        return (state[2] > tol) & (state[3] < max_iter)

    dtype = s.gram.dtype
    init = (jnp.asarray(alpha0, dtype), jnp.asarray(beta0, dtype), jnp.asarray(jnp.inf, dtype), 0)
    alpha, beta, change, i = lax.while_loop(keep_going, update, init)
    return EmpiricalBayes(alpha, beta, log_evidence(s, alpha, beta), i, change <= tol)


def mackay(
    s: Stats, alpha0: float = 1.0, beta0: float = 1.0, tol: float = 1e-10, max_iter: int = 1000
) -> EmpiricalBayes:
    """MacKay's fixed point: gamma = sum lam_i / (alpha + lam_i), alpha = gamma / m^T m,
    beta = (N - gamma) / ||y - Phi m||^2 (PRML §3.5.2), until the relative change < tol."""
    _check_estimable(s, alpha0, beta0)
    eb = _mackay(s, alpha0, beta0, tol, max_iter)
    _check_estimated(eb)
    return eb


def _check_estimated(eb: EmpiricalBayes) -> None:
    """A fixed point that ran off to 0 or inf says the data cannot estimate the precisions:
    a residual of zero (points exactly on a curve of the basis, e.g. repeated rows of a line)
    sends beta to inf, and weights of zero send alpha there."""
    alpha, beta = float(eb.alpha), float(eb.beta)
    if not (0 < alpha < math.inf and 0 < beta < math.inf):
        raise JaxscratchError(
            f"empirical Bayes cannot estimate the precisions from these data (alpha -> "
            f"{alpha:g}, beta -> {beta:g}): they lie exactly on a curve of the basis, leaving "
            "no noise to measure; fix both alpha and beta (CLI: --alpha 1 --beta 100)"
        )


@jax.jit(static_argnames=("max_iter",))
def _ascent(s: Stats, alpha0, beta0, tol, max_iter: int) -> EmpiricalBayes:
    grad = jax.grad(_log_ev_of_logs, argnums=1)
    curvature = jax.jacfwd(grad, argnums=1)

    def update(state):
        theta, _, i = state
        g = grad(s, theta)  # (2,)
        h = jnp.abs(jnp.diag(curvature(s, theta)))  # (2,) per-coordinate step scale
        step = jnp.clip(g / jnp.maximum(h, 1e-12), -_MAX_LOG_STEP, _MAX_LOG_STEP)
        return theta + step, jnp.max(jnp.abs(step)), i + 1

    def keep_going(state):
        return (state[1] > tol) & (state[2] < max_iter)

    dtype = s.gram.dtype
    theta0 = jnp.log(jnp.asarray([alpha0, beta0], dtype))
    theta, step, i = lax.while_loop(keep_going, update, (theta0, jnp.asarray(jnp.inf, dtype), 0))
    alpha, beta = jnp.exp(theta[0]), jnp.exp(theta[1])
    return EmpiricalBayes(alpha, beta, log_evidence(s, alpha, beta), i, step <= tol)


def evidence_ascent(
    s: Stats, alpha0: float = 1.0, beta0: float = 1.0, tol: float = 1e-10, max_iter: int = 1000
) -> EmpiricalBayes:
    """Gradient ascent on ln p(y | alpha, beta) over (log alpha, log beta) with ``jax.grad``.

    Each coordinate's gradient is divided by the magnitude of its own second derivative (so
    one step size fits both, whatever N and M), steps are capped at +-2 in log space, and the
    search stops when the largest step is below ``tol``.
    """
    _check_estimable(s, alpha0, beta0)
    return _ascent(s, alpha0, beta0, tol, max_iter)


class DegreeComparison(NamedTuple):
    """Optimised log evidence of polynomial bases of increasing degree."""

    degrees: np.ndarray  # (k,)
    log_evidence: np.ndarray  # (k,)
    alpha: np.ndarray  # (k,)
    beta: np.ndarray  # (k,)

    @property
    def best_degree(self) -> int:
        """Degree with the highest evidence; -1 when no degree was computable."""
        if np.all(np.isnan(self.log_evidence)):
            return -1
        return int(self.degrees[int(np.nanargmax(self.log_evidence))])


def compare_degrees(x: Array, y: Array, degrees=range(1, 10)) -> DegreeComparison:
    """Empirical-Bayes log evidence of poly bases of each degree (PRML §3.4, Fig. 3.14).

    A degree whose precision matrix is numerically singular at its optimum, or whose
    precisions cannot be estimated, gets NaN (shown as missing), not a misleading number.
    """
    rows = []
    for d in degrees:
        s = stats(design(make_basis("poly", x, degree=int(d)), x), y)
        try:  # a degree that interpolates the data (no residual) cannot be estimated either
            eb = mackay(s)
            check_conditioning(s, eb.alpha, eb.beta)
            row = (float(eb.log_evidence), float(eb.alpha), float(eb.beta))
        except JaxscratchError:
            row = (float("nan"),) * 3
        rows.append((int(d), *row))
    if not rows:
        raise JaxscratchError("no degrees to compare; give at least one degree >= 1")
    d, le, a, b = (np.asarray(c) for c in zip(*rows, strict=True))
    return DegreeComparison(d, le, a, b)

"""The exact conjugate posterior over weights for known precisions alpha, beta (Bishop PRML §3.3).

Contract: data enter only through ``Stats`` (Phi^T Phi, Phi^T y, y^T y, n), so a batch fit and a
streaming fit are the same function. ``exact_posterior(stats, alpha, beta)`` is pure and
jit-friendly; ``checked_posterior`` validates first. The posterior keeps the Cholesky factor L
of the precision A = S_N^-1 = alpha I + beta Phi^T Phi; m_N and every variance come from
triangular solves with L, never an inverse. Two bands, never to be confused:

* epistemic band: f(x) = phi(x)^T w, mean +- 2 sd with var = phi^T S_N phi (uncertainty in f);
* predictive band: a new y at x, mean +- 2 sd with var = 1/beta + phi^T S_N phi (adds the noise).
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.scipy.linalg import cho_solve, solve_triangular

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import MVN, sample

BAND_SDS = 2.0  # both bands are mean +- 2 standard deviations
_MAX_COND_TIMES_EPS = 1e-2  # refuse a precision matrix whose condition number exceeds 0.01 / eps


class Stats(NamedTuple):
    """Sufficient statistics of a Gaussian linear model: all a fit needs, O(M^2) memory."""

    gram: Array  # (M, M) Phi^T Phi
    phi_y: Array  # (M,) Phi^T y
    yy: Array  # () y^T y
    n: Array  # () number of points


class Posterior(NamedTuple):
    """N(w | mean, S_N) stored as the mean m_N and the Cholesky factor of the precision S_N^-1."""

    mean: Array  # (M,) m_N
    prec_chol: Array  # (M, M) lower L, L L^T = alpha I + beta Phi^T Phi
    alpha: Array  # () prior precision of the weights
    beta: Array  # () noise precision


class Predictive(NamedTuple):
    """Predictive mean and the two standard deviations at m inputs."""

    mean: Array  # (m,) m_N^T phi(x)
    epistemic_sd: Array  # (m,) sd of f(x): sqrt(phi^T S_N phi)
    predictive_sd: Array  # (m,) sd of a new y: sqrt(1/beta + phi^T S_N phi)

    @property
    def epistemic_band(self) -> tuple[Array, Array]:
        """(lower, upper) of f(x) +- 2 sd: where the regression function lies."""
        return self.mean - BAND_SDS * self.epistemic_sd, self.mean + BAND_SDS * self.epistemic_sd

    @property
    def predictive_band(self) -> tuple[Array, Array]:
        """(lower, upper) of y +- 2 sd: where a fresh noisy observation lies (~95.4 %)."""
        return (
            self.mean - BAND_SDS * self.predictive_sd,
            self.mean + BAND_SDS * self.predictive_sd,
        )


@jax.jit
def stats(phi: Array, y: Array, weights: Array | None = None) -> Stats:
    """Sufficient statistics of (Phi (n, M), y (n,)), each row counted ``weights`` times.

    Phi^T W Phi, Phi^T W y, y^T W y and n = sum w with W = diag(w); without weights, W = I. A
    0/1 mask keeps only the rows that hold data: the padding of a fixed-size point buffer or of
    the last block. Every fit (batch, blocked, streaming, masked) goes through here.
    """
    if weights is None:
        return Stats(phi.T @ phi, phi.T @ y, y @ y, jnp.asarray(y.shape[0], phi.dtype))
    w_phi = phi * weights[:, None]  # (n, M) row i scaled by w_i
    return Stats(w_phi.T @ phi, w_phi.T @ y, (weights * y) @ y, jnp.sum(weights))


def add_stats(a: Stats, b: Stats) -> Stats:
    """Statistics of the union of two data sets."""
    return jax.tree.map(jnp.add, a, b)


def exact_posterior(s: Stats, alpha: Array | float, beta: Array | float) -> Posterior:
    """S_N^-1 = alpha I + beta Phi^T Phi, m_N = beta S_N Phi^T y (PRML eqs. 3.53-3.54)."""
    dtype = s.gram.dtype
    alpha, beta = jnp.asarray(alpha, dtype), jnp.asarray(beta, dtype)
    prec = alpha * jnp.eye(s.gram.shape[0], dtype=dtype) + beta * s.gram  # (M, M)
    chol = jnp.linalg.cholesky(prec)
    mean = beta * cho_solve((chol, True), s.phi_y)  # (M,)
    return Posterior(mean, chol, alpha, beta)


def check_precisions(alpha, beta) -> None:
    """Both precisions must be finite and > 0."""
    for name, v in (("alpha (prior precision)", alpha), ("beta (noise precision)", beta)):
        v = float(v)
        if not (np.isfinite(v) and v > 0):
            raise JaxscratchError(f"{name} must be finite and > 0, got {v:g}")


def check_conditioning(s: Stats, alpha, beta) -> float:
    """Refuse a numerically singular precision alpha I + beta Phi^T Phi; returns its condition.

    Solves lose about log10(cond) digits, so beyond 0.01 / eps the bands would be noise or NaN.
    """
    gram = np.asarray(s.gram, dtype=float)
    if not np.all(np.isfinite(gram)):
        raise JaxscratchError(
            "Phi^T Phi has NaN or inf entries (inputs too large for this basis?); "
            "use a lower degree or rescale x"
        )
    prec = float(alpha) * np.eye(gram.shape[0]) + float(beta) * gram
    lam = np.linalg.eigvalsh(prec)
    cond = float(lam[-1] / lam[0]) if lam[0] > 0 else float("inf")
    eps = float(np.finfo(np.dtype(s.gram.dtype)).eps)
    if not cond * eps <= _MAX_COND_TIMES_EPS:
        raise JaxscratchError(
            f"Phi^T Phi is numerically singular: the posterior precision alpha I + beta Phi^T Phi "
            f"({gram.shape[0]} features) has condition number {cond:.2g}; use a lower degree or "
            f"fewer basis functions, or a stronger prior (larger alpha than {float(alpha):.3g})"
        )
    return cond


def checked_posterior(s: Stats, alpha, beta) -> Posterior:
    """Validated ``posterior``: positive precisions and a well-conditioned precision matrix."""
    check_precisions(alpha, beta)
    check_conditioning(s, alpha, beta)
    return exact_posterior(s, alpha, beta)


def covariance(post: Posterior) -> Array:
    """S_N (M, M) by two triangular solves against the identity."""
    eye = jnp.eye(post.mean.shape[0], dtype=post.mean.dtype)
    return cho_solve((post.prec_chol, True), eye)


@jax.jit
def predict(post: Posterior, phi: Array) -> Predictive:
    """Predictive distribution at the rows of phi (m, M) (PRML eqs. 3.58-3.59).

    phi^T S_N phi = ||L^-1 phi||^2. L^-1 comes from one small (M, M) triangular solve against
    the identity; applying it to all m rows is then one matrix product, far faster on CPU than
    a triangular solve with m right-hand sides.
    """
    mean = phi @ post.mean  # (m,)
    eye = jnp.eye(phi.shape[1], dtype=phi.dtype)
    l_inv = solve_triangular(post.prec_chol, eye, lower=True)  # (M, M)
    v = phi @ l_inv.T  # (m, M), row i = (L^-1 phi_i)^T
    f_var = jnp.sum(v * v, axis=1)  # (m,)
    return Predictive(mean, jnp.sqrt(f_var), jnp.sqrt(f_var + 1.0 / post.beta))


def weight_mvn(post: Posterior) -> MVN:
    """The posterior as our ``MVN`` pytree (mean, lower Cholesky factor of S_N)."""
    cov = covariance(post)
    return MVN(post.mean, jnp.linalg.cholesky(0.5 * (cov + cov.T)))


def sample_weights(key: Array, post: Posterior, n: int) -> Array:
    """n posterior weight draws (n, M), from our own MVN sampler."""
    return sample(key, weight_mvn(post), (n,))


def sample_functions(key: Array, post: Posterior, phi: Array, n: int) -> Array:
    """n posterior function draws f(x) = phi(x)^T w at the rows of phi (m, M); shape (n, m)."""
    return sample_weights(key, post, n) @ phi.T


def prior_predictive(key: Array, alpha, beta, phi: Array, n: int) -> tuple[Predictive, Array]:
    """The model before any data: w ~ N(0, I / alpha), y = phi^T w + N(0, 1 / beta) noise.

    It is the posterior of empty statistics, so the same ``predict`` gives its two bands.

    Returns:
        (``Predictive`` at the rows of phi (m, M), n prior function draws (n, m)).
    """
    m_dim, dtype = phi.shape[1], phi.dtype
    empty = Stats(jnp.zeros((m_dim, m_dim), dtype), jnp.zeros(m_dim, dtype),
                  jnp.zeros((), dtype), jnp.zeros((), dtype))  # fmt: skip
    prior = exact_posterior(empty, alpha, beta)
    return predict(prior, phi), sample_functions(key, prior, phi, n)

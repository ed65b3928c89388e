"""Sequential Bayesian learning: one point at a time, and streaming sufficient statistics.

Contract: ``update(post, phi_row, y)`` turns the posterior after n points into the posterior
after n + 1 (the old posterior is the new prior, Bishop PRML §3.3.1, eqs. 3.49-3.51);
``sequential_posteriors`` scans it over a data set and returns every intermediate posterior,
the last equal to the batch posterior. ``stream_stats`` accumulates (Phi^T Phi, Phi^T y, y^T y, n)
chunk by chunk, so N = 10^7 points fit in memory independent of N.
"""

from collections.abc import Iterable

import jax
import jax.numpy as jnp
from jax import Array, lax
from jax.scipy.linalg import cho_solve

from jaxscratch.blr.basis import Basis
from jaxscratch.blr.blocked import blocked_stats
from jaxscratch.blr.data import RegressionData
from jaxscratch.blr.posterior import Posterior, Stats, add_stats
from jaxscratch.errors import JaxscratchError


def prior(m_dim: int, alpha, beta, dtype=jnp.float32) -> Posterior:
    """The prior N(0, alpha^-1 I) as a ``Posterior`` after zero points."""
    alpha, beta = jnp.asarray(alpha, dtype), jnp.asarray(beta, dtype)
    return Posterior(jnp.zeros(m_dim, dtype), jnp.sqrt(alpha) * jnp.eye(m_dim, dtype=dtype),
                     alpha, beta)  # fmt: skip


def update(post: Posterior, phi_row: Array, y: Array) -> Posterior:
    """Posterior after one more point (phi_row (M,), y ()).

    A' = A + beta phi phi^T, m' = A'^-1 (A m + beta phi y): the precision-weighted combination
    of the previous posterior and the new point.
    """
    prec = post.prec_chol @ post.prec_chol.T  # (M, M) A
    eta = prec @ post.mean + post.beta * phi_row * y  # (M,) A m + beta phi y
    new_prec = prec + post.beta * jnp.outer(phi_row, phi_row)
    chol = jnp.linalg.cholesky(new_prec)
    return Posterior(cho_solve((chol, True), eta), chol, post.alpha, post.beta)


@jax.jit
def sequential_posteriors(phi: Array, y: Array, alpha, beta) -> Posterior:
    """Every posterior along the data: leaves with a leading axis n (after 1, ..., n points)."""

    def step(post, row):
        new = update(post, *row)
        return new, new

    _, posts = lax.scan(step, prior(phi.shape[1], alpha, beta, phi.dtype), (phi, y))
    return posts


def stream_stats(basis: Basis, chunks: Iterable[RegressionData]) -> Stats:
    """Sufficient statistics accumulated over data chunks; memory O(M^2 + chunk size)."""
    total = None
    for chunk in chunks:
        s = blocked_stats(basis, chunk.x, chunk.y)
        total = s if total is None else add_stats(total, s)
    if total is None:
        raise JaxscratchError("the data stream was empty; give at least one chunk of points")
    return total

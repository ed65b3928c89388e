"""Everything the live regression explorer draws for one set of clicked points, in one call.

Contract: points live in a fixed-capacity buffer (x, y) with a 0/1 ``mask`` saying which slots
hold a point, so adding or removing a point changes no array shape and ``scene`` compiles once
per basis. Padded slots contribute nothing to the statistics, and n counts only masked slots.
"""

from functools import partial
from typing import NamedTuple

import jax
from jax import Array

from jaxscratch.blr.basis import Basis, design
from jaxscratch.blr.evidence import log_evidence
from jaxscratch.blr.posterior import Stats, exact_posterior, predict, sample_functions, stats

# The one control spec of the live regression pictures (the explorer's tab and the report's
# panel): the bases offered with their labels, and the ranges of the log10 precision sliders.
BASIS_LABELS = {"linear": "linear", "poly": "polynomial", "rbf": "RBF", "sigmoid": "sigmoid"}
LOG10_ALPHA = (-3.0, 3.0)  # prior precision of the weights
LOG10_BETA = (-1.0, 4.0)  # noise precision
MAX_WEIGHTS = 16  # degree + 1 or centres + 1: small enough to solve in the reader's browser


class RegressionScene(NamedTuple):
    """Posterior predictive on an x grid of m points, k function draws, and the evidence."""

    mean: Array  # (m,) predictive mean m_N^T phi(x)
    epistemic_sd: Array  # (m,) sd of f(x)
    predictive_sd: Array  # (m,) sd of a new y at x
    draws: Array  # (k, m) posterior function draws f(x) = phi(x)^T w
    log_evidence: Array  # () ln p(y | alpha, beta), PRML eq. 3.86 (0 with no points)
    n: Array  # () number of points


@partial(jax.jit, static_argnums=0)
def masked_stats(basis: Basis, x: Array, y: Array, mask: Array) -> Stats:
    """Sufficient statistics of the points x[i], y[i] with mask[i] = 1; x, y, mask (N,)."""
    return stats(design(basis, x), y, mask.astype(x.dtype))


@partial(jax.jit, static_argnums=(1, 7))
def scene(
    key: Array, basis: Basis, x: Array, y: Array, mask: Array, grid: Array,
    alpha_beta: Array, n_draws: int = 5,
) -> RegressionScene:  # fmt: skip
    """Posterior predictive (both sds), ``n_draws`` function draws and the log evidence.

    Args:
        key: PRNG key of the function draws (keep it fixed so draws morph smoothly).
        basis: the ``Basis`` (static).
        x, y, mask: (N,) point buffer and which slots are used.
        grid: (m,) inputs to predict at.
        alpha_beta: (2,) prior precision alpha and noise precision beta, both > 0.
        n_draws: number of posterior function draws (static).
    """
    s = masked_stats(basis, x, y, mask)
    post = exact_posterior(s, alpha_beta[0], alpha_beta[1])
    phi = design(basis, grid)  # (m, M)
    pred = predict(post, phi)
    draws = sample_functions(key, post, phi, n_draws)  # (k, m)
    ev = log_evidence(s, alpha_beta[0], alpha_beta[1])
    return RegressionScene(pred.mean, pred.epistemic_sd, pred.predictive_sd, draws, ev, s.n)

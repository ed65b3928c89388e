"""The exact joint posterior of (w, log alpha, log beta) by quadrature: MCMC's ground truth.

Contract: ``joint_moments(s, prior)`` returns the posterior mean and sd of every sampled
coordinate (weights, then log alpha, log beta) of ``mcmc.joint_logdensity(s, prior)``.
Given (alpha, beta) the weights are exactly N(m_N, S_N); p(log alpha, log beta | y) is
proportional to p(y | alpha, beta) Gamma(alpha) Gamma(beta) alpha beta with the closed-form
evidence (PRML eq. 3.86), summed on a fine grid around the empirical-Bayes point. The
quadrature error is far below any Monte-Carlo error of a few thousand draws.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch.blr.evidence import log_evidence, mackay
from jaxscratch.blr.mcmc import HyperPrior, log_hyperprior
from jaxscratch.blr.posterior import Stats, covariance, exact_posterior

_HALF_WIDTH_LOG_ALPHA = 12.0  # the log-alpha posterior is broad: few weights inform it
_SDS_LOG_BETA = 12.0  # grid half-width for log beta in its sds, sqrt(2 / N)
_N_ALPHA, _N_BETA = 481, 241


class JointMoments(NamedTuple):
    """Exact posterior mean and sd of each sampled coordinate."""

    mean: np.ndarray  # (M + 2,) w, log alpha, log beta
    sd: np.ndarray  # (M + 2,)


def joint_moments(s: Stats, prior: HyperPrior | None = None) -> JointMoments:
    """E and sd of (w, log alpha, log beta) under ``mcmc.joint_logdensity(s, prior)``."""
    prior = HyperPrior(*(jnp.asarray(v, s.gram.dtype) for v in (prior or HyperPrior())))
    eb = mackay(s)
    mean, second = _moments(s, prior, eb.alpha, eb.beta)
    return JointMoments(np.asarray(mean), np.sqrt(np.maximum(np.asarray(second - mean**2), 0)))


@jax.jit  # the grid inside: one compiled program, not one per array operation
def _moments(s: Stats, prior: HyperPrior, alpha: Array, beta: Array) -> tuple[Array, Array]:
    la0, lb0 = jnp.log(alpha), jnp.log(beta)
    half_b = _SDS_LOG_BETA * jnp.sqrt(2.0 / s.n) + 1.0
    la = la0 + jnp.linspace(-_HALF_WIDTH_LOG_ALPHA, _HALF_WIDTH_LOG_ALPHA, _N_ALPHA)
    lb = lb0 + jnp.linspace(-1.0, 1.0, _N_BETA) * half_b
    grid_a, grid_b = (g.ravel() for g in jnp.meshgrid(la, lb))

    def terms(log_a, log_b):
        a, b = jnp.exp(log_a), jnp.exp(log_b)
        post = exact_posterior(s, a, b)
        logp = log_evidence(s, a, b) + log_hyperprior(prior, log_a, log_b)
        first = jnp.concatenate([post.mean, jnp.stack([log_a, log_b])])  # (M + 2,)
        var_w = jnp.diag(covariance(post))
        second = jnp.concatenate([var_w + post.mean**2, jnp.stack([log_a**2, log_b**2])])
        return logp, first, second

    logp, first, second = jax.vmap(terms)(grid_a, grid_b)  # (G,), (G, M + 2), (G, M + 2)
    p = jnp.exp(logp - logp.max())
    p = p / p.sum()
    return p @ first, p @ second

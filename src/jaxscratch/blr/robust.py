"""Robust regression: a Student-t likelihood for (w, log alpha, log beta[, log nu]), for NUTS.

Contract: ``student_t_logpdf(r, nu, log_beta)`` is the log density of residuals r under a
Student-t with nu degrees of freedom and scale beta^(-1/2); ``robust_logdensity(phi, y, prior,
nu)`` is the joint log density of ``Position`` (nu given) or ``RobustPosition`` (nu = None:
sampled as log nu with a Gamma(2, 0.1) prior, Juarez & Steel 2010). The t likelihood has no
sufficient statistics and no closed-form posterior, so it needs the data points themselves
and a sampler; as nu -> infinity it tends to the Gaussian model of ``mcmc.joint_logdensity``.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import jax.numpy as jnp
from jax import Array
from jax.scipy.special import gammaln
from jax.tree_util import Partial

from jaxscratch._shared import LOG_2PI, check_choice
from jaxscratch.blr.mcmc import HyperPrior, Position, log_hyperprior
from jaxscratch.errors import JaxscratchError

LIKELIHOODS = ("gaussian", "student-t")
NU_PRIOR = (2.0, 0.1)  # Gamma(shape, rate) on nu: Juarez & Steel (2010), mean 20
_LOG_PI = math.log(math.pi)


class RobustPosition(NamedTuple):
    """Position of the Student-t model with nu sampled."""

    w: Array  # (M,) weights
    log_alpha: Array  # () log prior precision
    log_beta: Array  # () log precision of the t scale: scale = beta^(-1/2)
    log_nu: Array  # () log degrees of freedom


def check_likelihood(likelihood: str, nu: float | None) -> None:
    """A known likelihood, and nu > 0 (finite) when given."""
    check_choice(likelihood, "likelihood", LIKELIHOODS)
    if nu is not None and not (math.isfinite(nu) and nu > 0):
        raise JaxscratchError(
            f"degrees of freedom nu must be a finite number > 0, got {nu}; "
            "give e.g. --nu 4, or leave it out to sample nu"
        )


def student_t_logpdf(r: Array, nu: Array, log_beta: Array) -> Array:
    """log t_nu(r; 0, beta^(-1/2)) elementwise:

    ln G((nu+1)/2) - ln G(nu/2) - 1/2 ln(nu pi) + 1/2 ln beta - (nu+1)/2 ln(1 + beta r^2 / nu).
    """
    half = 0.5 * (nu + 1.0)
    return (
        gammaln(half)
        - gammaln(0.5 * nu)
        - 0.5 * (jnp.log(nu) + _LOG_PI)
        + 0.5 * log_beta
        - half * jnp.log1p(jnp.exp(log_beta) * r**2 / nu)
    )


def _log_prior_w(w: Array, log_alpha: Array) -> Array:
    m_dim = w.shape[0]
    return 0.5 * m_dim * (log_alpha - LOG_2PI) - 0.5 * jnp.exp(log_alpha) * w @ w


def _fixed_nu(phi, y, prior, nu, p: Position) -> Array:
    r = y - phi @ p.w  # (N,)
    return (
        jnp.sum(student_t_logpdf(r, nu, p.log_beta))
        + _log_prior_w(p.w, p.log_alpha)
        + log_hyperprior(prior, p.log_alpha, p.log_beta)
    )


def _free_nu(phi, y, prior, nu_prior, p: RobustPosition) -> Array:
    nu = jnp.exp(p.log_nu)
    shape, rate = nu_prior
    fixed = _fixed_nu(phi, y, prior, nu, Position(p.w, p.log_alpha, p.log_beta))
    return fixed + shape * p.log_nu - rate * nu  # Gamma(nu) times the Jacobian nu


def robust_logdensity(
    phi: Array, y: Array, prior: HyperPrior | None = None, nu: float | None = None
) -> Callable:
    """Joint log density of the Student-t regression, up to a constant.

    Args:
        phi: (N, M) design matrix.
        y: (N,) targets.
        prior: Gamma hyperpriors on alpha, beta.
        nu: degrees of freedom; None samples log nu too (then positions are ``RobustPosition``).

    Returns:
        A ``Partial`` of arrays, as ``mcmc.joint_logdensity``.
    """
    dtype = phi.dtype
    prior = HyperPrior(*(jnp.asarray(v, dtype) for v in (prior or HyperPrior())))
    if nu is None:
        nu_prior = tuple(jnp.asarray(v, dtype) for v in NU_PRIOR)
        return Partial(_free_nu, phi, y, prior, nu_prior)
    return Partial(_fixed_nu, phi, y, prior, jnp.asarray(nu, dtype))

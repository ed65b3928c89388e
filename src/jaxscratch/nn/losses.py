"""Losses: numerically stable softmax cross-entropy with label smoothing, and an L2 penalty."""

import jax
import jax.numpy as jnp
from jax import Array


def log_softmax(logits: Array) -> Array:
    """log p_k = z_k - logsumexp(z), shifted by max(z) so exp never overflows. (n, K) -> (n, K)."""
    shifted = logits - jax.lax.stop_gradient(jnp.max(logits, axis=-1, keepdims=True))
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=-1, keepdims=True))


def softmax(logits: Array) -> Array:
    return jnp.exp(log_softmax(logits))


def softmax_cross_entropy(logits: Array, labels: Array, label_smoothing: float = 0.0) -> Array:
    """Mean over the batch of -sum_k t_k log p_k (Bishop PRML §4.3.4).

    Targets t = (1 - eps) onehot(y) + eps / K (Szegedy et al. 2016) for ``label_smoothing`` eps.

    Args:
        logits: (n, K).
        labels: (n,) integers in 0..K-1.
    Returns:
        Scalar loss.
    """
    logp = log_softmax(logits)  # (n, K)
    nll = -jnp.take_along_axis(logp, labels[:, None].astype(jnp.int32), axis=-1)[:, 0]  # (n,)
    if label_smoothing:
        nll = (1.0 - label_smoothing) * nll - label_smoothing * jnp.mean(logp, axis=-1)
    return jnp.mean(nll)


def l2_penalty(params) -> Array:
    """0.5 * sum of squared weight matrices (leaves with ndim >= 2; biases and BN are free)."""
    leaves = [a for a in jax.tree.leaves(params) if a.ndim >= 2]
    return 0.5 * sum(jnp.sum(jnp.square(a)) for a in leaves)

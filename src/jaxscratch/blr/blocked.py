"""Large-N fits and predictions block by block, so the full design matrix never exists at once.

Contract: ``blocked_stats(basis, x, y)`` equals ``stats(design(basis, x), y)`` and
``blocked_predict(post, basis, x)`` equals ``predict(post, design(basis, x))``, but both work
through blocks of ``block`` rows inside one compiled scan: each (block, M) slice of Phi stays in
cache, which on CPU is several times faster than materialising an (N, M) matrix.
"""

import jax
import jax.numpy as jnp
from jax import Array, lax

from jaxscratch.blr.basis import Basis, design
from jaxscratch.blr.posterior import Posterior, Predictive, Stats, add_stats, predict, stats

BLOCK = 16_384  # rows per block: (16 384, 26) float64 is 3.4 MB


def _blocks(a: Array, block: int) -> Array:
    """(n,) -> (ceil(n / block), block), zero-padded at the end."""
    pad = (-a.shape[0]) % block
    return jnp.pad(a, (0, pad)).reshape(-1, block)


@jax.jit(static_argnums=(0, 3))
def blocked_stats(basis: Basis, x: Array, y: Array, block: int = BLOCK) -> Stats:
    """Sufficient statistics of (Phi = design(basis, x), y), accumulated over row blocks."""
    n = x.shape[0]
    block = min(block, n)
    valid = _blocks(jnp.ones_like(x), block)  # (B, block) 1 for real rows, 0 for padding

    def step(acc: Stats, rows):
        xb, yb, vb = rows
        return add_stats(acc, stats(design(basis, xb), yb, vb)), None  # padding weighs 0

    m_dim, dtype = basis.size, x.dtype
    zero = Stats(jnp.zeros((m_dim, m_dim), dtype), jnp.zeros(m_dim, dtype), jnp.zeros((), dtype),
                 jnp.zeros((), dtype))  # fmt: skip
    total, _ = lax.scan(step, zero, (_blocks(x, block), _blocks(y, block), valid))
    return total._replace(n=jnp.asarray(n, dtype))  # the count itself: a float sum drifts


@jax.jit(static_argnums=(1, 3))
def blocked_predict(post: Posterior, basis: Basis, x: Array, block: int = BLOCK) -> Predictive:
    """Predictive mean and both sds at the inputs x (n,), block by block."""
    n = x.shape[0]
    block = min(block, n)
    out = lax.map(lambda xb: predict(post, design(basis, xb)), _blocks(x, block))
    return jax.tree.map(lambda a: a.reshape(-1)[:n], out)

"""Sufficient statistics of an MVN sample streamed over devices, never holding the sample.

Contract: ``moments = stream_moments(key, mvn, n, chunk=..., devices=...)`` draws n rows in
chunks (chunk i from ``fold_in(key, i)``, its first rows when it is the short last one) and
returns their ``Moments``: the count, the mean and the sum of centred outer products. Each
device draws its own chunks (device j of D takes chunks j, j + D, ...) and reduces each to
(count, chunk mean, chunk-centred outer products) in the sample's dtype; the host merges the
chunks in chunk order in float64 with Chan, Golub & LeVeque's pairwise update (``merge``), so
the result is the same for any number of devices or processes and no sum of squares of raw,
uncentred values is ever formed (the cancellation that one-pass formulas suffer). Memory is
one chunk per device. ``spread_devices(count)`` picks the devices of a multi-process run.

Reference: T. F. Chan, G. H. Golub, R. J. LeVeque, "Updating formulae and a pairwise algorithm
for computing sample variances", Stanford CS report STAN-CS-79-773 (1979), eq. 2.1.
"""

from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.mvn import MVN, sample
from jaxscratch.gaussian.normal import check_method


class Moments(NamedTuple):
    """Sufficient statistics of n rows: count, mean (d,), centred outer products (d, d)."""

    count: int
    mean: np.ndarray  # (d,) float64
    m2: np.ndarray  # (d, d) float64: sum_i (x_i - mean)(x_i - mean)^T

    @property
    def cov(self) -> np.ndarray:
        """The unbiased sample covariance m2 / (n - 1)."""
        return self.m2 / (self.count - 1)


def empty(d: int) -> Moments:
    return Moments(0, np.zeros(d), np.zeros((d, d)))


def merge(a: Moments, b: Moments) -> Moments:
    """The moments of two disjoint parts together (Chan et al. 1979, eq. 2.1):
    delta = mean_b - mean_a, mean = mean_a + delta n_b / n,
    M2 = M2_a + M2_b + delta delta^T n_a n_b / n."""
    n = a.count + b.count
    if a.count == 0 or b.count == 0:
        return b if a.count == 0 else a
    delta = b.mean - a.mean  # (d,)
    mean = a.mean + delta * (b.count / n)
    return Moments(n, mean, a.m2 + b.m2 + np.outer(delta, delta) * (a.count * b.count / n))


def chunk_moments(x: Array, valid: Array) -> tuple[Array, Array, Array]:
    """(count, mean (d,), centred outer products (d, d)) of the rows of x (m, d) where
    ``valid`` (m,) holds; centred on the chunk's own mean."""
    w = valid.astype(x.dtype)[:, None]  # (m, 1)
    count = jnp.sum(w)
    mean = jnp.sum(w * x, axis=0) / jnp.maximum(count, 1)  # (d,)
    xc = w * (x - mean)  # (m, d)
    return count, mean, xc.T @ xc


def spread_devices(count: int) -> list:
    """``count`` devices: the first ones, or across P processes the first ``count / P`` of each
    process, in process order (so every process draws its share)."""
    processes = jax.process_count()
    per, extra = divmod(count, processes)
    have = jax.local_device_count()
    if per < 1 or extra or per > have:
        raise JaxscratchError(
            f"{count} devices over {processes} process(es): each process has {have}; give 1 to "
            f"{have} per process (on CPU, XLA_FLAGS=--xla_force_host_platform_device_count=N "
            "before starting makes N)"
        )
    chosen = []
    for p in range(processes):
        mine = sorted((d for d in jax.devices() if d.process_index == p), key=lambda d: d.id)
        chosen += mine[:per]
    return chosen


@partial(jax.jit, static_argnames=("chunk", "width", "method", "mesh"))
def _round(key_data, first, rows, mean, scale, *, chunk, width, method, mesh):
    """Chunks first .. first + width - 1, one per device: their (count, mean, m2) stacked,
    replicated on every device (and process)."""
    key = jax.random.wrap_key_data(key_data)
    index = first + jnp.arange(width)  # (D,)
    index = jax.lax.with_sharding_constraint(index, NamedSharding(mesh, P("shard")))
    mvn = MVN(mean, scale)

    def one(i, m):
        x = sample(jax.random.fold_in(key, i), mvn, (chunk,), method)  # (chunk, d)
        return chunk_moments(x, jnp.arange(chunk) < m)  # the last chunk's first m rows only

    stats = jax.vmap(one)(index, rows)
    return jax.lax.with_sharding_constraint(stats, NamedSharding(mesh, P()))


def stream_moments(
    key: Array,
    mvn: MVN,
    n: int,
    *,
    chunk: int = 262_144,
    method: str = "box-muller",
    devices: Sequence | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> Moments:
    """The ``Moments`` of n draws of ``mvn``, streamed; see the module.

    Args:
      key: the sample's key; chunk i draws from ``fold_in(key, i)``.
      devices: the devices that draw (default: the first one); ``spread_devices`` for several
        processes, each of which must call this with the same arguments.
      on_chunks: called with the rows done after each round of one chunk per device.
    """
    check_method(method)
    if n < 1 or chunk < 1:
        raise JaxscratchError(f"n and chunk must be >= 1, got n={n}, chunk={chunk}")
    devices = list(devices or jax.devices()[:1])
    mesh = Mesh(np.array(devices), ("shard",))
    chunk = min(chunk, n)
    chunks = -(-n // chunk)
    width = len(devices)
    # host inputs: every process passes the same values, placed by the program's sharding
    key_data = np.asarray(jax.random.key_data(key))
    mean, scale = np.asarray(mvn.mean), np.asarray(mvn.scale)
    total = empty(mvn.dim)
    for first in range(0, chunks, width):
        starts = (first + np.arange(width, dtype=np.int64)) * chunk  # (D,) exact on the host
        rows = np.clip(n - starts, 0, chunk).astype(np.int32)  # rows each chunk keeps
        _, means, m2s = (
            np.asarray(a, np.float64)
            for a in _round(
                key_data,
                first,
                rows,
                mean,
                scale,
                chunk=chunk,
                width=width,
                method=method,
                mesh=mesh,
            )  # fmt: skip
        )
        for m, mu, m2 in zip(rows, means, m2s, strict=True):
            total = merge(total, Moments(int(m), mu, m2))
        if on_chunks is not None:
            on_chunks(total.count)
    return total

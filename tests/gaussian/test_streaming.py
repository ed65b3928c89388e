"""Streamed sufficient statistics: Chan's merge against two-pass moments, the chunk key streams,
and a sample of 10^7 rows reconstructed without ever being held."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import gaussian as g
from jaxscratch.errors import JaxscratchError


def _moments(x: np.ndarray) -> g.Moments:
    xc = x - x.mean(0)
    return g.Moments(len(x), x.mean(0), xc.T @ xc)


def test_merging_parts_gives_the_two_pass_moments_of_the_whole():
    rng = np.random.default_rng(0)
    # far from the origin and of very different sizes: where one-pass sums of squares fail
    x = 1e4 + rng.standard_normal((1001, 3)) @ np.diag([1.0, 1e-2, 3.0])
    cuts = [0, 1, 7, 500, 1001]
    total = g.Moments(0, np.zeros(3), np.zeros((3, 3)))
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        total = g.merge(total, _moments(x[a:b]))
    whole = _moments(x)
    assert total.count == 1001
    np.testing.assert_allclose(total.mean, whole.mean, rtol=1e-14)
    np.testing.assert_allclose(total.cov, np.cov(x.T), rtol=1e-9)


def test_stream_equals_the_moments_of_its_chunks_drawn_one_by_one(key):
    k_dist, k_draw = jax.random.split(key)
    dist = g.from_cov(jnp.arange(3.0), g.random_covariance(k_dist, 3))
    n, chunk = 10_000, 3_000  # three full chunks and the first 1000 rows of a fourth
    m = g.stream_moments(k_draw, dist, n, chunk=chunk)
    x = np.concatenate([
        np.asarray(g.sample(jax.random.fold_in(k_draw, i), dist, (chunk,)), np.float64)
        for i in range(4)
    ])[:n]  # fmt: skip
    assert m.count == n
    np.testing.assert_allclose(m.mean, x.mean(0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(m.cov, np.cov(x.T), rtol=1e-5, atol=1e-5)


def test_stream_refuses_an_empty_sample(key):
    with pytest.raises(JaxscratchError, match="n and chunk must be >= 1"):
        g.stream_moments(key, g.from_cov(jnp.zeros(2), jnp.eye(2)), 0)
    with pytest.raises(JaxscratchError, match="give 1 to 1 per process"):
        g.spread_devices(jax.device_count() + 1)


@pytest.mark.slow
def test_ten_million_rows_pass_the_reconstruction_check(key):
    """n = 10^7, d = 10, streamed in chunks: every |z| of the 65 quantities within the
    Bonferroni bound at family-wise level 10^-3, as for a held sample."""
    k_mean, k_cov, k_draw = jax.random.split(key, 3)
    dist = g.from_cov(g.random_mean(k_mean, 10, scale=2.0),
                      g.random_covariance(k_cov, 10, condition_number=10.0))  # fmt: skip
    m = g.stream_moments(k_draw, dist, 10_000_000, chunk=1 << 20)
    rec = g.reconstruct_moments(m.count, m.mean, m.cov, dist.mean, dist.cov)
    assert rec.n == 10_000_000 and rec.n_tests == 65
    assert rec.consistent, (rec.max_abs_z, rec.threshold)

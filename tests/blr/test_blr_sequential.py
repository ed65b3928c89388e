"""jaxscratch.blr.sequential: one point at a time equals the batch; streaming equals the batch."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.blr import basis, data, posterior, sequential
from jaxscratch.errors import JaxscratchError


def test_every_sequential_posterior_equals_the_batch_posterior(key, x64):
    d = data.make_data(key, 25, truth="sin", dtype=jnp.float64)
    b = basis.make_basis("rbf", d.x, n_centres=5)
    phi = basis.design(b, d.x)
    posts = sequential.sequential_posteriors(phi, d.y, 2.0, 25.0)
    for k in (1, 7, 25):
        batch = posterior.exact_posterior(posterior.stats(phi[:k], d.y[:k]), 2.0, 25.0)
        np.testing.assert_allclose(posts.mean[k - 1], batch.mean, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(posts.prec_chol[k - 1], batch.prec_chol, rtol=1e-9, atol=1e-12)


def test_update_from_the_prior_is_one_point_batch(x64):
    prior = sequential.prior(2, 2.0, 25.0, jnp.float64)
    phi_row, y = jnp.asarray([1.0, 0.5]), jnp.asarray(0.3)
    one = sequential.update(prior, phi_row, y)
    batch = posterior.exact_posterior(posterior.stats(phi_row[None], y[None]), 2.0, 25.0)
    np.testing.assert_allclose(one.mean, batch.mean, rtol=1e-12)


def test_streaming_statistics_equal_the_batch_statistics(key, x64):
    b = basis.make_basis("poly", jnp.asarray([-1.0, 1.0]), degree=3)
    chunks = list(data.stream_data(key, 2500, chunk=1000, truth="poly", dtype=jnp.float64))
    streamed = sequential.stream_stats(b, chunks)
    x = jnp.concatenate([c.x for c in chunks])
    y = jnp.concatenate([c.y for c in chunks])
    batch = posterior.stats(basis.design(b, x), y)
    for a, c in zip(streamed, batch, strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-10)


def test_ten_million_points_stream_in_bounded_memory(key, x64):
    n, chunk, noise = 10_000_000, 1_000_000, 0.3
    b = basis.make_basis("linear", None)
    s = sequential.stream_stats(
        b, data.stream_data(key, n, chunk=chunk, noise=noise, dtype=jnp.float64)
    )
    assert s.gram.shape == (2, 2) and int(s.n) == n  # O(M^2) whatever N is
    post = posterior.checked_posterior(s, 1.0, 1.0 / noise**2)
    sd = np.sqrt(np.diag(posterior.covariance(post)))  # about 1e-4
    # the posterior concentrates on the truth: within 5 posterior sds
    assert np.all(np.abs(np.asarray(post.mean) - data.LINEAR_WEIGHTS) < 5 * sd)


def test_stream_of_nothing_is_an_error():
    with pytest.raises(JaxscratchError, match="empty"):
        sequential.stream_stats(basis.Basis("linear"), iter(()))

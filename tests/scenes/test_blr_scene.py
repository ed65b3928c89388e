"""The explorer's one-call scene: padded point buffers give the same posterior as the points."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import blr
from jaxscratch.scenes import blr as scene_blr

CAP = 16


@pytest.fixture
def points(key, x64):
    d = blr.make_data(key, 6, truth="sin", noise=0.2, dtype=jnp.float64)
    x = jnp.zeros(CAP).at[:6].set(d.x)
    y = jnp.full(CAP, 99.0).at[:6].set(d.y)  # junk in unused slots must not count
    mask = jnp.arange(CAP) < 6
    return d, x, y, mask


@pytest.mark.parametrize("kind", ["linear", "poly", "rbf"])
def test_scene_equals_the_unpadded_posterior(key, points, kind):
    d, x, y, mask = points
    basis = blr.make_basis(kind, jnp.array([-1.0, 1.0]), degree=3, n_centres=5)
    grid = jnp.linspace(-1, 1, 7)
    ab = jnp.array([2.0, 25.0])
    sc = scene_blr.scene(key, basis, x, y, mask, grid, ab)
    s = blr.stats(blr.design(basis, d.x), d.y)
    post = blr.exact_posterior(s, 2.0, 25.0)
    pred = blr.predict(post, blr.design(basis, grid))
    np.testing.assert_allclose(sc.mean, pred.mean, rtol=1e-10)
    np.testing.assert_allclose(sc.epistemic_sd, pred.epistemic_sd, rtol=1e-10)
    np.testing.assert_allclose(sc.predictive_sd, pred.predictive_sd, rtol=1e-10)
    np.testing.assert_allclose(sc.log_evidence, blr.log_evidence(s, 2.0, 25.0), rtol=1e-10)
    assert float(sc.n) == 6 and sc.draws.shape == (5, 7)


def test_no_points_gives_the_prior_and_zero_log_evidence(key, points):
    _, x, y, _ = points
    basis = blr.make_basis("linear", None)
    sc = scene_blr.scene(key, basis, x, y, jnp.zeros(CAP, bool), jnp.array([0.0, 1.0]),
                   jnp.array([4.0, 25.0]))  # fmt: skip
    # prior: f(x) = w0 + w1 x with w ~ N(0, I / alpha): var f = (1 + x^2) / 4
    np.testing.assert_allclose(sc.epistemic_sd, np.sqrt([0.25, 0.5]), rtol=1e-10)
    np.testing.assert_allclose(sc.mean, 0.0, atol=0)
    assert float(sc.log_evidence) == 0.0 and float(sc.n) == 0


def test_draws_scatter_like_the_epistemic_sd(key, points):
    _, x, y, mask = points
    basis = blr.make_basis("poly", jnp.array([-1.0, 1.0]), degree=3)
    grid = jnp.linspace(-1, 1, 5)
    sc = scene_blr.scene(key, basis, x, y, mask, grid, jnp.array([2.0, 25.0]), 4000)
    sd = np.std(np.asarray(sc.draws), axis=0)
    np.testing.assert_allclose(sd, sc.epistemic_sd, rtol=5 / np.sqrt(2 * 4000))


def test_masked_stats_feed_empirical_bayes(points):
    d, x, y, mask = points
    basis = blr.make_basis("poly", jnp.array([-1.0, 1.0]), degree=3)
    padded = blr.mackay(scene_blr.masked_stats(basis, x, y, mask))
    direct = blr.mackay(blr.stats(blr.design(basis, d.x), d.y))
    np.testing.assert_allclose([padded.alpha, padded.beta], [direct.alpha, direct.beta],
                               rtol=1e-8)  # fmt: skip

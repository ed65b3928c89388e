"""Standard normals from uniforms, checked against N(0, 1) with scipy as the oracle."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special, stats

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import METHODS, box_muller, normal_icdf, normal_pdf, standard_normal

N = 1_000_000
ALPHA = 1e-3  # significance level of every goodness-of-fit test below
AD_CRITICAL_1PCT = 3.857  # fully specified null, 1 % level (Stephens 1974)


def anderson_darling(z: np.ndarray) -> float:
    """A^2 of a sample against the fully specified N(0, 1)."""
    z = np.sort(z)
    n = z.size
    i = np.arange(1, n + 1)
    log_f = special.log_ndtr(z)
    log_sf = special.log_ndtr(-z[::-1])
    return float(-n - np.mean((2 * i - 1) * (log_f + log_sf)))


@pytest.fixture(scope="module", params=list(METHODS))
def draws(request):
    z = standard_normal(jax.random.key(7), (N,), method=request.param)
    return np.asarray(z, dtype=np.float64)


def test_kolmogorov_smirnov(draws):
    assert stats.kstest(draws, "norm").pvalue > ALPHA


def test_anderson_darling(draws):
    assert anderson_darling(draws) < AD_CRITICAL_1PCT


def test_tails_beyond_four_sigma(draws):
    p = 2 * special.ndtr(-4.0)
    count = np.sum(np.abs(draws) > 4.0)
    assert abs(count - N * p) < 5 * np.sqrt(N * p * (1 - p))


def test_box_muller_outputs_are_independent(key):
    z0, z1 = np.asarray(box_muller(key, N), dtype=np.float64)
    # sample correlations of independent pairs have standard error ~ 1/sqrt(n)
    assert abs(np.corrcoef(z0, z1)[0, 1]) < 5 / np.sqrt(N)
    assert abs(np.corrcoef(z0**2, z1**2)[0, 1]) < 5 / np.sqrt(N)


@pytest.mark.parametrize("method", list(METHODS))
def test_float64_moments(key, x64, method):
    z = np.asarray(standard_normal(key, (N,), jnp.float64, method))
    assert z.dtype == np.float64
    assert abs(z.mean()) < 5 / np.sqrt(N)
    assert abs(z.var() - 1) < 5 * np.sqrt(2 / N)


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("shape", [(), (1,), (3, 5), (2, 3, 7)])
def test_any_shape_and_jit(key, method, shape):
    f = jax.jit(standard_normal, static_argnames=("shape", "method"))
    z = f(key, shape=shape, method=method)
    assert z.shape == shape and z.dtype == jnp.float32
    # compiled and eager code may fuse multiply-adds differently: equal to float32 rounding
    np.testing.assert_allclose(z, standard_normal(key, shape, method=method), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("method", list(METHODS))
def test_same_key_same_draws_different_key_different(key, method):
    a = standard_normal(key, (257,), method=method)
    assert jnp.array_equal(a, standard_normal(key, (257,), method=method))
    assert not jnp.any(a == standard_normal(jax.random.fold_in(key, 1), (257,), method=method))


def test_vmap_over_keys(key):
    keys = jax.random.split(key, 4)
    z = jax.vmap(lambda k: standard_normal(k, (5,)))(keys)
    assert z.shape == (4, 5)
    assert not jnp.array_equal(z[0], z[1])


def test_icdf_matches_scipy_to_double_precision(x64):
    p = np.concatenate([np.logspace(-300, -1, 400), np.linspace(0.01, 0.99, 999)])
    p = np.concatenate([p, 1 - p[p < 0.5], [0.0, 1.0]])
    ours = np.asarray(normal_icdf(jnp.asarray(p)))
    np.testing.assert_allclose(ours, special.ndtri(p), rtol=1e-14, atol=1e-14)


def test_unknown_method_is_a_clear_error(key):
    with pytest.raises(JaxscratchError, match="choose one of box-muller, polar, icdf"):
        standard_normal(key, (3,), method="ziggurat")


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_polynomial_sincos_matches_numpy(x64, dtype):
    from jaxscratch.gaussian.normal import _sincos_two_pi

    u = jnp.linspace(1e-7, 1 - 1e-7, 100_001, dtype=dtype)
    sin, cos = _sincos_two_pi(u)
    u = np.asarray(u, np.float64)  # the same points the polynomials saw
    atol = 4 * float(jnp.finfo(dtype).eps)
    np.testing.assert_allclose(sin, np.sin(2 * np.pi * u), atol=atol)
    np.testing.assert_allclose(cos, np.cos(2 * np.pi * u), atol=atol)


def test_normal_pdf_matches_scipy_and_broadcasts(x64):
    t = np.linspace(-9.0, 11.0, 401)
    mu, sigma = np.array([[0.0], [1.5], [-2.0]]), np.array([[1.0], [0.3], [4.0]])  # (3, 1)
    got = np.asarray(normal_pdf(jnp.asarray(t), jnp.asarray(mu), jnp.asarray(sigma)))
    assert got.shape == (3, t.size)
    np.testing.assert_allclose(got, stats.norm(mu, sigma).pdf(t), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(normal_pdf(jnp.asarray(t)), stats.norm.pdf(t), rtol=1e-13)

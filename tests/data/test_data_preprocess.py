"""Pixel scaling and standardisation."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.data import DataError, pixel_stats, scale, standardize


def test_scale_maps_0_255_to_float32_0_1():
    x = np.array([[0, 128, 255]], np.uint8)
    s = scale(x)
    assert s.dtype == np.float32
    np.testing.assert_allclose(s, [[0.0, 128 / 255, 1.0]])


def test_scale_works_on_jax_arrays():
    assert scale(jnp.array([255], jnp.uint8)).dtype == jnp.float32


def test_pixel_stats_match_numpy_in_chunks():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(1000, 4, 5), dtype=np.uint8)
    mean, std = pixel_stats(x, chunk=77)
    np.testing.assert_allclose(mean, (x / 255).mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(std, (x / 255).std(axis=0), rtol=1e-4)


def test_standardize_centres_and_scales_and_leaves_constant_pixels_centred():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(500, 3, 3), dtype=np.uint8)
    x[:, 0, 0] = 0  # a constant border pixel
    mean, std = pixel_stats(x)
    z = standardize(x, mean, std)
    assert z.dtype == np.float32 and np.all(np.isfinite(z))
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=0)[1:, 1:], 1, atol=1e-4)
    assert np.all(z[:, 0, 0] == 0)


def test_pixel_stats_of_nothing_is_an_error():
    with pytest.raises(DataError, match="at least one image"):
        pixel_stats(np.zeros((0, 2, 2), np.uint8))

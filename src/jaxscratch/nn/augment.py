"""Data augmentation in JAX: random mirror images, small rotations and shifts of image
batches, keyed.

Contract: ``augment(key, x, max_shift, max_degrees, flip=False)`` returns a batch of the same
shape (B, h, w) where each image is, with ``flip``, mirrored left-right with probability 1/2,
then rotated by a uniform angle in [-max_degrees, max_degrees] about its centre and shifted by
uniform (dy, dx) in [-max_shift, max_shift] pixels, resampled bilinearly with zeros outside the
frame (MNIST's background). The same key gives the same batch, and without ``flip`` the same
batch as before flips existed (the flip draw is split off the shift stream only when flipping).
"""

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError


def check_augment(max_shift: float, max_degrees: float) -> None:
    if not 0 <= max_shift <= 8 or not 0 <= max_degrees <= 45:
        raise JaxscratchError(
            f"augmentation needs a shift in [0, 8] pixels and an angle in [0, 45] degrees; got "
            f"{max_shift} and {max_degrees}"
        )


def transform(image: Array, degrees: Array, shift: Array) -> Array:
    """One (h, w) image rotated by ``degrees`` (counter-clockwise on screen) about its centre,
    then moved by ``shift`` = (dy, dx) pixels; bilinear, zero outside."""
    h, w = image.shape
    c = jnp.array([(h - 1) / 2, (w - 1) / 2], image.dtype)
    rows, cols = jnp.meshgrid(jnp.arange(h, dtype=image.dtype), jnp.arange(w, dtype=image.dtype),
                              indexing="ij")  # fmt: skip
    # inverse map: output pixel p reads the input at R(theta)^-1 (p - c - shift) + c, written
    # in (row, col) with rows growing downwards
    t = jnp.deg2rad(degrees)
    dy, dx = rows - c[0] - shift[0], cols - c[1] - shift[1]
    cos, sin = jnp.cos(t), jnp.sin(t)
    src_r = cos * dy + sin * dx + c[0]
    src_c = -sin * dy + cos * dx + c[1]
    r0, c0 = jnp.floor(src_r), jnp.floor(src_c)
    fr, fc = src_r - r0, src_c - c0

    def at(r, cc):  # input value at integer (r, cc), zero outside the frame
        inside = (r >= 0) & (r <= h - 1) & (cc >= 0) & (cc <= w - 1)
        ri = jnp.clip(r, 0, h - 1).astype(jnp.int32)
        ci = jnp.clip(cc, 0, w - 1).astype(jnp.int32)
        return jnp.where(inside, image[ri, ci], 0.0)

    return ((1 - fr) * (1 - fc) * at(r0, c0) + (1 - fr) * fc * at(r0, c0 + 1)
            + fr * (1 - fc) * at(r0 + 1, c0) + fr * fc * at(r0 + 1, c0 + 1))  # fmt: skip


def mirror(key: Array, x: Array) -> Array:
    """Each image of ``x`` (B, h, w) mirrored left-right with probability 1/2."""
    flips = jax.random.bernoulli(key, 0.5, (x.shape[0],))  # (B,)
    return jnp.where(flips[:, None, None], x[:, :, ::-1], x)


def augment(
    key: Array, x: Array, max_shift: float = 2.0, max_degrees: float = 10.0, flip: bool = False
) -> Array:
    """Randomly mirror (with ``flip``), rotate and shift each image of ``x`` (B, h, w); see the
    module docstring."""
    k_angle, k_shift = jax.random.split(key)
    n = x.shape[0]
    if flip:
        k_shift, k_flip = jax.random.split(k_shift)
        x = mirror(k_flip, x)
    degrees = jax.random.uniform(k_angle, (n,), x.dtype, -max_degrees, max_degrees)
    shifts = jax.random.uniform(k_shift, (n, 2), x.dtype, -max_shift, max_shift)
    return jax.vmap(transform)(x, degrees, shifts)

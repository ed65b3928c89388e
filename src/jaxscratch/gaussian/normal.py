"""The one-dimensional normal: variates from uniforms (Box-Muller, polar, inverse CDF), its
density and its quantile.

Contract: ``standard_normal(key, shape, dtype, method)`` returns i.i.d. N(0, 1) draws built
only from ``uniform_open``; every method is a pure function of the key, jit- and vmap-friendly.
``normal_pdf`` and ``normal_icdf`` are the package's one density and one quantile of N(mu, s^2).
"""

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import Array, lax

from jaxscratch._shared import lookup
from jaxscratch.gaussian.uniform import check_float_dtype, uniform_open

_POLAR_ACCEPT = math.pi / 4.0  # area of the unit disc over the area of the square [-1, 1]^2
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# Taylor coefficients of sin(x)/x and cos(x) in powers of x^2, long enough that on |x| <= pi/2
# the truncation error is below the dtype's rounding: (pi/2)^13/13! ~ 6e-8 for float32,
# (pi/2)^23/23! ~ 1e-18 for float64.
_SIN_TERMS = {jnp.dtype(jnp.float32): 6, jnp.dtype(jnp.float64): 11}
_COS_TERMS = {jnp.dtype(jnp.float32): 7, jnp.dtype(jnp.float64): 12}


def _taylor(n_terms: int, odd: bool) -> tuple[float, ...]:
    return tuple((-1) ** k / math.factorial(2 * k + odd) for k in range(n_terms))


def _sincos_two_pi(u: Array) -> tuple[Array, Array]:
    """(sin 2 pi u, cos 2 pi u) for u in (0, 1) by polynomials, no range reduction.

    With x = pi (u - 1/2) in (-pi/2, pi/2): 2 pi u = 2x + pi, so sin 2 pi u = -2 sin x cos x and
    cos 2 pi u = sin^2 x - cos^2 x. Faster on CPU than the library's general sin and cos.
    """
    dtype = jnp.dtype(u.dtype)
    x = math.pi * (u - 0.5)
    x2 = x * x
    s = x * _poly(_taylor(_SIN_TERMS[dtype], odd=True), x2)
    c = _poly(_taylor(_COS_TERMS[dtype], odd=False), x2)
    return -2.0 * s * c, s * s - c * c


def box_muller(key: Array, n_pairs: int, dtype=jnp.float32) -> Array:
    """Box & Muller (1958): two uniforms give two independent normals.

    z0 = r cos(2 pi u2), z1 = r sin(2 pi u2), r = sqrt(-2 log u1).

    Returns:
        Array (2, n_pairs): both outputs of every transform.
    """
    u = uniform_open(key, (2, n_pairs), dtype)  # (2, m)
    r = jnp.sqrt(-2.0 * jnp.log(u[0]))
    sin, cos = _sincos_two_pi(u[1])
    return jnp.stack([r * cos, r * sin])


def polar(key: Array, n_pairs: int, dtype=jnp.float32) -> Array:
    """Marsaglia & Bray (1964) polar method: accept (v1, v2) inside the unit disc.

    z = v sqrt(-2 log s / s), s = v1^2 + v2^2. Candidates are drawn in rounds sized so that one
    round fills every slot with overwhelming probability; a rare shortfall triggers another round.

    Returns:
        Array (2, n_pairs).
    """
    dtype = check_float_dtype(dtype)
    m = int(n_pairs / _POLAR_ACCEPT + 7.0 * math.sqrt(n_pairs) + 16)

    def draw(state):
        key, out, filled = state
        key, sub = jax.random.split(key)
        v = 2.0 * uniform_open(sub, (2, m), dtype) - 1.0  # (2, m)
        s = v[0] * v[0] + v[1] * v[1]
        ok = (s < 1.0) & (s > 0.0)
        z = v * jnp.sqrt(-2.0 * jnp.log(jnp.where(ok, s, 0.5)) / jnp.where(ok, s, 0.5))
        rank = jnp.cumsum(ok, dtype=jnp.int32) - 1
        slot = jnp.where(ok, filled + rank, n_pairs)  # accepted candidates fill the next slots
        out = out.at[:, slot].set(z, mode="drop")
        return key, out, jnp.minimum(filled + rank[-1] + 1, n_pairs)

    state = (key, jnp.zeros((2, n_pairs), dtype), jnp.asarray(0, jnp.int32))
    _, out, _ = lax.while_loop(lambda s: s[2] < n_pairs, draw, state)
    return out


# Wichura (1988), algorithm AS 241 (PPND16): rational approximations to the normal quantile,
# relative accuracy about 1e-16. Coefficients are listed from the constant term upwards.
_AS241_A = (3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
            1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
            3.3430575583588128105e4, 2.5090809287301226727e3)  # fmt: skip
_AS241_B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
            2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
            5.2264952788528545610e3)  # fmt: skip
_AS241_C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
            3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
            2.27238449892691845833e-2, 7.74545014278341407640e-4)  # fmt: skip
_AS241_D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
            1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
            1.05075007164441684324e-9)  # fmt: skip
_AS241_E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
            2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
            2.71155556874348757815e-5, 2.01033439929228813265e-7)  # fmt: skip
_AS241_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
            7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
            2.04426310338993978564e-15)  # fmt: skip


def _poly(coeffs: tuple[float, ...], x: Array) -> Array:
    """Horner evaluation of sum_k coeffs[k] x^k."""
    acc = jnp.full_like(x, coeffs[-1])
    for c in reversed(coeffs[:-1]):
        acc = acc * x + c
    return acc


def normal_icdf(p: Array) -> Array:
    """Standard normal quantile Phi^-1(p) (Wichura 1988, AS 241); -inf at 0 and +inf at 1."""
    q = p - 0.5
    r_mid = 0.180625 - q * q
    central = q * _poly(_AS241_A, r_mid) / _poly(_AS241_B, r_mid)
    tail_p = jnp.minimum(p, 1.0 - p)
    r = jnp.sqrt(-jnp.log(jnp.where(jnp.abs(q) <= 0.425, 0.25, tail_p)))
    near = _poly(_AS241_C, r - 1.6) / _poly(_AS241_D, r - 1.6)
    far = _poly(_AS241_E, r - 5.0) / _poly(_AS241_F, r - 5.0)
    tail = jnp.sign(q) * jnp.where(r <= 5.0, near, far)
    z = jnp.where(jnp.abs(q) <= 0.425, central, tail)
    return jnp.where(tail_p > 0, z, jnp.sign(q) * jnp.inf)


def normal_pdf(t: Array, mu: Array | float = 0.0, sigma: Array | float = 1.0) -> Array:
    """N(t | mu, sigma^2) = exp(-u^2 / 2) / (sigma sqrt(2 pi)), u = (t - mu) / sigma, elementwise.

    Args:
        t: points, any shape.
        mu, sigma: mean and standard deviation (> 0), broadcast against ``t``.

    Returns:
        The density at every point, the broadcast shape of the three.
    """
    u = (t - mu) / sigma
    return _INV_SQRT_2PI / sigma * jnp.exp(-0.5 * u * u)


def icdf(key: Array, n_pairs: int, dtype=jnp.float32) -> Array:
    """Inversion: z = Phi^-1(u) with our own rational approximation of the quantile.

    Returns:
        Array (2, n_pairs), to share the pair layout of the other methods.
    """
    return normal_icdf(uniform_open(key, (2, n_pairs), dtype))


METHODS: dict[str, Callable[..., Array]] = {
    "box-muller": box_muller,
    "polar": polar,
    "icdf": icdf,
}


def check_method(method: str) -> Callable[..., Array]:
    """The generator named ``method`` (a key of ``METHODS``), or the one "choose one of" error.

    Samplers built on ``standard_normal`` call it before tracing, so a bad name fails at once.
    """
    return lookup(METHODS, method, "normal method")


def standard_normal(
    key: Array, shape: tuple[int, ...] = (), dtype=jnp.float32, method: str = "box-muller"
) -> Array:
    """Draw i.i.d. N(0, 1) variates of any shape from uniform bits only.

    Args:
        key: PRNG key.
        shape: output shape.
        dtype: float32 or float64.
        method: ``"box-muller"`` (default, both outputs used), ``"polar"`` or ``"icdf"``.

    Returns:
        Array of ``shape`` and ``dtype``.
    """
    generate = check_method(method)
    shape = tuple(int(s) for s in shape)
    size = math.prod(shape)
    pairs = generate(key, (size + 1) // 2, dtype)  # (2, ceil(size / 2))
    return pairs.reshape(-1)[:size].reshape(shape)

"""jaxscratch.blr.basis: sizes, the recorded input scaling, and bad bases."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.blr.basis import design, make_basis
from jaxscratch.errors import JaxscratchError


@pytest.mark.parametrize(
    ("kind", "kwargs", "m"),
    [("linear", {}, 2), ("poly", {"degree": 5}, 6), ("rbf", {"n_centres": 7}, 8),
     ("sigmoid", {"n_centres": 4}, 5)],
)  # fmt: skip
def test_design_shape_and_bias_column(kind, kwargs, m):
    x = jnp.linspace(2.0, 10.0, 13)
    b = make_basis(kind, x, **kwargs)
    phi = design(b, x)
    assert phi.shape == (13, m) == (13, b.size) and len(b.names()) == m
    np.testing.assert_array_equal(phi[:, 0], 1.0)


def test_scaling_is_learned_once_and_reused_for_new_inputs():
    x_train = jnp.asarray([10.0, 20.0, 30.0])
    b = make_basis("poly", x_train, degree=2)
    assert (b.shift, b.scale) == (20.0, 10.0)
    np.testing.assert_allclose(design(b, jnp.asarray([20.0, 40.0]))[:, 1], [0.0, 2.0])


def test_linear_basis_is_unscaled_so_weights_are_intercept_and_slope():
    phi = design(make_basis("linear", None), jnp.asarray([3.0, -2.0]))
    np.testing.assert_array_equal(phi, [[1.0, 3.0], [1.0, -2.0]])


def test_rbf_bump_is_one_at_its_centre():
    b = make_basis("rbf", jnp.asarray([-1.0, 1.0]), n_centres=3, width=0.5)
    bumps = [1.0, np.exp(-2.0), 1.0, np.exp(-2.0)]  # u = (0 - (+-1)) / 0.5 = -+2
    np.testing.assert_allclose(design(b, jnp.asarray([0.0]))[0], bumps, rtol=1e-6)


@pytest.mark.parametrize(
    ("kind", "x", "kwargs", "needle"),
    [("rbf", [1.0, 1.0, 1.0], {}, "all training x equal 1"),
     ("rbf", [0.0, 1.0], {"width": 0.0}, "width must be finite and > 0"),
     ("poly", [0.0, 1.0], {"degree": 0}, "degree must be an integer >= 1"),
     ("rbf", [0.0, 1.0], {"n_centres": 0}, "number of centres"),
     ("spline", [0.0, 1.0], {}, "unknown basis")],
)  # fmt: skip
def test_bad_basis_is_one_clear_error(kind, x, kwargs, needle):
    with pytest.raises(JaxscratchError, match=needle):
        make_basis(kind, jnp.asarray(x), **kwargs)

"""jaxscratch.blr.data: generated truths, the gap, reproducibility, CSV input and bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.blr import data
from jaxscratch.errors import JaxscratchError


def test_same_key_same_data_and_noise_sd(key, x64):
    a = data.make_data(key, 20_000, truth="sin", noise=0.3, dtype=jnp.float64)
    b = data.make_data(key, 20_000, truth="sin", noise=0.3, dtype=jnp.float64)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    resid = np.asarray(a.y - data.truth_fn("sin")(a.x))
    # sd of a sample sd is about sd / sqrt(2 n): 0.3 / 200 = 0.0015; allow 5 of them
    assert abs(resid.std() - 0.3) < 5 * 0.3 / np.sqrt(2 * resid.size)


def test_gap_has_no_inputs_and_the_rest_is_covered(key):
    d = data.make_data(key, 5000, gap=(-0.2, 0.4))
    x = np.asarray(d.x)
    assert not np.any((x > -0.2) & (x < 0.4))
    assert x.min() < -0.99 and x.max() > 0.99 and np.any(x < -0.19) and np.any(x > 0.41)


def test_linear_truth_is_the_recorded_line(key):
    d = data.make_data(key, 50, noise=0.0)
    w0, w1 = data.LINEAR_WEIGHTS
    np.testing.assert_allclose(d.y, w0 + w1 * d.x, rtol=1e-6, atol=1e-6)


def test_stream_data_chunks_have_the_asked_sizes(key):
    sizes = [c.x.shape[0] for c in data.stream_data(key, 2500, chunk=1000)]
    assert sizes == [1000, 1000, 500]


def test_csv_round_trip_with_header(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n0,1\n1,2.5\n2,3\n")
    d = data.load_csv(path)
    np.testing.assert_array_equal(d.x, [0, 1, 2])
    np.testing.assert_array_equal(d.y, [1, 2.5, 3])


@pytest.mark.parametrize(
    ("text", "needle"),
    [("x,y\n0,1\n1,nan\n", "NaN or inf at row 1"), ("0,1,2\n", "two comma-separated"),
     ("x,y\n0,abc\n", "cannot read numbers"), ("x,y\n", "two comma-separated")],
)  # fmt: skip
def test_bad_csv_is_one_clear_error(tmp_path, text, needle):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(JaxscratchError, match=needle):
        data.load_csv(path)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [({"truth": "cubic"}, "unknown truth"), ({"noise": -1.0}, "noise sd"),
     ({"gap": (0.5, 0.2)}, "gap"), ({"n": 0}, "number of points")],
)  # fmt: skip
def test_bad_generator_arguments(kwargs, needle):
    args = {"n": 10, **kwargs}
    with pytest.raises(JaxscratchError, match=needle):
        data.make_data(jax.random.key(0), **args)


def test_check_data_rejects_inf_and_mismatched_lengths():
    with pytest.raises(JaxscratchError, match="x contains NaN or inf"):
        data.check_data([0.0, np.inf], [1.0, 2.0])
    with pytest.raises(JaxscratchError, match="one y per x"):
        data.check_data([0.0, 1.0], [1.0])

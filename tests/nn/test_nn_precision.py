"""Precision policies: bfloat16 products with float32 accumulation, float32 everywhere else."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import precision

# 2^-8: the spacing of bfloat16 numbers in [1, 2); each operand is rounded to half of it
BF16_EPS = 2.0**-8
SMALL = nn.MLPConfig((24, 40, 36, 5), "tanh", batchnorm=False, dropout=0.0)


def _loss(params, x, y, policy):
    logits, _ = nn.apply_mlp(params, (), x, config=SMALL, policy=policy)
    return nn.softmax_cross_entropy(logits, y)


@pytest.fixture(scope="module")
def problem():
    k_init, k_x, k_y = jax.random.split(jax.random.key(15), 3)
    params, _ = nn.init_mlp(key=k_init, config=SMALL)
    x = jax.random.uniform(k_x, (64, 24), minval=-1.0, maxval=1.0)
    y = jax.random.randint(k_y, (64,), 0, 5)
    return params, x, y


def _relative_errors(grads, oracle):
    return [
        float(np.linalg.norm(np.asarray(g, np.float64) - o) / np.linalg.norm(o))
        for g, o in zip(jax.tree.leaves(grads), jax.tree.leaves(oracle), strict=True)
    ]


def test_bf16_gradients_match_a_float64_oracle_to_bfloat16_tolerance(problem):
    params, x, y = problem
    with jax.enable_x64(True):
        p64 = jax.tree.map(lambda a: jnp.asarray(np.asarray(a), jnp.float64), params)
        x64 = jnp.asarray(np.asarray(x), jnp.float64)
        oracle = jax.tree.map(np.asarray, jax.grad(_loss)(p64, x64, y, precision.F32))
    bf16 = _relative_errors(jax.grad(_loss)(params, x, y, precision.BF16), oracle)
    f32 = _relative_errors(jax.grad(_loss)(params, x, y, precision.F32), oracle)
    # a handful of bfloat16 roundings along each path, float32 sums: a few eps, not more
    assert max(bf16) < 8 * BF16_EPS, bf16
    # and the products really ran in bfloat16: far from float32's own rounding
    assert min(e for e in bf16 if e > 0) > 100 * max(f32), (bf16, f32)


def test_the_bf16_product_and_its_gradient_handle_widths_no_layout_trick_divides(problem):
    k_x, k_w, k_g = jax.random.split(jax.random.key(3), 3)
    x = jax.random.normal(k_x, (6, 7))  # 7: the plain-transpose path of the weight gradient
    w = jax.random.normal(k_w, (7, 5))
    g = jax.random.normal(k_g, (6, 5))
    y, vjp = jax.vjp(lambda x, w: precision.dot(x, w, precision.BF16), x, w)
    dx, dw = vjp(g)
    assert y.dtype == dx.dtype == dw.dtype == jnp.float32
    b = [np.asarray(a.astype(jnp.bfloat16), np.float64) for a in (x, w, g)]
    np.testing.assert_allclose(y, b[0] @ b[1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx, b[2] @ b[1].T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw, b[0].T @ b[2], rtol=1e-5, atol=1e-5)


def test_the_bf16_operands_are_rounded_like_a_bfloat16_cast_bit_for_bit():
    # ties to even both ways, the largest values that round down and up to inf, inf, NaN, -0
    bits = [0x3F808000, 0x3F818000, 0x3F807FFF, 0x7F7F7FFF, 0x7F7FFFFF, 0x7F800000, 0xFF800000,
            0x7FC00001, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x00000000, 0xC2F6E979]  # fmt: skip
    special = np.array(bits, np.uint32).view(np.float32)
    noise = np.asarray(jax.random.normal(jax.random.key(3), (4096,)), np.float32) * 1e3
    x = np.concatenate([special, noise])[:, None]  # (n, 1): a product with the one weight 1
    got = np.asarray(precision.dot(jnp.asarray(x), jnp.ones((1, 1)), precision.BF16))[:, 0]
    want = np.asarray(jnp.asarray(x[:, 0]).astype(jnp.bfloat16).astype(jnp.float32))
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.isnan(got).sum() == 3
    finite = ~np.isnan(want)
    np.testing.assert_array_equal(got[finite].view(np.uint32), want[finite].view(np.uint32))


def test_master_weights_optimizer_and_batch_norm_state_stay_float32_after_a_bf16_step():
    model = nn.MLPConfig((8, 16, 12, 3), "relu", batchnorm=True, dropout=0.1)
    recipe = nn.TrainConfig(epochs=1, batch_size=16, precision="bf16")
    trainer = nn.make_trainer(model, recipe, 32)
    x = jax.random.uniform(jax.random.key(1), (16, 8))
    y = jnp.arange(16) % 3
    state = trainer.init(jax.random.key(0))
    stepped, metrics = trainer.step(state, (x, y))
    floats = [
        a
        for a in jax.tree.leaves((stepped.params, stepped.opt_state, stepped.model_state))
        if jnp.issubdtype(a.dtype, jnp.floating)
    ]
    assert floats and {a.dtype for a in floats} == {jnp.dtype(jnp.float32)}
    assert metrics.loss.dtype == jnp.float32 and np.isfinite(float(metrics.loss))
    moved = jax.tree.map(lambda a, b: bool(jnp.any(a != b)), stepped.params, state.params)
    assert all(jax.tree.leaves(moved))  # the step did update every parameter
    assert trainer.predict(stepped, x).dtype == jnp.float32


@pytest.mark.parametrize("name", ["fp8", "bfloat16", ""])
def test_an_unknown_precision_is_refused_naming_the_choices(name):
    with pytest.raises(JaxscratchError, match=r"unknown precision .*choose one of f32, bf16"):
        nn.make_trainer(SMALL, nn.TrainConfig(precision=name), 256)

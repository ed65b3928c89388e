"""Optimizers and schedules: hand-computed steps from the papers' equations, and a quadratic."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import optim, schedules

P0 = {"w": jnp.array([[1.0, -2.0]]), "b": jnp.array([0.5])}
G1 = {"w": jnp.array([[0.5, 0.1]]), "b": jnp.array([-1.0])}
G2 = {"w": jnp.array([[-0.2, 0.3]]), "b": jnp.array([2.0])}


def _two_steps(opt):
    state = opt.init(P0)
    u1, state = opt.update(G1, state, P0)
    p1 = nn.apply_updates(P0, u1)
    u2, state = opt.update(G2, state, p1)
    return u1, u2, nn.apply_updates(p1, u2)


def _close(tree, expected):
    for k in expected:
        np.testing.assert_allclose(tree[k], expected[k], rtol=1e-6, atol=1e-7)


def _np(t):
    return {k: np.asarray(v, np.float64) for k, v in t.items()}


g1, g2, p0 = _np(G1), _np(G2), _np(P0)


def test_sgd_step_is_minus_lr_times_gradient():
    u1, u2, _ = _two_steps(nn.sgd(0.1))
    _close(u1, {k: -0.1 * g1[k] for k in g1})
    _close(u2, {k: -0.1 * g2[k] for k in g2})


def test_momentum_accumulates_velocity():
    u1, u2, _ = _two_steps(nn.momentum(0.1, 0.9))
    _close(u1, {k: -0.1 * g1[k] for k in g1})
    _close(u2, {k: -0.1 * (0.9 * g1[k] + g2[k]) for k in g1})


def test_nesterov_looks_ahead():
    u1, u2, _ = _two_steps(nn.nesterov(0.1, 0.9))
    _close(u1, {k: -0.1 * (g1[k] + 0.9 * g1[k]) for k in g1})
    v2 = {k: 0.9 * g1[k] + g2[k] for k in g1}
    _close(u2, {k: -0.1 * (g2[k] + 0.9 * v2[k]) for k in g1})


def _adam_reference(wd, lr=0.01):
    """Kingma & Ba (2015) Algorithm 1, plus Loshchilov & Hutter's decoupled decay on matrices."""
    b1, b2, eps = 0.9, 0.999, 1e-8
    p, m, v, updates = dict(p0), {k: 0.0 for k in p0}, {k: 0.0 for k in p0}, []
    for t, g in enumerate((g1, g2), start=1):
        u = {}
        for k in p:
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
            mhat, vhat = m[k] / (1 - b1**t), v[k] / (1 - b2**t)
            decay = wd * p[k] if p[k].ndim >= 2 else 0.0
            u[k] = -lr * (mhat / (np.sqrt(vhat) + eps) + decay)
        p = {k: p[k] + u[k] for k in p}
        updates.append(u)
    return updates


def test_adam_matches_algorithm_1():
    u1, u2, _ = _two_steps(nn.adam(0.01))
    r1, r2 = _adam_reference(0.0)
    _close(u1, r1)
    _close(u2, r2)
    _close(u1, {k: -0.01 * np.sign(g1[k]) for k in g1})  # first step: -lr * sign(g)


def test_adamw_decays_weights_but_not_biases():
    u1, u2, _ = _two_steps(nn.adamw(0.01, weight_decay=0.1))
    r1, r2 = _adam_reference(0.1)
    _close(u1, r1)
    _close(u2, r2)


def test_clip_by_global_norm_then_sgd_in_a_chain():
    norm = np.sqrt(sum(np.sum(g**2) for g in g1.values()))
    u1, _, _ = _two_steps(nn.chain(nn.clip_by_global_norm(0.5), nn.sgd(1.0)))
    _close(u1, {k: -g1[k] * 0.5 / norm for k in g1})
    u_small, _, _ = _two_steps(nn.chain(nn.clip_by_global_norm(100.0), nn.sgd(1.0)))
    _close(u_small, {k: -g1[k] for k in g1})  # below the threshold nothing changes


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.sgd(0.1),
        lambda: nn.momentum(0.05),
        lambda: nn.nesterov(0.05),
        lambda: nn.adam(0.05),
        lambda: nn.adamw(0.05, weight_decay=1e-3),
        lambda: nn.chain(nn.clip_by_global_norm(1.0), nn.adam(0.05)),
    ],
)
def test_every_optimizer_reduces_a_quadratic(make):
    a = {"w": jnp.array([[1.0, 4.0], [0.5, 2.0]]), "b": jnp.array([3.0, 1.0])}
    f = lambda p: 0.5 * sum(jnp.sum(a[k] * p[k] ** 2) for k in p)  # noqa: E731
    params = {"w": jnp.ones((2, 2)), "b": -jnp.ones(2)}
    opt = make()

    @jax.jit
    def step(carry, _):
        p, s = carry
        u, s = opt.update(jax.grad(f)(p), s, p)
        return (nn.apply_updates(p, u), s), None

    (final, _), _ = jax.lax.scan(step, (params, opt.init(params)), length=200)
    assert float(f(final)) < 1e-2 * float(f(params))


def test_schedules_follow_their_formulas():
    cos = schedules.warmup_cosine(1.0, total_steps=110, warmup_steps=10, final=0.1)
    np.testing.assert_allclose(cos(0), 0.1, rtol=1e-6)  # (t + 1) / warm-up
    np.testing.assert_allclose(cos(9), 1.0, rtol=1e-6)
    np.testing.assert_allclose(cos(10), 1.0, rtol=1e-6)
    np.testing.assert_allclose(cos(60), 0.1 + 0.9 * 0.5, rtol=1e-6)  # half way: cos(pi/2) = 0
    np.testing.assert_allclose(cos(110), 0.1, rtol=1e-6)
    step = schedules.step_decay(1.0, every=5, factor=0.5)
    np.testing.assert_allclose([step(0), step(4), step(5), step(12)], [1, 1, 0.5, 0.25])
    np.testing.assert_allclose(schedules.constant(0.3)(1000), 0.3, rtol=1e-6)


def test_schedule_drives_the_sgd_step():
    opt = nn.sgd(schedules.step_decay(1.0, every=1, factor=0.5))
    u1, u2, _ = _two_steps(opt)
    _close(u1, {k: -g1[k] for k in g1})
    _close(u2, {k: -0.5 * g2[k] for k in g2})


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: nn.sgd(0.0), "learning rate must be a positive number"),
        (lambda: nn.adam(-1e-3), "learning rate must be a positive number"),
        (lambda: nn.momentum(0.1, 1.5), "momentum must be in"),
        (lambda: optim.trace(0.0, nesterov=True), "Nesterov needs momentum > 0"),
        (lambda: optim.by_name("rmsprop"), "unknown optimizer 'rmsprop'; choose one of sgd"),
        (lambda: nn.add_decayed_weights(-1.0), "weight decay must be >= 0"),
        (lambda: nn.clip_by_global_norm(0.0), "clipping norm"),
    ],
)
def test_bad_optimizer_settings_raise_one_line(build, match):
    with pytest.raises(JaxscratchError, match=match):
        build()


def _same(a, b):
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("alias", "transforms"),
    [
        (lambda lr: nn.sgd(lr), lambda lr: [nn.scale_by_learning_rate(lr)]),
        (
            lambda lr: nn.momentum(lr, 0.8),
            lambda lr: [nn.trace(0.8), nn.scale_by_learning_rate(lr)],
        ),
        (
            lambda lr: nn.nesterov(lr, 0.8),
            lambda lr: [nn.trace(0.8, nesterov=True), nn.scale_by_learning_rate(lr)],
        ),
        (
            lambda lr: nn.adam(lr, 0.8, 0.99, 1e-6),
            lambda lr: [nn.scale_by_adam(0.8, 0.99, 1e-6), nn.scale_by_learning_rate(lr)],
        ),
        (
            lambda lr: nn.adamw(lr, weight_decay=0.1),
            lambda lr: [
                nn.scale_by_adam(),
                nn.add_decayed_weights(0.1),
                nn.scale_by_learning_rate(lr),
            ],
        ),
    ],
)
def test_each_alias_is_its_chain_of_transforms(alias, transforms):
    lr = schedules.step_decay(0.1, every=1, factor=0.5)
    a, b = alias(lr), nn.chain(*transforms(lr))
    _same(a.init(P0), b.init(P0))
    _same(_two_steps(a), _two_steps(b))


def test_optimizers_table_maps_every_name_to_its_alias():
    assert set(optim.OPTIMIZERS) == {"sgd", "momentum", "nesterov", "adam", "adamw"}
    for name, alias in optim.OPTIMIZERS.items():
        assert optim.by_name(name) is alias
        _same(_two_steps(alias(0.1)), _two_steps(getattr(nn, name)(0.1)))


def test_moment_update_and_bias_correction_follow_algorithm_1():
    zeros, g = {"w": jnp.zeros(2)}, {"w": jnp.array([2.0, -4.0])}
    m, v = optim.update_moment(zeros, g, 0.9, 1), optim.update_moment(zeros, g, 0.9, 2)
    np.testing.assert_allclose(m["w"], [0.2, -0.4], rtol=1e-6)  # (1 - b) g
    np.testing.assert_allclose(v["w"], [0.4, 1.6], rtol=1e-6)  # (1 - b) g^2
    # after one step from zero the bias correction recovers g and g^2 exactly
    np.testing.assert_allclose(optim.bias_correction(m, 0.9, 1)["w"], [2.0, -4.0], rtol=1e-6)
    np.testing.assert_allclose(optim.bias_correction(v, 0.9, 1)["w"], [4.0, 16.0], rtol=1e-6)


def test_adam_bias_correction_works_in_the_parameters_dtype(x64):
    """float64 parameters get float64 bias terms: Algorithm 1 to 1e-13, not float32's 1e-7."""
    p = {k: jnp.asarray(v) for k, v in p0.items()}
    lr = 2.0**-7  # exact in float32, so only the bias terms' precision is tested
    opt = nn.adam(lr, b1=0.9, b2=0.999)
    state = opt.init(p)
    u1, state = opt.update({k: jnp.asarray(v) for k, v in g1.items()}, state, p)
    u2, state = opt.update({k: jnp.asarray(v) for k, v in g2.items()}, state, p)
    adam_state = state[0]
    assert all(m.dtype == jnp.float64 for m in jax.tree.leaves((adam_state.mu, adam_state.nu)))
    r1, r2 = _adam_reference(0.0, lr)
    for k in r1:
        np.testing.assert_allclose(u1[k], r1[k], rtol=1e-13)
        np.testing.assert_allclose(u2[k], r2[k], rtol=1e-13)


def test_decay_mask_selects_the_leaves():
    u = {k: jnp.zeros_like(v) for k, v in P0.items()}
    default = nn.add_decayed_weights(0.5)
    out, _ = default.update(u, default.init(P0), P0)
    _close(out, {"w": 0.5 * p0["w"], "b": np.zeros(1)})  # matrices only
    every = nn.add_decayed_weights(0.5, mask=None)
    out, _ = every.update(u, every.init(P0), P0)
    _close(out, {k: 0.5 * p0[k] for k in p0})
    with pytest.raises(JaxscratchError, match="needs the parameters"):
        default.update(u, default.init(P0))


def test_scale_by_schedule_counts_its_steps():
    opt = nn.scale_by_schedule(lambda count: 10.0 ** count.astype(jnp.float32))
    state = opt.init(P0)
    u1, state = opt.update(G1, state)
    u2, state = opt.update(G1, state)
    assert int(state.count) == 2
    _close(u1, g1)  # 10^0
    _close(u2, {k: 10.0 * g1[k] for k in g1})  # 10^1

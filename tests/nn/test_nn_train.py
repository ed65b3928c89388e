"""Training loop: fits a tiny problem, is deterministic, resumes exactly, stops on NaN."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import metrics, nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import checkpoint

MODEL = nn.MLPConfig((2, 16, 16, 4), "relu", batchnorm=True, dropout=0.1)


def _blobs(key, n=256):
    """Four well separated clusters in the plane (class = quadrant)."""
    y = jnp.arange(n) % 4
    centres = jnp.array([[2.0, 2.0], [-2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
    x = centres[y] + jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0)
    return np.array(x, np.float32), np.array(y, np.int32)


def _trainer(n, **kw):
    """One shared recipe (cosine schedule, clipping) so the tests reuse one compiled program."""
    recipe = {"epochs": 4, "batch_size": 32, "lr": 1e-2, "schedule": "cosine", "clip_norm": 1.0}
    recipe.update(kw)
    config = nn.TrainConfig(**recipe)
    return nn.make_trainer(MODEL, config, n)


def test_tiny_problem_is_fitted_to_100_percent(key):
    x, y = _blobs(key)
    trainer = _trainer(len(x))
    state, history = nn.fit(trainer, trainer.init(key), x, y, x, y)
    assert history["test_accuracy"][-1] == 1.0
    assert len(history["loss_per_iteration"]) == 4 * trainer.steps_per_epoch
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert len(history["epoch_seconds"]) == 4 and int(state.epoch) == 4
    assert history["compile_seconds"] > 0  # compiled ahead, outside the epochs' clocks
    assert int(state.step) == 4 * (len(x) // 32)


def test_no_recompilation_across_epochs_and_progress_reaches_the_end(key):
    x, y = _blobs(key)
    trainer = _trainer(len(x))
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the recompilation warning would fail the test
        nn.fit(trainer, trainer.init(key), x, y, on_progress=seen.append, chunks_per_epoch=3)
    assert [p.step for p in seen[:3]] == [3, 6, 8] and seen[-1].epoch == 4
    assert all(p.steps == 8 and np.isfinite(p.loss) for p in seen)


def _count_compiles(run) -> int:
    """How many XLA programs ``run()`` compiles (JAX's compile events, not our own counter)."""
    seen = []

    def listen(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            seen.append(duration)

    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        run()
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    return len(seen)


def test_equal_recipes_compile_once(key):
    x, y = _blobs(key)
    x, y = jnp.asarray(x), jnp.asarray(y)
    first = _trainer(len(x))
    first.run_epoch(first.init(key), x, y, chunks=3)

    def another(**kw):
        trainer = _trainer(len(x), **kw)
        jax.block_until_ready(trainer.run_epoch(trainer.init(key), x, y, chunks=3))

    assert _count_compiles(another) == 0  # a second trainer of an equal recipe reuses them all
    assert _count_compiles(lambda: another(lr=2e-2)) > 0  # another recipe is a new program


def test_a_recompiled_epoch_is_reported(key):
    x, y = _blobs(key)
    trainer = _trainer(len(x))

    def forget_programs(p):  # as if the epoch's input types had changed: JAX traces again
        if p.epoch == 2 and p.step == 3:
            jax.clear_caches()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.fit(trainer, trainer.init(key), x, y, on_progress=forget_programs, chunks_per_epoch=3)
    # epoch 2 retraces the chunk size it had left, epoch 3 the other one
    said = [str(w.message) for w in caught]
    assert said == [f"the epoch step recompiled in epoch {e}" for e in (2, 3)]


def test_an_optimizer_value_trains_like_the_recipe_that_names_it(key):
    x, y = _blobs(key)
    named = _trainer(len(x), epochs=2)
    schedule = nn.config.make_schedule(named.config, named.steps_per_epoch)
    given = nn.chain(nn.clip_by_global_norm(1.0), nn.adamw(schedule, weight_decay=1e-4))
    passed = nn.make_trainer(MODEL, named.config, len(x), optimizer=given)
    assert passed.optimizer is given and named.optimizer is not given
    a, h_named = nn.fit(named, named.init(key), x, y)
    b, h_passed = nn.fit(passed, passed.init(key), x, y)
    assert h_passed["loss_per_iteration"] == h_named["loss_per_iteration"]
    trained = [(s.params, s.model_state, s.opt_state) for s in (a, b)]
    for p, q in zip(*map(jax.tree.leaves, trained), strict=True):
        np.testing.assert_array_equal(p, q)


def test_the_step_uses_the_optimizer_it_was_given(key):
    x, y = _blobs(key)
    sgd = nn.sgd(0.05)
    trainer = nn.make_trainer(MODEL, _trainer(len(x)).config, len(x), optimizer=sgd)
    state = trainer.init(key)
    assert jax.tree.structure(state.opt_state) == jax.tree.structure(sgd.init(state.params))
    stepped, _ = trainer.step(state, (x[:32], y[:32]))
    assert int(stepped.opt_state[0].count) == 1
    with pytest.raises(JaxscratchError, match="optimizer must be an nn.Optimizer"):
        nn.make_trainer(MODEL, trainer.config, len(x), optimizer="adamw")


def test_history_test_loss_is_the_metrics_log_loss(key):
    """One log loss: fit's last test loss equals classification_report's for the same network."""
    x, y = _blobs(key)
    trainer = _trainer(len(x))
    state, history = nn.fit(trainer, trainer.init(key), x, y, x, y)
    proba = nn.evaluate(trainer, state, x, y)[2]
    assert history["test_loss"][-1] == metrics.classification_report(y, proba)["log_loss"]


def test_same_seed_same_run_different_seed_different_run(key):
    x, y = _blobs(key)
    trainer = _trainer(len(x))
    a = nn.fit(trainer, trainer.init(jax.random.key(1)), x, y)[1]["loss_per_iteration"]
    b = nn.fit(trainer, trainer.init(jax.random.key(1)), x, y)[1]["loss_per_iteration"]
    c = nn.fit(trainer, trainer.init(jax.random.key(2)), x, y)[1]["loss_per_iteration"]
    assert a == b and a != c


def test_kill_and_resume_equals_an_uninterrupted_run(key, tmp_path):
    x, y = _blobs(key)
    trainer = _trainer(len(x))
    straight, h_straight = nn.fit(trainer, trainer.init(key), x, y, x, y)

    path = tmp_path / "checkpoint.npz"

    class KilledError(Exception):
        pass

    def save_then_die(state, history):
        checkpoint.save(path, state, {"epoch": int(state.epoch), "history": history})
        if int(state.epoch) == 2:
            raise KilledError

    with pytest.raises(KilledError):
        nn.fit(trainer, trainer.init(key), x, y, x, y, on_epoch=save_then_die)
    fresh = nn.make_trainer(MODEL, trainer.config, len(x))  # a new process would rebuild it
    state, meta = checkpoint.load(path, fresh.init(jax.random.key(999)))
    assert int(state.epoch) == 2
    resumed, h_resumed = nn.fit(fresh, state, x, y, x, y, history=meta["history"])
    for a, b in zip(
        jax.tree.leaves(straight.params), jax.tree.leaves(resumed.params), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    assert h_resumed["loss_per_iteration"] == h_straight["loss_per_iteration"]
    assert h_resumed["test_accuracy"] == h_straight["test_accuracy"]


def test_an_epoch_is_its_steps_over_the_epochs_permutation(key):
    x, y = _blobs(key)
    trainer = _trainer(len(x))
    state = trainer.init(key)
    # the documented key stream: epoch e's batches are a permutation drawn from draw(shuffle, e)
    perm = jax.random.permutation(nn.keys.draw(state.keys.shuffle, state.epoch), len(x))
    stepped, losses = state, []
    for idx in np.asarray(perm).reshape(trainer.steps_per_epoch, 32):
        stepped, metrics = trainer.step(stepped, (x[idx], y[idx]))
        losses.append(float(metrics.loss))
    scanned, scan_metrics = trainer.run_epoch(trainer.init(key), x, y)
    assert int(stepped.step) == int(scanned.step) == trainer.steps_per_epoch
    assert int(scanned.epoch) == 1 and scan_metrics.loss.shape == (trainer.steps_per_epoch,)
    np.testing.assert_allclose(losses, scan_metrics.loss, rtol=1e-5)
    for a, b in zip(jax.tree.leaves(stepped.params), jax.tree.leaves(scanned.params), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_nan_loss_stops_with_a_clear_message(key):
    x, y = _blobs(key)
    x[77, 0] = np.nan
    trainer = _trainer(len(x))
    saved = []
    with pytest.raises(nn.DivergedError, match=r"loss became nan at epoch 1, iteration \d+ of 8"):
        nn.fit(trainer, trainer.init(key), x, y, on_epoch=lambda s, h: saved.append(s))
    assert saved == []  # the bad state never reaches the checkpoint hook


def test_predictions_are_batched_and_agree_with_one_pass(key):
    x, y = _blobs(key, n=100)
    trainer = nn.make_trainer(MODEL, nn.TrainConfig(batch_size=10, eval_batch_size=7), len(x))
    state = trainer.init(key)
    proba = trainer.predict(state, x)
    assert proba.shape == (100, 4)
    logits, _ = nn.apply_mlp(state.params, state.model_state, x, config=MODEL)
    np.testing.assert_allclose(proba, nn.softmax(logits), rtol=1e-5, atol=1e-7)
    loss, acc, _ = nn.evaluate(trainer, state, x, y)
    assert np.isfinite(loss) and 0 <= acc <= 1


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (nn.TrainConfig(batch_size=1000), "batch size 1000 exceeds the 256 training examples"),
        (nn.TrainConfig(lr=0.0), "--lr must be a positive number"),
        (nn.TrainConfig(optimizer="lbfgs"), "unknown optimizer 'lbfgs'"),
        (nn.TrainConfig(schedule="linear"), "unknown schedule 'linear'"),
        (nn.TrainConfig(epochs=0), "epochs must be >= 1"),
    ],
)
def test_bad_recipes_raise_one_line(config, match):
    with pytest.raises(JaxscratchError, match=match):
        nn.make_trainer(MODEL, config, 256)

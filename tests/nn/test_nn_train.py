"""Training loop: fits a tiny problem, is deterministic, resumes exactly, stops on NaN."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import nn
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


def test_one_step_is_one_iteration_of_the_scanned_epoch(key):
    x, y = _blobs(key)
    trainer = _trainer(len(x))
    idx = np.arange(32)
    stepped, metrics = trainer.step(trainer.init(key), (x[idx], y[idx]))
    scanned, scan_metrics = trainer.run_steps(trainer.init(key), x, y, idx[None])
    assert int(stepped.step) == 1
    np.testing.assert_allclose(metrics.loss, scan_metrics.loss[0], rtol=1e-6)
    for a, b in zip(jax.tree.leaves(stepped.params), jax.tree.leaves(scanned.params), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


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
    proba = trainer.predict_proba(state.params, state.model_state, jnp.asarray(x))
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

"""The epoch loop users run: seeded shuffles, evaluation, history, NaN stop, progress, hooks.

Contract: ``state, history = fit(trainer, state, x_train, y_train, x_test, y_test)`` trains from
``state.epoch`` to ``trainer.config.epochs``; ``on_epoch(state, history)`` (checkpoints) and
``on_progress(EpochProgress)`` (progress bars) are the only side effects.
"""

import copy
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch import metrics
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn.config import make_schedule
from jaxscratch.nn.train import EpochProgress, Trainer, TrainState


class DivergedError(JaxscratchError):
    """The loss became NaN or infinite."""


def evaluate(trainer: Trainer, state: TrainState, x, y) -> tuple[float, float, np.ndarray]:
    """(log loss, accuracy, probabilities (n, K)) on held-out data, eval mode.

    The loss is ``metrics.log_loss``, the same function ``metrics.classification_report`` uses,
    so a run's last test loss in its history equals the ``log_loss`` of its metrics.
    """
    proba = trainer.predict(state, x)
    y = np.asarray(y)
    loss = float(metrics.log_loss(jnp.asarray(y), proba))
    proba = np.asarray(proba)
    return loss, float(np.mean(proba.argmax(-1) == y)), proba


def new_history(trainer: Trainer) -> dict[str, Any]:
    return {
        "steps_per_epoch": trainer.steps_per_epoch,
        "compile_seconds": 0.0,  # compiling the epoch programs, outside epoch_seconds
        "batch_size": trainer.config.batch_size,
        "epoch": [],
        "epoch_seconds": [],
        "eval_seconds": [],
        "lr": [],
        "train_loss": [],  # mean of the epoch's mini-batch losses (training mode)
        "train_accuracy": [],
        "test_loss": [],
        "test_accuracy": [],
        "loss_per_iteration": [],
    }


def _check_finite(losses: np.ndarray, epoch: int, steps_per_epoch: int, lr: float) -> None:
    bad = np.flatnonzero(~np.isfinite(losses))
    if bad.size:
        i = int(bad[0])
        raise DivergedError(
            f"loss became {losses[i]} at epoch {epoch}, iteration {i + 1} of {steps_per_epoch}; "
            f"training stopped: lower the learning rate (now {lr:g}), clip gradients, "
            "or check the inputs for NaN/inf"
        )


def fit(
    trainer: Trainer,
    state: TrainState,
    x_train,
    y_train,
    x_test=None,
    y_test=None,
    *,
    history: dict | None = None,
    on_epoch: Callable[[TrainState, dict], None] | None = None,
    on_progress: Callable[[EpochProgress], None] | None = None,
    chunks_per_epoch: int = 8,
) -> tuple[TrainState, dict]:
    """Train from ``state.epoch`` up to ``trainer.config.epochs``; returns (state, history).

    Data go to the device once. Each epoch is ``trainer.run_epoch``: the state's permutation
    for that epoch, its batches as ``chunks_per_epoch`` scanned, donated jit calls (one
    compiled program; the chunks only let a progress bar move). ``on_progress(EpochProgress)``
    is called after each chunk, ``on_epoch(state, history)`` after each evaluated epoch.
    Compilation is timed apart (``compile_seconds``), outside ``epoch_seconds``. A NaN/inf loss
    raises ``DivergedError`` before ``on_epoch`` sees the bad state.
    """
    history = new_history(trainer) if history is None else copy.deepcopy(history)
    put = jnp.asarray if trainer.processes == 1 else np.asarray  # across processes: host data
    x, y = put(x_train), put(y_train, jnp.int32)
    has_test = x_test is not None
    if has_test:
        x_test, y_test = put(x_test), np.asarray(y_test)
    schedule = make_schedule(trainer.config, trainer.steps_per_epoch)
    for epoch in range(int(state.epoch) + 1, trainer.config.epochs + 1):
        lr = float(schedule(int(state.step)))  # the recipe's rate at the epoch's first step
        compiling = trainer.compile_seconds
        t0 = time.perf_counter()
        state, metrics = trainer.run_epoch(
            state, x, y, chunks=chunks_per_epoch, on_progress=on_progress
        )
        jax.block_until_ready(state)
        compiling = trainer.compile_seconds - compiling
        seconds = time.perf_counter() - t0 - compiling
        history["compile_seconds"] = history.get("compile_seconds", 0.0) + compiling
        losses = np.asarray(metrics.loss, np.float64)
        accs = np.asarray(metrics.accuracy, np.float64)
        _check_finite(losses, epoch, trainer.steps_per_epoch, lr)
        t1 = time.perf_counter()
        test_loss, test_acc = (
            evaluate(trainer, state, x_test, y_test)[:2] if has_test else (None, None)
        )
        history["eval_seconds"].append(time.perf_counter() - t1)
        history["epoch"].append(epoch)
        history["epoch_seconds"].append(seconds)
        history["lr"].append(lr)
        history["train_loss"].append(float(losses.mean()))
        history["train_accuracy"].append(float(accs.mean()))
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(test_acc)
        history["loss_per_iteration"].extend(float(v) for v in losses)
        if on_epoch is not None:
            on_epoch(state, history)
    return state, history

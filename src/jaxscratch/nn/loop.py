"""The epoch loop users run: seeded shuffles, evaluation, history, NaN stop, progress, hooks.

Contract: ``state, history = fit(trainer, state, x_train, y_train, x_test, y_test)`` trains from
``state.epoch`` to ``trainer.config.epochs``; ``on_epoch(state, history)`` (checkpoints) and
``on_progress(EpochProgress)`` (progress bars) are the only side effects.
"""

import copy
import math
import time
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch.errors import JaxscratchError
from jaxscratch.nn.train import StepMetrics, Trainer, TrainState, _run_steps_jit, make_schedule


class EpochProgress(NamedTuple):
    """What a progress bar needs after each chunk of an epoch."""

    epoch: int  # 1-based
    epochs: int
    step: int  # mini-batches done in this epoch
    steps: int  # mini-batches per epoch
    loss: float  # last mini-batch loss
    accuracy: float  # mean mini-batch accuracy over the chunk


class DivergedError(JaxscratchError):
    """The loss became NaN or infinite."""


def evaluate(trainer: Trainer, state: TrainState, x, y) -> tuple[float, float, np.ndarray]:
    """(mean cross-entropy, accuracy, probabilities (n, K)) on held-out data, eval mode."""
    proba = np.asarray(trainer.predict_proba(state.params, state.model_state, jnp.asarray(x)))
    y = np.asarray(y)
    p_true = np.clip(proba[np.arange(len(y)), y], np.finfo(proba.dtype).tiny, None)
    return float(-np.mean(np.log(p_true))), float(np.mean(proba.argmax(-1) == y)), proba


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


def _chunks(steps: int, chunks: int) -> list[tuple[int, int]]:
    """Split 0..steps into at most ``chunks`` nearly equal pieces (at most two distinct sizes)."""
    chunks = max(1, min(chunks, steps))
    size = math.ceil(steps / chunks)
    return [(a, min(a + size, steps)) for a in range(0, steps, size)]


def _progress(metrics: StepMetrics, epoch: int, done: int, trainer: Trainer) -> EpochProgress:
    loss, acc = float(metrics.loss[-1]), float(metrics.accuracy.mean())
    return EpochProgress(epoch, trainer.config.epochs, done, trainer.steps_per_epoch, loss, acc)


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

    Data go to the device once. Each epoch draws a permutation from the state's key and epoch
    counter and runs its batches as ``chunks_per_epoch`` scanned, donated jit calls (one compiled
    program; the chunks only let a progress bar move). ``on_progress(EpochProgress)`` is called
    after each chunk, ``on_epoch(state, history)`` after each evaluated
    epoch. A NaN/inf loss raises ``DivergedError`` before ``on_epoch`` sees the bad state.
    """
    history = new_history(trainer) if history is None else copy.deepcopy(history)
    x, y = trainer.place((jnp.asarray(x_train), jnp.asarray(y_train, jnp.int32)))
    state = trainer.place(state)
    has_test = x_test is not None
    if has_test:
        x_test, y_test = jnp.asarray(x_test), np.asarray(y_test)
    schedule = make_schedule(trainer.config, trainer.steps_per_epoch)
    pieces = _chunks(trainer.steps_per_epoch, chunks_per_epoch)
    if int(state.epoch) < trainer.config.epochs:  # compile before the clock starts
        t0 = time.perf_counter()
        for size in sorted({b - a for a, b in pieces}):
            trainer.compile(state, x, y, size)
        history["compile_seconds"] = history.get("compile_seconds", 0.0) + time.perf_counter() - t0
    compiled = None
    for epoch in range(int(state.epoch) + 1, trainer.config.epochs + 1):
        lr = float(schedule(int(state.step)))
        t0 = time.perf_counter()
        perm = trainer.permutation(state, int(x.shape[0]))
        parts = []
        for a, b in pieces:
            state, metrics = trainer.run_steps(state, x, y, perm[a:b])
            # report the previous chunk only now, so reading it never idles the device
            if on_progress is not None and parts:
                on_progress(_progress(parts[-1], epoch, a, trainer))
            parts.append(metrics)
        if on_progress is not None:
            on_progress(_progress(parts[-1], epoch, trainer.steps_per_epoch, trainer))
        state = state._replace(epoch=state.epoch + 1)
        jax.block_until_ready(state)
        seconds = time.perf_counter() - t0
        losses = np.concatenate([np.asarray(m.loss, np.float64) for m in parts])
        accs = np.concatenate([np.asarray(m.accuracy, np.float64) for m in parts])
        _check_finite(losses, epoch, trainer.steps_per_epoch, lr)
        size = _run_steps_jit._cache_size()
        if compiled is not None and size > compiled:
            warnings.warn(f"the epoch step recompiled in epoch {epoch}", stacklevel=2)
        compiled = size
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

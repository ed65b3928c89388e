"""The compiled training programs: one jit-compiled step, a whole epoch as a ``lax.scan``.

Contract: ``trainer = make_trainer(model, config, n_train)``; ``state = trainer.init(key)``;
``state, metrics = trainer.step(state, (x, y))`` is one update; ``trainer.run_steps`` scans
many (donating the state); ``nn.loop.fit`` drives the epochs. All randomness derives from
``state.key`` and the counters in the state, so a run resumed from a saved state continues
exactly as the uninterrupted one would.
"""

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import Array, lax
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import augment, optim, schedules
from jaxscratch.nn.losses import l2_penalty, softmax, softmax_cross_entropy
from jaxscratch.nn.model import MLP, MLPConfig, MLPState, apply_mlp, check_config, init_mlp

SCHEDULES = ("constant", "step", "cosine")


class TrainConfig(NamedTuple):
    """Optimisation recipe as data.

    The defaults are the project's default recipe (what ``jaxscratch mnist train``, the width
    search and the demo use): AdamW at peak 3e-3 with decoupled weight decay 1e-4, one epoch of
    linear warm-up then cosine decay, batch 128, 10 epochs.
    """

    epochs: int = 10
    batch_size: int = 128
    optimizer: str = "adamw"
    lr: float = 3e-3
    schedule: str = "cosine"  # constant | step | cosine
    warmup_epochs: float = 1.0  # cosine only
    step_every_epochs: int = 10  # step only: multiply by step_factor every this many epochs
    step_factor: float = 0.1
    weight_decay: float = 1e-4  # AdamW: decoupled; other optimizers: L2 penalty wd/2 ||W||^2
    label_smoothing: float = 0.0
    clip_norm: float = 0.0  # 0 = no clipping
    eval_batch_size: int = 2048
    augment_shift: float = 0.0  # random shifts up to this many pixels (0 = no augmentation)
    augment_degrees: float = 0.0  # random rotations up to this many degrees


class TrainState(NamedTuple):
    params: MLP
    model_state: MLPState  # batch-norm running statistics
    opt_state: Any
    key: Array  # root key; never split in place, only folded with counters
    step: Array  # () int32, updates taken
    epoch: Array  # () int32, epochs completed


class StepMetrics(NamedTuple):
    loss: Array  # data loss (cross-entropy) of the batch
    accuracy: Array


class Trainer(NamedTuple):
    init: Callable[[Array], TrainState]
    step: Callable  # (state, (x, y)) -> (state, StepMetrics)
    run_steps: Callable  # (state, x, y, idx (k, B)) -> (state, StepMetrics of (k,)); jit, donated
    permutation: Callable  # (state, n) -> (steps, B) batch indices for the state's epoch
    predict_proba: Callable  # (params, model_state, x) -> (n, K) probabilities; batched jit
    compile: Callable  # (state, x, y, steps) -> None: compile run_steps for chunks of ``steps``
    model: MLPConfig
    config: TrainConfig
    steps_per_epoch: int
    devices: int = 1
    place: Callable = lambda tree: tree  # put arrays where the programs expect them (replicated)


def check_train_config(config: TrainConfig, n_train: int) -> TrainConfig:
    """Validate the recipe against a training set of ``n_train`` examples."""
    if config.epochs < 1:
        raise JaxscratchError(f"epochs must be >= 1, got {config.epochs}")
    if config.batch_size < 1:
        raise JaxscratchError(f"batch size must be >= 1, got {config.batch_size}")
    if config.batch_size > n_train:
        raise JaxscratchError(
            f"batch size {config.batch_size} exceeds the {n_train} training examples; "
            f"use --batch-size {min(128, n_train)} or more data"
        )
    if config.optimizer not in optim.OPTIMIZERS:
        optim.make(config.optimizer, 1.0)
    schedules.check_lr(config.lr, "--lr")
    if config.schedule not in SCHEDULES:
        raise JaxscratchError(
            f"unknown schedule {config.schedule!r}; choose {', '.join(SCHEDULES)}"
        )
    if config.weight_decay < 0 or not 0 <= config.label_smoothing < 1 or config.clip_norm < 0:
        raise JaxscratchError(
            "weight decay and clip norm must be >= 0 and label smoothing in [0, 1); "
            f"got {config.weight_decay}, {config.clip_norm}, {config.label_smoothing}"
        )
    augment.check_augment(config.augment_shift, config.augment_degrees)
    return config


def make_schedule(config: TrainConfig, steps_per_epoch: int) -> schedules.Schedule:
    total = config.epochs * steps_per_epoch
    if config.schedule == "cosine":
        warm = int(round(config.warmup_epochs * steps_per_epoch))
        return schedules.warmup_cosine(config.lr, total, min(warm, total - 1))
    if config.schedule == "step":
        return schedules.step_decay(
            config.lr, config.step_every_epochs * steps_per_epoch, config.step_factor
        )
    return schedules.constant(config.lr)


def make_optimizer(config: TrainConfig, steps_per_epoch: int) -> optim.Optimizer:
    """The optimizer the recipe names, with its schedule and optional global-norm clipping."""
    wd = config.weight_decay if config.optimizer == "adamw" else 0.0
    opt = optim.make(config.optimizer, make_schedule(config, steps_per_epoch), weight_decay=wd)
    return (
        optim.chain(optim.clip_by_global_norm(config.clip_norm), opt) if config.clip_norm else opt
    )


def _zero() -> Array:
    return jnp.zeros((), jnp.int32)


def _unshare(state: TrainState) -> TrainState:
    """Give every leaf its own buffer: donation refuses one buffer passed twice."""
    rest = jax.tree.map(lambda a: jnp.array(a, copy=True), state._replace(key=None))
    return rest._replace(key=state.key)


class _Spec(NamedTuple):
    """Everything the compiled programs depend on; hashable, so equal recipes share one cache."""

    model: MLPConfig
    config: TrainConfig
    steps_per_epoch: int
    mesh: Mesh | None = None  # data parallel: the batch is sharded over the "batch" axis


# Two updates per loop iteration: with one, XLA copies every weight matrix the backward pass
# reads (4 MB per step for a 1024 x 1024 layer) to keep the loop-carried buffer safe; unrolled
# by two the updates happen in place (see the ``copy`` ops in the compiled HLO).
_UNROLL = 2


def _init(key: Array, spec: _Spec) -> TrainState:
    k_init, k_run = jax.random.split(key)
    params, model_state = init_mlp(key=k_init, config=spec.model)
    opt_state = make_optimizer(spec.config, spec.steps_per_epoch).init(params)
    return _unshare(TrainState(params, model_state, opt_state, k_run, _zero(), _zero()))


def _objective(params, model_state, key, x, y, spec: _Spec):
    model, config = spec.model, spec.config
    logits, new_state = apply_mlp(params, model_state, x, config=model, key=key, train=True)
    loss = softmax_cross_entropy(logits, y, config.label_smoothing)
    if config.weight_decay and config.optimizer != "adamw":  # coupled L2 (AdamW decouples it)
        total = loss + config.weight_decay * l2_penalty(params)
    else:
        total = loss
    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == y)
    return total, (new_state, StepMetrics(loss, accuracy))


def _step(state: TrainState, batch, spec: _Spec) -> tuple[TrainState, StepMetrics]:
    x, y = batch
    if (spec.config.augment_shift or spec.config.augment_degrees) and x.ndim == 3:
        k_aug = jax.random.fold_in(jax.random.fold_in(state.key, 2), state.step)
        x = augment.augment(k_aug, x, spec.config.augment_shift, spec.config.augment_degrees)
    if spec.mesh is not None:  # each device takes its slice of the batch; XLA reduces gradients
        x = lax.with_sharding_constraint(x, NamedSharding(spec.mesh, P("batch")))
        y = lax.with_sharding_constraint(y, NamedSharding(spec.mesh, P("batch")))
    k_dropout = jax.random.fold_in(jax.random.fold_in(state.key, 1), state.step)
    grad_fn = jax.value_and_grad(_objective, has_aux=True)
    (_, (model_state, metrics)), grads = grad_fn(
        state.params, state.model_state, k_dropout, x, y, spec
    )
    opt = make_optimizer(spec.config, spec.steps_per_epoch)
    updates, opt_state = opt.update(grads, state.opt_state, state.params)
    params = optim.apply_updates(state.params, updates)
    new = state._replace(params=params, model_state=model_state, opt_state=opt_state)
    return new._replace(step=state.step + 1), metrics


def _run_steps(state: TrainState, x, y, idx, spec: _Spec):
    def body(s, batch_idx):  # batch_idx (B,): gather the mini-batch on device
        return _step(s, (x[batch_idx], y[batch_idx]), spec)

    return lax.scan(body, state, idx, unroll=_UNROLL)


def _permutation(state: TrainState, n: int, spec: _Spec) -> Array:
    k_shuffle = jax.random.fold_in(jax.random.fold_in(state.key, 0), state.epoch)
    b = spec.config.batch_size
    perm = jax.random.permutation(k_shuffle, n)[: spec.steps_per_epoch * b]
    return perm.reshape(spec.steps_per_epoch, b)  # (steps, B)


def _predict_proba(params, model_state, x, model: MLPConfig, batch: int) -> Array:
    n, b = x.shape[0], min(batch, max(x.shape[0], 1))
    pad = (-n) % b
    xs = jnp.pad(x, [(0, pad)] + [(0, 0)] * (x.ndim - 1)).reshape(-1, b, *x.shape[1:])

    def one(xb):
        return softmax(apply_mlp(params, model_state, xb, config=model, train=False)[0])

    return lax.map(one, xs).reshape(n + pad, -1)[:n]  # (n, K)


_init_jit = jax.jit(_init, static_argnames="spec")
_step_jit = jax.jit(_step, static_argnames="spec")
_run_steps_jit = jax.jit(_run_steps, static_argnames="spec", donate_argnums=0)
_permutation_jit = jax.jit(_permutation, static_argnames=("n", "spec"))
_predict_jit = jax.jit(_predict_proba, static_argnames=("model", "batch"))


def check_devices(devices: int, batch_size: int) -> int:
    """Refuse more devices than JAX sees, and a batch that does not split evenly over them."""
    if devices >= 1 and batch_size % devices:
        raise JaxscratchError(
            f"batch size {batch_size} does not split over {devices} devices; give a multiple "
            f"of {devices}, e.g. --batch-size {devices * max(1, round(batch_size / devices))}"
        )
    have = jax.device_count()
    if devices < 1 or devices > have:
        raise JaxscratchError(
            f"--devices {devices}: JAX sees {have} device(s) here; give 1 to {have} (on CPU, "
            "XLA_FLAGS=--xla_force_host_platform_device_count=N before starting makes N)"
        )
    return devices


def make_trainer(model: MLPConfig, config: TrainConfig, n_train: int, devices: int = 1) -> Trainer:
    """Bind the jit-compiled step, epoch runner and batched predictor to one recipe.

    With ``devices`` > 1 training is data parallel: a one-axis ``Mesh`` over the first
    ``devices`` JAX devices, each mini-batch sharded over it, parameters and optimizer state
    replicated (``trainer.place``); XLA inserts the gradient all-reduce. Batch-norm statistics
    are those of the whole mini-batch, so the result equals the one-device run up to rounding.

    The compiled programs live at module level keyed by the (hashable) recipe, so building the
    same trainer twice (a resumed run, ``evaluate``) reuses them instead of compiling again.
    """
    model = check_config(model)
    config = check_train_config(config, n_train)
    devices = check_devices(devices, config.batch_size)
    mesh = Mesh(jax.devices()[:devices], ("batch",)) if devices > 1 else None
    spec = _Spec(model, config, n_train // config.batch_size, mesh)  # each shuffle's tail dropped

    def place(tree):
        if mesh is None:
            return tree
        return jax.device_put(tree, NamedSharding(mesh, P()))

    def compile_ahead(state: TrainState, x, y, steps: int) -> None:
        idx = jax.ShapeDtypeStruct((steps, config.batch_size), jnp.int32)
        _run_steps_jit.lower(state, x, y, idx, spec=spec).compile()  # fills the jit's cache
        _permutation_jit.lower(state, n=int(x.shape[0]), spec=spec).compile()

    return Trainer(
        init=lambda key: place(_init_jit(key, spec=spec)),
        step=partial(_step_jit, spec=spec),
        run_steps=partial(_run_steps_jit, spec=spec),
        permutation=lambda state, n: _permutation_jit(state, n=n, spec=spec),
        predict_proba=partial(_predict_jit, model=model, batch=config.eval_batch_size),
        compile=compile_ahead,
        model=model,
        config=config,
        steps_per_epoch=spec.steps_per_epoch,
        devices=devices,
        place=place,
    )

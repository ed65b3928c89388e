"""The compiled training programs of one recipe: init, one step, a whole epoch, predictions.

Contract: ``trainer = make_trainer(model, config, n_train)``; ``state = trainer.init(key)``;
``state, metrics = trainer.step(state, (x, y))`` is one update; ``state, metrics =
trainer.run_epoch(state, x, y)`` runs the next epoch as scanned, donated calls (metrics per
step); ``trainer.predict(state, x)`` gives (n, K) probabilities. The update is the recipe's
optimizer (``make_optimizer``) or the ``Optimizer`` passed as ``optimizer=``. All randomness
comes from the named key streams in the state (``nn.keys``) folded with its step and epoch
counters, so a run resumed from a saved state continues exactly as the uninterrupted one would.
The recipe itself (``TrainConfig``, its checks, schedule and optimizer) is ``nn.config``.

Across processes (``jax.distributed`` initialised, ``jax.process_count()`` > 1) the mesh takes
the same number of devices from every process, in process order. Every process computes the
same keyed permutation, gathers on the host only its own columns of every global batch and
assembles the global batches with ``jax.make_array_from_process_local_data``, so no process
holds more than its share of the epoch on its devices and the updates equal a one-process run
over as many devices. ``predict`` lets each process score its share of the rows with its copy
of the (replicated) parameters and gathers the probabilities once per call, on every process.
"""

import math
import time
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array, lax
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.streaming import spread_devices
from jaxscratch.nn import augment, ema, optim, precision
from jaxscratch.nn.config import TrainConfig, check_train_config, make_optimizer, with_budget
from jaxscratch.nn.keys import Streams, draw, streams
from jaxscratch.nn.losses import softmax, softmax_cross_entropy
from jaxscratch.nn.model import MLP, MLPConfig, MLPState, apply_mlp, check_config, init_mlp


class TrainState(NamedTuple):
    params: MLP
    model_state: MLPState  # batch-norm running statistics
    opt_state: Any
    keys: Streams  # named streams of the root key; only ever folded with the counters below
    step: Array  # () int32, updates taken
    epoch: Array  # () int32, epochs completed


class StepMetrics(NamedTuple):
    loss: Array  # data loss (cross-entropy) of the batch
    accuracy: Array


class EpochProgress(NamedTuple):
    """What a progress bar needs after each chunk of an epoch."""

    epoch: int  # 1-based
    epochs: int
    step: int  # mini-batches done in this epoch
    steps: int  # mini-batches per epoch
    loss: float  # last mini-batch loss
    accuracy: float  # mean mini-batch accuracy over the chunk


def _zero() -> Array:
    return jnp.zeros((), jnp.int32)


def _unshare(state: TrainState) -> TrainState:
    """Give every leaf its own buffer: donation refuses one buffer passed twice."""
    rest = jax.tree.map(lambda a: jnp.array(a, copy=True), state._replace(keys=None))
    return rest._replace(keys=state.keys)


class _Spec(NamedTuple):
    """Everything the compiled programs depend on; hashable, so equal recipes share one cache
    entry (the optimizer compares by identity: ``make_optimizer`` returns one value a recipe)."""

    model: MLPConfig
    config: TrainConfig
    steps_per_epoch: int
    optimizer: optim.Optimizer
    mesh: Mesh | None = None  # data parallel: the batch is sharded over the "batch" axis


# Two updates per loop iteration: with one, XLA copies every weight matrix the backward pass
# reads (4 MB per step for a 1024 x 1024 layer) to keep the loop-carried buffer safe; unrolled
# by two the updates happen in place (see the ``copy`` ops in the compiled HLO).
_UNROLL = 2

# How often each recipe's epoch program was traced: the Python body runs only while JAX traces
# it, so a count that grows after the first compilation means the epoch recompiled.
_EPOCH_TRACES: Counter = Counter()


def _init(key: Array, spec: _Spec) -> TrainState:
    keys = streams(key)
    params, model_state = init_mlp(key=keys.init, config=spec.model)
    opt_state = spec.optimizer.init(params)
    return _unshare(TrainState(params, model_state, opt_state, keys, _zero(), _zero()))


def _objective(params, model_state, key, x, y, spec: _Spec):
    policy = precision.get(spec.config.precision)
    logits, new_state = apply_mlp(
        params, model_state, x, config=spec.model, key=key, train=True, policy=policy
    )
    loss = softmax_cross_entropy(logits, y, spec.config.label_smoothing)
    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == y)
    return loss, (new_state, StepMetrics(loss, accuracy))


def _step(state: TrainState, batch, spec: _Spec) -> tuple[TrainState, StepMetrics]:
    x, y = batch
    config = spec.config
    if (config.augment_shift or config.augment_degrees or config.augment_flip) and x.ndim == 3:
        k_augment = draw(state.keys.augment, state.step)
        x = augment.augment(k_augment, x, config.augment_shift, config.augment_degrees,
                            flip=config.augment_flip)  # fmt: skip
    if spec.mesh is not None:  # each device takes its slice of the batch; XLA reduces gradients
        x = lax.with_sharding_constraint(x, NamedSharding(spec.mesh, P("batch")))
        y = lax.with_sharding_constraint(y, NamedSharding(spec.mesh, P("batch")))
    k_dropout = draw(state.keys.dropout, state.step)
    grad_fn = jax.value_and_grad(_objective, has_aux=True)
    (_, (model_state, metrics)), grads = grad_fn(
        state.params, state.model_state, k_dropout, x, y, spec
    )
    updates, opt_state = spec.optimizer.update(grads, state.opt_state, state.params)
    params = optim.apply_updates(state.params, updates)
    new = state._replace(params=params, model_state=model_state, opt_state=opt_state)
    return new._replace(step=state.step + 1), metrics


def _run_steps(state: TrainState, x, y, idx, spec: _Spec):
    _EPOCH_TRACES[spec] += 1

    def body(s, batch_idx):  # batch_idx (B,): gather the mini-batch on device
        return _step(s, (x[batch_idx], y[batch_idx]), spec)

    return lax.scan(body, state, idx, unroll=_UNROLL)


def _run_batches(state: TrainState, xb, yb, spec: _Spec):
    """The epoch program across processes: the batches (steps, B, ...) are gathered already."""
    _EPOCH_TRACES[spec] += 1
    return lax.scan(lambda s, batch: _step(s, batch, spec), state, (xb, yb), unroll=_UNROLL)


def _permutation(state: TrainState, n: int, spec: _Spec) -> Array:
    b = spec.config.batch_size
    perm = jax.random.permutation(draw(state.keys.shuffle, state.epoch), n)
    return perm[: spec.steps_per_epoch * b].reshape(spec.steps_per_epoch, b)  # (steps, B)


def _predict_proba(params, model_state, x, model: MLPConfig, batch: int, policy) -> Array:
    n, b = x.shape[0], min(batch, max(x.shape[0], 1))
    pad = (-n) % b
    xs = jnp.pad(x, [(0, pad)] + [(0, 0)] * (x.ndim - 1)).reshape(-1, b, *x.shape[1:])

    def one(xb):
        logits = apply_mlp(params, model_state, xb, config=model, train=False, policy=policy)[0]
        return softmax(logits)

    return lax.map(one, xs).reshape(n + pad, -1)[:n]  # (n, K)


_init_jit = jax.jit(_init, static_argnames="spec")
_step_jit = jax.jit(_step, static_argnames="spec")
_run_steps_jit = jax.jit(_run_steps, static_argnames="spec", donate_argnums=0)
_run_batches_jit = jax.jit(_run_batches, static_argnames="spec", donate_argnums=0)
_permutation_jit = jax.jit(_permutation, static_argnames=("n", "spec"))
_predict_jit = jax.jit(_predict_proba, static_argnames=("model", "batch", "policy"))


def _chunks(steps: int, chunks: int) -> list[tuple[int, int]]:
    """Split 0..steps into at most ``chunks`` nearly equal pieces (at most two distinct sizes)."""
    chunks = max(1, min(chunks, steps))
    size = math.ceil(steps / chunks)
    return [(a, min(a + size, steps)) for a in range(0, steps, size)]


class Trainer:
    """One recipe's compiled programs: ``init``, ``step``, ``run_epoch`` and ``predict``.

    Built by ``make_trainer``. Placement on the devices and compilation ahead of the first epoch
    happen inside; the rest are read-only facts about the recipe.
    """

    def __init__(self, spec: _Spec, devices: int):
        self._spec = spec
        self._devices = devices
        self._replicated = None if spec.mesh is None else NamedSharding(spec.mesh, P())
        self._ready: set[tuple] = set()  # (data shapes and dtypes, chunk size) compiled ahead
        self._compile_seconds = 0.0
        self._data: tuple = ()  # (x, y, x on the devices, y on the devices) of the last epoch
        # across processes: the mesh spans devices this process cannot address
        self._processes = (
            1 if spec.mesh is None else len({d.process_index for d in spec.mesh.devices.flat})
        )

    @property
    def model(self) -> MLPConfig:
        return self._spec.model

    @property
    def config(self) -> TrainConfig:
        return self._spec.config

    @property
    def optimizer(self) -> optim.Optimizer:
        return self._spec.optimizer

    @property
    def steps_per_epoch(self) -> int:
        """Mini-batches per epoch; each shuffle's last ``n_train % batch_size`` are dropped."""
        return self._spec.steps_per_epoch

    @property
    def devices(self) -> int:
        return self._devices

    @property
    def processes(self) -> int:
        """JAX processes the mesh spans (1 unless ``jax.distributed`` joined several)."""
        return self._processes

    @property
    def compile_seconds(self) -> float:
        """Seconds this trainer has spent compiling its epoch programs ahead of running them."""
        return self._compile_seconds

    def init(self, key: Array) -> TrainState:
        """A fresh state: parameters from the key's ``init`` stream, zero counters."""
        return self._place(_init_jit(key, spec=self._spec))

    def step(
        self, state: TrainState, batch: tuple[Array, Array]
    ) -> tuple[TrainState, StepMetrics]:
        """One update on the mini-batch (x (B, ...), y (B,))."""
        return _step_jit(state, batch, spec=self._spec)

    def run_epoch(
        self,
        state: TrainState,
        x,
        y,
        *,
        chunks: int = 1,
        on_progress: Callable[[EpochProgress], None] | None = None,
    ) -> tuple[TrainState, StepMetrics]:
        """Train one epoch: returns the state (``epoch`` + 1) and metrics per step (steps,).

        The batches are the epoch's permutation of (x (n, ...), y (n,)), run as ``chunks``
        scanned jit calls that donate ``state`` (one compiled program per chunk size; the chunks
        only let ``on_progress`` move). Pass device arrays (``jnp.asarray``) so that the data
        travel to the devices once, not every epoch. Warns if the epoch program recompiled.
        """
        spec = self._spec
        state = self._place(state)
        pieces = _chunks(spec.steps_per_epoch, chunks)
        if self._processes > 1:  # host data; each process sends its columns of each batch
            x, y = np.asarray(x), np.asarray(y, np.int32)
            perm = self._host_permutation(state, x, y, {b - a for a, b in pieces})
        else:
            x, y = self._device_data(x, y)
            perm = self._permutation(state, x, y, {b - a for a, b in pieces})  # (steps, B)
        traces = _EPOCH_TRACES[spec]
        epoch = int(state.epoch) + 1 if on_progress is not None else 0
        parts: list[StepMetrics] = []
        for a, b in pieces:
            if self._processes > 1:
                xb, yb = self._global_batches(x, y, perm[a:b])
                state, metrics = _run_batches_jit(state, xb, yb, spec=spec)
            else:
                state, metrics = _run_steps_jit(state, x, y, perm[a:b], spec=spec)
            # report the previous chunk only now, so reading it never idles the device
            if on_progress is not None and parts:
                on_progress(self._progress(parts[-1], epoch, a))
            parts.append(metrics)
        if on_progress is not None:
            on_progress(self._progress(parts[-1], epoch, spec.steps_per_epoch))
        if _EPOCH_TRACES[spec] > traces:
            warnings.warn(
                f"the epoch step recompiled in epoch {int(state.epoch) + 1}", stacklevel=2
            )
        state = state._replace(epoch=state.epoch + 1)
        if len(parts) == 1:
            return state, parts[0]
        return state, jax.tree.map(lambda *m: jnp.concatenate(m), *parts)

    def predict(self, state: TrainState, x) -> Array:
        """Class probabilities (n, K) in evaluation mode, in batches of ``eval_batch_size``, of
        the weights' moving average when the recipe keeps one (``ema_decay``)."""
        batch, policy = self.config.eval_batch_size, precision.get(self.config.precision)
        params = ema.eval_params(state.params, state.opt_state)  # the average, if one is kept
        if self._processes > 1:
            return self._predict_shares(params, state.model_state, np.asarray(x), batch, policy)
        return _predict_jit(
            params,
            state.model_state,
            jnp.asarray(x),
            model=self.model,
            batch=batch,
            policy=policy,
        )

    def _predict_shares(self, params, model_state, x: np.ndarray, batch: int, policy) -> Array:
        """Each process scores its share of the rows locally; one gather makes the whole."""
        n, share = x.shape[0], -(-x.shape[0] // self._processes)
        me = jax.process_index()
        part = x[me * share : (me + 1) * share]
        part = np.pad(part, [(0, share - part.shape[0])] + [(0, 0)] * (x.ndim - 1))
        params, model_state = (
            jax.tree.map(lambda a: a.addressable_data(0), t) for t in (params, model_state)
        )
        proba = _predict_jit(params, model_state, jnp.asarray(part), model=self.model,
                             batch=batch, policy=policy)  # fmt: skip
        return jnp.asarray(multihost_utils.process_allgather(proba, tiled=True)[:n])  # (n, K)

    def _place(self, tree):
        """Replicate arrays over the devices (data parallel); as they are on one device."""
        if self._replicated is None:
            return tree
        if self._processes == 1:
            return jax.device_put(tree, self._replicated)
        return jax.tree.map(self._replicate, tree)

    def _replicate(self, a):
        """One leaf on every device of every process, through the host (every process holds
        the same value: a global ``device_put`` takes host data only)."""
        if getattr(a, "sharding", None) == self._replicated:
            return a
        if jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key):
            data = jax.device_put(np.asarray(jax.random.key_data(a)), self._replicated)
            return jax.random.wrap_key_data(data, impl=jax.random.key_impl(a))
        return jax.device_put(np.asarray(a), self._replicated)

    def _global_batches(self, x: np.ndarray, y: np.ndarray, idx: np.ndarray):
        """The global batches (steps, B, ...) of indices ``idx`` (steps, B) from this process's
        columns only."""
        sharding = NamedSharding(self._spec.mesh, P(None, "batch"))
        cols = [c for _, c, *_ in sharding.addressable_devices_indices_map(idx.shape).values()]
        mine = idx[:, min(c.start for c in cols) : max(c.stop for c in cols)]  # (steps, B/P)

        def build(a: np.ndarray):
            shape = (*idx.shape, *a.shape[1:])
            return jax.make_array_from_process_local_data(sharding, a[mine], shape)

        return build(x), build(y)

    def _device_data(self, x, y) -> tuple[Array, Array]:
        if self._data and self._data[0] is x and self._data[1] is y:
            return self._data[2:]
        placed = self._place((jnp.asarray(x), jnp.asarray(y, jnp.int32)))
        if isinstance(x, jax.Array) and isinstance(y, jax.Array):  # immutable: safe to keep
            self._data = (x, y, *placed)
        return placed

    def _permutation(self, state: TrainState, x, y, sizes: set[int]) -> Array:
        """The epoch's batch indices; the first time for these data and chunk sizes, compile
        the epoch programs ahead, timed in ``compile_seconds``."""
        t0 = time.perf_counter()
        perm = _permutation_jit(state, n=int(x.shape[0]), spec=self._spec)
        todo = [
            s for s in sorted(sizes) if (x.shape, x.dtype, y.shape, y.dtype, s) not in self._ready
        ]
        if todo:
            for size in todo:
                _run_steps_jit.lower(state, x, y, perm[:size], spec=self._spec).compile()
                self._ready.add((x.shape, x.dtype, y.shape, y.dtype, size))
            jax.block_until_ready(perm)
            self._compile_seconds += time.perf_counter() - t0
        return perm

    def _host_permutation(self, state: TrainState, x, y, sizes: set[int]) -> np.ndarray:
        """``_permutation`` across processes: on the host, the batch programs compiled ahead
        from the shapes and shardings of the global batches."""
        t0 = time.perf_counter()
        perm = np.asarray(_permutation_jit(state, n=int(x.shape[0]), spec=self._spec))
        sharding = NamedSharding(self._spec.mesh, P(None, "batch"))
        b = self._spec.config.batch_size
        for size in sorted(sizes):
            key = ("batches", x.shape[1:], x.dtype, y.dtype, size)
            if key in self._ready:
                continue
            xb, yb = (
                jax.ShapeDtypeStruct((size, b, *a.shape[1:]), a.dtype, sharding=sharding)
                for a in (x, y)
            )
            _run_batches_jit.lower(state, xb, yb, spec=self._spec).compile()
            self._ready.add(key)
            self._compile_seconds += time.perf_counter() - t0
            t0 = time.perf_counter()
        return perm

    def _progress(self, metrics: StepMetrics, epoch: int, done: int) -> EpochProgress:
        loss, acc = float(metrics.loss[-1]), float(metrics.accuracy.mean())
        return EpochProgress(epoch, self.config.epochs, done, self.steps_per_epoch, loss, acc)


def check_devices(devices: int, batch_size: int) -> int:
    """Refuse more devices than JAX sees, and a batch that does not split evenly over them
    (in that order: a batch is not to blame for devices that are not there)."""
    have = jax.device_count()
    processes = jax.process_count()
    if processes > 1 and (devices % processes or devices // processes > jax.local_device_count()):
        raise JaxscratchError(
            f"--devices counts each process's devices: {devices} over {processes} processes "
            f"needs {devices}/{processes} of the {jax.local_device_count()} on each; give 1 to "
            f"{jax.local_device_count()} per process"
        )
    if devices < 1 or devices > have:
        raise JaxscratchError(
            f"--devices {devices}: JAX sees {have} device(s) here; give 1 to {have} (on CPU, "
            "XLA_FLAGS=--xla_force_host_platform_device_count=N before starting makes N)"
        )
    if batch_size % devices:
        raise JaxscratchError(
            f"batch size {batch_size} does not split over {devices} devices; give a multiple "
            f"of {devices}, e.g. --batch-size {devices * max(1, round(batch_size / devices))}"
        )
    return devices


def make_trainer(
    model: MLPConfig,
    config: TrainConfig,
    n_train: int,
    devices: int = 1,
    *,
    optimizer: optim.Optimizer | None = None,
) -> Trainer:
    """Bind the compiled programs to one recipe and optimizer.

    ``optimizer`` (an ``Optimizer``, e.g. ``chain(clip_by_global_norm(1.0), adamw(1e-3))``)
    replaces the one the recipe names; the recipe's loss, batches, epochs and augmentation stay.
    With ``devices`` > 1 training is data parallel: a one-axis ``Mesh`` over the first
    ``devices`` JAX devices, each mini-batch sharded over it, parameters and optimizer state
    replicated; XLA inserts the gradient all-reduce. Batch-norm statistics are those of the
    whole mini-batch, so the result equals the one-device run up to rounding.

    The compiled programs live at module level keyed by (recipe, optimizer), so building the
    same trainer twice (a resumed run, ``evaluate``) reuses them instead of compiling again.
    """
    model = check_config(model)
    config = with_budget(check_train_config(config, n_train), n_train)
    devices = check_devices(devices, config.batch_size)
    steps = n_train // config.batch_size
    if optimizer is None:
        optimizer = make_optimizer(config, steps)
    elif not isinstance(optimizer, optim.Optimizer):
        raise JaxscratchError(
            f"optimizer must be an nn.Optimizer(init, update), got {type(optimizer).__name__}; "
            "e.g. nn.chain(nn.clip_by_global_norm(1.0), nn.adamw(1e-3))"
        )
    return Trainer(_Spec(model, config, steps, optimizer, _mesh(devices)), devices)


def _mesh(devices: int) -> Mesh | None:
    """The one-axis mesh: the first ``devices`` devices, or across processes the first
    ``devices / processes`` of each, in process order (so process p holds the p-th block of
    columns of every batch); ``gaussian.spread_devices`` chooses them for the sampler too."""
    return None if devices == 1 else Mesh(np.array(spread_devices(devices)), ("batch",))

"""The training recipe as data: ``TrainConfig``, its checks, and the schedule and optimizer it
names.

Contract: ``check_train_config(config, n_train)`` raises a one-line error for a recipe that
cannot train on ``n_train`` examples; ``with_budget(config, n_train)`` is the recipe with its
epochs raised to spend its ``step_budget`` on ``n_train`` examples;
``make_schedule(config, steps_per_epoch)`` is its learning rate as a function of the step
count; ``make_optimizer(config, steps_per_epoch)`` is the ``Optimizer`` it names, one value per
recipe.
"""

import functools
import math
from typing import NamedTuple

from jaxscratch._shared import check_choice
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import augment, ema, optim, precision, schedules

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
    # AdamW: decoupled; other optimizers: coupled, wd W added to the gradient (= L2 wd/2 ||W||^2)
    weight_decay: float = 1e-4
    label_smoothing: float = 0.0
    clip_norm: float = 0.0  # 0 = no clipping
    eval_batch_size: int = 2048
    augment_shift: float = 0.0  # random shifts up to this many pixels (0 = no augmentation)
    augment_degrees: float = 0.0  # random rotations up to this many degrees
    augment_flip: bool = False  # mirror half the images left-right (garments, not digits)
    precision: str = "f32"  # f32 | bf16: the matrix products' operands (``nn.precision``)
    ema_decay: float = 0.0  # > 0: evaluate a moving average of the weights (``nn.ema``)
    step_budget: int = 0  # > 0: train at least this many steps (``with_budget``), epochs a floor


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
    optim.by_name(config.optimizer)
    schedules.check_lr(config.lr, "--lr")
    check_choice(config.schedule, "schedule", SCHEDULES)
    if config.weight_decay < 0 or not 0 <= config.label_smoothing < 1 or config.clip_norm < 0:
        raise JaxscratchError(
            "weight decay and clip norm must be >= 0 and label smoothing in [0, 1); "
            f"got {config.weight_decay}, {config.clip_norm}, {config.label_smoothing}"
        )
    augment.check_augment(config.augment_shift, config.augment_degrees)
    precision.get(config.precision)
    ema.check_decay(config.ema_decay)
    if config.step_budget < 0:
        raise JaxscratchError(f"step budget must be >= 0 (0 = off), got {config.step_budget}")
    make_schedule(config, max(n_train // config.batch_size, 1))  # its own checks, before training
    return config


MAX_BUDGET_EPOCHS = 100  # a step budget never stretches a run past this many epochs


def with_budget(config: TrainConfig, n_train: int) -> TrainConfig:
    """The recipe with ``epochs`` = max(epochs, ceil(step_budget / steps per epoch)), at most
    ``MAX_BUDGET_EPOCHS``: a small data set trains as many steps as a large one."""
    if not config.step_budget:
        return config
    steps = max(1, n_train // config.batch_size)
    wanted = min(MAX_BUDGET_EPOCHS, math.ceil(config.step_budget / steps))
    return config._replace(epochs=max(config.epochs, wanted))


def make_schedule(config: TrainConfig, steps_per_epoch: int) -> schedules.Schedule:
    """The recipe's learning rate as a function of the step count."""
    total = config.epochs * steps_per_epoch
    if config.schedule == "cosine":
        warm = int(round(config.warmup_epochs * steps_per_epoch))
        return schedules.warmup_cosine(config.lr, total, min(warm, total - 1))
    if config.schedule == "step":
        return schedules.step_decay(
            config.lr, config.step_every_epochs * steps_per_epoch, config.step_factor
        )
    return schedules.constant(config.lr)


@functools.lru_cache(maxsize=64)
def make_optimizer(config: TrainConfig, steps_per_epoch: int) -> optim.Optimizer:
    """The optimizer the recipe names: [coupled decay] -> [global-norm clipping] -> the alias.

    Built once per recipe (cached), so equal recipes share one value and one compiled program.
    With ``ema_decay`` the chain is wrapped in ``ema.with_ema``, whose state keeps the average.
    AdamW decays inside its chain (decoupled); the others take wd W into the gradient before
    clipping, exactly the gradient of an L2 penalty wd/2 ||W||^2 on the weight matrices.
    """
    lr = make_schedule(config, steps_per_epoch)
    alias = optim.by_name(config.optimizer)
    parts = []
    if config.optimizer == "adamw":
        core = alias(lr, weight_decay=config.weight_decay)
    else:
        core = alias(lr)
        if config.weight_decay:
            parts.append(optim.add_decayed_weights(config.weight_decay))
    if config.clip_norm:
        parts.append(optim.clip_by_global_norm(config.clip_norm))
    optimizer = optim.chain(*parts, core) if parts else core
    return ema.with_ema(optimizer, config.ema_decay) if config.ema_decay else optimizer

"""Neural networks from scratch: layers, an MLP, losses, optimizers, training, checkpoints.

Contract: parameters and state are NamedTuple pytrees; ``MLPConfig()`` and ``TrainConfig()`` are
the default network and recipe; optimizers are ``Optimizer(init, update)`` transforms composed
with ``chain``; ``make_trainer(model, config, n_train, optimizer=None)`` gives a trainer with
``init(key)``, ``step``, ``run_epoch`` and ``predict``, and ``fit`` drives its epochs. All
randomness comes from the key given to ``init``, split once into named streams (``keys``).
``precision`` holds the precision policies (``TrainConfig.precision``: float32, or bfloat16
products with float32 accumulation, weights and state).
"""

from jaxscratch.nn import checkpoint, config, init, keys, loop, optim, precision, schedules, train
from jaxscratch.nn.config import TrainConfig
from jaxscratch.nn.layers import (
    ACTIVATIONS,
    BatchNorm,
    BatchStats,
    Dense,
    batch_norm,
    dense,
    dropout,
    gelu,
    relu,
    tanh,
)
from jaxscratch.nn.loop import DivergedError, evaluate, fit
from jaxscratch.nn.losses import l2_penalty, log_softmax, softmax, softmax_cross_entropy
from jaxscratch.nn.model import (
    MLP,
    MLPConfig,
    apply_mlp,
    count_params,
    fold_batch_norm,
    init_mlp,
)
from jaxscratch.nn.optim import (
    OPTIMIZERS,
    Optimizer,
    adam,
    adamw,
    add_decayed_weights,
    apply_updates,
    chain,
    clip_by_global_norm,
    momentum,
    nesterov,
    scale_by_adam,
    scale_by_learning_rate,
    scale_by_schedule,
    sgd,
    trace,
)
from jaxscratch.nn.train import EpochProgress, Trainer, TrainState, make_trainer

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "OPTIMIZERS",
    "BatchNorm",
    "BatchStats",
    "Dense",
    "MLPConfig",
    "Optimizer",
    "EpochProgress",
    "TrainConfig",
    "TrainState",
    "Trainer",
    "DivergedError",
    "adam",
    "adamw",
    "add_decayed_weights",
    "apply_mlp",
    "apply_updates",
    "batch_norm",
    "chain",
    "checkpoint",
    "clip_by_global_norm",
    "count_params",
    "fold_batch_norm",
    "dense",
    "dropout",
    "evaluate",
    "fit",
    "gelu",
    "init",
    "init_mlp",
    "keys",
    "l2_penalty",
    "log_softmax",
    "loop",
    "make_trainer",
    "momentum",
    "nesterov",
    "optim",
    "precision",
    "config",
    "relu",
    "scale_by_adam",
    "scale_by_learning_rate",
    "scale_by_schedule",
    "schedules",
    "sgd",
    "softmax",
    "softmax_cross_entropy",
    "tanh",
    "trace",
    "train",
]

"""The network, recipe and key the run-directory tests train with (one compiled program)."""

import jax

from jaxscratch import nn

# The same network and recipe as `jaxscratch mnist train --dataset digits --hidden 32 16
# --batch-size 64 --epochs 2 --seed 1` (the CLI test), so one compiled program serves both.
MODEL = nn.MLPConfig((64, 32, 16, 10), "relu", batchnorm=True, dropout=0.1)
RECIPE = nn.TrainConfig(2, 64, "adamw", 3e-3, "cosine", 1.0, weight_decay=1e-4)
SEED = 1
KEY = jax.random.key(SEED)

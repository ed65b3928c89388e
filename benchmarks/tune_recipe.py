"""Tune the default recipe on a VALIDATION split carved from the training part (never the test).

Each named variant is the default recipe (``recipes.TRAIN``, ``recipes.MODEL``) with overrides,
trained on the 80:20 training part minus a stratified validation share (the run key's
validation stream, as the width search carves it), scored on that validation share. The test
part is not read. Prints one JSON line per variant: name, overrides, validation accuracy and
log loss, epochs, seconds; each epoch's number, seconds and training accuracy go to stderr.

    python benchmarks/tune_recipe.py --dataset mnist-10k \
        --variant base='{}' --variant ema='{"ema_decay": 0.999}'
"""

import argparse
import functools
import json
import sys
import tempfile
import time

import jax

from jaxscratch.runs import recipes, training, width_search
from jaxscratch.runs.records import Data, run_keys


def _progress(name: str, history: dict) -> None:
    epoch, seconds = history["epoch"][-1], round(history["epoch_seconds"][-1], 1)
    print(name, epoch, seconds, round(history["train_accuracy"][-1], 4), file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="mnist-10k")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--val-fraction", type=float, default=recipes.VAL_FRACTION)
    p.add_argument("--variant", action="append", default=[], help="NAME=JSON overrides")
    args = p.parse_args()
    key = jax.random.key(args.seed)
    data = training.load_data(args.dataset, key=key)
    x_fit, y_fit, x_val, y_val = width_search.carve_validation(
        run_keys(key).validation, data.x_train, data.y_train, args.val_fraction
    )
    tune = Data(x_fit, y_fit, x_val, y_val, data.name, data.source, "validation", data.classes)
    for spec in args.variant or ["default={}"]:
        name, _, raw = spec.partition("=")
        over = json.loads(raw or "{}")
        widths = over.pop("widths", None)
        model = recipes.model_for(tune, recipes.model(widths, dropout=over.pop("dropout", None)))
        recipe = recipes.TRAIN._replace(**over)
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            result = training.train_run(
                out, tune, model, recipe, key=key, test_every_epoch=False,
                on_epoch=functools.partial(_progress, name),
            )  # fmt: skip
        seconds = time.perf_counter() - t0
        print(json.dumps({
            "name": name, "overrides": json.loads(raw or "{}"), "dataset": args.dataset,
            "n_fit": len(y_fit), "n_val": len(y_val), "val_accuracy": result.metrics.accuracy,
            "val_log_loss": result.metrics.log_loss, "epochs": result.config.train.epochs,
            "seconds": round(seconds, 1),
        }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()

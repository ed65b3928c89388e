"""Demo part 3: MNIST (or the best set on the machine), a short width search, the default recipe.

Writes ``sweep/`` (table, heat map) and ``run/`` (a run directory of ``mnist train``: curves,
confusion matrix, reliability diagram, metrics, report, checkpoint) under ``out``.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import jax

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.report import Code, Figure, Section, Table, Text
from jaxscratch.runs import markdown as report_lib
from jaxscratch.runs import training, width_search

# (h1, h2, epochs per pair) of the demo's short sweep; the full one is `jaxscratch mnist sweep`
DEMO_SWEEP = ((128, 256, 512), (64, 128, 256), 2)
QUICK_SWEEP = ((16, 64), (32,), 2)
DEFAULT_WIDTHS = (512, 256)
_SUMMARY = ("accuracy", "top_3_accuracy", "macro_f1", "weighted_f1", "roc_auc_macro",
            "log_loss", "brier_score", "ece")  # fmt: skip


def choose_dataset(quick: bool, log: Callable[[str], None] = lambda _: None) -> tuple[str, str]:
    """(dataset name, the reason in words): full MNIST if it is on disk or downloads now, else
    Debian's Fashion-MNIST, else the offline ``digits``; quick mode always takes ``digits``."""
    if quick:
        return "digits", "quick mode uses the small offline digits set (8 x 8 pixels)"
    from jaxscratch.data import download, registry, resolve

    mnist = registry.spec("mnist")
    found = resolve.find(mnist)
    if found is not None:
        return "mnist", f"full MNIST was found ({found.label} {found.folder})"
    if os.environ.get(resolve.ENV_OFFLINE, "") not in ("", "0"):
        why = f"full MNIST is not on this machine and ${resolve.ENV_OFFLINE} forbids downloading"
    else:
        log("full MNIST is not on this machine; trying to download it")
        try:
            download.fetch(mnist, retries=1, timeout=20.0, backoff=0.0)
            return "mnist", "full MNIST was not on this machine and was downloaded now"
        except JaxscratchError as err:
            why = f"full MNIST is not on this machine and could not be downloaded ({err})"
            why = why.split(". ")[0].rstrip(".") + ")" if len(why) > 200 else why
    fashion = resolve.find(registry.spec("fashion-mnist"))
    if fashion is not None:
        return "fashion-mnist", (
            f"{why}; Fashion-MNIST (same format: 70,000 28 x 28 images, 10 classes) was found "
            f"({fashion.label} {fashion.folder}), so it stands in"
        )
    return "digits", f"{why}, nor is Fashion-MNIST; the offline digits set stands in"


def _recipe(epochs: int) -> nn.TrainConfig:
    return nn.TrainConfig(epochs, 128, "adamw", 3e-3, "cosine", 1.0, weight_decay=1e-4)


def run(
    out: Path,
    key: jax.Array,
    *,
    quick: bool = False,
    epochs: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Section:
    """Choose the data, run the short sweep, train the default recipe; return the section.

    ``key`` is unused: every random choice here derives from ``seed`` so that the printed
    commands reproduce the section exactly.
    """
    del key
    name, reason = choose_dataset(quick, log)
    log(f"MNIST part: using {name}: {reason}")
    data = training.load_data(name, split="80-20", seed=seed)
    h1, h2, sweep_epochs = QUICK_SWEEP if quick else DEMO_SWEEP
    epochs = epochs or (4 if quick else 10)
    batch = 64 if quick else 128
    total = len(h1) * len(h2) * sweep_epochs + epochs
    report = progress or (lambda done, total: None)

    model = nn.MLPConfig((1, *DEFAULT_WIDTHS, 10), "relu", True, 0.1)
    recipe = _recipe(sweep_epochs)._replace(batch_size=batch)
    config = width_search.SweepConfig(h1, h2, model, recipe, 0.1, seed)
    swept = width_search.run_sweep(
        out / "sweep",
        data,
        config,
        final=False,  # the test part is read once, by the default-recipe run below
        on_progress=lambda p: report(int(p.done), total),
    )
    done = len(h1) * len(h2) * sweep_epochs
    n_in = data.x_train[0].size
    model = model._replace(sizes=(n_in, *DEFAULT_WIDTHS, 10))
    recipe = _recipe(epochs)._replace(batch_size=batch)
    m = training.train_run(
        out / "run", data, model, recipe, seed=seed, overwrite=True,
        on_progress=lambda p: report(done + p.epoch - 1, total),
        data_meta={"dataset": name, "data_dir": None},
    )  # fmt: skip
    report(total, total)
    history = json.loads((out / "run" / "history.json").read_text())
    names = list(data.classes) or [str(k) for k in range(m["num_classes"])]
    rows = tuple((k, "n/a" if m[k] is None else f"{m[k]:.4f}") for k in _SUMMARY)
    pairs = sorted(swept.pairs, key=lambda p: (p["h1"], p["h2"]))
    sweep_rows = tuple(
        (p["h1"], p["h2"], f"{p['params']:,}", f"{100 * p['val_accuracy']:.2f} %",
         f"{p['seconds']:.1f}") for p in pairs
    )  # fmt: skip
    seconds = sum(history["epoch_seconds"])
    n_val = json.loads((out / "sweep" / "sweep.json").read_text())["n_val"]
    n_all = len(data.y_train) + len(data.y_test)
    chosen = f"{swept.chosen['h1']}-{swept.chosen['h2']}"
    same = (swept.chosen["h1"], swept.chosen["h2"]) == DEFAULT_WIDTHS
    keep = (
        "the same widths the default recipe uses"
        if same
        else f"the default recipe keeps {DEFAULT_WIDTHS[0]}-{DEFAULT_WIDTHS[1]} (the `mnist "
        f"train` default), since {sweep_epochs} epochs per network are too few to overrule it; "
        f"run the full search to retrain {chosen} or any other pair"
    )
    ds = f"--dataset {name}"
    hs = f"--h1 {' '.join(map(str, h1))} --h2 {' '.join(map(str, h2))}"
    small = " --batch-size 64" if quick else ""
    return Section(
        key="mnist",
        title="MNIST: a two-hidden-layer network, the width search, test metrics",
        blocks=(
            Text(
                f"Data: {data.name}, because {reason}. The {n_all:,} images "
                "are pooled and split 80:20, seeded and stratified by class: "
                f"{len(data.y_train):,} for training and {len(data.y_test):,} for the test, "
                "which is read once, at the end.\n\n"
                f"Width search (short, demo mode): {len(pairs)} networks, {sweep_epochs} epochs "
                f"each, scored on a validation split of {n_val:,} training images (seeded, "
                f"stratified). {swept.reason[:1].upper()}{swept.reason[1:]}. Chosen: {chosen}; "
                f"{keep}. The full search (5 x 5 widths, 10 epochs each, then the chosen "
                "network retrained and tested) is the last command below.\n\n"
                f"Default recipe: {n_in}-{DEFAULT_WIDTHS[0]}-{DEFAULT_WIDTHS[1]}-10, ReLU, batch "
                f"norm, dropout 0.1, AdamW (peak 3e-3, weight decay 1e-4), one warm-up epoch then "
                f"cosine decay, batch {batch}, {epochs} epochs: {seconds:.1f} s of training."
            ),
            Table(
                "Width search: validation accuracy per (h1, h2)",
                ("h1", "h2", "parameters", "validation accuracy", "seconds"),
                sweep_rows,
            ),
            Figure(
                "mnist/sweep/heatmap.png",
                "Validation accuracy over the hidden widths (h1, h2); the chosen pair is "
                "outlined in red.",
            ),  # fmt: skip
            Figure(
                "mnist/run/curves.png",
                "Loss vs iterations (mini-batch cross-entropy and its epoch mean), and train "
                "and test loss and accuracy per epoch, for the default recipe.",
            ),  # fmt: skip
            Table(
                f"Test metrics of the default recipe on {len(data.y_test):,} test images",
                ("metric", "value"),
                rows,
            ),  # fmt: skip
            Figure(
                "mnist/run/confusion.png",
                "Confusion matrix on the test part: counts, coloured by the share of each "
                "true class (recall on the diagonal).",
            ),  # fmt: skip
            Figure(
                "mnist/run/reliability.png",
                "Reliability diagram: accuracy against confidence in bins; the gap from the "
                f"diagonal is the calibration error (ECE {m['ece']:.4f}).",
            ),  # fmt: skip
            Text("\n\n".join(report_lib.discussion(m, history, names))),
            Code(
                (
                    f"jaxscratch mnist sweep {ds} {hs} --epochs {sweep_epochs}{small} "
                    f"--seed {seed} --out runs/sweep",
                    f"jaxscratch mnist train {ds} --epochs {epochs}{small} --seed {seed} "
                    "--out runs/mnist",
                    "jaxscratch mnist sweep --dataset fashion-mnist --h1 64 128 256 512 1024 "
                    "--h2 32 64 128 256 512 --out runs/sweep-full",
                )
            ),  # fmt: skip
        ),
    )

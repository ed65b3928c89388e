"""Demo part 3: MNIST (or the best set on the machine), a short width search, the default recipe.

Writes ``sweep/`` (table, heat map) and ``run/`` (a run directory of ``mnist train``: curves,
confusion matrix, reliability diagram, metrics, report, checkpoint) under ``out``.
"""

from collections.abc import Callable
from pathlib import Path

import jax

from jaxscratch import nn
from jaxscratch.data.choose import choose_dataset
from jaxscratch.report import Code, Figure, Section, Table, Text
from jaxscratch.runs import markdown as report_lib
from jaxscratch.runs import recipes, records, training, width_search
from jaxscratch.viz import nn as run_figures
from jaxscratch.viz import sweep as sweep_figures

_ROWS = ("accuracy", "top_3_accuracy", *records.HEADLINE[1:])  # the test metrics shown


def run(
    out: Path,
    key: jax.Array,
    *,
    quick: bool = False,
    epochs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Section:
    """Choose the data, run the short sweep, train the default recipe; return the section.

    ``key`` is the run's key: the split, the validation carve and every network's initial
    state draw from its streams (``records.run_keys``), as ``mnist sweep`` and ``mnist train``
    draw from the key of their ``--seed``.
    """
    name, reason = choose_dataset(quick, log)
    log(f"MNIST part: using {name}: {reason}")
    data = training.load_data(name, key=key)
    plan = recipes.QUICK if quick else recipes.DEMO
    grid = plan.sweep
    n_fit = len(data.y_train) - recipes.calibration_size(len(data.y_train))
    if epochs is None and not quick:  # the default recipe: its step budget sets the epochs
        final = recipes.train_config(
            batch_size=plan.batch_size, augment=recipes.augments(name), dataset=name
        )
    else:
        final = recipes.train_config(epochs=epochs or plan.epochs, batch_size=plan.batch_size)
    epochs = nn.config.with_budget(final, n_fit).epochs
    total = len(grid.h1) * len(grid.h2) * grid.epochs + epochs
    report = progress or (lambda done, total: None)

    recipe = recipes.train_config(epochs=grid.epochs, batch_size=plan.batch_size)
    config = width_search.SweepConfig(grid.h1, grid.h2, recipes.MODEL, recipe)
    swept = width_search.run_sweep(
        out / "sweep",
        data,
        config,
        key=key,
        final=False,  # the test part is read once, by the default-recipe run below
        on_progress=lambda p: report(int(p.done), total),
    )
    sweep_figures.write_heatmap(out / "sweep")
    done = len(grid.h1) * len(grid.h2) * grid.epochs
    model = recipes.model_for(data, recipes.model(dataset=name))
    result = training.train_run(
        out / "run", data, model, final, key=key, overwrite=True,
        on_progress=lambda p: report(done + p.epoch - 1, total),
    )  # fmt: skip
    run_figures.write_run_figures(out / "run")
    report(total, total)
    m, history = result.metrics, result.history
    names = result.config.data.class_names(m.num_classes)
    rows = tuple((k, "n/a" if m.report[k] is None else f"{m.report[k]:.4f}") for k in _ROWS)
    pairs = sorted(swept.pairs, key=lambda p: (p.h1, p.h2))
    sweep_rows = tuple(
        (p.h1, p.h2, f"{p.params:,}", f"{100 * p.val_accuracy:.2f} %", f"{p.seconds:.1f}")
        for p in pairs
    )
    seconds = sum(history["epoch_seconds"])
    n_all = len(data.y_train) + len(data.y_test)
    chosen = f"{swept.chosen.h1}-{swept.chosen.h2}"
    widths = "-".join(map(str, model.sizes[1:-1]))
    keep = (
        "the same widths the default recipe uses"
        if (swept.chosen.h1, swept.chosen.h2) == model.sizes[1:-1]
        else f"the default recipe keeps {widths} (the `mnist train` default), since "
        f"{grid.epochs} epochs per network are too few to overrule it; run the full search to "
        f"retrain {chosen} or any other pair"
    )
    full = recipes.SWEEP
    ds = f"--dataset {name}"
    hs = f"--h1 {' '.join(map(str, grid.h1))} --h2 {' '.join(map(str, grid.h2))}"
    full_hs = f"--h1 {' '.join(map(str, full.h1))} --h2 {' '.join(map(str, full.h2))}"
    small = (
        "" if plan.batch_size == recipes.TRAIN.batch_size else f" --batch-size {plan.batch_size}"
    )
    return Section(
        key="mnist",
        title="MNIST: a two-hidden-layer network, the width search, test metrics",
        blocks=(
            Text(
                f"Data: {data.name}, because {reason}. The {n_all:,} images "
                "are pooled and split 80:20, seeded and stratified by class: "
                f"{len(data.y_train):,} for training and {len(data.y_test):,} for the test, "
                "which is read once, at the end.\n\n"
                f"Width search (short, demo mode): {len(pairs)} networks, {grid.epochs} epochs "
                f"each, scored on a validation split of {swept.n_val:,} training images (seeded, "
                f"stratified). {swept.reason[:1].upper()}{swept.reason[1:]}. Chosen: {chosen}; "
                f"{keep}. The full search ({len(full.h1)} x {len(full.h2)} widths, "
                f"{full.epochs} epochs each, then the chosen network retrained and tested) is "
                "the last command below.\n\n"
                f"Default recipe: {recipes.describe(result.config.model, result.config.train)}: "
                f"{seconds:.1f} s of training. The commands below run the same recipes; the demo "
                "draws its own key, so their numbers differ by the chance of another key."
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
                f"diagonal is the calibration error (ECE {m.ece:.4f}).",
            ),  # fmt: skip
            *_evaluation_blocks(m.report, names),
            Text("\n\n".join(report_lib.discussion(m.report, history, names))),
            Code(
                (
                    f"jaxscratch mnist sweep {ds} {hs} --epochs {grid.epochs}{small} "
                    "--out runs/sweep",
                    f"jaxscratch mnist train {ds}"
                    + ("" if final.step_budget else f" --epochs {epochs}")
                    + f"{small} --out runs/mnist",
                    f"jaxscratch mnist sweep --dataset fashion-mnist {full_hs} "
                    "--out runs/sweep-full",
                )
            ),  # fmt: skip
        ),
    )


def _evaluation_blocks(m: dict, names: list[str]) -> tuple:
    """The run's evaluation (``runs.evaluation``, drawn by ``viz.evaluation``) as report blocks."""
    pc = m["per_class"]
    blocks = [
        Table(
            "Per class on the test part: precision, recall, F1",
            ("class", "precision", "recall", "F1", "support"),
            tuple(
                (
                    names[k],
                    f"{pc['precision'][k]:.4f}",
                    f"{pc['recall'][k]:.4f}",
                    f"{pc['f1'][k]:.4f}",
                    pc["support"][k],
                )
                for k in range(len(pc["f1"]))
            ),  # fmt: skip
        ),
    ]
    if "galleries" not in m:
        return tuple(blocks)
    cov = m["accuracy_coverage"]
    at = dict(zip(cov["coverage"], cov["accuracy"], strict=True))
    blocks.append(
        Figure(
            "mnist/run/coverage.png",
            "Accuracy against coverage: the least confident predictions are rejected first; "
            f"keeping the most confident 90 % gives {100 * at[0.9]:.2f} % (all: "
            f"{100 * at[1.0]:.2f} %).",
        )
    )
    ts = m.get("temperature_scaling")
    if ts:
        b, a = ts["before"], ts["after"]
        blocks.append(
            Figure(
                "mnist/run/calibration.png",
                f"Temperature scaling fitted on {ts['n_validation']:,} training images held "
                f"out of training: T = {ts['temperature']:.3f}; test ECE {b['ece']:.4f} → "
                f"{a['ece']:.4f}, log loss {b['log_loss']:.4f} → {a['log_loss']:.4f}.",
            )
        )
    blocks += [
        Figure("mnist/run/wrong.png", "The most confidently wrong test images: true → "
               "predicted class and the predicted probability."),
        Figure("mnist/run/uncertain.png", "The most uncertain test images (highest predictive "
               "entropy), red where the prediction is wrong."),
        Figure("mnist/run/confused.png", "The most-confused pairs (true → predicted), each with "
               "its most confidently wrong examples."),
    ]  # fmt: skip
    return tuple(blocks)

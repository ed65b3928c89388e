"""``jaxscratch mnist``: train, evaluate and query a from-scratch MLP classifier (wiring only).

Every default is read from the default recipe (``runs.recipes``); ``--seed`` becomes the run's
key here, with JAX's default threefry implementation, and is otherwise only recorded.
"""

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import MofNCompleteColumn, TextColumn

import jaxscratch.cli._cluster as cluster  # --coordinator/--num-processes/--process-id
import jaxscratch.cli._interrupts as stop  # Ctrl-C: safe points and the one line it prints
import jaxscratch.cli._options as opts  # typed options, those train and sweep share, output
from jaxscratch.cli._common import make_key, out_console, print_json
from jaxscratch.runs import recipes, training, width_search
from jaxscratch.viz import nn as run_figures
from jaxscratch.viz import sweep as sweep_figures

app = typer.Typer(help="A two-hidden-layer network on MNIST-format digits.", no_args_is_help=True)
M, T, SWEEP = recipes.MODEL, recipes.TRAIN, recipes.SWEEP

RunDir = Annotated[Path, typer.Argument(help="A run directory written by `mnist train`.")]
_AUGMENT = (
    f"<= {recipes.AUGMENT_SHIFT:g} px, rotations <= {recipes.AUGMENT_DEGREES:g} degrees; for "
    f"{', '.join(recipes.GARMENTS)}: mirror images"
)
Hidden = opts.opt(
    opts.Widths,
    f"Hidden widths (default: {' '.join(map(str, recipes.WIDTHS))}; "
    f"{' '.join(map(str, recipes.GARMENT_WIDTHS))} for {', '.join(recipes.GARMENTS)}).",
)
Init = opts.opt(str, "he-uniform | glorot-uniform | he-normal | glorot-normal (auto).")
Schedule = opts.opt(str | None, "constant | step | cosine (default: cosine for adam(w)).")


@app.command(cls=opts.ManyValues)
def train(
    hidden: Hidden = None,
    activation: opts.Activation = M.activation,
    batchnorm: opts.BatchNorm = M.batchnorm,
    dropout: opts.Dropout = M.dropout,
    init: Init = M.init,
    optimizer: opts.Optimizer = T.optimizer,
    lr: opts.Lr = T.lr,
    schedule: Schedule = None,
    warmup_epochs: opts.opt(float, "Linear warm-up (cosine).") = T.warmup_epochs,
    epochs: opts.opt(
        int | None,
        f"Epochs in total (default: {T.epochs}). With --resume: the total to train to, never "
        "fewer than the checkpoint holds; more extends the run.",
    ) = None,
    batch_size: opts.BatchSize = T.batch_size,
    weight_decay: opts.Decay = None,
    label_smoothing: opts.opt(
        float | None,
        f"In [0, 1) (default: {T.label_smoothing:g}; "
        f"{recipes.GARMENT_TRAIN['label_smoothing']:g} for {', '.join(recipes.GARMENTS)}).",
    ) = None,
    clip_norm: opts.opt(float, "Global-norm gradient clip (0 = off).") = T.clip_norm,
    augment: opts.opt(
        bool | None, f"Random shifts {_AUGMENT} (default: on for {', '.join(recipes.DIGIT_LIKE)})."
    ) = None,
    seed: opts.Seed = 0,
    dataset: opts.DatasetOption = "mnist",
    data_dir: opts.DataDir = None,
    split: opts.Split = training.SPLITS[0],
    out: opts.opt(Path, "Run directory.") = Path("runs/mnist"),
    devices: opts.Devices = 1,
    precision: opts.opt(
        str | None,
        "f32 | bf16 (bfloat16 products, float32 accumulation and weights; default: "
        f"{T.precision}; {recipes.GARMENT_TRAIN['precision']} for {', '.join(recipes.GARMENTS)}).",
    ) = None,
    resume: opts.opt(bool, "Continue the run in --out (its config).") = False,
    overwrite: opts.opt(bool, "Replace the run in --out.") = False,
    as_json: opts.AsJson = False,
    coordinator: cluster.Coordinator = None,
    num_processes: cluster.NumProcesses = None,
    process_id: cluster.ProcessId = None,
    join_timeout: cluster.JoinTimeout = cluster.TIMEOUT,
) -> None:
    """Train a network, writing history, metrics, figures, report and checkpoint to --out.

    With --coordinator/--num-processes/--process-id (or under srun/mpirun) it trains across
    processes: --devices then counts each process's devices, and process 0 writes --out."""
    me = cluster.join(coordinator, num_processes, process_id, timeout=join_timeout,
                      command=cluster.command_options(locals()),
                      again=cluster.AGAIN_RESUME)  # fmt: skip
    model = recipes.model(hidden, dataset, activation=activation, batchnorm=batchnorm,
                          dropout=dropout, init=init)  # fmt: skip
    recipe = recipes.train_config(
        optimizer, schedule=schedule, weight_decay=weight_decay, epochs=epochs,
        augment=recipes.augments(dataset) if augment is None else augment, dataset=dataset,
        batch_size=batch_size, lr=lr, warmup_epochs=warmup_epochs,
        label_smoothing=label_smoothing, clip_norm=clip_norm, precision=precision,
    )  # fmt: skip
    stats = TextColumn("{task.fields[stats]}")
    with (
        stop.stopping(stop.train_saved(out, devices)),
        opts.progress_bar(as_json or me.process_id > 0, MofNCompleteColumn(), stats) as bar,
    ):
        task, line = bar.add_task("loading data", total=None, stats=""), opts.say(bar)

        def progress(p) -> None:
            stop.check()  # a safe point: between chunks of an epoch
            stats = f"loss {p.loss:.4f} acc {100 * p.accuracy:.1f} %"
            bar.update(task, description=f"epoch {p.epoch}/{p.epochs}", total=p.steps,
                       completed=p.step, stats=stats)  # fmt: skip

        result = training.train_dataset(
            out, model, recipe, dataset=dataset, key=make_key(seed), data_dir=data_dir,
            split=split, seed=seed, resume=resume, overwrite=overwrite, epochs=epochs,
            devices=devices * me.num_processes, on_data=lambda d: opts.begin(bar, d.summary()),
            on_progress=progress, on_epoch=lambda h: line(opts.epoch_line(h)),
        )  # fmt: skip
        if me.process_id > 0:
            return cluster.say_done(me, out)
        run_figures.write_run_figures(result.out)
    if as_json:
        return print_json(result.to_json())
    out_console.print(opts.metrics_table(result.metrics, f"test metrics ({out})"))
    out_console.print(f"report: {out / 'report.md'}")


@app.command()
def evaluate(run: RunDir, as_json: opts.AsJson = False) -> None:
    """Recompute a run's test metrics and rewrite its metrics, figures and report."""
    with stop.stopping(lambda: f"each file of {run} is as it was or rewritten whole; run it "
                       f"again: {stop.rerun()}"):  # fmt: skip
        result = training.evaluate_run(run)
        run_figures.write_run_figures(run)
    if as_json:
        return print_json(result.metrics.to_json())
    out_console.print(opts.metrics_table(result.metrics, f"test metrics ({run})"))


@app.command()
def predict(
    run: RunDir,
    image: Annotated[Path, typer.Argument(help="A PNG/JPEG picture of one digit.")],
    as_json: opts.AsJson = False,
) -> None:
    """Classify one picture, prepared like MNIST: a dark digit on a light page is inverted, the
    ink cropped, fitted into MNIST's box and centred by mass at the training size."""
    proba, names = training.predict_image(run, image)
    best = int(np.argmax(proba))
    if as_json:
        return print_json({"class": best, "name": names[best],
                           "probabilities": [float(p) for p in proba]})  # fmt: skip
    shares = ", ".join(f"{names[k]}: {100 * proba[k]:.1f} %" for k in np.argsort(-proba)[:3])
    out_console.print(f"class {best} ({names[best]})  [{shares}]")


@app.command(cls=opts.ManyValues)
def sweep(
    h1: opts.opt(opts.Widths, "First hidden widths, e.g. --h1 64 128 256.", "--h1") = None,
    h2: opts.opt(opts.Widths, "Second hidden widths, e.g. --h2 32 64.", "--h2") = None,
    epochs: opts.opt(int, "Epochs per network.") = T.epochs,
    final_epochs: opts.opt(int | None, "Epochs of the final network (default: --epochs).") = None,
    val_fraction: opts.opt(
        float, "Share of training held out to validate."
    ) = recipes.VAL_FRACTION,
    activation: opts.Activation = M.activation,
    batchnorm: opts.BatchNorm = M.batchnorm,
    dropout: opts.Dropout = M.dropout,
    optimizer: opts.Optimizer = T.optimizer,
    lr: opts.Lr = T.lr,
    batch_size: opts.BatchSize = T.batch_size,
    weight_decay: opts.Decay = None,
    seed: opts.Seed = 0,
    dataset: opts.DatasetOption = "mnist",
    data_dir: opts.DataDir = None,
    split: opts.Split = training.SPLITS[0],
    devices: opts.Devices = 1,
    precision: opts.Precision = T.precision,
    out: opts.opt(Path, "Sweep directory.") = Path("runs/sweep"),
    overwrite: opts.opt(bool, "Start again instead of resuming the sweep in --out.") = False,
    as_json: opts.AsJson = False,
    coordinator: cluster.Coordinator = None,
    num_processes: cluster.NumProcesses = None,
    process_id: cluster.ProcessId = None,
    join_timeout: cluster.JoinTimeout = cluster.TIMEOUT,
) -> None:
    """Train one network per (h1, h2) pair, choose the widths on a validation split carved from
    the training part, retrain them and test once. Rerun the same command to resume.

    Across processes as `mnist train`: --devices per process, process 0 writes --out."""
    me = cluster.join(coordinator, num_processes, process_id, timeout=join_timeout,
                      command=cluster.command_options(locals()),
                      again=cluster.AGAIN_SWEEP)  # fmt: skip
    config = width_search.SweepConfig(
        tuple(h1 or SWEEP.h1), tuple(h2 or SWEEP.h2),
        recipes.model(activation=activation, batchnorm=batchnorm, dropout=dropout),
        recipes.train_config(optimizer, weight_decay=weight_decay, epochs=epochs, lr=lr,
                             batch_size=batch_size, precision=precision),
        val_fraction, final_epochs, devices * me.num_processes,
    )  # fmt: skip
    with (
        stop.stopping(stop.sweep_saved(out)),
        opts.progress_bar(
            as_json or me.process_id > 0, TextColumn("{task.percentage:>3.0f} %")
        ) as bar,
    ):
        task, line = bar.add_task("loading data", total=None), opts.say(bar)
        said = f"; {len(config.h1) * len(config.h2)} width pairs"

        def progress(p) -> None:
            stop.check()  # a safe point: between chunks of a network's training
            bar.update(task, description=p.label, total=p.total, completed=p.done)

        result = width_search.sweep_dataset(
            out, config, dataset=dataset, key=make_key(seed), data_dir=data_dir,
            split=split, seed=seed, overwrite=overwrite,
            on_data=lambda d: opts.begin(bar, d.summary() + said), on_progress=progress,
            on_pair=lambda r, reused: line(opts.pair_line(r, reused)),
        )  # fmt: skip
        if me.process_id > 0:
            return cluster.say_done(me, out)
        sweep_figures.write_heatmap(out)
        run_figures.write_run_figures(result.final_dir)
    if as_json:
        return print_json({"chosen": result.to_json()["chosen"], "reason": result.reason,
                           "test": result.metrics.headline(), "out": str(out)})  # fmt: skip
    out_console.print(f"chosen widths {result.chosen.h1}-{result.chosen.h2}: {result.reason}")
    out_console.print(opts.metrics_table(result.metrics, f"test metrics ({result.final_dir})"))
    out_console.print(f"table: {out / 'sweep.md'}  heat map: {out / 'heatmap.png'}")

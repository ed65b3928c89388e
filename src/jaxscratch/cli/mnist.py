"""``jaxscratch mnist``: train, evaluate and query a from-scratch MLP classifier (wiring only)."""

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jaxscratch import nn
from jaxscratch.cli._common import err_console, out_console, print_json
from jaxscratch.errors import JaxscratchError
from jaxscratch.runs import training

app = typer.Typer(help="A two-hidden-layer network on MNIST-format digits.", no_args_is_help=True)

# options shared by ``train`` and ``sweep``
DatasetOption = Annotated[str, typer.Option(help="mnist | fashion-mnist | digits.")]
DataDir = Annotated[Path | None, typer.Option(help="Folder with the four standard IDX files.")]
Split = Annotated[str, typer.Option(help="80-20 (pooled, stratified) | official.")]
Devices = Annotated[int, typer.Option(help="Train data parallel over this many JAX devices.")]

_SUMMARY = (
    "accuracy",
    "macro_f1",
    "weighted_f1",
    "roc_auc_macro",
    "log_loss",
    "brier_score",
    "ece",
)


def _widths(first: list[int] | None, extra: list[str]) -> tuple[int, ...]:
    """``--hidden 1024 1024``: click gives the first value, the rest arrive as extra arguments."""
    if first is None:
        if extra:
            raise JaxscratchError(f"unexpected arguments {' '.join(extra)}; see --help")
        return (512, 256)
    try:
        widths = tuple(first) + tuple(int(w) for w in extra)
    except ValueError:
        raise JaxscratchError(
            f"--hidden takes positive integers, got {' '.join(extra)}; e.g. --hidden 1024 1024"
        ) from None
    if min(widths) < 1:
        raise JaxscratchError(f"--hidden widths must be >= 1, got {list(widths)}")
    return widths


def _metrics_table(m: dict, title: str) -> Table:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name in _SUMMARY:
        table.add_row(name, "n/a" if m[name] is None else f"{m[name]:.4f}")
    return table


@app.command(context_settings={"allow_extra_args": True})
def train(
    ctx: typer.Context,
    hidden: Annotated[
        list[int] | None, typer.Option(help="Hidden widths, e.g. --hidden 512 256 (default).")
    ] = None,
    activation: Annotated[str, typer.Option(help="relu | gelu | tanh")] = "relu",
    batchnorm: Annotated[bool, typer.Option(help="Batch normalisation after each dense.")] = True,
    dropout: Annotated[float, typer.Option(help="Dropout rate after each hidden layer.")] = 0.1,
    init: Annotated[
        str, typer.Option(help="he-uniform | glorot-uniform | he-normal | glorot-normal (auto).")
    ] = "",
    optimizer: Annotated[
        str, typer.Option(help="sgd | momentum | nesterov | adam | adamw")
    ] = "adamw",
    lr: Annotated[float, typer.Option(help="Peak learning rate.")] = 3e-3,
    schedule: Annotated[
        str | None, typer.Option(help="constant | step | cosine [default: cosine for adam(w)].")
    ] = None,
    warmup_epochs: Annotated[float, typer.Option(help="Linear warm-up (cosine).")] = 1.0,
    epochs: Annotated[
        int | None, typer.Option(help="Epochs (default 10; resume: extend).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Mini-batch size.")] = 128,
    weight_decay: Annotated[
        float | None,
        typer.Option(help="AdamW: decoupled [default 1e-4]; others: L2 penalty [default 0]."),
    ] = None,
    label_smoothing: Annotated[float, typer.Option(help="In [0, 1).")] = 0.0,
    clip_norm: Annotated[float, typer.Option(help="Global-norm gradient clip (0 = off).")] = 0.0,
    augment: Annotated[
        bool, typer.Option(help="Random shifts (<= 2 px) and rotations (<= 10 degrees).")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed for the split, initialisation and batches.")] = 0,
    dataset: DatasetOption = "mnist",
    data_dir: DataDir = None,
    split: Split = "80-20",
    out: Annotated[Path, typer.Option(help="Run directory.")] = Path("runs/mnist"),
    devices: Devices = 1,
    resume: Annotated[bool, typer.Option(help="Continue the run in --out (its config).")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace the run in --out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Train a network, writing history, metrics, figures, report and checkpoint to --out."""
    widths = _widths(hidden, ctx.args)
    training.check_run_dir(out, resume=resume, overwrite=overwrite)
    if epochs is not None and epochs < 1:
        raise JaxscratchError(f"--epochs must be >= 1, got {epochs}")
    if split not in training.SPLITS:
        raise JaxscratchError(f"unknown --split {split!r}; choose 80-20 or official")
    model = nn.MLPConfig((1, *widths, 10), activation, batchnorm, dropout, init)
    nn.model.check_config(model)
    if schedule is None:
        schedule = "cosine" if optimizer in ("adam", "adamw") else "constant"
    if weight_decay is None:
        weight_decay = 1e-4 if optimizer == "adamw" else 0.0
    recipe = nn.TrainConfig(
        epochs or 10, batch_size, optimizer, lr, schedule, warmup_epochs,
        weight_decay=weight_decay, label_smoothing=label_smoothing, clip_norm=clip_norm,
        augment_shift=2.0 * augment, augment_degrees=10.0 * augment,
    )  # fmt: skip
    nn.train.check_train_config(recipe, batch_size)
    nn.train.check_devices(devices, batch_size)
    if resume:  # the run's own data, architecture and recipe; --epochs may extend it
        data = training.load_run_data(out)
    else:
        data = training.load_data(dataset, data_dir=data_dir, split=split, seed=seed)
    n_in, n_out = int(np.prod(data.x_train.shape[1:])), int(data.y_train.max()) + 1
    model = model._replace(sizes=(n_in, *widths, max(n_out, 10)))
    if not as_json:
        err_console.print(
            f"{data.name}: {len(data.y_train):,} train / {len(data.y_test):,} test images "
            f"({data.split} split) from {data.source}"
        )
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
    )  # fmt: skip
    with Progress(*columns, console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("training", total=None, stats="")

        def progress(p: nn.EpochProgress) -> None:
            stats = f"loss {p.loss:.4f} acc {100 * p.accuracy:.1f} %"
            epoch = f"epoch {p.epoch}/{p.epochs}"
            bar.update(task, description=epoch, total=p.steps, completed=p.step, stats=stats)

        def epoch_done(h: dict) -> None:
            if not as_json:
                bar.console.print(
                    f"epoch {h['epoch'][-1]:>3}  train loss {h['train_loss'][-1]:.4f} "
                    f"acc {100 * h['train_accuracy'][-1]:.2f} %  "
                    f"test loss {h['test_loss'][-1]:.4f} "
                    f"acc {100 * h['test_accuracy'][-1]:.2f} %  {h['epoch_seconds'][-1]:.2f} s"
                )

        metrics = training.train_run(
            out, data, model, recipe, seed=seed, resume=resume, overwrite=overwrite,
            epochs=epochs, on_progress=progress, on_epoch=epoch_done, devices=devices,
            data_meta={"dataset": dataset, "data_dir": data_dir and str(data_dir)},
        )  # fmt: skip
    if as_json:
        print_json({k: metrics[k] for k in _SUMMARY} | {"out": str(out)})
        return
    out_console.print(_metrics_table(metrics, f"test metrics ({out})"))
    out_console.print(f"report: {out / 'report.md'}")


@app.command()
def evaluate(
    run: Annotated[Path, typer.Argument(help="A run directory written by `mnist train`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every metric as JSON.")] = False,
) -> None:
    """Recompute a run's test metrics and rewrite its metrics, figures and report."""
    metrics = training.evaluate_run(run)
    if as_json:
        print_json(metrics)
        return
    out_console.print(_metrics_table(metrics, f"test metrics ({run})"))


@app.command()
def predict(
    run: Annotated[Path, typer.Argument(help="A run directory written by `mnist train`.")],
    image: Annotated[Path, typer.Argument(help="A PNG/JPEG picture of one digit.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Classify one picture (resized to the training size; dark-on-light is inverted)."""
    proba, names = training.predict_image(run, image)
    best = int(np.argmax(proba))
    if as_json:
        probabilities = [float(p) for p in proba]
        print_json({"class": best, "name": names[best], "probabilities": probabilities})
        return
    top = np.argsort(-proba)[:3]
    shares = ", ".join(f"{names[k]}: {100 * proba[k]:.1f} %" for k in top)
    out_console.print(f"class {best} ({names[best]})  [{shares}]")


class _ManyValues(typer.core.TyperCommand):
    """Let ``--h1 64 128 256`` give three values: rewritten to ``--h1 64 --h1 128 ...``."""

    many = ("--h1", "--h2")

    def parse_args(self, ctx, args):
        out, current = [], None
        for a in args:
            if a.startswith("-"):
                current = a if a in self.many else None
                if current is None:
                    out.append(a)
            elif current is not None:
                out += [current, a]
            else:
                out.append(a)
        return super().parse_args(ctx, out)


@app.command(cls=_ManyValues)
def sweep(
    h1: Annotated[
        list[int] | None, typer.Option("--h1", help="First hidden widths, e.g. --h1 64 128 256.")
    ] = None,
    h2: Annotated[
        list[int] | None, typer.Option("--h2", help="Second hidden widths, e.g. --h2 32 64.")
    ] = None,
    epochs: Annotated[int, typer.Option(help="Epochs per network.")] = 10,
    final_epochs: Annotated[
        int | None, typer.Option(help="Epochs of the final network [default: --epochs].")
    ] = None,
    val_fraction: Annotated[
        float, typer.Option(help="Share of the training part held out for validation.")
    ] = 0.1,
    activation: Annotated[str, typer.Option(help="relu | gelu | tanh")] = "relu",
    batchnorm: Annotated[bool, typer.Option(help="Batch normalisation after each dense.")] = True,
    dropout: Annotated[float, typer.Option(help="Dropout rate after each hidden layer.")] = 0.1,
    optimizer: Annotated[str, typer.Option(help="sgd | momentum | nesterov | adam | adamw")] = (
        "adamw"
    ),
    lr: Annotated[float, typer.Option(help="Peak learning rate.")] = 3e-3,
    batch_size: Annotated[int, typer.Option(help="Mini-batch size.")] = 128,
    weight_decay: Annotated[float, typer.Option(help="AdamW decoupled weight decay.")] = 1e-4,
    seed: Annotated[int, typer.Option(help="Seed for the splits, initialisation, batches.")] = 0,
    dataset: DatasetOption = "mnist",
    data_dir: DataDir = None,
    split: Split = "80-20",
    devices: Devices = 1,
    out: Annotated[Path, typer.Option(help="Sweep directory.")] = Path("runs/sweep"),
    overwrite: Annotated[
        bool, typer.Option(help="Start again instead of resuming the sweep in --out.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Train one network per (h1, h2) pair, choose the widths on a validation split carved from
    the training part, retrain them and test once. Rerun the same command to resume."""
    from jaxscratch.runs import width_search as sweep_lib

    if epochs < 1:
        raise JaxscratchError(f"--epochs must be >= 1, got {epochs}")
    if split not in training.SPLITS:
        raise JaxscratchError(f"unknown --split {split!r}; choose 80-20 or official")
    model = nn.MLPConfig((1, 1, 1, 10), activation, batchnorm, dropout)
    nn.model.check_config(model)
    schedule = "cosine" if optimizer in ("adam", "adamw") else "constant"
    recipe = nn.TrainConfig(epochs, batch_size, optimizer, lr, schedule, 1.0,
                            weight_decay=weight_decay)  # fmt: skip
    nn.train.check_train_config(recipe, batch_size)
    config = sweep_lib.check_sweep_config(sweep_lib.SweepConfig(
        tuple(h1 or (64, 128, 256, 512, 1024)), tuple(h2 or (32, 64, 128, 256, 512)), model,
        recipe, val_fraction, seed, final_epochs, devices))  # fmt: skip
    nn.train.check_devices(devices, batch_size)
    if out.exists() and not out.is_dir():
        raise JaxscratchError(f"sweep directory {out} is a file; give a directory path")
    data = training.load_data(dataset, data_dir=data_dir, split=split, seed=seed)
    if not as_json:
        err_console.print(
            f"{data.name}: {len(data.y_train):,} train / {len(data.y_test):,} test images "
            f"({data.split} split) from {data.source}; "
            f"{len(config.h1) * len(config.h2)} width pairs"
        )
    columns = (
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f} %"),
        TimeElapsedColumn(),
    )  # fmt: skip
    with Progress(*columns, console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("sweep", total=None)

        def progress(p: sweep_lib.SweepProgress) -> None:
            bar.update(task, description=p.label, total=p.total, completed=p.done)

        def pair_done(r: dict, reused: bool) -> None:
            if not as_json:
                how = "recorded earlier" if reused else f"{r['seconds']:.1f} s"
                bar.console.print(
                    f"{r['h1']:>5} x {r['h2']:<5} {r['params']:>10,} params  "
                    f"validation acc {100 * r['val_accuracy']:.2f} %  ({how})"
                )

        result = sweep_lib.run_sweep(
            out, data, config, resume=not overwrite, on_progress=progress, on_pair=pair_done
        )
    chosen = {k: result.chosen[k] for k in ("h1", "h2", "params", "val_accuracy")}
    if as_json:
        test = {k: result.metrics[k] for k in _SUMMARY}
        print_json({"chosen": chosen, "reason": result.reason, "test": test, "out": str(out)})
        return
    out_console.print(f"chosen widths {chosen['h1']}-{chosen['h2']}: {result.reason}")
    out_console.print(_metrics_table(result.metrics, f"test metrics ({result.final_dir})"))
    out_console.print(f"table: {out / 'sweep.md'}  heat map: {out / 'heatmap.png'}")

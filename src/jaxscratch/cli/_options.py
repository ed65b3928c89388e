"""What the commands that train share: typed options with their help (the options ``mnist
train`` and ``mnist sweep`` both take; defaults stay at the commands, read from the recipe),
many values per flag, a progress bar with lines printed above it, and those lines."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from jaxscratch.cli._common import err_console
from jaxscratch.errors import JaxscratchError
from jaxscratch.runs import recipes, records


def opt(kind, help: str, *names: str):
    """An option's type for a signature: ``kind`` with its help text (and flag names)."""
    return Annotated[kind, typer.Option(*names, help=help)]


# the options both training commands take
Activation = opt(str, "relu | gelu | tanh")
BatchNorm = opt(bool, "Batch normalisation after each dense.")
Dropout = opt(float, "Dropout rate after each hidden layer.")
Optimizer = opt(str, "sgd | momentum | nesterov | adam | adamw")
Lr = opt(float, "Peak learning rate.")
BatchSize = opt(int, "Mini-batch size.")
Decay = opt(
    float | None, f"AdamW: decoupled [{recipes.TRAIN.weight_decay:g}]; others: L2 penalty [0]."
)
Seed = opt(int, "Seed of the run's key: split, initialisation, batches.")
DatasetOption = opt(str, "mnist | fashion-mnist | digits.")
DataDir = opt(Path | None, "Folder with the four standard IDX files.")
Split = opt(str, "80-20 (pooled, stratified) | official.")
Devices = opt(int, "Train data parallel over this many JAX devices.")
Precision = opt(str, "f32 | bf16 (bfloat16 products, float32 accumulation and weights).")
AsJson = opt(bool, "Print the result as JSON.", "--json")
Widths = list[int] | None


class ManyValues(typer.core.TyperCommand):
    """Let ``--h1 64 128 256`` give three integers: rewritten to ``--h1 64 --h1 128 ...``."""

    many = ("--hidden", "--h1", "--h2")

    def parse_args(self, ctx, args):
        out, flag = [], None
        for a in args:
            if flag and a.startswith("-") and a[1:].replace(".", "", 1).isdigit():
                raise JaxscratchError(f"{flag} takes positive integers, got {a}; e.g. {flag} 64")
            if a.startswith("-"):
                flag = a if a in self.many else None
                out += [] if flag else [a]
            elif flag and not a.isdigit():
                raise JaxscratchError(f"{flag} takes positive integers, got {a}; e.g. {flag} 64")
            else:
                out += [flag, a] if flag else [a]
        return super().parse_args(ctx, out)


@contextmanager
def progress_bar(quiet: bool, *middle) -> Iterator[Progress]:
    """A transient bar on stderr (description, bar, ``middle`` columns, time), shown from
    ``begin`` on, so that bad input refused before it prints its one line only; off when
    ``quiet`` (JSON output), and then ``say`` and ``begin`` print nothing either."""
    columns = (TextColumn("{task.description}"), BarColumn(), *middle, TimeElapsedColumn())
    bar = Progress(*columns, console=err_console, transient=True, disable=quiet)
    try:
        yield bar
    finally:
        if bar.live.is_started:  # (stopping a bar never shown prints an empty line)
            bar.stop()


def say(bar: Progress) -> Callable[[str], None]:
    """Print a line above ``bar`` (nothing when the bar is off)."""
    return (lambda _: None) if bar.disable else bar.console.print


def begin(bar: Progress, line: str) -> None:
    """Say ``line`` (what is about to run) and show the bar."""
    say(bar)(line)
    bar.start()


def metrics_table(m: records.Metrics, title: str) -> Table:
    """The headline test metrics, one row each."""
    table = Table("metric", Column("value", justify="right"), title=title)
    for name, value in m.headline().items():
        table.add_row(name, "n/a" if value is None else f"{value:.4f}")
    return table


def epoch_line(history: dict) -> str:
    """The last epoch of a training history in one line."""
    e = {k: v[-1] for k, v in history.items() if isinstance(v, list)}
    return (f"epoch {e['epoch']:>3}  train loss {e['train_loss']:.4f} acc "
            f"{100 * e['train_accuracy']:.2f} %  test loss {e['test_loss']:.4f} acc "
            f"{100 * e['test_accuracy']:.2f} %  {e['epoch_seconds']:.2f} s")  # fmt: skip


def pair_line(r: records.PairRecord, reused: bool) -> str:
    """One finished width pair of a sweep in one line."""
    how = "recorded earlier" if reused else f"{r.seconds:.1f} s"
    return (f"{r.h1:>5} x {r.h2:<5} {r.params:>10,} params  "
            f"validation acc {100 * r.val_accuracy:.2f} %  ({how})")  # fmt: skip

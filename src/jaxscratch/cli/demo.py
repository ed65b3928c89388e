"""``jaxscratch demo``: the end-to-end run of every part, writing results to one folder."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

import jaxscratch.cli._interrupts as stop  # Ctrl-C: safe points and the one line it prints
from jaxscratch._io import check_writable
from jaxscratch.cli._common import err_console, make_key
from jaxscratch.cli.report import print_report
from jaxscratch.pipeline.demo import run_demo


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the results.")] = Path("runs/demo"),
    seed: Annotated[int, typer.Option(help="Seed for every part.")] = 0,
    quick: Annotated[bool, typer.Option(help="Small sizes: a fast smoke run.")] = False,
    part: Annotated[
        list[str] | None, typer.Option("--part", help="Run only this part (repeatable).")
    ] = None,
    fresh: Annotated[bool, typer.Option(help="Redo parts that finished before.")] = False,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive/--static",
            help="Live panels in report.html (they run in the browser), or figures only.",
        ),
    ] = True,
) -> None:
    """Run every part with sensible defaults, write report.html, and say where it is."""
    key = make_key(seed)  # a bad seed or an unwritable --out: one line, before the bar shows
    check_writable(out, folder=True)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with stop.stopping(stop.demo_saved(out)), Progress(*columns, console=err_console) as bar:

        def progress(p):
            task = bar.add_task(p.title, total=None)

            def step(done, total):
                stop.check()  # a safe point: between steps of a part
                bar.update(task, completed=done, total=total)

            return step

        def on_reuse(p):
            err_console.print(f"reusing {p.title} from {out / p.key} (--fresh to redo it)")

        report = run_demo(out, key, seed=seed, quick=quick, parts=part,
                          resume=not fresh, progress=progress, on_reuse=on_reuse,
                          interactive=interactive)  # fmt: skip
    print_report(report)  # plain lines: paths never wrapped, easy to copy or parse
    typer.echo(f"all results: {out}/")

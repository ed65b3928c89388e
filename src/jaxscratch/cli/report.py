"""``jaxscratch report RUN_DIR``: rewrite a finished demo folder's report.html, live or static."""

from pathlib import Path
from typing import Annotated

import typer

from jaxscratch.pipeline.demo import rebuild_report
from jaxscratch.report.live.page import MAX_BYTES


def print_report(path: Path) -> None:
    """The report's path and its size against the limit, as plain lines easy to copy or parse."""
    size = path.stat().st_size
    typer.echo(f"report: {path}")
    typer.echo(f"report size: {size / 1e6:.1f} MB (limit {MAX_BYTES / 1e6:.0f} MB)")
    if size > MAX_BYTES:
        typer.echo(f"warning: {path} is larger than {MAX_BYTES / 1e6:.0f} MB", err=True)


def report(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by `jaxscratch demo`.")],
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive/--static",
            help="Live panels that run in the browser, or the figures and tables only.",
        ),
    ] = True,
) -> None:
    """Rewrite RUN_DIR/report.html from the parts that finished there (no part is rerun)."""
    print_report(rebuild_report(run_dir, interactive))

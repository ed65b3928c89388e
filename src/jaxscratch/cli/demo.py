"""``jaxscratch demo``: the end-to-end run of every part, writing results to one folder."""

from pathlib import Path
from typing import Annotated

import typer

from jaxscratch.cli import mvn


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the results.")] = Path("runs/demo"),
    seed: Annotated[int, typer.Option(help="Seed for every part.")] = 0,
) -> None:
    """Run every part with sensible defaults and say where the results are."""
    out.mkdir(parents=True, exist_ok=True)
    mvn.sample(dim=10, n=1_000_000, seed=seed, mean=None, cov=None, method="box-muller",
               dtype="float32", condition_number=10.0, allow_singular=False,
               out=None, as_json=False, chunk=262_144)  # fmt: skip
    typer.echo(f"results in {out}")

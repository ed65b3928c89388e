"""The ``jaxscratch`` command: one sub-command group per part, wiring only.

Contract: a command parses its options, turns ``--seed`` into a key (``_common.make_key``, the
one key implementation), calls one library function and prints, saves or draws what it returns.
``main`` is the entry point: it sets the matplotlib backend, turns every ``JaxscratchError`` into
one line on stderr with exit code 2, and Ctrl-C into exit code 130.
"""

import sys

import typer

from jaxscratch.cli import bivariate as bivariate_cli
from jaxscratch.cli import blr, data, demo, mnist, mvn, report
from jaxscratch.cli import explore as explore_cli
from jaxscratch.errors import JaxscratchError

app = typer.Typer(
    name="jaxscratch",
    help="Classic probabilistic machine learning from scratch in JAX.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(mvn.app, name="mvn")
app.add_typer(data.app, name="data")
app.add_typer(blr.app, name="blr")
app.add_typer(mnist.app, name="mnist")
app.command("demo")(demo.demo)
app.add_typer(bivariate_cli.app, name="bivariate")
app.command("explore")(explore_cli.explore)
app.command("report")(report.report)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user errors become one line on stderr and exit code 2."""
    import matplotlib

    matplotlib.use("Agg")  # the CLI writes files only: never open a window
    try:
        app(args=argv, prog_name="jaxscratch")
    except JaxscratchError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)

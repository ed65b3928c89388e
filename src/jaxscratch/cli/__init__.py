"""The ``jaxscratch`` command: one sub-command group per part, wiring only.

Contract: a command parses its options, turns ``--seed`` into a key (``_common.make_key``, the
one key implementation), calls one library function and prints, saves or draws what it returns.
``main`` is the entry point: it sets the matplotlib backend, turns every ``JaxscratchError`` into
one line on stderr with exit code 2, and Ctrl-C into one line and exit code 130
(``_interrupts``: what was saved and the command that resumes). Typer runs with
``standalone_mode=False`` so that its usage errors (a bad type, an unknown option) reach ``main``
too and print in the same one-line format, with the command's ``--help`` as the hint; a JAX
allocation that still fails (``RESOURCE_EXHAUSTED``) prints the same kind of line. Across
processes (``_cluster``), a command that ended well says so to the others, and a collective that
fails because another process was lost is one line naming it (exit code 2).
"""

import sys

import jax
import typer

from jaxscratch import limits
from jaxscratch.cli import bivariate as bivariate_cli
from jaxscratch.cli import blr, data, demo, mnist, mvn, report
from jaxscratch.cli import explore as explore_cli
from jaxscratch.cli._cluster import collective_failed, leave
from jaxscratch.cli._interrupts import Interrupted, deferred, rerun
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


def _usage_line(err: typer.TyperException) -> str:
    """Typer's usage error (bad type, unknown option, missing value) in one line: the message,
    then the command's --help; never its boxed usage block."""
    message = " ".join(err.format_message().split()).rstrip(".")
    ctx = getattr(err, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return f"error: {message}{hint}"


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user errors become one line on stderr and exit code 2."""
    import matplotlib

    matplotlib.use("Agg")  # the CLI writes files only: never open a window
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        with deferred(argv):
            code = app(args=argv, prog_name="jaxscratch", standalone_mode=False)
    except JaxscratchError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except (Interrupted, KeyboardInterrupt) as stop:
        said = str(stop) if isinstance(stop, Interrupted) else ""
        print(f"interrupted: {said or _UNSAVED.format(rerun())}", file=sys.stderr)
        sys.exit(130)
    except typer.TyperException as err:  # click's usage errors, raised with standalone off
        if type(err).__name__ != "NoArgsIsHelpError":  # (that one has printed the help)
            print(_usage_line(err), file=sys.stderr)
        sys.exit(2)
    except jax.errors.JaxRuntimeError as err:
        if "RESOURCE_EXHAUSTED" not in str(err):
            collective_failed(err)  # across processes: one line, never returns
            raise
        print(f"error: {limits.exhausted(err)}", file=sys.stderr)
        sys.exit(2)
    if not code:
        leave()  # across processes: this one ended well, it is not lost
    if code == 130:  # typer's own turn of a KeyboardInterrupt
        print(f"interrupted: {_UNSAVED.format(rerun())}", file=sys.stderr)
    if isinstance(code, int) and code:  # typer's Exit(code)
        sys.exit(code)


_UNSAVED = "every file is written whole or not at all; run it again: {}"

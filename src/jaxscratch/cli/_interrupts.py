"""Ctrl-C in the long commands: honoured at safe points, reported in one line, exit code 130.

Contract: ``main`` runs every command inside ``deferred(argv)``. A command with safe points
wraps its work in ``with stopping(saved):`` and calls ``check()`` from its progress callbacks
(between training chunks, epochs, width pairs, demo steps). Inside ``stopping``, the first
SIGINT only marks the stop; the next ``check()`` (or the end of the block) raises
``Interrupted`` with ``saved()``: one line saying what is on disk and the exact command that
resumes. A second SIGINT stops at once. Outside ``stopping``, SIGINT raises ``Interrupted`` at
once, as Python's own handler would raise ``KeyboardInterrupt``.

Why deferred: Python raises ``KeyboardInterrupt`` at whatever bytecode runs when the signal
arrives. During the final evaluation and the figures that is inside JAX's dispatch and
compilation code (Python called back from XLA's C++ runtime, with computations in flight on
its threads) or inside matplotlib; the exception unwinds through their half-done state, typer
turns it into a bare exit 130, and the interpreter shuts down with XLA's runtime mid-way: the
segmentation fault (exit 139) of issue #13, seen here in 1 of 3 tries of SIGINT during the
final evaluation. A safe point is our own code between two steps; before ``Interrupted``
leaves it, every dispatched computation is waited for (``_quiesce``), so the unwinding and the
shutdown run with nothing of JAX's in flight.

``Interrupted`` is a ``BaseException`` but not a ``KeyboardInterrupt``: typer turns a
``KeyboardInterrupt`` into a bare exit 130 before ``main`` can say anything, and a library's
``except Exception`` cannot swallow it.
"""

import shlex
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import jax

from jaxscratch.pipeline import demo
from jaxscratch.runs import training, width_search


class Interrupted(BaseException):
    """Ctrl-C; the message says what was saved and the command that resumes."""


class _Stop:
    """The process's SIGINT state (signals are process-wide): whether a stop is pending,
    whether the running command has safe points, and the command line to resume with."""

    argv: tuple[str, ...] = ()
    deferring = False
    pending = False


def _on_sigint(signum, frame) -> None:
    if _Stop.deferring and not _Stop.pending:
        _Stop.pending = True  # honoured by the next check()
        return
    _Stop.pending = False
    raise Interrupted()


@contextmanager
def deferred(argv: Sequence[str]) -> Iterator[None]:
    """Route SIGINT to this module for the block (main thread only; else nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _on_sigint)
    _Stop.argv, _Stop.deferring, _Stop.pending = tuple(argv), False, False
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _Stop.deferring = _Stop.pending = False
        # also after a stop at once: nothing of JAX's in flight at the exit (a computation
        # that failed has already raised its own error, which this must not replace)
        with suppress(jax.errors.JaxRuntimeError):
            _quiesce()


def _quiesce() -> None:
    """Wait for every computation JAX has dispatched (a training chunk runs while the previous
    one is reported), so that nothing of XLA's is in flight while the stack unwinds."""
    jax.block_until_ready(jax.live_arrays())


def check() -> None:
    """A safe point: raise ``Interrupted`` if Ctrl-C was pressed since the last one."""
    if _Stop.pending:
        _Stop.pending = False
        _quiesce()
        raise Interrupted()


@contextmanager
def stopping(saved: Callable[[], str]) -> Iterator[None]:
    """Defer Ctrl-C to ``check()`` inside the block, and turn a stop into ``Interrupted(saved())``.

    A Ctrl-C during the block's last stretch (final evaluation, figures) stops at its end, once
    everything is written.
    """
    _Stop.deferring = True
    try:
        yield
        _Stop.deferring = False
        check()
    except Interrupted:
        _Stop.deferring = False
        raise Interrupted(saved()) from None
    finally:
        _Stop.deferring = False


def rerun(*, drop: Sequence[str] = ()) -> str:
    """The command line that was run, without the flags ``drop`` (e.g. ``--overwrite``)."""
    return shlex.join(["jaxscratch", *(a for a in _Stop.argv if a not in drop)])


# what each long command says it saved, and the command that resumes it


def train_saved(out: Path, devices: int = 1) -> Callable[[], str]:
    """What an interrupted ``mnist train --out out`` saved and the command that resumes it."""

    def said() -> str:
        s = training.saved(out)
        more = [] if devices == 1 else ["--devices", str(devices)]
        resume = shlex.join(["jaxscratch", "mnist", "train", "--out", str(out), "--resume", *more])
        if s.complete:
            return f"the run in {out} is complete ({s.epochs} epochs, metrics, figures, report)"
        if s.epoch == 0:
            return f"no epoch was saved in {out}; run the same command again: {rerun()}"
        if s.epoch < s.epochs:
            return f"epoch {s.epoch} of {s.epochs} is saved in {out}; resume with: {resume}"
        return (f"all {s.epochs} epochs are saved in {out}, not all of its metrics and figures; "
                f"finish with: {resume}")  # fmt: skip

    return said


def sweep_saved(out: Path) -> Callable[[], str]:
    """What an interrupted ``mnist sweep --out out`` saved and the command that resumes it."""

    def said() -> str:
        r = width_search.recorded(out)
        if r.complete:
            return f"the sweep in {out} is complete ({r.total} width pairs, the final network)"
        if r.total == 0:
            return f"nothing was saved in {out}; run the same command again: {rerun()}"
        again = rerun(drop=("--overwrite",))  # --overwrite would drop the pairs recorded
        final = "" if r.pairs < r.total else " (the final network starts again)"
        return (f"{r.pairs} of {r.total} width pairs are recorded in {out / 'pairs'}{final}; "
                f"resume with: {again}")  # fmt: skip

    return said


def demo_saved(out: Path) -> Callable[[], str]:
    """What an interrupted ``demo --out out`` kept and the command that goes on from there."""

    def said() -> str:
        done = demo.finished_parts(out)
        kept = f"parts {', '.join(done)} are finished in {out}" if done else "no part finished"
        return f"{kept}; go on with: {rerun(drop=('--fresh',))}"

    return said

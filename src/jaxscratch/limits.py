"""Memory limits: refuse a request too large for this machine before anything is allocated.

Contract: ``check_fits(what, nbytes, largest)`` raises the one ``JaxscratchError`` "<what> needs
~X GB, more than the Y GB this machine can give; the largest that fits is Z" when the estimate
``nbytes`` exceeds ``budget()``; ``largest(budget)`` names the biggest request that fits, in the
caller's own units (samples, points, widths). ``budget()`` is a fraction of ``MemAvailable`` in
``/proc/meminfo`` (``JAXSCRATCH_MEMORY_LIMIT`` in bytes overrides it, e.g. to test); where
``/proc/meminfo`` is missing there is no limit. ``exhausted(err)`` is the same kind of message
for an allocation JAX itself refused (``RESOURCE_EXHAUSTED``). Plumbing: imports nothing but
the error type.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

from jaxscratch.errors import JaxscratchError

FRACTION = 0.8  # of MemAvailable: leave the rest to the OS, the page cache and Python itself
ENV = "JAXSCRATCH_MEMORY_LIMIT"
MEMINFO = Path("/proc/meminfo")


def available() -> int | None:
    """Bytes the kernel says a new allocation can take (``MemAvailable``), or None if unknown."""
    try:
        found = re.search(r"^MemAvailable:\s+(\d+) kB", MEMINFO.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) * 1024 if found else None


def budget() -> int | None:
    """The bytes one command may plan to allocate: ``$JAXSCRATCH_MEMORY_LIMIT`` if set, else
    ``FRACTION`` of ``available()``; None when neither is known (no check)."""
    if os.environ.get(ENV):
        try:
            return int(float(os.environ[ENV]))
        except ValueError:
            raise JaxscratchError(f"{ENV}={os.environ[ENV]!r} is not a number of bytes") from None
    free = available()
    return None if free is None else int(FRACTION * free)


def human(nbytes: float) -> str:
    """Bytes in the largest unit that keeps the number >= 1 (decimal units)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{nbytes:.0f} bytes"


def check_fits(what: str, nbytes: float, largest: Callable[[int], str]) -> None:
    """Refuse ``what`` when its estimated ``nbytes`` exceed the budget.

    Args:
        what: the request as the user wrote it, e.g. "--n 1000000000000 samples of d = 10".
        nbytes: the estimate of the largest memory the request holds at once.
        largest: budget in bytes -> the largest request that fits, e.g. "--n 123456".
    """
    limit = budget()
    if limit is not None and nbytes > limit:
        raise JaxscratchError(
            f"{what} needs about {human(nbytes)} of memory, more than the {human(limit)} this "
            f"machine can give ({FRACTION:.0%} of what is free); the largest that fits is "
            f"{largest(limit)}"
        )


def exhausted(err: Exception) -> str:
    """JAX's out-of-memory error (``RESOURCE_EXHAUSTED``) as one line with the fix."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else "out of memory"
    return f"out of memory: {first.removeprefix('RESOURCE_EXHAUSTED: ')}; ask for less"

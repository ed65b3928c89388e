"""Helpers shared by the CLI commands: parsing arrays, the dtype context, the key, printing."""

import json
import re
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from rich.console import Console

from jaxscratch._shared import check_choice
from jaxscratch.errors import JaxscratchError

err_console = Console(stderr=True)
out_console = Console(soft_wrap=True)  # long paths stay on one line


def parse_array(text: str, name: str) -> np.ndarray:
    """Numbers from a string ("1 2 3", "1,2;3,4") or a .npy/.csv/.txt file path."""
    path = Path(text)
    if path.suffix.lower() in {".npy", ".csv", ".txt"}:
        if not path.is_file():
            raise JaxscratchError(f"{name} file {text!r} does not exist; give a readable path")
        try:
            if path.suffix.lower() == ".npy":
                return np.asarray(np.load(path, allow_pickle=False), dtype=float)
            return np.atleast_1d(
                np.loadtxt(path, delimiter="," if "," in path.read_text() else None)
            )
        except (ValueError, OSError, EOFError) as err:  # EOFError: an empty .npy file
            reason = err or "the file is empty"
            raise JaxscratchError(f"cannot read {name} from {text!r}: {reason}") from None
    rows = [r for r in re.split(r"[;\n]", text) if r.strip()]
    try:
        values = [[float(v) for v in re.split(r"[,\s]+", r.strip()) if v] for r in rows]
    except ValueError:
        raise JaxscratchError(
            f"{name} {text!r} is not a list of numbers; give e.g. '0 1 2' or a .npy/.csv file"
        ) from None
    if len(values) > 1:
        if len({len(r) for r in values}) != 1:
            raise JaxscratchError(f"{name} rows have different lengths; give a rectangular matrix")
        return np.asarray(values)
    return np.asarray(values[0] if values else [])


def as_square(flat: np.ndarray, name: str) -> np.ndarray:
    """Reshape d*d numbers into a (d, d) matrix; a 2-D input is returned as is."""
    if flat.ndim == 2:
        return flat
    d = int(round(np.sqrt(flat.size)))
    if d * d != flat.size or d == 0:
        raise JaxscratchError(
            f"{name} has {flat.size} numbers, not a square count; give d*d values row by row"
        )
    return flat.reshape(d, d)


DTYPES = ("float32", "float64")


def precision(name: str) -> tuple[np.dtype, AbstractContextManager]:
    """The dtype named 'float32' or 'float64', and the context to run the command's work in.

    64-bit JAX is switched on only inside that context (``jax.enable_x64``), never for the
    whole process: whatever runs after the command finds JAX as it was.
    """
    check_choice(name, "dtype", DTYPES)
    return jnp.dtype(name), jax.enable_x64(name == "float64")


SEED_MAX = 2**32 - 1  # the largest seed of a distinct threefry key (see make_key)


def make_key(seed: int) -> jax.Array:
    """The PRNG key every command makes from ``--seed``: JAX's default threefry generator.

    Threefry draws are the same on CPU, GPU and TPU and for any number of devices, so a seed
    names one result everywhere; the rbg generator promises neither. The cost: rbg's raw bits
    are about 1.5-2x faster on CPU (benchmarks/README.md, "the standard-normal stage": 176
    against 92 M words/s), which the benchmarks measure with their own keys.

    The seed must lie in [0, 2**32 - 1]: without 64-bit JAX the threefry seed keeps only its
    low 32 bits, so 2**32 would silently name the same key as 0 (and -1 that of 2**32 - 1),
    and numbers past 64 bits do not convert at all.
    """
    if not 0 <= seed <= SEED_MAX:
        raise JaxscratchError(
            f"--seed {seed} is out of range; give an integer from 0 to {SEED_MAX} (2**32 - 1, "
            "the seeds that name distinct keys)"
        )
    return jax.random.key(seed)


def check_positive(value: int | float, name: str) -> None:
    if not value >= 1:
        raise JaxscratchError(f"{name} must be >= 1, got {value}")


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2) + "\n")

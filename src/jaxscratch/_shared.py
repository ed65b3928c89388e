"""Plumbing shared by every layer: the version, named constants, and name -> entry lookups.

Contract: ``lookup(table, name, what)`` returns ``table[name]`` or raises the one "unknown
<what> 'x'; choose one of a, b, c" error every part of the package uses; constants are written
once here (``LOG_2PI``, ``N_CLASSES``).
"""

import math
from collections.abc import Iterable, Mapping
from typing import TypeVar

from jaxscratch.errors import JaxscratchError

__version__ = "0.1.0"

LOG_2PI = math.log(2.0 * math.pi)  # log(2 pi), in every Gaussian log density
N_CLASSES = 10  # digit-like data sets (MNIST, Fashion-MNIST, digits) have ten classes

T = TypeVar("T")


def unknown(name: object, what: str, options: Iterable[object]) -> JaxscratchError:
    """The error for a name that is not one of ``options``: what was given and what to give."""
    return JaxscratchError(
        f"unknown {what} {name!r}; choose one of {', '.join(map(str, options))}"
    )


def check_choice(name: str, what: str, options: Iterable[str]) -> str:
    """``name`` if it is one of ``options``, else the one-line "choose one of" error."""
    options = tuple(options)
    if name not in options:
        raise unknown(name, what, options)
    return name


def lookup(table: Mapping[str, T], name: str, what: str) -> T:
    """``table[name]``, or the one-line "choose one of" error naming every key."""
    if name not in table:
        raise unknown(name, what, table)
    return table[name]

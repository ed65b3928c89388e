"""Basis functions phi(x) and design matrices, with the input scaling recorded for new inputs.

Contract: ``make_basis(kind, x_train, ...)`` returns a hashable ``Basis`` holding the kind, its
size and the affine input scaling z = (x - shift) / scale learned from the training inputs;
``design(basis, x)`` maps any x (n,) to Phi (n, M) with the same scaling, so predictions on
new inputs are consistent. Every basis has a constant first column (the bias, Bishop §3.1).
"""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch._shared import check_choice
from jaxscratch.errors import JaxscratchError

KINDS = ("linear", "poly", "rbf", "sigmoid")


class Basis(NamedTuple):
    """A basis: ``kind``, polynomial ``degree``, ``centres`` and ``width`` (in scaled units),
    and the input scaling z = (x - shift) / scale. Hashable, so it can be a static argument."""

    kind: str
    degree: int = 1
    centres: tuple[float, ...] = ()
    width: float = 1.0
    shift: float = 0.0
    scale: float = 1.0

    @property
    def size(self) -> int:
        """Number of columns M of the design matrix (the bias included)."""
        if self.kind in ("linear", "poly"):
            return self.degree + 1
        return len(self.centres) + 1

    def names(self) -> list[str]:
        """One readable label per weight."""
        if self.kind in ("linear", "poly"):
            return [f"w{j}" for j in range(self.size)]
        return ["bias"] + [f"{self.kind}@{c:+.2f}" for c in self.centres]


def make_basis(
    kind: str,
    x_train,
    *,
    degree: int = 3,
    n_centres: int = 9,
    width: float | None = None,
) -> Basis:
    """Build a basis whose input scaling maps the training inputs onto [-1, 1].

    The "linear" basis (1, x) is left unscaled so its weights are the intercept and slope.

    Args:
        kind: "linear", "poly" (1, z, ..., z^degree), "rbf" (Gaussian bumps) or "sigmoid".
        x_train: (n,) training inputs that fix the scaling.
        degree: polynomial degree M for "poly" (>= 1).
        n_centres: number of evenly spaced centres in [-1, 1] for "rbf" / "sigmoid" (>= 1).
        width: bump width in scaled units (> 0); default the spacing between centres.

    Returns:
        The ``Basis``.
    """
    check_choice(kind, "basis", KINDS)
    if kind == "linear":
        return Basis("linear", degree=1)
    x = np.asarray(x_train, dtype=float)
    lo, hi = float(np.min(x)), float(np.max(x))
    if hi <= lo:
        raise JaxscratchError(
            f"all training x equal {lo:g}, so a {kind} basis cannot be scaled to the data; "
            "give inputs with some spread or use the linear basis"
        )
    shift, scale = 0.5 * (hi + lo), 0.5 * (hi - lo)
    if kind == "poly":
        if not (isinstance(degree, int | np.integer) and degree >= 1):
            raise JaxscratchError(f"polynomial degree must be an integer >= 1, got {degree}")
        return Basis("poly", degree=int(degree), shift=shift, scale=scale)
    if not (isinstance(n_centres, int | np.integer) and n_centres >= 1):
        raise JaxscratchError(f"number of centres must be an integer >= 1, got {n_centres}")
    centres = tuple(float(c) for c in np.linspace(-1.0, 1.0, int(n_centres)))
    if width is None:
        width = 2.0 / max(int(n_centres) - 1, 1)
    if not (math.isfinite(width) and width > 0):
        raise JaxscratchError(f"{kind} width must be finite and > 0, got {width}; try 0.25")
    return Basis(kind, centres=centres, width=float(width), shift=shift, scale=scale)


@jax.jit(static_argnums=0)
def design(basis: Basis, x: Array) -> Array:
    """Design matrix Phi[n, j] = phi_j(z_n), z = (x - shift) / scale (Bishop PRML §3.1).

    Args:
        basis: the ``Basis``.
        x: (n,) inputs.

    Returns:
        (n, M) design matrix, first column all ones.
    """
    z = (x - basis.shift) / basis.scale  # (n,)
    ones = jnp.ones_like(z)[:, None]  # (n, 1)
    if basis.kind in ("linear", "poly"):
        return z[:, None] ** jnp.arange(basis.degree + 1, dtype=z.dtype)  # (n, M)
    c = jnp.asarray(basis.centres, z.dtype)  # (K,)
    u = (z[:, None] - c) / basis.width  # (n, K)
    bumps = jnp.exp(-0.5 * u * u) if basis.kind == "rbf" else jax.nn.sigmoid(u)
    return jnp.concatenate([ones, bumps], axis=1)

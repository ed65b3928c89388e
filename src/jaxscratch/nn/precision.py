"""Precision policies: which dtype the matrix products take, and float32 everywhere else.

Contract: ``policy = precision.get(name)`` for ``name`` in ``PRECISIONS`` (``"f32"``,
``"bf16"``); ``dot(x, w, policy)`` is ``x @ w`` for x (n, k) and w (k, m) with the policy's
operand dtype (``policy.compute``) and float32 accumulation and result, in the forward pass
and in both products of its gradient. Parameters, optimizer state, batch-norm
statistics, bias and activation passes, softmax, loss and metrics stay float32 under every
policy: only the operands of the products change, so a checkpoint is float32 whatever the
policy that trained it.

Why bfloat16 needs no loss scaling: it keeps float32's 8 exponent bits (and drops 16 of the
23 mantissa bits), so it spans the same range, ~1e-38 to ~3e38. A gradient small enough to
underflow in bfloat16 underflows in float32 too; float16 (5 exponent bits, smallest normal
~6e-5) is the format that needs its loss scaled. What bfloat16 loses is resolution: a relative
rounding error of 2^-9 ~ 0.2 % per operand, which float32 accumulation keeps from compounding
over the k terms of each product (Kalamkar et al. 2019, "A study of BFLOAT16 for deep learning
training"; Micikevicius et al. 2018 for the float16 recipe).

Why a custom VJP for the bfloat16 product: XLA's CPU fast path (YNNPACK, AMX / AVX-512 BF16)
takes a product whose left operand is contracted over its last axis. The forward product
x W and the input gradient dz W^T are of that form; the weight gradient x^T dz, as autodiff
writes it, contracts both operands over the batch axis, so XLA converts it to float32 and runs
it at the float32 rate. The VJP below saves x^T (bfloat16, one small (k, n) copy) in the
forward pass instead, so the weight gradient is a plain (k, n) @ (n, m) product too. The casts
are part of the fusions that produce the operands (see the compiled HLO), not extra passes.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import Array, lax

from jaxscratch._shared import lookup

_F32 = jnp.float32
_NN = (((1,), (0,)), ((), ()))  # (n, k) @ (k, m): contract lhs axis 1 with rhs axis 0
_NT = (((1,), (1,)), ((), ()))  # (n, m) @ (k, m)^T: contract both over their last axis


class Policy(NamedTuple):
    """A precision as data (hashable: a static argument of the compiled programs)."""

    name: str
    compute: type  # dtype of the matrix products' operands; accumulation is float32


F32 = Policy("f32", jnp.float32)
BF16 = Policy("bf16", jnp.bfloat16)
POLICIES = {p.name: p for p in (F32, BF16)}
PRECISIONS = tuple(POLICIES)


def get(name: str) -> Policy:
    """The policy called ``name``; raises the one "unknown precision" error naming the choices."""
    return lookup(POLICIES, name, "precision")


def dot(x: Array, w: Array, policy: Policy = F32) -> Array:
    """x @ w (n, m) for x (n, k), w (k, m): operands in ``policy.compute``, float32 result."""
    if policy.compute == _F32:
        return x @ w
    return _mixed_dot(x, w, policy.compute)


def _transposed(x: Array) -> Array:
    """x^T (k, n) for x (n, k), in memory as a row-major (k, n) array.

    A plain ``x.T`` reaches XLA as a transposed *layout* of x, which the product then reads
    column-major, and the CPU backend runs a column-major bfloat16 product in float32. Going
    through three axes (n, k/g, g) -> (k/g, g, n) -> (k, n) is the same transpose as values
    but not a layout change, so XLA writes the (k, n) copy (fused with the cast that makes x).
    """
    n, k = x.shape
    g = next((g for g in (8, 4, 2) if k % g == 0), 1)
    if g == 1:
        return jnp.transpose(x)
    return jnp.transpose(x.reshape(n, k // g, g), (1, 2, 0)).reshape(k, n)


def _cast(x: Array, dtype) -> Array:
    """x in ``dtype``; float32 -> bfloat16 rounded to nearest even on the integer bits.

    The same values as ``x.astype(jnp.bfloat16)`` (NaN stays NaN, overflow rounds to inf), but
    XLA's CPU backend runs its own float32 -> bfloat16 convert at about two thirds of the
    memory rate, and this cast runs once a step over every weight: as integer adds and shifts
    it is as fast as a copy (``benchmarks/README.md``, #15 session 3).
    """
    if dtype != jnp.bfloat16 or x.dtype != _F32:
        return x.astype(dtype)
    bits = lax.bitcast_convert_type(x, jnp.uint32)
    lsb = (bits >> 16) & 1  # ties go to the even bfloat16
    top = ((bits + 0x7FFF + lsb) >> 16).astype(jnp.uint16)
    top = jnp.where(jnp.isnan(x), jnp.uint16(0x7FC0), top)  # a NaN's mantissa may carry over
    return lax.bitcast_convert_type(top, jnp.bfloat16)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _mixed_dot(x: Array, w: Array, dtype) -> Array:
    return lax.dot_general(_cast(x, dtype), _cast(w, dtype), _NN, preferred_element_type=_F32)


def _mixed_dot_fwd(x, w, dtype):
    xc, wc = _cast(x, dtype), _cast(w, dtype)
    y = lax.dot_general(xc, wc, _NN, preferred_element_type=_F32)  # (n, m)
    xt = _transposed(xc)  # (k, n), a real copy: the weight gradient is a plain product
    return y, (xt, wc, jnp.zeros((0,), x.dtype))  # (the empty array carries x's dtype)


def _mixed_dot_bwd(dtype, res, g):
    xt, wc, like_x = res
    gc = _cast(g, dtype)  # (n, m)
    dx = lax.dot_general(gc, wc, _NT, preferred_element_type=_F32)  # (n, k) = g W^T
    dw = lax.dot_general(xt, gc, _NN, preferred_element_type=_F32)  # (k, m) = x^T g
    return dx.astype(like_x.dtype), dw


_mixed_dot.defvjp(_mixed_dot_fwd, _mixed_dot_bwd)

"""Checkpoints as plain arrays: one ``.npz`` (arrays + JSON metadata), never pickle.

Contract: ``save(path, state, meta)`` writes atomically and keeps the previous good file as
``<name>.prev.npz``; ``load(path, template)`` restores a state shaped like ``template`` and
raises a one-line ``JaxscratchError`` for a missing, corrupt, tampered (metadata of another
shape, an unknown key implementation) or mismatched file, and for NaN or infinite values, so a
diverged or damaged state never reaches a prediction. Loading only parses arrays and JSON, so it
cannot run code.
"""

import json
import os
from pathlib import Path
from typing import Any

import jax
import numpy as np

from jaxscratch._io import copy_file, save_npz, write_json
from jaxscratch.errors import JaxscratchError

FORMAT = "jaxscratch-checkpoint/1"
_META = "__meta__"
_KEY_IMPLS = ("threefry2x32", "rbg", "unsafe_rbg")  # the implementations JAX names


def _is_key(x) -> bool:
    return jax.dtypes.issubdtype(getattr(x, "dtype", None), jax.dtypes.prng_key)


def _raw(state):
    """``state`` with every typed PRNG key replaced by its raw uint32 data."""
    return jax.tree.map(lambda x: jax.random.key_data(x) if _is_key(x) else x, state)


def _encode(state) -> tuple[list[str], list[np.ndarray], str | None]:
    """Leaf paths and host arrays of ``state`` (keys as raw data), and the keys' implementation."""
    keys = [x for x in jax.tree.leaves(state) if _is_key(x)]
    impl = str(jax.random.key_impl(keys[0])) if keys else None
    leaves, _ = jax.tree_util.tree_flatten_with_path(_raw(state))
    return [jax.tree_util.keystr(p) for p, _ in leaves], [np.asarray(v) for _, v in leaves], impl


def prev_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.stem + ".prev" + path.suffix)


def save(path: str | os.PathLike, state, meta: dict[str, Any]) -> Path:
    """Write ``state`` and JSON-able ``meta`` to ``path`` (.npz) atomically.

    The file it replaces is first copied (atomically) to ``<stem>.prev.npz``, so at every moment
    both names hold complete checkpoints. A ``<stem>.json`` copy of ``meta`` is written for people.
    """
    path = Path(path)
    names, arrays, impl = _encode(state)
    header = {"format": FORMAT, "key_impl": impl, "leaves": names, **meta}
    if path.exists():
        copy_file(path, prev_path(path))
    blobs = {f"leaf_{i:04d}": a for i, a in enumerate(arrays)}
    save_npz(path, **blobs, **{_META: np.array(json.dumps(header))})
    write_json(path.with_suffix(".json"), {k: v for k, v in header.items() if k != "history"})
    return path


def read_meta(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON metadata of a checkpoint (validates the file: readable, its metadata's shape,
    every value finite)."""
    return _read(Path(path))[0]


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not path.is_file():
        raise JaxscratchError(f"no checkpoint at {path}; train first or drop --resume")
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z[_META]))
            arrays = {k: z[k] for k in z.files if k != _META}
    except Exception as err:  # zip, CRC, JSON, pickle-refusal errors all mean "corrupt"
        raise JaxscratchError(
            f"checkpoint {path} is corrupt or unreadable ({type(err).__name__}); it was left "
            f"untouched: restore {prev_path(path).name} or start again with --overwrite"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise JaxscratchError(
            f"{path} is not a {FORMAT} checkpoint; give a run directory we wrote"
        )
    meta = _check_meta(meta, path)
    for i, name in enumerate(meta["leaves"]):
        a = arrays.get(f"leaf_{i:04d}")
        if a is not None and a.dtype.kind in "fc" and not np.isfinite(a).all():
            raise JaxscratchError(
                f"checkpoint {path}: {name} holds {np.count_nonzero(~np.isfinite(a))} NaN or "
                f"infinite values; it cannot be used: restore {prev_path(path).name} or train "
                "again with --overwrite"
            )
    return meta, arrays


def _check_meta(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """The metadata's shape: leaf names, key implementation, epoch and history."""
    fix = f"restore {prev_path(path).name} or start again with --overwrite"
    leaves, impl, epoch = meta.get("leaves"), meta.get("key_impl", ""), meta.get("epoch", 0)
    if not isinstance(leaves, list) or not all(isinstance(n, str) for n in leaves):
        raise JaxscratchError(f"checkpoint {path}: its metadata lists no leaves; {fix}")
    if "key_impl" not in meta:
        raise JaxscratchError(f"checkpoint {path}: its metadata lacks key_impl; {fix}")
    if impl is not None and impl not in _KEY_IMPLS:
        raise JaxscratchError(
            f"checkpoint {path}: unknown PRNG implementation {impl!r} (known: "
            f"{', '.join(_KEY_IMPLS)}); {fix}"
        )
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise JaxscratchError(f"checkpoint {path}: epoch {epoch!r} is not a count; {fix}")
    if not isinstance(meta.get("history", {}), dict):
        raise JaxscratchError(f"checkpoint {path}: its history is not an object; {fix}")
    return meta


def load(path: str | os.PathLike, template) -> tuple[Any, dict[str, Any]]:
    """Restore (state, meta) from ``path``; ``template`` fixes the tree, shapes and dtypes."""
    path = Path(path)
    meta, arrays = _read(path)
    names, like, _ = _encode(template)
    if meta["leaves"] != names or len(arrays) != len(names):
        raise JaxscratchError(
            f"checkpoint {path} holds a different model or optimizer than the run's config; "
            "start again with --overwrite"
        )
    leaves = []
    for i, (name, ref) in enumerate(zip(names, like, strict=True)):
        a = arrays[f"leaf_{i:04d}"]
        if a.shape != ref.shape or a.dtype != ref.dtype:
            raise JaxscratchError(
                f"checkpoint {path}: {name} has shape {a.shape} {a.dtype}, expected "
                f"{ref.shape} {ref.dtype}; start again with --overwrite"
            )
        leaves.append(a)
    treedef = jax.tree_util.tree_structure(_raw(template))
    raw = jax.tree_util.tree_unflatten(treedef, [jax.numpy.asarray(a) for a in leaves])
    state = jax.tree.map(
        lambda ref, a: jax.random.wrap_key_data(a, impl=meta["key_impl"]) if _is_key(ref) else a,
        template,
        raw,
    )
    return state, meta

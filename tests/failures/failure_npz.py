"""Rewrite a checkpoint the way a damaged disk or a diverged run would leave it."""

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np


def rewrite_checkpoint(
    path: Path,
    *,
    meta: Callable[[dict], object] | None = None,
    leaf: str | None = None,
    value: float = float("nan"),
) -> str | None:
    """Change ``path`` in place: the metadata through ``meta``, or the first element of the
    first float leaf whose name contains ``leaf`` set to ``value``; returns that leaf's name."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    header = json.loads(str(arrays["__meta__"]))
    hit = None
    if leaf is not None:
        for i, name in enumerate(header["leaves"]):
            a = arrays[f"leaf_{i:04d}"]
            if leaf in name and a.dtype.kind == "f" and a.size:
                a = a.copy()
                a.flat[0] = value
                arrays[f"leaf_{i:04d}"], hit = a, name
                break
        assert hit is not None, header["leaves"]
    if meta is not None:
        arrays["__meta__"] = np.array(json.dumps(meta(header)))
    np.savez(path, **arrays)
    return hit

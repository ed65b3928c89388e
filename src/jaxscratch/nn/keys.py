"""Named key streams: a training run's root key split once, one stream per kind of randomness.

Contract: ``keys = streams(key)`` splits the root key once into ``Streams(init, shuffle,
dropout, augment)``. ``init`` is consumed once, by the initialiser. The other streams are never
consumed: ``draw(keys.shuffle, epoch)``, ``draw(keys.dropout, step)`` and ``draw(keys.augment,
step)`` fold in a counter to give the one key of that epoch or step, which is consumed once.
So the randomness of any epoch or step is a function of the root key and its counter alone,
and a run resumed from a saved state draws exactly what the uninterrupted run draws.
"""

from typing import NamedTuple

import jax
from jax import Array


class Streams(NamedTuple):
    init: Array  # parameters, consumed once
    shuffle: Array  # epoch e's permutation: draw(shuffle, e)
    dropout: Array  # step t's dropout masks: draw(dropout, t)
    augment: Array  # step t's rotations and shifts: draw(augment, t)


def streams(key: Array) -> Streams:
    """Split the root key once into the named streams."""
    return Streams(*jax.random.split(key, len(Streams._fields)))


def draw(stream: Array, counter: Array | int) -> Array:
    """The key of epoch or step ``counter`` of a stream (``fold_in``; the stream is kept)."""
    return jax.random.fold_in(stream, counter)

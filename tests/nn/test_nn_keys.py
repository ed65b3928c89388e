"""Named key streams: split once, one stream per use, counters folded in, same key same draws."""

import jax
import numpy as np

from jaxscratch.nn import keys


def _bits(key):
    return np.asarray(jax.random.bits(key, (8,)))


def test_every_stream_draws_differently(key):
    streams = keys.streams(key)
    assert streams._fields == ("init", "shuffle", "dropout", "augment")
    draws = [_bits(s) for s in streams]
    for i in range(len(draws)):
        for j in range(i):
            assert not np.array_equal(draws[i], draws[j]), (streams._fields[i], streams._fields[j])


def test_the_same_key_gives_the_same_streams_and_draws(key):
    a, b = keys.streams(key), keys.streams(jax.random.key(20261125))
    for s, t in zip(a, b, strict=True):
        np.testing.assert_array_equal(jax.random.key_data(s), jax.random.key_data(t))
    np.testing.assert_array_equal(_bits(keys.draw(a.dropout, 7)), _bits(keys.draw(b.dropout, 7)))
    other = keys.streams(jax.random.key(1))
    assert not np.array_equal(_bits(other.shuffle), _bits(a.shuffle))


def test_counters_give_distinct_keys_and_leave_the_stream_unconsumed(key):
    stream = keys.streams(key).shuffle
    per_epoch = [_bits(keys.draw(stream, e)) for e in range(5)]
    assert len({d.tobytes() for d in per_epoch}) == 5
    assert all(not np.array_equal(d, _bits(stream)) for d in per_epoch)
    np.testing.assert_array_equal(per_epoch[3], _bits(keys.draw(stream, 3)))  # a pure function

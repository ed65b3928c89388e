"""Checkpoints: round trip, previous copy kept, corrupt and mismatched files refused."""

import jax
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import checkpoint


def _state(key, width=8):
    trainer = nn.make_trainer(nn.MLPConfig((3, width, 2)), nn.TrainConfig(batch_size=4), 16)
    return trainer.init(key)


def test_round_trip_restores_every_leaf_and_the_key(key, tmp_path):
    state = _state(key)
    path = checkpoint.save(tmp_path / "checkpoint.npz", state, {"epoch": 0, "history": {"a": [1]}})
    restored, meta = checkpoint.load(path, _state(jax.random.key(5)))
    assert meta["history"] == {"a": [1]} and meta["epoch"] == 0
    for a, b in zip(jax.tree.leaves(state.params), jax.tree.leaves(restored.params), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(restored.keys, state.keys, strict=True):  # every named stream
        assert jax.random.key_impl(a) == jax.random.key_impl(b)
        np.testing.assert_array_equal(jax.random.key_data(a), jax.random.key_data(b))
    assert (tmp_path / "checkpoint.json").is_file()


def test_saving_again_keeps_the_previous_good_file(key, tmp_path):
    path = tmp_path / "checkpoint.npz"
    checkpoint.save(path, _state(key), {"epoch": 1})
    checkpoint.save(path, _state(key), {"epoch": 2})
    assert checkpoint.read_meta(checkpoint.prev_path(path))["epoch"] == 1
    assert checkpoint.read_meta(path)["epoch"] == 2


def test_corrupt_checkpoint_is_refused_and_left_untouched(key, tmp_path):
    path = tmp_path / "checkpoint.npz"
    checkpoint.save(path, _state(key), {"epoch": 1})
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\x00" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(JaxscratchError, match="corrupt or unreadable.*untouched") as err:
        checkpoint.load(path, _state(key))
    assert "\n" not in str(err.value)
    assert path.read_bytes() == bytes(data)


def test_pickled_content_is_never_loaded(tmp_path):
    path = tmp_path / "checkpoint.npz"
    np.savez(path, __meta__=np.array([{"format": checkpoint.FORMAT}], dtype=object))
    with pytest.raises(JaxscratchError, match="corrupt or unreadable"):
        checkpoint.read_meta(path)


def test_a_different_model_is_refused(key, tmp_path):
    path = checkpoint.save(tmp_path / "checkpoint.npz", _state(key, width=8), {"epoch": 1})
    with pytest.raises(JaxscratchError, match="shape"):
        checkpoint.load(path, _state(key, width=9))


def test_missing_checkpoint_names_the_path(tmp_path):
    with pytest.raises(JaxscratchError, match="no checkpoint at"):
        checkpoint.read_meta(tmp_path / "nope.npz")

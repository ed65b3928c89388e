"""Data-parallel training over forced host devices equals the one-device run."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError

_SCRIPT = textwrap.dedent(
    """
    import jax, numpy as np
    from jaxscratch import nn
    assert jax.device_count() == 2, jax.devices()
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 256).astype(np.int32)
    x = rng.uniform(0, 0.5, (256, 4, 4)) + 0.5 * (np.arange(4)[None, :, None] == y[:, None, None])
    x = x.astype(np.float32)
    # no batch norm here: a bias before batch norm gets a zero gradient up to rounding, which
    # Adam blows up into steps of size lr, so those biases (only) would differ between runs
    model = nn.MLPConfig((16, 32, 16, 3), "relu", False, 0.1)
    recipe = nn.TrainConfig(2, 32, "adamw", 1e-2, "cosine", 0.5, weight_decay=1e-4)
    out = {}
    for devices in (1, 2):
        trainer = nn.make_trainer(model, recipe, 256, devices=devices)
        state = trainer.init(jax.random.key(3))
        state, history = nn.fit(trainer, state, x, y, x[:64], y[:64])
        shards = jax.tree.leaves(state.params)[0].sharding
        proba = np.asarray(trainer.predict(state, x[:64]))
        out[devices] = (state, history, proba)
        print(devices, len(shards.device_set), history["test_accuracy"][-1])
    (s1, h1, p1), (s2, h2, p2) = out[1], out[2]
    np.testing.assert_allclose(p1, p2, rtol=1e-4, atol=1e-6)
    for a, b in zip(jax.tree.leaves(s1.params), jax.tree.leaves(s2.params)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h1["loss_per_iteration"], h2["loss_per_iteration"], rtol=1e-4)
    assert len(jax.tree.leaves(s2.params)[0].sharding.device_set) == 2
    print("EQUAL")
    """
)


def test_two_forced_host_devices_equal_one_device():
    src = str(Path(__file__).parents[2] / "src")
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "EQUAL" in done.stdout and done.stdout.startswith("1 1 ")
    assert "\n2 2 " in done.stdout


def test_more_devices_than_jax_sees_is_named():
    with pytest.raises(JaxscratchError, match=r"--devices 64: JAX sees \d+ device"):
        nn.make_trainer(nn.MLPConfig((4, 3, 2)), nn.TrainConfig(batch_size=64), 64, devices=64)


def test_batch_must_split_over_devices(monkeypatch):
    monkeypatch.setattr(nn.train.jax, "device_count", lambda: 2)  # two devices are there
    with pytest.raises(JaxscratchError, match="batch size 3 does not split over 2 devices"):
        nn.train.check_devices(2, 3)

"""A bf16 run directory: recorded, resumed bit-exactly, reopened, and as accurate as float32."""

import json
import shutil

import jax
import numpy as np
import pytest
import run_helpers
from run_helpers import KEY, MODEL, SEED

from jaxscratch import nn
from jaxscratch.runs import training

RECIPE = run_helpers.RECIPE._replace(precision="bf16")  # the run tests' recipe, bf16 products


@pytest.fixture(scope="module")
def bf16_run(tmp_path_factory, digits):
    out = tmp_path_factory.mktemp("runs") / "bf16"
    return out, training.train_run(out, digits, MODEL, RECIPE, key=KEY, seed=SEED)


def test_a_bf16_run_records_its_precision_and_resumes_bit_exactly(tmp_path, bf16_run, digits):
    out, straight = bf16_run
    assert json.loads((out / "config.json").read_text())["train"]["precision"] == "bf16"
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "checkpoint.prev.npz").replace(copy / "checkpoint.npz")  # killed during epoch 2
    # resuming reads the run's own recipe: the float32 recipe passed here is ignored
    resumed = training.train_run(copy, digits, MODEL, RECIPE._replace(precision="f32"),
                                 resume=True)  # fmt: skip
    assert resumed.config.train.precision == "bf16"
    assert resumed.history["loss_per_iteration"] == straight.history["loss_per_iteration"]
    assert resumed.metrics.report == straight.metrics.report
    a, b = training.open_run(out).state, training.open_run(copy).state
    for u, v in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params), strict=True):
        assert u.dtype == np.float32
        np.testing.assert_array_equal(u, v)


def test_a_bf16_run_is_evaluated_and_reopened_like_any_run(bf16_run, digits):
    out, straight = bf16_run
    again = training.evaluate_run(out, digits)
    assert again.metrics.accuracy == straight.metrics.accuracy
    proba = training.open_run(out).predict(digits.x_test[:5])  # what the explorer's tab calls
    assert proba.shape == (5, 10) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.slow
def test_bf16_reaches_float32_accuracy_on_digits(digits):
    n_test = len(digits.y_test)
    accuracy = {}
    for name in nn.precision.PRECISIONS:
        recipe = RECIPE._replace(epochs=8, precision=name)
        trainer = nn.make_trainer(MODEL, recipe, len(digits.y_train))
        state, _ = nn.fit(trainer, trainer.init(KEY), digits.x_train, digits.y_train)
        accuracy[name] = nn.evaluate(trainer, state, digits.x_test, digits.y_test)[1]
    # same key, same batches: the runs differ only by rounding; allow 3 standard errors of an
    # accuracy near 0.95 on this many test images (~0.035 for 360)
    tolerance = 3 * np.sqrt(0.95 * 0.05 / n_test)
    assert accuracy["f32"] > 0.9
    assert abs(accuracy["bf16"] - accuracy["f32"]) < tolerance, (accuracy, tolerance)

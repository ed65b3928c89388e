"""Run directories on the library path: every output written, resume, evaluate, predict."""

import json
import shutil

import jax
import numpy as np
import pytest
from PIL import Image
from run_helpers import KEY, MODEL, RECIPE, SEED

from jaxscratch import nn
from jaxscratch.data import drawing
from jaxscratch.errors import JaxscratchError
from jaxscratch.runs import records, training
from jaxscratch.viz import nn as run_figures


@pytest.fixture(scope="module")
def run(tmp_path_factory, digits):
    """One trained run shared by the tests below (training dominates their cost)."""
    out = tmp_path_factory.mktemp("runs") / "run"
    result = training.train_run(out, digits, MODEL, RECIPE, key=KEY, seed=SEED)
    run_figures.write_run_figures(out)  # what the faces add
    return out, result


def test_a_run_writes_every_output(run, digits):
    out, result = run
    m = result.metrics
    for name in training.OUTPUTS:
        assert (out / name).is_file(), name
    history = json.loads((out / "history.json").read_text())
    assert history == result.history
    assert len(history["epoch_seconds"]) == 2 and len(history["test_accuracy"]) == 2
    n_fit = len(digits.y_train) - result.config.data.n_calibration  # the rest fits T
    assert len(history["loss_per_iteration"]) == 2 * (n_fit // 64)
    saved = json.loads((out / "metrics.json").read_text())
    assert saved == m.to_json() == m.report
    for name in ("accuracy", "macro_f1", "roc_auc_macro", "log_loss", "ece", "brier_score"):
        assert saved[name] == getattr(m, name)
    assert result.to_json() == {**{k: saved[k] for k in records.HEADLINE}, "out": str(out)}
    assert m.accuracy > 0.4  # two short epochs; chance is 0.1
    report = (out / "report.md").read_text()
    assert "## Discussion" in report and "Weakest classes" in report
    for name in training.FIGURES:
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
        assert f"![{name}]({name})" in report


def test_history_test_loss_is_the_metrics_log_loss(run):
    """One log-loss: the last epoch's test loss and metrics.json's log_loss are one number."""
    out, _ = run
    history = json.loads((out / "history.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    assert history["test_loss"][-1] == metrics["log_loss"]


def test_config_records_the_key_and_the_seed_and_reloads_the_split(run, digits):
    out, result = run
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["seed"] == SEED and cfg["key"] == records.key_to_json(KEY)
    assert cfg["data"]["dataset"] == "digits" and cfg["data"]["split"] == "80-20"
    assert cfg["model"] == MODEL._asdict() | {"sizes": list(MODEL.sizes)}
    assert cfg["train"] == RECIPE._asdict()
    assert records.RunConfig.from_json(cfg).to_json() == cfg
    again = training.load_run_data(out)  # the split is redrawn from the recorded key
    np.testing.assert_array_equal(again.y_test, digits.y_test)
    np.testing.assert_array_equal(again.x_train, digits.x_train)


def test_the_key_streams_are_independent_and_reproducible(digits):
    keys = records.run_keys(KEY)
    raw = [jax.random.key_data(k).tolist() for k in keys]
    assert len({tuple(r) for r in raw}) == len(records.RunKeys._fields)
    assert raw == [jax.random.key_data(k).tolist() for k in records.run_keys(KEY)]
    other = training.load_data("digits", key=jax.random.key(SEED + 1))
    assert not np.array_equal(other.y_test, digits.y_test)  # another key, another split
    official = training.load_data("digits", key=KEY, split="official")
    assert official.split == "official"


def test_bad_split_names_the_choices():
    with pytest.raises(JaxscratchError, match="unknown --split '50-50'; choose one of 80-20"):
        training.load_data("digits", key=KEY, split="50-50")


def test_history_test_loss_equals_the_metrics_log_loss(run):
    """One log loss: the last epoch's test loss is metrics.json's log_loss for the same network."""
    out, _ = run
    history = json.loads((out / "history.json").read_text())
    saved = json.loads((out / "metrics.json").read_text())
    assert history["test_loss"][-1] == saved["log_loss"]


def test_resume_after_a_kill_gives_the_uninterrupted_result(tmp_path, run, digits):
    out, straight = run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    # roll the copy back to its epoch-1 checkpoint, as if killed during epoch 2
    (copy / "checkpoint.prev.npz").replace(copy / "checkpoint.npz")
    resumed = training.train_run(copy, digits, MODEL, RECIPE, resume=True)
    assert resumed.metrics.log_loss == straight.metrics.log_loss
    assert resumed.metrics.report == straight.metrics.report
    assert resumed.history["loss_per_iteration"] == straight.history["loss_per_iteration"]
    assert json.loads((copy / "history.json").read_text())["epoch"] == [1, 2]


def test_existing_run_directory_needs_resume_or_overwrite(tmp_path, digits):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(JaxscratchError, match="holds 'notes.txt', which is not a file of a run"):
        training.train_run(out, digits, MODEL, RECIPE, key=KEY)  # and no advice to --resume
    with pytest.raises(JaxscratchError, match="no checkpoint in"):
        training.train_run(out, digits, MODEL, RECIPE, resume=True)
    with pytest.raises(JaxscratchError, match="needs a key"):
        training.train_run(out, digits, MODEL, RECIPE, overwrite=True)
    training.train_run(out, digits, MODEL, RECIPE, key=KEY, overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"  # --overwrite removes only our files


def test_evaluate_and_predict_reopen_a_run(tmp_path, run, digits):
    out, result = run
    again = training.evaluate_run(out, digits)
    assert again.metrics == result.metrics
    assert training.evaluate_run(out).metrics == result.metrics  # the split reloaded by key
    back = records.RunResult.read(out)
    assert back.metrics == again.metrics and back.history == result.history
    assert back.config.to_json() == result.config.to_json()
    picture = (255 * (1.0 - digits.x_test[0])).astype(np.uint8)  # dark digit on a light page
    Image.fromarray(picture).resize((64, 64)).save(tmp_path / "digit.png")
    proba, names = training.predict_image(out, tmp_path / "digit.png")
    assert proba.shape == (10,) and abs(proba.sum() - 1) < 1e-5
    assert names == [str(k) for k in range(10)]
    opened = training.open_run(out)
    x = drawing.image_input(tmp_path / "digit.png", (8, 8))
    np.testing.assert_array_equal(opened.predict(x[None])[0], proba)
    with pytest.raises(JaxscratchError, match="cannot read image"):
        training.predict_image(out, tmp_path / "missing.png")
    with pytest.raises(JaxscratchError, match="not a run directory"):
        training.evaluate_run(tmp_path / "elsewhere")


def test_divergence_names_the_kept_checkpoint(tmp_path, run, digits):
    out, _ = run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "checkpoint.prev.npz").replace(copy / "checkpoint.npz")  # back to epoch 1
    bad = digits._replace(x_train=np.full_like(digits.x_train, np.nan))
    with pytest.raises(nn.DivergedError, match=r"epoch 2.*last good checkpoint \(epoch 1\)"):
        training.train_run(copy, bad, MODEL, RECIPE, resume=True)
    assert nn.checkpoint.read_meta(copy / "checkpoint.npz")["epoch"] == 1

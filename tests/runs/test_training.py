"""Run directories on the library path: every output written, resume, evaluate, predict."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from jaxscratch import nn
from jaxscratch.runs import training
from jaxscratch.errors import JaxscratchError

# The same network and recipe as `jaxscratch mnist train --dataset digits --hidden 32 16
# --batch-size 64 --epochs 2 --seed 1` (the CLI test), so one compiled program serves both.
MODEL = nn.MLPConfig((64, 32, 16, 10), "relu", batchnorm=True, dropout=0.1)
RECIPE = nn.TrainConfig(2, 64, "adamw", 3e-3, "cosine", 1.0, weight_decay=1e-4)
SEED = 1


@pytest.fixture(scope="module")
def digits():
    return training.load_data("digits", split="80-20", seed=SEED)


@pytest.fixture(scope="module")
def run(tmp_path_factory, digits):
    """One trained run shared by the tests below (training dominates their cost)."""
    out = tmp_path_factory.mktemp("runs") / "run"
    metrics = training.train_run(out, digits, MODEL, RECIPE, seed=SEED)
    return out, metrics


def test_a_run_writes_every_output(run, digits):
    out, m = run
    for name in training.OUTPUTS:
        assert (out / name).is_file(), name
    history = json.loads((out / "history.json").read_text())
    assert len(history["epoch_seconds"]) == 2 and len(history["test_accuracy"]) == 2
    assert len(history["loss_per_iteration"]) == 2 * (len(digits.y_train) // 64)
    saved = json.loads((out / "metrics.json").read_text())
    for name in ("accuracy", "macro_f1", "roc_auc_macro", "log_loss", "ece", "brier_score"):
        assert saved[name] == m[name]
    assert m["accuracy"] > 0.4  # two short epochs; chance is 0.1
    report = (out / "report.md").read_text()
    assert "## Discussion" in report and "Weakest classes" in report
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"


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
    assert resumed["log_loss"] == straight["log_loss"]
    assert resumed["confusion_matrix"] == straight["confusion_matrix"]
    assert json.loads((copy / "history.json").read_text())["epoch"] == [1, 2]


def test_existing_run_directory_needs_resume_or_overwrite(tmp_path, digits):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(JaxscratchError, match="already exists; pass --resume .* or --overwrite"):
        training.train_run(out, digits, MODEL, RECIPE)
    with pytest.raises(JaxscratchError, match="no checkpoint in"):
        training.train_run(out, digits, MODEL, RECIPE, resume=True)
    training.train_run(out, digits, MODEL, RECIPE, overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"  # --overwrite removes only our files


def test_evaluate_and_predict_reopen_a_run(tmp_path, run, digits):
    out, m = run
    again = training.evaluate_run(out, digits)
    assert again["accuracy"] == m["accuracy"]
    picture = (255 * (1.0 - digits.x_test[0])).astype(np.uint8)  # dark digit on a light page
    Image.fromarray(picture).resize((64, 64)).save(tmp_path / "digit.png")
    x = training.image_to_array(tmp_path / "digit.png", (8, 8))
    assert x.shape == (8, 8) and x.mean() < 0.5  # inverted back to light-on-dark
    proba, names = training.predict_image(out, tmp_path / "digit.png")
    assert proba.shape == (10,) and abs(proba.sum() - 1) < 1e-5
    assert names == [str(k) for k in range(10)]
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

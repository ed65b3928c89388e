"""Never a silent NaN: a checkpoint holding NaN or inf is refused by its loader, so `mnist
predict` / `evaluate` print no `nan` and no invalid JSON and overwrite nothing; `--epochs N
--resume` never shortens a run."""

import json

from failure_checks import one_line, snapshot
from failure_npz import rewrite_checkpoint


def test_predict_refuses_nan_weights(cli, run_copy, tmp_path):
    from PIL import Image

    Image.new("L", (8, 8), 0).save(tmp_path / "blank.png")
    rewrite_checkpoint(run_copy / "checkpoint.npz", leaf="params")
    before = snapshot(run_copy)
    code, out, err = cli("mnist", "predict", run_copy, tmp_path / "blank.png", "--json")
    assert code == 2 and out == ""
    one_line(err, str(run_copy / "checkpoint.npz"), "NaN or infinite", "checkpoint.prev.npz")
    assert snapshot(run_copy) == before


def test_evaluate_refuses_inf_weights_and_keeps_the_valid_metrics(cli, run_copy):
    rewrite_checkpoint(run_copy / "checkpoint.npz", leaf="params", value=float("inf"))
    before = snapshot(run_copy)
    code, out, err = cli("mnist", "evaluate", run_copy, "--json")
    assert code == 2 and out == ""
    one_line(err, "checkpoint.npz", "params")
    assert (
        snapshot(run_copy) == before
    )  # metrics.json, confusion.png, reliability.png as they were


def test_resume_refuses_nan_in_the_optimizer_state(cli, run_copy):
    """Not in the issue: the moment estimates of Adam, not the weights, hold the NaN."""
    rewrite_checkpoint(run_copy / "checkpoint.npz", leaf="opt")
    before = snapshot(run_copy)
    code, _, err = cli("mnist", "train", "--out", run_copy, "--resume", "--epochs", "3")
    assert code == 2
    one_line(err, "checkpoint.npz", "NaN or infinite")
    assert snapshot(run_copy) == before


def test_resume_with_fewer_epochs_is_refused(cli, run_copy):
    before = snapshot(run_copy)
    code, _, err = cli("mnist", "train", "--out", run_copy, "--resume", "--epochs", "1")
    assert code == 2
    one_line(err, "has trained 2 epochs", "--epochs 1", "give --epochs 2 or more")
    assert snapshot(run_copy) == before
    assert json.loads((run_copy / "config.json").read_text())["train"]["epochs"] == 2

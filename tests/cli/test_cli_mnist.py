"""``jaxscratch mnist``: bad input gives one line and exit code 2; end to end on digits."""

import json

import pytest

from jaxscratch.nn import checkpoint


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'"),
        (["--activation", "swish"], "unknown activation 'swish'"),
        (["--hidden", "64", "0"], "widths must be >= 1"),
        (["--hidden", "64", "wide"], "--hidden takes positive integers"),
        (["--lr", "0"], "--lr must be a positive number"),
        (["--lr", "-0.1"], "--lr must be a positive number"),
        (["--schedule", "linear"], "unknown schedule 'linear'"),
        (["--split", "50-50"], "unknown --split '50-50'"),
        (["--dataset", "cifar"], "unknown dataset 'cifar'; choose one of mnist"),
        (["--data-dir", "/nonexistent/jaxscratch-data"], "does not exist; give a folder holding"),
        (["--epochs", "0"], "--epochs must be >= 1"),
        (["--dropout", "1.5"], "dropout rate 1.5"),
        (["--resume", "--overwrite"], "contradict each other"),
        (["--devices", "64"], "--devices 64: JAX sees"),
        (["--devices", "3"], "--devices 3: JAX sees"),  # (not the batch's fault)
    ],
)
def test_bad_training_options_give_one_line(cli, tmp_path, args, message):
    code, out, err = cli("mnist", "train", "--out", tmp_path / "run", *args)
    assert code == 2, err
    assert message in err and err.count("\n") == 1


def test_existing_run_directory_is_refused(cli, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "history.json").write_text("{}")
    code, _, err = cli("mnist", "train", "--out", tmp_path / "run")
    assert code == 2 and "already exists; it has no checkpoint to resume: pass --overwrite" in err


def test_corrupt_checkpoint_is_refused_on_resume(cli, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "checkpoint.npz").write_bytes(b"PK\x03\x04 definitely not a zip")
    code, _, err = cli("mnist", "train", "--out", run, "--resume")
    assert code == 2 and "corrupt or unreadable" in err
    assert (run / "checkpoint.npz").read_bytes().startswith(b"PK\x03\x04 definitely")


def test_evaluate_and_predict_need_a_run(cli, tmp_path):
    code, _, err = cli("mnist", "evaluate", tmp_path)
    assert code == 2 and "not a run directory" in err
    from PIL import Image

    Image.new("L", (8, 8), 0).save(tmp_path / "x.png")  # the picture is read first: a real one
    code, _, err = cli("mnist", "predict", tmp_path, tmp_path / "x.png")
    assert code == 2 and "not a run directory" in err


def test_train_kill_resume_evaluate_predict_on_digits(cli, tmp_path):
    from PIL import Image

    run = tmp_path / "run"
    common = ["--dataset", "digits", "--hidden", "32", "16", "--batch-size", "64", "--seed", "1"]
    code, out, err = cli("mnist", "train", *common, "--epochs", "2", "--out", run, "--json")
    assert code == 0, err
    metrics = json.loads(out)
    assert metrics["accuracy"] > 0.4  # two short epochs; chance is 0.1
    for name in ("history.json", "metrics.json", "curves.png", "confusion.png", "report.md"):
        assert (run / name).is_file()
    assert len(json.loads((run / "history.json").read_text())["epoch_seconds"]) == 2
    # as if killed during epoch 2: go back to the epoch-1 checkpoint and --resume
    (run / "checkpoint.prev.npz").replace(run / "checkpoint.npz")
    code, out, err = cli("mnist", "train", "--out", run, "--resume", "--json")
    assert code == 0, err
    assert json.loads(out) == metrics
    assert checkpoint.read_meta(run / "checkpoint.npz")["epoch"] == 2
    code, out, err = cli("mnist", "evaluate", run, "--json")
    n_test = json.loads((run / "config.json").read_text())["data"]["n_test"]
    assert code == 0 and json.loads(out)["n"] == n_test
    Image.new("L", (8, 8), 0).save(tmp_path / "blank.png")
    code, out, err = cli("mnist", "predict", run, tmp_path / "blank.png", "--json")
    assert code == 0 and 0 <= json.loads(out)["class"] <= 9
    code, _, err = cli("mnist", "train", *common, "--batch-size", "5000", "--out", tmp_path / "b")
    # 1,438 training images minus the 72 held out to fit the temperature
    assert code == 2 and "batch size 5000 exceeds the 1366 training examples" in err


def test_train_without_recipe_options_trains_the_library_default(cli, tmp_path):
    """`mnist train` with no recipe options records nn.MLPConfig() / the default recipe field by
    field (the input and output sizes fitted to the data, the epochs to its step budget), and
    writes every file of a run."""
    from jaxscratch import nn
    from jaxscratch.runs import recipes, records, training

    run = tmp_path / "run"
    code, out, err = cli("mnist", "train", "--dataset", "digits", "--out", run, "--json")
    assert code == 0, err
    assert set(json.loads(out)) == {*records.HEADLINE, "out"}
    cfg = json.loads((run / "config.json").read_text())
    model = nn.MLPConfig()._replace(sizes=(64, *nn.MLPConfig().sizes[1:-1], 10))
    for field, value in model._asdict().items():
        assert cfg["model"][field] == (list(value) if field == "sizes" else value), field
    n_fit = cfg["data"]["n_train"] - cfg["data"]["n_calibration"]  # the rest fits T
    budget = nn.config.with_budget(recipes.TRAIN, n_fit)  # no augmentation for 8 x 8 digits
    for field, value in budget._asdict().items():
        assert cfg["train"][field] == value, field
    assert cfg["seed"] == 0 and cfg["data"]["dataset"] == "digits"
    assert sorted(p.name for p in run.iterdir()) == sorted(training.OUTPUTS)

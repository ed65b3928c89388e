"""Every option is checked before the run folder is created, and a folder holding only a
config (no checkpoint) counts as not started: the corrected command just works, and no advice
goes in circles."""

import json

import pytest
from failure_checks import TINY, one_line, snapshot

from jaxscratch.runs import training


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--warmup-epochs", "-1"], ["warm-up steps"]),
        (["--batch-size", "5000"], ["batch size 5000 exceeds the 1366 training examples"]),
        (["--epochs", "0"], ["--epochs must be >= 1"]),
        (["--label-smoothing", "1.5"], ["label smoothing"]),  # not in the issue
    ],
)
def test_a_refused_option_leaves_no_run_folder(cli, tmp_path, args, names):
    out = tmp_path / "run"
    code, stdout, err = cli("mnist", "train", *TINY, "--out", out, *args)
    assert code == 2 and stdout == ""
    one_line(err, *names)
    assert not out.exists()


def test_a_folder_with_only_a_config_is_not_started(cli, run_copy, tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "config.json").write_bytes((run_copy / "config.json").read_bytes())
    training.check_run_dir(fresh, resume=False, overwrite=False)  # the plain command may start
    code, _, err = cli("mnist", "train", "--out", fresh, "--resume")
    assert code == 2
    one_line(err, f"no checkpoint in {fresh}", "run the same command without --resume")
    assert snapshot(fresh) == {"config.json": (run_copy / "config.json").read_bytes()}


def test_a_started_run_without_checkpoint_is_not_sent_to_resume(cli, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "history.json").write_text("{}")
    code, _, err = cli("mnist", "train", *TINY, "--out", out)
    assert code == 2
    one_line(err, f"run directory {out} already exists", "no checkpoint", "--overwrite")
    assert "--resume" not in err


def test_a_folder_of_other_files_is_refused_without_resume_advice(cli, tmp_path):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8")
    code, _, err = cli("mnist", "train", *TINY, "--out", out)
    assert code == 2
    one_line(err, "'holiday.jpg'", "not a file of a run", "new or empty --out")
    assert "--resume" not in err
    assert snapshot(out) == {"holiday.jpg": b"\xff\xd8"}


def test_a_refused_sweep_option_leaves_no_folder(cli, tmp_path):
    out = tmp_path / "sweep"
    code, _, err = cli("mnist", "sweep", "--dataset", "digits", "--h1", "8", "--h2", "8",
                       "--val-fraction", "0.7", "--out", out)  # fmt: skip
    assert code == 2
    one_line(err, "validation fraction must be in (0, 0.5), got 0.7")
    assert not out.exists()


def test_resume_of_a_tampered_config_changes_nothing(cli, run_copy):
    config = json.loads((run_copy / "config.json").read_text())
    config["train"]["epochs"] = "many"
    (run_copy / "config.json").write_text(json.dumps(config))
    before = snapshot(run_copy)
    code, _, err = cli("mnist", "train", "--out", run_copy, "--resume")
    assert code == 2
    one_line(err, str(run_copy / "config.json"), "'epochs' is 'many'")
    assert snapshot(run_copy) == before

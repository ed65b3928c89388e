"""Ctrl-C at any moment of `mnist train` / `mnist sweep`: one line saying what was saved and
the command that resumes, exit code 130, never a crash; the resume command then finishes.

In process, SIGINT is raised by a hook at a chosen point (``signal.raise_signal``: the real
handler runs); the slow tests send SIGINT and SIGKILL to a real process.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from failure_checks import TINY, one_line, snapshot

import jaxscratch.cli._options as opts
from jaxscratch.nn import checkpoint
from jaxscratch.runs import training
from jaxscratch.viz import nn as run_figures

TRAIN = ("mnist", "train", *TINY)


def _sigint_when(monkeypatch, owner, name: str, times: int = 1, when=lambda *a: True):
    """Patch ``owner.name`` to raise SIGINT ``times`` times before it runs, when ``when``."""
    original = getattr(owner, name)

    def hooked(*args, **kwargs):
        if when(*args):
            for _ in range(times):
                signal.raise_signal(signal.SIGINT)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, hooked)


def _resume_command(err: str) -> list[str]:
    """The command the interrupt line gives (after 'resume with: ' / 'again: ' / ...)."""
    command = err.strip().rsplit(": ", 1)[1]
    words = shlex.split(command)
    assert words[0] == "jaxscratch", err
    return words[1:]


def test_ctrl_c_after_an_epoch_saves_it_and_resumes(cli, tmp_path, monkeypatch):
    out = tmp_path / "run"
    _sigint_when(monkeypatch, opts, "epoch_line", when=lambda h: len(h["epoch"]) == 1)
    code, stdout, err = cli(*TRAIN, "--epochs", "3", "--out", out, "--json")
    assert code == 130 and stdout == ""
    one_line(err, "interrupted: epoch 1 of 3 is saved in", str(out), "--resume")
    assert checkpoint.read_meta(out / "checkpoint.npz")["epoch"] == 1
    assert not (out / "metrics.json").exists()
    monkeypatch.undo()
    code, stdout, err = cli(*_resume_command(err), "--json")
    assert code == 0, err
    assert json.loads((out / "history.json").read_text())["epoch"] == [1, 2, 3]
    assert json.loads(stdout)["out"] == str(out)


def test_ctrl_c_in_the_final_evaluation_finishes_the_outputs_first(cli, tmp_path, monkeypatch):
    """The issue's segfault: SIGINT while the last epoch's metrics are computed."""
    out = tmp_path / "run"
    _sigint_when(monkeypatch, training, "write_outputs")
    code, _, err = cli(*TRAIN, "--epochs", "2", "--out", out, "--json")
    assert code == 130
    one_line(err, f"interrupted: the run in {out} is complete (2 epochs")
    assert sorted(p.name for p in out.iterdir()) == sorted(training.OUTPUTS)
    assert training.saved(out).complete


def test_ctrl_c_while_figures_are_written(cli, tmp_path, monkeypatch):
    out = tmp_path / "run"
    _sigint_when(monkeypatch, run_figures, "write_run_figures")
    code, _, err = cli(*TRAIN, "--epochs", "1", "--out", out, "--json")
    assert code == 130
    one_line(err, f"the run in {out} is complete")
    for name in training.FIGURES:
        assert (out / name).stat().st_size > 0


def test_ctrl_c_before_the_first_epoch_saved_nothing_and_the_rerun_starts(
    cli, tmp_path, monkeypatch
):
    out = tmp_path / "run"
    _sigint_when(monkeypatch, opts, "begin")  # as the data arrive
    code, _, err = cli(*TRAIN, "--epochs", "1", "--out", out, "--json")
    assert code == 130
    one_line(err, f"no epoch was saved in {out}; run the same command again: jaxscratch mnist")
    monkeypatch.undo()
    code, _, err = cli(*_resume_command(err))  # a folder with only a config: not started
    assert code == 0, err
    assert checkpoint.read_meta(out / "checkpoint.npz")["epoch"] == 1


def test_second_ctrl_c_stops_at_once(cli, tmp_path, monkeypatch):
    out = tmp_path / "run"
    _sigint_when(monkeypatch, opts, "begin", times=2)
    code, stdout, err = cli(*TRAIN, "--epochs", "1", "--out", out, "--json")
    assert code == 130 and stdout == ""
    one_line(err, "interrupted: no epoch was saved")
    assert snapshot(out) == {}  # it stopped before the run wrote anything


def test_ctrl_c_in_a_sweep_keeps_the_finished_pairs(cli, tmp_path, monkeypatch):
    out = tmp_path / "sweep"
    sweep = ("mnist", "sweep", "--dataset", "digits", "--h1", "8", "16", "--h2", "8",
             "--epochs", "1", "--batch-size", "64", "--out", str(out))  # fmt: skip
    _sigint_when(monkeypatch, opts, "pair_line")
    code, _, err = cli(*sweep, "--overwrite", "--json")
    assert code == 130
    one_line(err, f"1 of 2 width pairs are recorded in {out / 'pairs'}; resume with: ")
    assert "--overwrite" not in err  # it would drop the pair recorded
    assert [p.name for p in (out / "pairs").iterdir()] == ["8x8.json"]
    kept = (out / "pairs" / "8x8.json").read_bytes()
    monkeypatch.undo()
    code, _, err = cli(*_resume_command(err))
    assert code == 0, err
    assert (out / "pairs" / "8x8.json").read_bytes() == kept  # reused, not retrained


def _start(args, env) -> subprocess.Popen:
    code = "from jaxscratch.cli import main; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _wait_for_epochs(proc: subprocess.Popen, out: Path, n: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(json.loads((out / "history.json").read_text())["epoch"]) >= n:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.01)
    raise AssertionError(f"no epoch {n} in {out}: {proc.communicate()}")


@pytest.mark.slow
def test_real_sigint_after_the_last_epoch_and_sigkill_mid_run(cli, tmp_path):
    """A real process: SIGINT once the last epoch is saved (final evaluation, figures): exit
    130 and one line, never a crash; SIGKILL in the middle of training, then resume."""
    env = dict(os.environ, PYTHONPATH=str(Path(training.__file__).parents[2]))
    out = tmp_path / "run"
    proc = _start([*TRAIN, "--epochs", "2", "--out", str(out)], env)
    _wait_for_epochs(proc, out, 2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("interrupted: ")
    killed = tmp_path / "killed"
    proc = _start([*TRAIN, "--epochs", "3", "--out", str(killed)], env)
    _wait_for_epochs(proc, killed, 1)
    proc.kill()
    proc.communicate(timeout=60)
    code, _, err = cli("mnist", "train", "--out", killed, "--resume")
    assert code == 0, err
    assert json.loads((killed / "history.json").read_text())["epoch"] == [1, 2, 3]
    assert sorted(p.name for p in killed.iterdir()) == sorted(training.OUTPUTS)  # no temporary

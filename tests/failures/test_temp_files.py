"""The temporaries a killed writer leaves (``.<stem>.<random><suffix>``, named as
``_io.atomic_path`` names them) are removed when a run directory is opened; nothing else is."""

import os
import tempfile
from pathlib import Path

from failure_checks import snapshot

from jaxscratch._io import atomic_path, remove_temporaries
from jaxscratch.runs import training


def _left_by_a_kill(folder: Path, name: str) -> Path:
    """A temporary named exactly as ``atomic_path`` names one for ``name`` (what a SIGKILL
    between its write and its rename leaves)."""
    stem, suffix = os.path.splitext(name)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix, dir=folder)
    os.write(fd, b"half a checkpoint")
    os.close(fd)
    return Path(tmp)


def test_the_pattern_is_the_one_atomic_path_uses(tmp_path):
    with atomic_path(tmp_path / "checkpoint.prev.npz") as tmp:
        assert remove_temporaries(tmp_path, ["checkpoint.prev.npz"]) == [tmp]
        tmp.write_bytes(b"written after all")  # so that the rename still succeeds
    assert remove_temporaries(tmp_path, ["checkpoint.prev.npz"]) == []
    assert (tmp_path / "checkpoint.prev.npz").read_bytes() == b"written after all"


def test_resume_removes_the_temporaries_of_a_killed_checkpoint_write(cli, run_copy):
    stale = [_left_by_a_kill(run_copy, n) for n in ("checkpoint.npz", "checkpoint.prev.npz",
                                                    "history.json", "confusion.png")]  # fmt: skip
    code, _, err = cli("mnist", "train", "--out", run_copy, "--resume", "--json")
    assert code == 0, err
    assert not any(p.exists() for p in stale)
    assert sorted(p.name for p in run_copy.iterdir()) == sorted(training.OUTPUTS)


def test_evaluate_removes_them_too_and_keeps_everything_else(cli, run_copy):
    stale = _left_by_a_kill(run_copy, "metrics.json")
    (run_copy / ".notes.txt").write_text("mine")  # a user's dotfile: not of our naming
    (run_copy / ".checkpoint.npz.bak").write_text("mine")
    (run_copy / ".checkpoint.copy1234.txt").write_text("another suffix: not ours")
    code, _, err = cli("mnist", "evaluate", run_copy, "--json")
    assert code == 0, err
    assert not stale.exists()
    for name in (".notes.txt", ".checkpoint.npz.bak", ".checkpoint.copy1234.txt"):
        assert (run_copy / name).read_text().startswith(("mine", "another")), name


def test_only_files_of_the_given_names_are_removed(tmp_path):
    """Not in the issue: a folder or a symlink of that naming, and temporaries of other
    files, are left alone (a sweep's pairs, a demo's section records)."""
    pair = _left_by_a_kill(tmp_path, "64x32.json")
    section = _left_by_a_kill(tmp_path, "section.json")
    other = _left_by_a_kill(tmp_path, "notes.json")
    (tmp_path / ".64x32.abcdefgh.json.d").mkdir()
    (tmp_path / ".section.zzzzzzzz.json").symlink_to(other)
    before = snapshot(tmp_path)
    removed = remove_temporaries(tmp_path, ["64x32.json", "section.json"])
    assert sorted(removed) == sorted([pair, section])
    assert other.exists() and (tmp_path / ".section.zzzzzzzz.json").is_symlink()
    assert set(snapshot(tmp_path)) == set(before) - {pair.name, section.name}
    assert remove_temporaries(tmp_path / "missing", ["x.json"]) == []

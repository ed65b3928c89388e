"""Atomic writes: complete files or none, usual permissions, no temporary files left behind."""

import json
import os

import numpy as np
import pytest

from jaxscratch import _io


def test_write_json_and_npy_round_trip(tmp_path):
    _io.write_json(tmp_path / "a" / "b.json", {"x": [1, 2]})
    assert json.loads((tmp_path / "a" / "b.json").read_text()) == {"x": [1, 2]}
    _io.save_npy(tmp_path / "x.npy", np.arange(5))
    np.testing.assert_array_equal(np.load(tmp_path / "x.npy"), np.arange(5))


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "keep.txt"
    _io.write_text(target, "old")

    def boom(f):
        f.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        _io._atomic(target, boom)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_files_get_the_umask_permissions(tmp_path):
    path = _io.write_text(tmp_path / "p.txt", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~mask)


def test_a_stream_lands_whole_or_not_at_all(tmp_path):
    target = tmp_path / "big.bin"
    with _io.atomic_writer(target) as f:
        for block in (b"a" * 10, b"b" * 10):
            f.write(block)
            assert not target.exists()  # nothing at the name while streaming
    assert target.read_bytes() == b"a" * 10 + b"b" * 10
    with pytest.raises(ConnectionError), _io.atomic_writer(target) as f:
        f.write(b"partial")
        raise ConnectionError("dropped")
    assert target.read_bytes() == b"a" * 10 + b"b" * 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.bin"]


def test_copy_file_copies_atomically_and_refuses_a_missing_source(tmp_path):
    src = _io.write_bytes(tmp_path / "a.bin", bytes(range(256)) * 1000)
    _io.write_text(tmp_path / "b.bin", "old")
    _io.copy_file(src, tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == src.read_bytes()
    with pytest.raises(FileNotFoundError):
        _io.copy_file(tmp_path / "missing.bin", tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == src.read_bytes()  # the old copy stays whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.bin"]

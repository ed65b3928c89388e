"""Degenerate data are refused where they enter, saying what was found: empty parts, one
class, too few images, IDX headers that promise what no file or array can hold; a rejected
gzip data folder leaves nothing in the cache; no run folder is created."""

import struct

import numpy as np
import pytest
from failure_checks import TINY, one_line, snapshot

from jaxscratch.data import registry
from jaxscratch.data.idx import encode_idx

IMAGES = registry.STANDARD_NAMES[0].removesuffix(".gz")  # train-images-idx3-ubyte


def _write_set(folder, n_train=30, n_test=10, *, labels=None, compress=False):
    rng = np.random.default_rng(0)
    parts = []
    for n in (n_train, n_test):
        y = (np.arange(n) % 10 if labels is None else np.full(n, labels)).astype(np.uint8)
        parts += [rng.integers(0, 255, (n, 8, 8), dtype=np.uint8), y]
    folder.mkdir()
    for name, a in zip(registry.STANDARD_NAMES, parts, strict=True):
        target = folder / (name if compress else name.removesuffix(".gz"))
        target.write_bytes(encode_idx(a, compress=compress))
    return folder


def _train(cli, tmp_path, data, *names):
    out = tmp_path / "run"
    args = [a for a in TINY if a not in ("digits", "--dataset")]
    code, stdout, err = cli("mnist", "train", *args, "--data-dir", data, "--split", "official",
                            "--batch-size", "1", "--epochs", "1", "--out", out)  # fmt: skip
    assert code == 2 and stdout == ""
    one_line(err, *names)
    assert not out.exists()


def test_zero_training_images(cli, tmp_path):
    data = _write_set(tmp_path / "d", n_train=0)
    _train(cli, tmp_path, data, str(data / IMAGES), "holds 0 images")


def test_zero_test_images(cli, tmp_path):
    data = _write_set(tmp_path / "d", n_test=0)
    _train(cli, tmp_path, data, "t10k-images-idx3-ubyte", "holds 0 images")


def test_all_labels_one_class(cli, tmp_path):
    data = _write_set(tmp_path / "d", labels=3)
    _train(cli, tmp_path, data, "30 training images (classes: 3)", "two classes or more")


def test_one_training_image_is_too_few(cli, tmp_path):
    """Not in the issue: one image of one class, and one test image."""
    data = _write_set(tmp_path / "d", n_train=1, n_test=1)
    _train(cli, tmp_path, data, "1 training images (classes: 0)", "at least 2 training")


def test_idx_header_with_more_dimensions_than_an_array(cli, tmp_path):
    data = _write_set(tmp_path / "d")
    (data / IMAGES).write_bytes(bytes([0, 0, 8, 65]) + struct.pack(">65I", *[1] * 65) + b"\0")
    _train(cli, tmp_path, data, str(data / IMAGES), "declares 65 dimensions")


def test_idx_sizes_larger_than_the_file_are_refused_before_allocating(cli, tmp_path):
    data = _write_set(tmp_path / "d")
    huge = bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 2**16, 2**16) + b"\0" * 64
    (data / IMAGES).write_bytes(huge)  # 2**63 bytes promised: no buffer is made for them
    _train(cli, tmp_path, data, str(data / IMAGES), "fit no array")


def test_a_rejected_gzip_set_leaves_nothing_in_the_cache(cli, tmp_path):
    data = _write_set(tmp_path / "d", compress=True)
    labels = data / registry.STANDARD_NAMES[1]
    labels.write_bytes(encode_idx(np.zeros(29, np.uint8), compress=True))  # 30 images
    _train(cli, tmp_path, data, "29 labels but", "30 images")
    assert [p for p in snapshot(tmp_path / "cache")] == []


@pytest.mark.parametrize("n_test", [0, 5])
def test_data_show_agrees(cli, tmp_path, n_test):
    """The same one loader answers `data show`: an empty part is refused there too."""
    data = _write_set(tmp_path / "d", n_test=n_test)
    code, _, err = cli(
        "data", "show", "custom", "--data-dir", data, "--out", tmp_path / "grid.png"
    )
    if n_test:
        assert code == 0, err
    else:
        assert code == 2
        one_line(err, "holds 0 images")

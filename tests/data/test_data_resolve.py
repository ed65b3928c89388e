"""load(): the search order, the array cache, and one clear error per kind of bad input."""

import os
from pathlib import Path

import numpy as np
import pytest
from data_helpers import tiny_arrays, write_set

from jaxscratch.data import DataError, DataFormatError, Dataset, load, pool
from jaxscratch.data.idx import encode_idx

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def _same(ds: Dataset, arrays) -> None:
    for got, want in zip(ds[1:5], arrays, strict=True):
        np.testing.assert_array_equal(got, want)
    assert ds.y_train.dtype == np.int32 and ds.x_train.dtype == np.uint8


@pytest.mark.parametrize("compress", [True, False])
def test_data_dir_reads_the_four_standard_files(tmp_path, compress):
    arrays = write_set(tmp_path / "d", compress=compress)
    ds = load("mnist", data_dir=tmp_path / "d")
    _same(ds, arrays)
    assert ds.name == "custom" and str(tmp_path / "d") in ds.source


def test_raw_files_are_memory_mapped_in_place(tmp_path, isolated):
    write_set(tmp_path / "d", compress=False)
    ds = load("mnist", data_dir=tmp_path / "d")
    assert isinstance(ds.x_train, np.memmap)
    assert not (isolated / "arrays").exists()


def test_the_environment_variable_works_like_data_dir(tmp_path, monkeypatch):
    arrays = write_set(tmp_path / "d")
    monkeypatch.setenv("JAXSCRATCH_DATA", str(tmp_path / "d"))
    _same(load("mnist"), arrays)


def test_a_shared_root_with_one_subfolder_per_set(tmp_path):
    arrays = write_set(tmp_path / "root" / "fashion-mnist")
    _same(load("fashion-mnist", data_dir=tmp_path / "root"), arrays)


def test_gzip_is_decoded_once_then_memory_mapped(tmp_path, isolated):
    write_set(tmp_path / "d")
    first = load("mnist", data_dir=tmp_path / "d")
    entries = sorted((isolated / "arrays").glob("*.npy"))
    assert len(entries) == 4
    stamps = [p.stat().st_mtime_ns for p in entries]
    again = load("mnist", data_dir=tmp_path / "d")
    assert isinstance(again.x_train, np.memmap) and not again.x_train.flags.writeable
    assert [p.stat().st_mtime_ns for p in entries] == stamps
    np.testing.assert_array_equal(first.x_test, again.x_test)


def test_a_changed_file_is_decoded_again_and_its_old_entry_removed(tmp_path, isolated):
    write_set(tmp_path / "d")
    load("mnist", data_dir=tmp_path / "d")
    x_tr, y_tr, x_te, y_te = tiny_arrays(seed=1)
    path = tmp_path / "d" / "train-images-idx3-ubyte.gz"
    path.write_bytes(encode_idx(x_tr, compress=True))
    os.utime(path, ns=(1, 1))  # a different mtime even on a coarse clock
    np.testing.assert_array_equal(load("mnist", data_dir=tmp_path / "d").x_train, x_tr)
    assert len(list((isolated / "arrays").glob("train-images*.npy"))) == 1


def test_a_damaged_cache_entry_is_rebuilt(tmp_path, isolated):
    arrays = write_set(tmp_path / "d")
    load("mnist", data_dir=tmp_path / "d")
    for entry in (isolated / "arrays").glob("*.npy"):
        entry.write_bytes(b"garbage")
    _same(load("mnist", data_dir=tmp_path / "d"), arrays)


def test_the_user_cache_is_found_and_verified(fake_mnist, isolated):
    spec, files, arrays = fake_mnist
    (isolated / "mnist").mkdir(parents=True)
    for name, data in files.items():
        (isolated / "mnist" / name).write_bytes(data)
    ds = load("mnist")
    assert ds.name == "mnist" and ds.source == f"user cache {isolated / 'mnist'}"
    _same(ds, arrays)


def test_a_cached_file_with_the_wrong_checksum_is_refused(fake_mnist, isolated):
    (isolated / "mnist").mkdir(parents=True)
    write_set(isolated / "mnist", tiny_arrays(seed=5))
    with pytest.raises(DataFormatError, match="SHA-256 differs"):
        load("mnist")


def test_verbose_prints_each_step_of_the_search(fake_mnist, monkeypatch, capsys):
    monkeypatch.setenv("JAXSCRATCH_OFFLINE", "1")
    with pytest.raises(DataError):
        load("mnist", verbose=True)
    err = capsys.readouterr().err
    assert "no --data-dir" in err and "user cache" in err and "not there" in err


def test_no_network_and_nothing_cached_says_how_to_provide_the_files(fake_mnist, monkeypatch):
    monkeypatch.setenv("JAXSCRATCH_MIRRORS", "http://127.0.0.1:9/")
    with pytest.raises(DataError, match="--data-dir") as err:
        load("mnist")
    assert "digits" in str(err.value)


def test_offline_mode_never_downloads(fake_mnist, monkeypatch):
    monkeypatch.setenv("JAXSCRATCH_OFFLINE", "1")
    with pytest.raises(DataError, match="JAXSCRATCH_OFFLINE.*--data-dir.*digits"):
        load("mnist")


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is absent")
def test_the_debian_fashion_mnist_is_found_and_verified(capsys):
    ds = load("fashion-mnist", verbose=True)
    assert ds.name == "fashion-mnist" and ds.source == f"system copy {DEBIAN_FASHION}"
    assert ds.x_train.shape == (60000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
    assert np.bincount(ds.y_train).tolist() == [6000] * 10
    assert "system copy" in capsys.readouterr().err
    x, y = pool(ds)
    assert x.shape == (70000, 28, 28) and y.shape == (70000,)


# One clear error per kind of bad input, naming the file and the fix.


def test_unknown_dataset_name_lists_the_known_ones(tmp_path):
    with pytest.raises(
        DataError, match="unknown dataset 'cifar'.*mnist, mnist-10k, fashion-mnist, digits"
    ):
        load("cifar")
    with pytest.raises(DataError, match="unknown dataset"):
        load("cifar", data_dir=tmp_path)


def test_a_data_dir_that_does_not_exist(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load("mnist", data_dir=tmp_path / "nowhere")


def test_a_data_dir_that_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(DataError, match="is a file, not a folder"):
        load("mnist", data_dir=tmp_path / "f")


def test_an_unreadable_data_dir(tmp_path, monkeypatch):
    (tmp_path / "d").mkdir()
    listdir = os.listdir

    def denied(path="."):  # root reads any folder, so refuse the way a kernel would
        if Path(path) == tmp_path / "d":
            raise PermissionError(13, "Permission denied", str(path))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", denied)
    with pytest.raises(DataError, match="cannot read --data-dir .*Permission denied"):
        load("mnist", data_dir=tmp_path / "d")


def test_a_data_dir_missing_files_names_them(tmp_path):
    write_set(tmp_path / "d")
    (tmp_path / "d" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="lacks t10k-labels-idx1-ubyte.gz"):
        load("mnist", data_dir=tmp_path / "d")


def test_labels_count_differs_from_images_count(tmp_path):
    x_tr, y_tr, x_te, y_te = tiny_arrays()
    write_set(tmp_path / "d", (x_tr, y_tr[:-1], x_te, y_te))
    with pytest.raises(DataFormatError, match="59 labels but .*train-images.* has 60 images"):
        load("mnist", data_dir=tmp_path / "d")


def test_labels_outside_0_to_9(tmp_path):
    x_tr, y_tr, x_te, y_te = tiny_arrays()
    y_te = y_te.copy()
    y_te[3] = 12
    write_set(tmp_path / "d", (x_tr, y_tr, x_te, y_te))
    with pytest.raises(DataFormatError, match="t10k-labels.*outside 0-9 \\(e.g. 12\\)"):
        load("mnist", data_dir=tmp_path / "d")


def test_images_and_labels_files_swapped(tmp_path):
    x_tr, y_tr, x_te, y_te = tiny_arrays()
    write_set(tmp_path / "d", (y_tr, x_tr, x_te, y_te))
    with pytest.raises(DataFormatError, match="train-images.*not images"):
        load("mnist", data_dir=tmp_path / "d")


def test_a_truncated_file_in_the_data_dir(tmp_path):
    write_set(tmp_path / "d", compress=False)
    path = tmp_path / "d" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataFormatError, match="train-images-idx3-ubyte: truncated"):
        load("mnist", data_dir=tmp_path / "d")


def test_a_wrong_magic_in_the_data_dir(tmp_path):
    write_set(tmp_path / "d")
    (tmp_path / "d" / "t10k-images-idx3-ubyte.gz").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(DataFormatError, match="t10k-images.*wrong magic number"):
        load("mnist", data_dir=tmp_path / "d")

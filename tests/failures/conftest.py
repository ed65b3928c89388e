"""Fixtures for the failure tests: an isolated cache, a tiny trained run to copy and tamper
with."""

import shutil
from pathlib import Path

import pytest
from failure_checks import TINY

from jaxscratch.cli import main


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A fresh data cache; no data folder or mirrors from the environment."""
    for key in ("JAXSCRATCH_DATA", "JAXSCRATCH_MIRRORS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("JAXSCRATCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("JAXSCRATCH_OFFLINE", "1")


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> Path:
    """A finished two-epoch run on digits (train it once; copy it with ``run_copy``)."""
    out = tmp_path_factory.mktemp("trained") / "run"
    try:
        main(["mnist", "train", *TINY, "--epochs", "2", "--out", str(out), "--json"])
    except SystemExit as stop:
        assert not stop.code, stop
    return out


@pytest.fixture
def run_copy(trained, tmp_path) -> Path:
    """A fresh copy of the trained run for one test to change."""
    return Path(shutil.copytree(trained, tmp_path / "run"))

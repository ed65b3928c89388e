"""Requests larger than memory are refused before anything is allocated, with the estimate,
the limit and the largest size that fits (``jaxscratch.limits``), in every command."""

import re

import jax
import pytest
from failure_helpers import assert_refused, tree

from jaxscratch import limits
from jaxscratch.cli import mvn as mvn_cli

GB = 10**9


@pytest.fixture
def four_gb(tmp_path, monkeypatch):
    """This machine, as the checks see it: 4 GB available (so 3.2 GB to plan with)."""
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(f"MemTotal: 8000000 kB\nMemAvailable: {4 * GB // 1024} kB\n")
    monkeypatch.setattr(limits, "MEMINFO", meminfo)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _largest(line: str) -> int:
    return int(re.search(r"largest that fits is .*?--?\w*[ =]?(\d+)", line).group(1))


@pytest.mark.parametrize(
    "args, asked",
    [
        (("mvn", "sample", "--n", str(10**12)), "--n 1000000000000"),
        (("mvn", "sample", "--dim", "100000", "--n", "10"), "--dim 100000"),
        (("blr", "fit", "--n", str(10**9), "--out", "b"), "--n 1000000000"),
        (("bivariate", "plot", "--n", str(10**12)), "--n 1000000000000"),
        (("bivariate", "animate", "--n", str(10**9), "--frames", "4"), "over 4 frames"),
        (
            (
                "mnist",
                "train",
                "--dataset",
                "digits",
                "--hidden",
                "100000",
                "100000",
                "--out",
                "r",
            ),
            "hidden widths 100000 100000",
        ),  # fmt: skip
        (
            (
                "mnist",
                "sweep",
                "--dataset",
                "digits",
                "--h1",
                "64",
                "100000",
                "--h2",
                "100000",
                "--out",
                "s",
            ),
            "hidden widths 100000 100000",
        ),  # fmt: skip
    ],
)
def test_a_request_larger_than_memory_is_refused_with_estimate_limit_and_largest(
    cli, four_gb, args, asked
):
    before = tree(four_gb)
    assert_refused(cli(*args), asked, "of memory", "3.2 GB", "largest that fits")
    assert tree(four_gb) == before  # no run folder, no config.json, no figure


def test_the_largest_size_named_fits_and_one_more_does_not(four_gb):
    budget = limits.budget()
    assert budget == int(0.8 * 4 * GB // 1024 * 1024)
    d, itemsize = 10, 4
    with pytest.raises(limits.JaxscratchError) as refused:
        mvn_cli._check_memory(10**12, d, itemsize)
    n = _largest(str(refused.value))
    mvn_cli._check_memory(n, d, itemsize)  # the size named passes ...
    with pytest.raises(limits.JaxscratchError):
        mvn_cli._check_memory(n + 1, d, itemsize)  # ... and is the largest that does


def test_largest_bisects_any_monotone_estimate():
    assert limits.largest(lambda m: 3 * m * m, 300) == 10
    assert limits.largest(lambda m: 7 * m, 6) == 0
    assert limits.largest(lambda m: m, 2**40) == 2**40


def test_an_allocation_jax_refuses_anyway_is_one_line(cli, four_gb, monkeypatch):
    """Where an estimate misses, XLA's RESOURCE_EXHAUSTED becomes the same one-line error."""

    def exhausted(*_, **__):
        raise jax.errors.JaxRuntimeError(
            "RESOURCE_EXHAUSTED: Out of memory allocating 4000000000000 bytes.\nmore detail"
        )

    monkeypatch.setattr(mvn_cli, "_distribution", exhausted)
    line = assert_refused(cli("mvn", "sample", "--n", "100", "--dim", "2"), "out of memory")
    assert "4000000000000 bytes" in line


def test_without_meminfo_nothing_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MEMINFO", tmp_path / "missing")
    assert limits.budget() is None
    limits.check_fits("--n 10**15", 10**15, lambda m: m * 10**6, str)  # no limit known

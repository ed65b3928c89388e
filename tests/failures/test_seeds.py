"""Seeds: exactly the range whose keys are distinct (0 .. 2**32 - 1, ``cli._common.make_key``),
said in the error, in every command that takes --seed."""

import jax
import numpy as np
import pytest
from failure_helpers import assert_refused, tree

from jaxscratch.cli._common import SEED_MAX, make_key

COMMANDS = {
    "mvn": ("mvn", "sample", "--n", "10"),
    "bivariate": ("bivariate", "plot", "--n", "10"),
    "blr": ("blr", "fit", "--out", "b"),
    "mnist": ("mnist", "train", "--dataset", "digits", "--out", "r"),
    "demo": ("demo", "--quick", "--out", "d"),
}


@pytest.mark.parametrize(
    "command, seed",
    [
        ("mvn", 2**63),
        ("bivariate", 2**64),
        ("blr", -(2**64)),
        ("mnist", 2**32),
        ("demo", -1),
        ("mvn", 10**30),
    ],  # fmt: skip
)
def test_a_seed_out_of_range_is_refused_with_the_range(cli, tmp_path, monkeypatch, command, seed):
    monkeypatch.chdir(tmp_path)
    args = (*COMMANDS[command], "--seed", str(seed))
    line = assert_refused(cli(*args), f"--seed {seed}", str(SEED_MAX))
    assert "0 to" in line
    assert tree(tmp_path) == {}


def test_the_ends_of_the_range_make_distinct_keys():
    data = [np.asarray(jax.random.key_data(make_key(s))) for s in (0, 1, SEED_MAX)]
    assert len({d.tobytes() for d in data}) == 3

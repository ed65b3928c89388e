"""Seeds: exactly the range whose keys are distinct (0 .. 2**32 - 1, ``cli._common.make_key``),
said in the error, in every command that takes --seed."""

import jax
import numpy as np
import pytest
from failure_helpers import assert_refused, tree

from jaxscratch.cli._common import SEED_MAX, make_key


@pytest.mark.parametrize("seed", [2**63, 2**64, -(2**64), 2**32, -1])
@pytest.mark.parametrize(
    "command",
    [
        ("mvn", "sample", "--n", "10"),
        ("bivariate", "plot", "--n", "10"),
        ("blr", "fit", "--out", "b"),
        ("mnist", "train", "--dataset", "digits", "--out", "r"),
        ("demo", "--quick", "--out", "d"),
    ],
)
def test_a_seed_out_of_range_is_refused_with_the_range(cli, tmp_path, monkeypatch, command, seed):
    monkeypatch.chdir(tmp_path)
    line = assert_refused(cli(*command, "--seed", str(seed)), f"--seed {seed}", str(SEED_MAX))
    assert "0 to" in line
    assert tree(tmp_path) == {}


def test_the_ends_of_the_range_make_distinct_keys():
    data = [np.asarray(jax.random.key_data(make_key(s))) for s in (0, 1, SEED_MAX)]
    assert len({d.tobytes() for d in data}) == 3

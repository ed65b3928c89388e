"""Fixtures shared by the run-directory tests."""

import pytest
from run_helpers import KEY

from jaxscratch.runs import training


@pytest.fixture(scope="session")
def digits():
    """The digits set, split 80-20 by ``KEY``: what every run test trains and scores on."""
    return training.load_data("digits", split="80-20", key=KEY)

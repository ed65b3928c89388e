"""The training benchmark counts the products of one step correctly."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_train.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_train", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_products_are_forward_weight_and_input_gradients_but_the_first_input_gradient():
    bench = _load()
    b, sizes = bench.BATCH, bench.SIZES
    weights = sum(a * c for a, c in zip(sizes[:-1], sizes[1:], strict=True))
    flop = sum(2 * m * k * n for m, k, n in bench._products())
    # 2 forward + 2 weight-gradient FLOP per weight and example, 2 more for input gradients
    # of every layer whose input is a hidden activation
    assert flop == 6 * weights * b - 2 * sizes[0] * sizes[1] * b
    assert (b, sizes[1], sizes[0]) not in bench._products()
    assert len(bench._products()) == 3 * (len(sizes) - 1) - 1

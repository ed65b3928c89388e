"""The from-scratch rule: src/ draws no normal variates from a library."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
FORBIDDEN = re.compile(
    r"random\.(normal|multivariate_normal|truncated_normal|standard_normal)\b"
    r"|np\.random|numpy\.random|random import .*normal"
    r"|^\s*(import|from)\s+(flax|optax|equinox|haiku|torch|numpyro|scipy)\b"
)


def test_source_tree_exists():
    assert len(list(SRC.rglob("*.py"))) > 5


def test_no_library_normal_generator_or_framework_in_src():
    hits = [
        f"{path.relative_to(SRC)}:{i}: {line.strip()}"
        for path in SRC.rglob("*.py")
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line) and not line.lstrip().startswith("#")
    ]
    assert hits == []


def test_the_pattern_catches_what_it_should():
    for bad in ["z = jax.random.normal(k, (3,))", "import optax", "x = np.random.randn(3)"]:
        assert FORBIDDEN.search(bad)

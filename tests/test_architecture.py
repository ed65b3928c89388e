"""The house holds: every import under ``src/jaxscratch`` points down the layer table.

The table and its reasons are ``../shared/ARCHITECTURE.md``: faces (cli, app, pipeline) over
pictures (viz, report) over runs and scenes over math (gaussian, nn, blr, data, metrics) over
plumbing (errors, _io, _shared). Imports are read from the source with ``ast`` (module level and
inside functions alike), so a lazy import cannot hide a wrong direction.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "jaxscratch"

LAYERS = {
    "errors": "plumbing",
    "_io": "plumbing",
    "_shared": "plumbing",
    "limits": "plumbing",
    "gaussian": "math",
    "nn": "math",
    "blr": "math",
    "data": "math",
    "metrics": "math",
    "runs": "runs",
    "scenes": "scenes",
    "viz": "pictures",
    "report": "pictures",
    "cli": "faces",
    "app": "faces",
    "pipeline": "faces",
}
# what each layer may import (besides itself); the reasons are in ARCHITECTURE.md
MAY_IMPORT = {
    "plumbing": set(),
    "math": {"plumbing"},
    "runs": {"math", "plumbing"},
    "scenes": {"math", "plumbing"},
    "pictures": {"scenes", "runs", "math", "plumbing"},
    "faces": {"pictures", "runs", "scenes", "math", "plumbing"},
}
# inside math, a package may import only the math below it
MATH_MAY_IMPORT = {
    "gaussian": set(),
    "metrics": set(),
    "data": set(),
    "nn": {"gaussian", "metrics"},
    "blr": {"gaussian"},
}
# faces never import each other, except that the command line is the one entry point: it
# starts the demo pipeline and the explorer app
FACES_MAY_IMPORT = {"cli": {"app", "pipeline"}, "app": set(), "pipeline": set()}


def _package(module: str) -> str | None:
    """First component under ``jaxscratch`` ("" for the package itself), None if not ours."""
    parts = module.split(".")
    if parts[0] != "jaxscratch":
        return None
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names taken from it) for every import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    here = _module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]  # relative imports count from the package
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _violation(src: str, dst: str) -> str | None:
    """Why ``src`` (a package under jaxscratch) may not import ``dst``, or None if it may."""
    if src == dst or dst == "":
        return None if src == dst or src == "" else "imports the package root (import a module)"
    if src == "":
        return None  # the package root re-exports the public API
    a, b = LAYERS[src], LAYERS[dst]
    if a == b == "math":
        return None if dst in MATH_MAY_IMPORT[src] else f"math {src} imports math {dst}"
    if a == b == "faces":
        return None if dst in FACES_MAY_IMPORT[src] else f"face {src} imports face {dst}"
    if a == b:
        return None
    return None if b in MAY_IMPORT[a] else f"{a} {src} imports {b} {dst}"


def _layer_violations() -> list[str]:
    bad = []
    for path in _sources():
        src = _package(_module_name(path))
        for line, module, names in _imports(path):
            if module == "jaxscratch" and names:  # ``from jaxscratch import nn``: each name
                targets = [(n if n in LAYERS else "", f"jaxscratch.{n}") for n in names]
            else:
                targets = [(_package(module), module)]
            for dst, what in targets:
                why = None if dst is None else _violation(src, dst)
                if why:
                    bad.append(f"{path.relative_to(SRC)}:{line}: {why} ({what})")
    return bad


_NAMEDTUPLE_API = {"_fields", "_replace", "_asdict", "_make", "_field_defaults"}
_STDLIB_API = {("os", "_exit")}  # public despite the underscore: leave without exit hooks


def _private_violations() -> list[str]:
    """``_private`` names stay in their module: no ``from m import _x``, no ``m._x``."""
    bad = []
    for path in _sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        bound = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    name = alias.asname or alias.name
                    bound.add(name)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        bad.append(f"{path.relative_to(SRC)}:{node.lineno}: imports {alias.name}")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            private = private and node.attr not in _NAMEDTUPLE_API
            private = private and (getattr(root, "id", None), node.attr) not in _STDLIB_API
            if private and isinstance(root, ast.Name) and root.id in bound:
                bad.append(f"{path.relative_to(SRC)}:{node.lineno}: uses {root.id}...{node.attr}")
    return bad


def test_every_package_has_a_layer():
    packages = {_package(_module_name(p)) for p in _sources()} - {""}
    assert packages <= set(LAYERS), f"no layer for {sorted(packages - set(LAYERS))}"


def test_top_level_holds_only_the_package_and_plumbing():
    top = {p.stem for p in SRC.glob("*.py")}
    assert top <= {"__init__", "errors", "_io", "_shared", "limits", "metrics"}, sorted(top)


def test_imports_point_down_the_layers():
    bad = _layer_violations()
    assert not bad, "\n".join(bad)


def test_private_names_stay_in_their_module():
    bad = _private_violations()
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("src", "dst", "allowed"),
    [
        ("cli", "runs", True),
        ("cli", "app", True),
        ("app", "cli", False),
        ("pipeline", "app", False),
        ("viz", "runs", True),
        ("runs", "viz", False),
        ("runs", "cli", False),
        ("scenes", "viz", False),
        ("blr", "scenes", False),
        ("blr", "runs", False),
        ("nn", "gaussian", True),
        ("gaussian", "nn", False),
        ("data", "runs", False),
        ("data", "nn", False),
        ("errors", "gaussian", False),
        ("viz", "cli", False),
    ],
)
def test_the_rules_themselves(src, dst, allowed):
    """The checker refuses what ARCHITECTURE.md forbids, so a passing run means something."""
    assert (_violation(src, dst) is None) == allowed


def test_the_checker_reads_lazy_and_relative_imports(tmp_path):
    pkg = tmp_path / "jaxscratch" / "blr"
    pkg.mkdir(parents=True)
    f = pkg / "x.py"
    f.write_text("def f():\n    from jaxscratch.runs import training\n    from . import basis\n")
    global SRC
    old, SRC = SRC, tmp_path / "jaxscratch"
    try:
        found = [(m, n) for _, m, n in _imports(f)]
    finally:
        SRC = old
    assert ("jaxscratch.runs", ["training"]) in found
    assert ("jaxscratch.blr", ["basis"]) in found

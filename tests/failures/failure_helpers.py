"""What every failure test asserts: exit 2, one stderr line naming the culprit, no traceback,
the folder exactly as it was."""

import contextlib
import os
import subprocess
from pathlib import Path


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {
        str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def assert_refused(result, *names: str) -> str:
    """Exit 2, exactly one line on stderr that names each of ``names``, no traceback."""
    code, _out, err = result
    lines = err.strip().splitlines()
    assert code == 2, (code, err)
    assert "Traceback" not in err, err
    assert len(lines) == 1, err
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


@contextlib.contextmanager
def mounted(where: Path, *options: str):
    """A small tmpfs at ``where`` (root only); yields False when it cannot be mounted."""
    where.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)],
        capture_output=True,
    )
    if made.returncode != 0 or os.geteuid() != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)

"""What every failure test checks: one line on stderr naming the value or file, no traceback,
nothing left behind, nothing valid overwritten (``snapshot`` before and after)."""

from pathlib import Path

TINY = ("--dataset", "digits", "--hidden", "16", "8", "--batch-size", "64", "--seed", "1")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (dotfiles included), by relative path, with its bytes."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def one_line(err: str, *names: str) -> None:
    """stderr is one line, no traceback, naming each of ``names``."""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err, err
    for name in names:
        assert name in err, (name, err)

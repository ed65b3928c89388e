"""The JavaScript files of the live report, read from the installed package."""

from importlib import resources


def script(name: str) -> str:
    """The text of ``js/<name>.js``; a missing file is a packaging bug, so it raises."""
    return resources.files(__package__).joinpath("js", f"{name}.js").read_text(encoding="utf-8")

"""The JavaScript files of the live report, read from the installed package.

A panel's ``CustomJS`` named ``ON_LOAD`` also runs once when the page is ready (the assembler
registers it for Bokeh's ``document_ready`` event), so a panel draws its first frame, and
publishes its functions on ``window.jaxscratch``, without a round trip to Python.
"""

from importlib import resources

ON_LOAD = "live-on-load"


def script(name: str) -> str:
    """The text of ``js/<name>.js``; a missing file is a packaging bug, so it raises."""
    return resources.files(__package__).joinpath("js", f"{name}.js").read_text(encoding="utf-8")

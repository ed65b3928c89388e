"""The JavaScript files of the live report, read from the installed package.

A panel's ``CustomJS`` named ``ON_LOAD`` also runs once when the page is ready (the assembler
registers it for Bokeh's ``document_ready`` event), so a panel draws its first frame, and
publishes its functions on ``window.jaxscratch``, without a round trip to Python.
"""

from importlib import resources

ON_LOAD = "live-on-load"


SHARED = "shared"  # the helpers every panel's code starts with (``js/shared.js``)


def _text(name: str) -> str:
    return resources.files(__package__).joinpath("js", f"{name}.js").read_text(encoding="utf-8")


def script(name: str) -> str:
    """The body of a panel's CustomJS: ``js/shared.js`` then ``js/<name>.js``; a missing file
    is a packaging bug, so it raises."""
    return _text(SHARED) + "\n" + _text(name)

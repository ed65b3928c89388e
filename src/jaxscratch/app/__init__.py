"""The explorers: one Panel page with a tab per part (``jaxscratch explore``) and a Jupyter widget.

Contract: wiring only. A tab builds its widgets from a control spec (``scenes.controls``
for the bivariate sliders, shared with ``notebook`` and the live report), and each callback
makes one call into ``scenes`` (or the library) and replaces Bokeh source data in place; no
mathematics in a callback. A tab turns its seed into a key itself; nothing below receives a seed.
"""

from jaxscratch.app.server import TABS, build, check_port, serve

__all__ = ["TABS", "build", "check_port", "serve"]

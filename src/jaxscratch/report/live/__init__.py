"""The live report: panels that run in the reader's browser, with no Python, server or network.

Contract: each panel module (``bivariate``, ``mvn``, ``blr``, ``mnist``) offers
``build(section_dir: Path) -> bokeh.models.LayoutDOM | None``. It reads what the demo wrote for
its part (None when that part is absent), takes every number from the library, and wires its
widgets with ``CustomJS`` whose code lives in ``js/<name>.js`` (loaded by ``assets.script``),
never in Python strings. The page assembler embeds the layouts with Bokeh's resources inlined.
"""

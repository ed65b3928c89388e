"""The run report: sections of text, tables and figures rendered to self-contained HTML.

Contract: a ``Section`` is plain data (``Text``, ``Table``, ``Figure``, ``Code`` blocks) that
round-trips through JSON (``section_to_dict`` / ``section_from_dict``), and ``render_html``
turns sections into one page with every image embedded; nothing here computes a number.
"""

from jaxscratch.report.environment import environment
from jaxscratch.report.html import render_html
from jaxscratch.report.model import (
    Code,
    Figure,
    Section,
    Table,
    Text,
    read_section,
    section_from_dict,
    section_to_dict,
)

__all__ = [
    "Code",
    "Figure",
    "Section",
    "Table",
    "Text",
    "environment",
    "read_section",
    "render_html",
    "section_from_dict",
    "section_to_dict",
]

"""The run report: sections of text, tables and figures rendered to self-contained HTML."""

from jaxscratch.report.environment import environment
from jaxscratch.report.html import render_html
from jaxscratch.report.model import (
    Code,
    Figure,
    Section,
    Table,
    Text,
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
    "render_html",
    "section_from_dict",
    "section_to_dict",
]

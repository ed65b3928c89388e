"""What a report is made of: sections holding text, tables, figures and commands."""

from typing import Any, NamedTuple


class Text(NamedTuple):
    """Paragraphs of plain text (escaped when rendered); blank lines separate paragraphs."""

    text: str


class Table(NamedTuple):
    """A table: column names and rows of cells (strings or numbers)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


class Figure(NamedTuple):
    """An image file (PNG, GIF, SVG) and the caption that says what it shows."""

    path: str
    caption: str


class Code(NamedTuple):
    """Commands that reproduce a section."""

    commands: tuple[str, ...]


Block = Text | Table | Figure | Code
_KINDS = {cls.__name__: cls for cls in (Text, Table, Figure, Code)}


class Section(NamedTuple):
    """One part of the report."""

    key: str
    title: str
    blocks: tuple[Block, ...]


def section_to_dict(section: Section) -> dict:
    """JSON-ready form of a section (so a finished part can be reused by a resumed run)."""
    blocks = [{"kind": type(b).__name__, **b._asdict()} for b in section.blocks]
    return {"key": section.key, "title": section.title, "blocks": blocks}


def section_from_dict(data: dict) -> Section:
    """Inverse of ``section_to_dict``."""
    blocks = []
    for b in data["blocks"]:
        fields = {k: v for k, v in b.items() if k != "kind"}
        if b["kind"] == "Table":
            fields["columns"] = tuple(fields["columns"])
            fields["rows"] = tuple(tuple(r) for r in fields["rows"])
        if b["kind"] == "Code":
            fields["commands"] = tuple(fields["commands"])
        blocks.append(_KINDS[b["kind"]](**fields))
    return Section(data["key"], data["title"], tuple(blocks))

"""What a report is made of: sections holding text, tables, figures and commands."""

from pathlib import Path
from typing import Any, NamedTuple

from jaxscratch._io import read_json
from jaxscratch.errors import JaxscratchError


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


def read_section(path: str | Path, *, fix: str) -> Section:
    """A ``section_to_dict`` file, checked (the one loader of a section record): an object
    with a key, a title and blocks of known kinds and fields; else a one-line error naming
    ``path`` and ``fix``."""
    path = Path(path)
    data = read_json(path, fix=fix)
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        raise JaxscratchError(f"{path}: not a section record (no list of blocks); {fix}")
    if not isinstance(data.get("key"), str) or not isinstance(data.get("title"), str):
        raise JaxscratchError(f"{path}: a section record needs a key and a title; {fix}")
    for i, b in enumerate(data["blocks"]):
        kind = b.get("kind") if isinstance(b, dict) else None
        if kind not in _KINDS or set(b) != {"kind", *_KINDS[kind]._fields}:
            raise JaxscratchError(f"{path}: block {i} is not a {' / '.join(_KINDS)} block; {fix}")
    return section_from_dict(data)

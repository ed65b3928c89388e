"""Render report sections as one self-contained HTML page (images embedded, no network)."""

import base64
import html
import mimetypes
from pathlib import Path

from jaxscratch.report.model import Code, Figure, Section, Table, Text

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1d1d1f; }
h1 { border-bottom: 2px solid #ddd; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #eee; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.92rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
caption { text-align: left; color: #555; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f5f5f7; } pre { background: #f5f5f7; padding: 0.8rem; overflow-x: auto; }
nav a { margin-right: 1rem; }
.live { margin: 1.5rem 0; padding: 0.5rem 1rem 1rem; border: 1px solid #ddd; border-radius: 6px;
        overflow-x: auto; } .live h3 { margin: 0.3rem 0; } .live table { font-size: 0.8rem; }
.live th, .live td { border: none; padding: 0.1rem 0.4rem; text-align: left; }
"""


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def _block(block, base: Path) -> str:
    if isinstance(block, Text):
        paras = [p.strip() for p in block.text.split("\n\n") if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in block.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in block.rows
        )
        caption = html.escape(block.caption)
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}</table>"
    if isinstance(block, Figure):
        path = (base / block.path) if not Path(block.path).is_absolute() else Path(block.path)
        caption = html.escape(block.caption)
        return (
            f'<figure><img src="{_data_uri(path)}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    if isinstance(block, Code):
        return "<pre>" + html.escape("\n".join(block.commands)) + "</pre>"
    raise TypeError(f"unknown report block {type(block).__name__}")


def _live(panel: str) -> str:
    return (
        '<div class="live"><h3>Live panel</h3><p class="live-note">Runs in your browser: no '
        f"Python, no server, no network.</p>{panel}</div>"
    )


def _section(s: Section, base: Path, panel: str | None) -> str:
    """A section's blocks, with its live panel (if any) before the commands that end it."""
    blocks = [_block(b, base) for b in s.blocks]
    if panel is not None:
        at = len(blocks) - 1 if s.blocks and isinstance(s.blocks[-1], Code) else len(blocks)
        blocks.insert(at, _live(panel))
    return f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2>{"".join(blocks)}</section>'


def render_html(
    sections: list[Section],
    *,
    title: str,
    environment: dict[str, str],
    base: Path,
    intro: str = "",
    head: str = "",
    panels: dict[str, str] | None = None,
) -> str:
    """The whole report as one HTML string; figure paths are resolved against ``base``.

    ``panels`` maps a section key to the HTML of its live panel, and ``head`` is what those
    panels need in the page's head (scripts, inlined); both are empty for the static report.
    """
    nav = "".join(f'<a href="#{s.key}">{html.escape(s.title)}</a>' for s in sections)
    parts = [_section(s, base, (panels or {}).get(s.key)) for s in sections]
    env_rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in environment.items()
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="icon" href="data:,"><style>{_STYLE}</style>{head}</head><body>'
        f"<h1>{html.escape(title)}</h1>{_block(Text(intro), base)}<nav>{nav}</nav>"
        f"{''.join(parts)}"
        f'<section id="environment"><h2>Environment</h2><table>{env_rows}</table></section>'
        "</body></html>\n"
    )

"""The live report page: the static report's sections, each with its panel, in one HTML file.

Contract: ``PANELS`` maps a section key to its panel's ``build(section_dir)`` (one line per
panel); ``live_html`` builds every panel whose part left its files, puts them in one Bokeh
document (so each ``ON_LOAD`` callback runs when the page is ready) and embeds them with Bokeh's
JavaScript and CSS inlined (only the parts the panels use). The page loads nothing: no
server, no CDN, no network.
"""

from collections.abc import Callable
from pathlib import Path

from bokeh.document import Document
from bokeh.embed import components
from bokeh.embed.bundle import bundle_for_objs_and_resources
from bokeh.models import CustomJS, LayoutDOM
from bokeh.resources import INLINE

from jaxscratch.report import Section, render_html
from jaxscratch.report.live import bivariate, blr, mnist, mvn
from jaxscratch.report.live.assets import ON_LOAD

MAX_BYTES = 12_000_000  # the page must fit a mail attachment and a course site's upload limit

PANELS: dict[str, Callable[[Path], LayoutDOM | None]] = {
    "bivariate": bivariate.build,
    "mvn": mvn.build,
    "blr": blr.build,
    "mnist": mnist.build,
}


def panels(out: Path, sections: list[Section]) -> dict[str, LayoutDOM]:
    """The panel of every section that has one and whose part left what it needs."""
    built = {s.key: PANELS[s.key](out / s.key) for s in sections if s.key in PANELS}
    return {key: layout for key, layout in built.items() if layout is not None}


def live_html(
    out: Path, sections: list[Section], *, title: str, intro: str, environment: dict[str, str]
) -> str:
    """The report of ``sections`` (figures resolved against ``out``) with their live panels."""
    layouts = panels(out, sections)
    if not layouts:
        return render_html(sections, title=title, intro=intro, environment=environment,
                           base=out)  # fmt: skip
    doc = Document()
    for layout in layouts.values():
        doc.add_root(layout)
        for callback in layout.select({"type": CustomJS, "name": ON_LOAD}):
            doc.js_on_event("document_ready", callback)
    script, divs = components(layouts)
    # Bokeh's JS and CSS inlined, only the parts these panels use (WebGL, MathJax if asked for)
    bundle = bundle_for_objs_and_resources(list(layouts.values()), INLINE)
    # Inline, every byte the panels need is in ``js_raw``/``css_raw``; what Bokeh still lists as
    # files are the URLs that other imported model classes declare (Panel's ES-module shim once
    # Panel is imported in this process), which the page never uses: it must load nothing.
    bundle.js_files, bundle.css_files = [], []
    resources = "".join(bundle)
    return render_html(sections, title=title, intro=intro, environment=environment, base=out,
                       head=resources + script, panels=divs)  # fmt: skip

"""The self-contained HTML report and the section round trip used by resumed runs."""

import base64

import numpy as np
from matplotlib.figure import Figure as MplFigure

from jaxscratch._io import save_figure
from jaxscratch.report import (
    Code,
    Figure,
    Section,
    Table,
    Text,
    environment,
    render_html,
    section_from_dict,
    section_to_dict,
)


def _section(tmp_path):
    fig = MplFigure()
    fig.subplots().plot(np.arange(3))
    save_figure(tmp_path / "part" / "f.png", fig)
    return Section(
        "part",
        "A <part>",
        (
            Text("First & only.\n\nSecond paragraph."),
            Table("numbers", ("a", "b"), ((1, 0.123456789), ("x", "<y>"))),
            Figure("part/f.png", "a line"),
            Code(("jaxscratch mvn sample --dim 3",)),
        ),
    )


def test_html_embeds_images_and_escapes_text(tmp_path):
    section = _section(tmp_path)
    page = render_html([section], title="t", environment={"jax": "0"}, base=tmp_path)
    png = (tmp_path / "part" / "f.png").read_bytes()
    assert base64.b64encode(png).decode() in page
    assert "A &lt;part&gt;" in page and "&lt;y&gt;" in page and "First &amp; only." in page
    assert "0.1235" in page and "jaxscratch mvn sample --dim 3" in page
    assert page.count("<p>") == 2 and "http" not in page.replace('lang="en"', "")


def test_section_round_trips_through_json(tmp_path):
    section = _section(tmp_path)
    assert section_from_dict(section_to_dict(section)) == section


def test_environment_names_versions_and_device():
    env = environment()
    assert env["jax"][0].isdigit() and "cpu" in env["device"].lower()

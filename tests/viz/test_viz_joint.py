"""The Bokeh joint plot both bivariate faces draw: its models, its key and where a slice stands."""

import numpy as np
import pytest
from bokeh.models import ColumnDataSource, GlyphRenderer, LinearColorMapper
from bokeh.palettes import Blues256

from jaxscratch.viz import joint as vj


def _joint(cloud: str) -> vj.Joint:
    src = {name: ColumnDataSource({c: [] for c in cols}) for name, cols in vj.COLUMNS.items()}
    shade = LinearColorMapper(palette=Blues256[::-1])
    return vj.figures(src, shade, vj.ellipse_labels(), cloud=cloud, prefix="t")


def _glyphs(fig) -> list[str]:
    return [type(r.glyph).__name__ for r in fig.renderers if isinstance(r, GlyphRenderer)]


def test_the_faces_share_one_layout_and_the_page_rasterises_the_cloud():
    dots, raster = _joint("dots"), _joint("raster")
    assert "Scatter" in _glyphs(dots.main) and "Image" in _glyphs(dots.main)
    assert "Scatter" not in _glyphs(raster.main) and _glyphs(raster.main).count("ImageRGBA") == 2
    for joint in (dots, raster):
        # the marginals share the scatter's ranges and show only their density axis
        main = joint.main
        assert joint.top.x_range is main.x_range and joint.right.y_range is main.y_range
        assert not joint.top.xaxis[0].visible and not joint.right.yaxis[0].visible
        # the slices are drawn in the scatter; the marginals hold the exact pdfs only
        assert _glyphs(joint.top) == ["Quad", "Line"] and _glyphs(joint.right) == ["Quad", "Line"]
        assert _glyphs(joint.main).count("Line") == 2 and len(joint.spans) == 2
        assert main.legend == [] and main.yaxis[0].major_label_orientation == "vertical"
        assert {m.name for m in (joint.main, joint.main.x_range, *joint.spans)} == {
            "t-main", "t-xr", "t-span-x", "t-span-y"}  # fmt: skip


def test_an_unknown_cloud_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="dots"):
        _joint("points")


def test_the_key_names_each_ellipse_mass_and_every_curve():
    labels = vj.ellipse_labels()
    assert labels == ["1σ: 39.3%", "2σ: 86.5%", "3σ: 98.9%"]  # 1 - exp(-k^2 / 2)
    key = vj.key_html(labels)
    assert all(label in key for label in labels)
    assert "p(x), p(y)" in key and "p(y | x₀)" in key and 'stroke-dasharray="5,3"' in key


def test_a_slice_peaks_its_reach_off_its_line_and_its_tails_are_gaps():
    sd, at, extent = 0.7, 1.5, 8.0
    t = np.linspace(-4, 4, 161)
    cond = np.exp(-0.5 * (t / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
    h = vj.slice_heights(cond, sd, at, extent)
    np.testing.assert_allclose(np.nanmax(h), at + vj.SLICE_REACH * extent, rtol=1e-12)
    assert np.nanargmax(h) == 80
    tail = cond * sd * np.sqrt(2 * np.pi) < vj.SLICE_TAIL
    assert tail.any() and np.all(np.isnan(h[tail])) and np.all(h[~tail] >= at)


@pytest.mark.parametrize(("tallest", "top"), [(0.4, 0.5), (0.3, 0.35), (0.04, 0.05), (2.9, 3.5)])
def test_a_density_axis_ends_above_the_tallest_on_a_round_number(tallest, top):
    assert vj.density_top(tallest) == pytest.approx(top)
    assert vj.density_top(tallest) >= vj.DENSITY_HEADROOM * tallest

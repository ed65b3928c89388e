"""The bivariate figures: the expected artists, in-place animation updates, file formats."""

import gc
import io
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: E402

from jaxscratch.errors import JaxscratchError  # noqa: E402
from jaxscratch.gaussian import bivariate as bv
from jaxscratch.scenes import bivariate as sb  # noqa: E402
from jaxscratch.viz import bivariate as vb  # noqa: E402

N, BINS = 700, 25


@pytest.fixture
def scene(key):
    p = bv.from_cov([0.0, 0.0], [[1.0, 0.6], [0.6, 2.0]])
    return sb.scene(p, sb.base_normals(key, N), sb.box(p), bins=BINS)


def test_classic_figure_has_the_expected_artists(scene):
    fig = vb.classic(scene)
    fig.savefig(io.BytesIO(), format="png")  # 3-D collections project their paths on draw
    (scatter,) = vb.by_gid(fig, "floor-scatter")
    xs, ys, zs = scatter._offsets3d
    assert len(xs) == N and np.all(np.asarray(zs) == 0)  # on the floor
    for gid in ("hist-x", "hist-y"):
        (bars,) = vb.by_gid(fig, gid)
        assert isinstance(bars, Poly3DCollection) and len(bars.get_paths()) == BINS
    for gid in ("pdf-x", "pdf-y"):
        (line,) = vb.by_gid(fig, gid)
        np.testing.assert_allclose(
            line.get_data_3d()[2], scene.pdf_x if gid == "pdf-x" else scene.pdf_y
        )
    (ellipse,) = vb.by_gid(fig, "ellipse")
    assert "3σ" in ellipse.get_label()


def test_flat_figure_has_panels_ellipses_and_axes(scene):
    fig = vb.flat(scene)
    assert len(fig.axes) == 3
    assert len(vb.by_gid(fig, "floor-scatter")[0].get_offsets()) == N
    assert len(vb.by_gid(fig, "hist-x")) == BINS and len(vb.by_gid(fig, "hist-y")) == BINS
    assert {a.get_gid() for a in fig.axes[0].lines} >= {
        "ellipse-1",
        "ellipse-2",
        "ellipse-3",
        "eigen-axis-0",
        "eigen-axis-1",
    }


@pytest.mark.parametrize("view", ["3d", "2d"])
def test_animation_updates_the_same_artists_in_place(key, view):
    p = bv.params(0.0, 0.0, 1.0, 1.5, 0.0)
    frames = sb.frames(
        sb.param_sweep(p, "rho", [-0.8, 0.0, 0.8]), sb.base_normals(key, 200), bins=10
    )
    anim = vb.animate(frames, ["a", "b", "c"], view=view)
    fig = anim._fig
    scatter = vb.by_gid(fig, "floor-scatter")[0]
    pdf = vb.by_gid(fig, "pdf-x")[0]
    anim._func(2)
    assert vb.by_gid(fig, "floor-scatter")[0] is scatter and vb.by_gid(fig, "pdf-x")[0] is pdf
    y = scatter._offsets3d[1] if view == "3d" else scatter.get_offsets()[:, 1]
    np.testing.assert_allclose(y, np.asarray(frames.samples[2, :, 1]), rtol=1e-6)
    title_axes = fig.axes[0] if view == "3d" else fig.axes[1]
    assert title_axes.get_title() == "c"
    fig.savefig(io.BytesIO(), format="png")  # the updated artists still draw
    if view == "3d":
        assert np.all(np.asarray(scatter._offsets3d[2]) == 0)  # still on the floor
    with warnings.catch_warnings():  # it was driven by hand, not rendered: matplotlib would warn
        warnings.simplefilter("ignore")
        del anim, fig
        gc.collect()


def test_readout_shows_sigma_det_and_estimates(scene):
    html = vb.readout_html(scene)
    assert "[[1.000, 0.600], [0.600, 2.000]]" in html
    assert "det Σ" in html and "1.6400" in html and f"n = {N:,}" in html


@pytest.mark.parametrize("name", ["fig.bmp", "fig", "anim.jpg"])
def test_unknown_extensions_are_refused(name):
    with pytest.raises(JaxscratchError, match="unknown extension"):
        vb.check_figure_path(name)


def test_unknown_view_names_the_choices(key):
    p = bv.params(rho=0.3)
    stacked = sb.frames(sb.param_sweep(p, "rho", [0.1, 0.2]), sb.base_normals(key, 50))
    with pytest.raises(JaxscratchError, match="unknown view '4d'; choose one of 3d, 2d"):
        vb.animate(stacked, ["a", "b"], view="4d")

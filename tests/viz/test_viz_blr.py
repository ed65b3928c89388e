"""The regression figures: the exact-posterior overlay, and the animation written as a GIF."""

import matplotlib

matplotlib.use("Agg")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import stats  # noqa: E402

from jaxscratch.blr import data  # noqa: E402
from jaxscratch.runs import blr_fit  # noqa: E402
from jaxscratch.scenes.blr_frames import sequential_frames  # noqa: E402
from jaxscratch.viz import blr as viz  # noqa: E402
from jaxscratch.viz.files import save_animation  # noqa: E402


def test_trace_figure_overlays_each_weights_exact_marginal(x64):
    d = data.make_data(jax.random.key(3), 50, noise=0.3, dtype=jnp.float64)
    config = blr_fit.FitConfig(alpha=2.0, beta=11.0, sampler="rwm", n_chains=2, n_warmup=100,
                               n_samples=200, max_degree=0, n_grid=20)  # fmt: skip
    report = blr_fit.fit_report(jax.random.key(4), d, config)
    fig = viz.trace_figure(report)
    curves = [ln for ax in fig.axes for ln in ax.lines if ln.get_label().startswith("exact")]
    assert len(curves) == 2  # w0 and w1
    for line, m, sd in zip(curves, report.posterior.mean, report.exact_sd, strict=True):
        x, y = line.get_data()
        np.testing.assert_allclose([x[0], x[-1]], [m - 4 * sd, m + 4 * sd], rtol=1e-12)
        np.testing.assert_allclose(y, stats.norm(float(m), float(sd)).pdf(x), rtol=1e-10)


@pytest.mark.parametrize("ms", [60, 700])
def test_sequential_gif_has_one_frame_per_count_each_held_ms(tmp_path, ms):
    frames = sequential_frames(jax.random.key(0), 4, counts=[0, 1, 4], n_grid=20)
    path = viz.save_sequential(tmp_path / "seq.gif", frames, ms)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 3 and im.info["loop"] == 0
        for i in range(im.n_frames):
            im.seek(i)
            assert im.info["duration"] == ms
    assert [p.name for p in tmp_path.iterdir()] == ["seq.gif"]  # no temporary left


def test_a_failing_animation_leaves_no_file(tmp_path):
    fig = Figure()
    (line,) = fig.add_subplot().plot([0, 1], [0, 1])

    def draw(i):
        if i == 2:
            raise RuntimeError("frame 2 fails")
        line.set_ydata([0, i])

    anim = FuncAnimation(fig, draw, frames=4)
    with pytest.raises(RuntimeError, match="frame 2"):
        save_animation(tmp_path / "a.gif", anim, fps=10, dpi=20)
    assert list(tmp_path.iterdir()) == []

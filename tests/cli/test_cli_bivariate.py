"""The ``jaxscratch bivariate`` commands: files written, JSON summaries, one-line errors."""

import json
import shutil

import pytest
from PIL import Image


def test_plot_writes_the_classic_png_and_a_json_summary(cli, tmp_path):
    out = tmp_path / "fig.png"
    code, stdout, _ = cli("bivariate", "plot", "--mean", "0", "0", "--cov", "1", "0.6", "0.6",
                          "2", "--n", "2000", "--seed", "0", "--out", out, "--json")  # fmt: skip
    assert code == 0
    summary = json.loads(stdout)
    assert summary["n"] == 2000 and summary["cov"] == [[1.0, 0.6], [0.6, 2.0]]
    assert summary["ellipse_mass"][-1] == pytest.approx(0.988891, abs=1e-5)
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size[0] > 400


@pytest.mark.parametrize("ext", ["svg", "pdf"])
def test_plot_2d_view_writes_vector_formats(cli, tmp_path, ext):
    out = tmp_path / f"fig.{ext}"
    code, stdout, _ = cli("bivariate", "plot", "--view", "2d", "--sx", "2", "--rho", "-0.3",
                          "--n", "300", "--out", out)  # fmt: skip
    assert code == 0 and "wrote" in stdout
    head = out.read_bytes()[:200]
    assert (b"<svg" in head or b"<?xml" in head) if ext == "svg" else head.startswith(b"%PDF")


def test_animate_writes_a_gif_with_every_frame(cli, tmp_path):
    out = tmp_path / "anim.gif"
    code, stdout, _ = cli("bivariate", "animate", "--frames", "4", "--n", "200", "--dpi", "40",
                          "--quiet", "--out", out)  # fmt: skip
    assert code == 0 and "4 frames sweeping rho" in stdout
    with Image.open(out) as im:
        assert im.n_frames == 4


def test_animate_writes_html_via_jshtml(cli, tmp_path):
    out = tmp_path / "anim.html"
    code, _, _ = cli("bivariate", "animate", "--frames", "3", "--n", "100", "--dpi", "30",
                     "--view", "2d", "--sweep", "mux", "--quiet", "--out", out)  # fmt: skip
    assert code == 0
    text = out.read_text()
    assert "<script" in text and text.count("data:image/png;base64") == 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--sx", "0"], "sigmas must be > 0"),
        (["--sy", "-2"], "sigmas must be > 0"),
        (["--rho", "1"], "|rho| < 1"),
        (["--rho", "-1.2"], "|rho| < 1"),
        (["--cov", "1", "2", "2", "1"], "not positive definite"),
        (["--cov", "1", "0.5", "0.1", "1"], "not symmetric"),
        (["--cov", "1", "0", "0", "1", "--rho", "0.3"], "not both"),
        (["--n", "0"], "--n must be >= 1"),
        (["--out", "{tmp}/fig.bmp"], "unknown extension .bmp"),
        (["--view", "4d"], "unknown --view"),
    ],
)
def test_plot_bad_input_is_one_line_exit_2_nothing_written(cli, tmp_path, args, needle):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = tmp_path / "never.png"
    code, _, err = cli("bivariate", "plot", "--n", "50", "--out", out, *args)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--sweep", "kappa"], "unknown --sweep"),
        (["--sweep", "rho", "--stop", "1.0"], "|rho| < 1"),
        (["--sweep", "sx", "--start", "-1"], "sigmas must be > 0"),
        (["--frames", "0"], "--frames must be >= 1"),
        (["--out", "{tmp}/anim.png"], "unknown extension .png"),
    ],
)
def test_animate_bad_input_is_one_line_exit_2(cli, tmp_path, args, needle):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = cli("bivariate", "animate", "--n", "50", "--out", tmp_path / "a.gif", *args)
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("ffmpeg") is not None, reason="ffmpeg is installed here")
def test_mp4_without_ffmpeg_says_so(cli, tmp_path):
    code, _, err = cli("bivariate", "animate", "--out", tmp_path / "a.mp4")
    assert code == 2 and "needs ffmpeg" in err

"""A drawn digit becomes an MNIST-like input: ink where the pen went, 20x20 box, mass centred."""

import numpy as np
import pytest

from jaxscratch.data import drawing
from jaxscratch.errors import JaxscratchError


def test_a_horizontal_stroke_inks_its_band_only():
    img = drawing.rasterize([([0.2, 0.8], [0.5, 0.5])], size=100, radius=0.05)
    assert img.shape == (100, 100)
    assert img[50, 50] == 1.0 and img[50, 10] == 0.0 and img[20, 50] == 0.0
    # ink rows: y within 0.05 of 0.5, about 10 rows (+- the anti-aliased edge)
    assert 9 <= int((img[:, 50] > 0.5).sum()) <= 11


def test_row_zero_is_the_top_and_a_dot_is_a_disc():
    img = drawing.rasterize([([0.5], [0.9])], size=50, radius=0.06)
    rows, cols = np.nonzero(img > 0.5)
    assert rows.mean() == pytest.approx(0.1 * 50 - 0.5, abs=1.0)
    assert cols.mean() == pytest.approx(24.5, abs=1.0)
    assert img.sum() == pytest.approx(np.pi * 3.0**2, rel=0.15)


def test_mnist_like_fits_the_box_and_centres_the_mass():
    # an off-centre vertical bar, like a "1" drawn in a corner
    img = drawing.rasterize([([0.15, 0.2], [0.9, 0.4])], size=84, radius=0.03)
    x = drawing.mnist_like(img)
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    rows, cols = np.nonzero(x > drawing._INK)
    assert rows.max() - rows.min() + 1 in (20, 21)  # the long side fills the 20-pixel box
    ii, jj = np.indices(x.shape) + 0.5
    com = ((ii * x).sum() / x.sum(), (jj * x).sum() / x.sum())
    np.testing.assert_allclose(com, (14.0, 14.0), atol=0.75)  # within rounding of the centre


def test_other_frames_scale_the_box_and_an_empty_canvas_is_zeros():
    assert drawing.fit_box((28, 28)) == 20 and drawing.fit_box((8, 8)) == 6
    img = drawing.rasterize([([0.3, 0.7], [0.2, 0.8])])
    assert drawing.mnist_like(img, (8, 8)).shape == (8, 8)
    assert not drawing.mnist_like(np.zeros((84, 84))).any()
    assert not drawing.rasterize([]).any()


def test_bad_input_is_a_clear_error():
    with pytest.raises(JaxscratchError, match="stroke 0 has NaN"):
        drawing.rasterize([([0.1, np.nan], [0.2, 0.3])])
    with pytest.raises(JaxscratchError, match="box 30 must lie in 1..28"):
        drawing.mnist_like(np.ones((10, 10)), box=30)


def test_a_picture_file_becomes_the_same_input_as_the_drawing(tmp_path):
    from PIL import Image

    img = drawing.rasterize([([0.3, 0.6, 0.6], [0.8, 0.8, 0.2])], size=84, radius=0.04)
    page = np.round(255 * (1.0 - img)).astype(np.uint8)  # a dark digit on a light page
    Image.fromarray(page).save(tmp_path / "seven.png")
    x = drawing.image_input(tmp_path / "seven.png", (28, 28))
    assert x.shape == (28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x, drawing.mnist_like(img), atol=2 / 255)  # 8-bit rounding only
    Image.fromarray(np.round(255 * img).astype(np.uint8)).save(tmp_path / "light.png")
    np.testing.assert_allclose(drawing.read_image(tmp_path / "light.png"), img, atol=1 / 255)
    with pytest.raises(JaxscratchError, match="cannot read image .*missing.png"):
        drawing.image_input(tmp_path / "missing.png")

"""A digit drawn or photographed, preprocessed like MNIST: ink, crop, 20x20 box, centre of mass.

Contract: ``rasterize(strokes)`` turns pen strokes (polylines in the unit square, y up) into a
fine grey image; ``read_image(path)`` reads a picture file as one, light on dark;
``mnist_like(image, shape)`` crops the ink, scales it to fit the box MNIST used (20x20 inside
28x28, aspect kept, anti-aliased) and pastes it so its centre of mass is at the centre of the
frame (LeCun et al. 1998). Light strokes on a dark ground, values in [0, 1]. ``image_input``
is the one way a picture becomes a network input: ``mnist_like(read_image(path), shape)``.
"""

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jaxscratch.errors import JaxscratchError

MNIST_BOX = 20  # a 28 x 28 MNIST digit fits a 20 x 20 box
_INK = 0.05  # a pixel darker than this is background when cropping


def _check_strokes(strokes) -> list[np.ndarray]:
    out = []
    for i, (xs, ys) in enumerate(strokes):
        pts = np.stack([np.asarray(xs, float), np.asarray(ys, float)], axis=1)  # (k, 2)
        if pts.shape[0] == 0:
            continue
        if not np.all(np.isfinite(pts)):
            raise JaxscratchError(f"stroke {i} has NaN or inf coordinates; redraw it")
        out.append(pts)
    return out


def rasterize(
    strokes: Sequence[tuple[Sequence[float], Sequence[float]]],
    *,
    size: int = 84,
    radius: float = 0.04,
) -> np.ndarray:
    """Grey image (size, size) of pen strokes of the given radius (both in unit-square units).

    A pixel's ink is 1 within ``radius`` of a stroke segment, falling linearly to 0 over one
    pixel (anti-aliasing). Row 0 is the top of the square (y = 1).
    """
    segments = []
    for pts in _check_strokes(strokes):
        pts = np.vstack([pts, pts[-1:]]) if len(pts) == 1 else pts  # a dot: zero-length segment
        segments.append(np.stack([pts[:-1], pts[1:]], axis=1))  # (k - 1, 2, 2)
    image = np.zeros((size, size))
    if not segments:
        return image
    seg = np.concatenate(segments)  # (S, 2, 2)
    a, ab = seg[:, 0], seg[:, 1] - seg[:, 0]  # (S, 2)
    centres = (np.arange(size) + 0.5) / size
    px, py = np.meshgrid(centres, 1.0 - centres)  # (size, size), row 0 at y = 1
    p = np.stack([px.ravel(), py.ravel()], axis=1)  # (P, 2)
    dist = np.full(len(p), np.inf)
    for start in range(0, len(seg), 256):  # bounded memory: (P, 256) at a time
        sa, sab = a[start : start + 256], ab[start : start + 256]
        ap = p[:, None, :] - sa[None]  # (P, s, 2)
        t = np.clip(np.sum(ap * sab, -1) / np.maximum(np.sum(sab * sab, -1), 1e-12), 0, 1)
        d = np.linalg.norm(ap - t[..., None] * sab, axis=-1)  # (P, s)
        dist = np.minimum(dist, d.min(axis=1))
    return np.clip((radius - dist) * size + 0.5, 0.0, 1.0).reshape(size, size)


def fit_box(shape: tuple[int, int]) -> int:
    """Side of the box a digit is scaled into: MNIST's 20 in 28, scaled to other frames."""
    return max(1, round(min(shape) * MNIST_BOX / 28))


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image  # Pillow is a runtime dependency; loaded only when a digit is drawn

    im = Image.fromarray(image.astype(np.float32), mode="F")
    return np.asarray(im.resize((width, height), Image.Resampling.LANCZOS), np.float64)


def mnist_like(image: np.ndarray, shape: tuple[int, int] = (28, 28), box: int | None = None):
    """Crop the ink of ``image`` (h, w), fit it into a ``box`` square keeping its aspect, and
    centre its mass in a frame of ``shape``. Returns float32 ``shape`` in [0, 1] (all zeros
    when there is no ink)."""
    h, w = shape
    box = fit_box(shape) if box is None else box
    if not 1 <= box <= min(shape):
        raise JaxscratchError(f"box {box} must lie in 1..{min(shape)} for a {h}x{w} frame")
    out = np.zeros(shape, np.float32)
    rows, cols = np.nonzero(image > _INK)
    if rows.size == 0:
        return out
    crop = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = box / max(crop.shape)
    ch, cw = (max(1, round(s * scale)) for s in crop.shape)
    digit = np.clip(_resize(crop, ch, cw), 0.0, 1.0)  # (ch, cw)
    mass = digit.sum()
    if mass <= 0:
        return out
    cy = (digit.sum(axis=1) @ (np.arange(ch) + 0.5)) / mass  # centre of mass, pixel units
    cx = (digit.sum(axis=0) @ (np.arange(cw) + 0.5)) / mass
    top = int(np.clip(round(h / 2 - cy), 0, h - ch))
    left = int(np.clip(round(w / 2 - cx), 0, w - cw))
    out[top : top + ch, left : left + cw] = digit
    return out


def read_image(path: str | Path) -> np.ndarray:
    """A picture file as a grey (h, w) float64 image in [0, 1], light strokes on a dark ground
    like MNIST: a dark digit on a light page (mean above one half) is inverted."""
    from PIL import Image, UnidentifiedImageError

    if not Path(path).is_file():  # a FIFO or a device would block the read, a folder fail it
        what = "does not exist" if not Path(path).exists() else "is not a regular file"
        raise JaxscratchError(f"cannot read image {path}: it {what}; give a PNG/JPEG file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                x = np.asarray(im.convert("L"), np.float64) / 255.0
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise JaxscratchError(
            f"cannot read image {path}: its header claims more than {Image.MAX_IMAGE_PIXELS:,} "
            "pixels (a decompression bomb?); give a picture of one digit"
        ) from None
    except (FileNotFoundError, UnidentifiedImageError, OSError) as err:
        raise JaxscratchError(
            f"cannot read image {path}: {type(err).__name__}; give a PNG/JPEG file"
        ) from None
    return 1.0 - x if x.mean() > 0.5 else x


def image_input(path: str | Path, shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """The network input of a picture file: float32 ``shape``, prepared like MNIST."""
    return mnist_like(read_image(path), tuple(shape))

"""Figure and animation files: the extension check and the one animation writer.

Contract: ``check_figure_path(path, formats)`` returns the path or a one-line error naming the
extensions that work; ``save_animation(path, anim, fps=..., dpi=...)`` writes any matplotlib
``FuncAnimation`` as .gif (Pillow), .mp4 (ffmpeg) or .html (frames embedded), atomically
through ``jaxscratch._io``. Every animation of the package (the bivariate sweep, sequential
Bayesian learning) is saved here, so a GIF is written one way only.
"""

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib import rc_context
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter

from jaxscratch._io import atomic_path
from jaxscratch.errors import JaxscratchError

FIGURE_FORMATS = (".png", ".svg", ".pdf")
ANIMATION_FORMATS = (".gif", ".mp4", ".html")


def check_figure_path(path: str | os.PathLike, formats: Sequence[str] = FIGURE_FORMATS) -> Path:
    """The path, or an error naming the supported extensions."""
    path = Path(path)
    if path.suffix.lower() not in formats:
        raise JaxscratchError(
            f"cannot write {path.name!r}: unknown extension {path.suffix or '(none)'}; "
            f"use one of {', '.join(formats)}"
        )
    if path.suffix.lower() == ".mp4" and shutil.which("ffmpeg") is None:
        raise JaxscratchError(
            f"cannot write {path.name!r}: .mp4 needs ffmpeg, which is not installed; "
            "use .gif or .html instead"
        )
    return path


def save_animation(
    path: str | os.PathLike,
    anim: FuncAnimation,
    *,
    fps: float = 20,
    dpi: int = 80,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``anim`` atomically as .gif (Pillow), .mp4 (ffmpeg) or .html (embedded frames).

    Args:
        path: the file; its extension picks the format (``ANIMATION_FORMATS``).
        anim: the animation; its figure is redrawn once per frame.
        fps: frames per second (a GIF frame lasts int(1000 / fps) ms).
        dpi: resolution of every frame.
        progress: called as ``progress(frame, total)`` after each frame (.gif, .mp4).

    Returns:
        The path written.
    """
    path = check_figure_path(path, ANIMATION_FORMATS)
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:  # the temporary name keeps the extension the writer reads
        if suffix == ".html":
            with rc_context({"savefig.dpi": dpi}):  # to_jshtml renders at savefig.dpi
                tmp.write_text(anim.to_jshtml(fps=fps, default_mode="loop"), encoding="utf-8")
        else:  # Pillow: each GIF frame lasts int(1000 / fps) ms, and the GIF loops forever
            writer = PillowWriter(fps=fps) if suffix == ".gif" else FFMpegWriter(fps=fps)
            anim.save(tmp, writer=writer, dpi=dpi, progress_callback=progress)
    return path

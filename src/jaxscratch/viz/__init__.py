"""Pictures: figure builders that draw what they are given; no statistics are computed here.

Contract: a matplotlib builder takes already computed arrays, a scene or a run's record and
returns a ``Figure`` (or draws on the ``ax`` it is given); it never calls ``show()``. The few
writers here put a run's figures on disk from its records (``nn.write_run_figures``,
``sweep.write_heatmap``, ``blr.write_fit``) and animations through one atomic path
(``files.save_animation``). Pictures import scenes, runs' records, math and plumbing; no face.
"""

from jaxscratch.viz.images import image_grid

__all__ = ["image_grid"]

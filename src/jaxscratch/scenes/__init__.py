"""Scenes: pure, jitted view-models, the numbers one frame of a live picture shows.

Contract: ``bivariate.scene(p, z, window)`` and ``blr.scene(key, basis, x, y, mask, ...)`` are
one jitted call each, returning a NamedTuple of arrays (``BivariateScene``,
``RegressionScene``) that a Bokeh source or a matplotlib artist takes as it is; shapes are fixed
(padded point buffers, prefixes of one set of base normals) so a slider move never recompiles.
``blr_frames`` holds the snapshots of sequential learning for the animation. A view-model
imports math and plumbing only, never a drawing library.
"""

"""Figures: matplotlib drawing of what the math modules computed — no math here."""

from jaxscratch.viz.images import image_grid

__all__ = ["image_grid"]

"""Figures: matplotlib drawings of arrays the math modules computed; no statistics here."""

from jaxscratch.viz.images import image_grid

__all__ = ["image_grid"]

"""Figures: matplotlib drawings of what the math modules compute; no math here."""

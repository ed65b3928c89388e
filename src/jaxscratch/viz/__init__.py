"""Figures: matplotlib drawings of arrays the math modules computed; no statistics here."""

"""Figures: draw what the math modules computed; no statistics and no ``show()`` here."""

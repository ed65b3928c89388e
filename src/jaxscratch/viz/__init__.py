"""Figures (matplotlib): they draw what they are given and compute no statistics."""

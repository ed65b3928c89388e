"""The end-to-end demo: each part runs with sensible defaults and returns a report section.

Contract: ``demo.run_demo(out, key, ...)`` runs the four parts, each ``<part>.run(out, key, ...)``
taking its own key and returning a ``report.Section`` built from library records; finished parts
are reused on a rerun. A part computes nothing itself: it calls runs, scenes and math, asks the
pictures layer to draw, and writes the words around the numbers.
"""

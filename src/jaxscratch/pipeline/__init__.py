"""The end-to-end demo: each part runs with sensible defaults and returns a report section."""

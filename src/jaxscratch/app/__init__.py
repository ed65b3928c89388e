"""The web explorer: one Panel page with a tab per part, served by ``jaxscratch explore``."""

from jaxscratch.app.server import TABS, build, check_port, serve

__all__ = ["TABS", "build", "check_port", "serve"]

"""jaxscratch: classic probabilistic machine learning written from scratch in JAX."""

from jaxscratch import blr, gaussian, metrics, nn
from jaxscratch._shared import __version__
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import bivariate

__all__ = ["JaxscratchError", "__version__", "bivariate", "blr", "gaussian", "metrics", "nn"]

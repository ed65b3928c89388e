"""jaxscratch: classic probabilistic machine learning written from scratch in JAX."""

from jaxscratch import bivariate, blr, gaussian, metrics, nn
from jaxscratch.errors import JaxscratchError

__version__ = "0.1.0"

__all__ = ["JaxscratchError", "__version__", "bivariate", "blr", "gaussian", "metrics", "nn"]

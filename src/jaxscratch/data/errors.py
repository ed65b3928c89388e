"""The data layer's errors: each message names the file or source and says how to fix it."""

from jaxscratch.errors import JaxscratchError


class DataError(JaxscratchError):
    """A data set cannot be found, read or trusted."""


class DataFormatError(DataError):
    """A file's bytes are not what its format (IDX, gzip, .npy) or its data set promises."""


class DownloadError(DataError):
    """Every mirror failed; nothing was left behind in the cache."""

"""The one exception type users see: a one-line message naming the problem and the fix."""


class JaxscratchError(ValueError):
    """Bad input or an unusable resource; the message says what is wrong and how to fix it."""

"""Exceptions raised by ruv (the hierarchy of pyuv.error).

Every exception carries ``args == (errno, message)`` where errno is a
negative ``ruv.errno.UV_*`` code, except HandleClosedError whose single
argument is a message, as in pyuv.
"""

__all__ = ["UVError", "HandleError", "HandleClosedError", "StreamError", "TCPError"]


class UVError(Exception):
    """Base class of every ruv error."""


class HandleError(UVError):
    """Base class of handle errors."""


class HandleClosedError(HandleError):
    """An operation was attempted on a closing or closed handle."""


class StreamError(HandleError):
    """Base class of stream errors."""


class TCPError(StreamError):
    """A TCP handle operation failed: args are (errno, message)."""

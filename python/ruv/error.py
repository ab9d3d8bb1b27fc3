"""The exceptions ruv raises: pyuv's ``pyuv.error`` hierarchy.

``UVError`` ⊃ ``HandleError`` ⊃ ``HandleClosedError``, ``StreamError`` ⊃ ``TCPError``,
``PipeError`` and ``TLSError``, and ``TimerError``, ``AsyncError``, ``IdleError``, ``PrepareError``, ``CheckError``,
``PollError``, ``SignalError``, ``UDPError`` under ``HandleError``. Every one carries
``args == (errno, message)`` with a negative ``ruv.errno.UV_*`` code, except
``HandleClosedError`` (one message, as in pyuv).
"""

from ._ruv import (
    AsyncError,
    CheckError,
    HandleClosedError,
    HandleError,
    IdleError,
    PipeError,
    TLSError,
    PollError,
    PrepareError,
    SignalError,
    StreamError,
    TCPError,
    TimerError,
    UDPError,
    UVError,
)

__all__ = [
    "UVError", "HandleError", "HandleClosedError", "StreamError", "TCPError", "PipeError", "TLSError",
    "TimerError", "AsyncError", "IdleError", "PrepareError", "CheckError", "PollError", "SignalError",
    "UDPError",
]

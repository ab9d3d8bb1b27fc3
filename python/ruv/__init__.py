"""ruv: pyuv's API on ruv's Rust event loop.

``import ruv as pyuv`` runs pyuv 1.4 programs that use Loop, TCP, UDP, Timer, Async, Idle,
Prepare, Check, Poll and Signal. Every class is implemented in the compiled module ``ruv._ruv``.
"""

from . import _ruv
from ._ruv import (
    Async,
    Check,
    Handle,
    Idle,
    Loop,
    Poll,
    Prepare,
    Signal,
    Stream,
    TCP,
    Timer,
    UDP,
    UV_DISCONNECT,
    UV_PRIORITIZED,
    UV_READABLE,
    UV_RUN_DEFAULT,
    UV_RUN_NOWAIT,
    UV_RUN_ONCE,
    UV_TCP_IPV6ONLY,
    UV_WRITABLE,
)
from . import errno, error

for _name in dir(_ruv):
    if _name.startswith("UV_") and _name.isupper():
        globals()[_name] = getattr(_ruv, _name)
del _name

__version__ = "0.1.0"

#: The version of the ruv core. pyuv calls its libuv's LIBUV_VERSION: the same string here.
LIBRUV_VERSION = _ruv.LIBRUV_VERSION
LIBUV_VERSION = LIBRUV_VERSION

__all__ = [
    "Loop", "Handle", "Stream", "TCP", "UDP", "Timer", "Async", "Idle", "Prepare", "Check", "Poll",
    "Signal",
    "error", "errno", "UV_RUN_DEFAULT", "UV_RUN_ONCE", "UV_RUN_NOWAIT", "UV_TCP_IPV6ONLY",
    "UV_READABLE", "UV_WRITABLE", "UV_DISCONNECT", "UV_PRIORITIZED",
    "LIBRUV_VERSION", "LIBUV_VERSION", "__version__",
]

"""ruv: pyuv-compatible Loop and TCP over the ruv C library.

``import ruv as pyuv`` runs pyuv 1.4 TCP programs unchanged.
"""

from . import error, errno
from ._ffi import B as _B, LIBRARY_PATH
from ._loop import Loop, UV_RUN_DEFAULT, UV_RUN_NOWAIT, UV_RUN_ONCE
from ._handle import Handle
from ._stream import Stream
from ._tcp import TCP, UV_TCP_IPV6ONLY
from . import _dispatch  # noqa: F401  (installs the C callbacks)

__version__ = "0.1.0"

#: Version string of the loaded C library (pyuv exposes libuv's as LIBUV_VERSION).
LIBRUV_VERSION = _B.version_string()
LIBUV_VERSION = LIBRUV_VERSION
#: The backend talking to C: "ctypes" (default) or "cffi" (RUV_BACKEND=cffi).
BACKEND = _B.NAME

__all__ = [
    "Loop", "Handle", "Stream", "TCP", "error", "errno",
    "UV_RUN_DEFAULT", "UV_RUN_ONCE", "UV_RUN_NOWAIT", "UV_TCP_IPV6ONLY",
    "LIBRUV_VERSION", "LIBUV_VERSION", "LIBRARY_PATH", "BACKEND", "__version__",
]

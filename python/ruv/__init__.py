"""ruv: pyuv's API on ruv's Rust event loop.

``import ruv as pyuv`` runs pyuv 1.4 programs that use Loop, TCP, Pipe, UDP, Timer,
Async, Idle, Prepare, Check, Poll and Signal, and adds TLS on TCP and Pipe streams
(``TLSConfig``, ``Stream.start_tls``). Every class is implemented in the compiled module ``ruv._ruv``;
the handle classes here are its classes plus a finalizer (see ``_Finalized``).
"""

from . import _ruv
from ._ruv import (
    Handle,
    Loop,
    Request,
    Stream,
    TLSConfig,
    UV_DISCONNECT,
    UV_PRIORITIZED,
    UV_READABLE,
    UV_RUN_DEFAULT,
    UV_RUN_NOWAIT,
    UV_RUN_ONCE,
    UV_TCP_IPV6ONLY,
    UV_WRITABLE,
)
from . import dns, errno, error


class _Finalized:
    """The finalizer of the handle classes (PEP 442 ``__del__``): a handle that becomes garbage
    before it was closed is closed, and its loop keeps the object — listed, closed, in
    ``loop.handles`` — until the close callback has run, as pyuv does. The compiled classes get
    it through these Python subclasses: only a class statement's type calls a finalizer when
    the last reference goes. Each subclass keeps its compiled class's docstring."""

    __slots__ = ()
    __del__ = _ruv.Handle._ruv_finalize

    def __init_subclass__(cls):
        super().__init_subclass__()
        cls.__doc__ = cls.__mro__[2].__doc__


class TCP(_Finalized, _ruv.TCP): pass
class Pipe(_Finalized, _ruv.Pipe): pass
class UDP(_Finalized, _ruv.UDP): pass
class Timer(_Finalized, _ruv.Timer): pass
class Async(_Finalized, _ruv.Async): pass
class Idle(_Finalized, _ruv.Idle): pass
class Prepare(_Finalized, _ruv.Prepare): pass
class Check(_Finalized, _ruv.Check): pass
class Poll(_Finalized, _ruv.Poll): pass
class Signal(_Finalized, _ruv.Signal): pass


for _name in dir(_ruv):
    if _name.startswith("UV_") and _name.isupper():
        globals()[_name] = getattr(_ruv, _name)
del _name

__version__ = "0.1.0"

#: The version of the ruv core. pyuv calls its libuv's LIBUV_VERSION: the same string here.
LIBRUV_VERSION = _ruv.LIBRUV_VERSION
LIBUV_VERSION = LIBRUV_VERSION

__all__ = [
    "Loop", "Handle", "Stream", "TCP", "Pipe", "UDP", "Timer", "Async", "Idle", "Prepare", "Check", "Poll",
    "Signal", "TLSConfig",
    "error", "errno", "UV_RUN_DEFAULT", "UV_RUN_ONCE", "UV_RUN_NOWAIT", "UV_TCP_IPV6ONLY",
    "UV_READABLE", "UV_WRITABLE", "UV_DISCONNECT", "UV_PRIORITIZED",
    "LIBRUV_VERSION", "LIBUV_VERSION", "__version__",
]

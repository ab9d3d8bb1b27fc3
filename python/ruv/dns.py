"""Name lookups (pyuv's ``pyuv.dns``) on ruv's worker pool.

``getaddrinfo`` and ``getnameinfo`` take pyuv 1.4's arguments. With a ``callback`` they return
a ``ruv.Request`` at once and call ``callback(result, errorno)`` from the loop (``errorno`` None,
or a ``ruv.errno.UV_EAI_*`` code and ``result`` None); without one they block (without the GIL)
and return the result or raise ``ruv.error.UVError``. Lookups never hold more than half of the
pool's threads (``RUV_THREADPOOL_SIZE``, default 4). Names in the ``invalid.`` domain fail with
``UV_EAI_NONAME`` without asking any resolver.
"""

from collections import namedtuple

from . import _ruv

#: One address of a getaddrinfo result: (family, type, proto, canonname, sockaddr).
addrinfo_result = namedtuple("addrinfo_result", ["family", "type", "proto", "canonname", "sockaddr"])

__all__ = ["getaddrinfo", "getnameinfo", "addrinfo_result"]


def _results(raw):
    return [addrinfo_result(*r) for r in raw]


def getaddrinfo(loop, host, port, family=0, socktype=0, protocol=0, flags=0, callback=None):
    """getaddrinfo(loop, host, port, family=0, socktype=0, protocol=0, flags=0, callback=None)

    Resolve ``host`` (str, bytes or None) and ``port`` (an int, a service name or None) into a
    list of ``addrinfo_result``."""
    if callback is not None and not callable(callback):
        raise TypeError("'callback' must be a callable or None")
    if callback is None:
        return _results(_ruv._getaddrinfo(loop, host, port, family, socktype, protocol, flags, None))

    def done(result, errorno):
        callback(None if result is None else _results(result), errorno)

    return _ruv._getaddrinfo(loop, host, port, family, socktype, protocol, flags, done)


def getnameinfo(loop, address, flags=0, callback=None):
    """getnameinfo(loop, address, flags=0, callback=None)

    The (host, service) names of ``address``, an (ip, port[, flowinfo, scope_id]) tuple."""
    if callback is not None and not callable(callback):
        raise TypeError("'callback' must be a callable or None")
    return _ruv._getnameinfo(loop, address, flags, callback)

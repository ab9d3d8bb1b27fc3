"""ruv.TCP: the TCP handle, with every member of pyuv.TCP."""

import socket

from . import _addr
from ._ffi import B
from ._handle import CLOSED_MSG, _flag
from ._loop import Loop
from ._registry import PINNED
from ._stream import Stream
from .error import HandleClosedError, TCPError

UV_TCP_IPV6ONLY = 1


def _int(value, what):
    if isinstance(value, int):
        return int(value)
    try:
        return value.__index__()
    except AttributeError:
        raise TypeError("%s must be an integer, not %s" % (what, type(value).__name__)) from None


class TCP(Stream):
    """TCP(loop[, family]): a TCP client or server handle.

    With family AF_INET or AF_INET6 the socket is created at once; with
    AF_UNSPEC (the default) on bind/connect/open.
    """

    def __init__(self, loop, family=socket.AF_UNSPEC):
        if self.__dict__.get("_hp") is not None:
            raise RuntimeError("Object was already initialized")
        if not isinstance(loop, Loop):
            raise TypeError("loop must be a ruv.Loop, not %s" % type(loop).__name__)
        family = _int(family, "family")
        err, hp = B.tcp_new(loop._lp, family)
        if err < 0:
            raise TCPError(err, B.strerror(err))
        self._init_handle(loop, hp)

    def _check(self):
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)

    def bind(self, addr, flags=0):
        """Bind to (ip, port[, flowinfo[, scope_id]]); flags: 0 or UV_TCP_IPV6ONLY."""
        self._check()
        sa = _addr.pack(addr)
        err = B.tcp_bind(self._hp, sa, _int(flags, "flags"))
        if err < 0:
            raise TCPError(err, B.strerror(err))

    def listen(self, callback, backlog=511):
        """Listen; callback(server, error) runs once per pending connection."""
        self._check()
        backlog = _int(backlog, "backlog")
        if backlog < 0:
            raise ValueError("backlog must be bigger than 0")
        if not callable(callback):
            raise TypeError("a callable is required")
        err = B.tcp_listen(self._hp, backlog)
        if err < 0:
            raise TCPError(err, B.strerror(err))
        self._listen_cb = callback
        self._listening = True
        PINNED[self._hp] = self

    def accept(self, client):
        """Accept a pending connection into the (new, unused) TCP handle client."""
        self._check()
        if not isinstance(client, TCP):
            raise TypeError("Only stream objects are supported for accept")
        if client._closing:
            raise HandleClosedError(CLOSED_MSG)
        err = B.tcp_accept(self._hp, client._hp)
        if err < 0:
            raise TCPError(err, B.strerror(err))

    def connect(self, addr, callback):
        """Connect to (ip, port[, flowinfo[, scope_id]]); callback(handle, error)."""
        self._check()
        if not callable(callback):
            raise TypeError("a callable is required")
        sa = _addr.pack(addr)
        err = B.tcp_connect(self._hp, sa)
        if err < 0:
            raise TCPError(err, B.strerror(err))
        self._connect_cb = callback
        self._pending += 1
        PINNED[self._hp] = self

    def open(self, fd):
        """Adopt an existing socket descriptor (the handle then owns and closes it)."""
        self._check()
        err = B.tcp_open(self._hp, _int(fd, "fd"))
        if err < 0:
            raise TCPError(err, B.strerror(err))

    def getsockname(self):
        """Local address: (ip, port), or (ip, port, flowinfo, scope_id) for IPv6."""
        self._check()
        err, raw = B.tcp_getsockname(self._hp)
        if err < 0:
            raise TCPError(err, B.strerror(err))
        return _addr.unpack(raw)

    def getpeername(self):
        """Remote address: (ip, port), or (ip, port, flowinfo, scope_id) for IPv6."""
        self._check()
        err, raw = B.tcp_getpeername(self._hp)
        if err < 0:
            raise TCPError(err, B.strerror(err))
        return _addr.unpack(raw)

    def nodelay(self, enable):
        """Enable/disable Nagle's algorithm (TCP_NODELAY)."""
        self._check()
        err = B.tcp_nodelay(self._hp, _flag(enable, "enable"))
        if err < 0:
            raise TCPError(err, B.strerror(err))

    def keepalive(self, enable, delay):
        """Enable/disable TCP keep-alive; delay is the initial delay in seconds."""
        self._check()
        enable = _flag(enable, "enable")
        delay = _int(delay, "delay")
        if not 0 <= delay <= 0xFFFFFFFF:
            raise OverflowError("delay must be 0-4294967295")
        err = B.tcp_keepalive(self._hp, enable, delay)
        if err < 0:
            raise TCPError(err, B.strerror(err))

    def simultaneous_accepts(self, enable):
        """Accept the whole backlog per wakeup (True, default) or one per iteration."""
        self._check()
        err = B.tcp_simultaneous_accepts(self._hp, _flag(enable, "enable"))
        if err < 0:
            raise TCPError(err, B.strerror(err))

    @property
    def family(self):
        """The socket's address family (TCPError UV_EBADF before a socket exists)."""
        self._check()
        err, fam = B.tcp_family(self._hp)
        if err < 0:
            raise TCPError(err, B.strerror(err))
        return fam

    def _get_size(self, getter):
        self._check()
        err, size = getter(self._hp)
        if err < 0:
            raise TCPError(err, B.strerror(err))
        return size

    def _set_size(self, setter, value):
        self._check()
        value = _int(value, "size")
        if not -0x80000000 <= value <= 0x7FFFFFFF:
            raise OverflowError("size must fit a C int")
        err = setter(self._hp, value)
        if err < 0:
            raise TCPError(err, B.strerror(err))

    @staticmethod
    def _no_delete(_self):
        raise TypeError("cannot delete attribute")

    send_buffer_size = property(
        lambda self: self._get_size(B.tcp_get_send_buffer_size),
        lambda self, v: self._set_size(B.tcp_set_send_buffer_size, v),
        _no_delete.__func__,
        "Gets / sets the socket send buffer size (SO_SNDBUF).")

    receive_buffer_size = property(
        lambda self: self._get_size(B.tcp_get_receive_buffer_size),
        lambda self, v: self._set_size(B.tcp_set_receive_buffer_size, v),
        _no_delete.__func__,
        "Gets / sets the socket receive buffer size (SO_RCVBUF).")

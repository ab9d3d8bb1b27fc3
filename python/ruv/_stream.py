"""ruv.Stream: the stream half of TCP (read, write, shutdown...)."""

from collections.abc import Sequence

from ._ffi import B
from ._handle import CLOSED_MSG, Handle
from ._registry import PINNED
from .error import HandleClosedError, TCPError


def _buffers(data):
    """Normalize write() data to a non-empty list of bytes-like objects."""
    if isinstance(data, str):
        raise TypeError("only bytes and sequences are supported, not str")
    try:
        memoryview(data)
        return [data]
    except TypeError:
        pass
    if not isinstance(data, (list, tuple, Sequence)):
        raise TypeError("only bytes and sequences are supported, not %s" % type(data).__name__)
    items = list(data)
    if not items:
        raise ValueError("iterable is empty")
    for it in items:
        if type(it) is bytes:
            continue
        if isinstance(it, str):
            raise TypeError("a bytes-like object is required, not str")
        try:
            memoryview(it)
        except TypeError:
            raise TypeError("a bytes-like object is required, not %s" % type(it).__name__) from None
    return items


class Stream(Handle):
    """Base class of stream handles (TCP here)."""

    def _error(self, err):
        return TCPError(err, B.strerror(err))

    def shutdown(self, callback=None):
        """Shut down the write side once queued writes are done; callback(handle, error)."""
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)
        if callback is not None and not callable(callback):
            raise TypeError("a callable or None is required")
        err = B.tcp_shutdown(self._hp)
        if err < 0:
            raise self._error(err)
        self._shutdown_cb = callback
        self._pending += 1
        PINNED[self._hp] = self

    def write(self, data, callback=None):
        """Queue data (bytes-like, or a list/tuple of them); callback(handle, error)."""
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)
        if callback is not None and not callable(callback):
            raise TypeError("'callback' must be a callable or None")
        if type(data) is bytes:
            err = B.tcp_write_bytes(self._hp, data)
        else:
            err = B.tcp_write(self._hp, _buffers(data))
        if err < 0:
            raise TCPError(err, B.strerror(err))
        self._write_cbs.append(callback)
        self._pending += 1
        if self._pending == 1:
            PINNED[self._hp] = self

    def try_write(self, data):
        """Write what can be written now; return the byte count (TCPError UV_EAGAIN if none)."""
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)
        if isinstance(data, str):
            raise TypeError("a bytes-like object is required, not str")
        try:
            memoryview(data)
        except TypeError:
            raise TypeError("a bytes-like object is required, not %s" % type(data).__name__) from None
        n = B.tcp_try_write(self._hp, data)
        if n < 0:
            raise self._error(n)
        return n

    def start_read(self, callback):
        """Start reading; callback(handle, data, error): data None and error set at EOF/error."""
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)
        if not callable(callback):
            raise TypeError("a callable is required")
        if self._reading:
            # pyuv 1.4 (libuv 1.4) replaces the callback of a reading stream.
            self._read_cb = callback
            return
        err = B.tcp_start_read(self._hp)
        if err < 0:
            raise self._error(err)
        self._read_cb = callback
        self._reading = True
        PINNED[self._hp] = self

    def stop_read(self):
        """Stop reading (idempotent)."""
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)
        err = B.tcp_stop_read(self._hp)
        if err < 0:
            raise self._error(err)
        self._reading = False
        self._read_cb = None
        self._update_pin()

    def fileno(self):
        """The socket's file descriptor (do not close or modify it)."""
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)
        err, fd = B.tcp_fileno(self._hp)
        if err < 0:
            raise self._error(err)
        return fd

    @property
    def readable(self):
        """True if the handle can be read from."""
        if self._hp is None:
            return False
        return B.tcp_readable(self._hp) > 0

    @property
    def writable(self):
        """True if the handle can be written to."""
        if self._hp is None:
            return False
        return B.tcp_writable(self._hp) > 0

    @property
    def write_queue_size(self):
        """Bytes accepted by write() and not yet written to the socket."""
        if self._hp is None:
            return 0
        return int(B.tcp_write_queue_size(self._hp))

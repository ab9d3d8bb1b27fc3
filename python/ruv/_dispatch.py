"""The C -> Python callbacks: one trampoline per callback type for the whole
process (created once, never freed), which finds the Python handle by its C
pointer and calls the user's callback.  Whatever a user callback raises goes
to its loop's excepthook; nothing propagates into C."""

import sys
import traceback

from ._ffi import B
from ._registry import ALL, PINNED, ZOMBIES

_read_bytes = B.read_bytes
_stop_read = B.tcp_stop_read


def _report(obj):
    typ, value, tb = sys.exc_info()
    try:
        obj._loop._report_exception(typ, value, tb)
    except BaseException:
        traceback.print_exception(typ, value, tb)


def on_read(hp, nread, data):
    obj = PINNED.get(hp)
    if obj is None:
        obj = ALL.get(hp)
        if obj is None:
            return
    try:
        cb = obj._read_cb
        if nread > 0:
            if cb is not None:
                cb(obj, _read_bytes(data, nread), None)
        else:
            # EOF or error: reading stops here (as in pyuv).
            _stop_read(hp)
            obj._reading = False
            obj._read_cb = None
            obj._update_pin()
            if cb is not None:
                cb(obj, None, nread)
    except BaseException:
        _report(obj)


def on_write(hp, status, _arg):
    obj = PINNED.get(hp)
    if obj is None:
        obj = ALL.get(hp)
        if obj is None:
            return
    try:
        cbs = obj._write_cbs
        cb = cbs.popleft() if cbs else None
        obj._pending -= 1
        if not obj._pending:
            obj._update_pin()
        if cb is not None:
            cb(obj, None if status == 0 else status)
    except BaseException:
        _report(obj)


def on_connection(hp, status):
    obj = PINNED.get(hp)
    if obj is None:
        obj = ALL.get(hp)
        if obj is None:
            return
    try:
        cb = obj._listen_cb
        if cb is not None:
            cb(obj, None if status == 0 else status)
    except BaseException:
        _report(obj)


def on_connect(hp, status):
    obj = PINNED.get(hp)
    if obj is None:
        obj = ALL.get(hp)
        if obj is None:
            return
    try:
        cb = obj._connect_cb
        obj._connect_cb = None
        obj._pending -= 1
        obj._update_pin()
        if cb is not None:
            cb(obj, None if status == 0 else status)
    except BaseException:
        _report(obj)


def on_shutdown(hp, status):
    obj = PINNED.get(hp)
    if obj is None:
        obj = ALL.get(hp)
        if obj is None:
            return
    try:
        cb = obj._shutdown_cb
        obj._shutdown_cb = None
        obj._pending -= 1
        obj._update_pin()
        if cb is not None:
            cb(obj, None if status == 0 else status)
    except BaseException:
        _report(obj)


def on_close(hp):
    obj = PINNED.get(hp)
    if obj is None:
        obj = ALL.get(hp)
    if obj is None:
        ZOMBIES.pop(hp, None)       # closed by __del__: nothing to call
        return
    try:
        # The C handle is freed once this returns: forget the pointer and
        # every callback, so the closed handle is ordinary garbage.
        PINNED.pop(hp, None)
        ALL.pop(hp, None)
        obj._hp = None
        cb = obj._close_cb
        obj._close_cb = obj._read_cb = obj._listen_cb = None
        obj._connect_cb = obj._shutdown_cb = None
        obj._write_cbs.clear()
        obj._pending = 0
        obj._reading = obj._listening = False
        if cb is not None:
            cb(obj)
    except BaseException:
        _report(obj)


B.install(on_close, on_connection, on_connect, on_shutdown, on_write, on_read)

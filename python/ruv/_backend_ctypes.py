"""ctypes backend: declares the C ABI of DESIGN.md section 2 and wraps it.

Every backend module offers the same small set of functions (see _ffi.py).
Handles are plain ints (addresses); sockaddrs travel as bytes.
"""

import ctypes
from ctypes import (CFUNCTYPE, POINTER, byref, c_char_p, c_int, c_size_t,
                    c_ssize_t, c_uint, c_uint64, c_void_p)

NAME = "ctypes"

lib = None


class Buf(ctypes.Structure):
    """ruv_buf_t: { const char *base; size_t len; }"""
    _fields_ = [("base", c_char_p), ("len", c_size_t)]


CLOSE_CB = CFUNCTYPE(None, c_void_p)
WALK_CB = CFUNCTYPE(None, c_void_p, c_void_p)
STATUS_CB = CFUNCTYPE(None, c_void_p, c_int)      # connection, connect, shutdown
WRITE_CB = CFUNCTYPE(None, c_void_p, c_int, c_void_p)
READ_CB = CFUNCTYPE(None, c_void_p, c_ssize_t, c_void_p)

_P = c_void_p
_SIGNATURES = {
    # loop
    "ruv_loop_new": (c_int, [POINTER(c_void_p)]),
    "ruv_loop_close": (c_int, [_P]),
    "ruv_run": (c_int, [_P, c_int]),
    "ruv_stop": (None, [_P]),
    "ruv_loop_alive": (c_int, [_P]),
    "ruv_now": (c_uint64, [_P]),
    "ruv_update_time": (None, [_P]),
    "ruv_backend_fd": (c_int, [_P]),
    "ruv_backend_timeout": (c_int, [_P]),
    "ruv_walk": (None, [_P, WALK_CB, _P]),
    # any handle
    "ruv_close": (c_int, [_P, CLOSE_CB]),
    "ruv_is_active": (c_int, [_P]),
    "ruv_is_closing": (c_int, [_P]),
    "ruv_ref": (None, [_P]),
    "ruv_unref": (None, [_P]),
    "ruv_has_ref": (c_int, [_P]),
    # tcp
    "ruv_tcp_new": (c_int, [_P, c_int, POINTER(c_void_p)]),
    "ruv_tcp_bind": (c_int, [_P, c_char_p, c_uint]),
    "ruv_tcp_listen": (c_int, [_P, c_int, STATUS_CB]),
    "ruv_tcp_accept": (c_int, [_P, _P]),
    "ruv_tcp_connect": (c_int, [_P, c_char_p, STATUS_CB]),
    "ruv_tcp_open": (c_int, [_P, c_int]),
    "ruv_tcp_getsockname": (c_int, [_P, c_char_p, POINTER(c_int)]),
    "ruv_tcp_getpeername": (c_int, [_P, c_char_p, POINTER(c_int)]),
    "ruv_tcp_shutdown": (c_int, [_P, STATUS_CB]),
    "ruv_tcp_write": (c_int, [_P, _P, c_size_t, WRITE_CB, _P]),
    "ruv_tcp_try_write": (c_int, [_P, _P, c_size_t]),
    "ruv_tcp_start_read": (c_int, [_P, READ_CB]),
    "ruv_tcp_stop_read": (c_int, [_P]),
    "ruv_tcp_nodelay": (c_int, [_P, c_int]),
    "ruv_tcp_keepalive": (c_int, [_P, c_int, c_uint]),
    "ruv_tcp_simultaneous_accepts": (c_int, [_P, c_int]),
    "ruv_tcp_fileno": (c_int, [_P, POINTER(c_int)]),
    "ruv_tcp_get_send_buffer_size": (c_int, [_P, POINTER(c_int)]),
    "ruv_tcp_set_send_buffer_size": (c_int, [_P, c_int]),
    "ruv_tcp_get_receive_buffer_size": (c_int, [_P, POINTER(c_int)]),
    "ruv_tcp_set_receive_buffer_size": (c_int, [_P, c_int]),
    "ruv_tcp_family": (c_int, [_P, POINTER(c_int)]),
    "ruv_tcp_write_queue_size": (c_size_t, [_P]),
    "ruv_tcp_readable": (c_int, [_P]),
    "ruv_tcp_writable": (c_int, [_P]),
    # errors, version
    "ruv_strerror": (c_char_p, [c_int]),
    "ruv_err_name": (c_char_p, [c_int]),
    "ruv_version": (c_uint, []),
    "ruv_version_string": (c_char_p, []),
}

# Trampolines: created once in install(), module globals for the life of the
# process, so C can never call a freed ctypes thunk.
_close_cb = _connection_cb = _connect_cb = _shutdown_cb = None
_write_cb = _read_cb = None
_walk_cb = None
_walks = {}          # token passed as ruv_walk's arg -> the list being filled

read_bytes = ctypes.string_at


def load(path):
    global lib
    lib = ctypes.CDLL(path)
    missing = []
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.restype = restype
        fn.argtypes = argtypes
    if missing:
        raise ImportError("%s lacks %s" % (path, ", ".join(missing)))
    _bind_functions()


def install(on_close, on_connection, on_connect, on_shutdown, on_write, on_read):
    """Create the C-callable trampolines around the dispatch functions."""
    global _close_cb, _connection_cb, _connect_cb, _shutdown_cb, _write_cb, _read_cb, _walk_cb
    _close_cb = CLOSE_CB(on_close)
    _connection_cb = STATUS_CB(on_connection)
    _connect_cb = STATUS_CB(on_connect)
    _shutdown_cb = STATUS_CB(on_shutdown)
    _write_cb = WRITE_CB(on_write)
    _read_cb = READ_CB(on_read)
    _walk_cb = WALK_CB(_on_walk)


def _on_walk(handle, arg):
    _walks[arg].append(handle)


def _bind_functions():
    g = globals()
    g.update(
        stop=lib.ruv_stop, loop_alive=lib.ruv_loop_alive, now=lib.ruv_now,
        update_time=lib.ruv_update_time, backend_fd=lib.ruv_backend_fd,
        backend_timeout=lib.ruv_backend_timeout, loop_close=lib.ruv_loop_close,
        run=lib.ruv_run,
        is_active=lib.ruv_is_active, is_closing=lib.ruv_is_closing, ref=lib.ruv_ref,
        unref=lib.ruv_unref, has_ref=lib.ruv_has_ref,
        tcp_bind=lib.ruv_tcp_bind, tcp_accept=lib.ruv_tcp_accept, tcp_open=lib.ruv_tcp_open,
        tcp_stop_read=lib.ruv_tcp_stop_read, tcp_nodelay=lib.ruv_tcp_nodelay,
        tcp_keepalive=lib.ruv_tcp_keepalive,
        tcp_simultaneous_accepts=lib.ruv_tcp_simultaneous_accepts,
        tcp_set_send_buffer_size=lib.ruv_tcp_set_send_buffer_size,
        tcp_set_receive_buffer_size=lib.ruv_tcp_set_receive_buffer_size,
        tcp_write_queue_size=lib.ruv_tcp_write_queue_size,
        tcp_readable=lib.ruv_tcp_readable, tcp_writable=lib.ruv_tcp_writable,
        version=lib.ruv_version,
    )


# --- functions needing a little glue -------------------------------------

def strerror(code):
    s = lib.ruv_strerror(code)
    return s.decode("utf-8", "replace") if s is not None else "unknown error %d" % code


def err_name(code):
    s = lib.ruv_err_name(code)
    return s.decode("ascii", "replace") if s is not None else ""


def version_string():
    return lib.ruv_version_string().decode("ascii", "replace")


def loop_new():
    out = c_void_p()
    err = lib.ruv_loop_new(byref(out))
    return err, out.value


def walk(lp):
    # ruv_walk runs without the GIL, so concurrent walks (loops in other
    # threads) each get their own list, found through the arg pointer.
    out = []
    token = id(out)
    _walks[token] = out
    try:
        lib.ruv_walk(lp, _walk_cb, token)
    finally:
        del _walks[token]
    return out


def close(hp):
    return lib.ruv_close(hp, _close_cb)


def tcp_new(lp, family):
    out = c_void_p()
    err = lib.ruv_tcp_new(lp, family, byref(out))
    return err, out.value


def tcp_listen(hp, backlog):
    return lib.ruv_tcp_listen(hp, backlog, _connection_cb)


def tcp_connect(hp, sa):
    return lib.ruv_tcp_connect(hp, sa, _connect_cb)


def _name(fn, hp):
    buf = ctypes.create_string_buffer(128)
    n = c_int(128)
    err = fn(hp, buf, byref(n))
    if err < 0:
        return err, None
    return err, buf.raw[:n.value]


def tcp_getsockname(hp):
    return _name(lib.ruv_tcp_getsockname, hp)


def tcp_getpeername(hp):
    return _name(lib.ruv_tcp_getpeername, hp)


def tcp_shutdown(hp):
    return lib.ruv_tcp_shutdown(hp, _shutdown_cb)


def tcp_start_read(hp):
    return lib.ruv_tcp_start_read(hp, _read_cb)


def _out_int(fn, hp):
    v = c_int()
    err = fn(hp, byref(v))
    return err, v.value


def tcp_fileno(hp):
    return _out_int(lib.ruv_tcp_fileno, hp)


def tcp_get_send_buffer_size(hp):
    return _out_int(lib.ruv_tcp_get_send_buffer_size, hp)


def tcp_get_receive_buffer_size(hp):
    return _out_int(lib.ruv_tcp_get_receive_buffer_size, hp)


def tcp_family(hp):
    return _out_int(lib.ruv_tcp_family, hp)


def _buf(item, keep):
    """A Buf for one bytes-like object (a copy only for read-only non-bytes)."""
    if type(item) is bytes:
        return Buf(item, len(item))
    mv = memoryview(item)
    if mv.readonly or not mv.c_contiguous:
        data = mv.tobytes()
        return Buf(data, len(data))
    n = mv.nbytes
    if n == 0:
        return Buf(None, 0)
    if mv.format != "B" or mv.ndim != 1:
        mv = mv.cast("B")
    arr = (ctypes.c_char * n).from_buffer(mv)
    keep.append(arr)
    return Buf(ctypes.addressof(arr), n)


def tcp_write_bytes(hp, data):
    """Fast path: one bytes object."""
    return lib.ruv_tcp_write(hp, byref(Buf(data, len(data))), 1, _write_cb, None)


def tcp_write(hp, items):
    keep = []
    n = len(items)
    if n == 1:
        return lib.ruv_tcp_write(hp, byref(_buf(items[0], keep)), 1, _write_cb, None)
    bufs = (Buf * n)(*[_buf(it, keep) for it in items])
    return lib.ruv_tcp_write(hp, bufs, n, _write_cb, None)


def tcp_try_write(hp, item):
    keep = []
    return lib.ruv_tcp_try_write(hp, byref(_buf(item, keep)), 1)

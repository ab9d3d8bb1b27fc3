"""cffi (ABI mode) backend: same functions as _backend_ctypes.

Handles are cffi pointers (hashable and equal by address, whatever their
type); sockaddrs travel as bytes.
"""

import cffi

NAME = "cffi"

ffi = cffi.FFI()
ffi.cdef("""
typedef struct ruv_loop_s ruv_loop_t;
typedef struct ruv_handle_s ruv_handle_t;
typedef struct ruv_tcp_s ruv_tcp_t;
typedef struct ruv_buf_s { const char *base; size_t len; } ruv_buf_t;

typedef void (*ruv_close_cb)(ruv_handle_t *handle);
typedef void (*ruv_walk_cb)(ruv_handle_t *handle, void *arg);
typedef void (*ruv_connection_cb)(ruv_tcp_t *server, int status);
typedef void (*ruv_connect_cb)(ruv_tcp_t *tcp, int status);
typedef void (*ruv_shutdown_cb)(ruv_tcp_t *tcp, int status);
typedef void (*ruv_write_cb)(ruv_tcp_t *tcp, int status, void *arg);
typedef void (*ruv_read_cb)(ruv_tcp_t *tcp, ssize_t nread, const char *data);

int       ruv_loop_new(ruv_loop_t **out);
int       ruv_loop_close(ruv_loop_t *loop);
int       ruv_run(ruv_loop_t *loop, int mode);
void      ruv_stop(ruv_loop_t *loop);
int       ruv_loop_alive(const ruv_loop_t *loop);
uint64_t  ruv_now(const ruv_loop_t *loop);
void      ruv_update_time(ruv_loop_t *loop);
int       ruv_backend_fd(const ruv_loop_t *loop);
int       ruv_backend_timeout(const ruv_loop_t *loop);
void      ruv_walk(ruv_loop_t *loop, ruv_walk_cb cb, void *arg);

int       ruv_close(ruv_handle_t *h, ruv_close_cb cb);
int       ruv_is_active(const ruv_handle_t *h);
int       ruv_is_closing(const ruv_handle_t *h);
void      ruv_ref(ruv_handle_t *h);
void      ruv_unref(ruv_handle_t *h);
int       ruv_has_ref(const ruv_handle_t *h);

int    ruv_tcp_new(ruv_loop_t *loop, int family, ruv_tcp_t **out);
int    ruv_tcp_bind(ruv_tcp_t *tcp, const char *addr, unsigned int flags);
int    ruv_tcp_listen(ruv_tcp_t *tcp, int backlog, ruv_connection_cb cb);
int    ruv_tcp_accept(ruv_tcp_t *server, ruv_tcp_t *client);
int    ruv_tcp_connect(ruv_tcp_t *tcp, const char *addr, ruv_connect_cb cb);
int    ruv_tcp_open(ruv_tcp_t *tcp, int fd);
int    ruv_tcp_getsockname(const ruv_tcp_t *tcp, char *name, int *namelen);
int    ruv_tcp_getpeername(const ruv_tcp_t *tcp, char *name, int *namelen);
int    ruv_tcp_shutdown(ruv_tcp_t *tcp, ruv_shutdown_cb cb);
int    ruv_tcp_write(ruv_tcp_t *tcp, const ruv_buf_t *bufs, size_t nbufs, ruv_write_cb cb, void *arg);
int    ruv_tcp_try_write(ruv_tcp_t *tcp, const ruv_buf_t *bufs, size_t nbufs);
int    ruv_tcp_start_read(ruv_tcp_t *tcp, ruv_read_cb cb);
int    ruv_tcp_stop_read(ruv_tcp_t *tcp);
int    ruv_tcp_nodelay(ruv_tcp_t *tcp, int enable);
int    ruv_tcp_keepalive(ruv_tcp_t *tcp, int enable, unsigned int delay);
int    ruv_tcp_simultaneous_accepts(ruv_tcp_t *tcp, int enable);
int    ruv_tcp_fileno(const ruv_tcp_t *tcp, int *fd);
int    ruv_tcp_get_send_buffer_size(const ruv_tcp_t *tcp, int *size);
int    ruv_tcp_set_send_buffer_size(ruv_tcp_t *tcp, int size);
int    ruv_tcp_get_receive_buffer_size(const ruv_tcp_t *tcp, int *size);
int    ruv_tcp_set_receive_buffer_size(ruv_tcp_t *tcp, int size);
int    ruv_tcp_family(const ruv_tcp_t *tcp, int *family);
size_t ruv_tcp_write_queue_size(const ruv_tcp_t *tcp);
int    ruv_tcp_readable(const ruv_tcp_t *tcp);
int    ruv_tcp_writable(const ruv_tcp_t *tcp);

const char *ruv_strerror(int err);
const char *ruv_err_name(int err);
unsigned int ruv_version(void);
const char *ruv_version_string(void);
""")

lib = None
_close_cb = _connection_cb = _connect_cb = _shutdown_cb = None
_write_cb = _read_cb = _walk_cb = None
_walks = {}          # token passed as ruv_walk's arg -> the list being filled
_NULL = ffi.NULL


read_bytes = ffi.unpack


def _as_handle(p):
    return ffi.cast("ruv_handle_t *", p)


def load(path):
    global lib
    lib = ffi.dlopen(path)
    _bind_functions()


def _on_walk(handle, arg):
    _walks[int(ffi.cast("uintptr_t", arg))].append(ffi.cast("ruv_tcp_t *", handle))


def _report(exc, value, tb):
    import traceback
    traceback.print_exception(exc, value, tb)


def install(on_close, on_connection, on_connect, on_shutdown, on_write, on_read):
    global _close_cb, _connection_cb, _connect_cb, _shutdown_cb, _write_cb, _read_cb, _walk_cb
    _close_cb = ffi.callback("ruv_close_cb", on_close, onerror=_report)
    _connection_cb = ffi.callback("ruv_connection_cb", on_connection, onerror=_report)
    _connect_cb = ffi.callback("ruv_connect_cb", on_connect, onerror=_report)
    _shutdown_cb = ffi.callback("ruv_shutdown_cb", on_shutdown, onerror=_report)
    _write_cb = ffi.callback("ruv_write_cb", on_write, onerror=_report)
    _read_cb = ffi.callback("ruv_read_cb", on_read, onerror=_report)
    _walk_cb = ffi.callback("ruv_walk_cb", _on_walk, onerror=_report)


def _bind_functions():
    g = globals()
    g.update(
        stop=lib.ruv_stop, loop_alive=lib.ruv_loop_alive, now=lib.ruv_now,
        update_time=lib.ruv_update_time, backend_fd=lib.ruv_backend_fd,
        backend_timeout=lib.ruv_backend_timeout, loop_close=lib.ruv_loop_close,
        run=lib.ruv_run,
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


def is_active(hp):
    return lib.ruv_is_active(_as_handle(hp))


def is_closing(hp):
    return lib.ruv_is_closing(_as_handle(hp))


def ref(hp):
    lib.ruv_ref(_as_handle(hp))


def unref(hp):
    lib.ruv_unref(_as_handle(hp))


def has_ref(hp):
    return lib.ruv_has_ref(_as_handle(hp))


def strerror(code):
    s = lib.ruv_strerror(code)
    return ffi.string(s).decode("utf-8", "replace") if s != _NULL else "unknown error %d" % code


def err_name(code):
    s = lib.ruv_err_name(code)
    return ffi.string(s).decode("ascii", "replace") if s != _NULL else ""


def version_string():
    return ffi.string(lib.ruv_version_string()).decode("ascii", "replace")


def loop_new():
    out = ffi.new("ruv_loop_t **")
    err = lib.ruv_loop_new(out)
    return err, (out[0] if err == 0 else None)


def walk(lp):
    out = []
    token = id(out)
    _walks[token] = out
    try:
        lib.ruv_walk(lp, _walk_cb, ffi.cast("void *", token))
    finally:
        del _walks[token]
    return out


def close(hp):
    return lib.ruv_close(_as_handle(hp), _close_cb)


def tcp_new(lp, family):
    out = ffi.new("ruv_tcp_t **")
    err = lib.ruv_tcp_new(lp, family, out)
    return err, (out[0] if err == 0 else None)


def tcp_listen(hp, backlog):
    return lib.ruv_tcp_listen(hp, backlog, _connection_cb)


def tcp_connect(hp, sa):
    return lib.ruv_tcp_connect(hp, sa, _connect_cb)


def _name(fn, hp):
    buf = ffi.new("char[128]")
    n = ffi.new("int *", 128)
    err = fn(hp, buf, n)
    if err < 0:
        return err, None
    return err, ffi.buffer(buf, n[0])[:]


def tcp_getsockname(hp):
    return _name(lib.ruv_tcp_getsockname, hp)


def tcp_getpeername(hp):
    return _name(lib.ruv_tcp_getpeername, hp)


def tcp_shutdown(hp):
    return lib.ruv_tcp_shutdown(hp, _shutdown_cb)


def tcp_start_read(hp):
    return lib.ruv_tcp_start_read(hp, _read_cb)


def _out_int(fn, hp):
    v = ffi.new("int *")
    err = fn(hp, v)
    return err, v[0]


def tcp_fileno(hp):
    return _out_int(lib.ruv_tcp_fileno, hp)


def tcp_get_send_buffer_size(hp):
    return _out_int(lib.ruv_tcp_get_send_buffer_size, hp)


def tcp_get_receive_buffer_size(hp):
    return _out_int(lib.ruv_tcp_get_receive_buffer_size, hp)


def tcp_family(hp):
    return _out_int(lib.ruv_tcp_family, hp)


def _fill(bufs, i, item, keep):
    if type(item) is bytes:
        cdata = ffi.from_buffer(item)
        keep.append(cdata)
        bufs[i].base = cdata
        bufs[i].len = len(item)
        return
    mv = memoryview(item)
    if not mv.c_contiguous:
        mv = memoryview(mv.tobytes())
    n = mv.nbytes
    if n == 0:
        bufs[i].base = _NULL
        bufs[i].len = 0
        return
    cdata = ffi.from_buffer(mv)
    keep.append(cdata)
    bufs[i].base = cdata
    bufs[i].len = n


def tcp_write_bytes(hp, data):
    p = ffi.from_buffer(data)
    return lib.ruv_tcp_write(hp, ffi.new("ruv_buf_t *", (p, len(data))), 1, _write_cb, _NULL)


def tcp_write(hp, items):
    keep = []
    n = len(items)
    bufs = ffi.new("ruv_buf_t[]", n)
    for i, it in enumerate(items):
        _fill(bufs, i, it, keep)
    return lib.ruv_tcp_write(hp, bufs, n, _write_cb, _NULL)


def tcp_try_write(hp, item):
    keep = []
    bufs = ffi.new("ruv_buf_t[]", 1)
    _fill(bufs, 0, item, keep)
    return lib.ruv_tcp_try_write(hp, bufs, 1)

//! Stream functions: listen, accept, read, write and shut down any stream handle (TCP or
//! pipe). Each `ruv_tcp_*` twin is a thin wrapper over these.

use std::os::raw::c_int;

use crate::core::error::EINVAL;

use super::bufs::with_bufs;
use super::stream_kind::{stream_type, with_stream};
use super::types::{
    handle_ref, ruv_buf_t, ruv_stream_cb, ruv_stream_read_cb, ruv_stream_t, ruv_stream_write_cb,
};

ffi_fn! {
    /// Starts listening; `cb(server, 0)` runs once per pending connection. `backlog` <= 0 means
    /// RUV_DEFAULT_BACKLOG. An unbound TCP handle is bound to 0.0.0.0 port 0; an unbound pipe is
    /// RUV_EINVAL. Errors: RUV_EINVAL (NULL callback, not a stream, connected handle), listen(2)
    /// errors.
    fn ruv_listen(server: *mut ruv_stream_t, backlog: c_int, cb: ruv_stream_cb) -> c_int {
        let cb = cb.ok_or(EINVAL)?;
        with_stream(server, |core, id| core.stream_listen(id, backlog, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Moves the pending connection of `server` into `client` (a handle of the same kind and
    /// loop without a socket, e.g. a new pipe, or a TCP handle made with AF_UNSPEC), inside the
    /// connection callback or later. Errors: RUV_EAGAIN (nothing pending), RUV_EBUSY (client
    /// already has a socket; the connection stays pending), RUV_EINVAL (not listening, another
    /// kind or loop, NULL).
    fn ruv_accept(server: *mut ruv_stream_t, client: *mut ruv_stream_t) -> c_int {
        let kind = stream_type(server)?;
        if stream_type(client)? != kind {
            return Err(EINVAL);
        }
        let (s, c) = (handle_ref(server)?, handle_ref(client)?);
        if !std::ptr::eq(s.loop_obj(), c.loop_obj()) {
            return Err(EINVAL);
        }
        let client_id = c.id.get();
        with_stream(server, |core, id| core.stream_accept(id, client_id))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Starts reading: `cb(s, nread, data)` gets data (`nread` > 0; `data` valid during the call
    /// only), RUV_EOF at end of stream, or an error. Errors: RUV_EALREADY (reading),
    /// RUV_ENOTCONN (not connected, after EOF, or a write-only pipe end), RUV_EINVAL (NULL, not a
    /// stream).
    fn ruv_read_start(s: *mut ruv_stream_t, cb: ruv_stream_read_cb) -> c_int {
        let cb = cb.ok_or(EINVAL)?;
        with_stream(s, |core, id| core.stream_read_start(id, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Stops reading; idempotent. Unread data stays in the socket. RUV_EINVAL if invalid.
    fn ruv_read_stop(s: *mut ruv_stream_t) -> c_int {
        with_stream(s, |core, id| core.stream_read_stop(id))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Writes `nbufs` buffers in order. What the socket does not take at once is copied, so the
    /// buffers may be reused when this returns. `cb(s, status, arg)` (may be NULL) runs from the
    /// loop once the data is sent (0) or failed. Errors: RUV_EINVAL (NULL, not a stream, nbufs 0,
    /// NULL base with len > 0), RUV_EBADF (no socket), RUV_EPIPE (listening, shut down, failed,
    /// a read-only pipe end), RUV_ENOBUFS (over the write limit, see ruv_stream_set_write_limit;
    /// nothing was queued).
    fn ruv_write(
        s: *mut ruv_stream_t,
        bufs: *const ruv_buf_t,
        nbufs: usize,
        cb: ruv_stream_write_cb,
        arg: *mut libc::c_void,
    ) -> c_int {
        with_bufs(bufs, nbufs, |slices| {
            with_stream(s, |core, id| core.stream_write(id, slices, (cb, arg)))
        })?;
        Ok(0)
    }
}

ffi_fn! {
    /// Writes what the socket takes now without queueing. Returns the bytes written (maybe fewer
    /// than given), RUV_EAGAIN if nothing could be written, writes are queued or a connect is
    /// pending; RUV_EINVAL, RUV_EBADF, RUV_EPIPE as ruv_write, or the socket's error.
    fn ruv_try_write(s: *mut ruv_stream_t, bufs: *const ruv_buf_t, nbufs: usize) -> c_int {
        let n = with_bufs(bufs, nbufs, |slices| {
            with_stream(s, |core, id| core.stream_try_write(id, slices))
        })?;
        Ok(c_int::try_from(n).unwrap_or(c_int::MAX))
    }
}

ffi_fn! {
    /// Shuts the write side down once the queued writes are sent; `cb` (may be NULL) gets the
    /// result. Later writes fail with RUV_EPIPE. Errors: RUV_ENOTCONN (not connected/connecting,
    /// or already shut down), RUV_EINVAL. On a pipe or FIFO end (not a socket) the callback gets
    /// RUV_ENOTSOCK, as in libuv.
    fn ruv_shutdown(s: *mut ruv_stream_t, cb: ruv_stream_cb) -> c_int {
        with_stream(s, |core, id| core.stream_shutdown(id, cb))?;
        Ok(0)
    }
}

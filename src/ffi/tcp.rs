//! TCP handle functions: one per member of the pyuv TCP handle.

use std::io::IoSlice;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::os::raw::{c_int, c_uint};

use socket2::Socket;

use crate::core::error::{EBADF, EINVAL, ENOTSOCK};

use crate::core::handle::HandleType;

use super::addr::{read_sockaddr, write_sockaddr};
use super::handle::{new_handle, ruv_close, with_kind};
use super::sys;
use super::types::{
    kind_ref, ruv_buf_t, ruv_close_cb, ruv_connect_cb, ruv_connection_cb, ruv_loop_t, ruv_read_cb,
    ruv_shutdown_cb, ruv_tcp_t, ruv_write_cb,
};

// The option functions live in their own module; they are TCP functions all the same.
pub use super::tcp_options::*;

/// Buffers up to this count are described on the stack.
const STACK_BUFS: usize = 16;

/// Borrows the caller's buffer array as `IoSlice`s and runs `f` on them. `RUV_EINVAL` if `bufs`
/// is NULL, `nbufs` is 0, or a buffer has a NULL base and a non-zero length.
fn with_bufs<R>(
    bufs: *const ruv_buf_t,
    nbufs: usize,
    f: impl FnOnce(&[IoSlice<'_>]) -> Result<R, c_int>,
) -> Result<R, c_int> {
    if bufs.is_null() || nbufs == 0 {
        return Err(EINVAL);
    }
    // SAFETY: the caller passes an array of `nbufs` ruv_buf_t (API contract).
    let bufs = unsafe { std::slice::from_raw_parts(bufs, nbufs) };
    let slice_of = |b: &ruv_buf_t| -> Result<IoSlice<'_>, c_int> {
        if b.len == 0 {
            return Ok(IoSlice::new(&[]));
        }
        if b.base.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: a non-NULL base with `len` readable bytes (API contract); the slice lives
        // only for this call, during which the caller keeps the buffer.
        Ok(IoSlice::new(unsafe {
            std::slice::from_raw_parts(b.base.cast::<u8>(), b.len)
        }))
    };
    if let [one] = bufs {
        return f(&[slice_of(one)?]);
    }
    if nbufs <= STACK_BUFS {
        let mut stack = [IoSlice::new(&[]); STACK_BUFS];
        for (slot, b) in stack.iter_mut().zip(bufs) {
            *slot = slice_of(b)?;
        }
        f(&stack[..nbufs])
    } else {
        let slices = bufs.iter().map(slice_of).collect::<Result<Vec<_>, _>>()?;
        f(&slices)
    }
}

/// The arguments of getsockname/getpeername, checked before the handle's state.
fn check_name_args(name: *mut libc::sockaddr, namelen: *mut c_int) -> Result<(), c_int> {
    if name.is_null() || namelen.is_null() {
        return Err(EINVAL);
    }
    Ok(())
}

ffi_fn! {
    /// Creates a TCP handle in `*out`. `family` AF_UNSPEC creates the socket on bind, connect or
    /// open; AF_INET / AF_INET6 create it now. Returns 0, RUV_EINVAL for a NULL pointer or another
    /// family, or the socket's creation error.
    fn ruv_tcp_new(
        loop_: *mut ruv_loop_t,
        family: c_int,
        out: *mut *mut ruv_tcp_t,
    ) -> c_int {
        new_handle(loop_, out, HandleType::Tcp, |core, owner| {
            Ok((core.tcp_new(owner, family)?, None))
        })
    }
}

ffi_fn! {
    /// Binds to `addr` (AF_INET or AF_INET6) with SO_REUSEADDR. `flags` may hold RUV_TCP_IPV6ONLY
    /// (IPv6 addresses only) and RUV_TCP_REUSEPORT (SO_REUSEPORT: handles of several loops, e.g.
    /// one per thread, bind the same port and the kernel spreads connections over them). Errors:
    /// RUV_EINVAL (NULL, unknown flags, IPV6ONLY on an IPv4 address, family mismatch with the
    /// handle, already listening/connected), RUV_ENOTSUP (no SO_REUSEPORT on this platform),
    /// RUV_EADDRINUSE and other bind errors.
    fn ruv_tcp_bind(
        tcp: *mut ruv_tcp_t,
        addr: *const libc::sockaddr,
        flags: c_uint,
    ) -> c_int {
        let addr = read_sockaddr(addr)?;
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_bind(id, addr, flags))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Starts listening; `cb(server, 0)` runs once per pending connection. `backlog` <= 0 means
    /// RUV_DEFAULT_BACKLOG; an unbound handle is bound to 0.0.0.0 port 0. Errors: RUV_EINVAL (NULL
    /// callback, connected handle), listen(2) errors.
    fn ruv_tcp_listen(
        tcp: *mut ruv_tcp_t,
        backlog: c_int,
        cb: ruv_connection_cb,
    ) -> c_int {
        let cb = cb.ok_or(EINVAL)?;
        with_kind(tcp, HandleType::Tcp, |core, id| core.stream_listen(id, backlog, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Moves the pending connection of `server` into `client` (a handle without a socket, e.g.
    /// made with AF_UNSPEC), inside the connection callback or later. Errors: RUV_EAGAIN (nothing
    /// pending), RUV_EBUSY (client already has a socket; the connection stays pending),
    /// RUV_EINVAL (not listening, different loops, NULL).
    fn ruv_tcp_accept(server: *mut ruv_tcp_t, client: *mut ruv_tcp_t) -> c_int {
        let s = kind_ref(server, HandleType::Tcp)?;
        let c = kind_ref(client, HandleType::Tcp)?;
        if !std::ptr::eq(s.loop_obj, c.loop_obj) {
            return Err(EINVAL);
        }
        let client_id = c.id.get();
        with_kind(server, HandleType::Tcp, |core, id| core.stream_accept(id, client_id))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Connects to `addr`; `cb(tcp, status)` reports success, refusal (RUV_ECONNREFUSED) or
    /// cancellation, always from the loop. Errors returned at once (no callback then): RUV_EINVAL
    /// (NULL, family mismatch, listening), RUV_EALREADY, RUV_EISCONN, connect(2) errors.
    fn ruv_tcp_connect(
        tcp: *mut ruv_tcp_t,
        addr: *const libc::sockaddr,
        cb: ruv_connect_cb,
    ) -> c_int {
        let cb = cb.ok_or(EINVAL)?;
        let addr = read_sockaddr(addr)?;
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_connect(id, addr, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Adopts an existing TCP socket `fd` (made non-blocking); the handle owns it from then on and
    /// closes it on ruv_close. A connected socket can read and write at once. Errors (the caller
    /// keeps `fd` then): RUV_EBADF (not an open descriptor), RUV_ENOTSOCK, RUV_EINVAL (not a
    /// stream socket, NULL), RUV_EAFNOSUPPORT, RUV_EBUSY (handle has a socket), RUV_EEXIST (another
    /// handle of this loop owns `fd`).
    fn ruv_tcp_open(tcp: *mut ruv_tcp_t, fd: c_int) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        if fd < 0 {
            return Err(EBADF);
        }
        if !sys::fd_is_open(fd) {
            return Err(EBADF);
        }
        if sys::socket_type(fd).is_none() {
            return Err(ENOTSOCK);
        }
        // SAFETY: `fd` is an open socket; ownership passes to the handle on success and is
        // given back (into_raw_fd, not closed) on failure.
        let sock = unsafe { Socket::from_raw_fd(fd) };
        match with_kind(tcp, HandleType::Tcp, |core, id| Ok(core.tcp_open(id, sock)))? {
            Ok(()) => Ok(0),
            Err((code, sock)) => {
                let _ = sock.into_raw_fd();
                Err(code)
            }
        }
    }
}

ffi_fn! {
    /// Stores the local address in `name`; `*namelen` is the buffer size in and the address size
    /// out. Errors: RUV_EBADF (no socket yet), RUV_EINVAL (NULL, buffer too small).
    fn ruv_tcp_getsockname(
        tcp: *const ruv_tcp_t,
        name: *mut libc::sockaddr,
        namelen: *mut c_int,
    ) -> c_int {
        check_name_args(name, namelen)?;
        let addr = with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_getsockname(id))?;
        write_sockaddr(&addr, name, namelen)
    }
}

ffi_fn! {
    /// Stores the peer's address in `name`, like ruv_tcp_getsockname. Errors also: RUV_ENOTCONN.
    fn ruv_tcp_getpeername(
        tcp: *const ruv_tcp_t,
        name: *mut libc::sockaddr,
        namelen: *mut c_int,
    ) -> c_int {
        check_name_args(name, namelen)?;
        let addr = with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_getpeername(id))?;
        write_sockaddr(&addr, name, namelen)
    }
}

ffi_fn! {
    /// Shuts the write side down once the queued writes are sent; `cb` (may be NULL) gets the
    /// result. Later writes fail with RUV_EPIPE. Errors: RUV_ENOTCONN (not connected/connecting, or
    /// already shut down), RUV_EINVAL.
    fn ruv_tcp_shutdown(tcp: *mut ruv_tcp_t, cb: ruv_shutdown_cb) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.stream_shutdown(id, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Writes `nbufs` buffers in order. What the socket does not take at once is copied, so the
    /// buffers may be reused when this returns. `cb(tcp, status, arg)` (may be NULL) runs from the
    /// loop once the data is sent (0) or failed. Errors: RUV_EINVAL (NULL, nbufs 0, NULL base with
    /// len > 0), RUV_EBADF (no socket), RUV_EPIPE (listening, shut down, failed), RUV_ENOBUFS (over
    /// the write limit, see ruv_tcp_set_write_limit; nothing was queued).
    fn ruv_tcp_write(
        tcp: *mut ruv_tcp_t,
        bufs: *const ruv_buf_t,
        nbufs: usize,
        cb: ruv_write_cb,
        arg: *mut libc::c_void,
    ) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        with_bufs(bufs, nbufs, |slices| {
            with_kind(tcp, HandleType::Tcp, |core, id| core.stream_write(id, slices, (cb, arg)))
        })?;
        Ok(0)
    }
}

ffi_fn! {
    /// Writes what the socket takes now without queueing. Returns the bytes written (maybe fewer
    /// than given), RUV_EAGAIN if nothing could be written, writes are queued or a connect is
    /// pending; RUV_EINVAL, RUV_EBADF, RUV_EPIPE as ruv_tcp_write, or the socket's error.
    fn ruv_tcp_try_write(
        tcp: *mut ruv_tcp_t,
        bufs: *const ruv_buf_t,
        nbufs: usize,
    ) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        let n = with_bufs(bufs, nbufs, |slices| {
            with_kind(tcp, HandleType::Tcp, |core, id| core.stream_try_write(id, slices))
        })?;
        Ok(c_int::try_from(n).unwrap_or(c_int::MAX))
    }
}

ffi_fn! {
    /// Starts reading: `cb(tcp, nread, data)` gets data (`nread` > 0; `data` valid during the call
    /// only), RUV_EOF at end of stream, or an error. Errors: RUV_EALREADY (reading), RUV_ENOTCONN
    /// (not connected, or after EOF), RUV_EINVAL (NULL).
    fn ruv_tcp_start_read(tcp: *mut ruv_tcp_t, cb: ruv_read_cb) -> c_int {
        let cb = cb.ok_or(EINVAL)?;
        with_kind(tcp, HandleType::Tcp, |core, id| core.stream_read_start(id, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Stops reading; idempotent. Unread data stays in the socket. RUV_EINVAL if invalid.
    fn ruv_tcp_stop_read(tcp: *mut ruv_tcp_t) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.stream_read_stop(id))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Stores the socket descriptor in `*fd`. RUV_EBADF before the socket exists or once closing.
    fn ruv_tcp_fileno(tcp: *const ruv_tcp_t, fd: *mut c_int) -> c_int {
        if fd.is_null() {
            return Err(EINVAL);
        }
        let value = with_kind(tcp, HandleType::Tcp, |core, id| core.stream_fileno(id))?;
        // SAFETY: `fd` is non-NULL and points at the caller's int.
        unsafe { fd.write(value) };
        Ok(0)
    }
}

ffi_fn! {
    /// Stores AF_INET or AF_INET6 in `*family`. RUV_EBADF before the socket exists.
    fn ruv_tcp_family(tcp: *const ruv_tcp_t, family: *mut c_int) -> c_int {
        if family.is_null() {
            return Err(EINVAL);
        }
        let value = with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_family(id))?;
        // SAFETY: `family` is non-NULL and points at the caller's int.
        unsafe { family.write(value) };
        Ok(0)
    }
}

ffi_fn! {
    /// Bytes accepted by ruv_tcp_write and not yet sent (0 for an invalid or closing handle).
    fn ruv_tcp_write_queue_size(tcp: *const ruv_tcp_t) -> usize {
        with_kind(tcp, HandleType::Tcp, |core, id| core.stream_write_queue_size(id)).unwrap_or(0)
    }
}

ffi_fn! {
    /// 1 if the handle can read (connected, no EOF yet, not closing), else 0; RUV_EINVAL if invalid.
    fn ruv_tcp_readable(tcp: *const ruv_tcp_t) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.stream_readable(id)).map(c_int::from)
    }
}

ffi_fn! {
    /// 1 if the handle accepts writes (connected or connecting, not shut down, not closing), else 0;
    /// RUV_EINVAL if invalid.
    fn ruv_tcp_writable(tcp: *const ruv_tcp_t) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.stream_writable(id)).map(c_int::from)
    }
}

ffi_fn! {
    /// Closes the handle like ruv_close, but with SO_LINGER 0: the peer sees a reset
    /// (RUV_ECONNRESET) instead of an end of stream, and unsent data is dropped. Queued writes get
    /// RUV_ECANCELED; `cb` (may be NULL) runs last, from the loop. Errors (the handle stays open):
    /// RUV_EINVAL (NULL, not a TCP handle, closing, or after ruv_tcp_shutdown was called),
    /// RUV_EBADF (no socket yet: use ruv_close).
    fn ruv_tcp_close_reset(tcp: *mut ruv_tcp_t, cb: ruv_close_cb) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_reset_on_close(id))?;
        match ruv_close(tcp.cast(), cb) {
            0 => Ok(0),
            code => Err(code),
        }
    }
}

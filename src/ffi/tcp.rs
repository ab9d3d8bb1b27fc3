//! TCP handle functions: one per member of the pyuv TCP handle.

use std::os::fd::{FromRawFd, IntoRawFd};
use std::os::raw::{c_int, c_uint};

use socket2::Socket;

use crate::core::error::{EBADF, EINVAL, ENOTSOCK};

use crate::core::handle::HandleType;

use super::addr::{address_query, read_sockaddr};
use super::fileno::ruv_fileno;
use super::handle::{new_handle, ruv_close, with_kind};
use super::stream::{
    ruv_accept, ruv_listen, ruv_read_start, ruv_read_stop, ruv_shutdown, ruv_try_write, ruv_write,
};
use super::stream_kind::{read_cb, returned, status_cb, write_cb};
use super::stream_state::{ruv_is_readable, ruv_is_writable, ruv_stream_get_write_queue_size};
use super::sys;
use super::types::{
    kind_ref, ruv_buf_t, ruv_close_cb, ruv_connect_cb, ruv_connection_cb, ruv_loop_t, ruv_read_cb,
    ruv_shutdown_cb, ruv_tcp_t, ruv_write_cb,
};

// The option functions live in their own module; they are TCP functions all the same.
pub use super::tcp_options::*;

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
    /// As ruv_listen, on a TCP handle only (RUV_EINVAL for a pipe).
    fn ruv_tcp_listen(
        tcp: *mut ruv_tcp_t,
        backlog: c_int,
        cb: ruv_connection_cb,
    ) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_listen(tcp.cast(), backlog, status_cb(cb)))
    }
}

ffi_fn! {
    /// As ruv_accept, on TCP handles only.
    fn ruv_tcp_accept(server: *mut ruv_tcp_t, client: *mut ruv_tcp_t) -> c_int {
        kind_ref(server, HandleType::Tcp)?;
        kind_ref(client, HandleType::Tcp)?;
        returned(ruv_accept(server.cast(), client.cast()))
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
        let cb = status_cb(cb).ok_or(EINVAL)?;
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
        address_query(name, namelen, || {
            with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_getsockname(id))
        })
    }
}

ffi_fn! {
    /// Stores the peer's address in `name`, like ruv_tcp_getsockname. Errors also: RUV_ENOTCONN.
    fn ruv_tcp_getpeername(
        tcp: *const ruv_tcp_t,
        name: *mut libc::sockaddr,
        namelen: *mut c_int,
    ) -> c_int {
        address_query(name, namelen, || {
            with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_getpeername(id))
        })
    }
}

ffi_fn! {
    /// As ruv_shutdown, on a TCP handle only.
    fn ruv_tcp_shutdown(tcp: *mut ruv_tcp_t, cb: ruv_shutdown_cb) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_shutdown(tcp.cast(), status_cb(cb)))
    }
}

ffi_fn! {
    /// As ruv_write, on a TCP handle only.
    fn ruv_tcp_write(
        tcp: *mut ruv_tcp_t,
        bufs: *const ruv_buf_t,
        nbufs: usize,
        cb: ruv_write_cb,
        arg: *mut libc::c_void,
    ) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_write(tcp.cast(), bufs, nbufs, write_cb(cb), arg))
    }
}

ffi_fn! {
    /// As ruv_try_write, on a TCP handle only.
    fn ruv_tcp_try_write(
        tcp: *mut ruv_tcp_t,
        bufs: *const ruv_buf_t,
        nbufs: usize,
    ) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_try_write(tcp.cast(), bufs, nbufs))
    }
}

ffi_fn! {
    /// As ruv_read_start, on a TCP handle only.
    fn ruv_tcp_start_read(tcp: *mut ruv_tcp_t, cb: ruv_read_cb) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_read_start(tcp.cast(), read_cb(cb)))
    }
}

ffi_fn! {
    /// As ruv_read_stop, on a TCP handle only.
    fn ruv_tcp_stop_read(tcp: *mut ruv_tcp_t) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_read_stop(tcp.cast()))
    }
}

ffi_fn! {
    /// As ruv_fileno, on a TCP handle only: RUV_EBADF before the socket exists or once closing.
    fn ruv_tcp_fileno(tcp: *const ruv_tcp_t, fd: *mut c_int) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_fileno(tcp.cast(), fd))
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
    /// As ruv_stream_get_write_queue_size, on a TCP handle only (0 for any other pointer).
    fn ruv_tcp_write_queue_size(tcp: *const ruv_tcp_t) -> usize {
        match kind_ref(tcp, HandleType::Tcp) {
            Ok(_) => ruv_stream_get_write_queue_size(tcp.cast()),
            Err(_) => 0,
        }
    }
}

ffi_fn! {
    /// As ruv_is_readable, on a TCP handle only.
    fn ruv_tcp_readable(tcp: *const ruv_tcp_t) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_is_readable(tcp.cast()))
    }
}

ffi_fn! {
    /// As ruv_is_writable, on a TCP handle only.
    fn ruv_tcp_writable(tcp: *const ruv_tcp_t) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_is_writable(tcp.cast()))
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

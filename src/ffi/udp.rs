//! UDP handles: create, open, bind, connect, addresses, send, try_send, receive, and the send
//! queue. Socket options are in [`super::udp_options`].

use std::os::fd::{FromRawFd, IntoRawFd};
use std::os::raw::{c_int, c_uint};

use socket2::Socket;

use crate::core::error::{EBADF, EINVAL, ENOTSOCK};
use crate::core::event_loop::Loop;
use crate::core::handle::HandleType;
use crate::core::handle_table::HandleId;

use super::addr::{address_query, read_sockaddr};
use super::bufs::with_bufs;
use super::handle::{new_handle, with_kind};
use super::sys;
use super::types::{
    kind_ref, ruv_buf_t, ruv_loop_t, ruv_udp_recv_cb, ruv_udp_send_cb, ruv_udp_t, CHost,
};

/// Runs `f` on the core with the UDP handle's id (`RUV_EINVAL` for another kind).
pub(crate) fn with_udp<R>(
    u: *const ruv_udp_t,
    f: impl FnOnce(&mut Loop<CHost>, HandleId) -> Result<R, c_int>,
) -> Result<R, c_int> {
    with_kind(u, HandleType::Udp, f)
}

/// A send's optional destination: NULL means "the connected peer".
fn dest(addr: *const libc::sockaddr) -> Result<Option<std::net::SocketAddr>, c_int> {
    if addr.is_null() {
        Ok(None)
    } else {
        read_sockaddr(addr).map(Some)
    }
}

ffi_fn! {
    /// Creates a UDP handle in `*out`. `family` AF_UNSPEC creates the socket on bind, connect,
    /// the first send or receive, or open; AF_INET / AF_INET6 create it now. Errors: RUV_EINVAL
    /// (NULL, another family), the socket's creation error.
    fn ruv_udp_new(loop_: *mut ruv_loop_t, family: c_int, out: *mut *mut ruv_udp_t) -> c_int {
        new_handle(loop_, out, HandleType::Udp, |core, owner| {
            Ok((core.udp_new(owner, family)?, None))
        })
    }
}

ffi_fn! {
    /// Adopts an existing IPv4/IPv6 datagram socket `fd` (made non-blocking); the handle owns it
    /// from then on. Errors (the caller keeps `fd` then): RUV_EBADF (not open), RUV_ENOTSOCK,
    /// RUV_EEXIST (another handle of this loop holds `fd`), RUV_EBUSY (the handle has a socket),
    /// RUV_EINVAL (not a datagram socket, NULL), RUV_EAFNOSUPPORT (not IPv4/IPv6).
    fn ruv_udp_open(u: *mut ruv_udp_t, fd: c_int) -> c_int {
        kind_ref(u, HandleType::Udp)?;
        if !sys::fd_is_open(fd) {
            return Err(EBADF);
        }
        if sys::socket_type(fd).is_none() {
            return Err(ENOTSOCK);
        }
        // SAFETY: `fd` is an open socket; ownership passes to the handle on success and is
        // given back (into_raw_fd, not closed) on failure.
        let sock = unsafe { Socket::from_raw_fd(fd) };
        match with_udp(u, |core, id| Ok(core.udp_open(id, sock)))? {
            Ok(()) => Ok(0),
            Err((code, sock)) => {
                let _ = sock.into_raw_fd();
                Err(code)
            }
        }
    }
}

ffi_fn! {
    /// Binds to `addr`; `flags` may hold RUV_UDP_IPV6ONLY and RUV_UDP_REUSEADDR. Errors:
    /// RUV_EINVAL (NULL, unknown flags, IPV6ONLY on an IPv4 address, family mismatch, already
    /// bound), RUV_EADDRINUSE and other bind errors.
    fn ruv_udp_bind(u: *mut ruv_udp_t, addr: *const libc::sockaddr, flags: c_uint) -> c_int {
        kind_ref(u, HandleType::Udp)?;
        let addr = read_sockaddr(addr)?;
        with_udp(u, |core, id| core.udp_bind(id, addr, flags))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Connects the handle to `addr` (bound first if needed): sends then go there with a NULL
    /// address, and only that peer's datagrams arrive. `addr` NULL dissolves the connection.
    /// Errors: RUV_EISCONN (connecting a connected handle), RUV_ENOTCONN (disconnecting an
    /// unconnected one), RUV_EINVAL (family mismatch, NULL handle), connect(2) errors.
    fn ruv_udp_connect(u: *mut ruv_udp_t, addr: *const libc::sockaddr) -> c_int {
        kind_ref(u, HandleType::Udp)?;
        match dest(addr)? {
            Some(addr) => with_udp(u, |core, id| core.udp_connect(id, addr))?,
            None => with_udp(u, |core, id| core.udp_disconnect(id, &sys::unspec_addr()))?,
        }
        Ok(0)
    }
}

ffi_fn! {
    /// Stores the local address in `name`; `*namelen` is the buffer size in and the address size
    /// out. Errors: RUV_EBADF (no socket yet), RUV_EINVAL (NULL, buffer too small).
    fn ruv_udp_getsockname(
        u: *const ruv_udp_t,
        name: *mut libc::sockaddr,
        namelen: *mut c_int,
    ) -> c_int {
        address_query(name, namelen, || with_udp(u, |core, id| core.udp_getsockname(id)))
    }
}

ffi_fn! {
    /// Stores the connected peer's address in `name`, like ruv_udp_getsockname. RUV_ENOTCONN if
    /// the handle is not connected.
    fn ruv_udp_getpeername(
        u: *const ruv_udp_t,
        name: *mut libc::sockaddr,
        namelen: *mut c_int,
    ) -> c_int {
        address_query(name, namelen, || with_udp(u, |core, id| core.udp_getpeername(id)))
    }
}

ffi_fn! {
    /// Sends one datagram made of `nbufs` buffers (a 0-byte datagram too) to `addr`, or to the
    /// connected peer when `addr` is NULL: at once when the socket takes it, else copied and
    /// queued. `cb(u, status, arg)` (may be NULL) runs from the loop, in send order, with 0, the
    /// kernel's error, or RUV_ECANCELED when the handle closes first. An unbound handle is bound
    /// to the unspecified address first. Errors (no callback then): RUV_EINVAL (NULL handle or
    /// bufs, nbufs 0, family mismatch), RUV_EISCONN (`addr` on a connected handle),
    /// RUV_EDESTADDRREQ (no `addr` on an unconnected one).
    fn ruv_udp_send(
        u: *mut ruv_udp_t,
        bufs: *const ruv_buf_t,
        nbufs: usize,
        addr: *const libc::sockaddr,
        cb: ruv_udp_send_cb,
        arg: *mut libc::c_void,
    ) -> c_int {
        kind_ref(u, HandleType::Udp)?;
        let to = dest(addr)?;
        with_bufs(bufs, nbufs, |slices| {
            with_udp(u, |core, id| core.udp_send_to(id, to, slices, (cb, arg)))
        })?;
        Ok(0)
    }
}

ffi_fn! {
    /// Sends one datagram now, whole or not at all, never queueing: returns the bytes sent, or
    /// RUV_EAGAIN while sends are queued or the socket cannot take it. Other errors as
    /// ruv_udp_send, or the kernel's (RUV_EMSGSIZE, …).
    fn ruv_udp_try_send(
        u: *mut ruv_udp_t,
        bufs: *const ruv_buf_t,
        nbufs: usize,
        addr: *const libc::sockaddr,
    ) -> c_int {
        kind_ref(u, HandleType::Udp)?;
        let to = dest(addr)?;
        let n = with_bufs(bufs, nbufs, |slices| {
            with_udp(u, |core, id| core.udp_try_send_to(id, to, slices))
        })?;
        Ok(c_int::try_from(n).unwrap_or(c_int::MAX))
    }
}

ffi_fn! {
    /// Starts receiving (an unbound handle is bound to 0.0.0.0 port 0 first): `cb(u, nread,
    /// data, addr, flags)` gets each datagram (`nread` >= 0, 0 for an empty one) with its
    /// sender, or an error (`nread` < 0, `addr` NULL). At most 32 datagrams per handle per
    /// wakeup. Errors: RUV_EALREADY (receiving), RUV_EINVAL (NULL).
    fn ruv_udp_recv_start(u: *mut ruv_udp_t, cb: ruv_udp_recv_cb) -> c_int {
        kind_ref(u, HandleType::Udp)?;
        let cb = cb.ok_or(EINVAL)?;
        with_udp(u, |core, id| core.udp_recv_start(id, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Stops receiving; idempotent. Datagrams that arrive meanwhile wait in the socket.
    fn ruv_udp_recv_stop(u: *mut ruv_udp_t) -> c_int {
        with_udp(u, |core, id| core.udp_recv_stop(id))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Bytes of the datagrams queued and not yet sent (0 for an invalid or closing handle).
    fn ruv_udp_get_send_queue_size(u: *const ruv_udp_t) -> usize {
        with_udp(u, |core, id| core.udp_send_queue_size(id)).unwrap_or(0)
    }
}

ffi_fn! {
    /// Datagrams queued and not yet sent (0 for an invalid or closing handle).
    fn ruv_udp_get_send_queue_count(u: *const ruv_udp_t) -> usize {
        with_udp(u, |core, id| core.udp_send_queue_count(id)).unwrap_or(0)
    }
}

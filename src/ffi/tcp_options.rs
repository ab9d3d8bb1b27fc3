//! TCP handle options: TCP_NODELAY, keep-alive, accept batching, socket buffer sizes, and the
//! flow control of writes (watermarks and the write limit).

use std::os::raw::{c_int, c_uint};

use crate::core::error::EINVAL;
use crate::core::handle::HandleType;
use crate::core::socket::BufferKind;

use super::handle::with_kind;
use super::stream_kind::{drain_cb, returned};
use super::stream_state::{ruv_stream_set_watermarks, ruv_stream_set_write_limit};
use super::types::{kind_ref, ruv_drain_cb, ruv_tcp_t};

ffi_fn! {
    /// Enables (non-zero) or disables Nagle's algorithm's opposite, TCP_NODELAY; before the socket
    /// exists the setting is applied when it appears.
    fn ruv_tcp_nodelay(tcp: *mut ruv_tcp_t, enable: c_int) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_nodelay(id, enable != 0))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Enables TCP keep-alive with `delay` seconds of idle time before the first probe (then a
    /// probe every second, 10 probes), or disables it (`enable` 0). RUV_EINVAL for enable with
    /// delay 0. See ruv_tcp_keepalive_ex for the other parameters.
    fn ruv_tcp_keepalive(tcp: *mut ruv_tcp_t, enable: c_int, delay: c_uint) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_keepalive(id, enable != 0, delay))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Enables TCP keep-alive with all its parameters: `idle` seconds without traffic before the
    /// first probe (TCP_KEEPIDLE), `intvl` seconds between probes (TCP_KEEPINTVL), `cnt` probes
    /// unanswered before the connection is dropped (TCP_KEEPCNT); or disables it (`enable` 0, the
    /// other arguments ignored). Before the socket exists the setting is remembered and applied
    /// when it appears. Errors: RUV_EINVAL (enabling with any of them 0 or above the kernel's
    /// maximum: 32767 s, 32767 s, 127 probes on Linux; NULL, closing). A failed call changes
    /// nothing.
    fn ruv_tcp_keepalive_ex(
        tcp: *mut ruv_tcp_t,
        enable: c_int,
        idle: c_uint,
        intvl: c_uint,
        cnt: c_uint,
    ) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| {
            core.tcp_keepalive_ex(id, enable != 0, idle, intvl, cnt)
        })?;
        Ok(0)
    }
}

ffi_fn! {
    /// Non-zero (default): a listener accepts every pending connection per wakeup; 0: one per loop
    /// iteration (fairer across processes sharing a socket).
    fn ruv_tcp_simultaneous_accepts(tcp: *mut ruv_tcp_t, enable: c_int) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_simultaneous_accepts(id, enable != 0))?;
        Ok(0)
    }
}

fn buffer_size(
    tcp: *const ruv_tcp_t,
    kind: BufferKind,
    set: Option<c_int>,
    out: *mut c_int,
) -> Result<c_int, c_int> {
    if (set.is_none() && out.is_null()) || set.is_some_and(|size| size <= 0) {
        return Err(EINVAL);
    }
    let value = with_kind(tcp, HandleType::Tcp, |core, id| {
        core.stream_buffer_size(id, kind, set)
    })?;
    if !out.is_null() {
        // SAFETY: `out` is non-NULL and points at the caller's int.
        unsafe { out.write(value) };
    }
    Ok(0)
}

ffi_fn! {
    /// Stores SO_SNDBUF in `*size` (Linux reports twice the value set). RUV_EBADF without a socket.
    fn ruv_tcp_get_send_buffer_size(tcp: *const ruv_tcp_t, size: *mut c_int) -> c_int {
        buffer_size(tcp, BufferKind::Send, None, size)
    }
}

ffi_fn! {
    /// Sets SO_SNDBUF. RUV_EINVAL for `size` <= 0, RUV_EBADF without a socket.
    fn ruv_tcp_set_send_buffer_size(tcp: *mut ruv_tcp_t, size: c_int) -> c_int {
        buffer_size(tcp, BufferKind::Send, Some(size), std::ptr::null_mut())
    }
}

ffi_fn! {
    /// Stores SO_RCVBUF in `*size` (Linux reports twice the value set). RUV_EBADF without a socket.
    fn ruv_tcp_get_receive_buffer_size(
        tcp: *const ruv_tcp_t,
        size: *mut c_int,
    ) -> c_int {
        buffer_size(tcp, BufferKind::Receive, None, size)
    }
}

ffi_fn! {
    /// Sets SO_RCVBUF. RUV_EINVAL for `size` <= 0, RUV_EBADF without a socket.
    fn ruv_tcp_set_receive_buffer_size(tcp: *mut ruv_tcp_t, size: c_int) -> c_int {
        buffer_size(tcp, BufferKind::Receive, Some(size), std::ptr::null_mut())
    }
}

ffi_fn! {
    /// As ruv_stream_set_watermarks, on a TCP handle only.
    fn ruv_tcp_set_watermarks(
        tcp: *mut ruv_tcp_t,
        low: usize,
        high: usize,
        cb: ruv_drain_cb,
    ) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_stream_set_watermarks(tcp.cast(), low, high, drain_cb(cb)))
    }
}

ffi_fn! {
    /// As ruv_stream_set_write_limit, on a TCP handle only.
    fn ruv_tcp_set_write_limit(tcp: *mut ruv_tcp_t, max: usize) -> c_int {
        kind_ref(tcp, HandleType::Tcp)?;
        returned(ruv_stream_set_write_limit(tcp.cast(), max))
    }
}

//! The C callback types, and the embedder (`CHost`) that tells the core what the C layer
//! stores with each handle and request.

use std::os::raw::{c_char, c_int, c_uint, c_void};
use std::sync::Arc;

use std::net::SocketAddr;

use crate::core::host::Host;
use crate::core::request::ReqShared;
use crate::core::signal_shared::SignalShared;

use super::request::ReqObj;
use super::signal_registry;
use super::types::{
    ruv_async_t, ruv_check_t, ruv_handle_t, ruv_idle_t, ruv_loop_t, ruv_poll_t, ruv_prepare_t,
    ruv_signal_t, ruv_stream_t, ruv_tcp_t, ruv_timer_t, ruv_udp_t, HandleObj,
};

/// Called when a handle is closed, as its last callback; when it returns the handle is freed and
/// its pointer is stale (every call on it returns RUV_EINVAL, forever).
pub type ruv_close_cb = Option<unsafe extern "C" fn(handle: *mut ruv_handle_t)>;
/// Called by ruv_walk for every handle of a loop.
pub type ruv_walk_cb = Option<unsafe extern "C" fn(handle: *mut ruv_handle_t, arg: *mut c_void)>;
/// Called once per pending connection on a listener (status 0), or with an accept error.
pub type ruv_connection_cb = Option<unsafe extern "C" fn(server: *mut ruv_tcp_t, status: c_int)>;
/// Called when a connect completes (0), fails or is cancelled (RUV_ECANCELED).
pub type ruv_connect_cb = Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, status: c_int)>;
/// Called when a shutdown completes (0), fails or is cancelled (RUV_ECANCELED).
pub type ruv_shutdown_cb = Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, status: c_int)>;
/// Called when a write completes (0), fails or is cancelled; `arg` is ruv_tcp_write's `arg`.
pub type ruv_write_cb =
    Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, status: c_int, arg: *mut c_void)>;
/// Called with data (`nread` > 0, `data` valid only during the call), RUV_EOF or an error.
pub type ruv_read_cb =
    Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, nread: libc::ssize_t, data: *const c_char)>;
/// Called when a timer is due.
pub type ruv_timer_cb = Option<unsafe extern "C" fn(timer: *mut ruv_timer_t)>;
/// Called from the loop after ruv_async_send.
pub type ruv_async_cb = Option<unsafe extern "C" fn(async_: *mut ruv_async_t)>;
/// Called once per loop iteration, before prepare callbacks.
pub type ruv_idle_cb = Option<unsafe extern "C" fn(idle: *mut ruv_idle_t)>;
/// Called once per loop iteration, right before the loop polls for I/O.
pub type ruv_prepare_cb = Option<unsafe extern "C" fn(prepare: *mut ruv_prepare_t)>;
/// Called once per loop iteration, right after the I/O callbacks.
pub type ruv_check_cb = Option<unsafe extern "C" fn(check: *mut ruv_check_t)>;
/// Called every loop iteration while the descriptor is ready: `status` 0 and `events` the
/// requested RUV_READABLE / RUV_WRITABLE / RUV_DISCONNECT / RUV_PRIORITIZED that are ready; or
/// `status` < 0 and `events` 0 when the poll reports an error (the handle is stopped then).
pub type ruv_poll_cb =
    Option<unsafe extern "C" fn(poll: *mut ruv_poll_t, status: c_int, events: c_int)>;
/// Called from the loop once per delivery of the watched signal `signum`.
pub type ruv_signal_cb = Option<unsafe extern "C" fn(signal: *mut ruv_signal_t, signum: c_int)>;
/// Called from the loop when a congested TCP handle's write queue has fallen to its low
/// watermark (see ruv_tcp_set_watermarks).
pub type ruv_drain_cb = Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t)>;

/// A stream's connection (listener), connect or shutdown callback: status 0, an error, or
/// RUV_ECANCELED when the handle was closed first.
pub type ruv_stream_cb = Option<unsafe extern "C" fn(s: *mut ruv_stream_t, status: c_int)>;
/// A stream's read callback: data (`nread` > 0, `data` valid only during the call), RUV_EOF or
/// an error.
pub type ruv_stream_read_cb =
    Option<unsafe extern "C" fn(s: *mut ruv_stream_t, nread: libc::ssize_t, data: *const c_char)>;
/// A stream write's callback: 0, an error or RUV_ECANCELED; `arg` is ruv_write's `arg`.
pub type ruv_stream_write_cb =
    Option<unsafe extern "C" fn(s: *mut ruv_stream_t, status: c_int, arg: *mut c_void)>;
/// Called from the loop when a congested stream's write queue has fallen to its low watermark
/// (see ruv_stream_set_watermarks).
pub type ruv_stream_drain_cb = Option<unsafe extern "C" fn(s: *mut ruv_stream_t)>;
/// A UDP send's callback: 0, the kernel's error, or RUV_ECANCELED (closed before it was sent);
/// `arg` is ruv_udp_send's `arg`.
pub type ruv_udp_send_cb =
    Option<unsafe extern "C" fn(u: *mut ruv_udp_t, status: c_int, arg: *mut c_void)>;
/// A UDP handle's receive callback: a datagram of `nread` >= 0 bytes (`data` valid only during
/// the call) from `addr`, with `flags` 0 or RUV_UDP_PARTIAL; or `nread` < 0, an error, with
/// `addr` NULL.
pub type ruv_udp_recv_cb = Option<
    unsafe extern "C" fn(
        u: *mut ruv_udp_t,
        nread: libc::ssize_t,
        data: *const c_char,
        addr: *const libc::sockaddr,
        flags: c_uint,
    ),
>;
/// Called on the loop when a ruv_getaddrinfo lookup finished: `status` 0 and `res` the
/// addresses (valid only during the call; ruv frees them), or a RUV_EAI_* code (or
/// RUV_EAI_CANCELED) and `res` NULL. `arg` is ruv_getaddrinfo's `arg`.
pub type ruv_getaddrinfo_cb = Option<
    unsafe extern "C" fn(
        loop_: *mut ruv_loop_t,
        status: c_int,
        res: *const libc::addrinfo,
        arg: *mut c_void,
    ),
>;
/// Called on the loop when a ruv_getnameinfo lookup finished: `status` 0 with `host` and
/// `service` (valid only during the call), or a RUV_EAI_* code with both NULL.
pub type ruv_getnameinfo_cb = Option<
    unsafe extern "C" fn(
        loop_: *mut ruv_loop_t,
        status: c_int,
        host: *const c_char,
        service: *const c_char,
        arg: *mut c_void,
    ),
>;
/// A work item: runs on a pool thread, and may call only ruv_async_send of ruv's functions.
pub type ruv_work_cb = Option<unsafe extern "C" fn(arg: *mut c_void)>;
/// Called on the loop after a work item ran (`status` 0) or was cancelled (RUV_ECANCELED).
pub type ruv_after_work_cb =
    Option<unsafe extern "C" fn(loop_: *mut ruv_loop_t, status: c_int, arg: *mut c_void)>;

/// The callback of an idle, prepare or check handle (each has its own C type).
#[derive(Clone, Copy)]
pub(crate) enum CHookCb {
    Idle(unsafe extern "C" fn(*mut ruv_idle_t)),
    Prepare(unsafe extern "C" fn(*mut ruv_prepare_t)),
    Check(unsafe extern "C" fn(*mut ruv_check_t)),
}

/// The core's embedder for C: what is stored with each handle and request.
pub(crate) enum CHost {}

impl Host for CHost {
    type Owner = *const HandleObj;
    type ConnectionCb = unsafe extern "C" fn(*mut ruv_stream_t, c_int);
    type ConnectCb = unsafe extern "C" fn(*mut ruv_stream_t, c_int);
    type WriteCb = (ruv_stream_write_cb, *mut c_void);
    type ShutdownCb = ruv_stream_cb;
    type ReadCb = unsafe extern "C" fn(*mut ruv_stream_t, libc::ssize_t, *const c_char);
    type CloseCb = ruv_close_cb;
    type TimerCb = unsafe extern "C" fn(*mut ruv_timer_t);
    type AsyncCb = ruv_async_cb;
    type HookCb = CHookCb;
    type PollCb = unsafe extern "C" fn(*mut ruv_poll_t, c_int, c_int);
    type SignalCb = unsafe extern "C" fn(*mut ruv_signal_t, c_int);
    type DrainCb = unsafe extern "C" fn(*mut ruv_stream_t);
    type UdpSendCb = (ruv_udp_send_cb, *mut c_void);
    type UdpRecvCb = unsafe extern "C" fn(
        *mut ruv_udp_t,
        libc::ssize_t,
        *const c_char,
        *const libc::sockaddr,
        c_uint,
    );
    type Req = *const ReqObj;
    type HandshakeCb = super::tls::ruv_tls_handshake_cb;

    fn is_silent_write(cb: &Self::WriteCb) -> bool {
        cb.0.is_none()
    }

    fn signal_watch(shared: &Arc<SignalShared>, signum: i32) -> Result<(), c_int> {
        signal_registry::watch(shared, signum)
    }

    fn signal_unwatch(shared: &Arc<SignalShared>, signum: i32) {
        signal_registry::unwatch(shared, signum)
    }

    fn resolve(host: &str, port: u16, shared: &ReqShared) -> Result<Vec<SocketAddr>, c_int> {
        super::resolver::resolve_stream(host, port, shared)
    }

    fn pool_thread_init() {
        super::sys::block_signals()
    }
}

//! The C callback types, and the embedder (`CHost`) that tells the core what the C layer
//! stores with each handle and request.

use std::os::raw::{c_char, c_int, c_void};
use std::sync::Arc;

use crate::core::host::Host;
use crate::core::signal_shared::SignalShared;

use super::signal_registry;
use super::types::{
    ruv_async_t, ruv_check_t, ruv_handle_t, ruv_idle_t, ruv_poll_t, ruv_prepare_t, ruv_signal_t,
    ruv_tcp_t, ruv_timer_t, HandleObj,
};

/// Called when a handle is closed; the handle's memory is freed when it returns.
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
    type ConnectionCb = unsafe extern "C" fn(*mut ruv_tcp_t, c_int);
    type ConnectCb = unsafe extern "C" fn(*mut ruv_tcp_t, c_int);
    type WriteCb = (ruv_write_cb, *mut c_void);
    type ShutdownCb = ruv_shutdown_cb;
    type ReadCb = unsafe extern "C" fn(*mut ruv_tcp_t, libc::ssize_t, *const c_char);
    type CloseCb = ruv_close_cb;
    type TimerCb = unsafe extern "C" fn(*mut ruv_timer_t);
    type AsyncCb = ruv_async_cb;
    type HookCb = CHookCb;
    type PollCb = unsafe extern "C" fn(*mut ruv_poll_t, c_int, c_int);
    type SignalCb = unsafe extern "C" fn(*mut ruv_signal_t, c_int);
    type DrainCb = unsafe extern "C" fn(*mut ruv_tcp_t);
    /// No C API for UDP yet: no UDP handle is ever made from C, so these are never set.
    type UdpSendCb = ();
    type UdpRecvCb = ();
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
}

//! What the Python embedder stores with each core handle and request.
//!
//! The core stores only `Copy` values. The owner of a handle is a borrowed pointer to its Python
//! object; the object keeps itself alive (a reference to itself, its "pin") whenever the core may
//! hand that pointer back, and points the core at null when it dies (`handle.rs`). Callbacks live
//! on the Python objects; the only callback the core carries is a write's, as a strong reference
//! turned into a pointer, taken back when its completion is dispatched (a UDP send's likewise).

use std::net::SocketAddr;
use std::sync::Arc;

use pyo3::ffi;
use ruv::core::error::Result;
use ruv::core::host::Host;
use ruv::core::request::ReqShared;
use ruv::core::signal_shared::SignalShared;

/// A write's callback as the core keeps it: an owned reference to a Python object (the user's
/// callable, or `None` when the write only needs to report its completion), or null for a write
/// nobody waits for (the core then needs no completion at all).
#[derive(Clone, Copy)]
pub struct WriteCb(pub *mut ffi::PyObject);

/// The core's embedder for Python.
pub enum PyHost {}

impl Host for PyHost {
    type Owner = *mut ffi::PyObject;
    type ConnectionCb = ();
    type ConnectCb = ();
    type WriteCb = WriteCb;
    type ShutdownCb = ();
    type ReadCb = ();
    type CloseCb = ();
    type TimerCb = ();
    type AsyncCb = ();
    type HookCb = ();
    type PollCb = ();
    type SignalCb = ();
    /// pyuv has no watermarks, so no drain callback is ever set.
    type DrainCb = ();
    /// A UDP send's callback: like a write's, an owned reference (to the callable or None).
    type UdpSendCb = WriteCb;
    /// The receive callback lives on the UDP object.
    type UdpRecvCb = ();
    /// A pool request (lookup, work item): an owned reference to its `Request` object, taken
    /// back when its callback is due (`request::on_done`).
    type Req = *mut ffi::PyObject;
    /// The handshake callback lives on the stream object.
    type HandshakeCb = ();

    fn is_silent_write(cb: &WriteCb) -> bool {
        cb.0.is_null()
    }

    /// Signals are process-wide: Python's signal handles share the C layer's one registry, so
    /// C and Python handles (and every loop) can watch the same signal.
    fn signal_watch(shared: &Arc<SignalShared>, signum: i32) -> Result<()> {
        ruv::ffi::signal_registry::watch(shared, signum)
    }

    fn signal_unwatch(shared: &Arc<SignalShared>, signum: i32) {
        ruv::ffi::signal_registry::unwatch(shared, signum)
    }

    /// The C layer's resolver (getaddrinfo on the pool thread).
    fn resolve(host: &str, port: u16, shared: &ReqShared) -> Result<Vec<SocketAddr>> {
        ruv::ffi::resolver::resolve_stream(host, port, shared)
    }

    /// Signals go to Python's threads, never to a pool thread (Ctrl-C must reach the loop).
    fn pool_thread_init() {
        ruv::ffi::sys::block_signals()
    }
}

/// The core loop as the Python `Loop` holds it.
pub type CoreLoop = ruv::core::event_loop::Loop<PyHost>;

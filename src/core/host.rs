//! What the embedder (the C layer) stores with each handle and request.
//!
//! The core keeps these values opaque and hands them back in a [`crate::core::dispatch::Dispatch`]
//! when the callback is due; only the embedder knows how to call them.

use std::sync::Arc;

use std::net::SocketAddr;

use super::error::Result;
use super::request::ReqShared;
use super::signal_shared::SignalShared;

/// The types an embedder attaches to handles and requests.
pub trait Host {
    /// Identifies a handle to the embedder (the C handle pointer).
    type Owner: Copy;
    /// The listen callback.
    type ConnectionCb: Copy;
    /// The connect callback.
    type ConnectCb: Copy;
    /// A write callback with its argument.
    type WriteCb: Copy;
    /// A shutdown callback (possibly none).
    type ShutdownCb: Copy;
    /// The read callback.
    type ReadCb: Copy;
    /// A close callback (possibly none).
    type CloseCb: Copy;
    /// A timer's callback.
    type TimerCb: Copy;
    /// An async handle's callback (possibly none).
    type AsyncCb: Copy;
    /// An idle, prepare or check handle's callback.
    type HookCb: Copy;
    /// A poll handle's callback.
    type PollCb: Copy;
    /// A signal handle's callback.
    type SignalCb: Copy;
    /// A TCP handle's drain callback (its write queue fell to the low watermark).
    type DrainCb: Copy;
    /// A UDP send's callback.
    type UdpSendCb: Copy;
    /// A UDP handle's receive callback.
    type UdpRecvCb: Copy;
    /// A pool request (lookup or work item): its callback and argument.
    type Req: Copy;
    /// A TLS stream's handshake callback (possibly none).
    type HandshakeCb: Copy;

    /// Whether a write callback does nothing (no function to call): such writes need no
    /// completion item, and consecutive ones share one queue record.
    fn is_silent_write(cb: &Self::WriteCb) -> bool;

    /// The process-wide half of signal handles: from now on, deliveries of `signum` count in
    /// `shared` (and wake its loop). Called once per handle that starts watching `signum`; the
    /// embedder installs its signal handler when the first handle of a signal starts.
    fn signal_watch(shared: &Arc<SignalShared>, signum: i32) -> Result<()>;

    /// Undoes one [`Host::signal_watch`]; when the last handle of `signum` stops, the
    /// disposition it had before is restored.
    fn signal_unwatch(shared: &Arc<SignalShared>, signum: i32);

    /// Resolves `host` to stream socket addresses with `port`, on a pool thread (for
    /// `connect_host`); a resolver error is its `EAI_*` code. `shared` tells whether the loop
    /// abandoned the request meanwhile.
    fn resolve(host: &str, port: u16, shared: &ReqShared) -> Result<Vec<SocketAddr>>;

    /// Runs first in each worker-pool thread (the embedder blocks signals there, as libuv
    /// does, so they reach the application's threads). Default: nothing.
    fn pool_thread_init() {}
}

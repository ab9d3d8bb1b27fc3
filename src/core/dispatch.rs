//! A user callback that is due, as the core hands it to the embedder.

use std::net::SocketAddr;

use super::error::Code;
use super::handle_table::HandleId;
use super::host::Host;
use super::request::PoolOutput;

/// Bytes read from a socket, lent to the read callback. The embedder returns the buffer with
/// [`crate::core::event_loop::Loop::recycle_read_buffer`] so the next read reuses it.
pub struct ReadChunk {
    pub(crate) buf: Vec<u8>,
    pub(crate) len: usize,
}

impl ReadChunk {
    /// The bytes read.
    pub fn data(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// What a read produced: data, or a negative code (`EOF` at end of stream).
pub enum ReadResult {
    /// Bytes read (never empty).
    Data(ReadChunk),
    /// End of stream (`EOF`) or an error.
    Error(Code),
}

/// The next callback to run, with everything the embedder needs to make the call.
pub enum Dispatch<H: Host> {
    /// A connection is pending on a listener (`status` 0), or accepting failed.
    Connection {
        owner: H::Owner,
        cb: H::ConnectionCb,
        status: Code,
    },
    /// A connect completed (0), failed, or was cancelled.
    Connect {
        owner: H::Owner,
        cb: H::ConnectCb,
        status: Code,
    },
    /// A write completed (0), failed, or was cancelled.
    Write {
        owner: H::Owner,
        cb: H::WriteCb,
        status: Code,
    },
    /// A shutdown completed (0), failed, or was cancelled.
    Shutdown {
        owner: H::Owner,
        cb: H::ShutdownCb,
        status: Code,
    },
    /// Data, end of stream or a read error.
    Read {
        owner: H::Owner,
        cb: H::ReadCb,
        result: ReadResult,
    },
    /// A timer is due.
    Timer { owner: H::Owner, cb: H::TimerCb },
    /// An async handle was sent to.
    Async { owner: H::Owner, cb: H::AsyncCb },
    /// An idle, prepare or check handle's phase has come.
    Hook { owner: H::Owner, cb: H::HookCb },
    /// A poll handle's descriptor is ready for `events` (status 0), or the poll failed
    /// (status < 0, events 0).
    Poll {
        owner: H::Owner,
        cb: H::PollCb,
        status: Code,
        events: u32,
    },
    /// A signal the handle watches was delivered (one dispatch per delivery).
    Signal {
        owner: H::Owner,
        cb: H::SignalCb,
        signum: i32,
    },
    /// A UDP send completed (0), failed (the kernel's error, e.g. `EMSGSIZE`), or was
    /// cancelled.
    UdpSend {
        owner: H::Owner,
        cb: H::UdpSendCb,
        status: Code,
    },
    /// A datagram arrived on a receiving UDP handle, or receiving failed.
    UdpRecv {
        owner: H::Owner,
        cb: H::UdpRecvCb,
        result: RecvResult,
    },
    /// A TLS handshake completed (0) or failed (`ECERT`, `ETLS`, a socket error, `ECANCELED`).
    Handshake {
        owner: H::Owner,
        cb: H::HandshakeCb,
        status: Code,
    },
    /// A congested TCP handle's write queue fell to its low watermark.
    Drain { owner: H::Owner, cb: H::DrainCb },
    /// A pool request (lookup or work item) finished (`status` 0 or an error) or was
    /// cancelled; `value` is what its job produced, dropped after the callback.
    Request {
        req: H::Req,
        status: Code,
        value: Option<PoolOutput>,
    },
    /// The handle is closed; this is its last callback. Afterwards the embedder calls
    /// [`crate::core::event_loop::Loop::release_closed`] with `handle` and may free the owner.
    Close {
        owner: H::Owner,
        cb: H::CloseCb,
        handle: HandleId,
    },
}

/// What a receive produced.
pub enum RecvResult {
    /// One datagram (possibly empty): its bytes, its sender, and [`crate::core::udp::UDP_PARTIAL`] if it was cut.
    Datagram {
        /// The bytes, lent from the loop's buffer (give it back with
        /// [`crate::core::event_loop::Loop::recycle_read_buffer`]).
        chunk: ReadChunk,
        /// The sender.
        addr: SocketAddr,
        /// 0 or [`crate::core::udp::UDP_PARTIAL`].
        flags: u32,
    },
    /// Receiving failed with this code (receiving goes on).
    Error(Code),
}

//! The state of one TCP handle.

use socket2::Socket;

use super::error::Code;
use super::host::Host;
use super::socket::Family;
use super::write_queue::WriteQueue;

/// Where a TCP handle is in its life (closing is a separate flag: any state can close).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    /// No connection: new, bound, opened unconnected, or after a failed connect.
    Idle,
    /// Listening for connections.
    Listening,
    /// A connect is in progress.
    Connecting,
    /// Connected (possibly half-closed in either direction).
    Connected,
}

/// One TCP handle: its socket, its state and its pending requests.
pub struct Tcp<H: Host> {
    /// The embedder's identity for this handle.
    pub owner: H::Owner,
    pub(crate) sock: Option<Socket>,
    pub(crate) family: Option<Family>,
    pub(crate) registered: bool,
    /// The socket came from the user (`open`), who may hold a duplicate of its descriptor.
    pub(crate) adopted: bool,
    pub(crate) state: State,
    pub(crate) closing: bool,
    pub(crate) has_ref: bool,
    /// Whether this handle is counted in the loop's active referenced handles.
    pub(crate) counted_active: bool,
    pub(crate) reading: bool,
    /// Connected and no end of stream or read error yet.
    pub(crate) readable: bool,
    /// A shutdown was requested: no more writes.
    pub(crate) write_shut: bool,
    /// A write failed: no more writes.
    pub(crate) write_failed: bool,
    /// Readiness seen from the poller and not yet used up (edge-triggered polling).
    pub(crate) ready_read: bool,
    pub(crate) ready_write: bool,
    /// The peer closed its side or the socket failed: reads must go on until they say so,
    /// since no further edge will come.
    pub(crate) read_closed: bool,
    /// An `Io` work item for this handle is in the loop's queue.
    pub(crate) io_queued: bool,
    pub(crate) read_cb: Option<H::ReadCb>,
    pub(crate) connection_cb: Option<H::ConnectionCb>,
    pub(crate) connect_cb: Option<H::ConnectCb>,
    /// A connect error to report from the loop (e.g. refused at once).
    pub(crate) delayed_error: Option<Code>,
    pub(crate) shutdown_cb: Option<H::ShutdownCb>,
    pub(crate) writes: WriteQueue<H::WriteCb>,
    /// A connection accepted from the kernel and waiting for `ruv_tcp_accept`.
    pub(crate) accepted: Option<Socket>,
    pub(crate) simultaneous_accepts: bool,
    /// TCP_NODELAY as last requested; applied when the socket appears.
    pub(crate) nodelay: bool,
    /// Keep-alive delay as last requested (None = off); applied when the socket appears.
    pub(crate) keepalive: Option<u32>,
}

impl<H: Host> Tcp<H> {
    /// A handle with no socket yet.
    pub fn new(owner: H::Owner) -> Self {
        Tcp {
            owner,
            sock: None,
            family: None,
            registered: false,
            adopted: false,
            state: State::Idle,
            closing: false,
            has_ref: true,
            counted_active: false,
            reading: false,
            readable: false,
            write_shut: false,
            write_failed: false,
            ready_read: false,
            ready_write: false,
            read_closed: false,
            io_queued: false,
            read_cb: None,
            connection_cb: None,
            connect_cb: None,
            delayed_error: None,
            shutdown_cb: None,
            writes: WriteQueue::default(),
            accepted: None,
            simultaneous_accepts: true,
            nodelay: false,
            keepalive: None,
        }
    }

    /// Listening, connecting or reading (libuv's meaning of active), and not closing.
    pub fn is_active(&self) -> bool {
        !self.closing
            && (matches!(self.state, State::Listening | State::Connecting) || self.reading)
    }

    /// Whether a write would be accepted.
    pub fn is_writable(&self) -> bool {
        !self.closing
            && matches!(self.state, State::Connecting | State::Connected)
            && !self.write_shut
            && !self.write_failed
    }

    /// Whether the handle can still deliver data.
    pub fn is_readable(&self) -> bool {
        !self.closing && self.state == State::Connected && self.readable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Unit;
    impl Host for Unit {
        type Owner = usize;
        type ConnectionCb = usize;
        type ConnectCb = usize;
        type WriteCb = (usize, usize);
        type ShutdownCb = usize;
        type ReadCb = usize;
        type CloseCb = usize;

        fn is_silent_write(_cb: &Self::WriteCb) -> bool {
            false
        }
    }

    #[test]
    fn handle_state_stays_small() {
        // Idle connections cost this per handle (plus the C-side object): keep it compact.
        let size = std::mem::size_of::<Tcp<Unit>>();
        assert!(size <= 128, "Tcp grew to {size} bytes");
    }
}

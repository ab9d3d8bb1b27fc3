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
    pub(crate) sock: Option<Socket>,
    pub(crate) family: Option<Family>,
    pub(crate) registered: bool,
    /// The socket came from the user (`open`), who may hold a duplicate of its descriptor.
    pub(crate) adopted: bool,
    pub(crate) state: State,
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
    /// The handle is in one of the loop's I/O queues (pending work or polled).
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
    /// Keep-alive, watermarks and write limit, allocated by the first call that sets one.
    pub(crate) settings: Option<Box<Settings<H::DrainCb>>>,
}

/// TCP keep-alive parameters: idle seconds before the first probe, seconds between probes, and
/// unanswered probes before the connection is dropped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Keepalive {
    /// TCP_KEEPIDLE, seconds.
    pub idle: u32,
    /// TCP_KEEPINTVL, seconds.
    pub intvl: u32,
    /// TCP_KEEPCNT, probes.
    pub cnt: u32,
}

/// The settings of a TCP handle that most handles never change. They live in their own
/// allocation, made by the first call that sets one, so an idle handle pays one pointer.
pub struct Settings<C> {
    /// Keep-alive as last requested (None = off); applied when the socket appears.
    pub(crate) keepalive: Option<Keepalive>,
    /// Most bytes the write queue may hold when a write arrives behind others (0 = no limit).
    pub(crate) write_limit: usize,
    /// The watermarks: congested above `high` (0 = off), drained at `low` or less.
    pub(crate) low: usize,
    pub(crate) high: usize,
    /// The drain callback (set whenever `high` > 0).
    pub(crate) drain_cb: Option<C>,
    /// The queue rose above `high` and has not fallen to `low` since.
    pub(crate) congested: bool,
}

impl<C> Default for Settings<C> {
    fn default() -> Self {
        Settings {
            keepalive: None,
            write_limit: 0,
            low: 0,
            high: 0,
            drain_cb: None,
            congested: false,
        }
    }
}

impl<H: Host> Tcp<H> {
    /// A handle with no socket yet.
    pub fn new() -> Self {
        Tcp {
            sock: None,
            family: None,
            registered: false,
            adopted: false,
            state: State::Idle,
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
            settings: None,
        }
    }

    /// Listening, connecting or reading (libuv's meaning of active).
    pub fn is_active(&self) -> bool {
        matches!(self.state, State::Listening | State::Connecting) || self.reading
    }

    /// Whether a write would be accepted (the handle's closing state aside).
    pub fn is_writable(&self) -> bool {
        matches!(self.state, State::Connecting | State::Connected)
            && !self.write_shut
            && !self.write_failed
    }

    /// Whether the handle can still deliver data (the handle's closing state aside).
    pub fn is_readable(&self) -> bool {
        self.state == State::Connected && self.readable
    }

    /// The settings, allocated on first use.
    pub(crate) fn settings_mut(&mut self) -> &mut Settings<H::DrainCb> {
        self.settings.get_or_insert_with(Box::default)
    }

    /// Records what a poll event says about the socket (edge-triggered: kept until used up).
    pub(crate) fn note_readiness(&mut self, event: &mio::event::Event) {
        if event.is_readable() || event.is_read_closed() || event.is_error() {
            self.ready_read = true;
        }
        if event.is_read_closed() || event.is_error() {
            self.read_closed = true;
        }
        if event.is_writable() || event.is_write_closed() || event.is_error() {
            self.ready_write = true;
        }
    }
}

impl<H: Host> Default for Tcp<H> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use crate::core::test_host::Unit;

    #[test]
    fn handle_state_stays_small() {
        // Idle connections cost this per handle (plus the C-side object): keep it compact.
        let size = std::mem::size_of::<crate::core::handle::Handle<Unit>>();
        assert!(size <= 136, "a handle grew to {size} bytes");
    }
}

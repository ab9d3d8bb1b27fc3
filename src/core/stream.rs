//! The state of one stream handle, whatever it runs over: a TCP handle or a pipe handle, told
//! apart only by its [`Transport`]. Every stream operation (`stream_ops`, `stream_io`,
//! `stream_flow`, `stream_close`, `stream_query`) works on this one type.

use std::num::NonZeroI32;

use socket2::Socket;

use super::host::Host;
use super::kinds::HandleType;
use super::tls::TlsSession;
use super::transport::Transport;
use super::write_queue::WriteQueue;

/// Where a stream is in its life (closing is a separate flag: any state can close).
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

/// One stream handle: its descriptor, its transport, its state and its pending requests.
pub struct Stream<H: Host> {
    /// The descriptor (a socket, or for [`Transport::Fd`] any descriptor kept as one).
    pub(crate) sock: Option<Socket>,
    /// What the stream runs over, with the transport's own settings.
    pub(crate) transport: Transport,
    pub(crate) registered: bool,
    /// Registered for writability too (see `stream_interest`).
    pub(crate) write_interest: bool,
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
    pub(crate) delayed_error: Option<NonZeroI32>,
    pub(crate) shutdown_cb: Option<H::ShutdownCb>,
    pub(crate) writes: WriteQueue<H::WriteCb>,
    /// A connection accepted from the kernel and waiting for `ruv_tcp_accept`.
    pub(crate) accepted: Option<Socket>,
    /// Watermarks and write limit, allocated by the first call that sets one.
    /// Also holds the TLS session of a TLS stream ([`super::tls`]).
    pub(crate) settings: Option<Box<StreamSettings<H>>>,
}

/// A stream's [`Settings`]: its drain callback and its TLS session.
pub type StreamSettings<H> = Settings<<H as Host>::DrainCb, TlsSession<H>>;

/// The flow-control settings of a stream, which most streams never change, and its TLS session
/// (`T`), which most streams do not have. They live in their own allocation, made by the first
/// call that sets one, so an idle stream pays one pointer.
pub struct Settings<C, T = ()> {
    /// Most bytes the write queue may hold when a write arrives behind others (0 = no limit).
    pub(crate) write_limit: usize,
    /// The watermarks: congested above `high` (0 = off), drained at `low` or less.
    pub(crate) low: usize,
    pub(crate) high: usize,
    /// The drain callback (set whenever `high` > 0).
    pub(crate) drain_cb: Option<C>,
    /// The queue rose above `high` and has not fallen to `low` since.
    pub(crate) congested: bool,
    /// The TLS session, once `tls_start` made the stream a TLS stream.
    pub(crate) tls: Option<Box<T>>,
}

impl<C, T> Default for Settings<C, T> {
    fn default() -> Self {
        Settings {
            write_limit: 0,
            low: 0,
            high: 0,
            drain_cb: None,
            congested: false,
            tls: None,
        }
    }
}

impl<H: Host> Stream<H> {
    /// A stream over `transport` with no descriptor yet.
    pub fn new(transport: Transport) -> Self {
        Stream {
            sock: None,
            transport,
            registered: false,
            write_interest: false,
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
            settings: None,
        }
    }

    /// The kind of handle this stream is (TCP or pipe), from its transport.
    pub fn handle_type(&self) -> HandleType {
        self.transport.handle_type()
    }

    /// Whether `tls_start` made this a TLS stream.
    pub fn is_tls(&self) -> bool {
        self.tls().is_some()
    }

    /// The TLS session, if this is a TLS stream.
    pub(crate) fn tls(&self) -> Option<&TlsSession<H>> {
        self.settings.as_deref()?.tls.as_deref()
    }

    /// Whether this is a pipe handle rather than a TCP handle.
    pub fn is_pipe(&self) -> bool {
        self.handle_type() == HandleType::NamedPipe
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
    pub(crate) fn settings_mut(&mut self) -> &mut StreamSettings<H> {
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

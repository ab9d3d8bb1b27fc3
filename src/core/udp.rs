//! The state of one UDP handle: its socket, whether it receives, and its queue of sends the
//! socket did not take at once.
//!
//! A send is tried at once when nothing is queued; a datagram the socket cannot take now
//! (`EAGAIN`) is copied into the queue and sent, in order, when the socket becomes writable.
//! Every send gets one completion, queued for the loop (never called from inside the send).
//! Received datagrams are read on readability until `EAGAIN`, a bounded number per wakeup.

use std::collections::VecDeque;
use std::net::{SocketAddr, UdpSocket};

use super::host::Host;
use super::socket::Family;

/// Bind flag: the IPv6 socket takes IPv6 only (no dual stack). libuv's `UV_UDP_IPV6ONLY`.
pub const UDP_IPV6ONLY: u32 = 1;
/// Receive flag: the datagram was longer than the buffer and was cut. libuv's
/// `UV_UDP_PARTIAL`.
pub const UDP_PARTIAL: u32 = 2;
/// Bind flag: SO_REUSEADDR, so several sockets may bind the same address and port. libuv's
/// `UV_UDP_REUSEADDR`.
pub const UDP_REUSEADDR: u32 = 4;
/// `set_membership`: leave the group (libuv's `UV_LEAVE_GROUP`).
pub const LEAVE_GROUP: u32 = 0;
/// `set_membership`: join the group (libuv's `UV_JOIN_GROUP`).
pub const JOIN_GROUP: u32 = 1;

/// A datagram the socket did not take at once, with its destination and callback.
pub(crate) struct QueuedSend<C> {
    pub(crate) data: Vec<u8>,
    pub(crate) addr: SocketAddr,
    pub(crate) cb: C,
}

/// One UDP handle.
pub struct Udp<H: Host> {
    pub(crate) sock: Option<UdpSocket>,
    pub(crate) family: Option<Family>,
    /// The socket has a local address (bound explicitly, implicitly by a send, or adopted
    /// bound).
    pub(crate) bound: bool,
    /// The socket came from the user (`open`), who may hold a duplicate of its descriptor.
    pub(crate) adopted: bool,
    /// The socket is in the loop's epoll set.
    pub(crate) registered: bool,
    /// Edge-triggered readiness not yet used up.
    pub(crate) ready_read: bool,
    pub(crate) ready_write: bool,
    /// The handle is in one of the loop's I/O queues.
    pub(crate) io_queued: bool,
    /// The receive callback while receiving.
    pub(crate) recv_cb: Option<H::UdpRecvCb>,
    /// Datagrams waiting for writability, in order.
    pub(crate) sends: VecDeque<QueuedSend<H::UdpSendCb>>,
    /// Bytes in `sends`.
    pub(crate) queued_bytes: usize,
    /// Sends whose completion has not been dispatched yet (queued or completed).
    pub(crate) in_flight: usize,
    /// The peer of a connected handle (see [`super::udp_connect`]).
    pub(crate) peer: Option<SocketAddr>,
}

impl<H: Host> Udp<H> {
    /// A handle with no socket yet.
    pub fn new() -> Self {
        Udp {
            sock: None,
            family: None,
            bound: false,
            adopted: false,
            registered: false,
            ready_read: false,
            ready_write: false,
            io_queued: false,
            recv_cb: None,
            sends: VecDeque::new(),
            queued_bytes: 0,
            in_flight: 0,
            peer: None,
        }
    }

    /// Receiving, or sends whose callbacks have not run yet (libuv's meaning of active).
    pub fn is_active(&self) -> bool {
        self.recv_cb.is_some() || self.in_flight > 0
    }

    /// Records what a poll event says (edge-triggered: kept until used up).
    pub(crate) fn note_readiness(&mut self, event: &mio::event::Event) {
        if event.is_readable() || event.is_error() {
            self.ready_read = true;
        }
        if event.is_writable() || event.is_error() {
            self.ready_write = true;
        }
    }
}

impl<H: Host> Default for Udp<H> {
    fn default() -> Self {
        Self::new()
    }
}

pub use super::dispatch::RecvResult;

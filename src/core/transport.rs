//! What a stream runs over: its transport. The stream machinery (read, write queue, shutdown,
//! listen/accept, close order, flow control) is one, in the `stream_*` modules; a transport
//! says how bytes reach the descriptor and holds what only it has (TCP options, a bound
//! path). Adding a transport is one variant here and the module with its own operations: the
//! poller, the dispatch and the list of kinds do not change.

use std::path::PathBuf;

use socket2::Socket;

use super::fd_io::{with_io, Io};
use super::kinds::HandleType;
use super::socket::{Family, Keepalive};

/// The TCP transport's own state: its family and the TCP-only options, remembered until the
/// socket exists and then applied to it.
#[derive(Debug)]
pub struct TcpTransport {
    /// IPv4 or IPv6; `None` before the socket exists (a handle made with AF_UNSPEC).
    pub(crate) family: Option<Family>,
    /// TCP_NODELAY as last requested.
    pub(crate) nodelay: bool,
    /// Drain the accept backlog per wakeup (true, the default) or take one per iteration.
    pub(crate) simultaneous_accepts: bool,
    /// Keep-alive as last requested (None = off); boxed, as few handles set it.
    pub(crate) keepalive: Option<Box<Keepalive>>,
}

/// How a stream reaches its descriptor.
#[derive(Debug)]
pub enum Transport {
    /// A TCP socket (IPv4 or IPv6): a TCP handle.
    Tcp(TcpTransport),
    /// A Unix-domain stream socket: a pipe handle. `bound_path` is the file-system path it
    /// bound, removed when the handle closes (libuv's rule).
    Unix {
        /// The path this handle bound, if it bound one (an abstract name leaves nothing).
        bound_path: Option<Box<PathBuf>>,
    },
    /// A descriptor that is not a socket (a pipe or FIFO end a pipe handle adopted): its bytes
    /// go through `read`/`write` ([`crate::core::fd_io`]).
    Fd,
}

impl Transport {
    /// A TCP transport with the defaults, `family` known or not yet.
    pub fn tcp(family: Option<Family>) -> Transport {
        Transport::Tcp(TcpTransport {
            family,
            nodelay: false,
            simultaneous_accepts: true,
            keepalive: None,
        })
    }

    /// The kind of handle a stream over this transport is: TCP, or a pipe.
    pub fn handle_type(&self) -> HandleType {
        match self {
            Transport::Tcp(_) => HandleType::Tcp,
            Transport::Unix { .. } | Transport::Fd => HandleType::NamedPipe,
        }
    }

    /// The socket family: IPv4/IPv6 for TCP (once known), Unix for a pipe.
    pub fn family(&self) -> Option<Family> {
        match self {
            Transport::Tcp(t) => t.family,
            Transport::Unix { .. } | Transport::Fd => Some(Family::Unix),
        }
    }

    /// Whether accepting drains the backlog per wakeup (always, but for a TCP listener with
    /// simultaneous accepts turned off).
    pub fn accepts_in_batches(&self) -> bool {
        !matches!(self, Transport::Tcp(t) if !t.simultaneous_accepts)
    }

    /// Whether the descriptor stays registered for writability (TCP: its edges come only
    /// after a write met a full buffer), rather than only while something waits to be written
    /// (Unix-domain sockets and pipes, which signal writability each time the peer reads).
    pub fn standing_write_interest(&self) -> bool {
        matches!(self, Transport::Tcp(_))
    }

    /// Runs `f` on the descriptor in `slot` the way this transport moves bytes; `None` when
    /// the slot is empty.
    #[inline(always)]
    pub fn io<R>(&self, slot: &mut Option<Socket>, f: impl FnOnce(Io<'_>) -> R) -> Option<R> {
        with_io(slot, matches!(self, Transport::Fd), f)
    }
}

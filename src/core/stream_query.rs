//! Read-only queries on a stream: descriptor, queue size, whether it can still read and write;
//! a TCP handle's addresses and family; and whether any handle of the loop holds a descriptor.

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

use super::error::{Result, EBADF, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::{self, Family};
use super::stream::Stream;

impl<H: Host> Loop<H> {
    /// A live stream, closing or not, with its closing flag; `EINVAL` for another kind.
    fn stream_any(&self, id: HandleId) -> Result<(&Stream<H>, bool)> {
        match self.handles.get(id) {
            Some(Handle {
                closing,
                kind: Kind::Stream(t),
                ..
            }) => Ok((t, *closing)),
            _ => Err(EINVAL),
        }
    }

    /// The local address.
    pub fn tcp_getsockname(&self, id: HandleId) -> Result<SocketAddr> {
        socket::std_addr(self.sock(id)?.local_addr())
    }

    /// The peer's address.
    pub fn tcp_getpeername(&self, id: HandleId) -> Result<SocketAddr> {
        socket::std_addr(self.sock(id)?.peer_addr())
    }

    /// The stream's descriptor: `EBADF` before it exists or once closing.
    pub fn stream_fileno(&self, id: HandleId) -> Result<RawFd> {
        match self.stream_any(id)? {
            (t, false) => t.sock.as_ref().map(|s| s.as_raw_fd()).ok_or(EBADF),
            (_, true) => Err(EBADF),
        }
    }

    /// AF_INET or AF_INET6 (AF_UNIX for a pipe handle); `EBADF` before the socket exists.
    pub fn tcp_family(&self, id: HandleId) -> Result<i32> {
        let t = self.stream(id)?;
        t.sock.as_ref().ok_or(EBADF)?;
        t.transport.family().map(Family::af).ok_or(EBADF)
    }

    /// Bytes accepted by writes and not yet sent.
    pub fn stream_write_queue_size(&self, id: HandleId) -> Result<usize> {
        Ok(self.stream(id)?.writes.size())
    }

    /// Whether the handle can still read (false once closing).
    pub fn stream_readable(&self, id: HandleId) -> Result<bool> {
        let (t, closing) = self.stream_any(id)?;
        Ok(!closing && t.is_readable())
    }

    /// Whether the handle accepts writes (false once closing).
    pub fn stream_writable(&self, id: HandleId) -> Result<bool> {
        let (t, closing) = self.stream_any(id)?;
        Ok(!closing && t.is_writable())
    }

    /// Whether a handle of this loop holds descriptor `fd`: a TCP, pipe or UDP handle's, or the
    /// descriptor a poll handle (not closing) watches. Each refuses the other's (`EEXIST`).
    pub(crate) fn owns_fd(&self, fd: RawFd) -> bool {
        self.handles.values().any(|h| match &h.kind {
            Kind::Stream(t) => t.sock.as_ref().is_some_and(|s| s.as_raw_fd() == fd),
            Kind::Udp(u) => u.sock.as_ref().is_some_and(|s| s.as_raw_fd() == fd),
            Kind::Poll(p) => !h.closing && p.fd == fd,
            _ => false,
        })
    }
}

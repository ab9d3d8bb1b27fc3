//! Connected UDP handles (libuv's `uv_udp_connect`): a default peer for sends, and receives
//! from that peer only.
//!
//! A connected handle sends with no address (the peer's is used); an address given anyway is
//! `EISCONN`. An unconnected handle needs one (`EDESTADDRREQ`). Both rules hold for `send` and
//! `try_send` alike.

use std::io::IoSlice;
use std::net::SocketAddr;

use socket2::{SockAddr, SockRef};

use super::error::{self, Result, EDESTADDRREQ, EINVAL, EISCONN, ENOTCONN};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::Family;

impl<H: Host> Loop<H> {
    /// Connects the handle to `addr` (bound first to the unspecified address of its family if
    /// it has no local address). `EISCONN` if already connected, `EINVAL` for an address of
    /// the other family than the socket's; the kernel's error otherwise.
    pub fn udp_connect(&mut self, id: HandleId, addr: SocketAddr) -> Result<()> {
        let u = self.udp(id)?;
        if u.peer.is_some() {
            return Err(EISCONN);
        }
        let family = Family::of(&addr);
        if u.family.is_some_and(|f| f != family) {
            return Err(EINVAL);
        }
        self.udp_autobind(id, family)?;
        error::sys(SockRef::from(self.udp_sock(id)?).connect(&SockAddr::from(addr)))?;
        self.udp_mut(id)?.peer = Some(addr);
        Ok(())
    }

    /// Dissolves the connection: `unspec` must be an `AF_UNSPEC` address (which only the
    /// embedder can make, as it takes `unsafe`). `ENOTCONN` if not connected. The kernel may
    /// drop a local port it chose itself; the next send or receive binds one again.
    pub fn udp_disconnect(&mut self, id: HandleId, unspec: &SockAddr) -> Result<()> {
        if self.udp(id)?.peer.is_none() {
            return Err(ENOTCONN);
        }
        let sock = self.udp_sock(id)?;
        error::sys(SockRef::from(sock).connect(unspec))?;
        let still_bound = sock.local_addr().is_ok_and(|a| a.port() != 0);
        let u = self.udp_mut(id)?;
        u.peer = None;
        u.bound = still_bound;
        Ok(())
    }

    /// The peer of a connected handle; `ENOTCONN` when not connected.
    pub fn udp_getpeername(&self, id: HandleId) -> Result<SocketAddr> {
        self.udp(id)?.peer.ok_or(ENOTCONN)
    }

    /// Where a send goes: `addr` on an unconnected handle, the peer on a connected one
    /// (`EISCONN` if `addr` is given too; `EDESTADDRREQ` if neither is known).
    fn udp_dest(&self, id: HandleId, addr: Option<SocketAddr>) -> Result<SocketAddr> {
        match (addr, self.udp(id)?.peer) {
            (Some(_), Some(_)) => Err(EISCONN),
            (None, None) => Err(EDESTADDRREQ),
            (Some(a), None) | (None, Some(a)) => Ok(a),
        }
    }

    /// [`Loop::udp_send`] with the destination rules of a possibly connected handle.
    pub fn udp_send_to(
        &mut self,
        id: HandleId,
        addr: Option<SocketAddr>,
        bufs: &[IoSlice<'_>],
        cb: H::UdpSendCb,
    ) -> Result<()> {
        let dest = self.udp_dest(id, addr)?;
        self.udp_send(id, dest, bufs, cb)
    }

    /// [`Loop::udp_try_send`] with the destination rules of a possibly connected handle.
    pub fn udp_try_send_to(
        &mut self,
        id: HandleId,
        addr: Option<SocketAddr>,
        bufs: &[IoSlice<'_>],
    ) -> Result<usize> {
        let dest = self.udp_dest(id, addr)?;
        self.udp_try_send(id, dest, bufs)
    }
}

#[cfg(test)]
mod tests {
    use std::io::IoSlice;
    use std::net::{SocketAddr, UdpSocket};

    use crate::core::error::{EDESTADDRREQ, EINVAL, EISCONN, ENOTCONN};
    use crate::core::event_loop::Loop;
    use crate::core::test_host::Unit;

    #[test]
    fn destinations_follow_the_connection() {
        let mut l = Loop::<Unit>::new().unwrap();
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = peer.local_addr().unwrap();
        let u = l.udp_new(1, libc::AF_UNSPEC).unwrap();
        let bufs = [IoSlice::new(b"hi")];
        assert_eq!(l.udp_try_send_to(u, None, &bufs), Err(EDESTADDRREQ));
        assert_eq!(l.udp_send_to(u, None, &bufs, 7), Err(EDESTADDRREQ));
        assert_eq!(l.udp_getpeername(u), Err(ENOTCONN));
        let v6: SocketAddr = "[::1]:9".parse().unwrap();
        l.udp_connect(u, to).unwrap();
        assert_eq!(l.udp_connect(u, v6), Err(EISCONN));
        assert_eq!(l.udp_getpeername(u), Ok(to));
        assert_eq!(l.udp_try_send_to(u, Some(to), &bufs), Err(EISCONN));
        assert_eq!(l.udp_try_send_to(u, None, &bufs), Ok(2));
        let mut buf = [0u8; 8];
        let (n, from) = peer.recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"hi"[..], l.udp_getsockname(u).unwrap())
        );
        let w = l.udp_new(2, libc::AF_INET).unwrap();
        assert_eq!(l.udp_connect(w, v6), Err(EINVAL), "the other family");
    }
}

//! The UDP operations a user calls: create, bind, open, send, try_send, start/stop receiving.
//! Send completions are queued, never run from inside these calls. Socket options and queries
//! are in [`super::udp_options`].

use std::io::{self, IoSlice};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

use mio::unix::SourceFd;
use mio::Interest;
use socket2::{SockAddr, SockRef, Socket, Type};

use super::error::{
    self, Code, Result, EAFNOSUPPORT, EAGAIN, EALREADY, EBADF, EBUSY, EEXIST, EINVAL,
};
use super::event_loop::{Completion, Loop, Work};
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::{self, Family};
use super::udp::{QueuedSend, Udp, UDP_IPV6ONLY, UDP_REUSEADDR};

/// Sends one datagram made of `bufs` to `addr`, retrying on EINTR.
pub(crate) fn send_datagram(
    sock: &UdpSocket,
    bufs: &[IoSlice<'_>],
    addr: &SocketAddr,
) -> io::Result<usize> {
    let to = SockAddr::from(*addr);
    loop {
        match SockRef::from(sock).send_to_vectored(bufs, &to) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// The unspecified address of `family`, port 0 (what an implicit bind binds to); a UDP
/// handle is never of the Unix family (`EAFNOSUPPORT`).
fn any_addr(family: Family) -> Result<SocketAddr> {
    match family {
        Family::V4 => Ok(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))),
        Family::V6 => Ok(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0))),
        Family::Unix => Err(EAFNOSUPPORT),
    }
}

impl<H: Host> Loop<H> {
    /// A live, not closing UDP handle, or `EINVAL`.
    pub(crate) fn udp(&self, id: HandleId) -> Result<&Udp<H>> {
        match self.handles.get(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Udp(u),
                ..
            }) => Ok(u),
            _ => Err(EINVAL),
        }
    }

    /// A live, not closing UDP handle, mutably, or `EINVAL`.
    pub(crate) fn udp_mut(&mut self, id: HandleId) -> Result<&mut Udp<H>> {
        match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Udp(u),
                ..
            }) => Ok(u),
            _ => Err(EINVAL),
        }
    }

    /// The socket of a live UDP handle: `EINVAL` when closing, `EBADF` before it exists.
    pub(crate) fn udp_sock(&self, id: HandleId) -> Result<&UdpSocket> {
        self.udp(id)?.sock.as_ref().ok_or(EBADF)
    }

    /// Creates a UDP handle; `af` is AF_UNSPEC (socket created on bind, send or receive),
    /// AF_INET or AF_INET6 (socket created now); any other value is `EINVAL`.
    pub fn udp_new(&mut self, owner: H::Owner, af: i32) -> Result<HandleId> {
        let family = match af {
            libc::AF_UNSPEC => None,
            _ => Some(Family::from_af(af).ok_or(EINVAL)?),
        };
        let sock = family.map(socket::new_udp).transpose()?;
        let id = self
            .handles
            .insert(Handle::new(owner, Kind::Udp(Udp::new())));
        if let (Some(sock), Some(family)) = (sock, family) {
            if let Err((code, _sock)) = self.udp_install(id, sock, family, false) {
                self.handles.remove(id);
                return Err(code);
            }
        }
        Ok(id)
    }

    /// Gives the handle its socket and registers it with the poller for both directions. On
    /// failure the socket is handed back, not stored.
    fn udp_install(
        &mut self,
        id: HandleId,
        sock: UdpSocket,
        family: Family,
        bound: bool,
    ) -> std::result::Result<(), (Code, UdpSocket)> {
        let fd = sock.as_raw_fd();
        let registered = self.poll.registry().register(
            &mut SourceFd(&fd),
            id.token(),
            Interest::READABLE | Interest::WRITABLE,
        );
        if let Err(e) = registered {
            return Err((error::from_io(&e), sock));
        }
        let u = match self.udp_mut(id) {
            Ok(u) => u,
            Err(code) => return Err((code, sock)),
        };
        u.sock = Some(sock);
        u.family = Some(family);
        u.bound = bound;
        u.registered = true;
        u.ready_read = false;
        u.ready_write = false;
        Ok(())
    }

    /// Ensures the handle has a socket of `family`: creates one, or checks the existing one
    /// (`EINVAL` for the other family).
    fn udp_ensure_socket(&mut self, id: HandleId, family: Family) -> Result<()> {
        match self.udp(id)?.family {
            Some(f) if f != family => Err(EINVAL),
            Some(_) => Ok(()),
            None => {
                let sock = socket::new_udp(family)?;
                self.udp_install(id, sock, family, false)
                    .map_err(|(code, _sock)| code)
            }
        }
    }

    /// Binds to `addr`; `flags` may hold [`UDP_IPV6ONLY`] (IPv6 addresses only) and
    /// [`UDP_REUSEADDR`]. Unknown flags, an address of the other family than the socket's, or
    /// a handle that is already bound: `EINVAL`. The kernel's refusal (`EADDRINUSE`, …) is
    /// returned as is.
    pub fn udp_bind(&mut self, id: HandleId, addr: SocketAddr, flags: u32) -> Result<()> {
        let family = Family::of(&addr);
        if flags & !(UDP_IPV6ONLY | UDP_REUSEADDR) != 0
            || (flags & UDP_IPV6ONLY != 0 && family != Family::V6)
        {
            return Err(EINVAL);
        }
        if self.udp(id)?.bound {
            return Err(EINVAL);
        }
        self.udp_ensure_socket(id, family)?;
        let sock = SockRef::from(self.udp_sock(id)?);
        if flags & UDP_REUSEADDR != 0 {
            error::sys(sock.set_reuse_address(true))?;
        }
        if family == Family::V6 {
            error::sys(sock.set_only_v6(flags & UDP_IPV6ONLY != 0))?;
        }
        error::sys(sock.bind(&SockAddr::from(addr)))?;
        self.udp_mut(id)?.bound = true;
        Ok(())
    }

    /// Binds a handle that has no local address yet to the unspecified address of its
    /// family (or of `family` when it has no socket), port 0 — what libuv does before the
    /// first send or receive.
    pub(crate) fn udp_autobind(&mut self, id: HandleId, family: Family) -> Result<()> {
        let u = self.udp(id)?;
        if u.bound {
            return Ok(());
        }
        let family = u.family.unwrap_or(family);
        self.udp_bind(id, any_addr(family)?, 0)
    }

    /// Adopts an existing datagram socket (made non-blocking). `EBUSY` if the handle has a
    /// socket, `EEXIST` if a handle of this loop holds the descriptor, `EINVAL` for a socket
    /// that is not a datagram socket, `EAFNOSUPPORT` for one that is not IPv4/IPv6. On failure
    /// the socket is handed back (the caller still owns the descriptor).
    pub fn udp_open(
        &mut self,
        id: HandleId,
        sock: Socket,
    ) -> std::result::Result<(), (Code, Socket)> {
        let checked = self.udp(id).and_then(|u| {
            if u.sock.is_some() {
                return Err(EBUSY);
            }
            if self.owns_fd(sock.as_raw_fd()) {
                return Err(EEXIST);
            }
            if error::sys(sock.r#type())? != Type::DGRAM {
                return Err(EINVAL);
            }
            let family = socket::family_of(&sock)?;
            error::sys(sock.set_nonblocking(true))?;
            Ok(family)
        });
        let family = match checked {
            Ok(f) => f,
            Err(code) => return Err((code, sock)),
        };
        let bound = sock
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .is_some_and(|a| a.port() != 0);
        match self.udp_install(id, sock.into(), family, bound) {
            Ok(()) => {
                if let Ok(u) = self.udp_mut(id) {
                    u.adopted = true;
                }
                Ok(())
            }
            Err((code, udp)) => Err((code, Socket::from(udp))),
        }
    }

    /// Sends one datagram made of `bufs` to `addr`: now if nothing is queued and the socket
    /// takes it, else copied into the queue and sent when the socket is writable. `cb`'s
    /// completion is queued either way (with the kernel's error if the send failed, e.g.
    /// `EMSGSIZE`). A handle with no local address is bound first. `EINVAL` for no buffers or
    /// an address of the other family than the socket's.
    pub fn udp_send(
        &mut self,
        id: HandleId,
        addr: SocketAddr,
        bufs: &[IoSlice<'_>],
        cb: H::UdpSendCb,
    ) -> Result<()> {
        self.udp_check_dest(id, &addr, bufs)?;
        let Loop {
            handles,
            queue,
            requests,
            ..
        } = self;
        let u = match handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Udp(u),
                ..
            }) => u,
            _ => return Err(EINVAL),
        };
        let sock = u.sock.as_ref().ok_or(EBADF)?;
        let now = if u.sends.is_empty() {
            match send_datagram(sock, bufs, &addr) {
                Ok(_) => Some(0),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    u.ready_write = false;
                    None
                }
                Err(e) => Some(error::from_io(&e)),
            }
        } else {
            None
        };
        match now {
            Some(status) => queue.push_back(Work::Complete(id, Completion::UdpSend(cb, status))),
            None => {
                let data = bufs
                    .iter()
                    .flat_map(|b| b.iter().copied())
                    .collect::<Vec<u8>>();
                u.queued_bytes += data.len();
                u.sends.push_back(QueuedSend { data, addr, cb });
            }
        }
        u.in_flight += 1;
        *requests += 1;
        self.refresh_active(id);
        Ok(())
    }

    /// Sends one datagram now without queueing; returns the bytes sent. `EAGAIN` while sends
    /// are queued or when the socket cannot take it now; the kernel's error otherwise.
    pub fn udp_try_send(
        &mut self,
        id: HandleId,
        addr: SocketAddr,
        bufs: &[IoSlice<'_>],
    ) -> Result<usize> {
        self.udp_check_dest(id, &addr, bufs)?;
        let u = self.udp(id)?;
        if !u.sends.is_empty() {
            return Err(EAGAIN);
        }
        error::sys(send_datagram(u.sock.as_ref().ok_or(EBADF)?, bufs, &addr))
    }

    /// The checks every send makes, then the implicit bind.
    fn udp_check_dest(
        &mut self,
        id: HandleId,
        addr: &SocketAddr,
        bufs: &[IoSlice<'_>],
    ) -> Result<()> {
        let u = self.udp(id)?;
        let family = Family::of(addr);
        if bufs.is_empty() || u.family.is_some_and(|f| f != family) {
            return Err(EINVAL);
        }
        self.udp_autobind(id, family)
    }

    /// Starts delivering datagrams to `cb` (a handle with no local address is bound to
    /// 0.0.0.0 port 0 first). `EALREADY` if receiving.
    pub fn udp_recv_start(&mut self, id: HandleId, cb: H::UdpRecvCb) -> Result<()> {
        if self.udp(id)?.recv_cb.is_some() {
            return Err(EALREADY);
        }
        self.udp_autobind(id, Family::V4)?;
        let u = self.udp_mut(id)?;
        u.recv_cb = Some(cb);
        let ready = u.ready_read;
        self.refresh_active(id);
        if ready {
            self.schedule_io(id);
        }
        Ok(())
    }

    /// Stops delivering datagrams; idempotent. Datagrams that arrive meanwhile wait in the
    /// socket.
    pub fn udp_recv_stop(&mut self, id: HandleId) -> Result<()> {
        self.udp_mut(id)?.recv_cb = None;
        self.refresh_active(id);
        Ok(())
    }
}

//! The TCP transport's own operations: create, bind, connect and open (adopt a socket).
//! Everything a TCP handle shares with other streams is in [`super::stream_ops`].

use std::net::SocketAddr;
use std::num::NonZeroI32;
use std::os::fd::AsRawFd;

use socket2::{SockAddr, Socket};

use super::error::{self, Code, Result, EAFNOSUPPORT, EALREADY, EBUSY, EEXIST, EINVAL, EISCONN};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::{self, Family};
use super::stream::{State, Stream};
use super::tcp_options::apply_options;
use super::transport::Transport;

/// Bind flag: the IPv6 socket accepts IPv6 only (no dual stack).
pub const TCP_IPV6ONLY: u32 = 1;
/// Bind flag: SO_REUSEPORT, so that sockets of several loops (threads) share the port.
pub const TCP_REUSEPORT: u32 = 2;

impl<H: Host> Loop<H> {
    /// Creates a TCP handle; `af` is AF_UNSPEC (socket created later), AF_INET or AF_INET6.
    pub fn tcp_new(&mut self, owner: H::Owner, af: i32) -> Result<HandleId> {
        let mut stream = Stream::new(Transport::tcp(None));
        if af != libc::AF_UNSPEC {
            let family = Family::from_af(af).ok_or(EINVAL)?;
            stream.sock = Some(socket::new_tcp(family)?);
            stream.transport = Transport::tcp(Some(family));
        }
        Ok(self
            .handles
            .insert(Handle::new(owner, Kind::Stream(stream))))
    }

    /// Ensures the handle has a socket of `family`: creates one, or checks the existing one (a
    /// pipe handle has its family before its socket).
    pub(crate) fn ensure_socket(&mut self, id: HandleId, family: Family) -> Result<()> {
        let t = self.stream_mut(id)?;
        if t.transport.family().is_some_and(|f| f != family) {
            return Err(EINVAL);
        }
        if t.sock.is_none() {
            let sock = socket::new_tcp(family)?;
            apply_options(&sock, &t.transport)?;
            t.sock = Some(sock);
            if let Transport::Tcp(tcp) = &mut t.transport {
                tcp.family = Some(family);
            }
        }
        Ok(())
    }

    /// Binds to `addr` with SO_REUSEADDR; `flags` may hold [`TCP_IPV6ONLY`] and
    /// [`TCP_REUSEPORT`].
    pub fn tcp_bind(&mut self, id: HandleId, addr: SocketAddr, flags: u32) -> Result<()> {
        let family = Family::of(&addr);
        let known = TCP_IPV6ONLY | TCP_REUSEPORT;
        if flags & !known != 0 || (flags & TCP_IPV6ONLY != 0 && family != Family::V6) {
            return Err(EINVAL);
        }
        if self.stream(id)?.state != State::Idle {
            return Err(EINVAL);
        }
        self.ensure_socket(id, family)?;
        let sock = self.sock(id)?;
        error::sys(sock.set_reuse_address(true))?;
        if flags & TCP_REUSEPORT != 0 {
            socket::set_reuse_port(sock)?;
        }
        if family == Family::V6 {
            error::sys(sock.set_only_v6(flags & TCP_IPV6ONLY != 0))?;
        }
        error::sys(sock.bind(&SockAddr::from(addr)))
    }

    /// Starts connecting to `addr`; the callback reports the outcome (refusal included).
    pub fn tcp_connect(&mut self, id: HandleId, addr: SocketAddr, cb: H::ConnectCb) -> Result<()> {
        match self.stream(id)?.state {
            State::Idle => {}
            State::Connecting => return Err(EALREADY),
            State::Connected => return Err(EISCONN),
            State::Listening => return Err(EINVAL),
        }
        self.ensure_socket(id, Family::of(&addr))?;
        let in_progress = socket::start_connect(self.sock(id)?, &addr)?;
        self.begin_connect(id, (!in_progress).then_some(error::ECONNREFUSED), cb)?;
        self.arm_connect_deadline(id);
        Ok(())
    }

    /// Makes the handle connecting once its connect was started: `failed` is an error the
    /// connect already met (reported from the loop through `cb`), else the socket is polled
    /// for the outcome.
    pub(crate) fn begin_connect(
        &mut self,
        id: HandleId,
        failed: Option<Code>,
        cb: H::ConnectCb,
    ) -> Result<()> {
        // Connecting before registering: a transport without standing writing interest
        // registers for writability only while a connect (or queued bytes) needs it.
        self.stream_mut(id)?.state = State::Connecting;
        if failed.is_none() {
            if let Err(code) = self.register(id) {
                self.stream_mut(id)?.state = State::Idle;
                return Err(code);
            }
        }
        let t = self.stream_mut(id)?;
        t.connect_cb = Some(cb);
        t.delayed_error = failed.and_then(NonZeroI32::new);
        self.requests += 1;
        self.refresh_active(id);
        if failed.is_some() {
            self.schedule_io(id);
        }
        Ok(())
    }

    /// Adopts an existing socket: an IPv4/IPv6 one into a TCP handle, a Unix-domain one into a
    /// pipe handle (else `EAFNOSUPPORT`). On failure the socket is handed back (the caller still
    /// owns the descriptor).
    pub fn tcp_open(
        &mut self,
        id: HandleId,
        sock: Socket,
    ) -> std::result::Result<(), (Code, Socket)> {
        let checked = self.stream(id).and_then(|t| {
            if t.sock.is_some() {
                return Err(EBUSY);
            }
            if self.owns_fd(sock.as_raw_fd()) {
                return Err(EEXIST);
            }
            let family = socket::adopt(&sock)?;
            if (family == Family::Unix) != t.is_pipe() {
                return Err(EAFNOSUPPORT);
            }
            apply_options(&sock, &t.transport)?;
            Ok(family)
        });
        let family = match checked {
            Ok(f) => f,
            Err(code) => return Err((code, sock)),
        };
        let connected = sock.peer_addr().is_ok();
        let t = match self.stream_mut(id) {
            Ok(t) => t,
            Err(code) => return Err((code, sock)),
        };
        t.sock = Some(sock);
        if let Transport::Tcp(tcp) = &mut t.transport {
            tcp.family = Some(family);
        }
        t.adopted = true;
        if connected {
            t.state = State::Connected;
            t.readable = true;
            if let Err(code) = self.register(id) {
                let t = self.stream_mut(id).expect("handle checked above");
                t.state = State::Idle;
                t.readable = false;
                if let Transport::Tcp(tcp) = &mut t.transport {
                    tcp.family = None;
                }
                return Err((code, t.sock.take().expect("socket stored above")));
            }
        }
        Ok(())
    }
}

//! The TCP operations a user calls: create, bind, listen, accept, connect, open, read, write,
//! shutdown, options and close. Callbacks are queued, never run from inside these calls.

use std::io::IoSlice;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use mio::unix::SourceFd;
use mio::Interest;
use socket2::{SockAddr, Socket};

use super::error::{
    self, Code, Result, EAFNOSUPPORT, EAGAIN, EALREADY, EBADF, EBUSY, EEXIST, EINVAL, EISCONN,
    ENOBUFS, ENOTCONN, EPIPE,
};
use super::event_loop::{Completion, Loop, Work};
use super::fd_io::with_io;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::{self, Family, SendOutcome};
use super::tcp::{State, Tcp};
use super::tcp_io::open_reserve;
use super::tcp_options::apply_options;

/// Bind flag: the IPv6 socket accepts IPv6 only (no dual stack).
pub const TCP_IPV6ONLY: u32 = 1;
/// Bind flag: SO_REUSEPORT, so that sockets of several loops (threads) share the port.
pub const TCP_REUSEPORT: u32 = 2;
/// The listen backlog used when the caller passes 0 or less.
pub const DEFAULT_BACKLOG: i32 = 511;

impl<H: Host> Loop<H> {
    /// A live, not closing TCP handle, or `EINVAL`.
    pub(crate) fn tcp(&self, id: HandleId) -> Result<&Tcp<H>> {
        match self.handles.get(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Tcp(t),
                ..
            }) => Ok(t),
            _ => Err(EINVAL),
        }
    }

    /// A live, not closing TCP handle, mutably, or `EINVAL`.
    pub(crate) fn tcp_mut(&mut self, id: HandleId) -> Result<&mut Tcp<H>> {
        match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Tcp(t),
                ..
            }) => Ok(t),
            _ => Err(EINVAL),
        }
    }

    /// The socket of a live handle: `EINVAL` when closing, `EBADF` before it exists.
    pub(crate) fn sock(&self, id: HandleId) -> Result<&Socket> {
        self.tcp(id)?.sock.as_ref().ok_or(EBADF)
    }

    /// Creates a TCP handle; `af` is AF_UNSPEC (socket created later), AF_INET or AF_INET6.
    pub fn tcp_new(&mut self, owner: H::Owner, af: i32) -> Result<HandleId> {
        let mut tcp = Tcp::new();
        if af != libc::AF_UNSPEC {
            let family = Family::from_af(af).ok_or(EINVAL)?;
            tcp.sock = Some(socket::new_tcp(family)?);
            tcp.family = Some(family);
        }
        Ok(self.handles.insert(Handle::new(owner, Kind::Tcp(tcp))))
    }

    /// Ensures the handle has a socket of `family`: creates one, or checks the existing one (a
    /// pipe handle has its family before its socket).
    pub(crate) fn ensure_socket(&mut self, id: HandleId, family: Family) -> Result<()> {
        let t = self.tcp_mut(id)?;
        if t.family.is_some_and(|f| f != family) {
            return Err(EINVAL);
        }
        if t.sock.is_none() {
            let sock = socket::new_tcp(family)?;
            apply_options(&sock, t)?;
            t.sock = Some(sock);
            t.family = Some(family);
        }
        Ok(())
    }

    /// Registers the handle's socket with the poller (once), for both directions.
    pub(crate) fn register(&mut self, id: HandleId) -> Result<()> {
        let t = self.tcp_mut(id)?;
        if t.registered {
            return Ok(());
        }
        let fd = t.sock.as_ref().ok_or(EBADF)?.as_raw_fd();
        t.ready_read = false;
        t.ready_write = false;
        error::sys(self.poll.registry().register(
            &mut SourceFd(&fd),
            id.token(),
            Interest::READABLE | Interest::WRITABLE,
        ))?;
        self.tcp_mut(id)?.registered = true;
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
        if self.tcp(id)?.state != State::Idle {
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

    /// Starts listening; a TCP handle with no socket is bound to 0.0.0.0 port 0 first (a pipe
    /// handle with no socket: `EINVAL`, it has no name to listen on).
    pub fn tcp_listen(&mut self, id: HandleId, backlog: i32, cb: H::ConnectionCb) -> Result<()> {
        let t = self.tcp(id)?;
        if !matches!(t.state, State::Idle | State::Listening) || (t.sock.is_none() && t.is_pipe()) {
            return Err(EINVAL);
        }
        if t.sock.is_none() {
            let any = SocketAddr::from(([0, 0, 0, 0], 0));
            self.tcp_bind(id, any, 0)?;
        }
        let backlog = if backlog <= 0 {
            DEFAULT_BACKLOG
        } else {
            backlog
        };
        error::sys(self.sock(id)?.listen(backlog))?;
        if self.reserve_fd.is_none() {
            self.reserve_fd = open_reserve();
        }
        self.register(id)?;
        let t = self.tcp_mut(id)?;
        t.state = State::Listening;
        t.connection_cb = Some(cb);
        let ready = t.ready_read;
        self.refresh_active(id);
        if ready {
            self.schedule_io(id);
        }
        Ok(())
    }

    /// Moves the pending connection of `server` into `client` (a handle with no socket, of the
    /// server's kind: TCP for TCP, pipe for pipe, else `EINVAL`).
    pub fn tcp_accept(&mut self, server: HandleId, client: HandleId) -> Result<()> {
        let s = self.tcp(server)?;
        if s.state != State::Listening {
            return Err(EINVAL);
        }
        let c = self.tcp(client)?;
        if c.is_pipe() != s.is_pipe() {
            return Err(EINVAL);
        }
        if self.tcp(server)?.accepted.is_none() {
            return Err(EAGAIN);
        }
        if c.sock.is_some() || c.state != State::Idle {
            return Err(EBUSY);
        }
        let sock = self.tcp_mut(server)?.accepted.take().ok_or(EAGAIN)?;
        let family = match self.tcp(server)?.family {
            Some(f) => f,
            None => socket::adopt(&sock)?,
        };
        let c = self.tcp_mut(client)?;
        apply_options(&sock, c)?;
        c.sock = Some(sock);
        c.family = Some(family);
        c.state = State::Connected;
        c.readable = true;
        self.register(client)?;
        if self.tcp(server)?.ready_read {
            self.schedule_io(server);
        }
        Ok(())
    }

    /// Starts connecting to `addr`; the callback reports the outcome (refusal included).
    pub fn tcp_connect(&mut self, id: HandleId, addr: SocketAddr, cb: H::ConnectCb) -> Result<()> {
        match self.tcp(id)?.state {
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
        if failed.is_none() {
            self.register(id)?;
        }
        let t = self.tcp_mut(id)?;
        t.state = State::Connecting;
        t.connect_cb = Some(cb);
        t.delayed_error = failed;
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
        let checked = self.tcp(id).and_then(|t| {
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
            apply_options(&sock, t)?;
            Ok(family)
        });
        let family = match checked {
            Ok(f) => f,
            Err(code) => return Err((code, sock)),
        };
        let connected = sock.peer_addr().is_ok();
        let t = match self.tcp_mut(id) {
            Ok(t) => t,
            Err(code) => return Err((code, sock)),
        };
        t.sock = Some(sock);
        t.family = Some(family);
        t.adopted = true;
        if connected {
            t.state = State::Connected;
            t.readable = true;
            if let Err(code) = self.register(id) {
                let t = self.tcp_mut(id).expect("handle checked above");
                t.state = State::Idle;
                t.readable = false;
                t.family = (family == Family::Unix).then_some(family);
                return Err((code, t.sock.take().expect("socket stored above")));
            }
        }
        Ok(())
    }

    /// Requests a shutdown of the write side after the queued writes.
    pub fn tcp_shutdown(&mut self, id: HandleId, cb: H::ShutdownCb) -> Result<()> {
        let t = self.tcp_mut(id)?;
        if !t.is_writable() {
            return Err(ENOTCONN);
        }
        t.write_shut = true;
        t.shutdown_cb = Some(cb);
        self.requests += 1;
        self.maybe_finish_shutdown(id);
        Ok(())
    }

    /// Writes `bufs`: sends what the socket takes now and copies the rest into the queue.
    pub fn tcp_write(&mut self, id: HandleId, bufs: &[IoSlice<'_>], cb: H::WriteCb) -> Result<()> {
        let Loop {
            handles,
            queue,
            requests,
            ..
        } = self;
        let t = match handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Tcp(t),
                ..
            }) => t,
            _ => return Err(EINVAL),
        };
        if t.sock.is_none() {
            return Err(EBADF);
        }
        if !t.is_writable() {
            return Err(EPIPE);
        }
        if let Some(s) = t.settings.as_deref() {
            if !s.admits(t.writes.size(), bufs) {
                return Err(ENOBUFS);
            }
        }
        // A write without a callback needs no completion item and, queued behind another
        // such write, no record of its own; the loop stays alive while its bytes are queued.
        let silent = H::is_silent_write(&cb);
        let sent = if t.state == State::Connected && t.writes.is_empty() {
            let outcome = with_io(&mut t.sock, t.raw_fd, |io| socket::send_now(io, bufs));
            match outcome.unwrap_or(SendOutcome::Failed(EBADF)) {
                SendOutcome::All => {
                    if !silent {
                        *requests += 1;
                        queue.push_back(Work::Complete(id, Completion::Write(cb, 0)));
                    }
                    return Ok(());
                }
                SendOutcome::Blocked(sent) => {
                    t.ready_write = false;
                    sent
                }
                SendOutcome::Failed(code) => {
                    t.write_failed = true;
                    if !silent {
                        *requests += 1;
                        queue.push_back(Work::Complete(id, Completion::Write(cb, code)));
                    }
                    return Ok(());
                }
            }
        } else {
            0
        };
        if t.writes.push(bufs, sent, cb, silent) {
            *requests += 1;
        }
        if let Some(s) = t.settings.as_deref_mut() {
            s.judge(t.writes.size());
        }
        Ok(())
    }

    /// Writes what the socket takes now without queueing; `EAGAIN` when nothing can be sent
    /// or writes are queued or a connect is pending.
    pub fn tcp_try_write(&mut self, id: HandleId, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let t = self.tcp_mut(id)?;
        if t.sock.is_none() {
            return Err(EBADF);
        }
        if !t.is_writable() {
            return Err(EPIPE);
        }
        if t.state != State::Connected || !t.writes.is_empty() {
            return Err(EAGAIN);
        }
        error::sys(with_io(&mut t.sock, t.raw_fd, |io| socket::send(io, bufs)).ok_or(EBADF)?)
    }

    /// Starts delivering data to the read callback.
    pub fn tcp_start_read(&mut self, id: HandleId, cb: H::ReadCb) -> Result<()> {
        let t = self.tcp_mut(id)?;
        if t.reading {
            return Err(EALREADY);
        }
        if !t.is_readable() {
            return Err(ENOTCONN);
        }
        t.reading = true;
        t.read_cb = Some(cb);
        let ready = t.ready_read;
        self.refresh_active(id);
        if ready {
            self.schedule_io(id);
        }
        Ok(())
    }

    /// Stops delivering data; idempotent.
    pub fn tcp_stop_read(&mut self, id: HandleId) -> Result<()> {
        self.tcp_mut(id)?.reading = false;
        self.refresh_active(id);
        Ok(())
    }
}

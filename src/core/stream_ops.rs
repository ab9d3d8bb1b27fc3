//! The stream operations a user calls on any stream, whatever its transport: listen, accept,
//! read, write, try_write and shutdown. Callbacks are queued, never run from inside these calls.

use std::io::IoSlice;
use std::net::SocketAddr;

use socket2::Socket;

use super::error::{
    self, Result, EAGAIN, EALREADY, EBADF, EBUSY, EINVAL, ENOBUFS, ENOTCONN, EPIPE,
};
use super::event_loop::{Completion, Loop, Work};
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::{self, SendOutcome};
use super::stream::{State, Stream};
use super::stream_io::open_reserve;
use super::tcp_options::apply_options;
use super::transport::Transport;

/// The listen backlog used when the caller passes 0 or less.
pub const DEFAULT_BACKLOG: i32 = 511;

impl<H: Host> Loop<H> {
    /// A live, not closing stream (TCP or pipe), or `EINVAL`.
    pub(crate) fn stream(&self, id: HandleId) -> Result<&Stream<H>> {
        match self.handles.get(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Stream(t),
                ..
            }) => Ok(t),
            _ => Err(EINVAL),
        }
    }

    /// A live, not closing stream, mutably, or `EINVAL`.
    pub(crate) fn stream_mut(&mut self, id: HandleId) -> Result<&mut Stream<H>> {
        match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Stream(t),
                ..
            }) => Ok(t),
            _ => Err(EINVAL),
        }
    }

    /// The socket of a live handle: `EINVAL` when closing, `EBADF` before it exists.
    pub(crate) fn sock(&self, id: HandleId) -> Result<&Socket> {
        self.stream(id)?.sock.as_ref().ok_or(EBADF)
    }

    /// Starts listening; a TCP handle with no socket is bound to 0.0.0.0 port 0 first (a pipe
    /// handle with no socket: `EINVAL`, it has no name to listen on).
    pub fn stream_listen(&mut self, id: HandleId, backlog: i32, cb: H::ConnectionCb) -> Result<()> {
        let t = self.stream(id)?;
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
        let t = self.stream_mut(id)?;
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
    pub fn stream_accept(&mut self, server: HandleId, client: HandleId) -> Result<()> {
        let s = self.stream(server)?;
        if s.state != State::Listening {
            return Err(EINVAL);
        }
        let c = self.stream(client)?;
        if c.is_pipe() != s.is_pipe() {
            return Err(EINVAL);
        }
        if self.stream(server)?.accepted.is_none() {
            return Err(EAGAIN);
        }
        if c.sock.is_some() || c.state != State::Idle {
            return Err(EBUSY);
        }
        let sock = self.stream_mut(server)?.accepted.take().ok_or(EAGAIN)?;
        let family = match self.stream(server)?.transport.family() {
            Some(f) => f,
            None => socket::adopt(&sock)?,
        };
        let c = self.stream_mut(client)?;
        apply_options(&sock, &c.transport)?;
        c.sock = Some(sock);
        if let Transport::Tcp(tcp) = &mut c.transport {
            tcp.family = Some(family);
        }
        c.state = State::Connected;
        c.readable = true;
        self.register(client)?;
        if self.stream(server)?.ready_read {
            self.schedule_io(server);
        }
        Ok(())
    }

    /// Requests a shutdown of the write side after the queued writes.
    pub fn stream_shutdown(&mut self, id: HandleId, cb: H::ShutdownCb) -> Result<()> {
        let t = self.stream_mut(id)?;
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
    pub fn stream_write(
        &mut self,
        id: HandleId,
        bufs: &[IoSlice<'_>],
        cb: H::WriteCb,
    ) -> Result<()> {
        let Loop {
            handles,
            queue,
            requests,
            ..
        } = self;
        let t = match handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Stream(t),
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
        if t.is_tls() {
            if t.writes.push(bufs, 0, cb, silent) {
                *requests += 1;
            }
            return self.tls_queued_write(id);
        }
        let sent = if t.state == State::Connected && t.writes.is_empty() {
            let outcome = t.transport.io(&mut t.sock, |io| socket::send_now(io, bufs));
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
        if !t.write_interest {
            self.want_writable(id);
        }
        Ok(())
    }

    /// Writes what the socket takes now without queueing; `EAGAIN` when nothing can be sent
    /// or writes are queued or a connect is pending.
    pub fn stream_try_write(&mut self, id: HandleId, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let t = self.stream_mut(id)?;
        if t.sock.is_none() {
            return Err(EBADF);
        }
        if !t.is_writable() {
            return Err(EPIPE);
        }
        if t.state != State::Connected || !t.writes.is_empty() {
            return Err(EAGAIN);
        }
        if t.is_tls() {
            return self.tls_try_write(id, bufs);
        }
        error::sys(
            t.transport
                .io(&mut t.sock, |io| socket::send(io, bufs))
                .ok_or(EBADF)?,
        )
    }

    /// Starts delivering data to the read callback.
    pub fn stream_read_start(&mut self, id: HandleId, cb: H::ReadCb) -> Result<()> {
        let t = self.stream_mut(id)?;
        if t.reading {
            return Err(EALREADY);
        }
        if !t.is_readable() {
            return Err(ENOTCONN);
        }
        t.reading = true;
        t.read_cb = Some(cb);
        // A TLS session may hold decrypted bytes the socket no longer signals.
        let ready = t.ready_read || t.is_tls();
        self.refresh_active(id);
        if ready {
            self.schedule_io(id);
        }
        Ok(())
    }

    /// Stops delivering data; idempotent.
    pub fn stream_read_stop(&mut self, id: HandleId) -> Result<()> {
        self.stream_mut(id)?.reading = false;
        self.refresh_active(id);
        Ok(())
    }
}

//! Pipe handles: stream handles over Unix-domain stream sockets (libuv's `uv_pipe_t` on Unix).
//!
//! A pipe handle is a [`Stream`] over a [`Transport::Unix`] socket (or, once it adopted a
//! pipe or FIFO end, [`Transport::Fd`]), so the whole stream machinery is shared: listen,
//! accept, read, write, shutdown, close and the `stream_*` queries work on it unchanged. What differs lives here: names are file-system paths
//! (or, on Linux, abstract names starting with a NUL byte) instead of IP addresses, every
//! connect error is reported through the connect callback (libuv's rule for pipes), and a path
//! the handle bound is removed when it closes. TCP-only options (TCP_NODELAY, keep-alive,
//! close with reset) refuse a pipe with `ENOTSUP`; `tcp_bind`/`tcp_connect` with an IP
//! address refuse it with `EINVAL`. `tcp_open` takes Unix-domain sockets only; [`Loop::pipe_open`]
//! takes any descriptor: one that is not a socket (an `os.pipe()` or FIFO end) has its bytes go
//! through `read`/`write` ([`crate::core::fd_io`]), can read and write as its access mode allows,
//! and its shutdown fails with `ENOTSOCK` (as libuv's does).

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use socket2::{SockAddr, Socket};

use super::error::{self, Code, Result, EALREADY, EBUSY, EEXIST, EINVAL, EISCONN, ENOTSOCK};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::{self, Family};
use super::stream::{State, Stream};
use super::transport::Transport;

/// The socket address of a pipe name: a path, or (first byte NUL) an abstract name. An empty
/// name, a path with a NUL byte inside, or a name too long for `sun_path`: `EINVAL`.
pub fn unix_addr(name: &[u8]) -> Result<SockAddr> {
    match name {
        [] => return Err(EINVAL),
        [0, ..] => {}
        _ if name.contains(&0) => return Err(EINVAL),
        _ => {}
    }
    error::sys(SockAddr::unix(OsStr::from_bytes(name)))
}

/// The name in a Unix-domain socket address: its path, its abstract name with the leading NUL
/// byte, or empty for an unnamed socket (a socketpair end, an unbound client).
pub fn unix_name(addr: io::Result<SockAddr>) -> Result<Vec<u8>> {
    let addr = error::sys(addr)?;
    if let Some(path) = addr.as_pathname() {
        return Ok(path.as_os_str().as_bytes().to_vec());
    }
    if let Some(name) = addr.as_abstract_namespace() {
        let mut bytes = Vec::with_capacity(name.len() + 1);
        bytes.push(0);
        bytes.extend_from_slice(name);
        return Ok(bytes);
    }
    if addr.is_unnamed() {
        return Ok(Vec::new());
    }
    Err(EINVAL)
}

impl<H: Host> Loop<H> {
    /// A live, not closing pipe handle, or `EINVAL` (closing, or another kind).
    fn pipe(&self, id: HandleId) -> Result<&Stream<H>> {
        self.stream(id)
            .and_then(|t| if t.is_pipe() { Ok(t) } else { Err(EINVAL) })
    }

    /// Creates a pipe handle; its socket appears on bind, connect or open.
    pub fn pipe_new(&mut self, owner: H::Owner) -> Result<HandleId> {
        let t = Stream::new(Transport::Unix { bound_path: None });
        Ok(self.handles.insert(Handle::new(owner, Kind::Stream(t))))
    }

    /// Binds to `name` (see [`unix_addr`]). A path that exists: `EADDRINUSE`. Only a handle
    /// with no socket yet can bind (else `EINVAL`, as libuv); a failed bind leaves it so. The
    /// path is removed when the handle closes.
    pub fn pipe_bind(&mut self, id: HandleId, name: &[u8]) -> Result<()> {
        let t = self.pipe(id)?;
        if t.sock.is_some() {
            return Err(EINVAL);
        }
        let addr = unix_addr(name)?;
        let sock = socket::new_tcp(Family::Unix)?;
        error::sys(sock.bind(&addr))?;
        let t = self.stream_mut(id)?;
        t.sock = Some(sock);
        if let Some(path) = addr.as_pathname() {
            t.transport = Transport::Unix {
                bound_path: Some(Box::new(path.to_owned())),
            };
        }
        Ok(())
    }

    /// Starts connecting to `name`. The outcome, a failure too (`ENOENT` for a missing path,
    /// `ECONNREFUSED` for a path nobody listens on), reaches `cb` from the loop, never from
    /// this call; an unusable name (`EINVAL`) or a handle in the wrong state is refused here.
    pub fn pipe_connect(&mut self, id: HandleId, name: &[u8], cb: H::ConnectCb) -> Result<()> {
        match self.pipe(id)?.state {
            State::Idle => {}
            State::Connecting => return Err(EALREADY),
            State::Connected => return Err(EISCONN),
            State::Listening => return Err(EINVAL),
        }
        let addr = unix_addr(name)?;
        self.ensure_socket(id, Family::Unix)?;
        let failed = socket::start_connect_unix(self.sock(id)?, &addr);
        self.begin_connect(id, failed, cb)
    }

    /// The name the handle is bound to (empty if unnamed); `EBADF` before it has a socket.
    pub fn pipe_getsockname(&self, id: HandleId) -> Result<Vec<u8>> {
        self.pipe(id)?;
        unix_name(self.sock(id)?.local_addr())
    }

    /// The name of the peer (empty if unnamed); `ENOTCONN` when not connected.
    pub fn pipe_getpeername(&self, id: HandleId) -> Result<Vec<u8>> {
        self.pipe(id)?;
        unix_name(self.sock(id)?.peer_addr())
    }

    /// Adopts the descriptor `fd`: a socket as [`Loop::tcp_open`] does (Unix-domain only), any
    /// other descriptor (a pipe or FIFO end) as a connected stream read and written with
    /// `read`/`write`, able to read if `readable` and to write if `writable` (what its access
    /// mode allows: the caller knows it from `fcntl(F_GETFL)`). It is made non-blocking. A
    /// descriptor the poller refuses (a regular file): `EPERM`. On failure `fd` is handed back
    /// (the caller still owns it).
    pub fn pipe_open(
        &mut self,
        id: HandleId,
        fd: OwnedFd,
        readable: bool,
        writable: bool,
    ) -> std::result::Result<(), (Code, OwnedFd)> {
        let sock = Socket::from(fd);
        match sock.r#type().map_err(|e| error::from_io(&e)) {
            Ok(_) => {
                return self
                    .tcp_open(id, sock)
                    .map_err(|(code, sock)| (code, sock.into()))
            }
            Err(ENOTSOCK) => {}
            Err(code) => return Err((code, sock.into())),
        }
        let checked = self.pipe(id).and_then(|t| {
            if t.sock.is_some() {
                return Err(EBUSY);
            }
            if self.owns_fd(sock.as_raw_fd()) {
                return Err(EEXIST);
            }
            error::sys(sock.set_nonblocking(true))
        });
        if let Err(code) = checked {
            return Err((code, sock.into()));
        }
        let t = self.stream_mut(id).expect("handle checked above");
        t.sock = Some(sock);
        t.transport = Transport::Fd;
        t.adopted = true;
        t.state = State::Connected;
        t.readable = readable;
        t.write_shut = !writable;
        if let Err(code) = self.register(id) {
            let t = self.stream_mut(id).expect("handle checked above");
            t.transport = Transport::Unix { bound_path: None };
            t.adopted = false;
            t.state = State::Idle;
            t.readable = false;
            t.write_shut = false;
            return Err((code, t.sock.take().expect("stored above").into()));
        }
        Ok(())
    }

    /// Whether `id` is a pipe handle (closing or not); false for other kinds and dead ids.
    pub fn is_pipe(&self, id: HandleId) -> bool {
        matches!(self.handles.get(id), Some(Handle { kind: Kind::Stream(t), .. }) if t.is_pipe())
    }
}

#[cfg(test)]
#[path = "pipe_tests.rs"]
mod tests;

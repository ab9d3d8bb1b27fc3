//! Closing a TCP handle: the TCP part of `close`, and `close_reset`, which makes the peer see
//! a reset instead of an orderly end of stream.

use std::os::fd::AsRawFd;

use mio::unix::SourceFd;

use super::error::{Result, EBADF, ECANCELED, EINVAL, ENOTSUP};
use super::event_loop::{Completion, Loop, Work};
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket;

impl<H: Host> Loop<H> {
    /// The first half of `close_reset`: sets SO_LINGER 0, so that the `close` that must follow
    /// at once makes the peer see a reset (RST) and the kernel drop unsent data. `EINVAL` after a
    /// shutdown was requested (libuv's rule) or when closing, `EBADF` before the handle has a
    /// socket, `ENOTSUP` on a pipe handle; nothing changes then. (The C layer calls `close` itself: with a single caller,
    /// `close` stays inlined into `ruv_close`, on the path every connection takes.)
    pub fn tcp_reset_on_close(&mut self, id: HandleId) -> Result<()> {
        let t = self.tcp(id)?;
        if t.is_pipe() {
            return Err(ENOTSUP);
        }
        if t.write_shut {
            return Err(EINVAL);
        }
        socket::set_linger_zero(t.sock.as_ref().ok_or(EBADF)?)
    }

    /// Closes the handle with a reset: [`Loop::tcp_reset_on_close`], then `close` (queued
    /// writes get `ECANCELED`, `cb` runs last).
    pub fn tcp_close_reset(&mut self, id: HandleId, cb: H::CloseCb) -> Result<()> {
        self.tcp_reset_on_close(id)?;
        self.close(id, cb)
    }

    /// The TCP part of `close`: stops all I/O, closes the socket now (a pipe handle also
    /// removes the path it bound), and queues the callbacks of its pending requests
    /// (cancelled).
    pub(crate) fn tcp_close(&mut self, id: HandleId) {
        self.abandon_connect_host(id);
        let Some(Handle {
            kind: Kind::Tcp(t), ..
        }) = self.handles.get_mut(id)
        else {
            return;
        };
        t.reading = false;
        t.accepted = None;
        if let Some(sock) = t.sock.take() {
            // Closing a descriptor removes it from epoll unless another descriptor refers to
            // the same socket, which only an adopted one can have (the user's dup): only then
            // is the explicit deregistration worth its system call. Stale events are harmless
            // anyway (generation-tagged tokens).
            if t.registered && t.adopted {
                let fd = sock.as_raw_fd();
                let _ = self.poll.registry().deregister(&mut SourceFd(&fd));
            }
            drop(sock);
        }
        if let Some(path) = t.settings.as_mut().and_then(|s| s.bound_path.take()) {
            let _ = std::fs::remove_file(path);
        }
        if let Some(cb) = t.connect_cb.take() {
            self.queue
                .push_back(Work::Complete(id, Completion::Connect(cb, ECANCELED)));
        }
        self.fail_requests(id, ECANCELED);
    }
}

//! Closing a stream: the stream part of `close` (a TCP handle's `close_reset` is a TCP option,
//! in [`super::tcp_options`]).

use std::os::fd::AsRawFd;

use mio::unix::SourceFd;

use super::error::ECANCELED;
use super::event_loop::{Completion, Loop, Work};
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::tls::session;
use super::transport::Transport;

impl<H: Host> Loop<H> {
    /// The stream part of `close`: stops all I/O, closes the descriptor now (a pipe handle also
    /// removes the path it bound), and queues the callbacks of its pending requests
    /// (cancelled).
    pub(crate) fn stream_close(&mut self, id: HandleId) {
        self.abandon_connect_host(id);
        let Some(Handle {
            kind: Kind::Stream(t),
            ..
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
        if let Transport::Unix {
            bound_path: Some(path),
        } = &mut t.transport
        {
            let _ = std::fs::remove_file(&**path);
            t.transport = Transport::Unix { bound_path: None };
        }
        if let Some(cb) = t.connect_cb.take() {
            self.queue
                .push_back(Work::Complete(id, Completion::Connect(cb, ECANCELED)));
        }
        if let Some(cb) = session(&mut t.settings).and_then(|s| s.handshake_cb.take()) {
            self.queue
                .push_back(Work::Complete(id, Completion::Handshake(cb, ECANCELED)));
        }
        self.fail_requests(id, ECANCELED);
    }
}

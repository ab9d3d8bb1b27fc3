//! Acting on a UDP handle's readiness — sending queued datagrams, receiving — and closing it.

use std::io::{self, IoSlice};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

use mio::unix::SourceFd;

use super::dispatch::{Dispatch, ReadChunk};
use super::error::{self, ECANCELED};
use super::event_loop::{Completion, Loop, Work};
use super::handle::{Handle, Kind};
use super::handle_table::{HandleId, HandleTable};
use super::host::Host;
use super::udp::{RecvResult, Udp, UDP_PARTIAL};
use super::udp_ops::send_datagram;

/// Datagrams received from one handle per wakeup before others get a turn (libuv's count).
const RECV_ROUNDS: u32 = 32;

/// Receives one datagram into `buf`, retrying on EINTR.
fn recv_datagram(sock: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    loop {
        match sock.recv_from(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// The UDP handle `id` if it is not closing, with its owner.
fn live_udp<H: Host>(
    handles: &mut HandleTable<Handle<H>>,
    id: HandleId,
) -> Option<(&mut Udp<H>, H::Owner)> {
    match handles.get_mut(id)? {
        Handle {
            closing: false,
            kind: Kind::Udp(u),
            owner,
            ..
        } => Some((u, *owner)),
        _ => None,
    }
}

impl<H: Host> Loop<H> {
    /// Acts on the readiness of the UDP handle `id`: sends queued datagrams if writable, then
    /// receives one datagram if receiving and readable; returns the receive callback due, if
    /// any. `round` counts the datagrams already received for it in this wakeup.
    pub(crate) fn udp_process(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        let (u, _) = live_udp(&mut self.handles, id)?;
        if u.ready_write && !u.sends.is_empty() {
            self.udp_flush(id);
        }
        self.udp_recv_next(id, round)
    }

    /// Sends queued datagrams in order until the socket would block; queues each one's
    /// completion (0, or the kernel's error for that datagram).
    fn udp_flush(&mut self, id: HandleId) {
        let Loop { handles, queue, .. } = self;
        let Some((u, _)) = live_udp(handles, id) else {
            return;
        };
        let Some(sock) = u.sock.as_ref() else {
            return;
        };
        while let Some(front) = u.sends.front() {
            let status = match send_datagram(sock, &[IoSlice::new(&front.data)], &front.addr) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    u.ready_write = false;
                    return;
                }
                Ok(_) => 0,
                Err(e) => error::from_io(&e),
            };
            let Some(sent) = u.sends.pop_front() else {
                return;
            };
            u.queued_bytes -= sent.data.len();
            queue.push_back(Work::Complete(id, Completion::UdpSend(sent.cb, status)));
        }
    }

    fn udp_recv_next(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        let (u, _) = live_udp(&mut self.handles, id)?;
        if u.recv_cb.is_none() || !u.ready_read {
            return None;
        }
        let mut buf = self.take_read_buffer();
        let Some((u, owner)) = live_udp(&mut self.handles, id) else {
            self.return_read_buffer(buf);
            return None;
        };
        let (Some(sock), Some(cb)) = (u.sock.as_ref(), u.recv_cb) else {
            self.return_read_buffer(buf);
            return None;
        };
        let result = match recv_datagram(sock, &mut buf) {
            Ok((len, addr)) => {
                // No IPv4 or (non-jumbo) IPv6 datagram fills the 64 KiB buffer: one that does
                // may have been cut.
                let flags = if len == buf.len() { UDP_PARTIAL } else { 0 };
                RecvResult::Datagram {
                    chunk: ReadChunk { buf, len },
                    addr,
                    flags,
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                u.ready_read = false;
                self.return_read_buffer(buf);
                return None;
            }
            Err(e) => {
                self.return_read_buffer(buf);
                RecvResult::Error(error::from_io(&e))
            }
        };
        // Come back for the next datagram after the callback (bounded per wakeup).
        self.continue_later(id, round, RECV_ROUNDS);
        Some(Dispatch::UdpRecv { owner, cb, result })
    }

    /// The UDP part of `close`: stops receiving, closes the socket now, and queues the
    /// completions of the datagrams still queued (`ECANCELED`, in order).
    pub(crate) fn udp_close(&mut self, id: HandleId) {
        let Some(Handle {
            kind: Kind::Udp(u), ..
        }) = self.handles.get_mut(id)
        else {
            return;
        };
        u.recv_cb = None;
        if let Some(sock) = u.sock.take() {
            // Only an adopted socket may have a duplicate keeping it in the epoll set.
            if u.registered && u.adopted {
                let fd = sock.as_raw_fd();
                let _ = self.poll.registry().deregister(&mut SourceFd(&fd));
            }
            drop(sock);
        }
        u.queued_bytes = 0;
        for sent in u.sends.drain(..) {
            self.queue
                .push_back(Work::Complete(id, Completion::UdpSend(sent.cb, ECANCELED)));
        }
    }
}

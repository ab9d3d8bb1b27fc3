//! Acting on a stream's readiness, whatever its transport: finishing connects, flushing queued
//! writes, reading, accepting.

use std::fs::File;
use std::io;
use std::num::NonZeroI32;

use super::dispatch::{Dispatch, ReadChunk, ReadResult};
use super::error::{self, Code, ECANCELED, EOF};
use super::event_loop::{Completion, Loop, Work};
use super::handle::{Handle, Kind};
use super::handle_table::{HandleId, HandleTable};
use super::host::Host;
use super::socket;
use super::stream::{State, Stream};
use super::write_queue::Flush;

/// Reads from one handle per wakeup before others get a turn.
const READ_ROUNDS: u32 = 32;
/// Accepts per wakeup when simultaneous accepts are on.
const ACCEPT_ROUNDS: u32 = 1024;

impl<H: Host> Loop<H> {
    /// Acts on the readiness of `id`; returns the first callback that produced, if any.
    /// `round` counts the reads/accepts already done for this handle in this wakeup.
    pub(crate) fn process_io(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        let (t, _) = live_stream(&mut self.handles, id)?;
        match t.state {
            State::Idle => None,
            State::Connecting => self.finish_connect(id, round),
            State::Listening => self.accept_next(id, round),
            State::Connected if t.is_tls() => self.tls_process(id, round),
            State::Connected => {
                // Read before writing (as libuv does): a reset must reach the reader as
                // ECONNRESET, and a failing send would consume the socket's error first.
                if let Some(due) = self.read_next(id, round) {
                    return Some(due);
                }
                let (t, _) = live_stream(&mut self.handles, id)?;
                if t.ready_write && !t.writes.is_empty() {
                    self.flush(id);
                }
                None
            }
        }
    }

    fn finish_connect(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        let (t, owner) = live_stream(&mut self.handles, id)?;
        let status = match t.delayed_error.take().map(NonZeroI32::get) {
            Some(code) => code,
            None if t.ready_write || t.ready_read => socket::pending_error(t.sock.as_ref()?),
            None => return None,
        };
        let cb = t.connect_cb.take()?;
        self.requests -= 1;
        if status == 0 {
            t.state = State::Connected;
            t.readable = true;
            if t.writes.is_empty() {
                self.drop_writable(id);
                self.maybe_finish_shutdown(id);
            } else {
                self.flush(id);
            }
            self.continuation = Some((id, round));
        } else {
            t.state = State::Idle;
            self.fail_requests(id, ECANCELED);
        }
        self.refresh_active(id);
        Some(Dispatch::Connect { owner, cb, status })
    }

    /// Sends queued writes; queues the callbacks of completed ones, then the drain callback if
    /// the queue fell to the low watermark, then the shutdown if due.
    pub(crate) fn flush(&mut self, id: HandleId) {
        let Some((t, _)) = any_stream(&mut self.handles, id) else {
            return;
        };
        if t.is_tls() {
            return self.tls_flush(id);
        }
        let queue = &mut self.queue;
        let requests = &mut self.requests;
        let writes = &mut t.writes;
        let flushed = t.transport.io(&mut t.sock, |io| {
            writes.flush(io, |cb, silent| {
                if silent {
                    *requests -= 1;
                } else {
                    queue.push_back(Work::Complete(id, Completion::Write(cb, 0)));
                }
            })
        });
        let Some(outcome) = flushed else {
            return;
        };
        if let Flush::Failed(code) = outcome {
            t.write_failed = true;
            if let Some(s) = t.settings.as_deref_mut() {
                s.congested = false;
            }
            self.fail_requests(id, code);
            return;
        }
        if outcome == Flush::Blocked {
            t.ready_write = false;
        }
        // The drain callback follows the write callbacks of this flush, before a shutdown's.
        if t.settings
            .as_deref_mut()
            .is_some_and(|s| s.drained(t.writes.size()))
        {
            self.queue_drain(id);
        }
        if outcome == Flush::Drained {
            self.drop_writable(id);
            self.maybe_finish_shutdown(id);
        }
    }

    /// Completes every queued write and a pending shutdown with `code`, in order.
    pub(crate) fn fail_requests(&mut self, id: HandleId, code: Code) {
        let Some((t, _)) = any_stream(&mut self.handles, id) else {
            return;
        };
        for (cb, silent) in t.writes.take_all() {
            if silent {
                self.requests -= 1;
            } else {
                self.queue
                    .push_back(Work::Complete(id, Completion::Write(cb, code)));
            }
        }
        if let Some(cb) = t.shutdown_cb.take() {
            self.queue
                .push_back(Work::Complete(id, Completion::Shutdown(cb, code)));
        }
    }

    /// Performs a requested shutdown once the write queue is empty and the socket connected.
    pub(crate) fn maybe_finish_shutdown(&mut self, id: HandleId) {
        let Some((t, _)) = any_stream(&mut self.handles, id) else {
            return;
        };
        if t.state != State::Connected || !t.writes.is_empty() {
            return;
        }
        if t.is_tls() {
            return self.tls_finish_shutdown(id);
        }
        if let Some(cb) = t.shutdown_cb.take() {
            self.shut_write(id, cb);
        }
    }

    /// Shuts the socket's write side and queues the shutdown callback with the outcome.
    pub(crate) fn shut_write(&mut self, id: HandleId, cb: H::ShutdownCb) {
        let sock = any_stream(&mut self.handles, id).and_then(|(t, _)| t.sock.as_ref());
        let status = match sock {
            Some(sock) => error::sys(sock.shutdown(std::net::Shutdown::Write))
                .err()
                .unwrap_or(0),
            None => ECANCELED,
        };
        self.queue
            .push_back(Work::Complete(id, Completion::Shutdown(cb, status)));
    }

    /// Arranges for `id` to be processed again: at once while under the per-wakeup limit,
    /// else in the next iteration.
    pub(crate) fn continue_later(&mut self, id: HandleId, round: u32, limit: u32) {
        if round + 1 < limit {
            self.continuation = Some((id, round + 1));
        } else {
            self.schedule_io(id);
        }
    }

    fn read_next(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        let (t, _) = live_stream(&mut self.handles, id)?;
        if !t.reading || !t.ready_read {
            return None;
        }
        let mut buf = self.take_read_buffer();
        let (t, owner) = live_stream(&mut self.handles, id)?;
        let cb = t.read_cb?;
        let code = match t
            .transport
            .io(&mut t.sock, |io| socket::recv(io, &mut buf))?
        {
            Ok(0) => EOF,
            Ok(len) => {
                // A short read drained the socket, unless the peer's FIN (or an error) came
                // with the data: that produces no further edge, so read again to see it.
                if len < buf.len() && !t.read_closed {
                    t.ready_read = false;
                }
                // Come back after the callback to read more, or to flush queued writes the
                // socket can take. Nothing else can need it: a write from the callback goes
                // out at once when the queue is empty (or clears ready_write when it blocks).
                if t.ready_read || (t.ready_write && !t.writes.is_empty()) {
                    self.continue_later(id, round, READ_ROUNDS);
                }
                return Some(Dispatch::Read {
                    owner,
                    cb,
                    result: ReadResult::Data(ReadChunk { buf, len }),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                t.ready_read = false;
                self.return_read_buffer(buf);
                return None;
            }
            Err(e) => error::from_io(&e),
        };
        t.reading = false;
        t.readable = false;
        self.return_read_buffer(buf);
        self.refresh_active(id);
        // Queued writes still get flushed (or fail) after the callback.
        self.continue_later(id, round, READ_ROUNDS);
        Some(Dispatch::Read {
            owner,
            cb,
            result: ReadResult::Error(code),
        })
    }

    fn accept_next(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        let (t, owner) = live_stream(&mut self.handles, id)?;
        if t.accepted.is_some() || !t.ready_read {
            return None;
        }
        let (sock, cb) = (t.sock.as_ref()?, t.connection_cb?);
        match socket::accept(sock) {
            Ok(conn) => {
                t.accepted = Some(conn);
                let limit = if t.transport.accepts_in_batches() {
                    ACCEPT_ROUNDS
                } else {
                    1
                };
                self.continue_later(id, round, limit);
                Some(Dispatch::Connection {
                    owner,
                    cb,
                    status: 0,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                t.ready_read = false;
                None
            }
            Err(e) => match e.raw_os_error() {
                Some(libc::EMFILE | libc::ENFILE) if self.reserve_fd.is_some() => {
                    self.shed_pending(id);
                    None
                }
                Some(libc::ECONNABORTED | libc::EINTR | libc::EPROTO) => {
                    self.continue_later(id, round, ACCEPT_ROUNDS);
                    None
                }
                _ => {
                    t.ready_read = false;
                    Some(Dispatch::Connection {
                        owner,
                        cb,
                        status: error::from_io(&e),
                    })
                }
            },
        }
    }

    /// Out of descriptors: frees the reserve descriptor, accepts and closes every pending
    /// connection, then takes the reserve back, so the listener does not spin.
    fn shed_pending(&mut self, id: HandleId) {
        self.reserve_fd = None;
        if let Some((t, _)) = any_stream(&mut self.handles, id) {
            if let Some(sock) = t.sock.as_ref() {
                while socket::accept(sock).is_ok() {}
            }
            t.ready_read = false;
        }
        self.reserve_fd = open_reserve();
    }
}

/// The stream `id`, closing or not, with its owner.
pub(crate) fn any_stream<H: Host>(
    handles: &mut HandleTable<Handle<H>>,
    id: HandleId,
) -> Option<(&mut Stream<H>, H::Owner)> {
    match handles.get_mut(id)? {
        Handle {
            kind: Kind::Stream(t),
            owner,
            ..
        } => Some((t, *owner)),
        _ => None,
    }
}

/// The stream `id` if it is not closing, with its owner.
pub(crate) fn live_stream<H: Host>(
    handles: &mut HandleTable<Handle<H>>,
    id: HandleId,
) -> Option<(&mut Stream<H>, H::Owner)> {
    match handles.get_mut(id)? {
        Handle {
            closing: false,
            kind: Kind::Stream(t),
            owner,
            ..
        } => Some((t, *owner)),
        _ => None,
    }
}

/// Opens the spare descriptor kept for shedding connections on EMFILE.
pub(crate) fn open_reserve() -> Option<File> {
    File::open("/dev/null").ok()
}

//! Poll handles: watch a descriptor ruv does not own, level-triggered, on mio's edge-triggered
//! epoll.
//!
//! libuv's `uv_poll_t` is level-triggered: its callback runs every iteration while the descriptor
//! is ready for a requested event. mio registers every descriptor with `EPOLLET`, which reports a
//! readiness *change* once. The emulation: after the I/O phase, each poll handle whose callback
//! ran has its registration modified (`epoll_ctl(EPOLL_CTL_MOD)`, mio's `reregister`). The kernel
//! re-evaluates the descriptor on a modify and queues an event if it is still ready, so the next
//! poll reports it again (the loop does not block: the event is there, and the backend descriptor
//! is readable for an embedding loop); a descriptor that was drained produces nothing — epoll
//! re-checks queued items when it reports them, so a later drain in a check callback counts too —
//! and the loop blocks as usual (no busy loop). An event that
//! carries none of the requested events (data arriving on a handle that only asked for
//! `DISCONNECT`) runs no callback and is not re-armed, so it cannot spin either: the next change
//! of state is a new edge. Cost: one `epoll_ctl` per callback, on top of libuv's
//! `epoll_wait`; handles that are not ready cost nothing.
//!
//! ruv never reads, writes, closes or changes the flags of the descriptor; the caller must stop
//! or close the handle before closing the descriptor.

use std::os::fd::RawFd;

use mio::event::Event;
use mio::{Interest, Token};

use super::error::{Code, Result, EBADF, EINVAL};
use super::host::Host;

/// The descriptor is readable (or at end of stream / hung up).
pub const READABLE: u32 = 1;
/// The descriptor is writable (or hung up).
pub const WRITABLE: u32 = 2;
/// The peer hung up or shut down its writing side.
pub const DISCONNECT: u32 = 4;
/// Urgent (out-of-band / `EPOLLPRI`) data is available.
pub const PRIORITIZED: u32 = 8;
pub(crate) const ALL_EVENTS: u32 = READABLE | WRITABLE | DISCONNECT | PRIORITIZED;

/// The token of the registration `poll_new` tries and removes at once (no handle packs to it).
pub(crate) const PROBE_TOKEN: Token = Token(usize::MAX - 2);

/// The state of one poll handle.
pub struct Poll<H: Host> {
    pub(crate) fd: RawFd,
    /// The requested events; 0 while stopped.
    pub(crate) events: u32,
    pub(crate) cb: Option<H::PollCb>,
    /// The descriptor is in the loop's epoll set.
    pub(crate) registered: bool,
    /// The handle is in the loop's I/O queue.
    pub(crate) io_queued: bool,
    /// The requested events the last poll saw ready.
    pub(crate) ready: u32,
    /// An error to report instead (the handle stops before its callback).
    pub(crate) status: Code,
    /// A callback ran: the edge is consumed, re-check before the next poll.
    pub(crate) rearm: bool,
}

impl<H: Host> Poll<H> {
    /// Started (events requested) and not stopped.
    pub fn is_started(&self) -> bool {
        self.events != 0
    }

    /// Records what a poll event says; true if a callback is due.
    pub(crate) fn note_event(&mut self, event: &Event) -> bool {
        if self.events == 0 {
            return false;
        }
        if event.is_error() && !event.is_priority() {
            // Like libuv: epoll says an error is pending, not which one (reading it, e.g. with
            // SO_ERROR, would consume it); the handle stops and the callback gets RUV_EBADF.
            self.status = EBADF;
            return true;
        }
        self.ready = ready_events(event) & self.events;
        self.ready != 0
    }
}

/// The events a poll event reports: a bare hang-up counts as readable and writable too (the
/// caller's read or write then sees it), as in libuv.
pub(crate) fn ready_events(event: &Event) -> u32 {
    let hup = event.is_read_closed() && event.is_write_closed();
    let mut ready = 0;
    if event.is_readable() || hup {
        ready |= READABLE;
    }
    if event.is_writable() || hup {
        ready |= WRITABLE;
    }
    if event.is_read_closed() {
        ready |= DISCONNECT;
    }
    if event.is_priority() {
        ready |= PRIORITIZED;
    }
    ready
}

/// The epoll interest for `events` (`DISCONNECT` needs `EPOLLRDHUP`, which comes with
/// mio's readable interest). `EINVAL` for 0 or unknown bits.
pub(crate) fn interest_of(events: u32) -> Result<Interest> {
    if events & !ALL_EVENTS != 0 {
        return Err(EINVAL);
    }
    let mut interest: Option<Interest> = None;
    let mut add = |i: Interest| interest = Some(interest.map_or(i, |have| have.add(i)));
    if events & (READABLE | DISCONNECT) != 0 {
        add(Interest::READABLE);
    }
    if events & WRITABLE != 0 {
        add(Interest::WRITABLE);
    }
    if events & PRIORITIZED != 0 {
        add(Interest::PRIORITY);
    }
    interest.ok_or(EINVAL)
}

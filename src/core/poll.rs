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
use mio::unix::SourceFd;
use mio::{Interest, Token};

use super::dispatch::Dispatch;
use super::error::{self, Code, Result, EBADF, EEXIST, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;

/// The descriptor is readable (or at end of stream / hung up).
pub const READABLE: u32 = 1;
/// The descriptor is writable (or hung up).
pub const WRITABLE: u32 = 2;
/// The peer hung up or shut down its writing side.
pub const DISCONNECT: u32 = 4;
/// Urgent (out-of-band / `EPOLLPRI`) data is available.
pub const PRIORITIZED: u32 = 8;
const ALL_EVENTS: u32 = READABLE | WRITABLE | DISCONNECT | PRIORITIZED;

/// The token of the registration `poll_new` tries and removes at once (no handle packs to it).
const PROBE_TOKEN: Token = Token(usize::MAX - 2);

/// The state of one poll handle.
pub struct Poll<H: Host> {
    pub(crate) fd: RawFd,
    /// The requested events; 0 while stopped.
    events: u32,
    cb: Option<H::PollCb>,
    /// The descriptor is in the loop's epoll set.
    registered: bool,
    /// The handle is in the loop's I/O queue.
    pub(crate) io_queued: bool,
    /// The requested events the last poll saw ready.
    ready: u32,
    /// An error to report instead (the handle stops before its callback).
    status: Code,
    /// A callback ran: the edge is consumed, re-check before the next poll.
    rearm: bool,
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
fn ready_events(event: &Event) -> u32 {
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
fn interest_of(events: u32) -> Result<Interest> {
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

impl<H: Host> Loop<H> {
    fn poll_mut(&mut self, id: HandleId) -> Result<&mut Poll<H>> {
        match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Poll(p),
                ..
            }) => Ok(p),
            _ => Err(EINVAL),
        }
    }

    /// Creates a stopped poll handle for `fd`, which stays the caller's. `EBADF` for a closed
    /// descriptor, `EEXIST` if a TCP or poll handle of this loop holds it, `EPERM` if epoll
    /// cannot watch it (a regular file, a directory), as a trial registration says.
    pub fn poll_new(&mut self, owner: H::Owner, fd: RawFd) -> Result<HandleId> {
        if fd < 0 {
            return Err(EBADF);
        }
        if self.owns_fd(fd) {
            return Err(EEXIST);
        }
        let registry = self.poll.registry();
        error::sys(registry.register(&mut SourceFd(&fd), PROBE_TOKEN, Interest::READABLE))?;
        error::sys(registry.deregister(&mut SourceFd(&fd)))?;
        let handle = Poll {
            fd,
            events: 0,
            cb: None,
            registered: false,
            io_queued: false,
            ready: 0,
            status: 0,
            rearm: false,
        };
        Ok(self.handles.insert(Handle::new(owner, Kind::Poll(handle))))
    }

    /// Starts watching for `events` (an or of [`READABLE`], [`WRITABLE`], [`DISCONNECT`],
    /// [`PRIORITIZED`]), or changes them on a started handle. Readiness seen before this call
    /// is dropped; the next poll reports the descriptor's state anew.
    pub fn poll_start(&mut self, id: HandleId, events: u32, cb: H::PollCb) -> Result<()> {
        let interest = interest_of(events)?;
        let registry = self.poll.registry();
        let p = match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Poll(p),
                ..
            }) => p,
            _ => return Err(EINVAL),
        };
        let fd = p.fd;
        let done = if p.registered {
            registry.reregister(&mut SourceFd(&fd), id.token(), interest)
        } else {
            registry.register(&mut SourceFd(&fd), id.token(), interest)
        };
        p.ready = 0;
        p.status = 0;
        p.rearm = false;
        if let Err(e) = done {
            // A failed modify means the descriptor left the epoll set (it was closed).
            p.registered = false;
            p.events = 0;
            self.refresh_active(id);
            return Err(error::from_io(&e));
        }
        p.registered = true;
        p.events = events;
        p.cb = Some(cb);
        self.refresh_active(id);
        Ok(())
    }

    /// Stops watching (0 also when not started).
    pub fn poll_stop(&mut self, id: HandleId) -> Result<()> {
        self.poll_mut(id)?;
        self.poll_unwatch(id);
        self.refresh_active(id);
        Ok(())
    }

    /// Takes the handle's descriptor out of the epoll set and forgets its readiness (stop and
    /// close). An error (the caller closed the descriptor first) changes nothing.
    pub(crate) fn poll_unwatch(&mut self, id: HandleId) {
        let registry = self.poll.registry();
        if let Some(Handle {
            kind: Kind::Poll(p),
            ..
        }) = self.handles.get_mut(id)
        {
            if p.registered {
                let _ = registry.deregister(&mut SourceFd(&p.fd));
                p.registered = false;
            }
            p.events = 0;
            p.ready = 0;
            p.status = 0;
            p.rearm = false;
        }
    }

    /// After the I/O phase (and, in case an iteration was cut short, before the next poll):
    /// re-arms the handles whose callback ran, so the next poll reports those still ready
    /// (level-triggered). A handle whose descriptor left the epoll set (closed under it) stops
    /// and gets the error from the next I/O phase.
    #[inline]
    pub(crate) fn rearm_polls(&mut self) {
        if !self.poll_rearm.is_empty() {
            self.rearm_listed_polls();
        }
    }

    #[cold]
    fn rearm_listed_polls(&mut self) {
        let registry = self.poll.registry();
        for id in self.poll_rearm.drain(..) {
            let Some(Handle {
                closing: false,
                kind: Kind::Poll(p),
                ..
            }) = self.handles.get_mut(id)
            else {
                continue;
            };
            if !std::mem::take(&mut p.rearm) || p.events == 0 {
                continue;
            }
            let interest = match interest_of(p.events) {
                Ok(i) => i,
                Err(_) => continue,
            };
            if let Err(e) = registry.reregister(&mut SourceFd(&p.fd), id.token(), interest) {
                p.registered = false;
                p.status = error::from_io(&e);
                if !p.io_queued {
                    p.io_queued = true;
                    self.io_queue.push_back(id);
                }
            }
        }
    }

    /// The callback due for a poll handle taken from the I/O queue, if any.
    pub(crate) fn poll_ready(&mut self, id: HandleId) -> Option<Dispatch<H>> {
        let Some(Handle {
            closing: false,
            kind: Kind::Poll(p),
            owner,
            ..
        }) = self.handles.get_mut(id)
        else {
            return None;
        };
        let owner = *owner;
        p.io_queued = false;
        let cb = p.cb?;
        if p.status != 0 {
            let status = p.status;
            self.poll_unwatch(id);
            self.refresh_active(id);
            return Some(Dispatch::Poll {
                owner,
                cb,
                status,
                events: 0,
            });
        }
        let events = std::mem::take(&mut p.ready) & p.events;
        if events == 0 {
            return None;
        }
        if !p.rearm {
            p.rearm = true;
            self.poll_rearm.push(id);
        }
        Some(Dispatch::Poll {
            owner,
            cb,
            status: 0,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interests_follow_events() {
        assert_eq!(interest_of(0), Err(EINVAL));
        assert_eq!(interest_of(16), Err(EINVAL));
        assert_eq!(interest_of(READABLE | 32), Err(EINVAL));
        assert_eq!(interest_of(READABLE), Ok(Interest::READABLE));
        assert_eq!(interest_of(DISCONNECT), Ok(Interest::READABLE));
        assert_eq!(
            interest_of(WRITABLE | PRIORITIZED),
            Ok(Interest::WRITABLE.add(Interest::PRIORITY))
        );
        assert!(interest_of(ALL_EVENTS).is_ok());
    }
}

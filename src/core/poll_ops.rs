//! The loop's operations on poll handles: create, start, stop, re-arm, and their readiness.

use super::dispatch::Dispatch;
use super::error::{self, Result, EBADF, EEXIST, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::poll::{interest_of, Poll, PROBE_TOKEN};
use mio::unix::SourceFd;
use mio::Interest;
use std::os::fd::RawFd;

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

    /// Starts watching for `events` (an or of [`READABLE`](crate::core::poll::READABLE), [`WRITABLE`](crate::core::poll::WRITABLE), [`DISCONNECT`](crate::core::poll::DISCONNECT),
    /// [`PRIORITIZED`](crate::core::poll::PRIORITIZED)), or changes them on a started handle. Readiness seen before this call
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
    use crate::core::poll::{ALL_EVENTS, DISCONNECT, PRIORITIZED, READABLE, WRITABLE};

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

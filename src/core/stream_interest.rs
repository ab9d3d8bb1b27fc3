//! Which readiness a stream's descriptor is registered for.
//!
//! Reading interest is standing. Writing interest is standing on a TCP socket, whose
//! writability edges come only after a write met a full buffer. A Unix-domain socket or a
//! pipe instead signals writability each time its peer reads, which on a standing
//! registration would wake the loop once more per message; there writing interest is taken
//! while a connect or queued bytes need it (as libuv does), and dropped when a writability
//! event finds nothing left to write.

use std::os::fd::AsRawFd;

use mio::unix::SourceFd;
use mio::Interest;

use super::error::{self, Result, EBADF};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::stream::State;

impl<H: Host> Loop<H> {
    /// Registers the handle's descriptor with the poller (once): for reading, and for writing
    /// if its transport keeps that standing or a connect or queued bytes need it now.
    pub(crate) fn register(&mut self, id: HandleId) -> Result<()> {
        let t = self.stream_mut(id)?;
        if t.registered {
            return Ok(());
        }
        let fd = t.sock.as_ref().ok_or(EBADF)?.as_raw_fd();
        let write = t.transport.standing_write_interest()
            || t.state == State::Connecting
            || !t.writes.is_empty();
        t.ready_read = false;
        t.ready_write = false;
        let interest = if write {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        error::sys(
            self.poll
                .registry()
                .register(&mut SourceFd(&fd), id.token(), interest),
        )?;
        let t = self.stream_mut(id)?;
        t.registered = true;
        t.write_interest = write;
        Ok(())
    }

    /// Makes sure a registered stream hears of writability (bytes were just queued).
    pub(crate) fn want_writable(&mut self, id: HandleId) {
        self.set_write_interest(id, true);
    }

    /// Drops writing interest the transport does not keep standing, once a writability event
    /// found nothing to write.
    pub(crate) fn drop_writable(&mut self, id: HandleId) {
        self.set_write_interest(id, false);
    }

    fn set_write_interest(&mut self, id: HandleId, want: bool) {
        let Ok(t) = self.stream_mut(id) else {
            return;
        };
        if !t.registered || t.write_interest == want || t.transport.standing_write_interest() {
            return;
        }
        let Some(fd) = t.sock.as_ref().map(AsRawFd::as_raw_fd) else {
            return;
        };
        let interest = if want {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        let done = self
            .poll
            .registry()
            .reregister(&mut SourceFd(&fd), id.token(), interest);
        if done.is_ok() {
            if let Ok(t) = self.stream_mut(id) {
                t.write_interest = want;
                // A re-registration reports the current state again: writability that was
                // used up may come back as a new edge, and nothing is lost meanwhile.
                if want {
                    t.ready_write = false;
                }
            }
        }
    }
}

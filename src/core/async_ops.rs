//! The loop's operations on async handles: the waker, create, send bookkeeping, the I/O
//! phase's scan, close.

use super::async_handle::{Async, AsyncShared, ASYNC_RESCANS, WAKER_TOKEN};
use super::error::{self, Result};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use mio::Waker;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

impl<H: Host> Loop<H> {
    /// The loop's waker: an eventfd registered under [`WAKER_TOKEN`], made on first use and
    /// shared by every async handle and by the signal handles (their deliveries wake the loop
    /// through it). `wake` is one `write(2)`: async-signal-safe.
    pub(crate) fn waker(&mut self) -> Result<Arc<Waker>> {
        if let Some(w) = &self.waker {
            return Ok(Arc::clone(w));
        }
        let w = Arc::new(error::sys(Waker::new(self.poll.registry(), WAKER_TOKEN))?);
        self.waker = Some(Arc::clone(&w));
        Ok(w)
    }

    /// Creates an async handle (active at once) and returns it with its shared part.
    pub fn async_new(
        &mut self,
        owner: H::Owner,
        cb: H::AsyncCb,
    ) -> Result<(HandleId, Arc<AsyncShared>)> {
        let waker = self.waker()?;
        let shared = Arc::new(AsyncShared {
            pending: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            waker,
        });
        let kind = Kind::Async(Async {
            cb,
            shared: Arc::clone(&shared),
        });
        let id = self.handles.insert(Handle::new(owner, kind));
        self.asyncs.push(id);
        self.refresh_active(id);
        Ok((id, shared))
    }

    /// Stops an async handle: later sends fail, pending ones are dropped.
    pub(crate) fn async_close(&mut self, id: HandleId) {
        if let Some(Handle {
            kind: Kind::Async(a),
            ..
        }) = self.handles.get(id)
        {
            a.shared.close();
        }
        self.asyncs.retain(|&a| a != id);
    }

    /// After the poll saw the waker (`woken`): lists the async handles to look at in this I/O
    /// phase.
    pub(crate) fn begin_async_phase(&mut self, woken: bool) {
        self.async_scan.clear();
        self.async_rescans = 0;
        if woken {
            self.async_rescans = ASYNC_RESCANS;
            self.fill_async_scan();
        }
    }

    fn fill_async_scan(&mut self) {
        // Popped from the end: reversed, so they run in creation order.
        self.async_scan.extend(self.asyncs.iter().rev());
        self.async_ran = false;
    }

    /// The next async handle with a send pending, its flag cleared; with its callback. When a
    /// scan ran callbacks, the handles are looked at again (up to [`ASYNC_RESCANS`] times): a
    /// send made meanwhile gets its callback now instead of after another trip through the
    /// poll (its wakeup then finds nothing pending, which is harmless).
    pub(crate) fn next_async(&mut self) -> Option<(H::Owner, H::AsyncCb)> {
        loop {
            while let Some(id) = self.async_scan.pop() {
                if let Some(Handle {
                    closing: false,
                    kind: Kind::Async(a),
                    owner,
                    ..
                }) = self.handles.get(id)
                {
                    if a.shared.pending.swap(false, Ordering::AcqRel) {
                        self.async_ran = true;
                        return Some((*owner, a.cb));
                    }
                }
            }
            if !self.async_ran || self.async_rescans == 0 {
                return None;
            }
            self.async_rescans -= 1;
            self.fill_async_scan();
        }
    }
}

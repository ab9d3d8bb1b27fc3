//! Async handles: the one way into a loop from another thread (or a signal handler).
//!
//! The cross-thread part is [`AsyncShared`]: two atomic flags and the loop's [`mio::Waker`]
//! (an eventfd), all `Sync`. [`AsyncShared::send`] only does atomic operations and, when it
//! turns `pending` on, one `write(2)` to the eventfd: no lock, no allocation, nothing a signal
//! handler may not do. Everything else about the handle stays on the loop's thread: the loop
//! polls the waker's token, then swaps each async handle's `pending` flag off before calling
//! its callback, so a send made during or after the swap wakes the loop again (no lost wakeup).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use mio::{Token, Waker};

use super::error::{self, Result, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;

/// How many times one I/O phase looks at the async handles again after callbacks ran.
pub(crate) const ASYNC_RESCANS: u32 = 3;

/// The poll token of the loop's waker (no handle id packs to it).
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX - 1);

/// The part of an async handle that other threads touch.
pub struct AsyncShared {
    pending: AtomicBool,
    closed: AtomicBool,
    /// Sends between their check of `closed` and the end of their wakeup: closing waits for
    /// them, so no send writes to the eventfd after `ruv_close` of the handle returned (the
    /// loop may close the eventfd right after).
    in_flight: AtomicUsize,
    waker: Arc<Waker>,
}

impl AsyncShared {
    /// Marks the handle pending and wakes its loop (once per batch of sends). `EINVAL` once
    /// the handle is closing. Lock-free and async-signal-safe.
    pub fn send(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(EINVAL);
        }
        // Already pending: the loop has not cleared the flag yet, so the callback it is about
        // to run starts after this send. A plain load keeps a storm of sends from bouncing the
        // flag's cache line with read-modify-writes.
        if self.pending.load(Ordering::Acquire) {
            return Ok(());
        }
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let result = if self.closed.load(Ordering::SeqCst) {
            Err(EINVAL)
        } else if !self.pending.swap(true, Ordering::AcqRel) {
            error::sys(self.waker.wake())
        } else {
            Ok(())
        };
        self.in_flight.fetch_sub(1, Ordering::Release);
        result
    }

    /// Refuses later sends and waits for the ones in flight (each is at most one `write(2)`).
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let mut spins = 0u32;
        while self.in_flight.load(Ordering::Acquire) != 0 {
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// The loop-side state of one async handle.
pub struct Async<H: Host> {
    cb: H::AsyncCb,
    shared: Arc<AsyncShared>,
}

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

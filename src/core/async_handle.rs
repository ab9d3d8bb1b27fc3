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
use super::host::Host;

/// How many times one I/O phase looks at the async handles again after callbacks ran.
pub(crate) const ASYNC_RESCANS: u32 = 3;

/// The poll token of the loop's waker (no handle id packs to it).
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX - 1);

/// The part of an async handle that other threads touch.
pub struct AsyncShared {
    pub(crate) pending: AtomicBool,
    pub(crate) closed: AtomicBool,
    /// Sends between their check of `closed` and the end of their wakeup: closing waits for
    /// them, so no send writes to the eventfd after `ruv_close` of the handle returned (the
    /// loop may close the eventfd right after).
    pub(crate) in_flight: AtomicUsize,
    pub(crate) waker: Arc<Waker>,
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
    pub(crate) fn close(&self) {
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
    pub(crate) cb: H::AsyncCb,
    pub(crate) shared: Arc<AsyncShared>,
}

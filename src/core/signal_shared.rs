//! The part of a loop that signal deliveries touch, from any thread and from a signal handler:
//! one atomic counter per signal number and the loop's waker.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use mio::Waker;

/// The highest signal number a handle may watch (Linux's `SIGRTMAX`).
pub const MAX_SIGNAL: i32 = 64;
/// One counter per signal number, 0 included (unused).
pub(crate) const SLOTS: usize = MAX_SIGNAL as usize + 1;

/// The part of a loop that signal deliveries touch, from any thread and from a signal handler.
pub struct SignalShared {
    pub(crate) counts: [AtomicU64; SLOTS],
    pub(crate) waker: Arc<Waker>,
}

impl SignalShared {
    /// Counts one delivery of `signum` and wakes the loop. Async-signal-safe: two atomic
    /// operations and one `write(2)`; it never allocates, locks or panics.
    pub fn deliver(&self, signum: i32) {
        let slot = usize::try_from(signum)
            .ok()
            .and_then(|i| self.counts.get(i));
        if let Some(count) = slot {
            count.fetch_add(1, Ordering::SeqCst);
            let _ = self.waker.wake();
        }
    }

    /// Deliveries of `signum` counted so far (wrapping).
    pub(crate) fn count(&self, signum: i32) -> u64 {
        usize::try_from(signum)
            .ok()
            .and_then(|i| self.counts.get(i))
            .map_or(0, |c| c.load(Ordering::SeqCst))
    }
}

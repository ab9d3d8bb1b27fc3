//! Signal handles: the loop's side of POSIX signal delivery.
//!
//! The process-wide part (one handler per signal in use, the previous dispositions, the table of
//! loops a delivery must reach) belongs to the embedder, behind [`Host::signal_watch`] and
//! [`Host::signal_unwatch`]. What a delivery touches in a loop is [`SignalShared`]: one atomic
//! counter per signal number and the loop's waker. The signal handler only increments the counter
//! and writes to the waker's eventfd — no lock, no allocation. On its own thread the loop then
//! sees the waker in its poll and, in the I/O phase, gives each started handle one callback per
//! delivery counted since it started (its `seen` mark), never from the handler itself. A handle's
//! share of a phase is bounded by the count when the phase began, so a signal storm cannot keep
//! one phase running: later deliveries wait for the next iteration (the waker says so).

use std::sync::Arc;

use super::handle_table::HandleId;
use super::host::Host;
use super::signal_shared::SignalShared;
pub use super::signal_shared::MAX_SIGNAL;

/// Whether `signum` may be watched: 1..=[`MAX_SIGNAL`] except `SIGKILL` and `SIGSTOP`, which no
/// handler can catch. (The embedder's `sigaction` refuses a few more, e.g. glibc's own.)
pub fn valid_signum(signum: i32) -> bool {
    (1..=MAX_SIGNAL).contains(&signum) && signum != libc::SIGKILL && signum != libc::SIGSTOP
}

/// The state of one signal handle.
pub struct Signal<H: Host> {
    /// The watched signal; 0 while stopped.
    pub(crate) signum: i32,
    pub(crate) oneshot: bool,
    pub(crate) cb: Option<H::SignalCb>,
    /// The delivery count of `signum` already handed to callbacks (or passed at start).
    pub(crate) seen: u64,
}

impl<H: Host> Signal<H> {
    /// Started and not stopped.
    pub fn is_started(&self) -> bool {
        self.signum != 0
    }
}

/// A loop's signal handles: the shared counters (made with the first start), the started
/// handles in start order, and what the running I/O phase still has to deliver.
#[derive(Default)]
pub struct SignalState {
    pub(crate) shared: Option<Arc<SignalShared>>,
    pub(crate) started: Vec<HandleId>,
    /// (handle, signal, delivery count at the phase's start), popped from the end.
    pub(crate) scan: Vec<(HandleId, i32, u64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn signal_numbers() {
        assert!(valid_signum(libc::SIGINT));
        assert!(valid_signum(libc::SIGTERM));
        assert!(valid_signum(MAX_SIGNAL));
        assert!(!valid_signum(0));
        assert!(!valid_signum(-1));
        assert!(!valid_signum(MAX_SIGNAL + 1));
        assert!(!valid_signum(libc::SIGKILL));
        assert!(!valid_signum(libc::SIGSTOP));
    }
}

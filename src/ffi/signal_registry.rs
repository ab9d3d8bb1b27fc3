//! The process-wide signal registry: the single piece of global state in ruv (DESIGN §3.11,
//! §6.2).
//!
//! Signal dispositions belong to the process, so one table must know, per signal, how many
//! handles of all loops (in all threads) watch it, the disposition it had before ruv's handler,
//! and which loops a delivery must reach. Two halves:
//!
//! * **Writers** (`watch` / `unwatch`, called by signal handles on their loop's thread) hold
//!   [`LOCK`], a lock the signal handler never takes. The first handle of a signal installs
//!   [`on_signal`] with `sigaction` and keeps the old disposition; the last one puts it back.
//! * **The handler** reads only atomics: a singly linked list of [`Node`]s, one per loop that
//!   watches signals, each with the loop's bit mask of watched signals and a pointer to its
//!   [`SignalShared`] (delivery counters + waker). It increments a counter and writes the loop's
//!   eventfd: no lock, no allocation, no panic, `errno` preserved.
//!
//! Why the handler never touches freed memory:
//! * nodes are never freed: a node released by a loop is reused by the next one (their number is
//!   the most loops that ever watched signals at once), so walking the list is always safe;
//! * a node's `shared` pointer is protected by the node's `busy` count. The handler increments
//!   `busy` before it loads the pointer and decrements it when done; the writer releasing a node
//!   swaps the pointer to NULL, then waits until `busy` is 0, and only then drops its reference.
//!   All four operations are `SeqCst`: if the handler loaded the old pointer, its increment
//!   precedes the swap in the single total order, so the writer's later load of `busy` sees it
//!   until the handler's decrement. The handler never blocks, so the wait is short; it cannot
//!   deadlock on its own thread, because a handler that interrupted the writer has finished
//!   before the writer runs again (and the handler takes no lock).

use std::os::raw::c_int;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::core::error::EINVAL;
use crate::core::signal::valid_signum;
use crate::core::signal_shared::{SignalShared, MAX_SIGNAL};

use super::spin_lock::SpinLock;
use super::sys::{self, Disposition, ErrnoGuard};

const SLOTS: usize = MAX_SIGNAL as usize + 1;

/// One loop's entry in the handler's list. Never freed; reused once released.
struct Node {
    /// The next node (written before this one is published, never changed after).
    next: AtomicPtr<Node>,
    /// The loop's delivery counters (from `Arc::into_raw`), NULL while the node is free.
    shared: AtomicPtr<SignalShared>,
    /// Bit `signum - 1`: the loop has a started handle of `signum`.
    mask: AtomicU64,
    /// Signal handlers currently using `shared` (see the module docs).
    busy: AtomicUsize,
    /// Under [`LOCK`] only: the loop's started handles per signal, and in all.
    handles: [AtomicU32; SLOTS],
    total: AtomicU32,
}

/// Per signal, under [`LOCK`]: handles of all loops, and the disposition before ruv's handler.
struct SignalUse {
    handles: usize,
    previous: Option<Disposition>,
}

const UNUSED: SignalUse = SignalUse {
    handles: 0,
    previous: None,
};

/// The writers' lock (never taken by the signal handler).
static LOCK: SpinLock<[SignalUse; SLOTS]> = SpinLock::new([UNUSED; SLOTS]);
/// The first node of the handler's list.
static HEAD: AtomicPtr<Node> = AtomicPtr::new(ptr::null_mut());

/// The mask bit of `signum` (1..=64), if any.
fn bit_of(signum: c_int) -> Option<u64> {
    let shift = u32::try_from(signum).ok()?.checked_sub(1)?;
    1u64.checked_shl(shift)
}

/// The signal handler ruv installs: counts the delivery in every loop that watches `signum`
/// and wakes it. Async-signal-safe (atomics and `write(2)` only) and panic-free.
extern "C" fn on_signal(signum: c_int) {
    let _errno = ErrnoGuard::save();
    let Some(bit) = bit_of(signum) else {
        return;
    };
    let mut next = HEAD.load(Ordering::Acquire);
    // SAFETY: nodes are leaked boxes, never freed; `next` is NULL or one of them.
    while let Some(node) = unsafe { next.as_ref() } {
        if node.mask.load(Ordering::SeqCst) & bit != 0 {
            node.busy.fetch_add(1, Ordering::SeqCst);
            let shared = node.shared.load(Ordering::SeqCst);
            // SAFETY: a non-NULL `shared` came from Arc::into_raw and is dropped only after
            // the releasing writer saw `busy` at 0, which our increment above prevents until
            // the decrement below (module docs).
            if let Some(shared) = unsafe { shared.as_ref() } {
                shared.deliver(signum);
            }
            node.busy.fetch_sub(1, Ordering::SeqCst);
        }
        next = node.next.load(Ordering::Acquire);
    }
}

/// Every node of the list (under [`LOCK`]).
fn nodes() -> impl Iterator<Item = &'static Node> {
    let mut next = HEAD.load(Ordering::Acquire);
    std::iter::from_fn(move || {
        // SAFETY: nodes are leaked boxes, never freed; `next` is NULL or one of them.
        let node = unsafe { next.as_ref() }?;
        next = node.next.load(Ordering::Acquire);
        Some(node)
    })
}

/// The node of the loop owning `shared` (under [`LOCK`]).
fn find(shared: &Arc<SignalShared>) -> Option<&'static Node> {
    let want = Arc::as_ptr(shared).cast_mut();
    nodes().find(|n| n.shared.load(Ordering::SeqCst) == want)
}

/// The node of `shared`'s loop: found, a released one claimed, or a new one (under [`LOCK`]).
fn claim(shared: &Arc<SignalShared>) -> &'static Node {
    if let Some(node) = find(shared) {
        return node;
    }
    let raw = Arc::into_raw(Arc::clone(shared)).cast_mut();
    if let Some(node) = nodes().find(|n| n.shared.load(Ordering::SeqCst).is_null()) {
        node.shared.store(raw, Ordering::SeqCst);
        return node;
    }
    let node: &'static Node = Box::leak(Box::new(Node {
        next: AtomicPtr::new(HEAD.load(Ordering::Acquire)),
        shared: AtomicPtr::new(raw),
        mask: AtomicU64::new(0),
        busy: AtomicUsize::new(0),
        handles: std::array::from_fn(|_| AtomicU32::new(0)),
        total: AtomicU32::new(0),
    }));
    HEAD.store(ptr::from_ref(node).cast_mut(), Ordering::Release);
    node
}

/// Removes one handle of `signum` from `node` (under [`LOCK`]); a node left with no handles is
/// released: its pointer is cleared, the handlers using it are waited for, and its reference
/// dropped.
fn drop_handle(node: &Node, signum: usize, bit: u64) {
    let Some(count) = node.handles.get(signum) else {
        return;
    };
    if count.load(Ordering::Relaxed) == 0 {
        return;
    }
    if count.fetch_sub(1, Ordering::Relaxed) == 1 {
        node.mask.fetch_and(!bit, Ordering::SeqCst);
    }
    if node.total.fetch_sub(1, Ordering::Relaxed) == 1 {
        let raw = node.shared.swap(ptr::null_mut(), Ordering::SeqCst);
        while node.busy.load(Ordering::SeqCst) != 0 {
            std::thread::yield_now();
        }
        if !raw.is_null() {
            // SAFETY: `raw` came from Arc::into_raw in `claim`, is dropped once (the swap
            // above took it), and no handler uses it any more (busy was 0 after the swap).
            drop(unsafe { Arc::from_raw(raw.cast_const()) });
        }
    }
}

/// Makes deliveries of `signum` count in `shared` (one more handle of that loop watches it);
/// installs ruv's handler if it is the signal's first handle in the process. `RUV_EINVAL` for a
/// signal that cannot be caught; nothing changes on failure. Public for the other embedder of
/// the core, the Python extension, whose signal handles share this one process-wide table.
pub fn watch(shared: &Arc<SignalShared>, signum: c_int) -> Result<(), c_int> {
    let (Some(bit), true) = (
        bit_of(signum),
        valid_signum(signum) && signum <= sys::sigrtmax(),
    ) else {
        return Err(EINVAL);
    };
    let slot = usize::try_from(signum).map_err(|_| EINVAL)?;
    let mut uses = LOCK.lock();
    let used = uses.get_mut(slot).ok_or(EINVAL)?;
    let node = claim(shared);
    // Counted for the loop before the handler is installed, so every delivery it catches from
    // then on reaches the loop.
    if node.handles[slot].fetch_add(1, Ordering::Relaxed) == 0 {
        node.mask.fetch_or(bit, Ordering::SeqCst);
    }
    node.total.fetch_add(1, Ordering::Relaxed);
    if used.handles == 0 {
        match sys::install_handler(signum, on_signal) {
            Ok(previous) => used.previous = Some(previous),
            Err(code) => {
                drop_handle(node, slot, bit);
                return Err(code);
            }
        }
    }
    used.handles += 1;
    Ok(())
}

/// Undoes one [`watch`]; the signal's last handle in the process restores the disposition the
/// signal had before.
pub fn unwatch(shared: &Arc<SignalShared>, signum: c_int) {
    let (Some(bit), Ok(slot)) = (bit_of(signum), usize::try_from(signum)) else {
        return;
    };
    let mut uses = LOCK.lock();
    let (Some(used), Some(node)) = (uses.get_mut(slot), find(shared)) else {
        return;
    };
    if used.handles == 0 {
        return;
    }
    used.handles -= 1;
    if used.handles == 0 {
        if let Some(previous) = used.previous.take() {
            sys::restore_handler(signum, &previous);
        }
    }
    drop_handle(node, slot, bit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_bits() {
        assert_eq!(bit_of(1), Some(1));
        assert_eq!(bit_of(libc::SIGUSR1), Some(1 << (libc::SIGUSR1 - 1)));
        assert_eq!(bit_of(MAX_SIGNAL), Some(1 << 63));
        assert_eq!(bit_of(0), None);
        assert_eq!(bit_of(-1), None);
        assert_eq!(bit_of(MAX_SIGNAL + 1), None);
    }
}

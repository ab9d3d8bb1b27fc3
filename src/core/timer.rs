//! Timers: a min-heap of (due, start sequence) entries with lazy deletion.
//!
//! Starting a timer pushes an entry; stopping or restarting it does not touch the heap, it only
//! changes the timer's sequence number, which turns its old entry stale. Stale entries are
//! dropped when they reach the top, and the heap is compacted when they outnumber the live
//! ones, so it stays within a constant factor of the armed timers. Why this structure:
//! restarting an idle timeout (the hot case: a connection resets its timer on every read) pushes
//! an entry that is due no earlier than every other, so it stays at the bottom of the heap —
//! O(1), no sift, no removal, no allocation once the heap has grown — where libuv's heap removes
//! and re-inserts (two O(log n) sifts); the nearest due time stays exact for the poll timeout;
//! and (due, sequence) order gives due order with ties in start order. Measured in
//! `bench/run` (timers-churn, timers-million).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::handle_table::HandleId;
use super::host::Host;

/// Entries beyond twice the live ones (plus this slack) trigger a compaction.
pub(crate) const COMPACT_SLACK: usize = 1024;

/// The state of one timer handle.
pub struct Timer<H: Host> {
    pub(crate) cb: Option<H::TimerCb>,
    /// When it is due, in loop milliseconds (saturating).
    pub(crate) due: u64,
    pub(crate) repeat: u64,
    /// The sequence number of its live heap entry; 0 while stopped.
    pub(crate) seq: u64,
}

impl<H: Host> Timer<H> {
    /// A stopped timer that was never started.
    pub fn new() -> Self {
        Timer {
            cb: None,
            due: 0,
            repeat: 0,
            seq: 0,
        }
    }

    /// Started and not yet fired (or re-armed by its repeat).
    pub fn is_armed(&self) -> bool {
        self.seq != 0
    }
}

impl<H: Host> Default for Timer<H> {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub(crate) due: u64,
    pub(crate) seq: u64,
    pub(crate) id: HandleId,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so that std's max-heap pops the earliest (due, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// The loop's armed timers.
#[derive(Default)]
pub struct TimerQueue {
    pub(crate) heap: BinaryHeap<Entry>,
    /// Armed timers (entries that are not stale).
    pub(crate) live: usize,
    /// The last sequence number handed out (they start at 1; 0 means stopped).
    pub(crate) last_seq: u64,
    /// Timers whose sequence number is at least this wait for the next timer phase.
    pub(crate) phase_limit: u64,
}

impl TimerQueue {
    /// The due time of the earliest entry, stale or not: no armed timer is due before it.
    pub fn earliest(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.due)
    }
}

//! Process-wide sets of the addresses of objects ruv handed out by address (pool requests,
//! TLS configs), so that a pointer is read only when it names one that exists: any other
//! pointer — a loop or handle pointer (ids, not addresses), a freed object, garbage — is
//! `RUV_EINVAL` without being read. (A `SyncMutex`, so ThreadSanitizer sees the lock order.)

use crate::core::sync_mutex::{SyncGuard, SyncMutex};
use std::collections::BTreeSet;

/// The addresses of the live objects of one type.
pub(crate) struct LiveSet(SyncMutex<BTreeSet<usize>>);

impl LiveSet {
    /// An empty set (for a `static`).
    pub(crate) const fn new() -> Self {
        LiveSet(SyncMutex::new(BTreeSet::new()))
    }

    fn set(&self) -> SyncGuard<'_, BTreeSet<usize>> {
        self.0.lock()
    }

    /// Records that an object lives at `ptr`.
    pub(crate) fn insert<T>(&self, ptr: *const T) {
        self.set().insert(ptr as usize);
    }

    /// Records that the object at `ptr` is gone; whether it was there.
    pub(crate) fn remove<T>(&self, ptr: *const T) -> bool {
        self.set().remove(&(ptr as usize))
    }

    /// Whether an object lives at `ptr`.
    pub(crate) fn contains<T>(&self, ptr: *const T) -> bool {
        self.set().contains(&(ptr as usize))
    }
}

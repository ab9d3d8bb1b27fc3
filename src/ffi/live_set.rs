//! Process-wide sets of the addresses of objects ruv handed out by address (pool requests,
//! TLS configs), so that a pointer is read only when it names one that exists: any other
//! pointer — a loop or handle pointer (ids, not addresses), a freed object, garbage — is
//! `RUV_EINVAL` without being read.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The addresses of the live objects of one type.
pub(crate) struct LiveSet(Mutex<BTreeSet<usize>>);

impl LiveSet {
    /// An empty set (for a `static`).
    pub(crate) const fn new() -> Self {
        LiveSet(Mutex::new(BTreeSet::new()))
    }

    fn set(&self) -> MutexGuard<'_, BTreeSet<usize>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
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

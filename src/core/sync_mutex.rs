//! A `std::sync::Mutex` whose ordering ThreadSanitizer can see.
//!
//! The prebuilt standard library is not instrumented, so TSan does not see that a std mutex
//! orders its holders and reports the data it guards as racing. [`SyncMutex`] adds one atomic
//! of ruv's own (instrumented) code, touched with acquire-release right after each lock and
//! right before each unlock (also around a condition-variable wait): that is the
//! happens-before edge the mutex really provides, now visible. It costs one uncontended atomic
//! add per lock and unlock.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// A mutex (see the module docs). Poisoning is ignored: guarded code never panics midway.
pub(crate) struct SyncMutex<T> {
    inner: Mutex<T>,
    seq: AtomicUsize,
}

/// The guard of a [`SyncMutex`].
pub(crate) struct SyncGuard<'a, T> {
    guard: Option<MutexGuard<'a, T>>,
    seq: &'a AtomicUsize,
}

impl<T> SyncMutex<T> {
    /// A mutex holding `value`.
    pub(crate) const fn new(value: T) -> Self {
        SyncMutex {
            inner: Mutex::new(value),
            seq: AtomicUsize::new(0),
        }
    }

    /// Locks the mutex.
    pub(crate) fn lock(&self) -> SyncGuard<'_, T> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.seq.fetch_add(1, Ordering::AcqRel);
        SyncGuard {
            guard: Some(guard),
            seq: &self.seq,
        }
    }

    /// Waits on `cv`, unlocking meanwhile (as `Condvar::wait`).
    pub(crate) fn wait<'a>(&'a self, cv: &Condvar, mut g: SyncGuard<'a, T>) -> SyncGuard<'a, T> {
        let inner = g
            .guard
            .take()
            .expect("a guard holds its lock until dropped");
        self.seq.fetch_add(1, Ordering::AcqRel);
        let inner = cv.wait(inner).unwrap_or_else(|e| e.into_inner());
        self.seq.fetch_add(1, Ordering::AcqRel);
        SyncGuard {
            guard: Some(inner),
            seq: &self.seq,
        }
    }
}

impl<T> Deref for SyncGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard
            .as_deref()
            .expect("a guard holds its lock until dropped")
    }
}

impl<T> DerefMut for SyncGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard
            .as_deref_mut()
            .expect("a guard holds its lock until dropped")
    }
}

impl<T> Drop for SyncGuard<'_, T> {
    fn drop(&mut self) {
        if self.guard.is_some() {
            // Before the inner guard (a field) unlocks.
            self.seq.fetch_add(1, Ordering::AcqRel);
        }
    }
}

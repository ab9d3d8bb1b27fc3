//! [`GilCell`]: interior mutability for `#[pyclass(frozen)]` objects, guarded by the GIL.
//!
//! PyO3 wants every class to be `Sync`. ruv's objects are only ever touched by a thread that
//! holds the GIL (every accessor takes a [`Python`] token as proof), so the GIL already
//! serialises all access and a plain `RefCell` inside is enough: no atomics, no locks on the
//! hot path. The `RefCell` flag still catches re-entrant misuse on the thread holding the GIL
//! (a callback that runs while its caller holds a borrow). The one borrow that lives on while
//! the GIL is released is the loop core's during a blocking poll (see `run.rs`): a thread that
//! takes the GIL meanwhile finds the flag set and gets an error instead of the core.

use std::cell::{Ref, RefCell, RefMut};

use pyo3::exceptions::PyRuntimeError;
use pyo3::{PyResult, Python};

/// A `RefCell` whose contents may only be reached with the GIL held.
#[derive(Default)]
pub struct GilCell<T>(RefCell<T>);

// SAFETY: every way to reach the contents takes a `Python<'_>` token, i.e. the calling thread
// holds the GIL, which is held by one thread at a time; the GIL's release/acquire orders the
// accesses of successive holders. The contents (Python object pointers, the ruv core) are
// fine to use from any thread under that rule. The exception, a `RefMut` kept by the polling
// thread while it has released the GIL, is sound for the same reason: its flag was set under
// the GIL, no other thread can reach the contents while it is set, and it is cleared only
// after the GIL is taken back.
unsafe impl<T> Sync for GilCell<T> {}
// SAFETY: moving the cell to another thread (a Python object freed there) only ever lets that
// thread reach the contents through a `Python<'_>` token, i.e. under the GIL, which orders its
// accesses after the previous holder's.
unsafe impl<T> Send for GilCell<T> {}

impl<T> GilCell<T> {
    /// A new cell.
    pub fn new(value: T) -> Self {
        GilCell(RefCell::new(value))
    }

    /// Borrows the contents; a conflicting borrow (re-entrancy, or the loop polling in another
    /// thread) is a `RuntimeError`.
    pub fn get<'a>(&'a self, _py: Python<'_>) -> PyResult<Ref<'a, T>> {
        self.0.try_borrow().map_err(|_| busy())
    }

    /// Borrows the contents mutably; a conflicting borrow is a `RuntimeError`.
    pub fn get_mut<'a>(&'a self, _py: Python<'_>) -> PyResult<RefMut<'a, T>> {
        self.0.try_borrow_mut().map_err(|_| busy())
    }

    /// The `RefCell` itself, for code (the core's `run`) that borrows it piecewise.
    pub fn cell<'a>(&'a self, _py: Python<'_>) -> &'a RefCell<T> {
        &self.0
    }

    /// The contents during a GC traversal, if nobody is mutating them.
    ///
    /// # Safety
    /// The caller is the garbage collector's traversal (the GIL is held; nothing mutates
    /// objects while it runs) and must not keep the reference past it.
    pub unsafe fn peek(&self) -> Option<&T> {
        // SAFETY: see the function's contract: no `RefMut` can be created while the
        // traversal runs, and `try_borrow_unguarded` refuses if one exists.
        unsafe { self.0.try_borrow_unguarded().ok() }
    }
}

fn busy() -> pyo3::PyErr {
    PyRuntimeError::new_err("ruv object busy: its loop is running in another thread")
}

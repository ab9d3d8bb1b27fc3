//! The cycle collector and a `#[pyclass(dict)]`'s `__dict__`.
//!
//! PyO3 gives a class with `dict` a `__dict__` slot but does not traverse it, so an object in a
//! cycle through its own attributes (`timer.me = timer`, `loop.handle = h` with `h.loop`) would
//! never be collected. `Handle` and `Loop` remember their object's pointer and visit (and
//! clear) that slot themselves, found at the offset PyO3 computes for the class's layout.

use std::mem::ManuallyDrop;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::{PyClass, PyTraverseError, PyVisit};

/// The `__dict__` slot of `this`, an object whose layout starts with `T`'s.
///
/// # Safety
/// `this` must point to a live object of class `T` (declared with `dict`) or of a subclass.
unsafe fn dict_slot<T: PyClass>(this: *mut ffi::PyObject) -> *mut *mut ffi::PyObject {
    let offset = pyo3::impl_::pyclass::dict_offset::<T>();
    // SAFETY: subclasses extend `T`'s layout, so the slot is at the same offset in every
    // object of `T` or a subclass (the contract), and inside the object.
    unsafe { this.cast::<u8>().offset(offset).cast() }
}

/// Visits the `__dict__` of `this` (null: nothing to visit).
///
/// # Safety
/// As [`dict_slot`], and called from the class's `__traverse__`.
pub unsafe fn visit_dict<T: PyClass>(
    this: *mut ffi::PyObject,
    visit: &PyVisit<'_>,
) -> Result<(), PyTraverseError> {
    if this.is_null() {
        return Ok(());
    }
    // SAFETY: see the contract.
    let dict = unsafe { *dict_slot::<T>(this) };
    if dict.is_null() {
        return Ok(());
    }
    // SAFETY: the collector holds the GIL; the reference is only lent to the visit and never
    // dropped (ManuallyDrop), so the count is untouched.
    let dict = ManuallyDrop::new(unsafe {
        Py::<PyAny>::from_owned_ptr(Python::assume_gil_acquired(), dict)
    });
    visit.call(&*dict)
}

/// Empties the `__dict__` of `this` (breaking the cycles through it), from `__clear__`.
///
/// # Safety
/// As [`dict_slot`]; the GIL is held.
pub unsafe fn clear_dict<T: PyClass>(this: *mut ffi::PyObject) {
    if this.is_null() {
        return;
    }
    // SAFETY: see the contract; a non-null slot holds a dict.
    unsafe {
        let dict = *dict_slot::<T>(this);
        if !dict.is_null() {
            ffi::PyDict_Clear(dict);
        }
    }
}

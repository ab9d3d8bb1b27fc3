//! Calling a callback without building an argument tuple.
//!
//! Under the stable ABI for Python < 3.12, PyO3 calls every callable through `PyObject_Call`
//! with a new tuple of the arguments: an allocation and a deallocation per callback, on the
//! path every read takes. CPython 3.9+ exports `PyObject_VectorcallDict` (the vectorcall
//! protocol of PEP 590, public since 3.9, in the limited API as `PyObject_Vectorcall` from
//! 3.12), which passes the arguments as a C array instead. The module looks the symbol up
//! once in the running interpreter, and falls back to the tuple call where it is missing, so
//! the abi3 module still loads anywhere the stable ABI does.

use std::sync::OnceLock;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// `PyObject_VectorcallDict(callable, args, nargsf, kwargs)`.
type VectorcallDict = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    usize,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;

/// `PY_VECTORCALL_ARGUMENTS_OFFSET`: the slot before the arguments may be used by the callee
/// (a bound method puts its `self` there instead of copying the array).
const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

/// The most arguments a callback gets (pyuv's UDP receive callback takes five).
const MAX_ARGS: usize = 5;

/// The interpreter's `PyObject_VectorcallDict`, if it exports one.
fn vectorcall() -> Option<VectorcallDict> {
    static FOUND: OnceLock<Option<VectorcallDict>> = OnceLock::new();
    *FOUND.get_or_init(|| {
        // SAFETY: dlsym with RTLD_DEFAULT searches the objects already loaded (the
        // interpreter, whose symbols extension modules link against); the name is a valid
        // C string.
        let sym = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"PyObject_VectorcallDict".as_ptr()) };
        // SAFETY: a symbol of that name in CPython is the function of `VectorcallDict`'s
        // signature (documented since 3.9).
        (!sym.is_null()).then(|| unsafe { std::mem::transmute::<_, VectorcallDict>(sym) })
    })
}

/// Calls `cb(*args)`.
pub fn invoke<'py>(
    py: Python<'py>,
    cb: &Bound<'py, PyAny>,
    args: &[&Bound<'py, PyAny>],
) -> PyResult<Bound<'py, PyAny>> {
    let Some(vcall) = vectorcall().filter(|_| args.len() <= MAX_ARGS) else {
        return cb.call1(PyTuple::new(py, args)?);
    };
    // Slot 0 is the scratch slot ARGUMENTS_OFFSET lends to the callee.
    let mut slots = [std::ptr::null_mut(); MAX_ARGS + 1];
    for (slot, arg) in slots[1..].iter_mut().zip(args) {
        *slot = arg.as_ptr();
    }
    // SAFETY: the GIL is held (`py`); `cb` and every argument are live objects borrowed for
    // the call (the callee takes its own references); the array holds `args.len()` valid
    // pointers after the scratch slot, which the offset flag lets the callee overwrite
    // temporarily; kwargs is null. The result is a new reference or null with an exception set.
    unsafe {
        let ret = vcall(
            cb.as_ptr(),
            slots.as_ptr().add(1),
            args.len() | ARGUMENTS_OFFSET,
            std::ptr::null_mut(),
        );
        if ret.is_null() {
            Err(PyErr::fetch(py))
        } else {
            Ok(Bound::from_owned_ptr(py, ret))
        }
    }
}

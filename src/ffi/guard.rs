//! The panic boundary: no Rust panic ever unwinds into C.

use std::os::raw::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::core::error::EPANIC;

/// Runs an export's body returning `Ok(value)` or `Err(negative code)`; a panic becomes
/// `RUV_EPANIC`.
pub(crate) fn status(body: impl FnOnce() -> Result<c_int, c_int>) -> c_int {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(v)) | Ok(Err(v)) => v,
        Err(_) => EPANIC,
    }
}

/// Runs an export's body that has no error channel; a panic returns `fallback`.
pub(crate) fn value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Wraps every export's body: `ffi_guard!(status { ... })` for bodies returning
/// `Result<c_int, c_int>`, `ffi_guard!(value FALLBACK, { ... })` for the others.
macro_rules! ffi_guard {
    (status $body:block) => {
        $crate::ffi::guard::status(
            || -> ::std::result::Result<::std::os::raw::c_int, ::std::os::raw::c_int> { $body },
        )
    };
    (value $fallback:expr, $body:block) => {
        $crate::ffi::guard::value($fallback, || $body)
    };
}

//! The panic boundary and the one export macro, `ffi_fn!`: no Rust panic ever unwinds into C,
//! and no export can be written without the guard.
//!
//! `ffi_fn! { /// docs  fn ruv_x(args) -> T { body } }` writes `#[no_mangle] pub extern "C" fn`
//! with the body inside `catch_unwind`. For `-> c_int` the body returns
//! `Result<c_int, c_int>` (`Ok(value)` or `Err(negative code)`, so `?` works) and a panic becomes
//! `RUV_EPANIC`; for any other return type the body returns the value itself and a panic
//! returns `Fallback::fallback()`. cbindgen does not expand macros, so `build.rs` expands
//! `ffi_fn!` items itself (into plain `extern "C"` declarations) before generating the header,
//! and refuses a `#[no_mangle]` written by hand.

use std::os::raw::{c_char, c_int, c_uint};
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

/// Runs an export's body that has no error channel; a panic returns `T::fallback()`.
pub(crate) fn value<T: Fallback>(body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| T::fallback())
}

/// What an export without an error channel returns when its body panicked.
pub(crate) trait Fallback {
    /// The value returned after a caught panic.
    fn fallback() -> Self;
}

impl Fallback for () {
    fn fallback() -> Self {}
}

impl Fallback for u64 {
    fn fallback() -> Self {
        0
    }
}

impl Fallback for usize {
    fn fallback() -> Self {
        0
    }
}

impl Fallback for c_uint {
    fn fallback() -> Self {
        0
    }
}

impl<T> Fallback for *mut T {
    fn fallback() -> Self {
        std::ptr::null_mut()
    }
}

impl Fallback for *const c_char {
    /// Strings the API returns are never NULL: an empty one.
    fn fallback() -> Self {
        c"".as_ptr()
    }
}

/// Writes an exported C function together with its panic guard (see the module docs).
macro_rules! ffi_fn {
    ($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> c_int $body:block) => {
        $(#[$attr])*
        #[no_mangle]
        pub extern "C" fn $name($($arg: $ty),*) -> ::std::os::raw::c_int {
            $crate::ffi::guard::status(
                || -> ::std::result::Result<::std::os::raw::c_int, ::std::os::raw::c_int> {
                    $body
                },
            )
        }
    };
    ($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$attr])*
        #[no_mangle]
        pub extern "C" fn $name($($arg: $ty),*) -> $ret {
            $crate::ffi::guard::value(|| -> $ret { $body })
        }
    };
    ($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$attr])*
        #[no_mangle]
        pub extern "C" fn $name($($arg: $ty),*) {
            $crate::ffi::guard::value(|| $body)
        }
    };
}

//! Version of the library, from Cargo.toml.

use std::ffi::CStr;
use std::os::raw::{c_char, c_uint};

const fn parse(s: &str) -> c_uint {
    let bytes = s.as_bytes();
    let mut value = 0;
    let mut i = 0;
    while i < bytes.len() {
        value = value * 10 + (bytes[i] - b'0') as c_uint;
        i += 1;
    }
    value
}

const VERSION: c_uint = (parse(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
    | (parse(env!("CARGO_PKG_VERSION_MINOR")) << 8)
    | parse(env!("CARGO_PKG_VERSION_PATCH"));

const VERSION_STRING: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(s) => s,
        Err(_) => panic!("the version has no NUL byte"),
    };

ffi_fn! {
    /// The version as `(major << 16) | (minor << 8) | patch`; equals RUV_VERSION_HEX.
    fn ruv_version() -> c_uint {
        VERSION
    }
}

ffi_fn! {
    /// The version as a static string, e.g. "0.1.0".
    fn ruv_version_string() -> *const c_char {
        VERSION_STRING.as_ptr()
    }
}

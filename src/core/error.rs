//! Error codes: a negative `errno` value for every system error, plus ruv's own codes.
//!
//! Every fallible core operation returns [`Result`], whose error is the negative code that the C
//! API returns unchanged.

use std::ffi::CStr;
use std::io;

/// A negative error code: `-errno`, or one of ruv's own codes ([`EOF`], [`UNKNOWN`], [`EPANIC`]).
pub type Code = i32;

/// The result of a core operation.
pub type Result<T> = std::result::Result<T, Code>;

/// Converts an I/O error into a negative code.
pub fn from_io(err: &io::Error) -> Code {
    match err.raw_os_error() {
        Some(errno) if errno > 0 => -errno,
        _ => match err.kind() {
            io::ErrorKind::WouldBlock => EAGAIN,
            io::ErrorKind::InvalidInput => EINVAL,
            io::ErrorKind::OutOfMemory => ENOMEM,
            _ => UNKNOWN,
        },
    }
}

/// Runs a system call wrapper and converts its error.
pub fn sys<T>(result: io::Result<T>) -> Result<T> {
    result.map_err(|e| from_io(&e))
}

/// The name and message of one error code.
#[derive(Debug, Clone, Copy)]
pub struct ErrorInfo {
    /// The negative code.
    pub code: Code,
    /// The symbolic name without the `RUV_` prefix, e.g. `EAGAIN`.
    pub name: &'static CStr,
    /// A short English description.
    pub message: &'static CStr,
}

/// A `&'static CStr` from a string literal, at compile time.
macro_rules! c_lit {
    ($s:expr) => {
        match CStr::from_bytes_with_nul(concat!($s, "\0").as_bytes()) {
            Ok(c) => c,
            Err(_) => panic!("no NUL inside error names or messages"),
        }
    };
}

macro_rules! error_table {
    (
        own { $( $own:ident = $value:literal, $own_msg:literal; )* }
        errno { $( $errno:ident, $errno_msg:literal; )* }
    ) => {
        $(
            #[doc = concat!("ruv's own code: ", $own_msg, ".")]
            pub const $own: Code = $value;
        )*
        $(
            #[doc = concat!("`-", stringify!($errno), "`: ", $errno_msg, ".")]
            pub const $errno: Code = -libc::$errno;
        )*
        /// Every error code ruv knows by name.
        pub static ERRORS: &[ErrorInfo] = &[
            $( ErrorInfo { code: $own, name: c_lit!(stringify!($own)), message: c_lit!($own_msg) }, )*
            $( ErrorInfo {
                code: $errno,
                name: c_lit!(stringify!($errno)),
                message: c_lit!($errno_msg),
            }, )*
        ];
    };
}

include!("error_table.rs");

/// Looks up the name and message of a code.
pub fn describe(code: Code) -> Option<&'static ErrorInfo> {
    ERRORS.iter().find(|e| e.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_negative() {
        for (i, a) in ERRORS.iter().enumerate() {
            assert!(a.code < 0, "{:?}", a.name);
            for b in &ERRORS[i + 1..] {
                assert_ne!(a.code, b.code, "{:?} and {:?}", a.name, b.name);
            }
        }
    }

    #[test]
    fn io_errors_convert() {
        assert_eq!(from_io(&io::Error::from_raw_os_error(libc::EPIPE)), EPIPE);
        assert_eq!(from_io(&io::Error::from(io::ErrorKind::WouldBlock)), EAGAIN);
        assert_eq!(describe(EAGAIN).unwrap().name, c"EAGAIN");
        assert!(describe(12345).is_none());
    }
}

//! Error codes of the C API and their names and messages.
//!
//! `RUV_E<NAME>` is `-E<NAME>` of Linux (checked against `libc` by a unit test); the values are
//! literals because cbindgen copies them into the header as they are written. They are enum
//! constants rather than macros so that a negative value is always one token group in C.

use std::os::raw::{c_char, c_int};

use crate::core::error;

/// Every error code of the C API: 0 or a count means success, these mean failure.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ruv_errno_t {
    /// End of stream (read callback `nread`).
    RUV_EOF = -4095,
    /// An error without an errno.
    RUV_UNKNOWN = -4094,
    /// A Rust panic was caught at the C boundary (a bug in ruv).
    RUV_EPANIC = -4093,
    /// `-E2BIG`.
    RUV_E2BIG = -7,
    /// `-EACCES`.
    RUV_EACCES = -13,
    /// `-EADDRINUSE`.
    RUV_EADDRINUSE = -98,
    /// `-EADDRNOTAVAIL`.
    RUV_EADDRNOTAVAIL = -99,
    /// `-EAFNOSUPPORT`.
    RUV_EAFNOSUPPORT = -97,
    /// `-EAGAIN`.
    RUV_EAGAIN = -11,
    /// `-EALREADY`.
    RUV_EALREADY = -114,
    /// `-EBADF`.
    RUV_EBADF = -9,
    /// `-EBUSY`.
    RUV_EBUSY = -16,
    /// `-ECANCELED`.
    RUV_ECANCELED = -125,
    /// `-ECONNABORTED`.
    RUV_ECONNABORTED = -103,
    /// `-ECONNREFUSED`.
    RUV_ECONNREFUSED = -111,
    /// `-ECONNRESET`.
    RUV_ECONNRESET = -104,
    /// `-EDESTADDRREQ`.
    RUV_EDESTADDRREQ = -89,
    /// `-EEXIST`.
    RUV_EEXIST = -17,
    /// `-EFAULT`.
    RUV_EFAULT = -14,
    /// `-EFBIG`.
    RUV_EFBIG = -27,
    /// `-EHOSTDOWN`.
    RUV_EHOSTDOWN = -112,
    /// `-EHOSTUNREACH`.
    RUV_EHOSTUNREACH = -113,
    /// `-EILSEQ`.
    RUV_EILSEQ = -84,
    /// `-EINTR`.
    RUV_EINTR = -4,
    /// `-EINVAL`.
    RUV_EINVAL = -22,
    /// `-EIO`.
    RUV_EIO = -5,
    /// `-EISCONN`.
    RUV_EISCONN = -106,
    /// `-EISDIR`.
    RUV_EISDIR = -21,
    /// `-ELOOP`.
    RUV_ELOOP = -40,
    /// `-EMFILE`.
    RUV_EMFILE = -24,
    /// `-EMLINK`.
    RUV_EMLINK = -31,
    /// `-EMSGSIZE`.
    RUV_EMSGSIZE = -90,
    /// `-ENAMETOOLONG`.
    RUV_ENAMETOOLONG = -36,
    /// `-ENETDOWN`.
    RUV_ENETDOWN = -100,
    /// `-ENETUNREACH`.
    RUV_ENETUNREACH = -101,
    /// `-ENFILE`.
    RUV_ENFILE = -23,
    /// `-ENOBUFS`.
    RUV_ENOBUFS = -105,
    /// `-ENODATA`.
    RUV_ENODATA = -61,
    /// `-ENODEV`.
    RUV_ENODEV = -19,
    /// `-ENOENT`.
    RUV_ENOENT = -2,
    /// `-ENOMEM`.
    RUV_ENOMEM = -12,
    /// `-ENONET`.
    RUV_ENONET = -64,
    /// `-ENOPROTOOPT`.
    RUV_ENOPROTOOPT = -92,
    /// `-ENOSPC`.
    RUV_ENOSPC = -28,
    /// `-ENOSYS`.
    RUV_ENOSYS = -38,
    /// `-ENOTCONN`.
    RUV_ENOTCONN = -107,
    /// `-ENOTDIR`.
    RUV_ENOTDIR = -20,
    /// `-ENOTEMPTY`.
    RUV_ENOTEMPTY = -39,
    /// `-ENOTSOCK`.
    RUV_ENOTSOCK = -88,
    /// `-ENOTSUP`.
    RUV_ENOTSUP = -95,
    /// `-ENOTTY`.
    RUV_ENOTTY = -25,
    /// `-ENXIO`.
    RUV_ENXIO = -6,
    /// `-EOVERFLOW`.
    RUV_EOVERFLOW = -75,
    /// `-EPERM`.
    RUV_EPERM = -1,
    /// `-EPIPE`.
    RUV_EPIPE = -32,
    /// `-EPROTO`.
    RUV_EPROTO = -71,
    /// `-EPROTONOSUPPORT`.
    RUV_EPROTONOSUPPORT = -93,
    /// `-EPROTOTYPE`.
    RUV_EPROTOTYPE = -91,
    /// `-ERANGE`.
    RUV_ERANGE = -34,
    /// `-EREMOTEIO`.
    RUV_EREMOTEIO = -121,
    /// `-EROFS`.
    RUV_EROFS = -30,
    /// `-ESHUTDOWN`.
    RUV_ESHUTDOWN = -108,
    /// `-ESOCKTNOSUPPORT`.
    RUV_ESOCKTNOSUPPORT = -94,
    /// `-ESPIPE`.
    RUV_ESPIPE = -29,
    /// `-ESRCH`.
    RUV_ESRCH = -3,
    /// `-ETIMEDOUT`.
    RUV_ETIMEDOUT = -110,
    /// `-ETXTBSY`.
    RUV_ETXTBSY = -26,
    /// `-EUNATCH`.
    RUV_EUNATCH = -49,
    /// `-EXDEV`.
    RUV_EXDEV = -18,
}

/// Bind flag: an IPv6 handle accepts IPv6 only (no dual stack).
pub const RUV_TCP_IPV6ONLY: c_int = 1;
/// The listen backlog used when `backlog` <= 0.
pub const RUV_DEFAULT_BACKLOG: c_int = 511;

/// A short English message for an error code; never NULL ("unknown error" for unknown codes).
#[no_mangle]
pub extern "C" fn ruv_strerror(err: c_int) -> *const c_char {
    ffi_guard!(value c"unknown error".as_ptr(), {
        error::describe(err).map_or(c"unknown error".as_ptr(), |e| e.message.as_ptr())
    })
}

/// The name of an error code without the RUV_ prefix ("EAGAIN", "EOF"); never NULL
/// ("UNKNOWN" for unknown codes).
#[no_mangle]
pub extern "C" fn ruv_err_name(err: c_int) -> *const c_char {
    ffi_guard!(value c"UNKNOWN".as_ptr(), {
        error::describe(err).map_or(c"UNKNOWN".as_ptr(), |e| e.name.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn constants_match_the_core_table() {
        let constants: &[(&str, ruv_errno_t)] = &[
            ("EOF", ruv_errno_t::RUV_EOF),
            ("UNKNOWN", ruv_errno_t::RUV_UNKNOWN),
            ("EPANIC", ruv_errno_t::RUV_EPANIC),
            ("E2BIG", ruv_errno_t::RUV_E2BIG),
            ("EACCES", ruv_errno_t::RUV_EACCES),
            ("EADDRINUSE", ruv_errno_t::RUV_EADDRINUSE),
            ("EADDRNOTAVAIL", ruv_errno_t::RUV_EADDRNOTAVAIL),
            ("EAFNOSUPPORT", ruv_errno_t::RUV_EAFNOSUPPORT),
            ("EAGAIN", ruv_errno_t::RUV_EAGAIN),
            ("EALREADY", ruv_errno_t::RUV_EALREADY),
            ("EBADF", ruv_errno_t::RUV_EBADF),
            ("EBUSY", ruv_errno_t::RUV_EBUSY),
            ("ECANCELED", ruv_errno_t::RUV_ECANCELED),
            ("ECONNABORTED", ruv_errno_t::RUV_ECONNABORTED),
            ("ECONNREFUSED", ruv_errno_t::RUV_ECONNREFUSED),
            ("ECONNRESET", ruv_errno_t::RUV_ECONNRESET),
            ("EDESTADDRREQ", ruv_errno_t::RUV_EDESTADDRREQ),
            ("EEXIST", ruv_errno_t::RUV_EEXIST),
            ("EFAULT", ruv_errno_t::RUV_EFAULT),
            ("EFBIG", ruv_errno_t::RUV_EFBIG),
            ("EHOSTDOWN", ruv_errno_t::RUV_EHOSTDOWN),
            ("EHOSTUNREACH", ruv_errno_t::RUV_EHOSTUNREACH),
            ("EILSEQ", ruv_errno_t::RUV_EILSEQ),
            ("EINTR", ruv_errno_t::RUV_EINTR),
            ("EINVAL", ruv_errno_t::RUV_EINVAL),
            ("EIO", ruv_errno_t::RUV_EIO),
            ("EISCONN", ruv_errno_t::RUV_EISCONN),
            ("EISDIR", ruv_errno_t::RUV_EISDIR),
            ("ELOOP", ruv_errno_t::RUV_ELOOP),
            ("EMFILE", ruv_errno_t::RUV_EMFILE),
            ("EMLINK", ruv_errno_t::RUV_EMLINK),
            ("EMSGSIZE", ruv_errno_t::RUV_EMSGSIZE),
            ("ENAMETOOLONG", ruv_errno_t::RUV_ENAMETOOLONG),
            ("ENETDOWN", ruv_errno_t::RUV_ENETDOWN),
            ("ENETUNREACH", ruv_errno_t::RUV_ENETUNREACH),
            ("ENFILE", ruv_errno_t::RUV_ENFILE),
            ("ENOBUFS", ruv_errno_t::RUV_ENOBUFS),
            ("ENODATA", ruv_errno_t::RUV_ENODATA),
            ("ENODEV", ruv_errno_t::RUV_ENODEV),
            ("ENOENT", ruv_errno_t::RUV_ENOENT),
            ("ENOMEM", ruv_errno_t::RUV_ENOMEM),
            ("ENONET", ruv_errno_t::RUV_ENONET),
            ("ENOPROTOOPT", ruv_errno_t::RUV_ENOPROTOOPT),
            ("ENOSPC", ruv_errno_t::RUV_ENOSPC),
            ("ENOSYS", ruv_errno_t::RUV_ENOSYS),
            ("ENOTCONN", ruv_errno_t::RUV_ENOTCONN),
            ("ENOTDIR", ruv_errno_t::RUV_ENOTDIR),
            ("ENOTEMPTY", ruv_errno_t::RUV_ENOTEMPTY),
            ("ENOTSOCK", ruv_errno_t::RUV_ENOTSOCK),
            ("ENOTSUP", ruv_errno_t::RUV_ENOTSUP),
            ("ENOTTY", ruv_errno_t::RUV_ENOTTY),
            ("ENXIO", ruv_errno_t::RUV_ENXIO),
            ("EOVERFLOW", ruv_errno_t::RUV_EOVERFLOW),
            ("EPERM", ruv_errno_t::RUV_EPERM),
            ("EPIPE", ruv_errno_t::RUV_EPIPE),
            ("EPROTO", ruv_errno_t::RUV_EPROTO),
            ("EPROTONOSUPPORT", ruv_errno_t::RUV_EPROTONOSUPPORT),
            ("EPROTOTYPE", ruv_errno_t::RUV_EPROTOTYPE),
            ("ERANGE", ruv_errno_t::RUV_ERANGE),
            ("EREMOTEIO", ruv_errno_t::RUV_EREMOTEIO),
            ("EROFS", ruv_errno_t::RUV_EROFS),
            ("ESHUTDOWN", ruv_errno_t::RUV_ESHUTDOWN),
            ("ESOCKTNOSUPPORT", ruv_errno_t::RUV_ESOCKTNOSUPPORT),
            ("ESPIPE", ruv_errno_t::RUV_ESPIPE),
            ("ESRCH", ruv_errno_t::RUV_ESRCH),
            ("ETIMEDOUT", ruv_errno_t::RUV_ETIMEDOUT),
            ("ETXTBSY", ruv_errno_t::RUV_ETXTBSY),
            ("EUNATCH", ruv_errno_t::RUV_EUNATCH),
            ("EXDEV", ruv_errno_t::RUV_EXDEV),
        ];
        assert_eq!(constants.len(), error::ERRORS.len());
        for (name, code) in constants {
            let info = error::describe(*code as c_int).expect("every constant is in the table");
            assert_eq!(info.name.to_str().unwrap(), *name);
        }
        // SAFETY: ruv_err_name returns a static NUL-terminated string.
        let name = unsafe { CStr::from_ptr(ruv_err_name(12345)) };
        assert_eq!(name.to_str().unwrap(), "UNKNOWN");
    }
}

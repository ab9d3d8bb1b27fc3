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

/// End of stream.
pub const EOF: Code = -4095;
/// An error that has no errno (an `io::Error` without an OS code).
pub const UNKNOWN: Code = -4094;
/// A Rust panic was caught at the C boundary (a bug in ruv; please report it).
pub const EPANIC: Code = -4093;

/// `-EAGAIN`: try again later.
pub const EAGAIN: Code = -libc::EAGAIN;
/// `-EINVAL`: invalid argument.
pub const EINVAL: Code = -libc::EINVAL;
/// `-EBADF`: no socket (yet) or a closed one.
pub const EBADF: Code = -libc::EBADF;
/// `-EBUSY`: the resource is in use.
pub const EBUSY: Code = -libc::EBUSY;
/// `-EALREADY`: the operation is already in progress.
pub const EALREADY: Code = -libc::EALREADY;
/// `-ECANCELED`: the request was cancelled by a close.
pub const ECANCELED: Code = -libc::ECANCELED;
/// `-ENOTCONN`: the socket is not connected.
pub const ENOTCONN: Code = -libc::ENOTCONN;
/// `-EISCONN`: the socket is already connected.
pub const EISCONN: Code = -libc::EISCONN;
/// `-EPIPE`: the write side is closed.
pub const EPIPE: Code = -libc::EPIPE;
/// `-ECONNREFUSED`: connection refused.
pub const ECONNREFUSED: Code = -libc::ECONNREFUSED;
/// `-ECONNRESET`: connection reset by peer.
pub const ECONNRESET: Code = -libc::ECONNRESET;
/// `-ECONNABORTED`: connection aborted.
pub const ECONNABORTED: Code = -libc::ECONNABORTED;
/// `-EMFILE`: too many open files in this process.
pub const EMFILE: Code = -libc::EMFILE;
/// `-ENFILE`: too many open files in the system.
pub const ENFILE: Code = -libc::ENFILE;
/// `-ENOBUFS`: no buffer space available.
pub const ENOBUFS: Code = -libc::ENOBUFS;
/// `-ENOMEM`: out of memory.
pub const ENOMEM: Code = -libc::ENOMEM;
/// `-ENOSPC`: the destination buffer is too small.
pub const ENOSPC: Code = -libc::ENOSPC;
/// `-ENOTSOCK`: the descriptor is not a socket.
pub const ENOTSOCK: Code = -libc::ENOTSOCK;
/// `-EAFNOSUPPORT`: address family not supported.
pub const EAFNOSUPPORT: Code = -libc::EAFNOSUPPORT;
/// `-EINTR`: interrupted system call.
pub const EINTR: Code = -libc::EINTR;

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

macro_rules! error_table {
    ($( $code:expr, $name:literal, $msg:literal; )*) => {
        /// Every error code ruv knows by name.
        pub static ERRORS: &[ErrorInfo] = &[
            $( ErrorInfo { code: $code, name: $name, message: $msg }, )*
        ];
    };
}

error_table! {
    -libc::E2BIG, c"E2BIG", c"argument list too long";
    -libc::EACCES, c"EACCES", c"permission denied";
    -libc::EADDRINUSE, c"EADDRINUSE", c"address already in use";
    -libc::EADDRNOTAVAIL, c"EADDRNOTAVAIL", c"address not available";
    -libc::EAFNOSUPPORT, c"EAFNOSUPPORT", c"address family not supported";
    -libc::EAGAIN, c"EAGAIN", c"resource temporarily unavailable";
    -libc::EALREADY, c"EALREADY", c"connection already in progress";
    -libc::EBADF, c"EBADF", c"bad file descriptor";
    -libc::EBUSY, c"EBUSY", c"resource busy or locked";
    -libc::ECANCELED, c"ECANCELED", c"operation canceled";
    -libc::ECONNABORTED, c"ECONNABORTED", c"software caused connection abort";
    -libc::ECONNREFUSED, c"ECONNREFUSED", c"connection refused";
    -libc::ECONNRESET, c"ECONNRESET", c"connection reset by peer";
    -libc::EDESTADDRREQ, c"EDESTADDRREQ", c"destination address required";
    -libc::EEXIST, c"EEXIST", c"file already exists";
    -libc::EFAULT, c"EFAULT", c"bad address in system call argument";
    -libc::EFBIG, c"EFBIG", c"file too large";
    -libc::EHOSTDOWN, c"EHOSTDOWN", c"host is down";
    -libc::EHOSTUNREACH, c"EHOSTUNREACH", c"host is unreachable";
    -libc::EILSEQ, c"EILSEQ", c"illegal byte sequence";
    -libc::EINTR, c"EINTR", c"interrupted system call";
    -libc::EINVAL, c"EINVAL", c"invalid argument";
    -libc::EIO, c"EIO", c"i/o error";
    -libc::EISCONN, c"EISCONN", c"socket is already connected";
    -libc::EISDIR, c"EISDIR", c"illegal operation on a directory";
    -libc::ELOOP, c"ELOOP", c"too many symbolic links encountered";
    -libc::EMFILE, c"EMFILE", c"too many open files";
    -libc::EMLINK, c"EMLINK", c"too many links";
    -libc::EMSGSIZE, c"EMSGSIZE", c"message too long";
    -libc::ENAMETOOLONG, c"ENAMETOOLONG", c"name too long";
    -libc::ENETDOWN, c"ENETDOWN", c"network is down";
    -libc::ENETUNREACH, c"ENETUNREACH", c"network is unreachable";
    -libc::ENFILE, c"ENFILE", c"file table overflow";
    -libc::ENOBUFS, c"ENOBUFS", c"no buffer space available";
    -libc::ENODATA, c"ENODATA", c"no data available";
    -libc::ENODEV, c"ENODEV", c"no such device";
    -libc::ENOENT, c"ENOENT", c"no such file or directory";
    -libc::ENOMEM, c"ENOMEM", c"not enough memory";
    -libc::ENONET, c"ENONET", c"machine is not on the network";
    -libc::ENOPROTOOPT, c"ENOPROTOOPT", c"protocol not available";
    -libc::ENOSPC, c"ENOSPC", c"no space left on device";
    -libc::ENOSYS, c"ENOSYS", c"function not implemented";
    -libc::ENOTCONN, c"ENOTCONN", c"socket is not connected";
    -libc::ENOTDIR, c"ENOTDIR", c"not a directory";
    -libc::ENOTEMPTY, c"ENOTEMPTY", c"directory not empty";
    -libc::ENOTSOCK, c"ENOTSOCK", c"socket operation on non-socket";
    -libc::ENOTSUP, c"ENOTSUP", c"operation not supported on socket";
    -libc::ENOTTY, c"ENOTTY", c"inappropriate ioctl for device";
    -libc::ENXIO, c"ENXIO", c"no such device or address";
    -libc::EOVERFLOW, c"EOVERFLOW", c"value too large for defined data type";
    -libc::EPERM, c"EPERM", c"operation not permitted";
    -libc::EPIPE, c"EPIPE", c"broken pipe";
    -libc::EPROTO, c"EPROTO", c"protocol error";
    -libc::EPROTONOSUPPORT, c"EPROTONOSUPPORT", c"protocol not supported";
    -libc::EPROTOTYPE, c"EPROTOTYPE", c"protocol wrong type for socket";
    -libc::ERANGE, c"ERANGE", c"result too large";
    -libc::EREMOTEIO, c"EREMOTEIO", c"remote I/O error";
    -libc::EROFS, c"EROFS", c"read-only file system";
    -libc::ESHUTDOWN, c"ESHUTDOWN", c"cannot send after transport endpoint shutdown";
    -libc::ESOCKTNOSUPPORT, c"ESOCKTNOSUPPORT", c"socket type not supported";
    -libc::ESPIPE, c"ESPIPE", c"invalid seek";
    -libc::ESRCH, c"ESRCH", c"no such process";
    -libc::ETIMEDOUT, c"ETIMEDOUT", c"connection timed out";
    -libc::ETXTBSY, c"ETXTBSY", c"text file is busy";
    -libc::EUNATCH, c"EUNATCH", c"protocol driver not attached";
    -libc::EXDEV, c"EXDEV", c"cross-device link not permitted";
    EOF, c"EOF", c"end of file";
    UNKNOWN, c"UNKNOWN", c"unknown error";
    EPANIC, c"EPANIC", c"internal error: a Rust panic was caught at the C boundary";
}

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

//! The raw `libc` calls of ruv that no safe crate wraps, each in a safe function.

use std::ffi::CString;
use std::os::raw::c_int;

/// Whether `fd` is an open descriptor.
pub(crate) fn fd_is_open(fd: c_int) -> bool {
    // SAFETY: fcntl(F_GETFD) only inspects the descriptor table; any int is a valid argument.
    fd >= 0 && unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0
}

/// The socket type (SOCK_STREAM, …) of `fd`, or `None` if it is not a socket.
pub(crate) fn socket_type(fd: c_int) -> Option<c_int> {
    let mut ty: c_int = 0;
    let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `ty`, a c_int of that size.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&mut ty as *mut c_int).cast(),
            &mut len,
        )
    };
    (r == 0).then_some(ty)
}

/// The index of a network interface by name, if it exists.
pub(crate) fn interface_index(name: &str) -> Option<u32> {
    let name = CString::new(name).ok()?;
    // SAFETY: `name` is a valid NUL-terminated string for the duration of the call.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (index != 0).then_some(index)
}

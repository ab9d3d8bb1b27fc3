//! The raw `libc` calls of ruv that no safe crate wraps, each in a safe function.

use std::ffi::CString;
use std::os::raw::c_int;

/// Blocks every signal in the calling thread (a worker-pool thread): signals go to the
/// application's own threads, so one meant to interrupt a loop's poll (Ctrl-C) reaches it.
pub fn block_signals() {
    // SAFETY: `set` is initialized by sigfillset before use; pthread_sigmask only changes the
    // calling thread's mask (the old mask is not wanted: NULL).
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

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

/// A signal's disposition as `sigaction(2)` reported it, kept to be restored.
pub(crate) struct Disposition(libc::sigaction);

/// An all-zero `struct sigaction`: `SIG_DFL`, no flags, an empty mask.
fn zeroed_sigaction() -> libc::sigaction {
    // SAFETY: `struct sigaction` is plain data (integers, a signal set, an optional function
    // pointer); all-zero bytes are a valid value of every field.
    unsafe { std::mem::zeroed() }
}

/// Installs `handler` for `signum` (`SA_RESTART`, every signal blocked while it runs, so it never
/// nests) and returns the disposition it replaced. `Err(-errno)`: e.g. `RUV_EINVAL` for a signal
/// that cannot be caught or that the C library keeps for itself.
pub(crate) fn install_handler(
    signum: c_int,
    handler: extern "C" fn(c_int),
) -> Result<Disposition, c_int> {
    let mut act = zeroed_sigaction();
    act.sa_sigaction = handler as libc::sighandler_t;
    act.sa_flags = libc::SA_RESTART;
    // SAFETY: `act.sa_mask` is a valid, writable sigset_t.
    unsafe { libc::sigfillset(&mut act.sa_mask) };
    let mut old = zeroed_sigaction();
    // SAFETY: both pointers are to valid `struct sigaction` values owned by this frame; the
    // handler is an `extern "C" fn(c_int)` that lives as long as the program.
    let r = unsafe { libc::sigaction(signum, &act, &mut old) };
    if r != 0 {
        return Err(-std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL));
    }
    Ok(Disposition(old))
}

/// Puts back a disposition saved by [`install_handler`].
pub(crate) fn restore_handler(signum: c_int, previous: &Disposition) {
    // SAFETY: `previous.0` is a `struct sigaction` the kernel filled in for this signal; a NULL
    // old-action pointer is allowed.
    unsafe { libc::sigaction(signum, &previous.0, std::ptr::null_mut()) };
}

/// The highest signal number of this system (`SIGRTMAX`).
pub(crate) fn sigrtmax() -> c_int {
    libc::SIGRTMAX()
}

/// Saves `errno` and restores it when dropped: a signal handler must leave the interrupted
/// code's `errno` as it found it (its `write(2)` may change it).
pub(crate) struct ErrnoGuard(c_int);

impl ErrnoGuard {
    /// Saves the calling thread's `errno`.
    pub(crate) fn save() -> Self {
        // SAFETY: __errno_location returns the calling thread's errno slot, always valid.
        ErrnoGuard(unsafe { *libc::__errno_location() })
    }
}

impl Drop for ErrnoGuard {
    fn drop(&mut self) {
        // SAFETY: as in `save`; writing an int to the thread's own errno slot.
        unsafe { *libc::__errno_location() = self.0 };
    }
}

/// What the access mode of an open descriptor allows: (readable, writable), from
/// `fcntl(F_GETFL)`; `None` if `fd` is not open.
pub(crate) fn access_mode(fd: c_int) -> Option<(bool, bool)> {
    // SAFETY: F_GETFL only reads the descriptor's status flags; any int is a valid argument.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return None;
    }
    Some(match flags & libc::O_ACCMODE {
        libc::O_RDONLY => (true, false),
        libc::O_WRONLY => (false, true),
        _ => (true, true),
    })
}

/// An `AF_UNSPEC` socket address: `connect(2)` to it dissolves a UDP socket's connection.
pub(crate) fn unspec_addr() -> socket2::SockAddr {
    let len = std::mem::size_of::<libc::sa_family_t>() as libc::socklen_t;
    // SAFETY: zeroed storage has family 0 (AF_UNSPEC), and an AF_UNSPEC address consists of
    // the family alone, so `len` covers exactly the initialised address.
    unsafe { socket2::SockAddr::new(socket2::SockAddrStorage::zeroed(), len) }
}

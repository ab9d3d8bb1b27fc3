//! Pipe handles: streams over Unix-domain sockets (a path, or a Linux abstract name whose
//! first byte is NUL), and pipe or FIFO ends adopted with `ruv_pipe_open`. The stream
//! functions (`ruv_read_start`, `ruv_write`, …) work on them through `RUV_STREAM(p)`.

use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::os::raw::{c_char, c_int};

use crate::core::error::{EBADF, EINVAL, EISCONN, ENAMETOOLONG, ENOBUFS, ENOTCONN, ENOTSUP};
use crate::core::handle::HandleType;

use super::handle::{new_handle, with_kind};
use super::sys;
use super::types::{kind_ref, ruv_loop_t, ruv_pipe_t, ruv_stream_cb};

/// Bytes in `sun_path`: the longest abstract name; a path needs one more for its NUL.
const SUN_PATH_LEN: usize =
    std::mem::size_of::<libc::sockaddr_un>() - std::mem::size_of::<libc::sa_family_t>();

/// Borrows a pipe name of `namelen` bytes (no NUL needed). `RUV_EINVAL` for NULL or empty,
/// `RUV_ENAMETOOLONG` if it does not fit in `sun_path`.
fn pipe_name<'a>(name: *const c_char, namelen: usize) -> Result<&'a [u8], c_int> {
    if name.is_null() || namelen == 0 {
        return Err(EINVAL);
    }
    // SAFETY: the caller passes `namelen` readable bytes at `name` (API contract); the slice
    // lives only for this call.
    let bytes = unsafe { std::slice::from_raw_parts(name.cast::<u8>(), namelen) };
    let room = if bytes[0] == 0 {
        SUN_PATH_LEN
    } else {
        SUN_PATH_LEN - 1
    };
    if namelen > room {
        return Err(ENAMETOOLONG);
    }
    Ok(bytes)
}

/// Copies `name` (no NUL) into the caller's `buf` of `*len` bytes and stores its length in
/// `*len`; a buffer too small: `RUV_ENOBUFS`, with `*len` set to the length needed.
fn copy_name(name: &[u8], buf: *mut c_char, len: *mut usize) -> Result<c_int, c_int> {
    // SAFETY: `len` was checked non-NULL by the caller and points at the caller's size_t.
    let room = unsafe { len.read() };
    // SAFETY: as above.
    unsafe { len.write(name.len()) };
    if name.len() > room {
        return Err(ENOBUFS);
    }
    // SAFETY: `buf` is non-NULL (checked by the caller) with `room` >= name.len() writable
    // bytes; `name` is our own allocation, so the regions do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), buf.cast::<u8>(), name.len()) };
    Ok(0)
}

ffi_fn! {
    /// Creates a pipe handle in `*out`; its socket appears on bind, connect or open. `ipc` must
    /// be 0 (passing handles is not supported: RUV_ENOTSUP). Errors: RUV_EINVAL (NULL or invalid
    /// loop, NULL `out`).
    fn ruv_pipe_new(loop_: *mut ruv_loop_t, ipc: c_int, out: *mut *mut ruv_pipe_t) -> c_int {
        new_handle(loop_, out, HandleType::NamedPipe, |core, owner| {
            if ipc != 0 {
                return Err(ENOTSUP);
            }
            Ok((core.pipe_new(owner)?, None))
        })
    }
}

ffi_fn! {
    /// Binds to the `namelen` bytes at `name` (no NUL needed): a path, or with a first byte NUL
    /// a Linux abstract name. A bound path is removed when the handle closes. Errors: RUV_EINVAL
    /// (NULL, empty, a NUL inside a path, already bound or connected), RUV_ENAMETOOLONG (longer
    /// than sun_path), RUV_EADDRINUSE (the path exists), other bind errors (RUV_EACCES, …).
    fn ruv_pipe_bind(p: *mut ruv_pipe_t, name: *const c_char, namelen: usize) -> c_int {
        kind_ref(p, HandleType::NamedPipe)?;
        let name = pipe_name(name, namelen)?;
        with_kind(p, HandleType::NamedPipe, |core, id| core.pipe_bind(id, name))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Connects to the pipe named by `namelen` bytes at `name` (as ruv_pipe_bind). Every
    /// connection error (RUV_ENOENT, RUV_ECONNREFUSED, RUV_EACCES, …) reaches `cb(s, status)`
    /// from the loop, never from this call. Errors returned at once (no callback then):
    /// RUV_EINVAL (NULL, empty name, NULL `cb`, listening, already connected),
    /// RUV_ENAMETOOLONG, RUV_EALREADY (connecting).
    fn ruv_pipe_connect(
        p: *mut ruv_pipe_t,
        name: *const c_char,
        namelen: usize,
        cb: ruv_stream_cb,
    ) -> c_int {
        kind_ref(p, HandleType::NamedPipe)?;
        let name = pipe_name(name, namelen)?;
        let cb = cb.ok_or(EINVAL)?;
        // §8: a pipe that is already connected is an argument error (RUV_EINVAL).
        match with_kind(p, HandleType::NamedPipe, |core, id| core.pipe_connect(id, name, cb)) {
            Err(EISCONN) => Err(EINVAL),
            other => other.map(|()| 0),
        }
    }
}

ffi_fn! {
    /// Adopts descriptor `fd`: a Unix-domain stream socket (connected or listening), a pipe end
    /// or a FIFO end. It is made non-blocking and the handle owns (and closes) it from then on.
    /// A pipe or FIFO end reads and writes as its access mode allows: writes to a read-only end
    /// fail with RUV_EPIPE, ruv_read_start on a write-only end with RUV_ENOTCONN. Errors (the
    /// caller keeps `fd` then): RUV_EBADF (not open), RUV_EEXIST (another handle of this loop
    /// holds `fd`; checked first), RUV_EBUSY (the handle has a descriptor), RUV_EPERM (a regular
    /// file or a directory: it cannot be polled), RUV_EAFNOSUPPORT (a socket that is not a
    /// Unix-domain socket), RUV_EINVAL (NULL, not a pipe handle, a datagram socket).
    fn ruv_pipe_open(p: *mut ruv_pipe_t, fd: c_int) -> c_int {
        kind_ref(p, HandleType::NamedPipe)?;
        let (readable, writable) = sys::access_mode(fd).ok_or(EBADF)?;
        // SAFETY: `fd` is an open descriptor; ownership passes to the handle on success and is
        // given back (into_raw_fd, not closed) on failure.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        let opened = with_kind(p, HandleType::NamedPipe, |core, id| {
            Ok(core.pipe_open(id, owned, readable, writable))
        })?;
        match opened {
            Ok(()) => Ok(0),
            Err((code, owned)) => {
                let _ = owned.into_raw_fd();
                Err(code)
            }
        }
    }
}

ffi_fn! {
    /// Copies the name the pipe is bound to (no NUL) into `buf` of `*len` bytes and stores its
    /// length in `*len`: 0 for an unbound pipe or an unnamed socket; an abstract name starts with
    /// its NUL byte. Errors: RUV_ENOBUFS (`buf` too small: `*len` is set to the length needed, the
    /// one out-parameter written on an error), RUV_EINVAL (NULL, not a pipe, closing),
    /// RUV_ENOTSOCK (a pipe or FIFO end).
    fn ruv_pipe_getsockname(p: *const ruv_pipe_t, buf: *mut c_char, len: *mut usize) -> c_int {
        if buf.is_null() || len.is_null() {
            return Err(EINVAL);
        }
        let name = match with_kind(p, HandleType::NamedPipe, |core, id| core.pipe_getsockname(id)) {
            Err(EBADF) => Vec::new(),
            other => other?,
        };
        copy_name(&name, buf, len)
    }
}

ffi_fn! {
    /// Copies the name of the peer (no NUL; empty for an unnamed peer, e.g. a socketpair end)
    /// into `buf` as ruv_pipe_getsockname does. Errors: RUV_ENOTCONN (not connected),
    /// RUV_ENOBUFS, RUV_EINVAL, RUV_ENOTSOCK as ruv_pipe_getsockname.
    fn ruv_pipe_getpeername(p: *const ruv_pipe_t, buf: *mut c_char, len: *mut usize) -> c_int {
        if buf.is_null() || len.is_null() {
            return Err(EINVAL);
        }
        let name = match with_kind(p, HandleType::NamedPipe, |core, id| core.pipe_getpeername(id)) {
            Err(EBADF) => return Err(ENOTCONN),
            other => other?,
        };
        copy_name(&name, buf, len)
    }
}

ffi_fn! {
    /// Gives everyone read (RUV_READABLE) and/or write (RUV_WRITABLE) permission on the socket
    /// file the pipe is bound to, keeping the permissions it has. Errors: RUV_EINVAL (flags 0 or
    /// unknown bits, an unbound pipe, an abstract name, NULL, not a pipe), the file system's
    /// error (RUV_EPERM, …).
    fn ruv_pipe_chmod(p: *mut ruv_pipe_t, flags: c_int) -> c_int {
        let flags = u32::try_from(flags).map_err(|_| EINVAL)?;
        with_kind(p, HandleType::NamedPipe, |core, id| core.pipe_chmod(id, flags))?;
        Ok(0)
    }
}

//! What `ruv.TCP` and `ruv.Pipe` share beyond the stream methods, differing only in the core
//! call they make: listen, accept, the two halves of connect, open of a socket descriptor, and
//! the socket buffer sizes (properties of `Stream`, which only TCP and Pipe are).

use std::os::fd::{FromRawFd, IntoRawFd};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use ruv::core::error::{Code, EBADF, EINVAL, ENOTSOCK};
use ruv::core::handle_table::HandleId;
use ruv::core::socket::BufferKind;
use socket2::Socket;

use crate::errors::closed;
use crate::handle::{op, update_pin, Handle};
use crate::host::CoreLoop;
use crate::stream::{check_callable, Stream};

/// Whether the descriptor is open.
pub fn fd_is_open(fd: i32) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags; any int is a valid argument.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// The access mode of an open descriptor: (readable, writable), from `fcntl(F_GETFL)`.
pub fn fd_access(fd: i32) -> (bool, bool) {
    // SAFETY: F_GETFL only reads the descriptor's status flags; any int is a valid argument.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    match flags & libc::O_ACCMODE {
        _ if flags == -1 => (false, false),
        libc::O_RDONLY => (true, false),
        libc::O_WRONLY => (false, true),
        _ => (true, true),
    }
}

/// Whether the descriptor is a socket.
pub fn fd_is_socket(fd: i32) -> bool {
    let mut ty: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `ty` and `len` are valid for writes of the sizes given.
    unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&mut ty as *mut libc::c_int).cast(),
            &mut len,
        ) == 0
    }
}

/// listen(callback, backlog): starts listening; `callback(server, error)` per connection.
pub fn listen(slf: &Bound<'_, Stream>, callback: PyObject, backlog: i32) -> PyResult<()> {
    let py = slf.py();
    if backlog < 0 {
        return Err(PyValueError::new_err("backlog must be bigger than 0"));
    }
    check_callable(py, Some(&callback), "a callable is required")?;
    let h = slf.as_super().get();
    op(py, h, |c, id| c.stream_listen(id, backlog, ()))?;
    slf.get().st.get_mut(py)?.listen_cb = Some(callback);
    update_pin(slf.as_any(), h);
    Ok(())
}

/// accept(client): moves the pending connection into `client`, a new stream handle of the
/// same loop (of the server's kind: the core refuses another with EINVAL).
pub fn accept(slf: &Bound<'_, Stream>, client: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = slf.py();
    let server = slf.as_super().get();
    if server.st.get(py)?.closing {
        return Err(closed(py));
    }
    let client = client
        .downcast::<Stream>()
        .map_err(|_| PyTypeError::new_err("Only stream objects are supported for accept"))?;
    let c = client.as_super().get();
    let (client_id, client_loop) = {
        let st = c.st.get(py)?;
        if st.closing {
            return Err(closed(py));
        }
        (st.id, st.lp.as_ref().map(|l| l.as_ptr()))
    };
    let same = server.st.get(py)?.lp.as_ref().map(|l| l.as_ptr()) == client_loop;
    op(py, server, |core, id| {
        if !same {
            return Err(EINVAL);
        }
        core.stream_accept(id, client_id)
    })
}

/// The checks of connect that come before its address is parsed: the handle is open and the
/// callback callable.
pub fn connect_checks(slf: &Bound<'_, Stream>, callback: &PyObject) -> PyResult<()> {
    let py = slf.py();
    if slf.as_super().get().st.get(py)?.closing {
        return Err(closed(py));
    }
    check_callable(py, Some(callback), "a callable is required")
}

/// Starts the connect with `start` and keeps `callback` for its completion.
pub fn connect(
    slf: &Bound<'_, Stream>,
    callback: PyObject,
    start: impl FnOnce(&mut CoreLoop, HandleId) -> Result<(), Code>,
) -> PyResult<()> {
    let py = slf.py();
    let h = slf.as_super().get();
    op(py, h, start)?;
    slf.get().st.get_mut(py)?.connect_cb = Some(callback);
    h.st.get_mut(py)?.pending += 1;
    update_pin(slf.as_any(), h);
    Ok(())
}

/// open(fd): adopts an existing socket descriptor; the handle owns (and closes) it from then
/// on. Not open: EBADF; not a socket: ENOTSOCK; a socket of the other kind's family:
/// EAFNOSUPPORT (the core's check).
pub fn open_socket(h: &Handle, py: Python<'_>, fd: i32) -> PyResult<()> {
    op(py, h, |c, id| adopt_fd(fd, |s| c.tcp_open(id, s)))
}

/// Hands the open socket `fd` to `open` (a core `*_open`), which owns it on success and hands
/// it back on failure; `EBADF` for a closed descriptor, `ENOTSOCK` for one that is no socket.
/// The descriptor is never closed here.
pub fn adopt_fd(
    fd: i32,
    open: impl FnOnce(Socket) -> Result<(), (Code, Socket)>,
) -> Result<(), Code> {
    if fd < 0 || !fd_is_open(fd) {
        return Err(EBADF);
    }
    if !fd_is_socket(fd) {
        return Err(ENOTSOCK);
    }
    // SAFETY: `fd` is an open socket; the handle owns it on success, and on failure it is
    // handed back (into_raw_fd), never closed.
    let sock = unsafe { Socket::from_raw_fd(fd) };
    open(sock).map_err(|(code, sock)| {
        let _ = sock.into_raw_fd();
        code
    })
}

/// Reads, or sets then reads, a socket buffer size: `CoreLoop::stream_buffer_size` or
/// `CoreLoop::udp_buffer_size`.
pub type SizeGetSet = fn(&CoreLoop, HandleId, BufferKind, Option<i32>) -> Result<i32, Code>;

/// Reads a socket buffer size (SO_SNDBUF / SO_RCVBUF) with `f`, after setting it to `set` if
/// given.
pub fn buffer_size(
    h: &Handle,
    py: Python<'_>,
    kind: BufferKind,
    set: Option<i32>,
    f: SizeGetSet,
) -> PyResult<i32> {
    op(py, h, |c, id| f(c, id, kind, set))
}

/// The setter of a buffer size property (deleting it is a TypeError).
pub fn set_buffer_size(
    h: &Handle,
    py: Python<'_>,
    kind: BufferKind,
    value: Option<i32>,
    f: SizeGetSet,
) -> PyResult<()> {
    let Some(size) = value else {
        return Err(PyTypeError::new_err("cannot delete attribute"));
    };
    buffer_size(h, py, kind, Some(size), f).map(|_| ())
}

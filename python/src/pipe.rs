//! `ruv.Pipe`: pyuv's Pipe handle, a stream over a Unix-domain socket — bind/listen/accept,
//! connect, the names of both ends — or over a pipe descriptor (`open` of an `os.pipe()` end).
//!
//! Handle passing (`ipc=True`) is not supported: the flag is kept and reported by `ipc`, but a
//! write with a handle to send raises PipeError(UV_ENOTSUP), and `pending_handle_type()` is
//! always UV_UNKNOWN_HANDLE.

use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyString, PyTuple};
use ruv::core::error::{EBADF, ENOTSUP};

use crate::errors::{closed, uv_error, ErrKind};
use crate::handle::{init, op, Handle};
use crate::loop_obj::Loop;
use crate::server;
use crate::stream::Stream;

/// libuv's handle type number of no handle (`UV_UNKNOWN_HANDLE`).
const UV_UNKNOWN_HANDLE: i32 = 0;

/// Pipe(loop, ipc=False): a stream over a Unix-domain socket (a named pipe), client or server,
/// or over a pipe descriptor given to open().
///
/// Names are file-system paths (str or bytes), or on Linux abstract names starting with
/// "\x00". A path a Pipe bound is removed when the Pipe closes. Handle passing (ipc=True) is not
/// supported: write() with a handle raises PipeError(UV_ENOTSUP).
#[pyclass(module = "ruv", name = "Pipe", extends = Stream, subclass, frozen)]
pub struct Pipe {
    ipc: AtomicBool,
}

/// The `Handle` part of a Pipe object.
fn base<'a>(slf: &'a Bound<'_, Pipe>) -> &'a Handle {
    slf.as_super().as_super().get()
}

/// A pipe name as bytes: str (encoded as os.fsencode does), bytes, or an os.PathLike.
fn name_bytes<'py>(name: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let py = name.py();
    let os = py.import(pyo3::intern!(py, "os"))?;
    Ok(os
        .call_method1(pyo3::intern!(py, "fsencode"), (name,))?
        .downcast_into::<PyBytes>()?)
}

/// A name from the core as str (decoded as os.fsdecode does), as pyuv returns it.
fn name_str<'py>(py: Python<'py>, name: &[u8]) -> PyResult<Bound<'py, PyString>> {
    let os = py.import(pyo3::intern!(py, "os"))?;
    Ok(os
        .call_method1(pyo3::intern!(py, "fsdecode"), (PyBytes::new(py, name),))?
        .downcast_into::<PyString>()?)
}

/// HandleClosedError once the Pipe is closing.
fn check_open(slf: &Bound<'_, Pipe>) -> PyResult<()> {
    let py = slf.py();
    if base(slf).st.get(py)?.closing {
        return Err(closed(py));
    }
    Ok(())
}

#[pymethods]
impl Pipe {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Handle::blank())
            .add_subclass(Stream::blank())
            .add_subclass(Pipe {
                ipc: AtomicBool::new(false),
            })
    }

    /// __init__(loop, ipc=False)
    ///
    /// Creates the handle in `loop`; its socket appears on bind, connect or open. `ipc` (a
    /// bool) is kept and reported, but handles cannot be passed (see the class doc).
    #[pyo3(signature = (r#loop, ipc = None))]
    fn __init__(
        slf: &Bound<'_, Self>,
        r#loop: &Bound<'_, Loop>,
        ipc: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let ipc = match ipc {
            None => false,
            Some(v) => v
                .downcast::<PyBool>()
                .map_err(|_| PyTypeError::new_err("ipc must be a bool"))?
                .is_true(),
        };
        init(
            slf.as_super().as_super(),
            r#loop,
            ErrKind::Pipe,
            |c, owner| c.pipe_new(owner),
        )?;
        slf.get().ipc.store(ipc, Ordering::Relaxed);
        Ok(())
    }

    /// bind(name)
    ///
    /// Binds to `name` (a path, str or bytes; "\x00..." is an abstract name on Linux).
    /// PipeError UV_EADDRINUSE if the path exists; the path is removed when the Pipe closes.
    fn bind(slf: &Bound<'_, Self>, name: &Bound<'_, PyAny>) -> PyResult<()> {
        check_open(slf)?;
        let name = name_bytes(name)?;
        op(slf.py(), base(slf), |c, id| {
            c.pipe_bind(id, name.as_bytes())
        })
    }

    /// listen(callback, backlog=511)
    ///
    /// Listens on the bound name; `callback(server, error)` runs once per pending connection:
    /// accept() it into a new Pipe there or later.
    #[pyo3(signature = (callback, backlog = 511))]
    fn listen(slf: &Bound<'_, Self>, callback: PyObject, backlog: i32) -> PyResult<()> {
        server::listen(slf.as_super(), callback, backlog)
    }

    /// accept(client)
    ///
    /// Moves the pending connection into `client`, a new Pipe of the same loop.
    fn accept(slf: &Bound<'_, Self>, client: &Bound<'_, PyAny>) -> PyResult<()> {
        server::accept(slf.as_super(), client)
    }

    /// connect(name, callback)
    ///
    /// Connects to the Pipe server at `name`; `callback(handle, error)` reports the outcome,
    /// a failure too (UV_ENOENT for a missing path, UV_ECONNREFUSED when nobody listens),
    /// always from the loop.
    fn connect(slf: &Bound<'_, Self>, name: &Bound<'_, PyAny>, callback: PyObject) -> PyResult<()> {
        server::connect_checks(slf.as_super(), &callback)?;
        let name = name_bytes(name)?;
        server::connect(slf.as_super(), callback, |c, id| {
            c.pipe_connect(id, name.as_bytes(), ())
        })
    }

    /// open(fd)
    ///
    /// Adopts an existing descriptor: a Unix-domain socket (a socketpair end), or a pipe or
    /// FIFO end (os.pipe()), read and written as its access mode allows. The handle owns (and
    /// closes) it from then on and makes it non-blocking. PipeError UV_EAFNOSUPPORT for a
    /// socket of another family, UV_EPERM for a descriptor that cannot be polled (a regular
    /// file), UV_EEXIST for one another handle holds; a refused descriptor stays open.
    fn open(slf: &Bound<'_, Self>, fd: i32) -> PyResult<()> {
        op(slf.py(), base(slf), |c, id| {
            if fd < 0 || !server::fd_is_open(fd) {
                return Err(EBADF);
            }
            let (readable, writable) = server::fd_access(fd);
            // SAFETY: `fd` is open; the handle owns it on success, and on failure it is handed
            // back (into_raw_fd), never closed.
            let owned = unsafe { OwnedFd::from_raw_fd(fd) };
            c.pipe_open(id, owned, readable, writable)
                .map_err(|(code, fd)| {
                    let _ = fd.into_raw_fd();
                    code
                })
        })
    }

    /// write(data, callback=None, send_handle=None)
    ///
    /// Writes `data` like Stream.write. Passing a handle (`send_handle`) is not supported:
    /// PipeError UV_ENOTSUP.
    #[pyo3(signature = (data, callback = None, send_handle = None))]
    fn write(
        slf: &Bound<'_, Self>,
        data: &Bound<'_, PyAny>,
        callback: Option<PyObject>,
        send_handle: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if send_handle.is_some_and(|h| !h.is_none()) {
            check_open(slf)?;
            return Err(uv_error(slf.py(), ErrKind::Pipe, ENOTSUP));
        }
        Stream::write(slf.as_super(), data, callback)
    }

    /// getsockname() -> str
    ///
    /// The name the Pipe is bound to ("" if unnamed).
    fn getsockname<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyString>> {
        let name = op(slf.py(), base(slf), |c, id| c.pipe_getsockname(id))?;
        name_str(slf.py(), &name)
    }

    /// getpeername() -> str
    ///
    /// The name of the connected peer ("" if unnamed, as an accepted client is).
    fn getpeername<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyString>> {
        let name = op(slf.py(), base(slf), |c, id| c.pipe_getpeername(id))?;
        name_str(slf.py(), &name)
    }

    /// pending_instances(count)
    ///
    /// Windows only in libuv (pending pipe instances of a server); does nothing here.
    fn pending_instances(slf: &Bound<'_, Self>, count: i32) -> PyResult<()> {
        let _ = count;
        check_open(slf)
    }

    /// pending_handle_type() -> int
    ///
    /// The type of a handle passed over the Pipe and waiting for accept(): always
    /// UV_UNKNOWN_HANDLE, since ruv does not pass handles.
    fn pending_handle_type(slf: &Bound<'_, Self>) -> PyResult<i32> {
        check_open(slf)?;
        Ok(UV_UNKNOWN_HANDLE)
    }

    /// Whether the Pipe was created with ipc=True (handle passing itself is not supported).
    #[getter]
    fn ipc(slf: &Bound<'_, Self>) -> bool {
        slf.get().ipc.load(Ordering::Relaxed)
    }
}

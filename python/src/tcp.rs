//! `ruv.TCP`: every member of pyuv's TCP handle beyond the stream ones.

use std::os::fd::{FromRawFd, IntoRawFd};

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use ruv::core::error::{Code, EBADF, EINVAL, ENOTSOCK};
use ruv::core::handle_table::HandleId;
use ruv::core::tcp_options::BufferKind;
use socket2::Socket;

use crate::addr;
use crate::errors::{closed, ErrKind};
use crate::excepthook::report;
use crate::handle::{init, op, update_pin, Handle};
use crate::host::CoreLoop;
use crate::invoke::invoke;
use crate::loop_obj::Loop;
use crate::stream::{check_callable, complete_request, status, stream_of, Stream};

/// TCP(loop, family=AF_UNSPEC): a TCP client or server handle.
///
/// With family AF_INET or AF_INET6 the socket is created at once; with AF_UNSPEC on bind,
/// connect or open.
#[pyclass(module = "ruv", name = "TCP", extends = Stream, subclass, frozen)]
pub struct Tcp {}

/// The `Handle` part of a TCP object.
fn base<'a>(slf: &'a Bound<'_, Tcp>) -> &'a Handle {
    slf.as_super().as_super().get()
}

/// Hands the open socket `fd` to `open` (a core `*_open`), which owns it on success and hands
/// it back on failure; `EBADF` for a closed descriptor, `ENOTSOCK` for one that is no socket.
/// The descriptor is never closed here.
pub(crate) fn adopt_fd(
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

/// Whether the descriptor is open.
fn fd_is_open(fd: i32) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags; any int is a valid argument.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// Whether the descriptor is a socket.
fn fd_is_socket(fd: i32) -> bool {
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

fn flag(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(value.extract::<i64>()? != 0)
}

#[pymethods]
impl Tcp {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Handle::blank())
            .add_subclass(Stream::blank())
            .add_subclass(Tcp {})
    }

    /// __init__(loop, family=AF_UNSPEC)
    ///
    /// Creates the handle in `loop` (the socket too, for AF_INET / AF_INET6).
    #[pyo3(signature = (r#loop, family = 0))]
    fn __init__(slf: &Bound<'_, Self>, r#loop: &Bound<'_, Loop>, family: i32) -> PyResult<()> {
        init(
            slf.as_super().as_super(),
            r#loop,
            ErrKind::Tcp,
            |c, owner| c.tcp_new(owner, family),
        )
    }

    /// bind(address, flags=0)
    ///
    /// Binds to (ip, port[, flowinfo[, scope_id]]); flags: 0 or UV_TCP_IPV6ONLY. Reports
    /// EADDRINUSE itself.
    #[pyo3(signature = (address, flags = 0))]
    fn bind(slf: &Bound<'_, Self>, address: &Bound<'_, PyAny>, flags: u32) -> PyResult<()> {
        let py = slf.py();
        if base(slf).st.get(py)?.closing {
            return Err(closed(py));
        }
        let a = addr::parse(address)?;
        op(py, base(slf), |c, id| c.tcp_bind(id, a, flags))
    }

    /// listen(callback, backlog=511)
    ///
    /// Listens; `callback(server, error)` runs once per pending connection: accept() it
    /// into a new TCP handle there or later.
    #[pyo3(signature = (callback, backlog = 511))]
    fn listen(slf: &Bound<'_, Self>, callback: PyObject, backlog: i32) -> PyResult<()> {
        let py = slf.py();
        if backlog < 0 {
            return Err(PyValueError::new_err("backlog must be bigger than 0"));
        }
        check_callable(py, Some(&callback), "a callable is required")?;
        let h = base(slf);
        op(py, h, |c, id| c.tcp_listen(id, backlog, ()))?;
        slf.as_super().get().st.get_mut(py)?.listen_cb = Some(callback);
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// accept(client)
    ///
    /// Moves the pending connection into `client`, a new TCP handle of the same loop.
    fn accept(slf: &Bound<'_, Self>, client: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = slf.py();
        if base(slf).st.get(py)?.closing {
            return Err(closed(py));
        }
        let client = client
            .downcast::<Tcp>()
            .map_err(|_| PyTypeError::new_err("Only stream objects are supported for accept"))?;
        let c = base(client);
        let (client_id, client_loop) = {
            let st = c.st.get(py)?;
            if st.closing {
                return Err(closed(py));
            }
            (st.id, st.lp.as_ref().map(|l| l.as_ptr()))
        };
        let same = base(slf).st.get(py)?.lp.as_ref().map(|l| l.as_ptr()) == client_loop;
        op(py, base(slf), |core, id| {
            if !same {
                return Err(EINVAL);
            }
            core.tcp_accept(id, client_id)
        })
    }

    /// connect(address, callback)
    ///
    /// Connects to (ip, port[, flowinfo[, scope_id]]); `callback(handle, error)` reports the
    /// outcome (a refusal too), always from the loop.
    fn connect(
        slf: &Bound<'_, Self>,
        address: &Bound<'_, PyAny>,
        callback: PyObject,
    ) -> PyResult<()> {
        let py = slf.py();
        let h = base(slf);
        if h.st.get(py)?.closing {
            return Err(closed(py));
        }
        check_callable(py, Some(&callback), "a callable is required")?;
        let a = addr::parse(address)?;
        op(py, h, |c, id| c.tcp_connect(id, a, ()))?;
        slf.as_super().get().st.get_mut(py)?.connect_cb = Some(callback);
        h.st.get_mut(py)?.pending += 1;
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// open(fd)
    ///
    /// Adopts an existing socket descriptor; the handle owns (and closes) it from then on.
    fn open(slf: &Bound<'_, Self>, fd: i32) -> PyResult<()> {
        op(slf.py(), base(slf), |c, id| {
            adopt_fd(fd, |s| c.tcp_open(id, s))
        })
    }

    /// getsockname() -> tuple
    ///
    /// The local address: (ip, port), or (ip, port, flowinfo, scope_id) for IPv6.
    fn getsockname<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let a = op(slf.py(), base(slf), |c, id| c.tcp_getsockname(id))?;
        addr::to_tuple(slf.py(), &a)
    }

    /// getpeername() -> tuple
    ///
    /// The peer's address, like getsockname().
    fn getpeername<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let a = op(slf.py(), base(slf), |c, id| c.tcp_getpeername(id))?;
        addr::to_tuple(slf.py(), &a)
    }

    /// nodelay(enable)
    ///
    /// Enables / disables Nagle's algorithm (TCP_NODELAY).
    fn nodelay(slf: &Bound<'_, Self>, enable: &Bound<'_, PyAny>) -> PyResult<()> {
        let on = flag(enable)?;
        op(slf.py(), base(slf), |c, id| c.tcp_nodelay(id, on))
    }

    /// keepalive(enable, delay)
    ///
    /// Enables / disables TCP keep-alive; `delay` is the idle time in seconds.
    fn keepalive(slf: &Bound<'_, Self>, enable: &Bound<'_, PyAny>, delay: i64) -> PyResult<()> {
        let on = flag(enable)?;
        let delay = u32::try_from(delay)
            .map_err(|_| PyOverflowError::new_err("delay must be 0-4294967295"))?;
        op(slf.py(), base(slf), |c, id| c.tcp_keepalive(id, on, delay))
    }

    /// simultaneous_accepts(enable)
    ///
    /// Accept the whole backlog per wakeup (True, the default) or one connection per loop
    /// iteration.
    fn simultaneous_accepts(slf: &Bound<'_, Self>, enable: &Bound<'_, PyAny>) -> PyResult<()> {
        let on = flag(enable)?;
        op(slf.py(), base(slf), |c, id| {
            c.tcp_simultaneous_accepts(id, on)
        })
    }

    /// The socket's address family (TCPError UV_EBADF before a socket exists).
    #[getter]
    fn family(slf: &Bound<'_, Self>) -> PyResult<i32> {
        op(slf.py(), base(slf), |c, id| c.tcp_family(id))
    }

    /// The socket's send buffer size, SO_SNDBUF (get / set).
    #[getter]
    fn get_send_buffer_size(slf: &Bound<'_, Self>) -> PyResult<i32> {
        op(slf.py(), base(slf), |c, id| {
            c.tcp_buffer_size(id, BufferKind::Send, None)
        })
    }

    #[setter]
    fn set_send_buffer_size(slf: &Bound<'_, Self>, value: Option<i32>) -> PyResult<()> {
        set_size(slf, BufferKind::Send, value)
    }

    /// The socket's receive buffer size, SO_RCVBUF (get / set).
    #[getter]
    fn get_receive_buffer_size(slf: &Bound<'_, Self>) -> PyResult<i32> {
        op(slf.py(), base(slf), |c, id| {
            c.tcp_buffer_size(id, BufferKind::Receive, None)
        })
    }

    #[setter]
    fn set_receive_buffer_size(slf: &Bound<'_, Self>, value: Option<i32>) -> PyResult<()> {
        set_size(slf, BufferKind::Receive, value)
    }
}

fn set_size(slf: &Bound<'_, Tcp>, kind: BufferKind, value: Option<i32>) -> PyResult<()> {
    set_buffer_size(slf.py(), base(slf), kind, value, CoreLoop::tcp_buffer_size)
}

/// Reads, or sets then reads, a socket buffer size: `CoreLoop::tcp_buffer_size` or
/// `CoreLoop::udp_buffer_size`.
pub(crate) type SizeGetSet = fn(&CoreLoop, HandleId, BufferKind, Option<i32>) -> Result<i32, Code>;

/// The setter of `send_buffer_size` / `receive_buffer_size` (TCP and UDP): `value` None is
/// a `del`.
pub(crate) fn set_buffer_size(
    py: Python<'_>,
    h: &Handle,
    kind: BufferKind,
    value: Option<i32>,
    f: SizeGetSet,
) -> PyResult<()> {
    let Some(size) = value else {
        return Err(PyTypeError::new_err("cannot delete attribute"));
    };
    op(py, h, |c, id| f(c, id, kind, Some(size))).map(|_| ())
}

/// Listen dispatch: a connection is pending (or accepting failed).
pub fn on_connection(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, code: i32) {
    let py = obj.py();
    // SAFETY: connections are dispatched for TCP handles only, whose objects are Streams.
    let s = unsafe { stream_of(obj) };
    let Some(cb) =
        s.st.get(py)
            .ok()
            .and_then(|st| st.listen_cb.as_ref().map(|c| c.bind(py).clone()))
    else {
        return;
    };
    if let Err(e) = invoke(py, &cb, &[obj, &status(py, code)]) {
        report(py, lp, e);
    }
}

/// Connect dispatch.
pub fn on_connect(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, code: i32) {
    // SAFETY: connects are dispatched for TCP handles only, whose objects are Streams.
    unsafe { complete_request(lp, obj, code, |st| st.connect_cb.take()) }
}

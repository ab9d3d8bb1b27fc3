//! `ruv.TCP`: every member of pyuv's TCP handle beyond the stream ones, and the dispatch of the
//! listen and connect callbacks (of TCP and Pipe handles).

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::addr;
use crate::errors::{closed, ErrKind};
use crate::excepthook::report;
use crate::handle::{init, op, Handle};
use crate::invoke::invoke;
use crate::loop_obj::Loop;
use crate::server;
use crate::stream::{complete_request, status, stream_of, Stream};

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
        server::listen(slf.as_super(), callback, backlog)
    }

    /// accept(client)
    ///
    /// Moves the pending connection into `client`, a new TCP handle of the same loop.
    fn accept(slf: &Bound<'_, Self>, client: &Bound<'_, PyAny>) -> PyResult<()> {
        server::accept(slf.as_super(), client)
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
        server::connect_checks(slf.as_super(), &callback)?;
        let a = addr::parse(address)?;
        server::connect(slf.as_super(), callback, |c, id| c.tcp_connect(id, a, ()))
    }

    /// connect_host(host, port, callback)
    ///
    /// Connects to a host name (resolved on ruv's worker pool) or IP literal with Happy
    /// Eyeballs (RFC 8305); `callback(handle, error)` reports the outcome from the loop (a
    /// resolver error is a UV_EAI_* code). The handle must be made with AF_UNSPEC.
    fn connect_host(
        slf: &Bound<'_, Self>,
        host: &str,
        port: i32,
        callback: PyObject,
    ) -> PyResult<()> {
        server::connect_checks(slf.as_super(), &callback)?;
        let port = u16::try_from(port)
            .map_err(|_| pyo3::exceptions::PyValueError::new_err("port must be 0..65535"))?;
        server::connect(slf.as_super(), callback, |c, id| {
            c.tcp_connect_host(id, host, port, ())
        })
    }

    /// open(fd)
    ///
    /// Adopts an existing socket descriptor; the handle owns (and closes) it from then on.
    fn open(slf: &Bound<'_, Self>, fd: i32) -> PyResult<()> {
        server::open_socket(base(slf), slf.py(), fd)
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
}

/// Listen dispatch: a connection is pending (or accepting failed).
pub fn on_connection(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, code: i32) {
    let py = obj.py();
    // SAFETY: connections are dispatched for stream handles only (TCP, Pipe), whose objects
    // are Streams.
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
    // SAFETY: connects are dispatched for stream handles only (TCP, Pipe), whose objects are
    // Streams.
    unsafe { complete_request(lp, obj, code, |st| st.connect_cb.take()) }
}

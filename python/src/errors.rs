//! The exceptions of `ruv.error` (pyuv's hierarchy) and the conversion of core error codes.
//!
//! `UVError` ⊃ `HandleError` ⊃ `HandleClosedError`, `StreamError` ⊃ `TCPError`, `PipeError` and
//! `TLSError`,
//! and one `<Kind>Error` per other handle kind (`UDPError` for UDP). Every error but `HandleClosedError` carries
//! `args == (errno, message)` with a negative `ruv.errno.UV_*` code.

use std::ffi::CStr;

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyType;
use ruv::core::error::{self, Code};

/// Which exception class a handle kind raises.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ErrKind {
    Uv,
    Tcp,
    Pipe,
    Timer,
    Async,
    Idle,
    Prepare,
    Check,
    Poll,
    Signal,
    Udp,
}

struct Classes {
    uv: Py<PyType>,
    handle: Py<PyType>,
    closed: Py<PyType>,
    stream: Py<PyType>,
    tcp: Py<PyType>,
    pipe: Py<PyType>,
    tls: Py<PyType>,
    timer: Py<PyType>,
    async_: Py<PyType>,
    idle: Py<PyType>,
    prepare: Py<PyType>,
    check: Py<PyType>,
    poll: Py<PyType>,
    signal: Py<PyType>,
    udp: Py<PyType>,
}

static CLASSES: GILOnceCell<Classes> = GILOnceCell::new();

fn new_class(py: Python<'_>, name: &CStr, doc: &CStr, base: &Py<PyType>) -> PyResult<Py<PyType>> {
    PyErr::new_type(py, name, Some(doc), Some(base.bind(py)), None)
}

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let uv: Py<PyType> = PyErr::new_type(
            py,
            c"ruv.error.UVError",
            Some(c"Base class of every ruv error: args are (errno, message)."),
            Some(&py.get_type::<pyo3::exceptions::PyException>()),
            None,
        )?;
        let handle = new_class(
            py,
            c"ruv.error.HandleError",
            c"A handle operation failed.",
            &uv,
        )?;
        let closed = new_class(
            py,
            c"ruv.error.HandleClosedError",
            c"The handle is closing or closed.",
            &handle,
        )?;
        let stream = new_class(py, c"ruv.error.StreamError", c"A stream failed.", &handle)?;
        let tcp = new_class(py, c"ruv.error.TCPError", c"A TCP handle failed.", &stream)?;
        let pipe = new_class(
            py,
            c"ruv.error.PipeError",
            c"A Pipe handle failed.",
            &stream,
        )?;
        let tls = new_class(
            py,
            c"ruv.error.TLSError",
            c"A TLS configuration, handshake or session failed.",
            &stream,
        )?;
        let kind = |name: &CStr| new_class(py, name, c"A handle of this kind failed.", &handle);
        Ok(Classes {
            timer: kind(c"ruv.error.TimerError")?,
            async_: kind(c"ruv.error.AsyncError")?,
            idle: kind(c"ruv.error.IdleError")?,
            prepare: kind(c"ruv.error.PrepareError")?,
            check: kind(c"ruv.error.CheckError")?,
            poll: kind(c"ruv.error.PollError")?,
            signal: kind(c"ruv.error.SignalError")?,
            udp: new_class(py, c"ruv.error.UDPError", c"A UDP handle failed.", &handle)?,
            uv,
            handle,
            closed,
            stream,
            tcp,
            pipe,
            tls,
        })
    })
}

/// Adds the exception classes to the extension module (`ruv.error` re-exports them).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let c = classes(m.py())?;
    for (name, ty) in [
        ("UVError", &c.uv),
        ("HandleError", &c.handle),
        ("HandleClosedError", &c.closed),
        ("StreamError", &c.stream),
        ("TCPError", &c.tcp),
        ("PipeError", &c.pipe),
        ("TLSError", &c.tls),
        ("TimerError", &c.timer),
        ("AsyncError", &c.async_),
        ("IdleError", &c.idle),
        ("PrepareError", &c.prepare),
        ("CheckError", &c.check),
        ("PollError", &c.poll),
        ("SignalError", &c.signal),
        ("UDPError", &c.udp),
    ] {
        m.add(name, ty.clone_ref(m.py()))?;
    }
    Ok(())
}

/// The message for a code (ruv_strerror's).
pub fn strerror(code: Code) -> &'static str {
    error::describe(code)
        .and_then(|e| e.message.to_str().ok())
        .unwrap_or("unknown error")
}

/// The exception a failed call of a handle of `kind` raises for `code`.
pub fn uv_error(py: Python<'_>, kind: ErrKind, code: Code) -> PyErr {
    let Ok(c) = classes(py) else {
        return PyErr::fetch(py);
    };
    let ty = match kind {
        ErrKind::Uv => &c.uv,
        ErrKind::Tcp => &c.tcp,
        ErrKind::Pipe => &c.pipe,
        ErrKind::Timer => &c.timer,
        ErrKind::Async => &c.async_,
        ErrKind::Idle => &c.idle,
        ErrKind::Prepare => &c.prepare,
        ErrKind::Check => &c.check,
        ErrKind::Poll => &c.poll,
        ErrKind::Signal => &c.signal,
        ErrKind::Udp => &c.udp,
    };
    PyErr::from_type(ty.bind(py).clone(), (code, strerror(code)))
}

/// `TLSError(code, message)`: a TLS configuration or `start_tls` failed.
pub fn tls_error(py: Python<'_>, code: Code) -> PyErr {
    match classes(py) {
        Ok(c) => PyErr::from_type(c.tls.bind(py).clone(), (code, strerror(code))),
        Err(e) => e,
    }
}

/// `HandleClosedError("Handle is closing/closed")`, pyuv's error for a closed handle.
pub fn closed(py: Python<'_>) -> PyErr {
    match classes(py) {
        Ok(c) => PyErr::from_type(c.closed.bind(py).clone(), "Handle is closing/closed"),
        Err(e) => e,
    }
}

/// pyuv's error for a handle whose `__init__` did not run.
pub fn not_initialized() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(
        "Object was not initialized, forgot to call __init__?",
    )
}

/// Every code ruv knows: (code, name, message), for `ruv.errno`.
#[pyfunction]
pub fn error_table() -> Vec<(Code, &'static str, &'static str)> {
    error::ERRORS
        .iter()
        .filter_map(|e| Some((e.code, e.name.to_str().ok()?, e.message.to_str().ok()?)))
        .collect()
}

/// The message ruv gives for an error code.
#[pyfunction(name = "strerror")]
pub fn py_strerror(errorno: Code) -> &'static str {
    strerror(errorno)
}

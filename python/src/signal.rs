//! `ruv.Signal`: POSIX signals, delivered as callbacks from the loop (never from the handler).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::ErrKind;
use crate::handle::{init, op, set_kind_cb, update_pin, Handle};
use crate::loop_obj::Loop;
use crate::stream::check_callable;

/// Signal(loop): `callback(signal, signum)` once per delivery of the watched signal.
///
/// Many handles and loops may watch one signal; each gets every delivery, from its own loop.
/// While a signal is watched ruv's handler replaces its disposition (Python's own handler too,
/// for SIGINT: Ctrl-C then reaches the callback); the disposition comes back when the signal's
/// last handle stops.
#[pyclass(module = "ruv", name = "Signal", extends = Handle, subclass, frozen)]
pub struct Signal {}

fn start_with(
    slf: &Bound<'_, Signal>,
    callback: PyObject,
    signum: i32,
    oneshot: bool,
) -> PyResult<()> {
    let py = slf.py();
    check_callable(py, Some(&callback), "a callable is required")?;
    let h = slf.as_super().get();
    op(py, h, |c, id| c.signal_start(id, (), signum, oneshot))?;
    set_kind_cb(slf.as_any(), h, Some(callback))
}

#[pymethods]
impl Signal {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Handle::blank()).add_subclass(Signal {})
    }

    /// __init__(loop)
    ///
    /// Creates a stopped signal handle in `loop`.
    fn __init__(slf: &Bound<'_, Self>, r#loop: &Bound<'_, Loop>) -> PyResult<()> {
        init(slf.as_super(), r#loop, ErrKind::Signal, |c, owner| {
            Ok(c.signal_new(owner))
        })
    }

    /// start(callback, signum)
    ///
    /// Watches `signum`; a started handle moves to it. SignalError UV_EINVAL for SIGKILL,
    /// SIGSTOP or an invalid number.
    fn start(slf: &Bound<'_, Self>, callback: PyObject, signum: i32) -> PyResult<()> {
        start_with(slf, callback, signum, false)
    }

    /// start_oneshot(callback, signum)
    ///
    /// Like start(), but the handle stops before its first callback (a ruv addition; libuv's
    /// uv_signal_start_oneshot).
    fn start_oneshot(slf: &Bound<'_, Self>, callback: PyObject, signum: i32) -> PyResult<()> {
        start_with(slf, callback, signum, true)
    }

    /// stop()
    ///
    /// Stops watching; no callback comes after this.
    fn stop(slf: &Bound<'_, Self>) -> PyResult<()> {
        let h = slf.as_super().get();
        op(slf.py(), h, |c, id| c.signal_stop(id))?;
        update_pin(slf.as_any(), h);
        Ok(())
    }
}

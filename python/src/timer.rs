//! `ruv.Timer`: pyuv's timer, in seconds (the core counts milliseconds).

use pyo3::exceptions::{PyRuntimeWarning, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::ErrKind;
use crate::handle::{init, op, query, set_kind_cb, update_pin, Handle};
use crate::loop_obj::Loop;
use crate::stream::check_callable;

/// Timer(loop): calls a callback after a timeout, and then every `repeat` seconds.
#[pyclass(module = "ruv", name = "Timer", extends = Handle, subclass, frozen)]
pub struct Timer {}

/// Seconds as the core's milliseconds; below 1 ms (but not 0) is 1 ms, with pyuv's warning.
fn millis(py: Python<'_>, seconds: f64, what: &str) -> PyResult<u64> {
    if seconds.is_nan() || seconds < 0.0 {
        return Err(PyValueError::new_err(
            "a positive value or zero is required",
        ));
    }
    if seconds > 0.0 && seconds < 0.001 {
        let msg = format!("timers don't have sub-millisecond accuracy, setting {what} to 1ms");
        let msg = std::ffi::CString::new(msg).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<PyRuntimeWarning>(), &msg, 1)?;
        return Ok(1);
    }
    Ok((seconds * 1000.0) as u64)
}

#[pymethods]
impl Timer {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Handle::blank()).add_subclass(Timer {})
    }

    /// __init__(loop)
    ///
    /// Creates a stopped timer in `loop`.
    fn __init__(slf: &Bound<'_, Self>, r#loop: &Bound<'_, Loop>) -> PyResult<()> {
        init(slf.as_super(), r#loop, ErrKind::Timer, |c, owner| {
            Ok(c.timer_new(owner))
        })
    }

    /// start(callback, timeout, repeat)
    ///
    /// Calls `callback(timer)` after `timeout` seconds, then every `repeat` seconds if
    /// `repeat` > 0. Starting a started timer restarts it.
    fn start(slf: &Bound<'_, Self>, callback: PyObject, timeout: f64, repeat: f64) -> PyResult<()> {
        let py = slf.py();
        let h = slf.as_super().get();
        if h.st.get(py)?.closing {
            return Err(crate::errors::closed(py));
        }
        check_callable(py, Some(&callback), "a callable is required")?;
        let timeout = millis(py, timeout, "timeout")?;
        let repeat = millis(py, repeat, "repeat")?;
        op(py, h, |c, id| c.timer_start(id, (), timeout, repeat))?;
        set_kind_cb(slf.as_any(), h, Some(callback))
    }

    /// stop()
    ///
    /// Stops the timer.
    fn stop(slf: &Bound<'_, Self>) -> PyResult<()> {
        let h = slf.as_super().get();
        op(slf.py(), h, |c, id| c.timer_stop(id))?;
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// again()
    ///
    /// Stops the timer and, if `repeat` is non-zero, starts it again with `repeat` as the
    /// timeout. TimerError UV_EINVAL if it was never started.
    fn again(slf: &Bound<'_, Self>) -> PyResult<()> {
        let h = slf.as_super().get();
        op(slf.py(), h, |c, id| c.timer_again(id))?;
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// The repeat interval in seconds (get / set; takes effect at the next start or firing).
    #[getter]
    fn get_repeat(slf: &Bound<'_, Self>) -> PyResult<f64> {
        let ms = query(slf.py(), slf.as_super().get(), |c, id| {
            c.timer_get_repeat(id).unwrap_or(0)
        })?;
        Ok(ms as f64 / 1000.0)
    }

    #[setter]
    fn set_repeat(slf: &Bound<'_, Self>, value: Option<f64>) -> PyResult<()> {
        let Some(seconds) = value else {
            return Err(PyTypeError::new_err("cannot delete attribute"));
        };
        if seconds.is_nan() || seconds < 0.0 {
            return Err(PyValueError::new_err("a positive float or 0.0 is required"));
        }
        let ms = (seconds * 1000.0) as u64;
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.timer_set_repeat(id, ms)
        })
    }
}

//! `ruv.Async`: wakes its loop from any thread and calls a callback there.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use ruv::core::async_handle::AsyncShared;

use crate::errors::{closed, not_initialized, uv_error, ErrKind};
use crate::gil::GilCell;
use crate::handle::{init, Handle};
use crate::loop_obj::Loop;
use crate::stream::check_callable;

/// Async(loop, callback=None): `send()` from any thread makes the loop call `callback(async)`.
///
/// Active (and keeping the loop alive) until closed; any number of sends before the loop wakes
/// give at least one callback.
#[pyclass(module = "ruv", name = "Async", extends = Handle, subclass, frozen)]
pub struct Async {
    shared: GilCell<Option<Arc<AsyncShared>>>,
}

#[pymethods]
impl Async {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Handle::blank()).add_subclass(Async {
            shared: GilCell::new(None),
        })
    }

    /// __init__(loop, callback=None)
    ///
    /// Creates the handle in `loop`; `callback(async)` runs after send() (None: send only
    /// wakes the loop).
    #[pyo3(signature = (r#loop, callback = None))]
    fn __init__(
        slf: &Bound<'_, Self>,
        r#loop: &Bound<'_, Loop>,
        callback: Option<PyObject>,
    ) -> PyResult<()> {
        let py = slf.py();
        check_callable(py, callback.as_ref(), "a callable is required")?;
        let mut made = None;
        init(slf.as_super(), r#loop, ErrKind::Async, |c, owner| {
            let (id, shared) = c.async_new(owner, ())?;
            made = Some(shared);
            Ok(id)
        })?;
        *slf.get().shared.get_mut(py)? = made;
        let mut st = slf.as_super().get().st.get_mut(py)?;
        // As in pyuv, an async handle does not keep itself alive: dropped, it is closed.
        st.pins_active = false;
        st.cb = callback;
        Ok(())
    }

    /// send()
    ///
    /// Wakes the loop, which then calls the callback; safe from any thread.
    fn send(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let st = slf.as_super().get().st.get(py)?;
        if st.lp.is_none() {
            return Err(not_initialized());
        }
        if st.closing {
            return Err(closed(py));
        }
        drop(st);
        let shared = slf.get().shared.get(py)?.clone();
        match shared {
            Some(s) => s.send().map_err(|code| uv_error(py, ErrKind::Async, code)),
            None => Err(not_initialized()),
        }
    }
}

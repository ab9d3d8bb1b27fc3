//! `ruv.Poll`: watches a descriptor ruv does not own (another library's socket, a pipe).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::{closed, not_initialized, ErrKind};
use crate::gil::GilCell;
use crate::handle::{init, op, set_kind_cb, update_pin, Handle};
use crate::loop_obj::Loop;
use crate::stream::check_callable;

/// Poll(loop, fd): calls back while `fd` is ready for the requested events (level-triggered).
///
/// ruv never reads, writes or closes `fd`. The callback gets `(poll, events, error)`: the ready
/// events (UV_READABLE, UV_WRITABLE, UV_DISCONNECT, UV_PRIORITIZED) and None, or None and the
/// error the poll reported.
#[pyclass(module = "ruv", name = "Poll", extends = Handle, subclass, frozen)]
pub struct Poll {
    fd: GilCell<i32>,
}

#[pymethods]
impl Poll {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Handle::blank()).add_subclass(Poll {
            fd: GilCell::new(-1),
        })
    }

    /// __init__(loop, fd)
    ///
    /// Watches descriptor `fd` (an int) in `loop`. PollError UV_EEXIST if a handle of the loop
    /// already watches it, UV_EPERM for a descriptor epoll cannot watch (a regular file),
    /// UV_EBADF for a closed one.
    fn __init__(slf: &Bound<'_, Self>, r#loop: &Bound<'_, Loop>, fd: i32) -> PyResult<()> {
        init(slf.as_super(), r#loop, ErrKind::Poll, |c, owner| {
            c.poll_new(owner, fd)
        })?;
        *slf.get().fd.get_mut(slf.py())? = fd;
        Ok(())
    }

    /// start(events, callback)
    ///
    /// Starts watching for `events` (an or of UV_READABLE, UV_WRITABLE, UV_DISCONNECT,
    /// UV_PRIORITIZED), or changes them; `callback(poll, events, error)`.
    fn start(slf: &Bound<'_, Self>, events: i64, callback: PyObject) -> PyResult<()> {
        let py = slf.py();
        check_callable(py, Some(&callback), "a callable is required")?;
        let h = slf.as_super().get();
        let events = u32::try_from(events).unwrap_or(u32::MAX);
        op(py, h, |c, id| c.poll_start(id, events, ()))?;
        set_kind_cb(slf.as_any(), h, Some(callback))
    }

    /// stop()
    ///
    /// Stops watching.
    fn stop(slf: &Bound<'_, Self>) -> PyResult<()> {
        let h = slf.as_super().get();
        op(slf.py(), h, |c, id| c.poll_stop(id))?;
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// fileno() -> int
    ///
    /// The watched descriptor (HandleClosedError once closed).
    fn fileno(slf: &Bound<'_, Self>) -> PyResult<i32> {
        let py = slf.py();
        let st = slf.as_super().get().st.get(py)?;
        if st.lp.is_none() {
            return Err(not_initialized());
        }
        if st.closing {
            return Err(closed(py));
        }
        Ok(*slf.get().fd.get(py)?)
    }
}

//! `ruv.Handle`: what every handle has — `close`, `closed`, `active`, `ref`, `loop` — and the
//! life cycle shared by all kinds.
//!
//! A handle object is made blank by `__new__` and attached to a core handle by its kind's
//! `__init__` (pyuv's two steps; `__init__` is where the object's own pointer is known, and it
//! is the core's owner of the handle). The object keeps itself alive (its *pin*, a reference to
//! itself that the GC does not see) while the core may call it back: while active (listening,
//! reading, connecting, a started timer or hook), while a request with a callback is pending,
//! and while closing. Unpinned, it is ordinary garbage; when it dies un-closed, its `Drop`
//! closes the core handle and points the core's owner at null, so nothing calls it again.

use std::ptr;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};
use ruv::core::error::Code;
use ruv::core::handle_table::HandleId;

use crate::dict_gc::{clear_dict, visit_dict};
use crate::errors::{closed, not_initialized, uv_error, ErrKind};
use crate::gil::GilCell;
use crate::host::CoreLoop;
use crate::loop_obj::Loop;

/// The shared state of every handle object.
pub struct HandleState {
    /// The loop, once `__init__` ran.
    pub lp: Option<Py<Loop>>,
    pub id: HandleId,
    pub kind: ErrKind,
    /// `close()` was called.
    pub closing: bool,
    /// The close callback ran; the core handle is gone.
    pub done: bool,
    /// Whether being active pins the handle (not for Async, as in pyuv).
    pub pins_active: bool,
    /// The kind's callback (timer, async, idle/prepare/check, poll, signal).
    pub cb: Option<PyObject>,
    pub close_cb: Option<PyObject>,
    /// The object's reference to itself while the core may call it back.
    pub pin: Option<PyObject>,
    /// Requests with a callback (or a completion to wait for) in flight.
    pub pending: u32,
    /// The object's own pointer (for the GC traversal of its `__dict__`).
    pub this: *mut ffi::PyObject,
    /// The object became garbage un-closed and its loop keeps it until the close callback
    /// (`finalize.rs`): it never pins itself.
    pub doomed: bool,
}

/// Base class of every handle: close(), closed, active, ref, loop.
#[pyclass(module = "ruv", name = "Handle", subclass, frozen, dict, weakref)]
pub struct Handle {
    pub(crate) st: GilCell<HandleState>,
}

impl Handle {
    /// A handle object not attached to a loop yet.
    pub fn blank() -> Self {
        Handle {
            st: GilCell::new(HandleState {
                lp: None,
                id: HandleId::NONE,
                kind: ErrKind::Uv,
                closing: false,
                done: false,
                pins_active: true,
                cb: None,
                close_cb: None,
                pin: None,
                pending: 0,
                this: ptr::null_mut(),
                doomed: false,
            }),
        }
    }

    /// The `Handle` part of a handle object.
    ///
    /// # Safety
    /// `obj` must be an instance of `Handle` (or of a subclass).
    pub unsafe fn of<'a>(obj: &'a Bound<'_, PyAny>) -> &'a Handle {
        // SAFETY: the caller guarantees the type (see the contract).
        unsafe { obj.downcast_unchecked::<Handle>() }.get()
    }
}

/// Attaches the blank handle object `slf` to a new core handle of `lp`, made by `make` with
/// the object's pointer as owner.
pub fn init(
    slf: &Bound<'_, Handle>,
    lp: &Bound<'_, Loop>,
    kind: ErrKind,
    make: impl FnOnce(&mut CoreLoop, *mut ffi::PyObject) -> Result<HandleId, Code>,
) -> PyResult<()> {
    let py = slf.py();
    let mut st = slf.get().st.get_mut(py)?;
    if st.lp.is_some() {
        return Err(PyRuntimeError::new_err("Object was already initialized"));
    }
    let id = lp
        .get()
        .with_core(py, |c| make(c, slf.as_ptr()))?
        .map_err(|code| uv_error(py, kind, code))?;
    st.lp = Some(lp.clone().unbind());
    st.id = id;
    st.kind = kind;
    st.this = slf.as_ptr();
    Ok(())
}

/// Runs a core operation on the open handle `h`: HandleClosedError once closing,
/// RuntimeError before `__init__`, the kind's error for a failed operation.
pub fn op<R>(
    py: Python<'_>,
    h: &Handle,
    f: impl FnOnce(&mut CoreLoop, HandleId) -> Result<R, Code>,
) -> PyResult<R> {
    let st = h.st.get(py)?;
    let Some(lp) = st.lp.as_ref() else {
        return Err(not_initialized());
    };
    if st.closing {
        return Err(closed(py));
    }
    let (id, kind) = (st.id, st.kind);
    lp.get()
        .with_core(py, |c| f(c, id))?
        .map_err(|code| uv_error(py, kind, code))
}

/// A query of the handle's core state that has an answer also once it is closed.
pub fn query<R>(
    py: Python<'_>,
    h: &Handle,
    f: impl FnOnce(&mut CoreLoop, HandleId) -> R,
) -> PyResult<R> {
    let st = h.st.get(py)?;
    let Some(lp) = st.lp.as_ref() else {
        return Err(not_initialized());
    };
    lp.get().with_core(py, |c| f(c, st.id))
}

/// Replaces the kind's callback of the handle object `obj` (None: forgets it), then pins or
/// unpins it as its new state says.
pub fn set_kind_cb(obj: &Bound<'_, PyAny>, h: &Handle, cb: Option<PyObject>) -> PyResult<()> {
    let old = std::mem::replace(&mut h.st.get_mut(obj.py())?.cb, cb);
    drop(old);
    update_pin(obj, h);
    Ok(())
}

/// Pins or unpins the handle object `obj` after its state changed.
pub fn update_pin(obj: &Bound<'_, PyAny>, h: &Handle) {
    let py = obj.py();
    let Ok(mut st) = h.st.get_mut(py) else {
        return;
    };
    let Some(lp) = st.lp.as_ref() else {
        return;
    };
    let want = !st.done
        && !st.doomed
        && (st.closing
            || st.pending > 0
            || (st.pins_active
                && lp
                    .get()
                    .with_core(py, |c| c.is_active(st.id).unwrap_or(false))
                    .unwrap_or(true)));
    if want && st.pin.is_none() {
        st.pin = Some(obj.clone().unbind());
    } else if !want {
        // `obj` is borrowed by the caller, so this is never the last reference.
        let pin = st.pin.take();
        drop(st);
        drop(pin);
    }
}

#[pymethods]
impl Handle {
    /// close(callback=None)
    ///
    /// Closes the handle: it stops at once, its pending requests are cancelled, and
    /// `callback(handle)` runs from the loop as the handle's last callback. HandleClosedError
    /// if it is already closing.
    #[pyo3(signature = (callback = None))]
    fn close(slf: &Bound<'_, Self>, callback: Option<PyObject>) -> PyResult<()> {
        let py = slf.py();
        if let Some(cb) = &callback {
            if !cb.bind(py).is_callable() {
                return Err(PyTypeError::new_err("a callable or None is required"));
            }
        }
        let h = slf.get();
        op(py, h, |c, id| c.close(id, ()))?;
        {
            let mut st = h.st.get_mut(py)?;
            st.closing = true;
            st.close_cb = callback;
        }
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// True once close() was called (the handle is closing or closed).
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyResult<bool> {
        let st = self.st.get(py)?;
        if st.lp.is_none() {
            return Err(not_initialized());
        }
        Ok(st.closing)
    }

    /// True while the handle is active: listening, connecting or reading; a started timer,
    /// idle, prepare, check, poll or signal; an async handle until it is closed.
    #[getter]
    fn active(&self, py: Python<'_>) -> PyResult<bool> {
        if self.st.get(py)?.closing {
            return Ok(false);
        }
        query(py, self, |c, id| c.is_active(id).unwrap_or(false))
    }

    /// Whether the handle keeps the loop alive while it is active (get / set).
    #[getter]
    #[pyo3(name = "ref")]
    fn get_ref(&self, py: Python<'_>) -> PyResult<bool> {
        query(py, self, |c, id| c.has_ref(id).unwrap_or(false))
    }

    #[setter]
    #[pyo3(name = "ref")]
    fn set_ref(&self, py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let Some(value) = value else {
            return Err(PyTypeError::new_err("cannot delete attribute"));
        };
        let on = value.extract::<i64>()? != 0;
        query(py, self, |c, id| {
            let _ = c.set_ref(id, on);
        })
    }

    /// The Loop this handle belongs to.
    #[getter]
    #[pyo3(name = "loop")]
    fn get_loop(&self, py: Python<'_>) -> PyResult<Option<Py<Loop>>> {
        Ok(self.st.get(py)?.lp.as_ref().map(|l| l.clone_ref(py)))
    }

    /// The finalizer (installed as the class's `__del__`, see finalize.rs): a handle that is
    /// garbage and not closed is closed, and kept by its loop until its close callback ran.
    fn _ruv_finalize(slf: &Bound<'_, Self>) {
        crate::finalize::finalize(slf);
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // SAFETY: this is the GC's traversal, and nothing is kept past it.
        let Some(st) = (unsafe { self.st.peek() }) else {
            return Ok(());
        };
        visit.call(&st.cb)?;
        visit.call(&st.close_cb)?;
        visit.call(&st.lp)?;
        // SAFETY: `this` is null or this live handle object (set by `init`); this is the
        // traversal.
        unsafe { visit_dict::<Handle>(st.this, &visit) }
    }

    fn __clear__(&self) {
        Python::with_gil(|py| {
            let Ok(mut st) = self.st.get_mut(py) else {
                return;
            };
            let (cb, close_cb) = (st.cb.take(), st.close_cb.take());
            let this = st.this;
            drop(st);
            drop((cb, close_cb));
            // SAFETY: `this` is null or this live handle object; the GIL is held.
            unsafe { clear_dict::<Handle>(this) };
        });
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        Python::with_gil(|py| {
            let Ok(st) = self.st.get(py) else {
                return;
            };
            let Some(lp) = st.lp.as_ref() else {
                return;
            };
            if !st.done {
                lp.get().forget_owner(py, st.id, !st.closing);
            }
        });
    }
}

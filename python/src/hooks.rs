//! `ruv.Idle`, `ruv.Prepare`, `ruv.Check`: a callback once per loop iteration, in its phase
//! (idle and prepare before the poll — an active idle handle keeps it from blocking — and check
//! right after the I/O callbacks).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use ruv::core::hooks::HookPhase;

use crate::errors::ErrKind;
use crate::handle::{init, op, set_kind_cb, update_pin, Handle};
use crate::loop_obj::Loop;
use crate::stream::check_callable;

macro_rules! hook_class {
    ($ty:ident, $name:literal, $phase:expr, $kind:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(module = "ruv", name = $name, extends = Handle, subclass, frozen)]
        pub struct $ty {}

        #[pymethods]
        impl $ty {
            #[new]
            #[pyo3(signature = (*_args, **_kwargs))]
            fn new(
                _args: &Bound<'_, PyTuple>,
                _kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyClassInitializer<Self> {
                PyClassInitializer::from(Handle::blank()).add_subclass($ty {})
            }

            /// __init__(loop)
            ///
            /// Creates a stopped handle in `loop`.
            fn __init__(slf: &Bound<'_, Self>, r#loop: &Bound<'_, Loop>) -> PyResult<()> {
                init(slf.as_super(), r#loop, $kind, |c, owner| {
                    Ok(c.hook_new(owner, $phase))
                })
            }

            /// start(callback)
            ///
            /// Calls `callback(handle)` once per loop iteration, in start order; on a started
            /// handle, replaces the callback.
            fn start(slf: &Bound<'_, Self>, callback: PyObject) -> PyResult<()> {
                let py = slf.py();
                let h = slf.as_super().get();
                check_callable(py, Some(&callback), "a callable is required")?;
                op(py, h, |c, id| c.hook_start(id, $phase, ()))?;
                set_kind_cb(slf.as_any(), h, Some(callback))
            }

            /// stop()
            ///
            /// Stops calling the callback.
            fn stop(slf: &Bound<'_, Self>) -> PyResult<()> {
                let py = slf.py();
                let h = slf.as_super().get();
                op(py, h, |c, id| c.hook_stop(id, $phase))?;
                let old = h.st.get_mut(py)?.cb.take();
                drop(old);
                update_pin(slf.as_any(), h);
                Ok(())
            }
        }
    };
}

hook_class!(
    Idle,
    "Idle",
    HookPhase::Idle,
    ErrKind::Idle,
    "Idle(loop): a callback once per loop iteration, before prepare; while started the loop \
     does not block for I/O."
);
hook_class!(
    Prepare,
    "Prepare",
    HookPhase::Prepare,
    ErrKind::Prepare,
    "Prepare(loop): a callback once per loop iteration, right before the loop polls for I/O."
);
hook_class!(
    Check,
    "Check",
    HookPhase::Check,
    ErrKind::Check,
    "Check(loop): a callback once per loop iteration, right after the I/O callbacks."
);

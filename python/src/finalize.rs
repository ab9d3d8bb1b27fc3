//! What happens to a handle object that becomes garbage before it was closed (pyuv's rule).
//!
//! Its finalizer (`tp_finalize`, installed as the type's `__del__`; PEP 442) closes the handle
//! and hands the object to its loop, which keeps it until the close callback has run: until
//! then it is listed, closed, in `loop.handles`, and weak references to it stay valid. The loop
//! holds these *doomed* handles where the garbage collector sees them, so a loop that becomes
//! garbage with them is collected with them (no cycle the GC cannot see).
//!
//! The finalizer runs once per object. When it cannot close the handle (the loop is polling in
//! another thread) the object just dies, and its `Drop` closes the core handle later.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::PyVisit;
use ruv::core::handle_table::HandleId;

use crate::gil::GilCell;
use crate::handle::Handle;

/// The doomed handles of one loop, by core handle id.
#[derive(Default)]
pub struct Doomed(GilCell<HashMap<HandleId, PyObject>>);

impl Doomed {
    /// Keeps `obj` (the object of handle `id`) until [`Doomed::release`].
    fn keep(&self, py: Python<'_>, id: HandleId, obj: PyObject) -> PyResult<()> {
        self.0.get_mut(py)?.insert(id, obj);
        Ok(())
    }

    /// The reference kept for handle `id`, if any (its close callback ran). The caller drops
    /// it once done with the object.
    pub fn release(&self, py: Python<'_>, id: HandleId) -> Option<PyObject> {
        self.0.get_mut(py).ok()?.remove(&id)
    }

    /// Visits the kept objects (the loop's GC traversal).
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        // SAFETY: called from the loop's `__traverse__` only, which keeps nothing past it.
        if let Some(map) = unsafe { self.0.peek() } {
            for obj in map.values() {
                visit.call(obj)?;
            }
        }
        Ok(())
    }

    /// Drops every kept object (the loop's GC clear).
    pub fn clear(&self, py: Python<'_>) {
        let map = self.0.get_mut(py).map(|mut m| std::mem::take(&mut *m));
        drop(map);
    }
}

/// `Handle.__del__`: closes a handle that is garbage and not closed, and gives the object to
/// its loop until the close callback has run (see the module doc).
pub fn finalize(slf: &Bound<'_, Handle>) {
    let py = slf.py();
    let h = slf.get();
    let Ok(mut st) = h.st.get_mut(py) else {
        return;
    };
    if st.closing || st.done {
        return;
    }
    let Some(lp) = st.lp.as_ref().map(|l| l.clone_ref(py)) else {
        return;
    };
    let id = st.id;
    match lp.get().with_core(py, |c| c.close(id, ())) {
        Ok(Ok(())) => {}
        _ => return,
    }
    st.closing = true;
    st.doomed = true;
    drop(st);
    let _ = lp
        .get()
        .doomed
        .keep(py, id, slf.clone().into_any().unbind());
}

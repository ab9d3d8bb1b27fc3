//! Where an exception raised by a callback goes: the loop's `excepthook`, never into the core.
//!
//! The same order and output as pyuv: `loop.excepthook(type, value, traceback)`; when getting it
//! fails (other than AttributeError) or it raises, that is printed first; when there is no hook
//! (missing, None) or it failed, "Unhandled exception in callback" and the traceback go to
//! sys.stderr. The loop keeps running. The exceptions that are not `Exception`s
//! (`KeyboardInterrupt`, `SystemExit`) stop the loop instead and `Loop.run` raises them.

use pyo3::exceptions::{PyAttributeError, PyException};
use pyo3::intern;
use pyo3::prelude::*;

use crate::loop_obj::Loop;

/// Writes `text` to `sys.stderr` (whatever it is at the time).
pub fn write_stderr(py: Python<'_>, text: &str) -> PyResult<()> {
    py.import(intern!(py, "sys"))?
        .getattr(intern!(py, "stderr"))?
        .call_method1(intern!(py, "write"), (text,))?;
    Ok(())
}

/// Prints an exception and its traceback to `sys.stderr` (`traceback.print_exception`).
pub fn print_exception(py: Python<'_>, err: &PyErr) {
    let value = err.value(py);
    let tb = err
        .traceback(py)
        .map_or_else(|| py.None(), |t| t.into_any().unbind());
    let printed = py.import(intern!(py, "traceback")).and_then(|m| {
        m.getattr(intern!(py, "print_exception"))?
            .call1((value.get_type(), value, tb))
    });
    if printed.is_err() {
        err.clone_ref(py).print(py);
    }
}

/// Hands `err`, raised by a callback of `lp`, to the loop's excepthook.
pub fn report(py: Python<'_>, lp: &Bound<'_, Loop>, err: PyErr) {
    if !err.is_instance_of::<PyException>(py) {
        let l = lp.get();
        if let Ok(mut st) = l.state.get_mut(py) {
            if st.exit_exc.is_none() {
                st.exit_exc = Some(err);
            }
        }
        let _ = l.with_core(py, |c| c.stop());
        return;
    }
    let mut hook_failed = false;
    match lp.getattr(intern!(py, "excepthook")) {
        Ok(hook) if hook.is_none() => {}
        Ok(hook) => {
            let value = err.value(py);
            let tb = err
                .traceback(py)
                .map_or_else(|| py.None(), |t| t.into_any().unbind());
            match hook.call1((value.get_type(), value, tb)) {
                Ok(_) => return,
                Err(e) => {
                    let _ = write_stderr(py, "Unhandled exception in excepthook\n");
                    print_exception(py, &e);
                    hook_failed = true;
                }
            }
        }
        Err(e) if e.is_instance_of::<PyAttributeError>(py) => {}
        Err(e) => {
            let _ = write_stderr(py, "Exception while getting excepthook\n");
            print_exception(py, &e);
            hook_failed = true;
        }
    }
    if hook_failed {
        let _ = write_stderr(py, "\n");
    }
    let _ = write_stderr(py, "Unhandled exception in callback\n");
    print_exception(py, &err);
}

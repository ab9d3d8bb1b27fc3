//! `ruv.Loop`: the event loop (pyuv's `Loop`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};
use pyo3::{PyTraverseError, PyVisit};
use ruv::core::handle_table::HandleId;
use ruv::core::run::RunMode;

use crate::dict_gc::{clear_dict, visit_dict};
use crate::errors::{uv_error, ErrKind};
use crate::finalize::Doomed;
use crate::gil::GilCell;
use crate::host::CoreLoop;

/// What a loop remembers between calls, apart from the core.
pub struct LoopState {
    /// `run` is in progress (a nested `run` is refused).
    pub running: bool,
    /// A `KeyboardInterrupt`/`SystemExit` a callback raised: `run` stops and re-raises it.
    pub exit_exc: Option<PyErr>,
    /// The loop of `Loop.default_loop()`.
    pub is_default: bool,
    /// `__init__` ran.
    pub initialized: bool,
    /// The object's own pointer, set by `__init__` (for the GC traversal of its `__dict__`).
    pub this: *mut pyo3::ffi::PyObject,
}

/// Loop() -> a new event loop.
///
/// Runs timers, I/O and the per-iteration handles of this loop's thread. `Loop.default_loop()`
/// returns the process-wide default loop. Loops accept arbitrary attributes; assign a
/// 3-argument callable to `excepthook` to receive the exceptions that callbacks raise.
#[pyclass(module = "ruv", name = "Loop", subclass, frozen, dict, weakref)]
pub struct Loop {
    pub(crate) core: GilCell<CoreLoop>,
    pub(crate) state: GilCell<LoopState>,
    /// Handles whose Python object died while the core was borrowed (by a thread polling
    /// without the GIL): (id, close it too). Handled before the core is next used.
    deferred: Mutex<Vec<(HandleId, bool)>>,
    has_deferred: AtomicBool,
    /// Handle objects that became garbage un-closed, kept until their close callback.
    pub(crate) doomed: Doomed,
}

static DEFAULT_LOOP: GILOnceCell<Py<PyAny>> = GILOnceCell::new();

impl Loop {
    /// Runs `f` on the core, mutably; a busy core (a poll in another thread) is a RuntimeError.
    pub(crate) fn with_core<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut CoreLoop) -> R,
    ) -> PyResult<R> {
        let mut core = self.core.get_mut(py)?;
        self.drain_deferred(&mut core);
        Ok(f(&mut core))
    }

    /// Applies the deferred [`Loop::forget_owner`] calls to the borrowed core.
    #[inline]
    pub(crate) fn drain_deferred(&self, core: &mut CoreLoop) {
        if self.has_deferred.load(Ordering::Acquire) {
            self.drain_deferred_now(core);
        }
    }

    #[cold]
    fn drain_deferred_now(&self, core: &mut CoreLoop) {
        let ids = std::mem::take(&mut *self.deferred.lock().unwrap_or_else(|e| e.into_inner()));
        self.has_deferred.store(false, Ordering::Release);
        for (id, close) in ids {
            forget(core, id, close);
        }
    }

    /// The Python object of handle `id` is going away: the core must never hand its pointer
    /// out again, and (`close`) the handle is closed, since nobody else can close it.
    pub(crate) fn forget_owner(&self, py: Python<'_>, id: HandleId, close: bool) {
        match self.core.cell(py).try_borrow_mut() {
            Ok(mut core) => forget(&mut core, id, close),
            Err(_) => {
                self.deferred
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((id, close));
                self.has_deferred.store(true, Ordering::Release);
            }
        }
    }
}

/// Points the core's owner of `id` at null and closes it if asked.
fn forget(core: &mut CoreLoop, id: HandleId, close: bool) {
    let _ = core.set_owner(id, std::ptr::null_mut());
    if close {
        let _ = core.close(id, ());
    }
}

#[pymethods]
impl Loop {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        py: Python<'_>,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let core = CoreLoop::new().map_err(|code| uv_error(py, ErrKind::Uv, code))?;
        Ok(Loop {
            core: GilCell::new(core),
            state: GilCell::new(LoopState {
                running: false,
                exit_exc: None,
                is_default: false,
                initialized: false,
                this: std::ptr::null_mut(),
            }),
            deferred: Mutex::new(Vec::new()),
            has_deferred: AtomicBool::new(false),
            doomed: Doomed::default(),
        })
    }

    /// Loop.__init__ runs once: a second call is a RuntimeError (as in pyuv).
    #[pyo3(signature = (*_args, **_kwargs))]
    fn __init__(
        slf: &Bound<'_, Self>,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let mut st = slf.get().state.get_mut(slf.py())?;
        if st.initialized {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "Object was already initialized",
            ));
        }
        st.initialized = true;
        st.this = slf.as_ptr();
        Ok(())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // SAFETY: this is the GC's traversal, and nothing is kept past it.
        let Some(st) = (unsafe { self.state.peek() }) else {
            return Ok(());
        };
        self.doomed.traverse(&visit)?;
        // SAFETY: `this` is null or this live loop object (set by `__init__`).
        unsafe { visit_dict::<Loop>(st.this, &visit) }
    }

    fn __clear__(&self) {
        Python::with_gil(|py| {
            self.doomed.clear(py);
            let this = self.state.get(py).map(|st| st.this);
            if let Ok(this) = this {
                // SAFETY: `this` is null or this live loop object; the GIL is held.
                unsafe { clear_dict::<Loop>(this) };
            }
        });
    }

    /// default_loop() -> Loop
    ///
    /// The default loop: made on first use (of the class it is called on), then always the
    /// same object.
    #[classmethod]
    fn default_loop(cls: &Bound<'_, PyType>) -> PyResult<Py<PyAny>> {
        let py = cls.py();
        let lp = DEFAULT_LOOP.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let lp = cls.call0()?;
            lp.downcast::<Loop>()?.get().state.get_mut(py)?.is_default = true;
            Ok(lp.unbind())
        })?;
        Ok(lp.clone_ref(py))
    }

    /// run(mode=UV_RUN_DEFAULT) -> bool
    ///
    /// Runs the loop: UV_RUN_DEFAULT until no active referenced handle or request remains,
    /// UV_RUN_ONCE one iteration (blocking for I/O if nothing is pending), UV_RUN_NOWAIT one
    /// iteration without blocking. Returns whether the loop is still alive. The GIL is
    /// released while the loop waits. Ctrl-C (a pending KeyboardInterrupt) stops the loop and
    /// is raised here, as is a KeyboardInterrupt or SystemExit raised by a callback.
    #[pyo3(signature = (mode = 0))]
    fn run(slf: &Bound<'_, Self>, mode: i32) -> PyResult<bool> {
        let mode = match mode {
            0 => RunMode::Default,
            1 => RunMode::Once,
            2 => RunMode::NoWait,
            _ => return Err(PyValueError::new_err("invalid mode specified")),
        };
        crate::run::run(slf, mode)
    }

    /// queue_work(work_callback, done_callback=None) -> Request
    ///
    /// Runs `work_callback()` on ruv's worker pool (an exception it raises is printed), then
    /// `done_callback(errorno)` on the loop: errorno None, or UV_ECANCELED if the request was
    /// cancelled before it started.
    #[pyo3(signature = (work_callback, done_callback = None))]
    fn queue_work(
        slf: &Bound<'_, Self>,
        work_callback: PyObject,
        done_callback: Option<PyObject>,
    ) -> PyResult<Py<crate::request::Request>> {
        let done = done_callback.unwrap_or_else(|| slf.py().None());
        crate::request::queue_work(slf, work_callback, done)
    }

    /// stop()
    ///
    /// Makes run() return after the current iteration (or at once, if called before run()).
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        self.with_core(py, |c| c.stop())
    }

    /// now() -> int
    ///
    /// The loop's time in milliseconds, cached at the start of each iteration.
    fn now(&self, py: Python<'_>) -> PyResult<u64> {
        self.with_core(py, |c| c.now())
    }

    /// update_time()
    ///
    /// Refreshes the cached loop time.
    fn update_time(&self, py: Python<'_>) -> PyResult<()> {
        self.with_core(py, |c| c.update_time())
    }

    /// fileno() -> int
    ///
    /// The descriptor of the loop's poller (epoll): readable when the loop has work, for
    /// embedding the loop in another one.
    fn fileno(&self, py: Python<'_>) -> PyResult<i32> {
        self.with_core(py, |c| c.backend_fd())
    }

    /// get_timeout() -> float
    ///
    /// The timeout in seconds the next poll would use; -1.0 for "no timeout".
    fn get_timeout(&self, py: Python<'_>) -> PyResult<f64> {
        let ms = self.with_core(py, |c| c.backend_timeout())?;
        Ok(if ms < 0 { -1.0 } else { f64::from(ms) / 1000.0 })
    }

    /// True while the loop has active referenced handles, pending requests or closing handles.
    #[getter]
    fn alive(&self, py: Python<'_>) -> PyResult<bool> {
        self.with_core(py, |c| c.alive())
    }

    /// True for the loop of Loop.default_loop().
    #[getter]
    fn default(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.state.get(py)?.is_default)
    }

    /// A list of this loop's handles (closing ones included, while their object lives).
    #[getter]
    fn handles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let owners = self.with_core(py, |c| c.owners())?;
        let list = PyList::empty(py);
        for owner in owners.into_iter().filter(|p| !p.is_null()) {
            // SAFETY: a non-null owner is the pointer of a live handle object: a handle's
            // object points the core at null before it is freed (handle.rs, Drop), and this
            // runs with the GIL held, so it cannot be freed meanwhile.
            list.append(unsafe { Bound::from_borrowed_ptr(py, owner) })?;
        }
        Ok(list)
    }

    /// excepthook(typ, value, traceback)
    ///
    /// Called with the exception a callback raised; the default prints "Unhandled exception
    /// in callback" and the traceback to sys.stderr. Assign another callable (or None) to the
    /// instance, or override it in a subclass.
    fn excepthook(
        &self,
        py: Python<'_>,
        typ: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        traceback: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::excepthook::write_stderr(py, "Unhandled exception in callback\n")?;
        py.import(pyo3::intern!(py, "traceback"))?
            .getattr(pyo3::intern!(py, "print_exception"))?
            .call1((typ, value, traceback))?;
        Ok(())
    }
}

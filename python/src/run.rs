//! `Loop.run`: the core's run with Python around it.
//!
//! The GIL is released only while the poll may block (a poll that must not block keeps it: no
//! cost per busy iteration). While released, the core stays borrowed by this thread, so another
//! thread that touches the loop meanwhile gets a RuntimeError, and handle objects that die there
//! are closed when the poll returns (`Loop::forget_owner`). After every poll, with the core no
//! longer borrowed, pending Python signal handlers run: Ctrl-C (KeyboardInterrupt) or any
//! exception a handler raises stops the loop and is raised from `run`.

use std::time::Duration;

use pyo3::prelude::*;
use ruv::core::error::EBUSY;
use ruv::core::run::{run_with, LateTimers, RunMode};

use crate::dispatch;
use crate::errors::{uv_error, ErrKind};
use crate::host::CoreLoop;
use crate::loop_obj::Loop;

/// The borrowed core, moved into the GIL-free section of a poll.
struct Unlocked<'a>(&'a mut CoreLoop);

// SAFETY: the core is only polled in the GIL-free section (epoll_wait into its own event
// buffer); it holds Python object pointers but never dereferences them there, and no other
// thread can reach it meanwhile (this thread's `RefMut` keeps it borrowed, see gil.rs).
unsafe impl Send for Unlocked<'_> {}

impl<'a> Unlocked<'a> {
    /// The core (a method, so that a closure captures the whole `Send` wrapper).
    fn into_inner(self) -> &'a mut CoreLoop {
        self.0
    }
}

/// Runs `lp` in `mode`.
pub fn run(slf: &Bound<'_, Loop>, mode: RunMode) -> PyResult<bool> {
    let py = slf.py();
    let lp = slf.get();
    {
        let mut st = lp.state.get_mut(py)?;
        if st.running {
            return Err(uv_error(py, ErrKind::Uv, EBUSY));
        }
        st.running = true;
    }
    let mut interrupt: Option<PyErr> = None;
    let result = run_with(
        lp.core.cell(py),
        mode,
        |due| dispatch::call(slf, due),
        |cell, timeout| {
            let polled = {
                let mut core = cell.borrow_mut();
                lp.drain_deferred(&mut core);
                // Look without blocking first: when events are ready (the common case under
                // load) the GIL is not released and taken back for nothing.
                let polled = match core.poll_io_interruptible(Some(Duration::ZERO)) {
                    Ok(false) if timeout != Some(Duration::ZERO) => {
                        let unlocked = Unlocked(&mut core);
                        py.allow_threads(move || {
                            unlocked.into_inner().poll_io_interruptible(timeout)
                        })
                        .map(|_| true)
                    }
                    // Events at once, or a poll that could not block: no wait.
                    other => other.map(|_| false),
                };
                lp.drain_deferred(&mut core);
                polled
            };
            // Python signal handlers run here, with the core free: they may use the loop
            // (`loop.stop()` from a SIGINT handler is the classic).
            if let Err(e) = py.check_signals() {
                interrupt.get_or_insert(e);
                let _ = lp.with_core(py, |c| c.stop());
            }
            polled
        },
        // pyuv 1.4's libuv (1.13) order: see LateTimers::OnceOnly.
        LateTimers::OnceOnly,
    );
    let exit = {
        let mut st = lp.state.get_mut(py)?;
        st.running = false;
        st.exit_exc.take()
    };
    if let Some(e) = exit.or(interrupt) {
        return Err(e);
    }
    result.map_err(|code| uv_error(py, ErrKind::Uv, code))
}

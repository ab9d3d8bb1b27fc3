//! Signal handles: POSIX signals delivered as callbacks from the loop.
//!
//! ruv installs one handler per signal in use, process-wide (see `signal_registry`, ruv's only
//! global state); the handler only counts the delivery and wakes the loops that watch the
//! signal, and each loop runs the callbacks on its own thread.

use std::os::raw::c_int;

use crate::core::error::{Result, EINVAL};
use crate::core::handle::HandleType;

use super::handle::{new_handle, with_kind};
use super::types::{ruv_loop_t, ruv_signal_cb, ruv_signal_t};

fn start(
    signal: *mut ruv_signal_t,
    cb: ruv_signal_cb,
    signum: c_int,
    oneshot: bool,
) -> Result<c_int> {
    let cb = cb.ok_or(EINVAL)?;
    with_kind(signal, HandleType::Signal, |core, id| {
        core.signal_start(id, cb, signum, oneshot)
    })?;
    Ok(0)
}

ffi_fn! {
    /// Creates a stopped signal handle in `*out`. Returns 0, or RUV_EINVAL for a NULL or invalid
    /// loop or a NULL `out`.
    fn ruv_signal_new(loop_: *mut ruv_loop_t, out: *mut *mut ruv_signal_t) -> c_int {
        new_handle(loop_, out, HandleType::Signal, |core, owner| {
            Ok((core.signal_new(owner), None))
        })
    }
}

ffi_fn! {
    /// Starts watching signal `signum`: `cb(signal, signum)` runs from the loop (never from the
    /// signal handler) once per delivery caught after this call. Many handles of many loops (in
    /// many threads) may watch one signal; each gets every delivery. The first handle of a
    /// signal in the process installs ruv's handler (SA_RESTART); when the last one stops or
    /// closes, the disposition the signal had before is restored. On a started handle, the same
    /// `signum` only replaces the callback; another one moves the handle to it. Errors:
    /// RUV_EINVAL (NULL, invalid or closing handle, NULL `cb`, SIGKILL, SIGSTOP, a number out
    /// of 1..SIGRTMAX or one the C library reserves), or the error creating the loop's eventfd.
    fn ruv_signal_start(signal: *mut ruv_signal_t, cb: ruv_signal_cb, signum: c_int) -> c_int {
        start(signal, cb, signum, false)
    }
}

ffi_fn! {
    /// As ruv_signal_start, but the handle stops (becomes inactive) right before its first
    /// callback: one callback, then the handle may be started again.
    fn ruv_signal_start_oneshot(
        signal: *mut ruv_signal_t,
        cb: ruv_signal_cb,
        signum: c_int,
    ) -> c_int {
        start(signal, cb, signum, true)
    }
}

ffi_fn! {
    /// Stops watching (0 also when not started): no callback comes after this returns, also for
    /// deliveries already counted. RUV_EINVAL if the handle is invalid or closing.
    fn ruv_signal_stop(signal: *mut ruv_signal_t) -> c_int {
        with_kind(signal, HandleType::Signal, |core, id| core.signal_stop(id))?;
        Ok(0)
    }
}

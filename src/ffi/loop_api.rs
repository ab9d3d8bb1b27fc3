//! Loop functions: create, run, stop, close, time, backend, data, walk.

use std::os::raw::{c_int, c_void};

use crate::core::error::{EBUSY, EINVAL};
use crate::core::event_loop::{self, Loop, RunMode};

use super::dispatch;
use super::types::{handle_ptr, loop_ref, ruv_loop_t, ruv_run_mode, ruv_walk_cb, LoopObj};

/// Creates a loop and stores it in `*out`. Returns 0, RUV_EINVAL if `out` is NULL, or the
/// error of creating the poller (e.g. RUV_EMFILE).
#[no_mangle]
pub extern "C" fn ruv_loop_new(out: *mut *mut ruv_loop_t) -> c_int {
    ffi_guard!(status {
        if out.is_null() {
            return Err(EINVAL);
        }
        let core = Loop::new()?;
        // SAFETY: `out` is non-NULL and points at the caller's pointer variable.
        unsafe { out.write(LoopObj::into_raw(core)) };
        Ok(0)
    })
}

/// Frees a loop that has no handles left. Returns 0, RUV_EBUSY while handles remain (close
/// them and run the loop until their close callbacks ran) or when called from a callback,
/// RUV_EINVAL for an invalid loop.
#[no_mangle]
pub extern "C" fn ruv_loop_close(loop_: *mut ruv_loop_t) -> c_int {
    ffi_guard!(status {
        let l = loop_ref(loop_)?;
        if l.running.get() || l.core.try_borrow().map_err(|_| EBUSY)?.handle_count() > 0 {
            return Err(EBUSY);
        }
        LoopObj::free(loop_);
        Ok(0)
    })
}

/// Resets the running flag when `ruv_run` ends, even by a panic.
struct Running<'a>(&'a LoopObj);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.set(false);
    }
}

/// Runs the loop in `mode` (RUV_RUN_DEFAULT, RUV_RUN_ONCE, RUV_RUN_NOWAIT). Returns non-zero if
/// the loop is still alive, 0 if not, RUV_EBUSY from inside a callback of this loop,
/// RUV_EINVAL for an invalid loop or mode.
#[no_mangle]
pub extern "C" fn ruv_run(loop_: *mut ruv_loop_t, mode: ruv_run_mode) -> c_int {
    ffi_guard!(status {
        let l = loop_ref(loop_)?;
        let mode = match mode.0 {
            0 => RunMode::Default,
            1 => RunMode::Once,
            2 => RunMode::NoWait,
            _ => return Err(EINVAL),
        };
        if l.running.replace(true) {
            return Err(EBUSY);
        }
        let _running = Running(l);
        let alive = event_loop::run(&l.core, mode, |due| dispatch::call(l, due))?;
        Ok(c_int::from(alive))
    })
}

/// Makes ruv_run return after the current iteration (or at once, if called before it).
#[no_mangle]
pub extern "C" fn ruv_stop(loop_: *mut ruv_loop_t) {
    ffi_guard!(value(), {
        if let Ok(l) = loop_ref(loop_) {
            if let Ok(mut core) = l.core.try_borrow_mut() {
                core.stop();
            }
        }
    })
}

/// 1 if the loop has active referenced handles, pending requests or closing handles, else 0;
/// RUV_EINVAL for an invalid loop.
#[no_mangle]
pub extern "C" fn ruv_loop_alive(loop_: *const ruv_loop_t) -> c_int {
    ffi_guard!(status {
        let l = loop_ref(loop_)?;
        let alive = l.core.try_borrow().map_err(|_| EBUSY)?.alive();
        Ok(c_int::from(alive))
    })
}

/// The loop's cached time in milliseconds (updated once per iteration); 0 for an invalid loop.
#[no_mangle]
pub extern "C" fn ruv_now(loop_: *const ruv_loop_t) -> u64 {
    ffi_guard!(value 0, {
        loop_ref(loop_)
            .ok()
            .and_then(|l| l.core.try_borrow().ok().map(|c| c.now()))
            .unwrap_or(0)
    })
}

/// Refreshes the loop's cached time.
#[no_mangle]
pub extern "C" fn ruv_update_time(loop_: *mut ruv_loop_t) {
    ffi_guard!(value(), {
        if let Ok(l) = loop_ref(loop_) {
            if let Ok(mut core) = l.core.try_borrow_mut() {
                core.update_time();
            }
        }
    })
}

/// The loop's epoll descriptor (to embed the loop in another one); RUV_EINVAL for an invalid
/// loop.
#[no_mangle]
pub extern "C" fn ruv_backend_fd(loop_: *const ruv_loop_t) -> c_int {
    ffi_guard!(status {
        let l = loop_ref(loop_)?;
        let fd = l.core.try_borrow().map_err(|_| EBUSY)?.backend_fd();
        Ok(fd)
    })
}

/// The poll timeout in ms the loop would use now: 0 if work is pending, the loop is stopped or
/// not alive, -1 to wait for I/O. RUV_EINVAL for an invalid loop.
#[no_mangle]
pub extern "C" fn ruv_backend_timeout(loop_: *const ruv_loop_t) -> c_int {
    ffi_guard!(status {
        let l = loop_ref(loop_)?;
        let timeout = l.core.try_borrow().map_err(|_| EBUSY)?.backend_timeout();
        Ok(timeout)
    })
}

/// The user data pointer of the loop (NULL until set, or for an invalid loop).
#[no_mangle]
pub extern "C" fn ruv_loop_get_data(loop_: *const ruv_loop_t) -> *mut c_void {
    ffi_guard!(value std::ptr::null_mut(), {
        loop_ref(loop_).map_or(std::ptr::null_mut(), |l| l.data.get())
    })
}

/// Sets the user data pointer of the loop.
#[no_mangle]
pub extern "C" fn ruv_loop_set_data(loop_: *mut ruv_loop_t, data: *mut c_void) {
    ffi_guard!(value(), {
        if let Ok(l) = loop_ref(loop_) {
            l.data.set(data);
        }
    })
}

/// Calls `cb(handle, arg)` for every handle of the loop, closing ones included.
#[no_mangle]
pub extern "C" fn ruv_walk(loop_: *mut ruv_loop_t, cb: ruv_walk_cb, arg: *mut c_void) {
    ffi_guard!(value(), {
        let (Ok(l), Some(cb)) = (loop_ref(loop_), cb) else {
            return;
        };
        let owners = match l.core.try_borrow() {
            Ok(core) => core.owners(),
            Err(_) => return,
        };
        for owner in owners {
            // SAFETY: handles are freed only after their close callback, which a walk callback
            // cannot run (it only queues), so every owner collected above is still allocated.
            unsafe { cb(handle_ptr(owner), arg) };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_loop_runs_and_closes() {
        let mut l: *mut ruv_loop_t = std::ptr::null_mut();
        assert_eq!(ruv_loop_new(&mut l), 0);
        assert_eq!(ruv_run(l, ruv_run_mode(0)), 0);
        assert_eq!(ruv_run(l, ruv_run_mode(9)), EINVAL);
        ruv_stop(l);
        assert_eq!(ruv_run(l, ruv_run_mode(0)), 1);
        assert_eq!(ruv_loop_alive(l), 0);
        assert_eq!(ruv_loop_close(l), 0);
        assert_eq!(ruv_loop_new(std::ptr::null_mut()), EINVAL);
    }
}

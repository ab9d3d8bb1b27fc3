//! Loop functions: create, run, stop, close, time, backend, data, walk.

use std::os::raw::{c_int, c_void};

use crate::core::error::{EBUSY, EINVAL};
use crate::core::event_loop::Loop;
use crate::core::run::{self, RunMode};

use super::dispatch;
use super::types::{loop_ref, owner_ptr, ruv_loop_t, ruv_run_mode, ruv_walk_cb, LoopObj};

ffi_fn! {
    /// Creates a loop and stores it in `*out`. Returns 0, RUV_EINVAL if `out` is NULL, or the
    /// error of creating the poller (e.g. RUV_EMFILE).
    fn ruv_loop_new(out: *mut *mut ruv_loop_t) -> c_int {
        if out.is_null() {
            return Err(EINVAL);
        }
        let core = Loop::new()?;
        // SAFETY: `out` is non-NULL and points at the caller's pointer variable.
        unsafe { out.write(LoopObj::into_raw(core)?) };
        Ok(0)
    }
}

ffi_fn! {
    /// Frees a loop that has no handles left. Returns 0, RUV_EBUSY while handles remain (close
    /// them and run the loop until their close callbacks ran), while requests (lookups, work
    /// items) wait for their callbacks, or when called from a callback,
    /// RUV_EINVAL for an invalid or already closed loop.
    ///
    /// After it returned 0 the loop pointer is stale, and stays safe to pass to any ruv function
    /// forever: RUV_EINVAL (ruv_now 0, ruv_loop_get_data NULL, the void functions do nothing),
    /// also once a new loop took its storage, which it never reaches (loop pointers, like handle
    /// pointers, are generation-checked ids, not addresses). The pointers of its handles stay
    /// RUV_EINVAL too.
    fn ruv_loop_close(loop_: *mut ruv_loop_t) -> c_int {
        let l = loop_ref(loop_)?;
        let core = l.core.try_borrow().map_err(|_| EBUSY)?;
        if l.busy() || core.handle_count() > 0 || core.reqs.pending() > 0 {
            return Err(EBUSY);
        }
        drop(core);
        LoopObj::free(loop_);
        Ok(0)
    }
}

/// Ends a walk's hold on the loop when `ruv_walk` returns, even by a panic.
struct Walking<'a>(&'a LoopObj);

impl Drop for Walking<'_> {
    fn drop(&mut self) {
        self.0.walking.set(self.0.walking.get() - 1);
    }
}

/// Resets the running flag when `ruv_run` ends, even by a panic.
struct Running<'a>(&'a LoopObj);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.set(false);
    }
}

ffi_fn! {
    /// Runs the loop in `mode` (RUV_RUN_DEFAULT, RUV_RUN_ONCE, RUV_RUN_NOWAIT). Returns non-zero if
    /// the loop is still alive, 0 if not, RUV_EBUSY from inside a callback of this loop,
    /// RUV_EINVAL for an invalid loop or mode.
    fn ruv_run(loop_: *mut ruv_loop_t, mode: ruv_run_mode) -> c_int {
        let l = loop_ref(loop_)?;
        let mode = match mode.0 {
            0 => RunMode::Default,
            1 => RunMode::Once,
            2 => RunMode::NoWait,
            _ => return Err(EINVAL),
        };
        if l.busy() {
            return Err(EBUSY);
        }
        l.running.set(true);
        let _running = Running(l);
        let alive = run::run(&l.core, mode, |due| dispatch::call(l, due))?;
        Ok(c_int::from(alive))
    }
}

ffi_fn! {
    /// Makes ruv_run return after the current iteration (or at once, if called before it).
    fn ruv_stop(loop_: *mut ruv_loop_t) {
        if let Ok(l) = loop_ref(loop_) {
            if let Ok(mut core) = l.core.try_borrow_mut() {
                core.stop();
            }
        }
    }
}

ffi_fn! {
    /// 1 if the loop has active referenced handles, pending requests or closing handles, else 0;
    /// RUV_EINVAL for an invalid loop.
    fn ruv_loop_alive(loop_: *const ruv_loop_t) -> c_int {
        let l = loop_ref(loop_)?;
        let alive = l.core.try_borrow().map_err(|_| EBUSY)?.alive();
        Ok(c_int::from(alive))
    }
}

ffi_fn! {
    /// The loop's cached time in milliseconds (updated once per iteration); 0 for an invalid loop.
    fn ruv_now(loop_: *const ruv_loop_t) -> u64 {
        loop_ref(loop_)
            .ok()
            .and_then(|l| l.core.try_borrow().ok().map(|c| c.now()))
            .unwrap_or(0)
    }
}

ffi_fn! {
    /// Refreshes the loop's cached time.
    fn ruv_update_time(loop_: *mut ruv_loop_t) {
        if let Ok(l) = loop_ref(loop_) {
            if let Ok(mut core) = l.core.try_borrow_mut() {
                core.update_time();
            }
        }
    }
}

ffi_fn! {
    /// The loop's epoll descriptor (to embed the loop in another one); RUV_EINVAL for an invalid
    /// loop.
    fn ruv_backend_fd(loop_: *const ruv_loop_t) -> c_int {
        let l = loop_ref(loop_)?;
        let fd = l.core.try_borrow().map_err(|_| EBUSY)?.backend_fd();
        Ok(fd)
    }
}

ffi_fn! {
    /// The poll timeout in ms the loop would use now: 0 if work is pending, the loop is stopped or
    /// not alive, -1 to wait for I/O. RUV_EINVAL for an invalid loop.
    fn ruv_backend_timeout(loop_: *const ruv_loop_t) -> c_int {
        let l = loop_ref(loop_)?;
        let timeout = l.core.try_borrow_mut().map_err(|_| EBUSY)?.backend_timeout();
        Ok(timeout)
    }
}

ffi_fn! {
    /// The user data pointer of the loop (NULL until set, or for an invalid loop).
    fn ruv_loop_get_data(loop_: *const ruv_loop_t) -> *mut c_void {
        loop_ref(loop_).map_or(std::ptr::null_mut(), |l| l.data.get())
    }
}

ffi_fn! {
    /// Sets the user data pointer of the loop.
    fn ruv_loop_set_data(loop_: *mut ruv_loop_t, data: *mut c_void) {
        if let Ok(l) = loop_ref(loop_) {
            l.data.set(data);
        }
    }
}

ffi_fn! {
    /// Calls `cb(handle, arg)` for every handle of the loop, closing ones included. The callback
    /// may close handles; ruv_run and ruv_loop_close return RUV_EBUSY until the walk returns.
    fn ruv_walk(loop_: *mut ruv_loop_t, cb: ruv_walk_cb, arg: *mut c_void) {
        let (Ok(l), Some(cb)) = (loop_ref(loop_), cb) else {
            return;
        };
        let owners = match l.core.try_borrow() {
            Ok(core) => core.owners(),
            Err(_) => return,
        };
        l.walking.set(l.walking.get() + 1);
        let _walking = Walking(l);
        for owner in owners {
            // SAFETY: a handle object is freed only after its close callback, which only
            // ruv_run calls; while this walk is in progress ruv_run returns RUV_EBUSY (the
            // `walking` count), so every owner collected above is still allocated.
            unsafe { cb(owner_ptr(owner), arg) };
        }
    }
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
        assert_eq!(
            ruv_run(l, ruv_run_mode(0)),
            0,
            "a stopped run returns the liveness"
        );
        assert_eq!(ruv_loop_alive(l), 0);
        assert_eq!(ruv_loop_close(l), 0);
        assert_eq!(ruv_loop_new(std::ptr::null_mut()), EINVAL);
    }
}

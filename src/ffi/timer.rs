//! Timer functions: milliseconds, relative to the loop's cached time (ruv_now).

use crate::core::error::EINVAL;
use crate::core::handle::HandleType;

use super::handle::{new_handle, with_kind};
use super::types::{ruv_loop_t, ruv_timer_cb, ruv_timer_t};

ffi_fn! {
    /// Creates a stopped timer in `*out`. Returns 0, or RUV_EINVAL for a NULL or invalid loop
    /// or a NULL `out`.
    fn ruv_timer_new(loop_: *mut ruv_loop_t, out: *mut *mut ruv_timer_t) -> c_int {
        new_handle(loop_, out, HandleType::Timer, |core, owner| {
            Ok((core.timer_new(owner), None))
        })
    }
}

ffi_fn! {
    /// Starts the timer: `cb` runs from the loop `timeout` ms after ruv_now() (0: in the next
    /// timer phase, never inside this call), then every `repeat` ms if `repeat` > 0. Starting a
    /// started timer restarts it. Huge values saturate. Timers fire in due order, equal due
    /// times in start order. Errors: RUV_EINVAL (NULL or invalid timer, NULL `cb`, closing).
    fn ruv_timer_start(
        timer: *mut ruv_timer_t,
        cb: ruv_timer_cb,
        timeout: u64,
        repeat: u64,
    ) -> c_int {
        let cb = cb.ok_or(EINVAL)?;
        with_kind(timer, HandleType::Timer, |core, id| core.timer_start(id, cb, timeout, repeat))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Stops the timer (0 also when it is not started). RUV_EINVAL if invalid or closing.
    fn ruv_timer_stop(timer: *mut ruv_timer_t) -> c_int {
        with_kind(timer, HandleType::Timer, |core, id| core.timer_stop(id))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Stops the timer and, if its repeat is non-zero, starts it again with the repeat as the
    /// timeout. RUV_EINVAL if the timer was never started, invalid or closing.
    fn ruv_timer_again(timer: *mut ruv_timer_t) -> c_int {
        with_kind(timer, HandleType::Timer, |core, id| core.timer_again(id))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Sets the repeat interval in ms (0: none); it takes effect at the next expiry or start.
    /// RUV_EINVAL if invalid or closing.
    fn ruv_timer_set_repeat(timer: *mut ruv_timer_t, repeat: u64) -> c_int {
        with_kind(timer, HandleType::Timer, |core, id| core.timer_set_repeat(id, repeat))?;
        Ok(0)
    }
}

ffi_fn! {
    /// The repeat interval in ms (0 for an invalid or closing timer).
    fn ruv_timer_get_repeat(timer: *const ruv_timer_t) -> u64 {
        with_kind(timer, HandleType::Timer, |core, id| core.timer_get_repeat(id)).unwrap_or(0)
    }
}

ffi_fn! {
    /// Milliseconds until the timer is due: 0 when it is stopped or overdue (and for an invalid
    /// or closing timer). Right after ruv_timer_start it equals the timeout.
    fn ruv_timer_get_due_in(timer: *const ruv_timer_t) -> u64 {
        with_kind(timer, HandleType::Timer, |core, id| core.timer_get_due_in(id)).unwrap_or(0)
    }
}

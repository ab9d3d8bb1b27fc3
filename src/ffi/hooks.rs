//! Idle, prepare and check handles: one callback per loop iteration, each in its phase.
//!
//! Idle callbacks run before prepare callbacks, and while an idle handle is started the loop
//! polls without blocking; prepare callbacks run right before the poll, check callbacks right
//! after the I/O callbacks. Within a phase, handles run in start order.

use std::os::raw::c_int;

use crate::core::error::{Result, EINVAL};
use crate::core::hooks::HookPhase;

use super::handle::{new_handle, with_kind};
use super::types::{
    ruv_check_cb, ruv_check_t, ruv_idle_cb, ruv_idle_t, ruv_loop_t, ruv_prepare_cb, ruv_prepare_t,
    CHookCb,
};

fn hook_new<T>(loop_: *mut ruv_loop_t, out: *mut *mut T, phase: HookPhase) -> Result<c_int> {
    new_handle(loop_, out, phase.handle_type(), |core, owner| {
        Ok((core.hook_new(owner, phase), None))
    })
}

fn hook_start<T>(handle: *mut T, phase: HookPhase, cb: Option<CHookCb>) -> Result<c_int> {
    let cb = cb.ok_or(EINVAL)?;
    with_kind(handle, phase.handle_type(), |core, id| {
        core.hook_start(id, phase, cb)
    })?;
    Ok(0)
}

fn hook_stop<T>(handle: *mut T, phase: HookPhase) -> Result<c_int> {
    with_kind(handle, phase.handle_type(), |core, id| {
        core.hook_stop(id, phase)
    })?;
    Ok(0)
}

ffi_fn! {
    /// Creates a stopped idle handle in `*out`. Returns 0, or RUV_EINVAL for a NULL or invalid
    /// loop or a NULL `out`.
    fn ruv_idle_new(loop_: *mut ruv_loop_t, out: *mut *mut ruv_idle_t) -> c_int {
        hook_new(loop_, out, HookPhase::Idle)
    }
}

ffi_fn! {
    /// Starts the idle handle: `cb` runs once per loop iteration, in start order. On a started
    /// handle, replaces the callback and keeps its place. RUV_EINVAL for a NULL, invalid or
    /// closing handle or a NULL `cb`.
    fn ruv_idle_start(handle: *mut ruv_idle_t, cb: ruv_idle_cb) -> c_int {
        hook_start(handle, HookPhase::Idle, cb.map(CHookCb::Idle))
    }
}

ffi_fn! {
    /// Stops the idle handle (0 also when it is not started). RUV_EINVAL if invalid or closing.
    fn ruv_idle_stop(handle: *mut ruv_idle_t) -> c_int {
        hook_stop(handle, HookPhase::Idle)
    }
}

ffi_fn! {
    /// Creates a stopped prepare handle in `*out`. Returns 0, or RUV_EINVAL for a NULL or invalid
    /// loop or a NULL `out`.
    fn ruv_prepare_new(loop_: *mut ruv_loop_t, out: *mut *mut ruv_prepare_t) -> c_int {
        hook_new(loop_, out, HookPhase::Prepare)
    }
}

ffi_fn! {
    /// Starts the prepare handle: `cb` runs once per loop iteration, in start order. On a started
    /// handle, replaces the callback and keeps its place. RUV_EINVAL for a NULL, invalid or
    /// closing handle or a NULL `cb`.
    fn ruv_prepare_start(handle: *mut ruv_prepare_t, cb: ruv_prepare_cb) -> c_int {
        hook_start(handle, HookPhase::Prepare, cb.map(CHookCb::Prepare))
    }
}

ffi_fn! {
    /// Stops the prepare handle (0 also when it is not started). RUV_EINVAL if invalid or closing.
    fn ruv_prepare_stop(handle: *mut ruv_prepare_t) -> c_int {
        hook_stop(handle, HookPhase::Prepare)
    }
}

ffi_fn! {
    /// Creates a stopped check handle in `*out`. Returns 0, or RUV_EINVAL for a NULL or invalid
    /// loop or a NULL `out`.
    fn ruv_check_new(loop_: *mut ruv_loop_t, out: *mut *mut ruv_check_t) -> c_int {
        hook_new(loop_, out, HookPhase::Check)
    }
}

ffi_fn! {
    /// Starts the check handle: `cb` runs once per loop iteration, in start order. On a started
    /// handle, replaces the callback and keeps its place. RUV_EINVAL for a NULL, invalid or
    /// closing handle or a NULL `cb`.
    fn ruv_check_start(handle: *mut ruv_check_t, cb: ruv_check_cb) -> c_int {
        hook_start(handle, HookPhase::Check, cb.map(CHookCb::Check))
    }
}

ffi_fn! {
    /// Stops the check handle (0 also when it is not started). RUV_EINVAL if invalid or closing.
    fn ruv_check_stop(handle: *mut ruv_check_t) -> c_int {
        hook_stop(handle, HookPhase::Check)
    }
}

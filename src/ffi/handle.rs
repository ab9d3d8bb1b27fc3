//! Functions that work on any handle: close, state, references, data, loop, type.

use std::os::raw::{c_int, c_void};
use std::sync::Arc;

use crate::core::async_handle::AsyncShared;
use crate::core::error::{Result, EBUSY, EINVAL};
use crate::core::event_loop::Loop;
use crate::core::handle::HandleType;
use crate::core::handle_table::HandleId;

use super::types::{
    handle_ref, kind_ref, loop_ref, owner_ptr, ruv_close_cb, ruv_handle_t, ruv_handle_type,
    ruv_loop_t, CHost, HandleObj,
};

/// Checks a handle pointer, then runs `f` on its loop's core with the handle's id. The core is
/// borrowed only for the duration of `f`, which never calls C.
pub(crate) fn with_core<P, R>(
    handle: *const P,
    f: impl FnOnce(&mut Loop<CHost>, HandleId) -> Result<R>,
) -> Result<R> {
    core_of(handle_ref(handle)?, f)
}

/// Checks a handle pointer of kind `ty` (`RUV_EINVAL` for another kind), then runs `f` as
/// [`with_core`] does.
pub(crate) fn with_kind<P, R>(
    handle: *const P,
    ty: HandleType,
    f: impl FnOnce(&mut Loop<CHost>, HandleId) -> Result<R>,
) -> Result<R> {
    core_of(kind_ref(handle, ty)?, f)
}

fn core_of<R>(h: &HandleObj, f: impl FnOnce(&mut Loop<CHost>, HandleId) -> Result<R>) -> Result<R> {
    let mut core = h.loop_obj().core.try_borrow_mut().map_err(|_| EBUSY)?;
    f(&mut core, h.id.get())
}

/// What creating a core handle gives back: its id, and an async handle's cross-thread part.
pub(crate) type Created = (HandleId, Option<Arc<AsyncShared>>);

/// Creates a handle of kind `ty` in `loop_` with `create` and stores its pointer in `*out`.
/// `RUV_EINVAL` for a NULL or invalid loop or a NULL `out`; `create`'s error otherwise (`*out`
/// untouched then).
pub(crate) fn new_handle<T>(
    loop_: *mut ruv_loop_t,
    out: *mut *mut T,
    ty: HandleType,
    create: impl FnOnce(&mut Loop<CHost>, *const HandleObj) -> Result<Created>,
) -> Result<c_int> {
    let l = loop_ref(loop_)?;
    if out.is_null() {
        return Err(EINVAL);
    }
    let owner = HandleObj::new_raw(l)?;
    let created = l
        .core
        .try_borrow_mut()
        .map_err(|_| EBUSY)
        .and_then(|mut core| create(&mut core, owner));
    match created {
        Ok((id, shared)) => {
            // SAFETY: owners made by new_raw are slots of the handle table, never freed.
            let obj = unsafe { &*owner };
            obj.publish(ty, id, shared);
            // SAFETY: `out` is non-NULL and points at the caller's pointer variable.
            unsafe { out.write(owner_ptr(owner)) };
            Ok(0)
        }
        Err(code) => {
            HandleObj::free(owner);
            Err(code)
        }
    }
}

ffi_fn! {
    /// Closes a handle of any kind: it stops at once (a TCP handle's socket is closed now); from
    /// the loop, pending requests then get their callbacks (RUV_ECANCELED if not completed) and
    /// `cb` (may be NULL) runs last, after which the handle is freed. Returns 0, or RUV_EINVAL if
    /// the handle is invalid or already closing.
    ///
    /// After the close callback the pointer is stale, and stays safe to pass to any ruv function
    /// forever: every call returns RUV_EINVAL (getters their fallback: 0, NULL,
    /// RUV_UNKNOWN_HANDLE), however many handles are made and closed later, also after the loop
    /// is closed, from any thread. It never reaches a newer handle: handle pointers are tagged ids
    /// (slot index and generation; never NULL, low bits zero) into a process-wide table whose
    /// storage is reused, and every call checks the generation.
    fn ruv_close(handle: *mut ruv_handle_t, cb: ruv_close_cb) -> c_int {
        with_core(handle, |core, id| core.close(id, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// 1 if the handle is active, else 0 (also once closing); RUV_EINVAL if invalid. Active: a
    /// TCP handle listening, connecting or reading; a started timer, idle, prepare, check, poll
    /// or signal handle; an async handle until it is closed.
    fn ruv_is_active(handle: *const ruv_handle_t) -> c_int {
        with_core(handle, |core, id| core.is_active(id)).map(c_int::from)
    }
}

ffi_fn! {
    /// 1 if ruv_close was called on the handle, else 0; RUV_EINVAL if invalid.
    fn ruv_is_closing(handle: *const ruv_handle_t) -> c_int {
        with_core(handle, |core, id| core.is_closing(id)).map(c_int::from)
    }
}

ffi_fn! {
    /// Makes an active handle keep the loop alive (the default).
    fn ruv_ref(handle: *mut ruv_handle_t) {
        let _ = with_core(handle, |core, id| core.set_ref(id, true));
    }
}

ffi_fn! {
    /// Makes an active handle not keep the loop alive.
    fn ruv_unref(handle: *mut ruv_handle_t) {
        let _ = with_core(handle, |core, id| core.set_ref(id, false));
    }
}

ffi_fn! {
    /// 1 if the handle is referenced, else 0; RUV_EINVAL if invalid.
    fn ruv_has_ref(handle: *const ruv_handle_t) -> c_int {
        with_core(handle, |core, id| core.has_ref(id)).map(c_int::from)
    }
}

ffi_fn! {
    /// The user data pointer of the handle (NULL until set, or for an invalid handle).
    fn ruv_handle_get_data(handle: *const ruv_handle_t) -> *mut c_void {
        handle_ref(handle).map_or(std::ptr::null_mut(), |h| h.data.get())
    }
}

ffi_fn! {
    /// Sets the user data pointer of the handle.
    fn ruv_handle_set_data(handle: *mut ruv_handle_t, data: *mut c_void) {
        if let Ok(h) = handle_ref(handle) {
            h.data.set(data);
        }
    }
}

ffi_fn! {
    /// The loop the handle belongs to (NULL for an invalid handle).
    fn ruv_handle_get_loop(handle: *const ruv_handle_t) -> *mut ruv_loop_t {
        handle_ref(handle).map_or(std::ptr::null_mut(), |h: &HandleObj| h.loop_obj().as_ptr())
    }
}

ffi_fn! {
    /// The type of the handle (RUV_TCP, RUV_TIMER, …), or RUV_UNKNOWN_HANDLE for an invalid
    /// pointer.
    fn ruv_handle_get_type(handle: *const ruv_handle_t) -> ruv_handle_type {
        handle_ref(handle)
            .ok()
            .and_then(HandleObj::handle_type)
            .map_or(ruv_handle_type::RUV_UNKNOWN_HANDLE, ruv_handle_type::from)
    }
}

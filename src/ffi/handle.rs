//! Functions that work on any handle: close, state, references, data, loop, type.

use std::os::raw::{c_int, c_void};

use crate::core::error::{Result, EBUSY};
use crate::core::event_loop::Loop;
use crate::core::handle_table::HandleId;

use super::types::{
    handle_ref, ruv_close_cb, ruv_handle_t, ruv_handle_type, ruv_loop_t, CHost, HandleObj,
};

/// Checks a handle pointer, then runs `f` on its loop's core with the handle's id. The core is
/// borrowed only for the duration of `f`, which never calls C.
pub(crate) fn with_core<P, R>(
    handle: *const P,
    f: impl FnOnce(&mut Loop<CHost>, HandleId) -> Result<R>,
) -> Result<R> {
    let h = handle_ref(handle)?;
    let mut core = h.loop_obj().core.try_borrow_mut().map_err(|_| EBUSY)?;
    f(&mut core, h.id.get())
}

/// Closes a handle: all I/O stops and the socket is closed at once; from the loop, pending
/// requests then get their callbacks (RUV_ECANCELED if not completed) and `cb` (may be NULL) runs
/// last, after which the handle is freed. Returns 0, or RUV_EINVAL if the handle is invalid
/// or already closing.
#[no_mangle]
pub extern "C" fn ruv_close(handle: *mut ruv_handle_t, cb: ruv_close_cb) -> c_int {
    ffi_guard!(status {
        with_core(handle, |core, id| core.close(id, cb))?;
        Ok(0)
    })
}

/// 1 if the handle is listening, connecting or reading, else 0; RUV_EINVAL if invalid.
#[no_mangle]
pub extern "C" fn ruv_is_active(handle: *const ruv_handle_t) -> c_int {
    ffi_guard!(status { with_core(handle, |core, id| core.is_active(id)).map(c_int::from) })
}

/// 1 if ruv_close was called on the handle, else 0; RUV_EINVAL if invalid.
#[no_mangle]
pub extern "C" fn ruv_is_closing(handle: *const ruv_handle_t) -> c_int {
    ffi_guard!(status { with_core(handle, |core, id| core.is_closing(id)).map(c_int::from) })
}

/// Makes an active handle keep the loop alive (the default).
#[no_mangle]
pub extern "C" fn ruv_ref(handle: *mut ruv_handle_t) {
    ffi_guard!(value(), {
        let _ = with_core(handle, |core, id| core.set_ref(id, true));
    })
}

/// Makes an active handle not keep the loop alive.
#[no_mangle]
pub extern "C" fn ruv_unref(handle: *mut ruv_handle_t) {
    ffi_guard!(value(), {
        let _ = with_core(handle, |core, id| core.set_ref(id, false));
    })
}

/// 1 if the handle is referenced, else 0; RUV_EINVAL if invalid.
#[no_mangle]
pub extern "C" fn ruv_has_ref(handle: *const ruv_handle_t) -> c_int {
    ffi_guard!(status { with_core(handle, |core, id| core.has_ref(id)).map(c_int::from) })
}

/// The user data pointer of the handle (NULL until set, or for an invalid handle).
#[no_mangle]
pub extern "C" fn ruv_handle_get_data(handle: *const ruv_handle_t) -> *mut c_void {
    ffi_guard!(value std::ptr::null_mut(), {
        handle_ref(handle).map_or(std::ptr::null_mut(), |h| h.data.get())
    })
}

/// Sets the user data pointer of the handle.
#[no_mangle]
pub extern "C" fn ruv_handle_set_data(handle: *mut ruv_handle_t, data: *mut c_void) {
    ffi_guard!(value(), {
        if let Ok(h) = handle_ref(handle) {
            h.data.set(data);
        }
    })
}

/// The loop the handle belongs to (NULL for an invalid handle).
#[no_mangle]
pub extern "C" fn ruv_handle_get_loop(handle: *const ruv_handle_t) -> *mut ruv_loop_t {
    ffi_guard!(value std::ptr::null_mut(), {
        handle_ref(handle).map_or(std::ptr::null_mut(), |h: &HandleObj| h.loop_obj().as_ptr())
    })
}

/// The type of the handle: RUV_TCP, or RUV_UNKNOWN_HANDLE for an invalid pointer.
#[no_mangle]
pub extern "C" fn ruv_handle_get_type(handle: *const ruv_handle_t) -> ruv_handle_type {
    ffi_guard!(value ruv_handle_type::UNKNOWN, {
        match handle_ref(handle) {
            Ok(_) => ruv_handle_type::TCP,
            Err(_) => ruv_handle_type::UNKNOWN,
        }
    })
}

//! Async handles: wake a loop from any thread, or from a signal handler.

use crate::core::handle::HandleType;

use super::handle::new_handle;
use super::types::{async_shared, ruv_async_cb, ruv_async_t, ruv_loop_t};

ffi_fn! {
    /// Creates an async handle in `*out`; it is active (keeps the loop alive) until closed, so
    /// unref it if it should not. `cb` may be NULL: a send then only wakes the loop. Errors:
    /// RUV_EINVAL (NULL or invalid loop, NULL `out`), or the error creating the loop's eventfd.
    fn ruv_async_new(loop_: *mut ruv_loop_t, cb: ruv_async_cb, out: *mut *mut ruv_async_t) -> c_int {
        new_handle(loop_, out, HandleType::Async, |core, owner| {
            let (id, shared) = core.async_new(owner, cb)?;
            Ok((id, Some(shared)))
        })
    }
}

ffi_fn! {
    /// Wakes the handle's loop, which then runs its callback. May be called from any thread and
    /// from a signal handler: lock-free, no allocation. Sends before the callback runs coalesce
    /// into one callback; every send is followed by a callback that starts after it. Returns 0,
    /// or RUV_EINVAL for a NULL, invalid, closing or closed handle (a send racing with ruv_close
    /// on another thread returns 0 or RUV_EINVAL; no callback runs after ruv_close returned).
    /// After the close callback, and after the loop is closed, a send from any thread returns
    /// RUV_EINVAL and wakes no other handle.
    fn ruv_async_send(async_: *mut ruv_async_t) -> c_int {
        async_shared(async_)?.send()?;
        Ok(0)
    }
}

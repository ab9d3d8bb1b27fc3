//! `ruv_fileno`: the descriptor of any handle that has one.

use std::os::raw::c_int;

use crate::core::error::EINVAL;

use super::handle::with_core;
use super::types::ruv_handle_t;

ffi_fn! {
    /// Stores the descriptor of a TCP, pipe or UDP handle (its socket, or the pipe/FIFO end it
    /// adopted) or the one a poll handle watches in `*fd`. Errors: RUV_EBADF (a TCP, pipe or UDP
    /// handle with no descriptor yet, or any of them once closing), RUV_EINVAL (NULL, invalid,
    /// or a kind without a descriptor: timers, async, idle/prepare/check, signals).
    fn ruv_fileno(h: *const ruv_handle_t, fd: *mut c_int) -> c_int {
        if fd.is_null() {
            return Err(EINVAL);
        }
        let value = with_core(h, |core, id| core.fileno(id))?;
        // SAFETY: `fd` is non-NULL and points at the caller's int.
        unsafe { fd.write(value) };
        Ok(0)
    }
}

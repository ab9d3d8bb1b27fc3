//! Poll handles: watch a descriptor ruv does not own (another library's socket, a pipe, an
//! eventfd), level-triggered like libuv's `uv_poll_t`.

use std::os::raw::c_int;

use crate::core::error::EINVAL;
use crate::core::handle::HandleType;

use super::handle::{new_handle, with_kind};
use super::types::{ruv_loop_t, ruv_poll_cb, ruv_poll_t};

ffi_fn! {
    /// Creates a stopped poll handle for descriptor `fd` in `*out`. ruv never reads, writes,
    /// closes or changes the flags of `fd`: stop or close the handle before closing it. Errors
    /// (`*out` untouched): RUV_EINVAL (NULL or invalid loop, NULL `out`), RUV_EBADF (`fd` is
    /// not open), RUV_EEXIST (a TCP or poll handle of this loop already holds `fd`),
    /// RUV_EPERM (epoll cannot watch it: a regular file, a directory).
    fn ruv_poll_new(loop_: *mut ruv_loop_t, fd: c_int, out: *mut *mut ruv_poll_t) -> c_int {
        new_handle(loop_, out, HandleType::Poll, |core, owner| {
            Ok((core.poll_new(owner, fd)?, None))
        })
    }
}

ffi_fn! {
    /// Starts watching for `events` (an or of RUV_READABLE, RUV_WRITABLE, RUV_DISCONNECT,
    /// RUV_PRIORITIZED), or changes them on a started handle. Level-triggered: from the loop,
    /// `cb(poll, 0, ready)` runs every iteration while the descriptor is ready for a requested
    /// event (`ready` = the requested events that are ready; a hang-up makes the requested
    /// RUV_READABLE / RUV_WRITABLE / RUV_DISCONNECT ready), and stops once it is drained, without
    /// busy looping. When the poll reports an error (`EPOLLERR`), the handle stops and
    /// `cb(poll, RUV_EBADF, 0)` runs once (as in libuv: the poll does not say which error; a
    /// read, write or SO_ERROR on the descriptor does). Errors: RUV_EINVAL (NULL, invalid or
    /// closing handle, NULL `cb`, `events` 0 or with unknown bits; the handle keeps what it
    /// watched), RUV_EBADF (the descriptor was closed; the handle is stopped then). Close the
    /// descriptor only after stopping or closing the handle: one closed while watched makes the
    /// handle silent, or (seen when it is re-armed after a callback) stops it with
    /// `cb(poll, RUV_EBADF, 0)`.
    fn ruv_poll_start(poll: *mut ruv_poll_t, events: c_int, cb: ruv_poll_cb) -> c_int {
        let cb = cb.ok_or(EINVAL)?;
        let events = u32::try_from(events).map_err(|_| EINVAL)?;
        with_kind(poll, HandleType::Poll, |core, id| core.poll_start(id, events, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Stops watching (0 also when not started): no callback comes after this returns. The
    /// descriptor stays open. RUV_EINVAL if the handle is invalid or closing.
    fn ruv_poll_stop(poll: *mut ruv_poll_t) -> c_int {
        with_kind(poll, HandleType::Poll, |core, id| core.poll_stop(id))?;
        Ok(0)
    }
}

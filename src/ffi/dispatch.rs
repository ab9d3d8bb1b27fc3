//! Calling user callbacks. The only place that calls into C; it runs with no borrow of the
//! loop held, so the callback may re-enter the API freely.

use std::ptr;

use crate::core::dispatch::{Dispatch, ReadResult};

use super::types::{handle_ptr, tcp_ptr, CHost, HandleObj, LoopObj};

/// Runs one due callback of `loop_obj`.
pub(crate) fn call(loop_obj: &LoopObj, due: Dispatch<CHost>) {
    match due {
        Dispatch::Connection { owner, cb, status } => {
            // SAFETY: `cb` is the user's non-NULL listen callback; `owner` is live until its
            // close callback has run, which is later.
            unsafe { cb(tcp_ptr(owner), status) }
        }
        Dispatch::Connect { owner, cb, status } => {
            // SAFETY: as above, for the connect callback.
            unsafe { cb(tcp_ptr(owner), status) }
        }
        Dispatch::Write {
            owner,
            cb: (cb, arg),
            status,
        } => {
            if let Some(cb) = cb {
                // SAFETY: as above; `arg` is passed back untouched.
                unsafe { cb(tcp_ptr(owner), status, arg) }
            }
        }
        Dispatch::Shutdown { owner, cb, status } => {
            if let Some(cb) = cb {
                // SAFETY: as above, for the shutdown callback.
                unsafe { cb(tcp_ptr(owner), status) }
            }
        }
        Dispatch::Read { owner, cb, result } => match result {
            ReadResult::Data(chunk) => {
                let data = chunk.data();
                let nread = libc::ssize_t::try_from(data.len()).unwrap_or(libc::ssize_t::MAX);
                // SAFETY: `data` is the loop's read buffer, valid for the whole call (we own
                // the chunk); the callback may not keep the pointer (documented).
                unsafe { cb(tcp_ptr(owner), nread, data.as_ptr().cast()) };
                if let Ok(mut core) = loop_obj.core.try_borrow_mut() {
                    core.recycle_read_buffer(chunk);
                }
            }
            ReadResult::Error(code) => {
                // SAFETY: as above; no data comes with an error.
                unsafe { cb(tcp_ptr(owner), code as libc::ssize_t, ptr::null()) }
            }
        },
        Dispatch::Close { owner, cb, handle } => {
            if let Some(cb) = cb {
                // SAFETY: the handle is still allocated (and known to the core, as closing)
                // during its close callback.
                unsafe { cb(handle_ptr(owner)) }
            }
            if let Ok(mut core) = loop_obj.core.try_borrow_mut() {
                core.release_closed(handle);
            }
            HandleObj::free(owner);
        }
    }
}

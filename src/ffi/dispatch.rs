//! Calling user callbacks. The only place that calls into C; it runs with no borrow of the
//! loop held, so the callback may re-enter the API freely.

use std::os::raw::c_int;
use std::ptr;

use crate::core::dispatch::{Dispatch, ReadResult};
use crate::core::udp::RecvResult as UdpRecvResult;

use super::addr::CSockAddr;
use super::types::{owner_ptr, CHookCb, CHost, HandleObj, LoopObj};

/// Runs one due callback of `loop_obj`.
pub(crate) fn call(loop_obj: &LoopObj, due: Dispatch<CHost>) {
    match due {
        Dispatch::Connection { owner, cb, status } => {
            // SAFETY: `cb` is the user's non-NULL listen callback; `owner` is live until its
            // close callback has run, which is later.
            unsafe { cb(owner_ptr(owner), status) }
        }
        Dispatch::Connect { owner, cb, status } => {
            // SAFETY: `cb` is the user's non-NULL connect callback; `owner` is live until its
            // close callback has run, which is later.
            unsafe { cb(owner_ptr(owner), status) }
        }
        Dispatch::Write {
            owner,
            cb: (cb, arg),
            status,
        } => {
            if let Some(cb) = cb {
                // SAFETY: `cb` is the user's write callback; `owner` is live until its close
                // callback has run, which is later; `arg` is passed back untouched.
                unsafe { cb(owner_ptr(owner), status, arg) }
            }
        }
        Dispatch::Shutdown { owner, cb, status } => {
            if let Some(cb) = cb {
                // SAFETY: `cb` is the user's shutdown callback; `owner` is live until its close
                // callback has run, which is later.
                unsafe { cb(owner_ptr(owner), status) }
            }
        }
        Dispatch::Read { owner, cb, result } => match result {
            ReadResult::Data(chunk) => {
                let data = chunk.data();
                let nread = libc::ssize_t::try_from(data.len()).unwrap_or(libc::ssize_t::MAX);
                // SAFETY: `data` is the loop's read buffer, valid for the whole call (we own
                // the chunk); the callback may not keep the pointer (documented).
                unsafe { cb(owner_ptr(owner), nread, data.as_ptr().cast()) };
                if let Ok(mut core) = loop_obj.core.try_borrow_mut() {
                    core.recycle_read_buffer(chunk);
                }
            }
            ReadResult::Error(code) => {
                // SAFETY: `cb` is the user's non-NULL read callback, `owner` is live until its
                // close callback has run; no data comes with an error, so `data` is NULL.
                unsafe { cb(owner_ptr(owner), code as libc::ssize_t, ptr::null()) }
            }
        },
        Dispatch::Timer { owner, cb } => {
            // SAFETY: `cb` is the user's non-NULL timer callback; `owner` is live until its
            // close callback has run, which is later.
            unsafe { cb(owner_ptr(owner)) }
        }
        Dispatch::Async { owner, cb } => {
            if let Some(cb) = cb {
                // SAFETY: `cb` is the user's async callback; `owner` is live until its close
                // callback has run, which is later.
                unsafe { cb(owner_ptr(owner)) }
            }
        }
        Dispatch::Hook { owner, cb } => {
            // SAFETY: `cb` is the user's non-NULL callback of the hook's own kind (the enum
            // variant was chosen by that kind's start function); `owner` is live until its close
            // callback has run, which is later.
            unsafe {
                match cb {
                    CHookCb::Idle(f) => f(owner_ptr(owner)),
                    CHookCb::Prepare(f) => f(owner_ptr(owner)),
                    CHookCb::Check(f) => f(owner_ptr(owner)),
                }
            }
        }
        Dispatch::Poll {
            owner,
            cb,
            status,
            events,
        } => {
            let events = c_int::try_from(events).unwrap_or(0);
            // SAFETY: `cb` is the user's non-NULL poll callback; `owner` is live until its close
            // callback has run, which is later.
            unsafe { cb(owner_ptr(owner), status, events) }
        }
        Dispatch::Signal { owner, cb, signum } => {
            // SAFETY: `cb` is the user's non-NULL signal callback, called from the loop (never
            // from the signal handler); `owner` is live until its close callback has run.
            unsafe { cb(owner_ptr(owner), signum) }
        }
        Dispatch::Handshake { owner, cb, status } => {
            if let Some(cb) = cb {
                // SAFETY: `cb` is the user's handshake callback; `owner` is live until its
                // close callback has run, which is later.
                unsafe { cb(owner_ptr(owner), status) }
            }
        }
        Dispatch::Drain { owner, cb } => {
            // SAFETY: `cb` is the user's non-NULL drain callback (set_watermarks refuses NULL
            // with watermarks on); `owner` is live until its close callback has run, and the
            // core drops a drain that is due after ruv_close.
            unsafe { cb(owner_ptr(owner)) }
        }
        Dispatch::UdpSend {
            owner,
            cb: (cb, arg),
            status,
        } => {
            if let Some(cb) = cb {
                // SAFETY: `cb` is the user's send callback; `owner` is live until its close
                // callback has run, which is later; `arg` is passed back untouched.
                unsafe { cb(owner_ptr(owner), status, arg) }
            }
        }
        Dispatch::UdpRecv { owner, cb, result } => match result {
            UdpRecvResult::Datagram { chunk, addr, flags } => {
                let data = chunk.data();
                let nread = libc::ssize_t::try_from(data.len()).unwrap_or(libc::ssize_t::MAX);
                let from = CSockAddr::from(&addr);
                // SAFETY: `data` is the loop's read buffer and `from` a local copy of the
                // sender's address, both valid for the whole call (documented as valid only
                // during it); `owner` is live until its close callback has run.
                unsafe {
                    cb(
                        owner_ptr(owner),
                        nread,
                        data.as_ptr().cast(),
                        from.as_ptr(),
                        flags,
                    )
                };
                if let Ok(mut core) = loop_obj.core.try_borrow_mut() {
                    core.recycle_read_buffer(chunk);
                }
            }
            UdpRecvResult::Error(code) => {
                // SAFETY: `cb` is the user's non-NULL receive callback, `owner` is live until
                // its close callback has run; an error has no data and no address.
                unsafe {
                    cb(
                        owner_ptr(owner),
                        code as libc::ssize_t,
                        ptr::null(),
                        ptr::null(),
                        0,
                    )
                }
            }
        },
        Dispatch::Request { req, status, value } => {
            super::request::deliver(loop_obj, req, status, value)
        }
        Dispatch::Close { owner, cb, handle } => {
            if let Some(cb) = cb {
                // SAFETY: the handle is still allocated (and known to the core, as closing)
                // during its close callback.
                unsafe { cb(owner_ptr(owner)) }
            }
            if let Ok(mut core) = loop_obj.core.try_borrow_mut() {
                core.release_closed(handle);
            }
            HandleObj::free(owner);
        }
    }
}

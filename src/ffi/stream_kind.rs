//! Which handles are streams (TCP and pipe handles), and the one place that sees a `ruv_tcp_*`
//! callback as its stream twin, so each `ruv_tcp_X` is a thin wrapper over `ruv_X`.

use std::os::raw::c_int;

use crate::core::error::{Result, EINVAL};
use crate::core::event_loop::Loop;
use crate::core::handle::HandleType;
use crate::core::handle_table::HandleId;

use super::handle::with_core;
use super::types::{
    handle_ref, ruv_connect_cb, ruv_drain_cb, ruv_read_cb, ruv_stream_cb, ruv_stream_drain_cb,
    ruv_stream_read_cb, ruv_stream_write_cb, ruv_write_cb, CHost,
};

/// The kind of a stream handle pointer: `RUV_EINVAL` if NULL, dead, or not a stream (a timer,
/// a UDP handle, …).
pub(crate) fn stream_type<P>(s: *const P) -> Result<HandleType> {
    match handle_ref(s)?.handle_type() {
        Some(ty @ (HandleType::Tcp | HandleType::NamedPipe)) => Ok(ty),
        _ => Err(EINVAL),
    }
}

/// Checks a stream handle pointer of any stream kind, then runs `f` on its loop's core with
/// the handle's id (as `with_kind`).
pub(crate) fn with_stream<P, R>(
    s: *const P,
    f: impl FnOnce(&mut Loop<CHost>, HandleId) -> Result<R>,
) -> Result<R> {
    stream_type(s)?;
    with_core(s, f)
}

/// An export's `c_int` result back as `Ok(value)` / `Err(negative code)`, for the wrappers that
/// call another export.
pub(crate) fn returned(code: c_int) -> Result<c_int> {
    if code < 0 {
        Err(code)
    } else {
        Ok(code)
    }
}

/// A TCP connection, connect or shutdown callback as the stream callback it is.
pub(crate) fn status_cb(cb: ruv_connect_cb) -> ruv_stream_cb {
    // SAFETY: the two types differ only in the pointee of the first (pointer) argument; raw
    // pointers to sized types are ABI-compatible, so calling the function through the stream
    // type passes the very same pointer (see std's "ABI compatibility" of fn pointers).
    unsafe { std::mem::transmute::<ruv_connect_cb, ruv_stream_cb>(cb) }
}

/// A TCP read callback as a stream read callback.
pub(crate) fn read_cb(cb: ruv_read_cb) -> ruv_stream_read_cb {
    // SAFETY: as in `status_cb`: only the first argument's pointee type differs.
    unsafe { std::mem::transmute::<ruv_read_cb, ruv_stream_read_cb>(cb) }
}

/// A TCP write callback as a stream write callback.
pub(crate) fn write_cb(cb: ruv_write_cb) -> ruv_stream_write_cb {
    // SAFETY: as in `status_cb`: only the first argument's pointee type differs.
    unsafe { std::mem::transmute::<ruv_write_cb, ruv_stream_write_cb>(cb) }
}

/// A TCP drain callback as a stream drain callback.
pub(crate) fn drain_cb(cb: ruv_drain_cb) -> ruv_stream_drain_cb {
    // SAFETY: as in `status_cb`: only the argument's pointee type differs.
    unsafe { std::mem::transmute::<ruv_drain_cb, ruv_stream_drain_cb>(cb) }
}

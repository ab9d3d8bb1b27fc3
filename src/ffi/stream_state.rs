//! A stream's state and flow settings: readable/writable, the write queue, blocking writes,
//! watermarks and the write limit (any stream kind; the `ruv_tcp_*` twins wrap these).

use std::os::raw::c_int;

use super::stream_kind::with_stream;
use super::types::{ruv_stream_drain_cb, ruv_stream_t};

ffi_fn! {
    /// 1 if the stream can read (connected, no EOF yet, not closing, not a write-only pipe end),
    /// else 0; RUV_EINVAL if invalid or not a stream.
    fn ruv_is_readable(s: *const ruv_stream_t) -> c_int {
        with_stream(s, |core, id| core.stream_readable(id)).map(c_int::from)
    }
}

ffi_fn! {
    /// 1 if the stream accepts writes (connected or connecting, not shut down, not closing, not a
    /// read-only pipe end), else 0; RUV_EINVAL if invalid or not a stream.
    fn ruv_is_writable(s: *const ruv_stream_t) -> c_int {
        with_stream(s, |core, id| core.stream_writable(id)).map(c_int::from)
    }
}

ffi_fn! {
    /// Bytes accepted by ruv_write and not yet sent (0 for an invalid or closing handle, or one
    /// that is not a stream).
    fn ruv_stream_get_write_queue_size(s: *const ruv_stream_t) -> usize {
        with_stream(s, |core, id| core.stream_write_queue_size(id)).unwrap_or(0)
    }
}

ffi_fn! {
    /// Blocking mode (non-zero) or not (0, the default) for the stream's descriptor, as libuv's
    /// uv_stream_set_blocking: while blocking, a write sends everything before it returns.
    /// Errors: RUV_EBADF (no descriptor yet), RUV_EINVAL (NULL, not a stream, closing).
    fn ruv_stream_set_blocking(s: *mut ruv_stream_t, blocking: c_int) -> c_int {
        with_stream(s, |core, id| core.stream_set_blocking(id, blocking != 0))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Sets write watermarks. With `high` > 0 the stream is congested once a write leaves more
    /// than `high` bytes queued (ruv_stream_get_write_queue_size); `cb(s)` then runs once, from
    /// the loop, when the queue has fallen to `low` bytes or less — the time to resume a paused
    /// producer (e.g. ruv_read_start on the connection feeding this one). It runs at most once
    /// per congestion, never inside ruv_write, and not at all after ruv_close or a write error.
    /// The watermarks only inform: writes are still accepted while congested (see
    /// ruv_stream_set_write_limit) and ruv_is_writable stays 1. `high` 0 (with `low` 0) turns
    /// them off. Errors: RUV_EINVAL (`low` > `high`, `cb` NULL with `high` > 0, NULL, not a
    /// stream, closing).
    fn ruv_stream_set_watermarks(
        s: *mut ruv_stream_t,
        low: usize,
        high: usize,
        cb: ruv_stream_drain_cb,
    ) -> c_int {
        with_stream(s, |core, id| core.stream_set_watermarks(id, low, high, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Bounds the write queue: a ruv_write issued while bytes are queued that would make
    /// ruv_stream_get_write_queue_size exceed `max` fails with RUV_ENOBUFS and queues nothing. A
    /// write into an empty queue is always accepted (sent at once, the rest queued), so a stream
    /// is never cut inside a write and the queue stays at most `max` plus one write. Writes
    /// queued while connecting count. `max` 0 means no limit (the default). It bounds the memory
    /// a peer that never reads can cost. Errors: RUV_EINVAL (NULL, not a stream, closing).
    fn ruv_stream_set_write_limit(s: *mut ruv_stream_t, max: usize) -> c_int {
        with_stream(s, |core, id| core.stream_set_write_limit(id, max))?;
        Ok(0)
    }
}

//! The caller's `ruv_buf_t` array, borrowed as `IoSlice`s for one write or send.

use std::io::IoSlice;
use std::os::raw::c_int;

use crate::core::error::EINVAL;

use super::types::ruv_buf_t;

/// Buffers up to this count are described on the stack.
const STACK_BUFS: usize = 16;

/// Borrows the caller's buffer array as `IoSlice`s and runs `f` on them. `RUV_EINVAL` if `bufs`
/// is NULL, `nbufs` is 0, or a buffer has a NULL base and a non-zero length.
pub(crate) fn with_bufs<R>(
    bufs: *const ruv_buf_t,
    nbufs: usize,
    f: impl FnOnce(&[IoSlice<'_>]) -> Result<R, c_int>,
) -> Result<R, c_int> {
    if bufs.is_null() || nbufs == 0 {
        return Err(EINVAL);
    }
    // SAFETY: the caller passes an array of `nbufs` ruv_buf_t (API contract).
    let bufs = unsafe { std::slice::from_raw_parts(bufs, nbufs) };
    let slice_of = |b: &ruv_buf_t| -> Result<IoSlice<'_>, c_int> {
        if b.len == 0 {
            return Ok(IoSlice::new(&[]));
        }
        if b.base.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: a non-NULL base with `len` readable bytes (API contract); the slice lives
        // only for this call, during which the caller keeps the buffer.
        Ok(IoSlice::new(unsafe {
            std::slice::from_raw_parts(b.base.cast::<u8>(), b.len)
        }))
    };
    if let [one] = bufs {
        return f(&[slice_of(one)?]);
    }
    if nbufs <= STACK_BUFS {
        let mut stack = [IoSlice::new(&[]); STACK_BUFS];
        for (slot, b) in stack.iter_mut().zip(bufs) {
            *slot = slice_of(b)?;
        }
        f(&stack[..nbufs])
    } else {
        let slices = bufs.iter().map(slice_of).collect::<Result<Vec<_>, _>>()?;
        f(&slices)
    }
}

//! The C-visible types and the one place that maps C pointers to Rust objects.
//!
//! `ruv_loop_t *` points at a [`LoopObj`], `ruv_tcp_t *` / `ruv_handle_t *` at a [`HandleObj`].
//! Both carry a magic number checked on every call, so a pointer of the wrong kind is an error
//! (`RUV_EINVAL`) rather than undefined behaviour.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::os::raw::{c_char, c_int, c_void};

use crate::core::error::EINVAL;
use crate::core::event_loop::Loop;
use crate::core::handle_table::HandleId;
use crate::core::host::Host;

/// Opaque C type of a loop (declared in the header's prelude).
#[repr(C)]
pub struct ruv_loop_t {
    _private: [u8; 0],
}

/// Opaque C type of any handle (declared in the header's prelude).
#[repr(C)]
pub struct ruv_handle_t {
    _private: [u8; 0],
}

/// Opaque C type of a TCP handle (declared in the header's prelude).
#[repr(C)]
pub struct ruv_tcp_t {
    _private: [u8; 0],
}

/// A buffer to write (declared in the header's prelude).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ruv_buf_t {
    /// Start of the bytes; may be NULL only when `len` is 0.
    pub base: *const c_char,
    /// Number of bytes.
    pub len: usize,
}

/// `ruv_run_mode` as it crosses the ABI: a C enum is an `int`, and any value may arrive.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct ruv_run_mode(pub c_int);

/// `ruv_handle_type` as it crosses the ABI.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ruv_handle_type(pub c_int);

impl ruv_handle_type {
    /// Not a handle.
    pub const UNKNOWN: ruv_handle_type = ruv_handle_type(0);
    /// A TCP handle.
    pub const TCP: ruv_handle_type = ruv_handle_type(1);
}

/// Called when a handle is closed; the handle's memory is freed when it returns.
pub type ruv_close_cb = Option<unsafe extern "C" fn(handle: *mut ruv_handle_t)>;
/// Called by ruv_walk for every handle of a loop.
pub type ruv_walk_cb = Option<unsafe extern "C" fn(handle: *mut ruv_handle_t, arg: *mut c_void)>;
/// Called once per pending connection on a listener (status 0), or with an accept error.
pub type ruv_connection_cb = Option<unsafe extern "C" fn(server: *mut ruv_tcp_t, status: c_int)>;
/// Called when a connect completes (0), fails or is cancelled (RUV_ECANCELED).
pub type ruv_connect_cb = Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, status: c_int)>;
/// Called when a shutdown completes (0), fails or is cancelled (RUV_ECANCELED).
pub type ruv_shutdown_cb = Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, status: c_int)>;
/// Called when a write completes (0), fails or is cancelled; `arg` is ruv_tcp_write's `arg`.
pub type ruv_write_cb =
    Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, status: c_int, arg: *mut c_void)>;
/// Called with data (`nread` > 0, `data` valid only during the call), RUV_EOF or an error.
pub type ruv_read_cb =
    Option<unsafe extern "C" fn(tcp: *mut ruv_tcp_t, nread: libc::ssize_t, data: *const c_char)>;

/// The core's embedder for C: what is stored with each handle and request.
pub(crate) enum CHost {}

impl Host for CHost {
    type Owner = *const HandleObj;
    type ConnectionCb = unsafe extern "C" fn(*mut ruv_tcp_t, c_int);
    type ConnectCb = unsafe extern "C" fn(*mut ruv_tcp_t, c_int);
    type WriteCb = (ruv_write_cb, *mut c_void);
    type ShutdownCb = ruv_shutdown_cb;
    type ReadCb = unsafe extern "C" fn(*mut ruv_tcp_t, libc::ssize_t, *const c_char);
    type CloseCb = ruv_close_cb;

    fn is_silent_write(cb: &Self::WriteCb) -> bool {
        cb.0.is_none()
    }
}

const LOOP_MAGIC: u32 = 0x5255_564c; // "RUVL"
const TCP_MAGIC: u32 = 0x5255_5654; // "RUVT"
const DEAD_MAGIC: u32 = 0xdead_0000;
/// How many closed handle objects a loop keeps (marked dead) before really freeing them, so a
/// call on a handle whose close callback already ran is caught rather than touching freed memory.
const QUARANTINE: usize = 1024;

/// What a `ruv_loop_t *` points at. `repr(C)` with the magic first: every ruv object starts
/// with its magic, so checking a pointer of the wrong kind reads only bytes that exist.
#[repr(C)]
pub(crate) struct LoopObj {
    magic: Cell<u32>,
    pub(crate) core: RefCell<Loop<CHost>>,
    pub(crate) data: Cell<*mut c_void>,
    /// Set while ruv_run runs (callbacks included).
    pub(crate) running: Cell<bool>,
    /// Recently closed handle objects, marked dead (see [`QUARANTINE`]).
    quarantine: RefCell<VecDeque<Box<HandleObj>>>,
}

/// What a `ruv_tcp_t *` / `ruv_handle_t *` points at (magic first, as [`LoopObj`]).
#[repr(C)]
pub(crate) struct HandleObj {
    magic: Cell<u32>,
    pub(crate) loop_obj: *const LoopObj,
    pub(crate) id: Cell<HandleId>,
    pub(crate) data: Cell<*mut c_void>,
}

impl LoopObj {
    /// A new loop object, boxed, as the pointer C gets.
    pub(crate) fn into_raw(core: Loop<CHost>) -> *mut ruv_loop_t {
        let obj = Box::new(LoopObj {
            magic: Cell::new(LOOP_MAGIC),
            core: RefCell::new(core),
            data: Cell::new(std::ptr::null_mut()),
            running: Cell::new(false),
            quarantine: RefCell::new(VecDeque::new()),
        });
        Box::into_raw(obj).cast()
    }

    /// Frees a loop object made by [`LoopObj::into_raw`].
    pub(crate) fn free(ptr: *mut ruv_loop_t) {
        // SAFETY: callers pass a pointer checked by `loop_ref`, i.e. made by `into_raw` and not
        // freed yet (the magic is cleared here, before the box is dropped).
        let obj = unsafe { Box::from_raw(ptr.cast::<LoopObj>()) };
        obj.magic.set(DEAD_MAGIC);
        drop(obj);
    }

    /// The C pointer of this loop.
    pub(crate) fn as_ptr(&self) -> *mut ruv_loop_t {
        (self as *const LoopObj).cast_mut().cast()
    }
}

impl HandleObj {
    /// A new TCP handle object of `loop_obj`, boxed; its id is set once the core has one.
    pub(crate) fn new_raw(loop_obj: &LoopObj) -> *const HandleObj {
        Box::into_raw(Box::new(HandleObj {
            magic: Cell::new(TCP_MAGIC),
            loop_obj,
            id: Cell::new(HandleId::NONE),
            data: Cell::new(std::ptr::null_mut()),
        }))
    }

    /// Retires a handle object made by [`HandleObj::new_raw`]: it is marked dead and kept in
    /// its loop's quarantine for a while, then freed.
    pub(crate) fn free(owner: *const HandleObj) {
        // SAFETY: `owner` was made by `new_raw` and is retired exactly once: after its close
        // callback, or when creating the core handle failed.
        let obj = unsafe { Box::from_raw(owner.cast_mut()) };
        obj.magic.set(DEAD_MAGIC);
        // SAFETY: the loop outlives its handles (ruv_loop_close refuses while any exist), and
        // this borrow does not depend on `obj`, which moves into the quarantine.
        let loop_obj = unsafe { &*obj.loop_obj };
        let mut quarantine = loop_obj.quarantine.borrow_mut();
        if quarantine.len() == QUARANTINE {
            quarantine.pop_front();
        }
        quarantine.push_back(obj);
    }

    /// The loop this handle belongs to.
    pub(crate) fn loop_obj(&self) -> &LoopObj {
        // SAFETY: a loop cannot be closed while it has handles (ruv_loop_close returns EBUSY),
        // so the loop outlives every live handle object.
        unsafe { &*self.loop_obj }
    }
}

/// The owner stored in the core, as the TCP pointer C callbacks get.
pub(crate) fn tcp_ptr(owner: *const HandleObj) -> *mut ruv_tcp_t {
    owner.cast_mut().cast()
}

/// The owner stored in the core, as the generic handle pointer C callbacks get.
pub(crate) fn handle_ptr(owner: *const HandleObj) -> *mut ruv_handle_t {
    owner.cast_mut().cast()
}

/// Checks a C loop pointer: `RUV_EINVAL` if NULL or not a live loop.
pub(crate) fn loop_ref<'a>(ptr: *const ruv_loop_t) -> Result<&'a LoopObj, c_int> {
    if ptr.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: non-NULL loop pointers come from ruv_loop_new (the API contract); the magic check
    // turns a pointer to some other live object of ours into an error.
    let obj = unsafe { &*ptr.cast::<LoopObj>() };
    if obj.magic.get() != LOOP_MAGIC {
        return Err(EINVAL);
    }
    Ok(obj)
}

/// Checks a C handle pointer (any handle type): `RUV_EINVAL` if NULL or not a live handle.
pub(crate) fn handle_ref<'a, T>(ptr: *const T) -> Result<&'a HandleObj, c_int> {
    if ptr.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: non-NULL handle pointers come from ruv_tcp_new and stay valid until their close
    // callback returns (the API contract); the magic check catches pointers of other kinds.
    let obj = unsafe { &*ptr.cast::<HandleObj>() };
    match obj.magic.get() {
        TCP_MAGIC => Ok(obj),
        DEAD_MAGIC => {
            if cfg!(debug_assertions) {
                eprintln!("ruv: handle {ptr:p} used after its close callback ran (RUV_EINVAL)");
            }
            Err(EINVAL)
        }
        _ => Err(EINVAL),
    }
}

//! The C-visible types and the one place that maps C pointers to Rust objects.
//!
//! `ruv_loop_t *` points at a [`LoopObj`]; every handle pointer (`ruv_tcp_t *`,
//! `ruv_timer_t *`, …, `ruv_handle_t *`) at a [`HandleObj`]. Both start with a magic number
//! checked on every call; a handle's magic also names its kind, so a pointer of the wrong kind
//! is an error (`RUV_EINVAL`) rather than undefined behaviour.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::core::async_handle::AsyncShared;
use crate::core::error::EINVAL;
use crate::core::event_loop::Loop;
use crate::core::handle::HandleType;
use crate::core::handle_table::HandleId;

use super::guard::Fallback;

pub use super::callbacks::*;

/// Declares opaque C handle types (their typedefs are in the header's prelude).
macro_rules! opaque {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
        }
    )*};
}

opaque! {
    /// Opaque C type of a loop.
    ruv_loop_t;
    /// Opaque C type of any handle.
    ruv_handle_t;
    /// Opaque C type of a TCP handle.
    ruv_tcp_t;
    /// Opaque C type of any stream handle (TCP or pipe).
    ruv_stream_t;
    /// Opaque C type of a timer.
    ruv_timer_t;
    /// Opaque C type of an async handle.
    ruv_async_t;
    /// Opaque C type of an idle handle.
    ruv_idle_t;
    /// Opaque C type of a prepare handle.
    ruv_prepare_t;
    /// Opaque C type of a check handle.
    ruv_check_t;
    /// Opaque C type of a poll handle.
    ruv_poll_t;
    /// Opaque C type of a signal handle.
    ruv_signal_t;
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

/// The type of a handle (values fixed).
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ruv_handle_type {
    /// Not a handle (an invalid pointer).
    RUV_UNKNOWN_HANDLE = 0,
    /// A TCP handle.
    RUV_TCP = 1,
    /// A timer.
    RUV_TIMER = 2,
    /// An async handle.
    RUV_ASYNC = 3,
    /// An idle handle.
    RUV_IDLE = 4,
    /// A prepare handle.
    RUV_PREPARE = 5,
    /// A check handle.
    RUV_CHECK = 6,
    /// A poll handle.
    RUV_POLL = 7,
    /// A signal handle.
    RUV_SIGNAL = 8,
    /// A pipe handle (a Unix-domain stream socket, or a pipe or FIFO end).
    RUV_NAMED_PIPE = 9,
    /// A UDP handle.
    RUV_UDP = 10,
}

// The C values are literals (cbindgen copies them); they must be the core's.
const _: () = {
    assert!(ruv_handle_type::RUV_TCP as i32 == HandleType::Tcp as i32);
    assert!(ruv_handle_type::RUV_TIMER as i32 == HandleType::Timer as i32);
    assert!(ruv_handle_type::RUV_ASYNC as i32 == HandleType::Async as i32);
    assert!(ruv_handle_type::RUV_IDLE as i32 == HandleType::Idle as i32);
    assert!(ruv_handle_type::RUV_PREPARE as i32 == HandleType::Prepare as i32);
    assert!(ruv_handle_type::RUV_CHECK as i32 == HandleType::Check as i32);
    assert!(ruv_handle_type::RUV_POLL as i32 == HandleType::Poll as i32);
    assert!(ruv_handle_type::RUV_SIGNAL as i32 == HandleType::Signal as i32);
    assert!(ruv_handle_type::RUV_NAMED_PIPE as i32 == HandleType::NamedPipe as i32);
    assert!(ruv_handle_type::RUV_UDP as i32 == HandleType::Udp as i32);
};

impl From<HandleType> for ruv_handle_type {
    fn from(ty: HandleType) -> Self {
        match ty {
            HandleType::Tcp => ruv_handle_type::RUV_TCP,
            HandleType::Timer => ruv_handle_type::RUV_TIMER,
            HandleType::Async => ruv_handle_type::RUV_ASYNC,
            HandleType::Idle => ruv_handle_type::RUV_IDLE,
            HandleType::Prepare => ruv_handle_type::RUV_PREPARE,
            HandleType::Check => ruv_handle_type::RUV_CHECK,
            HandleType::Poll => ruv_handle_type::RUV_POLL,
            HandleType::Signal => ruv_handle_type::RUV_SIGNAL,
            HandleType::NamedPipe => ruv_handle_type::RUV_NAMED_PIPE,
            HandleType::Udp => ruv_handle_type::RUV_UDP,
        }
    }
}

impl Fallback for ruv_handle_type {
    fn fallback() -> Self {
        ruv_handle_type::RUV_UNKNOWN_HANDLE
    }
}

const LOOP_MAGIC: u32 = 0x5255_564c; // "RUVL"
/// A live handle's magic: this prefix, and its `HandleType` value in the low byte.
const HANDLE_MAGIC: u32 = 0x5255_5600; // "RUV\0"
const DEAD_MAGIC: u32 = 0xdead_0000;
/// How many closed handle objects a loop keeps (marked dead) before really freeing them, so a
/// call on a handle whose close callback already ran is caught rather than touching freed memory.
const QUARANTINE: usize = 1024;

fn handle_magic(ty: HandleType) -> u32 {
    HANDLE_MAGIC | ty as u32
}

fn type_of_magic(magic: u32) -> Option<HandleType> {
    if magic & !0xff != HANDLE_MAGIC {
        return None;
    }
    HandleType::from_value(magic & 0xff)
}

/// What a `ruv_loop_t *` points at. `repr(C)` with the magic first: every ruv object starts
/// with its magic, so checking a pointer of the wrong kind reads only bytes that exist.
#[repr(C)]
pub(crate) struct LoopObj {
    magic: Cell<u32>,
    pub(crate) core: RefCell<Loop<CHost>>,
    pub(crate) data: Cell<*mut c_void>,
    /// Set while ruv_run runs (callbacks included).
    pub(crate) running: Cell<bool>,
    /// How many ruv_walk calls are in progress (a walk holds handle pointers).
    pub(crate) walking: Cell<u32>,
    /// Recently closed handle objects, marked dead (see [`QUARANTINE`]).
    quarantine: RefCell<VecDeque<Box<HandleObj>>>,
}

/// What every handle pointer points at (magic first, as [`LoopObj`]). Only `magic` and
/// `shared` may be read from another thread (by ruv_async_send): the magic is atomic, and
/// `shared` is written before the pointer is handed out and dropped only after the close
/// callback, after which no send may start.
#[repr(C)]
pub(crate) struct HandleObj {
    magic: AtomicU32,
    pub(crate) loop_obj: *const LoopObj,
    pub(crate) id: Cell<HandleId>,
    pub(crate) data: Cell<*mut c_void>,
    /// An async handle's cross-thread part.
    pub(crate) shared: Option<Arc<AsyncShared>>,
}

impl LoopObj {
    /// A new loop object, boxed, as the pointer C gets.
    pub(crate) fn into_raw(core: Loop<CHost>) -> *mut ruv_loop_t {
        let obj = Box::new(LoopObj {
            magic: Cell::new(LOOP_MAGIC),
            core: RefCell::new(core),
            data: Cell::new(std::ptr::null_mut()),
            running: Cell::new(false),
            walking: Cell::new(0),
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

    /// Whether a run or a walk is in progress (ruv_run and ruv_loop_close must refuse).
    pub(crate) fn busy(&self) -> bool {
        self.running.get() || self.walking.get() > 0
    }
}

impl HandleObj {
    /// A new handle object of kind `ty` in `loop_obj`, boxed; its id is set once the core has
    /// one.
    pub(crate) fn new_raw(loop_obj: &LoopObj, ty: HandleType) -> *const HandleObj {
        Box::into_raw(Box::new(HandleObj {
            magic: AtomicU32::new(handle_magic(ty)),
            loop_obj,
            id: Cell::new(HandleId::NONE),
            data: Cell::new(std::ptr::null_mut()),
            shared: None,
        }))
    }

    /// Retires a handle object made by [`HandleObj::new_raw`]: it is marked dead and kept in
    /// its loop's quarantine for a while, then freed.
    pub(crate) fn free(owner: *const HandleObj) {
        // SAFETY: `owner` was made by `new_raw` and is retired exactly once: after its close
        // callback, or when creating the core handle failed.
        let obj = unsafe { Box::from_raw(owner.cast_mut()) };
        obj.magic.store(DEAD_MAGIC, Ordering::Release);
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

    /// The handle's kind.
    pub(crate) fn handle_type(&self) -> Option<HandleType> {
        type_of_magic(self.magic.load(Ordering::Relaxed))
    }
}

/// The owner stored in the core, as the C pointer type `T` of its kind that callbacks get.
pub(crate) fn owner_ptr<T>(owner: *const HandleObj) -> *mut T {
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

/// Reads the magic of a non-NULL handle pointer, through the atomic field only.
fn magic_of<T>(ptr: *const T) -> u32 {
    let obj = ptr.cast::<HandleObj>();
    // SAFETY: non-NULL handle pointers come from a ruv_*_new function and stay allocated until
    // their close callback returns, and for QUARANTINE closes after (the API contract). Only the
    // atomic `magic` field is referenced, so this is sound on any thread.
    unsafe { (*obj).magic.load(Ordering::Acquire) }
}

/// Checks a C handle pointer of any kind: `RUV_EINVAL` if NULL or not a live handle.
pub(crate) fn handle_ref<'a, T>(ptr: *const T) -> Result<&'a HandleObj, c_int> {
    if ptr.is_null() {
        return Err(EINVAL);
    }
    let magic = magic_of(ptr);
    if type_of_magic(magic).is_none() {
        if magic == DEAD_MAGIC && cfg!(debug_assertions) {
            eprintln!("ruv: handle {ptr:p} used after its close callback ran (RUV_EINVAL)");
        }
        return Err(EINVAL);
    }
    // SAFETY: the magic says this is a live HandleObj, used on its loop's thread (every
    // function but ruv_async_send, which uses `async_shared` instead).
    Ok(unsafe { &*ptr.cast::<HandleObj>() })
}

/// Checks a C handle pointer of kind `ty`: `RUV_EINVAL` if NULL, dead or of another kind.
pub(crate) fn kind_ref<'a, T>(ptr: *const T, ty: HandleType) -> Result<&'a HandleObj, c_int> {
    if !ptr.is_null() && magic_of(ptr) == handle_magic(ty) {
        // SAFETY: the magic says this is a live HandleObj of kind `ty`, used on its loop's
        // thread (every function but ruv_async_send, which uses `async_shared` instead).
        return Ok(unsafe { &*ptr.cast::<HandleObj>() });
    }
    // Not of this kind: still report a dead handle (handle_ref), then refuse.
    handle_ref(ptr)?;
    Err(EINVAL)
}

/// The cross-thread part of an async handle pointer, from any thread: `RUV_EINVAL` if NULL,
/// dead or not an async handle.
pub(crate) fn async_shared<'a>(ptr: *const ruv_async_t) -> Result<&'a AsyncShared, c_int> {
    if ptr.is_null() || magic_of(ptr) != handle_magic(HandleType::Async) {
        return Err(EINVAL);
    }
    let obj = ptr.cast::<HandleObj>();
    // SAFETY: the magic says this is a live async HandleObj; `shared` is written before the
    // pointer was handed out and not changed until the object is freed, which the caller may
    // not race (no send may start after the close callback ran). Only that field is referenced.
    let shared = unsafe { (*obj).shared.as_deref() };
    shared.ok_or(EINVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_magic() {
        for &ty in HandleType::ALL {
            assert_eq!(type_of_magic(handle_magic(ty)), Some(ty));
            assert_eq!(ruv_handle_type::from(ty) as i32, ty as i32);
        }
        assert_eq!(type_of_magic(HANDLE_MAGIC), None);
        assert_eq!(type_of_magic(HANDLE_MAGIC | 0xff), None);
        assert_eq!(type_of_magic(DEAD_MAGIC), None);
        assert_eq!(type_of_magic(LOOP_MAGIC), None);
    }
}

//! What a handle pointer (`ruv_tcp_t *`, `ruv_handle_t *`, …) stands for: a [`HandleObj`] in a
//! slot of the process-wide handle table. The pointer is the slot's token (index and
//! generation), so a pointer whose close callback ran is `RUV_EINVAL` forever and never
//! reaches the handle that reuses its slot; a token also says nothing about memory, so no
//! pointer value, stale or made up, is ever dereferenced.
//!
//! Threads: a handle's non-atomic fields are used only by the thread of its loop, from the
//! slot's allocation (which takes the table's lock) to its release (which takes it again). A
//! stale pointer may come on any thread: its check reads only the atomic state word. The one
//! cross-thread reader of a live handle is ruv_async_send, which pins the slot ([`AsyncPin`])
//! while it reads `shared`; freeing the slot waits for pins.

use std::cell::{Cell, RefCell, UnsafeCell};
use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::core::async_handle::AsyncShared;
use crate::core::error::{EINVAL, ENOMEM};
use crate::core::handle::HandleType;
use crate::core::handle_table::HandleId;

use super::loop_obj::LoopObj;
use super::slot_table::{Class, Slot, SlotState, SlotTable, Token};
use super::types::{ruv_async_t, type_of_kind};

/// One handle's C-side state, in a slot of the handle table.
pub(crate) struct HandleObj {
    state: SlotState,
    loop_obj: Cell<*const LoopObj>,
    /// The handle's id in its loop's core.
    pub(crate) id: Cell<HandleId>,
    /// The user's data pointer.
    pub(crate) data: Cell<*mut c_void>,
    /// An async handle's cross-thread part (read by ruv_async_send under a pin).
    shared: UnsafeCell<Option<Arc<AsyncShared>>>,
}

impl Slot for HandleObj {
    fn new(index: u32) -> Self {
        HandleObj {
            state: SlotState::new(index),
            loop_obj: Cell::new(std::ptr::null()),
            id: Cell::new(HandleId::NONE),
            data: Cell::new(std::ptr::null_mut()),
            shared: UnsafeCell::new(None),
        }
    }

    fn state(&self) -> &SlotState {
        &self.state
    }
}

// SAFETY: the slot table is shared by all threads, but a slot's non-atomic fields are used by
// one thread at a time: the thread of the handle's loop, from `alloc` to `free`. A slot moves
// between threads only through the table's free list, under its lock, which orders one owner's
// writes before the next owner's reads (a thread's own cache never leaves the thread). Other threads
// read only `state` (atomic) and, under a pin that `free` waits out, `shared` (written before
// the generation is published, cleared only after the pins are gone); `AsyncShared` is Sync.
unsafe impl Sync for HandleObj {}

/// Every handle of the process (see `slot_table`).
static HANDLES: SlotTable<HandleObj> = SlotTable::new();

/// Most free slot indices a thread keeps for itself; past it, half go back to the table.
const CACHE_MAX: usize = 256;

/// The slots this thread freed, reused first without taking the table's lock; given back to
/// the table when the thread ends. Bounded, so memory stays bounded by the peak number of live
/// handles plus `CACHE_MAX` per thread.
struct FreeCache(Vec<u32>);

impl Drop for FreeCache {
    fn drop(&mut self) {
        HANDLES.release(self.0.drain(..));
    }
}

thread_local! {
    static FREE: RefCell<FreeCache> = const { RefCell::new(FreeCache(Vec::new())) };
}

/// Free slots a thread takes from the table at once when its cache is empty.
const REFILL: usize = 32;

/// A free slot for this thread: one it freed, else one of a batch taken from the table.
fn take_slot() -> Option<&'static HandleObj> {
    let cached = FREE.try_with(|c| {
        let mut c = c.borrow_mut();
        if c.0.is_empty() {
            HANDLES.alloc_batch(REFILL, &mut c.0);
        }
        c.0.pop()
    });
    match cached {
        Ok(index) => HANDLES.get(index? as usize),
        Err(_) => HANDLES.alloc(), // the thread is ending
    }
}

/// Keeps a freed slot index for this thread (or gives it to the table once the cache is full
/// or the thread is ending).
fn cache_slot(index: u32) {
    let kept = FREE.try_with(|c| {
        let mut c = c.borrow_mut();
        if c.0.len() >= CACHE_MAX {
            let half = c.0.len() / 2;
            HANDLES.release(c.0.drain(..half));
        }
        c.0.push(index);
    });
    if kept.is_err() {
        HANDLES.release([index]);
    }
}

impl HandleObj {
    /// A free slot for a handle in `loop_obj`; not usable through its pointer until
    /// [`HandleObj::publish`]. `RUV_ENOMEM` if every index is taken.
    pub(crate) fn new_raw(loop_obj: &LoopObj) -> Result<*const HandleObj, c_int> {
        let obj = take_slot().ok_or(ENOMEM)?;
        obj.loop_obj.set(loop_obj);
        Ok(obj)
    }

    /// Makes the handle usable through its pointer, with its core id and (async) shared part.
    pub(crate) fn publish(&self, ty: HandleType, id: HandleId, shared: Option<Arc<AsyncShared>>) {
        self.id.set(id);
        // SAFETY: the slot is not published yet, so no other thread can pin it and read
        // `shared`; this thread owns it (see the Sync impl).
        unsafe { *self.shared.get() = shared };
        HANDLES.publish(self, ty as u8);
    }

    /// Frees the slot of a handle made by [`HandleObj::new_raw`] (after its close callback, or
    /// when creating the core handle failed): its pointer stops matching at once, and the slot
    /// is emptied and reused.
    pub(crate) fn free(owner: *const HandleObj) {
        // SAFETY: owners are slots of HANDLES (made by new_raw), which are never freed.
        let obj = unsafe { &*owner };
        // Only async handles are read by other threads (under a pin); freeing them waits.
        let pinnable = obj.handle_type() == Some(HandleType::Async);
        let reusable = HANDLES.retire(obj, pinnable, |obj| {
            // SAFETY: the generation moved on, so no new pin can succeed, and an async slot's
            // pins are gone (`SlotTable::retire` waited); a pin on any other kind never succeeds.
            // So no other thread reads `shared` any more.
            let shared = unsafe { (*obj.shared.get()).take() };
            drop(shared);
            obj.id.set(HandleId::NONE);
            obj.data.set(std::ptr::null_mut());
            obj.loop_obj.set(std::ptr::null());
        });
        if reusable {
            cache_slot(obj.state.token().index as u32);
        }
    }

    /// The loop this handle belongs to.
    pub(crate) fn loop_obj(&self) -> &LoopObj {
        // SAFETY: set by new_raw for a live handle; a loop cannot be closed while it has
        // handles (ruv_loop_close returns EBUSY), so the loop outlives every live handle.
        unsafe { &*self.loop_obj.get() }
    }

    /// The handle's kind.
    pub(crate) fn handle_type(&self) -> Option<HandleType> {
        type_of_kind(self.state.live_kind(self.state.token().gen)?)
    }

    /// The C pointer of this handle (of the handle it will hold, before `publish`).
    pub(crate) fn token(&self) -> usize {
        self.state.token().encode(Class::Handle)
    }
}

/// The owner stored in the core, as the C pointer type `T` of its kind that callbacks get.
pub(crate) fn owner_ptr<T>(owner: *const HandleObj) -> *mut T {
    // SAFETY: owners are slots of HANDLES, never freed; the core holds an owner only while its
    // handle is live, on the loop's thread, which owns the slot's fields.
    unsafe { (*owner).token() as *mut T }
}

static WARNED: AtomicBool = AtomicBool::new(false);

/// The slot a handle pointer names and the generation it was given; `None` if it cannot be
/// a handle pointer (NULL among them) or names no slot.
#[inline]
fn slot_of<T>(ptr: *const T) -> Option<(&'static HandleObj, u64)> {
    let token = Token::decode(ptr as usize, Class::Handle)?;
    Some((HANDLES.get(token.index)?, token.gen))
}

/// The error for a pointer that is not a live handle (of the kind asked for).
#[cold]
fn invalid<T>(ptr: *const T) -> c_int {
    if cfg!(debug_assertions) && !ptr.is_null() && !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!("ruv: stale or invalid handle {ptr:p} (RUV_EINVAL; reported once)");
    }
    EINVAL
}

/// Checks a C handle pointer of any kind: `RUV_EINVAL` if NULL or not a live handle.
pub(crate) fn handle_ref<'a, T>(ptr: *const T) -> Result<&'a HandleObj, c_int> {
    match slot_of(ptr) {
        Some((obj, gen)) if obj.state.live_kind(gen).is_some() => Ok(obj),
        _ => Err(invalid(ptr)),
    }
}

/// Checks a C handle pointer of kind `ty`: `RUV_EINVAL` if NULL, dead or of another kind.
/// One load of the slot's state decides.
#[inline]
pub(crate) fn kind_ref<'a, T>(ptr: *const T, ty: HandleType) -> Result<&'a HandleObj, c_int> {
    match slot_of(ptr) {
        Some((obj, gen)) if obj.state.load_tag() == SlotState::expect(gen, ty as u8) => Ok(obj),
        _ => Err(invalid(ptr)),
    }
}

/// An async handle's cross-thread part, pinned: its slot cannot be freed or reused while this
/// lives. Lock-free and async-signal-safe to take and to drop.
pub(crate) struct AsyncPin {
    obj: &'static HandleObj,
    shared: &'static AsyncShared,
}

impl std::ops::Deref for AsyncPin {
    type Target = AsyncShared;
    fn deref(&self) -> &AsyncShared {
        self.shared
    }
}

impl Drop for AsyncPin {
    fn drop(&mut self) {
        HANDLES.unpin(self.obj);
    }
}

/// The cross-thread part of an async handle pointer, from any thread (a signal handler too):
/// `RUV_EINVAL` if NULL, stale, made up or not an async handle.
pub(crate) fn async_shared(ptr: *const ruv_async_t) -> Result<AsyncPin, c_int> {
    let token = Token::decode(ptr as usize, Class::Handle).ok_or(EINVAL)?;
    let obj = HANDLES.get(token.index).ok_or(EINVAL)?;
    if !HANDLES.pin(obj, token.gen, HandleType::Async as u8) {
        return Err(EINVAL);
    }
    // SAFETY: pinned with a matching generation: `shared` was written before that generation
    // was published (acquired by the pin), and `free` clears it (dropping the Arc) only after
    // every pin is gone; AsyncPin holds the pin for as long as it holds this borrow.
    let shared: Option<&'static AsyncShared> = unsafe { (*obj.shared.get()).as_deref() };
    match shared {
        Some(shared) => Ok(AsyncPin { obj, shared }),
        None => {
            HANDLES.unpin(obj);
            Err(EINVAL)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_slot_stays_small() {
        assert!(std::mem::size_of::<HandleObj>() <= 48);
    }
}

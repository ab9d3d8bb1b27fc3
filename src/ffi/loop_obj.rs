//! What a `ruv_loop_t *` stands for: a [`LoopObj`], reached through the process-wide loop
//! table, so a pointer to a closed loop is `RUV_EINVAL` forever, even once a new loop took its
//! slot.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};

use crate::core::error::{EINVAL, ENOMEM};
use crate::core::event_loop::Loop;

use super::request::ReqObj;
use super::slot_table::{Class, Slot, SlotState, SlotTable, Token};
use super::types::{ruv_loop_t, CHost};

/// The state of one loop; boxed, its slot points at it while the loop is open.
pub(crate) struct LoopObj {
    pub(crate) core: RefCell<Loop<CHost>>,
    pub(crate) data: Cell<*mut c_void>,
    /// Set while ruv_run runs (callbacks included).
    pub(crate) running: Cell<bool>,
    /// How many ruv_walk calls are in progress (a walk holds handle pointers).
    pub(crate) walking: Cell<u32>,
    /// The C pointer of this loop (its token).
    token: usize,
    /// Pool requests whose callback ran, marked dead (see `request::QUARANTINE`).
    pub(crate) req_quarantine: RefCell<VecDeque<Box<ReqObj>>>,
}

/// A slot of the loop table: the state word and the loop it holds while in use.
pub(crate) struct LoopSlot {
    state: SlotState,
    obj: AtomicPtr<LoopObj>,
}

impl Slot for LoopSlot {
    fn new(index: u32) -> Self {
        LoopSlot {
            state: SlotState::new(index),
            obj: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    fn state(&self) -> &SlotState {
        &self.state
    }
}

/// Every loop of the process (see `slot_table`).
static LOOPS: SlotTable<LoopSlot> = SlotTable::new();

/// The kind stored in a loop slot's state (loops have no handle kind).
const LOOP_KIND: u8 = 0xff;

impl LoopObj {
    /// A new loop object in a fresh slot; returns the pointer C gets. `RUV_ENOMEM` if every
    /// loop index is taken.
    pub(crate) fn into_raw(core: Loop<CHost>) -> Result<*mut ruv_loop_t, c_int> {
        let slot = LOOPS.alloc().ok_or(ENOMEM)?;
        let token = slot.state().token().encode(Class::Loop);
        let obj = Box::new(LoopObj {
            core: RefCell::new(core),
            data: Cell::new(std::ptr::null_mut()),
            running: Cell::new(false),
            walking: Cell::new(0),
            req_quarantine: RefCell::new(VecDeque::new()),
            token,
        });
        slot.obj.store(Box::into_raw(obj), Ordering::Relaxed);
        LOOPS.publish(slot, LOOP_KIND);
        Ok(token as *mut ruv_loop_t)
    }

    /// Frees a loop given by a pointer `loop_ref` accepted: its token stops matching first.
    pub(crate) fn free(ptr: *mut ruv_loop_t) {
        let Some(token) = Token::decode(ptr as usize, Class::Loop) else {
            return;
        };
        let Some(slot) = LOOPS.live(token) else {
            return;
        };
        LOOPS.free(slot, false, |slot| {
            let obj = slot.obj.swap(std::ptr::null_mut(), Ordering::Relaxed);
            if !obj.is_null() {
                // SAFETY: `obj` came from Box::into_raw in `into_raw`; the slot no longer
                // matches any token, so no new reference to it can be made, and the caller
                // checked that no run or walk (which hold one) is in progress.
                drop(unsafe { Box::from_raw(obj) });
            }
        });
    }

    /// The C pointer of this loop.
    pub(crate) fn as_ptr(&self) -> *mut ruv_loop_t {
        self.token as *mut ruv_loop_t
    }

    /// Whether a run or a walk is in progress (ruv_run and ruv_loop_close must refuse).
    pub(crate) fn busy(&self) -> bool {
        self.running.get() || self.walking.get() > 0
    }
}

/// Checks a C loop pointer: `RUV_EINVAL` if NULL or not an open loop (a closed loop's pointer
/// included, forever). Any value is safe to pass: it is decoded, never dereferenced.
pub(crate) fn loop_ref<'a>(ptr: *const ruv_loop_t) -> Result<&'a LoopObj, c_int> {
    let token = Token::decode(ptr as usize, Class::Loop).ok_or(EINVAL)?;
    let slot = LOOPS.live(token).ok_or(EINVAL)?;
    let obj = slot.obj.load(Ordering::Relaxed);
    if obj.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: the slot is in use with this token's generation, so `obj` (stored before the
    // generation was published, which `live` acquired) is the open loop's box. A loop belongs
    // to the thread that runs it and is freed only by ruv_loop_close on that thread, after
    // which the generation no longer matches.
    Ok(unsafe { &*obj })
}

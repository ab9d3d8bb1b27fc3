//! Pool requests in C: the `ruv_req_t` object, ruv_queue_work, ruv_cancel, and calling a
//! request's callback when the core hands it out.
//!
//! A `ruv_req_t *` points at a [`ReqObj`] (magic first, like loops and handles). After its
//! callback returns, the object is marked dead and kept in its loop's quarantine for the next
//! [`QUARANTINE`] requests, so a late ruv_cancel gets `RUV_EINVAL` instead of touching freed
//! memory.

use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_void};

use crate::core::error::{EBUSY, EINVAL};
use crate::core::request::{JobFn, Outcome, PoolOutput, ReqId};

use super::live_set::LiveSet;
use super::types::LoopObj;
use super::types::{loop_ref, ruv_after_work_cb, ruv_loop_t, ruv_req_t, ruv_work_cb};

/// How many requests whose callback ran a loop keeps (marked dead) before really freeing them,
/// so a late `ruv_cancel` on one is `RUV_EINVAL` rather than a read of freed memory.
pub(crate) const QUARANTINE: usize = 1024;

const REQ_MAGIC: u32 = 0x5255_5652; // "RUVR"
const DEAD_MAGIC: u32 = 0xdead_0001;

/// A request's C callback with its argument.
#[derive(Clone, Copy)]
pub(crate) enum ReqCb {
    /// ruv_getaddrinfo's callback.
    Addrinfo(
        unsafe extern "C" fn(*mut ruv_loop_t, c_int, *const libc::addrinfo, *mut c_void),
        *mut c_void,
    ),
    /// ruv_getnameinfo's callback.
    Nameinfo(
        unsafe extern "C" fn(*mut ruv_loop_t, c_int, *const c_char, *const c_char, *mut c_void),
        *mut c_void,
    ),
    /// ruv_queue_work's `after` (maybe NULL).
    Work(ruv_after_work_cb, *mut c_void),
}

/// What a `ruv_req_t *` points at.
#[repr(C)]
pub(crate) struct ReqObj {
    magic: Cell<u32>,
    loop_obj: *const LoopObj,
    id: Cell<Option<ReqId>>,
    cb: ReqCb,
}

/// A raw pointer handed to a pool thread. The C caller owns what it points at and is
/// responsible for sharing it safely with the thread that runs the work (the libuv contract).
pub(crate) struct SendPtr(pub(crate) *mut c_void);

// SAFETY: the pointer is only passed back to the C caller's own work function; any
// synchronisation of what it points at is the caller's side of the contract (as in libuv).
unsafe impl Send for SendPtr {}

/// Queues `run` for `loop_obj` as a request with callback `cb`; writes the request's pointer
/// to `out` (when not NULL) on success.
pub(crate) fn submit(
    loop_obj: &LoopObj,
    cb: ReqCb,
    lookup: bool,
    run: JobFn,
    out: *mut *mut ruv_req_t,
) -> Result<c_int, c_int> {
    let obj = Box::into_raw(Box::new(ReqObj {
        magic: Cell::new(REQ_MAGIC),
        loop_obj,
        id: Cell::new(None),
        cb,
    }));
    REQUESTS.insert(obj);
    let queued = match loop_obj.core.try_borrow_mut() {
        Ok(mut core) => core.queue_job(obj.cast_const(), lookup, run),
        Err(_) => Err(EBUSY),
    };
    match queued {
        Ok(id) => {
            // SAFETY: `obj` was just allocated above and is alive until its callback ran.
            unsafe { (*obj).id.set(Some(id)) };
            if !out.is_null() {
                // SAFETY: `out` is non-NULL and points at the caller's pointer variable.
                unsafe { out.write(obj.cast()) };
            }
            Ok(0)
        }
        Err(code) => {
            // SAFETY: `obj` came from Box::into_raw above and was never handed out.
            drop(unsafe { Box::from_raw(obj) });
            Err(code)
        }
    }
}

/// Checks a C request pointer: `RUV_EINVAL` if NULL or not a live request.
fn req_ref<'a>(ptr: *const ruv_req_t) -> Result<&'a ReqObj, c_int> {
    if ptr.is_null() || !is_request(ptr.cast()) {
        return Err(EINVAL);
    }
    // SAFETY: non-NULL request pointers come from ruv_getaddrinfo/ruv_getnameinfo/ruv_queue_work
    // and stay allocated until QUARANTINE requests of the loop after their callback ran (the
    // contract); the magic tells a live one from a dead one.
    let obj = unsafe { &*ptr.cast::<ReqObj>() };
    if obj.magic.get() != REQ_MAGIC {
        return Err(EINVAL);
    }
    Ok(obj)
}

/// Runs the callback of a due request, then retires the request object.
pub(crate) fn deliver(
    loop_obj: &LoopObj,
    req: *const ReqObj,
    status: c_int,
    value: Option<PoolOutput>,
) {
    // SAFETY: the core hands out each request's pointer exactly once, while it is alive.
    let obj = unsafe { &*req };
    let lp = loop_obj.as_ptr();
    match obj.cb {
        ReqCb::Addrinfo(cb, arg) => {
            let res = value
                .as_ref()
                .and_then(|v| v.downcast_ref::<super::resolver::AddrInfoList>())
                .map_or(std::ptr::null(), |l| l.as_ptr());
            // SAFETY: `cb` is the user's non-NULL callback; `res` is NULL or a list that lives
            // in `value` until after the call.
            unsafe { cb(lp, status, res, arg) }
        }
        ReqCb::Nameinfo(cb, arg) => {
            let names = value
                .as_ref()
                .and_then(|v| v.downcast_ref::<super::resolver::NameInfo>());
            let (host, service) = names.map_or((std::ptr::null(), std::ptr::null()), |n| {
                (n.host.as_ptr(), n.service.as_ptr())
            });
            // SAFETY: `cb` is the user's non-NULL callback; the strings live in `value` until
            // after the call.
            unsafe { cb(lp, status, host, service, arg) }
        }
        ReqCb::Work(Some(cb), arg) => {
            // SAFETY: `cb` is the user's `after` callback, on the loop's thread.
            unsafe { cb(lp, status, arg) }
        }
        ReqCb::Work(None, _) => {}
    }
    drop(value);
    retire(loop_obj, req);
}

/// Every request object that exists (live or in a quarantine): ruv_cancel reads only those.
static REQUESTS: LiveSet = LiveSet::new();

/// Whether `ptr` is the address of a request object that exists.
fn is_request(ptr: *const ReqObj) -> bool {
    REQUESTS.contains(ptr)
}

impl Drop for ReqObj {
    fn drop(&mut self) {
        REQUESTS.remove(self as *const ReqObj);
    }
}

/// Marks a request object dead and keeps it in its loop's quarantine for a while.
fn retire(loop_obj: &LoopObj, req: *const ReqObj) {
    // SAFETY: `req` came from Box::into_raw in `submit` and is retired once, after its callback.
    let obj = unsafe { Box::from_raw(req.cast_mut()) };
    obj.magic.set(DEAD_MAGIC);
    let mut q = loop_obj.req_quarantine.borrow_mut();
    if q.len() == QUARANTINE {
        q.pop_front();
    }
    q.push_back(obj);
}

ffi_fn! {
    /// Runs `work(arg)` on a pool thread, then `after(loop, status, arg)` on the loop (status 0,
    /// or RUV_ECANCELED if ruv_cancel stopped it before it started; `after` may be NULL). `work`
    /// may call only ruv_async_send of ruv's functions. The request keeps the loop alive until
    /// `after` ran; `*req` (if `req` is not NULL) names it for ruv_cancel until then. Errors:
    /// RUV_EINVAL (invalid loop, NULL `work`), RUV_EAGAIN (no pool thread could be started).
    fn ruv_queue_work(
        loop_: *mut ruv_loop_t,
        work: ruv_work_cb,
        after: ruv_after_work_cb,
        arg: *mut c_void,
        req: *mut *mut ruv_req_t,
    ) -> c_int {
        let l = loop_ref(loop_)?;
        let work = work.ok_or(EINVAL)?;
        let data = SendPtr(arg);
        let run: JobFn = Box::new(move |_| {
            let data = data;
            // SAFETY: `work` is the user's non-NULL work function, run on a pool thread with
            // the user's argument, as documented.
            unsafe { work(data.0) };
            Outcome {
                status: 0,
                value: None,
            }
        });
        submit(l, ReqCb::Work(after, arg), false, run, req)
    }
}

ffi_fn! {
    /// Cancels a request, on the loop's thread. A request not started yet, or a lookup already
    /// running (it is abandoned: its result is freed unseen), gets its callback with RUV_ECANCELED
    /// (RUV_EAI_CANCELED for lookups) in the next loop iteration, never inside this call. Returns
    /// 0, RUV_EBUSY for a work item already running or a request whose callback is already due,
    /// RUV_EINVAL for NULL or a request whose callback has run.
    fn ruv_cancel(req: *mut ruv_req_t) -> c_int {
        let obj = req_ref(req)?;
        let id = obj.id.get().ok_or(EINVAL)?;
        // SAFETY: a live request's loop outlives it (ruv_loop_close refuses while requests are
        // pending).
        let loop_obj = unsafe { &*obj.loop_obj };
        let mut core = loop_obj.core.try_borrow_mut().map_err(|_| EBUSY)?;
        core.cancel_request(id)?;
        Ok(0)
    }
}

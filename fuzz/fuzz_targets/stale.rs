//! DESIGN §11 across inputs: the pointers of handles and loops closed by earlier inputs are kept
//! in a process-wide, bounded pool; `pick` sometimes hands one to an operation (every call must
//! be RUV_EINVAL, as for a dead handle of this input), and each input starts by calling loop
//! functions on stale loop pointers.

use std::cell::RefCell;
use std::os::raw::c_int;
use std::ptr;

use ruv::ffi::loop_api::{ruv_loop_alive, ruv_loop_close, ruv_run};
use ruv::ffi::tcp::ruv_tcp_new;
use ruv::ffi::types::{ruv_loop_t, ruv_tcp_t};

use crate::state::*;

/// Stale handle pointers kept at most.
const MAX_HANDLES: usize = 64;
/// Stale loop pointers kept at most.
const MAX_LOOPS: usize = 16;

/// The pool: pointers only, never dereferenced here.
#[derive(Default)]
struct Pool {
    handles: Vec<usize>,
    loops: Vec<usize>,
    /// Insertions so far (picks the entry a full pool replaces).
    added: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// Adds `p` to `v`, replacing an old entry once `v` holds `max`.
fn keep(v: &mut Vec<usize>, added: usize, max: usize, p: usize) {
    if v.len() < max {
        v.push(p);
    } else {
        v[added % max] = p;
    }
}

/// Keeps the input's dead handles and its closed loop for later inputs.
pub fn retire(dead: &[*mut ruv_tcp_t], loop_: *mut ruv_loop_t) {
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        let p = &mut *p;
        for &h in dead {
            p.added += 1;
            keep(&mut p.handles, p.added, MAX_HANDLES, h as usize);
        }
        keep(&mut p.loops, p.added, MAX_LOOPS, loop_ as usize);
    });
}

/// A handle pointer from an earlier input (NULL when there is none).
pub fn stale_handle(b: u8) -> *mut ruv_tcp_t {
    POOL.with(|p| {
        let p = p.borrow();
        if p.handles.is_empty() {
            ptr::null_mut()
        } else {
            p.handles[usize::from(b) % p.handles.len()] as *mut ruv_tcp_t
        }
    })
}

/// §11: loop functions on loop pointers closed by earlier inputs are RUV_EINVAL and write no
/// out-parameter; `live` (this input's loop) is never one of them.
pub fn check_stale_loops(live: *mut ruv_loop_t, first: u8) {
    let loops = POOL.with(|p| p.borrow().loops.clone());
    for l in loops.iter().skip(usize::from(first) % 4).take(3) {
        let l = *l as *mut ruv_loop_t;
        assert_ne!(l, live, "a new loop has the pointer of a closed one");
        assert_eq!(
            ok(ruv_run(l, RUN_NOWAIT), "run"),
            EINVAL,
            "ruv_run on a closed loop"
        );
        assert_eq!(
            ok(ruv_loop_alive(l), "loop_alive"),
            EINVAL,
            "ruv_loop_alive on a closed loop"
        );
        assert_eq!(
            ok(ruv_loop_close(l), "loop_close"),
            EINVAL,
            "ruv_loop_close on a closed loop"
        );
        let sentinel = 0x5a5a_usize as *mut ruv_tcp_t;
        let mut out = sentinel;
        let r: c_int = ok(ruv_tcp_new(l, libc::AF_INET, &mut out), "tcp_new");
        assert_eq!(r, EINVAL, "ruv_tcp_new on a closed loop");
        assert_eq!(out, sentinel, "ruv_tcp_new wrote its out-param on failure");
    }
}

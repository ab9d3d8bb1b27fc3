//! The fuzz target's model of the loop: what DESIGN §3.8 says `ruv_is_active`, `ruv_has_ref`,
//! `ruv_loop_alive` and `ruv_run` must report, and what §3.4 says `ruv_tcp_accept` must return,
//! computed from the records of what the input did (not from the library's own answers) and
//! checked against the library between operations.

use std::os::raw::{c_int, c_void};

use ruv::ffi::handle::{ruv_handle_get_data, ruv_has_ref, ruv_is_active, ruv_is_closing};
use ruv::ffi::loop_api::{ruv_loop_alive, ruv_run, ruv_stop, ruv_walk};
use ruv::ffi::tcp::ruv_tcp_write_queue_size;
use ruv::ffi::types::{ruv_handle_t, ruv_run_mode, ruv_tcp_t};

use crate::state::*;

/// §3.8: a handle is active while listening, connecting or reading, and never once closing.
fn expected_active(rec: &Rec) -> bool {
    !rec.close_called && (rec.listener || rec.connects_pending > 0 || rec.reading)
}

/// §3.8: a pending connect, write or shutdown request, even on an unref'd handle. A write
/// without a callback is pending while its bytes are queued.
fn has_pending_request(h: *const ruv_tcp_t, rec: &Rec) -> bool {
    rec.connects_pending > 0
        || rec.writes_done < rec.writes_issued
        || rec.shutdown_pending
        || ruv_tcp_write_queue_size(h) > 0
}

/// Every handle of the loop, closing ones included.
fn all_handles() -> Vec<*mut ruv_handle_t> {
    let mut all: Vec<*mut ruv_handle_t> = Vec::new();
    unsafe extern "C" fn collect(h: *mut ruv_handle_t, arg: *mut c_void) {
        // SAFETY: arg is the Vec above, alive for the walk.
        unsafe { (*arg.cast::<Vec<*mut ruv_handle_t>>()).push(h) };
    }
    ruv_walk(st().loop_, Some(collect), (&mut all as *mut Vec<_>).cast());
    all
}

/// §3.8: the loop is alive while it has active referenced handles, pending requests or closing
/// handles.
pub fn expected_alive() -> bool {
    all_handles().into_iter().any(|h| {
        let h = h as *const ruv_tcp_t;
        let rec = rec_of(h);
        rec.close_called || expected_active(rec) && !rec.unref || has_pending_request(h, rec)
    })
}

/// Checks every handle the input holds: closing, active and referenced as the model says.
pub fn check_handles() {
    for &h in &st().slots {
        if h.is_null() || ruv_handle_get_data(hp(h)).is_null() {
            continue;
        }
        let rec = rec_of(h);
        assert_eq!(
            ruv_is_closing(hp(h)) == 1,
            rec.close_called,
            "ruv_is_closing"
        );
        assert_eq!(
            ruv_is_active(hp(h)) == 1,
            expected_active(rec),
            "ruv_is_active (§3.8: listening, connecting or reading; not once closing)"
        );
        assert_eq!(
            ruv_has_ref(hp(h)) == 1,
            !rec.unref,
            "ruv_has_ref after ref/unref"
        );
    }
}

/// Checks that `ruv_loop_alive` and a run's result `r` (non-zero = alive) agree with the model.
pub fn check_liveness(r: Option<c_int>) {
    let alive = expected_alive();
    assert_eq!(
        ruv_loop_alive(st().loop_) == 1,
        alive,
        "ruv_loop_alive disagrees with §3.8"
    );
    if let Some(r) = r {
        assert_eq!(
            r != 0,
            alive,
            "ruv_run's result is not the loop's liveness (§3.8)"
        );
    }
    check_handles();
}

/// A top-level `ruv_run` in `mode`, then the checks of the state it leaves.
pub fn run_mode(mode: ruv_run_mode) -> c_int {
    assert!(!st().in_call);
    let r = ok(ruv_run(st().loop_, mode), "ruv_run");
    assert!(r >= 0, "ruv_run failed: {r}");
    check_liveness(Some(r));
    r
}

/// `ruv_stop`, then `ruv_run`: §3.8 says the run returns at once (no callback runs) with the
/// loop's liveness and consumes the flag, so the next NOWAIT run is a whole iteration: every
/// close callback that was pending runs in its pending phase (§6.1 step 3).
pub fn stop_then_run() {
    let alive = expected_alive();
    let closing: Vec<*const Rec> = st()
        .recs
        .iter()
        .filter(|r| r.close_called && !r.silent_close && r.close_cbs == 0)
        .map(|r| &**r as *const Rec)
        .collect();
    let before = st().callbacks;
    ruv_stop(st().loop_);
    let r = ok(ruv_run(st().loop_, RUN_NOWAIT), "ruv_run after ruv_stop");
    assert_eq!(
        st().callbacks,
        before,
        "a callback ran in a ruv_run after ruv_stop"
    );
    assert_eq!(
        r != 0,
        alive,
        "ruv_run after ruv_stop must return the loop's liveness"
    );
    check_liveness(Some(r));
    run_mode(RUN_NOWAIT);
    for rec in closing {
        // SAFETY: the records live in State::recs for the whole input.
        let rec = unsafe { &*rec };
        assert_eq!(
            rec.close_cbs, 1,
            "close callback not run by the iteration after a stop"
        );
    }
}

/// §3.4: accept moves an announced connection; with none announced it is RUV_EAGAIN (or
/// RUV_EBUSY: the contract does not order the two checks), and into a client that has a socket
/// RUV_EBUSY, the connection staying pending. Closing, dead and NULL handles: RUV_EINVAL.
pub fn check_accept(server: *mut ruv_tcp_t, client: *mut ruv_tcp_t, r: c_int) {
    if gone_or_closing(server) || gone_or_closing(client) {
        assert_eq!(r, EINVAL, "accept with a closing, closed or NULL handle");
        return;
    }
    let srv = rec_of(server);
    if !srv.listener {
        assert_ne!(r, 0, "accept from a handle that does not listen");
    } else if srv.pending_conn {
        assert!(
            r == 0 || r == -libc::EBUSY,
            "accept of an announced connection: {r}"
        );
        if r == 0 {
            srv.pending_conn = false;
        }
    } else {
        assert!(
            r == EAGAIN || r == -libc::EBUSY,
            "accept with nothing announced: {r}"
        );
    }
}

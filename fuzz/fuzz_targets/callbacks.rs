//! The fuzz target's callbacks and the calls they share with the program, each checking the
//! rules of DESIGN §3 that concern it.

use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use ruv::ffi::handle::{
    ruv_close, ruv_handle_get_data, ruv_handle_set_data, ruv_is_active, ruv_is_closing,
};
use ruv::ffi::loop_api::{ruv_loop_close, ruv_run, ruv_walk};
use ruv::ffi::tcp::{
    ruv_tcp_accept, ruv_tcp_new, ruv_tcp_readable, ruv_tcp_writable, ruv_tcp_write_queue_size,
};
use ruv::ffi::types::{ruv_buf_t, ruv_handle_t, ruv_tcp_t};

use crate::state::*;
use crate::twins;

/// `ruv_close` on `h` (live, closing, dead or NULL), with the rules of §3.5 and §3.10.
pub fn close_handle(h: *mut ruv_tcp_t, with_cb: bool) -> c_int {
    let d = ruv_handle_get_data(hp(h));
    let was_closing = ruv_is_closing(hp(h));
    let r = ok(
        ruv_close(hp(h), if with_cb { Some(close_cb) } else { None }),
        "ruv_close",
    );
    if gone_or_closing(h) {
        assert_eq!(
            r, EINVAL,
            "ruv_close of a closing, closed or NULL handle must be EINVAL"
        );
    } else {
        assert_eq!(was_closing, 0);
        assert_eq!(r, 0, "ruv_close of a live handle failed");
    }
    if r == 0 {
        // SAFETY: see rec_of.
        let rec = unsafe { &mut *d.cast::<Rec>() };
        rec.close_called = true;
        rec.reading = false;
        rec.pending_conn = false;
        assert_eq!(ruv_is_closing(hp(h)), 1, "not closing after ruv_close");
        assert_eq!(
            ruv_is_active(hp(h)),
            0,
            "active after ruv_close (it stops all I/O)"
        );
        // Without a close callback the handle dies silently once the loop runs; its request
        // callbacks are still checked, and ruv_loop_close == 0 at the end proves it was freed.
        rec.silent_close = !with_cb;
    }
    r
}

/// Does what the handle's action says, if it acts in callback kind `bit`.
pub fn do_action(h: *mut ruv_tcp_t, bit: u8) {
    let rec = rec_of(h);
    let a = rec.action;
    if a.when & (1 << bit) == 0 || st().finishing && a.what != 1 && a.what != 7 {
        return;
    }
    let s = st();
    match a.what {
        1 if ruv_is_closing(hp(h)) == 0 => {
            assert_eq!(close_handle(h, true), 0);
        }
        2 => {
            let t = s.slots[a.target as usize % SLOTS];
            if !t.is_null() && ruv_is_closing(hp(t)) == 0 {
                assert_eq!(close_handle(t, true), 0);
            }
        }
        3 => {
            write_on(h, 1 + a.target as usize * 37, 1, true);
        }
        4 => {
            shutdown_on(h);
        }
        5 => {
            let r = ok(twins::stop_read(h), "stop_read");
            if r == 0 {
                rec_of(h).reading = false;
            }
        }
        6 => {
            for m in [RUN_NOWAIT, RUN_ONCE, RUN_DEFAULT] {
                assert_eq!(ruv_run(s.loop_, m), EBUSY, "nested ruv_run must be EBUSY");
            }
            assert_eq!(
                ruv_loop_close(s.loop_),
                EBUSY,
                "ruv_loop_close in a callback"
            );
        }
        7 => close_everything(true),
        _ => {}
    }
}

/// Closes every handle of the loop that is not closing yet (found with ruv_walk).
pub fn close_everything(with_cb: bool) {
    let mut all: Vec<*mut ruv_handle_t> = Vec::new();
    unsafe extern "C" fn collect(h: *mut ruv_handle_t, arg: *mut c_void) {
        // SAFETY: arg is the Vec above, alive for the walk.
        unsafe { (*arg.cast::<Vec<*mut ruv_handle_t>>()).push(h) };
    }
    ruv_walk(st().loop_, Some(collect), (&mut all as *mut Vec<_>).cast());
    for h in all {
        if ruv_is_closing(h) == 0 {
            assert_eq!(close_handle(h as *mut ruv_tcp_t, with_cb), 0);
        }
    }
}

/// The close callback: the last callback of a handle, exactly once (§3.5).
pub unsafe extern "C" fn close_cb(h: *mut ruv_handle_t) {
    let rec = enter_cb(h as *const ruv_tcp_t);
    assert!(rec.close_called, "close callback without ruv_close");
    assert_eq!(
        rec.connects_pending, 0,
        "close callback before the connect callback"
    );
    assert_eq!(
        rec.writes_done, rec.writes_issued,
        "close callback before write callbacks"
    );
    assert!(
        !rec.shutdown_pending,
        "close callback before the shutdown callback"
    );
    assert_eq!(ruv_is_closing(h), 1);
    // Closing again from its own close callback is an error, not a crash.
    assert_eq!(ruv_close(h, Some(close_cb)), EINVAL);
    do_action(h as *mut ruv_tcp_t, 6);
    let rec = rec_of(h as *const ruv_tcp_t);
    rec.close_cbs = 1;
    let s = st();
    if s.slots[rec.slot] == h as *mut ruv_tcp_t {
        s.slots[rec.slot] = ptr::null_mut();
    }
    if s.dead.len() < 64 {
        s.dead.push(h as *mut ruv_tcp_t);
    }
}

/// One call per pending connection; no second one before an accept (§3.4).
pub unsafe extern "C" fn connection_cb(server: *mut ruv_tcp_t, status: c_int) {
    let rec = enter_cb(server);
    assert!(rec.listener, "connection callback on a non-listener");
    assert!(!rec.close_called, "connection callback after ruv_close");
    ok(status, "connection status");
    if status == 0 {
        assert!(
            !rec.pending_conn,
            "a second connection callback before the first was accepted"
        );
        rec.pending_conn = true;
    }
    if status == 0 && rec.accept_mode != 1 && !st().finishing {
        if let Some(slot) = free_slot() {
            let mode = rec.accept_mode;
            let client = new_handle(slot, libc::AF_UNSPEC);
            if !client.is_null() {
                assert_eq!(
                    ruv_tcp_accept(server, client),
                    0,
                    "accept inside connection_cb"
                );
                rec_of(server).pending_conn = false;
                if mode == 2 {
                    assert_eq!(close_handle(client, true), 0);
                } else {
                    let r = twins::start_read(client);
                    assert_eq!(r, 0, "start_read on an accepted handle");
                    rec_of(client).reading = true;
                }
            }
        }
    }
    do_action(server, 0);
}

/// Exactly once per connect that returned 0; `RUV_ECANCELED` if and only if closed first.
pub unsafe extern "C" fn connect_cb(h: *mut ruv_tcp_t, status: c_int) {
    let rec = enter_cb(h);
    assert_eq!(
        rec.connects_pending, 1,
        "connect callback without a pending connect"
    );
    rec.connects_pending = 0;
    ok(status, "connect status");
    assert!(status <= 0, "connect status {status}");
    if rec.close_called {
        assert_eq!(status, ECANCELED, "connect after close must be ECANCELED");
    } else {
        assert_ne!(status, ECANCELED, "connect cancelled without a close");
    }
    if status < 0 {
        rec.connect_failed = true;
        rec.cancelled_below = rec.writes_issued;
    }
    do_action(h, 1);
}

/// One per write, in order; after a failed write every later one gets the same error; a write
/// is cancelled only by a close, or by the failure of the connect it was queued behind (§3.2,
/// §3.5).
pub unsafe extern "C" fn write_cb(h: *mut ruv_tcp_t, status: c_int, arg: *mut c_void) {
    let rec = enter_cb(h);
    ok(status, "write status");
    assert!(status <= 0, "write status {status}");
    let seq = arg as u64;
    assert_eq!(seq, rec.writes_done, "write callbacks out of order");
    assert!(
        rec.writes_done < rec.writes_issued,
        "write callback without a write"
    );
    if seq < rec.cancelled_below {
        assert_eq!(
            status, ECANCELED,
            "a write queued while connecting, after the connect failed"
        );
    } else {
        match rec.write_error {
            Some(e) => assert_eq!(
                status, e,
                "a write after a failed one must get the same error"
            ),
            None if status != 0 => rec.write_error = Some(status),
            None => {}
        }
        if status == ECANCELED {
            assert!(rec.close_called, "write cancelled without a close");
        }
    }
    rec.writes_done += 1;
    do_action(h, 4);
}

/// After the writes issued before it (§3.2, §3.6); 0 only if they all succeeded.
pub unsafe extern "C" fn shutdown_cb(h: *mut ruv_tcp_t, status: c_int) {
    let rec = enter_cb(h);
    ok(status, "shutdown status");
    assert!(status <= 0, "shutdown status {status}");
    assert!(rec.shutdown_pending, "shutdown callback without a shutdown");
    assert!(
        rec.writes_done >= rec.writes_before_shutdown,
        "shutdown callback before the writes issued before it"
    );
    if status == 0 {
        assert_eq!(
            rec.write_error, None,
            "shutdown succeeded after a failed write"
        );
    }
    if status == ECANCELED {
        assert!(
            rec.close_called || rec.connect_failed,
            "shutdown cancelled without a close"
        );
    }
    rec.shutdown_pending = false;
    do_action(h, 5);
}

/// Data (never `nread == 0`) while reading, then EOF or an error, after which reading stops.
pub unsafe extern "C" fn read_cb(h: *mut ruv_tcp_t, nread: libc::ssize_t, data: *const c_char) {
    let rec = enter_cb(h);
    assert!(rec.reading, "read callback while not reading");
    assert!(!rec.close_called, "read callback after ruv_close");
    assert_ne!(nread, 0, "nread == 0 delivered");
    if nread > 0 {
        assert!(!data.is_null());
        // Touch the data: the first and last bytes must be readable during the callback.
        // SAFETY: the library lends nread bytes at data for the duration of the call.
        let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), nread as usize) };
        std::hint::black_box((bytes[0], bytes[bytes.len() - 1]));
        do_action(h, 2);
    } else {
        ok(nread as c_int, "read error");
        // After EOF or an error, reading has stopped.
        rec.reading = false;
        assert_eq!(
            ruv_is_active(hp(h)),
            0,
            "still active after a read error/EOF"
        );
        if nread as c_int == EOF {
            rec.eof = true;
            assert_eq!(ruv_tcp_readable(h), 0, "readable after EOF");
            assert_eq!(twins::start_read(h), -libc::ENOTCONN);
        }
        do_action(h, 3);
    }
}

/// An empty slot.
pub fn free_slot() -> Option<usize> {
    st().slots.iter().position(|p| p.is_null())
}

/// A new TCP handle in `slot`, with its record; NULL when `ruv_tcp_new` refuses.
pub fn new_handle(slot: usize, family: c_int) -> *mut ruv_tcp_t {
    let s = st();
    let mut h: *mut ruv_tcp_t = ptr::null_mut();
    let r = ok(ruv_tcp_new(s.loop_, family, &mut h), "tcp_new");
    if r != 0 {
        assert!(h.is_null(), "out-param written on failure");
        return ptr::null_mut();
    }
    let mut rec = Box::<Rec>::default();
    rec.slot = slot;
    rec.handle = h as usize;
    rec.action = Action::default();
    ruv_handle_set_data(hp(h), (&mut *rec as *mut Rec).cast());
    s.recs.push(rec);
    s.slots[slot] = h;
    h
}

/// `ruv_tcp_write` (or `ruv_write`) of `len` payload bytes in `nbufs` buffers, with the rules of §3.2.
pub fn write_on(h: *mut ruv_tcp_t, len: usize, nbufs: usize, with_cb: bool) -> c_int {
    let s = st();
    let len = take_budget(s, len);
    let nbufs = nbufs.clamp(1, 4);
    let mut bufs = [ruv_buf_t {
        base: ptr::null(),
        len: 0,
    }; 4];
    let per = len / nbufs;
    for (i, b) in bufs.iter_mut().enumerate().take(nbufs) {
        let l = if i + 1 == nbufs { len - per * i } else { per };
        b.base = s.payload[per * i..].as_ptr().cast();
        b.len = l;
    }
    let d = ruv_handle_get_data(hp(h));
    let seq = if d.is_null() {
        0
    } else {
        // SAFETY: see rec_of.
        unsafe { (*d.cast::<Rec>()).writes_issued }
    };
    let before = ruv_tcp_write_queue_size(h);
    let r = ok(
        twins::write(h, &bufs[..nbufs], with_cb, seq as *mut c_void),
        "write",
    );
    expect_closed(h, r, EINVAL, "write");
    if !gone_or_closing(h) {
        let rec = rec_of(h);
        if rec.write_error.is_some() || rec.shut {
            assert_eq!(r, -libc::EPIPE, "write after a failed write or a shutdown");
        }
    }
    if r == 0 {
        assert!(ruv_tcp_write_queue_size(h) <= before + len);
        // Writes without a callback cannot be tracked; only those with one are counted.
        if with_cb {
            rec_of(h).writes_issued += 1;
        }
    }
    r
}

/// `ruv_tcp_shutdown` (or `ruv_shutdown`), with the rules of §3.6.
pub fn shutdown_on(h: *mut ruv_tcp_t) -> c_int {
    let r = ok(twins::shutdown(h), "shutdown");
    expect_closed(h, r, EINVAL, "shutdown");
    if !gone_or_closing(h) && rec_of(h).shut {
        assert_eq!(r, -libc::ENOTCONN, "a second shutdown must be ENOTCONN");
    }
    if r == 0 {
        let rec = rec_of(h);
        rec.shut = true;
        rec.shutdown_pending = true;
        rec.writes_before_shutdown = rec.writes_issued;
        assert_eq!(ruv_tcp_writable(h), 0, "writable after shutdown");
    }
    r
}

//! Fuzz target `api_ops`: the input is a program of ruv API calls on one loop over loopback.
//!
//! Each input byte string is read as a sequence of operations (create, bind, listen, connect,
//! accept, write, try_write, start/stop read, shutdown, close, abort, run NOWAIT/ONCE, stop +
//! run, options, queries, ref/unref, calls on dead handles, pipe/UDP calls on TCP handles) over
//! up to `SLOTS` handles (op bytes >= 128 make the stream calls through their `ruv_*` twins:
//! `twins.rs`; pointers closed by earlier inputs come from `stale.rs`), through
//! the C ABI functions of `ruv::ffi` exactly as a C program calls them. Callbacks themselves
//! close, write, shut down, stop reading or try to re-enter the loop, as the input's per-handle
//! "action" byte says. After the program, every handle is closed and the loop is run until it
//! is no longer alive (bounded), then closed.
//!
//! Invariants checked, each a rule of DESIGN §3 (a violation panics, which libFuzzer reports as
//! a crash):
//! * no API call returns RUV_EPANIC (a Rust panic caught at the boundary), no crash (§3.10);
//! * no callback runs inside the API call that asked for it (only from ruv_run; §3.1);
//! * every connect/write/shutdown request that returned 0 gets exactly one callback, writes of a
//!   handle in FIFO order, a shutdown only after the writes issued before it and with 0 only if
//!   they all succeeded; after a failed write every later write callback gets the same error
//!   and later writes return RUV_EPIPE, as do writes after a shutdown; a second shutdown is
//!   RUV_ENOTCONN; RUV_ECANCELED only after a close (or, for writes and shutdown, a failed
//!   connect) (§3.2, §3.5, §3.6);
//! * reads: never nread == 0, none after stop_read or close; after EOF reading has stopped, the
//!   handle is not readable and start_read is RUV_ENOTCONN; start_read twice is RUV_EALREADY
//!   (§3.3);
//! * listen/accept: no second connection callback before the first connection is accepted;
//!   accept with nothing announced is RUV_EAGAIN (or RUV_EBUSY for a client with a socket), with
//!   one announced it succeeds or is RUV_EBUSY (§3.4);
//! * close: a live handle closes with 0 and is then closing and inactive; every call on a
//!   closing handle is RUV_EINVAL (fileno RUV_EBADF), on a NULL or dead pointer RUV_EINVAL; no
//!   callback after the close callback, which comes exactly once and after all request
//!   callbacks (§3.5, §3.10);
//! * the loop (§3.8), against a model built from what the input did (`model.rs`): is_active
//!   (listening, connecting or reading), has_ref after ref/unref, ruv_loop_alive and every
//!   ruv_run's result (active referenced handles, pending requests or closing handles); a
//!   ruv_run after ruv_stop runs no callback and returns the liveness, and the next run is a
//!   whole iteration; nested ruv_run and ruv_loop_close from a callback return RUV_EBUSY;
//! * §8: each stream call gives through `ruv_*` (`RUV_STREAM(tcp)`) what its `ruv_tcp_*` twin
//!   gives (both kinds drive the same model; readable, writable, write queue size and fileno are
//!   compared directly); `ruv_pipe_*` / `ruv_udp_*` on a TCP handle are RUV_EINVAL;
//! * §11: handles and loops closed by earlier inputs stay safe to pass: handle calls are
//!   RUV_EINVAL like a dead handle's, and ruv_run, ruv_loop_alive, ruv_loop_close and
//!   ruv_tcp_new on a closed loop are RUV_EINVAL (the out-param untouched);
//! * at the end every handle is closed, the loop is not alive and ruv_loop_close returns 0;
//!   no socket or epoll descriptor is left open (checked in /proc/self/fd).
//!
//! Memory leaks are reported by LeakSanitizer (cargo fuzz builds with ASan by default).

#![no_main]

mod callbacks;
mod model;
mod pipe_probe;
mod stale;
mod state;
mod twins;

use std::os::raw::c_int;
use std::ptr;

use libfuzzer_sys::fuzz_target;

use ruv::ffi::handle::{ruv_handle_get_data, ruv_has_ref, ruv_ref, ruv_unref};
use ruv::ffi::loop_api::{ruv_backend_timeout, ruv_loop_alive, ruv_loop_close, ruv_loop_new};
use ruv::ffi::tcp::{
    ruv_tcp_accept, ruv_tcp_bind, ruv_tcp_connect, ruv_tcp_fileno, ruv_tcp_keepalive,
    ruv_tcp_listen, ruv_tcp_nodelay, ruv_tcp_simultaneous_accepts, ruv_tcp_try_write,
};
use ruv::ffi::types::{ruv_buf_t, ruv_loop_t};

use callbacks::*;
use model::{check_accept, run_mode, stop_then_run};
use state::*;

/// Runs the operations the input encodes.
fn program(inp: &mut Input<'_>) {
    for _ in 0..MAX_OPS {
        let Some(op) = inp.byte() else { break };
        let a = inp.b();
        let s = st();
        // Ops 128..=255: the stream calls go through their `ruv_*` twins (§8).
        s.via_stream = op >= 128;
        match op % 21 {
            // create
            0 => {
                if let Some(slot) = free_slot() {
                    let fam =
                        [libc::AF_UNSPEC, libc::AF_INET, libc::AF_INET6, 12345][a as usize % 4];
                    call(|| new_handle(slot, fam));
                }
            }
            // bind
            1 => {
                let h = pick(s, a);
                let c = inp.b();
                let ss = loopback(c & 1 != 0, if c & 2 != 0 { s.refused_port } else { 0 });
                let r = call(|| {
                    ok(
                        ruv_tcp_bind(h, ptr::addr_of!(ss).cast(), u32::from(c >> 2) & 3),
                        "bind",
                    )
                });
                expect_closed(h, r, EINVAL, "bind");
            }
            // listen
            2 => {
                let h = pick(s, a);
                let c = inp.b();
                let r = call(|| {
                    ok(
                        ruv_tcp_listen(h, i32::from(c % 8) - 1, Some(connection_cb)),
                        "listen",
                    )
                });
                expect_closed(h, r, EINVAL, "listen");
                if r == 0 {
                    let rec = rec_of(h);
                    rec.listener = true;
                    rec.accept_mode = (c >> 3) % 3;
                    rec.port = local_port(h).unwrap_or(0);
                }
            }
            // connect
            3 => {
                let h = pick(s, a);
                let c = inp.b();
                let target = s.slots[c as usize % SLOTS];
                let port = if target.is_null() || ruv_handle_get_data(hp(target)).is_null() {
                    s.refused_port
                } else {
                    let p = rec_of(target).port;
                    if p == 0 {
                        s.refused_port
                    } else {
                        p
                    }
                };
                let ss = loopback(c & 0x80 != 0, port);
                let r = call(|| {
                    ok(
                        ruv_tcp_connect(h, ptr::addr_of!(ss).cast(), Some(connect_cb)),
                        "connect",
                    )
                });
                expect_closed(h, r, EINVAL, "connect");
                if r == 0 {
                    let rec = rec_of(h);
                    assert_eq!(rec.connects_pending, 0, "second connect accepted");
                    rec.connects_pending = 1;
                }
            }
            // accept (outside the callback)
            4 => {
                let server = pick(s, a);
                let c = inp.b();
                let client = pick(s, c);
                let r = call(|| ok(ruv_tcp_accept(server, client), "accept"));
                check_accept(server, client, r);
            }
            // write
            5 => {
                let h = pick(s, a);
                let c = inp.b();
                let d = inp.b();
                // Mostly small writes (cheap to run); 1 in 8 up to 255 KiB, which is larger
                // than the socket buffers a non-reading peer leaves, so writes queue.
                let len = match c % 4 {
                    0 => 0,
                    1 => usize::from(d) + 1,
                    2 => usize::from(d) * 64,
                    _ if c & 0x40 != 0 => usize::from(d) * 1024,
                    _ => usize::from(d) * 256,
                };
                call(|| write_on(h, len, usize::from(c >> 4) % 4 + 1, c & 4 == 0));
            }
            // try_write
            6 => {
                let h = pick(s, a);
                let c = inp.b();
                let len = take_budget(s, usize::from(c) * 1024);
                let buf = ruv_buf_t {
                    base: s.payload.as_ptr().cast(),
                    len,
                };
                let r = call(|| ok(ruv_tcp_try_write(h, &buf, 1), "try_write"));
                assert!(r <= len as c_int);
            }
            // start_read
            7 => {
                let h = pick(s, a);
                let r = call(|| ok(twins::start_read(h), "start_read"));
                expect_closed(h, r, EINVAL, "start_read");
                if !gone_or_closing(h) && rec_of(h).reading {
                    assert_eq!(r, -libc::EALREADY, "start_read twice");
                }
                if !gone_or_closing(h) && rec_of(h).eof {
                    assert_eq!(r, -libc::ENOTCONN, "start_read after EOF");
                }
                if r == 0 {
                    rec_of(h).reading = true;
                }
            }
            // stop_read
            8 => {
                let h = pick(s, a);
                let r = call(|| ok(twins::stop_read(h), "stop_read"));
                expect_closed(h, r, EINVAL, "stop_read");
                if r == 0 {
                    rec_of(h).reading = false;
                }
            }
            // shutdown
            9 => {
                let h = pick(s, a);
                call(|| shutdown_on(h));
            }
            // close
            10 => {
                let h = pick(s, a);
                if !h.is_null() {
                    call(|| close_handle(h, true));
                }
            }
            // abortive close: SO_LINGER {1, 0} then close, the peer gets a RST
            11 => {
                let h = pick(s, a);
                let mut fd: c_int = -1;
                if call(|| ruv_tcp_fileno(h, &mut fd)) == 0 {
                    let lg = libc::linger {
                        l_onoff: 1,
                        l_linger: 0,
                    };
                    // SAFETY: setsockopt reads a linger struct.
                    unsafe {
                        libc::setsockopt(
                            fd,
                            libc::SOL_SOCKET,
                            libc::SO_LINGER,
                            ptr::addr_of!(lg).cast(),
                            std::mem::size_of::<libc::linger>() as libc::socklen_t,
                        )
                    };
                    call(|| close_handle(h, true));
                }
            }
            // run
            12 | 13 => {
                let n = 1 + a % 4;
                for _ in 0..n {
                    run_mode(RUN_NOWAIT);
                }
            }
            14 => {
                // ONCE blocks only when nothing is pending and something is alive that will
                // produce an event; keep it safe by using it only when work is pending.
                if ruv_backend_timeout(st().loop_) == 0 {
                    run_mode(RUN_ONCE);
                } else {
                    run_mode(RUN_NOWAIT);
                }
            }
            // set callback behaviour
            15 => {
                let h = pick(s, a);
                let (what, target, when) = (inp.b(), inp.b(), inp.b());
                if !h.is_null() && !ruv_handle_get_data(hp(h)).is_null() {
                    let rec = rec_of(h);
                    rec.action = Action {
                        what: what % 8,
                        target,
                        when,
                    };
                }
            }
            // options
            16 => {
                let h = pick(s, a);
                let c = inp.b();
                call(|| {
                    let r = ok(ruv_tcp_nodelay(h, c_int::from(c & 1)), "nodelay");
                    expect_closed(h, r, EINVAL, "nodelay");
                    let r = ok(
                        ruv_tcp_keepalive(h, c_int::from(c & 2), u32::from(c >> 4)),
                        "keepalive",
                    );
                    expect_closed(h, r, EINVAL, "keepalive");
                    let r = ok(
                        ruv_tcp_simultaneous_accepts(h, c_int::from(c & 4)),
                        "simultaneous_accepts",
                    );
                    expect_closed(h, r, EINVAL, "simultaneous_accepts");
                });
            }
            // queries
            17 => {
                let h = pick(s, a);
                call(|| twins::queries(h));
            }
            // ref / unref
            18 => {
                let h = pick(s, a);
                let unref = a & 0x40 != 0;
                call(|| {
                    if unref {
                        ruv_unref(hp(h))
                    } else {
                        ruv_ref(hp(h))
                    }
                });
                if !ruv_handle_get_data(hp(h)).is_null() {
                    rec_of(h).unref = unref;
                    assert_eq!(
                        ruv_has_ref(hp(h)),
                        c_int::from(!unref),
                        "has_ref after ref/unref"
                    );
                }
            }
            // stop + run
            19 => stop_then_run(),
            // pipe and UDP calls on a TCP handle, or a pipe made, listened on and closed
            _ => {
                let h = pick(s, a);
                let c = inp.b();
                if c & 0x80 != 0 {
                    call(|| pipe_probe::pipe_probe(h));
                } else {
                    call(|| twins::wrong_kind_calls(h, c));
                }
            }
        }
    }
}

/// Closes every handle, runs the loop until it is not alive, and checks what is left.
fn finish() {
    let loop_ = st().loop_;
    st().finishing = true;
    call(|| close_everything(true));
    let mut rounds = 0;
    while ruv_loop_alive(loop_) == 1 {
        run_mode(RUN_NOWAIT);
        rounds += 1;
        // Closing handles only need their queued callbacks to run: a couple of rounds.
        assert!(rounds < 1000, "loop still alive after closing every handle");
        // Callbacks (actions) may have created nothing new, but close anything that appeared.
        call(|| close_everything(true));
    }
    assert_eq!(ruv_loop_alive(loop_), 0);
    let s = st();
    for rec in &s.recs {
        assert!(rec.close_called, "handle never closed");
        assert!(
            rec.close_cbs == 1 || rec.silent_close && rec.close_cbs == 0,
            "close callback count"
        );
        assert_eq!(rec.connects_pending, 0, "connect callback missing");
        assert_eq!(rec.writes_done, rec.writes_issued, "write callback missing");
        assert!(!rec.shutdown_pending, "shutdown callback missing");
    }
    assert_eq!(ruv_loop_close(loop_), 0, "loop not closable at the end");
}

fuzz_target!(|data: &[u8]| {
    thread_local! {
        static REFUSED: u16 = init_refused_port();
    }
    // A reset peer must never raise SIGPIPE (MSG_NOSIGNAL): SIGPIPE keeps its default action.
    let mut loop_: *mut ruv_loop_t = ptr::null_mut();
    assert_eq!(ruv_loop_new(&mut loop_), 0);
    stale::check_stale_loops(loop_, data.first().copied().unwrap_or(0));
    let mut state = Box::new(State {
        loop_,
        slots: [ptr::null_mut(); SLOTS],
        recs: Vec::new(),
        dead: Vec::new(),
        in_call: false,
        callbacks: 0,
        finishing: false,
        refused_port: REFUSED.with(|p| *p),
        payload: payload(),
        budget: WRITE_BUDGET,
        via_stream: false,
    });
    STATE.with(|s| s.set(&mut *state));
    // Slot 0 starts as a listener so that connects have somewhere to go.
    let l = call(|| new_handle(0, libc::AF_INET));
    let ss = loopback(false, 0);
    assert_eq!(call(|| ruv_tcp_bind(l, ptr::addr_of!(ss).cast(), 0)), 0);
    assert_eq!(call(|| ruv_tcp_listen(l, 16, Some(connection_cb))), 0);
    {
        let rec = rec_of(l);
        rec.listener = true;
        rec.port = local_port(l).unwrap();
        rec.accept_mode = data.first().map_or(0, |b| b % 3);
    }
    let mut inp = Input { data, pos: 1 };
    program(&mut inp);
    finish();
    STATE.with(|s| s.set(ptr::null_mut()));
    stale::retire(&state.dead, loop_);
    drop(state);
    // Every socket and epoll instance the input made must be closed now. (Other descriptors
    // are not counted: the sanitizer runtime opens pipes and /dev/null for its symbolizer.)
    let left = ruv_descriptors();
    assert!(left.is_empty(), "descriptor leak: {left:?}");
});

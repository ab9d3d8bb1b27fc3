//! Fuzz target `api_ops`: the input is a program of ruv API calls on one loop over loopback.
//!
//! Each input byte string is read as a sequence of operations (create, bind, listen, connect,
//! accept, write, try_write, start/stop read, shutdown, close, abort, run NOWAIT/ONCE, options,
//! queries, ref/unref, calls on dead handles) over up to `SLOTS` handles, through the C ABI
//! functions of `ruv::ffi` exactly as a C program calls them. Callbacks themselves close, write,
//! shut down, stop reading or try to re-enter the loop, as the input's per-handle "action"
//! byte says. After the program, every handle is closed and the loop is run until it is no
//! longer alive (bounded), then closed.
//!
//! Invariants checked (a violation panics, which libFuzzer reports as a crash):
//! * no API call returns RUV_EPANIC (a Rust panic caught at the boundary), no crash;
//! * no callback runs inside the API call that asked for it (only from ruv_run);
//! * every connect/write/shutdown request that returned 0 gets exactly one callback, writes of a
//!   handle in FIFO order, a shutdown only after the writes issued before it;
//! * no callback on a handle after its close callback, the close callback exactly once per
//!   handle and only after all of its request callbacks; no read callback after stop_read,
//!   never nread == 0;
//! * nested ruv_run and ruv_loop_close from a callback return RUV_EBUSY;
//! * at the end every handle is closed, the loop is not alive and ruv_loop_close returns 0;
//!   no socket or epoll descriptor is left open (checked in /proc/self/fd).
//! Memory leaks are reported by LeakSanitizer (cargo fuzz builds with ASan by default).

#![no_main]

use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use libfuzzer_sys::fuzz_target;

use ruv::ffi::addr::{ruv_ip4_addr, ruv_ip6_addr};
use ruv::ffi::handle::{
    ruv_close, ruv_handle_get_data, ruv_handle_set_data, ruv_has_ref, ruv_is_active,
    ruv_is_closing, ruv_ref, ruv_unref,
};
use ruv::ffi::loop_api::{
    ruv_loop_alive, ruv_loop_close, ruv_loop_new, ruv_run, ruv_stop, ruv_walk,
};
use ruv::ffi::tcp::{
    ruv_tcp_accept, ruv_tcp_bind, ruv_tcp_connect, ruv_tcp_family, ruv_tcp_fileno,
    ruv_tcp_getpeername, ruv_tcp_getsockname, ruv_tcp_keepalive, ruv_tcp_listen, ruv_tcp_new,
    ruv_tcp_nodelay, ruv_tcp_readable, ruv_tcp_shutdown, ruv_tcp_simultaneous_accepts,
    ruv_tcp_start_read, ruv_tcp_stop_read, ruv_tcp_try_write, ruv_tcp_writable,
    ruv_tcp_write, ruv_tcp_write_queue_size,
};
use ruv::ffi::types::{ruv_buf_t, ruv_handle_t, ruv_loop_t, ruv_run_mode, ruv_tcp_t};

const SLOTS: usize = 8;
const MAX_OPS: usize = 96;
const RUN_NOWAIT: ruv_run_mode = ruv_run_mode(2);
const RUN_ONCE: ruv_run_mode = ruv_run_mode(1);
const RUN_DEFAULT: ruv_run_mode = ruv_run_mode(0);

const EPANIC: c_int = -4093;
const EOF: c_int = -4095;
const EINVAL: c_int = -libc::EINVAL;
const EBUSY: c_int = -libc::EBUSY;
const ECANCELED: c_int = -libc::ECANCELED;

/// What a handle's callbacks do besides checking invariants.
#[derive(Clone, Copy, Default)]
struct Action {
    /// 0 nothing, 1 close self, 2 close `target`, 3 write on self, 4 shutdown self,
    /// 5 stop_read on self, 6 nested run + loop_close (both must be EBUSY), 7 close every handle.
    what: u8,
    target: u8,
    /// Which callbacks act: bit 0 connection, 1 connect, 2 read data, 3 read EOF/error, 4 write,
    /// 5 shutdown, 6 close.
    when: u8,
}

/// Per-handle bookkeeping; reached from callbacks through the handle's data pointer.
#[derive(Default)]
struct Rec {
    slot: usize,
    handle: usize,
    close_called: bool,
    silent_close: bool,
    close_cbs: u32,
    connects_pending: u32,
    writes_issued: u64,
    writes_done: u64,
    shutdown_pending: bool,
    /// Writes issued before the pending shutdown.
    writes_before_shutdown: u64,
    reading: bool,
    listener: bool,
    port: u16,
    /// 0 accept at once, 1 never accept in the callback, 2 accept and close at once.
    accept_mode: u8,
    action: Action,
}

struct State {
    loop_: *mut ruv_loop_t,
    slots: [*mut ruv_tcp_t; SLOTS],
    recs: Vec<Box<Rec>>,
    dead: Vec<*mut ruv_tcp_t>,
    /// Set around every top-level API call except ruv_run: a callback seeing it is a violation.
    in_call: bool,
    finishing: bool,
    refused_port: u16,
    payload: &'static [u8],
    /// Bytes this input may still offer to write/try_write. The budget keeps every input cheap
    /// (an evolved corpus otherwise drifts towards inputs that move tens of megabytes and run
    /// at a fifth of the speed) while still allowing writes larger than the socket buffers.
    budget: usize,
}

/// Bytes one input may offer to write in total (see `State::budget`).
const WRITE_BUDGET: usize = 4 << 20;

/// Takes up to `len` bytes (at least 1) from the input's write budget.
fn take_budget(s: &mut State, len: usize) -> usize {
    let len = len.min(s.payload.len()).min(s.budget).max(1);
    s.budget = s.budget.saturating_sub(len);
    len
}

/// Bytes to write, made once.
fn payload() -> &'static [u8] {
    static P: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    P.get_or_init(|| (0..(2usize << 20)).map(|i| (i * 131 ^ (i >> 9)) as u8).collect())
}

/// A TCP pointer as the generic handle pointer (what RUV_HANDLE does in C).
fn hp(h: *const ruv_tcp_t) -> *mut ruv_handle_t {
    h.cast_mut().cast()
}

thread_local! {
    static STATE: Cell<*mut State> = const { Cell::new(ptr::null_mut()) };
}

fn st() -> &'static mut State {
    let p = STATE.with(|s| s.get());
    assert!(!p.is_null(), "callback outside an input");
    // SAFETY: the state lives for the whole input and only this thread touches it; callbacks run
    // from ruv_run while the interpreter holds no reference into it (see `run`).
    unsafe { &mut *p }
}

fn ok(code: c_int, what: &str) -> c_int {
    assert_ne!(code, EPANIC, "{what} returned RUV_EPANIC (a Rust panic)");
    assert!(code >= -4095, "{what} returned {code}");
    code
}

/// A top-level (non-run) API call: callbacks must not run inside it.
fn call<R>(f: impl FnOnce() -> R) -> R {
    let s = st();
    let was = s.in_call;
    s.in_call = true;
    let r = f();
    st().in_call = was;
    r
}

fn rec_of(h: *const ruv_tcp_t) -> &'static mut Rec {
    let d = ruv_handle_get_data(hp(h));
    assert!(!d.is_null(), "callback on a handle whose close callback already ran");
    // SAFETY: the data pointer is a Box<Rec> kept in State::recs for the whole input.
    let r = unsafe { &mut *d.cast::<Rec>() };
    assert_eq!(r.close_cbs, 0, "callback after the close callback");
    r
}

fn enter_cb(h: *const ruv_tcp_t) -> &'static mut Rec {
    assert!(!st().in_call, "callback ran inside an API call");
    rec_of(h)
}

fn close_handle(h: *mut ruv_tcp_t, with_cb: bool) -> c_int {
    let d = ruv_handle_get_data(hp(h));
    let was_closing = ruv_is_closing(hp(h));
    let r = ok(
        ruv_close(hp(h), if with_cb { Some(close_cb) } else { None }),
        "ruv_close",
    );
    if was_closing == 1 {
        assert_eq!(r, EINVAL, "second ruv_close must be EINVAL");
    }
    if r == 0 {
        assert!(!d.is_null());
        // SAFETY: see rec_of.
        let rec = unsafe { &mut *d.cast::<Rec>() };
        assert!(!rec.close_called, "ruv_close succeeded twice");
        rec.close_called = true;
        rec.reading = false;
        // Without a close callback the handle dies silently once the loop runs; its request
        // callbacks are still checked, and ruv_loop_close == 0 at the end proves it was freed.
        rec.silent_close = !with_cb;
    }
    r
}

fn do_action(h: *mut ruv_tcp_t, bit: u8) {
    let rec = rec_of(h);
    let a = rec.action;
    if a.when & (1 << bit) == 0 || st().finishing && a.what != 1 && a.what != 7 {
        return;
    }
    let s = st();
    match a.what {
        1 => {
            if ruv_is_closing(hp(h)) == 0 {
                assert_eq!(close_handle(h, true), 0);
            }
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
            let r = ok(ruv_tcp_stop_read(h), "stop_read");
            if r == 0 {
                rec_of(h).reading = false;
            }
        }
        6 => {
            for m in [RUN_NOWAIT, RUN_ONCE, RUN_DEFAULT] {
                assert_eq!(ruv_run(s.loop_, m), EBUSY, "nested ruv_run must be EBUSY");
            }
            assert_eq!(ruv_loop_close(s.loop_), EBUSY, "ruv_loop_close in a callback");
        }
        7 => close_everything(true),
        _ => {}
    }
}

fn close_everything(with_cb: bool) {
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

unsafe extern "C" fn close_cb(h: *mut ruv_handle_t) {
    let rec = enter_cb(h as *const ruv_tcp_t);
    assert!(rec.close_called, "close callback without ruv_close");
    assert_eq!(rec.connects_pending, 0, "close callback before the connect callback");
    assert_eq!(rec.writes_done, rec.writes_issued, "close callback before write callbacks");
    assert!(!rec.shutdown_pending, "close callback before the shutdown callback");
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

unsafe extern "C" fn connection_cb(server: *mut ruv_tcp_t, status: c_int) {
    let rec = enter_cb(server);
    assert!(rec.listener, "connection callback on a non-listener");
    assert!(!rec.close_called, "connection callback after ruv_close");
    ok(status, "connection status");
    if status == 0 && rec.accept_mode != 1 && !st().finishing {
        if let Some(slot) = free_slot() {
            let mode = rec.accept_mode;
            let client = new_handle(slot, libc::AF_UNSPEC);
            if !client.is_null() {
                assert_eq!(ruv_tcp_accept(server, client), 0, "accept inside connection_cb");
                if mode == 2 {
                    assert_eq!(close_handle(client, true), 0);
                } else {
                    let r = ruv_tcp_start_read(client, Some(read_cb));
                    assert_eq!(r, 0, "start_read on an accepted handle");
                    rec_of(client).reading = true;
                }
            }
        }
    }
    do_action(server, 0);
}

unsafe extern "C" fn connect_cb(h: *mut ruv_tcp_t, status: c_int) {
    let rec = enter_cb(h);
    assert_eq!(rec.connects_pending, 1, "connect callback without a pending connect");
    rec.connects_pending = 0;
    ok(status, "connect status");
    if rec.close_called {
        assert_eq!(status, ECANCELED, "connect after close must be ECANCELED");
    }
    do_action(h, 1);
}

unsafe extern "C" fn write_cb(h: *mut ruv_tcp_t, status: c_int, arg: *mut c_void) {
    let rec = enter_cb(h);
    ok(status, "write status");
    let seq = arg as u64;
    assert_eq!(seq, rec.writes_done, "write callbacks out of order");
    assert!(rec.writes_done < rec.writes_issued, "write callback without a write");
    rec.writes_done += 1;
    do_action(h, 4);
}

unsafe extern "C" fn shutdown_cb(h: *mut ruv_tcp_t, status: c_int) {
    let rec = enter_cb(h);
    ok(status, "shutdown status");
    assert!(rec.shutdown_pending, "shutdown callback without a shutdown");
    assert!(
        rec.writes_done >= rec.writes_before_shutdown,
        "shutdown callback before the writes issued before it"
    );
    rec.shutdown_pending = false;
    do_action(h, 5);
}

unsafe extern "C" fn read_cb(h: *mut ruv_tcp_t, nread: libc::ssize_t, data: *const c_char) {
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
        assert_eq!(ruv_is_active(hp(h)), 0, "still active after a read error/EOF");
        if nread as c_int == EOF {
            assert_eq!(ruv_tcp_start_read(h, Some(read_cb)), -libc::ENOTCONN);
        }
        do_action(h, 3);
    }
}

fn free_slot() -> Option<usize> {
    st().slots.iter().position(|p| p.is_null())
}

fn new_handle(slot: usize, family: c_int) -> *mut ruv_tcp_t {
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

fn write_on(h: *mut ruv_tcp_t, len: usize, nbufs: usize, with_cb: bool) -> c_int {
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
        ruv_tcp_write(
            h,
            bufs.as_ptr(),
            nbufs,
            if with_cb { Some(write_cb) } else { None },
            seq as *mut c_void,
        ),
        "write",
    );
    if r == 0 {
        assert!(ruv_tcp_write_queue_size(h) <= before + len);
        // Writes without a callback cannot be tracked; only those with one are counted.
        if with_cb {
            rec_of(h).writes_issued += 1;
        }
    }
    r
}

fn shutdown_on(h: *mut ruv_tcp_t) -> c_int {
    let r = ok(ruv_tcp_shutdown(h, Some(shutdown_cb)), "shutdown");
    if r == 0 {
        let rec = rec_of(h);
        assert!(!rec.shutdown_pending, "second shutdown accepted");
        rec.shutdown_pending = true;
        rec.writes_before_shutdown = rec.writes_issued;
        assert_eq!(ruv_tcp_writable(h), 0, "writable after shutdown");
    }
    r
}

fn loopback(v6: bool, port: u16) -> libc::sockaddr_storage {
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    if v6 {
        let r = ruv_ip6_addr(c"::1".as_ptr(), c_int::from(port), ptr::addr_of_mut!(ss).cast());
        assert_eq!(r, 0);
    } else {
        let r = ruv_ip4_addr(c"127.0.0.1".as_ptr(), c_int::from(port), ptr::addr_of_mut!(ss).cast());
        assert_eq!(r, 0);
    }
    ss
}

fn local_port(h: *const ruv_tcp_t) -> Option<u16> {
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as c_int;
    if ruv_tcp_getsockname(h, ptr::addr_of_mut!(ss).cast(), &mut len) != 0 {
        return None;
    }
    let port = if c_int::from(ss.ss_family) == libc::AF_INET {
        // SAFETY: the family says sockaddr_in.
        unsafe { (*ptr::addr_of!(ss).cast::<libc::sockaddr_in>()).sin_port }
    } else {
        // SAFETY: the family says sockaddr_in6.
        unsafe { (*ptr::addr_of!(ss).cast::<libc::sockaddr_in6>()).sin6_port }
    };
    Some(u16::from_be(port))
}

/// Open descriptors of the kinds ruv creates: sockets and epoll instances.
fn ruv_descriptors() -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| {
            let target = std::fs::read_link(e.path()).ok()?;
            let t = target.to_string_lossy().into_owned();
            (t.starts_with("socket:") || t.starts_with("anon_inode:[eventpoll]"))
                .then(|| format!("{:?} -> {t}", e.file_name()))
        })
        .collect()
}

struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    fn b(&mut self) -> u8 {
        self.byte().unwrap_or(0)
    }
}

/// A slot holding a handle (live, closing, or — rarely — the pointer of a dead one).
fn pick(s: &State, b: u8) -> *mut ruv_tcp_t {
    // Mostly live or closing handles; 1 in 32 picks is the pointer of a handle whose close
    // callback already ran (the library must catch it: RUV_EINVAL), or NULL when none.
    let i = b as usize % 32;
    if i == 31 {
        return s.dead.last().copied().unwrap_or(ptr::null_mut());
    }
    s.slots[i % SLOTS]
}

fn run_mode(loop_: *mut ruv_loop_t, mode: ruv_run_mode) -> c_int {
    assert!(!st().in_call);
    let r = ok(ruv_run(loop_, mode), "ruv_run");
    assert!(r >= 0, "ruv_run failed: {r}");
    r
}

fn program(inp: &mut Input<'_>) {
    let loop_ = st().loop_;
    for _ in 0..MAX_OPS {
        let Some(op) = inp.byte() else { break };
        let a = inp.b();
        let s = st();
        match op % 20 {
            // create
            0 => {
                if let Some(slot) = free_slot() {
                    let fam = [libc::AF_UNSPEC, libc::AF_INET, libc::AF_INET6, 12345][a as usize % 4];
                    call(|| new_handle(slot, fam));
                }
            }
            // bind
            1 => {
                let h = pick(s, a);
                let c = inp.b();
                let ss = loopback(c & 1 != 0, if c & 2 != 0 { s.refused_port } else { 0 });
                call(|| ok(ruv_tcp_bind(h, ptr::addr_of!(ss).cast(), u32::from(c >> 2) & 3), "bind"));
            }
            // listen
            2 => {
                let h = pick(s, a);
                let c = inp.b();
                let r = call(|| ok(ruv_tcp_listen(h, i32::from(c % 8) - 1, Some(connection_cb)), "listen"));
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
                let r = call(|| ok(ruv_tcp_connect(h, ptr::addr_of!(ss).cast(), Some(connect_cb)), "connect"));
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
                call(|| ok(ruv_tcp_accept(server, client), "accept"));
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
                let r = call(|| ok(ruv_tcp_start_read(h, Some(read_cb)), "start_read"));
                if r == 0 {
                    rec_of(h).reading = true;
                }
            }
            // stop_read
            8 => {
                let h = pick(s, a);
                let r = call(|| ok(ruv_tcp_stop_read(h), "stop_read"));
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
                    run_mode(loop_, RUN_NOWAIT);
                }
            }
            14 => {
                // ONCE blocks only when nothing is pending and something is alive that will
                // produce an event; keep it safe by using it only when work is pending.
                if ruv::ffi::loop_api::ruv_backend_timeout(loop_) == 0 {
                    run_mode(loop_, RUN_ONCE);
                } else {
                    run_mode(loop_, RUN_NOWAIT);
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
                    ok(ruv_tcp_nodelay(h, c_int::from(c & 1)), "nodelay");
                    ok(ruv_tcp_keepalive(h, c_int::from(c & 2), u32::from(c >> 4)), "keepalive");
                    ok(ruv_tcp_simultaneous_accepts(h, c_int::from(c & 4)), "simultaneous_accepts");
                });
            }
            // queries
            17 => {
                let h = pick(s, a);
                call(|| {
                    let mut fd: c_int = -7;
                    let r = ok(ruv_tcp_fileno(h, &mut fd), "fileno");
                    assert!(r == 0 || fd == -7, "out-param written on failure");
                    let mut fam: c_int = -7;
                    let r = ok(ruv_tcp_family(h, &mut fam), "family");
                    assert!(r == 0 || fam == -7, "out-param written on failure");
                    // SAFETY: all-zero is a valid sockaddr_storage.
                    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
                    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as c_int;
                    ok(ruv_tcp_getpeername(h, ptr::addr_of_mut!(ss).cast(), &mut len), "getpeername");
                    ok(ruv_tcp_readable(h), "readable");
                    ok(ruv_tcp_writable(h), "writable");
                    ok(ruv_is_active(hp(h)), "is_active");
                    ok(ruv_has_ref(hp(h)), "has_ref");
                    std::hint::black_box(ruv_tcp_write_queue_size(h));
                });
            }
            // ref / unref
            18 => {
                let h = pick(s, a);
                call(|| {
                    if a & 0x40 != 0 {
                        ruv_unref(hp(h))
                    } else {
                        ruv_ref(hp(h))
                    }
                });
            }
            // stop + run
            _ => {
                ruv_stop(loop_);
                let r = run_mode(loop_, RUN_NOWAIT);
                // A stop before ruv_run makes it return non-zero at once.
                assert_ne!(r, 0, "ruv_run after ruv_stop must report alive");
            }
        }
    }
}

fn finish() {
    let loop_ = st().loop_;
    st().finishing = true;
    call(|| close_everything(true));
    let mut rounds = 0;
    while ruv_loop_alive(loop_) == 1 {
        run_mode(loop_, RUN_NOWAIT);
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
        assert!(rec.close_cbs == 1 || rec.silent_close && rec.close_cbs == 0, "close callback count");
        assert_eq!(rec.connects_pending, 0, "connect callback missing");
        assert_eq!(rec.writes_done, rec.writes_issued, "write callback missing");
        assert!(!rec.shutdown_pending, "shutdown callback missing");
    }
    assert_eq!(ruv_loop_close(loop_), 0, "loop not closable at the end");
}

fn init_refused_port() -> u16 {
    // A port with no listener: bind an ephemeral port, read it, close it.
    // SAFETY: plain socket calls on our own descriptor.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let ss = loopback(false, 0);
        assert_eq!(
            libc::bind(fd, ptr::addr_of!(ss).cast(), std::mem::size_of::<libc::sockaddr_in>() as u32),
            0
        );
        let mut out: libc::sockaddr_in = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        libc::getsockname(fd, ptr::addr_of_mut!(out).cast(), &mut len);
        libc::close(fd);
        u16::from_be(out.sin_port)
    }
}

fuzz_target!(|data: &[u8]| {
    thread_local! {
        static REFUSED: u16 = init_refused_port();
    }
    // A reset peer must never raise SIGPIPE (MSG_NOSIGNAL): SIGPIPE keeps its default action.
    let mut loop_: *mut ruv_loop_t = ptr::null_mut();
    assert_eq!(ruv_loop_new(&mut loop_), 0);
    let mut state = Box::new(State {
        loop_,
        slots: [ptr::null_mut(); SLOTS],
        recs: Vec::new(),
        dead: Vec::new(),
        in_call: false,
        finishing: false,
        refused_port: REFUSED.with(|p| *p),
        payload: payload(),
        budget: WRITE_BUDGET,
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
    drop(state);
    // Every socket and epoll instance the input made must be closed now. (Other descriptors
    // are not counted: the sanitizer runtime opens pipes and /dev/null for its symbolizer.)
    let left = ruv_descriptors();
    assert!(left.is_empty(), "descriptor leak: {left:?}");
});

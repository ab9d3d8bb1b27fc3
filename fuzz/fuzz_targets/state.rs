//! The fuzz target's state: constants, per-handle records, the input reader and small helpers.

use std::cell::Cell;
use std::os::raw::c_int;
use std::ptr;

use ruv::ffi::addr::{ruv_ip4_addr, ruv_ip6_addr};
use ruv::ffi::handle::ruv_handle_get_data;
use ruv::ffi::tcp::ruv_tcp_getsockname;
use ruv::ffi::types::{ruv_handle_t, ruv_loop_t, ruv_run_mode, ruv_tcp_t};

/// Handles an input can hold at once.
pub const SLOTS: usize = 8;
/// Operations read from one input.
pub const MAX_OPS: usize = 96;
/// `RUV_RUN_NOWAIT`.
pub const RUN_NOWAIT: ruv_run_mode = ruv_run_mode(2);
/// `RUV_RUN_ONCE`.
pub const RUN_ONCE: ruv_run_mode = ruv_run_mode(1);
/// `RUV_RUN_DEFAULT`.
pub const RUN_DEFAULT: ruv_run_mode = ruv_run_mode(0);

/// `RUV_EPANIC`: a Rust panic caught at the boundary.
pub const EPANIC: c_int = -4093;
/// `RUV_EOF`.
pub const EOF: c_int = -4095;
/// `RUV_EINVAL`.
pub const EINVAL: c_int = -libc::EINVAL;
/// `RUV_EBUSY`.
pub const EBUSY: c_int = -libc::EBUSY;
/// `RUV_ECANCELED`.
pub const ECANCELED: c_int = -libc::ECANCELED;
/// `RUV_EAGAIN`.
pub const EAGAIN: c_int = -libc::EAGAIN;

/// What a handle's callbacks do besides checking invariants.
#[derive(Clone, Copy, Default)]
pub struct Action {
    /// 0 nothing, 1 close self, 2 close `target`, 3 write on self, 4 shutdown self,
    /// 5 stop_read on self, 6 nested run + loop_close (both must be EBUSY), 7 close every handle.
    pub what: u8,
    pub target: u8,
    /// Which callbacks act: bit 0 connection, 1 connect, 2 read data, 3 read EOF/error, 4 write,
    /// 5 shutdown, 6 close.
    pub when: u8,
}

/// Per-handle bookkeeping; reached from callbacks through the handle's data pointer.
#[derive(Default)]
pub struct Rec {
    /// The slot the handle was created in.
    pub slot: usize,
    /// The handle's address.
    pub handle: usize,
    /// `ruv_close` returned 0.
    pub close_called: bool,
    /// Closed without a close callback.
    pub silent_close: bool,
    /// Close callbacks received (0 or 1).
    pub close_cbs: u32,
    /// 1 from a connect that returned 0 until its callback.
    pub connects_pending: u32,
    /// Writes with a callback that returned 0.
    pub writes_issued: u64,
    /// Their callbacks received.
    pub writes_done: u64,
    /// The first write callback status that was not 0, other than the cancellations of a
    /// failed connect: every later one must equal it (§3.2: the writes queued behind a failed
    /// write get its error; a close cancels the rest).
    pub write_error: Option<c_int>,
    /// A connect callback reported an error (queued writes are then cancelled).
    pub connect_failed: bool,
    /// The writes issued before a connect failed (sequence numbers below this) were queued on
    /// the connecting handle and are cancelled with it; they are not failed writes (the handle
    /// may connect again and write).
    pub cancelled_below: u64,
    /// A shutdown returned 0 and its callback has not run.
    pub shutdown_pending: bool,
    /// A shutdown returned 0 (the handle is no longer writable: §3.6).
    pub shut: bool,
    /// Writes issued before the pending shutdown.
    pub writes_before_shutdown: u64,
    /// Reading: start_read returned 0 and neither stop_read, EOF, an error nor close followed.
    pub reading: bool,
    /// The read callback delivered RUV_EOF.
    pub eof: bool,
    /// Listening (listen returned 0).
    pub listener: bool,
    /// A listener announced a connection (`connection_cb(server, 0)`) not yet accepted (§3.4:
    /// not accepting pauses accepting, so no second announcement comes before an accept).
    pub pending_conn: bool,
    /// `ruv_unref` was the last of ref/unref called on it.
    pub unref: bool,
    /// The listener's port.
    pub port: u16,
    /// 0 accept at once, 1 never accept in the callback, 2 accept and close at once.
    pub accept_mode: u8,
    /// What its callbacks do.
    pub action: Action,
}

/// Everything one input works on.
pub struct State {
    /// The input's loop.
    pub loop_: *mut ruv_loop_t,
    /// Live or closing handles (a slot is emptied by the close callback).
    pub slots: [*mut ruv_tcp_t; SLOTS],
    /// One record per handle ever created, pointed to by the handle's data.
    #[allow(clippy::vec_box)] // boxed: each record's address is a handle's data pointer
    pub recs: Vec<Box<Rec>>,
    /// Handles whose close callback ran (their pointers must stay safe to pass: RUV_EINVAL).
    pub dead: Vec<*mut ruv_tcp_t>,
    /// Set around every top-level API call except ruv_run: a callback seeing it is a violation.
    pub in_call: bool,
    /// Callbacks run so far (a stop before ruv_run must let none run).
    pub callbacks: u64,
    /// The end of the input: callbacks only close.
    pub finishing: bool,
    /// A loopback port nothing listens on.
    pub refused_port: u16,
    /// Bytes to write.
    pub payload: &'static [u8],
    /// Bytes this input may still offer to write/try_write. The budget keeps every input cheap
    /// (an evolved corpus otherwise drifts towards inputs that move tens of megabytes and run
    /// at a fifth of the speed) while still allowing writes larger than the socket buffers.
    pub budget: usize,
    /// The current operation calls the `ruv_*` stream twins rather than `ruv_tcp_*` (§8).
    pub via_stream: bool,
}

/// Bytes one input may offer to write in total (see `State::budget`).
pub const WRITE_BUDGET: usize = 4 << 20;

/// Takes up to `len` bytes (at least 1) from the input's write budget.
pub fn take_budget(s: &mut State, len: usize) -> usize {
    let len = len.min(s.payload.len()).min(s.budget).max(1);
    s.budget = s.budget.saturating_sub(len);
    len
}

/// Bytes to write, made once.
pub fn payload() -> &'static [u8] {
    static P: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        (0..(2usize << 20))
            .map(|i| ((i * 131) ^ (i >> 9)) as u8)
            .collect()
    })
}

/// A TCP pointer as the generic handle pointer (what RUV_HANDLE does in C).
pub fn hp(h: *const ruv_tcp_t) -> *mut ruv_handle_t {
    h.cast_mut().cast()
}

thread_local! {
    /// The current input's state, for callbacks.
    pub static STATE: Cell<*mut State> = const { Cell::new(ptr::null_mut()) };
}

/// The current input's state (only this thread touches it).
pub fn st() -> &'static mut State {
    let p = STATE.with(|s| s.get());
    assert!(!p.is_null(), "callback outside an input");
    // SAFETY: the state lives for the whole input and only this thread touches it; callbacks run
    // from ruv_run while the interpreter holds no reference into it (see `run`).
    unsafe { &mut *p }
}

/// Checks an API return value: never RUV_EPANIC, never below the error range.
pub fn ok(code: c_int, what: &str) -> c_int {
    assert_ne!(code, EPANIC, "{what} returned RUV_EPANIC (a Rust panic)");
    assert!(code >= -4095, "{what} returned {code}");
    code
}

/// A top-level (non-run) API call: callbacks must not run inside it.
pub fn call<R>(f: impl FnOnce() -> R) -> R {
    let s = st();
    let was = s.in_call;
    s.in_call = true;
    let r = f();
    st().in_call = was;
    r
}

/// The record of a handle that has not had its close callback.
pub fn rec_of(h: *const ruv_tcp_t) -> &'static mut Rec {
    let d = ruv_handle_get_data(hp(h));
    assert!(
        !d.is_null(),
        "callback on a handle whose close callback already ran"
    );
    // SAFETY: the data pointer is a Box<Rec> kept in State::recs for the whole input.
    let r = unsafe { &mut *d.cast::<Rec>() };
    assert_eq!(r.close_cbs, 0, "callback after the close callback");
    r
}

/// Whether `h` is NULL, closing, or a handle whose close callback ran: every call on it must
/// fail (§3.5: RUV_EINVAL on a closing handle; §3.10 and §11: NULL and dead pointers are caught).
pub fn gone_or_closing(h: *const ruv_tcp_t) -> bool {
    let d = ruv_handle_get_data(hp(h));
    // SAFETY: see rec_of (a dead or NULL pointer has no data).
    d.is_null() || unsafe { (*d.cast::<Rec>()).close_called }
}

/// Asserts that a call on a closing, dead or NULL handle returned `code`.
pub fn expect_closed(h: *const ruv_tcp_t, r: c_int, code: c_int, what: &str) {
    if gone_or_closing(h) {
        let d = ruv_handle_get_data(hp(h));
        // NULL and dead pointers are RUV_EINVAL whatever a closing handle returns.
        let code = if d.is_null() { EINVAL } else { code };
        assert_eq!(r, code, "{what} on a closing, closed or NULL handle");
    }
}

/// Entry of every callback: not inside an API call, not after the close callback.
pub fn enter_cb(h: *const ruv_tcp_t) -> &'static mut Rec {
    assert!(!st().in_call, "callback ran inside an API call");
    st().callbacks += 1;
    rec_of(h)
}

/// 127.0.0.1 or ::1 with `port`.
pub fn loopback(v6: bool, port: u16) -> libc::sockaddr_storage {
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    if v6 {
        let r = ruv_ip6_addr(
            c"::1".as_ptr(),
            c_int::from(port),
            ptr::addr_of_mut!(ss).cast(),
        );
        assert_eq!(r, 0);
    } else {
        let r = ruv_ip4_addr(
            c"127.0.0.1".as_ptr(),
            c_int::from(port),
            ptr::addr_of_mut!(ss).cast(),
        );
        assert_eq!(r, 0);
    }
    ss
}

/// The port a handle is bound to.
pub fn local_port(h: *const ruv_tcp_t) -> Option<u16> {
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
pub fn ruv_descriptors() -> Vec<String> {
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

/// The input being read as a program.
pub struct Input<'a> {
    /// The bytes.
    pub data: &'a [u8],
    /// The next byte's index.
    pub pos: usize,
}

impl Input<'_> {
    /// The next byte, or None at the end of the input.
    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    /// The next byte, or 0 at the end of the input.
    pub fn b(&mut self) -> u8 {
        self.byte().unwrap_or(0)
    }
}

/// A slot holding a handle (live, closing, or — rarely — the pointer of a dead one).
pub fn pick(s: &State, b: u8) -> *mut ruv_tcp_t {
    // Mostly live or closing handles; 1 in 32 picks is the pointer of a handle whose close
    // callback already ran (the library must catch it: RUV_EINVAL), or NULL when none; 1 in 32
    // one closed by an earlier input, maybe on a loop that is closed too (§11).
    let i = b as usize % 32;
    if i == 31 {
        return s.dead.last().copied().unwrap_or(ptr::null_mut());
    }
    if i == 30 {
        return crate::stale::stale_handle(b / 32);
    }
    s.slots[i % SLOTS]
}

/// A loopback port with no listener.
pub fn init_refused_port() -> u16 {
    // A port with no listener: bind an ephemeral port, read it, close it.
    // SAFETY: plain socket calls on our own descriptor.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let ss = loopback(false, 0);
        assert_eq!(
            libc::bind(
                fd,
                ptr::addr_of!(ss).cast(),
                std::mem::size_of::<libc::sockaddr_in>() as u32
            ),
            0
        );
        let mut out: libc::sockaddr_in = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        libc::getsockname(fd, ptr::addr_of_mut!(out).cast(), &mut len);
        libc::close(fd);
        u16::from_be(out.sin_port)
    }
}

//! One pipe handle kind in the fuzz target (DESIGN §8), inside a single operation so that its
//! invariants stay exact: a pipe bound to an abstract name unique to the process and input,
//! listened on, checked against TCP and pipe rules, and closed before the operation returns.

use std::cell::Cell;
use std::os::raw::{c_char, c_int};

use ruv::ffi::handle::{ruv_close, ruv_handle_set_data, ruv_is_active};
use ruv::ffi::pipe::{
    ruv_pipe_bind, ruv_pipe_chmod, ruv_pipe_getpeername, ruv_pipe_getsockname, ruv_pipe_new,
};
use ruv::ffi::stream::{ruv_accept, ruv_listen};
use ruv::ffi::tcp::{ruv_tcp_start_read, ruv_tcp_stop_read};
use ruv::ffi::types::{ruv_pipe_t, ruv_stream_t, ruv_tcp_t};

use crate::callbacks::read_cb;
use crate::state::*;

thread_local! {
    static NAMES: Cell<u64> = const { Cell::new(0) };
}

unsafe extern "C" fn no_connection_cb(_: *mut ruv_stream_t, _: c_int) {
    panic!("a connection to a pipe name nobody else knows");
}

/// Creates, binds, listens on and closes a pipe; `tcp` is a slot's handle (maybe NULL or dead).
pub fn pipe_probe(tcp: *mut ruv_tcp_t) {
    let loop_ = st().loop_;
    let sentinel = 0x5a5a_usize as *mut ruv_pipe_t;
    let mut p = sentinel;
    assert_eq!(
        ok(ruv_pipe_new(loop_, 1, &mut p), "pipe_new"),
        -libc::ENOTSUP,
        "ipc pipe"
    );
    assert_eq!(p, sentinel, "pipe_new wrote its out-param on failure");
    assert_eq!(
        ok(ruv_pipe_new(loop_, 0, &mut p), "pipe_new"),
        0,
        "pipe_new"
    );
    let n = NAMES.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let name = format!("\0ruv-fuzz-{}-{n}", std::process::id());
    let (nm, nl) = (name.as_ptr().cast::<c_char>(), name.len());
    let mut buf = [0 as c_char; 64];
    let mut len = buf.len();
    assert_eq!(ruv_pipe_getsockname(p, buf.as_mut_ptr(), &mut len), 0);
    assert_eq!(len, 0, "getsockname of an unbound pipe");
    assert_eq!(
        ok(ruv_pipe_bind(p, nm, nl), "pipe_bind"),
        0,
        "bind to a fresh name"
    );
    assert_eq!(ruv_pipe_bind(p, nm, nl), EINVAL, "a second bind");
    assert_eq!(ruv_pipe_chmod(p, 1), EINVAL, "chmod of an abstract name");
    len = buf.len();
    assert_eq!(ruv_pipe_getsockname(p, buf.as_mut_ptr(), &mut len), 0);
    // SAFETY: getsockname wrote `len` bytes into `buf`.
    let got = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), len) };
    assert_eq!(got, name.as_bytes(), "getsockname of a bound pipe");
    len = buf.len();
    assert_eq!(
        ruv_pipe_getpeername(p, buf.as_mut_ptr(), &mut len),
        -libc::ENOTCONN
    );
    let ps: *mut ruv_stream_t = p.cast();
    assert_eq!(ok(ruv_listen(ps, 4, Some(no_connection_cb)), "listen"), 0);
    assert_eq!(ruv_is_active(ps.cast()), 1, "a listening pipe is active");
    // Wrong kinds (§8): TCP calls on the pipe, accept across kinds (either way round).
    assert_eq!(ruv_tcp_start_read(p.cast(), Some(read_cb)), EINVAL);
    assert_eq!(ruv_tcp_stop_read(p.cast()), EINVAL);
    assert_eq!(ok(ruv_accept(ps, tcp.cast()), "accept"), EINVAL);
    assert_eq!(ok(ruv_accept(tcp.cast(), ps), "accept"), EINVAL);
    // Closed without a callback: the model counts it as closing until the loop frees it.
    let s = st();
    let mut rec = Box::<Rec>::default();
    rec.slot = usize::MAX;
    rec.handle = p as usize;
    rec.close_called = true;
    rec.silent_close = true;
    ruv_handle_set_data(ps.cast(), (&mut *rec as *mut Rec).cast());
    s.recs.push(rec);
    assert_eq!(ruv_close(ps.cast(), None), 0, "close of a pipe");
    assert_eq!(ruv_is_active(ps.cast()), 0, "active after close");
}

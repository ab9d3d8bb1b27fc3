//! DESIGN §8 in the fuzz target: every stream call on a TCP handle goes either through its
//! `ruv_tcp_*` function or through its `ruv_*` stream twin (`RUV_STREAM(tcp)`), as the current
//! operation says (`State::via_stream`), against the same model; queries compare the two kinds
//! directly; `ruv_pipe_*` / `ruv_udp_*` calls on a TCP handle are wrong-kind calls (RUV_EINVAL).

use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use ruv::ffi::fileno::ruv_fileno;
use ruv::ffi::handle::{ruv_has_ref, ruv_is_active};
use ruv::ffi::pipe::{ruv_pipe_bind, ruv_pipe_chmod, ruv_pipe_connect, ruv_pipe_getsockname};
use ruv::ffi::stream::{ruv_read_start, ruv_read_stop, ruv_shutdown, ruv_write};
use ruv::ffi::stream_state::{ruv_is_readable, ruv_is_writable, ruv_stream_get_write_queue_size};
use ruv::ffi::tcp::{
    ruv_tcp_family, ruv_tcp_fileno, ruv_tcp_getpeername, ruv_tcp_readable, ruv_tcp_shutdown,
    ruv_tcp_start_read, ruv_tcp_stop_read, ruv_tcp_writable, ruv_tcp_write,
    ruv_tcp_write_queue_size,
};
use ruv::ffi::types::{ruv_buf_t, ruv_pipe_t, ruv_stream_t, ruv_tcp_t, ruv_udp_t};
use ruv::ffi::udp::{
    ruv_udp_bind, ruv_udp_get_send_queue_size, ruv_udp_recv_start, ruv_udp_recv_stop, ruv_udp_send,
};
use ruv::ffi::udp_options::ruv_udp_set_ttl;

use crate::callbacks::{read_cb, shutdown_cb, write_cb};
use crate::state::*;

/// `RUV_STREAM(h)`.
fn sp(h: *const ruv_tcp_t) -> *mut ruv_stream_t {
    h.cast_mut().cast()
}

unsafe extern "C" fn stream_read_cb(s: *mut ruv_stream_t, nread: libc::ssize_t, d: *const c_char) {
    // SAFETY: the stream is one of the target's TCP handles; read_cb checks it.
    unsafe { read_cb(s.cast(), nread, d) }
}

unsafe extern "C" fn stream_write_cb(s: *mut ruv_stream_t, status: c_int, arg: *mut c_void) {
    // SAFETY: as stream_read_cb.
    unsafe { write_cb(s.cast(), status, arg) }
}

unsafe extern "C" fn stream_shutdown_cb(s: *mut ruv_stream_t, status: c_int) {
    // SAFETY: as stream_read_cb.
    unsafe { shutdown_cb(s.cast(), status) }
}

/// `ruv_tcp_start_read(h, read_cb)` or `ruv_read_start`.
pub fn start_read(h: *mut ruv_tcp_t) -> c_int {
    if st().via_stream {
        ruv_read_start(sp(h), Some(stream_read_cb))
    } else {
        ruv_tcp_start_read(h, Some(read_cb))
    }
}

/// `ruv_tcp_stop_read(h)` or `ruv_read_stop`.
pub fn stop_read(h: *mut ruv_tcp_t) -> c_int {
    if st().via_stream {
        ruv_read_stop(sp(h))
    } else {
        ruv_tcp_stop_read(h)
    }
}

/// `ruv_tcp_write` (with `write_cb` or none) or `ruv_write`.
pub fn write(h: *mut ruv_tcp_t, bufs: &[ruv_buf_t], with_cb: bool, arg: *mut c_void) -> c_int {
    if st().via_stream {
        let cb = if with_cb {
            Some(stream_write_cb as _)
        } else {
            None
        };
        ruv_write(sp(h), bufs.as_ptr(), bufs.len(), cb, arg)
    } else {
        let cb = if with_cb { Some(write_cb as _) } else { None };
        ruv_tcp_write(h, bufs.as_ptr(), bufs.len(), cb, arg)
    }
}

/// `ruv_tcp_shutdown(h, shutdown_cb)` or `ruv_shutdown`.
pub fn shutdown(h: *mut ruv_tcp_t) -> c_int {
    if st().via_stream {
        ruv_shutdown(sp(h), Some(stream_shutdown_cb))
    } else {
        ruv_tcp_shutdown(h, Some(shutdown_cb))
    }
}

/// The query op: fileno, family, getpeername, is_active, has_ref (any result but RUV_EPANIC; no
/// out-param written on failure), and the stream twins' queries.
pub fn queries(h: *mut ruv_tcp_t) {
    let mut fd: c_int = -7;
    let r = ok(ruv_tcp_fileno(h, &mut fd), "fileno");
    assert!(r == 0 || fd == -7, "out-param written on failure");
    expect_closed(h, r, -libc::EBADF, "fileno");
    let mut fam: c_int = -7;
    let r = ok(ruv_tcp_family(h, &mut fam), "family");
    assert!(r == 0 || fam == -7, "out-param written on failure");
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as c_int;
    ok(
        ruv_tcp_getpeername(h, ptr::addr_of_mut!(ss).cast(), &mut len),
        "getpeername",
    );
    check_query_twins(h);
    ok(ruv_is_active(hp(h)), "is_active");
    ok(ruv_has_ref(hp(h)), "has_ref");
}

/// §8: each query of a TCP handle gives exactly what its stream twin gives.
fn check_query_twins(h: *mut ruv_tcp_t) {
    let r = ok(ruv_tcp_readable(h), "readable");
    assert_eq!(
        r,
        ok(ruv_is_readable(sp(h)), "ruv_is_readable"),
        "is_readable twin"
    );
    let r = ok(ruv_tcp_writable(h), "writable");
    assert_eq!(
        r,
        ok(ruv_is_writable(sp(h)), "ruv_is_writable"),
        "is_writable twin"
    );
    assert_eq!(
        ruv_tcp_write_queue_size(h),
        ruv_stream_get_write_queue_size(sp(h)),
        "write queue size twin"
    );
    let (mut fd1, mut fd2): (c_int, c_int) = (-7, -7);
    let r1 = ok(ruv_tcp_fileno(h, &mut fd1), "fileno");
    let r2 = ok(ruv_fileno(hp(h), &mut fd2), "ruv_fileno");
    assert_eq!((r1, fd1), (r2, fd2), "ruv_fileno twin");
    expect_closed(h, r2, -libc::EBADF, "ruv_fileno");
}

unsafe extern "C" fn never_stream_cb(_: *mut ruv_stream_t, _: c_int) {
    panic!("callback of a call that failed");
}

unsafe extern "C" fn never_send_cb(_: *mut ruv_udp_t, _: c_int, _: *mut c_void) {
    panic!("callback of a call that failed");
}

unsafe extern "C" fn never_recv_cb(
    _: *mut ruv_udp_t,
    _: libc::ssize_t,
    _: *const c_char,
    _: *const libc::sockaddr,
    _: u32,
) {
    panic!("callback of a call that failed");
}

/// §8/§3.10: `ruv_pipe_*` and `ruv_udp_*` on a TCP handle (or a closing, dead or NULL pointer)
/// are wrong-kind calls: RUV_EINVAL (the send queue size: 0), and nothing changes.
pub fn wrong_kind_calls(h: *mut ruv_tcp_t, c: u8) {
    let p: *mut ruv_pipe_t = h.cast();
    let u: *mut ruv_udp_t = h.cast();
    let name = b"\0ruv-fuzz-wrong-kind";
    let ss = loopback(c & 1 != 0, st().refused_port);
    let addr = ptr::addr_of!(ss).cast::<libc::sockaddr>();
    let buf = ruv_buf_t {
        base: name.as_ptr().cast(),
        len: name.len(),
    };
    let mut out = [0 as c_char; 8];
    let mut len = out.len();
    let results = [
        ruv_pipe_bind(p, name.as_ptr().cast(), name.len()),
        ruv_pipe_connect(p, name.as_ptr().cast(), name.len(), Some(never_stream_cb)),
        ruv_pipe_getsockname(p, out.as_mut_ptr(), &mut len),
        ruv_pipe_chmod(p, 1),
        ruv_udp_bind(u, addr, 0),
        ruv_udp_send(u, &buf, 1, addr, Some(never_send_cb), ptr::null_mut()),
        ruv_udp_recv_start(u, Some(never_recv_cb)),
        ruv_udp_recv_stop(u),
        ruv_udp_set_ttl(u, 5),
    ];
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(
            ok(r, "wrong-kind call"),
            EINVAL,
            "wrong-kind call {i} on a TCP handle"
        );
    }
    assert_eq!(len, out.len(), "out-param written by a wrong-kind call");
    assert_eq!(
        ruv_udp_get_send_queue_size(u),
        0,
        "udp queue size of a TCP handle"
    );
}

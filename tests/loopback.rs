//! End-to-end tests of the C ABI from Rust, over loopback sockets with kernel-chosen ports.

use std::cell::RefCell;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use ruv::core::error as codes;
use ruv::ffi::addr::*;
use ruv::ffi::handle::*;
use ruv::ffi::loop_api::*;
use ruv::ffi::tcp::*;
use ruv::ffi::types::*;

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static RECEIVED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn log(s: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(s.into()));
}

fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

fn new_loop() -> *mut ruv_loop_t {
    let mut l = ptr::null_mut();
    assert_eq!(ruv_loop_new(&mut l), 0);
    l
}

fn tcp(l: *mut ruv_loop_t, family: c_int) -> *mut ruv_tcp_t {
    let mut t = ptr::null_mut();
    assert_eq!(ruv_tcp_new(l, family, &mut t), 0);
    t
}

/// A listener on 127.0.0.1 with a kernel-chosen port, and that address.
fn listener(l: *mut ruv_loop_t, cb: ruv_connection_cb) -> (*mut ruv_tcp_t, libc::sockaddr_in) {
    let server = tcp(l, libc::AF_INET);
    // SAFETY: sockaddr_in is plain old data; all-zero is a valid value.
    let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    assert_eq!(ruv_ip4_addr(c"127.0.0.1".as_ptr(), 0, &mut addr), 0);
    assert_eq!(ruv_tcp_bind(server, ptr::addr_of!(addr).cast(), 0), 0);
    assert_eq!(ruv_tcp_listen(server, 0, cb), 0);
    let mut len = std::mem::size_of::<libc::sockaddr_in>() as c_int;
    assert_eq!(
        ruv_tcp_getsockname(server, ptr::addr_of_mut!(addr).cast(), &mut len),
        0
    );
    (server, addr)
}

unsafe extern "C" fn on_close(h: *mut ruv_handle_t) {
    let name = ruv_handle_get_data(h) as usize;
    log(format!("close{name}"));
}

unsafe extern "C" fn echo_read(t: *mut ruv_tcp_t, n: libc::ssize_t, data: *const c_char) {
    if n < 0 {
        ruv_close(t.cast(), Some(on_close));
        return;
    }
    let buf = ruv_buf_t {
        base: data,
        len: n as usize,
    };
    assert_eq!(ruv_tcp_write(t, &buf, 1, None, ptr::null_mut()), 0);
}

unsafe extern "C" fn accept_echo(server: *mut ruv_tcp_t, status: c_int) {
    assert_eq!(status, 0);
    let client = tcp(ruv_handle_get_loop(server.cast()), libc::AF_UNSPEC);
    ruv_handle_set_data(client.cast(), 9 as *mut c_void);
    assert_eq!(ruv_tcp_accept(server, client), 0);
    assert_eq!(ruv_tcp_start_read(client, Some(echo_read)), 0);
    ruv_close(server.cast(), Some(on_close));
}

unsafe extern "C" fn collect_read(t: *mut ruv_tcp_t, n: libc::ssize_t, data: *const c_char) {
    if n < 0 {
        log(format!("read{n}"));
        ruv_close(t.cast(), Some(on_close));
        return;
    }
    // SAFETY: `data` holds `n` bytes during the callback.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), n as usize) };
    RECEIVED.with(|r| r.borrow_mut().extend_from_slice(bytes));
}

unsafe extern "C" fn on_write(_t: *mut ruv_tcp_t, status: c_int, arg: *mut c_void) {
    log(format!("write{}:{status}", arg as usize));
}

unsafe extern "C" fn on_shutdown(t: *mut ruv_tcp_t, status: c_int) {
    assert_eq!(ruv_tcp_write_queue_size(t), 0);
    log(format!("shutdown:{status}"));
}

unsafe extern "C" fn connect_and_send(t: *mut ruv_tcp_t, status: c_int) {
    log(format!("connect:{status}"));
    assert_eq!(ruv_tcp_start_read(t, Some(collect_read)), 0);
}

#[test]
fn echo_with_writes_queued_before_connect_and_shutdown() {
    let l = new_loop();
    let (_server, addr) = listener(l, Some(accept_echo));
    let client = tcp(l, libc::AF_UNSPEC);
    ruv_handle_set_data(client.cast(), 1 as *mut c_void);
    assert_eq!(
        ruv_tcp_connect(client, ptr::addr_of!(addr).cast(), Some(connect_and_send)),
        0
    );
    // Queued while connecting; the buffers may be reused at once.
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    for (i, chunk) in payload.chunks(50_000).enumerate() {
        let mut copy = chunk.to_vec();
        let buf = ruv_buf_t {
            base: copy.as_ptr().cast(),
            len: copy.len(),
        };
        assert_eq!(
            ruv_tcp_write(client, &buf, 1, Some(on_write), i as *mut c_void),
            0
        );
        copy.fill(0);
    }
    assert_eq!(ruv_tcp_write_queue_size(client), payload.len());
    assert_eq!(ruv_tcp_shutdown(client, Some(on_shutdown)), 0);
    assert_eq!(ruv_tcp_shutdown(client, None), codes::ENOTCONN);
    let buf = ruv_buf_t {
        base: c"x".as_ptr(),
        len: 1,
    };
    assert_eq!(
        ruv_tcp_write(client, &buf, 1, None, ptr::null_mut()),
        codes::EPIPE
    );
    assert!(take_log().is_empty(), "no callback from inside a call");
    assert_eq!(ruv_run(l, ruv_run_mode(0)), 0);
    let log = take_log();
    let pos = |s: &str| {
        log.iter()
            .position(|e| e == s)
            .unwrap_or_else(|| panic!("{s} in {log:?}"))
    };
    assert!(pos("connect:0") < pos("write0:0"));
    assert!(pos("write0:0") < pos("write1:0") && pos("write3:0") < pos("shutdown:0"));
    assert!(pos("shutdown:0") < pos("read-4095") && pos("read-4095") < pos("close1"));
    assert_eq!(
        RECEIVED.with(|r| std::mem::take(&mut *r.borrow_mut())),
        payload
    );
    assert_eq!(ruv_loop_close(l), 0);
}

unsafe extern "C" fn expect_refused(t: *mut ruv_tcp_t, status: c_int) {
    log(format!("connect:{status}"));
    ruv_close(t.cast(), Some(on_close));
}

#[test]
fn refused_connect_is_reported_from_the_loop() {
    let l = new_loop();
    // Find a port nobody listens on: bind a socket, note the port, close it.
    let probe = tcp(l, libc::AF_INET);
    // SAFETY: all-zero sockaddr_in is valid.
    let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    assert_eq!(ruv_ip4_addr(c"127.0.0.1".as_ptr(), 0, &mut addr), 0);
    assert_eq!(ruv_tcp_bind(probe, ptr::addr_of!(addr).cast(), 0), 0);
    let mut len = std::mem::size_of::<libc::sockaddr_in>() as c_int;
    assert_eq!(
        ruv_tcp_getsockname(probe, ptr::addr_of_mut!(addr).cast(), &mut len),
        0
    );
    assert_eq!(ruv_close(probe.cast(), None), 0);
    assert_eq!(ruv_close(probe.cast(), None), codes::EINVAL);
    let client = tcp(l, libc::AF_UNSPEC);
    ruv_handle_set_data(client.cast(), 2 as *mut c_void);
    assert_eq!(
        ruv_tcp_connect(client, ptr::addr_of!(addr).cast(), Some(expect_refused)),
        0
    );
    assert!(take_log().is_empty());
    assert_eq!(ruv_run(l, ruv_run_mode(0)), 0);
    assert_eq!(
        take_log(),
        vec![format!("connect:{}", codes::ECONNREFUSED), "close2".into()]
    );
    assert_eq!(ruv_loop_close(l), 0);
}

unsafe extern "C" fn never_called(_t: *mut ruv_tcp_t, _status: c_int) {
    log("connection");
}

unsafe extern "C" fn log_connect(_t: *mut ruv_tcp_t, status: c_int) {
    log(format!("connect:{status}"));
}

#[test]
fn close_cancels_pending_requests_in_order() {
    let l = new_loop();
    let (server, addr) = listener(l, Some(never_called));
    let client = tcp(l, libc::AF_UNSPEC);
    ruv_handle_set_data(client.cast(), 3 as *mut c_void);
    assert_eq!(
        ruv_tcp_connect(client, ptr::addr_of!(addr).cast(), Some(log_connect)),
        0
    );
    let buf = ruv_buf_t {
        base: c"abc".as_ptr(),
        len: 3,
    };
    assert_eq!(
        ruv_tcp_write(client, &buf, 1, Some(on_write), 1 as *mut c_void),
        0
    );
    assert_eq!(
        ruv_tcp_write(client, &buf, 1, Some(on_write), 2 as *mut c_void),
        0
    );
    assert_eq!(ruv_tcp_shutdown(client, Some(on_shutdown)), 0);
    assert_eq!(ruv_close(client.cast(), Some(on_close)), 0);
    assert_eq!(ruv_is_closing(client.cast()), 1);
    assert_eq!(
        ruv_tcp_start_read(client, Some(collect_read)),
        codes::EINVAL
    );
    let mut fd = 0;
    assert_eq!(ruv_tcp_fileno(client, &mut fd), codes::EBADF);
    ruv_handle_set_data(server.cast(), 4 as *mut c_void);
    assert_eq!(ruv_close(server.cast(), Some(on_close)), 0);
    assert!(take_log().is_empty());
    assert_eq!(ruv_run(l, ruv_run_mode(0)), 0);
    let c = codes::ECANCELED;
    assert_eq!(
        take_log(),
        vec![
            format!("connect:{c}"),
            format!("write1:{c}"),
            format!("write2:{c}"),
            format!("shutdown:{c}"),
            "close3".to_string(),
            "close4".to_string(),
        ]
    );
    // The handles' close callbacks ran: their pointers are dead, and calls on them are caught.
    assert_eq!(ruv_is_closing(client.cast()), codes::EINVAL);
    assert_eq!(ruv_tcp_write_queue_size(client), 0);
    assert_eq!(ruv_close(server.cast(), None), codes::EINVAL);
    assert_eq!(ruv_loop_close(l), 0);
}

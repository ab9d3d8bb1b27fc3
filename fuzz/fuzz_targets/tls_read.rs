//! Fuzz target `tls_read`: arbitrary bytes from a TLS peer into ruv's TLS read path.
//!
//! A ruv TCP client on one loop connects over loopback to a plain socket this target holds,
//! starts TLS as a client (system roots, name "localhost"), reads, and queues a write and a
//! shutdown. The input is what the "server" sends: chunks (a length byte, then that many
//! bytes), with a run of the loop after each, then an end: a FIN, a reset, or nothing (the
//! client closes). Then every handle is closed and the loop run until it is not alive.
//!
//! Invariants (a violation panics, which libFuzzer reports as a crash):
//! * no API call returns RUV_EPANIC, no crash, no hang (every wait bounded);
//! * the handshake callback runs exactly once, with 0, RUV_ETLS, RUV_ECERT, a socket error
//!   or RUV_ECANCELED (after a close), and no read data or write/shutdown callback comes
//!   before it;
//! * the write and shutdown callbacks run exactly once each, the close callback last;
//! * the loop ends not alive and ruv_loop_close returns 0.
//!
//! Memory leaks are reported by LeakSanitizer (cargo fuzz builds with ASan by default).

#![no_main]

use std::cell::RefCell;
use std::io::Write;
use std::net::TcpListener;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use libfuzzer_sys::fuzz_target;

use ruv::ffi::addr::ruv_ip4_addr;
use ruv::ffi::handle::{ruv_close, ruv_handle_get_data, ruv_handle_set_data};
use ruv::ffi::loop_api::{ruv_loop_alive, ruv_loop_close, ruv_loop_new, ruv_run};
use ruv::ffi::tcp::{
    ruv_tcp_connect, ruv_tcp_new, ruv_tcp_shutdown, ruv_tcp_start_read, ruv_tcp_write,
};
use ruv::ffi::tls::{ruv_tls_config_free, ruv_tls_config_new_client, ruv_tls_start};
use ruv::ffi::types::{ruv_buf_t, ruv_handle_t, ruv_loop_t, ruv_run_mode, ruv_stream_t, ruv_tcp_t};

const RUN_NOWAIT: ruv_run_mode = ruv_run_mode(2);
const RUN_DEFAULT: ruv_run_mode = ruv_run_mode(0);
const EPANIC: c_int = -4093;
const ETLS: c_int = -4092;
const ECERT: c_int = -4091;
const ECANCELED: c_int = -libc::ECANCELED;

/// What the client's callbacks saw, in order.
#[derive(Default)]
struct Seen {
    events: Vec<char>,
    handshake: Vec<c_int>,
    closed: bool,
}

thread_local! {
    static SEEN: RefCell<Seen> = RefCell::new(Seen::default());
}

fn note(c: char) {
    SEEN.with(|s| {
        let mut s = s.borrow_mut();
        assert!(!s.closed, "a callback after the close callback");
        if c != 'H' && c != 'C' {
            assert!(
                !s.handshake.is_empty(),
                "'{c}' before the handshake callback"
            );
        }
        s.events.push(c);
    });
}

unsafe extern "C" fn on_connect(_tcp: *mut ruv_tcp_t, status: c_int) {
    SEEN.with(|s| {
        s.borrow_mut()
            .events
            .push(if status == 0 { 'c' } else { 'x' })
    });
}

unsafe extern "C" fn on_handshake(_s: *mut ruv_stream_t, status: c_int) {
    assert!(
        status == 0
            || status == ETLS
            || status == ECERT
            || status == ECANCELED
            || (-200..0).contains(&status),
        "handshake status {status}"
    );
    SEEN.with(|s| s.borrow_mut().handshake.push(status));
    note('H');
}

unsafe extern "C" fn on_read(_tcp: *mut ruv_tcp_t, nread: libc::ssize_t, _data: *const c_char) {
    assert!(nread != 0, "nread 0");
    note(if nread > 0 { 'r' } else { 'e' });
}

unsafe extern "C" fn on_write(_tcp: *mut ruv_tcp_t, _status: c_int, _arg: *mut c_void) {
    note('W');
}

unsafe extern "C" fn on_shutdown(_tcp: *mut ruv_tcp_t, _status: c_int) {
    note('S');
}

unsafe extern "C" fn on_close(h: *mut ruv_handle_t) {
    note('C');
    SEEN.with(|s| s.borrow_mut().closed = true);
    let _ = ruv_handle_get_data(h);
}

fn ok(rc: c_int) {
    assert_ne!(rc, EPANIC, "a panic was caught at the boundary");
    assert_eq!(rc, 0, "call failed: {rc}");
}

fn run_nowait(l: *mut ruv_loop_t, times: usize) {
    for _ in 0..times {
        assert_ne!(ruv_run(l, RUN_NOWAIT), EPANIC);
    }
}

fuzz_target!(|data: &[u8]| {
    SEEN.with(|s| *s.borrow_mut() = Seen::default());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut l: *mut ruv_loop_t = ptr::null_mut();
    ok(ruv_loop_new(&mut l));
    let mut tcp: *mut ruv_tcp_t = ptr::null_mut();
    ok(ruv_tcp_new(l, libc::AF_INET, &mut tcp));
    // SAFETY: sockaddr_in is plain old data, for which all zeroes is a valid value.
    let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    ok(ruv_ip4_addr(
        c"127.0.0.1".as_ptr(),
        c_int::from(port),
        &mut addr,
    ));
    ok(ruv_tcp_connect(
        tcp,
        ptr::addr_of!(addr).cast(),
        Some(on_connect),
    ));
    let (mut peer, _) = listener.accept().unwrap();
    for _ in 0..1000 {
        run_nowait(l, 1);
        if SEEN.with(|s| !s.borrow().events.is_empty()) {
            break;
        }
    }
    assert_eq!(SEEN.with(|s| s.borrow().events.clone()), vec!['c']);
    SEEN.with(|s| s.borrow_mut().events.clear());
    let mut config = ptr::null_mut();
    ok(ruv_tls_config_new_client(&mut config));
    ok(ruv_tcp_start_read(tcp, Some(on_read)));
    ok(ruv_tls_start(
        tcp.cast(),
        config,
        c"localhost".as_ptr(),
        Some(on_handshake),
    ));
    ruv_tls_config_free(config);
    let buf = ruv_buf_t {
        base: c"ping".as_ptr(),
        len: 4,
    };
    ok(ruv_tcp_write(tcp, &buf, 1, Some(on_write), ptr::null_mut()));
    ok(ruv_tcp_shutdown(tcp, Some(on_shutdown)));
    let (end, mut rest) = data.split_first().map_or((0, &[][..]), |(e, r)| (*e, r));
    peer.set_nonblocking(true).unwrap();
    while let Some((&len, tail)) = rest.split_first() {
        let take = usize::from(len).min(tail.len());
        let _ = peer.write_all(&tail[..take]);
        rest = &tail[take..];
        run_nowait(l, 3);
    }
    let peer = match end % 3 {
        0 => {
            drop(peer.shutdown(std::net::Shutdown::Write));
            Some(peer)
        }
        1 => {
            // SO_LINGER 0, then close: the client sees a reset.
            let s = socket2::Socket::from(peer);
            drop(s.set_linger(Some(std::time::Duration::ZERO)));
            None
        }
        _ => Some(peer),
    };
    run_nowait(l, 20);
    ok(ruv_close(tcp.cast(), Some(on_close)));
    ruv_handle_set_data(tcp.cast(), ptr::null_mut());
    let _ = ruv_run(l, RUN_DEFAULT);
    assert_eq!(ruv_loop_alive(l), 0);
    ok(ruv_loop_close(l));
    drop(peer);
    SEEN.with(|s| {
        let s = s.borrow();
        assert_eq!(s.handshake.len(), 1, "handshake callbacks: {:?}", s.events);
        assert!(s.closed, "no close callback");
        assert_eq!(s.events.iter().filter(|&&c| c == 'W').count(), 1);
        assert_eq!(s.events.iter().filter(|&&c| c == 'S').count(), 1);
        assert_eq!(s.events.last(), Some(&'C'));
    });
});

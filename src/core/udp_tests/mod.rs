//! Tests of the core's UDP handle, driven through real runs of the loop over loopback (kernel-chosen
//! ports only), with the test embedder whose callbacks are tags.

mod queue;

use std::cell::RefCell;
use std::io::IoSlice;
use std::net::SocketAddr;

use crate::core::dispatch::Dispatch;
use crate::core::error::{self as codes, Result};
use crate::core::event_loop::Loop;
use crate::core::handle::HandleType;
use crate::core::handle_table::HandleId;
use crate::core::run::{run, RunMode};
use crate::core::socket::BufferKind;
use crate::core::test_host::Unit;
use crate::core::udp::{RecvResult, JOIN_GROUP, LEAVE_GROUP, UDP_IPV6ONLY, UDP_REUSEADDR};

/// What the callbacks saw, in order.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Sent(usize, i32),
    Datagram(usize, Vec<u8>, SocketAddr, u32),
    RecvError(usize, i32),
    Closed(usize),
}

type Cell = RefCell<Loop<Unit>>;

/// Runs the loop until it is not alive; `react` may act on the loop after each callback.
fn run_all(cell: &Cell, log: &mut Vec<Seen>, mut react: impl FnMut(&Cell, &Seen)) {
    let seen = RefCell::new(Vec::new());
    run(cell, RunMode::Default, |d| {
        let s = match d {
            Dispatch::UdpSend { cb, status, .. } => Seen::Sent(cb, status),
            Dispatch::UdpRecv { owner, result, .. } => match result {
                RecvResult::Datagram { chunk, addr, flags } => {
                    let s = Seen::Datagram(owner, chunk.data().to_vec(), addr, flags);
                    cell.borrow_mut().recycle_read_buffer(chunk);
                    s
                }
                RecvResult::Error(code) => Seen::RecvError(owner, code),
            },
            Dispatch::Close { owner, handle, .. } => {
                cell.borrow_mut().release_closed(handle);
                Seen::Closed(owner)
            }
            _ => panic!("unexpected callback"),
        };
        react(cell, &s);
        seen.borrow_mut().push(s);
    })
    .unwrap();
    log.extend(seen.into_inner());
}

fn new_loop() -> Cell {
    RefCell::new(Loop::new().unwrap())
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A UDP handle bound to `ip` port 0 (kernel-chosen), and its address.
fn bound(cell: &Cell, owner: usize, ip: &str) -> Result<(HandleId, SocketAddr)> {
    let mut l = cell.borrow_mut();
    let id = l.udp_new(owner, libc::AF_UNSPEC)?;
    if let Err(code) = l.udp_bind(id, addr(&format!("{ip}:0")), 0) {
        l.close(id, 0).unwrap();
        return Err(code);
    }
    let a = l.udp_getsockname(id)?;
    Ok((id, a))
}

fn ping_pong(ip: &str) {
    let cell = new_loop();
    let Ok((rx, rx_addr)) = bound(&cell, 1, ip) else {
        eprintln!("no {ip} here: skipped");
        return;
    };
    let (tx, tx_addr) = bound(&cell, 2, ip).unwrap();
    assert_ne!(rx_addr.port(), 0);
    {
        let mut l = cell.borrow_mut();
        l.udp_recv_start(rx, 0).unwrap();
        assert!(l.is_active(rx).unwrap());
        l.udp_send(tx, rx_addr, &[IoSlice::new(b"one")], 10)
            .unwrap();
        l.udp_send(tx, rx_addr, &[IoSlice::new(b"")], 11).unwrap();
        let parts = [IoSlice::new(b"th"), IoSlice::new(b"r"), IoSlice::new(b"ee")];
        l.udp_send(tx, rx_addr, &parts, 12).unwrap();
        // Sending handles are active until their callbacks ran.
        assert!(l.is_active(tx).unwrap());
    }
    let mut log = Vec::new();
    let mut got = 0;
    run_all(&cell, &mut log, |c, s| {
        if let Seen::Datagram(..) = s {
            got += 1;
            if got == 3 {
                let mut l = c.borrow_mut();
                l.close(rx, 0).unwrap();
                l.close(tx, 0).unwrap();
            }
        }
    });
    // The send callbacks come first and in order (completed at once, run from the loop).
    assert_eq!(
        &log[..3],
        &[Seen::Sent(10, 0), Seen::Sent(11, 0), Seen::Sent(12, 0)]
    );
    let datagrams: Vec<_> = log
        .iter()
        .filter_map(|s| match s {
            Seen::Datagram(1, data, from, flags) => Some((data.clone(), *from, *flags)),
            _ => None,
        })
        .collect();
    assert_eq!(
        datagrams,
        vec![
            (b"one".to_vec(), tx_addr, 0),
            (Vec::new(), tx_addr, 0),
            (b"three".to_vec(), tx_addr, 0)
        ]
    );
    assert_eq!(&log[log.len() - 2..], &[Seen::Closed(1), Seen::Closed(2)]);
}

#[test]
fn datagrams_over_v4_loopback() {
    ping_pong("127.0.0.1");
}

#[test]
fn datagrams_over_v6_loopback() {
    ping_pong("[::1]");
}

#[test]
fn many_datagrams_arrive_in_bounded_batches() {
    let cell = new_loop();
    let (rx, rx_addr) = bound(&cell, 1, "127.0.0.1").unwrap();
    let (tx, _) = bound(&cell, 2, "127.0.0.1").unwrap();
    let n = 200usize;
    {
        let mut l = cell.borrow_mut();
        l.udp_buffer_size(rx, BufferKind::Receive, Some(1 << 20))
            .unwrap();
        for i in 0..n {
            let data = (i as u32).to_be_bytes();
            assert_eq!(l.udp_try_send(tx, rx_addr, &[IoSlice::new(&data)]), Ok(4));
        }
        l.udp_recv_start(rx, 0).unwrap();
    }
    let mut log = Vec::new();
    let mut got = 0;
    run_all(&cell, &mut log, |c, s| {
        if let Seen::Datagram(..) = s {
            got += 1;
            if got == n {
                let mut l = c.borrow_mut();
                l.close(rx, 0).unwrap();
                l.close(tx, 0).unwrap();
            }
        }
    });
    let values: Vec<u32> = log
        .iter()
        .filter_map(|s| match s {
            Seen::Datagram(_, d, _, _) => Some(u32::from_be_bytes(d[..].try_into().unwrap())),
            _ => None,
        })
        .collect();
    assert_eq!(values, (0..n as u32).collect::<Vec<_>>());
}

#[test]
fn send_errors_reach_the_callback_from_the_loop() {
    let cell = new_loop();
    let tx = cell.borrow_mut().udp_new(1, libc::AF_UNSPEC).unwrap();
    let big = vec![b'x'; 65536];
    let dest = addr("127.0.0.1:9");
    // An unbound handle is bound (0.0.0.0, port 0) by its first send.
    cell.borrow_mut()
        .udp_send(tx, dest, &[IoSlice::new(&big)], 7)
        .unwrap();
    assert_eq!(cell.borrow().udp_family(tx), Ok(libc::AF_INET));
    assert_ne!(cell.borrow().udp_getsockname(tx).unwrap().port(), 0);
    let mut log = Vec::new();
    run_all(&cell, &mut log, |c, s| {
        if let Seen::Sent(..) = s {
            c.borrow_mut().close(tx, 0).unwrap();
        }
    });
    assert_eq!(log, vec![Seen::Sent(7, codes::EMSGSIZE), Seen::Closed(1)]);
    // try_send reports the error itself.
    let tx = cell.borrow_mut().udp_new(1, libc::AF_INET).unwrap();
    assert_eq!(
        cell.borrow_mut()
            .udp_try_send(tx, dest, &[IoSlice::new(&big)]),
        Err(codes::EMSGSIZE)
    );
}

#[test]
fn misuse_is_an_error_code() {
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    assert_eq!(l.udp_new(1, 12345).err(), Some(codes::EINVAL));
    let u = l.udp_new(1, libc::AF_UNSPEC).unwrap();
    assert_eq!(l.handle_type(u), Ok(HandleType::Udp));
    // No socket yet.
    assert_eq!(l.udp_fileno(u), Err(codes::EBADF));
    assert_eq!(l.udp_family(u), Err(codes::EBADF));
    assert_eq!(l.udp_getsockname(u).err(), Some(codes::EBADF));
    assert_eq!(l.udp_set_broadcast(u, true), Err(codes::EBADF));
    assert_eq!(l.udp_set_ttl(u, 10), Err(codes::EBADF));
    assert_eq!(
        l.udp_buffer_size(u, BufferKind::Send, None),
        Err(codes::EBADF)
    );
    // Bind flags and families.
    let v4 = addr("127.0.0.1:0");
    assert_eq!(l.udp_bind(u, v4, 8), Err(codes::EINVAL));
    assert_eq!(l.udp_bind(u, v4, UDP_IPV6ONLY), Err(codes::EINVAL));
    l.udp_bind(u, v4, 0).unwrap();
    assert_eq!(l.udp_bind(u, v4, 0), Err(codes::EINVAL), "bound twice");
    assert_eq!(l.udp_family(u), Ok(libc::AF_INET));
    assert!(l.udp_fileno(u).unwrap() >= 0);
    let v6 = addr("[::1]:9");
    assert_eq!(
        l.udp_send(u, v6, &[IoSlice::new(b"x")], 1),
        Err(codes::EINVAL)
    );
    assert_eq!(
        l.udp_try_send(u, v6, &[IoSlice::new(b"x")]),
        Err(codes::EINVAL)
    );
    assert_eq!(l.udp_send(u, v4, &[], 1), Err(codes::EINVAL));
    let early6 = l.udp_new(2, libc::AF_INET6).unwrap();
    assert_eq!(l.udp_bind(early6, v4, 0), Err(codes::EINVAL));
    assert_eq!(l.udp_family(early6), Ok(libc::AF_INET6));
    // Options: ranges, membership values, addresses.
    assert_eq!(l.udp_set_ttl(u, 0), Err(codes::EINVAL));
    assert_eq!(l.udp_set_ttl(u, 256), Err(codes::EINVAL));
    l.udp_set_ttl(u, 255).unwrap();
    assert_eq!(l.udp_set_multicast_ttl(u, -1), Err(codes::EINVAL));
    assert_eq!(l.udp_set_multicast_ttl(u, 256), Err(codes::EINVAL));
    l.udp_set_multicast_ttl(u, 0).unwrap();
    l.udp_set_broadcast(u, true).unwrap();
    l.udp_set_multicast_loop(u, false).unwrap();
    let no_names = |_: &str| None;
    l.udp_set_multicast_interface(u, None, &no_names).unwrap();
    l.udp_set_multicast_interface(u, Some("0.0.0.0"), &no_names)
        .unwrap();
    assert_eq!(
        l.udp_set_multicast_interface(u, Some("nope"), &no_names),
        Err(codes::EINVAL)
    );
    assert_eq!(
        l.udp_set_multicast_interface(u, Some("::1"), &no_names),
        Err(codes::EINVAL)
    );
    assert_eq!(
        l.udp_set_membership(u, "239.255.0.1", None, 2, &no_names),
        Err(codes::EINVAL)
    );
    assert_eq!(
        l.udp_set_membership(u, "not-an-ip", None, JOIN_GROUP, &no_names),
        Err(codes::EINVAL)
    );
    assert_eq!(
        l.udp_set_membership(u, "ff02::1", None, JOIN_GROUP, &no_names),
        Err(codes::EINVAL),
        "v6 group on a v4 socket"
    );
    // Leaving a group never joined: the kernel's answer, as an error code.
    assert!(l
        .udp_set_membership(u, "239.255.0.1", Some("127.0.0.1"), LEAVE_GROUP, &no_names)
        .is_err());
    let size = l.udp_buffer_size(u, BufferKind::Send, Some(65536)).unwrap();
    assert!(size >= 65536, "{size}");
    assert_eq!(
        l.udp_buffer_size(u, BufferKind::Send, Some(0)),
        Err(codes::EINVAL)
    );
    // Receiving twice; stopping twice.
    l.udp_recv_start(u, 0).unwrap();
    assert_eq!(l.udp_recv_start(u, 0), Err(codes::EALREADY));
    l.udp_recv_stop(u).unwrap();
    l.udp_recv_stop(u).unwrap();
    assert!(!l.is_active(u).unwrap());
    // Wrong kinds.
    let tcp = l.tcp_new(3, libc::AF_INET).unwrap();
    assert_eq!(l.udp_bind(tcp, v4, 0), Err(codes::EINVAL));
    assert_eq!(l.udp_fileno(tcp), Err(codes::EINVAL));
    assert_eq!(l.tcp_bind(u, v4, 0), Err(codes::EINVAL));
    assert_eq!(l.stream_fileno(u), Err(codes::EINVAL));
    // Closing: every operation is refused, fileno says EBADF.
    l.close(u, 0).unwrap();
    assert_eq!(l.close(u, 0), Err(codes::EINVAL));
    assert_eq!(l.udp_fileno(u), Err(codes::EBADF));
    assert_eq!(
        l.udp_send(u, v4, &[IoSlice::new(b"x")], 1),
        Err(codes::EINVAL)
    );
    assert_eq!(l.udp_recv_start(u, 0), Err(codes::EINVAL));
    assert_eq!(l.udp_bind(u, v4, 0), Err(codes::EINVAL));
    assert_eq!(l.udp_set_ttl(u, 1), Err(codes::EINVAL));
    l.close(early6, 0).unwrap();
    l.close(tcp, 0).unwrap();
    drop(l);
    let mut log = Vec::new();
    run_all(&cell, &mut log, |_, _| {});
    assert_eq!(log, vec![Seen::Closed(1), Seen::Closed(2), Seen::Closed(3)]);
}

#[test]
fn reuseaddr_decides_whether_a_port_is_shared() {
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    let a = l.udp_new(1, libc::AF_INET).unwrap();
    l.udp_bind(a, addr("127.0.0.1:0"), UDP_REUSEADDR).unwrap();
    let port = l.udp_getsockname(a).unwrap();
    let b = l.udp_new(2, libc::AF_INET).unwrap();
    l.udp_bind(b, port, UDP_REUSEADDR).unwrap();
    let c = l.udp_new(3, libc::AF_INET).unwrap();
    assert_eq!(l.udp_bind(c, port, 0), Err(codes::EADDRINUSE));
    // A failed bind leaves the handle unbound: it can bind elsewhere.
    l.udp_bind(c, addr("127.0.0.1:0"), 0).unwrap();
}

#[test]
fn open_adopts_a_datagram_socket_and_refuses_others() {
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    let std_sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = std_sock.local_addr().unwrap();
    let u = l.udp_new(1, libc::AF_UNSPEC).unwrap();
    l.udp_open(u, socket2::Socket::from(std_sock))
        .map_err(|(c, _)| c)
        .unwrap();
    assert_eq!(l.udp_getsockname(u), Ok(local));
    assert_eq!(l.udp_family(u), Ok(libc::AF_INET));
    // Already bound: no implicit bind, an explicit one is refused by the kernel as EINVAL.
    assert_eq!(l.udp_bind(u, addr("127.0.0.1:0"), 0), Err(codes::EINVAL));
    // A second handle may not take the same descriptor; the socket is handed back.
    let fd = l.udp_fileno(u).unwrap();
    let u2 = l.udp_new(2, libc::AF_UNSPEC).unwrap();
    let other = socket2::Socket::from(std::net::UdpSocket::bind("127.0.0.1:0").unwrap());
    let other_fd = std::os::fd::AsRawFd::as_raw_fd(&other);
    let (code, back) = l.udp_open(u, other).unwrap_err();
    assert_eq!(code, codes::EBUSY);
    assert_eq!(
        std::os::fd::AsRawFd::as_raw_fd(&back),
        other_fd,
        "handed back"
    );
    let stream = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let err = l.udp_open(u2, stream).unwrap_err();
    assert_eq!(err.0, codes::EINVAL);
    // poll_new on the UDP handle's descriptor: held by a handle of this loop.
    assert_eq!(l.poll_new(3, fd).err(), Some(codes::EEXIST));
}

#[test]
fn an_unreferenced_receiver_does_not_keep_the_loop_alive() {
    let cell = new_loop();
    let (rx, _) = bound(&cell, 1, "127.0.0.1").unwrap();
    {
        let mut l = cell.borrow_mut();
        l.udp_recv_start(rx, 0).unwrap();
        assert!(l.alive());
        l.set_ref(rx, false).unwrap();
        assert!(!l.alive());
        l.set_ref(rx, true).unwrap();
        l.udp_recv_stop(rx).unwrap();
        assert!(!l.alive());
    }
    let mut log = Vec::new();
    run_all(&cell, &mut log, |_, _| {});
    assert!(log.is_empty());
}

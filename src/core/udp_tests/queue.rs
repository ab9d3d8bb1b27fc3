//! The queue of datagrams that wait for writability. Over loopback the kernel never says
//! EAGAIN to a UDP send (a datagram is handed to the receiver, or dropped, at once), so these
//! tests queue datagrams as a blocked send would, then let the loop flush or cancel them.

use std::cell::RefCell;
use std::io::IoSlice;
use std::net::SocketAddr;

use crate::core::dispatch::Dispatch;
use crate::core::error::ECANCELED;
use crate::core::event_loop::Loop;
use crate::core::handle::{Handle, Kind};
use crate::core::handle_table::HandleId;
use crate::core::run::{run, RunMode};
use crate::core::test_host::Unit;
use crate::core::udp::QueuedSend;

/// A bound sender with `n` datagrams queued for `to` (as blocked sends leave them), and the
/// loop's bookkeeping as `udp_send` does it.
fn queued(l: &mut Loop<Unit>, to: SocketAddr, n: usize) -> HandleId {
    let id = l.udp_new(0, libc::AF_INET).unwrap();
    l.udp_bind(id, "127.0.0.1:0".parse().unwrap(), 0).unwrap();
    let Some(Handle {
        kind: Kind::Udp(u), ..
    }) = l.handles.get_mut(id)
    else {
        unreachable!()
    };
    for i in 0..n {
        let data = vec![i as u8; 3];
        u.queued_bytes += data.len();
        u.sends.push_back(QueuedSend {
            data,
            addr: to,
            cb: i,
        });
        u.in_flight += 1;
    }
    l.requests += n;
    l.refresh_active(id);
    id
}

fn run_log(cell: &RefCell<Loop<Unit>>) -> Vec<(usize, i32)> {
    let mut log = Vec::new();
    run(cell, RunMode::Default, |d| match d {
        Dispatch::UdpSend { cb, status, .. } => log.push((cb, status)),
        Dispatch::Close { handle, .. } => {
            cell.borrow_mut().release_closed(handle);
            log.push((usize::MAX, 0));
        }
        _ => {}
    })
    .unwrap();
    log
}

#[test]
fn queued_datagrams_go_out_on_writability_in_order() {
    let cell = RefCell::new(Loop::<Unit>::new().unwrap());
    let rx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let id = queued(&mut cell.borrow_mut(), rx.local_addr().unwrap(), 3);
    {
        let l = cell.borrow();
        assert_eq!(l.udp_send_queue_count(id), Ok(3));
        assert_eq!(l.udp_send_queue_size(id), Ok(9));
        assert!(l.is_active(id).unwrap());
    }
    // Behind a queue, a new send waits its turn, and try_send refuses.
    let to = rx.local_addr().unwrap();
    cell.borrow_mut()
        .udp_send(id, to, &[IoSlice::new(b"end")], 3)
        .unwrap();
    assert_eq!(
        cell.borrow_mut()
            .udp_try_send(id, to, &[IoSlice::new(b"x")]),
        Err(crate::core::error::EAGAIN)
    );
    let log = run_log(&cell);
    assert_eq!(log, vec![(0, 0), (1, 0), (2, 0), (3, 0)]);
    let mut buf = [0u8; 8];
    for want in [&[0u8; 3][..], &[1; 3], &[2; 3], b"end"] {
        let (n, _) = rx.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], want);
    }
    let l = cell.borrow();
    assert_eq!(l.udp_send_queue_count(id), Ok(0));
    assert!(!l.is_active(id).unwrap(), "inactive once the callbacks ran");
}

#[test]
fn close_cancels_queued_datagrams_in_order_before_the_close_callback() {
    let cell = RefCell::new(Loop::<Unit>::new().unwrap());
    let to: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let id = queued(&mut cell.borrow_mut(), to, 3);
    cell.borrow_mut().close(id, 0).unwrap();
    let log = run_log(&cell);
    assert_eq!(
        log,
        vec![
            (0, ECANCELED),
            (1, ECANCELED),
            (2, ECANCELED),
            (usize::MAX, 0)
        ]
    );
    assert!(!cell.borrow().alive());
}

//! Tests of pipe handles over descriptors that are not sockets (`os.pipe()` ends), and of
//! blocking mode.

use super::*;

#[test]
fn a_blocking_pipe_writes_everything_at_once() {
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    let (p, theirs) = opened(&mut l);
    let q = l.pipe_new(2).unwrap();
    assert_eq!(l.stream_set_blocking(q, true), Err(EBADF), "no socket yet");
    l.stream_set_blocking(p, true).unwrap();
    assert!(!l.sock(p).unwrap().nonblocking().unwrap());
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut &theirs, &mut got).unwrap();
        got
    });
    let payload = vec![7u8; 4_000_000];
    l.stream_write(p, &[IoSlice::new(&payload)], (0, 0))
        .unwrap();
    assert_eq!(
        l.stream_write_queue_size(p),
        Ok(0),
        "sent before write returned"
    );
    l.stream_set_blocking(p, false).unwrap();
    assert!(l.sock(p).unwrap().nonblocking().unwrap());
    l.close(p, 0).unwrap();
    l.close(q, 0).unwrap();
    drop(l);
    let log = run_all(&cell, |_, _| {});
    assert_eq!(log, [Ev::Write(1, 0), Ev::Close(1), Ev::Close(2)]);
    assert_eq!(reader.join().unwrap().len(), payload.len());
}

#[test]
fn pipe_descriptors_read_and_write_through_read_and_write() {
    let cell = new_loop();
    let (r, w) = std::io::pipe().unwrap();
    let (r_fd, w_fd) = (r.as_raw_fd(), w.as_raw_fd());
    let (reader, writer) = {
        let mut l = cell.borrow_mut();
        let reader = l.pipe_new(1).unwrap();
        let writer = l.pipe_new(2).unwrap();
        l.pipe_open(reader, r.into(), true, false)
            .map_err(|(c, _)| c)
            .unwrap();
        l.pipe_open(writer, w.into(), false, true)
            .map_err(|(c, _)| c)
            .unwrap();
        assert_eq!(l.stream_fileno(reader), Ok(r_fd));
        assert_eq!(l.stream_fileno(writer), Ok(w_fd));
        assert!(l.stream_readable(reader).unwrap() && !l.stream_writable(reader).unwrap());
        assert!(l.stream_writable(writer).unwrap() && !l.stream_readable(writer).unwrap());
        assert_eq!(
            l.stream_write(reader, &[IoSlice::new(b"x")], (0, 0)),
            Err(EPIPE)
        );
        assert_eq!(l.stream_read_start(writer, 0), Err(ENOTCONN));
        assert_eq!(l.pipe_getsockname(reader), Err(ENOTSOCK));
        l.stream_read_start(reader, 0).unwrap();
        (reader, writer)
    };
    let payload: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    let mut l = cell.borrow_mut();
    l.stream_write(writer, &[IoSlice::new(&payload)], (0, 0))
        .unwrap();
    assert!(
        l.stream_write_queue_size(writer).unwrap() > 0,
        "a pipe holds 64 KiB"
    );
    assert_eq!(
        l.stream_try_write(writer, &[IoSlice::new(b"x")]),
        Err(EAGAIN)
    );
    l.stream_shutdown(writer, 0).unwrap();
    drop(l);
    let mut received = Vec::new();
    let log = run_all(&cell, |cell, ev| {
        let mut l = cell.borrow_mut();
        match ev {
            Ev::Data(1, data) => received.extend_from_slice(data),
            Ev::Shutdown(2, _) => l.close(writer, 0).unwrap(),
            Ev::ReadErr(1, _) => l.close(reader, 0).unwrap(),
            _ => {}
        }
    });
    assert!(
        received == payload,
        "{} of {} bytes",
        received.len(),
        payload.len()
    );
    let writes: Vec<_> = log.iter().filter(|e| !matches!(e, Ev::Data(..))).collect();
    assert_eq!(
        writes,
        [
            &Ev::Write(2, 0),
            &Ev::Shutdown(2, ENOTSOCK),
            &Ev::Close(2),
            &Ev::ReadErr(1, EOF),
            &Ev::Close(1)
        ],
        "a pipe end cannot shut down; its close is the end of stream"
    );
}

#[test]
fn pipe_descriptor_errors() {
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    // The reader is gone: EPIPE (this test binary ignores SIGPIPE, as Rust programs do).
    let (r, w) = std::io::pipe().unwrap();
    drop(r);
    let writer = l.pipe_new(1).unwrap();
    l.pipe_open(writer, w.into(), false, true)
        .map_err(|(c, _)| c)
        .unwrap();
    l.stream_write(writer, &[IoSlice::new(b"lost")], (0, 0))
        .unwrap();
    // A regular file cannot be polled; the descriptor comes back open.
    let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
    let p = l.pipe_new(2).unwrap();
    let (code, back) = l.pipe_open(p, file.into(), true, false).unwrap_err();
    assert_eq!(code, EPERM);
    assert!(std::fs::File::from(back).metadata().is_ok());
    assert_eq!(l.stream_fileno(p), Err(EBADF), "nothing was kept");
    // A handle that has a descriptor already.
    let (r2, _w2) = std::io::pipe().unwrap();
    l.pipe_open(p, r2.into(), true, false)
        .map_err(|(c, _)| c)
        .unwrap();
    let (r3, _w3) = std::io::pipe().unwrap();
    assert_eq!(
        l.pipe_open(p, r3.into(), true, false).map_err(|(c, _)| c),
        Err(EBUSY)
    );
    let q = l.pipe_new(3).unwrap();
    // Sockets go the socket way: a Unix one is opened, a TCP one refused.
    let (mine, _theirs) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    l.pipe_open(q, mine.into(), false, false)
        .map_err(|(c, _)| c)
        .unwrap();
    assert!(l.stream_writable(q).unwrap() && l.stream_readable(q).unwrap());
    let t = l.pipe_new(4).unwrap();
    let tcp_sock = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    assert_eq!(
        l.pipe_open(t, tcp_sock.into(), true, true)
            .map_err(|(c, _)| c),
        Err(EAFNOSUPPORT)
    );
    let tcp = l.tcp_new(5, libc::AF_INET).unwrap();
    let (r4, _w4) = std::io::pipe().unwrap();
    assert_eq!(
        l.pipe_open(tcp, r4.into(), true, false).map_err(|(c, _)| c),
        Err(EINVAL)
    );
    for id in [writer, p, q, t, tcp] {
        l.close(id, 0).unwrap();
    }
    drop(l);
    let log = run_all(&cell, |_, _| {});
    assert_eq!(log[0], Ev::Write(1, EPIPE), "{log:?}");
}

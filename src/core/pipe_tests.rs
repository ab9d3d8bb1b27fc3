//! Tests of pipe handles through real runs of the loop, over Unix-domain sockets in a fresh
//! temporary directory per test.

use std::cell::RefCell;
use std::io::IoSlice;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use socket2::{Domain, Socket, Type};

use crate::core::dispatch::{Dispatch, ReadResult};
use crate::core::error::{
    EADDRINUSE, EAFNOSUPPORT, EAGAIN, EBADF, EBUSY, ECONNREFUSED, EINVAL, ENOENT, ENOTCONN,
    ENOTSOCK, ENOTSUP, EOF, EPERM, EPIPE,
};
use crate::core::event_loop::Loop;
use crate::core::handle_table::HandleId;
use crate::core::run::{run, RunMode};
use crate::core::test_host::Unit as T;

/// A fresh directory for one test's socket paths, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ruv-pipe-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> Vec<u8> {
        use std::os::unix::ffi::OsStrExt;
        self.0.join(name).as_os_str().as_bytes().to_vec()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a callback did, as the tests compare it.
#[derive(Debug, PartialEq, Eq, Clone)]
enum Ev {
    Connection(usize, i32),
    Connect(usize, i32),
    Write(usize, i32),
    Shutdown(usize, i32),
    Data(usize, Vec<u8>),
    ReadErr(usize, i32),
    Close(usize),
}

/// Runs the loop to the end; `react` may act on the loop after each callback.
fn run_all(cell: &RefCell<Loop<T>>, mut react: impl FnMut(&RefCell<Loop<T>>, &Ev)) -> Vec<Ev> {
    let mut log = Vec::new();
    run(cell, RunMode::Default, |d| {
        let ev = match d {
            Dispatch::Connection { owner, status, .. } => Ev::Connection(owner, status),
            Dispatch::Connect { owner, status, .. } => Ev::Connect(owner, status),
            Dispatch::Write { owner, status, .. } => Ev::Write(owner, status),
            Dispatch::Shutdown { owner, status, .. } => Ev::Shutdown(owner, status),
            Dispatch::Read { owner, result, .. } => match result {
                ReadResult::Data(chunk) => {
                    let data = chunk.data().to_vec();
                    cell.borrow_mut().recycle_read_buffer(chunk);
                    Ev::Data(owner, data)
                }
                ReadResult::Error(code) => Ev::ReadErr(owner, code),
            },
            Dispatch::Close { owner, handle, .. } => {
                cell.borrow_mut().release_closed(handle);
                Ev::Close(owner)
            }
            _ => unreachable!("no other handle kinds here"),
        };
        react(cell, &ev);
        log.push(ev);
    })
    .unwrap();
    log
}

fn new_loop() -> RefCell<Loop<T>> {
    RefCell::new(Loop::new().unwrap())
}

/// A listening pipe server (owner 1) at `dir/name`.
fn server(cell: &RefCell<Loop<T>>, path: &[u8]) -> HandleId {
    let mut l = cell.borrow_mut();
    let s = l.pipe_new(1).unwrap();
    l.pipe_bind(s, path).unwrap();
    l.stream_listen(s, 0, 0).unwrap();
    s
}

/// A test's setup for one connection: its directory, the socket path, the loop, a listening
/// server (owner 1), a client (owner 2) connecting to it, and a pipe (owner 3) to accept into.
struct Conn {
    _dir: TempDir,
    path: Vec<u8>,
    cell: RefCell<Loop<T>>,
    s: HandleId,
    c: HandleId,
    a: HandleId,
}

fn connecting(name: &str) -> Conn {
    let dir = TempDir::new();
    let path = dir.path(name);
    let cell = new_loop();
    let s = server(&cell, &path);
    let mut l = cell.borrow_mut();
    let c = l.pipe_new(2).unwrap();
    assert_eq!(l.pipe_getsockname(c), Err(EBADF), "no socket yet");
    l.pipe_connect(c, &path, 0).unwrap();
    let a = l.pipe_new(3).unwrap();
    drop(l);
    Conn {
        _dir: dir,
        path,
        cell,
        s,
        c,
        a,
    }
}

#[test]
fn echo_names_shutdown_and_close_removes_the_path() {
    let Conn {
        _dir,
        path,
        cell,
        s,
        c,
        a,
    } = connecting("echo.sock");
    assert_eq!(cell.borrow().pipe_getsockname(s).unwrap(), path);
    assert_eq!(cell.borrow().tcp_family(s), Ok(libc::AF_UNIX));
    let log = run_all(&cell, |cell, ev| {
        let mut l = cell.borrow_mut();
        match ev {
            Ev::Connection(1, 0) => {
                l.stream_accept(s, a).unwrap();
                assert_eq!(l.pipe_getsockname(a).unwrap(), path);
                assert_eq!(l.pipe_getpeername(a).unwrap(), b"", "the client is unnamed");
                l.stream_read_start(a, 0).unwrap();
                l.close(s, 0).unwrap();
            }
            Ev::Connect(2, 0) => {
                assert_eq!(l.pipe_getpeername(c).unwrap(), path);
                l.stream_write(c, &[IoSlice::new(b"ping")], (0, 0)).unwrap();
                l.stream_shutdown(c, 0).unwrap();
                l.stream_read_start(c, 0).unwrap();
            }
            Ev::Data(3, data) => {
                l.stream_write(a, &[IoSlice::new(data)], (0, 0)).unwrap();
            }
            Ev::ReadErr(3, _) => {
                l.close(a, 0).unwrap();
            }
            Ev::ReadErr(2, _) => {
                l.close(c, 0).unwrap();
            }
            _ => {}
        }
    });
    let find = |e: &Ev| log.iter().position(|x| x == e);
    for e in [
        Ev::Connect(2, 0),
        Ev::Write(2, 0),
        Ev::Shutdown(2, 0),
        Ev::Data(3, b"ping".to_vec()),
        Ev::ReadErr(3, EOF),
        Ev::Data(2, b"ping".to_vec()),
        Ev::ReadErr(2, EOF),
        Ev::Close(1),
        Ev::Close(2),
        Ev::Close(3),
    ] {
        assert!(find(&e).is_some(), "{e:?} missing from {log:?}");
    }
    assert!(find(&Ev::Write(2, 0)) < find(&Ev::Shutdown(2, 0)));
    assert!(
        !PathBuf::from(std::ffi::OsStr::new(std::str::from_utf8(&path).unwrap())).exists(),
        "closing the server removes the path it bound"
    );
}

#[test]
fn connect_errors_come_from_the_loop() {
    let dir = TempDir::new();
    let cell = new_loop();
    // A missing path, and a path bound by a socket that does not listen.
    let bound = dir.path("bound.sock");
    let lone = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    lone.bind(&crate::core::pipe::unix_addr(&bound).unwrap())
        .unwrap();
    let ids = {
        let mut l = cell.borrow_mut();
        let a = l.pipe_new(1).unwrap();
        l.pipe_connect(a, &dir.path("missing.sock"), 0).unwrap();
        let b = l.pipe_new(2).unwrap();
        l.pipe_connect(b, &bound, 0).unwrap();
        assert!(l.is_active(a).unwrap(), "connecting is active");
        [a, b]
    };
    let log = run_all(&cell, |cell, ev| {
        if let Ev::Connect(owner, _) = ev {
            cell.borrow_mut().close(ids[*owner - 1], 0).unwrap();
        }
    });
    assert!(log.contains(&Ev::Connect(1, ENOENT)), "{log:?}");
    assert!(log.contains(&Ev::Connect(2, ECONNREFUSED)), "{log:?}");
}

#[test]
fn bind_and_listen_errors() {
    let dir = TempDir::new();
    let path = dir.path("taken.sock");
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    let first = l.pipe_new(1).unwrap();
    assert_eq!(
        l.stream_listen(first, 0, 0),
        Err(EINVAL),
        "listen needs a name"
    );
    l.pipe_bind(first, &path).unwrap();
    assert_eq!(l.pipe_bind(first, &path), Err(EINVAL), "bound already");
    let second = l.pipe_new(2).unwrap();
    assert_eq!(l.pipe_bind(second, &path), Err(EADDRINUSE));
    assert_eq!(
        l.pipe_getsockname(second),
        Err(EBADF),
        "a failed bind leaves no socket"
    );
    assert_eq!(l.pipe_bind(second, b""), Err(EINVAL));
    assert_eq!(l.pipe_bind(second, b"a\0b"), Err(EINVAL));
    assert_eq!(
        l.pipe_bind(second, &[b'x'; 200]),
        Err(EINVAL),
        "longer than sun_path"
    );
    assert_eq!(
        l.pipe_bind(second, &dir.path("no/such/dir.sock")),
        Err(ENOENT)
    );
    assert_eq!(l.pipe_getpeername(first), Err(ENOTCONN));
    // Pipe operations on a TCP handle, and TCP ones on a pipe.
    let tcp = l.tcp_new(3, libc::AF_INET).unwrap();
    assert_eq!(l.pipe_bind(tcp, &dir.path("t.sock")), Err(EINVAL));
    assert_eq!(l.pipe_connect(tcp, &path, 0), Err(EINVAL));
    let any = "127.0.0.1:0".parse().unwrap();
    assert_eq!(l.tcp_bind(second, any, 0), Err(EINVAL));
    assert_eq!(l.tcp_connect(second, any, 0), Err(EINVAL));
    assert_eq!(l.tcp_getsockname(first), Err(EINVAL));
    // An abstract name (Linux) is not a file and is reported back with its NUL byte.
    if cfg!(target_os = "linux") {
        let name = format!("\0ruv-test-{}-abstract", std::process::id()).into_bytes();
        l.pipe_bind(second, &name).unwrap();
        assert_eq!(l.pipe_getsockname(second).unwrap(), name);
    }
}

#[test]
fn tcp_only_options_refuse_a_pipe() {
    let dir = TempDir::new();
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    let p = l.pipe_new(1).unwrap();
    assert_eq!(l.tcp_nodelay(p, true), Err(ENOTSUP));
    assert_eq!(l.tcp_keepalive(p, true, 10), Err(ENOTSUP));
    assert_eq!(l.tcp_keepalive_ex(p, true, 1, 1, 1), Err(ENOTSUP));
    l.pipe_bind(p, &dir.path("o.sock")).unwrap();
    assert_eq!(l.tcp_nodelay(p, false), Err(ENOTSUP));
    assert_eq!(l.tcp_reset_on_close(p), Err(ENOTSUP));
    // The TCP handle keeps them.
    let t = l.tcp_new(2, libc::AF_INET).unwrap();
    assert_eq!(l.tcp_nodelay(t, true), Ok(()));
    assert!(l.is_pipe(p) && !l.is_pipe(t));
}

/// A pipe (owner 1) opened on one end of a fresh socketpair, and the other end.
fn opened(l: &mut Loop<T>) -> (HandleId, Socket) {
    let (mine, theirs) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    let p = l.pipe_new(1).unwrap();
    l.tcp_open(p, mine).map_err(|(c, _)| c).unwrap();
    (p, theirs)
}

#[test]
fn open_takes_unix_sockets_only_and_accept_matches_kinds() {
    let cell = new_loop();
    let mut l = cell.borrow_mut();
    let (p, right) = opened(&mut l);
    let fd = l.stream_fileno(p).unwrap();
    assert_ne!(fd, right.as_raw_fd());
    assert!(
        l.stream_readable(p).unwrap(),
        "a socketpair end is connected"
    );
    assert_eq!(l.pipe_getpeername(p).unwrap(), b"");
    // A TCP socket into a pipe, a Unix socket into a TCP handle, a pipe descriptor.
    let q = l.pipe_new(2).unwrap();
    let tcp_sock = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    assert_eq!(
        l.tcp_open(q, tcp_sock).map_err(|(c, _)| c),
        Err(EAFNOSUPPORT)
    );
    let t = l.tcp_new(3, libc::AF_UNSPEC).unwrap();
    assert_eq!(l.tcp_open(t, right).map_err(|(c, _)| c), Err(EAFNOSUPPORT));
    let (reader, _writer) = std::io::pipe().unwrap();
    let not_socket = Socket::from(OwnedFd::from(reader));
    assert_eq!(l.tcp_open(q, not_socket).map_err(|(c, _)| c), Err(ENOTSOCK));
    assert_eq!(
        l.tcp_getsockname(q),
        Err(EBADF),
        "failed opens leave no socket"
    );
    assert!(l.is_pipe(q), "and the handle a pipe");
    drop(l);
    // A pipe server does not accept into a TCP handle.
    let dir = TempDir::new();
    let path = dir.path("kinds.sock");
    let s = server(&cell, &path);
    let c = cell.borrow_mut().pipe_new(4).unwrap();
    cell.borrow_mut().pipe_connect(c, &path, 0).unwrap();
    let log = run_all(&cell, |cell, ev| {
        let mut l = cell.borrow_mut();
        if let Ev::Connection(1, 0) = ev {
            let tcp = l.tcp_new(5, libc::AF_UNSPEC).unwrap();
            assert_eq!(l.stream_accept(s, tcp), Err(EINVAL));
            let pipe = l.pipe_new(6).unwrap();
            assert_eq!(l.stream_accept(s, pipe), Ok(()));
            for id in [s, c, tcp, pipe, p, q, t] {
                l.close(id, 0).unwrap();
            }
        }
    });
    assert!(log.contains(&Ev::Close(6)), "{log:?}");
}

#[test]
fn large_writes_queue_and_arrive_whole() {
    let Conn { cell, s, c, a, .. } = connecting("big.sock");
    let payload: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut received = Vec::new();
    let mut queued_max = 0;
    run_all(&cell, |cell, ev| {
        let mut l = cell.borrow_mut();
        match ev {
            Ev::Connection(1, 0) => {
                l.stream_accept(s, a).unwrap();
                l.stream_read_start(a, 0).unwrap();
                l.close(s, 0).unwrap();
            }
            Ev::Connect(2, 0) => {
                l.stream_write(c, &[IoSlice::new(&payload)], (0, 0))
                    .unwrap();
                queued_max = l.stream_write_queue_size(c).unwrap();
                l.stream_shutdown(c, 0).unwrap();
            }
            Ev::Data(3, data) => received.extend_from_slice(data),
            Ev::ReadErr(3, code) => {
                assert_eq!(*code, EOF);
                l.close(a, 0).unwrap();
            }
            Ev::Shutdown(2, code) => {
                assert_eq!(*code, 0);
                l.close(c, 0).unwrap();
            }
            _ => {}
        }
    });
    assert!(queued_max > 0, "4 MB do not fit in a socket buffer at once");
    assert_eq!(received.len(), payload.len());
    assert!(received == payload);
}

#[path = "pipe_fd_tests.rs"]
mod fd;

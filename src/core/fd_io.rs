//! How bytes go through a stream handle's descriptor: `recv`/`send` for a socket, `read`/`write`
//! for any other descriptor a pipe handle adopted (an `os.pipe()` or FIFO end), which `recv`
//! and `send` refuse with `ENOTSOCK`.
//!
//! Such a descriptor is kept in the handle as a [`Socket`] (its owner; `socket2` makes no
//! socket calls on its own), and lent to the I/O as a [`File`] for the length of one call by
//! moving its ownership across and back: no `unsafe`, no system call, and the socket path
//! does not change at all.
//!
//! `write(2)` has no `MSG_NOSIGNAL`: a write to a pipe whose reader is gone raises SIGPIPE
//! (as it does in libuv), and only an embedder that ignores SIGPIPE (Python does, by default)
//! sees `EPIPE` instead.

use std::fs::File;
use std::io::{self, IoSlice, Read, Write};
use std::os::fd::OwnedFd;

use socket2::Socket;

/// The descriptor of a stream handle, as one read or write sees it.
#[derive(Clone, Copy)]
pub enum Io<'a> {
    /// A socket: `recv`, and `send` with MSG_NOSIGNAL.
    Socket(&'a Socket),
    /// Another descriptor (a pipe end): `read` and `write`/`writev`.
    File(&'a File),
}

impl Io<'_> {
    /// One `send`/`writev` of `bufs` (not retried).
    #[inline]
    pub fn write_bufs(self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Io::Socket(sock) => match bufs {
                [one] => sock.send_with_flags(one, libc::MSG_NOSIGNAL),
                _ => sock.send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL),
            },
            Io::File(mut file) => file.write_vectored(bufs),
        }
    }

    /// One `recv`/`read` into `buf` (not retried).
    #[inline]
    pub fn read_buf(self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Io::Socket(mut sock) => sock.read(buf),
            Io::File(mut file) => file.read(buf),
        }
    }
}

/// Runs `f` on the descriptor in `slot` as a socket, or (`raw`) as a file; `None` when the
/// slot is empty.
#[inline(always)]
pub fn with_io<R>(slot: &mut Option<Socket>, raw: bool, f: impl FnOnce(Io<'_>) -> R) -> Option<R> {
    if !raw {
        return slot.as_ref().map(|sock| f(Io::Socket(sock)));
    }
    with_file(slot, f)
}

/// [`with_io`] for a descriptor that is not a socket (kept out of the socket path).
#[cold]
#[inline(never)]
fn with_file<R>(slot: &mut Option<Socket>, f: impl FnOnce(Io<'_>) -> R) -> Option<R> {
    let file = File::from(OwnedFd::from(slot.take()?));
    let result = f(Io::File(&file));
    *slot = Some(Socket::from(OwnedFd::from(file)));
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_goes_through_read_and_write_and_stays_owned() {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut w = Some(Socket::from(OwnedFd::from(writer)));
        let mut r = Some(Socket::from(OwnedFd::from(reader)));
        let bufs = [IoSlice::new(b"ab"), IoSlice::new(b"cd")];
        assert_eq!(
            with_io(&mut w, true, |io| io.write_bufs(&bufs))
                .unwrap()
                .unwrap(),
            4
        );
        let e = with_io(&mut w, false, |io| io.write_bufs(&bufs))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            e.raw_os_error(),
            Some(libc::ENOTSOCK),
            "send refuses a pipe"
        );
        let mut buf = [0u8; 8];
        assert_eq!(
            with_io(&mut r, true, |io| io.read_buf(&mut buf))
                .unwrap()
                .unwrap(),
            4
        );
        assert_eq!(&buf[..4], b"abcd");
        assert!(r.is_some() && w.is_some(), "the descriptors came back");
        drop(w);
        assert_eq!(
            with_io(&mut r, true, |io| io.read_buf(&mut buf))
                .unwrap()
                .unwrap(),
            0
        );
        assert!(with_io(&mut None, true, |_| ()).is_none());
    }
}

//! Socket creation, options and the non-blocking system calls the TCP handle uses.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, TcpKeepalive, Type};

use super::error::{self, Result, EAFNOSUPPORT, EINVAL};
use super::fd_io::Io;

/// TCP keep-alive parameters: idle seconds before the first probe, seconds between probes, and
/// unanswered probes before the connection is dropped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Keepalive {
    /// TCP_KEEPIDLE, seconds.
    pub idle: u32,
    /// TCP_KEEPINTVL, seconds.
    pub intvl: u32,
    /// TCP_KEEPCNT, probes.
    pub cnt: u32,
}

/// Which socket buffer an option call is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BufferKind {
    /// SO_SNDBUF.
    Send,
    /// SO_RCVBUF.
    Receive,
}

/// Most buffers one `writev` call takes (Linux `IOV_MAX`).
pub const MAX_IOVECS: usize = 1024;

/// The address families a stream handle can have: the two of a TCP handle, and the one of a
/// pipe handle (a Unix-domain stream socket).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    V4,
    /// IPv6 (`AF_INET6`).
    V6,
    /// Unix domain (`AF_UNIX`): the family of every pipe handle.
    Unix,
}

impl Family {
    /// The family of a C `AF_*` value, if it is one of the two IP families (a TCP handle's).
    pub fn from_af(af: i32) -> Option<Family> {
        match af {
            libc::AF_INET => Some(Family::V4),
            libc::AF_INET6 => Some(Family::V6),
            _ => None,
        }
    }

    /// The C `AF_*` value.
    pub fn af(self) -> i32 {
        match self {
            Family::V4 => libc::AF_INET,
            Family::V6 => libc::AF_INET6,
            Family::Unix => libc::AF_UNIX,
        }
    }

    /// The family of an address.
    pub fn of(addr: &SocketAddr) -> Family {
        match addr {
            SocketAddr::V4(_) => Family::V4,
            SocketAddr::V6(_) => Family::V6,
        }
    }

    fn domain(self) -> Domain {
        match self {
            Family::V4 => Domain::IPV4,
            Family::V6 => Domain::IPV6,
            Family::Unix => Domain::UNIX,
        }
    }
}

/// Creates a non-blocking, close-on-exec stream socket: TCP for the IP families, a Unix-domain
/// stream socket for [`Family::Unix`].
pub fn new_tcp(family: Family) -> Result<Socket> {
    let ty = Type::STREAM.nonblocking().cloexec();
    let protocol = (family != Family::Unix).then_some(Protocol::TCP);
    error::sys(Socket::new(family.domain(), ty, protocol))
}

/// Creates a non-blocking, close-on-exec UDP socket.
pub fn new_udp(family: Family) -> Result<std::net::UdpSocket> {
    let ty = Type::DGRAM.nonblocking().cloexec();
    error::sys(Socket::new(family.domain(), ty, Some(Protocol::UDP))).map(Into::into)
}

/// The family of a socket, if it is IPv4 or IPv6 (`EAFNOSUPPORT` otherwise).
pub fn family_of(sock: &Socket) -> Result<Family> {
    let domain = error::sys(sock.domain())?;
    if domain == Domain::IPV4 {
        Ok(Family::V4)
    } else if domain == Domain::IPV6 {
        Ok(Family::V6)
    } else {
        Err(EAFNOSUPPORT)
    }
}

/// Checks that `sock` is a stream socket of a supported family (IPv4, IPv6 or Unix domain) and
/// makes it non-blocking. A descriptor that is not a socket: `ENOTSOCK`.
pub fn adopt(sock: &Socket) -> Result<Family> {
    let ty = error::sys(sock.r#type())?;
    if ty != Type::STREAM {
        return Err(EINVAL);
    }
    let family = if error::sys(sock.domain())? == Domain::UNIX {
        Family::Unix
    } else {
        family_of(sock)?
    };
    error::sys(sock.set_nonblocking(true))?;
    Ok(family)
}

/// Accepts one connection as a non-blocking, close-on-exec socket.
pub fn accept(listener: &Socket) -> io::Result<Socket> {
    listener
        .accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)
        .map(|(s, _)| s)
}

/// Sends as much of `bufs` as the descriptor takes (at most [`MAX_IOVECS`] buffers), never
/// raising SIGPIPE on a socket (see [`crate::core::fd_io`] for other descriptors).
pub fn send(io: Io<'_>, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    let bufs = &bufs[..bufs.len().min(MAX_IOVECS)];
    loop {
        match io.write_bufs(bufs) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Reads into `buf`, retrying on EINTR.
pub fn recv(io: Io<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match io.read_buf(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Starts a non-blocking connect. `Ok(true)`: in progress or done, wait for writability;
/// `Ok(false)`: refused at once (reported later through the callback).
pub fn start_connect(sock: &Socket, addr: &SocketAddr) -> Result<bool> {
    match sock.connect(&SockAddr::from(*addr)) {
        Ok(()) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => Ok(false),
        Err(e) => Err(error::from_io(&e)),
    }
}

/// Starts a non-blocking connect of a Unix-domain socket. `None`: in progress or done, wait for
/// writability; `Some(code)`: it failed at once (a missing path, a refusal, a full backlog's
/// `EAGAIN`), to be reported later through the callback, as libuv reports every pipe connect
/// error.
pub fn start_connect_unix(sock: &Socket, addr: &SockAddr) -> Option<i32> {
    match sock.connect(addr) {
        Ok(()) => None,
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EINTR)) => None,
        Err(e) => Some(error::from_io(&e)),
    }
}

/// The socket's pending error (SO_ERROR) as a code; 0 if none.
pub fn pending_error(sock: &Socket) -> i32 {
    match sock.take_error() {
        Ok(None) => 0,
        Ok(Some(e)) | Err(e) => error::from_io(&e),
    }
}

/// Turns TCP keep-alive on with `params`, or off. If the kernel refuses a parameter, the
/// socket's previous keep-alive state is put back, so a failed call changes nothing.
pub fn set_keepalive(sock: &Socket, params: Option<Keepalive>) -> Result<()> {
    let Some(k) = params else {
        return error::sys(sock.set_keepalive(false));
    };
    let before = saved_keepalive(sock);
    let wanted = TcpKeepalive::new()
        .with_time(Duration::from_secs(k.idle.into()))
        .with_interval(Duration::from_secs(k.intvl.into()))
        .with_retries(k.cnt);
    // socket2 turns SO_KEEPALIVE on, then sets the idle time, interval and count in turn.
    let result = error::sys(sock.set_tcp_keepalive(&wanted));
    if result.is_err() {
        if let Ok((on, old)) = before {
            let _ = sock.set_tcp_keepalive(&old);
            let _ = sock.set_keepalive(on);
        }
    }
    result
}

/// The socket's keep-alive state: SO_KEEPALIVE and its three parameters.
fn saved_keepalive(sock: &Socket) -> io::Result<(bool, TcpKeepalive)> {
    Ok((
        sock.keepalive()?,
        TcpKeepalive::new()
            .with_time(sock.tcp_keepalive_time()?)
            .with_interval(sock.tcp_keepalive_interval()?)
            .with_retries(sock.tcp_keepalive_retries()?),
    ))
}

/// Sets SO_REUSEPORT (before bind), so sockets of several loops share one port; `ENOTSUP`
/// where the platform has no such option.
#[cfg(not(any(
    target_os = "solaris",
    target_os = "illumos",
    target_os = "cygwin",
    target_os = "nuttx",
    target_os = "wasi"
)))]
pub fn set_reuse_port(sock: &Socket) -> Result<()> {
    error::sys(sock.set_reuse_port(true))
}

/// Sets SO_REUSEPORT (before bind): `ENOTSUP` here, the platform has no such option.
#[cfg(any(
    target_os = "solaris",
    target_os = "illumos",
    target_os = "cygwin",
    target_os = "nuttx",
    target_os = "wasi"
))]
pub fn set_reuse_port(_sock: &Socket) -> Result<()> {
    Err(super::error::ENOTSUP)
}

/// Reads a socket buffer size (SO_SNDBUF / SO_RCVBUF), or sets it first when `set` is given
/// (must be positive, else `EINVAL`).
pub fn buffer_size(sock: &Socket, kind: BufferKind, set: Option<i32>) -> Result<i32> {
    if let Some(size) = set {
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s > 0)
            .ok_or(EINVAL)?;
        error::sys(match kind {
            BufferKind::Send => sock.set_send_buffer_size(size),
            BufferKind::Receive => sock.set_recv_buffer_size(size),
        })?;
    }
    let size = error::sys(match kind {
        BufferKind::Send => sock.send_buffer_size(),
        BufferKind::Receive => sock.recv_buffer_size(),
    })?;
    Ok(i32::try_from(size).unwrap_or(i32::MAX))
}

/// Sets SO_LINGER to 0 seconds, so that closing the socket resets the connection.
pub fn set_linger_zero(sock: &Socket) -> Result<()> {
    match sock.set_linger(Some(Duration::ZERO)) {
        // Some systems refuse it on a socket whose connection is already shut down; the
        // close that follows still works (libuv ignores this case too).
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(()),
        other => error::sys(other),
    }
}

/// Local or peer address of a socket as a std address.
pub fn std_addr(addr: io::Result<SockAddr>) -> Result<SocketAddr> {
    error::sys(addr)?.as_socket().ok_or(EINVAL)
}

/// How an attempt to send a whole write at once ended.
#[derive(Debug)]
pub enum SendOutcome {
    /// Every byte was sent.
    All,
    /// The socket's buffer filled after this many bytes.
    Blocked(usize),
    /// The socket failed with this code.
    Failed(i32),
}

/// Sends all of `bufs` if the socket takes it, in `writev` calls of at most [`MAX_IOVECS`]
/// buffers.
pub fn send_now(io: Io<'_>, bufs: &[IoSlice<'_>]) -> SendOutcome {
    let total: usize = bufs.iter().map(|b| b.len()).sum();
    let mut sent = 0;
    let mut window: Vec<IoSlice<'_>> = Vec::new();
    while sent < total {
        let slices: &[IoSlice<'_>] = if sent == 0 {
            bufs
        } else {
            window.clear();
            window.extend(remaining(bufs, sent).take(MAX_IOVECS));
            &window
        };
        let offered: usize = if sent == 0 && slices.len() <= MAX_IOVECS {
            total
        } else {
            slices.iter().take(MAX_IOVECS).map(|b| b.len()).sum()
        };
        match send(io, slices) {
            Ok(n) => {
                sent += n;
                if n < offered {
                    return SendOutcome::Blocked(sent);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return SendOutcome::Blocked(sent),
            Err(e) => return SendOutcome::Failed(error::from_io(&e)),
        }
    }
    SendOutcome::All
}

/// The parts of `bufs` after the first `skip` bytes.
fn remaining<'a>(bufs: &'a [IoSlice<'a>], mut skip: usize) -> impl Iterator<Item = IoSlice<'a>> {
    bufs.iter().filter_map(move |b| {
        let take = skip.min(b.len());
        skip -= take;
        let rest: &'a [u8] = &b[take..];
        (!rest.is_empty()).then(|| IoSlice::new(rest))
    })
}

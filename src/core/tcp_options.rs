//! The TCP transport's options: TCP_NODELAY, keep-alive, accept batching, and close with a
//! reset. Options set before a handle has a socket are remembered in its
//! [`TcpTransport`] and applied when the socket appears. A pipe handle is refused with
//! `ENOTSUP` (the options mean nothing on a Unix-domain socket).

use socket2::Socket;

use super::error::{self, Result, EBADF, EINVAL, ENOTSUP};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::socket;
use super::socket::Keepalive;
use super::transport::{TcpTransport, Transport};

/// The probe interval and count `ruv_tcp_keepalive(tcp, 1, delay)` has always used.
const KEEPALIVE_INTVL: u32 = 1;
const KEEPALIVE_CNT: u32 = 10;

/// The largest TCP_KEEPIDLE / TCP_KEEPINTVL and TCP_KEEPCNT the kernel takes (Linux's
/// MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT). Checked up front, so that a setting
/// remembered before the socket exists cannot fail when it is applied.
#[cfg(target_os = "linux")]
const KEEPALIVE_MAX: (u32, u32, u32) = (32767, 32767, 127);
#[cfg(not(target_os = "linux"))]
const KEEPALIVE_MAX: (u32, u32, u32) = (u32::MAX, u32::MAX, u32::MAX);

impl<H: Host> Loop<H> {
    /// Sets TCP_NODELAY now, or when the socket appears (`ENOTSUP` on a pipe handle).
    pub fn tcp_nodelay(&mut self, id: HandleId, enable: bool) -> Result<()> {
        let (sock, tcp) = self.tcp_transport_mut(id)?;
        if let Some(sock) = sock {
            error::sys(sock.set_tcp_nodelay(enable))?;
        }
        tcp.nodelay = enable;
        Ok(())
    }

    /// Sets TCP keep-alive with `delay` seconds of idle time (then probes every second, ten of
    /// them), now or when the socket appears.
    pub fn tcp_keepalive(&mut self, id: HandleId, enable: bool, delay: u32) -> Result<()> {
        if enable && delay == 0 {
            return Err(EINVAL);
        }
        let setting = enable.then_some(Keepalive {
            idle: delay,
            intvl: KEEPALIVE_INTVL,
            cnt: KEEPALIVE_CNT,
        });
        self.set_keepalive(id, setting)
    }

    /// Sets TCP keep-alive with every parameter (seconds, seconds, probes), now or when the
    /// socket appears. Enabling with any of them 0, or above what the kernel takes: `EINVAL`.
    /// A call that fails changes nothing.
    pub fn tcp_keepalive_ex(
        &mut self,
        id: HandleId,
        enable: bool,
        idle: u32,
        intvl: u32,
        cnt: u32,
    ) -> Result<()> {
        let (max_idle, max_intvl, max_cnt) = KEEPALIVE_MAX;
        let in_range = (1..=max_idle).contains(&idle)
            && (1..=max_intvl).contains(&intvl)
            && (1..=max_cnt).contains(&cnt);
        if enable && !in_range {
            return Err(EINVAL);
        }
        self.set_keepalive(id, enable.then_some(Keepalive { idle, intvl, cnt }))
    }

    /// Applies a keep-alive setting to the socket (if any), then remembers it (`ENOTSUP` on a
    /// pipe handle).
    fn set_keepalive(&mut self, id: HandleId, setting: Option<Keepalive>) -> Result<()> {
        let (sock, tcp) = self.tcp_transport_mut(id)?;
        if let Some(sock) = sock {
            socket::set_keepalive(sock, setting)?;
        }
        tcp.keepalive = setting.map(Box::new);
        Ok(())
    }

    /// The socket (if any) and TCP transport of a live TCP handle, for the TCP-only options: a
    /// pipe handle is refused with `ENOTSUP`.
    pub(crate) fn tcp_transport_mut(
        &mut self,
        id: HandleId,
    ) -> Result<(Option<&Socket>, &mut TcpTransport)> {
        let t = self.stream_mut(id)?;
        match &mut t.transport {
            Transport::Tcp(tcp) => Ok((t.sock.as_ref(), tcp)),
            _ => Err(ENOTSUP),
        }
    }

    /// Drain the backlog per wakeup (true) or accept one connection per iteration (false).
    pub fn tcp_simultaneous_accepts(&mut self, id: HandleId, enable: bool) -> Result<()> {
        self.tcp_transport_mut(id)?.1.simultaneous_accepts = enable;
        Ok(())
    }

    /// The first half of `close_reset`: sets SO_LINGER 0, so that the `close` that must follow
    /// at once makes the peer see a reset (RST) and the kernel drop unsent data. `EINVAL` after a
    /// shutdown was requested (libuv's rule) or when closing, `EBADF` before the handle has a
    /// socket, `ENOTSUP` on a pipe handle; nothing changes then. (The C layer calls `close`
    /// itself: with a single caller, `close` stays inlined into `ruv_close`, on the path every
    /// connection takes.)
    pub fn tcp_reset_on_close(&mut self, id: HandleId) -> Result<()> {
        let t = self.stream(id)?;
        if t.is_pipe() {
            return Err(ENOTSUP);
        }
        if t.write_shut {
            return Err(EINVAL);
        }
        socket::set_linger_zero(t.sock.as_ref().ok_or(EBADF)?)
    }

    /// Closes the handle with a reset: [`Loop::tcp_reset_on_close`], then `close` (queued
    /// writes get `ECANCELED`, `cb` runs last).
    pub fn tcp_close_reset(&mut self, id: HandleId, cb: H::CloseCb) -> Result<()> {
        self.tcp_reset_on_close(id)?;
        self.close(id, cb)
    }
}

/// Applies the options requested before the socket existed.
#[inline]
pub(crate) fn apply_options(sock: &Socket, transport: &Transport) -> Result<()> {
    let Transport::Tcp(tcp) = transport else {
        return Ok(());
    };
    if tcp.nodelay {
        error::sys(sock.set_tcp_nodelay(true))?;
    }
    match tcp.keepalive.as_deref() {
        Some(k) => socket::set_keepalive(sock, Some(*k)),
        None => Ok(()),
    }
}

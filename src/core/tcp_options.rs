//! TCP socket options: TCP_NODELAY, keep-alive, accept batching, buffer sizes, blocking mode. Options set
//! before a handle has a socket are remembered and applied when the socket appears. The
//! TCP-only ones (TCP_NODELAY, keep-alive) refuse a pipe handle with `ENOTSUP`.

use socket2::Socket;

use super::error::{self, Result, EINVAL, ENOTSUP};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::socket;
use super::tcp::{Keepalive, Settings, Tcp};

/// Which socket buffer an option call is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BufferKind {
    /// SO_SNDBUF.
    Send,
    /// SO_RCVBUF.
    Receive,
}

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
        let t = self.tcp_only_mut(id)?;
        if let Some(sock) = t.sock.as_ref() {
            error::sys(sock.set_tcp_nodelay(enable))?;
        }
        t.nodelay = enable;
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
        let t = self.tcp_only_mut(id)?;
        if let Some(sock) = t.sock.as_ref() {
            socket::set_keepalive(sock, setting)?;
        }
        if setting.is_some() || t.settings.is_some() {
            t.settings_mut().keepalive = setting;
        }
        Ok(())
    }

    /// A live TCP handle that is not a pipe, for the TCP-only options: a pipe handle is refused
    /// with `ENOTSUP` (the option means nothing on a Unix-domain socket).
    pub(crate) fn tcp_only_mut(&mut self, id: HandleId) -> Result<&mut Tcp<H>> {
        let t = self.tcp_mut(id)?;
        if t.is_pipe() {
            return Err(ENOTSUP);
        }
        Ok(t)
    }

    /// Drain the backlog per wakeup (true) or accept one connection per iteration (false).
    pub fn tcp_simultaneous_accepts(&mut self, id: HandleId, enable: bool) -> Result<()> {
        self.tcp_mut(id)?.simultaneous_accepts = enable;
        Ok(())
    }

    /// Puts the socket in blocking mode (true) or back in non-blocking mode (libuv's
    /// `uv_stream_set_blocking`): while blocking, a write sends everything before it returns, so
    /// nothing is queued. The loop's reads and accepts keep going until the kernel has nothing
    /// more for them, so on a blocking socket they may block the loop (as libuv's do): meant
    /// for a handle that only writes. `EBADF` before the handle has a socket.
    pub fn tcp_set_blocking(&mut self, id: HandleId, blocking: bool) -> Result<()> {
        error::sys(self.sock(id)?.set_nonblocking(!blocking))
    }

    /// Reads a socket buffer size, or sets it first when `set` is given (must be positive).
    pub fn tcp_buffer_size(&self, id: HandleId, kind: BufferKind, set: Option<i32>) -> Result<i32> {
        socket::buffer_size(self.sock(id)?, kind, set)
    }
}

/// Applies the options requested before the socket existed.
#[inline]
pub(crate) fn apply_options<H: Host>(sock: &Socket, t: &Tcp<H>) -> Result<()> {
    if t.nodelay {
        error::sys(sock.set_tcp_nodelay(true))?;
    }
    match t.settings.as_deref() {
        Some(Settings {
            keepalive: Some(k), ..
        }) => socket::set_keepalive(sock, Some(*k)),
        _ => Ok(()),
    }
}

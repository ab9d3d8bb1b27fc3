//! Connect by name: ruv_tcp_connect_host (Happy Eyeballs, RFC 8305), its attempt delay and
//! connect timeout.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use crate::core::error::EINVAL;
use crate::core::handle::HandleType;

use super::handle::with_kind;
use super::stream_kind::status_cb;
use super::types::{ruv_connect_cb, ruv_tcp_t};

ffi_fn! {
    /// Connects to `host` (a name, resolved on the worker pool, or an IP literal, not looked
    /// up) and `port`. The addresses are ordered as RFC 8305 §4 says (families alternate,
    /// starting with the first one returned) and tried one attempt delay apart
    /// (ruv_tcp_set_attempt_delay, default 250 ms), or at once when the running attempts have
    /// failed; the first to connect wins and the others are closed unseen. `cb(tcp, 0)` then,
    /// with the handle connected in the winner's family; if every attempt fails, the error of
    /// the first address's attempt; if resolution fails, its RUV_EAI_* code; RUV_ETIMEDOUT when
    /// the connect timeout (ruv_tcp_set_connect_timeout) elapses; RUV_ECANCELED on ruv_close
    /// (every attempt and the lookup are abandoned). Errors returned at once (no callback):
    /// RUV_EINVAL (NULL or empty host, NULL cb, port above 65535 or negative, a handle that is
    /// not a TCP handle made with AF_UNSPEC and never bound or opened), RUV_EALREADY while
    /// connecting, RUV_EISCONN once connected, RUV_EAGAIN (no pool thread).
    fn ruv_tcp_connect_host(
        tcp: *mut ruv_tcp_t,
        host: *const c_char,
        port: c_int,
        cb: ruv_connect_cb,
    ) -> c_int {
        let cb = status_cb(cb).ok_or(EINVAL)?;
        let port = u16::try_from(port).map_err(|_| EINVAL)?;
        if host.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `host` is a non-NULL, NUL-terminated string (the C contract), read here only.
        let host = unsafe { CStr::from_ptr(host) }.to_str().map_err(|_| EINVAL)?;
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_connect_host(id, host, port, cb))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Sets the connect timeout in ms of ruv_tcp_connect and ruv_tcp_connect_host (the whole
    /// connect: lookup and attempts): if the connect is still in progress when it elapses, it is
    /// abandoned (its socket closed) and its callback gets RUV_ETIMEDOUT. 0 = none (the
    /// default). Applies to the next connect. RUV_EINVAL for an invalid or closing handle.
    fn ruv_tcp_set_connect_timeout(tcp: *mut ruv_tcp_t, timeout_ms: u64) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_set_connect_timeout(id, timeout_ms))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Sets the time between two connection attempts of ruv_tcp_connect_host, in ms (default
    /// 250, RFC 8305's recommendation). Applies to the next ruv_tcp_connect_host. RUV_EINVAL for
    /// an invalid or closing handle.
    fn ruv_tcp_set_attempt_delay(tcp: *mut ruv_tcp_t, delay_ms: u64) -> c_int {
        with_kind(tcp, HandleType::Tcp, |core, id| core.tcp_set_attempt_delay(id, delay_ms))?;
        Ok(0)
    }
}

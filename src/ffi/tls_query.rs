//! The C API of TLS, part two: what a TLS stream agreed (version, ALPN, server name, cipher
//! suite), the peer's certificates, and the detail of the last TLS error. Every query on a
//! stream that is not in TLS returns RUV_EINVAL (or "" for the string queries).

use std::os::raw::{c_char, c_int};
use std::ptr;

use crate::core::error::{Result, EINVAL, ENOBUFS};

use super::handle::with_core;
use super::types::ruv_stream_t;

/// The IANA names rustls can agree on, as C strings (the core gives them as `&str`).
const CIPHERS: &[&std::ffi::CStr] = &[
    c"TLS_AES_128_GCM_SHA256",
    c"TLS_AES_256_GCM_SHA384",
    c"TLS_CHACHA20_POLY1305_SHA256",
    c"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    c"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    c"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    c"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    c"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    c"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// Copies `value` (none: length 0) into `buf` of `*len` bytes with a NUL after it, and sets
/// `*len` to its length; `RUV_ENOBUFS` (with `*len` the size needed, NUL included) when it
/// does not fit.
fn copy_out(value: Option<&[u8]>, buf: *mut c_char, len: *mut usize) -> Result<c_int> {
    let value = value.unwrap_or_default();
    // SAFETY: `len` was checked non-NULL by the caller and points at a size_t (API contract).
    let room = unsafe { len.read() };
    if room < value.len() + 1 {
        // SAFETY: as above.
        unsafe { len.write(value.len() + 1) };
        return Err(ENOBUFS);
    }
    // SAFETY: `buf` was checked non-NULL and holds `room` >= value.len() + 1 bytes.
    unsafe {
        ptr::copy_nonoverlapping(value.as_ptr(), buf.cast::<u8>(), value.len());
        buf.add(value.len()).write(0);
        len.write(value.len());
    }
    Ok(0)
}

ffi_fn! {
    /// The protocol version agreed: RUV_TLS_1_2 or RUV_TLS_1_3; RUV_EAGAIN before the handshake
    /// agreed one; RUV_EINVAL on a stream not in TLS.
    fn ruv_tls_get_version(s: *const ruv_stream_t) -> c_int {
        with_core(s, |core, id| core.tls_version(id))
    }
}

ffi_fn! {
    /// The ALPN protocol agreed, NUL-terminated, in `buf` of `*len` bytes; `*len` becomes its
    /// length (0: none agreed). Errors: RUV_ENOBUFS (`*len` set to the size needed), RUV_EINVAL.
    fn ruv_tls_get_alpn(s: *const ruv_stream_t, buf: *mut c_char, len: *mut usize) -> c_int {
        if buf.is_null() || len.is_null() {
            return Err(EINVAL);
        }
        with_core(s, |core, id| copy_out(core.tls_alpn(id)?, buf, len))
    }
}

ffi_fn! {
    /// On a server's stream, the name the client asked for (SNI), NUL-terminated, in `buf` of
    /// `*len` bytes; `*len` becomes its length (0: none, and always on a client's stream).
    /// Errors: RUV_ENOBUFS (`*len` set to the size needed), RUV_EINVAL.
    fn ruv_tls_get_server_name(s: *const ruv_stream_t, buf: *mut c_char, len: *mut usize) -> c_int {
        if buf.is_null() || len.is_null() {
            return Err(EINVAL);
        }
        with_core(s, |core, id| copy_out(core.tls_server_name(id)?.map(str::as_bytes), buf, len))
    }
}

ffi_fn! {
    /// The peer's certificate number `index` (0: the peer's own, then its chain) as DER, valid
    /// until the stream is closed. Errors: RUV_ENOENT (past the end, or none received),
    /// RUV_EINVAL (NULL, not TLS).
    fn ruv_tls_get_peer_cert(
        s: *const ruv_stream_t,
        index: usize,
        der: *mut *const u8,
        len: *mut usize,
    ) -> c_int {
        if der.is_null() || len.is_null() {
            return Err(EINVAL);
        }
        let (p, n) = with_core(s, |core, id| {
            let cert = core.tls_peer_cert(id, index)?;
            Ok((cert.as_ptr(), cert.len()))
        })?;
        // SAFETY: both out-params are non-NULL (checked) and writable (API contract); the
        // bytes live in the session until the stream closes.
        unsafe {
            der.write(p);
            len.write(n);
        }
        Ok(0)
    }
}

ffi_fn! {
    /// The IANA name of the cipher suite agreed, or "" (before the handshake agreed one, or
    /// on a stream not in TLS). Never NULL.
    fn ruv_tls_get_cipher(s: *const ruv_stream_t) -> *const c_char {
        let name = with_core(s, |core, id| core.tls_cipher(id)).unwrap_or("");
        CIPHERS
            .iter()
            .find(|c| c.to_bytes() == name.as_bytes())
            .map_or(c"".as_ptr(), |c| c.as_ptr())
    }
}

ffi_fn! {
    /// The detail of the stream's last TLS error, or "" (none, or not a TLS stream); never ""
    /// after RUV_ECERT or RUV_ETLS was reported. Valid until the next call on the stream.
    fn ruv_tls_last_error(s: *const ruv_stream_t) -> *const c_char {
        with_core(s, |core, id| Ok(core.tls_last_error(id)?.as_ptr())).unwrap_or(c"".as_ptr())
    }
}

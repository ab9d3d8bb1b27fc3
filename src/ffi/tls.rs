//! The C API of TLS (DESIGN.md §9), part one: configurations and `ruv_tls_start`. The queries
//! are in [`super::tls_query`].
//!
//! A `ruv_tls_config_t *` points at a [`ConfigObj`]: a magic number (checked on every call) and
//! the core's [`TlsConfig`] behind a lock, so a config may be shared by loops in several
//! threads once it is used (it is then frozen; `set_*` return `RUV_EBUSY`).

use std::os::raw::{c_char, c_int};
use std::sync::Mutex;

use crate::core::error::{Result, EINVAL};
use crate::core::tls_config::{read_file, TlsConfig};

use super::addr::c_str;
use super::handle::with_core;
use super::live_set::LiveSet;
use super::types::ruv_stream_t;

/// Called once when a TLS handshake ends: 0, or RUV_ECERT, RUV_ETLS, a socket error, or
/// RUV_ECANCELED when the stream was closed first.
pub type ruv_tls_handshake_cb =
    Option<unsafe extern "C" fn(stream: *mut ruv_stream_t, status: c_int)>;

/// TLS 1.2 (the protocol's own version number).
pub const RUV_TLS_1_2: c_int = 0x0303;
/// TLS 1.3 (the protocol's own version number).
pub const RUV_TLS_1_3: c_int = 0x0304;

const _: () = {
    assert!(RUV_TLS_1_2 == crate::core::tls_config::TLS_1_2);
    assert!(RUV_TLS_1_3 == crate::core::tls_config::TLS_1_3);
};

/// Opaque C type of a TLS configuration (its typedef is in the header's prelude).
#[repr(C)]
pub struct ruv_tls_config_t {
    _private: [u8; 0],
}

const CONFIG_MAGIC: u32 = 0x5255_5443; // "RUTC"

/// Every config that exists: a config pointer is read only when it is one of them.
static CONFIGS: LiveSet = LiveSet::new();

/// What a `ruv_tls_config_t *` points at (magic first).
#[repr(C)]
struct ConfigObj {
    magic: u32,
    config: Mutex<TlsConfig>,
}

/// Checks a config pointer and runs `f` on its config (locked).
fn with_config<R>(
    c: *const ruv_tls_config_t,
    f: impl FnOnce(&mut TlsConfig) -> Result<R>,
) -> Result<R> {
    if c.is_null() || !CONFIGS.contains(c) {
        return Err(EINVAL);
    }
    // SAFETY: `c` is in CONFIGS: made by hand_out and not freed yet (ruv_tls_config_free
    // removes it before freeing it), so it points at a live ConfigObj.
    let obj = unsafe { &*c.cast::<ConfigObj>() };
    if obj.magic != CONFIG_MAGIC {
        return Err(EINVAL);
    }
    let mut config = obj.config.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut config)
}

/// Stores a new config in `*out`.
fn hand_out(out: *mut *mut ruv_tls_config_t, config: Result<TlsConfig>) -> Result<c_int> {
    if out.is_null() {
        return Err(EINVAL);
    }
    let obj = Box::new(ConfigObj {
        magic: CONFIG_MAGIC,
        config: Mutex::new(config?),
    });
    let ptr = Box::into_raw(obj);
    CONFIGS.insert(ptr);
    // SAFETY: `out` is non-NULL and points at the caller's pointer variable (API contract).
    unsafe { out.write(ptr.cast()) };
    Ok(0)
}

/// `len` bytes at `ptr` (NULL only with `len` 0), or `EINVAL`.
fn bytes<'a>(ptr: *const c_char, len: usize) -> Result<&'a [u8]> {
    if ptr.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: the caller passes `len` readable bytes at `ptr` (API contract).
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

ffi_fn! {
    /// Creates a client config in `*out`, trusting the system's roots (replace them with
    /// ruv_tls_config_set_roots_pem/_file). Errors: RUV_EINVAL (NULL).
    fn ruv_tls_config_new_client(out: *mut *mut ruv_tls_config_t) -> c_int {
        hand_out(out, Ok(TlsConfig::client()))
    }
}

ffi_fn! {
    /// Creates a server config in `*out` presenting the PEM certificate chain with its PEM private
    /// key. Errors: RUV_EINVAL (NULL, unparsable PEM, a key that does not match the
    /// certificate).
    fn ruv_tls_config_new_server(
        cert_chain_pem: *const c_char,
        cert_len: usize,
        key_pem: *const c_char,
        key_len: usize,
        out: *mut *mut ruv_tls_config_t,
    ) -> c_int {
        if out.is_null() {
            return Err(EINVAL);
        }
        let config = TlsConfig::server(bytes(cert_chain_pem, cert_len)?, bytes(key_pem, key_len)?);
        hand_out(out, config)
    }
}

ffi_fn! {
    /// ruv_tls_config_new_server with the PEM read from two files. Errors: as
    /// ruv_tls_config_new_server, and the file's own (RUV_ENOENT, RUV_EACCES, …).
    fn ruv_tls_config_new_server_files(
        cert_chain_path: *const c_char,
        key_path: *const c_char,
        out: *mut *mut ruv_tls_config_t,
    ) -> c_int {
        if out.is_null() {
            return Err(EINVAL);
        }
        let chain = read_file(c_str(cert_chain_path)?)?;
        let key = read_file(c_str(key_path)?)?;
        hand_out(out, TlsConfig::server(&chain, &key))
    }
}

ffi_fn! {
    /// Client: trusts only the PEM certificates given (replacing the system's roots). Errors:
    /// RUV_EINVAL (NULL, unparsable, a server config), RUV_EBUSY (already used by a stream).
    fn ruv_tls_config_set_roots_pem(c: *mut ruv_tls_config_t, pem: *const c_char, len: usize) -> c_int {
        let pem = bytes(pem, len)?;
        with_config(c, |c| c.set_roots_pem(pem))?;
        Ok(0)
    }
}

ffi_fn! {
    /// ruv_tls_config_set_roots_pem with the PEM read from a file. Errors: as
    /// ruv_tls_config_set_roots_pem, and the file's own (RUV_ENOENT, …).
    fn ruv_tls_config_set_roots_file(c: *mut ruv_tls_config_t, path: *const c_char) -> c_int {
        with_config(c, |_| Ok(()))?;
        let pem = read_file(c_str(path)?)?;
        with_config(c, |c| c.set_roots_pem(&pem))?;
        Ok(0)
    }
}

ffi_fn! {
    /// The ALPN protocols to offer (client) or accept (server), most preferred first; `n` 0
    /// clears them. Errors: RUV_EINVAL (NULL, an empty or over-255-byte name), RUV_EBUSY.
    fn ruv_tls_config_set_alpn(
        c: *mut ruv_tls_config_t,
        protocols: *const *const c_char,
        n: usize,
    ) -> c_int {
        let mut list = Vec::with_capacity(n);
        if n > 0 {
            if protocols.is_null() {
                return Err(EINVAL);
            }
            // SAFETY: `protocols` is non-NULL and holds `n` string pointers (API contract).
            let ptrs = unsafe { std::slice::from_raw_parts(protocols, n) };
            for &p in ptrs {
                list.push(c_str(p)?.as_bytes().to_vec());
            }
        }
        with_config(c, |c| c.set_alpn(list))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Client: the PEM certificate chain and key to present when a server asks for one. Errors:
    /// RUV_EINVAL (NULL, unparsable, mismatched key, a server config), RUV_EBUSY.
    fn ruv_tls_config_set_client_cert(
        c: *mut ruv_tls_config_t,
        chain_pem: *const c_char,
        chain_len: usize,
        key_pem: *const c_char,
        key_len: usize,
    ) -> c_int {
        let (chain, key) = (bytes(chain_pem, chain_len)?, bytes(key_pem, key_len)?);
        with_config(c, |c| c.set_client_cert(chain, key))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Server: requires every client to present a certificate chaining to the PEM CAs given; a
    /// missing or untrusted one fails the handshake with RUV_ECERT. Errors: RUV_EINVAL (NULL,
    /// unparsable, a client config), RUV_EBUSY.
    fn ruv_tls_config_require_client_cert(
        c: *mut ruv_tls_config_t,
        ca_pem: *const c_char,
        len: usize,
    ) -> c_int {
        let pem = bytes(ca_pem, len)?;
        with_config(c, |c| c.require_client_cert(pem))?;
        Ok(0)
    }
}

ffi_fn! {
    /// The protocol versions allowed, RUV_TLS_1_2 or RUV_TLS_1_3 each (default: both). Errors:
    /// RUV_EINVAL (unknown version, min > max, NULL), RUV_EBUSY.
    fn ruv_tls_config_set_versions(c: *mut ruv_tls_config_t, min: c_int, max: c_int) -> c_int {
        with_config(c, |c| c.set_versions(min, max))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Session resumption (client session cache, server tickets and cache): 1 (the default) or
    /// 0. Errors: RUV_EINVAL (NULL), RUV_EBUSY.
    fn ruv_tls_config_set_resumption(c: *mut ruv_tls_config_t, enable: c_int) -> c_int {
        with_config(c, |c| c.set_resumption(enable != 0))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Frees a config; streams that use it keep what they need. NULL is ignored.
    fn ruv_tls_config_free(c: *mut ruv_tls_config_t) {
        if with_config(c, |_| Ok(())).is_ok() && CONFIGS.remove(c) {
            // SAFETY: `c` is a live config made by hand_out (magic checked) and freed once (the
            // API contract); the magic is cleared first so a second free is caught while the
            // memory is still mapped the same way.
            let mut obj = unsafe { Box::from_raw(c.cast::<ConfigObj>()) };
            obj.magic = 0;
            drop(obj);
        }
    }
}

ffi_fn! {
    /// Starts TLS on a connected stream (TCP or pipe): from now on its reads deliver plaintext
    /// and its writes take plaintext. A client config needs `server_name` (a DNS name, sent as
    /// SNI, or an IP literal), a server config takes NULL. `cb(s, status)` runs once from the
    /// loop when the handshake ends. Errors: RUV_EINVAL (NULL, not connected, closing, already
    /// TLS, shut down, a name that does not fit the config), RUV_EBUSY (plaintext writes still
    /// queued).
    fn ruv_tls_start(
        s: *mut ruv_stream_t,
        c: *const ruv_tls_config_t,
        server_name: *const c_char,
        cb: ruv_tls_handshake_cb,
    ) -> c_int {
        let name = if server_name.is_null() { None } else { Some(c_str(server_name)?) };
        with_config(c, |config| with_core(s, |core, id| core.tls_start(id, config, name, cb)))?;
        Ok(0)
    }
}

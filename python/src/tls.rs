//! TLS for Python (DESIGN.md §9): `ruv.TLSConfig` and, on every stream (`TCP`, `Pipe`),
//! `start_tls(config, server_hostname, callback)` with the `tls_version`, `alpn_protocol` and
//! `peer_certificate` properties. Errors raise `ruv.error.TLSError`.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use ruv::core::error::{Code, EINVAL};
use ruv::core::tls_config::{read_file, TlsConfig};

use crate::errors::{closed, tls_error};
use crate::handle::{query, update_pin};
use crate::loop_obj::Loop;
use crate::stream::{check_callable, complete_request, Stream};

/// A TLS configuration: `TLSConfig.client(...)` or `TLSConfig.server(...)`. Immutable once a
/// stream used it.
#[pyclass(module = "ruv", name = "TLSConfig", frozen)]
pub struct TlsConfigObj {
    config: Mutex<TlsConfig>,
}

fn check(py: Python<'_>, r: Result<(), Code>) -> PyResult<()> {
    r.map_err(|code| tls_error(py, code))
}

fn pem_file(py: Python<'_>, path: &str) -> PyResult<Vec<u8>> {
    read_file(path).map_err(|code| tls_error(py, code))
}

fn alpn_list(alpn: Option<Vec<String>>) -> Vec<Vec<u8>> {
    alpn.unwrap_or_default()
        .into_iter()
        .map(String::into_bytes)
        .collect()
}

#[pymethods]
impl TlsConfigObj {
    /// TLSConfig.client(cafile=None, cadata=None, alpn=None, certfile=None, keyfile=None)
    ///
    /// A client configuration trusting the system's roots, or only the PEM CAs of `cafile`
    /// and/or `cadata`; `alpn` a list of protocol names; `certfile`/`keyfile` a client
    /// certificate for servers that ask for one.
    #[staticmethod]
    #[pyo3(signature = (cafile = None, cadata = None, alpn = None, certfile = None, keyfile = None))]
    fn client(
        py: Python<'_>,
        cafile: Option<String>,
        cadata: Option<String>,
        alpn: Option<Vec<String>>,
        certfile: Option<String>,
        keyfile: Option<String>,
    ) -> PyResult<Self> {
        let mut config = TlsConfig::client();
        if cafile.is_some() || cadata.is_some() {
            let mut pem = match &cafile {
                Some(path) => pem_file(py, path)?,
                None => Vec::new(),
            };
            pem.push(b'\n');
            pem.extend_from_slice(cadata.unwrap_or_default().as_bytes());
            check(py, config.set_roots_pem(&pem))?;
        }
        check(py, config.set_alpn(alpn_list(alpn)))?;
        match (certfile, keyfile) {
            (Some(cert), Some(key)) => {
                let (cert, key) = (pem_file(py, &cert)?, pem_file(py, &key)?);
                check(py, config.set_client_cert(&cert, &key))?;
            }
            (None, None) => {}
            _ => return Err(tls_error(py, EINVAL)),
        }
        Ok(TlsConfigObj {
            config: Mutex::new(config),
        })
    }

    /// TLSConfig.server(certfile, keyfile, alpn=None, client_ca=None)
    ///
    /// A server configuration presenting the PEM chain `certfile` with the PEM key `keyfile`;
    /// with `client_ca` (a PEM file) every client must present a certificate it signed.
    #[staticmethod]
    #[pyo3(signature = (certfile, keyfile, alpn = None, client_ca = None))]
    fn server(
        py: Python<'_>,
        certfile: String,
        keyfile: String,
        alpn: Option<Vec<String>>,
        client_ca: Option<String>,
    ) -> PyResult<Self> {
        let (cert, key) = (pem_file(py, &certfile)?, pem_file(py, &keyfile)?);
        let mut config = TlsConfig::server(&cert, &key).map_err(|code| tls_error(py, code))?;
        check(py, config.set_alpn(alpn_list(alpn)))?;
        if let Some(path) = client_ca {
            check(py, config.require_client_cert(&pem_file(py, &path)?))?;
        }
        Ok(TlsConfigObj {
            config: Mutex::new(config),
        })
    }
}

#[pymethods]
impl Stream {
    /// start_tls(config, server_hostname, callback)
    ///
    /// Starts TLS on the connected stream: from now on reads deliver plaintext and writes take
    /// plaintext. A client config needs `server_hostname` (a DNS name or IP address, which the
    /// certificate must match), a server config takes None. `callback(handle, error)` runs once
    /// when the handshake ends (error None, or a negative code: UV_ECERT, UV_ETLS, …).
    #[pyo3(signature = (config, server_hostname, callback))]
    fn start_tls(
        slf: &Bound<'_, Self>,
        config: &Bound<'_, TlsConfigObj>,
        server_hostname: Option<String>,
        callback: PyObject,
    ) -> PyResult<()> {
        let py = slf.py();
        check_callable(py, Some(&callback), "a callable is required")?;
        let h = slf.as_super().get();
        if h.st.get(py)?.closing {
            return Err(closed(py));
        }
        let config = config
            .get()
            .config
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let name = server_hostname.as_deref();
        check(
            py,
            query(py, h, |c, id| c.tls_start(id, &config, name, ()))?,
        )?;
        slf.get().st.get_mut(py)?.handshake_cb = Some(callback);
        h.st.get_mut(py)?.pending += 1;
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// The TLS version agreed (0x0303 for TLS 1.2, 0x0304 for 1.3), or None.
    #[getter]
    fn tls_version(slf: &Bound<'_, Self>) -> PyResult<Option<i32>> {
        query(slf.py(), slf.as_super().get(), |c, id| {
            c.tls_version(id).ok()
        })
    }

    /// The ALPN protocol agreed, or None.
    #[getter]
    fn alpn_protocol(slf: &Bound<'_, Self>) -> PyResult<Option<String>> {
        query(slf.py(), slf.as_super().get(), |c, id| {
            let p = c.tls_alpn(id).ok().flatten()?;
            Some(String::from_utf8_lossy(p).into_owned())
        })
    }

    /// The peer's certificate (DER bytes), or None.
    #[getter]
    fn peer_certificate<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let py = slf.py();
        query(py, slf.as_super().get(), |c, id| {
            c.tls_peer_cert(id, 0).ok().map(|d| PyBytes::new(py, d))
        })
    }
}

/// Handshake dispatch.
pub fn on_handshake(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, code: i32) {
    // SAFETY: handshakes are dispatched for stream handles only (TCP, Pipe), whose objects are
    // Streams.
    unsafe { complete_request(lp, obj, code, |st| st.handshake_cb.take()) }
}

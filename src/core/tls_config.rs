//! A TLS configuration as users build it (`ruv_tls_config_*`, `ruv.TLSConfig`): the side
//! (client or server), trust roots, ALPN, certificates, versions and resumption. It is
//! mutable until its first use by a stream; [`TlsConfig::freeze`] then builds the rustls
//! configuration once, and every stream holds that (shared) for its life, so freeing the
//! user's config never affects a stream.
//!
//! Verification is always on: chains to the configured roots (the system's by default),
//! validity dates, and the DNS or IP name. No setting turns it off.

use std::sync::{Arc, OnceLock};

use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{NoServerSessionStorage, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, KeyLogFile, RootCertStore, ServerConfig, SupportedProtocolVersion};

use super::error::{Result, EBUSY, EINVAL};

/// TLS 1.2's protocol version number (`RUV_TLS_1_2`).
pub const TLS_1_2: i32 = 0x0303;
/// TLS 1.3's protocol version number (`RUV_TLS_1_3`).
pub const TLS_1_3: i32 = 0x0304;

/// A certificate chain and its private key.
struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// The rustls configuration a frozen [`TlsConfig`] gives every stream that uses it.
#[derive(Clone)]
pub enum Built {
    /// A client's.
    Client(Arc<ClientConfig>),
    /// A server's.
    Server(Arc<ServerConfig>),
}

/// A TLS configuration being built; see the module docs.
pub struct TlsConfig {
    /// The server's identity, or `None` for a client.
    server: Option<Identity>,
    /// Trust roots replacing the system's (client), or the CAs client certificates must chain
    /// to (server, when client certificates are required).
    roots: Option<RootCertStore>,
    alpn: Vec<Vec<u8>>,
    /// A client's own certificate, presented when a server asks.
    client_identity: Option<Identity>,
    versions: (i32, i32),
    resumption: bool,
    /// The key log of `SSLKEYLOGFILE`, opened when the config was made (if it was set).
    keylog: Option<Arc<KeyLogFile>>,
    built: OnceLock<Built>,
}

/// The crypto provider every config uses.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .clone()
}

/// Every certificate in `pem` (at least one), or `EINVAL`.
pub fn parse_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| EINVAL)?;
    if certs.is_empty() {
        return Err(EINVAL);
    }
    Ok(certs)
}

/// A store of the roots in `pem` (at least one, all valid trust anchors), or `EINVAL`.
pub fn parse_roots(pem: &[u8]) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    for cert in parse_certs(pem)? {
        store.add(cert).map_err(|_| EINVAL)?;
    }
    Ok(store)
}

/// A chain and the key that matches its first certificate, or `EINVAL`.
fn parse_identity(chain_pem: &[u8], key_pem: &[u8]) -> Result<Identity> {
    let chain = parse_certs(chain_pem)?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| EINVAL)?;
    CertifiedKey::from_der(chain.clone(), key.clone_key(), &provider()).map_err(|_| EINVAL)?;
    Ok(Identity { chain, key })
}

/// The bytes of the file at `path`, or its error code (`ENOENT`, `EACCES`, …).
pub fn read_file(path: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| super::error::from_io(&e))
}

impl TlsConfig {
    fn new(server: Option<Identity>) -> TlsConfig {
        TlsConfig {
            server,
            roots: None,
            alpn: Vec::new(),
            client_identity: None,
            versions: (TLS_1_2, TLS_1_3),
            resumption: true,
            keylog: std::env::var_os("SSLKEYLOGFILE").map(|_| Arc::new(KeyLogFile::new())),
            built: OnceLock::new(),
        }
    }

    /// A client config trusting the system's roots.
    pub fn client() -> TlsConfig {
        TlsConfig::new(None)
    }

    /// A server config presenting `chain_pem` with `key_pem` (`EINVAL` if either does not
    /// parse or the key does not match the certificate).
    pub fn server(chain_pem: &[u8], key_pem: &[u8]) -> Result<TlsConfig> {
        Ok(TlsConfig::new(Some(parse_identity(chain_pem, key_pem)?)))
    }

    /// Whether this is a client's config.
    pub fn is_client(&self) -> bool {
        self.server.is_none()
    }

    /// `EBUSY` once a stream has used the config.
    fn editable(&mut self) -> Result<&mut TlsConfig> {
        if self.built.get().is_some() {
            return Err(EBUSY);
        }
        Ok(self)
    }

    /// Client: trusts only the roots in `pem` (replacing the system's).
    pub fn set_roots_pem(&mut self, pem: &[u8]) -> Result<()> {
        let c = self.editable()?;
        if !c.is_client() {
            return Err(EINVAL);
        }
        c.roots = Some(parse_roots(pem)?);
        Ok(())
    }

    /// The ALPN protocols to offer (client) or accept (server), in preference order; empty
    /// protocols → `EINVAL`.
    pub fn set_alpn(&mut self, protocols: Vec<Vec<u8>>) -> Result<()> {
        let c = self.editable()?;
        if protocols.iter().any(|p| p.is_empty() || p.len() > 255) {
            return Err(EINVAL);
        }
        c.alpn = protocols;
        Ok(())
    }

    /// Client: the certificate (chain and key) to present when a server asks for one.
    pub fn set_client_cert(&mut self, chain_pem: &[u8], key_pem: &[u8]) -> Result<()> {
        let c = self.editable()?;
        if !c.is_client() {
            return Err(EINVAL);
        }
        c.client_identity = Some(parse_identity(chain_pem, key_pem)?);
        Ok(())
    }

    /// Server: requires a client certificate chaining to the CAs in `ca_pem`.
    pub fn require_client_cert(&mut self, ca_pem: &[u8]) -> Result<()> {
        let c = self.editable()?;
        if c.is_client() {
            return Err(EINVAL);
        }
        c.roots = Some(parse_roots(ca_pem)?);
        Ok(())
    }

    /// The protocol versions allowed, `min` to `max` (`TLS_1_2`, `TLS_1_3`).
    pub fn set_versions(&mut self, min: i32, max: i32) -> Result<()> {
        let known = |v| v == TLS_1_2 || v == TLS_1_3;
        if !known(min) || !known(max) || min > max {
            return Err(EINVAL);
        }
        self.editable()?.versions = (min, max);
        Ok(())
    }

    /// Session resumption (a client's session cache, a server's tickets and cache): on by
    /// default.
    pub fn set_resumption(&mut self, enable: bool) -> Result<()> {
        self.editable()?.resumption = enable;
        Ok(())
    }

    /// The rustls configuration, built on the first call (from then on the config is frozen).
    pub fn freeze(&self) -> Result<Built> {
        if let Some(built) = self.built.get() {
            return Ok(built.clone());
        }
        let built = self.build()?;
        Ok(self.built.get_or_init(|| built).clone())
    }

    fn protocol_versions(&self) -> Vec<&'static SupportedProtocolVersion> {
        let mut v = Vec::new();
        if self.versions.0 <= TLS_1_3 && self.versions.1 >= TLS_1_3 {
            v.push(&rustls::version::TLS13);
        }
        if self.versions.0 <= TLS_1_2 {
            v.push(&rustls::version::TLS12);
        }
        v
    }

    fn build(&self) -> Result<Built> {
        let versions = self.protocol_versions();
        let tls_err = |_| EINVAL;
        match &self.server {
            None => {
                let roots = match &self.roots {
                    Some(r) => r.clone(),
                    None => system_roots(),
                };
                let builder = ClientConfig::builder_with_provider(provider())
                    .with_protocol_versions(&versions)
                    .map_err(tls_err)?
                    .with_root_certificates(roots);
                let mut config = match &self.client_identity {
                    Some(id) => builder
                        .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
                        .map_err(tls_err)?,
                    None => builder.with_no_client_auth(),
                };
                config.alpn_protocols = self.alpn.clone();
                if !self.resumption {
                    config.resumption = Resumption::disabled();
                }
                if let Some(log) = &self.keylog {
                    config.key_log = log.clone();
                }
                Ok(Built::Client(Arc::new(config)))
            }
            Some(id) => {
                let builder = ServerConfig::builder_with_provider(provider())
                    .with_protocol_versions(&versions)
                    .map_err(tls_err)?;
                let builder = match &self.roots {
                    Some(cas) => {
                        let verifier = WebPkiClientVerifier::builder_with_provider(
                            Arc::new(cas.clone()),
                            provider(),
                        )
                        .build()
                        .map_err(|_| EINVAL)?;
                        builder.with_client_cert_verifier(verifier)
                    }
                    None => builder.with_no_client_auth(),
                };
                let mut config = builder
                    .with_single_cert(id.chain.clone(), id.key.clone_key())
                    .map_err(tls_err)?;
                config.alpn_protocols = self.alpn.clone();
                if !self.resumption {
                    config.session_storage = Arc::new(NoServerSessionStorage {});
                    config.send_tls13_tickets = 0;
                }
                if let Some(log) = &self.keylog {
                    config.key_log = log.clone();
                }
                Ok(Built::Server(Arc::new(config)))
            }
        }
    }
}

/// The system's trust roots (loaded once per process; those that fail to parse are skipped).
fn system_roots() -> RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut store = RootCertStore::empty();
            let loaded = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(loaded.certs);
            store
        })
        .clone()
}

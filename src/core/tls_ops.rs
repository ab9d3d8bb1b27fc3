//! The TLS operations a user calls on a stream: `tls_start`, `try_write` on a TLS stream, and
//! the queries (version, ALPN, server name, peer certificates, cipher suite, last error).

use std::ffi::CStr;
use std::io::{IoSlice, Write};

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConnection, Connection, ServerConnection};

use super::error::{self, Result, EAGAIN, EBUSY, EINVAL, ENOENT};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::stream::State;
use super::tls::{code_of, session, TlsSession};
use super::tls_config::{Built, TlsConfig};

/// Most plaintext one `try_write` encrypts.
const TRY_WRITE_MAX: usize = 64 * 1024;

impl<H: Host> Loop<H> {
    /// Makes the connected stream `id` a TLS stream with `config` and starts the handshake;
    /// `cb` runs (from the loop) once it ends. A client config needs `server_name` (a DNS name
    /// or an IP literal), a server config takes none. `EINVAL`: not a connected stream, closing,
    /// already TLS, shut down, or a name that does not fit the config; `EBUSY`: plaintext writes
    /// are still queued.
    pub fn tls_start(
        &mut self,
        id: HandleId,
        config: &TlsConfig,
        server_name: Option<&str>,
        cb: H::HandshakeCb,
    ) -> Result<()> {
        let t = self.stream(id)?;
        if t.state != State::Connected || t.is_tls() || t.sock.is_none() || t.write_shut {
            return Err(EINVAL);
        }
        if config.is_client() != server_name.is_some() {
            return Err(EINVAL);
        }
        if !t.writes.is_empty() {
            return Err(EBUSY);
        }
        // The name is checked before the config is frozen: a refused start changes nothing.
        let name = server_name
            .map(|n| ServerName::try_from(n.to_owned()).map_err(|_| EINVAL))
            .transpose()?;
        let conn: Connection = match (config.freeze()?, name) {
            (Built::Client(c), Some(name)) => ClientConnection::new(c, name)
                .map_err(|e| code_of(&e))?
                .into(),
            (Built::Server(c), None) => ServerConnection::new(c).map_err(|e| code_of(&e))?.into(),
            _ => return Err(EINVAL),
        };
        let t = self.stream_mut(id)?;
        t.settings_mut().tls = Some(Box::new(TlsSession::new(conn, cb)));
        self.requests += 1;
        self.tls_flush(id);
        self.schedule_io(id);
        Ok(())
    }

    /// `try_write` on a TLS stream: encrypts up to 64 KiB of `bufs` and writes the records;
    /// `EAGAIN` (nothing taken) during the handshake, while writes are queued or earlier
    /// records are still unsent, or when the socket takes none of them.
    pub(crate) fn tls_try_write(&mut self, id: HandleId, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let t = self.stream_mut(id)?;
        let Some(tls) = session(&mut t.settings) else {
            return Err(EINVAL);
        };
        if !tls.handshake_reported || tls.handshaking() || tls.conn.wants_write() {
            return Err(EAGAIN);
        }
        if let Some(code) = tls.failed {
            return Err(code);
        }
        let mut taken = 0;
        for buf in bufs {
            let room = TRY_WRITE_MAX - taken;
            if room == 0 {
                break;
            }
            let n = error::sys(tls.conn.writer().write(&buf[..buf.len().min(room)]))?;
            taken += n;
            if n < buf.len().min(room) {
                break;
            }
        }
        // Records the socket does not take at once stay in the session and go out before
        // anything written later; the bytes count as taken (they cannot be taken back).
        match t.transport.io(&mut t.sock, |io| tls.send_pending(io)) {
            Some(Ok(true)) => Ok(taken),
            Some(Ok(false)) => {
                t.ready_write = false;
                Ok(taken)
            }
            Some(Err(e)) => {
                tls.fail(error::from_io(&e), format!("socket error: {e}"));
                let code = tls.failed.unwrap_or(EINVAL);
                self.tls_fail(id);
                Err(code)
            }
            None => Err(error::EBADF),
        }
    }

    /// The TLS session of a live stream, or `EINVAL` (not a stream, closing, not TLS).
    fn tls_session(&self, id: HandleId) -> Result<&TlsSession<H>> {
        self.stream(id)?.tls().ok_or(EINVAL)
    }

    /// The negotiated protocol version (`TLS_1_2` or `TLS_1_3`); `EAGAIN` before the handshake
    /// has agreed one.
    pub fn tls_version(&self, id: HandleId) -> Result<i32> {
        let tls = self.tls_session(id)?;
        let v = tls.conn.protocol_version().ok_or(EAGAIN)?;
        Ok(i32::from(u16::from(v)))
    }

    /// The agreed ALPN protocol, if any.
    pub fn tls_alpn(&self, id: HandleId) -> Result<Option<&[u8]>> {
        Ok(self.tls_session(id)?.conn.alpn_protocol())
    }

    /// The name the client sent (SNI), on a server's stream; `None` on a client's or without
    /// SNI.
    pub fn tls_server_name(&self, id: HandleId) -> Result<Option<&str>> {
        Ok(match &self.tls_session(id)?.conn {
            Connection::Server(s) => s.server_name(),
            Connection::Client(_) => None,
        })
    }

    /// The peer's certificate number `index` (0 = its own, then its chain); `ENOENT` past the
    /// end or before the peer sent any.
    pub fn tls_peer_cert(&self, id: HandleId, index: usize) -> Result<&CertificateDer<'static>> {
        let certs = self.tls_session(id)?.conn.peer_certificates();
        certs.and_then(|c| c.get(index)).ok_or(ENOENT)
    }

    /// The negotiated cipher suite's IANA name, or "" before one is agreed.
    pub fn tls_cipher(&self, id: HandleId) -> Result<&'static str> {
        let suite = self.tls_session(id)?.conn.negotiated_cipher_suite();
        Ok(suite.map_or("", |s| iana_name(s.suite().as_str().unwrap_or(""))))
    }

    /// The detail of the last TLS error of the stream ("" when none).
    pub fn tls_last_error(&self, id: HandleId) -> Result<&CStr> {
        Ok(&self.tls_session(id)?.last_error)
    }
}

/// rustls names TLS 1.3 suites `TLS13_*`; IANA names them `TLS_*`.
fn iana_name(rustls_name: &'static str) -> &'static str {
    match rustls_name {
        "TLS13_AES_128_GCM_SHA256" => "TLS_AES_128_GCM_SHA256",
        "TLS13_AES_256_GCM_SHA384" => "TLS_AES_256_GCM_SHA384",
        "TLS13_CHACHA20_POLY1305_SHA256" => "TLS_CHACHA20_POLY1305_SHA256",
        other => other,
    }
}

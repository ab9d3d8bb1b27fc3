//! TLS as a layer on a stream (DESIGN.md §9): the session a stream carries once `tls_start`
//! made it a TLS stream, how rustls reaches the stream's descriptor, and how rustls' errors
//! become ruv's codes.
//!
//! A TLS stream stays the same [`super::stream::Stream`] (a TCP or pipe handle, with its
//! options): its write queue holds plaintext, which is encrypted a chunk at a time once the
//! handshake is over; a write completes when the records carrying its last byte are wholly on
//! the socket. Reads pull ciphertext into rustls and hand its plaintext to the same read
//! callback. The loop-side operations are in [`super::tls_io`] and [`super::tls_ops`].

use std::ffi::CString;
use std::io::{self, IoSlice, Read, Write};

use rustls::{AlertDescription, Connection, Error};

use super::error::{Code, ECERT, ETLS};
use super::fd_io::Io;
use super::host::Host;
use super::stream::StreamSettings;

/// The TLS state of one stream.
pub struct TlsSession<H: Host> {
    /// The rustls connection (client or server).
    pub(crate) conn: Connection,
    /// The handshake callback, until its completion is queued.
    pub(crate) handshake_cb: Option<H::HandshakeCb>,
    /// The handshake's outcome was queued for its callback.
    pub(crate) handshake_reported: bool,
    /// The handshake callback ran: read data may be delivered from now on.
    pub(crate) handshake_seen: bool,
    /// Plaintext bytes at the front of the write queue already encrypted into `conn`, whose
    /// records are not yet wholly on the socket.
    pub(crate) in_flight: usize,
    /// close_notify was queued (by a shutdown).
    pub(crate) close_notify_sent: bool,
    /// The socket read its end.
    pub(crate) eof: bool,
    /// The session failed with this code (TLS or socket): reported to a reader once.
    pub(crate) failed: Option<Code>,
    /// The failure was delivered to the read callback.
    pub(crate) failure_read: bool,
    /// The detail of the last TLS error ("" when none), as C reads it.
    pub(crate) last_error: CString,
}

impl<H: Host> TlsSession<H> {
    /// A session over `conn` whose handshake reports to `cb`.
    pub fn new(conn: Connection, cb: H::HandshakeCb) -> Self {
        TlsSession {
            conn,
            handshake_cb: Some(cb),
            handshake_reported: false,
            handshake_seen: false,
            in_flight: 0,
            close_notify_sent: false,
            eof: false,
            failed: None,
            failure_read: false,
            last_error: CString::default(),
        }
    }

    /// Still handshaking, with no failure.
    pub fn handshaking(&self) -> bool {
        self.failed.is_none() && self.conn.is_handshaking()
    }

    /// Records a failure with `code`; `detail` becomes the last error when it says more.
    pub fn fail(&mut self, code: Code, detail: String) {
        if self.failed.is_none() {
            self.failed = Some(code);
        }
        self.set_detail(detail);
    }

    /// Sets the last error's detail (kept when `detail` is empty).
    pub fn set_detail(&mut self, detail: String) {
        if let Ok(text) = CString::new(detail.replace('\0', " ")) {
            if !text.is_empty() {
                self.last_error = text;
            }
        }
    }

    /// Writes the ciphertext rustls holds to `io`: `Ok(true)` when all of it went out,
    /// `Ok(false)` when the socket blocked, else the socket's error.
    pub fn send_pending(&mut self, io: Io<'_>) -> io::Result<bool> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut Wire(io)) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads ciphertext from `io` into rustls once (`Ok(0)` at the end of the stream).
    pub fn receive(&mut self, io: Io<'_>) -> io::Result<usize> {
        loop {
            match self.conn.read_tls(&mut Wire(io)) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

/// The TLS session kept in a stream's settings, if the stream is a TLS stream (a function of
/// the field, so the stream's other fields stay free to borrow).
pub fn session<H: Host>(
    settings: &mut Option<Box<StreamSettings<H>>>,
) -> Option<&mut TlsSession<H>> {
    settings.as_deref_mut()?.tls.as_deref_mut()
}

/// The stream's descriptor as rustls reads and writes it.
struct Wire<'a>(Io<'a>);

impl Read for Wire<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read_buf(buf)
    }
}

impl Write for Wire<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_bufs(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.write_bufs(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The ruv code of a rustls error: `ECERT` for a rejected certificate (ours or the peer's,
/// as an alert says), else `ETLS`.
pub fn code_of(e: &Error) -> Code {
    match e {
        Error::InvalidCertificate(_)
        | Error::NoCertificatesPresented
        | Error::InvalidCertRevocationList(_) => ECERT,
        Error::AlertReceived(alert) if is_certificate_alert(*alert) => ECERT,
        _ => ETLS,
    }
}

/// Whether a peer's alert is about a certificate.
fn is_certificate_alert(alert: AlertDescription) -> bool {
    matches!(
        alert,
        AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateRequired
            | AlertDescription::BadCertificateStatusResponse
            | AlertDescription::BadCertificateHashValue
            | AlertDescription::CertificateUnobtainable
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::CertificateError;

    #[test]
    fn certificate_failures_and_alerts_are_ecert_and_the_rest_etls() {
        assert_eq!(
            code_of(&Error::InvalidCertificate(CertificateError::Expired)),
            ECERT
        );
        assert_eq!(code_of(&Error::NoCertificatesPresented), ECERT);
        assert_eq!(
            code_of(&Error::AlertReceived(AlertDescription::UnknownCA)),
            ECERT
        );
        assert_eq!(
            code_of(&Error::AlertReceived(AlertDescription::CertificateRequired)),
            ECERT
        );
        assert_eq!(
            code_of(&Error::AlertReceived(AlertDescription::HandshakeFailure)),
            ETLS
        );
        assert_eq!(code_of(&Error::DecryptError), ETLS);
    }
}

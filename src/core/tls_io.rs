//! A TLS stream's I/O in the loop: driving the handshake, reading plaintext out of rustls,
//! encrypting and flushing the queued writes, close_notify on shutdown, and failing cleanly.
//!
//! Order (DESIGN.md §9): the handshake callback is queued when the handshake ends, ahead of
//! every write or shutdown completion; read data waits until that callback has run.

use std::io::{self, Read, Write};

use super::dispatch::{Dispatch, ReadChunk, ReadResult};
use super::error::{self, ECONNRESET, EOF};
use super::event_loop::{Completion, Loop, Work};
use super::handle_table::HandleId;
use super::host::Host;
use super::stream_io::{any_stream, live_stream};
use super::tls::{code_of, session};

/// Reads (of ciphertext) per wakeup before other handles get a turn.
const RECEIVE_ROUNDS: u32 = 32;
/// Plaintext encrypted per step of a flush (a few records).
const ENCRYPT_CHUNK: usize = 64 * 1024;

impl<H: Host> Loop<H> {
    /// Acts on a connected TLS stream's readiness; returns a read callback when one is due.
    pub(crate) fn tls_process(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        for rounds in 0.. {
            if rounds == RECEIVE_ROUNDS {
                // Enough for this wakeup; what the socket still holds gives no new edge.
                self.schedule_io(id);
                break;
            }
            let (t, owner) = live_stream(&mut self.handles, id)?;
            let tls = session(&mut t.settings)?;
            if tls.handshaking() {
                if !self.tls_receive(id) {
                    break;
                }
                continue;
            }
            if !tls.handshake_reported {
                self.tls_report_handshake(id);
                continue;
            }
            if !tls.handshake_seen || !t.reading {
                break;
            }
            let cb = t.read_cb?;
            if let Some(code) = tls.failed {
                if tls.failure_read {
                    break;
                }
                tls.failure_read = true;
                return Some(self.tls_end_reading(id, owner, cb, code));
            }
            let mut buf = self.take_read_buffer();
            let (t, _) = live_stream(&mut self.handles, id)?;
            let tls = session(&mut t.settings)?;
            match tls.conn.reader().read(&mut buf) {
                Ok(0) => {
                    self.return_read_buffer(buf);
                    return Some(self.tls_end_reading(id, owner, cb, EOF));
                }
                Ok(len) => {
                    self.continue_later(id, round, RECEIVE_ROUNDS);
                    let result = ReadResult::Data(ReadChunk { buf, len });
                    return Some(Dispatch::Read { owner, cb, result });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.return_read_buffer(buf);
                    if !self.tls_receive(id) {
                        break;
                    }
                }
                Err(e) => {
                    // The socket ended without close_notify: a truncation, not a clean end.
                    self.return_read_buffer(buf);
                    let detail = format!("connection closed without close_notify ({e})");
                    if let Some(tls) = session(&mut live_stream(&mut self.handles, id)?.0.settings)
                    {
                        tls.set_detail(detail);
                    }
                    return Some(self.tls_end_reading(id, owner, cb, ECONNRESET));
                }
            }
        }
        self.tls_flush(id);
        None
    }

    /// Pulls ciphertext into rustls once and processes it; false when nothing came (the socket
    /// is drained, ended, or the session failed).
    fn tls_receive(&mut self, id: HandleId) -> bool {
        let Some((t, _)) = live_stream(&mut self.handles, id) else {
            return false;
        };
        let Some(tls) = session(&mut t.settings) else {
            return false;
        };
        if !t.ready_read || tls.eof || tls.failed.is_some() {
            return false;
        }
        let failure = match t.transport.io(&mut t.sock, |io| tls.receive(io)) {
            None => return false,
            Some(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                t.ready_read = false;
                return false;
            }
            Some(Err(e)) => Some((error::from_io(&e), format!("socket error: {e}"))),
            Some(Ok(n)) => {
                tls.eof = n == 0;
                match tls.conn.process_new_packets() {
                    Ok(_) if tls.eof && tls.conn.is_handshaking() => Some((
                        ECONNRESET,
                        "the peer closed the connection during the handshake".into(),
                    )),
                    Ok(_) => None,
                    Err(e) => Some((code_of(&e), e.to_string())),
                }
            }
        };
        if let Some((code, detail)) = failure {
            // rustls queued an alert for the peer: send it if the socket takes it.
            let _ = t.transport.io(&mut t.sock, |io| tls.send_pending(io));
            tls.fail(code, detail);
            self.tls_fail(id);
        }
        true
    }

    /// Queues the handshake callback (success), then lets the queued writes go.
    fn tls_report_handshake(&mut self, id: HandleId) {
        let Some((t, _)) = any_stream(&mut self.handles, id) else {
            return;
        };
        let Some(tls) = session(&mut t.settings) else {
            return;
        };
        tls.handshake_reported = true;
        if let Some(cb) = tls.handshake_cb.take() {
            self.queue
                .push_back(Work::Complete(id, Completion::Handshake(cb, 0)));
        }
        self.tls_flush(id);
    }

    /// After a failure recorded in the session: queues the handshake callback if it is still
    /// due, makes the stream unwritable and completes queued writes and a shutdown with the
    /// failure's code, in that order.
    pub(crate) fn tls_fail(&mut self, id: HandleId) {
        let Some((t, _)) = any_stream(&mut self.handles, id) else {
            return;
        };
        let Some(tls) = session(&mut t.settings) else {
            return;
        };
        let Some(code) = tls.failed else {
            return;
        };
        if !tls.handshake_reported {
            tls.handshake_reported = true;
            if let Some(cb) = tls.handshake_cb.take() {
                self.queue
                    .push_back(Work::Complete(id, Completion::Handshake(cb, code)));
            }
        }
        t.write_failed = true;
        if let Some(s) = t.settings.as_deref_mut() {
            s.congested = false;
        }
        self.fail_requests(id, code);
    }

    /// The handshake callback of `id` ran: read data may flow now.
    pub(crate) fn tls_handshake_dispatched(&mut self, id: HandleId) {
        let Some((t, _)) = live_stream(&mut self.handles, id) else {
            return;
        };
        if let Some(tls) = session(&mut t.settings) {
            tls.handshake_seen = true;
            if t.reading {
                self.schedule_io(id);
            }
        }
    }

    /// Ends reading with `code` (EOF or an error) and hands it to the read callback.
    fn tls_end_reading(
        &mut self,
        id: HandleId,
        owner: H::Owner,
        cb: H::ReadCb,
        code: i32,
    ) -> Dispatch<H> {
        if let Some((t, _)) = live_stream(&mut self.handles, id) {
            t.reading = false;
            t.readable = false;
        }
        self.refresh_active(id);
        self.continue_later(id, 0, RECEIVE_ROUNDS);
        Dispatch::Read {
            owner,
            cb,
            result: ReadResult::Error(code),
        }
    }

    /// After a write was queued on a TLS stream: flushes, then judges congestion.
    pub(crate) fn tls_queued_write(&mut self, id: HandleId) -> error::Result<()> {
        self.tls_flush(id);
        if let Some((t, _)) = any_stream(&mut self.handles, id) {
            if let Some(s) = t.settings.as_deref_mut() {
                s.judge(t.writes.size());
            }
        }
        Ok(())
    }

    /// Sends pending ciphertext, retires the writes whose records all went out, and encrypts
    /// more of the queue (once the handshake was reported), until the socket blocks or the
    /// queue is empty; then the drain callback and a due shutdown, as a plain flush does.
    pub(crate) fn tls_flush(&mut self, id: HandleId) {
        let Some((t, _)) = any_stream(&mut self.handles, id) else {
            return;
        };
        let Some(tls) = session(&mut t.settings) else {
            return;
        };
        if tls.failed.is_some() || t.sock.is_none() {
            return;
        }
        let (queue, requests) = (&mut self.queue, &mut self.requests);
        let outcome = loop {
            match t.transport.io(&mut t.sock, |io| tls.send_pending(io)) {
                Some(Ok(true)) => {}
                Some(Ok(false)) => {
                    t.ready_write = false;
                    break Ok(false);
                }
                Some(Err(e)) => break Err(e),
                None => return,
            }
            t.writes
                .retire(std::mem::take(&mut tls.in_flight), |cb, silent| {
                    if silent {
                        *requests -= 1;
                    } else {
                        queue.push_back(Work::Complete(id, Completion::Write(cb, 0)));
                    }
                });
            if !tls.handshake_reported || tls.conn.is_handshaking() {
                break Ok(true);
            }
            let front = t.writes.front();
            let take = front.len().min(ENCRYPT_CHUNK);
            if take == 0 {
                break Ok(true);
            }
            match tls.conn.writer().write(&front[..take]) {
                Ok(n) if n > 0 => tls.in_flight = n,
                _ => break Ok(true),
            }
        };
        match outcome {
            Err(e) => {
                tls.fail(error::from_io(&e), format!("socket error: {e}"));
                self.tls_fail(id);
            }
            Ok(all_out) => {
                if t.settings
                    .as_deref_mut()
                    .is_some_and(|s| s.drained(t.writes.size()))
                {
                    self.queue_drain(id);
                }
                if all_out {
                    self.tls_finish_shutdown(id);
                }
            }
        }
    }

    /// A requested shutdown, once the queue is empty after the handshake: close_notify, then
    /// (when it is wholly on the socket) the write side's shutdown and the callback.
    pub(crate) fn tls_finish_shutdown(&mut self, id: HandleId) {
        let Some((t, _)) = any_stream(&mut self.handles, id) else {
            return;
        };
        let Some(tls) = session(&mut t.settings) else {
            return;
        };
        if t.shutdown_cb.is_none()
            || !t.writes.is_empty()
            || !tls.handshake_reported
            || tls.handshaking()
            || tls.failed.is_some()
        {
            return;
        }
        if !tls.close_notify_sent {
            tls.close_notify_sent = true;
            tls.conn.send_close_notify();
        }
        match t.transport.io(&mut t.sock, |io| tls.send_pending(io)) {
            Some(Ok(true)) => {}
            Some(Ok(false)) => {
                t.ready_write = false;
                return;
            }
            Some(Err(e)) => {
                tls.fail(error::from_io(&e), format!("socket error: {e}"));
                return self.tls_fail(id);
            }
            None => return,
        }
        if let Some(cb) = t.shutdown_cb.take() {
            self.shut_write(id, cb);
        }
    }
}

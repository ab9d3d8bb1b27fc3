//! The bytes of a TCP handle that were accepted by `write` but not yet sent, with one request
//! (and callback) per write, in FIFO order.
//!
//! All queued bytes live in one ring buffer, so many small writes go out in a single `writev`
//! of at most two slices, and a queued write costs no allocation of its own. The queue is
//! allocated on first use, so a handle that never queues (an idle one, or one whose writes
//! always go out at once) pays one pointer for it.

use std::collections::VecDeque;
use std::io::{self, IoSlice};

use super::error::{self, Code};
use super::fd_io::Io;
use super::socket;

/// Capacity above which an emptied ring buffer is released rather than kept for reuse.
const KEEP_CAPACITY: usize = 256 * 1024;

struct Request<C> {
    /// Bytes of this write still in the ring buffer.
    remaining: usize,
    cb: C,
    /// No callback to call: consecutive silent writes share one record.
    silent: bool,
}

/// How a flush ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Flush {
    /// Everything was sent.
    Drained,
    /// The socket's send buffer is full; wait for writability.
    Blocked,
    /// The socket failed with this code; the queue still holds the failed requests.
    Failed(Code),
}

/// Queued write requests and their unsent bytes.
pub struct WriteQueue<C> {
    queued: Option<Box<Queued<C>>>,
}

struct Queued<C> {
    bytes: VecDeque<u8>,
    requests: VecDeque<Request<C>>,
}

impl<C> Default for WriteQueue<C> {
    fn default() -> Self {
        WriteQueue { queued: None }
    }
}

impl<C: Copy> WriteQueue<C> {
    /// Whether no write request is queued.
    pub fn is_empty(&self) -> bool {
        self.queued.as_ref().map_or(true, |q| q.requests.is_empty())
    }

    /// Bytes accepted and not yet sent.
    pub fn size(&self) -> usize {
        self.queued.as_ref().map_or(0, |q| q.bytes.len())
    }

    /// Queues a write: copies every byte of `bufs` after the first `skip` (already sent).
    /// Returns whether a new request record was added (false when a silent write joined the
    /// silent record before it).
    pub fn push(&mut self, bufs: &[IoSlice<'_>], skip: usize, cb: C, silent: bool) -> bool {
        self.queued
            .get_or_insert_with(|| {
                Box::new(Queued {
                    bytes: VecDeque::new(),
                    requests: VecDeque::new(),
                })
            })
            .push(bufs, skip, cb, silent)
    }

    /// Sends queued bytes until the queue drains, the socket blocks or fails. Every request
    /// that completed is passed to `done` as (callback, silent), in order.
    pub fn flush(&mut self, io: Io<'_>, done: impl FnMut(C, bool)) -> Flush {
        match self.queued.as_mut() {
            Some(q) => q.flush(io, done),
            None => Flush::Drained,
        }
    }

    /// The first contiguous run of queued bytes (empty when none are queued).
    pub fn front(&self) -> &[u8] {
        self.queued.as_ref().map_or(&[], |q| q.bytes.as_slices().0)
    }

    /// Retires the first `n` queued bytes (sent by other means, e.g. encrypted and written by
    /// TLS); requests with nothing left complete, passed to `done` in order.
    pub fn retire(&mut self, n: usize, mut done: impl FnMut(C, bool)) {
        if let Some(q) = self.queued.as_mut() {
            q.bytes.drain(..n.min(q.bytes.len()));
            q.complete(n, &mut done);
            if q.bytes.is_empty() {
                q.release_if_large();
            }
        }
    }

    /// Removes every request, returning (callback, silent) in order (for cancel or failure).
    pub fn take_all(&mut self) -> impl Iterator<Item = (C, bool)> {
        let queued = self.queued.take();
        queued
            .into_iter()
            .flat_map(|q| q.requests.into_iter().map(|r| (r.cb, r.silent)))
    }
}

impl<C: Copy> Queued<C> {
    fn push(&mut self, bufs: &[IoSlice<'_>], mut skip: usize, cb: C, silent: bool) -> bool {
        let mut remaining = 0;
        for buf in bufs {
            let take = skip.min(buf.len());
            skip -= take;
            let rest = &buf[take..];
            self.bytes.extend(rest.iter());
            remaining += rest.len();
        }
        match self.requests.back_mut() {
            Some(last) if silent && last.silent => {
                last.remaining += remaining;
                false
            }
            _ => {
                self.requests.push_back(Request {
                    remaining,
                    cb,
                    silent,
                });
                true
            }
        }
    }

    fn flush(&mut self, io: Io<'_>, mut done: impl FnMut(C, bool)) -> Flush {
        loop {
            let (front, back) = self.bytes.as_slices();
            let offered = front.len() + back.len();
            if offered == 0 {
                self.complete(0, &mut done);
                self.release_if_large();
                return Flush::Drained;
            }
            let sent = match socket::send(io, &[IoSlice::new(front), IoSlice::new(back)]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Flush::Blocked,
                Err(e) => return Flush::Failed(error::from_io(&e)),
            };
            self.bytes.drain(..sent);
            self.complete(sent, &mut done);
            if sent < offered {
                return Flush::Blocked;
            }
        }
    }

    /// Retires `sent` bytes from the front requests; requests with nothing left complete.
    fn complete(&mut self, mut sent: usize, done: &mut impl FnMut(C, bool)) {
        while let Some(front) = self.requests.front_mut() {
            if front.remaining > sent {
                front.remaining -= sent;
                return;
            }
            sent -= front.remaining;
            let (cb, silent) = (front.cb, front.silent);
            self.requests.pop_front();
            done(cb, silent);
        }
    }

    fn release_if_large(&mut self) {
        if self.bytes.capacity() > KEEP_CAPACITY {
            self.bytes = VecDeque::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_skips_sent_prefix_across_buffers() {
        let mut q = WriteQueue::default();
        assert!(q.push(&[IoSlice::new(b"abc"), IoSlice::new(b"defg")], 4, 1, false));
        assert_eq!(q.size(), 3);
        assert!(q.push(&[IoSlice::new(b"")], 0, 2, false));
        assert_eq!(q.size(), 3);
        assert!(q.push(&[IoSlice::new(b"hi")], 0, 0, true));
        assert!(!q.push(&[IoSlice::new(b"there")], 0, 0, true));
        assert_eq!(q.size(), 10);
        let inner = q.queued.as_mut().unwrap();
        let mut done = Vec::new();
        inner.complete(2, &mut |c, _| done.push(c));
        assert!(done.is_empty());
        inner.complete(1, &mut |c, _| done.push(c));
        assert_eq!(done, vec![1, 2]);
        inner.complete(6, &mut |c, _| done.push(c));
        assert_eq!(done, vec![1, 2]);
        inner.complete(1, &mut |c, silent| done.push(c + usize::from(silent) * 10));
        assert_eq!(done, vec![1, 2, 10]);
        assert!(q.is_empty());
        assert_eq!(q.take_all().count(), 0);
    }

    #[test]
    fn front_and_retire_complete_requests_in_order() {
        let mut q = WriteQueue::default();
        assert!(q.front().is_empty());
        q.retire(5, |_: usize, _| panic!("nothing queued"));
        q.push(&[IoSlice::new(b"abc")], 0, 1, false);
        q.push(&[IoSlice::new(b"")], 0, 2, false);
        q.push(&[IoSlice::new(b"de")], 0, 3, false);
        assert_eq!(q.front(), b"abcde");
        let mut done = Vec::new();
        q.retire(2, |c, _| done.push(c));
        assert!(done.is_empty());
        assert_eq!(q.front(), b"cde");
        q.retire(1, |c, _| done.push(c));
        assert_eq!(
            done,
            vec![1, 2],
            "the empty write completes with the one before it"
        );
        q.retire(2, |c, _| done.push(c));
        assert_eq!(done, vec![1, 2, 3]);
        assert!(q.is_empty() && q.size() == 0);
    }
}

//! Flow control of a TCP handle's writes: the watermarks and the write limit.
//!
//! * **Watermarks** inform. Congestion is judged in `tcp_write`, after a write left bytes in the
//!   queue: above `high` (strictly) the handle is congested. A flush that leaves `low` bytes or
//!   fewer ends the congestion and queues the drain callback as pending work, behind the write
//!   callbacks of that flush and ahead of a shutdown's; it runs from the loop, at most once per
//!   congestion, and is dropped if by then the handle is closing or a write failed (those
//!   complete the writes instead).
//! * **The write limit** refuses. A write arriving while bytes are queued is refused whole
//!   (`ENOBUFS`, nothing queued) if it would take the queue past the limit; a write into an
//!   empty queue is always accepted, so a stream is never cut inside a write and the queue stays
//!   at most the limit plus one write.

use std::io::IoSlice;

use super::dispatch::Dispatch;
use super::error::{Result, EINVAL};
use super::event_loop::{Loop, Work};
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::stream::Settings;

impl<H: Host> Loop<H> {
    /// Sets the watermarks: with `high` > 0 the handle is congested once its write queue rises
    /// above `high`, and `cb` runs once when it then falls to `low` or less. `high` 0 turns them
    /// off. `EINVAL` if `low` > `high` or `cb` is missing with `high` > 0. A handle already
    /// congested stays congested and drains at the new `low`.
    pub fn stream_set_watermarks(
        &mut self,
        id: HandleId,
        low: usize,
        high: usize,
        cb: Option<H::DrainCb>,
    ) -> Result<()> {
        if low > high || (high > 0 && cb.is_none()) {
            return Err(EINVAL);
        }
        let t = self.stream_mut(id)?;
        if high == 0 && t.settings.is_none() {
            return Ok(());
        }
        let queued = t.writes.size();
        let s = t.settings_mut();
        s.low = low;
        s.high = high;
        s.drain_cb = if high > 0 { cb } else { None };
        if high == 0 {
            s.congested = false;
        }
        if s.drained(queued) {
            self.queue_drain(id);
        }
        Ok(())
    }

    /// Limits the write queue to `max` bytes (0: no limit, the default); see the module docs.
    pub fn stream_set_write_limit(&mut self, id: HandleId, max: usize) -> Result<()> {
        let t = self.stream_mut(id)?;
        if max > 0 || t.settings.is_some() {
            t.settings_mut().write_limit = max;
        }
        Ok(())
    }

    /// Queues the drain callback of `id` (a pending callback: it keeps the loop alive).
    pub(crate) fn queue_drain(&mut self, id: HandleId) {
        self.requests += 1;
        self.queue.push_back(Work::Drain(id));
    }

    /// The drain callback of `id` if it is still due: the handle is open, no write failed and
    /// its watermarks are on.
    pub(crate) fn due_drain(&self, id: HandleId) -> Option<Dispatch<H>> {
        match self.handles.get(id)? {
            Handle {
                closing: false,
                owner,
                kind: Kind::Stream(t),
                ..
            } if !t.write_failed => Some(Dispatch::Drain {
                owner: *owner,
                cb: t.settings.as_ref()?.drain_cb?,
            }),
            _ => None,
        }
    }
}

impl<C, T> Settings<C, T> {
    /// Whether a write of `bufs` may join a queue of `queued` bytes under the write limit.
    pub(crate) fn admits(&self, queued: usize, bufs: &[IoSlice<'_>]) -> bool {
        if self.write_limit == 0 || queued == 0 {
            return true;
        }
        let len = bufs.iter().fold(0usize, |n, b| n.saturating_add(b.len()));
        queued.saturating_add(len) <= self.write_limit
    }

    /// Judges congestion after a write left `queued` bytes in the queue.
    pub(crate) fn judge(&mut self, queued: usize) {
        if self.high > 0 && queued > self.high {
            self.congested = true;
        }
    }

    /// After the queue shrank to `queued` bytes: whether a congestion ends now (it is cleared).
    pub(crate) fn drained(&mut self, queued: usize) -> bool {
        let drained = self.congested && queued <= self.low;
        if drained {
            self.congested = false;
        }
        drained
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_applies_only_behind_queued_bytes() {
        let mut s = Settings::<()>::default();
        let big = [IoSlice::new(&[0u8; 100])];
        assert!(s.admits(50, &big), "no limit");
        s.write_limit = 120;
        assert!(s.admits(0, &big), "an empty queue takes any write");
        assert!(s.admits(20, &big), "exactly the limit");
        assert!(!s.admits(21, &big), "one byte past the limit");
    }

    #[test]
    fn congestion_is_strictly_above_high_and_drains_at_low() {
        let mut s = Settings::<()> {
            low: 10,
            high: 100,
            ..Settings::default()
        };
        s.judge(100);
        assert!(!s.congested, "at high is not above it");
        assert!(!s.drained(0), "no drain without a congestion");
        s.judge(101);
        assert!(s.congested);
        assert!(!s.drained(11));
        assert!(s.drained(10));
        assert!(!s.drained(0), "one drain per congestion");
        s.high = 0;
        s.judge(1 << 20);
        assert!(!s.congested, "high 0 is off");
    }
}

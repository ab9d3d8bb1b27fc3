//! The loop's operations on timers: start, stop, again, repeat, due times, and the timer phase.

use super::error::{Result, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::timer::{Entry, Timer, COMPACT_SLACK};

/// Whether `e` is the live entry of an armed, not closing timer.
fn is_live<H: Host>(e: &Entry, h: Option<&Handle<H>>) -> bool {
    matches!(h, Some(Handle { closing: false, kind: Kind::Timer(t), .. }) if t.seq == e.seq)
}

impl<H: Host> Loop<H> {
    fn timer_mut(&mut self, id: HandleId) -> Result<&mut Timer<H>> {
        match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Timer(t),
                ..
            }) => Ok(t),
            _ => Err(EINVAL),
        }
    }

    fn timer(&self, id: HandleId) -> Result<&Timer<H>> {
        match self.handles.get(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Timer(t),
                ..
            }) => Ok(t),
            _ => Err(EINVAL),
        }
    }

    /// Creates a stopped timer.
    pub fn timer_new(&mut self, owner: H::Owner) -> HandleId {
        self.handles
            .insert(Handle::new(owner, Kind::Timer(Timer::new())))
    }

    /// (Re)starts the timer: due at `now + timeout`, then every `repeat` ms if `repeat` > 0.
    pub fn timer_start(
        &mut self,
        id: HandleId,
        cb: H::TimerCb,
        timeout: u64,
        repeat: u64,
    ) -> Result<()> {
        let now = self.now();
        let t = self.timer_mut(id)?;
        t.cb = Some(cb);
        t.repeat = repeat;
        self.timer_arm(id, now.saturating_add(timeout));
        self.refresh_active(id);
        Ok(())
    }

    /// Gives the timer a fresh heap entry due at `due` (its old entry, if any, goes stale).
    fn timer_arm(&mut self, id: HandleId, due: u64) {
        let timers = &mut self.timers;
        let Some(Handle {
            kind: Kind::Timer(t),
            ..
        }) = self.handles.get_mut(id)
        else {
            return;
        };
        if t.seq == 0 {
            timers.live += 1;
        }
        timers.last_seq += 1;
        t.seq = timers.last_seq;
        t.due = due;
        timers.heap.push(Entry {
            due,
            seq: t.seq,
            id,
        });
        if timers.heap.len() > 2 * timers.live + COMPACT_SLACK {
            let handles = &self.handles;
            timers.heap.retain(|e| is_live(e, handles.get(e.id)));
        }
    }

    /// Stops the timer (its heap entry goes stale); a no-op on a stopped timer.
    pub(crate) fn timer_disarm(&mut self, id: HandleId) {
        if let Some(Handle {
            kind: Kind::Timer(t),
            ..
        }) = self.handles.get_mut(id)
        {
            if t.seq != 0 {
                t.seq = 0;
                self.timers.live -= 1;
            }
        }
    }

    /// Stops the timer; 0 also when it was not started.
    pub fn timer_stop(&mut self, id: HandleId) -> Result<()> {
        self.timer(id)?;
        self.timer_disarm(id);
        self.refresh_active(id);
        Ok(())
    }

    /// Stops the timer and, if its repeat is non-zero, starts it with the repeat as timeout.
    /// `EINVAL` if it was never started.
    pub fn timer_again(&mut self, id: HandleId) -> Result<()> {
        let t = self.timer(id)?;
        let (Some(cb), repeat) = (t.cb, t.repeat) else {
            return Err(EINVAL);
        };
        self.timer_disarm(id);
        if repeat > 0 {
            self.timer_start(id, cb, repeat, repeat)?;
        }
        self.refresh_active(id);
        Ok(())
    }

    /// Sets the repeat interval; it takes effect when the timer next fires or is restarted.
    pub fn timer_set_repeat(&mut self, id: HandleId, repeat: u64) -> Result<()> {
        self.timer_mut(id)?.repeat = repeat;
        Ok(())
    }

    /// The repeat interval.
    pub fn timer_get_repeat(&self, id: HandleId) -> Result<u64> {
        Ok(self.timer(id)?.repeat)
    }

    /// Milliseconds until the timer is due; 0 when stopped or overdue.
    pub fn timer_get_due_in(&self, id: HandleId) -> Result<u64> {
        let t = self.timer(id)?;
        Ok(if t.is_armed() {
            t.due.saturating_sub(self.now())
        } else {
            0
        })
    }

    /// The due time of the nearest armed timer, dropping stale entries from the top.
    pub(crate) fn next_timer_due(&mut self) -> Option<u64> {
        while let Some(top) = self.timers.heap.peek() {
            if is_live(top, self.handles.get(top.id)) {
                return Some(top.due);
            }
            self.timers.heap.pop();
        }
        None
    }

    /// Starts a timer phase: timers (re)started from now on wait for the next one.
    pub(crate) fn begin_timer_phase(&mut self) {
        self.timers.phase_limit = self.timers.last_seq + 1;
    }

    /// The next due timer of this phase: re-armed first if it repeats, else stopped. Returns
    /// its owner and callback.
    pub(crate) fn next_due_timer(&mut self) -> Option<(H::Owner, H::TimerCb)> {
        let now = self.now();
        loop {
            self.next_timer_due()?;
            let top = *self.timers.heap.peek()?;
            if top.due > now || top.seq >= self.timers.phase_limit {
                return None;
            }
            self.timers.heap.pop();
            let h = self.handles.get(top.id)?;
            let Kind::Timer(t) = &h.kind else {
                continue;
            };
            let (owner, cb, repeat) = (h.owner, t.cb?, t.repeat);
            self.timer_disarm(top.id);
            if repeat > 0 {
                self.timer_arm(top.id, now.saturating_add(repeat));
            }
            self.refresh_active(top.id);
            return Some((owner, cb));
        }
    }
}

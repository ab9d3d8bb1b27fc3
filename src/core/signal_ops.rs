//! The loop's operations on signal handles: create, start, stop, and the deliveries of the I/O
//! phase.

use super::error::{Result, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::signal::{valid_signum, Signal};
use super::signal_shared::SignalShared;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

impl<H: Host> Loop<H> {
    fn signal_mut(&mut self, id: HandleId) -> Result<&mut Signal<H>> {
        match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Signal(s),
                ..
            }) => Ok(s),
            _ => Err(EINVAL),
        }
    }

    /// The loop's shared signal state, made on first use (with the loop's waker).
    fn signal_shared(&mut self) -> Result<Arc<SignalShared>> {
        if let Some(s) = &self.signals.shared {
            return Ok(Arc::clone(s));
        }
        let shared = Arc::new(SignalShared {
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            waker: self.waker()?,
        });
        self.signals.shared = Some(Arc::clone(&shared));
        Ok(shared)
    }

    /// Creates a stopped signal handle.
    pub fn signal_new(&mut self, owner: H::Owner) -> HandleId {
        let signal = Signal {
            signum: 0,
            oneshot: false,
            cb: None,
            seen: 0,
        };
        self.handles
            .insert(Handle::new(owner, Kind::Signal(signal)))
    }

    /// Starts watching `signum` (a started handle moves to it; on the same signal only the
    /// callback and the oneshot flag change). A oneshot handle stops before its first callback.
    /// `EINVAL` for an invalid signal number (and whatever the embedder's `sigaction` says).
    pub fn signal_start(
        &mut self,
        id: HandleId,
        cb: H::SignalCb,
        signum: i32,
        oneshot: bool,
    ) -> Result<()> {
        if !valid_signum(signum) {
            return Err(EINVAL);
        }
        let old = self.signal_mut(id)?.signum;
        if old != signum {
            let shared = self.signal_shared()?;
            // Read before the handler may count for this handle: every delivery caught from
            // now on gets a callback.
            let seen = shared.count(signum);
            H::signal_watch(&shared, signum)?;
            if old == 0 {
                self.signals.started.push(id);
            } else {
                H::signal_unwatch(&shared, old);
            }
            let s = self.signal_mut(id)?;
            s.signum = signum;
            s.seen = seen;
        }
        let s = self.signal_mut(id)?;
        s.cb = Some(cb);
        s.oneshot = oneshot;
        self.refresh_active(id);
        Ok(())
    }

    /// Stops watching (0 also when not started); no callback comes after this.
    pub fn signal_stop(&mut self, id: HandleId) -> Result<()> {
        self.signal_mut(id)?;
        self.signal_unlist(id);
        self.refresh_active(id);
        Ok(())
    }

    /// Marks the handle stopped, takes it off the started list and undoes its watch.
    pub(crate) fn signal_unlist(&mut self, id: HandleId) {
        let Some(Handle {
            kind: Kind::Signal(s),
            ..
        }) = self.handles.get_mut(id)
        else {
            return;
        };
        let signum = std::mem::take(&mut s.signum);
        if signum == 0 {
            return;
        }
        self.signals.started.retain(|&x| x != id);
        if let Some(shared) = &self.signals.shared {
            H::signal_unwatch(shared, signum);
        }
    }

    /// Starts the I/O phase's signal part: after the poll saw the waker (`woken`), lists each
    /// started handle with the delivery count to reach in this phase.
    pub(crate) fn begin_signal_phase(&mut self, woken: bool) {
        let state = &mut self.signals;
        state.scan.clear();
        let (true, Some(shared)) = (woken, &state.shared) else {
            return;
        };
        // Popped from the end: reversed, so they run in start order.
        for &id in state.started.iter().rev() {
            if let Some(Handle {
                kind: Kind::Signal(s),
                ..
            }) = self.handles.get(id)
            {
                state.scan.push((id, s.signum, shared.count(s.signum)));
            }
        }
    }

    /// The next signal callback of the running I/O phase: one per delivery per handle.
    pub(crate) fn next_signal(&mut self) -> Option<(H::Owner, H::SignalCb, i32)> {
        while let Some(&(id, signum, target)) = self.signals.scan.last() {
            let due = match self.handles.get_mut(id) {
                Some(Handle {
                    closing: false,
                    kind: Kind::Signal(s),
                    owner,
                    ..
                }) if s.signum == signum && (target.wrapping_sub(s.seen) as i64) > 0 => {
                    s.seen = s.seen.wrapping_add(1);
                    s.cb.map(|cb| (*owner, cb, s.oneshot))
                }
                _ => None,
            };
            let Some((owner, cb, oneshot)) = due else {
                self.signals.scan.pop();
                continue;
            };
            if oneshot {
                self.signals.scan.pop();
                self.signal_unlist(id);
                self.refresh_active(id);
            }
            return Some((owner, cb, signum));
        }
        None
    }
}

/// A loop dropped with started signal handles lets go of their signals (only Rust code can do
/// this: `ruv_loop_close` refuses while handles exist), so no disposition stays replaced.
impl<H: Host> Drop for Loop<H> {
    fn drop(&mut self) {
        for id in std::mem::take(&mut self.signals.started) {
            self.signal_unlist(id);
        }
    }
}

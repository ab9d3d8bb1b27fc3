//! Connect timeouts on the loop: a TCP handle with a timeout set (`tcp_set_connect_timeout`)
//! gets a deadline when `tcp_connect` or `tcp_connect_host` starts; if the connect is still
//! in progress when it passes, the attempt is abandoned (the socket closed, or the
//! `connect_host` request dropped) and the connect callback gets `ETIMEDOUT` from the pending
//! phase. The poll never sleeps past the nearest deadline.

use super::error::ETIMEDOUT;
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::stream::State;
use std::num::NonZeroI32;

impl<H: Host> Loop<H> {
    /// The connect timeout of handle `id` in ms (0 = none).
    pub(crate) fn connect_timeout(&self, id: HandleId) -> u64 {
        self.reqs.connect_opts.get(&id).map_or(0, |o| o.1)
    }

    /// Arms (or, with no timeout set, clears) the connect deadline of handle `id`.
    pub(crate) fn arm_connect_deadline(&mut self, id: HandleId) {
        self.reqs.deadlines.retain(|&(_, h)| h != id);
        let ms = self.connect_timeout(id);
        if ms > 0 {
            // From now, not from the cached time of the last iteration (which may be old).
            self.update_time();
            let due = self.now().saturating_add(ms);
            self.reqs.deadlines.push((due, id));
        }
    }

    /// The nearest connect deadline, if any.
    pub(crate) fn next_connect_deadline(&self) -> Option<u64> {
        self.reqs.deadlines.iter().map(|&(due, _)| due).min()
    }

    /// Fails the connects whose deadline passed (at the start of the pending phase).
    pub(crate) fn expire_connects(&mut self) {
        let now = self.now();
        let mut expired = Vec::new();
        self.reqs.deadlines.retain(|&(due, id)| {
            let keep = due > now;
            if !keep {
                expired.push(id);
            }
            keep
        });
        for id in expired {
            let Ok(t) = self.stream_mut(id) else {
                continue;
            };
            if t.state != State::Connecting || t.connect_cb.is_none() || t.delayed_error.is_some() {
                continue;
            }
            // Stop the attempt: a plain connect's socket is closed (a new one is made by the
            // next connect), a connect_host's request is abandoned.
            if t.sock.take().is_some() {
                t.registered = false;
            }
            t.delayed_error = NonZeroI32::new(ETIMEDOUT);
            if let Some(req) = self.reqs.connecting.remove(&id) {
                self.drop_request(req);
            }
            self.schedule_io(id);
        }
    }
}

//! The phases of an iteration that run callbacks, and how each hands them out one at a time
//! ([`Loop::next_dispatch`]); the order of the phases is in [`super::run`].

use super::dispatch::Dispatch;
use super::event_loop::{Completion, Loop, PendingStage, Work};
use super::handle::{IoRole, Kind};
use super::handle_table::HandleId;
use super::hooks::HookPhase;
use super::host::Host;

/// The phases of an iteration that run callbacks (see [`super::run`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    /// Due timers.
    Timers,
    /// Completions, close callbacks, carried-over reads and accepts.
    Pending,
    /// Idle, prepare or check hooks.
    Hooks(HookPhase),
    /// What the poll produced: async handles, signal handles, then I/O (TCP and poll handles).
    Io,
}

impl<H: Host> Loop<H> {
    /// Whether `phase` may have a callback to run now (a cheap look; `false` means skip it).
    #[inline]
    pub(crate) fn phase_has_work(&self, phase: Phase) -> bool {
        match phase {
            Phase::Timers => self.timers.earliest().is_some_and(|due| due <= self.now_ms),
            Phase::Pending => {
                !self.queue.is_empty()
                    || !self.carried.is_empty()
                    || self.continuation.is_some()
                    || self.reqs.ready(self.now_ms)
            }
            Phase::Hooks(p) => self.hooks.any_started(p),
            Phase::Io => self.woken || !self.io_queue.is_empty() || self.continuation.is_some(),
        }
    }

    /// Whether any timer entry exists (armed, or stale and not yet dropped).
    pub(crate) fn has_timers(&self) -> bool {
        self.timers.earliest().is_some()
    }

    /// Starts a phase; returns how many items of pending work it may run (step 3 only).
    pub(crate) fn begin_phase(&mut self, phase: Phase) -> usize {
        match phase {
            Phase::Timers => self.begin_timer_phase(),
            Phase::Pending => {
                self.collect_requests();
                self.pending_stage = PendingStage::Carried;
                self.budget = self.carried.len();
            }
            Phase::Hooks(p) => self.begin_hook_phase(p),
            Phase::Io => {
                let woken = std::mem::take(&mut self.woken);
                self.begin_async_phase(woken);
                self.begin_signal_phase(woken);
                self.budget = self.io_queue.len();
            }
        }
        if phase == Phase::Pending {
            self.carried.len() + self.queue.len()
        } else {
            0
        }
    }

    /// The next user callback of `phase`, or `None` when the phase is done.
    pub fn next_dispatch(&mut self, phase: Phase) -> Option<Dispatch<H>> {
        match phase {
            Phase::Timers => self
                .next_due_timer()
                .map(|(owner, cb)| Dispatch::Timer { owner, cb }),
            Phase::Hooks(_) => self
                .next_hook()
                .map(|(owner, cb)| Dispatch::Hook { owner, cb }),
            Phase::Pending => loop {
                let next = match self.pending_stage {
                    PendingStage::Carried => {
                        self.next_work(|l| l.carried.pop_front().map(Work::Io))
                    }
                    _ => self.next_work(|l| l.queue.pop_front()),
                };
                if next.is_some() {
                    return next;
                }
                self.pending_stage = match self.pending_stage {
                    PendingStage::Carried => PendingStage::Queued,
                    PendingStage::Queued if !self.queue.is_empty() => PendingStage::Requeued,
                    _ => return None,
                };
                self.budget = self.queue.len();
            },
            Phase::Io => {
                if let Some((owner, cb)) = self.next_async() {
                    return Some(Dispatch::Async { owner, cb });
                }
                if let Some((owner, cb, signum)) = self.next_signal() {
                    return Some(Dispatch::Signal { owner, cb, signum });
                }
                self.next_work(|l| l.io_queue.pop_front().map(Work::Io))
            }
        }
    }

    /// Runs the continuation, then up to `budget` items taken by `take`, until one produces a
    /// callback.
    fn next_work(&mut self, take: impl Fn(&mut Self) -> Option<Work<H>>) -> Option<Dispatch<H>> {
        loop {
            if let Some((id, round)) = self.continuation.take() {
                if let Some(d) = self.continue_io(id, round) {
                    return Some(d);
                }
                continue;
            }
            if self.budget == 0 {
                return None;
            }
            self.budget -= 1;
            let work = take(self)?;
            if let Some(d) = self.run_work(work) {
                return Some(d);
            }
        }
    }

    /// Goes on with the handle a continuation names (a stream or UDP handle).
    fn continue_io(&mut self, id: HandleId, round: u32) -> Option<Dispatch<H>> {
        match self.handles.get_mut(id)?.kind.io_role()?.0 {
            IoRole::Datagram => self.udp_process(id, round),
            _ => self.process_io(id, round),
        }
    }

    fn run_work(&mut self, work: Work<H>) -> Option<Dispatch<H>> {
        match work {
            Work::Io(id) => match self.handles.get_mut(id)?.kind.io_role()? {
                (IoRole::Stream, queued) => {
                    *queued = false;
                    self.process_io(id, 0)
                }
                (IoRole::Datagram, queued) => {
                    *queued = false;
                    self.udp_process(id, 0)
                }
                (IoRole::Poll, _) => self.poll_ready(id),
            },
            Work::Complete(id, completion) => {
                self.requests -= 1;
                let handle = self.handles.get_mut(id)?;
                let owner = handle.owner;
                if let (Kind::Udp(u), Completion::UdpSend(..)) = (&mut handle.kind, &completion) {
                    u.in_flight -= 1;
                    self.refresh_active(id);
                }
                Some(match completion {
                    Completion::Connect(cb, status) => Dispatch::Connect { owner, cb, status },
                    Completion::Write(cb, status) => Dispatch::Write { owner, cb, status },
                    Completion::Shutdown(cb, status) => Dispatch::Shutdown { owner, cb, status },
                    Completion::UdpSend(cb, status) => Dispatch::UdpSend { owner, cb, status },
                    Completion::Handshake(cb, status) => {
                        self.tls_handshake_dispatched(id);
                        Dispatch::Handshake { owner, cb, status }
                    }
                })
            }
            Work::Drain(id) => {
                self.requests -= 1;
                self.due_drain(id)
            }
            Work::Req(id) => self.request_due(id),
            Work::Close(id, cb) => {
                let owner = self.handles.get(id)?.owner;
                Some(Dispatch::Close {
                    owner,
                    cb,
                    handle: id,
                })
            }
        }
    }
}

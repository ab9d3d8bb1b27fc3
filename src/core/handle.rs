//! Handles of every kind, in one table behind one id space.
//!
//! A loop keeps all its handles in one [`HandleTable`](super::handle_table::HandleTable) of
//! [`Handle`]: the state every kind shares (owner, closing, reference, active accounting) plus a
//! [`Kind`] with the kind's own state. The generic operations — close, ref/unref, is_active,
//! is_closing, the type — live here once and dispatch on the kind only where a kind differs
//! (what "active" means, what closing must stop). A kind's operations check the kind and
//! answer `EINVAL` for a handle of another kind, so a wrong-kind pointer is an error, not a
//! misinterpretation. A new kind (a Unix-domain stream, say) is one more [`Kind`] variant, one
//! more [`HandleType`] and its own operations module.

use super::async_handle::Async;
use super::error::{Result, EINVAL};
use super::event_loop::{Loop, Work};
use super::handle_table::HandleId;
use super::hooks::{Hook, HookPhase};
use super::host::Host;
use super::poll::Poll;
use super::signal::Signal;
use super::tcp::Tcp;
use super::timer::Timer;
use super::udp::Udp;

/// The kind of a handle; the values are the C `ruv_handle_type` values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HandleType {
    /// A TCP stream or listener.
    Tcp = 1,
    /// A timer.
    Timer = 2,
    /// A cross-thread wakeup.
    Async = 3,
    /// Runs once per iteration, before prepare; keeps the poll from blocking.
    Idle = 4,
    /// Runs once per iteration, right before the poll.
    Prepare = 5,
    /// Runs once per iteration, right after the I/O callbacks.
    Check = 6,
    /// Watches a descriptor ruv does not own.
    Poll = 7,
    /// Watches a POSIX signal.
    Signal = 8,
    /// A pipe: a stream over a Unix-domain socket, or a pipe or FIFO end.
    NamedPipe = 9,
    /// A UDP socket.
    Udp = 10,
}

/// The state of one kind of handle.
pub enum Kind<H: Host> {
    /// A TCP handle.
    Tcp(Tcp<H>),
    /// A timer.
    Timer(Timer<H>),
    /// An async handle.
    Async(Async<H>),
    /// An idle, prepare or check handle.
    Hook(Hook<H>),
    /// A poll handle.
    Poll(Poll<H>),
    /// A signal handle.
    Signal(Signal<H>),
    /// A UDP handle.
    Udp(Udp<H>),
}

/// One handle: the state every kind shares, and its kind's own.
pub struct Handle<H: Host> {
    /// The embedder's identity for this handle.
    pub owner: H::Owner,
    /// `close` was called; the close callback has not run yet.
    pub(crate) closing: bool,
    pub(crate) has_ref: bool,
    /// Whether this handle is counted in the loop's active referenced handles.
    pub(crate) counted_active: bool,
    pub(crate) kind: Kind<H>,
}

impl<H: Host> Handle<H> {
    /// A new, referenced, not closing handle.
    pub fn new(owner: H::Owner, kind: Kind<H>) -> Self {
        Handle {
            owner,
            closing: false,
            has_ref: true,
            counted_active: false,
            kind,
        }
    }

    /// The handle's type.
    pub fn handle_type(&self) -> HandleType {
        match &self.kind {
            Kind::Tcp(t) if t.is_pipe() => HandleType::NamedPipe,
            Kind::Tcp(_) => HandleType::Tcp,
            Kind::Timer(_) => HandleType::Timer,
            Kind::Async(_) => HandleType::Async,
            Kind::Hook(h) => h.phase.handle_type(),
            Kind::Poll(_) => HandleType::Poll,
            Kind::Signal(_) => HandleType::Signal,
            Kind::Udp(_) => HandleType::Udp,
        }
    }

    /// Active in libuv's sense (and not closing): a TCP handle listening, connecting or
    /// reading; a started timer, hook, poll or signal handle; an async handle until it is
    /// closed; a UDP handle receiving or with sends whose callbacks have not run.
    pub fn is_active(&self) -> bool {
        !self.closing
            && match &self.kind {
                Kind::Tcp(t) => t.is_active(),
                Kind::Timer(t) => t.is_armed(),
                Kind::Async(_) => true,
                Kind::Hook(h) => h.is_started(),
                Kind::Poll(p) => p.is_started(),
                Kind::Signal(s) => s.is_started(),
                Kind::Udp(u) => u.is_active(),
            }
    }
}

impl<H: Host> Loop<H> {
    /// A live handle (closing or not), or `EINVAL`.
    pub(crate) fn handle(&self, id: HandleId) -> Result<&Handle<H>> {
        self.handles.get(id).ok_or(EINVAL)
    }

    /// The type of a live handle.
    pub fn handle_type(&self, id: HandleId) -> Result<HandleType> {
        Ok(self.handle(id)?.handle_type())
    }

    /// Recomputes whether `id` counts as an active referenced handle.
    pub(crate) fn refresh_active(&mut self, id: HandleId) {
        if let Some(h) = self.handles.get_mut(id) {
            let want = h.is_active() && h.has_ref;
            if want != h.counted_active {
                h.counted_active = want;
                if want {
                    self.active_refs += 1;
                } else {
                    self.active_refs -= 1;
                }
            }
        }
    }

    /// Closes a handle of any kind: it stops at once (a TCP handle's socket is closed now), the
    /// callbacks of its pending requests are queued (cancelled), then its close callback, the
    /// last one it gets. `EINVAL` if it is already closing.
    pub fn close(&mut self, id: HandleId, cb: H::CloseCb) -> Result<()> {
        let h = self.handles.get_mut(id).ok_or(EINVAL)?;
        if h.closing {
            return Err(EINVAL);
        }
        h.closing = true;
        match h.handle_type() {
            HandleType::Tcp | HandleType::NamedPipe => self.tcp_close(id),
            HandleType::Timer => self.timer_disarm(id),
            HandleType::Async => self.async_close(id),
            HandleType::Idle => self.hook_unlist(id, HookPhase::Idle),
            HandleType::Prepare => self.hook_unlist(id, HookPhase::Prepare),
            HandleType::Check => self.hook_unlist(id, HookPhase::Check),
            HandleType::Poll => self.poll_unwatch(id),
            HandleType::Signal => self.signal_unlist(id),
            HandleType::Udp => self.udp_close(id),
        }
        self.queue.push_back(Work::Close(id, cb));
        self.closing += 1;
        self.refresh_active(id);
        Ok(())
    }

    /// Whether the handle is active (and not closing).
    pub fn is_active(&self, id: HandleId) -> Result<bool> {
        Ok(self.handle(id)?.is_active())
    }

    /// Whether `close` was called on the handle.
    pub fn is_closing(&self, id: HandleId) -> Result<bool> {
        Ok(self.handle(id)?.closing)
    }

    /// Makes the handle keep (true) or not keep (false) the loop alive while active.
    pub fn set_ref(&mut self, id: HandleId, has_ref: bool) -> Result<()> {
        self.handles.get_mut(id).ok_or(EINVAL)?.has_ref = has_ref;
        self.refresh_active(id);
        Ok(())
    }

    /// Whether the handle is referenced.
    pub fn has_ref(&self, id: HandleId) -> Result<bool> {
        Ok(self.handle(id)?.has_ref)
    }
}

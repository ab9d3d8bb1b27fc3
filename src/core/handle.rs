//! Handles of every kind, in one table behind one id space.
//!
//! A loop keeps all its handles in one [`HandleTable`](super::handle_table::HandleTable) of
//! [`Handle`]: the state every kind shares (owner, closing, reference, active accounting) plus a
//! [`Kind`] with the kind's own state. The generic operations — close, ref/unref, is_active,
//! is_closing, the type — live here once and dispatch on the kind only where a kind differs
//! (what "active" means, what closing must stop). A kind's operations check the kind and
//! answer `EINVAL` for a handle of another kind, so a wrong-kind pointer is an error, not a
//! misinterpretation. The kinds are listed once, in [`super::kinds`]; what a kind does with
//! readiness from the poller is its I/O role (`IoRole`), so the poller and the dispatch name
//! roles, not kinds. A new stream transport (TLS, say) is not a new kind at all: it is a
//! [`super::transport::Transport`] of the one [`Stream`].

use super::async_handle::Async;
use super::hooks::Hook;
use super::host::Host;
use super::poll::Poll;
use super::signal::Signal;
use super::stream::Stream;
use super::timer::Timer;
use super::udp::Udp;

pub use super::kinds::HandleType;

/// The state of one kind of handle.
pub enum Kind<H: Host> {
    /// A stream: a TCP or pipe handle (its transport tells which).
    Stream(Stream<H>),
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
            Kind::Stream(s) => s.handle_type(),
            Kind::Timer(_) => HandleType::Timer,
            Kind::Async(_) => HandleType::Async,
            Kind::Hook(h) => h.phase.handle_type(),
            Kind::Poll(_) => HandleType::Poll,
            Kind::Signal(_) => HandleType::Signal,
            Kind::Udp(_) => HandleType::Udp,
        }
    }

    /// Active in libuv's sense (and not closing): a stream listening, connecting or
    /// reading; a started timer, hook, poll or signal handle; an async handle until it is
    /// closed; a UDP handle receiving or with sends whose callbacks have not run.
    pub fn is_active(&self) -> bool {
        !self.closing
            && match &self.kind {
                Kind::Stream(t) => t.is_active(),
                Kind::Timer(t) => t.is_armed(),
                Kind::Async(_) => true,
                Kind::Hook(h) => h.is_started(),
                Kind::Poll(p) => p.is_started(),
                Kind::Signal(s) => s.is_started(),
                Kind::Udp(u) => u.is_active(),
            }
    }
}

/// What a handle does with readiness from the poller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IoRole {
    /// A stream (of any transport): connect, accept, read, flush (the `stream_io` module).
    Stream,
    /// A datagram socket: receive, send queued datagrams (the `udp_io` module).
    Datagram,
    /// A watched descriptor: report it (the `poll_ops` module).
    Poll,
}

impl<H: Host> Kind<H> {
    /// The I/O role of this kind, and its "in an I/O queue" flag; `None` for kinds the poller
    /// never reports.
    #[inline]
    pub(crate) fn io_role(&mut self) -> Option<(IoRole, &mut bool)> {
        match self {
            Kind::Stream(s) => Some((IoRole::Stream, &mut s.io_queued)),
            Kind::Udp(u) => Some((IoRole::Datagram, &mut u.io_queued)),
            Kind::Poll(p) => Some((IoRole::Poll, &mut p.io_queued)),
            _ => None,
        }
    }

    /// Records a poll event for this handle; returns its "in an I/O queue" flag if the event
    /// is worth acting on.
    #[inline]
    pub(crate) fn note_event(&mut self, event: &mio::event::Event) -> Option<&mut bool> {
        match self {
            Kind::Stream(s) => {
                s.note_readiness(event);
                Some(&mut s.io_queued)
            }
            Kind::Udp(u) => {
                u.note_readiness(event);
                Some(&mut u.io_queued)
            }
            Kind::Poll(p) => p.note_event(event).then_some(&mut p.io_queued),
            _ => None,
        }
    }
}

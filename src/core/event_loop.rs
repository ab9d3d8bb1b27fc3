//! The event loop: poller, handle table, work queues, liveness and cached time.
//!
//! The order of one iteration is in the `run` module. Each phase hands out its due callbacks one
//! at a time through `Loop::next_dispatch` (in the `phase` module), so the embedder calls each with no borrow of the
//! loop held and callbacks may call back into the loop.

use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::{Events, Poll, Waker};

use super::async_handle::WAKER_TOKEN;
use super::dispatch::ReadChunk;
use super::error::{self, Code, Result};
use super::handle::{Handle, IoRole};
use super::handle_table::{HandleId, HandleTable};
use super::hooks::HookLists;
use super::host::Host;
use super::request::{ReqId, Requests};
use super::signal::SignalState;
use super::timer::TimerQueue;

/// Size of the loop-owned buffer that reads land in.
pub const READ_BUFFER_SIZE: usize = 64 * 1024;
const EVENTS_CAPACITY: usize = 1024;

/// A request's completion, waiting in the queue for its callback.
pub(crate) enum Completion<H: Host> {
    Connect(H::ConnectCb, Code),
    Write(H::WriteCb, Code),
    Shutdown(H::ShutdownCb, Code),
    UdpSend(H::UdpSendCb, Code),
    Handshake(H::HandshakeCb, Code),
}

/// One item of work: a ready handle to act on, or a callback that is due.
pub(crate) enum Work<H: Host> {
    /// The handle has readiness to act on (read, accept, flush, connect).
    Io(HandleId),
    /// A request completed; its callback is due.
    Complete(HandleId, Completion<H>),
    /// The handle's close callback is due (always after its other callbacks).
    Close(HandleId, H::CloseCb),
    /// A TCP handle's write queue drained to its low watermark (counted in `requests`).
    Drain(HandleId),
    /// A pool request's callback is due (counted in `requests`).
    Req(ReqId),
}

/// The stages of the pending phase (step 3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PendingStage {
    /// Readiness carried over from an earlier iteration, once.
    Carried,
    /// The completions and close callbacks queued before the phase.
    Queued,
    /// Once more, those the phase's own callbacks queued (a write completed at once whose
    /// callback writes again, …). Only once, so a callback that always queues more cannot keep
    /// the loop from polling.
    Requeued,
}

/// An event loop with its handles.
pub struct Loop<H: Host> {
    pub(crate) poll: Poll,
    events: Events,
    pub(crate) handles: HandleTable<Handle<H>>,
    /// Completions and close callbacks, in FIFO order (step 3).
    pub(crate) queue: VecDeque<Work<H>>,
    /// TCP handles with readiness carried over from an earlier iteration (step 3, first).
    pub(crate) carried: VecDeque<HandleId>,
    /// Where the running pending phase is.
    pub(crate) pending_stage: PendingStage,
    /// Handles the last poll reported ready (step 7).
    pub(crate) io_queue: VecDeque<HandleId>,
    /// Items the running phase may still take (items queued during a phase wait).
    pub(crate) budget: usize,

    /// A handle to keep reading/accepting from before taking the next item.
    pub(crate) continuation: Option<(HandleId, u32)>,
    /// Active handles that hold a reference.
    pub(crate) active_refs: usize,
    /// Pending connect, write and shutdown requests, queued drain callbacks, pool requests.
    pub(crate) requests: usize,
    /// Handles whose close callback has not run yet.
    pub(crate) closing: usize,
    stop: bool,
    start: Instant,
    pub(crate) now_ms: u64,
    read_buf: Vec<u8>,
    /// A spare descriptor, released to shed connections when accept hits EMFILE.
    pub(crate) reserve_fd: Option<File>,
    pub(crate) timers: TimerQueue,
    pub(crate) hooks: HookLists,
    /// Async handles, in creation order, and the ones the running I/O phase still looks at.
    pub(crate) asyncs: Vec<HandleId>,
    pub(crate) async_scan: Vec<HandleId>,
    /// Rescans of the async handles this I/O phase may still make, and whether the current
    /// scan ran a callback.
    pub(crate) async_rescans: u32,
    pub(crate) async_ran: bool,
    /// The eventfd async handles wake the loop with (made by the first one).
    pub(crate) waker: Option<Arc<Waker>>,
    /// The last poll saw the waker.
    pub(crate) woken: bool,
    /// Poll handles whose callback ran: re-armed before the next poll (level-triggered).
    pub(crate) poll_rearm: Vec<HandleId>,
    /// Signal handles and the counters their deliveries land in.
    pub(crate) signals: SignalState,
    /// Lookups and work items on the worker pool.
    pub(crate) reqs: Requests<H>,
}

impl<H: Host> Loop<H> {
    /// Creates a loop with its own epoll instance.
    pub fn new() -> Result<Self> {
        let start = Instant::now();
        Ok(Loop {
            poll: error::sys(Poll::new())?,
            events: Events::with_capacity(EVENTS_CAPACITY),
            handles: HandleTable::default(),
            queue: VecDeque::new(),
            io_queue: VecDeque::new(),
            budget: 0,
            carried: VecDeque::new(),
            pending_stage: PendingStage::Carried,
            continuation: None,
            active_refs: 0,
            requests: 0,
            closing: 0,
            stop: false,
            start,
            now_ms: 0,
            read_buf: Vec::new(),
            reserve_fd: None,
            timers: TimerQueue::default(),
            hooks: HookLists::default(),
            asyncs: Vec::new(),
            async_scan: Vec::new(),
            async_rescans: 0,
            async_ran: false,
            waker: None,
            woken: false,
            poll_rearm: Vec::new(),
            signals: SignalState::default(),
            reqs: Requests::default(),
        })
    }

    /// Alive: active referenced handles, pending requests or closing handles remain.
    pub fn alive(&self) -> bool {
        self.active_refs > 0 || self.requests > 0 || self.closing > 0
    }

    /// The cached time in milliseconds, from an arbitrary start.
    pub fn now(&self) -> u64 {
        self.now_ms
    }

    /// Refreshes the cached time.
    pub fn update_time(&mut self) {
        let elapsed = self.start.elapsed();
        self.now_ms = elapsed.as_secs() * 1000 + u64::from(elapsed.subsec_millis());
    }

    /// Asks `run` to return after the current iteration.
    pub fn stop(&mut self) {
        self.stop = true;
    }

    /// Consumes the stop flag.
    pub(crate) fn take_stop(&mut self) -> bool {
        std::mem::take(&mut self.stop)
    }

    /// The epoll descriptor.
    pub fn backend_fd(&self) -> i32 {
        self.poll.as_raw_fd()
    }

    /// The poll timeout in ms the next iteration would use: 0 when work is pending, an idle
    /// handle is started, or the loop is stopped or not alive; else the time to the nearest
    /// timer (at most `i32::MAX`); else -1, "until an event".
    pub fn backend_timeout(&mut self) -> i32 {
        if self.stop
            || !self.alive()
            || !self.queue.is_empty()
            || !self.carried.is_empty()
            || !self.io_queue.is_empty()
            || self.continuation.is_some()
            || self.hooks.idle_active()
            || self.reqs.ready(self.now_ms)
        {
            return 0;
        }
        let due = match (self.next_timer_due(), self.next_connect_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match due {
            Some(due) => i32::try_from(due.saturating_sub(self.now_ms)).unwrap_or(i32::MAX),
            None => -1,
        }
    }

    /// How many handles exist (closing ones included).
    pub fn handle_count(&self) -> usize {
        self.handles.len()
    }

    /// The owners of every handle, closing ones included.
    pub fn owners(&self) -> Vec<H::Owner> {
        self.handles.values().map(|h| h.owner).collect()
    }

    /// Replaces the owner the core hands back for handle `id` (closing or not); an embedder
    /// whose object for the handle went away points it at a placeholder.
    pub fn set_owner(&mut self, id: HandleId, owner: H::Owner) -> Result<()> {
        self.handles.get_mut(id).ok_or(error::EINVAL)?.owner = owner;
        Ok(())
    }

    /// Forgets a handle whose close callback has run; its id is dead from now on.
    pub fn release_closed(&mut self, id: HandleId) {
        if self.handles.get(id).is_some_and(|h| h.closing) {
            self.handles.remove(id);
            self.closing -= 1;
        }
    }

    /// Gives the read buffer lent by a read callback back to the loop.
    pub fn recycle_read_buffer(&mut self, chunk: ReadChunk) {
        self.read_buf = chunk.buf;
    }

    /// Takes the read buffer, sized for a read.
    pub(crate) fn take_read_buffer(&mut self) -> Vec<u8> {
        let mut buf = std::mem::take(&mut self.read_buf);
        if buf.len() < READ_BUFFER_SIZE {
            buf.resize(READ_BUFFER_SIZE, 0);
        }
        buf
    }

    /// Puts the read buffer back after a read that produced no data.
    pub(crate) fn return_read_buffer(&mut self, buf: Vec<u8>) {
        self.read_buf = buf;
    }

    /// Queues pending I/O work for the stream or UDP handle `id` (next step 3) unless it is
    /// queued.
    pub(crate) fn schedule_io(&mut self, id: HandleId) {
        let Some(h) = self.handles.get_mut(id) else {
            return;
        };
        if let Some((IoRole::Stream | IoRole::Datagram, queued)) = h.kind.io_role() {
            if !*queued {
                *queued = true;
                self.carried.push_back(id);
            }
        }
    }

    /// Re-arms poll handles still waiting for it, waits for readiness (at most `timeout`; `None`
    /// = no limit; not at all if a re-arm queued an error) and lists the ready handles for the I/O
    /// phase; returns whether there is I/O to act on. A poll interrupted by a signal is resumed
    /// for the rest of the timeout (a signal handle's delivery has woken the loop by then, so it
    /// returns at once). Only for the `wait` of `run::run_with`.
    pub fn poll_io(&mut self, timeout: Option<Duration>) -> Result<bool> {
        self.poll_io_with(timeout, true)
    }

    /// [`Loop::poll_io`], except that a poll interrupted by a signal returns at once (with no
    /// events): for an embedder whose own signal handlers must run before the loop goes on
    /// waiting (Python's, from `PyErr_CheckSignals`).
    pub fn poll_io_interruptible(&mut self, timeout: Option<Duration>) -> Result<bool> {
        self.poll_io_with(timeout, false)
    }

    fn poll_io_with(&mut self, timeout: Option<Duration>, resume: bool) -> Result<bool> {
        self.rearm_polls();
        let mut timeout = if self.io_queue.is_empty() {
            timeout
        } else {
            Some(Duration::ZERO)
        };
        // A poll that must not block has no deadline to keep (and reads no clock for one).
        let deadline = timeout
            .filter(|t| !t.is_zero())
            .and_then(|t| Instant::now().checked_add(t));
        loop {
            match self.poll.poll(&mut self.events, timeout) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if !resume {
                        return Ok(!self.io_queue.is_empty());
                    }
                    if let Some(d) = deadline {
                        timeout = Some(d.saturating_duration_since(Instant::now()));
                    }
                }
                Err(e) => return Err(error::from_io(&e)),
            }
        }
        for event in self.events.iter() {
            if event.token() == WAKER_TOKEN {
                self.woken = true;
                continue;
            }
            let id = HandleId::from_token(event.token());
            let queued = match self.handles.get_mut(id) {
                Some(Handle {
                    closing: false,
                    kind,
                    ..
                }) => match kind.note_event(event) {
                    Some(queued) => queued,
                    None => continue,
                },
                _ => continue,
            };
            if !*queued {
                *queued = true;
                self.io_queue.push_back(id);
            }
        }
        Ok(!self.events.is_empty() || !self.io_queue.is_empty())
    }
}

//! The event loop: poller, handle table, work queue, liveness, run modes and cached time.
//!
//! One iteration: update the time, run the work that was pending when the iteration began,
//! poll (blocking only when nothing is pending), run what the poll produced. Each work item is
//! turned into at most one user callback at a time by [`Loop::next_dispatch`]; [`run`] hands it
//! to the embedder with no borrow of the loop held, so callbacks may call back into the loop.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use mio::{Events, Poll};

use super::dispatch::{Dispatch, ReadChunk};
use super::error::{self, Code, Result, EBUSY};
use super::handle_table::{HandleId, HandleTable};
use super::host::Host;
use super::tcp::Tcp;

/// Size of the loop-owned buffer that reads land in.
pub const READ_BUFFER_SIZE: usize = 64 * 1024;
const EVENTS_CAPACITY: usize = 1024;

/// How [`run`] runs the loop.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RunMode {
    /// Until the loop is no longer alive (or stopped).
    Default,
    /// One iteration; the poll blocks only if nothing was pending.
    Once,
    /// One iteration; the poll never blocks.
    NoWait,
}

/// A request's completion, waiting in the queue for its callback.
pub(crate) enum Completion<H: Host> {
    Connect(H::ConnectCb, Code),
    Write(H::WriteCb, Code),
    Shutdown(H::ShutdownCb, Code),
}

/// One item of the loop's FIFO work queue.
pub(crate) enum Work<H: Host> {
    /// The handle has readiness to act on (read, accept, flush, connect).
    Io(HandleId),
    /// A request completed; its callback is due.
    Complete(HandleId, Completion<H>),
    /// The handle's close callback is due (always after its other callbacks).
    Close(HandleId, H::CloseCb),
}

/// An event loop with its TCP handles.
pub struct Loop<H: Host> {
    pub(crate) poll: Poll,
    events: Events,
    pub(crate) handles: HandleTable<Tcp<H>>,
    pub(crate) queue: VecDeque<Work<H>>,
    /// Queue items this phase may still run (items queued during a phase wait for the next).
    budget: usize,
    /// A handle to keep reading/accepting from before taking the next queue item.
    pub(crate) continuation: Option<(HandleId, u32)>,
    /// Active handles that hold a reference.
    pub(crate) active_refs: usize,
    /// Pending connect, write and shutdown requests.
    pub(crate) requests: usize,
    /// Handles whose close callback has not run yet.
    pub(crate) closing: usize,
    stop: bool,
    start: Instant,
    now_ms: u64,
    read_buf: Vec<u8>,
    /// A spare descriptor, released to shed connections when accept hits EMFILE.
    pub(crate) reserve_fd: Option<File>,
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
            budget: 0,
            continuation: None,
            active_refs: 0,
            requests: 0,
            closing: 0,
            stop: false,
            start,
            now_ms: 0,
            read_buf: Vec::new(),
            reserve_fd: None,
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
    fn take_stop(&mut self) -> bool {
        std::mem::take(&mut self.stop)
    }

    /// The epoll descriptor.
    pub fn backend_fd(&self) -> i32 {
        self.poll.as_raw_fd()
    }

    /// The poll timeout in ms the next iteration would use: 0 when there is work or the loop is
    /// stopped or not alive, -1 for "until an event".
    pub fn backend_timeout(&self) -> i32 {
        if self.stop || !self.alive() || !self.queue.is_empty() || self.continuation.is_some() {
            0
        } else {
            -1
        }
    }

    /// How many handles exist (closing ones included).
    pub fn handle_count(&self) -> usize {
        self.handles.len()
    }

    /// The owners of every handle, closing ones included.
    pub fn owners(&self) -> Vec<H::Owner> {
        self.handles.values().map(|t| t.owner).collect()
    }

    /// Forgets a handle whose close callback has run; its id is dead from now on.
    pub fn release_closed(&mut self, id: HandleId) {
        if self.handles.get(id).is_some_and(|t| t.closing) {
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

    /// Queues an `Io` item for `id` unless one is queued already.
    pub(crate) fn schedule_io(&mut self, id: HandleId) {
        if let Some(t) = self.handles.get_mut(id) {
            if !t.io_queued {
                t.io_queued = true;
                self.queue.push_back(Work::Io(id));
            }
        }
    }

    /// Recomputes whether `id` counts as an active referenced handle.
    pub(crate) fn refresh_active(&mut self, id: HandleId) {
        if let Some(t) = self.handles.get_mut(id) {
            let want = t.is_active() && t.has_ref;
            if want != t.counted_active {
                t.counted_active = want;
                if want {
                    self.active_refs += 1;
                } else {
                    self.active_refs -= 1;
                }
            }
        }
    }

    /// Starts a phase: the items queued now may run; later ones wait for the next phase.
    fn begin_phase(&mut self) -> usize {
        self.budget = self.queue.len();
        self.budget
    }

    /// Waits for readiness (at most `timeout`) and queues an `Io` item per ready handle.
    fn poll_io(&mut self, timeout: Option<Duration>) -> Result<()> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(error::from_io(&e)),
        }
        for event in self.events.iter() {
            let id = HandleId::from_token(event.token());
            let Some(t) = self.handles.get_mut(id) else {
                continue;
            };
            if t.closing {
                continue;
            }
            if event.is_readable() || event.is_read_closed() || event.is_error() {
                t.ready_read = true;
            }
            if event.is_read_closed() || event.is_error() {
                t.read_closed = true;
            }
            if event.is_writable() || event.is_write_closed() || event.is_error() {
                t.ready_write = true;
            }
            if !t.io_queued {
                t.io_queued = true;
                self.queue.push_back(Work::Io(id));
            }
        }
        Ok(())
    }

    /// The next user callback to run in this phase, or `None` when the phase is done.
    pub fn next_dispatch(&mut self) -> Option<Dispatch<H>> {
        loop {
            if let Some((id, round)) = self.continuation.take() {
                if let Some(d) = self.process_io(id, round) {
                    return Some(d);
                }
                continue;
            }
            if self.budget == 0 {
                return None;
            }
            self.budget -= 1;
            let work = self.queue.pop_front()?;
            if let Some(d) = self.run_work(work) {
                return Some(d);
            }
        }
    }

    fn run_work(&mut self, work: Work<H>) -> Option<Dispatch<H>> {
        match work {
            Work::Io(id) => {
                self.handles.get_mut(id)?.io_queued = false;
                self.process_io(id, 0)
            }
            Work::Complete(id, completion) => {
                self.requests -= 1;
                let owner = self.handles.get(id)?.owner;
                Some(match completion {
                    Completion::Connect(cb, status) => Dispatch::Connect { owner, cb, status },
                    Completion::Write(cb, status) => Dispatch::Write { owner, cb, status },
                    Completion::Shutdown(cb, status) => Dispatch::Shutdown { owner, cb, status },
                })
            }
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

/// Runs the loop in `cell` in `mode`, handing each due callback to `call` with no borrow of the
/// loop held. Returns whether the loop is still alive, or `EBUSY` when the loop is already
/// borrowed (a nested run from inside a callback).
pub fn run<H: Host>(
    cell: &RefCell<Loop<H>>,
    mode: RunMode,
    mut call: impl FnMut(Dispatch<H>),
) -> Result<bool> {
    let mut alive = {
        let mut l = cell.try_borrow_mut().map_err(|_| EBUSY)?;
        if l.take_stop() {
            return Ok(true);
        }
        let alive = l.alive();
        if !alive {
            l.update_time();
        }
        alive
    };
    let mut drain = |cell: &RefCell<Loop<H>>| {
        let mut ran = 0usize;
        loop {
            let next = cell.borrow_mut().next_dispatch();
            match next {
                Some(d) => {
                    ran += 1;
                    call(d);
                }
                None => return ran,
            }
        }
    };
    while alive {
        let pending = {
            let mut l = cell.borrow_mut();
            l.update_time();
            l.begin_phase()
        };
        drain(cell);
        {
            let mut l = cell.borrow_mut();
            let block = match mode {
                RunMode::NoWait => false,
                RunMode::Once => pending == 0,
                RunMode::Default => true,
            };
            let timeout = if block && l.backend_timeout() < 0 {
                None
            } else {
                Some(Duration::ZERO)
            };
            l.poll_io(timeout)?;
            l.update_time();
            l.begin_phase();
        }
        drain(cell);
        let mut l = cell.borrow_mut();
        alive = l.alive();
        if l.take_stop() || mode != RunMode::Default {
            break;
        }
    }
    Ok(alive)
}

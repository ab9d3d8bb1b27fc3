//! Pool requests (lookups and work items): they live in the loop, not in a handle, keep it
//! alive, and their callbacks run on the loop's thread in the pending phase.
//!
//! A request is an entry in the loop ([`Requests`]) and a [`ReqShared`] that its job carries to
//! a pool thread. The job's state moves `QUEUED → RUNNING → FINISHED` (the thread posts the
//! outcome to the loop's [`Inbox`] and wakes the loop through its eventfd waker) or, when the
//! loop cancels a running lookup, `RUNNING → ABANDONED` (the thread drops the outcome, unseen).
//! Cancel, by state (DESIGN §10): queued → taken out of the pool's queue, its callback gets the
//! cancel code next iteration; running lookup → abandoned, likewise; running work item, or a
//! callback already due → `EBUSY`; a request whose callback ran → `EINVAL`.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;

use mio::Waker;

use super::dispatch::Dispatch;
use super::error::{Code, Result, EAI_CANCELED, EBUSY, ECANCELED, EINVAL};
use super::event_loop::{Loop, Work};
use super::handle_table::HandleId;
use super::host::Host;
use super::pool::{pool, Job, Pool};
use super::sync_mutex::SyncMutex;

/// A value a job hands to its callback (a list of addresses, names…), dropped after it.
pub type PoolOutput = Box<dyn Any + Send>;

/// What a job produced: a status (0 or a negative code) and maybe a value for the callback.
pub struct Outcome {
    /// 0 or a negative code.
    pub status: Code,
    /// What the callback gets besides the status.
    pub value: Option<PoolOutput>,
}

/// The code a job runs on a pool thread; it may look at [`ReqShared::abandoned`] to give up.
pub type JobFn = Box<dyn FnOnce(&ReqShared) -> Outcome + Send>;

pub(crate) const QUEUED: u8 = 0;
pub(crate) const RUNNING: u8 = 1;
const ABANDONED: u8 = 2;
const FINISHED: u8 = 3;

/// Identifies a request of a loop (never reused by that loop).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ReqId(u64);

/// Where pool threads post finished jobs for one loop.
pub(crate) struct Inbox {
    done: SyncMutex<Vec<(ReqId, Outcome)>>,
    arrived: AtomicBool,
    waker: Arc<Waker>,
    /// The process-wide pool (kept here: no global lock per request).
    pool: Arc<Pool>,
}

/// The part of a request its job carries to the pool thread.
pub struct ReqShared {
    pub(crate) state: AtomicU8,
    id: ReqId,
    inbox: Arc<Inbox>,
}

impl ReqShared {
    /// Whether the loop gave up on this running job (its outcome will be dropped).
    pub fn abandoned(&self) -> bool {
        self.state.load(Ordering::Acquire) == ABANDONED
    }

    /// Posts the job's outcome to its loop, or drops it if the loop abandoned the job.
    pub(crate) fn finish(&self, outcome: Outcome) {
        if self
            .state
            .compare_exchange(RUNNING, FINISHED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return; // abandoned: freed here, unseen
        }
        let mut done = self.inbox.done.lock();
        done.push((self.id, outcome));
        drop(done);
        // Only the first outcome since the loop last collected wakes it (one write(2) per
        // batch); the loop clears `arrived` before it takes the outcomes, so none is missed.
        if !self.inbox.arrived.swap(true, Ordering::AcqRel) {
            // A failed wake leaves the outcome for the next iteration; nothing better to do.
            let _ = self.inbox.waker.wake();
        }
    }
}

/// Whom a request's outcome goes to.
#[derive(Clone, Copy)]
pub(crate) enum Target<H: Host> {
    /// The embedder's callback.
    User(H::Req),
    /// The loop itself: a `connect_host` of this TCP handle (see [`super::connect_host`]).
    Connect(HandleId),
}

struct Entry<H: Host> {
    target: Target<H>,
    lookup: bool,
    shared: Arc<ReqShared>,
    /// The outcome, once the callback is due (queued in the loop's work queue).
    due: Option<Outcome>,
}

/// A loop's pool requests.
pub struct Requests<H: Host> {
    entries: HashMap<ReqId, Entry<H>>,
    next: u64,
    inbox: Option<Arc<Inbox>>,
    /// Cancelled requests whose callback is due in the next pending phase.
    deferred: Vec<ReqId>,
    /// The request of each TCP handle's running `connect_host`.
    pub(crate) connecting: HashMap<HandleId, ReqId>,
    /// Attempt delays and connect timeouts set on TCP handles, in ms.
    pub(crate) connect_opts: HashMap<HandleId, (u64, u64)>,
    /// Connect deadlines (loop time in ms) of connecting TCP handles with a timeout.
    pub(crate) deadlines: Vec<(u64, HandleId)>,
}

impl<H: Host> Default for Requests<H> {
    fn default() -> Self {
        Requests {
            entries: HashMap::new(),
            next: 1,
            inbox: None,
            deferred: Vec::new(),
            connecting: HashMap::new(),
            connect_opts: HashMap::new(),
            deadlines: Vec::new(),
        }
    }
}

impl<H: Host> Requests<H> {
    /// Whether callbacks wait to be queued by the next pending phase (at loop time `now`).
    #[inline]
    pub(crate) fn ready(&self, now: u64) -> bool {
        !self.deferred.is_empty()
            || (!self.deadlines.is_empty() && self.deadlines.iter().any(|&(due, _)| due <= now))
            || self
                .inbox
                .as_ref()
                .is_some_and(|i| i.arrived.load(Ordering::Acquire))
    }

    /// How many requests have not had their callback yet.
    pub fn pending(&self) -> usize {
        self.entries.len()
    }
}

impl<H: Host> Loop<H> {
    /// Queues `run` on the worker pool (a lookup if `lookup`); the request's callback, with
    /// `req`, comes from the pending phase of an iteration after it finished or was cancelled.
    /// `EAGAIN` if the pool has no threads, or the error of making the loop's waker.
    pub fn queue_job(&mut self, req: H::Req, lookup: bool, run: JobFn) -> Result<ReqId> {
        self.queue_job_for(Target::User(req), lookup, run)
    }

    /// [`Loop::queue_job`] with the outcome going to `target`.
    pub(crate) fn queue_job_for(
        &mut self,
        target: Target<H>,
        lookup: bool,
        run: JobFn,
    ) -> Result<ReqId> {
        let inbox = match &self.reqs.inbox {
            Some(i) => Arc::clone(i),
            None => {
                let inbox = Arc::new(Inbox {
                    done: SyncMutex::new(Vec::new()),
                    arrived: AtomicBool::new(false),
                    waker: self.waker()?,
                    pool: pool(H::pool_thread_init)?,
                });
                self.reqs.inbox = Some(Arc::clone(&inbox));
                inbox
            }
        };
        let pool = Arc::clone(&inbox.pool);
        let id = ReqId(self.reqs.next);
        self.reqs.next += 1;
        let shared = Arc::new(ReqShared {
            state: AtomicU8::new(QUEUED),
            id,
            inbox,
        });
        let entry = Entry {
            target,
            lookup,
            shared: Arc::clone(&shared),
            due: None,
        };
        self.reqs.entries.insert(id, entry);
        self.requests += 1;
        pool.submit(Job {
            lookup,
            shared,
            run,
        });
        Ok(id)
    }

    /// Cancels a request (see the module docs for what happens in each state).
    pub fn cancel_request(&mut self, id: ReqId) -> Result<()> {
        let entry = self.reqs.entries.get_mut(&id).ok_or(EINVAL)?;
        if entry.due.is_some() || matches!(entry.target, Target::Connect(_)) {
            return Err(EBUSY);
        }
        let code = if entry.lookup {
            EAI_CANCELED
        } else {
            ECANCELED
        };
        if !stop_job(&entry.shared, entry.lookup) {
            // A running work item, or a finished job whose outcome is in the inbox.
            return Err(EBUSY);
        }
        entry.due = Some(Outcome {
            status: code,
            value: None,
        });
        self.reqs.deferred.push(id);
        Ok(())
    }

    /// Moves finished and cancelled requests into the work queue (at the start of the pending
    /// phase): their callbacks run in this phase.
    pub(crate) fn collect_requests(&mut self) {
        if !self.reqs.deadlines.is_empty() {
            self.expire_connects();
        }
        for id in std::mem::take(&mut self.reqs.deferred) {
            self.queue.push_back(Work::Req(id));
        }
        let Some(inbox) = &self.reqs.inbox else {
            return;
        };
        if !inbox.arrived.swap(false, Ordering::AcqRel) {
            return;
        }
        let done = std::mem::take(&mut *inbox.done.lock());
        for (id, outcome) in done {
            if let Some(entry) = self.reqs.entries.get_mut(&id) {
                entry.due = Some(outcome);
                self.queue.push_back(Work::Req(id));
            }
        }
    }

    /// Forgets a loop-internal request at once, its job stopped or abandoned (no callback).
    pub(crate) fn drop_request(&mut self, id: ReqId) {
        if let Some(entry) = self.reqs.entries.remove(&id) {
            stop_job(&entry.shared, true);
            self.requests -= 1;
        }
    }

    /// The callback of a due request; the request is forgotten (a later cancel: `EINVAL`).
    pub(crate) fn request_due(&mut self, id: ReqId) -> Option<Dispatch<H>> {
        let entry = self.reqs.entries.remove(&id)?;
        self.requests -= 1;
        let outcome = entry.due?;
        match entry.target {
            Target::User(req) => Some(Dispatch::Request {
                req,
                status: outcome.status,
                value: outcome.value,
            }),
            Target::Connect(handle) => {
                self.connect_host_done(handle, outcome);
                None
            }
        }
    }
}

/// Takes a queued job out of the pool, or (if `abandon`) marks a running one abandoned; returns
/// whether either happened.
fn stop_job(shared: &Arc<ReqShared>, abandon: bool) -> bool {
    if shared.inbox.pool.remove(shared) {
        return true;
    }
    abandon
        && shared
            .state
            .compare_exchange(RUNNING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
}

//! The process-wide worker pool: `RUV_THREADPOOL_SIZE` threads (default 4, clamped to 1…1024),
//! started on first use, shared by every loop.
//!
//! Jobs wait in one FIFO queue. A thread takes the first job it may run: a work item always, a
//! lookup only while fewer than ⌈size/2⌉ lookups run, so lookups that hang (a dead DNS server)
//! never hold more than half the threads and `queue_work` keeps running. A job's outcome goes to
//! its loop's [`Inbox`](super::request::Inbox) unless the loop abandoned it meanwhile (see
//! [`super::request`]), in which case it is dropped here, unseen.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar};

use super::error::{Result, EAGAIN};
use super::request::{JobFn, ReqShared, RUNNING};
use super::sync_mutex::{SyncGuard, SyncMutex};

/// The number of threads when `RUV_THREADPOOL_SIZE` is unset or unparsable.
pub const DEFAULT_SIZE: usize = 4;
/// The largest pool.
pub const MAX_SIZE: usize = 1024;

/// The pool size `RUV_THREADPOOL_SIZE=value` asks for: default 4, clamped to 1…1024.
pub fn size_from_env(value: Option<&str>) -> usize {
    value
        .and_then(|v| v.trim().parse::<usize>().ok())
        .map_or(DEFAULT_SIZE, |n| n.clamp(1, MAX_SIZE))
}

/// How many lookups may run at once in a pool of `size` threads: ⌈size/2⌉.
pub fn lookup_limit(size: usize) -> usize {
    size.div_ceil(2)
}

/// One queued job: what to run and where its outcome goes.
pub(crate) struct Job {
    /// A lookup (bounded by [`lookup_limit`]) or a work item.
    pub(crate) lookup: bool,
    pub(crate) shared: Arc<ReqShared>,
    pub(crate) run: JobFn,
}

struct State {
    queue: VecDeque<Job>,
    running_lookups: usize,
    /// Threads waiting for a job, and wakeups sent to them and not yet taken: a submit wakes a
    /// thread only if one waits that no earlier wakeup is already meant for.
    idle: usize,
    waking: usize,
}

/// The pool: its queue, the condition its idle threads wait on, and its size.
pub(crate) struct Pool {
    state: SyncMutex<State>,
    ready: Condvar,
    size: usize,
}

/// The pool, once started (a [`SyncMutex`] rather than a `OnceLock`, whose std-internal
/// ordering ThreadSanitizer cannot see).
static POOL: SyncMutex<Option<Arc<Pool>>> = SyncMutex::new(None);

/// The process-wide pool, its threads started on the first call (`EAGAIN` if none could be);
/// each runs `init` first (the first caller's embedder's [`super::host::Host::pool_thread_init`]).
pub(crate) fn pool(init: fn()) -> Result<Arc<Pool>> {
    let mut p = POOL.lock();
    if let Some(pool) = &*p {
        return Ok(Arc::clone(pool));
    }
    let size = size_from_env(std::env::var("RUV_THREADPOOL_SIZE").ok().as_deref());
    let pool = Pool::start(size, init)?;
    *p = Some(Arc::clone(&pool));
    Ok(pool)
}

impl Pool {
    fn start(size: usize, init: fn()) -> Result<Arc<Pool>> {
        let pool = Arc::new(Pool {
            state: SyncMutex::new(State {
                queue: VecDeque::new(),
                running_lookups: 0,
                idle: 0,
                waking: 0,
            }),
            ready: Condvar::new(),
            size,
        });
        let mut started = 0;
        for i in 0..size {
            let p = Arc::clone(&pool);
            let spawned = std::thread::Builder::new()
                .name(format!("ruv-pool-{i}"))
                .stack_size(256 * 1024)
                .spawn(move || {
                    init();
                    p.work()
                });
            if spawned.is_ok() {
                started += 1;
            }
        }
        if started == 0 {
            return Err(EAGAIN);
        }
        Ok(pool)
    }

    fn lock(&self) -> SyncGuard<'_, State> {
        self.state.lock()
    }

    /// Queues a job and wakes a thread for it.
    pub(crate) fn submit(&self, job: Job) {
        let mut st = self.lock();
        st.queue.push_back(job);
        let wake = st.idle > st.waking;
        if wake {
            st.waking += 1;
        }
        drop(st);
        if wake {
            self.ready.notify_one();
        }
    }

    /// Takes the job of `shared` out of the queue if no thread has started it. The caller
    /// holds no lock; a thread marks a job running under the same lock, so when this returns
    /// `false` the job is running or done.
    pub(crate) fn remove(&self, shared: &Arc<ReqShared>) -> bool {
        let mut st = self.lock();
        match st.queue.iter().position(|j| Arc::ptr_eq(&j.shared, shared)) {
            Some(i) => {
                let job = st.queue.remove(i);
                drop(st);
                drop(job);
                true
            }
            None => false,
        }
    }

    /// A pool thread: takes the first job it may run, runs it outside the lock, posts it.
    fn work(&self) {
        let limit = lookup_limit(self.size);
        let mut st = self.lock();
        loop {
            let can_lookup = st.running_lookups < limit;
            let Some(i) = st.queue.iter().position(|j| !j.lookup || can_lookup) else {
                st.idle += 1;
                st = self.state.wait(&self.ready, st);
                st.idle -= 1;
                st.waking = st.waking.saturating_sub(1);
                continue;
            };
            let job = st.queue.remove(i).expect("position is in the queue");
            if job.lookup {
                st.running_lookups += 1;
            }
            job.shared.state.store(RUNNING, Ordering::Release);
            drop(st);
            let lookup = job.lookup;
            let outcome = (job.run)(&job.shared);
            job.shared.finish(outcome);
            drop(job.shared);
            st = self.lock();
            if lookup {
                st.running_lookups -= 1;
                // A queued lookup may run now: any idle thread may take it.
                self.ready.notify_all();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_comes_from_the_environment_clamped() {
        assert_eq!(size_from_env(None), 4);
        assert_eq!(size_from_env(Some("")), 4);
        assert_eq!(size_from_env(Some("x")), 4);
        assert_eq!(size_from_env(Some("-3")), 4);
        assert_eq!(size_from_env(Some("0")), 1);
        assert_eq!(size_from_env(Some(" 7 ")), 7);
        assert_eq!(size_from_env(Some("5000")), 1024);
    }

    #[test]
    fn lookups_hold_at_most_half_rounded_up() {
        assert_eq!(lookup_limit(1), 1);
        assert_eq!(lookup_limit(2), 1);
        assert_eq!(lookup_limit(3), 2);
        assert_eq!(lookup_limit(4), 2);
        assert_eq!(lookup_limit(1024), 512);
    }
}

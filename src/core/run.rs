//! `run`: the order of one loop iteration, and the run modes.
//!
//! One iteration:
//! 1. update the cached time;
//! 2. run due timers;
//! 3. run pending work (completions, close callbacks, carried-over reads and accepts), then
//!    once more the work those callbacks queued (bounded: one extra round);
//! 4. idle hooks; 5. prepare hooks;
//! 6. poll for I/O — without blocking if work is pending, an idle hook is started, or the loop
//!    is stopped or not alive; else until the nearest timer; else until an event; then, if the
//!    poll may have waited, update the cached time for the callbacks of step 7 (a poll that
//!    could not block leaves it as step 1 set it: one clock read less per busy iteration);
//! 7. the callbacks the poll produced (async handles, signal handles, then I/O), after which
//!    the poll handles that ran are re-armed (level-triggered, see [`super::poll`]);
//! 8. check hooks;
//! 9. update the time (when there are timers) and run due timers again (so a `RunMode::Once`
//!    that slept for a timer runs it before returning).

use std::cell::RefCell;
use std::time::Duration;

use super::dispatch::Dispatch;
use super::error::{Result, EBUSY};
use super::event_loop::Loop;
use super::hooks::HookPhase;
use super::host::Host;
use super::phase::Phase;

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

/// Runs one phase: hands each of its callbacks to `call`, borrowing the loop only between
/// them. Returns the phase's pending-work count (see [`Loop::begin_phase`]). A phase with
/// nothing to do costs one look (inlined: most phases of most iterations are empty).
#[inline(always)]
fn run_phase<H: Host>(
    cell: &RefCell<Loop<H>>,
    phase: Phase,
    call: &mut impl FnMut(Dispatch<H>),
) -> usize {
    if !cell.borrow().phase_has_work(phase) {
        return 0;
    }
    run_phase_callbacks(cell, phase, call)
}

fn run_phase_callbacks<H: Host>(
    cell: &RefCell<Loop<H>>,
    phase: Phase,
    call: &mut impl FnMut(Dispatch<H>),
) -> usize {
    let pending = cell.borrow_mut().begin_phase(phase);
    loop {
        let next = cell.borrow_mut().next_dispatch(phase);
        match next {
            Some(d) => call(d),
            None => return pending,
        }
    }
}

/// Runs the loop in `cell` in `mode`, handing each due callback to `call` with no borrow of the
/// loop held. Returns whether the loop is still alive, or `EBUSY` when the loop is already
/// borrowed (a nested run from inside a callback). A stop requested before the run makes it
/// return at once, with the loop's liveness.
pub fn run<H: Host>(
    cell: &RefCell<Loop<H>>,
    mode: RunMode,
    call: impl FnMut(Dispatch<H>),
) -> Result<bool> {
    run_with(
        cell,
        mode,
        call,
        |cell, timeout| {
            cell.borrow_mut().poll_io(timeout)?;
            Ok(timeout != Some(Duration::ZERO))
        },
        LateTimers::Always,
    )
}

/// When step 9 (due timers again, right after the poll) runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LateTimers {
    /// In every mode: ruv's order (§6.1), also libuv's since 1.45.
    Always,
    /// Only in [`RunMode::Once`]: the order of libuv up to 1.44, which pyuv 1.4 bundles (a
    /// timer due after the poll of a `Default` run fires at the start of the next iteration,
    /// after a `stop` from the poll's callbacks has ended the run).
    OnceOnly,
}

/// [`run`] with the poll of step 6 made by `wait(cell, timeout)`, which must call
/// [`Loop::poll_io`] with that timeout (no borrow of `cell` is held when it is called) and
/// return whether the poll may have waited (it did not when it found events at once or could
/// not block); the time is updated after a poll that may have waited. An
/// embedder uses it to do something around a poll that may block: an interpreter releases its
/// global lock there and, after the poll (with the borrow ended, since a signal handler may
/// touch the loop), runs pending signal handlers and may [`Loop::stop`] the loop. `timeout` is `Some(Duration::ZERO)` when the poll
/// must not block. `late` says when step 9 runs.
pub fn run_with<H: Host>(
    cell: &RefCell<Loop<H>>,
    mode: RunMode,
    mut call: impl FnMut(Dispatch<H>),
    mut wait: impl FnMut(&RefCell<Loop<H>>, Option<Duration>) -> Result<bool>,
    late: LateTimers,
) -> Result<bool> {
    {
        let mut l = cell.try_borrow_mut().map_err(|_| EBUSY)?;
        if l.take_stop() {
            return Ok(l.alive());
        }
        if !l.alive() {
            l.update_time();
            return Ok(false);
        }
    }
    loop {
        cell.borrow_mut().update_time();
        run_phase(cell, Phase::Timers, &mut call);
        let pending = run_phase(cell, Phase::Pending, &mut call);
        run_phase(cell, Phase::Hooks(HookPhase::Idle), &mut call);
        run_phase(cell, Phase::Hooks(HookPhase::Prepare), &mut call);
        {
            let mut l = cell.borrow_mut();
            let block = match mode {
                RunMode::NoWait => false,
                RunMode::Once => pending == 0,
                RunMode::Default => true,
            };
            let timeout = match (block, l.backend_timeout()) {
                (true, ms) if ms < 0 => None,
                (true, ms) => Some(Duration::from_millis(ms as u64)),
                (false, _) => Some(Duration::ZERO),
            };
            drop(l);
            // The I/O callbacks see the time after a poll that may have waited (a read that
            // restarts an idle timer must not base it on the time before a long wait).
            if wait(cell, timeout)? {
                cell.borrow_mut().update_time();
            }
        }
        run_phase(cell, Phase::Io, &mut call);
        cell.borrow_mut().rearm_polls();
        run_phase(cell, Phase::Hooks(HookPhase::Check), &mut call);
        if late == LateTimers::Always || mode == RunMode::Once {
            {
                let mut l = cell.borrow_mut();
                if l.has_timers() {
                    l.update_time();
                }
            }
            run_phase(cell, Phase::Timers, &mut call);
        }
        let mut l = cell.borrow_mut();
        let alive = l.alive();
        if l.take_stop() || mode != RunMode::Default || !alive {
            return Ok(alive);
        }
    }
}

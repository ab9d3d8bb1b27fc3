//! Idle, prepare and check handles: a callback once per loop iteration, in its phase.
//!
//! Each phase keeps its started handles in start order. A phase runs over a copy of that list
//! taken when it begins, and skips handles started (or stopped) since, so a handle started
//! during its own phase waits for the next iteration.

use super::handle_table::HandleId;
use super::host::Host;
use super::kinds::HandleType;

/// Which per-iteration phase a hook handle belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HookPhase {
    /// Step 4: before prepare; an active idle handle keeps the poll from blocking.
    Idle,
    /// Step 5: right before the poll.
    Prepare,
    /// Step 8: right after the I/O callbacks.
    Check,
}

impl HookPhase {
    /// The handle type of hooks of this phase.
    pub fn handle_type(self) -> HandleType {
        match self {
            HookPhase::Idle => HandleType::Idle,
            HookPhase::Prepare => HandleType::Prepare,
            HookPhase::Check => HandleType::Check,
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The state of one idle, prepare or check handle.
pub struct Hook<H: Host> {
    pub(crate) phase: HookPhase,
    pub(crate) cb: Option<H::HookCb>,
    /// When it was started (a loop-wide counter); 0 while stopped.
    pub(crate) started: u64,
}

impl<H: Host> Hook<H> {
    /// Started and not stopped.
    pub fn is_started(&self) -> bool {
        self.started != 0
    }
}

/// The started hooks of each phase, and the progress of the phase that is running.
#[derive(Default)]
pub struct HookLists {
    pub(crate) started: [Vec<HandleId>; 3],
    pub(crate) last_start: u64,
    /// The phase being run: a snapshot of its list, how far it got, and its start limit.
    pub(crate) scan: Vec<HandleId>,
    pub(crate) pos: usize,
    pub(crate) limit: u64,
}

impl HookLists {
    /// Whether an idle handle is started (the poll must not block then).
    pub fn idle_active(&self) -> bool {
        self.any_started(HookPhase::Idle)
    }

    /// Whether a hook of `phase` is started.
    pub fn any_started(&self, phase: HookPhase) -> bool {
        !self.started[phase.index()].is_empty()
    }
}

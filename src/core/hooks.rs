//! Idle, prepare and check handles: a callback once per loop iteration, in its phase.
//!
//! Each phase keeps its started handles in start order. A phase runs over a copy of that list
//! taken when it begins, and skips handles started (or stopped) since, so a handle started
//! during its own phase waits for the next iteration.

use super::error::{Result, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, HandleType, Kind};
use super::handle_table::HandleId;
use super::host::Host;

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

    fn index(self) -> usize {
        self as usize
    }
}

/// The state of one idle, prepare or check handle.
pub struct Hook<H: Host> {
    pub(crate) phase: HookPhase,
    cb: Option<H::HookCb>,
    /// When it was started (a loop-wide counter); 0 while stopped.
    started: u64,
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
    started: [Vec<HandleId>; 3],
    last_start: u64,
    /// The phase being run: a snapshot of its list, how far it got, and its start limit.
    scan: Vec<HandleId>,
    pos: usize,
    limit: u64,
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

impl<H: Host> Loop<H> {
    fn hook_mut(&mut self, id: HandleId, phase: HookPhase) -> Result<&mut Hook<H>> {
        match self.handles.get_mut(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Hook(h),
                ..
            }) if h.phase == phase => Ok(h),
            _ => Err(EINVAL),
        }
    }

    /// Creates a stopped hook handle of `phase`.
    pub fn hook_new(&mut self, owner: H::Owner, phase: HookPhase) -> HandleId {
        let hook = Hook {
            phase,
            cb: None,
            started: 0,
        };
        self.handles.insert(Handle::new(owner, Kind::Hook(hook)))
    }

    /// Starts the hook; on a started one, replaces the callback and keeps its place.
    pub fn hook_start(&mut self, id: HandleId, phase: HookPhase, cb: H::HookCb) -> Result<()> {
        let next_start = self.hooks.last_start + 1;
        let h = self.hook_mut(id, phase)?;
        h.cb = Some(cb);
        if h.started == 0 {
            h.started = next_start;
            self.hooks.last_start = next_start;
            self.hooks.started[phase.index()].push(id);
        }
        self.refresh_active(id);
        Ok(())
    }

    /// Stops the hook; 0 also when it was not started.
    pub fn hook_stop(&mut self, id: HandleId, phase: HookPhase) -> Result<()> {
        self.hook_mut(id, phase)?;
        self.hook_unlist(id, phase);
        self.refresh_active(id);
        Ok(())
    }

    /// Marks the hook stopped and takes it off its phase's list.
    pub(crate) fn hook_unlist(&mut self, id: HandleId, phase: HookPhase) {
        if let Some(Handle {
            kind: Kind::Hook(h),
            ..
        }) = self.handles.get_mut(id)
        {
            if h.started != 0 {
                h.started = 0;
                self.hooks.started[phase.index()].retain(|&x| x != id);
            }
        }
    }

    /// Starts running `phase`: the hooks started now run, in start order.
    pub(crate) fn begin_hook_phase(&mut self, phase: HookPhase) {
        let hooks = &mut self.hooks;
        hooks.scan.clear();
        hooks.scan.extend_from_slice(&hooks.started[phase.index()]);
        hooks.pos = 0;
        hooks.limit = hooks.last_start + 1;
    }

    /// The next hook of the running phase that is still started (and was before the phase).
    pub(crate) fn next_hook(&mut self) -> Option<(H::Owner, H::HookCb)> {
        while let Some(&id) = self.hooks.scan.get(self.hooks.pos) {
            self.hooks.pos += 1;
            if let Some(Handle {
                closing: false,
                kind: Kind::Hook(h),
                owner,
                ..
            }) = self.handles.get(id)
            {
                if h.started != 0 && h.started < self.hooks.limit {
                    if let Some(cb) = h.cb {
                        return Some((*owner, cb));
                    }
                }
            }
        }
        None
    }
}

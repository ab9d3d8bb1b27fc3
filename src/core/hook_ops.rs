//! The loop's operations on idle, prepare and check handles: create, start, stop, and the
//! phase that runs them.

use super::error::{Result, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::hooks::{Hook, HookPhase};
use super::host::Host;

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

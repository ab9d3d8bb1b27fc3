//! The loop's operations on a handle of any kind: type, active accounting, close, references.

use super::error::{Result, EINVAL};
use super::event_loop::{Loop, Work};
use super::handle::{Handle, HandleType};
use super::handle_table::HandleId;
use super::hooks::HookPhase;
use super::host::Host;

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
            HandleType::Tcp | HandleType::NamedPipe => self.stream_close(id),
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

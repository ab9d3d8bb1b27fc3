//! A test embedder for the core's unit tests: every callback is a tag.

use std::sync::Arc;

use super::error::Result;
use super::host::Host;
use super::signal::SignalShared;

/// Callbacks are numbers the tests log.
pub(crate) enum Unit {}

impl Host for Unit {
    type Owner = usize;
    type ConnectionCb = usize;
    type ConnectCb = usize;
    type WriteCb = (usize, usize);
    type ShutdownCb = usize;
    type ReadCb = usize;
    type CloseCb = usize;
    type TimerCb = usize;
    type AsyncCb = usize;
    type HookCb = usize;
    type PollCb = usize;
    type SignalCb = usize;
    type DrainCb = usize;
    type UdpSendCb = usize;
    type UdpRecvCb = usize;

    fn is_silent_write(_cb: &Self::WriteCb) -> bool {
        false
    }

    fn signal_watch(_shared: &Arc<SignalShared>, _signum: i32) -> Result<()> {
        Ok(())
    }

    fn signal_unwatch(_shared: &Arc<SignalShared>, _signum: i32) {}
}

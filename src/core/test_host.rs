//! A [`Host`] for the core's own tests: every callback is a `usize` tag (a C function pointer's
//! size, so handle sizes measured with it are the C layer's).

use std::sync::Arc;

use std::net::SocketAddr;

use super::error::Result;
use super::host::Host;
use super::request::ReqShared;
use super::signal_shared::SignalShared;

/// The test embedder: owners and callbacks are plain numbers.
pub struct Unit;

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
    type Req = usize;
    type HandshakeCb = usize;

    fn is_silent_write(_cb: &Self::WriteCb) -> bool {
        false
    }

    fn signal_watch(_shared: &Arc<SignalShared>, _signum: i32) -> Result<()> {
        Ok(())
    }

    fn signal_unwatch(_shared: &Arc<SignalShared>, _signum: i32) {}

    fn resolve(host: &str, port: u16, _shared: &ReqShared) -> Result<Vec<SocketAddr>> {
        use std::net::ToSocketAddrs;
        (host, port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|_| super::error::EAI_NONAME)
    }
}

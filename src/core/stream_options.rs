//! Options of any stream's descriptor: its blocking mode and socket buffer sizes.

use super::error::{self, Result};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::{self, BufferKind};

impl<H: Host> Loop<H> {
    /// Puts the socket in blocking mode (true) or back in non-blocking mode (libuv's
    /// `uv_stream_set_blocking`): while blocking, a write sends everything before it returns, so
    /// nothing is queued. The loop's reads and accepts keep going until the kernel has nothing
    /// more for them, so on a blocking socket they may block the loop (as libuv's do): meant
    /// for a handle that only writes. `EBADF` before the handle has a socket.
    pub fn stream_set_blocking(&mut self, id: HandleId, blocking: bool) -> Result<()> {
        error::sys(self.sock(id)?.set_nonblocking(!blocking))
    }

    /// Reads a socket buffer size, or sets it first when `set` is given (must be positive).
    pub fn stream_buffer_size(
        &self,
        id: HandleId,
        kind: BufferKind,
        set: Option<i32>,
    ) -> Result<i32> {
        socket::buffer_size(self.sock(id)?, kind, set)
    }
}

//! Access rights of the socket file a pipe handle bound (libuv's `uv_pipe_chmod`).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;

use super::error::{self, Result, EBADF, EINVAL};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::host::Host;
use super::poll::{READABLE, WRITABLE};

/// Read permission for owner, group and others.
const READ_ALL: u32 = 0o444;
/// Write permission for owner, group and others.
const WRITE_ALL: u32 = 0o222;

impl<H: Host> Loop<H> {
    /// Adds read ([`READABLE`]) and/or write ([`WRITABLE`]) permission for everyone to the
    /// socket file the pipe handle is bound to, keeping the bits it has. `EINVAL` for other
    /// flags (or none), a handle with no path (unbound, connected only, or an abstract name) or
    /// of another kind; the file system's error otherwise.
    pub fn pipe_chmod(&mut self, id: HandleId, flags: u32) -> Result<()> {
        if flags == 0 || flags & !(READABLE | WRITABLE) != 0 {
            return Err(EINVAL);
        }
        if !self.is_pipe(id) {
            return Err(EINVAL);
        }
        let name = match self.pipe_getsockname(id) {
            Err(EBADF) => return Err(EINVAL),
            other => other?,
        };
        if name.first().map_or(true, |&b| b == 0) {
            return Err(EINVAL);
        }
        let path = OsStr::from_bytes(&name);
        let mut want = 0;
        if flags & READABLE != 0 {
            want |= READ_ALL;
        }
        if flags & WRITABLE != 0 {
            want |= WRITE_ALL;
        }
        let mut perms = error::sys(fs::metadata(path))?.permissions();
        if perms.mode() & want == want {
            return Ok(());
        }
        perms.set_mode((perms.mode() | want) & 0o7777);
        error::sys(fs::set_permissions(path, perms))
    }
}

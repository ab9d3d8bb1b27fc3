//! The descriptor of a handle of any kind that has one (libuv's `uv_fileno`).

use std::os::fd::RawFd;

use super::error::{Result, EBADF, EINVAL};
use super::event_loop::Loop;
use super::handle::Kind;
use super::handle_table::HandleId;
use super::host::Host;

impl<H: Host> Loop<H> {
    /// The descriptor of a TCP, pipe or UDP handle (its socket or adopted descriptor) or the
    /// one a poll handle watches: `EBADF` before a TCP/pipe/UDP handle has one, and for any of
    /// them once closing; `EINVAL` for a dead handle or a kind that has no descriptor.
    pub fn fileno(&self, id: HandleId) -> Result<RawFd> {
        let h = self.handle(id)?;
        match &h.kind {
            Kind::Stream(_) => self.stream_fileno(id),
            Kind::Udp(_) => self.udp_fileno(id),
            Kind::Poll(p) if !h.closing => Ok(p.fd),
            Kind::Poll(_) => Err(EBADF),
            _ => Err(EINVAL),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::core::error::{EBADF, EINVAL};
    use crate::core::event_loop::Loop;
    use crate::core::test_host::Unit;

    #[test]
    fn every_kind_with_a_descriptor_reports_it() {
        let mut l = Loop::<Unit>::new().unwrap();
        let t = l.tcp_new(1, libc::AF_UNSPEC).unwrap();
        assert_eq!(l.fileno(t), Err(EBADF), "no socket yet");
        let u = l.udp_new(2, libc::AF_INET).unwrap();
        assert_eq!(l.fileno(u), l.udp_fileno(u));
        assert!(l.fileno(u).unwrap() >= 0);
        let timer = l.timer_new(3);
        assert_eq!(l.fileno(timer), Err(EINVAL));
        l.close(u, 0).unwrap();
        assert_eq!(l.fileno(u), Err(EBADF), "closing");
    }
}

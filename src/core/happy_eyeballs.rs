//! Happy Eyeballs (RFC 8305) connection attempts, run on a pool thread for `connect_host`.
//!
//! The addresses are ordered as RFC 8305 §4 says (families alternate, starting with the family
//! of the first address returned). Attempts start one `attempt_delay` apart, or at once when
//! every running attempt has failed; the first to connect wins and the others are closed,
//! unseen. If all fail, the error is that of the first address's attempt. The attempts watch a
//! private poller, waking at least every [`TICK`] to notice that the loop abandoned them
//! (`ruv_close` of the handle) or that the deadline passed.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use socket2::Socket;

use super::error::{self, Code, Result, ECANCELED, ETIMEDOUT};
use super::request::ReqShared;
use super::socket::{self, Family};

/// How often a waiting attempt looks at its abandon flag.
const TICK: Duration = Duration::from_millis(10);

/// Orders addresses as RFC 8305 §4: alternate families, starting with the first one's family.
pub fn interleave(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    let Some(first) = addrs.first() else {
        return Vec::new();
    };
    let first_v6 = first.is_ipv6();
    let (mut a, mut b): (Vec<SocketAddr>, Vec<SocketAddr>) =
        addrs.iter().partition(|x| x.is_ipv6() == first_v6);
    a.reverse();
    b.reverse();
    let mut out = Vec::with_capacity(addrs.len());
    while !a.is_empty() || !b.is_empty() {
        out.extend(a.pop());
        out.extend(b.pop());
    }
    out
}

/// What the attempts need to know.
pub struct Plan {
    /// The addresses, already in attempt order.
    pub addrs: Vec<SocketAddr>,
    /// Time between two attempt starts.
    pub attempt_delay: Duration,
    /// When the whole connect gives up with `ETIMEDOUT`.
    pub deadline: Option<Instant>,
}

/// Starts one non-blocking connect; `Ok(None)` when it failed at once (its error recorded).
fn start(addr: &SocketAddr, errors: &mut Vec<Option<Code>>) -> Result<Option<Socket>> {
    let sock = socket::new_tcp(Family::of(addr))?;
    match socket::start_connect(&sock, addr) {
        Ok(true) => {
            errors.push(None);
            Ok(Some(sock))
        }
        Ok(false) => {
            errors.push(Some(error::ECONNREFUSED));
            Ok(None)
        }
        Err(code) => {
            errors.push(Some(code));
            Ok(None)
        }
    }
}

/// Runs the attempts of `plan`; returns the connected socket and its address.
pub fn connect(plan: &Plan, shared: &ReqShared) -> Result<(Socket, SocketAddr)> {
    let mut poll = error::sys(Poll::new())?;
    let mut events = Events::with_capacity(16);
    // attempts[i] is the socket of plan.addrs[i] while it runs; errors[i] its failure.
    let mut attempts: Vec<Option<Socket>> = Vec::new();
    let mut errors: Vec<Option<Code>> = Vec::new();
    let mut next_start = Instant::now();
    loop {
        if shared.abandoned() {
            return Err(ECANCELED);
        }
        let now = Instant::now();
        if plan.deadline.is_some_and(|d| now >= d) {
            return Err(ETIMEDOUT);
        }
        let running = attempts.iter().filter(|a| a.is_some()).count();
        let more = attempts.len() < plan.addrs.len();
        if more && (running == 0 || now >= next_start) {
            let i = attempts.len();
            let sock = start(&plan.addrs[i], &mut errors)?;
            if let Some(s) = &sock {
                let fd = s.as_raw_fd();
                error::sys(poll.registry().register(
                    &mut SourceFd(&fd),
                    Token(i),
                    Interest::WRITABLE,
                ))?;
                next_start = now + plan.attempt_delay;
            }
            attempts.push(sock);
            continue;
        }
        if running == 0 {
            // Every address was tried and failed: the first address's error.
            return Err(errors.iter().flatten().next().copied().unwrap_or(ECANCELED));
        }
        let mut wait = TICK;
        if more {
            wait = wait.min(next_start.saturating_duration_since(now));
        }
        if let Some(d) = plan.deadline {
            wait = wait.min(d.saturating_duration_since(now));
        }
        match poll.poll(&mut events, Some(wait)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(error::from_io(&e)),
        }
        for event in events.iter() {
            let i = event.token().0;
            let Some(sock) = attempts.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let status = socket::pending_error(&sock);
            if status == 0 && sock.peer_addr().is_ok() {
                // The winner; dropping `attempts` closes the losers, unseen.
                return Ok((sock, plan.addrs[i]));
            }
            errors[i] = Some(if status == 0 {
                error::ECONNREFUSED
            } else {
                status
            });
            // A failed attempt lets the next one start at once.
            next_start = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn families_alternate_starting_with_the_first() {
        let got = interleave(&[a("[::1]:1"), a("[::2]:1"), a("1.1.1.1:1"), a("2.2.2.2:1")]);
        assert_eq!(
            got,
            [a("[::1]:1"), a("1.1.1.1:1"), a("[::2]:1"), a("2.2.2.2:1")]
        );
        let got = interleave(&[a("1.1.1.1:1"), a("[::1]:1"), a("[::2]:1"), a("[::3]:1")]);
        assert_eq!(
            got,
            [a("1.1.1.1:1"), a("[::1]:1"), a("[::2]:1"), a("[::3]:1")]
        );
        assert!(interleave(&[]).is_empty());
    }
}

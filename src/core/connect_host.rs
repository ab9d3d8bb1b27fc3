//! `connect_host`: connect a TCP handle to a host name (or IP literal) and port, with Happy
//! Eyeballs (RFC 8305), an attempt delay and an optional connect timeout (DESIGN §10).
//!
//! The handle becomes connecting at once (its connect callback is pending, as for
//! `tcp_connect`). One loop-internal pool request (a lookup: it holds at most half the pool)
//! resolves the name with [`Host::resolve`] and runs the attempts ([`super::happy_eyeballs`]);
//! its outcome, the winning socket or an error, comes back to the loop, which puts the socket
//! in the handle and completes the connect through the handle's usual path (the connect
//! callback from the pending phase). An IP literal is a plain `tcp_connect`. A connect timeout
//! is kept by the loop ([`super::connect_timeout`]); the attempts also stop at the deadline.
//! Closing the handle abandons the request: the attempts stop within a few ms and their
//! sockets are closed, unseen; the callback gets `ECANCELED` as for any connect.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroI32;
use std::time::{Duration, Instant};

use socket2::Socket;

use super::error::{Result, EAI_NONAME, EALREADY, EINVAL, EISCONN};
use super::event_loop::Loop;
use super::handle_table::HandleId;
use super::happy_eyeballs::{self, Plan};
use super::host::Host;
use super::request::{JobFn, Outcome, ReqShared, Target};
use super::socket::Family;
use super::stream::State;
use super::tcp_options::apply_options;
use super::transport::Transport;

/// The default time between two attempts (RFC 8305 recommends 250 ms).
pub const DEFAULT_ATTEMPT_DELAY_MS: u64 = 250;

/// Resolves (unless `host` is an IP literal) and runs the attempts, on a pool thread.
fn run_attempts<H: Host>(
    host: &str,
    port: u16,
    mut plan: Plan,
    shared: &ReqShared,
) -> Result<(Socket, SocketAddr)> {
    let addrs = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => H::resolve(host, port, shared)?,
    };
    if addrs.is_empty() {
        return Err(EAI_NONAME);
    }
    plan.addrs = happy_eyeballs::interleave(&addrs);
    happy_eyeballs::connect(&plan, shared)
}

impl<H: Host> Loop<H> {
    /// Sets the connect timeout of a TCP handle in ms (0 = none, the default): a later
    /// `tcp_connect` or `tcp_connect_host` fails with `ETIMEDOUT` once it elapses (see
    /// [`super::connect_timeout`]).
    pub fn tcp_set_connect_timeout(&mut self, id: HandleId, ms: u64) -> Result<()> {
        self.stream(id)?;
        let opts = self.reqs.connect_opts.entry(id);
        opts.or_insert((DEFAULT_ATTEMPT_DELAY_MS, 0)).1 = ms;
        Ok(())
    }

    /// Sets the time between two connection attempts of `connect_host`, in ms (default 250).
    pub fn tcp_set_attempt_delay(&mut self, id: HandleId, ms: u64) -> Result<()> {
        self.stream(id)?;
        let opts = self.reqs.connect_opts.entry(id);
        opts.or_insert((DEFAULT_ATTEMPT_DELAY_MS, 0)).0 = ms;
        Ok(())
    }

    /// Connects the handle to `host` (a name or an IP literal) and `port`; `cb` reports the
    /// outcome from the loop. The handle must be a TCP handle without a socket (made with
    /// AF_UNSPEC, not bound) and idle, else `EINVAL` (`EALREADY` while connecting, `EISCONN`
    /// once connected).
    pub fn tcp_connect_host(
        &mut self,
        id: HandleId,
        host: &str,
        port: u16,
        cb: H::ConnectCb,
    ) -> Result<()> {
        let t = self.stream(id)?;
        match t.state {
            State::Idle => {}
            State::Connecting => return Err(EALREADY),
            State::Connected => return Err(EISCONN),
            State::Listening => return Err(EINVAL),
        }
        if t.sock.is_some() || t.transport.family().is_some() || host.is_empty() {
            return Err(EINVAL);
        }
        let (delay, timeout) = self
            .reqs
            .connect_opts
            .get(&id)
            .copied()
            .unwrap_or((DEFAULT_ATTEMPT_DELAY_MS, 0));
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.tcp_connect(id, SocketAddr::new(ip, port), cb);
        }
        let plan = Plan {
            addrs: Vec::new(),
            attempt_delay: Duration::from_millis(delay),
            deadline: (timeout > 0).then(|| Instant::now() + Duration::from_millis(timeout)),
        };
        let host = host.to_owned();
        let run: JobFn =
            Box::new(
                move |shared| match run_attempts::<H>(&host, port, plan, shared) {
                    Ok(won) => Outcome {
                        status: 0,
                        value: Some(Box::new(won)),
                    },
                    Err(status) => Outcome {
                        status,
                        value: None,
                    },
                },
            );
        let req = self.queue_job_for(Target::Connect(id), true, run)?;
        self.reqs.connecting.insert(id, req);
        let t = self.stream_mut(id)?;
        t.state = State::Connecting;
        t.connect_cb = Some(cb);
        self.requests += 1;
        self.refresh_active(id);
        self.arm_connect_deadline(id);
        Ok(())
    }

    /// The outcome of a `connect_host`'s request: the winning socket goes into the handle, and
    /// the connect completes (or fails) through the handle's pending work.
    pub(crate) fn connect_host_done(&mut self, id: HandleId, outcome: Outcome) {
        if self.reqs.connecting.remove(&id).is_none() {
            return;
        }
        let won = outcome
            .value
            .and_then(|v| v.downcast::<(Socket, SocketAddr)>().ok());
        let Ok(t) = self.stream_mut(id) else {
            return; // closed meanwhile: the socket is closed here, unseen
        };
        let status = match won {
            Some(won) => {
                let (sock, addr) = *won;
                let applied = apply_options(&sock, &t.transport);
                t.sock = Some(sock);
                if let Transport::Tcp(tcp) = &mut t.transport {
                    tcp.family = Some(Family::of(&addr));
                }
                match applied.and_then(|()| self.register(id)) {
                    Ok(()) => 0,
                    Err(code) => code,
                }
            }
            None if outcome.status != 0 => outcome.status,
            None => EINVAL,
        };
        // A failure is reported from the loop; a win completes through the connected socket's
        // writability, which its registration reports at once.
        if let Some(code) = NonZeroI32::new(status) {
            if let Ok(t) = self.stream_mut(id) {
                t.delayed_error = Some(code);
                self.schedule_io(id);
            }
        }
    }

    /// On close of a TCP handle: abandons its `connect_host` (attempts and lookup) and forgets
    /// its connect options.
    pub(crate) fn abandon_connect_host(&mut self, id: HandleId) {
        self.reqs.connect_opts.remove(&id);
        self.reqs.deadlines.retain(|&(_, h)| h != id);
        if let Some(req) = self.reqs.connecting.remove(&id) {
            self.drop_request(req);
        }
    }
}

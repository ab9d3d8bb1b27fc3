//! The safe core: no `unsafe`, no `extern "C"`, no calls into C.
//!
//! The loop never invokes a user callback itself: `Loop::next_dispatch` (in [`crate::core::phase`]) hands the
//! next callback to run to its caller (the FFI layer), which makes the call after the core's
//! borrow has ended, so a callback may re-enter the loop freely.
//!
//! Layers, from the bottom up (no module imports one above it):
//! * the kinds and plain state: `kinds` (the one list of handle kinds), `error`,
//!   `handle_table`, `socket`, `fd_io`, and each kind's state — `stream` with its
//!   `transport`, `udp`, `timer`, `hooks`, `poll`, `signal`, `async_handle` — then
//!   `handle`, which ties them into one `Handle` and names each kind's I/O role;
//! * `event_loop`, the loop's state;
//! * the operations, each an `impl Loop` in a module of its own: `handle_ops` for any
//!   handle, `stream_*` for every stream (whatever its transport), `tcp_ops`/`tcp_options`
//!   and `pipe` for what only TCP or pipe handles have, `udp_*`, `timer_ops`, `hook_ops`,
//!   `poll_ops`, `signal_ops`, `async_ops`;
//! * `phase` and `run`, one iteration of the loop.
//!
//! A new stream transport is a `transport::Transport` variant and its own operations module;
//! the poller, the dispatch and the list of kinds stay as they are.

#![forbid(unsafe_code)]

pub mod addr;
pub mod async_handle;
pub mod async_ops;
pub mod connect_host;
pub mod connect_timeout;
pub mod dispatch;
pub mod error;
pub mod event_loop;
pub mod fd_io;
pub mod fileno;
pub mod handle;
pub mod handle_ops;
pub mod handle_table;
pub mod happy_eyeballs;
pub mod hook_ops;
pub mod hooks;
pub mod host;
pub mod kinds;
pub mod phase;
pub mod pipe;
pub mod pipe_chmod;
pub mod poll;
pub mod poll_ops;
pub mod pool;
pub mod request;
pub mod run;
pub mod signal;
pub mod signal_ops;
pub mod signal_shared;
pub mod socket;
pub mod stream;
pub mod stream_close;
pub mod stream_flow;
pub mod stream_interest;
pub mod stream_io;
pub mod stream_ops;
pub mod stream_options;
pub mod stream_query;
pub(crate) mod sync_mutex;
pub mod tcp_ops;
pub mod tcp_options;
#[cfg(test)]
pub(crate) mod test_host;
pub mod timer;
pub mod timer_ops;
pub mod tls;
pub mod tls_config;
pub mod tls_io;
pub mod tls_ops;
pub mod transport;
pub mod udp;
pub mod udp_connect;
pub mod udp_io;
pub mod udp_ops;
pub mod udp_options;
#[cfg(test)]
mod udp_tests;
pub mod write_queue;

//! The safe core: no `unsafe`, no `extern "C"`, no calls into C.
//!
//! The loop never invokes a user callback itself: `Loop::next_dispatch` (in [`crate::core::phase`]) hands the
//! next callback to run to its caller (the FFI layer), which makes the call after the core's
//! borrow has ended, so a callback may re-enter the loop freely.

#![forbid(unsafe_code)]

pub mod addr;
pub mod async_handle;
pub mod connect_host;
pub mod connect_timeout;
pub mod dispatch;
pub mod error;
pub mod event_loop;
pub mod fd_io;
pub mod handle;
pub mod handle_table;
pub mod happy_eyeballs;
pub mod hooks;
pub mod host;
pub mod phase;
pub mod pipe;
pub mod poll;
pub mod pool;
pub mod request;
pub mod run;
pub mod signal;
pub mod socket;
pub(crate) mod sync_mutex;
pub mod tcp;
pub mod tcp_close;
pub mod tcp_flow;
pub mod tcp_io;
pub mod tcp_ops;
pub mod tcp_options;
pub mod tcp_query;
#[cfg(test)]
pub(crate) mod test_host;
pub mod timer;
pub mod udp;
pub mod udp_io;
pub mod udp_ops;
pub mod udp_options;
#[cfg(test)]
mod udp_tests;
pub mod write_queue;

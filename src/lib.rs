//! ruv: an event loop with libuv's C API model on a memory-safe Rust core.
//!
//! * [`core`] is safe Rust: the event loop, the handle table, one stream for every transport
//!   (TCP, Unix sockets, pipe ends), UDP, timers and the other handle kinds, the write queue,
//!   addresses and errors. It never calls C.
//! * [`ffi`] is the thin `extern "C"` layer that `include/ruv.h` is generated from: pointer
//!   checks, the panic boundary and the calls into user callbacks live there only.

#![deny(unsafe_op_in_unsafe_fn)]

/// cbindgen:ignore
pub mod core;
pub mod ffi;

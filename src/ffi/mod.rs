//! The C API: thin `#[no_mangle] extern "C"` functions over the safe core.
//!
//! Every pointer is checked by [`types`]' typed cast helpers, every export is written with
//! [`guard`]'s `ffi_fn!` (which puts it inside the panic boundary), out-parameters are written
//! only on success, and the raw `libc` calls are in [`sys`]. `include/ruv.h` is generated from
//! this module by `build.rs` and cbindgen.

#![allow(non_camel_case_types)]
// These functions are the C ABI: their pointer arguments are checked for NULL and kind, and the
// rest of their validity is the C caller's contract, which `unsafe fn` cannot express to C.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

#[macro_use]
pub mod guard;
pub mod addr;
pub mod async_api;
pub(crate) mod bufs;
pub mod callbacks;
pub mod constants;
pub mod dispatch;
pub mod error;
pub mod fileno;
pub mod handle;
pub(crate) mod handle_obj;
pub mod hooks;
pub(crate) mod live_set;
pub mod lookup;
pub mod loop_api;
pub(crate) mod loop_obj;
pub mod pipe;
pub mod poll;
pub mod request;
pub mod resolver;
pub mod signal;
pub mod signal_registry;
pub(crate) mod slot_table;
pub(crate) mod spin_lock;
pub mod stream;
pub(crate) mod stream_kind;
pub mod stream_state;
pub mod sys;
pub mod tcp;
pub mod tcp_connect_host;
pub mod tcp_options;
pub mod timer;
pub mod tls;
pub mod tls_query;
pub mod types;
pub mod udp;
pub mod udp_options;
pub mod version;

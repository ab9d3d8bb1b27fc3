//! Flags and constants of the C API (the header's `#define`s).
//!
//! They are literals because cbindgen copies them as written; the assertions below tie each to
//! the core's value.

use std::os::raw::c_int;

use crate::core::{poll, stream_ops, tcp_ops, udp};

/// Bind flag: an IPv6 handle accepts IPv6 only (no dual stack).
pub const RUV_TCP_IPV6ONLY: c_int = 1;
/// Bind flag: SO_REUSEPORT before bind, so sockets of several loops (in several threads) share
/// one port and the kernel spreads the connections; may be or'ed with RUV_TCP_IPV6ONLY.
pub const RUV_TCP_REUSEPORT: c_int = 2;
/// The listen backlog used when `backlog` <= 0.
pub const RUV_DEFAULT_BACKLOG: c_int = 511;

/// Poll event: the descriptor is readable (or at end of stream, or hung up).
pub const RUV_READABLE: c_int = 1;
/// Poll event: the descriptor is writable (or hung up).
pub const RUV_WRITABLE: c_int = 2;
/// Poll event: the peer hung up or shut down its writing side (`EPOLLRDHUP` / `EPOLLHUP`).
pub const RUV_DISCONNECT: c_int = 4;
/// Poll event: urgent data is available (`EPOLLPRI`, e.g. TCP out-of-band data).
pub const RUV_PRIORITIZED: c_int = 8;

/// UDP bind flag: an IPv6 handle takes IPv6 only (no dual stack).
pub const RUV_UDP_IPV6ONLY: c_int = 1;
/// UDP receive flag: the datagram was longer than the buffer and was cut.
pub const RUV_UDP_PARTIAL: c_int = 2;
/// UDP bind flag: SO_REUSEADDR, so several sockets may bind the same address and port.
pub const RUV_UDP_REUSEADDR: c_int = 4;

const _: () = {
    assert!(RUV_TCP_IPV6ONLY as u32 == tcp_ops::TCP_IPV6ONLY);
    assert!(RUV_TCP_REUSEPORT as u32 == tcp_ops::TCP_REUSEPORT);
    assert!(RUV_DEFAULT_BACKLOG == stream_ops::DEFAULT_BACKLOG);
    assert!(RUV_READABLE as u32 == poll::READABLE);
    assert!(RUV_WRITABLE as u32 == poll::WRITABLE);
    assert!(RUV_DISCONNECT as u32 == poll::DISCONNECT);
    assert!(RUV_PRIORITIZED as u32 == poll::PRIORITIZED);
    assert!(RUV_UDP_IPV6ONLY as u32 == udp::UDP_IPV6ONLY);
    assert!(RUV_UDP_PARTIAL as u32 == udp::UDP_PARTIAL);
    assert!(RUV_UDP_REUSEADDR as u32 == udp::UDP_REUSEADDR);
};

//! UDP socket options: broadcast, TTL, multicast loop/TTL/interface, group membership. Each
//! needs the socket (`RUV_EBADF` before it exists), except set_membership, which binds first.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use crate::core::error::EINVAL;

use super::sys;
use super::types::ruv_udp_t;
use super::udp::with_udp;

/// An optional C string as UTF-8: NULL is `None`; `RUV_EINVAL` if not UTF-8.
fn opt_str<'a>(ptr: *const c_char) -> Result<Option<&'a str>, c_int> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: a non-NULL argument is a NUL-terminated string (API contract).
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str().map(Some).map_err(|_| EINVAL)
}

ffi_fn! {
    /// SO_BROADCAST on (non-zero) or off.
    fn ruv_udp_set_broadcast(u: *mut ruv_udp_t, on: c_int) -> c_int {
        with_udp(u, |core, id| core.udp_set_broadcast(id, on != 0))?;
        Ok(0)
    }
}

ffi_fn! {
    /// The unicast TTL (IPv4) or hop limit (IPv6), 1 to 255 (else RUV_EINVAL).
    fn ruv_udp_set_ttl(u: *mut ruv_udp_t, ttl: c_int) -> c_int {
        with_udp(u, |core, id| core.udp_set_ttl(id, ttl))?;
        Ok(0)
    }
}

ffi_fn! {
    /// Whether multicast datagrams this socket sends loop back to local sockets.
    fn ruv_udp_set_multicast_loop(u: *mut ruv_udp_t, on: c_int) -> c_int {
        with_udp(u, |core, id| core.udp_set_multicast_loop(id, on != 0))?;
        Ok(0)
    }
}

ffi_fn! {
    /// The multicast TTL (IPv4) or hop limit (IPv6), 0 to 255 (else RUV_EINVAL).
    fn ruv_udp_set_multicast_ttl(u: *mut ruv_udp_t, ttl: c_int) -> c_int {
        with_udp(u, |core, id| core.udp_set_multicast_ttl(id, ttl))?;
        Ok(0)
    }
}

ffi_fn! {
    /// The interface multicast datagrams leave by: a local IPv4 address, an IPv6 address whose
    /// `%zone` names the interface, or NULL for the system's choice. RUV_EINVAL for an
    /// unparsable address or one of the other family than the socket's.
    fn ruv_udp_set_multicast_interface(
        u: *mut ruv_udp_t,
        interface_addr: *const c_char,
    ) -> c_int {
        let iface = opt_str(interface_addr)?;
        with_udp(u, |core, id| {
            core.udp_set_multicast_interface(id, iface, &sys::interface_index)
        })?;
        Ok(0)
    }
}

ffi_fn! {
    /// Joins (`join` 1) or leaves (0) the multicast group `multicast_addr` on the interface
    /// `interface_addr` (as ruv_udp_set_multicast_interface; NULL: the system's choice). An
    /// unbound handle is bound first. Errors: RUV_EINVAL (NULL group, another `join` value,
    /// unparsable addresses, family mismatch), the kernel's (RUV_EADDRNOTAVAIL, …).
    fn ruv_udp_set_membership(
        u: *mut ruv_udp_t,
        multicast_addr: *const c_char,
        interface_addr: *const c_char,
        join: c_int,
    ) -> c_int {
        let group = opt_str(multicast_addr)?.ok_or(EINVAL)?;
        let iface = opt_str(interface_addr)?;
        let membership = u32::try_from(join).map_err(|_| EINVAL)?;
        with_udp(u, |core, id| {
            core.udp_set_membership(id, group, iface, membership, &sys::interface_index)
        })?;
        Ok(0)
    }
}

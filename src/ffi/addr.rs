//! The one audited pair of `struct sockaddr` ⇄ `SocketAddr` conversions, and the address
//! functions of the C API.

use std::ffi::CStr;
use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::raw::{c_char, c_int};

use crate::core::addr;
use crate::core::error::{EINVAL, ENOSPC};

use super::sys;

/// Reads a C `struct sockaddr` (AF_INET or AF_INET6) into a `SocketAddr`.
pub(crate) fn read_sockaddr(ptr: *const libc::sockaddr) -> Result<SocketAddr, c_int> {
    if ptr.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: the caller passes a readable sockaddr; sa_family is in its first bytes, which
    // every sockaddr variant has.
    let family = c_int::from(unsafe { (*ptr).sa_family });
    match family {
        libc::AF_INET => {
            // SAFETY: AF_INET means the caller's buffer is a sockaddr_in (the sockets API
            // contract); read_unaligned copes with any alignment.
            let sin = unsafe { ptr.cast::<libc::sockaddr_in>().read_unaligned() };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Ok(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)).into())
        }
        libc::AF_INET6 => {
            // SAFETY: AF_INET6 means the caller's buffer is a sockaddr_in6.
            let sin6 = unsafe { ptr.cast::<libc::sockaddr_in6>().read_unaligned() };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            let port = u16::from_be(sin6.sin6_port);
            Ok(SocketAddrV6::new(ip, port, sin6.sin6_flowinfo, sin6.sin6_scope_id).into())
        }
        _ => Err(EINVAL),
    }
}

fn sockaddr_in(addr: &SocketAddrV4) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: addr.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes(addr.ip().octets()),
        },
        sin_zero: [0; 8],
    }
}

fn sockaddr_in6(addr: &SocketAddrV6) -> libc::sockaddr_in6 {
    libc::sockaddr_in6 {
        sin6_family: libc::AF_INET6 as libc::sa_family_t,
        sin6_port: addr.port().to_be(),
        sin6_flowinfo: addr.flowinfo(),
        sin6_addr: libc::in6_addr {
            s6_addr: addr.ip().octets(),
        },
        sin6_scope_id: addr.scope_id(),
    }
}

/// A `SocketAddr` as the C `struct sockaddr` it is, owned (e.g. a datagram's sender, lent to a
/// callback).
#[repr(C)]
pub(crate) union CSockAddr {
    v4: libc::sockaddr_in,
    v6: libc::sockaddr_in6,
}

impl From<&SocketAddr> for CSockAddr {
    fn from(addr: &SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(a) => CSockAddr { v4: sockaddr_in(a) },
            SocketAddr::V6(a) => CSockAddr {
                v6: sockaddr_in6(a),
            },
        }
    }
}

impl CSockAddr {
    /// The address as the generic `struct sockaddr *` (valid while `self` lives).
    pub(crate) fn as_ptr(&self) -> *const libc::sockaddr {
        (self as *const CSockAddr).cast()
    }
}

/// Writes `addr` to a caller buffer of `*len` bytes and stores the size used in `*len`;
/// `RUV_EINVAL` if the buffer is too small (nothing is written then).
pub(crate) fn write_sockaddr(
    addr: &SocketAddr,
    out: *mut libc::sockaddr,
    len: *mut c_int,
) -> Result<c_int, c_int> {
    if out.is_null() || len.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: `len` is non-NULL and points at the caller's int (API contract).
    let capacity = unsafe { len.read() };
    let needed = match addr {
        SocketAddr::V4(_) => size_of::<libc::sockaddr_in>(),
        SocketAddr::V6(_) => size_of::<libc::sockaddr_in6>(),
    };
    if usize::try_from(capacity).map_or(true, |c| c < needed) {
        return Err(EINVAL);
    }
    match addr {
        // SAFETY: the caller's buffer holds at least `capacity` >= `needed` bytes.
        SocketAddr::V4(a) => unsafe {
            out.cast::<libc::sockaddr_in>()
                .write_unaligned(sockaddr_in(a))
        },
        // SAFETY: the caller's buffer holds at least `capacity` >= `needed` bytes; write_unaligned
        // copes with any alignment.
        SocketAddr::V6(a) => unsafe {
            out.cast::<libc::sockaddr_in6>()
                .write_unaligned(sockaddr_in6(a))
        },
    }
    // SAFETY: `len` is non-NULL and writable (API contract).
    unsafe { len.write(needed as c_int) };
    Ok(0)
}

/// A getsockname/getpeername export: checks `out` and `len` (before the handle's state), runs
/// `query`, and writes its address as [`write_sockaddr`] does.
pub(crate) fn address_query(
    out: *mut libc::sockaddr,
    len: *mut c_int,
    query: impl FnOnce() -> Result<SocketAddr, c_int>,
) -> Result<c_int, c_int> {
    if out.is_null() || len.is_null() {
        return Err(EINVAL);
    }
    write_sockaddr(&query()?, out, len)
}

/// Borrows a C string as UTF-8; `RUV_EINVAL` if NULL or not UTF-8.
pub(crate) fn c_str<'a>(ptr: *const c_char) -> Result<&'a str, c_int> {
    if ptr.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: the caller passes a NUL-terminated string (API contract).
    unsafe { CStr::from_ptr(ptr) }.to_str().map_err(|_| EINVAL)
}

ffi_fn! {
    /// Fills `*out` with the IPv4 address `ip` ("127.0.0.1") and `port` (0–65535).
    /// Returns 0, or RUV_EINVAL for NULL pointers, an unparsable address or a bad port.
    fn ruv_ip4_addr(
        ip: *const c_char,
        port: c_int,
        out: *mut libc::sockaddr_in,
    ) -> c_int {
        if out.is_null() {
            return Err(EINVAL);
        }
        let addr = addr::parse_ip4(c_str(ip)?, port)?;
        // SAFETY: `out` is non-NULL and points at the caller's sockaddr_in.
        unsafe { out.write_unaligned(sockaddr_in(&addr)) };
        Ok(0)
    }
}

ffi_fn! {
    /// Fills `*out` with the IPv6 address `ip` and `port`; a zone ("fe80::1%lo" or "%2") sets
    /// `sin6_scope_id`. Returns 0, or RUV_EINVAL for NULL pointers, an unparsable address, an
    /// unknown interface or a bad port.
    fn ruv_ip6_addr(
        ip: *const c_char,
        port: c_int,
        out: *mut libc::sockaddr_in6,
    ) -> c_int {
        if out.is_null() {
            return Err(EINVAL);
        }
        let addr = addr::parse_ip6(c_str(ip)?, port, sys::interface_index)?;
        // SAFETY: `out` is non-NULL and points at the caller's sockaddr_in6.
        unsafe { out.write_unaligned(sockaddr_in6(&addr)) };
        Ok(0)
    }
}

ffi_fn! {
    /// Writes the IP of `addr` (AF_INET or AF_INET6) as a NUL-terminated string into `dst` of
    /// `size` bytes. Returns 0, RUV_EINVAL for NULL pointers or another family, RUV_ENOSPC if
    /// `dst` is too small.
    fn ruv_ip_name(addr: *const libc::sockaddr, dst: *mut c_char, size: usize) -> c_int {
        if dst.is_null() {
            return Err(EINVAL);
        }
        let text = addr::ip_name(&read_sockaddr(addr)?);
        if text.len() + 1 > size {
            return Err(ENOSPC);
        }
        // SAFETY: `dst` holds `size` >= text.len() + 1 bytes (checked above); the regions
        // cannot overlap since `text` is our own allocation.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr().cast::<c_char>(), dst, text.len());
            dst.add(text.len()).write(0);
        }
        Ok(0)
    }
}

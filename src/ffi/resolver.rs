//! The blocking lookups a pool thread makes (libc's getaddrinfo and getnameinfo) and the
//! results they hand to the loop, which own their memory (a dropped list is freed, whether its
//! callback saw it or its lookup was abandoned).

use std::ffi::{CStr, CString};
use std::net::{IpAddr, SocketAddr};
use std::os::raw::{c_char, c_int};

use crate::core::error::{self, Code};
use crate::core::request::ReqShared;

/// glibc's `EAI_ADDRFAMILY` (not in the libc crate).
const GLIBC_EAI_ADDRFAMILY: c_int = -9;
/// The size of a service name buffer (`NI_MAXSERV`).
const NI_MAXSERV: usize = 32;

/// The list getaddrinfo returned; freed with freeaddrinfo when dropped.
pub struct AddrInfoList(*mut libc::addrinfo);

/// One entry of an [`AddrInfoList`], copied: family, socket type, protocol, canonical name
/// (empty if none) and address.
pub type AddrInfoEntry = (i32, i32, i32, String, SocketAddr);

// SAFETY: the list is plain heap memory owned by this value alone; freeaddrinfo may run on any
// thread.
unsafe impl Send for AddrInfoList {}

impl AddrInfoList {
    /// The first entry.
    pub(crate) fn as_ptr(&self) -> *const libc::addrinfo {
        self.0
    }

    /// The entries with an IPv4 or IPv6 address, in order.
    pub fn entries(&self) -> Vec<AddrInfoEntry> {
        let mut out = Vec::new();
        let mut ai = self.0.cast_const();
        while !ai.is_null() {
            // SAFETY: `ai` is an entry of the list this value owns (alive while `self` is).
            let e = unsafe { &*ai };
            let canon = if e.ai_canonname.is_null() {
                String::new()
            } else {
                // SAFETY: a non-NULL ai_canonname is a NUL-terminated string of the list.
                unsafe { CStr::from_ptr(e.ai_canonname) }
                    .to_string_lossy()
                    .into_owned()
            };
            if let Ok(addr) = super::addr::read_sockaddr(e.ai_addr) {
                out.push((e.ai_family, e.ai_socktype, e.ai_protocol, canon, addr));
            }
            ai = e.ai_next;
        }
        out
    }
}

impl Drop for AddrInfoList {
    fn drop(&mut self) {
        // SAFETY: the pointer came from a successful getaddrinfo and is freed only here.
        unsafe { libc::freeaddrinfo(self.0) }
    }
}

/// The names getnameinfo returned.
pub struct NameInfo {
    /// The host name (or numeric address).
    pub host: CString,
    /// The service name (or numeric port).
    pub service: CString,
}

/// The four fields of `struct addrinfo` hints that a lookup uses.
#[derive(Clone, Copy, Default)]
pub struct Hints {
    /// ai_flags (AI_*).
    pub flags: c_int,
    /// ai_family (AF_UNSPEC, AF_INET, AF_INET6).
    pub family: c_int,
    /// ai_socktype.
    pub socktype: c_int,
    /// ai_protocol.
    pub protocol: c_int,
}

/// A ruv code for a getaddrinfo/getnameinfo return value (libuv's RUV_EAI_* values).
fn eai_code(rc: c_int) -> Code {
    match rc {
        libc::EAI_AGAIN => error::EAI_AGAIN,
        libc::EAI_BADFLAGS => error::EAI_BADFLAGS,
        libc::EAI_FAIL => error::EAI_FAIL,
        libc::EAI_FAMILY => error::EAI_FAMILY,
        libc::EAI_MEMORY => error::EAI_MEMORY,
        libc::EAI_NODATA => error::EAI_NODATA,
        libc::EAI_NONAME => error::EAI_NONAME,
        libc::EAI_SERVICE => error::EAI_SERVICE,
        libc::EAI_SOCKTYPE => error::EAI_SOCKTYPE,
        libc::EAI_OVERFLOW => error::EAI_OVERFLOW,
        GLIBC_EAI_ADDRFAMILY => error::EAI_ADDRFAMILY,
        libc::EAI_SYSTEM => error::from_io(&std::io::Error::last_os_error()),
        _ => error::EAI_FAIL,
    }
}

/// Whether `name` is in the special-use `invalid.` domain (RFC 6761 §6.4), which never
/// resolves: ruv answers RUV_EAI_NONAME itself, without asking any resolver.
pub(crate) fn is_invalid_domain(name: &CStr) -> bool {
    let bytes = name.to_bytes();
    let bytes = bytes.strip_suffix(b".").unwrap_or(bytes);
    let tail = b"invalid";
    bytes.len() >= tail.len()
        && bytes[bytes.len() - tail.len()..].eq_ignore_ascii_case(tail)
        && (bytes.len() == tail.len() || bytes[bytes.len() - tail.len() - 1] == b'.')
}

/// Whether a lookup of `node` is one the test hook `RUV_TEST_HANG_LOOKUP=<name>.invalid` makes
/// hang: a lookup of exactly that name blocks its pool thread until the lookup is cancelled
/// (so tests can make lookups hang deterministically). Only names in `invalid.` are looked at,
/// so it never changes a real lookup (nor costs one anything).
pub(crate) fn hangs(node: Option<&CStr>) -> bool {
    let Some(node) = node.filter(|n| is_invalid_domain(n)) else {
        return false;
    };
    std::env::var("RUV_TEST_HANG_LOOKUP").is_ok_and(|h| h.as_bytes() == node.to_bytes())
}

/// Blocks until the loop abandons the lookup (the test hook).
pub(crate) fn hang_until_abandoned(shared: &ReqShared) {
    while !shared.abandoned() {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// The test hook `RUV_TEST_HOSTS=<name>.invalid=<ip>,<ip>;…`: names (only in `invalid.`) that
/// `connect_host` resolves to these addresses, in this order, without a resolver.
fn test_host(name: &CStr) -> Option<Vec<IpAddr>> {
    if !is_invalid_domain(name) {
        return None;
    }
    let name = name.to_str().ok()?.to_ascii_lowercase();
    let spec = std::env::var("RUV_TEST_HOSTS").ok()?;
    let (_, ips) = spec
        .split(';')
        .filter_map(|entry| entry.split_once('='))
        .find(|(n, _)| n.to_ascii_lowercase() == name)?;
    Some(ips.split(',').filter_map(|ip| ip.parse().ok()).collect())
}

/// Resolves `host` to stream socket addresses with `port`, in the resolver's order (for
/// connect_host), on a pool thread; the test hooks apply (see [`hangs`], [`test_host`]).
pub fn resolve_stream(host: &str, port: u16, shared: &ReqShared) -> Result<Vec<SocketAddr>, Code> {
    let node = CString::new(host).map_err(|_| error::EINVAL)?;
    if hangs(Some(&node)) {
        hang_until_abandoned(shared);
        return Err(error::EAI_CANCELED);
    }
    if let Some(ips) = test_host(&node) {
        return Ok(ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect());
    }
    let hints = Hints {
        socktype: libc::SOCK_STREAM,
        ..Hints::default()
    };
    let list = getaddrinfo(Some(&node), None, hints)?;
    let mut out = Vec::new();
    let mut ai = list.as_ptr();
    while !ai.is_null() {
        // SAFETY: `ai` is an entry of the list `list` owns, alive until it is dropped below.
        let entry = unsafe { &*ai };
        if let Ok(mut addr) = super::addr::read_sockaddr(entry.ai_addr) {
            addr.set_port(port);
            out.push(addr);
        }
        ai = entry.ai_next;
    }
    Ok(out)
}

/// getaddrinfo(node, service, hints) (blocking: on a pool thread, or without the GIL).
pub fn getaddrinfo(
    node: Option<&CStr>,
    service: Option<&CStr>,
    hints: Hints,
) -> Result<AddrInfoList, Code> {
    if node.is_some_and(is_invalid_domain) {
        return Err(error::EAI_NONAME);
    }
    // SAFETY: an all-zero addrinfo is a valid value (integers and NULL pointers).
    let mut h: libc::addrinfo = unsafe { std::mem::zeroed() };
    h.ai_flags = hints.flags;
    h.ai_family = hints.family;
    h.ai_socktype = hints.socktype;
    h.ai_protocol = hints.protocol;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    let cptr = |s: Option<&CStr>| s.map_or(std::ptr::null(), CStr::as_ptr);
    // SAFETY: node and service are NULL or NUL-terminated strings that outlive the call; `h` is
    // a valid hints struct; `res` receives a list we own on success.
    let rc = unsafe { libc::getaddrinfo(cptr(node), cptr(service), &h, &mut res) };
    if rc != 0 {
        return Err(eai_code(rc));
    }
    Ok(AddrInfoList(res))
}

/// getnameinfo of a socket address with `flags` (NI_*) (blocking).
pub fn getnameinfo_of(addr: &SocketAddr, flags: c_int) -> Result<NameInfo, Code> {
    let sa = socket2::SockAddr::from(*addr);
    // SAFETY: all-zero bytes are a valid sockaddr_storage.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = sa.len() as usize;
    // SAFETY: `sa` holds `len` bytes of a sockaddr, no more than a sockaddr_storage.
    unsafe {
        std::ptr::copy_nonoverlapping(
            sa.as_ptr().cast::<u8>(),
            (&mut storage as *mut libc::sockaddr_storage).cast::<u8>(),
            len,
        )
    };
    getnameinfo(&storage, sa.len(), flags)
}

/// getnameinfo(addr, flags), on a pool thread.
pub(crate) fn getnameinfo(
    addr: &libc::sockaddr_storage,
    len: libc::socklen_t,
    flags: c_int,
) -> Result<NameInfo, Code> {
    let mut host = [0 as c_char; libc::NI_MAXHOST as usize];
    let mut service = [0 as c_char; NI_MAXSERV];
    // SAFETY: `addr` holds a sockaddr of `len` bytes; the buffers are writable for the lengths
    // passed, and getnameinfo NUL-terminates what it writes on success.
    let rc = unsafe {
        libc::getnameinfo(
            (addr as *const libc::sockaddr_storage).cast(),
            len,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            service.as_mut_ptr(),
            service.len() as libc::socklen_t,
            flags,
        )
    };
    if rc != 0 {
        return Err(eai_code(rc));
    }
    // SAFETY: both buffers are NUL-terminated after a successful getnameinfo.
    let (h, s) = unsafe {
        (
            CStr::from_ptr(host.as_ptr()),
            CStr::from_ptr(service.as_ptr()),
        )
    };
    Ok(NameInfo {
        host: h.to_owned(),
        service: s.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invalid_domain_is_recognised() {
        assert!(is_invalid_domain(c"invalid"));
        assert!(is_invalid_domain(c"x.invalid"));
        assert!(is_invalid_domain(c"a.b.INVALID."));
        assert!(!is_invalid_domain(c"notinvalid"));
        assert!(!is_invalid_domain(c"invalid.example"));
        assert!(!is_invalid_domain(c"localhost"));
    }
}

//! ruv_getaddrinfo and ruv_getnameinfo: lookups on the worker pool (at most half its threads).

use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_void};

use crate::core::error::{self, EINVAL};
use crate::core::request::{JobFn, Outcome};

use super::request::{submit, ReqCb};
use super::resolver::{self, Hints};
use super::types::{loop_ref, ruv_getaddrinfo_cb, ruv_getnameinfo_cb, ruv_loop_t, ruv_req_t};

/// Copies a C string argument (NULL is `None`).
fn c_string(ptr: *const std::os::raw::c_char) -> Option<CString> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a non-NULL string argument is NUL-terminated (the C contract); it is copied here,
    // before the call returns.
    Some(unsafe { CStr::from_ptr(ptr) }.to_owned())
}

/// Checks and copies the hints: only flags, family, socktype and protocol may be set.
fn read_hints(hints: *const libc::addrinfo) -> Result<Hints, c_int> {
    if hints.is_null() {
        return Ok(Hints::default());
    }
    // SAFETY: a non-NULL `hints` points at the caller's addrinfo for the duration of the call.
    let h = unsafe { &*hints };
    if h.ai_addrlen != 0
        || !h.ai_addr.is_null()
        || !h.ai_canonname.is_null()
        || !h.ai_next.is_null()
    {
        return Err(error::EAI_BADHINTS);
    }
    if ![libc::AF_UNSPEC, libc::AF_INET, libc::AF_INET6].contains(&h.ai_family) {
        return Err(error::EAI_FAMILY);
    }
    Ok(Hints {
        flags: h.ai_flags,
        family: h.ai_family,
        socktype: h.ai_socktype,
        protocol: h.ai_protocol,
    })
}

ffi_fn! {
    /// Resolves `node` and/or `service` (either may be NULL, not both) on the worker pool, as
    /// getaddrinfo(3) with `hints` (NULL, or only ai_flags/ai_family/ai_socktype/ai_protocol
    /// set). `cb(loop, status, res, arg)` runs on the loop, never inside this call: `res` is
    /// valid only during the callback (ruv frees it). Names in the `invalid.` domain fail with
    /// RUV_EAI_NONAME without asking any resolver (RFC 6761). Lookups never hold more than half
    /// the pool's threads. `*req` (if `req` is not NULL) names the request for ruv_cancel until
    /// the callback returns. Errors: RUV_EINVAL (invalid loop, NULL `cb`, both names NULL),
    /// RUV_EAI_BADHINTS (hints with address, name or next set), RUV_EAI_FAMILY (a family other
    /// than AF_UNSPEC, AF_INET, AF_INET6), RUV_EAGAIN (no pool thread could be started).
    fn ruv_getaddrinfo(
        loop_: *mut ruv_loop_t,
        node: *const std::os::raw::c_char,
        service: *const std::os::raw::c_char,
        hints: *const libc::addrinfo,
        cb: ruv_getaddrinfo_cb,
        arg: *mut c_void,
        req: *mut *mut ruv_req_t,
    ) -> c_int {
        let l = loop_ref(loop_)?;
        let cb = cb.ok_or(EINVAL)?;
        if node.is_null() && service.is_null() {
            return Err(EINVAL);
        }
        let hints = read_hints(hints)?;
        let (node, service) = (c_string(node), c_string(service));
        let run: JobFn = Box::new(move |shared| {
            if resolver::hangs(node.as_deref()) {
                resolver::hang_until_abandoned(shared);
                return Outcome { status: error::EAI_CANCELED, value: None };
            }
            match resolver::getaddrinfo(node.as_deref(), service.as_deref(), hints) {
                Ok(list) => Outcome { status: 0, value: Some(Box::new(list)) },
                Err(code) => Outcome { status: code, value: None },
            }
        });
        submit(l, ReqCb::Addrinfo(cb, arg), true, run, req)
    }
}

ffi_fn! {
    /// Looks up the host and service names of `addr` (a sockaddr_in or sockaddr_in6) on the
    /// worker pool, as getnameinfo(3) with `flags` (NI_*). `cb(loop, status, host, service,
    /// arg)` runs on the loop, never inside this call; the strings are valid only during the
    /// callback. `*req` as for ruv_getaddrinfo. Errors: RUV_EINVAL (invalid loop, NULL `addr`
    /// or `cb`, a family other than AF_INET/AF_INET6), RUV_EAGAIN (no pool thread).
    fn ruv_getnameinfo(
        loop_: *mut ruv_loop_t,
        addr: *const libc::sockaddr,
        flags: c_int,
        cb: ruv_getnameinfo_cb,
        arg: *mut c_void,
        req: *mut *mut ruv_req_t,
    ) -> c_int {
        let l = loop_ref(loop_)?;
        let cb = cb.ok_or(EINVAL)?;
        if addr.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `addr` is non-NULL and points at least at a sockaddr header (the contract).
        let family = c_int::from(unsafe { (*addr).sa_family });
        let len = match family {
            libc::AF_INET => std::mem::size_of::<libc::sockaddr_in>(),
            libc::AF_INET6 => std::mem::size_of::<libc::sockaddr_in6>(),
            _ => return Err(EINVAL),
        };
        // SAFETY: all-zero bytes are a valid sockaddr_storage.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        // SAFETY: `addr` holds a whole sockaddr of its family (`len` bytes, the contract), and
        // `storage` is larger than either.
        unsafe {
            std::ptr::copy_nonoverlapping(
                addr.cast::<u8>(),
                (&mut storage as *mut libc::sockaddr_storage).cast::<u8>(),
                len,
            )
        };
        let run: JobFn = Box::new(move |_| {
            match resolver::getnameinfo(&storage, len as libc::socklen_t, flags) {
                Ok(names) => Outcome { status: 0, value: Some(Box::new(names)) },
                Err(code) => Outcome { status: code, value: None },
            }
        });
        submit(l, ReqCb::Nameinfo(cb, arg), true, run, req)
    }
}
